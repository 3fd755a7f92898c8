"""Paired timing across processes: each contender runs alone in its own Python process, in turns.

A round starts every contender once, one after the other (a different one first
in each round: A B C, B C A, C A B, ...), each in a fresh process that times its
own work and prints one JSON line (``worker_result``).  The ratios are taken
round by round (both sides of a ratio ran back to back, so a busy spell on a
shared machine tends to hit both) and reported as their median and range over
the rounds.  Nothing runs two contenders in one process: their thread pools
(OpenBLAS's, PyTorch's) never compete with each other.

The benchmark scripts (``cnn_epoch.py``, ``dense_epoch.py``, ``growth.py``) use it
like this::

    results = alternate({"simnet": [script, "--worker", "simnet", ...], ...}, rounds=3)
    ratio(results, "simnet", "PyTorch", "seconds")   # -> Ratio(median, low, high, rounds)
"""
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "SIMNET_THREADS")


# ---- in the worker process --------------------------------------------------------------------------
def has_torch():
    """Whether PyTorch imports here (the benchmarks time it only then)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def thread_settings(contender, torch=None):
    """The thread settings this process runs with: the environment's, simnet's batch split (for simnet), torch's."""
    out = {v: os.environ.get(v, "default") for v in THREAD_VARS}
    if contender.startswith("simnet"):
        from simnet.maps import split

        out["simnet threads"] = split.threads()
    if torch is not None:
        out["torch threads"] = torch.get_num_threads()
    return out


def peak_rss_mb():
    """This process's peak resident memory so far, MB (Linux reports KB)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024 if sys.platform != "darwin" else r / 2 ** 20


def worker_result(**fields):
    """Print the worker's one JSON line (the last line of its output), with its peak memory."""
    fields.setdefault("peak_rss_mb", round(peak_rss_mb(), 1))
    print("RESULT " + json.dumps(fields), flush=True)


class Clock:
    """Wall and CPU seconds of a block: ``with Clock() as c: ...``; then ``c.wall``, ``c.cpu``."""

    def __enter__(self):
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._w
        self.cpu = time.process_time() - self._c


# ---- in the parent ------------------------------------------------------------------------------------
class WorkerError(RuntimeError):
    pass


def run_worker(argv, env=None, timeout=900):
    """Run one worker process (``[script, args...]`` under this Python) and return its RESULT dict."""
    cmd = [sys.executable] + list(argv)
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=timeout)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT ")]
    if p.returncode != 0 or not lines:
        raise WorkerError(f"{' '.join(argv)} failed (exit {p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def alternate(contenders, rounds, env=None, progress=True):
    """``{name: argv}`` -> ``{name: [result of each round]}``; every round runs each contender once, in turns,
    a different one first each round."""
    names = list(contenders)
    results = {n: [] for n in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            res = run_worker(contenders[name], env)
            results[name].append(res)
            if progress:
                print(f"  round {r + 1}/{rounds} {name}: {res.get('seconds', float('nan')):.3f} s", file=sys.stderr,
                      flush=True)
    return results


@dataclass
class Ratio:
    median: float
    low: float
    high: float
    rounds: int

    def __str__(self):
        return f"{self.median:.2f}x ({self.low:.2f}-{self.high:.2f})"


def ratio(results, a, b, key="seconds"):
    """Median and range over the rounds of ``a``'s ``key`` / ``b``'s (paired: the same round)."""
    rs = [x[key] / y[key] for x, y in zip(results[a], results[b])]
    return Ratio(statistics.median(rs), min(rs), max(rs), len(rs))


def median(results, name, key="seconds"):
    return statistics.median(r[key] for r in results[name])


def spread(results, name, key="seconds"):
    """``'median (min-max)'`` of one contender's ``key`` over the rounds."""
    v = [r[key] for r in results[name]]
    return f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})"


def machine():
    """Where and when: date, cores, load, CPU, Python, numpy and its BLAS, PyTorch (when installed)."""
    import numpy as np

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    blas = "unknown BLAS"
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{cfg.get('name')} {cfg.get('version')}"
    except Exception:  # noqa: BLE001 - numpy's build information is optional
        pass
    try:
        import torch

        torch_v = f"PyTorch {torch.__version__}"
    except ImportError:
        torch_v = "PyTorch not installed"
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cores": cores, "cpu": cpu, "load": os.getloadavg() if hasattr(os, "getloadavg") else None,
            "python": platform.python_version(), "numpy": np.__version__, "blas": blas, "torch": torch_v,
            "threads": {v: os.environ.get(v, "default") for v in THREAD_VARS}}


def describe_machine(m):
    load = "" if m["load"] is None else ", load average {:.2f} {:.2f} {:.2f}".format(*m["load"])
    threads = ", ".join(f"{k}={v}" for k, v in m["threads"].items())
    return (f"{m['date']}; {m['cores']} cores ({m['cpu']}){load}; Python {m['python']}, numpy {m['numpy']} "
            f"({m['blas']}), {m['torch']}; thread settings: {threads}")


def load_now():
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
