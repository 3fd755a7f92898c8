"""Sweeps: one scenario run over a grid of seeds and hyperparameters, kept as a table.

A scenario takes part in sweeps through a registered *task*: a function
``(params) -> result dict`` that trains one run from plain parameters (seed,
alpha, ...) and returns plain results (converged, iterations, ...).  The built-in
tasks live in ``simnet.sweeps.tasks``; ``register_task`` (``simnet.sweeps.registry``) adds one.

``run_sweep`` runs a task for every point of a grid, on the local cores
(``concurrent.futures.ProcessPoolExecutor``) or, with ``scheduler=ADDRESS``, on an
existing Dask distributed cluster (the same task function; ``pip install
"simnet[sweep]"``).  With ``population=True`` the runs that differ only in their
seed are trained together as a ``simnet.sweeps.population.Population`` (a task offers
this by registering a ``population`` function).

Results are a CSV table, one row per run, written and flushed as each run
finishes, so an interrupted sweep resumes: rows already in the table are not
run again (a row is identified by its parameters, see ``run_key``).  Each run's
error curve (bounded like a ``History``: at most ``CURVE_POINTS`` + 1 points) goes
to ``<results>_curves.npz`` beside the table (read without pickle), so the
figures can be drawn again without running anything.
"""
import csv
import io
import itertools
import math
import os
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from ..interrupt import sigterm_raises
from ..saving.files import open_regular, write_file
from .registry import Task, get_task

# ---- grids -------------------------------------------------------------------


MAX_RUNS = 1_000_000
MAX_TABLE_BYTES = 2**32  # a sweep's table or curves file larger than this is refused unread
"""The most runs one sweep may list (seeds, and seeds x alpha x hidden): more is refused up front."""


def parse_seeds(text):
    """Seeds from ``'0-999'``, ``'0,5,7'`` or a mix (``'0-9,20,30-32'``); duplicates dropped, order kept.

    At most ``MAX_RUNS`` seeds, each in 0..2**32-1 (checked before the list is made)."""
    seeds = []
    for part in str(text).split(","):
        part = part.strip()
        try:
            if "-" in part[1:]:
                a, b = part.split("-", 1)
                lo, hi = int(a), int(b)
                if hi < lo:
                    raise ValueError
                if lo < 0 or hi > 2**32 - 1:
                    seeds.append(lo if lo < 0 else hi)  # refused below, with the range
                    break
                if len(seeds) + hi - lo + 1 > MAX_RUNS:
                    raise OverflowError
                seeds.extend(range(lo, hi + 1))
            else:
                seeds.append(int(part))
        except OverflowError:
            raise ValueError(f"seeds {text!r} are more than the {MAX_RUNS:,} runs a sweep may have") from None
        except ValueError:
            raise ValueError(f"seeds must look like 0-999, 0,5,7 or 0-9,20; got {text!r}") from None
    if any(s < 0 or s >= 2 ** 32 for s in seeds):
        raise ValueError(f"seeds must be between 0 and 2**32 - 1, got {text!r}")
    return list(dict.fromkeys(seeds))


def parse_list(text, parse=float):
    """A comma separated list: ``'0.05,0.1,0.2'``."""
    return list(dict.fromkeys(parse(p.strip()) for p in str(text).split(",")))


def make_grid(**axes):
    """Every combination of the axes' values, as parameter dicts; the last axis varies fastest."""
    names = list(axes)
    return [dict(zip(names, values)) for values in itertools.product(*(list(axes[n]) for n in names))]


# ---- the table -----------------------------------------------------------------


def columns(task):
    return ["scenario", *task.params, *task.results, "mode"]


def _parse_row(task, record):
    row = {"scenario": record["scenario"], "mode": record["mode"]}
    for name, col in {**task.params, **task.results}.items():
        row[name] = col.parse(record[name])
    return row


def read_results(path, task=None):
    """``(task, rows)`` from a sweep's CSV; rows are dicts of parsed values, in file order.

    Lines that cannot be read (a run cut off while its row was written) are left out.
    """
    with open_regular(path, MAX_TABLE_BYTES, "a sweep's table") as raw, \
            io.TextIOWrapper(raw, newline="", encoding="utf-8") as f:  # no FIFO, device or folder
        reader = csv.DictReader(f)
        records = list(reader)
        header = reader.fieldnames or []
    if task is None:
        if not records:
            raise ValueError(f"{path}: no results yet, and no task given to read them with")
        task = get_task(records[0]["scenario"])
    if header != columns(task):
        raise ValueError(f"{path} is not a results table of {task.name!r}: its columns are {header}, "
                         f"expected {columns(task)}")
    rows = []
    for record in records:
        try:
            if record["scenario"] != task.name or None in record.values() or None in record:
                raise ValueError
            rows.append(_parse_row(task, record))
        except (ValueError, KeyError, TypeError):
            continue  # a broken line: the run will simply be run again
    return task, rows


class ResultsTable:
    """The CSV of a sweep: existing rows are read on open; new rows are appended and flushed."""

    def __init__(self, path, task):
        self.path = os.fspath(path)
        self.task = task
        self.columns = columns(task)
        self.rows = {}
        if os.path.exists(self.path) and os.path.getsize(self.path):
            _, rows = read_results(self.path, task)
            self.rows = {task.key(r): r for r in rows}
            with open(self.path, newline="") as f:
                lines = f.read()
            if not lines.endswith("\n") or lines.count("\n") != len(rows) + 1:
                self._rewrite()  # drop broken lines before appending after them
        else:
            folder = os.path.dirname(self.path)
            if folder:
                os.makedirs(folder, exist_ok=True)
            self._rewrite()
        self._file = open(self.path, "a", newline="")
        self._writer = csv.DictWriter(self._file, self.columns)

    def _format(self, row):
        out = {"scenario": self.task.name, "mode": row.get("mode", "")}
        for name, col in {**self.task.params, **self.task.results}.items():
            out[name] = col.format(row[name])
        return out

    def _rewrite(self):
        def write(f):
            text = io.TextIOWrapper(f, newline="")
            writer = csv.DictWriter(text, self.columns)
            writer.writeheader()
            for row in self.rows.values():
                writer.writerow(self._format(row))
            text.flush()
            text.detach()

        write_file(self.path, write)  # never a half-written table (a temporary file, then a rename)

    def __contains__(self, key):
        return key in self.rows

    def add(self, row):
        """Append one finished run (params, results and ``mode``) and flush it to disk."""
        record = self._format(row)
        self._writer.writerow(record)
        self._file.flush()
        self.rows[self.task.key(row)] = _parse_row(self.task, record)  # exactly what a reader gets back

    def close(self):
        self._file.close()


# ---- error curves ----------------------------------------------------------------


def curves_path(results_path):
    """Where the error curves of a results table are kept: ``results.csv`` -> ``results_curves.npz``."""
    return os.path.splitext(os.fspath(results_path))[0] + "_curves.npz"


def load_curves(path):
    """``{run key: (steps, errors)}`` from a curves file (empty when there is none)."""
    if not os.path.exists(path):
        return {}
    try:
        with open_regular(path, MAX_TABLE_BYTES, "a sweep's curves") as raw, \
                np.load(raw, allow_pickle=False) as f:
            keys, offsets, steps, errors = f["keys"], f["offsets"], f["steps"], f["errors"]
        if not (keys.ndim == offsets.ndim == steps.ndim == errors.ndim == 1 and len(offsets) == len(keys) + 1
                and len(steps) == len(errors) and offsets.dtype.kind in "iu" and len(offsets)
                and offsets[0] == 0 and offsets[-1] == len(steps) and (np.diff(offsets) >= 0).all()):
            raise ValueError("its arrays do not fit together")
        return {str(k): (steps[a:b], errors[a:b]) for k, a, b in zip(keys, offsets[:-1], offsets[1:])}
    except (OSError, ValueError, KeyError, EOFError, MemoryError, zipfile.BadZipFile) as e:
        raise ValueError(f"{path}: not a curves file simnet can read ({type(e).__name__}: {e}); move it "
                         f"aside to start the curves afresh") from None


def save_curves(path, curves):
    """Write ``{run key: (steps, errors)}`` as flat arrays with offsets (int32 steps, float32 errors)."""
    keys = list(curves)
    lengths = [len(curves[k][0]) for k in keys]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    steps = np.concatenate([np.asarray(curves[k][0], np.int32) for k in keys]) if keys else np.zeros(0, np.int32)
    errors = np.concatenate([np.asarray(curves[k][1], np.float32) for k in keys]) if keys else np.zeros(0, np.float32)
    write_file(path, lambda f: np.savez_compressed(f, keys=np.array(keys, dtype=str), offsets=offsets,
                                                   steps=steps, errors=errors))


# ---- running -------------------------------------------------------------------


def execute_batch(scenario, batch, population=False):
    """Run one batch of parameter dicts (the unit sent to a worker); returns their result dicts."""
    task = get_task(scenario)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is a result, not a warning
        if population:
            return task.population(batch)
        return [task.run(params) for params in batch]


def make_batches(task, todo, population=False, population_size=1000, parallel=1):
    """Split runs into batches: one run each, or populations of runs differing only in the seed."""
    if not population:
        return [[p] for p in todo]
    if task.population is None:
        raise ValueError(f"task {task.name!r} has no population mode")
    groups = {}
    for p in todo:
        groups.setdefault(task.key({**p, "seed": 0}), []).append(p)
    per_group = max(1, math.ceil(parallel / max(1, len(groups))))
    batches = []
    for runs in groups.values():
        n = max(math.ceil(len(runs) / population_size), min(per_group, len(runs)))
        size = math.ceil(len(runs) / n)
        batches += [runs[i:i + size] for i in range(0, len(runs), size)]
    return batches


def _die_with_parent():
    """A worker's initializer: on Linux, ask the kernel to kill this worker when the sweep's process dies,
    however it dies (SIGKILL included), so that no worker is left running alone."""
    import ctypes
    import signal as _signal
    import sys

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, int(_signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    _signal.signal(_signal.SIGTERM, _signal.SIG_DFL)  # a worker ends on SIGTERM; only the sweep answers it


def _run_local(scenario, batches, population, workers):
    if workers == 1 or len(batches) <= 1:  # nothing to share out: run here
        for batch in batches:
            yield batch, execute_batch(scenario, batch, population)
        return
    pool = ProcessPoolExecutor(max_workers=min(workers, len(batches)), initializer=_die_with_parent)
    done = False
    try:
        futures = {pool.submit(execute_batch, scenario, batch, population): batch for batch in batches}
        for future in as_completed(futures):
            yield futures[future], future.result()
        done = True
    finally:
        if not done:  # interrupted or failed: the workers' runs are abandoned, the workers ended now
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                try:
                    process.kill()
                except (OSError, AttributeError, ValueError):
                    pass
        pool.shutdown(wait=True, cancel_futures=True)


DASK_CONNECT_TIMEOUT = 20.0
"""Seconds to reach a Dask scheduler (and for it to answer), and for it to have a worker."""
DASK_FIRST_RESULT_TIMEOUT = 600.0
"""Seconds the cluster may take to finish its first batch of runs before the sweep gives up."""


def _probe_scheduler(address, timeout):
    """A Dask scheduler speaks first: connect to a ``tcp://host:port`` address and wait for its first
    byte, so that a port that accepts and says nothing (a dashboard, another server) fails in
    ``timeout`` seconds instead of hanging (``distributed.Client``'s own timeout does not cover it)."""
    import socket

    text = str(address)
    scheme, _, rest = text.rpartition("://")
    if scheme not in ("", "tcp"):
        return  # tls://, ucx://, inproc://: left to distributed
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        raise OSError(f"Dask scheduler address {text!r}: expected tcp://HOST:PORT")
    host = host.strip("[]") or "127.0.0.1"
    try:
        sock = socket.create_connection((host, int(port)), timeout=timeout)
    except OSError as e:
        raise OSError(f"no Dask scheduler at {text}: cannot connect ({e.strerror or e})") from None
    with sock:
        sock.settimeout(timeout)
        try:
            first = sock.recv(1)
        except TimeoutError:
            raise TimeoutError(f"{text} accepted the connection but said nothing in {timeout:g} s: not a Dask "
                               f"scheduler (a dashboard or another server?)") from None
        except OSError as e:
            raise OSError(f"no Dask scheduler at {text}: {e.strerror or e}") from None
    if not first:
        raise OSError(f"{text} closed the connection at once: not a Dask scheduler")


def dask_client(scheduler, timeout=None):
    """A ``distributed.Client`` for an address (or a cluster); needs the ``sweep`` extra.

    The address is probed first (``_probe_scheduler``), the connection has a deadline, and the
    cluster must have a worker within ``timeout`` (``DASK_CONNECT_TIMEOUT``) seconds; every failure
    is an ``OSError`` (``TimeoutError``) naming the address.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ImportError('running on a Dask cluster needs dask distributed: pip install "simnet[sweep]"') from None
    timeout = DASK_CONNECT_TIMEOUT if timeout is None else timeout
    address = getattr(scheduler, "scheduler_address", scheduler)
    if isinstance(address, str):
        _probe_scheduler(address, timeout)
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as e:
        raise OSError(f"no Dask scheduler at {address}: {e}") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError):
        client.close()
        raise TimeoutError(f"the Dask scheduler at {address} has no workers (none joined in {timeout:g} s)") from None
    return client


def _run_dask(scenario, batches, population, client):
    from distributed import as_completed as dask_completed
    from distributed import wait

    futures = [client.submit(execute_batch, scenario, batch, population, pure=False) for batch in batches]
    batch_of = {f.key: batch for f, batch in zip(futures, batches)}
    try:
        if futures:
            try:
                wait(futures, timeout=DASK_FIRST_RESULT_TIMEOUT, return_when="FIRST_COMPLETED")
            except TimeoutError:
                raise TimeoutError(f"no run finished on the Dask cluster at {client.scheduler.address} within "
                                   f"{DASK_FIRST_RESULT_TIMEOUT:g} s (DASK_FIRST_RESULT_TIMEOUT)") from None
        for future in dask_completed(futures):
            yield batch_of[future.key], future.result()
    finally:
        client.cancel(futures)


@dataclass
class SweepResult:
    task: Task
    rows: list  # one dict per grid point, in grid order: params, results and mode
    ran: int  # runs done by this call
    skipped: int  # runs found finished in the table
    results_path: str
    curves_path: str
    curves: dict = field(default_factory=dict)  # run key -> (steps, errors), for the rows that have one


def run_sweep(scenario, grid, results, workers=None, scheduler=None, population=False,
              population_size=1000, progress=True, save_every=30.0):
    """Run ``scenario`` for every parameter dict of ``grid``, skipping runs already in ``results`` (CSV).

    ``workers``: local processes (default: all cores; 1 runs in this process).
    ``scheduler``: a Dask scheduler address (or a ``distributed`` cluster/client) to
    run on instead.  ``population``: train runs that differ only in the seed together,
    ``population_size`` at most at once (their rows are written when their population
    finishes; the populations are split so that every worker gets one).  Returns a
    ``SweepResult``.
    """
    task = get_task(scenario)
    grid = [dict(p) for p in grid]
    keys = [task.key(p) for p in grid]
    if len(set(keys)) != len(keys):
        raise ValueError("the grid has repeated runs")
    client = None
    if scheduler is not None:
        client = scheduler if type(scheduler).__name__ == "Client" else dask_client(scheduler)
        parallel = max(1, sum(client.nthreads().values()))
    else:
        workers = int(workers or os.cpu_count() or 1)
        parallel = workers
    try:
        table = ResultsTable(results, task)
    except BaseException:
        if client is not None and client is not scheduler:
            client.close()
        raise
    cpath = curves_path(results)
    curves = load_curves(cpath)
    todo = [p for p, k in zip(grid, keys) if k not in table]
    skipped = len(grid) - len(todo)
    mode = "population" if population else "individual"
    batches = make_batches(task, todo, population, population_size, parallel)
    ran = 0
    last_save = time.monotonic()
    bar = tqdm(total=len(todo), unit="run", desc=f"{scenario} ({mode})", disable=not progress or not todo)
    finished = None
    term = sigterm_raises()  # SIGTERM: the finished runs' rows and curves kept, the workers ended
    term.__enter__()
    try:
        if client is not None:
            finished = _run_dask(scenario, batches, population, client)
        else:
            finished = _run_local(scenario, batches, population, workers)
        for batch, results_ in finished:
            for params, result in zip(batch, results_):
                table.add({**params, **result, "mode": mode})
                if result.get("curve") is not None:
                    curves[task.key(params)] = result["curve"]
                ran += 1
            bar.update(len(batch))
            if time.monotonic() - last_save > save_every:
                save_curves(cpath, curves)
                last_save = time.monotonic()
    finally:
        try:
            if finished is not None:
                finished.close()  # the generator's own cleanup now: workers ended, futures cancelled
        finally:
            bar.close()
            table.close()
            if ran:
                save_curves(cpath, curves)
            if client is not None and client is not scheduler:
                client.close()
            term.__exit__(None, None, None)
    rows = [table.rows[k] for k in keys]
    return SweepResult(task, rows, ran, skipped, os.fspath(results), cpath,
                       {k: curves[k] for k in keys if k in curves})
