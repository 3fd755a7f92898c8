"""Population mode: every copy follows exactly its own single run."""
import numpy as np
import pytest

from simnet import Network
from simnet.sweeps.population import Population
from simnet.streetlights import STREETLIGHTS, WALK_VS_STOP, build_network
SEEDS = [0, 1, 2, 3, 4, 5, 7, 15, 16, 19]  # 1, 4, 7, 15, 16, 19 do not converge at alpha 0.2, hidden 4


def streetlights_network(seed, hidden=(4,)):
    """The walk-through's way: global seed, layers created output first."""
    np.random.seed(seed)
    return build_network(hidden)


def single_runs(seeds, hidden, alpha, max_iter, capacity):
    out = []
    for seed in seeds:
        net = streetlights_network(seed, hidden)
        fit = net.fit(STREETLIGHTS, WALK_VS_STOP, alpha, max_iter=max_iter, capacity=capacity)
        out.append((fit, net))
    return out


@pytest.mark.parametrize("hidden, alpha, max_iter, capacity", [((4,), 0.2, 1000, 1000), ((4, 2), 0.2, 300, 16),
                                                                ((8,), 0.4, 200, 32)])
def test_population_matches_single_runs(hidden, alpha, max_iter, capacity):
    singles = single_runs(SEEDS, hidden, alpha, max_iter, capacity)
    population = Population.from_networks(streetlights_network(s, hidden) for s in SEEDS)
    assert len(population) == len(SEEDS)
    fit = population.fit(STREETLIGHTS, WALK_VS_STOP, alpha, max_iter=max_iter, capacity=capacity)
    for k, (single, net) in enumerate(singles):
        assert bool(fit.converged[k]) == single.converged
        assert int(fit.iterations[k]) == single.iterations
        assert fit.error[k] == single.error  # to the last bit
        history = net.histories["error/average"]
        np.testing.assert_array_equal(fit.curves[k][0], history.steps)
        np.testing.assert_array_equal(fit.curves[k][1], history.values)
        for c, layer in enumerate(net.layers[:-1]):  # the final weights too
            np.testing.assert_array_equal(population.weights[c][k], layer.weight_row_mat)
    if hidden == (4,):
        assert fit.converged.tolist() == [True, False, True, True, False, True, False, False, False, False]
        assert fit.iterations[0] == 58


def test_population_with_bias_and_sigmoid_matches_network_fit():
    x, y = STREETLIGHTS, WALK_VS_STOP

    def build(seed):
        return Network.build([3, 5, 1], activations=["sigmoid", "linear"], bias=True, seed=seed)

    population = Population.from_networks(build(s) for s in range(4))
    fit = population.fit(x, y, 0.3, epsilon=0.01, max_iter=150)
    for s in range(4):
        net = build(s)
        single = net.fit(x, y, 0.3, epsilon=0.01, max_iter=150)
        assert (fit.converged[s], fit.iterations[s], fit.error[s]) == \
            (single.converged, single.iterations, single.error)
        np.testing.assert_array_equal(population.biases[0][s, 0], net.layers[1].bias)  # the hidden layer's
        np.testing.assert_array_equal(population.biases[1][s, 0], net.layers[2].bias)
        np.testing.assert_array_equal(population.weights[0][s], net.layers[0].weight_row_mat)


def test_population_refuses_mixed_architectures_and_bad_data():
    with pytest.raises(ValueError, match="same architecture"):
        Population.from_networks([streetlights_network(0, (4,)), streetlights_network(1, (3,))])
    population = Population.from_networks([streetlights_network(0)])
    with pytest.raises(ValueError, match="inputs must be"):
        population.fit(STREETLIGHTS[:, :2], WALK_VS_STOP, 0.2)
    with pytest.raises(ValueError, match="max_iter"):
        population.fit(STREETLIGHTS, WALK_VS_STOP, 0.2, max_iter=0)
    assert repr(population) == "Population(1 copies of input[3] -> hidden[4] -> output[1])"
