"""myonn/windows/test_results.py and mnist_test.py --show / --screenshot / --cell, driven headless by clicks and keys."""

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"  # no screen needed: pygame draws into memory
os.environ["SDL_AUDIODRIVER"] = "dummy"

import subprocess  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from conftest import REPOSITORY_ROOT, headless_window  # noqa: E402
from myonn.mnist import TEST, load_mnist  # noqa: E402
from myonn.model import load_model  # noqa: E402
from myonn.windows import pictures  # noqa: E402
from myonn.windows.pictures import NEGATIVE_COLOUR, pygame  # noqa: E402
from myonn.windows.test_results import (CELL, IMAGE, MATRIX, POINTED_TILE, THUMBNAILS_PER_PAGE, WEIGHTS,  # noqa: E402
                                        WEIGHTS_AREA,
                                        WINDOW_SIZE, ResultsView, cell_rect, thumbnail_layout,
                                        thumbnail_rect)


@pytest.fixture(scope="module")
def results_data(real_mnist_dir):
    images, labels = load_mnist(TEST, real_mnist_dir)
    return images, labels, load_model()  # the shipped model


@pytest.fixture
def window(results_data):
    """ResultsView in a headless window; window.post(...) sends it events as a mouse and keyboard would."""
    with headless_window(ResultsView(*results_data), WINDOW_SIZE) as results:
        yield results


def click(position):
    return pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=position)


def key(name):
    return pygame.event.Event(pygame.KEYDOWN, key=getattr(pygame, f"K_{name}"), mod=0, unicode="", scancode=0)


def corner(rect):
    """A point inside rect's top-left corner, clear of any text in its middle."""
    return rect.left + 4, rect.top + 4


def has_ink(surface, rect):
    return int(pygame.surfarray.pixels3d(surface.subsurface(rect)).min()) < 80


def test_the_matrix_is_a_heat_map_green_on_the_diagonal_red_where_most_mistakes_fall(window):
    screen, matrix = window.screen, window.matrix
    assert window.view == MATRIX and pygame.display.get_caption()[0] == "Test results"
    assert matrix.sum() == 10_000 and np.array_equal(matrix.sum(axis=1), np.bincount(window.labels, minlength=10))
    for digit in range(10):
        red, green, blue = screen.get_at(corner(cell_rect(digit, digit)))[:3]
        assert green > red + 50 and green > blue + 50
    mistakes = matrix - np.diag(np.diag(matrix))
    worst = np.unravel_index(mistakes.argmax(), mistakes.shape)
    red, green, _ = screen.get_at(corner(cell_rect(*worst)))[:3]
    assert red > 180 and green < 80  # the deepest red
    empty = next(cell for cell, count in np.ndenumerate(mistakes) if count == 0 and cell[0] != cell[1])
    assert screen.get_at(corner(cell_rect(*empty)))[:3] == (255, 255, 255)
    # Each cell's count is written in it (dark text on the light cells).
    one = next(cell for cell, count in np.ndenumerate(mistakes) if count == 1)
    assert has_ink(screen, cell_rect(*one).inflate(-16, -16))


def text_height(surface, rect):
    """Rows of a cell holding its count's text: pixels far from the cell's own colour (at its corner)."""
    pixels = pygame.surfarray.array3d(surface.subsurface(rect)).astype(int)
    background = pixels[2, 2]
    rows = np.flatnonzero((np.abs(pixels - background).sum(axis=2) > 120).any(axis=0))
    return rows.max() - rows.min() + 1


def test_four_digit_counts_are_written_as_large_as_three_digit_ones(window):
    # A projector's audience read the diagonal's 1,000s worst: they were drawn smaller than the rest.
    matrix = window.matrix
    four_digits = next(digit for digit in range(10) if matrix[digit, digit] >= 1000)
    three_digits = next(digit for digit in range(10) if 100 <= matrix[digit, digit] < 1000)
    inside = (-8, -8)  # clear of the grid lines
    assert (text_height(window.screen, cell_rect(four_digits, four_digits).inflate(*inside))
            == text_height(window.screen, cell_rect(three_digits, three_digits).inflate(*inside)))


def test_a_count_too_long_for_its_cell_is_drawn_smaller_to_fit():
    width = cell_rect(0, 0).width - 8
    assert pictures.size_to_fit(1135, width, 24, 12) == 24
    smaller = pictures.size_to_fit(1_234_567, width, 24, 12)
    assert 12 < smaller < 24
    assert pictures._font(smaller).size("1234567")[0] <= width < pictures._font(smaller + 1).size("1234567")[0]
    assert pictures.size_to_fit(10 ** 30, width, 24, 12) == 12  # never smaller than asked, however long


def test_clicking_a_cell_shows_its_images_most_confident_first_with_their_confidence(window):
    true_digit, answer = 7, 2
    window.post(click(cell_rect(true_digit, answer).center))
    assert window.view == CELL and window.cell == (7, 2)
    assert window.title() == "Test results — true 7, read as 2"
    records = window.cell_records()
    assert len(records) == window.matrix[7, 2] and all(window.labels[records] == 7)
    assert all(window.answers[records] == 2) and list(window.confidence[records]) == sorted(window.confidence[records], reverse=True)
    screen = window.screen
    for number in range(len(records)):
        box = thumbnail_rect(number, len(records))
        assert has_ink(screen, box)  # the digit itself
        text = pygame.Rect(box.left, box.bottom + 2, box.width, 16)
        assert any(screen.get_at((x, y))[0] > 150 > screen.get_at((x, y))[1]  # red text: a mistake
                   for x in range(text.left, text.right) for y in range(text.top, text.bottom))
    assert not has_ink(screen, thumbnail_rect(len(records), len(records)))  # nothing after the last
    assert thumbnail_rect(0, len(records)).width == 168  # a few mistakes: large thumbnails
    assert [thumbnail_layout(count)[0] for count in (1, 15, 16, 28, 29, 500)] == [168, 168, 112, 112, 56, 56]


def test_clicking_a_thumbnail_shows_it_large_with_every_output_and_escape_goes_back(window):
    window.post(click(cell_rect(7, 2).center))
    first = window.cell_records()[0]
    window.post(click(thumbnail_rect(0, len(window.cell_records())).center))
    assert window.view == IMAGE and window.record == first
    assert window.title() == f"Test results — true 7, read as 2 · test #{first}"
    screen = window.screen
    # The large image: each pixel a 14-pixel square, ink dark where the record's pixel is ink.
    row, column = np.unravel_index(window.images[first].argmax(), (28, 28))
    assert screen.get_at((30 + 14 * column + 7, 110 + 14 * row + 7))[0] < 40
    # The answer's bar is long and red: 98% of the track.
    bar_row = 110 + 34 * 2 + 15
    assert screen.get_at((750 + 100, bar_row))[:3] == (190, 0, 0)
    window.post(key("ESCAPE"))
    assert window.view == CELL
    window.post(key("ESCAPE"))
    assert window.view == MATRIX and window.running
    window.post(key("ESCAPE"))
    assert not window.running


def test_right_and_left_in_an_image_step_through_its_cells_images_never_past_either_end(window):
    """A walkthrough's students, used to the MNIST browser, pressed Right there and nothing happened."""
    window.post(click(cell_rect(7, 2).center))
    records = list(window.cell_records())
    window.post(click(thumbnail_rect(0, len(records)).center))
    window.post(key("LEFT"))                                        # the first: nothing before it
    assert window.view == IMAGE and window.record == records[0]
    window.post(key("RIGHT"), key("RIGHT"))
    assert window.record == records[2] and window.title().endswith(f"test #{records[2]}")
    for _ in records:
        window.post(key("RIGHT"))
    assert window.record == records[-1]                             # the last: nothing after it
    window.post(key("ESCAPE"))
    assert window.view == CELL and window.page == (len(records) - 1) // THUMBNAILS_PER_PAGE


def test_an_empty_cell_says_so_without_the_lines_about_its_images(window, monkeypatch):
    """It still said "under each: the network's answer…" and "Click an image to see it large" around
    "no images here" (walkthrough 7)."""
    true_digit, answer = map(int, np.argwhere(window.matrix == 0)[0])
    said = []
    for name in ("draw_text", "draw_centred_text", "draw_caption"):
        drawn = getattr(pictures, name)
        monkeypatch.setattr(pictures, name, lambda surface, text, *rest, drawn=drawn, **options: said.append(text)
                            or drawn(surface, text, *rest, **options))
    window.open_cell(true_digit, answer)
    window.post()
    assert "no images here" in said and "Escape: back" in said
    assert not any("under each" in text or "Click an image" in text for text in said)


def test_a_big_cell_has_pages(window):
    window.post(click(cell_rect(1, 1).center))
    count = window.matrix[1, 1]
    assert count > THUMBNAILS_PER_PAGE
    window.post(key("PAGEDOWN"))
    assert window.page == 1
    window.post(click(thumbnail_rect(0, count).center))
    assert window.record == window.cell_records()[THUMBNAILS_PER_PAGE]
    assert thumbnail_rect(0, count).width == 56     # small, a page of 112 at a time
    window.post(key("ESCAPE"), *[key("PAGEDOWN")] * 50)
    assert window.page == (count - 1) // THUMBNAILS_PER_PAGE
    window.post(*[key("PAGEUP")] * 50)
    assert window.page == 0


def test_clicks_outside_the_cells_and_thumbnails_change_nothing(window):
    window.post(click((5, 5)), click((990, 700)))
    assert window.view == MATRIX
    window.post(click(cell_rect(3, 5).center), click((990, 700)))
    assert window.view == CELL


def test_w_shows_what_the_models_hidden_nodes_look_for_and_escape_goes_back(window, monkeypatch):
    weights = window.model.network.input_weights.copy()             # the model is shared: changed on a copy
    weights[0] = -0.3                                               # node 0: all negative, a blue tile
    monkeypatch.setattr(window.model.network, "input_weights", weights)
    window.post(key("w"))
    assert window.view == WEIGHTS and pygame.display.get_caption()[0] == "Test results — the hidden nodes' weights"
    tile = WEIGHTS_AREA.width // 20                                 # 20 tiles to a row for 200 nodes
    assert window.screen.get_at((WEIGHTS_AREA.left + tile // 2, WEIGHTS_AREA.top + tile // 2))[:3] == NEGATIVE_COLOUR
    window.post(key("ESCAPE"))
    assert window.view == MATRIX and window.running
    window.post(click(corner(cell_rect(7, 2))), key("w"))           # W only from the matrix
    assert window.view == CELL


def test_pointing_at_a_node_in_the_weights_view_shows_it_large_as_the_training_window_does(window, monkeypatch):
    weights = window.model.network.input_weights.copy()             # the model is shared: changed on a copy
    weights[21] = -0.3                                              # node 21 (row 2, column 2): all blue
    monkeypatch.setattr(window.model.network, "input_weights", weights)
    said = []
    draw_text = pictures.draw_text
    monkeypatch.setattr(pictures, "draw_text", lambda surface, text, *rest: said.append(text) or draw_text(
        surface, text, *rest))
    window.post(key("w"))
    assert not any(text.startswith("node ") for text in said)       # nothing pointed at: nothing large
    tile = WEIGHTS_AREA.width / 20
    window.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(round(WEIGHTS_AREA.left + 1.5 * tile),
                                                            round(WEIGHTS_AREA.top + 1.5 * tile)), rel=(0, 0),
                                   buttons=(0, 0, 0)))
    assert "node 21: what it looks for" in said
    large = pygame.Rect(WEIGHTS_AREA.left + 320, 0, POINTED_TILE, POINTED_TILE)
    large.bottom = WINDOW_SIZE[1] - 36 - 2                           # above the caption
    pixels = pygame.surfarray.pixels3d(window.screen.subsurface(large)).astype(int)
    blue = np.count_nonzero(np.abs(pixels - NEGATIVE_COLOUR).max(axis=2) <= 30)
    assert blue > POINTED_TILE ** 2 // 2                             # node 21's tile, large: all blue
    said.clear()
    window.post(pygame.event.Event(pygame.WINDOWLEAVE))
    assert not any(text.startswith("node ") for text in said)


def run_test_script(*arguments):
    return subprocess.run([sys.executable, "mnist_test.py", *arguments], cwd=REPOSITORY_ROOT,
                          env={**os.environ, "SDL_VIDEODRIVER": "dummy"}, capture_output=True, text=True, timeout=120)


def test_the_script_draws_each_view_to_a_png(real_mnist_dir, tmp_path):
    for view, title in (([], "Test results"), (["--cell", "7,2"], "Test results — true 7, read as 2"),
                        (["--cell", "7,2,1"], "Test results — true 7, read as 2 · test #"),
                        (["--weights"], "Test results — the hidden nodes' weights")):
        path = tmp_path / f"{len(title)}.png"
        result = run_test_script("--data-dir", str(real_mnist_dir), "--screenshot", str(path), *view)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("98.5%\n")  # the terminal report comes first, unchanged
        assert result.stdout.splitlines()[-1].startswith(f"{path}: {title}")
        assert pygame.image.load(str(path)).get_size() == WINDOW_SIZE


@pytest.mark.parametrize("arguments, message", [
    (["--cell", "7,x", "--show"], "expected TRUE,ANSWER"),
    (["--cell", "7,12", "--show"], "expected TRUE,ANSWER"),
    (["--cell", "7,2"], "--cell needs --show or --screenshot"),
    (["--weights"], "--weights needs --show or --screenshot"),
    (["--weights", "--cell", "7,2", "--show"], "--weights and --cell open different views"),
    (["--screenshot", "shot.bmp"], "must end in .png"),
])
def test_bad_flags_get_one_line(arguments, message):
    result = run_test_script(*arguments)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1 and message in result.stderr


def test_a_screenshot_named_as_a_folder_is_refused_before_the_report(real_mnist_dir, tmp_path):
    (tmp_path / "shots.png").mkdir()
    result = run_test_script("--data-dir", str(real_mnist_dir), "--screenshot", str(tmp_path / "shots.png"))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"mnist_test.py: error: argument --screenshot: cannot write {tmp_path / 'shots.png'}: it is a folder\n"


def test_an_image_the_cell_does_not_have_is_one_line(real_mnist_dir, tmp_path):
    result = run_test_script("--data-dir", str(real_mnist_dir), "--cell", "7,2,99", "--screenshot", str(tmp_path / "x.png"))
    said_which_model, error = result.stderr.splitlines()
    assert result.returncode == 2 and said_which_model.startswith("model: ")
    assert result.stdout == ""  # said before the report (10,000 images' worth), not after it
    images, labels = load_mnist(TEST, real_mnist_dir)
    in_cell = int(np.sum((labels == 7) & (load_model().scores(images).argmax(axis=1) == 2)))  # 7s read as 2
    assert 0 < in_cell < 99
    assert error == f"mnist_test.py: error: cell 7,2 has {in_cell} image(s), so no image 99"


def test_showing_without_a_display_is_one_line_after_the_report(real_mnist_dir, tmp_path):
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    environment["XDG_RUNTIME_DIR"] = str(tmp_path)  # else SDL itself complains of its absence first
    result = subprocess.run([sys.executable, "mnist_test.py", "--show", "--data-dir", str(real_mnist_dir)],
                            cwd=REPOSITORY_ROOT, env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout.startswith("98.5%\n")
    said_which_model, error = result.stderr.splitlines()
    assert said_which_model.startswith("model: ") and "(the shipped model" in said_which_model
    assert error == ("mnist_test.py: error: no display to open a window on (is DISPLAY set?); "
                     "--screenshot FILE.png draws the view without one")
