"""A workload's traffic over the week and the share of it inside an offer's off-peak hours.

The shape is `Workload.week_shape()`: 7 x 24 hourly loads (UTC, Monday first) from the hourly
profile (weekdays, or every day) and the weekend profile; flat when neither is given. The
off-peak share of an offer is the load inside its windows, counted to the minute (a window
10:00-10:30 holds half of hour 10's load). A workload that states `off_peak_fraction` keeps it.
The same shape gives the self-hosted peak hour (`Workload.effective_peak_to_average`), so the API
and self-hosted sides see one traffic profile.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pricing.schema import ApiOffer, OffPeak, Workload

F = npt.NDArray[np.float64]
ALL_DAYS = (1, 2, 3, 4, 5, 6, 7)


def _minutes(span: str) -> npt.NDArray[np.bool_]:
    """1440 booleans: the minutes of a day inside "HH:MM-HH:MM" (end exclusive; 00:00-00:00 = all day)."""
    a, b = span.split("-")
    start = int(a[:2]) * 60 + int(a[3:])
    end = int(b[:2]) * 60 + int(b[3:])
    day = np.zeros(1440, dtype=bool)
    if start == end:
        day[:] = True
    elif start < end:
        day[start:end] = True
    else:
        day[start:] = True
        day[:end] = True
    return day


def window_mask(op: OffPeak) -> F:
    """7 x 24 fractions of each hour inside the off-peak windows (1 = the whole hour)."""
    minutes = np.zeros((7, 1440), dtype=bool)
    windows = op.windows or ()
    if not windows:
        span = _minutes(f"{op.start_utc}-{op.end_utc}")
        minutes[:, :] = span
    for w in windows:
        day = np.zeros(1440, dtype=bool)
        for h in w.hours_utc:
            day |= _minutes(h)
        for d in w.weekdays:
            minutes[d - 1] |= day
    out: F = minutes.reshape(7, 24, 60).mean(axis=2)
    return out


def off_peak_share_of_shape(w: Workload, op: OffPeak) -> float:
    """Share of the workload's weekly traffic inside the off-peak windows."""
    shape = np.asarray(w.week_shape(), dtype=float)
    return float((shape * window_mask(op)).sum())


def off_peak_share(w: Workload, offer: ApiOffer) -> float:
    """The off-peak share billed for a workload on an offer: stated, else from the traffic shape; 0 without windows."""
    if offer.off_peak is None:
        return 0.0
    if w.off_peak_fraction is not None:
        return w.off_peak_fraction
    return off_peak_share_of_shape(w, offer.off_peak)
