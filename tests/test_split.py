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


def blas_threads():
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_a_network_of_split_layers_steps_with_blas_at_one_thread_and_gives_it_back(threads, monkeypatch):
    """While a CNN's step or epoch runs its own threads, BLAS runs one (OpenBLAS's idle threads would spin on
    the same cores); before and after, and in a network of dense layers only, BLAS keeps its setting."""
    from threadpoolctl import threadpool_limits

    from simnet import Network

    threads(2)
    with threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        assert before and set(before) == {2}
        net = build_cnn(0)
        seen = []
        real = Conv2D.train

        def train(layer):
            seen.append(blas_threads())
            return real(layer)

        monkeypatch.setattr(Conv2D, "train", train)
        rng = np.random.default_rng(0)
        x, y = rng.random((40, 784), dtype=np.float32), np.eye(10, dtype=np.float32)[rng.integers(0, 10, 40)]
        net.step(x[:20], y[:20], Adam(0.001))
        net.run_epoch(x, y, Adam(0.001), batch_size=20)
        assert seen and all(set(s) == {1} for s in seen), seen
        assert blas_threads() == before
        dense = Network.build([4, 8, 2], activations=["relu", "linear"], seed=0)
        watched = []
        dense_train = type(dense.output).train
        monkeypatch.setattr(type(dense.output), "train",
                            lambda layer: watched.append(blas_threads()) or dense_train(layer))
        dense.step(np.ones((2, 4)), np.ones((2, 2)), 0.1)
        assert watched and all(w == before for w in watched)
        threads(1)  # simnet's splitting off: nothing to make room for
        seen.clear()
        net.step(x[:20], y[:20], Adam(0.001))
        assert seen and all(s == before for s in seen)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_a_convolution_applies_its_activation_once_in_its_parts(threads, activation):
    """A convolution applies its activation in its own threads, part by part (train); the neurons are the
    activation of the input sums, once, the same as infer's, for any thread count."""
    from simnet.activations import get_activation

    rng = np.random.default_rng(3)
    x = rng.standard_normal((24, 64)).astype(np.float32)
    neurons = {}
    for n in (1, 2):
        threads(n)
        inp = MapInput("in", (1, 8, 8))
        conv = Conv2D("conv", 3, 3, activation=activation, source=inp, rng=np.random.default_rng(0))
        inp.set_neurons(x)
        neurons[n] = conv.train().copy()
        sums = conv.infer_sums(x)
        np.testing.assert_array_equal(neurons[n], get_activation(activation).forward(sums.copy()))
        np.testing.assert_array_equal(neurons[n], conv.infer(x))
    np.testing.assert_array_equal(neurons[1], neurons[2])
