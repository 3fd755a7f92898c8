"""Losses, each written in the walk-through's delta form.

``delta(goal, prediction, activation)`` returns the output layer's delta: the
direction that moves the output towards the goal, ``goal - prediction`` where the
loss and the output activation pair up (squared error with a linear output,
cross-entropy with softmax or sigmoid).  For a batch of B samples the delta is
divided by B, so that a batch step moves the weights by the *mean* sample step
and B = 1 is exactly the walk-through's per-sample step.

``sample_errors(goal, prediction, activation, sums)`` returns one error per sample; the
output layer's activation tells cross-entropy whether the outputs are one softmax
distribution or independent sigmoid probabilities.  Cross-entropy is computed from the
output layer's input sums (its logits, ``sums``) in a stable form (log-sum-exp, softplus),
exact at every magnitude: a probability that rounds to 0 or 1 loses the error it stands for.
"""
import numpy as np

from .activations import Activation, Linear, Sigmoid, Softmax

DELTA_DIVISORS = ("batch", "batch squared")


class Loss:
    """A loss: its per-sample errors and the output delta ``goal - prediction`` (divided by the batch size).

    ``divide_by="batch squared"`` divides the delta of a batch by ``batch * batch`` instead:
    Grokking Deep Learning's chapters 9 and 10 write ``/ (batch_size * layer_2.shape[0])``
    (a named choice, for reproducing that book's printed numbers).
    """

    name = "loss"
    uses_sums = False  # whether sample_errors wants the output layer's input sums (logits)

    def __init__(self, divide_by: str = "batch") -> None:
        if divide_by not in DELTA_DIVISORS:
            raise ValueError(f"{self.name}: divide_by must be one of {DELTA_DIVISORS}, got {divide_by!r}")
        self.divide_by = divide_by

    def _divide(self, out: np.ndarray) -> np.ndarray:
        b = out.shape[0]
        if b > 1:
            out /= b * b if self.divide_by == "batch squared" else b
        return out

    def sample_errors(self, goal: np.ndarray, prediction: np.ndarray, activation: Activation | None = None,
                      sums: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def delta(self, goal: np.ndarray, prediction: np.ndarray, activation: Activation,
              out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def check(self, activation, goal=None, where="output layer"):
        """Raise ``ValueError`` (naming ``where``) if this loss cannot train an output with
        ``activation``, or if ``goal`` (a finite ``(samples, n)`` array, optional) is out of its range."""

    def __repr__(self):
        return self.name if self.divide_by == "batch" else f"{self.name}(divide_by={self.divide_by!r})"


class SquaredError(Loss):
    """The walk-through's error: ``sum((goal - prediction) ** 2)`` per sample."""

    name = "squared_error"

    def sample_errors(self, goal: np.ndarray, prediction: np.ndarray, activation: Activation | None = None,
                      sums: np.ndarray | None = None) -> np.ndarray:
        d = goal - prediction
        return np.sum(d * d, axis=-1)

    def check(self, activation, goal=None, where="output layer"):
        if goal is None or goal.size == 0:
            return
        # a goal this large makes the error itself overflow: no training can follow it
        limit = np.sqrt(np.finfo(goal.dtype).max / goal.shape[-1]) / 4
        big = np.abs(goal) > limit
        if big.any():
            i = tuple(int(k) for k in np.argwhere(big)[0])
            raise ValueError(f"{where}: goal{list(i)} is {goal[i]:.3g}; squared-error goals must be at most "
                             f"{limit:.3g} in magnitude, or the error overflows {goal.dtype}")

    def delta(self, goal: np.ndarray, prediction: np.ndarray, activation: Activation,
              out: np.ndarray | None = None) -> np.ndarray:
        out = np.subtract(goal, prediction, out=out)
        if not isinstance(activation, Linear):
            out = activation.backprop(out, prediction, out=out)
        return self._divide(out)


class CrossEntropy(Loss):
    """Cross-entropy per sample, for a softmax or sigmoid output.

    With softmax: ``-sum(goal * log(prediction))``.  With sigmoid (each output its own
    yes/no probability): the binary cross-entropy summed over the outputs,
    ``-sum(goal * log(p) + (1 - goal) * log(1 - p))``.  In both cases the delta with
    respect to the input sums is exactly ``goal - prediction``.  Without an
    ``activation``, one output column is taken as sigmoid and several as softmax.
    Predictions are clipped at the dtype's smallest normal number, so a saturated
    output gives a large finite error, never ``log(0)``.
    """

    name = "cross_entropy"

    uses_sums = True

    def sample_errors(self, goal: np.ndarray, prediction: np.ndarray, activation: Activation | None = None,
                      sums: np.ndarray | None = None) -> np.ndarray:
        binary = isinstance(activation, Sigmoid) if activation is not None else prediction.shape[-1] == 1
        if sums is not None:
            return self.from_sums(goal, sums, binary)
        # only the probabilities: clipped at the smallest normal number (never log(0))
        tiny = np.finfo(prediction.dtype).tiny
        p = np.maximum(prediction, tiny)
        if binary:  # independent sigmoid outputs: binary cross-entropy
            q = np.maximum(1 - prediction, tiny)
            return -np.sum(goal * np.log(p) + (1 - goal) * np.log(q), axis=-1)
        np.log(p, out=p)
        p *= goal
        return -p.sum(axis=-1)

    @staticmethod
    def from_sums(goal, z, binary):
        """Cross-entropy from the logits ``z``, exact at every magnitude.

        Sigmoid: ``-[g log s(z) + (1-g) log(1-s(z))] = max(z, 0) - g z + log1p(exp(-|z|))``.
        Softmax, with ``m`` the row maximum: ``-sum g log softmax(z) = sum g (m - z) +
        sum(g) log1p(sum of exp(z - m) over all but the maximum)``.  The large terms
        cancel exactly before the small one is added, so a logit of 40 against goal 1
        gives 4.2e-18, not 0, and against goal 0 gives 40, not the clipped 708.4.
        """
        if binary:
            return np.sum(np.maximum(z, 0) - goal * z + np.log1p(np.exp(-np.abs(z))), axis=-1)
        # (ufuncs called directly: at one sample per step their wrappers cost more than the arithmetic)
        e = np.subtract(z, np.maximum.reduce(z, axis=-1, keepdims=True))  # z - m: <= 0, 0 at the maxima
        below = np.add.reduce(goal * e, axis=-1)  # sum g (z - m) = -sum g (m - z)
        np.exp(e, out=e)
        # one exp(0) = 1 exactly per row (the first maximum) is left out: log1p takes the rest
        top = z.argmax(axis=-1)
        if e.ndim == 2:  # e is a new contiguous array: its flat view, one index per row
            top += np.arange(0, e.size, e.shape[1])
            e.reshape(-1)[top] = 0
        else:
            np.put_along_axis(e, top[..., None], 0, axis=-1)
        errors = np.log1p(np.add.reduce(e, axis=-1))
        errors *= np.add.reduce(goal, axis=-1)
        errors -= below
        return errors

    def check(self, activation, goal=None, where="output layer"):
        if not isinstance(activation, (Softmax, Sigmoid)):
            raise ValueError(f"{where}: cross-entropy needs a softmax or sigmoid output layer, not {activation}")
        if goal is None or goal.size == 0:
            return
        lo, hi = goal.min(), goal.max()
        if lo < 0 or hi > 1:
            i = tuple(int(k) for k in np.argwhere((goal < 0) | (goal > 1))[0])
            raise ValueError(f"{where}: cross-entropy goals must be in [0, 1] (one-hot labels or probabilities); "
                             f"goal{list(i)} is {goal[i]}")
        if isinstance(activation, Softmax):
            sums = goal.sum(axis=-1)
            bad = np.flatnonzero(np.abs(sums - 1) > 1e-3)
            if bad.size:
                raise ValueError(f"{where}: with softmax, each goal row must sum to 1 (a one-hot label or a "
                                 f"probability distribution); row {int(bad[0])} sums to {sums[bad[0]]:g}")

    def delta(self, goal: np.ndarray, prediction: np.ndarray, activation: Activation,
              out: np.ndarray | None = None) -> np.ndarray:
        if not isinstance(activation, (Softmax, Sigmoid)):
            raise ValueError(
                f"cross-entropy needs a softmax or sigmoid output layer, not {activation}"
            )
        out = np.subtract(goal, prediction, out=out)
        return self._divide(out)


LOSSES = {"squared_error": SquaredError, "cross_entropy": CrossEntropy}


def get_loss(loss: str | Loss | None) -> Loss:
    if loss is None:
        return SquaredError()
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str):
        try:
            return LOSSES[loss]()
        except KeyError:
            raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)}") from None
    raise TypeError(f"loss must be a name or a Loss, got {type(loss).__name__}")
