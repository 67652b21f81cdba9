"""myonn/learning_curve.py: the points of a learning curve, recorded as training goes."""

import numpy as np
import pytest

from myonn.learning_curve import TEST_STEP, LearningCurve, part_of_test_set
from myonn.network import NeuralNetwork


class Answers:
    """A stand-in network whose answer is a fixed digit for every input."""

    output_nodes, cost = 10, "squared_error"
    cost_of = NeuralNetwork.cost_of

    def __init__(self, digit):
        self.digit = digit

    def query(self, inputs):
        outputs = np.zeros((len(inputs), 10))
        outputs[:, self.digit] = 1
        return outputs


def moment(epochs_done, train_accuracy, network, test_labels, epochs=2):
    return {"epochs_done": epochs_done, "epoch": int(epochs_done) + 1, "epochs": epochs,
            "train_accuracy": train_accuracy, "network": network, "stop": None,
            "test_inputs": None if test_labels is None else np.zeros((len(test_labels), 784)),
            "test_labels": test_labels}


def test_the_test_set_sample_is_every_fifth_image():
    inputs, labels = part_of_test_set(np.arange(20 * 784).reshape(20, 784), np.arange(20))
    assert TEST_STEP == 5 and list(labels) == [0, 5, 10, 15] and inputs[1, 0] == 5 * 784


def test_training_points_every_moment_and_test_points_once_a_quarter_epoch_after_the_first():
    labels = np.array([3] * 30 + [4] * 10)  # a network answering 3 gets 75% of these right
    curve = LearningCurve()
    curve(moment(0.0, None, Answers(3), labels))     # the untrained network: no training accuracy yet
    for epochs_done in (0.05, 0.2, 0.3, 0.4, 0.6, 1.0, 1.05):
        curve(moment(epochs_done, epochs_done / 2, Answers(3), labels))
    assert curve.train_points == [(0.05, 0.025), (0.2, 0.1), (0.3, 0.15), (0.4, 0.2), (0.6, 0.3), (1.0, 0.5),
                                  (1.05, 0.525)]
    # Every moment of the first quarter epoch, where the network learns fastest; then once a quarter.
    assert [epochs_done for epochs_done, _ in curve.test_points] == [0.0, 0.05, 0.2, 0.3, 0.6, 1.0]
    assert all(accuracy == 0.75 for _, accuracy in curve.test_points)
    assert curve.epochs == 2 and curve.test_description == "every 5th test image (8 of 40)"
    assert curve.test_images == 8


def test_without_a_test_set_only_training_points():
    curve = LearningCurve()
    curve(moment(0.5, 0.9, NeuralNetwork(784, 5, 10, seed=0), None))
    assert curve.train_points == [(0.5, 0.9)] and curve.test_points == []


def test_each_test_point_has_the_networks_cost_on_the_same_images():
    labels = np.array([3] * 30 + [4] * 10)
    curve = LearningCurve()
    curve(moment(0.0, None, Answers(3), labels))
    # Every 5th image: six 3s, each ½·(10 × 0.01²) off, and two 4s, each ½·(0.99² + 0.99² + 8 × 0.01²).
    expected = (6 * 0.5 * 10 * 0.01 ** 2 + 2 * 0.5 * (2 * 0.99 ** 2 + 8 * 0.01 ** 2)) / 8
    assert curve.cost_points == [(0.0, pytest.approx(expected))] and curve.cost_name == "squared error"


def test_the_cost_falls_as_the_network_learns():
    from myonn.model import Model
    from myonn.training import train
    random = np.random.default_rng(0)
    labels = random.integers(0, 10, 3000)
    images = random.integers(0, 40, (3000, 28, 28), dtype=np.uint8)
    images[np.arange(3000), 2 + 2 * labels] = 255          # a digit d is a bright row 2 + 2d
    curve = LearningCurve()
    train(Model(NeuralNetwork(784, 20, 10, seed=0, cost="cross_entropy")), images, labels, epochs=2,
          batch_size=16, learning_rate=0.1, progress=False, test_set=(images[:500], labels[:500]), watch=curve)
    costs = [cost for _, cost in curve.cost_points]
    assert curve.cost_name == "cross-entropy" and len(costs) == len(curve.test_points) > 5
    assert costs[-1] < costs[0] / 5 and curve.test_points[-1][1] > 0.9


def test_the_mistakes_are_the_test_images_answered_wrong_at_the_latest_test_point():
    labels = np.array([3] * 30 + [4] * 10)          # every 5th: six 3s, then two 4s
    curve = LearningCurve()
    assert curve.mistakes(5) == ([], 0)              # before any test point
    curve(moment(0.0, None, Answers(3), labels))
    shown, wrong = curve.mistakes(1)
    assert wrong == 2 and [(label, answer) for _, label, answer in shown] == [(4, 3)]
    assert shown[0][0].shape == (784,)
    curve(moment(0.1, 0.5, Answers(4), labels))
    shown, wrong = curve.mistakes(10)
    assert wrong == 6 and {(label, answer) for _, label, answer in shown} == {(3, 4)}
