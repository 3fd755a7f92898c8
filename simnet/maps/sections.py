"""``Conv2DSections``: a convolution computed as Grokking Deep Learning's chapter 10 writes it.

Every ``kh x kw`` section of the image becomes one row (``flattened_input``, ``(batch * P, C * kh * kw)``,
sections in order row by row), one product with the kernels ``(C * kh * kw, filters)`` gives every
position's filters, and the neurons are that product's rows laid end to end: neuron ``p * filters + f``
is filter ``f`` at position ``p`` (position-major, where ``Conv2D`` is filter-major).  The kernels are
owned by the source, as ``Conv2D``'s are (``source.weight_row_mat``, the same im2col layout).

Two named choices reproduce the book's code:

- ``positions``: ``'valid'`` (default) every position a valid convolution has, ``(H - kh + 1) x (W - kw + 1)``;
  ``'book'`` the book's ``range(28 - 3)`` in each direction, ``(H - kh) x (W - kw)`` = 625 for MNIST: the
  last row and column of positions are never computed.
- ``kernel_update``: ``'gradient'`` (default) changes the kernels like any weights; ``'book'`` with the
  opposite sign (``kernels -= alpha * update`` while the output weights get ``+=``).
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..checks import check_pair, check_positive_int
from .base import MapLayer


class Conv2DSections(MapLayer):
    """``filters`` kernels of ``kernel_size`` over image sections, neurons position-major (see the module docstring)."""

    kind = "convolution (image sections)"
    takes_activation = True

    def __init__(self, name, filters, kernel_size, activation=None, positions="valid", kernel_update="gradient", *,
                 source=None, input_shape=None, target=None, init="uniform", rng=None, dtype=np.float64):
        self.filters = check_positive_int(filters, f"layer {name!r}: filters")
        self.kernel_size = check_pair(kernel_size, f"layer {name!r}: kernel_size")
        if positions not in ("valid", "book"):
            raise ValueError(f"layer {name!r}: positions must be 'valid' or 'book', got {positions!r}")
        if kernel_update not in ("gradient", "book"):
            raise ValueError(f"layer {name!r}: kernel_update must be 'gradient' or 'book', got {kernel_update!r}")
        self.positions, self.kernel_update = positions, kernel_update
        self._flat = None
        super().__init__(name, source=source, input_shape=input_shape, target=target, activation=activation,
                         init=init, rng=rng, dtype=dtype)

    def _grid(self, in_shape):
        _, h, w = in_shape
        kh, kw = self.kernel_size
        extra = 0 if self.positions == "book" else 1
        return h - kh + extra, w - kw + extra

    def _output_shape(self, in_shape, name, where):
        self._maps_only(self.kind, in_shape, name, where)
        ph, pw = self._grid(in_shape)
        if ph < 1 or pw < 1:
            raise ValueError(f"layer {name!r}: its {self.kernel_size} kernel leaves no positions in the maps {where} "
                             f"gives {in_shape}")
        return (ph * pw * self.filters,)

    def _weight_shape(self, source):
        kh, kw = self.kernel_size
        return (self.input_shape[0] * kh * kw, self.filters)

    @property
    def num_positions(self):
        ph, pw = self._grid(self.input_shape)
        return ph * pw

    def describe(self):
        (kh, kw), p = self.kernel_size, self.num_positions
        quirks = "".join(f", {k} {v!r}" for k, v in (("positions", self.positions), ("kernel_update",
                                                                                    self.kernel_update))
                         if v == "book")
        return f"{self.filters} kernels {kh}x{kw} at {p} positions, {self.activation}{quirks}"

    def sections(self, x):
        """``(batch * P, C * kh * kw)``: every image section as a row, row by row (the book's ``flattened_input``)."""
        b = len(x)
        c, h, w = self.input_shape
        kh, kw = self.kernel_size
        ph, pw = self._grid(self.input_shape)
        windows = sliding_window_view(x.reshape(b, c, h, w), (kh, kw), axis=(2, 3))[:, :, :ph, :pw]
        return np.ascontiguousarray(windows.transpose(0, 2, 3, 1, 4, 5)).reshape(b * ph * pw, c * kh * kw)

    def _forward(self, x, z, training):
        flat = self.sections(x)
        out = z.reshape(len(flat), self.filters)
        if training:  # the book's product, flattened_input.dot(kernels), to the last bit
            self._flat = flat
            np.dot(flat, self.source._weights, out=out)
        else:  # the same sums, computed as (filters, K) @ (K, rows): several times faster for K = 9
            out[...] = (self.source._weights.T @ flat.T).T

    def _check_cache(self, batch):
        if self._flat is None or len(self._flat) != batch * self.num_positions:
            raise ValueError(f"layer {self.name!r}: learn() needs the forward step train() of this batch "
                             f"({batch} samples) first")

    def _weight_gradient(self, x, d, out):
        np.dot(self._flat.T, d.reshape(len(self._flat), self.filters), out=out)
        if self.kernel_update == "book":
            np.negative(out, out=out)

    def _backward(self, d, sd):
        b = len(d)
        c, h, w = self.input_shape
        kh, kw = self.kernel_size
        ph, pw = self._grid(self.input_shape)
        back = (d.reshape(b * ph * pw, self.filters) @ self.source._weights.T).reshape(b, ph, pw, c, kh, kw)
        maps = sd.reshape(b, c, h, w)
        maps[...] = 0
        for u in range(kh):
            for v in range(kw):
                maps[:, :, u:u + ph, v:v + pw] += back[:, :, :, :, u, v].transpose(0, 3, 1, 2)

    def config(self):
        return {**super().config(), "filters": self.filters, "kernel_size": list(self.kernel_size),
                "positions": self.positions, "kernel_update": self.kernel_update}
