"""Decision maps: every neuron of a network evaluated over a grid of the plane, as Playground draws them.

A ``Grid`` is ``resolution x resolution`` points over the square ``[lo, hi]^2`` (Playground:
100 x 100 over [-6, 6]^2, its ``DENSITY``).  Row 0 is the top (``x2 = hi``) and column 0 the left
(``x1 = lo``), so a map is drawn as an image as it is.  ``neuron_maps`` runs the grid through the
network's inference path (``layer.infer``) in one vectorised pass, 10,000 points at once, and
returns every layer's neurons as maps ``(neurons, resolution, resolution)``: the input layer's
maps are the features, the output's the decision map.  Nothing in the network changes (no
neuron buffer, cache or history), so it runs between steps, in a monitor or from another thread's
copy.

``MapRecorder`` keeps the maps of every layer at chosen steps in bounded ``History`` buffers
(``maps/<layer>``, float16: three significant digits are plenty for a picture, and a 6 x 8
network's 24 snapshots take 24 MB, not 48), thinned evenly like every other history, so the offline page and
the strip over time can show the maps of any recorded moment.
"""
import math
from collections.abc import Sequence

import numpy as np

from ..history import History
from ..network import Network
from .data import DOMAIN
from .features import feature_matrix

RESOLUTION = 100  # Playground's DENSITY


def fit_domain(points, base=DOMAIN):
    """The square to draw: Playground's [-6, 6]^2, widened (symmetrically, to a whole number) to hold ``points``."""
    lo, hi = base
    if points is not None and len(points):
        reach = float(np.max(np.abs(points)))
        if reach > hi or -reach < lo:
            half = math.ceil(reach * 1.05)
            lo, hi = min(lo, -half), max(hi, half)
    return (float(lo), float(hi))


class Grid:
    """``resolution^2`` points over ``[lo, hi]^2``: row 0 at ``x2 = hi`` (the top), column 0 at ``x1 = lo``."""

    def __init__(self, domain=DOMAIN, resolution=RESOLUTION):
        lo, hi = (float(v) for v in domain)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"grid domain must be two finite numbers lo < hi, got {domain!r}")
        if not isinstance(resolution, int) or resolution < 2:
            raise ValueError(f"grid resolution must be an int >= 2, got {resolution!r}")
        self.domain, self.resolution = (lo, hi), resolution
        self.x1 = np.linspace(lo, hi, resolution)  # Playground: d3 scale [0, DENSITY - 1] -> domain
        self.x2 = np.linspace(hi, lo, resolution)  # top to bottom
        g1, g2 = np.meshgrid(self.x1, self.x2)
        self.points = np.stack([g1.ravel(), g2.ravel()], axis=1)  # (resolution^2, 2), row-major

    @property
    def extent(self):
        """For ``imshow``: (left, right, bottom, top)."""
        lo, hi = self.domain
        return (lo, hi, lo, hi)

    def __repr__(self):
        return f"Grid({self.domain}, {self.resolution}x{self.resolution})"


def grid_inputs(grid: "Grid", features: Sequence[str]) -> np.ndarray:
    """The input neurons for every grid point: ``(resolution^2, len(features))``."""
    return feature_matrix(grid.points, features)


def neuron_maps(network: Network, inputs: np.ndarray, resolution: int) -> dict[str, np.ndarray]:
    """Every layer's neurons over the grid, ``{layer name: (neurons, resolution, resolution)}``.

    ``inputs`` is ``grid_inputs(grid, features)`` (computed once per grid).  One forward pass
    through ``layer.infer`` for all points at once; changes nothing in ``network``.
    """
    maps = {}
    a = inputs
    for layer in network.layers:
        a = layer.infer(a)
        maps[layer.name] = a.T.reshape(layer.num_neurons, resolution, resolution)
    return maps


class MapRecorder:
    """Record ``neuron_maps`` of every layer after the input at the steps ``wants(step)`` keeps.

    ``histories`` holds one ``History`` per layer, ``maps/<layer>``, of shape
    ``(neurons, resolution, resolution)``, float16, at most ``capacity`` snapshots (plus the last)
    thinned evenly; ``every`` is the stride between snapshots before any thinning.
    """

    def __init__(self, network, grid, features, every=1, capacity=24):
        self.network, self.grid, self.features = network, grid, tuple(features)
        self.inputs = grid_inputs(grid, features)
        r = grid.resolution
        self.histories = {}
        for layer in network.layers[1:]:
            h = History((layer.num_neurons, r, r), capacity=capacity, every=every, dtype=np.float16,
                        name=f"maps/{layer.name}")
            h.about = {"maps": layer.name, "domain": list(grid.domain), "resolution": r,
                       "features": list(self.features)}
            self.histories[f"maps/{layer.name}"] = h
        self.last = None  # the last maps computed, {layer: array}

    @property
    def nbytes(self):
        return sum(h.nbytes for h in self.histories.values())

    def wants(self, step):
        return next(iter(self.histories.values())).wants(step)

    def offer(self, step):
        """Compute and keep the maps at ``step`` if the histories keep that step; returns whether they did."""
        if not self.wants(step):
            return False
        self.last = neuron_maps(self.network, self.inputs, self.grid.resolution)
        for name, h in self.histories.items():
            h.offer(step, self.last[name.split("/", 1)[1]])
        return True

    def last_kept(self):
        """The maps of the last snapshot kept (after a divergence, the last finite one), with the features."""
        r = self.grid.resolution
        maps = {self.network.input.name: self.inputs.T.reshape(-1, r, r)}
        for name, h in self.histories.items():
            maps[name.split("/", 1)[1]] = h.values[-1]
        return maps

    def close(self, step):
        """Keep the maps of ``step`` as the final snapshot."""
        self.last = neuron_maps(self.network, self.inputs, self.grid.resolution)
        for name, h in self.histories.items():
            h.close(step, self.last[name.split("/", 1)[1]])
        return self.last
