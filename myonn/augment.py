"""Data augmentation: every epoch, show the network slightly different versions of the same digits.

Each image gets its own small random move: a shift, a rotation, a change of size and, if asked for,
an elastic distortion, the wobble of a hand that never draws the same stroke twice (Simard, Steinkraus
and Platt, "Best Practices for Convolutional Neural Networks Applied to Visual Document Analysis",
2003). The network then learns what the digits have in common rather than their exact pixels.

All the moves are combined into one map of source positions and applied by `transform.warp` in a
single resampling, so the digit is blurred once, however many moves there are.

Augmentation works on raw grey levels (0..255, 255 = ink), before `inputs.network_input`. So a model
that deskews its inputs deskews the augmented digits too — and deskewing undoes much of two moves:
it re-centres each digit (cancelling whole pixels of shift) and stands it upright (cancelling most of
a small rotation). With deskewing on, the moves that still make a difference are scale and elastic.

Four more, optional and the only ones that look at labels (never changing them), add a stroke that
MNIST's American writers of 1990 left out but many people write, drawn with the drawing window's own
round pen, as wide as the digit's own stroke: `flags` gives a share of the 1s a flag at the top and
`feet` a share of them a foot (a serif base); `slashes` strikes a share of the 0s through (Ø);
`tails` ends a share of the 9s' stems in a tail that curls round to the left, as in a "g".
MNIST's 1s are nearly all plain sticks, its 0s plain ovals and its 9s straight-stemmed: a network
that knows only those reads a flagged 1 as a 7, a footed 1 as a 2, a slashed 0 as a 4 or an 8, and
a 9 whose tail curls round as a 3 or an 8.

Left out on purpose: flips (a mirrored 2 is no digit), shear (deskewing would undo it), and noise;
and any move that could turn one digit into another.
"""

import functools

import numpy as np

from myonn.errors import MyonnError, echoed
from myonn.transform import CENTRE, IMAGE_SIDE, IMAGES_PER_PASS, warp

OFF = "none"

# Beyond these a digit is moved out of its 28×28 frame, turned more than all the way round, or
# smoothed over more than the whole image (and the smoothing kernel would not fit in memory).
LARGEST = {"shift": 28, "rotation": 180, "elastic_alpha": 1000, "elastic_sigma": 28}
# Smoothing over less than a hundredth of a pixel is no smoothing at all; far smaller (1e-300), the
# Gaussian's arithmetic overflows.
SMALLEST_SIGMA = 0.01


class Augmentation:
    """Random moves for a batch of digits, each image its own.

    shift:         up to this many pixels up/down and, independently, left/right
    rotation:      up to this many degrees either way (positive turns anticlockwise on screen)
    scale:         the size is multiplied by a factor between 1 − scale and 1 + scale
    elastic_alpha: strength of the elastic distortion (Simard et al.'s α); 0 turns it off
    elastic_sigma: smoothness of the elastic distortion, in pixels (Simard et al.'s σ)
    Every amount is drawn uniformly from its range. All zero: no augmentation at all.

    For elastic distortion, every pixel gets a random displacement, uniform in [−1, 1] along each
    axis; the displacements are smoothed with a Gaussian of standard deviation σ (so neighbours move
    together) and multiplied by α. The paper uses α = 34, σ = 4 for 28×28 digits and a large
    convolutional network; a network as small as the talk's does better with milder, e.g. α = 8, σ = 4.
    """

    def __init__(self, shift=0.0, rotation=0.0, scale=0.0, elastic_alpha=0.0, elastic_sigma=4.0, flags=0.0,
                 feet=0.0, slashes=0.0, tails=0.0):
        for name, value in [("shift", shift), ("rotation", rotation), ("scale", scale),
                            ("elastic_alpha", elastic_alpha), ("elastic_sigma", elastic_sigma),
                            ("flags", flags), ("feet", feet), ("slashes", slashes), ("tails", tails)]:
            if not 0 <= value < float("inf"):
                raise ValueError(f"augmentation {name} must be a number of at least 0, not {value!r}")
            if value > LARGEST.get(name, float("inf")):
                raise ValueError(f"augmentation {name} must be at most {LARGEST[name]:g}, not {value!r}")
        if scale >= 1:
            raise ValueError(f"augmentation scale must be below 1 (a factor of 1 − scale > 0), not {scale!r}")
        for name, value, digit in [("flags", flags, "1s"), ("feet", feet, "1s"), ("slashes", slashes, "0s"),
                                   ("tails", tails, "9s")]:
            if value > 1:
                raise ValueError(f"augmentation {name} is a share of the {digit}, at most 1, not {value!r}")
        if elastic_alpha > 0 and elastic_sigma < SMALLEST_SIGMA:
            raise ValueError(f"augmentation elastic_sigma must be at least {SMALLEST_SIGMA} (pixels) for elastic "
                             f"distortion, not {elastic_sigma!r}")
        self.shift = float(shift)
        self.rotation = float(rotation)
        self.scale = float(scale)
        self.elastic_alpha = float(elastic_alpha)
        self.elastic_sigma = float(elastic_sigma)
        self.flags = float(flags)
        self.feet = float(feet)
        self.slashes = float(slashes)
        self.tails = float(tails)

    @classmethod
    def from_text(cls, text):
        """Build one from a flag's text, e.g. "shift=2,rotation=10,scale=0.1,elastic=8:4".

        Keys: shift (pixels), rotation (degrees), scale (fraction), elastic (α or α:σ; σ is 4 if
        left out), flags and feet (the shares of 1s given a flag, a foot), slashes (the share of 0s
        struck through), tails (the share of 9s given a curled tail). Keys left out are off; "" or
        "none" turns everything off.
        Raises MyonnError, naming the part at fault, for anything else.
        """
        settings = {}
        text = text.strip()
        if text.lower() in ("", OFF):
            return cls()
        for part in text.split(","):
            key, equals, value = (piece.strip() for piece in part.partition("="))
            try:
                if not equals:
                    raise ValueError
                if key in ("shift", "rotation", "scale", "flags", "feet", "slashes", "tails"):
                    settings[key] = float(value)
                elif key == "elastic":
                    alpha, _, sigma = value.partition(":")
                    settings["elastic_alpha"] = float(alpha)
                    if sigma:
                        settings["elastic_sigma"] = float(sigma)
                else:
                    raise MyonnError(f"augmentation: unknown setting {echoed(key)} in {echoed(part)} "
                                     "(known: shift, rotation, scale, elastic, flags, feet, slashes, tails)")
            except ValueError:
                raise MyonnError(f"augmentation: {echoed(part)} is not setting=number "
                                 "(e.g. shift=2,rotation=10,scale=0.1,elastic=8:4)") from None
        try:
            return cls(**settings)
        except ValueError as error:
            raise MyonnError(str(error)) from None

    def describe(self):
        """The settings as a plain dict, for a model file's info; Augmentation(**describe()) rebuilds it."""
        return {"shift": self.shift, "rotation": self.rotation, "scale": self.scale,
                "elastic_alpha": self.elastic_alpha, "elastic_sigma": self.elastic_sigma, "flags": self.flags,
                "feet": self.feet, "slashes": self.slashes, "tails": self.tails}

    def __str__(self):
        """The settings as from_text reads them, e.g. "shift=2,rotation=10,scale=0.1,elastic=8:4"."""
        if self.is_off():
            return OFF
        parts = [f"{name}={value:g}" for name, value in
                 [("shift", self.shift), ("rotation", self.rotation), ("scale", self.scale)] if value]
        if self.elastic_alpha:
            parts.append(f"elastic={self.elastic_alpha:g}:{self.elastic_sigma:g}")
        parts += [f"{name}={value:g}" for name, value in
                  [("flags", self.flags), ("feet", self.feet), ("slashes", self.slashes), ("tails", self.tails)]
                  if value]
        return ",".join(parts)

    def __repr__(self):
        return f"Augmentation.from_text({str(self)!r})"

    def is_off(self):
        return not (self.shift or self.rotation or self.scale or self.elastic_alpha or self.flags or self.feet
                    or self.slashes or self.tails)

    def __call__(self, images, random, labels=None):
        """Randomly moved copies of a batch of digits.

        images: a batch (n, 28, 28) or one image (28, 28) of grey levels, any real dtype (uint8 or
                float32 straight from MNIST). They are not changed.
        random: a numpy Generator (np.random.default_rng(seed)); the same generator state gives
                the same moves, so a seeded training run is repeatable.
        labels: the batch's labels (n,), needed only to find the 1s, 0s and 9s for `flags`, `feet`,
                `slashes` and `tails`; never changed.
        Returns float32 of the same shape, grey levels within the input's range (bilinear
        interpolation only averages). Each image stays the digit it was.
        """
        images = np.array(images, dtype=np.float32)              # a copy, whatever comes in
        if self.is_off():
            return images
        batch = images.reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
        if labels is not None:
            labels = np.asarray(labels).reshape(-1)
            # Feet go on after flags, so a 1 may get both; each is drawn on the 1 as MNIST wrote it.
            for add, share, digit in [(add_flags, self.flags, 1), (add_feet, self.feet, 1),
                                      (add_slashes, self.slashes, 0), (add_tails, self.tails, 9)]:
                if share:
                    add(batch, labels == digit, random, share)
        moved = np.empty_like(batch)
        # A few hundred images at a time, as warp works: the maps of source positions then stay in
        # the CPU's cache from being made to being used.
        for start in range(0, len(batch), IMAGES_PER_PASS):
            part = slice(start, start + IMAGES_PER_PASS)
            source_rows, source_cols = self.source_positions(len(batch[part]), random)
            moved[part] = warp(batch[part], source_rows, source_cols)
        return moved.reshape(images.shape)

    def source_positions(self, count, random):
        """Where each output pixel reads from: two float32 arrays (count, 28, 28), rows and columns.

        The affine part (shift, rotation, scale about the centre (14, 14)) is inverted, because warp
        asks, for each output pixel, where it came from: undo the shift, turn back, shrink back.
        The elastic displacements are added to those source positions.

        Both parts are sums of products of a pattern along the rows and a pattern along the columns:
        map[r, c] = Σ pattern_p(r)·coefficient[p, q]·pattern_q(c), i.e. P·C·Pᵀ. The affine part needs
        only the patterns 1 and (position − 14); the elastic part the blur's smooth patterns (see
        elastic_displacements). So each image's map is one small matrix of coefficients C, and two
        matrix products make the maps of the whole batch, rows and columns, at once.
        """
        shift_down, shift_right, angle, zoom = (random.uniform(-limit, limit, count)
                                                for limit in (self.shift, self.shift, self.rotation, self.scale))
        angle, zoom = np.radians(angle), 1 + zoom
        # Output position relative to the centre, with the shift taken off, turned back and shrunk
        # back. Rows grow downwards, so turning anticlockwise on screen moves a point at (down, across)
        # to (down·cos − across·sin, across·cos + down·sin); with down = r − 14 − shift_down and
        # across = c − 14 − shift_right:
        #     source row    = 14 + cos·down + sin·across     (cos and sin divided by the zoom)
        #     source column = 14 + cos·across − sin·down
        cos, sin = np.cos(angle) / zoom, np.sin(angle) / zoom
        patterns = [np.ones(IMAGE_SIDE), np.arange(IMAGE_SIDE) - CENTRE]
        if self.elastic_alpha:
            patterns += list(blur_basis(self.elastic_sigma).T)
        coefficients = np.zeros((count, 2, len(patterns), len(patterns)), dtype=np.float32)
        rows, cols = coefficients[:, 0], coefficients[:, 1]
        rows[:, 0, 0] = CENTRE - cos * shift_down - sin * shift_right     # 1 along rows, 1 along columns
        rows[:, 1, 0], rows[:, 0, 1] = cos, sin                            # (r − 14), (c − 14)
        cols[:, 0, 0] = CENTRE - cos * shift_right + sin * shift_down
        cols[:, 0, 1], cols[:, 1, 0] = cos, -sin
        if self.elastic_alpha:
            coefficients[:, :, 2:, 2:] = self.elastic_coefficients(count, random)
        positions = maps(np.array(patterns, dtype=np.float32).T, coefficients)
        return positions[:, 0], positions[:, 1]

    def elastic_displacements(self, count, random):
        """Simard et al.'s smooth random displacement fields: two float32 arrays (count, 28, 28), in pixels.

        The field is uniform noise F, blurred by a Gaussian: α·B·F·Bᵀ, with B the blur of a 28-pixel
        line (a Gaussian blur is separable: blur down each column, then along each row). Beyond the
        image the noise counts as 0, as in the widely used implementations (scipy's gaussian_filter
        with mode="constant").

        Drawing 1,568 numbers and blurring them was most of the cost of training the best recipe, so
        the same field is drawn a shorter way. B is symmetric: B = U·diag(w)·Uᵀ with orthonormal U.
        Then B·F·Bᵀ = (U·w)·G·(U·w)ᵀ with G = Uᵀ·F·U, whose entries are uncorrelated with F's variance
        (1/3, for uniform noise on [−1, 1]) and, as sums of 784 noise values, normal. So G is drawn
        as normal noise directly — and only for the few smooth patterns (columns of U) whose weight
        w is not negligible: for σ = 4, 8 of 28 (blur_basis). Same mean, same covariance (to 1e-5),
        normal values: the same field, for 128 random numbers instead of 1,568.
        (source_positions makes these fields together with the affine moves, in the same products.)
        """
        displacement = maps(blur_basis(self.elastic_sigma), self.elastic_coefficients(count, random))
        return displacement[:, 0], displacement[:, 1]

    def elastic_coefficients(self, count, random):
        """α·G of elastic_displacements, for rows and columns: float32 (count, 2, k, k)."""
        patterns = blur_basis(self.elastic_sigma).shape[1]
        weights = random.standard_normal((count, 2, patterns, patterns), dtype=np.float32)
        weights *= np.float32(np.sqrt(1 / 3) * self.elastic_alpha)
        return weights


def maps(patterns, coefficients):
    """P·C·Pᵀ for each image's coefficients C: patterns (28, m), coefficients (count, 2, m, m) ->
    (count, 2, 28, 28). The first product is one large matrix product for the whole batch."""
    count, _, size, _ = coefficients.shape
    along_columns = (coefficients.reshape(-1, size) @ patterns.T).reshape(count, 2, size, IMAGE_SIDE)
    return patterns @ along_columns


def gaussian_blur_matrix(sigma, size=IMAGE_SIDE):
    """(size, size) float32: row i holds the weights that blur a line of `size` values into its value i.

    The weights are the normal density with standard deviation sigma, so they sum to 1 away from the
    ends; near the ends the part of the kernel that falls outside the line is lost.
    """
    offsets = np.arange(size)[:, None] - np.arange(size)[None, :]
    weights = np.exp(-0.5 * (offsets / sigma) ** 2) / (np.sqrt(2 * np.pi) * sigma)
    return weights.astype(np.float32)


@functools.cache
def blur_basis(sigma, size=IMAGE_SIDE, smallest=1e-2):
    """The blur's smooth patterns that matter, each times its weight: float32 (size, k).

    Columns are U·w for the eigenvectors U of gaussian_blur_matrix(sigma) (= U·diag(w)·Uᵀ) whose
    eigenvalue w is at least `smallest` times the largest; the rest let through so little (for σ = 4,
    a hundred-thousandth of the field's variance) that leaving them out changes nothing one could see.
    """
    weights, patterns = np.linalg.eigh(gaussian_blur_matrix(sigma, size).astype(np.float64))
    kept = weights >= smallest * weights.max()
    return (patterns[:, kept] * weights[kept]).astype(np.float32)


def add_flags(images, is_one, random, share):
    """Give a random `share` of the 1s a flag, in place: a short stroke from the top of the 1 down to
    the left, drawn with the drawing window's round pen, as wide as the 1's own stroke.

    MNIST's writers (American) drew their 1s as plain sticks; many people elsewhere start a 1 with a
    flag, which a network that knows only sticks takes for a 7. images: float32 (n, 28, 28) grey
    levels; is_one: bool (n,). Flags are 15 to 60% of the 1's height long (a long flag reaches well to
    the left, and is what a 7-reading network gets most wrong), at 15° to 60° below the horizontal;
    1s shorter than 8 rows are left alone.
    """
    chosen = np.flatnonzero(is_one & (random.random(len(images)) < share))
    ink = ink_extent(images[chosen])
    lengths = random.uniform(0.15, 0.60, len(chosen)) * ink["heights"]
    angles = np.radians(random.uniform(15, 60, len(chosen)))
    drawn = ink["heights"] >= 8
    start_x, start_y = ink["top_x"], ink["tops"] + 0.5
    # Down to the left.
    draw_lines(images, chosen[drawn], start_x[drawn], start_y[drawn], (start_x - lengths * np.cos(angles))[drawn],
               (start_y + lengths * np.sin(angles))[drawn], ink["widths"][drawn])


def add_feet(images, is_one, random, share):
    """Give a random `share` of the 1s a foot, in place: a level stroke across the bottom of the 1,
    drawn with the window's pen, as wide as the 1's own stroke.

    Many writers outside America stand a 1 on a short base (a serif foot), often with a flag on top; a
    network that knows only sticks reads the foot as the base of a 2. images: float32 (n, 28, 28);
    is_one: bool (n,). The foot reaches 15 to 35% of the 1's height to each side of where the 1 ends,
    tilted up to 5° either way; 1s shorter than 8 rows are left alone.
    """
    chosen = np.flatnonzero(is_one & (random.random(len(images)) < share))
    ink = ink_extent(images[chosen])
    left = random.uniform(0.15, 0.35, len(chosen)) * ink["heights"]
    right = random.uniform(0.15, 0.35, len(chosen)) * ink["heights"]
    tilt = np.tan(np.radians(random.uniform(-5, 5, len(chosen))))
    drawn = ink["heights"] >= 8
    middle_x, base_y = ink["bottom_x"], ink["bottoms"] - 0.5
    draw_lines(images, chosen[drawn], (middle_x - left)[drawn], (base_y + left * tilt)[drawn],
               (middle_x + right)[drawn], (base_y - right * tilt)[drawn], ink["widths"][drawn])


def add_slashes(images, is_zero, random, share):
    """Strike a random `share` of the 0s through, in place: a stroke from near the bottom left of the 0
    to near its top right (Ø), drawn with the window's pen, as wide as the 0's own stroke.

    Programmers, engineers and many Europeans slash their zeros so that a 0 is never taken for an O;
    MNIST has none, and a network that has never seen one reads the slash as the cross of a 4 or an 8.
    images: float32 (n, 28, 28); is_zero: bool (n,). Each end lies within the inner 0 to 35% of the
    0's width from its side and from 5% outside to 15% inside its top or bottom; 0s shorter than 8
    rows are left alone.
    """
    chosen = np.flatnonzero(is_zero & (random.random(len(images)) < share))
    ink = ink_extent(images[chosen])
    heights, widths = ink["heights"], ink["ink_widths"]
    start_x = ink["lefts"] + random.uniform(0, 0.35, len(chosen)) * widths
    start_y = ink["bottoms"] - random.uniform(-0.05, 0.15, len(chosen)) * heights
    end_x = ink["rights"] - random.uniform(0, 0.35, len(chosen)) * widths
    end_y = ink["tops"] + random.uniform(-0.05, 0.15, len(chosen)) * heights
    drawn = heights >= 8
    draw_lines(images, chosen[drawn], start_x[drawn], start_y[drawn], end_x[drawn], end_y[drawn],
               ink["widths"][drawn])


def add_tails(images, is_nine, random, share):
    """End a random `share` of the 9s' stems in a tail that curls round to the left, in place: part
    of an ellipse from the bottom of the stem, down, left and back up (like a "g"), drawn with the
    window's pen as a few short strokes, as wide as the 9's own stroke.

    Many people finish a 9 that way; MNIST's 9s stop at the bottom of a straight stem, and a network
    that has seen only those reads the curl as the bottom of a 3 or an 8. images: float32 (n, 28, 28);
    is_nine: bool (n,). The tail is 25 to 55% of the 9's height wide, drops up to 25% of its height
    below the stem (no further than the frame allows), turns through 160° to 250° and so comes back
    up its left side by up to 35% of the 9's height; 9s shorter than 8 rows are left alone.
    """
    chosen = np.flatnonzero(is_nine & (random.random(len(images)) < share))
    ink = ink_extent(images[chosen])
    heights = ink["heights"]
    half_width = random.uniform(0.25, 0.55, len(chosen)) * heights / 2
    drop = np.minimum(random.uniform(0.08, 0.25, len(chosen)) * heights, IMAGE_SIDE - 0.5 - ink["bottoms"])
    rise = random.uniform(0.1, 0.35, len(chosen)) * heights
    turn = np.radians(random.uniform(160, 250, len(chosen)))
    centre_x, centre_y = ink["bottom_x"] - half_width, ink["bottoms"] - 0.5
    drawn = heights >= 8

    def point(angle):
        """Where the tail is at `angle` (as on the screen, y down: 0° is the stem's end, 90° the
        lowest point): on a half ellipse `drop` deep below the stem's end, then one `rise` high."""
        sine = np.sin(angle)
        return centre_x + half_width * np.cos(angle), centre_y + np.where(sine > 0, drop, rise) * sine

    pieces = 8
    for piece in range(pieces):
        (start_x, start_y), (end_x, end_y) = point(turn * piece / pieces), point(turn * (piece + 1) / pieces)
        draw_lines(images, chosen[drawn], start_x[drawn], start_y[drawn], end_x[drawn], end_y[drawn],
                   ink["widths"][drawn])


def ink_extent(images):
    """Where each digit's ink lies, for drawing a stroke onto it: a dict of (k,) float arrays, in pixel
    coordinates (x across, y down; pixel (r, c) covers [c, c + 1) × [r, r + 1)).

    tops, bottoms, lefts, rights: the edges of the rows and columns holding full-ish ink (> 128);
    heights, ink_widths: bottoms − tops, rights − lefts; top_x, bottom_x: the middle of the ink on the
    top and bottom row; widths: the mean stroke width, 2 × area / outline of the pixels inked over 64.
    (A long stroke of width w and length l has area w·l and an outline of about 2·l; counting inked
    pixels per row instead would count a 0's two sides, and a slanted 1's slant, as width.)
    """
    ink_rows, ink_columns = images.max(axis=2) > 128, images.max(axis=1) > 128           # (k, 28) each
    tops = ink_rows.argmax(axis=1)
    bottoms = IMAGE_SIDE - ink_rows[:, ::-1].argmax(axis=1)
    lefts = ink_columns.argmax(axis=1)
    rights = IMAGE_SIDE - ink_columns[:, ::-1].argmax(axis=1)
    inked = images > 64
    every = np.arange(len(images))

    def middle(row):
        ink_here = inked[every, row]                                                        # (k, 28)
        return (ink_here * np.arange(IMAGE_SIDE)).sum(axis=1) / np.maximum(ink_here.sum(axis=1), 1) + 0.5

    area = inked.sum(axis=(1, 2))
    framed = np.pad(inked, ((0, 0), (1, 1), (1, 1)))
    outline = (np.diff(framed, axis=1) != 0).sum(axis=(1, 2)) + (np.diff(framed, axis=2) != 0).sum(axis=(1, 2))
    widths = 2 * area / np.maximum(outline, 1)
    return {"tops": tops.astype(float), "bottoms": bottoms.astype(float), "lefts": lefts.astype(float),
            "rights": rights.astype(float), "heights": (bottoms - tops).astype(float),
            "ink_widths": (rights - lefts).astype(float), "top_x": middle(tops),
            "bottom_x": middle(np.maximum(bottoms - 1, 0)), "widths": widths}


def draw_lines(images, chosen, start_x, start_y, end_x, end_y, widths):
    """Draw one straight stroke on each of images[chosen], in place, with the drawing window's
    anti-aliased round pen (as handwriting.draw_strokes draws it): a pixel is covered by how far its
    centre lies from the stroke's centre line. Coordinates and widths: (k,) arrays, in pixels."""
    if not len(chosen):
        return
    # float32 throughout: a few thousand digits get a stroke every epoch, and half-size numbers are
    # read and written twice as fast (far more precise than a pixel's grey level needs).
    start_x, start_y, end_x, end_y, widths = (np.asarray(values, dtype=np.float32)
                                              for values in (start_x, start_y, end_x, end_y, widths))
    start_x, start_y = start_x[:, None, None], start_y[:, None, None]                     # (k, 1, 1)
    along_x, along_y = end_x[:, None, None] - start_x, end_y[:, None, None] - start_y
    centres = np.arange(IMAGE_SIDE, dtype=np.float32) + np.float32(0.5)
    to_x, to_y = centres[None, None, :] - start_x, centres[None, :, None] - start_y      # (k, 28, 28) with both
    nearest = np.clip((to_x * along_x + to_y * along_y) / np.maximum(along_x ** 2 + along_y ** 2, np.float32(1e-9)),
                      0, 1)
    distance = np.hypot(to_x - nearest * along_x, to_y - nearest * along_y)
    radius = np.maximum(np.float32(0.8), widths / 2)[:, None, None]
    cover = np.clip(radius + np.float32(0.5) - distance, 0, 1)
    images[chosen] = np.maximum(images[chosen], 255 * cover)
