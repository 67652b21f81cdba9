"""Specification of myonn/cli.py's exits: one line and a status, and no traceback from a late Ctrl-C."""

import argparse
import errno
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from myonn import cli
from myonn.errors import MyonnError, echoed, shortened


def test_a_problem_is_one_line_and_status_2_and_a_ctrl_c_while_exiting_is_ignored(capsys):
    def main():
        raise MyonnError("data/x.npz: not a model file")

    with pytest.raises(SystemExit) as stopped:
        cli.run(main)
    assert stopped.value.code == 2
    assert capsys.readouterr().err.endswith("error: data/x.npz: not a model file\n")
    # Python waits for threads as it shuts down; a Ctrl-C then came out as a traceback.
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_a_name_in_a_message_shows_a_byte_that_is_not_utf8_as_that_byte(capsys):
    # Python holds the byte 0xff of a name as the lone surrogate \udcff, which repr shows as such: a
    # code the user never typed. A backslash the name itself holds stays a backslash.
    assert [shortened(name) for name in (" \udcff", "\udc80 ")] == ["' \\xff'", "'\\x80 '"]
    assert echoed("x\udcff") == "'x\\xff'"
    assert echoed("\\udcff\\\udcfe") == "'\\\\udcff\\\\\\xfe'"
    assert echoed("\udcff" * 50) == "'" + "\\xff" * 40 + "'… (50 characters)"

    def main():
        raise MyonnError("/tmp/\udcff.npz: not a model file")   # not quoted: errors.printable shows it so too

    with pytest.raises(SystemExit):
        cli.run(main)
    assert capsys.readouterr().err.endswith("error: /tmp/\\xff.npz: not a model file\n")


def test_a_file_error_names_the_file_shortened_to_one_line(capsys):
    # The net under the scripts' own checks: `--peer-python` 5,000 characters long was printed back whole.
    name = "/tmp/" + "x" * 5000

    def main():
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), name)

    with pytest.raises(SystemExit) as stopped:
        cli.run(main)
    assert stopped.value.code == 2
    assert capsys.readouterr().err.endswith(f"error: {shortened(name)}: File name too long\n")


def test_a_path_in_a_message_is_quoted_where_its_ends_or_a_character_could_not_be_seen_and_only_there(capsys):
    assert [shortened(name) for name in ("", " ", " x.npz", "x.npz ", "x\u3000")] == \
        ["''", "' '", "' x.npz'", "'x.npz '", "'x\\u3000'"]    # a blank repr cannot show as it is, escaped
    # A character drawn as nothing at all, anywhere in the name, is quoted so that repr shows it: "x\u200b.npz"
    # read as x.npz, a file that is not there.
    assert [shortened(name) for name in ("x\u200b.npz", "m.npz\ufeff")] == ["'x\\u200b.npz'", "'m.npz\\ufeff'"]
    assert [shortened(name) for name in ("数字/é.npz", "x\udcff.npz")] == ["数字/é.npz", "x\udcff.npz"]
    # Cut to one line, its ends are kept, and so is the quoting they need.
    assert shortened(" " + "x" * 5000) == repr(" " + "x" * 59 + "…" + "x" * 60)
    # A name seen as it is stays as it was (many messages quote it so), its control characters shown
    # escaped by the line they are in (errors.printable), and a space within it seen for the words around it.
    assert [shortened(name) for name in ("data/my model.npz", "x.npz\n", "\tx.npz", "x" * 121)] == \
        ["data/my model.npz", "x.npz\n", "\tx.npz", "x" * 60 + "…" + "x" * 60]

    def main():
        raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), "mnist ")

    with pytest.raises(SystemExit):
        cli.run(main)
    assert capsys.readouterr().err.endswith("error: 'mnist ': No such file or directory\n")


def test_a_ctrl_c_while_the_problem_is_being_printed_changes_nothing(capsys, monkeypatch):
    """Before the error line is printed Ctrl-C is already ignored: one that came meanwhile was a traceback."""
    def main():
        raise MyonnError("no data")

    printing = cli.one_line

    def ctrl_c_meanwhile(problem):
        signal.raise_signal(signal.SIGINT)
        return printing(problem)
    monkeypatch.setattr(cli, "one_line", ctrl_c_meanwhile)
    with pytest.raises(SystemExit) as stopped:
        cli.run(main)
    assert stopped.value.code == 2 and capsys.readouterr().err.endswith("error: no data\n")


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


def test_signals_the_script_was_started_ignoring_stay_ignored_to_the_end():
    # A script started in the background by a shell script inherits Ctrl-C ignored, and one started with
    # nohup a closed terminal's SIGHUP: run took Ctrl-C back (a KeyboardInterrupt, exit 130), and let a
    # SIGHUP end the process once the work was done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    seen = []

    def main():
        seen.extend([signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGHUP)])
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGHUP)
        return 0

    with pytest.raises(SystemExit) as ended:
        cli.run(main)
    assert ended.value.code == 0 and seen == [signal.SIG_IGN, signal.SIG_IGN]
    assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN


def test_a_second_ctrl_c_in_training_stops_at_once_and_a_third_is_ignored():
    from myonn.training import stop_on_interrupt

    with stop_on_interrupt() as stop:
        handler = signal.getsignal(signal.SIGINT)
        handler(signal.SIGINT, None)                  # the first asks training to stop after its batch
        assert stop.requested
        with pytest.raises(KeyboardInterrupt):        # the second stops it at once
            handler(signal.SIGINT, None)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_a_signal_while_interruptions_are_held_acts_once_the_block_is_done():
    import os

    signal.signal(signal.SIGINT, signal.default_int_handler)  # as the scripts have it (a background job ignores it)
    terminated = []
    signal.signal(signal.SIGTERM, lambda number, frame: terminated.append(number))
    done = []
    with pytest.raises(KeyboardInterrupt):
        with cli.interruptions_held():
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGTERM)
            done.append("both changes")
    assert done == ["both changes"] and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with cli.interruptions_held():
        os.kill(os.getpid(), signal.SIGTERM)
        assert terminated == []
    assert terminated == [signal.SIGTERM]


def test_a_signal_ignored_stays_ignored_while_interruptions_are_held():
    import os

    signal.signal(signal.SIGHUP, signal.SIG_IGN)                  # under nohup
    terminated = []
    signal.signal(signal.SIGTERM, lambda number, frame: terminated.append(number))
    with cli.interruptions_held():
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        os.kill(os.getpid(), signal.SIGHUP)                       # the terminal closes ...
        os.kill(os.getpid(), signal.SIGTERM)                      # ... and a kill comes after
    assert terminated == [signal.SIGTERM]


def test_a_script_that_ends_before_a_signal_sent_again_acts_ends_with_its_status():
    import os

    def main():  # a take-back not saved with a kill held, and Escape queued behind it
        try:
            with cli.interruptions_held():
                os.kill(os.getpid(), signal.SIGTERM)
                raise MyonnError("No space left on device")
        except MyonnError:
            pass
        return 0

    with pytest.raises(SystemExit) as ended:
        cli.run(main)
    assert ended.value.code == 143
    with pytest.raises(SystemExit) as ended:  # and the next run in this process starts afresh
        cli.run(lambda: 0)
    assert ended.value.code == 0


def test_a_block_that_fails_while_interruptions_are_held_says_why_before_the_signal_acts():
    import os

    signal.signal(signal.SIGINT, signal.default_int_handler)
    said = []
    with pytest.raises(KeyboardInterrupt):
        try:
            with cli.interruptions_held():
                os.kill(os.getpid(), signal.SIGINT)
                raise MyonnError("data/my_mnist_nn.npz: No space left on device")   # a take-back not saved
        except MyonnError as error:
            said.append(str(error))                      # the window prints it, and goes on ...
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:               # ... until the Ctrl-C acts, a moment later
            time.sleep(0.001)
    assert said == ["data/my_mnist_nn.npz: No space left on device"] and time.monotonic() < deadline


class Dying:
    """An object whose __del__ raises `error`, as a progress bar's did when a signal came as it was collected."""

    def __init__(self, error):
        self.error = error

    def __del__(self):
        raise self.error


@pytest.mark.parametrize("interrupt, status", [(KeyboardInterrupt(), 130), (cli.Ended(signal.SIGTERM), 143)],
                         ids=["Ctrl-C", "kill"])
def test_a_signal_python_cannot_raise_in_a_del_is_not_shown_and_acts_once_out_of_it(interrupt, status, monkeypatch):
    import sys

    shown = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: shown.append(type(unraisable.exc_value)))
    went_on = []

    def main():
        Dying(ValueError("a real bug"))  # still shown, as Python shows it
        Dying(interrupt)
        for step in range(1000):         # the work goes on a moment, not to its end
            went_on.append(step)
            time.sleep(0.002)
        return 0

    with pytest.raises(SystemExit) as ended:
        cli.run(main)
    assert ended.value.code == status and shown == [ValueError] and len(went_on) < 500


def test_a_script_started_with_nohup_goes_on_when_the_terminal_closes(monkeypatch):
    signal.signal(signal.SIGHUP, signal.SIG_IGN)                # as nohup starts it
    during = []
    with pytest.raises(SystemExit):
        cli.run(lambda: during.append((signal.getsignal(signal.SIGHUP), signal.getsignal(signal.SIGTERM))))
    assert during == [(signal.SIG_IGN, cli.end_on_signal)]


@pytest.mark.parametrize("script", ["mnist_train.py", "mnist_draw.py", "mnist_test.py", "mnist_render.py"])
def test_help_names_your_own_model_where_it_is_even_in_a_folder_named_with_a_percent_sign(script, tmp_path):
    import subprocess
    import sys

    from conftest import REPOSITORY_ROOT

    folder = tmp_path / "100% mine"   # argparse reads % in a help text as the start of a value to fill in
    result = subprocess.run([sys.executable, script, "--help"], cwd=REPOSITORY_ROOT, capture_output=True, text=True,
                            env={**os.environ, "MYONN_MODEL_DIR": str(folder)})
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "100% mine/my_mnist_nn.npz" in " ".join(result.stdout.split()).replace("/ ", "/")


def run_onto_a_full_disk(command):
    """`command` run from the project with its output going to a full disk (/dev/full), held back as
    Python holds it back unless told otherwise (the project's tests may run with PYTHONUNBUFFERED)."""
    from conftest import REPOSITORY_ROOT

    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        return subprocess.run(command, cwd=REPOSITORY_ROOT, stdout=full, stderr=subprocess.PIPE, text=True,
                              env=environment, timeout=120)


@pytest.mark.parametrize("script", ["mnist_train.py", "mnist_draw.py", "mnist_test.py", "mnist_render.py",
                                    *(f"bench/{name}.py" for name in ("handwriting", "peer", "real_handwriting",
                                                                      "retrain", "teach_time", "train_bench",
                                                                      "draw_frame"))])  # each that takes flags
def test_help_lost_to_a_full_disk_is_a_failure_said_in_one_line(script):
    """argparse prints the help and exits 0 itself, past run()'s check on the output: the text was lost,
    and the script said 0."""
    result = run_onto_a_full_disk([sys.executable, script, "--help"])
    assert (result.returncode, result.stderr) == (
        2, f"{Path(script).name}: error: could not write all of the output: No space left on device\n")


def test_a_short_output_lost_to_a_full_disk_is_a_failure_said_in_one_line():
    """Held back until Python's own flush on the way out, after run() had looked for a failed write:
    a line lost so was exit status 0."""
    result = run_onto_a_full_disk([sys.executable, "-c", "from myonn import cli; cli.run(lambda: print('the report'))"])
    assert (result.returncode, result.stderr) == (2, "-c: error: could not write all of the output: "
                                                     "No space left on device\n")


def test_a_line_break_in_a_problem_is_shown_escaped_so_the_problem_stays_one_line(capsys):
    def main():  # a folder name can hold a line break: MYONN_DATA_DIR=$'/tmp/x\ny'
        raise MyonnError("MNIST not found in /tmp/x\ny")

    with pytest.raises(SystemExit):
        cli.run(main)
    assert capsys.readouterr().err.endswith("error: MNIST not found in /tmp/x\\ny\n")
    with pytest.raises(SystemExit) as stopped:
        cli.ArgumentParser(prog="script.py").error("cannot write /tmp/a\r\nb.png")
    assert stopped.value.code == 2
    assert capsys.readouterr().err == "script.py: error: cannot write /tmp/a\\r\\nb.png\n"


def test_a_terminals_control_characters_in_a_problem_are_shown_escaped_not_obeyed(capsys):
    """A mirror's status line, quoted in the error, recoloured the line and renamed the terminal window."""
    def main():
        raise MyonnError("bad status line '\x1b[31mRED \x1b]0;TITLE\x07\x1b[2K\x00\x9b'")

    with pytest.raises(SystemExit):
        cli.run(main)
    assert capsys.readouterr().err.endswith(
        "error: bad status line '\\x1b[31mRED \\x1b]0;TITLE\\x07\\x1b[2K\\x00\\x9b'\n")
    with pytest.raises(SystemExit):
        cli.run(lambda: (_ for _ in ()).throw(MyonnError("x\u202egpj.npz: not a model")))
    assert capsys.readouterr().err.endswith("error: x\\u202egpj.npz: not a model\n")   # not shown reversed


def test_a_file_name_that_is_not_utf8_is_printed_escaped_not_as_a_traceback(capsys):
    # The byte 0xff in a name comes to Python as the lone surrogate \udcff, which a strict UTF-8
    # stream (capsys's, a UTF-8 desktop's terminal) cannot encode.
    with pytest.raises(SystemExit) as stopped:
        cli.run(lambda: print("saved to /tmp/\udcff/b.npz"))
    assert stopped.value.code == 0
    assert capsys.readouterr().out == "saved to /tmp/\\udcff/b.npz\n"


def test_the_scripts_own_characters_are_escaped_in_the_c_locale_and_a_name_s_bytes_go_back_as_they_came():
    """Under LC_ALL=C PYTHONUTF8=0, stdout is ASCII with Python's surrogateescape: training's line
    with "→" was a traceback before any training, and mnist_render.py's with "—" after its picture."""
    program = "from myonn import cli\ncli.run(lambda: print('rate 0.1 \\u2192 0.02 \\u2014 /tmp/\\udcff\\u00e9.npz'))\n"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=60,
                            env={**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""})
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
    assert result.stdout == b"rate 0.1 \\u2192 0.02 \\u2014 /tmp/\xff\\xe9.npz\n"


def test_a_picture_cannot_be_written_over_a_folder(tmp_path):
    (tmp_path / "shots.png").mkdir()
    with pytest.raises(argparse.ArgumentTypeError, match="it is a folder"):
        cli.png_path(str(tmp_path / "shots.png"))
    assert cli.png_path(str(tmp_path / "shot.png")) == tmp_path / "shot.png"


def test_an_empty_data_dir_is_refused_not_taken_for_the_current_folder(capsys):
    parser = cli.ArgumentParser(prog="script.py")
    cli.add_data_dir_flag(parser)
    with pytest.raises(SystemExit) as stopped:
        parser.parse_args(["--data-dir", ""])
    assert stopped.value.code == 2
    assert capsys.readouterr().err == ("script.py: error: argument --data-dir: an empty path names no folder "
                                       "(for the current folder, give .)\n")
    assert parser.parse_args(["--data-dir", "."]).data_dir == Path(".")


def test_a_folder_flag_naming_a_file_or_a_path_under_one_is_refused_in_one_line(tmp_path, capsys):
    """`--examples /etc/passwd` said "/etc/passwd: File exists", mkdir's words; under a file, "Not a
    directory"; a link to nothing, "File exists" again."""
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "gone").symlink_to(tmp_path / "moved")
    parser = cli.ArgumentParser(prog="script.py")
    cli.add_data_dir_flag(parser)
    for given, complaint in ((tmp_path / "notes.txt", f"{tmp_path / 'notes.txt'} is a file, not a folder"),
                             (tmp_path / "notes.txt" / "a" / "b", f"{tmp_path / 'notes.txt'} is a file, not a folder"),
                             (tmp_path / "gone" / "a", f"{tmp_path / 'gone'} is a link to {tmp_path / 'moved'}, "
                                                       "which is not there")):
        with pytest.raises(SystemExit) as stopped:
            parser.parse_args(["--data-dir", str(given)])
        assert stopped.value.code == 2
        assert capsys.readouterr().err == f"script.py: error: argument --data-dir: {complaint}\n"
    # A folder not there yet, however deep, is for the script to make.
    assert cli.folder_path(str(tmp_path / "new" / "deeper")) == tmp_path / "new" / "deeper"


def test_a_folder_flag_refused_names_its_paths_shortened_to_one_line(tmp_path, capsys):
    """A link's target can be 4,000 characters long, some 50 lines of a terminal, and a file's path as
    long: each was printed back whole."""
    far = "/".join(["z" * 200] * 20)
    (tmp_path / "gone").symlink_to(far)
    deep = tmp_path / ("a" * 200) / ("b" * 200)
    deep.mkdir(parents=True)
    (deep / "notes.txt").write_text("")
    parser = cli.ArgumentParser(prog="script.py")
    cli.add_data_dir_flag(parser)
    for given, complaint in ((tmp_path / "gone", f"{tmp_path / 'gone'} is a link to {shortened(far)}, "
                                                 "which is not there"),
                             (deep / "notes.txt" / "x", f"{shortened(deep / 'notes.txt')} is a file, not a folder")):
        with pytest.raises(SystemExit) as stopped:
            parser.parse_args(["--data-dir", str(given)])
        assert stopped.value.code == 2
        message = capsys.readouterr().err
        assert message == f"script.py: error: argument --data-dir: {complaint}\n" and len(message) < 400


def test_an_empty_file_path_is_refused_not_taken_for_the_current_folder(capsys):
    """`--model ''` was reported as ".: is a directory, not a model file", and `--my-digits ''` as
    "cannot read your digits .: Is a directory"."""
    parser = cli.ArgumentParser(prog="script.py")
    cli.add_model_flag(parser)
    parser.add_argument("--my-digits", type=cli.file_path)
    parser.add_argument("--screenshot", type=cli.png_path)
    for flag in ("--model", "--my-digits", "--screenshot"):
        with pytest.raises(SystemExit) as stopped:
            parser.parse_args([flag, ""])
        assert stopped.value.code == 2
        assert capsys.readouterr().err == f"script.py: error: argument {flag}: an empty path names no file\n"


def test_a_leading_tilde_in_a_path_flag_is_your_home_folder(tmp_path, monkeypatch):
    """Quoted, or after `--flag=`, the shell leaves ~ as it is: a folder named ~ was made in the current folder."""
    monkeypatch.setenv("HOME", str(tmp_path))
    parser = cli.ArgumentParser(prog="script.py")
    cli.add_model_flag(parser)
    cli.add_data_dir_flag(parser)
    parser.add_argument("--my-digits", type=cli.file_path)
    parser.add_argument("--plot", type=cli.png_path)
    flags = parser.parse_args(["--model", "~/m.npz", "--data-dir", "~/mnist", "--my-digits", "~/mine.jsonl",
                               "--plot", "~/curve.png"])
    assert (flags.model, flags.data_dir, flags.my_digits, flags.plot) == (
        tmp_path / "m.npz", tmp_path / "mnist", tmp_path / "mine.jsonl", tmp_path / "curve.png")


def test_a_value_too_long_is_echoed_shortened_and_a_number_too_large_is_said_to_be(capsys, monkeypatch):
    """LIMIT set to 5,000 nines was echoed whole, and said not to be a whole number of at least 1."""
    nines = "9" * 5000
    shown = "'" + "9" * 40 + "'… (5,000 characters)"
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        cli.positive_int(nines)
    assert str(refused.value) == f"{shown} is too large: must be a whole number of at least 1, of at most 4,300 digits"
    assert cli.positive_int("0" * 5000 + "7") == 7          # leading zeros: not too large (audit 17)
    assert cli.positive_int("\u0660" * 5000 + "7") == 7     # in any script's digits (audit 18)
    with pytest.raises(argparse.ArgumentTypeError, match="must be a whole number of at least 1, not '0000"):
        cli.positive_int("0" * 5000)
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        cli.whole_number_at_least(1, 10_000)("10001")
    assert str(refused.value) == "'10001' is too large: must be a whole number from 1 to 10,000"
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        cli.positive_float("1e400")   # infinity, as float() reads it
    assert str(refused.value) == "'1e400' is too large: must be a finite number greater than 0"
    with pytest.raises(argparse.ArgumentTypeError, match=f"not {re.escape(shown)}$"):
        cli.confusion_cell(nines)
    monkeypatch.setenv("LIMIT", nines)
    with pytest.raises(MyonnError, match=f"^environment variable LIMIT: {re.escape(shown)} is too large"):
        cli.environment_default("LIMIT", cli.positive_int, None)
    parser = cli.ArgumentParser(prog="script.py")
    parser.add_argument("--recipe", choices=["talk", "best"])
    for arguments, complaint in [(["--recipe", "x" * 5000], "argument --recipe: invalid choice: '" + "x" * 40
                                  + "'… (5,000 characters) (choose from 'talk', 'best')"),
                                 (["x" * 5000], "unrecognized arguments: '" + "x" * 40 + "'… (5,000 characters)")]:
        with pytest.raises(SystemExit):
            parser.parse_args(arguments)
        assert capsys.readouterr().err == f"script.py: error: {complaint}\n"


def test_sigterm_ends_a_script_through_its_cleaning_up_with_the_shells_status():
    """kill's SIGTERM ended the process where it stood, leaving a half-written file beside the model."""
    import os

    cleaned_up = []

    def main():
        try:
            os.kill(os.getpid(), signal.SIGTERM)   # as `kill PID` does, in the middle of the work
            signal.pause() if hasattr(signal, "pause") else None
        finally:
            cleaned_up.append(True)

    previous = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with pytest.raises(SystemExit) as stopped:
            cli.run(main)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    assert stopped.value.code == 128 + signal.SIGTERM and cleaned_up == [True]


def test_a_stream_started_closed_keeps_its_number_so_no_file_opened_later_takes_it():
    """With stdin and stderr closed, the model's lock file opened as descriptor 2: anything written to
    standard error in C (SDL's warnings) would have gone into it."""
    program = ("import os\nfrom myonn import cli\n"
               "def main():\n    print(os.open(os.devnull, os.O_RDONLY), flush=True)\n"
               "cli.run(main)\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=False, stdout=subprocess.PIPE,
                            text=True, timeout=60, preexec_fn=lambda: (os.close(0), os.close(2)))
    assert result.returncode == 0 and result.stdout.strip() not in ("", "2")


def test_a_stream_started_closed_is_no_traceback_where_a_warning_is_an_error():
    """Under -X warn_default_encoding -W error, mnist_test.py with stdout closed (>&-) ended in a traceback:
    the stream put in its place named no encoding; and, closed at exit, it warned of an unclosed file."""
    program = "from myonn import cli\ncli.run(lambda: print('the report'))\n"
    result = subprocess.run([sys.executable, "-X", "warn_default_encoding", "-W", "error", "-c", program],
                            stderr=subprocess.PIPE, text=True, timeout=60, preexec_fn=lambda: os.close(1))
    assert result.returncode == 0 and result.stderr == ""


def test_a_stream_started_closed_takes_a_name_that_is_not_utf_8_as_the_others_do():
    """A file name of bytes that are not UTF-8 (Python keeps them as lone surrogates) crashed the line
    that named it, with stdout closed: the stream put in its place refused such characters."""
    program = "from myonn import cli\ncli.run(lambda: print('saved to /tmp/\\udcff.npz'))\n"
    result = subprocess.run([sys.executable, "-c", program], stderr=subprocess.PIPE, text=True, timeout=60,
                            preexec_fn=lambda: os.close(1))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("code, status", [("print('the report', file=sys.stderr)", 0),
                                          ("raise MyonnError('no model')", 2)])
def test_a_stderr_that_cannot_be_written_costs_its_lines_not_the_runs_exit_status(code, status):
    """pyenv's shim, a shell script, run with stderr closed (`2>&-`), leaves its own script open read-only
    as descriptor 2: every write there failed (EBADF), and any run, done or refused, ended with exit
    status 1."""
    program = (f"import sys\nfrom myonn import cli\nfrom myonn.errors import MyonnError\n"
               f"def main():\n    {code}\ncli.run(main)\n")
    with open(os.devnull, "rb") as read_only:
        result = subprocess.run([sys.executable, "-c", program], stdout=subprocess.PIPE, stderr=read_only,
                                text=True, timeout=60)
    assert result.returncode == status


def test_a_stdout_that_cannot_be_written_is_output_lost_said_in_one_line():
    program = "from myonn import cli\ncli.run(lambda: print('the report'))\n"
    with open(os.devnull, "rb") as read_only:
        result = subprocess.run([sys.executable, "-c", program], stdout=read_only, stderr=subprocess.PIPE,
                                text=True, timeout=60)
    assert (result.returncode, result.stderr) == (2, "-c: error: could not write all of the output: "
                                                     "Bad file descriptor\n")
