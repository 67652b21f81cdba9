"""myonn/model_store.py: the shipped model, your own model, backups, and one saver at a time."""

import errno
import os
import pathlib
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from conftest import REPOSITORY_ROOT
from myonn import model_store
from myonn.errors import MyonnError
from myonn.model import Model, load_model, save_model
from myonn.model_store import (BACKUPS_KEPT, ModelLock, backups_of, check_destination, chosen_model_path,
                               destination_for, load_chosen_model, own_model_path, prune_backups,
                               save_keeping_backup, shipped_model_path)
from myonn.network import NeuralNetwork


def small_model(seed=0, accuracy=None):
    return Model(NeuralNetwork(784, 5, 10, seed=seed), info={} if accuracy is None else {"test_accuracy": accuracy})


def written(path, text):
    path.write_text(text)
    return path


# ---------------------------------------------------------------- which model a script uses


def test_own_model_lives_in_MYONN_MODEL_DIR_beside_no_other(own_models_apart):
    assert own_model_path() == own_models_apart / "my_mnist_nn.npz"
    assert shipped_model_path().name == "mnist_nn.npz" and shipped_model_path().is_file()


def test_scripts_use_the_shipped_model_until_you_have_your_own(own_models_apart):
    assert chosen_model_path() == (shipped_model_path(), "the shipped model")
    save_model(small_model(), own_model_path())
    assert chosen_model_path() == (own_model_path(), "your own model")
    assert chosen_model_path(own_models_apart / "other.npz") == (own_models_apart / "other.npz", "")
    # Named with --model, they are still called what they are (the line said "98.54% on MNIST" only).
    assert chosen_model_path(shipped_model_path()) == (shipped_model_path(), "the shipped model")
    assert chosen_model_path(own_model_path()) == (own_model_path(), "your own model")
    os.link(own_model_path(), own_models_apart / "hard.npz")       # a hard link to it is it too
    assert chosen_model_path(own_models_apart / "hard.npz")[1] == "your own model"


def test_a_model_inside_the_current_folder_is_named_as_typed_from_it(tmp_path, monkeypatch):
    save_model(small_model(accuracy=0.5), tmp_path / "data" / "m.npz")
    monkeypatch.chdir(tmp_path)
    assert load_chosen_model(tmp_path / "data" / "m.npz")[1] == "model: data/m.npz (50.00% on MNIST)"
    assert load_chosen_model("data/m.npz")[1] == "model: data/m.npz (50.00% on MNIST)"


def test_a_script_runs_in_a_current_folder_that_was_deleted(real_mnist_dir, tmp_path):
    """`mkdir x && cd x && rmdir x`, then a script by its full path, all its paths full too: each of the
    four said only "error: No such file or directory", naming no file, --help too (a path was shown as
    typed from the current folder, which was not there to ask)."""
    folder = tmp_path / "gone"
    folder.mkdir()
    command = (f"cd {folder} && rmdir {folder} && exec {sys.executable} {REPOSITORY_ROOT / 'mnist_test.py'} "
               f"--limit 50 --data-dir {real_mnist_dir}")
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT)})
    assert result.returncode == 0, result.stderr
    assert f"model: {shipped_model_path()} (the shipped model" in result.stderr
    assert result.stdout.splitlines()[0].endswith("%")


@pytest.mark.parametrize("count", [True, -7, "3", 0])
def test_a_taught_count_that_is_no_count_of_digits_is_left_out_of_the_line(tmp_path, count):
    """A record edited by hand said "before it was taught True of your digits", or -7 of them."""
    model = small_model(accuracy=0.5)
    model.info["taught_digits"] = count
    save_model(model, tmp_path / "m.npz")
    assert load_chosen_model(tmp_path / "m.npz")[1] == f"model: {tmp_path / 'm.npz'} (50.00% on MNIST)"


def test_a_models_name_holding_a_terminals_codes_is_shown_escaped_and_pasted_as_bash_reads_it(tmp_path):
    """A model named md6/\\e]0;renamed\\a\\e[31mred.npz recoloured the terminal and renamed its window,
    in every line naming it; a name with U+202E showed reversed."""
    import subprocess

    from myonn.model_store import shell_word

    path = tmp_path / "\x1b]0;renamed\x07\x1b[31mred\u202e.npz"
    save_model(small_model(accuracy=0.5), path)
    line = load_chosen_model(path)[1]
    assert line == f"model: {tmp_path}/\\x1b]0;renamed\\x07\\x1b[31mred\\u202e.npz (50.00% on MNIST)"
    word = shell_word(path)
    assert word.startswith("$'") and all(code not in word for code in "\x1b\x07\u202e")
    pasted = subprocess.run(["bash", "-c", f"test -f {word}"], timeout=30)
    assert pasted.returncode == 0                                      # the very file, as bash reads the word
    assert shell_word(tmp_path / "it's \\ here.npz") == shlex_quoted(tmp_path / "it's \\ here.npz")
    # U+0085 is two bytes in the name (\\x85 alone, one), and a name may hold bytes that are not UTF-8
    # at all; bash's \\u is its locale's. Each pastes back as the very file, in the C locale too.
    import os

    for name in ["nel\u0085x.npz", "csi\u009bx.npz", os.fsdecode(b"bad\xffname\n.npz"), "x\u202egpj.npz"]:
        path = tmp_path / name
        path.write_bytes(b"")
        word = shell_word(path)
        pasted = subprocess.run(["bash", "-c", f"test -f {word}"], timeout=30, env={**os.environ, "LC_ALL": "C"})
        assert word.startswith("$'") and pasted.returncode == 0, word


def shlex_quoted(path):
    import shlex
    return shlex.quote(str(path))


def test_the_chosen_model_comes_with_a_line_saying_which_it_is(own_models_apart):
    model, about = load_chosen_model()
    assert about.startswith("model: ") and about.endswith("% on MNIST)")
    assert f"{shipped_model_path().name} (the shipped model, " in about
    assert model.network.hidden_nodes == 200
    save_model(small_model(accuracy=0.98), own_model_path())
    model, about = load_chosen_model()
    assert about == f"model: {own_model_path()} (your own model, 98.00% on MNIST)"
    assert model.network.hidden_nodes == 5
    taught = small_model(accuracy=0.98)
    taught.info["taught_digits"] = 3
    save_model(taught, own_model_path())
    assert load_chosen_model()[1] == (f"model: {own_model_path()} (your own model, 98.00% on MNIST before it "
                                      "was taught 3 of your digits)")


def test_an_own_model_far_weaker_than_the_shipped_one_says_how_to_use_the_shipped_one(tmp_path, monkeypatch):
    # As a Ctrl-C a few batches into training leaves it: every script would use it from then on.
    monkeypatch.chdir(tmp_path)  # outside the project, and your models' folder: both are named in full
    shipped = model_store.recorded_accuracy(shipped_model_path())
    assert shipped > 0.98
    save_model(small_model(accuracy=0.0974), own_model_path())
    assert load_chosen_model()[1] == (f"model: {own_model_path()} (your own model, 9.74% on MNIST; the shipped "
                                      f"model scores {100 * shipped:.2f}%: --model {shipped_model_path()})")
    save_model(small_model(accuracy=shipped - 0.009), own_model_path())  # taught: a little lower is no reason
    assert "the shipped model scores" not in load_chosen_model()[1]
    save_model(small_model(accuracy=shipped - 0.01), own_model_path())   # a point, as shown: not more
    assert "the shipped model scores" not in load_chosen_model()[1]
    save_model(small_model(accuracy=float("nan")), own_model_path())      # nonsense recorded: no score, no hint
    assert load_chosen_model()[1] == f"model: {own_model_path()} (your own model)"
    # Named with --model, it is the one you chose: nothing to say.
    assert "shipped" not in load_chosen_model(own_model_path())[1]


def test_an_optional_model_that_is_not_there_is_none(own_models_apart, monkeypatch):
    monkeypatch.setattr(model_store, "shipped_model_path", lambda: own_models_apart / "absent.npz")
    assert load_chosen_model(optional=True) == (None, None)
    with pytest.raises(MyonnError, match="model not found"):
        load_chosen_model(optional=False)


def damaged_copy(model_file, path):
    """`path`, made a copy of the first half of `model_file` (as an interrupted `cp` leaves it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(Path(model_file).read_bytes()[:Path(model_file).stat().st_size // 2])
    return path


def test_a_damaged_own_model_says_it_is_yours_and_puts_back_its_newest_readable_backup(tmp_path, monkeypatch):
    """It said only "FILE: not a model file (...)", from every script, and nothing of what to do."""
    monkeypatch.setenv("MYONN_MODEL_DIR", str(tmp_path / "my models"))   # a space: the command quotes it
    own = own_model_path()
    good = save_model(small_model(accuracy=0.5), own.parent / "backups" / "my_mnist_nn.20260101-120000.npz")
    damaged_copy(good, own.parent / "backups" / "my_mnist_nn.20260102-120000.npz")  # newer, but damaged too
    damaged_copy(good, own)
    command = f"cp '{good}' '{own}'"
    for optional in (False, True):   # the renderer, which runs without a model, needs a readable one too
        with pytest.raises(MyonnError) as refused:
            load_chosen_model(optional=optional)
        assert str(refused.value) == (
            f"your own model {own} cannot be read (not a model file (not a readable .npz archive: File is not a "
            f"zip file)): put back its newest readable backup with {command}, or use the shipped model: "
            f"--model {model_store.as_typed(shipped_model_path())}")
    subprocess.run(command, shell=True, check=True)                      # pasted into a shell, it works
    assert load_chosen_model()[1].startswith(f"model: {own} (your own model")


def test_a_damaged_own_model_behind_a_link_names_the_backups_where_the_link_leads(tmp_path, monkeypatch):
    """The scripts that load it looked for backups beside the link (none: "move it aside"), training
    where it leads (the right cp)."""
    real = tmp_path / "real" / "model.npz"
    good = save_model(small_model(accuracy=0.5), real.parent / "backups" / "model.20260101-120000.npz")
    damaged_copy(good, real)
    monkeypatch.setenv("MYONN_MODEL_DIR", str(tmp_path / "models"))
    own_model_path().parent.mkdir()
    own_model_path().symlink_to(real)
    with pytest.raises(MyonnError, match=f"put back its newest readable backup with cp {good} {real},"):
        load_chosen_model()
    good.unlink()                                                  # none: the link is moved aside, not the file
    aside = own_model_path().with_name("my_mnist_nn.unreadable.npz")  # it leads to (which left it leading nowhere)
    with pytest.raises(MyonnError, match=f"move it aside with mv {own_model_path()} {aside},"):
        load_chosen_model()


def test_a_damaged_own_model_with_no_backup_is_moved_aside_and_one_named_by_model_is_as_said(own_models_apart):
    own = damaged_copy(shipped_model_path(), own_model_path())
    with pytest.raises(MyonnError) as refused:
        load_chosen_model()
    aside = own.with_name("my_mnist_nn.unreadable.npz")
    assert str(refused.value).endswith(f"; it has no readable backup: move it aside with mv {own} {aside}, "
                                       f"or use the shipped model: --model {model_store.as_typed(shipped_model_path())}")
    # Named by --model, it is the file you chose: the damage, as load_model says it.
    with pytest.raises(MyonnError) as refused:
        load_chosen_model(own)
    assert str(refused.value).startswith(f"{own}: not a model file")


def test_a_run_that_would_save_over_a_damaged_own_model_refuses_saying_so(own_models_apart):
    own = own_model_path()
    good = save_model(small_model(accuracy=0.5), own.parent / "backups" / "my_mnist_nn.20260101-120000.npz")
    damaged_copy(good, own)
    before = own.read_bytes()
    with pytest.raises(MyonnError) as refused:
        model_store.refuse_unreadable_own_model(own)
    assert str(refused.value) == (
        f"your own model {own} cannot be read (not a model file (not a readable .npz archive: File is not a zip "
        f"file)), so it is not overwritten: put back its newest readable backup with cp {good} {own}, or save "
        "to another file with --model FILE")
    assert own.read_bytes() == before
    model_store.refuse_unreadable_own_model(good)                       # not your own model: check_destination's
    own.write_bytes(good.read_bytes())
    model_store.refuse_unreadable_own_model(own)                        # readable: nothing to say


# ---------------------------------------------------------------- where a changed model goes


def test_a_changed_model_goes_to_your_own_model_never_to_the_shipped_one(tmp_path):
    assert destination_for() == own_model_path()
    assert destination_for(tmp_path / "a.npz") == tmp_path / "a.npz"
    assert destination_for(None, tmp_path / "b.npz") == tmp_path / "b.npz"  # --resume saves back
    assert destination_for(None, shipped_model_path()) == own_model_path()
    assert destination_for(None, tmp_path / "ruby.yaml") == own_model_path()


@pytest.mark.parametrize("make, complaint", [
    (lambda tmp: shipped_model_path(), "is the shipped model, which is never overwritten"),
    (lambda tmp: tmp / "model.yaml", "models are saved as .npz"),
    (lambda tmp: (tmp / "folder.npz").mkdir() or tmp / "folder.npz", "is a directory"),
    (lambda tmp: written(tmp / "data.npz", "label,1x1\n1,0\n"), "will not overwrite"),
])
def test_destinations_that_must_not_be_written_are_refused(make, complaint, tmp_path):
    path = make(tmp_path)
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(MyonnError, match=complaint):
        check_destination(path)
    assert (path.read_bytes() if path.is_file() else None) == before


def test_a_model_from_a_newer_myonn_is_not_overwritten(tmp_path):
    path = save_model(small_model(), tmp_path / "new.npz")
    with np.load(path) as archive:
        arrays = dict(archive)
    np.savez(path, **{**arrays, "format_version": np.array(99)})
    with pytest.raises(MyonnError, match="will not overwrite .*newer"):
        check_destination(path)


def test_a_read_only_model_is_refused_before_any_work_and_never_replaced(tmp_path):
    """A model made read-only (chmod 444) was replaced all the same: a rename ignores the file's own
    permissions. Checked by the mode bits too, since the tests may run as root, who may write any file."""
    path = save_model(small_model(seed=1), tmp_path / "keep.npz")
    path.chmod(0o444)
    before = path.read_bytes()
    with pytest.raises(MyonnError, match=f"will not overwrite {path}, which is read-only: .*chmod u\\+w {path}"):
        check_destination(path)
    with pytest.raises(MyonnError, match="which is read-only"):   # made read-only after the check
        save_keeping_backup(small_model(seed=2), path)
    assert path.read_bytes() == before and sorted(tmp_path.iterdir()) == [path]   # no backup either
    path.chmod(0o644)
    check_destination(path)                                          # writable again: replaced as ever


def test_a_model_or_a_new_name_may_be_written(tmp_path):
    check_destination(tmp_path / "fresh.npz")
    check_destination(save_model(small_model(), tmp_path / "existing.npz"))


# ---------------------------------------------------------------- backups


def test_saving_over_a_model_first_keeps_it_in_backups(tmp_path):
    path = save_model(small_model(seed=1), tmp_path / "m.npz")
    original = path.read_bytes()
    kept = save_keeping_backup(small_model(seed=2), path)
    assert kept.parent == tmp_path / "backups" and kept.name.startswith("m.") and kept.suffix == ".npz"
    assert kept.read_bytes() == original
    assert not np.array_equal(load_model(path).network.input_weights, load_model(kept).network.input_weights)
    assert save_keeping_backup(small_model(seed=3), tmp_path / "other.npz") is None  # nothing to keep


def test_saves_within_one_second_keep_every_backup(tmp_path):
    path = save_model(small_model(seed=0), tmp_path / "m.npz")
    for seed in range(1, 4):
        save_keeping_backup(small_model(seed=seed), path)
    kept = backups_of(path)
    assert len(kept) == 3 and len({backup.read_bytes() for backup in kept}) == 3


def test_old_backups_go_but_the_most_accurate_one_stays(tmp_path):
    """Runs that learned nothing (Ctrl-C after a second, say) must not push a good model out."""
    path = save_model(small_model(accuracy=0.98), tmp_path / "m.npz")
    for run in range(BACKUPS_KEPT + 3):
        save_keeping_backup(small_model(seed=run, accuracy=0.10), path)
    kept = backups_of(path)
    assert len(kept) == BACKUPS_KEPT + 1
    assert max(model_store.recorded_accuracy(backup) for backup in kept) == 0.98
    prune_backups(path, keep=2)
    assert sorted(model_store.recorded_accuracy(backup) for backup in backups_of(path)) == [0.1, 0.1, 0.98]


def test_the_backup_that_learned_the_most_of_your_digits_stays_though_old_and_less_accurate(tmp_path):
    """A retrain replaces a taught model and names its backup; teaching sessions after it must not
    prune that backup away, though each makes a newer one that scores better on MNIST."""
    def taught(seed, accuracy, digits):
        return Model(NeuralNetwork(784, 5, 10, seed=seed), info={"test_accuracy": accuracy, "taught_digits": digits})

    path = save_model(taught(0, 0.97, 12), tmp_path / "m.npz")
    named = save_keeping_backup(taught(1, 0.98, 0), path)         # the retrain, without --my-digits
    for session in range(BACKUPS_KEPT + 2):                         # then sessions teaching 1, 2, ... digits
        save_keeping_backup(taught(2 + session, 0.99, session + 1), path)
    kept = backups_of(path)
    assert named in kept and len(kept) == BACKUPS_KEPT + 2          # and the newest, and the most accurate
    save_keeping_backup(taught(20, 0.99, 30), path)                 # a model that learned more of them since
    save_keeping_backup(taught(21, 0.99, 30), path)
    assert named not in backups_of(path)


def test_a_model_named_like_a_pattern_keeps_to_its_own_backups(tmp_path):
    """A model called "*.npz" once pruned another model's backups: its name was used as a pattern."""
    path = save_model(small_model(accuracy=0.98), tmp_path / "m.npz")
    for run in range(BACKUPS_KEPT):
        save_keeping_backup(small_model(seed=run, accuracy=0.5), path)
    before = sorted(backup.name for backup in backups_of(path))
    star = save_model(small_model(seed=1), tmp_path / "*.npz")
    for run in range(BACKUPS_KEPT + 2):
        save_keeping_backup(small_model(seed=run), star)
    assert sorted(backup.name for backup in backups_of(path)) == before
    assert all(backup.name.startswith("*.") for backup in backups_of(star)) and len(backups_of(star)) <= BACKUPS_KEPT + 1


def test_a_model_whose_name_begins_like_another_keeps_to_its_own_backups(tmp_path):
    """"mnist.baseline-deskew.npz"'s backups once counted as "mnist.npz"'s, and pruned them all."""
    longer = save_model(small_model(accuracy=0.5), tmp_path / "mnist.baseline-deskew.npz")
    for run in range(BACKUPS_KEPT + 1):
        save_keeping_backup(small_model(seed=run, accuracy=0.5), longer)
    path = save_model(small_model(accuracy=0.9), tmp_path / "mnist.npz")
    kept = save_keeping_backup(small_model(seed=9), path)
    assert backups_of(path) == [kept] and kept.exists()
    assert len(backups_of(longer)) <= BACKUPS_KEPT + 1   # the newest, and the most accurate


def test_the_backup_just_made_is_never_pruned_though_its_name_sorts_first(tmp_path):
    """Names carry local time: after a change of time zone the newest backup can look the oldest."""
    path = save_model(small_model(accuracy=0.5), tmp_path / "m.npz")
    (tmp_path / "backups").mkdir()
    for hour in range(BACKUPS_KEPT + 1):   # made "later", in the time zone the machine was in before
        save_model(small_model(accuracy=0.9), tmp_path / "backups" / f"m.29991231-{hour:02}0000.npz")
    kept = save_keeping_backup(small_model(seed=1), path)
    assert kept.exists() and kept in backups_of(path)


def test_after_the_clock_goes_back_no_save_deletes_the_backup_the_save_before_it_made(tmp_path, monkeypatch):
    """Flown from UTC+14 to UTC-12, the names went back a day: each save then deleted the backup the
    save just before it had made, and kept the old ones named "later"."""
    clock = iter([f"20261201-1247{second:02}" for second in range(0, 12, 2)]     # at UTC+14
                 + [f"20261130-1048{second:02}" for second in range(0, 15, 3)]   # then at UTC-12
                 + ["20261202-090000"])                                         # and a day later
    monkeypatch.setattr(model_store.time, "strftime", lambda form: next(clock))
    path = save_model(small_model(seed=0, accuracy=0.5), tmp_path / "m.npz")
    for seed in range(1, 7):
        save_keeping_backup(small_model(seed=seed, accuracy=0.5), path)
    made_since = []
    for seed in range(7, 12):
        made_since.append(save_keeping_backup(small_model(seed=seed, accuracy=0.5), path))
        assert all(backup.exists() for backup in made_since)   # every model replaced since is kept
    save_keeping_backup(small_model(seed=12, accuracy=0.5), path)   # the clock past the newest name again:
    assert len(backups_of(path)) == BACKUPS_KEPT + 1               # pruned as ever (the most accurate stays)


def test_a_backup_named_years_ahead_holds_pruning_back_only_so_far(tmp_path, monkeypatch):
    """A clock once set to 2038 left a backup named so: it held every later save's pruning, for years."""
    from myonn.model_store import HELD_WHILE_CLOCK_BACK

    clock = iter(["20380101-120000"] + [f"20261130-10{minute:02}00" for minute in range(60)])
    monkeypatch.setattr(model_store.time, "strftime", lambda form: next(clock))
    path = save_model(small_model(seed=0, accuracy=0.5), tmp_path / "m.npz")
    for seed in range(1, 2 + BACKUPS_KEPT * HELD_WHILE_CLOCK_BACK + 5):
        save_keeping_backup(small_model(seed=seed, accuracy=0.5), path)
        assert len(backups_of(path)) <= BACKUPS_KEPT * HELD_WHILE_CLOCK_BACK + 1


def test_odd_things_named_like_backups_are_neither_counted_nor_an_error(tmp_path):
    path = save_model(small_model(accuracy=0.5), tmp_path / "m.npz")
    backups = tmp_path / "backups"
    backups.mkdir()
    for number in range(BACKUPS_KEPT + 2):
        (backups / f"m.2020010{number}-120000.npz").mkdir()      # folders, not backups
    written(backups / "m.20200101-120000-².npz", "")            # not a digit that _back_up writes
    kept = save_keeping_backup(small_model(seed=1), path)
    assert backups_of(path) == [kept] and len(list(backups.iterdir())) == BACKUPS_KEPT + 4


def test_a_damaged_backup_is_pruned_as_one_that_records_nothing_after_the_save(tmp_path):
    """A backup whose zip index zipfile chokes on (a name marked UTF-8 that is not) gave a traceback
    after the model was saved, and the lines saying where everything went were never printed."""
    path = save_model(small_model(accuracy=0.5), tmp_path / "m.npz")
    backups = tmp_path / "backups"
    backups.mkdir()
    damaged = bytearray(path.read_bytes())
    entry = damaged.find(b"PK\x01\x02")
    damaged[entry + 9] |= 0x08                                  # flags bit 11: the name is UTF-8...
    damaged[entry + 46] = 0xFF                                  # ...and it is not
    (backups / "m.20200101-000000.npz").write_bytes(damaged)
    for number in range(1, BACKUPS_KEPT + 1):
        save_model(small_model(seed=number, accuracy=0.5), backups / f"m.2020010{number}-120000.npz")
    kept = save_keeping_backup(small_model(seed=9), path)
    assert kept in backups_of(path) and not (backups / "m.20200101-000000.npz").exists()


def test_a_backups_folder_that_cannot_be_used_is_refused_before_any_work(tmp_path):
    path = save_model(small_model(), tmp_path / "m.npz")
    written(tmp_path / "backups", "a file where the folder should be")
    with pytest.raises(MyonnError, match=f"cannot keep a backup of {path} in {tmp_path / 'backups'}"):
        check_destination(path)
    check_destination(tmp_path / "new.npz")   # nothing to back up there: no matter


def test_a_folder_that_cannot_be_written_is_said_as_the_model_s_not_as_a_backup_s(own_models_apart, monkeypatch):
    """In a read-only checkout, a first training said "cannot keep a backup of data/my_mnist_nn.npz",
    a model that was not there. (As root, which may write anywhere, the folder is refused by hand.)"""
    made = tempfile.TemporaryFile

    def refused_in_own_folder(*arguments, dir=None, **named):
        if dir is not None and Path(dir) == own_models_apart.resolve():
            raise PermissionError(errno.EACCES, "Permission denied")
        return made(*arguments, dir=dir, **named)

    monkeypatch.setattr(tempfile, "TemporaryFile", refused_in_own_folder)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refused_in_own_folder)
    with pytest.raises(MyonnError) as refused:
        check_destination(own_model_path())
    assert str(refused.value) == (f"cannot save a model as {own_model_path()}: {own_models_apart} cannot be written "
                                  "(Permission denied) (MYONN_MODEL_DIR puts your own model elsewhere)")


def test_the_command_to_go_back_can_be_pasted_into_a_shell():
    assert model_store.restore_command("backups/m.1.npz", "m.npz") == "cp backups/m.1.npz m.npz"
    assert model_store.restore_command("/My Models/backups/m.1.npz", "/My Models/m.npz") == \
        "cp '/My Models/backups/m.1.npz' '/My Models/m.npz'"
    assert model_store.restore_command("backups/-y.1.npz", "-y.npz") == "cp backups/-y.1.npz ./-y.npz"


def test_the_command_to_adopt_a_model_never_replaces_one_made_since_unasked(tmp_path):
    # Offered while you have no model of your own, the line stays in the terminal: pasted after the drawing
    # window's digit keys had made one (no backup of it is kept), a plain cp replaced the taught model.
    kept, own = written(tmp_path / "kept.npz", "kept apart"), tmp_path / "my model.npz"
    command = model_store.adopt_command(kept, own)
    assert command == f"cp -i {kept} '{own}'"
    subprocess.run(command, shell=True, check=True, stdin=subprocess.DEVNULL, timeout=30)
    assert own.read_text() == "kept apart"                            # none there: copied
    own.write_text("taught")
    subprocess.run(command, shell=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)   # not answered
    assert own.read_text() == "taught"


@pytest.mark.parametrize("no_links", [errno.EPERM, errno.EOPNOTSUPP])
def test_where_hard_links_cannot_be_made_the_backup_is_a_copy_and_never_replaces_one(tmp_path, monkeypatch, no_links):
    """On a FAT USB stick (EPERM) or a VirtualBox shared folder (EOPNOTSUPP) link(2) fails: the backup
    failed after all the training was done, and the trained network was lost."""
    def link(source, destination, *args, **kwargs):
        raise OSError(no_links, os.strerror(no_links), source, None, destination)

    monkeypatch.setattr(os, "link", link)
    monkeypatch.setattr(model_store.time, "strftime", lambda form: "20261201-120000")  # all in one second
    path = save_model(small_model(seed=1), tmp_path / "m.npz")
    (tmp_path / "backups").mkdir()
    taken = written(tmp_path / "backups" / "m.20261201-120000.npz", "a backup made before")
    # Not a backup, so not counted by the numbering: the name is found taken only when the copy is put there.
    (tmp_path / "backups" / "m.20261201-120000-2.npz").mkdir()
    original = path.read_bytes()
    kept = save_keeping_backup(small_model(seed=2), path)
    assert kept == tmp_path / "backups" / "m.20261201-120000-3.npz" and kept.read_bytes() == original
    assert taken.read_text() == "a backup made before"                        # nothing replaced
    assert np.array_equal(load_model(path).network.input_weights, small_model(seed=2).network.input_weights)
    assert {entry.name for entry in (tmp_path / "backups").iterdir()} == {  # no temporary file left
        "m.20261201-120000.npz", "m.20261201-120000-2.npz", "m.20261201-120000-3.npz"}


def test_a_backup_that_cannot_be_written_stops_the_save_and_loses_nothing(tmp_path):
    path = save_model(small_model(seed=1), tmp_path / "m.npz")
    original = path.read_bytes()
    (tmp_path / "backups").write_text("a file where the backups folder should be")
    with pytest.raises(MyonnError, match="cannot keep a backup"):
        save_keeping_backup(small_model(seed=2), path)
    assert path.read_bytes() == original


# ---------------------------------------------------------------- one saver at a time


def test_a_second_run_cannot_take_the_lock_on_the_same_model(tmp_path):
    path = tmp_path / "m.npz"
    with ModelLock(path):
        with pytest.raises(MyonnError, match=f"{path} is being saved by another run \\(pid {os.getpid()}\\)"):
            with ModelLock(path):
                pass
        with ModelLock(tmp_path / "other.npz"):  # another model is no problem
            pass
    with ModelLock(path):  # free again once the first run is done
        pass
    assert list(tmp_path.iterdir()) == []  # and the lock leaves nothing behind


def test_a_lock_held_with_anything_in_its_file_is_said_in_one_short_line(tmp_path):
    """Bytes that are not UTF-8 in the lock file of a model being saved were a traceback; the file was read whole."""
    path = tmp_path / "m.npz"
    with ModelLock(path):
        (tmp_path / ".m.npz.lock").write_bytes(b"pid \xff" + b"7" * 1_000_000)
        with pytest.raises(MyonnError) as refused:
            with ModelLock(path):
                pass
    assert f"{path} is being saved by another run (pid \ufffd7777" in str(refused.value)
    assert len(str(refused.value)) < len(str(path)) + 150


@pytest.mark.parametrize("no_locks", [errno.ENOLCK, errno.EOPNOTSUPP])
def test_where_the_file_system_has_no_locks_a_run_goes_on_unlocked_and_leaves_nothing(tmp_path, monkeypatch,
                                                                                        no_locks):
    """On NFS without its lock service flock fails: the error escaped as "error: No locks available",
    naming no file, and left the lock file and the folders made for it."""
    import fcntl

    def flock(descriptor, operation):
        raise OSError(no_locks, os.strerror(no_locks))

    monkeypatch.setattr(fcntl, "flock", flock)
    path = tmp_path / "new" / "folders" / "m.npz"
    with ModelLock(path):
        save_keeping_backup(small_model(), path)     # as my_digits' file is written there: unlocked
    assert list(path.parent.iterdir()) == [path]     # the lock file is gone
    with ModelLock(tmp_path / "other" / "m.npz"):    # a run that saves nothing leaves nothing
        pass
    assert not (tmp_path / "other").exists()


def test_a_model_named_through_a_link_is_saved_to_the_file_itself_under_its_lock(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    target = models / "m.npz"
    save_model(Model(NeuralNetwork(784, 5, 10, seed=0), info={"test_accuracy": 0.5}), target)
    (tmp_path / "link.npz").symlink_to(target)
    (tmp_path / "linked-folder").symlink_to(models, target_is_directory=True)
    for name in (tmp_path / "link.npz", tmp_path / "linked-folder" / "m.npz"):
        destination = model_store.destination_for(name)
        assert destination == target
        with ModelLock(target):                    # another run saving to the file itself
            with pytest.raises(MyonnError, match="is being saved by another run"):
                with ModelLock(destination):
                    pass
    assert model_store.destination_for(tmp_path / "plain.npz") == tmp_path / "plain.npz"
    assert model_store.destination_for("relative.npz") == Path("relative.npz")   # as typed when no link is on the way
    model_store.save_keeping_backup(Model(NeuralNetwork(784, 5, 10, seed=1), info={"test_accuracy": 0.6}),
                                    model_store.destination_for(tmp_path / "link.npz"))
    assert (tmp_path / "link.npz").is_symlink() and load_model(tmp_path / "link.npz").info["test_accuracy"] == 0.6
    assert [load_model(backup).info["test_accuracy"] for backup in backups_of(target)] == [0.5]


def test_a_destination_that_ends_with_a_space_is_quoted_so_that_it_can_be_seen(tmp_path, monkeypatch):
    """mnist_train.py --model ' ' was "error:  : models are saved as .npz", no name to be seen."""
    monkeypatch.chdir(tmp_path)
    for name in (" ", "m.npz "):
        with pytest.raises(MyonnError) as refused:
            check_destination(Path(name))
        assert str(refused.value) == f"{name!r}: models are saved as .npz; choose a name ending in .npz"


def test_a_loop_of_links_is_refused_as_a_destination_in_one_line(tmp_path):
    (tmp_path / "one.npz").symlink_to(tmp_path / "two.npz")
    (tmp_path / "two.npz").symlink_to(tmp_path / "one.npz")
    assert not model_store.is_shipped(tmp_path / "one.npz")   # resolve() raised RuntimeError: a traceback
    with pytest.raises(MyonnError) as refused:
        check_destination(model_store.destination_for(tmp_path / "one.npz"))
    assert str(refused.value) == (f"cannot save a model as {tmp_path / 'one.npz'}: {tmp_path / 'one.npz'} is a link "
                                  "that leads round in a circle of links, to no file")
    assert (tmp_path / "one.npz").is_symlink()                 # not replaced by a file


def test_a_model_in_a_folder_that_is_links_in_a_circle_is_named_as_given_with_the_link_at_fault(tmp_path,
                                                                                                monkeypatch):
    """--model M/m.npz, M one of two links leading to each other: the line named the other link,
    /…/L/m.npz, where os.path.realpath stopped, and said "Too many levels of symbolic links (a loop of
    links)"."""
    (tmp_path / "M").symlink_to(tmp_path / "L")
    (tmp_path / "L").symlink_to(tmp_path / "M")
    monkeypatch.chdir(tmp_path)
    circle = "M is a link that leads round in a circle of links"
    for given, after_it in ((Path("M/m.npz"), "to no folder"),
                            (Path("M/a/m.npz"), "to no folder"),   # the link named, however deep below it
                            (Path("M"), "to no file"),
                            (tmp_path / "M" / "m.npz", "to no folder")):
        if given.is_absolute():
            circle = f"{tmp_path / 'M'} is a link that leads round in a circle of links"
        assert model_store.destination_for(given) == given
        with pytest.raises(MyonnError) as refused:
            check_destination(model_store.destination_for(given))
        assert str(refused.value) == f"cannot save a model as {given}: {circle}, {after_it}"
        with pytest.raises(MyonnError) as unread:
            load_model(given)
        assert str(unread.value) == f"{given}: cannot read ({circle}, {after_it})"
    with pytest.raises(MyonnError) as refused:   # the drawing window's digit keys take the lock first
        with ModelLock(Path("M/m.npz")):
            pass
    assert str(refused.value) == "cannot save a model as M/m.npz: M is a link that leads round in a circle of links, " \
                                 "to no folder"


def test_a_link_at_the_locks_name_is_refused_and_what_it_points_to_left_alone(tmp_path):
    precious = written(tmp_path / "precious.npz", "a model someone cares about")
    (tmp_path / ".m.npz.lock").symlink_to(precious)
    with pytest.raises(MyonnError, match=f"cannot save a model as {tmp_path / 'm.npz'}"):
        with ModelLock(tmp_path / "m.npz"):
            pass
    assert precious.read_text() == "a model someone cares about"


def test_a_lock_file_that_cannot_be_removed_is_left_and_the_lock_still_released(tmp_path, monkeypatch):
    import errno
    import pathlib

    real_unlink = pathlib.Path.unlink

    def read_only_folder(path, missing_ok=False):
        if path.name.endswith(".lock"):
            raise OSError(errno.EACCES, "Permission denied")
        real_unlink(path, missing_ok=missing_ok)
    monkeypatch.setattr(pathlib.Path, "unlink", read_only_folder)
    path = tmp_path / "m.npz"
    with ModelLock(path):
        pass                                 # no error on the way out
    with ModelLock(path):                    # and free again
        pass


def test_a_full_disk_when_the_lock_is_taken_is_one_line_naming_the_model(tmp_path, monkeypatch):
    import errno

    def OnAFullDisk(descriptor, data):
        """Every write fails, as on a full disk (the lock itself is the real one)."""
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(model_store.os, "write", OnAFullDisk)
    path = tmp_path / "m.npz"
    with pytest.raises(MyonnError, match=f"cannot save a model as {path}: No space left on device"):
        with ModelLock(path):
            pass
    assert list(tmp_path.iterdir()) == []  # no lock left behind


def a_hard_link_to_another_file(lock):
    (lock.parent / "victim").write_text("hello")
    os.link(lock.parent / "victim", lock)


@pytest.mark.parametrize("put_in_the_way", [
    lambda lock: lock.mkdir(), lambda lock: lock.symlink_to(lock.parent / "nowhere"), lambda lock: os.mkfifo(lock),
    a_hard_link_to_another_file,
], ids=["a folder", "a link", "a fifo", "a hard link"])
def test_something_else_where_the_lock_file_goes_is_named_in_one_line(tmp_path, put_in_the_way):
    path = tmp_path / "m.npz"
    lock = tmp_path / ".m.npz.lock"
    put_in_the_way(lock)
    with pytest.raises(MyonnError) as raised:
        with ModelLock(path):
            pass
    assert str(raised.value) == (f"cannot save a model as {path}: {lock}, where its lock file goes, is not a file "
                                 "this myonn made (a folder, a link, a hard link or a device): remove it")
    if (tmp_path / "victim").exists():
        assert (tmp_path / "victim").read_text() == "hello"          # the other file was not written


def test_a_lock_file_that_cannot_be_written_at_all_is_one_line_too(tmp_path):
    """On a real full disk the failed write failed again when the lock file was closed, as a bare
    OSError that closed the drawing window. A limit on the size of files this process writes
    (RLIMIT_FSIZE) stands in for the full disk."""
    import subprocess
    import sys

    path = tmp_path / "new folder" / "m.npz"     # made for the lock: not left behind empty either
    program = ("import resource, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
               "resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))\n"
               f"from myonn.model_store import ModelLock\nwith ModelLock({str(path)!r}):\n    pass\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30)
    assert f"MyonnError: cannot save a model as {path}: File too large" in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("make", [
    lambda tmp: written(tmp / "file", "") / "m.npz",  # a folder that is a file
    lambda tmp: tmp / ("x" * 300 + ".npz"),  # a name longer than the system allows
])
def test_a_place_that_cannot_be_written_is_found_before_any_work(make, tmp_path):
    with pytest.raises(MyonnError, match="cannot save a model as") as refused:
        with ModelLock(make(tmp_path)):
            pass
    if (tmp_path / "file").exists():   # said as it is, not as "File exists"
        assert str(refused.value).endswith(f"{tmp_path / 'file'} is not a folder")


def test_a_lock_taken_in_new_folders_leaves_none_behind_when_nothing_was_saved(tmp_path):
    (tmp_path / "kept").mkdir()
    with ModelLock(tmp_path / "kept" / "new" / "sub" / "m.npz"):
        assert (tmp_path / "kept" / "new" / "sub").is_dir()           # made, to hold the lock
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["kept"]  # what was there stays
    with ModelLock(tmp_path / "new" / "m.npz"):
        (tmp_path / "new" / "m.npz").write_bytes(b"saved")
    assert (tmp_path / "new" / "m.npz").read_bytes() == b"saved"


def test_a_stopped_run_that_cannot_be_kept_says_so_in_one_line_and_leaves_no_empty_folder(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    save_model(Model(NeuralNetwork(784, 5, 10, seed=0)), path)
    before = path.read_bytes()

    def disk_full(model, file):
        raise MyonnError(f"cannot write model {file}: File too large")

    monkeypatch.setattr(model_store, "save_model", disk_full)
    with pytest.raises(MyonnError) as refused:
        model_store.keep_stopped_run(Model(NeuralNetwork(784, 5, 10, seed=1)), path)
    assert str(refused.value) == (f"cannot keep what was learned in {tmp_path / 'backups'}: File too large; "
                                  f"{path} is as it was")
    assert path.read_bytes() == before and not (tmp_path / "backups").exists()


def test_a_model_kept_in_backups_is_never_changed_in_place_continued_or_taught_it_saves_to_your_own(tmp_path):
    backup = tmp_path / "backups" / "my_mnist_nn.stopped.20261130-104353.npz"
    assert model_store.is_backup(backup) and not model_store.is_backup(tmp_path / "m.npz")
    assert model_store.destination_for(None, continued=backup) == model_store.own_model_path()
    assert model_store.destination_for(backup) == backup                    # unless named as where to save
    assert model_store.whose(model_store.own_model_path()) == "your own model"
    assert model_store.whose(shipped_model_path()) == "the shipped model" and model_store.whose(backup) == ""


def test_an_accuracy_no_model_can_have_counts_as_none_recorded():
    for nonsense in (float("nan"), 5.0, -0.1, True, "0.98", None):
        assert model_store.accuracy_in({"test_accuracy": nonsense}) == -1.0
    assert model_store.accuracy_in({"test_accuracy": 0.9854}) == 0.9854 and model_store.accuracy_in({}) == -1.0


def test_a_path_to_paste_is_one_word_that_no_option_parser_takes_for_a_flag():
    assert model_store.shell_word("-mdir/backups/m.npz") == "./-mdir/backups/m.npz"
    assert model_store.shell_word("my models/m.npz") == "'my models/m.npz'"


def test_a_model_named_as_another_models_stopped_runs_is_refused(tmp_path):
    """Saved, its backups went by the same name as the stopped runs of m.npz, and pruning one deleted the other."""
    with pytest.raises(MyonnError) as raised:
        check_destination(tmp_path / "m.stopped.npz")
    assert str(raised.value) == (f"{tmp_path / 'm.stopped.npz'}: a name ending in .stopped.npz is kept for the "
                                 "stopped runs of m.npz among backups; choose another")
    check_destination(tmp_path / "m.stopping.npz")   # only that ending


@pytest.mark.parametrize("link", [os.symlink, os.link], ids=["a symbolic link", "a hard link"])
def test_your_own_model_leading_to_the_shipped_one_is_named_as_such(own_models_apart, link):
    """No --model was given, so "leave out --model" was no help: the own model's name is the link to remove."""
    own = own_models_apart / "my_mnist_nn.npz"
    link(shipped_model_path(), own)
    with pytest.raises(MyonnError) as raised:
        check_destination(destination_for())
    assert str(raised.value) == (f"your own model {own} leads to the shipped model, which is never overwritten: "
                                 f"remove that link (rm {own}), or name another file with --model")


def test_a_model_named_only_stopped_npz_is_refused_in_words_that_fit(tmp_path):
    with pytest.raises(MyonnError) as raised:
        check_destination(tmp_path / ".stopped.npz")
    assert str(raised.value) == (f"{tmp_path / '.stopped.npz'}: a name ending in .stopped.npz is kept for the "
                                 "stopped runs among backups; choose another")


def test_a_ctrl_c_while_a_stopped_run_is_kept_apart_leaves_no_empty_backups_folder(tmp_path, monkeypatch):
    from myonn.model_store import keep_stopped_run

    def interrupted(model, path):                 # as save_model: the folder made, then the Ctrl-C
        pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(path).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(model_store, "save_model", interrupted)
    with pytest.raises(KeyboardInterrupt):
        keep_stopped_run(Model(NeuralNetwork(784, 5, 10, seed=0)), tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_folders_made_for_a_lock_are_removed_even_when_the_innermost_was_never_made(tmp_path, monkeypatch):
    """A disk full part-way down made some of the folders: the first removal failed (not there) and
    stopped the rest."""
    real_mkdir = pathlib.Path.mkdir

    def mkdir_until_full(self, *arguments, **keywords):
        if self.name == "z":
            raise OSError(28, "No space left on device")
        return real_mkdir(self, *arguments, **keywords)

    monkeypatch.setattr(pathlib.Path, "mkdir", lambda self, parents=False, exist_ok=False, mode=0o777: (
        [mkdir_until_full(folder) for folder in reversed([self, *self.parents]) if not folder.exists()]))
    with pytest.raises(MyonnError):
        with ModelLock(tmp_path / "x" / "y" / "z" / "m.npz"):
            pass
    assert list(tmp_path.iterdir()) == []


def test_a_ctrl_c_while_a_backup_is_made_leaves_the_model_and_no_empty_backups_folder(tmp_path, monkeypatch):
    path = save_model(Model(NeuralNetwork(784, 5, 10, seed=0)), tmp_path / "m.npz")
    before = path.read_bytes()

    def interrupted(*arguments):
        raise KeyboardInterrupt

    monkeypatch.setattr(model_store.shutil, "copyfileobj", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_keeping_backup(Model(NeuralNetwork(784, 5, 10, seed=1)), path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]
