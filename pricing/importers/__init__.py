"""Importers that derive data/ files from the reference snapshots, rerunnably."""

from __future__ import annotations

import sys
from pathlib import Path

from pricing.refresh.write import atomic_write_many


def write_or_check(path: Path, text: str, check: bool, written: str = "") -> int:
    """Write `text` to `path` atomically, or with `check` exit 1 (naming the file) if it would change."""
    if check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"out of date: {path}", file=sys.stderr)
            return 1
        return 0
    atomic_write_many({path: text})
    print(f"wrote {path}{': ' + written if written else ''}", file=sys.stderr)
    return 0
