"""Cost per task: output tokens per task scale each model's output and reasoning tokens relative to a reference."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from pricing import task_tokens
from pricing.cli import main
from pricing.compare import compare
from pricing.errors import DataError, InputError
from pricing.importers import tokens_per_task as imp
from pricing.schema import ApiChoice, Scenario, SelfHostChoice, SelfHostSpec, TaskTokens, Workload
from tests.conftest import DATA

TODAY = dt.date(2026, 11, 30)
REF = "openai/gpt-6.1-sol"
WORKLOAD = Workload(name="agent", requests_per_month=1_000_000, input_tokens=2_000, output_tokens=500,
                    reasoning_tokens=1_000)
ROUTES = ("openai/gpt-6.1-sol", "anthropic/claude-opus-5-5", "openai/gpt-4o", "deepseek/deepseek-v4-pro")


def _rows() -> dict[str, dict]:
    data = yaml.safe_load((DATA / "tokens_per_task.yaml").read_text())
    return {r["key"]: r for r in data["rows"]}


def _scenario(tt: TaskTokens | None, extra: tuple = ()) -> Scenario:
    return Scenario(name="per task", workloads=(WORKLOAD,), options=(*(ApiChoice(api=a) for a in ROUTES), *extra),
                    task_tokens=tt)


def _by_route(df):
    return {str(r["route_id"]): r for _, r in df.iterrows()}


def test_multiplier_scales_output_and_reasoning_tokens(catalog) -> None:
    rows = _rows()
    same = _by_route(compare(_scenario(None), catalog, today=TODAY))
    task = _by_route(compare(_scenario(TaskTokens(reference=REF)), catalog, today=TODAY))
    ratio = rows["anthropic/claude-opus-5-5"]["output_tokens"] / rows[REF]["output_tokens"]
    opus = task["anthropic/claude-opus-5-5"]
    assert opus["task_tokens_multiplier"] == pytest.approx(ratio)
    assert ratio > 2  # Opus 5.5 (max) spends about three times GPT-6.1 Sol's output tokens per task
    base = same["anthropic/claude-opus-5-5"]
    assert opus["usd_output"] == pytest.approx(base["usd_output"] * ratio)
    assert opus["usd_reasoning"] == pytest.approx(base["usd_reasoning"] * ratio)
    assert opus["usd_input"] == pytest.approx(base["usd_input"])  # input is the same task
    assert opus["monthly_usd"] > base["monthly_usd"]
    assert "Artificial Analysis" in opus["task_tokens_note"] and "Max" in opus["task_tokens_note"]


def test_reference_gets_one_and_the_same_cost(catalog) -> None:
    same = _by_route(compare(_scenario(None), catalog, today=TODAY))
    task = _by_route(compare(_scenario(TaskTokens(reference=REF)), catalog, today=TODAY))
    assert task[REF]["task_tokens_multiplier"] == 1.0
    assert task[REF]["monthly_usd"] == pytest.approx(same[REF]["monthly_usd"])


def test_a_model_without_a_figure_keeps_one_and_says_so(catalog) -> None:
    assert task_tokens.figure(catalog, "openai/gpt-4o") is None
    task = _by_route(compare(_scenario(TaskTokens(reference=REF)), catalog, today=TODAY))
    same = _by_route(compare(_scenario(None), catalog, today=TODAY))
    row = task["openai/gpt-4o"]
    assert row["task_tokens_multiplier"] == 1.0
    assert "no tokens-per-task figure" in row["task_tokens_note"]
    assert row["monthly_usd"] == pytest.approx(same["openai/gpt-4o"]["monthly_usd"])


def test_own_figure_wins_and_is_marked_as_an_assumption(catalog) -> None:
    ref = _rows()[REF]["output_tokens"]
    tt = TaskTokens(reference=REF, own_tokens_per_task={"openai/gpt-4o": ref / 4, "anthropic/claude-opus-5-5": ref})
    task = _by_route(compare(_scenario(tt), catalog, today=TODAY))
    assert task["openai/gpt-4o"]["task_tokens_multiplier"] == pytest.approx(0.25)
    assert task["openai/gpt-4o"]["task_tokens_note"].startswith("your assumption")
    assert task["anthropic/claude-opus-5-5"]["task_tokens_multiplier"] == pytest.approx(1.0)


def test_self_hosted_routes_scale_by_their_open_model(catalog) -> None:
    spec = SelfHostSpec(model="deepseek-ai/DeepSeek-V4-Pro", gpu="h200", hosting="owned")
    rows = _rows()
    task = compare(_scenario(TaskTokens(reference=REF), (SelfHostChoice(selfhost=spec),)), catalog, today=TODAY)
    own = task[task["route_kind"] == "selfhost-owned"].iloc[0]
    want = rows["deepseek-ai/DeepSeek-V4-Pro"]["output_tokens"] / rows[REF]["output_tokens"]
    assert own["task_tokens_multiplier"] == pytest.approx(want)
    api = task[task["route_id"] == "deepseek/deepseek-v4-pro"].iloc[0]  # the maker's API: same weights, same factor
    assert api["task_tokens_multiplier"] == pytest.approx(want)


def test_reference_without_a_figure_is_a_clear_error(catalog) -> None:
    with pytest.raises(DataError) as e:
        compare(_scenario(TaskTokens(reference="openai/gpt-4o")), catalog, today=TODAY)
    msg = str(e.value)
    assert "task_tokens" in msg and "reference" in msg and "own_tokens_per_task" in msg
    ok = compare(_scenario(TaskTokens(reference="openai/gpt-4o", own_tokens_per_task={"openai/gpt-4o": 1000})),
                 catalog, today=TODAY)
    assert ok.set_index("route_id").loc["openai/gpt-4o", "task_tokens_multiplier"] == 1.0


def test_without_task_tokens_no_extra_columns(catalog) -> None:
    assert "task_tokens_multiplier" not in compare(_scenario(None), catalog, today=TODAY)


def test_data_rows_are_sourced_dated_and_resolve(catalog) -> None:
    assert catalog.task_tokens, "data/tokens_per_task.yaml is loaded"
    known = imp.known_keys(catalog)
    for r in catalog.task_tokens:
        assert r.source.startswith("https://artificialanalysis.ai/models/") and r.as_of == dt.date(2026, 10, 3)
        assert r.key in known, r.key
        assert 0 <= r.reasoning_tokens <= r.output_tokens


def test_importer_check_passes() -> None:
    assert imp.main(["--check"]) == 0


def test_cli_per_task_flags(tmp_path, capsys) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "cli", "workloads": [WORKLOAD.model_dump()],
                                    "options": [{"api": a} for a in ROUTES]}))
    args = ["compare", str(path), "--as-of", "2026-11-30", "--samples", "100"]
    assert main([*args, "--per-task", REF, "--tokens-per-task", "openai/gpt-4o=9500"]) == 0
    out = capsys.readouterr().out
    assert "Cost per task" in out and "x1.00 tokens/task" in out and "openai/gpt-4o 9.5k" in out
    assert main(args) == 0
    assert "tokens/task" not in capsys.readouterr().out
    assert main([*args, "--tokens-per-task", "openai/gpt-4o=9500"]) != 0
    assert "--per-task" in capsys.readouterr().err
    assert main([*args, "--per-task", REF, "--tokens-per-task", "openai/gpt-4o=lots"]) != 0
    assert "MODEL=TOKENS" in capsys.readouterr().err


def test_same_tokens_flag_turns_it_off() -> None:
    from pricing.cli.compare import with_task_tokens

    s = _scenario(TaskTokens(reference=REF))
    assert with_task_tokens(s, None, [], True).task_tokens is None
    with pytest.raises(InputError):
        with_task_tokens(s, REF, [], True)


def test_break_even_curves_follow_the_per_task_tokens(catalog) -> None:
    from pricing.analysis.curves import route_curves

    spec = SelfHostSpec(model="deepseek-ai/DeepSeek-V4-Pro", gpu="h200", hosting="owned")
    scn = _scenario(TaskTokens(reference=REF), (SelfHostChoice(selfhost=spec),))
    df = compare(scn, catalog, today=TODAY)
    curves = {c.route_id: c for c in route_curves(scn, catalog, df, today=TODAY)}
    m = df.set_index("route_id")["task_tokens_multiplier"]
    for rid, row in df.set_index("route_id").iterrows():
        c = curves[str(rid)]
        # each curve passes through the compared cost at the workload's volume, with its own tokens
        assert c.at(WORKLOAD.requests_per_month) == pytest.approx(row["monthly_usd"], rel=1e-6), rid
        want = WORKLOAD.input_tokens + (WORKLOAD.output_tokens + WORKLOAD.reasoning_tokens) * m[rid]
        assert c.tokens_per_request == pytest.approx(want), rid


def test_html_report_states_the_assumption_per_route(catalog) -> None:
    from pricing.report import build_report, to_html

    tt = TaskTokens(reference=REF, own_tokens_per_task={"openai/gpt-4o": 5000})
    html = to_html(build_report(_scenario(tt), catalog, today=TODAY, samples=100))
    assert "Cost per task: the workload" in html and "your own assumption" not in html.split("Cost per task")[0]
    assert "Figure and source" in html and "your assumption: 5.0k output tokens/task" in html
    assert "Artificial Analysis (Claude Opus 5.5 (Max, Default Fallback), 2026-10-03)" in html
    plain = to_html(build_report(_scenario(None), catalog, today=TODAY, samples=100))
    assert "Figure and source" not in plain and "Cost per task" not in plain
