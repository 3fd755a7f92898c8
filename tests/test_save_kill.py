"""A save is one thing: processes killed (SIGKILL, SIGINT) at random moments while saving leave a
folder that loads, whole, every time; a diverged network never replaces a good save; files get the
user's umask; killed saves leave no temporary files behind once the next save has run."""
import os
import random
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

from simnet import Network
from simnet.saving import load_network, save_network

CHILD = r"""
import sys
import numpy as np
from simnet import Network
from simnet.saving import save_network
net = Network.build([30, 200, 10], seed=0)
net.record_summaries(every=1)
print("ready", flush=True)
k = 1
while True:
    for layer in net.layers[:-1]:
        layer.weight_row_mat = np.full_like(layer.weight_row_mat, k)
    save_network(sys.argv[1], net, None, {"epochs": k})
    k += 1
"""


def saved_as(k):
    """The network the savers write for save ``k``: every weight equals ``k`` (so a folder's weights say
    which save they came from)."""
    net = Network.build([30, 200, 10], seed=0)
    for layer in net.layers[:-1]:
        layer.weight_row_mat = np.full_like(layer.weight_row_mat, k)
    return net


def consistent(folder):
    """Load the folder; its weights must be the ones its info says (one save, not a mix)."""
    net, _, info = load_network(folder)
    k = info["epochs"]
    for layer in net.layers[:-1]:
        assert (layer.weight_row_mat == k).all(), f"weights of another save than info's {k}"
    return k


def process_state(pid):
    """What the kernel says a process is doing: its state, where it waits, the signals it ignores/catches."""
    lines = []
    try:
        with open(f"/proc/{pid}/status") as f:
            lines = [li.strip() for li in f if li.startswith(("State", "SigIgn", "SigCgt"))]
        with open(f"/proc/{pid}/wchan") as f:
            lines.append(f"wchan: {f.read().strip() or '-'}")
    except OSError as e:
        lines.append(f"({e})")
    return "; ".join(lines)


def wait_for_exit(child, first=30, longest=180):
    """Wait for a signalled saver.  Python acts on SIGINT only between bytecodes, so a saver blocked in
    fsync (on ext4, an fsync waits for the journal commit, which under heavy parallel I/O of the slow
    tier has taken over 30 s) ends late but ends; one that ignores SIGINT never does: after ``longest``
    seconds the test fails with what the kernel said the saver was doing at ``first`` seconds."""
    try:
        return child.wait(timeout=first)
    except subprocess.TimeoutExpired:
        state = process_state(child.pid)
    try:
        return child.wait(timeout=longest - first)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        pytest.fail(f"a saver sent a signal was still running after {longest} s; at {first} s: {state}")


def kill_loop(tmp_path, rounds, seed=0):
    rng = random.Random(seed)
    target = tmp_path / "model"
    # save 0 written like the children's, so a kill before a child's first save completes still finds a
    # folder whose weights are the ones its info names
    save_network(target, saved_as(0), None, {"epochs": 0})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    seen = []
    for r in range(rounds):
        # with SIGINT's default action, whatever the test runner's process ignores (pytest-xdist's workers
        # ignore SIGINT, and a child that inherits SIG_IGN never gets its KeyboardInterrupt)
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(target)], env=env, stdout=subprocess.PIPE,
                                 preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL if r % 2 == 0 else signal.SIGINT)
        wait_for_exit(child)
        child.stdout.close()
        seen.append(consistent(target))
    # the next save cleans whatever the killed ones left beside the target
    save_network(target, Network.build([30, 200, 10], seed=0), None, {"epochs": 0})
    assert sorted(os.listdir(tmp_path)) == ["model"]
    assert sorted(os.listdir(target)) == ["history.npz", "network.json", "weights.npz"]
    return seen


def test_killed_saves_leave_one_complete_save(tmp_path):
    seen = kill_loop(tmp_path, 6)
    assert len(seen) == 6


@pytest.mark.slow
def test_killed_saves_leave_one_complete_save_many_times(tmp_path):
    seen = kill_loop(tmp_path, 60, seed=1)
    assert len(set(seen)) > 5  # the kills fell in many different saves


def test_a_diverged_network_is_saved_beside_a_good_save(tmp_path):
    good = Network.build([3, 4, 1], seed=0)
    save_network(tmp_path / "model", good, None, {"epochs": 1})
    bad = Network.build([3, 4, 1], seed=1)
    bad.layers[0]._weights[0, 0] = np.nan
    paths = save_network(tmp_path / "model", bad, None, {"epochs": 2})
    assert paths.diverged == ["input->hidden"] and paths.folder == str(tmp_path / "model.diverged")
    assert "diverged" in paths.describe() and "left as it was" in paths.describe()
    net, _, info = load_network(tmp_path / "model")
    assert info == {"epochs": 1}
    np.testing.assert_array_equal(net.layers[0].weight_row_mat, good.layers[0].weight_row_mat)
    with pytest.raises(ValueError, match=r"model.diverged/weights.npz: input->hidden: holds NaN"):
        load_network(tmp_path / "model.diverged")


def test_saves_follow_the_umask_and_refuse_foreign_folders(tmp_path):
    old = os.umask(0o022)
    try:
        paths = save_network(tmp_path / "model", Network.build([3, 4, 1], seed=0))
        Network.build([3, 4, 1], seed=0).save_history(tmp_path / "h" / "history.npz")
    finally:
        os.umask(old)
    for p in list(paths) + [str(tmp_path / "h" / "history.npz")]:
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o644, p
    assert stat.S_IMODE(os.stat(tmp_path / "model").st_mode) == 0o755
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(ValueError, match=r"photos: holds files that are not part of a save \(holiday.jpg\)"):
        save_network(tmp_path / "photos", Network.build([3, 4, 1], seed=0))
    assert os.listdir(tmp_path / "photos") == ["holiday.jpg"]


def test_a_save_cut_between_its_two_renames_still_loads(tmp_path):
    save_network(tmp_path / "model", Network.build([3, 4, 1], seed=0), None, {"epochs": 4})
    os.rename(tmp_path / "model", tmp_path / "model.old-0123abcd")  # the first rename done, not the second
    os.mkdir(tmp_path / "model.tmp-89abcdef")  # and a temporary folder being written
    assert load_network(tmp_path / "model")[2] == {"epochs": 4}
    save_network(tmp_path / "model", Network.build([3, 4, 1], seed=0), None, {"epochs": 5})
    assert sorted(os.listdir(tmp_path)) == ["model"]
    assert load_network(tmp_path / "model")[2] == {"epochs": 5}


@pytest.mark.parametrize("fail_at, figures", [(1, False), pytest.param(3, True, marks=pytest.mark.slow)])
def test_a_disk_that_fills_during_a_save_keeps_the_previous_save(tmp_path, monkeypatch, capsys, fail_at, figures):
    """The disk fills while the save is written (its first or its last file: ENOSPC from the
    write's fsync): the scenario says so in one line and exits 2, the previous save stays whole (no new
    figure data beside it either), no temporary is left beside it, and the figures are still drawn."""
    import errno

    import simnet.saving.files as safefiles
    from helpers import load_scenario, tiny_image_set

    data = tiny_image_set(tmp_path / "data", n_train=200, n_test=50)
    model, plots = tmp_path / "model", tmp_path / "plots"
    common = ["--data", str(data), "--no-download", "--hidden", "8", "--save", str(model)]
    assert load_scenario("mnist").main(common + ["--epochs", "1", "--no-plots"]) == 0
    before = {name: (model / name).read_bytes() for name in os.listdir(model)}
    capsys.readouterr()
    calls = []
    real_fsync = safefiles.os.fsync

    def fsync(fd):  # the n-th file written: the disk is full
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            calls.append(fd)
            if len(calls) == fail_at:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(safefiles.os, "fsync", fsync)
    code = load_scenario("mnist").main(common + ["--epochs", "2"] + (["--plots", str(plots)] if figures else
                                                                    ["--no-plots"]))
    monkeypatch.undo()
    out, err = capsys.readouterr()
    assert code == 2 and len(calls) >= fail_at  # (the figures written after it count too)
    assert [li for li in err.splitlines() if li.startswith("error")] == [  # (the rest: the progress bars)
        f"error: could not save the network to {model}: [Errno 28] No space left on device"]
    assert {name: (model / name).read_bytes() for name in os.listdir(model)} == before
    assert sorted(os.listdir(tmp_path)) == ["data", "model"] + (["plots"] if figures else [])
    assert load_network(model)[2]["epochs"] == 1 and ("wrote 10 figures" in out) == figures
