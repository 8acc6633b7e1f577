"""Speed of the API cost engine: every offer x 1,000 workloads, vs a loop over genai-prices' calc_price.

Run `python benchmarks/api_cost_speed.py [--workloads N] [--genai-max-seconds S]`. Prints
evaluations per second of each and the ratio (target: ours >= 100x faster; full sweep < 1 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pricing.api_cost import api_cost_frame, api_cost_matrix, offer_price_table  # noqa: E402
from pricing.catalog import parse_model, read_yaml  # noqa: E402
from pricing.schema import ProviderFile, Workload  # noqa: E402


def bundled_offers() -> dict:
    """Every offer in data/api."""
    out = {}
    for path in sorted((ROOT / "data" / "api").glob("*.yaml")):
        pf = parse_model(ProviderFile, read_yaml(path), path.name)
        out.update({f"{pf.provider}/{o.model}": o for o in pf.offers})
    return out


def random_workloads(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Volumes and token mixes spread over realistic ranges (log-uniform volumes and prompts)."""
    rng = np.random.default_rng(seed)
    inp = np.round(10 ** rng.uniform(1.5, 5.6, n))
    return {
        "requests": np.round(10 ** rng.uniform(2, 8, n)),
        "input_tokens": inp,
        "output_tokens": np.round(10 ** rng.uniform(1, 4, n)),
        "cached_fraction": np.rint(inp * rng.uniform(0, 0.9, n)) / inp,  # whole cached tokens, as genai takes
    }


def main() -> int:
    """Time both engines and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workloads", type=int, default=1000)
    ap.add_argument("--genai-max-seconds", type=float, default=20.0)
    args = ap.parse_args()
    offers = bundled_offers()
    w = random_workloads(args.workloads)
    n_eval = len(offers) * args.workloads

    best = np.inf
    for _ in range(5):
        t0 = time.perf_counter()
        table = offer_price_table(offers)
        m = api_cost_matrix(table, w["requests"], w["input_tokens"], w["output_tokens"],
                            cached_fraction=w["cached_fraction"])
        best = min(best, time.perf_counter() - t0)
    ours_rate = n_eval / best
    wls = [Workload(name=f"w{i}", requests_per_month=w["requests"][i], input_tokens=w["input_tokens"][i],
                    output_tokens=w["output_tokens"][i], cached_input_fraction=w["cached_fraction"][i])
           for i in range(args.workloads)]
    t0 = time.perf_counter()
    frame = api_cost_frame(offers, None, wls)
    frame_s = time.perf_counter() - t0
    print(f"offers: {len(offers)}, workloads: {args.workloads}, evaluations: {n_eval:,}")
    print(f"ours  api_cost_matrix (incl. price table): {best * 1e3:8.1f} ms  -> {ours_rate:,.0f} evaluations/s")
    print(f"ours  api_cost_frame (DataFrame, warnings):   {frame_s * 1e3:8.1f} ms  ({len(frame):,} rows)")

    try:
        import genai_prices
        from test_genai_prices_crosscheck import ALLOWED, SHARED
    except ImportError as e:  # pragma: no cover - dev dependency
        print(f"genai-prices not available ({e}); skipping the comparison")
        return 0
    when = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.timezone.utc)
    shared = [oid for oid in SHARED if oid in offers]
    idx = {oid: i for i, oid in enumerate(offers)}
    calls, max_err = 0, 0.0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j in range(args.workloads):
            inp = int(w["input_tokens"][j])
            cached = int(np.rint(inp * w["cached_fraction"][j]))
            usage = genai_prices.Usage(input_tokens=inp, cache_read_tokens=cached,
                                       output_tokens=int(w["output_tokens"][j]))
            for oid in shared:
                prov, ref = SHARED[oid]
                price = float(genai_prices.calc_price(usage, ref, provider_id=prov,
                                                      genai_request_timestamp=when).total_price)
                ours_one = m[idx[oid], j] / w["requests"][j]
                ctx = offers[oid].context_tokens or np.inf
                if oid not in ALLOWED and inp <= ctx:  # past the window our engine warns, genai may tier
                    max_err = max(max_err, abs(price - ours_one) / max(price, 1e-12))
                calls += 1
            if time.perf_counter() - t0 > args.genai_max_seconds:
                break
    genai_s = time.perf_counter() - t0
    genai_rate = calls / genai_s
    print(f"genai-prices calc_price loop ({len(shared)} shared offers): {calls:,} calls in {genai_s:.2f} s "
          f"-> {genai_rate:,.0f} evaluations/s")
    print(f"ratio ours / genai-prices: {ours_rate / genai_rate:,.0f}x  "
          f"(max relative difference, allow-listed offers and prompts past the context window aside: "
          f"{max_err:.1e})")
    print(f"targets: >= 100x faster: {'met' if ours_rate / genai_rate >= 100 else 'NOT met'}; "
          f"full sweep < 1 s: {'met' if best < 1 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
