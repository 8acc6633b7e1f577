"""`pricing catalog --kind api|models|gpus|hosting`: list what the data holds, with sources and age."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from pricing import clock
from pricing.catalog import load_catalog
from pricing.cli import emit


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verb."""
    p = sub.add_parser("catalog", help="list API offers, models, GPUs or hosting prices")
    p.add_argument("--kind", choices=["api", "models", "gpus", "hosting"], default="api")
    p.add_argument("--data-dir")
    p.add_argument("--json", action="store_true")
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
                "source": o.source, "as_of": o.as_of.isoformat(), "age_days": (today - o.as_of).days,
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


def run(args: argparse.Namespace) -> int:
    """Print a table or JSON."""
    recs = records(args.kind, args.data_dir)
    if args.json:
        emit(recs, True)
        return 0
    df = pd.DataFrame(recs)
    cols = {
        "api": ["id", "usd_per_mtok_input", "usd_per_mtok_cached_input", "usd_per_mtok_output",
                "context_tokens", "as_of"],
        "models": ["id", "params_b_total", "params_b_active", "layers", "attention", "max_context_tokens"],
        "gpus": ["id", "memory_gb", "mem_bandwidth_tbs", "bf16_tflops_dense", "fp8_tflops_dense", "tdp_w"],
        "hosting": ["kind", "id", "gpu", "gpu_count", "usd_per_hour_on_demand", "as_of"],
    }[args.kind]
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(df[[c for c in cols if c in df]].to_string(index=False) if len(df) else "(empty)")
    return 0
