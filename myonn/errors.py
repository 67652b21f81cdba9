"""The one kind of error a user can fix: bad files, bad flags, missing data; and a path or a value
quoted in its one line, shortened (shortened, echoed, printable)."""

import re


class MyonnError(Exception):
    """A problem with the user's input, reported as one line (no traceback) and exit status 2.

    The message names the problem and, where there is one, the file (and line) at fault.
    """


def shortened(path, limit=120, quoted=False):
    """A path fit for one line of error message, even when it is longer than the system allows: cut in
    its middle, both ends kept. Quoted as repr quotes it when `quoted`, and also when it is empty, or
    begins or ends with a blank (a space), which a message shows as nothing: MYONN_DATA_DIR=" " was
    named as "put … in   (could not download …)", and a folder "mnist " as "mnist"; and when it holds a
    character a terminal draws as nothing at all (a zero-width space), which repr shows as \\u200b.
    Other names as they are."""
    text = str(path)
    text = text if len(text) <= limit else f"{text[:limit // 2]}…{text[-limit // 2:]}"
    unseen = not text or _blank(text[0]) or _blank(text[-1]) or any(map(_invisible, text))
    return quoted_as_repr(text) if quoted or unseen else text


# A value a message quotes back as the user gave it (a flag's, an environment variable's) is cut to its
# first this many characters: LIMIT set to a number 5,000 digits long had every digit printed back.
LONGEST_ECHOED = 40


def echoed(value):
    """`value`, as the user gave it, quoted for a message as repr quotes it: when longer than
    LONGEST_ECHOED characters, its first ones only, then … and how long it is."""
    text = str(value)
    if len(text) <= LONGEST_ECHOED:
        return quoted_as_repr(text)
    return f"{quoted_as_repr(text[:LONGEST_ECHOED])}… ({len(text):,} characters)"


# Python holds a byte of a name that is not UTF-8 as a lone surrogate, which repr shows as \udcff: a
# code no one typed. The byte itself, \xff, is what the user's name holds.
_NOT_UTF8_ESCAPED = re.compile(r"(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])")


def quoted_as_repr(text):
    """`text` quoted as repr quotes it, but a byte that was not UTF-8 shown as that byte (\\xff), not as
    Python's stand-in for it (\\udcff)."""
    return _NOT_UTF8_ESCAPED.sub(r"\1\\x\2", repr(text))


# Every character str.splitlines breaks a line at, every other control character, and the marks that
# turn text right to left: a terminal obeys them (a mirror's answer quoted in a message recoloured the
# line and renamed the window; a file named x\u202egpj.npz showed as xnpz.jpg).
CONTROL_CHARACTERS = ("".join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0)])) + "\u2028\u2029"
                      + "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ESCAPED = {ord(character): ascii(character)[1:-1] for character in CONTROL_CHARACTERS}
# A byte of a name that is not UTF-8 (a surrogate to Python) as that byte, \xff, as quoted_as_repr shows
# it: stderr wrote Python's stand-in, \udcff, and stdout the raw byte or the stand-in as it was set up.
_ESCAPED.update({code: f"\\x{code - 0xDC00:02x}" for code in range(0xDC80, 0xDD00)})


def _blank(character):
    """Whether a terminal shows `character` as nothing: a space, or any other blank printable leaves as it
    is (a line break or tab it shows escaped, as \\n or \\t)."""
    return character.isspace() and character not in CONTROL_CHARACTERS


def is_not_utf8(character):
    """Whether `character` is how Python holds a byte of a name that is not UTF-8 (a lone surrogate)."""
    return "\udc80" <= character <= "\udcff"


def _invisible(character):
    """Whether `character` is one a terminal draws as nothing, not even a space: a zero-width space or
    joiner, a byte-order mark (not a control character, which printable shows escaped)."""
    return not character.isprintable() and not character.isspace() and character not in CONTROL_CHARACTERS \
        and not is_not_utf8(character)


def printable(text):
    """`text` as one line a terminal shows as it is: each control character in it (a file name can hold
    one) shown escaped, as \\n or \\x1b, and so is each byte of a name that is not UTF-8, as \\xff."""
    return str(text).translate(_ESCAPED)
