"""The hidden layer, opened up for pictures: what each hidden node looks for and how it votes.

Each of the hidden nodes has one input weight per pixel, so its weights can be drawn as a 28×28
image: ink where a positive weight lies excites the node, ink where a negative weight lies calms
it. Its activation is the talk's first line, `hidden_outputs = sigmoid(input_weights · inputs)`;
what it adds to an output node's weighted sum is that activation times the link's weight.

Left out on purpose: drawing (myonn/windows/pictures.py and the windows).
"""

import numpy as np

from myonn.inputs import IMAGE_SIDE
from myonn.network import sigmoid


def weight_images(network):
    """Every hidden node's input weights as an image: (hidden_nodes, 28, 28), float, any sign."""
    return network.input_weights.reshape(network.hidden_nodes, IMAGE_SIDE, IMAGE_SIDE)


def activations(network, inputs):
    """The hidden nodes' outputs for one prepared input (784,) (see Model.network_input): (hidden_nodes,) in (0, 1)."""
    return sigmoid(network.input_weights @ np.asarray(inputs, dtype=network.dtype))


def pushes(network, hidden_outputs, digit):
    """How much each hidden node adds to `digit`'s output node's weighted sum (before its sigmoid):
    activation × weight of the link. (hidden_nodes,); positive pushes towards the digit, negative away."""
    return network.output_weights[digit] * hidden_outputs


def strongest_pushes(network, hidden_outputs, digit, count, among=None):
    """The (up to) `count` hidden nodes that push `digit` hardest, strongest first: the nodes most
    behind the answer. Only nodes that push towards it (a positive push) are named; `among`: only the
    first that many nodes are looked at (those a picture shows)."""
    push = pushes(network, hidden_outputs, digit)[:among]
    strongest = np.argsort(push)[::-1][:count]
    return [int(node) for node in strongest if push[node] > 0]
