"""Teaching the network your handwriting: a few quick steps on one drawing, without forgetting MNIST.

When you tell the drawing window "this is a 7", the network takes a few steps of the very training
that mnist_train.py does (NeuralNetwork.train), each on a small batch that mixes

    your drawing, in distorted copies   moved as augment.py moves training digits and made narrower
                                        or wider, so that one drawing teaches a style rather than
                                        its exact pixels;
    your earlier digits                 all of them, drawn at random and distorted too, so that
                                        teaching a new style does not undo an older one;
    the drawings you let stand          this session's drawings that the network read and you
                                        passed over without correcting, with the answers it gave,
                                        so that teaching one of your digits does not change how it
                                        reads your others (a font's 9 taught alone turned its 8s
                                        into 9s);
    replayed MNIST training digits      so that the network does not forget what it knew. A network
                                        trained on new examples alone drifts towards them and loses
                                        old ones ("catastrophic forgetting", McCloskey and Cohen,
                                        1989); mixing old examples back in is the classic cure.
                                        More of them are of the digit your drawing was taken for,
                                        whose border with yours the teaching moves.

Then, should the drawing itself still be misread, a few steps more. It takes a fraction of a second
(MNIST loaded already). `mnist_train.py --my-digits FILE` does the long version: a full training
run with your digits mixed into MNIST (`with_own_digits`).

Left out on purpose: changing the network's size or learning rate for teaching, and keeping the
drawings you let stand beyond the session: only the file of your digits (myonn/my_digits.py), which
you chose to teach, makes teaching last; a drawing let stand may be one you did not bother to correct.
"""

import os
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from myonn.augment import Augmentation
from myonn.cli import interruptions_held
from myonn.errors import MyonnError, printable
from myonn.inputs import targets
from myonn.my_digits import (DrawnWhenAsked, append_digit, check_digits_file, digit_images, read_digits,
                             take_back_digit)
from myonn.transform import CENTRE, IMAGE_SIDE, warp

# One teaching: STEPS steps, each on COPIES distorted copies of the new drawing, up to EARLIER of your
# earlier digits and LET_STAND of the drawings you let stand (distorted too) and REPLAYED MNIST
# training digits, at RATE per sample; then, while the drawing itself is still misread, up to EXTRA
# steps more. Chosen with bench/handwriting.py --teach on its designed writer only (several seeds; the
# Hershey fonts never looked at): from 15 steps of 8 copies among 512 replayed digits, twice the
# copies (a stronger pull towards your drawing) and a little more of everything taught about one
# point more of the writer's further digits after one example, with replay grown with it so that
# MNIST still moves by 0.1 to 0.3 points. Bolder moves (twice the
# elastic distortion, 20° turns, 25% size) and picking the copies the network still misreads did not
# help; twice the rate, or half the replay, costs MNIST 0.2 to 0.5 points. A later sweep of every
# setting (docs/results.md, "Every teaching setting, swept") found them all within about half a point of these.
STEPS = 20
COPIES = 16
EARLIER = 8
REPLAYED = 640
RATE = 0.008
# Most drawings are read right after STEPS, and a few more steps fix nearly all the others. Not all: a 1
# with a long, flat flag, which every MNIST network reads as a 7, took 64 to 105 steps, and with up to 100
# extra steps a writer's session of such teachings left MNIST 0.44 points down. So the window says when a
# drawing is still misread after a teaching, and the writer can press the key again (another example).
EXTRA = 10

# Teaching a writer's one misread digit moves the network's reading of their other digits too: the
# teaching bench's Hershey fonts, taught their 9, read their 8s as 9s (gothiceng's 8s from 90% to 42%),
# and no amount of MNIST replay protects a style MNIST lacks. What does is the writer's own drawings
# of those other digits: the ones the window read and you let stand (Space past the answer or the next digit drawn, no digit
# key). Each step mixes in LET_STAND of them (as many as copies of the new drawing), with the answers
# the network gave, so teaching keeps them as they were read; at most MOST_LET_STAND, the latest, are
# kept. (Chosen on the designed writer, where 4 to 32 all did about as well; docs/results.md,
# "Holding the drawings you let stand".)
LET_STAND = 16
MOST_LET_STAND = 100

# A misread drawing lies between its digit and the digit it was taken for, and teaching moves the
# border between the two: a 1 with a long flag, read as 7 and taught as 1, left MNIST's 7s read as 1s
# (the 7s' errors on MNIST's test set went from 26 to 45–58, MNIST down 0.3–0.4 points). So this
# share of the replayed MNIST digits are of the digit the drawing was taken for, which holds the
# border where MNIST's examples of it are (there: 98.38–98.55% after, from the model's 98.52%). Half
# the replay protects MNIST no better: the other digits then drift (docs/results.md, "Holding the
# border with the digit it was taken for").
TAKEN_FOR_SHARE = 0.25


# How a writer's digits vary from one to the next. Slant needs no copies (deskewing stands every digit
# upright), but the rest does: size, position, a turn and the wobble of the pen, as the best recipe
# moves MNIST (myonn/recipes.py; without flags, which are for MNIST's 1s, not yours), and how wide a
# digit comes out, which fitting the drawing into its box keeps (it scales by the longer side, so a
# narrow 0 stays narrow): each copy is made narrower or wider by up to WIDTH, for a writer's 0s are
# not all equally round.
MOVES = Augmentation(shift=1, rotation=12, scale=0.15, elastic_alpha=16, elastic_sigma=4)
WIDTH = 0.25

# A wrong key teaches the network a wrong digit, and keeps it in your file: Ctrl+Z right after takes
# that teaching back (Teacher.take_back). The window keeps what each of its latest teachings changed,
# about 0.6 MB each (the weights before it), for this many.
MOST_TAKEN_BACK = 10

# mnist_train.py --my-digits: your digits are repeated until they make up this share of the training
# set (a few dozen among 60,000 would hardly count), each at most MOST_REPEATS times.
OWN_SHARE = 0.01
MOST_REPEATS = 200


# One BLAS thread, as in training (myonn/training.py says why): these batches are smaller still.
@threadpool_limits.wrap(limits=1, user_api="blas")
def teach(model, image, label, random, earlier=None, replay=None, let_stand=None):
    """Teach `model` (in place) that `image` is the digit `label`. Returns the number of steps taken.

    image: (28, 28) grey levels 0..255 (handwriting.digit_pixels of a drawing).
    random: a numpy Generator. earlier: (images (m, 28, 28), labels (m,)) of your earlier digits (the
    images an array or my_digits.DrawnWhenAsked), or None. let_stand: (images, answers) of the drawings
    you let stand, or None. replay: MNIST's training digits as ReplayedDigits, or None (then the
    network may forget some of MNIST).
    """
    network = model.network
    rate = network.learning_rate
    network.learning_rate = RATE
    image = np.asarray(image, np.float32)
    taken_for = model.recognise(image)
    taken_for = None if taken_for == label else taken_for
    try:
        for _ in range(STEPS):
            teaching_step(model, image, label, random, earlier, replay, taken_for, let_stand)
        # You pressed the key because the drawing was misread: it should not still be, even when its
        # copies taught the style but not this very drawing (rare; a few steps more fix it).
        extra = 0
        while extra < EXTRA and model.recognise(image) != label:
            teaching_step(model, image, label, random, earlier, replay, taken_for, let_stand)
            extra += 1
    finally:
        network.learning_rate = rate
    return STEPS + extra


def teaching_step(model, image, label, random, earlier, replay, taken_for=None, let_stand=None):
    """One step of NeuralNetwork.train on copies of the drawing, your earlier digits, the drawings you
    let stand and MNIST (TAKEN_FOR_SHARE of it of the digit `taken_for`, the one the drawing was
    misread as, if any)."""
    images = [writer_copies(np.repeat(image[None], COPIES, axis=0), random)]
    labels = [np.full(COPIES, label)]
    for yours, count in ((earlier, EARLIER), (let_stand, LET_STAND)):
        if yours is not None and len(yours[0]) and count:
            chosen = random.integers(len(yours[0]), size=count)
            images.append(writer_copies(yours[0][chosen], random))
            labels.append(np.asarray(yours[1])[chosen])
    inputs = [model.network_input(np.concatenate(images))]
    if replay is not None:  # MNIST is replayed as it is: it is what the network already knows
        chosen = random.integers(len(replay), size=REPLAYED)
        taken = round(TAKEN_FOR_SHARE * REPLAYED) if taken_for is not None else 0
        others = replay.indices_of(taken_for) if taken else []
        if len(others):
            chosen[:taken] = others[random.integers(len(others), size=taken)]
        inputs.append(replay.inputs_for(chosen))
        labels.append(replay.labels[chosen])
    model.network.train(np.concatenate(inputs), targets(np.concatenate(labels), model.network.output_nodes))


class ReplayedDigits:
    """MNIST's training digits for teach() to replay, each prepared as the model prepares its inputs
    (deskewed) the first time it is drawn, and then kept.

    Preparing the 640 replayed digits afresh at every step took more than half of each teaching's
    time; preparing all 60,000 up front would make the first digit key wait over a second longer
    (and take 188 MB at once), mostly for digits a short session never draws.
    images: (n, 28, 28) grey levels; labels: (n,).
    """

    def __init__(self, model, images, labels):
        self.model = model
        self.images, self.labels = images, np.asarray(labels)
        # Prepared digits are kept one after another from the front of `inputs`, in the order they
        # were first drawn: memory is only taken as it fills, and filled in order, which is far quicker
        # for the operating system to supply than pages scattered over all 188 MB.
        self.inputs = np.empty((len(images), IMAGE_SIDE * IMAGE_SIDE), np.float32)
        self.kept_at = np.full(len(images), -1)  # the row of `inputs` holding each digit; -1: not yet
        self.kept = 0

    def __len__(self):
        return len(self.labels)

    def indices_of(self, digit):
        """The indices of the digits labelled `digit`."""
        return np.flatnonzero(self.labels == digit)

    def inputs_for(self, chosen):
        """The network inputs of the digits at the indices `chosen` (k,): (k, 784) float32."""
        new = np.unique(chosen[self.kept_at[chosen] < 0])
        if len(new):
            rows = np.arange(self.kept, self.kept + len(new))
            self.inputs[rows] = self.model.network_input(self.images[new])
            self.kept_at[new] = rows
            self.kept += len(new)
        return self.inputs[self.kept_at[chosen]]


def teach_letting_stand(model, image, label, random, let_stand, earlier=None, replay=None):
    """teach(), holding the drawings let stand, [(image, answer)]; returns those that still stand.

    When the drawing was taken for another digit, the drawings let stand as that digit sit this
    teaching out, and those the network then reads as `label` go: they were this same misreading,
    passed over before and now drawn again and taught (a 0 read as 8, let stand, then drawn again
    and taught as 0: held as an 8, it pulled the teaching back and the 0 stayed an 8). The others
    stay, to be held by later teachings (a font's 8s, still read as 8 after its 9 was taught).
    """
    taken_for = model.recognise(image)
    sitting_out = taken_for if taken_for != label else None   # a digit's answer; None: nobody sits out
    teach(model, image, label, random, earlier=earlier, replay=replay,
          let_stand=as_arrays([(drawing, answer) for drawing, answer in let_stand if answer != sitting_out]))
    return [(drawing, answer) for drawing, answer in let_stand
            if answer != sitting_out or model.recognise(drawing) != label]


def as_arrays(let_stand):
    """[(image, answer)] -> (images (m, 28, 28), answers (m,)) for teach(), or None for none."""
    if not let_stand:
        return None
    return np.stack([image for image, _ in let_stand]), np.array([answer for _, answer in let_stand])


def writer_copies(images, random):
    """Each drawing of a batch (n, 28, 28) as its writer might draw it again: narrower or wider, then
    moved by MOVES. Returns float32 (n, 28, 28)."""
    images = np.asarray(images, np.float32)
    widening = random.uniform(1 - WIDTH, 1 + WIDTH, len(images)).astype(np.float32)
    positions = np.arange(IMAGE_SIDE, dtype=np.float32)
    # warp asks where each output pixel comes from: a copy widened by w reads column c from 14 + (c − 14) / w.
    source_columns = CENTRE + (positions - CENTRE)[None, None, :] / widening[:, None, None]
    return MOVES(warp(images, positions[:, None], source_columns), random)


def _file_signature(path):
    """Which file is at `path` now: (inode, size, modification time), or None if none. Every save
    replaces the file (a new inode), so another run's save since ours changes it."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


def with_own_digits(images, labels, own_images, own_labels, share=OWN_SHARE):
    """MNIST's training images and labels with your digits added, repeated so that they make up about
    `share` of the whole (each at least once, at most MOST_REPEATS times). uint8 images, as MNIST's."""
    if len(own_images) == 0:
        return images, labels
    repeats = int(np.clip(round(share * len(images) / len(own_images)), 1, MOST_REPEATS))
    return (np.concatenate([images, np.repeat(own_images, repeats, axis=0)]).astype(np.uint8),
            np.concatenate([labels, np.repeat(own_labels, repeats)]))


class Taught:
    """What one teaching changed, kept so that it can be taken back (Teacher.take_back): the digit, the
    line added to your digits' file (append_digit's answer), the network and its record before, your
    digits before (images, labels), and the drawings let stand before."""

    def __init__(self, label, appended, input_weights, output_weights, info, yours_before, let_stand):
        self.label, self.appended = label, appended
        self.weights_before = input_weights, output_weights, info
        self.yours_before, self.let_stand = yours_before, let_stand
        self.model_changed = True  # False: kept, not learned (MNIST could not be loaded to replay)
        self.model_was_there = True  # False: this teaching made the model's file
        self.replaced = None  # the backup of the model this teaching's save replaced, if it kept one


class Teacher:
    """What the drawing window needs to learn from you: your digits' file, the model, where it is saved.

    digits_path: your own-digits file (my_digits.py). destination: where the taught model is saved
    (model_store.destination_for: never the shipped model). load_replay: a function returning MNIST's
    training (images, labels), called at the first teaching only (it takes a moment).
    """

    def __init__(self, model, digits_path, destination, load_replay, seed=None, report=None):
        self.model = model
        self.digits_path = digits_path
        self.destination = destination
        self.load_replay = load_replay
        self.random = np.random.default_rng(seed)
        self.report = report or (lambda line: print(printable(line), file=sys.stderr, flush=True))
        self.replay = None
        self.yours = None  # your digits' images (DrawnWhenAsked) and labels: read from the file once, then kept
        #                    up to date
        self.digits_as = None  # the digits' file as this session last wrote it (_file_signature)
        self.let_stand = []  # [(image, answer)]: this session's drawings read and passed over (let_stand_drawing)
        self.saved_as = None  # the file this session last saved (_file_signature), or None before its first
        # The model file as this window found it when it opened, then as its last save or take-back left it:
        # a teaching that finds another file there replaces a model another run (a training in another
        # terminal, another window) saved meanwhile, and says so (_say_other_run_replaced).
        self.known_as = _file_signature(destination)
        self.has_written = False  # whether this window has saved the model since it opened
        self.other_run_kept = None  # the backup of another run's model the last teaching replaced, if it did
        self.taught = []  # [Taught]: what this session's latest teachings changed, for take_back
        self.kept = 0  # how many digits this session has kept in your file (the window sees a key's effect)
        self.standing = 0  # how many of this session's teachings the model holds (not taken back)
        check_digits_file(digits_path)  # a model named as the digits' file is refused as the window opens
        self.seconds = None  # how long the last teaching took, saving included

    def learn(self, strokes, label):
        """Keep the drawing in your digits' file, teach it, save the model.

        Returns the line to print, `learned: 7 (12 of your digits)`, or None when the digit was kept
        but not learned (MNIST could not be loaded to replay; one line on stderr says why).
        Raises MyonnError when the digit cannot be kept, or the model cannot be saved.
        """
        from myonn.model_store import ModelLock

        self.other_run_kept = None
        if not any(len(stroke) for stroke in strokes):
            return None  # nothing drawn, nothing to learn
        # Held from before the digit is kept until the model is saved: no other run saves there meanwhile.
        with ModelLock(self.destination):
            return self._learn(strokes, label)

    def _learn(self, strokes, label):
        from myonn.model_store import check_destination, refuse_unreadable_own_model, save_keeping_backup

        # Whatever could stop the save is found before the digit is kept or taught: a file there that is
        # no model (training refuses it too), or, later, one another run saved since this session did.
        changed = self.saved_as is None or _file_signature(self.destination) != self.saved_as
        another_run = _file_signature(self.destination) != self.known_as   # (then `changed` too: it is backed up)
        if changed:
            refuse_unreadable_own_model(self.destination)  # a damaged own model: the line says what to do
            check_destination(self.destination)
        new_image, _ = digit_images([(strokes, label)])
        earlier = self._your_digits()
        # MNIST first, the first time (a second or two, minutes if it must be downloaded): a Ctrl-C
        # meanwhile changes nothing. Without it, the digit is kept but not learned.
        cannot_replay = None
        if self.replay is None:
            try:
                self.replay = ReplayedDigits(self.model, *self.load_replay())
            except MyonnError as error:
                cannot_replay = error
        # From here a Ctrl-C or kill waits the fraction of a second until the digit is kept, learned and
        # saved, or (a failed save) none of these: stopped half-way, the model and your file disagreed.
        with interruptions_held():
            network = self.model.network
            before = Taught(label, append_digit(self.digits_path, strokes, label), network.input_weights.copy(),
                            network.output_weights.copy(), self.model.info, earlier, list(self.let_stand))
            self.digits_as = _file_signature(self.digits_path)
            self.yours = (earlier[0].and_drawn(strokes, new_image[0]), np.append(earlier[1], label))
            count = len(self.yours[1])
            if cannot_replay is not None:
                self.report(f"kept your {label} in {self.digits_path} but did not learn it: teaching replays "
                            f"MNIST's training digits so that the network does not forget them, and {cannot_replay}")
                before.model_changed = False  # Ctrl+Z takes the digit out of the file all the same
                self._remember(before)
                return None
            started = time.perf_counter()
            before.model_was_there = _file_signature(self.destination) is not None
            try:
                self.let_stand = teach_letting_stand(self.model, new_image[0], label, self.random, self.let_stand,
                                                     earlier=earlier, replay=self.replay)
                self.model.info = {**self.model.info, "taught_digits": count}
                # The model there is backed up the first time, and whenever it is not the one this session
                # last saved (another run trained or taught it since): then it is kept and the user told where.
                kept = save_keeping_backup(self.model, self.destination, backup=changed)
            except MyonnError:
                # Not saved (a full disk): the key changes nothing, neither the network nor your file.
                self._as_before(before)
                raise
            before.replaced = kept  # the model this save replaced, kept in backups/
            if another_run and kept is not None:
                # Not the model the window opened or saved: saving its network over another run's fresh
                # model unasked would look like that training had vanished. Kept, and said (Ctrl+Z puts it back).
                self.other_run_kept = kept
                self._say_other_run_replaced(kept, label)
            if self.saved_as is None:  # the first teaching of the window: say once where it all went
                self._say_where(None if self.other_run_kept else kept)
            self.saved_as = self.known_as = _file_signature(self.destination)
            self.has_written = True
            self.standing += 1
            self._remember(before)
            self.seconds = time.perf_counter() - started
            return f"learned: {label} ({count} of your digits)"

    def _as_before(self, taught):
        """The network, the drawings let stand and your file as they were before `taught` (not saved)."""
        self._network_as_before(taught)
        self.let_stand = taught.let_stand
        self._take_digit_out_of_file(taught)

    def _remember(self, taught):
        self.taught = (self.taught + [taught])[-MOST_TAKEN_BACK:]
        self.kept += 1

    def take_back(self):
        """Take back the latest teaching not yet taken back (a wrong key, say): the network as it was
        before it, saved as your model again, and the digit's line taken out of your digits' file.

        Returns `took back: 7 (11 of your digits)`, or None when there is nothing to take back (none,
        or only teachings older than the latest MOST_TAKEN_BACK). Should the line not be the file's
        last any more (another window has added to it), it stays, and one line on stderr says so (a
        retrain would learn it); then the count is left out. Raises MyonnError when the model cannot
        be saved; then nothing has changed. A Ctrl-C meanwhile waits until both are done.
        """
        from myonn.model_store import ModelLock

        if not self.taught:
            return None
        taught = self.taught[-1]
        # A Ctrl-C between the two would leave the digit in your file, for a retrain to learn again.
        with interruptions_held():
            if taught.model_changed:
                with ModelLock(self.destination):
                    self._save_as_before(taught)
                self.standing -= 1
            self.taught.pop()
            self.let_stand = taught.let_stand
            taken_out = self._take_digit_out_of_file(taught)
        if not taken_out:
            return f"took back: {taught.label}"
        try:
            count = len(self._your_digits()[1])  # read afresh if edited by hand meanwhile
        except MyonnError:  # it is taken back all the same; the next teaching says what is wrong
            self.yours = self.digits_as = None
            return f"took back: {taught.label}"
        return f"took back: {taught.label} ({count} of your digits)"

    def _your_digits(self):
        """Your digits' (images, labels): read from the file once, and again whenever another run (a
        second window, an editor) has changed it since this session last wrote it."""
        if self.yours is None or _file_signature(self.digits_path) != self.digits_as:
            self.digits_as = _file_signature(self.digits_path)
            digits = read_digits(self.digits_path, warn=self.report)
            self.yours = DrawnWhenAsked(digits), np.array([label for _, label in digits], dtype=np.int64)
        return self.yours

    def _save_as_before(self, taught):
        """Put the model file back as it was before `taught`, under the model's lock; MyonnError changes nothing."""
        from myonn.model_store import refuse_if_read_only, save_keeping_backup

        now_there = _file_signature(self.destination)
        changed = now_there != self.saved_as
        if changed or not taught.model_was_there:
            # The teaching made the file (your first): taken back, there is none again, as before it, and
            # the windows open the model they opened before (the shipped one, say), not a copy of it.
            # Deleted by hand meanwhile, it stays gone. Changed by another run since (a retrain, another
            # window, another program's file), it stays as that run left it: putting this window's model
            # back over it pushed a fresh retrain into backups/.
            if not changed and now_there is not None:   # (None: made, deleted by hand, made again, taken back)
                refuse_if_read_only(self.destination)  # made read-only since (chmod 444): kept, as a save keeps it
                try:
                    self.destination.unlink()
                except OSError as error:
                    raise MyonnError(f"cannot take back {self.destination}: {error.strerror or error}") from None
                self.known_as = None
            elif now_there is not None:
                self.report(f"note: {self.destination} was changed by another run since this window saved it; "
                            "it stays as that run left it, and the teaching is taken back in this window only")
            self._network_as_before(taught)
            self.saved_as = None
            return
        if taught.replaced is not None and self._put_back_replaced(taught):
            return
        network = self.model.network
        now = network.input_weights, network.output_weights, self.model.info
        self._network_as_before(taught)
        try:
            save_keeping_backup(self.model, self.destination, backup=False)  # this window's own save is there
        except MyonnError:
            network.input_weights, network.output_weights, self.model.info = now
            raise
        self.saved_as = self.known_as = _file_signature(self.destination)

    def _put_back_replaced(self, taught):
        """Put back the model `taught`'s save replaced, from its backup: the file is then as before the
        key. It may not be the window's model: a window opened on the shipped model (--model) replaced
        your trained one at its first teaching, and saving the window's network back left your model
        in backups/ and the shipped one's weights in its place. False, with a note, when the backup
        cannot be read (removed or changed by hand, or pruned): then the window's network is saved."""
        from myonn.model import load_model
        from myonn.model_store import as_typed, put_back

        backup = Path(taught.replaced)
        try:
            if backup.is_symlink():  # made a link by hand: to what, nobody knows
                raise MyonnError(f"{backup}: a link now, not the backup made")
            replaced = load_model(backup)
        except MyonnError as error:
            self.report(f"note: the model this window's teaching replaced cannot be put back ({error}); the "
                        "model this window opened is saved there instead")
            return False
        put_back(backup, self.destination)
        self.known_as = _file_signature(self.destination)  # this window put it there: no other run's
        self._network_as_before(taught)
        # Not this window's save but the model there before it (another run's, or the one this window
        # replaced first): a take-back of an earlier teaching leaves it, and the next teaching keeps it
        # in backups/, where it is already, byte for byte (model_store._back_up gives that backup).
        self.saved_as = None
        input_weights, output_weights, _ = taught.weights_before
        if not (np.array_equal(replaced.network.input_weights, input_weights)
                and np.array_equal(replaced.network.output_weights, output_weights)):
            self.report(f"note: {as_typed(self.destination)} is again the model it was before this window's "
                        f"teaching (put back from {as_typed(backup)}); this window goes on with "
                        "the model it opened")
        return True

    def _network_as_before(self, taught):
        network = self.model.network
        network.input_weights, network.output_weights, self.model.info = taught.weights_before

    def _take_digit_out_of_file(self, taught):
        """Take the line `taught` added out of your digits' file; True if it went, else one line says why not."""
        unchanged = _file_signature(self.digits_path) == self.digits_as
        try:
            why_kept = take_back_digit(self.digits_path, taught.appended)
        except MyonnError as error:
            why_kept = str(error)
        if why_kept is None and unchanged:
            self.yours, self.digits_as = taught.yours_before, _file_signature(self.digits_path)
        else:  # changed by someone else meanwhile (edited, even): read again at the next teaching
            self.yours = self.digits_as = None
        if why_kept is not None:
            self.report(f"note: your {taught.label} stays in {self.digits_path} ({why_kept}); a retrain with "
                        "--my-digits would learn it (delete its line to keep it out)")
        return why_kept is None

    def _say_where(self, kept):
        """One line, on the first teaching: where the taught model and your digits are, and, when it is
        your own model, that the windows use it from now on (the shipped one, perhaps, before)."""
        from myonn.model_store import as_set_now, as_typed, whose
        in_use = (f", the model the windows use from now on{as_set_now()}" if whose(self.destination) == "your own model"
                  else "")
        replaced = f"; the model it replaced is kept as {as_typed(kept)}" if kept is not None else ""
        self.report(f"taught model saved to {as_typed(self.destination)} (your digits: {as_typed(self.digits_path)})"
                    f"{in_use}{replaced}")

    def _say_other_run_replaced(self, kept, label):
        """One line: another run saved the model file since this window opened (or last saved it), its
        model is kept as `kept`, and this window's network, just taught `label`, replaces it."""
        from myonn.model_store import as_typed, restore_command
        since = "this window last saved it" if self.has_written else "this window opened"
        self.report(f"note: another run saved {as_typed(self.destination)} since {since}: that model is kept as "
                    f"{as_typed(kept)}, and this window's network, taught your {label}, replaces it (Ctrl+Z "
                    f"right after puts it back, as does {restore_command(as_typed(kept), as_typed(self.destination))})")

    def let_stand_drawing(self, strokes, answer):
        """A drawing the window read as `answer` and you passed over without correcting it: kept (for
        this session, the latest MOST_LET_STAND) so that later teachings do not change how it is read."""
        try:
            images, _ = digit_images([(strokes, answer)])
        except MyonnError:  # more ink than a digit (the window never lets a drawing get there)
            return
        if len(images):
            self.let_stand = (self.let_stand + [(images[0], int(answer))])[-MOST_LET_STAND:]
