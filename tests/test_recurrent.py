"""The recurrent and embedding layers: backpropagation through time against finite differences and PyTorch."""
import os

import numpy as np
import pytest
from helpers import numeric_gradient

from simnet.layer import SimpleLayer
from simnet.network import Network
from simnet.optimizers import SGD
from simnet.sequence import Embedding, Recurrent

WORDS = [3, 0, 4, 4, 1, 2]  # a sentence of token ids, one repeated


def sequence_network(activation, emit, seed=0, vocab=5):
    rng = np.random.default_rng(seed)
    words = SimpleLayer("words", vocab)
    embed = Embedding("embedding", 3)
    hidden = Recurrent("hidden", 4, activation=activation, emit=emit, bias=True)
    out = SimpleLayer("output", vocab, activation="softmax")
    words.connect(embed, rng=rng)
    embed.connect(hidden, rng=rng)
    hidden.connect(out, rng=rng)
    hidden.recurrent_row_mat = rng.normal(0, 0.6, (4, 4))
    hidden.start[...] = rng.normal(0, 0.5, 4)
    hidden.bias[...] = rng.normal(0, 0.1, 4)
    return Network([words, embed, hidden, out], loss="cross_entropy")


def forward_error(net, x, goal):
    net.input.set_neurons(x)
    for layer in net.layers:
        layer.train()
    net.output.calc_delta(goal)
    return float(net.output.sample_errors.mean())


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", None])
@pytest.mark.parametrize("emit", ["after", "before"])
def test_bptt_matches_finite_differences(activation, emit):
    net = sequence_network(activation, emit)
    x = np.eye(5)[WORDS]
    goal = np.eye(5)[WORDS[1:] + WORDS[:1]]
    words, embed, hidden, _ = net.layers
    params = {"embedding": words.weight_row_mat, "input weights": embed.weight_row_mat,
              "recurrent": hidden.recurrent_row_mat, "start": hidden.start, "bias": hidden.bias,
              "decoder": hidden.weight_row_mat}
    numeric = {k: numeric_gradient(lambda: forward_error(net, x, goal), p) for k, p in params.items()}
    before = {k: p.copy() for k, p in params.items()}
    forward_error(net, x, goal)
    for layer in reversed(net.layers):
        layer.learn(SGD(1.0))
    for k, p in params.items():  # one step of SGD with alpha 1 moves each parameter by -dE/dparam
        np.testing.assert_allclose(before[k] - p, numeric[k], rtol=1e-5, atol=1e-8, err_msg=k)
    assert hidden.states.shape == (len(WORDS) + 1, 4) and hidden.step_delta.shape == (len(WORDS) + 1, 4)


def test_book_gradients_are_chapter_12s_code():
    """gradients='book' applies the updates Grokking Deep Learning's chapter 12 code applies (transcribed here)."""
    rng = np.random.default_rng(3)
    vocab, n = 6, 3
    E, D = rng.normal(0, 0.3, (vocab, n)), rng.normal(0, 0.3, (n, vocab))
    R, start = np.eye(n) + rng.normal(0, 0.1, (n, n)), rng.normal(0, 0.1, n)
    sent, alpha = [2, 5, 0, 5, 1], 0.1
    words, embed = SimpleLayer("words", vocab), Embedding("embedding", n)
    hidden = Recurrent("hidden", n, activation=None, input_weights=False, emit="before", gradients="book")
    out = SimpleLayer("output", vocab, activation="softmax")
    words.connect(embed, weights=E)
    embed.connect(hidden)
    hidden.connect(out, weights=D)
    hidden.recurrent_row_mat, hidden.start[...] = R, start
    net = Network([words, embed, hidden, out], loss="cross_entropy")
    net.input.set_neurons(np.eye(vocab)[sent])
    for layer in net.layers:
        layer.train()
    net.output.calc_delta(np.eye(vocab)[sent])
    for layer in reversed(net.layers):
        layer.learn(SGD(alpha))

    def softmax(v):
        e = np.exp(v - np.max(v))
        return e / e.sum()
    E, D, R, start = E.copy(), D.copy(), R.copy(), start.copy()
    hiddens, preds = [start], []
    for w in sent:
        preds.append(softmax(hiddens[-1] @ D))
        hiddens.append(hiddens[-1] @ R + E[w])
    deltas = [None] * (len(sent) + 1)
    for k in range(len(sent), -1, -1):
        if k > 0:
            new = (preds[k - 1] - np.eye(vocab)[sent[k - 1]]) @ D.T
            deltas[k] = new if k == len(sent) else new + deltas[k + 1] @ R.T
        else:
            deltas[k] = deltas[1] @ R.T
    scale = alpha / len(sent)
    start_new = start - deltas[0] * scale
    D_new, E_new, R_new = D.copy(), E.copy(), R.copy()
    for k in range(len(sent)):
        D_new -= np.outer(hiddens[k], preds[k] - np.eye(vocab)[sent[k]]) * scale
        E_new[sent[k]] -= deltas[k] * scale
        R_new -= np.outer(hiddens[k], deltas[k + 1]) * scale
    for name, got, want in (("decoder", hidden.weight_row_mat, D_new), ("embedding", words.weight_row_mat, E_new),
                            ("recurrent", hidden.recurrent_row_mat, R_new), ("start", hidden.start, start_new)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15, err_msg=name)


def test_embedding_looks_up_rows_and_refuses_other_inputs():
    words, embed = SimpleLayer("words", 4), Embedding("embedding", 2)
    words.connect(embed, weights=np.arange(8.0).reshape(4, 2))
    words.set_neurons(np.eye(4)[[2, 2, 0]])
    assert np.array_equal(embed.train(), [[4, 5], [4, 5], [0, 1]])
    words.set_neurons([[0.5, 0.5, 0, 0]])
    with pytest.raises(ValueError, match="embedding 'embedding'.*one-hot rows.*row 0"):
        embed.train()


def test_recurrent_errors_name_the_layer():
    with pytest.raises(ValueError, match="recurrent layer 'h'.*source must have 3 neurons.*'x' has 2"):
        SimpleLayer("x", 2).connect(Recurrent("h", 3, input_weights=False))
    layer = Recurrent("h", 3)
    with pytest.raises(ValueError, match=r"recurrent layer 'h': recurrent_row_mat must have shape \(3, 3\)"):
        layer.recurrent_row_mat = np.eye(2)
    with pytest.raises(ValueError, match="emit must be 'after' or 'before'"):
        Recurrent("h", 3, emit="during")
    src = SimpleLayer("x", 2, target=layer, rng=np.random.default_rng(0))
    src.set_neurons(np.ones((4, 2)))
    layer.delta = np.zeros((4, 3))
    with pytest.raises(ValueError, match="recurrent layer 'h': learn\\(\\) needs the forward step"):
        layer.learn(0.1)


def test_inference_changes_nothing():
    net = sequence_network("tanh", "after")
    x = np.eye(5)[WORDS]
    forward_error(net, x, np.eye(5)[WORDS])
    hidden = net.layer("hidden")
    states = hidden.states.copy()
    y = net.predict(x)
    assert np.array_equal(hidden.states, states)
    np.testing.assert_allclose(y, net.output.neuron_row_array, rtol=1e-12)


# ---- PyTorch as the oracle ----------------------------------------------------------------------------
# PyTorch's answers for the case below are recorded in tests/data/pytorch_rnn.npz (written by
# `python tests/test_recurrent.py`, where torch is installed), so the check runs everywhere; where torch
# imports, the slow tier also asks it again.
ORACLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "pytorch_rnn.npz")
STEPS, N_IN, N = 7, 3, 4


def oracle_case():
    """The inputs, weights and output gradient of the comparison (seeded)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(STEPS, N_IN))
    W, R, b = rng.normal(0, 0.5, (N_IN, N)), rng.normal(0, 0.5, (N, N)), rng.normal(0, 0.1, N)
    start, G = rng.normal(0, 0.5, N), rng.normal(size=(STEPS, N))
    return x, W, R, b, start, G


def simnet_answer(activation):
    """simnet's rows and the changes one SGD(1.0) step makes for the loss sum(G * rows)."""
    x, W, R, b, start, G = oracle_case()
    src = SimpleLayer("x", N_IN)
    layer = Recurrent("h", N, activation="tanh" if activation == "tanh" else None, bias=True)
    src.connect(layer, weights=W)
    layer.recurrent_row_mat, layer.bias[...], layer.start[...] = R, b, start
    src.set_neurons(x)
    rows = layer.train().copy()
    # the loss sum(G * rows): its delta (the ascent direction) is G times the derivative
    layer.delta = layer.activation.backprop(G, rows)
    w0, r0, s0, b0 = W.copy(), R.copy(), start.copy(), b.copy()
    layer.learn(SGD(1.0))
    return {"rows": rows, "input weights": src.weight_row_mat - w0, "recurrent": layer.recurrent_row_mat - r0,
            "start": layer.start - s0, "bias": layer.bias - b0}


def torch_answer(torch, activation):
    """PyTorch's rows and gradients of sum(G * rows) for the same case (nn.RNN for tanh; for the identity,
    which nn.RNN has not, the same recurrence written out, through autograd)."""
    x, W, R, b, start, G = oracle_case()

    def t(a):
        return torch.tensor(a, dtype=torch.float64, requires_grad=True)

    xt, Wt, Rt, bt, st = t(x), t(W.T), t(R.T), t(b), t(start)
    if activation == "tanh":
        rnn = torch.nn.RNN(N_IN, N, nonlinearity="tanh", bias=True, dtype=torch.float64)
        with torch.no_grad():
            rnn.weight_ih_l0.copy_(Wt)
            rnn.weight_hh_l0.copy_(Rt)
            rnn.bias_ih_l0.copy_(bt)
            rnn.bias_hh_l0.zero_()
        h0 = torch.tanh(st)
        out, _ = rnn(xt[:, None], h0[None, None])  # (steps, batch 1, features)
        out = out[:, 0]
        (out * torch.tensor(G)).sum().backward()
        grads = (rnn.weight_ih_l0.grad.T, rnn.weight_hh_l0.grad.T, st.grad, rnn.bias_ih_l0.grad)
    else:
        h, outs = st, []
        for k in range(STEPS):
            h = h @ Rt.T + xt[k] @ Wt.T + bt
            outs.append(h)
        out = torch.stack(outs)
        (out * torch.tensor(G)).sum().backward()
        grads = (Wt.grad.T, Rt.grad.T, st.grad, bt.grad)
    return {"rows": out.detach().numpy(), **{name: g.detach().numpy() for name, g in
                                              zip(("input weights", "recurrent", "start", "bias"), grads)}}


def assert_same(got, want):
    np.testing.assert_allclose(got["rows"], want["rows"], rtol=1e-12, atol=1e-12)
    for name in ("input weights", "recurrent", "start", "bias"):
        np.testing.assert_allclose(got[name], want[name], rtol=1e-10, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("activation", ["tanh", "identity"])
def test_matches_pytorch_rnn_as_recorded(activation):
    with np.load(ORACLE) as f:
        recorded = {k.split("/", 1)[1]: f[k] for k in f.files if k.startswith(activation + "/")}
    assert set(recorded) == {"rows", "input weights", "recurrent", "start", "bias"}
    assert_same(simnet_answer(activation), recorded)


@pytest.mark.slow  # importing torch takes seconds
@pytest.mark.parametrize("activation", ["tanh", "identity"])
def test_matches_pytorch_rnn(activation):
    torch = pytest.importorskip("torch")
    assert_same(simnet_answer(activation), torch_answer(torch, activation))


def test_saving_refuses_what_it_cannot_hold_before_writing(tmp_path):
    from simnet.saving import save_network

    net = sequence_network("tanh", "after")
    with pytest.raises(ValueError, match="layer 'embedding' is an embedding layer \\(Embedding\\), which the save "
                                         "format does not hold yet"):
        save_network(tmp_path / "run", net)
    assert not (tmp_path / "run").exists()


def test_book_sections_network_saves_and_loads(tmp_path):
    from simnet.grokking import chapter10_network
    from simnet.saving import load_network, save_network

    np.random.seed(1)
    book = chapter10_network(book=True)
    with pytest.raises(ValueError, match="activation softmax\\(subtract_max=False\\), a named choice"):
        save_network(tmp_path / "book", book)
    np.random.seed(1)
    net = chapter10_network(book=False)
    save_network(tmp_path / "run", net)
    loaded, _ = load_network(tmp_path / "run")[:2]
    x = np.random.default_rng(0).random((3, 784))
    assert type(loaded.layers[1]).__name__ == "Conv2DSections" and loaded.layers[1].positions == "valid"
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))


if __name__ == "__main__":  # record PyTorch's answers (tests/data/pytorch_rnn.npz), where torch is installed
    import torch as _torch

    answers = {f"{a}/{k}": v for a in ("tanh", "identity") for k, v in torch_answer(_torch, a).items()}
    np.savez(ORACLE, **answers)
    print(f"wrote {ORACLE} (PyTorch {_torch.__version__})")
