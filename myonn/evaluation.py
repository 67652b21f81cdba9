"""How well a model recognises digits: accuracy, per-digit accuracy and the confusion matrix."""

import numpy as np


def confusion_matrix(labels, answers, classes=10):
    """(classes, classes) counts: row = true digit, column = the network's answer."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(labels, dtype=np.intp), np.asarray(answers, dtype=np.intp)), 1)
    return matrix


# Images are read in batches, so that memory stays bounded: each batch's hidden activations hold at
# most this many numbers (10,000 images of the shipped model's 200 hidden nodes hold 2 million; of a
# model of 10,000 hidden nodes, which loading accepts, 100 million took 2.5 GB).
MOST_BATCH_ACTIVATIONS = 4_000_000


def batch_size_for(network):
    """How many images to read at once with `network`: 10,000, or fewer for one of many hidden nodes."""
    return int(np.clip(MOST_BATCH_ACTIVATIONS // network.hidden_nodes, 1, 10_000))


def network_answers(network, inputs):
    """The network's digit for each of its inputs (n, 784), already prepared, in batches (batch_size_for)."""
    size = batch_size_for(network)
    return np.concatenate([network.query(inputs[start:start + size]).argmax(axis=1)
                           for start in range(0, len(inputs), size)]) if len(inputs) else np.array([], int)


def accuracy(model, images, labels, batch_size=None):
    """The fraction of images (n, 28, 28) whose label (n,) the model names."""
    return float(np.mean(answers(model, images, batch_size) == labels))


def answers(model, images, batch_size=None):
    """The model's digit for each image (n, 28, 28), in batches (batch_size_for) so memory stays bounded."""
    batch_size = batch_size or batch_size_for(model.network)
    return np.concatenate([model.recognise(images[start:start + batch_size])
                           for start in range(0, len(images), batch_size)]) if len(images) else np.array([], int)


def scores(model, images, batch_size=None):
    """The model's ten outputs for each image (n, 28, 28): (n, 10), in batches (batch_size_for) so memory
    stays bounded."""
    batch_size = batch_size or batch_size_for(model.network)
    return np.concatenate([model.scores(images[start:start + batch_size])
                           for start in range(0, len(images), batch_size)]) if len(images) else np.zeros((0, 10))


def per_digit_accuracy(matrix):
    """From a confusion matrix: the share of each true digit's images named right, (classes,); NaN for
    a digit with no images."""
    matrix = np.asarray(matrix)
    seen = matrix.sum(axis=1)
    return np.divide(np.diag(matrix), seen, out=np.full(len(matrix), np.nan), where=seen > 0)


def cell_records(labels, answers_given, true_digit, answer, confidence):
    """The records of one confusion-matrix cell (true digit read as answer), the network's most
    confident first: indices (k,). confidence: (n,), e.g. each record's strongest output."""
    records = np.flatnonzero((np.asarray(labels) == true_digit) & (np.asarray(answers_given) == answer))
    return records[np.argsort(-np.asarray(confidence)[records], kind="stable")]


def format_percent(fraction):
    """The talk's form: 0.9764 -> '97.64%'."""
    return f"{100 * fraction:.2f}%"


def report(labels, answers_given):
    """The text mnist_test.py prints: accuracy first, then per digit, then the confusion matrix."""
    matrix = confusion_matrix(labels, answers_given)
    correct = np.trace(matrix)
    total = matrix.sum()
    # The talk prints one decimal; the exact count follows for anyone comparing close results.
    lines = [f"{100 * correct / total:.1f}%" if total else "no images",
             f"{correct} of {total} test images recognised ({format_percent(correct / total if total else 0)})",
             "", "per digit:"]
    for digit in range(10):
        seen = matrix[digit].sum()
        share = format_percent(matrix[digit, digit] / seen) if seen else "-"
        lines.append(f"  {digit}: {share:>7}  ({matrix[digit, digit]} of {seen})")
    lines += ["", "confusion matrix (rows: true digit, columns: the network's answer):",
              "      " + "".join(f"{digit:>6}" for digit in range(10))]
    for digit in range(10):
        lines.append(f"  {digit} | " + "".join(f"{count:>6}" for count in matrix[digit]))
    return "\n".join(lines)
