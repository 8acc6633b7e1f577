"""What a stranger sees at 1440 px: tables whose columns fit the page (nothing hidden off to the right,
the route named whole) and widget labels on one line in their column (a wrapped label pushes its input
out of line with its neighbours, a checkbox's is cut with an ellipsis)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app import ui
from tests.app_helpers import new_app, no_exceptions

PAGE_PX = 980  # the main column of a wide page at 1440 px (the sidebar open)
GAP_PX = 16  # between columns
GRID_PX = 978  # inside a table's 1 px borders: wider columns scroll sideways (measured in Chromium)
CHAR_PX = 7.6  # a label character, 14 px Source Sans, measured on the page ("Cost per task: ..." 364 px / 46)
HELP_PX = 22  # the help icon after a label
CELL_CHAR_PX = 6.0  # a grid cell character (13 px), measured: 60 characters in 350 px
CELL_PAD_PX = 16


def _columns(el: Any) -> dict[str, dict[str, Any]]:
    return json.loads(el.proto.columns) if el.proto.columns else {}


def _run(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = new_app()
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page != "compare":
        at.switch_page(f"views/{page}.py").run()
    no_exceptions(at)
    return at


@pytest.fixture(scope="module")
def compare() -> AppTest:
    return _run("compare", {"w0_req": "20000000"})


def test_the_deciding_columns_fit_and_the_route_gets_the_room(compare) -> None:
    table = next(d for d in compare.dataframe if "Route" in d.value.columns and "Kind" in d.value.columns)
    cols = _columns(table)
    widths = {c: cols[c]["width"] for c in ui.DECISIVE}
    assert sum(widths.values()) <= GRID_PX, widths
    assert max(widths, key=lambda c: widths[c]) == "Route"
    # a self-hosted route reads whole: '... rented (market median, on-demand)' was cut at 'on-'
    sh = [r for r in table.value["Route"] if "rented (market median, on-demand)" in r]
    assert sh, "no rented self-hosted route among the defaults"
    need = min(len(r) for r in sh) * CELL_CHAR_PX + CELL_PAD_PX
    assert widths["Route"] >= need, (widths["Route"], need)
    # the kind column is no wider than its longest value needs
    longest_kind = max(len(k) for k in ui.KIND_SHORT.values())
    assert widths["Kind"] <= longest_kind * 6.6 + CELL_PAD_PX + 10


def test_break_even_table_fits_without_scrolling_sideways() -> None:
    at = _run("breakeven", {"w0_req": "20000000"})
    table = next(d for d in at.dataframe if "Route A" in d.value.columns)
    cols = _columns(table)
    shown = [c for c in table.value.columns]
    assert all(isinstance(cols.get(c, {}).get("width"), int) for c in shown), cols
    assert sum(cols[c]["width"] for c in shown) <= GRID_PX
    t = table.value
    crossing = t["Status"] == "crossing"
    assert set(t[crossing]["Cheaper above"]) <= {"Route A", "Route B"} and crossing.any()
    assert set(t[t["Status"].isin(["always", "never"])]["Cheaper above"]) <= {"Route A, always", "Route B, always"}


def _label_px(label: str, has_help: bool) -> float:
    return len(label) * CHAR_PX + (HELP_PX if has_help else 0)


@pytest.mark.parametrize("page", ["compare", "plan", "selfhost", "offers", "catalog", "scenario", "sensitivity"])
def test_widget_labels_fit_their_columns_on_one_line(page: str, compare) -> None:
    at = compare if page == "compare" else _run(page)
    too_long = []
    for col in at.columns:
        px = col.proto.weight * (PAGE_PX + GAP_PX) - GAP_PX
        for child in col.children.values():
            label = getattr(child, "label", None)
            if not label or child.type == "metric":  # a metric's label is small type above a big number
                continue
            need = _label_px(str(label), bool(getattr(child, "help", None)))
            if need > px:
                too_long.append((str(label), round(need), round(px)))
    assert not too_long, too_long


def test_the_quality_floor_input_is_labelled_on_one_line(compare) -> None:
    box = next(x for x in compare.number_input if x.key == "minq")
    assert box.label == "…or minimum quality"


def test_plan_trend_checkbox_names_itself_and_the_figures_stand_below() -> None:
    at = _run("plan")
    box = next(x for x in at.checkbox if x.key == "plan_api_measured")
    assert box.label == "Measured API price trend"
    assert any(c.value.startswith("closed ") and "/yr, open " in c.value for c in at.caption)


def test_the_add_a_route_row_shows_its_chosen_values_whole() -> None:
    """'NVIDIA A100 SXM 40GB (a100-sxm-40)' and 'on demand' were cut inside their boxes at 1440 px."""
    at = _run("compare", {"cands": "chosen"})
    arrow_px = 40  # the box's padding and its drop-down arrow
    for key in ("add_gpu", "add_price", "add_prec", "add_host"):
        box = at.selectbox(key=key)
        col = next(c for c in at.columns if any(getattr(ch, "key", None) == key for ch in c.children.values()))
        px = col.proto.weight * (PAGE_PX + GAP_PX) - GAP_PX
        shown = list(box.options)  # as the box draws them
        if key == "add_gpu":
            shown = [box.options[box.index]]  # the chosen GPU (names run up to 46 characters)
            assert "(" not in shown[0], shown
        too_long = [o for o in shown if len(str(o)) * 7.3 + arrow_px > px]
        assert not too_long, (key, too_long, round(px))
