"""Digits drawn by made-up writers, in designed styles: what a digit drawn in the window looks like.

MNIST's digits were written with pens on paper in 1990 by American writers, then scanned. A digit
drawn in the drawing window is different twice over: it is drawn with the window's own round pen
(myonn/handwriting.py), and in the writer's own style, which may be one MNIST hardly holds — a 0 with
a slash through it, a 1 with a long flag or a foot, a 9 whose tail curls round (issue 9 found these
among real people's misread digits). So this module holds digit styles designed by hand, and a
made-up writer who draws any of them as a hand moving a mouse would:

    STYLES          31 everyday styles: 1s with and without flag and base, 7s with and without a
                    crossbar, open and closed 4s, ...
    WRITER_STYLES   7 styles of writers MNIST lacks: a slashed 0, 1s with a long flag or with flag and
                    foot, a closed 4, a European 7, 9s with a curly tail or a curl on top
    write(style)    one writer's drawing of a style: a random slant, turn, width, size and place on the
                    canvas, every control point moved a little, a slow wobble along the line, sampled
                    as a mouse reports a drag
    drawn_digits    such drawings of every style, as the window prepares them: the recipes add
                    them to MNIST's training digits (myonn/recipes.py), so that the network learns
                    what drawn digits look like, in styles MNIST lacks too

The same styles and writers make bench/handwriting.py's drawn digits, so the bench reports them as
trained on, apart from its held-out sources (styles designed but never trained on, and the Hershey
fonts), which never come near training.

A style is strokes in a box 1 high (y down); a stroke is a list of curves, each a list of (x, y)
control points joined smoothly (Catmull-Rom); where one curve of a stroke ends and the next begins
the pen turns a corner without lifting.
"""

import numpy as np

from myonn.handwriting import digit_pixels

CANVAS_SIDE = 672  # the drawing window's canvas (myonn/windows/draw_window.py), which a writer draws on


def arc(cx, cy, rx, ry, start, end, points=12):
    """Control points on an ellipse from angle `start` to `end` (degrees; 0 = right, 90 = down)."""
    angles = np.radians(np.linspace(start, end, points))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


STYLES = {
    0: {
        "oval": [[arc(0.5, 0.5, 0.33, 0.5, -90, -90 - 370)]],
        "round": [[arc(0.5, 0.5, 0.42, 0.48, -80, 290)]],
        "open top": [[arc(0.5, 0.52, 0.34, 0.48, -60, -60 - 340)]],
    },
    1: {
        "stick": [[[(0.5, 0.0), (0.5, 1.0)]]],
        "flag": [[[(0.25, 0.22), (0.55, 0.0)], [(0.55, 0.0), (0.55, 1.0)]]],
        "flag and base": [[[(0.25, 0.22), (0.55, 0.0)], [(0.55, 0.0), (0.55, 1.0)]],
                          [[(0.25, 1.0), (0.85, 1.0)]]],
    },
    2: {
        "swan": [[[(0.12, 0.25), (0.45, 0.0), (0.85, 0.2), (0.7, 0.55), (0.08, 1.0)],
                  [(0.08, 1.0), (0.92, 0.98)]]],
        "loop": [[[(0.12, 0.22), (0.45, 0.0), (0.85, 0.2), (0.65, 0.6), (0.2, 0.9), (0.1, 0.97),
                   (0.22, 0.82), (0.35, 0.95), (0.6, 1.0), (0.92, 0.95)]]],
        "angular": [[[(0.1, 0.2), (0.5, 0.0), (0.88, 0.22), (0.85, 0.4)], [(0.85, 0.4), (0.1, 1.0)],
                     [(0.1, 1.0), (0.9, 1.0)]]],
    },
    3: {
        "round": [[[(0.12, 0.12), (0.5, 0.0), (0.85, 0.2), (0.7, 0.42), (0.38, 0.5)],
                   [(0.38, 0.5), (0.8, 0.6), (0.85, 0.85), (0.5, 1.0), (0.1, 0.88)]]],
        "flat top": [[[(0.12, 0.0), (0.85, 0.0)], [(0.85, 0.0), (0.4, 0.42)],
                      [(0.4, 0.42), (0.82, 0.58), (0.85, 0.85), (0.5, 1.0), (0.1, 0.88)]]],
        "smooth": [[[(0.15, 0.15), (0.5, 0.0), (0.82, 0.18), (0.6, 0.45), (0.42, 0.5), (0.62, 0.53),
                     (0.88, 0.75), (0.55, 1.0), (0.12, 0.85)]]],
    },
    4: {
        "open": [[[(0.2, 0.0), (0.12, 0.6)], [(0.12, 0.6), (0.92, 0.6)]],
                 [[(0.68, 0.12), (0.68, 1.0)]]],
        "closed": [[[(0.65, 0.0), (0.05, 0.65)], [(0.05, 0.65), (0.95, 0.65)]],
                   [[(0.65, 0.0), (0.65, 1.0)]]],
        "one stroke": [[[(0.35, 0.0), (0.1, 0.6)], [(0.1, 0.6), (0.8, 0.6)]],
                       [[(0.62, 0.25), (0.6, 1.0)]]],
    },
    5: {
        "flag last": [[[(0.22, 0.0), (0.18, 0.45)],
                       [(0.18, 0.45), (0.5, 0.37), (0.85, 0.55), (0.85, 0.8), (0.5, 1.0), (0.1, 0.88)]],
                      [[(0.22, 0.0), (0.85, 0.0)]]],
        "one stroke": [[[(0.85, 0.0), (0.22, 0.0)], [(0.22, 0.0), (0.18, 0.45)],
                        [(0.18, 0.45), (0.5, 0.37), (0.85, 0.55), (0.85, 0.8), (0.5, 1.0), (0.1, 0.88)]]],
        "round belly": [[[(0.25, 0.02), (0.2, 0.5)],
                         [(0.2, 0.5), (0.55, 0.4), (0.9, 0.65), (0.7, 0.95), (0.4, 1.0), (0.12, 0.9)]],
                        [[(0.25, 0.02), (0.8, 0.05)]]],
    },
    6: {
        "round": [[[(0.75, 0.02), (0.4, 0.2), (0.15, 0.6), (0.3, 0.95), (0.65, 0.97), (0.82, 0.72),
                    (0.55, 0.52), (0.25, 0.6), (0.18, 0.72)]]],
        "straight back": [[[(0.65, 0.0), (0.2, 0.68)],
                           [(0.2, 0.68), (0.3, 0.95), (0.65, 0.98), (0.82, 0.75), (0.6, 0.52), (0.3, 0.58),
                            (0.2, 0.68)]]],
        "small loop": [[[(0.7, 0.0), (0.35, 0.3), (0.2, 0.65), (0.35, 0.98), (0.65, 0.92), (0.7, 0.72),
                         (0.45, 0.62), (0.22, 0.75)]]],
    },
    7: {
        "plain": [[[(0.08, 0.0), (0.9, 0.0)], [(0.9, 0.0), (0.35, 1.0)]]],
        "crossbar": [[[(0.08, 0.0), (0.9, 0.0)], [(0.9, 0.0), (0.35, 1.0)]],
                     [[(0.3, 0.5), (0.8, 0.5)]]],
        "hook": [[[(0.08, 0.15), (0.1, 0.0)], [(0.1, 0.0), (0.9, 0.02)], [(0.9, 0.02), (0.4, 1.0)]]],
        "curved stem": [[[(0.08, 0.0), (0.9, 0.0)], [(0.9, 0.0), (0.62, 0.4), (0.48, 0.72), (0.42, 1.0)]]],
    },
    8: {
        "one stroke": [[[(0.8, 0.12), (0.5, 0.0), (0.2, 0.15), (0.28, 0.36), (0.72, 0.6), (0.8, 0.85),
                         (0.5, 1.0), (0.2, 0.85), (0.28, 0.6), (0.72, 0.36), (0.8, 0.14), (0.55, 0.0)]]],
        "two loops": [[arc(0.5, 0.24, 0.28, 0.24, 90, 90 + 370)],
                      [arc(0.5, 0.74, 0.36, 0.26, -90, -90 + 370)]],
        "snowman": [[[(0.6, 0.02), (0.25, 0.1), (0.3, 0.35), (0.7, 0.55), (0.78, 0.85), (0.45, 1.0),
                      (0.18, 0.8), (0.35, 0.55), (0.75, 0.32), (0.7, 0.08), (0.55, 0.02)]]],
    },
    9: {
        "straight tail": [[arc(0.45, 0.27, 0.35, 0.27, 0, -360),
                           [(0.8, 0.27), (0.75, 1.0)]]],
        "curved tail": [[arc(0.45, 0.27, 0.33, 0.27, 10, -350),
                         [(0.78, 0.32), (0.72, 0.7), (0.5, 1.0), (0.22, 0.9)]]],
        "two strokes": [[arc(0.45, 0.28, 0.36, 0.28, -20, -380)],
                        [[(0.8, 0.12), (0.75, 1.0)]]],
    },
}


# Styles of writers MNIST lacks (issue 9's list of real people's misread styles), for the teaching bench
# (bench/handwriting.py --teach) and a drawn-digit table of their own. The teaching settings
# (myonn/teaching.py) and the augmentation's added strokes (flags, feet, slashes in myonn/augment.py)
# were chosen while watching them, and the default and best recipes train on them (drawn_digits).
WRITER_STYLES = {
    0: {"slashed": [[arc(0.5, 0.5, 0.33, 0.5, -90, -90 - 370)], [[(0.2, 0.95), (0.8, 0.05)]]]},
    1: {"long flag": [[[(0.1, 0.38), (0.6, 0.0)], [(0.6, 0.0), (0.6, 1.0)]]],
        "flag and foot": [[[(0.2, 0.3), (0.6, 0.0)], [(0.6, 0.0), (0.6, 1.0)]], [[(0.3, 1.0), (0.9, 1.0)]]]},
    4: {"closed, plain": [[[(0.6, 0.0), (0.1, 0.6)], [(0.1, 0.6), (0.9, 0.6)]], [[(0.6, 0.0), (0.6, 1.0)]]]},
    7: {"European": [[[(0.05, 0.12), (0.1, 0.0)], [(0.1, 0.0), (0.92, 0.0)], [(0.92, 0.0), (0.35, 1.0)]],
                     [[(0.25, 0.52), (0.85, 0.48)]]]},
    9: {"curly tail": [[arc(0.5, 0.25, 0.3, 0.25, 0, -360),
                        [(0.8, 0.25), (0.78, 0.75), (0.55, 1.0), (0.25, 0.92), (0.2, 0.78)]]],
        "curl on top": [[arc(0.5, 0.3, 0.3, 0.28, 20, -340), [(0.78, 0.4), (0.85, 0.1), (0.7, 0.0)],
                         [(0.7, 0.0), (0.8, 0.2), (0.7, 1.0)]]]},
}


def smooth_curve(points, per_span=16):
    """Catmull-Rom through the control points: (n, 2) points along a smooth curve."""
    points = np.asarray(points, dtype=np.float64)
    if len(points) < 3:
        return np.linspace(points[0], points[-1], per_span + 1)
    padded = np.concatenate([2 * points[:1] - points[1:2], points, 2 * points[-1:] - points[-2:-1]])
    t = np.linspace(0, 1, per_span, endpoint=False)[:, None]
    # Every span at once, (spans, per_span, 2): the very numbers a span at a time gave, without a Python
    # loop (a recipe draws thousands of digits; tests/test_drawn_styles.py holds the span-by-span version).
    p0, p1, p2, p3 = (padded[first:len(padded) - 3 + first, None, :] for first in range(4))
    spans = 0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                   + (3 * p1 - p0 - 3 * p2 + p3) * t ** 3)
    return np.concatenate([spans.reshape(-1, 2), points[-1:]])


def write(style, random):
    """One writer's drawing of a style: a list of strokes, each an (n, 2) array of canvas points."""
    # Each control point moved a little: no two writers make quite the same shape.
    strokes = [[np.asarray(curve) + random.normal(0, 0.025, (len(curve), 2)) for curve in stroke]
               for stroke in style]
    paths = [np.concatenate([smooth_curve(curve) for curve in stroke]) for stroke in strokes]
    height = random.uniform(150, 550)
    width_factor = random.uniform(0.75, 1.25)
    slant = np.radians(random.uniform(-15, 15))
    turn = np.radians(random.uniform(-8, 8))
    shaped = []
    for path in paths:
        x = (path[:, 0] - 0.5) * width_factor + np.tan(slant) * (0.5 - path[:, 1])
        y = path[:, 1] - 0.5
        rotated = np.stack([x * np.cos(turn) - y * np.sin(turn), x * np.sin(turn) + y * np.cos(turn)], 1)
        shaped.append(rotated * height)
    everything = np.concatenate(shaped)
    low, high = everything.min(axis=0), everything.max(axis=0)
    fit = min(1.0, (CANVAS_SIDE - 40) / (high - low).max())  # a tall slanted digit must stay on the canvas
    shaped = [(path - low) * fit for path in shaped]
    room = CANVAS_SIDE - 40 - (high - low) * fit
    offset = 20 + random.uniform(0, 1, 2) * room
    return [mouse_samples(path + offset, height * fit, random) for path in shaped]


def mouse_samples(path, height, random):
    """Where a mouse reports a hand moving along `path`: a point every 5 to 40 pixels, unevenly,
    with a slow wobble across the line (a hand is not a plotter)."""
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    along = np.concatenate([[0], np.cumsum(steps)])
    length = along[-1]
    wobble_phase = random.uniform(0, 2 * np.pi, 2)
    wobble_size = height * random.uniform(0.0, 0.015)
    typical_step = random.uniform(5, 40)
    distances = _steps_along(length, typical_step, random)
    points = np.stack([np.interp(distances, along, path[:, 0]), np.interp(distances, along, path[:, 1])], 1)
    cycles = distances / max(height, 1) * 2
    points += wobble_size * np.stack([np.sin(2 * np.pi * cycles + wobble_phase[0]),
                                      np.sin(2 * np.pi * 1.3 * cycles + wobble_phase[1])], 1)
    return np.clip(points, 0, CANVAS_SIDE - 1)


def _steps_along(length, typical_step, random):
    """Where along a path `length` long the mouse reports the pen: 0, then a step of typical_step times a
    random 0.4 to 1.6 after each, until the path's end, which is the last. As a mouse would, one step
    at a time; but drawn in one go, as many as the path could take, and the generator then set back and
    moved on by the steps taken only, so that it goes on as it would have: the same numbers, without a
    Python loop of one draw a step (tests/test_drawn_styles.py checks both against a step at a time)."""
    state = random.bit_generator.state
    most = int(length / (0.4 * typical_step)) + 2   # each step is at least 0.4 typical steps long
    while True:
        # A cumulative sum adds in order, as the step-by-step loop did: the same float64 numbers.
        distances = np.cumsum(np.concatenate([[0.0], typical_step * random.uniform(0.4, 1.6, most)]))
        reached = np.flatnonzero(distances >= length)
        if len(reached):
            break
        random.bit_generator.state = state   # (never so far: rounding a hair short of the end)
        most *= 2
    steps = int(reached[0])
    random.bit_generator.state = state
    random.uniform(0.4, 1.6, steps)   # the steps taken, drawn again: the generator where a loop leaves it
    distances = distances[:steps + 1]
    distances[-1] = length
    return distances


def style_count(styles=(STYLES, WRITER_STYLES)):
    """How many styles `styles` holds, all digits together."""
    return sum(len(named) for by_digit in styles for named in by_digit.values())


def drawn_digits(per_style, random, styles=(STYLES, WRITER_STYLES), progress=None):
    """Every style of `styles` drawn `per_style` times, each by a new made-up writer, as the window
    prepares a drawing: uint8 images (n, 28, 28), as MNIST stores its digits, and labels (n,).
    random: a numpy Generator (the same seed gives the very same digits). progress: None, or called
    with the number of digits drawn so far after each style (a recipe's 2,660 take seconds: a
    progress bar, or a window that keeps answering its keys meanwhile)."""
    images, labels = [], []
    for by_digit in styles:
        for digit, named in by_digit.items():
            for style in named.values():
                for _ in range(per_style):
                    images.append(np.round(digit_pixels(write(style, random))).astype(np.uint8))
                    labels.append(digit)
                if progress is not None:
                    progress(len(labels))
    return np.array(images, dtype=np.uint8).reshape(-1, 28, 28), np.array(labels, dtype=np.int64)
