"""The one kind of error a user can fix: bad files, bad flags, missing data."""


class MyonnError(Exception):
    """A problem with the user's input, reported as one line (no traceback) and exit status 2.

    The message names the problem and, where there is one, the file (and line) at fault.
    """


def shortened(path, limit=120):
    """A path fit for one line of error message, even when it is longer than the system allows."""
    text = str(path)
    return text if len(text) <= limit else f"{text[:limit // 2]}…{text[-limit // 2:]}"
