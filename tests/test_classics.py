"""Nielsen's setups as options: N(0,1) and N(0,1/n_in) initialisation, sigmoid outputs with the
quadratic cost, a held-out validation set with early stopping, and starting from given weights."""
import json

import numpy as np
import pytest
from helpers import load_scenario, tiny_image_set

from simnet import SGD, Adam, Momentum, Network
from simnet.epochs import hold_out, run_epochs
from simnet.image_networks import build_cnn
from simnet.saving.init_weights import (
    apply_weights,
    expected_arrays,
    init_from_file,
    load_weights,
    save_weights,
    weight_arrays,
)
from simnet.layer import INITS, SimpleLayer, draw_weights

mnist, mnist_cnn, streetlights = (load_scenario(name) for name in ("mnist", "mnist_cnn", "streetlights"))


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
    net.step(x, y, SGD(eta))
    # Nielsen: z = w a + b, delta_L = (a - y) * s'(z), w -= eta/m * sum(delta a^T), b -= eta/m * sum(delta)
    def sig(z):
        return 1 / (1 + np.exp(-z))

    a1 = sig(x @ w1 + b1)
    a2 = sig(a1 @ w2 + b2)
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = (d2 @ w2.T) * a1 * (1 - a1)
    m = len(x)
    np.testing.assert_allclose(net.layer("hidden").weight_row_mat, w2 - eta / m * a1.T @ d2, rtol=1e-12)
    np.testing.assert_allclose(net.output.bias, b2 - eta / m * d2.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(net.input.weight_row_mat, w1 - eta / m * x.T @ d1, rtol=1e-12)
    np.testing.assert_allclose(net.layer("hidden").bias, b1 - eta / m * d1.sum(axis=0), rtol=1e-12)


# ---- L2 weight decay, Nielsen's form ----------------------------------------------------------------
def sigmoid_net(seed=2):
    return Network.build([3, 4, 2], activations=["sigmoid", "sigmoid"], bias=True, init="normal", seed=seed,
                         loss="cross_entropy")


X = np.array([[0.1, 0.5, 0.9], [1.0, 0.0, 0.3], [0.2, 0.2, 0.2]])
Y = np.eye(2)[[0, 1, 1]]


def test_l2_with_sgd_is_network2s_update_mini_batch():
    """w -> (1 - eta*lmbda/n) w - (eta/m) sum grad; b -> b - (eta/m) sum grad (network2.py), by hand."""
    net = sigmoid_net()
    w1, w2 = net.input.weight_row_mat.copy(), net.layer("hidden").weight_row_mat.copy()
    b1, b2 = net.layer("hidden").bias.copy(), net.output.bias.copy()
    eta, lmbda, n = 0.5, 5.0, 50
    net.step(X, Y, SGD(eta, l2=lmbda, n=n))
    def sig(z):
        return 1 / (1 + np.exp(-z))

    a1 = sig(X @ w1 + b1)
    a2 = sig(a1 @ w2 + b2)
    d2 = a2 - Y  # CrossEntropyCost.delta
    d1 = (d2 @ w2.T) * a1 * (1 - a1)
    m, shrink = len(X), 1 - eta * lmbda / n
    np.testing.assert_allclose(net.layer("hidden").weight_row_mat, shrink * w2 - eta / m * a1.T @ d2, rtol=1e-12)
    np.testing.assert_allclose(net.input.weight_row_mat, shrink * w1 - eta / m * X.T @ d1, rtol=1e-12)
    np.testing.assert_allclose(net.output.bias, b2 - eta / m * d2.sum(axis=0), rtol=1e-12)  # not decayed
    np.testing.assert_allclose(net.layer("hidden").bias, b1 - eta / m * d1.sum(axis=0), rtol=1e-12)


@pytest.mark.parametrize("make", [lambda **kw: SGD(0.3, **kw), lambda **kw: Momentum(0.3, 0.9, **kw),
                                  lambda **kw: Adam(0.01, **kw)])
def test_l2_shrinks_the_weights_of_every_optimizer_and_never_the_biases(make):
    """The same gradient step, plus the weights shrunk by 1 - alpha*l2/n first: for each optimizer."""
    plain, decayed = sigmoid_net(), sigmoid_net()
    before = weight_arrays(plain)
    opt_plain, opt_decayed = make(), make(l2=2.0, n=40)
    for i in range(3):  # several steps: the optimizer's state (velocity, moments) too
        w0 = weight_arrays(decayed)
        plain_w0 = weight_arrays(plain)
        plain.step(X, Y, opt_plain)
        decayed.step(X, Y, opt_decayed)
        step_plain = {k: weight_arrays(plain)[k] - plain_w0[k] for k in before}
        if i == 0:  # from the same weights, the same gradient: only the shrink differs
            shrink = 1 - opt_decayed.alpha * 2.0 / 40
            for k, v in weight_arrays(decayed).items():
                expected = (shrink * w0[k] if "→" in k else w0[k]) + step_plain[k]
                np.testing.assert_allclose(v, expected, rtol=1e-12, atol=1e-15, err_msg=k)
    assert np.abs(decayed.input.weight_row_mat).sum() < np.abs(plain.input.weight_row_mat).sum()


def test_l2_arguments_are_checked():
    with pytest.raises(ValueError, match="must be 0 or more"):
        SGD(0.1, l2=-1.0, n=10)
    with pytest.raises(TypeError, match="l2 .* must be a number"):
        SGD(0.1, l2="5", n=10)
    with pytest.raises(TypeError, match="n \\(the training-set size"):
        SGD(0.1, l2=5.0)
    with pytest.raises(ValueError, match="n \\(the training-set size"):
        Adam(0.1, l2=5.0, n=0)
    with pytest.raises(ValueError, match="not a shrink: lower l2 or alpha"):
        SGD(3.0, l2=5.0, n=10)
    opt = SGD(0.1).set_l2(5.0, 50000)
    assert (opt.l2, opt.n) == (5.0, 50000) and "l2=5, n=50000" in repr(opt)
    assert SGD(0.1).set_l2(0).l2 == 0  # off


def test_a_rate_that_would_make_l2_grow_the_weights_is_refused_before_any_step(tmp_path, capsys):
    """With L2, 1 - alpha*l2/n must stay a shrink at every rate: a schedule that raises alpha past it is
    refused when the rate is set (nothing changes) and, in run_epochs and the scenarios, before the first
    step, never inside one."""
    opt = SGD(0.1, l2=5.0, n=100)
    assert opt.decay_factor() == 1 - 0.1 * 5.0 / 100
    with pytest.raises(ValueError, match=r"1 - 30\*5/100 = -0.5 a step, which is not a shrink"):
        opt.alpha = 30
    assert opt.alpha == 0.1 and opt.decay_factor() == 0.995  # unchanged
    with pytest.raises(ValueError, match="not a shrink"):
        opt.set_l2(1500.0, 100)
    assert (opt.l2, opt.n) == (5.0, 100)
    net = Network.build([4, 3, 2], activations=["relu", "softmax"], seed=0, loss="cross_entropy")
    x, y = np.eye(4)[[0, 1, 2, 3]], np.eye(2)[[0, 1, 0, 1]]
    before = net.input.weight_row_mat.copy()
    with pytest.raises(ValueError, match=r"learning rate of epoch 3, 5 x 2\^2 = 20: .*not a shrink"):
        run_epochs(net, opt, x, y, x, y, epochs=3, batch_size=2, alpha=5, alpha_decay=2.0)
    np.testing.assert_array_equal(net.input.weight_row_mat, before)
    data = tiny_image_set(tmp_path / "data", n_train=200, n_test=50)
    # n = 200 images: epoch 1's rate 0.5 shrinks by 1 - 0.5*100/200 = 0.75, epoch 3's 4.5 by -1.25
    argv = ["--data", str(data), "--no-download", "--no-plots", "--hidden", "8", "--epochs", "3", "--lr", "0.5",
            "--lr-decay", "3", "--l2", "100"]
    assert mnist.main(argv) == 2
    out, err = capsys.readouterr()
    assert "epoch 1:" not in out
    assert err.strip().splitlines()[-1].startswith("error: --l2 with --lr 0.5 --lr-decay 3: the learning rate of "
                                                   "epoch 3, 0.5 x 3^2 = 4.5:")


def test_l2_is_saved_with_the_optimizer(tmp_path):
    from simnet.saving import load_network, save_network

    net = sigmoid_net()
    save_network(tmp_path / "m", net, Momentum(0.2, l2=5.0, n=50000))
    _, opt, _ = load_network(tmp_path / "m")
    assert isinstance(opt, Momentum) and (opt.l2, opt.n) == (5.0, 50000)


# ---- validation and early stopping ----------------------------------------------------------------
def toy(n=300, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    x = (rng.normal(size=(3, 8))[labels] * 2 + rng.normal(size=(n, 8))).astype(np.float64)
    return x, np.eye(3)[labels]


def net(seed=0):
    return Network.build([8, 6, 3], activations=["sigmoid", "softmax"], bias=True, init="scaled-normal", seed=seed,
                         loss="cross_entropy")


def test_hold_out_takes_the_last_samples():
    x, y = toy(10)
    xt, yt, xv, _ = hold_out(x, y, 3)
    assert len(xt) == 7 and len(xv) == 3
    np.testing.assert_array_equal(xv, x[-3:])
    np.testing.assert_array_equal(yt, y[:7])
    for n, exc, match in ((0, ValueError, "cannot hold out 0 of 10"), (10, ValueError, "leave at least 1"),
                          (True, TypeError, "must be an int"), (2.5, TypeError, "must be an int")):
        with pytest.raises(exc, match=match):
            hold_out(x, y, n)


def test_validation_replaces_the_test_each_epoch(capsys):
    x, y = toy()
    xt, yt, xv, yv = hold_out(x, y, 100)
    network = net()
    run = run_epochs(network, SGD(0.5), xt, yt, x[:5], y[:5], 3, 10, 0.5, x_val=xv, y_val=yv)
    out = capsys.readouterr().out
    assert out.count("validation loss") == 3 and "test loss" not in out
    h = network.histories
    assert len(h["epoch/validation_accuracy"]) == 3 and "epoch/test_accuracy" not in h
    assert run.best_epoch in (1, 2, 3)
    assert run.best_accuracy == max(h["epoch/validation_accuracy"].values)
    assert not run.stopped_early and not run.restored  # no early_stop: the last weights stay


def test_early_stop_keeps_the_best_weights(capsys):
    """A learning rate too small to change any prediction: no epoch after the first is better."""
    x, y = toy()
    xt, yt, xv, yv = hold_out(x, y, 100)
    first = net(4)
    run_epochs(first, SGD(1e-9), xt, yt, xv, yv, 1, 10, 1e-9)
    capsys.readouterr()
    network = net(4)
    run = run_epochs(network, SGD(1e-9), xt, yt, x[:5], y[:5], 20, 10, 1e-9, x_val=xv, y_val=yv, early_stop=2)
    out = capsys.readouterr().out
    assert run.epochs == 3 and run.stopped_early and run.restored and run.best_epoch == 1
    assert "early stop: no better validation accuracy for 2 epochs after epoch 1" in out
    assert "kept the best weights: those of epoch 1" in out
    for a, b in zip(first.layers, network.layers):  # the weights of epoch 1, bit for bit
        if a.weight_row_mat is not None:
            np.testing.assert_array_equal(a.weight_row_mat, b.weight_row_mat)
        if a.bias is not None:
            np.testing.assert_array_equal(a.bias, b.bias)


def test_early_stop_is_checked():
    x, y = toy(20)
    with pytest.raises(ValueError, match="early_stop needs validation data"):
        run_epochs(net(), SGD(0.1), x, y, x, y, 1, 10, 0.1, early_stop=3)
    with pytest.raises(ValueError, match=r"early_stop \(epochs without .*\) must be at least 1"):
        run_epochs(net(), SGD(0.1), x, y, x, y, 1, 10, 0.1, x_val=x, y_val=y, early_stop=0)
    with pytest.raises(TypeError, match=r"early_stop \(epochs without .*\) must be an int, got 1.5"):
        run_epochs(net(), SGD(0.1), x, y, x, y, 1, 10, 0.1, x_val=x, y_val=y, early_stop=1.5)
    with pytest.raises(ValueError, match="give both x_val and y_val"):
        run_epochs(net(), SGD(0.1), x, y, x, y, 1, 10, 0.1, x_val=x)


def test_curves_say_validation_when_validation_was_measured():
    from simnet.plots.images import held_out_curves, plot_curves

    x, y = toy()
    xt, yt, xv, yv = hold_out(x, y, 100)
    network = net()
    run_epochs(network, SGD(0.5), xt, yt, xv, yv, 2, 10, 0.5, x_val=xv, y_val=yv)
    assert held_out_curves(network.histories) == "validation"
    tested = net()
    run_epochs(tested, SGD(0.5), xt, yt, xv, yv, 2, 10, 0.5)
    assert held_out_curves(tested.histories) == "test" and held_out_curves({}) is None
    h = network.histories
    fig = plot_curves(h["epoch/train_loss"].steps, h["epoch/train_loss"].values, h["epoch/train_accuracy"].values,
                      h["epoch/validation_loss"].values, h["epoch/validation_accuracy"].values, held="validation")
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert legend == ["training", "validation"]


# ---- initial weights from a file -------------------------------------------------------------------
def small():
    return Network.build([3, 4, 2], activations=["relu", "softmax"], bias=True, init="he", seed=0,
                         loss="cross_entropy")


@pytest.mark.parametrize("ext", [".json", ".npz"])
def test_weights_round_trip_through_a_file(tmp_path, ext):
    source = Network.build([3, 4, 2], activations=["relu", "softmax"], bias=True, init="normal", seed=7,
                           loss="cross_entropy")
    path = save_weights(tmp_path / f"w{ext}", source)
    target = small()
    assert init_from_file(target, path) == sorted(expected_arrays(target))
    for a, b in zip(source.layers, target.layers):
        if a.weight_row_mat is not None:
            np.testing.assert_array_equal(a.weight_row_mat, b.weight_row_mat)
        if a.bias is not None:
            np.testing.assert_array_equal(a.bias, b.bias)
    assert expected_arrays(target) == {"input→hidden": (3, 4), "hidden→output": (4, 2), "hidden.bias": (4,),
                                       "output.bias": (2,)}


def good():
    return {"input->hidden": np.ones((3, 4)), "hidden->output": np.ones((4, 2)), "hidden.bias": np.zeros(4),
            "output.bias": np.zeros(2)}


@pytest.mark.parametrize("change, match", [
    (lambda a: a.update({"input->hiden": np.ones((3, 4))}), r"w\.npz: unknown key 'input->hiden'; this network takes"),
    (lambda a: a.pop("output.bias"), r"w\.npz: missing key 'output.bias' \(shape \(2,\)\)"),
    (lambda a: a.update({"input->hidden": np.ones((4, 3))}), r"key 'input->hidden' has shape \(4, 3\).*transposed"),
    (lambda a: a.update({"hidden.bias": np.array([0, np.nan, 0, 0])}), r"key 'hidden.bias' contains NaN"),
    (lambda a: a.update({"hidden.bias": np.array([0, np.inf, 0, 0])}), r"key 'hidden.bias' contains NaN or inf"),
    (lambda a: a.update({"hidden.bias": np.array([True, False, True, True])}), r"key 'hidden.bias' must hold numbers"),
    (lambda a: a.update({"hidden.bias": np.array(["a", "b", "c", "d"])}), r"key 'hidden.bias' must hold numbers"),
])
def test_bad_weight_files_are_refused_and_change_nothing(tmp_path, change, match):
    arrays = good()
    change(arrays)
    path = tmp_path / "w.npz"
    np.savez(path, **arrays)
    network = small()
    before = weight_arrays(network)
    with pytest.raises(ValueError, match=match):
        init_from_file(network, path)
    for name, value in weight_arrays(network).items():
        np.testing.assert_array_equal(value, before[name])


@pytest.mark.parametrize("text, match", [
    ('{"input->hidden": [[1, 2, 3, 4]', r"w\.json: not valid JSON \(line 1"),
    ('[[1, 2], [3, 4]]', r"must be one object mapping names to arrays, got list"),
    ('{"hidden.bias": [1, NaN, 0, 0]}', r"NaN is not a number JSON allows"),
    ('{"hidden.bias": [[1, 2], [3]]}', r"key 'hidden.bias' is not a rectangular array"),
    ('{"hidden.bias": ["1", "2", "3", "4"]}', r"key 'hidden.bias' must hold numbers"),
    ('{}', r"holds no arrays"),
])
def test_bad_json_files_are_refused(tmp_path, text, match):
    path = tmp_path / "w.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_weights(path)


def test_ascii_and_unicode_arrows_name_the_same_connection(tmp_path):
    network = small()
    arrays = good()
    arrays["input→hidden"] = arrays.pop("input->hidden")
    apply_weights(network, arrays, "w.npz")  # either arrow
    arrays["input->hidden"] = np.ones((3, 4))
    with pytest.raises(ValueError, match="keys 'input→hidden' and 'input->hidden' both give 'input→hidden'"):
        apply_weights(network, arrays, "w.npz")
    path = save_weights(tmp_path / "w.json", network)
    with open(path) as f:
        keys = set(json.load(f))
    assert keys == {"input->hidden", "hidden->output", "hidden.bias", "output.bias"}


def test_weight_file_names_and_kinds_are_checked(tmp_path):
    with pytest.raises(ValueError, match=r"w\.txt: initial weights must be a \.npz or \.json file"):
        load_weights(tmp_path / "w.txt")
    with pytest.raises(FileNotFoundError, match=r"nope\.npz: no such file"):
        load_weights(tmp_path / "nope.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match=r"junk\.npz: not a readable \.npz file"):
        load_weights(tmp_path / "junk.npz")
    network = Network.build([3, 2], activations=["linear"], dtype=np.float32)
    with pytest.raises(ValueError, match=r"too large for float32"):
        apply_weights(network, {"input->output": np.full((3, 2), 1e300)}, "big.npz")


def test_map_layers_take_weights_by_the_same_names(tmp_path):
    network = build_cnn(seed=0)
    names = expected_arrays(network)
    assert names["image→conv1"] == (25, 30) and names["pool1→conv2"] == (270, 15)
    assert names["conv1.bias"] == (30,) and names["flatten→dense1"] == (375, 128) and "output.bias" in names
    other = build_cnn(seed=1)
    save_weights(tmp_path / "cnn.npz", other)
    init_from_file(network, tmp_path / "cnn.npz")
    np.testing.assert_array_equal(network.input.weight_row_mat, other.input.weight_row_mat)


def test_python_way_is_assigning_weight_row_mat():
    """What the README shows: a layer's weights are assigned in row form, checked and copied in place."""
    network = small()
    view = network.input.weight_col_mat
    network.input.weight_row_mat = np.arange(12.0).reshape(3, 4)
    assert view[1, 0] == 1.0  # the column form follows: same memory
    with pytest.raises(ValueError, match=r"must have shape \(3, 4\)"):
        network.input.weight_row_mat = np.zeros((4, 3))


# ---- the scenarios ----------------------------------------------------------------------------------
def test_streetlights_starts_from_given_weights(tmp_path, capsys):
    """The walk-through's seed-0 weights, given as a file, reproduce its run whatever --seed draws."""
    np.random.seed(0)
    output = SimpleLayer("output", 1)
    hidden = SimpleLayer("hidden", 4, target=output, activation="relu")
    SimpleLayer("input", 3, target=hidden)
    weights = {"input->hidden": hidden.source.weight_row_mat.tolist(), "hidden->output": hidden.weight_row_mat.tolist()}
    path = tmp_path / "walkthrough.json"
    path.write_text(json.dumps(weights))
    assert streetlights.main(["--seed", "5", "--init-weights", str(path), "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert "0 Error = 0.35238" in out and "50 Error = 0.00544" in out and "converged after 58 iterations" in out


def test_streetlights_refuses_a_bad_weight_file(tmp_path, capsys):
    path = tmp_path / "w.json"
    path.write_text('{"input->hidden": [[1, 2, 3]], "hidden->output": [[1], [1], [1], [1]]}')
    assert streetlights.main(["--init-weights", str(path), "--no-plots"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("error: --init-weights: ") and "key 'input->hidden' has shape (1, 3)" in err


@pytest.mark.parametrize("argv, message", [
    (["--validation", "0"], "--validation must be at least 1 image"),
    (["--early-stop", "3"], "--early-stop needs --validation N"),
    (["--validation", "100", "--early-stop", "0"], "--early-stop must be at least 1 epoch"),
    (["--init-weights", "w.npz", "--load", "model"], "--init-weights and --load"),
    (["--init", "gaussian"], "argument --init: invalid choice"),
    (["--output", "relu"], "argument --output: invalid choice"),
    (["--loss", "hinge"], "argument --loss: invalid choice"),
    (["--l2", "-1"], "--l2 must be a finite number >= 0"),
    (["--l2", "nan"], "--l2 must be a finite number >= 0"),
    (["--init", "normal", "--load", "model"], "--init draws new weights, --load brings saved ones"),
])
def test_mnist_refuses_bad_options_in_one_line(capsys, argv, message):
    assert mnist.main(argv) == 2
    assert message in capsys.readouterr().err.strip().splitlines()[-1]


def test_mnist_runs_nielsens_chapter_1_setup_with_validation(tmp_path, capsys):
    data = tiny_image_set(str(tmp_path / "data"))
    argv = ["--hidden", "30", "--activation", "sigmoid", "--output", "sigmoid", "--loss", "squared", "--init",
            "normal", "--optimizer", "sgd", "--lr", "3.0", "--lr-decay", "1", "--batch-size", "10", "--epochs", "2",
            "--validation", "100", "--early-stop", "1", "--no-plots", "--no-download", "--data", data]
    assert mnist.main(argv) == 0
    out = capsys.readouterr().out
    assert "500 training, 100 validation (the last of the training set) and 200 test images" in out
    assert "initial weights: normal; sigmoid outputs, squared loss" in out
    assert "epoch 1: loss" in out and "validation loss" in out and "test loss" not in out.split("test accuracy")[0]
    assert "best validation accuracy" in out and "test accuracy" in out


@pytest.mark.parametrize("scenario", [mnist, mnist_cnn])
def test_image_scenarios_refuse_a_bad_weight_file_or_split(tmp_path, capsys, scenario):
    path = tmp_path / "w.npz"
    np.savez(path, **{"input->hidden": np.zeros((784, 128))})
    common = ["--no-plots", "--no-download", "--epochs", "0", "--data", tiny_image_set(str(tmp_path / "data"))]
    assert scenario.main(["--init-weights", str(path), *common]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --init-weights: ") and str(path) in err and "\n" not in err
    assert scenario.main(["--validation", "10000000", *common]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --validation: cannot hold out 10000000 of") and "\n" not in err
