"""The MNIST browser behind mnist_render.py: the talk's "Digit Renderer" window, one record at a time.

A record's 28×28 image is drawn as 24×24-pixel squares in a 672×672 window, ink dark on white.
The keys (as in the talk, plus a few) are listed in KEYS_HELP below, which --help shows too.

The title always says where you are: `Digit Renderer — train #41 · label 7 · model: 7 (99%)`.
The model's percentage is the activation of its strongest output node (0.99 is the most the
network was trained to give), not a probability.

`Browser` holds what is shown and changes it key by key; it draws onto any surface, so the
window, a screenshot and the tests all go through the same code. `main` is mnist_render.py.

Left out on purpose: drawing your own digits (the drawing window), training, and any editing of the data.
"""

import argparse
import sys

import numpy as np

from myonn.windows import pictures
from myonn.cli import ArgumentParser, add_data_dir_flag, add_model_flag, non_negative_int, png_path
from myonn.errors import MyonnError, echoed
from myonn.evaluation import answers
from myonn.inputs import IMAGE_SIDE, pixels_from_input, targets
from myonn.mnist import TEST, TRAIN, load_mnist
from myonn.model_store import load_chosen_model
from myonn.windows.pictures import pygame, update

TITLE = "Digit Renderer"
SQUARE = 24  # screen pixels per image pixel, as in the talk
WINDOW_SIZE = (IMAGE_SIDE * SQUARE, IMAGE_SIDE * SQUARE)  # 672×672
PAGE = 100  # records per PageUp / PageDown
# M looks for the next mistake among this many records first, then among twice as many after those, and
# so on: the model's answers are worked out only as far as the next mistake it finds. Worked out for the
# whole set before the first key, they kept a model of 10,000 hidden nodes deaf to every key for 40 s.
SEARCHED_FIRST = 100

IMAGE, LABEL, BACK_QUERY = "image", "label", "back query"
SET_NAMES = {TRAIN: "training set", TEST: "test set"}
NO_MODEL = "No model loaded (train one, or pass --model)"
# Shown in the window over the first record until the first key (not in --screenshot's pictures): the
# keys were only in --help and the README, and nothing in the window said that a key did anything.
# The back query's grey levels are inputs, as an image's are: what they mean, under it.
BACK_QUERY_NOTE = "dark: ink there speaks for a {digit}    light: ink there speaks against it"
RECORD_COLOUR = (110, 110, 110)  # the record's number over its label: grey, below the label in weight
BACK_QUERY_AREA = pygame.Rect(42, 7, 588, 588)  # squares of 21 pixels, clear of the caption and its note (70)
FIRST_HINT = "Right: next    Space: label    M: next mistake    0-9: back query"

KEYS_HELP = """keys in the window:
  Right / Down, Left / Up   next / previous record (never past either end)
  PageDown / PageUp         100 records on / back;  Home / End: the first / last record
  Space                     the record's label as one big digit, with the model's answer;
                            Space again, or any step, goes back to the image
  M                         jump to the next record the model gets wrong
  0 ... 9                   the network's back query for that digit: the input it links with it
  Escape                    back to the image from the label or a back query; from the image, quit
  closing the window        quit"""

# How far each stepping key moves.
STEPS = {pygame.K_RIGHT: 1, pygame.K_DOWN: 1, pygame.K_LEFT: -1, pygame.K_UP: -1,
         pygame.K_PAGEDOWN: PAGE, pygame.K_PAGEUP: -PAGE}

DIGIT_KEYS = {**{getattr(pygame, f"K_{digit}"): digit for digit in range(10)},
              **{getattr(pygame, f"K_KP{digit}"): digit for digit in range(10)}}

# Key names for --keys, e.g. --keys "right right space".
KEY_NAMES = {"right": pygame.K_RIGHT, "left": pygame.K_LEFT, "up": pygame.K_UP, "down": pygame.K_DOWN,
             "pageup": pygame.K_PAGEUP, "pagedown": pygame.K_PAGEDOWN, "home": pygame.K_HOME,
             "end": pygame.K_END, "space": pygame.K_SPACE, "m": pygame.K_m,
             **{str(digit): getattr(pygame, f"K_{digit}") for digit in range(10)}}


class Browser:
    """One MNIST set, browsed a record at a time; knows nothing of the screen it is drawn on.

    images: uint8 (n, 28, 28), 255 = ink; labels: uint8 (n,); kind: "train" or "test" (for the title).
    model: a myonn.model.Model, or None to browse without one. start: the first record shown.
    """

    size = WINDOW_SIZE  # it draws for this size only (pictures.update scales it to the window)

    def __init__(self, images, labels, kind=TRAIN, model=None, start=0):
        if not 0 <= start < len(images):
            raise ValueError(f"start {start} is not a record of {len(images)}")
        self.images, self.labels, self.kind, self.model = images, labels, kind, model
        self.index = start
        self.view = IMAGE
        self.digit = None      # the digit whose back query is shown
        self.message = None    # a short note, shown until the next key
        self.hint = None       # a line on which keys do what, shown until the first key (the window sets it)
        self.running = True
        self._answers = None   # the model's answer for each record, -1 where not worked out yet (see answers())
        self._back_queries = {}
        self.model_about = None  # one line saying which model this is (see model_store.load_chosen_model)

    def handle(self, event):
        """Change what is shown for one pygame event; every other kind of event is ignored."""
        if event.type == pygame.QUIT:
            self.running = False
        if event.type != pygame.KEYDOWN:
            return
        self.message = self.hint = None
        if event.key == pygame.K_ESCAPE:
            # Back to the image first, as in the Test results window: a presenter showing a label or a
            # back query lost the window to the key that goes back everywhere else.
            if self.view == IMAGE:
                self.running = False
            self.view = IMAGE
        elif event.key in STEPS:
            self.go_to(self.index + STEPS[event.key])
        elif event.key == pygame.K_HOME:
            self.go_to(0)
        elif event.key == pygame.K_END:
            self.go_to(len(self.images) - 1)
        elif event.key == pygame.K_SPACE:
            self.view = LABEL if self.view == IMAGE else IMAGE
        elif event.key == pygame.K_m:
            self.go_to_next_misrecognised()
        elif event.key in DIGIT_KEYS:
            self.show_back_query(DIGIT_KEYS[event.key])

    def go_to(self, index):
        """Show record `index`'s image, kept within the set (a note says when an end stops the step)."""
        last = len(self.images) - 1
        if index < 0:
            self.message = "This is the first record"
        elif index > last:
            self.message = f"This is the last record of the {SET_NAMES[self.kind]}"
        self.index = min(max(index, 0), last)
        self.view = IMAGE

    def go_to_next_misrecognised(self):
        """Jump to the next record after this one whose label the model does not name."""
        if self.model is None:
            self.message = NO_MODEL
            return
        after = self.index + 1
        start, searched = after, SEARCHED_FIRST
        while start < len(self.labels):
            stop = min(start + searched, len(self.labels))
            wrong = np.flatnonzero(self.answers(start, stop) != self.labels[start:stop])
            if wrong.size:
                self.go_to(start + int(wrong[0]))
                # What it was taken for, on the picture (until the next key): the title bar that says it is
                # small on a projector, or gone with a window that fills the screen.
                digit, strength = self.model_answer()
                self.message = f"The model reads it as {digit} ({strength:.0%})    Space: its label"
                return
            start, searched = stop, 2 * searched
        if after == len(self.labels):
            self.message = f"#{self.index} is the last record: no mistakes after it"
        else:
            self.message = f"The model gets every record after #{self.index} right"

    def show_back_query(self, digit):
        if self.model is None:
            self.message = NO_MODEL
            return
        self.view, self.digit = BACK_QUERY, digit

    def answers(self, start=0, stop=None):
        """The model's digit for records start to stop - 1 (stop: the end of the set), each worked out
        the first time it is asked for."""
        stop = len(self.images) if stop is None else stop
        if self._answers is None:
            self._answers = np.full(len(self.images), -1)
        unknown = start + np.flatnonzero(self._answers[start:stop] < 0)
        if unknown.size:
            self._answers[unknown] = answers(self.model, self.images[unknown])
        return self._answers[start:stop]

    def model_answer(self):
        """(digit, strength) for the record shown: the model's strongest output node and its activation."""
        scores = self.model.scores(self.images[self.index])
        digit = int(np.argmax(scores))
        return digit, float(scores[digit])

    def back_query_pixels(self, digit):
        """Grey levels (28, 28) of the input the network links with `digit`: its output 0.99 for that
        digit and 0.01 for the rest, run backwards through the network (see NeuralNetwork.back_query)."""
        if digit not in self._back_queries:
            inputs = self.model.network.back_query(targets(digit, self.model.network.output_nodes))
            self._back_queries[digit] = pixels_from_input(inputs)
        return self._back_queries[digit]

    def title(self):
        """Where you are, e.g. 'Digit Renderer — train #41 · label 7 · model: 7 (99%)'."""
        if self.view == BACK_QUERY:
            return f"{TITLE} — back query for a {self.digit}"
        parts = [f"{self.kind} #{self.index}", f"label {self.labels[self.index]}"]
        if self.model is not None:
            digit, strength = self.model_answer()
            parts.append(f"model: {digit} ({strength:.0%})")
        return f"{TITLE} — " + " · ".join(parts)

    def draw(self, surface):
        """Draw the current view over the whole surface (made for WINDOW_SIZE, fine at any size)."""
        surface.fill(pictures.WHITE)
        area = surface.get_rect()
        if self.view == IMAGE:
            pictures.draw_grey_image(surface, self.images[self.index], area)
        elif self.view == LABEL:
            self._draw_label(surface, area)
        else:
            pictures.draw_grey_image(surface, self.back_query_pixels(self.digit), BACK_QUERY_AREA)
            pictures.draw_caption(surface, f"Back query: the input the network links with a {self.digit}",
                                  note=BACK_QUERY_NOTE.format(digit=self.digit))
        if self.message:
            pictures.draw_caption(surface, self.message, colour=pictures.WRONG_COLOUR)
        elif self.hint:
            pictures.draw_caption(surface, self.hint, height=32)

    def _draw_label(self, surface, area):
        pictures.draw_centred_text(surface, self.labels[self.index], area, area.height)
        # Which record, on the window itself: a presenter whose window fills the screen has no title bar.
        above = pygame.Rect(area.left, area.top, area.width, area.height // 8)
        pictures.draw_centred_text(surface, f"{self.kind} #{self.index}", above, area.height // 16, RECORD_COLOUR)
        if self.model is not None:
            digit, strength = self.model_answer()
            colour = pictures.RIGHT_COLOUR if digit == self.labels[self.index] else pictures.WRONG_COLOUR
            below = pygame.Rect(area.left, area.bottom - area.height // 6, area.width, area.height // 6)
            pictures.draw_centred_text(surface, f"model: {digit} ({strength:.0%})", below,
                                       area.height // 12, colour)


def key_events(text):
    """--keys: key names separated by spaces or commas -> pygame KEYDOWN events."""
    events = []
    for name in text.replace(",", " ").lower().split():
        if name not in KEY_NAMES:
            known = " ".join(KEY_NAMES)
            raise MyonnError(f"--keys: unknown key {echoed(name)} (known: {known})")
        events.append(pygame.event.Event(pygame.KEYDOWN, key=KEY_NAMES[name], mod=0, unicode="", scancode=0))
    return events


def parse_arguments(argv=None):
    parser = ArgumentParser(
        prog="mnist_render.py",
        description="Browse the MNIST digits one at a time in a window (the talk's Digit Renderer).",
        epilog=KEYS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--test", action="store_true", help="browse the test set (default: the training set)")
    parser.add_argument("--start", type=non_negative_int, default=0, metavar="N",
                        help="start at record N, counting from 0 (default: 0)")
    add_data_dir_flag(parser)
    add_model_flag(parser, "the model whose answers, misrecognised records and back queries are shown; "
                           "without one the digits are browsed alone")
    parser.add_argument("--screenshot", type=png_path, metavar="FILE.png",
                        help="draw the view to FILE.png without opening a window, then exit")
    parser.add_argument("--keys", default="", metavar="KEYS",
                        help="press these keys first, e.g. 'right right space' or 'end m 7' "
                             f"(names: {', '.join(KEY_NAMES)})")
    return parser.parse_args(argv)


def main(argv=None):
    """mnist_render.py: load the set (and the model, when there is one) once, then browse it."""
    arguments = parse_arguments(argv)
    events = key_events(arguments.keys)
    browser = open_browser(arguments)
    for event in events:
        browser.handle(event)
    if arguments.screenshot:
        surface = pygame.Surface(WINDOW_SIZE)
        browser.draw(surface)
        path = pictures.save_png(surface, arguments.screenshot)
        title = browser.title()
        print(f"{path}: {title}" + ("" if browser.view in title else f" ({browser.view})"))
        if browser.model_about:  # which model answered; once saved, so that a failure is one line
            print(browser.model_about, file=sys.stderr)
    else:
        show_window(browser)


def open_browser(arguments):
    """A Browser for parsed flags: the set they name, loaded once, and the model if there is one."""
    kind = TEST if arguments.test else TRAIN
    images, labels = load_mnist(kind, arguments.data_dir)
    if len(images) == 0:
        raise MyonnError(f"the {SET_NAMES[kind]} has no records")
    if arguments.start >= len(images):
        raise MyonnError(f"--start {arguments.start}: the {SET_NAMES[kind]} has records "
                         f"#0 to #{len(images) - 1}")
    # A model the user names must load; without one, the digits can be browsed alone.
    model, about = load_chosen_model(arguments.model, optional=True)
    browser = Browser(images, labels, kind, model, arguments.start)
    browser.model_about = about  # which model it is, said once the window opens
    return browser


def show_window(browser):
    """Open the window and run until Escape or the window is closed."""
    screen = pictures.open_window(WINDOW_SIZE, browser.title())
    if browser.model_about:
        print(browser.model_about, file=sys.stderr)
    pygame.key.set_repeat(400, 40)  # holding an arrow key browses on
    browser.hint = FIRST_HINT
    try:
        update(browser, screen, [])
        while browser.running:
            update(browser, screen, pictures.wait_for_events())
    finally:
        pygame.display.quit()
