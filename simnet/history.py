"""History buffers: declared, preallocated, bounded.

A ``History`` keeps snapshots of one array in a preallocated numpy buffer of
``capacity`` rows (plus one row for the final snapshot).  When it is full it
drops every other snapshot and doubles its stride, so it always holds the
first snapshot, evenly thinned snapshots across the whole run, and (after
``close``) the last one: memory is bounded by construction, whatever the run's
length.

A history of a per-sample run has a ``period``, the number of samples in one
iteration: it keeps whole iterations, so every training pattern stays represented
however far it is thinned.  Its stride is a multiple of the period and it keeps the
steps ``step % stride < period`` (one whole iteration in every ``stride / period``);
the sample of a kept step is ``step % period``.  With ``period`` 1 (the default)
this is the plain rule ``step % stride == 0``.

A ``Monitor`` declares what to record, in the manner of Brian2's
``StateMonitor``: which variable of which layer (``'neurons'``, ``'weights'``,
``'delta'``, ``'bias'``), which entries (``select``), how often (``every``) and
whether full values or a summary (``summary=True``: mean, std, min, percentiles,
max, and for neurons the fraction that are inactive).  The layer calls the
monitor when that variable changes; the training loop contains no recording code.

``save_histories`` / ``load_histories`` write and read ``.npz`` files with a JSON
header, never pickle.
"""
import json
import zipfile

import numpy as np

from .checks import check_int

FORMAT_VERSION = 1
VARIABLES = ("neurons", "weights", "delta", "bias")
STAT_NAMES = ("mean", "std", "min", "p5", "p25", "p50", "p75", "p95", "max")
_PERCENTILES = (5, 25, 50, 75, 95)


class History:
    """Bounded snapshots of an array of fixed ``shape``.

    ``steps`` and ``values`` are the recorded step numbers and snapshots, oldest
    first (``values[k]`` was taken at ``steps[k]``).
    """

    def __init__(self, shape, capacity=1000, every=1, dtype=np.float64, name="", period=1):
        check_int(capacity, f"history {name!r}: capacity", minimum=2)
        check_int(every, f"history {name!r}: every", minimum=1)
        check_int(period, f"history {name!r}: period", minimum=1)
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"history {name!r}: dtype must be a numpy float dtype, got {dtype!r}") from None
        if dtype.kind != "f":
            raise TypeError(f"history {name!r}: dtype must be a numpy float dtype, got {dtype}")
        self.name = name
        self.shape = tuple(int(s) for s in shape)
        self.capacity = int(capacity)
        self.every = int(every)
        self.period = 1
        self.stride = self.every  # record steps that are multiples of the stride
        self._values = np.zeros((self.capacity + 1, *self.shape), dtype=dtype)
        self._steps = np.zeros(self.capacity + 1, dtype=np.int64)
        self.count = 0  # thinned snapshots held in rows [0, count)
        self._has_final = False  # row `count` holds a final snapshot off the stride
        self.about = {}  # for a monitor's history: its layer, variable and selection
        if period > 1:
            self.set_period(period)

    def set_period(self, period):
        """Keep whole iterations of ``period`` samples when thinning (call before anything is recorded).

        The stride becomes ``every * period``: every sample of every ``every``-th iteration is
        kept until the history is full, then every other iteration, and so on.
        """
        check_int(period, f"history {self.name!r}: period", minimum=1)
        if self.count or self._has_final:
            raise ValueError(f"history {self.name!r}: set its period before recording")
        if period > 1 and self.capacity < 2 * period:
            raise ValueError(f"history {self.name!r}: a capacity of {self.capacity} cannot hold two iterations of "
                             f"{period} samples; give it a capacity of at least {2 * period}")
        self.period = int(period)
        self.stride = self.every * self.period

    @property
    def steps(self):
        return self._steps[: self.count + self._has_final]

    @property
    def values(self):
        return self._values[: self.count + self._has_final]

    @property
    def nbytes(self):
        return self._values.nbytes + self._steps.nbytes

    def wants(self, step):
        """True when a snapshot at ``step`` would be kept (lets callers skip computing it)."""
        return step % self.stride < self.period

    def next_wanted(self, step, stride=None):
        """The first step after ``step`` that the rule keeps with ``stride`` (default: the current one)."""
        stride = stride or self.stride
        nxt = step + 1
        r = nxt % stride
        return nxt if r < self.period else nxt + stride - r

    @property
    def samples(self):
        """The sample (``step % period``) of every kept step: which training pattern each snapshot shows."""
        return self.steps % self.period

    def offer(self, step, value):
        """Record ``value`` at ``step`` if the step is on the stride; returns whether it was kept."""
        if not self.wants(step):
            return False
        if self.count == self.capacity:
            self._thin()
            if not self.wants(step):
                return False
        self._values[self.count] = value
        self._steps[self.count] = step
        self.count += 1
        self._has_final = False
        return True

    def close(self, step, value):
        """Keep ``value`` as the last snapshot (if ``step`` is not already the last one held)."""
        if self.count and self._steps[self.count - 1] == step:
            self._has_final = False
            return
        self._values[self.count] = value
        self._steps[self.count] = step
        self._has_final = True

    def drop_nonfinite_tail(self):
        """Forget the latest snapshots back to the last one that is all finite (after a divergence)."""
        n = len(self)
        while n and not np.isfinite(self._values[n - 1]).all():
            n -= 1
        if n < len(self):
            self._has_final = False
            self.count = n
        return n

    def _thin(self):
        while True:
            if self.period == 1:
                keep = np.arange(0, self.count, 2)
            else:  # whole iterations: those at even multiples of the stride
                keep = np.flatnonzero(self._steps[:self.count] % (2 * self.stride) < self.period)
            self.stride *= 2
            if len(keep) < self.count:
                break
        n = len(keep)
        values = self._values
        for i, k in enumerate(keep.tolist()):  # moved down one by one (keep[i] >= i): no temporary copy of
            if k != i:                         # half the history (1.6 MB for 784 x 128 float32 snapshots)
                values[i] = values[k]
        self._steps[:n] = self._steps[keep]
        self.count = n

    def meta(self):
        return {"name": self.name, "shape": list(self.shape), "capacity": self.capacity,
                "every": self.every, "stride": self.stride, "dtype": str(self._values.dtype),
                "about": self.about, "period": self.period}

    @classmethod
    def from_arrays(cls, meta, steps, values):
        h = cls(meta["shape"], meta["capacity"], meta["every"], meta["dtype"], meta["name"])
        n = len(steps)
        if n > h.capacity + 1 or values.shape[1:] != h.shape or len(values) != n:
            raise ValueError(f"history {meta['name']!r}: stored arrays do not fit its header")
        h.period = int(meta.get("period", 1))
        h.stride = int(meta["stride"])
        h.about = meta.get("about", {})
        h._steps[:n] = steps
        h._values[:n] = values
        # a last row off the stride is the final snapshot
        h._has_final = bool(n and not h.wants(int(steps[-1])))
        h.count = n - h._has_final
        return h

    def __len__(self):
        return self.count + self._has_final

    def __repr__(self):
        period = f", period={self.period}" if self.period > 1 else ""
        return (f"History({self.name!r}, shape={self.shape}, {len(self)}/{self.capacity} snapshots, "
                f"stride={self.stride}{period})")


PERCENTILE_SAMPLE = 4096
_FRACTIONS = np.array(_PERCENTILES) / 100


def percentiles(values):
    """The 5/25/50/75/95th percentiles of ``values``, as ``np.percentile`` (its 'linear' method) gives them.

    Written out (a partition at the ranks needed, then the interpolation) because ``np.percentile``'s own overhead is
    most of its time on the arrays a summary sees; this is in the training loop.
    """
    values = values.reshape(-1)
    position = _FRACTIONS * (values.size - 1)
    below = position.astype(np.int64)  # floor: positions are >= 0
    above = np.minimum(below + 1, values.size - 1)
    t = position - below
    s = np.partition(values, np.union1d(below, above))  # those ranks in place: no full sort
    a, b = s[below].astype(np.float64), s[above].astype(np.float64)
    # numpy's lerp: from the nearer end, so that t = 1 gives b exactly
    return np.where(t >= 0.5, b - (b - a) * (1 - t), a + (b - a) * t)


def summarize(values, inactive=False):
    """Mean, std, min, 5/25/50/75/95th percentiles, max (and fraction <= 0) of ``values``.

    Mean, std, min, max and the inactive fraction are exact; the percentiles of an
    array larger than ``PERCENTILE_SAMPLE`` are those of an evenly strided sample of
    it (a 784 x 128 weight matrix: every 25th weight), which costs a small fraction as much.
    """
    flat = values.reshape(-1)
    sample = flat[:: -(-flat.size // PERCENTILE_SAMPLE)]
    stats = [flat.mean(), flat.std(), flat.min(), *percentiles(sample), flat.max()]
    if inactive:
        stats.append(np.count_nonzero(flat <= 0) / flat.size)
    return np.array(stats, dtype=np.float64)


class Monitor:
    """Declared recording of one variable of one layer.

    ``select`` picks entries: None for all, a list of neuron indices for
    ``'neurons'``/``'delta'``/``'bias'``, a list of ``(i, j)`` pairs for
    ``'weights'``.  With a batch of several samples, neurons and deltas are
    recorded as their mean over the batch.
    """

    def __init__(self, layer, variable, select=None, every=1, capacity=1000, summary=False,
                 dtype=np.float64, key=None):
        if variable not in VARIABLES:
            raise ValueError(f"layer {layer.name!r}: cannot record {variable!r}; choose one of {VARIABLES}")
        check_int(every, f"layer {layer.name!r}: record every", minimum=1)
        check_int(capacity, f"layer {layer.name!r}: record capacity", minimum=2)
        self.layer, self.variable, self.summary = layer, variable, bool(summary)
        full = layer.variable_shape(variable)
        self.select = self._index(select, full)
        # the fraction of inactive neurons means something for the ReLU family only
        self.inactive = summary and variable == "neurons" and layer.activation.name in ("relu", "leaky_relu")
        if summary:
            shape = (len(STAT_NAMES) + self.inactive,)
        elif self.select is None:
            shape = full
        else:
            shape = (len(self.select[0]),)
        self.key = f"{layer.name}/" + (key or variable + ("_stats" if summary else ""))
        self.history = History(shape, capacity, every, dtype, name=self.key)
        # what was picked, as plain lists: neuron indices, or (i, j) weight pairs
        sel = None
        if self.select is not None:
            sel = np.stack(self.select, axis=-1).squeeze(-1 if len(full) == 1 else ()).tolist()
        self.history.about = {"layer": layer.name, "variable": variable, "summary": self.summary,
                              "select": sel}
        self.calls = 0
        self._due = 0  # the next call whose value is kept
        if variable in ("weights", "bias"):
            self.record()  # step 0: the initial values, before any learning

    @classmethod
    def resume(cls, layer, history):
        """A monitor on ``layer`` that continues ``history`` (read from a file): its next step follows the last."""
        about = history.about
        if about.get("layer") != layer.name or about.get("variable") not in VARIABLES:
            raise ValueError(f"history {history.name!r} records {about.get('variable')!r} of layer "
                             f"{about.get('layer')!r}, not a variable of layer {layer.name!r}")
        m = cls.__new__(cls)
        m.layer, m.variable, m.summary = layer, about["variable"], bool(about.get("summary"))
        full = layer.variable_shape(m.variable)
        m.select = m._index(about.get("select"), full)
        m.inactive = m.summary and m.variable == "neurons" and layer.activation.name in ("relu", "leaky_relu")
        shape = (len(STAT_NAMES) + m.inactive,) if m.summary else full if m.select is None else (len(m.select[0]),)
        if tuple(shape) != history.shape:
            raise ValueError(f"history {history.name!r} holds snapshots of shape {history.shape}, but layer "
                             f"{layer.name!r} records {m.variable} of shape {tuple(shape)}")
        m.key, m.history = history.name, history
        m.calls = int(history.steps[-1]) + 1 if len(history) else 0
        s = history.stride if history.count < history.capacity else 2 * history.stride
        m._due = history.next_wanted(m.calls - 1, s)
        return m

    def set_period(self, period):
        """Keep whole iterations of ``period`` samples (see ``History``); before the first sample is recorded.

        A weights or bias monitor holds its initial snapshot (step 0) already; that one stays.
        """
        h = self.history
        kept = (h._steps[0], h._values[0].copy()) if h.count == 1 and h._steps[0] == 0 else None
        if kept is not None:
            h.count = 0
        try:
            h.set_period(period)
        finally:
            if kept is not None:
                h._steps[0], h._values[0] = kept
                h.count = 1
        self._due = h.next_wanted(self.calls - 1)

    def _index(self, select, full):
        if select is None:
            return None
        try:
            sel = np.asarray(select)
        except (TypeError, ValueError) as e:
            raise ValueError(f"layer {self.layer.name!r}: {self.variable} select {select!r} is not an index list "
                             f"({e})") from None
        if sel.size and sel.dtype.kind not in "iu":
            raise TypeError(f"layer {self.layer.name!r}: {self.variable} select must hold ints, got {select!r}")
        sel = sel.astype(np.int64)
        if len(full) == 1:
            sel = sel.reshape(-1)
            if sel.size == 0 or sel.min() < 0 or sel.max() >= full[0]:
                raise ValueError(f"layer {self.layer.name!r}: {self.variable} select {select!r} "
                                 f"out of range for {full[0]} entries")
            return (sel,)
        if sel.ndim != 2 or sel.shape[1] != 2 or sel.shape[0] == 0:
            raise ValueError(f"layer {self.layer.name!r}: weights select must be one or more (i, j) pairs, "
                             f"got {select!r}")
        if sel.min() < 0 or (sel >= np.array(full)).any():
            raise ValueError(f"layer {self.layer.name!r}: weight select {select!r} out of range for {full}")
        return (sel[:, 0], sel[:, 1])

    def _value(self):
        a = self.layer.variable_value(self.variable)
        if self.summary:
            return summarize(a, self.inactive)
        if self.variable in ("neurons", "delta"):
            a = a[0] if a.shape[0] == 1 else a.mean(axis=0)
        return a if self.select is None else a[self.select]

    def record(self):
        """Called by the layer each time the variable changes (keep it cheap: it is in the hot loop)."""
        step = self.calls
        self.calls = step + 1
        if step < self._due:
            return
        h = self.history
        h.offer(step, self._value())
        # the next step the history keeps: the next multiple of its stride, or of twice
        # its stride once it is full (it will thin then)
        s = h.stride if h.count < h.capacity else 2 * h.stride
        self._due = h.next_wanted(step, s)

    def close(self):
        """Keep the current value as the final snapshot."""
        if self.calls:
            self.history.close(self.calls - 1, self._value())

    @property
    def steps(self):
        return self.history.steps

    @property
    def values(self):
        return self.history.values

    def __repr__(self):
        return f"Monitor({self.key!r}, every={self.history.every}, {len(self.history)} snapshots)"


def _atomic_savez(path, arrays):
    """Write ``arrays`` to the .npz file ``path`` whole (simnet.saving.files.write_file: the user's umask, a rename)."""
    from .saving.files import write_file

    write_file(path, lambda f: np.savez(f, **arrays))


def save_histories(path, histories, info=None):
    """Write ``{key: History}`` and a JSON-able ``info`` dict to an ``.npz`` file (atomically)."""
    arrays, metas = {}, {}
    for i, (key, h) in enumerate(histories.items()):
        arrays[f"h{i}_steps"], arrays[f"h{i}_values"] = h.steps, h.values
        metas[key] = {"index": i, **h.meta()}
    header = {"format": "simnet-history", "version": FORMAT_VERSION, "histories": metas, "info": info or {}}
    arrays["header"] = np.array(json.dumps(header))
    _atomic_savez(path, arrays)


MAX_HISTORY_BYTES = 16 * 2**30  # a history file larger than this is refused before it is read


def load_histories(path, limit=MAX_HISTORY_BYTES):
    """Read a file written by ``save_histories``: returns ``(histories, info)``.

    The file must be a regular file (a FIFO, a device or a folder is refused at once, naming it) of at most
    ``limit`` bytes, an ``.npz`` archive with nothing after its end."""
    from .saving.files import check_zip_end, open_regular  # (saving imports this module)

    handle = open_regular(path, limit, "a history file")
    try:
        check_zip_end(handle, path)
        with handle, np.load(handle, allow_pickle=False) as f:
            header = json.loads(str(f["header"]))
            if header.get("format") != "simnet-history":
                raise ValueError(f"{path}: not a simnet history file")
            if header.get("version", 0) > FORMAT_VERSION:
                raise ValueError(f"{path}: history format version {header['version']} is newer than "
                                 f"this simnet reads ({FORMAT_VERSION}); upgrade simnet")
            histories = {}
            for key, meta in header["histories"].items():
                i = meta["index"]
                histories[key] = History.from_arrays(meta, f[f"h{i}_steps"], f[f"h{i}_values"])
    except (OSError, KeyError, TypeError, IndexError, ValueError, EOFError, zipfile.BadZipFile, MemoryError,
            RecursionError, OverflowError, AttributeError) as e:
        handle.close()
        if isinstance(e, ValueError) and str(path) in str(e):
            raise
        raise ValueError(f"{path}: cannot read simnet history ({type(e).__name__}: {e})") from e
    return histories, header["info"]
