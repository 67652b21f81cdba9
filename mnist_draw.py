"""Draw a digit with the mouse and let the network recognise it, as the talk's Digit Recognizer does.

    python mnist_draw.py                          draw; Space recognises, Space again clears
    python mnist_draw.py --model mnist_nn.yaml    the Ruby original's trained model
    python mnist_draw.py --replay bench/strokes/7-crossbar.json --screenshot docs/draw-7.png
    python mnist_draw.py --my-digits mine.jsonl   digit keys teach it your handwriting, kept in mine.jsonl

Mouse, keys and flags: python mnist_draw.py --help, and myonn/windows/draw_window.py.
"""

import sys

try:  # Ctrl-C while Python is still loading NumPy and pygame is a plain exit, not a traceback
    from myonn.cli import run
    from myonn.windows.draw_window import main
except KeyboardInterrupt:
    sys.exit(130)


if __name__ == "__main__":
    run(main)
