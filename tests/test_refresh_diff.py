"""Refresh without the network: merge rules, guards, pins, rendering, atomic writes, disagreements, staleness."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from pricing.catalog import load_catalog, parse_model
from pricing.refresh import RefreshError
from pricing.refresh.check import compare_offers, disagreements
from pricing.refresh.diff import CURATED_FIELDS, Feed, FieldChange, plan, read_provider_files
from pricing.refresh.openrouter import feed_from_openrouter
from pricing.refresh.write import atomic_write_many, banner_of, render
from pricing.schema import ApiOffer, ProviderFile
from pricing.staleness import price_age

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "refresh"
TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(FIX / "data", d)
    return d


def ours(data_dir: Path) -> dict[str, ApiOffer]:
    return {f"{p}/{o.model}": o for p, (_, pf) in read_provider_files(data_dir).items() for o in pf.offers}


def feed_of(offers: dict[str, ApiOffer], expected: set[str] | None = None, **kw: object) -> Feed:
    by: dict[str, dict[str, ApiOffer]] = {}
    for oid, o in offers.items():
        by.setdefault(oid.split("/", 1)[0], {})[o.model] = o
    return Feed(name="test", url="http://127.0.0.1/feed", offers=by,
                expected=frozenset(expected if expected is not None else offers), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", sorted((ROOT / "data" / "api").glob("*.yaml")), ids=lambda p: p.stem)
def test_render_reproduces_bundled_files(path: Path) -> None:
    text = path.read_text()
    pf = parse_model(ProviderFile, yaml.safe_load(text), path.name)
    assert render(pf, banner_of(text)) == text  # a refresh rewrites only what changed


def test_feed_never_overwrites_curated_fields(data_dir: Path) -> None:
    mine = ours(data_dir)
    o = mine["openai/gpt-4o"]
    hostile = o.model_copy(update={
        "display_name": "HACKED", "family": "x", "reasoning": True, "notes": "feed note",
        "open_model": "evil/model", "usd_per_mtok_input": 2.0, "source": "feed-src",
    })
    p = plan(data_dir, feed_of({"openai/gpt-4o": hostile}), TODAY)
    new = {x.model: x for x in p.files["openai"].offers}["gpt-4o"]
    for f in CURATED_FIELDS:
        assert getattr(new, f) == getattr(o, f), f
    assert new.usd_per_mtok_input == 2.0 and new.as_of == TODAY and new.source == "feed-src"
    assert [str(c) for c in p.changes] == ["openai/gpt-4o: usd_per_mtok_input: 2.5 -> 2 (-20.0%)"]


def test_feed_gap_keeps_our_value(data_dir: Path) -> None:
    o = ours(data_dir)["openai/gpt-4o"]
    gappy = o.model_copy(update={"usd_per_mtok_cached_input": None, "batch": None, "context_tokens": None})
    p = plan(data_dir, feed_of({"openai/gpt-4o": gappy}), TODAY)
    assert p.changes == [] and p.files == {} and p.unchanged == 1


def test_pins_keep_the_users_value(data_dir: Path) -> None:
    (data_dir / "pins.yaml").write_text(yaml.safe_dump(
        {"pins": [{"offer": "openai/gpt-4o", "fields": ["usd_per_mtok_output"], "reason": "negotiated"}]}))
    o = ours(data_dir)["openai/gpt-4o"]
    p = plan(data_dir, feed_of({"openai/gpt-4o": o.model_copy(update={"usd_per_mtok_output": 11.0,
                                                                      "usd_per_mtok_input": 2.75})}), TODAY)
    assert [c.field for c in p.changes] == ["usd_per_mtok_input"]
    assert [str(c) for c in p.pinned] == ["openai/gpt-4o: usd_per_mtok_output: 10 -> 11 (+10.0%)"]
    assert {x.model: x for x in p.files["openai"].offers}["gpt-4o"].usd_per_mtok_output == 10.0


def test_bad_pin_field_is_a_data_error(data_dir: Path) -> None:
    from pricing.errors import DataError

    (data_dir / "pins.yaml").write_text("pins:\n- offer: openai/gpt-4o\n  fields: [display_name]\n")
    with pytest.raises(DataError, match="display_name"):
        plan(data_dir, feed_of({}), TODAY)


def test_new_offer_and_new_provider(data_dir: Path) -> None:
    o = ours(data_dir)["openai/gpt-4o"]
    fresh = o.model_copy(update={"model": "gpt-9", "as_of": dt.date(2026, 1, 1)})
    p = plan(data_dir, feed_of({"openai/gpt-9": fresh}, expected=set()), TODAY)
    assert p.new_offers == ["openai/gpt-9"]
    assert {x.model: x for x in p.files["openai"].offers}["gpt-9"].as_of == TODAY
    # a provider without a file and a feed without a header for it: nothing is invented
    p2 = plan(data_dir, feed_of({"acme/m": fresh.model_copy(update={"model": "m"})}, expected=set()), TODAY)
    assert p2.files == {} and p2.new_offers == []


@pytest.mark.parametrize(
    ("old", "new", "factor", "large"),
    [(2.0, 20.0, 10.0, False), (2.0, 20.2, 10.1, True), (2.0, 0.19, 2 / 0.19, True), (0.0, 1.0, float("inf"), True),
     (None, 1.0, 1.0, False)],
)
def test_factor_guard(old: float | None, new: float, factor: float, large: bool) -> None:
    c = FieldChange("a/b", "usd_per_mtok_input", old, new)
    assert c.factor == pytest.approx(factor)
    assert (c.factor > 10) is large


def test_removal_guard_and_prune(data_dir: Path) -> None:
    mine = ours(data_dir)
    only_one = {"openai/gpt-4o": mine["openai/gpt-4o"]}
    p = plan(data_dir, feed_of(only_one, expected=set(mine)), TODAY)
    assert any("openai: the feed lacks 3 of the 4 offers" in r for r in p.rejected)
    assert any(r.startswith("deepseek: the feed lacks 3 of the 3") for r in p.rejected)
    p_large = plan(data_dir, feed_of(only_one, expected=set(mine)), TODAY, allow_large=True, prune=True)
    assert any("openai: the result keeps 1 of its 4 offers, below the floor of 2" in r for r in p_large.rejected)
    assert any("deepseek: the result keeps 0 of its 3 offers" in r for r in p_large.rejected)
    p2 = plan(data_dir, feed_of(only_one, expected=set(mine)), TODAY, allow_large=True, prune=True, allow_shrink=True)
    assert p2.rejected == [] and set(p2.pruned) == set(mine) - {"openai/gpt-4o"}
    assert [o.model for o in p2.files["openai"].offers] == ["gpt-4o"]


def test_atomic_write_failure_on_first_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("old a\n")
    b.write_text("old b\n")

    def boom(src: object, dst: object) -> None:
        raise OSError(5, "Input/output error", str(dst))

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(RefreshError, match=r"could not write .*a\.yaml: Input/output error; previous files kept"):
        atomic_write_many({a: "new a\n", b: "new b\n"})
    assert a.read_text() == "old a\n" and b.read_text() == "old b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


def test_atomic_write_success_is_fsynced_and_complete(tmp_path: Path) -> None:
    a = tmp_path / "sub" / "a.yaml"
    atomic_write_many({a: "x: 1\n"})
    assert a.read_text() == "x: 1\n" and (a.stat().st_mode & 0o777) == 0o644


def test_disagreements_threshold_is_one_percent(data_dir: Path) -> None:
    mine = ours(data_dir)
    o = mine["openai/gpt-4o"]
    feed = {"openai/gpt-4o": o.model_copy(update={"usd_per_mtok_input": 2.5 * 1.009, "usd_per_mtok_output": 10.2})}
    df = compare_offers(mine, feed)
    assert df[["offer_id", "field"]].values.tolist() == [["openai/gpt-4o", "usd_per_mtok_output"]]
    assert df["pct_diff"].iloc[0] == pytest.approx(2.0)


def test_disagreements_compares_prices_as_billed(data_dir: Path) -> None:
    mine = ours(data_dir)
    o = mine["openai/o3"]
    # we state no cache-write price (= input price); a feed stating the input price agrees
    same = o.model_copy(update={"usd_per_mtok_cache_write": o.usd_per_mtok_input})
    assert compare_offers(mine, {"openai/o3": same}).empty
    dearer = o.model_copy(update={"usd_per_mtok_cache_write": o.usd_per_mtok_input * 1.25})
    assert compare_offers(mine, {"openai/o3": dearer})["field"].tolist() == ["usd_per_mtok_cache_write"]


def test_disagreements_on_a_catalog(catalog) -> None:
    o = catalog.offer("openai/gpt-4o")
    df = disagreements(catalog, {"openai/gpt-4o": o.model_copy(update={"usd_per_mtok_output": 20.0})})
    assert df.columns[0] == "offer_id" and len(df) == 1 and df["feed"].iloc[0] == 20.0


def test_openrouter_mapping_rules(data_dir: Path) -> None:
    raw = json.loads((FIX / "openrouter_small.json").read_text())
    entry = next(m for m in raw["data"] if m["id"] == "openai/gpt-4o")
    entry["pricing"].update(internal_reasoning=entry["pricing"]["completion"],
                            overrides=[{"min_prompt_tokens": 64000, "prompt": "0.000005", "completion": "0.00002"},
                                       {"min_prompt_tokens": 999999999, "prompt": "1", "completion": "1"}])
    feed = feed_from_openrouter(raw, "http://x/models", TODAY, ours(data_dir))
    o = feed.offer_ids()["openai/gpt-4o"]
    assert o.usd_per_mtok_reasoning is None  # same as output: not stated separately
    assert [(t.above_input_tokens, t.usd_per_mtok_input) for t in o.tiers] == [(64000, 5.0)]  # past context: dropped
    assert set(feed.offer_ids()) == {"openai/gpt-4o", "openai/gpt-4o-mini", "openai/o3", "openai/gpt-4.1"}
    assert feed.expected == frozenset(feed.offer_ids())  # deepseek open weights: not priced by OpenRouter


def test_openrouter_missing_envelope(data_dir: Path) -> None:
    with pytest.raises(RefreshError, match=r"schema mismatch: expected an object with a 'data' list of models, got \['models'\]"):
        feed_from_openrouter({"models": []}, "http://x/models", TODAY, ours(data_dir))


@pytest.mark.parametrize(("days", "badge"), [(0, "fresh"), (30, "fresh"), (31, "aging"), (90, "aging"), (91, "stale")])
def test_price_age_badges(days: int, badge: str) -> None:
    assert price_age(TODAY - dt.timedelta(days=days), TODAY) == (days, badge)


def test_refreshed_fixture_still_loads(data_dir: Path, tmp_path: Path) -> None:
    for name in ("models.yaml", "gpus.yaml", "hosting.yaml"):
        shutil.copy(ROOT / "data" / name, data_dir / name)
    assert len(load_catalog(data_dir).offers) == 7


def test_cross_feed_disagreements_on_reference_snapshots() -> None:
    from pricing.feeds.snapshots import LITELLM_SNAPSHOT, OPENROUTER_SNAPSHOT
    from pricing.refresh.check import cross_feed

    df = cross_feed(json.loads(LITELLM_SNAPSHOT.read_text()), json.loads(OPENROUTER_SNAPSHOT.read_text()), TODAY)
    rows = {(r.offer_id, r.field): (r.ours, r.feed) for r in df.itertuples()}
    # data/curation.yaml records this one: GPT-5.6 Terra 2/12 in LiteLLM (Nov) vs 1/6 on OpenRouter (Aug)
    assert rows[("openai/gpt-5.6-terra", "usd_per_mtok_input")] == (2.0, 1.0)
    assert not any(oid == "anthropic/claude-opus-4-6" for oid, _ in rows)  # 5/25 in both
    assert 0 < df["offer_id"].nunique() <= df.attrs["compared"]
    assert (df["pct_diff"].abs() > 1.0).all()
