"""What every script in bench/ shares with the user scripts: bad input is one line on stderr naming the
problem, and exit status 2, never a traceback or argparse's usage block (myonn/cli.py). Each script's own
flags are specified beside it (test_handwriting_bench.py, test_peer_bench.py, ...); the scripts below
with no test file of their own are specified here."""

import importlib.util
import os
import subprocess
import sys

import pytest

from conftest import REPOSITORY_ROOT

BENCH = REPOSITORY_ROOT / "bench"


def run_bench(script, *flags, env=None, timeout=60):
    return subprocess.run([sys.executable, str(BENCH / script), *map(str, flags)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def assert_one_line(result, script, ending):
    """The run ended in exit status 2 and the one line `SCRIPT: error: ...ending` on stderr, nothing else."""
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"{script}: error: ") and result.stderr.endswith(f"{ending}\n"), result.stderr


def no_mnist(folder):
    """An environment where MNIST is not, and cannot be downloaded: a script that loads it ends at once."""
    return {**os.environ, "MYONN_DATA_DIR": str(folder / "no-mnist"), "MYONN_MIRRORS": "http://127.0.0.1:9/"}


@pytest.mark.parametrize("script, flags, said", [
    ("handwriting.py", ["--per-digit", "x"], "argument --per-digit: "),
    ("peer.py", ["--peer-python", "python", "--bogus"], "unrecognized arguments: '--bogus'"),
    ("real_handwriting.py", ["recordings", "--bogus"], "unrecognized arguments: '--bogus'"),
    ("retrain.py", ["--recipe", "fast"], "argument --recipe: invalid choice: 'fast'"),
    ("train_bench.py", ["--bogus"], "unrecognized arguments: '--bogus'"),
    ("teach_time.py", ["--bogus"], "unrecognized arguments: '--bogus'"),
    ("draw_frame.py", ["--bogus"], "unrecognized arguments: '--bogus'"),
])
def test_a_bad_flag_is_one_line_not_the_usage_block(script, flags, said, tmp_path):
    # The bench's scripts used plain argparse: the usage block (five lines of it for handwriting.py) came
    # before the line that said what was wrong. Those that take no flags ignored them, and ran.
    result = run_bench(script, *flags, env=no_mnist(tmp_path))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and not result.stderr.startswith("usage:"), result.stderr
    assert result.stderr.startswith(f"{script}: error: {said}"), result.stderr


@pytest.mark.parametrize("script", ["handwriting.py", "peer.py", "real_handwriting.py", "retrain.py",
                                    "train_bench.py", "teach_time.py", "draw_frame.py"])
def test_help_is_the_usage_and_the_flags_and_does_nothing_else(script, tmp_path):
    # teach_time.py and draw_frame.py took no flags, and ran the bench whatever they were given.
    result = run_bench(script, "--help", env=no_mnist(tmp_path))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.startswith(f"usage: {script} [-h]") and "\noptions:\n" in result.stdout


# ---------------------------------------------------------------- bench/retrain.py

@pytest.mark.parametrize("flags, complaint", [
    # NumPy's traceback, once MNIST was loaded.
    (["--seed", "-1"], "argument --seed: must be a whole number of at least 0, not '-1'"),
    (["--count", "x"], "argument --count: must be a whole number from 1 to 10, not 'x'"),
])
def test_retrain_refuses_a_bad_seed_or_count_in_one_line(flags, complaint):
    assert_one_line(run_bench("retrain.py", *flags), "retrain.py", complaint)


def load_bench(name):
    spec = importlib.util.spec_from_file_location(f"{name}_bench", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("status, exit_status, said", [
    (130, 130, "\n"),   # a Ctrl-C, which training heard: the bench stops as a script does
    (2, 2, "retrain.py: error: training reference learned nothing (its network was no better than guessing): "
           "no table without it\n"),
])
def test_retrain_stops_as_a_script_does_when_a_training_does_not_end(status, exit_status, said, tmp_path,
                                                                       monkeypatch, capsys):
    # SystemExit("training … stopped (exit status 130)"): exit status 1, not in the scripts' form, and a Ctrl-C
    # not said as one.
    retrain = load_bench("retrain")
    monkeypatch.setattr(retrain, "train_from_settings", lambda *arguments, **named: status)
    monkeypatch.setattr(sys, "argv", ["retrain.py"])
    with pytest.raises(SystemExit) as stopped:
        retrain.cli.run(lambda: retrain.retrained("default", tmp_path, "reference"))
    assert stopped.value.code == exit_status
    assert capsys.readouterr().err == said


# ---------------------------------------------------------------- bench/train_bench.py

def test_train_bench_refuses_to_skip_what_it_does_not_have(tmp_path):
    # `--skip bset` left nothing out: the whole bench ran, six minutes of it. (Here MNIST is not there,
    # so that it would end at once: what it says shows where it stopped.)
    result = run_bench("train_bench.py", "--skip", "speed, talk,bset", env=no_mnist(tmp_path))
    assert_one_line(result, "train_bench.py", "argument --skip: nothing called 'bset' to leave out (choose from "
                    "'speed', 'preparation', 'watch', 'talk', 'default', 'best', 'before', 'default without deskew', "
                    "'best without added strokes or drawn digits')")


@pytest.mark.parametrize("flags", [[], ["--help"]])
def test_augment_before_run_by_mistake_says_which_bench_to_run(flags):
    # It is a module that train_bench.py imports; run, it printed nothing and exited 0.
    assert_one_line(run_bench("augment_before.py", *flags), "augment_before.py",
                    "not a bench: run python bench/train_bench.py")
