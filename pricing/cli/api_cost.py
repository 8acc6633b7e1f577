"""`pricing api-cost`: the monthly bill of one workload on one API offer, with its breakdown."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from pydantic import ValidationError

from pricing import clock
from pricing.api_cost import BREAKDOWN, api_cost_frame
from pricing.catalog import load_catalog
from pricing.cli import emit
from pricing.errors import InputError
from pricing.schema import Workload


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verb."""
    p = sub.add_parser("api-cost", help="monthly cost of a workload on one API offer")
    p.add_argument("--offer", required=True, help="offer id, e.g. openai/gpt-4o")
    p.add_argument("--requests", type=float, required=True, help="requests per month")
    p.add_argument("--input-tokens", type=float, required=True, help="mean prompt tokens per request")
    p.add_argument("--output-tokens", type=float, required=True, help="mean visible output tokens")
    p.add_argument("--reasoning-tokens", type=float, default=0.0, help="mean hidden reasoning tokens")
    p.add_argument("--cached-fraction", type=float, default=0.0, help="share of input read from cache")
    p.add_argument("--cache-write-fraction", type=float, default=0.0, help="share of input written to cache")
    p.add_argument("--batch-fraction", type=float, default=0.0, help="share of requests sent via batch API")
    p.add_argument("--off-peak-fraction", type=float, default=None,
                   help="share of other requests in the offer's off-peak hours (default: from flat traffic)")
    p.add_argument("--data-dir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _workload(args: argparse.Namespace) -> Workload:
    """The CLI flags as a validated Workload; bad values become an InputError naming the flag."""
    try:
        return Workload(
            name="cli",
            requests_per_month=args.requests,
            input_tokens=args.input_tokens,
            output_tokens=args.output_tokens,
            reasoning_tokens=args.reasoning_tokens,
            cached_input_fraction=args.cached_fraction,
            cache_write_fraction=args.cache_write_fraction,
            batch_fraction=args.batch_fraction,
            off_peak_fraction=args.off_peak_fraction,
        )
    except ValidationError as e:
        flags = {"requests_per_month": "requests", "cached_input_fraction": "cached-fraction"}
        msgs = []
        for err in e.errors(include_url=False):
            name = str(err["loc"][0]) if err["loc"] else ""
            msgs.append(f"--{flags.get(name, name).replace('_', '-')}: {err['msg']}")
        raise InputError("; ".join(msgs)) from None


def result(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON document: totals, breakdown, the offer's source and as_of."""
    cat = load_catalog(args.data_dir)
    offer = cat.offer(args.offer)
    row = api_cost_frame(cat, [args.offer], [_workload(args)]).iloc[0]
    out: dict[str, Any] = {
        "offer": args.offer,
        "provider": cat.offer_provider[args.offer],
        "monthly_usd": float(row["monthly_usd"]),
        "usd_per_mtok": None if row["usd_per_mtok"] != row["usd_per_mtok"] else float(row["usd_per_mtok"]),
        "usd_per_request": float(row["monthly_usd"]) / args.requests if args.requests else None,
        "tokens_per_month": float(row["tokens_per_month"]),
    }
    out.update({k: float(row[k]) for k in BREAKDOWN})
    out.update({
        "tier_applied": bool(row["tier_applied"]),
        "batch_share": float(row["batch_share"]),
        "off_peak_share": float(row["off_peak_share"]),
        "warnings": [w for w in str(row["warnings"]).split("; ") if w] + _lifecycle(offer, clock.today()),
        "source": offer.source,
        "as_of": offer.as_of.isoformat(),
        "checked_on": (offer.checked_on or offer.as_of).isoformat(),
    })
    return out


def _lifecycle(offer: Any, today: dt.date) -> list[str]:
    """Warnings for a retired offer, one retiring, or a scheduled price change."""
    out = []
    if offer.is_retired(today):
        out.append(f"retired on {offer.retires_on}" + (f"; use {offer.successor}" if offer.successor else ""))
    elif offer.retires_on is not None:
        out.append(f"retires on {offer.retires_on}")
    for sp in offer.scheduled:
        if sp.effective_from > today:
            out.append(f"price changes on {sp.effective_from} to {sp.usd_per_mtok_input:g} / "
                       f"{sp.usd_per_mtok_output:g} USD per 1M (input / output)")
    return out


def run(args: argparse.Namespace) -> int:
    """Print the bill as text or JSON."""
    res = result(args)
    per = f"  (${res['usd_per_mtok']:.4f} per 1M tokens)" if res["usd_per_mtok"] is not None else ""
    lines = [f"{res['offer']}: ${res['monthly_usd']:,.2f} per month{per}"]
    lines += [f"  {k[4:]:<15} ${res[k]:,.2f}" for k in BREAKDOWN]
    if res["tier_applied"]:
        lines.append("  long-context tier applied")
    lines += [f"  warning: {w}" for w in res["warnings"]]
    lines.append(f"  prices: {res['source']}, as of {res['as_of']}")
    emit(res, args.json, "\n".join(lines))
    return 0
