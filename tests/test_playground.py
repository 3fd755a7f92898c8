"""The 2-D playground: Playground's data definitions, features, CSV files, tasks, maps and the scenario."""
import json
import math
import os
import sys

import numpy as np
import pytest

from simnet.optimizers import SGD
from simnet.playground import data as pgdata
from simnet.playground.csvdata import CSVError, read_csv
from simnet.playground.features import check_features, feature_matrix
from simnet.playground.maps import Grid, MapRecorder, fit_domain, grid_inputs, neuron_maps
from simnet.playground.task import Task, build_network

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rng(seed=0):
    return np.random.default_rng(seed)


# ---- the data, definition by definition --------------------------------------------------------

def test_circle_noise_never_moves_points_and_labels_follow_radius_at_noise_0():
    for noise in (0.0, 0.25, 0.5):
        x, y = pgdata.circle(500, noise, rng(1))
        r = np.hypot(x[:, 0], x[:, 1])
        inner, ring = r[:250], r[250:]  # the positive half is drawn at r <= 2.5, the negative at 3.5..5
        assert inner.max() <= 2.5 and ring.min() >= 3.5 and ring.max() <= 5.0
        if noise == 0:
            assert np.all(y[:250] == 1) and np.all(y[250:] == -1)
            assert np.array_equal(y == 1, r < 2.5)
    # noise flips labels (only): at 0.5 some points carry the other side's label
    x, y = pgdata.circle(500, 0.5, rng(1))
    r = np.hypot(x[:, 0], x[:, 1])
    assert 0 < np.count_nonzero((y == 1) != (r < 2.5)) < 250


def test_circle_draws_in_playgrounds_order():
    # per point: radius, angle, noise x, noise y; x = r sin a, y = r cos a
    u = rng(3).random((2, 4))
    x, _ = pgdata.circle(4, 0.0, rng(3))
    r, a = u[0, 0] * 2.5, u[0, 1] * 2 * math.pi
    assert np.allclose(x[0], [r * math.sin(a), r * math.cos(a)])


def test_xor_padding_and_label():
    for noise in (0.0, 0.5):
        x, y = pgdata.xor(500, noise, rng(2))
        assert np.all(np.abs(x) >= 0.3) and np.all(np.abs(x) <= 5.3)
        if noise == 0:
            assert np.array_equal(y == 1, x[:, 0] * x[:, 1] >= 0)
    # Playground's `x > 0 ? padding : -padding`: 0 goes to -0.3
    class Zero:
        def random(self, shape):
            u = np.zeros(shape)
            u[:, :2] = 0.5  # x = y = 0 before the padding
            return u
    x, y = pgdata.xor(3, 0.0, Zero())
    assert np.allclose(x, -0.3) and np.all(y == 1)


def test_gauss_variance_is_half_plus_seven_times_noise():
    assert pgdata.gauss_variance(0) == 0.5 and pgdata.gauss_variance(0.5) == 4.0
    for noise in (0.0, 0.5):
        x, y = pgdata.gauss(20000, noise, rng(4))
        pos, neg = x[y == 1], x[y == -1]
        assert np.allclose(pos.mean(0), [2, 2], atol=0.06) and np.allclose(neg.mean(0), [-2, -2], atol=0.06)
        assert np.allclose(pos.var(0), 0.5 + 7 * noise, rtol=0.05)


def test_spiral_points_lie_on_their_arms_and_noise_moves_them_by_at_most_noise():
    x, y = pgdata.spiral(500, 0.0, rng(5))
    i = np.arange(250)
    r, t = i / 250 * 5, 1.75 * i / 250 * 2 * math.pi
    assert np.allclose(x[:250], np.stack([r * np.sin(t), r * np.cos(t)], 1))
    assert np.allclose(x[250:], np.stack([r * np.sin(t + math.pi), r * np.cos(t + math.pi)], 1))
    assert np.all(y[:250] == 1) and np.all(y[250:] == -1)
    noisy, _ = pgdata.spiral(500, 0.5, rng(5))
    shift = np.abs(noisy - x)
    assert shift.max() <= 0.5 and shift.max() > 0.45  # U(-1, 1) * noise, not scaled by 5


def test_plane_label_is_not_clamped_and_multigauss_clamps():
    x, y = pgdata.plane(1200, 0.0, rng(6))
    assert np.all(np.abs(x) <= 6)
    assert np.allclose(y, (x[:, 0] + x[:, 1]) / 10)
    assert np.abs(y).max() > 1.0  # |label| reaches 1.2
    x, y = pgdata.multigauss(1200, 0.0, rng(7))
    assert np.all(np.abs(x) <= 6) and np.abs(y).max() <= 1
    assert 0.35 < np.mean(y == 0) < 0.65  # about half are exactly 0
    assert pgdata.multigauss_label(np.array(-4.0), np.array(2.5)) == 1.0
    assert pgdata.multigauss_label(np.array(0.0), np.array(2.5)) == -1.0
    assert pgdata.multigauss_label(np.array(4.0), np.array(-2.5)) == -1.0
    assert pgdata.multigauss_label(np.array(0.0), np.array(-1.5)) == pytest.approx(0.5)  # 1 - 1/2 from (0,-2.5,+)


def test_noise_flips_regression_labels_without_moving_points():
    a, _ = pgdata.plane(50, 0.0, rng(8))
    b, yb = pgdata.plane(50, 0.5, rng(8))
    assert np.array_equal(a, b)
    assert not np.allclose(yb, (b[:, 0] + b[:, 1]) / 10)


def test_fisher_yates_shuffle_and_split_are_playgrounds():
    # Playground: counter from n down, index = floor(random * counter), counter--, swap
    u = rng(9).random(5)
    order = list(range(5))
    for k, counter in enumerate(range(5, 0, -1)):
        idx = math.floor(u[k] * counter)
        order[counter - 1], order[idx] = order[idx], order[counter - 1]
    assert pgdata.shuffle(5, rng(9)).tolist() == order
    s = pgdata.playground_data("circle", 0.0, 30, seed=0)
    assert (len(s.x_train), len(s.x_test)) == (150, 350)  # floor(500 * 30 / 100)
    s2 = pgdata.playground_data("circle", 0.0, 30, seed=0)
    assert np.array_equal(s.x_train, s2.x_train)
    p = pgdata.playground_data("plane", 0.1, 50, seed=0)
    assert p.regression and len(p.x_train) + len(p.x_test) == 1200
    with pytest.raises(ValueError, match="noise must be in"):
        pgdata.playground_data("circle", 0.6)
    with pytest.raises(ValueError, match="train ratio must be 10-90"):
        pgdata.playground_data("circle", 0, 95)
    with pytest.raises(ValueError, match="unknown data set 'moons'"):
        pgdata.playground_data("moons")


def test_features():
    x = feature_matrix([[1.0, 2.0]], ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin(x1)", "sin(x2)"])
    assert np.allclose(x, [[1, 2, 1, 4, 2, math.sin(1), math.sin(2)]])
    with pytest.raises(ValueError, match="unknown feature 'x3'"):
        check_features(["x1", "x3"])
    with pytest.raises(ValueError, match="given twice"):
        check_features(["x1", "x1"])


# ---- your own CSV: tasks and every bad file kind ---------------------------------------------------

def write(tmp_path, text, name="points.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_csv_binary_multiclass_and_regression(tmp_path):
    x, y, task = read_csv(write(tmp_path, "x1,x2,label\n1,2,1\n-1,0.5,-1\n3,3,1\n"))
    assert task.kind == "binary" and y.tolist() == [1, -1, 1] and x.tolist() == [[1, 2], [-1, 0.5], [3, 3]]
    _, y, task = read_csv(write(tmp_path, "1,2,0\n-1,0.5,1\n"))  # no header; 0/1 -> -1/+1
    assert task.kind == "binary" and y.tolist() == [-1, 1]
    _, y, task = read_csv(write(tmp_path, "0,0,cat\n1,1,dog\n2,2,bird\n3,3,dog\n"))
    assert task.kind == "multiclass" and task.classes == ["cat", "dog", "bird"] and y.tolist() == [0, 1, 2, 1]
    _, y, task = read_csv(write(tmp_path, "0,0,0.5\n1,1,2.25\n"))
    assert task.kind == "regression" and y.tolist() == [0.5, 2.25]
    _, y, task = read_csv(write(tmp_path, "0,0,0\n1,1,1\n2,2,2\n"), classes=True)
    assert task.kind == "multiclass" and task.classes == ["0", "1", "2"]


@pytest.mark.parametrize("text, message", [
    ("", r"the file is empty"),
    ("x1,x2,label\n", r"has a header and no data"),
    ("1,2,1\n3,4\n", r"line 2: 2 columns, column 'label' is missing"),
    ("1,2,1\n3\n", r"line 2: 1 column, column 'x2' is missing"),
    ("1,2,1\n3,4,1,5\n", r"line 2: 4 columns; expected 3"),
    ("1,2,1\n3,abc,-1\n", r"line 2, column x2: 'abc' is not a number"),
    ("x1,x2,label\n1,2,1\nnan,4,-1\n", r"line 3, column x1: 'nan' is not a finite number"),
    ("1,2,1\n3,4,nan\n", r"line 2, column label: 'nan' is not a finite number"),
    ("1,2,1\n3,4,\n", r"line 2, column label: the label is empty"),
    ("1,2,1\n3,4,1\n", r"every label is '1'"),
    ("1,2,cat\n3,4,cat\n", r"one class only"),
    ("a,b,c\n1,2,1\n", r"line 1: the header is 'a,b,c'"),
])
def test_csv_bad_files_name_the_line_and_column(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(CSVError, match=message) as e:
        read_csv(path)
    assert str(e.value).startswith(path)


# ---- tasks, the network, the maps -------------------------------------------------------------------

def test_network_starts_as_playgrounds_and_loss_is_playgrounds():
    net = build_network(2, [4, 2], "tanh", Task("binary"), seed=0)
    assert [la.num_neurons for la in net.layers] == [2, 4, 2, 1]
    assert str(net.output.activation) == "tanh" and str(net.output.loss) == "squared_error"
    for la in net.layers[:-1]:
        assert np.abs(la.weight_row_mat).max() <= 0.5
    assert all(np.all(la.bias == 0.1) for la in net.layers[1:])
    task = Task("binary")
    assert task.loss(np.array([[0.5], [-1.0]]), np.array([1.0, 1.0])) == pytest.approx((0.125 + 2.0) / 2)
    multi = Task("multiclass", ["a", "b", "c"])
    net = build_network(2, [3], "relu", multi, seed=0)
    assert net.output.num_neurons == 3 and str(net.output.activation) == "softmax"
    assert multi.goals(np.array([2.0, 0.0])).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert multi.loss(np.array([[0.25, 0.25, 0.5]]), np.array([2])) == pytest.approx(math.log(2))
    reg = build_network(2, [3], "tanh", Task("regression"), seed=0)
    assert str(reg.output.activation) == "linear" and Task("regression").accuracy(np.zeros((2, 1)), [0, 1]) is None


def test_maps_are_one_inference_pass_and_change_nothing():
    net = build_network(3, [4, 2], "tanh", Task("binary"), seed=1)
    net.record_all()
    before = {la.name: la.neuron_row_array.copy() for la in net.layers}
    recorded = {k: len(m.history) for k, m in net.monitors().items()}
    grid = Grid((-6, 6), 100)
    assert grid.points.shape == (10000, 2)
    assert grid.points[0].tolist() == [-6, 6] and grid.points[99].tolist() == [6, 6]  # row 0 is the top
    assert grid.points[-1].tolist() == [6, -6]
    inputs = grid_inputs(grid, ["x1", "x2", "x1x2"])
    maps = neuron_maps(net, inputs, 100)
    assert {k: v.shape for k, v in maps.items()} == {"input": (3, 100, 100), "hidden1": (4, 100, 100),
                                                     "hidden2": (2, 100, 100), "output": (1, 100, 100)}
    assert np.allclose(maps["input"][2], (grid.points[:, 0] * grid.points[:, 1]).reshape(100, 100))
    # each pixel is the network's output at that point
    k = 1234
    assert maps["output"][0].ravel()[k] == pytest.approx(net.predict(inputs[k:k + 1])[0, 0])
    h1 = np.tanh(inputs @ net.layer("input").weight_row_mat + 0.1)
    assert np.allclose(maps["hidden1"].reshape(4, -1).T, h1)
    for la in net.layers:
        assert np.array_equal(la.neuron_row_array, before[la.name])
    assert {k: len(m.history) for k, m in net.monitors().items()} == recorded


def test_map_recorder_keeps_bounded_snapshots():
    net = build_network(2, [3], "tanh", Task("binary"), seed=1)
    rec = MapRecorder(net, Grid((-6, 6), 10), ["x1", "x2"], every=1, capacity=4)
    for step in range(20):
        rec.offer(step)
    rec.close(20)
    h = rec.histories["maps/output"]
    assert len(h) <= 5 and h.steps[0] == 0 and h.steps[-1] == 20
    assert h.values.shape[1:] == (1, 10, 10)


def test_domain_widens_for_points_outside():
    assert fit_domain(np.array([[1.0, -5.0]])) == (-6.0, 6.0)
    assert fit_domain(np.array([[1.0, -9.0]])) == (-10.0, 10.0)


def test_l1_moves_weights_towards_zero_and_stops_there():
    opt = SGD(0.1).set_l1(0.5, 1)  # a step of 0.05 towards 0
    w = np.array([[1.0, -0.03], [0.05, -2.0]])
    opt.decay(w)
    assert np.allclose(w, [[0.95, 0.0], [0.0, -1.95]])
    assert repr(opt) == "SGD(alpha=0.1, l1=0.5, n=1)"
    with pytest.raises(ValueError, match="must be 0 or more"):
        SGD(0.1).set_l1(-1, 1)


# ---- the scenario, in process -------------------------------------------------------------------------

def scenario():
    sys.path.insert(0, os.path.join(ROOT, "scenarios"))
    try:
        import playground
    finally:
        sys.path.pop(0)
    return playground


def test_scenario_multiclass_csv_writes_every_map(tmp_path, capsys):
    r = np.random.default_rng(0)
    pts = r.uniform(-8, 8, (120, 2))  # beyond [-6, 6]: the domain widens
    names = np.where(pts[:, 0] > 2, "east", np.where(pts[:, 0] < -2, "west", "middle"))
    csv = tmp_path / "three.csv"
    csv.write_text("x1,x2,label\n" + "".join(f"{a},{b},{c}\n" for (a, b), c in zip(pts, names)))
    plots = tmp_path / "out"
    code = scenario().main(["--csv", str(csv), "--hidden", "5", "--activation", "relu", "--epochs", "30",
                            "--lr", "0.1", "--plots", str(plots), "--no-plots", "--save", str(tmp_path / "saved")])
    out = capsys.readouterr().out
    assert code == 0
    assert "3 classes (east, west, middle): softmax outputs, cross-entropy" in out
    assert "maps over [-9, 9]^2" in out
    with np.load(plots / "maps.npz") as f:
        header = json.loads(str(f["header"]))
        assert header["domain"] == [-9.0, 9.0] and header["layers"] == ["input", "hidden", "output"]
        assert f["output"].shape == (3, 100, 100) and f["hidden"].shape == (5, 100, 100)
        assert np.allclose(f["output"].sum(axis=0), 1, atol=1e-5)  # softmax probabilities
        west = f["output"][:, 50, 2].argmax()  # the left edge, middle row
    assert header["features"] == ["x1", "x2"]
    from simnet.saving.folder import load_network
    saved, optimizer, saved_info = load_network(tmp_path / "saved")  # --save: the network, as every scenario saves
    assert str(saved.output.activation) == "softmax" and saved.output.num_neurons == 3
    assert saved_info["playground"]["classes"] == ["east", "west", "middle"]
    assert sorted(os.listdir(plots / "maps")) == sorted(
        ["input_0_x1.png", "input_1_x2.png", "output_0.png", "output_1.png", "output_2.png"]
        + [f"hidden_{i}.png" for i in range(5)])
    from simnet.history import load_histories
    histories, info = load_histories(plots / "history.npz")
    assert info["playground"]["classes"] == ["east", "west", "middle"] and west == 1
    loss = info["playground"]["loss"]
    assert loss[-1][2] < loss[0][2]  # the test loss fell
    assert len(histories["maps/output"]) >= 2
    # the offline page: maps at every recorded snapshot of the weights, the run's own where it kept them
    from simnet.playground.panel import encode_maps, history_data
    page = history_data(histories, info)
    steps = [s["t"] for s in page["snapshots"]]
    assert steps == sorted({int(t) for t in histories["input/weights"].steps} | {int(t) for t in
                                                                                histories["maps/output"].steps})
    last = encode_maps({"output": histories["maps/output"].values[-1]}, [("output", "softmax")], "output")
    assert page["snapshots"][-1]["maps"]["output"] == last["output"]


def test_scenario_regression_and_bad_csv(tmp_path, capsys):
    code = scenario().main(["--data", "plane", "--hidden", "2", "--epochs", "3", "--plots", str(tmp_path / "p"),
                            "--no-plots", "--regularization", "l1", "--reg-rate", "0.001"])
    out = capsys.readouterr().out
    assert code == 0 and "600 training and 600 test points" in out and "regression" in out
    # a diverging run ends with status 3 and keeps what it recorded up to the last finite step
    out = tmp_path / "d"
    assert scenario().main(["--data", "plane", "--activation", "linear", "--hidden", "8-8", "--lr", "5",
                            "--epochs", "5", "--plots", str(out), "--no-plots"]) == 3
    assert "training diverged at epoch 1" in capsys.readouterr().err
    from simnet.history import load_histories
    histories, info = load_histories(out / "history.npz")  # JSON without NaN: the page can read it
    assert info["test_loss"] is None and info["stopped"] == "diverged" and info["playground"]["loss"][0][0] == 0
    assert np.isfinite(histories["maps/output"].values).all()
    with np.load(out / "maps.npz") as f:
        assert np.isfinite(f["output"]).all()
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,1\n1,x,1\n")
    assert scenario().main(["--csv", str(bad), "--plots", str(tmp_path / "q")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: --csv: {bad} line 3, column x2: 'x' is not a number"]


def test_figures_show_a_map_per_neuron_the_points_and_the_losses(tmp_path):
    import matplotlib.pyplot as plt

    from simnet.plots.playground import decision_maps, map_strip, multiclass_image, representation

    data = pgdata.playground_data("xor", 0.0, 50, seed=0)
    feats = ["x1", "x2", "x1x2"]
    task = Task("binary")
    net = build_network(3, [4, 2], "tanh", task, seed=0)
    grid = Grid((-6, 6), 40)
    rec = MapRecorder(net, grid, feats, every=1, capacity=8)
    x, g = feature_matrix(data.x_train, feats), task.goals(data.y_train)
    for step in range(5):
        rec.offer(step)
        net.step(x[:10], g[:10], SGD(0.03))
    maps = rec.close(5)
    loss = [[0, 0.5, 0.6], [5, 0.4, 0.45]]
    fig = decision_maps(net, grid, maps, task, (data.x_train, data.y_train), (data.x_test, data.y_test), feats,
                        loss=loss, step=5, path=str(tmp_path / "decision_maps.png"))
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == 3 + 4 + 2 + 1  # features, hidden1, hidden2, the output
    titles = [ax.get_title() for ax in images]
    assert titles[:3] == feats and "hidden1[3]" in titles and "hidden2[1]" in titles
    out = next(ax for ax in images if ax.get_title().startswith("output"))
    assert "after 5 steps" in out.get_title() and "test loss 0.4500" in out.get_title()
    assert np.allclose(out.images[0].get_array(), maps["output"][0])
    assert [len(c.get_offsets()) for c in out.collections] == [250, 250]  # training and test points
    curve = next(ax for ax in fig.axes if ax.lines)
    assert [line.get_label() for line in curve.lines] == ["training loss", "test loss"]
    assert curve.lines[1].get_ydata().tolist() == [0.6, 0.45]
    scales = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_text().startswith("colour")]
    assert scales == ["colour ±1", "colour ±1"]  # under each hidden layer
    feature_scales = [t.get_text() for ax in images[:3] for t in ax.texts if t.get_text().startswith("±")]
    assert feature_scales == ["±6", "±6", "±36"]  # each feature on its own scale
    assert os.path.getsize(tmp_path / "decision_maps.png") > 10000
    plt.close(fig)
    strip = map_strip(rec.histories["maps/output"], grid, task, (data.x_train, data.y_train), count=3)
    assert [ax.get_title() for ax in strip.axes if ax.images] == ["after 0 steps", "after 2 steps",
                                                                  "after 5 steps"]
    rep = representation(net, feats, "hidden1", 0, 2, grid.domain, data.x_train, data.y_train, task, lines=5)
    ax_in, ax_out = rep.axes[:2]
    assert len(ax_in.lines) == len(ax_out.lines) == 10  # 5 lines each way
    first = ax_out.lines[0].get_xydata()
    along = np.stack([np.linspace(-6, 6, 241), np.full(241, -6.0)], axis=1)
    expect = np.tanh(feature_matrix(along, feats) @ net.layer("input").weight_row_mat + net.layer("hidden1").bias)
    assert np.allclose(first, expect[:, [0, 2]])
    assert ax_out.get_xlabel() == "hidden1[0]" and ax_out.get_ylabel() == "hidden1[2]"
    # several classes: the winning class's colour, white where it is not sure (1/k)
    img = multiclass_image(np.array([[[1.0, 1 / 3]], [[0.0, 1 / 3]], [[0.0, 1 / 3]]]))
    assert np.allclose(img[0, 1], 1) and not np.allclose(img[0, 0], 1)


@pytest.mark.slow
def test_the_documented_spiral_command_reaches_test_loss_under_0_05(tmp_path, capsys):
    """The command in README.md and docs/playground.md (the spiral at noise 0)."""
    code = scenario().main(["--data", "spiral", "--features", "x1", "x2", "sin(x1)", "sin(x2)", "--hidden", "8-8",
                            "--epochs", "200", "--plots", str(tmp_path), "--no-plots"])
    assert code == 0
    from simnet.history import load_histories
    _, info = load_histories(tmp_path / "history.npz")
    assert info["test_loss"] < 0.05, info["test_loss"]
    assert "test loss 0.01" in capsys.readouterr().out
    # simnet plot draws the playground's figures again from the saved files alone
    from simnet.plots.redraw import redraw
    again = redraw(str(tmp_path), str(tmp_path / "again"))
    names = {os.path.basename(p) for p in again}
    assert {"decision_maps.png", "decision_maps_over_time.png", "representation.png", "network.png"} <= names


def test_csv_that_is_not_a_regular_file_is_refused_at_once(tmp_path, capsys):
    """A FIFO (or a directory) named by --csv is refused within a second, naming the file; it never hangs."""
    import time
    fifo = tmp_path / "points.csv"
    os.mkfifo(fifo)
    start = time.monotonic()
    assert scenario().main(["--csv", str(fifo), "--plots", str(tmp_path / "p"), "--no-plots"]) == 2
    assert time.monotonic() - start < 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(fifo) in err[0] and "not a regular file" in err[0], err
    with pytest.raises(ValueError, match="not a regular file"):
        read_csv(tmp_path)
