"""Specification of myonn/windows/pictures.py: a digit drawn as squares, big centred text, PNG files,
waiting for a window's events.

Everything draws onto plain pygame Surfaces, so no window (and no display) is needed; waiting for
events needs SDL's event queue, which its dummy display provides.
"""
import os
import time

os.environ["SDL_VIDEODRIVER"] = "dummy"  # pygame must never need a display in the tests
os.environ["SDL_AUDIODRIVER"] = "dummy"

import numpy as np
import pytest  # noqa: E402

from myonn.errors import MyonnError  # noqa: E402
from myonn.windows import pictures  # noqa: E402
from myonn.windows.pictures import (  # noqa: E402
    BLACK, WHITE, draw_caption, draw_centred_text, draw_grey_image, fitted_size, grey_colour, pygame, save_png,
    set_title)


def screen_greys(surface):
    """The red channel of every screen pixel as (rows, columns): the grey, for grey pictures."""
    return pygame.surfarray.array3d(surface)[:, :, 0].T.astype(int)


def ink_box(surface, background=WHITE):
    """The Rect around every pixel that is not the background colour."""
    colours = pygame.surfarray.array3d(surface).transpose(1, 0, 2)
    rows, columns = np.nonzero((colours != background).any(axis=2))
    return pygame.Rect(columns.min(), rows.min(), columns.max() - columns.min() + 1, rows.max() - rows.min() + 1)


def test_ink_is_dark_and_background_white():
    assert grey_colour(255) == (0, 0, 0)
    assert grey_colour(0) == (255, 255, 255)
    assert grey_colour(100) == (155, 155, 155)
    assert grey_colour(99.6) == (155, 155, 155)  # fractional levels (a back query) round


def test_each_pixel_becomes_one_uniform_square():
    pixels = np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)
    surface = pygame.Surface((672, 672))
    draw_grey_image(surface, pixels, (0, 0, 672, 672))
    expected = np.kron(255 - pixels.astype(int), np.ones((24, 24), dtype=int))
    np.testing.assert_array_equal(screen_greys(surface), expected)


def test_squares_fill_exactly_the_rect_given_even_when_it_does_not_divide_evenly():
    surface = pygame.Surface((120, 100))
    surface.fill((255, 0, 0))
    draw_grey_image(surface, np.full((28, 28), 255), (10, 5, 100, 90))  # 100/28 is not whole
    colours = pygame.surfarray.array3d(surface).transpose(1, 0, 2)
    inside = colours[5:95, 10:110]
    assert (inside == 0).all()
    outside = colours.copy()
    outside[5:95, 10:110] = (255, 0, 0)
    assert (outside == (255, 0, 0)).all()


def test_levels_outside_0_to_255_are_clipped():
    surface = pygame.Surface((2, 1))
    draw_grey_image(surface, np.array([[-40.0, 300.0]]), (0, 0, 2, 1))
    assert surface.get_at((0, 0))[:3] == WHITE
    assert surface.get_at((1, 0))[:3] == BLACK


def test_text_is_drawn_centred_in_its_rect_at_about_its_size():
    surface = pygame.Surface((400, 300))
    surface.fill(WHITE)
    covered = draw_centred_text(surface, "8", (100, 0, 300, 300), 200)
    box = ink_box(surface)
    assert covered.contains(box)
    assert abs(box.centerx - 250) <= 3 and abs(box.centery - 150) <= 10
    assert 100 <= box.height <= 200


def test_a_caption_is_a_band_across_the_bottom_with_the_text_inside():
    surface = pygame.Surface((300, 200))
    surface.fill(WHITE)
    band = draw_caption(surface, "hello", height=40)
    assert band == pygame.Rect(0, 160, 300, 40)
    assert band.contains(ink_box(surface))
    assert surface.get_at((5, 155))[:3] == WHITE


def test_a_captions_note_is_nearly_as_large_as_its_line_and_a_long_one_is_made_to_fit():
    # At three quarters of the line, the drawing window's note under its hint was 8 or 9 pixels high on a
    # 1280×720 projector; a long one (a backup's name) ran off both ends.
    surface = pygame.Surface((672, 400))
    surface.fill(WHITE)
    band = draw_caption(surface, "hint", height=32, note="a short note")
    assert band.height == 32 + 28
    surface.fill(WHITE)
    band = draw_caption(surface, "hint", height=32, note="a note far too long for the band " * 4,
                        background=(255, 255, 255, 255))             # a white band: the ink is the text's
    assert 0 < ink_box(surface).left and ink_box(surface).right < 672 and band.contains(ink_box(surface))


def test_a_note_too_long_even_at_the_smallest_size_loses_its_middle_not_its_ends():
    surface = pygame.Surface((672, 400))
    surface.fill(WHITE)
    note = "This model learned MNIST only (--model /" + "a_long_folder/" * 12 + "data/mnist_nn.npz)"
    band = draw_caption(surface, "hint", height=32, note=note, background=(255, 255, 255, 255))
    assert 0 < ink_box(surface).left and ink_box(surface).right < 672 and band.contains(ink_box(surface))
    font = pictures._font(pictures.NOTE_SMALLEST)
    shortened = pictures.shortened_to_fit(note, font, 664)
    assert shortened.startswith("This model learned") and shortened.endswith("mnist_nn.npz)") and "…" in shortened
    assert font.size(shortened)[0] <= 664 and pictures.shortened_to_fit("short", font, 664) == "short"


def test_save_png_writes_the_surface_as_png(tmp_path):
    surface = pygame.Surface((30, 20))
    surface.fill((10, 20, 30))
    surface.set_at((3, 4), (200, 100, 50))
    path = save_png(surface, tmp_path / "shot.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    loaded = pygame.image.load(str(path))
    assert loaded.get_size() == (30, 20)
    assert loaded.get_at((3, 4))[:3] == (200, 100, 50)
    assert loaded.get_at((0, 0))[:3] == (10, 20, 30)


def test_save_png_refuses_other_names_and_reports_a_failed_write_in_one_line(tmp_path):
    surface = pygame.Surface((4, 4))
    with pytest.raises(MyonnError, match=r"must end in \.png"):
        save_png(surface, tmp_path / "shot.jpg")
    with pytest.raises(MyonnError, match="cannot write") as error:
        save_png(surface, tmp_path / "no such folder" / "shot.png")
    assert "\n" not in str(error.value)


def test_save_png_never_writes_through_a_link_planted_beside_the_picture(tmp_path):
    """It wrote to .<name>.<pid>.tmp.png, following a link there: PNG bytes over a model."""
    import os

    model = tmp_path / "model.npz"
    model.write_bytes(b"a model")
    for name in [f".shot.{os.getpid()}.tmp.png", ".shot.png.tmp", ".shot.tmp"]:
        (tmp_path / name).symlink_to(model)
    save_png(pygame.Surface((4, 4)), tmp_path / "shot.png")
    assert model.read_bytes() == b"a model"
    assert (tmp_path / "shot.png").read_bytes().startswith(b"\x89PNG") and not (tmp_path / "shot.png").is_symlink()


def test_save_png_takes_the_longest_name_a_folder_allows_and_the_usual_permissions(tmp_path):
    import os

    name = "x" * (255 - len(".png")) + ".png"    # the temporary file's name had 13 bytes more, too long
    mask = os.umask(0o022)
    try:
        path = save_png(pygame.Surface((4, 4)), tmp_path / name)
    finally:
        os.umask(mask)
    assert path.read_bytes().startswith(b"\x89PNG") and (path.stat().st_mode & 0o777) == 0o644
    assert sorted(tmp_path.iterdir()) == [path]


def test_weight_tiles_are_red_for_positive_blue_for_negative_each_scaled_to_its_largest():
    from myonn.windows.pictures import DIVERGING_PALETTE, GAP_COLOUR, NEGATIVE_COLOUR, POSITIVE_COLOUR, weight_tiles
    images = np.zeros((3, 2, 2))
    images[0] = [[1, -0.5], [0, 0]]   # largest 1: full red, and half blue
    images[1] = [[0, 0], [0, -0.01]]  # largest 0.01: full blue, however small
    picture = weight_tiles(images, columns=2)  # two to a row: a second row with one tile and one empty place
    assert picture.shape == (5, 5, 3)  # 2 rows of 2-pixel tiles with a 1-pixel gap between
    assert tuple(picture[0, 0]) == POSITIVE_COLOUR and tuple(picture[0, 1]) == tuple(DIVERGING_PALETTE[64])
    assert tuple(picture[1, 4]) == NEGATIVE_COLOUR and tuple(picture[0, 3]) == tuple(DIVERGING_PALETTE[128])
    assert tuple(picture[2, 0]) == GAP_COLOUR and tuple(picture[0, 2]) == GAP_COLOUR
    assert min(picture[3, 0]) > 250  # an all-zero tile is white: no weight either way
    assert tuple(picture[4, 4]) == GAP_COLOUR  # the empty place


def test_a_grey_picture_looks_exactly_like_the_grey_image_drawn_square_by_square():
    from myonn.windows.pictures import draw_grey_picture
    pixels = np.random.default_rng(0).integers(0, 256, (28, 28))
    by_squares, as_picture = pygame.Surface((252, 252)), pygame.Surface((252, 252))
    draw_grey_image(by_squares, pixels, (0, 0, 252, 252))
    draw_grey_picture(as_picture, pixels, (0, 0, 252, 252))
    assert np.array_equal(pygame.surfarray.array3d(by_squares), pygame.surfarray.array3d(as_picture))


def test_waiting_for_events_sleeps_through_quiet_spells_and_returns_only_real_events():
    from myonn.windows.pictures import WAKE_FOR_SIGNALS_MS, wait_for_events
    pygame.display.init()
    try:
        pygame.event.clear()
        # The first event comes only after several wake-ups with nothing to do: none of them returns.
        arrives_after_ms = 3 * WAKE_FOR_SIGNALS_MS + 50
        pygame.time.set_timer(pygame.USEREVENT, arrives_after_ms, loops=1)
        started = time.perf_counter()
        events = wait_for_events()
        assert time.perf_counter() - started >= (arrives_after_ms - 20) / 1000
        assert [event.type for event in events] == [pygame.USEREVENT]

        # Events already queued come back together, in order, at once.
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_a, mod=0))
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=pygame.K_a, mod=0))
        assert [event.type for event in wait_for_events()] == [pygame.KEYDOWN, pygame.KEYUP]
    finally:
        pygame.display.quit()


def test_a_window_larger_than_the_screen_opens_smaller_its_shape_kept():
    assert fitted_size((1260, 672), (1920, 1080)) == (1260, 672)      # it fits: as it is
    assert fitted_size((1260, 672), (1024, 768)) == (1008, 538)       # a projector's: all of it shows
    assert fitted_size((1200, 760), (1366, 768)) == (1061, 672)       # a laptop's: room for a task bar
    assert fitted_size((1260, 672), (320, 240)) == (630, 336)         # never below half: still readable
    assert fitted_size((1260, 672), (1275, 767)) == (1260, 672)       # a few pixels: not worth the blur
    assert fitted_size((1260, 672), None) == (1260, 672)              # no screen (tests, screenshots)


class App:
    """A window's app that draws itself white, for pictures.update."""
    size, running = (100, 50), True

    def handle(self, event):
        pass

    def draw(self, surface):
        surface.fill(WHITE)

    def title(self):
        return "app"


def test_a_window_wider_than_its_app_shows_the_app_and_nothing_left_over_beside_it():
    from myonn.windows.pictures import update

    pygame.display.init()
    try:
        screen = pygame.display.set_mode((200, 50))
        screen.fill((255, 0, 255))                                       # what was there before
        update(App(), screen, [])
        assert screen.get_at((50, 25))[:3] == WHITE and screen.get_at((150, 25))[:3] == BLACK
    finally:
        pygame.display.quit()


def test_after_a_window_manager_resizes_the_window_it_is_drawn_on_its_new_surface(monkeypatch):
    """SDL replaces a resized window's surface; the one open_window returned keeps its old size, and
    drawing on it left the window black or scrambled until the next event."""
    from myonn.windows.pictures import open_window, update

    try:
        screen = open_window((100, 50), "app")
        resized = pygame.Surface((60, 30))                               # the window's surface after a resize
        resized.fill((255, 0, 255))
        monkeypatch.setattr(pygame.display, "get_surface", lambda: resized)
        monkeypatch.setattr(pygame.display, "flip", lambda: None)
        update(App(), screen, [])
        assert min(resized.get_at((30, 15))[:3]) > 240                   # the app, scaled to the new size
        other = pygame.Surface((100, 50))                                # not the window's: drawn on as given
        update(App(), other, [])
        assert other.get_at((50, 25))[:3] == WHITE
    finally:
        pygame.display.quit()


def test_counts_of_hidden_nodes_and_signed_figures_read_as_words_and_short_numbers():
    from myonn.windows.pictures import hidden_nodes, signed

    assert hidden_nodes(200, 200) == "200 hidden nodes" and hidden_nodes(1, 1) == "1 hidden node"
    assert hidden_nodes(400, 10_000) == "first 400 of 10,000 hidden nodes"
    assert signed(6.594) == "+6.59" and signed(-0.0) == "-0.00" and signed(1.234e30) == "+1.2e+30"


def test_a_title_holding_bytes_that_are_no_text_is_shown_not_a_traceback():
    pygame.display.init()
    try:
        pygame.display.set_mode((10, 10))
        set_title("Digit Recognizer — a\udcffb.npz")   # a file name of bytes no encoding reads
        assert pygame.display.get_caption()[0] == "Digit Recognizer — a?b.npz"
    finally:
        pygame.display.quit()
