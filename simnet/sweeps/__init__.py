"""Sweeps: one scenario run over a grid of seeds and hyperparameters, kept as a table.

    registry.py   Task, register_task, get_task, TASKS, the table's Column types
    engine.py     run_sweep: grids, the CSV table and its resume, error curves, local cores or Dask
    tasks.py      the built-in tasks (streetlights, mnist, fashion_mnist), registered on import here

Many copies of one small network trained at once: ``simnet.sweeps.population.Population``.
"""
from . import tasks  # noqa: F401  (registers the built-in tasks: streetlights, mnist, fashion_mnist)
from .engine import (ResultsTable, SweepResult, curves_path, load_curves, make_grid, parse_list, parse_seeds,
                     read_results, run_sweep, save_curves)
from .registry import (BOOL, FLOAT, HIDDEN, INT, TASKS, Column, Task, format_hidden, get_task, parse_hidden,
                       register_task)

__all__ = ["BOOL", "FLOAT", "HIDDEN", "INT", "TASKS", "Column", "ResultsTable", "SweepResult", "Task", "curves_path",
           "format_hidden", "get_task", "load_curves", "make_grid", "parse_hidden", "parse_list", "parse_seeds",
           "read_results", "register_task", "run_sweep", "save_curves"]
