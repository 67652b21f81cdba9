"""The best recipe's input preparation as it was before issue 9, kept only as the benchmark's reference.

bench/train_bench.py trains the best recipe once with this and once with myonn's own, in the same run,
so the speed-up is measured, not remembered. Same moves, same distributions; what changed is how they
are computed (see myonn/augment.py and myonn/transform.py):
- the elastic field was drawn in full, 1,568 uniform numbers per image, blurred by two matrix products;
- each flag was drawn on its own with handwriting.draw_segment;
- deskewing went through the general resampler (four reads per pixel instead of two);
- and training prepared each chunk in the same thread that trained on it.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from myonn.early_ctrl_c import stop_at_once_on_ctrl_c  # noqa: E402

if __name__ == "__main__":  # run, not imported by bench/train_bench.py: myonn/early_ctrl_c.py
    stop_at_once_on_ctrl_c()

import numpy as np  # noqa: E402

from myonn.augment import Augmentation, gaussian_blur_matrix  # noqa: E402
from myonn.handwriting import draw_segment  # noqa: E402
from myonn.inputs import INPUT_OFFSET, INPUT_SCALE  # noqa: E402
from myonn.model import Model  # noqa: E402
from myonn.transform import CENTRE, IMAGE_SIDE, IMAGES_PER_PASS, centre_of_mass_and_skew  # noqa: E402


class AugmentationBefore(Augmentation):
    """Augmentation as computed before issue 9."""

    def __call__(self, images, random, labels=None):
        images = np.array(images, dtype=np.float32)
        batch = images.reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
        if self.flags and labels is not None:
            add_flags_before(batch, np.asarray(labels).reshape(-1) == 1, random, self.flags)
        shift_down, shift_right, angle, zoom = (random.uniform(-limit, limit, (len(batch), 1, 1)).astype(np.float32)
                                                for limit in (self.shift, self.shift, self.rotation, self.scale))
        angle, zoom = np.radians(angle), 1 + zoom
        down = np.arange(IMAGE_SIDE, dtype=np.float32)[:, None] - CENTRE - shift_down
        across = np.arange(IMAGE_SIDE, dtype=np.float32)[None, :] - CENTRE - shift_right
        cos, sin = np.cos(angle), np.sin(angle)
        source_rows = CENTRE + (down * cos + across * sin) / zoom
        source_cols = CENTRE + (across * cos - down * sin) / zoom
        if self.elastic_alpha:
            field = random.random((len(batch), 2, IMAGE_SIDE, IMAGE_SIDE), dtype=np.float32) * 2 - 1
            blur = gaussian_blur_matrix(self.elastic_sigma)
            displacement = np.float32(self.elastic_alpha) * (blur @ field @ blur.T)
            source_rows = source_rows + displacement[:, 0]
            source_cols = source_cols + displacement[:, 1]
        return warp_before(batch, source_rows, source_cols).reshape(images.shape)


def add_flags_before(images, is_one, random, share):
    chosen = np.flatnonzero(is_one & (random.random(len(images)) < share))
    ones = images[chosen]
    ink_rows = ones.max(axis=2) > 128
    tops = ink_rows.argmax(axis=1)
    heights = IMAGE_SIDE - ink_rows[:, ::-1].argmax(axis=1) - tops
    inked = ones > 64
    top_ink = inked[np.arange(len(chosen)), tops]
    starts_x = (top_ink * np.arange(IMAGE_SIDE)).sum(axis=1) / np.maximum(top_ink.sum(axis=1), 1) + 0.5
    widths = (inked.sum(axis=2) * ink_rows).sum(axis=1) / np.maximum(ink_rows.sum(axis=1), 1)
    lengths = random.uniform(0.15, 0.40, len(chosen)) * heights
    angles = np.radians(random.uniform(15, 60, len(chosen)))
    for index, x, y, length, angle, width, height in zip(chosen, starts_x, tops + 0.5, lengths, angles,
                                                         widths, heights):
        if height < 8:
            continue
        cover = np.zeros((IMAGE_SIDE, IMAGE_SIDE), dtype=np.float32)
        draw_segment(cover, (x, y), (x - length * np.cos(angle), y + length * np.sin(angle)),
                     radius=max(0.8, width / 2))
        np.maximum(images[index], 255 * cover, out=images[index])


def warp_before(images, source_rows, source_cols):
    images = np.asarray(images, dtype=np.float32)
    source_rows = np.broadcast_to(source_rows, images.shape)
    source_cols = np.broadcast_to(source_cols, images.shape)
    warped = np.empty(images.shape, dtype=np.float32)
    for start in range(0, len(images), IMAGES_PER_PASS):
        part = slice(start, start + IMAGES_PER_PASS)
        warped[part] = _bilinear(images[part], source_rows[part], source_cols[part])
    return warped


def _bilinear(images, source_rows, source_cols):
    count, height, width = images.shape
    framed = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    framed_height, framed_width = height + 2, width + 2
    flat = framed.reshape(-1)
    rows = np.clip(source_rows, -1, height).astype(np.float32, copy=False)
    cols = np.clip(source_cols, -1, width).astype(np.float32, copy=False)
    top = np.minimum(np.floor(rows), height - 1)
    left = np.minimum(np.floor(cols), width - 1)
    down, right = rows - top, cols - left
    corner = (top.astype(np.intp) + 1) * framed_width + (left.astype(np.intp) + 1)
    corner += np.arange(count, dtype=np.intp)[:, None, None] * (framed_height * framed_width)
    upper = _between(np.take(flat, corner), np.take(flat, corner + 1), right)
    corner += framed_width
    lower = _between(np.take(flat, corner), np.take(flat, corner + 1), right)
    return _between(upper, lower, down)


def _between(start, end, fraction):
    return start + fraction * (end - start)


def deskew_before(images):
    batch = np.asarray(images).reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
    straightened = np.empty(batch.shape, dtype=np.float32)
    for start in range(0, len(batch), IMAGES_PER_PASS):
        part = batch[start:start + IMAGES_PER_PASS].astype(np.float32)
        cy, cx, alpha = (moment.astype(np.float32)[:, None, None] for moment in centre_of_mass_and_skew(part))
        rows = np.arange(IMAGE_SIDE, dtype=np.float32)[:, None]
        cols = np.arange(IMAGE_SIDE, dtype=np.float32)[None, :]
        source_rows = rows + np.round(cy - CENTRE)
        source_cols = cols + np.round(cx - CENTRE) + alpha * (source_rows - cy)
        straightened[start:start + IMAGES_PER_PASS] = warp_before(part, source_rows, source_cols)
    return straightened.reshape(np.shape(images))


class ModelBefore(Model):
    """A deskewing model that prepares its inputs with the deskewing from before issue 9."""

    def network_input(self, pixels):
        pixels = np.asarray(pixels)
        inputs = deskew_before(pixels).reshape(len(pixels), -1)
        inputs *= np.float32(INPUT_SCALE)
        inputs += np.float32(INPUT_OFFSET)
        return inputs


if __name__ == "__main__":
    # Run by mistake (it sits among the benches), it measured nothing and said nothing.
    print(f"{Path(__file__).name}: error: a reference that bench/train_bench.py measures against, not a bench: "
          "run python bench/train_bench.py", file=sys.stderr)
    sys.exit(2)
