#!/usr/bin/env python3
"""Measure a trained model on the 10,000 MNIST test images, as the talk's mnist_test.rb does.

    python mnist_test.py                          # your own model if you have one, else the shipped one
    python mnist_test.py --model data/mnist_nn.npz  # the shipped model
    python mnist_test.py --model mnist_nn.yaml    # a model trained with the talk's Ruby code

Prints the accuracy first, in the talk's form (97.6%), then per digit, then the confusion matrix.
`--show` then opens the Test results window (myonn/windows/test_results.py); `--weights` opens it on
what the model's hidden nodes look for.
"""

import sys

# Before NumPy and pygame: a Ctrl-C while they load stops the script at once, and quietly, for nothing
# has been written yet (myonn/early_ctrl_c.py).
from myonn.early_ctrl_c import stop_at_once_on_ctrl_c

stop_at_once_on_ctrl_c()

from myonn import cli  # noqa: E402
from myonn.evaluation import answers, report  # noqa: E402
from myonn.mnist import TEST, load_mnist  # noqa: E402
from myonn.model_store import load_chosen_model  # noqa: E402


def main(argv=None):
    parser = cli.ArgumentParser(description="Measure a trained model on the MNIST test images.")
    cli.add_model_flag(parser)
    cli.add_data_dir_flag(parser)
    parser.add_argument("--limit", type=cli.positive_int, metavar="N", help="test on the first N test records only")
    parser.add_argument("--show", action="store_true",
                        help="then open the Test results window: the confusion matrix as a heat map; click a "
                             "cell for its images, an image to see it large; W: what its hidden nodes look for; "
                             "Escape goes back")
    parser.add_argument("--screenshot", type=cli.png_path, metavar="FILE.png",
                        help="draw the Test results window to FILE.png without opening it")
    parser.add_argument("--cell", type=cli.confusion_cell, metavar="TRUE,ANSWER[,N]",
                        help="with --show or --screenshot: open this cell of the matrix (e.g. 7,2: the 7s read "
                             "as 2), or its N-th image (7,2,1), most confident first")
    parser.add_argument("--weights", action="store_true",
                        help="with --show or --screenshot: open what the model's hidden nodes look for (their "
                             "input weights as images) instead of the matrix (W in the window)")
    flags = parser.parse_args(argv)
    if flags.cell and not (flags.show or flags.screenshot):
        parser.error("--cell needs --show or --screenshot")
    if flags.weights and not (flags.show or flags.screenshot):
        parser.error("--weights needs --show or --screenshot")
    if flags.weights and flags.cell:
        parser.error("--weights and --cell open different views: choose one")
    model, about = load_chosen_model(flags.model)
    images, labels = load_mnist(TEST, flags.data_dir, limit=flags.limit)
    print(about, file=sys.stderr)
    given = answers(model, images)
    if flags.cell:  # a cell's image that is not there is said before the report, not after it
        from myonn.windows import test_results
        test_results.check_cell(labels, given, flags.cell)
    print(report(labels, given), flush=True)
    if flags.show or flags.screenshot:
        from myonn.windows import test_results  # pygame only when the window is wanted
        test_results.show(images, labels, model, cell=flags.cell, screenshot=flags.screenshot, weights=flags.weights)


if __name__ == "__main__":
    cli.run(main)
