#!/usr/bin/env python3
"""Benchmark: the shipped model against the peer app, PyPI's `neural-network-digits`, on the drawn
digits of bench/handwriting.py, each through its own drawing window's preparation, in one run.

    python -m venv /tmp/peer && /tmp/peer/bin/pip install neural-network-digits
    (train the peer as its users do: `/tmp/peer/bin/neural-network-digits download --all` and
    `... train --no-plot`, its defaults: 784-64-32-10 relu, 60 epochs; it saves its model.npz)
    python bench/peer.py --peer-python /tmp/peer/bin/python

The peer lives in a virtual environment of its own, so its Python runs it: this script writes every
drawing's strokes to it and reads back its answers. The peer's drawing board is 280 pixels square
with a 20-pixel round brush; our strokes, drawn on a 672-pixel canvas, are scaled to it, and drawn
as the board draws them (a line between each two mouse events, a disc at each), then prepared by
its own `prepare_drawing` (cropped, shrunk to 20×20, centred on its centre of mass). Ours go
through handwriting.digit_pixels from the same whole-pixel points the window's mouse events carry,
offline, so the answers are the window's (bench/handwriting.py's "window" column). Sources as
bench/handwriting.py has them, those held out reported apart.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from myonn.early_ctrl_c import stop_at_once_on_ctrl_c  # noqa: E402

if __name__ == "__main__":  # run, not imported by another bench or a test: myonn/early_ctrl_c.py
    stop_at_once_on_ctrl_c()

import numpy as np  # noqa: E402

import handwriting as bench  # noqa: E402  (bench/handwriting.py: the styles and their writers)
from myonn import cli  # noqa: E402
from myonn.errors import MyonnError, shortened  # noqa: E402
from myonn.handwriting import digit_pixels  # noqa: E402
from myonn.model import load_model, shipped_model_path  # noqa: E402
from myonn.windows.draw_window import CANVAS_SIDE  # noqa: E402

PEER_BOARD, PEER_BRUSH = 280, 20

# Run by the peer's Python: strokes (JSON, one drawing per line, in board pixels) on stdin, its
# answers on stdout, and its accuracy on MNIST's test set (its own copy of it) first.
PEER_SCRIPT = f"""
import json, sys
import numpy as np
from PIL import Image, ImageDraw
from nn_digits.neural_net.data import download_mnist, normalize, prepare_drawing
from nn_digits.neural_net.network import NeuralNetwork
net = NeuralNetwork.load(*sys.argv[1:2])
mnist = download_mnist()
print(float(np.mean(net.predict(normalize(mnist["x_test"])).argmax(axis=1) == mnist["y_test"])), flush=True)
for line in sys.stdin:
    drawing = Image.new("L", ({PEER_BOARD}, {PEER_BOARD}), 0)
    pen, r = ImageDraw.Draw(drawing), {PEER_BRUSH} / 2
    for stroke in json.loads(line):
        last = stroke[0]
        for x, y in stroke:
            pen.line([last[0], last[1], x, y], fill=255, width={PEER_BRUSH})
            pen.ellipse([x - r, y - r, x + r, y + r], fill=255)
            last = (x, y)
    photo = prepare_drawing(drawing)
    answer = -1 if photo is None else int(net.predict(normalize(photo[None])).argmax())
    print(answer, flush=True)
"""


def on_peer_board(strokes, size=None):
    """A drawing on our canvas as drawn on the peer's board: scaled with the canvas (size None), or so
    that its longer side is `size` board pixels, centred; in whole pixels, as mouse events carry them."""
    if size is None:
        scale = PEER_BOARD / CANVAS_SIDE
        return [[[round(x * scale), round(y * scale)] for x, y in stroke] for stroke in strokes]
    return centred(strokes, size, PEER_BOARD)


def centred(strokes, longest, side):
    """A drawing scaled so that its longer side is `longest` pixels and centred in a square `side`
    pixels wide, in whole pixels as mouse events carry them: [[(x, y), ...], ...]."""
    points = np.concatenate([np.asarray(stroke, dtype=np.float64) for stroke in strokes])
    low, high = points.min(axis=0), points.max(axis=0)
    scale = longest / max((high - low).max(), 1e-9)
    shift = (side - (high - low) * scale) / 2 - low * scale
    return [[(round(x * scale + shift[0]), round(y * scale + shift[1])) for x, y in stroke] for stroke in strokes]


def check_peer_python(peer_python):
    """--peer-python: a program there to run (a path, or a command's name), else MyonnError saying why,
    before any drawing is made; a folder was "Permission denied"."""
    if shutil.which(str(peer_python)) is None:
        why = ("is a folder, not a Python (a virtual environment's is its bin/python)" if peer_python.is_dir()
               else "is not a program that can be run" if peer_python.exists() else "no such file or command")
        raise MyonnError(f"--peer-python {shortened(peer_python)}: {why}")  # a path can be 4,000 characters long


def peer_answers(peer_python, peer_model, drawings, size=None):
    """The peer's accuracy on MNIST, and its answer for each drawing (a list of strokes in our canvas's
    pixels), drawn on its board as on_peer_board places it."""
    lines = "".join(json.dumps(on_peer_board(strokes, size)) + "\n" for strokes in drawings)
    command = [str(peer_python), "-c", PEER_SCRIPT] + ([str(peer_model)] if peer_model else [])
    # It loads its MNIST and reads a few thousand drawings a second: a peer silent for far longer is stuck.
    try:
        # Its output read leniently: another program's bytes that are not UTF-8 were a UnicodeDecodeError, a traceback.
        done = subprocess.run(command, input=lines, capture_output=True, text=True, errors="replace",
                              timeout=300 + len(drawings) / 20)
    except subprocess.TimeoutExpired:
        raise MyonnError(f"the peer's Python gave no answers in {300 + len(drawings) / 20:.0f} s: stopped") from None
    if done.returncode:  # not installed there, not trained (no model), or another program
        last_line = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit status {done.returncode}"
        raise MyonnError(f"the peer's Python failed: {last_line}")
    try:
        mnist, *answers = done.stdout.split()
        mnist, answers = float(mnist), np.array([int(answer) for answer in answers])
    except ValueError:  # a Python without the peer, or another program: not its answers
        raise MyonnError(f"the peer's Python gave no answers (its output began {done.stdout[:40]!r})") from None
    if len(answers) != len(drawings):  # each table compares its share of them with its labels: a traceback
        raise MyonnError(f"the peer's Python gave {len(answers):,} answers for {len(drawings):,} drawings")
    return mnist, answers


def main():
    # Path flags as the scripts take them: a quoted ~ is your home folder.
    parser = cli.ArgumentParser(description="The shipped model against the peer app on drawn digits.")
    parser.add_argument("--peer-python", type=cli.file_path, required=True, metavar="PYTHON",
                        help="the Python of the virtual environment where neural-network-digits is installed")
    parser.add_argument("--peer-model", type=cli.file_path, metavar="MODEL.npz",
                        help="the peer's trained model (default: where the peer saves it)")
    parser.add_argument("--peer-size", type=cli.whole_number_at_least(1, PEER_BOARD), metavar="PIXELS",
                        help="draw each digit on the peer's 280-pixel board with its longer side this long "
                             "(default: as large as on our 672-pixel canvas, scaled with it). Its brush is 20 "
                             "pixels whatever the digit's size, so small digits come out thick there")
    parser.add_argument("--model", type=cli.file_path, default=shipped_model_path(), help="ours (default: the shipped model)")
    parser.add_argument("--per-digit", type=cli.whole_number_at_least(1, bench.MOST_PER_DIGIT), default=50, metavar="N",
                        help="drawings per digit (default 50)")
    parser.add_argument("--seed", type=cli.non_negative_int, default=2019, help="the writers' random seed (default 2019)")
    arguments = parser.parse_args()

    check_peer_python(arguments.peer_python)
    ours = load_model(arguments.model)
    sources = [("designed styles (trained on)", bench.STYLES),
               ("designed writer styles MNIST lacks (trained on)", bench.WRITER_STYLES),
               ("HELD OUT: designed styles (bench/strokes_held_out)", bench.held_out_styles())]
    try:
        sources.append(("HELD OUT: the Hershey fonts' digits", bench.hershey_styles()[0]))
    except ImportError:
        print("hershey-fonts is not installed (pip install -e '.[bench]'): the designed styles only", file=sys.stderr)
    made = {title: bench.drawings(arguments.per_digit, arguments.seed, styles) for title, styles in sources}
    everything = [strokes for drawings in made.values() for _, _, strokes in drawings]
    peer_mnist, peer_all = peer_answers(arguments.peer_python, arguments.peer_model, everything, arguments.peer_size)
    ours_mnist = ours.info.get("test_accuracy")
    print(f"ours: {arguments.model.name} ({100 * ours_mnist:.2f}% on MNIST's test set); "
          f"peer: neural-network-digits ({100 * peer_mnist:.2f}% on MNIST's test set); "
          f"{arguments.per_digit} drawings per digit, seed {arguments.seed}; on the peer's board "
          + (f"{arguments.peer_size} pixels long\n" if arguments.peer_size else "scaled with our canvas\n"))
    start = 0
    for title, drawings in made.items():
        labels = np.array([digit for digit, _, _ in drawings])
        # Whole pixels of our canvas, as the window's mouse events report them (draw_window.stroke_events).
        pixels = np.array([digit_pixels([[(round(x), round(y)) for x, y in stroke] for stroke in strokes])
                           for _, _, strokes in drawings])
        ours_right = ours.scores(pixels).argmax(axis=1) == labels
        peer_right = peer_all[start:start + len(drawings)] == labels
        start += len(drawings)
        print(f"== {title}")
        print("| digit | ours | peer |")
        print("|---|---:|---:|")
        for digit in sorted(set(labels)):
            ours_share, peer_share = ours_right[labels == digit].mean(), peer_right[labels == digit].mean()
            print(f"| {digit} | {100 * ours_share:.0f}% | {100 * peer_share:.0f}% |")
        print(f"| all | **{100 * ours_right.mean():.1f}%** | **{100 * peer_right.mean():.1f}%** |\n")


if __name__ == "__main__":
    cli.run(main)   # a missing or damaged model, a path that is not there: one line and exit status 2
