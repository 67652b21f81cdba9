"""The one place that turns pixels into network input, and digit labels into training targets.

Training, testing, the MNIST browser and the drawing window all go through `network_input`, so a
digit is prepared the same way wherever it comes from. A model file records how its inputs were
prepared (its `preparation`); pass that here and the same steps are applied.
"""

import numpy as np

IMAGE_SIDE = 28
PIXELS = IMAGE_SIDE * IMAGE_SIDE

# The talk keeps inputs and targets away from 0: an input of exactly 0 would switch its weights'
# learning off, and a sigmoid only reaches 0 or 1 at infinite weights. Inputs span 0.01 to 1.00;
# targets span 0.01 to 0.99.
INPUT_OFFSET, INPUT_SCALE = 0.01, 0.99 / 255.0
LOW, HIGH = 0.01, 0.99

# How inputs are prepared when a model file says nothing: the talk's plain scaling.
PLAIN = {"deskew": False}


def network_input(pixels, preparation=None):
    """Scale grey levels 0..255 (0 = background, 255 = ink) to the network's inputs.

    pixels: one image (28, 28) or (784,), or a batch (n, 28, 28) or (n, 784); any numeric dtype.
    preparation: the model's record of extra steps, e.g. {"deskew": True}; None means PLAIN.
    Returns float32 (784,) or (n, 784): pixels / 255 × 0.99 + 0.01, as in the talk.
    """
    preparation = {**PLAIN, **(preparation or {})}
    pixels = np.asarray(pixels)
    single = pixels.ndim == 1 or pixels.shape == (IMAGE_SIDE, IMAGE_SIDE)
    images = pixels.reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
    # One new float32 array, scaled in place: for all 60,000 training images that is 188 MB, and
    # every extra copy would cost as much again.
    if preparation["deskew"]:
        from myonn.transform import deskew
        inputs = deskew(images).reshape(-1, PIXELS)  # a new array, ours to scale
        inputs *= np.float32(INPUT_SCALE)
    else:
        inputs = np.multiply(images.reshape(-1, PIXELS), np.float32(INPUT_SCALE), dtype=np.float32)
    inputs += np.float32(INPUT_OFFSET)
    return inputs[0] if single else inputs


def targets(labels, output_nodes=10):
    """The wanted outputs for digit labels: 0.99 at the label's node, 0.01 elsewhere.

    labels: an int or an int array (n,). Returns float32 (output_nodes,) or (n, output_nodes).
    """
    labels = np.asarray(labels)
    wanted = np.full(labels.shape + (output_nodes,), LOW, dtype=np.float32)
    np.put_along_axis(wanted, labels[..., None].astype(np.intp), HIGH, axis=-1)
    return wanted


def pixels_from_input(inputs):
    """The inverse of the talk's scaling, for pictures: network input (…, 784) -> grey levels 0..255 (…, 28, 28)."""
    inputs = np.asarray(inputs, dtype=np.float32)
    pixels = (inputs - INPUT_OFFSET) / INPUT_SCALE
    return np.clip(pixels, 0, 255).reshape(inputs.shape[:-1] + (IMAGE_SIDE, IMAGE_SIDE))
