"""Nielsen's setups as options: N(0,1) and N(0,1/n_in) initialisation, sigmoid outputs with the
quadratic cost, a held-out validation set with early stopping, and starting from given weights."""
import numpy as np
import pytest

from simnet import SGD, Network
from simnet.layer import INITS, draw_weights


# ---- initialisation -----------------------------------------------------------------------------
def test_normal_and_scaled_normal_weights():
    rng = np.random.default_rng(0)
    w = draw_weights(400, 300, "normal", rng)
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01
    w = draw_weights(400, 300, "scaled-normal", rng)
    assert abs(w.std() - 1 / np.sqrt(400)) < 0.001  # N(0, 1/n_in): the fan-in is the row count
    assert {"normal", "scaled-normal", "he", "glorot", "uniform"} == set(INITS)
    with pytest.raises(ValueError, match="unknown weight init 'gaussian'.*'scaled-normal'"):
        draw_weights(3, 4, "gaussian")


@pytest.mark.parametrize("init", ["normal", "scaled-normal"])
def test_nielsen_inits_draw_the_biases_too(init):
    net = Network.build([784, 100, 10], activations=["sigmoid", "sigmoid"], bias=True, init=init, seed=1)
    for name in ("hidden", "output"):
        b = net.layer(name).bias
        assert b.std() > 0.5 and abs(b.std() - 1) < 0.3  # N(0, 1), as network.py and network2.py draw them
    assert net.input.bias is None
    w = net.input.weight_row_mat
    assert abs(w.std() - (1 if init == "normal" else 1 / np.sqrt(784))) < 0.02
    # the same seed gives the same network
    again = Network.build([784, 100, 10], activations=["sigmoid", "sigmoid"], bias=True, init=init, seed=1)
    np.testing.assert_array_equal(again.layer("hidden").bias, net.layer("hidden").bias)


def test_other_inits_keep_zero_biases():
    for init in ("he", "glorot", "uniform"):
        net = Network.build([5, 4, 3], activations=["relu", "softmax"], bias=True, init=init, seed=0,
                            loss="cross_entropy")
        assert not net.layer("hidden").bias.any() and not net.output.bias.any()


def test_sigmoid_quadratic_step_is_nielsens():
    """One mini-batch step of a sigmoid network with the quadratic cost is network.py's update_mini_batch."""
    net = Network.build([3, 4, 2], activations=["sigmoid", "sigmoid"], bias=True, init="normal", seed=2,
                        loss="squared_error")
    w1, w2 = net.input.weight_row_mat.copy(), net.layer("hidden").weight_row_mat.copy()
    b1, b2 = net.layer("hidden").bias.copy(), net.output.bias.copy()
    x = np.array([[0.1, 0.5, 0.9], [1.0, 0.0, 0.3], [0.2, 0.2, 0.2]])
    y = np.eye(2)[[0, 1, 1]]
    eta = 3.0
    net.train_batch(x, y, SGD(eta))
    # Nielsen: z = w a + b, delta_L = (a - y) * s'(z), w -= eta/m * sum(delta a^T), b -= eta/m * sum(delta)
    sig = lambda z: 1 / (1 + np.exp(-z))
    a1 = sig(x @ w1 + b1)
    a2 = sig(a1 @ w2 + b2)
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = (d2 @ w2.T) * a1 * (1 - a1)
    m = len(x)
    np.testing.assert_allclose(net.layer("hidden").weight_row_mat, w2 - eta / m * a1.T @ d2, rtol=1e-12)
    np.testing.assert_allclose(net.output.bias, b2 - eta / m * d2.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(net.input.weight_row_mat, w1 - eta / m * x.T @ d1, rtol=1e-12)
    np.testing.assert_allclose(net.layer("hidden").bias, b1 - eta / m * d1.sum(axis=0), rtol=1e-12)
