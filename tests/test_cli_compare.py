"""`pricing compare`: every format, -o FILE, --json, and bad input with the documented exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pricing.cli import main
from tests.conftest import DATA

CHAT = DATA / "scenarios" / "support-chatbot.yaml"
FAST = ["--as-of", "2026-11-29", "--samples", "500"]


def test_table_names_the_winner(capsys) -> None:
    assert main(["compare", str(CHAT), *FAST]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Support chatbot, first year")
    assert "is cheapest at" in out and "break-even:" in out


@pytest.mark.parametrize("flags", [["--format", "json"], ["--json"]])
def test_json(capsys, flags) -> None:
    assert main(["compare", str(CHAT), *FAST, *flags]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scenario"] == "Support chatbot, first year"
    assert doc["results"][0]["monthly_usd"] > 0
    assert doc["breakeven"] and doc["sensitivity"]


def test_csv_to_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.csv"
    assert main(["compare", str(CHAT), *FAST, "--format", "csv", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {"workload", "route_id", "monthly_usd", "price_source", "price_as_of",
            "workload_input_tokens", "override_efficiency_scale"} <= set(rows[0])
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]  # no temporary file left behind


def test_html_to_file(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main(["compare", str(CHAT), *FAST, "--format", "html", "-o", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("<!doctype html>") and "<script src" not in text and "Plotly.newPlot" in text


def test_missing_file_is_a_usage_error(capsys) -> None:
    assert main(["compare", "nope.yaml"]) == 2
    assert "not found" in capsys.readouterr().err


def test_bad_format_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as e:
        main(["compare", str(CHAT), "--format", "pdf"])
    assert e.value.code == 2


@pytest.mark.parametrize(("flags", "message"), [
    (["--as-of", "29/11/2026"], "--as-of"),
    (["--today", "29/11/2026"], "--as-of"),  # the older spelling is an alias
    (["--samples", "5"], "--samples"),
    (["--months", "0"], "--months"),
])
def test_bad_flags(capsys, flags, message) -> None:
    assert main(["compare", str(CHAT), *flags]) == 2
    assert message in capsys.readouterr().err


def test_unknown_offer_names_entry_and_suggests(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nworkloads:\n  - {name: w, requests_per_month: 1000, input_tokens: 10, "
                   "output_tokens: 10}\noptions:\n  - api: openai/gpt-4o-minii\n")
    assert main(["compare", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "options[0]" in err and "openai/gpt-4o-mini" in err


def test_invalid_scenario_names_the_field(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nworkloads:\n  - {name: w, requests_per_month: -5, input_tokens: 10, "
                   "output_tokens: 10, colour: red}\n")
    assert main(["compare", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "requests_per_month" in err and "colour" in err
