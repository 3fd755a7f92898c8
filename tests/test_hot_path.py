"""The training step's hot path (issue 13): after the first step it allocates no array and checks nothing.

``tracemalloc`` sees numpy's array memory; a temporary the size of a layer (8 KB and more
here: the smallest layer has 1024 float64 neurons) would lift the step's peak above the
few hundred bytes of Python objects (views, floats) a step makes and frees.
"""
import tracemalloc

import numpy as np
import pytest

import simnet.layer
import simnet.network
from simnet import SGD, Adam, Momentum, Network, SimpleLayer

SIZES = [1024, 2048, 1024]
LAYER_TEMPORARY = 1024 * 8  # bytes: the smallest array the size of a layer


def peak_bytes(run, tries=1):
    """The peak memory ``run()`` holds above what was held before it, in bytes; with ``tries``, the least
    of that many runs (tracemalloc sees every thread: a server thread some earlier test left running
    may allocate during one run, never during all of them, while the step's own temporaries would)."""
    peaks = []
    for _ in range(tries):
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            run()
            peaks.append(tracemalloc.get_traced_memory()[1] - before)
        finally:
            tracemalloc.stop()
    return min(peaks)


def data(batch, n=6):
    rng = np.random.default_rng(0)
    x = rng.random((n * batch, SIZES[0]))
    y = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], n * batch)]
    return x, y


@pytest.mark.parametrize("hidden, output, loss, optimizer", [
    ("relu", "softmax", "cross_entropy", SGD(0.01)),
    ("tanh", "sigmoid", "squared_error", Momentum(0.01)),
    ("leaky_relu", "linear", "squared_error", Adam(0.001)),
    ("sigmoid", "softmax", "squared_error", SGD(0.01)),
])
@pytest.mark.parametrize("batch", [1, 32])
def test_a_step_after_the_first_allocates_no_array(hidden, output, loss, optimizer, batch):
    """Batch 1: nothing.  A larger batch: nothing but numpy's own buffer for a broadcast
    (the bias added to every row, softmax's row max and sum), ``np.getbufsize()`` numbers at
    most, which the ufunc machinery allocates for itself; a batch-sized temporary would be
    8 times that here (32 x 2048 numbers)."""
    net = Network.build(SIZES, activations=[hidden, output], bias=True, init="he", seed=0, loss=loss)
    x, y = data(batch)

    def steps(first, last):
        for i in range(first, last):
            net.step(x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch], optimizer)

    assert peak_bytes(lambda: steps(0, 1)) > 2 * LAYER_TEMPORARY  # the first step makes the buffers
    peak = peak_bytes(lambda: steps(1, 6), tries=3)
    allowed = 0 if batch == 1 else np.getbufsize() * 8
    assert peak < allowed + LAYER_TEMPORARY / 2, f"{peak} bytes held at the peak of five steps"


def test_the_plain_rate_step_allocates_nothing_either():
    """``step(x, y, 0.01)``: the SGD of a plain learning rate is made once, not every step."""
    net = Network.build(SIZES, activations=["relu", "softmax"], bias=True, seed=0, loss="cross_entropy")
    x, y = data(1)
    net.step(x[:1], y[:1], 0.01)
    peak = peak_bytes(lambda: [net.step(x[i:i + 1], y[i:i + 1], 0.01) for i in range(1, 6)], tries=3)
    assert peak < LAYER_TEMPORARY / 2


def test_the_step_checks_nothing(monkeypatch):
    """``Network.step`` runs no check: its data was checked once by its caller (``run_epoch``, ``fit``)."""
    net = Network.build([4, 5, 3], activations=["relu", "softmax"], bias=True, seed=0, loss="cross_entropy")
    x, y = np.ones((2, 4)), np.eye(3)[[0, 2]]
    net.step(x, y, SGD(0.1))

    def refuse(*args, **kwargs):
        raise AssertionError("a check ran in the hot path")

    for module, name in [(simnet.layer, "as_numbers"), (simnet.layer, "check_finite"),
                         (simnet.layer, "as_optimizer"), (simnet.network, "as_optimizer"),
                         (simnet.network, "check_data")]:
        monkeypatch.setattr(module, name, refuse)
    monkeypatch.setattr(SimpleLayer, "_check_cache", refuse)
    before = net.layers[1].weights_in.copy()
    net.step(x, y, SGD(0.1))
    assert not np.array_equal(net.layers[1].weights_in, before)
    with pytest.raises(AssertionError, match="hot path"):  # the checked entry points still check
        net.output.learn(0.1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_run_epoch_gathers_each_batch_into_the_input_neurons_with_the_same_result(dtype):
    """run_epoch takes each mini-batch straight into the input layer's buffer (one copy, not two):
    bit for bit the weights of step(x[batch]) over the same shuffled order."""
    rng = np.random.default_rng(5)
    x, y = rng.random((50, 6)), np.eye(3)[rng.integers(0, 3, 50)]
    a, b = (Network.build([6, 8, 3], activations=["relu", "softmax"], bias=True, seed=1, dtype=dtype,
                          loss="cross_entropy") for _ in range(2))
    a.run_epoch(x, y, SGD(0.1), batch_size=16, rng=np.random.default_rng(2))
    order = np.random.default_rng(2).permutation(50)
    xs, ys = x.astype(dtype), y.astype(dtype)
    for start in range(0, 50, 16):
        idx = order[start:start + 16]
        b.step(xs[idx], ys[idx], SGD(0.1))
    for la, lb in zip(a.layers, b.layers):
        np.testing.assert_array_equal(la.neuron_row_array, lb.neuron_row_array)
        if la.weight_row_mat is not None:
            np.testing.assert_array_equal(la.weight_row_mat, lb.weight_row_mat)
    assert a.input.neuron_row_array.shape == (2, 6)  # the last, short batch


@pytest.mark.parametrize("threads", [1, 2])
def test_a_cnn_step_after_the_first_allocates_nothing_batch_sized(threads):
    """The larger CNN (convolutions, pooling, dropout, Adam): after the first step, a step allocates
    nothing but numpy's own iterator buffers (broadcasts, type conversions, short strided runs), never
    an array the size of a batch's maps or im2col columns (conv1's maps alone are 3.5 MB at batch 50).
    With the batch split over threads (simnet.maps.split) each thread may hold its own iterator buffers."""
    from simnet.image_networks import build_cnn
    from simnet.maps import split

    old = split.set_threads(threads)
    try:
        net = build_cnn(0)
        rng = np.random.default_rng(0)
        x = rng.random((150, 784), dtype=np.float32)
        y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 150)]
        opt = Adam(0.001)
        net.step(x[:50], y[:50], opt)
        peak = peak_bytes(lambda: [net.step(x[i:i + 50], y[i:i + 50], opt) for i in (50, 100)], tries=3)
    finally:
        split.set_threads(old)
    assert peak < np.getbufsize() * 8 * threads + LAYER_TEMPORARY, f"{peak} bytes held at the peak of two CNN steps"
