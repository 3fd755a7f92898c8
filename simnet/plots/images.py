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
from .walkthrough import plot_neurons, plot_weights


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
def _is_maps(network):
    return any(len(getattr(la, "shape", ())) == 3 for la in network.layers)


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


def image_run_data(network, test_images, test_labels, predicted, class_names, image_index=0, shown=25):
    """``(info, arrays)``: everything an image or CNN run's figures need beyond its histories.

    The shown test images (25, picked with a fixed seed) with their labels and predictions,
    the confusion counts, the class names, the test image the diagram or feature maps show,
    and for a network of maps its layers and that image's feature maps.  Plain JSON and
    arrays: saved as ``figures.npz`` beside ``history.npz`` (no pickle).
    """
    names = [str(c) for c in class_names]
    labels, predicted = np.asarray(test_labels), np.asarray(predicted)
    pick = np.random.default_rng(0).choice(len(test_images), min(shown, len(test_images)), replace=False)
    arrays = {"shown_index": pick, "shown_images": np.asarray(test_images)[pick], "shown_labels": labels[pick],
              "shown_predicted": predicted[pick], "confusion": confusion_matrix(labels, predicted, len(names)),
              "diagram_image": np.asarray(test_images[image_index])}
    label, guess = int(labels[image_index]), int(predicted[image_index])
    info = {"class_names": names, "step_unit": "batch", "kind": "cnn" if _is_maps(network) else "image",
            "diagram_input_name": f"test image {image_index} ({names[label]}, predicted {names[guess]})"}
    if info["kind"] == "cnn":
        from ..maps import Conv2D, MaxPool2D

        info["maps"] = map_specs(network.layers)
        x = np.asarray(test_images[image_index], dtype=network.input.dtype).reshape(1, -1) / 255
        maps = network.feature_maps(x)
        for la in network.layers:
            if isinstance(la, (Conv2D, MaxPool2D)):
                arrays[f"maps_{la.name}"] = np.asarray(maps[la.name][0])
        info["feature_maps"] = [la.name for la in network.layers if isinstance(la, (Conv2D, MaxPool2D))]
        info["feature_title"] = (f"feature maps of test image {image_index}: {names[label]}, predicted "
                                 f"{names[guess]} (p = {float(maps[network.output.name][0, guess]):.3f})")
    return info, arrays


def save_figure_data(path, info, arrays):
    """Write ``figures.npz``: the arrays and a JSON header (``info``); no pickle."""
    import json

    from ..history import _atomic_savez

    _atomic_savez(path, {**arrays, "header": np.array(json.dumps(info))})
    return path


def draw_image_run(histories, info, data, out):
    """Every figure of an image or CNN run, from its histories, ``info`` and ``data`` (``figures.npz``).

    ``curves.png``, ``confusion.png``, ``predictions.png``, ``summaries.png``; a dense run also
    ``weight_tiles.png``, ``<source>_to_<target>_weights.png``, ``<layer>_neurons.png`` and
    ``network.png`` (initial and final for one test image); a CNN ``filters_<conv>.png``,
    ``feature_maps.png``, the weights of its dense connections and ``network.png`` (as blocks).
    Returns the figures.
    """
    from .redraw import plot_network_states, when_labels

    layers = info["network"]["layers"]
    names = [la["name"] for la in layers]
    classes = info.get("class_names")
    figs = []
    held = held_out_curves(histories)
    if held is not None:
        figs.append(plot_curves(histories["epoch/train_loss"].steps, histories["epoch/train_loss"].values,
                                histories["epoch/train_accuracy"].values, histories[f"epoch/{held}_loss"].values,
                                histories[f"epoch/{held}_accuracy"].values, out("curves.png"), held=held))
    if "confusion" in data:
        figs.append(plot_confusion(None, None, classes, out("confusion.png"), matrix=data["confusion"]))
    if "shown_images" in data:
        figs.append(plot_predictions(data["shown_images"], data["shown_labels"], data["shown_predicted"], classes,
                                     out("predictions.png")))
    figs.append(plot_summaries(histories, names, out("summaries.png")))
    if info.get("kind") == "cnn":
        from .maps import draw_map_network, plot_feature_maps, plot_filters

        specs = info["maps"]
        for spec in specs:
            if "kernel_size" not in spec:
                continue
            h = histories.get(f"{spec['source']}/weights")
            if h is None or len(h) == 0:
                continue
            start, end = when_labels(h, info)
            figs.append(plot_filters(h.values[0], h.values[-1], spec["in_channels"], spec["kernel_size"],
                                     spec["name"], out(f"filters_{spec['name']}.png"), labels=(start, end),
                                     source=spec["source"]))
        maps = {name: data[f"maps_{name}"] for name in info.get("feature_maps", []) if f"maps_{name}" in data}
        if maps:
            figs.append(plot_feature_maps(maps, data.get("diagram_image"), title=info.get("feature_title"),
                                          path=out("feature_maps.png")))
        dense = [k for k in range(len(specs) - 1) if specs[k + 1]["kind"] == "SimpleLayer"]
        for k in dense:
            h = histories.get(f"{names[k]}/weights")
            if h is not None and len(h):
                figs.append(plot_weights(h.steps, h.values, names[k], names[k + 1],
                                         stats=histories.get(f"{names[k]}/weights_stats"), unit="batch",
                                         path=out(f"{names[k]}_to_{names[k + 1]}_weights.png")))
        figs.append(draw_map_network(specs, path=out("network.png")))
        return figs
    h = histories.get(f"{names[0]}/weights")
    if h is not None and len(h) and h.values.ndim == 3 and h.values.shape[1] == 784:
        start, end = when_labels(h, info)
        figs.append(plot_weight_tiles(h.values[0], h.values[-1], out("weight_tiles.png"),
                                      title=f"{names[0]}\u2192{names[1]} weights", labels=(start, end)))
    for k in range(len(layers) - 1):
        h = histories.get(f"{names[k]}/weights")
        if h is not None and len(h):
            figs.append(plot_weights(h.steps, h.values, names[k], names[k + 1], select=h.about.get("select"),
                                     stats=histories.get(f"{names[k]}/weights_stats"), unit="batch",
                                     path=out(f"{names[k]}_to_{names[k + 1]}_weights.png")))
    for name in names[1:]:
        h = histories.get(f"{name}/neurons_subset") or histories.get(f"{name}/neurons")
        if h is not None and len(h):
            figs.append(plot_neurons(h.steps, h.values, name, out(f"{name}_neurons.png"),
                                     select=h.about.get("select"), unit="batch",
                                     size=layers[names.index(name)]["num_neurons"],
                                     note="each dot: the neuron's mean over one training batch"))
    x = data.get("diagram_image")
    fig = plot_network_states(histories, info, out, layers,
                              x=None if x is None else np.asarray(x, dtype=float).reshape(-1) / 255,
                              input_name=info.get("diagram_input_name"))
    if fig is not None:
        figs.append(fig)
    return figs


def plot_image_run(network, test_images, test_labels, predicted, class_names, folder, info=None, save_to=None,
                   image_index=0, show=False):
    """Every figure of an image (dense or CNN) run into ``folder``; returns the figures' paths.

    Writes ``history.npz`` and ``figures.npz`` there first (and ``figures.npz`` into ``save_to``,
    the folder of a saved network, beside its history), then draws every figure from them,
    exactly as ``python -m simnet plot FOLDER`` does later.
    """
    import os

    from .redraw import FIGURE_DATA, plot_run

    import json

    fig_info, arrays = image_run_data(network, test_images, test_labels, predicted, class_names, image_index)
    plain = lambda o: o.tolist() if hasattr(o, "tolist") else str(o)  # numpy scalars and arrays as JSON  # noqa: E731
    run_info = json.loads(json.dumps({**(info or {}), **fig_info}, default=plain))
    os.makedirs(folder, exist_ok=True)
    network.save_history(os.path.join(folder, "history.npz"), run_info)
    for where in [folder] + ([save_to] if save_to else []):
        save_figure_data(os.path.join(where, FIGURE_DATA), fig_info, arrays)
    return plot_run(network.all_histories(), {"network": network.structure(), **run_info}, folder, show=show,
                    data=arrays)
