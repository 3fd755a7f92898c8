"""Saving and loading a network: JSON for the structure, ``.npz`` for the arrays, no pickle.

``save_network(folder, network, optimizer, info)`` writes, as one thing (a temporary folder
beside ``folder``, fsynced, swapped in by rename; see ``simnet.saving.files``):

- ``network.json``  format, version, the layers (kind, name, size, activation,
  bias, dtype), the loss, the optimizer and its scalar state, the network's
  random generator state and whatever ``info`` the caller adds (epochs run...);
- ``weights.npz``   the weights by connection (``'input->hidden'``), the biases by layer
  (``'hidden.bias'``) and their optimizer state (``'input->hidden.m'``; ``schema.array_names``;
  saves of format 1 named them by index, ``'0.weights'``, and still load);
- ``history.npz``   every recorded history (see ``simnet.history``).

``load_network(folder)`` rebuilds the same network: predictions are bit for bit
the same, and training continued from a loaded network follows the same path as
training that was never interrupted (the optimizer's moments and step count, and
the shuffling generator, are restored).
"""
import json
import os
import secrets
import time
import zipfile

import numpy as np

from ..activations import Activation
from ..history import Monitor, load_histories, save_histories
from ..network import Network
from ..optimizers import Optimizer
from . import schema
from .files import find_folder, replace_folder, write_file
from .schema import FORMAT, FORMAT_VERSION, LAYER_KINDS


def _put(arrays, name, a):
    """``arrays[name] = a``, refusing a name given twice (layer names such as 'a->b' and 'a' can make one)."""
    if name in arrays:
        raise ValueError(f"save_network: two arrays would be named {name!r} in weights.npz; rename a layer")
    arrays[name] = a


def _state_arrays(state, prefix, arrays):
    """Split an optimizer state dict into arrays (into ``arrays``, as ``<prefix>.<state>``) and JSON
    scalars (returned)."""
    scalars = {}
    for k, v in state.items():
        if isinstance(v, np.ndarray):
            _put(arrays, f"{prefix}.{k}", v)
        else:
            scalars[k] = v
    return scalars


def _check_savable(network):
    """Refuse, before anything is written, what the format cannot hold yet (rather than lose it on the way)."""
    for layer in network.layers:
        kind = type(layer).__name__
        if kind not in LAYER_KINDS:
            what = getattr(layer, "kind", kind)
            article = "an" if what[:1].lower() in "aeiou" else "a"
            raise ValueError(f"save_network: layer {layer.name!r} is {article} {what} layer ({kind}), "
                             f"which the save format does not hold yet (its own weights would be lost); "
                             f"the kinds it holds: {', '.join(sorted(LAYER_KINDS))}")
        act = layer.activation
        if getattr(act, "derivative_rule", "output > 0") != "output > 0" or not getattr(act, "subtract_max", True):
            raise ValueError(f"save_network: layer {layer.name!r} has activation {act!r}, a named choice "
                             f"(Grokking Deep Learning's code) that the save format does not record yet")
    loss = network.output.loss
    if getattr(loss, "divide_by", "batch") != "batch":
        raise ValueError(f"save_network: the loss {loss!r} divides the delta by {loss.divide_by}, a named choice "
                         f"that the save format does not record yet")


def save_network(folder, network, optimizer=None, info=None, history=True):
    """Write ``network`` (and its optimizer's state) to ``folder``; returns the paths written (``SavedPaths``).

    Everything is checked and encoded before the first file is written, so a bad argument
    (say, an ``info`` that JSON cannot hold) leaves a previous save in ``folder`` intact.
    The save is one thing: the files are written to a temporary folder beside ``folder``
    that replaces it by rename (``simnet.saving.files.replace_folder``), so ``folder`` always
    holds one complete save.  A network whose arrays are not all finite (it diverged) is
    written to ``folder + ".diverged"`` instead, never over ``folder``.
    """
    if not isinstance(network, Network):
        raise TypeError(f"save_network: network must be a Network, got {type(network).__name__}")
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(f"save_network: optimizer must be an Optimizer (SGD, Momentum, Adam) or None, "
                        f"got {type(optimizer).__name__}")
    if info is not None and not isinstance(info, dict):
        raise TypeError(f"save_network: info must be a dict or None, got {type(info).__name__}")
    _check_savable(network)
    arrays, layers = {}, []
    names = schema.array_names([layer.name for layer in network.layers])  # 'input->hidden', 'hidden.bias'
    for i, layer in enumerate(network.layers):
        spec = {"kind": type(layer).__name__, **layer.config(), "activation": layer.activation.config()}
        if layer.weight_row_mat is not None:
            name, prefix = names[i, "weights"]
            _put(arrays, name, layer.weight_row_mat)
            spec["weight_state"] = _state_arrays(layer.weight_state, prefix, arrays)
        if layer.bias is not None:
            name, prefix = names[i, "bias"]
            _put(arrays, name, layer.bias)
            spec["bias_state"] = _state_arrays(layer.bias_state, prefix, arrays)
        layers.append(spec)
    save_id = secrets.token_hex(8)  # one id per save, in each of its files: a load never returns a mix
    header = {"format": FORMAT, "version": FORMAT_VERSION, "save_id": save_id, "layers": layers,
              "loss": network.output.loss.name, "optimizer": None if optimizer is None else optimizer.config(),
              "rng": network.rng.bit_generator.state, "info": info or {}}
    text = json.dumps(header, indent=1, default=_json_default)  # fails here, before any file is written
    # plain JSON types from here on (numpy scalars converted), so save_histories cannot fail on them
    history_info = json.loads(json.dumps({"network": network.structure(), **(info or {}), SAVE_ID: save_id},
                                         default=_json_default))
    diverged = [name for name, a in arrays.items() if not np.isfinite(a).all()]
    target = os.path.abspath(os.fspath(folder)).rstrip(os.sep)
    if diverged:  # never over a good save: beside it, named as such
        target += DIVERGED_SUFFIX
    names = ["weights.npz", "network.json"] + (["history.npz"] if history else [])

    def write(tmp):
        write_file(os.path.join(tmp, "weights.npz"), lambda f: write_npz(f, arrays, _comment(save_id)))
        write_file(os.path.join(tmp, "network.json"), lambda f: f.write(text.encode("utf-8")))
        if history:
            save_histories(os.path.join(tmp, "history.npz"), network.all_histories(), history_info)

    replace_folder(target, write, allowed=SAVE_FOLDER_FILES, marker="network.json")
    return SavedPaths([os.path.join(target, n) for n in names], target, diverged)


SAVE_ID = "save_id"  # network.json's field, history.npz's info key; weights.npz's zip comment: "simnet-save <id>"
LOAD_TRIES = 5  # a load that finds files of two saves (another process saved meanwhile) reads them again


def _comment(save_id):
    return f"simnet-save {save_id}".encode("ascii")


def write_npz(f, arrays, comment=b""):
    """``np.savez(f, **arrays)`` with a zip comment (the save's id): one ``.npy`` member per array."""
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, a in arrays.items():
            with zf.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(a), allow_pickle=False)
        zf.comment = comment


DIVERGED_SUFFIX = ".diverged"
SAVE_FILES = ("weights.npz", "network.json", "history.npz")
SAVE_FOLDER_FILES = SAVE_FILES + ("figures.npz", "states.npz", "run.json")  # (the last two: simnet fork)
"""What a save folder may hold, and a new save replaces: the save's files, and the figure data the image
scenarios write beside its history (``simnet.plots.redraw``) once the save is written."""


class SavedPaths(list):
    """The paths ``save_network`` wrote; ``folder`` is where, ``diverged`` names the arrays that were not
    finite (then ``folder`` is the target with ``.diverged`` added, and the target is left as it was)."""

    def __init__(self, paths, folder, diverged):
        super().__init__(paths)
        self.folder = folder
        self.diverged = diverged

    def describe(self, what="the network and its history"):
        """One line for a scenario to print."""
        if self.diverged:
            return (f"the network diverged ({len(self.diverged)} arrays not finite, e.g. {self.diverged[0]}): "
                    f"saved {what} beside the target, to {self.folder}/; the target was left as it was")
        return f"saved {what} to {self.folder}/"


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    raise TypeError(f"save_network: info holds a {type(o).__name__}, which cannot be written to JSON")


def load_network(folder):
    """Read a folder written by ``save_network``: returns ``(network, optimizer, info)``.

    A missing folder or file is a ``FileNotFoundError``; a truncated, corrupted, foreign or
    inconsistent one a ``ValueError`` (a ``TypeError`` for a field of the wrong type) naming
    the file and the field.  Everything is checked before anything is built: the JSON against
    its schema (``simnet.saving.schema``), every array's name, dtype and shape from the ``.npz``
    headers before its data is read, then its values; no weights are drawn.  A save cut
    between its two renames (``simnet.saving.files``) is read from the complete folder it left.
    """

    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"load_network: folder must be a str or os.PathLike, got {type(folder).__name__}")
    for attempt in range(LOAD_TRIES):
        try:
            return _load(folder)
        except _Mixed as e:  # another process replaced the save between two of its files: read it again
            mixed = e
            if not _moved(folder) and attempt >= 1:  # nothing is changing: the folder holds two saves' files
                raise ValueError(f"{e}: the folder holds files of two different saves") from None
            time.sleep(0.01 * (attempt + 1))
        except (FileNotFoundError, ValueError):
            if attempt + 1 < LOAD_TRIES and _moved(folder):  # a file went with a swap mid-read
                continue
            raise
    raise ValueError(f"{mixed}; the folder kept changing while it was read ({LOAD_TRIES} tries): is another "
                     f"process saving there?")


class _Mixed(Exception):
    pass


def _moved(folder):
    """Whether a save of ``folder`` is under way or just swapped (its temporary or old folders exist)."""
    import glob

    base = os.path.abspath(os.fspath(folder)).rstrip(os.sep)
    return bool(glob.glob(glob.escape(base) + ".tmp-*") or glob.glob(glob.escape(base) + ".old-*"))


def _load(folder):
    where = find_folder(folder, "network.json")
    json_path, npz_path = os.path.join(where, "network.json"), os.path.join(where, "weights.npz")
    if not os.path.exists(json_path):
        what = "is not a folder" if os.path.exists(folder) and not os.path.isdir(folder) else \
            "no saved network here (missing network.json)"
        raise FileNotFoundError(f"{folder}: {what}")
    header = schema.read_json(json_path)
    plan = schema.check_header(header, json_path)
    if not os.path.exists(npz_path):
        raise FileNotFoundError(f"{folder}: missing weights.npz beside network.json")
    try:
        network, comment = _build(header, plan, npz_path)
    except MemoryError:
        raise ValueError(f"{json_path}: the saved network does not fit in memory") from None
    save_id = header.get(SAVE_ID)
    if save_id is not None and comment.startswith(b"simnet-save ") and comment != _comment(save_id):
        other = comment.decode("ascii", "replace").split()[-1]
        raise _Mixed(f"{npz_path}: not of the same save as network.json (saves {other} and {save_id})")
    hist_path = os.path.join(where, "history.npz")
    if os.path.exists(hist_path):
        try:
            histories, hist_info = load_histories(hist_path)
        except (MemoryError, RecursionError, OverflowError) as e:
            raise ValueError(f"{hist_path}: cannot read simnet history ({type(e).__name__})") from None
        other = hist_info.get(SAVE_ID) if isinstance(hist_info, dict) else None
        if save_id is not None and other is not None and other != save_id:  # (one without an id: not a save's)
            raise _Mixed(f"{hist_path}: not of the same save as network.json (saves {other} and {save_id})")
        resume_histories(network, histories, hist_path)
    saved = header.get("optimizer")
    return network, None if saved is None else Optimizer.from_config(saved), header.get("info", {})


def resume_histories(network, histories, path):
    """Give ``network`` back every history of a saved run: the layers' monitors continue where they stopped.

    Run-level histories (errors, epoch curves) go to ``network.histories``; a monitor's
    history (its ``about`` names the layer) is attached to that layer again.
    """
    monitors = []
    for key, h in histories.items():
        layer_name = h.about.get("layer")
        if layer_name is None:
            continue
        try:
            layer = network.layer(layer_name)
            monitors.append((layer, key.split("/", 1)[1], Monitor.resume(layer, h)))
        except (KeyError, ValueError, IndexError, TypeError) as e:
            raise ValueError(f"{path}: history {key!r} does not fit the saved network ({e})") from None
    for layer, key, m in monitors:  # all checked: attach them
        layer._attach(key, m)
    network.histories.update({k: h for k, h in histories.items() if h.about.get("layer") is None})


def _build(header, plan, npz_path):
    """The network of a checked ``header``: layers built unlinked, the arrays checked against the
    shapes the links take (from the .npz headers, then the values), then linked with the saved weights."""

    json_path = os.path.join(os.path.dirname(npz_path), "network.json")
    specs = header["layers"]
    layers = []
    for i, spec in enumerate(specs):
        spec = dict(spec)
        kind = LAYER_KINDS[spec.pop("kind")]
        spec.pop("weight_state", None), spec.pop("bias_state", None)
        try:
            spec["activation"] = Activation.from_config(spec["activation"])
            layer = kind.from_config(spec, target=None)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{json_path}: layers[{i}]: {e}") from None
        if layer.num_neurons > schema.MAX_NEURONS:
            raise ValueError(f"{json_path}: layers[{i}] ({layer.name!r}) has {layer.num_neurons:,} neurons, more "
                             f"than the {schema.MAX_NEURONS:,} a saved layer may have")
        layers.append(layer)
    names = plan["arrays"]  # (i, "weights" | "bias") -> (name in weights.npz, its state's prefix)
    expected, prefixes = {}, {}
    for i, (source, target) in enumerate(zip(layers, layers[1:])):
        try:
            shape = target._connection_shape(source)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{json_path}: layers[{i}] -> layers[{i + 1}]: {e}") from None
        if shape is not None:
            name, prefix = names[i, "weights"]
            expected[name], prefixes[prefix] = (tuple(shape), source.dtype), name
    for i, layer in enumerate(layers):
        if layer.bias is not None:
            name, prefix = names[i, "bias"]
            expected[name], prefixes[prefix] = (layer.bias.shape, layer.dtype), name
    arrays, comment = schema.read_arrays(npz_path, expected, plan["states"], prefixes)
    for i, (source, target) in enumerate(zip(layers, layers[1:])):
        source.connect(target, weights=arrays.get(names[i, "weights"][0]))  # None: a link without weights
    for i, (layer, spec) in enumerate(zip(layers, specs)):
        if layer.weight_row_mat is not None:
            layer.weight_state = _restore_state(arrays, names[i, "weights"][1], spec.get("weight_state", {}))
        if layer.bias is not None:
            layer.bias[...] = arrays[names[i, "bias"][0]]
            layer.bias_state = _restore_state(arrays, names[i, "bias"][1], spec.get("bias_state", {}))
    rng = np.random.default_rng()
    rng.bit_generator.state = header["rng"]
    return Network(layers, loss=header["loss"], rng=rng), comment


def _restore_state(arrays, prefix, scalars):
    state = dict(scalars)
    for key, value in arrays.items():
        if key.startswith(prefix + ".") and schema.STATE_WORD.match(key[len(prefix) + 1:]):
            state[key[len(prefix) + 1:]] = value.copy()
    return state
