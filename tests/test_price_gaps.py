"""No offer implies the full price by silence: every live offer has a cache-read price or says the
provider publishes none, and a batch price or says there is no batch API, except the (provider, what)
pairs below whose answer no source we could read gives, each with the reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from pricing.catalog import load_catalog
from pricing.cli.catalog import records
from pricing.feeds.curation import CachePrice, load_curation
from pricing.feeds.litellm import offer_from_entry
from pricing.schema import NO_BATCH_API, NO_CACHE_DISCOUNT, NOT_KNOWN

TODAY = dt.date(2026, 11, 30)

# (provider, "cache" | "batch") -> why the answer is not known for the offers that have none
UNKNOWN: dict[tuple[str, str], str] = {
    ("alibaba", "cache"): "Model Studio's implicit cache bills hits at 20% of input, but only for the models its "
    "supported-model list names; the list (Singapore region) is not in our sources for qwen3-max, qwen3.5-plus, "
    "qwq-plus, qwen3-next and qwen3-vl",
    ("deepinfra", "cache"): "DeepInfra bills cached input 'at a reduced rate' per model (docs.deepinfra.com/chat/"
    "prompt-caching); the per-model cached price of these models is on deepinfra.com/pricing, not in our sources",
    ("nebius", "cache"): "Nebius lists cached-input prices per model on nebius.com/prices; those for these models "
    "are not in our sources",
    ("novita", "cache"): "Novita's prompt-cache price is per model in the 'Cache' section of novita.ai/pricing, a "
    "page not in our sources (novita.ai/docs/guides/llm-prompt-cache lists the models in a script)",
    ("novita", "batch"): "Novita sells a Batch API (novita.ai/docs/guides/llm-batch-api, 48h window) for the models "
    "its page lists in a script; neither that list nor a batch price is in our sources",
    ("together", "cache"): "Together bills cached input at a discount on 'select serverless chat models' "
    "(docs.together.ai/docs/inference/pricing); which ones, and at what price, is in the model catalog, not in our "
    "sources for these models",
    ("xai", "batch"): "xAI's Batch API is priced per model (docs.x.ai/developers/pricing#batch-api-pricing; 20%-50% "
    "off, and 'not every xAI model accepts batch requests'); the table for these models is not in our sources",
    ("zai", "batch"): "no Z.ai page on batch pricing or a batch endpoint is in our sources",
}

CURATED_PROVIDERS = {p for p, _ in UNKNOWN}


def _gaps() -> dict[tuple[str, str], list[str]]:
    cat = load_catalog()
    out: dict[tuple[str, str], list[str]] = {}
    for oid, o in cat.live_offers(TODAY).items():
        prov = cat.offer_provider[oid]
        if o.usd_per_mtok_cached_input is None and not o.no_cache_price:
            out.setdefault((prov, "cache"), []).append(oid)
        if o.batch is None and not o.no_batch_api:
            out.setdefault((prov, "batch"), []).append(oid)
    return out


def test_every_live_offer_has_a_cache_and_a_batch_answer() -> None:
    gaps = _gaps()
    silent = {k: v for k, v in gaps.items() if k not in UNKNOWN}
    assert not silent, f"offers with neither a price nor a 'none published' marker: {silent}"


def test_the_allow_list_holds_nothing_already_answered() -> None:
    """An entry whose gap has been filled must leave the list, so it never hides a new gap."""
    gaps = _gaps()
    stale = sorted(k for k in UNKNOWN if k not in gaps)
    assert not stale, f"allow-list entries with no remaining gap: {stale}"
    assert all(len(r) > 40 for r in UNKNOWN.values())


def test_markers_reach_the_cli_json_and_the_catalog_frame() -> None:
    rows = {r["id"]: r for r in records("api")}
    cat = load_catalog()
    frame = cat.offers_frame().set_index("id")
    # Groq publishes no cache price for Qwen3.8-27B; DeepSeek sells no batch API
    assert rows["groq/qwen/qwen3.8-27b"]["cache_read"] == NO_CACHE_DISCOUNT
    assert frame.loc["groq/qwen/qwen3.8-27b", "cache_read"] == NO_CACHE_DISCOUNT
    ds = [i for i in rows if i.startswith("deepseek/")]
    assert ds and all(rows[i]["batch"] == NO_BATCH_API for i in ds)
    assert all(frame.loc[i, "batch"] == NO_BATCH_API for i in ds)
    # no blank: every row says something in both columns
    assert all(r["cache_read"] and r["batch"] for r in rows.values())
    assert all(isinstance(v, str) and v for v in frame["cache_read"]) and all(frame["batch"].astype(bool))
    unknown = [i for i, r in rows.items() if r["batch"] == NOT_KNOWN]
    assert unknown and all(rows[i]["provider"] in CURATED_PROVIDERS for i in unknown)


def test_priced_rows_show_the_price() -> None:
    frame = load_catalog().offers_frame().set_index("id")
    o = load_catalog().offers["deepinfra/meta-llama/Llama-3.3-70B-Instruct"]
    assert o.batch is not None
    # DeepInfra batch is 20% below the real-time price
    assert o.batch.usd_per_mtok_input == pytest.approx(0.8 * o.usd_per_mtok_input)
    assert o.batch.usd_per_mtok_output == pytest.approx(0.8 * o.usd_per_mtok_output)
    assert frame.loc["deepinfra/meta-llama/Llama-3.3-70B-Instruct", "batch"].startswith("$")


def test_provider_cache_rule_applies_only_where_the_feed_and_the_pick_are_silent() -> None:
    cur = load_curation()
    pick = next(p for p in cur.offers["fireworks"] if p.key.endswith("llama-v3p3-70b-instruct"))
    entry = {"input_cost_per_token": 0.9e-6, "output_cost_per_token": 0.9e-6}
    o = offer_from_entry("fireworks", pick, entry, TODAY, "test", cur)
    assert o.usd_per_mtok_cached_input == pytest.approx(0.45)  # Fireworks' default rule: half the input price
    assert o.cached_input_source and "0.5 x the input price" in o.cached_input_source
    fed = offer_from_entry("fireworks", pick, {**entry, "cache_read_input_token_cost": 0.1e-6}, TODAY, "test", cur)
    assert fed.usd_per_mtok_cached_input == pytest.approx(0.1) and fed.cached_input_source is None


def test_a_picks_marker_wins_over_the_providers_rule() -> None:
    cur = load_curation()
    pick = next(p for p in cur.offers["moonshot"] if p.key == "moonshot/kimi-k3")
    entry = {"input_cost_per_token": 3e-6, "output_cost_per_token": 15e-6}
    o = offer_from_entry("moonshot", pick, entry, TODAY, "test", cur)
    assert o.batch is None and o.no_batch_api  # Moonshot's batch page names kimi-k2.5 only
    k26 = next(p for p in cur.offers["moonshot"] if p.key == "moonshot/kimi-k2.6")
    b = offer_from_entry("moonshot", k26, entry, TODAY, "test", cur).batch
    assert b is not None and b.usd_per_mtok_input == pytest.approx(1.8)  # 60% of the standard price


def test_cache_price_takes_one_form() -> None:
    with pytest.raises(ValueError, match="either"):
        CachePrice(source="x" * 5, as_of=TODAY)
    with pytest.raises(ValueError, match="either"):
        CachePrice(source="x" * 5, as_of=TODAY, usd_per_mtok_cached_input=0.1, fraction_of_input=0.5)
    assert CachePrice(source="xxxxx", as_of=TODAY, fraction_of_input=0.2).price(1.5) == pytest.approx(0.3)


def test_curation_rejects_an_unknown_key_in_a_cache_rule(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[1] / "data" / "curation.yaml"
    doc = yaml.safe_load(src.read_text())
    doc["providers"]["fireworks"]["cache"]["fraction_of_inputs"] = 0.4
    bad = tmp_path / "curation.yaml"
    bad.write_text(yaml.safe_dump(doc))
    with pytest.raises(Exception, match="fraction_of_inputs"):
        load_curation(bad)
