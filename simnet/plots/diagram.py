"""The network as a graph (networkx): neurons as nodes in layered columns, weights as edges.

Weight sign is colour on one diverging scale, magnitude is width; large layers are drawn as a
named subset of their neurons plus a "+N" node.
"""
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.colors import TwoSlopeNorm

from .common import WEIGHT_CMAP, save_figure


def network_graph(layers, weights, neurons=None, biases=None, max_neurons=12, subsets=None):
    """The network as a ``networkx.DiGraph``: a node per neuron, an edge per weight.

    ``layers`` is a list of ``{"name", "num_neurons"}``; ``weights[k]`` the
    ``(n_k, n_k+1)`` weight matrix from layer k to k+1; ``neurons[k]`` and
    ``biases[k]`` (optional, None entries allowed) the values shown on the nodes.
    A layer with more than ``max_neurons`` neurons shows ``max_neurons - 1`` of
    them (``subsets[k]`` if given, else its first ones) and one node labelled
    ``+N more`` for the rest.
    Nodes are ``(layer_index, neuron_index)``; the ``+N`` node is ``(k, "more")``.
    """
    g = nx.DiGraph()
    shown = []
    for k, spec in enumerate(layers):
        n = spec["num_neurons"]
        if n <= max_neurons:
            keep = list(range(n))
        elif subsets is not None and subsets[k] is not None:
            keep = sorted(int(i) for i in subsets[k])[: max_neurons - 1]
        else:
            keep = list(range(max_neurons - 1))
        shown.append(keep)
        for i in keep:
            value = None if neurons is None or neurons[k] is None else float(np.ravel(neurons[k])[i])
            bias = None if biases is None or biases[k] is None else float(biases[k][i])
            g.add_node((k, i), layer=spec["name"], layer_index=k, value=value, bias=bias)
        if len(keep) < n:
            g.add_node((k, "more"), layer=spec["name"], layer_index=k, more=n - len(keep), value=None, bias=None)
    for k, w in enumerate(weights):
        if w is None:
            continue
        for i in shown[k]:
            for j in shown[k + 1]:
                g.add_edge((k, i), (k + 1, j), weight=float(w[i, j]))
    return g


def draw_network(layers, weights, neurons=None, biases=None, max_neurons=12, title=None, path=None,
                 subsets=None):
    """Draw ``network_graph``: layered columns, weight sign as colour, magnitude as width."""
    g = network_graph(layers, weights, neurons, biases, max_neurons, subsets)
    pos = {}
    for k in range(len(layers)):
        nodes = [n for n in g.nodes if n[0] == k]
        for r, node in enumerate(nodes):
            pos[node] = (k, (len(nodes) - 1) / 2 - r)
    w = np.array([d["weight"] for _, _, d in g.edges(data=True)])
    wmax = float(np.abs(w).max()) if w.size and np.abs(w).max() > 0 else 1.0
    norm = TwoSlopeNorm(vmin=-wmax, vcenter=0.0, vmax=wmax)
    cmap = plt.get_cmap(WEIGHT_CMAP)
    tallest = max(len([n for n in g.nodes if n[0] == k]) for k in range(len(layers)))
    fig, ax = plt.subplots(figsize=(2.8 * len(layers) + 2, max(3.5, 0.75 * tallest + 1.5)))
    nx.draw_networkx_edges(g, pos, ax=ax, edge_color=[cmap(norm(x)) for x in w],
                           width=list(0.5 + 4.5 * np.abs(w) / wmax), arrows=False)
    values = [d["value"] for _, d in g.nodes(data=True)]
    vmax = max([abs(v) for v in values if v is not None] + [1e-12])
    vnorm = TwoSlopeNorm(vmin=-vmax, vcenter=0.0, vmax=vmax)
    colours = ["white" if v is None else cmap(vnorm(v)) for v in values]
    nx.draw_networkx_nodes(g, pos, ax=ax, node_color=colours, edgecolors="black", node_size=900)
    labels = {}
    for node, d in g.nodes(data=True):
        if d.get("more"):
            labels[node] = f"+{d['more']}"
        elif d["value"] is not None:
            labels[node] = f"{d['value']:.2f}"
        else:
            labels[node] = str(node[1])
    nx.draw_networkx_labels(g, pos, labels=labels, ax=ax, font_size=8)
    for node, d in g.nodes(data=True):
        if d["bias"] is not None:
            ax.annotate(f"b={d['bias']:.2f}", pos[node], xytext=(17, -10), textcoords="offset points",
                        ha="left", fontsize=6)
    for k, spec in enumerate(layers):
        ax.text(k, -(tallest - 1) / 2 - 0.8, f"{spec['name']} ({spec['num_neurons']})", ha="center",
                va="top", fontsize=9)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, label="weight", shrink=0.7)
    ax.set_title(title or "network")
    ax.axis("off")
    ax.margins(0.15)
    fig.graph = g  # the drawn graph, for whoever wants to inspect it
    return save_figure(fig, path)
