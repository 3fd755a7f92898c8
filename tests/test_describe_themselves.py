"""Optimizers and activations describe themselves (issue 20, case 9): config() / from_config(), and a new
optimizer or activation is one class, saved and loaded with no change anywhere else.  The writers that
bypassed the atomic writer (init weights, the explorer page, the notebook view) go through it."""
import errno
import os

import numpy as np
import pytest
from explorer_support import X, Y, streetlights_network

import simnet.saving.files as files
from simnet import SGD, Adam, Momentum, Network, SimpleLayer
from simnet.activations import ACTIVATIONS, Activation, LeakyReLU, get_activation
from simnet.optimizers import OPTIMIZERS, Optimizer
from simnet.saving import load_network, save_network


@pytest.mark.parametrize("opt", [SGD(0.1), Momentum(0.05, beta=0.8), Adam(0.002, beta1=0.85, eps=1e-7),
                                 Adam(0.01).set_l2(5.0, 1000), SGD(0.2, l1=0.5, n=10)])
def test_optimizers_round_trip_their_config(opt):
    again = Optimizer.from_config(opt.config())
    assert type(again) is type(opt) and again.config() == opt.config() and repr(again) == repr(opt)


@pytest.mark.parametrize("act", ["linear", "relu", "sigmoid", "tanh", "softmax", LeakyReLU(0.2)])
def test_activations_round_trip_their_config(act):
    act = get_activation(act)
    again = Activation.from_config(act.config())
    assert type(again) is type(act) and again.config() == act.config()


@pytest.fixture
def rmsprop():
    class RMSProp(Optimizer):
        """An optimizer added by one class: its name, settings and state, nothing else anywhere."""

        name = "rmsprop"
        settings = ("rho",)
        state_arrays = ("s",)

        def __init__(self, alpha, rho=0.9, l2=0.0, n=None, l1=0.0):
            super().__init__(alpha, l2, n, l1)
            self.rho = rho

        def update(self, param, grad, state):
            s = state.setdefault("s", np.zeros_like(param))
            s *= self.rho
            s += (1 - self.rho) * grad * grad
            param += self.alpha * grad / (np.sqrt(s) + 1e-8)

    yield RMSProp
    OPTIMIZERS.pop("rmsprop")


@pytest.fixture
def scaled_tanh():
    class ScaledTanh(Activation):
        name = "scaled_tanh"
        settings = ("scale",)

        def __init__(self, scale=1.0):
            self.scale = scale

        def forward(self, x, out=None):
            return np.multiply(np.tanh(x, out=out), self.scale, out=out)

        def derivative(self, y, out=None):
            return np.subtract(self.scale, y * y / self.scale, out=out)

    yield ScaledTanh
    ACTIVATIONS.pop("scaled_tanh")


def test_a_new_optimizer_and_activation_are_saved_and_loaded_with_no_other_change(tmp_path, rmsprop, scaled_tanh):
    out = SimpleLayer("output", 1)
    hidden = SimpleLayer("hidden", 4, target=out, activation=scaled_tanh(1.5), rng=np.random.default_rng(0))
    inp = SimpleLayer("input", 3, target=hidden, rng=np.random.default_rng(1))
    net = Network([inp, hidden, out])
    opt = rmsprop(0.01, rho=0.8)
    net.fit(X, Y, opt, max_iter=5)
    save_network(tmp_path / "run", net, opt, {"epochs": 5})
    loaded, opt2, _ = load_network(tmp_path / "run")
    assert type(opt2) is rmsprop and opt2.rho == 0.8 and opt2.alpha == 0.01
    assert type(loaded.layer("hidden").activation) is scaled_tanh and loaded.layer("hidden").activation.scale == 1.5
    np.testing.assert_array_equal(loaded.input.weight_state["s"], net.input.weight_state["s"])
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    net.fit(X, Y, opt, max_iter=3)  # going on from the loaded run follows the same path
    loaded.fit(X, Y, opt2, max_iter=3)
    np.testing.assert_array_equal(loaded.input.weight_row_mat, net.input.weight_row_mat)


def _disk_full(monkeypatch):
    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", fsync)


@pytest.mark.parametrize("writer", ["init_weights_npz", "init_weights_json", "page", "notebook"])
def test_writers_write_whole_files_or_leave_the_old_one(tmp_path, monkeypatch, writer):
    import simnet
    from simnet.explorer.page import write
    from simnet.saving.init_weights import save_weights

    net = streetlights_network()
    net.fit(X, Y, 0.2, max_iter=3)
    path = tmp_path / {"init_weights_npz": "w.npz", "init_weights_json": "w.json"}.get(writer, "page.html")
    path.write_bytes(b"the old file")
    do = {"init_weights_npz": lambda: save_weights(path, net), "init_weights_json": lambda: save_weights(path, net),
          "page": lambda: write(simnet.view(net).data, path), "notebook": lambda: simnet.view(net).save(path)}[writer]
    _disk_full(monkeypatch)
    with pytest.raises(OSError):
        do()
    assert path.read_bytes() == b"the old file"
    assert os.listdir(tmp_path) == [path.name]  # no part of a file left beside it
    monkeypatch.undo()
    do()
    assert path.read_bytes() != b"the old file" and os.listdir(tmp_path) == [path.name]
