"""Mini-batch training, the bounded default history, and save/load of a trained network."""
import json

import numpy as np
import pytest

from simnet import Adam, Network
from simnet.saving import load_network, save_network


def toy_data(n=600, seed=0):
    """Three Gaussian blobs in 20 dimensions: a small classification problem."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = rng.normal(size=(3, 20)) * 2
    x = (centres[labels] + rng.normal(size=(n, 20))).astype(np.float32)
    return x, np.eye(3, dtype=np.float32)[labels]


def image_net(seed=0):
    return Network.build([20, 16, 3], activations=["relu", "softmax"], bias=True, init="he", seed=seed,
                         dtype=np.float32, loss="cross_entropy")


def test_mini_batches_learn_and_stay_float32():
    x, y = toy_data()
    net = image_net()
    opt = Adam(0.01)
    losses = [net.run_epoch(x, y, opt, batch_size=32)[0] for _ in range(5)]
    assert losses[-1] < 0.5 * losses[0]
    loss, accuracy, predicted = net.evaluate(x, y)
    assert accuracy > 0.95 and predicted.shape == (600,)
    for layer in net.layers:
        assert layer.neuron_row_array.dtype == np.float32
        assert layer.weight_row_mat is None or layer.weight_row_mat.dtype == np.float32


def test_batch_of_one_equals_per_sample_steps():
    """A batch of one is the walk-through's per-sample step, whatever path runs it."""
    x, y = toy_data(40)
    a, b = image_net(1), image_net(1)
    for i in range(40):
        a.forward(x[i])
        a.backward(y[i], 0.05)
        b.step(x[i:i + 1], y[i:i + 1], 0.05)
    for la, lb in zip(a.layers, b.layers):
        if la.weight_row_mat is not None:
            np.testing.assert_array_equal(la.weight_row_mat, lb.weight_row_mat)


def test_default_history_stays_within_its_bound_over_a_long_run():
    x, y = toy_data(400)
    net = image_net()
    bound = net.record_summaries(every=3, capacity=32, subset=8, snapshots=4)
    opt = Adam(0.01)
    for _ in range(30):  # 30 epochs x 13 batches: far more steps than any buffer holds
        net.run_epoch(x, y, opt, batch_size=32)
    net.close_histories()
    assert sum(m.history.nbytes for m in net.monitors().values()) == bound
    assert bound < 64 * 2**10
    for key, m in net.monitors().items():
        assert len(m.history) <= m.history.capacity + 1, key
        assert m.steps[0] == 0
    full = net.input.monitor("weights")
    assert len(full.history) <= 5 and full.steps[-1] == 30 * 13  # initial + 390 learn() calls
    np.testing.assert_array_equal(full.values[-1], net.input.weight_row_mat)
    stats = net.layer("hidden").monitor("neurons_stats")
    assert stats.values.shape[1] == 10  # 9 statistics and the fraction of inactive ReLUs
    assert 0 <= stats.values[:, 9].min() and stats.values[:, 9].max() <= 1


def test_save_load_reproduces_predictions_and_continued_training(tmp_path):
    x, y = toy_data()
    straight = image_net(3)
    opt = Adam(0.01)
    for _ in range(2):
        straight.run_epoch(x, y, opt, batch_size=32)

    first = image_net(3)
    opt1 = Adam(0.01)
    first.run_epoch(x, y, opt1, batch_size=32)
    save_network(tmp_path / "net", first, opt1, {"epochs": 1})
    loaded, opt2, info = load_network(tmp_path / "net")
    assert info == {"epochs": 1} and repr(opt2) == repr(opt1)
    np.testing.assert_array_equal(loaded.predict(x), first.predict(x))  # bit for bit
    loaded.run_epoch(x, y, opt2, batch_size=32)
    for a, b in zip(straight.layers, loaded.layers):
        if a.weight_row_mat is not None:
            np.testing.assert_array_equal(a.weight_row_mat, b.weight_row_mat)
        if a.bias is not None:
            np.testing.assert_array_equal(a.bias, b.bias)
    header = json.loads((tmp_path / "net" / "network.json").read_text())
    assert header["format"] == "simnet-network" and header["layers"][1]["activation"] == {"name": "relu"}


def test_load_refuses_bad_files(tmp_path):
    net = image_net()
    folder = tmp_path / "net"
    save_network(folder, net)
    header = json.loads((folder / "network.json").read_text())
    header["version"] = 99
    (folder / "network.json").write_text(json.dumps(header))
    with pytest.raises(ValueError, match="version 99 is newer"):
        load_network(folder)
    header["version"] = 1
    (folder / "network.json").write_text(json.dumps(header))
    data = (folder / "weights.npz").read_bytes()
    (folder / "weights.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="weights.npz"):
        load_network(folder)
    (folder / "network.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a valid simnet network file"):
        load_network(folder)
    with pytest.raises(FileNotFoundError, match="no saved network"):
        load_network(tmp_path / "nothing")
