#!/usr/bin/env python3
"""Benchmark: myonn's training against the talk's plain per-sample NumPy code, measured in one run.

    python bench/train_bench.py                 # speed table, every recipe, what --watch costs (about 6 minutes)
    python bench/train_bench.py --skip best     # leave out the slow recipe

Prints two Markdown tables (docs/results.md carries them):

1. Speed, one epoch over the 60,000 training images, each from the same starting weights:
   (a)  the reference: the talk's algorithm written plainly in NumPy, float64, one sample at a
        time with column vectors, as the Ruby code does it (`@` for every product);
   (a') the same with numpy.dot, as Rashid's book writes it (NumPy's `@` skips BLAS for the
        outer products of a batch of one, so this is the faster plain version);
   (b)  myonn at batch size 1: the same updates (checked: weights after 2,000 samples agree with (a)
        in float64 to rounding), in float32;
   (c)  myonn with the default recipe's settings, for one epoch of MNIST alone (without its drawn digits).
   The references scale each record inside their loop, as the talk does; myonn prepares (scales,
   deskews) all inputs once before its first epoch, shown in its own column and left out of the
   per-epoch time that the speed-ups compare.
2. One epoch of the best recipe as it was before issue 9 (BEST_BEFORE): as before issue 9 (bench/augment_before.py, the reference: inputs
   prepared the old way, in the training thread) and as myonn does it now; the inputs' preparation
   alone (augmenting and deskewing 60,000 images, one thread), and a whole training epoch. The two
   are measured in turn, three times, and the median kept: on a shared machine whose speed drifts,
   measuring one whole run after the other would compare the drift, not the code.
3. Recipes (myonn/recipes.py), each trained in full as `mnist_train.py --recipe NAME` does:
   training seconds, when it first reached 97.5% and 98.0%, and the final test accuracy; also the best
   recipe without the strokes it adds (flags, feet, slashes) and its drawn digits. The last row is the reference for the
   best recipe's time: the best recipe as it was before issue 9 (45 epochs, flags only), the inputs
   prepared the old way in the training thread (`--skip before` leaves it out).
4. What watching costs (`mnist_train.py --watch`): the default recipe, twice without and twice with
   the Training window, alternating, as wall-clock time of the whole training loop (testing after
   each epoch and drawing included); the faster of each pair is compared. Without a display the
   window is drawn by SDL's "dummy" driver (SDL_VIDEODRIVER=dummy, set here unless already set):
   all the drawing happens, only showing it on a screen does not. `--skip watch` leaves it out.

Training time is the time spent in the training loop, preparing its inputs (deskewing, augmenting,
and drawing the best recipe's digits in designed styles, before the first epoch) included; loading
MNIST and measuring the test accuracy after each epoch are not.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from myonn.early_ctrl_c import stop_at_once_on_ctrl_c  # noqa: E402

if __name__ == "__main__":  # run, not imported by another bench or a test: myonn/early_ctrl_c.py
    stop_at_once_on_ctrl_c()

import numpy as np  # noqa: E402

from myonn import cli, recipes, training  # noqa: E402
from myonn.augment import Augmentation  # noqa: E402
from myonn.drawn_styles import drawn_digits  # noqa: E402
from myonn.errors import echoed  # noqa: E402
from myonn.inputs import network_input, targets  # noqa: E402
from myonn.mnist import TEST, TRAIN, load_mnist  # noqa: E402
from myonn.model import Model  # noqa: E402
from myonn.network import NeuralNetwork  # noqa: E402
from myonn.training import train  # noqa: E402

from augment_before import AugmentationBefore, ModelBefore  # noqa: E402

SEED = 1

# The best recipe as it was before issue 9, for the references that prepare inputs the old way
# (bench/augment_before.py knows only the moves of that time).
BEST_BEFORE = {"epochs": 45, "augment": "shift=1,rotation=12,scale=0.15,elastic=16:4,flags=0.3", "drawn": 0}

# What --skip may leave out: a table, a recipe (all its runs), or one of the recipes' table's other runs.
TABLES = ("speed", "preparation", "watch")
WITHOUT_DESKEW, WITHOUT_STROKES, BEFORE = ("default without deskew", "best without added strokes or drawn digits",
                                           "before")
SKIPPABLE = (*TABLES, *recipes.RECIPES, BEFORE, WITHOUT_DESKEW, WITHOUT_STROKES)


def skipped(text):
    """argparse type for --skip: the comma-separated names, as a set, each among SKIPPABLE. A name that is
    not (`--skip bset`) left nothing out, and the whole bench ran, six minutes, unasked."""
    names = {name.strip() for name in text.split(",")} - {""}
    unknown = sorted(names - set(SKIPPABLE))
    if unknown:
        raise argparse.ArgumentTypeError(f"nothing called {echoed(unknown[0])} to leave out "
                                         f"(choose from {', '.join(map(repr, SKIPPABLE))})")
    return names


class TalkNetwork:
    """The reference: the talk's network exactly as its code reads, one column-vector sample at a time."""

    def __init__(self, input_weights, output_weights, learning_rate, use_dot):
        self.input_weights = input_weights.astype(np.float64)
        self.output_weights = output_weights.astype(np.float64)
        self.learning_rate = learning_rate
        self.use_dot = use_dot

    @staticmethod
    def activation(x):
        return 1 / (1 + np.exp(-x))

    def train(self, inputs_list, targets_list):
        inputs = np.array(inputs_list, ndmin=2).T
        wanted = np.array(targets_list, ndmin=2).T
        hidden_outputs = self.activation(self.input_weights @ inputs)
        final_outputs = self.activation(self.output_weights @ hidden_outputs)
        output_errors = wanted - final_outputs
        hidden_errors = self.output_weights.T @ output_errors
        output_deltas = output_errors * final_outputs * (1.0 - final_outputs)
        hidden_deltas = hidden_errors * hidden_outputs * (1.0 - hidden_outputs)
        if self.use_dot:
            self.output_weights += self.learning_rate * np.dot(output_deltas, hidden_outputs.T)
            self.input_weights += self.learning_rate * np.dot(hidden_deltas, inputs.T)
        else:
            self.output_weights += self.learning_rate * output_deltas @ hidden_outputs.T
            self.input_weights += self.learning_rate * hidden_deltas @ inputs.T

    def query(self, inputs_list):
        inputs = np.array(inputs_list, ndmin=2).T
        return self.activation(self.output_weights @ self.activation(self.input_weights @ inputs)).T


def reference_epoch(images, labels, test_images, test_labels, use_dot, count=None):
    """One pass of the talk's loop: scale each record, build its targets, train. Returns (s, accuracy)."""
    start = NeuralNetwork(seed=SEED, dtype=np.float64)
    network = TalkNetwork(start.input_weights, start.output_weights, 0.1, use_dot)
    count = count or len(images)
    began = time.perf_counter()
    for image, label in zip(images[:count], labels[:count]):
        inputs = np.asarray(image, dtype=np.float64).reshape(784) / 255.0 * 0.99 + 0.01
        wanted = np.zeros(10) + 0.01
        wanted[label] = 0.99
        network.train(inputs, wanted)
    seconds = time.perf_counter() - began
    answers = network.query(network_input(test_images).astype(np.float64)).argmax(axis=1)
    return seconds * len(images) / count, float(np.mean(answers == test_labels)), network


def same_updates(images, labels, count=2000):
    """Largest weight difference between (a) and myonn at batch size 1, both float64, after `count` samples."""
    _, _, reference = reference_epoch(images, labels, images[:1], labels[:1], use_dot=True, count=count)
    network = NeuralNetwork(seed=SEED, dtype=np.float64)
    inputs, wanted = network_input(images[:count]), targets(labels[:count])
    for sample, target in zip(inputs.astype(np.float64), wanted.astype(np.float64)):
        network.train(sample, target)
    return max(np.abs(network.input_weights - reference.input_weights).max(),
               np.abs(network.output_weights - reference.output_weights).max())


def myonn_run(settings, data, epochs=None, report_epochs=False, watch=None, before=False):
    """Train a fresh model with a recipe's settings, as mnist_train.py does; returns its history.

    before: prepare the inputs as before issue 9 (bench/augment_before.py), in the training thread.
    """
    (images, labels), test_set = data
    drawing_seconds = 0.0
    if settings.get("drawn"):  # digits drawn in designed styles, as train_from_settings adds them
        started = time.perf_counter()
        drawn_images, drawn_labels = drawn_digits(settings["drawn"], np.random.default_rng((SEED, 2)))
        images, labels = np.concatenate([images, drawn_images]), np.concatenate([labels, drawn_labels])
        drawing_seconds = time.perf_counter() - started
    augmentation = recipes.augmentation(settings["augment"])
    if before:
        augmentation = AugmentationBefore(**augmentation.describe())
    model = (ModelBefore if before else Model)(NeuralNetwork(784, settings["hidden_nodes"], 10, settings["learning_rate"], seed=SEED,
                                cost=settings["cost"]), {"deskew": settings["deskew"]})
    report = (lambda line: print("   ", line, file=sys.stderr, flush=True)) if report_epochs else (lambda line: None)
    one_ahead = training.one_ahead
    if before:
        training.one_ahead = iter  # no second thread
    try:
        history = train(model, images, labels, epochs=epochs or settings["epochs"], batch_size=settings["batch_size"],
                        learning_rate=settings["learning_rate"], final_learning_rate=settings["final_learning_rate"],
                        shuffle=settings["shuffle"], augmentation=augmentation, seed=(SEED, 1), test_set=test_set,
                        progress=False, report=report, watch=watch)
    finally:
        training.one_ahead = one_ahead
    # Drawing the digits is preparing inputs: it counts, once, before the first epoch.
    history[0]["seconds"] += drawing_seconds
    history[0]["preparation_seconds"] += drawing_seconds
    return history


def preparation_seconds(images, labels, before):
    """Seconds to augment and deskew one epoch of images for the best recipe, in one thread."""
    from threadpoolctl import threadpool_limits
    augmentation = recipes.augmentation(BEST_BEFORE["augment"])
    if before:
        augmentation = AugmentationBefore(**augmentation.describe())
    model = (ModelBefore if before else Model)(NeuralNetwork(seed=SEED), {"deskew": True})
    random = np.random.default_rng(SEED)
    with threadpool_limits(limits=1, user_api="blas"):
        began = time.perf_counter()
        for start in range(0, len(images), training.AUGMENT_CHUNK):
            chunk = slice(start, start + training.AUGMENT_CHUNK)
            model.network_input(augmentation(images[chunk], random, labels[chunk]))
        return time.perf_counter() - began


def watch_cost(data, repeats=2):
    """Wall-clock seconds of the default recipe's training without and with the Training window
    (the fastest of `repeats` each, alternating), and what the window drew."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from myonn.windows.pictures import pygame
    from myonn.windows.training_window import Watcher
    settings = recipes.settings("default", {})
    plain, watched, frames, inside = [], [], 0, []
    for _ in range(repeats):
        started = time.perf_counter()
        myonn_run(settings, data)
        plain.append(time.perf_counter() - started)
        watcher = Watcher(show=True)
        drawn = []
        original = watcher.window.draw
        watcher.window.draw = lambda surface: (drawn.append(1), original(surface))
        spent = []

        def timed_watcher(moment):
            started = time.perf_counter()
            watcher(moment)
            spent.append(time.perf_counter() - started)

        started = time.perf_counter()
        myonn_run(settings, data, watch=timed_watcher)
        watched.append(time.perf_counter() - started)
        inside.append(sum(spent) / watched[-1])
        frames = len(drawn)
        tests = len(watcher.window.curve.test_points)
        pygame.display.quit()
    return min(plain), min(watched), frames, tests, max(inside)


def training_seconds(history):
    return sum(epoch["seconds"] for epoch in history)


def first_reaching(history, target):
    """When the test accuracy first reached target: training seconds so far, and the epoch."""
    spent = 0.0
    for epoch in history:
        spent += epoch["seconds"]
        if epoch["test_accuracy"] >= target:
            return f"{spent:.1f} s (epoch {epoch['epoch']})"
    return "not reached"


def main():
    parser = cli.ArgumentParser(description=__doc__.split("\n\n")[0])
    cli.add_data_dir_flag(parser)
    parser.add_argument("--skip", type=skipped, default=set(), metavar="NAME,...",
                        help=f"what to leave out, comma-separated: a table ({', '.join(TABLES)}), a recipe "
                             f"({', '.join(recipes.RECIPES)}), or the best recipe as it was ({BEFORE})")
    flags = parser.parse_args()
    skip = flags.skip

    data = (load_mnist(TRAIN, flags.data_dir), load_mnist(TEST, flags.data_dir))
    (images, labels), (test_images, test_labels) = data
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"NumPy {np.__version__}; MNIST: {len(images):,} training / {len(test_images):,} test images\n")

    if "speed" not in skip:
        rows = []
        print("measuring (a) the talk's plain per-sample code, one epoch ...", file=sys.stderr, flush=True)
        reference_seconds, reference_accuracy, _ = reference_epoch(images, labels, test_images, test_labels, False)
        rows.append(("(a) reference: talk's per-sample NumPy, float64, `@`",
                     {"seconds": reference_seconds, "preparation_seconds": 0.0, "test_accuracy": reference_accuracy}))
        print("measuring (a') the same with numpy.dot ...", file=sys.stderr, flush=True)
        seconds, accuracy_a2, _ = reference_epoch(images, labels, test_images, test_labels, True)
        rows.append(("(a') the same with numpy.dot, as the book",
                     {"seconds": seconds, "preparation_seconds": 0.0, "test_accuracy": accuracy_a2}))
        print("measuring (b) myonn at batch size 1 ...", file=sys.stderr, flush=True)
        history = myonn_run(recipes.settings("talk", {}), data, epochs=1)
        rows.append(("(b) myonn, batch size 1, float32", history[0]))
        # Without the recipe's drawn digits: an epoch of MNIST's 60,000 images, as the references learn.
        default = recipes.settings("default", {"drawn": 0})
        print("measuring (c) myonn's defaults, one epoch ...", file=sys.stderr, flush=True)
        history = myonn_run(default, data, epochs=1)
        rows.append((f"(c) myonn defaults (batch {default['batch_size']}, deskewed, MNIST alone), 1 epoch", history[0]))
        difference = same_updates(images, labels)
        print("| | seconds per epoch | + once, preparing inputs | test accuracy after 1 epoch "
              "| speed-up over (a) | over (a') |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, epoch in rows:
            seconds = epoch["seconds"] - epoch["preparation_seconds"]
            print(f"| {name} | {seconds:.2f} | {epoch['preparation_seconds']:.2f} | {100 * epoch['test_accuracy']:.2f}% "
                  f"| {reference_seconds / seconds:.1f}× | {rows[1][1]['seconds'] / seconds:.1f}× |")
        print(f"\n(b) makes the same updates as (a): largest weight difference after 2,000 samples, "
              f"both in float64: {difference:.1e}\n")

    if "preparation" not in skip:
        best = recipes.settings("best", BEST_BEFORE)
        measured = {True: ([], []), False: ([], [])}
        for round_number in range(3):
            print(f"measuring one epoch of the best recipe, before issue 9 and now, round {round_number + 1} of 3 ...",
                  file=sys.stderr, flush=True)
            for before in (True, False):
                measured[before][0].append(preparation_seconds(images, labels, before))
                measured[before][1].append(myonn_run(best, data, epochs=1, before=before)[0]["seconds"])
        (preparing_before, epoch_before), (preparing, epoch) = (map(np.median, measured[before]) for before in (True, False))
        print(f"| one epoch of the best recipe as before issue 9 ({BEST_BEFORE['augment']}; median of 3, taken in turn) | preparing the inputs, one thread "
              f"| training epoch | × {best['epochs']} epochs | speed-up |")
        print("|---|---:|---:|---:|---:|")
        print(f"| (d) reference: as before issue 9 | {preparing_before:.2f} s | {epoch_before:.2f} s "
              f"| {best['epochs'] * epoch_before:.0f} s | 1.0× |")
        print(f"| (e) myonn now | {preparing:.2f} s | {epoch:.2f} s | {best['epochs'] * epoch:.0f} s "
              f"| {epoch_before / epoch:.1f}× |\n", flush=True)

    if "watch" not in skip:
        print("measuring what --watch costs (the default recipe, twice without and twice with the window) ...",
              file=sys.stderr, flush=True)
        plain, watched, frames, tests, inside = watch_cost(data)
        print(f"| default recipe, {recipes.RECIPES['default']['epochs']} epochs | wall-clock seconds "
              "| cost against without | share of the time spent in the watcher |")
        print("|---|---:|---:|---:|")
        print(f"| without --watch | {plain:.2f} | | |")
        print(f"| with --watch (SDL driver: {os.environ['SDL_VIDEODRIVER']}; {frames} frames, {tests} test "
              f"measurements on 2,000 images) | {watched:.2f} | {100 * (watched - plain) / plain:+.1f}% "
              f"| {100 * inside:.1f}% |\n", flush=True)

    print("| recipe | epochs | batch | deskew | augmentation | drawn digits | training time | 97.5% reached | "
          "98.0% reached | test accuracy |")
    print("|---|---:|---:|---|---|---:|---:|---:|---:|---:|")
    # Each recipe, plus the default without deskewing, to show what deskewing alone is worth ...
    runs = [(name, name, {}) for name in recipes.RECIPES]
    runs.insert(1, (WITHOUT_DESKEW, "default", {"deskew": False}))
    # ... and the best without the strokes it adds (flags, feet, slashes), which MNIST's own test set
    # (whose 1s are sticks and whose 0s are never slashed) prefers.
    moves = recipes.augmentation(recipes.RECIPES["best"]["augment"]).describe()
    without_strokes = str(Augmentation(**{**moves, "flags": 0, "feet": 0, "slashes": 0}))
    runs.append((WITHOUT_STROKES, "best", {"augment": without_strokes, "drawn": 0}))
    # ... and the reference for the best recipe's time: the best recipe as it was before issue 9,
    # inputs prepared the old way.
    runs.append((BEFORE, "best", BEST_BEFORE))
    for name, recipe, changes in runs:
        if name in skip or recipe in skip:
            continue
        settings = recipes.settings(recipe, changes)
        print(f"training {name!r} ...", file=sys.stderr, flush=True)
        history = myonn_run(settings, data, report_epochs=True, before=name == BEFORE)
        if name == BEFORE:
            name = "best, reference: the recipe and its input preparation as before issue 9"
        drawn = f"{settings['drawn']} of each style" if settings.get("drawn") else "none"
        print(f"| {name} | {settings['epochs']} | {settings['batch_size']} | {'yes' if settings['deskew'] else 'no'} "
              f"| {settings['augment']} | {drawn} | {training_seconds(history):.1f} s "
              f"| {first_reaching(history, 0.975)} | {first_reaching(history, 0.98)} "
              f"| {100 * history[-1]['test_accuracy']:.2f}% |", flush=True)


if __name__ == "__main__":
    cli.run(main)   # no MNIST: one line and exit status 2; Ctrl-C: exit 130, no traceback
