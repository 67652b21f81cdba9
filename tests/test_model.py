"""myonn/model.py: saving and loading trained models (.npz, and the Ruby original's YAML)."""

import io
import json
import pathlib
import re
import struct
import zipfile
import zlib

import numpy as np
import pytest

import conftest
from myonn import model as model_module
from myonn.errors import MyonnError, shortened
from myonn.model import Model, load_model, save_model
from myonn.network import CROSS_ENTROPY, NeuralNetwork

REPOSITORY_ROOT = pathlib.Path(__file__).resolve().parent.parent


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


def test_a_model_named_through_a_link_and_dot_dot_is_saved_where_the_system_finds_it(tmp_path):
    """The system takes LINK/.. for the folder above where LINK leads, and made the model's folder there;
    the temporary file's folder was LINK/.. as text (tempfile's os.path.abspath), the folder LINK is in:
    "cannot write model … (No such file or directory)", or a model written into another folder first."""
    (tmp_path / "elsewhere" / "deep").mkdir(parents=True)
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "link").symlink_to(tmp_path / "elsewhere" / "deep")
    path = save_model(trained_model(), tmp_path / "here" / "link" / ".." / "models" / "model.npz")
    assert [p.name for p in (tmp_path / "elsewhere" / "models").iterdir()] == ["model.npz"]
    assert load_model(path).network.hidden_nodes == 20
    assert [p.name for p in (tmp_path / "here").iterdir()] == ["link"]


def test_an_unwritable_destination_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(MyonnError, match="cannot write model"):
        save_model(trained_model(), blocker / "model.npz")


def test_a_missing_model_says_how_to_train_one(tmp_path):
    with pytest.raises(MyonnError, match=r"model not found: .*missing\.npz.*mnist_train\.py"):
        load_model(tmp_path / "missing.npz")
    with pytest.raises(MyonnError, match=r"model not found: .*missing\.yaml \(a model saved by the talk's Ruby code"):
        load_model(tmp_path / "missing.yaml")                  # training makes no .yaml: that hint would mislead


def test_a_model_name_that_begins_or_ends_with_a_space_is_quoted_so_that_it_can_be_seen(tmp_path, monkeypatch):
    """--model ' ' was "model not found:   (train one with: …)", no name to be seen, as MYONN_DATA_DIR=' '
    was before errors.shortened quoted such names."""
    monkeypatch.chdir(tmp_path)
    for name in (" ", "m.npz ", " m.npz"):
        with pytest.raises(MyonnError) as missing:
            load_model(pathlib.Path(name))
        assert str(missing.value) == f"model not found: {name!r} (train one with: python mnist_train.py)"
    with pytest.raises(MyonnError, match=r"^model not found: my model\.npz \("):   # a space within it is seen
        load_model(pathlib.Path("my model.npz"))


def test_a_truncated_model_names_the_file(tmp_path):
    path = save_model(trained_model(), tmp_path / "model.npz")
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(MyonnError, match="model.npz"):
        load_model(path)


def test_a_damaged_compressed_model_is_one_line(tmp_path):
    """np.savez_compressed deflates its members; damaged deflated data has errors of its own."""
    saved = save_model(trained_model(), tmp_path / "saved.npz")
    path = tmp_path / "damaged.npz"
    with zipfile.ZipFile(saved) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in original.namelist():
            copy.writestr(member, original.read(member))
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("input_weights.npy")
    data = bytearray(path.read_bytes())
    start = member.header_offset + 30 + len(member.filename) + 200  # well inside the compressed weights
    data[start:start + 50] = bytes(byte ^ 0x55 for byte in data[start:start + 50])
    path.write_bytes(data)
    assert refusal(path).startswith((f"{path}: input_weights is not a readable array (", f"{path}: cannot read ("))


@pytest.mark.parametrize("compression", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "lzma"])
def test_arrays_packed_otherwise_than_numpy_packs_them_are_refused_unread(tmp_path, compression, monkeypatch):
    """zipfile bounds what it unpacks at a time only for deflate: a 1.3 KB file of a bzip2 member took
    3 GB before anything was checked."""
    saved = save_model(trained_model(), tmp_path / "saved.npz")
    path = tmp_path / "packed.npz"
    with zipfile.ZipFile(saved) as original, zipfile.ZipFile(path, "w", compression) as copy:
        for member in original.namelist():
            copy.writestr(member, original.read(member))
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *args, **kwargs: opened.append(args))
    assert re.fullmatch(rf"{re.escape(str(path))}: \w+ is packed by zip method {compression}; a model's arrays "
                        "are stored or deflated", refusal(path))
    assert opened == []


def damaged_npz(shipped_bytes, change):
    """The bytes of a model file with its first index entry changed by `change(data, entry_offset)`."""
    data = bytearray(shipped_bytes)
    change(data, data.find(b"PK\x01\x02"))
    return bytes(data)


def npz_of_header(header):
    """A zip holding input_weights.npy whose .npy header is `header` (text)."""
    text = header.encode("latin1")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("input_weights.npy", b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text
                         + bytes(64))
    return buffer.getvalue()


def name_marked_utf8_that_is_not(data, entry):
    data[entry + 9] |= 0x08                            # flags bit 11: the name is UTF-8
    data[entry + 46] = 0xFF


def version_zipfile_does_not_know(data, entry):
    data[entry + 6:entry + 8] = bytes([64, 0])        # "version needed to extract": 6.4


@pytest.mark.parametrize("make, message", [
    (lambda shipped: damaged_npz(shipped, name_marked_utf8_that_is_not), "not a readable .npz archive"),
    (lambda shipped: damaged_npz(shipped, version_zipfile_does_not_know), "not a readable .npz archive"),
    (lambda _: npz_of_header("{'descr': 'f4,(', 'fortran_order': False, 'shape': (200, 784), }"),
     "input_weights is not a readable array"),
    (lambda _: npz_of_header("{'descr': (('<f4',(2,)),), 'fortran_order': False, 'shape': (200, 784), }"),
     "input_weights is not a readable array"),
    (lambda _: npz_of_header("{'descr': '<f4', 'fortran_order': False, 'shape': (200, 784"),
     "input_weights is not a readable array"),
], ids=["name not utf-8", "zip version 6.4", "dtype syntax", "dtype of a subarray", "header not closed"])
def test_a_zip_index_or_npy_header_numpys_readers_choke_on_is_one_line(tmp_path, make, message):
    """Each made zipfile or NumPy raise something other than the errors caught for damage: a traceback."""
    path = tmp_path / "damaged.npz"
    path.write_bytes(make(pathlib.Path(model_module.shipped_model_path()).read_bytes()))
    said = refusal(path)
    assert said.startswith(f"{path}: ") and message in said and "\n" not in said


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


def ruby_float(value):
    """A float as Ruby writes it (Float#to_s, exact like Python's repr, but 1.0e-05 where Python has 1e-05)."""
    text = repr(float(value))
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else text


def ruby_yaml(network, learning_rate=0.1, count=None, activation=":expit"):
    """A model file laid out exactly as the talk's Ruby code writes it (myonn.rb's NeuralNetwork#save,
    e.g. its data/mnist_nn.yaml): symbol keys, each matrix as count, shape and a block list of data."""
    def matrix(name, weights):
        rows, columns = weights.shape
        data = "".join(f"  - {ruby_float(value)}\n" for value in weights.ravel())
        return f":{name}:\n  count: {count or weights.size}\n  shape:\n  - {rows}\n  - {columns}\n  data:\n{data}"
    return (f"---\n:input_nodes: {network.input_nodes}\n:hidden_nodes: {network.hidden_nodes}\n"
            f":output_nodes: {network.output_nodes}\n:learning_rate: {learning_rate}\n"
            f":activation_function: {activation}\n"
            + matrix("input_weights", network.input_weights) + matrix("output_weights", network.output_weights))


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
    (lambda text: text.replace(":activation_function: :expit", ":activation_function: :relu"), "relu"),
    (lambda text: text.replace("  count:", "\tcount:", 1), "not readable YAML"),
    (lambda text: "just text\n", "not a Ruby myonn model"),
])
def test_a_damaged_ruby_model_is_one_clear_error(tmp_path, change, message):
    path = tmp_path / "bad.yaml"
    path.write_text(change(ruby_yaml(NeuralNetwork(784, 3, 10, seed=4))))
    with pytest.raises(MyonnError, match=message) as error:
        load_model(path)
    assert "bad.yaml" in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("value", ["!!bool maybe", '!!int ""', '!!float ""', "!!timestamp x",
                                   "!<tag:yaml.org,2002:bool> maybe"])
def test_a_yaml_value_its_tag_cannot_hold_is_one_line(tmp_path, value):
    """PyYAML's safe constructors raise KeyError, IndexError or AttributeError for these: a traceback."""
    path = tmp_path / "tagged.yaml"
    path.write_text(f":input_nodes: {value}\n")
    assert refusal(path) == f"{path}: not readable YAML (a value its type tag, such as !!int or !!bool, cannot hold)"


@pytest.mark.parametrize("activation", [":expit", ":sigmoid", ":logistic", "expit", ":Sigmoid"])
def test_a_ruby_model_scores_exactly_what_it_scored_in_ruby(tmp_path, activation):
    """Ruby writes its floats exactly and the network keeps them as float64: the same weights, the same
    outputs. expit is SciPy's name for the logistic sigmoid, which the Ruby original uses."""
    network = NeuralNetwork(784, 6, 10, seed=7, dtype=np.float64)
    network.input_weights[0, :3] = [1e-05, -2.5e-300, 123456789.125]  # exponents as Ruby writes them
    path = tmp_path / "mnist_nn.yaml"
    path.write_text(ruby_yaml(network, learning_rate=0.05, activation=activation))
    loaded = load_model(path).network
    assert np.array_equal(loaded.input_weights, network.input_weights)
    assert np.array_equal(loaded.output_weights, network.output_weights)
    assert loaded.learning_rate == 0.05
    inputs = np.random.default_rng(2).integers(0, 256, 784) / 255.0 * 0.99 + 0.01
    assert np.array_equal(loaded.query(inputs), network.query(inputs))


def test_a_ruby_matrix_may_be_written_as_nested_rows(tmp_path):
    network = NeuralNetwork(784, 2, 10, seed=3, dtype=np.float64)
    rows = "".join("  - [" + ", ".join(map(ruby_float, row)) + "]\n" for row in network.output_weights)
    text = ruby_yaml(network)
    start = text.index(":output_weights:")
    path = tmp_path / "rows.yaml"
    path.write_text(text[:start] + ":output_weights:\n  count: 20\n  shape: [10, 2]\n  data:\n" + rows)
    assert np.array_equal(load_model(path).network.output_weights, network.output_weights)


@pytest.mark.parametrize("change, message", [
    (lambda text: "- 1\n- 2\n", "not a Ruby myonn model"),
    (lambda text: text.replace(":hidden_nodes: 3", ":hidden_nodes: many"), ":hidden_nodes is 'many', expected a whole number"),
    (lambda text: text.replace(":hidden_nodes: 3", ":hidden_nodes: 3.5"), ":hidden_nodes is 3.5"),
    (lambda text: text.replace(":hidden_nodes: 3", ":hidden_nodes: 0"), "layer sizes 784, 0, 10 are not a network's"),
    (lambda text: text.replace(":output_nodes: 10", ":output_nodes: 5"), "has 5 outputs; a digit recogniser needs"),
    (lambda text: text.replace(":learning_rate: 0.1", ":learning_rate: [0.1]"), r":learning_rate is \[0.1\], expected a positive number"),
    (lambda text: text.replace(":learning_rate: 0.1", ":learning_rate: fast"), ":learning_rate is 'fast'"),
    (lambda text: text.replace(":activation_function: :expit", ":activation_function: [1]"), r"activation function \[1\] is not supported"),
    (lambda text: text.replace(":input_weights:\n", ":input_weights: 7\n:ignored:\n", 1), ":input_weights is 7, not a matrix"),
    (lambda text: text.replace("  - 3\n  - 784", "  - 784\n  - 3", 1), r":input_weights has shape \[784, 3\], expected \[3, 784\]"),
    (lambda text: text.replace("  data:\n  - ", "  data:\n  - x", 1), ":input_weights holds 'x.*' among its numbers"),
    (lambda text: re.sub(r"data:\n  - \S+", "data:\n  - 1.0e+999999999", text, count=1), "input_weights is not a matrix of finite numbers"),
    (lambda text: text.replace("  data:\n", "  data: 12\n  other:\n", 1), ":input_weights holds 12, its count says"),
    (lambda text: re.sub(r"data:\n  - \S+", "data:\n  - .nan", text, count=1), "input_weights is not a matrix of finite numbers"),
    (lambda text: text.replace("  data:\n  - ", "  data:\n  - 1\n  - ", 1), "holds 2353 numbers"),
    (lambda text: text + "? [1, 2]\n: 3\n", "not readable YAML"),
    (lambda text: "!!python/object/apply:os.system ['echo hacked']\n", "not readable YAML"),
])
def test_a_ruby_model_of_the_wrong_types_is_one_clear_line(tmp_path, change, message):
    path = tmp_path / "odd.yaml"
    path.write_text(change(ruby_yaml(NeuralNetwork(784, 3, 10, seed=4))))
    assert re.search(message, refusal(path))


def test_yaml_aliases_are_refused_so_a_billion_laughs_costs_nothing(tmp_path):
    """Nine lines of aliases that stand for 10^9 strings (the classic attack); a model never needs one."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    lines.append(":activation_function: *i")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert peak_memory_of_loading(path) == (
        f"{path}: not readable YAML (it uses an alias (*name), which no model file needs)")


def test_yaml_nested_a_million_deep_is_one_line_not_a_crash(tmp_path):
    """libyaml's C composer overflows the stack (a segfault) at about 100,000 levels."""
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 1_000_000 + "]" * 1_000_000)
    # Our composer refuses it at 17 levels; libyaml 0.2.6 (PyYAML 6.0.4's wheels) refuses it first, at 1,000.
    assert peak_memory_of_loading(path) in (f"{path}: not readable YAML (it nests deeper than 16 levels)",
                                            f"{path}: not readable YAML (exceeded maximum nesting depth)")


def test_yaml_nested_deeper_than_a_model_is_refused_by_our_own_bound(tmp_path):
    """Deeper than any Ruby model (3 levels) and our bound (16), but within any parser's own limit."""
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 100 + "]" * 100)
    assert refusal(path) == f"{path}: not readable YAML (it nests deeper than 16 levels)"


@pytest.mark.parametrize("value", ["0x" + "f" * 4000, "1" + ":1" * 320_000], ids=["huge-hex", "base-60"])
def test_a_yaml_value_longer_than_any_number_is_refused_at_once(tmp_path, value):
    """A hex number of 4,000 digits could not be printed in the message; a base-60 one (1:1:1…) of
    640 KB took PyYAML 46 s to read."""
    path = tmp_path / "long.yaml"
    path.write_text(f":input_nodes: 784\n:hidden_nodes: {value}\n:output_nodes: 10\n")
    assert refusal(path) == (f"{path}: not readable YAML (it holds a value {len(value):,} characters long, "
                             f"longer than any model's numbers (100))")


@pytest.mark.parametrize("text", ["a: [" + "0, " * 1000 + "0]\n",
                                  "".join(f"k{number}: {number}\n" for number in range(501)),
                                  "a: [" + "[], " * 1000 + "[]]\n"], ids=["numbers", "keys", "empty-lists"])
def test_yaml_of_more_values_than_a_model_has_is_refused(tmp_path, monkeypatch, text):
    """Every value, list and mapping costs PyYAML a node, so they are counted, whatever they are."""
    monkeypatch.setattr(model_module, "MAX_RUBY_YAML_NODES", 1000)
    path = tmp_path / "many.yaml"
    path.write_text(text)
    assert refusal(path) == f"{path}: not readable YAML (it holds more than 1,000 values, more than a model has numbers)"


def test_yaml_of_millions_of_short_values_is_refused_within_a_gigabyte(tmp_path):
    """16 MB of "0," (under the byte bound) are 8 million values: they took 3 GB and a minute to load."""
    path = tmp_path / "zeros.yaml"
    count = (model_module.MAX_RUBY_YAML_BYTES - 10) // 2
    path.write_text("a: [" + "0," * count + "0]\n")
    assert peak_memory_of_loading(path) == (
        f"{path}: not readable YAML (it holds more than 800,000 values, more than a model has numbers)")


def test_a_yaml_syntax_error_names_the_problem(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("input_weights: [1, 2\n")
    assert refusal(path).startswith(f"{path}: not readable YAML (did not find expected ',' or ']')")


def test_a_yaml_file_larger_than_any_ruby_model_is_not_read(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as file:
        file.truncate(model_module.MAX_RUBY_YAML_BYTES + 1)  # sparse: costs no disk
    assert "16,777,217 bytes is more than a Ruby myonn model needs" in refusal(path)


def test_the_fast_c_parser_is_used_when_pyyaml_has_it():
    yaml = pytest.importorskip("yaml")
    if yaml.__with_libyaml__:
        assert issubclass(model_module._ruby_yaml_loader(), yaml.cyaml.CParser)


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


# ---------------------------------------------------------------- hostile and malformed model files
# Every one is one line naming the file (MyonnError, which the scripts turn into exit status 2).


def saved_arrays(tmp_path, **replaced):
    """The arrays of a good saved model (784-20-10), with some replaced (None: left out)."""
    path = save_model(trained_model(), tmp_path / "good.npz")
    with np.load(path) as stored:
        arrays = dict(stored)
    arrays.update(replaced)
    return {name: array for name, array in arrays.items() if array is not None}


def refusal(path):
    """The one-line message load_model gives for path."""
    with pytest.raises(MyonnError) as raised:
        load_model(path)
    message = str(raised.value)
    assert "\n" not in message and path.name in message
    return message


@pytest.mark.parametrize("replaced, message", [
    ({"layer_sizes": np.array([784, 20])}, r"layer_sizes is an array of shape \(2,\) of whole numbers, expected three whole numbers"),
    ({"layer_sizes": np.array(["784", "20", "10"])}, "layer_sizes is an array of shape .* of text"),
    ({"layer_sizes": np.array([784.0, 20.0, 10.0])}, "layer_sizes is .* floating-point numbers"),
    ({"layer_sizes": np.array([[784, 20, 10]])}, r"layer_sizes is an array of shape \(1, 3\)"),
    ({"layer_sizes": np.array([784, -20, 10])}, "layer sizes 784, -20, 10 are not a network's"),
    ({"format_version": np.array("1")}, "format_version is one value of text, expected one whole number"),
    ({"format_version": np.array([1, 1])}, "format_version is an array of shape"),
    ({"format_version": np.array(-1)}, "format_version -1 is not a version"),
    ({"learning_rate": np.array("fast")}, "learning_rate is one value of text, expected one number"),
    ({"learning_rate": np.array([0.1, 0.2])}, "learning_rate is an array of shape"),
    ({"learning_rate": np.array(np.nan)}, "learning_rate nan is not a positive number"),
    ({"cost": np.array(3)}, "cost is one value of whole numbers, expected text"),
    ({"cost": np.array("hinge")}, "unknown cost 'hinge'"),
    ({"preparation": np.array("[1, 2]")}, "preparation is a list in JSON, expected a record"),
    ({"preparation": np.array("null")}, "preparation is null in JSON"),
    ({"preparation": np.array('{"deskew": "yes"}')}, "is not a record of known input steps"),
    ({"preparation": np.array('{"colour": true}')}, "is not a record of known input steps"),
    ({"preparation": np.array("[" * 100_000)}, "unreadable preparation record"),
    ({"info": np.array("[]")}, "info is a list in JSON"),
    ({"input_weights": np.zeros((20, 784), dtype=np.int64)}, "input_weights is an array of shape .* of whole numbers"),
    ({"output_weights": np.zeros((10, 20), dtype=object)}, "output_weights is .* of Python objects"),
    ({"output_weights": None}, r"not a model file \(no output_weights\)"),
    ({"input_weights": np.full((20, 784), np.inf)}, "input_weights is not a matrix of finite numbers"),
    # Finite, but their sums overflow: every output NaN.
    ({"input_weights": np.full((20, 784), 3e38, np.float32)}, r"input_weights holds numbers beyond ±1e\+30"),
])
def test_a_malformed_field_is_one_line_naming_it(tmp_path, replaced, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **saved_arrays(tmp_path, **replaced))
    assert re.search(message, refusal(path))


def test_weights_stored_column_major_load_the_same(tmp_path):
    arrays = saved_arrays(tmp_path)
    path = tmp_path / "fortran.npz"
    np.savez(path, **{**arrays, "input_weights": np.asfortranarray(arrays["input_weights"])})
    assert np.array_equal(load_model(path).network.input_weights, arrays["input_weights"])


@pytest.mark.filterwarnings("error")  # NumPy's warnings fail the test: a script would print them
def test_half_precision_weights_load_without_a_numpy_warning(tmp_path):
    arrays = saved_arrays(tmp_path)
    path = tmp_path / "half.npz"
    np.savez(path, **{**arrays, "input_weights": arrays["input_weights"].astype(np.float16)})
    loaded = load_model(path).network
    assert np.array_equal(loaded.input_weights, arrays["input_weights"].astype(np.float16))


def test_zero_hidden_nodes_is_not_a_network(tmp_path):
    path = tmp_path / "empty.npz"
    np.savez(path, input_weights=np.zeros((0, 784)), output_weights=np.zeros((10, 0)),
             layer_sizes=np.array([784, 0, 10]))
    assert "layer sizes 784, 0, 10 are not a network's (every layer needs at least 1 node)" in refusal(path)


@pytest.mark.parametrize("sizes, message", [
    ((784, 20, 5), "has 5 outputs; a digit recogniser needs 784 inputs and 10 outputs"),
    ((100, 20, 10), "has 100 inputs; a digit recogniser needs 784 inputs and 10 outputs"),
    ((3, 2, 1), "has 3 inputs and 1 outputs; a digit recogniser"),
])
def test_a_network_that_is_not_a_digit_recogniser_is_refused(tmp_path, sizes, message):
    """The network takes any sizes, but every script feeds it 784 pixels and reads 10 digit scores."""
    path = save_model(Model(NeuralNetwork(*sizes, seed=0)), tmp_path / "other.npz")
    assert message in refusal(path)


def npy_header(shape, descr="<f8"):
    """Just the header of a .npy file: what it claims to hold, without the data."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def deflated_zeros(prefix, megabytes):
    """A raw deflate stream of prefix then `megabytes` MB of zeros, built in milliseconds: after a full
    flush deflate starts afresh, so every further megabyte of zeros compresses to the same bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    megabyte = compressor.compress(bytes(2**20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return start + megabyte * megabytes + compressor.flush()


def write_zip(path, members):
    """A zip of {name: (raw deflate stream, inflated size, CRC-32)}, written by hand because zipfile
    cannot write a member from already-deflated bytes."""
    local_headers, central_directory = b"", b""
    for name, (data, size, crc) in members.items():
        name = name.encode()
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0, crc, len(data), size)
        central_directory += (b"PK\x01\x02" + struct.pack("<H", 20) + fields
                              + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, len(local_headers)) + name)
        local_headers += b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name + data
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central_directory),
                                       len(local_headers), 0)
    path.write_bytes(local_headers + central_directory + end)
    return path


def zip_bomb_member(prefix, megabytes):
    """A zip member that inflates to prefix + `megabytes` MB of zeros. Its CRC is left 0, never right:
    a reader that checks it has already inflated everything."""
    return deflated_zeros(prefix, megabytes), len(prefix) + megabytes * 2**20, 0


def peak_memory_of_loading(path):
    """Load path in a child process limited to 1 GB of address space; returns its one line of output."""
    return conftest.one_line_within_a_gigabyte(f"load_model({str(path)!r})", "from myonn.model import load_model")


def test_a_header_claiming_a_huge_array_is_refused_before_reading(tmp_path):
    path = tmp_path / "claims.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("input_weights.npy", npy_header((100_000, 1_000_000)) + bytes(100))
        archive.writestr("output_weights.npy", npy_header((10, 100_000)) + bytes(100))
    assert peak_memory_of_loading(path) == (
        f"{path}: input_weights claims 100000×1000000 weights, more than a model of at most 10,000 hidden nodes has")


def test_an_npz_zip_bomb_is_refused_within_a_gigabyte(tmp_path):
    """3 MB on disk, 3 GB inflated: the header is read, and refused, before any data."""
    path = write_zip(tmp_path / "bomb.npz",
                     {"input_weights.npy": zip_bomb_member(npy_header((40_000, 10_000)), 3000)})
    assert path.stat().st_size < 4 * 2**20
    assert "input_weights claims 40000×10000 weights" in peak_memory_of_loading(path)


def test_a_zip_bomb_beside_the_arrays_is_never_inflated(tmp_path):
    """A model file whose extra member inflates to 3 GB loads, reading only the arrays a model has."""
    members = {}
    for name, array in saved_arrays(tmp_path).items():
        npy = io.BytesIO()
        np.lib.format.write_array(npy, array)
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        content = npy.getvalue()
        members[name + ".npy"] = compressor.compress(content) + compressor.flush(), len(content), zlib.crc32(content)
    members["padding.npy"] = zip_bomb_member(npy_header((30_000, 10_000)), 3000)
    path = write_zip(tmp_path / "padded.npz", members)
    assert peak_memory_of_loading(path) == ""  # no error line: it loaded


def test_a_zip_of_thousands_of_members_is_not_a_model(tmp_path):
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(3000):
            archive.writestr(f"a{number}.npy", b"")
    assert "holds 3000 arrays; a model file holds at most 8" in refusal(path)


def test_a_file_larger_than_any_model_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "sparse.npz"   # 3 GB that take no disk: zipfile read an index that large at once
    size = 3 * 2**30
    with open(path, "wb") as file:
        file.truncate(size - 22)
        file.seek(size - 22)
        file.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 8, 8, size - 23, 0, 0))
    assert peak_memory_of_loading(path) == (
        f"{path}: 3,221,225,472 bytes is more than a model file holds (at most 134,217,728)")


def test_a_zip_index_larger_than_a_models_is_refused_whatever_count_it_claims(tmp_path):
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(3000):
            archive.writestr(f"a{number}.npy", b"")
    content = bytearray(path.read_bytes())
    end = content.rfind(b"PK\x05\x06")
    content[end + 8:end + 12] = struct.pack("<HH", 8, 8)   # "8 members": the count alone was trusted
    path.write_bytes(bytes(content))
    index_bytes = struct.unpack("<I", content[end + 12:end + 16])[0]
    assert refusal(path) == f"{path}: its index claims {index_bytes:,} bytes; a model file's needs at most 65,536"


@pytest.mark.parametrize("placed", ["its counts spell the signature", "just inside zipfile's window"])
def test_an_end_record_is_found_where_zipfile_finds_it(tmp_path, placed):
    """Looked for otherwise, an end record placed to be seen by zipfile and not by the check let zipfile
    read a 130 MB index (1 GB, 30 s)."""
    entry = struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0) + b"a"
    index = entry * 2000                                              # 94,000 bytes of index
    if placed == "its counts spell the signature":   # a second signature 14 bytes from the end
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0x4B50, 0x0605, len(index), 0, 0)
        tail, expected = b"", "holds 1541 arrays; a model file holds at most 8"
    else:                                            # 65,558 bytes from the end: zipfile looks that far
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 8, 8, len(index), 0, 0)
        tail, expected = bytes(65_536), "its index claims 94,000 bytes; a model file's needs at most 65,536"
    path = tmp_path / "placed.npz"
    path.write_bytes(index + end + tail)
    with open(path, "rb") as file:
        assert model_module._zip_end_record(file) is not None          # what zipfile reads, read here first
    assert refusal(path) == f"{path}: {expected}"


def test_a_zip64_record_claiming_a_huge_index_is_refused(tmp_path):
    path = tmp_path / "zip64.npz"
    write_zip(path, {"cost.npy": (b"", 0, 0)})
    content = path.read_bytes()
    end = content.rfind(b"PK\x05\x06")
    body, last_record = content[:end], bytearray(content[end:])
    # zipfile takes the index's size from a Zip64 record, when one stands before the last record.
    zip64 = b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, 1, 1, 2**40, 0)
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, len(body), 1)
    path.write_bytes(body + zip64 + locator + bytes(last_record))
    assert peak_memory_of_loading(path) == (
        f"{path}: its index claims 1,099,511,627,776 bytes; a model file's needs at most 65,536")


def test_a_zip_of_70000_members_is_refused_before_its_index_is_read(tmp_path, monkeypatch):
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(70_000):  # beyond 65,535 members a zip counts them in a Zip64 record
            archive.writestr(f"a{number}.npy", b"")
        archive.comment = b"a comment moves the last record back from the end"
    monkeypatch.setattr(zipfile, "ZipFile", None)  # the count is read from the file's last record alone
    assert "holds over 65,000 arrays; a model file holds at most 8" in refusal(path)


def test_a_text_member_with_a_huge_character_count_is_refused(tmp_path):
    path = tmp_path / "wide.npz"
    np.savez(path, **saved_arrays(tmp_path, info=None))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("info.npy", npy_header((), descr="<U500000000"))  # 2 GB of text
    assert peak_memory_of_loading(path) == (
        f"{path}: info is text of 500,000,000 characters, expected at most 1,000,000")


def test_weights_of_more_precision_than_float64_are_named_as_such(tmp_path):
    path = tmp_path / "long.npz"
    arrays = saved_arrays(tmp_path)
    arrays["input_weights"] = arrays["input_weights"].astype(np.longdouble)
    np.savez(path, **arrays)
    bits = np.dtype(np.longdouble).itemsize * 8
    if bits > 64:   # x86-64 and most others: an 80-bit number kept in 128 bits
        assert refusal(path) == (f"{path}: input_weights is an array of shape (20, 784) of {bits}-bit floating-point "
                                 f"numbers, expected a matrix of floating-point numbers (of 16, 32 or 64 bits)")
    else:
        assert load_model(path).network.input_weights.shape == (20, 784)


def test_a_model_whose_info_record_was_made_huge_by_hand_is_saved_so_that_it_loads_again(tmp_path):
    model = Model(NeuralNetwork(hidden_nodes=5, seed=0),
                  info={"test_accuracy": 0.9, "notes": "x" * model_module.MAX_RECORD_CHARACTERS})
    path = save_model(model, tmp_path / "resumed.npz")
    assert load_model(path).info == {"test_accuracy": 0.9}
    model.info = {"notes": "x" * 100}
    assert load_model(save_model(model, path)).info == {"notes": "x" * 100}


def test_a_member_whose_header_claims_a_huge_length_is_refused(tmp_path):
    path = tmp_path / "long_header.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("input_weights.npy", b"\x93NUMPY\x02\x00" + (2**31).to_bytes(4, "little"))
    assert "input_weights is not a readable array (a header of 2147483648 bytes)" in refusal(path)


@pytest.mark.parametrize("shape", [(-1, 784), (-20, -784)])
def test_a_header_with_a_negative_size_is_refused_before_its_data_is_read(tmp_path, monkeypatch, shape):
    """NumPy's header reader takes (-1, 784): -784 weights passed the bound, and the data was then read
    with read(-6272), which reads to the end, 2 GB from a 2 MB file. (-20, -784) multiplies out to a
    believable count."""
    path = tmp_path / "negative.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("input_weights.npy", npy_header(shape) + bytes(2**20))

    def read_data(*_):
        pytest.fail("the data after a header with a negative size was read")

    monkeypatch.setattr(model_module, "_npy_data", read_data)
    assert refusal(path) == f"{path}: input_weights is not a readable array (its shape {shape} has a negative size)"


def test_reading_an_array_never_asks_for_a_negative_number_of_bytes():
    """read(-n) means "everything", so a negative byte count must stop before it reaches read()."""
    with pytest.raises(ValueError, match="a negative size"):
        model_module._npy_data(io.BytesIO(bytes(100)), (-1, 2), False, np.dtype("<f8"))


@pytest.mark.parametrize("content, message", [
    (b"", "not a readable .npz archive"),
    (bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8)), "not a readable .npz archive"),
])
def test_a_file_that_is_no_zip_is_not_a_model(tmp_path, content, message):
    path = tmp_path / "noise.npz"
    path.write_bytes(content)
    assert message in refusal(path)


def test_a_directory_is_not_a_model(tmp_path):
    path = tmp_path / "folder.npz"
    path.mkdir()
    assert refusal(path) == f"{path}: is a directory, not a model file"


def test_a_refused_file_is_named_so_that_it_can_be_seen_however_long_or_blank_its_name(tmp_path):
    # Every refusal names the file as errors.shortened does: a path of thousands of characters (folders
    # deep enough) was printed back whole, and a file named " " was named as nothing.
    deep = tmp_path.joinpath(*["d" * 200] * 18)
    deep.mkdir(parents=True)
    (deep / "noise.npz").write_bytes(b"not a zip")
    (tmp_path / " ").write_bytes(b"not a zip")
    long_refusal, blank_refusal = refusal(deep / "noise.npz"), refusal(tmp_path / " ")
    assert len(str(deep)) > 3600 and len(long_refusal) < 300
    assert long_refusal.startswith(shortened(deep / "noise.npz") + ": not a model file")
    assert blank_refusal.startswith(f"{str(tmp_path / ' ')!r}: not a model file")


def test_an_unreadable_model_says_so(tmp_path, monkeypatch):
    path = save_model(trained_model(), tmp_path / "locked.npz")

    def refuse(*_):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(model_module, "open", refuse, raising=False)  # chmod does not stop root
    assert refusal(path) == f"{path}: cannot read (Permission denied)"


def test_a_disk_error_while_an_array_is_read_says_cannot_read_not_damaged(tmp_path, monkeypatch):
    """The catch-all for NumPy's header reader took an I/O error for a damaged array."""
    path = save_model(trained_model(), tmp_path / "m.npz")
    real_read = zipfile.ZipExtFile.read

    def failing_read(self, size=-1):
        if self.name == "input_weights.npy":
            raise OSError(5, "Input/output error")
        return real_read(self, size)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", failing_read)
    assert refusal(path) == f"{path}: cannot read (Input/output error)"


def test_a_name_too_long_for_the_system_is_one_line(tmp_path):
    path = tmp_path / ("m" * 300 + ".npz")
    with pytest.raises(MyonnError, match=r"cannot read \(File name too long\)") as raised:
        load_model(path)
    assert "\n" not in str(raised.value) and len(str(raised.value)) < 200


def test_a_ctrl_c_inside_the_zip_writer_stops_as_a_ctrl_c_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    """A Ctrl-C or kill that lands while zipfile opens a member comes out of np.savez as zipfile's
    ValueError: it gave a traceback, exit status 1."""
    path = save_model(Model(NeuralNetwork(hidden_nodes=5, seed=0)), tmp_path / "m.npz")
    before = path.read_bytes()

    def interrupted_savez(handle, **arrays):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ValueError("Can't close the ZIP file while there is an open writing handle on it.")

    monkeypatch.setattr(model_module.np, "savez", interrupted_savez)
    with pytest.raises(KeyboardInterrupt):
        save_model(Model(NeuralNetwork(hidden_nodes=5, seed=1)), path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]
