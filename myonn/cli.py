"""What every script shares: flag parsing that fails in one line, and errors shown as one line.

A user's mistake (a bad flag, a missing or damaged file, no data and no network) is reported as one
line naming the problem, with exit status 2 — never a traceback.
"""

import _thread
import argparse
import codecs
import errno
import os
import signal
import sys
import threading
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from myonn.errors import MyonnError, echoed, printable, shortened
from myonn.paths import cannot_write_in, user_path, why_not_a_folder


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad flag gets one line (not the usage block) and exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")

    def exit(self, status=0, message=None):
        # --help prints its text, then exits 0 from here, past run()'s check: a text lost to a full disk
        # was a success.
        unwritten = output_lost() if status == 0 else None
        if unwritten:
            self.error(unwritten)
        super().exit(status, message)

    # argparse's own messages quote a value in full (errors.echoed: 5,000 characters of it were printed
    # back); these two say the same, the value shortened. The rest of argparse is left as it is.

    def parse_args(self, args=None, namespace=None):
        flags, unrecognized = self.parse_known_args(args, namespace)
        if unrecognized:
            self.error(f"unrecognized arguments: {' '.join(map(echoed, unrecognized))}")
        return flags

    def _check_value(self, action, value):
        """A value not among a flag's choices (--recipe, --cost)."""
        if action.choices is not None and value not in action.choices:
            raise argparse.ArgumentError(action, f"invalid choice: {echoed(value)} "
                                                 f"(choose from {', '.join(map(repr, action.choices))})")


def run(main):
    """Call main(); turn MyonnError into one line on stderr and exit 2, Ctrl-C into exit 130."""
    # A file name need not be valid UTF-8 (Python keeps such bytes as lone surrogates), and a terminal
    # whose encoding is strict would refuse to print it: a traceback after the work was done. Such a
    # character is printed escaped instead. Python's own choice on stderr already copes. So does the C
    # locale's stdout with such a name (its bytes go back as they came), but not with the scripts' own
    # "—" and "→", which ASCII has not: training died at its first line under LC_ALL=C PYTHONUTF8=0,
    # before it had trained, and mnist_render.py after its picture was written. They are escaped now.
    for stream in (sys.stdout, sys.stderr):
        errors = getattr(stream, "errors", None)
        if errors in ("strict", "surrogateescape") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace" if errors == "strict" else BYTES_BACK_ELSE_ESCAPED)
    sys.stdout, sys.stderr = LosableOutput(sys.stdout, 1), LosableOutput(sys.stderr, 2)
    # The scripts stop at once on a Ctrl-C while loading; from here on it is a KeyboardInterrupt,
    # so that training can finish its batch and save, and files being written are cleaned up.
    # So are kill's SIGTERM and a closed terminal's SIGHUP, which otherwise end the process where it
    # stands, leaving a half-written temporary file beside the model (the model itself is safe).
    # A signal that whoever started the script ignores stays ignored, as in any well-behaved program:
    # Ctrl-C, for a script a shell script started in the background; a closed terminal, under nohup.
    taken = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")  # Windows has no SIGHUP
             if hasattr(signal, name) and signal.getsignal(getattr(signal, name)) is not signal.SIG_IGN]
    for number in taken:
        signal.signal(number, signal.default_int_handler if number == signal.SIGINT else end_on_signal)
    signals_sent_again.clear()
    # A Ctrl-C that comes while Python runs a __del__ (a progress bar's, say) cannot be raised there:
    # Python prints it as "Exception ignored in ..." with a traceback, and goes on. Not a word of
    # that is the user's business; whoever needs to know (training's second Ctrl-C) also notes it.
    sys.unraisablehook = quiet_about_interrupts(sys.unraisablehook)
    try:
        try:
            status = main()
            unwritten = None if status else output_lost()
        finally:
            # The work is over, however it ended: a Ctrl-C from here on could change nothing, and must not
            # come out as a traceback from the lines below (as one did while the error line was printed).
            # One that came just before is raised here, and caught below as any other. kill and a closed
            # terminal end the process at once now, as they would any program (unless ignored from the start).
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            for number in taken:
                if number != signal.SIGINT:
                    signal.signal(number, signal.SIG_DFL)
    except MyonnError as error:
        fail(error)
    except OSError as error:
        # Every file the scripts open is checked where it is opened; this is the net under those checks
        # (a name too long for the system, a disk that fills up while saving), so the user still gets
        # one line, not a traceback; a name too long for the system is shortened to fit it.
        where = f"{shortened(error.filename)}: " if error.filename else ""
        fail(f"{where}{error.strerror or error}")
    except MemoryError:
        fail("out of memory (is an input file far larger than it should be?)")
    except KeyboardInterrupt as interrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C more, while this line is printed, changes nothing
        print(file=sys.stderr)
        leave(128 + interrupt.signal_number if isinstance(interrupt, Ended) else 130)  # the shell's codes
    if signals_sent_again:  # one that had not acted yet: the script was stopped all the same
        leave(128 + signals_sent_again[0])
    if unwritten:
        fail(unwritten)
    leave(status or 0)


def _bytes_back_else_escaped(error):
    """A codec error handler: a byte that was not UTF-8 (Python's lone surrogate for it) goes back as
    that byte, as surrogateescape does; any other character the encoding has not, escaped, as
    backslashreplace does. One character at a time, for the two may be side by side."""
    if isinstance(error, UnicodeEncodeError) and 0xDC80 <= ord(error.object[error.start]) <= 0xDCFF:
        return bytes([ord(error.object[error.start]) - 0xDC00]), error.start + 1
    first = type(error)(error.encoding, error.object, error.start, error.start + 1, error.reason)
    return codecs.backslashreplace_errors(first)


BYTES_BACK_ELSE_ESCAPED = "myonn.bytes_back_else_escaped"
codecs.register_error(BYTES_BACK_ELSE_ESCAPED, _bytes_back_else_escaped)


def output_lost():
    """Why some of the output asked for (mnist_test.py's report, say) was not written, a full disk or a
    failing device, in words for the error line: the work is done, but the run did not do all it should.
    None when all of it was written, or its reader went (`| head`), wanting no more. What is still
    held to be written is written first: a short output was held until Python's own flush on the
    way out, after this was asked, and was lost unsaid."""
    sys.stdout.flush()
    lost = getattr(sys.stdout, "lost", None)
    if lost is None or lost.errno == errno.EPIPE:
        return None
    return f"could not write all of the output: {lost.strerror or lost}"


class LosableOutput:
    """sys.stdout or sys.stderr, where a reader who has gone (`| head -1`, a closed pipe) or a full disk
    costs the output, not the work: a training printed its first line into `head`, trained on, and
    lost the whole run when the next line could not be written. After the first write that fails so,
    the stream's output goes to os.devnull, quietly."""

    # EBADF: a stream that was never open for writing. Started through pyenv's shim (a shell script) with
    # stderr closed (`2>&-`), Python finds the shim's own script open read-only as descriptor 2: every
    # line to stderr failed so, and a run that did all its work ended with exit status 1.
    GONE = {errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EBADF}

    def __init__(self, stream, descriptor):
        if stream is None:
            # Python gives None for a stream started closed (`>&-`): writing there is writing nowhere. On
            # its own number, too: left free, the next file opened (a model's lock) took it, and anything
            # written to it in C (SDL's warnings) would have gone into that file.
            _write_nowhere(descriptor)
            # Any encoding will do for writing nowhere: one is named, for Python's default warned; and the
            # descriptor is not the stream's to close, as with Python's own streams, for one that was warned
            # of an unclosed file at exit (a traceback under -X warn_default_encoding -W error; a warning
            # under -X dev).
            stream = os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
        self._stream = stream
        self.lost = None  # the error that lost the output, if one did

    def write(self, text):
        try:
            return self._stream.write(text)
        except OSError as error:
            self._lost(error)
            return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except OSError as error:
            self._lost(error)

    def _lost(self, error):
        if error.errno not in self.GONE:
            raise error
        self.lost = self.lost or error
        try:
            # What the stream still holds, and all that follows, goes nowhere; Python's own flush on the
            # way out would otherwise fail again, as "Exception ignored ... BrokenPipeError".
            _write_nowhere(self._stream.fileno())
            self._stream.flush()
        except (OSError, ValueError):  # not a real file (a test's capture): nothing more to do
            pass

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _write_nowhere(descriptor):
    """Make the file descriptor `descriptor` write to os.devnull."""
    nowhere = os.open(os.devnull, os.O_WRONLY)
    if nowhere != descriptor:
        os.dup2(nowhere, descriptor)
        os.close(nowhere)


def quiet_about_interrupts(hook):
    """sys.unraisablehook: `hook`, but a KeyboardInterrupt (Ctrl-C, kill) raised where it could not be
    is not shown: its signal comes again a moment later, to act once Python is out of the __del__ (a
    kill was lost so, and a first Ctrl-C). It is sent from another thread, for sent from here it would
    be raised in here, and lost the same way. A second Ctrl-C in training finds Ctrl-C ignored by
    then; training notes that one itself (StopRequest.at_once)."""
    def quiet(unraisable):
        interrupt = unraisable.exc_value
        if not isinstance(interrupt, KeyboardInterrupt):
            hook(unraisable)
            return
        signal_again_soon(interrupt.signal_number if isinstance(interrupt, Ended) else signal.SIGINT)
    return quiet


RAISED_AGAIN_AFTER_S = 0.01


# The signals signal_again_soon has sent again: should the script end before one acts (Escape was
# queued behind it), run still ends with its status, not 0.
signals_sent_again = []


def signal_again_soon(number):
    """Have the signal `number` act again in RAISED_AGAIN_AFTER_S, as if it came then (from another
    thread, so that it cannot be raised where this is called)."""
    signals_sent_again.append(number)
    again = threading.Timer(RAISED_AGAIN_AFTER_S, _thread.interrupt_main, args=(number,))
    again.daemon = True
    again.start()


class Ended(KeyboardInterrupt):
    """The script was told to end by a signal other than Ctrl-C's: it stops as after a second Ctrl-C,
    at once, saving nothing more, cleaning up what it was writing."""

    def __init__(self, signal_number):
        super().__init__(signal_number)
        self.signal_number = signal_number


def end_on_signal(signal_number, frame):
    raise Ended(signal_number)


@contextmanager
def interruptions_held():
    """Ctrl-C, kill and a closed terminal wait until the block is done, then act as they would have:
    for two changes that must not be parted by one (a teaching taken back: the model as before, and
    the digit out of your file, which a retrain would learn)."""
    numbers = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]
    caught = []
    try:
        # One that is ignored (a closed terminal, under nohup) stays ignored: held, it could hide another.
        previous = {number: signal.signal(number, lambda number, frame: caught.append(number)) for number in numbers
                    if signal.getsignal(number) is not signal.SIG_IGN}
    except ValueError:  # not the main thread, which alone receives signals
        previous = None
    if previous is None:
        yield
        return
    try:
        yield
    except BaseException:
        _put_back(previous)
        if caught:  # the block failed: its error is said first (a take-back not saved), then the signal acts
            signal_again_soon(caught[0])
        raise
    _put_back(previous)
    if caught:
        signal.raise_signal(caught[0])


def _put_back(handlers):
    """Set each signal's handler as given ({number: handler}), with those signals blocked meanwhile:
    one raised half-way would leave the others' handlers as they were."""
    block = getattr(signal, "pthread_sigmask", None)  # not on Windows
    blocked_before = block(signal.SIG_BLOCK, list(handlers)) if block else None
    try:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    finally:
        if block:
            block(signal.SIG_SETMASK, blocked_before)


def fail(problem):
    """Say what went wrong in one line on stderr, and exit with status 2."""
    print(error_line(problem), file=sys.stderr)
    leave(2)


def error_line(problem):
    """The problem as the one line a script says it in, `mnist_draw.py: error: …`: for fail, and for a
    window that goes on after one (a digit key that could not teach), whose line read as a note."""
    return f"{Path(sys.argv[0]).name}: error: {one_line(problem)}"


def one_line(problem):
    """The problem as one line: a line break or other control character in it (a file name can hold
    one) is shown escaped, as \\n or \\x1b (errors.printable)."""
    return printable(problem)


def leave(status):
    """Exit with `status`. A Ctrl-C from here on could change nothing, but Python, shutting down, would
    print it as a traceback (from waiting for threads), so it is ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(status)


def whole_number_at_least(minimum, maximum=None):
    """An argparse type: a whole number from minimum to maximum (if given), else a one-line complaint.

    A maximum keeps an absurd value (--epochs 1000000000) from starting work that could never end,
    or ask for more memory than any machine has.
    """
    wanted = f"from {minimum:,} to {maximum:,}" if maximum is not None else f"of at least {minimum:,}"

    def whole_number(text):
        try:
            value = int(text)
        except ValueError:
            # int() reads at most sys.get_int_max_str_digits() digits (4,300): a whole number longer than
            # that is one, too large to read (it was said not to be a whole number at all), unless those
            # digits are mostly leading zeros.
            digits = text.strip().removeprefix("+")
            if not digits.isdecimal():
                value = minimum - 1
            else:
                # As int() reads them, in any script's digits: here 0-9, leading zeros left out.
                significant = "".join(str(unicodedata.decimal(digit)) for digit in digits).lstrip("0") or "0"
                if len(significant) >= sys.get_int_max_str_digits():
                    readable = "" if maximum is not None else f", of at most {sys.get_int_max_str_digits():,} digits"
                    raise argparse.ArgumentTypeError(f"{echoed(text)} is too large: must be a whole number "
                                                     f"{wanted}{readable}") from None
                value = int(significant)
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"{echoed(text)} is too large: must be a whole number {wanted}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number {wanted}, not {echoed(text)}")
        return value
    return whole_number


positive_int = whole_number_at_least(1)
non_negative_int = whole_number_at_least(0)


def positive_float(text):
    """argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    # float() reads a number too large for a float (1e400, 5,000 nines) as infinity: so it is said, unless
    # infinity was what was written.
    if value == float("inf") and text.strip().lower().removeprefix("+") not in ("inf", "infinity"):
        raise argparse.ArgumentTypeError(f"{echoed(text)} is too large: must be a finite number greater than 0")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number greater than 0, not {echoed(text)}")
    return value


def png_path(text):
    """argparse type: a file name ending in .png (pictures are written as PNG), as a Path (file_path)."""
    path = file_path(text)
    if path.suffix.lower() != ".png":
        # A path is shortened keeping its end (errors.shortened), where its wrong ending is.
        raise argparse.ArgumentTypeError(f"a picture is written as PNG, so its name must end in .png, "
                                         f"not {shortened(text, quoted=True)}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {shortened(path)}: it is a folder")
    # Found out now, not after a long training run that then has nowhere to put its picture.
    if cannot_write_in(path.parent):
        raise argparse.ArgumentTypeError(f"cannot write {shortened(path)}: {shortened(path.parent)} is not a "
                                         f"folder that can be written")
    return path


def confusion_cell(text):
    """argparse type: 'TRUE,ANSWER' (a confusion-matrix cell, digits 0-9) or 'TRUE,ANSWER,N' (its N-th
    image, from 1) -> a tuple of 2 or 3 ints."""
    parts = text.replace(" ", "").split(",")
    try:
        numbers = tuple(int(part) for part in parts)
    except ValueError:
        numbers = ()
    if not (len(numbers) in (2, 3) and all(0 <= digit <= 9 for digit in numbers[:2])
            and (len(numbers) == 2 or numbers[2] >= 1)):
        raise argparse.ArgumentTypeError(f"expected TRUE,ANSWER (two digits, e.g. 7,2) or TRUE,ANSWER,N "
                                         f"(N from 1), not {echoed(text)}")
    return numbers


def environment_default(name, convert, fallback):
    """The talk's environment variables (RATE, LIMIT, EPOCHS) as flag defaults; a bad one fails in one line."""
    text = os.environ.get(name)
    if text is None or text == "":
        return fallback
    try:
        return convert(text)
    except argparse.ArgumentTypeError as error:
        raise MyonnError(f"environment variable {name}: {error}") from None


def file_path(text):
    """argparse type: a file's path, as a Path, a leading ~ standing for your home folder (paths.user_path:
    quoted, the shell leaves it as it is). An empty one is refused: Path("") is the current folder, and
    `--model ''` was reported as ".: is a directory, not a model file"."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path names no file")
    return user_path(text)


def folder_path(text):
    """argparse type: a folder's path, as a Path, a leading ~ standing for your home folder (as in
    file_path). An empty one is refused: Path("") is the current folder, and MNIST would be looked for,
    and downloaded, there. So is one where no folder can be (paths.why_not_a_folder)."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path names no folder (for the current folder, give .)")
    path = user_path(text)
    problem = why_not_a_folder(path)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return path


def add_data_dir_flag(parser):
    parser.add_argument("--data-dir", type=folder_path, default=None, metavar="DIR",
                        help="where the MNIST files are, or are downloaded to "
                             "(default: $MYONN_DATA_DIR, else data/ in the project)")


def path_in_help(path):
    """A path for an argparse help text, as typed from here: on one line, and with its % signs
    doubled, for argparse reads one as the start of a value to fill in (a folder named 100% failed)."""
    from myonn.model_store import as_typed

    return one_line(as_typed(path)).replace("%", "%%")


def add_model_flag(parser, help_text="the model file (.npz, or the Ruby original's .yaml)", default_text=None):
    """--model; its help names your own model and the shipped one where they are ($MYONN_MODEL_DIR
    moves yours), as typed from here."""
    from myonn.model_store import own_model_path, shipped_model_path

    default_text = default_text or (f"your own model, {path_in_help(own_model_path())}, if you have trained one, "
                                    f"else the shipped {path_in_help(shipped_model_path())}")
    parser.add_argument("--model", type=file_path, default=None, metavar="PATH",
                        help=f"{help_text} (default: {default_text})")
