"""`pricing schema`: the JSON Schema of a scenario file, for editors (YAML language servers)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pricing.cli import EXIT_OK
from pricing.schema import Scenario


def scenario_schema() -> dict[str, Any]:
    """The scenario's JSON Schema (draft 2020-12), every field with its description and bounds."""
    doc: dict[str, Any] = Scenario.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "LLM cost scenario",
            **{k: v for k, v in doc.items() if k != "title"}}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verb."""
    p = sub.add_parser("schema", help="print the JSON Schema of scenario files (for editors)")
    p.add_argument("--json", action="store_true", help="JSON output (the only format; accepted for symmetry)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the schema as JSON."""
    print(json.dumps(scenario_schema(), indent=2, sort_keys=False))
    return EXIT_OK
