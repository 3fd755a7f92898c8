"""The sweep tasks: how a scenario takes part in sweeps, and the table of registered tasks.

A task is a function ``(params) -> result dict`` registered with ``register_task`` under a
scenario's name, with the ``Column`` of each parameter and result.  The engine
(``simnet.sweeps.engine``) reads ``TASKS`` and never imports the tasks themselves; the built-in
ones (``simnet.sweeps.tasks``) are registered when the ``simnet.sweeps`` package is imported.
"""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# ---- how values are written to and read from the table ---------------------


@dataclass(frozen=True)
class Column:
    """How one parameter or result is written to the CSV (``format``) and read back (``parse``)."""

    parse: object
    format: object = str


def _parse_bool(text):
    if text not in ("True", "False"):
        raise ValueError(f"expected True or False, got {text!r}")
    return text == "True"


def parse_hidden(text):
    """Hidden layer sizes of one network as a table holds them: ``'4'`` is one hidden layer, ``'4-2'`` two
    (tables written before 0.2 say ``'4x2'``, read the same)."""
    parts = str(text).replace("-", "x").split("x")
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"hidden sizes must be integers like 4 or 4-2, got {text!r}") from None
    if min(sizes) < 1:
        raise ValueError(f"hidden sizes must be positive, got {text!r}")
    return sizes


def format_hidden(sizes):
    """Hidden sizes as written in tables and titles: ``(4, 2)`` -> ``'4-2'`` (``parse_hidden`` reads it back),
    as ``--hidden 4-2`` says it on the command line."""
    return "-".join(str(int(s)) for s in sizes)


INT = Column(int, lambda v: str(int(v)))
FLOAT = Column(float, lambda v: repr(float(v)))  # repr: the shortest text that reads back to the same float
BOOL = Column(_parse_bool, lambda v: str(bool(v)))
HIDDEN = Column(parse_hidden, format_hidden)


# ---- tasks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """A scenario that can be swept: ``run(params) -> result dict``.

    ``params`` and ``results`` name the parameters and results, in table order,
    with their ``Column``.  A result dict may also hold ``"curve"``: the run's
    error per iteration as a pair ``(steps, errors)``.  ``population(list of
    params differing only in 'seed') -> list of result dicts`` trains them at
    once; ``initial_weights(params) -> [(source, target, weights)]`` gives a run's
    initial weights for the figures.
    """

    name: str
    run: object
    params: dict
    results: dict
    population: Callable[..., Any] | None = None
    initial_weights: Callable[..., Any] | None = None

    def key(self, params):
        """The run's identity in the table: its parameters as written, e.g. ``'seed=0,alpha=0.2,...'``."""
        missing = [p for p in self.params if p not in params]
        if missing:
            raise ValueError(f"task {self.name!r} needs parameters {missing}")
        return ",".join(f"{p}={col.format(params[p])}" for p, col in self.params.items())

    def __repr__(self):
        return f"Task({self.name!r}, params={list(self.params)}, results={list(self.results)})"


TASKS: dict[str, "Task"] = {}


def register_task(name, params, results, population=None, initial_weights=None):
    """Decorator: register ``fn(params) -> result dict`` as the sweep task of scenario ``name``."""
    def register(fn):
        TASKS[name] = Task(name, fn, dict(params), dict(results), population, initial_weights)
        return fn
    return register


def get_task(name):
    """The task registered as ``name`` (``simnet.sweeps`` registers the built-in ones when it is imported)."""
    try:
        return TASKS[name]
    except KeyError:
        raise KeyError(f"no sweep task {name!r}; registered: {sorted(TASKS)}") from None
