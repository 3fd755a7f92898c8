"""The network as a graph (networkx): neurons as nodes in layered columns, weights as edges.

Weight sign is colour on one diverging scale, magnitude is width; neuron values have their own,
separately labelled colour scale.  ``draw_networks`` draws several states (initial and final)
side by side on the same two scales, for the same named input; large layers are drawn as a
named subset of their neurons plus a "+N" node.  Every number is formatted short (``fmt``),
and non-finite values (after a divergence) are drawn grey and labelled ``nan``/``inf``.
"""
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.colors import Normalize, TwoSlopeNorm, to_rgba

from ..activations import get_activation
from .common import WEIGHT_CMAP, finite_limit, fmt, save_figure

NEURON_CMAP = "PuOr_r"  # neuron values: a scale of their own (purple negative, orange positive)
NEURON_CMAP_POSITIVE = "Oranges"  # when no value shown is negative
NONFINITE = "0.6"


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


def forward_values(layers, weights, biases, x):
    """The neurons of every layer for one input ``x``, computed from the weights and biases alone.

    ``layers`` carry their ``activation`` names (``Network.structure()``); a dense chain only.
    """
    values = [np.asarray(x, dtype=float).reshape(-1)]
    with np.errstate(all="ignore"):  # a diverged network gives inf/nan: shown as such
        for k in range(1, len(layers)):
            z = values[-1] @ np.asarray(weights[k - 1], dtype=float)
            if biases is not None and biases[k] is not None:
                z = z + np.asarray(biases[k], dtype=float)
            act = get_activation(layers[k].get("activation") or "linear")
            values.append(act.forward(z.reshape(1, -1)).reshape(-1))
    return values


def _draw_panel(ax, g, layers, wnorm, vnorm, vcmap, title, output_names=None):
    cmap = plt.get_cmap(WEIGHT_CMAP)
    pos = {}
    tallest = max(len([n for n in g.nodes if n[0] == k]) for k in range(len(layers)))
    for k in range(len(layers)):
        nodes = [n for n in g.nodes if n[0] == k]
        for r, node in enumerate(nodes):
            pos[node] = (k, (len(nodes) - 1) / 2 - r)
    w = np.array([d["weight"] for _, _, d in g.edges(data=True)], dtype=float)
    ok = np.isfinite(w)
    wmax = wnorm.vmax
    colours = [cmap(wnorm(v)) if f else NONFINITE for v, f in zip(w, ok)]
    widths = np.where(ok, 0.4 + 4.0 * np.clip(np.abs(np.nan_to_num(w)) / wmax, 0, 1), 1.0)
    nx.draw_networkx_edges(g, pos, ax=ax, edge_color=colours, width=list(widths), arrows=False,
                           style=["solid" if f else "dashed" for f in ok])
    values = [d["value"] for _, d in g.nodes(data=True)]
    node_colours = ["white" if v is None else (vcmap(vnorm(v)) if np.isfinite(v) else NONFINITE) for v in values]
    nx.draw_networkx_nodes(g, pos, ax=ax, node_color=node_colours, edgecolors="black", node_size=950)
    labels = {}
    for node, d in g.nodes(data=True):
        if d.get("more"):
            labels[node] = f"+{d['more']}"
        elif d["value"] is not None:
            labels[node] = fmt(d["value"])
        else:
            labels[node] = str(node[1])
    for (node, label), face in zip(labels.items(), node_colours):
        r, gr, b, _ = to_rgba(face)
        dark = 0.299 * r + 0.587 * gr + 0.114 * b < 0.5  # white text on dark nodes only
        ax.text(*pos[node], label, ha="center", va="center", fontsize=8 if len(label) <= 5 else 6,
                color="white" if dark else "black", zorder=5)
    last = len(layers) - 1
    for node, d in g.nodes(data=True):
        if d.get("more"):
            continue
        if output_names is not None and node[0] == last:  # an output: its class, to the right
            ax.annotate(f"[{node[1]}] {output_names[node[1]]}", pos[node], xytext=(19, 0), textcoords="offset points",
                        ha="left", va="center", fontsize=7.5, zorder=6)
        else:  # which neuron it is: large layers show a subset
            ax.annotate(f"[{node[1]}]", pos[node], xytext=(-19, 0), textcoords="offset points", ha="right",
                        va="center", fontsize=6.5, color="0.25", zorder=6,
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})
        if d["bias"] is not None:
            ax.text(pos[node][0], pos[node][1] - 0.36, f"b {fmt(d['bias'])}", ha="center", va="top", fontsize=8,
                    zorder=6, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "0.7", "lw": 0.5})
    for k, spec in enumerate(layers):
        ax.text(k, -(tallest - 1) / 2 - 0.75, f"{spec['name']} ({spec['num_neurons']:,})", ha="center",
                va="top", fontsize=9)
    ax.set_title(title, fontsize=10)
    ax.axis("off")
    ax.set_xlim(-0.5, len(layers) - 0.5 + (0.55 if output_names is not None else 0))
    ax.set_ylim(-(tallest - 1) / 2 - 1.3, (tallest - 1) / 2 + 0.6)
    return pos


def draw_networks(layers, panels, title=None, path=None, max_neurons=12, subsets=None, input_name=None,
                  subset_note=None, output_names=None):
    """Several states of one network side by side, on one weight scale and one neuron-value scale.

    ``panels`` is a list of ``(label, weights, neurons, biases)`` (``neurons``/``biases`` lists
    per layer, None entries allowed).  Every panel shows the same neurons (``subsets``), its edges
    coloured on the one diverging weight scale shared by all panels and its nodes on one
    neuron-value scale (its own colour bar, labelled with ``input_name``).  ``output_names``
    (one per output neuron, e.g. the classes) label the output nodes.  The figure's
    ``graphs`` and ``norms`` (``{"weight", "neuron"}``) are kept for inspection.
    """
    if output_names is not None and len(output_names) != layers[-1]["num_neurons"]:
        raise ValueError(f"draw_networks: {len(output_names)} output names for the "
                         f"{layers[-1]['num_neurons']} neurons of layer {layers[-1]['name']!r}")
    graphs = [network_graph(layers, w, v, b, max_neurons, subsets) for _, w, v, b in panels]
    wmax = finite_limit([d["weight"] for g in graphs for _, _, d in g.edges(data=True)])
    wnorm = TwoSlopeNorm(vmin=-wmax, vcenter=0.0, vmax=wmax)
    vals = np.array([d["value"] for g in graphs for _, d in g.nodes(data=True) if d["value"] is not None],
                    dtype=float)
    finite = vals[np.isfinite(vals)]
    vmax = finite_limit(finite)
    if finite.size and finite.min() >= 0:
        vnorm, vcmap = Normalize(vmin=0.0, vmax=vmax), plt.get_cmap(NEURON_CMAP_POSITIVE)
    else:
        vnorm, vcmap = TwoSlopeNorm(vmin=-vmax, vcenter=0.0, vmax=vmax), plt.get_cmap(NEURON_CMAP)
    tallest = max(len([n for n in graphs[0].nodes if n[0] == k]) for k in range(len(layers)))
    width = 1.9 * len(layers) + 0.8
    fig, axes = plt.subplots(1, len(panels), figsize=(width * len(panels) + 2.6, max(3.8, 0.6 * tallest + 2.0)),
                             squeeze=False, layout="constrained")
    for ax, g, (label, *_rest) in zip(axes[0], graphs, panels):
        _draw_panel(ax, g, layers, wnorm, vnorm, vcmap, label, output_names)
    fig.colorbar(plt.cm.ScalarMappable(norm=wnorm, cmap=WEIGHT_CMAP), ax=axes[0].tolist(), shrink=0.75,
                 label="weight (edges; width ~ |weight|)" + (", both panels" if len(panels) > 1 else ""), pad=0.01)
    if vals.size:
        vlabel = "neuron value (nodes)" + (f" for input {input_name}" if input_name else "")
        fig.colorbar(plt.cm.ScalarMappable(norm=vnorm, cmap=vcmap), ax=axes[0].tolist(), shrink=0.75,
                     label=vlabel, pad=0.01)
    heading = title or "network"
    if subset_note:
        heading += f"\n{subset_note}"
    fig.suptitle(heading, fontsize=11)
    fig.graphs, fig.graph = graphs, graphs[0]
    fig.norms = {"weight": wnorm, "neuron": vnorm}
    return save_figure(fig, path)


def draw_network(layers, weights, neurons=None, biases=None, max_neurons=12, title=None, path=None,
                 subsets=None, input_name=None):
    """Draw ``network_graph`` for one state: layered columns, weight sign as colour, magnitude as width."""
    return draw_networks(layers, [(title or "network", weights, neurons, biases)], title=None, path=path,
                         max_neurons=max_neurons, subsets=subsets, input_name=input_name)
