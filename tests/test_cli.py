"""Specification of myonn/cli.py's exits: one line and a status, and no traceback from a late Ctrl-C."""

import signal

import pytest

from myonn import cli
from myonn.errors import MyonnError


def test_a_problem_is_one_line_and_status_2_and_a_ctrl_c_while_exiting_is_ignored(capsys):
    def main():
        raise MyonnError("data/x.npz: not a model file")

    with pytest.raises(SystemExit) as stopped:
        cli.run(main)
    assert stopped.value.code == 2
    assert capsys.readouterr().err.endswith("error: data/x.npz: not a model file\n")
    # Python waits for threads as it shuts down; a Ctrl-C then came out as a traceback.
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_a_clean_end_exits_with_the_status_main_returned():
    with pytest.raises(SystemExit) as stopped:
        cli.run(lambda: 130)
    assert stopped.value.code == 130 and signal.getsignal(signal.SIGINT) is signal.SIG_IGN
