"""Dashboard rerun time with the full catalog: warm (inputs seen before) and new inputs (cache miss).

Prints server-side script time (the app records it in session state as `_run_seconds`).
Target: warm median well under 0.5 s.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.app_helpers import new_app, no_exceptions

RUNS = 10


def main() -> None:
    """Run the Compare page in AppTest, change the volume back and forth, print timings."""
    at = new_app()
    at.run()
    no_exceptions(at)
    volumes = [3_100_000.0, 3_200_000.0]
    for v in volumes:
        at.number_input(key="w0_req").set_value(v)
        at.run()
    warm = []
    for i in range(RUNS):
        at.number_input(key="w0_req").set_value(volumes[i % 2])
        at.run()
        no_exceptions(at)
        warm.append(float(at.session_state["_run_seconds"]))
    cold = []
    for i in range(5):
        at.number_input(key="w0_req").set_value(4_000_000.0 + i)
        at.run()
        cold.append(float(at.session_state["_run_seconds"]))
    print(f"warm rerun: median {statistics.median(warm) * 1000:.0f} ms, max {max(warm) * 1000:.0f} ms "
          f"over {RUNS} runs (target < 500 ms)")
    print(f"new inputs (cache miss): median {statistics.median(cold) * 1000:.0f} ms, "
          f"max {max(cold) * 1000:.0f} ms over {len(cold)} runs")


if __name__ == "__main__":
    main()
