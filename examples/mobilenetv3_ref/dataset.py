"""A tiny, deterministic, synthetic ImageFolder dataset for smoke tests.

Layout written by :func:`make_tiny_imagefolder`::

    root/
      train/<class_name>/<class_name>_000.png ...
      val/<class_name>/<class_name>_000.png ...

Each class combines its own foreground colour with its own pattern (stripes,
checkerboard, disc, ...), drawn with random phase, scale, colour jitter and
noise, so a small CNN can learn to tell the classes apart within a few epochs.
Generation only uses numpy and PIL and is seeded per image, so the same
arguments always produce byte-identical PNG files.

Usage::

    python -m mobilenetv3_ref.dataset OUT_DIR [--num-classes 3] [--seed 0]
"""

import argparse
import os

import numpy as np
from PIL import Image


# (name, RGB) of the foreground colour of each class
_COLOURS = [
    ("red", (220, 40, 40)),
    ("green", (40, 200, 60)),
    ("blue", (40, 70, 230)),
    ("yellow", (230, 210, 40)),
    ("magenta", (210, 50, 210)),
    ("cyan", (40, 210, 220)),
    ("orange", (240, 140, 30)),
    ("white", (235, 235, 235)),
]
_PATTERNS = ["hstripes", "vstripes", "checker", "disc", "diagonal"]

# Keep the dataset tiny: the whole point is fast end-to-end checks.
MAX_IMAGES_PER_SPLIT = 20


def class_names(num_classes):
    """The class (folder) names used for ``num_classes`` classes, in sorted (= label) order."""
    names = []
    for i in range(num_classes):
        colour = _COLOURS[i % len(_COLOURS)][0]
        pattern = _PATTERNS[i % len(_PATTERNS)]
        names.append(f"{i:02d}_{colour}_{pattern}")
    return names


def _pattern_mask(pattern, height, width, rng):
    """A {0, 1} float mask of shape (height, width) drawing ``pattern`` with random phase / scale."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    period = rng.integers(6, 12)
    phase = rng.integers(0, period)
    if pattern == "hstripes":
        mask = ((y + phase) // (period / 2)) % 2
    elif pattern == "vstripes":
        mask = ((x + phase) // (period / 2)) % 2
    elif pattern == "checker":
        mask = (((x + phase) // period) + ((y + phase) // period)) % 2
    elif pattern == "disc":
        cy = rng.uniform(0.35, 0.65) * height
        cx = rng.uniform(0.35, 0.65) * width
        radius = rng.uniform(0.25, 0.4) * min(height, width)
        mask = ((x - cx) ** 2 + (y - cy) ** 2 < radius**2).astype(np.float64)
    elif pattern == "diagonal":
        mask = ((x + y + phase) // (period / 2)) % 2
    else:
        raise ValueError(f"Unknown pattern {pattern}")
    return mask


def _make_image(class_idx, size, seed, split_idx, image_idx):
    """Render one RGB image (a uint8 array of shape (height, width, 3))."""
    width, height = size
    rng = np.random.default_rng([seed, split_idx, class_idx, image_idx])
    fg = np.array(_COLOURS[class_idx % len(_COLOURS)][1], dtype=np.float64)
    fg = fg + rng.normal(0.0, 12.0, size=3)  # colour jitter
    bg = np.full(3, rng.uniform(20.0, 90.0)) + rng.normal(0.0, 8.0, size=3)  # darkish grey background
    mask = _pattern_mask(_PATTERNS[class_idx % len(_PATTERNS)], height, width, rng)[..., None]
    img = bg * (1.0 - mask) + fg * mask
    img = img + rng.normal(0.0, 10.0, size=img.shape)  # pixel noise
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def make_tiny_imagefolder(
    root,
    num_classes=3,
    images_per_class_train=6,
    images_per_class_val=3,
    size=(80, 72),
    seed=0,
):
    """Write a tiny synthetic ImageFolder dataset under ``root``.

    Args:
        root (str): output directory; ``root/train`` and ``root/val`` are created
        num_classes (int): number of classes
        images_per_class_train (int): images per class in the train split
        images_per_class_val (int): images per class in the val split
        size (tuple of int): image size as ``(width, height)`` (PIL convention)
        seed (int): base random seed; every image is seeded from ``(seed, split, class, index)``

    Returns:
        str: ``root``
    """
    splits = [("train", images_per_class_train), ("val", images_per_class_val)]
    for split, per_class in splits:
        if num_classes * per_class > MAX_IMAGES_PER_SPLIT:
            raise ValueError(
                f"{split}: {num_classes} classes x {per_class} images exceeds the limit of "
                f"{MAX_IMAGES_PER_SPLIT} images per split"
            )

    names = class_names(num_classes)
    for split_idx, (split, per_class) in enumerate(splits):
        for class_idx, name in enumerate(names):
            class_dir = os.path.join(root, split, name)
            os.makedirs(class_dir, exist_ok=True)
            for image_idx in range(per_class):
                arr = _make_image(class_idx, size, seed, split_idx, image_idx)
                path = os.path.join(class_dir, f"{name}_{image_idx:03d}.png")
                Image.fromarray(arr).save(path, format="PNG")
    return root


def get_args_parser(add_help=True):
    parser = argparse.ArgumentParser(description="Generate a tiny synthetic ImageFolder dataset", add_help=add_help)
    parser.add_argument("root", type=str, help="output directory")
    parser.add_argument("--num-classes", default=3, type=int, help="number of classes")
    parser.add_argument("--train-per-class", default=6, type=int, help="train images per class")
    parser.add_argument("--val-per-class", default=3, type=int, help="val images per class")
    parser.add_argument("--width", default=80, type=int, help="image width")
    parser.add_argument("--height", default=72, type=int, help="image height")
    parser.add_argument("--seed", default=0, type=int, help="random seed")
    return parser


def main(args):
    root = make_tiny_imagefolder(
        args.root,
        num_classes=args.num_classes,
        images_per_class_train=args.train_per_class,
        images_per_class_val=args.val_per_class,
        size=(args.width, args.height),
        seed=args.seed,
    )
    print(f"Wrote tiny ImageFolder dataset to {root} (classes: {', '.join(class_names(args.num_classes))})")


if __name__ == "__main__":
    main(get_args_parser().parse_args())
