"""myonn/windows/training_window.py and mnist_train.py --watch / --screenshot / --plot, headless."""

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"  # no screen needed: pygame draws into memory
os.environ["SDL_AUDIODRIVER"] = "dummy"

import errno  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from conftest import REPOSITORY_ROOT  # noqa: E402
from myonn.cli import Ended  # noqa: E402
from myonn.learning_curve import LearningCurve  # noqa: E402
from myonn.model import Model, load_model  # noqa: E402
from myonn.network import NeuralNetwork  # noqa: E402
from myonn.training import StopRequest, train  # noqa: E402
from myonn.windows import pictures, training_window  # noqa: E402
from myonn.windows.pictures import pygame  # noqa: E402
from myonn.windows.training_window import (CURVE_AREA, FIRST_FRAMES, MISTAKES_AREA, PAUSE_KEY,  # noqa: E402
                                           STATS_AREA, STEP_KEY, STOP_COLOUR, TEST_COLOUR, TRAIN_COLOUR, WEIGHTS_AREA, WINDOW_SIZE, TrainingWindow, Watcher,
                                           accuracy_axis, cost_axis, epoch_axis,
                                           save_learning_curve)


def moment(network, epochs_done, train_accuracy, stop=None, test_labels=None):
    return {"epochs_done": epochs_done, "epoch": int(epochs_done) + 1, "epochs": 4, "train_accuracy": train_accuracy,
            "learning_rate": 0.05, "images_per_second": 12345.6, "network": network, "stop": stop or StopRequest(),
            "test_inputs": None if test_labels is None else np.full((len(test_labels), 784), 0.5, np.float32),
            "test_labels": test_labels}


def drawn(window):
    surface = pygame.Surface(WINDOW_SIZE)
    window.draw(surface)
    return surface


def count_colour(surface, rect, colour, tolerance=30):
    pixels = pygame.surfarray.pixels3d(surface.subsurface(rect)).astype(int)
    return int(np.count_nonzero(np.abs(pixels - colour).max(axis=2) <= tolerance))


def tile_centre(node, columns=20):
    """The screen point at the middle of hidden node `node`'s tile (28 pixels and a 1-pixel gap, scaled to fill
    the weights area's width)."""
    scale = WEIGHTS_AREA.width / (columns * 29 - 1)
    row, column = divmod(node, columns)
    return (round(WEIGHTS_AREA.left + (column * 29 + 14) * scale), round(WEIGHTS_AREA.top + (row * 29 + 14) * scale))


def test_each_hidden_nodes_weights_are_a_tile_red_where_positive_blue_where_negative():
    network = NeuralNetwork(784, 200, 10, seed=0)
    network.input_weights[0] = 0.3            # all positive: a red tile
    network.input_weights[1] = -0.3           # all negative: a blue tile
    network.input_weights[21] = 0.0           # the second row's second node: nothing, white
    network.input_weights[21].reshape(28, 28)[12:17, 12:17] = 1.0
    window = TrainingWindow()
    window(moment(network, 0.5, 0.9))
    surface = drawn(window)
    assert surface.get_at(tile_centre(0))[:3] == pictures.POSITIVE_COLOUR
    assert surface.get_at(tile_centre(1))[:3] == pictures.NEGATIVE_COLOUR
    assert surface.get_at(tile_centre(199))[:3] not in (pictures.POSITIVE_COLOUR, pictures.NEGATIVE_COLOUR)
    # Node 21 (the second row's second tile) looks at a few middle pixels only: red there, white around it.
    x, y = tile_centre(21)
    red, green, _ = surface.get_at((x, y))[:3]
    assert red > green + 60
    assert min(surface.get_at((x - 12, y - 12))[:3]) > 245
    # 200 tiles in a 20 × 10 grid: the last one ends at the weights area's bottom right.
    assert WEIGHTS_AREA.collidepoint(tile_centre(199)) and not WEIGHTS_AREA.collidepoint(tile_centre(219))


def test_the_window_is_drawn_for_a_16_9_screen_whole_on_1920_by_1080_and_large_on_a_1280_by_720_projector():
    assert pictures.fitted_size(WINDOW_SIZE, (1920, 1080)) == WINDOW_SIZE   # at full size: nothing blurred
    # A workshop's 1280×720 projector, less a title bar and a taskbar: drawn for 1200×850 the window was
    # shown at 73% there, its smallest text 11 pixels high.
    shown = pictures.fitted_size(WINDOW_SIZE, (1280, 720))
    assert shown[0] / WINDOW_SIZE[0] > 0.85


def test_the_windows_areas_lie_inside_it_apart_and_hold_readable_tiles_and_the_mistakes():
    window = pygame.Rect((0, 0), WINDOW_SIZE)
    areas = [CURVE_AREA, WEIGHTS_AREA, STATS_AREA, MISTAKES_AREA]
    assert all(window.contains(area) for area in areas)
    assert not any(area.colliderect(other) for number, area in enumerate(areas) for other in areas[number + 1:])
    assert pictures.tile_columns(200, WEIGHTS_AREA) == 20
    assert pictures.weight_tile_at(tile_centre(0), 200, WEIGHTS_AREA)[1].width >= 33  # 42 at 1200×850
    # The mistakes across the area, each label (as wide as any: digits differ) well apart from the next.
    pitch = MISTAKES_AREA.width // training_window.MOST_MISTAKES
    widest = max(pictures.text_picture(f"{label} as {answer}", training_window.MISTAKE_LABEL_SIZE).get_width()
                 for label in range(10) for answer in range(10))
    assert widest + 12 <= pitch and pitch >= 40
    assert training_window.MISTAKE_LABEL_SIZE >= 24  # 22 was 11 pixels high on a projector


@pytest.mark.parametrize("state", ["running, paused, pointed at", "finished, kept as a backup"])
def test_no_text_runs_off_the_window_or_into_another(screen, monkeypatch, state):
    """Every line the window writes (draw_text, draw_centred_text), in its fullest frames: in the first
    quarter epoch (with the note on the start below the axis), paused with a node pointed at, or finished
    with the longest lines of a model kept as a backup."""
    window = TrainingWindow(screen)
    network = NeuralNetwork(784, 200, 10, seed=0)
    labels = np.arange(10_000) % 10
    window(moment(network, 0.0, None, test_labels=labels))
    for step in range(1, 6):
        window({**moment(network, step / 20, 0.9, test_labels=labels), "images_per_epoch": 60_000})
    window.curve.test_points = [(0.0, 0.097), (0.05, 0.9), (0.1, 0.91), (0.15, 0.92), (0.2, 0.93), (0.25, 0.935)]
    if state.startswith("running"):
        window.paused, window.pointer = True, tile_centre(199)
    else:
        window.state, window.saved_accuracy, window.kept_apart = training_window.FINISHED, 0.9329, True
    placed = []

    def draw_text(surface, text, topleft, size, colour=training_window.AXIS_COLOUR):
        placed.append((text, pictures.text_picture(text, size, colour).get_rect(topleft=topleft)))
        return placed[-1][1]

    def draw_centred_text(surface, text, rect, size, colour=training_window.AXIS_COLOUR):
        placed.append((text, pictures.text_picture(text, size, colour).get_rect(center=pygame.Rect(rect).center)))
        return placed[-1][1]

    monkeypatch.setattr(pictures, "draw_text", draw_text)
    monkeypatch.setattr(pictures, "draw_centred_text", draw_centred_text)
    window.draw(pygame.Surface(WINDOW_SIZE))
    texts = [text for text, _ in placed]
    assert "test accuracy at the start: 9.7% (below the axis)" in texts
    assert ("Paused" in texts and "node 199: what it looks for" in texts if state.startswith("running")
            else "(of 10,000; the model in use is better)" in texts and "Finished: Escape closes" in texts)
    assert all(pygame.Rect((0, 0), WINDOW_SIZE).contains(rect) for _, rect in placed), placed
    overlapping = [(text, other) for number, (text, rect) in enumerate(placed)
                   for other, other_rect in placed[number + 1:] if rect.colliderect(other_rect)]
    assert not overlapping


def test_the_learning_curve_draws_both_lines_and_says_which_test_images():
    network = NeuralNetwork(784, 20, 10, seed=0)
    window = TrainingWindow()
    labels = np.arange(50) % 10
    for step in range(1, 17):
        window(moment(network, step / 4, 0.5 + step / 40, test_labels=labels))
    assert len(window.curve.test_points) == 16 and window.curve.test_description == "every 5th test image (10 of 50)"
    surface = drawn(window)
    assert count_colour(surface, CURVE_AREA, TRAIN_COLOUR, 10) > 200
    assert count_colour(surface, CURVE_AREA, TEST_COLOUR, 10) > 200
    assert count_colour(surface, WEIGHTS_AREA, TRAIN_COLOUR, 10) == 0  # the curve stays in its area
    # The cost, at the right: the test points' line only.
    cost_area = pygame.Rect(CURVE_AREA.right - 300, CURVE_AREA.top + 60, 300, CURVE_AREA.height - 110)
    assert count_colour(surface, cost_area, TEST_COLOUR, 10) > 200
    assert count_colour(surface, cost_area, TRAIN_COLOUR, 10) == 0


def test_the_test_images_it_answers_wrong_now_are_shown_under_the_weights():
    network = NeuralNetwork(784, 20, 10, seed=0)
    window = TrainingWindow()
    window(moment(network, 0.0, None, test_labels=np.arange(50) % 10))
    answer = int(network.query(np.full(784, 0.5, np.float32)).argmax())  # every test input is the same grey
    surface = drawn(window)
    assert count_colour(surface, MISTAKES_AREA, STOP_COLOUR, 10) > 100    # nine of ten wrong: their labels in red
    window(moment(network, 0.01, 0.5, test_labels=np.full(50, answer)))   # now it answers every one right
    surface = drawn(window)
    assert count_colour(surface, MISTAKES_AREA, STOP_COLOUR, 10) == 0
    assert count_colour(surface, MISTAKES_AREA, (0, 0, 0), 40) > 0          # "…: none of 10"


def test_in_its_first_moments_the_epoch_axis_shows_only_as_far_as_training_has_come():
    curve = LearningCurve()
    assert epoch_axis(curve) == (1, 1)              # before the first moment: nothing known, a plain axis
    curve.epochs = 8
    for done, axis in ((0.0, (0.002, 0.0005)), (16 / 60000, (0.002, 0.0005)), (512 / 60000, (0.02, 0.005)),
                       (0.3, (0.5, 0.1)), (0.45, (8, 1)), (3.0, (8, 1))):
        curve.last = {"epochs_done": done}
        assert epoch_axis(curve) == axis
    curve.epochs, curve.last = 10, {"epochs_done": 2.0}
    assert epoch_axis(curve, most_ticks=4) == (10, 5)     # a tick on the last epoch: 0, 5, 10


def test_the_speed_is_shown_once_a_few_thousand_images_are_trained(monkeypatch):
    said = []
    monkeypatch.setattr(pictures, "draw_text", lambda surface, text, *rest, **options: said.append(text))
    window = TrainingWindow()
    early = moment(NeuralNetwork(784, 20, 10, seed=0), 0.001, 0.3)
    window({**early, "images_trained": 32})
    drawn(window)
    assert "measuring the speed …" in said and "12,346 images per second" not in said
    said.clear()
    window({**early, "images_trained": 4096})
    drawn(window)
    assert "12,346 images per second" in said
    said.clear()
    window({**early, "images_trained": 400, "images_per_epoch": 100})  # the end of a run of 4 epochs of 100
    drawn(window)
    assert "12,346 images per second" in said


def test_the_cost_axis_is_a_log_scale_at_round_values_around_the_costs():
    curve = LearningCurve()
    curve.cost_points = [(0.0, 1.23), (0.1, 0.3), (1.0, 0.0139)]
    low, high, levels = cost_axis(curve)
    assert (low, high) == (0.01, 2) and levels == pytest.approx([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2])
    curve.cost_points = [(0.0, 0.05)]                   # one point: an axis around it
    assert cost_axis(curve)[:2] == (0.05, 0.1)
    assert cost_axis(LearningCurve())[:2] == (0.01, 1.0)  # none yet


def test_the_accuracy_axis_has_round_grid_lines_and_zooms_in_once_past_the_first_climb():
    curve = LearningCurve()
    curve.train_points = [(0.5, 0.47), (1.0, 0.8)]
    bottom, step = accuracy_axis(curve)                 # lowest 47%: grid lines at 40, 50, ... 100, not 45 ... 95
    assert (round(bottom, 6), step) == (0.4, 0.1)
    curve.test_points = [(0.0, 0.098), (0.01, 0.6), (0.3, 0.91), (1.0, 0.97)]
    curve.train_points = [(0.01, 0.3), (0.5, 0.93), (1.0, 0.95)]
    bottom, step = accuracy_axis(curve)                 # the climb from 9.8% comes up from below
    assert (round(bottom, 6), step) == (0.9, 0.05)
    curve.test_points, curve.train_points = curve.test_points[:2], curve.train_points[:1]
    assert round(accuracy_axis(curve)[0], 6) == 0.0     # while it climbs, all of it is shown


def test_the_note_on_the_start_below_the_axis_and_the_axis_label_do_not_overlap():
    """In the first epoch "test accuracy at the start: 9.7% (below the axis)" ran into "epochs: the
    first 30,000 images", centred under the same axis."""
    from myonn.windows.training_window import ACCURACY_SHARE, draw_learning_curve

    curve = LearningCurve()
    curve.epochs, curve.last = 8, {"epochs_done": 0.25, "images_per_epoch": 60_000}
    curve.test_points = [(0.0, 0.097), (0.05, 0.9), (0.15, 0.92), (0.25, 0.935)]
    curve.train_points = [(0.1, 0.85), (0.25, 0.89)]
    assert accuracy_axis(curve)[0] > 0.097                       # the start is below the axis: the note is drawn
    width = round(CURVE_AREA.width * ACCURACY_SHARE)                   # as the window draws it
    surface = pygame.Surface(CURVE_AREA.size)
    surface.fill((255, 255, 255))
    draw_learning_curve(surface, (0, 0, width, CURVE_AREA.height), curve)
    plot_bottom = 60 + CURVE_AREA.height - 110
    band = pygame.surfarray.pixels3d(surface.subsurface((0, plot_bottom + 26, width, 18))).astype(int)
    note = np.flatnonzero((np.abs(band - TEST_COLOUR).max(axis=2) <= 40).any(axis=1))
    label = np.flatnonzero((band.max(axis=2) <= 60).any(axis=1))          # black text
    assert len(note) and len(label) and note.max() < label.min()


def test_grid_lines_closer_than_a_labels_height_leave_out_every_other_label_rather_than_run_them_together():
    from myonn.windows.training_window import draw_learning_curve

    curve = LearningCurve()
    curve.test_points = [(0.0, 0.098), (0.01, 0.6)]   # the first climb: the axis from 0 to 100, a line every 10

    def labelled(height):
        """Which grid lines have a label, in a learning curve `height` pixels high (its plot 110 less)."""
        surface = pygame.Surface((800, height))
        surface.fill((255, 255, 255))
        draw_learning_curve(surface, (0, 0, 800, height), curve)
        bottom, plot_height = height - 50, height - 110
        return [level for level in range(0, 101, 10)
                if count_colour(surface, (30, round(bottom - plot_height * level / 100) - 3, 40, 7), (0, 0, 0), 60)]

    assert labelled(256) == [0, 20, 40, 60, 80, 100]      # lines 14.6 pixels apart
    assert labelled(training_window.PLOT_SIZE[1]) == list(range(0, 101, 10))


def test_the_untrained_network_and_the_first_moments_are_each_drawn(screen, monkeypatch):
    drawn_frames = []
    window = TrainingWindow(screen)
    monkeypatch.setattr(pictures, "update", lambda window, screen, events: drawn_frames.append(window.curve.last))
    network = NeuralNetwork(784, 20, 10, seed=0)
    window(moment(network, 0.0, None, test_labels=np.arange(50) % 10))   # before any training
    assert window.curve.train_points == [] and len(window.curve.test_points) == 1
    surface = drawn(window)                                              # its random weights, and no error
    assert count_colour(surface, WEIGHTS_AREA, (255, 255, 255), 60) > 0
    for step in range(1, 40):                                            # moments far quicker than 4 a second
        window(moment(network, step / 10_000, 0.5))
    assert len(drawn_frames) == FIRST_FRAMES


def test_space_while_mnist_loads_says_training_will_wait_at_its_first_moment():
    window = TrainingWindow()
    assert count_colour(drawn(window), WEIGHTS_AREA, STOP_COLOUR, 10) == 0
    for event in key_press(PAUSE_KEY):
        window.handle(event)
    assert window.paused and count_colour(drawn(window), WEIGHTS_AREA, STOP_COLOUR, 10) > 100
    for event in key_press(PAUSE_KEY):                                    # Space again: it won't
        window.handle(event)
    assert not window.paused and count_colour(drawn(window), WEIGHTS_AREA, STOP_COLOUR, 10) == 0


def test_with_only_a_curve_to_draw_before_training_starts():
    surface = drawn(TrainingWindow())
    assert count_colour(surface, STATS_AREA, (0, 0, 0), 40) == 0
    assert count_colour(surface, WEIGHTS_AREA, (0, 0, 0), 40) > 0  # "Loading MNIST …"


@pytest.fixture
def screen():
    pygame.display.init()
    yield pygame.display.set_mode(WINDOW_SIZE)
    pygame.display.quit()


@pytest.mark.parametrize("event", [pygame.event.Event(pygame.QUIT),
                                   pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="", scancode=0)])
def test_escape_or_closing_the_window_stops_training_after_the_batch(screen, event):
    random = np.random.default_rng(0)
    images, labels = random.integers(0, 256, (9000, 28, 28), dtype=np.uint8), random.integers(0, 10, 9000)
    window = TrainingWindow(screen)

    def watch(moment):  # pressed once the first batch is learned
        if moment["images_trained"] and window.state == "running":
            pygame.event.post(event)
        window(moment)

    history = train(Model(NeuralNetwork(784, 20, 10, seed=0)), images, labels, epochs=2, batch_size=16,
                    learning_rate=0.1, progress=False, watch=watch)
    assert history[-1]["stopped"] and history[-1]["seen"] == 32  # the batch under way finished, then stopped
    assert window.state == "stopping"
    window.finish(130)
    assert window.title() == "Training — stopped"


def key_event(key):
    return pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0)


def key_press(key):
    """A key pressed and let go, as a person presses it (a key held down repeats: see KEY_REPEAT)."""
    return [key_event(key), pygame.event.Event(pygame.KEYUP, key=key, mod=0, unicode="", scancode=0)]


def post_press(key):
    for event in key_press(key):
        pygame.event.post(event)


def pressed_while_waiting(key):
    """What pygame.event.wait gives for a key pressed while the window waits: the press, its release queued."""
    pygame.event.post(key_press(key)[1])
    return key_press(key)[0]


@pytest.mark.parametrize("stopped_by", ["escape", "ctrl-c"])
def test_stopped_by_escape_the_window_stays_up_until_escape_again_but_not_after_ctrl_c(screen, monkeypatch,
                                                                                        stopped_by):
    window = TrainingWindow(screen)
    network = NeuralNetwork(784, 20, 10, seed=0)
    window(moment(network, 0.0, None))
    window(moment(network, 0.01, 0.3))
    if stopped_by == "escape":
        post_press(pygame.K_ESCAPE)
    window(moment(network, 0.02, 0.4))
    waits = []

    def wait_for_events():
        waits.append(window.title())
        return key_press(pygame.K_ESCAPE)

    monkeypatch.setattr(pictures, "wait_for_events", wait_for_events)
    watcher = Watcher()
    watcher.window = window
    watcher.finish(130)
    # Kept up to look at what was learned, saying so, until a second Escape.
    assert waits == (["Training — stopped"] if stopped_by == "escape" else [])


@pytest.mark.parametrize("saved, note, status, says, kept_up", [
    (0.9829, None, 0, ["saved: 98.29%", "(on all 50 test images)", "Finished and saved: Escape closes"], True),
    (None, "learned nothing", 2, ["Learned nothing: Escape closes", "not saved: no better than guessing"], True),
    # Stopped far below the model in use: saved among the backups, the better model left in place.
    (0.2545, "kept apart", 130, ["kept as a backup: 25.45%", "(of 50; the model in use is better)",
                                 "Stopped: Escape closes"], False),
    # A quick run on part of MNIST (--limit), finished below the model in use: the same, and it finished.
    (0.7747, "kept apart", 0, ["kept as a backup: 77.47%", "(of 50; the model in use is better)",
                               "Finished: Escape closes"], True),
])
def test_the_end_says_what_was_saved_with_its_whole_test_set_accuracy(screen, monkeypatch, saved, note, status,
                                                                      says, kept_up):
    window = TrainingWindow(screen)
    network = NeuralNetwork(784, 20, 10, seed=0)
    window(moment(network, 0.0, None, test_labels=np.arange(50) % 10))
    window(moment(network, 0.5, 0.3, test_labels=np.arange(50) % 10))
    watcher = Watcher()
    watcher.window = window
    watcher.ended(saved, note=note)
    said, waits = [], []
    colours = {}

    def draw_text(surface, text, place, size, colour=None, *rest, **options):
        said.append(text)
        colours[text] = colour

    monkeypatch.setattr(pictures, "draw_text", draw_text)
    monkeypatch.setattr(pictures, "wait_for_events", lambda: waits.append(1) or key_press(pygame.K_ESCAPE))
    watcher.finish(status)
    assert all(text in said for text in says) and bool(waits) == kept_up
    if note == "kept apart":   # nothing gone wrong: not in a stop's red
        assert colours[says[-1]] != training_window.STOP_COLOUR


@pytest.mark.parametrize("kept_apart", [False, True])
def test_the_finished_windows_figures_and_a_pointed_node_stay_inside_the_window_and_clear_of_each_other(
        screen, monkeypatch, kept_apart):
    # "Finished, kept as a backup: Escape closes" ran to the window's edge, and a node pointed at
    # then lay under the status line.
    window = TrainingWindow(screen)
    network = NeuralNetwork(784, 200, 10, seed=0)
    labels = np.arange(10_000) % 10
    window(moment(network, 0.0, None, test_labels=labels))
    window(moment(network, 4.0, 0.9123, test_labels=labels))
    window.state = training_window.FINISHED
    window.saved_accuracy, window.kept_apart = 0.9329, kept_apart
    window.pointer = tile_centre(53)
    placed = []

    def draw_text(surface, text, topleft, size, colour=training_window.AXIS_COLOUR):
        placed.append((text, pictures.text_picture(text, size, colour).get_rect(topleft=topleft)))
        return placed[-1][1]

    monkeypatch.setattr(pictures, "draw_text", draw_text)
    window.draw(pygame.Surface(WINDOW_SIZE))
    in_stats = [(text, rect) for text, rect in placed if STATS_AREA.collidepoint(rect.topleft)]
    assert any(text.endswith("Escape closes") for text, _ in in_stats)
    assert all(rect.right <= WINDOW_SIZE[0] - 4 for _, rect in in_stats), in_stats
    key_column = STATS_AREA.left + training_window.FIGURES_WIDTH   # the figures stay left of it
    assert all(rect.right < key_column for _, rect in in_stats if rect.left < key_column), in_stats
    large = pygame.Rect(key_column, 0, training_window.POINTED_TILE, training_window.POINTED_TILE)
    label = next(rect for text, rect in in_stats if text.startswith("node 53"))
    large.top = label.top + 26
    assert not any(large.colliderect(rect) for text, rect in in_stats if rect.top > label.top), in_stats


@pytest.mark.parametrize("interrupt, status", [(KeyboardInterrupt(), 0), (Ended(15), None)])
def test_ctrl_c_on_a_finished_window_closes_it_keeping_the_runs_status_but_kill_ends_the_process(
        screen, monkeypatch, interrupt, status):
    window = TrainingWindow(screen)
    window(moment(NeuralNetwork(784, 20, 10, seed=0), 0.5, 0.3))
    watcher = Watcher()
    watcher.window = window

    def interrupted():
        raise interrupt

    monkeypatch.setattr(pictures, "wait_for_events", interrupted)
    if status is None:
        with pytest.raises(Ended):
            watcher.finish(0)
    else:
        watcher.finish(0)            # returns, as after Escape: mnist_train.py exits with training's 0
    assert not pygame.display.get_init()


def test_stopped_before_any_training_the_window_says_nothing_was_saved(monkeypatch):
    said = []
    monkeypatch.setattr(pictures, "draw_text", lambda surface, text, *rest, **options: said.append(text))
    window = TrainingWindow()
    window(moment(NeuralNetwork(784, 20, 10, seed=0), 0.0, None))
    window.finish(130)
    drawn(window)
    assert "Stopped before training" in said and not any("saved" in text for text in said)
    window.curve.train_points.append((0.01, 0.3))
    said.clear()
    drawn(window)
    assert "Stopped and saved" in said


def test_space_pauses_training_at_a_moment_right_steps_one_moment_and_space_goes_on(screen, monkeypatch):
    random = np.random.default_rng(0)
    images, labels = random.integers(0, 256, (3000, 28, 28), dtype=np.uint8), random.integers(0, 10, 3000)
    window = TrainingWindow(screen)
    held_at, titles = [], []
    # What the person presses while training waits: nothing for a while, Right, Right, then Space.
    pressed = [None, None, STEP_KEY, STEP_KEY, PAUSE_KEY]

    def wait(milliseconds):
        if not held_at or held_at[-1] != window.curve.last["epochs_done"]:
            held_at.append(window.curve.last["epochs_done"])
            titles.append(pygame.display.get_caption()[0])
        assert pressed, "still paused with nothing left to press"
        key = pressed.pop(0)
        return pygame.event.Event(pygame.NOEVENT) if key is None else pressed_while_waiting(key)

    monkeypatch.setattr(pygame.event, "wait", wait)
    post_press(PAUSE_KEY)                                      # pressed before the first moment
    history = train(Model(NeuralNetwork(784, 20, 10, seed=0)), images, labels, epochs=1, batch_size=16,
                    learning_rate=0.1, progress=False, watch=window)
    # Held on the untrained network, then after the first batch and the second (Right, Right), then on to the end.
    assert held_at == [0.0, 16 / 3000, 32 / 3000] and titles == ["Training — paused"] * 3
    assert not history[-1]["stopped"] and history[-1]["seen"] == 3000 and not window.paused
    assert pygame.display.get_caption()[0] == "Training"


@pytest.mark.parametrize("how", ["escape", "ctrl-c"])
def test_escape_or_ctrl_c_while_paused_stops_training(screen, monkeypatch, how):
    random = np.random.default_rng(0)
    images, labels = random.integers(0, 256, (3000, 28, 28), dtype=np.uint8), random.integers(0, 10, 3000)
    window = TrainingWindow(screen)
    stop = StopRequest()
    waits = []

    def wait(milliseconds):
        waits.append(milliseconds)
        assert len(waits) < 5, "still paused"
        if how == "ctrl-c":
            stop.requested = True                             # what training's Ctrl-C handler does
            return pygame.event.Event(pygame.NOEVENT)
        return pressed_while_waiting(pygame.K_ESCAPE)

    monkeypatch.setattr(pygame.event, "wait", wait)
    post_press(STEP_KEY)                                       # Right: paused after the first batch
    history = train(Model(NeuralNetwork(784, 20, 10, seed=0)), images, labels, epochs=1, batch_size=16,
                    learning_rate=0.1, progress=False, watch=window, stop=stop)
    assert len(waits) == 1 and history[-1]["stopped"] and history[-1]["seen"] == 32


def test_escape_while_mnist_loads_stops_before_any_training_and_saves_nothing(screen, real_mnist_dir, tmp_path):
    from myonn import recipes
    from myonn.training import train_from_settings

    window = Watcher()
    window.window = TrainingWindow(screen)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="", scancode=0))
    said = []
    status = train_from_settings(recipes.settings("default", {}), model_path=tmp_path / "m.npz",
                                 data_dir=real_mnist_dir, limit=2000, progress=False, report=said.append,
                                 watch=window)
    assert status == 130 and said[-1] == "stopped before any training: nothing saved"
    assert not (tmp_path / "m.npz").exists() and window.window.state == "stopping"


def test_escape_before_any_training_writes_no_pictures_and_leaves_earlier_ones(screen, real_mnist_dir, tmp_path):
    """--plot and --screenshot with Escape while MNIST loads: an empty curve was written over the PNG,
    and a picture still saying "Loading MNIST …", where Ctrl-C writes none."""
    from myonn import recipes
    from myonn.training import train_from_settings

    plot, shot = tmp_path / "curve.png", tmp_path / "shot.png"
    plot.write_bytes(b"an earlier run's curve")
    window = Watcher(plot=str(plot), screenshot=str(shot))
    window.window = TrainingWindow(screen)
    pygame.event.post(key_event(pygame.K_ESCAPE))
    status = train_from_settings(recipes.settings("default", {}), model_path=tmp_path / "m.npz",
                                 data_dir=real_mnist_dir, limit=2000, progress=False, report=lambda line: None,
                                 watch=window)
    said = []
    window.finish(status, report=said.append)
    assert status == 130 and said == ["no picture written: stopped before any training"]
    assert plot.read_bytes() == b"an earlier run's curve" and not shot.exists()


def pressing_escape_while_preparing(screen, shown, when, record=lambda window, what: what):
    """A Watcher with a window, keeping in `shown` what it is told is being prepared (as `record` makes
    of it), that presses Escape once `when` (what) is true."""
    class Pressing(Watcher):
        def preparing(self, what):
            shown.append(record(self.window, what))
            if when(what):
                pygame.event.post(key_event(pygame.K_ESCAPE))
            return super().preparing(what)

    window = Pressing()
    window.window = TrainingWindow(screen)
    return window


def test_while_digits_are_drawn_the_window_says_so_and_escape_stops_at_once(screen, real_mnist_dir, tmp_path):
    """The best recipe draws 2,660 digits before training, for seconds: the window says what it prepares
    and answers its keys meanwhile (it answered none, and looked hung); Escape stops then and there."""
    from myonn import recipes
    from myonn.training import train_from_settings

    shown = []
    window = pressing_escape_while_preparing(
        screen, shown, lambda what: what.startswith("Drawing 380 digits in designed styles: 30"),  # 3 of 38 styles
        record=lambda window, what: (what, count_colour(drawn(window), WEIGHTS_AREA, (0, 0, 0), 40)))
    said = []
    status = train_from_settings(recipes.settings("best", {"drawn": 10, "epochs": 1}), model_path=tmp_path / "m.npz",
                                 data_dir=real_mnist_dir, limit=2000, progress=False, report=said.append,
                                 watch=window)
    assert status == 130 and said[-1] == "stopped before any training: nothing saved"
    assert not (tmp_path / "m.npz").exists()
    assert [what for what, _ in shown] == ["Loading MNIST …", "Drawing 380 digits in designed styles …",
                                           "Drawing 380 digits in designed styles: 10",
                                           "Drawing 380 digits in designed styles: 20",
                                           "Drawing 380 digits in designed styles: 30"]   # and no more styles
    assert window.window.state == "stopping"
    assert all(ink > 0 for _, ink in shown)     # the words are drawn


def test_while_your_digits_are_read_and_drawn_the_window_says_so_and_escape_stops(screen, real_mnist_dir, tmp_path):
    """--my-digits: a file of 10,000 long digits takes a minute to draw, with no word of it before."""
    from myonn import recipes
    from myonn.my_digits import PROGRESS_EVERY, append_digit
    from myonn.training import train_from_settings

    digits = tmp_path / "mine.jsonl"
    for number in range(2 * PROGRESS_EVERY + 1):
        append_digit(digits, [[(100 + number % 7, 100), (300, 400)]], number % 10)
    shown = []
    window = pressing_escape_while_preparing(screen, shown,
                                             lambda what: what == f"Drawing your 201 digits: {PROGRESS_EVERY}")
    said = []
    status = train_from_settings(recipes.settings("default", {"epochs": 1}), model_path=tmp_path / "m.npz",
                                 data_dir=real_mnist_dir, limit=2000, progress=False, report=said.append,
                                 watch=window, my_digits=digits)
    assert status == 130 and said[-1] == "stopped before any training: nothing saved"
    reading = f"Reading your digits from {digits}"
    assert shown == ["Loading MNIST …", f"{reading} …", f"{reading}: {PROGRESS_EVERY} lines",
                     f"{reading}: {2 * PROGRESS_EVERY} lines", "Drawing your 201 digits …",
                     f"Drawing your 201 digits: {PROGRESS_EVERY}"]


def test_while_training_the_window_shows_the_weights_as_they_are(screen):
    network = NeuralNetwork(784, 200, 10, seed=0)
    window = TrainingWindow(screen)
    window(moment(network, 0.25, 0.8))
    assert pygame.display.get_caption()[0] == "Training"
    network.input_weights[0] = -1.0  # a frame later the tile has turned blue
    window._next_frame = 0
    window(moment(network, 0.5, 0.85))
    assert screen.get_at(tile_centre(0))[:3] == pictures.NEGATIVE_COLOUR


def test_a_few_hidden_nodes_get_large_tiles_that_fill_the_area():
    assert [pictures.tile_columns(count, WEIGHTS_AREA) for count in (1, 12, 200)] == [1, 6, 20]
    network = NeuralNetwork(784, 12, 10, seed=0)
    network.input_weights[11] = -0.3                    # the last tile: the second row's sixth
    window = TrainingWindow()
    window(moment(network, 0.5, 0.9))
    surface = drawn(window)
    assert surface.get_at(tile_centre(11, columns=6))[:3] == pictures.NEGATIVE_COLOUR
    assert tile_centre(11, columns=6)[1] > WEIGHTS_AREA.top + WEIGHTS_AREA.height // 3  # two rows of large tiles, down the area


def test_the_learning_curve_alone_as_a_png(tmp_path):
    curve = LearningCurve()
    network = NeuralNetwork(784, 20, 10, seed=0)
    for step in range(1, 9):
        curve(moment(network, step / 4, 0.6 + step / 30, test_labels=np.arange(20) % 10))
    path = save_learning_curve(curve, tmp_path / "curve.png")
    picture = pygame.image.load(str(path))
    assert picture.get_size() == (1300, 420)
    # Both curves: the accuracy at the left, the cost at the right.
    half = picture.get_width() // 2
    assert count_colour(picture, (0, 0, half, 420), TEST_COLOUR, 10) > 100
    assert count_colour(picture, (half, 60, half, 300), TEST_COLOUR, 10) > 100


def test_a_watcher_without_a_window_needs_no_display(tmp_path):
    watcher = Watcher(screenshot=tmp_path / "window.png", plot=tmp_path / "curve.png")
    network = NeuralNetwork(784, 200, 10, seed=0)
    watcher(moment(network, 1.0, 0.9, test_labels=np.arange(20) % 10))
    lines = []
    watcher.finish(0, report=lines.append)
    assert lines == [f"learning curve written to {tmp_path / 'curve.png'}", f"window written to {tmp_path / 'window.png'}"]
    assert pygame.image.load(str(tmp_path / "window.png")).get_size() == WINDOW_SIZE


def run_train(*arguments, env=None):
    environment = {**os.environ, **(env or {})}
    for name in ("RATE", "LIMIT", "EPOCHS"):
        environment.pop(name, None)
    return subprocess.run([sys.executable, "mnist_train.py", *arguments], cwd=REPOSITORY_ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_mnist_train_writes_the_curve_and_the_window_with_the_terminal_output_unchanged(real_mnist_dir, tmp_path):
    arguments = ["--limit", "5000", "--epochs", "2", "--seed", "1", "--no-progress", "--data-dir", str(real_mnist_dir)]
    plain = run_train(*arguments, "--model", str(tmp_path / "plain.npz"))
    result = run_train(*arguments, "--model", str(tmp_path / "watched.npz"), "--watch",
                       "--screenshot", str(tmp_path / "window.png"), "--plot", str(tmp_path / "curve.png"),
                       env={"SDL_VIDEODRIVER": "dummy"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-2:] == [f"learning curve written to {tmp_path / 'curve.png'}",
                          f"window written to {tmp_path / 'window.png'}"]
    # The same training as without pictures, and the same lines about it (the times aside).
    def without_times(text):
        return [line.split(" (training ")[0].replace("plain.npz", "").replace("watched.npz", "") for line in text.splitlines()]
    assert without_times(result.stdout)[:-2] == without_times(plain.stdout)
    assert np.array_equal(load_model(tmp_path / "plain.npz").network.input_weights,
                          load_model(tmp_path / "watched.npz").network.input_weights)
    window = pygame.image.load(str(tmp_path / "window.png"))
    assert count_colour(window, CURVE_AREA, TEST_COLOUR, 10) > 100
    assert count_colour(window, WEIGHTS_AREA, pictures.POSITIVE_COLOUR, 40) > 100
    assert count_colour(window, WEIGHTS_AREA, pictures.NEGATIVE_COLOUR, 40) > 100


def test_bad_picture_flags_get_one_line_before_any_training(tmp_path):
    for arguments, complaint in ((["--plot", "curve.jpg"], "must end in .png"),
                                 (["--screenshot", "window"], "must end in .png"),
                                 (["--plot", str(tmp_path / "no" / "such" / "folder.png")], "is not a folder"),
                                 (["--screenshot", "/proc/window.png"], "is not a folder that can be written")):
        result = run_train(*arguments)
        assert result.returncode == 2 and len(result.stderr.splitlines()) == 1 and result.stdout == ""
        assert complaint in result.stderr, result.stderr


def test_a_picture_that_cannot_be_written_leaves_the_old_one_as_it_was(tmp_path, monkeypatch):
    import tempfile

    from myonn.errors import MyonnError

    path = tmp_path / "curve.png"
    path.write_bytes(b"the picture from an earlier run")
    surface = pygame.Surface((10, 10))
    make_temporary = tempfile.NamedTemporaryFile

    def writing_10_bytes_then(failure):
        def temporary(*arguments, **options):
            file = make_temporary(*arguments, **options)
            write = file.write
            file.write = lambda data: write(data[:10]) and failure()
            return file
        return temporary

    def disk_full():
        raise OSError(errno.ENOSPC, "No space left on device")

    # Interrupted half-way through writing (Ctrl-C, a crash): a ZeroDivisionError stands in for it.
    for failure, raised in [(lambda: 1 / 0, ZeroDivisionError), (disk_full, MyonnError)]:
        monkeypatch.setattr(tempfile, "NamedTemporaryFile", writing_10_bytes_then(failure))
        with pytest.raises(raised) as error:
            pictures.save_png(surface, path)
        assert path.read_bytes() == b"the picture from an earlier run"
        assert [p.name for p in tmp_path.iterdir()] == ["curve.png"]
    assert re.fullmatch(f"cannot write {re.escape(str(path))}: No space left on device", str(error.value))


def test_watching_without_a_display_is_one_line(tmp_path):
    environment = {name: value for name, value in os.environ.items() if name not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    environment["XDG_RUNTIME_DIR"] = str(tmp_path)  # else SDL itself complains of its absence first
    result = subprocess.run([sys.executable, "mnist_train.py", "--watch", "--model", str(tmp_path / "m.npz")],
                            cwd=REPOSITORY_ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "window" in result.stderr and not (tmp_path / "m.npz").exists()


def test_a_held_key_acts_once_but_a_held_right_steps_on_and_on(screen):
    window = TrainingWindow(screen)
    network = NeuralNetwork(784, 20, 10, seed=0)
    window(moment(network, 0.0, None))
    for _ in range(3):                                         # Space held: repeats without a release
        window.handle(key_event(PAUSE_KEY))
    assert window.paused
    window.handle(key_press(PAUSE_KEY)[1])
    window.handle(key_event(PAUSE_KEY))                       # pressed again, after letting go
    assert not window.paused
    for _ in range(2):                                         # Right held: each repeat is one more step
        window.handle(key_event(STEP_KEY))
        assert window.stepping
        window.stepping, window.paused = False, True           # ... as the next moment does
    window.handle(key_event(pygame.K_ESCAPE))                  # Escape: stop ...
    window.finish(130)
    window.handle(key_event(pygame.K_ESCAPE))                  # ... still held once stopped: the window stays
    assert window.running and window.title() == "Training — stopped"
    for event in key_press(pygame.K_ESCAPE)[::-1]:             # let go, then pressed again: it closes
        window.handle(event)
    assert not window.running


def test_pointing_at_a_tile_shows_that_node_large_in_place_of_the_colour_key(screen):
    network = NeuralNetwork(784, 200, 10, seed=0)
    network.input_weights[45] = -0.3                           # node 45: all negative, a blue tile
    window = TrainingWindow()
    window(moment(network, 0.5, 0.9))
    assert count_colour(drawn(window), STATS_AREA, pictures.NEGATIVE_COLOUR, 0) < 50  # the key's end only
    assert all(pictures.weight_tile_at(tile_centre(node), 200, WEIGHTS_AREA)[0] == node for node in range(200))
    window.handle(pygame.event.Event(pygame.MOUSEMOTION, pos=tile_centre(45), rel=(0, 0), buttons=(0, 0, 0)))
    surface = drawn(window)
    assert count_colour(surface, STATS_AREA, pictures.NEGATIVE_COLOUR, 0) > 80 * 80  # node 45, large
    assert surface.get_at(pictures.weight_tile_at(tile_centre(45), 200, WEIGHTS_AREA)[1].inflate(4, 4).topleft)[:3] \
        == STOP_COLOUR                                         # and framed where it is
    window.handle(pygame.event.Event(pygame.WINDOWLEAVE))
    assert count_colour(drawn(window), STATS_AREA, pictures.NEGATIVE_COLOUR, 0) < 50
    assert pictures.weight_tile_at((WEIGHTS_AREA.left - 5, WEIGHTS_AREA.top), 200, WEIGHTS_AREA)[0] is None


def test_paused_the_window_says_so_in_large_letters_for_a_room_to_see(screen, monkeypatch):
    said = []
    monkeypatch.setattr(pictures, "draw_text", lambda surface, text, topleft, size, *rest: said.append((text, size)))
    window = TrainingWindow(screen)
    window(moment(NeuralNetwork(784, 20, 10, seed=0), 0.25, 0.8))
    window.draw(pygame.Surface(WINDOW_SIZE))
    assert ("Space: pause    Right: a step", 22) in said and not any(text == "Paused" for text, _ in said)
    said.clear()
    window.paused = True
    window.draw(pygame.Surface(WINDOW_SIZE))
    assert ("Paused", 44) in said and ("Space goes on, Right: a step", 22) in said
