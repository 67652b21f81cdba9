"""mnist_train.py end to end: training from the terminal, its flags, Ctrl-C, and bad input."""

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from conftest import REPOSITORY_ROOT
from myonn.model import load_model


def run_script(*arguments, env=None, timeout=120):
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    for name in ("RATE", "LIMIT", "EPOCHS"):
        if name not in (env or {}):
            environment.pop(name, None)
    return subprocess.run([sys.executable, "mnist_train.py", *arguments], cwd=REPOSITORY_ROOT, env=environment,
                          capture_output=True, text=True, timeout=timeout)


def test_trains_on_a_limit_and_saves_a_working_model(real_mnist_dir, tmp_path):
    path = tmp_path / "small.npz"
    result = run_script("--limit", "2000", "--epochs", "2", "--seed", "1", "--no-progress",
                        "--data-dir", str(real_mnist_dir), "--model", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("training 784-200-10 sigmoid network") and "2,000 images" in lines[0]
    assert lines[1].startswith("epoch 1/2: test accuracy ")
    assert lines[-1].startswith(f"saved to {path} (test accuracy ")
    model = load_model(path)
    assert model.info["trained_images"] == 2000 and model.info["epochs_done"] == 2
    assert model.info["test_accuracy"] > 0.8
    assert model.preparation == {"deskew": True}  # the default recipe deskews


def test_a_replaced_model_is_kept_as_previous(real_mnist_dir, tmp_path):
    path = tmp_path / "model.npz"
    arguments = ("--limit", "300", "--epochs", "1", "--no-progress", "--data-dir", str(real_mnist_dir),
                 "--model", str(path))
    assert run_script(*arguments, "--seed", "1").returncode == 0
    first = load_model(path).network.input_weights
    result = run_script(*arguments, "--seed", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"the model it replaced is kept as {tmp_path / 'model.previous.npz'}"
    assert np.array_equal(load_model(tmp_path / "model.previous.npz").network.input_weights, first)
    assert not np.array_equal(load_model(path).network.input_weights, first)


def test_the_talks_environment_variables_set_the_defaults(real_mnist_dir, tmp_path):
    path = tmp_path / "talk.npz"
    result = run_script("--recipe", "talk", "--no-progress", "--data-dir", str(real_mnist_dir),
                        "--model", str(path), env={"LIMIT": "300", "EPOCHS": "1", "RATE": "0.2"})
    assert result.returncode == 0, result.stderr
    assert "300 images: 1 epochs, batches of 1, learning rate 0.2 → 0.2" in result.stdout
    info = load_model(path).info
    assert info["epochs"] == 1 and info["learning_rate"] == 0.2 and info["trained_images"] == 300


def test_a_flag_overrides_its_environment_variable(real_mnist_dir, tmp_path):
    result = run_script("--epochs", "1", "--limit", "100", "--no-progress", "--data-dir", str(real_mnist_dir),
                        "--model", str(tmp_path / "m.npz"), env={"EPOCHS": "7"})
    assert result.returncode == 0, result.stderr
    assert "1 epochs" in result.stdout


def test_resume_continues_a_model_and_keeps_its_preparation(real_mnist_dir, tmp_path):
    path = tmp_path / "model.npz"
    assert run_script("--limit", "500", "--epochs", "1", "--no-deskew", "--hidden-nodes", "30", "--no-progress",
                      "--data-dir", str(real_mnist_dir), "--model", str(path)).returncode == 0
    before = load_model(path).network.input_weights.copy()
    result = run_script("--resume", str(path), "--limit", "500", "--epochs", "1", "--no-progress",
                        "--data-dir", str(real_mnist_dir))
    assert result.returncode == 0, result.stderr
    resumed = load_model(path)
    assert resumed.network.hidden_nodes == 30 and resumed.preparation == {"deskew": False}
    assert not np.array_equal(resumed.network.input_weights, before)


@pytest.mark.parametrize("arguments, env, complaint", [
    (["--epochs", "-1"], {}, "argument --epochs: must be a whole number from 1 to 10,000, not '-1'"),
    (["--learning-rate", "0"], {}, "argument --learning-rate: must be a number greater than 0, not '0'"),
    (["--batch-size", "many"], {}, "argument --batch-size"),
    (["--augment", "wobble=3"], {}, "argument --augment"),
    ([], {"LIMIT": "-5"}, "environment variable LIMIT"),
    (["--resume", "/nowhere/model.npz"], {}, "model not found: /nowhere/model.npz"),
])
def test_bad_input_is_one_line_and_exit_2_before_any_work(arguments, env, complaint, tmp_path):
    started = time.monotonic()
    result = run_script(*arguments, "--model", str(tmp_path / "m.npz"), "--data-dir", str(tmp_path), env=env)
    assert result.returncode == 2
    assert complaint in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "m.npz").exists()
    assert time.monotonic() - started < 20


def test_no_data_and_no_network_is_one_line_naming_the_missing_files(tmp_path):
    result = run_script("--data-dir", str(tmp_path / "empty"), "--model", str(tmp_path / "m.npz"),
                        env={"MYONN_MIRRORS": "http://127.0.0.1:9/"})
    assert result.returncode == 2
    assert "train-images-idx3-ubyte" in result.stderr and str(tmp_path / "empty") in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr


def test_ctrl_c_stops_cleanly_and_saves_what_was_learned(real_mnist_dir, tmp_path):
    path = tmp_path / "interrupted.npz"
    process = subprocess.Popen(
        [sys.executable, "mnist_train.py", "--limit", "20000", "--epochs", "100", "--batch-size", "1",
         "--data-dir", str(real_mnist_dir), "--model", str(path)],
        cwd=REPOSITORY_ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    progress = []  # the progress bar's output, read as it comes
    reader = threading.Thread(target=lambda: progress.extend(iter(lambda: process.stderr.read(1), "")))
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while "accuracy" not in "".join(progress):  # the bar shows a running accuracy once it has trained
            assert time.monotonic() < deadline and process.poll() is None, "".join(progress)
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=60)
    finally:
        process.kill()
        reader.join()
    stderr = "".join(progress)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert f"interrupted: saved what was learned so far to {path}" in stdout
    model = load_model(path)
    assert model.info["epochs_done"] == 0 and model.info["test_accuracy"] > 0.5
    assert [p.name for p in tmp_path.iterdir()] == ["interrupted.npz"]
