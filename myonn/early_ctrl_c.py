"""Ctrl-C while a script is still loading: the first thing every script imports, before NumPy and pygame.

Loading them takes a second or so, and a Ctrl-C meanwhile was Python's KeyboardInterrupt, raised deep in
NumPy's imports: a traceback, for a script that had not yet done a thing. So this module imports nothing
but os and signal (under a millisecond), and stops the script at once instead (one started with Ctrl-C
ignored goes on ignoring it, to the end). cli.run hands Ctrl-C back to Python when the script's work
begins (a KeyboardInterrupt then, so that what is being written is cleaned up).

A bench script that another bench imports (or a test) calls it only when run itself, under
`if __name__ == "__main__"`: imported, it would take Ctrl-C from the script or the test importing it.
"""

import os
import signal


def stop_at_once_on_ctrl_c(saying=None):
    """From now until cli.run, a Ctrl-C ends the script at once with the shell's status for it (130),
    after printing the line `saying`, if given (the terminal shows only ^C).

    A script started with Ctrl-C ignored (in the background by a shell script, or by a program that
    ignores it) goes on ignoring it, as a well-behaved program does; cli.run leaves it so too."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        return

    def stop(signal_number, frame):
        if saying:
            try:
                os.write(1, f"{saying}\n".encode())
            except OSError:  # standard output closed, or its reader gone: the status still says it
                pass
        os._exit(130)

    signal.signal(signal.SIGINT, stop)
