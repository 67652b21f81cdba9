"""myonn/evaluation.py: the numbers behind mnist_test.py and the Test results window."""

import numpy as np

from myonn.evaluation import cell_records, confusion_matrix, per_digit_accuracy, scores
from myonn.model import Model
from myonn.network import NeuralNetwork


def test_scores_are_the_models_outputs_in_batches():
    model = Model(NeuralNetwork(784, 8, 10, seed=0))
    images = np.random.default_rng(0).integers(0, 256, (25, 28, 28), dtype=np.uint8)
    assert np.allclose(scores(model, images, batch_size=10), model.scores(images))
    assert scores(model, images[:0]).shape == (0, 10)


def test_a_network_of_many_hidden_nodes_reads_fewer_images_at_once(monkeypatch):
    """10,000 test images through a network of 10,000 hidden nodes (loading accepts one) took 2.5 GB."""
    from myonn import evaluation
    from myonn.evaluation import answers

    monkeypatch.setattr(evaluation, "MOST_BATCH_ACTIVATIONS", 20 * 50)
    model = Model(NeuralNetwork(784, 50, 10, seed=0))
    images = np.random.default_rng(0).integers(0, 256, (45, 28, 28), dtype=np.uint8)
    batches = []
    recognise = model.recognise
    monkeypatch.setattr(model, "recognise", lambda pixels: batches.append(len(pixels)) or recognise(pixels))
    assert np.array_equal(answers(model, images), recognise(images))
    assert batches == [20, 20, 5]
    assert evaluation.batch_size_for(NeuralNetwork(784, 5, 10, seed=0)) == 200
    inputs = model.network_input(images)                                 # training tests prepared inputs so
    assert np.array_equal(evaluation.network_answers(model.network, inputs), recognise(images))
    monkeypatch.setattr(evaluation, "MOST_BATCH_ACTIVATIONS", 10**9)
    assert evaluation.batch_size_for(model.network) == 10_000            # never more than this at once


def test_per_digit_accuracy_is_the_diagonal_over_each_row():
    matrix = confusion_matrix([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], classes=4)
    share = per_digit_accuracy(matrix)
    assert np.allclose(share[:3], [2 / 3, 1 / 2, 1]) and np.isnan(share[3])


def test_cell_records_are_one_cells_records_most_confident_first():
    labels = np.array([7, 7, 7, 7, 1])
    answers = np.array([2, 7, 2, 2, 2])
    confidence = np.array([0.5, 0.9, 0.8, 0.5, 0.99])
    assert list(cell_records(labels, answers, 7, 2, confidence)) == [2, 0, 3]
    assert list(cell_records(labels, answers, 3, 3, confidence)) == []
