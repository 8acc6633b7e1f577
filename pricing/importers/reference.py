"""Derive data/gpus.yaml from the in-repository GPU spec CSV; rerunnable, byte-stable.

Run `python -m pricing.importers.reference [--sources-dir DIR] [--data-dir DIR] [--check]`.
GPU specs come from data/sources/gpu_specs.csv (each row names its original public sources, see
data/sources/README.md) plus the small sourced supplements below (FP4 figures, interconnect
bandwidth) where the CSV is silent. Cloud prices and owned-hardware defaults (data/hosting.yaml)
are built by pricing.importers.gpu_prices from data/sources/gpu_prices*.csv and owned_hardware.yaml.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pricing.refresh.write import atomic_write_many
from pricing.schema import GpusFile

REPO_DIR = Path(__file__).resolve().parent.parent.parent
DEFAULT_DATA_DIR = REPO_DIR / "data"
DEFAULT_SOURCES_DIR = DEFAULT_DATA_DIR / "sources"
GPU_SPECS_CSV = "gpu_specs.csv"

# The rows first compiled in November 2026 carry as_of 2026-11-01 in the CSV; later rows their read date.
SPECS_AS_OF = dt.date(2026, 11, 1)

PCIE_SOURCE = "PCI-SIG base specification: x16 at 16 GT/s (Gen4) = 64 GB/s, 32 GT/s (Gen5) = 128 GB/s, both directions"
PCIE_GBS = {4: 64.0, 5: 128.0}


@dataclass(frozen=True)
class GpuMap:
    """How one CSV row becomes a Gpu record: our id, vendor, fabric, and sourced extras."""

    id: str
    name: str
    pcie_gen: int | None = None  # None: use the CSV's NVLink figure
    pcie_source: str = ""
    fabric_gbs: float | None = None  # Infinity Fabric aggregate, per GPU
    fabric_source: str = ""
    fp4_dense: float | None = None  # set where the CSV notes are silent
    fp4_source: str = ""
    extra_note: str = ""
    aliases: tuple[str, ...] = ()  # GPU names used in throughput_calibration.csv
    purchase_extra: str = ""  # a further source for the CSV's purchase price


# CSV `gpu` column -> our record. A CSV row missing here is reported and skipped.
GPU_MAP: dict[str, GpuMap] = {
    "H100 SXM": GpuMap("h100-sxm", "NVIDIA H100 SXM 80GB", aliases=("H100-SXM-80GB",)),
    "H100 PCIe": GpuMap(
        "h100-pcie", "NVIDIA H100 PCIe 80GB", pcie_gen=5,
        pcie_source="NVIDIA H100 PCIe datasheet (PCIe Gen5 x16)",
        extra_note="interconnect set to PCIe Gen5: the CSV's 600 GB/s NVLink is a 2-GPU bridge, not a node fabric.",
        aliases=("H100-PCIe-80GB",),
    ),
    "H200 SXM": GpuMap("h200", "NVIDIA H200 SXM 141GB", aliases=("H200-141GB",)),
    "B200 (HGX/SXM)": GpuMap("b200", "NVIDIA B200 (HGX) 180GB", aliases=("B200-180GB", "B200")),
    "B300 (HGX/SXM)": GpuMap("b300", "NVIDIA B300 (HGX) 288GB"),
    "A100 80GB SXM": GpuMap("a100-80gb", "NVIDIA A100 SXM 80GB", aliases=("A100-SXM4-80GB", "A100-SXM-80GB")),
    "A100 40GB SXM": GpuMap("a100-40gb", "NVIDIA A100 SXM 40GB"),
    "L40S": GpuMap(
        "l40s", "NVIDIA L40S 48GB", pcie_gen=4, pcie_source="gpu_specs.csv notes (PCIe Gen4 only)",
        aliases=("L40S-48GB",),
    ),
    "L4": GpuMap("l4", "NVIDIA L4 24GB", pcie_gen=4, pcie_source="NVIDIA L4 datasheet (PCIe Gen4 x16)"),
    "A10G": GpuMap("a10g", "NVIDIA A10G 24GB (AWS)", pcie_gen=4, pcie_source="NVIDIA A10 datasheet (PCIe Gen4 x16)"),
    "RTX 4090": GpuMap(
        "rtx-4090", "NVIDIA GeForce RTX 4090 24GB", pcie_gen=4,
        pcie_source="NVIDIA RTX 4090 spec page (PCIe Gen4 x16)",
        extra_note=(
            "Caution: the CSV's FP8 661 is the FP16-accumulate rate while BF16 165 is the FP32-accumulate "
            "rate (GeForce halves FP32-accumulate tensor throughput), so the two are not like for like."
        ),
        aliases=("RTX-4090-24GB",),
    ),
    "RTX 5090": GpuMap(
        "rtx-5090", "NVIDIA GeForce RTX 5090 32GB", pcie_gen=5,
        pcie_source="spheron.network/blog/nvidia-rtx-5090-specs (2026-05-20): PCIe Gen 5 x16",
        fp4_dense=1676.0,
        fp4_source="FP4 3,352 TOPS sparse ('3352 AI TOPS') halved: spheron.network/blog/nvidia-rtx-5090-specs (2026-05-20)",
        purchase_extra="launch MSRP $1,999 on 2025-01-30 per sipoch.com/en/article/300330020535343",
    ),
    "RTX PRO 6000 Blackwell Server": GpuMap(
        "rtx-pro-6000", "NVIDIA RTX PRO 6000 Blackwell Server 96GB", pcie_gen=5,
        pcie_source="NVIDIA RTX PRO 6000 Blackwell Server Edition datasheet (PCIe Gen5 x16)",
        aliases=("RTX-PRO-6000-Blackwell-96GB",),
    ),
    "MI300X": GpuMap(
        "mi300x", "AMD Instinct MI300X 192GB", fabric_gbs=896.0,
        fabric_source="7 Infinity Fabric links x 128 GB/s bidirectional: wheelersnetwork.com/2024/01 (AMD MI300 launch)",
        aliases=("MI300X",),
    ),
    "H800 SXM": GpuMap("h800", "NVIDIA H800 SXM 80GB", aliases=("H800-SXM-80GB",)),
    "H20": GpuMap("h20", "NVIDIA H20 96GB"),
    "GB200 (NVL72)": GpuMap("gb200", "NVIDIA GB200 NVL72, per GPU, 186GB", aliases=("GB200",)),
    "GB300 (NVL72)": GpuMap("gb300", "NVIDIA GB300 NVL72, per GPU, 288GB"),
    "H100 NVL": GpuMap("h100-nvl", "NVIDIA H100 NVL 94GB"),
    "GH200": GpuMap("gh200", "NVIDIA GH200 Grace Hopper Superchip, 96GB HBM3", aliases=("GH200-480GB",)),
    "MI355X": GpuMap(
        "mi355x", "AMD Instinct MI355X 288GB", fabric_gbs=1071.0,
        fabric_source=(
            "7 Infinity Fabric links (fully connected 8-GPU platform, as MI300X) x ~153 GB/s bidirectional per link "
            "(humeconsulting.co/amd-mi355x-strong-node-level-inference-but-not-yet-rack-scale)"
        ),
    ),
    "MI325X": GpuMap(
        "mi325x", "AMD Instinct MI325X 256GB", fabric_gbs=896.0,
        fabric_source=(
            "7 Infinity Fabric links (wiaix.com/amd-instincttm-mi325x-accelerators: seven links, drop-in "
            "for the MI300X platform) x 128 GB/s bidirectional per 4th-gen link (wheelersnetwork.com/2024/01)"
        ),
    ),
}
VENDORS = {"NVIDIA": "nvidia", "AMD": "amd", "Intel": "intel"}
_FP4_NOTE = re.compile(r"FP4 (\d+(?:\.\d+)?) dense")
_PRICE_PART = re.compile(r"^(price|MSRP)\b", re.IGNORECASE)


def _num(s: str) -> float | None:
    """A CSV cell as a float, or None when empty."""
    s = s.strip()
    return float(s) if s else None


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    """Drop None values so the YAML stays short and defaults apply."""
    return {k: v for k, v in d.items() if v is not None}


def gpu_records(rows: Sequence[dict[str, str]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Gpu records (as plain dicts, CSV order) and messages about rows that were skipped."""
    out: list[dict[str, Any]] = []
    skipped: list[str] = []
    for row in rows:
        m = GPU_MAP.get(row["gpu"])
        if m is None:
            skipped.append(f"gpu_specs.csv: skipped {row['gpu']!r} (no id mapping / interconnect outside the schema)")
            continue
        parts = [p.strip() for p in row["source"].split(";") if p.strip()]
        price_parts = [p for p in parts if _PRICE_PART.match(p) or "MSRP" in p]
        purchase = _num(row["purchase_usd"])
        notes = [row["notes"].strip()] if row["notes"].strip() else []
        fp4 = m.fp4_dense if m.fp4_dense is not None else _num(row.get("fp4_tflops_dense", ""))
        if fp4 is None:
            hit = _FP4_NOTE.search(row["notes"])
            fp4 = float(hit.group(1)) if hit else None
            if hit:
                notes.append("fp4_tflops_dense from the notes above.")
        elif m.fp4_source:
            notes.append(f"fp4_tflops_dense: {m.fp4_source}.")
        nvlink = _num(row["nvlink_gbs"])
        if m.fabric_gbs is not None:
            interconnect, gbs = "infinity-fabric", m.fabric_gbs
            notes.append(f"interconnect: {m.fabric_source}.")
        elif m.pcie_gen is not None:
            interconnect, gbs = "pcie", PCIE_GBS[m.pcie_gen]
            notes.append(f"interconnect: PCIe Gen{m.pcie_gen} x16 per {m.pcie_source}; GB/s per {PCIE_SOURCE}.")
        elif nvlink is not None:
            interconnect, gbs = "nvlink", nvlink
        else:
            skipped.append(f"gpu_specs.csv: skipped {row['gpu']!r} (no interconnect figure)")
            continue
        if m.extra_note:
            notes.append(m.extra_note)
        if row.get("scale_source", "").strip():
            notes.append(f"scale_up_domain_gpus / scale_out_gbps_per_gpu: {row['scale_source'].strip()}.")
        if m.aliases:
            notes.append(f"Calibration CSV aliases: {', '.join(m.aliases)}.")
        out.append(_clean({
            "id": m.id,
            "name": m.name,
            "vendor": VENDORS[row["vendor"]],
            "memory_gb": _num(row["memory_gb"]),
            "mem_bandwidth_tbs": _num(row["mem_bandwidth_tbs"]),
            "bf16_tflops_dense": _num(row["bf16_tflops_dense"]),
            "fp8_tflops_dense": _num(row["fp8_tflops_dense"]),
            "fp4_tflops_dense": fp4,
            "int8_tops_dense": _num(row["int8_tops_dense"]),
            "int4_tops_dense": _num(row["int4_tops_dense"]),
            "tdp_w": _num(row["tdp_w"]),
            "interconnect": interconnect,
            "interconnect_gbs": gbs,
            "scale_up_domain_gpus": int(su) if (su := _num(row.get("scale_up_domain_gpus", ""))) else None,
            "scale_out_gbps_per_gpu": _num(row.get("scale_out_gbps_per_gpu", "")),
            "purchase_usd": purchase,
            "purchase_source": "; ".join([*price_parts, *filter(None, [m.purchase_extra])]) if purchase is not None else None,
            "notes": " ".join(notes) or None,
            "source": row["source"],
            "as_of": dt.date.fromisoformat(row["as_of"]) if row.get("as_of", "").strip() else SPECS_AS_OF,
        }))
    return out, skipped


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a reference CSV as dicts."""
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class _NoAliasDumper(yaml.SafeDumper):
    """SafeDumper that writes repeated values (shared dates) in full instead of &anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        """Never emit aliases."""
        return True


def dump(header: str, payload: dict[str, Any]) -> str:
    """Deterministic YAML text with a header comment."""
    body = yaml.dump(
        payload, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=100,
        default_flow_style=False,
    )
    return header + body


GPUS_HEADER = (
    "# GENERATED by `python -m pricing.importers.reference` from data/sources/gpu_specs.csv;\n"
    "# edit that CSV or the mapping in pricing/importers/reference.py, not this file. Dense (not sparse)\n"
    "# figures; memory_gb as the vendor states it (binary HBM sizes: 80 GB = 80 x 2^30 bytes).\n"
)


def build_gpus(sources_dir: Path = DEFAULT_SOURCES_DIR) -> tuple[str, list[dict[str, Any]], list[str]]:
    """gpus.yaml text, its records and messages, from sources_dir/gpu_specs.csv; validated."""
    gpus, msgs = gpu_records(read_csv(sources_dir / GPU_SPECS_CSV))
    payload = {"gpus": gpus}
    GpusFile.model_validate(payload)
    return dump(GPUS_HEADER, payload), gpus, msgs


def build(sources_dir: Path = DEFAULT_SOURCES_DIR) -> tuple[dict[str, str], list[str]]:
    """File name -> YAML text (gpus.yaml only; hosting.yaml is pricing.importers.gpu_prices'), plus messages."""
    text, _, msgs = build_gpus(sources_dir)
    return {"gpus.yaml": text}, msgs


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: regenerate (or with --check, compare) data/gpus.yaml."""
    p = argparse.ArgumentParser(prog="python -m pricing.importers.reference", description=__doc__)
    p.add_argument("--sources-dir", type=Path, default=DEFAULT_SOURCES_DIR, help="holds gpu_specs.csv")
    p.add_argument("--gpus-only", action="store_true", help="kept for old scripts: gpus.yaml is the only output")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--check", action="store_true", help="exit 1 if the files differ; write nothing")
    args = p.parse_args(argv)
    files, msgs = build(args.sources_dir)
    for m in msgs:
        print(m, file=sys.stderr)
    differ = []
    for name, text in files.items():
        path = args.data_dir / name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            print(f"{path}: unchanged")
        elif args.check:
            differ.append(name)
            print(f"{path}: differs from a fresh import")
        else:
            atomic_write_many({path: text})
            print(f"{path}: written")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
