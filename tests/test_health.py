"""Layer health (simnet.health) against a hand computation on a small network, and its bounded memory."""
import numpy as np
import pytest

from simnet import Network, SimpleLayer
from simnet.health import HEALTH
from simnet.streetlights import STREETLIGHTS, WALK_VS_STOP, seeded_network


def small_network():
    """2 -> 3 (relu) -> 1 (linear), weights chosen so that hidden neuron 2 is dead for both samples."""
    out = SimpleLayer("output", 1)
    hidden = SimpleLayer("hidden", 3, target=out, activation="relu")
    inp = SimpleLayer("input", 2, target=hidden)
    inp.weight_row_mat = [[0.5, -0.25, -1.0], [0.25, 0.5, -0.5]]
    hidden.weight_row_mat = [[0.5], [-0.5], [0.25]]
    return Network([inp, hidden, out])


def test_health_of_one_window_equals_a_hand_computation():
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([[1.0], [0.0]])
    alpha = 0.1
    net = small_network()
    health = net.record_health(every=2)
    # by hand: the walk-through's two steps, sample by sample, with plain numpy
    w0 = np.array([[0.5, -0.25, -1.0], [0.25, 0.5, -0.5]])
    w1 = np.array([[0.5], [-0.5], [0.25]])
    hidden_values, out_values = [], []
    for i in range(2):
        h = np.maximum(x[i:i + 1] @ w0, 0)
        o = h @ w1
        d_out = y[i:i + 1] - o
        d_hid = (d_out @ w1.T) * (h > 0)
        if i == 1:  # the window's last step: the gradients, and the weights before it
            grad_hid, grad_out = x[i:i + 1].T @ d_hid, h.T @ d_out
            before0, before1 = w0.copy(), w1.copy()
        w1 = w1 + alpha * h.T @ d_out
        w0 = w0 + alpha * x[i:i + 1].T @ d_hid
        hidden_values.append(h[0])
        out_values.append(o[0])
        net.step(x[i:i + 1], y[i:i + 1], alpha)
    hv, ov = np.array(hidden_values), np.array(out_values)
    # sample 0: hidden [0.5, 0, 0]; sample 1: [0.25, 0.5, 0]: neuron 2 never fired, neuron 1 did once
    assert hv.tolist() == [[0.5, 0.0, 0.0], [0.25, 0.5, 0.0]]
    hid = net.histories["health/hidden"]
    assert hid.steps.tolist() == [2] and hid.about["health"] == list(HEALTH) and hid.about["health_of"] == "hidden"
    dead, saturated, mean, std, grad, ratio = hid.values[0]
    assert dead == 1 / 3
    assert np.isnan(saturated)  # relu does not saturate
    assert mean == pytest.approx(hv.mean()) and std == pytest.approx(hv.std())
    assert grad == pytest.approx(np.linalg.norm(grad_hid))
    assert ratio == pytest.approx(np.linalg.norm(w0 - before0) / np.linalg.norm(before0))
    out = net.histories["health/output"].values[0]
    assert np.isnan(out[0]) and np.isnan(out[1])  # linear: neither dead nor saturated
    assert out[2] == pytest.approx(ov.mean()) and out[3] == pytest.approx(ov.std())
    assert out[4] == pytest.approx(np.linalg.norm(grad_out))
    assert out[5] == pytest.approx(np.linalg.norm(w1 - before1) / np.linalg.norm(before1))
    assert health.latest["hidden"]["dead"] == 1 / 3
    np.testing.assert_allclose(net.input.weight_row_mat, w0)  # health changed nothing it read


def test_saturated_sigmoid_and_tanh_neurons_are_counted():
    for act, big in (("sigmoid", 20.0), ("tanh", 20.0)):
        out = SimpleLayer("output", 1)
        hidden = SimpleLayer("hidden", 2, target=out, activation=act)
        inp = SimpleLayer("input", 1, target=hidden)
        inp.weight_row_mat = [[big, 0.1]]  # neuron 0 pinned at its top, neuron 1 in its middle
        net = Network([inp, hidden, out])
        net.record_health(every=3)
        for _ in range(3):
            net.step(np.array([[1.0]]), np.array([[0.0]]), 0.0001)
        assert net.histories["health/hidden"].values[0][1] == 0.5, act


def test_health_memory_is_bounded_and_the_training_is_unchanged():
    plain, watched = seeded_network(0), seeded_network(0)
    watched.record_health(every=1, capacity=8)
    plain.fit(STREETLIGHTS, WALK_VS_STOP, 0.2)
    watched.fit(STREETLIGHTS, WALK_VS_STOP, 0.2)
    for a, b in zip(plain.layers[:-1], watched.layers[:-1]):
        assert np.array_equal(a.weight_row_mat, b.weight_row_mat)
    h = watched.histories["health/hidden"]
    assert len(h) <= 9 and h.steps[0] == 1 and h.steps[-1] > 100  # thinned evenly over the whole run
    with pytest.raises(ValueError, match="records layer health already"):
        watched.record_health()


def test_the_health_figure_has_a_row_per_layer_with_what_was_recorded(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from simnet.history import load_histories
    from simnet.plots.health import plot_health

    net = seeded_network(0)
    net.record_health(every=4)
    net.fit(STREETLIGHTS, WALK_VS_STOP, 0.2)
    net.save_history(tmp_path / "history.npz")
    histories, _ = load_histories(tmp_path / "history.npz")  # drawn from the file alone
    fig = plot_health(histories, tmp_path / "health.png", unit="sample")
    axes = fig.axes
    assert len(axes) == 8  # 2 layers x 4 panels
    dead = axes[0].get_lines()[0]
    assert dead.get_label() == "dead fraction"
    h = histories["health/hidden"]
    assert list(dead.get_xdata()) == list(h.steps) and list(dead.get_ydata()) == list(h.values[:, 0])
    assert "hidden (relu)" in axes[0].get_ylabel() and "output (linear)" in axes[4].get_ylabel()
    assert any("neither dies nor saturates" in t.get_text() for t in axes[4].texts)
    assert axes[2].get_yscale() == "log" and axes[3].get_yscale() == "log"
    assert axes[7].get_xlabel() == "samples done"
    assert "window of 4 samples" in fig._suptitle.get_text()
    assert (tmp_path / "health.png").stat().st_size > 10_000


def test_the_explorer_shows_health_offline_and_live():
    from explorer_support import LiveStreetlights, request

    from simnet.explorer.export import page_data

    net = seeded_network(0)
    net.record_health(every=4)
    net.fit(STREETLIGHTS, WALK_VS_STOP, 0.2)
    data = page_data(net.all_histories(), {"network": net.structure()})
    h = net.histories["health/hidden"]
    assert data["health"]["hidden"]["t"] == h.steps.tolist()
    assert data["health"]["hidden"]["v"][-1][0] == h.values[-1][0] == 0.5
    run = LiveStreetlights(iterations=3)
    run.network.record_health(every=4)
    try:
        request(run.live.url, "/control", "POST", {"action": "resume"})
        run.thread.join(20)
        run.live.finish()
        frames = request(run.live.url, "/state?since=-1")[1]["frames"]
    finally:
        run.close()
    rows = [f["health"] for f in frames if f.get("health")]
    assert rows and rows[-1]["hidden"][0] == 12  # the last window: after 3 iterations of 4 samples
    latest = run.network.health.latest["hidden"]
    sent = [np.nan if v is None else v for v in rows[-1]["hidden"][1]]  # NaN travels as null
    assert sent == pytest.approx([latest[k] for k in HEALTH], nan_ok=True, rel=1e-5)
