"""The GPU price importer: in-repo sources only, byte-stable output, every row sourced and dated."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from pricing.catalog import parse_model, read_yaml
from pricing.importers import gpu_prices as imp
from pricing.schema import OWNED_FIELDS, CloudOffer, HostingFile

DATA = Path(__file__).resolve().parent.parent / "data"
SOURCES = DATA / "sources"


def _hosting() -> HostingFile:
    return parse_model(HostingFile, read_yaml(DATA / "hosting.yaml"), "hosting.yaml")


def _source_rows() -> list[dict[str, str]]:
    return [r for p in sorted(SOURCES.glob(imp.PRICE_GLOB)) for r in imp.read_rows(p)]


def test_rerun_reproduces_hosting_yaml_byte_for_byte() -> None:
    text, msgs = imp.build(DATA)
    assert (DATA / "hosting.yaml").read_text(encoding="utf-8") == text, "hosting.yaml is stale: rerun the importer"
    assert any("cloud rows emitted" in m for m in msgs)


def test_check_mode_then_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(SOURCES, data / "sources")
    shutil.copy(DATA / "gpus.yaml", data / "gpus.yaml")
    (data / "hosting.yaml").write_text("cloud: []\nowned: []\n", encoding="utf-8")
    assert imp.main(["--check", "--data-dir", str(data)]) == 1
    assert (data / "hosting.yaml").read_text(encoding="utf-8") == "cloud: []\nowned: []\n"
    assert imp.main(["--data-dir", str(data)]) == 0
    assert imp.main(["--check", "--data-dir", str(data)]) == 0
    assert (data / "hosting.yaml").read_text(encoding="utf-8") == (DATA / "hosting.yaml").read_text(encoding="utf-8")


def test_every_hosting_row_has_source_as_of_and_kind() -> None:
    hosting = _hosting()
    assert len(hosting.cloud) >= 100
    for c in hosting.cloud:
        assert c.source.strip() and c.as_of is not None, c.id
        assert c.provider_kind in ("hyperscaler", "specialist", "marketplace")
    ids = [c.id for c in hosting.cloud]
    assert len(ids) == len(set(ids))


def test_every_source_row_is_dated_and_sourced_and_names_no_shared_path() -> None:
    rows = _source_rows()
    assert rows
    for r in rows:
        assert r["source"].strip() and r["as_of"].strip()
        assert "shared" not in r["source"] and "shared" not in r["via"]


def test_2026_prices_cover_many_providers() -> None:
    rows = [r for r in _source_rows() if r["as_of"] >= "2026-06-01" and r["usd_per_gpu_hour_on_demand"]]
    for gpu, least in (("h100-sxm", 6), ("h200", 6), ("b200", 6), ("a100-80gb", 5)):
        providers = {r["provider"] for r in rows if r["gpu"] == gpu}
        assert len(providers) >= least, (gpu, sorted(providers))


def test_rows_for_gpus_not_in_gpus_yaml_are_skipped_and_counted() -> None:
    gpus = {g["id"] for g in read_yaml(DATA / "gpus.yaml")["gpus"]}
    missing = [r for r in _source_rows() if r["gpu"] not in gpus]
    _, msgs = imp.build(DATA)
    total = msgs[-1]
    assert f"{len(missing)} skipped" in total
    assert {c.gpu for c in _hosting().cloud} <= gpus


def test_prices_are_per_instance_in_hosting_yaml() -> None:
    by_id = {c.id: c for c in _hosting().cloud}
    p5 = by_id["aws/p5.48xlarge"]
    assert (p5.usd_per_hour_on_demand, p5.gpu_count, p5.min_gpus) == (55.04, 8, 8)
    assert by_id["aws/p5.48xlarge@2026-01-21"].as_of < p5.as_of  # the older reading is kept, dated
    lam = by_id["lambda/8x-nvidia-b200-sxm6"]
    assert lam.usd_per_hour_on_demand == pytest.approx(8 * 6.69)
    assert not lam.single_gpu_rentable and by_id["lambda/1x-nvidia-b200-sxm6"].single_gpu_rentable


def test_old_per_gpu_shares_of_8_gpu_machines_are_not_single_gpu_rentable() -> None:
    by_id = {c.id: c for c in _hosting().cloud}
    for oid in ("aws/p5.48xlarge@2025-03-17", "lambda/8x-h100-sxm", "oci/8-gpu-h100-shape-per-gpu"):
        assert not by_id[oid].single_gpu_rentable, oid


def test_owned_block_sources_every_figure_or_calls_it_an_assumption() -> None:
    owned = {o.id: o for o in _hosting().owned}["default"]
    assert set(owned.field_sources) == set(OWNED_FIELDS)
    assert owned.field_sources["ops_usd_per_node_month"].assumption
    for name, fs in owned.field_sources.items():
        assert fs.assumption or fs.as_of is not None, name
    assert owned.colocation_usd_per_kw_month == 184.0 and "CBRE" in owned.field_sources["colocation_usd_per_kw_month"].source


def _write(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    shutil.copy(SOURCES / "owned_hardware.yaml", data / "sources" / "owned_hardware.yaml")
    shutil.copy(DATA / "gpus.yaml", data / "gpus.yaml")
    with (data / "sources" / "gpu_prices_test.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(imp.COLUMNS))
        w.writeheader()
        w.writerows(rows)
    return data


ROW = {c: "" for c in imp.COLUMNS} | {
    "provider": "lambda", "provider_kind": "specialist", "instance_type": "8x H100", "gpu": "h100-sxm",
    "gpu_count": "8", "min_gpus": "8", "usd_per_gpu_hour_on_demand": "3.99", "source": "https://lambda.ai/instances",
    "as_of": "2026-09-20",
}


@pytest.mark.parametrize(("override", "message"), [
    ({"as_of": "undated"}, "line 2: as_of 'undated' is not a YYYY-MM-DD date"),
    ({"source": ""}, "line 2: source is empty"),
    ({"usd_per_gpu_hour_on_demand": "cheap"}, "line 2: usd_per_gpu_hour_on_demand 'cheap' is not a number"),
    ({"usd_per_gpu_hour_on_demand": ""}, "line 2: no price in any tier"),
    ({"provider_kind": "neocloud"}, "provider_kind 'neocloud'"),
])
def test_bad_rows_name_file_line_and_field(tmp_path: Path, override: dict[str, str], message: str) -> None:
    data = _write(tmp_path, [ROW | override])
    with pytest.raises(imp.SourceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        imp.build(data)
    assert imp.main(["--data-dir", str(data)]) == 2


def test_min_gpus_must_be_whole_instances() -> None:
    with pytest.raises(ValueError, match="not a multiple of gpu_count"):
        CloudOffer(id="x/y", provider="x", instance_type="y", gpu="h100-sxm", gpu_count=8, min_gpus=4,
                   usd_per_hour_on_demand=30.0, source="https://example.com/p", as_of="2026-09-20")
