"""What a saved network's files must be before anything is built from them.

``read_json(path)`` reads ``network.json`` (bounded size and nesting depth, no NaN or
Infinity constants); ``check_header(header, path)`` checks it against the schema below (types,
ranges, known names); ``read_arrays(npz_path, expected, states, prefixes)`` checks every array of
``weights.npz`` by its ``.npy`` header (name, dtype kind, shape, bytes) before reading it, then
its values (finite).  Every refusal is a ``ValueError`` (``TypeError`` for a value of the wrong
type) whose message starts with the file and names the field.
"""
import json
import math
import re
import zipfile

import numpy as np

from ..checks import FLOAT_DTYPES as _FLOAT_TYPES
from ..layer import SimpleLayer
from ..maps import MAP_LAYER_KINDS
from .files import check_zip_end, open_regular

FORMAT = "simnet-network"
FORMAT_VERSION = 2  # 2: weights.npz names arrays by connection and layer; 1: by layer index
LAYER_KINDS = {"SimpleLayer": SimpleLayer, **MAP_LAYER_KINDS}  # other layer kinds register here

MAX_JSON_BYTES = 64 * 2**20
MAX_DEPTH = 32
MAX_LAYERS = 10_000
MAX_NEURONS = 10**8  # neurons of one layer
MAX_LAYER_NAME = 200  # characters of a saved layer name
MAX_ARRAY_BYTES = 16 * 2**30  # all the arrays of one save together
FLOAT_DTYPES = tuple(np.dtype(t).name for t in _FLOAT_TYPES)  # ("float32", "float64")
PADDINGS = ("valid", "same")

INFO_FIELDS = {  # the fields scenarios read back; anything else in info is kept as written
    "epochs": "count", "batch_size": "positive_int", "lr": "positive", "lr_decay": "positive",
    "optimizer": "optimizer", "test_accuracy": "fraction_or_none", "dataset": "str", "note": "str_or_none",
    "stopped": "str_or_none", "class_names": "str_list",
}


def optimizer_fields(name):
    """The settings a saved optimizer's config may hold: those its class's ``config()`` writes."""
    from ..optimizers import OPTIMIZERS

    return OPTIMIZERS[name].config_fields() - {"name"}


def state_sets():
    """``(arrays, scalars)`` of each optimizer's per-parameter state, as the classes declare them."""
    from ..optimizers import OPTIMIZERS

    return {name: (set(cls.state_arrays), set(cls.state_scalars)) for name, cls in OPTIMIZERS.items()}


def _optimizer_names():
    from ..optimizers import OPTIMIZERS

    return set(OPTIMIZERS)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class _Checker:
    def __init__(self, path):
        self.path = path

    def fail(self, field, what, kind=ValueError):
        raise kind(f"{self.path}: {field}: {what}")

    def type(self, value, types, field, words):
        ok = _is_int(value) if types is int else _is_number(value) if types == "number" else isinstance(value, types)
        if not ok:
            self.fail(field, f"must be {words}, got {type(value).__name__} {_short(value)}", TypeError)
        return value

    def int(self, value, field, lo, hi):
        self.type(value, int, field, "an integer")
        if not lo <= value <= hi:
            self.fail(field, f"must be in {lo}..{hi:,}, got {value}")
        return value

    def number(self, value, field, lo=None, hi=None, open_lo=False, open_hi=False):
        self.type(value, "number", field, "a number")
        if not math.isfinite(value):
            self.fail(field, f"must be finite, got {value}")
        if lo is not None and (value < lo or (open_lo and value == lo)):
            self.fail(field, f"must be {'>' if open_lo else '>='} {lo}, got {value}")
        if hi is not None and (value > hi or (open_hi and value == hi)):
            self.fail(field, f"must be {'<' if open_hi else '<='} {hi}, got {value}")
        return value

    def choice(self, value, choices, field):
        self.type(value, str, field, "a string")
        if value not in choices:
            self.fail(field, f"must be one of {sorted(choices)}, got {_short(value)}")
        return value

    def keys(self, d, field, allowed, required=()):
        self.type(d, dict, field, "an object")
        unknown = sorted(str(k) for k in d if k not in allowed)
        if unknown:
            self.fail(field, f"unknown field(s) {', '.join(map(_short, unknown[:5]))}; known: {sorted(allowed)}")
        missing = [k for k in required if k not in d]
        if missing:
            self.fail(field, f"missing field(s) {', '.join(missing)}")
        return d


def _short(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _depth(value):
    """Nesting depth of plain JSON data, without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        v, d = todo.pop()
        deepest = max(deepest, d)
        if d > MAX_DEPTH:
            return d
        if isinstance(v, dict):
            todo += [(x, d + 1) for x in v.values()]
        elif isinstance(v, list):
            todo += [(x, d + 1) for x in v]
    return deepest


class JSONConstant(ValueError):
    """JSON text held ``NaN``, ``Infinity`` or ``-Infinity``, which Python's json reads but JSON has not."""

    def __init__(self, name):
        super().__init__(f"{name} is not a JSON number")
        self.name = name


def no_constant(name):
    """``parse_constant`` for ``json.loads``: every file and request simnet reads refuses NaN and Infinity."""
    raise JSONConstant(name)


def read_json(path):
    """The parsed ``network.json``: bounded in size and depth, NaN and Infinity refused."""
    with open_regular(path, MAX_JSON_BYTES, "a network file") as f:  # no FIFO, device or folder; bounded
        data = f.read(MAX_JSON_BYTES + 1)
    try:
        text = data.decode("utf-8")
        header = json.loads(text, parse_constant=no_constant)
    except RecursionError:
        raise ValueError(f"{path}: not a valid simnet network file (nested deeper than {MAX_DEPTH})") from None
    except JSONConstant as e:
        raise ValueError(f"{path}: not a valid simnet network file ({e})") from None
    except (ValueError, UnicodeDecodeError) as e:  # JSONDecodeError, a number too long
        raise ValueError(f"{path}: not a valid simnet network file ({type(e).__name__}: {e})") from None
    if _depth(header) > MAX_DEPTH:
        raise ValueError(f"{path}: not a valid simnet network file (nested deeper than {MAX_DEPTH})")
    return header


def check_generator_state(c, state, field):
    """A PCG64 state as ``bit_generator.state`` gives it, checked so that setting it cannot fail."""
    c.keys(state, field, {"bit_generator", "state", "has_uint32", "uinteger"},
           ("bit_generator", "state", "has_uint32", "uinteger"))
    c.choice(state["bit_generator"], {"PCG64"}, f"{field}.bit_generator")
    c.keys(state["state"], f"{field}.state", {"state", "inc"}, ("state", "inc"))
    for k in ("state", "inc"):
        c.int(state["state"][k], f"{field}.state.{k}", 0, 2**128 - 1)
    c.int(state["has_uint32"], f"{field}.has_uint32", 0, 1)
    c.int(state["uinteger"], f"{field}.uinteger", 0, 2**32 - 1)
    try:
        np.random.default_rng().bit_generator.state = state
    except (ValueError, TypeError, OverflowError, KeyError) as e:
        c.fail(field, f"not a generator state ({type(e).__name__}: {e})")


def _pair(c, value, field, hi=10**6):
    if _is_int(value):
        return c.int(value, field, 1, hi)
    c.type(value, list, field, "an integer or a list of two")
    if len(value) != 2:
        c.fail(field, f"must hold 2 integers, got {len(value)}")
    for j, v in enumerate(value):
        c.int(v, f"{field}[{j}]", 1, hi)
    return value


def _shape(c, value, field):
    c.type(value, list, field, "a list of integers")
    if not 1 <= len(value) <= 3:
        c.fail(field, f"must have 1 to 3 dimensions, got {len(value)}")
    for j, v in enumerate(value):
        c.int(v, f"{field}[{j}]", 1, MAX_NEURONS)
    if math.prod(value) > MAX_NEURONS:
        c.fail(field, f"{value} is {math.prod(value):,} neurons, more than {MAX_NEURONS:,}")
    return value


LAYER_FIELDS = {  # per kind: the fields its config() writes (activation and optimizer state added by save)
    "SimpleLayer": ({"name", "num_neurons", "bias", "dtype"}, {"name", "num_neurons"}),
    "MapInput": ({"name", "shape", "dtype"}, {"name", "shape"}),
    "Conv2D": ({"name", "input_shape", "dtype", "filters", "kernel_size", "stride", "padding", "bias"},
               {"name", "input_shape", "filters", "kernel_size"}),
    "MaxPool2D": ({"name", "input_shape", "dtype", "pool_size", "stride"}, {"name", "input_shape"}),
    "Dropout": ({"name", "input_shape", "dtype", "rate", "rng_state", "delta_mask", "derivative_on"},
                {"name", "input_shape"}),
    "Flatten": ({"name", "input_shape", "dtype"}, {"name", "input_shape"}),
}


def layer_fields(kind):
    """``(allowed, required)`` config fields of a layer kind: the table above, or for a kind registered
    since (``LAYER_KINDS``) its constructor's arguments."""
    import inspect


    if kind in LAYER_FIELDS:
        return LAYER_FIELDS[kind]
    params = inspect.signature(LAYER_KINDS[kind]).parameters
    allowed = {p for p in params if p not in ("self", "target", "source", "rng", "init", "activation")}
    return allowed | {"name", "dtype", "rng_state"}, {"name"}


def _check_layer(c, spec, field, activations):

    c.type(spec, dict, field, "an object")
    kind = c.choice(spec.get("kind"), set(LAYER_KINDS), f"{field}.kind")
    allowed, required = layer_fields(kind)
    c.keys(spec, field, allowed | {"kind", "activation", "weight_state", "bias_state"}, required | {"activation"})
    name = c.type(spec["name"], str, f"{field}.name", "a string")
    if not 1 <= len(name) <= MAX_LAYER_NAME:
        c.fail(f"{field}.name", f"must have 1 to {MAX_LAYER_NAME} characters, got {len(name)}")
    if "num_neurons" in spec:
        c.int(spec["num_neurons"], f"{field}.num_neurons", 1, MAX_NEURONS)
    if "dtype" in spec:
        c.choice(spec["dtype"], set(FLOAT_DTYPES), f"{field}.dtype")
    if "bias" in spec:
        c.type(spec["bias"], bool, f"{field}.bias", "true or false")
    for k in ("shape", "input_shape"):
        if k in spec:
            _shape(c, spec[k], f"{field}.{k}")
    if "filters" in spec:
        c.int(spec["filters"], f"{field}.filters", 1, 65536)
    for k in ("kernel_size", "stride", "pool_size"):
        if k in spec and not (k == "stride" and spec[k] is None):
            _pair(c, spec[k], f"{field}.{k}")
    if "padding" in spec:
        c.choice(spec["padding"], set(PADDINGS), f"{field}.padding")
    if "rate" in spec:
        c.number(spec["rate"], f"{field}.rate", 0, 1, open_hi=True)
    if "rng_state" in spec:
        check_generator_state(c, spec["rng_state"], f"{field}.rng_state")
    c.type(spec["activation"], dict, f"{field}.activation", "an object")
    name = c.choice(spec["activation"].get("name"), set(activations), f"{field}.activation.name")
    act = c.keys(spec["activation"], f"{field}.activation", {"name", *activations[name].settings}, ("name",))
    for k in activations[name].settings:
        if k in act:
            c.number(act[k], f"{field}.activation.{k}")
    states = {}
    for what in ("weight", "bias"):
        key = f"{what}_state"
        if key in spec:
            st = c.type(spec[key], dict, f"{field}.{key}", "an object")
            for k, v in st.items():
                scalars = set().union(*(sc for _, sc in state_sets().values()))
                if k not in scalars:
                    c.fail(f"{field}.{key}", f"unknown scalar {_short(k)}; optimizers' scalars are {sorted(scalars)}")
                c.int(v, f"{field}.{key}.{k}", 0, 2**62)
            states[key] = set(st)
    return states


def check_header(header, path):
    """Check a parsed ``network.json``; returns ``{"states": {state prefix: scalar names}, "arrays": array_names}``
    (what ``read_arrays`` needs, and the names ``weights.npz`` gives each parameter in this file's format)."""
    from ..activations import ACTIVATIONS
    from ..losses import LOSSES

    c = _Checker(path)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{path}: not a simnet network file (format is not {FORMAT!r})")
    c.keys(header, "network.json", {"format", "version", "save_id", "layers", "loss", "optimizer", "rng", "info"},
           ("version", "layers", "loss", "rng"))
    if "save_id" in header:
        save_id = c.type(header["save_id"], str, "save_id", "a string")
        if not re.fullmatch(r"[0-9a-f]{1,64}", save_id):
            c.fail("save_id", f"must be hexadecimal digits, got {_short(save_id)}")
    version = c.type(header["version"], int, "version", "an integer")
    if version > FORMAT_VERSION:
        c.fail("version", f"network format version {version} is newer than this simnet reads "
                          f"({FORMAT_VERSION}); upgrade simnet")
    if version < 1:
        c.fail("version", f"must be 1..{FORMAT_VERSION}, got {version}")
    layers = c.type(header["layers"], list, "layers", "a list")
    if not 2 <= len(layers) <= MAX_LAYERS:
        c.fail("layers", f"a network has 2 to {MAX_LAYERS:,} layers, got {len(layers)}")
    scalars = {}
    names = []
    for i, spec in enumerate(layers):
        for key, found in _check_layer(c, spec, f"layers[{i}]", ACTIVATIONS).items():
            scalars[i, "weights" if key == "weight_state" else "bias"] = found
        if spec["name"] in names:
            c.fail(f"layers[{i}].name", f"{spec['name']!r} names two layers")
        names.append(spec["name"])
    arrays = array_names(names, version)
    taken = {}
    for (i, _), (name, _) in arrays.items():
        if name in taken:
            c.fail(f"layers[{i}].name", f"its arrays' name {name!r} is also layers[{taken[name]}]'s")
        taken[name] = i
    states = {arrays[key][1]: found for key, found in scalars.items() if key in arrays}
    c.choice(header["loss"], set(LOSSES), "loss")
    opt = header.get("optimizer")
    if opt is not None:
        c.type(opt, dict, "optimizer", "an object or null")
        name = c.choice(opt.get("name"), _optimizer_names(), "optimizer.name")
        c.keys(opt, "optimizer", optimizer_fields(name) | {"name"}, ("alpha",))
        c.number(opt["alpha"], "optimizer.alpha", 0, open_lo=True)
        for k, v in opt.items():
            if k in ("name", "alpha"):
                continue
            if k == "eps":
                c.number(v, f"optimizer.{k}", 0, open_lo=True)
            elif k.startswith("beta"):
                c.number(v, f"optimizer.{k}", 0, 1, open_hi=True)
            elif k == "n":  # the training-set size L2 weight decay divides by
                if v is not None:
                    c.int(v, f"optimizer.{k}", 1, 2**62)
            else:  # l2 and settings other optimizers may add: finite numbers >= 0
                c.number(v, f"optimizer.{k}", 0)
    check_generator_state(c, header["rng"], "rng")
    info = header.get("info", {})
    c.type(info, dict, "info", "an object")
    for k, kind in INFO_FIELDS.items():
        if k in info and (info[k] is not None or kind in ("count", "positive_int")):
            _check_info(c, info[k], f"info.{k}", kind)
    return {"states": states, "arrays": arrays}


def _check_info(c, v, field, kind):
    if kind == "count":
        c.int(v, field, 0, 2**62)
    elif kind == "positive_int":
        c.int(v, field, 1, 2**62)
    elif kind == "positive":
        c.number(v, field, 0, open_lo=True)
    elif kind == "optimizer":
        c.choice(v, _optimizer_names(), field)
    elif kind == "fraction_or_none":
        c.number(v, field, 0, 1)
    elif kind in ("str", "str_or_none"):
        c.type(v, str, field, "a string")
    elif kind == "str_list":
        c.type(v, list, field, "a list of strings")
        for j, x in enumerate(v):
            c.type(x, str, f"{field}[{j}]", "a string")


STATE_WORD = re.compile(r"\w+\Z")


def array_names(layer_names, version=FORMAT_VERSION):
    """The names ``weights.npz`` gives a network's parameters: ``{(i, "weights" | "bias"): (name, state prefix)}``.

    Format 2 names them as figures and tables do: the weights layer i owns (to layer i + 1) by
    their connection, ``'input->hidden'``, and a bias by its layer, ``'hidden.bias'``; an optimizer
    state array adds ``.<state>`` (``'input->hidden.m'``, ``'hidden.bias.velocity'``).  Format 1
    named them by index: ``'0.weights'``, ``'1.bias'``, ``'0.weight_state.m'``.
    """
    names = {}
    for i, name in enumerate(layer_names):
        if version == 1:
            names[i, "weights"] = (f"{i}.weights", f"{i}.weight_state")
            names[i, "bias"] = (f"{i}.bias", f"{i}.bias_state")
        else:
            if i + 1 < len(layer_names):
                names[i, "weights"] = (f"{name}->{layer_names[i + 1]}",) * 2
            names[i, "bias"] = (f"{name}.bias",) * 2
    return names


def _npy_header(zf, info):
    """``(shape, dtype)`` of one ``.npy`` member, from its header alone."""
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"npy format version {version}")
    return tuple(shape), np.dtype(dtype)


def npz_bound(expected):
    """The most bytes a ``weights.npz`` holding ``expected`` (name -> (shape, dtype)) can take: every array with
    two optimizer state arrays beside it (Adam's m and v), and room for the archive's headers and names."""
    data = sum(math.prod(shape) * np.dtype(dtype).itemsize for shape, dtype in expected.values())
    return 3 * data + 3 * len(expected) * (1024 + 4 * MAX_LAYER_NAME) + 65536


def read_arrays(npz_path, expected, states, prefixes):
    """Every array of ``weights.npz``, checked: ``expected`` maps a name to ``(shape, dtype)``; optimizer
    state arrays, ``<prefix>.<state>`` with ``prefixes`` mapping a state prefix to its parameter's name,
    take their parameter's shape and dtype, and with the scalars ``states`` lists by prefix
    (``check_header``) must make some optimizer's state.  Names, dtypes and shapes are checked from the
    headers before any data is read, then the values."""
    c = _Checker(npz_path)
    f = open_regular(npz_path, npz_bound(expected), "the weights network.json describes")
    try:
        check_zip_end(f, npz_path)
        zf = zipfile.ZipFile(f)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as e:
        f.close()
        if isinstance(e, ValueError) and str(e).startswith(str(npz_path)):
            raise
        raise ValueError(f"{npz_path}: cannot read the saved weights ({type(e).__name__}: {e})") from None
    with f, zf:
        members = {}
        try:
            for info in zf.infolist():
                name = info.filename.removesuffix(".npy")
                if name in members:
                    c.fail(name, "stored twice")
                members[name] = (info, *_npy_header(zf, info))
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, SyntaxError, TypeError,
                NotImplementedError, RuntimeError) as e:
            raise ValueError(f"{npz_path}: cannot read the saved weights ({type(e).__name__}: {e})") from None
        want = dict(expected)
        seen_states = {}
        for name in members:
            if name in expected:
                continue
            # a state array: its parameter's prefix, a dot, a word (the longest prefix, should names nest)
            owners = [p for p in prefixes if name.startswith(p + ".") and STATE_WORD.match(name[len(p) + 1:])]
            if not owners:
                c.fail(name, "an array this network does not have (unknown name)")
            prefix = max(owners, key=len)
            want[name] = expected[prefixes[prefix]]
            seen_states.setdefault(prefix, set()).add(name[len(prefix) + 1:])
        for prefix in set(seen_states) | set(states):
            arrays, scalars = seen_states.get(prefix, set()), states.get(prefix, set())
            known = state_sets()
            if (arrays or scalars) and (arrays, scalars) not in known.values():
                which = "; ".join(f"{n}: {', '.join(sorted(a | s))}" for n, (a, s) in known.items() if a | s)
                c.fail(prefix, f"optimizer state with arrays {sorted(arrays)} and scalars {sorted(scalars)} is "
                               f"no optimizer's ({which})")
        missing = sorted(set(expected) - set(members))
        if missing:
            c.fail(missing[0], "missing: the saved network needs it")
        total = 0
        for name, (info, shape, dtype) in members.items():
            shape_want, dtype_want = want[name]
            if dtype.kind != "f" or dtype != dtype_want:
                c.fail(name, f"dtype {dtype} (kind {dtype.kind!r}), expected {dtype_want}", TypeError)
            if shape != tuple(shape_want):
                c.fail(name, f"shape {shape}, expected {tuple(shape_want)}")
            nbytes = math.prod(shape) * dtype.itemsize
            if nbytes > info.file_size:
                c.fail(name, f"{shape} {dtype} is {nbytes:,} bytes, but the file holds {info.file_size:,}")
            total += nbytes
        if total > MAX_ARRAY_BYTES:
            c.fail("weights.npz", f"{total:,} bytes of arrays, more than a save may hold ({MAX_ARRAY_BYTES:,})")
        comment = zf.comment
        arrays = {}
        try:
            for name, (info, _shape, _dtype) in members.items():
                with zf.open(info) as f:
                    arrays[name] = np.lib.format.read_array(f, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
            raise ValueError(f"{npz_path}: {name}: cannot read ({type(e).__name__}: {e})") from None
    for name, a in arrays.items():
        if a.shape != tuple(want[name][0]):
            c.fail(name, f"shape {a.shape}, expected {tuple(want[name][0])}")
        if not np.isfinite(a).all():
            c.fail(name, "holds NaN or infinite values")
    return arrays, comment
