"""Where two runs of one architecture part: ``simnet diff RUN_A RUN_B``.

``diff_runs(a, b)`` reads the two runs' recorded weights (the full weight histories of
``history.npz`` and, where the runs kept them, the full states of ``states.npz``) at the steps both
recorded, and returns a ``RunDiff``.  The biases recorded at those steps count as weights do (their
"connection" is ``'hidden.bias'``):

- ``first_step``: the first common step at which any weight or bias differs, and ``first_weights``:
  which differ there, largest difference first (``'input→hidden[1, 2]'``, ``'hidden.bias[0]'``, the
  value in A and in B);
- ``distance``: per connection (and per bias), ``||W_A - W_B||`` (Frobenius) at every common step;
- ``top_weights`` and ``top_neurons``: the weights and the neurons (from full neuron histories) whose values
  differ most at the last common step.

The natural use is a fork with one edited weight against the original (``simnet fork RUN --at STEP
--edit ...``): the first difference is that step and that weight.
"""
import os
from dataclasses import dataclass, field

import numpy as np

from .history import load_histories


@dataclass
class RunDiff:
    steps: np.ndarray  # the common steps compared
    connections: list  # (source, target) names
    distance: dict  # connection name -> distances at ``steps``
    first_step: int | None = None  # None: the runs agree at every common step
    first_weights: list = field(default_factory=list)  # (name, index, value A, value B) at first_step
    top_weights: list = field(default_factory=list)  # the same at the last common step
    top_neurons: list = field(default_factory=list)  # (layer, neuron, value A, value B) at the last common step
    neuron_steps: np.ndarray | None = None
    neuron_curves: dict = field(default_factory=dict)  # 'layer[i]' -> |A - B| at neuron_steps

    def describe(self, name_a="A", name_b="B", unit="steps"):
        """The short printout of ``simnet diff``."""
        lines = [f"compared {len(self.steps)} common recorded steps ({int(self.steps[0])}..{int(self.steps[-1])} "
                 f"{unit}) of {name_a} and {name_b}"]
        if self.first_step is None:
            lines.append("no weight or bias differs at any of them: the runs agree")
            return "\n".join(lines)
        lines.append(f"first difference after {self.first_step} {unit}: "
                     + ", ".join(f"{w} ({a:.6g} vs {b:.6g})" for w, a, b in self.first_weights[:3])
                     + (f" and {len(self.first_weights) - 3} more" if len(self.first_weights) > 3 else ""))
        last = int(self.steps[-1])
        lines.append(f"distance ||W_A - W_B|| after {last} {unit}: "
                     + ", ".join(f"{c} {self.distance[c][-1]:.4g}" for c in self.distance))
        lines.append("weights that differ most there: "
                     + ", ".join(f"{w} ({a:.4g} vs {b:.4g})" for w, a, b in self.top_weights[:5]))
        if self.top_neurons:
            lines.append("neurons that differ most (recorded neuron values): "
                         + ", ".join(f"{la}[{i}] ({a:.4g} vs {b:.4g})" for la, i, a, b in self.top_neurons[:5]))
        return "\n".join(lines)


def _run_file(run, name):
    path = os.path.join(run, name) if os.path.isdir(run) else None
    return path if path and os.path.exists(path) else None


def _weights_at(run):
    """``({connection: {step: weights}}, {'LAYER.bias': {step: bias}}, histories, info)`` of a run folder: full
    weight and bias snapshots."""
    path = _run_file(run, "history.npz")
    if path is None:
        raise ValueError(f"{run}: no history.npz in this folder")
    histories, info = load_histories(path)
    layers = [la["name"] for la in (info.get("network") or {}).get("layers", [])]
    weights, biases = {}, {}
    for h in histories.values():
        about = h.about or {}
        if about.get("summary") or about.get("select") is not None:
            continue
        if about.get("variable") == "weights":
            source = about["layer"]
            target = layers[layers.index(source) + 1] if source in layers[:-1] else "?"
            per = weights.setdefault(f"{source}→{target}", {})
        elif about.get("variable") == "bias":
            per = biases.setdefault(f"{about['layer']}.bias", {})
        else:
            continue
        for s, v in zip(h.steps, h.values):
            per[int(s)] = v
    states = _run_file(run, "states.npz")
    if states is not None:
        from .rewind import read_header

        header = read_header(states)
        from .saving.files import MAX_NPZ_BYTES, open_npz

        with open_npz(states, MAX_NPZ_BYTES, "a states file") as f:
            for k, meta in enumerate(header["states"]):
                for name in meta["arrays"]:
                    layer, what = name.split(".", 1)
                    if what == "weights" and layer in layers[:-1]:
                        target = layers[layers.index(layer) + 1]
                        weights.setdefault(f"{layer}→{target}", {})[int(meta["step"])] = f[f"s{k}/{name}"]
                    elif what == "bias" and layer in layers:
                        biases.setdefault(name, {})[int(meta["step"])] = f[f"s{k}/{name}"]
    return weights, biases, histories, info


def _name(connection, index):
    return f"{connection}[{', '.join(str(int(i)) for i in index)}]"


def _largest(diffs, a, b, k):
    out = []
    for c, d in diffs.items():
        flat = np.abs(d).reshape(-1)
        for f in np.argsort(-flat, kind="stable")[:k]:
            if flat[f] == 0:
                break
            idx = np.unravel_index(f, d.shape)
            out.append((float(flat[f]), _name(c, idx), float(a[c][idx]), float(b[c][idx])))
    out.sort(key=lambda t: -t[0])
    return [(n, va, vb) for _, n, va, vb in out[:k]]


def diff_runs(a, b):
    """The ``RunDiff`` of runs ``a`` and ``b`` (folders); ValueError if they cannot be compared."""
    wa, ba, ha, ia = _weights_at(a)
    wb, bb, hb, _ = _weights_at(b)
    conns = [c for c in wa if c in wb]
    if not conns:
        raise ValueError(f"{a} and {b} share no recorded connection weights (are they runs of one network?)")
    for c in conns:
        sa, sb = next(iter(wa[c].values())), next(iter(wb[c].values()))
        if sa.shape != sb.shape:
            raise ValueError(f"connection {c} has weights of shape {sa.shape} in {a} but {sb.shape} in {b}")
    steps = sorted(set.intersection(*[set(wa[c]) & set(wb[c]) for c in conns]))
    if not steps:
        raise ValueError(f"{a} and {b} recorded their weights at no common step")
    for name in [n for n in ba if n in bb]:  # the biases recorded at those steps too are compared beside them
        if set(steps) <= set(ba[name]) & set(bb[name]) and \
                np.shape(next(iter(ba[name].values()))) == np.shape(next(iter(bb[name].values()))):
            conns.append(name)
            wa[name], wb[name] = ba[name], bb[name]
    distance = {c: np.array([float(np.linalg.norm(np.asarray(wa[c][s], float) - np.asarray(wb[c][s], float)))
                             for s in steps]) for c in conns}
    result = RunDiff(np.array(steps), conns, distance)
    differs = [k for k in range(len(steps)) if any(distance[c][k] > 0 for c in conns)]
    if differs:
        s = steps[differs[0]]
        result.first_step = s
        at_a = {c: np.asarray(wa[c][s], float) for c in conns}
        at_b = {c: np.asarray(wb[c][s], float) for c in conns}
        result.first_weights = _largest({c: at_a[c] - at_b[c] for c in conns}, at_a, at_b, 10)
        last = steps[-1]
        at_a = {c: np.asarray(wa[c][last], float) for c in conns}
        at_b = {c: np.asarray(wb[c][last], float) for c in conns}
        result.top_weights = _largest({c: at_a[c] - at_b[c] for c in conns}, at_a, at_b, 10)
    _neurons(result, ha, hb)
    return result


def _neurons(result, ha, hb):
    """The neurons (full neuron histories, or recorded subsets) that differ most at the last common step."""
    best = []
    for key, h in ha.items():
        about = h.about or {}
        g = hb.get(key)
        if about.get("variable") != "neurons" or about.get("summary") or g is None or g.shape != h.shape:
            continue
        common = sorted(set(map(int, h.steps)) & set(map(int, g.steps)))
        if not common:
            continue
        ia = {int(s): k for k, s in enumerate(h.steps)}
        ib = {int(s): k for k, s in enumerate(g.steps)}
        va = np.array([h.values[ia[s]] for s in common], float)
        vb = np.array([g.values[ib[s]] for s in common], float)
        idx = about.get("select") or list(range(h.shape[0]))
        gap = np.abs(va - vb)
        for c, i in enumerate(idx):
            best.append((float(gap[:, c].max()), about["layer"], int(i), float(va[-1, c]), float(vb[-1, c]),
                         np.array(common), gap[:, c]))
    best.sort(key=lambda t: -t[0])
    best = [b for b in best if b[0] > 0][:6]
    result.top_neurons = [(la, i, a, b) for _, la, i, a, b, _, _ in best]
    if best:
        result.neuron_steps = best[0][5]
        result.neuron_curves = {f"{la}[{i}]": curve for _, la, i, _, _, steps, curve in best
                                if len(steps) == len(best[0][5])}
