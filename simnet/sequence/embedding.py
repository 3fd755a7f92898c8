"""``Embedding``: a layer that looks up rows.

Its source holds one word (or any token) per row as a one-hot vector of ``V`` neurons and owns the
weights ``(V, n)`` of the connection, like any source: row ``w`` is the embedding of token ``w``.
A dense layer would compute ``one_hot @ weights``; the embedding looks that row up (the same
numbers, without the product), and its weight gradient adds each row's delta to the row it
looked up (``source.neuron_col_array @ delta``, without the product).
"""
import numpy as np

from ..layer import SimpleLayer


class Embedding(SimpleLayer):
    """``num_neurons`` neurons per row: the row of its source's weights that the row's one-hot input picks."""

    kind = "embedding"

    def __init__(self, name, num_neurons, target=None, init="uniform", rng=None, dtype=np.float64):
        super().__init__(name, num_neurons, target=target, activation=None, init=init, rng=rng, dtype=dtype)
        self.indices = None  # the rows looked up by the last training forward step

    def _forward(self, x, z, training):
        idx = x.argmax(axis=1)
        if training:
            hot = x[np.arange(len(x)), idx]
            if not (np.all(hot == 1) and np.count_nonzero(x) == len(x)):
                bad = int(np.flatnonzero((hot != 1) | (np.count_nonzero(x, axis=1) != 1))[0])
                raise ValueError(f"embedding {self.name!r}: its source {self.source.name!r} must hold one-hot rows "
                                 f"(one 1 per row); row {bad} is not")
            self.indices = idx
        np.take(self.source._weights, idx, axis=0, out=z)

    def _check_cache(self, batch):
        if self.indices is None or len(self.indices) != batch:
            raise ValueError(f"embedding {self.name!r}: learn() needs the forward step train() of this batch "
                             f"({batch} rows) first")

    def _weight_gradient(self, x, d, out):
        out[...] = 0
        np.add.at(out, self.indices, d)

    def describe(self):
        return f"{self.num_neurons} neurons, the looked-up rows of {self.source.name if self.source else '?'}"

    def __repr__(self):
        src = self.source.name if self.source else None
        tgt = self.target.name if self.target else None
        return f"Embedding({self.name!r}, {self.num_neurons}, source={src!r}, target={tgt!r})"
