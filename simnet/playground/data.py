"""TensorFlow Playground's six data sets, drawn as its code draws them (its ``src/dataset.ts``;
shuffle and split as in ``src/playground.ts``).

Every generator takes ``n`` (Playground: 500 points for the four classification sets, 1200
for the two regression sets), ``noise`` (the Playground slider's percentage / 100, so 0 to 0.5)
and ``rng`` (a ``numpy.random.Generator``), and returns ``(points (n, 2), labels (n,))``.
Labels are +1 / -1 for classification, a number for regression.

The definitions follow Playground's *code*; where issue 23's prose says otherwise, the code wins:

- **circle** (radius 5): half the points at a radius uniform in [0, 2.5], half in [3.5, 5],
  at an angle ``a`` uniform in [0, 2 pi), ``x = r sin a``, ``y = r cos a``.  The radius is
  uniform, not the area, so points crowd the centre.  The label is + where the distance from
  the centre is < 2.5, taken on a *copy* of the point shifted by U(-5, 5) * noise per axis:
  noise never moves a point, it only flips labels near the border (the issue's prose says
  noise "shifts each point").
- **xor**: x and y uniform in [-5, 5], each then pushed 0.3 away from 0 (0 itself goes to
  -0.3, since Playground tests ``x > 0``), so every point has 0.3 <= |x|, |y| <= 5.3; label +
  where ``x * y >= 0``, taken on a copy shifted by U(-5, 5) * noise per axis (the point stays).
- **gauss**: half the points normal around (2, 2) (+), half around (-2, -2) (-), variance
  ``0.5 + 7 * noise`` (0.5 at noise 0, 4 at noise 0.5), standard deviation its square root.
  Noise only widens the clusters.  (Playground draws normals with its own polar method on
  ``Math.random``; here they come from ``rng.standard_normal``.)
- **spiral**: two arms of n/2 points, ``r = 5 i / (n/2)``, ``t = 1.75 * 2 pi * i / (n/2) + d``
  with d = 0 (+) and pi (-), ``x = r sin t + U(-1, 1) * noise``, ``y = r cos t + U(-1, 1) * noise``.
  The one set whose noise moves the points, and by U(-1, 1) * noise, not scaled by 5.
- **plane** (regression): points uniform in [-6, 6]^2; label ``(x + y) / 10`` (d3's linear
  scale from [-10, 10] to [-1, 1], *not* clamped: |label| reaches 1.2), taken on a copy
  shifted by U(-6, 6) * noise per axis.
- **multigauss** (regression): points uniform in [-6, 6]^2; six centres (-4, 2.5, +),
  (0, 2.5, -), (4, 2.5, +), (-4, -2.5, -), (0, -2.5, +), (4, -2.5, -); each gives
  ``sign * clamp(1 - d / 2, 0, 1)`` (d the distance to it) and the one with the largest |label|
  wins (the first on a tie), so about half the labels are exactly 0; taken on a copy shifted by
  U(-6, 6) * noise per axis.

Every definition above follows Playground's code.  Where issue 23's prose reads differently:

- circle and xor: the prose has noise *shift each point*; the code shifts only the copy the label is
  read from, the point stays (so noise flips labels, and circle points never leave their two bands);
- xor: "pushed 0.3 away from 0" leaves 0 itself undecided; the code sends it to -0.3;
- plane: "scaled from [-10, 10] to [-1, 1]" reads as a range; the scale is not clamped, so labels
  reach +-1.2, and "taken after noise" is again on the shifted copy, the point stays;
- multigauss: the prose does not say where the points are or what noise does: uniform in [-6, 6]^2,
  and the label is read on a copy shifted by U(-6, 6) * noise, as for plane.

Playground seeds one random stream (``seedrandom``), generates, shuffles the points with
Fisher-Yates on the same stream, then takes the first ``floor(n * train% / 100)`` for training
and the rest for testing: ``playground_data`` does the same with one ``numpy`` generator
seeded with ``seed`` (a different generator than JavaScript's, so the same seed does not give
Playground's very points; the order of the draws is Playground's).  The draws of one point
come in Playground's order (circle: radius, angle, noise x, noise y), vectorised row by row.
"""
import math
from dataclasses import dataclass

import numpy as np

from ..checks import check_int, check_number, check_rng

CLASSIFY = ("circle", "xor", "gauss", "spiral")
REGRESS = ("plane", "multigauss")
DATASETS = CLASSIFY + REGRESS
SAMPLES_CLASSIFY = 500  # Playground's NUM_SAMPLES_CLASSIFY
SAMPLES_REGRESS = 1200  # Playground's NUM_SAMPLES_REGRESS
DOMAIN = (-6.0, 6.0)  # the square Playground draws (its xDomain and yDomain)


def _uniform(u, lo, hi):
    """Playground's ``randUniform(a, b) = Math.random() * (b - a) + a`` on draws ``u`` in [0, 1)."""
    return u * (hi - lo) + lo


def circle(n=SAMPLES_CLASSIFY, noise=0.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    radius = 5.0
    parts = []
    for lo, hi in ((0.0, radius * 0.5), (radius * 0.7, radius)):  # positive inside, negative on the ring
        u = rng.random((n // 2, 4))  # per point: r, angle, noise x, noise y (Playground's order)
        r = _uniform(u[:, 0], lo, hi)
        a = _uniform(u[:, 1], 0.0, 2 * math.pi)
        x, y = r * np.sin(a), r * np.cos(a)
        nx, ny = _uniform(u[:, 2], -radius, radius) * noise, _uniform(u[:, 3], -radius, radius) * noise
        label = np.where(np.hypot(x + nx, y + ny) < radius * 0.5, 1.0, -1.0)  # on the shifted copy
        parts.append((np.stack([x, y], axis=1), label))
    return np.concatenate([p for p, _ in parts]), np.concatenate([lab for _, lab in parts])


def xor(n=SAMPLES_CLASSIFY, noise=0.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    padding = 0.3
    u = rng.random((n, 4))  # per point: x, y, noise x, noise y
    x, y = _uniform(u[:, 0], -5, 5), _uniform(u[:, 1], -5, 5)
    x = x + np.where(x > 0, padding, -padding)  # 0 goes to -0.3, as Playground's `x > 0 ? p : -p`
    y = y + np.where(y > 0, padding, -padding)
    nx, ny = _uniform(u[:, 2], -5, 5) * noise, _uniform(u[:, 3], -5, 5) * noise
    label = np.where((x + nx) * (y + ny) >= 0, 1.0, -1.0)
    return np.stack([x, y], axis=1), label


def gauss_variance(noise):
    """Playground's variance of the two clusters: d3 scale [0, 0.5] -> [0.5, 4], i.e. 0.5 + 7 * noise."""
    return 0.5 + 7.0 * noise


def gauss(n=SAMPLES_CLASSIFY, noise=0.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    std = math.sqrt(gauss_variance(noise))
    parts, labels = [], []
    for c, label in ((2.0, 1.0), (-2.0, -1.0)):
        parts.append(c + std * rng.standard_normal((n // 2, 2)))
        labels.append(np.full(n // 2, label))
    return np.concatenate(parts), np.concatenate(labels)


def spiral(n=SAMPLES_CLASSIFY, noise=0.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    m = n // 2
    parts, labels = [], []
    for delta, label in ((0.0, 1.0), (math.pi, -1.0)):
        i = np.arange(m)
        r = i / m * 5
        t = 1.75 * i / m * 2 * math.pi + delta
        u = rng.random((m, 2))  # per point: noise x, noise y
        x = r * np.sin(t) + _uniform(u[:, 0], -1, 1) * noise
        y = r * np.cos(t) + _uniform(u[:, 1], -1, 1) * noise
        parts.append(np.stack([x, y], axis=1))
        labels.append(np.full(m, label))
    return np.concatenate(parts), np.concatenate(labels)


def plane_label(x, y):
    """(x + y) / 10: d3's linear scale [-10, 10] -> [-1, 1], not clamped."""
    return (x + y) / 10.0


def plane(n=SAMPLES_REGRESS, noise=0.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    radius = 6.0
    u = rng.random((n, 4))  # per point: x, y, noise x, noise y
    x, y = _uniform(u[:, 0], -radius, radius), _uniform(u[:, 1], -radius, radius)
    nx, ny = _uniform(u[:, 2], -radius, radius) * noise, _uniform(u[:, 3], -radius, radius) * noise
    return np.stack([x, y], axis=1), plane_label(x + nx, y + ny)


GAUSSIANS = ((-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0),
             (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0))


def multigauss_label(x, y):
    """The centre with the largest |sign * clamp(1 - d/2, 0, 1)| wins (the first on a tie); 0 far from all."""
    label = np.zeros(np.broadcast(x, y).shape)
    for cx, cy, sign in GAUSSIANS:
        new = sign * np.clip(1 - np.hypot(x - cx, y - cy) / 2, 0, 1)
        label = np.where(np.abs(new) > np.abs(label), new, label)
    return label


def multigauss(n=SAMPLES_REGRESS, noise=0.0, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    radius = 6.0
    u = rng.random((n, 4))
    x, y = _uniform(u[:, 0], -radius, radius), _uniform(u[:, 1], -radius, radius)
    nx, ny = _uniform(u[:, 2], -radius, radius) * noise, _uniform(u[:, 3], -radius, radius) * noise
    return np.stack([x, y], axis=1), multigauss_label(x + nx, y + ny)


GENERATORS = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "plane": plane,
              "multigauss": multigauss}


def shuffle(n: int, rng: np.random.Generator) -> np.ndarray:
    """Playground's Fisher-Yates shuffle of ``range(n)``: from the end, ``index = floor(random * counter)``."""
    order = list(range(n))
    u = rng.random(n)
    for k, counter in enumerate(range(n, 0, -1)):
        index = int(u[k] * counter)
        counter -= 1
        order[counter], order[index] = order[index], order[counter]
    return np.array(order, dtype=np.int64)


@dataclass
class Split:
    """A data set split for training: points ``(n, 2)`` and labels ``(n,)``, train and test."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    regression: bool

    def __repr__(self):
        kind = "regression" if self.regression else "classification"
        return f"Split({self.name!r}, {kind}, {len(self.x_train)} train, {len(self.x_test)} test)"


def check_noise(noise):
    noise = check_number(noise, "noise")
    if not 0 <= noise <= 0.5:
        raise ValueError(f"noise must be in [0, 0.5] (Playground's 0-50 %, divided by 100), got {noise!r}")
    return float(noise)


def check_train_ratio(percent):
    percent = check_number(percent, "train ratio")
    if not 10 <= percent <= 90:
        raise ValueError(f"train ratio must be 10-90 (percent), got {percent!r}")
    return percent


def split(points: np.ndarray, labels: np.ndarray, train_ratio: float,
          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle (Playground's Fisher-Yates on ``rng``) and take the first ``floor(n * train_ratio / 100)`` to train."""
    order = shuffle(len(points), rng)
    points, labels = points[order], labels[order]
    k = math.floor(len(points) * train_ratio / 100)
    return points[:k], labels[:k], points[k:], labels[k:]


def playground_data(name: str, noise: float = 0.0, train_ratio: float = 50, seed: int | None = 0,
                    n: int | None = None) -> Split:
    """Data set ``name`` as Playground makes it: one stream seeded with ``seed`` generates ``n`` points
    (500, or 1200 for regression) at ``noise`` (0-0.5), shuffles them and splits off ``train_ratio``
    percent (10-90) for training.  Returns a ``Split``."""
    if name not in GENERATORS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    noise = check_noise(noise)
    train_ratio = check_train_ratio(train_ratio)
    regression = name in REGRESS
    n = (SAMPLES_REGRESS if regression else SAMPLES_CLASSIFY) if n is None else check_int(n, "n", minimum=2)
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError) as e:
        raise type(e)(f"seed must be None or a non-negative int, got {seed!r}") from None
    check_rng(rng)
    points, labels = GENERATORS[name](n, noise, rng)
    return Split(name, *split(points, labels, train_ratio, rng), regression=regression)
