"""Small pygame drawing helpers shared by the windows: a digit as squares, big centred text, PNG files.

A digit's pixels follow MNIST's convention: grey levels 0..255 where 255 is ink. On screen ink is
drawn dark on white, as on paper: a pixel of level g gets the grey 255 - g.

Left out on purpose: windows, event loops and anything that knows about MNIST records or models
(that is browser.py).
"""

import functools
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # pygame greets on import otherwise
import pygame  # noqa: E402  (must come after the line above)

from myonn.errors import MyonnError  # noqa: E402

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)

# Where SDL puts a window when there is no screen at all: nobody could see it or press a key in it.
INVISIBLE_DRIVERS = ("offscreen", "dummy")


def open_window(size, title, hint="--screenshot FILE.png draws the view without one"):
    """Open the window (pygame.display) and return its surface; with no screen to show it on, one
    clear line (MyonnError) instead of an invisible window that would wait for keys forever.

    Asking for the invisible driver by name (SDL_VIDEODRIVER=dummy, as the tests do) is allowed.
    """
    no_display = MyonnError(f"no display to open a window on (is DISPLAY set?); {hint}")
    # On Linux with neither X nor Wayland there is nothing to find: say so before SDL, looking, prints
    # complaints of its own.
    if (sys.platform.startswith("linux") and not os.environ.get("SDL_VIDEODRIVER")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        raise no_display
    pygame.display.init()
    driver = pygame.display.get_driver()
    if driver in INVISIBLE_DRIVERS and os.environ.get("SDL_VIDEODRIVER") != driver:
        pygame.display.quit()
        raise no_display
    try:
        screen = pygame.display.set_mode(size)
    except pygame.error as error:
        pygame.display.quit()
        raise MyonnError(f"cannot open a window: {error}") from None
    pygame.display.set_caption(title)
    return screen


def grey_colour(level):
    """The screen colour for a grey level 0..255 (255 = ink): ink dark, background white."""
    shade = 255 - int(round(float(level)))
    return (shade, shade, shade)


def draw_grey_image(surface, pixels, rect):
    """Draw an image of grey levels (rows, columns), e.g. a 28×28 digit, as one square per pixel.

    pixels: grey levels 0..255 (255 = ink), any numeric dtype; values outside are clipped.
    rect: where on the surface, e.g. (0, 0, 672, 672) gives 24×24 squares for a 28×28 digit.
    Squares that do not divide the rect evenly differ in size by at most one screen pixel.
    """
    pixels = np.clip(np.asarray(pixels, dtype=np.float64), 0, 255)
    rect = pygame.Rect(rect)
    rows, columns = pixels.shape
    # Each square spans from its own edge to the next square's, so the squares tile the rect exactly.
    x_edges = [rect.left + column * rect.width // columns for column in range(columns + 1)]
    y_edges = [rect.top + row * rect.height // rows for row in range(rows + 1)]
    for row in range(rows):
        for column in range(columns):
            square = pygame.Rect(x_edges[column], y_edges[row],
                                 x_edges[column + 1] - x_edges[column], y_edges[row + 1] - y_edges[row])
            surface.fill(grey_colour(pixels[row, column]), square)


def draw_centred_text(surface, text, rect, size, colour=BLACK):
    """Draw one line of text in pygame's built-in font, `size` pixels high, centred in rect.

    Returns the Rect the text covers.
    """
    rendered = _font(int(size)).render(str(text), True, colour)
    placed = rendered.get_rect(center=pygame.Rect(rect).center)
    surface.blit(rendered, placed)
    return placed


def draw_caption(surface, text, height=40, colour=BLACK, background=(255, 255, 224, 220)):
    """Draw a line of text on a nearly opaque band across the bottom of the surface.

    For a short note over a picture (what it shows, or why a key did nothing). Returns the band's Rect.
    """
    band = pygame.Rect(0, surface.get_height() - height, surface.get_width(), height)
    shade = pygame.Surface(band.size, pygame.SRCALPHA)
    shade.fill(background)
    surface.blit(shade, band)
    draw_centred_text(surface, text, band, height * 7 // 10, colour)
    return band


def save_png(surface, path):
    """Write the surface to `path` as a PNG. Raises MyonnError for a name not ending .png or a failed write."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise MyonnError(f"{path}: a screenshot is written as PNG, so its name must end in .png")
    try:
        pygame.image.save(surface, str(path))
    except (pygame.error, OSError) as error:
        raise MyonnError(f"cannot write {path}: {error}") from None
    return path


@functools.lru_cache(maxsize=None)
def _font(size):
    if not pygame.font.get_init():
        pygame.font.init()
    return pygame.font.Font(None, size)


def update(window, screen, events):
    """One frame of a window's app: let it handle the events, then redraw it and its title.

    window: the app (browser.Browser, draw_window.Recognizer) with handle(event), draw(surface),
    title() and running. Tests call this too, after posting events, to drive an app headless.
    """
    for event in events:
        window.handle(event)
    if window.running:
        window.draw(screen)
        pygame.display.set_caption(window.title())
        pygame.display.flip()
