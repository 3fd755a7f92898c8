"""One save folder, one process at a time (issue 20, case 3): a second run naming a folder another holds is
refused at its start, naming the folder and the holder's pid; two processes saving to one folder never
delete each other's files, and a load never returns a mix of two saves (each save's id is in all its files)."""
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import ROOT, load_scenario, tiny_image_set

from simnet import Network
from simnet.saving import load_network, save_network

ENV = dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="Agg")

HOLDER = r"""
import sys, time
from simnet.saving.files import claim_folder
claim_folder(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""

SAVER = r"""
import sys, traceback
import numpy as np
from simnet import Network
from simnet.saving import save_network
from simnet.saving.files import FolderInUse
target, tag = sys.argv[1], int(sys.argv[2])
net = Network.build([30, 50, 10], seed=0)
saved = refused = raw = 0
for k in range(30):
    value = tag * 1000 + k
    for layer in net.layers[:-1]:
        layer.weight_row_mat = np.full_like(layer.weight_row_mat, value)
    try:
        save_network(target, net, None, {"epochs": value})
        saved += 1
    except FolderInUse as e:
        refused += 1
    except Exception:
        raw += 1
        traceback.print_exc()
print(saved, refused, raw, flush=True)
"""


def consistent(folder):
    net, _, info = load_network(folder)
    k = info["epochs"]
    return all((layer.weight_row_mat == k).all() for layer in net.layers[:-1])


def test_a_second_run_naming_a_held_save_folder_is_refused_at_its_start(tmp_path, capsys):
    target = tmp_path / "model"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(target)], env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        data = tiny_image_set(tmp_path / "data", n_train=60, n_test=20)
        code = load_scenario("mnist").main(["--data", str(data), "--no-download", "--hidden", "4", "--epochs", "1",
                                            "--save", str(target), "--no-plots"])
        err = capsys.readouterr().err
        assert code == 2, err
        assert err.startswith(f"error: --save {target}: ") and f"in use by process {holder.pid}" in err, err
        assert not target.exists()  # nothing was trained or written
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone (killed: its lock file is left, unlocked): the folder is free again
    assert load_scenario("mnist").main(["--data", str(data), "--no-download", "--hidden", "4", "--epochs", "1",
                                        "--save", str(target), "--no-plots"]) == 0
    assert sorted(os.listdir(tmp_path)) == ["data", "model"]  # the run's end removed the lock file


def test_a_save_waits_its_turn_and_names_the_holder_when_it_cannot(tmp_path):
    from simnet.saving.files import FolderInUse

    target = tmp_path / "model"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(target)], env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        import simnet.saving.folder as folder

        with pytest.raises(FolderInUse, match=rf"{target}: in use by process {holder.pid}"):
            folder.replace_folder(target, lambda tmp: None, wait=0.1)
    finally:
        holder.kill()
        holder.wait()


def test_a_load_of_files_from_two_saves_is_refused_not_mixed(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    net = Network.build([3, 4, 1], seed=0)
    save_network(a, net, None, {"epochs": 1})
    save_network(b, net, None, {"epochs": 2})
    os.replace(b / "weights.npz", a / "weights.npz")  # network.json of one save, weights of another
    with pytest.raises(ValueError, match=r"weights.npz: not of the same save as network.json"):
        load_network(a)


@pytest.mark.slow
def test_two_processes_saving_30_times_to_one_folder(tmp_path):
    """Done-when figure: two processes x 30 saves to one folder while this one loads it again and again:
    0 raw tracebacks, 0 mixed loads."""
    target = tmp_path / "model"
    save_network(target, _constant(0), None, {"epochs": 0})
    savers = [subprocess.Popen([sys.executable, "-c", SAVER, str(target), str(tag)], env=ENV, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for tag in (1, 2)]
    loads = mixed = load_errors = 0
    while any(p.poll() is None for p in savers):
        try:
            loads += 1
            mixed += not consistent(target)
        except ValueError as e:
            load_errors += 1
            print("load refused:", e)
        time.sleep(0.005)
    results = [p.communicate() for p in savers]
    saved = sum(int(out.split()[0]) for out, _ in results)
    refused = sum(int(out.split()[1]) for out, _ in results)
    raw = sum(int(out.split()[2]) for out, _ in results) + sum(err.count("Traceback") for _, err in results)
    print(f"two processes x 30 saves to one folder: {saved} saved, {refused} refused (folder in use), {raw} raw "
          f"tracebacks; {loads} loads meanwhile, {mixed} mixed, {load_errors} refused")
    assert raw == 0 and mixed == 0 and saved + refused == 60
    assert consistent(target)
    assert sorted(os.listdir(tmp_path)) == ["model"]  # no leftovers, no lock file


def _constant(k):
    net = Network.build([30, 50, 10], seed=0)
    for layer in net.layers[:-1]:
        layer.weight_row_mat = np.full_like(layer.weight_row_mat, k)
    return net
