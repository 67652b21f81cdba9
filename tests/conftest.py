"""Shared test fixtures."""

import os
import pathlib

import pytest

REPOSITORY_ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def real_mnist_dir():
    """The real MNIST: $MYONN_DATA_DIR, else ../shared/data/mnist beside the repository.

    Tests that need it fail (never skip) when it is missing: CI sets MYONN_DATA_DIR.
    """
    candidates = [pathlib.Path(os.environ["MYONN_DATA_DIR"])] if os.environ.get("MYONN_DATA_DIR") else []
    candidates.append(REPOSITORY_ROOT.parent / "shared" / "data" / "mnist")
    for candidate in candidates:
        if any((candidate / name).is_file() for name in ("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte")):
            return candidate
    pytest.fail(f"real MNIST not found in {', '.join(map(str, candidates))}: set MYONN_DATA_DIR")
