"""`pricing refresh --source skypilot-lambda` against a real local HTTP server: diff, guards, atomic write."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pricing.catalog import parse_model, read_yaml
from pricing.cli import main
from pricing.schema import HostingFile
from tests.conftest import ROOT
from tests.test_refresh_http import FIX, FeedServer, Reply, server  # noqa: F401  (fixture)

CSV = (FIX / "skypilot_lambda_vms.csv").read_bytes()
OUT = "gpu_prices_skypilot_lambda.csv"


@pytest.fixture
def gdata(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sources", d / "sources")
    for name in ("gpus.yaml", "hosting.yaml"):
        shutil.copy(ROOT / "data" / name, d / name)
    return d


def _run(url: str, d: Path, *extra: str) -> int:
    return main(["refresh", "--source", "skypilot-lambda", "--url", url, "--data-dir", str(d),
                 "--retries", "0", "--timeout", "2", *extra])


def test_good_catalog_writes_source_rows_and_hosting(server: FeedServer, gdata: Path,  # noqa: F811
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRICING_TODAY", "2026-11-30")
    url = server.serve("/vms.csv", Reply(body=CSV, headers={"Content-Type": "text/csv"}))
    assert _run(url, gdata) == 0
    out = capsys.readouterr().out
    assert "4 new" in out and "wrote:" in out
    text = (gdata / "sources" / OUT).read_text()
    assert "gpu_1x_a6000" not in text and "cpu_4x" not in text  # unmapped and CPU instances left out
    hosting = parse_model(HostingFile, read_yaml(gdata / "hosting.yaml"), "hosting.yaml")
    by_id = {c.id: c for c in hosting.cloud}
    h8 = by_id["lambda/gpu-8x-h100-sxm5"]
    assert (h8.usd_per_hour_on_demand, h8.gpu_count, h8.min_gpus, h8.as_of.isoformat()) == (23.92, 8, 8, "2026-11-30")
    assert h8.source == url and "lowest of 2 regional prices" in (h8.notes or "")
    assert by_id["lambda/gpu-1x-h100-pcie"].gpu == "h100-pcie" and by_id["lambda/gpu-1x-h100-pcie"].single_gpu_rentable
    # the rerun the same day changes nothing
    assert _run(url, gdata) == 0
    assert "nothing to write" in capsys.readouterr().out


def test_dry_run_and_large_move_guard(server: FeedServer, gdata: Path,  # noqa: F811
                                      capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRICING_TODAY", "2026-11-30")
    url = server.serve("/vms.csv", Reply(body=CSV))
    before = (gdata / "hosting.yaml").read_text()
    assert _run(url, gdata, "--dry-run") == 0
    assert "dry run: nothing written" in capsys.readouterr().out
    assert not (gdata / "sources" / OUT).exists() and (gdata / "hosting.yaml").read_text() == before
    assert _run(url, gdata) == 0
    capsys.readouterr()
    written = (gdata / "sources" / OUT).read_text()
    absurd = CSV.replace(b",3.29,", b",329.0,")
    url2 = server.serve("/absurd.csv", Reply(body=absurd))
    assert _run(url2, gdata) == 1
    out = capsys.readouterr().out
    assert "moves more than 10x" in out and (gdata / "sources" / OUT).read_text() == written
    assert _run(url2, gdata, "--allow-large-changes", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["written"] and any("gpu_1x_h100_sxm5" in c for c in doc["changes"])


def test_missing_rows_guard_and_bad_feeds(server: FeedServer, gdata: Path,  # noqa: F811
                                          capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRICING_TODAY", "2026-11-30")
    assert _run(server.serve("/vms.csv", Reply(body=CSV)), gdata) == 0
    only_one = b"\n".join(CSV.splitlines()[:3]) + b"\n"
    assert _run(server.serve("/few.csv", Reply(body=only_one)), gdata) == 1
    assert "missing from the feed" in capsys.readouterr().out
    assert _run(server.serve("/html", Reply(body=b"<html>not a catalog</html>")), gdata) == 1
    assert "not a SkyPilot vms.csv" in capsys.readouterr().err
    assert _run(server.serve("/gone", Reply(status=404, body=b"no")), gdata) == 1
    assert "HTTP 404" in capsys.readouterr().err
