"""The architecture issue's promises: one backward step, explicit mode, one vocabulary, loading continues a run."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from simnet import SGD, Adam, Conv2D, MapInput, Network, SimpleLayer
from simnet.saving import load_network, save_network

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_one_learn_for_every_layer_kind():
    found = []
    for folder, _, files in os.walk(os.path.join(ROOT, "simnet")):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name)) as f:
                    found += [name for line in f if re.match(r"\s*def learn\(", line)]
    assert found == ["layer.py"]


def test_plain_number_and_sgd_optimizer_are_the_same_arithmetic():
    a = Network.build([3, 4, 1], seed=3, bias=True)
    b = Network.build([3, 4, 1], seed=3, bias=True)
    x = np.array([[1.0, 0, 1], [0, 1, 1]])
    y = np.array([[1.0], [0.0]])
    for _ in range(5):
        a.step(x, y, 0.2)
        b.step(x, y, SGD(0.2))
    for la, lb in zip(a.layers, b.layers):
        if la.weight_row_mat is not None:
            np.testing.assert_array_equal(la.weight_row_mat, lb.weight_row_mat)
        if la.bias is not None:
            np.testing.assert_array_equal(la.bias, lb.bias)


def test_inference_changes_nothing_and_works_inside_a_monitor():
    net = Network.build([3, 5, 2], activations=["relu", "softmax"], seed=1, bias=True, loss="cross_entropy")
    x = np.random.default_rng(0).random((6, 3))
    y = np.eye(2)[[0, 1, 0, 1, 1, 0]]
    net.step(x, y, 0.1)
    before = [(la.neuron_row_array.copy(), None if la.delta is None else la.delta.copy()) for la in net.layers]
    seen = []

    class Spy:  # a monitor-like hook that predicts while the network trains
        variable = "neurons"

        def record(self):
            seen.append(net.predict(x[:2]))

    net.layer("hidden")._watch["neurons"].append(Spy())
    expected = net.predict(x[:2])
    net.forward(x)  # the spy predicts from inside train()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], expected)
    net.layer("hidden")._watch["neurons"].pop()
    out = net.predict(x)
    np.testing.assert_array_equal(net.predict(x), out)  # twice, the same
    for la, (_neurons, delta) in zip(net.layers, before):
        if la.delta is not None:
            np.testing.assert_array_equal(la.delta, delta)  # inference touched no delta
    assert not hasattr(SimpleLayer, "training")


def test_incoming_weights_are_readable_from_the_layer_they_feed():
    net = Network.build([3, 4, 1], seed=0)
    hidden = net.layer("hidden")
    assert hidden.weights_in is net.input.weight_row_mat
    assert hidden.connection_in == "input→hidden" and net.input.connection_in is None
    assert "input→hidden" in net.summary()


@pytest.mark.parametrize("make, exc, match", [
    (lambda: SimpleLayer("h", 2.5), TypeError, r"layer 'h': num_neurons must be an int, got 2\.5"),
    (lambda: Conv2D("c", 2.5, 3, input_shape=(1, 5, 5)), TypeError, r"layer 'c': filters must be a positive int"),
    (lambda: Conv2D("c", 0, 3, input_shape=(1, 5, 5)), ValueError, r"layer 'c': filters must be a positive int"),
    (lambda: Conv2D("c", 2, "3", input_shape=(1, 5, 5)), TypeError, r"layer 'c': kernel_size must be an int or a pair"),
    (lambda: Conv2D("c", 2, (3, 3, 3), input_shape=(1, 5, 5)), ValueError, r"kernel_size must be an int or a pair"),
    (lambda: MapInput("i", (1, 2.5, 3)), TypeError, r"layer 'i': a shape must be a tuple of positive ints"),
    (lambda: MapInput("i", (1, 0, 3)), ValueError, r"layer 'i': a shape must be a tuple of positive ints"),
    (lambda: SimpleLayer("h", 2, bias="yes"), TypeError, r"layer 'h': bias must be True or False"),
    (lambda: SimpleLayer("h", 2, init=3, target=SimpleLayer("o", 1)), TypeError, r"weight init must be one of"),
    (lambda: SimpleLayer("h", 2, init="zeros", target=SimpleLayer("o", 1)), ValueError, r"unknown weight init 'zeros'"),
])
def test_wrong_type_is_type_error_wrong_value_is_value_error(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_network_takes_the_generators_a_layer_takes():
    rs = np.random.RandomState(0)
    out = SimpleLayer("output", 1)
    inp = SimpleLayer("input", 2, target=out, rng=rs)
    net = Network([inp, out], rng=np.random.RandomState(1))
    net.run_epoch(np.eye(2), np.ones((2, 1)), 0.1, batch_size=1)  # shuffles with the RandomState


def test_saved_arrays_are_named_by_connection_and_layer(tmp_path):
    """weights.npz names what it holds as figures and tables do: weights by their connection, biases by
    their layer, optimizer state after its parameter; a CNN's convolution weights are pool1->conv2's."""
    from simnet.image_networks import build_cnn

    net = Network.build([3, 4, 2], activations=["relu", "softmax"], bias=True, seed=0, loss="cross_entropy")
    opt = Adam(0.01)
    net.step(np.eye(3)[:2], np.eye(2), opt)
    save_network(tmp_path / "dense", net, opt)
    with np.load(tmp_path / "dense" / "weights.npz") as f:
        assert sorted(f.files) == sorted(f"{p}{s}" for p in ("input->hidden", "hidden->output", "hidden.bias",
                                                              "output.bias") for s in ("", ".m", ".v"))
        np.testing.assert_array_equal(f["hidden->output"], net.output.weights_in)
        np.testing.assert_array_equal(f["input->hidden.m"], net.input.weight_state["m"])
    save_network(tmp_path / "cnn", build_cnn(0))
    with np.load(tmp_path / "cnn" / "weights.npz") as f:
        assert {"image->conv1", "pool1->conv2", "conv2.bias", "flatten->dense1", "output.bias"} <= set(f.files)
        assert not any(name[0].isdigit() for name in f.files)


def test_a_save_of_format_1_still_loads(tmp_path):
    """tests/data/format1_save was written by simnet before arrays were named by connection ('0.weights',
    '1.bias_state.m'): it loads, predicts what it predicted then, and saved again it uses the new names."""
    import shutil

    old = os.path.join(ROOT, "tests", "data", "format1_save")
    with open(os.path.join(old, "network.json")) as f:
        assert '"version": 1' in f.read()
    net, opt, info = load_network(old)
    x = np.array(info["x"])
    np.testing.assert_array_equal(net.predict(x), np.array(info["predicted"]))
    assert isinstance(opt, Adam) and net.input.weight_state["t"] == 3
    assert len(net.input.history("weights_stats")) == 4  # the initial weights and three steps
    shutil.copytree(old, tmp_path / "old")
    save_network(tmp_path / "old", net, opt, info)
    again, _, _ = load_network(tmp_path / "old")
    np.testing.assert_array_equal(again.predict(x), np.array(info["predicted"]))
    with np.load(tmp_path / "old" / "weights.npz") as f:
        assert "input->hidden" in f.files and "0.weights" not in f.files


def test_layer_names_that_would_give_two_arrays_one_name_are_refused(tmp_path):
    """Layers 'p' -> 'q.bias' own weights 'p->q.bias'; a layer 'p->q' with a bias would store 'p->q.bias' too."""
    net = Network.build([2, 3, 2], names=["p", "q.bias", "p->q"], bias=True, seed=0)
    with pytest.raises(ValueError, match=r"two arrays would be named 'p->q.bias' in weights.npz; rename a layer"):
        save_network(tmp_path / "n", net)
    assert not os.path.exists(tmp_path / "n")


def test_loading_gives_back_every_history_and_the_monitors_continue(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.random((40, 4)), np.eye(3)[rng.integers(0, 3, 40)]
    net = Network.build([4, 6, 3], activations=["relu", "softmax"], bias=True, seed=2, loss="cross_entropy",
                        init="he")
    net.record_summaries(every=2, capacity=8, subset=3)
    net.layer("hidden").record("neurons", select=[0, 1], every=1, capacity=5, key="two")
    opt = Adam(0.01)
    for _ in range(3):
        net.run_epoch(x, y, opt, batch_size=8)
    net.close_histories()
    save_network(tmp_path, net, opt, {"epochs": 3})
    loaded, opt2, info = load_network(tmp_path)
    assert sorted(loaded.all_histories()) == sorted(net.all_histories())
    for key, h in net.all_histories().items():
        g = loaded.all_histories()[key]
        np.testing.assert_array_equal(g.steps, h.steps, err_msg=key)
        np.testing.assert_array_equal(g.values, h.values, err_msg=key)
    # both go on for two more epochs: the histories stay the same, step numbers continue
    for network, o in ((net, opt), (loaded, opt2)):
        for _ in range(2):
            network.run_epoch(x, y, o, batch_size=8)
        network.close_histories()
    for key, h in net.all_histories().items():
        g = loaded.all_histories()[key]
        np.testing.assert_array_equal(g.steps, h.steps, err_msg=key)
        np.testing.assert_allclose(g.values, h.values, err_msg=key)
    assert loaded.layer("hidden").history("two").steps[-1] == 5 * 5 - 1  # 5 epochs of 5 batches: train() steps 0..24


def test_loading_refuses_a_history_that_does_not_fit(tmp_path):
    net = Network.build([2, 3, 1], seed=0)
    net.layer("hidden").record("neurons")
    net.fit(np.eye(2), np.ones((2, 1)), 0.1, max_iter=2)
    save_network(tmp_path, net)
    other = Network.build([2, 4, 1], seed=0)
    other.layer("hidden").record("neurons")
    from simnet.history import save_histories

    save_histories(os.path.join(tmp_path, "history.npz"), other.all_histories())
    with pytest.raises(ValueError, match=r"history 'hidden/neurons' does not fit the saved network"):
        load_network(tmp_path)


def _scenario(args, cwd):
    env = {**os.environ, "PYTHONPATH": ROOT, "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, os.path.join(ROOT, "scenarios", "mnist.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_load_continues_the_saved_schedule_and_refuses_contradictions(tmp_path):
    from helpers import tiny_image_set

    data = ["--data", str(tiny_image_set(tmp_path / "data")), "--no-download", "--no-plots", "--batch-size", "50", "--hidden", "16"]
    first = _scenario(data + ["--epochs", "1", "--optimizer", "momentum", "--lr", "0.0261", "--lr-decay", "0.5",
                              "--save", "run"], tmp_path)
    assert first.returncode == 0, first.stderr
    data.remove("--hidden"), data.remove("16")
    again = _scenario(data + ["--epochs", "1", "--load", "run"], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "continuing the saved optimizer momentum, lr 0.0261, lr-decay 0.5" in again.stdout
    assert "momentum lr 0.0261 (x0.5/epoch)" in again.stdout
    override = _scenario(data + ["--epochs", "0", "--load", "run", "--lr", "0.01"], tmp_path)
    assert "from the command line: lr 0.01 (saved: 0.0261)" in override.stdout
    for bad, words in ((["--hidden", "32"], "--hidden 32 contradicts the loaded network"),
                       (["--activation", "tanh"], "--activation tanh contradicts the loaded network"),
                       (["--dtype", "float64"], "--dtype float64 contradicts the loaded network")):
        refused = _scenario(data + ["--epochs", "1", "--load", "run", *bad], tmp_path)
        assert refused.returncode == 2 and words in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
