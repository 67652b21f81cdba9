"""Turning a drawing into an MNIST-style 28×28 image: what the drawing window feeds the network.

MNIST's digits were prepared like this (LeCun et al.): each scanned digit was cropped to its ink,
its longer side scaled to 20 pixels keeping the aspect ratio, with anti-aliasing (so edges are grey,
not on/off), and the result placed in a 28×28 frame with its centre of mass at the centre. A drawing
prepared the same way looks to the network like the digits it learned from; fed in as the canvas
shows it, a digit drawn small, off-centre or with the wrong pen looks like nothing it has seen.

    digit_pixels(strokes)         mouse positions -> the 28×28 grey image the network is shown
      without_stray_dots(...)       a tap beside the digit is no part of it
      draw_strokes(...)             a round, anti-aliased pen along the strokes, at any scale
      mnist_style(ink)              crop to the ink, fit 20 pixels (area averaging), centre of mass

The pen is drawn from the strokes' geometry, not copied from the canvas: its width is a fixed
fraction of the digit's size, as in MNIST, so a digit drawn 150 pixels tall and one drawn 500 pixels
tall reach the network alike. (Copying the canvas, whose pen has a fixed width in screen pixels,
would give a small digit fat strokes and a large one thin strokes.)

Coordinates: images are arrays indexed [row, column] = [y, x]; a point is (x, y) with pixel (r, c)
covering x in [c, c+1) and y in [r, r+1), so its centre is (c + 0.5, r + 0.5).

Left out: any further normalisation a model was trained with (deskewing); the model's own record of
it is applied in myonn/inputs.py, as for every other image.
"""

import math

import numpy as np

from myonn.errors import MyonnError
from myonn.inputs import IMAGE_SIDE
from myonn.transform import CENTRE

# MNIST fits each digit into a 20×20 box inside the 28×28 frame.
BOX_SIDE = 20

# The pen's width as a fraction of the digit's longer side (measured between stroke centres).
# Chosen so that drawn digits carry as much ink as MNIST's: MNIST's test digits hold on average
# 60 (ones) to 135 (zeros) pixels' worth of full ink; the bench's drawings (bench/handwriting.py),
# prepared here with this pen, hold within 20% of that for every digit and 1% on average. MNIST's
# strokes are about 3 pixels wide in its 20-pixel box.
PEN_WIDTH = 0.13

# Strokes are drawn this many pixels across (the longer side) before being averaged down to 20, so
# that the averaging, not the pen's edge, decides the grey levels.
DRAWING_SIDE = 48

# A drawing smaller than this (in the strokes' units: canvas pixels) is drawn as if this size: a dot
# or a tiny tick stays a dot or a tick, rather than a blob filling the box.
SMALLEST_DIGIT = 24

# A tap of a trackpad, or a pen touching down by mistake, beside a digit is no part of it, and, away
# from it, it takes over the crop: a 7 with a dot 50 pixels below it was read as a 2 (57%), a 3 with
# one in the canvas's corner as a 5. So strokes are grouped into parts, strokes within STRAY_DISTANCE
# times the drawing's size of each other being one part (a digit drawn in dashes is one part), and a
# part is stray when each of its strokes is a dot: neither its size nor its pen's travel is over
# STRAY_SIZE times the largest part's size (two taps a little apart are two dots). Stray strokes are
# left out when the largest part was drawn (at least SMALLEST_DIGIT / 2 across, its pen travelling at
# least half as far as it is wide: a 1 drawn in two pieces was) and there are at most MOST_STRAY of
# them: more are a digit drawn, in part or whole, in dots, kept as it is. A digit's own short pieces
# (a serif, a bar, a flag) touch it, or are larger than that; a small digit beside a long slip of the
# pen was drawn, and is kept.
STRAY_SIZE = 0.1
STRAY_DISTANCE = 0.15
MOST_STRAY = 2

# Drawings are in canvas pixels (0..672). A point further out than this is not part of a drawing; a
# file that holds one (a replay, your digits) is damaged, and its sizes would overflow the arithmetic.
LARGEST_COORDINATE = 100_000


# A digit is a few hundred points (a mouse sends one per move) along a pen that travels a few times the
# digit's size (at most 9.5 times among the bench's drawings, Hershey fonts included). Drawing takes
# time and memory in proportion to the pen's travel: a scribble that went on for minutes, or a file
# holding a million points, would make each redraw take seconds and gigabytes. So a drawing holds at
# most MOST_POINTS points, in at most MOST_STROKES strokes, along at most MOST_TRAVEL times its size:
# the window stops taking ink beyond that, and a file holding more is refused. (A digit is written in
# one to four strokes; a file of digits of 20,000 one-point strokes each took 2 GB to read.)
MOST_POINTS = 20_000
MOST_STROKES = 200
MOST_TRAVEL = 50
INK_LIMITS = (f"over {MOST_POINTS:,} points or {MOST_STROKES} strokes, or a pen travelling over {MOST_TRAVEL} "
              "times the digit's size")


def too_much_ink(strokes):
    """Whether a drawing (strokes of (x, y) points) holds more than a digit ever needs: more than
    MOST_POINTS points or MOST_STROKES strokes, or a pen that travels more than MOST_TRAVEL times the
    drawing's size."""
    if (sum(len(stroke) for stroke in strokes) > MOST_POINTS
            or sum(1 for stroke in strokes if len(stroke)) > MOST_STROKES):
        return True
    strokes = [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes if len(stroke)]
    if not strokes:
        return False
    points = np.concatenate(strokes)
    size = max(np.ptp(points, axis=0).max(), SMALLEST_DIGIT)
    # The pen's steps along all strokes at once (one NumPy call, not one a stroke: a digit of 200 dots
    # took a millisecond), less the jumps from each stroke's end to the next one's start.
    steps = np.hypot(*np.diff(points, axis=0).T)
    steps[np.cumsum([len(stroke) for stroke in strokes])[:-1] - 1] = 0
    return steps.sum() > MOST_TRAVEL * size


class InkTally:
    """too_much_ink, kept up point by point for a drawing that grows: the window asks at every mouse
    move whether the pen may go on, and asking too_much_ink of the whole drawing each time made a
    drawing near the limit (a replay of 20,000 one-point strokes) take half an hour."""

    def __init__(self, strokes=()):
        self.points, self.strokes, self.travel = 0, 0, 0.0
        self.low, self.high = [math.inf, math.inf], [-math.inf, -math.inf]
        self.boxes = []  # each stroke's [left, top, right, bottom, travel] (stroke_boxes)
        self.settled = None  # the box of the strokes before the last, stray dots left out (see size)
        for stroke in strokes:
            for number, point in enumerate(stroke):
                self.add(point, stroke[number - 1] if number else None, settle=False)
        self._settle()

    def allows(self, point, previous=None):
        """Whether the drawing may take `point` ((x, y); joined to `previous`, the last point of its
        stroke, if any) without holding too much ink (too_much_ink)."""
        points, strokes, travel, low, high = self._with(point, previous)
        size = max(high[0] - low[0], high[1] - low[1], SMALLEST_DIGIT)
        return points <= MOST_POINTS and strokes <= MOST_STROKES and travel <= MOST_TRAVEL * size

    def add(self, point, previous=None, settle=True):
        self.points, self.strokes, self.travel, self.low, self.high = self._with(point, previous)
        x, y = point
        if previous is None:
            self.boxes.append([x, y, x, y, 0.0])
            if settle:
                self._settle()
        else:
            box = self.boxes[-1]
            box[:] = (min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y),
                      box[4] + math.hypot(x - previous[0], y - previous[1]))

    def size(self):
        """The drawing's size while a stroke is drawn, at once: the larger of the earlier strokes' (stray
        dots left out, as the stroke began) and the stroke's own; 0 without points. (The stroke may be a
        stray dot itself, or reach beyond the others: drawing_size, the exact size, tells when it ends.
        Telling stray dots apart takes all the strokes, not_stray: at every mouse move, with 200
        strokes, it made a drawing take ten times as long.)"""
        if not self.boxes:
            return 0.0
        left, top, right, bottom, _ = self.boxes[-1]
        size = max(right - left, bottom - top)
        if self.settled is not None:  # in plain Python: NumPy's arrays cost more than they save here
            size = max(size, self.settled[2] - self.settled[0], self.settled[3] - self.settled[1])
        return size

    def exact_size(self):
        """drawing_size of the drawing so far, from the boxes kept (0 without points)."""
        return _extent_without_stray_dots(np.array(self.boxes)) if self.boxes else 0.0

    def _settle(self):
        boxes = np.array(self.boxes[:-1])
        if len(boxes):
            kept = boxes[not_stray(boxes)]
            self.settled = [kept[:, 0].min(), kept[:, 1].min(), kept[:, 2].max(), kept[:, 3].max(), 0.0]

    def _with(self, point, previous):
        x, y = point
        step = 0.0 if previous is None else math.hypot(x - previous[0], y - previous[1])
        return (self.points + 1, self.strokes + (previous is None), self.travel + step,
                [min(self.low[0], x), min(self.low[1], y)], [max(self.high[0], x), max(self.high[1], y)])


def drawing_size(strokes):
    """The longer side of the box holding the drawing, stray dots left out (0 without points)."""
    strokes = [stroke for stroke in strokes if len(stroke)]
    return _extent_without_stray_dots(stroke_boxes(strokes)) if strokes else 0.0


def is_coordinate(value, largest=LARGEST_COORDINATE):
    """Whether `value` may be a point's x or y: a finite number (not a bool) within `largest`."""
    # The bound first: math.isfinite cannot take a whole number too large for a float (10**400 in a
    # file), and NaN, which compares false with everything, fails the bound too.
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and abs(value) <= largest and math.isfinite(value))


def digit_pixels(strokes):
    """The 28×28 image the network is shown for a drawing.

    strokes: a list of strokes, each a sequence of (x, y) points in any units (canvas pixels).
    Returns float32 (28, 28), grey levels 0..255 with 255 = ink (MNIST's convention), or None when
    there are no points at all. Raises MyonnError for too_much_ink (files are checked as they are
    read, and the window takes no more, so this is a last guard).
    """
    if too_much_ink(strokes):
        raise MyonnError(f"too much ink for one digit ({INK_LIMITS})")
    strokes = [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes]
    strokes = without_stray_dots([stroke for stroke in strokes if len(stroke)])
    if not strokes:
        return None
    points = np.concatenate(strokes)
    corner = points.min(axis=0)
    size = max(np.ptp(points, axis=0).max(), SMALLEST_DIGIT)
    scale = DRAWING_SIDE / size
    radius = PEN_WIDTH * DRAWING_SIDE / 2
    margin = radius + 1
    # Only the drawing's own extent (plus the pen) is drawn, so small digits cost no more than big ones.
    width, height = np.ceil(np.ptp(points, axis=0) * scale + 2 * margin).astype(int)
    placed = [(stroke - corner) * scale + margin for stroke in strokes]
    ink = draw_strokes(placed, (height, width), radius)
    return mnist_style(ink * 255.0)


def without_stray_dots(strokes):
    """The strokes (arrays (n, 2), none empty) less any stray dot (see STRAY_SIZE)."""
    kept = not_stray(stroke_boxes(strokes))
    return [stroke for stroke, keep in zip(strokes, kept) if keep]


def stroke_boxes(strokes):
    """Each stroke's box and how far the pen moved along it, (n, 5) of (left, top, right, bottom,
    travel), for strokes of points (x, y), none empty."""
    boxes = [np.concatenate([np.min(stroke, axis=0), np.max(stroke, axis=0),
                             [np.hypot(*np.diff(stroke, axis=0).T).sum()]])
             for stroke in (np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes)]
    return np.array(boxes).reshape(-1, 5)


def not_stray(boxes):
    """Which strokes, given by stroke_boxes (n, 5), are the drawing, not stray dots: (n,) of bool."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 5)
    kept = np.ones(len(boxes), dtype=bool)
    if len(boxes) < 2:
        return kept
    part = parts(boxes, STRAY_DISTANCE * max(_extent(boxes), SMALLEST_DIGIT))
    numbers = np.unique(part)
    extents = np.array([_extent(boxes[part == number]) for number in numbers])
    main = numbers[int(np.argmax(extents))]
    largest = extents.max()
    if largest < SMALLEST_DIGIT / 2 or boxes[part == main, 4].sum() < largest / 2:  # no drawn part: dots, kept
        return kept
    dots = (np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]) <= STRAY_SIZE * largest) & (
        boxes[:, 4] <= STRAY_SIZE * largest)
    stray = [number for number in numbers if dots[part == number].all()]
    dropped = np.isin(part, stray)
    return kept if dropped.sum() > MOST_STRAY else ~dropped


def parts(boxes, reach):
    """Which part each stroke, given by its box (n, 4 or more: stroke_boxes), belongs to: strokes whose
    boxes are within `reach` of each other, directly or through others, are one part, numbered by its
    first stroke. Returns (n,) of ints."""
    # The gaps between boxes, across and down (0 where they overlap).
    across = np.maximum(0, np.maximum(boxes[None, :, 0] - boxes[:, None, 2], boxes[:, None, 0] - boxes[None, :, 2]))
    down = np.maximum(0, np.maximum(boxes[None, :, 1] - boxes[:, None, 3], boxes[:, None, 1] - boxes[None, :, 3]))
    near = np.hypot(across, down) <= reach
    part = np.arange(len(boxes))
    while True:  # each stroke takes its neighbours' lowest part, then its part's own (a few rounds, n at most)
        joined = np.minimum(part, np.where(near, part[None, :], len(boxes)).min(axis=1))
        joined = joined[joined]
        if np.array_equal(joined, part):
            return part
        part = joined


def _extent_without_stray_dots(boxes):
    """The longer side of the box holding the strokes of `boxes` (stroke_boxes, at least one) that are
    no stray dots."""
    return _extent(boxes[not_stray(boxes)])


def _extent(boxes):
    """The longer side of the box holding all of `boxes` (m, 4 or more: stroke_boxes)."""
    return float(max(boxes[:, 2].max() - boxes[:, 0].min(), boxes[:, 3].max() - boxes[:, 1].min()))


def draw_strokes(strokes, shape, radius, min_step=0.25):
    """Draw strokes with a round pen into a new image of the given shape.

    strokes: sequences of (x, y) points in pixel units; each consecutive pair is joined by a segment
    whose ends are rounded (a capsule), so the line is continuous however far apart the points are.
    shape: (rows, columns). radius: the pen's radius in pixels. min_step: points closer than this to
    the last one drawn are passed over (the canvas, drawn for the eyes, passes over more).
    Returns float32 (rows, columns): how much of each pixel the pen covers, 0..1. The edge is
    anti-aliased: a pixel whose centre lies d from the stroke's centre line is covered
    clip(radius + 0.5 - d, 0, 1), a one-pixel ramp across the pen's edge.
    """
    starts, ends = _pieces(*_segments(strokes, min_step=min_step), longest=max(radius, 2.0))
    nearest = np.full(shape, np.inf, dtype=np.float32)
    # Each piece only reaches the pixels in a small square around it: measure the distance from
    # those pixel centres to the piece, and keep each pixel's nearest. A few pieces at a time: all of
    # a 20,000-point drawing's at once, with a 40-pixel pen, took 3 GB.
    reach = radius + 1
    side = int(np.ceil(max(radius, 2.0) + 2 * reach)) + 1
    at_once = max(1, PIXELS_AT_ONCE // (side * side))
    for first in range(0, len(starts), at_once):
        some_starts, some_ends = starts[first:first + at_once], ends[first:first + at_once]
        corners = np.floor(np.minimum(some_starts, some_ends) - reach).astype(np.intp)    # (pieces, 2)
        xs = corners[:, 0, None] + np.arange(side)                                       # (pieces, side)
        ys = corners[:, 1, None] + np.arange(side)
        distances = _squared_distances(xs + 0.5, ys + 0.5, some_starts, some_ends)      # (pieces, side, side)
        inside = ((ys >= 0) & (ys < shape[0]))[:, :, None] & ((xs >= 0) & (xs < shape[1]))[:, None, :]
        pixels = (ys[:, :, None] * shape[1] + xs[:, None, :])[inside]
        np.minimum.at(nearest.reshape(-1), pixels, distances[inside])
    return np.clip(radius + 0.5 - np.sqrt(nearest), 0.0, 1.0)


# draw_strokes measures this many pixel distances at a time (some 4 MB of each of its arrays).
PIXELS_AT_ONCE = 1_000_000


def draw_segment(image, start, end, radius):
    """Add one pen segment to an image in place, touching only the pixels near it.

    image: float (rows, columns) of coverage 0..1; the new coverage is combined by maximum, so
    strokes crossing themselves do not darken. start, end: (x, y) in pixels.
    Returns the (row slice, column slice) that may have changed, or None when nothing did.
    """
    start, end = np.asarray(start, dtype=np.float32), np.asarray(end, dtype=np.float32)
    reach = radius + 1
    left, top = np.floor(np.minimum(start, end) - reach).astype(int)
    right, bottom = np.ceil(np.maximum(start, end) + reach).astype(int)
    rows = slice(max(top, 0), min(bottom, image.shape[0]))
    columns = slice(max(left, 0), min(right, image.shape[1]))
    if rows.start >= rows.stop or columns.start >= columns.stop:
        return None
    corner = np.array([columns.start, rows.start], dtype=np.float32)
    part = draw_strokes([[start - corner, end - corner]], (rows.stop - rows.start,
                                                           columns.stop - columns.start), radius)
    np.maximum(image[rows, columns], part, out=image[rows, columns])
    return rows, columns


def mnist_style(ink):
    """Prepare an image as MNIST's digits were: crop, fit 20 pixels, centre of mass at the centre.

    ink: (rows, columns) of any size, grey levels with 0 = background (0..255, 255 = ink).
    Returns float32 (28, 28): the ink's bounding box, scaled so its longer side is 20 pixels with
    the aspect ratio kept and each new pixel the average of the area it covers (grey levels, not
    on/off), placed so that its centre of mass is at MNIST's centre (14, 14) to the nearest pixel.
    All zeros when there is no ink.
    """
    ink = np.asarray(ink, dtype=np.float32)
    frame = np.zeros((IMAGE_SIDE, IMAGE_SIDE), dtype=np.float32)
    box = bounding_box(ink)
    if box is None:
        return frame
    digit = fit_box(ink[box], BOX_SIDE)
    centre_y, centre_x = centre_of_mass(digit)
    # Shift by whole pixels: the fitted digit is pasted unchanged, as MNIST did, and lands within
    # half a pixel of the centre.
    top = int(np.round(CENTRE - centre_y))
    left = int(np.round(CENTRE - centre_x))
    _paste(frame, digit, top, left)
    return frame


def bounding_box(image):
    """The smallest (row slice, column slice) holding every non-zero pixel, or None if there is none."""
    rows = np.flatnonzero(image.any(axis=1))
    columns = np.flatnonzero(image.any(axis=0))
    if len(rows) == 0:
        return None
    return slice(rows[0], rows[-1] + 1), slice(columns[0], columns[-1] + 1)


def fit_box(image, side):
    """Scale an image so its longer side is `side` pixels, keeping the aspect ratio, by area averaging.

    Each new pixel is the average of the part of the old image it covers, partly covered old pixels
    counting by the fraction covered (a box filter). Rows and columns are resampled separately, by
    two matrices: result = R @ image @ Cᵀ, exact and fast.
    Returns float32 (new rows, new columns); the shorter side is rounded up to whole pixels, the
    partly covered last pixel then being paler, as it holds less ink.
    """
    image = np.asarray(image, dtype=np.float32)
    scale = side / max(image.shape)
    return area_resampling(image.shape[0], scale) @ image @ area_resampling(image.shape[1], scale).T


def area_resampling(length, scale):
    """The (new length, length) matrix that box-filters a line of pixels, scaled by `scale`.

    New pixel j covers old coordinates [j/scale, (j+1)/scale); its weight for old pixel i is the
    length of that interval's overlap with [i, i+1), times scale (so a fully covered new pixel is an
    average: its weights add up to 1).
    """
    new_length = max(1, int(np.ceil(length * scale - 1e-9)))
    new_starts = np.arange(new_length)[:, None] / scale
    old_starts = np.arange(length)[None, :]
    overlap = (np.minimum(old_starts + 1, new_starts + 1 / scale) - np.maximum(old_starts, new_starts))
    return (np.clip(overlap, 0, None) * scale).astype(np.float32)


def centre_of_mass(image):
    """(row, column) of the grey levels' centre of mass, counted as transform.py counts (and MNIST
    centred): the top-left pixel's centre is (0, 0). (Counted from its corner instead, drawings sat
    half a pixel up and left of where MNIST's digits sit, which costs a model that is not deskewed.)"""
    total = image.sum()
    y = (image.sum(axis=1) @ np.arange(image.shape[0])) / total
    x = (image.sum(axis=0) @ np.arange(image.shape[1])) / total
    return float(y), float(x)


def _paste(frame, image, top, left):
    """Copy image into frame with its top-left corner at (top, left); whatever falls outside is cut off."""
    rows, columns = image.shape
    frame_rows = slice(max(top, 0), min(top + rows, frame.shape[0]))
    frame_columns = slice(max(left, 0), min(left + columns, frame.shape[1]))
    frame[frame_rows, frame_columns] = image[frame_rows.start - top:frame_rows.stop - top,
                                             frame_columns.start - left:frame_columns.stop - left]


def _segments(strokes, min_step):
    """Every stroke's consecutive points as segments: (starts (n, 2), ends (n, 2)), float32.

    Points closer than min_step pixels to the last kept one are skipped (a slow mouse sends many);
    a stroke of one point is a segment of length 0, which draws a dot.
    """
    starts, ends = [], []
    for stroke in strokes:
        points = np.asarray(stroke, dtype=np.float32).reshape(-1, 2)
        if len(points) == 0:
            continue
        kept = points[_kept_points(points, min_step)]
        if len(kept) == 1:
            kept = np.concatenate([kept, kept])
        starts.append(kept[:-1])
        ends.append(kept[1:])
    if not starts:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    return np.concatenate(starts), np.concatenate(ends)


def _kept_points(points, min_step):
    """Which of a stroke's points (float32 (n, 2), n >= 1) _segments keeps: the first, and each one at
    least min_step from the last one kept (across or down). The step from one point to the next is
    measured for all of them at once, and one point from a point further back only after a point was
    passed over: a loop of NumPy calls point by point took a quarter of a drawn digit's time."""
    far = (np.abs(np.diff(points, axis=0)).max(axis=1) >= min_step).tolist()
    kept, last = [0], 0
    for number in range(1, len(points)):
        if last == number - 1:
            keep = far[number - 1]
        else:
            keep = np.abs(points[number] - points[last]).max() >= min_step
        if keep:
            kept.append(number)
            last = number
    return kept


def _pieces(starts, ends, longest):
    """Segments cut into equal pieces no longer than `longest`, so each reaches only a small square."""
    counts = np.maximum(1, np.ceil(np.linalg.norm(ends - starts, axis=1) / longest)).astype(np.intp)
    which = np.repeat(np.arange(len(starts)), counts)
    step = np.arange(len(which)) - np.repeat(np.cumsum(counts) - counts, counts)   # 0..count-1
    fraction = (step / counts[which])[:, None]
    direction = (ends - starts)[which]
    return (starts[which] + fraction * direction).astype(np.float32), \
        (starts[which] + (fraction + 1 / counts[which][:, None]) * direction).astype(np.float32)


def _squared_distances(xs, ys, starts, ends):
    """Squared distances (pieces, rows, columns) from pixel centres to each piece.

    xs: (pieces, columns) and ys: (pieces, rows), each piece's own pixel centres.
    """
    ax, ay = starts[:, 0, None, None], starts[:, 1, None, None]
    dx, dy = (ends[:, 0] - starts[:, 0])[:, None, None], (ends[:, 1] - starts[:, 1])[:, None, None]
    xs, ys = xs[:, None, :], ys[:, :, None]
    length2 = dx * dx + dy * dy
    # How far along each piece the nearest point lies, 0..1 (0 for a zero-length piece: a dot).
    along = np.clip(((xs - ax) * dx + (ys - ay) * dy) / np.maximum(length2, 1e-12), 0, 1)
    off_x = xs - (ax + along * dx)
    off_y = ys - (ay + along * dy)
    return (off_x * off_x + off_y * off_y).astype(np.float32)
