"""The loader refuses bad data with messages naming file, entry and field, and loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pricing.catalog import build_catalog, load_catalog, parse_yaml_text
from pricing.errors import DataError, UnknownIdError


def _first_provider(data: Path) -> Path:
    return sorted((data / "api").glob("*.yaml"))[0]


def _edit(path: Path, fn) -> None:
    doc = yaml.safe_load(path.read_text())
    fn(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


@pytest.mark.parametrize(
    "mutate,expected_field,expected_error",
    [
        (lambda d: d["offers"][0].update(usd_per_mtok_input=-1), "usd_per_mtok_input", "must be at least 0"),
        (lambda d: d["offers"][0].update(usd_per_mtok_output=5000), "usd_per_mtok_output", "must be at most 1000"),
        (lambda d: d["offers"][0].update(usd_per_mtok_inptu=1), "usd_per_mtok_inptu", "not a known field"),
        (lambda d: d["offers"][0].pop("source"), "source", "required but missing"),
        (lambda d: d["offers"][0].update(as_of="2026-13-45"), "as_of", "date"),
        (lambda d: d["offers"][0].update(as_of="2099-01-01"), "as_of", "future"),
    ],
)
def test_bad_offer_is_named(data_copy: Path, mutate, expected_field: str, expected_error: str) -> None:
    path = _first_provider(data_copy)
    model = yaml.safe_load(path.read_text())["offers"][0]["model"]
    _edit(path, mutate)
    cat, issues = build_catalog(data_copy)
    assert cat is None
    msgs = [str(i) for i in issues if i.severity == "error"]
    hit = [m for m in msgs if path.name in m and model in m and expected_field in m]
    assert hit, msgs
    assert expected_error.lower() in hit[0].lower()


def test_malformed_yaml_names_file_and_line(data_copy: Path) -> None:
    path = data_copy / "gpus.yaml"
    path.write_text("gpus:\n  - id: h100\n    memory_gb: [80\n")
    with pytest.raises(DataError) as e:
        load_catalog(data_copy)
    assert "gpus.yaml" in str(e.value) and "line" in str(e.value) and "malformed YAML" in str(e.value)


def test_unknown_gpu_in_hosting_is_an_error(data_copy: Path) -> None:
    _edit(data_copy / "hosting.yaml", lambda d: d["cloud"][0].update(gpu="h900"))
    cat, issues = build_catalog(data_copy)
    assert cat is None
    assert any("hosting.yaml" in str(i) and "gpu" in str(i) and "h900" in str(i) for i in issues)


def test_duplicate_offer_is_an_error(data_copy: Path) -> None:
    path = _first_provider(data_copy)
    _edit(path, lambda d: d["offers"].append(dict(d["offers"][0])))
    cat, issues = build_catalog(data_copy)
    assert cat is None and any("duplicate" in str(i) for i in issues)


def test_oversized_file_is_refused(data_copy: Path) -> None:
    path = data_copy / "models.yaml"
    path.write_text("# " + "x" * 6_000_000)
    with pytest.raises(DataError, match="limit"):
        load_catalog(data_copy)


def test_every_problem_is_reported_not_just_the_first(data_copy: Path) -> None:
    files = sorted((data_copy / "api").glob("*.yaml"))[:2]
    for f in files:
        _edit(f, lambda d: d["offers"][0].update(usd_per_mtok_input=-3))
    _, issues = build_catalog(data_copy)
    named = {f.name for f in files if any(f.name in str(i) for i in issues)}
    assert named == {f.name for f in files}


def test_yaml_is_parsed_safely() -> None:
    with pytest.raises(DataError):
        parse_yaml_text("!!python/object/apply:os.system ['echo hi']", "evil.yaml")


def test_unknown_id_suggests_close_matches(catalog) -> None:
    some = "openai/gpt-4o" if "openai/gpt-4o" in catalog.offers else next(iter(catalog.offers))
    typo = some[:-2] + some[-1] + some[-2] + "z"  # swap the last two characters and add one
    assert typo not in catalog.offers
    with pytest.raises(UnknownIdError) as e:
        catalog.offer(typo)
    assert some in e.value.suggestions


def test_catalog_is_immutable(catalog) -> None:
    with pytest.raises(TypeError):
        catalog.offers["x/y"] = None  # type: ignore[index]
