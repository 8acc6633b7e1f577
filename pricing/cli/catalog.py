"""`pricing catalog --kind api|models|gpus|hosting`: list what the data holds, with sources and age."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from pricing import clock
from pricing.catalog import load_catalog
from pricing.cli import emit
from pricing.history import measured_trend, offer_points
from pricing.staleness import price_age


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verb."""
    p = sub.add_parser("catalog", help="list API offers, models, GPUs or hosting prices")
    p.add_argument("--kind", choices=["api", "models", "gpus", "hosting"], default="api")
    p.add_argument("--data-dir")
    p.add_argument("--json", action="store_true")
    p.add_argument("--history", metavar="OFFER", help="with --kind api: the offer's dated price points")
    p.set_defaults(func=run)


def records(kind: str, data_dir: str | None = None) -> list[dict[str, Any]]:
    """The catalog of one kind as plain dicts (what --json prints)."""
    cat = load_catalog(data_dir)
    today = clock.today()
    out: list[dict[str, Any]]
    if kind == "api":
        out = []
        for oid, o in cat.offers.items():
            out.append({
                "id": oid, "provider": cat.offer_provider[oid], "model": o.model,
                "open_model": o.open_model,
                "usd_per_mtok_input": o.usd_per_mtok_input,
                "usd_per_mtok_cached_input": o.usd_per_mtok_cached_input,
                "usd_per_mtok_cache_write": o.usd_per_mtok_cache_write,
                "usd_per_mtok_output": o.usd_per_mtok_output,
                "usd_per_mtok_batch_input": o.batch.usd_per_mtok_input if o.batch else None,
                "usd_per_mtok_batch_output": o.batch.usd_per_mtok_output if o.batch else None,
                "tiers": [t.model_dump() for t in o.tiers],
                "off_peak": o.off_peak.model_dump() if o.off_peak else None,
                "context_tokens": o.context_tokens, "reasoning": o.reasoning,
                "no_cache_price": o.no_cache_price, "cached_input_source": o.cached_input_source,
                "no_batch_api": o.no_batch_api, "batch_source": o.batch.source if o.batch else None,
                "checked_on": _iso(o.checked_on or o.as_of), "changed_on": _iso(o.changed_on),
                "released_on": _iso(o.released_on), "deprecated_on": _iso(o.deprecated_on),
                "retires_on": _iso(o.retires_on), "retired": o.is_retired(today), "successor": o.successor,
                "lifecycle_source": o.lifecycle_source,
                "price_effective_until": _iso(o.price_effective_until),
                "scheduled": [sp.model_dump(mode="json") for sp in o.scheduled],
                "source": o.source, "as_of": o.as_of.isoformat(),
                "age_days": price_age(o.checked_on or o.as_of, today)[0],
                "age_badge": price_age(o.checked_on or o.as_of, today)[1],
            })
        return out
    if kind == "models":
        items: Any = cat.models.values()
    elif kind == "gpus":
        items = cat.gpus.values()
    else:
        out = [{"kind": "cloud", **c.model_dump(mode="json")} for c in cat.cloud.values()]
        out += [{"kind": "owned", **o.model_dump(mode="json")} for o in cat.owned.values()]
        return out
    return [m.model_dump(mode="json") for m in items]


def _iso(d: Any) -> str | None:
    return d.isoformat() if d is not None else None


def history_record(offer_id: str, data_dir: str | None = None) -> dict[str, Any]:
    """An offer's dated price points (what --history --json prints), with the measured trend."""
    cat = load_catalog(data_dir)
    points = offer_points(cat, offer_id)
    trend = measured_trend(cat)
    o = cat.offers[offer_id]
    return {
        "offer": offer_id,
        "points": [p.model_dump(mode="json", exclude_none=True) for p in points],
        "scheduled": [sp.model_dump(mode="json") for sp in o.scheduled],
        "trend": None if trend is None else {
            "closed_per_year": trend.closed.per_year, "open_per_year": trend.open.per_year,
            "source": trend.source,
        },
    }


def run(args: argparse.Namespace) -> int:
    """Print a table or JSON."""
    if args.history:
        doc = history_record(args.history, args.data_dir)
        if args.json:
            emit(doc, True)
            return 0
        print(f"{doc['offer']}: USD per 1M tokens (input / output / cache read)")
        for p in doc["points"]:
            print(f"  since {p['since']}  {p['usd_per_mtok_input']:g} / {p['usd_per_mtok_output']:g} / "
                  f"{p.get('usd_per_mtok_cached_input', '-')}  (litellm {p.get('release') or p.get('source')})")
        for sp in doc["scheduled"]:
            print(f"  from {sp['effective_from']}  {sp['usd_per_mtok_input']:g} / {sp['usd_per_mtok_output']:g}"
                  f" (scheduled; {sp['source']})")
        return 0
    recs = records(args.kind, args.data_dir)
    if args.json:
        emit(recs, True)
        return 0
    df = pd.DataFrame(recs)
    cols = {
        "api": ["id", "usd_per_mtok_input", "usd_per_mtok_cached_input", "usd_per_mtok_output",
                "context_tokens", "checked_on", "changed_on", "retires_on"],
        "models": ["id", "params_b_total", "params_b_active", "layers", "attention", "max_context_tokens"],
        "gpus": ["id", "memory_gb", "mem_bandwidth_tbs", "bf16_tflops_dense", "fp8_tflops_dense", "tdp_w"],
        "hosting": ["kind", "id", "gpu", "gpu_count", "usd_per_hour_on_demand", "as_of"],
    }[args.kind]
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(df[[c for c in cols if c in df]].to_string(index=False) if len(df) else "(empty)")
    return 0
