"""Query parameters round-trip into the widgets, bad ones are refused with a message, and the URL follows the inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from app import state
from pricing.compare import load_scenario, presets
from tests.app_helpers import new_app, no_exceptions, ranked

SPEC = "meta-llama/Llama-3.3-70B-Instruct@h100-sxm:fp8:cloud"


def test_query_params_fill_the_widgets() -> None:
    at = new_app()
    at.query_params.update({
        "w0_preset": "RAG over documents", "w0_req": "123456", "w0_in": "4321", "w0_cache": "0.25",
        "cands": "chosen", "api": "openai/gpt-4o,deepseek/deepseek-chat", "sh": SPEC,
        "cur": "EUR", "rate": "0.9", "disc_openai": "0.1", "minq": "0",
    })
    at.run()
    no_exceptions(at)
    assert at.selectbox(key="w0_preset").value == "RAG over documents"
    assert at.number_input(key="w0_req").value == 123456
    assert at.number_input(key="w0_in").value == 4321
    assert at.slider(key="w0_cache").value == 0.25
    # untouched fields come from the preset named in the URL
    assert at.number_input(key="w0_out").value == presets()["RAG over documents"].output_tokens
    assert at.text_input(key="cur").value == "EUR"
    assert at.number_input(key="rate").value == 0.9
    assert at.session_state["disc_openai"] == 0.1
    ids = set(ranked(at)["Route id"])
    assert {"openai/gpt-4o", "deepseek/deepseek-chat"} <= ids
    assert any(i.startswith("self/meta-llama/Llama-3.3-70B-Instruct/h100-sxm/fp8/") for i in ids)
    assert len(ids) == 3


def test_widgets_write_the_url_and_the_url_reproduces_the_view() -> None:
    at = new_app()
    at.run()
    at.selectbox(key="w0_preset").set_value("batch summarisation")
    at.run()
    at.number_input(key="w0_req").set_value(5_000_000.0)
    at.run()
    no_exceptions(at)
    url = dict(at.query_params)
    assert url["w0_preset"] == "batch summarisation"
    assert url["w0_req"] == "5000000"
    assert "w0_in" not in url  # equal to the preset: left out of the link
    table = ranked(at)

    again = new_app()
    again.query_params.update({k: v for k, v in url.items()})
    again.run()
    no_exceptions(again)
    assert again.number_input(key="w0_req").value == 5_000_000
    assert list(ranked(again)["Route id"]) == list(table["Route id"])
    pd.testing.assert_series_equal(ranked(again)["Monthly cost"], table["Monthly cost"])


@pytest.mark.parametrize(("key", "value"), [
    ("w0_req", "-5"), ("w0_req", "lots"), ("w0_cache", "1.5"), ("w0_preset", "nonsense"),
    ("api", "openai/gpt-4o,nope/not-a-model"), ("sh", "garbage"), ("w0_p2a", "nan"), ("wn", "99"),
    ("w0_prof", "1,2,3"), ("w0_prof", ",".join(["-1"] * 24)), ("sd_gpu", "h1000"),
])
def test_bad_query_params_are_ignored_with_a_warning(key: str, value: str) -> None:
    at = new_app()
    at.query_params.update({key: value})
    at.run()
    no_exceptions(at)
    assert any(key in w.value and "ignored" in w.value for w in at.warning)
    assert len(ranked(at)) > 0


def test_spec_tokens_round_trip() -> None:
    spec = state.str_to_spec("deepseek-ai/DeepSeek-R1@h200:fp8:owned:16")
    assert (spec.model, spec.gpu, spec.precision, spec.hosting, spec.gpus) == (
        "deepseek-ai/DeepSeek-R1", "h200", "fp8", "owned", 16)
    assert state.spec_to_str(spec) == "deepseek-ai/DeepSeek-R1@h200:fp8:owned:16"
    assert state.str_to_spec(SPEC).hosting is None
    full = state.str_to_spec("Qwen/Qwen3-32B@l40s:fp8:cloud:2:spot:n+1:auto")
    assert (full.gpus, full.price_type, full.n_plus_one, full.autoscale) == (2, "spot", True, True)
    assert state.str_to_spec(state.spec_to_str(full)) == full
    with pytest.raises(ValueError):
        state.str_to_spec("Qwen/Qwen3-32B@l40s:fp8:cloud:sometimes")
    with pytest.raises(ValueError):
        state.str_to_spec("deepseek-ai/DeepSeek-R1@h200:fp9:owned")


def test_a_24_hour_profile_travels_in_the_url_and_reaches_the_scenario() -> None:
    prof = [1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    at = new_app()
    at.query_params.update({"w0_prof": ",".join(map(str, prof))})
    at.run()
    no_exceptions(at)
    assert at.session_state["w0_prof"] == [float(x) for x in prof]
    assert any("24-hour traffic profile" in c.value for c in at.caption)
    assert at.number_input(key="w0_p2a").disabled
    at.switch_page("views/scenario.py")
    at.run()
    scn = load_scenario(at.code[-1].value)
    assert scn.workloads[0].hourly_profile == tuple(float(x) for x in prof)
    at.switch_page("views/compare.py")
    at.run()
    at.button(key="w0_dropprof").click()
    at.run()
    no_exceptions(at)
    assert at.session_state["w0_prof"] == []
    assert "w0_prof" not in dict(at.query_params)
