"""MLPerf holdout (data/measurements/holdout_mlperf.csv): documented columns, mlcommons sources, resolvable
models and GPUs, never read by the calibration, and the check's prediction runs (no accuracy asserted)."""

from __future__ import annotations

import ast
import csv
import math
from pathlib import Path
from types import ModuleType

import pytest

from pricing import calibrate
from pricing.errors import InputError
from tests.bench_helpers import load_benchmark

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "data" / "measurements" / "holdout_mlperf.csv"


@pytest.fixture(scope="module")
def mc() -> ModuleType:
    return load_benchmark("mlperf_check")


def records() -> list[dict[str, str]]:
    with HOLDOUT.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_header_is_the_documented_one(mc):
    with HOLDOUT.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == mc.COLUMNS
    readme = (ROOT / "data" / "measurements" / "README.md").read_text(encoding="utf-8")
    for col in header:
        assert f"`{col}`" in readme, f"column {col} is not documented in data/measurements/README.md"


def test_every_row_names_an_mlcommons_source_and_a_round(mc):
    recs = records()
    assert len(recs) >= 20
    for rec in recs:
        assert rec["source"].startswith("https://github.com/mlcommons/inference_results_v"), rec["source"]
        assert rec["round"] in ("v4.1", "v5.0", "v5.1"), rec
        assert rec["source"].startswith(f"https://github.com/mlcommons/inference_results_{rec['round']}/"), rec
        assert rec["read_from"], rec
        assert rec["unit"] == "tokens/s" and float(rec["value"]) > 0, rec
        assert rec["scenario"] in ("Offline", "Server"), rec
        assert rec["engine"] in ("default", "vllm", "sglang", "trtllm"), rec
    assert len({r["submitter"] for r in recs}) >= 3
    assert {"AMD", "NVIDIA"} <= {mc.VENDORS.get(r["gpu"], "NVIDIA") for r in recs}


def test_models_and_gpus_resolve(mc, catalog):
    for r in mc.load():
        assert r.family in mc.MODELS, r.benchmark
        assert mc.MODELS[r.family] in catalog.models, r.benchmark
        assert r.gpu in catalog.gpus, r.gpu


def test_samples_and_tokens_agree_with_the_reference_output_length(mc):
    # where a summary gives both figures, tokens/s / samples/s is the run's own output length: near the
    # benchmark's reference mean (llama2-70b 294.45, mixtral 144.84), so a transcription slip shows here
    for r in mc.load():
        if r.samples_per_s:
            ref = mc.OUTPUT_REFERENCE[r.family]
            assert abs(r.output_tokens() / ref - 1.0) < 0.05, (r.line, r.output_tokens(), ref)


def test_calibration_never_reads_the_holdout(catalog):
    rows, _ = calibrate.load_rows(catalog)
    assert rows
    for r in rows:
        assert "mlperf" not in (r.source + r.notes).lower(), r.source
        assert "mlcommons/inference_results" not in r.source
    # the module's code (docstrings aside) never names the holdout file or MLPerf
    tree = ast.parse(Path(calibrate.__file__).read_text(encoding="utf-8"))
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            d = ast.get_docstring(node, clean=False)
            if d is not None:
                docs.add(d)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value not in docs:
            assert "mlperf" not in node.value.lower(), node.value
        if isinstance(node, ast.Name):
            assert "mlperf" not in node.id.lower()
    assert calibrate.CSV_PATH.name == "throughput.csv"


def test_check_predicts_a_row(mc, catalog):
    rows = mc.load()
    row = next(r for r in rows if r.family == "llama2-70b" and r.scenario == "Server")
    got = mc.predict(catalog, row)
    assert got is not None
    pred, layout = got
    assert math.isfinite(pred) and pred > 0 and layout
    unknown = next(r for r in rows if r.family == "deepseek-r1")
    assert mc.predict(catalog, unknown) is None  # prompt length unknown: listed, not predicted


def test_bad_header_is_a_clear_error(mc, tmp_path):
    bad = tmp_path / "holdout.csv"
    bad.write_text("round,value\nv4.1,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"holdout\.csv"):
        mc.load(bad)
