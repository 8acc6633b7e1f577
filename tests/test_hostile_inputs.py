"""Hostile data files and scenarios: every one ends in a clear error naming the file, never a traceback or a hang."""

from __future__ import annotations

import errno
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing import io
from pricing.catalog import build_catalog, load_catalog
from pricing.cli import main
from pricing.compare import MAX_SCENARIO_BYTES, load_scenario
from pricing.errors import DataError
from pricing.schema import EfficiencyFactors, Scenario, Workload

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "data" / "scenarios" / "batch-summaries.yaml"


def _dir(p: Path) -> None:
    p.mkdir()


def _not_utf8(p: Path) -> None:
    p.write_bytes(b"name: caf\xe9\nworkloads: []\n")


def _deep(p: Path) -> None:
    p.write_text("[" * 5000 + "]" * 5000)


def _deep_map(p: Path) -> None:
    p.write_text("a: " + "{a: " * 3000 + "1" + "}" * 3000)


def _moderately_deep(p: Path) -> None:
    p.write_text("[" * 200 + "]" * 200)


def _huge_int(p: Path) -> None:
    p.write_text("name: x\nworkloads:\n  - name: w\n    requests_per_month: " + "9" * 5000 + "\n")


def _alias_bomb(p: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
              for i in range(1, 9)]
    p.write_text("\n".join(lines) + "\n")


def _dev_zero(p: Path) -> None:
    p.symlink_to("/dev/zero")


def _fifo(p: Path) -> None:
    os.mkfifo(p)


def _too_big(p: Path) -> None:
    p.write_text("# " + "x" * (io.MAX_FILE_BYTES + 10) + "\n")


def _broken_link(p: Path) -> None:
    p.symlink_to(p.parent / "nowhere")


def _link_loop(p: Path) -> None:
    p.symlink_to(p)


HOSTILE_FILES: list[tuple[str, Callable[[Path], None], str]] = [
    ("directory", _dir, "is a directory"),
    ("not utf-8", _not_utf8, "not UTF-8 text: byte 0xe9 at offset 9 (line 1)"),
    ("nested 5000 deep", _deep, "nested"),
    ("mapping nested 3000 deep", _deep_map, "nested"),
    ("nested 200 deep", _moderately_deep, "nested more than 64 levels deep"),
    ("5000-digit integer", _huge_int, "unreadable value: Exceeds the limit"),
    ("alias bomb", _alias_bomb, "expands to over"),
    ("symlink to /dev/zero", _dev_zero, "is a character device, not a regular file"),
    ("FIFO", _fifo, "is a FIFO (named pipe), not a regular file"),
    ("over the size limit", _too_big, "over the 5,000,000-byte limit"),
    ("broken symlink", _broken_link, "file not found"),
    ("symlink loop", _link_loop, "symlink loop"),
]


@pytest.mark.timeout(20)
@pytest.mark.parametrize(("case", "make", "expected"), HOSTILE_FILES, ids=[c[0] for c in HOSTILE_FILES])
def test_guarded_reader_names_file_and_cause(tmp_path: Path, case: str, make: Callable[[Path], None], expected: str) -> None:
    p = tmp_path / "x.yaml"
    make(p)
    with pytest.raises(DataError) as e:
        io.read_yaml(p)
    assert str(p) in str(e.value), case
    assert expected in str(e.value), (case, str(e.value))


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "x.yaml"
    p.write_text("a: 1\n")
    real = os.open

    def denied(path: Any, flags: int, *a: Any) -> int:
        if str(path) == str(p):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, flags, *a)

    monkeypatch.setattr(os, "open", denied)  # tests run as root, where chmod 000 does not stop a read
    with pytest.raises(DataError, match=r"x\.yaml: cannot read: Permission denied"):
        io.read_yaml(p)


def test_file_growing_past_limit_while_read(tmp_path: Path) -> None:
    p = tmp_path / "x.yaml"
    p.write_text("a: 1\n")
    with pytest.raises(DataError, match="over the 4-byte limit"):
        io.read_bytes(p, max_bytes=4)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("case", "make", "expected"), HOSTILE_FILES, ids=[c[0] for c in HOSTILE_FILES])
def test_hostile_provider_file_fails_validate_with_exit_1(
    data_copy: Path, capsys: pytest.CaptureFixture[str], case: str, make: Callable[[Path], None], expected: str
) -> None:
    target = data_copy / "api" / "openai.yaml"
    target.unlink()
    make(target)
    assert main(["validate", "--data-dir", str(data_copy)]) == 1, case
    out = capsys.readouterr().out
    assert "openai.yaml" in out and expected in out, (case, out[-500:])


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("case", "make", "expected"), HOSTILE_FILES, ids=[c[0] for c in HOSTILE_FILES])
def test_hostile_scenario_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, make: Callable[[Path], None], expected: str
) -> None:
    p = tmp_path / "s.yaml"
    make(p)
    expected = expected.replace("5,000,000", f"{MAX_SCENARIO_BYTES:,}")
    assert main(["compare", str(p)]) in (1, 2), case
    err = capsys.readouterr().err
    assert "s.yaml" in err and expected in err and "Traceback" not in err, (case, err[-500:])


def test_models_yaml_as_directory(data_copy: Path) -> None:
    (data_copy / "models.yaml").unlink()
    (data_copy / "models.yaml").mkdir()
    cat, issues = build_catalog(data_copy)
    assert cat is None
    assert any("models.yaml" in str(i) and "is a directory" in str(i) for i in issues)


# --------------------------------------------------------------------------- finite numbers only


def _scenario_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SCENARIO.read_text())
    return data


BAD_VALUES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("NaN in hourly profile", lambda d: d["workloads"][0].update(hourly_profile=[1.0] * 23 + [math.nan]),
     "hourly_profile[23]|finite number"),
    ("inf in hourly profile", lambda d: d["workloads"][0].update(hourly_profile=[1.0] * 23 + [math.inf]),
     "hourly_profile[23]|finite number"),
    ("bool in hourly profile", lambda d: d["workloads"][0].update(hourly_profile=[1.0] * 23 + [True]),
     "hourly_profile|expected a number at [23], got a boolean"),
    ("NaN volume", lambda d: d["workloads"][0].update(requests_per_month=math.nan),
     "requests_per_month|finite number"),
    ("true as volume", lambda d: d["workloads"][0].update(requests_per_month=True),
     "requests_per_month|expected a number, got a boolean"),
    ("true as context", lambda d: d["workloads"][0].update(min_context_tokens=True),
     "min_context_tokens|expected a number, got a boolean"),
    ("-inf growth", lambda d: d["workloads"][0].update(monthly_growth=-math.inf), "monthly_growth|finite number"),
    ("cache shares above 1", lambda d: d["workloads"][0].update(cached_input_fraction=0.7, cache_write_fraction=0.4),
     "cached_input_fraction (0.7) + cache_write_fraction (0.4) is above 1"),
    ("NaN GPU price override", lambda d: d.update(overrides={"gpu_usd_per_hour": {"h100-sxm": math.nan}}),
     "gpu_usd_per_hour.h100-sxm|finite number"),
    ("true as discount", lambda d: d.update(overrides={"provider_discount": {"openai": True}}),
     "provider_discount|expected a number at ['openai'], got a boolean"),
    ("inf efficiency", lambda d: d.update(overrides={"efficiency_scale": math.inf}), "efficiency_scale|finite number"),
    ("true as months", lambda d: d.update(months=True), "months|expected a number, got a boolean"),
]


@pytest.mark.parametrize(("case", "mutate", "expected"), BAD_VALUES, ids=[c[0] for c in BAD_VALUES])
def test_scenario_refuses_non_finite_and_boolean_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    d = _scenario_data()
    mutate(d)
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(d))  # PyYAML writes .nan / .inf / true, as a user would
    assert main(["compare", str(p)]) == 1, case
    err = capsys.readouterr().err
    assert f"{p}" in err and all(part in err for part in expected.split("|")), (case, err)


DATA_BAD: list[tuple[str, str, Callable[[Any], None], str]] = [
    ("true as a price", "api/openai.yaml", lambda d: d["offers"][0].update(usd_per_mtok_input=True),
     "usd_per_mtok_input|expected a number, got a boolean"),
    ("NaN price", "api/openai.yaml", lambda d: d["offers"][0].update(usd_per_mtok_output=math.nan),
     "usd_per_mtok_output|finite number"),
    ("inf GPU bandwidth", "gpus.yaml", lambda d: d["gpus"][0].update(mem_bandwidth_tbs=math.inf),
     "mem_bandwidth_tbs|finite number"),
    ("NaN calibration factor", "calibration.yaml", lambda d: d["efficiency"].update(bandwidth_efficiency=math.nan),
     "bandwidth_efficiency|finite number"),
    ("negative MoE efficiency", "calibration.yaml", lambda d: d["efficiency"]["extra"].update(moe_efficiency=-0.5),
     "moe_efficiency = -0.5 is outside its bounds (> 0 and <= 1)"),
    ("inf error figure", "calibration.yaml", lambda d: d["efficiency"].update(median_abs_pct_error=math.inf),
     "median_abs_pct_error|finite number"),
    ("huge error figure", "calibration.yaml", lambda d: d["efficiency"].update(median_abs_pct_error=1e9),
     "median_abs_pct_error|at most 10"),
    ("inf extra", "calibration.yaml", lambda d: d["efficiency"]["extra"].update(max_batch=math.inf),
     "extra.max_batch|finite number"),
    ("true as hourly rent", "hosting.yaml", lambda d: d["cloud"][0].update(usd_per_hour_on_demand=True),
     "usd_per_hour_on_demand|expected a number, got a boolean"),
    ("NaN quality", "quality.yaml", lambda d: d["scores"][0].update(value=math.nan), "value|finite number"),
]


@pytest.mark.parametrize(("case", "fname", "mutate", "expected"), DATA_BAD, ids=[c[0] for c in DATA_BAD])
def test_data_files_refuse_non_finite_and_boolean_numbers(
    data_copy: Path, capsys: pytest.CaptureFixture[str], case: str, fname: str, mutate: Callable[[Any], None], expected: str
) -> None:
    p = data_copy / fname
    d = yaml.safe_load(p.read_text())
    mutate(d)
    p.write_text(yaml.safe_dump(d, sort_keys=False))
    assert main(["validate", "--data-dir", str(data_copy)]) == 1, case
    out = capsys.readouterr().out
    line = next((x for x in out.splitlines() if x.startswith("error:") and fname.split("/")[-1] in x), "")
    assert all(part in line for part in expected.split("|")), (case, out[-800:])


def test_calibration_extra_bounds_direct() -> None:
    base = EfficiencyFactors.model_validate(yaml.safe_load((ROOT / "data" / "calibration.yaml").read_text())["efficiency"])
    for key, bad in (("moe_efficiency", 0.0), ("moe_efficiency", 1.5), ("max_batch", 0.5), ("useful_sequences", -1.0),
                     ("allreduce_latency_us", 1e9), ("some_new_factor", -1.0)):
        with pytest.raises(ValueError, match=key):
            EfficiencyFactors.model_validate({**base.model_dump(), "extra": {**base.extra, key: bad}})


# --------------------------------------------------------------------------- hypothesis over scenario values

_ANY_NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-10**30, max_value=10**30), st.booleans(),
)
_WORKLOAD_NUMERIC = ("requests_per_month", "input_tokens", "output_tokens", "reasoning_tokens", "cached_input_fraction",
                     "cache_write_fraction", "batch_fraction", "off_peak_fraction", "peak_to_average", "max_ttft_ms",
                     "max_tpot_ms", "min_output_tokens_per_s", "monthly_growth", "min_context_tokens")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(_WORKLOAD_NUMERIC), value=_ANY_NUMBER)
def test_any_number_in_any_workload_field_is_valid_or_a_located_error(field: str, value: Any) -> None:
    d = _scenario_data()
    d["workloads"][0][field] = value
    text = yaml.safe_dump(d)
    try:
        s = load_scenario(text, "s.yaml")
    except DataError as e:
        assert all(i.file == "s.yaml" for i in e.issues)
        assert any(field in i.field or field in i.message for i in e.issues), str(e)
        return
    w = s.workloads[0]
    got = getattr(w, field)
    assert not isinstance(value, bool)
    assert math.isfinite(float(got))
    assert w.cached_input_fraction + w.cache_write_fraction <= 1 + 1e-9


@settings(max_examples=80, deadline=None)
@given(profile=st.lists(_ANY_NUMBER, min_size=0, max_size=30))
def test_any_hourly_profile_is_valid_or_refused(profile: list[Any]) -> None:
    try:
        w = Workload(name="w", requests_per_month=1, input_tokens=1, output_tokens=1, hourly_profile=profile)
    except ValueError:
        return
    assert w.hourly_profile is not None and len(w.hourly_profile) == 24
    assert all(math.isfinite(x) and x >= 0 for x in w.hourly_profile) and not any(isinstance(x, bool) for x in profile)
    assert math.isfinite(w.effective_peak_to_average)


def test_hostile_yaml_tags_never_run(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("name: !!python/object/apply:os.system ['echo pwned']\nworkloads: []\n")
    with pytest.raises(DataError, match="malformed YAML"):
        load_scenario(p)


def test_bundled_data_and_scenarios_still_load() -> None:
    load_catalog()
    for p in sorted((ROOT / "data" / "scenarios").glob("*.yaml")):
        assert isinstance(load_scenario(p), Scenario)


def _edge(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.one_of(st.sampled_from([lo, hi]), st.floats(lo, hi))


@st.composite
def _extreme_workloads(draw: st.DrawFn) -> Workload:
    cache = draw(_edge(0.0, 1.0))
    return Workload(
        name="w", requests_per_month=draw(_edge(0.0, 1e13)), input_tokens=draw(_edge(0.0, 1e7)),
        output_tokens=draw(_edge(0.0, 1e6)), reasoning_tokens=draw(_edge(0.0, 1e6)), cached_input_fraction=cache,
        cache_write_fraction=draw(_edge(0.0, 1.0 - cache)), batch_fraction=draw(_edge(0.0, 1.0)),
        off_peak_fraction=draw(_edge(0.0, 1.0)), peak_to_average=draw(_edge(1.0, 100.0)),
        max_ttft_ms=draw(st.one_of(st.none(), _edge(1e-3, 600_000.0))),
        min_output_tokens_per_s=draw(st.one_of(st.none(), _edge(1e-3, 10_000.0))),
        monthly_growth=draw(_edge(-0.5, 5.0)), min_context_tokens=draw(st.sampled_from([0, 128_000, 100_000_000])),
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(w=_extreme_workloads())
def test_any_valid_workload_compares_without_error_or_infinite_cost(catalog: Any, w: Workload) -> None:
    from pricing import compare as cmp

    s = Scenario(name="s", workloads=(w,))
    s = s.model_copy(update={"options": cmp.default_options(list(s.workloads), catalog)})
    df = cmp.compare(s, catalog)
    usd = df["monthly_usd"].astype(float)
    assert len(df) and not usd.isin([math.inf, -math.inf]).any() and not (usd < 0).any()


def test_validate_fails_on_emptied_providers(data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for p in (data_copy / "api").glob("*.yaml"):
        d = yaml.safe_load(p.read_text())
        d["offers"] = []
        p.write_text(yaml.safe_dump(d))
    assert main(["validate", "--data-dir", str(data_copy)]) == 1
    out = capsys.readouterr().out
    assert "api/openai.yaml: offers: provider has no offers" in out and "no API offers at all" in out
