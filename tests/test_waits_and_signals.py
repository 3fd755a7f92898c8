"""Every wait has a deadline, every signal an answer: a Dask scheduler address that accepts and says
nothing fails in seconds with the address named; SIGTERM ends a sweep with 143, its workers reaped
and the finished runs' rows and curves kept.  (The download deadline: tests/test_datasets.py.)"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from simnet.sweeps import engine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def silent_port():
    """A port on 127.0.0.1 that accepts connections and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, stop = [], threading.Event()

    def serve():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    for c in held:
        c.close()
    server.close()


def test_a_silent_scheduler_port_fails_in_seconds_naming_the_address(silent_port, monkeypatch, capsys, tmp_path):
    pytest.importorskip("distributed", reason="needs dask distributed (simnet[sweep])")
    from helpers import load_scenario

    monkeypatch.setattr(engine, "DASK_CONNECT_TIMEOUT", 1.0)
    address = f"tcp://127.0.0.1:{silent_port}"
    t0 = time.monotonic()
    code = load_scenario("sweep").main(["streetlights", "--seeds", "0-3", "--scheduler", address, "--no-plots",
                                        "--no-progress", "--results", str(tmp_path / "r.csv")])
    assert time.monotonic() - t0 < 10
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert f"{address} accepted the connection but said nothing in 1 s: not a Dask scheduler" in err[0]


def test_a_closed_port_and_a_bad_address_name_the_address():
    pytest.importorskip("distributed", reason="needs dask distributed (simnet[sweep])")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(OSError, match=f"no Dask scheduler at tcp://127.0.0.1:{port}: cannot connect"):
        engine.dask_client(f"tcp://127.0.0.1:{port}", timeout=1)
    with pytest.raises(OSError, match="expected tcp://HOST:PORT"):
        engine.dask_client("tcp://nowhere", timeout=1)


def _children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _start_sweep(results):
    env = {**os.environ, "PYTHONPATH": ROOT, "MPLBACKEND": "Agg"}
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "scenarios", "sweep.py"), "streetlights", "--seeds",
                          "0-200000", "--no-population", "--workers", "2", "--no-progress", "--no-plots",
                          "--results", str(results)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    workers = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until the workers run and some rows are written
        workers = _children(p.pid) or workers
        if workers and results.exists() and results.read_text().count("\n") > 20:
            break
        time.sleep(0.1)
    assert workers, "the sweep started no workers"
    return p, workers


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_sweep_that_is_killed_outright(tmp_path):
    p, workers = _start_sweep(tmp_path / "r.csv")
    p.kill()
    p.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and [w for w in workers if _alive(w)]:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)], "orphan workers"


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_sigterm_ends_a_sweep_with_143_workers_reaped_and_finished_runs_kept(tmp_path):
    results = tmp_path / "r.csv"
    p, workers = _start_sweep(results)
    p.send_signal(signal.SIGTERM)
    out = p.communicate(timeout=60)[0]
    assert p.returncode == 143, out
    assert "interrupted: the finished runs are in" in out and "Traceback" not in out
    time.sleep(0.5)
    assert not [w for w in workers if _alive(w)], "orphan workers"
    rows = results.read_text().splitlines()
    assert len(rows) > 20
    curves = engine.load_curves(engine.curves_path(results))
    assert len(curves) >= len(rows) - 1 - 2  # every finished run's curve (rows may be a flush ahead)


def test_a_scheduler_without_workers_is_named_within_the_deadline():
    distributed = pytest.importorskip("distributed", reason="needs dask distributed (simnet[sweep])")
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None,
                                  scheduler_kwargs={"protocol": "tcp"}) as cluster:
        t0 = time.monotonic()
        with pytest.raises(TimeoutError, match=f"the Dask scheduler at {cluster.scheduler_address} has no workers "
                                               r"\(none joined in 1 s\)"):
            engine.dask_client(cluster.scheduler_address, timeout=1)
        assert time.monotonic() - t0 < 10


_RELEASE = threading.Event()


def stuck_batch(*args, **kwargs):
    """A batch of runs that never ends on its own (the test releases it when done); module-level: Dask pickles it."""
    _RELEASE.wait(30)
    return []


def test_a_cluster_that_finishes_no_run_in_time_is_named(tmp_path, monkeypatch):
    """Workers that take the runs and never finish one: the sweep stops after DASK_FIRST_RESULT_TIMEOUT
    (0.5 s here) with a TimeoutError naming the scheduler's address, and writes no row."""
    distributed = pytest.importorskip("distributed", reason="needs dask distributed (simnet[sweep])")
    from simnet.sweeps import make_grid, run_sweep

    _RELEASE.clear()
    monkeypatch.setattr(engine, "DASK_FIRST_RESULT_TIMEOUT", 0.5)
    monkeypatch.setattr(engine, "execute_batch", stuck_batch)
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        t0 = time.monotonic()
        try:
            with pytest.raises(TimeoutError, match=rf"no run finished on the Dask cluster at {address} within "
                                                   rf"0.5 s \(DASK_FIRST_RESULT_TIMEOUT\)"):
                grid = make_grid(alpha=[0.2], hidden=[(4,)], epsilon=[0.001], max_iter=[50], seed=[0, 1, 2, 3])
                run_sweep("streetlights", grid, tmp_path / "r.csv", scheduler=address, progress=False)
            assert time.monotonic() - t0 < 15
        finally:
            _RELEASE.set()
    assert not (tmp_path / "r.csv").exists() or (tmp_path / "r.csv").read_text().count("\n") <= 1
