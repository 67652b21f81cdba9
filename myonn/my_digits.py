"""Your own digits: the drawings you taught the network in the drawing window, kept in one file.

    data/my_digits.jsonl     one digit a line: {"label": 7, "strokes": [[[x, y], ...], ...]}

The file only grows: each new digit is appended as one line, flushed and handed to the disk
(fsync) before the window goes on, so a crash or a power cut can at worst lose the line being
written, never one already there. The one line ever taken out is the last, by the window that
added it, when you take that teaching back (Ctrl+Z, a wrong key) or its model could not be saved:
take_back_digit removes those very bytes only while nothing has been added after them. Reading is
as forgiving: a line that is not a digit (cut short, edited by hand) is skipped with a warning, and a
missing file is simply no digits yet.

The strokes are kept, not the 28×28 image: the image can be made again from them whenever the
preparation of drawings improves (myonn/handwriting.py), and `mnist_draw.py --replay` can redraw them.
It lives beside your own model ($MYONN_MODEL_DIR moves both).
"""

import errno
import itertools
import json
import os
import stat
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from myonn.errors import MyonnError, printable, shortened
from myonn.handwriting import LARGEST_COORDINATE, MOST_POINTS, MOST_STROKES, digit_pixels, too_much_ink
from myonn.model import MODEL_SUFFIXES  # names of models, never of your digits' file
from myonn.model_store import own_model_path

FILE_NAME = "my_digits.jsonl"
# An editor may begin a text file with these bytes (UTF-8's byte-order mark): no harm before a first digit.
BYTE_ORDER_MARK = b"\xef\xbb\xbf"

# Each digit is a few kilobytes of strokes: this is tens of thousands of them. A larger file is not a
# digits file, and is refused rather than read.
LARGEST_FILE_BYTES = 64_000_000

# Teaching reads the whole file at its first key press (and draws only the digits its steps use), at
# a fraction of a millisecond a digit: a file of a million short lines kept the window waiting over
# five minutes. More digits than this (some three hours of drawing one a second) are refused; a file
# of 10,000 of the longest digits LARGEST_FILE_BYTES holds takes the first key 5 to 11 s.
MOST_DIGITS = 10_000
# Blank lines are skipped, but not for free: a file may have a few between its digits, not millions.
MOST_LINES = 10 * MOST_DIGITS
# Reading or drawing a file's digits says how far it has got every so many (read_digits, digit_images).
PROGRESS_EVERY = 100

# A digit holds at most MOST_POINTS points, and a point takes about 14 bytes as append_digit writes it
# ("[123.4,567.8],"): a line longer than 100 bytes a point is not a digit. It is skipped unparsed, and
# never held whole, since json makes tens of times a line's size in objects (a 250 MB line of points,
# 10 GB).
LONGEST_LINE_BYTES = 100 * MOST_POINTS


def default_path():
    """data/my_digits.jsonl, or my_digits.jsonl in $MYONN_MODEL_DIR: beside your own model."""
    return own_model_path().parent / FILE_NAME


def append_digit(path, strokes, label):
    """Add one digit to the file at `path` (made, with its folder, if missing) as one JSON line.

    strokes: a list of strokes, each a list of (x, y) points; label: 0..9.
    The line is flushed and fsynced before this returns. If the file's last line was cut short
    (no newline), the new line starts on a line of its own, so it is not spoiled with it.
    Returns (where the bytes written start in the file, those bytes), for take_back_digit.
    """
    line = json.dumps({"label": int(label), "strokes": [[[round(float(x), 1), round(float(y), 1)]
                                                          for x, y in stroke] for stroke in strokes]},
                      separators=(",", ":")).encode("utf-8") + b"\n"
    path = Path(path)
    check_digits_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Unbuffered: what is written is what write() said.
        with open(path, "a+b", buffering=0) as file, _only_writer(file, path):
            # One digit more than a read accepts, and every later read (teaching, training) would refuse
            # the whole file: so each of a read's limits is checked before the line is added.
            size = file.seek(0, os.SEEK_END)
            if size + len(line) + 1 > LARGEST_FILE_BYTES:
                raise MyonnError(f"{shortened(path)}: would grow past {LARGEST_FILE_BYTES // 1_000_000} MB, "
                                 "more than teaching and training read; keep further digits in another file "
                                 "(--my-digits)")
            lines = digits = 0
            # Read through a buffer of its own: readline on the unbuffered file reads a byte at a time,
            # and counting a 60 MB file's lines so took 40 s of each digit key.
            with open(os.dup(file.fileno()), "rb") as reader:
                reader.seek(0)
                for lines, read in enumerate(_lines(reader), start=1):
                    digits += read is None or bool(read.strip())
            if digits >= MOST_DIGITS or lines >= MOST_LINES:
                held = f"{MOST_DIGITS:,} digits" if digits >= MOST_DIGITS else f"{MOST_LINES:,} lines"
                raise MyonnError(f"{shortened(path)}: holds {held}, as many as teaching and training read; "
                                 "keep further digits in another file (--my-digits)")
            size = file.seek(0, os.SEEK_END)
            if size > 0:
                file.seek(-1, os.SEEK_END)
                if file.read(1) != b"\n":
                    line = b"\n" + line
            try:
                written = 0
                while written < len(line):
                    written += file.write(line[written:])
                os.fsync(file.fileno())
            except OSError:
                os.ftruncate(file.fileno(), size)  # a full disk: take back the part of the line written
                raise
    except OSError as error:
        # A read-only checkout, say: the line names the way out, as a model's folder that cannot be written does.
        elsewhere = (" (--my-digits FILE keeps your digits elsewhere; MYONN_MODEL_DIR puts your own model and "
                     "digits elsewhere together)" if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else "")
        raise MyonnError(f"cannot add your digit to {shortened(path)}: {error.strerror or error}{elsewhere}") from None
    return size, line


def take_back_digit(path, appended):
    """Take the line append_digit added out of the file again, `appended` being what it returned.

    Only while those bytes are still the file's last. Returns None when taken out; else, changing
    nothing, a few words saying why not: anything added after them (another window's digit), or the
    file changed or gone. Raises MyonnError when the file cannot be opened to change it.
    """
    start, line = appended
    refuse_unless_regular_file(path)
    try:
        with open(path, "r+b", buffering=0) as file, _only_writer(file, path):
            size = os.fstat(file.fileno()).st_size
            file.seek(start)
            if file.read(len(line)) != line:
                return "it has changed since"
            if size != start + len(line):
                return "another window has added to it since"
            os.ftruncate(file.fileno(), start)
            os.fsync(file.fileno())
    except FileNotFoundError:
        return "it is no longer there"
    except OSError as error:
        raise MyonnError(f"cannot take your digit out of {shortened(path)}: {error.strerror or error}") from None
    return None


# Our own runs hold the file's lock for the moment of one write; another program might hold it for
# ever. Teaching waits this long for it, then gives up, saying so.
LOCK_WAIT_S = 5


@contextmanager
def _only_writer(file, path):
    """While appending or taking back, no other window writes the file: an advisory lock, which every
    run of this project takes to write it (none on Windows, which lacks flock). MyonnError when
    another program holds it for over LOCK_WAIT_S."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    give_up = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > give_up:
                raise MyonnError(f"{shortened(path)}: another program has held it locked for over {LOCK_WAIT_S} s; "
                                 "try again when it is done") from None
            time.sleep(0.05)  # short naps: Ctrl-C is heard at once (unless held: teaching.Teacher)
        except OSError:  # a file system without locks: write as before there were any
            yield
            return
    try:
        yield
    finally:
        fcntl.flock(file.fileno(), fcntl.LOCK_UN)


def read_digits(path, warn=None, missing_ok=True, largest_coordinate=LARGEST_COORDINATE, progress=None):
    """Every digit in the file: a list of (strokes, label), each stroke an (n, 2) float array of (x, y) points.

    A missing file gives [] (or, with missing_ok=False, MyonnError: a file the user named must be
    there). Damaged lines are skipped, with one warning (to stderr, or `warn`) naming the file and
    the lines; the file itself is never changed. A point further out than `largest_coordinate` makes
    its line damaged (your digits are in canvas pixels; recordings in a tablet's units go further).
    progress: None, or called with the number of lines read so far, every PROGRESS_EVERY lines (a file
    of long digits takes seconds).
    """
    warn = warn or (lambda message: print(printable(message), file=sys.stderr))  # a name may hold a terminal's codes
    path = Path(path)
    refuse_unless_regular_file(path)
    digits, damaged = [], []
    try:
        with open(path, "rb") as file:
            if os.fstat(file.fileno()).st_size > LARGEST_FILE_BYTES:
                raise MyonnError(f"{shortened(path)}: larger than {LARGEST_FILE_BYTES // 1_000_000} MB, far more than "
                                 "anyone's drawn digits; is it the right file?")
            for number, line in enumerate(_lines(file), start=1):
                if progress is not None and number % PROGRESS_EVERY == 0:
                    progress(number)
                if number > MOST_LINES:   # blank lines cost time too: 60 MB of them took 20 s
                    raise MyonnError(f"{shortened(path)}: holds more than {MOST_LINES:,} lines, more than a file of "
                                     f"{MOST_DIGITS:,} digits; is it the right file?")
                if line is not None and not line.strip():
                    continue
                if len(digits) + len(damaged) == MOST_DIGITS:
                    raise MyonnError(f"{shortened(path)}: holds more than {MOST_DIGITS:,} digits, more than "
                                     f"teaching and training read; keep fewer in one file")
                digit = None if line is None else _parse(line, largest_coordinate)
                if digit is None:
                    damaged.append(number)
                else:
                    digits.append(digit)
    except FileNotFoundError:
        if missing_ok:
            return []
        raise MyonnError(f"{shortened(path)}: no such file of your digits") from None
    except OSError as error:
        raise MyonnError(f"cannot read your digits {shortened(path)}: {error.strerror or error}") from None
    if damaged:
        shown = ", ".join(map(str, damaged[:5])) + (f" and {len(damaged) - 5} more" if len(damaged) > 5 else "")
        warn(f"{shortened(path)}: {'line' if len(damaged) == 1 else 'lines'} {shown} "
             f"{'is' if len(damaged) == 1 else 'are'} not a digit (damaged?), skipped")
    return digits


def digit_images(digits, progress=None):
    """The 28×28 images and labels of digits from read_digits: uint8 (n, 28, 28), as MNIST stores
    its digits, and int (n,). Drawings with no points are left out. progress: None, or called with
    the number drawn so far, every PROGRESS_EVERY digits (a file of long digits takes a minute)."""
    images, labels = [], []
    for number, (strokes, label) in enumerate(digits, start=1):
        pixels = digit_pixels(strokes)
        if pixels is not None:
            images.append(np.round(pixels).astype(np.uint8))
            labels.append(label)
        if progress is not None and (number % PROGRESS_EVERY == 0 or number == len(digits)):
            progress(number)
    return np.array(images, dtype=np.uint8).reshape(-1, 28, 28), np.array(labels, dtype=np.int64)


class DrawnWhenAsked:
    """The images of digits from read_digits, as digit_images makes them, each drawn the first time it
    is asked for and then kept: `drawn[chosen]` (indices) gives uint8 (k, 28, 28); len() counts them.

    Drawing a digit takes a millisecond or a few (a long scribble), and a teaching asks for a few
    hundred at most: the first digit key after opening a file of 10,000 long digits waited 40 s to
    draw them all. Every digit from read_digits has points, so none is left out, unlike digit_images.
    """

    def __init__(self, digits=(), images=None):
        self.strokes = [strokes for strokes, _ in digits]
        self.images = [None] * len(self.strokes) if images is None else images  # uint8 (28, 28) once drawn

    def __len__(self):
        return len(self.strokes)

    def __getitem__(self, chosen):
        for index in np.unique(chosen):
            if self.images[index] is None:
                self.images[index] = np.round(digit_pixels(self.strokes[index])).astype(np.uint8)
        return np.array([self.images[index] for index in chosen], dtype=np.uint8).reshape(-1, 28, 28)

    def and_drawn(self, strokes, image):
        """These digits and one more, already drawn (`image`, uint8 (28, 28)); this one is unchanged."""
        more = DrawnWhenAsked(images=self.images + [image])
        more.strokes = self.strokes + [strokes]
        return more


def check_digits_file(path):
    """MyonnError unless `path` may be your digits' file, before anything is added to it: nothing yet, or
    a file not named as a model that is empty or is one of your digits' files (is_digits_file). A line
    appended to a model spoils it (`--my-digits data/mnist_nn.npz` once did), and one appended to a
    notebook, or to any other JSON file, too."""
    path = Path(path)
    refuse_unless_regular_file(path)
    if path.suffix.lower() in MODEL_SUFFIXES:
        raise MyonnError(f"{shortened(path)}: a model's name, not a file of your digits (theirs ends in .jsonl)")
    try:
        with open(path, "rb") as file:
            if is_digits_file(file):
                return
    except OSError:
        return  # nothing there yet (or a folder): appending says so in its own words
    # Said so for training too, which only reads it: a file that is not your digits is never used.
    raise MyonnError(f"{shortened(path)}: does not begin as a file of your digits does (with a line "
                     '{"label": …, "strokes": …}) and holds none of them, so it is not used (nor added to); '
                     "name another with --my-digits")


def is_digits_file(file):
    """Whether `file` (opened in binary) may be one of your digits' files: empty or blank, or its first
    line that is not blank is a digit's line as append_digit writes them, or else one line of it is a digit.

    A digit's line begins the line with {"label": (append_digit writes nothing else). The first one need
    only hold a digit's keys, {"label": …, "strokes": …}, or, cut short, begin as one: a line damaged in
    its values is skipped when the file is read, and must not make the file unusable. Its first line can
    be damaged past that too (edited by hand), and the file is still yours if a later line is a digit.
    A notebook or any other JSON document begins otherwise, with a `{` or `[` that does not begin a digit's
    line (a JSON array of digits, one to a line, has its last one whole: it was taken for yours and
    appended to; so was an object begun `{"digits": [`): a line added to it would leave it no longer JSON.
    A file larger than any digits file is not looked through: reading and appending refuse it, saying so."""
    if os.fstat(file.fileno()).st_size > LARGEST_FILE_BYTES:
        return True
    first_line_seen = False
    for number, line in enumerate(_lines(file), start=1):
        if number > MOST_LINES:
            return True  # as with a file too large: reading and appending refuse it, saying so
        if line is not None and not line.removeprefix(BYTE_ORDER_MARK).strip():
            continue
        if not first_line_seen:
            first_line_seen = True
            first = b"" if line is None else line.removeprefix(BYTE_ORDER_MARK)
            if _begins_as_digit(first):
                return True
            if first.lstrip().startswith((b"{", b"[")):
                return False  # a JSON document: an object or an array begun otherwise than a digit's line
        elif line is not None and _begins_as_digit(line) and _parse(line) is not None:
            return True
    return not first_line_seen


def _begins_as_digit(line):
    """Whether `line` (bytes) begins as a digit's line as append_digit writes it, though its values may be
    damaged: from its very start, a JSON object holding a digit's keys, or, not JSON (cut short), one that
    began as such."""
    if not line.startswith(b"{"):
        return False  # indented: a line of some JSON document, not of a digits file
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return line.startswith(b'{"label":')
    return isinstance(record, dict) and "label" in record and "strokes" in record


def refuse_unless_regular_file(path):
    """MyonnError if something other than a file or a folder is at `path`: opening a FIFO waits for a
    writer that may never come, and a device may never end. Nothing there, or a folder, is left to
    open() to say, in its own words."""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise MyonnError(f"{shortened(path)}: not a regular file")


def _lines(file):
    """The lines of a file opened in binary, each as bytes; a line longer than LONGEST_LINE_BYTES comes
    as None, read past in pieces of that size, so that no more than that is held at once."""
    while line := file.readline(LONGEST_LINE_BYTES + 1):
        if len(line) > LONGEST_LINE_BYTES:
            piece = line
            while piece and not piece.endswith(b"\n"):
                piece = file.readline(LONGEST_LINE_BYTES)
            line = None
        yield line


def _parse(line, largest_coordinate=LARGEST_COORDINATE):
    try:
        record = json.loads(line.decode("utf-8-sig"))  # -sig: a first line may begin with a byte-order mark
        label, strokes = record["label"], record["strokes"]
        if not (isinstance(label, int) and not isinstance(label, bool) and 0 <= label <= 9):
            return None
        if not (isinstance(strokes, list) and 0 < len(strokes) <= MOST_STROKES
                and all(isinstance(stroke, list) and stroke for stroke in strokes)):
            return None
        lengths = [len(stroke) for stroke in strokes]
        if sum(lengths) > MOST_POINTS:
            return None
        # JSON's true and false could only be there if the line holds those words (see _points).
        points = _points(list(itertools.chain.from_iterable(strokes)), largest_coordinate,
                         may_hold_booleans=b"true" in line or b"false" in line)
    # OverflowError: a whole number too large for a float, as JSON allows (10**400).
    except (ValueError, TypeError, KeyError, OverflowError, UnicodeDecodeError, RecursionError):
        return None
    if points is None:
        return None
    strokes = np.split(points, np.cumsum(lengths)[:-1])
    if too_much_ink(strokes):  # a scribble, or a hostile line: minutes and gigabytes to draw
        return None
    return strokes, label


def _points(points, largest_coordinate, may_hold_booleans=True):
    """A line's points, all its strokes' one after another: float (n, 2), or None unless each is two
    coordinates: finite numbers within largest_coordinate (not true or false). Kept as an array, 16
    bytes a point: as Python's tuples of floats they took 112, and a file within LARGEST_FILE_BYTES of
    digits at the most ink each came to gigabytes."""
    # NumPy checks a whole line's points at once, where is_coordinate on each number took 9 s of
    # reading a file of 10,000 long digits (and an array a stroke, a minute for digits of 200 dots).
    # Anything but numbers (strings, null, whole numbers too large for a float, as JSON allows: 10**400)
    # makes an array whose kind is not a number's; JSON's true and false among numbers NumPy takes for
    # 1 and 0, so those are looked for one by one.
    array = np.array(points)
    if array.dtype.kind not in "iuf" or array.ndim != 2 or array.shape[1] != 2:
        return None
    array = array.astype(np.float64)
    if not (np.isfinite(array).all() and np.abs(array).max() <= largest_coordinate):
        return None
    if may_hold_booleans and any(isinstance(value, bool) for point in points for value in point):
        return None
    return array
