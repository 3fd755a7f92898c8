"""``Flatten``: maps as one flat row of neurons, to feed a dense layer."""
import numpy as np

from .base import MapLayer, describe_shape


class Flatten(MapLayer):
    """Maps ``(channels, height, width)`` as one flat row of ``channels * height * width`` neurons.

    The row form of maps is already flat, so the neurons are copied as they are
    (channel by channel, row by row).  A dense ``SimpleLayer`` after it is fed by
    weights ``Flatten`` owns, ``(channels * height * width, n_dense)``.
    """

    kind = "flatten"

    def _output_shape(self, in_shape, name, where):
        return (int(np.prod(in_shape)),)

    def describe(self):
        return f"{describe_shape(self.input_shape)} as one row"

    def _forward(self, x, z, training):
        np.copyto(z, x)

    def _backward(self, d, sd):
        np.copyto(sd, d)
