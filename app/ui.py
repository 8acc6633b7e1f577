"""Shared app pieces: cached loaders around pricing, the workload editor, money and age formatting."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from app import state
from pricing import charts, clock, quality, report, staleness, task_tokens
from pricing import compare as cmp
from pricing.catalog import Catalog, default_catalog
from pricing.errors import DataError, Issue, PricingError
from pricing.schema import ApiChoice, Option, Scenario, SelfHostChoice, Workload
from pricing.staleness import price_age

FRESH_DAYS, STALE_DAYS = staleness.FRESH_DAYS, staleness.AGING_DAYS  # badge thresholds of the core
COMPONENT_LABELS = charts.COMPONENT_LABELS


# --------------------------------------------------------------------------- cached core calls


@st.cache_resource(show_spinner=False)
def catalog() -> Catalog:
    """The bundled catalog, loaded and validated once per server process."""
    return default_catalog()


@st.cache_data(show_spinner=False, max_entries=64)
def compare_json(scenario_json: str) -> pd.DataFrame:
    """pricing.compare on a scenario (keyed on its JSON, so equal inputs hit the cache)."""
    return cmp.compare(Scenario.model_validate_json(scenario_json), catalog())


@st.cache_data(show_spinner=False, max_entries=64)
def default_tokens(workloads_json: str) -> list[str]:
    """The candidates compare picks when none are chosen (route tokens), cached on the workloads."""
    ws = [Workload.model_validate(w) for w in json.loads(workloads_json)]
    out = []
    for o in cmp.default_options(ws, catalog()):
        out.append(o.api if isinstance(o, ApiChoice) else state.spec_to_str(o.selfhost))
    return out


def workloads_json(s: Scenario) -> str:
    """The workloads of a scenario as JSON (the cache key of default_tokens)."""
    return json.dumps([w.model_dump(mode="json") for w in s.workloads])


def tokens_to_options(tokens: Sequence[str]) -> tuple[Option, ...]:
    """Route tokens (offer ids, or model@gpu:... for self-hosting) back to scenario options."""
    return tuple(SelfHostChoice(selfhost=state.str_to_spec(t)) if "@" in t else ApiChoice(api=t) for t in tokens)


def providers() -> list[str]:
    """Provider ids of the catalog."""
    return sorted(catalog().providers)


def gpus() -> list[str]:
    """GPU ids of the catalog."""
    return sorted(catalog().gpus)


def all_params() -> list[state.Param]:
    """Every input key, including the per-provider and per-GPU overrides."""
    return state.params() + state.dynamic_params(providers(), gpus())


def scenario() -> Scenario:
    """The scenario the inputs describe; bad inputs raise DataError in the page's words."""
    from pydantic import ValidationError

    from pricing.catalog import issues_from_validation

    try:
        return state.scenario(providers(), gpus())
    except ValidationError as e:
        raise DataError(issues_from_validation("Your inputs", {}, e, Workload)) from None


def with_options(s: Scenario) -> Scenario:
    """The scenario with its candidates spelled out (defaults resolved once per workload set, cached)."""
    if s.options:
        return s
    return s.model_copy(update={"options": tokens_to_options(default_tokens(workloads_json(s)))})


def results() -> tuple[Scenario, pd.DataFrame]:
    """The scenario and its comparison (cached)."""
    s = scenario()
    return s, compare_json(with_options(s).model_dump_json())


def option_quality(o: Option) -> float | None:
    """The sourced quality index of a candidate, looked up as the comparison does (an API by its offer
    id, a self-hosted route by its open model); None when there is no sourced score."""
    q = quality.score(catalog(), o.api if isinstance(o, ApiChoice) else o.selfhost.model)
    return None if q is None else float(q)


def results_or_stop() -> tuple[Scenario, Scenario, pd.DataFrame]:
    """(scenario, scenario with its candidates spelled out, comparison), both held to Compare's quality
    floor so every page names the same winner; a user error stops the page."""
    try:
        s, df = results()
    except PricingError as e:
        show_error(e)
        st.stop()
    run = with_options(s)
    minq, qlabel = min_quality()
    if minq:
        keep = tuple(o for o in run.options if (q := option_quality(o)) is not None and q >= minq)
        if not keep:
            st.info(f"No candidate reaches the quality floor of {minq:g} set on Compare.")
            st.stop()
        run = run.model_copy(update={"options": keep})
        df, _dropped = quality_filter(df, minq)
        st.caption(f"Only routes at least as good as {qlabel or f'quality {minq:g}'}, the quality floor set on "
                   f"Compare ({len(keep)} of {len(with_options(s).options)} candidates).")
    return s, run, df


# --------------------------------------------------------------------------- formatting


def currency() -> tuple[str, float]:
    """The display currency and USD -> currency rate the user set (USD at 1.0 when none)."""
    code = state.currency_code()
    return code, (float(st.session_state.get("rate", 1.0)) if code != "USD" else 1.0)


def money(usd: float) -> str:
    """A monthly amount in the display currency, e.g. $34.5k."""
    code, rate = currency()
    return cmp.money(usd, code, rate)


def age_badge(as_of: Any, today: dt.date | None = None) -> str:
    """pricing.staleness's badge with the age in days, e.g. 'fresh (28 d)'; stale is shouted."""
    if not isinstance(as_of, dt.date):
        return "unknown"
    days, badge = price_age(as_of, today)
    return f"{badge.upper() if badge == 'stale' else badge} ({days} d)"


def link_or_none(src: Any) -> str | None:
    """The source when it is a URL (for LinkColumn), else None."""
    s = str(src or "")
    return s if s.startswith(("http://", "https://")) else None


def results_csv(scn: Scenario, df: pd.DataFrame) -> str:
    """The results as CSV with every assumption (pricing.report), money in the display currency."""
    code, rate = currency()
    return report.to_csv(report.results_table(scn, cmp.to_currency(df, code, rate)))


def show_error(e: PricingError) -> None:
    """A user-fixable error in the page, one line per issue, never a traceback or a class name."""
    st.error(str(e).replace("\n", "  \n"), icon=":material/error:")


# --------------------------------------------------------------------------- shared widgets


def currency_picker(where: Any = None) -> None:
    """Currency code and the USD rate, shown as the user's own dated assumption."""
    box = where or st.sidebar
    box.text_input("Currency (ISO code)", key="cur", max_chars=3,
                   help="Results are in USD unless you pick another currency and type its rate.")
    code = str(st.session_state.get("cur", "USD")).upper()
    if code != "USD":
        box.number_input(f"1 USD = ? {code}", key="rate", min_value=1e-6, max_value=1e6, format="%.4f",
                         help="No sourced exchange rate ships with the app: this rate is your assumption.")
        box.caption(f"Rate 1 USD = {st.session_state['rate']:.4f} {code}: **your assumption**, "
                    f"entered {clock.today().isoformat()} (no bundled, sourced default).")


def validate_currency() -> str | None:
    """A problem message when the typed currency is not a three-letter code (USD is shown then)."""
    typed = str(st.session_state.get("cur", "USD")).strip().upper()
    if typed != state.currency_code():
        return f"currency {typed!r} is not a three-letter ISO code; showing USD"
    return None


def validators() -> dict[str, Any]:
    """Checks of URL values against the catalog (a ValueError drops the value with a message)."""
    cat = catalog()

    def api(ids: list[str]) -> list[str]:
        bad = [i for i in ids if i not in cat.offers]
        if bad:
            raise ValueError(f"unknown API offer {bad[0]!r}")
        return ids

    def sh(tokens: list[str]) -> list[str]:
        for t in tokens:
            spec = state.str_to_spec(t)
            if spec.model not in cat.models or spec.gpu not in cat.gpus:
                raise ValueError(f"unknown model or GPU in {t!r}")
        return tokens

    def member(known: Any) -> Any:
        def check(v: str) -> str:
            if v and v not in known:
                raise ValueError(f"unknown id {v!r}")
            return v
        return check

    return {"api": api, "sh": sh, "sd_model": member(cat.models), "sd_gpu": member(cat.gpus),
            "task_ref": member({*cat.offers, *cat.models})}


def validate_scenario_text(text: str, name: str) -> Scenario:
    """Parse and check a scenario against the catalog; DataError naming file, entry and field."""
    scn = cmp.load_scenario(text, name)
    cmp.check_scenario_ids(scn, catalog())
    cat = catalog()
    issues = [Issue(name, "overrides.provider_discount", p, f"unknown provider {p!r}")
              for p in scn.overrides.provider_discount if p not in cat.providers]
    for fld in ("gpu_usd_per_hour", "gpu_purchase_usd"):
        issues += [Issue(name, f"overrides.{fld}", g, f"unknown GPU id {g!r}")
                   for g in getattr(scn.overrides, fld) if g not in cat.gpus]
    if issues:
        raise DataError(issues)
    return scn


def catalog_caption() -> str:
    """One line on what the catalog holds and how old it is."""
    cat = catalog()
    newest = max(o.as_of for o in cat.offers.values())
    return (f"Catalog: {len(cat.offers)} API offers from {len(cat.providers)} providers, "
            f"{len(cat.models)} open models, {len(cat.gpus)} GPUs, {len(cat.cloud)} cloud prices; "
            f"newest price checked {newest.isoformat()}.")


def _drop_profile(i: int) -> None:
    st.session_state[state.wkey(i, "prof")] = []


def workload_editor(i: int) -> None:
    """The inputs of workload i: preset, volume, token mix, cache, batch, traffic shape, latency, growth."""
    k = lambda s: state.wkey(i, s)  # noqa: E731
    c1, c2, c3 = st.columns([2, 2, 1])
    c1.selectbox("Preset", state.PRESET_NAMES, key=k("preset"), on_change=state.apply_preset, args=(i,),
                 help="Example workloads (assumptions to edit); choosing one resets the fields below.")
    c2.text_input("Name", key=k("name"), max_chars=200)
    c3.radio("Requests per", ("month", "day"), key=k("per"), on_change=state.switch_period, args=(i,),
             horizontal=True)
    a, b, c, d = st.columns(4)
    a.number_input(f"Requests per {st.session_state[k('per')]}", key=k("req"), min_value=0.0,
                   max_value=state.max_requests(i), step=1000.0, format="%.0f")
    b.number_input("Input tokens / request", key=k("in"), min_value=0.0, max_value=1e7, step=100.0, format="%.0f")
    c.number_input("Output tokens / request", key=k("out"), min_value=0.0, max_value=1e6, step=50.0, format="%.0f")
    d.number_input("Reasoning tokens / request", key=k("rsn"), min_value=0.0, max_value=1e6, step=100.0,
                   format="%.0f", help="Hidden thinking tokens, billed as output.")
    a, b, c, d = st.columns(4)
    a.slider("Input served from cache", 0.0, 1.0, key=k("cache"), step=0.05, format="percent",
             on_change=state.keep_cache_shares, args=(i, "cache"))
    b.slider("Sent through batch API", 0.0, 1.0, key=k("batch"), step=0.05, format="percent")
    profile = st.session_state.get(k("prof")) or []
    c.number_input("Peak-to-average traffic", key=k("p2a"), min_value=1.0, max_value=100.0, step=0.5,
                   disabled=bool(profile), help="Ignored while a 24-hour profile is set." if profile else None)
    d.number_input("Monthly growth", key=k("growth"), min_value=-0.5, max_value=5.0, step=0.01,
                   format="%.2f", help="0.05 = 5% more requests each month (used by planning).")
    if profile:
        p1, p2 = st.columns([5, 1])
        p1.caption("24-hour traffic profile from the scenario (UTC): "
                   + " ".join(f"{x:g}" for x in profile) + " — it sets the peak and autoscaling.")
        p2.button("Drop profile", key=k("dropprof"), on_click=_drop_profile, args=(i,))
    with st.expander("Latency target and more", expanded=False):
        a, b, c, d = st.columns(4)
        a.number_input("Max time to first token, ms", key=k("ttft"), min_value=0.0,
                       max_value=600_000.0, step=100.0, format="%.0f", help="0 = no latency target.")
        b.number_input("Min tokens/s per user", key=k("tps"), min_value=0.0,
                       max_value=10_000.0, step=1.0, format="%.1f",
                       help="Output tokens per second each user sees while a reply streams; 0 = no target.")
        c.slider("Input written to cache", 0.0, 1.0, key=k("cw"), step=0.05, format="percent",
                 on_change=state.keep_cache_shares, args=(i, "cw"),
                 help="With the cached share, at most 100% of input: moving one lowers the other.")
        d.slider("Off-peak share of requests", 0.0, 1.0, key=k("offpk"), step=0.05, format="percent",
                 help="Share of non-batch requests sent in a provider's off-peak windows (DeepSeek). 0 computes "
                      "it from the hourly profile (flat when none): 133/168 of the week on DeepSeek V4.")
        st.number_input("Minimum context window (tokens)", key=k("ctx"), min_value=0, max_value=100_000_000,
                        step=1000)


KIND_SHORT = {
    "api-closed": "Closed API", "api-open-first-party": "Maker's API", "api-open-host": "Hosted open weights",
    "selfhost-cloud": "Self-hosted, rented", "selfhost-owned": "Self-hosted, owned",
}
# The columns that decide, always shown; the rest are picked under "More columns".
DECISIVE = ("Rank", "Route", "Kind", "Monthly cost", "Per 1M tokens", "Quality", "Price age")
# Pixel widths of the deciding columns: each sized to its longest value ("Hosted open weights",
# "STALE (365 d)"), and the route gets the rest of the 980 px a wide page has at 1440 px, so a
# self-hosted route reads "... rented (market median, on-demand)" whole. The grid is 980 px wide with a
# 1 px border each side: columns wider than 978 px in all scroll sideways (measured in Chromium).
TABLE_PX = 976
DECISIVE_PX = {"Rank": 44, "Kind": 140, "Monthly cost": 88, "Per 1M tokens": 88, "Quality": 66, "Price age": 108}
TASK_PX = 90  # the "Tokens / task" column, shown with cost per task (the route gives up its width)


def _num(s: Any) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


def table_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The ranked results as people read them: human names, money in the display currency, blanks
    (never None) where there is nothing, fractions as %."""
    _code, rate = currency()
    out = pd.DataFrame({
        "Rank": df["rank"],
        "Route": df["label"].astype(str),
        "Kind": df["route_kind"].map(KIND_SHORT).fillna(df["route_kind"]).astype(str),
        "Monthly cost": _num(df["monthly_usd"]) * rate,
        "Per 1M tokens": _num(df["usd_per_mtok"]) * rate,
        "Quality": _num(df["quality_index"]),
        "Price age": [age_badge(d) if isinstance(d, dt.date) else "" for d in df["price_as_of"]],
        "Tokens per month": _num(df["tokens_per_month"]),
        "GPUs": _num(df["gpus"]),
        "Busy at peak": _num(df["utilization"]),
        "Time to first token": _num(df["ttft_ms"]),
        "Time per output token": _num(df["tpot_ms"]),
        "Per quality point": _num(df["usd_per_quality_point"]) * rate,
        "Price as of": [d.isoformat() if isinstance(d, dt.date) else "" for d in df["price_as_of"]],
        "Source": [link_or_none(s) or "" for s in df["price_source"]],
        "Warnings": df["warnings"].fillna("").astype(str),
        "Route id": df["route_id"].astype(str),
    })
    if "task_tokens_multiplier" in df:
        out.insert(6, "Tokens per task", _num(df["task_tokens_multiplier"]))
        out["Tokens per task from"] = df["task_tokens_note"].fillna("").astype(str)
    return out


def fixed_widths(config: dict[str, Any], total: int = TABLE_PX, fit: int | None = None) -> dict[str, Any]:
    """Column configs whose widths add up to what a wide page has at 1440 px: the columns without a
    width share what the others leave, so no column hides off to the right. With `fit`, only the
    first `fit` columns share the page (the rest are details to scroll to)."""
    first = list(config)[:fit]
    free = [k for k in first if not isinstance(config[k].get("width"), int)]
    left = total - sum(int(config[k]["width"]) for k in first if k not in free)
    for k in free:
        config[k] = {**config[k], "width": left // len(free)}
    return config


def table_config(per_task: bool = False) -> dict[str, Any]:
    """Column labels (with units), widths and help of table_frame; numbers are formatted by table_style.
    With the cost-per-task column the route column narrows, so the deciding columns still fit 1440 px."""
    code, _ = currency()
    sym = "$" if code == "USD" else code
    px = DECISIVE_PX
    route_px = TABLE_PX - sum(px.values()) - (TASK_PX if per_task else 0)
    return {
        "Rank": st.column_config.NumberColumn(width=px["Rank"], pinned=True),
        "Route": st.column_config.TextColumn(width=route_px, pinned=True,
                                             help="Model and provider, or model on GPUs (P/D: separate prefill and decode pools); "
                                                  "select a cell to read it whole"),
        "Kind": st.column_config.TextColumn(width=px["Kind"]),
        "Monthly cost": st.column_config.NumberColumn(f"Monthly ({sym})", width=px["Monthly cost"],
                                                      help=f"{code} per month at your volume, every component"),
        "Per 1M tokens": st.column_config.NumberColumn(f"{sym} / 1M tok", width=px["Per 1M tokens"],
                                                       help=f"Monthly {code} per million tokens served"),
        "Quality": st.column_config.NumberColumn("Quality", width=px["Quality"],
                                                 help="Artificial Analysis Intelligence Index; blank = no sourced score"),
        "Price age": st.column_config.TextColumn(width=px["Price age"], help=f"Age of the price: fresh up to "
                                                 f"{FRESH_DAYS} days, aging up to {STALE_DAYS}, STALE beyond"),
        "Tokens per month": st.column_config.NumberColumn(help="input + output + reasoning tokens"),
        "GPUs": st.column_config.NumberColumn(help="GPUs in all replicas (self-hosted)"),
        "Busy at peak": st.column_config.NumberColumn(help="Share of capacity used at the peak hour"),
        "Time to first token": st.column_config.NumberColumn(help="Self-hosted, modelled"),
        "Time per output token": st.column_config.NumberColumn(help="Self-hosted, modelled"),
        "Per quality point": st.column_config.NumberColumn(f"{sym} per quality point",
                                                           help=f"Monthly {code} / quality index"),
        "Source": st.column_config.LinkColumn(display_text="source"),
        "Tokens per task": st.column_config.NumberColumn(
            "Tokens / task", width=TASK_PX,
            help="Output and reasoning tokens relative to the reference model you picked (x1.00 = the "
                 "workload's tokens); hover 'Tokens per task from' for the figure and its source"),
        "Tokens per task from": st.column_config.TextColumn(
            width=300, help="Artificial Analysis' output tokens per Intelligence Index task (the setting measured, "
                            "the date), 'your assumption', or no figure (x1.0)"),
    }


HIGHER_IS_BETTER = ("Quality",)


def table_style(frame: pd.DataFrame) -> Any:
    """The frame with people's formats: $3.2k, 2.8B, 30%, and a blank (never None or nan) where a value
    is missing. The grid prints None for a missing number, so a missing value is stored as +inf (-inf
    where higher is better: it sorts last either way) and drawn as an empty cell."""
    code, _ = currency()
    sym = "$" if code == "USD" else f"{code} "

    def blank(fmt: Any) -> Any:
        return lambda v: fmt(float(v)) if np.isfinite(float(v)) else ""

    fmts: dict[str, Any] = {
        "Rank": blank(lambda v: f"{v:.0f}"), "Monthly cost": blank(lambda v: cmp.money(v, code)),
        "Per quality point": blank(lambda v: cmp.money(v, code)), "Per 1M tokens": blank(lambda v: f"{sym}{v:,.3f}"),
        "Quality": blank(lambda v: f"{v:.1f}"), "Tokens per month": blank(cmp.compact),
        "GPUs": blank(lambda v: f"{v:.0f}"), "Busy at peak": blank(lambda v: f"{v:.0%}"),
        "Time to first token": blank(lambda v: f"{v:,.0f} ms"), "Time per output token": blank(lambda v: f"{v:.1f} ms"),
        "Tokens per task": blank(lambda v: f"x{v:.2f}"),
    }
    out = frame.copy()
    for col in fmts:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float).fillna(
                -np.inf if col in HIGHER_IS_BETTER else np.inf)
    return out.style.format({k: v for k, v in fmts.items() if k in out.columns})


HUMAN_NAMES = {
    "id": "Id", "provider": "Provider", "provider_kind": "Provider kind", "model": "Model",
    "display_name": "Name", "open_model": "Open weights (HF id)", "family": "Family", "reasoning": "Reasoning",
    "context_tokens": "Context (tokens)", "usd_per_mtok_input": "Input $/1M tok",
    "usd_per_mtok_cached_input": "Cached input $/1M tok", "usd_per_mtok_cache_write": "Cache write $/1M tok",
    "usd_per_mtok_output": "Output $/1M tok", "usd_per_mtok_batch_input": "Batch input $/1M tok",
    "usd_per_mtok_batch_output": "Batch output $/1M tok", "tier_above_input_tokens": "Long-prompt tier above (tokens)",
    "off_peak": "Off-peak prices", "usd_per_request": "$ per request", "source": "Source", "as_of": "As of",
    "age": "Price age", "params_b_total": "Parameters (B)", "params_b_active": "Active parameters (B)",
    "layers": "Layers", "attention": "Attention", "kv_heads": "KV heads", "experts_routed": "Experts",
    "experts_active": "Active experts", "max_context_tokens": "Max context (tokens)",
    "native_precision": "Native precision", "license": "Licence", "name": "Name", "vendor": "Vendor",
    "memory_gb": "Memory (GB)", "mem_bandwidth_tbs": "Bandwidth (TB/s)", "bf16_tflops_dense": "BF16 TFLOPS (dense)",
    "fp8_tflops_dense": "FP8 TFLOPS (dense)", "fp4_tflops_dense": "FP4 TFLOPS (dense)", "tdp_w": "Power (W)",
    "interconnect": "Interconnect", "purchase_usd": "Purchase $ per GPU", "purchase_source": "Purchase source",
    "instance_type": "Instance type", "gpu": "GPU", "gpu_count": "GPUs", "region": "Region",
    "usd_per_hour_on_demand": "On-demand $/hour", "usd_per_hour_spot": "Spot $/hour",
    "usd_per_hour_reserved": "Reserved $/hour (1 yr)", "amortization_years": "Amortisation (years)",
    "residual_value_fraction": "Residual value", "server_usd_per_8_gpus": "Server $ per 8 GPUs",
    "networking_fraction": "Networking share", "usd_per_kwh": "$ per kWh", "pue": "PUE",
    "node_power_multiplier": "Node power / GPU TDP", "colocation_usd_per_kw_month": "Colocation $/kW-month",
    "ops_usd_per_node_month": "Operations $/node-month", "average_power_fraction": "Average power share",
    "status": "Status", "checked_on": "Price checked", "changed_on": "Price changed", "retires_on": "Retires",
    "deprecated_on": "Deprecated", "successor": "Successor", "no_cache_price": "No cache price published",
    "no_batch_api": "No batch API", "usd_per_mtok_scheduled_input": "Scheduled input $/1M tok",
    "scheduled_from": "Scheduled from", "cache_read": "Cache read", "batch": "Batch API",
}
FRACTION_COLUMNS = ("residual_value_fraction", "networking_fraction", "average_power_fraction")


def readable(df: pd.DataFrame) -> Any:
    """A data table for people: human column names with units, blanks (never None/nan) for missing
    values, fractions as %, dates as YYYY-MM-DD. Missing numbers are stored as +inf (drawn blank)."""
    out = df.copy()
    fmts: dict[str, Any] = {}
    for col in out.columns:
        ser = out[col]
        if pd.api.types.is_bool_dtype(ser):
            out[col] = ser.map({True: "yes", False: "no"})
        elif pd.api.types.is_numeric_dtype(ser):
            pct = col in FRACTION_COLUMNS
            out[col] = pd.to_numeric(ser, errors="coerce").astype(float).fillna(np.inf)
            fmts[HUMAN_NAMES.get(col, col)] = (lambda p: lambda v: "" if not np.isfinite(v) else
                                               (f"{v:.0%}" if p else f"{v:,.4g}"))(pct)
        else:
            out[col] = [("" if v is None or (isinstance(v, float) and v != v) else
                         v.isoformat() if isinstance(v, dt.date) else v) for v in ser]
    out = out.rename(columns=HUMAN_NAMES)
    return out.style.format(fmts)


def portfolio_frame(df: pd.DataFrame) -> pd.DataFrame:
    """All workloads together, shaped like the results frame so the ranked table shows it the same way
    (cost, $/1M tokens, quality and price age): sums over the workloads, the oldest price's date, the
    warnings of every workload."""
    port = cmp.portfolio(df)
    g = df.groupby("route_id", sort=False)
    ids = port["route_id"]
    monthly = _num(port["monthly_usd"])
    quality = _num(ids.map(g["quality_index"].first()))
    return pd.DataFrame({
        "rank": monthly.rank(method="min", na_option="bottom").astype(int).to_numpy(),
        "label": port["label"].to_numpy(), "route_kind": port["route_kind"].to_numpy(),
        "monthly_usd": monthly.to_numpy(), "usd_per_mtok": _num(port["usd_per_mtok"]).to_numpy(),
        "quality_index": quality.to_numpy(),
        "price_as_of": ids.map(g["price_as_of"].agg(
            lambda d: min((x for x in d if isinstance(x, dt.date)), default=None))).to_numpy(),
        "tokens_per_month": _num(port["tokens_per_month"]).to_numpy(),
        "gpus": _num(ids.map(g["gpus"].sum(min_count=1))).to_numpy(),
        "utilization": np.nan, "ttft_ms": np.nan, "tpot_ms": np.nan,
        "usd_per_quality_point": (monthly / quality.where(quality > 0)).to_numpy(),
        "price_source": ids.map(g["price_source"].first()).to_numpy(),
        "warnings": ids.map(g["warnings"].agg(
            lambda w: "; ".join(dict.fromkeys(str(x) for x in w if isinstance(x, str) and x)))).to_numpy(),
        "route_id": ids.to_numpy(),
    })


def ranked_table(df: pd.DataFrame, key: str, height: int | None = None) -> pd.DataFrame:
    """The ranked routes: the deciding columns always, the others picked by the user; returns what is shown."""
    frame = table_frame(df)
    shown = [*DECISIVE, *(["Tokens per task"] if "Tokens per task" in frame else [])]
    extra = [c for c in frame.columns if c not in shown]
    if f"{key}_cols" in st.session_state:  # a column of a mode switched off (cost per task) is no option now
        st.session_state[f"{key}_cols"] = [c for c in st.session_state[f"{key}_cols"] if c in extra]
    picked = st.multiselect("More columns", extra, key=f"{key}_cols", placeholder="GPUs, latency, source, warnings ...",
                            help="The deciding columns are always shown; add any of the others.")
    order = [*shown, *[c for c in extra if c in picked]]
    st.dataframe(table_style(frame), column_config=table_config("Tokens per task" in frame), column_order=order,
                 hide_index=True,
                 width="stretch", height=height or min(560, 38 + 35 * max(len(frame), 1)), key=key)
    unpriced = frame[frame["Monthly cost"].isna()]
    if len(unpriced):  # a blank cost says why, without opening the Warnings column
        why = "; ".join(f"{r['Route']}: {r['Warnings'] or 'no price'}" for _, r in unpriced.head(5).iterrows())
        st.caption(f"No cost for {len(unpriced)} route{'s' if len(unpriced) > 1 else ''} (ranked last): {why}"
                   + ("; …" if len(unpriced) > 5 else "."))
    return frame[order]


def quality_filter(df: pd.DataFrame, min_quality: float) -> tuple[pd.DataFrame, int]:
    """Rows at or above the minimum quality (rows without a score are dropped when a minimum is set)."""
    if not min_quality:
        return df, 0
    keep = df["quality_index"].notna() & (df["quality_index"] >= min_quality)
    out = df[keep].copy()
    if len(out):  # ranked among the routes shown: the cheapest above the floor is 1, not 46
        out["rank"] = out.groupby("workload")["monthly_usd"].rank(method="min", na_option="bottom").astype(int)
    return out, int((~keep).sum())


def fmt_tokens(n: float) -> str:
    """A token or request count for people: 2.1B, 340M."""
    return cmp.compact(n)


def route_choices(df: pd.DataFrame) -> Sequence[str]:
    """Route ids of a results frame, cheapest first."""
    return list(dict.fromkeys(df.sort_values("monthly_usd")["route_id"]))


# --------------------------------------------------------------------------- sharing and quality


def share_query() -> str:
    """The query string that reproduces the current inputs (what the address bar carries)."""
    from urllib.parse import urlencode

    return urlencode(state.query_dict(all_params()), safe=",@:/+")


def share_url() -> str:
    """The link to this view: the app's address (Compare, the home page) and every non-default input."""
    url = (st.context.url or "").split("?", 1)[0]
    for page in ("/scenario", "/breakeven", "/offers", "/plan", "/sensitivity", "/selfhost", "/catalog"):
        if url.endswith(page):
            url = url[: -len(page)]
    home = url if url.endswith("/") else url + "/"
    q = share_query()
    return f"{home}?{q}" if q else home


def share_box(key: str) -> None:
    """The link to this view with a copy button (the code block's own copy icon works too)."""
    import html as _html

    link = share_url()
    st.code(link, language=None, wrap_lines=True)
    js_link = json.dumps(link).replace("<", "\\u003c").replace(">", "\\u003e")  # stays inside the script
    st.iframe(
        f"""<button id="b" style="font:14px system-ui;padding:6px 14px;border:1px solid #1f6feb;border-radius:6px;
        background:#1f6feb;color:white;cursor:pointer" title="{_html.escape(link)}">Copy link</button>
        <span id="m" style="font:13px system-ui;margin-left:8px;color:#555"></span>
        <script>document.getElementById("b").onclick=async()=>{{try{{await navigator.clipboard.writeText({js_link});
        document.getElementById("m").textContent="copied";}}catch(e){{document.getElementById("m").textContent=
        "select the link above and copy it";}}}};</script>""", height=44)
    st.caption("Opening the link restores every input of this view: workloads, candidates, quality floor, "
               "overrides and currency.")


def task_token_choices() -> dict[str, str]:
    """Offer ids with a tokens-per-task figure (the reference models to pick from) -> how it reads."""
    cat = catalog()
    out = {}
    for oid in sorted(cat.offers):
        fig = task_tokens.figure(cat, oid)
        if fig is not None:
            out[oid] = f"{oid} ({task_tokens.tokens_text(fig.tokens)} output tokens/task, {fig.measured_as})"
    return out


def quality_choices() -> dict[str, float]:
    """API offers with a sourced quality index, best first: offer id -> index (for 'at least as good as')."""
    cat = catalog()
    got = {oid: quality.score(cat, oid) for oid in cat.offers}
    scored = {k: float(v) for k, v in got.items() if v is not None}
    return dict(sorted(scored.items(), key=lambda kv: (-kv[1], kv[0])))


def min_quality() -> tuple[float, str | None]:
    """The quality floor: the chosen reference model's index when one is picked, else the typed number."""
    ref = str(st.session_state.get("minq_ref") or "")
    if ref:
        q = quality_choices().get(ref)
        if q is not None:
            return q, f"{ref} ({q:g})"
    return float(st.session_state.get("minq") or 0.0), None
