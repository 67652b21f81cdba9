"""The pygame windows: one module per window, and pictures.py for the drawing helpers they share.

What a window shows is computed by the modules above (the network, the data, evaluation), so tests can
check those numbers without a display.
"""
