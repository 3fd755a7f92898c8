"""Your own 2-D data: a CSV file with columns ``x1,x2,label`` (a header line of those names is optional).

The labels say the task:

- numeric labels that are all +1 / -1, or all 0 / 1: a **binary** task (0 becomes -1), as
  Playground's classification;
- labels that are not all numbers (``cat``, ``dog``, ...): a **multiclass** task, one softmax
  output per class, classes in order of first appearance;
- any other numeric labels: **regression** (with ``classes=True``, numeric labels are class
  names instead: labels 0, 1, 2 make three classes).

Every bad file is a ``CSVError`` (a ``ValueError``) naming the file, the line and the column:
an empty file, a line with a missing (or an extra) column, text in a number column, a NaN or
infinite number, a single class.
"""
import csv
import io
import math
import os

import numpy as np

from ..saving.files import open_regular
from .task import Task

COLUMNS = ("x1", "x2", "label")
MAX_CSV_BYTES = 1 << 30  # 1 GiB: tens of millions of points, far past what a 2-D lab draws


class CSVError(ValueError):
    """A bad CSV file; the message names the file, the line and the column."""


def _number(text):
    try:
        return float(text)
    except ValueError:
        return None


def read_csv(path: str | os.PathLike, classes: bool = False) -> tuple[np.ndarray, np.ndarray, Task]:
    """``(points (n, 2), labels (n,), Task)`` from the CSV file ``path``; ``CSVError`` for a bad file.

    Classification labels come back as +1 / -1 (binary) or class indices (multiclass, the
    class names in ``task.classes``); regression labels as the numbers.
    """
    try:  # a regular file only, opened without blocking (a FIFO or a device is refused at once)
        with open_regular(path, MAX_CSV_BYTES, "a CSV of points") as raw, \
                io.TextIOWrapper(raw, encoding="utf-8", newline="") as f:
            rows = [(n, row) for n, row in enumerate(csv.reader(f), start=1)]
    except UnicodeDecodeError as e:
        raise CSVError(f"{path}: not a text file in UTF-8 ({e.reason} at byte {e.start})") from None
    except csv.Error as e:
        raise CSVError(f"{path}: {e}") from None
    rows = [(n, [c.strip() for c in row]) for n, row in rows if any(c.strip() for c in row)]  # blank lines skipped
    if not rows:
        raise CSVError(f"{path}: the file is empty; expected lines of {','.join(COLUMNS)}")
    first_line, first = rows[0]
    if first and _number(first[0]) is None:  # a header line
        if [c.lower() for c in first] != list(COLUMNS):
            raise CSVError(f"{path} line {first_line}: the header is {','.join(first)!r}; "
                           f"expected {','.join(COLUMNS)}")
        rows = rows[1:]
        if not rows:
            raise CSVError(f"{path}: the file has a header and no data; expected lines of {','.join(COLUMNS)}")
    points = np.empty((len(rows), 2))
    texts = []
    for k, (line, row) in enumerate(rows):
        if len(row) < 3:
            raise CSVError(f"{path} line {line}: {len(row)} column{'s' if len(row) != 1 else ''}, column "
                           f"{COLUMNS[len(row)]!r} is missing (expected {','.join(COLUMNS)})")
        if len(row) > 3:
            raise CSVError(f"{path} line {line}: {len(row)} columns; expected 3 ({','.join(COLUMNS)})")
        for c in (0, 1):
            v = _number(row[c])
            if v is None:
                raise CSVError(f"{path} line {line}, column {COLUMNS[c]}: {row[c]!r} is not a number")
            if not math.isfinite(v):
                raise CSVError(f"{path} line {line}, column {COLUMNS[c]}: {row[c]!r} is not a finite number")
            points[k, c] = v
        if not row[2]:
            raise CSVError(f"{path} line {line}, column label: the label is empty")
        texts.append(row[2])
    numbers = [_number(t) for t in texts]
    numeric = all(v is not None for v in numbers)
    if numeric:
        for (line, _), t, v in zip(rows, texts, numbers):
            if not math.isfinite(v):
                raise CSVError(f"{path} line {line}, column label: {t!r} is not a finite number")
    if numeric and not classes:
        values = np.array(numbers)
        distinct = set(np.unique(values).tolist())
        if len(distinct) == 1:
            raise CSVError(f"{path}: every label is {texts[0]!r}; a task needs at least two classes "
                           f"(or differing numbers for regression)")
        if distinct <= {-1.0, 1.0} or distinct <= {0.0, 1.0}:
            return points, np.where(values > 0, 1.0, -1.0), Task("binary")
        return points, values, Task("regression")
    names = list(dict.fromkeys(texts))  # classes in order of first appearance
    if len(names) == 1:
        raise CSVError(f"{path}: every label is {names[0]!r}: one class only; a classifier needs at least two")
    index = {name: i for i, name in enumerate(names)}
    return points, np.array([index[t] for t in texts], dtype=np.float64), Task("multiclass", names)
