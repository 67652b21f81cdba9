"""How well does the drawing window recognise handwriting? Replay pen strokes through it and count.

    python bench/handwriting.py                                   the shipped model, 50 drawings per digit
    python bench/handwriting.py --model new.npz --model old.npz   two models side by side
    python bench/handwriting.py --examples bench/strokes          write one drawing per style, for --replay
    python bench/handwriting.py --source hershey                  only the Hershey fonts' digits
    python bench/handwriting.py --teach                           teaching: before and after k examples

Two kinds of pen strokes, each source measured in its own table (--source, default both):

    styles    hand-designed styles, in three tables: the STYLES of myonn/drawn_styles.py (a 1 with or
              without flag and base, a 7 with or without crossbar, an open or closed 4, …) and its
              WRITER_STYLES that MNIST lacks (a slashed 0, a 1 with a long flag or with flag and
              foot, …), both TRAINED ON (the best recipe adds them, drawn by other made-up writers, to
              its training digits) and seen while choosing the augmentation; and, HELD OUT, the styles
              in bench/strokes_held_out/, written before any model trained against them was measured
              and never trained or tuned on
    hershey   HELD OUT: the digits of the Hershey vector fonts (public domain, single-line: roman simplex,
              duplex, complex and triplex, italic, gothic, …), from the hershey-fonts package
              (pip install -e '.[bench]'); a font is one more "style" of each digit

The drawings are made, not collected (by myonn/drawn_styles.py's writer): each style is written by
many made-up "writers" — a random slant, rotation, width, size (150 to 550 pixels tall) and place on
the canvas, every control point moved a little, a slow wobble along the line — and sampled as a
mouse reports a drag: a point every 5 to 40 pixels, at an uneven speed. They are NOT real people's
handwriting, and no MNIST digit is used; a rate measured on them is a check of the pipeline, not a
promise about yours.

Each drawing is posted to the real window code (headless) as mouse events, Space is posted, and the
printed score line is read back. Three pipelines are compared, all with the same model:

    talk      the talk's: one 24-pixel square per mouse event, the 28×28 grid fed straight in
    canvas    the canvas as shown (fixed 40-pixel pen), cropped, fitted and centred as MNIST
    window    what mnist_draw.py does: strokes redrawn with a pen sized to the digit, then the same
"""

import argparse
import io
import json
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
from myonn.drawn_styles import STYLES, WRITER_STYLES, write  # noqa: E402
from myonn.errors import MyonnError, echoed  # noqa: E402
from myonn.windows.draw_window import WINDOW_SIZE, Recognizer, stroke_events, update  # noqa: E402
from myonn.handwriting import mnist_style  # noqa: E402
from myonn.model import shipped_model_path, load_model  # noqa: E402
from myonn.windows.pictures import pygame  # noqa: E402


# --per-digit: far beyond any useful run (50 drawings a digit take a minute or two), and small enough to end.
MOST_PER_DIGIT = 10_000

# Styles designed for issue 9 and written before any model trained against them was measured: never
# used to train a model or to choose a setting (bench/strokes_held_out/README.md).
HELD_OUT_DIR = Path(__file__).resolve().parent / "strokes_held_out"
TEACHING_TUNING_DIR = Path(__file__).resolve().parent / "strokes_teaching"


def held_out_styles(folder=HELD_OUT_DIR):
    """{digit: {style name: style}} from bench/strokes_held_out/*.json (or another folder of such
    files: bench/strokes_teaching), in the STYLES format."""
    styles = {}
    for path in sorted(Path(folder).glob("*.json")):
        held_out = json.loads(path.read_text())
        styles.setdefault(held_out["digit"], {})[held_out["style"]] = held_out["strokes"]
    return dict(sorted(styles.items()))


# ---- The Hershey fonts' digits, as styles -------------------------------------------------------

# Built-in fonts whose digit slots hold symbols (or nothing, or another font's digits again).
SYMBOL_FONTS = {"astrology", "japanese", "markers", "mathlow", "mathupp", "meteorology", "music", "symbolic"}
# The names Hershey's fonts usually go by (roman simplex, duplex, triplex; Times-like roman, italic,
# bold italic; English gothic): a set of digits shared by several fonts is shown under one of these.
USUAL_NAMES = {"rowmans", "rowmand", "rowmant", "timesr", "timesi", "timesib", "gothiceng"}


def hershey_styles():
    """{digit: {font name: style}} from the hershey-fonts package, in the STYLES format (box 1 high,
    y down, each stroke one curve through the glyph's points), and {font name: other fonts with the
    very same digits}. Raises ImportError when the package is missing."""
    from HersheyFonts import HersheyFonts

    fonts = HersheyFonts()
    styles = {digit: {} for digit in range(10)}
    kept, same_as = {}, {}
    for font in sorted(fonts.default_font_names, key=lambda font: (font not in USUAL_NAMES, font)):
        if font in SYMBOL_FONTS:
            continue
        fonts.load_default_font(font)
        glyphs = fonts.all_glyphs
        strokes = [glyphs[str(digit)].strokes if str(digit) in glyphs else [] for digit in range(10)]
        if not all(strokes):
            continue
        key = repr(strokes)  # many fonts share one set of digits: keep it once, under its first name
        if key in kept:
            same_as[kept[key]].append(font)
            continue
        kept[key], same_as[font] = font, []
        for digit, glyph in enumerate(strokes):
            styles[digit][font] = unit_box(join_strokes(glyph))
    return styles, same_as


def join_strokes(strokes):
    """Polylines, a stroke that starts where the previous one ended drawn on without lifting the pen."""
    joined = []
    for stroke in strokes:
        if joined and tuple(joined[-1][-1]) == tuple(stroke[0]):
            joined[-1] = joined[-1] + list(stroke[1:])
        else:
            joined.append(list(stroke))
    return [stroke for stroke in joined if len(stroke) > 1]


def unit_box(strokes):
    """Glyph coordinates (y down already in Hershey's data) scaled to 1 high, centred on x = 0.5;
    each polyline becomes one curve, its points the control points."""
    points = np.concatenate([np.asarray(stroke, dtype=np.float64) for stroke in strokes])
    low, high = points.min(axis=0), points.max(axis=0)
    height = high[1] - low[1]
    centre_x = (low[0] + high[0]) / 2
    return [[[((x - centre_x) / height + 0.5, (y - low[1]) / height) for x, y in stroke]] for stroke in strokes]


# ---- The bench's drawings: the styles written by many made-up writers ---------------------------

def drawings(per_digit, seed, styles_by_digit=STYLES):
    """(digit, style name, strokes) for per_digit drawings of each digit, styles taken in turn."""
    random = np.random.default_rng(seed)
    made = []
    for digit, styles in styles_by_digit.items():
        names = list(styles)
        for number in range(per_digit):
            name = names[number % len(names)]
            made.append((digit, name, write(styles[name], random)))
    return made


# ---- Replaying them through the window ----------------------------------------------------------

SPACE = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE, mod=0, unicode=" ", scancode=44)


def talk_grid(events):
    """The talk's pipeline: the 24-pixel square under each mouse event with the button held, set to
    full ink; the 28×28 grid goes to the network as it is."""
    grid = np.zeros((28, 28), dtype=np.float32)
    for event in events:
        if event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEMOTION):
            x, y = event.pos
            grid[min(y // 24, 27), min(x // 24, 27)] = 255
    return grid


def replay_all(model, made):
    """Replay every drawing through the window; returns {pipeline: digits recognised (n,)} and the
    milliseconds each window update took (one motion event: query and panel included)."""
    screen = pygame.display.set_mode(WINDOW_SIZE)
    recognizer = Recognizer(model, output=io.StringIO())
    answers = {"talk": [], "canvas": [], "window": []}
    update_times = []
    for digit, name, strokes in made:
        events = stroke_events(strokes)
        answers["talk"].append(int(np.argmax(model.scores(talk_grid(events)))))
        for event in events[:-1]:
            pygame.event.post(event)
        update(recognizer, screen, pygame.event.get())
        # Time the last event on its own: one mouse move, the query and the redrawn panel.
        pygame.event.post(events[-1])
        started = time.perf_counter()
        update(recognizer, screen, pygame.event.get())
        update_times.append((time.perf_counter() - started) * 1000)
        answers["canvas"].append(int(np.argmax(model.scores(mnist_style(recognizer.canvas * 255)))))
        recognizer.output.seek(0)
        recognizer.output.truncate()
        pygame.event.post(SPACE)
        update(recognizer, screen, pygame.event.get())
        line = recognizer.output.getvalue().strip()
        scores = [float(part.split("=")[1].rstrip("%")) for part in line.split("  ")]
        answers["window"].append(int(np.argmax(scores)))
        pygame.event.post(SPACE)  # the next Space clears, for the next digit
        update(recognizer, screen, pygame.event.get())
    return {pipeline: np.array(found) for pipeline, found in answers.items()}, np.array(update_times)


def main():
    # Path flags as the scripts take them: a quoted ~ is your home folder.
    parser = cli.ArgumentParser(description="Recognition of replayed pen strokes in the drawing window.")
    parser.add_argument("--model", type=cli.file_path, action="append", metavar="PATH",
                        help="a model to measure (repeat for several; default: data/mnist_nn.npz)")
    parser.add_argument("--source", choices=["styles", "hershey", "both"], default="both",
                        help="where the strokes come from: the designed styles (those tuned on and those held "
                             "out), the Hershey fonts' digits (held out), or both; one table per source (default both)")
    parser.add_argument("--per-digit", type=cli.whole_number_at_least(1, MOST_PER_DIGIT), default=50, metavar="N",
                        help="drawings per digit (default 50)")
    parser.add_argument("--seed", type=cli.non_negative_int, default=2019, help="the writers' random seed (default 2019)")
    parser.add_argument("--examples", type=cli.folder_path, metavar="DIR",
                        help="write one drawing of each style to DIR as STROKES.json (for --replay), then exit")
    parser.add_argument("--save-strokes", type=cli.folder_path, metavar="DIR", help="also write every drawing to DIR")
    parser.add_argument("--as-recordings", type=cli.folder_path, metavar="DIR",
                        help="write the held-out writers of --teach (each Hershey font, the held-out designed "
                             "styles), --per-digit drawings of each digit, as recordings for "
                             "bench/real_handwriting.py (DIR/WRITER.jsonl), then exit")
    parser.add_argument("--teach", action="store_true",
                        help="the teaching bench: each writer's further digits before and after teaching "
                             "k = 1, 3, 10 examples of each misread style, and MNIST after (needs MNIST)")
    parser.add_argument("--counts", type=teach_counts, default=TEACH_COUNTS, metavar="K,K,...",
                        help="with --teach: the numbers of examples per misread style to try (default 1,3,10; "
                             "at most 10); the writers' digits are the same whichever are tried")
    parser.add_argument("--styles", choices=["misread", "all"], default="misread",
                        help="with --teach: teach k examples of the styles the model misreads (default), or of "
                             "all of a writer's styles, those read right first")
    parser.add_argument("--session", type=cli.whole_number_at_least(1, max(TEACH_COUNTS)), metavar="ROUNDS",
                        help="with --teach: instead of k examples of each misread style, a session as in the "
                             "window: each round the writer draws every style once and teaches each drawing "
                             "the network misreads; ROUNDS 1 to 10")
    parser.add_argument("--teaching", type=teaching_setting, action="append", default=[], metavar="NAME=VALUE",
                        help="with --teach: try another value of one of myonn/teaching.py's settings ("
                             + ", ".join(TEACHING_SETTINGS) + "), e.g. STEPS=40; repeat for several")
    arguments = parser.parse_args()
    fixed_k = arguments.counts != TEACH_COUNTS or arguments.styles != "misread"
    if not arguments.teach and (arguments.session or arguments.teaching or fixed_k):
        parser.error("--counts, --styles, --session and --teaching go with --teach")
    if arguments.session and fixed_k:
        parser.error("--session teaches as the window does, round by round: leave out --counts and --styles")
    if arguments.teach:
        teaching_bench(arguments)
        return
    if arguments.as_recordings:
        write_as_recordings(arguments.as_recordings, arguments.per_digit, arguments.seed)
        return

    # Each source is measured in a table of its own: what training or tuning has seen apart from what it has not.
    sources = [] if arguments.source == "hershey" else [
        ("styles", "designed styles (the best recipe trains on them)", STYLES, None),
        ("writers", "designed writer styles MNIST lacks (the best recipe trains on them)", WRITER_STYLES, None),
        ("held-out", "HELD OUT: designed styles never trained or tuned on (bench/strokes_held_out)",
         held_out_styles(), None)]
    if arguments.source != "styles":
        try:
            styles, same_as = hershey_styles()
        except ImportError:
            if arguments.source == "hershey":  # nothing else was asked for; with both, the styles are measured alone
                raise MyonnError("--source hershey: the Hershey fonts need the hershey-fonts package "
                                 "(pip install -e '.[bench]')") from None
            print("hershey-fonts is not installed (pip install -e '.[bench]'): measuring the styles only",
                  file=sys.stderr)
        else:
            sources.append(("hershey", "HELD OUT: the Hershey fonts' digits (never trained or tuned on)", styles, same_as))

    if arguments.examples:
        for source, _, styles, _ in (source for source in sources if source[0] in ("styles", "held-out", "hershey")):
            made = drawings(max(len(named) for named in styles.values()), arguments.seed, styles)
            seen = set()
            for digit, name, strokes in made:
                if (digit, name) not in seen:
                    seen.add((digit, name))
                    name = name if source == "styles" else f"{source}-{name}"  # the styles' files keep their names
                    save_strokes(arguments.examples / f"{digit}-{name.replace(', ', '-').replace(' ', '-')}.json", strokes)
            each = {"styles": "designed style", "held-out": "held-out style",
                    "hershey": f"digit in each of {len({font for _, font in seen})} Hershey fonts"}[source]
            print(f"wrote {len(seen)} drawings to {arguments.examples}, one of each {each}")
        return

    for number, (_, title, styles, same_as) in enumerate(sources):
        if number:
            print("\n")
        print(f"== {title}")
        measure(arguments, styles, same_as)


def measure(arguments, styles, same_as=None):
    """Replay per_digit drawings of each digit in `styles` through the window with every model, and
    print the table. `same_as` ({font: fonts with the same digits}) marks the Hershey fonts."""
    made = drawings(arguments.per_digit, arguments.seed, styles)
    if arguments.save_strokes:
        for number, (digit, name, strokes) in enumerate(made):
            name = name if same_as is None else f"hershey-{name}"
            save_strokes(arguments.save_strokes / f"{digit}-{name.replace(' ', '-')}-{number:04d}.json", strokes)
    labels = np.array([digit for digit, _, _ in made])
    if same_as is None:
        styles_count = sum(len(named) for named in styles.values())
        print(f"{len(made)} drawings ({arguments.per_digit} per digit, {styles_count} styles, seed {arguments.seed}), "
              "replayed as mouse events through the window\n")
    else:
        print(f"{len(made)} drawings of the Hershey fonts' digits ({arguments.per_digit} per digit, "
              f"{len(same_as)} fonts, seed {arguments.seed}), replayed as mouse events through the window")
        for font, others in same_as.items():
            print(f"    {font}" + (f" (same digits: {', '.join(others)})" if others else ""))
        print()

    pygame.display.init()
    columns, update_times = {}, []
    for path in arguments.model or [shipped_model_path()]:
        model = load_model(path)
        answers, times = replay_all(model, made)
        update_times.append(times)
        for pipeline, found in answers.items():
            columns[f"{path.name} {pipeline}"] = found == labels
    pygame.display.quit()

    width = max(len(title) for title in columns) + 2
    print("digit" + "".join(title.rjust(width) for title in columns))
    for digit in sorted(set(labels)):
        print(f"{digit:>5}" + "".join(f"{100 * right[labels == digit].mean():.0f}%".rjust(width)
                                       for right in columns.values()))
    print("  all" + "".join(f"{100 * right.mean():.1f}%".rjust(width) for right in columns.values()))
    times = np.concatenate(update_times)
    print(f"\nwindow update for one mouse move (query and live panel): median {np.median(times):.1f} ms, "
          f"95th percentile {np.percentile(times, 95):.1f} ms")

    window_columns = {title: right for title, right in columns.items() if title.endswith(" window")}
    if same_as is not None:
        # A long list of misses reads better as a table: which font each model finds hard, in the window.
        fonts = np.array([name for _, name, _ in made])
        width = max(len(title) for title in window_columns) + 2
        print("\nrecognised by the window, per font")
        print("font".ljust(10) + "".join(title.rjust(width) for title in window_columns))
        for font in (font for font in same_as if (fonts == font).any()):
            print(font.ljust(10) + "".join(f"{100 * right[fonts == font].mean():.0f}%".rjust(width)
                                           for right in window_columns.values()))
    window_right = list(window_columns.values())[0]
    wrong = [f"{digit}:{name}" for (digit, name, _), right in zip(made, window_right) if not right]
    if wrong:
        print("missed by the window (first model):", ", ".join(wrong))


# ---- Teaching: a writer's further digits before and after teaching k of them ------------------------

TEACH_COUNTS = (1, 3, 10)
# The settings of myonn/teaching.py that --teaching may change, and the largest value each may take.
TEACHING_SETTINGS = {"STEPS": 1000, "COPIES": 1000, "EARLIER": 1000, "REPLAYED": 10000, "RATE": 1.0, "EXTRA": 1000,
                     "TAKEN_FOR_SHARE": 1.0, "LET_STAND": 1000}


def teach_counts(text):
    """argparse type for --counts: "1,3" -> (1, 3), each 1..max(TEACH_COUNTS)."""
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{echoed(text)} is not a list of whole numbers such as 1,3,10") from None
    if not all(1 <= count <= max(TEACH_COUNTS) for count in counts):
        raise argparse.ArgumentTypeError(f"each count must be 1 to {max(TEACH_COUNTS)}, not {echoed(text)}")
    return counts


def teaching_setting(text):
    """argparse type for --teaching: "STEPS=40" -> ("STEPS", 40), the value of the setting's own type."""
    name, _, value = text.partition("=")
    name = name.strip().upper()
    if name not in TEACHING_SETTINGS:
        raise argparse.ArgumentTypeError(f"{echoed(text)}: the settings are {', '.join(TEACHING_SETTINGS)}")
    kind = type(TEACHING_SETTINGS[name])
    try:
        number = kind(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{echoed(text)}: {name} takes a {'whole ' if kind is int else ''}number") from None
    may_be_zero = name in ("EARLIER", "EXTRA", "REPLAYED", "TAKEN_FOR_SHARE", "LET_STAND")
    if not (0 < number <= TEACHING_SETTINGS[name]) and not (may_be_zero and number == 0):
        raise argparse.ArgumentTypeError(f"{echoed(text)}: {name} must be above 0 and at most {TEACHING_SETTINGS[name]}")
    return name, number
FURTHER_DIGITS = 40    # per style: the writer's further digits, never taught
MISREAD_BELOW = 0.9    # a style is "misread" when fewer of its further digits than this are read right


def teaching_bench(arguments):
    """For each writer (a set of styles written by one hand), teach k examples of each style the model
    misreads, as the drawing window's digit keys do (myonn/teaching.py, your earlier digits and MNIST
    replayed), and measure the writer's further digits and MNIST's test set after.

    The drawings go through the window's own preparation (handwriting.digit_pixels, then the model's),
    offline: replaying them as mouse events gives the same answers (see the main table), only slower.
    """
    import copy

    from myonn.mnist import TEST, TRAIN, load_mnist
    from myonn.teaching import ReplayedDigits

    import myonn.teaching

    for name, value in arguments.teaching:
        setattr(myonn.teaching, name, value)
    path = (arguments.model or [shipped_model_path()])[0]
    shipped = load_model(path)
    replay = ReplayedDigits(shipped, *load_mnist(TRAIN))  # as the drawing window replays them
    test_images, test_labels = load_mnist(TEST)
    mnist_before = float(np.mean(shipped.scores(test_images).argmax(axis=1) == test_labels))
    writers = teaching_writers()
    # Two generators: the writers' digits come from their own, so that they are the same digits whatever
    # teaching does with its random numbers (a before/after comparison of two teachings sees one writer).
    random, teaching_random = np.random.default_rng(arguments.seed), np.random.default_rng(arguments.seed + 1)
    print(f"model {path.name} ({100 * mnist_before:.2f}% on MNIST's test set); per style {max(TEACH_COUNTS)} drawings "
          f"to teach from and {FURTHER_DIGITS} further ones to measure; a style is misread below "
          f"{100 * MISREAD_BELOW:.0f}%; seed {arguments.seed}"
          + "".join(f"; {name} = {value}" for name, value in arguments.teaching) + "\n")
    if arguments.session:
        teaching_session(arguments.session, shipped, writers, random, teaching_random, replay,
                         (test_images, test_labels))
        return
    counts = arguments.counts
    print("| source | writer | styles misread | further digits read: before | "
          + " | ".join(f"after k = {count}" for count in counts) + " | "
          + " | ".join(f"MNIST after k = {count}" for count in counts) + " | seconds per teaching |")
    print("|---|---|---|---:|" + "---:|" * (2 * len(counts) + 1))
    totals, mnist_first, moved = {}, {}, {}
    for source, writer, styles in writers:
        taught, further, labels = writer_digits(styles, random)
        keys = list(styles)
        right = shipped.scores(further).argmax(axis=1) == labels
        misread = [key for number, key in enumerate(keys)
                   if right[number * FURTHER_DIGITS:(number + 1) * FURTHER_DIGITS].mean() < MISREAD_BELOW]
        # With --styles all, the styles read right go first, so they are among the writer's earlier
        # digits when the misread ones are taught.
        read_right = [key for key in keys if key not in misread]
        taught_styles = read_right + misread if arguments.styles == "all" else misread
        # As anyone trying the window does, the writer first draws each of their styles once: those
        # read right are let stand (Space past the answer, no digit key); the misread ones are taught.
        let_stand = [let_stand_as_kept(taught[key][0], key[0]) for key in keys
                     if shipped.recognise(taught[key][0]) == key[0]]
        row = [f"{100 * right.mean():.1f}%"]
        mnist_after, seconds = [], []
        for count in counts:
            model = copy.deepcopy(shipped)
            earlier, standing = NOTHING_TAUGHT, list(let_stand)
            for number in range(count):          # one of each misread style, then the next of each, ...
                for digit, name in taught_styles:
                    earlier = teach_as_the_key_does(model, taught[digit, name][number], digit, teaching_random,
                                                    earlier, replay, seconds, standing)
            after = model.scores(further).argmax(axis=1) == labels
            row.append(f"{100 * after.mean():.1f}%")
            mnist_accuracy = np.mean(model.scores(test_images).argmax(axis=1) == test_labels)
            mnist_after.append(f"{100 * mnist_accuracy:.2f}%")
            if count == counts[0]:
                mnist_first.setdefault(source, []).append(mnist_accuracy)
                before_and_after = [(digit, right[labels == digit].mean(), after[labels == digit].mean())
                                    for digit in sorted(set(labels))]
                moved[writer] = [f"{digit} {100 * was:.0f}→{100 * now:.0f}%"
                                 for digit, was, now in before_and_after if abs(now - was) >= 0.1]
            totals.setdefault((source, count), []).append(after)
        totals.setdefault((source, 0), []).append(right)
        names = ", ".join(f"{digit} {name}" if name != writer else str(digit) for digit, name in misread) or "none"
        print(f"| {source} | {writer} | {names} | " + " | ".join(row + mnist_after)
              + f" | {np.mean(seconds) if seconds else 0:.2f} |", flush=True)
    # Teaching one digit moves others too: each writer's digits read 10 points better or worse after it.
    print(f"\neach writer's digits that moved by 10 points or more after k = {counts[0]} (further digits read right):")
    for writer, digits in moved.items():
        print(f"  {writer}: {', '.join(digits) or 'none'}")
    print("\nall writers of a source together (further digits read right):")
    for source in dict.fromkeys(source for source, _, _ in writers):
        print(f"  {source}: before {100 * np.concatenate(totals[source, 0]).mean():.1f}%, "
              + ", ".join(f"after k = {count} {100 * np.concatenate(totals[source, count]).mean():.1f}%"
                          for count in counts)
              + f"; MNIST after k = {counts[0]}: {100 * np.mean(mnist_first[source]):.2f}% on average")


def teaching_writers():
    """The teaching bench's writers: [(source, writer, {(digit, style name): style})], the designed
    writer first, then each Hershey font (held out) when hershey-fonts is installed, then a writer of
    all the held-out designed styles (bench/strokes_held_out), then one of the styles to tune the
    teaching on (bench/strokes_teaching)."""
    writers = [("designed styles (teaching tuned on them, trained on)", "one writer, all of them",
                {(digit, name): style for digit, named in WRITER_STYLES.items() for name, style in named.items()})]
    try:
        fonts, _ = hershey_styles()
        for font in fonts[0]:
            writers.append(("Hershey fonts (held out)", font,
                            {(digit, font): fonts[digit][font] for digit in range(10) if font in fonts[digit]}))
    except ImportError:
        print("hershey-fonts is not installed (pip install -e '.[bench]'): designed styles only", file=sys.stderr)
    # Last, so that the writers before it meet the same digits and random numbers as before it came.
    writers.append(("designed styles held out", "one writer, all of them",
                    {(digit, name): style for digit, named in held_out_styles().items() for name, style in named.items()}))
    # Later still: a writer of styles neither trained nor held out, to tune the teaching on (the designed
    # writer's are trained on now, and all read right).
    writers.append(("designed styles for tuning teaching (not trained on)", "one writer, all of them",
                    {(digit, name): style for digit, named in held_out_styles(TEACHING_TUNING_DIR).items()
                     for name, style in named.items()}))
    return writers


# A writer's earlier taught digits, (images (m, 28, 28), labels (m,)), before the first.
NOTHING_TAUGHT = (np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64))


def let_stand_as_kept(image, answer):
    """A drawing let stand, as the window's Teacher keeps it: whole grey levels, and the answer."""
    return np.round(image).astype(np.uint8), answer


def teach_as_the_key_does(model, image, digit, random, earlier, replay, seconds, let_stand=None):
    """Teach `model` that `image` is `digit`, with the writer's `earlier` digits, the drawings they let
    stand ([(image, answer)], changed in place as the window's Teacher changes its own) and MNIST
    replayed, as the window's digit key does; append the seconds it took to `seconds`. Returns
    `earlier` with this drawing added (kept as whole grey levels, as the writer's digits file gives
    them back)."""
    from myonn.teaching import MOST_LET_STAND, teach_letting_stand

    let_stand = [] if let_stand is None else let_stand
    started = time.perf_counter()
    let_stand[:] = teach_letting_stand(model, image, digit, random, let_stand[-MOST_LET_STAND:],
                                       earlier=earlier, replay=replay)
    seconds.append(time.perf_counter() - started)
    return (np.concatenate([earlier[0], np.round(image)[None].astype(np.uint8)]), np.append(earlier[1], digit))


def drawn_in_session(model, image, digit, random, earlier, replay, seconds, let_stand):
    """One drawing of a session in the window: misread, its digit key teaches it (teach_as_the_key_does);
    read right, Space passes over it and it is let stand (appended to `let_stand`). Returns `earlier`,
    with the drawing added if it was taught."""
    if model.recognise(image) != digit:
        return teach_as_the_key_does(model, image, digit, random, earlier, replay, seconds, let_stand)
    let_stand.append(let_stand_as_kept(image, digit))
    return earlier


def writer_digits(styles, random, taught_strokes=None):
    """One writer's digits: {(digit, style): max(TEACH_COUNTS) drawings to teach from}, and
    FURTHER_DIGITS further drawings of each style (n, 28, 28) with their labels (n,), never taught.
    taught_strokes: a dict to fill with the strokes of the drawings to teach from, if wanted."""
    from myonn.handwriting import digit_pixels

    taught, further, labels = {}, [], []
    for (digit, name), style in styles.items():
        strokes = [write(style, random) for _ in range(max(TEACH_COUNTS))]
        taught[digit, name] = [digit_pixels(drawing) for drawing in strokes]
        if taught_strokes is not None:
            taught_strokes[digit, name] = strokes
        further += [digit_pixels(write(style, random)) for _ in range(FURTHER_DIGITS)]
        labels += [digit] * FURTHER_DIGITS
    return taught, np.array(further), np.array(labels)


def teaching_session(rounds, shipped, writers, random, teaching_random, replay, test_set):
    """The teaching bench as a session in the window goes: each round, the writer draws every one of
    their styles once (the round's drawing of it), and each drawing the network misreads is taught at
    once (one key press). After each round, the writer's further digits are read again."""
    import copy

    print("| source | writer | further digits read: before | "
          + " | ".join(f"after round {number} (key presses)" for number in range(1, rounds + 1))
          + " | MNIST after | seconds per teaching |")
    print("|---|---|---:|" + "---:|" * (rounds + 2))
    totals = {}
    for source, writer, styles in writers:
        taught, further, labels = writer_digits(styles, random)
        model = copy.deepcopy(shipped)
        earlier = NOTHING_TAUGHT
        right = model.scores(further).argmax(axis=1) == labels
        totals.setdefault((source, 0), []).append(right)
        row, seconds = [f"{100 * right.mean():.1f}%"], []
        let_stand = []
        for number in range(rounds):
            for digit, name in styles:
                earlier = drawn_in_session(model, taught[digit, name][number], digit, teaching_random, earlier,
                                           replay, seconds, let_stand)
            right = model.scores(further).argmax(axis=1) == labels
            totals.setdefault((source, number + 1), []).append(right)
            row.append(f"{100 * right.mean():.1f}% ({len(seconds)})")
        test_images, test_labels = test_set
        mnist = np.mean(model.scores(test_images).argmax(axis=1) == test_labels)
        totals.setdefault((source, "presses"), []).append(len(seconds))
        totals.setdefault((source, "mnist"), []).append(mnist)
        print(f"| {source} | {writer} | " + " | ".join(row) + f" | {100 * mnist:.2f}% | "
              f"{np.mean(seconds) if seconds else 0:.2f} |", flush=True)
    print("\nall writers of a source together (further digits read right):")
    for source in dict.fromkeys(source for source, _, _ in writers):
        print(f"  {source}: before {100 * np.concatenate(totals[source, 0]).mean():.1f}%, "
              + ", ".join(f"after round {number} {100 * np.concatenate(totals[source, number]).mean():.1f}%"
                          for number in range(1, rounds + 1))
              + f"; {np.mean(totals[source, 'presses']):.1f} key presses a writer; MNIST after: "
              f"{100 * np.mean(totals[source, 'mnist']):.2f}% on average, "
              f"{100 * min(totals[source, 'mnist']):.2f}% at worst")


def write_as_recordings(folder, per_digit, seed):
    """Stand-ins for real recordings, to try bench/real_handwriting.py on: each held-out writer of the
    teaching bench (teaching_writers) as folder/WRITER.jsonl, `per_digit` drawings of each of their
    digits (their styles of it taken in turn), in the format of the window's digits file. Digit by
    digit, as recordings are often made. Not real handwriting: made up here, as all this bench's."""
    from myonn.my_digits import append_digit

    random = np.random.default_rng(seed)
    written = 0
    writers = [(folder / f"{'designed-held-out' if source.startswith('designed') else writer}.jsonl", styles)
               for source, writer, styles in teaching_writers() if "held out" in source]
    # All looked for before any is written: a folder holding the last of them was left with the others added.
    there = [path for path, _ in writers if os.path.lexists(path)]
    if there:
        raise MyonnError(f"--as-recordings: {there[0]} is there already: write the stand-ins to a new folder")
    for path, styles in writers:
        for digit in range(10):
            names = [name for key_digit, name in styles if key_digit == digit]
            for number in range(per_digit if names else 0):
                append_digit(path, write(styles[digit, names[number % len(names)]], random), digit)
                written += 1
    print(f"wrote {written} drawings to {folder}")


def save_strokes(path, strokes):
    """A drawing as JSON for mnist_draw.py --replay: a list of strokes, each a list of [x, y]."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([[[round(float(x), 1), round(float(y), 1)] for x, y in stroke]
                                for stroke in strokes]) + "\n")


if __name__ == "__main__":
    cli.run(main)   # a missing or damaged model, a path that is not there: one line and exit status 2
