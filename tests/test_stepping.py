"""Stepping through really works: pdb stops inside a layer's backward step."""
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_pdb_breakpoint_inside_learn():
    layer_py = os.path.join(ROOT, "simnet", "layer.py")
    with open(layer_py) as f:
        line = next(i for i, text in enumerate(f, 1) if "self.pass_delta()" in text)  # in learn()
    commands = "\n".join([
        f"break {layer_py}:{line}",
        "continue",
        "p self.name",
        "p ('DELTA', self.delta.tolist())",
        "p src.weight_row_mat.shape",
        "p src.name",
        "quit",
    ]) + "\n"
    result = subprocess.run([sys.executable, "-m", "pdb", os.path.join(ROOT, "scenarios", "streetlights.py"),
                             "--no-plots"], input=commands, capture_output=True, text=True, timeout=60,
                            cwd=ROOT)
    out = result.stdout
    assert f"layer.py({line})learn()" in out
    assert "'output'" in out and "'hidden'" in out
    assert "(4, 1)" in out
    # the first sample: goal 1 minus the initial network's prediction for lights [1, 0, 1]
    np.random.seed(0)
    w12 = 2 * np.random.random((4, 1)) - 1
    w01 = 2 * np.random.random((3, 4)) - 1
    expected = 1 - (np.maximum(0, np.array([1.0, 0, 1]) @ w01) @ w12)[0]
    delta = float(out.split("('DELTA', [[")[1].split("]]")[0])
    assert delta == expected
