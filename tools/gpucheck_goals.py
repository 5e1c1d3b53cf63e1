#!/usr/bin/env python3
"""tools/gpucheck_goals.py: issue #8's goals from a gpucheck report.json.

Reads the report tools/gpucheck.sh wrote and prints one JSON object with
each goal's two figures and their ratio, so a GPU run ends with the
numbers the README and the issue note need:

  gemm_4096:         simclr-vk GEMM fp32 at 4096^3 (best kernel measured) /
                     torch.mm with TF32 off (cuBLAS SGEMM); goal >= 0.70
  step_b512_fp32:    SimCLR step, ResNet-18 CIFAR, B=512, fp32 /
                     PyTorch eager strict fp32; goal >= 1.0
  step_b512_coopmat: the same with --coopmat on / PyTorch default (TF32)
                     and AMP, for reference (no goal)
  ntxent:            fused NT-Xent time (and memory) at 2N=16384, d=128
                     against the unfused composition; goal: faster

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
    nt = lines(r, "bench_ntxent")
    fused = first(nt, bench="ntxent", impl="fused") or {}
    unfused = first(nt, bench="ntxent", impl="unfused") or {}
    out["ntxent"] = {"n": fused.get("n"), "dim": fused.get("dim"), "kernel": fused.get("kernel"),
                     "fused_ms": fused.get("ms"), "unfused_ms": unfused.get("ms"),
                     "ms_by_impl": {x.get("impl"): x.get("ms") for x in nt if x.get("bench") == "ntxent"},
                     "fused_extra_bytes": fused.get("extra_bytes"), "unfused_extra_bytes": unfused.get("extra_bytes"),
                     "speedup": ratio(unfused.get("ms"), fused.get("ms"))}
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
