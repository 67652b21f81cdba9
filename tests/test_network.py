"""myonn/network.py: the talk's network, its forward pass and its backpropagation step."""

import copy

import numpy as np
import pytest

from myonn.network import CROSS_ENTROPY, SQUARED_ERROR, NeuralNetwork, logit, sigmoid


def small_network(cost=SQUARED_ERROR, seed=0):
    return NeuralNetwork(6, 5, 3, learning_rate=0.3, seed=seed, dtype=np.float64, cost=cost)


def sample_batch(count=4, seed=1):
    random = np.random.default_rng(seed)
    inputs = random.uniform(0.01, 1.0, (count, 6))
    targets = np.full((count, 3), 0.01)
    targets[np.arange(count), random.integers(0, 3, count)] = 0.99
    return inputs, targets


class TalkReference:
    """The talk's per-sample update, written plainly with column vectors, as on its slide."""

    def __init__(self, network):
        self.input_weights = network.input_weights.astype(np.float64).copy()
        self.output_weights = network.output_weights.astype(np.float64).copy()
        self.learning_rate = network.learning_rate

    def train(self, inputs_list, targets_list):
        inputs = np.array(inputs_list, ndmin=2).T
        targets = np.array(targets_list, ndmin=2).T
        hidden_outputs = 1 / (1 + np.exp(-np.dot(self.input_weights, inputs)))
        final_outputs = 1 / (1 + np.exp(-np.dot(self.output_weights, hidden_outputs)))
        output_errors = targets - final_outputs
        hidden_errors = np.dot(self.output_weights.T, output_errors)
        self.output_weights += self.learning_rate * np.dot(
            output_errors * final_outputs * (1 - final_outputs), hidden_outputs.T)
        self.input_weights += self.learning_rate * np.dot(
            hidden_errors * hidden_outputs * (1 - hidden_outputs), inputs.T)


def test_weights_have_the_talks_shapes_and_spread():
    network = NeuralNetwork(784, 200, 10, seed=3)
    assert network.input_weights.shape == (200, 784)
    assert network.output_weights.shape == (10, 200)
    assert network.input_weights.std() == pytest.approx(784 ** -0.5, rel=0.02)
    assert network.output_weights.std() == pytest.approx(200 ** -0.5, rel=0.05)
    assert abs(network.input_weights.mean()) < 0.002


def test_a_seed_makes_the_weights_repeatable():
    first, second, other = NeuralNetwork(seed=7), NeuralNetwork(seed=7), NeuralNetwork(seed=8)
    assert np.array_equal(first.input_weights, second.input_weights)
    assert not np.array_equal(first.input_weights, other.input_weights)


def test_float32_by_default_and_float64_on_request():
    assert NeuralNetwork().dtype == np.float32
    assert NeuralNetwork(dtype=np.float64).dtype == np.float64
    assert NeuralNetwork().query(np.full(784, 0.5)).dtype == np.float32


def test_query_takes_one_sample_or_a_batch():
    network = small_network()
    inputs, _ = sample_batch()
    batch_outputs = network.query(inputs)
    assert batch_outputs.shape == (4, 3)
    assert network.query(inputs[2]).shape == (3,)
    assert np.allclose(network.query(inputs[2]), batch_outputs[2])
    assert ((batch_outputs > 0) & (batch_outputs < 1)).all()


def test_train_returns_the_outputs_before_its_step_shaped_as_query_returns_them():
    inputs, targets = sample_batch()
    network = small_network()
    expected_batch, expected_one = network.query(inputs), network.query(inputs[2])
    assert np.array_equal(small_network().train(inputs, targets), expected_batch)
    outputs = small_network().train(inputs[2], targets[2])
    assert outputs.shape == (3,) and np.array_equal(outputs, expected_one)


def test_query_is_the_slides_formula():
    network = small_network()
    inputs, _ = sample_batch(1)
    hidden = 1 / (1 + np.exp(-network.input_weights @ inputs[0]))
    expected = 1 / (1 + np.exp(-network.output_weights @ hidden))
    assert np.allclose(network.query(inputs[0]), expected)


def test_a_batch_of_one_is_exactly_the_talks_per_sample_update():
    network = small_network()
    reference = TalkReference(network)
    inputs, targets = sample_batch(20)
    for sample, target in zip(inputs, targets):
        network.train(sample, target)
        reference.train(sample, target)
    assert np.allclose(network.input_weights, reference.input_weights, rtol=1e-12, atol=1e-14)
    assert np.allclose(network.output_weights, reference.output_weights, rtol=1e-12, atol=1e-14)


def test_a_batch_update_is_the_sum_of_its_samples_updates_from_the_same_weights():
    inputs, targets = sample_batch(5)
    batched = small_network()
    batched.train(inputs, targets)
    start = small_network()
    total_input, total_output = np.zeros_like(start.input_weights), np.zeros_like(start.output_weights)
    for sample, target in zip(inputs, targets):
        one = small_network()
        one.train(sample, target)
        total_input += one.input_weights - start.input_weights
        total_output += one.output_weights - start.output_weights
    assert np.allclose(batched.input_weights - start.input_weights, total_input)
    assert np.allclose(batched.output_weights - start.output_weights, total_output)


def numerical_gradient(loss, weights, step=1e-6):
    """d loss / d weights by central differences, one weight at a time."""
    gradient = np.zeros_like(weights)
    for index in np.ndindex(weights.shape):
        saved = weights[index]
        weights[index] = saved + step
        above = loss()
        weights[index] = saved - step
        below = loss()
        weights[index] = saved
        gradient[index] = (above - below) / (2 * step)
    return gradient


def total_cost(network, inputs, targets):
    """The network's own cost (cost_of, a mean per sample) summed over the batch: what a batch's step descends."""
    return network.cost_of(network.query(inputs), targets) * len(inputs)


def update_of(network, inputs, targets):
    """How one training step on (inputs, targets) changes the network's two weight matrices; the
    network itself stays as it was."""
    after = copy.deepcopy(network)
    after.train(inputs, targets)
    return after.input_weights - network.input_weights, after.output_weights - network.output_weights


@pytest.mark.parametrize("count", [1, 4])
def test_the_output_weights_step_down_the_squared_errors_gradient(count):
    network = small_network(SQUARED_ERROR)
    inputs, targets = sample_batch(count)
    _, output_update = update_of(network, inputs, targets)
    gradient = numerical_gradient(lambda: total_cost(network, inputs, targets), network.output_weights)
    assert np.allclose(output_update, -network.learning_rate * gradient, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("count", [1, 4])
def test_with_cross_entropy_both_layers_step_exactly_down_its_gradient(count):
    network = small_network(CROSS_ENTROPY)
    inputs, targets = sample_batch(count)
    input_update, output_update = update_of(network, inputs, targets)
    loss = lambda: total_cost(network, inputs, targets)  # noqa: E731
    assert np.allclose(output_update, -network.learning_rate * numerical_gradient(loss, network.output_weights),
                       rtol=1e-6, atol=1e-10)
    assert np.allclose(input_update, -network.learning_rate * numerical_gradient(loss, network.input_weights),
                       rtol=1e-6, atol=1e-10)


def test_the_talks_hidden_layer_rule_is_the_cross_entropy_gradient_not_the_squared_errors():
    """The slide sends the output *errors* back (hidden_errors = Wᵀ · errors) without the output
    sigmoid's slope. For the hidden weights that is the exact gradient of the cross-entropy, not the
    gradient of the squared error."""
    inputs, targets = sample_batch(4)
    talk_input_update, _ = update_of(small_network(SQUARED_ERROR), inputs, targets)
    cross_entropy_input_update, _ = update_of(small_network(CROSS_ENTROPY), inputs, targets)
    assert np.allclose(talk_input_update, cross_entropy_input_update)

    network = small_network(SQUARED_ERROR)
    squared_gradient = numerical_gradient(lambda: total_cost(network, inputs, targets), network.input_weights)
    assert not np.allclose(talk_input_update, -network.learning_rate * squared_gradient, rtol=1e-3)


def test_the_talks_hidden_layer_step_can_even_go_uphill_for_the_squared_error():
    """Not even always downhill: where an output is confidently wrong, its error counts in full in
    the hidden errors while its own slope all but silences it in the squared error's gradient, and
    the errors of the other outputs can then pull the hidden weights the other way."""
    random = np.random.default_rng(2950)
    network = NeuralNetwork(4, 3, 2, learning_rate=1e-3, seed=2950, dtype=np.float64)
    network.output_weights *= 3
    inputs = random.uniform(0.01, 1, (1, 4))
    targets = np.full((1, 2), 0.01)
    targets[0, random.integers(0, 2)] = 0.99
    before = network.input_weights.copy()
    squared_gradient = numerical_gradient(lambda: total_cost(network, inputs, targets), network.input_weights)
    network.train(inputs, targets)
    assert np.sum((network.input_weights - before) * -squared_gradient) < 0


def test_the_cost_is_the_squared_error_or_the_cross_entropy_per_sample():
    outputs = np.array([[0.9, 0.2, 0.1], [0.5, 0.5, 0.5]])
    targets = np.array([[0.99, 0.01, 0.01], [0.01, 0.99, 0.01]])
    squared = 0.5 * ((0.09 ** 2 + 0.19 ** 2 + 0.09 ** 2) + (0.49 ** 2 + 0.49 ** 2 + 0.49 ** 2))
    assert small_network(SQUARED_ERROR).cost_of(outputs, targets) == pytest.approx(squared / 2)
    assert small_network(SQUARED_ERROR).cost_of(outputs[0], targets[0]) == pytest.approx(
        0.5 * (0.09 ** 2 + 0.19 ** 2 + 0.09 ** 2))
    entropy = -np.sum(targets * np.log(outputs) + (1 - targets) * np.log(1 - outputs))
    assert small_network(CROSS_ENTROPY).cost_of(outputs, targets) == pytest.approx(entropy / 2)
    # A saturated output (exactly 1 in float32) costs much, but a finite amount.
    assert np.isfinite(small_network(CROSS_ENTROPY).cost_of(np.float32([[1.0, 0.0, 0.0]]), [[0.01, 0.99, 0.01]]))


def test_training_learns_a_small_problem():
    random = np.random.default_rng(0)
    inputs = random.uniform(0.01, 1.0, (200, 6))
    labels = inputs[:, :3].argmax(axis=1)  # which of the first three inputs is largest
    targets = np.full((200, 3), 0.01)
    targets[np.arange(200), labels] = 0.99
    network = NeuralNetwork(6, 20, 3, learning_rate=0.2, seed=1)
    before = np.mean(network.query(inputs).argmax(axis=1) == labels)
    for _ in range(300):
        network.train(inputs[::2], targets[::2])
    after = np.mean(network.query(inputs[1::2]).argmax(axis=1) == labels[1::2])
    assert after > 0.9 > 0.6 > before


def test_train_returns_the_outputs_before_the_step():
    network = small_network()
    inputs, targets = sample_batch(3)
    expected = network.query(inputs)
    assert np.allclose(network.train(inputs, targets), expected)


def test_sigmoid_is_the_logistic_function_and_never_overflows():
    x = np.linspace(-30, 30, 61)
    assert np.allclose(sigmoid(x), 1 / (1 + np.exp(-x)))
    with np.errstate(all="raise"):
        extremes = sigmoid(np.array([-1e4, 1e4], dtype=np.float32))
    assert extremes.tolist() == [0.0, 1.0]


def test_logit_undoes_the_sigmoid():
    y = np.array([0.01, 0.3, 0.5, 0.99])
    assert np.allclose(sigmoid(logit(y)), y)


def test_back_query_gives_an_input_in_the_valid_range():
    network = NeuralNetwork(784, 200, 10, seed=0)
    wanted = np.full(10, 0.01)
    wanted[3] = 0.99
    image = network.back_query(wanted)
    assert image.shape == (784,)
    assert image.min() == pytest.approx(0.01, abs=1e-6)
    assert image.max() == pytest.approx(0.99, abs=1e-6)


def test_back_query_runs_the_layers_backwards():
    network = small_network()
    wanted = np.array([0.99, 0.01, 0.01])

    def rescaled(values):
        values = values - values.min()
        return values / values.max() * 0.98 + 0.01

    hidden = rescaled(network.output_weights.T @ np.log(wanted / (1 - wanted)))
    expected = rescaled(network.input_weights.T @ np.log(hidden / (1 - hidden)))
    assert np.allclose(network.back_query(wanted), expected)


def test_an_unknown_cost_is_refused():
    with pytest.raises(ValueError, match="cost"):
        NeuralNetwork(cost="hinge")
