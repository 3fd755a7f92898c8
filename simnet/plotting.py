"""Figures of a run: errors, weight and neuron histories, and the network as a graph.

Every function takes plain arrays (what a ``History`` holds, live or loaded from
an ``.npz`` file), draws on a new matplotlib figure, saves it when given a
``path`` and returns the figure, so a figure can be inspected in a test or
shown on screen.  ``plot_run`` draws every figure of a saved run.
"""
import os

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.colors import TwoSlopeNorm

WEIGHT_CMAP = "coolwarm"  # one diverging scale: blue negative, red positive


def _save(fig, path):
    if path is not None:
        folder = os.path.dirname(os.fspath(path))
        if folder:
            os.makedirs(folder, exist_ok=True)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    return fig


def figure_paths(folder):
    """``(paths, out)``: ``out(name)`` gives the path of figure ``name`` in ``folder`` and lists it in ``paths``."""
    os.makedirs(folder, exist_ok=True)
    paths = []

    def out(name):
        paths.append(os.path.join(folder, name))
        return paths[-1]

    return paths, out


def source_colour(i):
    """The colour of source neuron ``i`` in weight figures."""
    return plt.get_cmap("tab10")(i % 10)


def target_width(j):
    """The line width of target neuron ``j`` in weight figures."""
    return 0.8 + 1.0 * j


def plot_errors(steps, per_sample, average, path=None, labels=None, xlabel="iteration"):
    """Error per iteration: one line per sample plus the average (thicker, black)."""
    per_sample = np.asarray(per_sample)
    fig, ax = plt.subplots(figsize=(8, 5))
    for k in range(per_sample.shape[1]):
        label = labels[k] if labels is not None else f"sample {k}"
        ax.plot(steps, per_sample[:, k], lw=1, label=label)
    ax.plot(steps, average, color="black", lw=2.5, label="average")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("error")
    ax.set_title("error per iteration")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_weights(steps, values, source, target, select=None, path=None, max_lines=64):
    """History of every weight of one connection, the walk-through's way.

    Colour by source neuron, line width by target neuron, legend
    ``weight <source>:<target>[i:j]``.  ``values`` is ``(T, n_source, n_target)``,
    or ``(T, k)`` with ``select`` the ``k`` recorded ``(i, j)`` pairs.
    """
    values = np.asarray(values)
    if select is None:
        n_s, n_t = values.shape[1:]
        select = [(i, j) for i in range(n_s) for j in range(n_t)]
        values = values.reshape(len(values), -1)
    select = [tuple(p) for p in select][:max_lines]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for k, (i, j) in enumerate(select):
        ax.plot(steps, values[:, k], color=source_colour(i), lw=target_width(j),
                label=f"weight {source}:{target}[{i}:{j}]")
    ax.set_title(f"{source} to {target} weight")
    ax.set_xlabel("step")
    ax.set_ylabel("weight")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small", ncol=max(1, len(select) // 16), loc="center left", bbox_to_anchor=(1.01, 0.5))
    return _save(fig, path)


def plot_neurons(steps, values, name, path=None, select=None):
    """History of every neuron of one layer, as dots."""
    values = np.asarray(values)
    idx = range(values.shape[1]) if select is None else select
    fig, ax = plt.subplots(figsize=(8, 5))
    for k, i in enumerate(idx):
        ax.plot(steps, values[:, k], ".", ms=3, color=source_colour(i), label=f"{name}[{i}]")
    ax.set_title(f"{name} neuron history")
    ax.set_xlabel("step")
    ax.set_ylabel("value")
    ax.grid(alpha=0.3)
    if len(idx) <= 20:
        ax.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    return _save(fig, path)


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


def strongest(weights, k):
    """Indices of the ``k`` rows of ``weights`` with the largest norms: the neurons worth drawing."""
    return np.sort(np.argsort(-np.linalg.norm(weights, axis=1), kind="stable")[:k])


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
    return _save(fig, path)


def _snapshot(histories, key, index):
    h = histories.get(key)
    if h is None or len(h) == 0:
        return None
    return h.values[index]


def plot_run(histories, info, folder, show=False):
    """Draw every figure of a run from its histories (live or loaded) into ``folder``.

    Writes ``error.png``, ``<source>_to_<target>_weights.png`` per connection,
    ``<layer>_neurons.png`` per layer, ``network_initial.png``,
    ``network_final.png`` and ``network.png`` (both side by side); returns the paths.
    """
    paths, out = figure_paths(folder)
    layers = info["network"]["layers"]
    names = [la["name"] for la in layers]
    figs = []
    if "error/samples" in histories and len(histories["error/samples"]):
        e, a = histories["error/samples"], histories["error/average"]
        figs.append(plot_errors(e.steps, e.values, a.values, out("error.png"), labels=info.get("sample_labels")))
    for k in range(len(layers) - 1):
        h = histories.get(f"{names[k]}/weights")
        if h is not None and len(h):
            figs.append(plot_weights(h.steps, h.values, names[k], names[k + 1], select=h.about.get("select"),
                                     path=out(f"{names[k]}_to_{names[k + 1]}_weights.png")))
    for name in names:
        h = histories.get(f"{name}/neurons")
        if h is not None and len(h):
            sel = h.about.get("select")
            figs.append(plot_neurons(h.steps, h.values, name, out(f"{name}_neurons.png"), select=sel))
    for when, index in (("initial", 0), ("final", -1)):
        weights = [_snapshot(histories, f"{n}/weights", index) for n in names[:-1]]
        if any(w is None or w.ndim != 2 for w in weights):
            break  # full weights were not recorded: no diagram
        neurons = [_snapshot(histories, f"{n}/neurons", index) for n in names]
        neurons = [v if v is not None and v.ndim == 1 and len(v) == la["num_neurons"] else None
                   for v, la in zip(neurons, layers)]
        biases = [_snapshot(histories, f"{n}/bias", index) for n in names]
        figs.append(draw_network(layers, weights, neurons, biases, title=f"network, {when}",
                                 path=out(f"network_{when}.png")))
    if os.path.join(folder, "network_final.png") in paths:
        _side_by_side([os.path.join(folder, "network_initial.png"), os.path.join(folder, "network_final.png")],
                      out("network.png"))
    if show:
        plt.show()
    for fig in figs:
        plt.close(fig)
    return paths


def _side_by_side(images, path):
    fig, axes = plt.subplots(1, len(images), figsize=(8 * len(images), 6))
    for ax, image in zip(axes, images):
        ax.imshow(plt.imread(image))
        ax.axis("off")
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
