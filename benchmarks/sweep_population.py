"""Benchmark: a 1000-seed streetlights sweep, one run after another vs population mode.

Both run in this one process, on the same seeds and settings (alpha 0.2, hidden 4,
epsilon 0.001, at most 1000 iterations):

- individual: for each seed, the core network (``SimpleLayer`` objects, output
  first) trained by ``Network.fit``: the streetlights sweep task;
- population: all seeds as one ``Population``, weights stacked, one batched matmul
  per layer step.

Prints both times, the ratio and how many seeds get identical results (converged
or not, iterations to converge; and the final error to the last bit), side by
side.  Targets: at least 20x faster, at least 99% of seeds identical.

    python benchmarks/sweep_population.py [--seeds 0-999] [--repeat 1]
"""
import argparse
import statistics
import sys
import time

import numpy as np

from simnet.sweeps import make_grid, parse_hidden, parse_seeds
from simnet.sweeps.tasks import streetlights, streetlights_population


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="0-999", help="seeds (default 0-999)")
    p.add_argument("--alpha", type=float, default=0.2)
    p.add_argument("--hidden", type=parse_hidden, default=(4,), help="4, or 4x2 for two hidden layers")
    p.add_argument("--max-iter", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=1, help="time each way this many times; medians are printed")
    args = p.parse_args(argv)
    grid = make_grid(alpha=[args.alpha], hidden=[args.hidden], epsilon=[0.001], max_iter=[args.max_iter],
                     seed=parse_seeds(args.seeds))

    individual_times, population_times = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore"):
            single = [streetlights(params) for params in grid]
        individual_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore"):
            together = streetlights_population(grid)
        population_times.append(time.perf_counter() - start)

    t_single, t_together = statistics.median(individual_times), statistics.median(population_times)
    same = [(a["converged"], a["iterations"]) == (b["converged"], b["iterations"]) for a, b in zip(single, together)]
    exact = [a["final_error"] == b["final_error"] or (np.isnan(a["final_error"]) and np.isnan(b["final_error"]))
             for a, b in zip(single, together)]
    n = len(grid)
    converged = sum(r["converged"] for r in single)
    print(f"streetlights, {n} seeds ({args.seeds}), alpha {args.alpha}, hidden {'x'.join(map(str, args.hidden))}, "
          f"max {args.max_iter} iterations; {converged} of {n} converge"
          + (f"; medians of {args.repeat} repeats" if args.repeat > 1 else ""))
    print()
    print(f"{'one run after another':>24}  {'population':>10}  {'speedup':>7}  {'same converged+iterations':>25}  "
          f"{'same final error':>16}")
    print(f"{t_single:>23.2f}s  {t_together:>9.3f}s  {t_single / t_together:>6.1f}x  "
          f"{sum(same):>10} of {n} ({sum(same) / n:.1%})  {sum(exact):>5} of {n}")
    if args.repeat > 1:
        print(f"\nall times: one after another {[round(t, 2) for t in individual_times]}, "
              f"population {[round(t, 3) for t in population_times]}")
    differ = [(params["seed"], a, b) for params, a, b, s in zip(grid, single, together, same) if not s]
    if differ:
        print("\nseeds whose results differ (batched matmul may sum in another order than the single product, "
              "so a weight can differ in its last bit and a run can stop one iteration earlier or later):")
        for seed, a, b in differ:
            print(f"  seed {seed}: individual {a['converged']}/{a['iterations']} ({a['final_error']!r}), "
                  f"population {b['converged']}/{b['iterations']} ({b['final_error']!r})")
    ok = t_single / t_together >= 20 and sum(same) >= 0.99 * n
    print(f"\ntargets (>= 20x, >= 99% identical): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
