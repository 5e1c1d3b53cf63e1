#!/usr/bin/env python3
"""The Fashion-MNIST SimCLR run of issue #22 in PyTorch, to compare epoch times with `simclr-vk train`.

Run with Debian's torch 1.13 + torchvision 0.14:

    /usr/bin/python3 tools/torch_train.py --threads 2 --workers 2 --epochs 3

It matches, setting by setting, this simclr-vk command on the CPU backend:

    bin/simclr-vk train --backend cpu --threads 2 --workers 2 --width 0.25 \\
        --batch-size 256 --optimizer sgd --epochs 3 --out DIR

with every other flag at its default (train.Defaults()):
  --data fashion-mnist   the same files, Debian's dataset-fashion-mnist
                         (/usr/share/datasets/fashion-mnist/*-idx?-ubyte.gz)
  --subset 10000         10,000 training images of a fixed seeded
                         permutation (this script's permutation is numpy's,
                         not ours: other images, same count)
  --arch resnet18 --stem auto (cifar at 28 px) --width 0.25 (w 16, d 128),
                         1 input channel, the last BN gamma of each block
                         initialised to 0 (tools/torch_step.py's model)
  --proj-dims 0,128      Linear(d, d) - BN - ReLU - Linear(d, 128), biases
  --batch-size 256 --drop-last  39 steps of 256 images (512 views) per epoch
  --optimizer sgd --momentum 0.9 --weight-decay 1e-6, no Nesterov, no
                         decay on BN parameters and biases
  --lr 0.075 --lr-scaling sqrt  peak 0.075 * sqrt(256) = 1.2
  --warmup-epochs 0.5    linear warm-up from 0 over round(0.5 * 39) = 20
                         steps, then cosine decay to 0, per step
  --temperature 0.2      NT-Xent over the 2N views (mean), self-similarity
                         excluded
  augmentation (simclr/augment.DefaultConfig(28) with
  --color-jitter-strength 0.5 --crop-min-scale 0.08 --blur auto):
                         RandomResizedCrop(28, scale=(0.08, 1),
                         ratio=(3/4, 4/3)), bilinear on tensors (no
                         antialiasing, as ours), flip p 0.5, ColorJitter(0.4,
                         0.4, 0.4, 0.1) with p 0.8 (saturation and hue do
                         nothing on 1 channel, as ours), RandomGrayscale(0.2)
                         (nothing on 1 channel), no blur at 28 px, values in
                         [0, 1], no normalisation; two views per image,
                         stacked (2N, 1, 28, 28) as our loader does
  --knn-every 1 --knn-k 200 --knn-t 0.1 --knn-bank 5000 --knn-subset 2000
                         kNN monitor before training and after every epoch:
                         eval-mode features (BN running statistics), cosine
                         similarity, weights exp(sim / 0.1), batches of 2N
  --seed 1               (initialisation and draws differ from ours: same
                         distributions, other numbers)

Not matched: simclr-vk's checkpoints (a few ms per epoch) and plot.png.
--threads is torch.set_num_threads (ours: --threads, the CPU backend's
threads); --workers is the DataLoader's worker processes (0: augment in
the main process; ours: --workers augmentation goroutines, 0 = all cores),
with persistent workers so only the first epoch pays their start.

Per epoch it prints one line and, with --json, a JSON line: the mean loss
and contrastive top-1 of its steps, the wall seconds of the epoch from
asking for its first batch to the end of its last step (augmentation
included: what the step waited for data is data_wait_s), and the kNN
monitor's top-1 and seconds (not in the epoch's seconds; our epoch line's
time includes the kNN monitor, metrics.jsonl's step times do not).
"""
import argparse, gzip, json, math, os, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as T
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_step import ResNet18Cifar, nt_xent, projection_head  # noqa: E402

FMNIST = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """An IDX file (plain or .gz) as a numpy array."""
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        b = f.read()
    if len(b) < 4 or b[0] != 0 or b[1] != 0 or b[2] != 8:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file")
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    n = math.prod(dims)
    if len(b) != 4 + 4 * nd + n:
        raise SystemExit(f"{path}: {len(b)} bytes, the header says {dims}")
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


def load_split(root, split):
    """Images (N, 1, 28, 28) uint8 and labels of the train or t10k split."""
    def find(kind):
        for ext in (".gz", ""):
            p = os.path.join(root, f"{split}-{kind}-idx{1 if kind == 'labels' else 3}-ubyte{ext}")
            if os.path.exists(p):
                return p
        raise SystemExit(f"{root}: no {split} {kind} (apt-get install dataset-fashion-mnist)")
    x = read_idx(find("images"))
    y = read_idx(find("labels"))
    return torch.from_numpy(x.copy()).unsqueeze(1), torch.from_numpy(y.astype(np.int64))


def subset(n, k, seed):
    """The first k of a seeded permutation of range(n) (all when k is 0)."""
    if k <= 0 or k >= n:
        return np.arange(n)
    return np.random.default_rng(seed).permutation(n)[:k]


def simclr_transform(size, strength, min_scale):
    s = strength
    return T.Compose([
        T.RandomResizedCrop(size, scale=(min_scale, 1.0), ratio=(3 / 4, 4 / 3)),
        T.RandomHorizontalFlip(0.5),
        T.RandomApply([T.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s)], p=0.8),
        T.RandomGrayscale(0.2),
    ])


class TwoViews(Dataset):
    """Two augmented views of each uint8 image, as float32 in [0, 1]."""

    def __init__(self, images, t):
        self.images, self.t = images, t

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        x = self.images[i].float().div_(255)
        return self.t(x), self.t(x)


@torch.no_grad()
def features(enc, images, batch):
    enc.eval()
    out = [F.normalize(enc(images[i:i + batch].float().div_(255)), dim=1) for i in range(0, len(images), batch)]
    enc.train()
    return torch.cat(out)


@torch.no_grad()
def knn_top1(enc, bank_x, bank_y, query_x, query_y, classes, k, t, batch):
    """The InstDisc kNN monitor (simclr/knn): top-1 in percent."""
    fb = features(enc, bank_x, batch)
    fq = features(enc, query_x, batch)
    sim, idx = (fq @ fb.t()).topk(min(k, len(fb)), dim=1)
    w = (sim / t).exp()
    votes = torch.zeros(len(fq), classes).scatter_add_(1, bank_y[idx], w)
    return 100.0 * (votes.argmax(1) == query_y).float().mean().item()


def param_groups(modules, wd):
    """Weight decay on conv and linear weights only (layers.Param.NoDecay)."""
    decay, no = [], []
    for m in modules:
        for name, p in m.named_parameters():
            (no if p.ndim == 1 else decay).append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": no, "weight_decay": 0.0}]


def lr_at(step, peak, warmup, total):
    """simclr/schedule.Cosine."""
    if step >= total:
        return 0.0
    if step < warmup:
        return peak * step / warmup
    return peak * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=FMNIST, help="folder of the Fashion-MNIST IDX files")
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    p.add_argument("--workers", type=int, default=2, help="DataLoader worker processes (0: augment in the main process)")
    p.add_argument("--prefetch", type=int, default=2, help="batches prefetched per worker")
    p.add_argument("--width", type=float, default=0.25)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=0.075)
    p.add_argument("--lr-scaling", choices=["sqrt", "linear", "none"], default="sqrt")
    p.add_argument("--warmup-epochs", type=float, default=0.5)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=1e-6)
    p.add_argument("--temperature", type=float, default=0.2)
    p.add_argument("--color-jitter-strength", type=float, default=0.5)
    p.add_argument("--crop-min-scale", type=float, default=0.08)
    p.add_argument("--subset", type=int, default=10000)
    p.add_argument("--knn-every", type=int, default=1, help="kNN monitor every E epochs (0: before and after training only)")
    p.add_argument("--knn-k", type=int, default=200)
    p.add_argument("--knn-t", type=float, default=0.1)
    p.add_argument("--knn-bank", type=int, default=5000)
    p.add_argument("--knn-subset", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="also one JSON line per epoch")
    a = p.parse_args()
    if a.epochs < 1 or a.batch_size < 2 or a.threads < 0 or a.workers < 0 or a.prefetch < 1 or not a.width > 0:
        p.error("--epochs, --batch-size, --prefetch must be positive, --threads and --workers >= 0, --width > 0")
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    train_x, train_y = load_split(a.data, "train")
    test_x, test_y = load_split(a.data, "t10k")
    keep = subset(len(train_x), a.subset, a.seed)
    train_x, train_y = train_x[keep], train_y[keep]
    bank = subset(len(train_x), a.knn_bank, a.seed + 1)
    query = subset(len(test_x), a.knn_subset, a.seed + 2)
    bank_x, bank_y, query_x, query_y = train_x[bank], train_y[bank], test_x[query], test_y[query]
    classes = int(max(train_y.max(), test_y.max())) + 1
    size = train_x.shape[-1]

    width = round(64 * a.width)
    enc = ResNet18Cifar(width, train_x.shape[1], zero_init_residual=True)
    head = projection_head(enc.dim)
    opt = torch.optim.SGD(param_groups([enc, head], a.weight_decay), lr=0.0, momentum=a.momentum)
    steps = len(train_x) // a.batch_size
    if steps == 0:
        p.error(f"--batch-size {a.batch_size} is larger than the {len(train_x)} training images")
    total = a.epochs * steps
    scale = {"sqrt": math.sqrt(a.batch_size), "linear": a.batch_size / 256, "none": 1.0}[a.lr_scaling]
    peak, warmup = a.lr * scale, math.floor(a.warmup_epochs * steps + 0.5)  # Go math.Round

    ds = TwoViews(train_x, simclr_transform(size, a.color_jitter_strength, a.crop_min_scale))
    kw = dict(persistent_workers=True, prefetch_factor=a.prefetch) if a.workers > 0 else {}
    dl = DataLoader(ds, batch_size=a.batch_size, shuffle=True, drop_last=True, num_workers=a.workers, **kw)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {a.workers} workers; resnet18 cifar stem w{width}, "
          f"{sum(p.numel() for p in list(enc.parameters()) + list(head.parameters()))} parameters; "
          f"{a.epochs} epochs x {steps} steps of {a.batch_size}, sgd, peak lr {peak:.4g}, warm-up {warmup} steps, tau {a.temperature}",
          flush=True)

    def monitor(epoch):
        if a.knn_bank == 0 and a.knn_subset == 0:
            return math.nan, 0.0
        t0 = time.perf_counter()
        top1 = knn_top1(enc, bank_x, bank_y, query_x, query_y, classes, a.knn_k, a.knn_t, 2 * a.batch_size)
        return top1, time.perf_counter() - t0

    top1, ks = monitor(0)
    print(f"epoch 0 (random encoder): kNN top-1 {top1:.2f}% ({ks:.1f}s)", flush=True)
    gstep = 0
    for ep in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        wait = loss_sum = acc_sum = 0.0
        n = 0
        it = iter(dl)
        while True:
            tw = time.perf_counter()
            try:
                v1, v2 = next(it)
            except StopIteration:
                break
            wait += time.perf_counter() - tw
            x = torch.cat([v1, v2])
            for g in opt.param_groups:
                g["lr"] = lr_at(gstep, peak, warmup, total)
            z = head(enc(x))
            loss = nt_xent(z, a.temperature)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                zn = F.normalize(z.detach(), dim=1)
                s = zn @ zn.t()
                s.fill_diagonal_(-math.inf)
                pos = torch.cat([torch.arange(len(v1), len(x)), torch.arange(0, len(v1))])
                acc_sum += (s.argmax(1) == pos).float().mean().item()
            loss_sum += loss.item()
            n += 1
            gstep += 1
        secs = time.perf_counter() - t0
        top1, ks = math.nan, 0.0
        if ep == a.epochs or (a.knn_every > 0 and ep % a.knn_every == 0):
            top1, ks = monitor(ep)
        knn = f"  kNN top-1 {top1:.2f}% ({ks:.1f}s)" if not math.isnan(top1) else ""
        print(f"epoch {ep}/{a.epochs}: loss {loss_sum / n:.4f}  acc {100 * acc_sum / n:.1f}%{knn}  "
              f"({secs:.1f}s, {n * a.batch_size / secs:.0f} img/s, data wait {100 * wait / secs:.0f}%)", flush=True)
        if a.json:
            print(json.dumps({"bench": "torch_train", "epoch": ep, "loss": loss_sum / n, "acc": acc_sum / n, "seconds": secs,
                              "data_wait_s": wait, "knn_top1": None if math.isnan(top1) else top1, "knn_s": ks,
                              "threads": torch.get_num_threads(), "workers": a.workers}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
