"""Accuracy of the throughput model: predicted vs measured per calibration row, and leave-one-group-out.

Run `python benchmarks/throughput_accuracy.py [--quick]`. Prints every row, the median absolute
percentage error with the factors in data/calibration.yaml, and the median error when each GPU
(and each model family, and each engine) is left out of the fit and predicted by the others.
Targets: <= 15% on the calibration set, <= 25% leave-one-group-out.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing.calibrate import (  # noqa: E402
    abs_pct_errors,
    leave_one_group_out,
    load_rows,
    predictor,
)
from pricing.catalog import load_catalog  # noqa: E402
from pricing.perf import PerfParams  # noqa: E402


def main() -> None:
    """Print per-row predictions and the error summaries."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="skip leave-one-group-out refits")
    args = ap.parse_args()
    cat = load_catalog()
    params = PerfParams.from_factors(cat.efficiency)
    rows, excluded = load_rows(cat)
    meas = np.array([r.measured for r in rows])
    pred = predictor(cat, rows)(params)
    err = abs_pct_errors(pred, meas)
    print(f"{'line':>4} {'model':<32} {'prec':<5} {'gpus':>9} {'in/out':>11} {'measured':>9} {'predicted':>9} {'error':>7}")
    for r, p, e in zip(rows, pred, err, strict=True):
        sign = "+" if p >= r.measured else "-"
        print(f"{r.line:>4} {r.model.split('/')[-1][:32]:<32} {r.precision:<5} {f'{r.gpus}x{r.gpu}':>9} "
              f"{f'{r.input_tokens:.0f}/{r.output_tokens:.0f}':>11} {r.measured:>9.0f} {p:>9.0f} {sign}{e:>6.1%}")
    print(f"\n{len(rows)} rows modelled, {len(excluded)} excluded (reasons: python -m pricing.calibrate --dry-run)")
    print(f"calibration set: median |error| {np.median(err):.1%}, mean {np.mean(err):.1%}, "
          f"within 25%: {np.mean(err <= 0.25):.0%}")
    if cat.efficiency is not None:
        print(f"factors from data/calibration.yaml: {cat.efficiency.fitted_on}")
    if args.quick:
        return
    for name, key in (
        ("GPU", lambda r: r.gpu),
        ("model family", lambda r: r.family),
        ("engine", lambda r: r.engine),
    ):
        t0 = time.perf_counter()
        med, per, _ = leave_one_group_out(cat, rows, key, start=PerfParams())  # no peek at the full fit
        groups = ", ".join(f"{g} {v:.0%}" for g, v in per.items())
        print(f"leave-one-{name}-out: median |error| {med:.1%}  ({groups})  [{time.perf_counter() - t0:.1f} s]")


if __name__ == "__main__":
    main()
