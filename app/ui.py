"""Shared app pieces: cached loaders around pricing, the workload editor, money and age formatting."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from app import state
from pricing import clock, report, staleness
from pricing import compare as cmp
from pricing.catalog import Catalog, default_catalog
from pricing.errors import DataError, Issue, PricingError
from pricing.schema import ApiChoice, Option, Scenario, SelfHostChoice, Workload
from pricing.staleness import price_age

FRESH_DAYS, STALE_DAYS = staleness.FRESH_DAYS, staleness.AGING_DAYS  # badge thresholds of the core
COMPONENT_LABELS = {
    "usd_input": "input tokens", "usd_cached_input": "cached input", "usd_cache_write": "cache writes",
    "usd_output": "output tokens", "usd_reasoning": "reasoning tokens", "usd_request_fees": "request fees",
    "usd_gpu_rent": "GPU rent", "usd_capex": "hardware (amortised)", "usd_power": "power",
    "usd_colocation": "colocation", "usd_ops": "operations",
}


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
    """The scenario the inputs describe."""
    return state.scenario(providers(), gpus())


def with_options(s: Scenario) -> Scenario:
    """The scenario with its candidates spelled out (defaults resolved once per workload set, cached)."""
    if s.options:
        return s
    return s.model_copy(update={"options": tokens_to_options(default_tokens(workloads_json(s)))})


def results() -> tuple[Scenario, pd.DataFrame]:
    """The scenario and its comparison (cached)."""
    s = scenario()
    return s, compare_json(with_options(s).model_dump_json())


def results_or_stop() -> tuple[Scenario, Scenario, pd.DataFrame]:
    """(scenario, scenario with its candidates spelled out, comparison); a user error stops the page."""
    try:
        s, df = results()
    except PricingError as e:
        show_error(e)
        st.stop()
    return s, with_options(s), df


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
    """A user-fixable error in the page, one line per issue, never a traceback."""
    st.error(f"**{type(e).__name__}**: " + str(e).replace("\n", "  \n"))


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

    return {"api": api, "sh": sh, "sd_model": member(cat.models), "sd_gpu": member(cat.gpus)}


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
    a.slider("Input served from cache", 0.0, 1.0, key=k("cache"), step=0.05,
             on_change=state.keep_cache_shares, args=(i, "cache"))
    b.slider("Sent through batch API", 0.0, 1.0, key=k("batch"), step=0.05)
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
        a.number_input("Max time to first token (ms, 0 = none)", key=k("ttft"), min_value=0.0,
                       max_value=600_000.0, step=100.0, format="%.0f")
        b.number_input("Min output tokens/s per user (0 = none)", key=k("tps"), min_value=0.0,
                       max_value=10_000.0, step=1.0, format="%.1f")
        c.slider("Input written to cache", 0.0, 1.0, key=k("cw"), step=0.05,
                 on_change=state.keep_cache_shares, args=(i, "cw"),
                 help="With the cached share, at most 100% of input: moving one lowers the other.")
        d.slider("Requests in off-peak hours (0 = from the traffic shape)", 0.0, 1.0, key=k("offpk"), step=0.05,
                 help="Share of non-batch requests sent in a provider's off-peak windows (DeepSeek). 0 computes "
                      "it from the hourly profile (flat when none): 133/168 of the week on DeepSeek V4.")
        st.number_input("Minimum context window (tokens)", key=k("ctx"), min_value=0, max_value=100_000_000,
                        step=1000)


def table_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The ranked results as people read them (money in the display currency)."""
    code, rate = currency()
    out = pd.DataFrame({
        "rank": df["rank"],
        "route": df["label"],
        "kind": df["route_kind"].map(cmp.ROUTE_KIND_LABELS).fillna(df["route_kind"]),
        f"monthly ({code})": df["monthly_usd"] * rate,
        f"per 1M tokens ({code})": df["usd_per_mtok"] * rate,
        "GPUs": pd.to_numeric(df["gpus"], errors="coerce"),
        "utilisation": pd.to_numeric(df["utilization"], errors="coerce"),
        "TTFT (ms)": pd.to_numeric(df["ttft_ms"], errors="coerce"),
        "TPOT (ms)": pd.to_numeric(df["tpot_ms"], errors="coerce"),
        "quality": pd.to_numeric(df["quality_index"], errors="coerce"),
        f"{code} per quality point": df["usd_per_quality_point"] * rate,
        "price age": [age_badge(d) for d in df["price_as_of"]],
        "price as of": df["price_as_of"],
        "source": [link_or_none(s) for s in df["price_source"]],
        "warnings": df["warnings"],
        "route id": df["route_id"],
    })
    return out


def table_config() -> dict[str, Any]:
    """Column formats of table_frame."""
    code, _ = currency()
    sym = "$" if code == "USD" else f"{code} "
    return {
        f"monthly ({code})": st.column_config.NumberColumn(format=f"{sym}%,.0f"),
        f"per 1M tokens ({code})": st.column_config.NumberColumn(format=f"{sym}%.3f"),
        "GPUs": st.column_config.NumberColumn(format="%.0f"),
        "utilisation": st.column_config.NumberColumn(format="percent"),
        "TTFT (ms)": st.column_config.NumberColumn(format="%.0f", help="Time to first token (self-hosted, modelled)"),
        "TPOT (ms)": st.column_config.NumberColumn(format="%.1f", help="Time per output token (self-hosted, modelled)"),
        "quality": st.column_config.NumberColumn(format="%.1f", help="Missing = no sourced score"),
        f"{code} per quality point": st.column_config.NumberColumn(format=f"{sym}%,.0f"),
        "price as of": st.column_config.DateColumn(),
        "source": st.column_config.LinkColumn(display_text="source"),
    }


def quality_filter(df: pd.DataFrame, min_quality: float) -> tuple[pd.DataFrame, int]:
    """Rows at or above the minimum quality (rows without a score are dropped when a minimum is set)."""
    if not min_quality:
        return df, 0
    keep = df["quality_index"].notna() & (df["quality_index"] >= min_quality)
    return df[keep], int((~keep).sum())


def fmt_tokens(n: float) -> str:
    """A token or request count for people: 2.1B, 340M."""
    if not math.isfinite(n):
        return "n/a"
    for div, suf in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= div:
            return f"{n / div:,.1f}{suf}"
    return f"{n:,.0f}"


def route_choices(df: pd.DataFrame) -> Sequence[str]:
    """Route ids of a results frame, cheapest first."""
    return list(dict.fromkeys(df.sort_values("monthly_usd")["route_id"]))
