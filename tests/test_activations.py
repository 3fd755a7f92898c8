"""Every activation's derivative and every loss's delta against finite differences."""
import numpy as np
import pytest

from simnet.activations import ACTIVATIONS, get_activation
from simnet.losses import CrossEntropy, SquaredError

EPS = 1e-6


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_backprop_matches_finite_differences(name):
    rng = np.random.default_rng(1)
    act = get_activation(name)
    x = rng.normal(size=(3, 5))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from relu's kink
    delta = rng.normal(size=(3, 5))
    y = act.forward(x.copy())
    numeric = np.zeros_like(x)
    for idx in np.ndindex(x.shape):  # d(sum(delta * f(x))) / dx
        xp, xm = x.copy(), x.copy()
        xp[idx] += EPS
        xm[idx] -= EPS
        numeric[idx] = (np.sum(delta * act.forward(xp)) - np.sum(delta * act.forward(xm))) / (2 * EPS)
    np.testing.assert_allclose(act.backprop(delta, y), numeric, rtol=1e-5, atol=1e-8)
    if name != "softmax":  # element-wise: the derivative itself
        np.testing.assert_allclose(delta * act.derivative(y), numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_forward_in_place_equals_forward(name):
    act = get_activation(name)
    x = np.linspace(-3, 3, 12).reshape(2, 6)
    expected = act.forward(x.copy())
    buf = x.copy()
    assert act.forward(buf, out=buf) is buf
    np.testing.assert_array_equal(buf, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_training_step_buffers_give_forwards_and_backprops_numbers_exactly(name, dtype):
    """forward_in_place and backprop reuse buffers the activation keeps (the hot loop allocates nothing):
    bit for bit what forward and delta * derivative give, at every shape in turn, extremes included."""
    act = get_activation(name)
    rng = np.random.default_rng(3)
    for shape in [(1, 7), (4, 7), (1, 7), (2, 3, 7)]:  # a buffer of another shape is replaced, not misused
        x = (rng.normal(size=shape) * 30).astype(dtype)
        x.flat[:4] = [-800, 800, 0, -0.0]
        expected = act.forward(x.copy())
        z = x.copy()
        assert act.forward_in_place(z) is z
        np.testing.assert_array_equal(z, expected)
        delta = rng.normal(size=shape).astype(dtype)
        out = np.empty_like(delta)
        got = act.backprop(delta, z, out=out)
        assert got is out and got.dtype == dtype
        if name == "softmax":
            want = z * (delta - np.sum(delta * z, axis=-1, keepdims=True))
        else:
            want = delta * get_activation(name).derivative(z)
        np.testing.assert_array_equal(got, want)


def test_softmax_and_cross_entropy_are_stable_for_large_logits():
    act = get_activation("softmax")
    z = np.array([[1000.0, 0.0, -1000.0], [-1e4, 1e4, 0.0]])
    p = act.forward(z.copy())
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    goal = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    errors = CrossEntropy().sample_errors(goal, p)
    assert np.isfinite(errors).all() and (errors > 100).all()
    assert np.isfinite(get_activation("sigmoid").forward(np.array([[-1e4, 1e4]]))).all()


@pytest.mark.parametrize("loss, act", [(SquaredError(), "linear"), (SquaredError(), "sigmoid"),
                                       (SquaredError(), "tanh"), (CrossEntropy(), "softmax"),
                                       (CrossEntropy(), "sigmoid")])
def test_loss_delta_is_the_negative_gradient(loss, act):
    """delta = -c * d(mean error)/dz with c = 1/2 for squared error, 1 for cross-entropy."""
    rng = np.random.default_rng(2)
    act = get_activation(act)
    z = rng.normal(size=(4, 3))
    goal = np.eye(3)[[0, 2, 1, 1]]
    c = 0.5 if isinstance(loss, SquaredError) else 1.0

    def mean_error(z):
        return loss.sample_errors(goal, act.forward(z.copy()), act).mean()

    numeric = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += EPS
        zm[idx] -= EPS
        numeric[idx] = (mean_error(zp) - mean_error(zm)) / (2 * EPS)
    delta = loss.delta(goal, act.forward(z.copy()), act)
    np.testing.assert_allclose(delta, -c * numeric, rtol=1e-5, atol=1e-8)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'relux'"):
        get_activation("relux")


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 2e-6), (np.float64, 1e-13)])
@pytest.mark.parametrize("z", [1.0, -1.0, 20.0, -20.0, 40.0, -40.0, 800.0, -800.0])
def test_cross_entropy_is_exact_at_every_logit(dtype, rtol, z):
    """Sigmoid outputs against goal 0 and 1, and a softmax with a gap of |z|, against the exact values."""
    import math

    from simnet.activations import Sigmoid, Softmax
    from simnet.losses import CrossEntropy

    def softplus(t):  # exact in double precision: log(1 + e^t)
        return max(t, 0.0) + math.log1p(math.exp(-abs(t)))

    ce = CrossEntropy()
    logits = np.array([[z]], dtype)
    p = Sigmoid().forward(logits.copy())
    for goal, exact in ((0.0, softplus(z)), (1.0, softplus(-z))):
        got = ce.sample_errors(np.array([[goal]], dtype), p, Sigmoid(), logits)[0]
        assert got == pytest.approx(exact, rel=rtol, abs=0), (goal, got, exact)
    pair = np.array([[z, 0.0]], dtype)
    q = Softmax().forward(pair.copy())
    for goal, exact in (([1.0, 0.0], softplus(-z)), ([0.0, 1.0], softplus(z))):
        got = ce.sample_errors(np.array([goal], dtype), q, Softmax(), pair)[0]
        assert got == pytest.approx(exact, rel=rtol, abs=0), (goal, got, exact)


def test_training_and_evaluate_report_the_exact_cross_entropy():
    from simnet import Network

    net = Network.build([1, 1], activations=["sigmoid"], bias=False, seed=0, loss="cross_entropy")
    net.input.weight_row_mat = [[40.0]]
    x, y = np.array([[1.0]]), np.array([[0.0]])
    net.forward(x)
    net.output.calc_delta(y)
    assert net.output.sample_errors[0] == pytest.approx(40.0, rel=1e-12)  # clipped probabilities said 708.4
    assert net.evaluate(x, y)[0] == pytest.approx(40.0, rel=1e-12)
