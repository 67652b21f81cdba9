"""Specification of myonn/paths.py: a path as a person gives it, a leading ~ being the home folder."""

from pathlib import Path

from myonn.paths import folder_from_environment, user_path


def test_a_leading_tilde_is_your_home_folder_as_the_shell_would_have_made_it(tmp_path, monkeypatch):
    """Quoted ('~/models', or in a .env file) the shell leaves ~ as it is: a folder named ~ was made in the
    current folder, and "saved to ~/models/…" read as the home folder's."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert user_path("~/models/m.npz") == tmp_path / "models" / "m.npz"
    assert user_path("~") == tmp_path
    assert user_path("data/~/m.npz") == Path("data/~/m.npz")   # only a leading one
    monkeypatch.setenv("MYONN_MODEL_DIR", "~/models")
    assert folder_from_environment("MYONN_MODEL_DIR") == tmp_path / "models"


def test_an_empty_variable_is_an_unset_one():
    assert folder_from_environment("MYONN_NO_SUCH_VARIABLE") is None


def test_an_empty_variable_names_no_folder(monkeypatch):
    monkeypatch.setenv("MYONN_MODEL_DIR", "")
    assert folder_from_environment("MYONN_MODEL_DIR") is None


def test_both_folder_variables_expand_a_leading_tilde(tmp_path, monkeypatch):
    from myonn.mnist import default_data_dir
    from myonn.model_store import own_model_path

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("MYONN_MODEL_DIR", "~/models")
    monkeypatch.setenv("MYONN_DATA_DIR", "~/mnist")
    assert own_model_path() == tmp_path / "models" / "my_mnist_nn.npz"
    assert default_data_dir() == tmp_path / "mnist"


def test_a_leading_tilde_naming_no_user_is_left_as_it_is():
    """As the shell leaves it: a file named ~old.npz could no longer be opened (Path.expanduser raised
    RuntimeError, a traceback from every script)."""
    assert user_path("~no_such_user_of_myonn/old.npz") == Path("~no_such_user_of_myonn/old.npz")
    assert user_path("~old.npz") == Path("~old.npz")


def test_a_long_chain_of_links_to_a_folder_is_not_called_a_circle(tmp_path, monkeypatch):
    """A folder reached through more links, one to the next, than the system follows (40 on Linux, 32 on
    macOS) is "Too many levels of symbolic links" as a circle is, and was named "a link that leads round
    in a circle of links, to no folder": there is no circle, and a folder at its end."""
    from myonn.paths import in_a_circle, why_not_a_folder

    monkeypatch.chdir(tmp_path)
    (tmp_path / "end").mkdir()
    previous = "end"
    for number in range(1, 46):
        Path(f"chain{number}").symlink_to(previous)
        previous = f"chain{number}"
    chained = "chain45 is a link that leads through more links, one to the next, than the system follows"
    assert why_not_a_folder(Path("chain45")) == chained
    assert why_not_a_folder(Path("chain45/mnist")) == chained
    assert in_a_circle(Path("chain45/m.npz")) == chained
    assert in_a_circle(Path("chain45"), leads_to="file") == chained
    # A circle is still called one.
    Path("loopB").symlink_to("loopA")
    Path("loopA").symlink_to("loopB")
    assert in_a_circle(Path("loopA/m.npz")) == "loopA is a link that leads round in a circle of links, to no folder"
