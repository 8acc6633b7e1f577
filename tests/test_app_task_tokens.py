"""Compare page, cost per task: picking a reference model scales other models' output tokens, visibly."""

from __future__ import annotations

import pytest

from tests.app_helpers import new_app, no_exceptions, ranked

REF, VERBOSE, NONE = "openai/gpt-6.1-sol", "anthropic/claude-opus-5-5", "openai/gpt-4o"


@pytest.fixture
def at(monkeypatch):
    monkeypatch.setenv("PRICING_TODAY", "2026-11-30")
    app = new_app()
    app.run()
    no_exceptions(app)
    app.session_state["cands"] = "chosen"
    app.session_state["api"] = [REF, VERBOSE, NONE]
    app.session_state["sh"] = []
    app.run()
    no_exceptions(app)
    return app


def test_reference_scales_costs_and_the_table_says_so(at) -> None:
    before = ranked(at).set_index("Route id")
    assert "Tokens per task" not in before.columns
    at.selectbox(key="task_ref").set_value(REF)
    at.run()
    no_exceptions(at)
    after = ranked(at).set_index("Route id")
    assert after.loc[REF, "Tokens per task"] == pytest.approx(1.0)
    assert after.loc[REF, "Monthly cost"] == pytest.approx(before.loc[REF, "Monthly cost"])
    assert after.loc[VERBOSE, "Tokens per task"] > 2
    assert after.loc[VERBOSE, "Monthly cost"] > before.loc[VERBOSE, "Monthly cost"]
    assert after.loc[NONE, "Tokens per task"] == pytest.approx(1.0)
    assert any("Cost per task" in str(i.value) for i in at.info)


def test_own_figure_is_labelled_as_an_assumption_and_bad_text_is_a_clear_error(at) -> None:
    at.selectbox(key="task_ref").set_value(REF)
    at.run()
    at.text_input(key="task_own").set_value(f"{NONE}=19064")  # half of GPT-6.1 Sol's 38,128
    at.run()
    no_exceptions(at)
    table = ranked(at).set_index("Route id")
    assert table.loc[NONE, "Tokens per task"] == pytest.approx(0.5, rel=1e-3)
    assert table.loc[NONE, "Tokens per task from"].startswith("your assumption")
    assert "your assumption" in " ".join(str(i.value) for i in at.info)
    at.text_input(key="task_own").set_value("gpt-4o lots")
    at.run()
    no_exceptions(at)
    msg = " ".join(str(e.value) for e in at.error)
    assert "Your tokens per task" in msg and "model=tokens" in msg


def test_share_link_restores_the_reference_and_own_figures(at) -> None:
    at.selectbox(key="task_ref").set_value(REF)
    at.run()
    at.text_input(key="task_own").set_value(f"{NONE}=19064")
    at.run()
    url = {k: v for k, v in dict(at.query_params).items()}
    assert url.get("task_ref") == REF
    again = new_app()
    again.query_params.update(url)
    again.run()
    no_exceptions(again)
    assert again.session_state["task_ref"] == REF
    assert ranked(again).set_index("Route id").loc[NONE, "Tokens per task"] == pytest.approx(0.5, rel=1e-3)
