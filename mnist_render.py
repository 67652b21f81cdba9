"""Browse the MNIST digits one at a time, as the talk's Digit Renderer does.

    python mnist_render.py                   the training set, from record 0
    python mnist_render.py --test --start 41
    python mnist_render.py --screenshot shot.png --keys "right space"

Keys and flags: python mnist_render.py --help, and myonn/windows/browser.py.
"""

import sys

try:  # Ctrl-C while Python is still loading NumPy and pygame is a plain exit, not a traceback
    from myonn.windows.browser import main
    from myonn.cli import run
except KeyboardInterrupt:
    sys.exit(130)


if __name__ == "__main__":
    run(main)
