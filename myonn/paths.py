"""Paths as a person gives them, in a flag or in an environment variable, made into Paths one way.

A shell turns a leading ~ into your home folder only where it is not quoted: written in quotes, or in
a .env file, it reaches the scripts as it is, and Path takes it for a folder named ~ in the current
folder. A model was saved into ./~/models/ while the script said "saved to ~/models/…", which reads as
your home folder's (and `rm -rf ~` to tidy up would have deleted the home folder). So a leading ~ is
expanded here, as the shell would have done.

And a folder named in either, said wrong in one line (why_not_a_folder: a file, a dangling link, links
in a circle), and found as the system finds it for a temporary file (for_tempfile).
"""

import errno
import os
import stat
import tempfile
from pathlib import Path

from myonn.errors import shortened


def user_path(text):
    """The Path that `text` names, a leading ~ (or ~user) standing for that home folder. A ~name with no
    such user is left as it is, as the shell leaves it (a file named ~old.npz, say): Path.expanduser
    raised RuntimeError, a traceback."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        return Path(text)


def folder_from_environment(name):
    """The folder that environment variable `name` names, as user_path makes it; None when it is unset or
    empty (an empty variable is commonly how a variable is unset, in a .env file or `NAME= command`)."""
    text = os.environ.get(name, "")
    return user_path(text) if text else None


def why_not_a_folder(path):
    """Why no folder can be at `path`, in words naming the place at fault: a file is there, or above it
    (said when the folder was made, that was mkdir's "File exists" or "Not a directory", after a long
    run for some flags), a link to something not there, or links that lead round in a circle. None
    when a folder is there, or can be made; also when the path cannot be looked at (no permission),
    which whoever uses it says then. For a flag (cli.folder_path) and an environment variable
    (MYONN_DATA_DIR) alike. Each path in it is shortened to fit one line (errors.shortened): a link's
    target can be 4,000 characters long."""
    for place in (path, *path.parents):  # the nearest that is there
        try:
            if not stat.S_ISDIR(os.stat(place).st_mode):
                return f"{shortened(place)} is a file, not a folder"
        except (FileNotFoundError, NotADirectoryError):
            if os.path.islink(place):  # there, but what it points to is not: mkdir says "File exists"
                return f"{shortened(place)} is a link to {shortened(os.readlink(place))}, which is not there"
            continue
        except OSError as error:
            return in_a_circle(place) if error.errno == errno.ELOOP else None
        return None
    return None


def in_a_circle(path, leads_to="folder"):
    """Words naming the link on `path` (itself, or a folder it is in) that leads round in a circle of
    links, with nothing at its end: "… to no folder", or, `path` itself, "… to no `leads_to`"; or through
    more links, one to the next, than the system follows, which it refuses as it refuses a circle. None when
    no link on it does, or when that cannot be told (no permission). The link named is the highest, whose
    folder can be followed: no name under it can be followed either, and os.path.realpath, which stops
    anywhere in the circle, named another of its links (`--model M/m.npz` was refused as "cannot save a
    model as /…/L/m.npz", a name never typed)."""
    highest = None  # the highest place found so far that the system cannot follow for its links
    for place in (path, *path.parents):
        try:
            os.stat(place)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as error:
            if error.errno != errno.ELOOP:
                return None
            highest = place
            continue
        break  # followed: so is every folder above it
    if highest is None:
        return None
    try:
        # The system gives up on a chain of more links than it follows (40 on Linux) as it does on a circle:
        # realpath follows one to its end, and stops in a circle, where the system cannot follow it either.
        os.stat(os.path.realpath(highest))
    except OSError as error:
        in_circle = error.errno == errno.ELOOP
    else:
        in_circle = False
    if not in_circle:
        return f"{shortened(highest)} is a link that leads through more links, one to the next, than the system follows"
    return (f"{shortened(highest)} is a link that leads round in a circle of links, "
            f"to no {leads_to if highest == path else 'folder'}")


def for_tempfile(folder):
    """`folder` as the system finds it, each link in it followed, for tempfile's dir: tempfile makes its
    dir absolute as text (os.path.abspath), so LINK/.. was the folder LINK is in, where the system takes
    it for the one above where LINK leads. A temporary file was made in another folder than the file it
    was to become, or in none at all (`--data-dir LINK/../mnist`: "cannot write there (No such file or
    directory)"); os.path.realpath follows each link as the system does."""
    return os.path.realpath(folder)


def cannot_write_in(folder):
    """None when a file can be made in `folder`, else the OSError that said why not: found out by making
    one (and removing it at once), not guessed from permissions, which root, ACLs and read-only mounts
    all make wrong. For a check before the work, not after a long run with nowhere to put its result."""
    try:
        tempfile.TemporaryFile(dir=for_tempfile(folder)).close()
    except OSError as error:
        return error
    return None
