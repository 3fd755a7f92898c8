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
    """

    kind = "dropout"

    def __init__(self, name, rate=0.5, *, source=None, input_shape=None, target=None, init="he", rng=None,
                 dtype=np.float32):
        self.rate = check_fraction(rate, f"dropout {name!r}: rate")
        self.rng = check_rng(rng, f"dropout {name!r}: rng") if rng is not None else np.random.default_rng()
        self.fixed_mask = None
        self.mask = None
        super().__init__(name, source=source, input_shape=input_shape, target=target, init=init, rng=rng,
                         dtype=dtype)

    def describe(self):
        return f"rate {self.rate:g}"

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
        np.multiply(d, self.mask, out=sd)

    def config(self):
        return {**super().config(), "rate": self.rate, "rng_state": self.rng.bit_generator.state}
