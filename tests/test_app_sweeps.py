"""Every page survives every value its inputs allow and any query string: no exception reaches the page.

Sweeps (issue 13): each page with every URL input at its minimum, its maximum and random values; each
page's own widgets all set to their minimum, their maximum and random values; hostile query strings;
hypothesis over URL values. A failure names the page and the values.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from app import state
from tests.app_helpers import new_app, page_files

PAGES = [p.stem for p in page_files()]

# URL inputs with a range: (key, low, high); workload 0 and 1 fields come from app/state.py itself
RANGED = [(p.key, p.lo, p.hi) for p in state.params()
          if p.kind in ("float", "int") and p.lo is not None and p.hi is not None
          and (not p.key.startswith("w") or p.key[:3] in ("w0_", "w1_") or p.key == "wn")]


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _query(kind: str, seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    q: dict[str, str] = {"wn": "2"}
    for key, lo, hi in RANGED:
        if key == "wn":
            continue
        if kind == "min":
            v = lo
        elif kind == "max":
            v = hi
        elif hi - lo > 1000 and lo >= 0:
            v = math.expm1(rng.uniform(0, math.log1p(hi)))
        else:
            v = rng.uniform(lo, hi)
        q[key] = _fmt(int(v) if key.endswith(("_ctx", "months", "sd_gpus")) else v)
    if kind == "max":
        q["w1_per"] = "day"  # a per-day volume at the top of its range
    if kind == "random":
        q["w0_preset"] = rng.choice(state.PRESET_NAMES)
        q["w0_prof"] = ",".join(_fmt(rng.choice([0, 0.5, 1, 3, 100])) for _ in range(23)) + ",1"
    return q


def _on_page(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = new_app()
    if query:
        at.query_params.update(query)
    if page != "compare":
        at.switch_page(f"views/{page}.py")  # straight to the page: the URL is read on the first run either way
    at.run()
    _ok(at, page, query)
    return at


def _ok(at: AppTest, page: str, what: Any, inputs_allowed: bool = True) -> None:
    assert not at.exception, (page, what, [e.value[:2000] for e in at.exception])
    if not inputs_allowed:
        return
    # values the inputs allow never make an invalid scenario (schema messages would mean they can)
    bad = [e.value for e in at.error if "Value error" in e.value or "Input should be" in e.value]
    assert not bad, (page, what, bad)


def _widgets(at: AppTest) -> list[Any]:
    return [w for w in [*at.number_input, *at.slider] if not w.disabled]


def _set_all(at: AppTest, how: str, rng: random.Random) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    for w in _widgets(at):
        lo = w.min if w.min is not None else 0.0
        hi = w.max if w.max is not None else 1e12  # an unbounded field gets a hostile huge value
        if isinstance(w.value, tuple | list):  # a range slider
            v: Any = (lo, hi) if how != "random" else tuple(sorted((rng.uniform(lo, hi), rng.uniform(lo, hi))))
        elif how == "min":
            v = lo
        elif how == "max":
            v = hi
        else:
            v = rng.uniform(lo, hi) if hi - lo < 1000 else math.expm1(rng.uniform(0, math.log1p(max(hi, 0))))
        if isinstance(w.value, int) and not isinstance(w.value, bool) and not isinstance(v, tuple):
            v = int(v)
        w.set_value(v)
        chosen[w.label] = v
    for sb in at.selectbox:
        if not sb.disabled and sb.options and how != "min":
            opt = sb.options[-1] if how == "max" else rng.choice(sb.options)
            sb.set_value(opt)
            chosen[sb.label] = opt
    return chosen


@pytest.mark.parametrize("how", ["min", "max", "random"])
@pytest.mark.parametrize("page", PAGES)
def test_page_at_min_max_random(page: str, how: str) -> None:
    """URL inputs at their min / max / random values, then every widget of the page set the same way."""
    seed = PAGES.index(page) * 7 + len(how)
    at = _on_page(page, _query(how, seed))
    chosen = _set_all(at, how, random.Random(seed))
    at.run()
    _ok(at, page, chosen)


def test_cache_sliders_cannot_sum_above_one() -> None:
    at = _on_page("compare")
    at.slider(key="w0_cache").set_value(0.9).run()
    at.slider(key="w0_cw").set_value(0.6).run()
    _ok(at, "compare", "cache")
    assert at.session_state["w0_cache"] + at.session_state["w0_cw"] <= 1 + 1e-9
    assert at.session_state["w0_cw"] == 0.6 and at.session_state["w0_cache"] == pytest.approx(0.4)
    at.slider(key="w0_cache").set_value(1.0).run()
    assert at.session_state["w0_cw"] == 0.0
    assert not at.error


def test_per_day_volume_widget_stops_at_the_monthly_bound() -> None:
    at = _on_page("compare")
    at.radio(key="w0_per").set_value("day").run()
    ni = at.number_input(key="w0_req")
    assert ni.max == pytest.approx(1e13 / state.DAYS_PER_MONTH)
    ni.set_value(ni.max).run()
    _ok(at, "compare", "per day max")
    assert not at.error
    at.radio(key="w0_per").set_value("month").run()
    assert at.session_state["w0_req"] <= 1e13
    _ok(at, "compare", "back to month")


HOSTILE_QUERIES: list[dict[str, str]] = [
    {"w0_req": "nan"}, {"w0_req": "inf"}, {"w0_req": "-inf"}, {"w0_req": "1e400"}, {"w0_req": "-1"},
    {"w0_req": "1e14"}, {"w0_req": "true"}, {"w0_req": "0x10"}, {"w0_req": "１２３"}, {"w0_req": ""},
    {"w0_cache": "1", "w0_cw": "1"}, {"w0_cache": "0.8", "w0_cw": "0.5", "w0_per": "day", "w0_req": "1e13"},
    {"w0_prof": "nan," * 23 + "1"}, {"w0_prof": "1," * 22 + "1"}, {"w0_prof": "-1," * 23 + "1"},
    {"w0_prof": "0," * 23 + "0"}, {"w0_prof": "inf," * 23 + "1"}, {"w0_prof": "1e308," * 23 + "1e308"},
    {"w0_prof": "a,b,c"}, {"w0_p2a": "100", "w0_req": "1e13", "w0_out": "1000000"},
    {"wn": "0"}, {"wn": "999"}, {"wn": "2.5"}, {"wn": "-3"}, {"w9_req": "5"}, {"w4_req": "1e13", "wn": "5"},
    {"cands": "chosen", "api": "nope/none,,,", "sh": "x@y:z"}, {"cands": "chosen", "sh": "a@b:fp8:cloud:99999"},
    {"cands": "chosen", "sh": "meta-llama/Llama-3.1-8B-Instruct@h100-sxm:fp8:cloud:0:spot:n+1:auto"},
    {"cands": "evil"}, {"w0_preset": "<script>alert(1)</script>"}, {"w0_name": "x" * 5000},
    {"w0_name": "\u0000\u202e\ufffd"}, {"scenario_name": "'; DROP TABLE --"}, {"cur": "€€€", "rate": "0"},
    {"cur": "EUR", "rate": "nan"}, {"cur": "EUR", "rate": "1e-9"}, {"cur": "=cmd|' /C calc'!A0"},
    {"eff": "0"}, {"eff": "1e9"}, {"headroom": "0.95"}, {"kwh": "-1"}, {"minq": "1e309"},
    {"plan_months": "0"}, {"plan_months": "61"}, {"plan_api": "-1"}, {"sd_gpus": "65"},
    {"sd_model": "../../etc/passwd"}, {"sd_gpu": "h100-sxm\n"}, {"sd_prec": "fp2"}, {"focus": "no such workload"},
    {"be_routes": "," * 1000}, {"disc_openai": "2"}, {"disc_openai": "nan"}, {"gpuhr_h100-sxm": "1e6"},
    {"gpubuy_h100-sxm": "-5"}, {"unknown_key": "1", "w0_ctx": "1e20"}, {"w0_ctx": "2.7"},
]


def _reaches_the_page(query: dict[str, str]) -> bool:
    """True when some value of the query passes the URL codec (only those can reach a page)."""
    by_key = {p.key: p for p in state.params()}
    for k, v in query.items():
        p = by_key.get(k)
        if p is None:
            continue
        try:
            state.decode(p, v)
        except ValueError:
            continue
        return True
    return False


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=[f"q{i}" for i in range(len(HOSTILE_QUERIES))])
def test_hostile_query_strings_on_compare(query: dict[str, str]) -> None:
    if not _reaches_the_page(query):  # refused by the codec, named in a warning (checked all at once below)
        return
    at = _on_page("compare", query)
    assert not at.error or all("do not make a valid scenario" not in str(e.value) for e in at.error), (
        query, [e.value for e in at.error])


@pytest.mark.parametrize("page", PAGES)
def test_all_hostile_queries_at_once_on_every_page(page: str) -> None:
    merged: dict[str, str] = {}
    for q in HOSTILE_QUERIES:
        merged.update(q)
    at = _on_page(page, merged)
    shown = " ".join(str(w.value) for w in at.warning)
    assert "URL parameter" in shown  # the bad values are named, not silently used


# --------------------------------------------------------------------------- hypothesis over URL values

_TEXT_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**400, max_value=10**400).map(str),
    st.sampled_from(["", "nan", "-0", "1e-400", "True", "0b1", " 1 ", "1_000", "٣"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),  # a URL cannot carry lone surrogates
)


@settings(max_examples=300, deadline=None)
@given(param=st.sampled_from([p for p in state.params() if p.kind in ("float", "int", "floats")]), text=_TEXT_NUMBERS)
def test_decode_gives_a_finite_in_range_value_or_a_value_error(param: state.Param, text: str) -> None:
    try:
        v = state.decode(param, text)
    except ValueError:
        return
    vals = v if isinstance(v, list) else [v]
    for x in vals:
        assert not isinstance(x, bool) and math.isfinite(x)
        if param.lo is not None:
            assert x >= param.lo
        if param.hi is not None:
            assert x <= param.hi
    if param.kind == "floats" and vals:
        assert len(vals) == 24 and sum(vals) > 0


_URL_KEYS = ["w0_req", "w0_in", "w0_out", "w0_cache", "w0_cw", "w0_p2a", "w0_per", "w0_prof", "eff", "headroom",
             "plan_months", "wn", "w1_req", "w1_per", "rate", "cur"]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(query=st.dictionaries(st.sampled_from(_URL_KEYS),
                             st.one_of(_TEXT_NUMBERS, st.sampled_from(["day", "month", "EUR"])), max_size=8))
def test_hypothesis_query_strings_on_compare(query: dict[str, str]) -> None:
    _on_page("compare", {k: v for k, v in query.items() if "\x00" not in v})


# --------------------------------------------------------------------------- hostile uploads

_W = "{name: a, requests_per_month: 1000, input_tokens: 100, output_tokens: 10"
HOSTILE_UPLOADS: list[tuple[str, bytes, str]] = [
    ("NaN profile", f"name: x\nworkloads:\n  - {_W}, hourly_profile: [{'1, ' * 23}.nan]}}\n".encode(), "finite number"),
    ("inf profile", f"name: x\nworkloads:\n  - {_W}, hourly_profile: [{'1, ' * 23}.inf]}}\n".encode(), "finite number"),
    ("true as volume", b"name: x\nworkloads:\n  - {name: a, requests_per_month: true, input_tokens: 1, output_tokens: 1}\n",
     "boolean"),
    ("cache shares 1.1", f"name: x\nworkloads:\n  - {_W}, cached_input_fraction: 0.6, cache_write_fraction: 0.5}}\n".encode(),
     "above 1"),
    ("NaN efficiency", f"name: x\nworkloads:\n  - {_W}}}\noverrides: {{efficiency_scale: .nan}}\n".encode(), "finite"),
    ("deep nesting", b"name: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deep"),
    ("alias bomb", b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
        f"a{i}: &a{i} [{', '.join(['*a' if i == 1 else f'*a{i - 1}'] * 10)}]\n".encode() for i in range(1, 7)), "expands"),
    ("5000-digit integer", b"name: x\nworkloads:\n  - {name: a, requests_per_month: " + b"9" * 5000 + b", input_tokens: 1, output_tokens: 1}\n",
     "Exceeds the limit"),
    ("python tag", b"name: !!python/object/apply:os.system ['true']\nworkloads: []\n", "malformed YAML"),
]


@pytest.mark.parametrize(("case", "data", "needle"), HOSTILE_UPLOADS, ids=[u[0] for u in HOSTILE_UPLOADS])
def test_hostile_upload_is_refused_and_inputs_kept(case: str, data: bytes, needle: str) -> None:
    at = _on_page("scenario")
    before = {k: at.session_state[k] for k in ("w0_name", "w0_req", "w0_prof", "eff")}
    at.file_uploader(key="upload").upload("s.yaml", data, "application/x-yaml")
    at.run()
    _ok(at, "scenario", case, inputs_allowed=False)  # the refused file's own errors are shown, as they should
    assert at.error and needle.lower() in at.error[0].value.lower(), (case, [e.value for e in at.error])
    assert {k: at.session_state[k] for k in before} == before


EDGE_SCENARIO = """
name: edges
workloads:
  - {name: tiny, requests_per_month: 0, input_tokens: 0, output_tokens: 0}
  - {name: huge, requests_per_month: 1e13, input_tokens: 10000000, output_tokens: 1000000, peak_to_average: 100,
     cached_input_fraction: 0.5, cache_write_fraction: 0.5, max_tpot_ms: 0.01, min_context_tokens: 100000000}
  - {name: profile, requests_per_month: 1e9, input_tokens: 1, output_tokens: 1,
     hourly_profile: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1e300]}
overrides: {efficiency_scale: 0.001, usd_to_currency: 0.000000001, currency: EUR, headroom_fraction: 0.9}
months: 60
"""


def test_edge_scenario_upload_then_every_page() -> None:
    at = _on_page("scenario")
    at.file_uploader(key="upload").upload("edges.yaml", EDGE_SCENARIO.encode(), "application/x-yaml")
    at.run()
    _ok(at, "scenario", "edges")
    notes = " ".join(str(i.value) for i in at.info)
    assert "Loaded 'edges'" in notes and "outside what the inputs can show" in notes, notes
    assert at.session_state["eff"] == 0.05 and at.session_state["w1_tps"] == 10_000.0
    for page in PAGES:
        at.switch_page(f"views/{page}.py")
        at.run()
        _ok(at, page, "edge scenario")
