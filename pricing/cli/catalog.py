"""`pricing catalog --kind api|models|gpus|hosting`: list what the data holds, with sources and age."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from pricing import clock, gpu_price
from pricing.catalog import Catalog, load_catalog
from pricing.cli import emit
from pricing.history import measured_trend, offer_points
from pricing.staleness import price_age

TIERS = (("on_demand", "usd_per_gpu_hour_on_demand"), ("spot", "usd_per_gpu_hour_spot"),
         ("reserved", "usd_per_gpu_hour_1y"), ("reserved_3y", "usd_per_gpu_hour_3y"))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verb."""
    p = sub.add_parser("catalog", help="list API offers, models, GPUs or hosting prices")
    p.add_argument("--kind", choices=["api", "models", "gpus", "hosting"], default="api")
    p.add_argument("--data-dir")
    p.add_argument("--json", action="store_true")
    p.add_argument("--policy", help="GPU price policy for --kind gpus (default: market-median; "
                   "also cheapest-reputable, hyperscaler, market-median-all, provider:<id>)")
    p.add_argument("--history", metavar="OFFER", help="with --kind api: the offer's dated price points")
    p.set_defaults(func=run)


def _num(x: float) -> float | None:
    return round(x, 6) if x == x else None


def hosting_records(cat: Catalog, today: Any) -> list[dict[str, Any]]:
    """One dict per cloud offer: provider, GPU, GPUs per instance, single-GPU rentable, per-GPU-hour tiers, age."""
    out = []
    for c in cat.cloud.values():
        rec: dict[str, Any] = {
            "kind": "cloud", "id": c.id, "provider": c.provider, "provider_kind": c.provider_kind,
            "gpu": c.gpu, "instance_type": c.instance_type, "gpus_per_instance": c.gpu_count,
            "min_gpus": c.min_gpus, "rent_unit_gpus": c.rent_unit, "single_gpu_rentable": c.single_gpu_rentable,
            "region": c.region,
        }
        for tier, key in TIERS:
            v = gpu_price.per_gpu_hour(c, tier)
            rec[key] = round(v, 6) if v is not None else None
        rec.update({
            "usd_per_hour_on_demand": c.usd_per_hour_on_demand, "usd_per_hour_spot": c.usd_per_hour_spot,
            "usd_per_hour_reserved": c.usd_per_hour_reserved, "usd_per_hour_reserved_3y": c.usd_per_hour_reserved_3y,
            "source": c.source, "via": c.via, "notes": c.notes, "as_of": c.as_of.isoformat(),
            "age_days": (today - c.as_of).days, "stale": gpu_price.is_stale(c.as_of, today),
        })
        out.append(rec)
    out += [{"kind": "owned", **o.model_dump(mode="json")} for o in cat.owned.values()]
    return out


def gpu_records(cat: Catalog, today: Any, policy: str | None = None) -> list[dict[str, Any]]:
    """Each GPU's datasheet plus its default hourly price (1- and 8-GPU replicas) and the policy that chose it."""
    pol = gpu_price.check_policy(policy, (o.provider for o in cat.cloud.values()))
    out = []
    for g in cat.gpus.values():
        q1 = gpu_price.quote(cat.cloud.values(), g.id, today, policy=pol, gpus_per_replica=1)
        q8 = gpu_price.quote(cat.cloud.values(), g.id, today, policy=pol, gpus_per_replica=8)
        p10, p50, p90, n = gpu_price.market_spread(cat.cloud.values(), g.id, today)
        out.append({
            **g.model_dump(mode="json"),
            "price_policy": pol, "price_policy_label": gpu_price.policy_label(pol),
            "default_usd_per_gpu_hour": _num(q1.usd_per_gpu_hour),
            "default_price_basis": q1.describe(), "default_price_as_of": q1.as_of.isoformat() if q1.as_of else None,
            "default_price_stale": q1.stale,
            "default_usd_per_gpu_hour_8gpu_replica": _num(q8.usd_per_gpu_hour),
            "default_price_basis_8gpu_replica": q8.describe(),
            "market_providers": n, "market_p10_usd_per_gpu_hour": _num(p10),
            "market_median_usd_per_gpu_hour": _num(p50), "market_p90_usd_per_gpu_hour": _num(p90),
        })
    return out


def records(kind: str, data_dir: str | None = None, policy: str | None = None) -> list[dict[str, Any]]:
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
                "cache_read": o.cache_read_status(),
                "no_batch_api": o.no_batch_api, "batch_source": o.batch.source if o.batch else None,
                "batch": o.batch_status(),
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
    if kind == "gpus":
        return gpu_records(cat, today, policy)
    if kind == "hosting":
        return hosting_records(cat, today)
    return [m.model_dump(mode="json") for m in cat.models.values()]


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
    recs = records(args.kind, args.data_dir, args.policy)
    if args.json:
        emit(recs, True)
        return 0
    df = pd.DataFrame(recs)
    cols = {
        "api": ["id", "usd_per_mtok_input", "usd_per_mtok_cached_input", "usd_per_mtok_output",
                "context_tokens", "checked_on", "changed_on", "retires_on"],
        "models": ["id", "params_b_total", "params_b_active", "layers", "attention", "max_context_tokens"],
        "gpus": ["id", "memory_gb", "mem_bandwidth_tbs", "bf16_tflops_dense", "tdp_w", "default_usd_per_gpu_hour",
                 "default_usd_per_gpu_hour_8gpu_replica", "market_providers", "price_policy"],
        "hosting": ["id", "gpu", "gpus_per_instance", "single_gpu_rentable", "usd_per_gpu_hour_on_demand",
                    "usd_per_gpu_hour_spot", "usd_per_gpu_hour_1y", "as_of", "stale"],
    }[args.kind]
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(df[[c for c in cols if c in df]].to_string(index=False) if len(df) else "(empty)")
    return 0
