"""``MaxPool2D``: max pooling over windows of neuron maps."""
import numpy as np

from ..checks import check_pair
from ..activations import ReLU
from .base import MapLayer, describe_shape
from .split import over_batch


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
        self._cache = None  # the pair maxima or window planes of the last training forward step (tiled windows)
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

    def _tiled(self):
        """True when the windows tile the maps exactly: every input neuron in exactly one window."""
        (ph, pw), (sh, sw) = self.pool_size, self.stride
        _, h, w = self.input_shape
        _, ho, wo = self.shape
        return (sh, sw) == (ph, pw) and h == ho * ph and w == wo * pw

    def _planes(self, maps, training):
        """Tiled windows: ``maps`` copied once into its window planes, ``(ph, pw, batch * C * H_out, W_out)``.

        Plane ``(u, v)`` holds element ``(u, v)`` of every window, contiguous, so the
        maximum and the first-maximum search are whole-array operations."""
        planes = self._plane_buffer(len(maps), training)
        over_batch(lambda s, e: self._planes_part(maps, planes, s, e), planes.shape[2])
        return planes

    def _plane_buffer(self, batch, training):
        (ph, pw) = self.pool_size
        c, ho, wo = self.shape
        return self._buffer("planes", (ph, pw, batch * c * ho, wo), training)

    def _planes_part(self, maps, planes, start, stop):
        """Rows ``start:stop`` (one row: a window row of one map of one sample) of the window planes."""
        (ph, pw) = self.pool_size
        wo = self.shape[2]
        rows = maps.reshape(-1, ph, wo, pw)[start:stop]
        np.copyto(planes[:, :, start:stop], rows.transpose(1, 3, 0, 2))

    def _forward(self, x, z, training):
        b = len(x)
        out = z.reshape(b, *self.shape)
        if self._tiled() and self.pool_size == (2, 2):
            self._forward_pairs(x, out, training)
            return
        if self._tiled():
            planes = self._plane_buffer(b, training)
            out = out.reshape(-1, self.shape[2])
            flat = planes.reshape(-1, *planes.shape[2:])  # the planes in window order

            def part(s, e):  # window rows s:e, split over threads
                self._planes_part(x, planes, s, e)
                o = out[s:e]
                if len(flat) == 1:
                    np.copyto(o, flat[0, s:e])
                    return
                np.maximum(flat[0, s:e], flat[1, s:e], out=o)
                for plane in flat[2:]:
                    np.maximum(o, plane[s:e], out=o)

            over_batch(part, len(out))
            if training:
                self._cache = planes  # learn() finds the first maxima from it
            return
        views = self._windows(x.reshape(b, *self.input_shape))
        np.copyto(out, views[0])
        for view in views[1:]:
            np.maximum(out, view, out=out)

    def _forward_pairs(self, x, out, training):
        """2x2 windows side by side (the common case): the larger of each horizontal pair, then of the two rows.

        Both are whole-array maxima over long runs (a horizontal pair is two neighbours in
        memory), with no copy of the input; the pair maxima are kept for learn()."""
        c, ho, wo = self.shape
        rows = len(x) * c * ho
        pairs = x.reshape(rows, 2, wo, 2)  # window row r: two input rows, each wo pairs
        across = self._buffer("across", (rows, 2, wo), training)  # the larger of each pair
        out = out.reshape(rows, wo)

        def part(s, e):  # window rows s:e, split over threads
            p, a = pairs[s:e], across[s:e]
            np.maximum(p[..., 0], p[..., 1], out=a)
            np.maximum(a[:, 0], a[:, 1], out=out[s:e])

        over_batch(part, rows)
        if training:
            self._cache = across

    def _backward_pairs(self, d, sd):
        """Route each 2x2 window's delta to its first maximum (row by row, left to right), in two steps:
        to the upper or lower row (the lower only where its pair maximum is larger), then within that
        row to the left or right neighbour (the right only where it is larger).  Over a ReLU source
        a window whose maximum is not positive sends nothing (its derivative folded in)."""
        c, ho, wo = self.shape
        rows = len(d) * c * ho
        pairs = self.source.neuron_row_array.reshape(rows, 2, wo, 2)
        across = self._cache
        if across is None or across.shape != (rows, 2, wo):  # no training forward step of this batch
            across = np.maximum(pairs[..., 0], pairs[..., 1])
        maxima = self.neuron_row_array.reshape(rows, wo)
        dd = d.reshape(rows, wo)
        out = sd.reshape(rows, 2, wo, 2)
        relu = type(self.source.activation) is ReLU
        # masks as numbers, 1 where a neighbour wins (a product of one type needs no cast buffer); the winner
        # gets delta * mask and the other delta - that, which is exactly the delta or 0
        lower, lower_f = self._buffer("lower", (rows, wo), dtype=bool), self._buffer("lower_f", (rows, wo))
        sent = self._buffer("sent", (rows, wo))
        right, right_f = self._buffer("right", (rows, 2, wo), dtype=bool), self._buffer("right_f", (rows, 2, wo))
        per_row = self._buffer("per_row", (rows, 2, wo))

        def part(s, e):  # window rows s:e, split over threads
            g = dd[s:e]
            if relu:
                np.greater(maxima[s:e], 0, out=lower[s:e])  # (the window's maximum is positive; reused below)
                np.copyto(sent[s:e], lower[s:e])
                g = np.multiply(g, sent[s:e], out=sent[s:e])
            a, h, low = across[s:e], per_row[s:e], lower_f[s:e]
            np.greater(a[:, 1], a[:, 0], out=lower[s:e])  # ties stay in the upper row
            np.copyto(low, lower[s:e])
            np.multiply(g, low, out=h[:, 1])
            np.subtract(g, h[:, 1], out=h[:, 0])
            p, o, r = pairs[s:e], out[s:e], right_f[s:e]
            np.greater(p[..., 1], p[..., 0], out=right[s:e])  # ties stay on the left
            np.copyto(r, right[s:e])
            np.multiply(h, r, out=o[..., 1])
            np.subtract(h, o[..., 1], out=o[..., 0])

        over_batch(part, rows)
        return relu

    def _backward(self, d, sd):
        """Each window's delta goes to its first maximum (the argmax mask), the others get 0.

        The mask is found from the neurons themselves: window element k is the
        argmax where it equals the window's maximum and no earlier element did.
        A ReLU source's derivative is folded in (returns True: ``pass_delta`` skips
        it): a window whose maximum is not positive sends nothing, and its first
        maximum, where the derivative is 1 otherwise, gets the delta.
        """
        if self._tiled() and self.pool_size == (2, 2):
            return self._backward_pairs(d, sd)
        if self._tiled():
            return self._backward_tiled(d, sd)
        b = len(d)
        dmaps = d.reshape(b, *self.shape)
        out = sd.reshape(b, *self.input_shape)
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
            back += dmaps * hit
        return False

    def _backward_tiled(self, d, sd):
        b = len(d)
        (ph, pw) = self.pool_size
        c, ho, wo = self.shape
        rows = b * c * ho
        planes = self._cache
        if planes is None or planes.shape[2] != rows:  # no training forward step of this batch: from the neurons
            planes = self._planes(self.source.neuron_maps, True)
        maxima = self.neuron_row_array.reshape(rows, wo)
        dd = d.reshape(rows, wo)
        out = sd.reshape(rows, ph, wo, pw)
        hit = self._buffer("hit", (rows, wo), dtype=bool)
        taken = self._buffer("taken", (rows, wo), dtype=bool)
        ones = self._buffer("first", (rows, wo))  # the mask as numbers: a product of one type needs no cast buffer
        relu = type(self.source.activation) is ReLU
        last = ph * pw - 1

        def part(s, e):  # window rows s:e, split over threads
            h, t, m, f = hit[s:e], taken[s:e], maxima[s:e], ones[s:e]
            if relu:
                np.less_equal(m, 0, out=t)  # windows whose maximum is not positive: derivative 0
            for k in range(ph * pw):
                u, v = divmod(k, pw)
                np.equal(planes[u, v, s:e], m, out=h)
                if k or relu:
                    np.greater(h, t, out=h)  # hit and not taken: the first maximum wins ties
                    if k < last:
                        np.logical_or(t, h, out=t)
                elif k < last:
                    np.copyto(t, h)
                np.copyto(f, h)
                np.multiply(dd[s:e], f, out=out[s:e, u, :, v])

        over_batch(part, rows)
        return relu

    def config(self):
        return {**super().config(), "pool_size": list(self.pool_size), "stride": list(self.stride)}
