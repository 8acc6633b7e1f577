"""`pricing throughput` and `pricing selfhost-cost`: JSON keys, text, and bad input with exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pricing.cli import main

ROOT = Path(__file__).resolve().parent.parent
TP = ["throughput", "--model", "deepseek-ai/DeepSeek-R1", "--gpu", "h200", "--gpus", "8", "--precision", "fp8",
      "--input-tokens", "1000", "--output-tokens", "1000"]
SH = ["selfhost-cost", "--model", "deepseek-ai/DeepSeek-R1", "--gpu", "h200", "--precision", "fp8",
      "--requests", "3000000", "--input-tokens", "1200", "--output-tokens", "300"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def swap(argv: list[str], flag: str, value: str) -> list[str]:
    out = list(argv)
    out[out.index(flag) + 1] = value
    return out


# --------------------------------------------------------------------------- throughput


def test_throughput_json_keys(capsys):
    rc, out, _ = run(capsys, *TP, "--max-tpot-ms", "50", "--json")
    assert rc == 0
    doc = json.loads(out)
    for k in ("fits", "output_tokens_per_s", "gpus", "batch", "memory_gb_per_gpu", "ttft_ms", "tpot_ms",
              "requests_per_s", "per_user_tokens_per_s", "bound", "params"):
        assert k in doc
    assert doc["fits"] is True and doc["gpus"] == 8 and doc["batch"] >= 1
    assert doc["tpot_ms"] <= 50 + 1e-6
    assert doc["memory_gb_per_gpu"]["weights"] == pytest.approx(671 / 8)


def test_throughput_text(capsys):
    rc, out, _ = run(capsys, *TP)
    assert rc == 0
    assert "fits: yes" in out and "output tokens/s" in out


def test_throughput_does_not_fit_is_not_an_error(capsys):
    rc, out, _ = run(capsys, *swap(TP, "--gpu", "h100-sxm"), "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["fits"] is False and doc["output_tokens_per_s"] == 0
    assert "16 GPUs" in doc["notes"][0]


def test_fp8_on_a100_is_an_explicit_fallback(capsys):
    argv = swap(swap(TP, "--gpu", "a100-80gb"), "--model", "meta-llama/Llama-3.1-70B-Instruct")
    rc, out, _ = run(capsys, *argv, "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["compute_precision"] == "bf16"
    assert any("no fp8 tensor cores" in n for n in doc["notes"])


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--model", "deepseek-ai/DeepSeek-R2", "did you mean: deepseek-ai/DeepSeek-R1"),
        ("--gpu", "h100", "did you mean"),
        ("--gpus", "0", "--gpus must be a positive"),
        ("--gpus", "-4", "--gpus must be a positive"),
        ("--output-tokens", "0", "--output-tokens must be positive"),
        ("--input-tokens", "-5", "--input-tokens must be positive"),
    ],
)
def test_throughput_bad_input_exits_2(capsys, flag, value, message):
    rc, out, err = run(capsys, *swap(TP, flag, value))
    assert rc == 2
    assert message in err and out == ""


def test_throughput_bad_precision_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        main(swap(TP, "--precision", "fp3"))
    assert e.value.code == 2


# --------------------------------------------------------------------------- selfhost-cost


def test_selfhost_json(capsys):
    rc, out, _ = run(capsys, *SH, "--peak-to-average", "3", "--max-tpot-ms", "50", "--json")
    assert rc == 0
    doc = json.loads(out)
    for k in ("monthly_usd", "usd_per_mtok", "gpus", "replicas", "utilization", "breakdown", "warnings",
              "route_id", "price_source", "price_as_of", "ttft_ms", "tpot_ms"):
        assert k in doc
    assert doc["monthly_usd"] == pytest.approx(sum(doc["breakdown"].values()))
    assert doc["usd_per_mtok"] == pytest.approx(doc["monthly_usd"] / 4500)
    assert doc["gpus"] == doc["replicas"] * doc["gpus_per_replica"]


def test_selfhost_owned_and_overrides(capsys):
    rc, out, _ = run(capsys, *SH, "--hosting", "owned", "--gpu-purchase-usd", "30000", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["ownership"] == "owned" and doc["breakdown"]["usd_capex"] > 0
    rc, out, _ = run(capsys, *SH, "--hosting", "owned", "--amortization-years", "6", "--json")
    assert json.loads(out)["breakdown"]["usd_capex"] < doc["breakdown"]["usd_capex"]
    rc, out, _ = run(capsys, *SH, "--gpu-usd-per-hour", "3", "--json")
    doc = json.loads(out)
    assert doc["breakdown"]["usd_gpu_rent"] == pytest.approx(doc["gpus"] * 3 * 730)


def test_selfhost_text(capsys):
    rc, out, _ = run(capsys, *SH, "--hosting", "aws/p5en.48xlarge", "--n-plus-one")
    assert rc == 0
    assert "per month" in out and "unit(s)" in out and "layout tp" in out


def test_selfhost_does_not_fit(capsys):
    rc, out, _ = run(capsys, *swap(SH, "--gpu", "h100-sxm"), "--gpus", "8", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["monthly_usd"] is None and doc["fits"] is False
    assert doc["warnings"][0].startswith("does not fit")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--gpus", "0"], "--gpus must be a positive"),
        (["--gpus", "-1"], "--gpus must be a positive"),
        (["--hosting", "aws/p5.48xlarge"], "rents h100-sxm, not h200"),
        (["--hosting", "aws/p5en.48xlarg"], "did you mean"),
        (["--batch-fraction", "1.5"], "--batch-fraction"),
        (["--peak-to-average", "0.5"], "--peak-to-average"),
        (["--headroom", "0.95"], "--headroom"),
        (["--amortization-years", "0"], "--amortization-years"),
        (["--usd-per-kwh", "-1"], "--usd-per-kwh"),
    ],
)
def test_selfhost_bad_input_exits_2(capsys, extra, message):
    rc, out, err = run(capsys, *SH, *extra)
    assert rc == 2
    assert message in err and out == ""


def test_selfhost_negative_requests(capsys):
    rc, _, err = run(capsys, *swap(SH, "--requests", "-3"))
    assert rc == 2 and "--requests" in err


def test_console_script_runs():
    proc = subprocess.run([sys.executable, "-m", "pricing", *TP, "--json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["fits"] is True
