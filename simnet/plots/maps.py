"""Figures of a network of neuron maps: learned filters, feature maps, and the network as blocks.

Like the walk-through figures, each function takes plain arrays (or, for the
diagram, the layers), returns the figure and saves it when given a ``path``.
``plot_cnn_run`` draws every figure of a convolutional run, reusing the loss and
accuracy curves, confusion matrix, predictions and summaries of
``simnet.plots.images``.
"""

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle

from .common import finite_limit, save_figure

FILTER_CMAP = "seismic"  # diverging, centred at 0: blue negative, red positive
MAP_CMAP = "viridis"


def filters_from_weights(weights, in_channels, kernel_size):
    """The im2col weights ``(C_in * kh * kw, filters)`` as filters ``(filters, C_in, kh, kw)``."""
    kh, kw = kernel_size
    return np.asarray(weights).T.reshape(-1, in_channels, kh, kw)


def mosaic(tiles, cols, gap=1):
    """``(n, h, w)`` tiles as one image, ``cols`` per row, separated by ``gap`` NaN pixels (drawn blank)."""
    n, h, w = tiles.shape
    rows = -(-n // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan)
    for k in range(n):  # one tile at a time: this is drawing, not the hot path
        r, c = divmod(k, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = tiles[k]
    return out


def plot_filters(initial, final, in_channels, kernel_size, name="conv", path=None, labels=("initial", "final"),
                 source=None):
    """The filters of one convolution as image tiles: initial, final, and the change (final - initial).

    ``initial`` and ``final`` are the weights its source owns, ``(C_in * kh * kw,
    filters)``.  With one input map the filters are laid out in a grid; with
    several, one row per filter and one column per input map.  Initial and final share
    one diverging scale centred at 0 (one colour bar); the change has its own.
    """
    kh, kw = kernel_size
    panels = []
    initial, final = np.asarray(initial, dtype=float), np.asarray(final, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        change = final - initial
    for w in (initial, final, change):
        f = filters_from_weights(w, in_channels, kernel_size)
        n = f.shape[0]
        if in_channels == 1:
            cols = int(np.ceil(np.sqrt(n)))
            panels.append(mosaic(f[:, 0], cols))
        else:  # row f, column c: filter f's kernel over input map c
            panels.append(mosaic(f.reshape(-1, kh, kw), in_channels))
    n_filters = filters_from_weights(initial, in_channels, kernel_size).shape[0]
    height, width = panels[0].shape
    scale = 13 / max(3 * width, 1)
    fig, axes = plt.subplots(1, 3, figsize=(max(3 * width * scale, 9) + 2.5, max(height * scale, 2.5) + 1.4),
                             layout="constrained")
    fig.get_layout_engine().set(wspace=0.06)  # the initial and final panels apart
    cmap = plt.get_cmap(FILTER_CMAP).with_extremes(bad="white")
    shared = finite_limit(np.concatenate([panels[0].ravel(), panels[1].ravel()]))
    fig.images = []
    for k, (ax, image, when) in enumerate(zip(axes, panels, (*labels, "change (final - initial)"))):
        lim = shared if k < 2 else finite_limit(image)
        im = ax.imshow(image, cmap=cmap, vmin=-lim, vmax=lim, interpolation="nearest")
        fig.images.append(im)
        ax.set_title(when, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        if in_channels > 1:
            ax.set_xlabel(f"input map (0-{in_channels - 1})", fontsize=8)
            ax.set_ylabel(f"filter (0-{n_filters - 1})", fontsize=8)
        if k == 1:
            fig.colorbar(im, ax=axes[:2].tolist(), shrink=0.8, label="weight (initial and final)")
        elif k == 2:
            fig.colorbar(im, ax=ax, shrink=0.8, label="change")
    where = f" ({source}\u2192{name} weights)" if source else ""
    fig.suptitle(f"{name}: {n_filters} filters {kh}x{kw} over {in_channels} input map"
                 f"{'s' if in_channels > 1 else ''}{where}", fontsize=10)
    fig.filters = [filters_from_weights(w, in_channels, kernel_size) for w in (initial, final)]
    return save_figure(fig, path)


def plot_feature_maps(maps, image=None, title=None, path=None, max_maps=32, cols=10):
    """The feature maps of one sample: for each layer a grid of its channels, ``cols`` to a row.

    ``maps`` is ``{layer name: (channels, height, width)}`` in order; ``image`` the
    input image ``(height, width)`` drawn first.  Each layer has its own colour
    scale (``viridis``: dark is 0 after a ReLU), with its colour bar.
    """
    names = list(maps)
    blocks = []
    for name in names:
        m = np.asarray(maps[name], dtype=float)[:max_maps]
        c = min(cols, len(m))
        blocks.append((name, m, c, -(-len(m) // c)))
    heights = ([1.6] if image is not None else []) + [r * 1.0 + 0.35 for _, _, _, r in blocks]
    fig = plt.figure(figsize=(12, sum(heights) + 1.0), layout="constrained")
    grid = fig.add_gridspec(len(heights), 1, height_ratios=heights)
    r = 0
    if image is not None:
        ax = fig.add_subplot(grid[0])
        ax.imshow(image, cmap="gray_r")
        ax.set_title("input image", fontsize=9, loc="left")
        ax.axis("off")
        r = 1
    for name, m, c, rows in blocks:
        ax = fig.add_subplot(grid[r])
        im = ax.imshow(mosaic(m, c), cmap=MAP_CMAP, interpolation="nearest", aspect="equal")
        total = np.asarray(maps[name]).shape[0]
        ax.set_title(f"{name}: {total} maps {m.shape[1]}x{m.shape[2]}"
                     + (f" (first {max_maps})" if total > max_maps else "") + f", {c} to a row, numbered from 0",
                     fontsize=9, loc="left")
        ax.set_xticks([(m.shape[2] + 1) * k + m.shape[2] / 2 - 0.5 for k in range(c)], [str(k) for k in range(c)],
                      fontsize=6)
        ax.set_yticks([(m.shape[1] + 1) * k + m.shape[1] / 2 - 0.5 for k in range(rows)],
                      [str(k * c) for k in range(rows)], fontsize=6)
        for spine in ax.spines.values():
            spine.set_visible(False)
        fig.colorbar(im, ax=ax, pad=0.01, fraction=0.03, label="value")
        r += 1
    fig.suptitle(title or "feature maps", fontsize=10)
    return save_figure(fig, path)


def _spec(layer):
    """A layer as the plain data the block figures use (live layers or ``map_specs`` dicts)."""
    if isinstance(layer, dict):
        return layer

    return map_specs([layer])[0]


def _label(spec):
    shape = tuple(spec["shape"])
    text = f"{shape[0]}@{shape[1]}x{shape[2]}" if len(shape) == 3 else f"{shape[0]}"
    return f"{spec['name']}\n{spec['kind']}\n{text}"


def map_network_graph(layers):
    """The network as a ``networkx.DiGraph`` with one node per layer (not per neuron).

    Node attributes: ``kind``, ``shape``, ``neurons``, ``activation``; edge
    attributes: ``weights`` (the shape of the weights the source owns, or None).
    """
    specs = [_spec(la) for la in layers]
    g = nx.DiGraph()
    for k, la in enumerate(specs):
        g.add_node(la["name"], index=k, kind=la["kind"], shape=tuple(la["shape"]), neurons=la["neurons"],
                   activation=la["activation"])
    for a, b in zip(specs, specs[1:]):
        g.add_edge(a["name"], b["name"], weights=None if a["weights"] is None else tuple(a["weights"]))
    return g


def draw_map_network(layers, title=None, path=None):
    """The network as blocks: a stack of squares for maps (size ~ height, depth ~ channels), a bar for flat layers.

    Each block is labelled with its layer's name, kind and shape; each arrow
    with the weights of that connection (owned by its source), if it has any.
    """
    g = map_network_graph(layers)
    layers = [_spec(la) for la in layers]
    step = 2.0  # distance between blocks
    fig, ax = plt.subplots(figsize=(step * len(layers) * 0.85 + 1, 4.6))
    colours = {"MapInput": "#cccccc", "Conv2D": "#4c72b0", "MaxPool2D": "#dd8452", "Dropout": "#8c8c8c",
               "Flatten": "#937860", "SimpleLayer": "#55a868"}
    tallest = max(la["shape"][1] if len(la["shape"]) == 3 else 0 for la in layers) or 28
    pos = {}
    for k, la in enumerate(layers):
        x = step * k
        colour = colours.get(la["kind"], "#bbbbbb")
        if len(la["shape"]) == 3:
            c, h, w = la["shape"]
            size_h, size_w = 1.25 * h / tallest, 1.25 * w / tallest
            depth = min(c, 8)  # up to 8 squares drawn, offset, for the channels
            for d in range(depth - 1, -1, -1):
                off = 0.05 * d
                ax.add_patch(Rectangle((x - size_w / 2 + off, -size_h / 2 + off), size_w, size_h, facecolor=colour,
                                       edgecolor="black", lw=0.6, alpha=0.9))
        else:
            n = la["shape"][0]
            size_h = min(0.3 + 1.6 * np.sqrt(n / 784), 2.2)
            ax.add_patch(Rectangle((x - 0.1, -size_h / 2), 0.2, size_h, facecolor=colour, edgecolor="black",
                                   lw=0.6))
        pos[la["name"]] = (x, 0.0)
        ax.text(x, -1.3, _label(la), ha="center", va="top", fontsize=7.5)
        if la["activation"] != "linear":
            ax.text(x, 1.15, la["activation"], ha="center", va="bottom", fontsize=7, style="italic")
    for a, b, d in g.edges(data=True):
        (x0, _), (x1, _) = pos[a], pos[b]
        ax.add_patch(FancyArrowPatch((x0 + 0.95, 0), (x1 - 0.7, 0), arrowstyle="-|>", mutation_scale=10,
                                     color="black", lw=0.8))
        if d["weights"] is not None:
            n_in, n_out = d["weights"]
            ax.text((x0 + x1) / 2 + 0.12, 0.08, f"{n_in}x{n_out}\nweights", ha="center", va="bottom", fontsize=6.5,
                    color="darkred")
    ax.set_xlim(-1.0, step * (len(layers) - 1) + 1.0)
    ax.set_ylim(-2.4, 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or "network (one block per layer; weights are owned by the layer on the arrow's left)",
                 fontsize=9)
    fig.graph = g
    return save_figure(fig, path)


def map_specs(layers):
    """The layers as plain data for the map figures: name, kind, shape, activation, weights' shape."""
    specs = []
    for la in layers:
        w = la.weight_row_mat
        spec = {"name": la.name, "kind": type(la).__name__, "shape": [int(s) for s in la.shape],
                "neurons": int(la.num_neurons), "activation": str(la.activation),
                "weights": None if w is None else [int(s) for s in w.shape]}
        if hasattr(la, "kernel_size"):
            spec["kernel_size"] = [int(s) for s in la.kernel_size]
            spec["in_channels"] = int(la.input_shape[0])
            spec["source"] = la.source.name
        specs.append(spec)
    return specs
