"""The streetlights scenario reproduces the walk-through to every printed digit."""
import os

import numpy as np
import pytest

from helpers import load_scenario

streetlights = load_scenario("streetlights")

WALKTHROUGH_ERRORS = ["0 Error = 0.35238", "10 Error = 0.29001", "20 Error = 0.19074",
                      "30 Error = 0.12883", "40 Error = 0.04666", "50 Error = 0.00544"]


def run(capsys, *argv):
    assert streetlights.main(list(argv)) == 0
    return capsys.readouterr().out


def test_seed0_reproduces_walkthrough(capsys, tmp_path):
    out = run(capsys, "--plots", str(tmp_path))
    lines = out.splitlines()
    assert [line for line in lines if " Error = " in line] == WALKTHROUGH_ERRORS
    assert "converged after 58 iterations" in out
    predictions = [line.split("prediction ")[1].split()[0] for line in lines if line.startswith("input [")]
    assert predictions == ["0.978", "1.000", "0.037", "0.000"]
    # the initial layers are printed in the walk-through's form, before training
    assert out.index("Layer: input") < out.index("Layer: hidden") < out.index("Layer: output") < out.index("0 Error")
    assert "weights to hidden (row form, (3, 4))" in out
    expected = {"error.png", "input_to_hidden_weights.png", "hidden_to_output_weights.png",
                "input_neurons.png", "hidden_neurons.png", "output_neurons.png",
                "network.png", "health.png", "history.npz", "states.npz", "run.json"}
    assert expected == set(os.listdir(tmp_path))


def test_two_hidden_layers_converge(capsys):
    out = run(capsys, "--hidden", "4-2", "--no-plots")
    assert "Layer: hidden1" in out and "Layer: hidden2" in out
    assert "converged after" in out


@pytest.mark.slow  # a 1,000-iteration run with every figure: the slow tier keeps the default run under a minute
def test_non_converging_seed_is_reported_and_still_plotted(capsys, tmp_path):
    out = run(capsys, "--seed", "1", "--max-iter", "200", "--plots", str(tmp_path))
    assert "did NOT converge" in out and "after 200 iterations" in out
    assert "error.png" in os.listdir(tmp_path)


def test_bad_options_are_refused(capsys):
    for argv in (["--alpha", "-1"], ["--alpha", "nan"], ["--hidden", "4,x"], ["--hidden", "0"],
                 ["--max-iter", "0"]):
        assert streetlights.main(argv + ["--no-plots"]) == 2
    assert "--alpha must be a positive finite number" in capsys.readouterr().err


def test_network_fit_matches_the_explicit_loop():
    from simnet.streetlights import STREETLIGHTS as x, WALK_VS_STOP as y, build_network

    np.random.seed(0)
    net = build_network((4,))
    result = net.fit(x, y, 0.2)
    assert result.converged and result.iterations == 58
    assert np.round(net.predict(x).ravel(), 3).tolist() == [0.978, 1.0, 0.037, 0.0]
    assert f"{net.histories['error/average'].values[0]:.5f}" == "0.35238"


def test_network_fit_without_an_optimizer_is_plain_sgd_at_the_walkthroughs_alpha():
    from simnet.network import FIT_ALPHA
    from simnet.streetlights import STREETLIGHTS as x, WALK_VS_STOP as y, seeded_network

    assert FIT_ALPHA == 0.2
    named, unnamed = seeded_network(0), seeded_network(0)
    assert named.fit(x, y, 0.2) == unnamed.fit(x, y)
    for a, b in zip(named.layers, unnamed.layers):
        if a.weight_row_mat is not None:
            np.testing.assert_array_equal(a.weight_row_mat, b.weight_row_mat)
