"""Start a network from given weights: a ``.npz`` or JSON file with one array per connection.

The file holds one array per connection that has weights and one per layer that has a
bias, under these names (the *key scheme*)::

    "<source>→<target>"    the weights the layer <source> owns to feed <target>, in row form:
                           shape (n_source, n_target), row i = what source neuron i sends
                           (exactly ``network.layer("<source>").weight_row_mat``); the name is
                           ``connection_name``'s, which figures and tables use too, and
                           ``"<source>-><target>"`` (ASCII) is the same key
    "<layer>.bias"         the bias of <layer>, shape (n_layer,) (``layer.bias``)

For example, the streetlights network 3-4-1 takes ``{"input->hidden": 3x4, "hidden->output":
4x1}``, and ``scenarios/mnist.py`` 784-128-10 with biases takes ``"input->hidden"`` (784x128),
``"hidden->output"`` (128x10), ``"hidden.bias"`` (128) and ``"output.bias"`` (10).  For a
convolution, ``"<source>-><conv>"`` is its im2col matrix ``(C_in * kh * kw, filters)`` (see
``simnet.maps``).  ``expected_arrays(network)`` lists the names and shapes a network takes;
``weight_arrays(network)`` and ``save_weights(path, network)`` write a network's own weights
in this scheme, so another run can start where this one is.

JSON: one object whose values are (nested lists of) numbers, e.g.
``{"input->hidden": [[0.1, -0.2, 0.3, 0.4], ...], "hidden->output": [[1.0], ...]}``.
Note that Nielsen's ``network2.py`` saves ``weights[l]`` as (n_target, n_source): transpose
it for the row form here.

``load_weights(path)`` reads and checks a file; ``apply_weights(network, arrays, where)``
checks every name (no unknown, none missing), shape, number type and finiteness against the
network and only then assigns them all, so a bad file changes nothing.  Every problem is a
``ValueError`` (or ``OSError`` for an unreadable file) whose message starts with the file and
names the key.  ``init_from_file(network, path)`` does both.

The same thing in Python, one connection at a time::

    network.layer("input").weight_row_mat = w   # (3, 4): checked, copied in place
    network.layer("hidden").bias[...] = b
"""
import json
import math
import os
import zipfile

import numpy as np

from ..checks import as_numbers, check_finite
from ..layer import connection_name
from .files import check_zip_end, open_regular, write_file
from .schema import JSONConstant, no_constant

EXTENSIONS = (".npz", ".json")
MAX_FILE_BYTES = 16 * 2**30  # an initial-weights file read without a network to bound it
ASCII_ARROW = "->"  # typed by hand, "input->hidden" names the connection "input→hidden"


def canonical(name):
    """A key as ``expected_arrays`` names it: ``"a->b"`` is ``"a→b"``."""
    return name.replace(ASCII_ARROW, "→") if isinstance(name, str) else name


def expected_arrays(network):
    """``{name: shape}`` of every array an initial-weights file for ``network`` must hold."""
    expected = {}
    for layer in network.layers:
        if layer.weight_row_mat is not None:
            expected[connection_name(layer, layer.target)] = layer.weight_row_mat.shape
        if layer.bias is not None:
            expected[f"{layer.name}.bias"] = layer.bias.shape
    return expected


def weight_arrays(network):
    """``{name: copy}`` of ``network``'s weights and biases, named by the key scheme (``"input→hidden"``)."""
    arrays = {}
    for layer in network.layers:
        if layer.weight_row_mat is not None:
            arrays[connection_name(layer, layer.target)] = layer.weight_row_mat.copy()
        if layer.bias is not None:
            arrays[f"{layer.name}.bias"] = layer.bias.copy()
    return arrays


def save_weights(path, network):
    """Write ``network``'s weights and biases to ``path`` (``.npz``, or ``.json`` as nested lists).

    Keys use the ASCII arrow (``"input->hidden"``), the same key when read back, easy to type.  The file is
    written whole (``simnet.saving.files.write_file``): an existing one stays as it was if the write fails."""
    path = os.fspath(path)
    ext = _extension(path)
    arrays = {k.replace("→", ASCII_ARROW): v for k, v in weight_arrays(network).items()}
    if ext == ".npz":
        write_file(path, lambda f: np.savez(f, **arrays))
    else:
        text = json.dumps({k: v.tolist() for k, v in arrays.items()}).encode("utf-8")
        write_file(path, lambda f: f.write(text))
    return path


def _extension(path):
    ext = os.path.splitext(path)[1].lower()
    if ext not in EXTENSIONS:
        raise ValueError(f"{path}: initial weights must be a .npz or .json file, got {ext or 'no extension'!r}")
    return ext


def load_weights(path, limit=MAX_FILE_BYTES):
    """The arrays of an initial-weights file, ``{name: array}``, each checked to be numbers.

    The file must be a regular file (a FIFO, a device or a folder is refused at once) of at most ``limit``
    bytes (``init_from_file`` derives it from the network's shapes).  Raises ``FileNotFoundError`` if it is
    missing and ``ValueError`` (starting with the path) if it cannot be read or is not a .npz or JSON file
    of named numeric arrays.
    """
    path = os.fspath(path)
    ext = _extension(path)
    with open_regular(path, limit, "initial weights for this network") as f:
        if ext == ".npz":
            try:
                check_zip_end(f, path)
                with np.load(f, allow_pickle=False) as z:
                    arrays = {name: z[name] for name in z.files}
            except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
                reason = str(e).removeprefix(f"{path}: ")
                raise ValueError(f"{path}: not a readable .npz file of arrays ({reason})") from None
        else:
            try:
                data = json.loads(f.read().decode("utf-8"), parse_constant=no_constant)
            except UnicodeDecodeError as e:
                raise ValueError(f"{path}: not a UTF-8 text file ({e.reason})") from None
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}: not valid JSON (line {e.lineno} column {e.colno}: {e.msg})") from None
            except JSONConstant as e:
                raise ValueError(f"{path}: {e.name} is not a number JSON allows; write finite numbers") from None
            except RecursionError:
                raise ValueError(f"{path}: not valid JSON (nested too deeply)") from None
            if not isinstance(data, dict):
                raise ValueError(f"{path}: the JSON must be one object mapping names to arrays, "
                                 f"got {type(data).__name__}")
            arrays = {}
            for name, value in data.items():
                try:
                    arrays[name] = np.asarray(value)
                except ValueError:
                    raise ValueError(f"{path}: key {name!r} is not a rectangular array of numbers") from None
    if not arrays:
        raise ValueError(f"{path}: holds no arrays")
    for name, a in arrays.items():
        if a.dtype.kind not in "iuf":
            kind = "strings" if a.dtype.kind in "US" else "True/False" if a.dtype.kind == "b" else \
                "not a rectangular array of numbers" if a.dtype.kind == "O" else str(a.dtype)
            raise ValueError(f"{path}: key {name!r} must hold numbers (int or float), got {kind}")
    return arrays


def apply_weights(network, arrays, where="initial weights"):
    """Set ``network``'s weights and biases from ``{name: array}`` after checking all of them.

    Every name must be one ``expected_arrays(network)`` lists, and every one it lists must be
    there; each array must have its shape, be numbers and be finite (and fit the layer's dtype).
    Nothing changes unless all of it is valid.  ``where`` (the file) starts every message.
    """
    expected = expected_arrays(network)
    given, written = {}, {}  # by canonical name; and each as the file wrote it, for the messages
    for k, v in arrays.items():
        key = canonical(k)
        if key in given:
            raise ValueError(f"{where}: keys {written[key]!r} and {k!r} both give {key!r}")
        given[key], written[key] = v, k
    arrays = given
    unknown = [k for k in arrays if k not in expected]
    if unknown:
        raise ValueError(f"{where}: unknown key {written[unknown[0]]!r}; this network takes "
                         f"{', '.join(repr(k) for k in expected)}")
    missing = [k for k in expected if k not in arrays]
    if missing:
        raise ValueError(f"{where}: missing key {missing[0]!r} (shape {expected[missing[0]]}); "
                         f"a file must give every array of the network: {', '.join(repr(k) for k in expected)}")
    ready = {}
    owners = {}
    for layer in network.layers:
        if layer.weight_row_mat is not None:
            owners[connection_name(layer, layer.target)] = (layer, "weights")
        if layer.bias is not None:
            owners[f"{layer.name}.bias"] = (layer, "bias")
    for name, shape in expected.items():
        layer, what = owners[name]
        a = np.asarray(arrays[name])
        if a.dtype.kind not in "iuf":
            raise ValueError(f"{where}: key {written[name]!r} must hold numbers (int or float), got {a.dtype}")
        if a.shape != shape:
            hint = " (transposed? weights are in row form: (source neurons, target neurons))" \
                if what == "weights" and a.shape == shape[::-1] else ""
            raise ValueError(f"{where}: key {written[name]!r} has shape {a.shape}, but layer {layer.name!r} takes "
                             f"{shape}{hint}")
        try:
            a = as_numbers(a, layer.dtype, f"{where}: key {written[name]!r}")
            check_finite(a, f"{where}: key {written[name]!r}")
        except TypeError as e:
            raise ValueError(str(e)) from None
        ready[name] = (layer, what, a)
    for layer, what, a in ready.values():  # all valid: now change the network
        if what == "weights":
            layer.weight_row_mat[...] = a
        else:
            layer.bias[...] = a
    return sorted(ready)


def file_bound(network):
    """The most bytes an initial-weights file for ``network`` can take: its numbers as JSON text (at most
    about 32 characters each) or as float64 in an .npz, with room for names and headers."""
    numbers = sum(math.prod(shape) for shape in expected_arrays(network).values())
    return 32 * numbers + 4096 * len(expected_arrays(network)) + 65536


def init_from_file(network, path):
    """``apply_weights(network, load_weights(path), path)``: start ``network`` from the file's weights."""
    return apply_weights(network, load_weights(path, file_bound(network)), os.fspath(path))


def describe(network):
    """One line per array a file for ``network`` takes: ``name  shape``."""
    return "\n".join(f"{name}  {tuple(shape)}" for name, shape in expected_arrays(network).items())


__all__ = [
    "apply_weights",
    "describe",
    "expected_arrays",
    "init_from_file",
    "load_weights",
    "save_weights",
    "weight_arrays",
]
