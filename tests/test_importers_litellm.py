"""The LiteLLM importer: pure conversion rules, and every bundled offer against the snapshot."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from pricing.api_cost import offer_price_table
from pricing.catalog import parse_model, read_yaml
from pricing.feeds.curation import default_curation
from pricing.feeds.snapshots import LITELLM_SNAPSHOT
from pricing.importers import litellm
from pricing.schema import ProviderFile

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = LITELLM_SNAPSHOT
CURATED = default_curation().offers
PROVIDERS = default_curation().providers
AS_OF = dt.date(2026, 11, 1)
FW = "fireworks_ai/accounts/fireworks/models/"

RAW = {
    "gpt-4o": {
        "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5000000000000004e-06,
        "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-06,
        "input_cost_per_token_batches": 1.25e-06, "output_cost_per_token_batches": 5e-06,
        "max_input_tokens": 128000, "max_output_tokens": 16384, "deprecation_date": "2027-01-14",
        "source": "https://example.com/openai-pricing",
    },
    "gemini/gemini-2.5-pro": {
        "litellm_provider": "gemini", "mode": "chat", "input_cost_per_token": 1.25e-06,
        "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-07,
        "input_cost_per_token_above_200k_tokens": 2.5e-06, "output_cost_per_token_above_200k_tokens": 1.5e-05,
        "cache_read_input_token_cost_above_200k_tokens": 2.5e-07, "max_input_tokens": 1048576,
    },
    "dashscope/qwen3-max": {
        "litellm_provider": "dashscope", "mode": "chat", "max_input_tokens": 258048,
        "tiered_pricing": [
            {"input_cost_per_token": 2.4e-06, "output_cost_per_token": 1.2e-05, "range": [32000.0, 128000.0]},
            {"input_cost_per_token": 1.2e-06, "output_cost_per_token": 6e-06, "range": [0, 32000.0]},
            {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "range": [128000.0, 252000.0]},
        ],
    },
    "deepseek/deepseek-v4-flash": {
        "litellm_provider": "deepseek", "mode": "chat", "input_cost_per_token": 3e-07,
        "output_cost_per_token": 1.2e-06, "cache_read_input_token_cost": 6e-09,
        "cache_creation_input_token_cost": 0.0, "max_input_tokens": 1000000,
        "off_peak_pricing": {
            "input_cost_per_token": 1.5e-07, "output_cost_per_token": 6e-07, "cache_read_input_token_cost": 3e-09,
            "windows": [{"hours_utc": ["00:00-01:00", "04:00-06:00", "10:00-00:00"], "weekdays": [1, 2, 3, 4, 5]},
                        {"hours_utc": "00:00-00:00", "weekdays": [6, 7]}],
        },
    },
    FW + "glm-4p7": {
        "litellm_provider": "fireworks_ai", "mode": "chat", "input_cost_per_token": 6e-07,
        "output_cost_per_token": 2.2e-06, "input_cost_per_request": 0.0001,
    },
    "claude-haiku-4-5": {"litellm_provider": "anthropic", "mode": "chat"},  # unpriced: skipped
}


def _by_id(by_provider):
    return {f"{p}/{o.model}": o for p, offers in by_provider.items() for o in offers}


def test_conversion_rules():
    """Per-token -> per-1M with float noise rounded away; batch, tiers, off-peak, fees, prefixes."""
    offers = _by_id(litellm.offers_from_litellm(RAW, AS_OF, "unit test"))
    assert set(offers) == {"openai/gpt-4o", "google/gemini-2.5-pro", "alibaba/qwen3-max",
                           "deepseek/deepseek-v4-flash", "fireworks/glm-4p7"}
    gpt = offers["openai/gpt-4o"]
    assert gpt.usd_per_mtok_input == 2.5
    assert gpt.usd_per_mtok_cached_input == 1.25
    assert gpt.batch is not None and (gpt.batch.usd_per_mtok_input, gpt.batch.usd_per_mtok_output) == (1.25, 5.0)
    assert gpt.source == "https://example.com/openai-pricing (via unit test)"
    assert gpt.as_of == AS_OF and gpt.context_tokens == 128000 and gpt.max_output_tokens == 16384
    assert gpt.retires_on == dt.date(2027, 1, 14) and "deprecation_date" in (gpt.lifecycle_source or "")
    assert gpt.checked_on == AS_OF
    gem = offers["google/gemini-2.5-pro"]
    assert [(t.above_input_tokens, t.usd_per_mtok_input, t.usd_per_mtok_output, t.usd_per_mtok_cached_input)
            for t in gem.tiers] == [(200_000, 2.5, 15.0, 0.25)]
    assert gem.source.startswith(PROVIDERS["google"].pricing_page)
    qwen = offers["alibaba/qwen3-max"]
    assert (qwen.usd_per_mtok_input, qwen.usd_per_mtok_output) == (1.2, 6.0)
    assert [t.above_input_tokens for t in qwen.tiers] == [32000, 128000]
    assert [t.usd_per_mtok_input for t in qwen.tiers] == [2.4, 3.0]
    ds = offers["deepseek/deepseek-v4-flash"]
    assert ds.usd_per_mtok_cache_write is None  # a 0 write price next to a paid read: no separate charge
    assert ds.off_peak is not None
    assert (ds.off_peak.start_utc, ds.off_peak.end_utc) == ("10:00", "00:00")
    assert (ds.off_peak.usd_per_mtok_input, ds.off_peak.usd_per_mtok_output) == (0.15, 0.6)
    assert ds.off_peak.usd_per_mtok_cached_input == 0.003
    assert "weekends all day" in (ds.notes or "")
    fw = offers["fireworks/glm-4p7"]
    assert fw.model == "glm-4p7" and fw.usd_per_request == 0.0001
    assert fw.open_model == "zai-org/GLM-4.7"


def test_pure_and_deterministic():
    """Same input, same output; the input dict is not modified."""
    before = json.dumps(RAW, sort_keys=True)
    a = litellm.offers_from_litellm(RAW, AS_OF, "x")
    b = litellm.offers_from_litellm(RAW, AS_OF, "x")
    assert a == b
    assert json.dumps(RAW, sort_keys=True) == before


def test_missing_picks_listed():
    """Curated keys the map lacks are reported, not fatal."""
    missing = litellm.missing_picks(RAW)
    assert "claude-haiku-4-5" in missing and "gpt-4o" not in missing


def test_mtok_rounding():
    """Float noise disappears; tiny prices survive."""
    assert litellm.mtok(1.0000000000000001e-07) == 0.1
    assert litellm.mtok(4.2e-09) == 0.0042
    assert litellm.mtok(None) is None


# --------------------------------------------------------------------------- against the snapshot



def _bundled() -> dict[str, tuple[str, object]]:
    out = {}
    for path in sorted((ROOT / "data" / "api").glob("*.yaml")):
        pf = parse_model(ProviderFile, read_yaml(path), path.name)
        for o in pf.offers:
            out[f"{pf.provider}/{o.model}"] = (pf.provider, o)
    return out


@pytest.fixture(scope="module")
def raw():
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_data_files_are_up_to_date(tmp_path):
    """Rerunning the importer reproduces data/api byte for byte."""
    shutil.copytree(ROOT / "data" / "api", tmp_path / "api")
    assert litellm.main(["--src", str(SNAPSHOT), "--data-dir", str(tmp_path), "--check"]) == 0
    assert litellm.main(["--src", str(SNAPSHOT), "--data-dir", str(tmp_path)]) == 0
    for path in (ROOT / "data" / "api").glob("*.yaml"):
        assert (tmp_path / "api" / path.name).read_text() == path.read_text()


# Differences from the raw LiteLLM numbers that are rules of the importer, each with its reason.
ALLOWED = {
    "usd_per_mtok_cache_write": "LiteLLM gives 0 for a cache write next to a paid cache read (DeepSeek, "
    "Z.ai): those providers bill cache misses at the input price; the importer leaves it empty (= input).",
}


def _pairs(entry, offer):
    """(field, LiteLLM value per 1M, our value) for every price the importer takes from an entry."""
    m = litellm.mtok
    base = dict(entry)
    rng = sorted(entry.get("tiered_pricing") or [], key=lambda r: r["range"][0])
    if rng and base.get("input_cost_per_token") is None:
        base.update(rng[0])
    yield "usd_per_mtok_input", m(base.get("input_cost_per_token")), offer.usd_per_mtok_input
    yield "usd_per_mtok_output", m(base.get("output_cost_per_token")), offer.usd_per_mtok_output
    yield "usd_per_mtok_cached_input", m(base.get("cache_read_input_token_cost")), (
        None if offer.cached_input_source else offer.usd_per_mtok_cached_input)
    yield "usd_per_mtok_cache_write", m(base.get("cache_creation_input_token_cost")), offer.usd_per_mtok_cache_write
    yield "usd_per_mtok_reasoning", m(base.get("output_cost_per_reasoning_token")), offer.usd_per_mtok_reasoning
    yield "context_tokens", entry.get("max_input_tokens"), offer.context_tokens
    b = offer.batch if offer.batch is None or offer.batch.source is None else None  # curated batch: own source
    if offer.batch is not None and offer.batch.source is not None:
        assert entry.get("input_cost_per_token_batches") is None, "a curated batch price hides LiteLLM's"
    yield "batch.input", m(entry.get("input_cost_per_token_batches")), b and b.usd_per_mtok_input
    yield "batch.output", m(entry.get("output_cost_per_token_batches")), b and b.usd_per_mtok_output
    yield "batch.cached", m(entry.get("cache_read_input_token_cost_batches")), b and b.usd_per_mtok_cached_input
    tiers = {t.above_input_tokens: t for t in offer.tiers}
    for key, v in entry.items():
        mm = re.match(r"^input_cost_per_token_above_(\d+)k_tokens$", key)
        if mm:
            t = tiers.get(int(mm.group(1)) * 1000)
            yield f"tier{mm.group(1)}k.input", m(v), t and t.usd_per_mtok_input
            yield f"tier{mm.group(1)}k.output", m(entry.get(f"output_cost_per_token_above_{mm.group(1)}k_tokens")), \
                t and t.usd_per_mtok_output
    for r in rng[1:]:
        t = tiers.get(int(r["range"][0]))
        yield f"tier@{int(r['range'][0])}.input", m(r.get("input_cost_per_token")), t and t.usd_per_mtok_input
        yield f"tier@{int(r['range'][0])}.output", m(r.get("output_cost_per_token")), t and t.usd_per_mtok_output
    op = entry.get("off_peak_pricing")
    if op:
        yield "off_peak.input", m(op.get("input_cost_per_token")), offer.off_peak and offer.off_peak.usd_per_mtok_input
        yield "off_peak.output", m(op.get("output_cost_per_token")), offer.off_peak and offer.off_peak.usd_per_mtok_output


def test_every_offer_matches_the_snapshot(raw):
    """Every bundled offer's prices equal LiteLLM's, or differ by an allow-listed rule."""
    keys = {f"{p}/{pick.model or litellm.model_name(p, pick.key)}": pick.key for p, ps in CURATED.items() for pick in ps}
    bundled = _bundled()
    agree = 0
    unexplained = []
    for oid, (_, offer) in bundled.items():
        assert oid in keys, f"{oid} is in data/api but not in the curation"
        entry = raw[keys[oid]]
        diffs = [(f, lit, ours) for f, lit, ours in _pairs(entry, offer) if lit != ours]
        if not diffs:
            agree += 1
        for f, lit, ours in diffs:
            if not (f in ALLOWED and lit == 0.0 and ours is None):
                unexplained.append(f"{oid}: {f}: LiteLLM {lit} vs ours {ours}")
    assert not unexplained, "\n".join(unexplained)
    rate = agree / len(bundled)
    print(f"\nLiteLLM agreement: {agree}/{len(bundled)} offers identical on every price ({rate:.1%}); "
          f"the rest differ only by allow-listed rules")
    assert rate > 0.9


# Where LiteLLM lists prices our schema derives by rule (batch cache write, batch tiers), the rule
# must reproduce them. Exceptions, each explained:
RULE_EXCEPTIONS: dict[str, str] = {}


def test_derived_prices_match_litellm_where_listed(raw):
    """Batch cache-write and batch long-context tier prices from the engine's ratio rules."""
    keys = {f"{p}/{pick.model or litellm.model_name(p, pick.key)}": pick.key for p, ps in CURATED.items() for pick in ps}
    offers = {oid: o for oid, (_, o) in _bundled().items()}
    table = offer_price_table(offers)
    checked, wrong = 0, []
    for oid, offer in offers.items():
        e = raw[keys[oid]]
        row = table.loc[oid]
        want = {"batch_usd_per_mtok_cache_write": e.get("cache_creation_input_token_cost_batches")}
        for k, t in enumerate(offer.tiers, start=1):
            thr = f"{t.above_input_tokens // 1000}k"
            want[f"batch_tier{k}_usd_per_mtok_input"] = e.get(f"input_cost_per_token_above_{thr}_tokens_batches")
            want[f"batch_tier{k}_usd_per_mtok_output"] = e.get(f"output_cost_per_token_above_{thr}_tokens_batches")
        for col, v in want.items():
            if v is None or offer.batch is None or oid in RULE_EXCEPTIONS:
                continue
            checked += 1
            if abs(row[col] - litellm.mtok(v)) > 1e-9:
                wrong.append(f"{oid}: {col}: LiteLLM {litellm.mtok(v)} vs rule {row[col]}")
    assert checked >= 20
    assert not wrong, "\n".join(wrong)


# --------------------------------------------------------------------------- coverage

REQUIRED_IDS = ("openai/gpt-4o", "anthropic/claude-haiku-4-5", "google/gemini-2.5-pro", "deepseek/deepseek-chat",
                "deepseek/deepseek-reasoner")
SEED_FAMILIES = ("deepseek-r1", "deepseek-v3", "deepseek-v3.2", "deepseek-v4", "qwen3", "glm", "kimi", "gpt-oss",
                 "llama-3", "llama-4")
SEED_OPEN = ("deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-V3", "Qwen/Qwen3-235B-A22B", "zai-org/GLM-4.5",
             "moonshotai/Kimi-K2-Instruct", "openai/gpt-oss-120b", "meta-llama/Llama-3.3-70B-Instruct")


def test_coverage():
    """At least 150 offers, every named provider, the seed families and ids, open weights named."""
    bundled = _bundled()
    assert len(bundled) >= 150
    providers = {p for p, _ in bundled.values()}
    assert {"openai", "anthropic", "google", "deepseek", "alibaba", "zai", "moonshot", "mistral", "xai",
            "together", "fireworks", "deepinfra", "groq"} <= providers
    for oid in REQUIRED_IDS:
        assert oid in bundled
    families = {o.family for _, o in bundled.values()}
    assert set(SEED_FAMILIES) <= families
    open_models = {o.open_model for _, o in bundled.values()}
    assert set(SEED_OPEN) <= open_models
    for oid, (p, o) in bundled.items():
        if PROVIDERS[p].kind == "open-host" and o.family in ("deepseek-r1", "deepseek-v3", "gpt-oss", "llama-3", "llama-4"):
            assert o.open_model, f"{oid} serves open weights but names no open_model"
        if o.open_model:
            assert re.match(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", o.open_model), oid
    counts = {p: sum(1 for q, _ in bundled.values() if q == p) for p in sorted(providers)}
    print("\noffers per provider:", counts)
