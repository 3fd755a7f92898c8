"""Signals and failures at every moment of a run (issue 20, cases 1, 4 and 5): SIGHUP and SIGTERM keep the
run exactly as Ctrl-C does (history, figures, save; exit 128 + the signal); an interrupt during the imports,
the data loading or the figures ends with one line; figures are whole or absent, and a line names those not
drawn; whatever fails in a step or a figure, the run keeps what it recorded, says what failed and exits 1."""
import os
import random
import signal
import subprocess
import sys
import time

import matplotlib.image
import pytest
from helpers import ROOT, load_scenario

from simnet import load_histories

ENV = dict(os.environ, PYTHONUNBUFFERED="1", MPLBACKEND="Agg", PYTHONPATH=ROOT)


def _as_in_a_terminal():
    """In the child: SIGHUP's default action, as for a program started in a terminal, even when these tests
    run under nohup (which sets it ignored, and every child inherits that; simnet then rightly goes on)."""
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def script_in_scenarios(tmp_path, body):
    """A script in a folder named scenarios (what makes a process one of simnet's commands)."""
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    path = folder / "script.py"
    path.write_text(body)
    return path


@pytest.mark.parametrize("sig", [signal.SIGHUP, pytest.param(signal.SIGINT, marks=pytest.mark.slow),
                                 pytest.param(signal.SIGTERM, marks=pytest.mark.slow)])
def test_an_interrupt_during_the_imports_is_one_line_and_128_plus_the_signal(tmp_path, sig):
    path = script_in_scenarios(tmp_path, f"import os\nimport simnet.interrupt\nos.kill(os.getpid(), {int(sig)})\n"
                                         "import numpy\nimport time\ntime.sleep(5)\n")
    r = subprocess.run([sys.executable, str(path)], env=ENV, preexec_fn=_as_in_a_terminal, capture_output=True,
                       text=True, timeout=60)
    name = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}[sig]
    assert (r.returncode, r.stderr) == (128 + sig, f"interrupted ({name})\n")


def test_stop_on_interrupt_takes_sighup_as_it_takes_ctrl_c_unless_nohup_ignores_it(tmp_path):
    code = ("import os, signal\nfrom simnet import StopOnInterrupt\nwith StopOnInterrupt() as stop:\n"
            "    os.kill(os.getpid(), signal.SIGHUP)\nprint(stop.requested, stop.status, stop.name)\n"
            "signal.signal(signal.SIGHUP, signal.SIG_IGN)  # what nohup does\n"
            "with StopOnInterrupt() as stop:\n    os.kill(os.getpid(), signal.SIGHUP)\nprint(stop.requested)\n")
    r = subprocess.run([sys.executable, "-c", code], env=ENV, preexec_fn=_as_in_a_terminal, capture_output=True,
                       text=True, timeout=60)
    assert r.stdout.split() == ["True", "129", "SIGHUP", "False"], (r.returncode, r.stderr)


def test_an_interrupt_while_the_data_loads_is_one_line_and_130(monkeypatch, capsys, tmp_path):
    import simnet.runs.image_runs as image_runs

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(image_runs, "load_for_training", interrupted)
    mnist = load_scenario("mnist").main
    assert mnist(["--plots", str(tmp_path), "--epochs", "1"]) == 130
    assert capsys.readouterr().err == "interrupted (Ctrl-C)\n"


@pytest.mark.slow
def test_an_interrupt_while_figures_are_drawn_leaves_whole_figures_and_names_those_not_drawn(tmp_path, capsys,
                                                                                            monkeypatch):
    from explorer_support import LABELS, X, Y, streetlights_network

    import simnet.plots.walkthrough_run as walkthrough_run
    from simnet.plots import plot_run

    network = streetlights_network()
    network.fit(X, Y, 0.2)
    drawn = []
    real = walkthrough_run.plot_neurons

    def interrupted_at_the_second(*args, **kwargs):
        if drawn:
            raise KeyboardInterrupt
        drawn.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(walkthrough_run, "plot_neurons", interrupted_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        plot_run(network.all_histories(), {"network": network.structure(), "sample_labels": LABELS}, tmp_path)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("figures: interrupted (Ctrl-C): ")
    assert "hidden_neurons.png and the figures after it were not drawn" in err, err
    files = sorted(os.listdir(tmp_path))
    assert "input_neurons.png" in files and "hidden_neurons.png" not in files
    assert not [f for f in files if ".tmp-" in f]  # no part of a figure left
    for f in files:
        assert matplotlib.image.imread(tmp_path / f).ndim == 3  # every figure there is whole


@pytest.mark.slow
def test_a_figure_that_fails_keeps_the_run_and_exits_1(tmp_path, capsys, monkeypatch):
    import simnet.plots.walkthrough_run as walkthrough_run

    def broken(*args, **kwargs):
        raise RuntimeError("a figure nobody could draw")

    monkeypatch.setattr(walkthrough_run, "plot_neurons", broken)
    assert load_scenario("streetlights").main(["--plots", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "drawing the figures failed (RuntimeError: a figure nobody could draw)" in err
    assert "were not drawn" in err
    histories, info = load_histories(tmp_path / "history.npz")
    assert len(histories["error/average"]) > 0


@pytest.mark.slow
def test_a_step_that_fails_keeps_what_was_recorded_and_exits_1(tmp_path, capsys, monkeypatch):
    """A monitor (here, the error history) fails in iteration 20: the run stops there, writes its history and
    figures, says what failed and exits 1 (before: a traceback, and nothing written)."""
    from simnet.history import History

    real = History.offer
    calls = []

    def failing(self, *args, **kwargs):
        if self.name == "error/samples":
            calls.append(1)
            if len(calls) > 20:
                raise MemoryError("no room for one more snapshot")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(History, "offer", failing)
    assert load_scenario("streetlights").main(["--plots", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "the training stopped in iteration 20" in err and "MemoryError: no room" in err
    histories, info = load_histories(tmp_path / "history.npz")
    assert histories["error/average"].steps[-1] == 19
    assert "MemoryError" in info["stopped"]
    assert (tmp_path / "error.png").exists()


def _program_started(pid):
    """Whether the process catches SIGHUP (Linux: the SigCgt mask in /proc): its interpreter is up and simnet's
    command handling installed.  Before that no program can answer a signal, so no moment is drawn from there;
    an interrupt early in the imports is tested on its own (test_an_interrupt_during_the_imports_...)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            caught = next(int(line.split()[1], 16) for line in f if line.startswith("SigCgt:"))
    except (OSError, StopIteration):
        return True  # no /proc (or the process is gone): nothing to wait for
    return bool(caught & (1 << (signal.SIGHUP - 1)))


def _run_interrupted(folder, sig, delay):
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "scenarios/streetlights.py", "--plots", str(folder), "--epsilon", "0",
                             "--max-iter", "3000"], cwd=ROOT, env=ENV, preexec_fn=_as_in_a_terminal,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not _program_started(proc.pid) and proc.poll() is None:  # a loaded machine can take seconds to get there
        time.sleep(0.002)
    time.sleep(max(0.0, delay - (time.perf_counter() - start)))
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def _kept(folder, rc, out, err, sig):
    """Whether an interrupted run kept what it recorded: its status, one line at most per part, no traceback,
    and once training had begun a history that loads and only whole figures."""
    assert rc in (0, 128 + sig), (rc, err)
    assert "Traceback" not in err, err
    assert len(err.splitlines()) <= 2, err
    if "0 Error =" in out:
        histories, _ = load_histories(folder / "history.npz")
        assert len(histories["error/average"]) > 0
    for f in os.listdir(folder) if folder.exists() else []:
        assert ".tmp-" not in f, f
        if f.endswith(".png"):
            assert matplotlib.image.imread(folder / f).ndim == 3
    return True


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_sighup_and_sigterm_keep_the_run_as_ctrl_c_does(tmp_path, sig):
    proc = subprocess.Popen([sys.executable, "scenarios/streetlights.py", "--plots", str(tmp_path), "--epsilon", "0",
                             "--max-iter", "1000000"], cwd=ROOT, env=ENV, preexec_fn=_as_in_a_terminal,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if line.startswith("100 Error"):
            break
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    name = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}[sig]
    assert proc.returncode == 128 + sig, err
    assert f"interrupted ({name}) during iteration" in out
    histories, _ = load_histories(tmp_path / "history.npz")
    assert histories["error/average"].steps[-1] >= 100
    assert {"error.png", "network.png", "hidden_neurons.png"} <= set(os.listdir(tmp_path))


@pytest.mark.slow
def test_signals_at_20_random_moments_of_a_run_lose_no_run(tmp_path):
    """Done-when figure: SIGINT, SIGTERM or SIGHUP at 20 random moments of a streetlights run (imports, training,
    the summary, the history, the figures): 0 runs lost."""
    t = time.perf_counter()
    rc, out, err = _run_interrupted(tmp_path / "whole", signal.SIGCONT, 0)  # a signal that does nothing: the length
    length = time.perf_counter() - t
    assert rc == 0, err
    rng = random.Random(20)
    lost, outcomes = 0, []
    for k in range(20):
        sig = rng.choice([signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
        delay = rng.uniform(0.3, length)
        folder = tmp_path / f"run{k}"
        rc, out, err = _run_interrupted(folder, sig, delay)
        try:
            _kept(folder, rc, out, err, sig)
        except AssertionError as e:
            lost += 1
            print(f"run {k} ({signal.Signals(sig).name} after {delay:.2f} s) lost: {e}")
        outcomes.append(rc)
    print(f"signals at 20 random moments of a {length:.1f} s run: {lost} runs lost; exit statuses {sorted(outcomes)}")
    assert lost == 0


@pytest.mark.slow
def test_a_terminal_that_closes_keeps_the_run(tmp_path):
    """The ssh session drops: the terminal is gone (writing to it fails) and SIGHUP comes. The run is kept as
    for Ctrl-C (its later lines go nowhere), exit 129."""
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "scenarios/streetlights.py", "--plots", str(tmp_path), "--epsilon", "0",
                             "--max-iter", "1000000"], cwd=ROOT, env=ENV, preexec_fn=_as_in_a_terminal,
                            stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while b"100 Error" not in seen:
            seen += os.read(master, 4096)
    except OSError:  # (EIO: the child closed the terminal, it ended)
        pytest.fail(f"the run ended early (status {proc.wait(timeout=60)}): {seen.decode(errors='replace')[-2000:]}")
    os.close(master)  # the terminal is gone
    proc.send_signal(signal.SIGHUP)
    assert proc.wait(timeout=120) == 128 + signal.SIGHUP
    histories, _ = load_histories(tmp_path / "history.npz")
    assert histories["error/average"].steps[-1] >= 100
    assert "error.png" in os.listdir(tmp_path)
