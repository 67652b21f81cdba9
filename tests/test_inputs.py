"""myonn/inputs.py: the one place pixels become network input and labels become targets."""

import numpy as np
import pytest

from myonn.inputs import network_input, pixels_from_input, targets
from myonn.transform import deskew


def test_the_talks_scaling_maps_0_to_255_onto_001_to_1():
    inputs = network_input(np.array([0, 255, 51], dtype=np.uint8).repeat([782, 1, 1]))
    assert inputs.dtype == np.float32
    assert inputs[0] == pytest.approx(0.01)
    assert inputs[782] == pytest.approx(1.0)
    assert inputs[783] == pytest.approx(51 / 255 * 0.99 + 0.01)


@pytest.mark.parametrize("shape, expected", [((28, 28), (784,)), ((784,), (784,)),
                                             ((5, 28, 28), (5, 784)), ((5, 784), (5, 784))])
def test_any_image_layout_becomes_rows_of_784(shape, expected):
    assert network_input(np.zeros(shape)).shape == expected


def test_a_deskewing_model_gets_deskewed_input():
    random = np.random.default_rng(0)
    images = np.zeros((3, 28, 28), dtype=np.float32)
    for index, image in enumerate(images):  # slanted bars
        for row in range(4, 24):
            column = 10 + index + (row - 4) // 3
            image[row, column:column + 3] = random.uniform(150, 255)
    plain = network_input(images)
    deskewed = network_input(images, {"deskew": True})
    assert np.allclose(deskewed, network_input(deskew(images)))
    assert not np.allclose(plain, deskewed)
    assert np.allclose(network_input(images, {}), plain)  # no record: the talk's plain scaling


def test_targets_are_099_for_the_label_and_001_elsewhere():
    wanted = targets(np.array([3, 0]))
    assert wanted.shape == (2, 10)
    assert wanted[0, 3] == pytest.approx(0.99) and wanted[1, 0] == pytest.approx(0.99)
    assert np.sum(wanted > 0.5) == 2
    assert np.allclose(wanted[wanted < 0.5], 0.01)
    assert targets(7).shape == (10,) and targets(7).argmax() == 7


def test_pixels_from_input_undoes_the_scaling():
    pixels = np.arange(784).reshape(28, 28) % 256
    assert np.allclose(pixels_from_input(network_input(pixels)), pixels, atol=1e-3)
