"""Speed of the self-hosting sweep: every open model x GPU x precision x 100 volumes (target < 1 s).

Run `python benchmarks/selfhost_speed.py [--volumes N] [--repeat R]`. Prints the number of
deployments, of cost evaluations, and the best wall time of R runs (catalog load excluded).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing.catalog import load_catalog  # noqa: E402
from pricing.schema import PRECISIONS, Workload  # noqa: E402
from pricing.selfhost import sweep  # noqa: E402


def main() -> None:
    """Time the sweep and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--volumes", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cat = load_catalog()
    w = Workload(name="chat", requests_per_month=3e6, input_tokens=1200, output_tokens=300,
                 peak_to_average=3, max_ttft_ms=2000, min_output_tokens_per_s=20)
    vols = np.geomspace(1e3, 1e10, args.volumes)
    models, gpus = list(cat.models), list(cat.gpus)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        specs, cost = sweep(cat, models, gpus, PRECISIONS, w, vols)
        times.append(time.perf_counter() - t0)
    served = np.isfinite(cost[:, 0]).sum()
    print(f"{len(models)} models x {len(gpus)} GPUs x {len(PRECISIONS)} precisions = {len(specs)} deployments "
          f"({served} can serve the workload), x {len(vols)} volumes = {cost.size:,} monthly costs")
    print(f"wall time: best {min(times):.3f} s, median {float(np.median(times)):.3f} s of {args.repeat} runs "
          f"(target < 1 s)")


if __name__ == "__main__":
    main()
