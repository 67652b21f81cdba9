"""Specification of myonn/teaching.py: teaching the network a drawing at once, without forgetting MNIST."""

import copy
import errno
import json
import os
import shutil
import time

import numpy as np
import pytest

from myonn.errors import MyonnError
from myonn.evaluation import accuracy
from myonn.handwriting import digit_pixels
from myonn.inputs import network_input
from myonn.mnist import TEST, TRAIN, load_mnist
from myonn.model import load_model, save_model
from myonn.model_store import shipped_model_path
from myonn.my_digits import read_digits
from myonn import teaching
from myonn.teaching import ReplayedDigits, Teacher, teach, with_own_digits, writer_copies

# A 0 with a slash right through it, as many people write it: the shipped model reads it as an 8.
SLASHED_ZERO = [[(336 + 90 * np.sin(t), 336 - 170 * np.cos(t)) for t in np.linspace(0, 2 * np.pi, 40)],
                [(220, 580), (450, 90)]]
# A 1 with a long flag, as in much of Europe: the shipped model reads it as a 7.
FLAGGED_ONE = [[(80, 300), (400, 100), (400, 600)]]


@pytest.fixture(scope="module")
def mnist(real_mnist_dir):
    return load_mnist(TRAIN, real_mnist_dir), load_mnist(TEST, real_mnist_dir)


@pytest.fixture(scope="module")
def shipped():
    return load_model()


@pytest.fixture(scope="module")
def replay(shipped, mnist):
    return ReplayedDigits(shipped, *mnist[0])


def test_replayed_digits_are_prepared_as_the_model_prepares_its_inputs_once_each(shipped, mnist, monkeypatch):
    images, labels = mnist[0][0][:500], mnist[0][1][:500]
    replay = ReplayedDigits(shipped, images, labels)
    chosen = np.array([3, 7, 3, 499, 0])
    inputs = replay.inputs_for(chosen)
    assert inputs.dtype == np.float32 and np.array_equal(inputs, shipped.network_input(images[chosen]))
    assert not np.array_equal(inputs, network_input(images[chosen]))  # deskewed, as the shipped model's inputs are
    assert np.array_equal(replay.labels[chosen], labels[chosen]) and len(replay) == 500
    assert replay.kept == 4 and (replay.kept_at >= 0).sum() == 4     # those drawn, each once
    prepared = []
    monkeypatch.setattr(shipped, "network_input", lambda batch: prepared.append(len(batch)) or network_input(batch))
    again = replay.inputs_for(np.array([7, 0, 5]))
    assert prepared == [1]                                            # only the digit not drawn before, 5
    assert np.array_equal(again[:2], inputs[[1, 4]])


def test_teaching_replays_mnist_digits_as_they_were_prepared(shipped, mnist, monkeypatch):
    replay = ReplayedDigits(shipped, *mnist[0])
    batches = []
    monkeypatch.setattr(shipped.network.__class__, "train", lambda network, inputs, targets: batches.append(inputs))
    teach(copy.deepcopy(shipped), digit_pixels(SLASHED_ZERO), 0, np.random.default_rng(0), replay=replay)
    assert len(batches) >= teaching.STEPS
    replayed = batches[0][teaching.COPIES:]                           # after the drawing's copies
    assert len(replayed) == teaching.REPLAYED
    # Each replayed row is one of MNIST's digits, as the model prepares it.
    prepared = {row.tobytes() for row in replay.inputs[:replay.kept]}
    assert all(row.tobytes() in prepared for row in replayed)
    assert replay.kept <= teaching.REPLAYED * len(batches)            # only the digits drawn were prepared


def replayed_labels_while_teaching(model, pixels, label, replay, monkeypatch):
    """The labels of the MNIST digits replayed in each step of teaching `pixels` as `label`."""
    replayed = []
    original = replay.inputs_for
    monkeypatch.setattr(replay, "inputs_for", lambda chosen: replayed.append(replay.labels[chosen]) or original(chosen))
    teach(model, pixels, label, np.random.default_rng(0), replay=replay)
    return replayed


def test_a_misread_drawing_replays_more_of_the_digit_it_was_taken_for(shipped, replay, monkeypatch):
    pixels = digit_pixels(FLAGGED_ONE)
    assert shipped.recognise(pixels) == 7
    replayed = replayed_labels_while_teaching(copy.deepcopy(shipped), pixels, 1, replay, monkeypatch)
    sevens = np.mean([np.mean(labels == 7) for labels in replayed])
    assert teaching.TAKEN_FOR_SHARE <= sevens <= teaching.TAKEN_FOR_SHARE + 0.15   # MNIST's own tenth, and more
    assert all(len(labels) == teaching.REPLAYED for labels in replayed)
    # A drawing already read right was taken for nothing: MNIST is replayed as it comes.
    model = copy.deepcopy(shipped)
    teach(model, pixels, 1, np.random.default_rng(1), replay=replay)
    replayed = replayed_labels_while_teaching(model, pixels, 1, replay, monkeypatch)
    assert np.mean([np.mean(labels == 7) for labels in replayed]) < 0.15


def test_each_step_holds_the_drawings_you_let_stand_as_they_were_read(shipped, replay, monkeypatch):
    seven, one = digit_pixels([[(150, 150), (500, 150), (300, 560)]]), digit_pixels([[(330, 120), (330, 560)]])
    let_stand = (np.round([seven, one]).astype(np.uint8), np.array([7, 1]))
    batches = []
    monkeypatch.setattr(shipped.network.__class__, "train",
                        lambda network, inputs, targets: batches.append(targets.argmax(axis=1)))
    teach(copy.deepcopy(shipped), digit_pixels(SLASHED_ZERO), 0, np.random.default_rng(0), replay=replay,
          let_stand=let_stand)
    assert len(batches) >= teaching.STEPS
    for labels in batches:      # the drawing's copies, then the drawings let stand, then MNIST
        assert len(labels) == teaching.COPIES + teaching.LET_STAND + teaching.REPLAYED
        assert (labels[:teaching.COPIES] == 0).all()
        assert set(labels[teaching.COPIES:teaching.COPIES + teaching.LET_STAND]) <= {7, 1}
    assert {7, 1} <= set(np.concatenate(batches))


def test_drawings_let_stand_are_kept_for_the_session_the_latest_only(shipped, monkeypatch, tmp_path):
    monkeypatch.setattr(teaching, "MOST_LET_STAND", 3)
    teacher = Teacher(copy.deepcopy(shipped), tmp_path / "mine.jsonl", tmp_path / "m.npz", load_replay=None)
    for answer in (1, 7, 1, 7):
        teacher.let_stand_drawing(FLAGGED_ONE, answer)
    teacher.let_stand_drawing([[]], 3)                           # nothing drawn: nothing kept
    teacher.let_stand_drawing([[(0, 0), (300, 300)] * 50_000], 3)  # a scribble: not a digit, not kept
    assert [answer for _, answer in teacher.let_stand] == [7, 1, 7]
    image, _ = teacher.let_stand[0]
    assert image.dtype == np.uint8 and np.array_equal(image, np.round(digit_pixels(FLAGGED_ONE)))
    assert not (tmp_path / "mine.jsonl").exists()                # only what you teach goes in your file


def test_a_misreading_passed_over_then_drawn_again_and_taught_is_learned(shipped, mnist, tmp_path):
    teacher = Teacher(copy.deepcopy(shipped), tmp_path / "mine.jsonl", tmp_path / "m.npz",
                      load_replay=lambda: mnist[0], seed=0)
    assert shipped.recognise(digit_pixels(SLASHED_ZERO)) == 8
    teacher.let_stand_drawing(SLASHED_ZERO, 8)                   # read as 8, and passed over
    teacher.let_stand_drawing([[(150, 150), (500, 150), (300, 560)]], 7)
    assert teacher.learn(SLASHED_ZERO, 0) == "learned: 0 (1 of your digits)"
    assert teacher.model.recognise(digit_pixels(SLASHED_ZERO)) == 0
    assert [answer for _, answer in teacher.let_stand] == [7]    # the 0 let stand as 8 was this misreading


def test_drawings_let_stand_as_the_digit_a_taught_one_was_taken_for_sit_it_out(shipped, replay, monkeypatch):
    from myonn.teaching import teach_letting_stand

    seven, eight = digit_pixels([[(150, 150), (500, 150), (300, 560)]]), digit_pixels(SLASHED_ZERO)
    let_stand = [(np.round(seven).astype(np.uint8), 7), (np.round(eight).astype(np.uint8), 8)]
    held = []
    original = teaching.teach
    monkeypatch.setattr(teaching, "teach", lambda *args, let_stand, **kw: held.append(let_stand[1].tolist())
                        or original(*args, let_stand=let_stand, **kw))
    model = copy.deepcopy(shipped)
    standing = teach_letting_stand(model, eight, 0, np.random.default_rng(0), let_stand, replay=replay)
    assert held == [[7]]                          # taken for 8: the drawing let stand as 8 sits it out,
    assert [answer for _, answer in standing] == [7]   # and, now read as 0 like the one taught, goes
    # A drawing taught as what it was read as already: every drawing let stand is held, and stays.
    standing = teach_letting_stand(model, seven, 7, np.random.default_rng(0), let_stand, replay=replay)
    assert held[1] == [7, 8] and standing == let_stand


def test_a_taught_drawing_is_then_recognised_and_mnist_barely_moves(shipped, mnist, replay):
    test_images, test_labels = mnist[1]
    model = copy.deepcopy(shipped)
    pixels = digit_pixels(SLASHED_ZERO)
    assert model.recognise(pixels) != 0
    before = accuracy(model, test_images, test_labels)
    teach(model, pixels, 0, np.random.default_rng(0), replay=replay)
    assert model.recognise(pixels) == 0
    assert abs(accuracy(model, test_images, test_labels) - before) <= 0.003
    assert shipped.recognise(pixels) != 0                         # only the model taught changed


def test_a_drawing_still_misread_after_the_steps_gets_a_few_more(shipped, replay, monkeypatch):
    monkeypatch.setattr(teaching, "STEPS", 0)       # as if the usual steps had not been enough
    model = copy.deepcopy(shipped)
    pixels = digit_pixels(SLASHED_ZERO)
    steps = teach(model, pixels, 0, np.random.default_rng(0), replay=replay)
    assert 1 <= steps <= teaching.EXTRA
    assert model.recognise(pixels) == 0


def test_a_drawing_already_read_right_gets_no_extra_steps(shipped, replay):
    model = copy.deepcopy(shipped)
    pixels = digit_pixels(SLASHED_ZERO)
    teach(model, pixels, 0, np.random.default_rng(0), replay=replay)
    assert teach(model, pixels, 0, np.random.default_rng(1), replay=replay) == teaching.STEPS


def test_writer_copies_vary_the_drawing_but_leave_it_alone():
    pixels = digit_pixels(SLASHED_ZERO)
    batch = np.repeat(pixels[None], 6, axis=0)
    kept = batch.copy()
    copies = writer_copies(batch, np.random.default_rng(0))
    assert copies.shape == (6, 28, 28) and copies.dtype == np.float32
    assert np.array_equal(batch, kept)                                        # the drawing itself is not changed
    assert all(not np.allclose(copies[0], other) for other in copies[1:])     # no two copies alike
    assert copies.min() >= 0 and copies.max() <= 255
    # Narrower and wider: the columns holding ink differ from copy to copy (by up to WIDTH either way).
    widths = [np.ptp(np.nonzero(copy_.max(axis=0) > 64)[0]) for copy_ in copies]
    assert max(widths) > min(widths)


def test_later_teachings_keep_earlier_ones_and_mnist_barely_moves(shipped, mnist, tmp_path):
    _, (test_images, test_labels) = mnist
    before = accuracy(shipped, test_images, test_labels)
    assert shipped.recognise(digit_pixels(FLAGGED_ONE)) != 1
    digits = tmp_path / "mine.jsonl"
    teacher = Teacher(copy.deepcopy(shipped), digits, tmp_path / "m.npz", load_replay=lambda: mnist[0], seed=0)
    file_so_far = b""
    for strokes, label in [(SLASHED_ZERO, 0), (FLAGGED_ONE, 1), (SLASHED_ZERO, 0), (FLAGGED_ONE, 1)]:
        assert teacher.learn(strokes, label) is not None
        # Your digits' file only grows: what it held before each teaching is still there, byte for byte.
        now = digits.read_bytes()
        assert now.startswith(file_so_far) and len(now) > len(file_so_far)
        file_so_far = now
    assert teacher.model.recognise(digit_pixels(SLASHED_ZERO)) == 0      # the 1s taught later did not undo it
    assert teacher.model.recognise(digit_pixels(FLAGGED_ONE)) == 1
    assert abs(accuracy(teacher.model, test_images, test_labels) - before) <= 0.003


def test_the_teacher_keeps_the_digit_teaches_it_and_saves_your_model(shipped, mnist, tmp_path):
    destination, digits = tmp_path / "my_model.npz", tmp_path / "mine.jsonl"
    shutil.copy(shipped_model_path(), destination)
    teacher = Teacher(copy.deepcopy(shipped), digits, destination, load_replay=lambda: mnist[0], seed=0)
    assert teacher.learn(SLASHED_ZERO, 0) == "learned: 0 (1 of your digits)"
    assert teacher.learn(SLASHED_ZERO, 0) == "learned: 0 (2 of your digits)"
    assert len(read_digits(digits)) == 2
    assert load_model(destination).recognise(digit_pixels(SLASHED_ZERO)) == 0
    # The model it replaced is kept at the first save; the second replaces only what the first taught.
    assert len(list((tmp_path / "backups").glob("*.npz"))) == 1
    # How long it took is measured (bench/teach_time.py), not asserted: on a busy machine a limit flakes.
    assert teacher.seconds > 0


def test_a_model_made_read_only_is_not_taught_over_and_the_digit_not_kept(shipped, mnist, tmp_path):
    """The digit keys replaced a read-only model silently, as training did."""
    teacher, destination, digits = a_teacher(shipped, mnist, tmp_path)
    shutil.copy(shipped_model_path(), destination)
    destination.chmod(0o444)
    before = destination.read_bytes()
    with pytest.raises(MyonnError, match=f"will not overwrite {destination}, which is read-only"):
        teacher.learn(SLASHED_ZERO, 0)                 # the first key: refused before the digit is kept
    assert not digits.exists() and destination.read_bytes() == before
    destination.chmod(0o644)
    assert teacher.learn(SLASHED_ZERO, 0) == "learned: 0 (1 of your digits)"
    destination.chmod(0o444)                           # made read-only while the window is open
    taught = destination.read_bytes()
    with pytest.raises(MyonnError, match="which is read-only"):
        teacher.learn(SLASHED_ZERO, 0)
    assert len(read_digits(digits)) == 1 and destination.read_bytes() == taught
    with pytest.raises(MyonnError, match="which is read-only"):   # nor taken back over it (Ctrl+Z)
        teacher.take_back()
    assert len(read_digits(digits)) == 1 and destination.read_bytes() == taught


def test_a_model_the_first_teaching_made_then_made_read_only_is_not_deleted_by_ctrl_z(shipped, mnist, tmp_path):
    """Taking back the teaching that made the file deletes it, and did so made read-only (chmod 444) too."""
    teacher, destination, digits = a_teacher(shipped, mnist, tmp_path)
    assert teacher.learn(SLASHED_ZERO, 0) == "learned: 0 (1 of your digits)"   # no model there before: made
    destination.chmod(0o444)
    taught = destination.read_bytes()
    with pytest.raises(MyonnError, match="which is read-only"):
        teacher.take_back()
    assert destination.read_bytes() == taught and len(read_digits(digits)) == 1


def test_the_first_digit_key_draws_only_the_earlier_digits_its_steps_use(shipped, mnist, tmp_path, monkeypatch):
    """A file of 10,000 long digits kept the first digit key waiting 40 s to draw them all."""
    from myonn import my_digits

    digits = tmp_path / "mine.jsonl"
    line = json.dumps({"label": 1, "strokes": FLAGGED_ONE}) + "\n"
    digits.write_text(line * 2000)
    drawn = []
    real_digit_pixels = my_digits.digit_pixels
    monkeypatch.setattr(my_digits, "digit_pixels", lambda strokes: drawn.append(1) or real_digit_pixels(strokes))
    teacher = Teacher(copy.deepcopy(shipped), digits, tmp_path / "m.npz", load_replay=lambda: mnist[0], seed=0)
    assert teacher.learn(SLASHED_ZERO, 0) == "learned: 0 (2001 of your digits)"
    steps = teaching.STEPS + teaching.EXTRA
    assert 0 < len(drawn) <= 1 + steps * teaching.EARLIER < 2000   # the new drawing, and what the steps drew
    assert teacher.model.recognise(digit_pixels(SLASHED_ZERO)) == 0


def test_the_lines_a_teaching_prints_show_a_terminals_codes_in_file_names_escaped(shipped, mnist, tmp_path, capsys):
    folder = tmp_path / "\x1b]0;renamed\x07"
    teacher = Teacher(copy.deepcopy(shipped), folder / "mine.jsonl", folder / "m.npz", load_replay=lambda: mnist[0],
                      seed=0)
    teacher.learn(SLASHED_ZERO, 0)
    said = capsys.readouterr().err
    assert "taught model saved to " in said and "\\x1b]0;renamed\\x07" in said and "\x1b" not in said


def test_a_model_another_run_saved_between_two_teachings_is_kept_and_named(shipped, mnist, tmp_path):
    """The window's later saves keep no backup of what its own first save wrote, but one of what
    another run (mnist_train.py, another window) saved there meanwhile."""
    destination, digits = tmp_path / "my_model.npz", tmp_path / "mine.jsonl"
    shutil.copy(shipped_model_path(), destination)
    said = []
    teacher = Teacher(copy.deepcopy(shipped), digits, destination, load_replay=lambda: mnist[0], seed=0,
                      report=said.append)
    teacher.learn(SLASHED_ZERO, 0)
    [first_backup] = (tmp_path / "backups").glob("*.npz")
    # The first teaching says where the model and the digits went, once.
    assert said == [f"taught model saved to {destination} (your digits: {digits}); the model it replaced is "
                    f"kept as {first_backup}"]
    said.clear()
    another_run = copy.deepcopy(shipped)
    another_run.network.output_weights = another_run.network.output_weights * 1.01
    save_model(another_run, destination)
    theirs = destination.read_bytes()
    teacher.learn(SLASHED_ZERO, 0)
    kept = [backup for backup in (tmp_path / "backups").glob("*.npz") if backup.read_bytes() == theirs]
    assert len(kept) == 1 and said == [f"note: another run saved {destination} since this window last saved it: "
                                       f"that model is kept as {kept[0]}, and this window's network, taught your 0, "
                                       f"replaces it (Ctrl+Z right after puts it back, as does cp {kept[0]} "
                                       f"{destination})"]
    teacher.learn(SLASHED_ZERO, 0)  # and its own saves again keep nothing more
    assert len(list((tmp_path / "backups").glob("*.npz"))) == 2


def test_a_model_another_run_saved_after_the_window_opened_is_kept_and_named_at_its_first_teaching(
        shipped, mnist, tmp_path):
    """A window left open while mnist_train.py saved a fresh model: its first digit key saved the window's
    old network over it, and said only where the model it replaced was kept, as if that were its own."""
    destination, digits = tmp_path / "my_model.npz", tmp_path / "mine.jsonl"
    shutil.copy(shipped_model_path(), destination)                       # the model the window opened
    said = []
    teacher = Teacher(copy.deepcopy(shipped), digits, destination, load_replay=lambda: mnist[0], seed=0,
                      report=said.append)
    fresh = copy.deepcopy(shipped)                                       # a training in another terminal
    fresh.network.output_weights = fresh.network.output_weights * 1.01
    save_model(fresh, destination)
    theirs = destination.read_bytes()
    assert teacher.learn(SLASHED_ZERO, 9) == "learned: 9 (1 of your digits)"
    [kept] = (tmp_path / "backups").glob("*.npz")
    assert kept.read_bytes() == theirs and teacher.other_run_kept == kept
    assert said == [f"note: another run saved {destination} since this window opened: that model is kept as {kept}, "
                    f"and this window's network, taught your 9, replaces it (Ctrl+Z right after puts it back, as "
                    f"does cp {kept} {destination})",
                    f"taught model saved to {destination} (your digits: {digits})"]
    assert teacher.take_back() == "took back: 9 (0 of your digits)"      # and Ctrl+Z does put it back
    assert destination.read_bytes() == theirs
    said.clear()
    teacher.learn(SLASHED_ZERO, 9)                                       # the window put it there: no other run's
    assert teacher.other_run_kept is None and not any("another run" in line for line in said)
    # The model the window opened, still there at its first teaching: nothing of another run to say.
    shutil.copy(shipped_model_path(), tmp_path / "b.npz")
    said.clear()
    teacher = Teacher(copy.deepcopy(shipped), digits, tmp_path / "b.npz", load_replay=lambda: mnist[0], seed=0,
                      report=said.append)
    teacher.learn(SLASHED_ZERO, 9)
    assert teacher.other_run_kept is None and len(said) == 1 and said[0].startswith("taught model saved to ")


def test_the_first_teaching_of_your_own_model_says_the_windows_use_it_from_now_on(shipped, mnist, tmp_path,
                                                                                  own_models_apart):
    from myonn.model_store import own_model_path

    said = []
    teacher = Teacher(copy.deepcopy(shipped), tmp_path / "mine.jsonl", own_model_path(), load_replay=lambda: mnist[0],
                      seed=0, report=said.append)
    teacher.learn(SLASHED_ZERO, 0)
    assert said == [f"taught model saved to {own_model_path()} (your digits: {tmp_path / 'mine.jsonl'}), the model "
                    "the windows use from now on (with MYONN_MODEL_DIR set as now)"]


def a_teacher(shipped, mnist, tmp_path, said=None):
    """A Teacher of a copy of the shipped model, saving to tmp_path; (teacher, model's path, digits' path)."""
    destination, digits = tmp_path / "my_model.npz", tmp_path / "mine.jsonl"
    teacher = Teacher(copy.deepcopy(shipped), digits, destination, load_replay=lambda: mnist[0], seed=0,
                      report=None if said is None else said.append)
    return teacher, destination, digits


def test_a_teaching_taken_back_leaves_model_file_and_digits_as_they_were(shipped, mnist, tmp_path):
    """A wrong key (a 0 taught as 6): Ctrl+Z takes the teaching back, and the right key teaches it."""
    teacher, destination, digits = a_teacher(shipped, mnist, tmp_path)
    assert teacher.take_back() is None                                    # nothing taught yet
    teacher.learn(FLAGGED_ONE, 1)
    file_before = digits.read_bytes()
    weights_before = teacher.model.network.input_weights.copy(), teacher.model.network.output_weights.copy()
    teacher.let_stand_drawing(FLAGGED_ONE, 1)
    let_stand_before = list(teacher.let_stand)
    assert teacher.learn(SLASHED_ZERO, 6) == "learned: 6 (2 of your digits)"
    assert teacher.take_back() == "took back: 6 (1 of your digits)"
    network = teacher.model.network
    assert np.array_equal(network.input_weights, weights_before[0])
    assert np.array_equal(network.output_weights, weights_before[1])
    assert digits.read_bytes() == file_before and teacher.let_stand == let_stand_before
    saved = load_model(destination)                                       # saved as it was, its record too
    assert np.array_equal(saved.network.input_weights, weights_before[0]) and saved.info["taught_digits"] == 1
    assert not (tmp_path / "backups").exists()                            # nothing of another run to keep
    assert teacher.learn(SLASHED_ZERO, 0) == "learned: 0 (2 of your digits)"   # then the right key
    assert [label for _, label in read_digits(digits)] == [1, 0]
    assert teacher.take_back() == "took back: 0 (1 of your digits)"
    assert teacher.take_back() == "took back: 1 (0 of your digits)"      # and the one before, in turn
    assert digits.read_bytes() == b"" and teacher.take_back() is None
    # The first teaching made the model's file: taken back, there is none again (the windows open the
    # model they opened before), and the network is as it was.
    assert not destination.exists()
    assert np.array_equal(teacher.model.network.input_weights, shipped.network.input_weights)
    # The file that teaching made, deleted by hand before the take-back: it stays gone, not made again
    # as a copy of the model before.
    teacher.learn(SLASHED_ZERO, 0)
    destination.unlink()
    assert teacher.take_back() == "took back: 0 (0 of your digits)"
    assert not destination.exists()
    assert np.array_equal(teacher.model.network.input_weights, shipped.network.input_weights)
    # Made, deleted by hand, made again by the next teaching: both take-backs leave no file, and go on working.
    teacher.learn(SLASHED_ZERO, 0)
    destination.unlink()
    teacher.learn(FLAGGED_ONE, 1)
    assert teacher.take_back() == "took back: 1 (1 of your digits)" and not destination.exists()
    assert teacher.take_back() == "took back: 0 (0 of your digits)" and not destination.exists()
    # A model there before, replaced after the teaching by a file this myonn cannot read: the take-back
    # leaves that file as it is and goes on (it refused for ever, naming a --model the window has not).
    save_model(shipped, destination)
    teacher.learn(SLASHED_ZERO, 0)
    destination.write_bytes(b"PK\x03\x04 not a model")
    assert teacher.take_back() == "took back: 0 (0 of your digits)"
    assert destination.read_bytes() == b"PK\x03\x04 not a model"
    assert np.array_equal(teacher.model.network.input_weights, shipped.network.input_weights)
    destination.unlink()
    shutil.rmtree(tmp_path / "backups")                                  # the model there before, kept by the teaching
    # ... and replaced by another run's model: that one stays, not pushed out into backups/.
    teacher.learn(SLASHED_ZERO, 0)
    theirs = copy.deepcopy(shipped)
    theirs.network.output_weights = theirs.network.output_weights * 1.01
    save_model(theirs, destination)
    before = destination.read_bytes()
    assert teacher.take_back() == "took back: 0 (0 of your digits)"
    assert destination.read_bytes() == before and not (tmp_path / "backups").exists()


def test_a_take_back_puts_back_the_model_the_teaching_replaced_not_the_windows(shipped, mnist, tmp_path):
    """A window opened on the shipped model (--model) teaches into your own model's file: taken back,
    that file held the shipped model's weights, and your trained model was left in backups/."""
    said = []
    teacher, destination, _ = a_teacher(shipped, mnist, tmp_path, said)
    yours = copy.deepcopy(shipped)
    yours.network.output_weights = yours.network.output_weights * 1.01     # your trained model, not the shipped
    yours.info = {**yours.info, "test_accuracy": 0.9818}
    save_model(yours, destination)
    teacher.learn(SLASHED_ZERO, 0)
    assert not np.array_equal(load_model(destination).network.output_weights, yours.network.output_weights)
    assert teacher.take_back() == "took back: 0 (0 of your digits)"
    back = load_model(destination)
    assert np.array_equal(back.network.output_weights, yours.network.output_weights)
    assert np.array_equal(back.network.input_weights, yours.network.input_weights)
    assert back.info["test_accuracy"] == 0.9818
    assert said[-1].startswith(f"note: {destination} is again the model it was before this window's teaching")
    # The window goes on with the model it opened. Its next teaching replaces yours again, kept in backups/
    # already: no copy more (five wrong keys, each taken back, made six, and pruning took your older
    # models), and taken back, yours is put back again.
    assert np.array_equal(teacher.model.network.output_weights, shipped.network.output_weights)
    for _ in range(5):
        teacher.learn(SLASHED_ZERO, 0)
        assert teacher.take_back() == "took back: 0 (0 of your digits)"
        assert np.array_equal(load_model(destination).network.output_weights, yours.network.output_weights)
    assert len(list((tmp_path / "backups").glob("*.npz"))) == 1
    # The backup removed by hand: the window's model goes there, and a note says why.
    teacher.learn(SLASHED_ZERO, 0)
    next((tmp_path / "backups").glob("*.npz")).unlink()
    said.clear()
    assert teacher.take_back() == "took back: 0 (0 of your digits)"
    assert said[0].startswith("note: the model this window's teaching replaced cannot be put back (")
    assert np.array_equal(load_model(destination).network.output_weights, shipped.network.output_weights)
    # A window on the model in the file itself: put back, it is the window's model, and nothing is said.
    teacher, destination, _ = a_teacher(yours, mnist, tmp_path / "own", said)
    destination.parent.mkdir()
    save_model(yours, destination)
    teacher.learn(SLASHED_ZERO, 0)
    said.clear()
    assert teacher.take_back() == "took back: 0 (0 of your digits)" and said == []
    assert np.array_equal(load_model(destination).network.output_weights, yours.network.output_weights)


def test_two_windows_taking_back_wrong_keys_never_copy_one_model_into_backups_again(shipped, mnist, tmp_path):
    """Each put the model back as a new file, the other took it for another run's and backed it up:
    copies of one model filled backups/, and pruning deleted the user's older models."""
    from myonn.model_store import BACKUPS_KEPT

    destination = tmp_path / "my_model.npz"
    older = []
    for number in range(BACKUPS_KEPT - 1):                              # the user's older models, kept
        model = copy.deepcopy(shipped)
        model.network.output_weights = model.network.output_weights * (1.02 + number / 100)
        backup = tmp_path / "backups" / f"my_model.2020010{number + 1}-120000.npz"
        older.append(save_model(model, backup).read_bytes())
    yours = copy.deepcopy(shipped)
    yours.network.output_weights = yours.network.output_weights * 1.01
    save_model(yours, destination)
    first, second = (Teacher(copy.deepcopy(yours), tmp_path / f"{name}.jsonl", destination,
                             load_replay=lambda: mnist[0], seed=0, report=lambda line: None) for name in "ab")
    for _ in range(3):
        for window in (first, second):
            window.learn(SLASHED_ZERO, 6)
            window.take_back()
    kept = [backup.read_bytes() for backup in sorted((tmp_path / "backups").glob("*.npz"))]
    assert all(model in kept for model in older) and len(kept) == len(older) + 1
    assert np.array_equal(load_model(destination).network.output_weights, yours.network.output_weights)
    # A's teaching, B's after it, A's again: taking A's back twice leaves B's model, saved after A's first.
    first.learn(SLASHED_ZERO, 6)
    second.learn(FLAGGED_ONE, 1)
    theirs = destination.read_bytes()
    first.learn(SLASHED_ZERO, 5)
    first.take_back()
    first.take_back()
    assert destination.read_bytes() == theirs


def test_a_teaching_after_a_put_back_whose_backup_went_keeps_the_model_again(shipped, mnist, tmp_path):
    """The next teaching trusted the backup the take-back had put back from: removed by hand meanwhile,
    the user's model was replaced with no copy anywhere."""
    teacher, destination, _ = a_teacher(shipped, mnist, tmp_path, [])
    yours = copy.deepcopy(shipped)
    yours.network.output_weights = yours.network.output_weights * 1.01
    save_model(yours, destination)
    teacher.learn(SLASHED_ZERO, 6)
    teacher.take_back()
    for backup in (tmp_path / "backups").glob("*.npz"):
        backup.unlink()
    teacher.learn(SLASHED_ZERO, 0)
    kept = list((tmp_path / "backups").glob("*.npz"))
    assert len(kept) == 1 and np.array_equal(load_model(kept[0]).network.output_weights, yours.network.output_weights)


@pytest.mark.parametrize("when", ["loading MNIST", "keeping the digit", "learning", "saving", "a failed save"])
def test_a_ctrl_c_during_a_digit_key_leaves_model_and_file_agreeing(when, shipped, mnist, tmp_path, monkeypatch):
    """While MNIST loads for it, a Ctrl-C stops the key before it has changed anything; from the moment
    the digit is kept, it waits until the digit is learned and saved too (or, the save failing, none)."""
    import signal

    from myonn.model_store import save_keeping_backup
    from myonn.my_digits import append_digit

    teacher, destination, digits = a_teacher(shipped, mnist, tmp_path)
    teacher.learn(FLAGGED_ONE, 1)
    file_before, model_before = digits.read_bytes(), destination.read_bytes()
    weights_before = teacher.model.network.input_weights.copy()

    def ctrl_c(*arguments, **keywords):
        raise KeyboardInterrupt

    def with_ctrl_c(step):                                    # the step, with a Ctrl-C (twice) in the middle of it
        def step_with_ctrl_c(*arguments, **keywords):
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
            return step(*arguments, **keywords)
        return step_with_ctrl_c

    def full_disk(*arguments, **keywords):
        os.kill(os.getpid(), signal.SIGINT)
        raise MyonnError(f"{destination}: No space left on device")

    signal.signal(signal.SIGINT, signal.default_int_handler)   # as in the window
    if when == "loading MNIST":
        teacher.replay = None
        teacher.load_replay = ctrl_c
    elif when == "keeping the digit":
        monkeypatch.setattr(teaching, "append_digit", with_ctrl_c(append_digit))
    elif when == "learning":
        monkeypatch.setattr(teaching, "teach_letting_stand", with_ctrl_c(teaching.teach_letting_stand))
    elif when == "saving":
        monkeypatch.setattr("myonn.model_store.save_keeping_backup", with_ctrl_c(save_keeping_backup))
    else:
        monkeypatch.setattr("myonn.model_store.save_keeping_backup", full_disk)
    said = []
    with pytest.raises(KeyboardInterrupt):
        try:
            teacher.learn(SLASHED_ZERO, 0)
        except MyonnError as error:                             # said first, as the window does ...
            said.append(str(error))
        time.sleep(2)                                           # ... then the Ctrl-C acts
    if when in ("keeping the digit", "learning", "saving"):     # whole: kept, learned and saved
        assert [label for _, label in read_digits(digits)] == [1, 0]
        assert np.array_equal(load_model(destination).network.input_weights, teacher.model.network.input_weights)
        assert not np.array_equal(teacher.model.network.input_weights, weights_before)
    else:                                                       # nothing: as before the key
        assert digits.read_bytes() == file_before and destination.read_bytes() == model_before
        assert np.array_equal(teacher.model.network.input_weights, weights_before)
    assert said == ([f"{destination}: No space left on device"] if when == "a failed save" else [])


def test_a_ctrl_c_while_a_teaching_is_taken_back_waits_until_model_and_file_are_both_as_before(
        shipped, mnist, tmp_path, monkeypatch):
    import signal

    teacher, destination, digits = a_teacher(shipped, mnist, tmp_path)
    model_before = destination.read_bytes() if destination.exists() else None
    teacher.learn(SLASHED_ZERO, 6)                                        # a wrong key
    real_save = teaching.Teacher._save_as_before

    def save_then_ctrl_c(self, taught):                                   # Ctrl-C right after the model went back
        real_save(self, taught)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(teaching.Teacher, "_save_as_before", save_then_ctrl_c)
    signal.signal(signal.SIGINT, signal.default_int_handler)             # as in the window
    with pytest.raises(KeyboardInterrupt):
        teacher.take_back()
    assert digits.read_bytes() == b""                                     # the 6 is out of the file too
    assert model_before is None and not destination.exists()            # as before: no file
    assert np.array_equal(teacher.model.network.input_weights, shipped.network.input_weights)


def test_a_digit_another_window_added_after_is_kept_when_a_teaching_is_taken_back(shipped, mnist, tmp_path):
    from myonn.my_digits import append_digit

    said = []
    teacher, destination, digits = a_teacher(shipped, mnist, tmp_path, said)
    teacher.learn(SLASHED_ZERO, 6)
    assert [line.split(" (")[0] for line in said] == [f"taught model saved to {destination}"]   # said once
    said.clear()
    append_digit(digits, FLAGGED_ONE, 1)                                  # another window's teaching
    assert teacher.take_back() == "took back: 6"                          # no count: the file is not as it was
    assert [label for _, label in read_digits(digits)] == [6, 1]          # nothing of theirs lost
    assert said == [f"note: your 6 stays in {digits} (another window has added to it since); a retrain "
                    "with --my-digits would learn it (delete its line to keep it out)"]
    assert not destination.exists() and np.array_equal(teacher.model.network.input_weights,
                                                       shipped.network.input_weights)
    teacher.learn(SLASHED_ZERO, 6)
    digits.unlink()
    os.mkfifo(digits)                                                     # no longer a file: left alone
    assert teacher.take_back() == "took back: 6"
    assert said[-1] == (f"note: your 6 stays in {digits} ({digits}: not a regular file); a retrain with "
                        "--my-digits would learn it (delete its line to keep it out)")
    assert not destination.exists() and np.array_equal(teacher.model.network.input_weights,
                                                       shipped.network.input_weights)


def test_a_taken_back_digits_file_someone_edited_or_removed_says_so_and_is_read_again(shipped, mnist, tmp_path):
    said = []
    teacher, _, digits = a_teacher(shipped, mnist, tmp_path, said)
    teacher.learn(FLAGGED_ONE, 7)
    teacher.learn(SLASHED_ZERO, 6)
    digits.write_bytes(digits.read_bytes().replace(b'{"label":7,', b'{"label":1,'))   # a label fixed by hand
    assert teacher.take_back() == "took back: 6 (1 of your digits)"      # the 6 goes: still the file's last line
    assert teacher.learn(SLASHED_ZERO, 0) == "learned: 0 (2 of your digits)"
    assert list(teacher.yours[1]) == [1, 0]                               # the edit is read, not the old 7
    digits.unlink()
    assert teacher.take_back() == "took back: 0"
    assert said[-1].startswith(f"note: your 0 stays in {digits} (it is no longer there);")


def test_a_teaching_that_cannot_be_saved_changes_neither_the_network_nor_your_file(shipped, mnist, tmp_path,
                                                                                  monkeypatch):
    from myonn import model_store
    from myonn.errors import MyonnError

    teacher, destination, digits = a_teacher(shipped, mnist, tmp_path)
    teacher.learn(FLAGGED_ONE, 1)
    file_before, weights_before = digits.read_bytes(), teacher.model.network.input_weights.copy()

    def full_disk(*_, **__):
        raise MyonnError(f"cannot write model {destination}: No space left on device")
    monkeypatch.setattr(model_store, "save_model", full_disk)
    with pytest.raises(MyonnError, match="No space left"):
        teacher.learn(SLASHED_ZERO, 0)
    assert digits.read_bytes() == file_before
    assert np.array_equal(teacher.model.network.input_weights, weights_before)
    monkeypatch.undo()
    assert teacher.take_back() == "took back: 1 (0 of your digits)"      # the teaching before, as usual


def test_a_digit_kept_but_not_learned_can_be_taken_out_of_your_file(shipped, tmp_path):
    from myonn.errors import MyonnError

    def missing():
        raise MyonnError("MNIST not found in /nowhere")
    teacher = Teacher(copy.deepcopy(shipped), tmp_path / "mine.jsonl", tmp_path / "m.npz", missing, report=print)
    assert teacher.learn(SLASHED_ZERO, 6) is None and teacher.kept == 1
    assert teacher.take_back() == "took back: 6 (0 of your digits)"
    assert (tmp_path / "mine.jsonl").read_bytes() == b"" and not (tmp_path / "m.npz").exists()


def test_appending_gives_up_on_a_file_another_program_keeps_locked(shipped, mnist, tmp_path, monkeypatch):
    import fcntl

    from myonn import my_digits
    from myonn.errors import MyonnError

    monkeypatch.setattr(my_digits, "LOCK_WAIT_S", 0.2)
    teacher, destination, digits = a_teacher(shipped, mnist, tmp_path)
    teacher.learn(FLAGGED_ONE, 1)
    with open(digits, "rb") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)                        # held, and never let go
        with pytest.raises(MyonnError, match="another program has held it locked for over 0.2 s"):
            teacher.learn(SLASHED_ZERO, 0)
        assert teacher.take_back() == "took back: 1"                      # the model goes back all the same
    assert [label for _, label in read_digits(digits)] == [1]


def test_taking_back_keeps_a_model_another_run_saved_since_and_fails_whole(shipped, mnist, tmp_path):
    from myonn.errors import MyonnError
    from myonn.model_store import ModelLock

    said = []
    teacher, destination, digits = a_teacher(shipped, mnist, tmp_path, said)
    save_model(shipped, destination)                                      # a model there before the teaching
    teacher.learn(SLASHED_ZERO, 6)
    said.clear()                                                          # where it was saved
    teacher.let_stand_drawing(FLAGGED_ONE, 7)
    taught, file_taught = teacher.model.network.input_weights.copy(), digits.read_bytes()
    with ModelLock(destination):                                         # another run saving there right now
        with pytest.raises(MyonnError, match="is being saved by another run"):
            teacher.take_back()
    assert np.array_equal(teacher.model.network.input_weights, taught) and digits.read_bytes() == file_taught
    from myonn import model_store

    def full_disk(*_, **__):
        raise OSError(errno.ENOSPC, "No space left on device")
    file_before = destination.read_bytes()
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(model_store.shutil, "copyfileobj", full_disk)     # putting the model back from its backup
        with pytest.raises(MyonnError, match=f"cannot write model {destination}: No space left on device"):
            teacher.take_back()
    assert np.array_equal(teacher.model.network.input_weights, taught) and digits.read_bytes() == file_taught
    assert destination.read_bytes() == file_before and [p.name for p in tmp_path.glob(".*")] == []
    assert [answer for _, answer in teacher.let_stand] == [7]
    # Another run saved there since (a retrain): its model stays, not pushed into backups/ by the
    # window's model put back over it; the teaching is taken back in the window.
    another_run = copy.deepcopy(shipped)
    another_run.network.output_weights = another_run.network.output_weights * 1.01
    save_model(another_run, destination)
    theirs = destination.read_bytes()
    backups = sorted((tmp_path / "backups").glob("*.npz"))
    assert teacher.take_back() == "took back: 6 (0 of your digits)"
    assert destination.read_bytes() == theirs and sorted((tmp_path / "backups").glob("*.npz")) == backups
    assert np.array_equal(teacher.model.network.input_weights, shipped.network.input_weights)
    assert said == [f"note: {destination} was changed by another run since this window saved it; it stays as "
                    "that run left it, and the teaching is taken back in this window only"]


def test_digits_another_window_added_are_counted_and_taught_with(shipped, mnist, tmp_path):
    from myonn.my_digits import append_digit

    digits = tmp_path / "mine.jsonl"
    teacher = Teacher(copy.deepcopy(shipped), digits, tmp_path / "m.npz", load_replay=lambda: mnist[0], seed=0)
    assert teacher.learn(SLASHED_ZERO, 0) == "learned: 0 (1 of your digits)"
    append_digit(digits, FLAGGED_ONE, 1)   # another window's teaching
    assert teacher.learn(SLASHED_ZERO, 0) == "learned: 0 (3 of your digits)"


def test_teaching_refuses_what_training_refuses_before_keeping_the_digit(shipped, mnist, tmp_path):
    from myonn.errors import MyonnError
    from myonn.model_store import ModelLock

    destination, digits = tmp_path / "m.npz", tmp_path / "mine.jsonl"
    teacher = Teacher(copy.deepcopy(shipped), digits, destination, load_replay=lambda: mnist[0])
    with ModelLock(destination):  # another run saving there right now
        with pytest.raises(MyonnError, match="is being saved by another run"):
            teacher.learn(SLASHED_ZERO, 0)
    destination.write_text("1,2,3\n")  # a file there that is no model
    with pytest.raises(MyonnError, match="will not overwrite"):
        teacher.learn(SLASHED_ZERO, 0)
    assert destination.read_text() == "1,2,3\n" and not digits.exists()


def test_teaching_into_a_damaged_own_model_says_it_is_yours_and_what_to_do(shipped, mnist, tmp_path,
                                                                         own_models_apart):
    """A window opened on the shipped model saves to your own: damaged, it said "will not overwrite
    ...; choose another --model", though no --model had named it."""
    from myonn.errors import MyonnError
    from myonn.model_store import own_model_path

    own, digits = own_model_path(), tmp_path / "mine.jsonl"
    own.write_bytes(shipped_model_path().read_bytes()[:300_000])
    teacher = Teacher(copy.deepcopy(shipped), digits, own, load_replay=lambda: mnist[0])
    with pytest.raises(MyonnError, match=rf"^your own model {own} cannot be read \(.*\), so it is not overwritten; it "
                                         "has no readable backup: move it aside with mv "):
        teacher.learn(SLASHED_ZERO, 0)
    assert own.stat().st_size == 300_000 and not digits.exists()


def test_a_model_named_as_your_digits_file_is_refused_as_the_window_opens(shipped, tmp_path):
    from myonn.errors import MyonnError

    model = shutil.copy(shipped_model_path(), tmp_path / "m.npz")
    with pytest.raises(MyonnError, match="a model's name, not a file of your digits"):
        Teacher(copy.deepcopy(shipped), model, tmp_path / "other.npz", load_replay=None)
    assert model.read_bytes() == shipped_model_path().read_bytes()


def test_without_mnist_to_replay_the_digit_is_kept_but_not_learned(shipped, tmp_path):
    from myonn.errors import MyonnError

    def missing():
        raise MyonnError("MNIST not found in /nowhere")
    said = []
    teacher = Teacher(copy.deepcopy(shipped), tmp_path / "mine.jsonl", tmp_path / "m.npz", missing, report=said.append)
    assert teacher.learn(SLASHED_ZERO, 0) is None
    assert len(read_digits(tmp_path / "mine.jsonl")) == 1 and not (tmp_path / "m.npz").exists()
    assert len(said) == 1 and "MNIST not found" in said[0] and "did not learn" in said[0]


def test_your_digits_are_repeated_to_about_one_percent_of_the_training_set():
    images, labels = np.zeros((60000, 28, 28), np.uint8), np.zeros(60000, int)
    own_images, own_labels = np.full((30, 28, 28), 255, np.uint8), np.full(30, 7)
    mixed_images, mixed_labels = with_own_digits(images, labels, own_images, own_labels)
    assert len(mixed_labels) == 60000 + 30 * 20 and (mixed_labels == 7).sum() == 600
    assert mixed_images.dtype == np.uint8 and (mixed_images.reshape(len(mixed_images), -1).max(axis=1) == 255).sum() == 600
    assert with_own_digits(images, labels, own_images[:0], own_labels[:0])[0] is images


def test_the_count_includes_the_digits_already_in_your_file_and_skips_damaged_lines(shipped, mnist, tmp_path):
    from myonn.my_digits import append_digit
    digits = tmp_path / "mine.jsonl"
    for label in (3, 5):
        append_digit(digits, SLASHED_ZERO, label)
    with open(digits, "ab") as file:
        file.write(b"not a digit\n")
    said = []
    teacher = Teacher(copy.deepcopy(shipped), digits, tmp_path / "m.npz", load_replay=lambda: mnist[0],
                      report=said.append)
    assert teacher.learn(SLASHED_ZERO, 0) == "learned: 0 (3 of your digits)"
    assert len(said) == 2 and "line 3" in said[0] and said[1].startswith("taught model saved to")
    assert teacher.learn([[]], 0) is None                                   # nothing drawn
