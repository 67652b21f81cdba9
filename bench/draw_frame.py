#!/usr/bin/env python3
"""Benchmark: how long the drawing window takes for one frame while you draw, with and without its
hidden-layer panel, measured in one run.

    SDL_VIDEODRIVER=dummy python bench/draw_frame.py     # headless: all the drawing, no screen

Replays every drawing in bench/strokes/ through the window's own update (myonn/windows/pictures.py,
`update`): each mouse move extends a stroke, so each frame redoes the network's view (cropping,
fitting, preparing, querying) and redraws the whole window. Four ways, alternating drawing by
drawing: without the hidden-layer panel (the window before it came), with it, with it while the
mouse points at a hidden node (its weights image and push drawn too), and with it in a window opened
smaller to fit a 1024×768 screen (its picture scaled down every frame). Then, after each drawing, the
mouse moving from node to node over the panel: the drawing is unchanged, so a frame only redraws
(as bench/handwriting.py's "window update" does). Prints milliseconds per frame.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from myonn.early_ctrl_c import stop_at_once_on_ctrl_c  # noqa: E402

if __name__ == "__main__":  # run, not imported by another bench or a test: myonn/early_ctrl_c.py
    stop_at_once_on_ctrl_c()

import numpy as np  # noqa: E402

from myonn import cli  # noqa: E402
from myonn.model import load_model  # noqa: E402
from myonn.windows import draw_window  # noqa: E402
from myonn.windows.draw_window import (CANVAS_SIDE, PANEL_WIDTH, WINDOW_SIZE, Recognizer, read_strokes,  # noqa: E402
                                       stroke_events)
from myonn.windows.hidden_layer_panel import node_centre  # noqa: E402
from myonn.windows.pictures import fitted_size, pygame, update  # noqa: E402

STROKES = Path(__file__).resolve().parent / "strokes"


def frame_times(recognizer, screen, events, pointed_node=None):
    """Milliseconds of each frame that handles one mouse move while drawing `events`."""
    times = []
    for event in events:
        started = time.perf_counter()
        update(recognizer, screen, [event])
        if event.type == pygame.MOUSEMOTION:
            times.append((time.perf_counter() - started) * 1000)
        if pointed_node is not None:  # the pointer stays on the node, as if drawing with the other hand
            x, y = node_centre(pointed_node)
            recognizer.pointer = (CANVAS_SIDE + PANEL_WIDTH + x, y)
    return times


def pointing_times(recognizer, screen):
    """Milliseconds of each frame as the mouse moves over all the hidden nodes, one by one."""
    times = []
    for node in range(recognizer.model.network.hidden_nodes):
        x, y = node_centre(node)
        event = pygame.event.Event(pygame.MOUSEMOTION, pos=(CANVAS_SIDE + PANEL_WIDTH + x, y), rel=(0, 0),
                                   buttons=(0, 0, 0))
        started = time.perf_counter()
        update(recognizer, screen, [event])
        times.append((time.perf_counter() - started) * 1000)
    return times


def on_screen(events, scale):
    """Mouse events where they are on a window scaled by `scale`."""
    return [pygame.event.Event(event.type, {**event.dict, "pos": (round(event.pos[0] * scale),
                                                                  round(event.pos[1] * scale))})
            if hasattr(event, "pos") else event for event in events]


def main():
    # No flags: --help says what it measures, and anything else is refused rather than ignored (it was run).
    cli.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    pygame.display.init()
    screen = pygame.display.set_mode(WINDOW_SIZE)
    projector = pygame.Surface(fitted_size(WINDOW_SIZE, (1024, 768)))
    scale = projector.get_width() / WINDOW_SIZE[0]
    recognizer = Recognizer(load_model(), output=open(os.devnull, "w"))
    drawings = [stroke_events(read_strokes(path)) for path in sorted(STROKES.glob("*.json"))]
    panel = draw_window.draw_hidden_layer
    times = {"drawing, without the hidden-layer panel": [], "drawing, with it": [],
             "drawing, with it, pointing at node 21": [], "pointing from node to node, drawing unchanged": [],
             f"drawing, with it, scaled to a 1024×768 screen ({projector.get_width()}×{projector.get_height()})": []}
    for _ in range(3):
        for events in drawings:
            draw_window.draw_hidden_layer = lambda *arguments: None
            times["drawing, without the hidden-layer panel"] += frame_times(recognizer, screen, events)
            recognizer.clear()
            draw_window.draw_hidden_layer = panel
            times["drawing, with it"] += frame_times(recognizer, screen, events)
            recognizer.clear()
            times["drawing, with it, pointing at node 21"] += frame_times(recognizer, screen, events, pointed_node=21)
            times["pointing from node to node, drawing unchanged"] += pointing_times(recognizer, screen)
            recognizer.clear()
            times[list(times)[-1]] += frame_times(recognizer, projector, on_screen(events, scale))
            recognizer.clear()
    print(f"{len(drawings)} drawings × 3, SDL video driver: {pygame.display.get_driver()}\n")
    # The 10th percentile is the least disturbed by other programs on a shared machine.
    print("| one frame | 10th percentile | median | 95th percentile | frames |")
    print("|---|---:|---:|---:|---:|")
    for name, found in times.items():
        print(f"| {name} | {np.percentile(found, 10):.2f} ms | {np.median(found):.2f} ms "
              f"| {np.percentile(found, 95):.2f} ms | {len(found)} |")


if __name__ == "__main__":
    cli.run(main)   # a missing model: one line and exit status 2; Ctrl-C: exit 130, no traceback
