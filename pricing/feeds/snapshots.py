"""Pinned feed snapshots inside the repository (data/sources/), and how to rebuild them from PyPI.

LiteLLM ships its price map inside every wheel on PyPI
(`litellm/model_prices_and_context_window_backup.json`), so a release pins a snapshot exactly.
The repository keeps an extract: the entries data/curation.yaml picks, byte-stable (sorted keys,
one entry per line). `python -m pricing.feeds.snapshots --litellm 1.110.2` downloads the wheel with
pip (`pip download litellm==X --no-deps`) and rewrites the extract; run it after adding a pick.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pricing.feeds import SOURCES_DIR

LITELLM_VERSION = "1.110.2"
LITELLM_DIR = SOURCES_DIR / "litellm"
LITELLM_SNAPSHOT = LITELLM_DIR / f"model_prices_{LITELLM_VERSION}.json"
OPENROUTER_SNAPSHOT = SOURCES_DIR / "openrouter" / "models_2026-08-01.json"
WHEEL_MEMBER = "litellm/model_prices_and_context_window_backup.json"


def dump_extract(raw: Mapping[str, Any], keys: Iterable[str]) -> str:
    """The entries of `raw` named by `keys` (those present), one sorted-key JSON line per entry."""
    picked = sorted(k for k in set(keys) if isinstance(raw.get(k), dict))
    lines = [f"{json.dumps(k)}: {json.dumps(raw[k], sort_keys=True, ensure_ascii=False)}" for k in picked]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def load_json(path: Path) -> Any:
    """A JSON snapshot from the repository."""
    return json.loads(path.read_text(encoding="utf-8"))


def wheel_price_map(version: str, cache_dir: Path | None = None) -> dict[str, Any]:
    """LiteLLM's price map from the PyPI wheel of `version` (downloaded with pip; needs the registry)."""
    with tempfile.TemporaryDirectory() as tmp:
        dest = cache_dir or Path(tmp)
        wheels = sorted(dest.glob(f"litellm-{version}-*.whl"))
        if not wheels:
            subprocess.run([sys.executable, "-m", "pip", "download", f"litellm=={version}", "--no-deps",
                            "--only-binary=:all:", "-q", "-d", str(dest)], check=True)
            wheels = sorted(dest.glob(f"litellm-{version}-*.whl"))
        with zipfile.ZipFile(wheels[0]) as z:
            data: dict[str, Any] = json.loads(z.read(WHEEL_MEMBER))
        return data


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite data/sources/litellm/model_prices_<version>.json from the PyPI wheel."""
    from pricing.feeds.litellm import curated_keys

    ap = argparse.ArgumentParser(prog="python -m pricing.feeds.snapshots", description=main.__doc__)
    ap.add_argument("--litellm", default=LITELLM_VERSION, help="litellm release on PyPI")
    ap.add_argument("--from-json", type=Path, help="a full price map already on disk instead of the wheel")
    args = ap.parse_args(argv)
    raw = load_json(args.from_json) if args.from_json else wheel_price_map(args.litellm)
    out = LITELLM_DIR / f"model_prices_{args.litellm}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dump_extract(raw, curated_keys()), encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
