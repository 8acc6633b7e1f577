"""Dated price points per offer from successive LiteLLM releases (pure: maps in, points out).

Every LiteLLM release on PyPI ships its price map, so each release is a dated snapshot (dated by
its PyPI upload day). For each curated offer the base price (input, output, cache read) is read
from each release that lists it; only changes are kept, so a point means "from this release on,
the map listed this price". The first point is the first release we read that lists the offer,
not necessarily the day the price was set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from pricing.feeds.curation import Curation, default_curation
from pricing.feeds.litellm import curated_keys, mtok, priced
from pricing.schema import OfferHistory, PriceHistoryFile, PricePoint, Release

PYPI_RELEASE = "https://pypi.org/project/litellm/{version}/"
HISTORY_SOURCE = (
    "litellm/model_prices_and_context_window_backup.json inside each litellm wheel on PyPI "
    "(upstream github.com/BerriAI/litellm model_prices_and_context_window.json, MIT); dated by PyPI upload day"
)
Price = tuple[float, float, float | None]


def base_price(entry: Mapping[str, Any]) -> Price | None:
    """(input, output, cache read) USD per 1M tokens of a LiteLLM entry; None when unpriced."""
    if not isinstance(entry, Mapping) or not priced(entry):
        return None
    base = dict(entry)
    ranges = sorted(entry.get("tiered_pricing") or [], key=lambda r: r["range"][0])
    if ranges and base.get("input_cost_per_token") is None:
        base.update({k: v for k, v in ranges[0].items() if k != "range"})
    try:
        inp, out = mtok(base.get("input_cost_per_token")), mtok(base.get("output_cost_per_token"))
        cached = mtok(base.get("cache_read_input_token_cost"))
    except (TypeError, ValueError):
        return None
    if inp is None or out is None or inp < 0 or out < 0:
        return None
    return inp, out, cached


def points_from_releases(
    maps: Sequence[tuple[Release, Mapping[str, Any]]], cur: Curation | None = None,
) -> dict[str, list[PricePoint]]:
    """Offer id -> its price points (changes only), from (release, price map) pairs oldest first.

    Points a provider announced (data/curation.yaml `announced`) join the releases' points; on a
    day both give, the release's wins; a point equal to the one before it is dropped.
    """
    cur = cur or default_curation()
    keys = curated_keys(cur)
    out: dict[str, list[PricePoint]] = {}
    last: dict[str, Price] = {}
    for rel, raw in sorted(maps, key=lambda m: m[0].released_on):
        for key, oid in keys.items():
            p = base_price(raw.get(key) or {})
            if p is None or last.get(oid) == p:
                continue
            last[oid] = p
            out.setdefault(oid, []).append(PricePoint(
                since=rel.released_on, release=rel.version, usd_per_mtok_input=p[0], usd_per_mtok_output=p[1],
                usd_per_mtok_cached_input=p[2],
            ))
    for picks in cur.offers.values():
        for pick in picks:
            if not pick.announced:
                continue
            oid = keys[pick.key]
            pts = {pt.since: pt for pt in out.get(oid, [])}
            for a in pick.announced:
                pts.setdefault(a.since, PricePoint(
                    since=a.since, usd_per_mtok_input=a.usd_per_mtok_input, usd_per_mtok_output=a.usd_per_mtok_output,
                    usd_per_mtok_cached_input=a.usd_per_mtok_cached_input, source=f"{a.source} (read {a.as_of})"))
            merged: list[PricePoint] = []
            for pt in sorted(pts.values(), key=lambda x: x.since):
                prev = merged[-1] if merged else None
                if prev is None or (prev.usd_per_mtok_input, prev.usd_per_mtok_output, prev.usd_per_mtok_cached_input) != (
                        pt.usd_per_mtok_input, pt.usd_per_mtok_output, pt.usd_per_mtok_cached_input):
                    merged.append(pt)
            out[oid] = merged
    return out


def history_file(releases: Sequence[Release], points: Mapping[str, Sequence[PricePoint]]) -> PriceHistoryFile:
    """The validated history file content, offers sorted by id."""
    return PriceHistoryFile(
        source=HISTORY_SOURCE, releases=tuple(sorted(releases, key=lambda r: r.released_on)),
        offers=tuple(OfferHistory(offer=oid, points=tuple(points[oid])) for oid in sorted(points)),
    )


def _flow(d: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(d), default_flow_style=True, sort_keys=False, width=10_000).strip()


def render(h: PriceHistoryFile, banner: Sequence[str] = ()) -> str:
    """YAML text: one release and one price point per line, so a diff shows what changed."""
    lines = [*banner, f"source: {yaml.safe_dump(h.source, width=10_000).strip().removesuffix('...').strip()}",
             "releases:"]
    lines += [f"- {_flow(r.model_dump(mode='json'))}" for r in h.releases]
    lines.append("offers:")
    for o in h.offers:
        lines.append(f"- offer: {yaml.safe_dump(o.offer).strip().removesuffix('...').strip()}")
        lines.append("  points:")
        for p in o.points:
            lines.append(f"  - {_flow(p.model_dump(mode='json', exclude_none=True))}")
    return "\n".join(lines) + "\n"


def dates_from_history(h: PriceHistoryFile | None, today: dt.date | None = None) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """Offer id -> (checked_on, changed_on): the newest point's release date and the current run's start.

    checked_on is the newest release that listed the offer (any price); changed_on the date of the
    point holding the current price (its first listing when it never changed).
    """
    if h is None:
        return {}
    out: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    for o in h.offers:
        pts = [p for p in o.points if today is None or p.since <= today]
        if pts:
            out[o.offer] = (None, pts[-1].since)
    return out
