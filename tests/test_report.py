"""Reports: golden CSV/JSON of every example scenario, inert CSV cells, self-contained HTML."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest

from pricing.report import build_report, neutralise, results_table, to_csv, to_html, to_json
from pricing.schema import ApiChoice, Scenario, SelfHostChoice, SelfHostSpec, Workload
from tests.regen_golden import GOLDEN, SCENARIOS, render

SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))
REGEN = "regenerate with `make golden` (python -m tests.regen_golden) and review the diff"


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[str, str]]:
    return {p.stem: render(p) for p in SCENARIO_FILES}


def test_there_are_five_example_scenarios() -> None:
    assert {p.stem for p in SCENARIO_FILES} >= {
        "support-chatbot", "rag-documents", "coding-agent", "batch-summaries", "company-plan"}


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_golden_csv(path, rendered) -> None:
    golden = GOLDEN / f"{path.stem}.csv"
    assert golden.exists(), f"missing {golden}; {REGEN}"
    assert rendered[path.stem][0] == golden.read_text(encoding="utf-8"), f"CSV changed; {REGEN}"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_golden_json(path, rendered) -> None:
    golden = GOLDEN / f"{path.stem}.json"
    assert golden.exists(), f"missing {golden}; {REGEN}"
    got, want = json.loads(rendered[path.stem][1]), json.loads(golden.read_text(encoding="utf-8"))
    for key in want:  # one key at a time, so a failure names the section that changed
        assert got[key] == want[key], f"JSON section {key!r} changed; {REGEN}"
    assert rendered[path.stem][1] == golden.read_text(encoding="utf-8"), f"JSON changed; {REGEN}"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_each_scenario_answers_clearly(path, rendered) -> None:
    doc = json.loads(rendered[path.stem][1])
    assert doc["winners"] and all("cheapest" in s for s in doc["winners"].values())
    assert doc["breakeven"] and doc["sensitivity"] and doc["uncertainty"]["routes"]
    rows = list(csv.DictReader(io.StringIO(rendered[path.stem][0])))
    assert all(r["price_source"] and r["price_as_of"] for r in rows)


def test_example_scenarios_have_different_winners(rendered) -> None:
    kinds = {}
    for name, (csv_text, _) in rendered.items():
        rows = list(csv.DictReader(io.StringIO(csv_text)))
        kinds[name] = {r["route_kind"] for r in rows if r["rank"] == "1"}
    assert "selfhost-owned" in kinds["batch-summaries"]  # self-hosting wins the batch job
    assert kinds["support-chatbot"].isdisjoint({"selfhost-cloud", "selfhost-owned"})
    # open weights win the coding agent; its named deepseek-reasoner alias retired on 2026-07-24, so a host wins
    assert kinds["coding-agent"] and kinds["coding-agent"] <= {"api-open-first-party", "api-open-host"}


def test_neutralise() -> None:
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    assert neutralise("fine") == "fine" and neutralise(3.5) == 3.5


def _hostile_report(catalog):
    w = Workload(name='=HYPERLINK("http://x","y")', requests_per_month=100_000, input_tokens=1000,
                 output_tokens=200)
    s = Scenario(name="@evil", description="-2+3", workloads=(w,), options=(
        ApiChoice(api="openai/gpt-4o-mini"),
        SelfHostChoice(selfhost=SelfHostSpec(model="meta-llama/Llama-3.1-8B-Instruct", gpu="l4", precision="fp8"))))
    return build_report(s, catalog, today=dt.date(2026, 11, 29), samples=500)


def test_hyperlink_workload_is_inert_in_the_csv(catalog) -> None:
    r = _hostile_report(catalog)
    text = to_csv(results_table(r.scenario, r.results))
    rows = list(csv.reader(io.StringIO(text)))
    cells = [c for row in rows[1:] for c in row]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in cells
    assert "'@evil" in cells
    for c in cells:
        assert not c.startswith(("=", "+", "@", "\t", "\r")), c
        assert not (c.startswith("-") and not re.fullmatch(r"-[0-9.e+-]+", c)), c


def test_html_is_self_contained(catalog) -> None:
    r = _hostile_report(catalog)
    html = to_html(r)
    assert html.startswith("<!doctype html>")
    low = html.lower()
    assert not re.search(r"<script[^>]*\bsrc\s*=", low)  # scripts only inline, none from elsewhere
    assert low.count("plotly.js v") == 1 and html.count("Plotly.newPlot") >= 3  # the library once, inline
    assert "<link" not in low and "@import" not in low
    assert not re.search(r"""\bsrc\s*=\s*["']?(https?:)?//""", low)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", low)
    assert "<style>" in low
    assert '=HYPERLINK("http://x","y")' not in html  # escaped, never raw markup
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html


def test_html_has_every_section(rendered, catalog) -> None:
    from pricing.catalog import load_catalog
    from pricing.compare import load_scenario
    from tests.regen_golden import ROOT, SEED, TODAY

    r = build_report(load_scenario(SCENARIOS / "company-plan.yaml"), load_catalog(ROOT / "data"),
                     today=TODAY, seed=SEED, samples=1000)
    html = to_html(r)
    for heading in ("The answer", "All workloads together", "What could change the answer", "How sure we are",
                    "The next 24 months", "Assumptions", "Price sources", "Break-even"):
        assert heading in html, heading
    assert "@media print" in html
    assert "is cheapest in" in html and "samples of the uncertain inputs" in html


def test_json_has_no_nan_and_round_trips(catalog) -> None:
    r = _hostile_report(catalog)
    doc = json.loads(to_json(r))
    assert doc["scenario"] == "@evil"
    assert "NaN" not in to_json(r)
    assert {"results", "breakeven", "sensitivity", "uncertainty", "portfolio", "plan"} <= set(doc)


def test_report_survives_routes_that_cannot_serve_and_zero_traffic(catalog) -> None:
    # DeepSeek-R1 does not fit on L4s; one workload has no traffic; warnings are errors in this run
    idle = Workload(name="idle", requests_per_month=0, input_tokens=2000, output_tokens=300,
                    hourly_profile=tuple([1.0] * 12 + [5.0] * 12))
    busy = Workload(name="busy", requests_per_month=1e5, input_tokens=2000, output_tokens=300)
    s = Scenario(name="edge", workloads=(idle, busy), options=(
        ApiChoice(api="openai/gpt-4o-mini"),
        SelfHostChoice(selfhost=SelfHostSpec(model="deepseek-ai/DeepSeek-R1", gpu="l4")),
        SelfHostChoice(selfhost=SelfHostSpec(model="meta-llama/Llama-3.1-8B-Instruct", gpu="l4", autoscale=True))))
    r = build_report(s, catalog, today=dt.date(2026, 11, 29), samples=300)
    r1 = r.uncertainty[r.uncertainty["route_id"].str.contains("DeepSeek-R1")]
    assert r1["p50_usd"].isna().all() and (r1["p_cheapest"] == 0).all()
    assert "cannot serve" in to_html(r)
    json.loads(to_json(r))
