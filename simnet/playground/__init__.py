"""The 2-D lab: TensorFlow Playground's data sets and features, a decision map for every neuron.

- ``data``: Playground's six data sets, drawn as its code draws them, shuffled and split;
- ``features``: its seven input features;
- ``task``: binary, multiclass or regression (output layer, loss, Playground's loss number)
  and the network with Playground's initial state;
- ``csvdata``: your own points from a CSV file, checked line by line;
- ``maps``: the grid, every neuron's map in one inference pass, their bounded history;
- ``panel``: the maps as the explorer page shows them; ``export``: maps.npz and PNGs.

The scenario is ``scenarios/playground.py``; nothing here is imported to train other networks.
"""
from .data import DATASETS, playground_data
from .features import FEATURES, feature_matrix
from .maps import Grid, MapRecorder, neuron_maps
from .task import Task, build_network

__all__ = ["DATASETS", "FEATURES", "Grid", "MapRecorder", "Task", "build_network", "feature_matrix",
           "neuron_maps", "playground_data"]
