"""The reference scenario, streetlights: its data, its network and the summary of many runs.

Three streetlights (inputs) tell whether it is safe to walk (one output).  Written once here;
``scenarios/streetlights.py``, the sweep tasks, the tests and the benchmarks use these.

- ``STREETLIGHTS`` and ``WALK_VS_STOP``: the four samples and their goals.
- ``build_network(hidden, rng)``: the walk-through's network, 3-4-1 (``hidden=(4,)``) or
  3-4-2-1 (``hidden=(4, 2)``), ReLU hidden layers, linear output, no biases.  The layers are
  created output first and each draws the weights to its target as ``2 * random(...) - 1`` when
  it is created: with ``rng=None`` from numpy's global state, so ``np.random.seed(seed)`` first
  reproduces the published digits; with ``rng=np.random.RandomState(seed)`` the very same
  weights without touching the global state (numpy's global state is a RandomState).
- ``convergence_summary``, ``format_summary``, ``describe_run``: what converged, how fast, over
  runs with ``converged``, ``iterations`` and ``final_error`` results (a sweep's rows).
"""
import math

import numpy as np

from .layer import SimpleLayer
from .network import Network
from .words import plural

# The data: which lights are on, and whether it was safe to walk.
STREETLIGHTS = np.array([[1, 0, 1],
                         [0, 1, 1],
                         [0, 0, 1],
                         [1, 1, 1]], dtype=float)
WALK_VS_STOP = np.array([[1], [1], [0], [0]], dtype=float)
STREETLIGHTS.flags.writeable = WALK_VS_STOP.flags.writeable = False  # shared by every user: read only


def hidden_names(hidden):
    """The hidden layers' names: ``['hidden']`` for one, ``['hidden1', 'hidden2', ...]`` for more."""
    return ["hidden"] if len(hidden) == 1 else [f"hidden{i + 1}" for i in range(len(hidden))]


def build_layers(hidden=(4,), rng=None):
    """The walk-through's layers, input first, created output first (see the module docstring)."""
    hidden = tuple(hidden)
    layers = [SimpleLayer("output", 1)]  # linear: no activation
    for name, size in reversed(list(zip(hidden_names(hidden), hidden))):
        layers.insert(0, SimpleLayer(name, size, target=layers[0], activation="relu", rng=rng))
    layers.insert(0, SimpleLayer("input", 3, target=layers[0], rng=rng))
    return layers


def build_network(hidden=(4,), rng=None):
    """``Network(build_layers(hidden, rng))``: the walk-through's network, weights drawn output first."""
    return Network(build_layers(hidden, rng))


def seeded_network(seed, hidden=(4,)):
    """The network of ``scenarios/streetlights.py --seed SEED``, built without touching numpy's global state."""
    return build_network(hidden, np.random.RandomState(seed))


# ---- what many runs found -----------------------------------------------------------------------
def quartiles(values):
    """``(q1, median, q3)`` of ``values``; NaNs when there are none."""
    if len(values) == 0:
        return (math.nan, math.nan, math.nan)
    q = np.percentile(np.asarray(values, dtype=float), [25, 50, 75])
    return tuple(float(v) for v in q)


def cell_of(row, cell=("alpha", "hidden")):
    """The grid cell of a run: its values of the ``cell`` parameters."""
    return tuple(row[c] for c in cell)


def convergence_summary(rows, cell=("alpha", "hidden"), worst=10):
    """Convergence over runs with ``converged``, ``iterations`` and ``final_error`` results.

    Returns a dict: ``runs``, ``converged``, ``rate``, ``iterations`` (q1, median, q3
    of the converged runs), ``cells`` (the same per grid cell, in first-seen order)
    with ``failed_seeds``, ``worst`` (the runs that did not converge, highest final
    error first, then the slowest converging ones) and ``slowest`` (the slowest
    converging runs), at most ``worst`` of each.
    """
    def stats(rs):
        conv = [r for r in rs if r["converged"]]
        return {"runs": len(rs), "converged": len(conv), "rate": len(conv) / len(rs) if rs else math.nan,
                "iterations": quartiles([r["iterations"] for r in conv]),
                "min_iterations": min((r["iterations"] for r in conv), default=None),
                "max_iterations": max((r["iterations"] for r in conv), default=None)}

    cells = {}
    for r in rows:
        cells.setdefault(cell_of(r, cell), []).append(r)
    out = stats(rows)
    out["cells"] = [{**dict(zip(cell, c)), **stats(rs)} for c, rs in cells.items()]

    def badness(r):  # not converged first (highest final error first), then the slowest; then by seed
        e = r["final_error"]
        return (r["converged"], -r["iterations"], -e if math.isfinite(e) else -math.inf, r["seed"])

    out["worst"] = sorted(rows, key=badness)[:worst]
    out["slowest"] = sorted((r for r in rows if r["converged"]), key=badness)[:worst]
    for c, rs in zip(out["cells"], cells.values()):
        c["failed_seeds"] = sorted(r["seed"] for r in rs if not r["converged"])
    return out


def describe_run(row):
    """``'converged after 58 iterations (error 0.00077)'`` or ``'did NOT converge (error 0.25000 after 1000)'``."""
    if row["converged"]:
        return f"converged after {plural(row['iterations'], 'iteration')} (error {row['final_error']:.5f})"
    return f"did NOT converge (error {row['final_error']:.5f} after {plural(row['iterations'], 'iteration')})"


def format_summary(summary, cell=("alpha", "hidden")):
    """The summary as the lines a sweep prints."""
    def fmt(v):
        return "-".join(str(int(s)) for s in v) if isinstance(v, tuple) else str(v)  # hidden sizes: 4-2

    def iters(s):
        q1, med, q3 = s["iterations"]
        if not s["converged"]:
            return "-"
        return f"median {med:g} (quartiles {q1:g}-{q3:g}, range {s['min_iterations']}-{s['max_iterations']})"

    lines = [f"{'  '.join(f'{c:>6}' for c in cell)}  {'runs':>5}  {'converged':>9}  iterations to converge"]
    for c in summary["cells"]:
        lines.append(f"{'  '.join(f'{fmt(c[k]):>6}' for k in cell)}  {c['runs']:>5}  {c['rate']:>9.1%}  {iters(c)}")
    lines += ["", f"overall: {summary['converged']} of {plural(summary['runs'], 'run')} converged ({summary['rate']:.1%}); "
              f"iterations to converge: {iters(summary)}"]
    for c in summary["cells"]:
        if c["failed_seeds"]:
            seeds = c["failed_seeds"]
            more = f" (+{len(seeds) - 20} more)" if len(seeds) > 20 else ""
            where = ", ".join(f"{k} {fmt(c[k])}" for k in cell)
            lines.append(f"did not converge ({where}): {plural(len(seeds), 'seed')}: "
                         f"{', '.join(map(str, seeds[:20]))}{more}")
    for title, runs in (("worst runs:", summary["worst"]), ("slowest to converge:", summary["slowest"])):
        if runs and not (title.startswith("slowest") and runs[0] in summary["worst"]):
            lines.append(title)
            for r in runs:
                where = ", ".join(f"{k} {fmt(r[k])}" for k in cell)
                lines.append(f"  seed {r['seed']:>4} ({where}): {describe_run(r)}")
    return lines


if __name__ == "__main__":  # python -m simnet.streetlights: this module is the scenario's data, not its run
    import sys

    print("simnet.streetlights holds the scenario's data and network; to run it: simnet run streetlights "
          "(or python -m simnet run streetlights)", file=sys.stderr)
    sys.exit(2)
