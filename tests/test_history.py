"""History buffers: bounded, thinned evenly, first and last kept, saved without pickle."""
import numpy as np
import pytest

from simnet import History, Network, load_histories, save_histories
from simnet.streetlights import STREETLIGHTS, WALK_VS_STOP


def test_buffer_thins_evenly_and_keeps_first_and_last():
    h = History((2,), capacity=10)
    for step in range(1000):
        h.offer(step, [step, -step])
    h.close(999, [999, -999])
    assert len(h) <= 11 and h.values.shape[1:] == (2,)
    assert h.steps[0] == 0 and h.steps[-1] == 999
    inner = np.diff(h.steps[:-1])
    assert (inner == inner[0]).all()  # evenly spaced
    np.testing.assert_array_equal(h.values[:, 0], h.steps)
    assert h.nbytes == 11 * 2 * 8 + 11 * 8  # preallocated once, never grows


@pytest.mark.parametrize("period", [1, 3])
def test_large_snapshots_thin_in_place_to_the_same_steps_and_values(period):
    """Thinning moves snapshots down in place, one by one, with no temporary copy: a history of 80 KB
    weight matrices keeps exactly the steps, and the values of those steps, that a small one keeps."""
    small, large = History((2,), capacity=6, period=period), History((100, 100), capacity=6, period=period)
    for step in range(200):
        small.offer(step, [step, -step])
        large.offer(step, np.full((100, 100), step))
    assert large.values[0].nbytes >= 65536 > small.values[0].nbytes
    np.testing.assert_array_equal(large.steps, small.steps)
    np.testing.assert_array_equal(large.values[:, 0, 0], small.values[:, 0])
    np.testing.assert_array_equal(large.values, large.steps[:, None, None] * np.ones((1, 100, 100)))


def test_summary_statistics_are_numpys():
    from simnet.history import STAT_NAMES, percentiles, summarize
    rng = np.random.default_rng(4)
    for shape in [(1,), (2,), (7,), (10, 13), (784, 128)]:
        for dtype in (np.float32, np.float64):
            v = (rng.standard_normal(shape) * 5).astype(dtype)
            stats = dict(zip(STAT_NAMES, summarize(v, inactive=True)))
            flat = v.reshape(-1)
            sample = flat[::-(-flat.size // 4096)]
            np.testing.assert_array_equal(percentiles(sample), np.percentile(sample.astype(np.float64),
                                                                              [5, 25, 50, 75, 95]))
            assert [stats[k] for k in ("mean", "std", "min", "max")] == \
                [float(flat.mean()), float(flat.std()), float(flat.min()), float(flat.max())]
            assert summarize(v, inactive=True)[-1] == np.count_nonzero(flat <= 0) / flat.size


def test_monitor_records_declared_variables_only():
    net = Network.build([3, 4, 1], seed=0)
    hidden = net.layer("hidden")
    m = hidden.record("neurons", select=[0, 2], every=2)
    w = net.input.record("weights", select=[(0, 0), (2, 3)])
    s = hidden.record("weights", summary=True)
    x = np.eye(3)
    for i in range(9):
        net.forward(x[i % 3])
        net.backward([1.0], 0.1)
    assert m.steps.tolist() == [0, 2, 4, 6, 8] and m.values.shape == (5, 2)
    assert w.values.shape == (10, 2)  # the initial weights plus one per learn()
    np.testing.assert_array_equal(w.values[-1], net.input.weight_row_mat[[0, 2], [0, 3]])
    assert s.values.shape == (10, 9)
    with pytest.raises(KeyError, match="does not record 'delta'"):
        hidden.history("delta")
    with pytest.raises(ValueError, match="already records 'neurons'"):
        hidden.record("neurons")
    with pytest.raises(ValueError, match="out of range"):
        hidden.record("delta", select=[7])


def test_long_run_stays_within_capacity_and_round_trips(tmp_path):
    net = Network.build([3, 4, 1], seed=0)
    net.record_all(capacity=16)
    net.fit(STREETLIGHTS, WALK_VS_STOP, 0.01, epsilon=0, max_iter=300, capacity=16)
    for key, h in net.all_histories().items():
        assert len(h) <= 17, key
        assert h.steps[0] == 0
    weights = net.layer("input").history("weights")
    assert weights.steps[-1] == 1200  # the initial snapshot plus 1200 learn() calls
    np.testing.assert_array_equal(weights.values[-1], net.input.weight_row_mat)
    path = tmp_path / "run.npz"
    net.save_history(path, {"note": "test"})
    loaded, info = load_histories(path)
    assert info["note"] == "test" and info["network"]["layers"][1]["name"] == "hidden"
    for key, h in net.all_histories().items():
        np.testing.assert_array_equal(loaded[key].values, h.values)
        np.testing.assert_array_equal(loaded[key].steps, h.steps)
        assert loaded[key].stride == h.stride
    # a loaded history goes on recording where it stopped
    h = loaded["error/average"]
    steps, stride = h.steps.copy(), h.stride
    assert steps[-1] % stride and len(steps) <= h.capacity  # a final snapshot off the stride, room left
    following = steps[-1] + stride - steps[-1] % stride  # the next step on the stride
    assert h.offer(following, 0.5)
    assert h.stride == stride
    np.testing.assert_array_equal(h.steps, [*steps[:-1], following])  # it takes the final snapshot's place
    assert h.values[-1] == 0.5


def test_history_files_refuse_foreign_and_newer_files(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros(3))
    with pytest.raises(ValueError, match="cannot read simnet history"):
        load_histories(bad)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="junk.npz"):
        load_histories(junk)
    ok = tmp_path / "ok.npz"
    save_histories(ok, {"a": History((1,), 4)})
    import json
    with np.load(ok) as f:
        header = json.loads(str(f["header"]))
        arrays = {k: f[k] for k in f.files}
    header["version"] = 99
    arrays["header"] = np.array(json.dumps(header))
    np.savez(tmp_path / "new.npz", **arrays)
    with pytest.raises(ValueError, match="version 99 is newer"):
        load_histories(tmp_path / "new.npz")


def test_per_sample_histories_keep_every_pattern_when_thinned(tmp_path):
    """A period (samples per iteration) keeps whole iterations: thinning never drops a pattern."""
    h = History((), capacity=10, period=4)
    for step in range(4000):
        h.offer(step, step)
    h.close(3999, 3999)
    assert h.stride % 4 == 0 and len(h) <= 11
    assert set(h.samples[:-1].tolist()) == {0, 1, 2, 3}
    assert (np.bincount(h.samples[:-1]) == np.bincount(h.samples[:-1])[0]).all()  # as many of each
    # the plain rule would have kept sample 0 only (stride 4 and above)
    plain = History((), capacity=10)
    for step in range(4000):
        plain.offer(step, step)
    assert set((plain.steps % 4).tolist()) == {0}
    # Network.fit sets the period to the number of samples; it survives saving
    net = Network.build([3, 4, 1], activations=["relu", "linear"], seed=1)
    net.record_all(capacity=40)
    net.fit(STREETLIGHTS, WALK_VS_STOP, 0.2, max_iter=300)
    for key in ("input/neurons", "hidden/neurons", "output/delta"):
        kept = net.layer(key.split("/")[0]).history(key.split("/")[1])
        assert kept.period == 4 and kept.stride > 4
        assert set(kept.samples.tolist()) == {0, 1, 2, 3}
    net.save_history(tmp_path / "h.npz")
    loaded, _ = load_histories(tmp_path / "h.npz")
    assert loaded["input/neurons"].period == 4
    inputs = loaded["input/neurons"]
    for k in range(4):
        np.testing.assert_array_equal(inputs.values[inputs.samples == k], np.broadcast_to(STREETLIGHTS[k], (
            (inputs.samples == k).sum(), 3)))
    with pytest.raises(ValueError, match="cannot hold two iterations"):
        History((), capacity=6, period=4)
