"""Specification of myonn/my_digits.py: your own digits' file, which only grows and never breaks."""

import errno
import json
import os

import numpy as np
import pytest

from myonn.errors import MyonnError
from myonn.my_digits import FILE_NAME, append_digit, default_path, digit_images, read_digits, take_back_digit

SEVEN = [[(150.0, 150.0), (500.0, 150.0), (300.0, 560.0)]]
ONE = [[(330.0, 120.0), (330.0, 560.0)]]


def as_points(digits):
    """read_digits' (strokes, label) with each stroke a list of (x, y) tuples, to compare with SEVEN and ONE."""
    return [([[tuple(point) for point in stroke.tolist()] for stroke in strokes], label) for strokes, label in digits]


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
    assert as_points(read_digits(path)) == [(SEVEN, 7), (ONE, 1)]


def test_appending_never_changes_what_is_already_there(tmp_path):
    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    before = path.read_bytes()
    append_digit(path, ONE, 1)
    assert path.read_bytes().startswith(before)


def test_a_digit_taken_back_leaves_the_file_as_it_was_byte_for_byte(tmp_path):
    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    with open(path, "ab") as file:
        file.write(b'{"label": 1, "str')                                  # a last line cut short
    before = path.read_bytes()
    appended = append_digit(path, ONE, 1)                                 # starts on a line of its own
    assert take_back_digit(path, appended) is None and path.read_bytes() == before
    assert take_back_digit(path, appended) == "it has changed since"     # once only: it is gone


def test_a_digit_is_not_taken_back_once_anything_was_added_after_it_or_the_file_changed(tmp_path):
    path = tmp_path / "mine.jsonl"
    appended = append_digit(path, SEVEN, 7)
    append_digit(path, ONE, 1)                                            # another window's digit
    assert take_back_digit(path, appended) == "another window has added to it since"
    assert len(read_digits(path)) == 2
    appended = append_digit(path, SEVEN, 7)
    path.write_bytes(path.read_bytes()[:-len(appended[1])] + appended[1].replace(b'"label":7', b'"label":4'))
    assert take_back_digit(path, appended) == "it has changed since"     # edited meanwhile: no longer ours
    assert len(read_digits(path)) == 3
    path.unlink()
    assert take_back_digit(path, appended) == "it is no longer there"


def test_appending_waits_while_another_window_writes_and_works_where_files_cannot_be_locked(tmp_path,
                                                                                            monkeypatch):
    import errno
    import fcntl
    import threading

    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    with open(path, "rb") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)                        # another window, mid-write
        appending = threading.Thread(target=append_digit, args=(path, ONE, 1))
        appending.start()
        appending.join(0.5)
        assert appending.is_alive() and len(read_digits(path)) == 1
        fcntl.flock(other.fileno(), fcntl.LOCK_UN)
        appending.join(5)
    assert len(read_digits(path)) == 2

    def no_locks(*_):
        raise OSError(errno.ENOLCK, "No locks available")
    monkeypatch.setattr(fcntl, "flock", no_locks)
    appended = append_digit(path, SEVEN, 7)
    assert len(read_digits(path)) == 3 and take_back_digit(path, appended) is None and len(read_digits(path)) == 2


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
    assert as_points(read_digits(path, warn=warnings.append)) == [(SEVEN, 7), (ONE, 1)]
    assert warnings == [f"{path}: lines 2, 3, 4, 6, 7 and 1 more are not a digit (damaged?), skipped"]


def test_the_warning_on_stderr_shows_a_terminal_code_in_the_file_name_escaped(tmp_path, capsys):
    # Printed as it was, a name holding ESC [ 2 J cleared the user's screen (errors.printable).
    path = tmp_path / "mine\x1b[2J.jsonl"
    append_digit(path, SEVEN, 7)
    with open(path, "ab") as file:
        file.write(b'{"label": 12, "strokes": [[[1, 2]]]}\n')
    assert as_points(read_digits(path)) == [(SEVEN, 7)]
    assert capsys.readouterr().err == f"{tmp_path}/mine\\x1b[2J.jsonl: line 2 is not a digit (damaged?), skipped\n"


def test_a_line_cut_short_at_the_end_does_not_spoil_the_next_digit(tmp_path):
    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    with open(path, "ab") as file:
        file.write(b'{"label": 3, "stro')                              # a crash mid-write: no newline
    append_digit(path, ONE, 1)
    assert as_points(read_digits(path, warn=lambda message: None)) == [(SEVEN, 7), (ONE, 1)]


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


def test_a_number_too_large_for_a_float_is_a_damaged_line_not_a_crash(tmp_path):
    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    with open(path, "ab") as file:
        file.write(b'{"label": 1, "strokes": [[[1' + b"0" * 400 + b', 5], [10, 10]]]}\n')   # 10**400, as JSON allows
        file.write(b'{"label": 1, "strokes": [[[1' + b"0" * 5000 + b', 5], [10, 10]]]}\n')  # beyond json's own limit
    append_digit(path, ONE, 1)
    warnings = []
    assert as_points(read_digits(path, warn=warnings.append)) == [(SEVEN, 7), (ONE, 1)]
    assert warnings == [f"{path}: lines 2, 3 are not a digit (damaged?), skipped"]


def test_a_point_that_is_not_two_coordinates_makes_its_line_damaged(tmp_path):
    """The points of a line are checked a stroke at a time by NumPy: whatever NumPy would take for
    numbers (true, false; strings, had it been told they were floats) is not a coordinate all the same."""
    path = tmp_path / "mine.jsonl"
    points = ['[1,true]', '[false,2]', '[1,"2"]', '[1,null]', '[1,NaN]', '[1,Infinity]', '[1,1e400]', '[1,2,3]',
              '[1]', '[[1,2]]', '{"x":1,"y":2}', '"ab"', '[1,1e9]', '[1,18446744073709551615]']
    lines = [f'{{"label": 3, "strokes": [[[10, 10], {point}, [20, 20]]]}}' for point in points]
    lines += ['{"label": 3, "strokes": [[[10, 10]], []]}', '{"label": 3, "strokes": [[10, 10]]}',
              '{"label": 3, "strokes": []}', '{"label": 3, "strokes": [[[10, 10], [20, 20]], 5]}']
    path.write_text("".join(line + "\n" for line in lines) + '{"label": 3, "strokes": [[[10, 10], [20.5, 20]]]}\n')
    warnings = []
    digits = read_digits(path, warn=warnings.append)
    assert as_points(digits) == [([[(10.0, 10.0), (20.5, 20.0)]], 3)]
    assert warnings == [f"{path}: lines 1, 2, 3, 4, 5 and {len(lines) - 5} more are not a digit (damaged?), skipped"]


def test_digits_drawn_when_asked_are_the_images_digit_images_makes_each_drawn_once(tmp_path, monkeypatch):
    from myonn import my_digits
    from myonn.my_digits import DrawnWhenAsked

    path = tmp_path / "mine.jsonl"
    for strokes, label in [(SEVEN, 7), (ONE, 1), (SEVEN, 7)]:
        append_digit(path, strokes, label)
    digits = read_digits(path)
    images, _ = digit_images(digits)
    drawn = []
    real_digit_pixels = my_digits.digit_pixels
    monkeypatch.setattr(my_digits, "digit_pixels", lambda strokes: drawn.append(1) or real_digit_pixels(strokes))
    lazy = DrawnWhenAsked(digits)
    assert len(lazy) == 3 and drawn == []                                # nothing drawn until asked for
    chosen = np.array([2, 0, 2, 2])
    assert np.array_equal(lazy[chosen], images[chosen]) and lazy[chosen].dtype == np.uint8
    assert len(drawn) == 2                                               # each of the two asked for, once
    assert np.array_equal(lazy[chosen], images[chosen]) and len(drawn) == 2
    more = lazy.and_drawn(ONE, images[1])
    assert len(more) == 4 and len(lazy) == 3
    assert np.array_equal(more[np.array([3, 1])], images[[1, 1]]) and len(drawn) == 3   # the added one is not drawn again


def test_a_digit_of_more_strokes_than_a_digit_ever_has_is_skipped_before_its_points_are_made(tmp_path, monkeypatch):
    # 325 such lines of 20,000 one-point strokes, within the file's size, took 2.3 GB and 78 s to read.
    from myonn import my_digits
    from myonn.handwriting import MOST_STROKES

    path = tmp_path / "mine.jsonl"
    dots = [[(float(10 + n % 50), float(10 + n // 50))] for n in range(MOST_STROKES)]
    append_digit(path, dots, 8)                                   # as many as may be: a digit
    with open(path, "a") as file:
        file.write(json.dumps({"label": 8, "strokes": [[[5, 5]]] * (MOST_STROKES + 1)}) + "\n")
        file.write(json.dumps({"label": 8, "strokes": [[[5, 5]]] * 20_000}) + "\n")
    made = []
    real_points = my_digits._points
    monkeypatch.setattr(my_digits, "_points", lambda points, *args, **options: made.append(len(points))
                        or real_points(points, *args, **options))
    warnings = []
    digits = read_digits(path, warn=warnings.append)
    assert len(digits) == 1 and len(digits[0][0]) == MOST_STROKES
    assert warnings == [f"{path}: lines 2, 3 are not a digit (damaged?), skipped"]
    assert made == [MOST_STROKES]                                 # the points of the first line only


def test_a_line_longer_than_any_digit_can_be_is_skipped(tmp_path, monkeypatch):
    from myonn import my_digits
    from myonn.handwriting import MOST_POINTS

    # A digit of 20,000 points fits in the bound with room to spare, as append_digit writes it.
    assert len(json.dumps([[[999.9, 999.9]] * MOST_POINTS], separators=(",", ":"))) < my_digits.LONGEST_LINE_BYTES / 5
    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    append_digit(path, [[(float(x), 100.0) for x in range(200)]], 1)   # a fine digit, but over the bound below
    append_digit(path, ONE, 1)
    monkeypatch.setattr(my_digits, "LONGEST_LINE_BYTES", 1000)
    warnings = []
    assert as_points(read_digits(path, warn=warnings.append)) == [(SEVEN, 7), (ONE, 1)]
    assert warnings == [f"{path}: line 2 is not a digit (damaged?), skipped"]


def test_a_fifo_or_a_device_is_refused_not_waited_on(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    # Opening a FIFO waits for a writer that never comes: so in a process of its own, with a timeout.
    fifo = tmp_path / "mine.jsonl"
    os.mkfifo(fifo)
    for calling in (f"read_digits({str(fifo)!r})", f"append_digit({str(fifo)!r}, [[(1, 2)]], 1)",
                    "append_digit('/dev/null', [[(1, 2)]], 1)"):
        result = subprocess.run([sys.executable, "-c", f"from myonn.my_digits import *\n{calling}"],
                                capture_output=True, text=True, timeout=30, cwd=Path(__file__).parent.parent)
        assert result.returncode != 0 and "MyonnError" in result.stderr, result.stderr
        assert result.stderr.rstrip().endswith(": not a regular file"), result.stderr


def test_a_model_or_a_file_that_is_no_digits_file_is_never_added_to(tmp_path):
    """`--my-digits data/mnist_nn.npz` once appended lines to the shipped model, which then failed to load."""
    import pytest

    from myonn.errors import MyonnError

    for name, content in [("model.npz", b"PK\x03\x04 a zip"), ("model.yaml", b""), ("notes.txt", b"my digits:\n")]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(MyonnError, match="a model's name|does not begin as a file of your digits"):
            append_digit(path, SEVEN, 7)
        assert path.read_bytes() == content
    bom = tmp_path / "mine.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf")   # an editor's byte-order mark before the first digit is no harm
    append_digit(bom, SEVEN, 7)
    assert as_points(read_digits(bom)) == [(SEVEN, 7)]


NOTEBOOK = b'{\n "cells": [],\n "metadata": {},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n'


def test_a_notebook_or_other_json_file_is_never_added_to(tmp_path):
    """A pretty-printed JSON file begins with `{` as a digits file does: a notebook passed as --my-digits
    got a digit's line appended, and was no longer JSON."""
    import pytest

    from myonn.errors import MyonnError

    for name, content in [("analysis.ipynb", NOTEBOOK), ("settings.json", b'{"rate": 0.1}\n'),
                          ("log.jsonl", b'{"text": "not a digit"}\n{"text": "nor this"}\n'),
                          ("nested.json", b"[" * 100_000 + b"]" * 100_000 + b"\n"),
                          ("data.csv", b"7,0,0,0\n" * 1000),
                          # A JSON array of digits, one to a line: its last line is a whole digit (audit 17).
                          ("array.json", b'[\n  {"label": 1, "strokes": [[[10, 10], [100, 100]]]},\n'
                                         b'  {"label": 1, "strokes": [[[10, 10], [100, 100]]]}\n]\n'),
                          ("flush.json", b'[\n{"label": 1, "strokes": [[[10, 10], [100, 100]]]},\n'
                                         b'{"label": 1, "strokes": [[[10, 10], [100, 100]]]}\n]\n'),
                          ("object.json", b'{\n  "digits": [\n{"label": 1, "strokes": [[[10, 10], [100, 100]]]}\n]}\n'),
                          ("begun.json", b'{"digits": [\n{"label": 1, "strokes": [[[10, 10], [100, 100]]]}\n]}\n')]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(MyonnError, match=r"does not begin as a file of your digits does .* and holds none "
                                             "of them, so it is not used \\(nor added to\\); name another "
                                             "with --my-digits"):
            append_digit(path, SEVEN, 7)
        assert path.read_bytes() == content


def test_a_digits_file_whose_first_line_is_damaged_is_still_yours(tmp_path):
    """A damaged line never makes the file unusable, the first one included: cut short, damaged in its
    values, or not a digit at all (a note added by hand) but followed by digits."""
    digit = json.dumps({"label": 1, "strokes": [[list(point) for point in stroke] for stroke in ONE]}).encode()
    for first_line in [b'{"label":3,"strokes":[[[1,2],[3\n',          # cut short by a crash
                       b'{"label": 12, "strokes": [[[1, 2]]]}\n',     # no such digit
                       b"# my digits, drawn on the tablet\n",         # a note, then digits
                       b"\n\n\xef\xbb\xbf}{x\n"]:                        # anything at all, then digits
        path = tmp_path / "mine.jsonl"
        path.write_bytes(first_line + digit + b"\n")
        append_digit(path, SEVEN, 7)
        assert as_points(read_digits(path, warn=lambda message: None)) == [(ONE, 1), (SEVEN, 7)]
    alone = tmp_path / "cut-short.jsonl"
    alone.write_bytes(b'{"label":3,"strokes":[[[1,')   # the first digit ever, cut short: no digit yet
    append_digit(alone, SEVEN, 7)
    assert as_points(read_digits(alone, warn=lambda message: None)) == [(SEVEN, 7)]


def test_a_file_of_more_digits_than_teaching_reads_is_refused(tmp_path, monkeypatch):
    import pytest

    from myonn import my_digits
    from myonn.errors import MyonnError

    path = tmp_path / "mine.jsonl"
    for _ in range(4):
        append_digit(path, ONE, 1)
    monkeypatch.setattr(my_digits, "MOST_DIGITS", 4)
    assert len(read_digits(path)) == 4
    with path.open("a") as file:             # a fifth, added by hand
        file.write(path.read_text().splitlines()[0] + "\n")
    with pytest.raises(MyonnError, match="holds more than 4 digits"):
        read_digits(path)


def test_a_digit_beyond_the_most_a_file_may_hold_is_not_added(tmp_path, monkeypatch):
    """Added, it would make every later read refuse the whole file (the window had added a 10,001st)."""
    import pytest

    from myonn import my_digits
    from myonn.errors import MyonnError

    monkeypatch.setattr(my_digits, "MOST_DIGITS", 4)
    path = tmp_path / "mine.jsonl"
    for _ in range(4):
        append_digit(path, ONE, 1)
    before = path.read_bytes()
    with pytest.raises(MyonnError, match="holds 4 digits, as many as teaching and training read; keep further "
                                         r"digits in another file \(--my-digits\)"):
        append_digit(path, ONE, 1)
    assert path.read_bytes() == before and len(read_digits(path)) == 4


def test_a_file_of_millions_of_blank_lines_is_refused_without_reading_them_all(tmp_path, monkeypatch):
    import pytest

    from myonn import my_digits
    from myonn.errors import MyonnError

    monkeypatch.setattr(my_digits, "MOST_LINES", 100)
    path = tmp_path / "mine.jsonl"
    append_digit(path, ONE, 1)
    with path.open("a") as file:
        file.write("\n" * 50)
    assert len(read_digits(path)) == 1           # a few blank lines between digits are fine
    with path.open("a") as file:
        file.write("\n" * 60)
    with pytest.raises(MyonnError, match="holds more than 100 lines, more than a file of 10,000 digits"):
        read_digits(path)


def test_a_full_disk_while_appending_takes_back_the_part_line(tmp_path):
    """The file stays as it was, not with half a line every later read would call damaged. A limit on
    the size of files this process writes (RLIMIT_FSIZE) stands in for the full disk."""
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    before = path.read_bytes()
    program = (f"import resource, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
               f"resource.setrlimit(resource.RLIMIT_FSIZE, ({len(before) + 20}, resource.RLIM_INFINITY))\n"
               f"from myonn.my_digits import append_digit\nappend_digit({str(path)!r}, {ONE!r}, 1)\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30,
                            cwd=Path(__file__).parent.parent)
    assert "MyonnError: cannot add your digit to" in result.stderr, result.stderr
    assert path.read_bytes() == before


def test_appending_counts_the_lines_through_a_buffer_not_a_byte_at_a_time(tmp_path, monkeypatch):
    """readline on the file as it is opened for appending (unbuffered) reads a byte at a time: counting
    the lines of a 60 MB digits file took 40 s of every digit key."""
    import io

    from myonn import my_digits

    path = tmp_path / "mine.jsonl"
    append_digit(path, SEVEN, 7)
    read_from = []
    real_lines = my_digits._lines
    monkeypatch.setattr(my_digits, "_lines", lambda file: read_from.append(type(file)) or real_lines(file))
    append_digit(path, ONE, 1)
    assert read_from and set(read_from) == {io.BufferedReader}  # checking the file reads it so too
    assert as_points(read_digits(path)) == [(SEVEN, 7), (ONE, 1)]


def test_a_digit_that_would_take_a_file_past_its_lines_or_bytes_is_not_added(tmp_path, monkeypatch):
    """The other two limits a read has: a digit added past either made every later read refuse the file."""
    import pytest

    from myonn import my_digits
    from myonn.errors import MyonnError

    path = tmp_path / "mine.jsonl"
    append_digit(path, ONE, 1)
    with path.open("a") as file:
        file.write("\n" * 8)                     # 9 lines, one digit
    monkeypatch.setattr(my_digits, "MOST_LINES", 9)
    before = path.read_bytes()
    with pytest.raises(MyonnError, match="holds 9 lines, as many as teaching and training read"):
        append_digit(path, ONE, 1)
    assert path.read_bytes() == before
    monkeypatch.setattr(my_digits, "MOST_LINES", 100)
    monkeypatch.setattr(my_digits, "LARGEST_FILE_BYTES", len(before) + 10)
    with pytest.raises(MyonnError, match="would grow past 0 MB, more than teaching and training read"):
        append_digit(path, ONE, 1)
    assert path.read_bytes() == before


@pytest.mark.parametrize("code, hint", [(errno.EROFS, True), (errno.EACCES, True), (errno.ENOSPC, False)])
def test_a_digits_file_that_cannot_be_written_says_where_else_your_digits_can_go(tmp_path, monkeypatch, code, hint):
    """A read-only checkout: the digit key said only "cannot add your digit to …: Read-only file system",
    where a model's folder that cannot be written names MYONN_MODEL_DIR. (As root every file can be
    written, so the system's refusal is made by hand, where the file is opened.)"""
    from myonn import my_digits

    def refused(*arguments, **named):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(my_digits, "open", refused, raising=False)
    path = tmp_path / "mine.jsonl"
    with pytest.raises(MyonnError) as refusal:
        append_digit(path, SEVEN, 7)
    said = str(refusal.value)
    assert said.startswith(f"cannot add your digit to {path}: {os.strerror(code)}")
    assert ("(--my-digits FILE keeps your digits elsewhere; MYONN_MODEL_DIR puts your own model and digits "
            "elsewhere together)" in said) is hint
