"""Browse the MNIST digits one at a time, as the talk's Digit Renderer does.

    python mnist_render.py                   the training set, from record 0
    python mnist_render.py --test --start 41
    python mnist_render.py --screenshot shot.png --keys "right space"

Keys and flags: python mnist_render.py --help, and myonn/windows/browser.py.
"""

import os
import signal

# Ctrl-C while Python is still loading NumPy (and pygame) stops at once and quietly: nothing has been
# written yet. cli.run hands Ctrl-C back to Python when the script's work begins.
signal.signal(signal.SIGINT, lambda signum, frame: os._exit(130))

from myonn.windows.browser import main  # noqa: E402
from myonn.cli import run  # noqa: E402


if __name__ == "__main__":
    run(main)
