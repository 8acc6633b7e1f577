"""A Scenario -> one tidy DataFrame: one row per (workload, route), API and self-hosted side by side."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from pricing import api_cost, clock, gpu_price, quality, selfhost, staleness, task_tokens
from pricing.catalog import Catalog, parse_model, parse_yaml_text
from pricing.errors import DataError, InputError, Issue, UnknownIdError
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

MAX_SCENARIO_BYTES = 1_000_000  # the dashboard's upload widget limit (server.maxUploadSize = 1 MB)

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
    "gpus", "replicas", "layout", "utilization", "ttft_ms", "tpot_ms", "fits",
    "price_source", "price_as_of", "price_age_days", "quality_index", "usd_per_quality_point",
    "warnings", *BREAKDOWN_COLUMNS, "rank", "price_policy", "gpu_usd_per_hour",
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

# Makers whose newest open-weight models (with an architecture in data/models.yaml) are lined up by
# default through their three routes: the maker's own API, the two cheapest hosts, self-hosting.
SEED_MAKERS: tuple[str, ...] = ("deepseek-ai", "Qwen", "zai-org", "moonshotai", "openai", "meta-llama")
# A version number in a model name: "gpt-6.1-sol" -> 6.1, "claude-opus-5-5" -> 5.5, "Kimi-K2.6" -> 2.6;
# parameter counts ("120b", "235B") and date codes (2603, 0324: three digits or more) are not versions.
# Hugging Face organisation -> the provider id of the maker's own API (an open model sold by anyone
# else, e.g. Alibaba Cloud serving DeepSeek's weights, is a host, not the maker).
MAKER_PROVIDERS: dict[str, str] = {
    "deepseek-ai": "deepseek", "moonshotai": "moonshot", "zai-org": "zai", "Qwen": "alibaba",
    "mistralai": "mistral", "openai": "openai", "google": "google", "MiniMaxAI": "minimax",
}
_VERSION = re.compile(r"(?<![\d.])(\d{1,2})(?:[.p-](\d{1,2}))?(?![\dbBxX])")


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
    try:
        gpu_price.check_policy(scenario.overrides.gpu_price_policy, (o.provider for o in catalog.cloud.values()))
    except InputError as e:
        issues.append(Issue(scenario.name, "overrides", "gpu_price_policy", str(e)))
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
                if s.disaggregate:
                    issues += [Issue(scenario.name, entry, f"selfhost.{fld}", msg)
                               for fld, msg in selfhost.disagg_pin_issues(catalog, s)]
        except UnknownIdError as e:
            field = "api" if isinstance(opt, ApiChoice) else f"selfhost.{_field_of(e.kind)}"
            issues.append(Issue(scenario.name, entry, field, str(e)))
    if issues:
        raise DataError(issues)


def _field_of(kind: str) -> str:
    return {"model": "model", "GPU": "gpu", "hosting": "hosting"}.get(kind, kind)


# --------------------------------------------------------------------------- default candidates


def is_maker(provider: str, open_model: str) -> bool:
    """True when the provider is the maker of the open model (its own API), by Hugging Face organisation."""
    org = open_model.split("/", 1)[0]
    return MAKER_PROVIDERS.get(org) == provider or (org not in MAKER_PROVIDERS and provider == org.lower())


def version_of(name: str) -> float | None:
    """The version number in a model name (gpt-6.1-sol -> 6.1, claude-opus-5-5 -> 5.5), or None."""
    m = _VERSION.search(name.rsplit("/", 1)[-1])
    if m is None:
        return None
    return float(f"{m.group(1)}.{m.group(2)}") if m.group(2) else float(m.group(1))


def tier_of(name: str) -> str:
    """A model's line without its version (gpt-6.1-sol -> gpt-sol, claude-opus-5-5 -> claude-opus)."""
    base = name.rsplit("/", 1)[-1].lower()
    return re.sub(r"-+", "-", _VERSION.sub("", base, count=1)).strip("-")


def release_date(catalog: Catalog, offer_id: str) -> dt.date | None:
    """When an offer was released: its released_on, else its open model's release date, else None."""
    o = catalog.offers[offer_id]
    if o.released_on is not None:
        return o.released_on
    if o.open_model and o.open_model in catalog.models:
        return catalog.models[o.open_model].release_date
    return None


def _newer(a: tuple[dt.date | None, float | None], b: tuple[dt.date | None, float | None]) -> bool:
    """True when a is known to be newer than b: by release date when both are dated, else by version."""
    if a[0] is not None and b[0] is not None:
        return a[0] > b[0]
    if a[1] is not None and b[1] is not None:
        return a[1] > b[1]
    return False


def is_current(catalog: Catalog, offer_id: str, today: dt.date) -> bool:
    """Not retired, not past its deprecation date, and not replaced by a named successor still on sale."""
    o = catalog.offers[offer_id]
    if o.is_retired(today) or (o.deprecated_on is not None and today >= o.deprecated_on):
        return False
    succ = catalog.offers.get(o.successor) if o.successor else None
    return succ is None or succ.is_retired(today)


def _blended(o: Any) -> float:
    return float(o.usd_per_mtok_input + 3 * o.usd_per_mtok_output) / 4


def _own_families(catalog: Catalog) -> dict[str, str | None]:
    """Each provider's most common model family (a mixed provider's own line, not what it resells)."""
    out: dict[str, str | None] = {}
    for prov, pf in catalog.providers.items():
        fams = [o.family for o in pf.offers]
        out[prov] = max(set(fams), key=lambda f: (fams.count(f), str(f))) if fams else None
    return out


def current_closed_offers(catalog: Catalog, today: dt.date) -> list[str]:
    """Each closed-weights line's newest current offer per provider, minus those a newer offer beats.

    Lines are the model name without its version (gpt-sol, claude-opus, gemini-flash-lite). An
    offer is left out when another offer of the same provider is newer (release date, else the
    version in its name), costs no more per token, and has no lower sourced quality. Offers with
    neither a release date nor a version number cannot be placed and are left out.
    """
    out: list[str] = []
    by_provider: dict[str, list[str]] = {}
    own_family = _own_families(catalog)
    for oid, prov in catalog.offer_provider.items():
        o = catalog.offers[oid]
        if o.open_model is not None or catalog.providers[prov].kind == "open-host":
            continue
        if catalog.providers[prov].kind == "mixed" and o.family != own_family.get(prov):
            continue  # a model another maker made, resold
        if is_current(catalog, oid, today):
            by_provider.setdefault(prov, []).append(oid)
    for prov in sorted(by_provider):
        ids = by_provider[prov]
        age = {i: (release_date(catalog, i), version_of(catalog.offers[i].model)) for i in ids}
        ids = [i for i in ids if age[i] != (None, None)]
        lines: dict[str, list[str]] = {}
        for i in ids:
            lines.setdefault(tier_of(catalog.offers[i].model), []).append(i)
        heads = []
        for members in lines.values():
            top = [m for m in members if not any(_newer(age[x], age[m]) for x in members)]
            heads += top
        qual = {i: quality.score(catalog, i) for i in ids}
        for h in sorted(heads):
            beaten = any(
                _newer(age[x], age[h])
                and _blended(catalog.offers[x]) <= _blended(catalog.offers[h])
                and (qual[x] is None or qual[h] is None or qual[x] >= qual[h])  # type: ignore[operator]
                for x in ids
            )
            if not beaten:
                out.append(h)
    return out


def newest_open_models(catalog: Catalog, makers: Sequence[str] = SEED_MAKERS) -> list[str]:
    """Per maker, its newest open-weight models that have an architecture (ties kept)."""
    out: list[str] = []
    for maker in makers:
        ms = [m for m in catalog.models.values() if m.id.split("/", 1)[0] == maker]
        age = {m.id: (m.release_date, version_of(m.id)) for m in ms}
        for m in ms:
            if age[m.id] != (None, None) and not any(_newer(age[x], age[m.id]) for x in age):
                out.append(m.id)
    return sorted(out)


def default_open_model(catalog: Catalog, today: dt.date | None = None) -> str:
    """The seed makers' newest open model that the most live offers serve (a starting point to explore)."""
    seeds = newest_open_models(catalog) or sorted(catalog.models)
    named = Counter(o.open_model for o in catalog.live_offers(clock.resolve(today)).values() if o.open_model)
    return max(seeds, key=lambda m: (named[m], m))


def most_rented_gpu(catalog: Catalog) -> str:
    """The GPU with the most cloud price rows (ties: the larger memory), a starting point to explore."""
    rows = Counter(c.gpu for c in catalog.cloud.values())
    return max(catalog.gpus, key=lambda g: (rows[g], catalog.gpus[g].memory_gb, g))


def default_options(
    workloads: Sequence[Workload], catalog: Catalog, max_hosts: int = 2, today: dt.date | None = None
) -> list[Option]:
    """Current-generation candidates computed from the data, never a hard-coded list.

    Closed APIs: each provider's newest current offer per model line (current_closed_offers).
    Open weights: each seed maker's newest models with an architecture, through the maker's own
    API, the `max_hosts` cheapest hosts for the first workload, and self-hosting on the
    best-fitting GPU, rented, and owned where the GPU has a sourced purchase price.
    """
    day = clock.resolve(today)
    opts: list[Option] = [ApiChoice(api=i) for i in current_closed_offers(catalog, day)]
    seen = {o.api for o in opts if isinstance(o, ApiChoice)}
    frame = catalog.offers_frame()
    frame = frame[[is_current(catalog, str(i), day) for i in frame["id"]]]
    seeds = newest_open_models(catalog)
    hosts = frame[(frame["provider_kind"] == "open-host") & frame["open_model"].isin(seeds)]
    probe = workloads[0] if workloads else PRESETS["chat assistant"]
    host_costs = (
        api_cost.api_cost_frame(catalog, list(hosts["id"]), [probe])
        .merge(hosts[["id", "open_model"]], left_on="route_id", right_on="id")
        if len(hosts) else pd.DataFrame(columns=["route_id", "open_model", "monthly_usd"])
    )

    def add(rid: str) -> None:
        if rid not in seen:
            seen.add(rid)
            opts.append(ApiChoice(api=rid))

    for model_id in seeds:
        own = frame[(frame["open_model"] == model_id) & (frame["provider_kind"] != "open-host")]
        for rid, prov in zip(own["id"], own["provider"], strict=True):
            if is_maker(str(prov), model_id):
                add(str(rid))
        cands = host_costs[host_costs["open_model"] == model_id]
        for rid in cands.nsmallest(max_hosts, "monthly_usd")["route_id"]:
            add(str(rid))
        for spec in selfhost.best_deployments(catalog, model_id, probe, limit=1, today=day):
            opts.append(SelfHostChoice(selfhost=spec))
            gpu = catalog.gpus.get(spec.gpu)
            if gpu is not None and gpu.purchase_usd is not None:  # owned needs a sourced purchase price
                opts.append(SelfHostChoice(selfhost=spec.model_copy(update={"hosting": "owned"})))
    return opts


# --------------------------------------------------------------------------- the comparison


def _api_rows(catalog: Catalog, ids: list[str], workloads: Sequence[Workload], ov: Overrides) -> pd.DataFrame:
    if not ids:
        return pd.DataFrame()
    df = api_cost.api_cost_frame(catalog, ids, workloads, provider_discount=ov.provider_discount)
    offers = [catalog.offers[i] for i in df["route_id"]]
    prov_kind = [catalog.providers[catalog.offer_provider[i]].kind for i in df["route_id"]]
    df["route_kind"] = [
        "api-closed" if o.open_model is None
        else ("api-open-first-party" if k != "open-host" and is_maker(catalog.offer_provider[i], o.open_model)
              else "api-open-host")
        for o, k, i in zip(offers, prov_kind, df["route_id"], strict=True)
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
    tt = scenario.task_tokens
    ref = task_tokens.reference_figure(catalog, tt, scenario.name) if tt is not None else None
    groups: dict[float, tuple[list[str], list[SelfHostSpec]]] = {}
    for rid in api_ids:
        m = task_tokens.multiplier(catalog, rid, tt, ref)[0] if tt is not None and ref is not None else 1.0
        groups.setdefault(m, ([], []))[0].append(rid)
    for spec in specs:
        m = task_tokens.multiplier(catalog, spec.model, tt, ref)[0] if tt is not None and ref is not None else 1.0
        groups.setdefault(m, ([], []))[1].append(spec)
    parts = []
    for m, (ids, group_specs) in groups.items():
        wls = scenario.workloads if m == 1.0 else tuple(per_task_workload(w, m) for w in scenario.workloads)
        parts += [p for p in (_api_rows(catalog, ids, wls, ov), _selfhost_rows(catalog, group_specs, wls, ov, today))
                  if len(p)]
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COLUMNS))
    for col in COLUMNS:
        if col not in df:
            df[col] = np.nan if col.startswith(("usd", "gpus", "gpu_usd", "replicas", "util", "ttft", "tpot")) else None
    for col in BREAKDOWN_COLUMNS:
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0.0)
    df["warnings"] = df["warnings"].fillna("").astype(str)
    df["layout"] = df["layout"].fillna("").astype(str)  # self-hosted routes only: how the GPUs are split
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
    out = df[list(COLUMNS)]
    if tt is not None and ref is not None:
        notes = [
            task_tokens.multiplier(catalog, str(rid if str(kind).startswith("api") else om), tt, ref)
            for rid, om, kind in zip(out["route_id"], out["open_model"], out["route_kind"], strict=True)
        ]
        out = out.assign(task_tokens_multiplier=[n[0] for n in notes], task_tokens_note=[n[1] for n in notes])
    return out


def per_task_workload(w: Workload, m: float) -> Workload:
    """The workload as a model spending m times the reference's output and reasoning tokens sees it."""
    return w.model_copy(update={"output_tokens": w.output_tokens * m, "reasoning_tokens": w.reasoning_tokens * m})


def gpu_price_note(df: pd.DataFrame, policy: str | None) -> str:
    """One line for pages and reports: the GPU price policy and the hourly price it chose per GPU."""
    pol = gpu_price.check_policy(policy)
    cloud = df[df["route_kind"] == "selfhost-cloud"] if "route_kind" in df else df.iloc[0:0]
    seen: dict[str, set[str]] = {}
    for rid, v in zip(cloud["route_id"], cloud["gpu_usd_per_hour"], strict=True):
        gpu = str(rid).split("/")[3]  # self/<org>/<model>/<gpu>/...
        seen.setdefault(gpu, set()).add(f"${float(v):.2f}" if float(v) == float(v) else "no price")
    chosen = "; ".join(f"{g} {' or '.join(sorted(v))}/GPU-hour" for g, v in sorted(seen.items()))
    return (f"GPU price policy: {gpu_price.policy_label(pol)} (`{pol}`)" + (f": {chosen}" if chosen else "")
            + ". Your own price per GPU-hour overrides any policy.")


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


REFERENCE_ROLES = (
    ("closed", "the best closed API"),
    ("maker", "the model maker's own API"),
    ("selfhost", "the best self-hosted route"),
)


def compact(n: float) -> str:
    """A count for people: 2.8B, 340M, 12k; 'n/a' when not finite."""
    if not math.isfinite(n):
        return "n/a"
    for div, suf in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= div:
            return f"{n / div:,.1f}{suf}"
    return f"{n:,.0f}"


def references(df: pd.DataFrame, workload: str, min_quality: float = 0.0) -> dict[str, Any]:
    """The cheapest route of one workload and the reference routes it is measured against.

    Returns {"best": row or None, "closed"/"maker"/"selfhost": row or None, "dropped": rows left
    out by the quality floor}. Only routes with a cost count; with a minimum quality, only routes
    whose sourced quality index reaches it (a route without a score is left out, never assumed).
    The maker's API is the first-party API of the winner's own open model when there is one,
    else the cheapest first-party API of any open model among the candidates.
    """
    sub = df[(df["workload"] == workload) & np.isfinite(pd.to_numeric(df["monthly_usd"], errors="coerce"))]
    n_all = len(sub)
    if min_quality:
        q = pd.to_numeric(sub["quality_index"], errors="coerce")
        sub = sub[q.notna() & (q >= min_quality)]
    sub = sub.sort_values(["monthly_usd", "route_id"], kind="stable")
    out: dict[str, Any] = {"best": None, "closed": None, "maker": None, "selfhost": None,
                           "dropped": n_all - len(sub)}
    if sub.empty:
        return out
    best = sub.iloc[0]
    out["best"] = best
    closed = sub[sub["route_kind"] == "api-closed"]
    out["closed"] = closed.iloc[0] if len(closed) else None
    makers = sub[sub["route_kind"] == "api-open-first-party"]
    same = makers[makers["open_model"] == best["open_model"]] if best["open_model"] else makers.iloc[0:0]
    pick = same if len(same) else makers
    out["maker"] = pick.iloc[0] if len(pick) else None
    hosted = sub[sub["route_kind"].astype(str).str.startswith("selfhost")]
    out["selfhost"] = hosted.iloc[0] if len(hosted) else None
    return out


def headline(
    df: pd.DataFrame, workload: str, min_quality: float = 0.0, currency: str = "USD", rate: float = 1.0,
    quality_label: str | None = None,
) -> list[str]:
    """The answer for a planning meeting, as sentences: the cheapest route, then its saving against
    the best closed API, the model maker's own API and the best self-hosted route, in money and %."""
    ref = references(df, workload, min_quality)
    best = ref["best"]
    floor = ""
    if min_quality:
        floor = f" among routes at least as good as {quality_label}" if quality_label else \
            f" among routes with a quality index of at least {min_quality:g}"
    if best is None:
        return [f"For {workload}, no route can serve the workload{floor}."]

    def m(v: Any) -> str:
        return money(float(v), currency, rate)

    out = [f"For {workload}, the cheapest route{floor} is {best['label']} at {m(best['monthly_usd'])}/month."]
    age = pd.to_numeric(pd.Series([best.get("price_age_days")]), errors="coerce").iloc[0]
    if math.isfinite(age) and age > staleness.AGING_DAYS:
        out[0] += f" Its price is {age:.0f} days old: check it before deciding."
    for role, what in REFERENCE_ROLES:
        r = ref[role]
        if r is None:
            noun = what.removeprefix("the best ").removeprefix("the ")
            out.append(f"No {noun} among the candidates has a sourced quality score at that level." if min_quality
                       else f"No {noun} is among the candidates.")
        elif r["route_id"] == best["route_id"]:
            out.append(f"It is itself {what}.")
        else:
            diff = float(r["monthly_usd"] - best["monthly_usd"])
            pct = diff / float(r["monthly_usd"]) * 100 if r["monthly_usd"] else 0.0
            out.append(f"Against {what} ({r['label']}, {m(r['monthly_usd'])}/month) it saves "
                       f"{m(diff)}/month ({pct:.0f}%).")
    if ref["dropped"]:
        out.append(f"{ref['dropped']} routes are left out: below that quality, or without a sourced score.")
    return out


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
