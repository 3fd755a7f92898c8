"""What the network learns: a binary task (labels +1 / -1), a multiclass task, or regression.

- **binary** (Playground's classification): one output neuron, tanh, squared error, goal +1 / -1;
- **regression** (Playground's plane and multigauss): one linear output neuron, squared error;
- **multiclass** (past Playground, from a CSV): one softmax output neuron per class, cross-entropy,
  goal one-hot.

``loss`` is the number Playground shows as "Training loss" and "Test loss": the mean over the
points of ``1/2 (output - label)^2`` (its ``Errors.SQUARE``); for several classes the mean
cross-entropy.  ``Network.build`` makes the network with Playground's initial state: weights
uniform in [-0.5, 0.5] and every bias 0.1 (its ``nn.ts``).
"""
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..network import Network

KINDS = ("binary", "multiclass", "regression")


@dataclass
class Task:
    """The kind of task, and for ``multiclass`` the class names in output order."""

    kind: str
    classes: list = field(default_factory=list)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"task kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "multiclass" and len(self.classes) < 2:
            raise ValueError(f"a multiclass task needs at least 2 classes, got {self.classes}")

    @property
    def outputs(self):
        return len(self.classes) if self.kind == "multiclass" else 1

    @property
    def output_activation(self):
        return {"binary": "tanh", "regression": "linear", "multiclass": "softmax"}[self.kind]

    @property
    def loss_name(self):
        return "cross_entropy" if self.kind == "multiclass" else "squared_error"

    def goals(self, labels):
        """The output layer's goals for ``labels`` (n,): (n, 1) numbers, or (n, k) one-hot class indices."""
        labels = np.asarray(labels)
        if self.kind == "multiclass":
            return np.eye(len(self.classes))[labels.astype(np.int64)]
        return labels.astype(np.float64).reshape(-1, 1)

    def loss(self, outputs, labels):
        """Playground's loss: mean ``1/2 (output - label)^2``; multiclass: mean cross-entropy."""
        if self.kind == "multiclass":
            p = outputs[np.arange(len(outputs)), np.asarray(labels, dtype=np.int64)]
            return float(-np.mean(np.log(np.maximum(p, np.finfo(np.float64).tiny))))
        d = outputs[:, 0] - np.asarray(labels, dtype=np.float64)
        return float(np.mean(0.5 * d * d))

    def accuracy(self, outputs, labels):
        """Fraction right (classification): the sign of the output, or the largest output; None for regression."""
        if self.kind == "regression":
            return None
        if self.kind == "multiclass":
            return float(np.mean(outputs.argmax(axis=1) == np.asarray(labels, dtype=np.int64)))
        return float(np.mean(np.where(outputs[:, 0] >= 0, 1.0, -1.0) == labels))

    def describe(self):
        if self.kind == "multiclass":
            return f"{len(self.classes)} classes ({', '.join(map(str, self.classes))}): softmax outputs, cross-entropy"
        if self.kind == "binary":
            return "two classes (+1 / -1): one tanh output, squared error"
        return "regression: one linear output, squared error"


def build_network(n_inputs: int, hidden: Sequence[int], activation: str, task: Task, seed: int | None = 0) -> Network:
    """Input (one neuron per feature) -> ``hidden`` layers of ``activation`` -> the task's output.

    Playground's initial state: weights uniform in [-0.5, 0.5] (``Math.random() - 0.5``), every
    bias 0.1; drawn from a generator seeded with ``seed``.  Layers are named ``input``,
    ``hidden1`` ... (``hidden`` when there is one) and ``output``.
    """
    sizes = [n_inputs, *hidden, task.outputs]
    network = Network.build(sizes, activations=[activation] * len(hidden) + [task.output_activation],
                            bias=True, init="uniform", seed=seed, loss=task.loss_name)
    for layer in network.layers:
        if layer.weight_row_mat is not None:
            layer.weight_row_mat = layer.weight_row_mat * 0.5  # 2u - 1 -> u - 0.5
        if layer.bias is not None:
            layer.bias[...] = 0.1
    return network


def network_from_history(histories, info, step=None):
    """The playground network of a recorded run and its ``Task``: the structure from ``info['network']`` and
    ``info['playground']``, the weights and biases of the last snapshot of the ``<layer>/weights`` and
    ``<layer>/bias`` histories (``step``: of that step, see ``set_weights_at``)."""
    pg, layers = info["playground"], info["network"]["layers"]
    task = Task(pg["task"], pg.get("classes") or [])
    hidden = [la["num_neurons"] for la in layers[1:-1]]
    activation = layers[1]["activation"] if hidden else "tanh"
    network = build_network(layers[0]["num_neurons"], hidden, activation, task)
    steps = full_weight_steps(network, histories)
    if not steps:
        raise ValueError("the history holds no full snapshot of every connection's weights")
    set_weights_at(network, histories, steps[-1] if step is None else step)
    return network, task


def full_weight_steps(network, histories):
    """The steps at which every connection's weights were recorded in full (``record_all``: all of them;
    ``record_summaries``: a few), in order."""
    sets = []
    for layer in network.layers:
        if layer.weight_row_mat is None:
            continue
        h = histories.get(f"{layer.name}/weights")
        if h is None or not len(h) or tuple(h.shape) != layer.weight_row_mat.shape:
            return []
        sets.append({int(s) for s in h.steps})
    return sorted(set.intersection(*sets)) if sets else []


def set_weights_at(network, histories, step):
    """Set ``network``'s weights to their snapshot of ``step`` (one of ``full_weight_steps``) and its biases to
    their latest snapshot at or before it."""
    for layer in network.layers:
        if layer.weight_row_mat is not None:
            h = histories[f"{layer.name}/weights"]
            layer.weight_row_mat = h.values[int(np.flatnonzero(h.steps == step)[0])]
        b = histories.get(f"{layer.name}/bias")
        if layer.bias is not None and b is not None and len(b):
            k = int(np.searchsorted(b.steps, step, side="right")) - 1
            layer.bias[...] = b.values[max(k, 0)]
