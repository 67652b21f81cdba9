"""myonn/hidden_layer.py: the hidden nodes' weights as images, their activations and their pushes."""

import numpy as np
import pytest

from myonn.hidden_layer import activations, pushes, strongest_pushes, weight_images
from myonn.network import NeuralNetwork


@pytest.fixture
def network():
    return NeuralNetwork(784, 6, 10, seed=0)


def test_weight_images_are_each_nodes_input_weights_in_the_images_layout(network):
    images = weight_images(network)
    assert images.shape == (6, 28, 28)
    assert images[2, 5, 7] == network.input_weights[2, 5 * 28 + 7]


def test_activations_are_the_hidden_outputs_of_a_query(network):
    inputs = np.random.default_rng(1).random(784).astype(np.float32)
    hidden = activations(network, inputs)
    assert hidden.shape == (6,) and np.all((hidden > 0) & (hidden < 1))
    # The output layer on these activations gives the network's own answer.
    final = 1 / (1 + np.exp(-(network.output_weights @ hidden)))
    assert np.allclose(final, network.query(inputs), atol=1e-6)


def test_pushes_add_up_to_the_output_nodes_weighted_sum(network):
    hidden = activations(network, np.full(784, 0.5, np.float32))
    push = pushes(network, hidden, 4)
    assert push.shape == (6,)
    assert push.sum() == pytest.approx(float(network.output_weights[4] @ hidden), rel=1e-5)
    assert np.sign(push[0]) == np.sign(network.output_weights[4, 0])


def test_the_strongest_pushes_are_the_nodes_adding_most_to_the_digit_strongest_first():
    network = NeuralNetwork(4, 5, 2, seed=0)
    network.output_weights[1] = [0.5, -2.0, 3.0, 1.0, 0.2]
    hidden_outputs = np.array([0.9, 0.9, 0.1, 0.8, 0.5])   # pushes 0.45, -1.8, 0.3, 0.8, 0.1
    assert strongest_pushes(network, hidden_outputs, 1, 3) == [3, 0, 2]
    assert strongest_pushes(network, hidden_outputs, 1, 5) == [3, 0, 2, 4]  # never one that pushes away
    assert strongest_pushes(network, hidden_outputs, 1, 5, among=3) == [0, 2]  # of the first three only
