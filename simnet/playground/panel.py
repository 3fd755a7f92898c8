"""The maps as the explorer page shows them (offline and live): compact, JSON-able data.

Each layer's maps are quantised to bytes on the layer's own symmetric scale ``±scale`` (1 for
the bounded activations tanh, sigmoid and softmax, as Playground draws them; the largest |value|
for relu and linear layers, said under the layer) and sent base64-encoded: the output's map at
the full grid (100 x 100), every other neuron's at a quarter of it in each direction (25 x 25,
the mean of 4 x 4 blocks; Playground's own node thumbnails are 10 x 10).  The page turns the byte
``q`` back into ``(q / 255 * 2 - 1) * scale``.
"""
import base64

import numpy as np

from .maps import RESOLUTION, Grid, grid_inputs, neuron_maps
from .task import full_weight_steps, network_from_history, set_weights_at

BOUNDED = ("tanh", "sigmoid", "softmax")
THUMB = 4  # neuron maps in the page: every THUMB x THUMB block of the grid is one pixel
PAGE_SNAPSHOTS = 300  # a recorded run's page holds the maps of at most this many moments
PAGE_MAPS = 48  # the page shows the maps of a hidden layer's first 48 neurons (and says how many more there are)


def layer_scale(values, activation):
    """The symmetric colour scale of a layer's maps: 1 for a bounded activation, else its largest |value|."""
    if str(activation) in BOUNDED:
        return 1.0
    m = float(np.max(np.abs(values))) if values.size else 0.0
    return m if np.isfinite(m) and m > 0 else 1.0


def reduce(maps, k):
    """The mean of every k x k block of ``maps`` (..., r, r); r divisible by k, else the last rows are cut."""
    *lead, r, _ = maps.shape
    s = (r // k) * k
    m = maps[..., :s, :s].reshape(*lead, s // k, k, s // k, k)
    return m.mean(axis=(-3, -1))


def encode(maps, scale):
    """Bytes 0..255 for values in [-scale, scale] (clipped; NaN -> 127), base64 text."""
    q = np.clip(np.nan_to_num((np.asarray(maps, dtype=np.float64) / scale + 1) * 127.5, nan=127.0), 0, 255)
    return base64.b64encode(np.round(q).astype(np.uint8).tobytes()).decode("ascii")


def encode_maps(maps, layers, output_name):
    """``{layer name: {res, scale, data}}`` for ``maps`` ``{layer name: (n, r, r)}``; ``layers`` gives
    ``(name, activation)`` in order.  The output at full resolution, the rest reduced by ``THUMB``."""
    out = {}
    for name, activation in layers:
        m = np.asarray(maps[name], dtype=np.float64)
        scale = layer_scale(m, activation)  # over the whole layer, also where only PAGE_MAPS are sent
        if name != output_name:
            m = reduce(m[:PAGE_MAPS], THUMB)
        out[name] = {"res": int(m.shape[-1]), "scale": float(f"{scale:.6g}"), "data": encode(m, scale)}
    return out


def static_data(layers, features, domain, task, train, test, input_maps):
    """What the page needs once: the layers, the features (with their maps), the domain, the points."""
    (x_train, y_train), (x_test, y_test) = train, test

    def points(x, y):
        return [[float(f"{a:.4g}"), float(f"{b:.4g}"), float(f"{c:.4g}")] for (a, b), c in zip(x, y)]

    feats = [encode_maps({"f": m[None]}, [("f", "linear")], None)["f"] for m in input_maps]  # each its own scale
    return {"layers": [{"name": n, "activation": str(a)} for n, a in layers], "features": list(features),
            "feature_maps": feats, "domain": list(domain), "task": task.kind,
            "classes": [str(c) for c in task.classes], "train": points(x_train, y_train),
            "test": points(x_test, y_test), "snapshots": []}


def history_data(histories, info):
    """The maps panel of a recorded run: ``info['playground']`` and the maps of every recorded moment.

    Where every weight and bias was recorded (``record_all``, the scenario's default), the maps are
    computed from the weights of each snapshot, so that every step of the page's timeline has its own
    (at most ``PAGE_SNAPSHOTS``, evenly spread, the last always); otherwise (a large network recording
    summaries) the maps the run kept, ``maps/<layer>``.
    """
    pg = info.get("playground")
    if not isinstance(pg, dict):
        return None
    names = [la["name"] for la in pg.get("layers", [])]
    hs = {n: histories.get(f"maps/{n}") for n in names}
    if not names or any(h is None or not len(h) for h in hs.values()):
        return None
    layers = [(la["name"], la["activation"]) for la in pg["layers"]]
    kept = sorted(set.intersection(*({int(s) for s in h.steps} for h in hs.values())))
    snaps = {}
    for s in kept:
        maps = {n: h.values[int(np.flatnonzero(h.steps == s)[0])] for n, h in hs.items()}
        snaps[s] = encode_maps(maps, layers, names[-1])
    try:
        network, _ = network_from_history(histories, info)
        steps = full_weight_steps(network, histories)
    except (KeyError, ValueError, TypeError):
        steps = []
    if len(steps) > PAGE_SNAPSHOTS:
        steps = sorted({steps[int(k)] for k in np.linspace(0, len(steps) - 1, PAGE_SNAPSHOTS).round()})
    if steps:
        resolution = int(next(iter(hs.values())).shape[-1])
        inputs = grid_inputs(Grid(tuple(pg["domain"]), resolution or RESOLUTION), pg["features"])
        for s in steps:
            if s not in snaps:
                set_weights_at(network, histories, s)
                snaps[s] = encode_maps(neuron_maps(network, inputs, resolution), layers, names[-1])
    return {**pg, "snapshots": [{"t": s, "maps": snaps[s]} for s in sorted(snaps)]}


class MapsPanel:
    """The live page's maps: the static part once, then fresh maps at most ``per_second`` times a second.

    ``frame(step)`` runs in the training thread between steps (``LiveRun`` calls it when it captures
    a frame): one ``neuron_maps`` pass over the grid, encoded; None when the last maps are too recent.
    """

    key = "playground"  # where the page finds it: D.playground, and frame.panels.playground

    def __init__(self, network, grid, static, per_second=4.0):
        self.network, self.grid, self.static = network, grid, static
        self.inputs = grid_inputs(grid, static["features"])
        self.layers = [(la.name, la.activation) for la in network.layers[1:]]
        self.every = 1.0 / per_second
        self._last = None
        self.loss = []  # [step, train loss, test loss], appended by the training loop (add_loss)
        self._sent = 0

    def add_loss(self, step, train, test):
        self.loss.append([int(step), float(f"{train:.6g}"), float(f"{test:.6g}")])

    def page_data(self):
        return {**self.static, "loss": list(self.loss)}

    def frame(self, step, now):
        if self._last is not None and now - self._last < self.every:
            return None
        self._last = now
        maps = neuron_maps(self.network, self.inputs, self.grid.resolution)
        new, self._sent = self.loss[self._sent:], len(self.loss)
        return {"t": step, "maps": encode_maps(maps, self.layers, self.layers[-1][0]), "loss": new}
