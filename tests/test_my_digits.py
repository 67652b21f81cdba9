"""Specification of myonn/my_digits.py: your own digits' file, which only grows and never breaks."""

import json

import numpy as np

from myonn.my_digits import FILE_NAME, append_digit, default_path, digit_images, read_digits

SEVEN = [[(150.0, 150.0), (500.0, 150.0), (300.0, 560.0)]]
ONE = [[(330.0, 120.0), (330.0, 560.0)]]


def test_a_missing_file_is_no_digits_yet_unless_it_was_asked_for(tmp_path):
    import pytest

    from myonn.errors import MyonnError

    assert read_digits(tmp_path / "nothing.jsonl") == []
    with pytest.raises(MyonnError, match="nothing.jsonl: no such file of your digits"):
        read_digits(tmp_path / "nothing.jsonl", missing_ok=False)


def test_digits_are_appended_one_line_each_and_read_back(tmp_path):
    path = tmp_path / "folder" / "mine.jsonl"            # the folder is made too
    append_digit(path, SEVEN, 7)
    append_digit(path, ONE, 1)
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["label"] == 7
    assert read_digits(path) == [(SEVEN, 7), (ONE, 1)]


def test_appending_never_changes_what_is_already_there(tmp_path):
    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    before = path.read_bytes()
    append_digit(path, ONE, 1)
    assert path.read_bytes().startswith(before)


def test_a_damaged_line_is_skipped_with_a_warning_and_the_rest_is_read(tmp_path):
    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    with open(path, "ab") as file:
        file.write(b'{"label": 3, "strokes": [[[1, 2], [3\n')          # cut short
        file.write(b'{"label": 12, "strokes": [[[1, 2]]]}\n')         # no such digit
        file.write(b'\xff\xfe not text\n\n')
        file.write(b'{"label": 1, "strokes": [[[-1e308, 0], [1e308, 1]]]}\n')  # no drawing is that large
        file.write(b'{"label": 1, "strokes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
        file.write(b'{"label": 1, "strokes": [' + b"[0, 0], [600, 600], " * 100_000 + b"[0, 0]]}\n")  # a scribble
    append_digit(path, ONE, 1)
    warnings = []
    assert read_digits(path, warn=warnings.append) == [(SEVEN, 7), (ONE, 1)]
    assert warnings == [f"{path}: lines 2, 3, 4, 6, 7 and 1 more are not a digit (damaged?), skipped"]


def test_a_line_cut_short_at_the_end_does_not_spoil_the_next_digit(tmp_path):
    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    with open(path, "ab") as file:
        file.write(b'{"label": 3, "stro')                              # a crash mid-write: no newline
    append_digit(path, ONE, 1)
    assert read_digits(path, warn=lambda message: None) == [(SEVEN, 7), (ONE, 1)]


def test_the_file_lives_beside_your_own_model(own_models_apart):
    assert default_path() == own_models_apart / FILE_NAME


def test_digits_become_mnist_style_images(tmp_path):
    images, labels = digit_images([(SEVEN, 7), (ONE, 1), ([], 4)])   # a drawing with no points is left out
    assert images.shape == (2, 28, 28) and images.dtype == np.uint8
    assert list(labels) == [7, 1] and images.max() == 255


def test_a_file_far_larger_than_any_digits_file_is_refused_not_read(tmp_path, monkeypatch):
    import pytest

    from myonn import my_digits
    from myonn.errors import MyonnError

    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    monkeypatch.setattr(my_digits, "LARGEST_FILE_BYTES", path.stat().st_size - 1)
    with pytest.raises(MyonnError, match="far more than anyone's drawn digits"):
        read_digits(path)
