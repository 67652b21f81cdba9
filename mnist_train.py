#!/usr/bin/env python3
"""Train the talk's 784-200-10 network on MNIST from the terminal, and save it.

    python mnist_train.py                       # the default recipe, saved as your own data/my_mnist_nn.npz
    python mnist_train.py --recipe best         # the shipped model's recipe, best on handwriting (under a minute)
    LIMIT=1000 EPOCHS=2 python mnist_train.py --recipe talk   # the talk's LIMIT, EPOCHS and RATE still work
    python mnist_train.py --help                # every flag
"""

import os

# Before NumPy: a Ctrl-C while it loads stops the script at once (myonn/early_ctrl_c.py), and says so as
# training.STOPPED_BEFORE_TRAINING does later.
from myonn.early_ctrl_c import stop_at_once_on_ctrl_c

stop_at_once_on_ctrl_c("stopped before any training: nothing saved")

import argparse  # noqa: E402

from myonn import cli, recipes  # noqa: E402
from myonn.model_store import own_model_path, shipped_model_path  # noqa: E402
from myonn.my_digits import default_path as default_digits_path  # noqa: E402
from myonn.network import CROSS_ENTROPY, SQUARED_ERROR  # noqa: E402
from myonn.training import STOPPED_BEFORE_TRAINING, train_from_settings  # noqa: E402

# Far beyond any useful run, and small enough that the arrays they ask for fit in memory (a batch's
# hidden nodes × batch size is bounded too: training.check_batch_fits).
MAX_EPOCHS, MAX_HIDDEN_NODES, MAX_BATCH_SIZE = 10_000, 10_000, 60_000
# 1,000 drawings of each of the 38 designed styles take about a minute to draw, and outnumber MNIST's 60,000
# digits' own styles: beyond that, drawn digits would be most of what the network learns.
MAX_DRAWN = 1_000
epoch_count = cli.whole_number_at_least(1, MAX_EPOCHS)


def parse_flags(argv=None):
    parser = cli.ArgumentParser(
        description="Train the talk's sigmoid network on MNIST and save it.",
        epilog="A recipe sets every training flag; flags given on the command line override it. "
               "The talk's environment variables RATE, LIMIT and EPOCHS act as defaults for "
               "--learning-rate, --limit and --epochs.")
    parser.add_argument("--recipe", choices=list(recipes.RECIPES),
                        help="a documented set of training settings (default: default; with --my-digits, best, "
                             "which keeps more of what you taught than the default recipe): "
                             + "; ".join(f"{name}: {recipe['about']}" for name, recipe in recipes.RECIPES.items()))
    default = recipes.RECIPES["default"]
    parser.add_argument("--epochs", type=epoch_count, metavar="N",
                        help=f"passes over the training images (default recipe: {default['epochs']})")
    parser.add_argument("--learning-rate", type=cli.positive_float, metavar="RATE",
                        help=f"the step size per sample at the start of training (default recipe: {default['learning_rate']}); "
                             "without --final-learning-rate the rate still falls by the recipe's ratio")
    parser.add_argument("--final-learning-rate", type=cli.positive_float, metavar="RATE",
                        help="the rate falls geometrically to this by the last batch "
                             "(set it equal to --learning-rate for the talk's constant rate; default recipe: "
                             f"{default['final_learning_rate']})")
    parser.add_argument("--hidden-nodes", type=cli.whole_number_at_least(1, MAX_HIDDEN_NODES), metavar="N", help=f"nodes in the hidden layer (default recipe: {default['hidden_nodes']})")
    parser.add_argument("--batch-size", type=cli.whole_number_at_least(1, MAX_BATCH_SIZE), metavar="N",
                        help=f"samples per weight update; 1 is the talk's per-sample training (default recipe: {default['batch_size']})")
    parser.add_argument("--cost", choices=(SQUARED_ERROR, CROSS_ENTROPY),
                        help=f"what training minimises: the talk's squared error, or cross-entropy (default recipe: {default['cost']})")
    parser.add_argument("--deskew", action=argparse.BooleanOptionalAction,
                        help="straighten slanted digits before they reach the network; the model file "
                             "records it, so every script prepares its input the same way")
    parser.add_argument("--augment", type=recipes.checked_augmentation, metavar="SPEC",
                        help="distort each training image afresh every epoch, e.g. "
                             f"'{recipes.RECIPES['best']['augment']}' (the best recipe's), or 'none'")
    parser.add_argument("--drawn", type=cli.whole_number_at_least(0, MAX_DRAWN), metavar="N",
                        help="add N digits of each designed style (myonn/drawn_styles.py), drawn with the drawing "
                             "window's pen by made-up writers, to the training images (without it, a --limit run "
                             f"draws its share of the recipe's); 0 for none (default recipe: {default['drawn']}, best: {recipes.RECIPES['best']['drawn']})")
    parser.add_argument("--shuffle", action=argparse.BooleanOptionalAction,
                        help="visit the images in a fresh random order every epoch; the talk goes in file order "
                             f"(default recipe: {default['shuffle']})")
    parser.add_argument("--limit", type=cli.positive_int, metavar="N",
                        help="train on the first N training records only, like the talk's LIMIT (and on the same "
                             "share of the recipe's drawn digits)")
    parser.add_argument("--seed", type=cli.non_negative_int, metavar="N",
                        help="make the starting weights, the shuffling and the augmentation repeatable")
    parser.add_argument("--float64", action="store_true",
                        help="compute in double precision (slower; float32 is plenty for 8-bit pixels)")
    parser.add_argument("--resume", type=cli.file_path, metavar="MODEL",
                        help="continue training this model (saved back to it unless --model says otherwise; "
                             "the shipped model and .yaml models continue into your own model)")
    parser.add_argument("--my-digits", type=cli.file_path, metavar="FILE",
                        help=f"mix your own digits (taught in mnist_draw.py, {cli.path_in_help(default_digits_path())}) "
                             "into the training images, repeated so that they make up about 1%% of them")
    cli.add_model_flag(parser, "where to save the trained model; the model it replaces is kept in backups/ beside it",
                       f"your own model, {cli.path_in_help(own_model_path())}; the shipped "
                       f"{cli.path_in_help(shipped_model_path())} is never overwritten")
    cli.add_data_dir_flag(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--watch", action="store_true",
                        help="watch it learn in a window: the learning curve, the hidden nodes' weights, the speed; "
                             "Space pauses and goes on, Right steps to the next moment (held: slow motion); Escape or "
                             "closing the window stops training and saves, as Ctrl-C does")
    parser.add_argument("--screenshot", type=cli.png_path, metavar="FILE.png",
                        help="write the training window's last frame to FILE.png (no display needed without --watch)")
    parser.add_argument("--plot", type=cli.png_path, metavar="FILE.png",
                        help="write the learning curve and the cost to FILE.png when training ends (no display needed)")
    flags = parser.parse_args(argv)
    # The talk's variables, read only where their flag was not given: a LIMIT left set wrong in the shell
    # stopped `--limit 300` and even --help, which never use it.
    for flag, variable, convert in [("epochs", "EPOCHS", epoch_count), ("learning_rate", "RATE", cli.positive_float),
                                    ("limit", "LIMIT", cli.positive_int)]:
        if getattr(flags, flag) is None:
            setattr(flags, flag, cli.environment_default(variable, convert, None))
    if flags.resume and (flags.hidden_nodes or flags.cost or flags.deskew is not None):
        parser.error("--resume keeps the model's own layer sizes, cost and input preparation: "
                     "leave out --hidden-nodes, --cost and --deskew")
    # realpath: "shot.png" and "./shot.png", or a link to it, are the same file too.
    if flags.plot and flags.screenshot and os.path.realpath(flags.plot) == os.path.realpath(flags.screenshot):
        parser.error(f"--plot and --screenshot both name {flags.plot}: the picture written last would replace "
                     "the other; give them different names")
    return flags


def main(argv=None):
    try:
        flags = parse_flags(argv)
        # Your digits are drawn digits: the best recipe reads drawn digits as the shipped model does, and a
        # retrain with it keeps what the digit keys taught; one with the default recipe keeps less of it
        # (bench/retrain.py: the fonts' further digits 92.3% against 96.7%).
        recipe = flags.recipe or ("best" if flags.my_digits else "default")
        settings = recipes.settings(recipe, vars(flags))
        watcher = None
        if flags.watch or flags.screenshot or flags.plot:
            from myonn.windows.training_window import Watcher  # pygame only when pictures are wanted
            watcher = Watcher(show=flags.watch, screenshot=flags.screenshot, plot=flags.plot)
    except KeyboardInterrupt:  # a Ctrl-C while pygame loads, say: from here on train_from_settings says it
        print(STOPPED_BEFORE_TRAINING)
        raise
    status = train_from_settings(settings, model_path=flags.model, resume=flags.resume, data_dir=flags.data_dir,
                                 limit=flags.limit, progress=not flags.no_progress, watch=watcher,
                                 my_digits=flags.my_digits)
    if watcher is not None:
        watcher.finish(status)
    return status


if __name__ == "__main__":
    cli.run(main)
