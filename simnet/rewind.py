"""Rewind and fork: full states of a run at recorded steps, restored exactly.

``StateRecorder(network, capacity=32)`` listens at the end of every step (the input layer's
``learn`` monitor point) and keeps *full states*: every layer's weights and bias, their optimizer
state (Adam's moments and step count, momentum's velocity), the state of every generator a layer
draws from (dropout) and where the data order stands (``position()``: the scenario says, e.g. the
epoch, the batch within it and the shuffling generator's state at the epoch's start).  At most
``capacity`` states are kept (``STATES_KEPT``, 32 by default): the first, then evenly thinned as the
histories are (every ``stride``-th step, the stride doubling when it is full), and the last (``close``).

``save_states(path, recorder)`` writes them to ``states.npz`` (arrays and a JSON header, no pickle);
``load_state(path, step)`` reads one back and ``restore(network, state)`` puts it into a network of
the same architecture, in place, so that training on from there repeats the original run's later
steps bit for bit (``simnet fork RUN --at STEP``).  ``continue_histories`` gives a forked run the
original's histories up to that step, so both runs' histories share one axis (``simnet diff``).
"""
import json

import numpy as np

from .checks import check_int

STATES_KEPT = 32
FORMAT = "simnet-states"
VERSION = 1


def _arrays_of(network):
    """``{name: array}`` of everything a state copies, and ``{name: scalar}`` of the optimizer's numbers."""
    arrays, scalars = {}, {}
    for layer in network.layers:
        if layer.weight_row_mat is not None:
            arrays[f"{layer.name}.weights"] = layer.weight_row_mat
        if layer.bias is not None:
            arrays[f"{layer.name}.bias"] = layer.bias
        for what, state in (("weights", layer.weight_state), ("bias", layer.bias_state)):
            for key, value in state.items():
                if isinstance(value, np.ndarray):
                    arrays[f"{layer.name}.{what}.{key}"] = value
                else:
                    scalars[f"{layer.name}.{what}.{key}"] = value.item() if hasattr(value, "item") else value
    return arrays, scalars


NETWORK_RNG = "(network)"  # the network's own generator (shuffling) among a state's generators


def _generators(network):
    out = {layer.name: layer.rng.bit_generator.state for layer in network.layers
           if isinstance(getattr(layer, "rng", None), np.random.Generator)}
    if isinstance(network.rng, np.random.Generator):
        out[NETWORK_RNG] = network.rng.bit_generator.state
    return out


class StateRecorder:
    """Full states of ``network`` at thinned steps, bounded to ``capacity`` (see the module docstring).

    ``position``: a callable returning a JSON-able dict of where the data order stands after the step
    that just ended (kept with each state).  ``start``: the steps already done (a forked run starts there).
    """

    def __init__(self, network, capacity=STATES_KEPT, every=1, position=None, start=0):
        self.capacity = check_int(capacity, "states capacity", minimum=2)
        self.stride = check_int(every, "states every", minimum=1)
        self.network = network
        self.position = position
        self.steps = int(start)
        self.kept = []  # (step, {name: array copy}, meta)
        self.final = None
        self.kept.append(self._capture())
        network.input.listen("learn", self)

    def _capture(self):
        arrays, scalars = _arrays_of(self.network)
        meta = {"step": self.steps, "scalars": scalars, "generators": _generators(self.network),
                "position": self.position() if self.position is not None else {}}
        return self.steps, {k: v.copy() for k, v in arrays.items()}, meta

    def record(self):
        """The end of a step: keep a full state if the step is on the stride."""
        self.steps += 1
        self.final = None
        if self.steps % self.stride:
            return
        if len(self.kept) >= self.capacity:
            self.stride *= 2
            self.kept = [k for k in self.kept if k[0] % self.stride == 0 or k is self.kept[0]]
            if self.steps % self.stride:
                return
        self.kept.append(self._capture())

    def close(self):
        """Keep the current state as the last one (if it is not kept already)."""
        if self.kept[-1][0] != self.steps:
            self.final = self._capture()

    @property
    def states(self):
        return self.kept + ([self.final] if self.final is not None else [])

    @property
    def recorded_steps(self):
        return [s for s, _, _ in self.states]

    def detach(self):
        self.network.input.unlisten("learn", self)

    def __repr__(self):
        return f"StateRecorder({len(self.states)}/{self.capacity} states, steps {self.recorded_steps[:3]}..., " \
               f"stride {self.stride})"


def save_states(path, recorder, info=None):
    """Write the recorder's states to ``path`` (.npz, atomically; no pickle)."""
    from .saving.files import write_file

    arrays, metas = {}, []
    for k, (_, values, meta) in enumerate(recorder.states):
        for name, a in values.items():
            arrays[f"s{k}/{name}"] = a
        metas.append({**meta, "arrays": sorted(values)})
    header = {"format": FORMAT, "version": VERSION, "states": metas, "info": info or {}}
    arrays["header"] = np.array(json.dumps(header))
    write_file(path, lambda f: np.savez(f, **arrays))
    return path


def read_header(path):
    from .saving.files import MAX_NPZ_BYTES, open_npz

    try:
        with open_npz(path, MAX_NPZ_BYTES, "a states file") as f:  # no FIFO, device or folder; no trailing data
            header = json.loads(str(f["header"]))
    except (OSError, KeyError, ValueError) as e:
        raise ValueError(f"{path}: cannot read the run's states ({type(e).__name__}: {e})") from None
    if header.get("format") != FORMAT:
        raise ValueError(f"{path}: not a simnet states file")
    return header


def state_steps(path):
    """The steps whose full state ``path`` holds."""
    return [m["step"] for m in read_header(path)["states"]]


def load_state(path, step):
    """``(arrays, meta)`` of the state after ``step`` steps in ``path``; ValueError naming the steps held."""
    header = read_header(path)
    steps = [m["step"] for m in header["states"]]
    if step not in steps:
        near = sorted(steps, key=lambda s: abs(s - step))[:4]
        raise ValueError(f"no state recorded after {step} steps; the run kept {len(steps)} states, the nearest after "
                         f"{sorted(near)} steps (all: {steps[0]}..{steps[-1]})")
    k = steps.index(step)
    meta = header["states"][k]
    from .saving.files import MAX_NPZ_BYTES, open_npz

    with open_npz(path, MAX_NPZ_BYTES, "a states file") as f:
        arrays = {name: f[f"s{k}/{name}"] for name in meta["arrays"]}
    return arrays, meta


def restore(network, state):
    """Put ``state`` (``load_state``'s) into ``network`` in place; every array checked before any changes."""
    arrays, meta = state
    have, _ = _arrays_of(network)
    planned = []
    for name, a in arrays.items():
        layer_name, what = name.split(".", 1)
        try:
            layer = network.layer(layer_name)
        except KeyError as e:
            raise ValueError(f"the state holds {name!r}, but {e}") from None
        if what in ("weights", "bias"):
            target = have.get(name)
            if target is None or target.shape != a.shape:
                raise ValueError(f"the state's {name} has shape {a.shape}; the network's is "
                                 f"{None if target is None else target.shape}")
        planned.append((layer, what, a))
    for layer, what, a in planned:
        if what == "weights":
            layer.weight_row_mat[...] = a
        elif what == "bias":
            layer.bias[...] = a
        else:
            part, key = what.split(".", 1)
            (layer.weight_state if part == "weights" else layer.bias_state)[key] = a.copy()
    for name, value in meta.get("scalars", {}).items():
        layer_name, part, key = name.split(".", 2)
        layer = network.layer(layer_name)
        (layer.weight_state if part == "weights" else layer.bias_state)[key] = value
    for name, state in meta.get("generators", {}).items():
        (network if name == NETWORK_RNG else network.layer(name)).rng.bit_generator.state = state
    return meta


EDIT_GRAMMAR = "LAYER.weights[I,J]=VALUE (the weight from LAYER's neuron I to its target's neuron J) or LAYER.bias[I]=VALUE"


def parse_edit(text):
    """``(layer, 'weights' or 'bias', index tuple, value)`` of an edit written ``hidden.weights[1,0]=0.5``."""
    import re

    m = re.match(r"^\s*([^\s.\[]+)\.(weights|bias)\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*=\s*(\S+)\s*$", text)
    if not m:
        raise ValueError(f"cannot read the edit {text!r}: write {EDIT_GRAMMAR}")
    layer, what, i, j, value = m.groups()
    if (what == "weights") != (j is not None):
        raise ValueError(f"edit {text!r}: weights take two indices [I,J], a bias one [I]")
    try:
        v = float(value)
    except ValueError:
        raise ValueError(f"edit {text!r}: {value!r} is not a number") from None
    return layer, what, (int(i),) if j is None else (int(i), int(j)), v


def check_edit(network, text):
    """``(layer, what, index, value)`` of an edit that ``network`` can take; a ValueError naming what is wrong
    otherwise.  Changes nothing."""
    name, what, index, value = parse_edit(text)
    try:
        layer = network.layer(name)
    except KeyError as e:
        raise ValueError(f"edit {text!r}: {e.args[0]}") from None
    target = layer.weight_row_mat if what == "weights" else layer.bias
    if target is None:
        raise ValueError(f"edit {text!r}: layer {name!r} has no {'target, so no weights' if what == 'weights' else 'bias'}")
    if len(index) != target.ndim or any(not 0 <= i < n for i, n in zip(index, target.shape)):
        raise ValueError(f"edit {text!r}: index {list(index)} is outside {name}.{what} of shape {target.shape}")
    if not np.isfinite(value):
        raise ValueError(f"edit {text!r}: the value must be finite")
    return layer, what, index, value


def apply_edit(network, text):
    """Apply one edit (``parse_edit``) through the layer's own checks; returns words saying what changed."""
    layer, what, index, value = check_edit(network, text)
    name = layer.name
    target = layer.weight_row_mat if what == "weights" else layer.bias
    before = float(target[index])
    if what == "weights":
        new = target.copy()
        new[index] = value
        layer.weight_row_mat = new  # the layer's setter checks it again
    else:
        target[index] = value
    return f"{name}.{what}[{','.join(map(str, index))}] {before:.6g} -> {float(target[index]):.6g}"


def continue_histories(network, histories, step):
    """Give ``network``'s monitors (declared, nothing recorded yet) the original run's ``histories`` up to
    ``step`` steps, so a forked run's histories continue the original's on one axis."""
    for layer in network.layers:
        for m in layer.monitors.values():
            h = histories.get(m.key)
            if h is None or h.shape != m.history.shape:
                continue
            calls = step + 1 if m.variable in ("weights", "bias") else step  # weights: one record before any step
            n = int(np.searchsorted(np.asarray(h.steps), calls, side="left"))
            h.count, h._has_final = n, False
            m.history = h
            m.calls = calls
            s = h.stride if h.count < h.capacity else 2 * h.stride
            m._due = h.next_wanted(calls - 1, s)
    for key, h in histories.items():
        if key.startswith("health/") and key in network.histories and network.health is not None:
            n = int(np.searchsorted(np.asarray(h.steps), step, side="right"))
            h.count, h._has_final = n, False
            network.histories[key] = h
            network.health.histories[h.about.get("health_of", key.split("/", 1)[1])] = h
    if network.health is not None:
        network.health.steps = step


def rerecord(network, step):
    """After edits at a fork's first step: the weight and bias snapshots recorded at ``step`` become the values
    the fork trains on from there (the original's are what the original had)."""
    for layer in network.layers:
        for m in layer.monitors.values():
            h = m.history
            if m.variable in ("weights", "bias") and h.count and int(h._steps[h.count - 1]) == step:
                h._values[h.count - 1] = m._value()
