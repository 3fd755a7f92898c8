"""Figures for image data: weight tiles, confusion matrix, sample predictions,
per-epoch curves and the per-layer summary histories.

Like the walk-through figures, each function takes plain arrays, returns the figure
and saves it when given a ``path``.
"""

import matplotlib.pyplot as plt
import numpy as np

from ..history import STAT_NAMES
from .common import figure_paths, finish, save_figure, strongest
from .diagram import draw_network
from .walkthrough import plot_neurons, plot_weights


def plot_weight_tiles(initial, final, path=None, image_shape=(28, 28), max_tiles=64, title="first-layer weights"):
    """The weights into each of the first hidden neurons as image tiles, initial beside final.

    ``initial`` and ``final`` are ``(n_pixels, n_hidden)`` weight matrices (the input
    layer's ``weight_row_mat``); column j, reshaped to ``image_shape``, is what
    hidden neuron j looks for.  One diverging scale per panel, centred at 0.
    """
    n = min(max_tiles, initial.shape[1])
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    fig = plt.figure(figsize=(2 * cols * 1.1 + 1, rows * 1.1 + 1))
    panels = fig.subfigures(1, 2, wspace=0.05)
    for panel, w, label in ((panels[0], initial, "initial"), (panels[1], final, "final")):
        lim = float(np.abs(w[:, :n]).max()) or 1.0
        axes = panel.subplots(rows, cols, squeeze=False)
        for k, ax in enumerate(axes.flat):
            ax.axis("off")
            if k < n:
                ax.imshow(w[:, k].reshape(image_shape), cmap="seismic", vmin=-lim, vmax=lim)
                ax.set_title(str(k), fontsize=6, pad=1)
        panel.suptitle(f"{title}, {label} (hidden neurons 0-{n - 1})", fontsize=9)
    return save_figure(fig, path)


def confusion_matrix(labels, predictions, n_classes=10):
    """``m[true, predicted]`` = how many samples of class ``true`` were predicted ``predicted``."""
    m = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(m, (np.asarray(labels), np.asarray(predictions)), 1)
    return m


def plot_confusion(labels, predictions, class_names=None, path=None):
    n = len(class_names) if class_names is not None else int(max(np.max(labels), np.max(predictions)) + 1)
    m = confusion_matrix(labels, predictions, n)
    names = class_names or [str(i) for i in range(n)]
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    im = ax.imshow(m, cmap="Blues")
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if m[i, j] > m.max() / 2 else "black")
    ax.set_xticks(range(n), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(n), names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"confusion matrix (accuracy {np.trace(m) / m.sum():.4f})")
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.matrix = m
    return save_figure(fig, path)


def plot_predictions(images, labels, predictions, class_names=None, path=None, n=25):
    """A grid of test images titled ``predicted (true)``; wrong ones in red with a red frame."""
    n = min(n, len(images))
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    names = class_names or [str(i) for i in range(10)]
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.8 * rows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= n:
            ax.axis("off")
            continue
        ax.imshow(images[k], cmap="gray_r")
        wrong = predictions[k] != labels[k]
        colour = "red" if wrong else "black"
        ax.set_title(f"{names[predictions[k]]}" + (f" ({names[labels[k]]})" if wrong else ""),
                     fontsize=7, color=colour)
        for spine in ax.spines.values():
            spine.set_color(colour)
            spine.set_linewidth(2 if wrong else 0.5)
    fig.suptitle("test images: predicted (true, where wrong)", fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_curves(epochs, train_loss, train_accuracy, test_loss, test_accuracy, path=None):
    """Training and test loss and accuracy per epoch."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    a1.plot(epochs, train_loss, "o-", label="training")
    a1.plot(epochs, test_loss, "s-", label="test")
    a1.set_title("loss per epoch")
    a2.plot(epochs, train_accuracy, "o-", label="training")
    a2.plot(epochs, test_accuracy, "s-", label="test")
    a2.set_title("accuracy per epoch")
    for ax, name in ((a1, "loss"), (a2, "accuracy")):
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    return save_figure(fig, path)


def plot_summaries(histories, layer_names, path=None):
    """Per-layer summary histories over time: median, 25-75% and 5-95% bands, and inactive ReLUs.

    One row per layer, columns for its weights, its deltas and its neurons, from the
    ``<layer>/<variable>_stats`` histories (those missing are left blank).
    """
    cols = ("weights", "delta", "neurons")
    fig, axes = plt.subplots(len(layer_names), len(cols), figsize=(13, 2.6 * len(layer_names)), squeeze=False)
    i = {name: k for k, name in enumerate(STAT_NAMES)}
    for r, name in enumerate(layer_names):
        for c, var in enumerate(cols):
            ax = axes[r, c]
            h = histories.get(f"{name}/{var}_stats")
            if h is None or len(h) == 0:
                ax.axis("off")
                continue
            s, v = h.steps, h.values
            ax.fill_between(s, v[:, i["p5"]], v[:, i["p95"]], alpha=0.2, color="C0", label="5-95%")
            ax.fill_between(s, v[:, i["p25"]], v[:, i["p75"]], alpha=0.4, color="C0", label="25-75%")
            ax.plot(s, v[:, i["p50"]], color="C0", lw=1.5, label="median")
            ax.plot(s, v[:, i["mean"]], color="C1", lw=1, ls="--", label="mean")
            ax.set_title(f"{name} {var}", fontsize=9)
            ax.grid(alpha=0.3)
            if v.shape[1] > len(STAT_NAMES):  # fraction of inactive neurons
                twin = ax.twinx()
                twin.plot(s, v[:, len(STAT_NAMES)], color="C3", lw=1, label="inactive fraction")
                twin.set_ylim(0, 1)
                twin.set_ylabel("inactive", color="C3", fontsize=8)
            if r == len(layer_names) - 1:
                ax.set_xlabel("step")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("per-layer summaries over training", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_training_figures(network, test_images, test_labels, predicted, class_names, out):
    """The figures every image run draws; ``out(name)`` gives each one's path. Returns the figures.

    ``curves.png`` (from the ``epoch/*`` histories), ``confusion.png``,
    ``predictions.png`` (25 test images picked with a fixed seed) and
    ``summaries.png`` (the layers' ``*_stats`` histories).
    """
    h = network.histories
    figs = []
    if "epoch/train_loss" in h and len(h["epoch/train_loss"]):
        figs.append(plot_curves(h["epoch/train_loss"].steps, h["epoch/train_loss"].values,
                                h["epoch/train_accuracy"].values, h["epoch/test_loss"].values,
                                h["epoch/test_accuracy"].values, out("curves.png")))
    names = list(class_names)
    figs.append(plot_confusion(test_labels, predicted, names, out("confusion.png")))
    pick = np.random.default_rng(0).choice(len(test_images), min(25, len(test_images)), replace=False)
    figs.append(plot_predictions(test_images[pick], test_labels[pick], predicted[pick], names,
                                 out("predictions.png")))
    figs.append(plot_summaries(network.all_histories(), [la.name for la in network.layers], out("summaries.png")))
    return figs


def plot_image_run(network, test_images, test_labels, predicted, class_names, folder):
    """Every figure of an image-data run into ``folder``; returns the paths.

    ``curves.png``, ``confusion.png``, ``predictions.png``, ``weight_tiles.png``,
    ``summaries.png``, ``network_initial.png`` / ``network_final.png`` (large
    layers drawn as a subset), and the recorded weight and neuron subsets.
    """
    paths, out = figure_paths(folder)
    figs = plot_training_figures(network, test_images, test_labels, predicted, class_names, out)
    layers = network.layers
    full = layers[0].monitors.get("weights")
    if full is not None and len(full.history) >= 2:
        figs.append(plot_weight_tiles(full.values[0], full.values[-1], out("weight_tiles.png")))
    for k, layer in enumerate(layers[:-1]):
        m = layer.monitors.get("weights_subset")
        if m is not None and len(m.history):
            figs.append(plot_weights(m.steps, m.values, layer.name, layers[k + 1].name,
                                     select=m.history.about["select"],
                                     path=out(f"{layer.name}_to_{layers[k + 1].name}_weights.png")))
    for layer in layers[1:]:
        m = layer.monitors.get("neurons_subset")
        if m is not None and len(m.history):
            figs.append(plot_neurons(m.steps, m.values, layer.name, out(f"{layer.name}_neurons.png"),
                                     select=m.history.about["select"]))
    snaps = [la.monitors.get("weights") for la in layers[:-1]]
    if all(m is not None and len(m.history) for m in snaps):
        spec = [{"name": la.name, "num_neurons": la.num_neurons} for la in layers]
        # the same neurons in both diagrams: those whose outgoing weights changed most in training
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged run may hold huge weights
            subsets = [strongest(m.values[-1] - m.values[0], 11) for m in snaps] + [None]
        for when, i in (("initial", 0), ("final", -1)):
            biases = [None] + [la.bias if when == "final" else None for la in layers[1:]]
            figs.append(draw_network(spec, [m.values[i] for m in snaps], biases=biases, subsets=subsets,
                                     title=f"network, {when} (large layers: the 11 neurons whose weights "
                                           f"changed most)", path=out(f"network_{when}.png")))
    finish(figs)
    return paths
