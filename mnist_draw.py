"""Draw a digit with the mouse and let the network recognise it, as the talk's Digit Recognizer does.

    python mnist_draw.py                          draw; Space recognises, Space again clears
    python mnist_draw.py --model mnist_nn.yaml    the Ruby original's trained model
    python mnist_draw.py --replay bench/strokes/7-crossbar.json --screenshot seven.png
    python mnist_draw.py --my-digits mine.jsonl   digit keys teach it your handwriting, kept in mine.jsonl

Mouse, keys and flags: python mnist_draw.py --help, and myonn/windows/draw_window.py.
"""

# Before NumPy and pygame: a Ctrl-C while they load stops the script at once, and quietly, for nothing
# has been written yet (myonn/early_ctrl_c.py).
from myonn.early_ctrl_c import stop_at_once_on_ctrl_c

stop_at_once_on_ctrl_c()

from myonn.cli import run  # noqa: E402
from myonn.windows.draw_window import main  # noqa: E402


if __name__ == "__main__":
    run(main)
