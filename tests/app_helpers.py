"""Shared helpers of the app tests: a fresh AppTest of the dashboard and readers of its output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "app" / "main.py"
VIEWS = ROOT / "app" / "views"
TIMEOUT = 120


def new_app() -> AppTest:
    """An AppTest of app/main.py (not yet run)."""
    return AppTest.from_file(str(MAIN), default_timeout=TIMEOUT)


def page_files() -> list[Path]:
    """Every page module under app/views/."""
    return sorted(p for p in VIEWS.glob("*.py") if p.name != "__init__.py")


def ranked(at: AppTest) -> pd.DataFrame:
    """The ranked-routes table of the Compare page (the first dataframe on it), every column, with the
    grid's stand-ins for a blank cell (+-inf, drawn empty) read back as missing."""
    import numpy as np

    df = at.dataframe[0].value.copy()
    num = df.select_dtypes("number").columns
    df[num] = df[num].replace([np.inf, -np.inf], np.nan)
    return df


def winner(at: AppTest) -> str:
    """The winner sentence (the page's success box)."""
    return str(at.success[0].value)


def no_exceptions(at: AppTest) -> None:
    """Fail with the page's exception text if any."""
    assert not at.exception, [e.value for e in at.exception]
