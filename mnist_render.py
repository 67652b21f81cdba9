"""Browse the MNIST digits one at a time, as the talk's Digit Renderer does.

    python mnist_render.py                   the training set, from record 0
    python mnist_render.py --test --start 41
    python mnist_render.py --screenshot shot.png --keys "right space"

Keys and flags: python mnist_render.py --help, and myonn/windows/browser.py.
"""

# Before NumPy and pygame: a Ctrl-C while they load stops the script at once, and quietly, for nothing
# has been written yet (myonn/early_ctrl_c.py).
from myonn.early_ctrl_c import stop_at_once_on_ctrl_c

stop_at_once_on_ctrl_c()

from myonn.windows.browser import main  # noqa: E402
from myonn.cli import run  # noqa: E402


if __name__ == "__main__":
    run(main)
