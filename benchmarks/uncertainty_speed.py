"""Speed of the uncertainty bands: 10,000 seeded samples x every route of each example scenario.

Run `python benchmarks/uncertainty_speed.py [--samples N] [--repeat R]`. Prints, per scenario, the
routes, the sampling time (target: well under 1 s) and the time of the other analyses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing.analysis.breakeven import breakeven_frame  # noqa: E402
from pricing.analysis.curves import route_curves, with_options  # noqa: E402
from pricing.analysis.portfolio import portfolio_frame  # noqa: E402
from pricing.analysis.uncertainty import Ranges, uncertainty_frame  # noqa: E402
from pricing.catalog import load_catalog  # noqa: E402
from pricing.compare import compare, load_scenario  # noqa: E402
from pricing.report import build_report  # noqa: E402


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    """Fastest of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    """Time the sampling and the other analyses on every scenario in data/scenarios/."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cat = load_catalog(ROOT / "data")
    eff = cat.efficiency
    ranges = Ranges.from_calibration(eff.median_abs_pct_error if eff else None)
    today = dt.date(2026, 11, 29)
    print(f"efficiency P10-P90 {ranges.efficiency[0]:.3f}-{ranges.efficiency[1]:.3f} "
          f"(from the calibration's median error {eff.median_abs_pct_error if eff else 'n/a'})")
    print(f"{'scenario':<22}{'routes':>7}{'samples':>9}{'sampling s':>12}{'break-even s':>14}"
          f"{'portfolio s':>13}{'full report s':>15}")
    worst = 0.0
    for path in sorted((ROOT / "data" / "scenarios").glob("*.yaml")):
        sc = with_options(load_scenario(path), cat)
        df = compare(sc, cat, today=today)
        curves = route_curves(sc, cat, df)
        t_unc = best_of(args.repeat, lambda c=curves: uncertainty_frame(c, ranges, samples=args.samples, seed=1))
        t_be = best_of(1, lambda c=curves: breakeven_frame(c))
        fresh = route_curves(sc, cat, df)  # step widths are cached per curve: time them from scratch
        t_pf = best_of(1, lambda c=fresh: portfolio_frame(c))
        t_all = best_of(1, lambda s=sc: build_report(s, cat, today=today, samples=args.samples))
        worst = max(worst, t_unc)
        print(f"{path.stem:<22}{len(curves):>7}{args.samples:>9}{t_unc:>12.3f}{t_be:>14.3f}{t_pf:>13.3f}{t_all:>15.2f}")
    print(f"slowest sampling: {worst:.3f} s for {args.samples:,} samples (target: well under 1 s)")


if __name__ == "__main__":
    main()
