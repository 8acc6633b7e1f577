"""`pricing validate`: check every data file; exit 1 listing file, entry and field of each problem."""

from __future__ import annotations

import argparse

from pricing import clock
from pricing.catalog import build_catalog
from pricing.cli import EXIT_INVALID, EXIT_OK, emit


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verb."""
    p = sub.add_parser("validate", help="validate data files (exit 1 with file/entry/field messages)")
    p.add_argument("--data-dir", help="data directory (default: the bundled data/)")
    p.add_argument("--max-age-days", type=int, default=None,
                   help="also report prices older than N days (errors with --strict)")
    p.add_argument("--strict", action="store_true", help="treat warnings (incl. stale prices) as errors")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate and print a summary or the problems."""
    cat, issues = build_catalog(args.data_dir)
    stale: list[str] = []
    if cat is not None and args.max_age_days is not None:
        today = clock.today()
        for oid, o in cat.offers.items():
            checked = o.checked_on or o.as_of
            age = (today - checked).days
            if age > args.max_age_days:
                stale.append(f"api/{cat.offer_provider[oid]}.yaml: {o.model}: checked_on: price last confirmed {age} days ago")
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    failed = bool(errors) or (args.strict and bool(warnings or stale))
    if args.json:
        emit({"ok": not failed, "errors": [str(i) for i in errors],
              "warnings": [str(i) for i in warnings], "stale": stale,
              "counts": _counts(cat)}, True)
    else:
        for i in errors:
            print(f"error: {i}")
        for i in warnings:
            print(f"warning: {i}")
        for s in stale:
            print(f"stale: {s}")
        if cat is not None:
            c = _counts(cat)
            print("ok: " + ", ".join(f"{v} {k}" for k, v in c.items()) if not failed else "failed")
        else:
            print(f"failed: {len(errors)} problem(s)")
    return EXIT_INVALID if failed else EXIT_OK


def _counts(cat: object) -> dict[str, int]:
    if cat is None:
        return {}
    from pricing.catalog import Catalog

    assert isinstance(cat, Catalog)
    return {"API offers": len(cat.offers), "providers": len(cat.providers), "models": len(cat.models),
            "GPUs": len(cat.gpus), "cloud offers": len(cat.cloud)}
