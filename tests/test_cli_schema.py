"""`pricing schema --json`: the scenario's JSON Schema validates the example scenarios and rejects typos."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from pricing.cli import main
from pricing.schema import Scenario, Workload

ROOT = Path(__file__).resolve().parent.parent


def _schema(capsys) -> dict:
    assert main(["schema", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_schema_lists_every_scenario_and_workload_field(capsys) -> None:
    doc = _schema(capsys)
    assert doc["$schema"].endswith("2020-12/schema")
    assert set(doc["properties"]) == set(Scenario.model_fields)
    assert set(doc["$defs"]["Workload"]["properties"]) == set(Workload.model_fields)
    assert doc["$defs"]["Workload"]["additionalProperties"] is False
    assert doc["$defs"]["Workload"]["properties"]["cached_input_fraction"]["maximum"] == 1


def test_every_example_scenario_passes_and_a_typo_fails(capsys) -> None:
    jsonschema = __import__("pytest").importorskip("jsonschema")
    doc = _schema(capsys)
    for path in sorted((ROOT / "data" / "scenarios").glob("*.yaml")):
        data = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        jsonschema.validate(data, doc)
    bad = {"name": "x", "workloads": [{"name": "a", "requests_per_mnth": 1, "input_tokens": 1, "output_tokens": 1}]}
    errors = list(jsonschema.Draft202012Validator(doc).iter_errors(bad))
    assert errors
