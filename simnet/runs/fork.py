"""``simnet fork RUN --at STEP [--edit ...]``: a run continued from one of its recorded states, into a new folder.

A scenario that records full states (``simnet.rewind``) writes ``states.npz`` and ``run.json`` (its
name, the options it was run with and the option that names its folder) beside its history.  Forking
runs the same scenario with the same options, its folder the new one, from the state after STEP steps:
the network, the optimizer's state and the data order exactly as they were, then the edits.  Without an
edit the fork repeats the original's later steps bit for bit.
"""
import json
import os

from .usage import UsageError

RUN_RECORD = "run.json"
EDIT_HELP = "LAYER.weights[I,J]=VALUE or LAYER.bias[I]=VALUE, or nothing"
STATES = "states.npz"
# options of the original run that a fork does not repeat (the live page, watchpoints, an earlier fork's)
DROPPED = {"--live": "optional", "--live-host": 1, "--pace": 1, "--pause-when": 1, "--break-when": 1,
           "--resume-state": 1, "--resume-at": 1, "--edit": 1}


def fork_arguments(p):
    """Add what a forked run is started with: ``--resume-state FILE``, ``--resume-at STEP``, ``--edit E``."""
    from ..rewind import EDIT_GRAMMAR

    p.add_argument("--resume-state", metavar="FILE", help="start from a state in FILE (a run's states.npz; "
                                                          "simnet fork RUN --at STEP writes this for you)")
    p.add_argument("--resume-at", type=int, metavar="STEP", help="with --resume-state: the state after STEP steps")
    p.add_argument("--edit", action="append", default=[], metavar="EDIT",
                   help=f"with --resume-state: change a value first, {EDIT_GRAMMAR}")


def write_run_record(folder, scenario, argv, folder_option):
    """``run.json`` in ``folder``: what ``simnet fork`` needs to run this scenario again."""
    from ..saving.files import write_file

    record = {"scenario": scenario, "argv": list(argv), "folder_option": folder_option}
    write_file(os.path.join(folder, RUN_RECORD), lambda f: f.write(json.dumps(record, indent=1).encode()))


def _without(argv, dropped):
    out, k = [], 0
    while k < len(argv):
        a = argv[k]
        name = a.split("=", 1)[0]
        if name in dropped:
            takes = dropped[name]
            if "=" in a:
                k += 1
            elif takes == "optional":
                k += 2 if k + 1 < len(argv) and not argv[k + 1].startswith("-") else 1
            else:
                k += 1 + takes
            continue
        out.append(a)
        k += 1
    return out


def fork_argv(run, at, edits=(), out=None):
    """``(scenario, argv, out)``: the command line that continues ``run`` from its state after ``at`` steps."""
    from ..rewind import state_steps

    record_path = os.path.join(run, RUN_RECORD)
    states = os.path.join(run, STATES)
    if not os.path.isdir(run):
        raise UsageError(f"simnet fork: {run} is not a run folder")
    if not (os.path.exists(record_path) and os.path.exists(states)):
        raise UsageError(f"simnet fork: {run} holds no {RUN_RECORD} and {STATES}; a run records its states when it "
                         f"writes its folder (streetlights: --plots, the image scenarios: --save)")
    from ..saving.files import open_regular

    try:
        with open_regular(record_path, 2**24, "a run record") as f:  # no FIFO, device or folder
            record = json.loads(f.read().decode("utf-8"))
    except json.JSONDecodeError as e:
        raise UsageError(f"simnet fork: {record_path}: not valid JSON ({e})") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise UsageError(f"simnet fork: {e}") from None
    try:
        steps = state_steps(states)
    except ValueError as e:
        raise UsageError(f"simnet fork: {e}") from None
    if at not in steps:
        near = sorted(sorted(steps, key=lambda s: abs(s - at))[:4])
        raise UsageError(f"simnet fork: {run} kept no state after {at} steps; the nearest are after {near} steps "
                         f"({len(steps)} states, {steps[0]}..{steps[-1]})")
    out = out or os.path.normpath(run) + f"-fork-{at}"
    if os.path.abspath(out) == os.path.abspath(run):
        raise UsageError("simnet fork: --out must be a new folder, not the run's own")
    argv = _without(list(record["argv"]), DROPPED)
    argv += [record["folder_option"], out, "--resume-state", states, "--resume-at", str(at)]
    for change in edits:
        argv += ["--edit", change]
    return record["scenario"], argv, out


def fork_live(folder, scenario, argv, folder_option, recorder, write_history, at, edit=""):
    """The live page's Fork here, in the training thread of a paused run: ``simnet fork`` started in the
    background from the kept state at (or just before) step ``at``, with ``edit`` if one is given.

    The fork runs in its own process and session (a Ctrl-C or Stop of this run leaves it running), into
    ``FOLDER-fork-STEP`` (``-2``, ``-3`` ... if that is taken), its output in ``FOLDER-fork-STEP.log``.  What it
    starts from is written first, as this run is now, beside them in ``FOLDER-fork-STEP.origin/``
    (``history.npz`` through ``write_history(path)``, ``states.npz``, ``run.json``): this run goes on, thins
    its states and rewrites (or, with ``--save``, replaces) its own folder, and the fork must still find its
    start.  Returns what the page shows: the step, the folder, the log, the pid and the command.  A
    ValueError (a bad edit) says why before anything is written."""
    import shlex
    import subprocess
    import sys

    import simnet

    from ..rewind import check_edit, save_states

    if isinstance(at, bool) or not isinstance(at, int) or at < 0:
        raise ValueError(f"at must be a step (an int >= 0), got {at!r}")
    if not isinstance(edit, str) or len(edit) > 200:
        raise ValueError("edit must be text of at most 200 characters: " + EDIT_HELP)
    edit = edit.strip()
    if edit:
        check_edit(recorder.network, edit)
    recorder.close()  # the state of now is kept too
    steps = recorder.recorded_steps
    chosen = max([s for s in steps if s <= at] or steps[:1])
    out, k = os.path.normpath(folder) + f"-fork-{chosen}", 1
    while any(os.path.exists(out + end) for end in ("", ".log", ".origin")):
        k += 1
        out = os.path.normpath(folder) + f"-fork-{chosen}-{k}"
    source = out + ".origin"
    os.makedirs(source)
    write_history(os.path.join(source, "history.npz"))
    save_states(os.path.join(source, STATES), recorder)
    write_run_record(source, scenario, argv, folder_option)
    words = ["fork", source, "--at", str(chosen), "--out", out] + (["--edit", edit] if edit else [])
    env = dict(os.environ)  # the same simnet, wherever it was imported from
    root = os.path.dirname(os.path.dirname(os.path.abspath(simnet.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    with open(out + ".log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "simnet", *words], stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    return {"at": chosen, "folder": out, "log": out + ".log", "pid": proc.pid,
            "command": shlex.join(["simnet", *words])}


def main(args):
    """The ``fork`` subcommand (``args.run``, ``args.at``, ``args.edit``, ``args.out``): runs the fork."""
    from .registry import run as run_scenario

    scenario, argv, out = fork_argv(args.run, args.at, args.edit, args.out)
    print(f"simnet fork: {args.run} after {args.at} steps -> {out}" + (f" (edits: {', '.join(args.edit)})"
                                                                       if args.edit else ""), flush=True)
    return run_scenario([scenario, *argv])
