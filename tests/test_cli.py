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


def test_after_a_ctrl_c_more_of_them_are_ignored_while_the_script_leaves(capsys):
    printed = []

    def main():
        raise KeyboardInterrupt

    real_print = print
    def print_noting_ctrl_c(*arguments, **named):   # the blank line cli.run prints on its way out
        printed.append(signal.getsignal(signal.SIGINT))
        real_print(*arguments, **named)

    cli.print = print_noting_ctrl_c
    try:
        with pytest.raises(SystemExit) as stopped:
            cli.run(main)
    finally:
        del cli.print
    assert stopped.value.code == 130 and printed == [signal.SIG_IGN]


def test_a_second_ctrl_c_in_training_stops_at_once_and_a_third_is_ignored():
    from myonn.training import stop_on_interrupt

    with stop_on_interrupt() as stop:
        handler = signal.getsignal(signal.SIGINT)
        handler(signal.SIGINT, None)                  # the first asks training to stop after its batch
        assert stop.requested
        with pytest.raises(KeyboardInterrupt):        # the second stops it at once
            handler(signal.SIGINT, None)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
