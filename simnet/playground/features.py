"""Playground's input features: what each input neuron computes from a point (x1, x2).

The seven of TensorFlow Playground (its ``INPUTS`` in ``playground.ts``), by its names:
``x1``, ``x2``, ``x1^2``, ``x2^2``, ``x1x2``, ``sin(x1)``, ``sin(x2)``.  The network's input
layer has one neuron per chosen feature; the features are computed here, before the
network, exactly as Playground does (no scaling).
"""
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike

FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
DEFAULT_FEATURES = ("x1", "x2")  # Playground's default


def check_features(names: str | Iterable[str]) -> tuple[str, ...]:
    """``names`` as a tuple of known, distinct features (at least one); ValueError naming the bad one."""
    if isinstance(names, str):
        names = names.replace(",", " ").split()
    names = tuple(names)
    if not names:
        raise ValueError(f"choose at least one feature of {' '.join(FEATURES)}")
    for name in names:
        if name not in FEATURES:
            raise ValueError(f"unknown feature {name!r}; choose any of {' '.join(FEATURES)}")
    seen = set()
    for name in names:
        if name in seen:
            raise ValueError(f"feature {name!r} is given twice")
        seen.add(name)
    return names


def feature_matrix(points: ArrayLike, names: str | Iterable[str]) -> np.ndarray:
    """The input neurons for ``points`` (n, 2): one column per feature in ``names``, shape (n, len(names))."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {points.shape}")
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([FEATURES[name](x1, x2) for name in check_features(names)], axis=1)
