"""Build data/hosting.yaml from the hand-curated GPU price sources; rerunnable, byte-stable.

Run `python -m pricing.importers.gpu_prices [--data-dir DIR] [--check]`. The mapping itself lives in
pricing.feeds.gpu_prices (shared with `pricing refresh --source skypilot-lambda`); this is its CLI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pricing.feeds.gpu_prices import (
    COLUMNS,
    DEFAULT_DATA_DIR,
    PRICE_GLOB,
    SourceError,
    build,
    read_rows,
    record,
)
from pricing.refresh.write import atomic_write_many

__all__ = ["COLUMNS", "PRICE_GLOB", "SourceError", "build", "main", "read_rows", "record"]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: regenerate (or with --check, compare) data/hosting.yaml."""
    p = argparse.ArgumentParser(prog="python -m pricing.importers.gpu_prices", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--check", action="store_true", help="exit 1 if hosting.yaml differs; write nothing")
    args = p.parse_args(argv)
    try:
        text, msgs = build(args.data_dir)
    except SourceError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for m in msgs:
        print(m, file=sys.stderr)
    path = args.data_dir / "hosting.yaml"
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old == text:
        print(f"{path}: unchanged")
        return 0
    if args.check:
        print(f"{path}: differs from a fresh import")
        return 1
    atomic_write_many({path: text})
    print(f"{path}: written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
