"""Derive data/api/<provider>.yaml from LiteLLM's price map, merged with the hand-curated list.

Run `python -m pricing.importers.litellm [--src PATH] [--data-dir DIR] [--check]`.

The source is ../shared/reference/litellm_model_prices_2026-11.json, LiteLLM's community price
map as shipped in the litellm 1.110.2 wheel (USD per token). `offers_from_litellm` is pure (no
file I/O) so `pricing refresh` can reuse it on a freshly downloaded map.

as_of: the snapshot is labelled November 2026 but carries no build date, so every offer is dated
2026-11-01, the earliest day consistent with that label: a price's age is never understated.

Conversion rules (LiteLLM key -> ApiOffer field):
- `*_cost_per_token` x 1e6 -> `usd_per_mtok_*`, rounded to 6 decimals (no 2.5000000000000004).
- `cache_read_input_token_cost` -> cached input; `cache_creation_input_token_cost` -> cache write,
  except a cache-write price of exactly 0 next to a paid cache read (DeepSeek, Z.ai): those
  providers bill cache misses at the input price and have no separate write charge, so the field
  is left empty (= input price) rather than making written tokens free.
- `output_cost_per_reasoning_token` -> reasoning price (None = output price).
- `*_batches` -> `batch` (input, output, cached input).
- `*_above_<N>k_tokens` -> a tier above N*1000 prompt tokens (whole request billed at the tier);
  `tiered_pricing` ranges -> the first range is the base price, each later range a tier above
  its lower bound.
- `off_peak_pricing` -> `off_peak`: its prices, the longest daily window, the full weekly
  schedule in the notes (the schema holds one daily window).
- `input_cost_per_request` -> `usd_per_request`; `max_input_tokens` / `max_output_tokens` ->
  context and output limits; `source` -> the offer's source (else the provider's pricing page).
Priority, flex, regional uplifts, audio/image and tool-call prices are out of scope.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pricing.importers.curation import CHECKS, CURATED, PROVIDERS, Pick, family_of
from pricing.refresh.write import atomic_write_many
from pricing.refresh.write import render as render_provider_file
from pricing.schema import ApiOffer, BatchPrice, OffPeak, PriceTier, ProviderFile

REPO_DIR = Path(__file__).resolve().parent.parent.parent
DEFAULT_SRC = REPO_DIR.parent / "shared" / "reference" / "litellm_model_prices_2026-11.json"
DEFAULT_DATA_DIR = REPO_DIR / "data"
SNAPSHOT_AS_OF = dt.date(2026, 11, 1)
SNAPSHOT_SOURCE = "LiteLLM model_prices_and_context_window.json, litellm 1.110.2"

_TIER_KEY = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")


def mtok(per_token: Any) -> float | None:
    """USD per token -> USD per million tokens, rounded to 6 decimals; None stays None."""
    if per_token is None:
        return None
    return round(float(per_token) * 1e6, 6) + 0.0


def model_name(provider: str, key: str) -> str:
    """The provider's own model name: the LiteLLM key without its routing prefix."""
    for prefix in sorted(PROVIDERS[provider].prefixes, key=len, reverse=True):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def _cache_write(entry: Mapping[str, Any], suffix: str = "") -> float | None:
    cw = mtok(entry.get("cache_creation_input_token_cost" + suffix))
    cr = mtok(entry.get("cache_read_input_token_cost" + suffix))
    if cw == 0.0 and cr:
        return None
    return cw


def _tiers(entry: Mapping[str, Any], context: int | None) -> tuple[list[PriceTier], list[str]]:
    """Long-context tiers from `_above_<N>k_tokens` keys and `tiered_pricing` ranges."""
    tiers: dict[int, PriceTier] = {}
    notes: list[str] = []
    for key in entry:
        m = _TIER_KEY.match(key)
        if not m:
            continue
        suffix = f"_above_{m.group(1)}k_tokens"
        tiers[int(m.group(1)) * 1000] = PriceTier(
            above_input_tokens=int(m.group(1)) * 1000,
            usd_per_mtok_input=mtok(entry[key]) or 0.0,
            usd_per_mtok_output=mtok(entry.get("output_cost_per_token" + suffix)) or 0.0,
            usd_per_mtok_cached_input=mtok(entry.get("cache_read_input_token_cost" + suffix)),
            usd_per_mtok_cache_write=_cache_write(entry, suffix),
            usd_per_mtok_reasoning=mtok(entry.get("output_cost_per_reasoning_token" + suffix)),
        )
    for rng in sorted(entry.get("tiered_pricing") or [], key=lambda r: r["range"][0])[1:]:
        start = int(rng["range"][0])
        tiers[start] = PriceTier(
            above_input_tokens=start,
            usd_per_mtok_input=mtok(rng.get("input_cost_per_token")) or 0.0,
            usd_per_mtok_output=mtok(rng.get("output_cost_per_token")) or 0.0,
            usd_per_mtok_cached_input=mtok(rng.get("cache_read_input_token_cost")),
            usd_per_mtok_cache_write=_cache_write(rng),
            usd_per_mtok_reasoning=mtok(rng.get("output_cost_per_reasoning_token")),
        )
    out = []
    for thr in sorted(tiers):
        if context is not None and thr >= context:
            notes.append(f"LiteLLM lists a tier above {thr} tokens, at or past the context window; dropped.")
            continue
        out.append(tiers[thr])
    return out, notes


def _off_peak(entry: Mapping[str, Any]) -> tuple[OffPeak | None, str | None]:
    """The off-peak prices, the longest daily window, and a note with LiteLLM's full schedule."""
    op = entry.get("off_peak_pricing")
    if not op:
        return None, None
    windows: list[str] = []
    described: list[str] = []
    for w in op.get("windows", []):
        hours = w.get("hours_utc")
        hours = [hours] if isinstance(hours, str) else list(hours or [])
        days = w.get("weekdays", [])
        label = "weekdays" if days == [1, 2, 3, 4, 5] else ("weekends" if days == [6, 7] else f"ISO days {days}")
        spans = ", ".join("all day" if h == "00:00-00:00" else h for h in hours)
        described.append(f"{label} {spans}")
        windows.extend(h for h in hours if h != "00:00-00:00")

    def span(h: str) -> int:
        a, b = h.split("-")
        return (int(b[:2]) * 60 + int(b[3:]) - int(a[:2]) * 60 - int(a[3:])) % 1440

    best = max(windows, key=span) if windows else "00:00-00:00"
    start, end = best.split("-")
    off = OffPeak(
        start_utc=start,
        end_utc=end,
        usd_per_mtok_input=mtok(op.get("input_cost_per_token")) or 0.0,
        usd_per_mtok_output=mtok(op.get("output_cost_per_token")) or 0.0,
        usd_per_mtok_cached_input=mtok(op.get("cache_read_input_token_cost")),
    )
    note = (
        f"Off-peak prices apply (per LiteLLM) {'; '.join(described)} UTC; start_utc/end_utc hold the "
        "longest weekday window. The cost engine bills the off-peak share a workload states."
    )
    return off, note


def offer_from_entry(provider: str, pick: Pick, entry: Mapping[str, Any], as_of: dt.date, source: str) -> ApiOffer:
    """One ApiOffer from a LiteLLM entry with the curated fields merged over the feed's."""
    notes: list[str] = [n for n in (pick.notes, CHECKS.get(pick.key)) if n]
    base = dict(entry)
    ranges = sorted(entry.get("tiered_pricing") or [], key=lambda r: r["range"][0])
    if ranges and base.get("input_cost_per_token") is None:
        base.update({k: v for k, v in ranges[0].items() if k != "range"})
    context = entry.get("max_input_tokens")
    context = int(context) if context else None
    tiers, tier_notes = _tiers(entry, context)
    notes += tier_notes
    batch = None
    if entry.get("input_cost_per_token_batches") is not None and entry.get("output_cost_per_token_batches") is not None:
        batch = BatchPrice(
            usd_per_mtok_input=mtok(entry["input_cost_per_token_batches"]) or 0.0,
            usd_per_mtok_output=mtok(entry["output_cost_per_token_batches"]) or 0.0,
            usd_per_mtok_cached_input=mtok(entry.get("cache_read_input_token_cost_batches")),
        )
    off_peak, op_note = _off_peak(entry)
    if op_note:
        notes.append(op_note)
    dep = entry.get("deprecation_date")
    if dep and not any("deprecation_date" in n for n in notes):
        notes.append(f"LiteLLM lists deprecation_date {dep}.")
    src_url = entry.get("source")
    page = src_url if isinstance(src_url, str) and src_url.startswith("http") else PROVIDERS[provider].pricing_page
    model = pick.model or model_name(provider, pick.key)
    reasoning = pick.reasoning if pick.reasoning is not None else bool(entry.get("supports_reasoning"))
    return ApiOffer(
        source=f"{page} (via {source})",
        as_of=as_of,
        model=model,
        display_name=pick.display_name,
        open_model=pick.open_model,
        family=pick.family or family_of(model),
        reasoning=reasoning,
        context_tokens=context,
        max_output_tokens=int(entry["max_output_tokens"]) if entry.get("max_output_tokens") else None,
        usd_per_mtok_input=mtok(base.get("input_cost_per_token")) or 0.0,
        usd_per_mtok_cached_input=mtok(base.get("cache_read_input_token_cost")),
        usd_per_mtok_cache_write=_cache_write(base),
        usd_per_mtok_output=mtok(base.get("output_cost_per_token")) or 0.0,
        usd_per_mtok_reasoning=mtok(base.get("output_cost_per_reasoning_token")),
        usd_per_request=float(entry.get("input_cost_per_request") or 0.0),
        batch=batch,
        tiers=tuple(tiers),
        off_peak=off_peak,
        notes=" ".join(notes) or None,
        **pick.extra,
    )


def offers_from_litellm(raw: dict[str, Any], as_of: dt.date, source: str) -> dict[str, list[ApiOffer]]:
    """Provider id -> its curated offers, priced from a LiteLLM price map (pure: no file I/O).

    Entries the curation names but the map lacks (or prices at nothing) are skipped, so a
    refresh against a newer map keeps working; `missing_picks` lists them.
    """
    out: dict[str, list[ApiOffer]] = {}
    for provider, picks in CURATED.items():
        offers = []
        for pick in picks:
            entry = raw.get(pick.key)
            if not isinstance(entry, dict) or not _priced(entry):
                continue
            offers.append(offer_from_entry(provider, pick, entry, as_of, source))
        out[provider] = offers
    return out


def _priced(entry: Mapping[str, Any]) -> bool:
    return entry.get("input_cost_per_token") is not None or bool(entry.get("tiered_pricing"))


def missing_picks(raw: Mapping[str, Any]) -> list[str]:
    """Curated LiteLLM keys that the map does not hold or does not price."""
    return [
        p.key for picks in CURATED.values() for p in picks
        if not isinstance(raw.get(p.key), dict) or not _priced(raw[p.key])
    ]


def provider_file(provider: str, offers: Sequence[ApiOffer]) -> ProviderFile:
    """The validated data/api/<provider>.yaml content."""
    meta = PROVIDERS[provider]
    return ProviderFile(provider=provider, name=meta.name, kind=meta.kind, pricing_page=meta.pricing_page, offers=tuple(offers))


def render(pf: ProviderFile) -> str:
    """YAML text of a provider file (the layout refresh also writes), with this importer's banner."""
    return render_provider_file(pf, [
        f"# Generated by `python -m pricing.importers.litellm` from {SNAPSHOT_SOURCE}",
        "# merged with pricing/importers/curation.py. Edit the curation, not this file.",
    ])


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite (or with --check, compare) data/api/<provider>.yaml from the LiteLLM map."""
    ap = argparse.ArgumentParser(prog="python -m pricing.importers.litellm", description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC, help="LiteLLM price map JSON")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--check", action="store_true", help="exit 1 if a file would change")
    args = ap.parse_args(argv)
    raw = json.loads(args.src.read_text(encoding="utf-8"))
    by_provider = offers_from_litellm(raw, SNAPSHOT_AS_OF, SNAPSHOT_SOURCE)
    stale = []
    total = 0
    for provider, offers in by_provider.items():
        text = render(provider_file(provider, offers))
        path = args.data_dir / "api" / f"{provider}.yaml"
        total += len(offers)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            atomic_write_many({path: text})
    for key in missing_picks(raw):
        print(f"warning: curated key {key!r} is not priced in {args.src.name}", file=sys.stderr)
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"{total} offers from {len(by_provider)} providers", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
