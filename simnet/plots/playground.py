"""The playground's figures: every neuron's decision map, the output over time, the representation view.

Colours are Playground's: orange for negative, white-grey for 0, blue for positive, on one
symmetric scale per layer (``simnet.playground.panel.layer_scale``: ±1 for tanh, sigmoid and
softmax layers, the largest |value| for relu and linear), labelled under each column; each input
feature on its own (x1 reaches 6, x1^2 36), labelled under it.  Several
classes: each class its own colour, its map pixel that of the winning class, paler where the
winning probability is lower (white at 1/k, full colour at 1).

- ``decision_maps``: the features, every hidden neuron (the first 16 of a larger layer, the count
  of the rest said) and the output as maps, in Playground's layout (a column per layer), the output large with the training points (white edge) and test
  points (black edge), and the training and test loss over steps;
- ``map_strip``: the output's map at a few recorded moments of the run;
- ``representation``: the lines of the input grid (and the points) as two neurons of a layer see
  them (ConvNetJS's view): how a layer bends the plane to untangle the classes;
- ``save_map_pngs``: every map of the end of the run as its own PNG (``maps/<layer>_<i>.png``).
"""
import os

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.lines import Line2D

from ..playground.panel import layer_scale
from .common import distinct_colours, figure_name, save_figure

MAX_SHOWN = 16  # maps drawn per layer in decision_maps.png (all of them are in maps.npz and maps/)
PLAYGROUND_CMAP = LinearSegmentedColormap.from_list("playground", ["#f59322", "#e8eaeb", "#0877bd"])
NEGATIVE, POSITIVE = "#f59322", "#0877bd"


CLASS_COLOURS = [NEGATIVE, POSITIVE, "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                 "#17becf"]  # the explorer page's too (maps.js)


def class_colours(k):
    """One colour per class: Playground's orange and blue first, then tab10's; distinct colours past ten."""
    return CLASS_COLOURS[:k] if k <= len(CLASS_COLOURS) else distinct_colours(k)


def multiclass_image(probabilities):
    """RGB image of the winning class per pixel, paler where its probability is lower: (k, r, r) -> (r, r, 3)."""
    p = np.asarray(probabilities, dtype=np.float64)
    k = p.shape[0]
    win = p.argmax(axis=0)
    strength = np.clip((p.max(axis=0) - 1 / k) / (1 - 1 / k), 0, 1)[..., None]
    colours = np.array([to_rgb(c) for c in class_colours(k)])
    return 1 - strength * (1 - colours[win])


def _label_colours(task, labels):
    if task.kind == "multiclass":
        colours = class_colours(len(task.classes))
        return [colours[int(v)] for v in labels]
    return labels  # numbers on the colour map


def draw_output(ax, grid, output_map, task, train=None, test=None, scale=None):
    """The output's map with the points on it; returns the image (for a colour bar) or None (several classes)."""
    image = None
    if task.kind == "multiclass":
        ax.imshow(multiclass_image(output_map), extent=grid.extent, origin="upper", interpolation="nearest")
    else:
        image = ax.imshow(output_map[0], extent=grid.extent, origin="upper", cmap=PLAYGROUND_CMAP,
                          vmin=-scale, vmax=scale, interpolation="nearest")
    for points, edge, name in ((train, "white", "training"), (test, "black", "test")):
        if points is None or not len(points[0]):
            continue
        x, y = points
        c = _label_colours(task, y)
        kw = {} if task.kind == "multiclass" else {"cmap": PLAYGROUND_CMAP, "vmin": -scale, "vmax": scale}
        ax.scatter(x[:, 0], x[:, 1], c=c, s=14, edgecolors=edge, linewidths=0.7, label=f"{name} points", **kw)
    ax.set_xlim(grid.domain)
    ax.set_ylim(grid.domain)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return image


def output_scale(task, output_map, labels):
    """The output's colour scale: ±1 for two classes, the largest |label or output| for regression."""
    if task.kind != "regression":
        return 1.0
    return max(layer_scale(np.asarray(output_map), "linear"), float(np.max(np.abs(labels))) if len(labels) else 0)


def decision_maps(network, grid, maps, task, train, test, features, loss=None, step=None, path=None):
    """Playground's picture: a column of maps per layer (features first), the output large with the points,
    the losses over steps below it (the maps of the first 16 neurons of a larger layer).  ``maps``: ``{layer name: (n, r, r)}`` (``neuron_maps``) with the
    features under the input layer's name; ``loss``: ``[[step, train, test], ...]``."""
    columns = network.layers[:-1]
    rows = min(MAX_SHOWN, max(la.num_neurons for la in columns))
    thumb = 1.05
    width = thumb * len(columns) + 5.6
    height = max(5.6, thumb * rows + 0.9)
    fig = plt.figure(figsize=(width, height))
    outer = fig.add_gridspec(1, 2, width_ratios=[thumb * len(columns), 5.2], wspace=0.2)
    cells = max(rows, int(height / thumb) - 1)  # thumbnails keep their size: a small network's fill the top
    left = outer[0].subgridspec(cells, len(columns), hspace=0.4, wspace=0.15)
    for c, layer in enumerate(columns):
        values = maps[layer.name]
        scale = layer_scale(values, "linear" if c == 0 else layer.activation)
        shown = min(layer.num_neurons, MAX_SHOWN)
        for i in range(shown):
            ax = fig.add_subplot(left[i, c])
            if c == 0:  # each feature on its own scale (x1 reaches 6, x1^2 36, sin(x1) 1)
                scale = layer_scale(values[i], "linear")
                ax.annotate(f"±{scale:.3g}", (0.5, -0.04), xycoords="axes fraction", ha="center", va="top",
                            fontsize=6.5, color="#555")
            ax.imshow(values[i], extent=grid.extent, origin="upper", cmap=PLAYGROUND_CMAP, vmin=-scale, vmax=scale,
                      interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            name = features[i] if c == 0 else f"{layer.name}[{i}]"
            ax.set_title(name, fontsize=7, pad=2)
            if i == 0:
                head = "features" if c == 0 else f"{layer.name}\n{layer.activation}"
                ax.annotate(head, (0.5, 1.32), xycoords="axes fraction", ha="center", va="bottom", fontsize=8,
                            fontweight="bold")
            if i == shown - 1 and c > 0:
                more = f"+{layer.num_neurons - shown} more\n" if shown < layer.num_neurons else ""
                ax.annotate(f"{more}colour ±{scale:.3g}", (0.5, -0.12), xycoords="axes fraction", ha="center",
                            va="top", fontsize=6.5, color="#555")
    if height > 7:  # a tall figure (many neurons): the output and the losses stay at the top
        right = outer[1].subgridspec(3, 1, height_ratios=[4.6, 1.6, height - 6.6], hspace=0.42)
    else:
        right = outer[1].subgridspec(2, 1, height_ratios=[3.2, 1], hspace=0.42)
    ax = fig.add_subplot(right[0])
    out = network.output
    scale = output_scale(task, maps[out.name], np.concatenate([train[1], test[1]]))
    image = draw_output(ax, grid, maps[out.name], task, train, test, scale)
    when = "" if step is None else f" after {step} steps"
    last = loss[-1] if loss else None
    ax.set_title(f"output ({out.activation}){when}" + (f"\ntest loss {last[2]:.4f}, training loss {last[1]:.4f}"
                                                         if last else ""), fontsize=9)
    if image is not None:
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.03).set_label("output", fontsize=8)
    else:
        handles = [Line2D([], [], marker="s", ls="", color=c, label=str(n))
                   for c, n in zip(class_colours(len(task.classes)), task.classes)]
        ax.legend(handles=handles, title="class (paler: less sure)", fontsize=7, title_fontsize=7,
                  loc="upper left", bbox_to_anchor=(1.01, 1))
    ax_loss = fig.add_subplot(right[1])
    if loss:
        a = np.asarray(loss, dtype=np.float64)
        ax_loss.plot(a[:, 0], a[:, 1], color="#333", lw=1.2, label="training loss")
        ax_loss.plot(a[:, 0], a[:, 2], color="#d62728", lw=1.2, label="test loss")
        ax_loss.legend(fontsize=7)
    ax_loss.set_xlabel("steps (batches)", fontsize=8)
    ax_loss.set_title("loss: " + ("mean cross-entropy" if task.kind == "multiclass" else "mean ½(output − label)²"),
                      fontsize=8)
    ax_loss.tick_params(labelsize=7)
    return save_figure(fig, path)


def map_strip(history, grid, task, train, path=None, count=6, epoch_steps=None):
    """The output's map at ``count`` of the recorded moments (first, last and evenly between): ``history``
    is the output layer's ``maps/<output>`` History."""
    steps = np.asarray(history.steps)
    picks = sorted(set(np.linspace(0, len(steps) - 1, min(count, len(steps))).round().astype(int).tolist()))
    labels = np.asarray(train[1])
    scale = output_scale(task, history.values, labels)
    fig, axes = plt.subplots(1, len(picks), figsize=(2.6 * len(picks), 2.9), squeeze=False)
    image = None
    for ax, k in zip(axes[0], picks):
        image = draw_output(ax, grid, history.values[k], task, train, None, scale) or image
        s = int(steps[k])
        epoch = f" (epoch {s / epoch_steps:.3g})" if epoch_steps else ""
        ax.set_title(f"after {s} steps{epoch}", fontsize=8)
        ax.tick_params(labelsize=6)
        ax.set_xlabel("x1", fontsize=7)
        ax.set_ylabel("x2" if k == picks[0] else "", fontsize=7)
    if image is not None:
        fig.colorbar(image, ax=list(axes[0]), fraction=0.02, pad=0.01).set_label("output", fontsize=8)
    fig.suptitle("the output's decision map over the run", fontsize=9)
    return save_figure(fig, path)


def representation(network, features, layer_name, i, j, domain, points, labels, task, lines=13, path=None):
    """The lines of the input grid and the points, as neurons ``i`` and ``j`` of ``layer_name`` see them."""
    from ..playground.features import feature_matrix

    lo, hi = domain
    ts = np.linspace(lo, hi, 241)
    at = np.linspace(lo, hi, lines)

    def through(xy):
        a = feature_matrix(xy, features)
        for layer in network.layers:
            a = layer.infer(a)
            if layer.name == layer_name:
                return a[:, [i, j]]
        raise ValueError(f"no layer named {layer_name!r}")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), gridspec_kw={"wspace": 0.3})
    ax_in, ax_out = axes
    for v in at:
        for horizontal in (True, False):
            xy = np.stack([ts, np.full_like(ts, v)] if horizontal else [np.full_like(ts, v), ts], axis=1)
            centre = abs(v) < 1e-9
            style = {"color": "#444" if centre else "#9e9e9e", "lw": 1.2 if centre else 0.6}
            ax_in.plot(xy[:, 0], xy[:, 1], **style)
            out = through(xy)
            ax_out.plot(out[:, 0], out[:, 1], **style)
    c = _label_colours(task, labels)
    kw = {} if task.kind == "multiclass" else {"cmap": PLAYGROUND_CMAP, "vmin": -1, "vmax": 1}
    if len(points):
        ax_in.scatter(points[:, 0], points[:, 1], c=c, s=10, edgecolors="white", linewidths=0.4, zorder=3, **kw)
        p = through(points)
        ax_out.scatter(p[:, 0], p[:, 1], c=c, s=10, edgecolors="white", linewidths=0.4, zorder=3, **kw)
    ax_in.set_title("the input plane: grid lines and training points", fontsize=9)
    ax_in.set_xlabel("x1")
    ax_in.set_ylabel("x2")
    ax_in.set_aspect("equal")
    ax_out.set_title(f"as {layer_name} sees it: neurons {i} and {j}\n(the line through 0 darker)", fontsize=9)
    ax_out.set_xlabel(f"{layer_name}[{i}]")
    ax_out.set_ylabel(f"{layer_name}[{j}]")
    return save_figure(fig, path)


def save_map_pngs(folder, network, grid, maps, features):
    """Every map as a PNG image (one pixel per grid point, the layer's colour scale): ``<layer>_<i>.png``,
    the features as ``input_<i>_<feature>.png``.  Returns the paths."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for c, layer in enumerate(network.layers):
        values = maps[layer.name]
        scale = layer_scale(values, "linear" if c == 0 else layer.activation)
        for i in range(layer.num_neurons):
            if c == 0:
                scale = layer_scale(values[i], "linear")  # each feature on its own scale
            tail = f"_{figure_name(features[i].replace('^2', 'sq').replace('(', '_').replace(')', ''))}" if c == 0 else ""
            path = os.path.join(folder, f"{figure_name(layer.name)}_{i}{tail}.png")
            plt.imsave(path, values[i], cmap=PLAYGROUND_CMAP, vmin=-scale, vmax=scale, origin="upper")
            paths.append(path)
    return paths


def plot_playground_run(network, recorder, grid, maps, task, train, test, info, features, folder,
                        representation_of=None, **kw):
    """Every figure of a playground run into ``folder``; returns the paths."""
    representation_of = kw.pop("representation", representation_of)
    loss = (info.get("playground") or {}).get("loss")
    steps = int(recorder.histories[f"maps/{network.output.name}"].steps[-1])
    paths = []
    path = os.path.join(folder, "decision_maps.png")
    plt.close(decision_maps(network, grid, maps, task, train, test, features, loss=loss, step=steps, path=path))
    paths.append(path)
    path = os.path.join(folder, "decision_maps_over_time.png")
    epochs = info.get("epochs") or 0
    plt.close(map_strip(recorder.histories[f"maps/{network.output.name}"], grid, task, train, path,
                        epoch_steps=steps / epochs if epochs else None))
    paths.append(path)
    hidden = [la for la in network.layers[1:-1] if la.num_neurons >= 2]
    if representation_of is None and hidden:
        representation_of = (hidden[-1].name, 0, 1)
    elif representation_of is None and network.input.num_neurons >= 2:
        representation_of = (network.input.name, 0, 1)
    if representation_of is not None:
        name, i, j = representation_of
        path = os.path.join(folder, "representation.png")
        plt.close(representation(network, features, name, i, j, grid.domain, train[0], train[1], task, path=path))
        paths.append(path)
    return paths


def redraw_playground(histories, info, folder):
    """The playground's figures of a recorded run (``history.npz``), as the scenario drew them; returns the paths."""
    from ..playground.maps import Grid, grid_inputs

    from ..playground.task import network_from_history

    pg = info["playground"]
    network, task = network_from_history(histories, info)
    out = network.output.name
    h = histories[f"maps/{out}"]
    resolution = int(h.shape[-1])
    grid = Grid(tuple(pg["domain"]), resolution)
    maps = {la.name: histories[f"maps/{la.name}"].values[-1] for la in network.layers[1:]}
    maps[network.input.name] = grid_inputs(grid, pg["features"]).T.reshape(-1, resolution, resolution)
    points = {k: np.asarray(pg[k], dtype=np.float64).reshape(-1, 3) for k in ("train", "test")}
    train = (points["train"][:, :2], points["train"][:, 2])
    test = (points["test"][:, :2], points["test"][:, 2])

    class Recorded:  # what plot_playground_run reads of a MapRecorder
        pass

    recorder = Recorded()
    recorder.histories = {f"maps/{la.name}": histories[f"maps/{la.name}"] for la in network.layers[1:]}
    return plot_playground_run(network, recorder, grid, maps, task, train, test, info, pg["features"], folder)
