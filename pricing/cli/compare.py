"""`pricing compare SCENARIO.yaml`: every route for every workload, as a table, CSV, JSON or HTML report."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
from pathlib import Path

from pricing.catalog import load_catalog
from pricing.compare import load_scenario, money
from pricing.errors import InputError
from pricing.io import check_output_path, write_output
from pricing.report import Report, build_report, results_table, to_csv, to_html, to_json
from pricing.report.build import DEFAULT_SAMPLES, DEFAULT_SEED
from pricing.report.tables import rows

FORMATS = ("table", "csv", "json", "html")
TABLE_ROWS = 10


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verb."""
    p = sub.add_parser("compare", help="compare every route for a scenario file; table, CSV, JSON or HTML")
    p.add_argument("scenario", help="scenario YAML file (see data/scenarios/)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.add_argument("-o", "--output", help="write to this file instead of standard output (a new or regular "
                   "file, never the scenario itself; replaced atomically, the old one is never read)")
    p.add_argument("--data-dir", help="data directory (default: the bundled data/)")
    p.add_argument("--as-of", "--today", dest="as_of", metavar="YYYY-MM-DD",
                   help="the report's date: price ages, staleness, plan months "
                        "(default: the scenario's as_of, else today)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="uncertainty sampling seed")
    p.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help="uncertainty samples (100..1000000)")
    p.add_argument("--months", type=int, help="plan length in months (12..36 typical; default: the scenario's)")
    p.set_defaults(func=run)


def _today(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of: {text!r} is not a date as YYYY-MM-DD") from None


def table(r: Report) -> str:
    """Plain text for a terminal: the winner, the cheapest routes, break-even, what changes the answer."""
    lines = [r.scenario.name, "=" * len(r.scenario.name), ""]
    for w, g in r.results.groupby("workload", sort=False):
        lines.append(r.winners.get(str(w), ""))
        g = g.sort_values("monthly_usd", na_position="last").head(TABLE_ROWS)
        width = min(max(len(str(x)) for x in g["label"]), 70)
        for x in rows(g):
            per = f"${x.usd_per_mtok:,.3f}/Mtok" if math.isfinite(x.usd_per_mtok) else ""
            lines.append(f"  {str(x.label)[:width]:<{width}}  {money(x.monthly_usd):>9}  {per:>16}")
        for s in r.breakeven[r.breakeven["workload"] == w]["sentence"]:
            lines.append(f"  break-even: {s}")
        lines.append("")
    if "all workloads" in r.winners:
        lines += [r.winners["all workloads"], ""]
    lines += [*r.gpu_price_lines[:1], *(f"  {x}" for x in r.gpu_price_lines[1:]), ""] if len(r.gpu_price_lines) > 1 else []
    flips = r.tornado[r.tornado["changes_winner"]]
    if len(flips):
        lines.append("Drivers that change the winner within their range:")
        lines += [f"  {x.scope}: {x.label} ({x.low:g} to {x.high:g} {x.unit})" for x in rows(flips)]
    else:
        lines.append("No single driver changes the winner within its range.")
    for s in r.overtakes[r.overtakes["view"] == "cash"]["sentence"].head(5):
        lines.append(f"Plan: {s}")
    return "\n".join(lines) + "\n"


def _write(text: str, output: str | None, reads: list[Path]) -> None:
    """Standard output, or the checked file written atomically (temporary file, then rename)."""
    if not output:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_output(Path(output), text, reads)


def run(args: argparse.Namespace) -> int:
    """Load, compare, analyse, and write the chosen format."""
    fmt = "json" if args.json else args.format
    if not 100 <= args.samples <= 1_000_000:
        raise InputError("--samples must be between 100 and 1000000")
    if args.months is not None and not 1 <= args.months <= 60:
        raise InputError("--months must be between 1 and 60")
    path = Path(args.scenario)
    if not os.path.lexists(path):
        raise InputError(f"scenario file {args.scenario!r} not found")
    if args.output:
        check_output_path(Path(args.output), reads=[path])
    catalog = load_catalog(args.data_dir)
    scenario = load_scenario(path)
    r = build_report(scenario, catalog, today=_today(args.as_of), seed=args.seed, samples=args.samples,
                     months=args.months)
    if fmt == "csv":
        text = to_csv(results_table(r.scenario, r.results))
    elif fmt == "json":
        text = to_json(r)
    elif fmt == "html":
        text = to_html(r)
    else:
        text = table(r)
    _write(text, args.output, [path])
    return 0
