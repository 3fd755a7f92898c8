"""Files that are not regular files, and archives with something after their end (issue 20, cases 2 and 8):
a FIFO, a symbolic link to /dev/zero, a folder or a socket as each file of a save folder, for load_network
(--load), `simnet view`, `simnet plot` and --init-weights.  Each is refused at once (no hang, no read of an
endless device), with a message that names the file and the reason."""
import os
import shutil
import signal
import socket
import time

import numpy as np
import pytest
from explorer_support import LABELS, X, Y, streetlights_network

from simnet.cli import main as cli_main
from simnet.saving import load_network, save_network
from simnet.saving.init_weights import init_from_file, save_weights

KINDS = {"fifo": "named pipe (FIFO)", "dev_zero": "character device", "folder": "a folder", "socket": "a socket"}
SAVE_FILES = ("network.json", "weights.npz", "history.npz")


def make(path, kind):
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero":
        os.symlink("/dev/zero", path)
    elif kind == "folder":
        os.mkdir(path)
    else:
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        s.close()  # the socket file stays


class Hang(Exception):
    pass


def within(seconds, call):
    """``call()``'s exception (or None) and the time it took; a call still running after ``seconds`` is a hang."""
    def alarm(*args):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    t = time.perf_counter()
    try:
        call()
        error = None
    except (Hang, Exception) as e:  # noqa: BLE001 - the test reads it
        error = e
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return error, time.perf_counter() - t


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good") / "run"
    network = streetlights_network()
    network.fit(X, Y, 0.2, max_iter=20)
    save_network(folder, network, info={"sample_labels": LABELS})
    return folder


def test_odd_files_as_each_file_of_a_save_are_refused_at_once_naming_the_file(saved, tmp_path, capsys):
    """Done-when figure: FIFO, /dev/zero link, folder and socket as each of the three files of a save, read by
    load_network (--load), `simnet view` and `simnet plot`: 0 hangs, 0 memory blowups, each message naming the
    file and what it is."""
    hangs, unnamed, tried, slowest = 0, 0, 0, 0.0
    for name in SAVE_FILES:
        for kind, words in KINDS.items():
            folder = tmp_path / f"{name}-{kind}"
            shutil.copytree(saved, folder)
            os.remove(folder / name)
            make(folder / name, kind)
            readers = [("load", lambda folder=folder: load_network(folder))]
            if name == "history.npz":
                readers += [("view", lambda folder=folder: cli_main(["view", str(folder), "--no-open", "--out",
                                                                     str(tmp_path / "page.html")])),
                            ("plot", lambda folder=folder: cli_main(["plot", str(folder), "--plots",
                                                                     str(tmp_path / "p")]))]
            for reader, call in readers:
                capsys.readouterr()
                error, seconds = within(10, call)
                said = str(error) if error is not None else capsys.readouterr().err
                tried += 1
                slowest = max(slowest, seconds)
                if isinstance(error, Hang):
                    hangs += 1
                elif not (str(folder / name) in said and words in said):
                    unnamed += 1
                    print(f"{reader} of {name} as {kind}: {said!r}")
    print(f"odd files: {tried} reads of FIFO, /dev/zero, folder and socket as each file of a save: {hangs} hangs, "
          f"{unnamed} messages not naming the file and what it is; slowest refusal {slowest:.3f} s")
    assert hangs == 0 and unnamed == 0


@pytest.mark.parametrize("kind", list(KINDS))
def test_init_weights_from_an_odd_file_is_refused_naming_it(tmp_path, kind):
    network = streetlights_network()
    path = tmp_path / "w.npz"
    make(path, kind)
    error, _ = within(10, lambda: init_from_file(network, path))
    assert isinstance(error, ValueError), error
    assert str(path) in str(error) and KINDS[kind] in str(error) and "no such file" not in str(error)


def test_a_regular_file_larger_than_its_shapes_allow_is_refused_before_it_is_read(tmp_path):
    network = streetlights_network()
    path = tmp_path / "w.json"
    with open(path, "wb") as f:
        f.truncate(10**9)  # a sparse GB: more than 16 numbers can take as text
    error, _ = within(10, lambda: init_from_file(network, path))
    assert isinstance(error, ValueError) and str(path) in str(error) and "1,000,000,000 bytes" in str(error)


@pytest.mark.parametrize("which", ["weights.npz", "history.npz", "init"])
def test_an_npz_with_data_after_its_end_is_refused(saved, tmp_path, which):
    if which == "init":
        network = streetlights_network()
        path = save_weights(tmp_path / "w.npz", network)
        with open(path, "ab") as f:
            f.write(b"trailing")
        error, _ = within(10, lambda: init_from_file(network, path))
    else:
        folder = tmp_path / "run"
        shutil.copytree(saved, folder)
        path = folder / which
        with open(path, "ab") as f:
            f.write(b"\0" * 100)
        error, _ = within(10, lambda: load_network(folder))
    assert isinstance(error, ValueError), error
    assert str(path) in str(error) and "after the end" in str(error)


def test_good_files_still_load(saved):
    network, _, info = load_network(saved)
    assert info == {"sample_labels": LABELS}
    assert np.isfinite(network.input.weight_row_mat).all()


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
def test_a_sweeps_table_and_a_data_file_that_are_not_regular_files_are_refused(tmp_path, capsys, kind):
    from simnet.data.idx import read_idx

    table = tmp_path / "sweep" / "results.csv"
    table.parent.mkdir()
    make(table, kind)
    error, _ = within(10, lambda: cli_main(["plot", str(table.parent), "--plots", str(tmp_path / "p")]))
    assert error is None
    err = capsys.readouterr().err
    assert str(table) in err and KINDS[kind] in err, err
    idx = tmp_path / "train-images-idx3-ubyte"
    make(idx, kind)
    error, _ = within(10, lambda: read_idx(idx))
    assert isinstance(error, ValueError) and str(idx) in str(error) and KINDS[kind] in str(error), error


def test_a_runs_states_file_that_is_not_a_regular_file_is_refused(tmp_path):
    """simnet fork and simnet diff read states.npz: a FIFO there is refused, named, at once."""
    from simnet.rewind import read_header

    states = tmp_path / "states.npz"
    make(states, "fifo")
    error, _ = within(10, lambda: read_header(states))
    assert isinstance(error, ValueError) and str(states) in str(error) and KINDS["fifo"] in str(error), error
