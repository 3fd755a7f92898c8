"""Validation before mutation: every public entry point refuses bad input with a ValueError or
TypeError that names the layer or argument and the offending shape or value, and a call that
raises changes nothing: no neuron, weight, delta, bias, optimizer state or history."""
import json

import numpy as np
import pytest

from simnet import Adam, Momentum, Network, SimpleLayer
from simnet.data import load_mnist, one_hot, to_inputs
from simnet.saving import load_network, save_network
from simnet.streetlights import STREETLIGHTS

from helpers import assert_same, snapshot

X = STREETLIGHTS
Y = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], float)  # one-hot: valid for both losses


def refused(net, call, exc, match, *extra_layers):
    """``call()`` raises ``exc`` matching ``match`` and leaves ``net`` exactly as it was."""
    before = snapshot(net, *extra_layers)
    with pytest.raises(exc, match=match):
        call()
    assert_same(before, snapshot(net, *extra_layers))


# ---- networks with every kind of state ---------------------------------------------------------
def trained(kind):
    """A network that has trained: deltas, optimizer moments, monitors and error histories all set."""
    if kind == "regression":
        net = Network.build([3, 4, 2], activations=["tanh", "linear"], bias=True, seed=0)
    else:
        net = Network.build([3, 4, 2], activations=["relu", "softmax"], bias=True, seed=0, init="he",
                            loss="cross_entropy")
    net.record_all(capacity=8)
    net.layer("hidden").record("neurons", summary=True)
    net.fit(X, Y, 0.05, max_iter=3)
    opt = Adam(0.01)
    net.run_epoch(X, Y, opt, batch_size=2)
    net.forward(X[:2])
    net.backward(Y[:2], opt)
    return net, opt


@pytest.fixture(params=["regression", "classification"])
def net(request):
    return trained(request.param)[0]


# ---- building and linking layers ---------------------------------------------------------------
@pytest.mark.parametrize("args, kwargs, exc, match", [
    (("h", 0), {}, ValueError, r"layer 'h': num_neurons must be positive, got 0"),
    (("h", -3), {}, ValueError, r"layer 'h': num_neurons must be positive, got -3"),
    (("h", 2.0), {}, TypeError, r"layer 'h': num_neurons must be an int, got 2\.0"),
    (("h", True), {}, TypeError, r"layer 'h': num_neurons must be an int, got True"),
    (("h", "4"), {}, TypeError, r"layer 'h': num_neurons must be an int, got '4'"),
    (("", 2), {}, ValueError, r"layer name must be a non-empty string, got ''"),
    ((None, 2), {}, TypeError, r"layer name must be a non-empty string, got None"),
    (("h", 2), {"activation": "swish"}, ValueError, r"layer 'h': unknown activation 'swish'; choose one of"),
    (("h", 2), {"activation": 3}, TypeError, r"layer 'h': activation must be a name"),
    (("h", 2), {"dtype": np.int32}, TypeError, r"layer 'h': dtype must be float32 or float64, got int32"),
    (("h", 2), {"dtype": "nonsense"}, TypeError, r"layer 'h': dtype must be float32 or float64, got 'nonsense'"),
    (("h", 2), {"bias": "yes"}, TypeError, r"layer 'h': bias must be True or False, got 'yes'"),
])
def test_bad_layer_arguments(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        SimpleLayer(*args, **kwargs)


def test_bad_links_change_no_layer(net):
    inp, hidden, out = net.layers
    fresh = SimpleLayer("fresh", 2)
    other = SimpleLayer("other", 1, dtype=np.float32)
    cases = [
        (lambda: SimpleLayer("h", 2, target=hidden), ValueError,
         r"layer 'hidden' is already fed by 'input'; cannot link 'h' to it"),
        (lambda: SimpleLayer("h", 2, target="output"), TypeError, r"layer 'h': target must be a SimpleLayer, got str"),
        (lambda: inp.connect(out), ValueError, r"layer 'input' already feeds 'hidden'; cannot link it to 'output'"),
        (lambda: out.connect(inp), ValueError, r"linking 'output' to 'input' would make a cycle"),
        (lambda: fresh.connect(fresh), ValueError, r"linking 'fresh' to 'fresh' would make a cycle"),
        (lambda: fresh.connect(other), TypeError, r"layer 'fresh' is float64 but its target 'other' is float32"),
        (lambda: SimpleLayer("h", 2, target=fresh, init="zeros"), ValueError,
         r"layer 'h': unknown weight init 'zeros'; choose one of"),
        (lambda: SimpleLayer("h", 2, target=fresh, rng=3), TypeError,
         r"layer 'h': rng must be a numpy.random.Generator .* got int"),
        (lambda: setattr(inp, "weight_row_mat", np.ones((4, 3))), ValueError,
         r"layer 'input': weight_row_mat must have shape \(3, 4\), got \(4, 3\)"),
        (lambda: setattr(inp, "weight_row_mat", np.full((3, 4), np.inf)), ValueError,
         r"layer 'input': weight_row_mat contains NaN or infinite values \(first at index \(0, 0\): inf\)"),
        (lambda: setattr(inp, "weight_row_mat", [["a"] * 4] * 3), TypeError,
         r"layer 'input': weight_row_mat must be numbers"),
        (lambda: setattr(out, "weight_row_mat", np.ones((2, 1))), ValueError,
         r"layer 'output' has no target, so it owns no weights"),
    ]
    for call, exc, match in cases:
        refused(net, call, exc, match, fresh, other)
    assert fresh.target is None and fresh.source is None and other.source is None


@pytest.mark.parametrize("make, exc, match", [
    (lambda la: Network([]), ValueError, r"a network needs at least one layer"),
    (lambda la: Network([la[0], "x"]), TypeError, r"layers\[1\] must be a SimpleLayer, got str"),
    (lambda la: Network([la[0], la[2]]), ValueError, r"layers 'input' and 'output' are not linked source -> target"),
    (lambda la: Network(la[1:]), ValueError, r"the first layer 'hidden' is fed by 'input'"),
    (lambda la: Network(la[:2]), ValueError, r"the last layer 'hidden' feeds 'output'"),
    (lambda la: Network(la, loss="hinge"), ValueError, r"unknown loss 'hinge'; choose one of"),
    (lambda la: Network(la, loss=3), TypeError, r"loss must be a name or a Loss, got int"),
    (lambda la: Network(la, rng=7), TypeError, r"rng must be a numpy.random.Generator"),
])
def test_bad_networks_change_no_layer(make, exc, match):
    net, _ = trained("regression")
    refused(net, lambda: make(net.layers), exc, match)


def test_cross_entropy_needs_a_softmax_or_sigmoid_output():
    net, _ = trained("regression")  # linear output
    refused(net, lambda: Network(net.layers, loss="cross_entropy"), ValueError,
            r"layer 'output': cross-entropy needs a softmax or sigmoid output layer, not linear")
    with pytest.raises(ValueError, match=r"layer 'output': cross-entropy needs a softmax or sigmoid"):
        Network.build([3, 4, 2], loss="cross_entropy")


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"sizes": [3]}, ValueError, r"at least an input and an output layer, got sizes \[3\]"),
    ({"sizes": [3, 0, 1]}, ValueError, r"layer 'hidden': num_neurons must be positive, got 0"),
    ({"sizes": [3, -4, 1]}, ValueError, r"layer 'hidden': num_neurons must be positive, got -4"),
    ({"sizes": [3, 4.5, 1]}, TypeError, r"layer 'hidden': num_neurons must be an int, got 4\.5"),
    ({"sizes": [3, 4, 1], "activations": ["relu"]}, ValueError, r"need 2 activations"),
    ({"sizes": [3, 4, 1], "activations": ["relu", "swish"]}, ValueError, r"layer 'output': unknown activation 'swish'"),
    ({"sizes": [3, 4, 1], "names": ["a", "b"]}, ValueError, r"need 3 names \(one per layer\), got \['a', 'b'\]"),
    ({"sizes": [3, 4, 1], "names": ["a", "a", "b"]}, ValueError, r"layer names must be unique"),
    ({"sizes": [3, 4, 1], "bias": [True]}, ValueError, r"bias must be True, False or one True/False per layer \(3\)"),
    ({"sizes": [3, 4, 1], "bias": [0, 1, 1]}, ValueError, r"one True/False per layer \(3\), got \[0, 1, 1\]"),
    ({"sizes": [3, 4, 1], "seed": -1}, ValueError, r"seed must be None or a non-negative int, got -1"),
    ({"sizes": [3, 4, 1], "seed": "x"}, TypeError, r"seed must be None or a non-negative int, got 'x'"),
    ({"sizes": [3, 4, 1], "init": "zeros"}, ValueError, r"unknown weight init 'zeros'"),
    ({"sizes": [3, 4, 1], "dtype": np.int64}, TypeError, r"dtype must be float32 or float64, got int64"),
])
def test_bad_build_arguments(kwargs, exc, match):
    state = np.random.get_state()[1].copy()
    with pytest.raises(exc, match=match):
        Network.build(**kwargs)
    np.testing.assert_array_equal(state, np.random.get_state()[1])


# ---- the per-layer steps -------------------------------------------------------------------------
@pytest.mark.parametrize("values, exc, match", [
    ([1, 0, 1, 1], ValueError, r"layer 'input' has 3 neurons; set_neurons got shape \(4,\) \(expected \(3,\) or "
                               r"\(batch, 3\)\)"),
    (np.ones((2, 5)), ValueError, r"layer 'input' has 3 neurons; set_neurons got shape \(2, 5\)"),
    (np.ones((1, 1, 3)), ValueError, r"set_neurons got shape \(1, 1, 3\)"),
    ([], ValueError, r"set_neurons got shape \(0,\)"),
    (np.zeros((0, 3)), ValueError, r"set_neurons got shape \(0, 3\)"),
    (5.0, ValueError, r"set_neurons got shape \(\)"),
    ([1, np.nan, 1], ValueError, r"layer 'input': set_neurons input contains NaN or infinite values "
                                 r"\(first at index \(0, 1\): nan\)"),
    ([[1, 0, 1], [0, -np.inf, 1]], ValueError, r"first at index \(1, 1\): -inf"),
    (["1", "0", "1"], TypeError, r"layer 'input': set_neurons values must be numbers \(bool, int or float\), "
                                 r"got list of dtype <U1"),
    ([1, None, 1], TypeError, r"set_neurons values must be numbers .* dtype object"),
    ([1j, 0, 1], TypeError, r"set_neurons values must be numbers .* dtype complex128"),
    ({"a": 1}, TypeError, r"set_neurons values must be numbers .* got dict"),
    (None, TypeError, r"set_neurons values must be numbers .* got NoneType"),
    ([[1, 0, 1], [1]], ValueError, r"layer 'input': set_neurons values must be a rectangular array of numbers"),
])
def test_set_neurons_refuses_bad_values(net, values, exc, match):
    refused(net, lambda: net.input.set_neurons(values), exc, match)


def test_values_too_large_for_float32_are_named():
    net = Network.build([3, 4, 2], seed=0, dtype=np.float32)
    refused(net, lambda: net.input.set_neurons([1.0, 1e39, 0.0]), ValueError,
            r"layer 'input': set_neurons values: value 1e\+39 at index \(1,\) is too large for float32 "
            r"\(at most 3.4e\+38\)")
    refused(net, lambda: net.predict(np.full((2, 3), -1e300)), ValueError,
            r"inputs for layer 'input': value -1e\+300 at index \(0, 0\) is too large for float32")


def test_calc_delta_refuses_bad_goals(net):
    out = net.output  # its neurons have shape (2, 2) after the last forward pass
    cases = [
        (np.zeros((2, 3)), ValueError, r"layer 'output': goal has shape \(2, 3\), but the neurons have shape \(2, 2\)"),
        (np.zeros((3, 2)), ValueError, r"goal has shape \(3, 2\)"),
        ([1, 0], ValueError, r"goal has shape \(2,\), but the neurons have shape \(2, 2\)"),
        ([[1, 0], [np.nan, 1]], ValueError, r"layer 'output': goal contains NaN or infinite values \(first at index "
                                            r"\(1, 0\): nan\)"),
        ([["a", "b"]] * 2, TypeError, r"layer 'output': goal must be numbers"),
        ([[1, 0], [1]], ValueError, r"layer 'output': goal must be a rectangular array"),
    ]
    for goal, exc, match in cases:
        refused(net, lambda goal=goal: out.calc_delta(goal), exc, match)


def test_cross_entropy_goals_out_of_range_are_refused():
    net, _ = trained("classification")
    out = net.output
    refused(net, lambda: out.calc_delta([[1, 0], [2, -1]]), ValueError,
            r"layer 'output': cross-entropy goals must be in \[0, 1\] \(one-hot labels or probabilities\); "
            r"goal\[1, 0\] is 2\.0")
    refused(net, lambda: out.calc_delta([[1, 0], [0.3, 0.3]]), ValueError,
            r"layer 'output': with softmax, each goal row must sum to 1 .* row 1 sums to 0\.6")
    refused(net, lambda: net.fit(X, Y * 3, 0.1, max_iter=1), ValueError,
            r"goals for layer 'output': cross-entropy goals must be in \[0, 1\]")
    refused(net, lambda: net.run_epoch(X, Y * 0.5, 0.1), ValueError, r"row 0 sums to 0\.5")


@pytest.mark.parametrize("alpha, exc, match", [
    (0, ValueError, r"alpha must be a positive finite number, got 0"),
    (-0.1, ValueError, r"alpha must be a positive finite number, got -0\.1"),
    (float("nan"), ValueError, r"alpha must be a positive finite number, got nan"),
    (float("inf"), ValueError, r"alpha must be a positive finite number, got inf"),
    (np.float32(-1), ValueError, r"alpha must be a positive finite number"),
    ("0.1", TypeError, r"alpha must be a number, got str"),
    (True, TypeError, r"alpha must be a number, got bool"),
    (None, TypeError, r"alpha must be a number, got NoneType"),
    (np.array(0.1), TypeError, r"alpha must be a number, got ndarray"),
])
def test_learning_rates_must_be_positive_finite_numbers(net, alpha, exc, match):
    refused(net, lambda: net.output.learn(alpha), exc, match)
    refused(net, lambda: net.layer("hidden").learn(alpha), exc, match)
    refused(net, lambda: net.backward(np.eye(2), alpha), exc, match)
    if alpha is not None:  # fit(x, y) without an optimizer is plain SGD at FIT_ALPHA
        refused(net, lambda: net.fit(X, Y, alpha, max_iter=1), exc, match)
    refused(net, lambda: net.run_epoch(X, Y, alpha), exc, match)


def test_learn_needs_a_delta_for_the_current_batch():
    net = Network.build([3, 4, 2], seed=0)
    refused(net, lambda: net.output.learn(0.1), ValueError,
            r"layer 'output': learn\(\) needs a delta for the current batch \(a batch of 1\); call calc_delta")
    net.forward(X[:2])
    net.backward(Y[:2], 0.1)
    net.forward(X)  # a new batch of 4: the old delta (2 samples) does not fit it
    refused(net, lambda: net.output.learn(0.1), ValueError, r"needs a delta for the current batch \(a batch of 4\)")


def test_optimizer_arguments_and_schedules_are_checked():
    net, opt = trained("regression")
    for make, exc, match in [
        (lambda: Adam(-1), ValueError, r"alpha must be a positive finite number, got -1"),
        (lambda: Adam(0.1, beta1=1.0), ValueError, r"Adam beta1 must be in \[0, 1\), got 1\.0"),
        (lambda: Adam(0.1, beta2=-0.5), ValueError, r"Adam beta2 must be in \[0, 1\), got -0\.5"),
        (lambda: Adam(0.1, eps=0), ValueError, r"Adam eps must be a positive finite number, got 0"),
        (lambda: Momentum(0.1, beta=1.5), ValueError, r"momentum beta must be in \[0, 1\), got 1\.5"),
        (lambda: Momentum(0.1, beta="x"), TypeError, r"momentum beta must be a number in \[0, 1\), got 'x'"),
    ]:
        with pytest.raises(exc, match=match):
            make()
    # a learning-rate schedule that produces a bad value is refused when it is set, not mid-step
    refused(net, lambda: setattr(opt, "alpha", float("nan")), ValueError, r"alpha must be a positive finite number")
    assert opt.alpha == 0.01


# ---- the network's loops ---------------------------------------------------------------------------
def data_cases():
    """(name, inputs, goals, exception, message, message of forward(inputs) or None)."""
    return [
        ("input width", np.ones((4, 5)), Y, ValueError,
         r"inputs must have shape \(samples, 3\) for layer 'input'; got \(4, 5\)",
         r"layer 'input' has 3 neurons; set_neurons got shape \(4, 5\)"),
        ("goal width", X, np.ones((4, 3)) / 3, ValueError,
         r"goals must have shape \(samples, 2\) for layer 'output'; got \(4, 3\)", None),
        ("1-D inputs", X[0], Y[:1], ValueError, r"inputs must have shape \(samples, 3\) .* got \(3,\)", None),
        ("no samples", np.zeros((0, 3)), np.zeros((0, 2)), ValueError, r"inputs must have shape .* got \(0, 3\)",
         r"set_neurons got shape \(0, 3\)"),
        ("sample counts", X, Y[:3], ValueError, r"inputs have 4 samples but goals have 3", None),
        ("NaN input", np.where(X == 0, np.nan, X), Y, ValueError,
         r"inputs for layer 'input' contains NaN or infinite values \(first at index \(0, 1\): nan\)",
         r"layer 'input': set_neurons input contains NaN or infinite values \(first at index \(0, 1\): nan\)"),
        ("inf goal", X, np.where(Y == 1, np.inf, Y), ValueError,
         r"goals for layer 'output' contains NaN or infinite values \(first at index \(0, 0\): inf\)", None),
        ("string inputs", X.astype(str), Y, TypeError, r"inputs for layer 'input' must be numbers .* dtype <U",
         r"layer 'input': set_neurons values must be numbers"),
        ("object goals", X, np.array([[None, 1]] * 4), TypeError, r"goals for layer 'output' must be numbers", None),
    ]


@pytest.mark.parametrize("name, inputs, goals, exc, match, forward_match", data_cases(),
                         ids=[c[0] for c in data_cases()])
def test_loops_check_their_data_up_front(net, name, inputs, goals, exc, match, forward_match):
    refused(net, lambda: net.fit(inputs, goals, 0.1, max_iter=2), exc, match)
    refused(net, lambda: net.run_epoch(inputs, goals, 0.1, batch_size=2), exc, match)
    refused(net, lambda: net.evaluate(inputs, goals), exc, match)
    if forward_match:
        refused(net, lambda: net.predict(inputs), exc, match)
        refused(net, lambda: net.forward(inputs), exc, forward_match)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"epsilon": -1}, ValueError, r"epsilon must be a finite number >= 0, got -1"),
    ({"epsilon": float("nan")}, ValueError, r"epsilon must be a finite number >= 0, got nan"),
    ({"epsilon": "0.1"}, TypeError, r"epsilon must be a number, got '0\.1'"),
    ({"max_iter": 0}, ValueError, r"max_iter must be at least 1, got 0"),
    ({"max_iter": 2.5}, TypeError, r"max_iter must be an int, got 2\.5"),
    ({"max_iter": "10"}, TypeError, r"max_iter must be an int, got '10'"),
    ({"report": print, "report_every": 0}, ValueError, r"report_every must be at least 1, got 0"),
    ({"report": 3}, TypeError, r"report must be callable or None, got int"),
    ({"capacity": 1}, ValueError, r"capacity must be at least 2, got 1"),
])
def test_fit_checks_its_options_before_training(net, kwargs, exc, match):
    refused(net, lambda: net.fit(X, Y, 0.1, **{"max_iter": 2, **kwargs}), exc, match)


def test_fit_on_other_data_does_not_corrupt_the_error_history(net):
    refused(net, lambda: net.fit(X[:3], Y[:3], 0.1, max_iter=2), ValueError,
            r"this network's error history holds 4 samples per iteration but fit got 3")


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"batch_size": 0}, ValueError, r"batch_size must be at least 1, got 0"),
    ({"batch_size": -2}, ValueError, r"batch_size must be at least 1, got -2"),
    ({"batch_size": 2.5}, TypeError, r"batch_size must be an int, got 2\.5"),
    ({"batch_size": True}, TypeError, r"batch_size must be an int, got True"),
    ({"rng": 3}, TypeError, r"rng must be a numpy.random.Generator .* got int"),
    ({"progress": 3}, TypeError, r"progress must be callable or None, got int"),
])
def test_train_epoch_checks_its_options_before_training(net, kwargs, exc, match):
    refused(net, lambda: net.run_epoch(X, Y, 0.1, **kwargs), exc, match)


def test_predict_and_evaluate_check_batch_size(net):
    for call in (lambda b: net.predict(X, b), lambda b: net.evaluate(X, Y, b)):
        refused(net, lambda call=call: call(0), ValueError, r"batch_size must be at least 1, got 0")
        refused(net, lambda call=call: call("8"), TypeError, r"batch_size must be an int, got '8'")


# ---- declaring histories ---------------------------------------------------------------------------
def test_bad_record_declarations_declare_nothing(net):
    inp, hidden, out = net.layers
    cases = [
        (lambda: hidden.record("voltage"), ValueError,
         r"layer 'hidden': cannot record 'voltage'; choose one of \('neurons', 'weights', 'delta', 'bias'\)"),
        (lambda: hidden.record(3), TypeError, r"layer 'hidden': variable must be one of"),
        (lambda: hidden.record("neurons"), ValueError, r"layer 'hidden' already records 'neurons'"),
        (lambda: hidden.record("neurons", key="n", every=0), ValueError,
         r"layer 'hidden': record every must be at least 1, got 0"),
        (lambda: hidden.record("neurons", key="n", every=1.5), TypeError,
         r"layer 'hidden': record every must be an int, got 1\.5"),
        (lambda: hidden.record("neurons", key="n", capacity=1), ValueError,
         r"layer 'hidden': record capacity must be at least 2, got 1"),
        (lambda: hidden.record("neurons", key="n", capacity="big"), TypeError, r"record capacity must be an int"),
        (lambda: hidden.record("neurons", key="n", select=[0, 9]), ValueError,
         r"layer 'hidden': neurons select \[0, 9\] out of range for 4 entries"),
        (lambda: hidden.record("neurons", key="n", select=[0.5]), TypeError,
         r"layer 'hidden': neurons select must hold ints, got \[0\.5\]"),
        (lambda: hidden.record("neurons", key="n", select=[]), ValueError, r"neurons select \[\] out of range"),
        (lambda: inp.record("weights", key="w", select=[(0, 4)]), ValueError,
         r"layer 'input': weight select \[\(0, 4\)\] out of range for \(3, 4\)"),
        (lambda: inp.record("weights", key="w", select=np.zeros((0, 2), int)), ValueError,
         r"layer 'input': weights select must be one or more \(i, j\) pairs"),
        (lambda: out.record("weights", key="w"), ValueError,
         r"layer 'output' has no target, so it has no weights to record"),
        (lambda: inp.record("bias", key="b"), ValueError, r"layer 'input' has no bias to record"),
        (lambda: hidden.record("neurons", key="n", dtype="nonsense"), TypeError,
         r"history 'hidden/n': dtype must be a numpy float dtype, got 'nonsense'"),
        (lambda: hidden.record("neurons", key=""), TypeError, r"record key must be a non-empty string"),
        (lambda: net.record_summaries(), ValueError,
         r"layer 'input' already records \['weights'\], which record_summaries declares"),
        (lambda: net.record_summaries(every=0), ValueError, r"every must be at least 1, got 0"),
    ]
    for call, exc, match in cases:
        refused(net, call, exc, match)
    with pytest.raises(KeyError, match=r"layer 'hidden' does not record 'delta_stats'"):
        hidden.history("delta_stats")


def test_record_summaries_and_record_all_are_all_or_nothing():
    net = Network.build([3, 4, 2], bias=True, seed=0)
    net.layer("output").record("delta", summary=True)  # "delta_stats", a key record_summaries uses
    refused(net, lambda: net.record_summaries(), ValueError, r"layer 'output' already records \['delta_stats'\]")
    assert list(net.input.monitors) == [] and list(net.layer("hidden").monitors) == []
    refused(net, lambda: net.record_all(capacity=1), ValueError, r"record capacity must be at least 2, got 1")
    refused(net, lambda: net.record_all(every="often"), TypeError, r"record every must be an int")


# ---- loaders ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, exc, match", [
    (lambda: load_mnist("validation"), ValueError, r"unknown split 'validation'; choose 'train' or 'test'"),
    (lambda: load_mnist("test", timeout=0), ValueError, r"timeout must be a positive finite number of seconds, got 0"),
    (lambda: load_mnist("test", timeout="30"), TypeError, r"timeout must be a number of seconds, got str"),
    (lambda: load_mnist("test", path=3), TypeError, r"path must be a folder name \(str or os.PathLike\), got int"),
    (lambda: load_mnist("test", base_url=3), TypeError, r"base_url must be a URL string, got int"),
    (lambda: one_hot([0, 3, 10]), ValueError, r"one_hot: label 10 at index 2 is out of range 0\.\.9"),
    (lambda: one_hot([0, -1]), ValueError, r"one_hot: label -1 at index 1 is out of range 0\.\.9"),
    (lambda: one_hot([[0, 1]]), ValueError, r"one_hot: labels must have shape \(N,\), got \(1, 2\)"),
    (lambda: one_hot([0.5]), TypeError, r"one_hot: labels must be integers, got float64"),
    (lambda: one_hot([1], num_classes=0), ValueError, r"one_hot: num_classes must be a positive int, got 0"),
    (lambda: to_inputs(np.zeros((2, 28, 28))), TypeError, r"to_inputs: images must be uint8"),
    (lambda: to_inputs(np.zeros((0, 28, 28), np.uint8)), ValueError, r"to_inputs: images must have shape"),
])
def test_loaders_refuse_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---- saving and loading -------------------------------------------------------------------------------
def test_bad_save_leaves_the_previous_save_intact(tmp_path):
    net, opt = trained("classification")
    folder = tmp_path / "net"
    save_network(folder, net, opt, {"epochs": 1})
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    other, _ = trained("regression")
    for call, exc, match in [
        (lambda: save_network(folder, "net"), TypeError, r"save_network: network must be a Network, got str"),
        (lambda: save_network(folder, other, 0.1), TypeError,
         r"save_network: optimizer must be an Optimizer \(SGD, Momentum, Adam\) or None, got float"),
        (lambda: save_network(folder, other, None, ["epochs"]), TypeError, r"save_network: info must be a dict"),
        (lambda: save_network(folder, other, None, {"when": object()}), TypeError,
         r"save_network: info holds a object, which cannot be written to JSON"),
    ]:
        refused(other, call, exc, match)
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == files  # not one byte changed, no stray file
    loaded, _, info = load_network(folder)
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    assert info == {"epochs": 1}


def test_numpy_scalars_in_info_are_saved(tmp_path):
    net, opt = trained("classification")
    save_network(tmp_path / "n", net, opt, {"accuracy": np.float32(0.5), "epochs": np.int64(2)})
    assert load_network(tmp_path / "n")[2] == {"accuracy": 0.5, "epochs": 2}


def test_inconsistent_saved_networks_are_refused(tmp_path):
    net, opt = trained("classification")
    folder = tmp_path / "net"
    save_network(folder, net, opt)
    header = json.loads((folder / "network.json").read_text())
    with np.load(folder / "weights.npz") as f:
        arrays = {k: f[k] for k in f.files}

    def write(h=None, **changes):
        (folder / "network.json").write_text(json.dumps(h or header))
        np.savez(folder / "weights.npz", **{**arrays, **changes})

    cases = [
        ({**header, "format": "keras"}, {}, r"network.json: not a simnet network file"),
        ({**header, "layers": header["layers"][:1] + [{**header["layers"][1], "num_neurons": 0}]
          + header["layers"][2:]}, {}, r"network.json: layers\[1\].num_neurons: must be in 1\.\.100,000,000, got 0"),
        (None, {"hidden.bias": np.zeros(5)}, r"weights.npz: hidden.bias: shape \(5,\), expected \(4,\)"),
        (None, {"input->hidden": np.full((3, 4), np.nan)}, r"weights.npz: input->hidden: holds NaN or infinite values"),
        (None, {"input->hidden": np.zeros((4, 4))}, r"weights.npz: input->hidden: shape \(4, 4\), expected \(3, 4\)"),
        (None, {"input->hidden.m": np.zeros(3)}, r"weights.npz: input->hidden.m: shape \(3,\), expected \(3, 4\)"),
        (None, {"0.weights": np.zeros((3, 4))}, r"weights.npz: 0.weights: an array this network does not have"),
        ({**header, "rng": {"bit_generator": "nope"}}, {}, r"network.json: rng: missing field\(s\) state"),
    ]
    for h, changes, match in cases:
        write(h, **changes)
        with pytest.raises(ValueError, match=match):
            load_network(folder)
    with pytest.raises(TypeError, match=r"load_network: folder must be a str or os.PathLike, got int"):
        load_network(3)
    with pytest.raises(FileNotFoundError, match=r"no saved network here \(missing network.json\)"):
        load_network(tmp_path / "nowhere")
