#!/usr/bin/env python3
"""The same SimCLR training step as `simclr-vk bench step`, in PyTorch, for comparison.

One step = 2 views of B images as one batch of 2B through a ResNet-18 (CIFAR stem:
conv 3x3 stride 1, no max-pool; channels w, 2w, 4w, 8w), projection head
Linear(8w, 8w) - BN - ReLU - Linear(8w, 128), L2 normalisation, NT-Xent (tau 0.5,
mean over the 2B views), backward, SGD with momentum 0.9. Random data, no
augmentation. Prints one JSON line per configuration: median seconds per step
over --steps steps after --warmup steps, images/s (B images per step) and peak
device memory. Also `--gemm N`: torch.mm N^3 fp32 with TF32 off (cuBLAS SGEMM).
Needs torch only (the model is built here, no torchvision).
"""
import argparse, json, statistics, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        sc = x if self.downsample is None else self.downsample(x)
        return F.relu(out + sc)


class ResNet18Cifar(nn.Module):
    """simclr-vk's resnet18 with the CIFAR stem (layers.ResNetConfig); with
    zero_init_residual the last BN gamma of each block starts at 0, as
    `simclr-vk train` builds it (ZeroInitResidual)."""

    def __init__(self, width, cin, zero_init_residual=False):
        super().__init__()
        w = width
        self.conv1 = nn.Conv2d(cin, w, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        layers, c = [], w
        for i, cout in enumerate([w, 2 * w, 4 * w, 8 * w]):
            stride = 1 if i == 0 else 2
            layers.append(nn.Sequential(BasicBlock(c, cout, stride), BasicBlock(cout, cout, 1)))
            c = cout
        self.layers = nn.Sequential(*layers)
        self.dim = c
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock):
                    nn.init.zeros_(m.bn2.weight)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layers(x)
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)


def projection_head(d, out=128):
    """simclr-vk's default head (layers.HeadConfig, --proj-dims 0,128):
    Linear(d, d) - BN - ReLU - Linear(d, out), with biases."""
    return nn.Sequential(nn.Linear(d, d), nn.BatchNorm1d(d), nn.ReLU(), nn.Linear(d, out))


def nt_xent(z, tau):
    z = F.normalize(z, dim=1)
    n2 = z.shape[0]
    n = n2 // 2
    s = z @ z.t() / tau
    s.fill_diagonal_(float("-inf"))
    pos = torch.cat([torch.arange(n, n2), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(s, pos)


def step_bench(args, device, batch, amp, tf32):
    # tf32=False is strict fp32; PyTorch's default lets cuDNN use TF32 tensor cores for convolutions.
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.manual_seed(0)
    c, h, w = args.image
    enc = ResNet18Cifar(args.width, c).to(device)
    d = enc.dim
    head = projection_head(d).to(device)
    params = list(enc.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-6)
    x = torch.rand(2 * batch, c, h, w, device=device)
    # torch.amp.GradScaler is from PyTorch 2.3; Debian's 1.13 has the CUDA one only.
    scaler_cls = getattr(torch.amp, "GradScaler", None) or torch.cuda.amp.GradScaler
    scaler = scaler_cls(enabled=amp and device.type == "cuda")

    def one():
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16 if device.type == "cpu" else torch.float16, enabled=amp):
            loss = nt_xent(head(enc(x)).float(), args.tau)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        return loss

    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(args.warmup):
        one()
    sync()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        loss = one()
        sync()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    out = {
        "bench": "torch_step", "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
        "torch": torch.__version__, "arch": "resnet18", "stem": "cifar", "width": args.width,
        "image": "x".join(map(str, (h, w, c))), "batch": batch, "amp": amp, "tf32": tf32,
        "s_per_step": med, "images_per_s": batch / med, "loss": float(loss.detach()),
    }
    if device.type == "cuda":
        out["peak_mem_bytes"] = torch.cuda.max_memory_allocated()
    return out


def gemm_bench(n, device):
    torch.backends.cuda.matmul.allow_tf32 = False
    a = torch.rand(n, n, device=device)
    b = torch.rand(n, n, device=device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(3):
        a @ b
    sync()
    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        a @ b
        sync()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return {"bench": "torch_gemm", "size": [n, n, n], "tf32": False, "s": med, "gflops": 2 * n**3 / med / 1e9}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--image", default="32x32x3", help="HxWxC")
    p.add_argument("--batch", type=int, nargs="+", default=[256])
    p.add_argument("--tau", type=float, default=0.5)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--amp", action="store_true", help="also run with autocast (fp16 on CUDA)")
    p.add_argument("--gemm", type=int, nargs="*", default=[], help="also time torch.mm N^3 (TF32 off)")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--cpu", action="store_true")
    args = p.parse_args()
    h, w, c = (int(v) for v in args.image.split("x"))
    args.image = (c, h, w)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() and not args.cpu else "cpu")
    for n in args.gemm:
        print(json.dumps(gemm_bench(n, device)), flush=True)
    for b in args.batch:
        # strict fp32, PyTorch's default (TF32 convolutions on Ampere+), then AMP.
        configs = [(False, False), (False, True)] + ([(True, True)] if args.amp else [])
        for amp, tf32 in configs:
            print(json.dumps(step_bench(args, device, b, amp, tf32)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
