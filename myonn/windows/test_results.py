"""The "Test results" window behind `mnist_test.py --show`: which digits the network confuses, and how.

Three views, each a click deeper, Escape going back:

1. the confusion matrix as a heat map (rows: the true digit, columns: the network's answer), with
   the count in every cell and each digit's accuracy beside it. The diagonal (named right) is green;
   a mistake cell is the redder the more images fell in it;
2. click a cell: its test images (true digit i read as j), as thumbnails with the network's
   confidence (its strongest output), most confident first, a page at a time (PageUp / PageDown);
3. click a thumbnail: that image large, what the network sees (the image after the model's own
   preparation, e.g. deskewed) and all ten outputs.

And from the matrix, W: the model's hidden nodes' input weights, each as a 28×28 tile, as the Training
window shows them while it trains: what each node of this saved model looks for.

`ResultsView` holds what is shown and changes it click by click; it draws onto any surface, so the
window, `--screenshot` and the tests go through the same code. The numbers come from
myonn/evaluation.py.

Left out on purpose: testing on other images than MNIST's, and changing the model.
"""

import numpy as np

from myonn.errors import MyonnError
from myonn.evaluation import cell_records, confusion_matrix, per_digit_accuracy, scores
from myonn.hidden_layer import weight_images
from myonn.inputs import pixels_from_input
from myonn.windows import pictures
from myonn.windows.pictures import pygame, update

TITLE = "Test results"
WINDOW_SIZE = (1000, 720)
MATRIX, CELL, IMAGE, WEIGHTS = "matrix", "cell", "image", "weights"
WEIGHTS_AREA = pygame.Rect(20, 84, 960, 480)   # 20 × 10 tiles of 48 pixels for the talk's 200 nodes
MOST_TILES = 400
POINTED_TILE = 72  # a pointed node's tile, large under the tiles, clear of the caption below

MATRIX_AREA = pygame.Rect(90, 100, 560, 560)  # 10 × 10 cells of 56 pixels
# A cell's images as thumbnails: as large as the cell's count lets them be, for a cell of a few
# mistakes is the one looked at most (on a projector, 9 thumbnails of 56 pixels left most of the window
# empty). (side, columns, rows), largest first; a cell of more than a page holds pages of the smallest.
THUMBNAIL_LAYOUTS = ((168, 5, 3), (112, 7, 4), (56, 14, 8))
THUMBNAILS_TOP = 78  # clear of the key line
THUMBNAILS_PER_PAGE = THUMBNAIL_LAYOUTS[-1][1] * THUMBNAIL_LAYOUTS[-1][2]
IMAGE_AREA = pygame.Rect(30, 110, 392, 392)      # 28 squares of 14 pixels
SEEN_AREA = pygame.Rect(460, 110, 224, 224)      # 28 squares of 8 pixels

BACKGROUND = (250, 250, 247)
BAR_COLOUR = (120, 130, 160)
GRID_COLOUR = (200, 200, 200)
COUNT_SIZE = 24  # a cell's count: 56-pixel cells hold "9999" at this size with room to spare
LEFT_BUTTON = 1


class ResultsView:
    """A model's answers on a test set, to look through; knows nothing of the screen it is drawn on.

    images: uint8 (n, 28, 28), 255 = ink; labels: (n,); model: a myonn.model.Model.
    outputs (n, 10), answers (n,), confidence (n,) and matrix (10, 10) are worked out once.
    view: MATRIX, CELL (cell = (true digit, answer), page) or IMAGE (record).
    """

    size = WINDOW_SIZE  # it draws for this size only (pictures.update scales it to the window)

    def __init__(self, images, labels, model):
        self.images, self.labels, self.model = images, np.asarray(labels), model
        self.outputs = scores(model, images)
        self.answers = self.outputs.argmax(axis=1)
        self.confidence = self.outputs.max(axis=1)
        self.matrix = confusion_matrix(self.labels, self.answers)
        self.view, self.cell, self.page, self.record = MATRIX, None, 0, None
        self.pointer = None  # where the mouse is: in the weights view, the node under it is shown large
        self.running = True

    def title(self):
        if self.view == MATRIX:
            return TITLE
        if self.view == WEIGHTS:
            return f"{TITLE} — the hidden nodes' weights"
        true_digit, answer = self.cell
        where = f"true {true_digit}, read as {answer}"
        return f"{TITLE} — {where}" + (f" · test #{self.record}" if self.view == IMAGE else "")

    def handle(self, event):
        """Change what is shown for one pygame event: clicks go deeper, Escape goes back."""
        if event.type == pygame.MOUSEMOTION:
            self.pointer = event.pos
        elif event.type == pygame.WINDOWLEAVE:
            self.pointer = None  # or a node stays pointed at, with no mouse over the window
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.back()
        elif event.type == pygame.KEYDOWN and self.view == MATRIX and event.key == pygame.K_w:
            self.view = WEIGHTS
        elif event.type == pygame.KEYDOWN and self.view == IMAGE and event.key in (pygame.K_RIGHT, pygame.K_LEFT):
            self.step(1 if event.key == pygame.K_RIGHT else -1)
        elif event.type == pygame.KEYDOWN and self.view == CELL and event.key in (pygame.K_PAGEDOWN, pygame.K_PAGEUP):
            last_page = max(0, (len(self.cell_records()) - 1) // THUMBNAILS_PER_PAGE)
            self.page = min(max(self.page + (1 if event.key == pygame.K_PAGEDOWN else -1), 0), last_page)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == LEFT_BUTTON:
            self.click(event.pos)

    def click(self, position):
        if self.view == MATRIX:
            cell = matrix_cell_at(position)
            if cell is not None:
                self.open_cell(*cell)
        elif self.view == CELL:
            records = self.cell_records()
            number = thumbnail_at(position, len(records))
            if number is not None and self.page * THUMBNAILS_PER_PAGE + number < len(records):
                self.record = int(records[self.page * THUMBNAILS_PER_PAGE + number])
                self.view = IMAGE

    def open_cell(self, true_digit, answer):
        self.view, self.cell, self.page = CELL, (true_digit, answer), 0

    def open_image(self, position):
        """Open the cell's image at `position` (from 0, most confident first). Raises MyonnError if there is none."""
        records = self.cell_records()
        _check_position(self.cell, len(records), position)
        self.page, self.record, self.view = position // THUMBNAILS_PER_PAGE, int(records[position]), IMAGE

    def step(self, by):
        """Right / Left in an image: the cell's next or previous image (as the MNIST browser steps through
        records, where a walkthrough's students reached for them), never past either end."""
        records = self.cell_records()
        position = int(np.flatnonzero(records == self.record)[0]) + by
        if 0 <= position < len(records):
            self.open_image(position)

    def back(self):
        """Escape: from an image to its cell, from a cell or the weights to the matrix, from the matrix out."""
        if self.view == IMAGE:
            self.view = CELL
        elif self.view in (CELL, WEIGHTS):
            self.view = MATRIX
        else:
            self.running = False

    def cell_records(self):
        """The open cell's records, most confident first (see evaluation.cell_records)."""
        return cell_records(self.labels, self.answers, *self.cell, self.confidence)

    def draw(self, surface):
        surface.fill(BACKGROUND)
        {MATRIX: self._draw_matrix, CELL: self._draw_cell, IMAGE: self._draw_image,
         WEIGHTS: self._draw_weights}[self.view](surface)

    def _draw_matrix(self, surface):
        matrix, total = self.matrix, int(self.matrix.sum())
        right = int(np.trace(matrix))
        pictures.draw_text(surface, f"{right:,} of {total:,} test images recognised "
                                    f"({100 * right / max(total, 1):.2f}%)", (20, 14), 32)
        pictures.draw_centred_text(surface, "the network's answer", (MATRIX_AREA.left, 48, MATRIX_AREA.width, 24), 24)
        label = pygame.transform.rotate(pictures.text_picture("true digit", 24), 90)
        surface.blit(label, label.get_rect(center=(22, MATRIX_AREA.centery)))
        side = MATRIX_AREA.width // 10
        most_wrong = max(int((matrix - np.diag(np.diag(matrix))).max()), 1)
        for digit in range(10):
            pictures.draw_centred_text(surface, digit, (MATRIX_AREA.left + digit * side, 72, side, 28), 28)
            pictures.draw_centred_text(surface, digit, (MATRIX_AREA.left - 40, MATRIX_AREA.top + digit * side, 36, side), 28)
        for (true_digit, answer), count in np.ndenumerate(matrix):
            cell = cell_rect(true_digit, answer)
            colour = cell_colour(count, true_digit == answer, most_wrong)
            surface.fill(colour, cell)
            text_colour = pictures.WHITE if sum(colour) < 400 else (pictures.BLACK if count else GRID_COLOUR)
            # Every count at one size while it fits the cell (four-digit counts were drawn smaller, and
            # were hard to read on a projector); a longer one, from a larger test set, shrinks to fit.
            size = pictures.size_to_fit(count, cell.width - 8, COUNT_SIZE, 12)
            pictures.draw_centred_text(surface, count, cell, size, text_colour)
        for line in range(11):
            offset = line * side
            pygame.draw.line(surface, GRID_COLOUR, (MATRIX_AREA.left + offset, MATRIX_AREA.top),
                             (MATRIX_AREA.left + offset, MATRIX_AREA.bottom))
            pygame.draw.line(surface, GRID_COLOUR, (MATRIX_AREA.left, MATRIX_AREA.top + offset),
                             (MATRIX_AREA.right, MATRIX_AREA.top + offset))
        left = MATRIX_AREA.right + 30
        pictures.draw_text(surface, "accuracy per digit", (left, 72), 24)
        for digit, share in enumerate(per_digit_accuracy(matrix)):
            top = MATRIX_AREA.top + digit * side + side // 2 - 10
            track = pygame.Rect(left, top, 150, 20)
            surface.fill(pictures.WHITE, track)
            if not np.isnan(share):
                # The bar spans 90-100%, where every digit's accuracy lies for a trained network.
                filled = round(track.width * min(max((share - 0.9) / 0.1, 0), 1))
                surface.fill(pictures.RIGHT_COLOUR, (left, top, filled, 20))
            pygame.draw.rect(surface, GRID_COLOUR, track, 1)
            pictures.draw_text(surface, "-" if np.isnan(share) else f"{100 * share:.2f}%", (track.right + 8, top + 2), 22)
        pictures.draw_text(surface, "bars: 90% to 100%", (left, MATRIX_AREA.bottom + 4), 22)
        pictures.draw_caption(surface, "Click a cell to see its images    W: what its hidden nodes look for    "
                                       "Escape: quit", height=36)

    def _draw_cell(self, surface):
        true_digit, answer = self.cell
        records = self.cell_records()
        what = "named right" if true_digit == answer else f"read as {answer}"
        pages = max(1, -(-len(records) // THUMBNAILS_PER_PAGE))
        page_note = f", page {self.page + 1} of {pages}" if pages > 1 else ""
        pictures.draw_text(surface, f"{len(records):,} test images of a {true_digit} {what}{page_note}", (20, 14), 32)
        if len(records):  # an empty cell: nothing to be under, nor to click
            pictures.draw_text(surface, "under each: the network's answer and its strongest output, most confident "
                                        "first", (20, 50), 20)
        shown = records[self.page * THUMBNAILS_PER_PAGE:(self.page + 1) * THUMBNAILS_PER_PAGE]
        colour = pictures.RIGHT_COLOUR if true_digit == answer else pictures.WRONG_COLOUR
        text_size = 18 if len(records) > THUMBNAIL_LAYOUTS[1][1] * THUMBNAIL_LAYOUTS[1][2] else 24
        for number, record in enumerate(shown):
            box = thumbnail_rect(number, len(records))
            pictures.draw_grey_picture(surface, self.images[record], box)
            pygame.draw.rect(surface, GRID_COLOUR, box.inflate(2, 2), 1)
            pictures.draw_centred_text(surface, f"{answer} ({100 * self.confidence[record]:.0f}%)",
                                       (box.left - 6, box.bottom + 2, box.width + 12, 18), text_size, colour)
        if not len(records):
            pictures.draw_centred_text(surface, "no images here", surface.get_rect(), 40)
        more = "    PageDown / PageUp: more" if pages > 1 else ""
        click = "Click an image to see it large" + more + "    " if len(records) else ""
        pictures.draw_caption(surface, f"{click}Escape: back", height=36)

    def _draw_image(self, surface):
        record, (true_digit, answer) = self.record, self.cell
        colour = pictures.RIGHT_COLOUR if true_digit == answer else pictures.WRONG_COLOUR
        pictures.draw_text(surface, f"test #{record}: a {true_digit}", (20, 14), 32)
        pictures.draw_text(surface, f"the network says {answer} ({100 * self.confidence[record]:.1f}%)",
                           (20, 50), 28, colour)
        pictures.draw_text(surface, "the test image", (IMAGE_AREA.left, IMAGE_AREA.top - 24), 22)
        pictures.draw_grey_picture(surface, self.images[record], IMAGE_AREA)
        pygame.draw.rect(surface, pictures.BLACK, IMAGE_AREA.inflate(2, 2), 1)
        pictures.draw_text(surface, "what the network sees", (SEEN_AREA.left, SEEN_AREA.top - 24), 22)
        seen = pixels_from_input(self.model.network_input(self.images[record]))
        pictures.draw_grey_picture(surface, seen, SEEN_AREA)
        pygame.draw.rect(surface, pictures.BLACK, SEEN_AREA.inflate(2, 2), 1)
        left, top = 720, 110
        pictures.draw_text(surface, "its outputs, ×100", (left, top - 24), 22)
        for digit, score in enumerate(self.outputs[record]):
            row = top + 34 * digit
            bar_colour = colour if digit == answer else BAR_COLOUR
            pictures.draw_centred_text(surface, digit, (left, row, 24, 30), 28,
                                       pictures.RIGHT_COLOUR if digit == true_digit else pictures.BLACK)
            track = pygame.Rect(left + 30, row + 5, 160, 20)
            surface.fill(pictures.WHITE, track)
            surface.fill(bar_colour, (track.left, track.top, round(track.width * float(score)), track.height))
            pygame.draw.rect(surface, GRID_COLOUR, track, 1)
            pictures.draw_text(surface, f"{100 * score:.1f}%", (track.right + 6, row + 6), 22)
        pictures.draw_caption(surface, "Right / Left: the cell's next / previous image    Escape: back to them",
                              height=36)

    def _draw_weights(self, surface):
        network = self.model.network
        shown = min(network.hidden_nodes, MOST_TILES)
        nodes = pictures.hidden_nodes(shown, network.hidden_nodes)
        pictures.draw_text(surface, f"What its {nodes} look{'s' if shown == 1 else ''} for", (20, 14), 32)
        pictures.draw_text(surface, "each node's input weights as a 28×28 image: red where ink excites the node, "
                                    "blue where ink calms it", (20, 52), 20)
        images = weight_images(network)[:shown]
        drawn = pictures.draw_weight_tiles(surface, images, WEIGHTS_AREA)
        pictures.draw_weight_legend(surface, (WEIGHTS_AREA.left, drawn.bottom + 12))
        # The node pointed at, large, beside the colour key (the Training window shows it in place of its key).
        pointed, tile = pictures.weight_tile_at(self.pointer, shown, WEIGHTS_AREA)
        if pointed is not None:
            pygame.draw.rect(surface, pictures.WRONG_COLOUR, tile.inflate(4, 4), 2)
            pictures.draw_pointed_node(surface, pointed, images[pointed], (WEIGHTS_AREA.left + 320, drawn.bottom + 12),
                                       POINTED_TILE)
        pictures.draw_caption(surface, "Escape: back to the matrix", height=36)


def cell_rect(true_digit, answer):
    side = MATRIX_AREA.width // 10
    return pygame.Rect(MATRIX_AREA.left + answer * side, MATRIX_AREA.top + true_digit * side, side, side)


def cell_colour(count, on_diagonal, most_wrong):
    """Green on the diagonal (named right); off it, white to red as the count grows towards the
    largest mistake count, so the worst confusions stand out."""
    if on_diagonal:
        return (90, 170, 90) if count else pictures.WHITE
    strength = (count / most_wrong) ** 0.5  # square root: a cell of 1 or 2 still shows
    return tuple(round(255 + (end - 255) * strength) for end in (205, 40, 40))


def matrix_cell_at(position):
    """The (true digit, answer) of the matrix cell under a screen position, or None."""
    x, y = position
    if not MATRIX_AREA.collidepoint(x, y):
        return None
    side = MATRIX_AREA.width // 10
    return (y - MATRIX_AREA.top) // side, (x - MATRIX_AREA.left) // side


def thumbnail_layout(count):
    """(side, columns, rows) of the thumbnails for a cell of `count` images: the largest that holds them all."""
    return next((layout for layout in THUMBNAIL_LAYOUTS if layout[1] * layout[2] >= count), THUMBNAIL_LAYOUTS[-1])


def thumbnail_rect(number, count):
    """Where thumbnail `number` of its page (from 0) is drawn, in a cell of `count` images; each has its
    answer and confidence under it."""
    side, columns, _ = thumbnail_layout(count)
    row, column = divmod(number, columns)
    return pygame.Rect(26 + column * (side + 13), THUMBNAILS_TOP + row * (side + 19), side, side)


def thumbnail_at(position, count):
    """The number on the page (from 0) of the thumbnail under a screen position, or None."""
    for number in range(min(count, THUMBNAILS_PER_PAGE)):
        if thumbnail_rect(number, count).collidepoint(position):
            return number
    return None


def check_cell(labels, answers_given, cell):
    """MyonnError unless cell (true, answer) or (true, answer, n) can be opened: its n-th image is there."""
    if len(cell) == 3:
        true, answer, n = cell
        count = int(np.count_nonzero((np.asarray(labels) == true) & (np.asarray(answers_given) == answer)))
        _check_position(cell, count, n - 1)


def _check_position(cell, count, position):
    if not 0 <= position < count:
        raise MyonnError(f"cell {cell[0]},{cell[1]} has {count} image(s), so no image {position + 1}")


def show(images, labels, model, cell=None, screenshot=None, weights=False):
    """mnist_test.py --show / --screenshot: the window, or its picture in a PNG.

    cell: None, (true, answer) to open that cell, or (true, answer, n) to open its n-th image (from 1).
    weights: open the hidden nodes' weights instead.
    """
    results = ResultsView(images, labels, model)
    if weights:
        results.view = WEIGHTS
    elif cell is not None:
        results.open_cell(*cell[:2])
        if len(cell) == 3:
            results.open_image(cell[2] - 1)
    if screenshot:
        surface = pygame.Surface(WINDOW_SIZE)
        results.draw(surface)
        path = pictures.save_png(surface, screenshot)
        print(f"{path}: {results.title()}")
        return
    screen = pictures.open_window(WINDOW_SIZE, TITLE)
    try:
        update(results, screen, [])
        while results.running:
            update(results, screen, pictures.wait_for_events())
    finally:
        pygame.display.quit()
