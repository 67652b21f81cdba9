"""Specification of bench/handwriting.py's flags (its tables are measured, not tested: see the README's results)."""

import os
import re
import subprocess
import sys

import pytest

from conftest import REPOSITORY_ROOT


def test_a_quoted_tilde_in_a_path_flag_is_your_home_folder(tmp_path):
    # As in the scripts (myonn/paths.py): a ~ that the shell left as it is (quoted, or from a .env file)
    # was taken for a folder named ~ in the current folder, where the drawings were written while the
    # line said "wrote … to ~/examples", which reads as your home folder's.
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir(), elsewhere.mkdir()
    result = subprocess.run([sys.executable, str(REPOSITORY_ROOT / "bench" / "handwriting.py"), "--examples",
                             "~/examples", "--source", "styles"], cwd=elsewhere, env={**os.environ, "HOME": str(home)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"drawings to {home / 'examples'}" in result.stdout
    assert any((home / "examples").glob("*.json")) and list(elsewhere.iterdir()) == []


def test_a_model_that_is_not_there_is_one_line_and_exit_status_2(tmp_path):
    # The README promises every script one line for bad input; the bench's scripts took --model through
    # myonn's own checks but not through cli.run, and ended in a traceback.
    # (Without the [bench] extra's fonts, a line before it may say that the styles alone are measured.)
    for script, flags in (("handwriting.py", ["--model", str(tmp_path / "nope.npz")]),
                          ("peer.py", ["--peer-python", str(tmp_path / "nopython")])):
        result = subprocess.run([sys.executable, str(REPOSITORY_ROOT / "bench" / script), *flags],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, (script, result.stderr)
        last_line = result.stderr.strip().splitlines()[-1]
        assert "Traceback" not in result.stderr and last_line.startswith(f"{script}: error: "), result.stderr
        assert str(tmp_path / "nop") in last_line


def test_a_bad_number_of_drawings_or_seed_is_one_line_and_exit_status_2():
    # --seed -5 ended in NumPy's traceback, --per-digit 0 in np.quantile's.
    for flags in (["--seed", "-5"], ["--per-digit", "0"]):
        result = subprocess.run([sys.executable, str(REPOSITORY_ROOT / "bench" / "handwriting.py"), *flags],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith(f"handwriting.py: error: argument {flags[0]}: ")


def test_examples_say_how_many_drawings_were_written_and_of_what(tmp_path):
    # It said "wrote 31 styles drawings to …".
    result = subprocess.run([sys.executable, str(REPOSITORY_ROOT / "bench" / "handwriting.py"), "--examples",
                             str(tmp_path), "--source", "styles"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    counts = [re.fullmatch(rf"wrote (\d+) drawings to {re.escape(str(tmp_path))}, one of each {what}", line)
              for line, what in zip(lines, ("designed style", "held-out style"))]
    assert len(lines) == 2 and all(counts), result.stdout
    assert sum(int(count[1]) for count in counts) == len(list(tmp_path.glob("*.json")))


def test_a_folder_flag_naming_a_file_says_so_in_one_line(tmp_path):
    # It said "/etc/passwd: File exists" (mkdir's words), and --save-strokes only after the whole run.
    (tmp_path / "notes.txt").write_text("")
    for flag in ("--examples", "--save-strokes", "--as-recordings"):
        result = subprocess.run([sys.executable, str(REPOSITORY_ROOT / "bench" / "handwriting.py"), flag,
                                 str(tmp_path / "notes.txt")], capture_output=True, text=True, timeout=120)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.strip().splitlines()[-1] == (f"handwriting.py: error: argument {flag}: "
                                                          f"{tmp_path / 'notes.txt'} is a file, not a folder")


def test_recordings_into_a_folder_that_holds_them_already_are_one_line_and_none_is_written(tmp_path):
    # It said "… is there already" on its own, not as the scripts' errors are said; and as the files were
    # looked for one by one while written, a folder holding the last of them got all the others added.
    there = tmp_path / "designed-held-out.jsonl"
    there.write_text("")
    result = subprocess.run([sys.executable, str(REPOSITORY_ROOT / "bench" / "handwriting.py"), "--as-recordings",
                             str(tmp_path), "--per-digit", "1"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (f"handwriting.py: error: --as-recordings: {there} is there "
                                                      "already: write the stand-ins to a new folder")
    assert list(tmp_path.iterdir()) == [there] and there.read_text() == ""


def test_the_hershey_fonts_asked_for_and_not_installed_are_one_line(tmp_path):
    # It printed its message on stdout, not as an error. With both sources, the styles are measured alone,
    # as it says: not an error.
    (tmp_path / "HersheyFonts.py").write_text("raise ImportError('not installed')\n")
    without_fonts = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    asked = subprocess.run([sys.executable, str(REPOSITORY_ROOT / "bench" / "handwriting.py"), "--source", "hershey"],
                           env=without_fonts, capture_output=True, text=True, timeout=120)
    assert asked.returncode == 2 and asked.stdout == "", asked.stdout
    assert asked.stderr == ("handwriting.py: error: --source hershey: the Hershey fonts need the hershey-fonts "
                            "package (pip install -e '.[bench]')\n")
    both = subprocess.run([sys.executable, str(REPOSITORY_ROOT / "bench" / "handwriting.py"), "--source", "both",
                           "--examples", str(tmp_path / "examples")],
                          env=without_fonts, capture_output=True, text=True, timeout=120)
    assert both.returncode == 0, both.stderr
    assert both.stderr == "hershey-fonts is not installed (pip install -e '.[bench]'): measuring the styles only\n"


@pytest.mark.parametrize("flags, complaint", [
    # "invalid session_rounds value: '²'" (str.isdigit takes it, int does not).
    (["--session", "²"], "argument --session: must be a whole number from 1 to 10, not '²'"),
    # Printed back in full, 6,000 characters of it, as the scripts' own flags once did (errors.echoed).
    (["--counts", "1," * 3000], "argument --counts: '1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,'… (6,000 "
                                "characters) is not a list of whole numbers such as 1,3,10"),
    (["--teaching", "STEPS=" + "9" * 5000], "argument --teaching: 'STEPS=9999999999999999999999999999999999'… "
                                            "(5,006 characters): STEPS takes a whole number"),
])
def test_a_bad_teaching_flag_is_one_short_line(flags, complaint):
    result = subprocess.run([sys.executable, str(REPOSITORY_ROOT / "bench" / "handwriting.py"), "--teach", *flags],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr == f"handwriting.py: error: {complaint}\n"
