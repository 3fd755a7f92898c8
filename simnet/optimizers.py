"""Optimizers: how a delta becomes a weight change.

simnet's gradients point the walk-through's way, *towards* the goal
(``source.neuron_col_array @ delta`` with ``delta = goal - prediction``), so every
optimizer *adds* its step.  Every layer kind updates its weights and bias through
the same two calls (``SimpleLayer.learn``):

1. ``delta = optimizer.scale_delta(delta, out)``: the delta the gradient is made
   from.  Plain SGD folds its rate in here, in the walk-through's order
   (``weights += source.neuron_col_array @ (alpha * delta)``: the small delta is
   scaled, not the large gradient); the others return the delta unchanged.
2. ``optimizer.update(param, grad, state)``: change ``param`` in place by the
   gradient made from that delta; for the weights (never the biases) it is preceded
   by ``optimizer.decay(weights)``, L2 weight decay in Nielsen's form (``l2``, ``n``):
   ``weights *= 1 - alpha * l2 / n`` each step, ``n`` the training-set size, so that
   with SGD a step is his ``w -> (1 - eta*lambda/n) w - (eta/m) sum grad`` for every
   optimizer alike.  Without ``l2`` it does nothing.  L1 in the same form (``l1``, ``n``) moves
   each weight ``alpha * l1 / n`` towards 0 and stops it at 0 (a weight that would cross 0 becomes
   0, as TensorFlow Playground's L1 does): ``w -> sign(w) max(|w| - alpha*l1/n, 0)``.

An optimizer keeps no per-weight state itself: its state (velocity, moments)
lives in a dict beside the weights it updates, on the layer that owns them.

Each optimizer describes itself, so that adding one touches its class alone: ``name`` (its key in
``OPTIMIZERS``, where defining the class registers it), ``settings`` (its constructor's own
arguments, beyond ``alpha`` and the regularization), ``state_arrays`` and ``state_scalars`` (what its
per-parameter state holds), ``config()`` and ``from_config(cfg)`` (what a save writes and reads;
``simnet.saving`` checks a saved state against these).
"""
import math

import numpy as np

from .checks import check_fraction, check_number, check_positive_int, check_rate


OPTIMIZERS: "dict[str, type[Optimizer]]" = {}  # name -> class: every Optimizer subclass with a name registers itself here


class Optimizer:
    name = "optimizer"
    settings: tuple[str, ...] = ()  # the constructor's own settings beyond alpha, l2, n, l1 (Momentum: beta)
    state_arrays: tuple[str, ...] = ()  # the arrays of a parameter's state, each shaped like the parameter (Adam: m, v)
    state_scalars: tuple[str, ...] = ()  # the numbers of a parameter's state (Adam: its step count t)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in vars(cls):
            OPTIMIZERS[cls.name] = cls

    def config(self):
        """What a save writes: ``{"name", "alpha", <settings>, l2/l1 and n when set}`` (plain numbers)."""
        cfg = {"name": self.name, "alpha": self.alpha, **{k: getattr(self, k) for k in self.settings}}
        if self.l2:
            cfg.update(l2=self.l2, n=self.n)
        if self.l1:
            cfg.update(l1=self.l1, n=self.n)
        return cfg

    @classmethod
    def config_fields(cls):
        """The fields ``config()`` may write."""
        return {"name", "alpha", "l2", "l1", "n", *cls.settings}

    @staticmethod
    def from_config(cfg):
        """The optimizer a ``config()`` describes (its ``name`` picks the class)."""
        cfg = dict(cfg)
        name = cfg.pop("name")
        try:
            cls = OPTIMIZERS[name]
        except KeyError:
            raise ValueError(f"unknown optimizer {name!r}; known: {sorted(OPTIMIZERS)}") from None
        return cls(**cfg)

    l2: float = 0.0  # no L2 weight decay until set_l2
    n: int | None = None
    _factor: float = 1.0
    l1 = 0.0  # no L1 until set_l1

    def __init__(self, alpha, l2=0.0, n=None, l1=0.0):
        self.alpha = alpha
        self.set_l2(l2, n)
        if l1:
            self.set_l1(l1, n)

    def set_l1(self, l1, n=None):
        """L1 regularization: ``l1`` (>= 0) over ``n`` (the training-set size; 1 gives TensorFlow Playground's
        rate as it is).  Every step then moves each weight (not the biases) ``alpha * l1 / n`` towards 0,
        stopping at 0, before the optimizer's own step.  ``l1=0`` turns it off."""
        l1 = check_number(l1, "l1 (the L1 regularization rate)")
        if l1 < 0:
            raise ValueError(f"l1 (the L1 regularization rate) must be 0 or more, got {l1!r}")
        if l1 > 0 or n is not None:
            n = check_positive_int(n, "n (the training-set size L1 regularization divides by)")
        if self.l2 and n != self.n:
            raise ValueError(f"L1 and L2 divide by one training-set size: L2 has n={self.n}, L1 got n={n}")
        self.l1 = l1
        if l1 or not self.l2:
            self.n = n
        return self

    def set_l2(self, l2: float, n: int | None = None) -> "Optimizer":
        """L2 weight decay: ``l2`` (Nielsen's lambda, >= 0) over ``n`` (the training-set size).

        Every step then shrinks each weight matrix by ``1 - alpha * l2 / n`` before the
        optimizer's own step; biases are not decayed.  ``l2=0`` turns it off.  Refused (and
        nothing changed) when that factor is not a shrink at the current rate.
        """
        l2 = check_number(l2, "l2 (the L2 weight decay lambda)")
        if l2 < 0:
            raise ValueError(f"l2 (the L2 weight decay lambda) must be 0 or more, got {l2!r}")
        if l2 > 0 or n is not None:
            n = check_positive_int(n, "n (the training-set size L2 weight decay divides by)")
        factor = self._shrink(self._alpha, l2, n) if l2 > 0 else 1.0
        self.l2, self._factor = l2, factor
        if n is not None or not self.l1:  # L1 keeps its n when L2 is turned off
            self.n = n
        return self

    @staticmethod
    def _shrink(alpha, l2, n):
        factor = 1 - alpha * l2 / n
        if factor <= 0:
            raise ValueError(f"L2 weight decay would shrink the weights by 1 - alpha*l2/n = 1 - {alpha:g}*"
                             f"{l2:g}/{n} = {factor:.3g} a step, which is not a shrink: lower l2 or alpha")
        return factor

    def decay_factor(self, alpha: float | None = None) -> float:
        """What ``decay`` multiplies the weights by at rate ``alpha`` (default the current one):
        ``1 - alpha * l2 / n``, 1 without L2; a ``ValueError`` where that is not a shrink."""
        if alpha is None:
            return self._factor
        return self._shrink(check_rate(alpha), self.l2, self.n) if self.l2 else 1.0

    def decay(self, param):
        """L2 weight decay of a weight matrix, in place: ``param *= 1 - alpha * l2 / n``; then L1:
        ``param = sign(param) * max(|param| - alpha * l1 / n, 0)`` (nothing without either)."""
        if self.l2:
            param *= self._factor
        if self.l1:
            sign = np.sign(param, out=self._temporary(param))
            np.abs(param, out=param)
            param -= self._alpha * self.l1 / self.n
            np.maximum(param, 0, out=param)  # a weight that would cross 0 stops at 0
            param *= sign

    @property
    def alpha(self):
        """The learning rate; setting it (a schedule) checks it is a positive finite number and, with L2,
        that the weight decay stays a shrink: refused before any step, never in one."""
        return self._alpha

    @alpha.setter
    def alpha(self, value):
        value = check_rate(value)
        factor = self._shrink(value, self.l2, self.n) if self.l2 else 1.0
        self._alpha, self._factor = value, factor

    def scale_delta(self, delta, out):
        """The delta the gradient is made from (``out``: a buffer of delta's shape it may fill)."""
        return delta

    _scratch = None  # a buffer the size of the largest parameter so far: update's temporary

    def _temporary(self, like):
        """An uninitialised array shaped like ``like``, in a buffer reused from step to step (no allocation)."""
        buf = self._scratch
        if buf is None or buf.size < like.size or buf.dtype != like.dtype:
            buf = self._scratch = np.empty(like.size, like.dtype)
        return buf[:like.size].reshape(like.shape)

    def update(self, param, grad, state):
        """Change ``param`` in place by ``grad`` (which it may overwrite); ``state`` is param's own dict."""
        raise NotImplementedError

    def __repr__(self):
        l2 = f", l2={self.l2:g}" if self.l2 else ""
        l1 = f", l1={self.l1:g}" if self.l1 else ""
        n = f", n={self.n}" if self.l1 or self.l2 else ""
        return f"{type(self).__name__}(alpha={self.alpha:g}{l2}{l1}{n})"


class SGD(Optimizer):
    """The walk-through's update: ``weights += source.neuron_col_array @ (alpha * delta)``.

    ``learn(0.2)`` with a plain number is this optimizer with ``alpha`` 0.2.
    """

    name = "sgd"

    def __init__(self, alpha, l2=0.0, n=None, l1=0.0, scale="delta"):
        if scale not in ("delta", "gradient"):
            raise ValueError(f"SGD scale must be 'delta' or 'gradient', got {scale!r}")
        super().__init__(alpha, l2, n, l1)
        self.scale = scale  # the order of the same arithmetic (not saved: a loaded SGD scales the delta)

    def scale_delta(self, delta, out):
        if self.scale == "gradient":
            return delta
        return np.multiply(delta, self._alpha, out=out)

    def update(self, param, grad, state):
        """``grad`` was made from the scaled delta: it is the step itself.

        With ``scale='gradient'`` the rate multiplies the gradient instead,
        ``weights += alpha * (x.T @ delta)``: the same step in Grokking Deep Learning's order of
        floating-point operations (the walk-through's is ``x.T @ (alpha * delta)``).
        """
        if self.scale == "gradient":
            grad *= self._alpha
        param += grad


class Momentum(Optimizer):
    """``velocity = beta * velocity + gradient; weights += alpha * velocity``."""

    name = "momentum"
    settings = ("beta",)
    state_arrays = ("velocity",)

    def __init__(self, alpha, beta=0.9, l2=0.0, n=None, l1=0.0):
        super().__init__(alpha, l2, n, l1)
        self.beta = check_fraction(beta, "momentum beta")

    def update(self, param, grad, state):
        v = state.get("velocity")
        if v is None:
            v = state["velocity"] = np.zeros_like(param)
        v *= self.beta
        v += grad
        np.multiply(v, self.alpha, out=grad)
        param += grad


class Adam(Optimizer):
    """Adam (Kingma & Ba): moment estimates with bias correction."""

    name = "adam"
    settings = ("beta1", "beta2", "eps")
    state_arrays = ("m", "v")
    state_scalars = ("t",)

    def __init__(self, alpha=0.001, beta1=0.9, beta2=0.999, eps=1e-8, l2=0.0, n=None, l1=0.0):
        super().__init__(alpha, l2, n, l1)
        self.beta1, self.beta2 = check_fraction(beta1, "Adam beta1"), check_fraction(beta2, "Adam beta2")
        self.eps = check_rate(eps, "Adam eps")

    def update(self, param, grad, state):
        m = state.get("m")
        if m is None:
            m = state["m"] = np.zeros_like(param)
            state["v"] = np.zeros_like(param)
            state["t"] = 0
        v = state["v"]
        state["t"] += 1
        t = state["t"]
        m *= self.beta1
        m += np.multiply(grad, 1 - self.beta1, out=self._temporary(grad))
        v *= self.beta2
        np.multiply(grad, grad, out=grad)
        grad *= 1 - self.beta2
        v += grad
        # step = alpha_t * m / (sqrt(v) + eps_t), in place in grad
        alpha_t = self.alpha * math.sqrt(1 - self.beta2**t) / (1 - self.beta1**t)
        eps_t = self.eps * math.sqrt(1 - self.beta2**t)
        np.sqrt(v, out=grad)
        grad += eps_t
        np.divide(m, grad, out=grad)
        grad *= alpha_t
        param += grad


def get_optimizer(optimizer: str | Optimizer | float, alpha: float | None = None) -> Optimizer:
    """An optimizer from an instance, a name (with ``alpha``) or a plain number (SGD)."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str):
        try:
            cls = OPTIMIZERS[optimizer]
        except KeyError:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {sorted(OPTIMIZERS)}") from None
        return cls(alpha) if alpha is not None else cls(0.001 if cls is Adam else 0.01)
    return SGD(optimizer)


def as_optimizer(optimizer: Optimizer | float) -> Optimizer:
    """``optimizer`` if it is one; a number is the learning rate of plain SGD."""
    return optimizer if isinstance(optimizer, Optimizer) else SGD(optimizer)
