"""Every figure of a run, from its saved files alone: what ``python -m simnet plot RUN`` draws.

``plot_run(histories, info, folder)`` takes the histories of a live network or of a saved
``history.npz`` (``simnet.load_histories``) and writes the run's figures into ``folder``:
the walk-through figures (error, weights, neurons, the network before and after) for a dense
run (for a playground run also its decision maps, the output over time and the representation view),
and for image and CNN runs also what ``figures.npz`` beside the history holds (the shown
test images, labels and predictions, the confusion counts, the feature maps).
``redraw(RUN)`` does it for a run folder or its ``history.npz``, and for a sweep's folder or
results table.
"""
import os
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .common import figure_paths, finish
from .health import health_histories, plot_health
from .images import (
    confusion_matrix,
    held_out_curves,
    plot_confusion,
    plot_curves,
    plot_predictions,
    plot_summaries,
    plot_weight_tiles,
)
from .maps import draw_map_network, map_specs, plot_feature_maps, plot_filters
from .walkthrough import plot_neurons, plot_weights
from .walkthrough_run import from_start, plot_network_states, plot_walkthrough, step_unit, when_labels

if TYPE_CHECKING:  # for the hints only: drawing never imports the training code
    from ..network import Network

FIGURE_DATA = "figures.npz"  # beside history.npz: the arrays an image run's figures need
MAX_FIGURE_DATA = 2**30  # bytes: the shown images, a confusion matrix and a few feature maps are far less


def plot_run(histories: Mapping[str, Any], info: Mapping[str, Any], folder: str, show: bool = False,
             data: Mapping[str, Any] | None = None) -> list[str]:
    """Draw every figure of a run from its histories (live or loaded) into ``folder``; returns the paths.

    A walk-through run (``info['kind']`` absent or ``'walkthrough'``) writes ``error.png``,
    ``<source>_to_<target>_weights.png`` per connection, ``<layer>_neurons.png`` per layer and
    ``network.png`` (initial and final, side by side, for one named input).  Image and CNN runs
    (``'image'``, ``'cnn'``) draw their figures from ``data`` (the arrays of ``figures.npz``).
    """
    paths, out = figure_paths(folder)
    info = {**info, "from_start": from_start(histories, info)}
    kind = info.get("kind", "walkthrough")
    started = time.time_ns()
    try:
        if kind in ("image", "cnn"):
            figs = draw_image_run(histories, info, data or {}, out)
        else:
            figs = plot_walkthrough(histories, info, out, info["network"]["layers"])
        if health_histories(histories):
            figs.append(plot_health(histories, out("health.png"), unit=step_unit(info)))
    except BaseException as e:  # an interrupt or an error: say which figure it stopped, then let it go on up
        _not_drawn(paths, e, started)
        raise
    finish(figs, show)
    if info.get("playground") and any(k.startswith("maps/") for k in histories):  # a 2-D run: its maps too
        from .playground import redraw_playground

        paths += [p for p in redraw_playground(histories, info, folder) if p not in paths]
    return paths


def _not_drawn(paths, error, started):
    """One line on stderr: which figure was being drawn when ``error`` came (figures are written whole, so it
    is absent), that it and the rest were not drawn, and which were written."""
    import sys

    from ..interrupt import one_line

    def written(p):
        try:
            return os.stat(p).st_mtime_ns >= started - 10**7
        except OSError:
            return False

    what = one_line(error) if isinstance(error, KeyboardInterrupt) else f"{type(error).__name__}: {error}"
    done = [os.path.basename(p) for p in paths if written(p)]
    missing = [os.path.basename(p) for p in paths if not written(p)]
    where = f"{missing[0]} and the figures after it were not drawn" if missing else \
        "the figures after these were not drawn"
    try:
        print(f"figures: {what}: {where} ({len(done)} written{': ' if done else ''}{', '.join(done)})",
              file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def load_figure_data(path):
    """``(info, arrays)`` from a ``figures.npz`` (no pickle)."""
    import json

    from ..saving.files import check_zip_end, open_regular

    with open_regular(path, MAX_FIGURE_DATA, "a figures file") as handle:
        check_zip_end(handle, path)
        with np.load(handle, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files if k != "header"}
            info = json.loads(str(f["header"])) if "header" in f.files else {}
    return info, arrays


def redraw(run: str, folder: str | None = None, show: bool = False) -> list[str]:
    """Draw the figures of a saved run again; returns the paths written.

    ``run`` is a run folder (holding ``history.npz``, and ``figures.npz`` for image runs, or a
    sweep's ``results.csv``), a ``history.npz`` or a sweep's results table.  ``folder`` defaults
    to the run's folder.  Raises ``OSError`` or ``ValueError`` for a missing or unreadable file.
    """
    from ..history import load_histories

    run = os.fspath(run)
    if os.path.isdir(run):
        for name in ("history.npz", "results.csv"):
            if os.path.exists(os.path.join(run, name)):
                run = os.path.join(run, name)
                break
        else:
            raise ValueError(f"{run}: no history.npz or results.csv in this folder")
    folder = folder or os.path.dirname(os.path.abspath(run))
    if run.endswith(".csv"):
        from ..sweeps import curves_path, load_curves, read_results
        from .sweeps import plot_sweep

        task, rows = read_results(run)
        curves = load_curves(curves_path(run))
        return plot_sweep(task, rows, curves, folder, show=show)
    histories, info = load_histories(run)
    data = {}
    extra = os.path.join(os.path.dirname(os.path.abspath(run)), FIGURE_DATA)
    if os.path.exists(extra):
        more, data = load_figure_data(extra)
        info = {**info, **more}
    return plot_run(histories, info, folder, show=show, data=data)


def _is_maps(network):
    return any(len(getattr(la, "shape", ())) == 3 for la in network.layers)


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


def plot_image_run(network: "Network", test_images: np.ndarray, test_labels: np.ndarray, predicted: np.ndarray,
                   class_names: Sequence[str], folder: str, info: Mapping[str, Any] | None = None,
                   save_to: str | None = None, image_index: int = 0, show: bool = False) -> list[str]:
    """Every figure of an image (dense or CNN) run into ``folder``; returns the figures' paths.

    Writes ``history.npz`` and ``figures.npz`` there first (and ``figures.npz`` into ``save_to``,
    the folder of a saved network, beside its history), then draws every figure from them,
    exactly as ``python -m simnet plot FOLDER`` does later.
    """
    import json
    import os

    fig_info, arrays = image_run_data(network, test_images, test_labels, predicted, class_names, image_index)
    plain = lambda o: o.tolist() if hasattr(o, "tolist") else str(o)  # numpy scalars and arrays as JSON  # noqa: E731
    run_info = json.loads(json.dumps({**(info or {}), **fig_info}, default=plain))
    os.makedirs(folder, exist_ok=True)
    network.save_history(os.path.join(folder, "history.npz"), run_info)
    for where in [folder] + ([save_to] if save_to else []):
        save_figure_data(os.path.join(where, FIGURE_DATA), fig_info, arrays)
    return plot_run(network.all_histories(), {"network": network.structure(), **run_info}, folder, show=show,
                    data=arrays)


def plot_cnn_run(network: "Network", test_images: np.ndarray, test_labels: np.ndarray, predicted: np.ndarray,
                 class_names: Sequence[str], folder: str, image_index: int = 0, info: Mapping[str, Any] | None = None,
                 save_to: str | None = None) -> list[str]:
    """Every figure of a convolutional image run into ``folder``; returns the paths.

    ``curves.png``, ``confusion.png``, ``predictions.png``, ``summaries.png``
    (from ``simnet.plots.images``), ``filters_<conv>.png`` for each convolution,
    ``feature_maps.png`` for test image ``image_index``, the dense connections' weights and
    ``network.png``; drawn from the ``history.npz`` and ``figures.npz`` written first, as
    ``python -m simnet plot FOLDER`` draws them again.
    """

    return plot_image_run(network, test_images, test_labels, predicted, class_names, folder, info=info,
                          save_to=save_to, image_index=image_index)
