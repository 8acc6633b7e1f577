"""A Scenario -> one tidy DataFrame: one row per (workload, route), API and self-hosted side by side."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pricing import api_cost, clock, quality, selfhost
from pricing.catalog import Catalog, parse_model, parse_yaml_text
from pricing.errors import DataError, Issue, UnknownIdError
from pricing.io import read_text
from pricing.schema import (
    ApiChoice,
    Option,
    Overrides,
    Scenario,
    SelfHostChoice,
    SelfHostSpec,
    Workload,
)

MAX_SCENARIO_BYTES = 256_000

ROUTE_KINDS = ("api-closed", "api-open-first-party", "api-open-host", "selfhost-cloud", "selfhost-owned")
ROUTE_KIND_LABELS = {
    "api-closed": "Closed API",
    "api-open-first-party": "Open weights, maker's API",
    "api-open-host": "Open weights, hosted API",
    "selfhost-cloud": "Self-hosted, rented GPUs",
    "selfhost-owned": "Self-hosted, owned GPUs",
}
BREAKDOWN_COLUMNS = (
    "usd_input", "usd_cached_input", "usd_cache_write", "usd_output", "usd_reasoning",
    "usd_request_fees", "usd_gpu_rent", "usd_capex", "usd_power", "usd_colocation", "usd_ops",
)
COLUMNS = (
    "workload", "route_id", "route_kind", "label", "provider", "model", "open_model",
    "monthly_usd", "usd_per_mtok", "tokens_per_month", "requests_per_month",
    "gpus", "replicas", "utilization", "ttft_ms", "tpot_ms", "fits",
    "price_source", "price_as_of", "price_age_days", "quality_index", "usd_per_quality_point",
    "warnings", *BREAKDOWN_COLUMNS, "rank",
)

# Example workloads: the user's own assumptions, typical of each use, meant to be edited.
PRESETS: dict[str, Workload] = {
    "chat assistant": Workload(
        name="chat assistant", requests_per_month=3_000_000, input_tokens=1_200, output_tokens=300,
        cached_input_fraction=0.5, peak_to_average=3, max_ttft_ms=2_000, min_output_tokens_per_s=20,
    ),
    "RAG over documents": Workload(
        name="RAG over documents", requests_per_month=1_000_000, input_tokens=6_000, output_tokens=400,
        cached_input_fraction=0.3, peak_to_average=2.5, max_ttft_ms=3_000, min_output_tokens_per_s=15,
    ),
    "coding agent": Workload(
        name="coding agent", requests_per_month=600_000, input_tokens=30_000, output_tokens=1_500,
        reasoning_tokens=2_000, cached_input_fraction=0.8, cache_write_fraction=0.1,
        peak_to_average=2, max_ttft_ms=5_000, min_output_tokens_per_s=30, min_context_tokens=64_000,
    ),
    "batch summarisation": Workload(
        name="batch summarisation", requests_per_month=2_000_000, input_tokens=3_000, output_tokens=250,
        batch_fraction=1.0, peak_to_average=1,
    ),
    "reasoning-heavy agent": Workload(
        name="reasoning-heavy agent", requests_per_month=200_000, input_tokens=4_000, output_tokens=800,
        reasoning_tokens=6_000, cached_input_fraction=0.4, peak_to_average=2, max_ttft_ms=10_000,
    ),
}

# Candidates picked when a scenario names none: closed flagships, seed families' own APIs.
DEFAULT_API_CANDIDATES: tuple[str, ...] = (
    "openai/gpt-5", "openai/gpt-5-mini", "openai/gpt-4o", "openai/gpt-4o-mini",
    "anthropic/claude-sonnet-4-5", "anthropic/claude-haiku-4-5",
    "google/gemini-2.5-pro", "google/gemini-2.5-flash",
    "deepseek/deepseek-chat", "deepseek/deepseek-reasoner",
    "alibaba/qwen3-max", "alibaba/qwen-plus", "zai/glm-4.6", "zai/glm-4.5",
    "moonshot/kimi-k2-0905-preview", "moonshot/kimi-k2-thinking", "xai/grok-4",
    "mistral/mistral-medium-latest",
)
# Open models whose three routes (maker's API, hosts, self-hosting) are lined up by default.
SEED_OPEN_MODELS: tuple[str, ...] = (
    "deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-V3", "Qwen/Qwen3-235B-A22B", "zai-org/GLM-4.5",
    "moonshotai/Kimi-K2-Instruct", "openai/gpt-oss-120b", "meta-llama/Llama-3.3-70B-Instruct",
)


def presets() -> dict[str, Workload]:
    """The example workloads the dashboard offers (copies, safe to edit)."""
    return dict(PRESETS)


# --------------------------------------------------------------------------- scenarios as files


def load_scenario(source: Path | str, name: str | None = None) -> Scenario:
    """Parse a scenario from a path or YAML text; errors name the file, entry and field."""
    if isinstance(source, Path):
        label = name or str(source)
        text = read_text(source, MAX_SCENARIO_BYTES, label)
    else:
        label = name or "scenario"
        text = source
    if len(text.encode("utf-8", "replace")) > MAX_SCENARIO_BYTES:
        raise DataError([Issue(label, "", "", f"scenario is over {MAX_SCENARIO_BYTES} bytes")])
    data = parse_yaml_text(text, label)
    if not isinstance(data, dict):
        raise DataError([Issue(label, "", "", "a scenario must be a YAML mapping with name and workloads")])
    return parse_model(Scenario, data, label)


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as YAML in the documented file shape (defaults left out)."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("name", scenario.name)
    data["workloads"] = [w.model_dump(mode="json", exclude_defaults=True) for w in scenario.workloads]
    for w, full in zip(data["workloads"], scenario.workloads, strict=True):
        for key in ("name", "requests_per_month", "input_tokens", "output_tokens"):
            w.setdefault(key, getattr(full, key))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def check_scenario_ids(scenario: Scenario, catalog: Catalog) -> None:
    """Raise DataError naming each option whose offer, model, GPU or hosting id is unknown."""
    issues = []
    for i, opt in enumerate(scenario.options):
        entry = f"options[{i}]"
        try:
            if isinstance(opt, ApiChoice):
                catalog.offer(opt.api)
            else:
                s = opt.selfhost
                catalog.model(s.model)
                catalog.gpu(s.gpu)
                if s.hosting not in (None, "owned"):
                    catalog.cloud_offer(s.hosting)
        except UnknownIdError as e:
            field = "api" if isinstance(opt, ApiChoice) else f"selfhost.{_field_of(e.kind)}"
            issues.append(Issue(scenario.name, entry, field, str(e)))
    if issues:
        raise DataError(issues)


def _field_of(kind: str) -> str:
    return {"model": "model", "GPU": "gpu", "hosting": "hosting"}.get(kind, kind)


# --------------------------------------------------------------------------- default candidates


def default_options(
    workloads: Sequence[Workload], catalog: Catalog, max_hosts: int = 2, today: dt.date | None = None,
) -> list[Option]:
    """Sensible candidates: closed flagships, makers' APIs, cheapest hosts, best-fitting GPUs (never a retired offer)."""
    live = catalog.live_offers(clock.resolve(today))
    picked = [i if i in live else (catalog.offers[i].successor or "") for i in DEFAULT_API_CANDIDATES
              if i in catalog.offers]  # a retired candidate gives way to the successor its provider names
    opts: list[Option] = [ApiChoice(api=i) for i in dict.fromkeys(picked) if i in live]
    frame = catalog.offers_frame()
    frame = frame[frame["id"].isin(list(live))]
    hosts = frame[frame["provider_kind"] == "open-host"]
    probe = workloads[0] if workloads else PRESETS["chat assistant"]
    seed_hosts = hosts[hosts["open_model"].isin(SEED_OPEN_MODELS)]
    host_costs = (
        api_cost.api_cost_frame(catalog, list(seed_hosts["id"]), [probe])
        .merge(seed_hosts[["id", "open_model"]], left_on="route_id", right_on="id")
        if len(seed_hosts) else pd.DataFrame(columns=["route_id", "open_model", "monthly_usd"])
    )
    for model_id in SEED_OPEN_MODELS:
        cands = host_costs[host_costs["open_model"] == model_id]
        for rid in cands.nsmallest(max_hosts, "monthly_usd")["route_id"]:
            opts.append(ApiChoice(api=str(rid)))
        first_party = frame[(frame["open_model"] == model_id) & (frame["provider_kind"] != "open-host")]
        for rid in first_party["id"]:
            if not any(isinstance(o, ApiChoice) and o.api == rid for o in opts):
                opts.append(ApiChoice(api=str(rid)))
        if model_id in catalog.models:
            for spec in selfhost.best_deployments(catalog, model_id, probe, limit=1):
                opts.append(SelfHostChoice(selfhost=spec))
                owned = spec.model_copy(update={"hosting": "owned"})
                opts.append(SelfHostChoice(selfhost=owned))
    return opts


# --------------------------------------------------------------------------- the comparison


def _api_rows(catalog: Catalog, ids: list[str], workloads: Sequence[Workload], ov: Overrides) -> pd.DataFrame:
    if not ids:
        return pd.DataFrame()
    df = api_cost.api_cost_frame(catalog, ids, workloads, provider_discount=ov.provider_discount)
    offers = [catalog.offers[i] for i in df["route_id"]]
    prov_kind = [catalog.providers[catalog.offer_provider[i]].kind for i in df["route_id"]]
    df["route_kind"] = [
        "api-closed" if o.open_model is None else ("api-open-host" if k == "open-host" else "api-open-first-party")
        for o, k in zip(offers, prov_kind, strict=True)
    ]
    df["label"] = [
        f"{o.display_name or o.model} via {catalog.providers[catalog.offer_provider[i]].name}"
        for o, i in zip(offers, df["route_id"], strict=True)
    ]
    df["model"] = [o.model for o in offers]
    df["open_model"] = [o.open_model for o in offers]
    df["price_source"] = [o.source for o in offers]
    df["price_as_of"] = [o.checked_on or o.as_of for o in offers]  # the last confirmation of the price
    df["fits"] = True
    return df


def _selfhost_rows(
    catalog: Catalog, specs: list[SelfHostSpec], workloads: Sequence[Workload], ov: Overrides,
    today: dt.date,
) -> pd.DataFrame:
    if not specs:
        return pd.DataFrame()
    df = selfhost.selfhost_frame(catalog, specs, workloads, ov, today=today)
    df["route_kind"] = np.where(df["ownership"] == "owned", "selfhost-owned", "selfhost-cloud")
    df["provider"] = np.where(df["ownership"] == "owned", "owned", df["hosting"].astype(str))
    df["open_model"] = df["model"]
    return df


def compare(scenario: Scenario, catalog: Catalog, today: dt.date | None = None) -> pd.DataFrame:
    """Every route for every workload, ranked by monthly cost within each workload.

    Dates (price ages, staleness warnings) are computed from `today`, else the scenario's
    `as_of`, else the clock: pass one to make the result reproducible.
    """
    today = today or scenario.as_of or clock.today()
    check_scenario_ids(scenario, catalog)
    options = list(scenario.options) or default_options(scenario.workloads, catalog, today=today)
    ov = scenario.overrides
    api_ids = list(dict.fromkeys(o.api for o in options if isinstance(o, ApiChoice)))
    specs = list(dict.fromkeys(o.selfhost for o in options if isinstance(o, SelfHostChoice)))
    parts = [
        p
        for p in (_api_rows(catalog, api_ids, scenario.workloads, ov),
                  _selfhost_rows(catalog, specs, scenario.workloads, ov, today))
        if len(p)
    ]
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COLUMNS))
    for col in COLUMNS:
        if col not in df:
            df[col] = np.nan if col.startswith(("usd", "gpus", "replicas", "util", "ttft", "tpot")) else None
    for col in BREAKDOWN_COLUMNS:
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0.0)
    df["warnings"] = df["warnings"].fillna("").astype(str)
    _mark_retired(df, catalog, today)
    df["price_age_days"] = [
        (today - d).days if isinstance(d, dt.date) else np.nan for d in df["price_as_of"]
    ]
    # API routes resolve via their offer id (or its open model); self-hosted ones via the HF id.
    df["quality_index"] = [
        quality.score(catalog, str(rid if kind.startswith("api") else om))
        for rid, om, kind in zip(df["route_id"], df["open_model"], df["route_kind"], strict=True)
    ]
    df["quality_index"] = pd.to_numeric(df["quality_index"], errors="coerce")
    df["usd_per_quality_point"] = df["monthly_usd"] / df["quality_index"]
    df["rank"] = df.groupby("workload")["monthly_usd"].rank(method="min", na_option="bottom").astype(int)
    df = df.sort_values(["workload", "rank", "route_id"], kind="stable").reset_index(drop=True)
    return df[list(COLUMNS)]


def _mark_retired(df: pd.DataFrame, catalog: Catalog, today: dt.date) -> None:
    """A retired API offer cannot serve: no cost (so it never ranks or wins), a warning naming its successor."""
    for i, rid in enumerate(df["route_id"]):
        o = catalog.offers.get(str(rid))
        if o is None or not str(df.at[i, "route_kind"]).startswith("api") or not o.is_retired(today):
            continue
        msg = f"retired on {o.retires_on}" + (f"; successor {o.successor}" if o.successor else "")
        df.at[i, "monthly_usd"] = np.nan
        df.at[i, "usd_per_mtok"] = np.nan
        df.at[i, "fits"] = False
        for col in BREAKDOWN_COLUMNS:
            df.at[i, col] = 0.0
        w = str(df.at[i, "warnings"])
        df.at[i, "warnings"] = f"{msg}; {w}" if w else msg


def portfolio(df: pd.DataFrame) -> pd.DataFrame:
    """Totals per route over all workloads (routes missing a workload are dropped)."""
    n = df["workload"].nunique()
    g = df.groupby(["route_id", "route_kind", "label"], dropna=False)
    out = g.agg(
        monthly_usd=("monthly_usd", lambda s: s.sum(min_count=len(s))),
        tokens_per_month=("tokens_per_month", "sum"),
        workloads=("workload", "nunique"),
    ).reset_index()
    out = out[out["workloads"] == n]
    out["usd_per_mtok"] = out["monthly_usd"] / (out["tokens_per_month"] / 1e6)
    return out.sort_values("monthly_usd", na_position="last").reset_index(drop=True)


def money(x: float, currency: str = "USD", rate: float = 1.0) -> str:
    """A monthly amount for people: $1.2M, $34.5k, $812."""
    v = x * rate
    sym = "$" if currency == "USD" else f"{currency} "
    if not math.isfinite(v):
        return "n/a"
    for div, suf in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{sym}{v / div:,.1f}{suf}"
    return f"{sym}{v:,.0f}"


def winner_sentence(df: pd.DataFrame, workload: str | None = None, currency: str = "USD", rate: float = 1.0) -> str:
    """The winner and its margin over the runner-up, in one sentence."""
    sub = df if workload is None else df[df["workload"] == workload]
    if workload is None and sub["workload"].nunique() > 1:
        sub = portfolio(df)
        what = "all workloads together"
    else:
        what = str(sub["workload"].iloc[0]) if len(sub) else "this workload"
    sub = sub[np.isfinite(sub["monthly_usd"].astype(float))].sort_values("monthly_usd")
    if sub.empty:
        return "No route can serve this workload with the chosen options."
    best = sub.iloc[0]
    if len(sub) == 1:
        return f"For {what}, {best['label']} is the only route that fits: {money(best['monthly_usd'], currency, rate)}/month."
    nxt = sub.iloc[1]
    diff = nxt["monthly_usd"] - best["monthly_usd"]
    pct = diff / nxt["monthly_usd"] * 100 if nxt["monthly_usd"] else 0.0
    return (
        f"For {what}, {best['label']} is cheapest at {money(best['monthly_usd'], currency, rate)}/month, "
        f"{money(diff, currency, rate)} ({pct:.0f}%) less than {nxt['label']}."
    )


def to_currency(df: pd.DataFrame, code: str, rate: float) -> pd.DataFrame:
    """Copy of df with money columns (usd_*, monthly_usd) converted and renamed to the currency."""
    if code == "USD" and rate == 1.0:
        return df.copy()
    out = df.copy()
    low = code.lower()
    ren = {}
    for col in out.columns:
        if col == "monthly_usd" or col.startswith("usd_"):
            out[col] = out[col] * rate
            ren[col] = col.replace("usd", low, 1)
    return out.rename(columns=ren)
