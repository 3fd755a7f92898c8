"""Figures are inspected: lines, colours, widths, labels, nodes and edges."""
import os

import numpy as np
from matplotlib.colors import to_rgba

from simnet import load_histories
from simnet.plots import draw_network, network_graph, plot_run, source_colour, target_width

from helpers import load_scenario

streetlights = load_scenario("streetlights")


def test_streetlights_figures(tmp_path, capsys):
    streetlights.main(["--plots", str(tmp_path)])
    histories, info = load_histories(tmp_path / "history.npz")
    import matplotlib.pyplot as plt
    paths = plot_run(histories, info, tmp_path / "again")
    assert len(paths) == 9
    from simnet.plots import plot_weights, plot_errors, plot_neurons
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


def test_cli_redraws_a_saved_run(tmp_path, capsys):
    from simnet.cli import main

    streetlights.main(["--plots", str(tmp_path / "run"), "--max-iter", "20"])
    capsys.readouterr()
    assert main(["plot", str(tmp_path / "run" / "history.npz"), "--plots", str(tmp_path / "again")]) == 0
    printed = capsys.readouterr().out.split()
    assert len(printed) == 9 and all(os.path.exists(p) for p in printed)
    (tmp_path / "bad.npz").write_bytes(b"junk")
    assert main(["plot", str(tmp_path / "bad.npz")]) == 2
    assert "cannot read simnet history" in capsys.readouterr().err
