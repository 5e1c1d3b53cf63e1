#!/usr/bin/env python3
"""Load a simclr-vk export into PyTorch and compare its features with ours.

Usage:
    python3 tools/torch_load_check.py ENCODER.safetensors
        [--input X.npy --expect H.npy] [--atol 1e-4] [--rtol 1e-3] [--device cpu]

ENCODER.safetensors is written by `simclr-vk export`. Its metadata entry
"simclr_vk_arch" (JSON: arch, stem, width, in_channels, head) says which
network to build:

  * width 1: torchvision.models.resnet18/34/50 with the stem swapped where
    needed (CIFAR stem: conv1 = Conv2d(c, 64, 3, 1, 1, bias=False),
    maxpool = Identity; ImageNet stem with c != 3 input channels:
    conv1 = Conv2d(c, 64, 7, 2, 3, bias=False)) and fc = Identity;
  * any other width: the small ResNet defined below, which has exactly
    torchvision's module names and structure with round(64 * 2^i * width)
    planes in stage i (torchvision's ResNet has no width multiplier).

The encoder is loaded with load_state_dict(strict=True); a classifier fc.*
(from `simclr-vk finetune`) is loaded into an nn.Linear, the projection head
head.* (export --head) into the nn.Sequential it was named after. Then, in
eval mode (BatchNorm running statistics), the encoder is run on X
(N, C, H, W) float32 and its output compared with H (N, D) elementwise:
|torch - ours| <= atol + rtol * |ours|; the first mismatches are printed.

Without --input/--expect, ENCODER.check_input.npy and
ENCODER.check_features.npy next to the file are used (`simclr-vk export
--check-samples N` writes them); if they are absent the script only loads
the weights and prints the output shape.

Needs torch, torchvision (width 1 only) and numpy; the safetensors package
is used when installed, else a small reader below. Exit status: 0 match,
1 mismatch, 2 the file could not be loaded.
"""

import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch
from torch import nn


# --- reading ---------------------------------------------------------------

def read_safetensors(path):
    """Returns ({name: tensor}, metadata) without needing `safetensors`."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", None) or {}
    buf = data[8 + n:]
    dtypes = {"F32": "<f4", "I64": "<i8"}
    out = {}
    for name, e in header.items():
        if e["dtype"] not in dtypes:
            raise ValueError(f"{path}: {name}: unsupported dtype {e['dtype']}")
        begin, end = e["data_offsets"]
        arr = np.frombuffer(buf[begin:end], dtype=dtypes[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


def load(path):
    try:
        from safetensors import safe_open
        from safetensors.torch import load_file
    except ImportError:
        return read_safetensors(path)
    with safe_open(path, framework="pt") as f:
        meta = f.metadata() or {}
    return load_file(path), meta


# --- models ----------------------------------------------------------------

def stage_width(i, width):
    """simclr-vk's layers.StageWidth: round(64 * 2^i * width), at least 1
    (rounding halves away from zero like Go's math.Round)."""
    return max(1, int(math.floor(64 * (1 << i) * width + 0.5)))


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample(inplanes, planes * self.expansion, stride)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, 1, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, 1, 0, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample(inplanes, planes * self.expansion, stride)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


def downsample(inplanes, outplanes, stride):
    if stride == 1 and inplanes == outplanes:
        return None
    return nn.Sequential(nn.Conv2d(inplanes, outplanes, 1, stride, 0, bias=False), nn.BatchNorm2d(outplanes))


ARCHS = {"resnet18": (BasicBlock, [2, 2, 2, 2]), "resnet34": (BasicBlock, [3, 4, 6, 3]),
         "resnet50": (Bottleneck, [3, 4, 6, 3])}


class ResNet(nn.Module):
    """torchvision's ResNet with a width multiplier and a choice of stem."""

    def __init__(self, arch, width=1.0, in_channels=3, stem="imagenet"):
        super().__init__()
        block, blocks = ARCHS[arch]
        c0 = stage_width(0, width)
        if stem == "cifar":
            self.conv1 = nn.Conv2d(in_channels, c0, 3, 1, 1, bias=False)
            self.maxpool = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(in_channels, c0, 7, 2, 3, bias=False)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.bn1 = nn.BatchNorm2d(c0)
        self.relu = nn.ReLU(inplace=True)
        inplanes = c0
        for s in range(4):
            planes = stage_width(s, width)
            layers = []
            for i in range(blocks[s]):
                stride = 2 if s > 0 and i == 0 else 1
                layers.append(block(inplanes, planes, stride))
                inplanes = planes * block.expansion
            setattr(self, f"layer{s + 1}", nn.Sequential(*layers))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Identity()
        self.feature_dim = inplanes

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def torchvision_resnet(arch, in_channels, stem):
    """The README recipe: torchvision's model with the stem swapped."""
    import torchvision
    ctor = getattr(torchvision.models, arch)
    try:
        model = ctor(weights=None)
    except TypeError:  # torchvision < 0.13
        model = ctor(pretrained=False)
    if stem == "cifar":
        model.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
        model.maxpool = nn.Identity()
    elif in_channels != 3:
        model.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
    model.fc = nn.Identity()
    return model


def build_encoder(arch):
    name = arch.get("arch") or f"resnet{arch['depth']}"
    width = float(arch.get("width", 1) or 1)
    c = int(arch.get("in_channels", 3) or 3)
    stem = arch.get("stem", "imagenet") or "imagenet"
    if width == 1:
        return torchvision_resnet(name, c, stem), f"torchvision.models.{name} (stem {stem}, {c} input channels)"
    return ResNet(name, width, c, stem), f"tools/torch_load_check.py ResNet({name}, width {width}, stem {stem}, {c} input channels)"


def build_head(head, d):
    """The projection head as the nn.Sequential its names come from."""
    mods = []
    n_layers = int(head.get("layers", 2))
    hidden, out = int(head.get("hidden", d) or d), int(head.get("out", 128))
    for i in range(n_layers):
        last = i == n_layers - 1
        o = out if last else hidden
        mods.append(nn.Linear(d, o, bias=not head.get("no_bias", False)))
        if not last:
            if not head.get("no_bn", False):
                mods.append(nn.BatchNorm1d(o))
            mods.append(nn.ReLU())
        elif head.get("last_bn", False):
            mods.append(nn.BatchNorm1d(o, affine=True))
        d = o
    return nn.Sequential(*mods)


# --- main ------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("weights")
    ap.add_argument("--input", help="images (N, C, H, W) float32 .npy")
    ap.add_argument("--expect", help="simclr-vk features (N, D) float32 .npy")
    ap.add_argument("--atol", type=float, default=1e-4)
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--device", default="cpu", help="torch device (cpu avoids TF32 on GPUs)")
    args = ap.parse_args()

    try:
        state, meta = load(args.weights)
        if "simclr_vk_arch" not in meta:
            raise ValueError("no simclr_vk_arch metadata (not written by simclr-vk export?)")
        arch = json.loads(meta["simclr_vk_arch"])
        model, desc = build_encoder(arch)
        enc = {k: v for k, v in state.items() if not k.startswith("head.") and not k.startswith("fc.")}
        model.load_state_dict(enc, strict=True)
        print(f"loaded {len(enc)} encoder tensors into {desc}")
        d = int(arch.get("feature_dim") or 0)
        fc = {k[3:]: v for k, v in state.items() if k.startswith("fc.")}
        if fc:
            lin = nn.Linear(fc["weight"].shape[1], fc["weight"].shape[0])
            lin.load_state_dict(fc, strict=True)
            print(f"loaded the classifier fc: nn.Linear({lin.in_features}, {lin.out_features})")
        head = {k[5:]: v for k, v in state.items() if k.startswith("head.")}
        if head:
            h = build_head(arch.get("head", {}), d)
            last_bn = arch.get("head", {}).get("last_bn", False)
            missing, unexpected = h.load_state_dict(head, strict=not last_bn)
            print(f"loaded {len(head)} head tensors into {h}" + (f" (missing: {missing})" if missing else ""))
    except Exception as e:  # noqa: BLE001 - report any load failure plainly
        print(f"torch_load_check: cannot load {args.weights}: {e}", file=sys.stderr)
        return 2

    stem = args.weights[:-len(".safetensors")] if args.weights.endswith(".safetensors") else args.weights
    xin = args.input or stem + ".check_input.npy"
    exp = args.expect or stem + ".check_features.npy"
    if not (os.path.exists(xin) and os.path.exists(exp)):
        print(f"no {xin} / {exp}: weights loaded, nothing to compare "
              "(simclr-vk export --check-samples N writes them)")
        return 0
    x = torch.from_numpy(np.load(xin).astype(np.float32))
    want = np.load(exp).astype(np.float32)
    model = model.to(args.device).eval()
    if hasattr(torch.backends, "cuda"):
        torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    with torch.no_grad():
        got = model(x.to(args.device)).cpu().numpy().astype(np.float32)
    if got.shape != want.shape:
        print(f"shape mismatch: torch {got.shape}, simclr-vk {want.shape}")
        return 1
    err = np.abs(got - want)
    tol = args.atol + args.rtol * np.abs(want)
    bad = np.argwhere(err > tol)
    print(f"features {got.shape}: max |diff| {err.max():.3g}, max |ours| {np.abs(want).max():.3g}")
    if len(bad):
        print(f"{len(bad)} of {want.size} values differ beyond atol {args.atol} + rtol {args.rtol} * |ours|:")
        for i, j in bad[:10]:
            print(f"  [{i}, {j}] torch {got[i, j]:.7g}  simclr-vk {want[i, j]:.7g}")
        return 1
    print("OK: PyTorch and simclr-vk features match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
