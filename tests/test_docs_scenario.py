"""docs/scenario.md documents every scenario field, and its example is a valid scenario."""

from __future__ import annotations

import re

from pricing.compare import check_scenario_ids, load_scenario
from pricing.schema import Overrides, Scenario, SelfHostSpec, TaskTokens, Workload
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "scenario.md").read_text()


def test_every_field_is_documented() -> None:
    for model in (Scenario, Workload, SelfHostSpec, Overrides, TaskTokens):
        for name in model.model_fields:
            assert f"| `{name}` |" in DOC, f"{model.__name__}.{name} is not documented in docs/scenario.md"


def test_the_example_is_a_valid_scenario(catalog) -> None:
    block = re.search(r"```yaml\n(.*?)```", DOC, re.S)
    assert block
    scn = load_scenario(block.group(1), "docs/scenario.md")
    check_scenario_ids(scn, catalog)
    assert scn.workloads[0].cached_input_fraction == 0.6 and len(scn.options) == 4
