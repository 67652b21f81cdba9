"""myonn/learning_curve.py: the points of a learning curve, recorded as training goes."""

import numpy as np

from myonn.learning_curve import TEST_STEP, LearningCurve, part_of_test_set
from myonn.network import NeuralNetwork


class Answers:
    """A stand-in network whose answer is a fixed digit for every input."""

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
