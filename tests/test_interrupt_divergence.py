"""Nothing lost: Ctrl-C and divergence stop a run and keep what it recorded."""
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import load_scenario, needs_mnist_test, tiny_image_set

from simnet import DivergenceError, Network, load_histories
from simnet.saving import load_network
from simnet.streetlights import STREETLIGHTS, WALK_VS_STOP

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
X, Y = STREETLIGHTS, WALK_VS_STOP


def run_until(argv, marker, timeout=60):
    """Start a scenario, wait until it prints ``marker``, send SIGINT, return (rc, stdout)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", MPLBACKEND="Agg")
    proc = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=ROOT, env=env)
    lines = []
    deadline = time.monotonic() + timeout
    try:
        for line in proc.stdout:
            lines.append(line)
            if marker in line:
                proc.send_signal(signal.SIGINT)
                break
            assert time.monotonic() < deadline, "marker never printed"
        rest, _ = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, "".join(lines) + rest


def test_ctrl_c_stops_streetlights_and_keeps_everything(tmp_path):
    rc, out = run_until(["scenarios/streetlights.py", "--epsilon", "0", "--max-iter", "100000000",
                         "--alpha", "0.01", "--plots", str(tmp_path)], "100 Error")
    assert rc == 130
    assert "interrupted (Ctrl-C) during iteration" in out
    assert f"history.npz to {tmp_path}" in out
    histories, info = load_histories(tmp_path / "history.npz")
    assert histories["error/average"].steps[-1] >= 100
    assert {"error.png", "network.png", "input_to_hidden_weights.png"} <= set(os.listdir(tmp_path))


def test_divergence_stops_and_keeps_the_finite_history(tmp_path):
    net = Network.build([3, 4, 1], activations=["linear", "linear"], seed=0)
    net.record_all()
    with pytest.raises(DivergenceError, match=r"diverged at iteration \d+: layer '\w+' has non-finite") as e, \
            np.errstate(over="ignore", invalid="ignore"):
        net.fit(X, Y, 1e150, max_iter=100)
    assert e.value.iteration < 100
    for key, h in net.all_histories().items():
        assert np.isfinite(h.values).all(), key
    assert len(net.histories["error/average"]) == e.value.iteration
    net.save_history(tmp_path / "h.npz")  # what was kept can be written and plotted
    from simnet.plots import plot_run

    histories, info = load_histories(tmp_path / "h.npz")
    assert len(plot_run(histories, info, tmp_path)) >= 7


def test_streetlights_reports_divergence(tmp_path, capsys):
    streetlights = load_scenario("streetlights")

    assert streetlights.main(["--alpha", "1e200", "--plots", str(tmp_path)]) == 3
    out = capsys.readouterr().out
    assert "DIVERGED: training diverged at iteration 0: layer 'input' has non-finite weights" in out
    assert "history.npz" in os.listdir(tmp_path)
    assert "error.png" in os.listdir(tmp_path)  # drawn even though no iteration finished with a finite error
    assert max(len(digits) for digits in re.findall(r"\d+", out)) < 20  # no 200-digit numbers
    with pytest.raises(DivergenceError):
        streetlights.main(["--alpha", "1e200", "--no-plots", "--on-divergence", "raise"])


def check_ctrl_c_in_image_scenario(tmp_path, scenario, extra, figures=True):
    model, plots = tmp_path / "model", tmp_path / "plots"
    draw = ["--plots", str(plots)] if figures else ["--no-plots"]
    rc, out = run_until([f"scenarios/{scenario}", "--epochs", "1000", "--no-download", "--save", str(model),
                         *draw, *extra], "epoch 1: loss", timeout=180)
    assert rc == 130
    assert "interrupted (Ctrl-C) during epoch" in out and f"saved the network and its history to {model}" in out
    network, optimizer, info = load_network(model)
    assert info["stopped"] == "interrupted" and info["epochs"] >= 1
    if figures:
        assert {"curves.png", "confusion.png"} <= set(os.listdir(plots))


@pytest.mark.parametrize("scenario, figures", [("mnist.py", False),
                                               pytest.param("mnist_cnn.py", True, marks=pytest.mark.slow)])
def test_ctrl_c_stops_image_scenarios_and_saves_the_network(tmp_path, scenario, figures):
    """The same path on a tiny learnable data set (600 / 200 images) given with --data: seconds, not minutes.

    Both scenarios draw their figures after a Ctrl-C through the same code; to keep the default tier
    under a minute the dense one runs here without figures and the CNN (with figures) in the slow tier,
    beside the real-data runs of both.
    """
    data = tiny_image_set(tmp_path / "data")
    check_ctrl_c_in_image_scenario(tmp_path, scenario, ["--data", str(data)], figures)


@pytest.mark.slow
@needs_mnist_test
@pytest.mark.parametrize("scenario, extra", [("mnist.py", []), ("mnist_cnn.py", ["--train-size", "2000"])])
def test_ctrl_c_stops_image_scenarios_on_real_data(tmp_path, scenario, extra):
    check_ctrl_c_in_image_scenario(tmp_path, scenario, extra)
