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

from .common import figure_paths, finish, save_figure
from .images import plot_training_figures

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


def plot_filters(initial, final, in_channels, kernel_size, name="conv", path=None):
    """The filters of one convolution as image tiles: initial, final, and the change (final - initial).

    ``initial`` and ``final`` are the weights its source owns, ``(C_in * kh * kw,
    filters)``.  With one input map the filters are laid out in a grid; with
    several, one row per filter and one column per input map.  One diverging
    scale per panel, centred at 0.
    """
    kh, kw = kernel_size
    panels = []
    initial, final = np.asarray(initial), np.asarray(final)
    for w in (initial, final, final - initial):
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
    fig, axes = plt.subplots(1, 3, figsize=(max(3 * width * scale, 9) + 2, max(height * scale, 2.5) + 1.2))
    cmap = plt.get_cmap(FILTER_CMAP).copy()
    cmap.set_bad("white")
    for ax, image, when in zip(axes, panels, ("initial", "final", "change (final - initial)")):
        lim = float(np.nanmax(np.abs(image))) or 1.0
        im = ax.imshow(image, cmap=cmap, vmin=-lim, vmax=lim, interpolation="nearest")
        ax.set_title(when, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        if in_channels > 1:
            ax.set_xlabel(f"input map (0-{in_channels - 1})", fontsize=8)
            ax.set_ylabel(f"filter (0-{n_filters - 1})", fontsize=8)
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle(f"{name}: {n_filters} filters {kh}x{kw} over {in_channels} input map"
                 f"{'s' if in_channels > 1 else ''}", fontsize=10)
    fig.filters = [filters_from_weights(w, in_channels, kernel_size) for w in (initial, final)]
    return save_figure(fig, path)


def plot_feature_maps(maps, image=None, title=None, path=None, max_maps=32):
    """The feature maps of one sample: one row per layer, every channel side by side.

    ``maps`` is ``{layer name: (channels, height, width)}`` in order; ``image`` the
    input image ``(height, width)`` drawn first.  Each layer has its own colour
    scale (``viridis``: dark is 0 after a ReLU).
    """
    names = list(maps)
    rows = len(names) + (image is not None)
    fig = plt.figure(figsize=(14, 1.25 * rows + 1.2))
    heights = [1.0] * rows
    grid = fig.add_gridspec(rows, 1, height_ratios=heights, hspace=0.55)
    r = 0
    if image is not None:
        ax = fig.add_subplot(grid[0])
        ax.imshow(image, cmap="gray_r")
        ax.set_title("input image", fontsize=9, loc="left")
        ax.axis("off")
        r = 1
    for name in names:
        m = np.asarray(maps[name])[:max_maps]
        ax = fig.add_subplot(grid[r])
        im = ax.imshow(mosaic(m, len(m)), cmap=MAP_CMAP, interpolation="nearest", aspect="equal")
        ax.set_title(f"{name}: {np.asarray(maps[name]).shape[0]} maps {m.shape[1]}x{m.shape[2]}"
                     + (f" (first {max_maps})" if len(maps[name]) > max_maps else ""), fontsize=9, loc="left")
        ax.set_xticks([(m.shape[2] + 1) * k + m.shape[2] / 2 - 0.5 for k in range(len(m))],
                      [str(k) for k in range(len(m))], fontsize=6)
        ax.set_yticks([])
        fig.colorbar(im, ax=ax, pad=0.01, fraction=0.02)
        r += 1
    fig.suptitle(title or "feature maps", fontsize=10)
    return save_figure(fig, path)


def _label(layer):
    shape = tuple(layer.shape)
    text = f"{shape[0]}@{shape[1]}x{shape[2]}" if len(shape) == 3 else f"{shape[0]}"
    return f"{layer.name}\n{type(layer).__name__}\n{text}"


def map_network_graph(layers):
    """The network as a ``networkx.DiGraph`` with one node per layer (not per neuron).

    Node attributes: ``kind``, ``shape``, ``neurons``, ``activation``; edge
    attributes: ``weights`` (the shape of the weights the source owns, or None).
    """
    g = nx.DiGraph()
    for k, la in enumerate(layers):
        g.add_node(la.name, index=k, kind=type(la).__name__, shape=tuple(la.shape), neurons=la.num_neurons,
                   activation=str(la.activation))
    for a, b in zip(layers, layers[1:]):
        w = a.weight_row_mat
        g.add_edge(a.name, b.name, weights=None if w is None else tuple(w.shape))
    return g


def draw_map_network(layers, title=None, path=None):
    """The network as blocks: a stack of squares for maps (size ~ height, depth ~ channels), a bar for flat layers.

    Each block is labelled with its layer's name, kind and shape; each arrow
    with the weights of that connection (owned by its source), if it has any.
    """
    g = map_network_graph(layers)
    step = 2.0  # distance between blocks
    fig, ax = plt.subplots(figsize=(step * len(layers) * 0.85 + 1, 4.6))
    colours = {"MapInput": "#cccccc", "Conv2D": "#4c72b0", "MaxPool2D": "#dd8452", "Dropout": "#8c8c8c",
               "Flatten": "#937860", "SimpleLayer": "#55a868"}
    tallest = max(la.shape[1] if len(la.shape) == 3 else 0 for la in layers) or 28
    pos = {}
    for k, la in enumerate(layers):
        x = step * k
        colour = colours.get(type(la).__name__, "#bbbbbb")
        if len(la.shape) == 3:
            c, h, w = la.shape
            size_h, size_w = 1.25 * h / tallest, 1.25 * w / tallest
            depth = min(c, 8)  # up to 8 squares drawn, offset, for the channels
            for d in range(depth - 1, -1, -1):
                off = 0.05 * d
                ax.add_patch(Rectangle((x - size_w / 2 + off, -size_h / 2 + off), size_w, size_h, facecolor=colour,
                                       edgecolor="black", lw=0.6, alpha=0.9))
        else:
            n = la.shape[0]
            size_h = min(0.3 + 1.6 * np.sqrt(n / 784), 2.2)
            ax.add_patch(Rectangle((x - 0.1, -size_h / 2), 0.2, size_h, facecolor=colour, edgecolor="black",
                                   lw=0.6))
        pos[la.name] = (x, 0.0)
        ax.text(x, -1.3, _label(la), ha="center", va="top", fontsize=7.5)
        if str(la.activation) != "linear":
            ax.text(x, 1.15, str(la.activation), ha="center", va="bottom", fontsize=7, style="italic")
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


def plot_cnn_run(network, test_images, test_labels, predicted, class_names, folder, image_index=0):
    """Every figure of a convolutional image run into ``folder``; returns the paths.

    ``curves.png``, ``confusion.png``, ``predictions.png``, ``summaries.png``
    (from ``simnet.plots.images``), ``filters_<conv>.png`` for each convolution,
    ``feature_maps.png`` for test image ``image_index`` and ``network.png``.
    """
    from ..maps import Conv2D, MaxPool2D
    paths, out = figure_paths(folder)
    names = list(class_names)
    figs = plot_training_figures(network, test_images, test_labels, predicted, names, out)
    for la in network.layers:
        if isinstance(la, Conv2D):
            src = la.source
            m = src.monitors.get("weights")
            if m is not None and len(m.history) >= 2:
                initial, final = m.values[0], m.values[-1]
            else:  # no recorded snapshots: the current weights on both sides
                initial = final = src.weight_row_mat
            figs.append(plot_filters(initial, final, la.input_shape[0], la.kernel_size, la.name,
                                     out(f"filters_{la.name}.png")))
    image = test_images[image_index]
    x = np.asarray(image, dtype=network.input.dtype).reshape(1, -1) / 255
    maps = network.feature_maps(x)
    shown = {la.name: maps[la.name][0] for la in network.layers if isinstance(la, (Conv2D, MaxPool2D))}
    label, guess = int(test_labels[image_index]), int(predicted[image_index])
    figs.append(plot_feature_maps(shown, image, path=out("feature_maps.png"),
                                  title=f"feature maps of test image {image_index}: {names[label]}, predicted "
                                        f"{names[guess]} (p = {maps[network.output.name][0, guess]:.3f})"))
    figs.append(draw_map_network(network.layers, path=out("network.png")))
    finish(figs)
    return paths
