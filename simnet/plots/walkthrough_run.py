"""The figures of a walk-through (per-sample or batch) run, drawn from its histories alone.

``plot_walkthrough`` draws the error, the weights of every connection, the neurons of every
layer and ``network.png`` (initial and final for one named input) from recorded histories, so a
live run and a saved one draw the same figures; ``simnet.plots.redraw`` calls it.
"""
import numpy as np

from .common import changed_most
from .diagram import draw_networks, forward_values
from .walkthrough import plot_errors, plot_neurons, plot_weights


def _snapshot(histories, key, index):
    h = histories.get(key)
    if h is None or len(h) == 0:
        return None
    return h.values[index]


def step_unit(info):
    """What one recorded step is in this run: ``'sample'`` (per-sample runs) or ``'batch'``."""
    return info.get("step_unit", "sample" if info.get("kind", "walkthrough") == "walkthrough" else "batch")


def diagram_input(histories, info, layers):
    """``(x, name)``: the input the network diagram shows (``info['diagram_input']`` of ``info['inputs']``)."""
    k = int(info.get("diagram_input", 0))
    labels = info.get("sample_labels") or []
    name = labels[k] if k < len(labels) else f"sample {k}"
    if info.get("inputs") is not None and k < len(info["inputs"]):
        return np.asarray(info["inputs"][k], dtype=float), name
    h = histories.get(f"{layers[0]['name']}/neurons")
    if h is not None and len(h) and h.period > 1 and h.values.ndim == 2 and (h.samples == k).any():
        return h.values[h.samples == k][0], name
    return None, None


def from_start(histories, info):
    """Whether a run's histories go back to its start: not so for a loaded network whose saved run kept no
    history (its epoch curve then starts after the epochs it was trained before)."""
    if not info.get("loaded_from"):
        return True
    e = histories.get("epoch/train_loss")
    return e is not None and len(e) > 0 and int(e.steps[0]) <= 1


def when_labels(h, info):
    """Words for the first and last snapshot of a weight history: initial / as loaded, final / unchanged."""
    first, last = int(h.steps[0]), int(h.steps[-1])
    unit = step_unit(info)
    if first == 0 and info.get("from_start", True):
        start = "initial"
    elif info.get("loaded_from"):
        start = f"as loaded from {info['loaded_from']}"
    else:
        start = f"first snapshot ({unit} {first})"
    plural = unit + ("es" if unit.endswith(("ch", "s")) else "s")
    after = f"after {last:,} {unit if last == 1 else plural}"
    if h.period > 1 and last and last % h.period == 0:
        after += f" ({last // h.period:,} iteration{'s' if last != h.period else ''})"
    if last == first or np.array_equal(h.values[0], h.values[-1]):
        end = f"final, {after}: unchanged"
    else:
        end = f"final, {after}"
    return start, end


def diagram_subsets(weight_histories, layers, max_neurons=12):
    """Per layer, the neurons a diagram shows when the layer is large, and the words naming them.

    The neurons whose outgoing weights changed most between the first and last snapshot (the
    output layer: those whose incoming weights did); if nothing changed, those with the largest
    weights.
    """
    k = max_neurons - 1
    subsets, changed_any = [], False
    for li, la in enumerate(layers):
        if la["num_neurons"] <= max_neurons:
            subsets.append(None)
            continue
        h = weight_histories[li] if li < len(weight_histories) else None
        axis = 1
        if h is None:
            h, axis = weight_histories[li - 1], 0
        with np.errstate(over="ignore", invalid="ignore"):
            first = np.linalg.norm(np.nan_to_num(h.values[0], posinf=1e300, neginf=-1e300), axis=axis)
            last = np.linalg.norm(np.nan_to_num(h.values[-1], posinf=1e300, neginf=-1e300), axis=axis)
            diff = np.linalg.norm(np.nan_to_num(h.values[-1] - h.values[0], posinf=1e300, neginf=-1e300),
                                  axis=axis)
        if np.any(diff > 0):
            picked = [i[0] for i in changed_most(np.zeros_like(diff), diff, k)[0]]
            changed_any = True
        else:
            picked = [i[0] for i in changed_most(first, last, k)[0]]
        subsets.append(sorted(picked))
    if all(s is None for s in subsets):
        return None, None
    how = "whose weights changed most" if changed_any else "with the largest weights (nothing changed)"
    return subsets, f"large layers: the {k} neurons {how}, and +N for the rest"


def plot_network_states(histories, info, out, layers, x=None, input_name=None):
    """``network.png``: the network before and after, for the same named input, on shared scales."""
    names = [la["name"] for la in layers]
    hs = [histories.get(f"{n}/weights") for n in names[:-1]]
    if any(h is None or len(h) == 0 or h.values.ndim != 3 for h in hs):
        return None  # full weights were not recorded: no diagram
    if x is None:
        x, input_name = diagram_input(histories, info, layers)
    panels = []
    start, end = when_labels(hs[0], info)
    for label, index in ((start, 0), (end, -1)):
        weights = [h.values[index] for h in hs]
        biases = [_snapshot(histories, f"{n}/bias", index) for n in names]
        neurons = None if x is None else forward_values(layers, weights, biases, x)
        panels.append((label, weights, neurons, biases))
    subsets, note = diagram_subsets(hs, layers)
    title = f"the network for input {input_name}" if input_name else "the network (weights only)"
    classes = info.get("class_names")  # image runs: the output neurons are classes
    if classes is not None and len(classes) != layers[-1]["num_neurons"]:
        classes = None
    return draw_networks(layers, panels, title=title, path=out("network.png"), subsets=subsets,
                         input_name=input_name, subset_note=note, output_names=classes)


def plot_walkthrough(histories, info, out, layers):
    """Error, weights per connection, neurons per layer and the network diagram; returns the figures."""
    names = [la["name"] for la in layers]
    unit = step_unit(info)
    figs = []
    if "error/samples" in histories:
        e, a = histories["error/samples"], histories["error/average"]
        note = None
        if info.get("stopped"):
            note = f"the run stopped: {info['stopped']}" + ("" if len(e) else "\n(no iteration finished with a "
                                                                               "finite error)")
        figs.append(plot_errors(e.steps, e.values, a.values, out("error.png"), labels=info.get("sample_labels"),
                                note=note))
    for k in range(len(layers) - 1):
        h = histories.get(f"{names[k]}/weights")
        if h is not None and len(h):
            figs.append(plot_weights(h.steps, h.values, names[k], names[k + 1], select=h.about.get("select"),
                                     stats=histories.get(f"{names[k]}/weights_stats"), unit=unit,
                                     period=h.period, path=out(f"{names[k]}_to_{names[k + 1]}_weights.png")))
    for name in names:
        h = histories.get(f"{name}/neurons")
        if h is not None and len(h):
            figs.append(plot_neurons(h.steps, h.values, name, out(f"{name}_neurons.png"),
                                     select=h.about.get("select"), period=h.period,
                                     sample_labels=info.get("sample_labels"), unit=unit))
    fig = plot_network_states(histories, info, out, layers)
    if fig is not None:
        figs.append(fig)
    return figs
