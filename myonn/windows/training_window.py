"""The "Training" window behind `mnist_train.py --watch`, and the learning curve as a PNG (`--plot`).

While the network trains, the window shows
- the learning curve of this run: the running training accuracy and the test accuracy, measured
  a few times an epoch on a fixed part of the test set (myonn/learning_curve.py), and beside it the
  cost on those test images, on a log scale;
- the hidden nodes' input weights, each a 28×28 tile in a diverging colour scale (red positive, blue
  negative), 20 to a row: at first random noise, then strokes and blobs, the pieces of digits each
  node has learned to look for (myonn/hidden_layer.py); the tile pointed at is also shown large;
- the epoch, the learning rate and the images trained per second;
- the test images it answers wrong now (of those the curve measures), each as the network sees it.

Escape or closing the window stops training as Ctrl-C does: the current batch finishes and what
has been learned is saved. When training ends by itself, or is stopped from the window, the window
stays until Escape or closing, for a look at what was learned. Space pauses training (to point at
something in a talk) and goes on; Right goes on to the next moment and pauses there again, so the
first moments can be shown one at a time. Time paused is not training time.

Drawing costs little training time: a frame is drawn at most FRAMES_PER_SECOND times a second,
and less often if drawing ever took more than a tenth of the time (bench/train_bench.py's watch
table measures it).

`TrainingWindow` is a watcher for myonn.training.train (it is called with each `moment`); it draws
onto any surface, so the window, `--screenshot` and the tests go through the same code.

Left out on purpose: curves of earlier runs, and changing the training while it runs.
"""

import time

import numpy as np

from myonn.cli import Ended
from myonn.hidden_layer import weight_images
from myonn.inputs import pixels_from_input
from myonn.learning_curve import LearningCurve
from myonn.windows import pictures
from myonn.windows.pictures import pygame

TITLE = "Training"
# Drawn for a 16:9 projector's own 1280×720: there, less a title bar and a taskbar (pictures.fitted_size),
# it is shown at 87% (1109×624), and on a 1920×1080 screen whole. (Drawn for 1200×850 it was shown at 73%
# on the projector, its smallest text 11 pixels high.) The curves run across the top; under them the
# weight tiles, at their right the figures, and right of those the colour key and the status lines;
# the mistakes run along the bottom.
WINDOW_SIZE = (1280, 720)
CURVE_AREA = pygame.Rect(0, 0, 1280, 256)   # the accuracy and, at its right, the cost
ACCURACY_SHARE = 0.66                       # of the curves' width
WEIGHTS_AREA = pygame.Rect(16, 274, 695, 347)   # 20 × 10 tiles of 28 pixels and 1-pixel gaps, ×1.2: 33.6 pixels a tile
STATS_AREA = pygame.Rect(727, 274, 545, 347)    # the figures, and right of them the colour key and the status lines
FIGURES_WIDTH = 276  # of the stats area: as wide as its widest line, "random weights, not trained yet"
MISTAKES_AREA = pygame.Rect(16, 631, 1248, 82)
MOST_MISTAKES = 20  # shown at a time, spread across the area (62 pixels apart: at 52 their labels ran together)
MISTAKE_LABEL_SIZE = 26  # "8 as 0", 46 pixels wide: at 22 it was 11 pixels high on the screen, hard to read on a projector
MOST_TILES = 200
PLOT_SIZE = (1300, 420)

FRAMES_PER_SECOND = 4
MOST_DRAWING_SHARE = 0.1  # drawing may take at most this share of the time between frames
# The first moments (the untrained network, then after 1, 2, 4, ... batches: myonn/training.py) are
# each drawn, however soon after the one before: they are where the speckle turns into strokes and
# the curve climbs from one in ten, all within the first second or so.
FIRST_FRAMES = 16

BACKGROUND = (250, 250, 247)
AXIS_COLOUR = (60, 60, 60)
GRID_COLOUR = (222, 222, 222)
TRAIN_COLOUR = (0, 128, 140)
TEST_COLOUR = (230, 110, 0)
STOP_COLOUR = (190, 0, 0)

RUNNING, STOPPING, STOPPED, FINISHED = "running", "stopping", "stopped", "finished"
PAUSE_KEY, STEP_KEY = pygame.K_SPACE, pygame.K_RIGHT
KEY_REPEAT = (400, 120)  # milliseconds: a key held this long repeats this often (Right held: slow motion)
POINTED_TILE = 112  # a pointed node's tile: each weight a square of 4 pixels, clear of the status lines under it
SPEED_FROM_IMAGES = 4096  # the images per second are shown once this many are trained: a chunk (training.py)


class TrainingWindow:
    """The picture of one training run; call it with each moment of training (myonn.training.train's
    `watch`). screen: the window's Surface to draw on as training goes, or None to draw only when
    asked (`draw`), e.g. for --screenshot without a window."""

    size = WINDOW_SIZE  # it draws for this size only (pictures.update scales it to the window)

    def __init__(self, screen=None, curve=None):
        self.screen = screen
        self.curve = curve or LearningCurve()
        self.state = RUNNING
        self.running = True           # False once the person has closed the window
        self.stop = None              # training's StopRequest, from the latest moment
        self.paused = False           # Space: training waits at the next moment until Space again
        self.stepping = False         # Right: on to the next moment, then paused there
        self.keys_down = set()        # keys pressed and not yet let go (repeats come as more presses)
        self.pointer = None           # where the mouse is: over a tile, that node is shown large
        self._next_frame = 0.0
        self._frames = 0
        self.stopped_here = False     # training was stopped from the window (Escape), not by Ctrl-C
        self.saved_accuracy = None    # once training has ended: the saved model's accuracy on the whole test set
        self.not_saved = None         # or why nothing was saved ("learned nothing")
        self.kept_apart = False       # or it was saved as a backup, not over a better model
        self.preparation = "Loading MNIST, preparing the images …"  # what is being prepared, before training

    def title(self):
        if self.paused and self.state == RUNNING:
            return f"{TITLE} — paused"
        return {RUNNING: TITLE, STOPPING: f"{TITLE} — stopping", STOPPED: f"{TITLE} — stopped",
                FINISHED: f"{TITLE} — finished"}[self.state]

    def __call__(self, moment):
        """One moment of training: add it to the curve, answer the window's events, redraw when due."""
        self.curve(moment)
        self.stop = moment["stop"]
        if self.screen is None:
            return
        if self.stepping:  # Right was pressed: this is the moment it went on to
            self.paused, self.stepping = True, False
        events = pygame.event.get()
        for event in events:
            self.handle(event)
        if self.paused and self.state == RUNNING:
            self._hold()
            return
        now = time.perf_counter()
        if now >= self._next_frame or not self.running or self._frames < FIRST_FRAMES:
            pictures.update(self, self.screen, [])
            self._frames += 1
            spent = time.perf_counter() - now
            self._next_frame = now + max(1 / FRAMES_PER_SECOND, spent / MOST_DRAWING_SHARE)

    def preparing(self, what):
        """MNIST is loading, or the training images are being prepared (`what`, in words): show it, and
        answer the window's keys. Returns True when Escape or closing the window asked to stop."""
        self.preparation = what
        if self.screen is not None:
            pictures.update(self, self.screen, pygame.event.get())
        return self.state == STOPPING or not self.running

    def before_training(self, stop):
        """Training is about to start: answer what was pressed while MNIST loaded (Escape or closing
        the window then stops before any training, so nothing is saved, as Ctrl-C then does)."""
        self.stop = stop
        if self.screen is not None:
            pictures.update(self, self.screen, pygame.event.get())

    def _hold(self):
        """Paused: draw this moment and keep answering the window (training waits, and its clock with
        it) until Space or Right goes on, or Escape, closing the window or Ctrl-C stops."""
        pictures.update(self, self.screen, [])
        while self.paused and self.state == RUNNING and not (self.stop is not None and self.stop.requested):
            # Not pictures.wait_for_events: training's Ctrl-C only sets stop.requested, so look at it now and then.
            event = pygame.event.wait(pictures.WAKE_FOR_SIGNALS_MS)
            if event.type != pygame.NOEVENT:
                pictures.update(self, self.screen, [event] + pygame.event.get())
        self._next_frame = 0.0  # draw the next moment at once: it shows that training goes on

    def handle(self, event):
        """Escape or closing the window: ask training to stop after its current batch. Space: pause, or
        go on; Right: go on to the next moment and pause there (held down, it steps on and on: slow
        motion, KEY_REPEAT). A key held down acts once, but for Right."""
        if event.type == pygame.KEYUP:
            self.keys_down.discard(event.key)
            return
        if event.type == pygame.MOUSEMOTION:
            self.pointer = event.pos
            return
        if event.type == pygame.WINDOWLEAVE:
            self.pointer = None
            return
        if event.type == pygame.KEYDOWN:
            if event.key in self.keys_down and event.key != STEP_KEY:
                return  # a held Space would pause and go on by turns; a held Escape close a stopped window
            self.keys_down.add(event.key)
        if event.type == pygame.KEYDOWN and event.key in (PAUSE_KEY, STEP_KEY) and self.state == RUNNING:
            if event.key == PAUSE_KEY:
                self.paused, self.stepping = not self.paused, False
            else:
                self.paused, self.stepping = False, True
            return
        if event.type == pygame.QUIT or (event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE):
            if self.state == RUNNING:
                if self.stop is not None:
                    self.stop.requested = True
                self.state = STOPPING
            if event.type == pygame.QUIT or self.state in (STOPPED, FINISHED):
                self.running = False

    def ended(self, saved_accuracy, note=None):
        """Training has ended and saved a model scoring `saved_accuracy` on the whole test set, or (None)
        nothing, for the reason `note`."""
        self.saved_accuracy, self.not_saved = saved_accuracy, ((note or "not saved") if saved_accuracy is None else None)
        self.kept_apart = note == "kept apart"  # saved among the backups: the model in use reads better

    def finish(self, status):
        """Training has ended with this exit status (0: all epochs done). Draws the last frame."""
        self.stopped_here = self.state == STOPPING  # by Escape: the window stays, as at the end
        self.state = FINISHED if status == 0 else STOPPED
        if self.screen is not None and self.running:
            pictures.update(self, self.screen, [])

    def wait_until_closed(self):
        """Keep the finished (or stopped) window up until Escape or closing."""
        while self.running and self.screen is not None:
            pictures.update(self, self.screen, pictures.wait_for_events())

    def draw(self, surface):
        surface.fill(BACKGROUND)
        draw_curves(surface, CURVE_AREA, self.curve)
        moment = self.curve.last
        if moment is None:
            pictures.draw_centred_text(surface, self.preparation, WEIGHTS_AREA, 32)
            if self.paused and self.state == RUNNING:  # Space while MNIST loads: seconds with no sign of it
                pictures.draw_centred_text(surface, "Paused: training will wait at its first moment (Space: it won't)",
                                           WEIGHTS_AREA.move(0, 48), 26, STOP_COLOUR)
            return
        network = moment["network"]
        shown = min(network.hidden_nodes, MOST_TILES)
        about = pictures.hidden_nodes(shown, network.hidden_nodes)
        pictures.draw_text(surface, f"The input weights of the {about}: what each node looks for in the 28×28 image",
                           (WEIGHTS_AREA.left, WEIGHTS_AREA.top - 17), 22)
        images = weight_images(network)[:shown]
        pictures.draw_weight_tiles(surface, images, WEIGHTS_AREA)
        pointed, tile = pictures.weight_tile_at(self.pointer, shown, WEIGHTS_AREA)
        if pointed is not None:
            pygame.draw.rect(surface, STOP_COLOUR, tile.inflate(4, 4), 2)
        self._draw_stats(surface, moment, pointed, images)
        self._draw_mistakes(surface)

    def _draw_mistakes(self, surface):
        """The test images it answers wrong now, as the network sees them, each with the right digit and
        its answer: at first nearly all of them, later the odd, badly written few."""
        if not self.curve.test_points:
            return
        shown, wrong = self.curve.mistakes(MOST_MISTAKES)
        left, top = MISTAKES_AREA.topleft
        about = (f"Test images it answers wrong now: {wrong:,} of {self.curve.test_images:,}"
                 + (f" (the first {len(shown)})" if wrong > len(shown) else "")
                 + ", as the network sees them (4 as 8: a 4 it takes for an 8)" if wrong
                 else f"Test images it answers wrong now: none of {self.curve.test_images:,}")
        pictures.draw_text(surface, about, (left, top), 22)
        pitch = MISTAKES_AREA.width // MOST_MISTAKES
        for place, (inputs, label, answer) in enumerate(shown):
            x = left + place * pitch
            picture = pygame.Rect(x + (pitch - 40) // 2, top + 22, 40, 40)
            pictures.draw_grey_picture(surface, pixels_from_input(inputs), picture)
            pygame.draw.rect(surface, GRID_COLOUR, picture, 1)
            pictures.draw_centred_text(surface, f"{label} as {answer}", (x, picture.bottom + 1, pitch, 18),
                                       MISTAKE_LABEL_SIZE, STOP_COLOUR)

    def _draw_stats(self, surface, moment, pointed=None, images=None):
        """The figures of this moment; at their right the weights' colour key, or the tile pointed at, large,
        and under that what Space and Right do and where training stands."""
        left, top = STATS_AREA.topleft
        lines = [(f"epoch {moment['epoch']} of {moment['epochs']}", 30),
                 (f"learning rate {moment['learning_rate']:.4g}", 26)]
        if moment["train_accuracy"] is None:  # the first moment: nothing learned yet
            lines.append(("random weights, not trained yet", 26))
        else:
            # Over the first few batches the time is too short to measure (and holds preparing the inputs).
            # (A run shorter than that is measured at its end.)
            enough = min(SPEED_FROM_IMAGES, moment["epochs"] * moment.get("images_per_epoch", SPEED_FROM_IMAGES))
            speed = (f"{moment['images_per_second']:,.0f} images per second"
                     if moment.get("images_trained", enough) >= enough else "measuring the speed …")
            lines += [(speed, 26),
                      (f"training accuracy {100 * moment['train_accuracy']:.2f}%", 26)]
        if self.curve.test_points:
            lines.append((f"test accuracy {100 * self.curve.test_points[-1][1]:.2f}%", 26))
            # Not the whole test set, which the terminal reports after each epoch: the two can differ.
            lines.append((f"(on {self.curve.test_images:,} test images)", 22))
        if self.not_saved == "learned nothing":
            lines.append(("not saved: no better than guessing", 22))
        if self.saved_accuracy is not None:  # what the terminal says of the model saved, at the very end
            lines.append((f"{'kept as a backup' if self.kept_apart else 'saved'}: {100 * self.saved_accuracy:.2f}%", 26))
            whole = f"{len(moment['test_labels']):,}" if moment["test_labels"] is not None else None
            if self.kept_apart:  # the room sees the window, not the terminal's two lines; one line, as room is short
                lines.append((f"(of {whole or 'the test set'}; the model in use is better)", 22))
            else:
                lines.append((f"(on all {whole} test images)" if whole else "(on the test set)", 22))
        for text, size in lines:
            pictures.draw_text(surface, text, (left, top), size)
            top += size + 8
        left, top = STATS_AREA.left + FIGURES_WIDTH, STATS_AREA.top  # the column right of the figures
        if pointed is None:
            pictures.draw_weight_legend(surface, (left, top))
        else:  # pointed at: that node's tile, large (the colour key as in the drawing window's panel)
            pictures.draw_pointed_node(surface, pointed, images[pointed], (left, top), POINTED_TILE)
        if self.state == RUNNING and self.screen is not None:
            if self.paused:  # large: in a talk, the room should see that it waits (a small red line went unseen)
                pictures.draw_text(surface, "Paused", (left, STATS_AREA.bottom - 92), 44, STOP_COLOUR)
            pictures.draw_text(surface, "Space goes on, Right: a step" if self.paused
                               else "Space: pause    Right: a step", (left, STATS_AREA.bottom - 50), 22,
                               STOP_COLOUR if self.paused else AXIS_COLOUR)
        closes = ": Escape closes" if self.screen else ""
        if not self.curve.train_points:  # nothing learned yet: nothing to save
            stopped = "Stopped before training"
        elif self.not_saved == "learned nothing":
            stopped = "Learned nothing" + closes
        elif self.not_saved is not None:
            stopped = "Stopped: nothing saved" + closes
        else:  # saved, or kept as a backup (which the line above this one says, with its accuracy)
            stopped = ("Stopped" if self.kept_apart else "Stopped and saved") + closes
        status = {RUNNING: ("Escape or close: stop and save" if self.curve.train_points else "Escape or close: stop",
                            AXIS_COLOUR),
                  STOPPING: ("Stopping after this batch …", STOP_COLOUR),
                  # Kept as a backup is nothing gone wrong: not in the red of a stop.
                  STOPPED: (stopped, AXIS_COLOUR if self.kept_apart else STOP_COLOUR),
                  FINISHED: (("Finished" if self.kept_apart else "Finished and saved") + closes, TRAIN_COLOUR)}[self.state]
        pictures.draw_text(surface, status[0], (left, STATS_AREA.bottom - 24), 22, status[1])


def draw_curves(surface, rect, curve):
    """The learning curve (accuracy) and, at its right, the cost curve, side by side in rect."""
    rect = pygame.Rect(rect)
    accuracy_width = round(rect.width * ACCURACY_SHARE)
    draw_learning_curve(surface, (rect.left, rect.top, accuracy_width, rect.height), curve)
    draw_cost_curve(surface, (rect.left + accuracy_width, rect.top, rect.width - accuracy_width, rect.height), curve)


def draw_learning_curve(surface, rect, curve):
    """Draw the learning curve in rect: accuracy (%) against epochs, with labelled axes and a legend.

    The training accuracy is drawn as one line per epoch, since it starts afresh each epoch; the
    test accuracy is one line with a dot at each measurement. The y axis starts at the lowest
    accuracy shown, rounded down to 5%, so the last few percent (where training spends most of its
    time) stay visible; once past the first quarter epoch, the lowest after it, and the climb from
    the untrained network's one in ten comes up from below (its first point is named).
    """
    rect = pygame.Rect(rect)
    bottom, step = accuracy_axis(curve)
    levels = np.arange(bottom, 1.0 + 1e-9, step)
    starts_below = bool(curve.test_points) and curve.test_points[0][1] < bottom
    note = f"test accuracy at the start: {100 * curve.test_points[0][1]:.1f}% (below the axis)" if starts_below else None
    plot = _draw_frame(surface, rect, "Accuracy (%) against epochs", "accuracy (%)", curve,
                       [((level - bottom) / (1 - bottom), f"{100 * level:.0f}") for level in levels], note)
    epochs = epoch_axis(curve)[0]

    def place(epochs_done, accuracy):
        return (plot.left + plot.width * epochs_done / epochs,
                plot.bottom - plot.height * (accuracy - bottom) / (1 - bottom))

    surface.set_clip(plot.inflate(8, 0))  # points below the axis: the start of the climb
    epoch_lines = {}
    for epochs_done, accuracy in curve.train_points:
        epoch_lines.setdefault(min(int(epochs_done - 1e-9), max(curve.epochs, 1) - 1), []).append(
            place(epochs_done, accuracy))
    for line in epoch_lines.values():
        if len(line) > 1:
            pygame.draw.lines(surface, TRAIN_COLOUR, False, line, 2)
        # An epoch shown once (a short one, or batches as large as a chunk) is its one point: a dot to see.
        pygame.draw.circle(surface, TRAIN_COLOUR, line[-1], 2 if len(line) > 1 else 4)
    _draw_dotted_line(surface, [place(*point) for point in curve.test_points], TEST_COLOUR)
    surface.set_clip(None)

    legend_left = rect.right - 440
    for row, (colour, text) in enumerate(
            ((TRAIN_COLOUR, "training accuracy: running, on the epoch's images so far"),
             (TEST_COLOUR, f"test accuracy: {curve.test_description if curve.last else 'once training starts'}"))):
        y = rect.top + 6 + 21 * row
        pygame.draw.line(surface, colour, (legend_left, y + 8), (legend_left + 24, y + 8), 3)
        pictures.draw_text(surface, text, (legend_left + 30, y), 22)


def draw_cost_curve(surface, rect, curve):
    """Draw the cost on the test images against epochs in rect, on a log scale (cost_axis): it falls
    a hundredfold, most of it within the first epoch, and a log scale shows the later, slower fall too."""
    rect = pygame.Rect(rect)
    low, high, levels = cost_axis(curve)
    span = np.log(high / low)
    # "(log scale)" in the title: up the axis, "squared error (log scale)" was taller than the plot.
    plot = _draw_frame(surface, rect, "Cost: what training makes smaller (log scale)", curve.cost_name,
                       curve, [(np.log(level / low) / span, f"{level:g}") for level in levels])
    epochs = epoch_axis(curve)[0]
    # A network whose weights a step too large has made NaN has no cost to draw (training stops on it).
    line = [(plot.left + plot.width * epochs_done / epochs, plot.bottom - plot.height * np.log(cost / low) / span)
            for epochs_done, cost in curve.cost_points if np.isfinite(cost) and cost > 0]
    surface.set_clip(plot.inflate(8, 8))
    _draw_dotted_line(surface, line, TEST_COLOUR)
    surface.set_clip(None)
    about = (f"per test image (the same {curve.test_images:,})" if curve.cost_points
             else "on the test images, once training starts")
    pictures.draw_text(surface, about, (rect.left + 16, rect.top + 36), 22, TEST_COLOUR)


def _draw_frame(surface, rect, title, y_label, curve, grid, note=None):
    """A curve's title, axes and epoch ticks (epoch_axis), and its y grid lines: grid is (height 0..1 up
    the plot, label) each, from the bottom up; under the axis, the epochs' label, and `note` (a test
    colour text) at the left. Returns the plot's Rect."""
    plot = pygame.Rect(rect.left + 70, rect.top + 60, rect.width - 100, rect.height - 110)  # room for two legend lines
    end, step = epoch_axis(curve, most_ticks=max(2, round(15 * plot.width / 1100)))
    pictures.draw_text(surface, title, (rect.left + 16, rect.top + 10), 24)
    labelled_up_to = None  # the top of the label below: grid lines closer than a label's height skip theirs
    for height, text in grid:
        y = plot.bottom - plot.height * height
        pygame.draw.line(surface, GRID_COLOUR, (plot.left, y), (plot.right, y))
        label = pictures.text_picture(text, 22)
        if labelled_up_to is None or y - 8 + label.get_height() <= labelled_up_to:  # 0 to 100 in tens ran together
            labelled_up_to = surface.blit(label, (plot.left - 8 - label.get_width(), y - 8)).top
    for tick in np.arange(0, end + step / 2, step):
        x = plot.left + plot.width * tick / end
        pygame.draw.line(surface, AXIS_COLOUR, (x, plot.bottom), (x, plot.bottom + 5))
        pictures.draw_centred_text(surface, f"{tick:g}", (x - 30, plot.bottom + 6, 60, 20), 22)
    pygame.draw.lines(surface, AXIS_COLOUR, False, [plot.topleft, plot.bottomleft, plot.bottomright])
    about = "epochs"
    if end < max(curve.epochs, 1) and curve.last is not None and curve.last.get("images_per_epoch"):
        about = f"epochs: the first {round(end * curve.last['images_per_epoch']):,} images"
    label = pictures.text_picture(about, 22)
    placed = label.get_rect(midtop=(plot.centerx, plot.bottom + 24))
    if note is not None:
        noted = pictures.draw_text(surface, note, (plot.left - 40, plot.bottom + 28), 22, TEST_COLOUR)
        if placed.left < noted.right + 16:  # "epochs: the first 30,000 images", centred, ran into it
            placed.right = plot.right
    surface.blit(label, placed)
    label = pygame.transform.rotate(pictures.text_picture(y_label, 22, AXIS_COLOUR), 90)
    surface.blit(label, label.get_rect(center=(rect.left + 14, plot.centery)))
    return plot


# While training is in its first moments the curves show only as far as it has come, these many epochs
# (with a tick every so often): the first steps, where the network learns most, would otherwise all
# sit on the first pixel of an axis of several epochs.
EARLY_AXES = ((0.002, 0.0005), (0.005, 0.001), (0.01, 0.002), (0.02, 0.005), (0.05, 0.01), (0.1, 0.02),
              (0.25, 0.05), (0.5, 0.1))


def epoch_axis(curve, most_ticks=15):
    """(end, tick step) of the curves' x axis, in epochs: the whole run, with a tick on whole epochs (no
    more than `most_ticks`), once it is 0.4 of an epoch in; before that, the first EARLY_AXES end that
    leaves a quarter's room beyond the latest moment."""
    epochs = max(curve.epochs, 1)
    if curve.last is None:  # nothing trained yet, nor known of the run: a plain axis, not one of 0.002 epochs
        return epochs, 1
    latest = curve.last["epochs_done"]
    for end, step in EARLY_AXES:
        if latest * 1.25 <= end < epochs:
            return end, step
    step = max(1, int(np.ceil(epochs / most_ticks)))
    while epochs % step and step < epochs:  # a tick on the last epoch too: 0, 5, 10 for 10, not 0, 4, 8
        step += 1
    return epochs, step


def _draw_dotted_line(surface, points, colour):
    """A line through measured points, with a dot at each."""
    if len(points) > 1:
        pygame.draw.lines(surface, colour, False, points, 2)
    for point in points:
        pygame.draw.circle(surface, colour, point, 4)


def cost_axis(curve):
    """(low, high, levels) of the cost curve's log axis: from the 1, 2 or 5 (times a power of ten) just
    below the lowest cost to the one just above the highest, with a grid line at each such value."""
    costs = [cost for _, cost in curve.cost_points if cost > 0] or [0.01, 1.0]
    levels = [step * 10.0 ** power for power in range(-12, 4) for step in (1, 2, 5)]
    low = max([level for level in levels if level <= min(costs)], default=levels[0])
    high = min([level for level in levels if level >= max(costs) and level > low], default=levels[-1])
    return low, high, [level for level in levels if low <= level <= high]


def accuracy_axis(curve):
    """(bottom, step) of the learning curve's y axis, as accuracies 0..1: it goes from `bottom` to 1,
    with a grid line every `step`, each at a round value (…, 80, 90, 100, never 45, 55, …, 95)."""
    points = curve.train_points + curve.test_points
    # The first quarter epoch climbs from one in ten; once past it, the axis shows where the rest of the
    # run is (its last few percent) and the climb comes up from below the axis.
    later = [(epochs_done, accuracy) for epochs_done, accuracy in points if epochs_done >= 0.25]
    lowest = min((accuracy for _, accuracy in later or points), default=0.9)
    bottom = max(0.0, np.floor(min(lowest, 0.95) * 20) / 20)
    step = 0.05 if 1 - bottom <= 0.3 else 0.1
    return np.floor(bottom / step + 1e-9) * step, step


def save_learning_curve(curve, path):
    """Write the learning curve, alone, to a PNG (no display needed). Returns the path."""
    surface = pygame.Surface(PLOT_SIZE)
    surface.fill(BACKGROUND)
    draw_curves(surface, surface.get_rect(), curve)
    return pictures.save_png(surface, path)


def save_screenshot(window, path):
    """Write the window's picture (its last frame) to a PNG, drawn afresh off screen. Returns the path."""
    surface = pygame.Surface(WINDOW_SIZE)
    window.draw(surface)
    return pictures.save_png(surface, path)


class Watcher:
    """What mnist_train.py's --watch, --screenshot and --plot ask for, around one training run.

    show: open the window now (before MNIST loads, so a missing display fails at once).
    Pass it to train_from_settings as `watch`, then call finish(status) with the exit status.
    """

    def __init__(self, show=False, screenshot=None, plot=None):
        self.screenshot, self.plot = screenshot, plot
        screen = pictures.open_window(WINDOW_SIZE, TITLE, "--plot FILE.png or --screenshot FILE.png "
                                      "draw the pictures without one") if show else None
        self.window = TrainingWindow(screen)
        if screen is not None:
            pygame.key.set_repeat(*KEY_REPEAT)
            pictures.update(self.window, screen, [])

    def __call__(self, moment):
        self.window(moment)

    def preparing(self, what):
        return self.window.preparing(what)

    def before_training(self, stop):
        self.window.before_training(stop)

    def ended(self, saved_accuracy, note=None):
        self.window.ended(saved_accuracy, note)

    def finish(self, status, report=print):
        """Write the PNGs asked for; with a window (and no --screenshot) keep it up until closed."""
        window = self.window
        window.finish(status)
        if window.curve.last is None and (self.plot or self.screenshot):
            # Stopped before any training (Escape while MNIST loaded or the digits were drawn): nothing to
            # picture, and a picture of an earlier run where these would go stays as it is, as after Ctrl-C.
            report("no picture written: stopped before any training")
            return
        try:
            if self.plot:
                report(f"learning curve written to {save_learning_curve(window.curve, self.plot)}")
            if self.screenshot:
                report(f"window written to {save_screenshot(window, self.screenshot)}")
            # Kept up for a look at what was learned, however training ended, but for Ctrl-C in the terminal.
            elif window.screen is not None and window.curve.train_points and (status != 130 or window.stopped_here):
                try:
                    window.wait_until_closed()
                except KeyboardInterrupt as interrupt:
                    # Training is over and its model saved (or not, as the terminal said): a Ctrl-C now only
                    # closes the window, as Escape does, and the run's exit status stays its own (it was
                    # 130, and a script running mnist_train.py took a finished run for a stopped one).
                    # kill and a closed terminal still end the process as they would any program.
                    if isinstance(interrupt, Ended):
                        raise
        finally:
            if window.screen is not None:
                pygame.display.quit()
