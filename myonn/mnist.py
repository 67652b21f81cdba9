"""MNIST: finding, reading, checking and downloading the handwritten digits.

The network wants two arrays: images, uint8 (n, 28, 28), and labels, uint8 (n,).
This module gets them from whichever copy of MNIST it finds in the data directory:

1. the four canonical IDX files (plain or gzipped), as distributed by Y. LeCun et al.;
2. else the talk's CSV files (mnist_train.csv, mnist_test.csv: one digit per line,
   its label then 784 pixel values 0-255);
3. else it downloads the IDX files from a mirror, checking each against a known MD5.

Every problem a user can fix (a missing, truncated or corrupt file) raises MyonnError
with a one-line message naming the file, and for CSV the line.

Left out on purpose: turning pixels into network input (that is inputs.py),
other datasets, and any caching on disk other than the downloaded files themselves.
"""
import hashlib
import http.client
import math
import os
import pathlib
import stat
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zlib

import numpy as np
from tqdm import tqdm

from myonn.errors import MyonnError, echoed, printable, shortened
from myonn.paths import folder_from_environment, for_tempfile, why_not_a_folder

TRAIN, TEST = "train", "test"
MNIST_TRAINING_IMAGES = 60_000  # MNIST's training set: a --limit below it trains on part of it

# Base names of the (images, labels) IDX files for each kind; on disk they may also end in .gz.
MNIST_FILES = {
    TRAIN: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    TEST: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

# The talk's CSV files, used when the IDX files are not there.
CSV_FILES = {TRAIN: "mnist_train.csv", TEST: "mnist_test.csv"}

# MD5 of the DECOMPRESSED files: every mirror serves the same bytes once unzipped,
# but mirrors re-compress them, so the .gz files' own checksums differ.
MNIST_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}

# Tried in order; a file is fetched from mirror + name + ".gz". yann.lecun.com, the original
# home, has turned scripted downloads away in recent years, so it is not on the list.
# MYONN_MIRRORS (comma-separated base URLs) replaces this list.
MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]

DOWNLOAD_TIMEOUT_S = 30  # for each step: connecting, and each read
DOWNLOAD_DEADLINE_S = 600  # for a whole file, so that a server trickling bytes cannot hold us forever
# The largest MNIST .gz (train-images, 9.9 MB) twice over: a server that sends more is not sending MNIST.
MAX_DOWNLOAD_BYTES = 20 * 2**20
IMAGE_SIDE = 28
CSV_VALUES_PER_LINE = 1 + IMAGE_SIDE * IMAGE_SIDE  # a label, then the pixels row by row

# Every read is bounded by what MNIST can be, so that a damaged or hostile file (a header that claims
# 10^11 numbers, a small .gz that unpacks to gigabytes) is refused before it costs memory or time.
MAX_DIGITS = 70_000  # MNIST's 60,000 training and 10,000 test digits
MAX_IDX_BYTES = 4 + 3 * 4 + MAX_DIGITS * IMAGE_SIDE * IMAGE_SIDE  # magic, 3 sizes, the pixels
MAX_CSV_BYTES = MAX_DIGITS * CSV_VALUES_PER_LINE * len(b"255,")
# The longest plain line is 785 values of "255," (3,140 bytes); four times that leaves room for the spaces
# and leading zeros a line may have, and for the column header. A longer line is refused before it is split
# into values: a 220 MB line of "10," made 73 million of them, 4.4 GB.
MAX_CSV_LINE_BYTES = 4 * CSV_VALUES_PER_LINE * len(b"255,")


def _largest_gzip(size, digits=0):
    """The most bytes `size` bytes of `digits` digits take gzipped, with room to spare: deflate stores
    what it cannot shrink (5 bytes more a 64 KiB block), a writer may flush after every digit (about 10
    bytes each) or start a new member for each (about 23, more with a name), and a gzip header may carry
    64 KiB of extra field besides a name and a comment."""
    return size + max(size // 16, 48 * digits) + 2**17


# So no MNIST file is larger gzipped than this: a larger one (padded, most likely) is refused unread.
MAX_GZIP_BYTES = _largest_gzip(MAX_IDX_BYTES, MAX_DIGITS)

# Zeros after a gzip member that a file may hold (gzip allows padding; MNIST's files have none).
MAX_GZIP_PADDING = 2**16
# A writer may start a gzip member for each digit (and one for the header); twice that is room enough.
MAX_GZIP_MEMBERS = 2 * MAX_DIGITS

_GZIP_MAGIC = b"\x1f\x8b"
# Read from a .gz at a time: small, as every member's end copies what is left of the read after it.
_GZIP_READ_BYTES = 2**14
_IDX_UNSIGNED_BYTE = 0x08


def project_data_dir():
    """<project root>/data, where downloads go when nothing else is said."""
    return pathlib.Path(__file__).resolve().parent.parent / "data"


def default_data_dir():
    """$MYONN_DATA_DIR (a leading ~ expanded) if it is set and non-empty, else project_data_dir()."""
    return folder_from_environment("MYONN_DATA_DIR") or project_data_dir()


def load_mnist(kind=TRAIN, data_dir=None, download=True, limit=None):
    """The MNIST training or test set, checked.

    kind: "train" (60,000 digits) or "test" (10,000 digits).
    data_dir: where to look (and download to); None means default_data_dir().
    download: whether to fetch the IDX files when neither they nor the CSV are there.
    limit: return only the first `limit` digits (the whole file is still checked).
    Returns (images, labels): uint8 arrays shaped (n, 28, 28) and (n,), labels 0-9.
    """
    if kind not in MNIST_FILES:
        raise MyonnError(f"unknown MNIST kind {kind!r}: expected {TRAIN!r} or {TEST!r}")
    given = data_dir is not None
    data_dir = pathlib.Path(data_dir) if given else default_data_dir()
    problem = why_not_a_folder(data_dir)
    if problem:
        # In the words --data-dir gets (cli.folder_path), and naming the variable when it was the one.
        from_environment = not given and folder_from_environment("MYONN_DATA_DIR") is not None
        raise MyonnError(f"environment variable MYONN_DATA_DIR: {problem}" if from_environment else problem)
    _status(data_dir)  # a folder that cannot be looked at (a name too long for the system) is said here

    names = MNIST_FILES[kind]
    found = [_find_idx_file(data_dir, name) for name in names]
    csv_path = data_dir / CSV_FILES[kind]
    if None in found and not _is_data_file(csv_path):
        missing = [name for name, path in zip(names, found) if path is None]
        wanted = f"{' and '.join(name + '.gz' for name in missing)} (or {CSV_FILES[kind]})"
        if not download:
            raise MyonnError(f"MNIST not found: put {wanted} in {shortened(data_dir)} (downloading is off)")
        try:
            download_mnist(data_dir, names=missing)
        except MyonnError as error:
            raise MyonnError(f"MNIST not found: put {wanted} in {shortened(data_dir)} ({error})") from None
        found = [_find_idx_file(data_dir, name) for name in names]

    if None in found:
        images, labels = read_csv(csv_path)
        source = csv_path
    else:
        images_path, labels_path = found
        images, labels = read_idx(images_path), read_idx(labels_path)
        _check_idx_pair(images, labels, images_path, labels_path)
        source = labels_path
    if labels.size and labels.max() > 9:
        bad_index = int(np.argmax(labels > 9))
        raise MyonnError(f"{source}: label {labels[bad_index]} of digit {bad_index} is not 0-9")

    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return images, labels


def read_idx(path):
    """The array stored in an MNIST IDX file (gzipped or not), shaped as its header says.

    IDX layout: two zero bytes, a data-type byte (only 0x08, unsigned byte, is read here),
    the number of dimensions d, then d big-endian uint32 sizes, then the data, row-major.
    Only MNIST's shapes are read: images (n, 28, 28) or labels (n,), 1 <= n <= 70,000. The header is
    read and checked first, then exactly the bytes it promises, so no file costs more than MNIST does.
    Returns a writable uint8 ndarray, e.g. (60000, 28, 28) for train-images-idx3-ubyte.
    """
    path = pathlib.Path(path)
    with _open_data_file(path) as file:
        gzipped = file.read(2) == _GZIP_MAGIC
        file.seek(0)
        size = os.fstat(file.fileno()).st_size
        if gzipped and size > MAX_GZIP_BYTES:
            raise MyonnError(f"{shortened(path)}: {size:,} bytes is more than any MNIST file takes gzipped "
                             f"({MAX_GZIP_BYTES:,} at most)")
        try:
            # _GzipContent unpacks only as much as is read from it: a gzip bomb is never unpacked whole.
            content = _GzipContent(path, file) if gzipped else file
            return _read_idx_content(path, content, gzip_size=size if gzipped else None)
        except (EOFError, OSError, zlib.error) as error:
            if not gzipped:
                raise MyonnError(f"{shortened(path)}: cannot read "
                                 f"({getattr(error, 'strerror', None) or error})") from None
            raise MyonnError(f"{shortened(path)}: corrupt or truncated gzip file ({error})") from None


def _read_idx_content(path, content, gzip_size=None):
    """The IDX array read from `content`; gzip_size: the size of the gzipped file it comes from, if it is one."""
    start = content.read(4)
    if len(start) < 4:
        raise MyonnError(f"{shortened(path)}: truncated IDX file ({len(start)} bytes, no room for a header)")
    magic = int.from_bytes(start, "big")
    data_type, dimension_count = start[2], start[3]
    if start[:2] != b"\0\0" or data_type != _IDX_UNSIGNED_BYTE or dimension_count == 0:
        raise MyonnError(
            f"{shortened(path)}: not an IDX file of bytes (magic number 0x{magic:08X}; "
            f"MNIST files start 0x00000801 or 0x00000803)"
        )
    sizes = content.read(4 * dimension_count)
    if len(sizes) < 4 * dimension_count:
        raise MyonnError(f"{shortened(path)}: truncated IDX file (header cut short)")
    shape = tuple(int.from_bytes(sizes[offset : offset + 4], "big") for offset in range(0, len(sizes), 4))
    _check_idx_shape(path, shape)

    expected_size = math.prod(shape)
    largest = _largest_gzip(4 + len(sizes) + expected_size, digits=shape[0])
    if gzip_size is not None and gzip_size > largest:
        # Padded, most likely: MAX_GZIP_BYTES is sized on the largest file, this on this one, so that
        # no file is read further than its own digits take.
        raise MyonnError(f"{shortened(path)}: {gzip_size:,} bytes is more than {'x'.join(map(str, shape))} "
                         f"bytes of digits take gzipped ({largest:,} at most)")
    data = content.read(expected_size)
    if len(data) < expected_size:
        raise MyonnError(
            f"{shortened(path)}: truncated IDX file (header says {'x'.join(map(str, shape))} = {expected_size} bytes "
            f"of data, file has {len(data)})"
        )
    if content.read(1):  # also, for gzip, reaches the end of the stream, where its checksum is checked
        raise MyonnError(
            f"{shortened(path)}: IDX file too long (header says {'x'.join(map(str, shape))} = {expected_size} bytes "
            f"of data, more follow)"
        )
    # frombuffer reads the bytes in place; copy() gives callers an array they may write to.
    return np.frombuffer(data, dtype=np.uint8).reshape(shape).copy()


class _GzipContent:
    """What a gzip file holds, unpacked by zlib a member at a time: read(size) as from a file.

    Python's gzip reads a header's file name and comment, and the zeros that may follow a member, a byte
    at a time in Python, and spends 6 µs on each member: within the bound for the training images, a
    40 MB name took 4 s, 40 MB of zeros 6 s, 40 MB of empty members 12 s. zlib reads headers in C (and
    checks each member's CRC and length), zeros are stripped here in C, and members are counted.
    """

    def __init__(self, path, file):
        self._path, self._file = path, file
        self._member = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # 16+: a gzip member, CRC checked
        self._members = 1
        self._unread = b""  # read from the file, not yet unpacked

    def read(self, size):
        content = bytearray()
        while len(content) < size:
            if self._member.eof and not self._start_next_member():
                break  # the file ends after a whole member: so does its content
            compressed = self._unread or self._file.read(_GZIP_READ_BYTES)
            unpacked = self._member.decompress(compressed, size - len(content))
            if not compressed and not unpacked:
                raise EOFError("Compressed file ended before the end-of-stream marker was reached")
            content += unpacked
            self._unread = self._member.unconsumed_tail or self._member.unused_data
        return bytes(content)

    def _start_next_member(self):
        """After a member's end: skip the zeros that may pad it and start the next; False at the file's end."""
        padding = 0
        while True:
            rest = self._unread.lstrip(b"\0")
            padding += len(self._unread) - len(rest)
            if padding > MAX_GZIP_PADDING:
                raise MyonnError(f"{self._path}: more than {MAX_GZIP_PADDING:,} bytes of zeros after its gzip "
                                 "data (padding), more than any MNIST file has")
            if rest:
                break
            self._unread = self._file.read(_GZIP_READ_BYTES)
            if not self._unread:
                return False
        self._unread = rest
        self._members += 1
        if self._members > MAX_GZIP_MEMBERS:
            raise MyonnError(f"{self._path}: more than {MAX_GZIP_MEMBERS:,} gzip members, "
                             "more than any MNIST file has")
        self._member = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        return True


def _check_idx_shape(path, shape):
    """MNIST's IDX files hold images (n, 28, 28) or labels (n,), with 1 <= n <= 70,000."""
    shown = "x".join(map(str, shape))
    if len(shape) == 3 and shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise MyonnError(f"{shortened(path)}: images are {shown}, expected n x 28 x 28")
    if len(shape) not in (1, 3):
        # A header may give up to 255 sizes: all of them would make a line of 500 characters and more.
        described = shown if len(shape) <= 4 else f"{len(shape)} dimensions"
        raise MyonnError(f"{shortened(path)}: an IDX file of {described}; MNIST holds images (n x 28 x 28) or "
                         f"labels (n)")
    if shape[0] > MAX_DIGITS:
        raise MyonnError(f"{shortened(path)}: header says {shown}: {shape[0]:,} digits, more than MNIST's "
                         f"{MAX_DIGITS:,}")
    if shape[0] == 0:
        raise MyonnError(f"{shortened(path)}: holds no digits (its header says {shown})")


def read_csv(path):
    """The talk's CSV: one digit per line, its label then 784 pixel values 0-255.

    A first line starting with "label" (a column header) is skipped. At most 70,000 digits are read,
    and no line longer than MAX_CSV_LINE_BYTES.
    Returns (images, labels): uint8 arrays shaped (n, 28, 28) and (n,).
    """
    path = pathlib.Path(path)
    with _open_data_file(path) as file:
        size = os.fstat(file.fileno()).st_size
        if size > MAX_CSV_BYTES:
            raise MyonnError(f"{shortened(path)}: {size:,} bytes is more than {MAX_DIGITS:,} digits of CSV can take")
        content = _read_all(path, file)
    content = content.replace(b"\r\n", b"\n").rstrip()
    has_header = content.startswith(b"label")
    # Counted before the content is split: as a list, 73 million short lines would take 4.5 GB.
    line_count = content.count(b"\n") + 1
    if has_header:
        line_count -= 1
    if line_count > MAX_DIGITS:
        raise MyonnError(f"{shortened(path)}: {line_count:,} lines, more than MNIST's {MAX_DIGITS:,} digits")
    lines = content.split(b"\n")
    del content  # the lines hold it all again: keep only one copy
    first_line_number = 1
    if has_header:
        lines, first_line_number = lines[1:], 2
    for line_number, line in enumerate(lines, start=first_line_number):  # before any line is split into values
        if len(line) > MAX_CSV_LINE_BYTES:
            raise MyonnError(f"{shortened(path)}, line {line_number}: {len(line):,} bytes, too long for a label and "
                             f"784 pixels ({MAX_CSV_LINE_BYTES:,} at most)")

    # A thousand lines at a time, so that the int64 values (which show a value beyond 255 for what it
    # is) never need more than a few MB.
    chunks = []
    for start in range(0, len(lines), 1000):
        chunk = lines[start : start + 1000]
        values = _parse_csv_quickly(b"\n".join(chunk), chunk)
        if values is None:
            values = _parse_csv_line_by_line(path, chunk, first_line_number + start)
        chunks.append(values.astype(np.uint8))
    values = np.concatenate(chunks) if chunks else np.empty((0, CSV_VALUES_PER_LINE), dtype=np.uint8)
    if len(values) == 0:
        raise MyonnError(f"{shortened(path)}: holds no digits (an empty CSV file)")
    return values[:, 1:].reshape(-1, IMAGE_SIDE, IMAGE_SIDE), values[:, 0].copy()


def download_mnist(data_dir, mirrors=None, names=None, progress=True, expected_md5=None):
    """Fetch MNIST IDX files into data_dir as <name>.gz, each checked before it is put in place.

    mirrors: base URLs tried in turn; None means $MYONN_MIRRORS (comma-separated) or MIRRORS.
    names: which of the four files to fetch (e.g. "train-images-idx3-ubyte");
        None means every one not already in data_dir.
    progress: show a tqdm progress bar per file.
    expected_md5: name -> MD5 of the decompressed file; None means MNIST_MD5.
    A mirror that fails (HTTP error, no connection, timeout, a file that fails the MD5 or that read_idx
    refuses, more than MAX_DOWNLOAD_BYTES, longer than DOWNLOAD_DEADLINE_S)
    is skipped for the next one, and noted on stderr once one works; when all fail, MyonnError
    (one line naming every failure).
    A failed or interrupted download leaves nothing behind in data_dir, nor data_dir where it made it.
    """
    data_dir = pathlib.Path(data_dir)
    mirrors = _mirrors_to_try() if mirrors is None else list(mirrors)
    expected_md5 = MNIST_MD5 if expected_md5 is None else expected_md5
    if names is None:
        names = [name for name in expected_md5 if _find_idx_file(data_dir, name) is None]
    made = _missing_folders(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MyonnError(f"{shortened(data_dir)}: cannot create the data directory ({error.strerror})") from None

    try:
        for name in names:
            name = name.removesuffix(".gz")
            if name not in expected_md5:
                raise MyonnError(f"cannot download {name}: not one of {', '.join(expected_md5)}")
            destination = data_dir / (name + ".gz")
            if (status := _status(destination)) is not None and stat.S_ISDIR(status.st_mode):
                raise MyonnError(f"{shortened(destination)}: is a directory where the downloaded file should go")
            failures = []
            for mirror in mirrors:
                url = mirror.rstrip("/") + "/" + name + ".gz"
                failure = _download_one(url, destination, expected_md5[name], progress)
                if failure is None:
                    # Mirrors that failed first are worth knowing about, but only once one worked:
                    # when all fail, the single error line below carries every reason.
                    for earlier in failures:
                        print(printable(f"myonn: note: could not get {earlier}"), file=sys.stderr)  # a mirror's words
                    break
                # One line however the reason is worded: urllib's error for a redirect loop runs over three.
                failures.append(f"{url}: {' '.join(failure.split())}")
            else:
                tried = "; ".join(failures) if failures else "no mirrors given"
                raise MyonnError(f"could not download {name}.gz: no mirror could be reached ({tried})")
    finally:
        # The folders made here go again if they are left empty: the download failed, or had nothing to get.
        # rmdir takes only an empty folder, so nothing downloaded (nor put there meanwhile) goes with them.
        for folder in made:
            try:
                folder.rmdir()
            except OSError:
                pass


def _download_one(url, destination, expected_md5, progress):
    """Stream url into a temporary file beside destination, check it, move it into place.

    Returns None on success, else a few words saying what went wrong. Bounded in bytes (no MNIST file
    is larger than MAX_DOWNLOAD_BYTES) and in time (DOWNLOAD_DEADLINE_S for the whole file).
    """
    deadline = time.monotonic() + DOWNLOAD_DEADLINE_S
    not_a_file = _not_a_regular_file(url)
    if not_a_file:
        return not_a_file
    try:
        file_descriptor, temporary_name = tempfile.mkstemp(
            dir=for_tempfile(destination.parent), prefix=f".{destination.name}.", suffix=".part"
        )
    except OSError as error:  # no mirror can help with this
        raise MyonnError(f"{shortened(destination.parent)}: cannot write there ({error.strerror})") from None
    temporary_path = pathlib.Path(temporary_name)
    try:
        with os.fdopen(file_descriptor, "wb") as temporary_file:
            try:
                with _urlopen_by(url, deadline) as response:
                    size = response.headers.get("Content-Length")
                    expected_bytes = int(size) if size and size.isdigit() else None
                    too_much = f"sent more than {MAX_DOWNLOAD_BYTES:,} bytes (no MNIST file is that large)"
                    if expected_bytes is not None and expected_bytes > MAX_DOWNLOAD_BYTES:
                        return too_much
                    received_bytes = 0
                    with tqdm(
                        total=expected_bytes,
                        unit="B",
                        unit_scale=True,
                        unit_divisor=1024,
                        desc=destination.name,
                        disable=not progress,
                    ) as bar:
                        # read1 returns what one read of the connection brings, so the deadline
                        # is checked however slowly the bytes come.
                        while chunk := response.read1(1 << 16):
                            try:
                                temporary_file.write(chunk)
                            except OSError as error:  # as MyonnError, past the mirror's handlers below
                                raise _cannot_write(destination, error) from None
                            received_bytes += len(chunk)
                            bar.update(len(chunk))
                            if received_bytes > MAX_DOWNLOAD_BYTES:
                                return too_much
                            if time.monotonic() > deadline:
                                return f"took longer than {DOWNLOAD_DEADLINE_S} s"
                # urllib returns a short body without complaint when the server hangs up.
                if expected_bytes is not None and received_bytes != expected_bytes:
                    return f"connection closed after {received_bytes} of {expected_bytes} bytes"
            except urllib.error.HTTPError as error:
                return f"HTTP {error.code} {error.reason}"
            except urllib.error.URLError as error:
                return str(error.reason)
            except (OSError, http.client.HTTPException, ValueError) as error:
                return str(error) or type(error).__name__
        try:
            actual_md5 = _md5_of_decompressed(temporary_path)
            # Read as every later run will read it, too: real MNIST padded with 5 MB of zeros after its
            # gzip data passed the MD5, was put in place, and was then refused by every run.
            read_idx(temporary_path)
        except (EOFError, OSError, zlib.error) as error:
            return f"not a valid gzip file ({error})"
        except ValueError as error:  # a gzip bomb
            return str(error)
        except MyonnError as error:  # read_idx's own words, less the temporary file's name
            return str(error).removeprefix(f"{temporary_path}: ")
        if actual_md5 != expected_md5:
            return f"MD5 of the unzipped file is {actual_md5}, expected {expected_md5}"
        # mkstemp's file is private (0600): in a data folder shared with others, they could not read it.
        os.chmod(temporary_path, shared_file_mode())
        os.replace(temporary_path, destination)
        return None
    except OSError as error:  # closing the file, or moving it into place (the network's errors are caught above)
        raise _cannot_write(destination, error) from None
    finally:
        temporary_path.unlink(missing_ok=True)


def _cannot_write(path, error):
    """The error for a download that cannot be written here (a full disk, say). It stops the download at
    once: no mirror can help with it, and it was taken for each mirror's failure, each downloaded again."""
    return MyonnError(f"cannot write {shortened(path)}: {error.strerror or error}")


def shared_file_mode():
    """The permissions a new file gets from open(): read and write for all, less the umask's (which
    only setting one tells). For files written to a temporary name first, which starts private (0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _not_a_regular_file(url):
    """For a file: mirror (a copy on a USB stick, say), a few words when its file is not a regular file,
    else None: urllib would open a named pipe and wait for a writer until the deadline, ten minutes."""
    try:
        if urllib.parse.urlsplit(url).scheme.lower() != "file":
            return None
        # The very file urllib opens: its selector, which keeps a '?' in the path, as a folder name may.
        regular = stat.S_ISREG(os.stat(urllib.request.url2pathname(urllib.request.Request(url).selector)).st_mode)
    except (OSError, ValueError):  # not there, or no URL at all ('http://[::1/'): urllib says so in its own words
        return None
    return None if regular else "not a regular file"


def _urlopen_by(url, deadline):
    """urllib.request.urlopen(url), or TimeoutError once time.monotonic() passes deadline.

    urlopen's own timeout bounds each read, not the whole: a server that sends its headers a byte at a
    time (http.client takes 100 header lines of 64 KB each) would hold it for days. So it runs in a thread
    of its own, which is left behind at the deadline: a daemon thread, it ends when the connection does,
    or with the program.
    """
    outcome = []  # the response, or what urlopen raised

    def open_url():
        try:
            outcome.append(urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S))
        except BaseException as error:  # raised again below, in the caller's thread
            outcome.append(error)

    opener = threading.Thread(target=open_url, daemon=True)
    opener.start()
    # Tenth-of-a-second naps, so that Ctrl-C is heard at once (on Windows a long wait would not hear it).
    while opener.is_alive() and time.monotonic() < deadline:
        opener.join(0.1)
    if not outcome:
        raise TimeoutError(f"took longer than {DOWNLOAD_DEADLINE_S} s")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _md5_of_decompressed(path):
    """MD5 hex digest of a gzip file's content, read in chunks to keep memory small.

    ValueError if it unpacks to more than any MNIST file (a gzip bomb would otherwise take minutes).
    """
    digest = hashlib.md5()
    unpacked_bytes = 0
    with open(path, "rb") as file:
        unzipped = _GzipContent(path, file)
        while chunk := unzipped.read(1 << 20):
            digest.update(chunk)
            unpacked_bytes += len(chunk)
            if unpacked_bytes > MAX_IDX_BYTES:
                raise ValueError(f"unzips to more than {MAX_IDX_BYTES:,} bytes (no MNIST file is that large)")
    return digest.hexdigest()


def _mirrors_to_try():
    from_environment = os.environ.get("MYONN_MIRRORS", "")
    chosen = [url.strip() for url in from_environment.split(",") if url.strip()]
    return chosen or list(MIRRORS)


def _missing_folders(folder):
    """folder and each folder above it that is not there yet, deepest first: what mkdir(parents=True) makes."""
    missing = []
    while _status(folder) is None and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _find_idx_file(data_dir, name):
    """The path of IDX file `name` in data_dir, plain or .gz, or None.

    Also accepts the dotted spelling some copies use (train-images.idx3-ubyte).
    """
    dotted = name.replace("-idx", ".idx")
    for candidate in (name + ".gz", name, dotted + ".gz", dotted):
        path = data_dir / candidate
        if _is_data_file(path):
            return path
    return None


def _check_idx_pair(images, labels, images_path, labels_path):
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        shape = "x".join(map(str, images.shape))
        raise MyonnError(f"{images_path}: images are {shape}, expected n x 28 x 28")
    if labels.ndim != 1:
        shape = "x".join(map(str, labels.shape))
        raise MyonnError(f"{labels_path}: labels are {shape}, expected a flat list")
    if len(images) != len(labels):
        raise MyonnError(
            f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels"
        )


def _status(path):
    """os.stat of path, None if nothing is there; MyonnError if it cannot be looked at (a name too long
    for the system, a folder we may not enter)."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise MyonnError(f"{shortened(path)}: cannot read ({error.strerror or error})") from None


def _is_data_file(path):
    """Whether a data file is at path: False if nothing is, MyonnError if something else is (a directory)."""
    status = _status(path)
    if status is None:
        return False
    if stat.S_ISDIR(status.st_mode):
        raise MyonnError(f"{shortened(path)}: is a directory, expected a file")
    if not stat.S_ISREG(status.st_mode):  # a FIFO or a device would block, or never end
        raise MyonnError(f"{shortened(path)}: not a regular file")
    return True


def _open_data_file(path):
    """path opened for reading in binary, or MyonnError saying why it cannot be."""
    if not _is_data_file(path):
        raise MyonnError(f"{shortened(path)}: no such file")
    try:
        return open(path, "rb")
    except OSError as error:
        raise MyonnError(f"{shortened(path)}: cannot read ({error.strerror or error})") from None


def _read_all(path, file):
    try:
        return file.read()
    except OSError as error:
        raise MyonnError(f"{shortened(path)}: cannot read ({error.strerror or error})") from None


def _parse_csv_quickly(text, lines):
    """Values (n, 785) as int64 if the CSV is plain digits, commas and newlines, and all in range.

    Returns None at the first sign of anything else, leaving the line-by-line parser
    to find and name the offending line (or to accept spacing it can read).
    """
    if any(line.count(b",") != CSV_VALUES_PER_LINE - 1 for line in lines):
        return None
    if text.translate(None, b"0123456789,\n"):
        return None
    # int64 so that an absurdly long number saturates instead of wrapping into 0-255.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # NumPy 1.x: stops early, warns
            values = np.fromstring(text.replace(b"\n", b","), dtype=np.int64, sep=",")
    except ValueError:  # NumPy 2.x: an empty value
        return None
    if values.size != len(lines) * CSV_VALUES_PER_LINE:
        return None
    values = values.reshape(len(lines), CSV_VALUES_PER_LINE)
    if values.max() > 255 or values[:, 0].max() > 9:
        return None
    return values


def _parse_csv_line_by_line(path, lines, first_line_number):
    """The slow, exact parse: values (n, 785) as int64, or MyonnError naming the first bad line.

    Blank lines are skipped (n may be 0); spaces around values are allowed.
    """
    rows = [np.empty((0, CSV_VALUES_PER_LINE), dtype=np.int64)]
    for line_number, line in enumerate(lines, start=first_line_number):
        if not line.strip():
            continue
        plain_row = _parse_csv_quickly(line, [line])  # most lines are fine: check them fast too
        if plain_row is not None:
            rows.append(plain_row)
            continue
        fields = line.split(b",")
        where = f"{shortened(path)}, line {line_number}"
        if len(fields) != CSV_VALUES_PER_LINE:
            raise MyonnError(
                f"{where}: {len(fields)} values, expected {CSV_VALUES_PER_LINE} "
                f"(a label, then 28x28 pixels)"
            )
        row = []
        for field in fields:
            digits = field.strip()
            if not digits.isdigit():  # int() alone would also take "1_0" and "+1"
                shown = digits.decode("utf-8", "replace")
                raise MyonnError(f"{where}: {echoed(shown)} is not a number 0-255")
            significant = digits.lstrip(b"0") or b"0"
            if len(significant) > 3 or int(significant) > 255:  # int() refuses over 4,300 digits: not asked
                shown = significant.decode() if len(significant) <= 40 else \
                    f"{significant[:10].decode()}... ({len(significant):,} digits)"
                raise MyonnError(f"{where}: value {shown} is outside 0-255")
            value = int(significant)
            row.append(value)
        if row[0] > 9:
            raise MyonnError(f"{where}: label {row[0]} is not a digit 0-9")
        rows.append(np.array([row], dtype=np.int64))
    return np.concatenate(rows)
