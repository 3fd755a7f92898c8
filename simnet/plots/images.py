"""Figures for image data: weight tiles, confusion matrix, sample predictions,
per-epoch curves and the per-layer summary histories.

Like the walk-through figures, each function takes plain arrays, returns the figure
and saves it when given a ``path``.
"""

import matplotlib.pyplot as plt
import numpy as np

from matplotlib.ticker import MaxNLocator

from ..history import STAT_NAMES
from .common import finite_limit, legend_outside, save_figure, time_axis


def plot_weight_tiles(initial, final, path=None, image_shape=(28, 28), max_tiles=64, title="input\u2192hidden weights",
                      labels=("initial", "final")):
    """The weights into each of the first hidden neurons as image tiles, initial beside final.

    ``initial`` and ``final`` are ``(n_pixels, n_hidden)`` weight matrices (the input
    layer's ``weight_row_mat``); column j, reshaped to ``image_shape``, is what
    hidden neuron j looks for.  One diverging scale centred at 0, shared by both panels
    (so they can be compared), with its colour bar.
    """
    n = min(max_tiles, initial.shape[1])
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    lim = finite_limit(np.concatenate([np.asarray(initial)[:, :n].ravel(), np.asarray(final)[:, :n].ravel()]))
    fig = plt.figure(figsize=(2 * cols * 0.75 + 1.4, rows * 0.8 + 1.0), layout="constrained")
    panels = fig.subfigures(1, 3, width_ratios=[1, 1, 0.12], wspace=0.02)
    images = []
    for panel, w, label in ((panels[0], initial, labels[0]), (panels[1], final, labels[1])):
        axes = panel.subplots(rows, cols, squeeze=False)
        for k, ax in enumerate(axes.flat):
            ax.axis("off")
            if k < n:
                images.append(ax.imshow(np.asarray(w, dtype=float)[:, k].reshape(image_shape), cmap="seismic",
                                        vmin=-lim, vmax=lim, interpolation="nearest"))
                ax.set_title(str(k), fontsize=6, pad=1)
        panel.suptitle(f"{label}", fontsize=9)
    cax = panels[2].add_axes([0.1, 0.15, 0.3, 0.7])
    fig.colorbar(images[0], cax=cax, label="weight (both panels)")
    fig.suptitle(f"{title} into hidden neurons 0-{n - 1}, as {image_shape[0]}x{image_shape[1]} tiles; "
                 f"one colour scale", fontsize=10)
    fig.images = images
    return save_figure(fig, path)


def confusion_matrix(labels, predictions, n_classes=10):
    """``m[true, predicted]`` = how many samples of class ``true`` were predicted ``predicted``."""
    m = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(m, (np.asarray(labels), np.asarray(predictions)), 1)
    return m


def plot_confusion(labels, predictions, class_names=None, path=None, matrix=None):
    """The confusion matrix of ``labels`` and ``predictions`` (or the counts ``matrix`` itself)."""
    if matrix is None:
        n = len(class_names) if class_names is not None else int(max(np.max(labels), np.max(predictions)) + 1)
        m = confusion_matrix(labels, predictions, n)
    else:
        m = np.asarray(matrix, dtype=np.int64)
        n = len(m)
    names = list(class_names) if class_names is not None else [str(i) for i in range(n)]
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
    total = m.sum()
    ax.set_title(f"confusion matrix, {total:,} test images (accuracy {np.trace(m) / max(total, 1):.4f})")
    fig.colorbar(im, ax=ax, shrink=0.8, label="test images")
    fig.matrix = m
    return save_figure(fig, path)


def plot_predictions(images, labels, predictions, class_names=None, path=None, n=25, indices=None):
    """A grid of test images titled ``predicted (true)``; wrong ones in red with a red frame."""
    n = min(n, len(images))
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    names = list(class_names) if class_names is not None else [str(i) for i in range(10)]
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.8 * rows + 0.3), squeeze=False)
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
    wrong = int(np.sum(np.asarray(predictions[:n]) != np.asarray(labels[:n])))
    fig.suptitle(f"{n} test images (picked at random, seed 0): predicted (true, where wrong); {wrong} wrong",
                 fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path)


def held_out_curves(histories):
    """What the epochs were measured on besides training: ``"validation"`` (``--validation``: the test set
    is used once, at the end), ``"test"``, or None when no epoch curves were recorded."""
    n = len(histories["epoch/train_loss"]) if "epoch/train_loss" in histories else 0
    return next((k for k in ("validation", "test")
                 if n and f"epoch/{k}_loss" in histories and len(histories[f"epoch/{k}_loss"]) == n), None)


def plot_curves(epochs, train_loss, train_accuracy, test_loss, test_accuracy, path=None, held="test"):
    """Training and test (or, with ``held="validation"``, validation) loss and accuracy per epoch (whole epochs
    on the axis)."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    a1.plot(epochs, train_loss, "o-", label="training")
    a1.plot(epochs, test_loss, "s-", label=held)
    a1.set_title("loss per epoch")
    a2.plot(epochs, train_accuracy, "o-", label="training")
    a2.plot(epochs, test_accuracy, "s-", label=held)
    a2.set_title("accuracy per epoch")
    epochs = np.asarray(epochs)
    for ax, name in ((a1, "loss"), (a2, "accuracy")):
        if len(epochs) and len(epochs) <= 20:  # every epoch a whole-number tick
            ax.set_xticks(epochs)
            ax.set_xlim(epochs.min() - 0.5, epochs.max() + 0.5)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        legend_outside(ax, fontsize="small")
    fig.tight_layout()
    return save_figure(fig, path)


def plot_summaries(histories, layer_names, path=None, unit="batch"):
    """Per-layer summary histories over time: median, 25-75% and 5-95% bands, and inactive ReLUs.

    One row per layer, columns for the weights it owns (titled by the connection, ``input\u2192hidden
    weights``: the weights into the next layer), its deltas and its neurons, from the
    ``<layer>/<variable>_stats`` histories (those missing are left blank).
    """
    cols = ("weights", "delta", "neurons")
    names = list(layer_names)
    rows = [n for n in names if any(f"{n}/{v}_stats" in histories for v in cols)]
    fig, axes = plt.subplots(max(len(rows), 1), len(cols), figsize=(13.5, 2.5 * max(len(rows), 1) + 0.8),
                             squeeze=False, layout="constrained")
    i = {name: k for k, name in enumerate(STAT_NAMES)}
    xlabel = time_axis([], unit)[1]
    for r, name in enumerate(rows):
        k = names.index(name)
        target = names[k + 1] if k + 1 < len(names) else None
        for c, var in enumerate(cols):
            ax = axes[r, c]
            h = histories.get(f"{name}/{var}_stats")
            if h is None or len(h) == 0:
                ax.axis("off")
                continue
            s, v = h.steps, h.values
            ax.fill_between(s, v[:, i["p5"]], v[:, i["p95"]], alpha=0.2, color="C0", lw=0, label="5-95%")
            ax.fill_between(s, v[:, i["p25"]], v[:, i["p75"]], alpha=0.4, color="C0", lw=0, label="25-75%")
            ax.plot(s, v[:, i["p50"]], color="C0", lw=1.5, label="median")
            ax.plot(s, v[:, i["mean"]], color="C1", lw=1, ls="--", label="mean")
            title = f"{name}\u2192{target} weights" if var == "weights" and target else f"{name} {var}"
            ax.set_title(title, fontsize=9)
            ax.grid(alpha=0.3)
            if v.shape[1] > len(STAT_NAMES):  # fraction of inactive neurons
                twin = ax.twinx()
                twin.plot(s, v[:, len(STAT_NAMES)], color="C3", lw=1, label="inactive fraction")
                twin.set_ylim(0, 1)
                twin.set_ylabel("inactive", color="C3", fontsize=8)
            ax.set_xlabel(xlabel, fontsize=7)
    handles, labels = [], []
    for ax in fig.axes:  # one legend for all panels (the inactive fraction too, where drawn)
        for h, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(h)
                labels.append(label)
    if handles:
        fig.legend(handles, labels, loc="outside right upper", fontsize=7)
    fig.suptitle("per-layer summaries over training (weights: the connection to the next layer)", fontsize=10)
    return save_figure(fig, path)


# ---- a whole run: what it needs, saved beside its history, and every figure drawn from that -----------------


