"""Every figure of a walk-through run, from its histories: what ``python -m simnet plot HISTORY.npz`` draws.

``plot_run(histories, info, folder)`` takes the histories of a live network or of a saved
``history.npz`` (``simnet.load_histories``) and writes the error, weight, neuron and network
figures into ``folder``.
"""
import os

from .common import figure_paths, finish, side_by_side
from .diagram import draw_network
from .walkthrough import plot_errors, plot_neurons, plot_weights


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
        side_by_side([os.path.join(folder, "network_initial.png"), os.path.join(folder, "network_final.png")],
                      out("network.png"))
    finish(figs, show)
    return paths


def redraw(history_path, folder=None, show=False):
    """Draw the figures of a saved run again from its ``history.npz``; returns the paths written.

    ``folder`` defaults to the history file's folder.  Raises ``OSError`` or ``ValueError`` for a
    missing or unreadable file.
    """
    from ..history import load_histories

    histories, info = load_histories(history_path)
    folder = folder or os.path.dirname(os.path.abspath(history_path))
    return plot_run(histories, info, folder, show=show)
