"""Accuracy of the throughput model against published measurements: in-sample and leave-one-group-out.

Run `python benchmarks/throughput_accuracy.py [--quick]`. Prints every row (each predicted at its
published layout with its engine's profile from data/calibration.yaml), the median absolute error
overall and by engine, GPU, model family and latency regime, the error when the planner chooses the
layout from the total GPU count (what `pricing throughput --gpus N` does), and the error when each GPU
and each model family is left out of the fit (shared factors and engine profiles refitted on the rest).
Goals (issue 9): leave-one-GPU-out and leave-one-family-out <= 15% offline, <= 25% under latency targets.
MLPerf results are never read here (data/measurements/holdout_mlperf.csv is for independent checks).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing import calibrate, perf  # noqa: E402
from pricing.calibrate import CalRow, Fit  # noqa: E402
from pricing.catalog import Catalog, load_catalog  # noqa: E402
from pricing.perf import PerfParams  # noqa: E402

GROUPS: dict[str, Callable[[CalRow], str]] = {
    "engine": lambda r: r.engine,
    "GPU": lambda r: r.gpu,
    "family": lambda r: r.family,
    "regime": lambda r: r.regime,
}


def stored_fit(cat: Catalog) -> Fit:
    """The shared factors and engine profiles of data/calibration.yaml as a Fit."""
    return calibrate.stored_fit(cat)


def summary(rows: Sequence[CalRow], err: np.ndarray, label: str) -> None:
    """One line overall, then one line per group kind."""
    print(f"{label}: median |error| {np.median(err):.1%} over {len(rows)} rows, within 25%: {np.mean(err <= 0.25):.0%}")
    for name, key in GROUPS.items():
        groups = sorted({key(r) for r in rows})
        parts = []
        for g in groups:
            idx = [i for i, r in enumerate(rows) if key(r) == g]
            parts.append(f"{g} {np.median(err[idx]):.1%} (n={len(idx)})")
        print(f"  by {name}: " + ", ".join(parts))


def planner_errors(cat: Catalog, rows: Sequence[CalRow], f: Fit) -> tuple[list[CalRow], np.ndarray]:
    """Rows of more than one GPU predicted with the planner's best layout of the total (no published layout):
    signed relative errors (predicted / measured - 1). Rows measured as one finite burst (ShareGPT runs) are
    drained as the harness did (`perf.burst_output_rate`) on the layout the planner picks."""
    multi = [r for r in rows if r.gpus > 1 and r.metric == "output_tokens_per_s"]
    out = []
    for r in multi:
        p = f.params(r.engine)
        m, g = cat.models[r.model], cat.gpus[r.gpu]
        cap = r.max_batch or p.max_batch
        tpot = 1e3 / r.min_tokens_per_s_per_user if r.min_tokens_per_s_per_user else None
        lay, _, _ = perf.plan(m, g, r.gpus, r.precision, r.input_tokens, r.output_tokens, p, tpot,
                              kv_precision=r.kv_precision)
        rr = perf.rows([(m, g, r.precision, lay.instance_gpus)], p, [r.kv_precision], [lay])
        if r.burst:
            pred = float(perf.burst_output_rate(rr, r.input_tokens, r.output_tokens, r.burst / lay.dp, p,
                                                max_batch=cap / lay.dp)[0]) * lay.dp
        else:
            res = perf.evaluate(rr, r.input_tokens, r.output_tokens, p, max_tpot_ms=tpot, max_batch=cap / lay.dp)
            pred = float(res["output_tokens_per_s"][0]) * lay.dp
        out.append(pred / r.measured - 1.0)
    return multi, np.array(out)


def by_regime(rows: Sequence[CalRow], err: np.ndarray) -> str:
    """'offline 12% (n=65), server ...' over the rows with a finite error."""
    parts = []
    for g in sorted({r.regime for r in rows}):
        idx = [i for i, r in enumerate(rows) if r.regime == g and np.isfinite(err[i])]
        if idx:
            parts.append(f"{g} {np.median(err[idx]):.1%} (n={len(idx)})")
    return ", ".join(parts)


def main() -> None:
    """Print per-row predictions and the error summaries."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="skip leave-one-group-out refits")
    args = ap.parse_args()
    cat = load_catalog()
    rows, excluded = calibrate.load_rows(cat)
    f = stored_fit(cat)
    pred = calibrate.multi_predictor(cat, rows)(f.shared, f.engines)
    meas = np.array([r.measured for r in rows])
    err = calibrate.abs_pct_errors(pred, meas)
    print(f"{'line':>4} {'engine':<7} {'model':<28} {'prec':<5} {'gpus':>15} {'layout':<9} {'in/out':>11} "
          f"{'measured':>9} {'predicted':>9} {'error':>7}")
    for r, p, e in zip(rows, pred, err, strict=True):
        sign = "+" if p >= r.measured else "-"
        print(f"{r.line:>4} {r.engine:<7} {r.model.split('/')[-1][:28]:<28} {r.precision:<5} "
              f"{f'{r.gpus}x{r.gpu}':>15} {r.layout or '-':<9} {f'{r.input_tokens:.0f}/{r.output_tokens:.0f}':>11} "
              f"{r.measured:>9.0f} {p:>9.0f} {sign}{e:>6.1%}")
    print(f"\n{len(rows)} rows modelled, {len(excluded)} excluded (reasons: python -m pricing.calibrate --dry-run)")
    summary(rows, err, "in-sample (published layouts, engine profiles)")
    multi, perr = planner_errors(cat, rows, f)
    print(f"planner (layout chosen from --gpus N alone) on {len(multi)} multi-GPU rows: median |error| "
          f"{np.median(np.abs(perr)):.1%}, median signed {np.median(perr):+.1%} (published layouts are not always "
          "the fastest the planner finds)")
    lat = [r for r in rows if r.regime != "offline"]
    print(f"rows under latency (server/interactive: per-user speed at the run's concurrency, batch-1 TTFT): {len(lat)} "
          f"of {len(rows)}, from {len({r.source for r in lat})} sources (data/measurements/README.md)")
    if args.quick:
        return
    for name in ("GPU", "family"):
        key = GROUPS[name]
        t0 = time.perf_counter()
        groups = sorted({key(r) for r in rows})
        errs = np.full(len(rows), np.nan)
        per = []
        for g in groups:
            train = [r for r in rows if key(r) != g]
            idx = [i for i, r in enumerate(rows) if key(r) == g]
            fit = calibrate.fit_all(cat, train, start=PerfParams(), rounds=1, passes=3)
            e = calibrate.fit_errors(cat, [rows[i] for i in idx], fit)
            errs[idx] = e
            per.append(f"{g} {np.median(e):.0%}")
        print(f"leave-one-{name}-out: median |error| {np.nanmedian(errs):.1%}  ({', '.join(per)})  "
              f"[{time.perf_counter() - t0:.0f} s]")
        print(f"  leave-one-{name}-out by regime: {by_regime(rows, errs)} "
              "(goal: offline <= 15%, server/interactive <= 25%)")

if __name__ == "__main__":
    main()
