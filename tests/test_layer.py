"""One layer's forward and backward step, linking, and bad input."""
import numpy as np
import pytest

from simnet import Adam, Momentum, Network, SimpleLayer
from simnet.losses import get_loss
from simnet.streetlights import STREETLIGHTS, WALK_VS_STOP, build_layers

from helpers import numeric_gradient


def streetlights_net(seed=0):
    np.random.seed(seed)
    inp, hidden, out = build_layers((4,))
    return inp, hidden, out


def test_walkthrough_weight_order_and_initial_values():
    inp, hidden, out = streetlights_net(0)
    np.random.seed(0)
    w_hidden = 2 * np.random.random((4, 1)) - 1  # drawn first: the hidden layer is created first
    w_input = 2 * np.random.random((3, 4)) - 1
    np.testing.assert_array_equal(hidden.weight_row_mat, w_hidden)
    np.testing.assert_array_equal(inp.weight_row_mat, w_input)
    assert inp.target is hidden and hidden.source is inp and out.source is hidden
    assert inp.source is None and out.target is None and out.weight_row_mat is None


def test_one_step_by_hand():
    inp, hidden, out = streetlights_net(0)
    w01, w12 = inp.weight_row_mat.copy(), hidden.weight_row_mat.copy()
    x, goal = np.array([1.0, 0.0, 1.0]), np.array([1.0])
    inp.set_neurons(x)
    for layer in (inp, hidden, out):
        layer.train()
    l1 = np.maximum(0, x[None] @ w01)
    np.testing.assert_array_equal(hidden.neuron_row_array, l1)
    np.testing.assert_array_equal(out.neuron_row_array, l1 @ w12)
    delta = out.calc_delta(goal)
    np.testing.assert_array_equal(delta, goal[None] - l1 @ w12)
    assert out.sample_errors[0] == np.sum(delta ** 2)
    for layer in (out, hidden, inp):
        layer.learn(0.2)
    d1 = (delta @ w12.T) * (l1 > 0)  # computed with the weights before the update
    np.testing.assert_array_equal(hidden.delta, d1)
    np.testing.assert_array_equal(hidden.weight_row_mat, w12 + 0.2 * (l1.T @ delta))
    np.testing.assert_array_equal(inp.weight_row_mat, w01 + 0.2 * (x[:, None] @ d1))
    assert inp.delta is None  # nothing upstream of the input layer needs a delta
    np.testing.assert_array_equal(hidden.neuron_col_array, hidden.neuron_row_array.T)


def test_column_forms_are_views_that_always_agree():
    inp, hidden, out = streetlights_net(0)
    net = Network([inp, hidden, out])
    net.fit(STREETLIGHTS, WALK_VS_STOP, 0.2, max_iter=5)
    for layer in (inp, hidden):
        np.testing.assert_array_equal(layer.weight_col_mat, layer.weight_row_mat.T)
        assert np.shares_memory(layer.weight_col_mat, layer.weight_row_mat)
    hidden.weight_row_mat = np.ones((4, 1))
    np.testing.assert_array_equal(hidden.weight_col_mat, np.ones((1, 4)))


def mean_error(net, x, goal):
    """The mean sample error of ``net``'s prediction for ``x``."""
    return net.output.loss.sample_errors(goal, net.predict(x)).mean()


@pytest.mark.parametrize("loss, acts, c", [("squared_error", ["tanh", "sigmoid", "linear"], 0.5),
                                           ("cross_entropy", ["relu", "leaky_relu", "softmax"], 1.0)])
def test_whole_batch_backward_pass_with_biases_matches_finite_differences(loss, acts, c):
    net = Network.build([5, 6, 4, 3], activations=acts, bias=True, init="glorot", seed=3, loss=loss)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(7, 5))
    goal = np.eye(3)[rng.integers(0, 3, 7)]
    for layer in net.layers[1:]:
        layer.bias[:] = rng.normal(scale=0.1, size=layer.bias.shape)
    expected = {}
    for layer in net.layers:
        if layer.target is not None:
            expected[layer.name, "w"] = -c * numeric_gradient(lambda: mean_error(net, x, goal), layer._weights)
        if layer.bias is not None:
            expected[layer.name, "b"] = -c * numeric_gradient(lambda: mean_error(net, x, goal), layer.bias)
    before = {k: (net.layer(k[0])._weights if k[1] == "w" else net.layer(k[0]).bias).copy() for k in expected}
    alpha = 1e-3
    net.forward(x)
    net.backward(goal, alpha)
    for k, g in expected.items():
        after = net.layer(k[0])._weights if k[1] == "w" else net.layer(k[0]).bias
        np.testing.assert_allclose((after - before[k]) / alpha, g, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("opt", [Momentum(0.05), Adam(0.01)])
def test_optimizers_keep_their_state_with_the_weights_and_learn(opt):
    net = Network.build([2, 8, 1], activations=["tanh", "sigmoid"], bias=True, init="glorot", seed=0,
                        loss="cross_entropy")
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([[0], [1], [1], [0]], float)
    first = None
    for _ in range(1500):
        net.forward(x)
        net.backward(y, opt)
        first = first if first is not None else net.output.sample_errors.mean()
    assert net.output.sample_errors.mean() < 0.1 * first
    assert net.input.weight_state and net.layer("hidden").bias_state  # state lives beside the weights


def test_print_shows_the_walkthrough_summary():
    inp, hidden, out = streetlights_net(0)
    text = str(hidden)
    for part in ("Layer: hidden", "4 neurons", "relu", "target: output", "source: input",
                 "neurons (row form, (1, 4))", "weights to output (row form, (4, 1))"):
        assert part in text
    assert repr(hidden) == "SimpleLayer('hidden', 4, relu, source='input', target='output')"


def snapshot(*layers):
    return [(la.neuron_row_array.copy(), None if la._weights is None else la._weights.copy(),
             None if la.delta is None else la.delta.copy()) for la in layers]


def assert_unchanged(before, layers):
    for (n, w, d), la in zip(before, layers):
        np.testing.assert_array_equal(n, la.neuron_row_array)
        if w is not None:
            np.testing.assert_array_equal(w, la._weights)
        if d is not None:
            np.testing.assert_array_equal(d, la.delta)


def test_bad_input_is_refused_before_anything_changes():
    layers = streetlights_net(0)
    inp, hidden, out = layers
    inp.set_neurons([1, 0, 1])
    for la in layers:
        la.train()
    out.calc_delta([1])
    before = snapshot(*layers)
    with pytest.raises(ValueError, match=r"layer 'input' has 3 neurons; set_neurons got shape \(4,\)"):
        inp.set_neurons([1, 0, 1, 1])
    with pytest.raises(ValueError, match="NaN or infinite"):
        inp.set_neurons([1, np.nan, 1])
    with pytest.raises(ValueError, match=r"layer 'output': goal has shape \(2,\)"):
        out.calc_delta([1, 0])
    with pytest.raises(ValueError, match="positive finite"):
        out.learn(-0.1)
    with pytest.raises(ValueError, match="positive finite"):
        out.learn(float("inf"))
    with pytest.raises(TypeError, match="alpha must be a number"):
        out.learn("0.1")
    assert_unchanged(before, layers)


def test_bad_construction_and_linking():
    with pytest.raises(ValueError, match="num_neurons must be positive, got 0"):
        SimpleLayer("h", 0)
    with pytest.raises(TypeError, match="num_neurons must be an int"):
        SimpleLayer("h", 2.5)
    with pytest.raises(ValueError, match="unknown activation"):
        SimpleLayer("h", 2, activation="nope")
    a, b = SimpleLayer("a", 2), SimpleLayer("b", 2)
    b.connect(a)
    with pytest.raises(ValueError, match="already feeds 'a'"):
        b.connect(SimpleLayer("c", 1))
    with pytest.raises(ValueError, match="'a' is already fed by 'b'"):
        SimpleLayer("d", 2, target=a)
    with pytest.raises(ValueError, match="cycle"):
        a.connect(b)
    assert a.target is None and b.source is None


def test_cross_entropy_needs_softmax_output():
    loss = get_loss("cross_entropy")
    with pytest.raises(ValueError, match="softmax or sigmoid"):
        loss.delta(np.ones((1, 2)), np.ones((1, 2)), SimpleLayer("o", 2).activation)
