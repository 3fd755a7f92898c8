"""Every map of a run, as numbers: ``maps.npz`` (the pictures, ``maps/<layer>_<i>.png``, are drawn by
``simnet.plots.playground.save_map_pngs``: nothing here imports the plotting code).

``maps.npz`` holds, for the end of the run, one array per layer named by the layer,
``(neurons, resolution, resolution)`` (the input layer's are the features), the grid's axes ``x1``
(left to right) and ``x2`` (top to bottom), and ``header``: JSON with the domain, the features in
input order and the layers in order.  No pickle: ``np.load(path)`` reads it.
"""
import json
import os

import numpy as np

from ..saving.files import write_file


def export_maps(folder, network, grid, maps, features):
    """Write ``folder/maps.npz``; returns its path."""
    arrays = {layer.name: np.asarray(maps[layer.name], dtype=np.float32) for layer in network.layers}
    arrays["x1"], arrays["x2"] = grid.x1, grid.x2
    header = {"format": "simnet-maps", "version": 1, "domain": list(grid.domain), "resolution": grid.resolution,
              "features": list(features), "layers": [la.name for la in network.layers]}
    arrays["header"] = np.array(json.dumps(header))
    path = os.path.join(folder, "maps.npz")
    write_file(path, lambda f: np.savez_compressed(f, **arrays))
    return path
