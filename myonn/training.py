"""Teaching a model the MNIST digits: epochs of shuffled mini-batches, with a progress bar.

The network does the learning (`NeuralNetwork.train`); this module decides what it sees and when:
the order of the images, the batches, the learning rate over time, optional on-the-fly augmentation
(each chunk of images distorted in a second thread while the network learns from the chunk before),
and a clean stop on Ctrl-C.
"""

import math
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm import tqdm

# tqdm makes its write lock the first time it writes, importing multiprocessing for it (some 12 ms): a
# Ctrl-C landing there (a second one, just after the first, while MNIST loaded) left tqdm without its
# lock, and its cleanup's AttributeError was a traceback in place of "stopped before any training".
# Made now, while the scripts still stop at once, and quietly, on a Ctrl-C.
tqdm.get_lock()

from myonn import model_store, recipes
from myonn.drawn_styles import drawn_digits, style_count
from myonn.errors import MyonnError, printable
from myonn.evaluation import accuracy, format_percent, network_answers
from myonn.inputs import targets
from myonn.mnist import MNIST_TRAINING_IMAGES, TEST, TRAIN, load_mnist
from myonn.model import LARGEST_WEIGHT, Model, load_model
from myonn.my_digits import check_digits_file, digit_images, read_digits
from myonn.my_digits import default_path as default_digits_path
from myonn.network import NeuralNetwork
from myonn.teaching import with_own_digits

INPUT_NODES, OUTPUT_NODES = 784, 10

# What a run stopped before it has trained on a single image says (Escape, Ctrl-C or kill while the model
# path is checked, MNIST loads or the recipe's digits are drawn): the terminal shows only ^C.
STOPPED_BEFORE_TRAINING = "stopped before any training: nothing saved"

# Inputs are prepared (augmented) about this many at a time: large enough that NumPy's per-call cost vanishes,
# small enough to stay in cache-friendly memory.
AUGMENT_CHUNK = 4096


def learning_rate_at(step, first, last, steps):
    """The learning rate for batch `step` (0-based) of `steps`, falling geometrically from `first` to `last`.

    Big steps early make fast progress; small steps late let the weights settle instead of
    jumping around the minimum. last == first keeps the talk's constant rate. Worked out one batch at
    a time, so a long run never holds a list of every batch's rate; a plain Python float, since a
    NumPy float64 would turn float32 arithmetic into float64 (NEP 50).
    """
    if steps <= 1:
        return float(first)
    ratio = last / first
    if not math.isfinite(ratio) or ratio == 0:  # rates far apart (5e-324 to 1e308): the same, in logarithms
        rate = math.exp(math.log(first) + (math.log(last) - math.log(first)) * step / (steps - 1))
        return float(min(max(rate, min(first, last)), max(first, last)))  # not a hair past either end
    return float(first * ratio ** (step / (steps - 1)))


class StopRequest:
    """Set by Ctrl-C during training, so the current batch finishes and the caller can save."""

    def __init__(self):
        self.requested = False
        self.at_once = False  # a second Ctrl-C: stop without saving


@contextmanager
def stop_on_interrupt():
    """While active, the first Ctrl-C asks training to stop after the current batch; a second one
    interrupts at once (KeyboardInterrupt). A Ctrl-C ignored (the script was started so) stays ignored."""
    stop = StopRequest()
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield stop
        return

    def request_stop(signum, frame):
        if stop.requested:
            # Stopping now; a third Ctrl-C could only interrupt the cleaning up (a file half written
            # is removed on the way out) and print a traceback.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            stop.at_once = True  # for when Python swallows the exception (raised in a __del__, say)
            raise KeyboardInterrupt
        stop.requested = True

    try:
        previous = signal.signal(signal.SIGINT, request_stop)
    except ValueError:  # not the main thread: Ctrl-C can't reach us anyway
        yield stop
        return
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


# One BLAS thread. A mini-batch's matrix products are too small to share between cores: on this
# project's 2-core machine a second thread made the default recipe 1.6 to 2.6 times slower (7.3 s
# against 12 to 19 s), and far slower still whenever another program kept the other core busy.
@threadpool_limits.wrap(limits=1, user_api="blas")
def train(model, images, labels, *, epochs, batch_size, learning_rate, final_learning_rate=None,
          shuffle=True, augmentation=None, seed=None, test_set=None, progress=True, stop=None, report=print,
          watch=None):
    """Train `model` in place for `epochs` passes over images (n, 28, 28) uint8 with labels (n,).

    shuffle: visit the images in a fresh random order each epoch (the talk goes in file order).
    augmentation: None, or a callable (images, random, labels) -> distorted images, applied afresh
        each epoch (labels only tell which digit each image is; they are never changed).
    test_set: (images, labels) to report the test accuracy after each epoch.
    stop: a StopRequest; when it is set, training stops after the current batch.
    watch: None, or a callable given a dict after every few thousand images (see `moment`), for a
        picture of the training (myonn/learning_curve.py, myonn/windows/training_window.py); it may
        set the dict's `stop` to end training as Ctrl-C does.
    Returns a list with one dict per finished (or stopped) epoch: epoch, seconds (training time only,
    the first epoch's including preparing the inputs once, which preparation_seconds gives apart),
    seen (images trained on), train_accuracy (running, on what was seen), test_accuracy (if test_set),
    stopped.
    """
    network = model.network
    random = np.random.default_rng(seed)
    count = len(images)
    batches_per_epoch = -(-count // batch_size)
    chunk_size = batch_size * max(1, AUGMENT_CHUNK // batch_size)  # whole batches only
    chunks_per_epoch = -(-count // chunk_size)
    learning_rates = _learning_rates(learning_rate, final_learning_rate or learning_rate,
                                     steps=epochs * batches_per_epoch)
    wanted = targets(labels, network.output_nodes)
    # Without augmentation every epoch sees the same inputs: prepare them once, and count that
    # time as training (it is part of what a recipe costs). The test inputs never change.
    started = time.perf_counter()
    prepared = None if augmentation else model.network_input(images)
    preparation_seconds = time.perf_counter() - started
    test_inputs = model.network_input(test_set[0]) if test_set is not None else None
    history = []
    # Each epoch's order, and the augmented inputs of each chunk of it, one chunk ahead in a second
    # thread: the next chunk is distorted while the network learns from this one.
    chunks = iter(one_ahead(_chunks(model, images, labels, prepared, augmentation, random, epochs, shuffle,
                                    chunk_size)))
    if watch is not None and stop is None:
        stop = StopRequest()  # so the watcher can always ask training to stop
    watcher = _Watcher(watch, network, epochs, count, batch_size, chunk_size, test_inputs, test_set, stop)
    try:
        # Escape at once, or a Ctrl-C while the inputs were prepared: as before any training, nothing to save.
        if watcher.stops_before_training() or _stop_requested(stop):
            return [{"epoch": 1, "seconds": 0.0, "preparation_seconds": preparation_seconds, "seen": 0,
                     "train_accuracy": 0.0, "stopped": True}]
        for number in range(epochs):
            epoch = _Epoch(number, epochs, count, progress, preparation_seconds if number == 0 else 0.0)
            watcher.start_epoch(epoch)
            for _ in range(chunks_per_epoch):
                epoch.start_chunk()  # before next(chunks): waiting for the second thread is training time too
                chunk, chunk_inputs = next(chunks)
                chunk_targets, chunk_labels = wanted[chunk], labels[chunk]
                highest_rate = 0.0  # for the message, should the chunk diverge: the rate may rise or fall
                for start in range(0, len(chunk), batch_size):
                    batch = slice(start, start + batch_size)
                    network.learning_rate = next(learning_rates)
                    highest_rate = max(highest_rate, network.learning_rate)
                    outputs = network.train(chunk_inputs[batch], chunk_targets[batch])
                    epoch.tally(outputs, chunk_labels[batch])
                    if _stop_requested(stop):
                        break
                    if start + batch_size < len(chunk):  # the chunk's end is shown below, with the progress bar
                        watcher.show_within_chunk(epoch)
                epoch.end_chunk()
                _stop_if_diverged(network, epoch, highest_rate)
                epoch.show_progress()
                watcher.show_end_of_chunk(epoch)
                if _stop_requested(stop):
                    break
            result = epoch.end(stopped=_stop_requested(stop))
            if test_set is not None and not result["stopped"]:
                result["test_accuracy"] = float(np.mean(network_answers(network, test_inputs) == test_set[1]))
                seconds = epoch.seconds
                report(f"epoch {number + 1}/{epochs}: test accuracy {100 * result['test_accuracy']:.2f}% "
                       f"(training {seconds:.{1 if seconds >= 0.1 else 2}f} s)")  # a short run's 0.04 s is no 0.0
            history.append(result)
            if result["stopped"]:
                break
    finally:
        # Lets the second thread finish the chunk it is making when training stops early: Ctrl-C, a
        # watcher's stop, or weights that are no longer finite.
        chunks.close()
    network.learning_rate = learning_rate  # the file records the rate the user chose, not the last step's
    return history


def _learning_rates(first, last, steps):
    """The learning rate of each of a run's `steps` batches in turn (see learning_rate_at)."""
    return (learning_rate_at(step, first, last, steps) for step in range(steps))


def _stop_requested(stop):
    """Whether Ctrl-C or a watcher has asked training to stop (train may run without a StopRequest)."""
    return bool(stop and stop.requested)


class _Epoch:
    """One pass over the training images as it goes: the images seen so far, how many of them the
    network got right (before its step on them), the seconds spent training, and its progress bar."""

    def __init__(self, number, epochs, count, progress, preparation_seconds):
        self.number = number  # 0-based
        self.preparation_seconds = preparation_seconds
        self.seconds = preparation_seconds
        self.correct = self.seen = 0
        self.bar = tqdm(total=count, desc=f"epoch {number + 1}/{epochs}", unit="img", disable=not progress,
                        leave=True, dynamic_ncols=True)

    def start_chunk(self):
        self.started = time.perf_counter()
        self.watching = 0.0  # seconds spent showing the watcher this chunk: not training time
        self.seen_before_chunk = self.seen

    def tally(self, outputs, labels):
        """Counts a batch: the outputs (n, 10) the network gave before its step on it, and its labels (n,)."""
        self.correct += int(np.count_nonzero(outputs.argmax(axis=1) == labels))
        self.seen += len(outputs)

    @contextmanager
    def paused(self):
        """Stops the chunk's clock while a watcher is shown the training; gives the chunk's training
        seconds so far."""
        paused = time.perf_counter()
        yield paused - self.started - self.watching
        self.watching += time.perf_counter() - paused

    def end_chunk(self):
        self.chunk_seconds = time.perf_counter() - self.started - self.watching
        self.seconds += self.chunk_seconds

    @property
    def chunk_images(self):
        """The images trained in this chunk so far: all of it at its end, or up to the batch a stop came after."""
        return self.seen - self.seen_before_chunk

    def show_progress(self):
        self.bar.set_postfix_str(f"accuracy {100 * self.correct / max(self.seen, 1):.2f}%", refresh=False)
        self.bar.update(self.seen - self.bar.n)

    def end(self, stopped):
        """Closes the progress bar; this epoch's entry in train's history (without its test accuracy)."""
        self.bar.close()
        return {"epoch": self.number + 1, "seconds": self.seconds, "preparation_seconds": self.preparation_seconds,
                "seen": self.seen, "train_accuracy": self.correct / max(self.seen, 1), "stopped": stopped}


def _stop_if_diverged(network, epoch, highest_rate):
    """MyonnError once a step too large has made the weights unusable (weights_are_usable)."""
    if not weights_are_usable(network):
        epoch.bar.close()  # so that the one line of the error is a line of its own
        raise MyonnError(f"training diverged in epoch {epoch.number + 1}: the weights are no longer finite "
                         f"numbers, or beyond ±{LARGEST_WEIGHT:g} (is the learning rate too "
                         f"large? it was up to {highest_rate:g} then); nothing was saved")


class _Watcher:
    """Shows train's `watch` the training at the moments watched_moments names, keeping the time that
    takes out of the training time. Without a watcher (watch=None) it does nothing."""

    def __init__(self, watch, network, epochs, count, batch_size, chunk_size, test_inputs, test_set, stop):
        self.watch, self.network, self.stop = watch, network, stop
        self.epochs, self.count, self.batch_size, self.chunk_size = epochs, count, batch_size, chunk_size
        self.test_inputs, self.test_set = test_inputs, test_set
        self.trained_seconds = self.trained_images = 0  # in this run, up to the end of the last chunk

    def stops_before_training(self):
        """Shows the network before it has learned anything (random weights: right one time in ten);
        True when the watcher asks to stop there and then."""
        if self.watch is None:
            return False
        self.watch(moment(0, self.epochs, 0, self.count, 0, self.network, 0, 0.0, self.test_inputs, self.test_set,
                          self.stop))
        return self.stop.requested

    def start_epoch(self, epoch):
        if self.watch is not None:
            self.shown_at = iter(watched_moments(self.count, self.batch_size, self.chunk_size,
                                                 first_epoch=epoch.number == 0))
            self.next_shown = next(self.shown_at)

    def show_within_chunk(self, epoch):
        """Shows the training after a batch, when a moment is due."""
        if self.watch is None or epoch.seen < self.next_shown:
            return
        with epoch.paused() as so_far:
            self._show(epoch, self.trained_images + epoch.chunk_images, self.trained_seconds + so_far)
        self._skip_moments_passed(epoch)

    def show_end_of_chunk(self, epoch):
        """Shows the training at the end of a chunk (or at a stop), as the progress bar moves."""
        if self.watch is None:
            return
        self.trained_seconds += epoch.chunk_seconds
        self.trained_images += epoch.chunk_images
        self._show(epoch, self.trained_images, self.trained_seconds)
        self._skip_moments_passed(epoch)

    def _show(self, epoch, trained_images, trained_seconds):
        self.watch(moment(epoch.number, self.epochs, epoch.seen, self.count, epoch.correct, self.network,
                          trained_images, trained_seconds, self.test_inputs, self.test_set, self.stop))

    def _skip_moments_passed(self, epoch):
        while self.next_shown <= epoch.seen:
            self.next_shown = next(self.shown_at)


def _chunks(model, images, labels, prepared, augmentation, random, epochs, shuffle, chunk_size):
    """(image indices, network inputs) for every chunk of every epoch, in training order."""
    for _ in range(epochs):
        order = random.permutation(len(images)) if shuffle else np.arange(len(images))
        for chunk_start in range(0, len(images), chunk_size):
            chunk = order[chunk_start:chunk_start + chunk_size]
            if prepared is None:
                yield chunk, model.network_input(augmentation(images[chunk], random, labels[chunk]))
            else:
                yield chunk, prepared[chunk]


def watched_moments(count, batch_size, chunk_size, first_epoch):
    """After how many of an epoch's `count` images a watcher is shown the training, in order (then
    never again that epoch): after each chunk, which is when the progress bar moves too; at each
    quarter epoch, for short epochs of a single chunk; and, in the first epoch, after 1, 2, 4, 8, ...
    batches. A network learns most from its first few hundred images: shown only after a chunk of
    4,096, it was already right 80% of the time, and its weights were no longer the random speckle
    it started from."""
    shown = set(range(chunk_size, count, chunk_size)) | {count}
    shown |= {max(1, count * quarter // 4) for quarter in (1, 2, 3)}
    batches = 1
    while first_epoch and batches * batch_size < min(chunk_size, count):
        shown.add(batches * batch_size)
        batches *= 2
    return sorted(shown) + [math.inf]


def one_ahead(items):
    """The items of an iterable, each made in a second thread while the caller uses the one before.

    NumPy lets go of Python's lock for its long loops, so on two or more cores the two threads truly
    work at once. Everything random is drawn in the one thread that makes the items, in order, so a
    seeded run stays repeatable.
    """
    iterator = iter(items)
    with ThreadPoolExecutor(max_workers=1) as worker:
        upcoming = worker.submit(next, iterator, _DONE)
        while (item := upcoming.result()) is not _DONE:
            upcoming = worker.submit(next, iterator, _DONE)
            yield item


_DONE = object()


def weights_are_usable(network):
    """False once a step too large has sent a weight to infinity or NaN, or beyond what a model file may
    hold (model.LARGEST_WEIGHT, which no learning network reaches): such a network has learned nothing
    that could be saved (nor loaded again), and never will."""
    return all(np.abs(weights).max() <= LARGEST_WEIGHT for weights in (network.input_weights, network.output_weights))


# The running training accuracy of a handful of images is chance: with the talk's batches of one, the
# first point of the learning curve was 100% or 0% from a single image, a spike up or down the axis.
ACCURACY_FROM_IMAGES = 100


def moment(epoch, epochs, seen, count, correct, network, trained_images, trained_seconds, test_inputs,
           test_set, stop):
    """What a watcher of training is given: where training is, and the network as it is now.

    epochs_done: fractional epochs so far (2.5 = half way through the third); epoch (1-based), epochs;
    images_per_epoch; images_trained: in this run so far;
    train_accuracy: running, on this epoch's images so far (None before ACCURACY_FROM_IMAGES of them, or
    the whole epoch if it is shorter); learning_rate: the last batch's;
    images_per_second: over this run's training time so far (time spent watching not counted);
    network: the NeuralNetwork (read its weights, don't change them); test_inputs (n, 784) and
    test_labels (n,): the prepared test set, or None; stop: the StopRequest to set to end training.
    """
    return {"epochs_done": epoch + seen / count, "epoch": epoch + 1, "epochs": epochs, "images_per_epoch": count,
            "train_accuracy": correct / seen if seen >= min(ACCURACY_FROM_IMAGES, count) else None,
            "learning_rate": network.learning_rate,
            "images_trained": trained_images,
            "images_per_second": trained_images / max(trained_seconds, 1e-9), "network": network,
            "test_inputs": test_inputs, "test_labels": None if test_set is None else test_set[1], "stop": stop}


# A batch's step holds several arrays of hidden nodes × batch size numbers (the hidden layer's outputs,
# errors and deltas, and the temporaries between them): 10,000 hidden nodes in batches of 60,000, each
# within its flag's limit, took 20 GB. So their product is bounded: at most this many numbers, which
# keeps a step within about BATCH_ARRAYS of them (1.4 GB, or 2.9 GB with --float64), as a laptop has.
MAX_BATCH_NUMBERS = 60_000_000
BATCH_ARRAYS = 6


def check_batch_fits(hidden_nodes, batch_size, float64=False):
    """MyonnError, before any work, when a batch of `batch_size` with `hidden_nodes` would not fit."""
    if hidden_nodes * batch_size > MAX_BATCH_NUMBERS:
        needed = BATCH_ARRAYS * hidden_nodes * batch_size * (8 if float64 else 4) / 2**30
        raise MyonnError(f"batches of {batch_size:,} with {hidden_nodes:,} hidden nodes would take about "
                         f"{needed:.0f} GB of memory: hidden nodes × batch size may be at most "
                         f"{MAX_BATCH_NUMBERS:,} (here --batch-size {MAX_BATCH_NUMBERS // hidden_nodes:,} at most)")


def _file_identity(path):
    """What tells whether a file was replaced (a save renames a new file into place), or None."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_mtime_ns, status.st_size


def train_from_settings(settings, model_path=None, resume=None, data_dir=None, limit=None, progress=True,
                        report=None, watch=None, my_digits=None):
    """What mnist_train.py does: load MNIST, build (or resume) a model, train it, save it.

    settings: a recipe's settings (see myonn/recipes.py). With `resume`, the resumed model's layer
    sizes, cost and input preparation are kept and the recipe's are ignored. The model is saved to
    `model_path`, else back to `resume`, else to your own model (model_store.destination_for: never
    the shipped model); the file it replaces is kept in backups/. Everything that could stop the save
    (a bad destination, another run saving there, a damaged model to resume) is found before any
    training. my_digits: your own-digits file, mixed into the training images (teaching.with_own_digits).
    Ctrl-C stops after the current batch and saves what has been learned so far. A network no better
    than guessing (NO_BETTER_THAN_GUESSING) is never saved. Returns the exit status: 0; 130 (the
    shell's code for Ctrl-C) after an interrupted run, saved or not; 2 after a whole run that learned
    nothing. watch: see `train`; it may also have preparing(what), called with words for what is being
    prepared while MNIST loads (it returns True to stop before any training), before_training(stop),
    called once MNIST is loaded, and ended(saved_accuracy, note=None), called when training has ended
    (saved_accuracy: the test accuracy of the model saved, None when nothing was).
    """
    report = report or (lambda line: tqdm.write(printable(line)))  # a file's name may hold a terminal's codes
    # _train_and_save notes in `training_began` when training begins, and in `saving` when it begins to save:
    # (where, the file there before, the accuracy, and when the run is kept apart instead, the stopped
    # runs kept apart before it; else None).
    training_began, saving = [], []
    try:
        # Checking the model path reads the model there (your own twice): a second or more for a large
        # one, and a Ctrl-C meanwhile said nothing at all.
        destination = model_store.destination_for(model_path, resume)
        if resume is not None:
            # A damaged model to continue is said as what it is: continued and saved back, the check of
            # where to save said only that it "will not overwrite" it, and to choose another --model.
            load_model(resume)
        if model_path is None:  # your own model, found rather than named: a damaged one is refused saying so
            model_store.refuse_unreadable_own_model(destination)
        model_store.check_destination(destination)
        if my_digits is not None:
            check_digits_file(my_digits)  # a model named as your digits' file, before any work
        return _train_and_save(settings, destination, resume, data_dir, limit, progress, report, watch,
                               my_digits, training_began, saving, named=model_path is not None)
    except KeyboardInterrupt:
        # A Ctrl-C (or kill) while the model path is checked, MNIST loads or the recipe's digits are
        # drawn, or a second one while training, stops at once: say so, for the terminal shows only ^C.
        # One while saving, or just after, says what became of the model.
        with _ctrl_c_ignored():
            _report_stopped_at_once(training_began, saving, report)
        raise


@contextmanager
def _ctrl_c_ignored():
    """Ctrl-C ignored meanwhile: a Ctrl-C more, while the line saying what the first one stopped is
    printed, cut it off (two pressed at once lost it now and then). Only the main thread may set it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _report_stopped_at_once(training_began, saving, report):
    """What a run stopped at once (a Ctrl-C before training, or a second one in it) did and did not save."""
    if not training_began:
        report(STOPPED_BEFORE_TRAINING)
    elif not saving:
        report("stopped at once: nothing saved")
    else:
        destination, before, test_accuracy, kept_apart = saving[-1]
        if kept_apart is not None:
            kept = sorted(set(model_store.stopped_runs(destination)) - kept_apart)
            report(f"stopped just after keeping what was learned as {kept[-1]}; nothing else was saved"
                   if kept else "stopped while keeping what was learned apart: nothing kept, nothing saved")
        elif _file_identity(destination) == before:
            report(f"stopped while saving: nothing saved, {destination} is as it was")
        else:
            report(f"stopped just after saving to {destination} (test accuracy {format_percent(test_accuracy)})")


def _train_and_save(settings, destination, resume, data_dir, limit, progress, report, watch, my_digits,
                    training_began, saving, named=False):
    """train_from_settings, once its destination has been checked (`named`: by --model)."""
    with model_store.ModelLock(destination):
        resumed = load_model(resume) if resume is not None else None
        check_batch_fits(resumed.network.hidden_nodes if resumed is not None else settings["hidden_nodes"],
                         settings["batch_size"], settings["float64"])
        try:
            train_images, train_labels, test_set, drawn = _training_images(settings, data_dir, limit, my_digits,
                                                                           progress, report, watch)
            settings = {**settings, "drawn": drawn}   # what this run drew: the model records it
        except _StoppedWhilePreparing:
            report(STOPPED_BEFORE_TRAINING)
            return 130
        model = _model_to_train(resumed, resume, settings, report)
        _report_what_is_trained(model, settings, len(train_images), report)
        training_began.append(True)   # from here a Ctrl-C asks to stop after the batch; a second one stops at once
        history = _train_until_done_or_stopped(model, train_images, train_labels, test_set, settings, progress,
                                               report, watch)
        if history is None:
            return 130
        stopped = history[-1]["stopped"]
        ended = getattr(watch, "ended", lambda saved_accuracy, note=None: None)  # tells a window what became of it
        if not any(epoch["seen"] for epoch in history):
            report(STOPPED_BEFORE_TRAINING)
            ended(None)
            return 130
        test_accuracy = _test_accuracy_at_the_end(model, history, test_set)
        if test_accuracy < NO_BETTER_THAN_GUESSING:
            # Saved, such a model would become your own model, the one the drawing window opens (or replace
            # it): a talk's "step through the first moments, then Escape" made the demo read nothing.
            _report_nothing_learned(settings, model.network, history, test_accuracy, resume, destination, report)
            ended(None, note="learned nothing")
            return 130 if stopped else 2
        _record_training(model, settings, history, len(train_images), test_accuracy, own_digits=my_digits is not None)
        in_use, in_use_accuracy = model_store.model_in_use_instead(destination)
        # A run on part of MNIST (--limit, the talk's LIMIT: a quick demo of training) saving where nobody
        # named is no more meant to become the model every window opens than a stopped one: one of 1,000
        # images (77.9%) did so, and the live demo after it misread a digit in four.
        partial = stopped or (limit is not None and limit < MNIST_TRAINING_IMAGES and not named and resume is None)
        if partial and in_use is not None:
            in_use_accuracy = _accuracy_to_compare_with(in_use, in_use_accuracy, test_set)
        if partial and model_store.weaker_by_more_than(test_accuracy, in_use_accuracy, margin=0):
            # Stopped early (a talk's "watch it learn, then Escape", a Ctrl-C when it seemed slow), the
            # network would replace a better model as the one every window opens, and the demo that
            # follows misread digits (a 25% model every one; one stopped at 97.8% five of the bench's 48
            # drawings the shipped model reads). It is kept among the backups instead.
            saving.append((destination, _file_identity(destination), test_accuracy,
                           set(model_store.stopped_runs(destination))))   # those kept apart before this one
            kept_apart = model_store.as_typed(model_store.keep_stopped_run(model, destination))
            _report_kept_apart(kept_apart, destination, test_accuracy, stopped, limit, in_use, in_use_accuracy, report)
            ended(test_accuracy, note="kept apart")
            return 130 if stopped else 0
        replaced = model_store.recorded_info(destination) if destination.is_file() else None
        # A Ctrl-C or kill from here on: the save is undone unless it had just replaced the file, and
        # train_from_settings says which, from the file as it was before.
        saving.append((destination, _file_identity(destination), test_accuracy, None))
        try:
            kept = model_store.save_keeping_backup(model, destination)
        except MyonnError as error:
            raise MyonnError(f"{error}{_kept_instead(model, destination, test_accuracy, saving)}") from None
    _report_saved(destination, test_accuracy, stopped, report)
    ended(test_accuracy)
    if kept:
        _report_replaced_model(kept, replaced, destination, test_accuracy, my_digits, resume, report)
    elif in_use is not None and in_use != destination:
        _report_first_own_model(in_use, in_use_accuracy, report)
    return 130 if stopped else 0


def _model_to_train(resumed, resume, settings, report):
    """The model loaded from `resume` (`resumed`), in double precision if asked; else, with no `resume`,
    a new model as the recipe's settings say."""
    if resumed is not None:
        if settings["float64"]:
            resumed.network.input_weights = resumed.network.input_weights.astype(np.float64)
            resumed.network.output_weights = resumed.network.output_weights.astype(np.float64)
        report(f"continuing {resume}: {describe(resumed)}")
        return resumed
    network = NeuralNetwork(INPUT_NODES, settings["hidden_nodes"], OUTPUT_NODES, settings["learning_rate"],
                            seed=settings["seed"], dtype=np.float64 if settings["float64"] else np.float32,
                            cost=settings["cost"])
    return Model(network, {"deskew": bool(settings["deskew"])})


def _report_what_is_trained(model, settings, image_count, report):
    epochs, first, last = settings["epochs"], settings["learning_rate"], settings["final_learning_rate"]
    rate = f"{first:g} (constant)" if first == last else f"{first:g} → {last:g}"
    report(f"training {describe(model)} on {image_count:,} image{'' if image_count == 1 else 's'}: {epochs} "
           f"epoch{'s' if epochs != 1 else ''}, batches of {settings['batch_size']:,}, learning rate {rate}, "
           f"augmentation: {settings['augment']}")


def _train_until_done_or_stopped(model, train_images, train_labels, test_set, settings, progress, report, watch):
    """train() as the settings say, where Ctrl-C (or Escape in a --watch window) stops after the current
    batch: its history, or None when stopped before any training (which it reports: nothing saved). A
    second Ctrl-C raises KeyboardInterrupt."""
    seed = settings["seed"]
    # A step too large overflows the sigmoid before the weights stop being finite; train() then
    # stops with one line, so NumPy's warnings would only be noise.
    with stop_on_interrupt() as stop, np.errstate(over="ignore", invalid="ignore"):
        # A window (--watch) answers the keys pressed while MNIST loaded: Escape then stops before any
        # training, as Ctrl-C does (it stopped after the first few thousand images, and saved those).
        getattr(watch, "before_training", lambda stop: None)(stop)
        if stop.requested:
            report(STOPPED_BEFORE_TRAINING)
            return None
        history = train(model, train_images, train_labels, epochs=settings["epochs"],
                        batch_size=settings["batch_size"], learning_rate=settings["learning_rate"],
                        final_learning_rate=settings["final_learning_rate"], shuffle=settings["shuffle"],
                        augmentation=recipes.augmentation(settings["augment"]),
                        seed=None if seed is None else (seed, 1), test_set=test_set, progress=progress,
                        stop=stop, report=report, watch=watch)
    if stop.at_once:
        # The second Ctrl-C came while Python was in a __del__ (a progress bar's, just closed), which
        # cannot raise it; Ctrl-C being ignored by then, cli.quiet_about_interrupts does not send it
        # again either. Without this the run went on to save. Stop at once all the same.
        raise KeyboardInterrupt
    return history


def _test_accuracy_at_the_end(model, history, test_set):
    """The model's accuracy on MNIST's test set: as the last epoch measured it, or measured now (a run
    stopped during an epoch)."""
    test_accuracy = history[-1].get("test_accuracy")
    if test_accuracy is None:
        test_accuracy = accuracy(model, *test_set)
    return test_accuracy


def _report_nothing_learned(settings, network, history, test_accuracy, resume, destination, report):
    stopped = history[-1]["stopped"]
    seen = sum(epoch["seen"] for epoch in history)
    unchanged = f" {resume} is as it was." if resume is not None and destination == resume else ""
    report(f"{'stopped after' if stopped else 'trained on'} {seen:,} images, the network scores "
           f"{format_percent(test_accuracy)} on MNIST's test set: hardly better than guessing, which gets "
           f"one digit in ten, so nothing was saved{'' if stopped else ' (exit status 2)'}.{unchanged} "
           + ("Let it learn longer." if stopped else
              f"Likely why: {why_nothing_learned(settings, network, seen)}."))


def _record_training(model, settings, history, trained_images, test_accuracy, own_digits=False):
    """Writes into model.info what the network is (a resumed model keeps its own size, cost, preparation
    and precision, whatever the recipe says), then how this run trained it, and whether it has learned
    digits drawn with the window's pen, in this run or before it (own_digits: yours, --my-digits)."""
    network = model.network
    drawn_digits_learned = bool(settings.get("drawn") or own_digits or model_store.learned_drawn_digits(model.info))
    model.info = {**model.info, **{key: settings[key] for key in recipes.SETTINGS if key in settings},
                  "drawn_digits_learned": drawn_digits_learned,
                  "hidden_nodes": network.hidden_nodes, "cost": network.cost,
                  "deskew": bool(model.preparation.get("deskew")),
                  "float64": network.input_weights.dtype == np.float64,
                  "recipe": settings.get("recipe"), "trained_images": trained_images,
                  "epochs_done": sum(not epoch["stopped"] for epoch in history),
                  "training_seconds": round(sum(epoch["seconds"] for epoch in history), 2),
                  "test_accuracy": test_accuracy}


def _accuracy_to_compare_with(in_use, recorded_accuracy, test_set):
    """The MNIST test accuracy of the model in use (`in_use`) that a partial run is compared with: the one
    it records, or measured when that is no guide."""
    if recorded_accuracy < 0 or model_store.taught_digits(model_store.recorded_info(in_use)):
        # It records no accuracy (an older file, one edited by hand), or one from before the drawing
        # window taught it (which moves MNIST by a few tenths): measured, not taken as worse or better.
        try:
            return accuracy(load_model(in_use), *test_set)
        except MyonnError:  # not a model this myonn reads: check_destination let it through as none
            pass
    return recorded_accuracy


def _kept_instead(model, destination, test_accuracy, saving):
    """After a save that failed (the model made read-only during the run, a backup that could not be
    made), keep what was learned among the backups as a stopped run is kept, so that the training is
    not lost with the save. The words to add to the error, which say so when it cannot be kept there either (a
    full disk)."""
    saving.append((destination, _file_identity(destination), test_accuracy, set(model_store.stopped_runs(destination))))
    try:
        kept = model_store.as_typed(model_store.keep_stopped_run(model, destination))
    except MyonnError as error:
        return f"; what was learned could not be kept either ({error})"
    return f"; what was learned is kept as {kept}: use it with --model {model_store.shell_word(kept)}"


def _report_kept_apart(kept_apart, destination, test_accuracy, stopped, limit, in_use, in_use_accuracy, report):
    """Why the run was kept apart (as `kept_apart`) and not saved to `destination`, and how to use it."""
    typed = model_store.as_typed(destination)
    below = (f"interrupted at {format_percent(test_accuracy)} on MNIST's test set, below" if stopped else
             f"trained on {limit:,} of MNIST's training images only (--limit, LIMIT): "
             f"{format_percent(test_accuracy)} on its test set, below")
    use = f"what was learned is kept as {kept_apart}: use it with --model {model_store.shell_word(kept_apart)}"
    if in_use == destination:
        # No `cp` over the better model to offer: pasted, it would lose that model for good.
        report(f"{below} the model it would replace ({format_percent(in_use_accuracy)}): "
               f"{typed} stays as it was")
        report(use)
    else:
        report(f"{below} the shipped model ({format_percent(in_use_accuracy)}), which the windows use while "
               "you have no model of your own: it stays the one they use")
        report(f"{use}, or make it your own model with: {model_store.adopt_command(kept_apart, typed)}")


def _report_saved(destination, test_accuracy, stopped, report):
    if stopped:
        report(f"interrupted: saved what was learned so far to {destination} "
               f"(test accuracy {format_percent(test_accuracy)})")
    else:
        report(f"saved to {destination} (test accuracy {format_percent(test_accuracy)})")


def _report_first_own_model(shipped, shipped_accuracy, report):
    # Your first model: from now on every window opens it, not the shipped one, which reads drawn digits
    # best (it trained longer, on distorted digits too); nothing said so, and a learner's drawings were
    # read worse unawares.
    report(f"note: this is now your own model, which the windows use{model_store.as_set_now()} in place of the "
           f"shipped one "
           f"({format_percent(shipped_accuracy)} on MNIST, and it reads drawn digits best); to use that one: "
           f"--model {model_store.shell_word(model_store.as_typed(shipped))}")


def _report_replaced_model(kept, replaced, destination, test_accuracy, my_digits, resume, report):
    """Where the model the save replaced (recording `replaced`) is kept, and how to go back to it when it
    knew your digits or scored better."""
    report(f"the model it replaced is kept as {kept}")
    replaced_accuracy = None if replaced is None else model_store.accuracy_in(replaced)
    taught = model_store.taught_digits(replaced or {})
    if taught and my_digits is None and resume is None:
        # A fresh training knows nothing of what the drawing window taught the model it replaces.
        # Named as the window keeps them by default; a file of your own you know by name.
        digits_file = default_digits_path()
        digits_flag = (model_store.shell_word(model_store.as_typed(digits_file)) if digits_file.is_file()
                       else "FILE (your digits' file)")
        scored = (f", and scored {format_percent(replaced_accuracy)} on MNIST before that"
                  if replaced_accuracy is not None and replaced_accuracy > test_accuracy else "")
        report(f"note: the model it replaced had learned {taught} of your digits in the drawing window{scored}; "
               f"this one has not: train with --my-digits {digits_flag} to keep them, or go back: "
               f"{model_store.restore_command(kept, destination)}")
    elif replaced_accuracy is not None and replaced_accuracy > test_accuracy:
        report(f"note: the model it replaced scored {format_percent(replaced_accuracy)}; to go back to it: "
               f"{model_store.restore_command(kept, destination)}")


class _StoppedWhilePreparing(Exception):
    """The window was closed, or Escape pressed in it, while the training images were being prepared."""


def _training_images(settings, data_dir, limit, my_digits, progress, report, watch):
    """MNIST's training images (with your digits and the recipe's drawn digits, if asked), its test set,
    and how many digits of each designed style were drawn (drawn_per_style). A window (--watch) is told
    what is being prepared, and keeps answering its keys meanwhile: a recipe's drawn digits take seconds,
    and a window that answers nothing for that long looks hung. Raises _StoppedWhilePreparing when it
    asks to stop."""
    window_preparing = getattr(watch, "preparing", lambda what: False)

    def preparing(what):
        if window_preparing(what):
            raise _StoppedWhilePreparing

    preparing("Loading MNIST …")
    train_images, train_labels = load_mnist(TRAIN, data_dir, limit=limit)
    mnist_images = len(train_labels)
    test_set = load_mnist(TEST, data_dir)
    if my_digits is not None:
        reading = f"Reading your digits from {my_digits}"
        preparing(f"{reading} …")
        digits = read_digits(my_digits, warn=report, missing_ok=False,
                             progress=lambda lines: preparing(f"{reading}: {lines:,} lines"))
        with _drawing(len(digits), f"your {len(digits):,} digits", progress, preparing) as drawn_so_far:
            own_images, own_labels = digit_images(digits, progress=drawn_so_far)
        if not len(own_labels):
            raise MyonnError(f"{my_digits}: holds none of your digits (teach some in mnist_draw.py)")
        train_images, train_labels = with_own_digits(train_images, train_labels, own_images, own_labels)
        report(f"with {len(own_labels)} of your digits from {my_digits}"
               + (f", each {(len(train_labels) - mnist_images) // len(own_labels)} times" if len(own_labels) else ""))
    per_style = (settings.get("drawn") or 0) if settings.get("drawn_as_given") else \
        drawn_per_style(settings.get("drawn") or 0, mnist_images)
    if per_style:
        # Digits drawn with the window's pen by made-up writers, in designed styles MNIST lacks too
        # (myonn/drawn_styles.py): from the run's seed, so that a seeded run is repeatable.
        seed, total = settings["seed"], per_style * style_count()
        with _drawing(total, f"{total:,} digits in designed styles", progress, preparing) as drawn_so_far:
            drawn_images, drawn_labels = drawn_digits(per_style, np.random.default_rng(
                None if seed is None else (seed, 2)), progress=drawn_so_far)
        train_images = np.concatenate([train_images, drawn_images])
        train_labels = np.concatenate([train_labels, drawn_labels])
        share = ("" if per_style == settings["drawn"] else f": the share of {mnist_images:,} images, where "
                 f"MNIST's {MNIST_TRAINING_IMAGES:,} get {settings['drawn']}")
        report(f"with {len(drawn_labels):,} digits drawn in designed styles (myonn/drawn_styles.py, "
               f"{per_style} of each style{share})")
    elif settings.get("drawn"):
        report(f"with no digits drawn in designed styles: MNIST's {MNIST_TRAINING_IMAGES:,} images get "
               f"{settings['drawn']} of each style, and {mnist_images:,} of them too small a share for one")
    preparing("Preparing the images …")
    return train_images, train_labels, test_set, per_style


def drawn_per_style(drawn, mnist_images):
    """How many digits of each designed style a run draws from its recipe: the recipe's `drawn` goes with
    all of MNIST's training images, and a run on fewer (--limit, the talk's LIMIT) draws the same share,
    so that the drawn digits are no larger a part of what it learns (all 2,660 beside 1,000 images would
    be most of them) and a quick run stays quick. Rounded half up, in whole numbers (round() rounds a
    half to even: 3,000 images got 4 of each style, 9,000 got 10)."""
    share = drawn * min(mnist_images, MNIST_TRAINING_IMAGES)
    return (2 * share + MNIST_TRAINING_IMAGES) // (2 * MNIST_TRAINING_IMAGES)


@contextmanager
def _drawing(total, what, progress, preparing):
    """A progress bar, and the window told, while `total` digits (`what`) are drawn: gives the function
    to call with the number drawn so far."""
    drawing = f"Drawing {what}"
    with tqdm(total=total, desc="drawing digits", unit="digit", disable=not progress, leave=False) as bar:
        def drawn_so_far(count):
            bar.update(count - bar.n)
            preparing(f"{drawing}: {count:,}")

        preparing(f"{drawing} …")
        yield drawn_so_far


# A test accuracy below this is no better than naming one digit every time (MNIST's commonest, the
# 1s, are 11.35% of its test set) or naming them at random (10%).
NO_BETTER_THAN_GUESSING = 0.2


def why_nothing_learned(settings, network, seen):
    """The settings most likely to blame for a run that learned nothing, in words (a guess from rules
    of thumb: the default recipe is past 85% after 200 steps of 16 images at a rate of 0.1)."""
    steps = -(-seen // settings["batch_size"])
    rate = settings["learning_rate"]
    reasons = []
    if steps < 200:
        reasons.append(f"only {steps:,} step{'s' if steps != 1 else ''} (batches of {settings['batch_size']:,})")
    if network.hidden_nodes < 10:
        reasons.append(f"{network.hidden_nodes} hidden node{'s' if network.hidden_nodes != 1 else ''}, too few to "
                       "tell ten digits apart")
    if rate < 1e-3:
        reasons.append(f"a learning rate of {rate:g}, so small that the weights hardly moved")
    if rate > 1:
        reasons.append(f"a learning rate of {rate:g}, so large that the sigmoids saturate")
    return "; ".join(reasons) or "these settings (try the default recipe)"


def describe(model):
    network = model.network
    steps = ", deskewed input" if model.preparation.get("deskew") else ""
    return (f"{network.input_nodes}-{network.hidden_nodes}-{network.output_nodes} sigmoid network "
            f"({network.cost.replace('_', ' ')}{steps})")
