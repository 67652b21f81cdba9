"""myonn/model.py: saving and loading trained models (.npz, and the Ruby original's YAML)."""

import json
import zipfile

import numpy as np
import pytest

from myonn import model as model_module
from myonn.errors import MyonnError
from myonn.model import Model, load_model, save_model
from myonn.network import CROSS_ENTROPY, NeuralNetwork


def trained_model(hidden_nodes=20, **preparation):
    network = NeuralNetwork(784, hidden_nodes, 10, learning_rate=0.25, seed=5)
    return Model(network, {"deskew": False, **preparation}, {"test_accuracy": 0.5})


def test_a_saved_model_loads_back_the_same(tmp_path):
    original = trained_model(deskew=True)
    path = save_model(original, tmp_path / "model.npz")
    loaded = load_model(path)
    assert np.array_equal(loaded.network.input_weights, original.network.input_weights)
    assert np.array_equal(loaded.network.output_weights, original.network.output_weights)
    assert (loaded.network.input_nodes, loaded.network.hidden_nodes, loaded.network.output_nodes) == (784, 20, 10)
    assert loaded.network.learning_rate == 0.25
    assert loaded.preparation == {"deskew": True}
    assert loaded.info == {"test_accuracy": 0.5}
    image = np.random.default_rng(0).integers(0, 256, (28, 28))
    assert np.allclose(loaded.scores(image), original.scores(image))


def test_cost_and_precision_survive_saving(tmp_path):
    network = NeuralNetwork(784, 8, 10, seed=1, dtype=np.float64, cost=CROSS_ENTROPY)
    loaded = load_model(save_model(Model(network), tmp_path / "m.npz"))
    assert loaded.network.cost == CROSS_ENTROPY
    assert loaded.network.dtype == np.float64


def test_the_file_holds_plain_arrays_readable_without_pickle(tmp_path):
    path = save_model(trained_model(), tmp_path / "model.npz")
    with np.load(path, allow_pickle=False) as stored:
        assert int(stored["format_version"]) == model_module.FORMAT_VERSION
        assert stored["layer_sizes"].tolist() == [784, 20, 10]
        assert json.loads(str(stored["preparation"])) == {"deskew": False}


def test_an_interrupted_save_leaves_the_previous_model_intact(tmp_path, monkeypatch):
    path = save_model(trained_model(), tmp_path / "model.npz")
    before = path.read_bytes()

    def interrupted(file, **arrays):
        file.write(b"half a model")
        raise KeyboardInterrupt

    monkeypatch.setattr(model_module.np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(trained_model(hidden_nodes=30), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary file left


def test_an_unwritable_destination_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(MyonnError, match="cannot write model"):
        save_model(trained_model(), blocker / "model.npz")


def test_a_missing_model_says_how_to_train_one(tmp_path):
    with pytest.raises(MyonnError, match=r"model not found: .*missing\.npz.*mnist_train\.py"):
        load_model(tmp_path / "missing.npz")


def test_a_truncated_model_names_the_file(tmp_path):
    path = save_model(trained_model(), tmp_path / "model.npz")
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(MyonnError, match="model.npz"):
        load_model(path)


def test_weights_of_the_wrong_shape_are_refused(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, input_weights=np.zeros((20, 784)), output_weights=np.zeros((10, 21)),
             layer_sizes=np.array([784, 20, 10]))
    with pytest.raises(MyonnError, match=r"bad\.npz: output_weights has shape \(10, 21\), expected \(10, 20\)"):
        load_model(path)


def test_a_file_without_weights_is_not_a_model(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, something=np.zeros(3))
    with pytest.raises(MyonnError, match="not a model file"):
        load_model(path)


def test_pickled_content_is_never_unpickled(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, input_weights=np.array([object()], dtype=object), output_weights=np.zeros((10, 20)))
    with pytest.raises(MyonnError, match="pickled.npz"):
        load_model(path)


def test_an_older_model_without_a_preparation_record_uses_the_plain_scaling(tmp_path):
    """Format 0: just the two weight matrices, as the first myonn versions wrote them."""
    network = NeuralNetwork(784, 20, 10, seed=2)
    path = tmp_path / "old.npz"
    np.savez(path, input_weights=network.input_weights, output_weights=network.output_weights)
    loaded = load_model(path)
    assert loaded.preparation == {"deskew": False}
    assert loaded.network.hidden_nodes == 20
    image = np.random.default_rng(0).integers(0, 256, (28, 28))
    assert np.allclose(loaded.scores(image), network.query(image.reshape(784) / 255 * 0.99 + 0.01), atol=1e-6)


def test_a_model_from_a_newer_myonn_is_refused_clearly(tmp_path):
    path = save_model(trained_model(), tmp_path / "model.npz")
    with np.load(path) as stored:
        arrays = dict(stored)
    arrays["format_version"] = np.array(99)
    np.savez(path, **arrays)
    with pytest.raises(MyonnError, match="newer"):
        load_model(path)


def ruby_yaml(network, learning_rate=0.1, count=None, activation=":sigmoid"):
    """A model file as the talk's Ruby code writes it: symbol keys, matrices as count/shape/data."""
    def matrix(weights):
        rows, columns = weights.shape
        data = ", ".join(repr(float(value)) for value in weights.ravel())
        return (f"  count: {count or weights.size}\n  shape:\n  - {rows}\n  - {columns}\n"
                f"  data: [{data}]\n")
    return (f"---\n:input_nodes: {network.input_nodes}\n:hidden_nodes: {network.hidden_nodes}\n"
            f":output_nodes: {network.output_nodes}\n:learning_rate: {learning_rate}\n"
            f":activation_function: {activation}\n"
            f":input_weights:\n{matrix(network.input_weights)}:output_weights:\n{matrix(network.output_weights)}")


def test_a_ruby_model_loads_with_its_weights_row_major(tmp_path):
    network = NeuralNetwork(784, 7, 10, seed=4, dtype=np.float64)
    path = tmp_path / "mnist_nn.yaml"
    path.write_text(ruby_yaml(network, learning_rate=0.2))
    loaded = load_model(path)
    assert np.allclose(loaded.network.input_weights, network.input_weights)
    assert np.allclose(loaded.network.output_weights, network.output_weights)
    assert loaded.network.learning_rate == 0.2
    assert loaded.preparation == {"deskew": False}
    image = np.random.default_rng(1).integers(0, 256, (28, 28))
    assert np.allclose(loaded.scores(image), network.query(image.reshape(784) / 255 * 0.99 + 0.01), atol=1e-5)


def test_ruby_type_tags_are_read_as_plain_data(tmp_path):
    network = NeuralNetwork(784, 3, 10, seed=4, dtype=np.float64)
    text = ruby_yaml(network).replace(":input_weights:\n", ":input_weights: !ruby/object:Matrix\n")
    path = tmp_path / "tagged.yml"
    path.write_text(text)
    assert np.allclose(load_model(path).network.input_weights, network.input_weights)


@pytest.mark.parametrize("change, message", [
    (lambda text: text.replace(":hidden_nodes: 3\n", ""), "lacks :hidden_nodes"),
    (lambda text: text.replace("count: 2352", "count: 99"), "holds 2352 numbers"),
    (lambda text: text.replace(":activation_function: :sigmoid", ":activation_function: :relu"), "relu"),
    (lambda text: text.replace("data: [", "data: {", 1), "not readable YAML"),
    (lambda text: "just text\n", "not a Ruby myonn model"),
])
def test_a_damaged_ruby_model_is_one_clear_error(tmp_path, change, message):
    path = tmp_path / "bad.yaml"
    path.write_text(change(ruby_yaml(NeuralNetwork(784, 3, 10, seed=4))))
    with pytest.raises(MyonnError, match=message) as error:
        load_model(path)
    assert "bad.yaml" in str(error.value) and "\n" not in str(error.value)


def test_ruby_yaml_is_parsed_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("!!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(MyonnError):
        load_model(path)


def test_model_recognises_a_batch():
    model = trained_model()
    images = np.zeros((4, 28, 28))
    assert model.recognise(images).shape == (4,)
    assert model.scores(images[0]).shape == (10,)


def test_damaged_zip_is_reported(tmp_path):
    path = tmp_path / "zipped.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("input_weights.npy", b"not an array")
    with pytest.raises(MyonnError, match="zipped.npz"):
        load_model(path)
