"""benchmarks/report.py's writing: the README's speed section between its markers, docs/speed.md's tables and
the CNN's verdict, from results of the shape the paired benchmarks return (no timing here)."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

report = pytest.importorskip("report")
import cnn_epoch  # noqa: E402
import dense_epoch  # noqa: E402
import growth  # noqa: E402


def rounds(values, **extra):
    return [dict(seconds=v, cpu_seconds=v, peak_rss_mb=200.0, threads={"simnet threads": 2}, **extra)
            for v in values]


def fake_results():
    dense = {}
    for b in (1, 32):
        res = {"simnet": rounds([1.0, 1.1, 0.9], steps=100, samples=100, data="test set"),
               "numpy": rounds([1.0, 1.0, 1.0]), "PyTorch": rounds([2.0, 2.0, 2.2])}
        dense[b] = {"results": res, "torch_gap": 1e-7}
    cnn_res = {n: rounds(v, images=4000, batches=20, data="test images")
               for n, v in (("simnet", [9.0, 10.0, 11.0]), ("numpy reference", [12.0, 12.0, 12.0]),
                            ("PyTorch", [10.0, 9.0, 10.0]))}
    layers = {"conv1 forward": 5.0, "pool1 backward": 4.0, "conv2 backward": 6.0, "whole step": 30.0}
    prof = {n: [{"layers_ms": layers, "seconds": 0.03}] for n in cnn_res}
    cnn = {"gaps": {"simnet": 1e-7, "PyTorch": 2e-6}, "results": cnn_res, "profile": prof, "images": 4000,
           "batch": 200, "rounds": 3}
    grown = {"batch": {"points": [1, 32], "us": {"simnet": {1: [10.0, 11.0], 32: [3.0, 3.0]},
                                               "numpy": {1: [9.0, 9.0], 32: [3.0, 2.0]},
                                               "PyTorch": {1: [100.0, 90.0], 32: [2.0, 2.0]}}}}
    return dense, cnn, grown


def test_the_report_writes_its_tables_and_only_the_readme_section_between_the_markers(tmp_path):
    dense, cnn, grown = fake_results()
    args = report.parse_args(["--quick"])
    d_args, c_args, g_args = (dense_epoch.parse_args(["--rounds", "3"]), cnn_epoch.parse_args(["--profile", "5"]),
                              growth.parse_args(["--rounds", "2"]))
    m = {"date": "2026-12-06 04:00 UTC", "cores": 2, "cpu": "a CPU", "load": (0.1, 0.2, 0.3), "python": "3.11",
         "numpy": "2.4", "blas": "OpenBLAS", "torch": "PyTorch 2", "threads": {"SIMNET_THREADS": "default"}}
    md, short = report.render(m, "python benchmarks/report.py --quick", "load average 0.10 0.20 0.30", dense,
                              dense_epoch.table(dense, 3), cnn, cnn_epoch.table(cnn), cnn_epoch.profile_table(cnn),
                              grown, growth.table(grown), report.where(grown), args, d_args, c_args, g_args)
    assert "python benchmarks/report.py --quick" in short and m["date"] in short
    assert "The machine was busy" not in short and "2 cores (a CPU), load average 0.10 0.20 0.30" in short
    busy = report.busy_note({"load": (9.5, 8.0, 7.0), "cores": 2}, "load average 3.00 2.00 1.00")
    assert busy.startswith("**The machine was busy** (load average 9.5 at the start and 3.0 at the end, on 2 cores)")
    assert report.busy_note({"load": (0.5, 0.4, 0.3), "cores": 2}, "load average 1.00 0.50 0.20") == ""
    # simnet / PyTorch per round: 9/10, 10/9, 11/10 -> median 1.10, range 0.90-1.11
    assert "| larger CNN, one epoch of 4,000 images, batch 200 | 10.0 s | 12.0 s | 10.0 s |" in short
    assert "**1.10x (0.90-1.11)**" in short
    assert "The CNN's epoch took 1.10x (0.90-1.11) of PyTorch's time (median and range of 3 rounds): above" in md
    assert "conv2 backward 6.0 ms (PyTorch 6.0)" in md
    # batch sweep: simnet / PyTorch 0.10 and 0.12 at batch 1 (median 0.11), 1.5 at 32: ahead at 1, behind at 32
    assert "batch size (784-128-10), simnet / PyTorch: ahead at 1, behind at 32" in short
    assert "| conv2 backward | 6.00 | 6.00 | 6.00 |" in md
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n## Speed\n\n<!-- speed:begin -->\nold\n<!-- speed:end -->\n\n## Next\nkept\n")
    report.write_readme(str(readme), short)
    text = readme.read_text()
    assert "old" not in text and text.endswith("<!-- speed:end -->\n\n## Next\nkept\n")
    assert text.count("<!-- speed:begin -->") == 1 and "**1.10x (0.90-1.11)**" in text
    fig = growth.figure(grown, str(tmp_path / "g.png"), "test")
    assert os.path.getsize(fig) > 10000


def test_a_readme_without_markers_is_left_alone(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n")
    report.write_readme(str(readme), "new")
    assert readme.read_text() == "# x\n"
    assert "no <!-- speed:begin -->" in capsys.readouterr().out
