"""Small pygame drawing helpers shared by the windows: a digit as squares, big centred text, PNG files,
weights in a diverging colour scale, a learning curve; and opening a window sized to the screen,
waiting for its events and drawing its app's picture into it, scaled to fit (update).

A digit's pixels follow MNIST's convention: grey levels 0..255 where 255 is ink. On screen ink is
drawn dark on white, as on paper: a pixel of level g gets the grey 255 - g.

Left out on purpose: the windows' own event loops and anything that knows about MNIST records or
models (browser.py, draw_window.py, ...).
"""

import functools
import io
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # pygame greets on import otherwise
import pygame  # noqa: E402  (must come after the line above)

from myonn.errors import MyonnError, shortened  # noqa: E402
from myonn.mnist import shared_file_mode  # noqa: E402
from myonn.paths import for_tempfile  # noqa: E402

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
GAP_COLOUR = (150, 150, 150)
# An answer, where every window says the same: green when it is the digit's label, red when it is not,
# and blue where nobody has said which digit it is (what you draw).
RIGHT_COLOUR = (0, 110, 0)
WRONG_COLOUR = (190, 0, 0)
ANSWER_COLOUR = (30, 70, 160)

# Weights in a diverging scale: negative blue, zero white, positive red, so the sign is seen at a
# glance and a weight near zero (a pixel the node ignores) fades into the paper.
NEGATIVE_COLOUR = (33, 102, 172)
POSITIVE_COLOUR = (178, 24, 43)
DIVERGING_PALETTE = np.array(
    [[round(255 + (end - 255) * abs(step - 127.5) / 127.5) for end in (NEGATIVE_COLOUR if step < 128 else POSITIVE_COLOUR)]
     for step in range(256)], dtype=np.uint8)

# Where SDL puts a window when there is no screen at all: nobody could see it or press a key in it.
INVISIBLE_DRIVERS = ("offscreen", "dummy")

# A window larger than the screen is opened smaller, its picture scaled down to fit, leaving this much
# of the screen (width, height) to the window's frame, its title bar and a task bar. A projector of
# 1024×768 showed the drawing window (1260×672) with both its sides cut off. Below half its size the
# writing would be too small to read: a window is never made smaller than that.
SCREEN_MARGINS = (16, 96)
SMALLEST_SCALE = 0.5
NEARLY_WHOLE = 0.97


def open_window(size, title, hint="--screenshot FILE.png draws the view without one"):
    """Open the window (pygame.display) and return its surface; with no screen to show it on, one
    clear line (MyonnError) instead of an invisible window that would wait for keys forever.

    Asking for the invisible driver by name (SDL_VIDEODRIVER=dummy, as the tests do) is allowed.
    """
    display = os.environ.get("DISPLAY")
    question = f"DISPLAY={display}: is its X server running?" if display else "is DISPLAY set?"
    no_display = MyonnError(f"no display to open a window on ({question}); {hint}")
    # On Linux with neither X nor Wayland there is nothing to find: say so before SDL, looking, prints
    # complaints of its own.
    if (sys.platform.startswith("linux") and not os.environ.get("SDL_VIDEODRIVER")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        raise no_display
    try:
        pygame.display.init()
    except pygame.error as error:  # SDL_VIDEODRIVER naming a driver this machine lacks (wayland over ssh)
        asked = os.environ.get("SDL_VIDEODRIVER")
        raise MyonnError(f"no display to open a window on ({f'SDL_VIDEODRIVER={asked}: ' if asked else ''}"
                         f"{error}); {hint}") from None
    driver = pygame.display.get_driver()
    if driver in INVISIBLE_DRIVERS and os.environ.get("SDL_VIDEODRIVER") != driver:
        pygame.display.quit()
        raise no_display
    try:
        screen = pygame.display.set_mode(fitted_size(size, desktop_size()))
    except pygame.error as error:
        pygame.display.quit()
        raise MyonnError(f"cannot open a window: {error}") from None
    set_title(title)
    _opened.clear()
    _opened.append(screen)
    return screen


# The surface open_window returned. A window manager that resizes the window (a tiling one does, at
# once) makes SDL replace the window's surface: the one returned keeps its old size, and drawing on
# it showed black or scrambled pixels until the next event. update() draws on the current one.
_opened = []


def set_title(title):
    """The window's title. A file's name in it may hold bytes that are no text (Python keeps them as
    surrogates), which SDL refuses with a traceback: those are shown as '?'."""
    pygame.display.set_caption(title.encode("utf-8", "replace").decode("utf-8"))


def desktop_size():
    """The size of the screen a window opens on, or None where there is none to see (the invisible
    drivers of tests and screenshots, which draw at full size)."""
    if pygame.display.get_driver() in INVISIBLE_DRIVERS:
        return None
    sizes = pygame.display.get_desktop_sizes()
    return sizes[0] if sizes else None


def fitted_size(size, desktop):
    """The size to open a window of `size` at on a screen of size `desktop` (None: any): `size`, or, on a
    smaller screen, smaller in both directions alike (at most SMALLEST_SCALE smaller), so that all of it
    shows. update() then scales the window's picture, and the mouse's positions, to match."""
    if desktop is None:
        return size
    room = (desktop[0] - SCREEN_MARGINS[0]) / size[0], (desktop[1] - SCREEN_MARGINS[1]) / size[1]
    scale = max(SMALLEST_SCALE, min(1.0, *room))
    if scale >= NEARLY_WHOLE:  # resampling would blur every line for a few pixels: the margins have room
        return size
    return round(size[0] * scale), round(size[1] * scale)


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


def weight_tiles(images, columns, gap=1):
    """Weight images (n, rows, cols), any sign, as one RGB picture of tiles in the diverging scale.

    Each tile is scaled to its own largest weight, so every node's pattern shows whatever the size of
    its weights. Tiles go left to right, `columns` to a row, `gap` grey pixels apart.
    Returns uint8 (tile_rows × (rows + gap) − gap, columns × (cols + gap) − gap, 3).
    """
    images = np.asarray(images, dtype=np.float32)
    count, rows, cols = images.shape
    largest = np.abs(images).reshape(count, -1).max(axis=1)[:, None, None]
    levels = np.rint((images / np.where(largest > 0, largest, 1) + 1) * 127.5).astype(np.uint8)
    tile_rows = -(-count // columns)
    levels = np.concatenate([levels, np.full((tile_rows * columns - count, rows, cols), 128, np.uint8)])
    picture = DIVERGING_PALETTE[levels]  # (n, rows, cols, 3)
    picture[count:] = GAP_COLOUR  # the last row's empty places
    picture = np.pad(picture, ((0, 0), (0, gap), (0, gap), (0, 0)))
    picture[:, rows:, :] = GAP_COLOUR
    picture[:, :, cols:] = GAP_COLOUR
    picture = picture.reshape(tile_rows, columns, rows + gap, cols + gap, 3).transpose(0, 2, 1, 3, 4)
    picture = picture.reshape(tile_rows * (rows + gap), columns * (cols + gap), 3)
    return picture[:picture.shape[0] - gap, :picture.shape[1] - gap]


def hidden_nodes(shown, total):
    """Which hidden nodes a picture shows, in words: "200 hidden nodes", "1 hidden node", or "first 400
    of 10,000 hidden nodes" (a network of more than a picture can hold)."""
    if shown == total:
        return f"{total:,} hidden node{'s' if total != 1 else ''}"
    return f"first {shown:,} of {total:,} hidden nodes"


def signed(value):
    """A weighted sum or a push for a panel: +6.59, and +1.2e+30 rather than thirty digits."""
    return f"{value:+.2f}" if abs(value) < 1e5 else f"{value:+.2g}"


def tile_columns(count, area, most=20):
    """How many weight tiles to a row, for `count` of them in `area`: the most (up to `most`) that makes
    the tiles largest (20 for the talk's 200 hidden nodes in a 2:1 area; 6 for 12, whose tiles then
    fill the area instead of a strip)."""
    area = pygame.Rect(area)

    def tile_side(columns):
        return min(area.width / columns, area.height / -(-count // columns))

    def empty_places(columns):
        return -count % columns

    return max(range(1, most + 1), key=lambda columns: (round(tile_side(columns), 6), -empty_places(columns), columns))


def _tiles_scale(count, area, side=28, gap=1):
    """(columns, screen pixels per picture pixel) of `count` weight tiles drawn by draw_weight_tiles."""
    columns = tile_columns(count, area)
    rows = -(-count // columns)
    return columns, min(area.width / (columns * (side + gap) - gap), area.height / (rows * (side + gap) - gap))


def draw_weight_tiles(surface, images, area):
    """Weight images (n, 28, 28) as tiles (weight_tiles), as large as fit in `area`, from its top left.
    Large tiles show their pixels; small ones, smoothed, their shapes. Returns the Rect drawn."""
    area = pygame.Rect(area)
    columns, scale = _tiles_scale(len(images), area)
    tiles = weight_tiles(images, columns)
    drawn = pygame.Rect(area.left, area.top, round(tiles.shape[1] * scale), round(tiles.shape[0] * scale))
    draw_picture(surface, tiles, drawn, smooth=scale < 2)
    return drawn


def weight_tile_at(position, count, area, side=28, gap=1):
    """The tile (its number) under a screen position, of `count` drawn by draw_weight_tiles in `area`,
    or None (off the tiles, or on a gap between them). Also returns where that tile is: (number, Rect)."""
    if position is None:
        return None, None
    area = pygame.Rect(area)
    columns, scale = _tiles_scale(count, area)
    pitch = (side + gap) * scale
    x, y = position[0] - area.left, position[1] - area.top
    if x < 0 or y < 0:
        return None, None
    column, row = int(x // pitch), int(y // pitch)
    number = row * columns + column
    if column >= columns or number >= count or x - column * pitch > side * scale or y - row * pitch > side * scale:
        return None, None
    return number, pygame.Rect(round(area.left + column * pitch), round(area.top + row * pitch),
                               round(side * scale), round(side * scale))


def draw_pointed_node(surface, node, image, topleft, side):
    """Hidden node `node` pointed at: its weights' tile (`image`, 28×28) drawn `side` pixels large at
    `topleft` under a line naming it, and beside it what its colours mean."""
    left, top = topleft
    draw_text(surface, f"node {node}: what it looks for", (left, top), 22)
    large = pygame.Rect(left, top + 26, side, side)
    draw_picture(surface, weight_tiles(image[None], columns=1), large)
    pygame.draw.rect(surface, (60, 60, 60), large.inflate(2, 2), 1)
    for row, text in enumerate(("red: ink here", "excites it,", "blue: calms it")):
        draw_text(surface, text, (large.right + 12, large.top + 4 + 26 * row), 22)


def draw_weight_legend(surface, topleft):
    """What the weight tiles' colours mean: the diverging scale from negative to positive, below-left of
    `topleft`, with its labels (about 256 × 115 pixels)."""
    left, top = topleft
    draw_text(surface, "weight colours:", (left, top), 22)
    key = pygame.Rect(left, top + 22, 256, 18)
    draw_picture(surface, DIVERGING_PALETTE[None, :, :], key)
    pygame.draw.rect(surface, (60, 60, 60), key, 1)
    for text, x in (("negative", key.left), ("0", key.centerx - 5), ("positive", key.right - 64)):
        draw_text(surface, text, (x, key.bottom + 4), 22)
    draw_text(surface, "each tile scaled to its own", (left, key.bottom + 28), 22)
    draw_text(surface, "largest weight", (left, key.bottom + 48), 22)


def rgb_surface(picture):
    """A pygame Surface of an RGB picture, uint8 (height, width, 3)."""
    picture = np.ascontiguousarray(picture, dtype=np.uint8)
    height, width = picture.shape[:2]
    return pygame.image.frombuffer(picture.tobytes(), (width, height), "RGB")


def draw_picture(surface, picture, rect, smooth=False):
    """Draw an RGB picture (height, width, 3) scaled to fill rect: blocky squares, or smoothed."""
    rect = pygame.Rect(rect)
    scale = pygame.transform.smoothscale if smooth else pygame.transform.scale
    surface.blit(scale(rgb_surface(picture), rect.size), rect)


def text_picture(text, size, colour=BLACK):
    """One line of text in pygame's built-in font, `size` pixels high, as a Surface (to place or turn)."""
    return _font(int(size)).render(str(text), True, colour)


def draw_text(surface, text, topleft, size, colour=BLACK):
    """Draw one line of text with its top-left corner at `topleft`; returns the Rect it covers."""
    return surface.blit(text_picture(text, size, colour), topleft)


INK_PALETTE = [grey_colour(level) for level in range(256)]  # grey level 0..255 -> white..black


def draw_grey_picture(surface, pixels, rect):
    """draw_grey_image's look, drawn as one scaled 8-bit picture: for many images a frame, e.g. thumbnails.

    pixels: grey levels (rows, columns), 255 = ink, clipped to 0..255; rect: where, scaled to fill it.
    """
    levels = np.ascontiguousarray(np.clip(np.rint(np.asarray(pixels, dtype=np.float32)), 0, 255).astype(np.uint8))
    picture = pygame.image.frombuffer(levels.tobytes(), levels.shape[::-1], "P")
    picture.set_palette(INK_PALETTE)
    rect = pygame.Rect(rect)
    surface.blit(pygame.transform.scale(picture, rect.size), rect)


def draw_centred_text(surface, text, rect, size, colour=BLACK):
    """Draw one line of text in pygame's built-in font, `size` pixels high, centred in rect.

    Returns the Rect the text covers.
    """
    rendered = _font(int(size)).render(str(text), True, colour)
    placed = rendered.get_rect(center=pygame.Rect(rect).center)
    surface.blit(rendered, placed)
    return placed


def draw_caption(surface, text, height=40, colour=BLACK, background=(255, 255, 224, 220), note=None):
    """Draw a line of text on a nearly opaque band across the bottom of the surface, and under it,
    a little smaller, an optional `note` (the band grows to hold it; a note too long for the band is
    drawn smaller still, down to NOTE_SMALLEST, and past that shortened in its middle, rather than cut
    off at both ends).

    For a short note over a picture (what it shows, or why a key did nothing). Returns the band's Rect.
    """
    # Nine tenths of the line: at three quarters, notes were 8 or 9 pixels high on a 1280×720 projector.
    note_height = height * 9 // 10 if note else 0
    band = pygame.Rect(0, surface.get_height() - height - note_height, surface.get_width(), height + note_height)
    shade = pygame.Surface(band.size, pygame.SRCALPHA)
    shade.fill(background)
    surface.blit(shade, band)
    draw_centred_text(surface, text, (band.left, band.top, band.width, height), height * 7 // 10, colour)
    if note:
        size = size_to_fit(note, band.width - 8, note_height * 7 // 10, NOTE_SMALLEST)
        note = shortened_to_fit(note, _font(size), band.width - 8)
        draw_centred_text(surface, note, (band.left, band.top + height - 6, band.width, note_height), size, colour)
    return band


NOTE_SMALLEST = 14  # a caption's note is never drawn smaller than this, however long


def size_to_fit(text, width, size, smallest):
    """The largest text size from `size` down to `smallest` at which `text` is at most `width` pixels
    wide (`smallest` if none is)."""
    while size > smallest and _font(size).size(str(text))[0] > width:
        size -= 1
    return size


def shortened_to_fit(text, font, width):
    """`text` as it is if `font` draws it at most `width` pixels wide, else with characters taken from
    its middle and "…" in their place until it is: a path's beginning and its file name both stay (a
    note naming the shipped model from a folder far from the project ran off both ends)."""
    limit = len(text)
    while limit > 2 and font.size(shortened(text, limit))[0] > width:
        limit -= 1
    return shortened(text, limit)


def save_png(surface, path):
    """Write the surface to `path` as a PNG. Raises MyonnError for a name not ending .png or a failed write."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise MyonnError(f"{shortened(path)}: a screenshot is written as PNG, so its name must end in .png")
    # Encoded in memory (libpng, writing to a full disk itself, printed its own error line beside ours),
    # written beside its destination to a new file of a name nobody could guess (a link planted at a
    # name known beforehand turned a screenshot into PNG bytes over a model), then renamed over it: a
    # failed write never leaves half a picture where a good one was.
    temporary = None
    try:
        encoded = io.BytesIO()
        pygame.image.save(surface, encoded, "shot.png")  # the name hint picks the format
        with tempfile.NamedTemporaryFile(dir=for_tempfile(path.parent), prefix=".shot.", suffix=".tmp",
                                         delete=False) as file:
            temporary = Path(file.name)
            file.write(encoded.getvalue())
        os.chmod(temporary, shared_file_mode())  # a temporary file starts private (0600)
        os.replace(temporary, path)
    except (pygame.error, OSError) as error:
        raise MyonnError(f"cannot write {shortened(path)}: {getattr(error, 'strerror', None) or error}") from None
    finally:
        if temporary is not None:
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass
    return path


@functools.lru_cache(maxsize=None)
def _font(size):
    if not pygame.font.get_init():
        pygame.font.init()
    return pygame.font.Font(None, size)


# How long an idle window sleeps inside SDL at a time. Python runs a signal's handler (Ctrl-C's
# KeyboardInterrupt) only between its own steps, never in the middle of a C call that blocks, so one
# long wait would leave Ctrl-C unanswered until the next key or mouse move; a tenth of a second is
# too short for a person to notice, and waking ten times a second costs no CPU worth measuring.
WAKE_FOR_SIGNALS_MS = 100


def wait_for_events():
    """Sleep until something happens in the window; return that event and any queued behind it, as a list.

    For a window's loop: update(window, screen, wait_for_events()). Ctrl-C while waiting raises
    KeyboardInterrupt within WAKE_FOR_SIGNALS_MS. Waking with nothing to do does not return, so an
    idle window is not redrawn for it.
    """
    while True:
        event = pygame.event.wait(WAKE_FOR_SIGNALS_MS)  # NOEVENT when the time ran out
        if event.type != pygame.NOEVENT:
            return [event] + pygame.event.get()


def update(window, screen, events):
    """One frame of a window's app: let it handle the events, then redraw it and its title.

    window: the app (browser.Browser, draw_window.Recognizer, ...) with handle(event), draw(surface),
    title() and running, and, if it draws for one size only, `size`. Tests call this too, after
    posting events, to drive an app headless.

    A window of another size than its app's (opened smaller to fit the screen, or resized by a window
    manager: a tiling one forces a size on every window, and drawing into a smaller screen crashed)
    shows the app's picture scaled to fit, its shape kept; the mouse's positions are scaled back, so
    the app sees them where they are in its picture. Events an app posts itself, already in its
    picture's positions (a replayed drawing), carry in_picture=True and are left as they are.
    """
    if _opened and screen is _opened[0] and pygame.display.get_surface() is not None:
        screen = pygame.display.get_surface()  # the window's surface now (see _opened)
    size = getattr(window, "size", None)
    fits = size is None or screen.get_size() == size
    scale = 1.0 if fits else min(screen.get_width() / size[0], screen.get_height() / size[1])
    for event in events:
        window.handle(event if fits else _in_picture(event, scale))
    if window.running:
        if fits:
            window.draw(screen)
        else:
            frame = _frame(size)
            window.draw(frame)
            screen.fill(BLACK)
            shown = max(1, round(size[0] * scale)), max(1, round(size[1] * scale))
            screen.blit(pygame.transform.smoothscale(frame, shown), (0, 0))
        set_title(window.title())
        pygame.display.flip()


@functools.lru_cache(maxsize=2)
def _frame(size):
    """A surface to draw an app's picture on before it is scaled: one per size, kept (a new one every
    frame took a third of the frame's time)."""
    return pygame.Surface(size)


def _in_picture(event, scale):
    """A mouse event with its position (and movement) where it lies in the app's unscaled picture."""
    if not hasattr(event, "pos") or getattr(event, "in_picture", False):
        return event
    changed = {"pos": (int(event.pos[0] / scale), int(event.pos[1] / scale))}
    if hasattr(event, "rel"):
        changed["rel"] = (int(event.rel[0] / scale), int(event.rel[1] / scale))
    return pygame.event.Event(event.type, {**event.dict, **changed})
