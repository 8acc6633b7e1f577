"""Scenario page: uploads are validated, a bad one shows an error and keeps the inputs; downloads are sound."""

from __future__ import annotations

import pytest
import yaml

from pricing.compare import MAX_SCENARIO_BYTES, load_scenario
from tests.app_helpers import ROOT, new_app, no_exceptions

GOOD = """
name: Support assistant, Q1 plan
workloads:
  - name: support-chat
    requests_per_month: 2500000
    input_tokens: 900
    output_tokens: 250
    cached_input_fraction: 0.6
    peak_to_average: 3
    max_ttft_ms: 2000
options:
  - api: openai/gpt-4o-mini
  - api: deepseek/deepseek-chat
  - selfhost: {model: meta-llama/Llama-3.3-70B-Instruct, gpu: h100-sxm, precision: fp8}
overrides:
  provider_discount: {openai: 0.1}
"""

BAD = [
    ("malformed.yaml", b"name: x\nworkloads: [\n", "malformed YAML"),
    ("typo.yaml", b"name: x\nworkloads:\n  - name: a\n    requests_per_mnth: 5\n    input_tokens: 1\n    output_tokens: 1\n",
     "not a known field"),
    ("negative.yaml", b"name: x\nworkloads:\n  - {name: a, requests_per_month: -1, input_tokens: 1, output_tokens: 1}\n",
     "requests_per_month"),
    ("unknown-offer.yaml", b"name: x\nworkloads:\n  - {name: a, requests_per_month: 1, input_tokens: 1, output_tokens: 1}\n"
     b"options:\n  - api: openai/gpt-4o-minii\n", "did you mean"),
    ("list.yaml", b"- 1\n- 2\n", "mapping"),
    ("binary.yaml", b"\xff\xfe\x00bad", "UTF-8"),
    ("huge.yaml", b"name: x\n" + b"#" * (MAX_SCENARIO_BYTES + 10), "limit"),
]


@pytest.fixture
def at():
    app = new_app()
    app.run()
    app.switch_page("views/scenario.py")
    app.run()
    no_exceptions(app)
    return app


def _upload(at, name: str, data: bytes) -> None:
    at.file_uploader(key="upload").upload(name, data, "application/x-yaml")
    at.run()
    no_exceptions(at)


def test_good_upload_replaces_the_inputs(at) -> None:
    _upload(at, "plan.yaml", GOOD.encode())
    assert not at.error
    ss = at.session_state
    assert ss["w0_name"] == "support-chat" and ss["w0_req"] == 2_500_000 and ss["w0_in"] == 900
    assert ss["cands"] == "chosen"
    assert ss["api"] == ["openai/gpt-4o-mini", "deepseek/deepseek-chat"]
    assert ss["sh"] == ["meta-llama/Llama-3.3-70B-Instruct@h100-sxm:fp8:cloud"]
    assert ss["disc_openai"] == 0.1
    # the YAML shown for download is the same scenario again
    again = load_scenario(at.code[-1].value)
    assert again.workloads[0].requests_per_month == 2_500_000
    assert again.overrides.provider_discount == {"openai": 0.1}
    assert len(again.options) == 3


@pytest.mark.parametrize(("name", "data", "needle"), BAD, ids=[b[0] for b in BAD])
def test_bad_upload_shows_an_error_and_keeps_the_previous_scenario(at, name: str, data: bytes, needle: str) -> None:
    _upload(at, "plan.yaml", GOOD.encode())
    before = {k: at.session_state[k] for k in ("w0_name", "w0_req", "api", "sh", "cands")}
    yaml_before = at.code[-1].value
    at.file_uploader(key="upload").set_value((name, data, "application/x-yaml"))
    at.run()
    no_exceptions(at)
    assert at.error, f"no error shown for {name}"
    text = at.error[0].value
    assert "previous inputs are unchanged" in text
    assert needle.lower() in text.lower()
    assert {k: at.session_state[k] for k in before} == before
    assert at.code[-1].value == yaml_before


def test_pasted_yaml_goes_through_the_same_checks(at) -> None:
    at.text_area(key="paste").input("name: x\nworkloads: []\n")
    at.button(key="load_paste").click()
    at.run()
    no_exceptions(at)
    assert at.error and "workloads" in at.error[0].value
    at.text_area(key="paste").input(GOOD)
    at.button(key="load_paste").click()
    at.run()
    assert not at.error
    assert at.session_state["w0_name"] == "support-chat"


def test_examples_are_one_click_away(at) -> None:
    examples = sorted((ROOT / "data" / "scenarios").glob("*.yaml"))
    if not examples:
        pytest.skip("no example scenarios in data/scenarios/ yet")
    for p in examples:
        at.button(key=f"ex_{p.stem}").click()
        at.run()
        no_exceptions(at)
        assert not at.error, (p.name, at.error[0].value if at.error else "")
        expected = load_scenario(p)
        assert at.session_state["w0_name"] == expected.workloads[0].name
        assert at.session_state["w0_req"] == expected.workloads[0].requests_per_month


def test_scenario_yaml_is_the_documented_shape(at) -> None:
    data = yaml.safe_load(at.code[-1].value)
    assert set(data) >= {"name", "workloads"}
    assert {"name", "requests_per_month", "input_tokens", "output_tokens"} <= set(data["workloads"][0])
