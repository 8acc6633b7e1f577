"""How old a price is, as days and a badge (fresh / aging / stale) the CLI and the app can show."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pricing import clock

Badge = Literal["fresh", "aging", "stale"]
FRESH_DAYS = 30
AGING_DAYS = 90


def price_age(as_of: dt.date, today: dt.date | None = None) -> tuple[int, Badge]:
    """Days since `as_of` and its badge: fresh (<= 30 days), aging (<= 90), stale (> 90)."""
    days = ((today or clock.today()) - as_of).days
    if days <= FRESH_DAYS:
        return days, "fresh"
    if days <= AGING_DAYS:
        return days, "aging"
    return days, "stale"
