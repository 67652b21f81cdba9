#!/usr/bin/env python3
"""Measure a trained model on the 10,000 MNIST test images, as the talk's mnist_test.rb does.

    python mnist_test.py                          # data/mnist_nn.npz
    python mnist_test.py --model mnist_nn.yaml    # a model trained with the talk's Ruby code

Prints the accuracy first, in the talk's form (97.6%), then per digit, then the confusion matrix.
`--show` then opens the Test results window (myonn/windows/test_results.py).
"""

from myonn import cli
from myonn.evaluation import answers, report
from myonn.mnist import TEST, load_mnist
from myonn.model import load_model


def main(argv=None):
    parser = cli.ArgumentParser(description="Measure a trained model on the MNIST test images.")
    cli.add_model_flag(parser)
    cli.add_data_dir_flag(parser)
    parser.add_argument("--limit", type=cli.positive_int, help="test on the first N test records only")
    parser.add_argument("--show", action="store_true",
                        help="then open the Test results window: the confusion matrix as a heat map; click a "
                             "cell for its images, an image to see it large; Escape goes back")
    parser.add_argument("--screenshot", type=cli.png_path, metavar="FILE.png",
                        help="draw the Test results window to FILE.png without opening it")
    parser.add_argument("--cell", type=cli.confusion_cell, metavar="TRUE,ANSWER[,N]",
                        help="with --show or --screenshot: open this cell of the matrix (e.g. 7,2: the 7s read "
                             "as 2), or its N-th image (7,2,1), most confident first")
    flags = parser.parse_args(argv)
    if flags.cell and not (flags.show or flags.screenshot):
        parser.error("--cell needs --show or --screenshot")
    model = load_model(flags.model)
    images, labels = load_mnist(TEST, flags.data_dir, limit=flags.limit)
    print(report(labels, answers(model, images)), flush=True)
    if flags.show or flags.screenshot:
        from myonn.windows import test_results  # pygame only when the window is wanted
        test_results.show(images, labels, model, cell=flags.cell, screenshot=flags.screenshot)


if __name__ == "__main__":
    cli.run(main)
