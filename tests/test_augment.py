"""Specification of myonn/augment.py: random shifts, rotations, scaling and elastic distortion.

Everything runs on small synthetic digits, offline, in well under a second.
"""

import numpy as np
import pytest

from myonn.augment import Augmentation, gaussian_blur_matrix
from myonn.errors import MyonnError
from myonn.transform import CENTRE, centre_of_mass_and_skew

ROWS = np.arange(28, dtype=np.float32)[:, None]
COLS = np.arange(28, dtype=np.float32)[None, :]
EVERYTHING = "shift=2,rotation=10,scale=0.1,elastic=8:4"


def horizontal_bar(count=1):
    """count copies of a thick "-" through the centre, columns 6..22, uint8 as MNIST stores digits."""
    bar = np.zeros((28, 28), np.uint8)
    bar[13:16, 6:23] = 255
    return np.repeat(bar[None], count, axis=0)


def blobs(count, seed=0):
    """count different smooth digit-like images, uint8."""
    random = np.random.default_rng(seed)
    centres = random.uniform(10, 18, (count, 2, 1, 1))
    ink = 255 * np.exp(-((ROWS - centres[:, 0]) ** 2 + (COLS - centres[:, 1]) ** 2) / 18)
    return ink.round().astype(np.uint8)


def test_it_returns_float32_images_of_the_same_shape_within_the_grey_levels():
    images = blobs(5)
    augmented = Augmentation.from_text(EVERYTHING)(images, np.random.default_rng(0))
    assert augmented.shape == (5, 28, 28) and augmented.dtype == np.float32
    assert augmented.min() >= 0 and augmented.max() <= 255
    one = Augmentation.from_text(EVERYTHING)(images[0], np.random.default_rng(0))
    assert one.shape == (28, 28) and one.dtype == np.float32


def test_the_same_seed_gives_the_same_images_and_another_seed_different_ones():
    images = blobs(4)
    augmentation = Augmentation.from_text(EVERYTHING)
    first = augmentation(images, np.random.default_rng(7))
    again = augmentation(images, np.random.default_rng(7))
    other = augmentation(images, np.random.default_rng(8))
    assert np.array_equal(first, again)
    assert not np.allclose(first, other)


def test_every_image_gets_its_own_moves():
    augmented = Augmentation(rotation=20, elastic_alpha=8)(horizontal_bar(2), np.random.default_rng(0))
    assert not np.allclose(augmented[0], augmented[1])


def test_with_everything_off_the_images_come_back_unchanged():
    images = blobs(3)
    for augmentation in (Augmentation(), Augmentation.from_text("none"), Augmentation.from_text("")):
        unchanged = augmentation(images, np.random.default_rng(0))
        assert unchanged.dtype == np.float32 and np.array_equal(unchanged, images)


def test_it_takes_images_only_so_labels_stay_as_they_were():
    images, labels = blobs(6), np.arange(6, dtype=np.uint8)
    augmented = Augmentation.from_text(EVERYTHING)(images, np.random.default_rng(0))
    assert isinstance(augmented, np.ndarray) and augmented.shape == images.shape
    assert np.array_equal(labels, np.arange(6))
    assert np.array_equal(images, blobs(6))                  # nor are the images changed in place


def test_small_moves_keep_the_ink():
    images = blobs(20)
    ink_before = images.sum(axis=(1, 2), dtype=np.float64)
    # Shifts and rotations keep every area as it was ...
    moved = Augmentation(shift=1, rotation=10)(images, np.random.default_rng(0))
    assert moved.sum(axis=(1, 2)) == pytest.approx(ink_before, rel=0.01)
    # ... an elastic distortion stretches some parts and squeezes others, so roughly.
    bent = Augmentation(elastic_alpha=8, elastic_sigma=4)(images, np.random.default_rng(0))
    assert bent.sum(axis=(1, 2)) == pytest.approx(ink_before, rel=0.15)


def test_rotation_turns_the_digit_anticlockwise_by_up_to_the_angle():
    turned = Augmentation(rotation=30)(horizontal_bar(50), np.random.default_rng(0))
    _, _, lean = centre_of_mass_and_skew(np.swapaxes(turned, 1, 2))   # rows per column: the bar's slope
    angles = np.degrees(np.arctan(-lean))                              # rows grow downwards: up is −
    assert np.all(np.abs(angles) <= 30.5)
    assert angles.max() > 20 and angles.min() < -20                    # both ways, and by a lot
    # The most turned one, turned the positive way, has lifted its right end.
    right_end_up = turned[np.argmax(angles)]
    assert right_end_up[:14, 18:].sum() > right_end_up[14:, 18:].sum()


def test_shift_moves_the_centre_of_mass_by_the_drawn_amount_and_no_more():
    moved = Augmentation(shift=3)(blobs(100), np.random.default_rng(0))
    cy_before, cx_before, _ = centre_of_mass_and_skew(blobs(100))
    cy_after, cx_after, _ = centre_of_mass_and_skew(moved)
    for change in (cy_after - cy_before, cx_after - cx_before):
        assert np.all(np.abs(change) <= 3.05)
        assert change.max() > 2 and change.min() < -2


def test_scale_changes_the_size_about_the_centre():
    augmented = Augmentation(scale=0.3)(horizontal_bar(100), np.random.default_rng(0))
    bar_lengths = (augmented[:, 14, :] > 127).sum(axis=1)          # 17 pixels before
    assert bar_lengths.min() < 14 and bar_lengths.max() > 20
    assert np.all((bar_lengths >= 17 * 0.7 - 1) & (bar_lengths <= 17 * 1.3 + 1))
    cy, cx, _ = centre_of_mass_and_skew(augmented)
    assert cy == pytest.approx(CENTRE, abs=0.05) and cx == pytest.approx(CENTRE, abs=0.05)


def test_elastic_distortion_bends_strokes_without_moving_the_digit_away():
    bent = Augmentation(elastic_alpha=34, elastic_sigma=4)(horizontal_bar(20), np.random.default_rng(0))
    assert not np.allclose(bent, horizontal_bar(20), atol=20)
    # A smooth field moves neighbouring pixels alike, so part of it is a small shift of the whole digit.
    cy, cx, _ = centre_of_mass_and_skew(bent)
    assert np.all(np.abs(cy - CENTRE) < 4) and np.all(np.abs(cx - CENTRE) < 4)


def test_the_elastic_blur_is_a_normalised_gaussian():
    blur = gaussian_blur_matrix(4.0, size=101)
    assert blur[50].sum() == pytest.approx(1, abs=1e-4)            # away from the ends
    assert blur[50].argmax() == 50 and np.allclose(blur, blur.T)


def test_settings_read_from_text_and_round_trip():
    augmentation = Augmentation.from_text("shift=2, rotation=10,scale=0.1,elastic=8:3,flags=0.3,feet=0.2,slashes=0.1,"
                                          "tails=0.4")
    assert augmentation.describe() == {"shift": 2.0, "rotation": 10.0, "scale": 0.1,
                                       "elastic_alpha": 8.0, "elastic_sigma": 3.0, "flags": 0.3,
                                       "feet": 0.2, "slashes": 0.1, "tails": 0.4}
    assert Augmentation(**augmentation.describe()).describe() == augmentation.describe()
    assert Augmentation.from_text(str(augmentation)).describe() == augmentation.describe()
    assert Augmentation.from_text("elastic=8").elastic_sigma == 4.0
    assert str(Augmentation()) == "none" and Augmentation().is_off()


@pytest.mark.parametrize("text", ["shift", "shift=two", "tilt=3", "shift=-1", "scale=1.5", "elastic=8:0", "elastic=1000:1e-300",
                                  "flags=1.5", "feet=2", "slashes=-0.1", "tails=1.01", "shift=1e300", "rotation=1e300", "elastic=1e300",
                                  "elastic=8:1e300", "rotation=inf", "shift=nan"])
def test_bad_settings_fail_with_a_message_naming_them(text):
    with pytest.raises(MyonnError, match="augmentation"):
        Augmentation.from_text(text)


def test_a_setting_too_long_is_named_shortened():
    """Each part of the text is quoted back: a 5,000-character one was, whole."""
    with pytest.raises(MyonnError) as refused:
        Augmentation.from_text("shift=1," + "x" * 5000 + "=1")
    assert str(refused.value) == ("augmentation: unknown setting '" + "x" * 40 + "'… (5,000 characters) in '"
                                  + "x" * 40 + "'… (5,002 characters) (known: shift, rotation, scale, elastic, "
                                  "flags, feet, slashes, tails)")


def one_like_sticks(count=6):
    """Upright 3-pixel-wide sticks, rows 5..22: MNIST-style 1s without a flag."""
    images = np.zeros((count, 28, 28), dtype=np.float32)
    images[:, 5:23, 13:16] = 255
    return images


def strokes_added(augmentation, images, labels, seed):
    """Apply `augmentation` to six images, the first three of the digit it draws on: the labels stay,
    the other three are untouched (not its digit), grey levels stay within 255. Returns what was
    added to the first three."""
    before = labels.copy()
    changed = augmentation(images, np.random.default_rng(seed), labels)
    assert np.array_equal(labels, before)
    assert np.array_equal(changed[3:], images[3:])
    assert changed.max() <= 255
    return changed[:3] - images[:3]


def test_flags_go_on_the_top_left_of_1s_only_and_labels_stay():
    added = strokes_added(Augmentation(flags=1.0), one_like_sticks(), np.array([1, 1, 1, 7, 7, 7]), seed=0)
    assert (added >= 0).all() and (added.reshape(3, -1).sum(axis=1) > 255).all()
    rows, columns = np.nonzero(added.max(axis=0))
    assert columns.max() <= 15 and columns.min() < 13              # to the left of the stick
    assert rows.min() >= 4 and rows.max() < 5 + 0.6 * 18 + 2       # from its top (a round pen end), down


def test_flags_are_given_to_about_their_share_and_need_labels():
    images = one_like_sticks(400)
    labels = np.ones(400, dtype=int)
    flagged = Augmentation(flags=0.25)(images, np.random.default_rng(1), labels)
    share = np.mean([not np.array_equal(f, i) for f, i in zip(flagged, images)])
    assert 0.18 < share < 0.32
    assert np.array_equal(Augmentation(flags=1.0)(images[:3], np.random.default_rng(1)), images[:3])


def zero_like_rings(count=6):
    """Rings 3 pixels thick, rows 4..23, columns 8..19: MNIST-style 0s without a slash."""
    rows, columns = np.mgrid[0:28, 0:28] + 0.5
    distance = np.hypot((rows - 14) / 10, (columns - 14) / 6)
    ring = np.where((distance <= 1) & (distance >= 0.6), 255, 0).astype(np.float32)
    return np.repeat(ring[None], count, axis=0)


def test_feet_go_across_the_bottom_of_1s_only_and_labels_stay():
    added = strokes_added(Augmentation(feet=1.0), one_like_sticks(), np.array([1, 1, 1, 7, 0, 2]), seed=0)
    assert (added >= 0).all() and (added.reshape(3, -1).sum(axis=1) > 255).all()
    for foot in added:
        rows, columns = np.nonzero(foot > 64)
        assert rows.min() >= 19 and rows.max() <= 24                # at the stick's foot (rows 5..22)
        assert columns.min() < 13 and columns.max() > 15            # to both sides of it


def test_slashes_strike_0s_through_from_bottom_left_to_top_right_and_labels_stay():
    images = np.concatenate([zero_like_rings(3), one_like_sticks(3)])
    for added in strokes_added(Augmentation(slashes=1.0), images, np.array([0, 0, 0, 1, 6, 8]), seed=5):
        assert (added >= 0).all()
        # Through the ring's empty middle, and rising to the right: "/" as in Ø.
        assert added[12:16, 12:16].max() > 128
        rows, columns = np.nonzero(added > 64)
        assert np.corrcoef(rows, columns)[0, 1] < -0.8
        assert rows.min() >= 1 and rows.max() <= 26 and columns.min() >= 5 and columns.max() <= 22  # the ring: 4..23, 8..19


def nine_like_loops_on_sticks(count=6):
    """A ring (rows 4..13, columns 9..18) with a 3-pixel stem down its right side to row 21: plain 9s."""
    rows, columns = np.mgrid[0:28, 0:28] + 0.5
    distance = np.hypot((rows - 9) / 5, (columns - 14) / 5)
    nine = np.where((distance <= 1) & (distance >= 0.5), 255, 0).astype(np.float32)
    nine[6:22, 16:19] = 255
    return np.repeat(nine[None], count, axis=0)


def test_tails_curl_9s_stems_round_to_the_left_and_labels_stay():
    images = np.concatenate([nine_like_loops_on_sticks(3), zero_like_rings(3)])
    for added in strokes_added(Augmentation(tails=1.0), images, np.array([9, 9, 9, 0, 3, 8]), seed=3):
        assert (added >= 0).all() and added.sum() > 3 * 255
        rows, columns = np.nonzero(added > 64)
        # From the stem's end (row 21, columns 16..18), below the loop, to the left and no further
        # down than the frame: a hook, not a stroke across the digit.
        assert rows.min() >= 14 and rows.max() <= 27
        assert columns.max() <= 19 and columns.min() < 14
        assert added[20:, 15:19].max() > 128                            # joined to the stem


def test_strokes_added_to_labelled_digits_are_repeatable_with_a_seed():
    images = np.concatenate([zero_like_rings(20), one_like_sticks(20)])
    labels = np.repeat([0, 1], 20)
    augmentation = Augmentation(flags=0.5, feet=0.5, slashes=0.5)
    first = augmentation(images, np.random.default_rng(9), labels)
    again = augmentation(images, np.random.default_rng(9), labels)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, augmentation(images, np.random.default_rng(10), labels))
    changed = [not np.array_equal(a, b) for a, b in zip(first, images)]
    assert 3 <= sum(changed[:20]) <= 17 and 3 <= sum(changed[20:]) <= 20


def simard_fields(count, alpha, sigma, random):
    """Simard et al.'s elastic fields made the long way, as the paper describes: uniform noise on
    [−1, 1] at every pixel, blurred by a Gaussian, times α. (count, 2, 28, 28)."""
    blur = gaussian_blur_matrix(sigma).astype(np.float64)
    noise = random.uniform(-1, 1, (count, 2, 28, 28))
    return alpha * (blur @ noise @ blur.T)


@pytest.mark.parametrize("sigma", [4.0, 2.0])
def test_elastic_fields_have_the_statistics_of_simard_et_al_s(sigma):
    count = 3000
    drawn = np.stack(Augmentation(elastic_alpha=16, elastic_sigma=sigma).elastic_displacements(
        count, np.random.default_rng(0)), axis=1).astype(np.float64)
    expected = simard_fields(count, 16, sigma, np.random.default_rng(1))
    assert drawn.shape == expected.shape
    # Mean 0; the same spread at every pixel (weaker near the edges, where the noise ends); neighbours
    # that move together just as much; rows and columns independent of each other.
    assert abs(drawn.mean()) < 0.05 * expected.std()
    spread, expected_spread = drawn.std(axis=0), expected.std(axis=0)
    assert np.allclose(spread, expected_spread, rtol=0.1)
    for axis, step in [(2, 1), (3, 1), (2, 4), (3, 8)]:
        def correlation(fields):
            here = np.take(fields, range(28 - step), axis=axis).ravel()
            there = np.take(fields, range(step, 28), axis=axis).ravel()
            return np.corrcoef(here, there)[0, 1]
        assert correlation(drawn) == pytest.approx(correlation(expected), abs=0.03)
    assert abs(np.corrcoef(drawn[:, 0].ravel(), drawn[:, 1].ravel())[0, 1]) < 0.03
    # Sums of many small random parts: normal, like the paper's (kurtosis 3).
    values = drawn[:, :, 14, 14].ravel() / drawn[:, :, 14, 14].std()
    assert np.mean(values ** 4) == pytest.approx(3, abs=0.3)


def test_flags_drawn_at_once_match_the_drawing_windows_pen():
    from myonn.augment import add_flags
    from myonn.handwriting import draw_segment
    images = one_like_sticks(50)
    flagged = images.copy()
    add_flags(flagged, np.ones(50, bool), np.random.default_rng(3), 1.0)
    # The same flags, one at a time with the pen of handwriting.py (the same random numbers in the same order).
    random = np.random.default_rng(3)
    random.random(50)
    lengths, angles = random.uniform(0.15, 0.60, 50) * 18, np.radians(random.uniform(15, 60, 50))
    width = 2 * (3 * 18) / (2 * 18 + 2 * 3)         # the stick's stroke width: 2 × area / outline
    for image, expected_image, length, angle in zip(flagged, images.copy(), lengths, angles):
        cover = np.zeros((28, 28), np.float32)
        draw_segment(cover, (14.5, 5.5), (14.5 - length * np.cos(angle), 5.5 + length * np.sin(angle)),
                     radius=width / 2)
        assert np.allclose(image, np.maximum(expected_image, 255 * cover), atol=0.05)


def test_the_affine_map_is_the_inverse_shift_rotation_and_scaling():
    # Without elastic distortion, source_positions is the plain formula, made from its coefficients.
    augmentation = Augmentation(shift=2, rotation=30, scale=0.2)
    rows, cols = augmentation.source_positions(5, np.random.default_rng(4))
    random = np.random.default_rng(4)
    shift_down, shift_right, angle, zoom = (random.uniform(-limit, limit, (5, 1, 1)) for limit in (2, 2, 30, 0.2))
    down, across = ROWS - CENTRE - shift_down, COLS - CENTRE - shift_right
    cos, sin = np.cos(np.radians(angle)) / (1 + zoom), np.sin(np.radians(angle)) / (1 + zoom)
    assert np.allclose(rows, CENTRE + down * cos + across * sin, atol=1e-4)
    assert np.allclose(cols, CENTRE + across * cos - down * sin, atol=1e-4)
