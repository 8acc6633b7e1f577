"""`pricing refresh`: pull prices from a public feed, show the diff, refuse absurd changes, write atomically."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from pricing import clock
from pricing.catalog import DEFAULT_DATA_DIR, load_catalog
from pricing.cli import EXIT_INVALID, EXIT_OK, emit
from pricing.errors import InputError
from pricing.refresh import FeedRejected, outcome_lines
from pricing.refresh.check import disagreements
from pricing.refresh.diff import Feed, Plan, plan, read_provider_files
from pricing.refresh.http import FetchPolicy, check_url, fetch_json

SOURCES = ("litellm", "openrouter", "skypilot-lambda")  # skypilot-*: GPU cloud prices (data/sources)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "refresh", help="refresh API prices (LiteLLM, OpenRouter) or GPU prices (SkyPilot catalog): diff, guards, atomic write",
        description="Fetch a public price feed, show what changed, and write the changed data/api files "
        "atomically. Curated fields and pinned values (<data-dir>/pins.yaml) are never overwritten.",
    )
    p.add_argument("--source", required=True, choices=SOURCES, help="which feed")
    p.add_argument("--url", help="feed URL (default: the public one; use for mirrors and tests)")
    p.add_argument("--data-dir", help="data directory (default: the bundled data/)")
    p.add_argument("--dry-run", action="store_true", help="show the diff, change nothing")
    p.add_argument("--allow-large-changes", action="store_true",
                   help="accept prices moving more than 10x and feeds missing over 30%% of a provider's offers")
    p.add_argument("--prune", action="store_true", help="delete offers the feed should carry but no longer does")
    p.add_argument("--allow-shrink", action="store_true",
                   help="accept a result keeping fewer than half of a provider's (or the catalog's) offers; "
                   "never implied by --allow-large-changes")
    p.add_argument("--check", action="store_true",
                   help="list offers where our data and the feed disagree by more than 1%% (writes nothing)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="read timeout in seconds (default 30)")
    p.add_argument("--retries", type=int, default=3, help="retries on 429/5xx/timeouts (default 3)")
    p.add_argument("--deadline", type=float, default=180.0, metavar="S",
                   help="give up after S seconds in all, retries and Retry-After waits included (default 180)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _feed(source: str, raw: Any, url: str, today: dt.date, data_dir: Path) -> Feed:
    if source == "litellm":
        from pricing.refresh.litellm import feed_from_litellm

        return feed_from_litellm(raw, url, today)
    from pricing.refresh.openrouter import feed_from_openrouter

    ours = {f"{pid}/{o.model}": o for pid, (_, pf) in read_provider_files(data_dir).items() for o in pf.offers}
    return feed_from_openrouter(raw, url, today, ours)


def _quality_update(raw: Any, url: str, today: dt.date, data_dir: Path) -> tuple[str | None, list[str]]:
    """New data/quality.yaml text and the changed scores from an OpenRouter answer (None when unchanged)."""
    from pricing.catalog import parse_model, read_yaml
    from pricing.importers import quality as q
    from pricing.schema import QualityFile

    path = data_dir / "quality.yaml"
    old = parse_model(QualityFile, read_yaml(path), str(path)).scores if path.exists() else ()
    known = {s.key for s in old}
    files = read_provider_files(data_dir)
    known |= {o.open_model for _, pf in files.values() for o in pf.offers if o.open_model}
    models = data_dir / "models.yaml"
    if models.exists():
        from pricing.schema import ModelsFile

        known |= {m.id for m in parse_model(ModelsFile, read_yaml(models), str(models)).models}
    source = f"{url} benchmarks.artificial_analysis (Artificial Analysis, https://artificialanalysis.ai/)"
    merged, changes = q.merge_scores(old, q.scores_from_openrouter(raw, known, today, source))
    return (q.render(merged, refreshed_from=url, today=today) if changes else None), changes


def default_url(source: str) -> str:
    """The public URL of a feed."""
    if source == "litellm":
        from pricing.refresh.litellm import DEFAULT_URL
    else:
        from pricing.refresh.openrouter import DEFAULT_URL
    return DEFAULT_URL


def run_gpu(args: argparse.Namespace, data_dir: Path, policy: FetchPolicy) -> int:
    """GPU cloud prices from a SkyPilot catalog CSV into data/sources and data/hosting.yaml."""
    from pricing.refresh import gpu_skypilot as sky
    from pricing.refresh.http import fetch_bytes
    from pricing.refresh.write import atomic_write_many

    if not (data_dir / "sources").is_dir() or not (data_dir / "gpus.yaml").exists():
        raise InputError(f"--data-dir {data_dir} has no sources/ folder or gpus.yaml")
    if args.check or args.prune:
        raise InputError(f"--check and --prune are for API feeds, not {args.source}")
    url = check_url(args.url or sky.default_url(args.source))
    body = fetch_bytes(url, policy, accept="text/csv, text/plain")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{url}: the answer is not UTF-8 text") from None
    p = sky.plan_gpu_refresh(data_dir, args.source, text, url, clock.today(), allow_large=args.allow_large_changes)
    written: list[str] = []
    if not p.rejected and not args.dry_run and p.texts:
        atomic_write_many(p.texts)
        written = [str(x) for x in p.texts]
    if args.json:
        emit({**p.summary(), "dry_run": args.dry_run, "written": written}, True)
    else:
        print(p.render(args.dry_run, written))
    return EXIT_INVALID if p.rejected else EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Fetch, map, diff, guard; print; write unless --dry-run/--check or a guard refused."""
    if not (0 < args.timeout <= 3600) or not (0 <= args.retries <= 20) or not (0 < args.deadline <= 86_400):
        raise InputError("--timeout must be in (0, 3600] s, --retries in 0..20 and --deadline in (0, 86400] s")
    data_dir = Path(args.data_dir) if args.data_dir else DEFAULT_DATA_DIR
    if args.source.startswith("skypilot-"):
        return run_gpu(args, data_dir, FetchPolicy(connect_timeout_s=min(10.0, args.timeout),
                                                   read_timeout_s=args.timeout, attempts=args.retries + 1,
                                                   deadline_s=args.deadline))
    if not (data_dir / "api").is_dir():
        raise InputError(f"--data-dir {data_dir} has no api/ folder")
    from pricing.refresh.write import recover

    for note in recover(data_dir):  # a refresh killed part-way: finish or undo it first
        print(f"note: {note}", file=sys.stderr)
    url = check_url(args.url or default_url(args.source))
    policy = FetchPolicy(connect_timeout_s=min(10.0, args.timeout), read_timeout_s=args.timeout,
                         attempts=args.retries + 1, deadline_s=args.deadline)
    today = clock.today()
    raw = fetch_json(url, policy)
    feed = _feed(args.source, raw, url, today, data_dir)
    if args.check:
        df = disagreements(load_catalog(data_dir), feed)
        if args.json:
            emit({"source": feed.name, "url": url, "compared": len(feed.offer_ids()),
                  "disagreements": df.to_dict(orient="records")}, True)
        else:
            print(f"{feed.name} ({url}): {len(feed.offer_ids())} offers compared, "
                  f"{df['offer_id'].nunique()} disagree by more than 1%")
            for r in df.itertuples(index=False):
                print(f"  {r.offer_id}: {r.field}: ours {r.ours:g} ({r.ours_as_of}, {r.ours_age_badge}) "
                      f"vs feed {r.feed:g} ({r.pct_diff:+.1f}%)")
        return EXIT_OK
    p = plan(data_dir, feed, today, allow_large=args.allow_large_changes, prune=args.prune,
             allow_shrink=args.allow_shrink)
    quality_text, quality_changes = (
        _quality_update(raw, url, today, data_dir) if args.source == "openrouter" else (None, [])
    )
    written: list[str] = []
    if not p.rejected and not args.dry_run and (p.files or quality_text):
        from pricing.refresh.write import write_provider_files

        extra = {data_dir / "quality.yaml": quality_text} if quality_text else {}
        written = [str(x) for x in write_provider_files(data_dir, p.files, feed.name, today, extra)]
    if args.json:
        emit({**p.summary(), "quality_changes": quality_changes, "dry_run": args.dry_run, "written": written}, True)
    else:
        text = render_plan(p, dry_run=args.dry_run, written=written)
        if quality_changes:
            head, _, tail = text.rpartition("\n")
            text = "\n".join([head, "quality indices (data/quality.yaml):", *(f"  {c}" for c in quality_changes), tail])
        print(text)
    if p.rejected:
        if not args.json:
            print(str(FeedRejected(p.rejected)).splitlines()[0].replace("feed rejected", "error: feed rejected"))
        return EXIT_INVALID
    return EXIT_OK


def render_plan(p: Plan, dry_run: bool, written: list[str]) -> str:
    """The diff in words: changed fields with old -> new and percent, new, missing, pinned, rejected."""
    lines = [f"{p.feed.name} ({p.feed.url}): {len(p.changed_offers)} offers changed, "
             f"{len(p.new_offers)} new, {len(p.missing)} missing from feed, {p.unchanged} unchanged"]
    if p.changes:
        lines.append("price and limit changes:")
        lines += [f"  {c}" for c in p.changes]
    if p.new_offers:
        lines.append("new offers:")
        lines += [f"  + {o}" for o in p.new_offers]
    if p.missing:
        lines.append("missing from feed (" + ("removed: --prune" if p.pruned else "kept; --prune removes them") + "):")
        lines += [f"  - {o}" for o in p.missing]
    if p.pinned:
        lines.append("pinned in pins.yaml (kept yours, the feed says otherwise):")
        lines += [f"  {c}" for c in p.pinned]
    lines += outcome_lines(p.rejected, "--allow-large-changes to accept large moves, "
                           "--allow-shrink to accept losing over half the offers", dry_run, written)
    return "\n".join(lines)
