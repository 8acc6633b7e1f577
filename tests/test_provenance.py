"""Issue 11: prices a reader can trace and trust over time.

Sources inside the repository (a copy with nothing beside it rebuilds data/), one feeds package,
curation as validated data, lifecycle, scheduled prices in the plan, price history, traffic shape.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pricing.analysis.curves import RouteCurve, linear_curve
from pricing.analysis.plan import PlanAssumptions, plan_frame
from pricing.catalog import Catalog, parse_model, read_yaml
from pricing.compare import compare, default_options, winner_sentence
from pricing.errors import DataError
from pricing.feeds.curation import Curation, load_curation
from pricing.feeds.history import points_from_releases
from pricing.history import measured_trend, offer_points
from pricing.schema import ApiChoice, ApiOffer, PriceHistoryFile, Release, Scenario, Workload
from pricing.traffic import off_peak_share, window_mask
from tests.conftest import DATA, ROOT

TODAY = dt.date(2026, 11, 29)
FLAT = Workload(name="flat", requests_per_month=1e6, input_tokens=2000, output_tokens=500)


# --------------------------------------------------------------------------- sources in the repository


def test_a_copy_with_nothing_beside_it_rebuilds_data(tmp_path: Path) -> None:
    """pricing/ and data/ copied alone: every importer of API prices, quality and history checks clean."""
    clone = tmp_path / "clone"
    shutil.copytree(ROOT / "pricing", clone / "pricing", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(DATA, clone / "data")
    env = {**os.environ, "PYTHONPATH": str(clone)}
    for mod in ("pricing.importers.litellm", "pricing.importers.quality", "pricing.importers.history",
                "pricing.importers.tokens_per_task"):
        r = subprocess.run([sys.executable, "-m", mod, "--check"], cwd=clone, env=env, capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, f"{mod}: {r.stderr}"


def _sources(node: object) -> list[str]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and ("source" in k or k in ("fitted_on", "purchase_source")):
                out.append(v)
            out += _sources(v)
    elif isinstance(node, list):
        for v in node:
            out += _sources(v)
    return out


# a relative path climbing out of the repository, or an absolute path on someone's machine
OUTSIDE = re.compile(r"""(^|[\s("'])(\.\./|/work/|/tmp/|/home/|/root/)""")


def test_no_source_names_a_path_outside_the_project() -> None:
    """Every data file's sources (API, quality, curation, history, GPUs, hosting, calibration, models)."""
    bad = []
    files = [*(DATA / "api").glob("*.yaml"), *DATA.glob("*.yaml"), *(DATA / "history").glob("*.yaml")]
    for path in files:
        for s in _sources(read_yaml(path)):
            if OUTSIDE.search(s):
                bad.append(f"{path.relative_to(ROOT)}: {s[:80]}")
    for csv_path in (DATA / "sources").glob("*.csv"):
        if OUTSIDE.search(csv_path.read_text(encoding="utf-8")):
            bad.append(str(csv_path.relative_to(ROOT)))
    assert not bad, "\n".join(bad[:20])


def test_code_reads_no_folder_beside_the_repository() -> None:
    """No module of pricing/ climbs out of the repository (a parent of its root, ../, a machine's path)."""
    for path in (ROOT / "pricing").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not OUTSIDE.search(text), path
        assert "REPO_DIR.parent" not in text and "ROOT.parent" not in text, path


def test_no_import_cycle_between_importers_refresh_and_feeds() -> None:
    def imports(path: Path) -> set[str]:
        tree = ast.parse(path.read_text())
        return {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    for path in (ROOT / "pricing" / "feeds").glob("*.py"):
        mods = imports(path)
        assert not any(m.startswith(("pricing.importers", "pricing.refresh")) for m in mods), path
    for path in (ROOT / "pricing" / "refresh").glob("*.py"):
        assert not any(m.startswith("pricing.importers") for m in imports(path)), path


# --------------------------------------------------------------------------- curation as data


def test_curated_yaml_rejects_unknown_keys(tmp_path: Path) -> None:
    text = (DATA / "curation.yaml").read_text()
    bad = tmp_path / "curation.yaml"
    bad.write_text(text.replace("  - key: gpt-4o\n", "  - key: gpt-4o\n    displayname: GPT-4o\n", 1))
    with pytest.raises(DataError) as e:
        load_curation(bad)
    msg = str(e.value)
    assert "displayname" in msg and ("unknown key" in msg or "not a known field" in msg) and "curation.yaml" in msg


def test_curated_yaml_rejects_a_pick_for_an_unknown_provider() -> None:
    data = read_yaml(DATA / "curation.yaml")
    data["offers"]["nobody"] = [{"key": "x"}]
    with pytest.raises(DataError, match="nobody"):
        parse_model(Curation, data, "curation.yaml")


# --------------------------------------------------------------------------- dates and lifecycle


def test_every_offer_has_checked_on_and_changed_on(catalog: Catalog) -> None:
    for oid, o in catalog.offers.items():
        assert o.checked_on == dt.date(2026, 11, 20), oid
        assert o.changed_on is not None and o.changed_on <= o.checked_on, oid
        pts = offer_points(catalog, oid)
        assert pts and pts[-1].since == o.changed_on, oid
        assert (pts[-1].usd_per_mtok_input, pts[-1].usd_per_mtok_output) == (o.usd_per_mtok_input, o.usd_per_mtok_output)


def test_deepseek_aliases_are_retired_with_their_successor(catalog: Catalog) -> None:
    for oid in ("deepseek/deepseek-chat", "deepseek/deepseek-reasoner"):
        o = catalog.offers[oid]
        assert o.retires_on == dt.date(2026, 7, 24) and o.successor == "deepseek/deepseek-v4-flash"
        assert o.is_retired(TODAY) and "deepseek" in (o.lifecycle_source or "")
    assert "deepseek/deepseek-chat" not in catalog.live_offers(TODAY)
    assert "deepseek/deepseek-chat" in catalog.live_offers(dt.date(2026, 7, 23))


def test_retired_offers_never_enter_defaults_or_win(catalog: Catalog) -> None:
    opts = default_options([FLAT], catalog, today=TODAY)
    api = [o.api for o in opts if isinstance(o, ApiChoice)]
    assert api and not any(catalog.offers[i].is_retired(TODAY) for i in api)
    assert "deepseek/deepseek-v4-flash" in api  # the successor takes the retired alias's place
    # named explicitly and far cheaper than the rest, a retired offer still cannot win
    cheap = Workload(name="w", requests_per_month=1e6, input_tokens=1000, output_tokens=100)
    scn = Scenario(name="s", workloads=(cheap,), options=(ApiChoice(api="deepseek/deepseek-chat"),
                                                           ApiChoice(api="openai/gpt-5")), as_of=TODAY)
    df = compare(scn, catalog, today=TODAY)
    chat = df[df["route_id"] == "deepseek/deepseek-chat"].iloc[0]
    assert np.isnan(chat["monthly_usd"]) and "retired on 2026-07-24" in chat["warnings"]
    assert "successor deepseek/deepseek-v4-flash" in chat["warnings"]
    assert df.iloc[0]["route_id"] == "openai/gpt-5"
    assert "GPT" in winner_sentence(df) or "gpt-5" in winner_sentence(df)
    # before its retirement day the same alias competes (and wins on price)
    before = compare(scn.model_copy(update={"as_of": dt.date(2026, 7, 1)}), catalog, today=dt.date(2026, 7, 1))
    assert before.iloc[0]["route_id"] == "deepseek/deepseek-chat"


# --------------------------------------------------------------------------- scheduled prices in the plan


def _curve(rid: str, per_req: float, offer: ApiOffer) -> RouteCurve:
    steps = tuple((s.effective_from, s.effective_until, s.usd_per_mtok_input / offer.usd_per_mtok_input)
                  for s in offer.scheduled)
    return RouteCurve(workload="w", route_id=rid, label=rid, route_kind="api-closed", tokens_per_request=1.0,
                      base_requests=1000.0, cost=linear_curve(per_req), price_steps=steps,
                      retires_on=offer.retires_on, successor=offer.successor)


def test_scheduled_price_change_shows_up_in_the_right_plan_month(catalog: Catalog) -> None:
    """Gemini 3.8 Flash: 0.75 / 3.75 through 2026-12-31, 1.50 / 7.50 from 2027-01-01 (month 3 from November)."""
    o = catalog.offers["google/gemini-3.8-flash"]
    assert o.price_effective_until == dt.date(2027, 1, 1) and o.scheduled[0].usd_per_mtok_input == 1.5
    assert o.priced_on(dt.date(2026, 12, 31)) is o
    later = o.priced_on(dt.date(2027, 1, 1))
    assert (later.usd_per_mtok_input, later.usd_per_mtok_output, later.usd_per_mtok_cached_input) == (1.5, 7.5, 0.15)
    assert later.batch is not None and later.batch.usd_per_mtok_input == 0.75  # batch follows in proportion
    a = PlanAssumptions(months=6, api_price_change_per_year=0.0, gpu_price_change_per_year=0.0, start=TODAY)
    plan = plan_frame([_curve("google/gemini-3.8-flash", 0.01, o)], {"w": 0.0}, a)
    cash = plan[plan["view"] == "cash"].set_index("month")["monthly_usd"]
    assert cash[1] == pytest.approx(10.0) and cash[2] == pytest.approx(10.0)  # November, December 2026
    assert cash[3] == pytest.approx(20.0) and cash[6] == pytest.approx(20.0)  # January 2027 on


def test_scheduled_price_through_the_whole_report_path(catalog: Catalog) -> None:
    from pricing.analysis.curves import route_curves

    w = Workload(name="w", requests_per_month=1e6, input_tokens=1000, output_tokens=1000)
    scn = Scenario(name="s", workloads=(w,), options=(ApiChoice(api="google/gemini-3.8-flash"),), as_of=TODAY)
    curves = route_curves(scn, catalog, compare(scn, catalog, today=TODAY))
    a = PlanAssumptions.for_catalog(catalog, months=4, today=TODAY, api_price_change_per_year=0.0)
    cash = plan_frame(curves, {"w": 0.0}, a).query("view == 'cash'").set_index("month")["monthly_usd"]
    assert cash[3] / cash[2] == pytest.approx(2.0, rel=1e-6)


def test_offers_retiring_within_the_plan_warn(catalog: Catalog) -> None:
    o = catalog.offers["google/gemini-2.5-pro"]
    assert o.retires_on == dt.date(2026, 12, 1)
    a = PlanAssumptions(months=3, api_price_change_per_year=0.0, start=TODAY)
    plan = plan_frame([_curve("google/gemini-2.5-pro", 0.01, o)], {"w": 0.0}, a)
    assert any("retires on 2026-12-01" in w for w in plan.attrs["warnings"])
    far = plan_frame([_curve("openai/gpt-5.4", 0.01, catalog.offers["openai/gpt-5.4"])], {"w": 0.0}, a)
    assert far.attrs["warnings"] == []


# --------------------------------------------------------------------------- price history and trend


def test_history_points_are_ordered_and_dated(catalog: Catalog) -> None:
    h = parse_model(PriceHistoryFile, read_yaml(DATA / "history" / "api_prices.yaml"), "api_prices.yaml")
    dates = {r.version: r.released_on for r in h.releases}
    assert len(h.releases) >= 24 and min(dates.values()) <= dt.date(2024, 12, 31)
    assert h.releases[-1].version == "1.110.2" and h.releases[-1].released_on == dt.date(2026, 11, 20)
    for o in h.offers:
        days = [p.since for p in o.points]
        assert days == sorted(set(days)), o.offer
        for p in o.points:
            assert (p.release is not None and dates[p.release] == p.since) or (p.release is None and p.source)
        prices = [(p.usd_per_mtok_input, p.usd_per_mtok_output, p.usd_per_mtok_cached_input) for p in o.points]
        assert all(a != b for a, b in itertools.pairwise(prices)), f"{o.offer}: a repeated point"
    assert sum(len(o.points) > 1 for o in h.offers) >= 20  # real price changes were found
    v4 = next(o for o in h.offers if o.offer == "deepseek/deepseek-v4-pro").points
    assert v4[0].since == dt.date(2026, 4, 24) and v4[0].release is None and "DeepSeek" in (v4[0].source or "")


def test_points_keep_only_changes() -> None:
    rel = [Release(version=f"1.{i}.0", released_on=dt.date(2025, i, 1), source="https://pypi.org/x") for i in (1, 2, 3)]
    e = {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6}
    cut = {"input_cost_per_token": 5e-7, "output_cost_per_token": 2e-6}
    pts = points_from_releases([(rel[0], {"gpt-4o": e}), (rel[1], {"gpt-4o": e}), (rel[2], {"gpt-4o": cut})])
    got = [(p.since, p.usd_per_mtok_input) for p in pts["openai/gpt-4o"]]
    assert got == [(dt.date(2025, 1, 1), 1.0), (dt.date(2025, 3, 1), 0.5)]


def test_measured_trend_is_the_plan_default(catalog: Catalog) -> None:
    t = measured_trend(catalog)
    assert t is not None and t.closed.per_year is not None and t.open.per_year is not None
    assert -1 < t.closed.per_year < 0 and -1 < t.open.per_year < 0
    a = PlanAssumptions.for_catalog(catalog, months=12, today=TODAY)
    assert a.api_price_change_per_year is None
    assert a.api_trend("api-closed") == pytest.approx(t.closed.per_year, abs=1e-4)
    assert a.api_trend("api-open-host") == pytest.approx(t.open.per_year, abs=1e-4)
    assert "LiteLLM releases" in a.api_trend_source
    assert PlanAssumptions(api_price_change_per_year=-0.1).api_trend("api-closed") == -0.1
    print(f"\n{t.closed.sentence()}\n{t.open.sentence()}")


# --------------------------------------------------------------------------- traffic shape


def test_flat_traffic_gives_deepseek_v4_its_off_peak_share(catalog: Catalog) -> None:
    o = catalog.offers["deepseek/deepseek-v4-flash"]
    assert off_peak_share(FLAT, o) == pytest.approx(133 / 168)
    assert window_mask(o.off_peak).sum() == pytest.approx(133)  # type: ignore[arg-type]
    stated = FLAT.model_copy(update={"off_peak_fraction": 0.0})
    assert off_peak_share(stated, o) == 0.0  # the user can still set the share directly
    assert off_peak_share(FLAT, catalog.offers["openai/gpt-4o"]) == 0.0


def test_flat_traffic_bill_sits_between_peak_and_off_peak(catalog: Catalog) -> None:
    from pricing.api_cost import api_cost_frame

    rid = "deepseek/deepseek-v4-pro"
    peak = FLAT.model_copy(update={"name": "peak", "off_peak_fraction": 0.0})
    off = FLAT.model_copy(update={"name": "off", "off_peak_fraction": 1.0})
    df = api_cost_frame(catalog, [rid], [FLAT, peak, off]).set_index("workload")["monthly_usd"]
    assert df["flat"] == pytest.approx(df["peak"] * 35 / 168 + df["off"] * 133 / 168)
    assert 1.6 < df["peak"] / df["flat"] < 1.8  # the overstatement the issue describes


def test_one_shape_for_both_sides() -> None:
    day = tuple([1.0] * 8 + [3.0] * 10 + [1.0] * 6)
    w = FLAT.model_copy(update={"hourly_profile": day, "weekend_hourly_profile": (0.5,) * 24})
    shape = np.asarray(w.week_shape())
    assert shape.sum() == pytest.approx(1.0) and shape[5, 0] < shape[0, 0]
    assert w.effective_peak_to_average == pytest.approx(shape.max() / shape.mean())
    assert FLAT.effective_peak_to_average == FLAT.peak_to_average


def test_catalog_json_has_the_new_fields(capsys: pytest.CaptureFixture[str]) -> None:
    from pricing.cli import main

    assert main(["catalog", "--kind", "api", "--json"]) == 0
    recs = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    g = recs["google/gemini-3.8-flash"]
    for k in ("checked_on", "changed_on", "deprecated_on", "retires_on", "scheduled", "successor"):
        assert k in g
    assert g["scheduled"][0]["effective_from"] == "2027-01-01"
    assert recs["deepseek/deepseek-chat"]["retired"] is True
    assert main(["catalog", "--kind", "api", "--history", "openai/gpt-4o", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["offer"] == "openai/gpt-4o" and doc["points"]
    assert [p["since"] for p in doc["points"]] == sorted(p["since"] for p in doc["points"])


@pytest.mark.parametrize("seed", range(20))
def test_off_peak_share_is_the_load_inside_the_windows(catalog: Catalog, seed: int) -> None:
    """Random hourly shapes: the share equals the load in DeepSeek V4's hour-aligned windows, by hand."""
    rng = np.random.default_rng(seed)
    day, end = tuple(rng.random(24) * 10), tuple(rng.random(24) * 10)
    w = FLAT.model_copy(update={"hourly_profile": day, "weekend_hourly_profile": end})
    peak_hours = {1, 2, 3, 6, 7, 8, 9}  # 01:00-04:00 and 06:00-10:00 UTC on weekdays
    total = 5 * sum(day) + 2 * sum(end)
    want = (5 * sum(v for h, v in enumerate(day) if h not in peak_hours) + 2 * sum(end)) / total
    assert off_peak_share(w, catalog.offers["deepseek/deepseek-v4-pro"]) == pytest.approx(want)


def test_cli_api_cost_bills_deepseek_v4_off_peak_by_default_and_warns_retired(capsys: pytest.CaptureFixture[str]) -> None:
    from pricing.cli import main

    base = ["api-cost", "--requests", "1000", "--input-tokens", "2000", "--output-tokens", "500", "--json"]
    assert main([*base, "--offer", "deepseek/deepseek-v4-pro"]) == 0
    assert json.loads(capsys.readouterr().out)["off_peak_share"] == pytest.approx(133 / 168)
    assert main([*base, "--offer", "deepseek/deepseek-v4-pro", "--off-peak-fraction", "0"]) == 0
    assert json.loads(capsys.readouterr().out)["off_peak_share"] == 0.0
    assert main([*base, "--offer", "deepseek/deepseek-chat"]) == 0
    assert "retired on 2026-07-24; use deepseek/deepseek-v4-flash" in json.loads(capsys.readouterr().out)["warnings"]
