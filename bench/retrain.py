"""Does a retrain keep what you taught? `mnist_train.py --my-digits`, measured on the teaching bench's writers.

    python bench/retrain.py                       # the best recipe, 3 drawings of each misread style
    python bench/retrain.py --recipe default      # the quick recipe (mnist_train.py's default)
    python bench/retrain.py --count 1 --seed 1    # one drawing of each; other writers' hands

The writers are those of `bench/handwriting.py --teach` (the designed writer's styles that MNIST lacks,
and, held out, each Hershey font as a writer), with the same digits for the same --seed. For each,
the first k drawings of each style the shipped model misreads are written to a digits file exactly as
the drawing window's digit keys write them (myonn/my_digits.py), and four models read the writer's
further digits (never taught) and MNIST's test set:

    shipped            the shipped model, as the writer finds it
    keys               the shipped model taught those drawings one by one, as the digit keys do (the
                       writer having first drawn each style once and let stand those read right, as
                       in bench/handwriting.py --teach)
    retrained without  the recipe trained afresh, without the writer's digits: the reference
    retrained with     the recipe trained afresh with the writer's file, as mnist_train.py --my-digits does

Both retrainings start from the same seed (that of the shipped model, 1), so they differ only by the
writer's digits. One training per writer and one for the reference: about 50 s each with the best
recipe on this project's 2-core machine, so some 9 minutes in all (needs MNIST, and for the fonts
`pip install -e '.[bench]'`).
"""

import copy
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from myonn.early_ctrl_c import stop_at_once_on_ctrl_c  # noqa: E402

if __name__ == "__main__":  # run, not imported by another bench or a test: myonn/early_ctrl_c.py
    stop_at_once_on_ctrl_c()

import numpy as np  # noqa: E402

import handwriting as bench  # noqa: E402  (bench/handwriting.py: the writers and their digits)
from myonn import cli, recipes  # noqa: E402
from myonn.errors import MyonnError  # noqa: E402
from myonn.mnist import TEST, TRAIN, load_mnist  # noqa: E402
from myonn.model import load_model, shipped_model_path  # noqa: E402
from myonn.my_digits import append_digit  # noqa: E402
from myonn.teaching import ReplayedDigits  # noqa: E402
from myonn.training import train_from_settings  # noqa: E402

SHIPPED_SEED = 1  # the shipped model is `mnist_train.py --recipe best --seed 1`


def retrained(recipe, folder, name, my_digits=None):
    """A model trained by mnist_train.py's own code with `recipe` (seed SHIPPED_SEED), with the digits
    file `my_digits` mixed in or none; returns it and the seconds it took."""
    settings = recipes.settings(recipe, {"seed": SHIPPED_SEED})
    path = Path(folder) / f"{name}.npz"
    started = time.perf_counter()
    status = train_from_settings(settings, model_path=path, progress=False, report=lambda line: None,
                                 my_digits=my_digits)
    if status == 130:  # a Ctrl-C stopped it (training's first one saves): the bench stops too, exit status 130
        raise KeyboardInterrupt
    if status != 0:
        raise MyonnError(f"training {name} learned nothing (its network was no better than guessing): "
                         "no table without it")
    return load_model(path), time.perf_counter() - started


def main():
    parser = cli.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipe", choices=list(recipes.RECIPES), default="best",
                        help="the recipe retrained with and without the writer's digits (default best)")
    parser.add_argument("--count", type=cli.whole_number_at_least(1, max(bench.TEACH_COUNTS)), default=3,
                        metavar="K", help="drawings of each misread style in the writer's file (default 3)")
    parser.add_argument("--seed", type=cli.non_negative_int, default=2019, help="the writers' random seed (default 2019)")
    arguments = parser.parse_args()

    shipped = load_model(shipped_model_path())
    test_images, test_labels = load_mnist(TEST)
    replay = ReplayedDigits(shipped, *load_mnist(TRAIN))

    def mnist(model):
        return np.mean(model.scores(test_images).argmax(axis=1) == test_labels)

    writers = bench.teaching_writers()
    random, teaching_random = np.random.default_rng(arguments.seed), np.random.default_rng(arguments.seed + 1)
    print(f"recipe {arguments.recipe}, trained with seed {SHIPPED_SEED}; {arguments.count} drawings of each "
          f"misread style in the writer's file; writers' seed {arguments.seed}; shipped model "
          f"{100 * mnist(shipped):.2f}% on MNIST\n")
    with tempfile.TemporaryDirectory() as folder:
        reference, seconds = retrained(arguments.recipe, folder, "reference")
        print(f"reference (retrained without anyone's digits): {100 * mnist(reference):.2f}% on MNIST, "
              f"{seconds:.0f} s\n", flush=True)
        print("| source | writer | styles misread | digits in the file | further digits read: shipped | keys "
              "| retrained without | **retrained with** | MNIST: keys | retrained with | seconds to retrain |")
        print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        totals = {}
        for number, (source, writer, styles) in enumerate(writers):
            strokes = {}
            taught, further, labels = bench.writer_digits(styles, random, taught_strokes=strokes)
            right = shipped.scores(further).argmax(axis=1) == labels
            misread = [key for index, key in enumerate(styles)
                       if right[index * bench.FURTHER_DIGITS:(index + 1) * bench.FURTHER_DIGITS].mean()
                       < bench.MISREAD_BELOW]
            names = ", ".join(str(digit) if name == writer else f"{digit} {name}" for digit, name in misread)
            if not misread:
                print(f"| {source} | {writer} | none | 0 | {100 * right.mean():.1f}% | | | | | | |")
                continue
            digits_file = Path(folder) / f"writer{number}.jsonl"
            keys, earlier = copy.deepcopy(shipped), bench.NOTHING_TAUGHT
            let_stand = [bench.let_stand_as_kept(taught[key][0], key[0]) for key in styles
                         if shipped.recognise(taught[key][0]) == key[0]]
            for index in range(arguments.count):   # in the order the teaching bench teaches them
                for digit, name in misread:
                    append_digit(digits_file, strokes[digit, name][index], digit)
                    earlier = bench.teach_as_the_key_does(keys, taught[digit, name][index], digit, teaching_random,
                                                          earlier, replay, [], let_stand)
            model, seconds = retrained(arguments.recipe, folder, f"writer{number}", digits_file)
            columns = {"shipped": right, "keys": keys.scores(further).argmax(axis=1) == labels,
                       "without": reference.scores(further).argmax(axis=1) == labels,
                       "with": model.scores(further).argmax(axis=1) == labels}
            for column, read in columns.items():
                totals.setdefault((source, column), []).append(read)
            totals.setdefault((source, "mnist keys"), []).append(mnist(keys))
            totals.setdefault((source, "mnist with"), []).append(mnist(model))
            print(f"| {source} | {writer} | {names} | {len(misread) * arguments.count} | "
                  + " | ".join(f"{100 * read.mean():.1f}%" for read in columns.values())
                  + f" | {100 * mnist(keys):.2f}% | {100 * mnist(model):.2f}% | {seconds:.0f} |", flush=True)
    print("\nall writers of a source together (further digits read right; MNIST on average):")
    for source in dict.fromkeys(source for source, _, _ in writers):
        if (source, "with") not in totals:
            continue
        print(f"  {source}: " + ", ".join(f"{column} {100 * np.concatenate(totals[source, column]).mean():.1f}%"
                                         for column in ("shipped", "keys", "without", "with"))
              + f"; MNIST keys {100 * np.mean(totals[source, 'mnist keys']):.2f}%, "
              f"with {100 * np.mean(totals[source, 'mnist with']):.2f}%")


if __name__ == "__main__":
    cli.run(main)   # no MNIST: one line and exit status 2; Ctrl-C: exit 130, the models trained so far removed
