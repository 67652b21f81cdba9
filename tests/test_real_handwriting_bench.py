"""Specification of bench/real_handwriting.py: recorded pen digits, writer by writer, through the window.

No real recordings here (they are kept out of the repository): the writers are made of strokes
designed in these tests.
"""

import importlib.util
import json
import os
import pathlib
import stat

import numpy as np
import pytest

from myonn.errors import MyonnError
from myonn.model import load_model
from myonn.my_digits import append_digit

REPOSITORY_ROOT = pathlib.Path(__file__).resolve().parent.parent

spec = importlib.util.spec_from_file_location("real_handwriting", REPOSITORY_ROOT / "bench" / "real_handwriting.py")
real_handwriting = importlib.util.module_from_spec(spec)
spec.loader.exec_module(real_handwriting)

# Strokes in canvas pixels: a plain 1, and a 0 with a slash right through it (the shipped model reads it as 8).
STICK = [[(336, 120), (338, 560)]]
SLASHED_ZERO = [[(336 + 90 * np.sin(t), 336 - 170 * np.cos(t)) for t in np.linspace(0, 2 * np.pi, 40)],
                [(220, 580), (450, 90)]]


def moved(strokes, random, by=6.0):
    """The drawing as the same writer might draw it again: every point a few pixels off."""
    return [[(x + random.normal(0, by), y + random.normal(0, by)) for x, y in stroke] for stroke in strokes]


def run(capsys, *arguments):
    real_handwriting.main([str(argument) for argument in arguments])
    return capsys.readouterr()


def test_a_folder_holds_one_file_per_writer_and_a_damaged_line_is_skipped(tmp_path, capsys):
    append_digit(tmp_path / "anna.jsonl", STICK, 1)
    append_digit(tmp_path / "ben.jsonl", STICK, 1)
    append_digit(tmp_path / "ben.jsonl", SLASHED_ZERO, 0)
    with open(tmp_path / "ben.jsonl", "a") as file:
        file.write('{"label": 12, "strokes": [[[1, 2]]]}\n')
    (tmp_path / "notes.txt").write_text("not a writer")
    writers = real_handwriting.read_writers(tmp_path)
    assert list(writers) == ["anna", "ben"]
    assert [label for _, label in writers["ben"]] == [1, 0]
    assert "ben.jsonl: line 3 is not a digit" in capsys.readouterr().err
    # A writer's file named with a terminal's codes is named escaped, as every line of the scripts is.
    (tmp_path / "ben.jsonl").rename(tmp_path / "ben\x1b[2J.jsonl")
    real_handwriting.read_writers(tmp_path)
    assert "ben\\x1b[2J.jsonl: line 3 is not a digit" in capsys.readouterr().err
    assert list(real_handwriting.read_writers(tmp_path / "anna.jsonl")) == ["anna"]   # one file: one writer


def test_a_recording_is_drawn_on_the_canvas_at_the_size_asked_whatever_its_units():
    in_units = [[(x / 1000, y / 1000) for x, y in stroke] for stroke in SLASHED_ZERO]   # a tablet's 0..1
    placed = real_handwriting.on_canvas(in_units, size=400)
    points = np.concatenate([np.asarray(stroke) for stroke in placed])
    assert np.ptp(points, axis=0).max() == 400
    assert all(isinstance(value, int) for stroke in placed for point in stroke for value in point)  # mouse pixels
    assert abs(points.min(axis=0) + points.max(axis=0) - 672).max() <= 1                              # centred
    images, _ = real_handwriting.prepared([(in_units, 0), (SLASHED_ZERO, 0)])
    assert np.abs(images[0] - images[1]).max() < 40  # the same drawing, whatever its units
    # As recorded, a drawing 0.34 units tall is a tiny tick to the window, drawn as a blob: hence the default.
    as_recorded, _ = real_handwriting.prepared([(in_units, 0)], size=None)
    assert (as_recorded > 0).sum() > 1.5 * (images[0] > 0).sum()


def test_a_tablets_fine_units_are_read_and_as_recorded_canvas_pixels_stay_bounded(tmp_path, capsys):
    """A tablet of 5,080 lines an inch counts past 137,000: its digits were all skipped as damaged."""
    in_units = [[(137_000 + 40 * x, 60_000 + 40 * y) for x, y in stroke] for stroke in SLASHED_ZERO]
    with open(tmp_path / "tablet.jsonl", "w") as file:
        file.write(json.dumps({"label": 0, "strokes": in_units}) + "\n")
    writers = real_handwriting.read_writers(tmp_path)
    assert [label for _, label in writers["tablet"]] == [0] and capsys.readouterr().err == ""
    assert np.array_equal(real_handwriting.prepared(writers["tablet"])[0][0],
                          real_handwriting.prepared([(SLASHED_ZERO, 0)])[0][0])   # drawn as in canvas pixels
    with pytest.raises(SystemExit) as stopped:                                      # canvas pixels: out of bounds
        real_handwriting.cli.run(lambda: real_handwriting.main([str(tmp_path), "--as-recorded"]))
    assert stopped.value.code == 2 and capsys.readouterr().err.endswith(
        ": not one readable digit in it (tablet.jsonl: line 1 is not a digit (damaged?))\n")


def test_as_recorded_the_answers_are_the_drawing_windows_own():
    from myonn.windows.draw_window import Recognizer, stroke_events

    shipped = load_model()
    drawing = moved(SLASHED_ZERO, np.random.default_rng(4), by=3.0)   # canvas pixels, not whole ones
    window = Recognizer(shipped)
    for event in stroke_events(drawing):
        window.handle(event)
    images, _ = real_handwriting.prepared([(drawing, 0)], size=None)
    assert np.allclose(shipped.scores(images)[0], window.network_view()[1], atol=1e-6)


def test_the_table_reads_each_digit_and_names_the_worst_writer(tmp_path, capsys):
    random = np.random.default_rng(1)
    sticks = [moved(STICK, random) for _ in range(6)]
    shipped = load_model()
    read_as = shipped.scores(real_handwriting.prepared([(stick, 1) for stick in sticks])[0]).argmax(axis=1)
    assert (read_as == 1).all()  # the shipped model reads a plain 1 right, so that:
    for stick in sticks[:4]:
        append_digit(tmp_path / "anna.jsonl", stick, 1)   # anna: four 1s, all read right
    for stick in sticks[4:]:
        append_digit(tmp_path / "ben.jsonl", stick, 7)    # ben: two "7s" the model reads as 1
    output = run(capsys, tmp_path).out
    assert "6 digits from 2 writers" in output
    row = next(line for line in output.splitlines() if line.startswith("| mnist_nn.npz"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1:5] == ["**66.7%**", "100.0", "0.0", "no"]     # all, the 1s, the 7s, goals met
    assert cells[5:] == ["1 of 2", "ben 0%"]
    assert "no recordings of 0, 2, 3, 4, 5, 6, 8, 9" in output


def test_recordings_whose_y_axis_points_up_are_turned_the_right_way_up(tmp_path, capsys):
    random = np.random.default_rng(3)
    digits = [(moved(STICK, random), 1) for _ in range(3)] + [(moved(SLASHED_ZERO, random), 0) for _ in range(3)]
    (tmp_path / "down").mkdir(), (tmp_path / "up").mkdir()
    for strokes, label in digits:
        append_digit(tmp_path / "down" / "anna.jsonl", strokes, label)
        append_digit(tmp_path / "up" / "anna.jsonl", [[(x, -y) for x, y in stroke] for stroke in strokes], label)
    as_recorded = run(capsys, tmp_path / "down").out
    assert run(capsys, tmp_path / "up", "--y-up").out.split("(")[:-1] == as_recorded.split("(")[:-1]  # but the time
    assert "try --y-up" not in as_recorded


def test_a_model_reading_under_half_of_them_asks_whether_they_are_upside_down(tmp_path, capsys):
    for _ in range(3):
        append_digit(tmp_path / "anna.jsonl", STICK, 7)                  # read as 1: none right
    assert "if the recordings' y axis points up" in run(capsys, tmp_path).out


def test_two_models_and_the_peer_are_read_side_by_side(tmp_path, capsys):
    random = np.random.default_rng(2)
    for number in range(3):
        append_digit(tmp_path / "anna.jsonl", moved(STICK, random), 1)
    # A stand-in for the peer's Python (bench/peer.py runs `PYTHON -c SCRIPT`): it answers 7 to every
    # drawing it is sent, one a line, after its MNIST accuracy, as the peer's script does.
    peer = tmp_path / "python"
    peer.write_text("#!/bin/sh\necho 0.9854\nwhile read line; do echo 7; done\n")
    peer.chmod(peer.stat().st_mode | stat.S_IEXEC)
    shipped = real_handwriting.shipped_model_path()
    output = run(capsys, tmp_path, "--model", shipped, "--model", shipped, "--peer-python", peer).out
    rows = [line for line in output.splitlines() if line.startswith("| mnist_nn.npz") or line.startswith("| peer")]
    assert len(rows) == 3
    assert "| peer: neural-network-digits (98.54% on MNIST) | **0.0%** |" in rows[2]
    assert rows[0] == rows[1]
    assert output.count("mnist_nn.npz: ahead of the peer on every digit: yes") == 2


@pytest.mark.parametrize("accuracy", [None, "high", [0.98]], ids=["null", "text", "list"])
def test_a_model_recording_no_mnist_accuracy_that_is_a_number_is_read_all_the_same(tmp_path, capsys, accuracy):
    # A model's info edited by hand: 100 * None, or a format of text, was a traceback.
    from myonn.model import save_model
    model = load_model()
    model.info = {**model.info, "test_accuracy": accuracy}
    save_model(model, tmp_path / "edited.npz")
    append_digit(tmp_path / "anna.jsonl", STICK, 1)
    output = run(capsys, tmp_path / "anna.jsonl", "--model", tmp_path / "edited.npz").out
    assert "| edited.npz (no accuracy recorded on MNIST) | **100.0%** |" in output


def test_a_quoted_tilde_in_a_path_flag_is_your_home_folder(tmp_path, capsys, monkeypatch):
    # As in the scripts (myonn/paths.py): a ~ that the shell left as it is (quoted, or from a .env file)
    # was taken for a folder named ~ in the current folder, and nothing was found there.
    home = tmp_path / "home"
    (home / "recordings").mkdir(parents=True)
    append_digit(home / "recordings" / "anna.jsonl", STICK, 1)
    (home / "model.npz").write_bytes(real_handwriting.shipped_model_path().read_bytes())
    (home / "peer.npz").write_bytes(b"the peer's model")
    # The peer's stand-in (as in the test above), which fails unless it is given the peer's model.
    peer = home / "python"
    peer.write_text('#!/bin/sh\n[ -f "$3" ] || { echo "no model at $3" >&2; exit 1; }\n'
                    "echo 0.9854\nwhile read line; do echo 7; done\n")
    peer.chmod(peer.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    output = run(capsys, "~/recordings", "--model", "~/model.npz", "--peer-python", "~/python",
                 "--peer-model", "~/peer.npz").out
    assert output.startswith("1 digits from 1 writer;")
    assert "| model.npz" in output and "| peer: neural-network-digits (98.54% on MNIST)" in output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["home"]   # no folder named ~ made here


def test_digits_recorded_one_after_another_are_split_digit_by_digit():
    digits = [(STICK, 0)] * 4 + [(STICK, 1)] * 3 + [(STICK, 2)]
    for number, (strokes, label) in enumerate(digits):
        digits[number] = ([[(number, 0), (number, 1)]], label)   # each drawing its own
    session, kept_apart = real_handwriting.halves(digits)
    assert [label for _, label in session] == [0, 0, 1]
    assert [label for _, label in kept_apart] == [0, 0, 1, 1, 2]
    assert [strokes[0][0][0] for strokes, _ in session] == [0, 1, 4]   # the first of each, in the file's order


def test_each_writer_teaches_what_it_misreads_and_is_read_before_and_after(tmp_path, capsys, real_mnist_dir,
                                                                             monkeypatch):
    monkeypatch.setenv("MYONN_DATA_DIR", str(real_mnist_dir))
    random = np.random.default_rng(3)
    zeros = [moved(SLASHED_ZERO, random) for _ in range(4)]
    sticks = [moved(STICK, random) for _ in range(4)]
    for drawing, label in [(zero, 0) for zero in zeros] + [(stick, 1) for stick in sticks]:
        append_digit(tmp_path / "anna.jsonl", drawing, label)
    append_digit(tmp_path / "ben.jsonl", STICK, 1)   # one digit: nothing to split
    shipped = load_model()
    images, labels = real_handwriting.prepared([(zero, 0) for zero in zeros[:2]] + [(s, 1) for s in sticks[:2]])
    misread = int((shipped.scores(images).argmax(axis=1) != labels).sum())
    assert misread >= 1   # the slashed 0s are read as 8s
    output = run(capsys, tmp_path, "--teach").out
    row = next(line for line in output.splitlines() if line.startswith("| anna"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1] == "4 / 4"
    # One key press per drawing misread when it comes: the first slashed 0 at least, and a later one
    # only if the teaching before it did not already fix it.
    assert 1 <= int(cells[3]) <= misread
    assert float(cells[4].rstrip("%")) >= float(cells[2].rstrip("%"))  # read after, no worse than before
    assert float(cells[4].rstrip("%")) >= 75.0
    mnist_after = float(cells[5].rstrip("%"))
    assert abs(mnist_after - 100 * shipped.info["test_accuracy"]) <= 0.5
    assert "| ben | no digit drawn twice" in output
    assert "all writers: second halves read" in output


def test_recordings_far_larger_than_any_are_refused_before_they_are_read(tmp_path, capsys, monkeypatch):
    for writer in ("anna", "ben"):
        append_digit(tmp_path / f"{writer}.jsonl", STICK, 1)
    monkeypatch.setattr(real_handwriting, "MOST_BYTES", (tmp_path / "anna.jsonl").stat().st_size + 1)
    monkeypatch.setattr(real_handwriting, "read_digits", lambda *arguments, **named: pytest.fail("read"))
    with pytest.raises(SystemExit) as stopped:
        real_handwriting.cli.run(lambda: real_handwriting.main([str(tmp_path)]))
    assert stopped.value.code == 2
    assert "more than 0 MB of recorded digits in all" in capsys.readouterr().err


@pytest.mark.parametrize("arguments, message", [
    (["{folder}/nowhere"], "no such file or folder of recorded digits"),
    (["{folder}"], "no WRITER.jsonl files"),
    (["{folder}/junk.jsonl"], "not one readable digit in it (junk.jsonl: lines 1, 2 are not a digit (damaged?))"),
    (["{folder}/anna.jsonl", "--model", "{folder}/junk.bin"], "not a model file"),
    (["{folder}", "--size", "5"], "argument --size: must be a whole number from 24 to 672, not '5'"),
    # Printed back in full, 5,000 digits of it ("invalid int value"), as --seed; --seed -1 was a traceback with --teach.
    (["{folder}", "--size", "9" * 5000], "argument --size: '9999999999999999999999999999999999999999'… (5,000 "
                                         "characters) is too large: must be a whole number from 24 to 672"),
    (["{folder}", "--seed", "-1"], "argument --seed: must be a whole number of at least 0, not '-1'"),
    (["{folder}", "--peer-size", "0"], "argument --peer-size: must be a whole number from 1 to 280, not '0'"),
    # "Permission denied", from the system.
    (["{folder}", "--peer-python", "{folder}"], "is a folder, not a Python"),
    (["{folder}", "--y-up", "--as-recorded"], "--as-recorded keeps canvas pixels as they are"),
])
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, capsys, arguments, message):
    (tmp_path / "junk.bin").write_bytes(os.urandom(1000))
    if "anna.jsonl" in " ".join(arguments):
        append_digit(tmp_path / "anna.jsonl", STICK, 1)
    if "junk.jsonl" in " ".join(arguments):
        (tmp_path / "junk.jsonl").write_bytes(b"\x00\xff not json\n" + json.dumps({"label": 3}).encode() + b"\n")
    with pytest.raises(SystemExit) as stopped:   # as the script runs main
        real_handwriting.cli.run(lambda: real_handwriting.main([argument.format(folder=tmp_path)
                                                                for argument in arguments]))
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
    assert error.count("\n") == 1, error  # junk.jsonl's damaged lines were said first, on a line of their own


def test_the_benchs_held_out_writers_are_written_as_recordings_it_reads(tmp_path, capsys):
    bench_spec = importlib.util.spec_from_file_location("handwriting_bench", REPOSITORY_ROOT / "bench" / "handwriting.py")
    bench = importlib.util.module_from_spec(bench_spec)
    bench_spec.loader.exec_module(bench)
    bench.write_as_recordings(tmp_path, 2, seed=5)
    writers = real_handwriting.read_writers(tmp_path)
    assert "designed-held-out" in writers   # and each Hershey font, when hershey-fonts is installed
    held_out = writers["designed-held-out"]
    digits = sorted({digit for digit in bench.held_out_styles()})
    assert [label for _, label in held_out] == [digit for digit in digits for _ in range(2)]   # digit by digit
    with pytest.raises(MyonnError, match="is there already"):   # never over recordings already there
        bench.write_as_recordings(tmp_path, 2, seed=5)
