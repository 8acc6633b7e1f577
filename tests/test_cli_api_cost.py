"""`pricing api-cost`: text and JSON output, breakdown, and failures with exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pricing.cli import main

ROOT = Path(__file__).resolve().parent.parent
BASE = ["api-cost", "--offer", "openai/gpt-4o", "--requests", "1000000", "--input-tokens", "1200",
        "--output-tokens", "300"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_json_keys_and_numbers(capsys):
    """--json gives monthly_usd, usd_per_mtok, the breakdown, source and as_of; numbers add up."""
    rc, out, _ = run(capsys, *BASE, "--cached-fraction", "0.5", "--json")
    assert rc == 0
    doc = json.loads(out)
    for key in ("monthly_usd", "usd_per_mtok", "usd_input", "usd_cached_input", "usd_cache_write", "usd_output",
                "usd_reasoning", "usd_request_fees", "source", "as_of", "warnings", "tier_applied"):
        assert key in doc
    # gpt-4o: 2.50 input, 1.25 cached, 10.00 output per 1M (LiteLLM snapshot)
    assert doc["usd_input"] == pytest.approx(1e6 * 600 * 2.5 / 1e6)
    assert doc["usd_cached_input"] == pytest.approx(1e6 * 600 * 1.25 / 1e6)
    assert doc["usd_output"] == pytest.approx(1e6 * 300 * 10 / 1e6)
    assert doc["monthly_usd"] == pytest.approx(sum(doc[k] for k in doc if k.startswith("usd_") and k not in
                                                   ("usd_per_mtok", "usd_per_request")))
    assert doc["usd_per_mtok"] == pytest.approx(doc["monthly_usd"] / 1500)
    assert doc["as_of"] == "2026-11-20" and doc["source"].startswith("https://")


def test_all_flags(capsys):
    """Reasoning, batch, off-peak and cache-write flags reach the engine."""
    rc, out, _ = run(capsys, "api-cost", "--offer", "deepseek/deepseek-v4-flash", "--requests", "10",
                     "--input-tokens", "1000", "--output-tokens", "100", "--reasoning-tokens", "400",
                     "--cache-write-fraction", "0.1", "--batch-fraction", "0.5", "--off-peak-fraction", "1", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert doc["usd_reasoning"] > 0 and doc["usd_cache_write"] > 0
    assert doc["off_peak_share"] == 1.0  # no batch API at DeepSeek: all requests may go off-peak
    assert doc["batch_share"] == 0.0
    assert any("no batch API" in w for w in doc["warnings"])


def test_text_output(capsys):
    """Without --json a readable bill with the source and date."""
    rc, out, _ = run(capsys, *BASE)
    assert rc == 0
    assert "openai/gpt-4o: $" in out and "per month" in out and "as of 2026-11-20" in out


def test_tier_reported(capsys):
    """A prompt past a tier threshold says so."""
    rc, out, _ = run(capsys, "api-cost", "--offer", "google/gemini-2.5-pro", "--requests", "1",
                     "--input-tokens", "200001", "--output-tokens", "10", "--json")
    assert rc == 0 and json.loads(out)["tier_applied"] is True


def test_unknown_offer_exit_2_with_suggestions(capsys):
    """An unknown offer id exits 2 and suggests close matches."""
    rc, _, err = run(capsys, "api-cost", "--offer", "openai/gpt4o", "--requests", "1", "--input-tokens", "1",
                     "--output-tokens", "1")
    assert rc == 2
    assert "unknown API offer id 'openai/gpt4o'" in err and "openai/gpt-4o" in err


@pytest.mark.parametrize("flag,value,expected_error", [
    ("--input-tokens", "-5", "--input-tokens"),
    ("--cached-fraction", "1.5", "--cached-fraction"),
    ("--requests", "-1", "--requests"),
])
def test_bad_values_exit_2(capsys, flag, value, expected_error):
    """Bad numbers exit 2 with a message naming the flag."""
    argv = [*BASE]
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]
    rc, _, err = run(capsys, *argv)
    assert rc == 2
    assert expected_error in err


def test_missing_required_flag_is_usage_error(capsys):
    """argparse refuses a missing --offer with exit 2."""
    with pytest.raises(SystemExit) as e:
        main(["api-cost", "--requests", "1", "--input-tokens", "1", "--output-tokens", "1"])
    assert e.value.code == 2


def test_console_entry_point():
    """`python -m pricing api-cost ... --json` works as a subprocess."""
    proc = subprocess.run([sys.executable, "-m", "pricing", *BASE, "--json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["monthly_usd"] > 0
