"""A trained digit recogniser on disk: the network's weights plus how its inputs were prepared.

One save format, `.npz` (NumPy's zip of arrays, read back without pickle), written atomically: the
file is written beside its destination under a temporary name and renamed over it only once complete,
so an interrupted save never destroys the model that was there.

A model saved by the talk's Ruby code (its YAML file) loads too, so a trained `mnist_nn.yaml` can be
brought over.
"""

import functools
import io
import json
import math
import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from myonn.errors import MyonnError, shortened
from myonn.inputs import PLAIN, network_input
from myonn.mnist import project_data_dir, shared_file_mode
from myonn.network import CROSS_ENTROPY, SQUARED_ERROR, NeuralNetwork
from myonn.paths import for_tempfile, in_a_circle

FORMAT_VERSION = 1


def shipped_model_path():
    """data/mnist_nn.npz at the project root, where the shipped model lives (load_model() loads it)."""
    return project_data_dir() / "mnist_nn.npz"


@dataclass
class Model:
    """A network and the input preparation it was trained with (see myonn/inputs.py).

    info: free-form facts about its training (epochs, test accuracy, ...), kept in the file.
    """
    network: NeuralNetwork
    preparation: dict = field(default_factory=lambda: dict(PLAIN))
    info: dict = field(default_factory=dict)

    def network_input(self, pixels):
        """Pixels (28, 28), (784,) or a batch of them, prepared exactly as this model expects."""
        return network_input(pixels, self.preparation)

    def scores(self, pixels):
        """Output activations (10,) or (n, 10) for grey-level images 0..255 (ink = 255)."""
        return self.network.query(self.network_input(pixels))

    def recognise(self, pixels):
        """The digit (or digits, for a batch) the network's strongest output names."""
        return np.argmax(self.scores(pixels), axis=-1)


def save_model(model, path):
    """Write the model to `path` (.npz) atomically. Returns the Path written."""
    path = Path(path)
    network = model.network
    arrays = {
        "format_version": np.array(FORMAT_VERSION),
        "layer_sizes": np.array([network.input_nodes, network.hidden_nodes, network.output_nodes]),
        "learning_rate": np.array(network.learning_rate, dtype=np.float64),
        "cost": np.array(network.cost),
        "input_weights": network.input_weights,
        "output_weights": network.output_weights,
        "preparation": np.array(json.dumps(model.preparation)),
        "info": np.array(_info_that_loads(model.info)),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=for_tempfile(path.parent), prefix=f".{path.name}.", suffix=".tmp",
                                             delete=False)
    except OSError as error:
        raise MyonnError(f"cannot write model {shortened(path)}: {error.strerror or error}") from None
    try:
        with handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, shared_file_mode())  # a temporary file starts private (0600)
        os.replace(handle.name, path)
    except BaseException as error:  # KeyboardInterrupt included: never leave the temporary file behind
        Path(handle.name).unlink(missing_ok=True)
        interrupt = _interrupt_behind(error)
        if interrupt is not None and interrupt is not error:
            # A Ctrl-C or kill inside np.savez, as zipfile opened a member, comes out as zipfile's
            # ValueError ("Can't close the ZIP file while there is an open writing handle"): a traceback.
            raise interrupt from None
        if isinstance(error, OSError):
            raise MyonnError(f"cannot write model {shortened(path)}: {error.strerror or error}") from None
        raise
    return path


def _interrupt_behind(error):
    """The KeyboardInterrupt (Ctrl-C, or a kill as cli.Ended) that `error` is, or arose while handling."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt):
            return error
        seen.add(id(error))
        error = error.__context__
    return None


def _info_that_loads(info):
    """The info record as JSON text that load_model accepts again. This project's records are a few
    hundred characters; only one edited by hand, carried on by --resume, comes near the limit. Then its
    longest entries are left out, so that the model saved can still be loaded."""
    text = json.dumps(info)
    if len(text) <= MAX_RECORD_CHARACTERS:
        return text
    sizes = {key: len(json.dumps({key: value})) for key, value in info.items()}
    kept = dict(info)
    for key in sorted(sizes, key=sizes.get, reverse=True):
        del kept[key]
        text = json.dumps(kept)
        if len(text) <= MAX_RECORD_CHARACTERS:
            return text
    return "{}"


# What load_model accepts. A model here is a digit recogniser: 784 pixels in, one output per digit.
# The network itself takes any sizes (network.py), but every script feeds it MNIST digits, so a file of
# any other shape is refused when it is loaded, not halfway through a matrix product.
DIGIT_INPUTS, DIGIT_OUTPUTS = 784, 10
# Far beyond any model worth training here (the shipped one has 200), and small enough that no file can
# make loading claim more than a few hundred MB: a weight matrix is at most 784 × 10,000 numbers (63 MB).
MAX_HIDDEN_NODES = 10_000
MAX_WEIGHTS = DIGIT_INPUTS * MAX_HIDDEN_NODES
# The preparation and info records are short JSON texts; a million characters is already absurd.
MAX_RECORD_CHARACTERS = 1_000_000
# This project writes 8 arrays; a zip of thousands of members is not a model.
MAX_NPZ_MEMBERS = 64
# The zip's index (its central directory) lists each member in 46 bytes and its name: a kilobyte each
# is ample. zipfile reads the whole index at once, as large as the file says it is.
MAX_NPZ_INDEX_BYTES = MAX_NPZ_MEMBERS * 1024
# The largest model loading accepts is two float64 matrices of at most MAX_WEIGHTS numbers (63 MB) and
# two records of a million characters (4 bytes each): a file far larger is not a model.
MAX_NPZ_BYTES = 128 * 2**20
# A model's file name ends in one of these: this project's .npz, or the Ruby original's YAML.
RUBY_YAML_SUFFIXES = (".yaml", ".yml")
MODEL_SUFFIXES = (".npz",) + RUBY_YAML_SUFFIXES
# The talk's model (784-200-10) is 3.9 MB of YAML, about 25 bytes per number as Ruby writes them, so
# 16 MB holds a model of about 830 hidden nodes (660,000 numbers).
MAX_RUBY_YAML_BYTES = 16 * 2**20
# What PyYAML's loading costs is its nodes, one per value, list or mapping: a few hundred bytes and
# several µs each. 16 MB of the shortest values ("0,") are 8 million nodes, 3 GB and a minute, so the
# nodes are bounded too, with room for the longest Ruby model's numbers, keys and nested rows: the
# worst file within both bounds costs about 500 MB and 8 s.
MAX_RUBY_YAML_NODES = 800_000
# The Ruby model nests three levels deep (model, matrix, list of numbers).
MAX_RUBY_YAML_DEPTH = 16
# Ruby writes each number in at most 25 characters (-1.2345678901234567e-123). A longer value is no
# model's, and would cost: PyYAML reads a value such as 1:2:3:… (base 60) in time growing with the
# square of its length, and a whole number of thousands of digits cannot even be printed.
MAX_RUBY_YAML_VALUE = 100
# SciPy's name for the logistic sigmoid is expit, and the Ruby original took the name from there.
SIGMOID_NAMES = ("sigmoid", "expit", "logistic")


def load_model(path=None):
    """Read a model from `.npz` (this project) or `.yaml`/`.yml` (the talk's Ruby code).

    Any problem (missing, truncated, malformed, absurdly large, not a digit recogniser of 784 inputs and
    10 outputs) raises MyonnError: one line naming the file. Nothing is read beyond what a model can
    hold, so a hostile file costs neither unbounded memory nor time.
    """
    path = Path(path) if path is not None else shipped_model_path()
    size = _model_file_size(path)
    if path.suffix.lower() in RUBY_YAML_SUFFIXES:
        return _load_ruby_yaml(path, size)
    return _load_npz(path, size)


def _model_file_size(path):
    """The size of the model file at `path`, or MyonnError if it is not a regular file we can see."""
    try:
        status = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        # Training writes .npz: a missing .yaml is one the talk's Ruby code saved, somewhere else.
        hint = ("a model saved by the talk's Ruby code: give the path to its file" if path.suffix.lower()
                in RUBY_YAML_SUFFIXES else "train one with: python mnist_train.py")
        raise MyonnError(f"model not found: {shortened(path)} ({hint})") from None  # --model ' ': a name to be seen
    except OSError as error:  # e.g. ENAMETOOLONG, which pathlib's is_file() raises too
        why = in_a_circle(path, leads_to="file") or error.strerror or error  # "Too many levels of symbolic links"
        raise MyonnError(f"{shortened(path)}: cannot read ({why})") from None
    if stat.S_ISDIR(status.st_mode):
        raise MyonnError(f"{shortened(path)}: is a directory, not a model file")
    if not stat.S_ISREG(status.st_mode):  # a FIFO or device would block or never end
        raise MyonnError(f"{shortened(path)}: not a regular file, so not a model file")
    return status.st_size


# ------------------------------------------------------------------------------------------- .npz

# What each array of a model file may be, checked from its .npy header before its data is read.
_NPZ_MEMBERS = {
    "input_weights": "matrix", "output_weights": "matrix", "layer_sizes": "sizes",
    "format_version": "whole number", "learning_rate": "number",
    "cost": "text", "preparation": "text", "info": "text",
}
_EXPECTED = {
    "matrix": "a matrix of floating-point numbers (of 16, 32 or 64 bits)", "sizes": "three whole numbers",
    "whole number": "one whole number", "number": "one number", "text": "text",
}
_KIND_NAMES = {"f": "floating-point numbers", "i": "whole numbers", "u": "whole numbers", "U": "text",
               "S": "bytes", "O": "Python objects", "b": "true/false values", "c": "complex numbers"}
_NPY_MAX_HEADER_BYTES = 10_000  # NumPy's own limit for safe loading


def _load_npz(path, size):
    if size > MAX_NPZ_BYTES:
        raise MyonnError(f"{shortened(path)}: {size:,} bytes is more than a model file holds (at most "
                         f"{MAX_NPZ_BYTES:,})")
    try:
        with open(path, "rb") as file:
            _check_zip_index(path, file)
            try:
                archive = zipfile.ZipFile(file)
            except OSError:
                raise
            # Not only BadZipFile: zipfile's index reader lets others out for a damaged index (a member's
            # name marked UTF-8 that is not: UnicodeDecodeError; "zip file version 6.4": NotImplementedError).
            except Exception as error:
                raise MyonnError(f"{shortened(path)}: not a model file (not a readable .npz archive: "
                                 f"{_first_line(error)})") from None
            with archive:
                stored = _read_model_arrays(path, archive)
    except OSError as error:
        raise MyonnError(f"{shortened(path)}: cannot read ({error.strerror or error})") from None
    return _model_from_arrays(path, stored)


def _first_line(error):
    """An exception's message, its first line only, or its type's name when it has none."""
    return str(error).splitlines()[0] if str(error).strip() else type(error).__name__


def _check_zip_index(path, file):
    """Refuse a zip that says it holds more than MAX_NPZ_MEMBERS members, or an index larger than they
    need, before zipfile reads that index (a 47 MB zip of a million empty members took zipfile 9 s and
    400 MB; a sparse file that claimed a 3 GB index, 3 GB). Both are in the zip's end record(s), read
    here from where zipfile reads them; a zip without an end record is zipfile's to refuse."""
    found = _zip_end_record(file)
    file.seek(0)
    if found is None:
        return
    members, index_bytes = found
    if members > MAX_NPZ_MEMBERS:
        raise MyonnError(f"{shortened(path)}: holds {members if members < 0xFFFF else 'over 65,000'} arrays; "
                         f"a model file holds at most {len(_NPZ_MEMBERS)}")
    if index_bytes > MAX_NPZ_INDEX_BYTES:
        raise MyonnError(f"{shortened(path)}: its index claims {index_bytes:,} bytes; a model file's needs at most "
                         f"{MAX_NPZ_INDEX_BYTES:,}")


def _zip_end_record(file):
    """(members, index bytes) as zipfile will take them, or None: the end record found as zipfile finds
    it (zipfile._EndRecData: the last 22 bytes if they are one without a comment, else the last of its
    signature in the last 64 KB and 22 bytes), and the Zip64 record that a locator just before it
    points to, whose numbers zipfile takes instead. Looked for any other way, a record placed to be
    seen by zipfile and not here let zipfile read a 130 MB index (1 GB, 30 s)."""
    def read(offset, count):
        file.seek(offset)
        return file.read(count)

    size = file.seek(0, os.SEEK_END)
    last = read(size - 22, 22) if size >= 22 else b""
    if last[:4] == b"PK\x05\x06" and last[-2:] == b"\0\0":
        end = size - 22
    else:
        window = max(size - 65_536 - 22, 0)
        tail = read(window, size - window)
        found = tail.rfind(b"PK\x05\x06")
        if found < 0 or len(tail) - found < 22:
            return None
        end = window + found
    record = read(end, 22)
    members = int.from_bytes(record[10:12], "little")          # all members (0xFFFF: see Zip64)
    index_bytes = int.from_bytes(record[12:16], "little")
    if end >= 76 and read(end - 20, 4) == b"PK\x06\x07":       # a Zip64 locator, then its record
        zip64 = read(end - 76, 56)
        if zip64[:4] == b"PK\x06\x06":
            members = max(members, int.from_bytes(zip64[32:40], "little"))
            index_bytes = max(index_bytes, int.from_bytes(zip64[40:48], "little"))
    return members, index_bytes


def _read_model_arrays(path, archive):
    """{name: array} for the model's arrays in the zip, each checked from its header before it is read.

    Members this project does not write are never read.
    """
    members = archive.namelist()
    if len(members) > MAX_NPZ_MEMBERS:
        raise MyonnError(f"{shortened(path)}: holds {len(members)} arrays; a model file holds at most "
                         f"{len(_NPZ_MEMBERS)}")
    stored = {}
    for member in members:
        name = member.removesuffix(".npy")
        if name not in _NPZ_MEMBERS:
            continue
        method = archive.getinfo(member).compress_type
        if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # NumPy writes members stored or deflated. zipfile bounds what it unpacks at a time for
            # deflate only: a 1.3 KB file of a bzip2 member took 3 GB, and LZMA packs 7,000 to 1.
            raise MyonnError(f"{shortened(path)}: {name} is packed by zip method {method}; a model's arrays are "
                             "stored or deflated")
        try:
            with archive.open(member) as stream:
                shape, fortran_order, dtype = _npy_header(stream)
                _check_npz_member(path, name, shape, dtype)
                stored[name] = _npy_data(stream, shape, fortran_order, dtype)
        except (MyonnError, OSError):  # OSError: the disk's, "cannot read", said by _load_npz
            raise
        # Not only ValueError: NumPy's header reader lets others out for a damaged header (a dtype of
        # 'f4,(': SyntaxError; of (('<f4',(2,)),): IndexError; a dict not closed: tokenize's TokenError).
        except Exception as error:
            raise MyonnError(f"{shortened(path)}: {name} is not a readable array ({_first_line(error)})") from None
    return stored


def _npy_header(stream):
    """(shape, fortran_order, dtype) from the header of the .npy file open in `stream`, which is left at its data.

    NumPy's header readers read as many bytes as the file says the header has (up to 4 GB) before
    checking the length, so the length is checked here first.
    """
    start = stream.read(8)  # b"\x93NUMPY", then the format's major and minor version
    if len(start) < 8 or start[:6] != b"\x93NUMPY" or (start[6], start[7]) not in ((1, 0), (2, 0)):
        raise ValueError("no .npy header of version 1.0 or 2.0")
    length_field = stream.read(2 if start[6] == 1 else 4)
    header_length = int.from_bytes(length_field, "little")
    if len(length_field) not in (2, 4) or header_length > _NPY_MAX_HEADER_BYTES:
        raise ValueError(f"a header of {header_length} bytes")
    header = io.BytesIO(start + length_field + stream.read(header_length))
    version = np.lib.format.read_magic(header)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran_order, dtype = read_header(header)
    # NumPy's reader accepts any whole numbers as sizes. A negative one is no array's, and would make the
    # count of bytes to read negative, which read() takes as "read everything".
    if any(size < 0 for size in shape):
        raise ValueError(f"its shape {shape} has a negative size")
    return shape, fortran_order, dtype


def _npy_data(stream, shape, fortran_order, dtype):
    """The array a .npy file holds after its header: exactly the bytes its shape needs, never more."""
    count = math.prod(shape)
    size = count * dtype.itemsize
    if size < 0:  # read(-n) reads to the end of the stream, however far that is; _npy_header refuses this
        raise ValueError(f"a negative size ({size} bytes)")
    data = stream.read(size)
    if len(data) != size:
        raise ValueError(f"cut short: {len(data)} of {size} bytes")
    array = np.frombuffer(data, dtype=dtype, count=count)
    return array.reshape(shape[::-1]).T if fortran_order else array.reshape(shape)


def _check_npz_member(path, name, shape, dtype):
    role = _NPZ_MEMBERS[name]
    fits = {
        "matrix": dtype.kind == "f" and dtype.itemsize <= 8 and len(shape) == 2,
        "sizes": dtype.kind in "iu" and shape == (3,),
        "whole number": dtype.kind in "iu" and shape == (),
        "number": dtype.kind in "iuf" and shape == (),
        "text": dtype.kind == "U" and shape == () and dtype.itemsize <= 4 * MAX_RECORD_CHARACTERS,
    }[role]
    if not fits:
        kind = _KIND_NAMES.get(dtype.kind, str(dtype))
        expected = _EXPECTED[role]
        if dtype.kind == "f" and dtype.itemsize > 8:
            kind = f"{dtype.itemsize * 8}-bit {kind}"
        described = f"an array of shape {shape} of {kind}" if shape else f"one value of {kind}"
        if dtype.kind == "U" and dtype.itemsize > 4 * MAX_RECORD_CHARACTERS:
            described = f"text of {dtype.itemsize // 4:,} characters"
            expected = f"at most {MAX_RECORD_CHARACTERS:,}"
        raise MyonnError(f"{shortened(path)}: {name} is {described}, expected {expected}")
    if role == "matrix" and math.prod(shape) > MAX_WEIGHTS:
        raise MyonnError(f"{shortened(path)}: {name} claims {'×'.join(map(str, shape))} weights, more than a model "
                         f"of at most {MAX_HIDDEN_NODES:,} hidden nodes has")


def _model_from_arrays(path, stored):
    missing = {"input_weights", "output_weights"} - stored.keys()
    if missing:
        raise MyonnError(f"{shortened(path)}: not a model file (no {', '.join(sorted(missing))})")
    version = int(stored.get("format_version", FORMAT_VERSION))
    if version > FORMAT_VERSION:
        raise MyonnError(f"{shortened(path)}: model format {version} is newer than this myonn understands "
                         f"({FORMAT_VERSION})")
    if version < 0:
        raise MyonnError(f"{shortened(path)}: format_version {version} is not a version of this format")
    input_weights, output_weights = stored["input_weights"], stored["output_weights"]
    if "layer_sizes" in stored:
        layer_sizes = tuple(int(size) for size in stored["layer_sizes"])
    else:  # the first myonn versions stored just the weights
        (hidden_nodes, input_nodes), output_nodes = input_weights.shape, output_weights.shape[0]
        layer_sizes = (input_nodes, hidden_nodes, output_nodes)
    learning_rate = float(stored.get("learning_rate", 0.1))
    if not 0 < learning_rate < math.inf:
        raise MyonnError(f"{shortened(path)}: learning_rate {learning_rate} is not a positive number")
    cost = str(stored.get("cost", SQUARED_ERROR))
    # Models saved before input preparation was recorded were trained on the plain scaling.
    preparation = _json_record(path, "preparation", stored.get("preparation"), dict(PLAIN))
    unknown_steps = preparation.keys() - PLAIN.keys()
    if unknown_steps or not all(type(preparation[step]) is type(PLAIN[step]) for step in preparation):
        raise MyonnError(f"{shortened(path)}: preparation {json.dumps(preparation)[:80]} is not a record of known "
                         f"input steps (e.g. {json.dumps(PLAIN)})")
    info = _json_record(path, "info", stored.get("info"), {})
    network = _network_from_weights(path, input_weights, output_weights, layer_sizes, learning_rate, cost)
    return Model(network, {**PLAIN, **preparation}, info)


def _json_record(path, name, text, default):
    """The dict a JSON text array holds (default when the file has none), or MyonnError."""
    if text is None:
        return default
    try:
        record = json.loads(str(text))
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        raise MyonnError(f"{shortened(path)}: damaged model file (unreadable {name} record)") from None
    if not isinstance(record, dict):
        found = {list: "a list", str: "text", type(None): "null", bool: "true/false"}.get(type(record), "a number")
        raise MyonnError(f"{shortened(path)}: {name} is {found} in JSON, expected a record ({{\"key\": value, ...}})")
    return record


# Finite weights can still overflow a layer's sums (784 of ±3e38 make inf − inf: every output NaN,
# and a window that cannot draw its bars); weights this large do not, and no network's come near.
LARGEST_WEIGHT = 1e30


def _network_from_weights(path, input_weights, output_weights, layer_sizes, learning_rate, cost):
    _check_digit_recogniser(path, layer_sizes)
    input_nodes, hidden_nodes, output_nodes = layer_sizes
    for name, weights, shape in (("input_weights", input_weights, (hidden_nodes, input_nodes)),
                                 ("output_weights", output_weights, (output_nodes, hidden_nodes))):
        if weights.shape != shape:
            raise MyonnError(f"{shortened(path)}: {name} has shape {weights.shape}, expected {shape}")
        if not np.issubdtype(weights.dtype, np.floating) or not np.isfinite(weights).all():
            raise MyonnError(f"{shortened(path)}: {name} is not a matrix of finite numbers")
        # As a Python float: compared with half-precision weights, NumPy would cast 1e30 to float16, where
        # it overflows (a RuntimeWarning printed over the output).
        if float(np.abs(weights).max()) > LARGEST_WEIGHT:
            raise MyonnError(f"{shortened(path)}: {name} holds numbers beyond ±{LARGEST_WEIGHT:g}, which no network's "
                             "weights reach (its sums would overflow)")
    if cost not in (SQUARED_ERROR, CROSS_ENTROPY):
        raise MyonnError(f"{shortened(path)}: unknown cost {cost[:40]!r}")
    # A new network starts with random weights (any seed will do), replaced at once by the file's.
    network = NeuralNetwork(input_nodes, hidden_nodes, output_nodes, learning_rate,
                            dtype=input_weights.dtype if input_weights.dtype == np.float64 else np.float32,
                            cost=cost, seed=0)
    network.input_weights = input_weights.astype(network.dtype)
    network.output_weights = output_weights.astype(network.dtype)
    return network


def _check_digit_recogniser(path, layer_sizes):
    input_nodes, hidden_nodes, output_nodes = layer_sizes
    if min(layer_sizes) < 1:
        raise MyonnError(f"{shortened(path)}: layer sizes {input_nodes}, {hidden_nodes}, {output_nodes} are not "
                         f"a network's (every layer needs at least 1 node)")
    if hidden_nodes > MAX_HIDDEN_NODES:
        raise MyonnError(f"{shortened(path)}: has {hidden_nodes:,} hidden nodes, more than this myonn loads "
                         f"({MAX_HIDDEN_NODES:,})")
    wrong = [f"{count} {what}" for count, what, wanted in ((input_nodes, "inputs", DIGIT_INPUTS),
                                                         (output_nodes, "outputs", DIGIT_OUTPUTS))
             if count != wanted]
    if wrong:
        raise MyonnError(f"{shortened(path)}: has {' and '.join(wrong)}; a digit recogniser needs "
                         f"{DIGIT_INPUTS} inputs and {DIGIT_OUTPUTS} outputs")


# ------------------------------------------------------------------------- the Ruby original's YAML

def _load_ruby_yaml(path, size):
    """The Ruby original's model (myonn.rb's NeuralNetwork#save): a YAML mapping with symbol keys

        :input_nodes: 784, :hidden_nodes: 200, :output_nodes: 10, :learning_rate: 0.05,
        :activation_function: :expit, :input_weights: and :output_weights:

    each matrix a mapping of `count`, `shape` [rows, columns] and `data`, the flat list of its numbers,
    row-major (nested rows are read too). Ruby writes floats exactly, so the weights are Ruby's own.
    """
    try:
        import yaml
    except ImportError:
        raise MyonnError(f"{shortened(path)}: reading the Ruby model needs PyYAML: pip install 'myonn[yaml]'") from None
    if size > MAX_RUBY_YAML_BYTES:
        raise MyonnError(f"{shortened(path)}: {size:,} bytes is more than a Ruby myonn model needs "
                         f"(at most {MAX_RUBY_YAML_BYTES:,})")
    try:
        content = path.read_bytes()
        document = yaml.load(content, Loader=_ruby_yaml_loader())  # safe loading: never builds objects
    except OSError as error:
        raise MyonnError(f"{shortened(path)}: cannot read ({error.strerror or error})") from None
    # PyYAML's safe constructors, on a value its tag cannot hold (!!bool maybe, !!int "", !!timestamp x),
    # raise these, in words of Python's own ('maybe', string index out of range).
    except (KeyError, IndexError, AttributeError, TypeError):
        raise MyonnError(f"{shortened(path)}: not readable YAML (a value its type tag, such as !!int or !!bool, "
                         "cannot hold)") from None
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, OverflowError) as error:
        # A YAML parser's error says what went wrong ("problem") and while doing what ("context");
        # the first is the one to name (libyaml 0.2.6 refuses deep nesting itself, before our composer).
        problem = getattr(error, "problem", None) or (str(error).splitlines() or [type(error).__name__])[0]
        raise MyonnError(f"{shortened(path)}: not readable YAML ({problem})") from None
    if not isinstance(document, dict):
        raise MyonnError(f"{shortened(path)}: not a Ruby myonn model (expected a mapping of :input_nodes, ...)")
    values = {str(key).lstrip(":"): value for key, value in document.items()}
    try:
        layer_sizes = tuple(_ruby_whole_number(path, name, values[name])
                            for name in ("input_nodes", "hidden_nodes", "output_nodes"))
        learning_rate = values.get("learning_rate", 0.1)
        if type(learning_rate) not in (int, float) or not 0 < learning_rate < math.inf:
            raise MyonnError(f"{shortened(path)}: :learning_rate is {_shown(learning_rate)}, expected a "
                             f"positive number")
        activation = values.get("activation_function", "sigmoid")
        if not isinstance(activation, str) or activation.lstrip(":").lower() not in SIGMOID_NAMES:
            raise MyonnError(f"{shortened(path)}: activation function {_shown(activation)} is not supported "
                             f"(only the logistic sigmoid: {', '.join(SIGMOID_NAMES)})")
        _check_digit_recogniser(path, layer_sizes)
        input_nodes, hidden_nodes, output_nodes = layer_sizes
        input_weights = _ruby_matrix(path, "input_weights", values["input_weights"], (hidden_nodes, input_nodes))
        output_weights = _ruby_matrix(path, "output_weights", values["output_weights"],
                                      (output_nodes, hidden_nodes))
    except KeyError as error:
        raise MyonnError(f"{shortened(path)}: Ruby model lacks :{error.args[0]}") from None
    network = _network_from_weights(path, input_weights, output_weights, layer_sizes,
                                    float(learning_rate), SQUARED_ERROR)
    return Model(network, dict(PLAIN), {"source": "Ruby myonn YAML"})


def _ruby_whole_number(path, name, value):
    if type(value) is not int:
        raise MyonnError(f"{shortened(path)}: :{name} is {_shown(value)}, expected a whole number")
    return value


def _ruby_matrix(path, name, stored, shape):
    """The (rows, columns) float64 matrix stored under :name, checked before any number is converted."""
    if not isinstance(stored, dict):
        raise MyonnError(f"{shortened(path)}: :{name} is {_shown(stored)}, not a matrix (count, shape, data)")
    fields = {str(key).lstrip(":"): value for key, value in stored.items()}
    rows, columns = shape
    declared = fields.get("shape", [rows, columns])
    if declared != [rows, columns]:
        raise MyonnError(f"{shortened(path)}: :{name} has shape {_shown(declared)}, expected [{rows}, {columns}] "
                         f"for the layer sizes")
    if "data" not in fields:
        raise MyonnError(f"{shortened(path)}: :{name} lacks its data")
    data = fields["data"]
    if (isinstance(data, list) and len(data) == rows
            and all(isinstance(row, list) and len(row) == columns for row in data)):
        data = [number for row in data for number in row]  # nested rows, each of `columns` numbers
    count = fields.get("count", rows * columns)
    if not isinstance(data, list) or len(data) != rows * columns or count != rows * columns:
        held = f"{len(data)} numbers" if isinstance(data, list) else _shown(data)
        raise MyonnError(f"{shortened(path)}: :{name} holds {held}, its count says {_shown(count)} and its shape "
                         f"{rows}×{columns}")
    if not all(type(number) in (int, float) for number in data):
        bad = next(number for number in data if type(number) not in (int, float))
        raise MyonnError(f"{shortened(path)}: :{name} holds {_shown(bad)} among its numbers")
    try:
        return np.array(data, dtype=np.float64).reshape(rows, columns)
    except OverflowError:  # an integer beyond any float
        raise MyonnError(f"{shortened(path)}: :{name} holds a number too large for a float") from None


def _shown(value):
    """A YAML value in a few words: short scalars and lists of a few as they are, others by what they are."""
    scalar = (str, int, float, bool, type(None))
    if isinstance(value, scalar) or (isinstance(value, list) and len(value) <= 4
                                     and all(isinstance(item, scalar) for item in value)):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    return {dict: "a mapping", list: "a list"}.get(type(value), type(value).__name__)


@functools.cache
def _ruby_yaml_loader():
    """A safe YAML loader for the Ruby model: libyaml's fast C parser when PyYAML has it (the 3.9 MB
    model loads in about a second instead of eight), and a composer that refuses aliases, deep nesting,
    more values than a model has (MAX_RUBY_YAML_NODES) and values longer than any number
    (MAX_RUBY_YAML_VALUE).

    Aliases are refused because a few KB of them can stand for gigabytes ("billion laughs"), and no model
    needs one. Depth is bounded here because composing is recursive (libyaml's C composer overflows
    the stack, and crashes, at about 100,000 levels).
    """
    import yaml
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.events import AliasEvent, ScalarEvent
    from yaml.resolver import Resolver

    class BoundedComposer(Composer):
        depth = 0
        nodes = 0

        def compose_node(self, parent, index):
            self.nodes += 1
            if self.nodes > MAX_RUBY_YAML_NODES:
                raise yaml.YAMLError(f"it holds more than {MAX_RUBY_YAML_NODES:,} values, more than a model "
                                     f"has numbers")
            if self.check_event(AliasEvent):
                raise yaml.YAMLError("it uses an alias (*name), which no model file needs")
            if self.depth >= MAX_RUBY_YAML_DEPTH:
                raise yaml.YAMLError(f"it nests deeper than {MAX_RUBY_YAML_DEPTH} levels")
            if self.check_event(ScalarEvent) and len(self.peek_event().value) > MAX_RUBY_YAML_VALUE:
                raise yaml.YAMLError(f"it holds a value {len(self.peek_event().value):,} characters long, "
                                     f"longer than any model's numbers ({MAX_RUBY_YAML_VALUE})")
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    if getattr(yaml, "__with_libyaml__", False):
        class RubyModelLoader(BoundedComposer, yaml.cyaml.CParser, SafeConstructor, Resolver):
            """libyaml's parser, PyYAML's composer (bounded) and its safe constructor."""

            def __init__(self, stream):
                yaml.cyaml.CParser.__init__(self, stream)
                Composer.__init__(self)
                SafeConstructor.__init__(self)
                Resolver.__init__(self)
    else:
        class RubyModelLoader(BoundedComposer, yaml.SafeLoader):
            """PyYAML's pure-Python safe loader, with a bounded composer."""

    def plain(loader, suffix, node):
        """Ruby's type tags (!ruby/object:..., !ruby/sym) read as plain data."""
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    RubyModelLoader.add_multi_constructor("!ruby/", plain)
    return RubyModelLoader
