"""data/quality.yaml: reproducible from the OpenRouter snapshot, keyed so offers find their scores, missing stays missing."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pricing.catalog import Catalog
from pricing.feeds.openrouter import PRICE_MAP
from pricing.feeds.snapshots import OPENROUTER_SNAPSHOT
from pricing.importers import quality as imp
from pricing.quality import CLOSED_MODEL_KEYS, INTELLIGENCE, quality_for, quality_frame, score

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = OPENROUTER_SNAPSHOT


@pytest.fixture(scope="module")
def snapshot() -> dict:
    return json.loads(SNAPSHOT.read_text())


def aa(snapshot: dict, or_id: str) -> dict:
    return next(m for m in snapshot["data"] if m["id"] == or_id)["benchmarks"]["artificial_analysis"]


def test_quality_yaml_is_the_importers_output(catalog: Catalog) -> None:
    assert imp.main(["--check", "--data-dir", str(ROOT / "data")]) == 0


def test_every_non_null_index_is_kept_once_per_key(snapshot: dict, catalog: Catalog) -> None:
    keys = {(q.key, q.index_name) for q in catalog.quality}
    assert len(keys) == len(catalog.quality)  # no duplicates (:free variants collapse)
    for m in snapshot["data"]:
        bench = (m.get("benchmarks") or {}).get("artificial_analysis") or {}
        key = imp.key_of(m, catalog.models)
        for field, name in imp.INDICES.items():
            if bench.get(field) is None:
                continue
            assert (key, name) in keys, (m["id"], field)
    assert all(q.value > 0 for q in catalog.quality)


@pytest.mark.parametrize(
    ("offer_id", "or_id", "why"),
    [
        ("anthropic/claude-opus-4-8", "anthropic/claude-opus-4.8", "closed: PRICE_MAP names our offer id"),
        ("openai/gpt-5.6-sol", "openai/gpt-5.6-sol", "closed, same id"),
        ("together/meta-llama/Llama-3.3-70B-Instruct-Turbo", "meta-llama/llama-3.3-70b-instruct", "open_model HF id"),
        ("deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct", "meta-llama/llama-3.1-8b-instruct", "renamed HF repo"),
        ("together/Qwen/Qwen3.7-Max", "qwen/qwen3.7-max", "closed model resold by a host"),
        ("deepseek/deepseek-v4-pro", "deepseek/deepseek-v4-pro", "first-party open weights"),
    ],
)
def test_offer_resolves_to_its_score(catalog: Catalog, snapshot: dict, offer_id: str, or_id: str, why: str) -> None:
    got = quality_for(catalog, offer_id)
    want = aa(snapshot, or_id)
    assert got[INTELLIGENCE][0] == pytest.approx(want["intelligence_index"]), why
    assert got["Artificial Analysis Coding Index"][0] == pytest.approx(want["coding_index"]), why
    assert str(got[INTELLIGENCE][1]) == "2026-08-01"


def test_missing_score_is_none_not_zero(catalog: Catalog, snapshot: dict) -> None:
    assert aa(snapshot, "ibm-granite/granite-4.1-8b")["intelligence_index"] is None
    assert score(catalog, "ibm-granite/granite-4.1-8b") is None
    assert score(catalog, "ibm-granite/granite-4.1-8b", "Artificial Analysis Coding Index") == 9.5
    # gpt-4o: OpenRouter has no intelligence index for it; its dated snapshot carries a coding index only
    assert INTELLIGENCE not in quality_for(catalog, "openai/gpt-4o")
    assert quality_for(catalog, "anthropic/claude-mythos-5-1") == {}
    assert score(catalog, "no/such-model") is None
    frame = quality_frame(catalog).set_index("id")
    assert math.isnan(frame.loc["openai/gpt-4o", INTELLIGENCE])
    assert frame.loc["openai/gpt-5.6-sol", INTELLIGENCE] == pytest.approx(58.9)


def test_maps_point_at_offers_we_carry(catalog: Catalog) -> None:
    keys = {q.key for q in catalog.quality}
    assert set(CLOSED_MODEL_KEYS) <= set(catalog.offers)
    assert set(CLOSED_MODEL_KEYS.values()) <= keys
    assert set(PRICE_MAP.values()) <= set(catalog.offers)


def test_price_map_covers_closed_weights_only(snapshot: dict) -> None:
    by_id = {m["id"]: m for m in snapshot["data"]}
    for or_id in PRICE_MAP:
        assert or_id in by_id, or_id
        assert not by_id[or_id].get("hugging_face_id"), f"{or_id} has open weights; its OpenRouter price is a host's"


def test_key_of_prefers_hf_then_offer_then_openrouter_id() -> None:
    known = ["meta-llama/Llama-3.1-8B-Instruct", "deepseek-ai/DeepSeek-R1"]
    assert imp.key_of({"id": "x/y", "hugging_face_id": "deepseek-ai/deepseek-r1"}, known) == "deepseek-ai/DeepSeek-R1"
    assert imp.key_of({"id": "x/y", "hugging_face_id": "meta-llama/Meta-Llama-3.1-8B-Instruct"}, known) == known[0]
    assert imp.key_of({"id": "anthropic/claude-opus-4.6", "hugging_face_id": ""}, known) == "anthropic/claude-opus-4-6"
    assert imp.key_of({"id": "acme/model-9:free", "hugging_face_id": None}, known) == "acme/model-9"


def test_null_index_is_skipped_and_free_duplicate_collapses() -> None:
    raw = {"data": [
        {"id": "acme/m:free", "benchmarks": {"artificial_analysis": {"intelligence_index": 10, "coding_index": None}}},
        {"id": "acme/m", "benchmarks": {"artificial_analysis": {"intelligence_index": 12, "coding_index": None}}},
    ]}
    scores = imp.scores_from_openrouter(raw, [])
    assert [(s.key, s.index_name, s.value) for s in scores] == [("acme/m", INTELLIGENCE, 12.0)]


def test_deepseek_v3_scored_from_the_leaderboard_supplement_and_the_rest_stay_missing(
    catalog: Catalog, snapshot: dict
) -> None:
    # OpenRouter's deepseek/deepseek-chat (the December 2024 weights) carries no index ...
    assert aa_or_none(snapshot, "deepseek/deepseek-chat") is None
    # ... Artificial Analysis' leaderboard of 2026-08-23 scores the same weights: every host of them finds it
    for offer in ("deepinfra/deepseek-ai/DeepSeek-V3", "together/deepseek-ai/DeepSeek-V3"):
        got = quality_for(catalog, offer)
        assert got[INTELLIGENCE][0] == pytest.approx(14.22) and str(got[INTELLIGENCE][1]) == "2026-08-23"
    src = next(q.source for q in catalog.quality if q.key == "deepseek-ai/DeepSeek-V3")
    assert "artificialanalysis.ai/leaderboards" in src and "Dec '24" in src
    # the supplement never overrides the OpenRouter answer
    assert quality_for(catalog, "deepseek-ai/DeepSeek-V3-0324")[INTELLIGENCE][0] == pytest.approx(15.4)
    # no Intelligence Index v4 score of the same weights in either source: left missing, never borrowed
    for offer in ("openai/gpt-4o-mini", "deepinfra/moonshotai/Kimi-K2-Instruct",
                  "deepinfra/moonshotai/Kimi-K2-Instruct-0905"):
        assert score(catalog, offer) is None, offer


def aa_or_none(snapshot: dict, or_id: str) -> dict | None:
    m = next(m for m in snapshot["data"] if m["id"] == or_id)
    return (m.get("benchmarks") or {}).get("artificial_analysis")
