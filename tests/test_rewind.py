"""Rewind and fork (simnet.rewind, simnet fork): a restored state repeats the original's later steps bit for bit."""
import os

import numpy as np
import pytest

from simnet.optimizers import get_optimizer
from simnet.rewind import StateRecorder, apply_edit, load_state, restore, save_states
from simnet.streetlights import seeded_network


def test_a_restored_state_repeats_the_later_steps_bit_for_bit_and_states_stay_bounded(tmp_path):
    x = np.random.default_rng(0).random((64, 3))
    y = (x.sum(axis=1, keepdims=True) > 1.5).astype(float)
    from simnet import Network

    def build():
        return Network.build([3, 8, 1], activations=["relu", "sigmoid"], seed=1, bias=True)

    net = build()
    opt = get_optimizer("adam", 0.01)
    states = StateRecorder(net, capacity=8, position=lambda: dict(net.data_position))
    for _ in range(3):
        net.run_epoch(x, y, opt, batch_size=8)  # 24 steps: the states thin to every 4th
    states.close()
    assert len(states.states) <= 9 and states.recorded_steps[0] == 0 and states.recorded_steps[-1] == 24
    save_states(tmp_path / "states.npz", states)
    at = 12  # mid-epoch 2 (8 batches an epoch)
    assert at in states.recorded_steps
    fork = build()
    fork_opt = get_optimizer("adam", 0.01)
    meta = restore(fork, load_state(tmp_path / "states.npz", at))
    pos = meta["position"]
    assert pos["batch"] == 4
    fork.rng.bit_generator.state = pos["rng"]
    fork.run_epoch(x, y, fork_opt, batch_size=8, start=pos["batch"])
    fork.run_epoch(x, y, fork_opt, batch_size=8)
    for a, b in zip(net.layers, fork.layers):
        if a.weight_row_mat is not None:
            assert np.array_equal(a.weight_row_mat, b.weight_row_mat)
            assert all(np.array_equal(a.weight_state[k], b.weight_state[k]) for k in a.weight_state)
        if a.bias is not None:
            assert np.array_equal(a.bias, b.bias)
    with pytest.raises(ValueError, match="no state recorded after 13 steps"):
        load_state(tmp_path / "states.npz", 13)


def test_edits_are_checked_and_name_what_changed():
    net = seeded_network(0)
    before = net.input.weight_row_mat.copy()
    assert apply_edit(net, "input.weights[1,2]=0.5") == f"input.weights[1,2] {before[1, 2]:.6g} -> 0.5"
    for text, reason in [("input.weights[3,0]=1", "outside input.weights of shape (3, 4)"),
                         ("hidden.bias[0]=1", "has no bias"), ("output.weights[0,0]=1", "has no target"),
                         ("input.weights[0]=1", "two indices"), ("nope.weights[0,0]=1", "no layer named 'nope'"),
                         ("input.weights[0,0]=inf", "must be finite"), ("input.w[0,0]=1", "cannot read the edit")]:
        with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
            apply_edit(net, text)
    assert net.input.weight_row_mat[1, 2] == 0.5 and net.input.weight_row_mat[0, 0] == before[0, 0]


def run_cli(*argv):
    from simnet.cli import main

    return main(list(argv))


def same_save(a, b):
    wa, wb = np.load(os.path.join(a, "weights.npz")), np.load(os.path.join(b, "weights.npz"))
    assert sorted(wa.files) == sorted(wb.files)
    for k in wa.files:
        assert np.array_equal(wa[k], wb[k]), k


@pytest.mark.slow
def test_streetlights_fork_without_edit_is_the_original_bit_for_bit(tmp_path, capsys):
    run = tmp_path / "run"
    assert run_cli("run", "streetlights", "--plots", str(run)) == 0
    original = capsys.readouterr().out
    assert run_cli("fork", str(run), "--at", "101") == 0  # iteration 25, after its first sample
    forked = capsys.readouterr().out
    assert "forked: from the state after 101 samples (iteration 25, sample 1)" in forked
    errors = [line for line in original.splitlines() if " Error = " in line]
    assert [line for line in forked.splitlines() if " Error = " in line] == errors[3:]  # 30 Error = ... on
    assert original.split("\n\nconverged")[1] == forked.split("\n\nconverged")[1].replace("run-fork-101", "run")
    last = load_state(run / "states.npz", 232)[0]
    again = load_state(tmp_path / "run-fork-101" / "states.npz", 232)[0]
    assert last.keys() == again.keys() and all(np.array_equal(last[k], again[k]) for k in last)
    # the fork's histories continue the original's on one axis: the same rows throughout
    from simnet import load_histories

    ha, hb = load_histories(run / "history.npz")[0], load_histories(tmp_path / "run-fork-101" / "history.npz")[0]
    for key in ("input/weights", "hidden/weights", "error/average"):
        assert np.array_equal(ha[key].steps, hb[key].steps) and np.array_equal(ha[key].values, hb[key].values)
    # one edited weight: simnet diff names that step and that weight first
    assert run_cli("fork", str(run), "--at", "40", "--edit", "input.weights[1,2]=0.9", "--out",
                   str(tmp_path / "edited")) == 0
    capsys.readouterr()
    assert run_cli("diff", str(run), str(tmp_path / "edited")) == 0
    said = capsys.readouterr().out
    assert "first difference after 40 steps: input→hidden[1, 2] (0.58345 vs 0.9)" in said
    assert (tmp_path / "edited" / "diff.png").exists()
    # a step the run did not keep is refused with the nearest it kept
    assert run_cli("fork", str(run), "--at", "100000") == 2
    assert "kept no state after 100000 steps" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("scenario,extra,at", [("mnist", ["--hidden", "16"], 27), ("cnn", [], 5)])
def test_image_fork_without_edit_is_the_original_bit_for_bit(tmp_path, scenario, extra, at):
    from explorer_support import fashion_test_set  # noqa: F401 - (data are found through SIMNET_DATA)

    from simnet.data import DatasetNotFoundError, load_dataset

    try:
        load_dataset("mnist", "test", download=False)
    except (DatasetNotFoundError, ValueError):
        pytest.skip("MNIST not found (SIMNET_DATA)")
    run = tmp_path / "run"
    size = "640" if scenario == "mnist" else "160"
    assert run_cli("run", scenario, "--train-size", size, "--epochs", "2", "--batch-size", "32", "--save", str(run),
                   "--no-plots", *extra) == 0
    from simnet.rewind import state_steps

    steps = state_steps(run / "states.npz")
    at = max(s for s in steps if s <= at)
    assert run_cli("fork", str(run), "--at", str(at)) == 0
    same_save(run, tmp_path / f"run-fork-{at}")  # weights, biases and the optimizer's state, bit for bit
    assert run_cli("fork", str(run), "--at", str(at), "--edit", "hidden.bias[0]=0.5" if scenario == "mnist"
                   else "dense1.bias[0]=0.5", "--out", str(tmp_path / "edited")) == 0
    w1 = np.load(run / "weights.npz")
    w2 = np.load(tmp_path / "edited" / "weights.npz")
    assert any(not np.array_equal(w1[k], w2[k]) for k in w1.files)


@pytest.mark.slow
def test_a_live_image_run_forks_from_its_page_while_paused(tmp_path):
    """mnist --live --save: paused after some batches, /control fork (with an edit) starts simnet fork in the
    background from that batch's state; the fork's output says so and it saves its own run; the original
    goes on to its end."""
    import time

    from explorer_support import live_scenario, request
    from helpers import tiny_image_set

    data = tiny_image_set(tmp_path / "data")
    run = tmp_path / "run"
    proc, url = live_scenario("scenarios/mnist.py", "--data", str(data), "--no-download",
                              "--hidden", "16", "--epochs", "3", "--batch-size", "20", "--save", str(run), "--no-plots",
                              "--live", "0", "--pace", "100")
    deadline = time.monotonic() + 60
    try:
        assert request(url, "/control", "POST", {"action": "resume"})[1]["ok"]
        while request(url, "/state")[1]["status"]["step"] < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert request(url, "/control", "POST", {"action": "pause"})[1]["ok"]
        while not request(url, "/state")[1]["status"]["paused"] and time.monotonic() < deadline:
            time.sleep(0.05)
        steps = request(url, "/state")[1]["status"]["step"]
        status, body = request(url, "/control", "POST", {"action": "fork", "at": steps, "edit": "hidden.bias[0]=0.5"})
        assert body["ok"], body
        assert body["at"] == steps and body["folder"] == f"{run}-fork-{steps}"
        assert request(url, "/control", "POST", {"action": "resume"})[1]["ok"]
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
    log = body["log"]
    deadline = time.monotonic() + 180
    while "saved the network" not in (open(log).read() if os.path.exists(log) else "") and time.monotonic() < deadline:
        time.sleep(0.2)
    text = open(log).read()
    assert f"forked: from the state after {steps} batches" in text and "edit: hidden.bias[0]" in text, text
    assert load_state(os.path.join(body["folder"], "states.npz"), steps)[0]["hidden.bias"][0] == np.float32(0.5)
    assert os.path.exists(os.path.join(body["folder"], "weights.npz"))
