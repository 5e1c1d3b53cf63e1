#!/usr/bin/env python3
"""tools/gpucheck_goals.py: issues #8's, #18's and #19's goals from a gpucheck report.json.

Reads the report tools/gpucheck.sh wrote and prints one JSON object with
each goal's two figures and their ratio, so a GPU run ends with the
numbers the README and the issue note need:

  gemm_4096:         simclr-vk GEMM fp32 at 4096^3 (best kernel measured) /
                     torch.mm with TF32 off (cuBLAS SGEMM); goal >= 0.70
  step_b512_fp32:    SimCLR step, ResNet-18 CIFAR, B=512, fp32 /
                     PyTorch eager strict fp32; goal >= 1.0
  step_b512_coopmat: the same with --coopmat on / PyTorch default (TF32)
                     and AMP, for reference (no goal)
  step_b512_mixed:   issue #18: the same with --precision mixed (and
                     --coopmat on where the device has cooperative
                     matrices) / PyTorch AMP, goal >= 1.0 ("met"); its peak
                     memory / the fp32 step's, goal <= 0.6 ("peak_met")
  ntxent:            fused NT-Xent time (and memory) at 2N=16384, d=128
                     against the unfused composition; goal: faster

Issue #19's goals, each with a verdict ("met": true, false, or null when
a figure is missing):

  data_gpu_224:      bench data --augment gpu at 224 px, 2 loader workers:
                     the loader's views/s (train's GPU pipeline end to end)
                     >= 3000 with loader_cpu_cores <= 2
  data_gpu_32:       the same at 32 px, >= 20000 views/s
  train_data_wait_S: a short ResNet-18 train at S px (224; 32 with
                     --quick) with --augment-on gpu: the share of the last
                     epoch spent waiting for data (metrics.jsonl's
                     cumulative data_wait at the epoch's last step; the
                     first epoch, which holds the autotuning, is reported
                     but not judged when a later one exists); goal < 0.05

The keys name the goal's sizes; a report of gpucheck --quick (its
goal_gemm and goal_batch fields) gives the same figures at its tiny sizes
under keys named by them (gemm_256, step_b8_fp32, ...).

A figure missing from the report (a step that failed or did not run) is
null. Usage: tools/gpucheck_goals.py gpucheck-out/report.json
"""
import json
import sys


def lines(report, step):
    return report.get("results", {}).get(step, []) or []


def first(items, **match):
    for it in items:
        if all(it.get(k) == v for k, v in match.items()):
            return it
    return None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


DATA_GOALS = {224: 3000, 32: 20000}  # views/s of the GPU path, issue #19
DATA_CORES = 2                        # loader_cpu_cores at most
WAIT_GOAL = 0.05                      # train's data wait, below


def verdict(*checks):
    """False when a decided check fails, True when every check holds, None
    when none fails but one cannot be decided."""
    if any(c is False for c in checks):
        return False
    if any(c is None for c in checks):
        return None
    return all(checks)


def data_goals(r, out):
    for size, goal in DATA_GOALS.items():
        x = first(lines(r, "bench_data_gpu_%d" % size), bench="data") or {}
        v, cores = x.get("loader_views_per_s"), x.get("loader_cpu_cores")
        out["data_gpu_%d" % size] = {
            "loader_views_per_s": v, "augment_views_per_s": x.get("augment_views_per_s"),
            "loader_cpu_cores": cores, "workers": x.get("workers"), "images": x.get("images"),
            "goal_views_per_s": goal, "goal_cpu_cores": DATA_CORES,
            "met": verdict(None if v is None else v >= goal,
                           None if cores is None else cores <= DATA_CORES)}
    for name in sorted(r.get("results", {})):
        if not name.startswith("train_") or not name[6:].isdigit():
            continue
        last = {}  # epoch -> its last step record
        for x in lines(r, name):
            if x.get("type") == "step" and x.get("epoch") is not None:
                e = x["epoch"]
                if e not in last or x.get("step", 0) >= last[e].get("step", 0):
                    last[e] = x
        by_epoch = [last[e].get("data_wait") for e in sorted(last)]
        judged = by_epoch[-1] if by_epoch else None
        out["train_data_wait_" + name[6:]] = {
            "image_size": int(name[6:]), "epochs": len(by_epoch),
            "steps": sum(last[e].get("step", 0) for e in last),
            "data_wait_by_epoch": by_epoch, "data_wait": judged,
            "images_per_sec_last_epoch": last[max(last)].get("images_per_sec") if last else None,
            "goal_below": WAIT_GOAL,
            "met": None if judged is None else judged < WAIT_GOAL}


def main(path):
    with open(path) as f:
        r = json.load(f)
    torch = lines(r, "torch")
    out = {"device": r.get("nvidia_smi") or r.get("host")}
    gg = r.get("goal_gemm", "4096x4096x4096")
    gb = r.get("goal_batch", 512)

    ours = [x.get("gflop_per_s") for x in lines(r, "bench_gemm_" + gg) if x.get("bench") == "gemm"]
    ref = first(torch, bench="torch_gemm", tf32=False)
    g = max([x for x in ours if x is not None], default=None)
    out["gemm_" + gg.split("x")[0]] = {"simclr_vk_gflops": g, "cublas_sgemm_gflops": ref and ref.get("gflops"),
                        "ratio": ratio(g, ref and ref.get("gflops")), "goal": 0.70}

    def step(name):
        x = first(lines(r, name), bench="step")
        return x and x.get("images_per_s")

    t_fp32 = first(torch, bench="torch_step", batch=gb, amp=False, tf32=False)
    t_tf32 = first(torch, bench="torch_step", batch=gb, amp=False, tf32=True)
    t_amp = first(torch, bench="torch_step", batch=gb, amp=True)
    s = step("bench_step_b%d" % gb)
    out["step_b%d_fp32" % gb] = {"simclr_vk_images_per_s": s, "torch_fp32_images_per_s": t_fp32 and t_fp32.get("images_per_s"),
                             "ratio": ratio(s, t_fp32 and t_fp32.get("images_per_s")), "goal": 1.0}
    c = step("bench_step_b%d_coopmat" % gb)
    out["step_b%d_coopmat" % gb] = {"simclr_vk_images_per_s": c,
                                "torch_tf32_images_per_s": t_tf32 and t_tf32.get("images_per_s"),
                                "torch_amp_images_per_s": t_amp and t_amp.get("images_per_s"),
                                "ratio_to_tf32": ratio(c, t_tf32 and t_tf32.get("images_per_s")),
                                "ratio_to_amp": ratio(c, t_amp and t_amp.get("images_per_s"))}
    fp = first(lines(r, "bench_step_b%d" % gb), bench="step") or {}
    mx = first(lines(r, "bench_step_b%d_mixed" % gb), bench="step") or {}
    if mx.get("precision") != "mixed":
        mx = {}  # not a mixed step: judge nothing
    amp = t_amp and t_amp.get("images_per_s")
    speed = ratio(mx.get("images_per_s"), amp)
    peak = ratio(mx.get("peak_bytes") or None, fp.get("peak_bytes"))  # 0: not measured
    out["step_b%d_mixed" % gb] = {"precision": mx.get("precision"), "device": mx.get("device"),
                              "simclr_vk_images_per_s": mx.get("images_per_s"), "torch_amp_images_per_s": amp,
                              "ratio_to_amp": speed, "goal": 1.0, "met": None if speed is None else speed >= 1.0,
                              "peak_bytes": mx.get("peak_bytes"), "fp32_peak_bytes": fp.get("peak_bytes"),
                              "torch_amp_peak_bytes": t_amp and t_amp.get("peak_mem_bytes"),
                              "peak_ratio": peak, "peak_goal_at_most": 0.6,
                              "peak_met": None if peak is None else peak <= 0.6}
    nt = lines(r, "bench_ntxent")
    fused = first(nt, bench="ntxent", impl="fused") or {}
    unfused = first(nt, bench="ntxent", impl="unfused") or {}
    out["ntxent"] = {"n": fused.get("n"), "dim": fused.get("dim"), "kernel": fused.get("kernel"),
                     "fused_ms": fused.get("ms"), "unfused_ms": unfused.get("ms"),
                     "ms_by_impl": {x.get("impl"): x.get("ms") for x in nt if x.get("bench") == "ntxent"},
                     "fused_extra_bytes": fused.get("extra_bytes"), "unfused_extra_bytes": unfused.get("extra_bytes"),
                     "speedup": ratio(unfused.get("ms"), fused.get("ms"))}
    data_goals(r, out)
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
