"""Population mode: many independent copies of one network, trained at once.

A small network such as streetlights spends its time in Python, not in
arithmetic: every ``train()`` and ``learn()`` is a handful of numpy calls on
3x4 matrices.  A ``Population`` trains ``P`` copies of the same architecture
side by side: the weights of connection ``k`` of all copies are stacked along a
leading axis, ``weights[k]`` of shape ``(P, n_k, n_k+1)``, so one batched matrix
product (``np.matmul`` on the stacks) does the layer step of every copy.

Every copy still follows exactly the walk-through's per-sample update, the same
one ``SimpleLayer`` does, in the same order:

    for each sample:                      (all copies see the same sample)
        neurons[k+1] = activation(neurons[k] @ weights[k])       forward, layer by layer
        delta = goal - output                                    (then error = sum(delta ** 2))
        for k from the output back:
            delta[k] = (delta[k+1] @ weights[k].T) * derivative(neurons[k])   with the old weights
            weights[k] += neurons[k].T * (alpha * delta[k+1])                 then the update

An iteration is one pass over the samples; a copy whose mean error reaches
``epsilon`` stops there (it is dropped from the stacks, so it stops changing and
costs nothing more) and its iteration count is recorded.  The copies start from
the weights of ordinary ``Network`` objects (``Population.from_networks``), so a
copy's initial weights are exactly those its own seed gives a single run.

Limits: squared error, plain SGD (a number ``alpha``), per-sample training.
The arithmetic is ``SimpleLayer``'s own: the dense sums and backward
functions and the optimizer's ``scale_delta`` and ``update`` of ``simnet.layer``
and ``simnet.optimizers``, applied to the stacks.  Each
copy's result agrees with its single ``Network.fit`` run; where numpy's batched
matmul sums in another order than the single product, the last bit of a weight
may differ, which can move a run's stopping iteration by one.
"""
from dataclasses import dataclass

import numpy as np

from ..checks import check_int
from ..history import History
from ..layer import dense_backward, dense_sums, outer
from ..losses import SquaredError
from ..optimizers import SGD


@dataclass
class PopulationResult:
    """What ``Population.fit`` found, one entry per copy (the same fields as ``FitResult``)."""

    converged: np.ndarray  # (P,) bool
    iterations: np.ndarray  # (P,) int: iterations run, the one that reached epsilon included
    error: np.ndarray  # (P,) float: mean sample error of the copy's last iteration
    curves: list  # P pairs (steps, errors): the copy's mean error per iteration, bounded like a History

    def __len__(self):
        return len(self.converged)


class Population:
    """``P`` copies of one network, their weights stacked: ``weights[k]`` is ``(P, n_k, n_k+1)``.

    ``weights[k][p]`` is copy ``p``'s ``weight_row_mat`` of layer ``k`` (input is layer 0);
    ``biases[k]`` (``(P, 1, n_k+1)``, or None) the bias of layer ``k + 1``.
    """

    def __init__(self, weights, activations, biases=None, names=None):
        weights = [np.array(w) for w in weights]  # copies: training changes them in place
        if not weights:
            raise ValueError("a population needs at least one connection")
        p = weights[0].shape[0]
        for k, w in enumerate(weights):
            if w.ndim != 3 or w.shape[0] != p:
                raise ValueError(f"weights[{k}] must have shape (P={p}, n_in, n_out), got {w.shape}")
            if k and w.shape[1] != weights[k - 1].shape[2]:
                raise ValueError(f"weights[{k}] has shape {w.shape} but weights[{k - 1}] feeds "
                                 f"{weights[k - 1].shape[2]} neurons")
        if len(activations) != len(weights):
            raise ValueError(f"need {len(weights)} activations (one per layer after the input), "
                             f"got {len(activations)}")
        if biases is None:
            biases = [None] * len(weights)
        self.weights = weights
        self.biases = [None if b is None else np.array(b) for b in biases]  # biases[k]: (P, 1, n_k+1) or None
        self.activations = list(activations)
        self.sizes = [weights[0].shape[1]] + [w.shape[2] for w in weights]
        self.names = names or [f"layer{k}" for k in range(len(self.sizes))]

    @classmethod
    def from_networks(cls, networks):
        """Stack the current weights (and biases) of ``Network`` objects of one architecture."""
        networks = list(networks)
        if not networks:
            raise ValueError("from_networks needs at least one network")
        first = networks[0]
        spec = [(la.num_neurons, str(la.activation), la.bias is not None) for la in first.layers]
        for net in networks:
            if [(la.num_neurons, str(la.activation), la.bias is not None) for la in net.layers] != spec:
                raise ValueError(f"every network of a population needs the same architecture: {net!r} differs "
                                 f"from {first!r}")
            if not isinstance(net.output.loss, SquaredError):
                raise ValueError(f"population mode trains with squared error; {net!r} uses {net.output.loss}")
        layers = first.layers
        weights = [np.stack([net.layers[k].weight_row_mat for net in networks]) for k in range(len(layers) - 1)]
        biases = [np.stack([net.layers[k].bias[None, :] for net in networks]) if layers[k].bias is not None
                  else None for k in range(1, len(layers))]
        return cls(weights, [la.activation for la in layers[1:]], biases, [la.name for la in layers])

    def __len__(self):
        return self.weights[0].shape[0]

    def __repr__(self):
        arch = " -> ".join(f"{n}[{s}]" for n, s in zip(self.names, self.sizes))
        return f"Population({len(self)} copies of {arch})"

    def fit(self, inputs, goals, alpha, epsilon=0.001, max_iter=1000, capacity=1000):
        """Train every copy per sample until its mean error is at most ``epsilon``, as ``Network.fit``.

        ``capacity`` bounds each copy's error curve the way ``Network.fit`` bounds its
        ``error/average`` history (same steps kept), so the curves of both agree.
        """
        dtype = self.weights[0].dtype
        x = np.asarray(inputs, dtype=dtype)
        y = np.asarray(goals, dtype=dtype)
        if x.ndim != 2 or x.shape[1] != self.sizes[0] or y.ndim != 2 or y.shape[1] != self.sizes[-1] \
                or len(x) != len(y) or not len(x):
            raise ValueError(f"inputs must be (samples, {self.sizes[0]}) and goals (samples, {self.sizes[-1]}) "
                             f"with as many samples; got {x.shape} and {y.shape}")
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ValueError("inputs and goals must be finite")
        optimizer = SGD(alpha)  # the walk-through's update, through the optimizer SimpleLayer.learn uses
        max_iter = check_int(max_iter, "max_iter", minimum=1)
        n_samples, size, last = len(x), len(self), len(self.weights) - 1

        converged = np.zeros(size, dtype=bool)
        iterations = np.full(size, max_iter)
        final_error = np.full(size, np.nan)
        curves = [None] * size
        history = History((size,), capacity, name="error/average")  # shared: all running copies are at one step
        mean_errors = np.zeros(size)

        running = np.arange(size)  # which copies are still training
        w = list(self.weights)  # the stacks of the running copies only
        b = list(self.biases)
        errors = np.empty((size, n_samples))
        grads = [None] * len(w)  # gradient buffers of the running copies' weights
        for it in range(max_iter):
            for i in range(n_samples):
                # forward: every layer of every copy, one batched product per layer
                neurons = [x[i:i + 1]]  # (1, n_in): the same sample for all copies
                for k in range(last + 1):
                    z = np.empty((len(running), 1, w[k].shape[2]), dtype=dtype)  # (P, 1, n_k+1)
                    dense_sums(neurons[k], w[k], b[k], z)
                    neurons.append(self.activations[k].forward(z, out=z))
                delta = y[i:i + 1] - neurons[-1]  # goal - prediction, (P, 1, n_out)
                errors[:len(running), i] = np.sum(delta * delta, axis=-1)[:, 0]
                delta = self.activations[last].backprop(delta, neurons[-1], out=delta)
                # backward: the source's delta with the old weights, then the update
                for k in range(last, -1, -1):
                    source_delta = None
                    if k > 0:  # SimpleLayer.pass_delta
                        source_delta = np.empty(delta.shape[:-1] + (w[k].shape[1],), dtype=dtype)
                        dense_backward(delta, w[k], source_delta)
                        self.activations[k - 1].backprop(source_delta, neurons[k], out=source_delta)
                    # SimpleLayer.update: the optimizer scales the delta, the gradient is the outer
                    # product (P, n_k, 1) * (P, 1, n_k+1), the optimizer applies it
                    scaled = optimizer.scale_delta(delta, np.empty_like(delta))
                    if grads[k] is None or grads[k].shape != w[k].shape:
                        grads[k] = np.empty_like(w[k])
                    optimizer.decay(w[k])  # L2 weight decay, as SimpleLayer.update (none for plain SGD)
                    optimizer.update(w[k], outer(neurons[k], scaled, grads[k]), None)
                    if b[k] is not None:
                        optimizer.update(b[k], scaled, None)  # one sample: the bias gradient is the delta
                    delta = source_delta
            error = errors[:len(running)].mean(axis=1)
            mean_errors[running] = error
            history.offer(it, mean_errors)
            stop = error <= epsilon
            if it == max_iter - 1:
                stop[:] = True
            if stop.any():
                self._retire(running[stop], w, b, stop, history, it, error[stop], curves)
                converged[running[stop]] = error[stop] <= epsilon
                iterations[running[stop]] = it + 1
                final_error[running[stop]] = error[stop]
                keep = ~stop
                running = running[keep]
                w = [wk[keep] for wk in w]
                b = [None if bk is None else bk[keep] for bk in b]
                if not len(running):
                    break
        return PopulationResult(converged, iterations, final_error, curves)

    def _retire(self, copies, w, b, stop, history, it, error, curves):
        """Copies that stop: keep their final weights and their error curve."""
        for k in range(len(w)):
            self.weights[k][copies] = w[k][stop]
            if b[k] is not None:
                self.biases[k][copies] = b[k][stop]
        steps = history.steps.copy()
        values = history.values
        final = steps[-1] != it  # off the thinned stride: keep the last iteration too, as History.close does
        for j, copy in enumerate(copies):
            v = values[:, copy]
            if final:
                curves[copy] = (np.append(steps, it), np.append(v, error[j]))
            else:
                curves[copy] = (steps, v.copy())
