"""A learning curve: how the accuracy grows while the network trains, as points to draw.

Training calls a watcher every few thousand images (myonn/training.py, `moment`); `LearningCurve`
is such a watcher. It keeps two lines, both against epochs (2.5 = half way through the third):

- the running training accuracy: the share of this epoch's images so far that the network named
  right just before it learned from them (what the progress bar shows; it starts afresh each epoch);
- the test accuracy, measured TESTS_PER_EPOCH times an epoch on a fixed part of the test set, every
  TEST_STEP-th image (2,000 of MNIST's 10,000): enough to see the curve's shape, and cheap enough
  that measuring it costs a few percent of the training time; and more often at first, from the
  untrained network's one in ten, since the network learns most from its first few hundred images.
  The whole test set is still measured after each epoch by the training loop, as before.

And one more, from the same test images at the same moments: the cost, the number that training
makes smaller (the squared error of the network's outputs, or the cross-entropy:
NeuralNetwork.cost_of). Accuracy counts only whether the strongest output is the right one; the
cost goes on falling while the outputs grow surer, which is what each step of training is for.

Left out on purpose: drawing (myonn/windows/training_window.py), and earlier runs' curves.
"""

import numpy as np

from myonn.inputs import targets

TESTS_PER_EPOCH = 4
TEST_STEP = 5


class LearningCurve:
    """The points of one training run's learning curve.

    train_points, test_points: lists of (epochs_done, accuracy 0..1), in the order measured.
    cost_points: (epochs_done, the cost per test image) at each test point; cost_name says which cost.
    answers: the network's answers to those test images at the latest test point (None before one),
    to show its mistakes as they are now (`mistakes`).
    epochs: how many epochs the run has (for the x axis); test_description: which test images the
    test points use, for a legend.
    """

    def __init__(self):
        self.train_points = []
        self.test_points = []
        self.cost_points = []
        self.cost_name = "squared error"
        self.epochs = 1
        self.test_description = "no test set"
        self.test_images = 0  # how many test images each test point measured
        self.answers = None
        self.tested = None  # (inputs, labels) of the test images measured
        self.last = None  # the latest moment seen (see myonn/training.py, `moment`)
        self._next_test = 0.0

    def __call__(self, moment):
        """Record one moment of training; measure the test accuracy at the start, at every moment of the
        first quarter epoch (where the network learns fastest: from one in ten right to nine in ten),
        and then when a quarter epoch has passed."""
        self.last = moment
        self.epochs = moment["epochs"]
        if moment["train_accuracy"] is not None:  # None before the first image
            self.train_points.append((moment["epochs_done"], moment["train_accuracy"]))
        first_quarter = moment["epochs_done"] < 1 / TESTS_PER_EPOCH
        if moment["test_inputs"] is not None and (first_quarter or moment["epochs_done"] >= self._next_test):
            inputs, labels = part_of_test_set(moment["test_inputs"], moment["test_labels"])
            network = moment["network"]
            outputs = network.query(inputs)
            self.answers, self.tested = outputs.argmax(axis=1), (inputs, labels)
            self.test_points.append((moment["epochs_done"], float(np.mean(self.answers == labels))))
            self.cost_points.append((moment["epochs_done"],
                                     network.cost_of(outputs, targets(labels, network.output_nodes))))
            self.cost_name = network.cost.replace("_", " ").replace("cross entropy", "cross-entropy")
            self.test_description = f"every {TEST_STEP}th test image ({len(labels):,} of {len(moment['test_labels']):,})"
            self.test_images = len(labels)
            # The next measurement after the next quarter epoch's mark, wherever this one fell.
            self._next_test = (np.floor(moment["epochs_done"] * TESTS_PER_EPOCH) + 1) / TESTS_PER_EPOCH

    def mistakes(self, most):
        """The test images answered wrong at the latest test point: (the first `most` of them in the test
        set's order, each (network input (784,), the right digit, the network's answer), how many in all)."""
        if self.answers is None:
            return [], 0
        inputs, labels = self.tested
        wrong = np.flatnonzero(self.answers != labels)
        return [(inputs[index], int(labels[index]), int(self.answers[index])) for index in wrong[:most]], len(wrong)


def part_of_test_set(test_inputs, test_labels):
    """The fixed part of the test set the curve measures: every TEST_STEP-th image, so all ten digits
    and every part of the file are in it. Returns (inputs (n // TEST_STEP, 784), labels)."""
    return test_inputs[::TEST_STEP], np.asarray(test_labels)[::TEST_STEP]
