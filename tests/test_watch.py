"""Watchpoints (simnet.watch): the grammar, the step they fire at, and the debugger they open."""
import os
import subprocess
import sys

import numpy as np
import pytest

from simnet.streetlights import STREETLIGHTS, WALK_VS_STOP, seeded_network
from simnet.watch import parse


def test_the_grammar_reads_what_the_docs_show_and_names_what_is_wrong():
    net = seeded_network(0)
    assert parse("hidden.dead > 0.5", net).kind == "health"
    c = parse("  error<0.01 ")
    assert (c.kind, c.op, c.number, str(c)) == ("error", "<", 0.01, "error < 0.01")
    assert parse("step == 120").number == 120 and parse("NaN").kind == "nan"
    cases = [("hidden.dead >> 1", "cannot read the watchpoint"), ("hidden.deadd > 1", "'deadd' is not a layer health"),
             ("hiden.dead > 1", "no layer 'hiden' with health; layers are ['hidden', 'output']"),
             ("loss < 1", "'loss' is not 'step', 'error' or LAYER.STAT"), ("error < x", "'x' is not a number"),
             ("error < nan", "not NaN")]
    for text, reason in cases:
        with pytest.raises(ValueError, match=reason.replace("[", r"\[").replace("(", r"\(")):
            parse(text, net)
    with pytest.raises(ValueError, match="does not record; declare it first"):
        net.pause_when("hidden.dead > 0.5")
    assert net.watch.points == []  # refused: nothing declared


def fired_steps(condition, window=1, alpha=0.2, **fit):
    net = seeded_network(0)
    net.record_health(every=4)
    wp = net.pause_when(condition, window=window)
    paused = []
    net.watch.on_pause.append(lambda fired, state, source: paused.append(state.step))
    net.fit(STREETLIGHTS, WALK_VS_STOP, alpha, **fit)
    assert wp.fired == paused
    return net, wp.fired


def test_watchpoints_fire_at_the_step_where_their_condition_becomes_true():
    assert fired_steps("step == 120")[1] == [120]
    net, steps = fired_steps("hidden.dead >= 0.5")
    h = net.histories["health/hidden"]
    first = int(h.steps[np.flatnonzero(h.values[:, 0] >= 0.5)[0]])
    assert steps == [first] == [8]  # one window of 4 samples after it first reads 0.25; it stays true
    # the error of whole iterations (window 4): the first iteration whose mean error is below 0.01, once
    net, steps = fired_steps("error < 0.01", window=4)
    errors = net.histories["error/average"].values
    assert steps == [4 * (int(np.flatnonzero(errors < 0.01)[0]) + 1)]
    # a callable gets the state
    _, steps = fired_steps(lambda st: st.step % 100 == 0 and st.step > 0)
    assert steps == [100, 200]
    # NaN: a linear network with a learning rate that diverges fires 'nan' at the first step that is not finite
    from simnet import Network

    with np.errstate(all="ignore"):
        net = Network.build([3, 4, 1], activations=["linear", "linear"], seed=0)
        net.pause_when("nan")
        seen = []
        net.watch.on_pause.append(lambda fired, state, source: seen.append(state.step))
        for k in range(400):
            net.step(STREETLIGHTS[k % 4:k % 4 + 1], WALK_VS_STOP[k % 4:k % 4 + 1], 2.0)
            if not np.isfinite(net.output.sample_errors).all():
                break
    assert seen == [k + 1]


def test_the_scenario_refuses_a_watchpoint_it_cannot_read(capsys):
    from simnet.cli import main as cli_main

    assert cli_main(["run", "streetlights", "--pause-when", "hidden.dead > 0.5"]) == 2
    assert "--pause-when pauses the live explorer: add --live" in capsys.readouterr().err
    assert cli_main(["run", "streetlights", "--break-when", "output.dead = 1"]) == 2
    assert "--break-when: cannot read the watchpoint 'output.dead = 1'" in capsys.readouterr().err


@pytest.mark.slow
def test_break_when_stops_in_pdb_at_that_step_with_the_layers_in_scope(tmp_path):
    """--break-when 'step == 8' opens pdb after 8 samples (driven through its stdin): the layers are in scope by
    name and hold the values of that step; 'c' goes on and the run ends as it would have."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONBREAKPOINT"}
    env.update(PYTHONPATH=root, MPLBACKEND="Agg")
    commands = "p step\np hidden.neuron_row_array.tolist()\np input.weight_row_mat.tolist()\np fired\nc\n"
    out = subprocess.run([sys.executable, "-m", "simnet", "run", "streetlights", "--break-when", "step == 8",
                          "--no-plots"], input=commands, capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "watchpoint 'step == 8' fired after 8 steps" in out.stderr
    assert "(Pdb) 8\n" in out.stdout
    net = seeded_network(0)
    for k in range(8):  # the very same 8 samples, by hand
        net.step(STREETLIGHTS[k % 4:k % 4 + 1], WALK_VS_STOP[k % 4:k % 4 + 1], 0.2)
    printed = out.stdout.split("(Pdb) ")
    assert np.allclose(eval(printed[2].strip()), net.layer("hidden").neuron_row_array.tolist())
    assert np.allclose(eval(printed[3].strip()), net.input.weight_row_mat.tolist())
    assert "converged after 58 iterations" in out.stdout  # 'c': the run went on to its end
