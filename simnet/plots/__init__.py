"""Every figure simnet draws, one module per kind; no training module imports this package.

    common.py       save_figure, figure_paths, the weight colour scale, source colours and target widths
    walkthrough.py  error per iteration, weight histories, neuron histories
    diagram.py      the network as a graph (networkx)
    redraw.py       every figure of a run: plot_run, plot_image_run, plot_cnn_run; redraw(RUN) for ``simnet plot``
    walkthrough_run.py  the walk-through run's figures from its histories (error, weights, neurons, network)
    images.py       image data: weight tiles, confusion matrix, predictions, curves, summaries
    maps.py         neuron maps: filters, feature maps, the network as blocks
    sweeps.py       sweep figures: iterations, convergence rate, error curves, initial weights
    sequence.py     a recurrent layer over a sequence: neurons per time step, the gradient's size per step
"""
from .common import WEIGHT_CMAP, figure_paths, save_figure, source_colour, target_width
from .diagram import draw_network, draw_networks, network_graph
from .redraw import plot_run, redraw
from .sequence import plot_sequence  # noqa: F401 (the package's figures, imported from here)
from .walkthrough import plot_errors, plot_neurons, plot_weights

__all__ = ["WEIGHT_CMAP", "draw_network", "draw_networks", "figure_paths", "network_graph", "plot_errors",
           "plot_neurons", "plot_run", "plot_weights", "redraw", "save_figure", "source_colour", "target_width"]
