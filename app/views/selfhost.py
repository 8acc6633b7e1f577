"""Self-hosting detail: the throughput vs per-user speed curve, memory, efficiency assumptions, rented vs owned."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import ui
from pricing import aicurves, charts, clock, gpu_price, perf, selfhost
from pricing import compare as cmp
from pricing.errors import PricingError
from pricing.schema import ENGINES, PRECISIONS, Overrides, SelfHostChoice, SelfHostSpec, Workload

ss = st.session_state
# The model's efficiency factors as people read them, with units (ids stay in the table's last column).
FACTOR_NAMES = {
    "bandwidth_efficiency": "Memory bandwidth reached (share of peak)",
    "decode_compute_efficiency": "Decode compute reached (share of peak)",
    "prefill_compute_efficiency": "Prefill compute reached (share of peak)",
    "step_overhead_ms": "Overhead per decode step (ms)",
    "interconnect_efficiency": "GPU-to-GPU bandwidth reached (share of peak)",
    "usable_memory_fraction": "Usable GPU memory (share)",
    "runtime_overhead_gb": "Runtime memory overhead (GB per GPU)",
    "moe_efficiency": "Mixture-of-experts efficiency (share)",
    "allreduce_latency_us": "All-reduce latency (µs)",
    "max_batch": "Largest batch (sequences)",
    "useful_sequences": "Full-context sequences a replica must hold",
    "fp4_efficiency": "fp4 matrix-multiply efficiency (relative to fp8)",
    "kv_bandwidth_efficiency": "KV-cache read bandwidth reached (share of peak)",
    "kv_free_memory_fraction": "KV cache: share of free memory (0 = whole-GPU rule)",
    "a2a_overlap": "Expert all-to-all hidden by overlap (share)",
    "ep_imbalance": "Expert routing skew (0 = balanced)",
    "prefill_chunk_tokens": "Chunked-prefill budget (tokens per step)",
    "planned_utilization": "Load at which TTFT queueing is evaluated (share)",
    "prefix_cache_reserve": "KV memory kept for cached prefixes (share)",
}
cat = ui.catalog()
BATCHES = np.unique(np.round(np.logspace(0, np.log10(1024), 40))).astype(float)


def _cheapest_block(model_id: str, gpu_id: str, precision: str, w: Workload, ov: Overrides, engine: str,
                    spec_k: int, spec_a: float) -> int | None:
    """GPUs per replica of the rented route as Compare prices it (the planner's cheapest block), if any."""
    spec = SelfHostSpec(model=model_id, gpu=gpu_id, precision=precision,  # type: ignore[arg-type]
                        engine=engine, spec_tokens=spec_k, spec_acceptance=spec_a)
    try:
        row = selfhost.selfhost_frame(cat, [spec], [w], ov)
    except PricingError:
        return None
    got = pd.to_numeric(row.get("gpus_per_replica"), errors="coerce") if len(row) else pd.Series(dtype=float)
    return int(got.iloc[0]) if len(got) and got.iloc[0] == got.iloc[0] and got.iloc[0] > 0 else None


@st.cache_data(show_spinner=False, max_entries=32)
def _detail(model_id: str, gpu_id: str, precision: str, gpus: int, workload_json: str,
            overrides_json: str, engine: str = "default", spec_k: int = 0, spec_a: float = 0.0
            ) -> tuple[dict[str, object], pd.DataFrame, pd.DataFrame]:
    """perf.throughput at the workload's latency target, the batch sweep, and rented vs owned cost."""
    w = Workload.model_validate_json(workload_json)
    ov = Overrides.model_validate_json(overrides_json)
    model, gpu = cat.model(model_id), cat.gpu(gpu_id)
    spec_a = spec_a if spec_k else 0.0
    params = replace(perf.PerfParams.from_factors(cat.efficiency, engine).scaled(ov.efficiency_scale),
                     spec_tokens=float(spec_k), spec_acceptance=spec_a)
    n = gpus or _cheapest_block(model_id, gpu_id, precision, w, ov, engine, spec_k, spec_a) or perf.min_gpus(
        model, gpu, precision, w.input_tokens, w.output_tokens + w.reasoning_tokens, params)
    if n is None:
        return {"fits": False, "gpus": 0}, pd.DataFrame(), pd.DataFrame()
    out_tokens = w.output_tokens + w.reasoning_tokens
    info = perf.throughput(model, gpu, n, precision, w.input_tokens, out_tokens, params,
                           max_tpot_ms=w.effective_max_tpot_ms, max_ttft_ms=w.max_ttft_ms, engine=engine,
                           efficiency_scale=ov.efficiency_scale)
    kvq = perf.default_kv_precision(precision, gpu)
    # the sweep runs the layout the sizing chose (dp instances of tp x pp GPUs), so the curve passes the star
    lay_d: dict[str, Any] = info.get("layout") or {}  # type: ignore[assignment]
    lay = perf.Layout(tp=int(lay_d.get("tp", n)), pp=int(lay_d.get("pp", 1)), ep=int(lay_d.get("ep", 1)),
                      attention_dp=bool(lay_d.get("attention_dp", False)))
    dp = float(lay_d.get("dp", 1))
    r = perf.rows([(model, gpu, precision, lay.instance_gpus)] * len(BATCHES), params, [kvq] * len(BATCHES),
                  [lay] * len(BATCHES))
    res = perf.evaluate(r, w.input_tokens, out_tokens, params, max_batch=BATCHES)
    sweep = pd.DataFrame({"batch": res["batch"] * dp, "per_user_tokens_per_s": res["per_user_tokens_per_s"],
                          "output_tokens_per_s": res["output_tokens_per_s"] * dp, "ttft_ms": res["ttft_ms"],
                          "tpot_ms": res["tpot_ms"]}).drop_duplicates("batch")
    specs = [SelfHostSpec(model=model_id, gpu=gpu_id, precision=precision, gpus=n,  # type: ignore[arg-type]
                          engine=engine, spec_tokens=spec_k, spec_acceptance=spec_a),
             SelfHostSpec(model=model_id, gpu=gpu_id, precision=precision, gpus=n,  # type: ignore[arg-type]
                          hosting="owned", engine=engine, spec_tokens=spec_k, spec_acceptance=spec_a)]
    try:
        costs = selfhost.selfhost_frame(cat, specs, [w], ov)
    except PricingError:
        costs = pd.DataFrame()
    return info, sweep, costs


@st.cache_data(show_spinner=False, max_entries=32)
def _pools(model_id: str, gpu_id: str, precision: str, workload_json: str, overrides_json: str,
           engine: str = "default", spec_k: int = 0, spec_a: float = 0.0, redundant: int = 0
           ) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    """selfhost_frame of the planner's best aggregated deployment and of prefill/decode pools (rented, the
    price policy), and disaggregated_cost's pools (None when no pool can serve: the frame's row says why)."""
    w = Workload.model_validate_json(workload_json)
    ov = Overrides.model_validate_json(overrides_json)
    spec = SelfHostSpec(model=model_id, gpu=gpu_id, precision=precision,  # type: ignore[arg-type]
                        engine=engine, spec_tokens=spec_k, spec_acceptance=spec_a if spec_k else 0.0)
    dis = spec.model_copy(update={"disaggregate": True, "redundant_experts": redundant})
    frame = selfhost.selfhost_frame(cat, [spec, dis], [w], ov)
    pools = selfhost.disaggregated_cost(cat, dis, w, ov) if bool(frame["fits"].iloc[1]) else None
    return frame, pools


def _num(v: Any, fmt: str = "{:,.0f}", unit: str = "") -> str:
    """A table cell: the number formatted with its unit, '' when there is none."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return ""
    return (fmt.format(x) + unit) if np.isfinite(x) else ""


def _pools_table(frame: pd.DataFrame, d: dict[str, Any], rate: float) -> pd.DataFrame:
    """Both pools, their sum and the aggregated deployment, every figure from pricing (formatted here)."""
    agg = frame.iloc[0]
    lay = selfhost.layout_dict(str(agg["layout"]))
    agg_lay = selfhost.pool_text(perf.Layout(lay["tp"], lay["pp"], lay["ep"])) if lay else ""
    rows = []
    for role, x in (("Prefill pool", d["prefill"]), ("Decode pool", d["decode"])):
        pre = role.startswith("Prefill")
        rows.append({
            "Deployment": role,
            "Layout": selfhost.pool_text(perf.Layout(x["layout"]["tp"], x["layout"]["pp"], x["layout"]["ep"])),
            "Instances": _num(x["instances"]), "GPUs per instance": _num(x["gpus_per_instance"]),
            "GPUs": _num(x["gpus"]),
            "Tokens/s per GPU": _num(x["input_tokens_per_s_per_gpu"], unit=" in") if pre
            else _num(x["output_tokens_per_s_per_gpu"], unit=" out"),
            "Batch": _num(x["prompts_per_step"], "{:,.1f}", " prompts") if pre
            else _num(x["batch_per_instance"], unit=" seqs"),
            "TPOT (ms)": "" if pre else _num(x["tpot_ms"], "{:,.1f}"),
            "TTFT (ms)": _num(x["ttft_ms"]) if pre else "",
            "Monthly": _num(x["monthly_usd"] * rate if x["monthly_usd"] is not None else None, "{:,.0f}"),
        })
    rows.append({"Deployment": "Both pools", "Layout": "", "Instances": _num(d["prefill"]["instances"]
                                                                             + d["decode"]["instances"]),
                 "GPUs per instance": "", "GPUs": _num(d["gpus"]), "Tokens/s per GPU": "", "Batch": "",
                 "TPOT (ms)": _num(d["tpot_ms"], "{:,.1f}"), "TTFT (ms)": _num(d["ttft_ms"]),
                 "Monthly": _num(d["monthly_usd"] * rate if d["monthly_usd"] is not None else None)})
    per_gpu = float(agg["output_tokens_per_s_per_replica"]) / float(agg["gpus_per_replica"])
    rows.append({"Deployment": "Aggregated (best layout)", "Layout": agg_lay, "Instances": _num(agg["replicas"]),
                 "GPUs per instance": _num(agg["gpus_per_replica"]), "GPUs": _num(agg["gpus"]),
                 "Tokens/s per GPU": _num(per_gpu, unit=" out"), "Batch": "",
                 "TPOT (ms)": _num(agg["tpot_ms"], "{:,.1f}"), "TTFT (ms)": _num(agg["ttft_ms"]),
                 "Monthly": _num(float(agg["monthly_usd"]) * rate)})
    return pd.DataFrame(rows)


st.title("Self-hosting detail")
st.caption("One model on one GPU type: how fast it serves, what fills the memory, which efficiency "
           "factors the model assumes (and where they come from), and what renting or owning costs.")
scn, _run, results = ui.results_or_stop()
names = [w.name for w in scn.workloads]
focus = ss.get("focus") if ss.get("focus") in names else names[0]
w = next(x for x in scn.workloads if x.name == focus)
# The self-hosted candidates chosen on Compare (or its defaults), cheapest first for this workload.
cost = dict(zip(results.loc[results["workload"] == focus, "route_id"],
                results.loc[results["workload"] == focus, "monthly_usd"], strict=True))
specs = [o.selfhost for o in _run.options if isinstance(o, SelfHostChoice)]


def _cost_of(sp: SelfHostSpec) -> float:
    prefix = f"self/{sp.model}/{sp.gpu}/{sp.precision}/"
    got = [float(v) for k, v in cost.items() if str(k).startswith(prefix) and v == v]
    return min(got, default=float("inf"))


specs.sort(key=_cost_of)
cands: dict[str, tuple[str, str, str, int]] = {}
for sp in specs:
    if sp.model in cat.models and sp.gpu in cat.gpus:
        cands.setdefault(f"{sp.model} on {cat.gpus[sp.gpu].name}, {sp.precision}"
                         + (f", {sp.gpus} GPUs" if sp.gpus else ""), (sp.model, sp.gpu, sp.precision, sp.gpus or 0))
pick_opts = ["", *cands, "other"]
if ss.get("sd_pick") not in pick_opts:
    ss["sd_pick"] = ""
first = next(iter(cands), None)
st.selectbox("Deployment", pick_opts, key="sd_pick",
             format_func=lambda k: (f"cheapest self-hosted candidate on Compare: {first}" if first else
                                    "no self-hosted candidate on Compare: choose below") if k == ""
             else ("another model or GPU (choose below)" if k == "other" else k),
             help="The self-hosted routes compared on the Compare page, cheapest first; 'other' to explore.")
chosen = cands.get(ss["sd_pick"]) or (cands.get(first) if ss["sd_pick"] == "" and first else None)
# "another model or GPU" starts from data, never from a list that ages: the cheapest candidate on
# Compare, else the seed makers' newest open model and the GPU most clouds rent
if ss.get("sd_model") not in cat.models:
    ss["sd_model"] = cands[first][0] if first else cmp.default_open_model(cat, clock.today())
if ss.get("sd_gpu") not in cat.gpus:
    ss["sd_gpu"] = cands[first][1] if first else cmp.most_rented_gpu(cat)
if chosen is None:
    c = st.columns([3, 2, 1, 1])
    c[0].selectbox("Open model", sorted(cat.models), key="sd_model")
    c[1].selectbox("GPU", sorted(cat.gpus), key="sd_gpu", format_func=lambda g: f"{cat.gpus[g].name} ({g})")
    c[2].selectbox("Precision", PRECISIONS, key="sd_prec")
    c[3].number_input("GPUs per replica (0 = Compare's choice)", key="sd_gpus", min_value=0, max_value=64, step=1)
    model_id, gpu_id, prec, n_gpus = ss["sd_model"], ss["sd_gpu"], ss["sd_prec"], int(ss["sd_gpus"])
else:
    model_id, gpu_id, prec, n_gpus = chosen[0], chosen[1], chosen[2], 0
st.caption(f"Workload: **{w.name}**, {w.input_tokens:,.0f} input and {w.output_tokens + w.reasoning_tokens:,.0f} "
           f"output tokens per request; latency target: time to first token ≤ "
           + (f"{w.max_ttft_ms:,.0f} ms" if w.max_ttft_ms else "no limit")
           + f", ≥ {w.min_output_tokens_per_s or 0:g} tokens/s per user.")

ec = st.columns([2, 1, 1])
ec[0].selectbox("Serving engine", ENGINES, key="sd_engine",
                help="The engine's calibrated profile; for TensorRT-LLM, vLLM and SGLang, NVIDIA aiconfigurator-core's "
                     "curves where they were measured closer to published results than the calibrated model.")
ec[1].number_input("Draft tokens per step", key="sd_spec_k", min_value=0, max_value=8, step=1,
                   help="Speculative decoding; 0 = off. A one-layer draft head (DeepSeek's MTP, EAGLE) proposes this many tokens each step; "
                        "the model verifies them in the same pass. Not in the calibration: the draft's cost is modelled "
                        "as one decoder layer per draft token.")
ec[2].slider("Draft acceptance", min_value=0.0, max_value=1.0, step=0.05, key="sd_spec_a",
             format="percent", disabled=not ss["sd_spec_k"],
             help="Speculative decoding: the chance each draft token is accepted. Measure it on your own traffic; DeepSeek-V3 reports 85-90% for one MTP draft "
                  "(arXiv:2412.19437, 5.4.3).")
spec_k = int(ss["sd_spec_k"])
spec_a = float(ss["sd_spec_a"]) if spec_k else 0.0
try:
    info, sweep, costs = _detail(model_id, gpu_id, prec, n_gpus,
                                 w.model_dump_json(), scn.overrides.model_dump_json(), ss["sd_engine"], spec_k, spec_a)
except PricingError as e:
    ui.show_error(e)
    st.stop()
if not info.get("fits") and not info.get("gpus"):
    st.error(f"{model_id} at {prec} does not fit on any replica of up to 64 {gpu_id}.")
    st.stop()
for note in info.get("notes", []):  # type: ignore[union-attr]
    st.warning(str(note))
target_tps = w.min_output_tokens_per_s or 0.0
sweep_best = float(sweep["per_user_tokens_per_s"].max()) if len(sweep) else float("nan")
sized_tps = float(info.get("per_user_tokens_per_s") or 0.0)  # type: ignore[arg-type]
if target_tps and sized_tps >= 0.99 * target_tps > sweep_best:  # the sweep and the sizing disagree: say so
    st.warning(f"The batch sweep drawn below never reaches the {target_tps:g} tokens/s per user target "
               f"(at best {sweep_best:.1f}, at batch 1) with the {ss['sd_engine']} profile, while the sizing "
               f"reports {sized_tps:.1f}: "
               "treat the GPU count and cost here with care, or lower the target under 'Latency target and more'.")

src = str(info.get("throughput_model", aicurves.CALIBRATED))
gain = perf.spec_gain(perf.PerfParams(spec_tokens=spec_k, spec_acceptance=spec_a))
st.caption(f"Throughput and latency from: **{src}**"
           + (" curves (measured closer to published results than the calibrated model here)"
              if src != aicurves.CALIBRATED else " model (efficiency factors fitted on published measurements)")
           + (f"; speculative decoding: {spec_k} draft token{'s' if spec_k > 1 else ''} per step, {spec_a:.0%} accepted, "
              f"{gain:.2f} tokens per sequence per step (your assumption, not calibrated)" if spec_k else ""))
m = st.columns(5)
m[0].metric("GPUs per replica", f"{info['gpus']}")
m[1].metric("Batch at the target", f"{info['batch']}")
m[2].metric("Output tokens/s per replica", f"{float(info['output_tokens_per_s']):,.0f}")  # type: ignore[arg-type]
m[3].metric("Tokens/s per user", f"{float(info['per_user_tokens_per_s']):,.1f}")  # type: ignore[arg-type]
m[4].metric("Time to first token", f"{float(info['ttft_ms']):,.0f} ms")  # type: ignore[arg-type]

left, right = st.columns(2)
with left:
    st.subheader("Throughput vs per-user speed")
    fig = go.Figure()
    fig.add_scatter(x=sweep["per_user_tokens_per_s"], y=sweep["output_tokens_per_s"], mode="lines+markers",
                    text=[f"batch {b:.0f}" for b in sweep["batch"]],
                    name="batch sweep" + (" (calibrated model)" if src != aicurves.CALIBRATED else ""),
                    hovertemplate="%{text}<br>%{x:.1f} tok/s per user<br>%{y:,.0f} tok/s per replica")
    fig.add_scatter(x=[info["per_user_tokens_per_s"]], y=[info["output_tokens_per_s"]], mode="markers",
                    marker={"size": 14, "symbol": "star"}, name="at the latency target")
    if w.min_output_tokens_per_s:
        fig.add_vline(x=w.min_output_tokens_per_s, line_dash="dot", annotation_text="target")
    fig.update_layout(xaxis_title="output tokens/s per user", yaxis_title="output tokens/s per replica",
                      height=400, margin={"l": 10, "r": 10, "t": 40}, legend={"orientation": "h", "y": 1.12})
    st.plotly_chart(fig, width="stretch", key="tradeoff_chart")
with right:
    st.subheader("Memory per GPU (decimal GB, 1e9 bytes)")
    mem = info["memory_gb_per_gpu"]
    assert isinstance(mem, dict)
    parts = {"weights": mem["weights"], "KV cache in use": mem["kv_cache"], "runtime overhead": mem["overhead"],
             "free KV capacity": max(mem["kv_capacity"] - mem["kv_cache"], 0.0)}
    fm = go.Figure()
    for k, v in parts.items():
        fm.add_bar(x=[v], y=["per GPU"], name=k, orientation="h", marker={"color": charts.MEMORY_COLOURS[k]},
                   hovertemplate=f"{k}: %{{x:.1f}} GB<extra></extra>")
    fm.add_vline(x=mem["total_decimal"], line_dash="dot",
                 annotation_text=f"{mem['total']:g} GB GPU ({mem['total_decimal']:.1f} decimal GB)")
    fm.update_layout(barmode="stack", height=260, margin={"l": 10, "r": 10, "t": 60}, xaxis_title="GB",
                     legend={"orientation": "h", "y": 1.35, "traceorder": "normal"})
    st.plotly_chart(fm, width="stretch", key="memory_chart")
    st.caption(f"KV cache: {float(info['kv_bytes_per_token']) / 1e3:,.1f} kB per token at "  # type: ignore[arg-type]
               f"{info['kv_precision']}; compute at {info['compute_precision']}; bound by {info['bound']}.")

st.subheader("Rented vs owned, per month")
st.caption("Replicas of this size, as many as the workload needs at peak within its latency target.")
policies = gpu_price.policy_choices(o.provider for o in cat.cloud.values())
st.selectbox("GPU price policy", ["", *policies], key="gpupol",
             format_func=lambda p: f"{gpu_price.policy_label(p or gpu_price.DEFAULT_POLICY)}"
             + (" (default)" if not p else ""),
             help="How the rented GPU's hourly price is chosen from the dated offers of many providers; "
                  "prices older than 180 days are left out while newer ones exist. A GPU price you set on the "
                  "Catalog page overrides any policy.")
if costs.empty:
    st.info("No price for this GPU (no cloud offer and no purchase price): set yours on the Catalog page.")
else:
    code, rate = ui.currency()
    sym = "$" if code == "USD" else code
    comp = [c for c in ("usd_gpu_rent", "usd_capex", "usd_power", "usd_colocation", "usd_ops") if c in costs]
    heads = {"usd_gpu_rent": "GPU rent", "usd_capex": "Hardware", "usd_power": "Power",
             "usd_colocation": "Colocation", "usd_ops": "Operations"}
    table = pd.DataFrame({
        # the model, GPU and precision are the deployment above: the rows differ in how the GPUs are had
        "Hosting": [re.sub(r"^.*?, (?=rented|owned)", "", str(x)) for x in costs["label"]],
        "Monthly cost": costs["monthly_usd"] * rate,
        "GPUs": costs["gpus"], "Busy at peak": costs["utilization"],
        **{heads[c]: costs[c] * rate for c in comp},
        "Price age": [ui.age_badge(d) if isinstance(d, dt.date) else "" for d in costs["price_as_of"]],
        "Replicas": costs["replicas"],
        "Price as of": [d.isoformat() if isinstance(d, dt.date) else "" for d in costs["price_as_of"]],
        "Source": [ui.link_or_none(s) or "" for s in costs["price_source"]],
        "Warnings": costs["warnings"].fillna("").astype(str),
        "Route": costs["label"].astype(str),
    })
    rented = costs[costs["ownership"] == "cloud"]
    if len(rented):
        st.caption(f"Rented price: {rented['price_source'].iloc[0]}")
    money_cols = ["Monthly cost", *(heads[c] for c in comp)]
    def blank(fmt: Any) -> Any:
        return lambda v: fmt(float(v)) if np.isfinite(float(v)) else ""

    styled = table.style.format({**{c: blank(lambda v: ui.cmp.money(v, code)) for c in money_cols},
                                 "Busy at peak": blank(lambda v: f"{v:.0%}"), "GPUs": blank(lambda v: f"{v:.0f}"),
                                 "Replicas": blank(lambda v: f"{v:.0f}")})
    st.dataframe(styled, hide_index=True, width="stretch", key="rent_own_table", column_config=ui.fixed_widths({
        "Hosting": st.column_config.TextColumn(help="Select a cell to read it whole; the whole route is in "
                                                    "the last column"),
        "Monthly cost": st.column_config.NumberColumn(f"Monthly ({sym})", width=90,
                                                    help=f"{code} per month, every component"),
        "GPUs": st.column_config.NumberColumn(width=55, help="GPUs in all replicas"),
        "Busy at peak": st.column_config.NumberColumn(width=90, help="Share of capacity used at the peak hour"),
        **{heads[c]: st.column_config.NumberColumn(width=82, help=f"{ui.COMPONENT_LABELS[c]}, {code} per month")
           for c in comp},
        "Price age": st.column_config.TextColumn(width=108, help="Age of the rented GPU price (fresh, aging, STALE)"),
        "Replicas": st.column_config.NumberColumn(width=80),
        "Price as of": st.column_config.TextColumn(width=100),
        "Source": st.column_config.LinkColumn(display_text="source", width=80),
        "Warnings": st.column_config.TextColumn(width=300),
        "Route": st.column_config.TextColumn(width=420),
    }, fit=5 + len(comp)))

if cat.model(model_id).is_moe:
    st.subheader("Prefill/decode disaggregated")
    dc = st.columns([3, 2])
    dc[0].checkbox("Also price separate prefill and decode pools", key="sd_disagg",
                   help="Large mixture-of-experts models are served at scale as a pool of prefill-only and a pool of "
                        "decode-only instances (DeepSeek's V3/R1 system, SGLang and Dynamo PD disaggregation), each "
                        "laid out and sized for its own work at the workload's latency target.")
    dc[1].number_input("Redundant experts per instance", key="sd_red", min_value=0, max_value=512, step=8,
                       disabled=not ss["sd_disagg"],
                       help="Hot experts held twice (EPLB) by each expert-parallel instance, so routing skew stays "
                            "random; DeepSeek's production system used 32. Your assumption; 0 = none.")
    if ss["sd_disagg"]:
        try:
            pframe, pools = _pools(model_id, gpu_id, prec, w.model_dump_json(), scn.overrides.model_dump_json(),
                                   ss["sd_engine"], spec_k, spec_a, int(ss["sd_red"]))
        except PricingError as e:
            ui.show_error(e)
            pframe, pools = pd.DataFrame(), None
        if pools is None and len(pframe):
            st.warning("No prefill/decode pools serve this workload here: "
                       + str(pframe["warnings"].iloc[1]).removeprefix("disaggregated: "))
        elif pools is not None:
            code, rate = ui.currency()
            sym = "$" if code == "USD" else code
            agg_usd, dis_usd = float(pframe["monthly_usd"].iloc[0]), float(pools["monthly_usd"] or "nan")
            mc = st.columns(3)
            mc[0].metric("Both pools, per month", cmp.money(dis_usd * rate, code) if dis_usd == dis_usd else "no price",
                         f"{pools['gpus']:,} GPUs", delta_color="off", delta_arrow="off")
            mc[1].metric("Aggregated, per month", cmp.money(agg_usd * rate, code) if agg_usd == agg_usd else
                         "cannot serve", f"{pframe['gpus'].iloc[0]:,.0f} GPUs" if agg_usd == agg_usd else None,
                         delta_color="off", delta_arrow="off")
            if dis_usd == dis_usd and agg_usd == agg_usd:
                mc[2].metric("Pools vs aggregated", f"{dis_usd / agg_usd - 1:+.0%}",
                             "cheaper" if dis_usd < agg_usd else "dearer" if dis_usd > agg_usd else "same",
                             delta_color="off", delta_arrow="off")
            st.dataframe(_pools_table(pframe, pools, rate), hide_index=True, width="stretch", key="pools_table",
                         column_config=ui.fixed_widths({
                             "Deployment": st.column_config.TextColumn(width=170),
                             "Layout": st.column_config.TextColumn(
                                 width=80, help="One instance: EPn = n GPUs sharing the experts (attention data "
                                                "parallel), TPn = tensor parallel, PPn = pipeline stages"),
                             "Instances": st.column_config.TextColumn(width=75),
                             "GPUs per instance": st.column_config.TextColumn(width=120),
                             "GPUs": st.column_config.TextColumn(width=55),
                             "Tokens/s per GPU": st.column_config.TextColumn(
                                 width=115, help="Prefill: input tokens/s per GPU at the pool's load; decode and "
                                                 "aggregated: output tokens/s per GPU"),
                             "Batch": st.column_config.TextColumn(
                                 width=100, help="Prefill: prompts per step; decode: sequences per instance"),
                             "TPOT (ms)": st.column_config.TextColumn(width=75, help="Time per output token"),
                             "TTFT (ms)": st.column_config.TextColumn(
                                 width=75, help="Time to first token (the prefill pool's, queueing included)"),
                             "Monthly": st.column_config.TextColumn(f"Monthly ({sym})", help=f"{code} per month"),
                         }))
            tpot_t = f"≤ {w.effective_max_tpot_ms:,.1f} ms" if w.effective_max_tpot_ms else "no limit"
            ttft_t = f"≤ {w.max_ttft_ms:,.0f} ms" if w.max_ttft_ms else "no limit"
            st.caption(f"Rented at the GPU price policy's price and sized for the month's peak at the workload's "
                       f"latency target (time per output token {tpot_t}, time to first token {ttft_t}); each pool "
                       f"takes the layout needing the fewest GPUs. Prefill GPUs per decode GPU for this mix: "
                       f"{pools['prefill_gpus_per_decode_gpu']:.2f}. Not charged: the KV transfer from prefill to "
                       "decode, the prefix cache's memory and the request router.")
            for note in pools["warnings"]:
                st.caption(f"Note: {note}")

st.subheader("Efficiency assumptions")
eff = cat.efficiency
params = info.get("params", {})
assert isinstance(params, dict)
st.dataframe(pd.DataFrame({"Factor": [FACTOR_NAMES.get(k, k.replace("_", " ").capitalize()) for k in params],
                           "Value": [f"{float(v):g}" for v in params.values()], "Id": list(params)}),
             hide_index=True, width="content", key="params_table",
             column_config={"Id": st.column_config.TextColumn(help="The factor's name in the caption below and in "
                                                                   "data/calibration.yaml")})
if eff is not None:
    err = f"; median absolute error {eff.median_abs_pct_error:.1%}" if eff.median_abs_pct_error is not None else ""
    st.caption(f"Fitted on {eff.fitted_on}{err}. Source: {eff.source} (as of {eff.as_of}). "
               f"Scale them on the Catalog page (throughput efficiency scale = {scn.overrides.efficiency_scale:g}).")
else:
    st.caption("No calibration file: the model's built-in defaults are used (assumptions).")
