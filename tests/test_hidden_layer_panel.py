"""myonn/windows/hidden_layer_panel.py: the drawing window's hidden nodes, lighting up as you draw (headless)."""

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"  # no screen needed: pygame draws into memory
os.environ["SDL_AUDIODRIVER"] = "dummy"

import io  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from conftest import headless_window  # noqa: E402

from myonn import hidden_layer  # noqa: E402
from myonn.inputs import network_input  # noqa: E402
from myonn.model import load_model  # noqa: E402
from myonn.windows import pictures  # noqa: E402
from myonn.windows.draw_window import CANVAS_SIDE, PANEL_WIDTH, WINDOW_SIZE, Recognizer, main, stroke_events  # noqa: E402
from myonn.windows.hidden_layer_panel import (ACTIVE_COLOUR, GRID_AREA, QUIET_COLOUR, SQUARE, STRONGEST,  # noqa: E402
                                              STRONGEST_COLOUR, WEIGHTS_SIDE, node_at, node_centre, weights_area)
from myonn.windows.pictures import pygame  # noqa: E402

LEFT = CANVAS_SIDE + PANEL_WIDTH  # where the panel starts in the window
SEVEN = [[(150, 150), (500, 150), (300, 560)]]


@pytest.fixture(scope="module")
def model():
    return load_model()  # the shipped data/mnist_nn.npz


@pytest.fixture
def window(model):
    with headless_window(Recognizer(model, output=io.StringIO()), WINDOW_SIZE) as recognizer:
        yield recognizer


def square_colour(screen, node):
    x, y = node_centre(node)
    return np.array(screen.get_at((LEFT + x, y))[:3])


def point_at(position):
    return pygame.event.Event(pygame.MOUSEMOTION, pos=position, rel=(0, 0), buttons=(0, 0, 0))


def activity(window):
    pixels, _ = window.network_view()
    return hidden_layer.activations(window.model.network, network_input(pixels))


def test_the_grid_is_dark_until_something_is_drawn_then_lights_up_with_the_activations(window):
    assert all(np.array_equal(square_colour(window.screen, node), QUIET_COLOUR) for node in range(200))
    window.post(*stroke_events(SEVEN))
    active = activity(window)
    for node in (int(active.argmax()), int(active.argmin()), 0, 199):
        expected = QUIET_COLOUR + active[node] * (ACTIVE_COLOUR - QUIET_COLOUR)
        assert np.abs(square_colour(window.screen, node) - expected).max() <= 1
    assert square_colour(window.screen, int(active.argmax()))[0] > 200  # bright yellow
    window.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_c, mod=0, unicode="c", scancode=0))
    assert np.array_equal(square_colour(window.screen, int(active.argmax())), QUIET_COLOUR)  # cleared: dark again


def test_the_nodes_that_push_the_answer_hardest_are_framed(window):
    window.post(*stroke_events(SEVEN))
    _, scores = window.network_view()
    strongest = hidden_layer.strongest_pushes(window.model.network, activity(window), int(np.argmax(scores)), STRONGEST)
    assert len(strongest) == STRONGEST
    framed = [node for node in range(200)
              if window.screen.get_at((LEFT + node_centre(node)[0] - SQUARE // 2 - 2, node_centre(node)[1]))[:3]
              == STRONGEST_COLOUR]
    assert sorted(framed) == sorted(strongest)


def test_the_squares_are_a_grid_of_twenty_to_a_row():
    assert node_centre(0) == (GRID_AREA.left + SQUARE // 2, GRID_AREA.top + SQUARE // 2)
    assert node_centre(21) == (GRID_AREA.left + SQUARE + SQUARE // 2, GRID_AREA.top + SQUARE + SQUARE // 2)
    network = load_model().network
    assert all(node_at(network, node_centre(node)) == node for node in range(200))
    assert node_at(network, (GRID_AREA.left, GRID_AREA.top + 10 * SQUARE + 1)) is None  # below the 200th
    assert node_at(network, None) is None and node_at(network, (2, 2)) is None


def test_pointing_at_a_node_shows_its_weights_and_how_it_pushes_the_answer(window):
    window.post(*stroke_events(SEVEN))
    active = activity(window)
    node = int(active.argmax())
    before = pygame.Surface.copy(window.screen)
    x, y = node_centre(node)
    window.post(point_at((LEFT + x, y)))
    screen = window.screen
    assert screen.get_at((LEFT + x - SQUARE // 2 - 1, y))[:3] == (200, 30, 30)  # the pointed square is outlined
    # The weights image, 28 squares of 6 pixels, red where a weight is positive, blue where negative.
    weights = hidden_layer.weight_images(window.model.network)[node]
    area = weights_area(window.model.network).move(LEFT, 0)
    assert area.width == area.height == WEIGHTS_SIDE == 6 * 28
    def colour_of(pixel):
        row, column = divmod(int(pixel), 28)
        return screen.get_at((area.left + 6 * column + 3, area.top + 6 * row + 3))[:3]

    strongest = np.abs(weights).argmax()  # full colour; the image is scaled to it
    assert colour_of(strongest) == (pictures.POSITIVE_COLOUR if weights.flat[strongest] > 0 else pictures.NEGATIVE_COLOUR)
    red, _, blue = colour_of(weights.argmax())
    assert red > blue
    red, _, blue = colour_of(weights.argmin())
    assert blue > red
    # ... and text that was not there before: its activation and its push.
    assert np.any(pygame.surfarray.array3d(screen) != pygame.surfarray.array3d(before))
    answer = int(np.argmax(window.network_view()[1]))
    push = hidden_layer.pushes(window.model.network, active, answer)[node]
    assert push == pytest.approx(active[node] * window.model.network.output_weights[answer, node])


def test_a_push_that_rounds_to_nothing_is_shown_without_a_minus_sign(window, monkeypatch):
    from myonn.windows import hidden_layer_panel

    window.post(*stroke_events(SEVEN))
    monkeypatch.setattr(hidden_layer, "pushes", lambda *arguments: np.full(200, -0.001))
    shown = []
    draw_text = pictures.draw_centred_text
    monkeypatch.setattr(hidden_layer_panel.pictures, "draw_centred_text",
                        lambda surface, text, *rest: shown.append(str(text)) or draw_text(surface, text, *rest))
    x, y = node_centre(3)
    window.post(point_at((LEFT + x, y)))
    assert any(line.startswith("pushes the answer") and line.endswith("by +0.00") for line in shown)


def shown_lines(monkeypatch):
    from myonn.windows import hidden_layer_panel

    shown = []
    draw_text = pictures.draw_centred_text
    monkeypatch.setattr(hidden_layer_panel.pictures, "draw_centred_text",
                        lambda surface, text, *rest: shown.append(str(text)) or draw_text(surface, text, *rest))
    return shown


def test_a_pointed_node_among_the_framed_says_its_rank_and_on_an_empty_canvas_no_activation(window, monkeypatch):
    shown = shown_lines(monkeypatch)
    x, y = node_centre(7)
    window.post(point_at((LEFT + x, y)))                            # nothing drawn yet
    assert "(nothing drawn yet)" in shown and not any(line.startswith("activation") for line in shown)
    window.post(*stroke_events(SEVEN))
    _, scores = window.network_view()
    answer = int(np.argmax(scores))
    second = hidden_layer.strongest_pushes(window.model.network, activity(window), answer, STRONGEST)[1]
    shown.clear()
    x, y = node_centre(second)
    window.post(point_at((LEFT + x, y)))
    assert f"the 2nd hardest push for {answer}" in shown
    assert "framed: the 5 nodes" in shown and f"pushing hardest for {answer}" in shown


@pytest.mark.parametrize("hidden_nodes", [200, 300, 1000])
def test_every_line_of_a_pointed_node_fits_in_the_panel_without_overlapping(model, monkeypatch, hidden_nodes):
    """The most lines there can be (a framed node pointed at), for the largest grid the panel shows too:
    each inside the panel, none over another, none smaller than 22 pixels (read on a projector)."""
    import copy

    from myonn.windows import hidden_layer_panel

    model = copy.deepcopy(model)
    network = model.network
    random = np.random.default_rng(0)
    if hidden_nodes != network.hidden_nodes:
        network.hidden_nodes = hidden_nodes
        network.input_weights = random.normal(0, 0.05, (hidden_nodes, network.input_nodes)).astype(np.float32)
        network.output_weights = random.normal(0, 0.05, (network.output_nodes, hidden_nodes)).astype(np.float32)
    placed = []
    draw_text = pictures.draw_centred_text
    monkeypatch.setattr(hidden_layer_panel.pictures, "draw_centred_text",
                        lambda surface, text, rect, size, *rest:
                        placed.append((str(text), size, draw_text(surface, text, rect, size, *rest))))
    with headless_window(Recognizer(model, output=io.StringIO()), WINDOW_SIZE) as window:
        window.post(*stroke_events(SEVEN))
        _, scores = window.network_view()
        answer = int(np.argmax(scores))
        framed = hidden_layer.strongest_pushes(network, activity(window), answer, STRONGEST,
                                               among=min(hidden_nodes, hidden_layer_panel.MOST_NODES))
        placed.clear()
        x, y = node_centre(framed[1])
        window.post(point_at((LEFT + x, y)))
    lines = [(text, size, rect) for text, size, rect in placed if "hardest push" in text or "looks for" in text
             or "framed" in text or "calms it" in text or "weighted sum" in text or "quiet" in text]
    assert any("hardest push" in text for text, _, _ in lines) and any("weighted sum" in text for text, _, _ in lines)
    panel_rect = pygame.Rect(0, 0, hidden_layer_panel.PANEL_WIDTH, CANVAS_SIDE)
    for text, size, rect in lines:
        assert size >= 22, text
        assert panel_rect.contains(rect), (text, rect)
    for index, (text, _, rect) in enumerate(lines):
        for other, _, other_rect in lines[index + 1:]:
            assert not rect.colliderect(other_rect), (text, other)


def test_moving_off_the_grid_hides_the_weights_again(window):
    x, y = node_centre(5)
    window.post(point_at((LEFT + x, y)))
    pointed = pygame.surfarray.array3d(window.screen)
    window.post(point_at((100, 100)))  # on the canvas, pen up: nothing drawn
    assert window.strokes == []
    assert np.any(pygame.surfarray.array3d(window.screen) != pointed)
    window.post(point_at((LEFT + x, y)))
    assert np.array_equal(pygame.surfarray.array3d(window.screen), pointed)


@pytest.mark.parametrize("event", [pygame.WINDOWLEAVE, pygame.WINDOWRESIZED])
def test_a_node_is_no_longer_pointed_at_once_the_mouse_leaves_or_the_window_changes_size(window, event):
    x, y = node_centre(5)
    window.post(point_at((LEFT + x, y)))
    assert window.screen.get_at((LEFT + x - SQUARE // 2 - 1, y))[:3] == (200, 30, 30)   # framed in red
    window.post(pygame.event.Event(event, {}))
    assert window.pointer is None and window.screen.get_at((LEFT + x - SQUARE // 2 - 1, y))[:3] != (200, 30, 30)


def test_the_script_screenshots_a_pointed_node(tmp_path, capsys):
    path = tmp_path / "shot.png"
    main(["--replay", "bench/strokes/2-swan.json", "--screenshot", str(path), "--point-at", "21"])
    shot = pygame.image.load(str(path))
    x, y = node_centre(21)
    assert shot.get_at((LEFT + x - SQUARE // 2 - 1, y))[:3] == (200, 30, 30)
    assert capsys.readouterr().out.startswith("0=")
