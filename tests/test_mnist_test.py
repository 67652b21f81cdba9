"""mnist_test.py and the shipped model: accuracy in the talk's form, per digit, confusion matrix."""

import os
import re
import subprocess
import sys

from conftest import REPOSITORY_ROOT
from myonn.evaluation import accuracy, confusion_matrix, report
from myonn.mnist import TEST, load_mnist
from myonn.model import load_model
from myonn.model_store import own_model_path, recorded_accuracy, shipped_model_path
from myonn.network import NeuralNetwork
from myonn.model import Model, save_model

# The shipped model's test accuracy, as the README states it.
SHIPPED_MODEL_ACCURACY = 0.9852


def run_script(*arguments, env=None):
    return subprocess.run([sys.executable, "mnist_test.py", *arguments], cwd=REPOSITORY_ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=120)


def test_the_shipped_model_loads_and_scores_what_the_readme_says(real_mnist_dir):
    model = load_model(shipped_model_path())
    images, labels = load_mnist(TEST, real_mnist_dir)
    assert accuracy(model, images, labels) >= SHIPPED_MODEL_ACCURACY


def test_prints_accuracy_first_then_per_digit_then_the_confusion_matrix(real_mnist_dir):
    result = run_script("--data-dir", str(real_mnist_dir), "--model", str(shipped_model_path()))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"\d{1,3}\.\d%", lines[0])
    assert float(lines[0][:-1]) >= 100 * SHIPPED_MODEL_ACCURACY - 0.05
    assert re.fullmatch(r"\d+ of 10000 test images recognised \(\d+\.\d\d%\)", lines[1])
    assert sum(bool(re.match(r"  \d: +\d+\.\d\d%", line)) for line in lines) == 10
    matrix_rows = [line for line in lines if re.match(r"  \d \|", line)]
    assert len(matrix_rows) == 10
    assert sum(int(count) for row in matrix_rows for count in row.split("|")[1].split()) == 10000


def test_it_tests_your_own_model_when_you_have_one_and_says_which(real_mnist_dir):
    result = run_script("--data-dir", str(real_mnist_dir), "--limit", "100")
    assert result.returncode == 0, result.stderr
    # As typed from the project's folder, where the script runs: data/mnist_nn.npz.
    shipped = shipped_model_path().relative_to(REPOSITORY_ROOT)
    assert result.stderr.startswith(f"model: {shipped} (the shipped model, 98.")
    network = NeuralNetwork(784, 3, 10, seed=0)  # knows nothing: about 10%
    save_model(Model(network, info={"test_accuracy": 0.1}), own_model_path())
    result = run_script("--data-dir", str(real_mnist_dir), "--limit", "100")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"model: {own_model_path()} (your own model, 10.00% on MNIST; the shipped model "
                             f"scores {100 * recorded_accuracy(shipped_model_path()):.2f}%: --model {shipped})\n")
    assert float(result.stdout.splitlines()[0][:-1]) < 50


def test_a_ruby_model_can_be_tested(real_mnist_dir, tmp_path):
    network = NeuralNetwork(784, 4, 10, seed=0)
    path = tmp_path / "mnist_nn.yaml"
    def matrix(weights):
        return (f"  count: {weights.size}\n  shape: [{weights.shape[0]}, {weights.shape[1]}]\n"
                f"  data: [{', '.join(map(repr, weights.ravel().astype(float).tolist()))}]\n")
    path.write_text(f":input_nodes: 784\n:hidden_nodes: 4\n:output_nodes: 10\n:learning_rate: 0.1\n"
                    f":input_weights:\n{matrix(network.input_weights)}:output_weights:\n{matrix(network.output_weights)}")
    result = run_script("--model", str(path), "--data-dir", str(real_mnist_dir), "--limit", "500")
    assert result.returncode == 0, result.stderr
    assert "of 500 test images recognised" in result.stdout


def test_a_missing_model_is_one_line_and_exit_2(tmp_path):
    result = run_script("--model", str(tmp_path / "none.npz"))
    assert result.returncode == 2
    assert result.stderr == f"mnist_test.py: error: model not found: {tmp_path / 'none.npz'} " \
                            "(train one with: python mnist_train.py)\n"


def test_a_line_break_in_a_folder_name_is_shown_escaped_so_the_problem_stays_one_line(tmp_path):
    result = run_script(env={"MYONN_DATA_DIR": str(tmp_path / "x\ny"), "MYONN_MIRRORS": "http://127.0.0.1:9/"})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "MNIST not found: put t10k-images-idx3-ubyte.gz" in result.stderr
    assert f" in {tmp_path}/x\\ny (could not download " in result.stderr, result.stderr


def test_a_data_folder_that_is_a_file_is_said_alike_from_the_flag_and_the_variable(tmp_path):
    # $MYONN_DATA_DIR got "…: MNIST data directory is not a directory", --data-dir "… is a file, not a folder".
    (tmp_path / "mnist").write_text("")
    by_flag = run_script("--data-dir", str(tmp_path / "mnist"))
    by_variable = run_script(env={"MYONN_DATA_DIR": str(tmp_path / "mnist")})
    assert by_flag.returncode == by_variable.returncode == 2
    complaint = f"{tmp_path / 'mnist'} is a file, not a folder"
    assert by_flag.stderr == f"mnist_test.py: error: argument --data-dir: {complaint}\n"
    assert by_variable.stderr == f"mnist_test.py: error: environment variable MYONN_DATA_DIR: {complaint}\n"


def test_a_data_folder_that_is_links_in_a_circle_is_said_alike_from_the_flag_and_the_variable(tmp_path):
    """Two links pointing at each other were "…: cannot read (Too many levels of symbolic links)", the
    system's words, not those of the other folders refused, and not naming the variable."""
    (tmp_path / "there").symlink_to(tmp_path / "back")
    (tmp_path / "back").symlink_to(tmp_path / "there")
    complaint = f"{tmp_path / 'there'} is a link that leads round in a circle of links, to no folder"
    for given in (tmp_path / "there", tmp_path / "there" / "mnist"):   # the link named, however deep below it
        by_flag = run_script("--data-dir", str(given))
        by_variable = run_script(env={"MYONN_DATA_DIR": str(given)})
        assert by_flag.returncode == by_variable.returncode == 2
        assert by_flag.stderr == f"mnist_test.py: error: argument --data-dir: {complaint}\n"
        assert by_variable.stderr == f"mnist_test.py: error: environment variable MYONN_DATA_DIR: {complaint}\n"


def test_a_mirror_that_is_no_url_is_one_line_and_exit_2(tmp_path):
    result = run_script("--data-dir", str(tmp_path), env={"MYONN_MIRRORS": "http://[::1/"})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert "(http://[::1/t10k-images-idx3-ubyte.gz: Invalid IPv6 URL))" in result.stderr, result.stderr


def test_report_and_confusion_matrix():
    matrix = confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2])
    assert matrix[0].tolist()[:3] == [1, 1, 0] and matrix.sum() == 4
    text = report([0, 0, 1, 2], [0, 1, 1, 2])
    assert text.splitlines()[0] == "75.0%"
    assert "  0:  50.00%  (1 of 2)" in text
    assert "  3:       -  (0 of 0)" in text


def test_the_models_own_input_preparation_is_applied(real_mnist_dir, tmp_path):
    """mnist_test.py scores a deskewing model on deskewed images, as it was trained."""
    import numpy as np
    from myonn.inputs import network_input

    network = NeuralNetwork(784, 30, 10, seed=0)
    images, labels = load_mnist(TEST, real_mnist_dir, limit=400)
    deskewed = network_input(images, {"deskew": True})
    wanted = np.where(np.eye(10)[labels] > 0, 0.99, 0.01)
    for start in list(range(0, 400, 10)) * 3:  # a quick, rough training on deskewed digits
        network.train(deskewed[start:start + 10], wanted[start:start + 10])
    path = save_model(Model(network, {"deskew": True}), tmp_path / "deskewing.npz")
    result = run_script("--model", str(path), "--data-dir", str(real_mnist_dir), "--limit", "400")
    correct = int(result.stdout.splitlines()[1].split()[0])
    assert correct == int(np.sum(network.query(deskewed).argmax(axis=1) == labels))
    assert correct != int(np.sum(network.query(network_input(images)).argmax(axis=1) == labels))


def test_a_report_lost_to_a_full_disk_is_a_failure_said_in_one_line(real_mnist_dir):
    """The report is what mnist_test.py is for: written to a full disk it was lost, and the run said 0."""
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "mnist_test.py", "--data-dir", str(real_mnist_dir), "--limit", "100"],
                                cwd=REPOSITORY_ROOT, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "mnist_test.py: error: could not write all of the output: No space left on device"
    # A reader who has gone (`| head -1`) wanted no more: that is no failure.
    process = subprocess.Popen([sys.executable, "mnist_test.py", "--data-dir", str(real_mnist_dir), "--limit", "100"],
                               cwd=REPOSITORY_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    assert process.wait(timeout=120) == 0 and b"Traceback" not in process.stderr.read()
