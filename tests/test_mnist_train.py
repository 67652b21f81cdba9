"""mnist_train.py end to end: training from the terminal, its flags, Ctrl-C, and bad input."""

import os
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from conftest import REPOSITORY_ROOT, ignore_ctrl_c
from myonn.model import load_model
from myonn.model_store import shipped_model_path


def run_script(*arguments, env=None, timeout=120):
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    for name in ("RATE", "LIMIT", "EPOCHS"):
        if name not in (env or {}):
            environment.pop(name, None)
    return subprocess.run([sys.executable, "mnist_train.py", *arguments], cwd=REPOSITORY_ROOT, env=environment,
                          capture_output=True, text=True, timeout=timeout)


def test_a_model_in_a_folder_that_is_links_in_a_circle_is_refused_naming_what_was_typed(tmp_path):
    """ln -s loopA loopB; ln -s loopB loopA; --model loopA/m.npz was "cannot save a model as
    …/loopB/m.npz: Too many levels of symbolic links (a loop of links)": a name never typed."""
    (tmp_path / "loopB").symlink_to(tmp_path / "loopA")
    (tmp_path / "loopA").symlink_to(tmp_path / "loopB")
    typed = os.path.relpath(tmp_path / "loopA", REPOSITORY_ROOT)   # from where the script runs, as typed there
    result = run_script("--limit", "300", "--epochs", "1", "--model", os.path.join(typed, "m.npz"))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"mnist_train.py: error: cannot save a model as {typed}/m.npz: {typed} is a link "
                             "that leads round in a circle of links, to no folder\n")


def test_trains_on_a_limit_and_saves_a_working_model(real_mnist_dir, tmp_path):
    path = tmp_path / "small.npz"
    result = run_script("--limit", "2000", "--epochs", "2", "--seed", "1", "--no-progress",
                        "--data-dir", str(real_mnist_dir), "--model", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # The default recipe's 70 drawn digits of each style go with MNIST's 60,000 images: 2,000 get 2 of each.
    assert lines[0] == ("with 76 digits drawn in designed styles (myonn/drawn_styles.py, 2 of each style: the share "
                        "of 2,000 images, where MNIST's 60,000 get 70)")
    assert lines[1].startswith("training 784-200-10 sigmoid network") and "2,076 images" in lines[1]
    assert lines[2].startswith("epoch 1/2: test accuracy ")
    assert lines[-1].startswith(f"saved to {path} (test accuracy ")
    model = load_model(path)
    assert model.info["trained_images"] == 2076 and model.info["epochs_done"] == 2
    assert model.info["drawn"] == 2 and model.info["drawn_digits_learned"] is True
    assert model.info["test_accuracy"] > 0.8
    assert model.preparation == {"deskew": True}  # the default recipe deskews


def test_a_run_on_too_few_images_for_one_drawn_digit_of_each_style_learns_mnist_only(real_mnist_dir, tmp_path):
    path = tmp_path / "tiny.npz"
    result = run_script("--limit", "400", "--epochs", "3", "--seed", "1", "--no-progress",
                        "--data-dir", str(real_mnist_dir), "--model", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("with no digits drawn in designed styles: MNIST's 60,000 images get 70 "
                                             "of each style, and 400 of them too small a share for one")
    model = load_model(path)
    assert model.info["trained_images"] == 400 and model.info["drawn"] == 0
    assert model.info["drawn_digits_learned"] is False  # MNIST's digits only: the drawing window says so


def test_a_run_continuing_the_shipped_model_records_that_it_has_learned_drawn_digits(real_mnist_dir, tmp_path):
    """Its recipe's "drawn": 0 replaced the shipped model's 70, and the drawing window then said that it
    had learned MNIST only."""
    from myonn.model_store import shipped_model_path
    from myonn.windows.draw_window import learned_mnist_only

    path = tmp_path / "continued.npz"
    result = run_script("--recipe", "default", "--drawn", "0", "--limit", "2000", "--epochs", "1", "--no-progress",
                        "--data-dir", str(real_mnist_dir), "--resume", str(shipped_model_path()), "--model", str(path))
    assert result.returncode == 0, result.stderr
    model = load_model(path)
    assert model.info["drawn"] == 0 and model.info["drawn_digits_learned"] is True
    assert learned_mnist_only(model, path) is None


def test_a_network_no_better_than_guessing_is_never_saved_over_your_model(real_mnist_dir, tmp_path):
    """Batches of all 2,000 images: two steps in all, and the network still names one digit for all."""
    path = tmp_path / "m.npz"
    path.write_bytes(shipped_model_path().read_bytes())          # your model, which must stay as it is
    result = run_script("--limit", "2000", "--drawn", "0", "--epochs", "2", "--batch-size", "2000", "--no-progress",
                        "--data-dir", str(real_mnist_dir), "--model", str(path))
    assert result.returncode == 2, result.stderr
    assert "hardly better than guessing, which gets one digit in ten, so nothing was saved" in result.stdout
    assert result.stdout.rstrip().endswith("Likely why: only 2 steps (batches of 2,000).")
    assert path.read_bytes() == shipped_model_path().read_bytes() and not (tmp_path / "backups").exists()
    learned = run_script("--limit", "2000", "--epochs", "1", "--no-progress", "--data-dir", str(real_mnist_dir),
                         "--model", str(tmp_path / "n.npz"))
    assert learned.returncode == 0 and "guessing" not in learned.stdout


def test_stopped_before_it_has_learned_anything_nothing_is_saved(real_mnist_dir, tmp_path):
    from myonn import recipes
    from myonn.training import train_from_settings

    class StopAfterTwoBatches:
        """A watcher that asks training to stop as Escape does, two batches in (the network then
        guesses); it is told what was saved."""
        told = None

        def __call__(self, moment):
            if moment["epochs_done"] * 2000 >= 32:
                moment["stop"].requested = True

        def ended(self, saved_accuracy, note=None):
            self.told = (saved_accuracy, note)

    watcher, said = StopAfterTwoBatches(), []
    status = train_from_settings(recipes.settings("default", {"seed": 1, "drawn": 0}), model_path=tmp_path / "m.npz",
                                 data_dir=real_mnist_dir, limit=2000, progress=False, report=said.append,
                                 watch=watcher)
    assert status == 130 and not (tmp_path / "m.npz").exists()
    assert said[-1].startswith("stopped after 48 images, the network scores ") and "nothing was saved" in said[-1]
    assert watcher.told == (None, "learned nothing")


# 300 images for one epoch (19 steps) score 27% to 51% on MNIST, from the random first weights, and
# now and then under the 20% a model must beat to be saved: the tests that need it saved seed it.
SAVED_SEED = "4"


def test_a_replaced_model_is_kept_in_backups(real_mnist_dir, tmp_path):
    path = tmp_path / "model.npz"
    arguments = ("--limit", "300", "--epochs", "1", "--no-progress", "--data-dir", str(real_mnist_dir),
                 "--model", str(path))
    assert run_script(*arguments, "--seed", "1").returncode == 0
    first = path.read_bytes()
    result = run_script(*arguments, "--seed", "2")
    assert result.returncode == 0, result.stderr
    [kept] = (tmp_path / "backups").iterdir()
    assert f"the model it replaced is kept as {kept}" in result.stdout.splitlines()
    assert kept.read_bytes() == first and path.read_bytes() != first


def test_replacing_a_model_taught_in_the_drawing_window_says_how_to_keep_what_it_learned(real_mnist_dir, tmp_path):
    from myonn.model import save_model
    from myonn.my_digits import append_digit

    path = tmp_path / "model.npz"
    taught = load_model(shipped_model_path())
    taught.info = {**taught.info, "taught_digits": 3}              # as the digit keys leave it
    save_model(taught, path)
    arguments = ("--limit", "300", "--epochs", "1", "--seed", SAVED_SEED, "--no-progress", "--data-dir", str(real_mnist_dir),
                 "--model", str(path))
    result = run_script(*arguments)
    assert result.returncode == 0, result.stderr
    [kept] = (tmp_path / "backups").iterdir()
    shipped = 100 * taught.info["test_accuracy"]
    assert (f"note: the model it replaced had learned 3 of your digits in the drawing window, and scored "
            f"{shipped:.2f}% on MNIST before that; this one has not: train with --my-digits FILE (your digits' "
            f"file) to keep them, or go back: cp {kept} {path}" in result.stdout.splitlines()), result.stdout
    # Where the window keeps your digits by default, the note names that file.
    from myonn.my_digits import default_path
    append_digit(default_path(), [[(330, 120), (330, 560)]], 1)
    save_model(taught, path)
    result = run_script(*arguments)
    assert f"train with --my-digits {default_path()} to keep them" in result.stdout, result.stdout
    # Trained with your digits, it has them: no such note.
    save_model(taught, path)
    digits = tmp_path / "mine.jsonl"
    append_digit(digits, [[(330, 120), (330, 560)]], 1)
    # (The best recipe then, its 70 drawn digits of each style given: 300 images alone learn too little.)
    result = run_script(*arguments, "--my-digits", str(digits), "--drawn", "70")
    assert result.returncode == 0 and "had learned" not in result.stdout, result.stdout


def test_by_default_training_makes_your_own_model_and_never_touches_the_shipped_one(real_mnist_dir,
                                                                                   own_models_apart):
    shipped = shipped_model_path().read_bytes()
    own = own_models_apart / "my_mnist_nn.npz"
    # Continuing the shipped model goes to your own model.
    result = run_script("--resume", str(shipped_model_path()), "--limit", "300", "--epochs", "1", "--no-progress",
                        "--data-dir", str(real_mnist_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2].startswith(f"saved to {own} (test accuracy ")
    assert result.stdout.splitlines()[-1].startswith("note: this is now your own model, which the windows use")
    assert load_model(own).info["trained_images"] == 300
    assert shipped_model_path().read_bytes() == shipped


def test_a_quick_run_on_part_of_mnist_never_displaces_the_model_the_windows_use(real_mnist_dir, own_models_apart):
    """The talk's `LIMIT=1000 EPOCHS=2 python mnist_train.py`: its 77.9% model became the one the drawing
    window opened, which then misread a digit in four. Kept apart, as a stopped run is, unless it reads
    as well, or --model names where it goes."""
    shipped = shipped_model_path().read_bytes()
    own = own_models_apart / "my_mnist_nn.npz"
    result = run_script("--no-progress", "--data-dir", str(real_mnist_dir), "--seed", SAVED_SEED,
                        env={"LIMIT": "300", "EPOCHS": "1"})
    assert result.returncode == 0, result.stderr
    [kept] = (own_models_apart / "backups").iterdir()
    assert result.stdout.splitlines()[-2].startswith("trained on 300 of MNIST's training images only (--limit, LIMIT): ")
    assert result.stdout.splitlines()[-2].endswith("on its test set, below the shipped model (98.54%), which the "
                                                   "windows use while you have no model of your own: it stays the "
                                                   "one they use")
    assert f"make it your own model with: cp -i {kept} {own}" in result.stdout.splitlines()[-1]
    assert not own.exists() and shipped_model_path().read_bytes() == shipped
    # Your own model, better than the quick run, stays as it was too. (Another seed: the very same run
    # again may make the very same bytes, which are not kept twice.)
    own.write_bytes(shipped)
    run_script("--limit", "300", "--epochs", "1", "--no-progress", "--data-dir", str(real_mnist_dir), "--seed", "2")
    assert own.read_bytes() == shipped and len(list((own_models_apart / "backups").iterdir())) == 2
    # Named, it goes where it was asked.
    result = run_script("--limit", "300", "--epochs", "1", "--no-progress", "--data-dir", str(real_mnist_dir),
                        "--seed", SAVED_SEED, "--model", str(own))
    assert result.returncode == 0 and load_model(own).info["trained_images"] == 300
    # A limit that holds all of MNIST is no quick run: it saves as any finished run does.
    own.write_bytes(shipped)
    result = run_script("--no-progress", "--data-dir", str(real_mnist_dir), "--seed", SAVED_SEED, "--batch-size", "100",
                        env={"LIMIT": "60000", "EPOCHS": "1"})
    assert result.returncode == 0 and f"saved to {own} " in result.stdout, result.stdout


def test_resume_keeps_a_backup_of_the_model_it_continues(real_mnist_dir, tmp_path):
    path = tmp_path / "m.npz"
    assert run_script("--limit", "300", "--epochs", "1", "--seed", SAVED_SEED, "--no-progress", "--data-dir", str(real_mnist_dir),
                      "--model", str(path)).returncode == 0
    before = path.read_bytes()
    result = run_script("--resume", str(path), "--limit", "300", "--epochs", "1", "--no-progress",
                        "--data-dir", str(real_mnist_dir))
    assert result.returncode == 0, result.stderr
    [kept] = (tmp_path / "backups").iterdir()
    assert kept.read_bytes() == before


@pytest.mark.parametrize("elsewhere", [False, True])
def test_resume_of_a_damaged_model_says_it_cannot_be_read_and_changes_nothing(tmp_path, elsewhere):
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(b"PK\x03\x04 not a whole archive")
    result = run_script("--resume", str(damaged), "--limit", "300", "--epochs", "1", "--no-progress",
                        *(["--model", str(tmp_path / "new.npz")] if elsewhere else []))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"mnist_train.py: error: {damaged}: not a model file"), result.stderr
    assert damaged.read_bytes() == b"PK\x03\x04 not a whole archive"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["damaged.npz"]


def test_training_that_diverges_stops_in_one_line_and_saves_nothing(real_mnist_dir, tmp_path):
    path = tmp_path / "good.npz"  # (and the line names the rate it diverged at, not a lower one after)
    path.write_bytes(shipped_model_path().read_bytes())
    result = run_script("--resume", str(path), "--learning-rate", "1e300", "--limit", "2000", "--epochs", "1",
                        "--no-progress", "--data-dir", str(real_mnist_dir))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "training diverged in epoch 1" in result.stderr, result.stderr
    assert "nothing was saved" in result.stderr and "it was up to 1e+300 then" in result.stderr
    assert path.read_bytes() == shipped_model_path().read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.npz"]


def test_weights_beyond_what_a_model_file_may_hold_are_divergence_too_not_a_model_it_cannot_load(real_mnist_dir,
                                                                                                    tmp_path):
    path = tmp_path / "huge.npz"
    result = run_script("--learning-rate", "1e30", "--limit", "2000", "--epochs", "1", "--model", str(path),
                        "--no-progress", "--data-dir", str(real_mnist_dir))
    assert result.returncode == 2 and "training diverged in epoch 1" in result.stderr, result.stderr
    assert not path.exists()


def test_the_talks_environment_variables_set_the_defaults(real_mnist_dir, tmp_path):
    path = tmp_path / "talk.npz"
    result = run_script("--recipe", "talk", "--no-progress", "--data-dir", str(real_mnist_dir),
                        "--model", str(path), env={"LIMIT": "300", "EPOCHS": "1", "RATE": "0.2"})
    assert result.returncode == 0, result.stderr
    assert "300 images: 1 epoch, batches of 1, learning rate 0.2 (constant)" in result.stdout
    info = load_model(path).info
    assert info["epochs"] == 1 and info["learning_rate"] == 0.2 and info["trained_images"] == 300


def test_a_flag_overrides_its_environment_variable(real_mnist_dir, tmp_path):
    result = run_script("--epochs", "1", "--limit", "1000", "--no-progress", "--data-dir", str(real_mnist_dir),
                        "--model", str(tmp_path / "m.npz"), env={"EPOCHS": "7"})
    assert result.returncode == 0, result.stderr
    assert "1 epoch," in result.stdout


def test_resume_continues_a_model_and_keeps_its_preparation(real_mnist_dir, tmp_path):
    path = tmp_path / "model.npz"
    assert run_script("--limit", "500", "--epochs", "1", "--no-deskew", "--hidden-nodes", "30", "--no-progress",
                      "--cost", "cross_entropy", "--float64",
                      "--data-dir", str(real_mnist_dir), "--model", str(path)).returncode == 0
    before = load_model(path).network.input_weights.copy()
    result = run_script("--resume", str(path), "--limit", "500", "--epochs", "1", "--no-progress",
                        "--data-dir", str(real_mnist_dir))
    assert result.returncode == 0, result.stderr
    resumed = load_model(path)
    assert resumed.network.hidden_nodes == 30 and resumed.preparation == {"deskew": False}
    assert not np.array_equal(resumed.network.input_weights, before)
    # and it records what it is, not what the default recipe would have made
    assert {key: resumed.info[key] for key in ("hidden_nodes", "cost", "deskew", "float64")} == \
        {"hidden_nodes": 30, "cost": "cross_entropy", "deskew": False, "float64": True}


@pytest.mark.parametrize("env", [{"LIMIT": "abc"}, {"EPOCHS": "0"}, {"RATE": "fast"}])
def test_a_talk_variable_set_wrong_is_no_matter_where_its_flag_is_given(env):
    # Only where the flag is left out is the variable read: a LIMIT left wrong in the shell stopped --help,
    # and `--limit 300`, which never use it.
    assert run_script("--help", env=env).returncode == 0
    flags = {"LIMIT": ["--limit", "300"], "EPOCHS": ["--epochs", "1"], "RATE": ["--learning-rate", "0.1"]}
    [name] = env
    result = run_script("--model", "/proc/m.npz", *flags[name], env=env)  # refused for the model, not the variable
    assert result.returncode == 2 and "cannot save a model as /proc/m.npz" in result.stderr, result.stderr
    result = run_script("--model", "/proc/m.npz", env=env)
    assert result.returncode == 2 and f"environment variable {name}" in result.stderr, result.stderr


@pytest.mark.parametrize("arguments, env, complaint", [
    (["--epochs", "-1"], {}, "argument --epochs: must be a whole number from 1 to 10,000, not '-1'"),
    (["--learning-rate", "0"], {}, "argument --learning-rate: must be a finite number greater than 0, not '0'"),
    (["--learning-rate", "inf"], {}, "argument --learning-rate: must be a finite number greater than 0, not 'inf'"),
    (["--batch-size", "many"], {}, "argument --batch-size"),
    (["--augment", "wobble=3"], {}, "argument --augment"),
    ([], {"LIMIT": "-5"}, "environment variable LIMIT"),
    (["--resume", "/nowhere/model.npz"], {}, "model not found: /nowhere/model.npz"),
    (["--epochs", "100000000000000000000"], {},
     "argument --epochs: '100000000000000000000' is too large: must be a whole number from 1 to 10,000"),
    (["--epochs", "1000000000"], {}, "argument --epochs: '1000000000' is too large: must be a whole number from 1 to 10,000"),
    ([], {"EPOCHS": "1000000000"},
     "environment variable EPOCHS: '1000000000' is too large: must be a whole number from 1 to 10,000"),
    (["--hidden-nodes", "10000000"], {}, "argument --hidden-nodes: '10000000' is too large: must be a whole number from 1 to 10,000"),
    (["--batch-size", "10000000"], {}, "argument --batch-size: '10000000' is too large: must be a whole number from 1 to 60,000"),
    (["--drawn", "5000"], {}, "argument --drawn: '5000' is too large: must be a whole number from 0 to 1,000"),
    # A number too long for int() to read was said to be no whole number, and echoed whole, 5,000 digits.
    ([], {"LIMIT": "9" * 5000}, "environment variable LIMIT: '" + "9" * 40 + "'… (5,000 characters) is too large: must "
                                "be a whole number of at least 1, of at most 4,300 digits"),
    (["--learning-rate", "9" * 5000], {}, "argument --learning-rate: '" + "9" * 40 + "'… (5,000 characters) is too "
                                          "large: must be a finite number greater than 0"),
    (["--recipe", "x" * 5000], {}, "argument --recipe: invalid choice: '" + "x" * 40 + "'… (5,000 characters) "
                                   "(choose from 'talk', 'default', 'best')"),
    (["y" * 5000], {}, "unrecognized arguments: '" + "y" * 40 + "'… (5,000 characters)\n"),
    (["--my-digits", str(shipped_model_path())], {}, "a model's name, not a file of your digits"),
    (["--my-digits", ""], {}, "argument --my-digits: an empty path names no file"),
    (["--resume", ""], {}, "argument --resume: an empty path names no file"),
    (["--hidden-nodes", "10000", "--batch-size", "60000", "--float64"], {},
     "batches of 60,000 with 10,000 hidden nodes would take about 27 GB of memory"),  # it took 20 GB
    (["--model", str(shipped_model_path())], {}, "is the shipped model, which is never overwritten"),
    (["--model", "model.yaml"], {}, "models are saved as .npz"),
    (["--model", "x" * 300 + ".npz"], {}, "cannot save a model as"),
    (["--model", "/proc/m.npz"], {}, "cannot save a model as /proc/m.npz"),
    (["--plot", "shot.png", "--screenshot", "./shot.png"], {}, "--plot and --screenshot both name shot.png"),
])
def test_bad_input_is_one_line_and_exit_2_before_any_work(arguments, env, complaint, tmp_path):
    started = time.monotonic()
    result = run_script("--model", str(tmp_path / "m.npz"), *arguments, "--data-dir", str(tmp_path), env=env)
    assert result.returncode == 2
    assert complaint in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "m.npz").exists()
    assert time.monotonic() - started < 20


def test_a_notebook_as_your_digits_is_refused_before_any_work_as_the_drawing_window_refuses_it(tmp_path):
    notebook = tmp_path / "analysis.ipynb"
    notebook.write_text('{\n "cells": [],\n "metadata": {},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n')
    result = run_script("--model", str(tmp_path / "m.npz"), "--my-digits", str(notebook), "--data-dir", str(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"mnist_train.py: error: {notebook}: does not begin as a file of your digits does "
                             '(with a line {"label": …, "strokes": …}) and holds none of them, so it is not used '
                             "(nor added to); name another with --my-digits\n")


def test_a_model_folder_given_with_a_quoted_tilde_is_in_your_home_folder(real_mnist_dir, tmp_path):
    """MYONN_MODEL_DIR='~/mymodels' saved into a folder named ~ in the current folder, and said "saved to
    ~/mymodels/…", which reads as the home folder's: `rm -rf ~` to tidy up would have deleted that."""
    home, here = tmp_path / "home", tmp_path / "here"
    here.mkdir()
    environment = {**os.environ, "HOME": str(home), "MYONN_MODEL_DIR": "~/mymodels", "PYTHONUNBUFFERED": "1"}
    for name in ("RATE", "LIMIT", "EPOCHS"):
        environment.pop(name, None)
    result = subprocess.run([sys.executable, str(REPOSITORY_ROOT / "mnist_train.py"), "--limit", "300", "--epochs",
                             "1", "--seed", SAVED_SEED, "--no-progress", "--data-dir", str(real_mnist_dir)], cwd=here,
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # A quick run keeps what it learned apart, in backups/ beside your own model: in the home folder.
    assert list(here.iterdir()) == [] and list((home / "mymodels").iterdir()) == [home / "mymodels" / "backups"]
    assert f"kept as {home / 'mymodels' / 'backups'}" in result.stdout, result.stdout


@pytest.mark.parametrize("flag", ["--plot", "--screenshot"])
def test_a_picture_named_as_a_folder_is_refused_before_any_work(flag, real_mnist_dir, tmp_path):
    (tmp_path / "shots.png").mkdir()
    result = run_script("--limit", "300", "--epochs", "1", "--no-progress", "--data-dir", str(real_mnist_dir),
                        "--model", str(tmp_path / "m.npz"), flag, str(tmp_path / "shots.png"))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"mnist_train.py: error: argument {flag}: cannot write {tmp_path / 'shots.png'}: it is a folder\n"
    assert not (tmp_path / "m.npz").exists()


def test_a_model_saved_under_a_name_that_is_not_utf8_is_reported_escaped(real_mnist_dir, tmp_path):
    folder = tmp_path / "\udcff"  # the byte 0xff, as Python keeps it: not UTF-8
    folder.mkdir()
    result = run_script("--limit", "300", "--epochs", "1", "--seed", SAVED_SEED, "--no-progress", "--data-dir", str(real_mnist_dir),
                        "--model", str(folder / "b.npz"), env={"PYTHONIOENCODING": "utf-8"})  # strict, as a desktop's
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    # Shown as the byte it is, as errors.printable shows it in every line: \xff, not Python's \udcff.
    assert result.stdout.splitlines()[-1].startswith(f"saved to {tmp_path}/\\xff/b.npz (test accuracy ")
    assert load_model(folder / "b.npz").info["trained_images"] == 300


def test_a_damaged_own_model_is_not_overwritten_and_the_line_says_how_to_put_back_its_backup(own_models_apart):
    """An interrupted `cp` of a backup over your own model: training said "will not overwrite FILE ...;
    choose another --model", as if you had named it, and nothing of the backup to put back."""
    own, backup = own_models_apart / "my_mnist_nn.npz", own_models_apart / "backups" / "my_mnist_nn.20260101-120000.npz"
    backup.parent.mkdir()
    backup.write_bytes(shipped_model_path().read_bytes())
    own.write_bytes(backup.read_bytes()[:300_000])
    for arguments in ((), ("--resume", str(shipped_model_path()))):   # continuing the shipped one saves there too
        result = run_script("--limit", "300", "--epochs", "1", "--no-progress", *arguments)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == (f"mnist_train.py: error: your own model {own} cannot be read (not a model file (not a "
                                 "readable .npz archive: File is not a zip file)), so it is not overwritten: put back "
                                 f"its newest readable backup with cp {backup} {own}, or save to another file with "
                                 "--model FILE\n")
        assert own.read_bytes() == backup.read_bytes()[:300_000]
    result = run_script("--limit", "300", "--epochs", "1", "--no-progress", "--model", str(own))
    assert result.stderr.startswith(f"mnist_train.py: error: will not overwrite {own}, which is not a model")  # named


def test_no_data_and_no_network_is_one_line_naming_the_missing_files(tmp_path):
    result = run_script("--data-dir", str(tmp_path / "empty"), "--model", str(tmp_path / "m.npz"),
                        env={"MYONN_MIRRORS": "http://127.0.0.1:9/"})
    assert result.returncode == 2
    assert "train-images-idx3-ubyte" in result.stderr and str(tmp_path / "empty") in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr


class TrainingInProgress:
    """mnist_train.py running in the background, long enough to be interrupted once it has begun."""

    def __init__(self, real_mnist_dir, path):
        self.process = subprocess.Popen(
            [sys.executable, "mnist_train.py", "--limit", "20000", "--epochs", "100", "--batch-size", "1",
             "--data-dir", str(real_mnist_dir), "--model", str(path)],
            cwd=REPOSITORY_ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.progress = []  # the progress bar's output, read as it comes
        self.reader = threading.Thread(target=lambda: self.progress.extend(iter(lambda: self.process.stderr.read(1), "")))
        self.reader.start()

    def __enter__(self):
        deadline = time.monotonic() + 60
        while "accuracy" not in "".join(self.progress):  # the bar shows a running accuracy once it has trained
            assert time.monotonic() < deadline and self.process.poll() is None, "".join(self.progress)
            time.sleep(0.05)
        return self

    def interrupt(self):
        """Ctrl-C; returns standard output and standard error once the run has ended."""
        self.process.send_signal(signal.SIGINT)
        stdout, _ = self.process.communicate(timeout=60)
        self.reader.join()
        return stdout, "".join(self.progress)

    def __exit__(self, *exception):
        self.process.kill()
        self.reader.join()


def test_ctrl_c_stops_cleanly_and_saves_what_was_learned(real_mnist_dir, tmp_path):
    path = tmp_path / "interrupted.npz"
    with TrainingInProgress(real_mnist_dir, path) as training:
        stdout, stderr = training.interrupt()
    assert training.process.returncode == 130
    assert "Traceback" not in stderr
    assert f"interrupted: saved what was learned so far to {path}" in stdout
    model = load_model(path)
    assert model.info["epochs_done"] == 0 and model.info["test_accuracy"] > 0.5
    assert [p.name for p in tmp_path.iterdir()] == ["interrupted.npz"]


def test_a_second_run_onto_the_same_model_is_refused_while_the_first_trains(real_mnist_dir, tmp_path):
    path = tmp_path / "shared.npz"
    with TrainingInProgress(real_mnist_dir, path) as training:
        second = run_script("--limit", "100", "--epochs", "1", "--no-progress", "--data-dir", str(real_mnist_dir),
                            "--model", str(path))
        assert second.returncode == 2
        assert second.stderr == (f"mnist_train.py: error: {path} is being saved by another run "
                                 f"(pid {training.process.pid}) right now: wait for it to finish, "
                                 "or choose another --model\n")
        stdout, _ = training.interrupt()
    assert training.process.returncode == 130 and f"saved what was learned so far to {path}" in stdout


def wait_until_numpy_loads(process, timeout=30):
    """Wait until the script is importing NumPy: from there on a Ctrl-C is the script's business (a
    Ctrl-C while the interpreter itself starts up, reading site-packages, is Python's own)."""
    maps = f"/proc/{process.pid}/maps"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with open(maps) as mapped:
                if "numpy" in mapped.read():
                    return
        except FileNotFoundError:  # no /proc (not Linux): a generous fixed wait instead
            time.sleep(1.0)
            return
        time.sleep(0.002)


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.1, 0.2, 0.4])
def test_ctrl_c_at_any_moment_of_starting_up_is_a_clean_exit(delay, tmp_path):
    process = subprocess.Popen([sys.executable, "mnist_train.py", "--data-dir", str(tmp_path / "empty"),
                                "--model", str(tmp_path / "m.npz")], cwd=REPOSITORY_ROOT,
                               env={**os.environ, "MYONN_MIRRORS": "http://127.0.0.1:9/"},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_numpy_loads(process)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    # 130: stopped by Ctrl-C; 2: it had already failed (no data here) in one line; -SIGINT: Ctrl-C came
    # as it was exiting.
    assert "Traceback" not in stderr and process.returncode in (130, 2, -signal.SIGINT), stderr
    assert stderr.count("\n") <= 1
    if process.returncode == 130:
        assert stdout == "stopped before any training: nothing saved\n"
    assert not (tmp_path / "m.npz").exists()


# Run in a fresh Python from the project's root: each makes the Ctrl-C come at one moment, for sure.
CTRL_C_AT = {
    # The script's first lines stop it at once (os._exit) on a Ctrl-C while NumPy loads.
    "while NumPy loads": "import os, signal, time, mnist_train\n"
                         "os.kill(os.getpid(), signal.SIGINT)\n"
                         "time.sleep(10)",
    # pygame loads, and the window opens, before training's own checks begin.
    "while the window opens": "import sys, mnist_train\n"
                              "from myonn import cli\n"
                              "from myonn.windows import training_window\n"
                              "def ctrl_c(**flags):\n"
                              "    raise KeyboardInterrupt\n"
                              "training_window.Watcher = ctrl_c\n"
                              "sys.argv = ['mnist_train.py', '--plot', sys.argv[1], '--model', sys.argv[2]]\n"
                              "cli.run(mnist_train.main)",
}


@pytest.mark.parametrize("moment", CTRL_C_AT)
def test_a_ctrl_c_before_training_begins_says_nothing_was_saved(moment, tmp_path):
    # The terminal shows only ^C: a Ctrl-C there exited with status 130 and not a word.
    result = subprocess.run([sys.executable, "-c", CTRL_C_AT[moment], str(tmp_path / "plot.png"),
                             str(tmp_path / "m.npz")], cwd=REPOSITORY_ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 130 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout == "stopped before any training: nothing saved\n"
    assert list(tmp_path.iterdir()) == []


def test_a_run_started_with_ctrl_c_ignored_trains_to_the_end_whatever_ctrl_cs_come(real_mnist_dir, tmp_path):
    # Started in the background by a shell script (or by any program that ignores Ctrl-C), a run inherits
    # Ctrl-C ignored, and should keep it so: the first Ctrl-C sent to the whole group stopped it.
    path = tmp_path / "m.npz"
    process = subprocess.Popen([sys.executable, "mnist_train.py", "--limit", "5000", "--epochs", "3", "--batch-size",
                                "1", "--drawn", "0", "--no-progress", "--data-dir", str(real_mnist_dir),
                                "--model", str(path)], cwd=REPOSITORY_ROOT, preexec_fn=ignore_ctrl_c,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while process.poll() is None:  # from its first line to its last: loading, training, saving
        process.send_signal(signal.SIGINT)
        time.sleep(0.05)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0 and stderr == "", stderr
    assert f"saved to {path}" in stdout and load_model(path).info["epochs_done"] == 3


def test_your_own_digits_are_mixed_in_and_weighted(real_mnist_dir, tmp_path):
    from myonn.my_digits import append_digit
    digits = tmp_path / "mine.jsonl"
    append_digit(digits, [[(150, 150), (500, 150), (300, 560)]], 7)
    append_digit(digits, [[(330, 120), (330, 560)]], 1)
    path = tmp_path / "model.npz"
    result = run_script("--limit", "2000", "--epochs", "1", "--no-progress", "--data-dir", str(real_mnist_dir),
                        "--model", str(path), "--my-digits", str(digits))
    assert result.returncode == 0, result.stderr
    # 1% of 2,000 images: 20 copies of your 2 digits, 10 each (each distorted afresh, with augmentation).
    assert f"with 2 of your digits from {digits}, each 10 times" in result.stdout.splitlines()
    # With your digits the best recipe is the default: the default recipe loses much of what you taught.
    # (and the best recipe's drawn digits: 2 of each of the 38 designed styles, 2,000 images' share of 70)
    assert load_model(path).info["trained_images"] == 2020 + 38 * 2 and load_model(path).info["recipe"] == "best"
    result = run_script("--limit", "2000", "--epochs", "1", "--no-progress", "--data-dir", str(real_mnist_dir),
                        "--model", str(path), "--my-digits", str(digits), "--recipe", "default")
    assert result.returncode == 0 and load_model(path).info["recipe"] == "default", result.stderr


def test_digits_drawn_in_designed_styles_join_the_training_images(real_mnist_dir, tmp_path):
    path = tmp_path / "model.npz"
    result = run_script("--limit", "500", "--epochs", "1", "--no-progress", "--data-dir", str(real_mnist_dir),
                        "--model", str(path), "--drawn", "2", "--seed", "3")
    assert result.returncode == 0, result.stderr
    # Given, they are drawn as given, not as the share of the recipe's 70 that 500 images would get (none).
    assert "with 76 digits drawn in designed styles (myonn/drawn_styles.py, 2 of each style)" in result.stdout
    info = load_model(path).info
    assert info["trained_images"] == 576 and info["drawn"] == 2 and info["recipe"] == "default"
    # The same seed draws the same digits: the same model, bit for bit.
    again = tmp_path / "again.npz"
    run_script("--limit", "500", "--epochs", "1", "--no-progress", "--data-dir", str(real_mnist_dir),
               "--model", str(again), "--drawn", "2", "--seed", "3")
    assert np.array_equal(load_model(path).network.input_weights, load_model(again).network.input_weights)


@pytest.mark.parametrize("closed", ["stdout", "stderr"])
def test_a_reader_gone_from_the_output_costs_the_output_not_the_run(real_mnist_dir, tmp_path, closed):
    """`mnist_train.py | head -1`: the second line could not be written, and the whole run was lost."""
    path = tmp_path / "m.npz"
    environment = {key: value for key, value in os.environ.items() if key not in ("RATE", "LIMIT", "EPOCHS")}
    process = subprocess.Popen([sys.executable, "mnist_train.py", "--limit", "300", "--epochs", "2", "--seed", SAVED_SEED,
                                "--data-dir", str(real_mnist_dir), "--model", str(path)],
                               cwd=REPOSITORY_ROOT, env={**environment, "PYTHONUNBUFFERED": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    (process.stdout if closed == "stdout" else process.stderr).close()   # the reader has gone at once
    other = (process.stderr if closed == "stdout" else process.stdout).read().decode()
    assert process.wait(timeout=120) == 0
    assert load_model(path).info["epochs_done"] == 2
    assert "Traceback" not in other and "Exception ignored" not in other


def test_divergence_names_the_rate_it_came_at_not_the_rate_at_the_start(real_mnist_dir, tmp_path):
    result = run_script("--learning-rate", "0.001", "--final-learning-rate", "1e300", "--limit", "2000", "--epochs", "1",
                        "--no-progress", "--model", str(tmp_path / "m.npz"), "--data-dir", str(real_mnist_dir))
    assert result.returncode == 2 and "training diverged in epoch 1" in result.stderr, result.stderr
    rate = float(re.search(r"it was up to (\S+) then", result.stderr).group(1))
    assert rate > 1e30   # not the 0.001 it started at


@pytest.mark.parametrize("closed", [1, 2], ids=["stdout", "stderr"])
def test_a_run_started_with_its_output_closed_trains_and_saves(real_mnist_dir, tmp_path, closed):
    """`mnist_train.py >&-`: Python has no sys.stdout then (None), and the first line printed ended the
    run with a traceback, nothing saved."""
    path = tmp_path / "m.npz"
    environment = {key: value for key, value in os.environ.items() if key not in ("RATE", "LIMIT", "EPOCHS")}
    other = subprocess.PIPE
    result = subprocess.run([sys.executable, "mnist_train.py", "--limit", "300", "--epochs", "1", "--seed", SAVED_SEED,
                             "--data-dir", str(real_mnist_dir), "--model", str(path)],
                            cwd=REPOSITORY_ROOT, env=environment, timeout=120, preexec_fn=lambda: os.close(closed),
                            stdout=other if closed == 2 else None, stderr=other if closed == 1 else None)
    assert result.returncode == 0
    assert load_model(path).info["trained_images"] == 300
    said = (result.stdout if closed == 2 else result.stderr).decode()
    assert "Traceback" not in said and "Exception ignored" not in said
