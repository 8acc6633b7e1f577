"""aiconfigurator-core curves (issue 9 item 0): loader errors, monotone lookup, which routes use them.

None of this needs aiconfigurator-core: synthetic curves written here, and the committed ones.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing import aicurves, perf
from pricing.errors import DataError
from pricing.importers import aiconfigurator as imp
from pricing.perf import PerfParams

ISL, OSL, BS = (128, 1024, 8192), (128, 1024), (1, 4, 16, 64, 256)
KEY = ["meta-llama/Meta-Llama-3.1-8B", "h100-sxm", "trtllm", "fp8", "fp8", "1", "1", "1", "0"]
PROP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])


def tpot_of(i: float, o: float, b: float) -> float:
    """A synthetic step time: weights + KV reads growing with batch and context, plus the prefill share."""
    return 8.0 + 0.01 * b * (i + o / 2) / 1000 + 0.002 * b * i / max(o - 1, 1)


def decode_of(i: float, o: float, b: float) -> float:
    return 8.0 + 0.01 * b * (i + o / 2) / 1000


def ttft_of(i: float, o: float, b: float) -> float:
    return 5.0 + 0.03 * i + 0.05 * b


def meta_doc(**kw) -> dict:
    doc = {"tool": "aiconfigurator-core", "version": "0.12.0", "source": imp.PYPI, "licence": "Apache-2.0",
           "as_of": "2026-11-30", "method": "synthetic for tests",
           "models": {"meta-llama/Llama-3.1-8B-Instruct": "meta-llama/Meta-Llama-3.1-8B"},
           "systems": {"h100-sxm": "h100_sxm"}, "backend_versions": {"h100_sxm/trtllm": "1.3.0rc20"},
           "grid": {"input_tokens": list(ISL), "output_tokens": list(OSL), "batches": list(BS),
                    "instance_gpus": [1]}, "curves": 1, "skipped": []}
    doc.update(kw)
    return doc


def decision_doc(use: bool = True) -> dict:
    groups = [{"dimension": d, "group": g, "rows": 5, "aiconfigurator": 0.05, "ours_in_sample": 0.04,
               "ours_leave_one_gpu_out": 0.2, "ours_leave_one_family_out": 0.3, "use_aiconfigurator": use}
              for d, g in (("engine", "trtllm"), ("gpu", "h100-sxm"), ("family", "llama"),
                           ("model", "meta-llama/Meta-Llama-3.1-8B"))]
    return {"tool_version": "0.12.0", "as_of": "2026-11-30", "source": "synthetic for tests", "rule": "test",
            "groups": groups}


def curves_text(key: list[str] = KEY, drop: int | None = None) -> str:
    lines = [",".join(aicurves.CURVE_COLUMNS)]
    for i in ISL:
        for o in OSL:
            for b in BS:
                t = tpot_of(i, o, b)
                lines.append(",".join([*key, "1.3.0rc20", str(i), str(o), str(b), f"{t:.6g}",
                                       f"{decode_of(i, o, b):.6g}", f"{ttft_of(i, o, b):.6g}",
                                       f"{b * o / (o - 1) / t * 1e3:.6g}"]))
    if drop is not None:
        del lines[drop]
    return "\n".join(lines) + "\n"


def write(tmp: Path, text: str | None = None, meta: dict | None = None, decision: dict | None = None) -> Path:
    d = tmp / "derived"
    d.mkdir(parents=True, exist_ok=True)
    (d / aicurves.CURVES_FILE).write_text(curves_text() if text is None else text, encoding="utf-8")
    (d / aicurves.META_FILE).write_text(yaml.safe_dump(meta or meta_doc()), encoding="utf-8")
    (d / aicurves.DECISION_FILE).write_text(yaml.safe_dump(decision or decision_doc()), encoding="utf-8")
    return tmp


@pytest.fixture
def synth(tmp_path: Path) -> aicurves.Curves:
    c = aicurves.load(write(tmp_path))
    assert c is not None
    return c


# --------------------------------------------------------------------------- loader


def test_loads_synthetic_and_is_cached(tmp_path: Path) -> None:
    root = write(tmp_path)
    c = aicurves.load(root)
    assert c is not None and c.label == "aiconfigurator-core 0.12.0"
    assert c.tpot.shape == (1, len(ISL), len(OSL), len(BS))
    assert aicurves.load(root) is c  # cached


def test_no_curves_folder_means_none(tmp_path: Path) -> None:
    assert aicurves.load(tmp_path) is None


def _bad(tmp_path: Path, text: str) -> str:
    with pytest.raises(DataError) as e:
        aicurves.load(write(tmp_path, text=text))
    return str(e.value)


def test_rejects_non_numeric_field_naming_file_row_field(tmp_path: Path) -> None:
    text = curves_text().replace(",1.3.0rc20,128,128,1,", ",1.3.0rc20,128,128,1,", 1)
    lines = text.splitlines()
    parts = lines[3].split(",")
    parts[13] = "fast"  # tpot_ms of data row 3 (file line 4)
    lines[3] = ",".join(parts)
    msg = _bad(tmp_path, "\n".join(lines) + "\n")
    assert aicurves.CURVES_FILE in msg and "row 4" in msg and "tpot_ms" in msg and "'fast'" in msg


def test_rejects_negative_ttft(tmp_path: Path) -> None:
    lines = curves_text().splitlines()
    parts = lines[2].split(",")
    parts[15] = "-3"
    lines[2] = ",".join(parts)
    msg = _bad(tmp_path, "\n".join(lines) + "\n")
    assert "row 3" in msg and "ttft_ms" in msg and "positive" in msg


def test_rejects_bad_header(tmp_path: Path) -> None:
    msg = _bad(tmp_path, curves_text().replace("tpot_ms", "tpot", 1))
    assert aicurves.CURVES_FILE in msg and "header" in msg


def test_rejects_bad_layout_and_short_row(tmp_path: Path) -> None:
    lines = curves_text().splitlines()
    lines[5] = lines[5].replace(",fp8,fp8,1,1,1,0,", ",fp8,fp8,0,1,1,0,", 1)
    msg = _bad(tmp_path, "\n".join(lines) + "\n")
    assert "row 6" in msg and ": tp:" in msg
    lines = curves_text().splitlines()
    lines[7] = ",".join(lines[7].split(",")[:-1])
    assert "row 8" in _bad(tmp_path / "b", "\n".join(lines) + "\n")


def test_rejects_off_grid_length_and_incomplete_curve(tmp_path: Path) -> None:
    lines = curves_text().splitlines()
    lines[2] = lines[2].replace(",1.3.0rc20,128,", ",1.3.0rc20,100,", 1)
    msg = _bad(tmp_path, "\n".join(lines) + "\n")
    assert "row 3" in msg and "input_tokens" in msg and "grid" in msg
    msg = _bad(tmp_path / "b", curves_text(drop=4))
    assert "incomplete curve" in msg and "meta-llama/Meta-Llama-3.1-8B" in msg


def test_rejects_malformed_meta_and_decision(tmp_path: Path) -> None:
    meta = meta_doc()
    del meta["version"]
    with pytest.raises(DataError) as e:
        aicurves.load(write(tmp_path, meta=meta))
    assert aicurves.META_FILE in str(e.value) and "version" in str(e.value)
    dec = decision_doc()
    dec["groups"][0]["dimension"] = "colour"
    with pytest.raises(DataError) as e:
        aicurves.load(write(tmp_path / "b", decision=dec))
    assert aicurves.DECISION_FILE in str(e.value) and "dimension" in str(e.value)


# --------------------------------------------------------------------------- lookup


def _look(c: aicurves.Curves, i: float, o: float, tpot: float = math.inf, ttft: float = math.inf,
          cap: float = 1e9, qf: float = 1.0) -> dict[str, float]:
    got = aicurves.lookup(c, np.array([0]), np.array([i]), np.array([o]), np.array([tpot]), np.array([ttft]),
                          np.array([cap]), qf)
    return {k: float(v[0]) for k, v in got.items()}


def test_grid_points_are_reproduced(synth: aicurves.Curves) -> None:
    g = _look(synth, 1024, 128, cap=64)
    assert g["batch"] == pytest.approx(64)
    assert g["tpot_ms"] == pytest.approx(tpot_of(1024, 128, 64), rel=1e-5)
    assert g["ttft_ms"] == pytest.approx(ttft_of(1024, 128, 64), rel=1e-5)
    assert g["output_tokens_per_s"] == pytest.approx(64 * 128 / 127 / tpot_of(1024, 128, 64) * 1e3, rel=1e-5)


def test_tpot_target_binds_and_queueing_scales_ttft(synth: aicurves.Curves) -> None:
    free = _look(synth, 1024, 1024)
    tight = _look(synth, 1024, 1024, tpot=tpot_of(1024, 1024, 16))
    assert tight["batch"] == pytest.approx(16, rel=0.1) and tight["output_tokens_per_s"] < free["output_tokens_per_s"]
    assert _look(synth, 1024, 1024, qf=2.0, cap=1)["ttft_ms"] == pytest.approx(2 * ttft_of(1024, 1024, 1), rel=1e-5)
    assert _look(synth, 1024, 1024, tpot=1.0)["latency_ok"] == 0.0


@PROP
@given(i=st.floats(128, 8192), o=st.floats(128, 1024), t1=st.floats(7, 80), t2=st.floats(7, 80),
       f1=st.floats(5, 2000), f2=st.floats(5, 2000), cap=st.floats(1, 2000))
def test_tighter_targets_never_raise_throughput(synth: aicurves.Curves, i: float, o: float, t1: float, t2: float,
                                                f1: float, f2: float, cap: float) -> None:
    lo_t, hi_t = sorted((t1, t2))
    lo_f, hi_f = sorted((f1, f2))
    tight = _look(synth, i, o, lo_t, lo_f, cap)
    loose = _look(synth, i, o, hi_t, hi_f, cap)
    assert tight["output_tokens_per_s"] <= loose["output_tokens_per_s"] * (1 + 1e-9) or not tight["latency_ok"]
    assert tight["batch"] <= cap * (1 + 1e-9) or cap < 1


@PROP
@given(i=st.floats(128, 8192), o=st.floats(128, 1024), b=st.floats(1, 256))
def test_interpolated_tpot_within_its_grid_neighbours(synth: aicurves.Curves, i: float, o: float, b: float) -> None:
    g = _look(synth, i, o, cap=b)
    grid = [tpot_of(x, y, z) for x in ISL for y in OSL for z in BS]
    assert min(grid) * 0.999 <= g["tpot_ms"] <= max(grid) * 1.001
    # more context or a bigger batch never makes a step faster (the synthetic curve grows with both)
    assert _look(synth, min(i * 1.5, 8192), o, cap=b)["tpot_ms"] >= g["tpot_ms"] * (1 - 1e-9)


@PROP
@given(t1=st.floats(10, 200), t2=st.floats(10, 200), i=st.sampled_from([300, 1000, 3000]),
       o=st.sampled_from([150, 400, 1500]))
def test_committed_curves_tighter_target_never_raises_throughput(t1: float, t2: float, i: int, o: int) -> None:
    c = aicurves.load()
    if c is None or not c.index:
        pytest.skip("no committed curves")
    idx = np.arange(len(c.index))
    n = idx.size
    lo, hi = sorted((t1, t2))
    args = (np.full(n, float(i)), np.full(n, float(o)))
    tight = aicurves.lookup(c, idx, *args, np.full(n, lo), np.full(n, np.inf), np.full(n, 1024.0), 1.0)
    loose = aicurves.lookup(c, idx, *args, np.full(n, hi), np.full(n, np.inf), np.full(n, 1024.0), 1.0)
    ok = tight["latency_ok"] > 0
    assert np.all(tight["output_tokens_per_s"][ok] <= loose["output_tokens_per_s"][ok] * (1 + 1e-9))


# --------------------------------------------------------------------------- routes


@pytest.fixture
def synth_routes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> aicurves.Curves:
    """The synthetic curves as the ones every route sees."""
    c = aicurves.load(write(tmp_path))
    assert c is not None
    monkeypatch.setattr(aicurves, "load", lambda data_dir=None: c)
    return c


def _tp(catalog, model: str, gpu: str, engine: str, **kw) -> dict:
    p = PerfParams.from_factors(catalog.efficiency, engine)
    return perf.throughput(catalog.model(model), catalog.gpu(gpu), 1, "fp8", 1000, 500, p, engine=engine, **kw)


def test_covered_route_uses_curves_and_others_the_calibrated_model(catalog, synth_routes) -> None:
    got = _tp(catalog, "meta-llama/Llama-3.1-8B-Instruct", "h100-sxm", "trtllm", max_tpot_ms=20)
    assert got["throughput_model"] == "aiconfigurator-core 0.12.0"
    assert got["tpot_ms"] <= 20 * (1 + 1e-9)
    # the figures are the curves' (interpolated at 1000/500), not the calibrated model's
    c = synth_routes
    want = _look(c, 1000, 500, tpot=20, cap=got["max_batch_kv"], qf=aicurves.queue_factor(
        PerfParams.from_factors(catalog.efficiency, "trtllm").planned_utilization))
    assert got["output_tokens_per_s"] == pytest.approx(want["output_tokens_per_s"], rel=1e-9)
    for model, gpu, engine, kw in (
        ("meta-llama/Llama-3.1-8B-Instruct", "h100-sxm", "vllm", {}),  # engine not chosen
        ("meta-llama/Llama-3.1-8B-Instruct", "h100-sxm", "default", {}),  # no engine, no curves
        ("meta-llama/Llama-3.1-8B-Instruct", "h200", "trtllm", {}),  # GPU without a curve
        ("meta-llama/Llama-3.1-8B-Instruct", "h100-sxm", "trtllm", {"cached_fraction": 0.5}),  # prefix cache
        ("Qwen/Qwen3-32B", "h100-sxm", "trtllm", {}),  # model without a curve
    ):
        res = _tp(catalog, model, gpu, engine, **kw)
        assert res["throughput_model"] == "calibrated", (model, gpu, engine, kw)


def test_decision_against_keeps_the_calibrated_model(catalog, tmp_path: Path, monkeypatch) -> None:
    c = aicurves.load(write(tmp_path, decision=decision_doc(use=False)))
    monkeypatch.setattr(aicurves, "load", lambda data_dir=None: c)
    assert _tp(catalog, "meta-llama/Llama-3.1-8B-Instruct", "h100-sxm", "trtllm")["throughput_model"] == "calibrated"


def test_outside_the_length_grid_keeps_the_calibrated_model(catalog, synth_routes) -> None:
    p = PerfParams.from_factors(catalog.efficiency, "trtllm")
    m, g = catalog.model("meta-llama/Llama-3.1-8B-Instruct"), catalog.gpu("h100-sxm")
    assert perf.throughput(m, g, 1, "fp8", 20_000, 500, p, engine="trtllm")["throughput_model"] == "calibrated"
    assert perf.throughput(m, g, 1, "fp8", 1000, 50, p, engine="trtllm")["throughput_model"] == "calibrated"


def test_selfhost_cost_json_names_the_source(synth_routes) -> None:
    from pricing.cli import selfhost as cli_selfhost

    def run(engine: str) -> dict:
        return cli_selfhost.result(_selfhost_args(engine))
    assert run("trtllm")["throughput_model"] == "aiconfigurator-core 0.12.0"
    assert run("sglang")["throughput_model"] == "calibrated"


def _selfhost_args(engine: str):
    import argparse

    from pricing.cli import selfhost as cli_selfhost
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers()
    cli_selfhost.register(sub)
    return ap.parse_args(["selfhost-cost", "--model", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "h100-sxm",
                          "--precision", "fp8", "--requests", "2000000", "--input-tokens", "1000",
                          "--output-tokens", "500", "--engine", engine, "--gpu-usd-per-hour", "2"])


# --------------------------------------------------------------------------- committed data and importer


def _data_allowing_every_group(tmp_path: Path) -> Path:
    """A copy of the repository's data/ whose aiconfigurator decision lets every group use the curves."""
    import shutil

    from pricing.catalog import DEFAULT_DATA_DIR

    data = tmp_path / "data-aic"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    path = data / "derived" / aicurves.DECISION_FILE
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for g in doc["groups"]:
        g["use_aiconfigurator"] = True
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return data


def _served(catalog, c, data_dir: Path | None) -> tuple[int, int]:
    """(routes the decision allows, routes served by the curves) over the first committed curves; each route is
    served exactly when the decision allows it and it fits."""
    assert c is not None and c.decision is not None
    served = allowed = 0
    for key in list(c.index)[:12]:
        aic_model, gpu_id, engine, prec, _kv, tp, pp, _ep, _adp = key
        model_id = next(k for k, v in c.meta.models.items() if v == aic_model and k in catalog.models)
        m, g = catalog.model(model_id), catalog.gpu(gpu_id)
        p = PerfParams.from_factors(catalog.efficiency, engine)
        res = perf.throughput(m, g, tp * pp, prec, 1000, 500, p, tp=tp, pp=pp, engine=engine, data_dir=data_dir)
        want = c.decision.allows(engine, gpu_id, aicurves.family_key(m.family), aic_model) and bool(res["fits"])
        assert (res["throughput_model"] != "calibrated") == want, key
        served += res["throughput_model"] != "calibrated"
        allowed += want
    return allowed, served


def test_committed_curves_serve_exactly_the_decided_routes(catalog, tmp_path: Path) -> None:
    # the committed decision (after the last refit the calibrated model measured at least as close everywhere)
    c = aicurves.load()
    assert c is not None, "data/derived has no aiconfigurator curves"
    allowed, served = _served(catalog, c, None)
    assert served == allowed
    # the same curves under a decision that allows every group: each covered route that fits is served
    data = _data_allowing_every_group(tmp_path)
    allowed, served = _served(catalog, aicurves.load(data), data)
    assert served == allowed > 0


def test_importer_without_aiconfigurator_fails_clearly(monkeypatch, capsys) -> None:
    monkeypatch.delenv("AIC_PYTHON", raising=False)
    assert imp.main(["--aic-python", "/nonexistent/python"]) == 2
    assert "does not exist" in capsys.readouterr().err
    if imp.importlib.util.find_spec("aiconfigurator_core") is None:
        assert imp.main([]) == 2
        assert "aiconfigurator-core is not available" in capsys.readouterr().err


def test_check_compare_reports_differences() -> None:
    a = curves_text()
    assert imp.compare(a, a) == []
    lines = a.splitlines()
    parts = lines[1].split(",")
    parts[13] = str(float(parts[13]) * 1.1)
    lines[1] = ",".join(parts)
    diffs = imp.compare(a, "\n".join(lines) + "\n")
    assert len(diffs) == 1 and "committed" in diffs[0]
    assert any("missing" in d for d in imp.compare(a, curves_text(drop=3)))


def test_efficiency_scale_scales_the_curves_too(catalog, synth_routes) -> None:
    base = _tp(catalog, "meta-llama/Llama-3.1-8B-Instruct", "h100-sxm", "trtllm", max_tpot_ms=20)
    fast = _tp(catalog, "meta-llama/Llama-3.1-8B-Instruct", "h100-sxm", "trtllm", max_tpot_ms=20, efficiency_scale=2.0)
    assert fast["throughput_model"] == base["throughput_model"] == "aiconfigurator-core 0.12.0"
    assert fast["output_tokens_per_s"] > base["output_tokens_per_s"] and fast["tpot_ms"] <= 20 * (1 + 1e-9)
    slow = _tp(catalog, "meta-llama/Llama-3.1-8B-Instruct", "h100-sxm", "trtllm", efficiency_scale=0.5)
    free = _tp(catalog, "meta-llama/Llama-3.1-8B-Instruct", "h100-sxm", "trtllm")
    assert slow["output_tokens_per_s"] == pytest.approx(free["output_tokens_per_s"] * 0.5, rel=1e-9)


def test_importer_grid_follows_the_decision_and_its_output_loads(catalog, monkeypatch) -> None:
    dec = aicurves.Decision.model_validate(decision_doc())
    todo = imp.grid(catalog, dec)
    assert todo and {k[:3] for k, _ in todo} == {("meta-llama/Meta-Llama-3.1-8B", "h100-sxm", "trtllm")}
    assert len(imp.grid(catalog, None)) > len(todo)

    def fake(python, jobs, timeout=0):  # what the worker answers, without aiconfigurator
        return {"version": "0.12.0", "jobs": [
            {"id": j["id"], "backend_version": "1.3.0rc20",
             "points": [[i, o, b, tpot_of(i, o, b), decode_of(i, o, b), ttft_of(i, o, b)]
                        for i, o in j["lengths"] for b in j["batches"]]}
            for j in jobs]}
    monkeypatch.setattr(imp, "run_worker", fake)
    text, meta = imp.build(catalog, "python", dec, dt.date(2026, 11, 30))
    assert meta["curves"] == len(todo) and meta["as_of"] == "2026-11-30" and meta["licence"] == "Apache-2.0"
    m = aicurves.AicMeta.model_validate(yaml.safe_load(imp.meta_text(meta)))
    c = aicurves.parse_curves(text, "built", m, dec)
    assert len(c.index) == len(todo)
    assert c.tpot[0, 0, 0, 0] == pytest.approx(tpot_of(128, 128, 1), rel=1e-4)


def test_rejects_a_decode_step_slower_than_the_mixed_step(tmp_path: Path) -> None:
    lines = curves_text().splitlines()
    parts = lines[9].split(",")
    parts[14] = str(float(parts[13]) * 2)
    lines[9] = ",".join(parts)
    msg = _bad(tmp_path, "\n".join(lines) + "\n")
    assert "row 10" in msg and "decode_ms" in msg and "exceeds tpot_ms" in msg


@PROP
@given(i=st.floats(128, 8192), o=st.floats(128, 1024), b=st.sampled_from(BS))
def test_prefill_share_is_recombined_exactly_off_grid(tmp_path_factory, i: float, o: float, b: int) -> None:
    """With a decode step that is a power of the lengths and a constant prefill time per prompt token,
    TPOT off the grid is exact: the share B x I / (O - 1) is the row's own, not interpolated."""
    def dec(x: float, y: float, z: float) -> float:
        return 6.0 * (x / 128) ** 0.1 * (y / 128) ** 0.05 * z ** 0.2

    lines = [",".join(aicurves.CURVE_COLUMNS)]
    for x in ISL:
        for y in OSL:
            for z in BS:
                t = dec(x, y, z) + 0.003 * z * x / (y - 1)
                lines.append(",".join([*KEY, "1.3.0rc20", str(x), str(y), str(z), repr(t), repr(dec(x, y, z)),
                                       "10", "1"]))
    c = aicurves.load(write(tmp_path_factory.mktemp("exact"), text="\n".join(lines) + "\n"))
    assert c is not None
    g = _look(c, i, o, cap=b)
    assert g["tpot_ms"] == pytest.approx(dec(i, o, b) + 0.003 * b * i / (o - 1), rel=1e-9)


def test_curves_come_from_the_data_dir_given(tmp_path: Path) -> None:
    """`--data-dir` decides whose curves and decision apply: a folder whose decision allows the route serves it
    from the curves; a folder without derived/ has no curves, so even a covered route is the calibrated model's."""
    import argparse
    import shutil

    from pricing.catalog import DEFAULT_DATA_DIR
    from pricing.cli import selfhost as cli_selfhost
    from pricing.cli import throughput as cli_throughput

    allowing = _data_allowing_every_group(tmp_path)
    bare = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, bare, ignore=shutil.ignore_patterns("derived"))
    args = _selfhost_args("trtllm")
    args.data_dir = str(allowing)
    assert cli_selfhost.result(args)["throughput_model"] == "aiconfigurator-core 0.12.0"
    args.data_dir = str(bare)
    assert cli_selfhost.result(args)["throughput_model"] == "calibrated"
    ap = argparse.ArgumentParser()
    cli_throughput.register(ap.add_subparsers())
    targs = ap.parse_args(["throughput", "--model", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "h100-sxm",
                           "--gpus", "1", "--precision", "fp8", "--input-tokens", "1000", "--output-tokens", "500",
                           "--engine", "trtllm", "--data-dir", str(allowing)])
    assert cli_throughput.result(targs)["throughput_model"] == "aiconfigurator-core 0.12.0"
    targs.data_dir = str(bare)
    assert cli_throughput.result(targs)["throughput_model"] == "calibrated"
