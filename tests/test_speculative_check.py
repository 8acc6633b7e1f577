"""benchmarks/speculative_check.py: the published with/without-drafts rows parse and resolve, and the check runs."""

from __future__ import annotations

import math
from types import ModuleType

import pytest

from pricing.errors import DataError
from tests.bench_helpers import load_benchmark


@pytest.fixture(scope="module")
def sc() -> ModuleType:
    return load_benchmark("speculative_check")


def test_every_row_parses_and_resolves(sc, catalog):
    rows = sc.load_rows(catalog)
    assert len(rows) >= 14 and sum(r.acceptance is not None for r in rows) >= 7
    for r in rows:
        assert r.model in catalog.models and r.gpu in catalog.gpus
        assert r.source.startswith("https://") and r.value > 0 and r.baseline > 0
        if r.acceptance is None:  # the source publishes none: said so, and checked only under stated assumptions
            assert r.acceptance_length is None and "acceptance not published" in r.notes.lower()
            continue
        # the transcribed per-token acceptance reproduces the published mean acceptance length
        assert sc.tokens_per_step(r.drafts, r.acceptance) == pytest.approx(r.acceptance_length, abs=sc.ACCEPTANCE_TOL)


@pytest.mark.parametrize(("k", "length"), [(1, 1.92), (3, 2.82), (3, 2.44), (5, 3.01)])
def test_acceptance_from_length_inverts_tokens_per_step(sc, k, length):
    a = sc.acceptance_from_length(length, k)
    assert 0.0 < a < 1.0 and sc.tokens_per_step(k, a) == pytest.approx(length, abs=1e-9)
    with pytest.raises(ValueError, match="impossible"):
        sc.acceptance_from_length(k + 1.5, k)


@pytest.mark.parametrize("metric", ["tokens_per_s_per_user", "output_tokens_per_s_per_gpu", "e2e_latency_ms"])
def test_prediction_runs_on_one_row(sc, catalog, metric):
    rows = sc.load_rows(catalog)
    row = next(r for r in rows if r.metric == metric)
    a = row.acceptance if row.acceptance is not None else 0.8
    plain = sc.predict(catalog, row, 0, 0.0)
    spec = sc.predict(catalog, row, row.drafts, a)
    assert math.isfinite(plain) and math.isfinite(spec) and plain > 0 and spec > 0
    (c,) = sc.check(catalog, [row], assumed_acceptance=0.8)
    assert c.base == plain and c.spec == spec and math.isfinite(c.speedup_error)
    if row.acceptance is None:
        with pytest.raises(ValueError, match="publishes no acceptance"):
            sc.check(catalog, [row])


def test_bad_rows_name_file_line_and_field(sc, catalog, tmp_path):
    text = sc.CSV_PATH.read_text(encoding="utf-8").splitlines()
    bad = text[1].replace("deepseek-ai/DeepSeek-R1", "acme/NoSuchModel", 1).replace(",0.92,1.92,", ",0.5,1.92,", 1)
    p = tmp_path / "speculative.csv"
    p.write_text("\n".join([text[0], bad]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        sc.load_rows(catalog, p)
    msg = str(e.value)
    assert "speculative.csv: line 2: model: 'acme/NoSuchModel'" in msg
    assert "line 2: acceptance: 0.5 gives 1.500 tokens per step" in msg
