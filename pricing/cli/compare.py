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
from pricing.schema import Scenario, TaskTokens

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
    p.add_argument("--per-task", metavar="REFERENCE",
                   help="compare cost per task: the workload's output and reasoning tokens are what this model "
                        "(offer id or HF id) spends; every other model's are scaled by its output tokens per task "
                        "(Artificial Analysis, data/tokens_per_task.yaml). Sets the scenario's task_tokens.reference")
    p.add_argument("--tokens-per-task", action="append", default=[], metavar="MODEL=TOKENS",
                   help="your own output tokens per task for one model (offer id or HF id); repeatable; "
                        "needs --per-task or a scenario with task_tokens")
    p.add_argument("--same-tokens", action="store_true",
                   help="ignore the scenario's task_tokens: every model gets the workload's tokens")
    p.set_defaults(func=run)


def _today(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of: {text!r} is not a date as YYYY-MM-DD") from None


def with_task_tokens(scenario: Scenario, reference: str | None, own: list[str], same_tokens: bool) -> Scenario:
    """The scenario with the cost-per-task flags applied (--per-task, --tokens-per-task, --same-tokens)."""
    if same_tokens:
        if reference or own:
            raise InputError("--same-tokens cannot be combined with --per-task or --tokens-per-task")
        return scenario.model_copy(update={"task_tokens": None})
    figures: dict[str, float] = {}
    for item in own:
        key, sep, num = item.rpartition("=")
        try:
            val = float(num)
        except ValueError:
            val = float("nan")
        if not sep or not key or not math.isfinite(val) or not 0 < val <= 10_000_000:
            raise InputError(f"--tokens-per-task: {item!r} must be MODEL=TOKENS with TOKENS between 1 and 10000000")
        figures[key] = val
    current = scenario.task_tokens
    if reference is None and current is None:
        if figures:
            raise InputError("--tokens-per-task needs --per-task REFERENCE (or a scenario with task_tokens)")
        return scenario
    ref = reference or (current.reference if current else "")
    merged = {**(current.own_tokens_per_task if current else {}), **figures}
    return scenario.model_copy(update={"task_tokens": TaskTokens(reference=ref, own_tokens_per_task=merged)})


def table(r: Report) -> str:
    """Plain text for a terminal: the winner, the cheapest routes, break-even, what changes the answer."""
    lines = [r.scenario.name, "=" * len(r.scenario.name), ""]
    if r.task_tokens_line:
        lines += [r.task_tokens_line, ""]
    for w, g in r.results.groupby("workload", sort=False):
        lines.append(r.winners.get(str(w), ""))
        g = g.sort_values("monthly_usd", na_position="last").head(TABLE_ROWS)
        width = min(max(len(str(x)) for x in g["label"]), 70)
        for x in rows(g):
            per = f"${x.usd_per_mtok:,.3f}/Mtok" if math.isfinite(x.usd_per_mtok) else ""
            task = f"  x{x.task_tokens_multiplier:.2f} tokens/task" if hasattr(x, "task_tokens_multiplier") else ""
            lines.append(f"  {str(x.label)[:width]:<{width}}  {money(x.monthly_usd):>9}  {per:>16}{task}")
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
    scenario = with_task_tokens(load_scenario(path), args.per_task, args.tokens_per_task, args.same_tokens)
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
