"""Names read from files never become paths: figure names made from layer names are made safe and
every figure is written inside its folder, whatever a crafted history.npz says."""
import os

import numpy as np
import pytest

from simnet import Network
from simnet.cli import main
from simnet.plots.common import figure_name, figure_paths
from simnet.saving.files import inside, safe_name

CRAFTED = ["../../escaped", "/tmp/absolute_evil", "a/../../b", "..", "x" * 400, "name\x00nul", "C:\\win\\evil"]


@pytest.mark.parametrize("name", CRAFTED + ["input", "conv 1"])
def test_figure_names_have_no_separators_no_dotdot_and_a_bounded_length(name):
    safe = figure_name(f"{name}_neurons.png")
    assert os.sep not in safe and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert ".." not in safe and not safe.startswith(".") and len(safe) <= 120 and safe.endswith(".png")
    if name in ("input", "conv 1"):
        assert safe == f"{name}_neurons.png"  # ordinary names are kept as they are


def test_paths_outside_their_folder_are_refused(tmp_path):
    with pytest.raises(ValueError, match="outside"):
        inside(tmp_path, "../x.png")
    with pytest.raises(ValueError, match="outside"):
        inside(tmp_path, "/etc/x.png")
    os.symlink("/tmp", tmp_path / "link")
    with pytest.raises(ValueError, match="outside"):
        inside(tmp_path, "link/x.png")
    _, out = figure_paths(tmp_path / "figs")
    assert out("../../x.png") == str(tmp_path / "figs" / "____x.png")
    assert safe_name("a" * 300 + ".png").endswith(".png")


def test_simnet_plot_of_a_crafted_history_writes_only_inside_plots(tmp_path, capsys):
    names = ["../../escaped", str(tmp_path / "absolute_evil"), "x" * 300]
    net = Network.build([2, 3, 1], seed=0)
    for layer, name in zip(net.layers, names):
        layer.name = name
    net.record_all()
    net.fit(np.eye(2), np.ones((2, 1)) * 0.5, 0.1, max_iter=3)
    net.save_history(tmp_path / "in" / "history.npz", {"sample_labels": ["a", "b"]})
    before = set(os.listdir(tmp_path))
    assert main(["plot", str(tmp_path / "in" / "history.npz"), "--plots", str(tmp_path / "plots" / "p")]) == 0
    written = capsys.readouterr().out.split()
    assert len(written) > 3
    for path in written:
        assert os.path.realpath(path).startswith(str(tmp_path / "plots" / "p") + os.sep)
    assert set(os.listdir(tmp_path)) == before | {"plots"}
    assert os.listdir(tmp_path / "plots") == ["p"]
    assert not os.path.exists(tmp_path.parent / "escaped_neurons.png")
