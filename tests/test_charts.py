"""pricing.charts: one palette, readable labels, break-even zoomed around the user's volume, $ on money axes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing import charts
from pricing.compare import BREAKDOWN_COLUMNS, ROUTE_KIND_LABELS


def test_one_colour_per_meaning() -> None:
    assert set(charts.KIND_COLOURS) == set(ROUTE_KIND_LABELS)
    assert set(charts.COMPONENT_COLOURS) == set(BREAKDOWN_COLUMNS) == set(charts.COMPONENT_LABELS)
    assert len(set(charts.KIND_COLOURS.values())) == len(charts.KIND_COLOURS)
    assert len(set(charts.COMPONENT_COLOURS.values())) == len(charts.COMPONENT_COLOURS)


def _rows() -> pd.DataFrame:
    labels = ["gpt-oss-20b on 1x RTX-4090, fp4, rented (salad, on-demand)",
              "gpt-oss-20b on 1x RTX-4090, fp4, rented (salad, spot)", "gpt-6-luna via OpenAI"]
    df = pd.DataFrame({"label": labels, "route_kind": ["selfhost-cloud", "selfhost-cloud", "api-closed"],
                       "monthly_usd": [500.0, 400.0, 4300.0], "quality_index": [14.9, 14.9, np.nan]})
    for c in BREAKDOWN_COLUMNS:
        df[c] = 0.0
    df["usd_gpu_rent"] = [500.0, 400.0, 0.0]
    df["usd_input"] = [0.0, 0.0, 1300.0]
    df["usd_output"] = [0.0, 0.0, 3000.0]
    return df


def test_bars_keep_two_similar_routes_apart_and_show_money() -> None:
    fig = charts.kind_bars(_rows())
    ys = [y for t in fig.data for y in t.y]
    assert len(ys) == len(set(ys)) == 3
    assert fig.layout.xaxis.tickprefix == "$"
    comp = charts.components(_rows())
    assert {t.name: t.marker.color for t in comp.data} == {
        "input tokens": charts.COMPONENT_COLOURS["usd_input"], "output tokens": charts.COMPONENT_COLOURS["usd_output"],
        "GPU rent": charts.COMPONENT_COLOURS["usd_gpu_rent"]}


def test_frontier_points_are_labelled_on_a_dollar_log_axis() -> None:
    q = _rows().dropna(subset=["quality_index"])
    fig = charts.frontier(q, [False, True])
    front = next(t for t in fig.data if t.name == "efficient frontier")
    assert list(front.text) == [charts.short(q["label"].iloc[1], 34)]
    # the cheapest frontier point sits at the plot's left edge: its label goes right, inside the plot
    assert list(front.textposition) == ["top right"]
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.tickprefix == "$"


def test_breakeven_is_zoomed_a_decade_around_the_volume_with_crossings_annotated() -> None:
    vols = np.logspace(6, 14, 200)
    grid = pd.concat([
        pd.DataFrame({"route_id": "a", "label": "API", "route_kind": "api-closed", "tokens_per_month": vols,
                      "monthly_usd": vols * 1e-6}),
        pd.DataFrame({"route_id": "b", "label": "GPUs", "route_kind": "selfhost-cloud", "tokens_per_month": vols,
                      "monthly_usd": np.full_like(vols, 3000.0)}),
    ])
    cross = pd.DataFrame({"tokens_per_month": [3e9], "monthly_usd_at_crossing": [3000.0],
                          "label_a": ["API"], "label_b": ["GPUs"]})
    fig = charts.breakeven(grid, cross, 1e9)
    assert tuple(fig.layout.xaxis.range) == (8.0, 10.0)
    lo, hi = fig.layout.yaxis.range
    assert lo < math.log10(100) and hi > math.log10(10_000) and hi < 6  # zoomed to the costs in view
    texts = [a.text for a in fig.layout.annotations]
    assert any(t.startswith("your volume: 1.0B tokens/month") for t in texts)
    assert any("3.0B tokens: $3.0k" in t for t in texts)
    assert fig.layout.yaxis.tickprefix == "$"
    full = charts.breakeven(grid, cross, 1e9, zoom=False)
    assert full.layout.xaxis.range is None
    colours = {t.name: t.line.color for t in fig.data if t.name}
    assert colours == {"API": charts.KIND_COLOURS["api-closed"], "GPUs": charts.KIND_COLOURS["selfhost-cloud"]}


def test_log_ticks_are_1_2_5_steps_inside_the_range() -> None:
    from pricing.charts import log_ticks

    vals = log_ticks(9.5, 11.5)  # about 3B to 300B tokens
    assert vals == [5e9, 1e10, 2e10, 5e10, 1e11, 2e11]
    assert log_ticks(0.0, 8.0) == [10.0**e for e in range(9)]  # wide ranges: decades only
    assert log_ticks(float("nan"), 2.0) == [] and log_ticks(3.0, 3.0) == []


def test_breakeven_axes_carry_their_units_on_every_tick() -> None:
    import pandas as pd

    from pricing.charts import breakeven

    grid = pd.DataFrame({"route_id": ["a", "a"], "label": ["A", "A"], "route_kind": ["api-closed"] * 2,
                         "tokens_per_month": [1e9, 1e11], "monthly_usd": [100.0, 10_000.0]})
    cross = pd.DataFrame(columns=["tokens_per_month", "monthly_usd_at_crossing", "label_a", "label_b"])
    fig = breakeven(grid, cross, 1e10)
    assert all(t.endswith("B") for t in fig.layout.xaxis.ticktext)
    assert fig.layout.yaxis.ticktext and all(t.startswith("$") for t in fig.layout.yaxis.ticktext)


def test_routes_of_one_kind_get_different_shades_and_dashes() -> None:
    vols = np.logspace(8, 11, 20)
    grid = pd.concat([
        pd.DataFrame({"route_id": rid, "label": rid, "route_kind": "api-closed", "tokens_per_month": vols,
                      "monthly_usd": vols * k * 1e-6})
        for rid, k in (("a", 1.0), ("b", 2.0), ("c", 3.0))
    ])
    cross = pd.DataFrame(columns=["tokens_per_month", "monthly_usd_at_crossing", "label_a", "label_b"])
    fig = charts.breakeven(grid, cross, 1e9)
    styles = [(t.line.color, t.line.dash) for t in fig.data if t.name]
    assert len({c for c, _ in styles}) == 3 and len({d for _, d in styles}) == 3
    assert styles[0] == (charts.KIND_COLOURS["api-closed"], "solid")  # the first keeps the kind's own colour
    shades = {k: set(v) for k, v in charts.KIND_SHADES.items()}
    assert set(shades) == set(charts.KIND_COLOURS)
    for k, v in shades.items():  # no shade means two kinds
        assert not v & set().union(*(w for j, w in shades.items() if j != k))
    plan = charts.lines([("x", "selfhost-owned", [1, 2]), ("y", "selfhost-owned", [2, 3])])
    assert plan.data[0].line.color != plan.data[1].line.color


def test_crossing_labels_stay_inside_near_the_edges() -> None:
    left = charts.label_offset(8.05, 3.0, (8.0, 10.0), (2.0, 4.0), 0)
    right = charts.label_offset(9.95, 3.0, (8.0, 10.0), (2.0, 4.0), 0)
    middle = charts.label_offset(9.0, 3.0, (8.0, 10.0), (2.0, 4.0), 0)
    top = charts.label_offset(9.0, 3.95, (8.0, 10.0), (2.0, 4.0), 0)
    assert left["xanchor"] == "left" and left["ax"] > 0
    assert right["xanchor"] == "right" and right["ax"] < 0
    assert middle["xanchor"] == "center" and middle["ay"] < 0  # above the point
    assert top["ay"] > 0  # below a point at the top
    nxt = charts.label_offset(9.0, 3.0, (8.0, 10.0), (2.0, 4.0), 1)
    assert nxt["ay"] > 0  # a neighbour goes the other way
    vols = np.logspace(6, 14, 200)
    grid = pd.concat([
        pd.DataFrame({"route_id": "a", "label": "API", "route_kind": "api-closed", "tokens_per_month": vols,
                      "monthly_usd": vols * 1e-6}),
        pd.DataFrame({"route_id": "b", "label": "GPUs", "route_kind": "selfhost-cloud", "tokens_per_month": vols,
                      "monthly_usd": np.full_like(vols, 150.0)}),
    ])
    cross = pd.DataFrame({"tokens_per_month": [1.5e8], "monthly_usd_at_crossing": [150.0],
                          "label_a": ["API"], "label_b": ["GPUs"]})
    fig = charts.breakeven(grid, cross, 1e9)  # the crossing sits at the zoomed chart's left edge
    ann = next(a for a in fig.layout.annotations if "tokens: $150" in a.text)
    assert ann.xanchor == "left"


def test_legend_names_keep_the_whole_route_label_on_lines_that_fit() -> None:
    long = "Llama-4-Scout-17B-16E-Instruct on 8x RTX-5090, fp8, rented (market median, on-demand)"
    grid = pd.DataFrame({"route_id": ["g"] * 2, "label": [long] * 2, "route_kind": ["selfhost-cloud"] * 2,
                         "tokens_per_month": [1e8, 1e10], "monthly_usd": [500.0, 5000.0]})
    empty = pd.DataFrame(columns=["tokens_per_month", "monthly_usd_at_crossing", "label_a", "label_b"])
    for fig in (charts.breakeven(grid, empty, 1e9), charts.lines([(long, "selfhost-cloud", [1.0, 2.0])])):
        name = next(t.name for t in fig.data if t.name)
        assert "…" not in name and name.replace("<br>", " ") == long  # nothing cut, mid-word or otherwise
        assert all(len(line) <= charts.LABEL_CHARS for line in name.split("<br>"))


@pytest.mark.parametrize(("label", "want"), [
    ("gpt-oss-20b on 1x RTX-5090, fp4, rented (market median, on-demand)",
     "gpt-oss-20b on 1x RTX-5090, fp4, rented (…)"),  # was 'gpt-oss-20b on 1x RTX-5090,…median, on-demand)'
    ("Kimi-K3 on 48x MI325X, fp4, rented (tensorwave, on-demand)", "Kimi-K3 on 48x MI325X, fp4, rented (…)"),
    ("deepseek-ai/DeepSeek-V4-Flash via Nebius Token Factory", "deepseek-ai/DeepSeek-V4-Flash via Nebius Token…"),
    ("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8 via DeepInfra",
     "meta-llama/Llama-4-Maverick-17B-1… via DeepInfra"),
])
def test_short_labels_keep_what_tells_routes_apart_and_cut_between_words(label: str, want: str) -> None:
    assert charts.short(label) == want


@given(st.lists(st.text(alphabet="abcdefgh-/,()", min_size=1, max_size=20), min_size=1, max_size=12),
       st.integers(min_value=20, max_value=70))
def test_short_labels_never_exceed_their_room(words: list[str], n: int) -> None:
    label = " ".join(words)
    out = charts.short(label, n)
    assert len(out) <= n
    assert out == label or "…" in out


def test_crossing_labels_near_each_other_never_overlap() -> None:
    """Crossings a few percent apart in volume and cost (as at 4.0B / 4.1B / 6.1B tokens): their label boxes,
    at the plot size the placement assumes, are disjoint and inside the plot."""
    xs, ys = (8.0, 10.0), (2.0, 4.0)
    marks = [(9.0, 3.0, "4.0B tokens: $876"), (9.01, 2.9, "4.1B tokens: $593"), (9.18, 3.0, "6.1B tokens: $876"),
             (9.55, 3.0, "11.4B tokens: $876"), (9.62, 3.0, "16.9B tokens: $876")]
    where = charts.place_labels(marks, xs, ys)
    w_px, h_px = charts.PLOT_PX
    boxes = []
    for (lx, ly, text), wh in zip(marks, where, strict=True):
        px, py = (lx - xs[0]) / (xs[1] - xs[0]) * w_px, (1 - (ly - ys[0]) / (ys[1] - ys[0])) * h_px
        w = charts.CHAR_PX * len(text) + 8
        cx = px + wh["ax"] + {"left": w / 2, "right": -w / 2}.get(wh["xanchor"], 0.0)
        cy = py + wh["ay"]
        boxes.append((cx - w / 2, cy - charts.LABEL_PX_H / 2, cx + w / 2, cy + charts.LABEL_PX_H / 2))
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[2] <= w_px and a[1] >= 0 and a[3] <= h_px
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    # a lone crossing keeps label_offset's place
    assert charts.place_labels(marks[:1], xs, ys)[0] == charts.label_offset(9.0, 3.0, xs, ys, 0)
