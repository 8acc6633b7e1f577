"""The `pricing` command: one sub-module per verb, each with `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from typing import Any

from pricing.errors import DataError, InputError, PricingError, UnknownIdError

# Verb modules under pricing/cli/; each defines register(subparsers) and sets `func` on its parser.
VERB_MODULES = (
    "validate", "catalog", "api_cost", "throughput", "selfhost", "compare", "refresh", "dashboard", "schema",
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree with every verb whose module is present."""
    parser = argparse.ArgumentParser(
        prog="pricing",
        description="Open weights vs paid API: what LLM workloads cost on APIs and self-hosted GPUs.",
    )
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    sub.required = True
    for name in VERB_MODULES:
        try:
            mod = importlib.import_module(f"pricing.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"pricing.cli.{name}":
                continue
            raise
        mod.register(sub)
    return parser


def emit(obj: Any, as_json: bool, text: str | None = None) -> None:
    """Print JSON (machines) or text (people)."""
    if as_json:
        print(json.dumps(obj, indent=2, default=str, allow_nan=False))
    elif text is not None:
        print(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        rc = args.func(args)
        return int(rc or 0)
    except UnknownIdError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except DataError as e:
        print("error: invalid data:", file=sys.stderr)
        for issue in e.issues:
            print(f"  {issue}", file=sys.stderr)
        return EXIT_INVALID
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except PricingError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        return EXIT_OK
