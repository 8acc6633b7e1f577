"""Every data file validates against its strict schema, and the catalog's cross-references hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pricing import aicurves, clock
from pricing.catalog import build_catalog, parse_model, read_yaml
from pricing.feeds.curation import Curation
from pricing.schema import (
    CalibrationFile,
    GpusFile,
    HostingFile,
    ModelsFile,
    OwnedAssumptions,
    PriceHistoryFile,
    ProviderFile,
    QualityFile,
    Scenario,
    TaskTokensFile,
)
from tests.conftest import DATA

SCHEMAS = {
    "models.yaml": ModelsFile,
    "gpus.yaml": GpusFile,
    "hosting.yaml": HostingFile,
    "calibration.yaml": CalibrationFile,
    "quality.yaml": QualityFile,
    "tokens_per_task.yaml": TaskTokensFile,
    "curation.yaml": Curation,
    "history/api_prices.yaml": PriceHistoryFile,
    f"derived/{aicurves.META_FILE}": aicurves.AicMeta,
    f"derived/{aicurves.DECISION_FILE}": aicurves.Decision,
}


def _data_files() -> list[tuple[Path, type]]:
    out: list[tuple[Path, type]] = [(p, ProviderFile) for p in sorted((DATA / "api").glob("*.yaml"))]
    out += [(DATA / n, m) for n, m in SCHEMAS.items() if (DATA / n).exists()]
    out += [(p, Scenario) for p in sorted((DATA / "scenarios").glob("*.yaml"))]
    out += [(DATA / "sources" / "owned_hardware.yaml", OwnedAssumptions)]
    return out


@pytest.mark.parametrize("path,model", _data_files(), ids=lambda x: x.name if isinstance(x, Path) else "")
def test_data_file_validates(path: Path, model: type) -> None:
    parse_model(model, read_yaml(path), str(path))


def test_every_data_file_is_covered_by_a_schema() -> None:
    covered = {p for p, _ in _data_files()}
    on_disk = set(DATA.rglob("*.yaml"))
    assert on_disk <= covered, f"files without a schema: {sorted(on_disk - covered)}"


def test_catalog_cross_references_hold() -> None:
    cat, issues = build_catalog(DATA)
    errors = [str(i) for i in issues if i.severity == "error"]
    assert cat is not None and not errors, errors


def test_offer_ids_unique_and_providers_match_files(catalog) -> None:
    for pid, pf in catalog.providers.items():
        assert (DATA / "api" / f"{pid}.yaml").exists()
        models = [o.model for o in pf.offers]
        assert len(models) == len(set(models)), pid


def test_every_record_is_sourced_and_dated(catalog) -> None:
    today = clock.today()  # "not in the future": the one test that compares data with the real date
    records = [*catalog.offers.values(), *catalog.models.values(), *catalog.gpus.values(),
               *catalog.cloud.values(), *catalog.owned.values()]
    assert records
    for r in records:
        assert r.source.strip(), r
        assert r.as_of <= today


def test_issue_coverage(catalog) -> None:
    providers = {"openai", "anthropic", "google", "deepseek", "alibaba", "zai", "moonshot", "mistral",
                 "xai", "together", "fireworks", "deepinfra", "groq"}
    assert providers <= set(catalog.providers)
    assert len(catalog.offers) >= 150
    gpus = {"h100-sxm", "h100-pcie", "h200", "b200", "a100-80gb", "a100-40gb", "l40s", "l4", "a10g",
            "rtx-4090", "rtx-5090", "rtx-pro-6000", "mi300x", "mi325x"}
    assert gpus <= set(catalog.gpus)
    models = {"deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-V3", "Qwen/Qwen3-235B-A22B", "Qwen/Qwen3-32B",
              "zai-org/GLM-4.5", "moonshotai/Kimi-K2-Instruct", "meta-llama/Llama-3.3-70B-Instruct",
              "openai/gpt-oss-120b", "mistralai/Mixtral-8x7B-Instruct-v0.1"}
    assert models <= set(catalog.models)


def test_prices_mostly_checked_recently(catalog) -> None:
    recent = sum(o.as_of >= dt.date(2026, 8, 1) for o in catalog.offers.values())
    assert recent / len(catalog.offers) >= 0.9
