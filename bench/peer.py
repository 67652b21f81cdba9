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
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
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
from myonn.model_store import accuracy_in  # noqa: E402
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


def recorded_on_mnist(model):
    """The MNIST accuracy a model's file records, as "98.54% on MNIST"; one that records none (a Ruby YAML
    model) or none that is a number (a file edited by hand: null, text) was a traceback."""
    accuracy = accuracy_in(model.info)
    return f"{100 * accuracy:.2f}% on MNIST" if accuracy >= 0 else "no accuracy recorded on MNIST"


def check_peer_python(peer_python):
    """--peer-python: a program there to run (a path, or a command's name), else MyonnError saying why,
    before any drawing is made; a folder was "Permission denied"."""
    if shutil.which(str(peer_python)) is None:
        why = ("is a folder, not a Python (a virtual environment's is its bin/python)" if peer_python.is_dir()
               else "is not a program that can be run" if peer_python.exists() else "no such file or command")
        raise MyonnError(f"--peer-python {shortened(peer_python)}: {why}")  # a path can be 4,000 characters long


# The peer's answers are its accuracy on MNIST, then one small whole number a line per drawing: a few
# bytes each. A program that writes far more is not giving them (`yes`), and its output, read whole,
# filled the memory: so much is read, and no more.
ANSWER_BYTES = 64
MOST_OUTPUT_BYTES_BESIDES = 4096
# Its error output: a traceback, warnings, a download's progress.
MOST_ERROR_OUTPUT_BYTES = 2**20
# It loads its MNIST and reads a few thousand drawings a second: a peer silent for far longer is stuck.
SECONDS_TO_START, DRAWINGS_A_SECOND = 300, 20


def peer_answers(peer_python, peer_model, drawings, size=None):
    """The peer's accuracy on MNIST, and its answer for each drawing (a list of strokes in our canvas's
    pixels), drawn on its board as on_peer_board places it."""
    lines = "".join(json.dumps(on_peer_board(strokes, size)) + "\n" for strokes in drawings)
    command = [str(peer_python), "-c", PEER_SCRIPT] + ([str(peer_model)] if peer_model else [])
    status, output, error_output = run_peer(command, lines.encode(),
                                            MOST_OUTPUT_BYTES_BESIDES + ANSWER_BYTES * len(drawings),
                                            SECONDS_TO_START + len(drawings) / DRAWINGS_A_SECOND)
    # Its output read leniently: another program's bytes that are not UTF-8 were a UnicodeDecodeError, a traceback.
    output, error_output = (text.decode(errors="replace") for text in (output, error_output))
    if status:  # not installed there, not trained (no model), or another program
        last_line = error_output.strip().splitlines()[-1] if error_output.strip() else f"exit status {status}"
        raise MyonnError(f"the peer's Python failed: {shortened(last_line)}")  # another program's words, any length
    try:
        mnist, *answers = output.split()
        mnist, answers = float(mnist), np.array([int(answer) for answer in answers])
    except ValueError:  # a Python without the peer, or another program: not its answers
        raise MyonnError(f"the peer's Python gave no answers (its output began {output[:40]!r})") from None
    if len(answers) != len(drawings):  # each table compares its share of them with its labels: a traceback
        raise MyonnError(f"the peer's Python gave {len(answers):,} answers for {len(drawings):,} drawings")
    return mnist, answers


def run_peer(command, given, most_output_bytes, seconds):
    """Run `command` with the bytes `given` on its standard input: (its exit status, its output, its error
    output), each read up to most_output_bytes (MOST_ERROR_OUTPUT_BYTES) and no further. MyonnError when
    it writes more, or has not ended in `seconds`. Whatever ends it early, those or a Ctrl-C, it is stopped
    with every process it started: it runs in a process group of its own, for a Ctrl-C had stopped a
    stand-in shell script and left its child running."""
    peer = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    no_answers_in_time = f"the peer's Python gave no answers in {seconds:.0f} s: stopped"
    try:
        # Each stream read in a thread of its own (selectors would not do: Windows has them for sockets
        # only), and the input written from another: a peer that writes as it reads is never stuck on a
        # full pipe.
        readers = [BoundedReader(peer.stdout, "output", most_output_bytes),
                   BoundedReader(peer.stderr, "error output", MOST_ERROR_OUTPUT_BYTES)]
        threading.Thread(target=feed, args=(peer.stdin, given), daemon=True).start()
        deadline = time.monotonic() + seconds
        while True:
            for reader in readers:
                if reader.too_much:  # said at once: the other stream may never end while the peer runs
                    raise MyonnError(f"the peer's Python wrote more than {reader.most_bytes:,} bytes of "
                                     f"{reader.name} (its answers take a few bytes a drawing): stopped")
            waiting = [reader for reader in readers if not reader.done.is_set()]
            if not waiting:
                break
            if time.monotonic() > deadline:
                raise MyonnError(no_answers_in_time)
            if has_ended(peer):
                # All it wrote is in the pipes, and no more will come from it: a daemon it started in a
                # session of its own (setsid), out of reach of stop_process_group, held them open, and
                # the bench waited out its whole time limit for an end that the daemon's own would bring.
                # Each reader reads what is there, then stops, closing its pipe.
                for reader in waiting:
                    reader.stop_when_empty.set()
            waiting[0].done.wait(0.1)  # tenth-of-a-second naps, so that a Ctrl-C is heard at once
        status = ended(peer, max(deadline - time.monotonic(), 0))  # its streams closed, but it may run on
    except subprocess.TimeoutExpired:
        raise MyonnError(no_answers_in_time) from None
    finally:
        if peer.returncode is None:  # not reaped yet, so its process group's number is still its own
            stop_process_group(peer)
    return status, readers[0].received, readers[1].received


def ended(peer, seconds):
    """The exit status of the Popen `peer` once it has ended, within `seconds` (else TimeoutExpired), with
    every process it left running in its process group stopped: a stand-in shell script that answered
    left its child (`sleep 60 > /dev/null &`) running. Stopped before the peer is reaped, while the
    group's number is still its own (os.waitid's WNOWAIT), so that no other process can have it."""
    if not hasattr(os, "waitid"):  # Windows: no process groups to stop as one
        return peer.wait(seconds)
    deadline = time.monotonic() + seconds
    while not has_ended(peer):
        if time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(peer.args, seconds)
        time.sleep(0.01)
    stop_process_group(peer)
    return peer.returncode


def has_ended(peer):
    """Whether the Popen `peer`'s own process has ended, leaving it unreaped where the system can (os.waitid's
    WNOWAIT), so that its process group's number stays its own (ended, stop_process_group)."""
    if not hasattr(os, "waitid"):  # Windows: no process groups, and so nothing to keep
        return peer.poll() is not None
    return (peer.returncode is not None
            or os.waitid(os.P_PID, peer.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None)


class BoundedReader:
    """Reads `stream` (its `name`) to its end in a thread of its own, keeping at most most_bytes of it
    (received); when it holds more, too_much is set and reading stops. Once stop_when_empty is set, it
    also stops as soon as the stream has nothing more to read at that moment, waiting for nothing (a
    writer's end held open by another process, which may write on). done is set either way, and the
    stream closed."""

    # How long an empty stream is waited on before stop_when_empty is looked at again.
    NAP_SECONDS = 0.05

    def __init__(self, stream, name, most_bytes):
        self.name, self.most_bytes, self.received, self.too_much = name, most_bytes, bytearray(), False
        self.done, self.stop_when_empty = threading.Event(), threading.Event()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        try:
            with stream:
                while True:
                    # Asked first whether there is something to read, for a read of an empty pipe would
                    # wait for whoever holds it open, for as long as they like. Windows cannot ask that of
                    # a pipe (its select takes sockets only): there a read waits. Told to stop before the
                    # asking, not after: what was written before the telling is there by then, and read.
                    # Once told, nothing is waited for: a daemon that wrote a line every 20 ms, never
                    # leaving the stream empty for a nap's length, kept it reading out the time limit.
                    stopping = self.stop_when_empty.is_set()
                    nap = 0 if stopping else self.NAP_SECONDS
                    if os.name == "posix" and not select.select([stream], [], [], nap)[0]:
                        if stopping:
                            break
                        continue
                    chunk = stream.read1(1 << 16)
                    if not chunk:
                        break
                    self.received += chunk
                    if len(self.received) > self.most_bytes:
                        self.too_much = True
                        break
        except (OSError, ValueError):  # a stream the system would not read: what came is what there is
            pass
        finally:
            self.done.set()


def feed(stream, given):
    """Write `given` to `stream` and close it; a peer that has ended, or stopped reading, takes no more."""
    try:
        with stream:
            stream.write(given)
    except (OSError, ValueError):
        pass


def stop_process_group(peer):
    """Stop the Popen `peer`, started in a process group of its own (start_new_session), and every process
    in that group; the group's number is the peer's, which must not have been reaped yet."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(peer.pid, signal.SIGKILL)
        else:  # Windows: no process groups to stop as one
            peer.kill()
    except OSError:  # ended already, with all it started
        pass
    peer.wait()


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
    print(f"ours: {arguments.model.name} ({recorded_on_mnist(ours)}'s test set); "
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
