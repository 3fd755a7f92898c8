"""Saving and loading a network: JSON for the structure, ``.npz`` for the arrays, no pickle.

``save_network(folder, network, optimizer, info)`` writes, each atomically
(a temporary file, then a rename):

- ``network.json``  format, version, the layers (kind, name, size, activation,
  bias, dtype), the loss, the optimizer and its scalar state, the network's
  random generator state and whatever ``info`` the caller adds (epochs run...);
- ``weights.npz``   every layer's weights, bias and optimizer state arrays;
- ``history.npz``   every recorded history (see ``simnet.history``).

``load_network(folder)`` rebuilds the same network: predictions are bit for bit
the same, and training continued from a loaded network follows the same path as
training that was never interrupted (the optimizer's moments and step count, and
the shuffling generator, are restored).
"""
import json
import os
import tempfile
import zipfile

import numpy as np

from .activations import LeakyReLU, get_activation
from .history import Monitor, _atomic_savez, load_histories, save_histories
from .maps import MAP_LAYER_KINDS
from .layer import SimpleLayer
from .network import Network
from .optimizers import OPTIMIZERS, Adam, Momentum, Optimizer

FORMAT = "simnet-network"
FORMAT_VERSION = 1
LAYER_KINDS = {"SimpleLayer": SimpleLayer, **MAP_LAYER_KINDS}  # other layer kinds register here


def activation_config(act):
    cfg = {"name": act.name}
    if isinstance(act, LeakyReLU):
        cfg["slope"] = act.slope
    return cfg


def activation_from_config(cfg):
    if cfg["name"] == "leaky_relu":
        return LeakyReLU(cfg.get("slope", 0.01))
    return get_activation(cfg["name"])


def optimizer_config(opt):
    if opt is None:
        return None
    cfg = {"name": opt.name, "alpha": opt.alpha}
    if isinstance(opt, Momentum):
        cfg["beta"] = opt.beta
    if isinstance(opt, Adam):
        cfg.update(beta1=opt.beta1, beta2=opt.beta2, eps=opt.eps)
    return cfg


def optimizer_from_config(cfg):
    if cfg is None:
        return None
    cfg = dict(cfg)
    return OPTIMIZERS[cfg.pop("name")](**cfg)


def _atomic_write_text(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _state_arrays(state, prefix, arrays):
    """Split an optimizer state dict into arrays (into ``arrays``) and JSON scalars (returned)."""
    scalars = {}
    for k, v in state.items():
        if isinstance(v, np.ndarray):
            arrays[f"{prefix}.{k}"] = v
        else:
            scalars[k] = v
    return scalars


def save_network(folder, network, optimizer=None, info=None, history=True):
    """Write ``network`` (and its optimizer's state) to ``folder``; returns the paths written.

    Everything is checked and encoded before the first file is written, so a bad argument
    (say, an ``info`` that JSON cannot hold) leaves a previous save in ``folder`` intact.
    """
    if not isinstance(network, Network):
        raise TypeError(f"save_network: network must be a Network, got {type(network).__name__}")
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(f"save_network: optimizer must be an Optimizer (SGD, Momentum, Adam) or None, "
                        f"got {type(optimizer).__name__}")
    if info is not None and not isinstance(info, dict):
        raise TypeError(f"save_network: info must be a dict or None, got {type(info).__name__}")
    arrays, layers = {}, []
    for i, layer in enumerate(network.layers):
        spec = {"kind": type(layer).__name__, **layer.config(), "activation": activation_config(layer.activation)}
        if layer.weight_row_mat is not None:
            arrays[f"{i}.weights"] = layer.weight_row_mat
            spec["weight_state"] = _state_arrays(layer.weight_state, f"{i}.weight_state", arrays)
        if layer.bias is not None:
            arrays[f"{i}.bias"] = layer.bias
            spec["bias_state"] = _state_arrays(layer.bias_state, f"{i}.bias_state", arrays)
        layers.append(spec)
    header = {"format": FORMAT, "version": FORMAT_VERSION, "layers": layers,
              "loss": network.output.loss.name, "optimizer": optimizer_config(optimizer),
              "rng": network.rng.bit_generator.state, "info": info or {}}
    text = json.dumps(header, indent=1, default=_json_default)  # fails here, before any file is written
    # plain JSON types from here on (numpy scalars converted), so save_histories cannot fail on them
    history_info = json.loads(json.dumps({"network": network.structure(), **(info or {})}, default=_json_default))
    os.makedirs(folder, exist_ok=True)
    paths = [os.path.join(folder, "weights.npz"), os.path.join(folder, "network.json")]
    _atomic_savez(paths[0], arrays)
    _atomic_write_text(paths[1], text)
    if history:
        paths.append(os.path.join(folder, "history.npz"))
        save_histories(paths[2], network.all_histories(), history_info)
    return paths


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    raise TypeError(f"save_network: info holds a {type(o).__name__}, which cannot be written to JSON")


def load_network(folder):
    """Read a folder written by ``save_network``: returns ``(network, optimizer, info)``.

    A missing folder or file is a ``FileNotFoundError``; a truncated, corrupted, foreign or
    inconsistent one a ``ValueError`` naming the file.
    """
    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"load_network: folder must be a str or os.PathLike, got {type(folder).__name__}")
    json_path, npz_path = os.path.join(folder, "network.json"), os.path.join(folder, "weights.npz")
    try:
        with open(json_path) as f:
            header = json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(f"{folder}: no saved network here (missing network.json)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{json_path}: not a valid simnet network file ({e})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{json_path}: not a simnet network file")
    if header.get("version", 0) > FORMAT_VERSION:
        raise ValueError(f"{json_path}: network format version {header['version']} is newer than this simnet "
                         f"reads ({FORMAT_VERSION}); upgrade simnet")
    try:
        with np.load(npz_path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except FileNotFoundError:
        raise FileNotFoundError(f"{folder}: missing weights.npz beside network.json") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise ValueError(f"{npz_path}: cannot read the saved weights ({type(e).__name__}: {e})") from None
    try:
        network = _build(header, arrays)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise ValueError(f"{folder}: saved network is incomplete or inconsistent ({type(e).__name__}: {e})") from None
    hist_path = os.path.join(folder, "history.npz")
    if os.path.exists(hist_path):
        resume_histories(network, load_histories(hist_path)[0], hist_path)
    return network, optimizer_from_config(header.get("optimizer")), header.get("info", {})


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


def _build(header, arrays):
    specs = header["layers"]
    layer = None
    built = []
    for i in range(len(specs) - 1, -1, -1):  # output first, as always
        spec = dict(specs[i])
        kind = LAYER_KINDS[spec.pop("kind")]
        spec.pop("weight_state", None), spec.pop("bias_state", None)
        spec["activation"] = activation_from_config(spec["activation"])
        layer = kind.from_config(spec, target=layer)
        built.append(layer)
    layers = built[::-1]
    for i, (layer, spec) in enumerate(zip(layers, specs)):
        if layer.weight_row_mat is not None:
            w = arrays[f"{i}.weights"]
            if w.shape != layer.weight_row_mat.shape:
                raise ValueError(f"layer {layer.name!r}: saved weights have shape {w.shape}, "
                                 f"expected {layer.weight_row_mat.shape}")
            layer.weight_row_mat = w
            layer.weight_state = _restore_state(arrays, f"{i}.weight_state", spec.get("weight_state", {}))
            _check_state(layer, "weight", layer.weight_state, w.shape)
        if layer.bias is not None:
            b = arrays[f"{i}.bias"]
            if b.shape != layer.bias.shape or not np.isfinite(b).all():
                raise ValueError(f"layer {layer.name!r}: saved bias has shape {b.shape}"
                                 + ("" if b.shape != layer.bias.shape else " but is not finite")
                                 + f", expected {layer.bias.shape} finite values")
            layer.bias[...] = b
            layer.bias_state = _restore_state(arrays, f"{i}.bias_state", spec.get("bias_state", {}))
            _check_state(layer, "bias", layer.bias_state, b.shape)
    rng = np.random.default_rng()
    rng.bit_generator.state = header["rng"]
    return Network(layers, loss=header["loss"], rng=rng)


def _check_state(layer, what, state, shape):
    for key, value in state.items():
        if isinstance(value, np.ndarray) and value.shape != shape:
            raise ValueError(f"layer {layer.name!r}: saved optimizer state {what}_state[{key!r}] has shape "
                             f"{value.shape}, expected {shape}")


def _restore_state(arrays, prefix, scalars):
    state = dict(scalars)
    for key, value in arrays.items():
        if key.startswith(prefix + "."):
            state[key[len(prefix) + 1:]] = value.copy()
    return state
