"""What several test modules share: finite differences, state snapshots, the scenario scripts, the data at hand."""
import copy
import functools
import gzip
import importlib.util
import os
import struct
import sys

import numpy as np
import pytest

from simnet.data import DatasetNotFoundError, find_files

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---- finite differences -----------------------------------------------------------------------
def numeric_gradient(error, param, eps=1e-6):
    """``d error() / d param`` by central differences, one entry of ``param`` (changed in place) at a time."""
    g = np.zeros_like(param)
    for idx in np.ndindex(param.shape):
        old = param[idx]
        param[idx] = old + eps
        up = error()
        param[idx] = old - eps
        down = error()
        param[idx] = old
        g[idx] = (up - down) / (2 * eps)
    return g


# ---- a snapshot of everything a call could change ---------------------------------------------
def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return copy.deepcopy(value)


def _history_state(h):
    return {"values": h.values.copy(), "steps": h.steps.copy(), "count": h.count, "stride": h.stride,
            "final": h._has_final}


def snapshot(net, *extra_layers):
    """Every piece of state of ``net``'s layers (and ``extra_layers``), its histories and generators."""
    state = {"layers": [], "histories": {k: _history_state(h) for k, h in net.histories.items()},
             "rng": copy.deepcopy(net.rng.bit_generator.state), "global": np.random.get_state()[1].copy(),
             "loss": repr(net.output.loss)}
    for la in [*net.layers, *extra_layers]:
        state["layers"].append({
            "name": la.name, "source": la.source and la.source.name, "target": la.target and la.target.name,
            "neurons": la.neuron_row_array.copy(), "weights": _copy(la._weights), "delta": _copy(la.delta),
            "bias": _copy(la.bias), "weight_state": _copy(la.weight_state), "bias_state": _copy(la.bias_state),
            "sample_errors": _copy(la.sample_errors), "activation": repr(la.activation),
            "monitors": {k: (m.calls, _history_state(m.history)) for k, m in la.monitors.items()},
            "watch": {k: len(v) for k, v in la._watch.items()}})
    return state


def assert_same(a, b, path="state"):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), f"{path}: keys {sorted(a)} became {sorted(b)}"
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype, path
        assert np.array_equal(a, b, equal_nan=True), f"{path} changed"
    else:
        assert a == b, f"{path}: {a!r} became {b!r}"


# ---- the scenario scripts ---------------------------------------------------------------------
def load_scenario(name):
    """``scenarios/<name>.py`` as a module (its ``main`` and ``parse_args``), loaded from its file once."""
    key = f"scenario_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, os.path.join(ROOT, "scenarios", f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


# ---- which real data sets are on this machine (the tests that need one skip otherwise) ---------
@functools.cache
def have(name, split):
    """True when ``name``'s ``split`` is found locally (nothing is downloaded)."""
    try:
        find_files(name, split, download=False)
    except DatasetNotFoundError:
        return False
    return True


needs_mnist_test = pytest.mark.skipif(not have("mnist", "test"),
                                      reason="MNIST test set not found (see ../shared/datasets/README.md)")
needs_mnist_full = pytest.mark.skipif(not (have("mnist", "train") and have("mnist", "test")),
                                      reason="full MNIST not found (set SIMNET_DATA, see ../shared/datasets/README.md)")


# ---- a tiny image data set, for the default tier's end-to-end runs --------------------------------
def idx_bytes(array, magic=None):
    """``array`` (uint8) as an IDX file: images are 3-D (magic 0x0803), labels 1-D (0x0801)."""
    a = np.asarray(array, dtype=np.uint8)
    magic = (0x0803 if a.ndim == 3 else 0x0801) if magic is None else magic
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in a.shape) + a.tobytes()


def learnable_images(n, seed=0):
    """``n`` 28x28 uint8 images whose label (0..9) is where a bright bar lies, on dim noise."""
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % 10).astype(np.uint8)
    rng.shuffle(labels)
    images = rng.integers(0, 60, (n, 28, 28), dtype=np.uint8)
    for image, label in zip(images, labels):
        row, col = 2 + 5 * (label % 5), 2 + 13 * (label // 5)
        image[row:row + 4, col:col + 11] = 220
    return images, labels


def tiny_image_set(folder, n_train=600, n_test=200, seed=0):
    """Write a learnable MNIST-like data set (both splits, IDX .gz files) into ``folder``; return ``folder``."""
    os.makedirs(folder, exist_ok=True)
    names = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
             "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
    for split, n, s in (("train", n_train, seed), ("test", n_test, seed + 1)):
        images, labels = learnable_images(n, s)
        for name, array in zip(names[split], (images, labels)):
            with open(os.path.join(folder, name), "wb") as f:
                f.write(gzip.compress(idx_bytes(array), mtime=0))
    return folder
