"""Shared fixtures: paths, the bundled catalog, and a throwaway copy of data/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def catalog():
    """The bundled catalog, loaded once for the test session."""
    from pricing.catalog import load_catalog

    return load_catalog(DATA)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ for tests that corrupt or refresh it."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst
