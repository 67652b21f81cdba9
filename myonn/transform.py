"""Moving the pixels of 28×28 digits: one resampler (`warp`) and the one deskew every caller shares.

`warp` is the one bilinear resampler. Deskewing (here) and data augmentation (augment.py) each work
out *where* every output pixel should come from, then hand those source coordinates to `warp`, which
reads them off the images by bilinear interpolation. Working backwards (output pixel → source
position) leaves no holes in the output, and composing all moves into one map before sampling blurs
the digit once instead of once per move. (Deskewing's map only slides whole rows sideways, so it uses
`_shift_rows`, warp's special case for such maps: the same result in fewer steps. Training deskews
every distorted digit of every epoch, so those steps count.)

Coordinates are (row, column) of pixel centres: the top-left pixel is (0, 0), the bottom-right
(27, 27). Rows grow downwards, as on screen and in MNIST's files.

Left out on purpose: any other interpolation (nearest, bicubic), and centring a digit by its bounding
box; MNIST itself is centred by centre of mass, and so is `deskew`.
"""

import numpy as np

IMAGE_SIDE = 28

# MNIST's centring point. MNIST moved every digit by whole pixels until its centre of mass lay at
# pixel (14, 14): in the training set every centre of mass is within half a pixel of it (13.48..14.50).
CENTRE = 14.0

# No MNIST digit leans further than a shear of 1.87 columns per row. A nearly flat scribble (a "-")
# has almost no height, so μ11 / μ02 can come out at 10 or more and smear it across the image;
# this limit keeps deskewing harmless for such inputs without touching any MNIST digit.
LARGEST_SKEW = 2.0

# How many images warp resamples in one go (see warp).
IMAGES_PER_PASS = 256


def warp(images, source_rows, source_cols):
    """Resample a batch of images: output pixel (r, c) of image i is image i read at a source position.

    images:      (n, 28, 28), any real dtype; grey levels, 0 = background.
    source_rows: (n, 28, 28), or anything that broadcasts to it (e.g. (28, 1)): the fractional row to
                 read each output pixel from.
    source_cols: the same for columns.
    Returns float32 (n, 28, 28).

    Bilinear interpolation: a source position between four pixel centres gets their grey levels,
    each weighted by how close it is. Outside the image counts as background (0), so a digit moved
    towards an edge fades out there rather than wrapping round or smearing the edge pixels.
    """
    images = np.asarray(images, dtype=np.float32)
    source_rows = np.broadcast_to(source_rows, images.shape)
    source_cols = np.broadcast_to(source_cols, images.shape)
    if len(images) <= IMAGES_PER_PASS:  # one part: its result is the answer (augment.py warps part by part)
        return _bilinear(images, source_rows, source_cols)
    warped = np.empty(images.shape, dtype=np.float32)
    # A few hundred images at a time: then _bilinear's index arrays stay in the CPU's cache, which
    # makes a large batch several times faster than one pass over all of it.
    for start in range(0, len(images), IMAGES_PER_PASS):
        part = slice(start, start + IMAGES_PER_PASS)
        warped[part] = _bilinear(images[part], source_rows[part], source_cols[part])
    return warped


def _bilinear(images, source_rows, source_cols):
    """warp's work for one part of the batch; the arguments all have the shape (n, 28, 28).

    Written with few, in-place steps: each step is a pass over the whole part, and a fresh array
    costs about three times what reusing one does (the memory must be handed over and touched first).
    """
    framed = _framed(images, 1)
    framed_width = framed.shape[2]
    flat = framed.reshape(-1)
    height, width = images.shape[1:]

    rows = np.clip(source_rows, -1, height, dtype=np.float32)
    cols = np.clip(source_cols, -1, width, dtype=np.float32)
    # The pixel above-left of each source position; capped so its neighbour below-right is still
    # inside the frame (a position on the frame's far edge then gets all its weight from the frame).
    top = np.minimum(np.floor(rows), height - 1)
    left = np.minimum(np.floor(cols), width - 1)
    down = np.subtract(rows, top, out=rows)     # 0..1: how far the position is from `top` towards the next row
    right = np.subtract(cols, left, out=cols)   # 0..1: the same along the row

    # Where that pixel lies in the flattened batch of framed images (+1: the frame's row and column).
    # Worked out in float32, exact for whole numbers below 2**24 (a part holds 256 × 900 pixels).
    corner = np.multiply(top, framed_width, out=top)
    corner += left
    corner += _image_starts(len(images), framed.shape[1] * framed_width) + (framed_width + 1)
    corner = corner.astype(np.intp)
    # Its neighbours are read at the same index from the flat batch shifted by 1, by a row, by both.
    upper = _between(np.take(flat, corner), np.take(flat[1:], corner), right)
    lower = _between(np.take(flat[framed_width:], corner), np.take(flat[framed_width + 1:], corner), right)
    return _between(upper, lower, down)


def _framed(images, rows, columns=None):
    """The images with `rows` rows and `columns` columns of background (0) added on every side."""
    columns = rows if columns is None else columns
    count, height, width = images.shape
    framed = np.zeros((count, height + 2 * rows, width + 2 * columns), dtype=np.float32)
    framed[:, rows:rows + height, columns:columns + width] = images
    return framed


def _image_starts(count, pixels_per_image):
    """(count, 1, 1) float32: where each image starts in a flattened batch."""
    return (np.arange(count, dtype=np.float32) * pixels_per_image)[:, None, None]


def deskew(images):
    """Straighten each digit: shear it so its principal axis is vertical, with its centre of mass at (14, 14).

    images: one image (28, 28) or a batch (n, 28, 28); grey levels 0..255 (255 = ink), any real dtype.
    Returns float32 of the same shape, grey levels still within the input's range.

    The grey levels act as masses. With (cy, cx) their centre of mass, and μ02 and μ11 the variance
    of the rows and the covariance of rows and columns, the digit's axis runs through (cy, cx) with
    slope α = μ11 / μ02 columns per row (the least-squares line "column = cx + α·(row − cy)").
    Output pixel (r, c) is read from

        source row    = r + dy
        source column = c + dx + α·(r + dy − cy)

    (what warp would do with that map; as every row just slides sideways by a whole row's amount,
    `_shift_rows` does it in a few steps instead of warp's many)

    i.e. every row slides sideways by the amount its part of the axis leans, which stands the axis
    upright at column cx. (dy, dx) = (cy, cx) − (14, 14), rounded to whole pixels, then moves the
    centre of mass to within half a pixel of (14, 14) — exactly how MNIST centred its digits — so a
    digit drawn off-centre is centred too, while an MNIST digit is not moved at all and so is not
    blurred by a fractional shift. Only the shear interpolates.

    This is the usual moment-based deskewing, the kind behind the "deskewing" entries in LeCun et al.'s
    table of MNIST results. An empty image (no ink) comes back unchanged.
    """
    images = np.asarray(images)
    single = images.ndim == 2
    batch = images.reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
    straightened = np.empty(batch.shape, dtype=np.float32)
    # A part at a time, as warp works: then only the result is a large new array. (For the 60,000
    # training images, each full-size float32 array is 188 MB, and fresh memory is slow to touch.)
    for start in range(0, len(batch), IMAGES_PER_PASS):
        part = batch[start:start + IMAGES_PER_PASS].astype(np.float32, copy=False)
        cy, cx, alpha = (moment.astype(np.float32)[:, None] for moment in centre_of_mass_and_skew(part))
        source_rows = np.arange(IMAGE_SIDE, dtype=np.float32) + np.round(cy - CENTRE)   # (n, 28), whole rows
        row_shifts = np.round(cx - CENTRE) + alpha * (source_rows - cy)                  # (n, 28), columns
        # An empty image has α = 0 and centre (14, 14): no shift at all, which reproduces it exactly.
        straightened[start:start + IMAGES_PER_PASS] = _shift_rows(part, source_rows, row_shifts)
    return straightened[0] if single else straightened


def _shift_rows(images, source_rows, row_shifts):
    """warp for maps that read every output row from one whole source row, slid sideways.

    images: float32 (n, 28, 28). source_rows: (n, 28) whole numbers, the row each output row reads.
    row_shifts: (n, 28), how far each output row reads to the right of its own columns.
    Returns float32 (n, 28, 28): warp(images, source_rows[..., None], columns + row_shifts[..., None]).
    The fraction of a pixel is the same all along a row, so only two pixels are read per output
    pixel, and the clamping and rounding are done once per row, not per pixel.
    """
    # Background all round, wide enough that a row slid by up to a whole image width (and any
    # row above or below the image) reads background: 1 row and `slide` columns on each side.
    slide = IMAGE_SIDE + 1
    framed = _framed(images, 1, slide)
    framed_width = framed.shape[2]
    flat = framed.reshape(-1)
    rows = np.clip(source_rows, -1, IMAGE_SIDE) + 1
    whole = np.clip(np.floor(row_shifts), -slide, IMAGE_SIDE)
    fraction = np.clip(row_shifts - whole, 0, 1)[..., None]           # (n, 28, 1); clamped rows read only 0s
    first = rows * framed_width + whole + slide                        # (n, 28): each row's first pixel
    first = first[..., None] + _image_starts(len(images), framed.size // len(images))
    pixel = (first + np.arange(IMAGE_SIDE, dtype=np.float32)).astype(np.intp)   # (n, 28, 28)
    return _between(np.take(flat, pixel), np.take(flat[1:], pixel), fraction)


def centre_of_mass_and_skew(images):
    """The moments deskew uses, per image: centre of mass (cy, cx) and skew α = μ11 / μ02.

    images: (n, 28, 28) grey levels ≥ 0. Returns three float64 arrays (n,).
    α is limited to ±LARGEST_SKEW, and is 0 where it is undefined (no ink, or all ink on one row);
    an image without ink gets the centre (14, 14).
    """
    images = np.asarray(images, dtype=np.float32)
    positions = np.arange(IMAGE_SIDE, dtype=np.float64)
    # Reduce each row first, on the big float32 array, in one matrix product; only the (n, 28)
    # results go to float64, where the variance's "mean of squares minus square of mean" loses nothing.
    ones_and_positions = np.stack([np.ones(IMAGE_SIDE), positions], axis=1).astype(np.float32)   # (28, 2)
    row_sums = (images.reshape(-1, IMAGE_SIDE) @ ones_and_positions).astype(np.float64)
    row_sums = row_sums.reshape(len(images), IMAGE_SIDE, 2)
    ink_per_row = row_sums[..., 0]                                                # Σ_c I,   (n, 28)
    column_moment_per_row = row_sums[..., 1]                                      # Σ_c c·I, (n, 28)
    ink_per_column = images.sum(axis=1).astype(np.float64)                        # Σ_r I,   (n, 28)

    mass = ink_per_row.sum(axis=1)
    has_ink = mass > 0
    mass = np.where(has_ink, mass, 1.0)
    cy = np.where(has_ink, ink_per_row @ positions / mass, CENTRE)
    cx = np.where(has_ink, ink_per_column @ positions / mass, CENTRE)
    mu02 = ink_per_row @ positions ** 2 / mass - cy ** 2
    mu11 = column_moment_per_row @ positions / mass - cy * cx

    # Ink on a single row has μ02 = 0 (up to rounding): there is no axis to stand up.
    tall_enough = mu02 > 1e-6
    alpha = np.where(tall_enough, mu11 / np.where(tall_enough, mu02, 1.0), 0.0)
    return cy, cx, np.clip(alpha, -LARGEST_SKEW, LARGEST_SKEW)


def _between(start, end, fraction):
    """Linear interpolation: start at fraction 0, end at fraction 1. Overwrites `end` (and returns it)."""
    end -= start
    end *= fraction
    end += start
    return end
