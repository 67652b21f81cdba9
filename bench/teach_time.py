#!/usr/bin/env python3
"""Benchmark: how long one teaching takes (a digit key in the drawing window), against the reference
of preparing the replayed MNIST digits afresh at every step, measured in one run.

    python bench/teach_time.py            # needs MNIST (MYONN_DATA_DIR or data/)

Teaches the shipped model every drawing in bench/strokes/, one after another, as a session in the
window would (each time its own copy of the shipped model, so every teaching does the same work),
alternating two ways drawing by drawing, which goes first alternating too:

    now        myonn/teaching.py as it is: each replayed MNIST digit is prepared (deskewed) the
               first time a step draws it, then kept (ReplayedDigits);
    reference  the same teaching with every replayed digit prepared afresh at every step, as before.

Each teaching has the other drawings as drawings let stand (as in a session where all were drawn).
Both use the same random numbers, so they train on the very same batches. Prints seconds per
teaching (MNIST loaded already; saving the model not included), the first teaching apart: it is the
one that meets every digit for the first time.
"""

import copy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from myonn.early_ctrl_c import stop_at_once_on_ctrl_c  # noqa: E402

if __name__ == "__main__":  # run, not imported by another bench or a test: myonn/early_ctrl_c.py
    stop_at_once_on_ctrl_c()

import numpy as np  # noqa: E402

from myonn import cli  # noqa: E402
from myonn.handwriting import digit_pixels  # noqa: E402
from myonn.mnist import TRAIN, load_mnist  # noqa: E402
from myonn.model import load_model  # noqa: E402
from myonn.teaching import ReplayedDigits, teach  # noqa: E402
from myonn.windows.draw_window import read_strokes  # noqa: E402

STROKES = Path(__file__).resolve().parent / "strokes"
ROUNDS = 2  # every drawing is taught this many times, with other random numbers


class PreparedEveryTime(ReplayedDigits):
    """The reference: the replayed digits prepared afresh whenever a step draws them."""

    def inputs_for(self, chosen):
        return self.model.network_input(self.images[chosen])


def main():
    # No flags: --help says what it measures, and anything else is refused rather than ignored (it was run).
    cli.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    shipped = load_model()
    images, labels = load_mnist(TRAIN)
    ways = {"now: each replayed digit prepared once, when first drawn": ReplayedDigits(shipped, images, labels),
            "reference: prepared afresh at every step (before)": PreparedEveryTime(shipped, images, labels)}
    drawings = [(digit_pixels(read_strokes(path)), int(path.name[0])) for path in sorted(STROKES.glob("*.json"))]
    print(f"{len(drawings)} drawings from bench/strokes/, each taught {ROUNDS} times, the two ways alternating\n")
    # One teaching first, on a few replayed digits of its own, so that neither way pays for loading code.
    teach(copy.deepcopy(shipped), *drawings[0], np.random.default_rng(0), replay=ReplayedDigits(shipped, images[:100],
                                                                                                labels[:100]))
    seconds = {way: [] for way in ways}
    for round_number in range(ROUNDS):
        for number, (pixels, label) in enumerate(drawings):
            others = [drawing for other, drawing in enumerate(drawings) if other != number]
            let_stand = (np.array([np.round(image) for image, _ in others], np.uint8), np.array([d for _, d in others]))
            order = list(ways.items()) if number % 2 == 0 else list(ways.items())[::-1]
            for way, replay in order:
                model = copy.deepcopy(shipped)
                random = np.random.default_rng(round_number * 1000 + number)
                started = time.perf_counter()
                teach(model, pixels, label, random, replay=replay, let_stand=let_stand)
                seconds[way].append(time.perf_counter() - started)
    print("| teaching | first teaching | later teachings: median | fastest | slowest |")
    print("|---|---:|---:|---:|---:|")
    for way, times in seconds.items():
        later = np.array(times[1:])
        print(f"| {way} | {times[0]:.2f} s | {np.median(later):.2f} s | {later.min():.2f} s | {later.max():.2f} s |")


if __name__ == "__main__":
    cli.run(main)   # no MNIST: one line and exit status 2; Ctrl-C: exit 130, no traceback
