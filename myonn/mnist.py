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
import gzip
import hashlib
import http.client
import math
import os
import pathlib
import sys
import tempfile
import urllib.error
import urllib.request
import warnings
import zlib

import numpy as np
from tqdm import tqdm

from myonn.errors import MyonnError

TRAIN, TEST = "train", "test"

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

DOWNLOAD_TIMEOUT_S = 30
IMAGE_SIDE = 28
CSV_VALUES_PER_LINE = 1 + IMAGE_SIDE * IMAGE_SIDE  # a label, then the pixels row by row

_GZIP_MAGIC = b"\x1f\x8b"
_IDX_UNSIGNED_BYTE = 0x08


def project_data_dir():
    """<project root>/data, where downloads go when nothing else is said."""
    return pathlib.Path(__file__).resolve().parent.parent / "data"


def default_data_dir():
    """$MYONN_DATA_DIR if it is set and non-empty, else project_data_dir()."""
    from_environment = os.environ.get("MYONN_DATA_DIR", "")
    return pathlib.Path(from_environment) if from_environment else project_data_dir()


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
    data_dir = pathlib.Path(data_dir) if data_dir is not None else default_data_dir()
    if data_dir.exists() and not data_dir.is_dir():
        raise MyonnError(f"{data_dir}: MNIST data directory is not a directory")

    names = MNIST_FILES[kind]
    found = [_find_idx_file(data_dir, name) for name in names]
    csv_path = data_dir / CSV_FILES[kind]
    if None in found and not csv_path.is_file():
        missing = [name for name, path in zip(names, found) if path is None]
        wanted = f"{' and '.join(name + '.gz' for name in missing)} (or {CSV_FILES[kind]})"
        if not download:
            raise MyonnError(f"MNIST not found: put {wanted} in {data_dir} (downloading is off)")
        try:
            download_mnist(data_dir, names=missing)
        except MyonnError as error:
            raise MyonnError(f"MNIST not found: put {wanted} in {data_dir} ({error})") from None
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
    """The array stored in an IDX file (gzipped or not), shaped as its header says.

    IDX layout: two zero bytes, a data-type byte (only 0x08, unsigned byte, is read here),
    the number of dimensions d, then d big-endian uint32 sizes, then the data, row-major.
    Returns a writable uint8 ndarray, e.g. (60000, 28, 28) for train-images-idx3-ubyte.
    """
    path = pathlib.Path(path)
    content = _read_bytes(path)
    if content[:2] == _GZIP_MAGIC:
        try:
            content = gzip.decompress(content)
        except (EOFError, OSError, zlib.error) as error:
            raise MyonnError(f"{path}: corrupt or truncated gzip file ({error})") from None

    if len(content) < 4:
        raise MyonnError(f"{path}: truncated IDX file ({len(content)} bytes, no room for a header)")
    magic = int.from_bytes(content[:4], "big")
    data_type, dimension_count = content[2], content[3]
    if content[:2] != b"\0\0" or data_type != _IDX_UNSIGNED_BYTE or dimension_count == 0:
        raise MyonnError(
            f"{path}: not an IDX file of bytes (magic number 0x{magic:08X}; "
            f"MNIST files start 0x00000801 or 0x00000803)"
        )

    header_size = 4 + 4 * dimension_count
    if len(content) < header_size:
        raise MyonnError(f"{path}: truncated IDX file (header cut short)")
    shape = tuple(
        int.from_bytes(content[offset : offset + 4], "big") for offset in range(4, header_size, 4)
    )
    expected_size = math.prod(shape)
    actual_size = len(content) - header_size
    if actual_size != expected_size:
        problem = "truncated IDX file" if actual_size < expected_size else "IDX file too long"
        raise MyonnError(
            f"{path}: {problem} (header says {'x'.join(map(str, shape))} = {expected_size} bytes "
            f"of data, file has {actual_size})"
        )
    # frombuffer reads the bytes in place; copy() gives callers an array they may write to.
    return np.frombuffer(content, dtype=np.uint8, offset=header_size).reshape(shape).copy()


def read_csv(path):
    """The talk's CSV: one digit per line, its label then 784 pixel values 0-255.

    A first line starting with "label" (a column header) is skipped.
    Returns (images, labels): uint8 arrays shaped (n, 28, 28) and (n,).
    """
    path = pathlib.Path(path)
    text = _read_bytes(path).replace(b"\r\n", b"\n").rstrip()
    lines = text.split(b"\n")
    first_line_number = 1
    if lines[0].startswith(b"label"):
        lines, first_line_number = lines[1:], 2
        text = b"\n".join(lines)
    if not text or not lines:
        raise MyonnError(f"{path}: no digits in this CSV file")

    values = _parse_csv_quickly(text, lines)
    if values is None:
        values = _parse_csv_line_by_line(path, lines, first_line_number)
    return (
        values[:, 1:].astype(np.uint8).reshape(-1, IMAGE_SIDE, IMAGE_SIDE),
        values[:, 0].astype(np.uint8),
    )


def download_mnist(data_dir, mirrors=None, names=None, progress=True, expected_md5=None):
    """Fetch MNIST IDX files into data_dir as <name>.gz, each checked before it is put in place.

    mirrors: base URLs tried in turn; None means $MYONN_MIRRORS (comma-separated) or MIRRORS.
    names: which of the four files to fetch (e.g. "train-images-idx3-ubyte");
        None means every one not already in data_dir.
    progress: show a tqdm progress bar per file.
    expected_md5: name -> MD5 of the decompressed file; None means MNIST_MD5.
    A mirror that fails (HTTP error, no connection, timeout, a file that fails the check)
    is skipped for the next one, and noted on stderr once one works; when all fail, MyonnError
    (one line naming every failure).
    A failed or interrupted download leaves nothing behind in data_dir.
    """
    data_dir = pathlib.Path(data_dir)
    mirrors = _mirrors_to_try() if mirrors is None else list(mirrors)
    expected_md5 = MNIST_MD5 if expected_md5 is None else expected_md5
    if names is None:
        names = [name for name in expected_md5 if _find_idx_file(data_dir, name) is None]
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MyonnError(f"{data_dir}: cannot create the data directory ({error.strerror})") from None

    for name in names:
        name = name.removesuffix(".gz")
        if name not in expected_md5:
            raise MyonnError(f"cannot download {name}: not one of {', '.join(expected_md5)}")
        failures = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name + ".gz"
            failure = _download_one(url, data_dir / (name + ".gz"), expected_md5[name], progress)
            if failure is None:
                # Mirrors that failed first are worth knowing about, but only once one worked:
                # when all fail, the single error line below carries every reason.
                for earlier in failures:
                    print(f"myonn: note: could not get {earlier}", file=sys.stderr)
                break
            failures.append(f"{url}: {failure}")
        else:
            tried = "; ".join(failures) if failures else "no mirrors given"
            raise MyonnError(f"could not download {name}.gz: no mirror could be reached ({tried})")


def _download_one(url, destination, expected_md5, progress):
    """Stream url into a temporary file beside destination, check it, move it into place.

    Returns None on success, else a few words saying what went wrong.
    """
    try:
        file_descriptor, temporary_name = tempfile.mkstemp(
            dir=destination.parent, prefix=f".{destination.name}.", suffix=".part"
        )
    except OSError as error:  # no mirror can help with this
        raise MyonnError(f"{destination.parent}: cannot write there ({error.strerror})") from None
    temporary_path = pathlib.Path(temporary_name)
    try:
        with os.fdopen(file_descriptor, "wb") as temporary_file:
            try:
                with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
                    size = response.headers.get("Content-Length")
                    expected_bytes = int(size) if size and size.isdigit() else None
                    received_bytes = 0
                    with tqdm(
                        total=expected_bytes,
                        unit="B",
                        unit_scale=True,
                        unit_divisor=1024,
                        desc=destination.name,
                        disable=not progress,
                    ) as bar:
                        while chunk := response.read(1 << 16):
                            temporary_file.write(chunk)
                            received_bytes += len(chunk)
                            bar.update(len(chunk))
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
        except (EOFError, OSError, zlib.error) as error:
            return f"not a valid gzip file ({error})"
        if actual_md5 != expected_md5:
            return f"MD5 of the unzipped file is {actual_md5}, expected {expected_md5}"
        os.replace(temporary_path, destination)
        return None
    finally:
        temporary_path.unlink(missing_ok=True)


def _md5_of_decompressed(path):
    """MD5 hex digest of a gzip file's content, read in chunks to keep memory small."""
    digest = hashlib.md5()
    with gzip.open(path, "rb") as unzipped:
        while chunk := unzipped.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _mirrors_to_try():
    from_environment = os.environ.get("MYONN_MIRRORS", "")
    chosen = [url.strip() for url in from_environment.split(",") if url.strip()]
    return chosen or list(MIRRORS)


def _find_idx_file(data_dir, name):
    """The path of IDX file `name` in data_dir, plain or .gz, or None.

    Also accepts the dotted spelling some copies use (train-images.idx3-ubyte).
    """
    dotted = name.replace("-idx", ".idx")
    for candidate in (name + ".gz", name, dotted + ".gz", dotted):
        path = data_dir / candidate
        if path.is_file():
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


def _read_bytes(path):
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise MyonnError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise MyonnError(f"{path}: is a directory, expected a file") from None
    except OSError as error:
        raise MyonnError(f"{path}: cannot read ({error.strerror})") from None


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

    Blank lines are skipped; spaces around values are allowed.
    """
    rows = []
    for line_number, line in enumerate(lines, start=first_line_number):
        if not line.strip():
            continue
        plain_row = _parse_csv_quickly(line, [line])  # most lines are fine: check them fast too
        if plain_row is not None:
            rows.append(plain_row[0])
            continue
        fields = line.split(b",")
        where = f"{path}, line {line_number}"
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
                raise MyonnError(f"{where}: {shown!r} is not a number 0-255")
            value = int(digits)
            if value > 255:
                raise MyonnError(f"{where}: value {value} is outside 0-255")
            row.append(value)
        if row[0] > 9:
            raise MyonnError(f"{where}: label {row[0]} is not a digit 0-9")
        rows.append(row)
    if not rows:
        raise MyonnError(f"{path}: no digits in this CSV file")
    return np.array(rows, dtype=np.int64)
