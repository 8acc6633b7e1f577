"""`pricing validate` and `pricing catalog`: exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pricing.cli import main


def test_validate_bundled_data_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("ok:")


def test_validate_reports_file_entry_field(data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sorted((data_copy / "api").glob("*.yaml"))[0]
    doc = yaml.safe_load(path.read_text())
    doc["offers"][1]["usd_per_mtok_output"] = -2
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    assert main(["validate", "--data-dir", str(data_copy)]) == 1
    out = capsys.readouterr().out
    assert path.name in out and doc["offers"][1]["model"] in out and "usd_per_mtok_output" in out


def test_validate_missing_dir(tmp_path: Path) -> None:
    assert main(["validate", "--data-dir", str(tmp_path / "nope")]) == 1


def test_validate_max_age_strict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--max-age-days", "0", "--strict", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["stale"] and not out["ok"]


@pytest.mark.parametrize("kind,key", [("api", "usd_per_mtok_input"), ("models", "params_b_total"),
                                      ("gpus", "mem_bandwidth_tbs"), ("hosting", "gpu")])
def test_catalog_json(kind: str, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--kind", kind, "--json"]) == 0
    recs = json.loads(capsys.readouterr().out)
    assert recs and any(key in r for r in recs)
    if kind == "api":
        r = recs[0]
        for k in ("id", "provider", "model", "open_model", "usd_per_mtok_cached_input",
                  "usd_per_mtok_output", "context_tokens", "source", "as_of"):
            assert k in r


def test_catalog_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--kind", "gpus"]) == 0
    assert "h100-sxm" in capsys.readouterr().out


def test_unknown_verb_exits_2() -> None:
    with pytest.raises(SystemExit) as e:
        main(["frobnicate"])
    assert e.value.code == 2
