"""simnet diff: where two runs of one network part, from their recorded weights."""
import numpy as np

from simnet.compare import diff_runs
from simnet.streetlights import STREETLIGHTS, WALK_VS_STOP, seeded_network


def two_runs(tmp_path, edit_at=8):
    """Streetlights twice from seed 0; in B, one weight is changed after ``edit_at`` samples."""
    folders = []
    for edited in (False, True):
        net = seeded_network(0)
        net.record_all(period=4)
        for k in range(60):
            if edited and k == edit_at:
                w = net.input.weight_row_mat.copy()
                w[1, 2] = 0.9
                net.input.weight_row_mat = w
            net.step(STREETLIGHTS[k % 4:k % 4 + 1], WALK_VS_STOP[k % 4:k % 4 + 1], 0.2)
        folder = tmp_path / ("b" if edited else "a")
        folder.mkdir()
        net.save_history(folder / "history.npz")
        folders.append(str(folder))
    return folders


def test_diff_finds_the_step_and_the_weight_an_edit_changed(tmp_path, capsys):
    a, b = two_runs(tmp_path)
    result = diff_runs(a, b)
    # the edit came between steps 8 and 9, after the weights of step 8 were recorded: the first recorded
    # difference is after step 9 (a fork records its edited weights at its step: see test_rewind)
    assert result.first_step == 9
    name, va, vb = result.first_weights[0]
    assert name == "input→hidden[1, 2]" and abs(vb - 0.9) < 0.05 and abs(va - 0.9) > 0.2
    d = result.distance["input→hidden"]
    assert np.all(d[result.steps < 9] == 0) and d[list(result.steps).index(9)] > 0.2
    assert result.top_neurons and result.top_neurons[0][0] in ("hidden", "output")
    same = diff_runs(a, a)
    assert same.first_step is None and "the runs agree" in same.describe()
    from simnet.cli import main

    assert main(["diff", a, b, "--plot", str(tmp_path / "diff.png")]) == 0
    out = capsys.readouterr().out
    assert "first difference after 9 steps: input→hidden[1, 2]" in out and (tmp_path / "diff.png").exists()


def test_the_diff_figure_shows_the_distances_and_marks_the_first_difference(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from simnet.plots.diff import plot_diff

    a, b = two_runs(tmp_path, edit_at=20)
    result = diff_runs(a, b)
    fig = plot_diff(result, tmp_path / "diff.png", ("a", "b"))
    lines = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    assert {"input→hidden", "hidden→output"} <= set(lines)
    np.testing.assert_array_equal(lines["input→hidden"].get_ydata(), result.distance["input→hidden"])
    assert any("after 21 steps" in t.get_text() and "input→hidden[1, 2]" in t.get_text() for t in fig.axes[0].texts)
    labels = [t.get_text() for t in fig.axes[2].get_yticklabels()]
    assert labels[0] == result.top_weights[0][0]
    assert fig.axes[1].get_legend() is not None


def test_the_explorer_page_shows_the_diff_of_another_run(tmp_path, capsys):
    from simnet.cli import main
    from simnet.explorer.command import diff_page_data

    a, b = two_runs(tmp_path)
    data = diff_page_data(a, b)
    assert data["first_step"] == 9 and data["first_weights"][0][0] == "input→hidden[1, 2]" and data["other"] == "a"
    assert set(data["distance"]) == {"input→hidden", "hidden→output"} and len(data["steps"]) == 61  # 0..60
    assert main(["view", b, "--diff", a, "--no-open"]) == 0
    page = (tmp_path / "b" / "explorer.html").read_text()
    assert '"first_step":9' in page and "Run diff" in page


def test_diff_finds_an_edited_bias_at_its_step(tmp_path):
    """Biases count as weights do: a run whose only change is one bias differs first there, named by it."""
    from simnet import Network

    folders = []
    for edited in (False, True):
        net = Network.build([3, 4, 1], activations=["relu", "sigmoid"], bias=True, seed=0)
        net.record_all(period=4)
        for k in range(40):
            if edited and k == 12:
                net.layer("hidden").bias[0] += 0.5
            net.step(STREETLIGHTS[k % 4:k % 4 + 1], WALK_VS_STOP[k % 4:k % 4 + 1], 0.2)
        folder = tmp_path / ("b" if edited else "a")
        folder.mkdir()
        net.save_history(folder / "history.npz")
        folders.append(str(folder))
    result = diff_runs(*folders)
    assert result.first_step == 13  # recorded after the step that followed the edit
    assert result.first_weights[0][0] == "hidden.bias[0]"
    assert "hidden.bias" in result.distance and result.distance["hidden.bias"][0] == 0
    assert "first difference after 13 steps: hidden.bias[0]" in result.describe()
