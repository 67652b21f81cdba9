#!/usr/bin/env python3
"""Train the talk's 784-200-10 network on MNIST from the terminal, and save it.

    python mnist_train.py                       # the default recipe, saved to data/mnist_nn.npz
    python mnist_train.py --recipe best         # the most accurate recipe (a few minutes)
    LIMIT=1000 EPOCHS=2 python mnist_train.py   # the talk's environment variables still work
    python mnist_train.py --help                # every flag
"""

import argparse
from pathlib import Path

from myonn import cli, recipes
from myonn.training import train_from_settings


def parse_flags(argv=None):
    parser = cli.ArgumentParser(
        description="Train the talk's sigmoid network on MNIST and save it.",
        epilog="A recipe sets every training flag; flags given on the command line override it. "
               "The talk's environment variables RATE, LIMIT and EPOCHS act as defaults for "
               "--learning-rate, --limit and --epochs.")
    parser.add_argument("--recipe", choices=sorted(recipes.RECIPES), default="default",
                        help="a documented set of training settings (default: %(default)s); "
                             + "; ".join(f"{name}: {recipe['about']}" for name, recipe in recipes.RECIPES.items()))
    parser.add_argument("--epochs", type=cli.positive_int,
                        default=cli.environment_default("EPOCHS", cli.positive_int, None),
                        help="passes over the training images")
    parser.add_argument("--learning-rate", type=cli.positive_float,
                        default=cli.environment_default("RATE", cli.positive_float, None),
                        help="the step size per sample at the start of training")
    parser.add_argument("--final-learning-rate", type=cli.positive_float,
                        help="the rate falls geometrically to this by the last batch "
                             "(set it equal to --learning-rate for the talk's constant rate)")
    parser.add_argument("--hidden-nodes", type=cli.positive_int, help="nodes in the hidden layer")
    parser.add_argument("--batch-size", type=cli.positive_int,
                        help="samples per weight update; 1 is the talk's per-sample training")
    parser.add_argument("--cost", choices=("squared_error", "cross_entropy"),
                        help="what training minimises: the talk's squared error, or cross-entropy")
    parser.add_argument("--deskew", action=argparse.BooleanOptionalAction,
                        help="straighten slanted digits before they reach the network; the model file "
                             "records it, so every script prepares its input the same way")
    parser.add_argument("--augment", type=recipes.checked_augmentation, metavar="SPEC",
                        help="distort each training image afresh every epoch, e.g. "
                             "'shift=2,rotation=10,scale=0.1,elastic=8:3', or 'none'")
    parser.add_argument("--limit", type=cli.positive_int,
                        default=cli.environment_default("LIMIT", cli.positive_int, None),
                        help="train on the first N training records only, like the talk's LIMIT")
    parser.add_argument("--seed", type=cli.non_negative_int,
                        help="make the starting weights, the shuffling and the augmentation repeatable")
    parser.add_argument("--float64", action="store_true",
                        help="compute in double precision (slower; float32 is plenty for 8-bit pixels)")
    parser.add_argument("--resume", type=Path, metavar="MODEL",
                        help="continue training this model (saved back to it unless --model says otherwise)")
    cli.add_model_flag(parser, "where to save the trained model")
    cli.add_data_dir_flag(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def main(argv=None):
    flags = parse_flags(argv)
    settings = recipes.settings(flags.recipe, vars(flags))
    return train_from_settings(settings, model_path=flags.model, resume=flags.resume, data_dir=flags.data_dir,
                        limit=flags.limit, progress=not flags.no_progress)


if __name__ == "__main__":
    cli.run(main)
