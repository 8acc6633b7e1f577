"""`pricing throughput`: memory fit, batch, tokens/s and latency of one model on N GPUs."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from pricing import aicurves, disagg, perf
from pricing.catalog import load_catalog
from pricing.cli import emit
from pricing.errors import InputError
from pricing.schema import ENGINES, PRECISIONS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verb."""
    p = sub.add_parser("throughput", help="memory fit and throughput of a model on N GPUs")
    p.add_argument("--model", required=True, help="Hugging Face id, e.g. deepseek-ai/DeepSeek-R1")
    p.add_argument("--gpu", required=True, help="GPU id, e.g. h200")
    p.add_argument("--gpus", type=int, required=True,
                   help="total GPUs of the deployment; the planner picks tp x pp x dp (x ep) unless pinned")
    add_layout_args(p)
    add_disagg_args(p)
    p.add_argument("--precision", required=True, choices=PRECISIONS)
    p.add_argument("--kv-precision", choices=PRECISIONS, help="KV cache precision (default: fp8 for fp8/fp4 weights on fp8 GPUs, else bf16)")
    p.add_argument("--input-tokens", type=float, required=True, help="mean prompt tokens")
    p.add_argument("--output-tokens", type=float, required=True, help="mean output tokens (incl. reasoning)")
    p.add_argument("--max-ttft-ms", type=float, help="latency target: max time to first token")
    p.add_argument("--max-tpot-ms", type=float, help="latency target: max time per output token")
    p.add_argument("--data-dir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def add_layout_args(p: argparse.ArgumentParser) -> None:
    """--tp/--ep/--pp pins, --engine and --cached-input-fraction (shared by throughput and selfhost-cost)."""
    p.add_argument("--tp", type=int, help="pin tensor parallelism (GPUs per tensor-parallel group)")
    p.add_argument("--ep", type=int, help="pin expert parallelism (MoE models; 1 = experts split by tp)")
    p.add_argument("--pp", type=int, help="pin pipeline stages")
    p.add_argument("--engine", choices=ENGINES, default="default",
                   help="serving-engine profile of the calibration (default: the shared fit)")
    p.add_argument("--cached-input-fraction", type=float, default=0.0,
                   help="share of input tokens served from the prefix cache (0-1)")
    p.add_argument("--spec-tokens", type=int, default=0,
                   help="speculative decoding: draft tokens proposed per decode step by a one-layer draft head "
                        "(DeepSeek's MTP, EAGLE); 0 = off")
    p.add_argument("--spec-acceptance", type=float, default=None,
                   help="speculative decoding: chance each draft token is accepted (0-1; DeepSeek-V3 reports "
                        "85-90%% for its MTP draft)")


def add_disagg_args(p: argparse.ArgumentParser) -> None:
    """--disaggregate and its pool pins (shared by throughput and selfhost-cost)."""
    p.add_argument("--disaggregate", action="store_true",
                   help="serve as separate prefill and decode pools (prefill/decode disaggregation, as large MoE "
                        "models are served at scale); each pool's layout is searched (expert parallel with "
                        "attention DP over 1-16 nodes for MoE, tensor/pipeline parallel for dense models)")
    p.add_argument("--prefill-gpus", type=int, help="with --disaggregate: pin GPUs per prefill instance")
    p.add_argument("--decode-gpus", type=int, help="with --disaggregate: pin GPUs per decode instance")
    p.add_argument("--redundant-experts", type=float, default=0.0,
                   help="with --disaggregate: redundant expert replicas per expert-parallel instance (EPLB; "
                        f"default 0; DeepSeek's V3/R1 production system used {disagg.DEEPSEEK_REDUNDANT_EXPERTS})")


def check_disagg(args: argparse.Namespace, total_flags: tuple[str, ...] = ("tp", "ep", "pp")) -> None:
    """Clear errors: pool pins without --disaggregate, layout pins with it, negative values."""
    pins = {"prefill_gpus": args.prefill_gpus, "decode_gpus": args.decode_gpus}
    if not args.disaggregate:
        for name, v in (*pins.items(), ("redundant_experts", args.redundant_experts or None)):
            if v is not None:
                raise InputError(f"--{name.replace('_', '-')} needs --disaggregate")
        return
    for name, v in pins.items():
        if v is not None and v <= 0:
            raise InputError(f"--{name.replace('_', '-')} must be a positive number of GPUs, got {v}")
    if not args.redundant_experts >= 0:
        raise InputError(f"--redundant-experts must be 0 or more, got {args.redundant_experts}")
    for name in total_flags:
        if getattr(args, name, None) is not None:
            raise InputError(f"--{name} does not apply with --disaggregate: pin each pool's instance size "
                             "with --prefill-gpus / --decode-gpus")


def check_layout(args: argparse.Namespace) -> None:
    """Clear errors for non-positive pins and cache fractions outside 0-1."""
    for name in ("tp", "ep", "pp"):
        v = getattr(args, name, None)
        if v is not None and v <= 0:
            raise InputError(f"--{name} must be a positive number of GPUs, got {v}")
    c = getattr(args, "cached_input_fraction", 0.0)
    if not 0.0 <= c <= 1.0:
        raise InputError(f"--cached-input-fraction must be between 0 and 1, got {c}")
    k, a = getattr(args, "spec_tokens", 0), getattr(args, "spec_acceptance", None)
    if not 0 <= k <= 8:
        raise InputError(f"--spec-tokens must be between 0 and 8 draft tokens, got {k}")
    if a is not None and not 0.0 <= a <= 1.0:  # NaN fails too
        raise InputError(f"--spec-acceptance must be between 0 and 1, got {a}")
    if k > 0 and a is None:
        raise InputError("--spec-tokens needs --spec-acceptance (the chance each draft token is accepted; "
                         "measure it on your traffic, or start from the model maker's figure)")
    if k == 0 and a is not None:
        raise InputError("--spec-acceptance without --spec-tokens: set how many draft tokens are proposed per step")


def spec_params(params: perf.PerfParams, args: argparse.Namespace) -> perf.PerfParams:
    """The engine's parameters with the command line's speculative decoding."""
    k = getattr(args, "spec_tokens", 0)
    return replace(params, spec_tokens=float(k), spec_acceptance=float(getattr(args, "spec_acceptance", None) or 0.0))


def check_positive(args: argparse.Namespace, names: tuple[str, ...]) -> None:
    """InputError naming the flag when a count or target is not positive (tokens may be 0 input)."""
    for name in names:
        v = getattr(args, name, None)
        if v is None:
            continue
        flag = "--" + name.replace("_", "-")
        if v != v or v < 0 or (v == 0 and name != "input_tokens"):
            raise InputError(f"{flag} must be positive, got {v}")


def result(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON document of `pricing throughput`."""
    if args.gpus <= 0:
        raise InputError(f"--gpus must be a positive number of GPUs, got {args.gpus}")
    check_positive(args, ("input_tokens", "output_tokens", "max_ttft_ms", "max_tpot_ms"))
    check_layout(args)
    check_disagg(args)
    cat = load_catalog(args.data_dir)
    model, gpu = cat.model(args.model), cat.gpu(args.gpu)
    params = spec_params(perf.PerfParams.from_factors(cat.efficiency, args.engine), args)
    if args.disaggregate:
        return _disaggregated(args, cat, model, gpu, params)
    out = perf.throughput(model, gpu, args.gpus, args.precision, args.input_tokens, args.output_tokens,
                          params, args.max_tpot_ms, args.max_ttft_ms, args.kv_precision,
                          args.tp, args.ep, args.pp, args.cached_input_fraction, args.engine,
                          data_dir=cat.data_dir)
    out["engine"] = args.engine
    out["speculative_decoding"] = _spec(args, params)
    out["calibration"] = _calibration(cat.efficiency)
    return out


def _spec(args: argparse.Namespace, params: perf.PerfParams) -> dict[str, Any]:
    return {"draft_tokens": args.spec_tokens, "acceptance": args.spec_acceptance or 0.0,
            "tokens_per_step": perf.spec_gain(params)}


def _calibration(eff: Any) -> dict[str, Any]:
    return {
        "fitted_on": eff.fitted_on if eff else "none: uncalibrated defaults (data/calibration.yaml missing)",
        "median_abs_pct_error": eff.median_abs_pct_error if eff else None,
    }


def _disaggregated(args: argparse.Namespace, cat: Any, model: Any, gpu: Any, params: perf.PerfParams
                   ) -> dict[str, Any]:
    """`throughput --disaggregate`: the best prefill and decode pools that --gpus GPUs make, and their rates."""
    q = disagg.Request(model, gpu, args.precision, args.input_tokens, args.output_tokens, params,
                       args.max_tpot_ms, args.max_ttft_ms, args.cached_input_fraction, args.kv_precision,
                       args.redundant_experts, args.prefill_gpus, args.decode_gpus)
    plan = disagg.split_total(q, args.gpus)
    kvq = args.kv_precision or perf.default_kv_precision(args.precision, gpu)
    d = plan.as_dict(gpu)
    req = plan.capacity_requests_per_s
    out: dict[str, Any] = {
        "model": model.id, "gpu": gpu.id, "gpus": args.gpus, "precision": args.precision,
        "compute_precision": perf.compute_precision(args.precision, gpu), "kv_precision": kvq,
        "engine": args.engine, "disaggregated": True, "cached_input_fraction": args.cached_input_fraction,
        "speculative_decoding": _spec(args, params),
        "gpus_used": plan.gpus,
        "requests_per_s": req,
        "input_tokens_per_s": req * args.input_tokens,
        "output_tokens_per_s": req * args.output_tokens,
        "output_tokens_per_s_per_gpu": req * args.output_tokens / plan.gpus,
        "ttft_ms": plan.prefill.ttft_ms, "tpot_ms": plan.decode.tpot_ms,
        **{k: v for k, v in d.items() if k not in ("requests_per_s", "gpus")},  # "gpus": the total asked for
        "throughput_model": aicurves.source_label(False, cat.data_dir) + " (pricing.perf disaggregated pools)",
        "kv_bytes_per_token": perf.kv_bytes_per_token(model, kvq, args.input_tokens + args.output_tokens),
        "calibration": _calibration(cat.efficiency),
    }
    note = perf.precision_note(args.precision, gpu)
    if note:
        out["notes"] = [note, *out["notes"]]
    return out


def _disagg_text(r: dict[str, Any]) -> str:
    pre, dec = r["prefill"], r["decode"]

    def lay(x: dict[str, Any]) -> str:
        t = f"{x['instances']} x {x['gpus_per_instance']} GPUs (tp {x['layout']['tp']}, ep {x['layout']['ep']}"
        return t + (f", pp {x['layout']['pp']}" if x["layout"]["pp"] > 1 else "") + (
            ", attention DP)" if x["layout"]["attention_dp"] else ")")

    lines = [
        f"{r['model']} on {r['gpus']}x {r['gpu']}, {r['precision']} (compute {r['compute_precision']}, KV "
        f"{r['kv_precision']}), engine {r['engine']}{spec_text(r['speculative_decoding'])}, disaggregated prefill/decode; "
        f"throughput from: {r['throughput_model']}",
        f"  prefill pool: {lay(pre)}: {pre['input_tokens_per_s_per_gpu']:,.0f} input tokens/s per GPU at "
        f"{pre['utilization']:.0%} load, TTFT {pre['ttft_ms']:,.0f} ms, KV out {pre['kv_transfer_gbs_per_gpu']:.2f} GB/s "
        f"per GPU (link {pre['scale_out_gbs_per_gpu']:.0f} GB/s)",
        f"  decode pool:  {lay(dec)}: {dec['output_tokens_per_s_per_gpu']:,.0f} output tokens/s per GPU, batch "
        f"{dec['batch_per_gpu']:.0f} per GPU, TPOT {dec['tpot_ms']:.1f} ms ({dec['per_user_tokens_per_s']:.1f} tokens/s per user)",
        f"  this input/output mix needs {r['prefill_gpus_per_decode_gpu']:.2f} prefill GPUs per decode GPU; "
        f"{r['gpus_used']} GPUs serve {r['requests_per_s']:.2f} requests/s = {r['output_tokens_per_s']:,.0f} output "
        f"tokens/s ({r['output_tokens_per_s_per_gpu']:,.0f} per GPU)",
    ]
    lines += [f"  note: {n}" for n in r["notes"]]
    return "\n".join(lines)


def spec_text(s: dict[str, Any]) -> str:
    """', speculative decoding: 1 draft token/step, 85% accepted (1.85 tokens/step)' or '' when off."""
    if not s["draft_tokens"]:
        return ""
    return (f", speculative decoding: {s['draft_tokens']} draft token(s)/step, {s['acceptance']:.0%} accepted "
            f"({s['tokens_per_step']:.2f} tokens/step)")


def run(args: argparse.Namespace) -> int:
    """Print the result as text or JSON."""
    r = result(args)
    if r.get("disaggregated"):
        emit(r, args.json, _disagg_text(r))
        return 0
    mem = r["memory_gb_per_gpu"]
    lay = r["layout"]
    lines = [
        f"{r['model']} on {r['gpus']}x {r['gpu']}, {r['precision']} (compute {r['compute_precision']}, KV {r['kv_precision']}), "
        f"engine {r['engine']}{spec_text(r['speculative_decoding'])}; throughput from: {r['throughput_model']}",
        f"  layout: {lay['dp']} x (tp {lay['tp']} x pp {lay['pp']}), ep {lay['ep']}"
        f"{', attention DP' if lay['attention_dp'] else ''}, {lay['nodes']} node(s)",
        f"  fits: {'yes' if r['fits'] else 'NO'}   memory per GPU: {mem['weights']:.1f} GB weights + "
        f"{mem['kv_cache']:.1f} GB KV (capacity {mem['kv_capacity']:.1f}) + {mem['overhead']:.1f} GB overhead "
        f"of {mem['usable']:.1f} usable; GPU: {mem['total']:g} GB as the vendor states it "
        f"= {mem['total_decimal']:.1f} GB (GB here = 1e9 bytes)",
    ]
    if r["fits"]:
        lines += [
            f"  batch {r['batch']} (KV holds {r['max_batch_kv']}), bound: {r['bound']}",
            f"  {r['output_tokens_per_s']:,.0f} output tokens/s, {r['requests_per_s']:.2f} requests/s, "
            f"{r['per_user_tokens_per_s']:.1f} tokens/s per user",
            f"  TTFT {r['ttft_ms']:,.0f} ms, TPOT {r['tpot_ms']:.1f} ms",
        ]
    lines += [f"  note: {n}" for n in r["notes"]]
    cal = r["calibration"]
    err = f" (median error {cal['median_abs_pct_error']:.0%})" if cal["median_abs_pct_error"] is not None else ""
    lines.append(f"  efficiency factors{err}: {cal['fitted_on'][:100]}")
    emit(r, args.json, "\n".join(lines))
    return 0
