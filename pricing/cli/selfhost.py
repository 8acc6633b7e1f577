"""`pricing selfhost-cost`: replicas, GPUs and the monthly bill of a workload on a self-hosted model."""

from __future__ import annotations

import argparse
from typing import Any

from pydantic import ValidationError

from pricing import gpu_price, selfhost
from pricing.catalog import load_catalog
from pricing.cli import emit
from pricing.cli.throughput import (
    add_disagg_args,
    add_layout_args,
    check_disagg,
    check_layout,
    check_positive,
    spec_text,
)
from pricing.errors import InputError
from pricing.schema import PRECISIONS, Overrides, SelfHostSpec, Workload

BREAKDOWN = ("usd_gpu_rent", "usd_capex", "usd_power", "usd_colocation", "usd_ops")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verb."""
    p = sub.add_parser("selfhost-cost", help="monthly cost of a workload on self-hosted GPUs")
    p.add_argument("--model", required=True, help="Hugging Face id")
    p.add_argument("--gpu", required=True, help="GPU id")
    p.add_argument("--precision", required=True, choices=PRECISIONS)
    p.add_argument("--hosting", help="cloud offer id from hosting.yaml, or 'owned' (default: the GPU price policy)")
    p.add_argument("--gpus", type=int,
                   help="GPUs of one deployment block (the planner lays it out; blocks are added with volume)")
    add_layout_args(p)
    add_disagg_args(p)
    p.add_argument("--requests", type=float, required=True, help="requests per month")
    p.add_argument("--input-tokens", type=float, required=True)
    p.add_argument("--output-tokens", type=float, required=True)
    p.add_argument("--reasoning-tokens", type=float, default=0.0)
    p.add_argument("--batch-fraction", type=float, default=0.0, help="share that may run off-peak")
    p.add_argument("--peak-to-average", type=float, default=1.0)
    p.add_argument("--max-ttft-ms", type=float)
    p.add_argument("--max-tpot-ms", type=float)
    p.add_argument("--price-type", choices=["on_demand", "spot", "reserved", "reserved_3y"], default="on_demand",
                   help="price tier: on-demand, spot, 1-year (reserved) or 3-year commitment")
    p.add_argument("--gpu-price-policy", help="market-median (default), cheapest-reputable, hyperscaler, "
                   "market-median-all or provider:<id>")
    p.add_argument("--headroom", type=float, default=0.0, help="spare capacity kept at peak (0-0.9)")
    p.add_argument("--n-plus-one", action="store_true", help="one spare replica")
    p.add_argument("--autoscale", action="store_true", help="cloud: follow the load instead of always-on")
    p.add_argument("--gpu-usd-per-hour", type=float, help="your own price per GPU-hour")
    p.add_argument("--gpu-purchase-usd", type=float, help="your own purchase price per GPU (owned)")
    p.add_argument("--usd-per-kwh", type=float, help="owned: electricity price")
    p.add_argument("--amortization-years", type=float, help="owned: years to write the hardware off")
    p.add_argument("--data-dir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _inputs(args: argparse.Namespace) -> tuple[SelfHostSpec, Workload, Overrides]:
    if args.gpus is not None and args.gpus <= 0:
        raise InputError(f"--gpus must be a positive number of GPUs, got {args.gpus}")
    check_positive(args, ("output_tokens", "max_ttft_ms", "max_tpot_ms"))
    check_layout(args)
    check_disagg(args, ("gpus", "tp", "ep", "pp"))
    try:
        spec = SelfHostSpec(model=args.model, gpu=args.gpu, precision=args.precision, hosting=args.hosting,
                            gpus=args.gpus, price_type=args.price_type, n_plus_one=args.n_plus_one,
                            autoscale=args.autoscale, engine=args.engine, tp=args.tp, ep=args.ep, pp=args.pp,
                            spec_tokens=args.spec_tokens, spec_acceptance=args.spec_acceptance or 0.0)
        w = Workload(name="cli", requests_per_month=args.requests, input_tokens=args.input_tokens,
                     output_tokens=args.output_tokens, reasoning_tokens=args.reasoning_tokens,
                     batch_fraction=args.batch_fraction, peak_to_average=args.peak_to_average,
                     max_ttft_ms=args.max_ttft_ms, max_tpot_ms=args.max_tpot_ms,
                     cached_input_fraction=args.cached_input_fraction)
        ov = Overrides(
            headroom_fraction=args.headroom,
            gpu_usd_per_hour={args.gpu: args.gpu_usd_per_hour} if args.gpu_usd_per_hour else {},
            gpu_purchase_usd={args.gpu: args.gpu_purchase_usd} if args.gpu_purchase_usd else {},
            usd_per_kwh=args.usd_per_kwh, amortization_years=args.amortization_years,
            gpu_price_policy=args.gpu_price_policy,
        )
    except ValidationError as e:
        names = {"requests_per_month": "requests", "headroom_fraction": "headroom"}
        msgs = []
        for err in e.errors(include_url=False):
            name = str(err["loc"][0]) if err["loc"] else ""
            msgs.append(f"--{names.get(name, name).replace('_', '-')}: {err['msg']}")
        raise InputError("; ".join(msgs)) from None
    return spec, w, ov


def result(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON document of `pricing selfhost-cost`."""
    spec, w, ov = _inputs(args)
    cat = load_catalog(args.data_dir)
    cat.model(spec.model)
    cat.gpu(spec.gpu)
    if spec.hosting not in (None, "owned"):
        cat.cloud_offer(spec.hosting)
    gpu_price.check_policy(ov.gpu_price_policy, (o.provider for o in cat.cloud.values()))
    if args.disaggregate:
        return selfhost.disaggregated_cost(cat, spec, w, ov, prefill_gpus=args.prefill_gpus,
                                           decode_gpus=args.decode_gpus, redundant_experts=args.redundant_experts)
    row = selfhost.selfhost_frame(cat, [spec], [w], ov).iloc[0]
    out = selfhost.summary(row)
    out["layout"] = selfhost.layout_dict(str(row["layout"]))
    out["breakdown"] = {k: out[k] for k in BREAKDOWN}
    out["warnings"] = [x for x in str(row["warnings"]).split("; ") if x]
    return out


def _disagg_text(r: dict[str, Any]) -> str:
    text = (f"{r['label']}: " + (f"${r['monthly_usd']:,.2f} per month (${r['usd_per_mtok']:.4f} per 1M tokens)"
                                 if r["monthly_usd"] is not None else "no price") +
            f"\n  sized for {r['sized_requests_per_s']:.2f} requests/s at peak, engine {r['engine']}"
            f"{spec_text(r['speculative_decoding'])}")
    for role in ("prefill", "decode"):
        x = r[role]
        lay = x["layout"]
        rate = (f"{x['input_tokens_per_s_per_gpu']:,.0f} input tokens/s per GPU at {x['utilization']:.0%} load, "
                f"TTFT {x['ttft_ms']:,.0f} ms" if role == "prefill" else
                f"{x['output_tokens_per_s_per_gpu']:,.0f} output tokens/s per GPU, batch {x['batch_per_gpu']:.0f} "
                f"per GPU, TPOT {x['tpot_ms']:.1f} ms")
        cost = f", ${x['monthly_usd']:,.2f}" if x["monthly_usd"] is not None else ""
        text += (f"\n  {role + ':':<8} {x['instances']} x {x['gpus_per_instance']} GPUs = {x['gpus']} (tp {lay['tp']} "
                 f"ep {lay['ep']} pp {lay['pp']}{', attention DP' if lay['attention_dp'] else ''}){cost}: {rate}")
    text += f"\n  total {r['gpus']} GPUs; {r['prefill_gpus_per_decode_gpu']:.2f} prefill GPUs per decode GPU for this mix"
    text += "".join(f"\n  {k[4:]:<12} ${v:,.2f}" for k, v in r["breakdown"].items() if v)
    return text


def run(args: argparse.Namespace) -> int:
    """Print the bill as text or JSON."""
    r = result(args)
    if r.get("disaggregated"):
        text = _disagg_text(r)
    elif r["monthly_usd"] is None:
        text = f"{r['label']}: cannot serve this workload"
    else:
        text = (f"{r['label']}: ${r['monthly_usd']:,.2f} per month (${r['usd_per_mtok']:.4f} per 1M tokens)\n"
                f"  {r['replicas']:.0f} unit(s) x {r['gpus_per_replica']:.0f} GPUs = {r['gpus']:.0f} GPUs "
                f"(layout {r['layout'] and ' '.join(f'{k} {v}' for k, v in r['layout'].items())}, engine {r['engine']}), "
                f"utilisation {r['utilization']:.0%}, bound: {r['bound']}\n"
                f"  TTFT {r['ttft_ms']:,.0f} ms, TPOT {r['tpot_ms']:.1f} ms, "
                f"{r['output_tokens_per_s_per_replica']:,.0f} output tokens/s per replica")
        text += "".join(f"\n  {k[4:]:<12} ${v:,.2f}" for k, v in r["breakdown"].items() if v)
    text += "".join(f"\n  warning: {x}" for x in r["warnings"])
    text += f"\n  price: {r['price_source'][:160]}" + (f", as of {r['price_as_of']}" if r["price_as_of"] else "")
    emit(r, args.json, text)
    return 0
