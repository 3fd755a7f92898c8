"""simnet: a neural-network simulator with explicit neurons."""
from .interrupt import StopOnInterrupt  # first: a command interrupted in the imports ends in one line
from .activations import get_activation
from .maps import Conv2D, Dropout, Flatten, MapInput, MaxPool2D
from .history import History, Monitor, load_histories, save_histories
from .layer import SimpleLayer
from .losses import CrossEntropy, SquaredError
from .network import DivergenceError, FitResult, Network
from .optimizers import SGD, Adam, Momentum

__all__ = ["SimpleLayer", "Network", "FitResult", "DivergenceError", "StopOnInterrupt", "History", "Monitor",
           "save_histories",
           "load_histories", "get_activation", "SquaredError", "CrossEntropy", "SGD", "Momentum", "Adam"]
__version__ = "0.1.0"

__all__ += ["MapInput", "Conv2D", "MaxPool2D", "Dropout", "Flatten"]  # layers of neuron maps (simnet.maps)


def view(network_or_run, height=820):
    """The explorer of a ``Network`` or a recorded run, shown inline in a notebook (see ``simnet.explorer``)."""
    from .explorer import view as _view  # imported only when asked for

    return _view(network_or_run, height)


__all__ += ["view"]
