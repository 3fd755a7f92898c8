"""``Dropout``: neurons zeroed at random while training, passed through at inference."""
import numpy as np

from ..checks import check_fraction, check_rng
from .base import MapLayer


class Dropout(MapLayer):
    """Dropout: in training, each neuron is zeroed with probability ``rate``, the others scaled by ``1 / (1 - rate)``.

    Inverted scaling, so nothing changes at inference (``infer``, as in
    ``Network.predict``), where it passes its input through unchanged.
    The mask is drawn from ``rng`` (a ``numpy.random.Generator``); ``mask`` is the
    last one used, scaled.  Set ``fixed_mask`` (0/1, ``(batch, n)`` or ``(n,)``) to
    use that mask instead of drawing one (for tests and demonstrations).
    Works on maps and on flat layers alike.

    Two named choices change the backward step, both for reproducing Grokking Deep Learning's
    printed numbers (chapters 8-10), whose code writes ``layer_1_delta = layer_2_delta.dot(W.T) *
    deriv(layer_1); layer_1_delta *= dropout_mask`` after ``layer_1 *= dropout_mask * 2``:

    - ``delta_mask``: ``'scaled'`` (default) passes the delta through the scaled mask (the
      gradient of ``x * mask / (1 - rate)``); ``'unscaled'`` through the 0/1 mask only, as the book.
    - ``derivative_on``: ``'source'`` (default) leaves the source's derivative to be taken on its
      own neurons; ``'dropped'`` takes it here, on the dropped-out values (this layer's neurons),
      as the book's ``tanh2deriv(layer_1)`` after ``layer_1 *= dropout_mask * 2`` does.
    """

    kind = "dropout"

    def __init__(self, name, rate=0.5, *, source=None, input_shape=None, target=None, init="he", rng=None,
                 dtype=np.float32, delta_mask="scaled", derivative_on="source"):
        if delta_mask not in ("scaled", "unscaled"):
            raise ValueError(f"dropout {name!r}: delta_mask must be 'scaled' or 'unscaled', got {delta_mask!r}")
        if derivative_on not in ("source", "dropped"):
            raise ValueError(f"dropout {name!r}: derivative_on must be 'source' or 'dropped', got {derivative_on!r}")
        self.delta_mask, self.derivative_on = delta_mask, derivative_on
        self.rate = check_fraction(rate, f"dropout {name!r}: rate")
        self.rng = check_rng(rng, f"dropout {name!r}: rng") if rng is not None else np.random.default_rng()
        self.fixed_mask = None
        self.mask = None
        super().__init__(name, source=source, input_shape=input_shape, target=target, init=init, rng=rng,
                         dtype=dtype)

    def _forward(self, x, z, training):
        if not training:
            np.copyto(z, x)
            return
        scale = self.dtype.type(1 / (1 - self.rate))
        if self.fixed_mask is not None:
            keep = np.broadcast_to(np.asarray(self.fixed_mask) != 0, x.shape)
        else:
            keep = self._buffer("keep", x.shape, dtype=bool)
            draw = self.rng.random(out=self._buffer("draw", x.shape), dtype=self.dtype)  # the same numbers, reused
            np.greater_equal(draw, self.rate, out=keep)
        self.mask = self._buffer("mask", x.shape)
        np.multiply(keep, scale, out=self.mask)
        np.multiply(x, self.mask, out=z)

    def _check_cache(self, batch):
        if self.mask is None or len(self.mask) != batch:
            raise ValueError(f"dropout {self.name!r}: learn() needs the forward step train() of this batch "
                             f"(a batch of {batch}) in training mode first")

    def _backward(self, d, sd):
        if self.derivative_on == "dropped":  # the book's order: (delta * derivative(dropped values)) * mask
            self.source.activation.backprop(d, self.neuron_row_array, out=sd)
            d = sd
        if self.delta_mask == "unscaled":
            np.multiply(d, self.mask != 0, out=sd)
        else:
            np.multiply(d, self.mask, out=sd)
        return self.derivative_on == "dropped"  # True: the source's derivative is applied already

    def describe(self):
        extra = "".join(f", {k} {v!r}" for k, v, default in (("delta_mask", self.delta_mask, "scaled"),
                                                               ("derivative_on", self.derivative_on, "source"))
                        if v != default)
        return f"rate {self.rate:g}{extra}"

    def config(self):
        cfg = {**super().config(), "rate": self.rate, "rng_state": self.rng.bit_generator.state}
        if self.delta_mask != "scaled":
            cfg["delta_mask"] = self.delta_mask
        if self.derivative_on != "source":
            cfg["derivative_on"] = self.derivative_on
        return cfg
