"""``Recurrent``: a layer whose neurons feed back into themselves, unrolled over a sequence.

The rows of a recurrent layer's neurons are the *time steps* of one sequence (where a dense
layer's rows are the samples of a batch): ``neuron_row_array`` is ``(T, n)``, the neurons at each
step, and every other layer in the chain sees T rows as it would see a batch of T.

The recurrence.  The layer keeps the states ``s_0 .. s_T`` (``states``, ``(T + 1, n)``) of one
forward step::

    s_0 = activation(start)                           start: (n,), learned, an input sum
    s_k = activation(s_{k-1} @ recurrent_row_mat + x_{k-1} @ W + bias)      k = 1 .. T

``x`` are the source's neurons (row k - 1 is the input of step k), ``W`` the weights the source
owns for this connection (``source.weight_row_mat``, ``(n_source, n)``; with
``input_weights=False`` there are none and ``x`` is added as it is, so the source must have ``n``
neurons).  ``recurrent_row_mat`` ``(n, n)`` is owned by the layer itself: row i is what neuron i
sends to every neuron at the next step (``recurrent_col_mat`` is its transpose, a view).

What the layer shows: ``emit='after'`` (default, PyTorch's ``nn.RNN`` output) makes row t the
state after step t + 1 (``s_1 .. s_T``); ``emit='before'`` row t the state step t + 1 starts from
(``s_0 .. s_{T-1}``): what has been read so far, before the word at row t (Grokking Deep
Learning's chapter 12 predicts each word from it).

Learning: backpropagation through time, inside the one backward step every layer kind has.
``learn()`` first completes the delta (``_complete_delta``): the target gave each emitted state
its own share (``delta``, times the derivative); carried back step by step,
``step_delta[k] = own[k] + (step_delta[k+1] @ recurrent_col_mat) * derivative(s_k)``, the
direction that moves the input sum of state k.  Then the two steps: ``pass_delta`` gives the
source row k - 1 the delta of step k (through ``W``), and ``update`` changes ``W``, the bias,
``recurrent_row_mat`` (``sum_k s_{k-1}^T step_delta[k]``) and ``start`` (``step_delta[0]``),
each through the optimizer.  ``state_gradients[k] = step_delta[k + 1] @ recurrent_col_mat`` is the
gradient that reaches state k from all later steps: its size per step is how gradients vanish or
explode (chapter 14).

``gradients='book'`` is chapter 12's code as printed: the recurrent matrix and ``start`` take
the delta one step early, and the input rows two steps early (a named choice, see
``simnet.grokking.QUIRKS``).
"""
import numpy as np

from ..checks import as_numbers, check_finite
from ..history import History
from ..layer import SimpleLayer, dense_sums


class Recurrent(SimpleLayer):
    """A recurrent layer of ``num_neurons`` neurons (see the module docstring)."""

    kind = "recurrent"

    def __init__(self, name, num_neurons, target=None, activation="tanh", input_weights=True, emit="after",
                 gradients="bptt", bias=False, init="uniform", rng=None, dtype=np.float64):
        if emit not in ("after", "before"):
            raise ValueError(f"recurrent layer {name!r}: emit must be 'after' or 'before', got {emit!r}")
        if gradients not in ("bptt", "book"):
            raise ValueError(f"recurrent layer {name!r}: gradients must be 'bptt' or 'book', got {gradients!r}")
        super().__init__(name, num_neurons, target=None, activation=activation, bias=bias, dtype=dtype)
        self.input_weights, self.emit, self.gradients = bool(input_weights), emit, gradients
        n = self.num_neurons
        self._recurrent = np.zeros((n, n), dtype=self.dtype)
        self.start = np.zeros(n, dtype=self.dtype)
        self.recurrent_state, self.start_state = {}, {}  # optimizer state beside them
        self.states = None  # (T + 1, n): s_0 .. s_T of the last training forward step
        self.step_delta = None  # (T + 1, n): the delta of every state's input sum, after learn()
        self.state_gradients = None  # (T, n): the gradient reaching s_0 .. s_{T-1} from later steps
        if target is not None:
            self.connect(target, init=init, rng=rng)

    # ---- the recurrent weights -----------------------------------------------------------------
    @property
    def recurrent_row_mat(self):
        """The weights from the neurons to themselves at the next step, ``(n, n)``: row i is what neuron i sends."""
        return self._recurrent

    @recurrent_row_mat.setter
    def recurrent_row_mat(self, value):
        value = as_numbers(value, self.dtype, f"recurrent layer {self.name!r}: recurrent_row_mat")
        if value.shape != self._recurrent.shape:
            raise ValueError(f"recurrent layer {self.name!r}: recurrent_row_mat must have shape "
                             f"{self._recurrent.shape}, got {value.shape}")
        check_finite(value, f"recurrent layer {self.name!r}: recurrent_row_mat")
        self._recurrent[...] = value

    @property
    def recurrent_col_mat(self):
        """The same weights in column form (a view)."""
        return self._recurrent.T

    def _connection_shape(self, source):
        if self.input_weights:
            return (source.num_neurons, self.num_neurons)
        if source.num_neurons != self.num_neurons:
            raise ValueError(f"recurrent layer {self.name!r} has {self.num_neurons} neurons and no input weights "
                             f"(input_weights=False), so its source must have {self.num_neurons} neurons; "
                             f"{source.name!r} has {source.num_neurons}")
        return None

    # ---- forward: unrolled over the rows ---------------------------------------------------------
    def _forward(self, x, z, training):
        """The input sums of the emitted states into ``z`` (``train``/``infer`` apply the activation);
        the states themselves are kept in ``states`` (training only)."""
        steps, n = len(x), self.num_neurons
        w = self.source._weights
        inputs = dense_sums(x, w, self.bias, np.empty((steps, n), self.dtype)) if w is not None else \
            (x + self.bias if self.bias is not None else x)
        sums = np.empty((steps + 1, n), self.dtype)
        states = np.empty((steps + 1, n), self.dtype)
        sums[0] = self.start
        states[0] = self.activation.forward(self.start.copy())
        r = self._recurrent
        for k in range(1, steps + 1):
            sums[k] = np.dot(states[k - 1], r) + inputs[k - 1]  # the book's order: h.dot(R) + x
            states[k] = self.activation.forward(sums[k].copy())
        z[...] = sums[1:] if self.emit == "after" else sums[:-1]
        if training:
            self.states, self.step_delta, self.state_gradients = states, None, None

    def _check_cache(self, batch):
        if self.states is None or len(self.states) != batch + 1:
            raise ValueError(f"recurrent layer {self.name!r}: learn() needs the forward step train() of this "
                             f"sequence ({batch} steps) first")

    # ---- backward: through time -------------------------------------------------------------------
    def unroll_delta(self, delta):
        """Carry ``delta`` ``(T, n)`` (each emitted state's own share, times its derivative) back through time.

        Sets and returns ``step_delta`` ``(T + 1, n)``; ``state_gradients`` is filled on the way."""
        states = self.states
        steps = len(states) - 1
        own = np.zeros_like(states)
        if self.emit == "after":
            own[1:] = delta
        else:
            own[:-1] = delta
        sd = np.empty_like(states)
        grads = np.empty((steps, self.num_neurons), self.dtype)
        sd[steps] = own[steps]
        rt = self._recurrent.T
        for k in range(steps - 1, -1, -1):
            g = grads[k] = np.dot(sd[k + 1], rt)  # dE/ds_k from every later step (the book's gradient.dot(W.T))
            sd[k] = own[k] + g * self.activation.derivative(states[k].copy())
        self.step_delta, self.state_gradients = sd, grads
        return sd

    def _complete_delta(self):
        self.unroll_delta(self.delta)

    def _input_deltas(self):
        """``(T, n)``: the delta each input row gets (row k - 1 feeds step k)."""
        sd = self.step_delta
        if self.gradients == "bptt":
            return sd[1:]
        # the book's chapter 12: row 0 gets step_delta[0] @ R.T, row j the delta of step j - 1
        rows = np.empty_like(sd[1:])
        rows[0] = np.dot(sd[0], self._recurrent.T)
        rows[1:] = sd[:-2]
        return rows

    def _backward(self, d, sd):
        rows = self._input_deltas()
        w = self.source._weights
        if w is None:
            np.copyto(sd, rows)
        else:
            np.matmul(rows, w.T, out=sd)

    def update(self, optimizer):
        """Step 2 of ``learn``: the input weights and bias, the recurrent weights and the start, through ``optimizer``."""
        src, sd, states = self.source, self.step_delta, self.states
        rows = optimizer.scale_delta(self._input_deltas(), np.empty((len(sd) - 1, self.num_neurons), self.dtype))
        if self.gradients == "bptt":
            into_next, start = sd[1:], sd[0]
        else:  # the book: one step early
            into_next, start = sd[:-1], np.dot(sd[0], self._recurrent.T)
        into_next = optimizer.scale_delta(into_next, np.empty_like(into_next))
        start = optimizer.scale_delta(start[None], np.empty((1, self.num_neurons), self.dtype))[0]
        if src._weights is not None:
            np.matmul(src.neuron_row_array.T, rows, out=src._grad)
            optimizer.decay(src._weights)
            optimizer.update(src._weights, src._grad, src.weight_state)
            for m in src._watch_weights:
                m.record()
        if self.bias is not None:
            optimizer.update(self.bias, rows.sum(axis=0), self.bias_state)
            for m in self._watch_bias:
                m.record()
        grad = states[:-1].T @ into_next  # sum over steps of s_{k-1}^T delta_k
        optimizer.decay(self._recurrent)
        optimizer.update(self._recurrent, grad, self.recurrent_state)
        optimizer.update(self.start, start.copy(), self.start_state)

    # ---- description ----------------------------------------------------------------------------------
    def parameters_in(self):
        return super().parameters_in() + self._recurrent.size + self.start.size

    def describe(self):
        extra = "" if self.input_weights else ", no input weights"
        book = ", the book's chapter 12 gradients" if self.gradients == "book" else ""
        return (f"{self.num_neurons} neurons, {self.activation}, recurrent {self.num_neurons}x{self.num_neurons}, "
                f"shows the state {self.emit} each step{extra}{book}")

    def config(self):
        return {**super().config(), "input_weights": self.input_weights, "emit": self.emit,
                "gradients": self.gradients}

    def __repr__(self):
        src = self.source.name if self.source else None
        tgt = self.target.name if self.target else None
        return f"Recurrent({self.name!r}, {self.describe()}, source={src!r}, target={tgt!r})"

    def __str__(self):
        lines = [super().__str__().replace("Layer:", "Recurrent layer:", 1),
                 f"  recurrent weights (row form, {self._recurrent.shape}):",
                 "    " + np.array2string(self._recurrent, precision=4).replace("\n", "\n    "),
                 "  start (input sum of step 0): " + np.array2string(self.start, precision=4)]
        return "\n".join(lines)


def sequence_histories(layer):
    """A recurrent layer's last sequence as histories whose steps are the time steps (for the explorer and
    ``save_histories``): ``'<name>/neurons'`` the states ``s_0 .. s_T``, ``'<name>/delta'`` their
    ``step_delta`` (after a backward step), and ``'curve/|gradient| per step'``, the largest magnitude of
    ``state_gradients`` at each step (how the gradient vanishes or explodes going back in time)."""
    if layer.states is None:
        raise ValueError(f"recurrent layer {layer.name!r} has run no sequence yet: call train() first")
    steps, n = layer.states.shape
    out = {}
    rows = [("neurons", layer.states)] + ([("delta", layer.step_delta)] if layer.step_delta is not None else [])
    for variable, values in rows:
        h = History((n,), capacity=max(steps, 2), name=f"{layer.name}/{variable}")
        h.about = {"layer": layer.name, "variable": variable}
        for k, v in enumerate(values):
            h.offer(k, v)
        out[h.name] = h
    if layer.state_gradients is not None:
        h = History((), capacity=max(steps, 2), name="curve/|gradient| per step")
        for k, g in enumerate(np.abs(layer.state_gradients).max(axis=1)):
            h.offer(k, g)
        out[h.name] = h
    return out
