"""Where models live: the shipped one, the user's own, and the backups that keep a good model safe.

    data/mnist_nn.npz        the shipped model, the project's showcase. Nothing a user does writes it.
    data/my_mnist_nn.npz     your own model: what mnist_train.py saves (and what teaching changes).
    data/backups/            every model a save replaced, as <name>.<date>-<time>.npz, and what a stopped
                             run learned when it read worse than the model in use, as
                             <name>.stopped.<date>-<time>.npz; the newest BACKUPS_KEPT of each name are
                             kept, and always the most accurate one and the one that learned the most of
                             your digits.

Every script uses the model --model names, else your own model when there is one, else the shipped
one, and says which (one line on standard error). $MYONN_MODEL_DIR moves your own model (and its backups) out
of data/; the shipped model stays where it ships.

Two runs saving to one file at once would each think they kept the other's model, so a save holds
a lock beside its file (ModelLock) for the whole run, taken before any work is done.
"""

import errno
import os
import re
import shlex
import shutil
import stat
import tempfile
import time
from pathlib import Path

from myonn.errors import CONTROL_CHARACTERS, MyonnError, is_not_utf8, printable, shortened
from myonn.mnist import project_data_dir, shared_file_mode
from myonn.model import load_model, save_model, shipped_model_path
from myonn.paths import cannot_write_in, folder_from_environment, for_tempfile, in_a_circle

OWN_MODEL_NAME = "my_mnist_nn.npz"
BACKUP_FOLDER = "backups"
BACKUPS_KEPT = 5
HELD_WHILE_CLOCK_BACK = 4  # while the clock reads earlier than a backup's name, up to 4 × BACKUPS_KEPT are kept
# A stopped run that reads worse than the model in use is kept as a backup of "<stem>.stopped.npz".
STOPPED = ".stopped"


def own_model_path():
    """Where your own model lives: $MYONN_MODEL_DIR/my_mnist_nn.npz (a leading ~ expanded), else
    data/my_mnist_nn.npz."""
    return (folder_from_environment("MYONN_MODEL_DIR") or project_data_dir()) / OWN_MODEL_NAME


def as_set_now():
    """" (with MYONN_MODEL_DIR set as now)" when your own model's folder comes from MYONN_MODEL_DIR, else "":
    for a line saying the windows now use your own model, which is true only where it is set so (a README
    command that sets it for one run said so of a model no window would open)."""
    return " (with MYONN_MODEL_DIR set as now)" if folder_from_environment("MYONN_MODEL_DIR") else ""


def is_shipped(path):
    """Whether `path` names the shipped model file (by any spelling: relative, linked, ...)."""
    shipped = shipped_model_path()
    try:
        return Path(path).resolve() == shipped.resolve() or (
            Path(path).exists() and shipped.exists() and os.path.samefile(path, shipped))
    # A name too long, a loop of links (RuntimeError from resolve() before Python 3.13): whatever it is,
    # it is not the shipped file.
    except (OSError, RuntimeError):
        return False


def chosen_model_path(given=None):
    """The model a script uses, and a few words on whose it is.

    given: the --model flag (None when left out). Returns (path, whose), whose being "your own
    model" or "the shipped model" (whichever way it was chosen), else "" for another file.
    """
    if given is not None:
        return Path(given), whose(given)
    own = own_model_path()
    if _is_file(own):
        return own, "your own model"
    return shipped_model_path(), "the shipped model"


def load_chosen_model(given=None, optional=False):
    """Load the model a script uses (see chosen_model_path).

    Returns (model, about): about is one line saying which model it is, for the script to print on
    stderr once everything else has been checked (so an error stays a single line).
    optional: return (None, None), instead of failing, when no model was named and none exists.
    """
    path, owner = chosen_model_path(given)
    if optional and given is None and not _is_file(path):
        return None, None
    try:
        model = load_model(path)
    except MyonnError as error:
        if given is None and owner == "your own model":  # found, not named: say whose it is, and the way out
            raise MyonnError(unreadable_own_model(path, error)) from None
        raise
    accuracy = model.info.get("test_accuracy")
    scored = f"{100 * accuracy:.2f}% on MNIST" if isinstance(accuracy, float) and 0 <= accuracy <= 1 else ""
    taught = taught_digits(model.info)
    if scored and taught:  # the accuracy was measured before the teaching, not after
        scored += f" before it was taught {taught} of your digits"
    about = ", ".join(part for part in (owner, scored) if part) or "named by --model"
    if owner == "your own model" and scored:
        about += _better_shipped(accuracy)
    return model, printable(f"model: {as_typed(path)} ({about})")


def unreadable_own_model(path, error, saving=False):
    """The one line for your own model at `path`, found rather than named by --model, that load_model
    cannot read (its `error`): that it is your own model, and the way out.

    A damaged own model (an interrupted `cp` of a backup over it, say) stopped every script with a
    line naming the file and the damage, and nothing on what to do: its newest readable backup and
    the command that puts it back, or else the shipped model. saving: the line of a run that would
    save over it, which it refuses (it may be a model a newer myonn wrote: docs/reliability.md, "When
    something goes wrong").
    """
    reason = str(error).removeprefix(f"{shortened(path)}: ")
    # A link to the model elsewhere: its backups, and the file to put one back over, are where it leads
    # (as a save's are), not beside the link, where none was found. What is moved aside is the link itself:
    # moving the file it leads to left it leading nowhere, and the next training wrote through it.
    found_as = Path(path)
    path = _through_links(found_as)
    typed = as_typed(path)
    problem = f"your own model {typed} cannot be read ({reason})" + (", so it is not overwritten" if saving else "")
    backup = newest_readable_backup(path)
    if backup is not None:
        way_out = f": put back its newest readable backup with {restore_command(as_typed(backup), typed)}"
    else:
        # Moved aside, not deleted: it may hold something after all (a model a newer myonn wrote). With
        # no own model, the scripts use the shipped one, and training saves a new one there.
        aside = as_typed(found_as.with_name(f"{found_as.stem}.unreadable{found_as.suffix}"))
        way_out = (f"; it has no readable backup: move it aside with mv {shell_word(as_typed(found_as))} "
                   f"{shell_word(aside)}")
    # Saving, the other way round it is another file; opening, the shipped model.
    other = ("save to another file with --model FILE" if saving else
             f"use the shipped model: --model {shell_word(as_typed(shipped_model_path()))}")
    return f"{problem}{way_out}, or {other}"


def refuse_unreadable_own_model(path):
    """Raise MyonnError (unreadable_own_model's line) when `path` is your own model and holds a file
    load_model cannot read: for a run about to save there (check_destination would refuse it too,
    with a line that does not say it is your own model, nor what to do)."""
    if not (_is_file(path) and _same_place(path, own_model_path())):
        return
    try:
        load_model(path)
    except MyonnError as error:
        raise MyonnError(unreadable_own_model(Path(path), error, saving=True)) from None


def newest_readable_backup(path):
    """The newest of the backups of the model at `path` that load_model reads, or None."""
    for backup in reversed(backups_of(path)):
        try:
            load_model(backup)
            return backup
        except MyonnError:
            continue
    return None


# Your own model is used from the moment you have one, even one a Ctrl-C saved after a few batches
# (10% on MNIST): a window then misreads every digit, and the line saying which model it is used is easy
# to miss. So when the shipped model scores more than this much better, the line says how to use it.
# (Teaching costs MNIST a few tenths of a point: no reason to point away from a taught model.)
WEAKER_THAN_SHIPPED_BY = 0.01


def _better_shipped(accuracy):
    """'; the shipped model scores 98.54%: --model data/mnist_nn.npz' when it beats your own
    model's `accuracy` by more than WEAKER_THAN_SHIPPED_BY, else ''."""
    shipped = shipped_model_path()
    shipped_accuracy = recorded_accuracy(shipped) if _is_file(shipped) else -1.0
    if not weaker_by_more_than(accuracy, shipped_accuracy):
        return ""
    return f"; the shipped model scores {100 * shipped_accuracy:.2f}%: --model {shell_word(as_typed(shipped))}"


def as_typed(path):
    """`path` as a person would type it here: relative to the current folder when it lies inside it."""
    try:
        return Path(path).relative_to(Path.cwd())
    except ValueError:
        return path
    except OSError:  # the current folder was deleted (or cannot be read): nothing is typed from inside it
        return path


def destination_for(given=None, continued=None):
    """Where a run that changes a model saves it: the --model it was given, else the file it continued
    (--resume), else your own model. The shipped model, the Ruby original's YAML files and the models in
    backups/ are never written: continuing one of them saves to your own model instead. A name reached
    through a link (a linked file or folder) is followed to the file itself, as `cp` would: the lock,
    the backups and the save are then that file's, so that a run saving through a link cannot save
    beside another run saving to the file (each held a lock of its own, and the save replaced the link
    with a copy)."""
    if given is not None:
        return _through_links(Path(given))
    if (continued is not None and not is_shipped(continued) and Path(continued).suffix.lower() == ".npz"
            and not is_backup(continued)):
        return _through_links(Path(continued))
    return _through_links(own_model_path())


def is_backup(path):
    """Whether `path` lies in a backups/ folder: a model kept there is kept as it is. Continued or taught,
    it saves to your own model (changed in place, it was pruned as an old backup, and its own backup
    went to backups/backups/)."""
    return _through_links(Path(path)).parent.name == BACKUP_FOLDER


def whose(path):
    """'the shipped model', 'your own model', or '' for another file."""
    if is_shipped(path):
        return "the shipped model"
    return "your own model" if _same_place(path, own_model_path()) else ""


def _through_links(path):
    """`path`, or where it leads when a link on the way leads elsewhere."""
    if in_a_circle(path):  # it leads nowhere: left as typed, for check_destination to say so, naming it
        return path
    try:
        real = Path(os.path.realpath(path))
        return path if real == Path(os.path.abspath(path)) else real
    except (OSError, ValueError):  # a loop of links, a name too long: left as given, for the save to say what is wrong
        return path


def check_destination(path):
    """Refuse, before any work, a destination that saving must not or cannot replace.

    The shipped model; a name not ending in .npz (the one save format); a directory; a read-only file;
    an existing file that is not a model this myonn can read (a CSV, an MNIST file, a model from a
    newer myonn).
    Whether the folder can be written is found out by taking the lock (ModelLock).
    """
    path = Path(path)
    # Saving would replace the first link of the circle with a file.
    if circle := in_a_circle(path, leads_to="file"):
        raise MyonnError(f"cannot save a model as {shortened(path)}: {circle}")
    if is_shipped(path):
        own = own_model_path()
        if is_shipped(own) and os.path.abspath(own) != os.path.abspath(shipped_model_path()):
            # No --model to leave out: your own model's name leads to the shipped model (a link).
            raise MyonnError(f"your own model {own} leads to the shipped model, which is never overwritten: "
                             f"remove that link (rm {shell_word(own)}), or name another file with --model")
        raise MyonnError(f"{shortened(path)} is the shipped model, which is never overwritten: leave out --model to "
                         f"save to your own model ({own_model_path()}), or name another file")
    if path.suffix.lower() != ".npz":
        raise MyonnError(f"{shortened(path)}: models are saved as .npz; choose a name ending in .npz")
    if path.stem.endswith(STOPPED):
        # Its backups would go by the name of another model's stopped runs, and be pruned with them.
        of = f" of {path.stem.removesuffix(STOPPED)}.npz" if path.stem != STOPPED else ""
        raise MyonnError(f"{shortened(path)}: a name ending in {STOPPED}.npz is kept for the stopped runs{of} among "
                         "backups; choose another")
    try:
        exists, is_directory = path.exists(), path.is_dir()
    except OSError as error:
        raise MyonnError(f"cannot save a model as {shortened(path)}: {error.strerror or error}") from None
    if is_directory:
        raise MyonnError(f"{shortened(path)} is a directory; name a model file (ending in .npz)")
    refuse_if_read_only(path)
    if exists:
        try:
            load_model(path)
        except MyonnError as error:
            raise MyonnError(f"will not overwrite {shortened(path)}, which is not a model this myonn can read "
                             f"({str(error).removeprefix(f'{shortened(path)}: ')}); choose another --model") from None
    # The model's own folder first: in a read-only checkout, a first training was refused as "cannot keep
    # a backup of data/my_mnist_nn.npz", a model that was not there. Your own model can go elsewhere.
    if path.parent.is_dir() and (error := cannot_write_in(path.parent)):
        raise MyonnError(folder_cannot_be_written(path, error))
    # Saving over it first keeps it in backups/, and so does a stopped run that reads worse than the
    # model in use (keep_stopped_run), the shipped one while you have none of your own: found out now
    # whether that can be, not after training. (A folder not made yet is made by ModelLock.)
    shipped_in_use = _same_place(path, own_model_path()) and _is_file(shipped_model_path()) and path.parent.is_dir()
    if exists or shipped_in_use:
        folder = path.parent / BACKUP_FOLDER
        try:
            made_now = not folder.is_dir()
            folder.mkdir(exist_ok=True)
            if error := cannot_write_in(folder):
                raise error
        except OSError as error:
            problem = "there is a file of that name, not a folder" if folder.exists() and not folder.is_dir() else (
                error.strerror or error)
            raise MyonnError(f"cannot keep a backup of {shortened(path)} in {shortened(folder)}: {problem}") from None
        _remove_if_empty(folder, made_now)  # a run that then saves nothing leaves nothing behind


def folder_cannot_be_written(path, error):
    """The line for a model at `path` whose folder cannot be written, `error` (an OSError) saying why;
    for your own model, with the way out. One wording for check_destination and ModelLock: the drawing
    window takes the lock first, and in a read-only checkout its digit keys said only "cannot save a
    model as data/my_mnist_nn.npz: Permission denied", where training said this."""
    elsewhere = " (MYONN_MODEL_DIR puts your own model elsewhere)" if _same_place(path, own_model_path()) else ""
    return (f"cannot save a model as {shortened(path)}: {shortened(path.parent)} cannot be written "
            f"({error.strerror or error}){elsewhere}")


def refuse_if_read_only(path):
    """MyonnError if there is a model at `path` that its owner made read-only (chmod 444), or that this
    user may not write: a save renames a new file over it, which its own permissions do not stop, so
    it is refused here as cp refuses it. By the permission bits as well as os.access, which says root
    may write any file."""
    try:
        read_only = not os.stat(path).st_mode & 0o222 or not os.access(path, os.W_OK)
    except OSError:  # none there: nothing to replace
        return
    if read_only:
        raise MyonnError(f"will not overwrite {shortened(path)}, which is read-only: to let a run replace it, make it "
                         f"writable (chmod u+w {shell_word(path)}); or choose another --model")


def save_keeping_backup(model, path, backup=True):
    """Save `model` to `path` atomically; first copy the model it replaces into backups/ beside it.

    Returns the backup's path, or None when there was nothing to keep (or backup=False, for the
    second and later saves of one session that already kept the original).
    """
    path = Path(path)
    refuse_if_read_only(path)  # made read-only since check_destination (while the drawing window was open)
    kept = _back_up(path) if backup and _is_file(path) else None
    save_model(model, path)
    if kept is not None:
        prune_backups(path, spare=kept)
    return kept


def keep_stopped_run(model, path):
    """Save `model`, a stopped run that reads worse than the model in use, in backups/ beside `path`,
    leaving `path` as it is: as backups/<stem>.stopped.<date>-<time>.npz, apart from the models that
    saves replaced, so that a few stopped demos cannot push those out of the newest BACKUPS_KEPT (the
    stopped runs are pruned among themselves). Returns the file's path."""
    path = Path(path)
    folder = path.parent / BACKUP_FOLDER
    stopped = _stopped_name(path)   # the name its backups go by
    scratch = folder / f".{path.stem}.{os.getpid()}.saving{path.suffix}"
    made_now = not folder.is_dir()
    try:
        save_model(model, scratch)
        kept = _back_up(stopped, source=scratch)
    except BaseException as error:  # a Ctrl-C or kill too
        try:
            scratch.unlink(missing_ok=True)
        except OSError:
            pass
        _remove_if_empty(folder, made_now)  # nothing kept: leave no empty folder behind
        if not isinstance(error, MyonnError):
            raise
        reason = str(error).rsplit(": ", 1)[-1]
        raise MyonnError(f"cannot keep what was learned in {shortened(folder)}: {reason}; {shortened(path)} is "
                         f"as it was") from None
    finally:
        try:
            scratch.unlink(missing_ok=True)
        except OSError:
            pass
    prune_backups(stopped, spare=kept)
    return kept


def model_in_use_instead(path):
    """(path, accuracy) of the model the scripts use now where a run would save to `path`: the model at
    `path`, or, for your own model while you have none, the shipped one; (None, -1) when there is none."""
    if _is_file(path):
        return Path(path), recorded_accuracy(path)
    shipped = shipped_model_path()
    if _same_place(path, own_model_path()) and _is_file(shipped):
        return shipped, recorded_accuracy(shipped)
    return None, -1.0


def weaker_by_more_than(accuracy, other, margin=WEAKER_THAN_SHIPPED_BY):
    """Whether `accuracy` is more than `margin` below `other` (both 0..1), compared as shown, in
    hundredths of a point (one point below is not "more than a point")."""
    if not (0 <= accuracy <= 1 and 0 <= other <= 1):  # none recorded, or nonsense (NaN fails too)
        return False
    return round(10_000 * other) - round(10_000 * accuracy) > round(10_000 * margin)


def _same_place(path, other):
    """Whether two names lead to one file: by any spelling, a link, or a hard link (as is_shipped)."""
    try:
        return Path(path).resolve() == Path(other).resolve() or (
            Path(path).exists() and Path(other).exists() and os.path.samefile(path, other))
    except (OSError, RuntimeError):  # a loop of links, see is_shipped
        return False


def shell_word(path):
    """`path` as one word of a command for the user to paste: quoted (a space in a folder's name) and
    kept from reading as an option (a name like "-y.npz", or a folder "-models"). A name holding a
    control character is written as bash writes it, $'...' with the character as \\xHH: printed as it
    is, the terminal would obey it, and pasted, errors.printable's escape would name another file."""
    text = str(path)
    text = text if not text.startswith("-") else f"./{text}"
    if any(map(_written_as_bytes, text)):
        return "$'" + "".join(map(_in_bash_quotes, text)) + "'"
    return shlex.quote(text)


def _written_as_bytes(character):
    """Whether a character of a name goes into $'...' as its bytes: a control character, or a byte of a
    name that is not UTF-8 (Python keeps it as a surrogate, which no terminal or shell reads back)."""
    return character in CONTROL_CHARACTERS or is_not_utf8(character)


def _in_bash_quotes(character):
    """One character as bash reads it inside $'...': \\xHH for each byte of it in the file's name, in
    any locale (bash's \\u is the locale's; \\x85 alone is not the name's two bytes of U+0085)."""
    if _written_as_bytes(character):
        return "".join(f"\\x{byte:02x}" for byte in character.encode("utf-8", "surrogateescape"))
    return "\\" + character if character in "\\'" else character


def restore_command(backup, path):
    """The shell command that puts `backup` back as the model at `path`, for the user to paste."""
    return f"cp {shell_word(backup)} {shell_word(path)}"


def adopt_command(model, path):
    """The shell command that makes `model` the model at `path`, where there is none yet, for the user to
    paste: cp -i, which asks first should there be one by then. Offered while you have no model of your
    own, the line stays in the terminal; pasted after the drawing window's digit keys (or a training run)
    had made one, a plain cp replaced that model, of which no backup is kept (a backup keeps what a save
    replaced)."""
    return f"cp -i {shell_word(model)} {shell_word(path)}"


def backups_of(path):
    """The backups of the model at `path`, oldest first."""
    return [backup for _, backup in _backups_in_order(path)]


def _backups_in_order(path):
    """[((date, time, n), backup)], oldest first: the files in backups/ named exactly as _back_up names
    them, <stem>.<date>-<time>[-<n>]<suffix> (the n-th made in that second)."""
    path = Path(path)
    folder = path.parent / BACKUP_FOLDER
    # Exactly: a looser pattern took the backups of a model named "mnist.baseline-deskew.npz" for
    # those of "mnist.npz", and pruning one model's deleted the other's.
    name = re.compile(rf"{re.escape(path.stem)}\.(\d{{8}})-(\d{{6}})(?:-(\d{{1,3}}))?{re.escape(path.suffix)}", re.ASCII)
    try:
        found = [((match.group(1), match.group(2), int(match.group(3) or 1)), entry) for entry in folder.iterdir()
                 if (match := name.fullmatch(entry.name)) and _is_file(entry)]
    except OSError:
        return []
    return sorted(found)


def prune_backups(path, keep=BACKUPS_KEPT, spare=None):
    """Delete all but the newest `keep` backups of `path`, always sparing the most accurate one and the
    one that learned the most of your digits in the drawing window. `spare`: the backup just made;
    when it is not the newest by name, nothing is deleted (see below). What cannot be deleted is left."""
    backups = backups_of(path)
    if len(backups) <= keep:
        return
    if spare is not None and backups[-1] != spare and len(backups) <= keep * HELD_WHILE_CLOCK_BACK:
        # "Newest" goes by the local time in the names, and the clock went back (a flight west, a clock
        # set right, the hour repeated in autumn): backups named "later" were made earlier, and those
        # made since then sort among the oldest, so each save deleted the one the save before it made.
        # Which are recent cannot be told from the names, so none is deleted until the clock is past
        # the newest name again: a few more files for a while. A few: a backup named years ahead (a
        # clock once set wrong) would have held every later one for years; past this many, pruning
        # goes by the names again.
        return
    infos = {backup: recorded_info(backup) for backup in backups}
    best = max(backups, key=lambda backup: accuracy_in(infos[backup]))
    # A retrain without --my-digits replaces a taught model with one that scores as well or better on
    # MNIST and knows none of your handwriting; the note it prints names the taught model's backup,
    # and a few teaching sessions later that backup would have been pruned as old and no better.
    most_taught = max(reversed(backups), key=lambda backup: taught_digits(infos[backup]))
    if not taught_digits(infos[most_taught]):
        most_taught = None
    for old in backups[:-keep]:
        if old not in (best, most_taught, spare):
            try:
                old.unlink(missing_ok=True)
            except OSError:  # pruning is tidying up: it never turns a saved model into an error
                pass


def recorded_info(path):
    """What a model file records about itself (Model.info); {} if it is not a readable model.

    Read with load_model, whose every read is bounded: a backups folder is as open to damage as any.
    """
    try:
        return load_model(path).info
    except MyonnError:  # a damaged file records nothing
        return {}


def recorded_accuracy(path):
    """The MNIST test accuracy a model file records; -1 if it records none or is not a readable model."""
    return accuracy_in(recorded_info(path))


def accuracy_in(info):
    """The MNIST test accuracy a model's info records, else -1 (also for one no accuracy can be: NaN,
    or beyond 0..1, which a file edited by hand may hold; a note said a model "scored 500.00%")."""
    accuracy = info.get("test_accuracy", -1.0)
    if not isinstance(accuracy, (int, float)) or isinstance(accuracy, bool) or not 0 <= accuracy <= 1:
        return -1.0
    return float(accuracy)


def taught_digits(info):
    """How many of your digits a model learned in the drawing window (teaching.Teacher records it), else 0."""
    count = info.get("taught_digits", 0)
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 0


def learned_drawn_digits(info):
    """Whether a model (its recorded `info`) has learned digits drawn with the drawing window's pen: the
    recipes' drawn digits, your own (--my-digits, or taught with the digit keys), in its own run or
    in one it continued; None where its info does not say (a model trained before this was recorded)."""
    if info.get("drawn_digits_learned") is True or taught_digits(info):
        return True
    drawn = info.get("drawn")
    if isinstance(drawn, int) and not isinstance(drawn, bool) and drawn > 0:
        return True
    return False if info.get("drawn_digits_learned") is False else None


def _back_up(path, source=None):
    """Copy the file at `path` (or the file `source`, as a backup of `path`) to
    backups/<stem>.<date>-<time>.npz, under a name no other backup has; or, when the newest backup
    already holds the very same bytes, give that one."""
    source = path if source is None else source
    # A model a take-back put back from its backup, replaced again: two windows taking back wrong keys
    # made a copy of it each time, and pruning deleted the user's older models to make room.
    newest = _backups_in_order(path)[-1:]
    if newest and _same_bytes(source, newest[0][1]):
        return newest[0][1]
    folder = path.parent / BACKUP_FOLDER
    stamp = time.strftime("%Y%m%d-%H%M%S")
    made_now = not folder.is_dir()
    try:
        folder.mkdir(exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=for_tempfile(folder), prefix=f".{path.stem}.", suffix=".tmp",
                                             delete=False)
    except BaseException as error:  # a Ctrl-C or kill too
        _remove_if_empty(folder, made_now)
        if not isinstance(error, OSError):
            raise
        raise MyonnError(f"cannot keep a backup of {shortened(path)} in {shortened(folder)}: "
                         f"{error.strerror or error}") from None
    try:
        _copy_to_disk(source, handle)
        shutil.copystat(source, handle.name)
        # After every backup already made this second, so that names keep the order backups were made
        # in (a number pruning had freed, taken again, would sort among the oldest).
        made = [number for (date, time_of_day, number), _ in _backups_in_order(path)
                if f"{date}-{time_of_day}" == stamp]
        for number in range(max(made, default=0) + 1, 1000):
            backup = folder / f"{path.stem}.{stamp}{'' if number == 1 else f'-{number}'}{path.suffix}"
            try:
                _name_without_replacing(handle.name, backup)  # never replaces a backup
                break
            except FileExistsError:
                continue
        else:
            raise MyonnError(f"cannot keep a backup of {shortened(path)}: too many backups made this second")
    except BaseException as error:  # a Ctrl-C or kill too: no backup, and no empty folder made for it
        Path(handle.name).unlink(missing_ok=True)
        _remove_if_empty(folder, made_now)
        if not isinstance(error, OSError):
            raise
        raise MyonnError(f"cannot keep a backup of {shortened(path)}: {error.strerror or error}") from None
    finally:
        Path(handle.name).unlink(missing_ok=True)
    return backup


# What link(2) fails with where a file system has no hard links: FAT and exFAT USB sticks (EPERM),
# VirtualBox shared folders and some network shares (EOPNOTSUPP, ENOTSUP, ENOSYS).
NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


def _name_without_replacing(temporary, name):
    """Give the file `temporary` the name `name` unless a file has that name already (FileExistsError).

    A hard link does it in one step. Where a file system has none, the name is first taken by an empty
    file, made only if no file has that name (O_EXCL), and the file is renamed over that: a backup is
    never replaced either way, and the run's training is not lost to a backup that could not be made."""
    try:
        os.link(temporary, name)
        return
    except OSError as error:
        if error.errno not in NO_HARD_LINKS:  # FileExistsError included: the name is taken
            raise
    os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        os.replace(temporary, name)
    except BaseException:  # a Ctrl-C too: the empty file is ours, never a backup, and must not pass for one
        Path(name).unlink(missing_ok=True)
        raise


def _same_bytes(one, other):
    """Whether two files hold the same bytes (False when either cannot be read)."""
    try:
        if os.path.getsize(one) != os.path.getsize(other):
            return False
        with open(one, "rb") as first, open(other, "rb") as second:
            while True:
                block = first.read(1 << 20)
                if block != second.read(1 << 20):
                    return False
                if not block:
                    return True
    except OSError:
        return False


def _copy_to_disk(source, handle):
    """Copy the file `source` into the temporary file open as `handle`, to the disk itself (fsync), and close it."""
    with handle, open(source, "rb") as original:
        shutil.copyfileobj(original, handle)
        handle.flush()
        os.fsync(handle.fileno())


def put_back(backup, path):
    """Put the model kept as `backup` back at `path`, byte for byte (a copy beside it, then renamed
    over it): its backup then still holds the very same bytes, and is not copied again when it is
    replaced. MyonnError if it cannot be written, or was made read-only; then `path` is as it was."""
    path = Path(path)
    refuse_if_read_only(path)
    try:
        handle = tempfile.NamedTemporaryFile(dir=for_tempfile(path.parent), prefix=f".{path.name}.", suffix=".tmp",
                                             delete=False)
    except OSError as error:
        raise MyonnError(f"cannot write model {shortened(path)}: {error.strerror or error}") from None
    try:
        _copy_to_disk(backup, handle)
        os.chmod(handle.name, shared_file_mode())  # a temporary file starts private (0600)
        os.replace(handle.name, path)
    except OSError as error:
        raise MyonnError(f"cannot write model {shortened(path)}: {error.strerror or error}") from None
    finally:
        Path(handle.name).unlink(missing_ok=True)


def _remove_if_empty(folder, made_now):
    """Remove `folder` if this run made it just now and it holds nothing (another run's backup, put there
    meanwhile, keeps it)."""
    if made_now:
        try:
            folder.rmdir()
        except OSError:
            pass


def stopped_runs(path):
    """The stopped runs kept apart beside the model at `path` (keep_stopped_run), oldest first."""
    return backups_of(_stopped_name(Path(path)))


def _stopped_name(path):
    """<stem>.stopped.npz beside `path`: the model name a stopped run of it is kept as a backup of."""
    return path.with_name(f"{path.stem}{STOPPED}{path.suffix}")


def _is_file(path):
    try:
        return Path(path).is_file()
    except OSError:
        return False


class ModelLock:
    """Held while a run may save to `path`, so that two runs never save to one file at once.

    The lock is a small hidden file beside the model (.<name>.lock) locked by the operating system,
    so a run that is killed leaves no stale lock behind. Taking it also proves, before any work,
    that the folder can be written.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.lock_path = self.path.with_name(f".{self.path.name}.lock")
        self.handle = None
        self.made_folders = []  # the folders it made to hold the lock (and the model), innermost first

    def __enter__(self):
        while True:
            try:
                self.made_folders = [folder for folder in (self.path.parent, *self.path.parent.parents)
                                     if not folder.exists()]
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # Never through a link: opening one at this name would empty whatever it points to.
                handle = os.fdopen(os.open(self.lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                                           0o644), "r+", encoding="utf-8", errors="replace")
            except OSError as error:
                folder = self.path.parent
                not_a_folder = folder.exists() and not folder.is_dir()
                problem = in_a_circle(folder) or (f"{shortened(folder)} is not a folder" if not_a_folder
                                                  else error.strerror)  # mkdir says only "File exists" for a circle
                if not stat.S_ISREG(getattr(_lstat_or_none(self.lock_path), "st_mode", stat.S_IFREG)):
                    problem = self._in_the_way()
                elif folder.is_dir() and (unwritable := cannot_write_in(folder)):
                    self._remove_made_folders()
                    raise MyonnError(folder_cannot_be_written(self.path, unwritable)) from None
                self._remove_made_folders()
                raise MyonnError(f"cannot save a model as {shortened(self.path)}: {problem or error}") from None
            status = os.fstat(handle.fileno())
            # A FIFO or device at its name; or a second name of another file (a hard link), which the
            # pid written below would overwrite.
            if not stat.S_ISREG(status.st_mode) or status.st_nlink > 1:
                handle.close()
                raise MyonnError(f"cannot save a model as {shortened(self.path)}: {self._in_the_way()}")
            if not _try_lock(handle):
                handle.seek(0)
                # What the holder wrote ("pid 1234"), read only so far: the file is anyone's to write in, and
                # bytes there that were not UTF-8 were a traceback.
                holder = handle.read(LONGEST_HOLDER).strip() or "another process"
                handle.close()
                raise MyonnError(f"{shortened(self.path)} is being saved by another run ({holder}) right now: "
                                 "wait for it to finish, or choose another --model")
            # The file may have been removed by the run that held it just before us: lock the file
            # that is there now, or another run could lock a different one.
            try:
                same = os.path.samestat(os.fstat(handle.fileno()), os.stat(self.lock_path))
            except OSError:
                same = False
            if same:
                break
            handle.close()
        try:
            # Who holds it, for the message another run gives. Written past the file object's buffer: on
            # a full disk, a buffered write would fail again when the file is closed, as a bare OSError.
            os.ftruncate(handle.fileno(), 0)
            os.lseek(handle.fileno(), 0, os.SEEK_SET)
            os.write(handle.fileno(), f"pid {os.getpid()}".encode())
        except OSError as error:  # a full disk: this run could not save there either
            self._remove_lock_file()
            handle.close()
            self._remove_made_folders()
            raise MyonnError(f"cannot save a model as {shortened(self.path)}: {error.strerror or error}") from None
        self.handle = handle
        return self

    def __exit__(self, *exception):
        self._remove_lock_file()
        self.handle.close()  # closing releases the lock
        self.handle = None
        self._remove_made_folders()

    def _remove_made_folders(self):
        # A run that saved nothing (stopped, failed, learned nothing) leaves no empty folders behind.
        for folder in self.made_folders:
            try:
                folder.rmdir()  # only if empty: a model saved there, or anything else, keeps it
            except FileNotFoundError:  # not made after all (a disk full part-way down): the next one may be
                continue
            except OSError:
                break

    def _in_the_way(self):
        return (f"{self.lock_path}, where its lock file goes, is not a file this myonn made "
                "(a folder, a link, a hard link or a device): remove it")

    def _remove_lock_file(self):
        try:
            self.lock_path.unlink(missing_ok=True)
        except OSError:  # a folder made read-only meanwhile: the file stays, harmless (the lock is the flock)
            pass


def _lstat_or_none(path):
    try:
        return os.lstat(path)
    except OSError:
        return None


# Far more than "pid " and any process number.
LONGEST_HOLDER = 40


def _try_lock(handle):
    """Lock the open lock file for this run: False when another run holds it. Where the file system
    has no locks (NFS without its lock service: ENOLCK, EOPNOTSUPP) the run goes on without one, as
    your digits' file does (my_digits._only_writer): refusing would leave such a place unusable."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks
        return True
