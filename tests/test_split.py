"""Batch splitting (simnet.maps.split): the map layers' work on parts of a batch in threads gives the same
numbers, bit for bit, as one thread, and a part's error reaches the caller."""
import numpy as np
import pytest

from simnet import Adam, Conv2D, MapInput, MaxPool2D
from simnet.image_networks import build_cnn
from simnet.maps import split


@pytest.fixture
def threads():
    old = split.set_threads(1)
    yield split.set_threads
    split.set_threads(old)


def cnn_after_steps(n_threads, batch=40):
    split.set_threads(n_threads)
    net = build_cnn(0)
    rng = np.random.default_rng(0)
    x = rng.random((2 * batch, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 2 * batch)]
    opt = Adam(0.001)
    for i in range(2):
        net.step(x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch], opt)
    return net


def test_a_cnn_trained_in_three_threads_is_the_one_trained_in_one_bit_for_bit(threads):
    one, three = cnn_after_steps(1), cnn_after_steps(3)
    for a, b in zip(one.layers, three.layers):
        np.testing.assert_array_equal(a.neuron_row_array, b.neuron_row_array, err_msg=a.name)
        np.testing.assert_array_equal(a.delta, b.delta, err_msg=a.name)
        if a.weight_row_mat is not None:
            np.testing.assert_array_equal(a.weight_row_mat, b.weight_row_mat, err_msg=a.name)
        if a.bias is not None:
            np.testing.assert_array_equal(a.bias, b.bias, err_msg=a.name)


def test_same_padding_and_tiled_pooling_split_alike(threads):
    def run(n):
        split.set_threads(n)
        rng = np.random.default_rng(1)
        image = MapInput("image", (2, 8, 8), dtype=np.float64)
        conv = Conv2D("conv", 3, 3, padding="same", activation="relu", source=image, rng=rng, dtype=np.float64)
        pool = MaxPool2D("pool", 2, source=conv, dtype=np.float64)
        Conv2D("head", 2, 2, source=pool, rng=rng, dtype=np.float64)
        image.set_neurons(rng.normal(size=(33, 2, 8, 8)))
        layers = [image, conv, pool, pool.target]
        for la in layers:
            la.train()
        pool.target.delta = rng.normal(size=pool.target.neuron_row_array.shape)
        for la in reversed(layers[1:]):
            la.learn(0.1)
        return [la.delta for la in layers[1:]] + [image.weight_row_mat, conv.bias]

    for a, b in zip(run(1), run(4)):
        np.testing.assert_array_equal(a, b)


def test_parts_cover_the_range_and_errors_in_a_part_reach_the_caller(threads):
    assert split.parts(10, 3) == [(0, 3), (3, 6), (6, 10)]
    threads(2)
    seen = []
    split.over_batch(lambda s, e: seen.append((s, e)), 40)
    assert sorted(seen) == [(0, 20), (20, 40)]

    def fail(s, e):
        if s:
            raise RuntimeError(f"part {s}:{e} failed")

    with pytest.raises(RuntimeError, match="part 20:40 failed"):
        split.over_batch(fail, 40)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_a_thread_count_must_be_a_positive_int(bad, threads):
    with pytest.raises(ValueError, match="threads must be a positive int"):
        split.set_threads(bad)
