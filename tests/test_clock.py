"""The date: one reader (pricing.clock), PRICING_TODAY moves it, reports take an explicit as-of."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pricing import clock, staleness
from pricing.cli import main
from pricing.errors import PricingError
from tests.conftest import DATA

CHAT = DATA / "scenarios" / "support-chatbot.yaml"
FAST = ["--samples", "300", "--json"]


def test_env_var_moves_today(monkeypatch) -> None:
    monkeypatch.setenv(clock.ENV_VAR, "2031-02-03")
    assert clock.today() == dt.date(2031, 2, 3)
    assert staleness.price_age(dt.date(2031, 1, 1)) == (33, "aging")


def test_unset_env_var_is_the_real_date(monkeypatch) -> None:
    monkeypatch.delenv(clock.ENV_VAR, raising=False)
    assert clock.today() == dt.date.today()


def test_bad_env_var_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setenv(clock.ENV_VAR, "next tuesday")
    with pytest.raises(PricingError, match=r"PRICING_TODAY.*YYYY-MM-DD"):
        clock.today()


def test_resolve_prefers_the_explicit_date(monkeypatch) -> None:
    monkeypatch.setenv(clock.ENV_VAR, "2031-02-03")
    assert clock.resolve(dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
    assert clock.resolve(None) == dt.date(2031, 2, 3)


def _report(capsys, *flags: str, scenario: Path = CHAT) -> dict:
    assert main(["compare", str(scenario), *FAST, *flags]) == 0
    return json.loads(capsys.readouterr().out)


def test_as_of_flag_makes_the_report_independent_of_the_clock(monkeypatch, capsys) -> None:
    monkeypatch.setenv(clock.ENV_VAR, "2026-12-01")
    a = _report(capsys, "--as-of", "2026-11-29")
    monkeypatch.setenv(clock.ENV_VAR, "2029-06-30")
    b = _report(capsys, "--as-of", "2026-11-29")
    assert a == b and a["as_of"] == "2026-11-29"


def test_report_date_drives_price_ages(monkeypatch, capsys) -> None:
    monkeypatch.delenv(clock.ENV_VAR, raising=False)
    early = _report(capsys, "--as-of", "2026-11-29")
    late = _report(capsys, "--as-of", "2027-11-29")
    # API prices are fixed records; a rented GPU's price is chosen by the policy on the report date
    # (a year on, every GPU price is stale, so the policy falls back to all of them and says so)
    ages = {r["route_id"]: r["price_age_days"] for r in early["results"]
            if r["price_age_days"] is not None and not r["route_id"].startswith("self/")}
    later = {r["route_id"]: r["price_age_days"] for r in late["results"] if r["price_age_days"] is not None}
    assert ages and all(later[k] == v + 365 for k, v in ages.items())
    rented = [r for r in late["results"] if r.get("route_kind") == "selfhost-cloud"]
    assert rented and all("stale" in (r["warnings"] or "") for r in rented)


def test_scenario_as_of_is_used_when_no_flag(monkeypatch, capsys, tmp_path: Path) -> None:
    monkeypatch.setenv(clock.ENV_VAR, "2030-01-01")
    pinned = tmp_path / "pinned.yaml"
    pinned.write_text(CHAT.read_text(encoding="utf-8") + "\nas_of: 2026-11-29\n", encoding="utf-8")
    doc = _report(capsys, scenario=pinned)
    assert doc["as_of"] == "2026-11-29"
    # the flag still wins over the scenario's date
    assert _report(capsys, "--as-of", "2026-11-30", scenario=pinned)["as_of"] == "2026-11-30"
