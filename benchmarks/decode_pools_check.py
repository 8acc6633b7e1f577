"""Measured vs predicted decode-only pools at wide expert parallelism, with the predicted step split (a check).

Run `python benchmarks/decode_pools_check.py`. Reads the `pool` = decode rows of data/measurements/throughput.csv
(checks: pricing.calibrate prints them but fits only the prefill pool rows) and, for each, prints the measured
output tokens/s per GPU against perf.decode_pool_rate's at the row's layout (EPn = attention DPn over n GPUs)
under the shared fit of data/calibration.yaml, the batch per GPU (the row's stated concurrency, else the KV cap)
and the step time it implies (batch per GPU / tokens/s per GPU), and where the predicted step goes:
  weights   weight bytes the busiest rank streams (dense + touched experts) / (bandwidth x efficiency)
  KV        KV-cache bytes read / bandwidth            attn      absorbed-MLA attention FLOPs / compute
  GEMM      linear FLOPs (dense + routed experts x routing skew) / compute
  a2a       expert-parallel dispatch + combine (perf._ep_a2a_s, low-latency kernels)
  overhead  step_overhead_ms
perf.step_s adds each roofline pair as a 2-norm (weights with GEMM, KV with attn); pool_step_s takes the faster of
one batch (a2a exposed) and two half batches (a2a_overlap of the shorter side hidden, weights read twice). The columns `w+G` and `kv+at` are
those 2-norms of the mode the model picks.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing import calibrate, perf  # noqa: E402
from pricing.catalog import Catalog, load_catalog  # noqa: E402

TBO_SOURCE = "lmsys.org/blog/2025-05-05-large-scale-ep, 'Ablation Study: Two-batch Overlap'"


def _one(r: perf.Rows, batch: float, ctx: float, p: perf.PerfParams) -> dict[str, float]:
    """The parts of perf.step_s for one pure decode step of `batch` sequences (whole instance), a2a excluded."""
    q = replace(p, a2a_overlap=1.0)
    b, c = np.array([batch]), np.array([ctx])
    st = perf._static(r, c, q)
    imb = perf._imbalance(r, b, q)
    t_w = (st["dense_pg"] + st["expert_pg"] * perf._touched_busiest(r, b, imb)) / st["mem_div"]
    t_kv = b * st["kv_pg"] / st["mem_div"]
    t_lin = b * (st["lin_dense"] + st["lin_exp"] * imb) / q.decode_compute_efficiency / st["cmp_div"]
    t_att = b * st["attn_dec"] / q.decode_compute_efficiency / st["cmp_div"]
    return {"weights": float(t_w[0]), "kv": float(t_kv[0]), "attn": float(t_att[0]), "gemm": float(t_lin[0]),
            "wG": float(np.hypot(t_w, t_lin)[0]), "kvat": float(np.hypot(t_kv, t_att)[0])}


def breakdown(r: perf.Rows, batch: float, ctx: float, p: perf.PerfParams) -> dict[str, Any]:
    """Predicted step split (seconds) at `batch` sequences of the instance, in the overlap mode pool_step_s picks."""
    over = p.step_overhead_ms * 1e-3
    one, half = _one(r, batch, ctx, p), _one(r, batch / 2.0, ctx, p)
    a1 = float(perf._ep_a2a_s(r, np.array([batch]), p, forward=False)[0])
    a2 = float(perf._ep_a2a_s(r, np.array([batch]), p, forward=False, micro_batches=2.0)[0])
    t1 = one["wG"] + one["kvat"] + a1 + over
    w2 = 2.0 * (half["wG"] + half["kvat"])
    # as perf.pool_step_s in decode: only a2a_overlap of the shorter of compute and all-to-all is hidden
    exposed = max(a2 - w2, 0.0) + (1.0 - p.a2a_overlap) * min(w2, a2)
    t2 = w2 + exposed + over
    if t1 <= t2:
        return {**one, "a2a": a1, "overhead": over, "step": t1, "mode": "one batch", "one": t1, "two": t2}
    parts = {k: 2.0 * v for k, v in half.items()}
    return {**parts, "a2a": exposed, "overhead": over, "step": t2, "mode": "two halves", "one": t1, "two": t2}


def check(catalog: Catalog, p: perf.PerfParams) -> list[dict[str, Any]]:
    """One dict per decode pool row: measured and predicted tokens/s per GPU, batch, step times and split."""
    pools = [x for x in calibrate.pool_rows(catalog) if x.pool == "decode"]
    pred = calibrate.predict_pool_rows(catalog, pools, p)
    out = []
    for row, whole in zip(pools, pred, strict=True):
        lay = perf.Layout(tp=row.ep, ep=row.ep, attention_dp=True)
        r = perf.rows([(catalog.models[row.model], catalog.gpus[row.gpu], row.precision, lay.instance_gpus)], p,
                      [row.kv_precision or "bf16"], [lay])
        cap = row.concurrency / row.gpus if row.concurrency else None
        dec = perf.decode_pool_rate(r, row.input_tokens, max(row.output_tokens, 1.0), p, max_batch=cap)
        b_inst = float(dec["batch"][0])
        ctx = row.input_tokens + max(row.output_tokens, 1.0) / 2.0
        meas_gpu, pred_gpu = row.measured / row.gpus, float(whole) / row.gpus
        b_gpu = b_inst / lay.instance_gpus
        out.append({"row": row, "ctx": ctx, "batch_gpu": b_gpu, "stated": cap is not None,
                    "measured_gpu": meas_gpu, "predicted_gpu": pred_gpu,
                    "measured_step_ms": b_gpu / meas_gpu * 1e3 if cap is not None else float("nan"),
                    "predicted_step_ms": float(dec["tpot_ms"][0]), "split": breakdown(r, b_inst, ctx, p)})
    return out


def report(catalog: Catalog, p: perf.PerfParams, label: str = "shared fit") -> None:
    """Print the check table under parameters p."""
    print(f"decode-only pools ({label}); tok/s and batch per GPU; step = batch / tok/s per GPU; split in ms")
    print(f"{'line':>4} {'GPU':<9} {'EP':>4} {'ctx':>5} {'batch':>6} {'meas':>6} {'pred':>6} {'err':>5} "
          f"{'step m':>7} {'step p':>7} | {'weights':>7} {'KV':>5} {'attn':>5} {'GEMM':>5} {'w+G':>5} {'kv+at':>5} "
          f"{'a2a':>5} {'ovh':>4} | {'one':>5} {'two':>5}  mode")
    for x in check(catalog, p):
        row, s = x["row"], x["split"]
        batch = f"{x['batch_gpu']:.0f}" + ("" if x["stated"] else "*")
        print(f"{row.line:>4} {row.gpu:<9} {row.ep:>4} {x['ctx']:>5.0f} {batch:>6} {x['measured_gpu']:>6,.0f} "
              f"{x['predicted_gpu']:>6,.0f} {x['predicted_gpu'] / x['measured_gpu'] - 1:>+5.0%} "
              f"{x['measured_step_ms']:>7.1f} {x['predicted_step_ms']:>7.1f} | {s['weights'] * 1e3:>7.1f} "
              f"{s['kv'] * 1e3:>5.1f} {s['attn'] * 1e3:>5.1f} {s['gemm'] * 1e3:>5.1f} {s['wG'] * 1e3:>5.1f} "
              f"{s['kvat'] * 1e3:>5.1f} {s['a2a'] * 1e3:>5.1f} {s['overhead'] * 1e3:>4.1f} | {s['one'] * 1e3:>5.1f} "
              f"{s['two'] * 1e3:>5.1f}  {s['mode']}")
    print("  * no stated batch: the model's own (KV-capacity) batch; step m(easured) needs a stated batch")
    print("  one / two: the model's step as one batch (all-to-all exposed) and as two overlapped half batches; it takes")
    print(f"  the faster. SGLang's own ablation ({TBO_SOURCE}): two-batch overlap gains 25.5% at 256 per device (H100")
    print("  EP72), so without it that row's step is ~1.255 x 91.8 = ~115 ms; it loses 27% at 32 per device")


def main() -> None:
    """Print the check under the shared fit."""
    cat = load_catalog()
    report(cat, perf.PerfParams.from_factors(cat.efficiency))


if __name__ == "__main__":
    main()
