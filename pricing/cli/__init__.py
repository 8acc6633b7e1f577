"""The `pricing` command: one sub-module per verb, each with `register(subparsers)`."""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import os
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
        sys.stdout.flush()  # a full disk or closed pipe shows here, not as a traceback at exit
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
    except OSError as e:
        if e.filename is not None or e.errno not in _STDOUT_ERRNOS:
            raise
        _silence_stdout()
        what = "closed before the output was complete" if e.errno == errno.EPIPE else (e.strerror or str(e))
        print(f"error: could not write to standard output: {what}", file=sys.stderr)
        return EXIT_INVALID


# errno values of a failed write to standard output (closed pipe, full disk, I/O error, file too big)
_STDOUT_ERRNOS = frozenset(
    getattr(errno, n) for n in ("EPIPE", "ENOSPC", "EIO", "EFBIG", "EDQUOT") if hasattr(errno, n)
)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again (Python docs, SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
