"""The drawing window's hidden-layer panel: the hidden nodes lighting up as you draw.

Each hidden node is a small square in a grid, 20 to a row, dark when the node is quiet and bright
yellow when it fires (its activation, 0..1, for the image the network sees). Pointing at a square
shows that node's input weights as a 28×28 image in the diverging colour scale (red: ink there
excites the node, blue: ink there calms it) and how much the node pushes the current answer: its
activation times the weight of its link to the answer's output node. The STRONGEST nodes that push
the answer hardest are framed, so there is always somewhere to start pointing.

The numbers come from myonn/hidden_layer.py; this module only draws them. Positions are relative to
the panel, a Surface of PANEL_WIDTH × the window's height.
"""

import numpy as np

from myonn import hidden_layer
from myonn.inputs import network_input
from myonn.windows import pictures
from myonn.windows.pictures import pygame

PANEL_WIDTH = 300
# The grid shows at most MOST_NODES nodes (15 rows): with more, a pointed node's lines would run off the
# bottom of the panel.
GRID_COLUMNS, SQUARE, MOST_NODES = 20, 14, 300
GRID_AREA = pygame.Rect(10, 40, GRID_COLUMNS * SQUARE, 10 * SQUARE)  # grows downwards past 200 nodes
WEIGHTS_SIDE = 168  # 28 squares of 6 pixels

PANEL_COLOUR = (236, 236, 240)
QUIET_COLOUR = np.array((28, 28, 40))
ACTIVE_COLOUR = np.array((255, 221, 0))
POINTED_COLOUR = (200, 30, 30)
STRONGEST = 5  # the nodes pushing the answer hardest, framed
STRONGEST_COLOUR = (0, 200, 255)  # bright against the dark grid, and neither yellow nor the pointed red
STRONGEST_TEXT_COLOUR = (0, 120, 170)  # the same hue, dark enough to read on the panel
ORDINALS = ("1st", "2nd", "3rd", "4th", "5th")


def node_at(network, position):
    """The hidden node whose square is under `position` (panel coordinates), or None."""
    if position is None:
        return None
    x, y = position[0] - GRID_AREA.left, position[1] - GRID_AREA.top
    if x < 0 or y < 0 or x >= GRID_AREA.width:
        return None
    node = (y // SQUARE) * GRID_COLUMNS + x // SQUARE
    return node if node < min(network.hidden_nodes, MOST_NODES) else None


def node_centre(node):
    """The middle of hidden node `node`'s square, in panel coordinates (where to point at it)."""
    row, column = divmod(node, GRID_COLUMNS)
    return GRID_AREA.left + column * SQUARE + SQUARE // 2, GRID_AREA.top + row * SQUARE + SQUARE // 2


def weights_area(network):
    """Where a pointed node's weights image goes (panel coordinates): below the grid, centred."""
    rows = -(-min(network.hidden_nodes, MOST_NODES) // GRID_COLUMNS)
    return pygame.Rect((PANEL_WIDTH - WEIGHTS_SIDE) // 2, GRID_AREA.top + rows * SQUARE + 104, WEIGHTS_SIDE, WEIGHTS_SIDE)


def draw_hidden_layer(panel, network, seen_pixels, scores, pointer=None):
    """Draw the panel onto `panel`.

    network: the NeuralNetwork; seen_pixels: what the network sees (28, 28), grey levels after the
    model's preparation (Recognizer.network_view), all zero for an empty drawing; scores: its ten
    outputs; pointer: the mouse position in panel coordinates, or None.
    """
    panel.fill(PANEL_COLOUR)
    width = panel.get_width()
    shown = min(network.hidden_nodes, MOST_NODES)
    drawn = bool(np.any(scores))
    # What the network sees is already prepared, so the plain scaling turns it back into its input.
    activity = hidden_layer.activations(network, network_input(seen_pixels)) if drawn else np.zeros(network.hidden_nodes)
    about = f"Its {pictures.hidden_nodes(shown, network.hidden_nodes)}"
    pictures.draw_centred_text(panel, about, (0, 8, width, 24), 24)
    # One picture for the whole grid: a fill per square would cost a millisecond a frame.
    rows = -(-shown // GRID_COLUMNS)
    colours = np.tile(np.array(PANEL_COLOUR, np.uint8), (rows * GRID_COLUMNS, 1))
    colours[:shown] = (QUIET_COLOUR + np.outer(activity[:shown], ACTIVE_COLOUR - QUIET_COLOUR)).round()
    squares = np.repeat(np.repeat(colours.reshape(rows, GRID_COLUMNS, 3), SQUARE, axis=0), SQUARE, axis=1)
    squares[SQUARE - 1::SQUARE, :] = PANEL_COLOUR  # a one-pixel gap below and right of each square
    squares[:, SQUARE - 1::SQUARE] = PANEL_COLOUR
    pictures.draw_picture(panel, squares,
                          (GRID_AREA.left, GRID_AREA.top, GRID_COLUMNS * SQUARE, rows * SQUARE))
    bottom = GRID_AREA.top + -(-shown // GRID_COLUMNS) * SQUARE
    # The legends are 22 pixels high, as the lines below: smaller, they were hard to read on a projector
    # (the window is scaled down to fit a 1024×768 one, and 18 pixels became 13).
    pictures.draw_centred_text(panel, "dark: quiet   yellow: firing", (0, bottom + 4, width, 22), 22)
    strongest = []
    if drawn:
        answer = int(np.argmax(scores))
        strongest = hidden_layer.strongest_pushes(network, activity, answer, STRONGEST, among=shown)
        for strong in strongest:
            _outline(panel, strong, STRONGEST_COLOUR)
        if strongest:  # none when no node pushes towards the answer (an untrained network, all weights 0)
            which = ("the node" if len(strongest) == 1 else f"the {len(strongest)} nodes") + (
                " shown" if shown < network.hidden_nodes else "")
            for number, line in enumerate((f"framed: {which}", f"pushing hardest for {answer}")):
                pictures.draw_centred_text(panel, line, (0, bottom + 28 + 22 * number, width, 22), 22,
                                           STRONGEST_TEXT_COLOUR)
    node = node_at(network, pointer)
    if node is None:
        pictures.draw_centred_text(panel, "Point at a node to see", (0, bottom + 98, width, 24), 22)
        pictures.draw_centred_text(panel, "what it looks for", (0, bottom + 122, width, 24), 22)
        return
    _outline(panel, node, POINTED_COLOUR)
    weights = weights_area(network)
    pictures.draw_centred_text(panel, f"node {node}: what it looks for", (0, weights.top - 26, width, 22), 22)
    tile = pictures.weight_tiles(hidden_layer.weight_images(network)[node:node + 1], columns=1)
    pictures.draw_picture(panel, tile, weights)
    pygame.draw.rect(panel, pictures.BLACK, weights.inflate(2, 2), 1)
    top = weights.bottom + 6
    pictures.draw_centred_text(panel, "red: ink here excites it, blue: calms it", (0, top, width, 22), 22)
    # Nothing drawn, nothing to measure (its activation would be the blank input's, not a drawing's).
    lines = [f"activation {activity[node]:.2f}" if drawn else "(nothing drawn yet)"]
    if drawn:
        push = round(float(hidden_layer.pushes(network, activity, answer)[node]), 2) + 0.0  # + 0.0: no "-0.00"
        lines.append(f"pushes the answer {answer} by {pictures.signed(push)}")
        lines.append(f"(of {answer}'s weighted sum {pictures.signed(float(network.output_weights[answer] @ activity))})")
        if node in strongest and len(strongest) > 1:  # its frame is hidden under the pointed one's
            lines.append(f"the {ORDINALS[strongest.index(node)]} hardest push for {answer}")
    for number, line in enumerate(lines):
        pictures.draw_centred_text(panel, line, (0, top + 26 + 24 * number, width, 22), 22)


def _outline(panel, node, colour):
    """A two-pixel frame round hidden node `node`'s square."""
    row, column = divmod(node, GRID_COLUMNS)
    pygame.draw.rect(panel, colour, (GRID_AREA.left + column * SQUARE - 2, GRID_AREA.top + row * SQUARE - 2,
                                     SQUARE + 3, SQUARE + 3), 2)
