"""Derive data/quality.yaml from the Artificial Analysis indices in OpenRouter's models API.

Run `python -m pricing.importers.quality [--src PATH] [--data-dir DIR] [--check]`.

Source: data/sources/openrouter/models_2026-08-01.json, a real answer of
GET https://openrouter.ai/api/v1/models saved on 2026-08-01 by the public project
Prajwalsrinvas/token-tariff (see data/sources/README.md). Each model's `benchmarks.artificial_analysis` holds Artificial
Analysis' intelligence, coding and agentic indices (no math index in this snapshot); every one
is kept as a QualityScore dated 2026-08-01. A null index is left out (missing, never 0).
`benchmarks.design_arena` (per-category Elo for web/UI generation) is not a general index; skipped.

Keys (how the app finds a score):
- the Hugging Face id when OpenRouter gives `hugging_face_id`, spelled as our data spells it
  (case-insensitive match; OpenRouter's `meta-llama/Meta-Llama-3.1-*` are the same repos as
  the renamed `meta-llama/Llama-3.1-*` we use);
- else our first-party offer id when data/curation.yaml's openrouter_price_map maps the model
  (OpenRouter `anthropic/claude-opus-4.6` -> `anthropic/claude-opus-4-6`);
- else the OpenRouter id (without a `:free` suffix).
`:free` duplicates and dated aliases that carry the same key keep the first (paid) entry.

Supplement: data/sources/artificial_analysis/leaderboard_2026-08-23.csv holds Artificial
Analysis' own leaderboard figures (https://artificialanalysis.ai/leaderboards/models, read
2026-08-23, as committed by github.com/agentydragon/ducktape docs/artificial_analysis/
intelligence_index_2026_08_23.csv) for models whose OpenRouter entry carries no index although
Artificial Analysis scores the same weights (DeepSeek V3 of December 2024: OpenRouter's
deepseek/deepseek-chat gives none). They are added only for an index the OpenRouter answer leaves
empty; the same Intelligence Index v4.1 scale (the two sources agree within 0.2 points where both
score a model, e.g. GPT-4.1 mini 14.8 and 14.82).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from pricing.catalog import DEFAULT_DATA_DIR, load_catalog
from pricing.feeds.openrouter import PRICE_MAP
from pricing.feeds.snapshots import OPENROUTER_SNAPSHOT
from pricing.importers import write_or_check
from pricing.schema import QualityFile, QualityScore

DEFAULT_SRC = OPENROUTER_SNAPSHOT
SUPPLEMENT = Path(__file__).resolve().parents[2] / "data/sources/artificial_analysis/leaderboard_2026-08-23.csv"
SUPPLEMENT_AS_OF = dt.date(2026, 8, 23)
SUPPLEMENT_SOURCE = (
    "https://artificialanalysis.ai/leaderboards/models (Artificial Analysis, {name}, slug {slug}), read 2026-08-23 "
    "as committed by github.com/agentydragon/ducktape docs/artificial_analysis/intelligence_index_2026_08_23.csv"
)
SNAPSHOT_AS_OF = dt.date(2026, 8, 1)
SOURCE = (
    "https://openrouter.ai/api/v1/models benchmarks.artificial_analysis "
    "(Artificial Analysis, https://artificialanalysis.ai/), answer of 2026-08-01 saved by "
    "github.com/Prajwalsrinvas/token-tariff data/history/2026-08-01/"
)
INDICES: dict[str, str] = {
    "intelligence_index": "Artificial Analysis Intelligence Index",
    "coding_index": "Artificial Analysis Coding Index",
    "agentic_index": "Artificial Analysis Agentic Index",
}
_HF_RENAMES = ((re.compile(r"^meta-llama/Meta-Llama-3\.1-"), "meta-llama/Llama-3.1-"),)


def canonical_hf(hf: str, known: Iterable[str]) -> str:
    """OpenRouter's HF id spelled as our data spells it (renames, then a case-insensitive match)."""
    for pat, repl in _HF_RENAMES:
        hf = pat.sub(repl, hf)
    lower = {k.lower(): k for k in known}
    return lower.get(hf.lower(), hf)


def key_of(entry: dict[str, Any], known_hf: Iterable[str]) -> str:
    """The quality key of one OpenRouter model (see the module docstring)."""
    hf = entry.get("hugging_face_id")
    if isinstance(hf, str) and hf.strip():
        return canonical_hf(hf.strip(), known_hf)
    or_id = str(entry["id"])
    return PRICE_MAP.get(or_id, or_id.removesuffix(":free"))


def scores_from_openrouter(
    raw: dict[str, Any], known_hf: Iterable[str], as_of: dt.date = SNAPSHOT_AS_OF, source: str = SOURCE
) -> list[QualityScore]:
    """One QualityScore per (model key, Artificial Analysis index) in an OpenRouter models answer."""
    known = list(known_hf)
    entries = sorted(raw.get("data") or [], key=lambda e: (str(e.get("id", "")).endswith(":free"), str(e.get("id"))))
    seen: set[tuple[str, str]] = set()
    out = []
    for e in entries:
        aa = (e.get("benchmarks") or {}).get("artificial_analysis") or {}
        if not isinstance(aa, dict):
            continue
        key = key_of(e, known)
        for field, name in INDICES.items():
            v = aa.get(field)
            if v is None or (key, name) in seen:
                continue
            seen.add((key, name))
            out.append(QualityScore(key=key, index_name=name, value=float(v), as_of=as_of,
                                    source=f"{source} (OpenRouter id {e['id']})"))
    return sorted(out, key=lambda q: (q.key.lower(), list(INDICES.values()).index(q.index_name)))


def supplement_scores(have: Sequence[QualityScore], src: Path = SUPPLEMENT) -> list[QualityScore]:
    """Scores of the leaderboard supplement for (key, index) pairs `have` lacks."""
    if not src.exists():
        return []
    taken = {(q.key, q.index_name) for q in have}
    out = []
    with src.open(encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            for field, name in INDICES.items():
                v = (rec.get(field) or "").strip()
                if v and (rec["key"], name) not in taken:
                    out.append(QualityScore(key=rec["key"], index_name=name, value=float(v), as_of=SUPPLEMENT_AS_OF,
                                            source=SUPPLEMENT_SOURCE.format(name=rec["aa_name"], slug=rec["aa_slug"])))
    return out


def merge_scores(
    old: Sequence[QualityScore], new: Sequence[QualityScore]
) -> tuple[list[QualityScore], list[str]]:
    """Scores after a refresh: new or changed ones from the feed, unchanged and unlisted ones kept as they were."""
    merged = {(q.key, q.index_name): q for q in old}
    changes = []
    for q in new:
        k = (q.key, q.index_name)
        before = merged.get(k)
        if before is not None and abs(before.value - q.value) < 1e-9:
            continue
        changes.append(f"{q.key}: {q.index_name}: {'none' if before is None else f'{before.value:g}'} -> {q.value:g}")
        merged[k] = q
    order = list(INDICES.values())
    ranked = sorted(merged.values(), key=lambda q: (q.key.lower(), order.index(q.index_name) if q.index_name in order else 99, q.index_name))
    return ranked, changes


def render(scores: Sequence[QualityScore], refreshed_from: str | None = None, today: dt.date | None = None) -> str:
    """YAML of data/quality.yaml with a banner saying how it was made."""
    QualityFile(scores=tuple(scores))
    banner = (
        "# Generated by `python -m pricing.importers.quality` from OpenRouter's models API\n"
        "# (Artificial Analysis indices, 2026-08-01). Keys: HF id, else our offer id, else the OpenRouter id.\n"
    )
    if refreshed_from:
        banner += (f"# Last refreshed by `pricing refresh --source openrouter` from {refreshed_from} on "
                   f"{today}; changed scores carry that as_of.\n")
    rows = [{"key": s.key, "index_name": s.index_name, "value": s.value, "source": s.source,
             "as_of": s.as_of.isoformat()} for s in scores]
    return banner + yaml.safe_dump({"scores": rows}, sort_keys=False, allow_unicode=True, width=200)


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with --check, compare) data/quality.yaml."""
    ap = argparse.ArgumentParser(prog="python -m pricing.importers.quality", description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC, help="OpenRouter models JSON")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--check", action="store_true", help="exit 1 if data/quality.yaml would change")
    args = ap.parse_args(argv)
    raw = json.loads(args.src.read_text(encoding="utf-8"))
    cat = load_catalog(args.data_dir)
    known = {*cat.models, *(o.open_model for o in cat.offers.values() if o.open_model)}
    scores = scores_from_openrouter(raw, known)
    order = list(INDICES.values())
    scores = sorted([*scores, *supplement_scores(scores)],
                    key=lambda q: (q.key.lower(), order.index(q.index_name)))
    text = render(scores)
    return write_or_check(args.data_dir / "quality.yaml", text, args.check)


if __name__ == "__main__":
    raise SystemExit(main())
