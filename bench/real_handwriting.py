"""Real people's handwriting: how well the drawing window reads recorded pen digits, and how well it
learns each writer's style when they teach it.

    python bench/real_handwriting.py RECORDINGS                       the shipped model
    python bench/real_handwriting.py RECORDINGS --model A --model B   several models side by side
    python bench/real_handwriting.py RECORDINGS --peer-python PYTHON  and the peer app (bench/peer.py)
    python bench/real_handwriting.py RECORDINGS --teach               each writer teaches the window

This repository holds no such recordings, on purpose: issue 9's test of real handwriting (7,274 pen
digits from over a hundred writers) is kept apart so that nothing here can be tuned on it, and nothing
here ever was. This script is for whoever holds recordings like it, so that issue 9's goals are one
command away:

    reading    ≥ 97% of all the digits, no digit below 93%, ahead of the peer on every digit
    teaching   after teaching one example of each misread style, ≥ 98% of the writer's further digits,
               MNIST within 0.3 points

RECORDINGS is a folder holding one file per writer, WRITER.jsonl, or one such file (one writer). Each
line is one digit as the drawing window keeps your digits (myonn/my_digits.py, data/my_digits.jsonl):

    {"label": 7, "strokes": [[[x, y], [x, y], ...], ...]}     pen positions, y down, any units

--y-up turns recordings whose y axis points up (as many tablets' and data sets' do) the right way up;
when a model reads under half of the digits, the script suggests it.

A damaged line is skipped with a warning, as in your digits' file; the same limits hold (at most 20,000
points a digit, files of at most 64 MB and 10,000 digits).

Each digit is drawn on the window's 672-pixel canvas as a person would draw it there: scaled so that its
longer side is --size canvas pixels (400 by default, the middle of bench/handwriting.py's 150 to 550),
its points rounded to whole pixels as mouse events carry them, then prepared exactly as the window
prepares a drawing (handwriting.digit_pixels, then the model's own preparation). --as-recorded keeps
the points where they are, for recordings already made in canvas pixels: the answers are then the
window's own, as `mnist_draw.py --replay` gives them.

--teach: each writer's drawings of each digit are split in two, in the file's order (digit by digit,
as recordings are often made: all the 0s, then all the 1s, ...). The first halves, in the file's order,
are a session in the window: each drawing read right is let stand (Space), each one misread is taught
at once (its digit key: myonn/teaching.py, with the writer's earlier taught digits, the drawings let
stand and MNIST replayed). The second halves, never taught, are read before and after; so is MNIST's
test set (needs MNIST). Each writer starts from the model as shipped. This is the session of
`bench/handwriting.py --teach --session`, where a style is taught as often as it is misread; real
recordings name no styles, so "one example of each misread style" can only be approached: the key
presses column says how many it took.
"""

import copy
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from myonn.early_ctrl_c import stop_at_once_on_ctrl_c  # noqa: E402

if __name__ == "__main__":  # run, not imported by another bench or a test: myonn/early_ctrl_c.py
    stop_at_once_on_ctrl_c()

import numpy as np  # noqa: E402

from myonn import cli  # noqa: E402
from myonn.errors import MyonnError, printable, shortened  # noqa: E402
from myonn.handwriting import LARGEST_COORDINATE, digit_pixels  # noqa: E402
from myonn.model import load_model, shipped_model_path  # noqa: E402
from myonn.my_digits import read_digits  # noqa: E402
from myonn.windows.draw_window import CANVAS_SIDE  # noqa: E402

import peer as peer_bench  # noqa: E402  (bench/peer.py: the peer, and placing a drawing on a board)

READ_ALL, READ_EACH_DIGIT, TAUGHT_FURTHER = 0.97, 0.93, 0.98  # issue 9's goals
SIZE = 400
# The bench's stand-ins (bench/handwriting.py --as-recordings, its hardest writers) are read 84.0% right
# by the shipped model, and 38.8% upside down (a 6 read as 9, no 2, 5, 7 or 9 at all). Under this share,
# the script asks whether the recordings' y axis points up.
UPSIDE_DOWN_BELOW = 0.5

# Recordings are in a tablet's own units, which go far beyond the window's canvas pixels (a tablet
# with 5,080 lines an inch, 27 inches wide, counts to 137,160): a point is refused as damaged only
# beyond this. Each digit is scaled to the canvas before it is drawn, so its size never reaches the
# drawing's arithmetic.
LARGEST_RECORDED_COORDINATE = 1e9

# A folder of writers' files is listed, not walked: more files than this, or more bytes in all (issue
# 9's 7,274 digits would be some 10 to 20 MB), is not a folder of recordings: refused before it is read.
MOST_WRITERS = 100_000
MOST_BYTES = 512_000_000


def read_writers(recordings, largest_coordinate=LARGEST_RECORDED_COORDINATE):
    """{writer: [(strokes, label)]} from a folder of WRITER.jsonl files, or one file (one writer).
    Raises MyonnError for a path that is neither, or holds no digits at all."""
    recordings = Path(recordings)
    if recordings.is_dir():
        files = []
        with os.scandir(recordings) as entries:
            for entry in entries:
                if entry.name.endswith(".jsonl") and entry.is_file():
                    files.append(Path(entry.path))
                    if len(files) > MOST_WRITERS:
                        raise MyonnError(f"{shortened(recordings)}: more than {MOST_WRITERS:,} files, far more writers "
                                         "than a recording holds; is it the right folder?")
        if not files:
            raise MyonnError(f"{shortened(recordings)}: no WRITER.jsonl files of recorded digits in this folder")
    elif recordings.exists():
        files = [recordings]
    else:
        raise MyonnError(f"{shortened(recordings)}: no such file or folder of recorded digits")
    try:
        size = sum(path.stat().st_size for path in files)
    except OSError as error:
        raise MyonnError(f"cannot read {shortened(error.filename)}: {error.strerror}") from None
    if size > MOST_BYTES:
        raise MyonnError(f"{shortened(recordings)}: {size / 1e6:,.0f} MB, more than {MOST_BYTES / 1e6:,.0f} MB of recorded digits "
                         "in all; is it the right folder?")
    # Each file's damaged lines are said once there is a digit to read: with none, its warning came
    # before the error line, two lines for one bad file.
    damaged = []   # (file, its warning)

    def read(path):
        return read_digits(path, warn=lambda warning: damaged.append((path, warning)), missing_ok=False,
                           largest_coordinate=largest_coordinate)

    writers = {path.stem: read(path) for path in sorted(files)}
    writers = {writer: digits for writer, digits in writers.items() if digits}
    if not writers:
        # Why not, in the one line: the first file's damaged lines ("junk.jsonl: lines 1, 2 are not a digit").
        why = ""
        if damaged:
            path, warning = damaged[0]
            lines = warning.removeprefix(f"{shortened(path)}: ").removesuffix(", skipped")
            why = f" ({shortened(path.name)}: {lines}{'; and more files' if len(damaged) > 1 else ''})"
        raise MyonnError(f"{shortened(recordings)}: not one readable digit in it{why}")
    for _, warning in damaged:
        print(printable(warning), file=sys.stderr)   # a file's name may hold a terminal's codes
    return writers


def on_canvas(strokes, size=SIZE):
    """A recorded drawing as drawn on the window's canvas: its longer side `size` pixels, centred,
    in whole pixels as mouse events carry them; size None keeps the points where they were recorded
    (in canvas pixels), only rounded to whole ones."""
    if size is None:
        return [[(round(x), round(y)) for x, y in stroke] for stroke in strokes]
    return peer_bench.centred(strokes, size, CANVAS_SIDE)


def prepared(digits, size=SIZE):
    """The 28×28 images (n, 28, 28) and labels (n,) the window makes of recorded digits."""
    images = [digit_pixels(on_canvas(strokes, size)) for strokes, _ in digits]
    return np.array(images, dtype=np.float32).reshape(-1, 28, 28), np.array([label for _, label in digits])


def share(right):
    return f"{100 * np.mean(right):.1f}%" if len(right) else "–"


def reading_table(models, writers, size, peer=None):
    """Print, for each model (and the peer), the share of all digits read right and of each digit,
    and the writers read worst. peer: (its MNIST accuracy, its answers in the writers' order), or None.
    Returns {model name: right (n,) booleans}, in the writers' order."""
    everything = [digit for digits in writers.values() for digit in digits]
    images, labels = prepared(everything, size)
    owners = np.concatenate([[writer] * len(digits) for writer, digits in writers.items()])
    rows = [(f"{path.name} ({peer_bench.recorded_on_mnist(model)})",
             model.scores(images).argmax(axis=1) == labels) for path, model in models]
    if peer is not None:
        rows.append((f"peer: neural-network-digits ({100 * peer[0]:.2f}% on MNIST)", peer[1] == labels))
    digits = sorted(set(labels.tolist()))
    print(f"{len(labels)} digits from {len(writers)} writer{'s' if len(writers) != 1 else ''}; "
          f"goals: all ≥ {100 * READ_ALL:.0f}%, every digit ≥ {100 * READ_EACH_DIGIT:.0f}%\n")
    print("| model | all | " + " | ".join(str(digit) for digit in digits) + " | goals met | writers below 90% | worst writer |")
    print("|---|---:|" + "---:|" * len(digits) + "---|---:|---|")
    for name, right in rows:
        per_digit = [right[labels == digit].mean() for digit in digits]
        met = right.mean() >= READ_ALL and min(per_digit) >= READ_EACH_DIGIT and len(digits) == 10
        per_writer = {writer: right[owners == writer].mean() for writer in writers}
        worst = min(per_writer, key=per_writer.get)
        print(f"| {name} | **{share(right)}** | " + " | ".join(f"{100 * value:.1f}" for value in per_digit)
              + f" | {'yes' if met else 'no'} | {sum(value < 0.9 for value in per_writer.values())} of {len(writers)}"
              f" | {worst} {100 * per_writer[worst]:.0f}% |")
    if peer is not None:  # issue 9's third goal: ahead of the peer on every digit
        peer_right = rows[-1][1]
        for name, right in rows[:-1]:
            behind = [digit for digit in digits if right[labels == digit].mean() <= peer_right[labels == digit].mean()]
            print(f"\n{name.split(' (')[0]}: ahead of the peer on every digit: "
                  + (f"no (not ahead on {', '.join(map(str, behind))})" if behind else "yes"))
    if len(digits) < 10:
        print(f"\n(no recordings of {', '.join(str(d) for d in range(10) if d not in digits)}: "
              "the goals need every digit)")
    if max(right.mean() for _, right in rows) < UPSIDE_DOWN_BELOW:
        print(f"\n(every model reads under {100 * UPSIDE_DOWN_BELOW:.0f}% of them: if the recordings' y axis "
              "points up, as many tablets' and data sets' do, they are drawn upside down here: try --y-up)")
    return {name: right for name, right in rows}


def upside_down(writers):
    """The writers' digits with every point's y turned round: for recordings whose y axis points up."""
    return {writer: [([stroke * (1, -1) for stroke in strokes], label) for strokes, label in digits]
            for writer, digits in writers.items()}


def halves(digits):
    """A writer's digits split for teaching: of each digit, the first half of its drawings (in the
    file's order; n // 2 of n) for the session, the rest to read. Split digit by digit, not the file in
    two, because recordings are often made digit by digit: all the 0s, then all the 1s..."""
    seen, session, kept_apart = {}, [], []
    counts = {label: sum(1 for _, other in digits if other == label) for _, label in digits}
    for strokes, label in digits:
        seen[label] = seen.get(label, 0) + 1
        (session if seen[label] <= counts[label] // 2 else kept_apart).append((strokes, label))
    return session, kept_apart


def teaching_table(path, model, writers, size, seed):
    """Each writer teaches a copy of `model` in a session (the first half of their digits) and the
    second half is read before and after; MNIST's test set after each writer's session."""
    import handwriting as bench  # bench/handwriting.py: the digit keys' teaching, as the window does it

    from myonn.mnist import TEST, TRAIN, load_mnist
    from myonn.teaching import ReplayedDigits

    replay = ReplayedDigits(model, *load_mnist(TRAIN))
    test_images, test_labels = load_mnist(TEST)
    mnist_before = float(np.mean(model.scores(test_images).argmax(axis=1) == test_labels))
    random = np.random.default_rng(seed)
    print(f"\nteaching {path.name} ({100 * mnist_before:.2f}% on MNIST): each writer's first half taught "
          f"as in the window (misread: its digit key; read right: let stand), the second half read; seed {seed}; "
          f"goal: ≥ {100 * TAUGHT_FURTHER:.0f}% of the second half, MNIST within 0.3 points\n")
    print("| writer | digits: session / read | read before | key presses | read after | MNIST after | seconds per teaching |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    before, after, mnist, presses, seconds, reached = [], [], [], [], [], 0
    for writer, digits in writers.items():
        if len({label for _, label in digits}) == len(digits):
            print(f"| {writer} | no digit drawn twice: nothing to teach and then read | | | | | |")
            continue
        session, kept_apart = halves(digits)
        session_images, session_labels = prepared(session, size)
        further, labels = prepared(kept_apart, size)
        taught_model = copy.deepcopy(model)
        right_before = taught_model.scores(further).argmax(axis=1) == labels
        earlier, let_stand, writer_seconds = bench.NOTHING_TAUGHT, [], []
        for image, label in zip(session_images, session_labels):
            earlier = bench.drawn_in_session(taught_model, image, int(label), random, earlier, replay, writer_seconds,
                                             let_stand)
        right_after = taught_model.scores(further).argmax(axis=1) == labels
        mnist_after = float(np.mean(taught_model.scores(test_images).argmax(axis=1) == test_labels))
        before.append(right_before)
        after.append(right_after)
        mnist.append(mnist_after)
        presses.append(len(writer_seconds))
        seconds += writer_seconds
        reached += right_after.mean() >= TAUGHT_FURTHER
        print(f"| {writer} | {len(session)} / {len(kept_apart)} | {share(right_before)} | {len(writer_seconds)} | "
              f"{share(right_after)} | {100 * mnist_after:.2f}% | "
              f"{np.mean(writer_seconds) if writer_seconds else 0:.2f} |", flush=True)
    if not before:
        print("\nno writer drew any digit twice: nothing to teach and then read")
        return
    print(f"\nall writers: second halves read {share(np.concatenate(before))} before, "
          f"{share(np.concatenate(after))} after {np.mean(presses):.1f} key presses a writer on average; "
          f"{reached} of {len(before)} writers read at ≥ {100 * TAUGHT_FURTHER:.0f}% after; "
          f"MNIST after: {100 * np.mean(mnist):.2f}% on average, {100 * min(mnist):.2f}% at worst "
          f"(before: {100 * mnist_before:.2f}%); "
          f"{np.median(seconds) if seconds else 0:.2f} s per teaching (median)")


def main(argv=None):
    # Path flags as the scripts take them (cli.file_path): a quoted ~ is your home folder.
    parser = cli.ArgumentParser(description="Real people's recorded pen digits through the drawing window.")
    parser.add_argument("recordings", type=cli.file_path, metavar="RECORDINGS",
                        help="a folder of WRITER.jsonl files (one digit a line, as data/my_digits.jsonl), or one such file")
    parser.add_argument("--model", type=cli.file_path, action="append", metavar="PATH",
                        help="a model to measure (repeat for several; default: the shipped model)")
    parser.add_argument("--size", type=cli.whole_number_at_least(24, CANVAS_SIDE), default=SIZE, metavar="PIXELS",
                        help=f"draw each digit on the {CANVAS_SIDE}-pixel canvas with its longer side this long "
                             f"(default {SIZE})")
    parser.add_argument("--as-recorded", action="store_true",
                        help="take the points as they are (recordings already in canvas pixels)")
    parser.add_argument("--y-up", action="store_true",
                        help="the recordings' y axis points up (as many tablets' and data sets' do): turn them the "
                             "right way up")
    parser.add_argument("--peer-python", type=cli.file_path, metavar="PYTHON",
                        help="also the peer app, neural-network-digits, installed in this Python's virtual "
                             "environment and trained (see bench/peer.py)")
    parser.add_argument("--peer-model", type=cli.file_path, metavar="MODEL.npz", help="the peer's trained model (default: "
                        "where the peer saves it)")
    parser.add_argument("--peer-size", type=cli.whole_number_at_least(1, peer_bench.PEER_BOARD), default=200,
                        metavar="PIXELS",
                        help="the digit's longer side on the peer's 280-pixel board (default 200, see bench/peer.py)")
    parser.add_argument("--teach", action="store_true",
                        help="also each writer's session of teaching: the first half of their digits taught, the "
                             "second half read before and after (needs MNIST); the first --model is taught")
    parser.add_argument("--seed", type=cli.non_negative_int, default=2019, help="teaching's random seed (default 2019)")
    arguments = parser.parse_args(argv)
    size = None if arguments.as_recorded else arguments.size
    if arguments.y_up and arguments.as_recorded:
        parser.error("--y-up places the digits on the canvas itself; --as-recorded keeps canvas pixels as they are")
    if arguments.peer_python:
        peer_bench.check_peer_python(arguments.peer_python)
    # Points kept as recorded are canvas pixels, and as bounded as the window's own drawings.
    writers = read_writers(arguments.recordings, LARGEST_COORDINATE if arguments.as_recorded else LARGEST_RECORDED_COORDINATE)
    if arguments.y_up:
        writers = upside_down(writers)
    paths = arguments.model or [shipped_model_path()]
    models = [(path, load_model(path)) for path in paths]
    peer = None
    if arguments.peer_python:
        drawings = [on_canvas(strokes, size) for digits in writers.values() for strokes, _ in digits]
        peer = peer_bench.peer_answers(arguments.peer_python, arguments.peer_model, drawings, arguments.peer_size)
    started = time.perf_counter()
    reading_table(models, writers, size, peer)
    if arguments.teach:
        teaching_table(*models[0], writers, size, arguments.seed)
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    cli.run(main)   # a bad recording or model: one line and exit status 2; Ctrl-C: exit 130
