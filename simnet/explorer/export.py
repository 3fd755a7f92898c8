"""The explorer's page data: what a recorded run (or a live network) looks like to the page.

``page_data(histories, info)`` turns the histories of a run (``load_histories`` of its
``history.npz``, or ``network.all_histories()``) into plain JSON-able data:

- ``layers``: name, size, activation, whether it has a bias, and ``shown``: the neurons the
  diagram draws (all of them for a small layer; for a big one the recorded subset and the
  ends of the recorded weights, at most ``MAX_SHOWN``; the page writes "+N" for the rest);
- ``connections``: for each layer that owns weights to its target, the weight ``pairs``
  (i, j) drawn (all of a small connection; the recorded subset of a big one, or the ones that
  changed most when only full snapshots were recorded);
- ``series``: every recorded history of those neurons, deltas, weights and biases, as
  ``{layer, variable, idx or pairs, t, v}``; ``t`` is on one time axis, *steps done* (samples
  in a per-sample run, batches in a mini-batch run): weights and biases recorded at step s are
  those after s updates (t = s), neurons and deltas recorded at call s are those of step s + 1;
- ``frames``: the times the timeline stops at; ``curves``: the error or loss curves on the
  same axis; ``unit``, ``samples`` (labels of a per-sample run), ``class_names``.

The page shows, at frame time T, the latest snapshot of each quantity taken at or before T.
Values are rounded to 6 significant digits; NaN and infinities become null.
"""
import math
import os

import numpy as np

from ..history import load_histories
from ..saving import load_network

MAX_SHOWN = 40  # neurons drawn per big layer
MAX_PAIRS = 64  # weights drawn per connection
SMALL_LAYER = 24  # a layer this small is drawn whole
FORMAT = "simnet-explorer"
VERSION = 1


def _num(x):
    x = float(x)
    if not math.isfinite(x):
        return None
    return float(f"{x:.6g}")


def rounded(a):
    """Nested lists of 6-significant-digit floats (None for NaN/inf) from an array (vectorized)."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return _num(a)
    finite = np.isfinite(a)
    safe = np.where(finite & (a != 0), np.abs(a), 1.0)
    scale = 10.0 ** (5 - np.clip(np.floor(np.log10(safe)), -290, 290))
    r = np.round(np.where(finite, a, 0.0) * scale) / scale
    if finite.all():
        return r.tolist()
    r = r.astype(object)
    r[~finite] = None
    return r.tolist()


def _layer_specs(info, histories):
    net = info.get("network") if isinstance(info, dict) else None
    if net and isinstance(net.get("layers"), list):
        return [{"name": str(la["name"]), "n": int(la["num_neurons"]), "activation": str(la.get("activation", "")),
                 "bias": bool(la.get("bias", False))} for la in net["layers"]]
    raise ValueError("the history holds no network structure (info['network']); "
                     "save it with Network.save_history or a scenario")


def _variable_series(histories):
    """``[(key, history, about)]`` for the full-value (not summary) histories of layers."""
    out = []
    for key, h in histories.items():
        about = getattr(h, "about", None) or {}
        if about.get("variable") in ("neurons", "delta", "weights", "bias") and not about.get("summary"):
            out.append((key, h, about))
    return out


def _changed_most(h, k):
    v = h.values
    change = np.abs(v[-1] - v[0]) if len(v) > 1 else np.abs(v[-1])
    flat = np.argsort(-np.nan_to_num(change, nan=0.0).reshape(-1), kind="stable")[:k]
    return [tuple(int(x) for x in np.unravel_index(f, change.shape)) for f in flat]


def choose_shown(layers, histories):
    """Which neurons of each layer and which weights of each connection the diagram draws."""
    by_name = {la["name"]: k for k, la in enumerate(layers)}
    wanted = [[] for _ in layers]  # neuron indices recorded, in order of preference
    pairs = [None] * len(layers)  # per owning layer: candidate (i, j)
    # a connection whose weights are not neuron-to-neuron (a convolution's filters) draws no lines
    dense = [k + 1 < len(layers) for k in range(len(layers))]
    for _key, h, about in _variable_series(histories):
        k = by_name.get(about.get("layer"))
        if k is not None and about["variable"] == "weights" and about.get("select") is None and k + 1 < len(layers):
            dense[k] = tuple(h.shape) == (layers[k]["n"], layers[k + 1]["n"])
    for _key, h, about in _variable_series(histories):
        k = by_name.get(about.get("layer"))
        if k is None:
            continue
        var, sel = about["variable"], about.get("select")
        if var == "bias" and (h.shape != (layers[k]["n"],)):
            continue  # a bias per map, not per neuron
        if var == "weights" and not dense[k]:
            continue
        if var == "weights":
            if sel is not None:
                cand = [tuple(p) for p in sel]
            elif h.shape and len(h.shape) == 2 and h.shape[0] * h.shape[1] <= MAX_PAIRS:
                cand = [(i, j) for i in range(h.shape[0]) for j in range(h.shape[1])]
            elif len(h):
                cand = _changed_most(h, MAX_PAIRS // 4)
            else:
                continue
            if pairs[k] is None or (sel is not None):
                pairs[k] = cand
        else:
            idx = list(range(layers[k]["n"])) if sel is None else [int(i) for i in sel]
            wanted[k].extend(i for i in idx if i not in wanted[k])
    shown = []
    for k, la in enumerate(layers):
        if la["n"] <= SMALL_LAYER:
            shown.append(list(range(la["n"])))
            continue
        # the ends of the recorded weights first (they make the lines), then the recorded neurons
        ends = []
        if pairs[k]:
            ends += [p[0] for p in pairs[k]]
        if k > 0 and pairs[k - 1]:
            ends += [p[1] for p in pairs[k - 1]]
        keep = []
        for i in ends[: MAX_SHOWN * 3 // 4] + wanted[k]:
            if len(keep) >= MAX_SHOWN:
                break
            if i not in keep:
                keep.append(i)
        if not keep:
            keep = list(range(min(MAX_SHOWN, la["n"])))
        shown.append(sorted(keep))
    connections = []
    for k in range(len(layers) - 1):
        if pairs[k] is None:
            continue
        src, tgt = set(shown[k]), set(shown[k + 1])
        keep = [p for p in pairs[k] if p[0] in src and p[1] in tgt][:MAX_PAIRS]
        connections.append({"source": layers[k]["name"], "target": layers[k + 1]["name"],
                            "pairs": [list(p) for p in keep]})
    return shown, connections


def _series(layers, shown, connections, histories):
    by_name = {la["name"]: k for k, la in enumerate(layers)}
    drawn = {c["source"]: {tuple(p) for p in c["pairs"]} for c in connections}
    out = []
    for key, h, about in _variable_series(histories):
        k = by_name.get(about.get("layer"))
        if k is None or len(h) == 0:
            continue
        var, sel = about["variable"], about.get("select")
        if var == "bias" and h.shape != (layers[k]["n"],):
            continue  # a bias per map, not per neuron
        steps = np.asarray(h.steps, dtype=np.int64)
        t = steps if var in ("weights", "bias") else steps + 1
        values = np.asarray(h.values, dtype=np.float64)
        entry = {"key": key, "layer": about["layer"], "variable": var, "t": [int(x) for x in t]}
        if var == "weights":
            want = drawn.get(about["layer"], set())
            if sel is not None:
                cols = [c for c, p in enumerate(sel) if tuple(p) in want]
                entry["pairs"] = [list(sel[c]) for c in cols]
                entry["v"] = rounded(values[:, cols]) if cols else [[] for _ in t]
            else:
                ps = sorted(want)
                entry["pairs"] = [list(p) for p in ps]
                entry["v"] = rounded(np.stack([values[:, i, j] for i, j in ps], axis=1)) if ps else [[] for _ in t]
            if not entry["pairs"]:
                continue
        else:
            idx = list(range(h.shape[0])) if sel is None else [int(i) for i in sel]
            keep = set(shown[k])
            cols = [c for c, i in enumerate(idx) if i in keep]
            if not cols:
                continue
            entry["idx"] = [idx[c] for c in cols]
            entry["v"] = rounded(values[:, cols])
        out.append(entry)
    return out


def _curves(histories, info, last_t):
    curves = []
    avg = histories.get("error/average")
    per = histories.get("error/samples")
    n_samples = per.shape[0] if per is not None and per.shape else None
    if avg is not None and len(avg):
        scale = n_samples or 1
        x = [int((s + 1) * scale) for s in avg.steps]
        curves.append({"name": "error (mean over samples)", "x": x, "y": rounded(avg.values), "main": True})
        if per is not None and len(per) and n_samples and n_samples <= 10:
            labels = info.get("sample_labels") or [f"sample {i}" for i in range(n_samples)]
            xs = [int((s + 1) * n_samples) for s in per.steps]
            for i in range(n_samples):
                curves.append({"name": f"error {labels[i] if i < len(labels) else i}", "x": xs,
                               "y": rounded(per.values[:, i])})
    for k, h in sorted(histories.items()):  # other curves a run recorded: 'curve/<name>' over its steps
        if k.startswith("curve/") and len(h) and not h.shape:
            curves.append({"name": k.split("/", 1)[1], "x": [int(s) + 1 for s in h.steps], "y": rounded(h.values),
                           "main": not curves})
    epoch = {k: h for k, h in histories.items() if k.startswith("epoch/") and len(h)}
    if epoch:
        n_ep = max(len(h) for h in epoch.values())
        per_epoch = last_t / n_ep if last_t else 1
        for k, h in sorted(epoch.items()):
            curves.append({"name": k.split("/", 1)[1].replace("_", " ") + " (per epoch)",
                           "x": [round((i + 1) * per_epoch, 3) for i in range(len(h))], "y": rounded(h.values),
                           "main": k == "epoch/train_loss", "accuracy": "accuracy" in k})
    return curves


def page_data(histories, info=None, title=None):
    """The explorer's data for a run's ``histories`` and ``info`` (see the module docstring)."""
    info = info or {}
    layers = _layer_specs(info, histories)
    shown, connections = choose_shown(layers, histories)
    for la, s in zip(layers, shown):
        la["shown"] = s
    series = _series(layers, shown, connections, histories)
    times = sorted({t for s in series if s["variable"] in ("weights", "bias") for t in s["t"]})
    if not times:
        times = sorted({t for s in series for t in s["t"]})
    last_t = times[-1] if times else 0
    per_sample = "error/samples" in histories
    epoch_run = any(k.startswith("epoch/") for k in histories)
    n_samples = histories["error/samples"].shape[0] if per_sample and histories["error/samples"].shape else None
    unit = "sample" if per_sample else "batch" if epoch_run else "step"
    labels = info.get("sample_labels")
    if per_sample and not labels:
        labels = [f"sample {i}" for i in range(n_samples or 0)]
    data = {"format": FORMAT, "version": VERSION, "mode": "offline",
            "title": title or info.get("dataset") or "simnet run", "unit": unit,
            "layers": layers, "connections": connections, "series": series,
            "frames": times or [0], "curves": _curves(histories, info, last_t),
            "samples": labels if per_sample else None, "loss": (info.get("network") or {}).get("loss"),
            "class_names": info.get("class_names"), "health": health_data(histories),
            "summary": {k: v for k, v in info.items()
                        if k in ("dataset", "epochs", "test_accuracy", "stopped") and v is not None}}
    if info.get("playground") and any(k.startswith("maps/") for k in histories):  # a 2-D run: its maps panel
        from ..playground.panel import history_data

        data["playground"] = history_data(histories, info)
    return data


def health_data(histories):
    """``{layer: {"t": steps done, "v": rows of HEALTH values}}`` from the ``health/<layer>`` histories."""
    out = {}
    for key, h in histories.items():
        if key.startswith("health/") and len(h):
            layer = h.about.get("health_of", key.split("/", 1)[1])
            out[layer] = {"t": [int(t) for t in h.steps], "v": rounded(h.values)}
    return out


def load_run(path):
    """``(histories, info, title)`` of a run folder (holding ``history.npz``) or a history file."""
    path = os.fspath(path)
    if os.path.isdir(path):
        file = os.path.join(path, "history.npz")
        if not os.path.exists(file):
            raise ValueError(f"{path}: no history.npz in this folder (streetlights writes one to its --plots folder, "
                             f"the image scenarios to their --save folder; or use Network.save_history)")
    elif os.path.exists(path):
        file = path
    else:
        raise FileNotFoundError(f"{path}: no such file or folder")
    histories, info = load_histories(file)
    title = os.path.basename(os.path.dirname(os.path.abspath(file))) or "run"
    return histories, info, title


def network_page_data(network, title=None):
    """Page data for a ``Network`` object: its recorded histories (or just its current state)."""
    info = {"network": network.structure()}
    histories = network.all_histories()
    data = page_data(histories, info, title=title or repr(network))
    present = {(s["layer"], s["variable"]) for s in data["series"]}
    by_name = {la["name"]: la for la in data["layers"]}
    drawn = {c["source"] for c in data["connections"]}
    data["connections"] += [c for c in _default_connections(network, data["layers"]) if c["source"] not in drawn]
    for c in data["connections"]:
        if (c["source"], "weights") not in present:
            w = network.layer(c["source"]).weight_row_mat
            data["series"].append({"key": c["source"] + "/weights (now)", "layer": c["source"],
                                   "variable": "weights", "pairs": c["pairs"], "t": [data["frames"][-1]],
                                   "v": [rounded([w[i, j] for i, j in c["pairs"]])]})
    for layer in network.layers:
        la = by_name[layer.name]
        if (layer.name, "neurons") not in present:
            row = np.asarray(layer.neuron_row_array).reshape(len(layer.neuron_row_array), -1)[0]
            data["series"].append({"key": layer.name + "/neurons (now)", "layer": layer.name, "variable": "neurons",
                                   "idx": la["shown"], "t": [data["frames"][-1]], "v": [rounded(row[la["shown"]])]})
    return data


def _default_connections(network, layers):
    out = []
    for k, layer in enumerate(network.layers[:-1]):
        w = layer.weight_row_mat
        if w is None or w.shape != (layer.num_neurons, network.layers[k + 1].num_neurons):
            continue  # no weights, or not neuron-to-neuron (a convolution's filters)
        src, tgt = layers[k]["shown"], layers[k + 1]["shown"]
        pairs = [[i, j] for i in src for j in tgt][:MAX_PAIRS]
        out.append({"source": layer.name, "target": network.layers[k + 1].name, "pairs": pairs})
    return out


IMAGES_SHOWN = 8  # test images classified along the timeline of a saved image run


def _test_images(name, count):
    """The first ``count`` test images of data set ``name`` if they are on this machine (never downloads)."""
    from ..data import load_dataset
    try:
        images, labels = load_dataset(name, "test", download=False)
    except Exception:  # noqa: BLE001 - missing or unreadable data: the page just shows no images
        return None
    return images[:count], labels[:count]


def image_samples(folder, histories, info, count=IMAGES_SHOWN):
    """Test images and the class the network gave them at each full snapshot of its weights.

    For a saved image run (``network.json`` beside ``history.npz``, ``info['dataset']`` named and
    its test images on this machine): the network is loaded, then at every step where every
    connection has a full weight snapshot (``record_summaries`` keeps a few) its weights and
    biases are set to those of that step and the images are classified.  None when any of
    that is missing.
    """
    if not os.path.exists(os.path.join(folder, "network.json")) or not info.get("dataset"):
        return None
    try:
        network, _, _ = load_network(folder)
    except (OSError, ValueError):
        return None
    full = {}
    for layer in network.layers:
        if layer.weight_row_mat is None:
            continue
        h = histories.get(f"{layer.name}/weights")
        if h is None or h.about.get("select") is not None or tuple(h.shape) != layer.weight_row_mat.shape:
            return None
        full[layer.name] = h
    biases = {}
    for layer in network.layers:
        if layer.bias is not None:
            b = histories.get(f"{layer.name}/bias")
            if b is None or tuple(b.shape) != layer.bias.shape:
                return None
            biases[layer.name] = b
    if not full:
        return None
    steps = sorted(set.intersection(*({int(x) for x in h.steps} for h in full.values())))
    data = _test_images(info["dataset"], count)
    if not steps or data is None:
        return None
    images, labels = data
    x = images.reshape(len(images), -1).astype(network.input.dtype) / 255
    predicted, confidence = [], []
    for s in steps:
        for name, h in full.items():
            network.layer(name).weight_row_mat = h.values[list(h.steps).index(s)]
        for name, b in biases.items():
            k = int(np.searchsorted(b.steps, s, side="right")) - 1
            network.layer(name).bias[...] = b.values[max(k, 0)]
        out = network.predict(x)
        predicted.append([int(c) for c in out.argmax(axis=1)])
        confidence.append(rounded(out.max(axis=1)))
    return {"shape": list(images.shape[1:]), "images": images.reshape(len(images), -1).tolist(),
            "labels": [int(v) for v in labels], "t": steps, "predicted": predicted, "confidence": confidence}


def run_page_data(path):
    """Page data of a run folder or history file, with its test images classified along the timeline."""
    histories, info, title = load_run(path)
    data = page_data(histories, info, title)
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    data["images"] = image_samples(folder, histories, info) or recorded_images(folder, data)
    data["states"] = recorded_states(folder)
    return data


def recorded_states(folder):
    """``{"run": folder, "steps": [...]}``: the steps whose full state the run kept (``simnet fork``), or None."""
    from ..rewind import state_steps

    path = os.path.join(folder, "states.npz")
    if not (os.path.exists(path) and os.path.exists(os.path.join(folder, "run.json"))):
        return None
    try:
        return {"run": os.path.abspath(folder), "steps": state_steps(path)}
    except ValueError:
        return None


def recorded_images(folder, data, count=IMAGES_SHOWN):
    """The test images an image run recorded in ``figures.npz`` (beside its history, with or without ``--save``)
    and the classes it gave them at its end: shown at the last frame (None where the run recorded none)."""
    path = os.path.join(folder, "figures.npz")
    if not os.path.exists(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as f:
            if not {"shown_images", "shown_labels", "shown_predicted"} <= set(f.files):
                return None
            images, labels, predicted = f["shown_images"][:count], f["shown_labels"][:count], f["shown_predicted"][:count]
    except (OSError, ValueError, KeyError):
        return None
    images = np.asarray(images)
    if images.ndim < 3 or images.dtype.kind not in "ui":
        return None
    return {"shape": list(images.shape[1:]), "images": images.reshape(len(images), -1).tolist(),
            "labels": [int(v) for v in labels], "t": [data["frames"][-1]], "predicted": [[int(c) for c in predicted]],
            "confidence": None, "final_only": True}
