"""Specification of myonn/windows/browser.py and mnist_render.py: the Digit Renderer window.

pygame runs headless (SDL's dummy video driver): the tests open the window there, post real key
events and let the app's own update step handle them, then read back the pixels it drew.
Most tests browse 250 generated records, written as IDX files into tmp_path, with an untrained
NeuralNetwork(seed=0) as the model, so nothing depends on the shipped weights. test_real_mnist_*
read the real set from $MYONN_DATA_DIR (the real_mnist_dir fixture of conftest.py).
"""
import os

os.environ["SDL_VIDEODRIVER"] = "dummy"  # pygame must never need a display in the tests
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pathlib  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from conftest import colour_present  # noqa: E402
from myonn.windows import browser as browser_module  # noqa: E402
from myonn.windows.browser import (  # noqa: E402
    BACK_QUERY, BACK_QUERY_AREA, IMAGE, KEY_NAMES, LABEL, NO_MODEL, RECORD_COLOUR, WINDOW_SIZE, Browser, main, open_browser, parse_arguments,
    update)
from myonn.windows.pictures import RIGHT_COLOUR, WRONG_COLOUR  # noqa: E402
from myonn.cli import run  # noqa: E402
from myonn.inputs import pixels_from_input, targets  # noqa: E402
from myonn.mnist import load_mnist  # noqa: E402
from myonn.model import Model, load_model, save_model  # noqa: E402
from myonn.network import NeuralNetwork  # noqa: E402
from myonn.windows.pictures import pygame  # noqa: E402

REPOSITORY_ROOT = pathlib.Path(__file__).resolve().parent.parent
RECORDS = 250
WRONG = [3, 7, 120]  # the generated records whose label the test model gets wrong
CAPTION_TOP = WINDOW_SIZE[1] - 40  # captions cover the picture's bottom 40 screen pixels


# ---------------------------------------------------------------- helpers


def write_idx(path, array):
    """An IDX file of bytes: 0, 0, type 0x08, ndim, big-endian sizes, then the data."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(size.to_bytes(4, "big") for size in array.shape)
    path.write_bytes(header + array.tobytes())


@pytest.fixture
def model_path(tmp_path):
    path = tmp_path / "model.npz"
    save_model(Model(NeuralNetwork(seed=0)), path)
    return path


@pytest.fixture
def data_dir(tmp_path, model_path):
    """Random training and test records, labelled so that the test model is wrong exactly at WRONG."""
    images = np.random.default_rng(1).integers(0, 256, (RECORDS, 28, 28), dtype=np.uint8)
    answers = load_model(model_path).recognise(images)
    labels = answers.astype(np.uint8)
    labels[WRONG] = (answers[WRONG] + 1) % 10
    directory = tmp_path / "mnist"
    directory.mkdir()
    write_idx(directory / "train-images-idx3-ubyte", images)
    write_idx(directory / "train-labels-idx1-ubyte", labels)
    write_idx(directory / "t10k-images-idx3-ubyte", 255 - images[:3])
    write_idx(directory / "t10k-labels-idx1-ubyte", labels[:3])
    return directory


@pytest.fixture
def screen():
    """The app's window, on SDL's dummy display."""
    pygame.display.init()
    yield pygame.display.set_mode(WINDOW_SIZE)
    pygame.display.quit()


def browse(data_dir, model_path, *flags):
    """A Browser built from mnist_render.py's flags, as main builds it."""
    model_flags = ["--model", str(model_path)] if model_path else []
    return open_browser(parse_arguments(["--data-dir", str(data_dir), *model_flags, *flags]))


def press(browser, screen, *keys):
    """Post KEYDOWN events (key names as for --keys, or pygame key codes) and run the app's update step."""
    for key in keys:
        code = KEY_NAMES[key] if isinstance(key, str) else key
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=code, mod=0, unicode="", scancode=0))
    update(browser, screen, pygame.event.get())


def drawn_greys(surface, rows=28):
    """Grey levels (rows, 28) read back from the centre of each 24×24 square (ink = 255)."""
    colours = pygame.surfarray.array3d(surface)[12::24, 12::24].transpose(1, 0, 2).astype(int)[:rows]
    assert (colours == colours[:, :, :1]).all(), "squares should be grey"
    return 255 - colours[:, :, 0]


def back_query_greys(surface):
    """Grey levels (28, 28) read back from the centre of each square of the back query's picture."""
    side = BACK_QUERY_AREA.width // 28
    centres = [index * side + side // 2 for index in range(28)]
    colours = pygame.surfarray.array3d(surface).transpose(1, 0, 2).astype(int)[
        np.ix_([BACK_QUERY_AREA.top + c for c in centres], [BACK_QUERY_AREA.left + c for c in centres])]
    assert (colours == colours[:, :, :1]).all(), "squares should be grey"
    return 255 - colours[:, :, 0]


def assert_shows_image(surface, pixels):
    """Every screen pixel is its image pixel's grey: uniform 24×24 squares, ink dark on white."""
    expected = np.kron(255 - np.asarray(pixels, dtype=int), np.ones((24, 24), dtype=int))
    greys = pygame.surfarray.array3d(surface).transpose(1, 0, 2).astype(int)
    np.testing.assert_array_equal(greys, np.repeat(expected[:, :, None], 3, axis=2))
    np.testing.assert_array_equal(drawn_greys(surface), pixels)


def key_down(code):
    return pygame.event.Event(pygame.KEYDOWN, key=code, mod=0, unicode="", scancode=0)


# ---------------------------------------------------------------- browsing


def test_the_first_frame_is_the_first_record_as_24_pixel_squares(data_dir, model_path, screen):
    browser = browse(data_dir, model_path)
    images, _ = load_mnist("train", data_dir)
    update(browser, screen, [])
    assert screen.get_size() == (672, 672)
    assert (browser.index, browser.view) == (0, IMAGE)
    assert_shows_image(screen, images[0])


def test_the_window_says_which_keys_do_what_until_the_first_key(data_dir, model_path, screen, monkeypatch):
    browser = browse(data_dir, model_path)
    images, _ = load_mnist("train", data_dir)
    frames = []

    def drawn_frame(browser, screen, events):
        for event in events:
            browser.handle(event)
        frame = pygame.Surface(WINDOW_SIZE)
        browser.draw(frame)
        frames.append(frame)

    monkeypatch.setattr(browser_module.pictures, "open_window", lambda *arguments: screen)
    monkeypatch.setattr(browser_module, "update", drawn_frame)
    monkeypatch.setattr(browser_module.pictures, "wait_for_events", lambda: [key_down(pygame.K_RIGHT),
                                                                             key_down(pygame.K_ESCAPE)])
    browser_module.show_window(browser)
    band = pygame.surfarray.array3d(frames[0].subsurface((0, 672 - 32, 672, 32))).astype(int)
    assert (band[:, :, 0] != band[:, :, 2]).any()    # the hint's pale yellow band over the image's last rows
    assert_shows_image(frames[0].subsurface((0, 0, 672, 26 * 24)), images[0][:26])
    assert_shows_image(frames[-1], images[1])        # any key, and it is gone


def test_right_or_down_show_the_next_record_left_or_up_the_previous(data_dir, model_path, screen):
    browser = browse(data_dir, model_path)
    images, _ = load_mnist("train", data_dir)
    press(browser, screen, "right")
    assert browser.index == 1
    assert_shows_image(screen, images[1])
    press(browser, screen, "down", "down")
    assert browser.index == 3
    assert_shows_image(screen, images[3])
    press(browser, screen, "left")
    assert browser.index == 2
    press(browser, screen, "up")
    assert browser.index == 1
    assert_shows_image(screen, images[1])


def test_stepping_stops_at_the_first_and_last_record_and_says_so(data_dir, model_path, screen):
    browser = browse(data_dir, model_path)
    images, _ = load_mnist("train", data_dir)
    press(browser, screen, "left", "up")
    assert browser.index == 0
    assert browser.message == "This is the first record"
    assert colour_present(screen, WRONG_COLOUR, (0, CAPTION_TOP, 672, 40))
    press(browser, screen, "right")
    assert browser.message is None
    press(browser, screen, "end", "right", "down")
    assert browser.index == RECORDS - 1
    assert browser.message == "This is the last record of the training set"
    np.testing.assert_array_equal(drawn_greys(screen, rows=26), images[-1][:26])  # above the note


def test_home_end_and_pages_of_100(data_dir, model_path, screen):
    browser = browse(data_dir, model_path)
    press(browser, screen, "pagedown")
    assert browser.index == 100
    press(browser, screen, "pagedown", "pagedown")
    assert browser.index == RECORDS - 1
    press(browser, screen, "pageup")
    assert browser.index == RECORDS - 101
    press(browser, screen, "home")
    assert browser.index == 0
    press(browser, screen, "end")
    assert browser.index == RECORDS - 1
    press(browser, screen, "pageup", "pageup", "pageup")
    assert browser.index == 0


def test_start_and_test_flags_choose_the_set_and_the_record(data_dir, model_path, screen):
    browser = browse(data_dir, model_path, "--start", "41")
    images, _ = load_mnist("train", data_dir)
    update(browser, screen, [])
    assert browser.index == 41
    assert_shows_image(screen, images[41])

    browser = browse(data_dir, model_path, "--test", "--start", "2")
    test_images, _ = load_mnist("test", data_dir)
    update(browser, screen, [])
    assert (browser.kind, browser.index) == ("test", 2)
    assert_shows_image(screen, test_images[2])


def test_stepping_is_instant_because_the_set_is_loaded_once(data_dir, model_path, screen, monkeypatch):
    browser = browse(data_dir, model_path)
    monkeypatch.setattr(browser_module, "load_mnist", None)  # any reload would fail
    started = time.perf_counter()
    for _ in range(50):
        press(browser, screen, "right")
    assert browser.index == 50
    assert time.perf_counter() - started < 2.0


# ---------------------------------------------------------------- the title


def test_the_title_says_set_record_label_and_the_models_answer(data_dir, model_path, screen):
    browser = browse(data_dir, model_path, "--start", "41")
    images, labels = load_mnist("train", data_dir)
    update(browser, screen, [])
    scores = load_model(model_path).scores(images[41])
    answer = int(np.argmax(scores))
    expected = f"Digit Renderer — train #41 · label {labels[41]} · model: {answer} ({scores[answer]:.0%})"
    assert pygame.display.get_caption()[0] == expected
    press(browser, screen, "right")
    assert pygame.display.get_caption()[0].startswith(f"Digit Renderer — train #42 · label {labels[42]} · model: ")


def test_without_a_model_the_title_has_no_model_part(data_dir, tmp_path, screen, monkeypatch):
    from myonn import model_store
    monkeypatch.setattr(model_store, "shipped_model_path", lambda: tmp_path / "absent.npz")
    browser = browse(data_dir, None, "--test")
    _, labels = load_mnist("test", data_dir)
    update(browser, screen, [])
    assert browser.model is None
    assert pygame.display.get_caption()[0] == f"Digit Renderer — test #0 · label {labels[0]}"


# ---------------------------------------------------------------- the label view


def test_space_shows_the_label_big_and_centred_and_space_goes_back(data_dir, model_path, screen):
    browser = browse(data_dir, model_path)
    images, _ = load_mnist("train", data_dir)
    press(browser, screen, "space")
    assert browser.view == LABEL
    colours = pygame.surfarray.array3d(screen).transpose(1, 0, 2)
    rows, columns = np.nonzero((colours == 0).all(axis=2))  # the black digit
    assert rows.max() - rows.min() > 250  # big: more than a third of the window high
    assert abs((columns.min() + columns.max()) / 2 - 336) < 20
    assert abs((rows.min() + rows.max()) / 2 - 336) < 40
    press(browser, screen, "space")
    assert browser.view == IMAGE
    assert_shows_image(screen, images[0])


def test_the_label_view_shows_the_models_answer_green_when_right_red_when_wrong(data_dir, model_path, screen):
    browser = browse(data_dir, model_path)
    below_the_digit = (0, 560, 672, 112)
    press(browser, screen, "space")
    assert colour_present(screen, RIGHT_COLOUR, below_the_digit)
    assert not colour_present(screen, WRONG_COLOUR)
    press(browser, screen, "right", "right", "right", "space")  # record 3: the model is wrong
    assert browser.index == 3
    assert colour_present(screen, WRONG_COLOUR, below_the_digit)


def test_the_label_view_names_the_record_above_the_digit(data_dir, model_path, screen, monkeypatch):
    shown = []
    draw_text = browser_module.pictures.draw_centred_text
    monkeypatch.setattr(browser_module.pictures, "draw_centred_text",
                        lambda surface, text, rect, *rest: shown.append((str(text), pygame.Rect(rect)))
                        or draw_text(surface, text, rect, *rest))
    browser = browse(data_dir, model_path)
    press(browser, screen, "right", "right", "right", "space")
    assert ("train #3", pygame.Rect(0, 0, 672, 84)) in shown
    assert colour_present(screen, RECORD_COLOUR, (0, 0, 672, 84))


def test_an_arrow_in_the_label_view_steps_and_shows_the_image(data_dir, model_path, screen):
    browser = browse(data_dir, model_path)
    images, _ = load_mnist("train", data_dir)
    press(browser, screen, "space", "right")
    assert (browser.index, browser.view) == (1, IMAGE)
    assert_shows_image(screen, images[1])


# ---------------------------------------------------------------- misrecognised records


def test_m_jumps_to_the_next_record_the_model_gets_wrong(data_dir, model_path, screen):
    browser = browse(data_dir, model_path)
    images, _ = load_mnist("train", data_dir)
    visited, said = [], []
    for _ in WRONG:
        press(browser, screen, "m")
        visited.append(browser.index)
        said.append(browser.message)
    assert visited == WRONG
    # What it was taken for, on the picture too: the title bar is small on a projector (walkthrough 7).
    digit, strength = browser.model_answer()
    assert digit != browser.labels[WRONG[-1]]
    assert said[-1] == f"The model reads it as {digit} ({strength:.0%})    Space: its label"
    assert all(line.startswith("The model reads it as ") for line in said)
    assert colour_present(screen, WRONG_COLOUR, (0, CAPTION_TOP, 672, 40))
    browser.message = None                                         # gone at the next key: the image as it is
    browser.draw(screen)
    assert_shows_image(screen, images[WRONG[-1]])
    press(browser, screen, "m")
    assert browser.index == WRONG[-1]
    assert browser.message == f"The model gets every record after #{WRONG[-1]} right"
    assert colour_present(screen, WRONG_COLOUR, (0, CAPTION_TOP, 672, 40))
    press(browser, screen, "end", "m")                             # from the last record: nothing after it
    assert browser.message == f"#{len(images) - 1} is the last record: no mistakes after it"


def test_m_from_the_label_view_shows_the_image_of_the_record_found(data_dir, model_path, screen):
    browser = browse(data_dir, model_path, "--start", "4")
    press(browser, screen, "space", "m")
    assert (browser.index, browser.view) == (7, IMAGE)


# ---------------------------------------------------------------- back queries


def test_a_digit_key_shows_the_networks_back_query_for_that_digit(data_dir, model_path, screen):
    browser = browse(data_dir, model_path, "--start", "5")
    network = load_model(model_path).network
    for key, digit in (("7", 7), (pygame.K_KP3, 3), ("0", 0)):
        press(browser, screen, key)
        assert (browser.view, browser.digit) == (BACK_QUERY, digit)
        expected = np.rint(pixels_from_input(network.back_query(targets(digit))))
        np.testing.assert_array_equal(back_query_greys(screen), expected)  # all of it, above the caption
        assert colour_present(screen, (0, 0, 0), (0, CAPTION_TOP, 672, 40))  # the caption's text
        # With a note under it (what dark and light mean), the yellowish band is taller than a plain caption.
        red, green, blue = screen.get_at((2, CAPTION_TOP - 20))[:3]
        assert red == green > blue
        assert pygame.display.get_caption()[0] == f"Digit Renderer — back query for a {digit}"
    assert browser.index == 5
    press(browser, screen, "space")
    assert (browser.index, browser.view) == (5, IMAGE)


def test_without_a_model_m_and_digit_keys_say_no_model_is_loaded(data_dir, screen):
    images, labels = load_mnist("train", data_dir)
    browser = Browser(images, labels)
    for key in ("m", "7"):
        press(browser, screen, key)
        assert (browser.index, browser.view, browser.message) == (0, IMAGE, NO_MODEL)
        assert colour_present(screen, WRONG_COLOUR, (0, CAPTION_TOP, 672, 40))
    press(browser, screen, "space")
    assert (browser.view, browser.message) == (LABEL, None)


# ---------------------------------------------------------------- main: the window and screenshots


def test_escape_goes_back_to_the_image_from_the_label_or_a_back_query_and_quits_from_the_image(data_dir, model_path,
                                                                                              screen):
    browser = browse(data_dir, model_path)
    press(browser, screen, "space")
    browser.handle(key_down(pygame.K_ESCAPE))
    assert (browser.view, browser.running) == (IMAGE, True)
    press(browser, screen, "7")
    browser.handle(key_down(pygame.K_ESCAPE))
    assert (browser.view, browser.running) == (IMAGE, True)
    browser.handle(key_down(pygame.K_ESCAPE))
    assert browser.running is False


def test_escape_or_closing_the_window_quits(data_dir, model_path, screen):
    for ending in (key_down(pygame.K_ESCAPE), pygame.event.Event(pygame.QUIT)):
        pygame.event.post(key_down(pygame.K_RIGHT))
        pygame.event.post(ending)
        main(["--data-dir", str(data_dir), "--model", str(model_path)])  # returns: the loop ended
        pygame.display.init()  # main closes the display on its way out


def counting_answers(monkeypatch):
    """The browser's model answers counted: a list of how many records each call works out."""
    worked_out = []
    real_answers = browser_module.answers
    monkeypatch.setattr(browser_module, "answers",
                        lambda model, images: worked_out.append(len(images)) or real_answers(model, images))
    return worked_out


def test_the_window_answers_its_first_key_without_working_out_the_models_answers(data_dir, model_path, screen,
                                                                                 monkeypatch):
    # Worked out for the whole set before the first key, they kept the window of a model of 10,000 hidden
    # nodes deaf to every key, Escape and closing it too, for 40 s.
    worked_out = counting_answers(monkeypatch)
    pygame.event.post(key_down(pygame.K_ESCAPE))
    main(["--data-dir", str(data_dir), "--model", str(model_path)])
    assert worked_out == []
    pygame.display.init()


def test_m_works_out_the_models_answers_only_as_far_as_the_mistake_it_finds(data_dir, model_path, screen,
                                                                           monkeypatch):
    # So that M keeps no key waiting, however large the model (a slow key comes back from pygame as a
    # repeat): the first mistake among the first SEARCHED_FIRST records is found among those alone.
    worked_out = counting_answers(monkeypatch)
    browser = browse(data_dir, model_path)
    press(browser, screen, "m")
    assert browser.index == WRONG[0] and worked_out == [browser_module.SEARCHED_FIRST]
    press(browser, screen, "m", "m", "m", "home", "m")
    assert browser.index == WRONG[0]
    # Each record's answer worked out once (record 0, never searched, at the end), and as the model gives it.
    assert (browser.answers() == load_model(model_path).recognise(browser.images)).all()
    assert sum(worked_out) == RECORDS


def test_screenshot_draws_the_selected_view_to_png_without_a_window(data_dir, model_path, tmp_path, capsys):
    images, _ = load_mnist("train", data_dir)
    path = tmp_path / "shot.png"
    main(["--data-dir", str(data_dir), "--model", str(model_path), "--start", "10",
          "--keys", "right, right", "--screenshot", str(path)])
    assert not pygame.display.get_init()
    assert_shows_image(pygame.image.load(str(path)), images[12])
    assert capsys.readouterr().out.startswith(f"{path}: Digit Renderer — train #12 · label ")


def test_screenshot_after_keys_shows_the_label_view_or_a_back_query(data_dir, model_path, tmp_path):
    flags = ["--data-dir", str(data_dir), "--model", str(model_path)]
    main([*flags, "--keys", "space", "--screenshot", str(tmp_path / "label.png")])
    label = pygame.image.load(str(tmp_path / "label.png"))
    assert colour_present(label, (0, 0, 0)) and colour_present(label, RIGHT_COLOUR)
    main([*flags, "--keys", "4", "--screenshot", str(tmp_path / "back.png")])
    expected = np.rint(pixels_from_input(load_model(model_path).network.back_query(targets(4))))
    np.testing.assert_array_equal(back_query_greys(pygame.image.load(str(tmp_path / "back.png"))), expected)


def run_main(argv, capsys):
    """mnist_render.py as a user runs it (through cli.run): (exit status, stderr)."""
    with pytest.raises(SystemExit) as exit_status:
        run(lambda: main(argv))
    return exit_status.value.code, capsys.readouterr().err


@pytest.mark.parametrize("name, problem", [
    ("shot.bmp", "a picture is written as PNG, so its name must end in .png"),
    ("folder.png", "it is a folder"),
])
def test_a_screenshot_name_that_cannot_be_a_png_is_refused_before_any_work(data_dir, tmp_path, capsys, name, problem):
    (tmp_path / "folder.png").mkdir()
    status, error = run_main(["--data-dir", str(data_dir), "--screenshot", str(tmp_path / name)], capsys)
    assert status == 2 and error.count("\n") == 1 and problem in error


@pytest.mark.parametrize("start, problem", [
    ("250", "--start 250: the training set has records #0 to #249"),
    ("-5", "argument --start: must be a whole number of at least 0, not '-5'"),
])
def test_a_start_outside_the_set_fails_in_one_line(data_dir, model_path, capsys, start, problem):
    status, error = run_main(["--data-dir", str(data_dir), "--model", str(model_path), "--start", start], capsys)
    assert status == 2
    assert error.count("\n") == 1 and error.endswith(f"error: {problem}\n")


def test_no_data_and_no_network_fails_in_one_line(tmp_path, model_path, capsys, monkeypatch):
    monkeypatch.setenv("MYONN_MIRRORS", "http://127.0.0.1:9/")  # nothing listens on the discard port
    status, error = run_main(["--data-dir", str(tmp_path / "empty"), "--model", str(model_path)], capsys)
    assert status == 2
    assert error.count("\n") == 1 and "error: MNIST not found: put train-images-idx3-ubyte.gz" in error
    assert "Traceback" not in error


def test_a_bad_model_or_key_name_fails_in_one_line(data_dir, tmp_path, capsys):
    (tmp_path / "bad.npz").write_bytes(b"not a model")
    status, error = run_main(["--data-dir", str(data_dir), "--model", str(tmp_path / "bad.npz")], capsys)
    assert status == 2 and error.count("\n") == 1 and "bad.npz" in error
    status, error = run_main(["--data-dir", str(data_dir), "--keys", "right jump"], capsys)
    assert status == 2 and error.count("\n") == 1 and "unknown key 'jump'" in error
    status, error = run_main(["--data-dir", str(data_dir), "--keys", "x" * 5000], capsys)   # quoted back shortened
    assert status == 2 and "unknown key '" + "x" * 40 + "'… (5,000 characters) (known: right" in error


def test_with_no_display_the_window_fails_in_one_line_instead_of_waiting_unseen(data_dir, model_path, capsys,
                                                                               monkeypatch):
    # Without a screen SDL falls back to its invisible "offscreen" driver (unless asked for one, as here).
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "offscreen")
    status, error = run_main(["--data-dir", str(data_dir), "--model", str(model_path)], capsys)
    assert status == 2
    assert error.count("\n") == 1 and "no display to open a window on" in error


def test_a_video_driver_this_machine_lacks_is_one_line_not_a_traceback(data_dir, model_path):
    """SDL_VIDEODRIVER=wayland in a shell profile, over ssh: pygame.error, a traceback."""
    import os

    result = subprocess.run(
        [sys.executable, "mnist_render.py", "--data-dir", str(data_dir), "--model", str(model_path)],
        cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "SDL_VIDEODRIVER": "no-such-driver"})
    assert result.returncode == 2
    line = result.stderr.splitlines()[-1]
    assert line.startswith("mnist_render.py: error: no display to open a window on (SDL_VIDEODRIVER=no-such-driver: ")
    assert "Traceback" not in result.stderr


def test_the_script_writes_a_screenshot(data_dir, model_path, tmp_path):
    path = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "mnist_render.py", "--data-dir", str(data_dir), "--model", str(model_path),
         "--keys", "end", "--screenshot", str(path)],
        cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{path}: {result.stdout.split(': ', 1)[1]}"  # one line, no pygame greeting
    assert result.stdout.count("\n") == 1 and f"train #{RECORDS - 1}" in result.stdout
    assert result.stderr == f"model: {model_path} (named by --model)\n"  # which model answered, as every script says
    assert_shows_image(pygame.image.load(str(path)), load_mnist("train", data_dir)[0][-1])


# ---------------------------------------------------------------- the real MNIST


def test_real_mnist_browses_the_training_set_like_the_talk(real_mnist_dir, model_path, screen):
    browser = browse(real_mnist_dir, model_path)
    images, labels = load_mnist("train", real_mnist_dir)
    assert len(browser.images) == 60_000
    update(browser, screen, [])
    assert pygame.display.get_caption()[0].startswith("Digit Renderer — train #0 · label 5 · model: ")
    assert_shows_image(screen, images[0])
    press(browser, screen, "end")
    assert_shows_image(screen, images[59_999])
    assert pygame.display.get_caption()[0].startswith(f"Digit Renderer — train #59999 · label {labels[59_999]}")


def test_real_mnist_test_set_screenshot(real_mnist_dir, model_path, tmp_path):
    path = tmp_path / "test.png"
    main(["--data-dir", str(real_mnist_dir), "--test", "--start", "9999", "--model", str(model_path),
          "--screenshot", str(path)])
    images, _ = load_mnist("test", real_mnist_dir)
    assert_shows_image(pygame.image.load(str(path)), images[9999])


def test_the_models_own_input_preparation_is_applied(data_dir, tmp_path, screen):
    """The title's answer and the M jump use the model file's preparation (here: deskewing)."""
    from myonn.evaluation import answers
    from myonn.inputs import network_input

    network = NeuralNetwork(seed=0)
    path = tmp_path / "deskewing.npz"
    save_model(Model(network, {"deskew": True}), path)
    browser = browse(data_dir, path)
    images = browser.images
    expected = network.query(network_input(images, {"deskew": True}))
    plain = network.query(network_input(images))
    assert not np.allclose(expected, plain, atol=1e-3)
    digit, strength = browser.model_answer()
    assert digit == expected[0].argmax() and strength == pytest.approx(expected[0].max(), abs=1e-6)
    assert (browser.answers() == expected.argmax(axis=1)).all()
    assert (answers(load_model(path), images) == expected.argmax(axis=1)).all()
