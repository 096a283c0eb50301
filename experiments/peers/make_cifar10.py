#!/usr/bin/python3
"""Writes a CIFAR-10-format fixture of the real size: what configs/cifar10.yaml trains on when no
copy of CIFAR-10 is at hand (this machine has none, and nothing may be downloaded).

The files are those of CIFAR-10's binary version, in its format (core/src/cifar10_loader.cpp reads
them): data_batch_1.bin .. data_batch_5.bin with 10000 records each and test_batch.bin with 10000,
a record being 1 label byte (0..9) and 3072 pixel bytes (the red, then the green, then the blue
plane of a 32 x 32 image, rows top to bottom); batches.meta.txt names the 10 classes, one a line.
(tests/support/cifar_fixture.hpp writes small batches of the same format for the tests.)

The images have class structure, so that accuracy means something: each class has a mean image, a
smooth random colour pattern around a common grey; an image is its class's mean, scaled by a random
contrast, plus smooth random shading (another mix of low frequencies, drawn per image), plus pixel
noise, rounded and clipped to bytes. The classes overlap: a linear classifier lands well above
chance (10 %) and well below 100 %. Every batch holds 1000 images of each class in random order.

Deterministic: the same --seed writes the same bytes (numpy's RandomState, whose streams numpy
keeps stable across versions). Takes a few seconds; writes 184 MB.

Usage: make_cifar10.py [--out DIR] [--seed 0] [--per-batch 10000]
  DIR defaults to build/cifar10-fixture in the repository, where configs/cifar10.yaml looks.
"""
import argparse
import os

import numpy as np

SIDE, CHANNELS, CLASSES = 32, 3, 10
PIXELS = CHANNELS * SIDE * SIDE
NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT = os.path.join(ROOT, "build", "cifar10-fixture")

# Grey level the images vary around, and the spread of each part (in pixel levels, before clipping).
GREY = 120.0
CLASS_PATTERN = 4.0     # RMS of a class mean's deviation from the common grey
SHADING = 30.0          # RMS of an image's own smooth shading
NOISE = 30.0            # per-pixel noise
CONTRAST = (0.6, 1.4)   # an image's class pattern is scaled by a uniform factor in this range


def smooth_basis(max_frequency):
    """Products of 2-D cosines of frequencies 0..max_frequency, one set per colour plane, each
    scaled to unit RMS over the image: rows are flattened R, G, B planes."""
    grid = (np.arange(SIDE) + 0.5) / SIDE
    waves = [np.cos(np.pi * f * grid) for f in range(max_frequency + 1)]
    images = []
    for channel in range(CHANNELS):
        for u in waves:
            for v in waves:
                image = np.zeros((CHANNELS, SIDE, SIDE))
                image[channel] = np.outer(u, v)
                images.append(image.ravel() / np.sqrt(np.mean(image ** 2) * CHANNELS))
    return np.array(images)


def class_means(rng):
    """Each class's mean image: the grey plus a random mix of low frequencies with RMS CLASS_PATTERN."""
    basis = smooth_basis(3)
    patterns = rng.standard_normal((CLASSES, len(basis))) @ basis
    patterns *= CLASS_PATTERN / np.sqrt(np.mean(patterns ** 2, axis=1, keepdims=True))
    return patterns


def batch(rng, means, shading_basis, records):
    """`records` records (label byte + 3072 pixel bytes), 1/10 of them of each class, shuffled."""
    labels = rng.permutation(np.arange(records) % CLASSES).astype(np.uint8)
    contrast = rng.uniform(*CONTRAST, size=(records, 1))
    shading = rng.standard_normal((records, len(shading_basis))) @ shading_basis
    shading *= SHADING / np.sqrt(len(shading_basis) / CHANNELS)  # basis rows have RMS 1 / sqrt(channels)
    images = GREY + contrast * means[labels] + shading + NOISE * rng.standard_normal((records, PIXELS))
    pixels = np.clip(np.rint(images), 0, 255).astype(np.uint8)
    return np.concatenate([labels[:, None], pixels], axis=1).tobytes()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=DEFAULT_OUT, help="directory to write (created if missing)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-batch", type=int, default=10000, help="records per file (CIFAR-10: 10000)")
    args = parser.parse_args()
    if args.per_batch < CLASSES or args.per_batch % CLASSES:
        parser.error(f"--per-batch must be a positive multiple of {CLASSES}")

    rng = np.random.RandomState(args.seed)
    means = class_means(rng)
    shading_basis = smooth_basis(5)
    os.makedirs(args.out, exist_ok=True)
    for name in [f"data_batch_{b}.bin" for b in range(1, 6)] + ["test_batch.bin"]:
        with open(os.path.join(args.out, name), "wb") as out:
            out.write(batch(rng, means, shading_basis, args.per_batch))
    with open(os.path.join(args.out, "batches.meta.txt"), "w") as out:
        out.write("\n".join(NAMES) + "\n\n")
    print(f"CIFAR-10 format, seed {args.seed}: 5 x {args.per_batch} training + {args.per_batch} test images -> "
          f"{args.out}")


if __name__ == "__main__":
    main()
