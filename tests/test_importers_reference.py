"""The reference GPU-spec importer: reproducible output, id coverage, row mapping and skip rules.

Cloud prices and owned-hardware defaults live in tests/test_importers_gpu_prices.py.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from pricing.catalog import parse_model, read_yaml
from pricing.importers import reference as ref
from pricing.schema import GpusFile

DATA = Path(__file__).resolve().parent.parent / "data"
SOURCES = DATA / "sources"

ISSUE_GPU_IDS = (
    "h100-sxm", "h100-pcie", "h200", "b200", "a100-80gb", "a100-40gb", "l40s", "l4", "a10g",
    "rtx-4090", "rtx-5090", "rtx-pro-6000", "mi300x", "mi325x",
    # issue 9
    "h800", "h20", "gb200", "b300", "gb300", "h100-nvl", "gh200", "mi355x",
)


def _gpus() -> GpusFile:
    return parse_model(GpusFile, read_yaml(DATA / "gpus.yaml"), "gpus.yaml")


def test_gpus_yaml_rebuilds_byte_for_byte_from_the_in_repo_csv() -> None:
    text, recs, msgs = ref.build_gpus(SOURCES)
    assert (DATA / "gpus.yaml").read_text(encoding="utf-8") == text, "gpus.yaml is stale: rerun the importer"
    assert len(recs) == len(_gpus().gpus)
    assert msgs == ["gpu_specs.csv: skipped 'Gaudi 3' (no id mapping / interconnect outside the schema)"]


def test_gpus_only_check_mode_passes_then_fails_then_write_fixes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ref.main(["--gpus-only", "--check", "--data-dir", str(DATA)]) == 0
    assert "differs" not in capsys.readouterr().out
    (tmp_path / "gpus.yaml").write_text("gpus: []\n", encoding="utf-8")
    assert ref.main(["--gpus-only", "--check", "--data-dir", str(tmp_path)]) == 1
    assert (tmp_path / "gpus.yaml").read_text(encoding="utf-8") == "gpus: []\n"
    assert ref.main(["--gpus-only", "--data-dir", str(tmp_path)]) == 0
    assert ref.main(["--gpus-only", "--check", "--data-dir", str(tmp_path)]) == 0
    assert not (tmp_path / "hosting.yaml").exists()


def test_every_gpu_names_its_public_sources() -> None:
    """Every record names its original public sources (no path outside the repository: test_provenance)."""
    for gpu in _gpus().gpus:
        assert len(gpu.source) > 20, gpu.id


def test_every_gpu_has_a_scale_up_and_scale_out_figure_or_says_why_not() -> None:
    for gpu in _gpus().gpus:
        assert gpu.notes and "scale_up_domain_gpus / scale_out_gbps_per_gpu:" in gpu.notes, gpu.id
        if gpu.scale_up_domain_gpus is None or gpu.scale_out_gbps_per_gpu is None:
            assert "sourced" in gpu.notes, f"{gpu.id}: a missing scale figure must say it was not sourced"


def test_hand_checked_new_gpu_figures() -> None:
    g = {x.id: x for x in _gpus().gpus}
    assert (g["h800"].interconnect_gbs, g["h800"].fp8_tflops_dense, g["h800"].scale_out_gbps_per_gpu) == (400, 1979, 400)
    assert (g["h20"].memory_gb, g["h20"].bf16_tflops_dense, g["h20"].interconnect_gbs) == (96, 148, 900)
    assert (g["gb200"].memory_gb, g["gb200"].bf16_tflops_dense, g["gb200"].scale_up_domain_gpus) == (186, 2500, 72)
    assert (g["gb300"].memory_gb, g["gb300"].fp4_tflops_dense, g["gb300"].scale_out_gbps_per_gpu) == (288, 15000, 800)
    assert (g["h100-nvl"].memory_gb, g["h100-nvl"].bf16_tflops_dense, g["h100-nvl"].scale_up_domain_gpus) == (94, 835.5, 2)
    assert (g["gh200"].memory_gb, g["gh200"].fp8_tflops_dense, g["gh200"].interconnect) == (96, 1979, "nvlink")
    assert (g["mi355x"].memory_gb, g["mi355x"].interconnect, g["mi355x"].tdp_w) == (288, "infinity-fabric", 1400)
    assert (g["h100-sxm"].scale_up_domain_gpus, g["h100-sxm"].scale_out_gbps_per_gpu) == (8, 400)
    assert (g["b200"].scale_out_gbps_per_gpu, g["a100-80gb"].scale_out_gbps_per_gpu) == (800, 200)
    # records first compiled in Nov 2026 keep that date; rows added for issue 9 carry their read date
    assert g["h100-sxm"].as_of == dt.date(2026, 11, 1) and g["h800"].as_of == dt.date(2026, 11, 30)


def test_rerun_reproduces_committed_files_byte_for_byte() -> None:
    files, _ = ref.build(SOURCES)
    for name, text in files.items():
        assert (DATA / name).read_text(encoding="utf-8") == text, f"{name} is stale: rerun the importer"


def test_check_mode_passes_on_committed_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert ref.main(["--check", "--data-dir", str(DATA)]) == 0
    assert "differs" not in capsys.readouterr().out


def test_check_mode_fails_then_write_fixes(tmp_path: Path) -> None:
    (tmp_path / "gpus.yaml").write_text("gpus: []\n", encoding="utf-8")
    assert ref.main(["--check", "--data-dir", str(tmp_path)]) == 1
    assert (tmp_path / "gpus.yaml").read_text(encoding="utf-8") == "gpus: []\n"  # --check writes nothing
    assert not (tmp_path / "hosting.yaml").exists()
    assert ref.main(["--data-dir", str(tmp_path)]) == 0
    assert ref.main(["--check", "--data-dir", str(tmp_path)]) == 0


@pytest.mark.parametrize("gpu_id", ISSUE_GPU_IDS)
def test_every_gpu_the_issue_lists_exists(gpu_id: str) -> None:
    assert gpu_id in {g.id for g in _gpus().gpus}


def test_hand_checked_gpu_figures() -> None:
    g = {x.id: x for x in _gpus().gpus}
    assert (g["h100-sxm"].memory_gb, g["h100-sxm"].bf16_tflops_dense, g["h100-sxm"].interconnect_gbs) == (80, 989, 900)
    assert g["h200"].mem_bandwidth_tbs == 4.8 and g["h200"].memory_gb == 141
    assert g["b200"].fp4_tflops_dense == 9000 and g["b200"].fp8_tflops_dense == 4500
    assert g["a100-80gb"].fp8_tflops_dense is None  # Ampere has no FP8
    assert g["mi300x"].interconnect == "infinity-fabric" and g["mi300x"].memory_gb == 192
    assert g["l4"].interconnect == "pcie" and g["l4"].tdp_w == 72
    # dense, not sparse: FP8 is twice BF16 on Hopper/Blackwell datacenter parts
    for gid in ("h100-sxm", "h200", "b200"):
        assert g[gid].fp8_tflops_dense == pytest.approx(2 * g[gid].bf16_tflops_dense, rel=0.01)


def test_every_purchase_price_and_record_is_sourced() -> None:
    for gpu in _gpus().gpus:
        assert gpu.source and gpu.as_of
        if gpu.purchase_usd is not None:
            assert gpu.purchase_source, f"{gpu.id}: purchase_usd without purchase_source"


# ------------------------------------------------------------------ unit tests on synthetic rows

SPEC = {
    "gpu": "B200 (HGX/SXM)", "vendor": "NVIDIA", "memory_gb": "180", "mem_bandwidth_tbs": "7.7",
    "bf16_tflops_dense": "2250", "fp8_tflops_dense": "4500", "tdp_w": "1000", "nvlink_gbs": "1800",
    "purchase_usd": "47409", "source": "repo a; price: somewhere (2024-12-17)", "int8_tops_dense": "4500",
    "int4_tops_dense": "", "notes": "FP4 9000 dense per x.",
}


def test_gpu_row_maps_fp4_nvlink_and_price() -> None:
    (rec,), skipped = ref.gpu_records([SPEC])
    assert skipped == []
    assert rec["id"] == "b200" and rec["fp4_tflops_dense"] == 9000.0
    assert (rec["interconnect"], rec["interconnect_gbs"]) == ("nvlink", 1800.0)
    assert rec["purchase_source"] == "price: somewhere (2024-12-17)"
    assert "int4_tops_dense" not in rec


def test_pcie_card_gets_pcie_bandwidth_not_the_bridge() -> None:
    row = {**SPEC, "gpu": "H100 PCIe", "nvlink_gbs": "600", "notes": ""}
    (rec,), _ = ref.gpu_records([row])
    assert (rec["interconnect"], rec["interconnect_gbs"]) == ("pcie", 128.0)
    assert "fp4_tflops_dense" not in rec


def test_unmapped_gpu_is_skipped_with_a_message() -> None:
    recs, skipped = ref.gpu_records([{**SPEC, "gpu": "Gaudi 3"}])
    assert recs == [] and "Gaudi 3" in skipped[0]


# Calibration GPUs with no row in gpu_specs.csv (so no record to map them to).
UNMAPPED_CALIBRATION_GPUS = {"RTX-3090-24GB", "RTX-A6000-48GB"}


def test_calibration_gpu_names_resolve_to_one_gpu() -> None:
    """Each GPU name of the in-repo measurements (data/measurements/throughput.csv) is an alias of one GPU."""
    rows = ref.read_csv(DATA / "measurements" / "throughput.csv")
    names = {r["gpu"] for r in rows} - UNMAPPED_CALIBRATION_GPUS
    for name in sorted(names):
        hits = [g.id for g in _gpus().gpus if g.notes and re.search(rf"aliases: [^.]*\b{re.escape(name)}\b", g.notes)]
        assert len(hits) == 1, f"calibration GPU {name!r} maps to {hits}"
