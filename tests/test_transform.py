"""Specification of myonn/transform.py: the bilinear resampler `warp` and `deskew`.

Everything runs on small synthetic digits, offline, in well under a second.
"""

import numpy as np
import pytest

from myonn.transform import CENTRE, IMAGES_PER_PASS, LARGEST_SKEW, centre_of_mass_and_skew, deskew, warp

ROWS = np.arange(28, dtype=np.float32)[:, None]
COLS = np.arange(28, dtype=np.float32)[None, :]


def stroke(lean=0.0, column=CENTRE, top=6, bottom=22, width=1.5):
    """A "1": a pen stroke with a Gaussian cross-section, from row `top` to row `bottom`.

    Its middle runs through column `column + lean·(row − 14)`: lean > 0 leans like "\\" on screen.
    Rows 6..22 put its centre of mass at row 14, where MNIST puts every digit's.
    """
    middle = column + lean * (ROWS - CENTRE)
    ink = 255.0 * np.exp(-0.5 * ((COLS - middle) / width) ** 2)
    ink[(ROWS[:, 0] < top) | (ROWS[:, 0] > bottom)] = 0
    return ink.astype(np.float32)


def ink_column(image, row):
    """Where the ink is along one row: its centre of mass as a column."""
    return float((image[row] * COLS[0]).sum() / image[row].sum())


# --- warp -------------------------------------------------------------------------------------

def test_warp_with_the_identity_map_returns_the_images():
    images = np.random.default_rng(0).uniform(0, 255, (3, 28, 28)).astype(np.float32)
    assert np.array_equal(warp(images, ROWS, COLS), images)


def test_warp_by_whole_pixels_moves_pixels_exactly_and_brings_in_background():
    images = np.random.default_rng(1).uniform(1, 255, (2, 28, 28)).astype(np.float32)
    moved = warp(images, ROWS - 2, COLS + 3)        # output (r, c) reads input (r − 2, c + 3)
    assert np.array_equal(moved[:, 2:, :25], images[:, :26, 3:])
    assert np.all(moved[:, :2, :] == 0)             # came from above the image
    assert np.all(moved[:, :, 25:] == 0)            # came from right of the image


def test_warp_between_pixels_weights_the_neighbours_by_distance():
    image = np.zeros((1, 28, 28), np.float32)
    image[0, 10, 10], image[0, 10, 11] = 100, 200
    assert warp(image, ROWS, COLS + 0.25)[0, 10, 10] == pytest.approx(125)
    # Half a pixel past the last column, half the weight comes from the background outside.
    image[0, 5, 27] = 80
    assert warp(image, ROWS, COLS + 0.5)[0, 5, 27] == pytest.approx(40)


def test_warp_reads_far_outside_the_image_as_background():
    images = np.full((1, 28, 28), 255, np.float32)
    assert np.all(warp(images, ROWS + 100, COLS) == 0)
    assert np.all(warp(images, ROWS, COLS - 1000.5) == 0)


def test_warp_gives_every_image_its_own_map_across_a_large_batch():
    count = IMAGES_PER_PASS * 2 + 7                  # spans several of warp's passes
    images = np.zeros((count, 28, 28), np.float32)
    images[:, 14, 14] = 255
    shifts = np.arange(count) % 9 - 4                # −4..4 columns
    moved = warp(images, ROWS, COLS - shifts[:, None, None].astype(np.float32))
    assert moved.shape == (count, 28, 28) and moved.dtype == np.float32
    assert np.array_equal(moved[:, 14, :].argmax(axis=1), 14 + shifts)


# --- deskew -----------------------------------------------------------------------------------

def test_an_upright_digit_is_left_as_it_is():
    upright = stroke()
    assert np.abs(deskew(upright) - upright).max() < 0.5


@pytest.mark.parametrize("lean", [-0.6, -0.25, 0.25, 0.6])
def test_a_leaning_digit_is_stood_upright(lean):
    leaning = stroke(lean)
    straightened = deskew(leaning)
    _, _, skew = centre_of_mass_and_skew(straightened[None])
    assert abs(skew[0]) < 0.02                       # μ11 ≈ 0: no lean left
    for row in (7, 14, 21):
        assert ink_column(straightened, row) == pytest.approx(CENTRE, abs=0.1)
    # What remains is the resampling's slight blur, not a different stroke.
    assert np.abs(straightened - stroke()).mean() < 2.0


def test_the_skew_is_the_lean_in_columns_per_row():
    _, _, skew = centre_of_mass_and_skew(np.stack([stroke(0.3), stroke(-0.5)]))
    assert skew == pytest.approx([0.3, -0.5], abs=0.01)


def test_an_off_centre_digit_is_moved_to_the_centre_by_whole_pixels():
    off_centre = stroke(column=9.0, top=2, bottom=18)    # centre of mass at row 10, column 9
    centred = deskew(off_centre)
    # Moved by (+4, +5), not blurred (the stroke's computed lean is not exactly 0, only within rounding).
    assert np.allclose(centred[4:23, 5:28], off_centre[0:19, 0:23], atol=0.01)


def test_an_mnist_style_centred_digit_is_not_moved_by_a_fraction_of_a_pixel():
    # Centre of mass at column 14.3: within half a pixel of 14, which is how MNIST centres digits.
    digit = stroke(column=14.3)
    cy, cx, _ = centre_of_mass_and_skew(deskew(digit)[None])
    assert cx[0] == pytest.approx(14.3, abs=0.01) and cy[0] == pytest.approx(14.0, abs=0.01)


def test_an_empty_image_comes_back_unchanged():
    empty = np.zeros((28, 28), np.float32)
    assert np.array_equal(deskew(empty), empty)
    batch = np.stack([empty, stroke(0.4)])
    assert np.array_equal(deskew(batch)[0], empty)


def test_a_flat_scribble_is_not_smeared_across_the_image():
    # A "-" has almost no height, so μ11 / μ02 would be huge; the skew is limited.
    flat_line = np.zeros((28, 28), np.float32)
    flat_line[14, 4:24] = 255
    flat_line[15, 14:24] = 128                        # slightly sloping
    _, _, skew = centre_of_mass_and_skew(flat_line[None])
    assert abs(skew[0]) <= LARGEST_SKEW
    assert np.all(deskew(flat_line)[:12] == 0) and np.all(deskew(flat_line)[18:] == 0)


def test_deskew_keeps_shapes_gives_float32_and_stays_in_range():
    batch = np.stack([stroke(0.5), stroke(-0.3), stroke()]).round().astype(np.uint8)
    assert deskew(batch).shape == (3, 28, 28)
    assert deskew(batch[0]).shape == (28, 28)
    assert deskew(batch).dtype == np.float32 and deskew(batch[0]).dtype == np.float32
    assert deskew(batch).min() >= 0 and deskew(batch).max() <= 255
    assert np.array_equal(deskew(batch[1]), deskew(batch)[1])


def test_deskew_keeps_the_ink():
    leaning = stroke(0.4)
    assert deskew(leaning).sum() == pytest.approx(leaning.sum(), rel=0.01)


def test_deskew_reads_the_same_pixels_as_warp_with_its_map():
    # deskew slides whole rows; the same map through the general resampler must agree.
    images = np.stack([stroke(lean, column) for lean in (-0.6, -0.2, 0.3, 0.9) for column in (9.3, 14, 18.7)])
    cy, cx, alpha = (value.astype(np.float32)[:, None, None] for value in centre_of_mass_and_skew(images))
    source_rows = ROWS + np.round(cy - CENTRE)
    source_cols = COLS + np.round(cx - CENTRE) + alpha * (source_rows - cy)
    assert np.allclose(deskew(images), warp(images, source_rows, source_cols), atol=0.01)
