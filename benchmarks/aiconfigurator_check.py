"""NVIDIA aiconfigurator-core vs the calibrated model on the calibration rows it covers (issue 9 item 0).

Run `python benchmarks/aiconfigurator_check.py [--aic-python PATH]`. aiconfigurator-core (Apache-2.0,
PyPI) is not a dependency of this project: install it into a separate environment
(`python3.11 -m venv /tmp/aic && /tmp/aic/bin/pip install aiconfigurator-core`) and pass that
interpreter with --aic-python (or AIC_PYTHON); without it this script says so and exits 0.

For every calibration row whose model, GPU and engine aiconfigurator has data for, it asks
aiconfigurator's compiled engine for a static batch at the row's published layout, lengths and
precision (batches 16..1024, capped by the KV capacity pricing.perf computes and by the row's
concurrency) and keeps the best output tokens/s; the calibrated model's prediction for the same row
sits beside it. Static batching (aiconfigurator `run_static`) understates in-flight batching a little.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing import calibrate, perf  # noqa: E402
from pricing.catalog import load_catalog  # noqa: E402

AIC_MODELS = {
    "meta-llama/Llama-3.1-8B-Instruct": "meta-llama/Meta-Llama-3.1-8B",
    "meta-llama/Llama-3.1-70B-Instruct": "meta-llama/Meta-Llama-3.1-70B",
    "meta-llama/Llama-3.3-70B-Instruct": "meta-llama/Meta-Llama-3.1-70B",
    "meta-llama/Llama-3.1-405B-Instruct": "meta-llama/Meta-Llama-3.1-405B",
    "Qwen/Qwen3-235B-A22B": "Qwen/Qwen3-235B-A22B",
    "Qwen/Qwen3-235B-A22B-Instruct-2507": "Qwen/Qwen3-235B-A22B",
    "Qwen/Qwen3-30B-A3B": "Qwen/Qwen3-30B-A3B",
    "Qwen/Qwen3-32B": "Qwen/Qwen3-32B",
    "mistralai/Mixtral-8x7B-Instruct-v0.1": "mistralai/Mixtral-8x7B-v0.1",
    "mistralai/Mixtral-8x22B-Instruct-v0.1": "mistralai/Mixtral-8x22B-v0.1",
    "deepseek-ai/DeepSeek-R1": "deepseek-ai/DeepSeek-R1",
    "deepseek-ai/DeepSeek-R1-0528": "deepseek-ai/DeepSeek-R1",
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct": "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
}
AIC_SYSTEMS = {"h100-sxm": "h100_sxm", "h200": "h200_sxm", "b200": "b200_sxm", "a100-80gb": "a100_sxm",
               "l40s": "l40s", "rtx-pro-6000": "rtx_pro_6000_server"}
QUANT = {"fp8": ("fp8", "fp8"), "bf16": ("bfloat16", "bfloat16"), "fp16": ("bfloat16", "bfloat16"),  # aiconfigurator has no fp16 GEMM mode: bf16 speed
         "fp4": ("nvfp4", "nvfp4")}
BATCHES = (16, 32, 64, 128, 256, 512, 1024)

WORKER = r'''
import json, sys, time
from aiconfigurator_core.sdk.engine import EngineHandle
out = []
for job in json.load(sys.stdin):
    t = time.time()
    try:
        kw = dict(tp_size=job["tp"], pp_size=job["pp"], attention_dp_size=job["adp"],
                  moe_tp_size=job["moe_tp"], moe_ep_size=job["moe_ep"], gemm_quant_mode=job["gemm"],
                  kvcache_quant_mode=job["kv"])
        if job["moe"]:
            kw["moe_quant_mode"] = job["moe_q"]
        h = EngineHandle.compile(job["model"], job["system"], job["backend"], **kw)
        best = 0.0
        for bs in job["batches"]:
            _, _, tot = h.run_static(batch_size=bs, isl=job["isl"], osl=job["osl"])
            best = max(best, bs * job["osl"] / tot * 1000.0 * job["replicas"])
        out.append({"line": job["line"], "tok_s": best, "seconds": time.time() - t})
    except Exception as e:  # report, do not hide
        out.append({"line": job["line"], "error": f"{type(e).__name__}: {str(e)[:160]}", "seconds": time.time() - t})
print(json.dumps(out))
'''


def main() -> None:
    """Build the jobs, run them in the aiconfigurator interpreter, print both models' errors."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--aic-python", default=os.environ.get("AIC_PYTHON"))
    args = ap.parse_args()
    if not args.aic_python or not Path(args.aic_python).exists():
        print("aiconfigurator-core: skipped (no --aic-python / AIC_PYTHON interpreter with aiconfigurator-core)")
        return
    cat = load_catalog()
    rows, _ = calibrate.load_rows(cat)
    eff = cat.efficiency
    jobs, ours = [], {}
    for r in rows:
        if r.model not in AIC_MODELS or r.gpu not in AIC_SYSTEMS or r.precision not in QUANT:
            continue
        if r.engine not in ("trtllm", "vllm", "sglang"):
            continue
        lay = calibrate.row_layout(r)
        p = perf.PerfParams.from_factors(eff, r.engine)
        m, g = cat.models[r.model], cat.gpus[r.gpu]
        rr = perf.rows([(m, g, r.precision, lay.instance_gpus)], p, [r.kv_precision], [lay])
        res = perf.evaluate(rr, r.input_tokens, r.output_tokens, p)
        replicas = max(r.gpus // lay.instance_gpus, 1)
        cap = min(res["max_batch_kv"][0], (r.max_batch or 1e9) / replicas)
        ours[r.line] = float(calibrate.predictor(cat, [r])(p)[0])
        moe = m.experts_routed > m.experts_active > 0
        gemm, moe_q = QUANT[r.precision]
        kvq = {"fp8": "fp8", None: "fp8" if r.precision in ("fp8", "fp4") else "bfloat16"}.get(r.kv_precision, "bfloat16")
        jobs.append({
            "line": r.line, "model": AIC_MODELS[r.model], "system": AIC_SYSTEMS[r.gpu], "backend": r.engine,
            "tp": lay.tp if not lay.attention_dp else 1, "pp": lay.pp, "adp": lay.tp if lay.attention_dp else 1,
            "moe_tp": 1 if lay.ep > 1 else lay.tp, "moe_ep": lay.ep, "moe": moe, "gemm": gemm, "moe_q": moe_q,
            "kv": kvq, "isl": round(r.input_tokens), "osl": round(r.output_tokens), "replicas": replicas,
            "batches": [b for b in BATCHES if b <= max(cap, 16)],
        })
    t0 = time.perf_counter()
    proc = subprocess.run([args.aic_python, "-c", WORKER], input=json.dumps(jobs), capture_output=True, text=True,
                          timeout=1800, check=False)
    if proc.returncode != 0:
        print(f"aiconfigurator-core failed: {proc.stderr[-400:]}")
        return
    got = {d["line"]: d for d in json.loads(proc.stdout.strip().splitlines()[-1])}
    print(f"aiconfigurator-core on {len(jobs)} calibration rows ({time.perf_counter() - t0:.0f} s incl. start-up)")
    print(f"{'line':>4} {'engine':<7} {'model':<26} {'prec':<5} {'gpus':>14} {'measured':>9} {'aic':>9} {'err':>7} "
          f"{'ours':>9} {'err':>7}")
    e_aic: list[float] = []
    e_ours: list[float] = []
    eng: list[str] = []
    by_row = {r.line: r for r in rows}
    for j in jobs:
        r, d = by_row[j["line"]], got.get(j["line"], {})
        o = ours[r.line]
        eo = abs(o - r.measured) / r.measured
        if "tok_s" in d and d["tok_s"] > 0:
            a = d["tok_s"]
            ea = abs(a - r.measured) / r.measured
            e_aic.append(ea)
            e_ours.append(eo)
            eng.append(r.engine)
            print(f"{r.line:>4} {r.engine:<7} {r.model.split('/')[-1][:26]:<26} {r.precision:<5} "
                  f"{f'{r.gpus}x{r.gpu}':>14} {r.measured:>9.0f} {a:>9.0f} {ea:>7.0%} {o:>9.0f} {eo:>7.0%}")
        else:
            print(f"{r.line:>4} {r.engine:<7} {r.model.split('/')[-1][:26]:<26} {r.precision:<5} "
                  f"{f'{r.gpus}x{r.gpu}':>14} {r.measured:>9.0f} {'n/a':>9} {'':>7} {o:>9.0f} {eo:>7.0%}  "
                  f"{d.get('error', 'no result')[:70]}")
    if e_aic:
        print(f"rows both cover: {len(e_aic)}; median |error| aiconfigurator {np.median(e_aic):.1%}, "
              f"calibrated model {np.median(e_ours):.1%} (in-sample for ours)")
        for e in sorted(set(eng)):
            idx = [i for i, x in enumerate(eng) if x == e]
            print(f"  {e}: {len(idx)} rows, aiconfigurator {np.median(np.array(e_aic)[idx]):.1%}, "
                  f"calibrated {np.median(np.array(e_ours)[idx]):.1%}")


if __name__ == "__main__":
    main()
