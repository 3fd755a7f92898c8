"""No traceback for a user's mistake: every scenario turns bad options, unusable destinations,
refused loads and sizes that cannot fit into one line and exit status 2, before training starts;
a learning-rate schedule that reaches 0 stops cleanly with the run saved; SIGTERM saves and exits 143."""
import os
import signal
import subprocess
import sys
import time

import pytest
from helpers import load_scenario, tiny_image_set

from simnet.saving import load_network

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILE = "/etc/hostname" if os.path.isfile("/etc/hostname") else __file__


def refused(scenario, argv, capsys, match):
    try:
        code = load_scenario(scenario).main(argv)
    except SystemExit as e:
        code = e.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, (argv, err)
    assert err and match in err[-1], (argv, err)
    assert "Traceback" not in "\n".join(err)
    return err[-1]


MISTAKES = [
    ("mnist", ["--seed", "-1"], "--seed must be in"),
    ("mnist_cnn", ["--seed", "-5"], "--seed must be in"),
    ("streetlights", ["--seed", "-1"], "--seed must be in"),
    ("mnist", ["--hidden", "100000000", "--no-plots"], "needs about 1,256.2 GiB"),
    ("streetlights", ["--hidden", "100000", "--no-plots"], "needs about 4.5 GiB, more than the 1.0 GiB allowed"),
    ("mnist", ["--data", FILE], "is not a folder"),
    ("mnist", ["--data", "/nonexistent/simnet-data"], "does not exist"),
    ("mnist_cnn", ["--data", os.path.join(ROOT, "docs")], "docs: holds no MNIST files (neither split's pair"),
    ("mnist", ["--plots", FILE], "exists and is not a folder"),
    ("mnist", ["--save", FILE], "exists and is not a folder"),
    ("mnist_cnn", ["--save", f"{FILE}/model"], "its folder " + FILE + ": exists and is not a folder"),
    ("streetlights", ["--plots", "/proc/simnet-plots"], "cannot write there"),
    ("mnist", ["--load", "/nonexistent/model"], "no saved network here"),
    ("mnist_cnn", ["--load", ROOT], "no saved network here"),
    ("sweep", ["streetlights", "--seeds", "0-99999999999", "--no-plots"], "seeds must be between 0 and 2**32 - 1"),
    ("sweep", ["streetlights", "--seeds", "0-9999999", "--no-plots"], "more than the 1,000,000 runs a sweep may have"),
    ("sweep", ["streetlights", "--seeds", "0-999999", "--alpha", "0.1,0.2", "--no-plots"], "1,000,000 seeds x 2 alpha"),
]


@pytest.mark.parametrize("scenario, argv, match", MISTAKES)
def test_a_mistake_is_one_line_and_exit_2(scenario, argv, match, capsys):
    refused(scenario, argv, capsys, match)


def test_save_into_a_foreign_folder_or_onto_the_plots_is_refused_before_training(tmp_path, capsys):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"x")
    refused("mnist", ["--save", str(tmp_path / "photos")], capsys, "holds files that are not a save (a.jpg)")
    same = str(tmp_path / "out")
    refused("mnist", ["--save", same, "--plots", same], capsys, "--save and --plots both name")


def test_tampered_saves_are_one_line(tmp_path, capsys):
    from simnet import Network
    from simnet.saving.schema import FORMAT_VERSION
    from simnet.saving import save_network

    save_network(tmp_path / "m", Network.build([784, 4, 10], seed=0, activations=["relu", "softmax"],
                                               loss="cross_entropy"))
    text = (tmp_path / "m" / "network.json").read_text()
    version = f'"version": {FORMAT_VERSION}'
    assert version in text
    for old, new, match in [(version, '"version": "2.0"', "version: must be an integer"),
                            ('"loss": "cross_entropy"', '"loss": "rmsprop"', "loss: must be one of"),
                            (version, version + ', "deep": ' + "[" * 5000 + "]" * 5000, "nested deeper")]:
        (tmp_path / "m" / "network.json").write_text(text.replace(old, new))
        line = refused("mnist", ["--load", str(tmp_path / "m"), "--epochs", "0", "--no-plots"], capsys, match)
        assert "network.json" in line


def test_a_learning_rate_that_reaches_0_stops_cleanly_with_the_run_saved(tmp_path, capsys):
    data = tiny_image_set(tmp_path / "data", n_train=200, n_test=50)
    argv = ["--data", str(data), "--no-download", "--hidden", "8", "--epochs", "4", "--lr-decay", "1e-300",
            "--save", str(tmp_path / "model"), "--no-plots"]
    assert load_scenario("mnist").main(argv) == 0
    out = capsys.readouterr().out
    assert "the learning rate reached 0 before epoch 3" in out and "after 2 epochs" in out
    info = load_network(tmp_path / "model")[2]
    assert info["epochs"] == 2 and info["stopped"] == "learning rate reached 0"


def test_a_diverged_run_does_not_replace_the_good_save(tmp_path, capsys):
    data = tiny_image_set(tmp_path / "data", n_train=200, n_test=50)
    model = str(tmp_path / "model")
    common = ["--data", str(data), "--no-download", "--no-plots"]
    assert load_scenario("mnist").main(common + ["--hidden", "8", "--epochs", "1", "--save", model]) == 0
    capsys.readouterr()
    assert load_scenario("mnist").main(common + ["--load", model, "--save", model, "--lr", "1e38"]) == 3
    out = capsys.readouterr().out
    assert "the network diverged" in out and f"{model}.diverged/" in out and "left as it was" in out
    assert load_network(model)[2]["epochs"] == 1


def _start(argv, tmp_path):
    env = {**os.environ, "PYTHONPATH": ROOT, "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, *argv], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def test_sigterm_finishes_the_step_saves_and_exits_143(tmp_path):
    data = tiny_image_set(tmp_path / "data", n_train=600, n_test=50)
    model = tmp_path / "model"
    p = _start([os.path.join(ROOT, "scenarios", "mnist.py"), "--data", str(data), "--no-download", "--epochs",
                "100000", "--batch-size", "1", "--hidden", "8", "--save", str(model), "--no-plots"], tmp_path)
    for line in p.stdout:  # wait for the first finished epoch
        if line.startswith("epoch 1: loss"):
            break
    p.send_signal(signal.SIGTERM)
    out = p.communicate(timeout=60)[0]
    assert p.returncode == 143, out
    assert "interrupted (SIGTERM)" in out and "saved the network" in out
    assert load_network(model)[2]["stopped"] == "interrupted"


def test_sigterm_stops_streetlights_with_143(tmp_path):
    p = _start([os.path.join(ROOT, "scenarios", "streetlights.py"), "--max-iter", "100000000", "--epsilon", "0",
                "--no-plots"], tmp_path)
    for line in p.stdout:
        if line.startswith("10 Error"):
            break
    time.sleep(0.2)
    p.send_signal(signal.SIGTERM)
    out = p.communicate(timeout=60)[0]
    assert p.returncode == 143 and "interrupted (SIGTERM)" in out, out


def test_a_cnn_batch_that_cannot_fit_is_refused_before_the_first_step(tmp_path, capsys, monkeypatch):
    import simnet.runs.memory

    data = tiny_image_set(tmp_path / "data", n_train=200, n_test=50)
    monkeypatch.setattr(simnet.runs.memory, "memory_available", lambda: 2**20)  # 1 MiB free
    line = refused("mnist_cnn", ["--data", str(data), "--no-download", "--batch-size", "100", "--no-plots"], capsys,
                   "a batch of 100 needs about")
    assert "more than the 0.0 GiB available; use a smaller --batch-size" in line
