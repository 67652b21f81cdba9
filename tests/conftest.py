"""Shared test fixtures: where the real MNIST is, a models folder of the tests' own, headless windows."""

import os
import pathlib
import signal
import subprocess
import sys
from contextlib import contextmanager

import pytest

REPOSITORY_ROOT = pathlib.Path(__file__).resolve().parent.parent

MNIST_TEST_IMAGES = ("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte")


@pytest.fixture(autouse=True)
def own_models_apart(tmp_path_factory, monkeypatch):
    """Every test gets an empty folder for "your own model" (and its backups), and the scripts it runs
    too, through $MYONN_MODEL_DIR: so no test sees, or writes over, the models of the person running
    the tests, and no test depends on whether they have trained one."""
    folder = tmp_path_factory.mktemp("own-models")
    monkeypatch.setenv("MYONN_MODEL_DIR", str(folder))
    return folder


# The tests send Ctrl-C as a terminal does, to themselves and to the scripts they start. pytest started
# with it ignored (in the background, by a shell script) would pass that on, and a script started so
# rightly goes on ignoring it: every such test would fail, or wait for ever.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def ignore_ctrl_c():
    """For Popen's preexec_fn: the script starts with Ctrl-C ignored, as a shell script's background job does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture(autouse=True)
def ctrl_c_handled_as_before():
    """Scripts run in-process (through cli.run) set how Ctrl-C is handled; put it back after each test,
    so that the tests after it, and pytest itself, still stop on a Ctrl-C."""
    numbers = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]
    handlers = {number: signal.getsignal(number) for number in numbers}  # cli.run sets all three
    unraisable_hook = sys.unraisablehook                                  # and wraps this one
    yield
    for number, handler in handlers.items():
        signal.signal(number, handler)
    sys.unraisablehook = unraisable_hook


@pytest.fixture(scope="session")
def real_mnist_dir():
    """The real MNIST, where the README says it is: $MYONN_DATA_DIR, else data/ in the project.

    When it is in neither, it is downloaded into data/ with the project's own downloader, as the
    scripts would. With no copy and no network, the whole run stops with one message saying what to
    do, instead of every test that needs MNIST failing on its own. Never skipped: CI sets
    MYONN_DATA_DIR or puts MNIST in data/.
    """
    from myonn.errors import MyonnError
    from myonn.mnist import TEST, TRAIN, default_data_dir, load_mnist

    folder = default_data_dir()
    try:
        for kind in (TRAIN, TEST):
            load_mnist(kind, folder, limit=1)  # finds, checks, and downloads what is missing
    except MyonnError as error:
        pytest.exit(f"these tests need the real MNIST, and it could not be found or downloaded: {error}. "
                    "Put the four .gz files in data/, or set MYONN_DATA_DIR to a folder holding them.",
                    returncode=1)
    return folder


@contextmanager
def headless_window(app, size):
    """`app` (a window's app: handle, draw, title, running) in a headless pygame window of `size`.

    Yields the app with two additions: app.post(*events) sends it events as a mouse and keyboard
    would and lets it draw the frame, and app.screen is what it drew on. The first frame is drawn.
    """
    from myonn.windows.pictures import pygame, update  # after the test module has chosen SDL's driver

    pygame.display.init()
    screen = pygame.display.set_mode(size)

    def post(*events):
        for event in events:
            pygame.event.post(event)
        update(app, screen, pygame.event.get())

    app.post, app.screen = post, screen
    update(app, screen, [])
    try:
        yield app
    finally:
        pygame.display.quit()


def colour_present(surface, colour, area=None):
    """Whether any pixel of `surface` (within the rectangle `area`, if given) is exactly `colour`."""
    from myonn.windows.pictures import pygame

    colours = pygame.surfarray.array3d(surface.subsurface(area) if area else surface)
    return bool((colours == colour).all(axis=2).any())


def one_line_within_a_gigabyte(statement, imports):
    """Run `statement` (Python source; `imports` a line bringing in what it uses) in a child process
    limited to 1 GB of address space, as a hostile file is met by the scripts; returns the one-line
    MyonnError it gave (or nothing). A MemoryError or a crash fails the test."""
    import resource

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    code = (f"from myonn.errors import MyonnError\n{imports}\n"
            f"try:\n    {statement}\nexcept MyonnError as error:\n    print(error)\n")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                           preexec_fn=limit_memory, cwd=REPOSITORY_ROOT,
                           env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(REPOSITORY_ROOT)})
    assert child.returncode == 0 and child.stderr == "", child.stderr[-2000:]
    return child.stdout.strip()
