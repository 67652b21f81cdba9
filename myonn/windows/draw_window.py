"""The drawing window behind mnist_draw.py: draw a digit with the mouse and the network recognises it.

The talk's "Digit Recognizer", with the preparation that makes it work on real handwriting. The
window's top-left 672×672 is a white canvas; the panel to its right shows, live while you draw, the
28×28 image the network receives and a bar for each of its ten outputs; the last panel, its hidden
nodes lighting up, and what a node looks for when pointed at (myonn/windows/hidden_layer_panel.py).

The mouse and keys are listed in KEYS_HELP below, which --help shows too.

Scores are the network's raw outputs (sigmoid activations) as percentages, as in the talk:
`0=0.1%  1=0.0%  …  9=97.3%`. They are not probabilities and need not add up to 100%.

What the network receives is not the canvas: the strokes are redrawn with a pen as wide, relative
to the digit, as MNIST's, then cropped, fitted and centred as MNIST's digits were (myonn/handwriting.py),
then prepared as the model's file says (myonn/inputs.py). So it does not matter how large or where on
the canvas you draw.

`Recognizer` holds the drawing and changes it event by event; it draws onto any surface, so the
window, `--replay … --screenshot` and the tests all go through the same code. `main` is mnist_draw.py.

Left out on purpose: recognising more than one digit at a time, and saving a drawing you do not teach.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from myonn.windows import pictures
from myonn.windows.hidden_layer_panel import (MOST_NODES, PANEL_WIDTH as HIDDEN_PANEL_WIDTH, draw_hidden_layer,
                                              node_centre)
from myonn.cli import (ArgumentParser, add_data_dir_flag, add_model_flag, error_line, file_path, non_negative_int,
                       path_in_help, png_path, whole_number_at_least)
from myonn.errors import MyonnError, shortened
from myonn.handwriting import (INK_LIMITS, MOST_POINTS, PEN_WIDTH, SMALLEST_DIGIT, InkTally, digit_pixels,
                               draw_segment, draw_strokes, drawing_size, is_coordinate, too_much_ink)
from myonn.inputs import IMAGE_SIDE, pixels_from_input
from myonn.model import shipped_model_path
from myonn.mnist import MNIST_TRAINING_IMAGES
from myonn.model_store import (as_typed, chosen_model_path, destination_for, is_shipped, learned_drawn_digits,
                               load_chosen_model, whose)
from myonn.my_digits import default_path as default_digits_path
from myonn.teaching import MOST_TAKEN_BACK
from myonn.windows.pictures import pygame, update

TITLE = "Digit Recognizer"
CANVAS_SIDE = 672  # 28 squares of 24 pixels, as in the talk
PANEL_WIDTH = 288
WINDOW_SIZE = (CANVAS_SIDE + PANEL_WIDTH + HIDDEN_PANEL_WIDTH, CANVAS_SIDE)

# The pen on the canvas, for your eyes only: the network's image is redrawn from the strokes with a
# pen sized to the digit (handwriting.PEN_WIDTH of its longer side). The canvas's pen follows the
# digit's size the same way, between these radii: a fixed 40-pixel pen, which suits a digit drawn
# 300 pixels tall, made a 60-pixel digit drawn with a trackpad a blob, its loops filled in, while the
# network saw it clean. From 300 pixels on it stays 40 pixels wide, under 70 it stays 8.
PEN_RADIUS = 20
SMALLEST_PEN_RADIUS = 4

LEFT_BUTTON, RIGHT_BUTTON = 1, 3
# The mouse has left the window, or the window changed size under it: where it was is nowhere now.
POINTER_GONE = (pygame.WINDOWLEAVE, pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED, pygame.VIDEORESIZE)
CLEAR_KEYS = (pygame.K_BACKSPACE, pygame.K_c)
UNDO_MODIFIERS = pygame.KMOD_CTRL | pygame.KMOD_META  # Ctrl+Z, or Cmd+Z on a Mac
DIGIT_KEYS = {getattr(pygame, f"K_{digit}"): digit for digit in range(10)} | {
    getattr(pygame, f"K_KP{digit}"): digit for digit in range(10)}  # and the number pad's

KEYS_HELP = """mouse and keys in the window:
  left button (held)          draw
  Space                       recognise: print every digit's score on one line, show the answer big;
                              Space again clears the canvas for the next digit, letting the answer
                              stand (later teachings keep reading it so)
  right button, Backspace, C  clear
  Ctrl+Z                      undo the last stroke; right after a digit key, take that teaching back
                              (a wrong key): the network as before, the digit out of your digits' file;
                              on a canvas just cleared, bring the drawing back
  0 ... 9                     teach: "this drawing is that digit" (kept in your digits' file, learned
                              at once, saved to your own model), then show the new answer, with a
                              tick on each bar where it was before, and print `learned: 7 (12 of
                              your digits)`
  Escape, closing             quit (Escape while a digit key still learns is dropped: Ctrl+Z can
                              then take that teaching back)"""

# A drawing of a digit is a few thousand points; a file far larger than that is not one.
MAX_STROKES_FILE_BYTES = 10_000_000

# A press this far past the canvas's right edge, in the panel beside it, still starts a stroke (on the edge).
PRESS_MARGIN = 16

# A replayed drawing is posted this many mouse events per frame, so you see it drawn.
REPLAY_EVENTS_PER_FRAME = 3
# The random numbers of a teaching scripted with --replay and --screenshot (copies of the drawing,
# replayed MNIST): fixed, so that it, a README screenshot among them, comes out the same every time. A
# window left open after a replay teaches by hand from then on, with fresh ones.
REPLAYED_TEACHING_SEED = 2019

PANEL_COLOUR = (236, 236, 240)
HINT_BACKGROUND = (255, 255, 224, 150)
BAR_COLOUR = (120, 130, 160)
BEFORE_TICK_COLOUR = (20, 20, 20)
INK_PALETTE = [(255 - level,) * 3 for level in range(256)]  # canvas ink 0..255 -> white..black


# The network is "not sure" of a drawing whose strongest output is under this (Recognizer.doubt).
UNSURE_BELOW = 0.5

# What the window shows of a drawing, which a clear takes away and Ctrl+Z brings back (Recognizer.bring_back).
SHOWN_DRAWING = ("strokes", "answer", "learned", "learned_digit", "scores_before", "taught_here", "took_back",
                 "out_of_ink", "not_learned", "not_taken_back", "pen_radius", "other_run_kept")


class Recognizer:
    """A drawing, the model's view of it, and the answer; knows nothing of the screen it is drawn on.

    model: a myonn.model.Model. output: where the score lines go (default: standard output, at
    the time of printing). teacher: a myonn.teaching.Teacher, for the digit keys (None: they do nothing).
    strokes: the drawing, a list of strokes, each a list of (x, y) canvas points.
    canvas: float32 (672, 672), how much ink covers each canvas pixel, 0..1 (as shown).
    answer: the recognised digit while it is shown big, else None.
    """

    size = WINDOW_SIZE  # it draws for this size only (pictures.update scales it to the window)

    def __init__(self, model, output=None, teacher=None, model_name=None, model_note=None):
        self.model = model
        self.model_note = model_note  # said under the hint on the empty canvas (learned_mnist_only)
        self.model_name = model_name  # which model it is, for the title ("data/mnist_nn.npz, the shipped model")
        self.output = output
        self.teacher = teacher
        self.learned = None  # the last `learned: …` line, shown with the answer it led to
        self.learned_digit = None  # the digit it was taught to be
        self.scores_before = None  # the outputs before that teaching, marked on the bars beside the new ones
        self.taught_here = 0  # teachings of the drawing on the canvas, as it is, that Ctrl+Z can take back
        self.took_back = None  # the last `took back: …` line, shown with the answer as it was before
        # The backup of a model another run saved while this window was open, which the last teaching
        # replaced (teaching.Teacher.other_run_kept): said under the hint, for that run's model seemed lost.
        self.other_run_kept = None
        self.cleared = None  # what the last clear took away: the drawing as it was shown (see clear)
        self.cleared_by_pen = False  # that clear was drawing on a shown answer (start_stroke)
        self.strokes = []
        self._ink = None  # how much ink the strokes hold (InkTally), kept up as they grow; None: count again
        self.canvas = np.zeros((CANVAS_SIDE, CANVAS_SIDE), dtype=np.float32)
        self.pen_radius = None  # the radius the canvas's ink is drawn with (canvas_pen_radius); None: no ink
        self.answer = None
        self.pen_down = False
        self.out_of_ink = False  # the drawing holds all the ink a digit may have (handwriting.too_much_ink)
        self.nothing_to_teach = False  # a digit key was pressed on an empty canvas
        self.busy = None  # what the window is doing while it cannot take events (teaching), shown as the hint
        self.not_learned = False  # the last digit key could not teach (why: one line on stderr)
        # A digit key pressed before the window has shown what the last teaching did (in the same frame's
        # events, or while it taught: drop_queued_keys) is impatience, not another example.
        self.shown_since_teaching = True
        self.not_taken_back = False  # nor could the last Ctrl+Z take a teaching back
        self.show_now = lambda: None  # redraws the window at once (show_window sets it): for `busy`
        self.after_busy = lambda: None  # then sorts the events that came meanwhile (show_window sets it)
        self.running = True
        self.pointer = None  # where the mouse is, for the hidden-layer panel
        self._view = None  # (what the network receives, its outputs), computed when first needed

    def title(self):
        """'Digit Recognizer — data/mnist_nn.npz, the shipped model'; once a digit key has taught it, the
        file it was saved to (your own model, perhaps for the first time), 'taught here' while a
        teaching of this window stands (Ctrl+Z may take them all back)."""
        if self.teacher is not None and self.teacher.saved_as is not None:
            taught_here = ", taught here" if self.teacher.standing else ""
            return f"{TITLE} — {as_typed(self.teacher.destination)}{taught_here}"
        return f"{TITLE} — {self.model_name}" if self.model_name else TITLE

    def handle(self, event):
        """Change the drawing for one pygame event (mouse, key, window)."""
        if not self.running:  # quit earlier in the same frame: a digit key after Escape must not teach
            return
        if event.type == pygame.MOUSEMOTION:
            self.pointer = event.pos
        elif event.type in POINTER_GONE:
            self.pointer = None  # or a node stays pointed at, framed in red, with no mouse over it
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == LEFT_BUTTON:
            if _inside_canvas(event.pos):  # a click on the panels (pointing at a node, say) is no ink
                self.start_stroke(event.pos)
        elif event.type == pygame.MOUSEMOTION and self.pen_down:
            self.extend_stroke(event.pos)
        elif event.type == pygame.MOUSEBUTTONUP and event.button == LEFT_BUTTON:
            self.lift_pen()
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == RIGHT_BUTTON:
            self.clear()
        elif event.type == pygame.WINDOWFOCUSLOST:
            self.lift_pen()  # the button's release may go to another window
        elif event.type == pygame.KEYDOWN:
            if event.key == pygame.K_ESCAPE and self.shown_since_teaching:
                self.running = False
            elif event.key == pygame.K_ESCAPE:
                # Pressed before the window showed what a digit key taught (a wrong key, then Escape in a
                # panic): the teaching is saved by then, and a window closed on it could no longer take
                # it back. It stays open on the answer and its "Ctrl+Z: take back"; Escape again quits.
                pass
            elif event.key == pygame.K_SPACE:
                self.space()
            elif event.key == pygame.K_z and event.mod & UNDO_MODIFIERS:
                if self.taught_here:
                    self.take_back()
                elif self.cleared and not self.strokes:
                    self.bring_back()
                else:
                    self.undo()
            elif event.key in CLEAR_KEYS:
                self.clear()
            elif event.key in DIGIT_KEYS and self.teacher is not None:
                # The pen lifted first, as Space lifts it: a click on a shown answer, the button still held
                # (a trackpad's drag lock), brings the answer back and the key teaches it, not the click.
                self.lift_pen()
                if not self.strokes or _a_mere_click(self.strokes):
                    self.nothing_to_teach = True  # said under the canvas: a key that did nothing looks broken
                elif self.shown_since_teaching:
                    self.learn(DIGIT_KEYS[event.key])

    def start_stroke(self, position):
        """Put the pen down. On a shown answer, it starts the next digit, as Space would have first (the
        answer let stand, or its teaching kept). Drawing on over the answer once added to its drawing, with
        a line under the canvas to say so: two people in turn drew their next digit straight over the last,
        saw the two read as one, and a digit key then taught the jumble."""
        if self.answer is not None:
            self.clear()
            # Until this next digit is read or cleared, undoing its strokes and Ctrl+Z once more brings the
            # last one back, and a mere click (to bring the window forward, say) brings it back at once
            # (lift_pen): a click, then the digit key meant for the answer, taught the click's dot.
            self.cleared_by_pen = True
        self.answer = self.learned = self.took_back = None
        self.not_learned = self.not_taken_back = self.nothing_to_teach = False
        self.taught_here = 0  # a new drawing now: Ctrl+Z takes back its strokes, not teachings
        if not self.cleared_by_pen:
            self.cleared = None  # nor brings back the drawing cleared before
        self.pen_down = True
        self.strokes.append([])
        self.extend_stroke(position)

    def extend_stroke(self, position):
        """Move the pen to `position`: a round pen joins it to the stroke's last point, however far."""
        point = _on_canvas(position)
        stroke = self.strokes[-1]
        if self._ink is None:  # the strokes were changed otherwise (undone, cleared, brought back)
            self._ink = InkTally(self.strokes)
        previous = stroke[-1] if stroke else None
        if not self._ink.allows(point, previous):  # a scribble that never ends: the pen runs dry
            if not stroke:
                self.strokes.pop()  # a stroke that could not start: the pen stays up until pressed again,
                self.pen_down = False  # or the drag would go on the last stroke, as a line nobody drew
            self.out_of_ink = True
            return
        stroke.append(point)
        self._ink.add(point, previous)
        if not self._widen_pen(self._ink.size()):  # else drawn anew, this segment with the rest
            draw_segment(self.canvas, _pixel_centre(previous or point), _pixel_centre(point), self.pen_radius)
        self._view = None

    def lift_pen(self):
        """The stroke ends: the canvas pen as wide as the whole drawing, stray dots left out, calls for.
        A click on a shown answer, no stroke at all, brings that drawing back as it was (start_stroke)."""
        if self.pen_down and self.cleared_by_pen and _a_mere_click(self.strokes):
            self.strokes.pop()
            self.bring_back()
            return
        if self.pen_down and self.strokes:
            self._widen_pen(self._ink.exact_size() if self._ink is not None else drawing_size(self.strokes))
        self.pen_down = False

    def _widen_pen(self, size):
        """Widen the canvas pen, and draw the canvas anew, when a drawing of `size` calls for a wider one.
        The pen only widens while a digit is drawn (clearing and undoing size it afresh): one that
        could narrow again swung between two widths stroke after stroke, each time drawing it all anew."""
        radius = canvas_pen_radius(size)
        if self.pen_radius is not None and radius <= self.pen_radius:
            return False
        self._draw_canvas(radius)
        return True

    def space(self):
        """Space: recognise the drawing; when an answer is shown, clear for the next digit instead.
        On an empty canvas it does nothing. It lifts the pen: with the button still held (a trackpad's
        drag lock), the stroke went on growing under an answer given for less of it."""
        self.lift_pen()
        if self.answer is not None:
            self.clear()
        elif self.strokes:
            self.recognise()

    def recognise(self):
        """Print every digit's score on one line (flushed at once) and show the strongest big.

        Returns the digit.
        """
        _, scores = self.network_view()
        self._drawing_before_is_gone()
        self.not_learned = False
        print(score_line(scores), file=self.output or sys.stdout, flush=True)
        self.answer, self.learned, self.took_back = int(np.argmax(scores)), None, None
        self.not_taken_back = False
        self.taught_here = 0  # Space goes on from the digit key: Ctrl+Z is about strokes again
        return self.answer

    def learn(self, digit):
        """A digit key: teach the network that the drawing is `digit`, then show its new answer, as
        Space would. Prints `learned: …` (flushed at once); a problem is one line on stderr."""
        # Teaching holds the window for a quarter of a second; the first time, MNIST is loaded for it
        # (downloaded, even, when it is not there yet): say so on screen rather than seem to hang.
        first = getattr(self.teacher, "replay", True) is None
        self._drawing_before_is_gone()
        before = self.network_view()[1].copy()
        kept_before = self.teacher.kept
        self.busy = f"Learning your {digit}..." + ("  (loading MNIST to replay, the first time)" if first else "")
        self.show_now()
        try:
            learned = self.teacher.learn(self.strokes, digit)
        except MyonnError as error:
            print(error_line(error), file=sys.stderr, flush=True)
            learned = None
        finally:
            self.busy = None
            self.after_busy()
        self.other_run_kept = self.teacher.other_run_kept if learned else None
        self.not_learned = not learned  # said on screen too: the terminal may be hidden behind the window
        self.shown_since_teaching = False
        self._view = None  # the network may have changed
        self.took_back = None
        if self.teacher.kept > kept_before:  # kept in your file (learned, or not: MNIST missing): Ctrl+Z takes it back
            self.taught_here += 1
        if learned:
            self.answer = int(np.argmax(self.network_view()[1]))
            # Said in the terminal too: someone watching only it would think the teaching had worked.
            still = f", still read as {self.answer}" if self.answer != digit else ""
            print(learned + still, file=self.output or sys.stdout, flush=True)
            self.learned, self.learned_digit, self.scores_before = learned, digit, before

    def _drawing_before_is_gone(self):
        """This drawing is read or taught: the one that drawing on its answer cleared (start_stroke) is let
        stand for good, and Ctrl+Z no longer brings it back."""
        if self.cleared_by_pen:
            self.cleared = None
        self.cleared_by_pen = False

    def take_back(self):
        """Ctrl+Z right after a digit key: take that teaching back (teaching.Teacher.take_back), then
        show the answer as it was before it. Prints `took back: …`; a problem is one line on stderr."""
        try:
            took_back = self.teacher.take_back()
        except MyonnError as error:
            print(error_line(error), file=sys.stderr, flush=True)
            self.not_taken_back = True  # the hint sends you to the terminal
            return
        self.not_taken_back = self.not_learned = False
        self._view = None  # the network has changed back
        if took_back:
            print(took_back, file=self.output or sys.stdout, flush=True)
            self.taught_here -= 1
        else:  # the window keeps what its latest teachings changed, not all of them
            took_back, self.taught_here = f"Only the last {MOST_TAKEN_BACK} teachings can be taken back", 0
        self.answer = int(np.argmax(self.network_view()[1]))
        self.learned, self.took_back = None, took_back
        # Which digit the drawing is still said to be: the teaching before's, when one of this drawing stands.
        self.learned_digit = self.teacher.taught[-1].label if self.taught_here and self.teacher.taught else None

    def clear(self):
        """Clear the canvas. A drawing whose answer was shown, and not corrected with a digit key, is
        let stand: later teachings keep reading it as it was read (teaching.Teacher.let_stand_drawing).
        Until you draw again, Ctrl+Z brings it back (bring_back)."""
        self.lift_pen()  # cleared while drawing (a right click, C): the pen sized for it all, kept with it
        self.cleared_by_pen = False
        if self.strokes:
            self.cleared = {name: getattr(self, name) for name in SHOWN_DRAWING}
            self.cleared["canvas"] = self.canvas.copy()
            self.cleared["let_stand"] = None if self.teacher is None else list(self.teacher.let_stand)
        if (self.answer is not None and self.learned is None and not self.taught_here and self.teacher is not None
                and self.strokes):
            self.teacher.let_stand_drawing(self.strokes, self.answer)
        self.strokes, self._ink = [], None
        self.out_of_ink = self.not_learned = self.not_taken_back = self.nothing_to_teach = False
        self.canvas[:] = 0
        self.pen_radius = None
        self.answer = self.learned = self.took_back = self.other_run_kept = None
        self.taught_here = 0
        self.pen_down = False
        self._view = None

    def undo(self):
        """Take back the last stroke (the one being drawn, if the pen is down)."""
        if not self.strokes:
            return
        self.strokes.pop()
        self._redraw()

    def bring_back(self):
        """Ctrl+Z on the canvas a clear left empty (a right click too many, Space on an answer you meant
        to correct): the drawing comes back as it was shown, its answer and the teachings Ctrl+Z could
        take back too, as if it had never been let stand. (Nothing can have taught the network since:
        that takes a drawing.)"""
        cleared, self.cleared = self.cleared, None
        self.cleared_by_pen = False
        if cleared["let_stand"] is not None:
            self.teacher.let_stand = cleared["let_stand"]
        for name in SHOWN_DRAWING:
            setattr(self, name, cleared[name])
        self.canvas[:] = cleared["canvas"]
        self._ink = None
        self.pen_down = False
        self._view = None

    def _redraw(self):
        """The canvas drawn anew from the strokes, with no answer shown."""
        self._ink = None
        self.out_of_ink = self.not_learned = False
        self.took_back = None
        self._draw_canvas()
        self.answer = None
        self.pen_down = False
        self._view = None

    def _draw_canvas(self, radius=None):
        """The canvas drawn anew from the strokes, with a pen of `radius`, else the one their size calls for."""
        self.pen_radius = canvas_pen_radius(drawing_size(self.strokes)) if radius is None else radius
        self.canvas[:] = canvas_ink(self.strokes, self.pen_radius)
        if not any(self.strokes):
            self.pen_radius = None  # no ink

    def network_view(self):
        """(pixels, scores): the 28×28 grey levels the network receives, after the model's own
        preparation (0..255, 255 = ink), and its ten outputs (10,). Zeros for an empty drawing."""
        if self._view is None:
            pixels = digit_pixels(self.strokes)
            if pixels is None:
                self._view = np.zeros((IMAGE_SIDE, IMAGE_SIDE), np.float32), np.zeros(10, np.float32)
            else:
                inputs = self.model.network_input(pixels)
                self._view = pixels_from_input(inputs), self.model.network.query(inputs)
        return self._view

    def draw(self, surface):
        """Draw the canvas, the answer if one is shown, and the panel onto a window-sized surface."""
        self.shown_since_teaching = True
        canvas = surface.subsurface((0, 0, CANVAS_SIDE, CANVAS_SIDE))
        levels = (self.canvas * 255 + 0.5).astype(np.uint8)  # rows of ink levels, as an 8-bit image stores them
        picture = pygame.image.frombuffer(levels, (CANVAS_SIDE, CANVAS_SIDE), "P")
        picture.set_palette(INK_PALETTE)
        canvas.blit(picture, (0, 0))
        if self.answer is not None:
            veil = pygame.Surface(canvas.get_size(), pygame.SRCALPHA)
            veil.fill((255, 255, 255, 170))
            canvas.blit(veil, (0, 0))
            pictures.draw_centred_text(canvas, self.answer, canvas.get_rect(), 560, self.answer_colour())
        # See-through enough that ink drawn under it shows: the network sees it all the same.
        pictures.draw_caption(canvas, self.hint(), height=32, background=HINT_BACKGROUND, note=self.hint_note())
        self._draw_panel(surface.subsurface((CANVAS_SIDE, 0, PANEL_WIDTH, CANVAS_SIDE)))
        left = CANVAS_SIDE + PANEL_WIDTH
        pointer = None if self.pointer is None else (self.pointer[0] - left, self.pointer[1])
        draw_hidden_layer(surface.subsurface((left, 0, HIDDEN_PANEL_WIDTH, CANVAS_SIDE)), self.model.network,
                          *self.network_view(), pointer)

    def answer_colour(self):
        """Blue: the network's answer, right or wrong, nobody has said; once a digit key has said which
        digit the drawing is (and while that teaching stands), green when it is read so, red when not."""
        said = self.learned_digit if self.learned or self.took_back else None
        if said is None:
            return pictures.ANSWER_COLOUR
        return pictures.RIGHT_COLOUR if self.answer == said else pictures.WRONG_COLOUR

    def doubt(self):
        """'Not sure: 8 or 9?    ' when the network is of two minds about the drawing, else ''.

        Its outputs are ten separate sigmoids, not shares of a whole: a drawing it hesitates over has
        its strongest output under half, or a second one at least half as strong. The big answer alone
        would hide that."""
        scores = self.network_view()[1]
        best = int(np.argmax(scores))  # the answer shown
        second = int(np.argmax(np.where(np.arange(len(scores)) == best, -np.inf, scores)))
        if scores[best] >= UNSURE_BELOW and scores[second] < scores[best] / 2:
            return ""
        return f"Not sure: {best} or {second}?    "

    def hint_note(self):
        """A smaller line under the hint, or None: while a teaching's `learned: …` is shown, that it replaced
        a model another run had saved meanwhile, and where that model is kept; on the empty canvas, the
        model's own note (model_note), if it has one."""
        if self.busy:
            return None
        if self.learned and self.other_run_kept is not None:
            kept = Path(self.other_run_kept)
            return f"It replaced a model another run saved meanwhile, kept as {kept.parent.name}/{kept.name}"
        taught = self.teacher is not None and self.teacher.standing  # then it has learned your digits too
        if not self.strokes and self.answer is None and not self.learned and not taught:
            return self.model_note
        return None

    def hint(self):
        """The line under the canvas: what to do next."""
        if self.busy:
            return self.busy
        if self.not_learned:
            if self.taught_here and not self.learned:  # kept, though: MNIST could not be loaded to replay
                return "Kept, not learned: the terminal says why    Ctrl+Z: take back"
            return "Not learned: the terminal says why    C: clear"
        if self.not_taken_back:
            return "Not taken back: the terminal says why    Ctrl+Z: try again"
        if self.answer is not None:
            if self.learned:
                if self.answer != self.learned_digit:  # rare: teaching stops before it costs MNIST too much
                    # ... or the key was the wrong one: then Ctrl+Z.
                    return (f"{self.learned}, still read as {self.answer}: press {self.learned_digit} again"
                            "    Ctrl+Z: take back")
                return f"{self.learned}    Ctrl+Z: take back    Space: next"
            if self.took_back:
                if self.taught_here:  # teachings of this drawing before it still stand
                    return f"{self.took_back}    Ctrl+Z: take back the one before    Space: next"
                doubt = self.doubt()  # read as before, and perhaps of two minds, as before: say so again
                return f"{self.took_back}    {doubt}Press the right digit" + ("" if doubt else ", or Space")
            # Passing over a wrong answer lets it stand (clear), so say how to correct it.
            go_on = "Space: next digit    Wrong? Press the right digit" if self.teacher else "Space: next digit"
            return self.doubt() + go_on
        if self.out_of_ink:
            return "Too much ink for one digit    C: clear    Ctrl+Z: undo"
        if self.strokes:
            return "Space: recognise    0-9: teach    C: clear    Ctrl+Z: undo"
        if self.nothing_to_teach:
            return "Draw the digit first, then press its key"
        if self.cleared:
            return "Draw a digit with the left mouse button    Ctrl+Z: bring the last one back"
        return "Draw a digit with the left mouse button"

    def _draw_panel(self, panel):
        panel.fill(PANEL_COLOUR)
        pixels, scores = self.network_view()
        width = panel.get_width()
        pictures.draw_centred_text(panel, "What the network sees", (0, 8, width, 24), 24)
        image = pygame.Rect(18, 38, 252, 252)  # 28 squares of 9 pixels
        pictures.draw_grey_picture(panel, pixels, image)
        pygame.draw.rect(panel, pictures.BLACK, image.inflate(2, 2), 1)
        # Right after teaching, a tick marks each output that it moved (by a point or more) where it was
        # before: you see what the learning did.
        before = self.scores_before if self.learned else None
        title = "Its outputs, ×100" if before is None else "Its outputs    | before teaching"
        pictures.draw_centred_text(panel, title, (0, 300, width, 24), 24)
        best = int(np.argmax(scores)) if scores.any() else None
        for digit, score in enumerate(scores):
            top = 330 + 33 * digit
            colour = self.answer_colour() if digit == best else BAR_COLOUR
            pictures.draw_centred_text(panel, digit, (8, top, 24, 30), 28)
            track = pygame.Rect(38, top + 5, 170, 20)
            panel.fill(pictures.WHITE, track)
            panel.fill(colour, (track.left, track.top, round(track.width * float(score)), track.height))
            if before is not None and abs(float(before[digit]) - float(score)) >= 0.01:
                tick = track.left + min(round(track.width * float(before[digit])), track.width - 2)
                panel.fill(BEFORE_TICK_COLOUR, (tick, track.top - 4, 2, track.height + 8))
            pictures.draw_centred_text(panel, f"{100 * score:.1f}%", (212, top, 70, 30), 22)


def score_line(scores):
    """Every digit's score in the talk's format: `0=0.1%  1=0.0%  …  9=97.3%` (raw outputs × 100)."""
    return "  ".join(f"{digit}={100 * float(score):.1f}%" for digit, score in enumerate(scores))


def stroke_events(strokes):
    """The mouse events a hand drawing these strokes would send: for each stroke the left button
    down at its first point, a motion to each further point, the button up at its last point.
    Points are rounded to whole pixels, as a mouse reports them."""
    events = []
    for stroke in strokes:
        points = [(round(x), round(y)) for x, y in stroke]
        events.append(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=LEFT_BUTTON, pos=points[0]))
        for previous, point in zip(points, points[1:]):
            events.append(pygame.event.Event(pygame.MOUSEMOTION, pos=point, buttons=(1, 0, 0),
                                             rel=(point[0] - previous[0], point[1] - previous[1])))
        events.append(pygame.event.Event(pygame.MOUSEBUTTONUP, button=LEFT_BUTTON, pos=points[-1]))
    return events


def read_strokes(path):
    """A drawing from a JSON file: a list of strokes, each a list of [x, y] canvas points.

    Returns a list of lists of (x, y) floats. Raises MyonnError, in one line naming the file and the
    place, for anything else.
    """
    from myonn.my_digits import refuse_unless_regular_file

    path = Path(path)
    too_much_ink_line = f"{shortened(path)}: too much ink for one digit ({INK_LIMITS})"
    refuse_unless_regular_file(path)
    try:
        with open(path, "rb") as file:
            content = file.read(MAX_STROKES_FILE_BYTES + 1)
        if len(content) > MAX_STROKES_FILE_BYTES:
            raise MyonnError(f"{shortened(path)}: too large for a drawing (over "
                             f"{MAX_STROKES_FILE_BYTES // 1_000_000} MB)")
        # A drawing has one '[' a point, one a stroke (each holds a point) and one around them all. A file
        # with ten times the lists a digit can hold is refused before json makes its objects (10 MB of
        # points would take 450 MB); one nearer the limit is parsed, to say what is wrong with it.
        if content.count(b"[") > 10 * MOST_POINTS:
            raise MyonnError(too_much_ink_line)
        document = json.loads(content.decode("utf-8"))
    except OSError as error:
        raise MyonnError(f"cannot read strokes {shortened(path)}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise MyonnError(f"{shortened(path)}: not a strokes file (not text)") from None
    except json.JSONDecodeError as error:
        raise MyonnError(f"{shortened(path)}: not valid JSON (line {error.lineno}: {error.msg})") from None
    except RecursionError:
        raise MyonnError(f"{shortened(path)}: not a strokes file (nested far deeper than a list of strokes)") from None
    except ValueError:  # json refuses a whole number of over 4300 digits, far beyond any coordinate
        raise MyonnError(f"{shortened(path)}: not a strokes file (a number thousands of digits long)") from None
    expected = "a list of strokes, each a list of [x, y] points"
    if not isinstance(document, list):
        raise MyonnError(f"{shortened(path)}: not a strokes file (expected {expected})")
    strokes = []
    for number, stroke in enumerate(document, start=1):
        if not isinstance(stroke, list) or not stroke:
            raise MyonnError(f"{shortened(path)}: stroke {number} is not a list of [x, y] points")
        for point in stroke:
            if not (isinstance(point, list) and len(point) == 2 and all(is_coordinate(v) for v in point)):
                shown = json.dumps(point)  # cut short: a "point" can be a megabyte long, the line stays one line
                shown = shown if len(shown) <= 60 else shown[:60] + "…"
                raise MyonnError(f"{shortened(path)}: stroke {number} has a point that is not [x, y]: {shown}")
        strokes.append([(float(x), float(y)) for x, y in stroke])
    if not strokes:
        raise MyonnError(f"{shortened(path)}: holds no strokes (expected {expected})")
    if not any(0 <= x < CANVAS_SIDE and 0 <= y < CANVAS_SIDE for stroke in strokes for x, y in stroke):
        # Each would be moved to the canvas's edge, as a drag off it is: a dot or a line along the border.
        raise MyonnError(f"{shortened(path)}: no point lies on the {CANVAS_SIDE}×{CANVAS_SIDE} canvas (x and y "
                         f"from 0 to {CANVAS_SIDE - 1}): nothing to draw")
    if too_much_ink(strokes):
        raise MyonnError(too_much_ink_line)
    return strokes


def parse_arguments(argv=None):
    parser = ArgumentParser(
        prog="mnist_draw.py",
        description="Draw a digit with the mouse; Space recognises it (the talk's Digit Recognizer).",
        epilog=KEYS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_flag(parser)
    parser.add_argument("--replay", type=file_path, metavar="STROKES.json",
                        help="draw these strokes as if by hand: a JSON list of strokes, each a list of "
                             "[x, y] canvas points (0..672)")
    parser.add_argument("--screenshot", type=png_path, metavar="FILE.png",
                        help="with --replay: recognise the replayed drawing, write the window to "
                             "FILE.png without opening it, and exit")
    parser.add_argument("--point-at", type=non_negative_int, metavar="NODE",
                        help="with --screenshot: the mouse points at this hidden node (from 0), showing its weights")
    parser.add_argument("--teach", type=whole_number_at_least(0, 9), metavar="DIGIT",
                        help="with --replay: then press the key DIGIT, teaching the network that the drawing "
                             "is that digit (with --screenshot: instead of Space)")
    parser.add_argument("--my-digits", type=file_path, metavar="FILE", default=None,
                        help="your own digits' file, where the digit keys keep what they teach "
                             f"(default: {path_in_help(default_digits_path())}, beside your own model)")
    add_data_dir_flag(parser)
    arguments = parser.parse_args(argv)
    if arguments.teach is not None and not arguments.replay:
        parser.error("--teach needs --replay (the drawing to teach)")
    if arguments.screenshot and not arguments.replay:
        parser.error("--screenshot needs --replay (the drawing to recognise)")
    if arguments.point_at is not None and not arguments.screenshot:
        parser.error("--point-at needs --screenshot (in the window, point with the mouse)")
    return arguments


def main(argv=None):
    """mnist_draw.py: load the model (and the replayed drawing), then open the window or take a screenshot."""
    arguments = parse_arguments(argv)
    model, about = load_chosen_model(arguments.model)
    if arguments.point_at is not None:
        refuse_unless_shown(arguments.point_at, model.network.hidden_nodes)
    replay = stroke_events(read_strokes(arguments.replay)) if arguments.replay else []
    path = chosen_model_path(arguments.model)[0]
    recognizer = Recognizer(model, teacher=teacher(model, arguments),
                            model_name=", ".join(filter(None, (str(as_typed(path)), whose(path)))),
                            model_note=learned_mnist_only(model, path))
    if arguments.teach is not None:
        replay.append(pygame.event.Event(pygame.KEYDOWN, key=getattr(pygame, f"K_{arguments.teach}"), mod=0))
    if arguments.screenshot:
        for event in replay:
            recognizer.handle(event)
        if arguments.teach is not None and recognizer.learned is None:
            return 2  # not learned: the line saying why is on stderr already
        if arguments.teach is None:
            recognizer.space()
        if arguments.point_at is not None:
            x, y = node_centre(arguments.point_at)
            recognizer.pointer = (CANVAS_SIDE + PANEL_WIDTH + x, y)
        surface = pygame.Surface(WINDOW_SIZE)
        recognizer.draw(surface)
        pictures.save_png(surface, arguments.screenshot)
        print(about, file=sys.stderr)  # which model drew it; once saved, so that a failure is one line
    else:
        show_window(recognizer, replay, about)


def learned_mnist_only(model, path):
    """The note for a model trained on MNIST's digits alone (the default recipe's, the talk's), or None.

    Set up trains such a model, and the window then uses it: with the first drawings a student makes it
    misread a slashed 0 or a curly 9 as an 8 with 97% (walkthrough 7), where the shipped model, which
    also learned digits drawn with this window's pen, reads them right (docs/results.md, "Drawn digits").
    So the empty canvas says where the better reader is. Not for the shipped model itself, a model
    that learned drawn digits or your own (taught, or retrained with them), or a Ruby YAML model."""
    info = model.info
    if is_shipped(path):
        return None
    learned = learned_drawn_digits(info)
    if learned is None:  # trained before it was recorded: by what its record says of the run
        trained = info.get("trained_images")
        if info.get("drawn") != 0 or not isinstance(trained, int) or trained > MNIST_TRAINING_IMAGES:
            return None  # a Ruby YAML model says nothing; more images than MNIST's: your digits mixed in
    elif learned:
        return None
    shipped = as_typed(shipped_model_path())
    return f"This model learned MNIST only: the shipped one reads drawn digits better (--model {shipped})"


def _a_mere_click(strokes, within=3):
    """Whether a drawing is a mere click: one stroke, every point within `within` canvas pixels of its first."""
    if len(strokes) != 1 or not strokes[0]:
        return False
    (x0, y0), *_ = strokes[0]
    return max(max(abs(x - x0), abs(y - y0)) for x, y in strokes[0]) <= within


def refuse_unless_shown(node, hidden_nodes):
    """Raise MyonnError, in one line naming the nodes there are, unless the panel shows hidden node `node`
    (a node beyond them would be pointed at silently, with nothing to see)."""
    shown = min(hidden_nodes, MOST_NODES)
    if node >= shown:
        which = "the model has" if shown == hidden_nodes else f"of the model's {hidden_nodes:,}, the window shows"
        raise MyonnError(f"--point-at {node}: {which} hidden nodes 0 to {shown - 1:,}")


def teacher(model, arguments):
    """The Teacher behind the digit keys: your digits' file, and your own model to save to (the
    --model file, unless that is the shipped model or a Ruby YAML file: never written)."""
    from myonn.mnist import TRAIN, load_mnist
    from myonn.teaching import Teacher
    destination = destination_for(None, continued=chosen_model_path(arguments.model)[0])
    return Teacher(model, arguments.my_digits or default_digits_path(), destination,
                   load_replay=lambda: load_mnist(TRAIN, arguments.data_dir),
                   seed=REPLAYED_TEACHING_SEED if arguments.screenshot else None)


def drop_queued_keys():
    """Digit keys pressed while the window was teaching were impatience (the first teaching loads
    MNIST for a second or two), not another example: each taught the drawing once more, and kept it
    in your file twice. Escape then was a wish to undo, most likely, which closing the window would
    put out of reach (Recognizer.handle). Both are dropped; every other event stays, in its order."""
    for event in pygame.event.get():
        if not (event.type == pygame.KEYDOWN and (event.key in DIGIT_KEYS or event.key == pygame.K_ESCAPE)):
            pygame.event.post(event)


def show_window(recognizer, replay=(), about=None):
    """Open the window and run until Escape or the window is closed; replay events are posted a few
    per frame, as if drawn by hand."""
    screen = pictures.open_window(WINDOW_SIZE, TITLE, "--replay STROKES.json --screenshot FILE.png "
                                                      "draws a drawing without one")
    if about:
        print(about, file=sys.stderr)  # which model it is
    # Replayed events are in the canvas's own positions, however large the window came out (pictures.update).
    pending = [pygame.event.Event(event.type, {**event.dict, "in_picture": True}) for event in replay]
    clock = pygame.time.Clock()
    recognizer.show_now = lambda: update(recognizer, screen, [])
    recognizer.after_busy = drop_queued_keys
    try:
        update(recognizer, screen, [])
        while recognizer.running:
            if pending:
                for event in pending[:REPLAY_EVENTS_PER_FRAME]:
                    pygame.event.post(event)
                del pending[:REPLAY_EVENTS_PER_FRAME]
                clock.tick(60)
                events = pygame.event.get()
            else:
                events = pictures.wait_for_events()  # sleep until something happens
            update(recognizer, screen, events)
    finally:
        pygame.display.quit()


def canvas_pen_radius(size):
    """The canvas pen's radius, in pixels, for a drawing `size` pixels across (its longer side): as wide
    a share of it as the network's pen (handwriting.PEN_WIDTH), within SMALLEST_PEN_RADIUS..PEN_RADIUS."""
    return int(min(max(round(PEN_WIDTH * max(size, SMALLEST_DIGIT) / 2), SMALLEST_PEN_RADIUS), PEN_RADIUS))


def canvas_ink(strokes, radius):
    """The canvas's ink for a drawing, drawn at once with a pen of `radius` (0..1, as draw_strokes).

    Points closer than a quarter of the radius to the last one drawn are passed over: under a pen that
    wide they change nothing the eye can see, and a drawing of 20,000 mouse positions, drawn again
    each time it grew enough to widen the pen, took seconds."""
    return draw_strokes([[_pixel_centre(point) for point in _thinned(stroke, radius / 4)] for stroke in strokes],
                        (CANVAS_SIDE, CANVAS_SIDE), radius)


def _thinned(stroke, min_step):
    """A stroke's points less those closer than min_step (across or down) to the last one kept; its
    last point is kept, so that it ends where it ends."""
    kept = list(stroke[:1])
    for point in stroke[1:-1]:
        if max(abs(point[0] - kept[-1][0]), abs(point[1] - kept[-1][1])) >= min_step:
            kept.append(point)
    return kept + list(stroke[-1:]) if len(stroke) > 1 else kept


def _inside_canvas(position):
    """Whether a mouse press there starts a stroke: on the canvas, or just past its right edge (a stroke
    begun a few pixels into the panel drew nothing, and Space then did nothing either); it starts on
    the edge. Further into the panels, a click is no ink (pointing at a node, say)."""
    x, y = position
    return 0 <= x < CANVAS_SIDE + PRESS_MARGIN and 0 <= y < CANVAS_SIDE


def _on_canvas(position):
    """A mouse position as a canvas point; one dragged off the canvas stays on its edge."""
    x, y = position
    return (min(max(float(x), 0.0), CANVAS_SIDE - 1.0), min(max(float(y), 0.0), CANVAS_SIDE - 1.0))


def _pixel_centre(point):
    """A mouse position names a pixel; the pen is centred on that pixel's centre (handwriting.py's
    coordinates put pixel (x, y)'s centre at (x + 0.5, y + 0.5))."""
    return point[0] + 0.5, point[1] + 0.5

