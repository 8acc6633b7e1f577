"""Refresh GPU cloud prices from SkyPilot's public catalog CSVs (github.com/skypilot-org/skypilot-catalog).

`pricing refresh --source skypilot-lambda` fetches Lambda's vms.csv, maps instance types whose names
say the GPU unambiguously (gpu_<N>x_<gpu>), keeps one price per instance type (the lowest over
regions, noted when regions differ), and writes data/sources/gpu_prices_skypilot_lambda.csv dated
the day of the fetch, then rebuilds data/hosting.yaml with pricing.feeds.gpu_prices. Same safety
as the API refresh: a printed diff, guards (a price moving more than 10x, or more than 30% of the
previous rows missing, refuses to write unless --allow-large-changes), --dry-run, and one atomic
write of both files. The catalog carries no read date of its own, so as_of is the fetch date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pricing.feeds import gpu_prices as imp
from pricing.refresh import RefreshError, outcome_lines

CATALOG = "https://raw.githubusercontent.com/skypilot-org/skypilot-catalog/master/catalogs/v7/{cloud}/vms.csv"
MAX_MOVE = 10.0
MAX_MISSING = 0.30
REQUIRED = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Price", "Region")


@dataclass(frozen=True)
class Cloud:
    """How one SkyPilot cloud's instance names map to our GPU ids."""

    provider: str
    kind: str
    pattern: re.Pattern[str]  # groups: GPU count, GPU name
    gpus: dict[str, str]  # name in the instance type -> our GPU id


CLOUDS: dict[str, Cloud] = {
    "lambda": Cloud("lambda", "specialist", re.compile(r"^gpu_(\d+)x_([a-z0-9_]+)$"), {
        "h100_sxm5": "h100-sxm", "h100_pcie": "h100-pcie", "h200_sxm5": "h200", "b200_sxm6": "b200",
        "a100_80gb_sxm4": "a100-80gb", "a100_sxm4": "a100-40gb", "a100": "a100-40gb", "gh200": "gh200",
        "a10": "a10",
    }),
}
SOURCES = {f"skypilot-{name}": name for name in CLOUDS}


def default_url(source: str) -> str:
    """The public catalog URL of a skypilot-<cloud> source."""
    return CATALOG.format(cloud=SOURCES[source])


def source_path(data_dir: Path, source: str) -> Path:
    """The source CSV a skypilot-<cloud> refresh owns."""
    return data_dir / "sources" / f"gpu_prices_{source.replace('-', '_')}.csv"


def rows_from_catalog(text: str, cloud: Cloud, url: str, today: dt.date) -> tuple[list[dict[str, str]], list[str]]:
    """Source rows (imp.COLUMNS) from a vms.csv text, and notes on skipped instance types."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
    if missing:
        raise RefreshError(f"{url}: not a SkyPilot vms.csv (missing columns {missing})")
    prices: dict[str, list[tuple[float, str]]] = {}
    counts: dict[str, int] = {}
    skipped: set[str] = set()
    for line, r in enumerate(reader, start=2):
        it = (r.get("InstanceType") or "").strip()
        m = cloud.pattern.match(it)
        if not m or not (r.get("AcceleratorName") or "").strip():
            continue
        if m.group(2) not in cloud.gpus:
            skipped.add(it)
            continue
        try:
            price = float(r["Price"])
            n = int(float(r["AcceleratorCount"]))
        except (TypeError, ValueError):
            raise RefreshError(f"{url} line {line}: {it}: Price {r.get('Price')!r} or AcceleratorCount "
                               f"{r.get('AcceleratorCount')!r} is not a number") from None
        if price <= 0 or n != int(m.group(1)):
            raise RefreshError(f"{url} line {line}: {it}: price {price} or GPU count {n} does not fit the name")
        prices.setdefault(it, []).append((price, r["Region"].strip()))
        counts[it] = n
    rows = []
    for it in sorted(prices):
        m = cloud.pattern.match(it)
        assert m is not None
        vals = sorted(prices[it])
        n = counts[it]
        distinct = {p for p, _ in vals}
        note = (f"lowest of {len(distinct)} regional prices (up to ${max(distinct):g}/h per instance)"
                if len(distinct) > 1 else f"same price in {len(vals)} regions")
        rows.append({c: "" for c in imp.COLUMNS} | {
            "provider": cloud.provider, "provider_kind": cloud.kind, "instance_type": it,
            "gpu": cloud.gpus[m.group(2)], "gpu_count": str(n), "min_gpus": str(n),
            "region": vals[0][1] if len(distinct) > 1 else "all regions",
            "usd_per_gpu_hour_on_demand": f"{vals[0][0] / n:.6g}", "source": url, "as_of": today.isoformat(),
            "via": "skypilot-org/skypilot-catalog", "notes": f"${vals[0][0]:g}/h per instance; {note}",
        })
    return rows, sorted(skipped)


def render_rows(rows: list[dict[str, str]]) -> str:
    """The source CSV text of rows."""
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(imp.COLUMNS), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


@dataclass
class GpuPlan:
    """What a GPU price refresh would change, and whether a guard refuses it."""

    source: str
    url: str
    path: Path
    rows: list[dict[str, str]]
    changes: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    unchanged: int = 0
    texts: dict[Path, str] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {"source": self.source, "url": self.url, "file": str(self.path), "rows": len(self.rows),
                "changes": self.changes, "new": self.new, "missing": self.missing,
                "skipped_instance_types": self.skipped, "rejected": self.rejected, "unchanged": self.unchanged}

    def render(self, dry_run: bool, written: list[str]) -> str:
        """The diff in words."""
        lines = [f"{self.source} ({self.url}): {len(self.changes)} prices changed, {len(self.new)} new, "
                 f"{len(self.missing)} missing from the feed, {self.unchanged} unchanged"]
        lines += [f"  {c}" for c in self.changes] + [f"  + {x}" for x in self.new] + [f"  - {x}" for x in self.missing]
        lines += outcome_lines(self.rejected, "--allow-large-changes to accept", dry_run, written)
        return "\n".join(lines)


def plan_gpu_refresh(data_dir: Path, source: str, text: str, url: str, today: dt.date,
                     allow_large: bool = False) -> GpuPlan:
    """Map the feed, diff it against the source file it owns, apply the guards, and build both new texts."""
    rows, skipped = rows_from_catalog(text, CLOUDS[SOURCES[source]], url, today)
    path = source_path(data_dir, source)
    p = GpuPlan(source, url, path, rows, skipped=skipped)
    old = {r["instance_type"]: r for r in imp.read_rows(path)} if path.exists() else {}
    new = {r["instance_type"]: r for r in rows}
    if not rows:
        p.rejected.append("the feed has no GPU instance this refresh can map")
    for it, r in new.items():
        if it not in old:
            p.new.append(f"{it} ({r['gpu']}) ${float(r['usd_per_gpu_hour_on_demand']):.2f}/GPU-hour")
            continue
        a, b = float(old[it]["usd_per_gpu_hour_on_demand"]), float(r["usd_per_gpu_hour_on_demand"])
        if abs(a - b) < 1e-9:
            p.unchanged += 1
            continue
        p.changes.append(f"{it}: ${a:.4g} -> ${b:.4g}/GPU-hour ({(b / a - 1) * 100:+.1f}%)")
        if not allow_large and (b > a * MAX_MOVE or b < a / MAX_MOVE):
            p.rejected.append(f"{it}: price moves more than {MAX_MOVE:g}x (${a:g} -> ${b:g})")
    p.missing = sorted(set(old) - set(new))
    if old and not allow_large and len(p.missing) > MAX_MISSING * len(old):
        p.rejected.append(f"{len(p.missing)} of {len(old)} instance types are missing from the feed "
                          f"(over {MAX_MISSING:.0%})")
    if p.rejected:
        return p
    csv_text = render_rows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        shadow = Path(tmp) / "data"
        shutil.copytree(data_dir / "sources", shadow / "sources")
        shutil.copy(data_dir / "gpus.yaml", shadow / "gpus.yaml")
        (shadow / "sources" / path.name).write_text(csv_text, encoding="utf-8")
        hosting, _ = imp.build(shadow)
    if not path.exists() or path.read_text(encoding="utf-8") != csv_text:
        p.texts[path] = csv_text
    hosting_path = data_dir / "hosting.yaml"
    if not hosting_path.exists() or hosting_path.read_text(encoding="utf-8") != hosting:
        p.texts[hosting_path] = hosting
    return p
