"""Regenerate the golden CSV and JSON reports of every example scenario: `make golden`.

Run it after a deliberate change to data/ or to the cost model, then review the diff of
tests/golden/ before committing: every changed number should have a reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "data" / "scenarios"
GOLDEN = Path(__file__).resolve().parent / "golden"
TODAY = dt.date(2026, 11, 29)  # fixed report date: price ages do not drift
SEED = 20_260_101
SAMPLES = 10_000


def render(path: Path) -> tuple[str, str]:
    """(CSV, JSON) of one scenario file, deterministic (fixed today and seed)."""
    from pricing.catalog import load_catalog
    from pricing.compare import load_scenario
    from pricing.report import build_report, results_table, to_csv, to_json

    r = build_report(load_scenario(path, name=path.name), load_catalog(ROOT / "data"), today=TODAY,
                     seed=SEED, samples=SAMPLES)
    return to_csv(results_table(r.scenario, r.results)), to_json(r)


def main() -> None:
    """Write tests/golden/<scenario>.csv and .json for every data/scenarios/*.yaml."""
    GOLDEN.mkdir(exist_ok=True)
    for path in sorted(SCENARIOS.glob("*.yaml")):
        csv_text, json_text = render(path)
        (GOLDEN / f"{path.stem}.csv").write_text(csv_text, encoding="utf-8")
        (GOLDEN / f"{path.stem}.json").write_text(json_text, encoding="utf-8")
        print(f"wrote tests/golden/{path.stem}.csv and .json")


if __name__ == "__main__":
    main()
