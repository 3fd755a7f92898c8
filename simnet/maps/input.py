"""``MapInput``: the input layer of a network of maps (images)."""
import numpy as np

from ..checks import as_numbers
from .base import MapLayer, describe_shape


class MapInput(MapLayer):
    """The input layer of a network of maps: images of ``shape`` ``(channels, height, width)``.

    ``set_neurons`` takes ``(channels, height, width)``, ``(batch, channels, height, width)``
    or the row form ``(batch, channels * height * width)``.
    """

    kind = "map input"

    def __init__(self, name, shape, *, target=None, init="he", rng=None, dtype=np.float32):
        super().__init__(name, input_shape=shape, target=target, init=init, rng=rng, dtype=dtype)

    def _connection_shape(self, source):
        raise ValueError(f"map input {self.name!r} is an input layer: {source.name!r} cannot feed it")

    def set_neurons(self, values):
        """Load images: ``shape``, ``(batch, *shape)``, ``(n,)`` or ``(batch, n)``."""
        a = as_numbers(values, self.dtype, f"layer {self.name!r}: set_neurons values")
        if a.shape == self.shape:
            a = a[None]
        if a.ndim == len(self.shape) + 1 and a.shape[1:] == self.shape and len(a):
            a = a.reshape(len(a), -1)
        elif a.ndim > 2:
            raise ValueError(f"map input {self.name!r} takes images {self.shape}: set_neurons got shape "
                             f"{np.shape(values)} (expected {self.shape}, (batch, *{self.shape}), "
                             f"({self.num_neurons},) or (batch, {self.num_neurons}))")
        super().set_neurons(a)

    def _load(self, a, rows=None):
        if a.ndim > 2:
            a = a.reshape(len(a), -1)
        super()._load(a, rows)

    def describe(self):
        return f"images {describe_shape(self.shape)}"

    def config(self):
        return {"name": self.name, "shape": list(self.shape), "dtype": str(self.dtype)}
