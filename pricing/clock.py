"""The one place that reads today's date, so reports, ages and plans are reproducible.

Everything dated (price ages, staleness badges, plan months, retirement warnings) takes an
explicit `as_of`/`today` argument and falls back to `today()` only at the edge (CLI, app).
`PRICING_TODAY=YYYY-MM-DD` moves "today" for the whole process: CI runs the suite once far in
the future with it, so a test that silently depends on the wall clock fails the same day.
"""

from __future__ import annotations

import datetime as dt
import os

from pricing.errors import PricingError

ENV_VAR = "PRICING_TODAY"


def today() -> dt.date:
    """Today's date, or the date in $PRICING_TODAY when it is set."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise PricingError(f"{ENV_VAR}={raw!r} is not a date; use YYYY-MM-DD") from None


def resolve(as_of: dt.date | None) -> dt.date:
    """`as_of` when given, else today()."""
    return as_of if as_of is not None else today()
