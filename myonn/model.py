"""A trained digit recogniser on disk: the network's weights plus how its inputs were prepared.

One save format, `.npz` (NumPy's zip of arrays, read back without pickle), written atomically: the
file is written beside its destination under a temporary name and renamed over it only once complete,
so an interrupted save never destroys the model that was there.

A model saved by the talk's Ruby code (its YAML file) loads too, so a trained `mnist_nn.yaml` can be
brought over.
"""

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from myonn.errors import MyonnError
from myonn.inputs import PLAIN, network_input
from myonn.mnist import project_data_dir
from myonn.network import SQUARED_ERROR, NeuralNetwork

FORMAT_VERSION = 1


def default_model_path():
    """data/mnist_nn.npz at the project root, where the shipped model lives."""
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
        "info": np.array(json.dumps(model.info)),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                             delete=False)
    except OSError as error:
        raise MyonnError(f"cannot write model {path}: {error.strerror or error}") from None
    try:
        with handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o666 & ~_current_umask())  # a temporary file starts private (0600)
        os.replace(handle.name, path)
    except BaseException as error:  # KeyboardInterrupt included: never leave the temporary file behind
        Path(handle.name).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise MyonnError(f"cannot write model {path}: {error.strerror or error}") from None
        raise
    return path


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load_model(path=None):
    """Read a model from `.npz` (this project) or `.yaml`/`.yml` (the talk's Ruby code).

    Any problem (missing, truncated, wrong shapes) raises MyonnError naming the file.
    """
    path = Path(path) if path is not None else default_model_path()
    if not path.is_file():
        raise MyonnError(f"model not found: {path} (train one with: python mnist_train.py)")
    if path.suffix.lower() in (".yaml", ".yml"):
        return _load_ruby_yaml(path)
    return _load_npz(path)


def _load_npz(path):
    try:
        with np.load(path, allow_pickle=False) as archive:
            stored = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise MyonnError(f"{path}: not a readable model file ({error})") from None
    missing = {"input_weights", "output_weights"} - stored.keys()
    if missing:
        raise MyonnError(f"{path}: not a model file (no {', '.join(sorted(missing))})")
    input_weights, output_weights = stored["input_weights"], stored["output_weights"]
    if "layer_sizes" in stored:
        input_nodes, hidden_nodes, output_nodes = (int(size) for size in stored["layer_sizes"])
    else:
        (hidden_nodes, input_nodes), output_nodes = input_weights.shape, output_weights.shape[0]
    version = int(stored.get("format_version", FORMAT_VERSION))
    if version > FORMAT_VERSION:
        raise MyonnError(f"{path}: model format {version} is newer than this myonn understands ({FORMAT_VERSION})")
    try:
        # Models saved before input preparation was recorded were trained on the plain scaling.
        preparation = json.loads(str(stored["preparation"])) if "preparation" in stored else dict(PLAIN)
        info = json.loads(str(stored["info"])) if "info" in stored else {}
    except json.JSONDecodeError:
        raise MyonnError(f"{path}: damaged model file (unreadable preparation record)") from None
    network = _network_from_weights(
        path, input_weights, output_weights, (input_nodes, hidden_nodes, output_nodes),
        learning_rate=float(stored.get("learning_rate", 0.1)),
        cost=str(stored.get("cost", SQUARED_ERROR)))
    return Model(network, {**PLAIN, **preparation}, info)


def _network_from_weights(path, input_weights, output_weights, layer_sizes, learning_rate, cost):
    input_nodes, hidden_nodes, output_nodes = layer_sizes
    for name, weights, shape in (("input_weights", input_weights, (hidden_nodes, input_nodes)),
                                 ("output_weights", output_weights, (output_nodes, hidden_nodes))):
        if weights.shape != shape:
            raise MyonnError(f"{path}: {name} has shape {weights.shape}, expected {shape}")
        if not np.issubdtype(weights.dtype, np.floating) or not np.isfinite(weights).all():
            raise MyonnError(f"{path}: {name} is not a matrix of finite numbers")
    if cost not in ("squared_error", "cross_entropy"):
        raise MyonnError(f"{path}: unknown cost {cost!r}")
    network = NeuralNetwork(input_nodes, hidden_nodes, output_nodes, learning_rate,
                            dtype=input_weights.dtype if input_weights.dtype == np.float64 else np.float32,
                            cost=cost, seed=0)
    network.input_weights = input_weights.astype(network.dtype)
    network.output_weights = output_weights.astype(network.dtype)
    return network


def _load_ruby_yaml(path):
    """The Ruby original's model: a YAML mapping with symbol keys (`:input_nodes`, ...) whose
    `:input_weights` / `:output_weights` each hold `count`, `shape` [rows, columns] and `data`
    (the flat list of floats, row-major)."""
    try:
        import yaml
    except ImportError:
        raise MyonnError(f"{path}: reading the Ruby model needs PyYAML: pip install 'myonn[yaml]'") from None

    class RubyTolerantLoader(yaml.SafeLoader):
        """Safe loading, with Ruby's type tags (!ruby/object:..., !ruby/sym) read as plain data."""

    def plain(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    RubyTolerantLoader.add_multi_constructor("!ruby/", plain)
    try:
        with open(path, encoding="utf-8") as file:
            document = yaml.load(file, Loader=RubyTolerantLoader)  # a SafeLoader: never builds objects
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problem = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise MyonnError(f"{path}: not readable YAML ({problem})") from None
    if not isinstance(document, dict):
        raise MyonnError(f"{path}: not a Ruby myonn model (expected a mapping of :input_nodes, ...)")
    values = {str(key).lstrip(":"): value for key, value in document.items()}
    try:
        layer_sizes = tuple(int(values[name]) for name in ("input_nodes", "hidden_nodes", "output_nodes"))
        learning_rate = float(values.get("learning_rate", 0.1))
        input_weights = _ruby_matrix(path, "input_weights", values["input_weights"])
        output_weights = _ruby_matrix(path, "output_weights", values["output_weights"])
    except KeyError as error:
        raise MyonnError(f"{path}: Ruby model lacks :{error.args[0]}") from None
    except (TypeError, ValueError) as error:
        raise MyonnError(f"{path}: damaged Ruby model ({error})") from None
    activation = str(values.get("activation_function", "sigmoid")).lstrip(":").lower()
    if activation != "sigmoid":
        raise MyonnError(f"{path}: activation function {activation!r} is not supported (only sigmoid)")
    network = _network_from_weights(path, input_weights, output_weights, layer_sizes,
                                    learning_rate, SQUARED_ERROR)
    return Model(network, dict(PLAIN), {"source": "Ruby myonn YAML"})


def _ruby_matrix(path, name, stored):
    if not isinstance(stored, dict):
        raise MyonnError(f"{path}: :{name} is not a matrix (count, shape, data)")
    stored = {str(key).lstrip(":"): value for key, value in stored.items()}
    rows, columns = (int(size) for size in stored["shape"])
    data = np.asarray(stored["data"], dtype=np.float64)
    if data.ndim != 1 or data.size != rows * columns or int(stored.get("count", data.size)) != data.size:
        raise MyonnError(f"{path}: :{name} holds {data.size} numbers, its shape says {rows}×{columns}")
    return data.reshape(rows, columns)
