#!/usr/bin/env python3
"""SimCLR's data pipeline in torchvision, to compare with simclr-vk's Loader
(`simclr-vk bench data --augment cpu --data FOLDER`, its loader stage).

Usage:
    python3 tools/torch_data.py FOLDER [--size 224] [--workers 2]
        [--batch-size 32] [--epochs 3] [--strength 1.0] [--blur auto|on|off]
        [--json]

FOLDER is an ImageFolder root (one subdirectory per class). Every image
gives two views, each through the transforms of the SimCLR paper as
PyTorch ports write them and as simclr/augment/config.go defines ours:

  RandomResizedCrop(size, scale=(0.08, 1), ratio=(3/4, 4/3)) (bilinear),
  RandomHorizontalFlip(0.5),
  RandomApply([ColorJitter(0.8s, 0.8s, 0.8s, 0.2s)], p=0.8),
  RandomGrayscale(0.2),
  RandomApply([GaussianBlur(k, sigma=(0.1, 2.0))], p=0.5) with k = 10% of
    size, made odd, at least 3 (blur "auto": only when size > 32),
  ToTensor().

A DataLoader with --workers processes and --batch-size images per batch
(2 x batch-size views, stacked as (2N, C, size, size) like our batches)
reads --epochs epochs with persistent workers; the first epoch is warm-up
(worker start, file cache), the later ones are timed. It prints source
images per second (each one two views) and the CPU time per image of the
main process and its workers together (from /proc: on a shared machine it
varies less than the wall time); with --json, one JSON line.

Differences that remain: PIL decodes the JPEG (libjpeg-turbo as well) and
resizes with an antialiasing bilinear filter; ours resamples bilinearly
without antialiasing, as torchvision's tensor path does.
"""

import argparse
import json
import os
import sys
import time

import torch
import torchvision.transforms as T
from torch.utils.data import DataLoader
from torchvision.datasets import ImageFolder


def blur_kernel(size):
    k = size // 10
    if k % 2 == 0:
        k += 1
    return max(k, 3)


def simclr_transform(size, strength, blur):
    s = strength
    steps = [
        T.RandomResizedCrop(size, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)),
        T.RandomHorizontalFlip(0.5),
        T.RandomApply([T.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s)], p=0.8),
        T.RandomGrayscale(0.2),
    ]
    if blur == "on" or (blur == "auto" and size > 32):
        steps.append(T.RandomApply([T.GaussianBlur(blur_kernel(size), sigma=(0.1, 2.0))], p=0.5))
    steps.append(T.ToTensor())
    return T.Compose(steps)


class TwoViews:
    def __init__(self, t):
        self.t = t

    def __call__(self, x):
        return self.t(x), self.t(x)


def cpu_seconds(dl):
    """CPU time of this process and of the DataLoader's worker processes."""
    t = time.process_time()
    it = getattr(dl, "_iterator", None)
    for w in getattr(it, "_workers", []) or []:
        try:
            with open(f"/proc/{w.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            t += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return t


def collate(batch):
    # (2N, C, H, W): rows i and i+N are the two views of image i, as ours.
    a = torch.stack([b[0][0] for b in batch])
    v = torch.stack([b[0][1] for b in batch])
    labels = torch.tensor([b[1] for b in batch])
    return torch.cat([a, v]), labels


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=3, help="epochs read; the first is warm-up")
    ap.add_argument("--strength", type=float, default=1.0, help="colour jitter strength s")
    ap.add_argument("--blur", choices=["auto", "on", "off"], default="auto")
    ap.add_argument("--json", action="store_true", help="print one JSON line")
    a = ap.parse_args()
    if not os.path.isdir(a.folder):
        sys.exit(f"torch_data.py: {a.folder}: not a directory")
    if a.size < 1 or a.workers < 0 or a.batch_size < 1 or a.epochs < 2:
        sys.exit("torch_data.py: need --size >= 1, --workers >= 0, --batch-size >= 1, --epochs >= 2")
    torch.set_num_threads(1)
    ds = ImageFolder(a.folder, transform=TwoViews(simclr_transform(a.size, a.strength, a.blur)))
    dl = DataLoader(ds, batch_size=a.batch_size, shuffle=True, num_workers=a.workers,
                    collate_fn=collate, persistent_workers=a.workers > 0)
    images = 0
    t0 = c0 = None
    for epoch in range(a.epochs):
        for views, _ in dl:
            if epoch >= 1:
                images += views.shape[0] // 2
        if epoch == 0:
            # Workers persist: their CPU clocks are read from /proc now and
            # after the last batch.
            t0, c0 = time.perf_counter(), cpu_seconds(dl)
    dt = time.perf_counter() - t0
    cpu = cpu_seconds(dl) - c0
    res = {"tool": "torchvision", "images": images, "seconds": round(dt, 3),
           "images_per_s": round(images / dt, 2), "views_per_s": round(2 * images / dt, 2),
           "cpu_ms_per_image": round(1000 * cpu / images, 2),
           "size": a.size, "workers": a.workers, "batch_size": a.batch_size,
           "torch": torch.__version__, "load": os.getloadavg()[0]}
    if a.json:
        print(json.dumps(res))
    else:
        print(f"torchvision: {images} images ({2 * images} views) in {dt:.2f} s: "
              f"{res['images_per_s']:.1f} images/s, {res['cpu_ms_per_image']} CPU ms per image, "
              f"{a.workers} workers, batch {a.batch_size}")


if __name__ == "__main__":
    main()
