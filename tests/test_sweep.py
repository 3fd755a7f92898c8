"""Sweeps: per-run results equal the single runs; resume; Dask; population; table, curves and figures."""
import contextlib
import csv
import dataclasses
import io
import os
import re

import numpy as np
import pytest

from simnet import sweeps
from simnet.streetlights import seeded_network
from simnet.runs import UsageError
from simnet.sweeps import (ResultsTable, get_task, load_curves, make_grid, parse_hidden, parse_seeds, read_results,
                           run_sweep)

from helpers import load_scenario, needs_mnist_test

streetlights = load_scenario("streetlights")
sweep_script = load_scenario("sweep")

SEEDS = [0, 1, 2, 3, 4, 7]  # 1, 4 and 7 do not converge at alpha 0.2, hidden 4


def grid(seeds=SEEDS, alpha=(0.2,), hidden=((4,),), max_iter=1000):
    return make_grid(alpha=list(alpha), hidden=list(hidden), epsilon=[0.001], max_iter=[max_iter], seed=list(seeds))


def single_run(capsys, seed, max_iter=1000):
    """What scenarios/streetlights.py reports for one seed: (converged, iterations, error to 5 digits)."""
    assert streetlights.main(["--seed", str(seed), "--max-iter", str(max_iter), "--no-plots"]) == 0
    out = capsys.readouterr().out
    m = re.search(r"converged after (\d+) iterations: error (\S+) <=", out)
    if m:
        return True, int(m.group(1)), m.group(2)
    m = re.search(r"did NOT converge: error (\S+) > epsilon \S+ after (\d+) iterations", out)
    return False, int(m.group(2)), m.group(1)


@pytest.fixture
def counted(monkeypatch):
    """The streetlights task, counting its calls (runs in this process: workers=1)."""
    calls = []
    task = get_task("streetlights")

    def run(params):
        calls.append(params["seed"])
        return task.run(params)

    monkeypatch.setitem(sweeps.TASKS, "streetlights", dataclasses.replace(task, run=run))
    return calls


def test_sweep_runs_equal_the_single_streetlights_runs(tmp_path, capsys):
    result = run_sweep("streetlights", grid(), tmp_path / "results.csv", workers=1, progress=False)
    assert result.ran == len(SEEDS) and result.skipped == 0
    assert [r["seed"] for r in result.rows] == SEEDS
    for row in result.rows:
        converged, iterations, error = single_run(capsys, row["seed"])
        assert (row["converged"], row["iterations"], f"{row['final_error']:.5f}") == (converged, iterations, error)
        assert row["mode"] == "individual"
    seed0 = result.rows[0]
    assert (seed0["converged"], seed0["iterations"]) == (True, 58)
    assert [r["converged"] for r in result.rows] == [True, False, True, True, False, False]


def test_seed0_reports_what_the_streetlights_scenario_reports(tmp_path, capsys):
    for mode in ("--population", "--no-population"):
        folder = tmp_path / mode
        assert sweep_script.main(["streetlights", "--seeds", "0", "--alpha", "0.2", "--hidden", "4", mode,
                                  "--workers", "1", "--plots", str(folder), "--no-plots", "--no-progress"]) == 0
        out = capsys.readouterr().out
        assert "seed    0  alpha 0.2  hidden 4: converged after 58 iterations (error 0.00077)" in out
        assert "overall: 1 of 1 run converged (100.0%)" in out


def test_population_mode_gives_the_same_table_as_single_runs(tmp_path):
    g = grid(seeds=range(20), hidden=[(4,), (4, 2)], max_iter=300)
    single = run_sweep("streetlights", g, tmp_path / "single.csv", workers=1, progress=False)
    together = run_sweep("streetlights", g, tmp_path / "population.csv", workers=1, population=True,
                         population_size=7, progress=False)  # populations of at most 7 seeds
    drop_mode = [{k: v for k, v in r.items() if k != "mode"} for r in single.rows]
    assert drop_mode == [{k: v for k, v in r.items() if k != "mode"} for r in together.rows]
    assert {r["mode"] for r in together.rows} == {"population"}
    assert 0 < sum(r["converged"] for r in single.rows) < len(g)
    for key, (steps, errors) in single.curves.items():
        np.testing.assert_array_equal(together.curves[key][0], steps)
        np.testing.assert_array_equal(together.curves[key][1], errors)


def test_resume_skips_finished_runs(tmp_path, counted):
    path = tmp_path / "results.csv"
    first = run_sweep("streetlights", grid(range(4), max_iter=100), path, workers=1, progress=False)
    assert counted == [0, 1, 2, 3] and first.ran == 4
    again = run_sweep("streetlights", grid(range(6), max_iter=100), path, workers=1, progress=False)
    assert counted == [0, 1, 2, 3, 4, 5] and (again.ran, again.skipped) == (2, 4)
    assert again.rows[:4] == first.rows
    # another setting is another run, even for the same seed
    run_sweep("streetlights", grid([0], alpha=[0.1], max_iter=100), path, workers=1, progress=False)
    assert counted[-1] == 0 and len(counted) == 7
    _, rows = read_results(path)
    assert len(rows) == 7


def test_an_interrupted_sweep_resumes(tmp_path, counted, monkeypatch):
    path = tmp_path / "results.csv"
    task = sweeps.TASKS["streetlights"]

    def interrupted(params):
        if params["seed"] == 3:
            raise KeyboardInterrupt
        return task.run(params)

    monkeypatch.setitem(sweeps.TASKS, "streetlights", dataclasses.replace(task, run=interrupted))
    with pytest.raises(KeyboardInterrupt):
        run_sweep("streetlights", grid(range(6), max_iter=100), path, workers=1, progress=False)
    _, rows = read_results(path)
    assert [r["seed"] for r in rows] == [0, 1, 2]  # written as they finished
    assert len(load_curves(sweeps.curves_path(path))) == 3
    with open(path, "a") as f:
        f.write("streetlights,3,0.2,4,0.0")  # a row cut off mid-write
    monkeypatch.setitem(sweeps.TASKS, "streetlights", task)
    counted.clear()
    result = run_sweep("streetlights", grid(range(6), max_iter=100), path, workers=1, progress=False)
    assert counted == [3, 4, 5] and result.skipped == 3
    with open(path) as f:
        lines = f.read().splitlines()
    assert len(lines) == 7 and all(len(line.split(",")) == 10 for line in lines)


def test_local_processes_and_dask_give_the_same_table(tmp_path):
    distributed = pytest.importorskip("distributed", reason="needs dask distributed (simnet[sweep])")
    g = grid(range(8), max_iter=200)
    local = run_sweep("streetlights", g, tmp_path / "local.csv", workers=2, progress=False)
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=2,
                                  dashboard_address=None) as cluster:
        on_dask = run_sweep("streetlights", g, tmp_path / "dask.csv", scheduler=cluster.scheduler_address,
                            progress=False)
        together = run_sweep("streetlights", g, tmp_path / "dask_population.csv",
                             scheduler=cluster.scheduler_address, population=True, progress=False)
    assert on_dask.ran == 8 and on_dask.rows == local.rows
    assert together.ran == 8 and {r["mode"] for r in together.rows} == {"population"}

    def table(name):
        with open(tmp_path / name) as f:
            header, *rows = f.read().splitlines()
        return header, sorted(rows)

    assert table("dask.csv") == table("local.csv")  # same rows, whatever order they finished in
    assert [r.rsplit(",", 1)[0] for r in table("dask_population.csv")[1]] == \
        [r.rsplit(",", 1)[0] for r in table("local.csv")[1]]  # all but the mode column


def test_csv_round_trip(tmp_path):
    g = grid([0, 1], alpha=[0.1, 0.2], hidden=[(4,), (4, 2)], max_iter=50)
    result = run_sweep("streetlights", g, tmp_path / "r.csv", workers=1, progress=False)
    task, rows = read_results(tmp_path / "r.csv")
    assert task.name == "streetlights"
    assert sorted(rows, key=task.key) == sorted(result.rows, key=task.key)  # floats to the last bit
    with open(tmp_path / "r.csv") as f:
        records = list(csv.DictReader(f))
    assert list(records[0]) == ["scenario", "seed", "alpha", "hidden", "epsilon", "max_iter", "converged",
                                "iterations", "final_error", "mode"]
    assert {r["hidden"] for r in records} == {"4", "4-2"}
    curves = load_curves(tmp_path / "r_curves.npz")
    assert set(curves) == {task.key(r) for r in rows}
    for key, (steps, errors) in result.curves.items():
        np.testing.assert_array_equal(curves[key][0], steps)
        np.testing.assert_allclose(curves[key][1], errors, rtol=1e-6)  # stored as float32
    with pytest.raises(ValueError, match="not a results table of 'mnist'"):
        ResultsTable(tmp_path / "r.csv", get_task("mnist"))


def test_grid_options_parse():
    assert parse_seeds("0-3,7,5,2") == [0, 1, 2, 3, 7, 5]
    assert parse_seeds("0-999")[-1] == 999
    for bad in ("3-1", "a", "-1", "0-"):
        with pytest.raises(ValueError):
            parse_seeds(bad)
    assert parse_hidden("4") == (4,) and parse_hidden("4x2") == (4, 2) and parse_hidden("4-2") == (4, 2)
    args = sweep_script.parse_args(["streetlights", "--seeds", "0-2", "--alpha", "0.05,0.1", "--hidden", "2,4,4-2"])
    g = sweep_script.grid_of(args)
    assert len(g) == 3 * 2 * 3 and g[0] == {"alpha": 0.05, "hidden": (2,), "epsilon": 0.001, "max_iter": 1000,
                                            "seed": 0}
    assert {p["hidden"] for p in g} == {(2,), (4,), (4, 2)}
    for argv in (["--alpha", "0"], ["--hidden", "0"], ["--seeds", "x"], ["--max-iter", "0"]):
        with pytest.raises(UsageError):
            sweep_script.parse_args(["streetlights", *argv])


# ---- figures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A 2 x 2 grid of 8 seeds, run once through the command line."""
    folder = tmp_path_factory.mktemp("sweep")
    argv = ["streetlights", "--seeds", "0-7", "--alpha", "0.1,0.2", "--hidden", "4,4-2", "--max-iter", "300",
            "--workers", "1", "--no-progress", "--plots", str(folder)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert sweep_script.main(argv) == 0
    return folder, out.getvalue()


def test_replot_draws_the_figures_from_the_table_without_running(swept, monkeypatch, capsys):
    folder, first = swept
    task = get_task("streetlights")

    def no_run(params):
        raise AssertionError("replot must not run anything")

    monkeypatch.setitem(sweeps.TASKS, "streetlights", dataclasses.replace(task, run=no_run, population=no_run))
    for name in ("iterations.png", "convergence.png", "error_curves.png", "initial_weights.png"):
        os.remove(folder / name)
    assert sweep_script.main(["streetlights", "--replot", "--plots", str(folder), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "32 runs read from" in out and "wrote 4 figures" in out
    summary = first[first.index("\n alpha  hidden"):]
    assert summary in out  # the same report as when the runs were done
    assert "did not converge (alpha 0.2, hidden 4): 3 seeds: 1, 4, 7\n" in summary
    assert " 0.2       4      8      62.5%  median " in summary
    assert {"iterations.png", "convergence.png", "error_curves.png", "initial_weights.png", "results.csv",
            "results_curves.npz"} <= set(os.listdir(folder))
    assert sweep_script.main(["streetlights", "--replot", "--alpha", "0.2", "--hidden", "4", "--plots",
                              str(folder), "--no-plots"]) == 0
    assert "8 runs read from" in capsys.readouterr().out


def test_figure_contents(swept):
    from simnet.plots.sweeps import (plot_convergence_heatmap, plot_error_curves, plot_initial_weights,
                                    plot_iterations_histogram)

    folder, _ = swept
    task, rows = read_results(folder / "results.csv")
    curves = load_curves(folder / "results_curves.npz")
    cells = {(a, h): [r for r in rows if (r["alpha"], r["hidden"]) == (a, h)]
             for a in (0.1, 0.2) for h in ((4,), (4, 2))}

    # histogram: a panel per cell, the non-converged runs as one bar apart
    fig = plot_iterations_histogram(rows)
    assert len(fig.axes) == 4
    for ax in fig.axes:
        alpha, hidden = re.match(r"alpha (\S+), hidden (\S+):", ax.get_title()).groups()
        rs = cells[(float(alpha), parse_hidden(hidden))]
        bars = ax.patches
        failed = [b for b in bars if b.get_facecolor()[0] > 0.8]  # the red bar
        assert len(failed) == 1 and failed[0].get_height() == sum(not r["converged"] for r in rs)
        assert sum(b.get_height() for b in bars if b not in failed) == sum(r["converged"] for r in rs)
        assert ax.get_xticklabels()[-1].get_text() == "did not\nconverge"
        assert ax.get_xticks()[-1] == pytest.approx(failed[0].get_x() + failed[0].get_width() / 2)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert f"did not converge ({sum(not r['converged'] for r in rs)})" in labels

    # heatmap: alpha across, hidden down, the fraction converged
    fig = plot_convergence_heatmap(rows)
    ax = fig.axes[0]
    values = ax.images[0].get_array()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.1", "0.2"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["4", "4-2"]
    for i, h in enumerate([(4,), (4, 2)]):
        for j, a in enumerate([0.1, 0.2]):
            assert values[i, j] == pytest.approx(np.mean([r["converged"] for r in cells[(a, h)]]))

    # error curves: one line per run, the median and the 10-90% band, per cell
    fig = plot_error_curves(rows, [curves.get(task.key(r)) for r in rows], epsilon=0.001)
    for ax in fig.axes:
        lines = ax.collections[0]
        assert len(lines.get_segments()) == 8
        assert "median" in [line.get_label() for line in ax.get_lines()]
        assert "10-90% of runs" in [c.get_label() for c in ax.collections]
        assert ax.get_yscale() == "log"

    # initial weights: seed 0 (converges) against seed 1 (does not), the exact weights
    good = next(r for r in cells[(0.2, (4,))] if r["seed"] == 0)
    bad = next(r for r in cells[(0.2, (4,))] if r["seed"] == 1)
    assert good["converged"] and not bad["converged"]
    fig = plot_initial_weights([("seed 0", task.initial_weights(good)), ("seed 1", task.initial_weights(bad))])
    images = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(images) == 4
    np.testing.assert_array_equal(images[0], seeded_network(0).layers[0].weight_row_mat)
    np.testing.assert_array_equal(images[2], seeded_network(1).layers[0].weight_row_mat)
    assert [sub._suptitle.get_text() for sub in fig.subfigs] == ["seed 0", "seed 1"]
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0].startswith("hidden[0]\nfires ")


def test_image_sweep_figure_from_rows(tmp_path):
    """The accuracy figure an image sweep will draw (rows made here: the image task is not written yet)."""
    from simnet.plots.sweeps import plot_sweep

    rows = [{"seed": s, "alpha": a, "hidden": h, "epochs": 1, "accuracy": 0.9 - a + 0.001 * s, "final_error": 0.1}
            for a in (0.01, 0.1) for h in ((128,), (64,)) for s in range(3)]
    paths = plot_sweep(get_task("mnist"), rows, {}, tmp_path)
    assert [os.path.basename(p) for p in paths] == ["accuracy.png"]
    from simnet.plots.sweeps import plot_accuracy

    ax = plot_accuracy(rows).axes[0]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(dots) == 4 and all(len(d.get_ydata()) == 3 for d in dots)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["hidden 64", "hidden 128"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.01", "0.1"]


def test_error_curves_of_runs_that_all_diverged():
    from simnet.plots.sweeps import plot_error_curves

    rows = [{"seed": s, "alpha": 9.0, "hidden": (4,)} for s in range(3)]
    fig = plot_error_curves(rows, [(np.arange(5), np.full(5, np.nan))] * 3)
    assert "every run diverged" in [t.get_text() for t in fig.axes[0].texts][0]


@needs_mnist_test
def test_image_sweep_reports_test_accuracy_per_run(tmp_path):
    """Two seeds x two learning rates of 784-32-10 for one epoch on (offline) MNIST."""
    g = make_grid(seed=[0, 1], alpha=[0.01, 0.1], hidden=[(32,)], epochs=[1])
    result = run_sweep("mnist", g, tmp_path / "r.csv", workers=1, progress=False)
    assert sorted((r["seed"], r["alpha"]) for r in result.rows) == [(0, 0.01), (0, 0.1), (1, 0.01), (1, 0.1)]
    by = {(r["seed"], r["alpha"]): r["accuracy"] for r in result.rows}
    assert by[0, 0.1] > 0.85 and by[1, 0.1] > 0.85 and min(by.values()) > 0.6
    assert by[0, 0.1] > by[0, 0.01] and by[1, 0.1] > by[1, 0.01]  # one epoch: the larger rate learns more
    again = get_task("mnist").run({"seed": 0, "alpha": 0.1, "hidden": (32,), "epochs": 1})
    assert again["accuracy"] == by[0, 0.1]  # deterministic: the seed fixes weights and shuffling
