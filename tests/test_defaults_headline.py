"""Computed current-generation defaults and the headline of reference comparisons."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from pricing.compare import (
    compare,
    current_closed_offers,
    default_options,
    headline,
    newest_open_models,
    presets,
    references,
    release_date,
    tier_of,
    version_of,
)
from pricing.schema import ApiChoice, Scenario, SelfHostChoice

TODAY = dt.date(2026, 11, 29)
CHAT = presets()["chat assistant"]


@pytest.mark.parametrize("name,version,tier", [
    ("gpt-6.1-sol", 6.1, "gpt-sol"), ("claude-opus-5-5", 5.5, "claude-opus"), ("grok-4.20-reasoning", 4.2,
     "grok-reasoning"), ("gpt-oss-120b", None, "gpt-oss-120b"), ("mistral-small-2603", None, "mistral-small-2603"),
    ("Qwen3-235B-A22B-Instruct-2507", 3.0, "qwen-235b-a22b-instruct-2507"), ("glm-5p3", 5.3, "glm"),
    ("moonshotai/Kimi-K2.6", 2.6, "kimi-k"),
])
def test_versions_and_lines_are_read_from_names(name, version, tier) -> None:
    assert version_of(name) == version
    assert tier_of(name) == tier


def _newest(catalog, provider: str) -> str:
    """The provider's newest offer: latest release date, else highest version in its name."""
    ids = [i for i, p in catalog.offer_provider.items() if p == provider]
    return max(ids, key=lambda i: (release_date(catalog, i) or dt.date.min, version_of(catalog.offers[i].model) or -1))


def test_defaults_are_current_and_include_each_closed_providers_newest(catalog) -> None:
    opts = default_options([CHAT], catalog, today=TODAY)
    api = [o.api for o in opts if isinstance(o, ApiChoice)]
    for i in api:
        o = catalog.offers[i]
        assert not o.is_retired(TODAY), f"default {i} is retired"
        assert o.deprecated_on is None or o.deprecated_on > TODAY, f"default {i} is deprecated"
        succ = catalog.offers.get(o.successor) if o.successor else None
        assert succ is None or succ.is_retired(TODAY), f"default {i} is superseded by {o.successor}"
    for prov, pf in catalog.providers.items():
        if pf.kind == "closed":
            assert _newest(catalog, prov) in api, prov
    # no hard-coded last-generation ids
    assert not {"openai/gpt-4o", "openai/gpt-5", "deepseek/deepseek-chat", "deepseek/deepseek-reasoner"} & set(api)
    models = {o.selfhost.model for o in opts if isinstance(o, SelfHostChoice)}
    assert models == set(newest_open_models(catalog))
    assert "deepseek-ai/DeepSeek-V4-Pro" in models and any(m.startswith("moonshotai/Kimi-K") for m in models)


def test_a_retired_or_superseded_offer_leaves_the_defaults(catalog) -> None:
    newest = _newest(catalog, "openai")
    assert newest in current_closed_offers(catalog, TODAY)
    retired = dataclasses.replace(catalog, offers={**catalog.offers, newest: catalog.offers[newest].model_copy(
        update={"retires_on": TODAY})}, _cache={})
    assert newest not in current_closed_offers(retired, TODAY)
    other = next(i for i in current_closed_offers(catalog, TODAY) if i.startswith("anthropic/"))
    replaced = dataclasses.replace(catalog, offers={**catalog.offers, other: catalog.offers[other].model_copy(
        update={"successor": "anthropic/claude-haiku-4-5"})}, _cache={})
    assert other not in current_closed_offers(replaced, TODAY)


def _frame() -> pd.DataFrame:
    rows = [
        ("self", "selfhost-cloud", "M on 8x H100", "org/M", 1000.0, 40.0),
        ("host", "api-open-host", "M via Host", "org/M", 1500.0, 40.0),
        ("maker", "api-open-first-party", "M via Maker", "org/M", 2000.0, 40.0),
        ("closed-a", "api-closed", "Big via Closed", None, 8000.0, 50.0),
        ("closed-b", "api-closed", "Small via Closed", None, 4000.0, None),
    ]
    return pd.DataFrame([{"workload": "w", "route_id": r, "route_kind": k, "label": lab, "open_model": om,
                          "monthly_usd": c, "quality_index": q} for r, k, lab, om, c, q in rows])


def test_headline_names_each_reference_and_its_saving() -> None:
    lines = headline(_frame(), "w")
    assert lines[0] == "For w, the cheapest route is M on 8x H100 at $1.0k/month."
    assert "Against the best closed API (Small via Closed, $4.0k/month) it saves $3.0k/month (75%)." in lines
    assert "Against the model maker's own API (M via Maker, $2.0k/month) it saves $1.0k/month (50%)." in lines
    assert "It is itself the best self-hosted route." in lines


def test_headline_matches_quality_when_asked() -> None:
    ref = references(_frame(), "w", min_quality=45)
    assert ref["best"]["route_id"] == "closed-a" and ref["dropped"] == 4
    assert ref["maker"] is None and ref["selfhost"] is None
    lines = headline(_frame(), "w", min_quality=45, quality_label="gpt-x (45)")
    assert lines[0].startswith("For w, the cheapest route among routes at least as good as gpt-x (45) is Big")


def test_headline_on_a_real_20m_request_workload(catalog) -> None:
    w = CHAT.model_copy(update={"requests_per_month": 20e6})
    df = compare(Scenario(name="s", workloads=(w,)), catalog, today=TODAY)
    ref = references(df, w.name)
    assert ref["closed"] is not None and ref["maker"] is not None and ref["selfhost"] is not None
    assert ref["best"]["monthly_usd"] <= min(ref[k]["monthly_usd"] for k in ("closed", "maker", "selfhost"))
    # the maker's API really is the maker's: DeepSeek's weights sold by Alibaba are a host
    assert (df[df["route_id"] == "alibaba/deepseek-v4-flash"]["route_kind"] == "api-open-host").all()


def test_gpt_4o_finds_the_score_filed_under_its_snapshot(catalog) -> None:
    from pricing import quality

    got = quality.quality_for(catalog, "openai/gpt-4o")
    assert got["Artificial Analysis Coding Index"][0] == 24.2
    assert quality.score(catalog, "openai/gpt-4o") is None  # no Intelligence Index was published for it


def test_exploration_defaults_are_computed_from_the_catalog(catalog) -> None:
    from collections import Counter

    from pricing.compare import default_open_model, most_rented_gpu
    m = default_open_model(catalog, dt.date(2026, 11, 30))
    assert m in newest_open_models(catalog) and m in catalog.models
    rows = Counter(c.gpu for c in catalog.cloud.values())
    assert rows[most_rented_gpu(catalog)] == max(rows.values())
