"""Specification of bench/peer.py's failures (its table is measured against the peer app, not tested):
each is one line on stderr and exit status 2, as the scripts' own (myonn/cli.py)."""

import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import REPOSITORY_ROOT
from myonn.errors import shortened

PEER = REPOSITORY_ROOT / "bench" / "peer.py"

spec = importlib.util.spec_from_file_location("peer_bench", PEER)
peer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer)


def run_peer(*flags):
    return subprocess.run([sys.executable, str(PEER), *map(str, flags)], capture_output=True, text=True, timeout=120)


def test_a_peer_that_fails_is_one_line_and_exit_status_2(tmp_path):
    # sys.exit("the peer's Python failed: …"): exit status 1, and not in the scripts' form.
    failing = tmp_path / "python"
    failing.write_text("#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
                       "echo \"ModuleNotFoundError: No module named 'nn_digits'\" >&2\nexit 1\n")
    failing.chmod(0o755)
    result = run_peer("--peer-python", failing, "--per-digit", "1")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == ("peer.py: error: the peer's Python failed: "
                                                      "ModuleNotFoundError: No module named 'nn_digits'")


def a_peer(folder, script):
    """A stand-in for the peer's Python (peer_answers runs `PYTHON -c SCRIPT`): a shell script."""
    python = folder / "python"
    python.write_text(f"#!/bin/sh\ncat > /dev/null\n{script}\n")
    python.chmod(0o755)
    return python


@pytest.mark.parametrize("script, complaint", [
    # Each table then compared its share of the answers with its labels: NumPy's traceback.
    ("echo 0.98; echo 7; echo 7", "the peer's Python gave 2 answers for 3 drawings"),
    ("echo 0.98; for n in 1 2 3 4; do echo 7; done", "the peer's Python gave 4 answers for 3 drawings"),
    # Bytes that are not UTF-8 were a UnicodeDecodeError, on its output or its error output alike.
    (r"printf '\377\376 not a number\n'",
     "the peer's Python gave no answers (its output began '\ufffd\ufffd not a number\\n')"),
    (r"printf 'fails \377\n' >&2; exit 1", "the peer's Python failed: fails \ufffd"),
])
def test_answers_the_bench_cannot_use_are_one_line_and_exit_status_2(tmp_path, capsys, script, complaint):
    with pytest.raises(SystemExit) as stopped:   # as the script runs it
        peer.cli.run(lambda: peer.peer_answers(a_peer(tmp_path, script), None, [[[(0, 0), (5, 5)]]] * 3))
    assert stopped.value.code == 2
    assert capsys.readouterr().err.endswith(f": error: {complaint}\n")


def running(pid):
    """Whether process `pid` is running (a zombie, ended but not yet reaped, is not)."""
    try:
        with open(f"/proc/{pid}/stat") as status:
            return status.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def stopped_soon(pid):
    """Whether process `pid` is stopped within 5 s (a SIGKILL acts a moment after it is sent)."""
    deadline = time.monotonic() + 5
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    return not running(pid)


def a_peer_with_a_child(folder):
    """A stand-in peer that starts a child (sleep) which would run for a minute, writes its number to
    child.pid, and waits for it."""
    return a_peer(folder, f"sleep 60 &\necho $! > {folder / 'child.pid.part'}\n"
                          f"mv {folder / 'child.pid.part'} {folder / 'child.pid'}\nwait")


def test_a_peer_that_gives_no_answers_in_time_is_stopped_with_what_it_started(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(peer, "SECONDS_TO_START", 1)
    with pytest.raises(SystemExit) as stopped:   # as the script runs it
        peer.cli.run(lambda: peer.peer_answers(a_peer_with_a_child(tmp_path), None, [[[(0, 0), (5, 5)]]] * 20))
    assert stopped.value.code == 2
    assert capsys.readouterr().err.endswith(": error: the peer's Python gave no answers in 2 s: stopped\n")
    assert stopped_soon(int((tmp_path / "child.pid").read_text()))


def test_a_ctrl_c_stops_the_peer_with_what_it_started(tmp_path):
    """A stand-in shell script was stopped, and its child ran on (the real peer is one process)."""
    child_pid_file = tmp_path / "child.pid"

    def ctrl_c_once_the_child_runs():
        deadline = time.monotonic() + 30
        while not child_pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)   # as a Ctrl-C comes

    threading.Thread(target=ctrl_c_once_the_child_runs, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        peer.peer_answers(a_peer_with_a_child(tmp_path), None, [[[(0, 0), (5, 5)]]] * 3)
    assert stopped_soon(int(child_pid_file.read_text()))


def test_a_peer_that_answered_leaves_nothing_it_started_running(tmp_path):
    """A stand-in shell script gave its answers and ended; its child, writing elsewhere, ran on."""
    child_pid_file = tmp_path / "child.pid"
    python = a_peer(tmp_path, f"sleep 60 > /dev/null 2>&1 &\necho $! > {child_pid_file}\necho 0.98; echo 7; echo 7")
    assert peer.peer_answers(python, None, [[[(0, 0), (5, 5)]]] * 2)[0] == 0.98
    assert stopped_soon(int(child_pid_file.read_text()))


@pytest.mark.parametrize("daemon", ["exec sleep 60", "while :; do echo; sleep 0.02; done"], ids=["quiet", "writing"])
def test_a_peer_that_answered_and_ended_is_not_waited_on_for_a_daemon_holding_its_output(tmp_path, monkeypatch,
                                                                                         daemon):
    """A stand-in that answered and ended, leaving a daemon in a session of its own (setsid, out of reach
    of its process group) that held its output open: the bench waited for that output's end, its whole
    time limit (five minutes and more), with every answer in. So it did when the daemon wrote a blank
    line every 20 ms: each time the bench looked, the output had something new in it, and it read on."""
    daemon_pid_file = tmp_path / "daemon.pid"
    # The daemon writes its own number (after setsid, sh -c's $$ is the process that becomes the daemon), and
    # the stand-in answers once it has: the daemon is in its own session by then, with the output open.
    python = a_peer(tmp_path, f"setsid sh -c 'echo $$ > {daemon_pid_file}.part && mv {daemon_pid_file}.part "
                              f"{daemon_pid_file} && {daemon}' &\n"
                              f"while [ ! -e {daemon_pid_file} ]; do sleep 0.01; done\n"
                              "echo 0.98; echo 7; echo 3")
    monkeypatch.setattr(peer, "SECONDS_TO_START", 15)   # not five minutes, for the test
    started = time.monotonic()
    try:
        mnist, answers = peer.peer_answers(python, None, [[[(0, 0), (5, 5)]]] * 2)
        assert time.monotonic() - started < 10
        assert mnist == 0.98 and answers.tolist() == [7, 3]
    finally:
        if daemon_pid_file.exists():   # in a session of its own: nothing of the bench's stops it
            try:
                os.kill(int(daemon_pid_file.read_text()), signal.SIGKILL)
            except ProcessLookupError:   # the writing one ends when its output is closed
                pass


@pytest.mark.parametrize("script, complaint", [
    ("yes", "the peer's Python wrote more than 4,288 bytes of output (its answers take a few bytes a drawing): "
            "stopped"),
    ("yes >&2", "the peer's Python wrote more than 1,048,576 bytes of error output (its answers take a few bytes "
                "a drawing): stopped"),
])
def test_a_peer_that_writes_without_end_is_stopped_at_once_in_one_line(tmp_path, capsys, script, complaint):
    """Its output was read whole, however much: `yes` would have filled the memory, for five minutes."""
    started = time.monotonic()
    with pytest.raises(SystemExit) as stopped:   # as the script runs it
        peer.cli.run(lambda: peer.peer_answers(a_peer(tmp_path, script), None, [[[(0, 0), (5, 5)]]] * 3))
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert error.endswith(f": error: {complaint}\n") and error.count("\n") == 1
    assert time.monotonic() - started < 30


def test_a_failing_peers_last_line_is_quoted_shortened_to_one_line(tmp_path, capsys):
    # Another program's last line of error output, any length: 5,000 characters were quoted whole.
    with pytest.raises(SystemExit) as stopped:
        peer.cli.run(lambda: peer.peer_answers(a_peer(tmp_path, "printf '%05000d\\n' 7 >&2; exit 1"), None,
                                               [[[(0, 0), (5, 5)]]] * 3))
    assert stopped.value.code == 2
    assert capsys.readouterr().err.endswith(f": error: the peer's Python failed: {shortened('0' * 4999 + '7')}\n")


@pytest.mark.parametrize("flags, complaint", [
    # "Permission denied", from the system, after every drawing was made.
    (["--peer-python", "{folder}"], "--peer-python {folder}: is a folder, not a Python (a virtual environment's "
                                    "is its bin/python)"),
    (["--peer-python", "{folder}/notes.txt"], "--peer-python {folder}/notes.txt: is not a program that can be run"),
    (["--peer-python", "{folder}/nowhere"], "--peer-python {folder}/nowhere: no such file or command"),
    # After the usage block, and after the model was loaded and every drawing made.
    (["--peer-python", sys.executable, "--peer-size", "0"], "argument --peer-size: must be a whole number from 1 "
                                                            "to 280, not '0'"),
])
def test_a_peer_python_or_size_that_cannot_be_is_one_line_before_any_work(tmp_path, flags, complaint):
    (tmp_path / "notes.txt").write_text("")
    result = run_peer(*(flag.format(folder=tmp_path) for flag in flags))
    assert result.returncode == 2
    assert result.stderr == f"peer.py: error: {complaint.format(folder=tmp_path)}\n"


def test_a_peer_python_not_there_is_named_shortened_to_one_line(tmp_path, capsys):
    # Printed back whole, it ran over some 40 lines of a terminal.
    nowhere = tmp_path.joinpath(*["y" * 200] * 15, "python")  # 3,000 characters, each name allowed
    with pytest.raises(SystemExit) as stopped:
        peer.cli.run(lambda: peer.check_peer_python(nowhere))
    assert stopped.value.code == 2
    complaint = f"--peer-python {shortened(nowhere)}: no such file or command"
    assert capsys.readouterr().err.endswith(f": error: {complaint}\n") and len(complaint) < 200


@pytest.mark.parametrize("accuracy", [None, "high"], ids=["null", "text"])
def test_a_model_recording_no_mnist_accuracy_that_is_a_number_is_compared_all_the_same(tmp_path, accuracy):
    # A Ruby YAML model records none, a model's info edited by hand null or text: 100 * None, a traceback.
    from myonn.model import load_model, save_model
    model = load_model()
    model.info = {**model.info, "test_accuracy": accuracy}
    save_model(model, tmp_path / "edited.npz")
    answering = tmp_path / "python"  # answers 7 to every drawing, one a line, after its MNIST accuracy
    answering.write_text("#!/bin/sh\necho 0.98\nwhile read line; do echo 7; done\n")
    answering.chmod(0o755)
    result = run_peer("--peer-python", answering, "--model", tmp_path / "edited.npz", "--per-digit", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ours: edited.npz (no accuracy recorded on MNIST's test set); ")
