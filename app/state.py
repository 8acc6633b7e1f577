"""Every dashboard input: one session-state key, a default, and a URL codec, so a link reproduces the view."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st
from pydantic import BaseModel, ValidationError

from pricing.analysis import PlanAssumptions
from pricing.analysis.plan import API_PRICE_ASSUMPTION
from pricing.catalog import issues_from_validation
from pricing.compare import presets
from pricing.errors import DataError, Issue
from pricing.schema import (
    PRECISIONS,
    ApiChoice,
    Option,
    Overrides,
    Scenario,
    SelfHostChoice,
    SelfHostSpec,
    Workload,
)
from pricing.selfhost import HOURS_PER_MONTH

MAX_WORKLOADS = 5
PRESET_NAMES: tuple[str, ...] = tuple(presets())
DAYS_PER_MONTH = HOURS_PER_MONTH / 24.0  # the same 730-hour month the cost model uses
PLAN = PlanAssumptions()  # the plan's default months and price trends (assumptions, editable)


@dataclass(frozen=True)
class Param:
    """One input: its key, kind ('float', 'int', 'str', 'list', 'bool') and default (maybe per workload)."""

    key: str
    kind: str
    default: Any
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None


# Workload fields: (suffix, Workload field, kind, lo, hi). The preset gives each default.
WORKLOAD_FIELDS: tuple[tuple[str, str, str, float, float], ...] = (
    ("req", "requests_per_month", "float", 0, 1e13),
    ("in", "input_tokens", "float", 0, 10_000_000),
    ("out", "output_tokens", "float", 0, 1_000_000),
    ("rsn", "reasoning_tokens", "float", 0, 1_000_000),
    ("cache", "cached_input_fraction", "float", 0, 1),
    ("cw", "cache_write_fraction", "float", 0, 1),
    ("batch", "batch_fraction", "float", 0, 1),
    ("offpk", "off_peak_fraction", "float", 0, 1),
    ("p2a", "peak_to_average", "float", 1, 100),
    ("ttft", "max_ttft_ms", "float", 0, 600_000),
    ("tps", "min_output_tokens_per_s", "float", 0, 10_000),
    ("growth", "monthly_growth", "float", -0.5, 5),
    ("ctx", "min_context_tokens", "int", 0, 100_000_000),
)


def wkey(i: int, suffix: str) -> str:
    """Session-state key of one workload field."""
    return f"w{i}_{suffix}"


def preset_of(i: int) -> Workload:
    """The preset workload currently chosen for workload i."""
    name = st.session_state.get(wkey(i, "preset"), PRESET_NAMES[i % len(PRESET_NAMES)])
    return presets().get(name, presets()[PRESET_NAMES[0]])


def preset_values(w: Workload) -> dict[str, Any]:
    """Widget values (by suffix) that show a Workload; None-valued limits become 0 (= no target)."""
    out: dict[str, Any] = {"name": w.name, "per": "month",
                           "prof": [float(x) for x in w.hourly_profile] if w.hourly_profile else []}
    for suffix, field, kind, _lo, _hi in WORKLOAD_FIELDS:
        v = getattr(w, field)
        v = 0 if v is None else v
        out[suffix] = int(v) if kind == "int" else float(v)
    if w.min_output_tokens_per_s is None and w.max_tpot_ms:
        out["tps"] = 1000.0 / w.max_tpot_ms  # same limit, shown as tokens per second per user
    return out


def params() -> list[Param]:
    """Every input the URL can carry (workload fields have preset-dependent defaults)."""
    ps = [
        Param("wn", "int", 1, 1, MAX_WORKLOADS),
        Param("cands", "str", "defaults", choices=("defaults", "chosen")),
        Param("api", "list", []),
        Param("sh", "list", []),
        Param("minq", "float", 0.0, 0, 1000),
        Param("minq_ref", "str", ""),
        Param("task_ref", "str", ""),  # cost per task: the reference model ('' = same tokens for every model)
        Param("task_own", "str", ""),  # your own output tokens per task: "model=tokens, model=tokens"
        Param("cur", "str", "USD"),
        Param("rate", "float", 1.0, 1e-6, 1e6),
        Param("kwh", "float", 0.0, 0, 2),
        Param("eff", "float", 1.0, 0.05, 5),
        Param("headroom", "float", 0.0, 0, 0.9),
        Param("gpupol", "str", ""),  # GPU price policy ('' = the default, pricing.gpu_price)
        Param("focus", "str", ""),
        Param("be_routes", "list", []),
        Param("be_range", "str", "zoom", choices=("zoom", "full")),
        Param("sd_pick", "str", ""),  # "" = the cheapest self-hosted candidate on Compare; "other" = below
        Param("sd_model", "str", ""),  # "" = computed from data on the page (app/views/selfhost.py)
        Param("sd_gpu", "str", ""),
        Param("sd_prec", "str", "fp8", choices=PRECISIONS),
        Param("sd_gpus", "int", 0, 0, 64),
        Param("sd_spec_k", "int", 0, 0, 8),  # speculative decoding: draft tokens per step (0 = off)
        Param("sd_spec_a", "float", 0.8, 0, 1),  # and the chance each is accepted
        Param("sd_disagg", "bool", False),  # MoE models: also price separate prefill and decode pools
        Param("sd_red", "int", 0, 0, 512),  # and the redundant experts each expert-parallel instance holds
        Param("cat_q", "str", ""),
        Param("scenario_name", "str", "Dashboard scenario"),
        Param("plan_months", "int", PLAN.months, 1, 60),
        Param("plan_api_measured", "bool", True),
        Param("plan_api", "float", API_PRICE_ASSUMPTION, -0.9, 1.0),
        Param("plan_gpu", "float", PLAN.gpu_price_change_per_year, -0.9, 1.0),
    ]
    for i in range(MAX_WORKLOADS):
        ps.append(Param(wkey(i, "preset"), "str", PRESET_NAMES[i % len(PRESET_NAMES)], choices=PRESET_NAMES))
        ps.append(Param(wkey(i, "name"), "str", None))
        ps.append(Param(wkey(i, "per"), "str", "month", choices=("month", "day")))
        ps.append(Param(wkey(i, "prof"), "floats", None))
        for suffix, _f, kind, lo, hi in WORKLOAD_FIELDS:
            ps.append(Param(wkey(i, suffix), kind, None, lo, hi))
    return ps


def dynamic_params(providers: Iterable[str], gpus: Iterable[str]) -> list[Param]:
    """Per-provider discounts and per-GPU price overrides (0 = the catalog's figure)."""
    ps = [Param(f"disc_{p}", "float", 0.0, 0, 1) for p in providers]
    ps += [Param(f"gpuhr_{g}", "float", 0.0, 0, 200) for g in gpus]
    ps += [Param(f"gpubuy_{g}", "float", 0.0, 0, 1_000_000) for g in gpus]
    return ps


def default_of(p: Param) -> Any:
    """The default value of a param right now (workload fields follow their preset)."""
    if p.default is not None or not p.key.startswith("w"):
        return list(p.default) if isinstance(p.default, list) else p.default
    i, suffix = int(p.key[1 : p.key.index("_")]), p.key[p.key.index("_") + 1 :]
    vals = preset_values(preset_of(i))
    if suffix == "req" and st.session_state.get(wkey(i, "per")) == "day":
        return vals["req"] / DAYS_PER_MONTH
    return vals[suffix]


# --------------------------------------------------------------------------- URL codec


def _fmt_num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def encode(p: Param, v: Any) -> str:
    """A value as it appears in the URL."""
    if p.kind == "list":
        return ",".join(str(x) for x in v)
    if p.kind == "floats":
        return ",".join(_fmt_num(float(x)) for x in v)
    if p.kind in ("float", "int"):
        return _fmt_num(float(v))
    if p.kind == "bool":
        return "1" if v else "0"
    return str(v)


def decode(p: Param, text: str) -> Any:
    """Parse one query-parameter value; raise ValueError when it is out of range or unknown."""
    if p.kind == "list":
        return [x for x in text.split(",") if x]
    if p.kind == "floats":
        vals = [float(x) for x in text.split(",") if x]
        if vals and (len(vals) != 24 or not all(math.isfinite(x) and x >= 0 for x in vals) or sum(vals) <= 0):
            raise ValueError("a 24-hour profile needs 24 non-negative numbers, not all zero")
        return vals
    if p.kind in ("float", "int"):
        v = float(text)
        if not math.isfinite(v):
            raise ValueError("not a finite number")
        if (p.lo is not None and v < p.lo) or (p.hi is not None and v > p.hi):
            raise ValueError(f"outside {p.lo}..{p.hi}")
        return int(v) if p.kind == "int" else v
    if p.kind == "bool":
        if text not in ("0", "1"):
            raise ValueError("not 0 or 1")
        return text == "1"
    if p.choices is not None and text not in p.choices:
        raise ValueError(f"not one of {', '.join(p.choices)}")
    if len(text) > 200:
        raise ValueError("too long")
    return text


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


# --------------------------------------------------------------------------- session lifecycle


def init(all_params: list[Param], validators: dict[str, Callable[[Any], Any]] | None = None) -> list[str]:
    """Fill session state once from the URL, then keep every input alive across pages; return URL problems."""
    ss = st.session_state
    problems: list[str] = []
    by_key = {p.key: p for p in all_params}
    if not ss.get("_url_loaded"):
        ss["_url_loaded"] = True
        qp = st.query_params.to_dict()
        # presets and periods first: other workload defaults depend on them
        order = sorted(qp, key=lambda k: (0 if k.endswith(("_preset", "_per")) else 1, k))
        for k in order:
            p = by_key.get(k)
            if p is None:
                continue
            try:
                v = decode(p, qp[k])
                if validators and k in validators:
                    v = validators[k](v)
            except ValueError as e:
                problems.append(f"URL parameter {k}={qp[k][:60]!r} ignored: {e}")
                continue
            ss[k] = v
        ss["_url_problems"] = problems
    for p in all_params:
        if p.key not in ss:
            ss[p.key] = default_of(p)
        else:
            ss[p.key] = ss[p.key]  # re-assign: a widget's value survives pages that do not draw it
    fixed = enforce_rules()
    if fixed and not ss.get("_rules_checked"):
        ss["_url_problems"] = [*ss.get("_url_problems", []), *fixed]
    ss["_rules_checked"] = True
    return list(ss.get("_url_problems", []))


# --------------------------------------------------------------------------- rules across inputs


def max_requests(i: int) -> float:
    """The volume field's upper bound in its current unit (a month holds at most 1e13 requests)."""
    hi = next(h for s, _f, _k, _lo, h in WORKLOAD_FIELDS if s == "req")
    return hi / DAYS_PER_MONTH if st.session_state.get(wkey(i, "per")) == "day" else hi


def enforce_rules() -> list[str]:
    """Bring inputs that break a rule across fields back inside it; what was changed, in words.

    Cache reads + cache writes are shares of the same input tokens (sum <= 1); a per-day volume is at
    most the monthly bound / days per month. The widgets apply the same rules (keep_cache_shares,
    max_requests), so these only fire for values from a URL or an older session.
    """
    ss = st.session_state
    out: list[str] = []
    for i in range(MAX_WORKLOADS):
        c, w, r = wkey(i, "cache"), wkey(i, "cw"), wkey(i, "req")
        if isinstance(ss.get(c), int | float) and isinstance(ss.get(w), int | float) and ss[c] + ss[w] > 1 + 1e-9:
            ss[w] = _room(ss[c])
            out.append(f"workload {i + 1}: cache reads + cache writes were above 100% of input; "
                       f"cache writes lowered to {ss[w]:g}")
        if isinstance(ss.get(r), int | float) and ss[r] > max_requests(i):
            ss[r] = max_requests(i)
            out.append(f"workload {i + 1}: requests per {ss.get(wkey(i, 'per'), 'month')} lowered to "
                       f"the {max_requests(i):.4g} limit")
    return out


def keep_cache_shares(i: int, moved: str) -> None:
    """Widget callback: moving one cache slider lowers the other so that the two never sum above 1."""
    ss = st.session_state
    c, w = wkey(i, "cache"), wkey(i, "cw")
    if ss[c] + ss[w] > 1 + 1e-9:
        other = w if moved == "cache" else c
        ss[other] = _room(ss[c if moved == "cache" else w])


def _room(share: float) -> float:
    """1 - share, rounded down to 6 decimals (never up: the two shares must not sum above 1)."""
    return max(0.0, math.floor((1.0 - float(share)) * 1e6) / 1e6)


def query_dict(all_params: list[Param]) -> dict[str, str]:
    """Every non-default input as URL query parameters: the state a link must carry to reproduce the view."""
    ss = st.session_state
    want: dict[str, str] = {}
    n = int(ss.get("wn", 1))
    for p in all_params:
        if p.key not in ss:
            continue
        if p.key.startswith("w") and p.key[1:2].isdigit() and int(p.key[1 : p.key.index("_")]) >= n:
            continue
        v = ss[p.key]
        if not _same(v, default_of(p)):
            want[p.key] = encode(p, v)
    return want


def sync_url(all_params: list[Param]) -> None:
    """Write every non-default input to the URL (and nothing else), so the address bar reproduces the view."""
    want = query_dict(all_params)
    if st.query_params.to_dict() != want:
        st.query_params.from_dict(want)


def apply_preset(i: int) -> None:
    """Callback: a new preset resets workload i's fields to the preset's values."""
    vals = preset_values(preset_of(i))
    for suffix, value in vals.items():
        if suffix == "per":
            continue
        if suffix == "req" and st.session_state.get(wkey(i, "per")) == "day":
            value = value / DAYS_PER_MONTH
        st.session_state[wkey(i, suffix)] = value


def switch_period(i: int) -> None:
    """Callback: keep the monthly volume when the user flips between per day and per month."""
    ss = st.session_state
    k = wkey(i, "req")
    ss[k] = ss[k] / DAYS_PER_MONTH if ss[wkey(i, "per")] == "day" else ss[k] * DAYS_PER_MONTH
    ss[k] = min(ss[k], max_requests(i))


# --------------------------------------------------------------------------- inputs -> Scenario


def spec_to_str(s: SelfHostSpec) -> str:
    """A self-hosting option as one URL-safe token:
    model@gpu:precision:hosting[:GPUs][:spot|reserved][:n+1][:auto][:disagg[:preN][:decN][:redR]]."""
    tail = [str(s.gpus)] if s.gpus else []
    tail += [s.price_type] if s.price_type != "on_demand" else []
    tail += ["n+1"] if s.n_plus_one else []
    tail += ["auto"] if s.autoscale else []
    if s.disaggregate:
        tail += ["disagg"]
        tail += [f"pre{s.prefill_gpus}"] if s.prefill_gpus else []
        tail += [f"dec{s.decode_gpus}"] if s.decode_gpus else []
        tail += [f"red{s.redundant_experts}"] if s.redundant_experts else []
    return ":".join([f"{s.model}@{s.gpu}", s.precision, s.hosting or "cloud", *tail])


def str_to_spec(text: str) -> SelfHostSpec:
    """Parse spec_to_str's token (ValueError when malformed)."""
    try:
        model, rest = text.split("@", 1)
        gpu, precision, hosting, *flags = rest.split(":")
    except ValueError as e:
        raise ValueError(f"{text!r} is not model@gpu:precision:hosting[:GPUs][:spot|reserved][:n+1][:auto]"
                         "[:disagg[:preN][:decN][:redR]]") from e
    kw: dict[str, Any] = {"model": model, "gpu": gpu, "precision": precision,
                          "hosting": None if hosting == "cloud" else hosting}
    for f in flags:
        if f.isdigit():
            kw["gpus"] = int(f)
        elif f in ("on_demand", "spot", "reserved", "reserved_3y"):
            kw["price_type"] = f
        elif f == "n+1":
            kw["n_plus_one"] = True
        elif f == "auto":
            kw["autoscale"] = True
        elif f == "disagg":
            kw["disaggregate"] = True
        elif (pin := re.fullmatch(r"(pre|dec|red)(\d+)", f)) is not None:
            kw[{"pre": "prefill_gpus", "dec": "decode_gpus", "red": "redundant_experts"}[pin[1]]] = int(pin[2])
        else:
            raise ValueError(f"{text!r}: unknown flag {f!r}")
    try:
        return SelfHostSpec(**kw)
    except ValidationError as e:
        raise ValueError(f"{text!r}: " + "; ".join(
            f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors(include_url=False))) from e


def workloads() -> list[Workload]:
    """The workloads as the editor shows them."""
    ss = st.session_state
    out = []
    for i in range(int(ss.get("wn", 1))):
        kw: dict[str, Any] = {"name": str(ss[wkey(i, "name")]).strip() or f"workload {i + 1}"}
        if ss.get(wkey(i, "prof")):
            kw["hourly_profile"] = tuple(float(x) for x in ss[wkey(i, "prof")])
        for suffix, field, kind, _lo, _hi in WORKLOAD_FIELDS:
            v = ss[wkey(i, suffix)]
            if suffix == "req" and ss[wkey(i, "per")] == "day":
                v = v * DAYS_PER_MONTH
            if field in ("max_ttft_ms", "min_output_tokens_per_s", "off_peak_fraction"):
                v = v or None  # 0 = no target / off-peak share from the traffic shape
            kw[field] = int(v) if kind == "int" else v
        out.append(_valid(Workload, kw, f"workload {i + 1}"))
    names = [w.name for w in out]
    return [w if names.count(w.name) == 1 else w.model_copy(update={"name": f"{w.name} ({i + 1})"})
            for i, w in enumerate(out)]


def overrides(providers: Iterable[str], gpus: Iterable[str]) -> Overrides:
    """The user's own numbers: discounts, GPU prices, electricity, currency."""
    ss = st.session_state
    gl = list(gpus)
    return _valid(Overrides, {
        "provider_discount": {p: ss[f"disc_{p}"] for p in providers if ss.get(f"disc_{p}")},
        "gpu_usd_per_hour": {g: ss[f"gpuhr_{g}"] for g in gl if ss.get(f"gpuhr_{g}")},
        "gpu_purchase_usd": {g: ss[f"gpubuy_{g}"] for g in gl if ss.get(f"gpubuy_{g}")},
        "usd_per_kwh": ss.get("kwh") or None,
        "efficiency_scale": float(ss.get("eff", 1.0)),
        "headroom_fraction": float(ss.get("headroom", 0.0)),
        "gpu_price_policy": str(ss.get("gpupol") or "") or None,
        "currency": currency_code(),
        "usd_to_currency": float(ss.get("rate", 1.0)) if currency_code() != "USD" else 1.0,
    }, "overrides")


def currency_code() -> str:
    """The display currency: the user's three-letter code, or USD when it is not one."""
    code = str(st.session_state.get("cur", "USD")).strip().upper()
    return code if len(code) == 3 and code.isalpha() and code.isascii() else "USD"


def options() -> tuple[Option, ...]:
    """The chosen candidates, or () for the defaults compare picks itself."""
    ss = st.session_state
    if ss.get("cands") != "chosen":
        return ()
    opts: list[Option] = [ApiChoice(api=a) for a in ss.get("api", [])]
    opts += [SelfHostChoice(selfhost=str_to_spec(s)) for s in ss.get("sh", [])]
    return tuple(opts)


def parse_own_tokens(text: str) -> dict[str, float]:
    """'openai/gpt-4o=5000, deepseek/deepseek-v4-pro=30k' -> {model: tokens}; DataError naming the field."""
    out: dict[str, float] = {}
    for item in (x.strip() for x in text.replace(";", ",").split(",")):
        if not item:
            continue
        key, sep, num = item.rpartition("=")
        num = num.strip().lower()
        scale = 1000.0 if num.endswith("k") else 1.0
        try:
            val = float(num.removesuffix("k")) * scale
        except ValueError:
            val = float("nan")
        if not sep or not key.strip() or not 0 < val <= 10_000_000:
            raise DataError([Issue("Your inputs", "Cost per task", "Your tokens per task",
                                   f"{item!r} must read model=tokens, e.g. openai/gpt-4o=5000 "
                                   "(tokens above 0, at most 10,000,000)")])
        out[key.strip()] = val
    return out


def task_tokens() -> dict[str, Any] | None:
    """The cost-per-task setting the inputs describe, or None for the same tokens everywhere."""
    ss = st.session_state
    ref = str(ss.get("task_ref") or "").strip()
    if not ref:
        return None
    return {"reference": ref, "own_tokens_per_task": parse_own_tokens(str(ss.get("task_own") or ""))}


def scenario(providers: Iterable[str], gpus: Iterable[str]) -> Scenario:
    """Everything the user entered, as a Scenario (the file shape of DESIGN.md)."""
    return _valid(Scenario, {
        "name": str(st.session_state.get("scenario_name") or "").strip()[:200] or "Dashboard scenario",
        "workloads": tuple(workloads()),
        "options": options(),
        "overrides": overrides(providers, gpus),
        "months": int(st.session_state.get("plan_months", PLAN.months)),
        "task_tokens": task_tokens(),
    }, "scenario")


M = TypeVar("M", bound=BaseModel)


def _valid(model: type[M], kw: dict[str, Any], where: str) -> M:
    """model(**kw), or a DataError naming the input and field (a page shows it; never a traceback)."""
    try:
        return model.model_validate(kw)
    except ValidationError as e:
        raise DataError(issues_from_validation(where, kw, e, model)) from None


def apply_scenario(s: Scenario, providers: Iterable[str], gpus: Iterable[str]) -> list[str]:
    """Load a Scenario into the inputs (call from a callback or before widgets draw); return what was dropped."""
    ss = st.session_state
    notes: list[str] = []
    if len(s.workloads) > MAX_WORKLOADS:
        notes.append(f"only the first {MAX_WORKLOADS} of {len(s.workloads)} workloads are shown")
    ss["wn"] = min(len(s.workloads), MAX_WORKLOADS)
    for i, w in enumerate(s.workloads[:MAX_WORKLOADS]):
        ss[wkey(i, "preset")] = w.name if w.name in PRESET_NAMES else PRESET_NAMES[i % len(PRESET_NAMES)]
        ss[wkey(i, "per")] = "month"
        for suffix, value in preset_values(w).items():
            ss[wkey(i, suffix)] = value
    api = [o.api for o in s.options if isinstance(o, ApiChoice)]
    sh = [spec_to_str(o.selfhost) for o in s.options if isinstance(o, SelfHostChoice)]
    ss["cands"] = "chosen" if s.options else "defaults"
    ss["api"], ss["sh"] = api, sh
    ov = s.overrides
    for p in providers:
        ss[f"disc_{p}"] = float(ov.provider_discount.get(p, 0.0))
    for g in gpus:
        ss[f"gpuhr_{g}"] = float(ov.gpu_usd_per_hour.get(g, 0.0))
        ss[f"gpubuy_{g}"] = float(ov.gpu_purchase_usd.get(g, 0.0))
    ss["kwh"] = float(ov.usd_per_kwh or 0.0)
    ss["eff"] = float(ov.efficiency_scale)
    ss["headroom"] = float(ov.headroom_fraction)
    ss["gpupol"] = ov.gpu_price_policy or ""
    ss["plan_months"] = int(s.months)
    ss["cur"], ss["rate"] = ov.currency, float(ov.usd_to_currency)
    ss["scenario_name"] = s.name
    tt = s.task_tokens
    ss["task_ref"] = tt.reference if tt else ""
    ss["task_own"] = ", ".join(f"{k}={v:g}" for k, v in tt.own_tokens_per_task.items()) if tt else ""
    return notes + clamp_to_widgets(params() + dynamic_params(providers, gpus))


def clamp_to_widgets(all_params: list[Param]) -> list[str]:
    """Bring values the schema allows but a widget cannot show (e.g. 2,000 tokens/s) inside its range."""
    ss = st.session_state
    notes = []
    for p in all_params:
        v = ss.get(p.key)
        if p.kind not in ("float", "int") or not isinstance(v, int | float) or isinstance(v, bool):
            continue
        lo, hi = p.lo, p.hi
        if p.key.endswith("_req"):
            hi = max_requests(int(p.key[1 : p.key.index("_")]))
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            new = min(max(v, lo if lo is not None else v), hi if hi is not None else v)
            ss[p.key] = int(new) if p.kind == "int" else float(new)
            notes.append(f"{p.key} = {v:g} is outside what the inputs can show; set to {new:g}")
    return notes + enforce_rules()
