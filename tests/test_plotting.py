"""Figures are inspected: lines, colours, widths, labels, nodes and edges."""
import os

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from simnet import load_histories
from simnet.plots import (draw_network, network_graph, plot_errors, plot_neurons, plot_run, plot_weights,
                          source_colour, target_width)
from simnet.streetlights import STREETLIGHTS

from helpers import load_scenario

streetlights = load_scenario("streetlights")
FIGURES = ["error.png", "input_to_hidden_weights.png", "hidden_to_output_weights.png", "input_neurons.png",
           "hidden_neurons.png", "output_neurons.png", "network.png", "health.png"]


@pytest.fixture(scope="module")
def seed0_run(tmp_path_factory):
    """One streetlights run with seed 0 and every figure, shared by the tests that inspect it (each run
    draws every figure: seconds of the default tier's time)."""
    folder = tmp_path_factory.mktemp("seed0")
    assert streetlights.main(["--plots", str(folder)]) == 0
    return folder


def test_streetlights_figures(seed0_run, tmp_path):
    assert sorted(f for f in os.listdir(seed0_run) if f.endswith(".png")) == sorted(FIGURES)
    histories, info = load_histories(seed0_run / "history.npz")
    paths = plot_run(histories, info, tmp_path / "again")
    assert sorted(os.path.basename(p) for p in paths) == sorted(FIGURES)
    h = histories["input/weights"]
    fig = plot_weights(h.steps, h.values, "input", "hidden")
    ax = fig.axes[0]
    assert ax.get_title() == "input to hidden weight"
    lines = ax.get_lines()
    assert len(lines) == 12
    labels = [line.get_label() for line in lines]
    assert labels[0] == "weight input:hidden[0:0]" and labels[-1] == "weight input:hidden[2:3]"
    for line in lines:
        i, j = map(int, line.get_label().split("[")[1].rstrip("]").split(":"))
        assert to_rgba(line.get_color()) == to_rgba(source_colour(i))
        assert line.get_linewidth() == target_width(j)
        np.testing.assert_array_equal(line.get_ydata(), h.values[:, i, j])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == labels
    e = plot_errors(histories["error/samples"].steps, histories["error/samples"].values,
                    histories["error/average"].values, labels=info["sample_labels"])
    assert [line.get_label() for line in e.axes[0].get_lines()][-1] == "average"
    assert len(e.axes[0].get_lines()) == 5
    n = plot_neurons(histories["hidden/neurons"].steps, histories["hidden/neurons"].values, "hidden")
    assert n.axes[0].get_title() == "hidden neuron history"
    assert all(line.get_linestyle() == "None" and line.get_marker() == "." for line in n.axes[0].get_lines())
    plt.close("all")


def test_network_graph_has_a_node_per_neuron_and_an_edge_per_weight():
    layers = [{"name": "input", "num_neurons": 3}, {"name": "hidden", "num_neurons": 4},
              {"name": "output", "num_neurons": 1}]
    w = [np.arange(12.0).reshape(3, 4) - 6, np.array([[1.0], [-2.0], [0.5], [0.0]])]
    fig = draw_network(layers, w, neurons=[np.ones(3), np.zeros(4), np.array([0.7])])
    g = fig.graph
    assert g.number_of_nodes() == 8 and g.number_of_edges() == 16
    assert g.edges[(0, 2), (1, 3)]["weight"] == 5.0
    edges = fig.axes[0].collections[0]
    assert len(edges.get_linewidths()) == 16
    # sign as colour on one diverging scale: negative blue-ish, positive red-ish
    colours = edges.get_colors()
    weights = [d["weight"] for _, _, d in g.edges(data=True)]
    neg, pos = colours[int(np.argmin(weights))], colours[int(np.argmax(weights))]
    assert neg[2] > neg[0] and pos[0] > pos[2]
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "0.70" in texts and "hidden (4)" in texts


def test_large_layers_are_drawn_as_a_subset():
    layers = [{"name": "input", "num_neurons": 784}, {"name": "hidden", "num_neurons": 128},
              {"name": "output", "num_neurons": 10}]
    w = [np.zeros((784, 128)), np.zeros((128, 10))]
    g = network_graph(layers, w, max_neurons=12)
    assert g.nodes[(0, "more")]["more"] == 784 - 11 and g.nodes[(1, "more")]["more"] == 128 - 11
    assert g.number_of_nodes() == 12 + 12 + 10
    assert g.number_of_edges() == 11 * 11 + 11 * 10
    fig = draw_network(layers, w, max_neurons=12)
    assert "+773" in [t.get_text() for t in fig.axes[0].texts]


@pytest.mark.slow  # the default tier redraws a sweep and a crafted history through simnet plot (test_paths)
def test_cli_redraws_a_saved_run(tmp_path, capsys):
    from simnet.cli import main

    streetlights.main(["--plots", str(tmp_path / "run"), "--max-iter", "20"])
    capsys.readouterr()
    assert main(["plot", str(tmp_path / "run" / "history.npz"), "--plots", str(tmp_path / "again")]) == 0
    printed = capsys.readouterr().out.split()
    assert sorted(map(os.path.basename, printed)) == sorted(FIGURES) and all(os.path.exists(p) for p in printed)
    (tmp_path / "bad.npz").write_bytes(b"junk")
    assert main(["plot", str(tmp_path / "bad.npz")]) == 2
    err = capsys.readouterr().err  # the file and why it is not a history (no zip archive at all)
    assert f"{tmp_path / 'bad.npz'}: not an .npz archive" in err and len(err.strip().splitlines()) == 1, err


# ---- figures that tell the truth at every scale --------------------------------------------------------------
def legend_outside(fig, legend):
    """True when ``legend`` lies outside every axes of ``fig`` that holds data (drawn, in display units)."""
    fig.canvas.draw()
    box = legend.get_window_extent()
    for ax in fig.axes:
        if ax.lines or ax.collections:
            a = ax.get_window_extent()
            if box.x0 < a.x1 - 1 and box.x1 > a.x0 + 1 and box.y0 < a.y1 - 1 and box.y1 > a.y0 + 1:
                return False
    return True


def test_large_connection_draws_the_weights_that_changed_most_in_distinct_colours_and_bounded_widths():
    from simnet.plots.common import LINE_WIDTH, MAX_LINES

    rng = np.random.default_rng(0)
    first = rng.normal(size=(100, 30))
    change = np.zeros((100, 30))
    moved = [(5, 3), (99, 29), (0, 0), (42, 17)]
    for k, (i, j) in enumerate(moved):
        change[i, j] = 5.0 - k
    steps = np.arange(6) * 50
    values = first + np.linspace(0, 1, 6)[:, None, None] * change
    fig = plot_weights(steps, values, "input", "hidden", unit="batch")
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == MAX_LINES
    assert [tuple(p) for p in fig.pairs[:4]] == moved  # largest change first
    assert lines[0].get_label() == "weight input:hidden[5:3]"
    colours = [to_rgba(line.get_color()) for line in lines]
    assert len(set(colours)) == len(colours)
    assert all(LINE_WIDTH[0] <= line.get_linewidth() <= LINE_WIDTH[1] for line in lines)
    assert "3,000" in ax.get_title() and "changed most" in ax.get_title()
    assert ax.get_xlabel() == "training step (one batch each)"
    assert legend_outside(fig, ax.get_legend())
    # the whole connection over time: without summaries, a time x weight raster of every snapshot
    assert len(fig.axes) >= 2 and "every weight" in fig.axes[1].get_title()
    plt.close("all")


def test_large_connection_with_summaries_draws_percentile_bands(tmp_path):
    from simnet import History
    from simnet.history import summarize

    rng = np.random.default_rng(1)
    values = rng.normal(size=(9, 50, 20)).cumsum(axis=0)
    stats = History((9,), name="input/weights_stats")
    for t in range(9):
        stats.offer(t, summarize(values[t]))
    fig = plot_weights(np.arange(9), values, "pool1", "conv2", stats=stats)
    assert "pool1\u2192conv2" in fig.axes[1].get_title() and "percentiles" in fig.axes[1].get_title()
    assert {"5-95%", "25-75%", "median"} <= {t.get_text() for t in fig.axes[1].get_legend().get_texts()}
    # nothing changed (a loaded run): the figure says so instead of "changed most"
    still = np.repeat(values[:1], 3, axis=0)
    fig = plot_weights(np.arange(3), still, "input", "hidden")
    assert "nothing changed" in fig.axes[0].get_title() and "changed most" not in fig.axes[0].get_title()
    plt.close("all")


@pytest.mark.slow  # a 1,000-iteration run with every figure: the slow tier keeps the default run under a minute
def test_small_connection_legend_is_outside_and_error_figure_too(tmp_path):
    streetlights.main(["--plots", str(tmp_path), "--max-iter", "30"])
    histories, info = load_histories(tmp_path / "history.npz")
    h = histories["input/weights"]
    fig = plot_weights(h.steps, h.values, "input", "hidden", period=h.period)
    assert legend_outside(fig, fig.axes[0].get_legend())
    assert fig.axes[0].get_xlabel().startswith("iteration")
    e = histories["error/samples"]
    fig = plot_errors(e.steps, e.values, histories["error/average"].values, labels=info["sample_labels"])
    assert legend_outside(fig, fig.axes[0].get_legend())
    assert all(float(t).is_integer() for t in fig.axes[0].get_xticks())
    plt.close("all")


@pytest.mark.slow  # a whole 1,000-iteration run with every figure (5 s): the slow tier
def test_per_sample_neuron_figures_name_the_sample_of_every_dot(tmp_path, capsys):
    streetlights.main(["--seed", "1", "--plots", str(tmp_path)])  # 1,000 iterations: thinned
    histories, info = load_histories(tmp_path / "history.npz")
    h = histories["input/neurons"]
    assert h.stride > h.period == 4 and set(h.samples.tolist()) == {0, 1, 2, 3}
    fig = plot_neurons(h.steps, h.values, "input", period=h.period, sample_labels=info["sample_labels"])
    axes = [ax for ax in fig.axes if ax.lines]
    assert len(axes) == 3 * 4  # a panel per neuron and sample: nothing drawn over anything else
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == info["sample_labels"]
    assert "[1 0 1]" in legend.get_texts()[0].get_text()
    assert legend_outside(fig, legend)
    for ax in axes:
        (line,) = ax.lines
        k = info["sample_labels"].index(line.get_label())
        assert line.get_markerfacecolor() == "none"  # hollow
        # each panel shows one sample's input exactly: the streetlights pattern, not a constant
        i = int(ax.get_title().split("[")[1].rstrip("]")) if ax.get_title() else None
        if i is not None:
            np.testing.assert_array_equal(np.unique(line.get_ydata()), [STREETLIGHTS[k][i]])
    sample_colours = {to_rgba(ax.lines[0].get_color()) for ax in axes}
    assert len(sample_colours) == 4
    plt.close("all")


def test_network_diagram_compares_initial_and_final_for_the_same_named_input(seed0_run):
    from simnet.plots.walkthrough_run import plot_network_states

    histories, info = load_histories(seed0_run / "history.npz")
    fig = plot_network_states(histories, info, lambda name: None, info["network"]["layers"])
    assert "[1 0 1]" in fig._suptitle.get_text()
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title().split(",")[0] for ax in panels] == ["initial", "final"]
    # one weight scale for both panels, and a separate, labelled one for neuron values
    labels = [ax.get_ylabel() for ax in fig.axes if not ax.get_title()]
    assert any(label.startswith("weight") for label in labels)
    assert any(label.startswith("neuron value") and "[1 0 1]" in label for label in labels)
    edges = [ax.collections[0] for ax in panels]
    w0 = np.array([d["weight"] for _, _, d in fig.graphs[0].edges(data=True)])
    w1 = np.array([d["weight"] for _, _, d in fig.graphs[1].edges(data=True)])
    wmax = max(np.abs(w0).max(), np.abs(w1).max())
    assert fig.norms["weight"].vmax == wmax and fig.norms["weight"].vmin == -wmax
    for e, w in zip(edges, (w0, w1)):  # the same weight gets the same colour in both panels
        np.testing.assert_allclose(e.get_colors(), plt.get_cmap("coolwarm")(fig.norms["weight"](w)), atol=1e-6)
    # the final network's output for [1 0 1] is the prediction the run printed (0.978)
    out = [d["value"] for n, d in fig.graphs[1].nodes(data=True) if n[0] == 2]
    assert abs(out[0] - 0.978) < 5e-4
    plt.close("all")


def test_output_nodes_are_named_by_their_classes():
    """An image run's diagram names each output neuron by its class ("[9] Ankle boot"), right of the node."""
    from simnet.history import History
    from simnet.plots.diagram import draw_networks
    from simnet.plots.walkthrough_run import plot_network_states

    rng = np.random.default_rng(0)
    layers = [{"name": "input", "num_neurons": 30, "activation": "linear"},
              {"name": "hidden", "num_neurons": 4, "activation": "relu"},
              {"name": "output", "num_neurons": 3, "activation": "softmax"}]
    names = ["cat", "dog", "Ankle boot"]
    histories = {}
    for k, (a, b) in enumerate([(30, 4), (4, 3)]):
        h = History((a, b), capacity=4, name=f"{layers[k]['name']}/weights")
        h.offer(0, rng.normal(size=(a, b)))
        h.offer(1, rng.normal(size=(a, b)))
        histories[h.name] = h
    info = {"class_names": names, "step_unit": "batch"}
    fig = plot_network_states(histories, info, lambda name: None, layers, x=rng.random(30), input_name="image 0")
    for ax in [ax for ax in fig.axes if ax.get_title()]:
        texts = [t.get_text() for t in ax.texts]
        assert [f"[{i}] {n}" for i, n in enumerate(names)] == [t for t in texts if t.endswith(tuple(names))]
        assert "[0]" in texts and "[2]" in texts  # the other layers' nodes keep their indices
    with pytest.raises(ValueError, match="2 output names for the 3 neurons of layer 'output'"):
        draw_networks(layers, [("x", [h.values[0] for h in histories.values()], None, None)], output_names=names[:2])
    plt.close("all")


def test_numbers_are_short_and_non_finite_values_are_named():
    from simnet.plots.common import fmt

    assert fmt(0.7) == "0.70" and fmt(-12.345) == "-12.3" and fmt(1e200) == "1e+200"
    assert fmt(float("nan")) == "nan" and fmt(float("-inf")) == "-inf" and fmt(0) == "0"
    layers = [{"name": "input", "num_neurons": 2}, {"name": "output", "num_neurons": 1}]
    fig = draw_network(layers, [np.array([[1e200], [np.inf]])], neurons=[np.ones(2), np.array([np.nan])],
                       biases=[None, np.array([3e150])])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "nan" in texts and "b 3e+150" in texts
    assert max(len(t) for t in texts) < 20
    plt.close("all")


def test_weight_tiles_and_filters_share_one_colour_scale():
    from simnet.plots.images import plot_weight_tiles
    from simnet.plots.maps import plot_filters

    rng = np.random.default_rng(0)
    w0, w1 = rng.normal(size=(784, 16)) * 0.1, rng.normal(size=(784, 16))
    fig = plot_weight_tiles(w0, w1)
    assert len({im.get_clim() for im in fig.images}) == 1  # initial and final comparable
    assert fig.images[0].get_clim()[1] == pytest.approx(np.abs(w1).max())
    assert any(ax.get_ylabel() == "weight (both panels)" for ax in fig.axes)
    f0, f1 = rng.normal(size=(9 * 3, 5)), rng.normal(size=(9 * 3, 5)) * 3
    fig = plot_filters(f0, f1, 3, (3, 3), "conv2", source="pool1")
    assert fig.images[0].get_clim() == fig.images[1].get_clim()
    assert "pool1\u2192conv2" in fig._suptitle.get_text()
    plt.close("all")


def test_feature_maps_are_a_grid_and_summaries_are_titled_by_connection():
    from simnet import History
    from simnet.history import summarize
    from simnet.plots.images import plot_summaries
    from simnet.plots.maps import plot_feature_maps

    fig = plot_feature_maps({"conv1": np.random.default_rng(0).random((30, 24, 24))}, cols=10)
    image = [ax for ax in fig.axes if ax.images][0].images[0].get_array()
    assert image.shape == (3 * 25 - 1, 10 * 25 - 1)  # 3 rows of 10, not one row of 30
    h = History((9,), name="pool1/weights_stats")
    h.offer(0, summarize(np.ones(4)))
    fig = plot_summaries({"pool1/weights_stats": h}, ["conv1", "pool1", "conv2"])
    assert "pool1\u2192conv2 weights" in [ax.get_title() for ax in fig.axes]
    plt.close("all")


def test_simnet_plot_redraws_a_sweep(tmp_path, capsys):
    from simnet.cli import main

    sweep = load_scenario("sweep")
    assert sweep.main(["streetlights", "--seeds", "0-5", "--max-iter", "100", "--plots", str(tmp_path),
                       "--workers", "1", "--no-progress"]) == 0
    drawn = {p for p in os.listdir(tmp_path) if p.endswith(".png")}
    capsys.readouterr()
    assert main(["plot", str(tmp_path), "--plots", str(tmp_path / "again")]) == 0
    assert set(map(os.path.basename, capsys.readouterr().out.split())) == drawn


@pytest.mark.slow
def test_simnet_plot_redraws_every_figure_of_a_cnn_run(tmp_path, capsys):
    """The CNN on a tiny data set: the run's figures, and the same set again from its saved files alone."""
    from helpers import tiny_image_set

    from simnet.cli import main

    data = tiny_image_set(tmp_path / "data")
    plots, model = tmp_path / "plots", tmp_path / "model"
    assert load_scenario("mnist_cnn").main(["--epochs", "1", "--batch-size", "100", "--no-download", "--data",
                                            str(data), "--plots", str(plots), "--save", str(model)]) == 0
    drawn = {p for p in os.listdir(plots) if p.endswith(".png")}
    assert {"curves.png", "confusion.png", "predictions.png", "summaries.png", "filters_conv1.png",
            "filters_conv2.png", "feature_maps.png", "network.png", "flatten_to_dense1_weights.png",
            "dense1_to_dense2_weights.png", "dense2_to_output_weights.png"} == drawn
    capsys.readouterr()
    for run in (plots, model):
        assert main(["plot", str(run), "--plots", str(tmp_path / "again")]) == 0
        assert set(map(os.path.basename, capsys.readouterr().out.split())) == drawn
