"""``MaxPool2D``: max pooling over windows of neuron maps."""
import numpy as np

from ..checks import check_pair
from .base import MapLayer, describe_shape


class MaxPool2D(MapLayer):
    """Max pooling: each output neuron is the largest of a ``pool_size`` window of its map.

    ``stride`` defaults to the pool size (windows side by side); rows and
    columns left over at the edge are dropped, as in Keras.
    """

    kind = "max pooling"

    def __init__(self, name, pool_size=2, stride=None, *, source=None, input_shape=None, target=None, init="he",
                 rng=None, dtype=np.float32):
        self.pool_size = check_pair(pool_size, f"layer {name!r}: pool_size")
        self.stride = self.pool_size if stride is None else check_pair(stride, f"layer {name!r}: stride")
        super().__init__(name, source=source, input_shape=input_shape, target=target, init=init, rng=rng,
                         dtype=dtype)

    def _output_shape(self, in_shape, name, where):
        c, h, w = self._maps_only(self.kind, in_shape, name, where)
        (ph, pw), (sh, sw) = self.pool_size, self.stride
        if ph > h or pw > w:
            raise ValueError(f"max pooling {name!r}: its {ph}x{pw} window is larger than the {h}x{w} maps "
                             f"{where} gives ({describe_shape(in_shape)})")
        return (c, (h - ph) // sh + 1, (w - pw) // sw + 1)

    def describe(self):
        (ph, pw), (sh, sw) = self.pool_size, self.stride
        return f"{ph}x{pw} windows, stride {sh}" + ("" if sh == sw else f"x{sw}")

    def _windows(self, maps):
        """For each window offset, the strided view of ``maps`` holding that element of every window."""
        (ph, pw), (sh, sw) = self.pool_size, self.stride
        _, ho, wo = self.shape
        return [maps[:, :, u:u + sh * (ho - 1) + 1:sh, v:v + sw * (wo - 1) + 1:sw]
                for u in range(ph) for v in range(pw)]

    def _forward(self, x, z, training):
        b = len(x)
        views = self._windows(x.reshape(b, *self.input_shape))
        out = z.reshape(b, *self.shape)
        np.copyto(out, views[0])
        for view in views[1:]:
            np.maximum(out, view, out=out)

    def _backward(self, d, sd):
        """Each window's delta goes to its first maximum (the argmax mask), the others get 0.

        The mask is found from the neurons themselves: window element k is the
        argmax where it equals the window's maximum and no earlier element did.
        """
        b = len(d)
        dmaps = d.reshape(b, *self.shape)
        out = sd.reshape(b, *self.input_shape)
        (ph, pw), (sh, sw) = self.pool_size, self.stride
        _, h, w = self.input_shape
        _, ho, wo = self.shape
        tiled = (sh, sw) == (ph, pw) and h == ho * ph and w == wo * pw  # every input neuron in one window
        if not tiled:
            out[...] = 0
        maxima = self.neuron_maps
        hit = self._buffer("hit", dmaps.shape, dtype=bool)
        taken = self._buffer("taken", dmaps.shape, dtype=bool)
        inputs = self._windows(self.source.neuron_maps)
        for k, (view, back) in enumerate(zip(inputs, self._windows(out))):
            np.equal(view, maxima, out=hit)
            if k:
                np.greater(hit, taken, out=hit)  # hit and not taken: the first maximum wins ties
                taken |= hit
            else:
                taken[...] = hit
            if tiled:
                np.multiply(dmaps, hit, out=back)
            else:
                back += dmaps * hit

    def config(self):
        return {**super().config(), "pool_size": list(self.pool_size), "stride": list(self.stride)}
