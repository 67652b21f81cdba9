"""Specification of myonn/drawn_styles.py: digits drawn in designed styles by made-up writers."""

import numpy as np

from myonn import drawn_styles
from myonn.drawn_styles import STYLES, WRITER_STYLES, drawn_digits, write
from myonn.model import load_model


def test_every_style_is_drawn_as_often_as_asked_with_its_digit_as_label():
    images, labels = drawn_digits(2, np.random.default_rng(0))
    styles = sum(len(named) for by_digit in (STYLES, WRITER_STYLES) for named in by_digit.values())
    assert styles == 38 and images.shape == (2 * styles, 28, 28) and images.dtype == np.uint8
    expected = [digit for by_digit in (STYLES, WRITER_STYLES) for digit, named in by_digit.items()
                for _ in range(2 * len(named))]
    assert labels.tolist() == expected
    assert drawn_styles.style_count() == styles


def test_progress_is_told_the_digits_drawn_after_each_style():
    told = []
    images, _ = drawn_digits(3, np.random.default_rng(0), progress=told.append)
    assert told == [3 * (style + 1) for style in range(drawn_styles.style_count())] and told[-1] == len(images)
    assert all(image.max() == 255 and 40 < (image > 127).sum() < 250 for image in images)   # a digit's ink
    # MNIST-style: the ink fits a 20-pixel box, centred by its centre of mass in the 28×28 frame, and
    # none of it is cut off at the frame's edge (a bottom-heavy digit may reach the last row, as 723 of
    # MNIST's training digits do).
    for image in images:
        rows, columns = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
        assert max(rows[-1] - rows[0], columns[-1] - columns[0]) + 1 == 20


def test_the_same_seed_draws_the_same_digits_and_each_writer_draws_differently():
    first, _ = drawn_digits(3, np.random.default_rng(5))
    again, _ = drawn_digits(3, np.random.default_rng(5))
    other, _ = drawn_digits(3, np.random.default_rng(6))
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert not np.array_equal(first[0], first[1])   # two writers of the same style


def test_a_writer_draws_on_the_window_canvas_as_a_mouse_reports_a_drag():
    from myonn.windows.draw_window import CANVAS_SIDE

    assert drawn_styles.CANVAS_SIDE == CANVAS_SIDE
    random = np.random.default_rng(1)
    for _ in range(20):
        strokes = write(WRITER_STYLES[1]["flag and foot"], random)
        assert len(strokes) == 2                                    # the pen lifted once, for the foot
        points = np.concatenate(strokes)
        assert points.min() >= 0 and points.max() <= CANVAS_SIDE - 1
        steps = np.concatenate([np.hypot(*np.diff(stroke, axis=0).T) for stroke in strokes])
        assert steps.max() < 70                                     # a mouse event every few pixels


def test_the_shipped_model_reads_the_digits_drawn_in_the_styles_it_trained_on():
    images, labels = drawn_digits(5, np.random.default_rng(2019))   # other writers than in its training
    assert np.mean(load_model().scores(images).argmax(axis=1) == labels) >= 0.995   # 100% when shipped



def test_training_never_draws_the_benchs_held_out_or_teaching_tuning_styles():
    """The bench's held-out styles must stay unseen, and the styles teaching is tuned on untrained, or
    they would measure nothing: none of them is among the styles the best recipe draws (a part, such
    as a 1's plain stem, may be shared)."""
    import json
    import pathlib

    def shape(style):
        return json.dumps([[np.round(np.asarray(curve, dtype=float), 3).tolist() for curve in stroke]
                           for stroke in style])

    bench = pathlib.Path(__file__).resolve().parent.parent / "bench"
    trained = {shape(style) for by_digit in (STYLES, WRITER_STYLES) for named in by_digit.values()
               for style in named.values()}
    for folder in ("strokes_held_out", "strokes_teaching"):
        files = sorted((bench / folder).glob("*.json"))
        assert len(files) >= 9, folder
        for path in files:
            assert shape(json.loads(path.read_text())["strokes"]) not in trained, path.name


# Drawing is vectorised where it once went a point, a step or a span at a time, for speed (a recipe draws
# thousands of digits). Each fast version must give the very numbers the plain one gave, bit for bit: the
# shipped model was trained on digits drawn the plain way, and a seeded run must still draw them.

def _smooth_curve_span_by_span(points, per_span=16):
    points = np.asarray(points, dtype=np.float64)
    if len(points) < 3:
        return np.linspace(points[0], points[-1], per_span + 1)
    padded = np.concatenate([2 * points[:1] - points[1:2], points, 2 * points[-1:] - points[-2:-1]])
    t = np.linspace(0, 1, per_span, endpoint=False)[:, None]
    spans = []
    for p0, p1, p2, p3 in zip(padded, padded[1:], padded[2:], padded[3:]):
        spans.append(0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                            + (3 * p1 - p0 - 3 * p2 + p3) * t ** 3))
    return np.concatenate(spans + [points[-1:]])


def _steps_along_one_at_a_time(length, typical_step, random):
    distances = [0.0]
    while distances[-1] < length:
        distances.append(distances[-1] + typical_step * random.uniform(0.4, 1.6))
    distances[-1] = length
    return np.array(distances)


def test_a_curve_is_smoothed_exactly_as_span_by_span():
    random = np.random.default_rng(0)
    curves = [curve for by_digit in (STYLES, WRITER_STYLES) for named in by_digit.values()
              for style in named.values() for stroke in style for curve in stroke]
    curves += [random.uniform(0, 1, (count, 2)) for count in (2, 3, 4, 30) for _ in range(5)]
    for curve in curves:
        for per_span in (16, 5):
            fast, plain = drawn_styles.smooth_curve(curve, per_span), _smooth_curve_span_by_span(curve, per_span)
            assert fast.shape == plain.shape and np.array_equal(fast, plain)


def test_the_mouse_steps_are_those_drawn_a_step_at_a_time_and_the_generator_goes_on_alike():
    lengths = [0.0, 1e-9, 3.0, 5.0, 40.0, 400.0, 1234.5, 6000.0]
    for seed in range(20):
        for length in lengths:
            fast_random, plain_random = np.random.default_rng(seed), np.random.default_rng(seed)
            typical_step = fast_random.uniform(5, 40)
            assert typical_step == plain_random.uniform(5, 40)
            fast = drawn_styles._steps_along(length, typical_step, fast_random)
            plain = _steps_along_one_at_a_time(length, typical_step, plain_random)
            assert np.array_equal(fast, plain)
            assert fast_random.bit_generator.state == plain_random.bit_generator.state
            assert fast_random.uniform() == plain_random.uniform()
