"""myonn/handwriting.py: a drawing becomes an MNIST-style 28×28 image (pen, crop, 20-pixel fit, centre of mass)."""

import json
from pathlib import Path

import numpy as np
import pytest

from myonn.handwriting import (BOX_SIDE, area_resampling, bounding_box, centre_of_mass, digit_pixels,
                               draw_segment, draw_strokes, fit_box, mnist_style)
from myonn.transform import CENTRE, centre_of_mass_and_skew

BENCH_STROKES = Path(__file__).resolve().parent.parent / "bench" / "strokes"

SEVEN = [[(100, 100), (400, 100), (250, 500)]]


def ink_box_size(image):
    rows, columns = bounding_box(image)
    return rows.stop - rows.start, columns.stop - columns.start


# ---- The pen -------------------------------------------------------------------------------------

def test_two_far_apart_points_make_one_unbroken_line():
    ink = draw_strokes([[(10, 20), (90, 20)]], (40, 100), radius=3)
    assert (ink[19:21, 10:90] == 1).all()  # full ink all along the centre line, no gaps
    assert ink[20, 0] == 0 and ink[20, 99] == 0 and ink[30, 50] == 0


def test_the_pen_is_round_and_its_edge_anti_aliased():
    ink = draw_strokes([[(50.5, 50.5)]], (100, 100), radius=10)  # one point, on pixel (50, 50)'s centre: a dot
    assert ink_box_size(ink) == (21, 21)
    assert ink[50, 50] == 1
    assert ink[50, 40] == pytest.approx(0.5)  # the edge runs through this pixel's centre: half covered
    assert ink[44, 44] == 1  # inside the circle...
    assert ink[41, 41] == 0  # ...but the square's corner stays empty


def test_crossing_strokes_do_not_add_up():
    ink = draw_strokes([[(0, 50), (100, 50)], [(50, 0), (50, 100)]], (100, 100), radius=4)
    assert ink.max() == 1


def test_a_segment_is_added_in_place_only_near_itself():
    image = np.zeros((200, 200), np.float32)
    rows, columns = draw_segment(image, (20, 30), (60, 30), radius=5)
    assert image[30, 20:61].min() == 1
    outside = image.copy()
    outside[rows, columns] = 0
    assert not outside.any()
    assert draw_segment(image, (500, 500), (600, 600), radius=5) is None  # off the image: nothing


# ---- Area averaging and the 20-pixel fit ---------------------------------------------------------

def test_area_resampling_averages_whole_and_partly_covered_pixels():
    # 3 pixels down to 2: each new pixel covers 1.5 old ones.
    matrix = area_resampling(3, 2 / 3)
    assert matrix == pytest.approx(np.array([[2 / 3, 1 / 3, 0], [0, 1 / 3, 2 / 3]]))
    assert area_resampling(28, 20 / 28).sum(axis=1) == pytest.approx(np.ones(20))


def test_fit_box_averages_blocks_of_pixels():
    image = np.kron(np.arange(100, dtype=np.float32).reshape(10, 10), np.ones((4, 4)))  # 40×40, 4×4 blocks
    assert fit_box(image, 20) == pytest.approx(np.kron(np.arange(100).reshape(10, 10), np.ones((2, 2))))


def test_fit_box_keeps_the_aspect_ratio():
    assert fit_box(np.ones((90, 30)), 20).shape == (20, 7)  # 30 × 20/90 = 6.7 pixels, rounded up
    assert fit_box(np.ones((10, 40)), 20).shape == (5, 20)
    assert fit_box(np.ones((5, 5)), 20).shape == (20, 20)  # a small drawing is enlarged


def test_a_thin_line_becomes_grey_not_on_off():
    image = np.zeros((100, 100), np.float32)
    image[:, 50] = 255  # one pixel wide in a 100-pixel box: a fifth of a pixel at 20
    fitted = fit_box(image, 20)
    assert fitted.max() == pytest.approx(255 / 5)


# ---- The whole MNIST-style preparation -----------------------------------------------------------

def test_ink_is_cropped_fitted_to_20_pixels_and_centred_by_mass():
    image = np.zeros((300, 400), np.float32)
    image[10:130, 300:360] = 255  # a 120×60 block far off-centre
    prepared = mnist_style(image)
    assert prepared.shape == (28, 28)
    assert ink_box_size(prepared) == (20, 10)  # longer side 20, aspect 2:1 kept
    assert centre_of_mass(prepared) == pytest.approx((14, 14), abs=0.5)


def test_centring_is_by_mass_not_by_the_box():
    image = np.zeros((100, 100), np.float32)
    image[0:100, 0:20] = 255  # an L: heavy on the left
    image[80:100, 20:100] = 255
    prepared = mnist_style(image)
    assert centre_of_mass(prepared) == pytest.approx((14, 14), abs=0.5)
    rows, columns = bounding_box(prepared)
    assert (columns.start + columns.stop) / 2 > 14.5  # so the box itself sits right of centre


def test_drawings_are_centred_where_mnist_centres_its_digits():
    # MNIST's centres of mass lie within half a pixel of pixel (14, 14), counting the top-left pixel's
    # centre as (0, 0), as transform.py (deskewing) does. Counted from the pixel's corner instead,
    # drawings sat half a pixel up and to the left of MNIST's digits on average.
    drawings = [json.loads(path.read_text()) for path in sorted(BENCH_STROKES.glob("*.json"))]
    images = np.stack([digit_pixels(strokes) for strokes in drawings])
    rows, columns, _ = centre_of_mass_and_skew(images)
    assert len(images) > 20
    assert np.all(np.abs(rows - CENTRE) <= 0.5 + 1e-6) and np.all(np.abs(columns - CENTRE) <= 0.5 + 1e-6)
    assert abs(rows.mean() - CENTRE) < 0.15 and abs(columns.mean() - CENTRE) < 0.15


def test_an_mnist_digit_prepared_as_a_drawing_comes_out_as_it_was(real_mnist_dir):
    # MNIST's digits are already cropped, fitted to 20 pixels and centred by mass: preparing one again
    # must leave it where it is (a quarter of them moved a pixel when drawings were centred off MNIST's).
    from myonn.mnist import TEST, load_mnist
    images, _ = load_mnist(TEST, real_mnist_dir, limit=500)
    prepared = np.stack([mnist_style(image) for image in images])
    assert np.allclose(prepared, images, atol=1e-3)


def test_grey_levels_are_kept():
    image = np.zeros((40, 40), np.float32)
    image[:, :] = 100
    assert mnist_style(image).max() == pytest.approx(100)


def test_no_ink_gives_an_empty_frame():
    assert not mnist_style(np.zeros((50, 50))).any()
    assert digit_pixels([]) is None
    assert digit_pixels([[]]) is None


def test_digit_pixels_is_the_same_however_large_or_wherever_the_digit_is_drawn():
    small = digit_pixels(SEVEN)
    large = digit_pixels([[(3 * x + 7, 3 * y - 250) for x, y in stroke] for stroke in SEVEN])
    assert small.shape == (28, 28) and small.max() > 250
    assert np.abs(small - large).max() < 2


def test_digit_pixels_gives_mnist_sized_strokes():
    image = digit_pixels([[(300, 100), (300, 500)]])  # a 1: a vertical line
    rows, columns = bounding_box(image)
    assert rows.stop - rows.start == BOX_SIDE
    assert 2 <= image.sum(axis=1)[10] / 255 <= 4  # about 3 pixels of ink across, as in MNIST
    assert centre_of_mass(image) == pytest.approx((14, 14), abs=0.5)


def test_a_dot_stays_a_dot_sized_blob():
    image = digit_pixels([[(300, 300)]])
    assert image is not None and image.max() > 0


def test_a_stray_dot_away_from_the_digit_is_left_out():
    """A trackpad's tap beside a 7 took over the crop: the 7 was read as a 2."""
    alone = digit_pixels(SEVEN)
    for tap in ([(250, 600)], [(600, 300), (602, 301)], [(20, 20)]):      # below it, beside it, in a corner
        assert np.array_equal(digit_pixels(SEVEN + [tap]), alone), tap
    assert np.array_equal(digit_pixels([[(600, 300)]] + SEVEN + [[(20, 20)]]), alone)   # first, and several


def test_a_digit_drawn_in_dots_or_dashes_is_kept_whole_and_a_double_tap_away_from_it_left_out():
    """Found by an audit: one dot moved a pixel made every other dot of a dotted 0 'stray', and a 7's
    stroke drawn in dashes was left out, dash by dash (the network saw a bar)."""
    from myonn.handwriting import without_stray_dots

    def kept(strokes):
        return len(without_stray_dots([np.asarray(stroke, float) for stroke in strokes]))

    angles = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    dotted_zero = [[(336 + 90 * np.sin(a), 336 - 140 * np.cos(a))] for a in angles]
    assert kept(dotted_zero) == kept(dotted_zero[:-1] + [dotted_zero[-1] + [(337 + 90 * np.sin(angles[-1]),
                                                                           336 - 140 * np.cos(angles[-1]))]]) == 40
    sparse = [[(336 + 90 * np.sin(a), 336 - 140 * np.cos(a))] for a in angles[::4]] + [[(400, 200), (401, 200)]]
    assert kept(sparse) == len(sparse)                                 # dots 70 pixels apart: a dotted digit
    dashed_seven = [[(200, 200), (420, 200)]] + [[(420 - 10 * i, 200 + 20 * i), (412 - 10 * i, 216 + 20 * i)]
                                                 for i in range(1, 20)]
    assert kept(dashed_seven) == 20
    assert kept(dashed_seven + [[(600, 600)], [(601, 600)]]) == 20     # a double tap, away from it: left out
    seven = [[(260, 240), (414, 240), (326, 440)]]                      # a third audit's: taps 40 pixels apart,
    assert kept(seven + [[(640, 640)], [(600, 640)]]) == 1              # one part 40 across, were kept (read 2)
    one_in_two_pieces = [[(336, 236), (336, 335)], [(336, 338), (336, 436)]]   # its pen travelled 198 of 200
    assert kept(one_in_two_pieces + [[(600, 620)]]) == 2


def test_a_part_drawn_in_dots_beside_solid_strokes_and_a_small_digit_beside_a_slip_of_the_pen_are_kept():
    """Found by a second audit: a 7 whose stem was dotted lost the stem (read as 2), and a small 2
    beside a long slip of the pen was left out as the 'dot' (read as 1, at 99.5%)."""
    seven_dotted_stem = [[(150, 150), (450, 150)]] + [[(430 - 20 * i, 196 + 46 * i)] for i in range(8)]
    assert np.array_equal(digit_pixels(seven_dotted_stem), digit_pixels_of_every_stroke(seven_dotted_stem))
    tiny_two_and_a_slip = [[(300, 300), (310, 292), (322, 296), (322, 306), (300, 322), (326, 322)], [(50, 50), (50, 620)]]
    assert np.array_equal(digit_pixels(tiny_two_and_a_slip), digit_pixels_of_every_stroke(tiny_two_and_a_slip))


def digit_pixels_of_every_stroke(strokes):
    """digit_pixels with no stroke left out as a stray dot."""
    import myonn.handwriting as handwriting

    kept = handwriting.without_stray_dots
    try:
        handwriting.without_stray_dots = lambda strokes: strokes
        return handwriting.digit_pixels(strokes)
    finally:
        handwriting.without_stray_dots = kept


def test_strokes_within_reach_of_each_other_directly_or_through_others_are_one_part():
    from myonn.handwriting import parts

    random = np.random.default_rng(0)
    for _ in range(50):
        corners = random.uniform(0, 600, (random.integers(1, 60), 2))
        boxes = np.hstack([corners, corners + random.uniform(0, 30, corners.shape)])
        reach = random.uniform(0, 60)
        found = parts(boxes, reach)
        expected = np.arange(len(boxes))           # as a search from each stroke would number them
        for first in range(len(boxes)):
            if expected[first] != first:
                continue
            stack = [first]
            while stack:
                this = stack.pop()
                for other in range(len(boxes)):
                    gap = np.hypot(max(0, boxes[other, 0] - boxes[this, 2], boxes[this, 0] - boxes[other, 2]),
                                   max(0, boxes[other, 1] - boxes[this, 3], boxes[this, 1] - boxes[other, 3]))
                    if gap <= reach and expected[other] == other and other > first:
                        expected[other] = first
                        stack.append(other)
        assert np.array_equal(found, expected)
    chain = np.array([[40.0 * i, 0, 40.0 * i + 10, 10] for i in range(200)])   # each near its neighbours only
    assert (parts(chain, 30) == 0).all() and len(set(parts(chain, 29.9))) == 200


def test_a_short_part_touching_the_digit_or_within_reach_of_it_stays():
    alone = digit_pixels(SEVEN)
    near = [[(250, 520)], [(95, 110), (95, 140)], [(240, 300), (260, 300)]]     # just below its foot, a serif, a bar
    for part in near:
        assert not np.array_equal(digit_pixels(SEVEN + [part]), alone), part
    dots = [[(100, 100)], [(300, 300)], [(500, 100)]]                  # nothing but dots: all of them are the drawing
    assert bounding_box(digit_pixels(dots))[1].stop - bounding_box(digit_pixels(dots))[1].start == BOX_SIDE


def test_the_tally_kept_point_by_point_agrees_with_too_much_ink_at_every_point():
    from myonn.handwriting import MOST_POINTS, MOST_STROKES, InkTally, drawing_size, too_much_ink

    random = np.random.default_rng(0)
    refused = 0
    for _ in range(20):                           # drawings that run out of ink by travel, or stay within it
        strokes, tally = [], InkTally()
        scale = random.choice([2.0, 40.0, 400.0])
        for _ in range(random.integers(1, 6)):
            strokes.append([])
            for _ in range(random.integers(1, 400)):
                point = tuple(float(v) for v in random.uniform(0, scale, 2))
                previous = strokes[-1][-1] if strokes[-1] else None
                allowed = tally.allows(point, previous)
                assert allowed == (not too_much_ink(strokes[:-1] + [strokes[-1] + [point]]))
                if allowed:
                    strokes[-1].append(point)
                    tally.add(point, previous)
                else:
                    refused += 1
        assert tally.points == sum(map(len, strokes))
        assert tally.exact_size() == pytest.approx(drawing_size(strokes))          # the canvas pen's, as a stroke ends
        assert tally.size() <= tally.exact_size() + 1e-9                           # while drawn: no larger
        assert InkTally(strokes).allows((0.0, 0.0)) == (not too_much_ink(strokes + [[(0.0, 0.0)]]))  # counted at once
    assert refused > 0
    one_point_strokes = InkTally([[(1.0, 1.0)]] * MOST_STROKES)
    assert not one_point_strokes.allows((1.0, 1.0)) and one_point_strokes.allows((1.0, 1.0), previous=(1.0, 1.0))
    points_in_one_stroke = InkTally([[(1.0, 1.0)] * MOST_POINTS])
    assert not points_in_one_stroke.allows((1.0, 1.0), previous=(1.0, 1.0))


def test_a_drawing_holds_at_most_a_digits_worth_of_ink():
    from myonn.errors import MyonnError
    from myonn.handwriting import MOST_POINTS, MOST_STROKES, MOST_TRAVEL, too_much_ink

    eight_corners = [[(100.0, 100.0), (400.0, 100.0), (400.0, 400.0), (100.0, 400.0), (100.0, 100.0)]]
    assert not too_much_ink(eight_corners) and not too_much_ink([]) and not too_much_ink([[]])
    # A scribble back and forth across the digit: the pen travels 50 times its size, then just over.
    scribble = [[(0.0, 0.0), (300.0, 0.0)] * (MOST_TRAVEL // 2) + [(0.0, 0.0)]]
    assert not too_much_ink(scribble)
    assert too_much_ink([scribble[0] + [(300.0, 0.0)]])
    assert too_much_ink([[(1.0, 1.0)]] * (MOST_POINTS + 1))       # points that go nowhere still count
    assert not too_much_ink([[(1.0, 1.0)]] * MOST_STROKES + [[]]) and too_much_ink([[(1.0, 1.0)]] * (MOST_STROKES + 1))
    with pytest.raises(MyonnError, match="too much ink for one digit"):
        digit_pixels([[(0.0, 0.0), (300.0, 300.0)] * 50_000])     # drawing it took 35 s and 15 GB


def test_a_coordinate_is_a_finite_number_within_the_largest_a_drawing_holds():
    from myonn.handwriting import LARGEST_COORDINATE, is_coordinate

    assert is_coordinate(0) and is_coordinate(-12.5) and is_coordinate(LARGEST_COORDINATE)
    assert not is_coordinate(LARGEST_COORDINATE + 1) and not is_coordinate(True) and not is_coordinate("5")
    assert not is_coordinate(float("nan")) and not is_coordinate(float("inf"))
    assert not is_coordinate(10 ** 400)            # a whole number too large for a float, as JSON allows


def test_a_stroke_keeps_exactly_the_points_a_point_by_point_walk_keeps():
    """handwriting._kept_points, which measures every step at once, against the walk it replaced: each
    point kept when it is at least min_step from the last one kept (the drawn digits of the recipes, and
    so the shipped model, were drawn the walking way)."""
    from myonn.handwriting import _kept_points

    def walked(points, min_step):
        kept = [0]
        for number in range(1, len(points)):
            if np.abs(points[number] - points[kept[-1]]).max() >= min_step:
                kept.append(number)
        return kept

    random = np.random.default_rng(0)
    strokes = [np.zeros((1, 2)), np.zeros((5, 2)), np.array([[0, 0], [0.1, 0], [0.2, 0], [0.3, 0], [0.3, 0.3]])]
    for count in (2, 3, 10, 200):
        for spread in (0.05, 0.2, 1.0, 10.0):   # steps mostly shorter than min_step, then mostly longer
            strokes.append(np.cumsum(random.normal(0, spread, (count, 2)), axis=0))
    for stroke in strokes:
        points = np.asarray(stroke, dtype=np.float32)
        for min_step in (0.25, 1.0):
            assert _kept_points(points, min_step) == walked(points, min_step)
