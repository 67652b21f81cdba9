"""Specification of myonn/early_ctrl_c.py: a Ctrl-C while a script loads NumPy stops it at once, in every script.

Each script is started with a NumPy that loads for as long as the test wants (SLOW_NUMPY, found first on
PYTHONPATH): so the Ctrl-C lands while NumPy loads, every time, however busy the machine, and not in
Python's own start-up before the script's first line, where no script can do anything about it.
"""

import os
import signal
import subprocess
import sys

import pytest

from conftest import REPOSITORY_ROOT, ignore_ctrl_c

SCRIPTS = ["mnist_train.py", "mnist_draw.py", "mnist_render.py", "mnist_test.py",
           *(f"bench/{name}.py" for name in ("handwriting", "peer", "real_handwriting", "retrain", "teach_time",
                                             "train_bench", "augment_before", "draw_frame"))]

# It says that it has begun loading, then waits for a line on standard input; given one, it ends the
# script there, with status 0 (what the script does next is not this test's business).
SLOW_NUMPY = """\
import os, sys
os.write(2, b"NumPy loading\\n")
sys.stdin.readline()
os.write(2, b"NumPy loaded\\n")
os._exit(0)
"""


def started_loading_numpy(script, tmp_path, **popen):
    """`script` started with SLOW_NUMPY, once it has begun loading it."""
    (tmp_path / "numpy").mkdir()
    (tmp_path / "numpy" / "__init__.py").write_text(SLOW_NUMPY)
    process = subprocess.Popen([sys.executable, script], cwd=REPOSITORY_ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(tmp_path)}, **popen)
    assert process.stderr.readline() == "NumPy loading\n", process.communicate(timeout=60)
    return process


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_ctrl_c_while_numpy_loads_stops_the_script_at_once_without_a_traceback(script, tmp_path):
    process = started_loading_numpy(script, tmp_path)
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGINT)  # pressed twice, as an impatient person does
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and stderr == "", stderr
    assert stdout == ("stopped before any training: nothing saved\n" if script == "mnist_train.py" else "")


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_script_started_with_ctrl_c_ignored_goes_on_ignoring_it(script, tmp_path):
    # Started in the background by a shell script (or by any program that ignores Ctrl-C), a program
    # inherits Ctrl-C ignored, and should keep it so; the user scripts took it back, and stopped.
    process = started_loading_numpy(script, tmp_path, preexec_fn=ignore_ctrl_c)
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate("go on\n", timeout=60)
    assert process.returncode == 0 and stderr == "NumPy loaded\n" and stdout == "", stderr
