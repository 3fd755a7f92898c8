"""Property-based tests (hypothesis) over layer sizes, depths, batch sizes, activations, losses,
biases and random inputs:

- forward and backward shapes agree, and the forward pass matches a plain numpy reference;
- the weight and bias changes of one backward step match finite differences of the loss;
- no input (NaN, inf, wrong shapes, empty arrays, wrong types) makes a public call fail with
  anything but ValueError or TypeError, and a call that fails changes nothing;
- corrupted or truncated saved files are refused with a ValueError.

Deterministic (``derandomize=True``, no example database) and fast (about 60 examples each).
"""
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from simnet import Network, load_histories
from simnet.data import read_idx
from simnet.saving import load_network, save_network

from helpers import assert_same, numeric_gradient, snapshot

FUZZ = settings(derandomize=True, database=None, max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.function_scoped_fixture])

HIDDEN = ["linear", "relu", "leaky_relu", "sigmoid", "tanh"]
SMOOTH = ["linear", "sigmoid", "tanh"]
OUTPUTS = [("squared_error", "linear"), ("squared_error", "sigmoid"), ("squared_error", "tanh"),
           ("squared_error", "softmax"), ("squared_error", "relu"), ("cross_entropy", "softmax"),
           ("cross_entropy", "sigmoid")]


@st.composite
def networks(draw, max_size=8, hidden=HIDDEN, outputs=OUTPUTS, dtypes=(np.float64, np.float32)):
    """``(network, batch size)``: 2 to 4 layers of 1..max_size neurons, any activations, biases or not."""
    depth = draw(st.integers(2, 4))
    sizes = draw(st.lists(st.integers(1, max_size), min_size=depth, max_size=depth))
    loss, out_act = draw(st.sampled_from(outputs))
    if out_act == "softmax" and loss == "cross_entropy" and sizes[-1] == 1:
        sizes[-1] = 2  # a softmax of one neuron is the constant 1
    acts = [draw(st.sampled_from(hidden)) for _ in range(depth - 2)] + [out_act]
    bias = draw(st.booleans())
    dtype = draw(st.sampled_from(dtypes))
    net = Network.build(sizes, activations=acts, bias=bias, init="glorot", seed=draw(st.integers(0, 2**16)),
                        dtype=dtype, loss=loss)
    if bias:
        rng = np.random.default_rng(draw(st.integers(0, 2**16)))
        for layer in net.layers[1:]:
            layer.bias[:] = rng.normal(scale=0.5, size=layer.num_neurons)
    return net, draw(st.integers(1, 5))


def finite(shape, dtype=np.float64, bound=3.0):
    return hnp.arrays(dtype, shape, elements=st.floats(-bound, bound, allow_nan=False))


@st.composite
def goals_for(draw, net, batch):
    """Goals the output layer's loss accepts: any for squared error, probabilities for cross-entropy."""
    n = net.output.num_neurons
    if net.output.loss.name == "squared_error":
        return draw(finite((batch, n)))
    if net.output.activation.name == "softmax":
        raw = draw(hnp.arrays(np.float64, (batch, n), elements=st.floats(0, 1)))
        raw[:, 0] += 1e-3  # no all-zero row
        return raw / raw.sum(axis=1, keepdims=True)
    return draw(hnp.arrays(np.float64, (batch, n), elements=st.floats(0, 1)))


def reference_forward(net, x):
    """The forward pass in plain numpy, from the layers' weights: (pre-activations, outputs) per layer."""
    zs, a = [], x
    for src, layer in zip(net.layers, net.layers[1:]):
        z = a @ src.weight_row_mat + (layer.bias if layer.bias is not None else 0)
        zs.append(z)
        name = layer.activation.name
        if name == "relu":
            a = np.maximum(z, 0)
        elif name == "leaky_relu":
            a = np.where(z > 0, z, 0.01 * z)
        elif name == "sigmoid":
            a = 1 / (1 + np.exp(-z))
        elif name == "tanh":
            a = np.tanh(z)
        elif name == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            a = e / e.sum(axis=1, keepdims=True)
        else:
            a = z
    return zs, a


# ---- shapes --------------------------------------------------------------------------------------
@FUZZ
@given(data=st.data())
def test_forward_and_backward_shapes_agree(data):
    net, batch = data.draw(networks())
    x = data.draw(finite((batch, net.input.num_neurons)))
    goal = data.draw(goals_for(net, batch))
    out = net.forward(x)
    assert out.shape == (batch, net.output.num_neurons) and out.dtype == net.output.dtype
    tol = 1e-4 if net.output.dtype == np.float32 else 1e-10
    np.testing.assert_allclose(out, reference_forward(net, x.astype(net.output.dtype))[1], rtol=tol, atol=tol)
    np.testing.assert_array_equal(net.predict(x), out)
    shapes = [la.weight_row_mat.shape for la in net.layers[:-1]]
    delta = net.backward(goal, 0.01)
    assert delta.shape == (batch, net.output.num_neurons)
    assert net.output.sample_errors.shape == (batch,) and (net.output.sample_errors >= 0).all()
    for layer in net.layers:
        n = layer.num_neurons
        assert layer.neuron_row_array.shape == (batch, n) and layer.neuron_row_array.dtype == layer.dtype
        assert layer.neuron_col_array.shape == (n, batch)
        assert np.shares_memory(layer.neuron_col_array, layer.neuron_row_array)
        if layer.source is not None:
            assert layer.delta.shape == (batch, n) and layer.delta.dtype == layer.dtype
        else:
            assert layer.delta is None
        if layer.target is not None:
            assert layer.weight_row_mat.shape == (n, layer.target.num_neurons)
            assert np.shares_memory(layer.weight_col_mat, layer.weight_row_mat)
            np.testing.assert_array_equal(layer.weight_col_mat, layer.weight_row_mat.T)
    assert [la.weight_row_mat.shape for la in net.layers[:-1]] == shapes


# ---- gradients -------------------------------------------------------------------------------------
def mean_error(net, x, goal):
    """The mean sample error of ``net``'s prediction for ``x``."""
    return net.output.loss.sample_errors(goal, net.predict(x), net.output.activation).mean()


@FUZZ
@given(data=st.data())
def test_one_backward_step_follows_the_gradient(data):
    """The weight change of ``backward`` is ``-c * alpha * d(mean error)/d(weight)``.

    c is 1/2 for squared error (the delta ``goal - prediction`` is half the derivative of
    ``(goal - prediction) ** 2``) and 1 for cross-entropy.  ReLU kinks are avoided by
    rejecting examples with a pre-activation near zero.
    """
    net, batch = data.draw(networks(max_size=5, dtypes=(np.float64,)))
    x = data.draw(finite((batch, net.input.num_neurons), bound=2.0))
    goal = data.draw(goals_for(net, batch))
    zs, _ = reference_forward(net, x)
    for layer, z in zip(net.layers[1:], zs):
        if layer.activation.name in ("relu", "leaky_relu"):
            assume(np.abs(z).min() > 1e-3)
    params = [(la.name, "weights", la.weight_row_mat) for la in net.layers if la.target is not None]
    params += [(la.name, "bias", la.bias) for la in net.layers if la.bias is not None]
    expected = {(name, kind): numeric_gradient(lambda: mean_error(net, x, goal), p) for name, kind, p in params}
    before = {(name, kind): p.copy() for name, kind, p in params}
    c = 0.5 if net.output.loss.name == "squared_error" else 1.0
    alpha = 1.0
    net.forward(x)
    net.backward(goal, alpha)
    for name, kind, p in params:
        step = (p - before[name, kind]) / alpha
        np.testing.assert_allclose(step, -c * expected[name, kind], rtol=1e-4, atol=1e-6,
                                   err_msg=f"{kind} of layer {name!r} in {net!r}, activations "
                                           f"{[str(la.activation) for la in net.layers]}, loss {net.output.loss}")


# ---- nothing but the documented exceptions ----------------------------------------------------------
def junk():
    """Anything a user might pass where an array belongs."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.text(max_size=3),
                        st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(max_magnitude=10),
                        st.just({"a": 1}), st.just(object()))
    shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6)
    arrays = st.one_of(
        hnp.arrays(np.float64, shapes, elements=st.floats(allow_nan=True, allow_infinity=True)),
        hnp.arrays(st.sampled_from([np.float32, np.int8, np.int64, np.uint8, np.bool_, np.complex64]), shapes),
        hnp.arrays(np.dtype("U3"), shapes), hnp.arrays(object, shapes, elements=st.none()))
    ragged = st.lists(st.lists(st.floats(-5, 5), max_size=4), min_size=2, max_size=3)
    return st.one_of(scalars, arrays, ragged, st.lists(scalars, max_size=4))


@st.composite
def near_miss(draw, rows, cols, bound=1e300):
    """Arrays of about the right shape: right, off by one, empty, with NaN or inf, or as lists."""
    r = draw(st.sampled_from([rows, rows, 0, rows + 1, max(rows - 1, 0)]))
    c = draw(st.sampled_from([cols, cols, cols, cols + 1, max(cols - 1, 0)]))
    elements = st.floats(-bound, bound, allow_nan=False, width=64)
    a = draw(hnp.arrays(np.float64, (r, c), elements=elements))
    if a.size and draw(st.booleans()):
        a.flat[draw(st.integers(0, a.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return a.tolist() if draw(st.booleans()) else a


BAD_ALPHAS = [0, -0.1, np.nan, np.inf, -np.inf, "0.1", None, True, np.array(0.1), [0.1]]
BAD_SIZES = [0, -1, 2.5, "4", None, True, np.float64(8)]
ARGS = {"set_neurons": "x", "calc_delta": "y", "learn": "alpha", "forward": "x", "backward": "y alpha",
        "predict": "x size", "evaluate": "x y size", "fit": "x y alpha", "run_epoch": "x y alpha size",
        "record": "variable select every capacity"}


def valid_arg(draw, net, batch, arg, train):
    if arg == "x":  # training on huge values diverges, which is another part of the issue
        big = 1e300 if net.input.dtype == np.float64 else 1e38
        return draw(finite((batch, net.input.num_neurons), bound=10.0 if train else big))
    if arg == "y":
        return draw(goals_for(net, batch))
    if arg == "alpha":
        return draw(st.floats(1e-4, 0.1))
    if arg in ("size", "every"):
        return draw(st.integers(1, 8))
    if arg == "capacity":
        return draw(st.integers(2, 8))
    if arg == "variable":
        return draw(st.sampled_from(["neurons", "delta"]))
    return draw(st.one_of(st.none(), st.lists(st.integers(0, net.output.num_neurons - 1), min_size=1,
                                              max_size=3)))  # select


def bad_arg(draw, net, batch, arg):
    if arg in ("x", "y"):
        n = net.input.num_neurons if arg == "x" else net.output.num_neurons
        options = [junk(), near_miss(batch, n), finite((batch, n), bound=1e300)]  # the last overflows float32
        if arg == "y" and net.output.loss.name == "cross_entropy":  # out of [0, 1], or rows not summing to 1
            options.append(goals_for(net, batch).map(lambda g: g * 3 - 1))
        return draw(st.one_of(*options))
    if arg == "alpha":
        return draw(st.sampled_from(BAD_ALPHAS))
    if arg in ("size", "every", "capacity"):
        return draw(st.sampled_from(BAD_SIZES))
    if arg == "variable":
        return draw(st.sampled_from(["weights", "bias", "voltage", 3, None]))
    return draw(junk())  # select


@pytest.mark.parametrize("call", list(ARGS))
@settings(FUZZ, max_examples=50)
@given(data=st.data())
def test_no_input_fails_with_anything_but_value_or_type_error(call, data):
    """With every argument valid the call succeeds; with one argument broken (junk, a near miss,
    NaN, inf, an empty array, a wrong type) it succeeds or raises ValueError/TypeError, and then
    nothing has changed."""
    net, batch = data.draw(networks())
    net.record_all(capacity=4)
    net.forward(np.zeros((batch, net.input.num_neurons)))  # a valid state to start from
    net.backward(data.draw(goals_for(net, batch)), 0.01)
    names = ARGS[call].split()
    broken = data.draw(st.sampled_from([None, *names]))
    train = call in ("fit", "run_epoch", "backward", "learn")
    a = {name: bad_arg(data.draw, net, batch, name) if name == broken else valid_arg(data.draw, net, batch, name, train)
         for name in names}
    calls = {
        "set_neurons": lambda: net.input.set_neurons(a["x"]),
        "calc_delta": lambda: net.output.calc_delta(a["y"]),
        "learn": lambda: net.output.learn(a["alpha"]),
        "forward": lambda: net.forward(a["x"]),
        "backward": lambda: net.backward(a["y"], a["alpha"]),
        "predict": lambda: net.predict(a["x"], a["size"]),
        "evaluate": lambda: net.evaluate(a["x"], a["y"], a["size"]),
        "fit": lambda: net.fit(a["x"], a["y"], a["alpha"], max_iter=1, capacity=4),
        "run_epoch": lambda: net.run_epoch(a["x"], a["y"], a["alpha"], batch_size=a["size"]),
        "record": lambda: net.output.record(a["variable"], key="fuzz", select=a["select"], every=a["every"],
                                            capacity=a["capacity"]),
    }
    before = snapshot(net)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            calls[call]()
        except (ValueError, TypeError) as e:
            assert broken is not None, f"{call} refused valid arguments: {e}"
            event(f"{broken} broken: {type(e).__name__}")
            assert_same(before, snapshot(net))
        else:
            event("all valid: ok" if broken is None else f"{broken} broken: accepted")


# ---- corrupted files ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved") / "net"
    net = Network.build([3, 4, 2], activations=["relu", "softmax"], bias=True, seed=0, loss="cross_entropy")
    net.record_all(capacity=4)
    net.fit(np.eye(3)[[0, 1, 2, 0]], np.eye(2)[[0, 1, 1, 0]], 0.1, max_iter=3, capacity=4)
    save_network(folder, net)
    return folder, {p.name: p.read_bytes() for p in folder.iterdir()}


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_corrupted_saved_files_are_refused_with_value_error(saved, data):
    folder, files = saved
    name = data.draw(st.sampled_from(sorted(files)))
    original = files[name]
    how = data.draw(st.sampled_from(["truncate", "flip", "garbage"]))
    if how == "truncate":
        corrupt = original[: data.draw(st.integers(0, len(original) - 1))]
    elif how == "flip":
        corrupt = bytearray(original)
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(corrupt) - 1))
            corrupt[i] ^= data.draw(st.integers(1, 255))
        corrupt = bytes(corrupt)
    else:
        corrupt = data.draw(st.binary(max_size=200))
    try:
        (folder / name).write_bytes(corrupt)
        try:
            loaded, _, _ = load_network(folder)
        except ValueError:
            event(f"{name} {how}: ValueError")
        else:
            # a flip that hit nothing that matters (say, a JSON space): the network still works
            event(f"{name} {how}: loaded")
            assert loaded.predict(np.eye(3)).shape == (3, 2)
        if name == "history.npz":
            try:
                load_histories(folder / name)
            except ValueError:
                pass
    finally:
        (folder / name).write_bytes(original)


@FUZZ
@given(data=st.binary(max_size=64), gz=st.booleans())
def test_corrupted_idx_files_are_refused_with_value_error(tmp_path_factory, data, gz):
    import gzip

    path = tmp_path_factory.getbasetemp() / ("fuzz.gz" if gz else "fuzz")
    header = b"\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x02"
    path.write_bytes(gzip.compress(header + data) if gz else header[: len(data) % 17] + data)
    try:
        a = read_idx(path)
    except ValueError:
        return
    assert a.dtype == np.uint8 and a.ndim in (1, 3)


# ---- tampered saves: one field of network.json, one array of weights.npz ----------------------------
@pytest.fixture(scope="module")
def saved_adam(tmp_path_factory):
    from simnet.optimizers import Adam

    folder = tmp_path_factory.mktemp("saved_adam") / "net"
    net = Network.build([3, 4, 2], activations=["relu", "softmax"], bias=True, seed=0, loss="cross_entropy")
    opt = Adam(0.01)
    net.run_epoch(np.eye(3)[[0, 1, 2, 0]], np.eye(2)[[0, 1, 1, 0]], opt, batch_size=2)
    save_network(folder, net, opt, {"epochs": 1, "lr": 0.01, "optimizer": "adam"})
    return folder, {p.name: p.read_bytes() for p in folder.iterdir()}


def _paths(node, here=()):
    """Every place in a JSON tree, as key paths."""
    yield here
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, here + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, here + (i,))


JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.sampled_from([-1, 0, 10**12, 2**128, 10**6]),
    st.floats(allow_nan=False), st.text(max_size=12), st.sampled_from(["rmsprop", "../../x", "float16", "PCG64"]),
    st.lists(st.integers(-3, 10**7), max_size=4), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.integers(1, 3000).map(lambda d: "[" * d + "]" * d))


def _loads_and_trains(folder):
    """Load; a save that is accepted must predict and train one step without an error."""
    from simnet.optimizers import SGD

    try:
        net, opt, info = load_network(folder)
    except (ValueError, TypeError) as e:
        return type(e).__name__ + (" names the file" if str(folder) in str(e) else " WITHOUT the file")
    assert net.predict(np.eye(3)).shape[0] == 3
    with np.errstate(all="ignore"):
        net.run_epoch(np.eye(3)[[0, 1, 2, 0]], np.eye(2)[[0, 1, 1, 0]], opt or SGD(0.1), batch_size=2)
    return "loaded"


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_every_one_field_edit_of_network_json_is_refused_or_works(saved_adam, data):
    import json

    folder, files = saved_adam
    header = json.loads(files["network.json"])
    where = data.draw(st.sampled_from(list(_paths(header))[1:]))
    value = data.draw(JSON_VALUES)
    how = data.draw(st.sampled_from(["set", "delete"]))
    node = header
    for k in where[:-1]:
        node = node[k]
    if how == "delete":
        del node[where[-1]]
    else:
        node[where[-1]] = "__DEEP__" if isinstance(value, str) and value.startswith("[") else value
    try:
        text = json.dumps(header)
        if isinstance(value, str) and value.startswith("["):
            text = text.replace('"__DEEP__"', value)  # nested deeper than json.dumps can write
        (folder / "network.json").write_text(text)
        outcome = _loads_and_trains(folder)
        assert "WITHOUT" not in outcome
        event(f"{how} {where[-1]}: {outcome}")
    finally:
        (folder / "network.json").write_bytes(files["network.json"])


ARRAY_VALUES = st.one_of(
    st.sampled_from(["int64", "complex128", "<U3", "float16", "float32", "float64", "bool"]).flatmap(
        lambda dt: st.tuples(st.just(dt), st.lists(st.integers(0, 5), max_size=3), st.sampled_from([0.0, np.nan, 1.0]))))


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_every_array_edit_of_weights_npz_is_refused_or_works(saved_adam, data):
    folder, files = saved_adam
    with np.load(folder / "weights.npz") as f:
        arrays = {k: f[k] for k in f.files}
    name = data.draw(st.sampled_from(sorted(arrays) + ["input->hidden.r", "0.weights", "output->input", "hidden.bias.m",
                                                       "hidden.bias.", "hidden->output.m.v"]))
    how = data.draw(st.sampled_from(["replace", "delete", "nan", "reshape"]))
    if how == "delete":
        arrays.pop(name, None)
    elif how == "nan" and name in arrays:
        arrays[name] = np.full_like(arrays[name], np.nan)
    elif how == "reshape" and name in arrays:
        arrays[name] = arrays[name].reshape(-1)[:-1] if arrays[name].size > 1 else arrays[name][None]
    else:
        dt, shape, fill = data.draw(ARRAY_VALUES)
        with np.errstate(invalid="ignore"):
            arrays[name] = np.full(shape, fill).astype(dt) if dt != "<U3" else np.full(shape, "abc")
    try:
        np.savez(folder / "weights.npz", **arrays)
        outcome = _loads_and_trains(folder)
        assert "WITHOUT" not in outcome
        event(f"{how}: {outcome}")
    finally:
        (folder / "weights.npz").write_bytes(files["weights.npz"])


def test_shapes_that_cannot_fit_are_refused_before_allocation(tmp_path):
    import json

    net = Network.build([3, 4, 2], seed=0)
    save_network(tmp_path / "n", net)
    header = json.loads((tmp_path / "n" / "network.json").read_text())
    for layer in header["layers"]:
        layer["num_neurons"] = 10**6
    (tmp_path / "n" / "network.json").write_text(json.dumps(header))
    with pytest.raises(ValueError, match=r"weights.npz: input->hidden: shape \(3, 4\), expected \(1000000, 1000000\)"):
        load_network(tmp_path / "n")
    # an .npy header that claims a huge shape: refused from the header, before its data is read
    import zipfile
    raw = zipfile.ZipFile(tmp_path / "n" / "weights.npz").read("input->hidden.npy")
    (tmp_path / "n" / "network.json").write_text(json.dumps({**header, "layers": [
        {**la, "num_neurons": n} for la, n in zip(header["layers"], (10**5, 10**5, 2))]}))
    big = raw.replace(b"(3, 4)", b"(100000, 100000)".ljust(6))
    with zipfile.ZipFile(tmp_path / "n" / "weights.npz", "w") as z:
        z.writestr("input->hidden.npy", big)
        z.writestr("hidden->output.npy", raw)
    with pytest.raises(ValueError, match=r"input->hidden: \(100000, 100000\) float64 is 80,000,000,000 bytes, but the "
                                         r"file holds"):
        load_network(tmp_path / "n")


def test_tampered_map_layer_fields_are_refused_naming_the_field(tmp_path):
    import json

    from simnet.image_networks import build_cnn

    save_network(tmp_path / "cnn", build_cnn(0))
    header = json.loads((tmp_path / "cnn" / "network.json").read_text())
    kinds = {la["kind"]: i for i, la in enumerate(header["layers"])}
    conv, drop = kinds["Conv2D"], kinds["Dropout"]
    cases = [
        (conv, "kernel_size", [5, 0], ValueError, rf"layers\[{conv}\].kernel_size\[1\]: must be in 1\.\.1,000,000, got 0"),
        (conv, "padding", "full", ValueError, rf"layers\[{conv}\].padding: must be one of \['same', 'valid'\]"),
        (conv, "filters", 10**9, ValueError, rf"layers\[{conv}\].filters: must be in 1\.\.65,536"),
        (drop, "rate", 1.0, ValueError, rf"layers\[{drop}\].rate: must be < 1"),
        (drop, "rng_state", {"bit_generator": "MT19937"}, ValueError, rf"layers\[{drop}\].rng_state: missing field"),
        (0, "shape", [1, 10**5, 10**5], ValueError, r"layers\[0\].shape: \[1, 100000, 100000\] is 10,000,000,000 neurons"),
        (conv, "filters", 31, ValueError, rf"network.json: layers\[{conv}\] -> layers\[{conv + 1}\]: layer 'conv2' gives "
                                          r"maps \(31, 10, 10\), but max pooling 'pool2' takes maps \(15, 10, 10\)"),
    ]
    original = json.dumps(header)
    for i, key, value, kind, match in cases:
        h = json.loads(original)
        h["layers"][i][key] = value
        (tmp_path / "cnn" / "network.json").write_text(json.dumps(h))
        with pytest.raises(kind, match=match):
            load_network(tmp_path / "cnn")
