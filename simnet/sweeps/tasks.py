"""The built-in sweep tasks: one run of a scenario from plain parameters.

``streetlights`` is complete: one run is exactly ``scenarios/streetlights.py``'s
network and per-sample training, through the core ``SimpleLayer`` and
``Network.fit``; its population mode trains many seeds at once with
``simnet.sweeps.population.Population``.  The data and the network come from
``simnet.streetlights``.  ``mnist`` and ``fashion_mnist`` train the
784-hidden-10 network of ``scenarios/mnist.py`` for a few epochs and report its
test accuracy (see ``image_task``).
"""
import functools

import numpy as np

from ..image_networks import build_dense
from .population import Population
from ..streetlights import STREETLIGHTS, WALK_VS_STOP, seeded_network
from .registry import BOOL, FLOAT, HIDDEN, INT, register_task

CURVE_POINTS = 128  # each run's error curve keeps at most this many iterations (+ the last), like a History


def _result(converged, iterations, error, curve):
    return {"converged": bool(converged), "iterations": int(iterations), "final_error": float(error),
            "curve": curve}


def streetlights_population(batch):
    """Runs that differ only in their seed, trained together as one ``Population``."""
    first = batch[0]
    shared = {k: v for k, v in first.items() if k != "seed"}
    for params in batch:
        if {k: v for k, v in params.items() if k != "seed"} != shared:
            raise ValueError(f"a population shares everything but the seed; {params} differs from {first}")
    networks = [seeded_network(params["seed"], first["hidden"]) for params in batch]
    population = Population.from_networks(networks)
    fit = population.fit(STREETLIGHTS, WALK_VS_STOP, first["alpha"], first["epsilon"], first["max_iter"],
                         capacity=CURVE_POINTS)
    return [_result(fit.converged[i], fit.iterations[i], fit.error[i], fit.curves[i]) for i in range(len(batch))]


def streetlights_initial_weights(params):
    """``[(source, target, weights, notes)]`` of the run's network before training.

    For a hidden target, ``notes`` say on how many of the four samples each of its
    neurons fires with these weights (a ReLU that fires on none gets no delta: it is dead).
    """
    network = seeded_network(params["seed"], params["hidden"])
    connections = []
    neurons = STREETLIGHTS
    for source, target in zip(network.layers, network.layers[1:]):
        weights = source.weight_row_mat.copy()
        notes = None
        if target.target is not None:
            neurons = target.activation.forward(neurons @ weights)
            notes = [f"fires {k}/{len(neurons)}" for k in np.count_nonzero(neurons > 0, axis=0)]
        connections.append((source.name, target.name, weights, notes))
    return connections


@register_task("streetlights",
               params={"seed": INT, "alpha": FLOAT, "hidden": HIDDEN, "epsilon": FLOAT, "max_iter": INT},
               results={"converged": BOOL, "iterations": INT, "final_error": FLOAT},
               population=streetlights_population, initial_weights=streetlights_initial_weights)
def streetlights(params):
    """One streetlights run: the core network trained per sample by ``Network.fit``."""
    network = seeded_network(params["seed"], params["hidden"])
    fit = network.fit(STREETLIGHTS, WALK_VS_STOP, params["alpha"], params["epsilon"], params["max_iter"],
                      capacity=CURVE_POINTS)
    history = network.histories["error/average"]
    return _result(fit.converged, fit.iterations, fit.error, (history.steps.copy(), history.values.copy()))


IMAGE_PARAMS = {"seed": INT, "alpha": FLOAT, "hidden": HIDDEN, "epochs": INT}
IMAGE_RESULTS = {"accuracy": FLOAT, "final_error": FLOAT}


IMAGE_BATCH = 32


@functools.lru_cache(maxsize=2)
def image_data(dataset):
    """Inputs and one-hot goals of ``dataset``'s train and test splits, loaded once per process.

    Offline MNIST (only its test set at hand) is split as ``scenarios/mnist.py`` splits it.
    """
    from ..data import load_train_test, one_hot, to_inputs

    data = load_train_test(dataset.replace("_", "-"), download=False, allow_test_split=True)
    return (to_inputs(data.train_images), one_hot(data.train_labels),
            to_inputs(data.test_images), one_hot(data.test_labels), data.info["note"])


def image_task(dataset):
    """The sweep task of an image scenario: 784-hidden-10, relu then softmax, cross-entropy,
    plain SGD at ``alpha`` (the walk-through's update) in batches of 32, ``epochs`` epochs;
    returns the test accuracy and the mean training error of the last epoch."""
    def run(params):
        x, y, x_test, y_test, _ = image_data(dataset)
        network = build_dense(params["hidden"], "relu", params["seed"], np.float32)
        curve, error = [], float("nan")
        for _ in range(params["epochs"]):
            error, _ = network.run_epoch(x, y, params["alpha"], batch_size=IMAGE_BATCH)
            curve.append(error)
        _, accuracy, _ = network.evaluate(x_test, y_test)
        return {"accuracy": accuracy, "final_error": error,
                "curve": (np.arange(len(curve)), np.array(curve))}
    run.__name__ = dataset
    return run


for _dataset in ("mnist", "fashion_mnist"):
    register_task(_dataset, IMAGE_PARAMS, IMAGE_RESULTS)(image_task(_dataset))
