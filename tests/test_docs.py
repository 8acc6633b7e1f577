"""The README stays honest: its two commands exist, and every CLI verb is documented."""

from __future__ import annotations

import re

from pricing.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_readme_starts_with_what_the_tool_is_a_screenshot_then_the_two_commands() -> None:
    lines = README.splitlines()
    assert lines[0].startswith("# "), "README opens with its title"
    shot = next(i for i, line in enumerate(lines) if line.startswith("!["))
    dash = next(i for i, line in enumerate(lines) if "make dashboard" in line)
    test = next(i for i, line in enumerate(lines) if "make test" in line)
    assert 0 < shot < dash <= 15 and test <= 15
    assert (ROOT / re.search(r"\]\(([^)]+)\)", lines[shot]).group(1)).exists()


def test_makefile_has_the_verbs_the_readme_names() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for verb in set(re.findall(r"`make (\w+)`", README)):
        assert re.search(rf"^{verb}:", makefile, re.M), f"README names `make {verb}` but the Makefile lacks it"


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_cli_verb_is_documented() -> None:
    parser = build_parser()
    verbs = next(a for a in parser._actions if a.dest == "verb").choices
    assert verbs
    for verb in verbs:
        assert f"pricing {verb}" in README, f"`pricing {verb}` is not in README.md"
