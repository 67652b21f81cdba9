"""The talk's neural network: three layers of nodes, two weight matrices, the logistic sigmoid.

    hidden_outputs = sigmoid(input_weights  @ inputs)
    final_outputs  = sigmoid(output_weights @ hidden_outputs)

It learns by backpropagation of errors, exactly as the talk's theory slide draws it (and as in
Tariq Rashid's book "Make Your Own Neural Network", which the talk builds on), written as NumPy
reads it: `*` multiplies element by element, `@` is the matrix product, ᵀ the transpose:

    output_errors = targets - final_outputs
    hidden_errors = output_weightsᵀ @ output_errors
    output_weights += learning_rate * (output_errors * final_outputs * (1 - final_outputs)) @ hidden_outputsᵀ
    input_weights  += learning_rate * (hidden_errors * hidden_outputs * (1 - hidden_outputs)) @ inputsᵀ

The slide writes one sample as a column vector; a mini-batch of n samples is simply n such columns
side by side (shape (nodes, n)), so every line above holds for a whole batch as written, and its two
weight updates become sums over the batch's samples of exactly the slide's per-sample update.
Images come off the disk as rows, so `query` and `train` take and return rows (shape (n, nodes)) and
turn them into columns on the way in.

A note for the curious: the output weights' update is exactly the gradient of the squared error
½·Σ(targets − final_outputs)². The hidden errors, though, are sent back *without* the output sigmoid's
slope, so the hidden weights' update is exactly the gradient of the cross-entropy instead. For the
squared error it is not the gradient, and not even always a downhill step: where an output is
confidently wrong its error counts in full here while the squared error's own gradient all but
ignores it (on the shipped model, about one training digit in 250 gets a step that raises its
squared error). That shortcut is the talk's, and it learns faster than the exact squared-error
gradient, whose signal fades wherever an output saturates. tests/test_network.py checks the
gradients against numerical ones, and shows such an uphill step.

What this module deliberately leaves out: biases (the talk has none), more than one hidden layer,
momentum and every other optimiser, and all input/output handling. Turning pixels into inputs lives in
`myonn/inputs.py`; saving and loading in `myonn/model.py`.
"""

import numpy as np

SQUARED_ERROR = "squared_error"
CROSS_ENTROPY = "cross_entropy"


class NeuralNetwork:
    """A fully connected input → hidden → output network of sigmoid nodes, without biases.

    input_weights:  (hidden_nodes, input_nodes)   the link weights w_ih of the talk
    output_weights: (output_nodes, hidden_nodes)  the link weights w_ho of the talk

    Weights start as samples of a normal distribution with mean 0 and standard deviation
    (incoming links)^-0.5, so that every node's weighted sum starts neither tiny nor saturated. (As the
    Ruby original does; some copies of the book's code use hidden_nodes^-0.5 for the input weights.)
    `seed` makes that draw reproducible. `dtype` is float32 by default: twice the speed of
    float64 through BLAS, with more precision than MNIST's 8-bit pixels need.

    `cost` picks what training minimises. The talk's squared error is the default. "cross_entropy"
    is an option: its gradient drops the output layer's sigmoid slope, so confidently wrong outputs
    (near 0 or 1) still learn quickly.
    """

    def __init__(self, input_nodes=784, hidden_nodes=200, output_nodes=10, learning_rate=0.1,
                 seed=None, dtype=np.float32, cost=SQUARED_ERROR):
        if cost not in (SQUARED_ERROR, CROSS_ENTROPY):
            raise ValueError(f"cost must be {SQUARED_ERROR!r} or {CROSS_ENTROPY!r}, not {cost!r}")
        self.input_nodes = input_nodes
        self.hidden_nodes = hidden_nodes
        self.output_nodes = output_nodes
        self.learning_rate = float(learning_rate)
        self.cost = cost
        random = np.random.default_rng(seed)
        self.input_weights = random.normal(0.0, input_nodes ** -0.5,
                                           (hidden_nodes, input_nodes)).astype(dtype)
        self.output_weights = random.normal(0.0, hidden_nodes ** -0.5,
                                            (output_nodes, hidden_nodes)).astype(dtype)

    @property
    def dtype(self):
        return self.input_weights.dtype

    def query(self, inputs):
        """The network's answer: output activations in (0, 1).

        inputs: (input_nodes,) for one sample or (n, input_nodes) for a batch.
        Returns (output_nodes,) or (n, output_nodes) to match.
        """
        inputs = np.asarray(inputs, dtype=self.dtype)
        return self._forward(inputs.T)[1].T  # columns in and out, as on the slide

    def train(self, inputs, targets):
        """One backpropagation step on one sample or a mini-batch, as on the talk's slide.

        inputs:  (input_nodes,) or (n, input_nodes)
        targets: (output_nodes,) or (n, output_nodes), the wanted outputs
        Returns the outputs the network gave *before* this step (handy for a running accuracy), shaped
        as query's: (output_nodes,) or (n, output_nodes).

        A batch's update is the sum of its samples' per-sample updates, every one computed with the
        weights as they were before the batch. So `learning_rate` means the same step per sample at
        any batch size, and a batch of one is exactly the talk's per-sample update.
        """
        one_sample = np.ndim(inputs) == 1
        # One column per sample, as on the slide.
        inputs = np.atleast_2d(np.asarray(inputs, dtype=self.dtype)).T
        targets = np.atleast_2d(np.asarray(targets, dtype=self.dtype)).T
        hidden_outputs, final_outputs = self._forward(inputs)

        output_errors = targets - final_outputs
        hidden_errors = self.output_weights.T @ output_errors
        if self.cost == SQUARED_ERROR:
            output_deltas = output_errors * final_outputs * (1.0 - final_outputs)
        else:
            # The cross-entropy's gradient at the output's weighted sum is the error itself:
            # the sigmoid's slope cancels out.
            output_deltas = output_errors
        hidden_deltas = hidden_errors * hidden_outputs * (1.0 - hidden_outputs)

        # (deltas) @ (previous layer's outputs)ᵀ sums the per-sample outer products over the batch's
        # columns. np.dot, not @: for a batch of one NumPy's matmul skips BLAS and is 3× slower.
        self.output_weights += np.dot(self.learning_rate * output_deltas, hidden_outputs.T)
        self.input_weights += np.dot(self.learning_rate * hidden_deltas, inputs.T)
        return final_outputs[:, 0] if one_sample else final_outputs.T

    def cost_of(self, outputs, targets):
        """The cost that training makes smaller, per sample: the mean over the rows of

            squared error (the talk's):  ½·Σ(targets − outputs)²
            cross-entropy:               −Σ(targets·log(outputs) + (1 − targets)·log(1 − outputs))

        each summed over the output nodes. outputs, targets: (output_nodes,) or (n, output_nodes).
        Training never needs it (it needs only the gradient, above); the learning curve draws it.
        """
        outputs = np.atleast_2d(np.asarray(outputs, dtype=np.float64))
        targets = np.atleast_2d(np.asarray(targets, dtype=np.float64))
        if self.cost == SQUARED_ERROR:
            per_sample = 0.5 * np.sum((targets - outputs) ** 2, axis=1)
        else:
            # A saturated float32 sigmoid rounds to exactly 0 or 1, whose log is -inf.
            outputs = np.clip(outputs, 1e-12, 1.0 - 1e-12)
            per_sample = -np.sum(targets * np.log(outputs) + (1.0 - targets) * np.log(1.0 - outputs), axis=1)
        return float(np.mean(per_sample))

    def back_query(self, targets):
        """Run the network backwards: the input it associates with the given output.

        targets: (output_nodes,) output activations, each strictly between 0 and 1.
        Returns (input_nodes,) values in [0.01, 0.99], the range the network's inputs use.

        Each layer is inverted with the logit (the sigmoid's inverse) and the transposed weights.
        The transpose is no true inverse, so the values that come back can leave the sigmoid's
        range; they are rescaled into [0.01, 0.99] before the next layer's logit.
        (From Rashid's book, "Backwards Query".)
        """
        final_outputs = np.asarray(targets, dtype=np.float64)
        hidden_outputs = _into_sigmoid_range(self.output_weights.T.astype(np.float64) @ logit(final_outputs))
        inputs = _into_sigmoid_range(self.input_weights.T.astype(np.float64) @ logit(hidden_outputs))
        return inputs.astype(self.dtype)

    def _forward(self, inputs):
        """inputs: (input_nodes, n) columns -> hidden (hidden_nodes, n) and final (output_nodes, n) outputs."""
        hidden_outputs = sigmoid(self.input_weights @ inputs)
        final_outputs = sigmoid(self.output_weights @ hidden_outputs)
        return hidden_outputs, final_outputs


def sigmoid(x):
    """The logistic function 1 / (1 + e^-x), elementwise.

    Computed as (1 + tanh(x/2)) / 2, the same function, because e^-x overflows for large negative x
    (float32 gives up at x < -88) while tanh is defined everywhere.
    """
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def logit(y):
    """The inverse of the sigmoid: log(y / (1 - y)), for y strictly between 0 and 1."""
    return np.log(y / (1.0 - y))


def _into_sigmoid_range(values):
    """Rescale linearly so the smallest value becomes 0.01 and the largest 0.99."""
    values = values - values.min()
    span = values.max()
    if span > 0:
        values = values / span
    return values * 0.98 + 0.01
