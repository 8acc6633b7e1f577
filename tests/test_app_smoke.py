"""Every dashboard page, found by listing app/views/, runs without an exception."""

from __future__ import annotations

import re

import pytest

from tests.app_helpers import MAIN, new_app, no_exceptions, page_files

PAGES = page_files()


def test_every_view_is_registered_in_navigation() -> None:
    registered = set(re.findall(r'st\.Page\("views/([a-z_]+)\.py"', MAIN.read_text()))
    assert registered == {p.stem for p in PAGES}
    assert not (MAIN.parent / "pages").exists(), "a pages/ folder would add a second, legacy navigation"


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_runs(page) -> None:
    at = new_app()
    at.run()
    no_exceptions(at)
    at.switch_page(f"views/{page.name}")
    at.run()
    no_exceptions(at)
    assert at.title, f"{page.name} shows no title"
    assert not at.error, [e.value for e in at.error]
