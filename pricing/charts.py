"""One palette and the plotly figures shared by the dashboard and the HTML report.

A route kind or a cost component has one colour everywhere. Money axes carry the currency
symbol; labels are shortened for the axis but shown whole on hover. Pure plotly (no streamlit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pricing.compare import ROUTE_KIND_LABELS, compact, money

# Route kinds: blue family for APIs, warm colours for running the weights yourself.
KIND_COLOURS: dict[str, str] = {
    "api-closed": "#4e79a7",            # blue
    "api-open-first-party": "#76b7b2",  # teal
    "api-open-host": "#59a14f",         # green
    "selfhost-cloud": "#f28e2b",        # orange
    "selfhost-owned": "#b07aa1",        # purple
}
# Cost components: token charges in blues and violets, hardware in warm colours (GPU rent shares the
# orange of rented GPUs); none shares a colour with another meaning on the same chart.
COMPONENT_COLOURS: dict[str, str] = {
    "usd_input": "#1f77b4",         # blue
    "usd_cached_input": "#aec7e8",  # light blue
    "usd_cache_write": "#9edae5",   # pale cyan
    "usd_output": "#393b79",        # indigo
    "usd_reasoning": "#8c6bb1",     # violet
    "usd_request_fees": "#7f7f7f",  # grey
    "usd_gpu_rent": "#f28e2b",      # orange, as rented GPUs
    "usd_capex": "#8c564b",         # brown
    "usd_power": "#d62728",         # red
    "usd_colocation": "#e377c2",    # pink
    "usd_ops": "#bcbd22",           # olive
}
COMPONENT_LABELS: dict[str, str] = {
    "usd_input": "input tokens", "usd_cached_input": "cached input", "usd_cache_write": "cache writes",
    "usd_output": "output tokens", "usd_reasoning": "reasoning tokens", "usd_request_fees": "request fees",
    "usd_gpu_rent": "GPU rent", "usd_capex": "hardware (amortised)", "usd_power": "power",
    "usd_colocation": "colocation", "usd_ops": "operations",
}
# Several routes of one kind on one line chart (break-even, plan): shades of the kind's hue, the kind's
# own colour first, darker and lighter after it, so two closed APIs are told apart by colour and not
# only by dash (the dash pattern changes too, for readers who cannot tell the shades apart).
KIND_SHADES: dict[str, tuple[str, ...]] = {
    "api-closed": ("#4e79a7", "#1b3a63", "#8cb8e3", "#2f6cb0", "#0c2340"),
    "api-open-first-party": ("#76b7b2", "#2a7a73", "#b3dfdb", "#4f9e98", "#154d48"),
    "api-open-host": ("#59a14f", "#2c6a26", "#a3d797", "#7fbf70", "#173f13"),
    "selfhost-cloud": ("#f28e2b", "#a65306", "#fcc58b", "#d9690b", "#6b3604"),
    "selfhost-owned": ("#b07aa1", "#6b3d63", "#dcb6d2", "#8e5a85", "#43203e"),
}
# What fills a GPU's memory (self-hosting detail): greys and cyan, no colour that means a route kind
# or a cost component elsewhere (red is power, pink colocation on the cost charts).
MEMORY_COLOURS: dict[str, str] = {
    "weights": "#4d4d4d",           # dark grey
    "KV cache in use": "#17becf",   # cyan
    "runtime overhead": "#bab0ac",  # warm grey
    "free KV capacity": "#d4f1f5",  # pale cyan: the same KV memory, not yet used
}
DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
MARK = "#1d2330"  # crossings, "your volume" and other marks
SERIES = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#e15759", "#76b7b2", "#edc948", "#9c755f")
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 14}
LABEL_CHARS = 48


def symbol(currency: str = "USD") -> str:
    """The prefix of money ticks: $ for USD, else the ISO code and a space."""
    return "$" if currency == "USD" else f"{currency} "


def short(label: str, n: int = LABEL_CHARS) -> str:
    """A label cut to at most n characters, so the start (the model) and what tells routes apart both
    stay readable; the whole label goes in the hover. 'model via provider' keeps the provider whole;
    a self-hosted 'model on GPUs, precision, rented (policy, price)' drops the price detail first
    ('rented (…)'); otherwise the cut falls between words ('… on-demand)', never '…arket median').
    Only a word longer than the room left for it is cut inside."""
    if len(label) <= n:
        return label
    if " via " in label:
        model, provider = label.rsplit(" via ", 1)
        if len(provider) + 6 <= n // 2:
            return model[: n - 6 - len(provider)].rstrip() + "… via " + provider
        kept = ""  # a long provider name: the model whole, the provider's first words
        for word in provider.split(" "):
            if len(model) + 5 + len(kept) + len(word) + 2 > n:
                break
            kept = f"{kept} {word}" if kept else word
        if kept:
            return f"{model} via {kept}…"
        if len(provider) + 6 <= n * 2 // 3:
            return model[: n - 6 - len(provider)].rstrip() + "… via " + provider
    if label.endswith(")") and " (" in label:
        terse = label[: label.rindex(" (")] + " (…)"
        if len(terse) <= n:
            return terse
    words = label.split(" ")
    if len(words) < 2 or len(words[-1]) > n // 3:  # no word to keep whole at the end: cut by characters
        head_n = (n - 1) * 3 // 5
        return label[:head_n].rstrip() + "…" + label[len(label) - (n - 1 - head_n):].lstrip()
    room = n - 3 - len(words[-1])  # 3 = " … "
    h, used = 0, -1
    while h < len(words) - 1 and used + 1 + len(words[h]) <= room:
        used += 1 + len(words[h])
        h += 1
    head = " ".join(words[:h]) if h else label[:room].rstrip()
    t = len(words) - 1  # the tail takes whole words from the end while they fit
    while t - 1 >= max(h, 1) and len(head) + 3 + len(" ".join(words[t - 1:])) <= n:
        t -= 1
    return f"{head} … {' '.join(words[t:])}"


def legend_name(label: str, n: int = LABEL_CHARS) -> str:
    """A legend entry: the whole label, broken between words into lines of at most n characters (a
    word longer than n keeps its own line), so nothing is cut from a long self-hosted route's name."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= n:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def shorts(labels: Sequence[str], n: int = LABEL_CHARS) -> list[str]:
    """short() of each label, made unique (two routes never share an axis row)."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for label in labels:
        s = short(str(label), n)
        k = seen.get(s, 0)
        seen[s] = k + 1
        out.append(s if not k else f"{s} ({k + 1})")
    return out


def kind_colour(kind: str) -> str:
    """The colour of a route kind (grey for an unknown one)."""
    return KIND_COLOURS.get(kind, "#999999")


def route_style(kind: str, n: int) -> tuple[str, str]:
    """(colour, dash) of the n-th route of a kind on a line chart: a shade of the kind's hue and a dash,
    both changing from one route to the next (the first route has the kind's own colour, solid)."""
    shades = KIND_SHADES.get(kind, (kind_colour(kind),))
    return shades[n % len(shades)], DASHES[n % len(DASHES)]


def _layout(fig: go.Figure, height: int, currency: str, money_axis: str | None = "x") -> go.Figure:
    # the legend hangs a fixed 64 px below the plot (under the tick labels and the axis title) on every
    # chart height; a fraction of the height would land on the axis title of a short chart
    plot_px = max(height - 50 - 90, 100)
    fig.update_layout(height=height, font=FONT, margin={"l": 10, "r": 20, "t": 40, "b": 90},
                      plot_bgcolor="white", paper_bgcolor="white",
                      legend={"orientation": "h", "yanchor": "top", "y": -64 / plot_px, "x": 0})
    grid = {"showgrid": True, "gridcolor": "#e6e8ee", "zeroline": False}
    fig.update_xaxes(**grid)
    fig.update_yaxes(**grid)
    if money_axis == "x":
        fig.update_xaxes(tickprefix=symbol(currency), separatethousands=True)
    elif money_axis == "y":
        fig.update_yaxes(tickprefix=symbol(currency), separatethousands=True)
    return fig


def components(df: pd.DataFrame, currency: str = "USD", rate: float = 1.0, top: int = 20) -> go.Figure:
    """Monthly cost of each route split by component, cheapest on top (one colour per component)."""
    d = df[pd.to_numeric(df["monthly_usd"], errors="coerce").notna()].sort_values("monthly_usd").head(top)
    fig = go.Figure()
    ys = shorts(list(d["label"]))
    for col, name in COMPONENT_LABELS.items():
        if col not in d or not (d[col] > 0).any():
            continue
        fig.add_bar(y=ys, x=d[col].to_numpy() * rate, name=name, orientation="h",
                    marker_color=COMPONENT_COLOURS[col], customdata=list(d["label"]),
                    hovertemplate="%{customdata}<br>" + name + ": " + symbol(currency) + "%{x:,.0f}/month"
                    "<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=f"{currency} per month")
    return _layout(fig, max(320, 26 * len(d) + 120), currency)


def kind_bars(df: pd.DataFrame, currency: str = "USD", rate: float = 1.0) -> go.Figure:
    """Monthly cost per route as one bar each, coloured by route kind (legend = the kinds)."""
    d = df[pd.to_numeric(df["monthly_usd"], errors="coerce").notna()].sort_values("monthly_usd")
    d = d.assign(_y=shorts(list(d["label"])))
    fig = go.Figure()
    for kind, label in ROUTE_KIND_LABELS.items():
        g = d[d["route_kind"] == kind]
        if g.empty:
            continue
        fig.add_bar(y=list(g["_y"]), x=g["monthly_usd"] * rate, orientation="h", name=label,
                    marker_color=kind_colour(kind), customdata=list(g["label"]),
                    text=[money(float(v), currency, rate) for v in g["monthly_usd"]], textposition="outside",
                    hovertemplate="%{customdata}<br>" + symbol(currency) + "%{x:,.0f}/month<extra></extra>")
    fig.update_yaxes(categoryorder="array", categoryarray=list(d["_y"])[::-1], title=None)
    top = float(d["monthly_usd"].max() * rate) if len(d) else 1.0
    fig.update_traces(cliponaxis=False)
    fig.update_xaxes(title=f"{currency} per month", range=[0, top * 1.15])  # room for the amounts
    return _layout(fig, max(300, 26 * len(d) + 120), currency)


def frontier(q: pd.DataFrame, on_frontier: Sequence[bool], currency: str = "USD", rate: float = 1.0) -> go.Figure:
    """Quality against monthly cost (log $ axis), coloured by route kind; frontier points labelled."""
    q = q.assign(_on=list(on_frontier))
    fig = go.Figure()
    for kind, label in ROUTE_KIND_LABELS.items():
        g = q[q["route_kind"] == kind]
        if g.empty:
            continue
        fig.add_scatter(x=g["monthly_usd"] * rate, y=g["quality_index"], mode="markers", name=label,
                        marker={"color": kind_colour(kind), "size": 10, "line": {"color": "white", "width": 1}},
                        customdata=list(g["label"]),
                        hovertemplate="%{customdata}<br>" + symbol(currency) + "%{x:,.0f}/month<br>"
                        "quality %{y:.1f}<extra></extra>")
    front = q[q["_on"]].sort_values("monthly_usd")
    if len(front):
        fig.add_scatter(x=front["monthly_usd"] * rate, y=front["quality_index"], mode="lines+markers+text",
                        name="efficient frontier", line={"color": MARK, "width": 1.5, "shape": "hv"},
                        marker={"color": MARK, "size": 5}, text=[short(str(x), 34) for x in front["label"]],
                        # the cheapest point's label goes right (a left label would run off the plot's
                        # left edge), the others' left, above the step that leads to them
                        textposition=["top right", *["top left"] * (len(front) - 1)],
                        textfont={"size": 12}, customdata=list(front["label"]),
                        hovertemplate="%{customdata}<extra>frontier</extra>")
    fig.update_xaxes(type="log", title=f"{currency} per month (log scale)")
    fig.update_yaxes(title="quality index (Artificial Analysis)")
    return _layout(fig, 460, currency)


def zoom_range(volume: float, decades: float = 1.0) -> tuple[float, float]:
    """The x range (log10) a decade either way of the user's volume."""
    v = math.log10(max(volume, 1.0))
    return v - decades, v + decades


def breakeven(
    grid: pd.DataFrame, crossings: pd.DataFrame, volume_tokens: float, currency: str = "USD", rate: float = 1.0,
    zoom: bool = True,
) -> go.Figure:
    """Monthly cost against tokens per month for each route (log axes), coloured by route kind.

    `grid`: route_id, label, route_kind, tokens_per_month, monthly_usd. `crossings`: tokens_per_month,
    monthly_usd_at_crossing, label_a, label_b. Zoomed, the x axis spans a decade either side of the
    user's volume and the y axis the costs seen there; crossings in view are annotated.
    """
    fig = go.Figure()
    seen: dict[str, int] = {}
    lo, hi = zoom_range(volume_tokens) if zoom else (-math.inf, math.inf)
    visible: list[float] = []
    xs_all: list[float] = []
    for _rid, g in grid.groupby("route_id", sort=False):
        kind = str(g["route_kind"].iloc[0])
        n = seen.get(kind, 0)
        seen[kind] = n + 1
        label = str(g["label"].iloc[0])
        colour, dash = route_style(kind, n)
        fig.add_scatter(x=g["tokens_per_month"], y=g["monthly_usd"] * rate, mode="lines", name=legend_name(label),
                        line={"color": colour, "dash": dash, "width": 2.5,
                              "shape": "hv" if kind.startswith("selfhost") else "linear"},
                        hovertemplate=label + "<br>%{x:.3s} tokens/month<br>" + symbol(currency)
                        + "%{y:,.0f}/month<extra></extra>")
        lx = np.log10(np.maximum(g["tokens_per_month"].to_numpy(dtype=float), 1e-300))
        ys = g["monthly_usd"].to_numpy(dtype=float)[(lx >= lo) & (lx <= hi)] * rate
        visible += [float(y) for y in ys if math.isfinite(y) and y > 0]
        xs_all += [float(x) for x in lx if math.isfinite(x)]
    # the x and y spans drawn (log10), to keep crossing labels inside the plot near its edges
    x_span = (lo, hi) if zoom else ((min(xs_all), max(xs_all)) if xs_all else (0.0, 1.0))
    y_span = ((math.log10(min(visible)) - 0.15, math.log10(max(visible)) + 0.15) if visible else (0.0, 1.0))
    fig.add_vline(x=max(volume_tokens, 1.0), line={"color": MARK, "dash": "dot", "width": 2})
    fig.add_annotation(x=math.log10(max(volume_tokens, 1.0)), y=1.0, yref="paper", text=f"your volume: "
                       f"{compact(volume_tokens)} tokens/month", showarrow=False, yanchor="bottom",
                       font={"color": MARK, "size": 13}, bgcolor="white")
    marks: list[tuple[float, float, str]] = []
    for _, c in crossings.sort_values("tokens_per_month").iterrows() if len(crossings) else []:
        x, y = float(c["tokens_per_month"]), float(c["monthly_usd_at_crossing"]) * rate
        if not (math.isfinite(x) and math.isfinite(y)) or not lo <= math.log10(max(x, 1e-300)) <= hi:
            continue
        fig.add_scatter(x=[x], y=[y], mode="markers", showlegend=False,
                        marker={"symbol": "x", "size": 12, "color": MARK},
                        hovertemplate=f"{c['label_a']} = {c['label_b']}<extra>break-even</extra>")
        marks.append((math.log10(x), math.log10(y), f"{compact(x)} tokens: {money(y, currency)}"))
    for (lx, ly, text), where in zip(marks, place_labels(marks, x_span, y_span), strict=True):
        fig.add_annotation(x=lx, y=ly, text=text, showarrow=True, arrowhead=0, font={"size": 12},
                           bgcolor="white", **where)
    fig.update_xaxes(type="log", title="tokens per month (log scale)")
    fig.update_yaxes(type="log", title=f"{currency} per month (log scale)")
    if zoom:
        fig.update_xaxes(range=[lo, hi])
        vals = log_ticks(lo, hi)
        fig.update_xaxes(tickvals=vals, ticktext=[compact(v) for v in vals])
        if visible:
            ylo, yhi = math.log10(min(visible)) - 0.15, math.log10(max(visible)) + 0.15
            fig.update_yaxes(range=[ylo, yhi])
            yvals = log_ticks(ylo, yhi)
            fig.update_yaxes(tickvals=yvals, ticktext=[money(v, currency) for v in yvals])
    return _layout(fig, 560, currency, money_axis="y")


def label_offset(lx: float, ly: float, x_span: tuple[float, float], y_span: tuple[float, float],
                 k: int) -> dict[str, Any]:
    """Where the k-th crossing label goes relative to its point (log10 coordinates), so it stays inside
    the plot: to the right of a point near the left edge, to the left near the right edge, below a
    point near the top, above one near the bottom; neighbours (k, k+1 in volume order) alternate
    above and below and are staggered in height, so labels of nearby crossings do not overlap."""
    fx = (lx - x_span[0]) / (x_span[1] - x_span[0]) if x_span[1] > x_span[0] else 0.5
    fy = (ly - y_span[0]) / (y_span[1] - y_span[0]) if y_span[1] > y_span[0] else 0.5
    lift = 28 + 22 * ((k // 2) % 2)
    if fx < 0.25:
        xanchor, ax = "left", 12
    elif fx > 0.75:
        xanchor, ax = "right", -12
    else:
        xanchor, ax = "center", 0
    below = fy > 0.75 or (fy >= 0.25 and k % 2 == 1)
    return {"xanchor": xanchor, "ax": ax, "ay": lift if below else -lift}


# the break-even plot area assumed when placing labels (px): the narrowest the dashboard draws it at 1440 px
# wide pages (the report's is wider), so labels kept apart here stay apart there
PLOT_PX = (760.0, 360.0)
CHAR_PX, LABEL_PX_H = 7.0, 20.0  # a 12 px label's mean character width and its height with padding


def place_labels(marks: Sequence[tuple[float, float, str]], x_span: tuple[float, float],
                 y_span: tuple[float, float], plot_px: tuple[float, float] = PLOT_PX) -> list[dict[str, Any]]:
    """Annotation offsets for crossing labels (log10 point, text) so that no two label boxes overlap and each
    stays inside the plot: each label first tries label_offset's place, then the other side, then further
    out, alternating above and below; the first free place wins (greedy, in volume order)."""
    w_px, h_px = plot_px
    placed: list[tuple[float, float, float, float]] = []
    out: list[dict[str, Any]] = []

    def box(px: float, py: float, where: dict[str, Any], w: float) -> tuple[float, float, float, float]:
        cx = px + where["ax"] + {"left": w / 2, "right": -w / 2}.get(where["xanchor"], 0.0)
        cy = py + where["ay"]
        return cx - w / 2, cy - LABEL_PX_H / 2, cx + w / 2, cy + LABEL_PX_H / 2

    for k, (lx, ly, text) in enumerate(marks):
        fx = (lx - x_span[0]) / (x_span[1] - x_span[0]) if x_span[1] > x_span[0] else 0.5
        fy = (ly - y_span[0]) / (y_span[1] - y_span[0]) if y_span[1] > y_span[0] else 0.5
        px, py = fx * w_px, (1.0 - fy) * h_px
        w = CHAR_PX * len(text) + 8.0
        first = label_offset(lx, ly, x_span, y_span, k)
        sign = 1.0 if first["ay"] > 0 else -1.0
        lifts = [abs(first["ay"])] + [28.0 + 22.0 * i for i in range(6)]
        tries = [{**first, "ay": s * a} for a in lifts for s in (sign, -sign)]
        chosen = first
        for t in tries:
            b = box(px, py, t, w)
            inside = b[0] >= 0 and b[2] <= w_px and b[1] >= 0 and b[3] <= h_px
            if inside and all(b[2] + 4 <= o[0] or o[2] + 4 <= b[0] or b[3] + 4 <= o[1] or o[3] + 4 <= b[1]
                              for o in placed):
                chosen = t
                break
        placed.append(box(px, py, chosen, w))
        out.append(chosen)
    return out


def log_ticks(lo: float, hi: float) -> list[float]:
    """Tick values at 1-2-5 steps between 10**lo and 10**hi (a few labelled ticks, none unlabelled)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    steps = (1.0, 2.0, 5.0) if hi - lo <= 3 else (1.0,)
    out = [m * 10.0**e for e in range(math.floor(lo), math.ceil(hi) + 1) for m in steps]
    return [v for v in out if lo <= math.log10(v) <= hi]


def price_history(series: Sequence[tuple[str, Sequence[Any], Sequence[float], Sequence[float], Sequence[tuple[Any, float]]]],
                  currency: str = "USD", rate: float = 1.0) -> go.Figure:
    """Dated prices per 1M tokens (offer id, dates, input prices, output prices, scheduled input prices),
    a step from one date to the next; an offer has one colour (input solid, output dotted, a scheduled
    price a star) and the log axis is labelled in money at 1-2-5 steps ($0.5, $1, $2), never bare digits."""
    fig = go.Figure()
    ys_all: list[float] = []
    sym = symbol(currency)
    for i, (oid, xs, ins, outs, sched) in enumerate(series):
        colour = SERIES[i % len(SERIES)]
        for what, ys, dash in (("input", ins, "solid"), ("output", outs, "dot")):
            vals = [float(y) * rate for y in ys]
            ys_all += [v for v in vals if math.isfinite(v) and v > 0]
            fig.add_scatter(x=list(xs), y=vals, mode="lines+markers" if what == "input" else "lines",
                            line={"color": colour, "dash": dash, "shape": "hv"}, marker={"color": colour},
                            name=legend_name(f"{oid} {what}"),
                            hovertemplate=f"{oid} {what}<br>%{{x|%Y-%m-%d}}: {sym}%{{y:.3g}} per 1M tokens<extra></extra>")
        if sched:
            fig.add_scatter(x=[d for d, _ in sched], y=[float(v) * rate for _, v in sched], mode="markers",
                            marker={"symbol": "star", "size": 11, "color": colour}, name=f"{oid} scheduled input")
            ys_all += [float(v) * rate for _, v in sched if v and v > 0]
    fig.update_yaxes(type="log", title=f"{currency} per 1M tokens (log scale)")
    if ys_all:
        lo, hi = math.log10(min(ys_all)) - 0.1, math.log10(max(ys_all)) + 0.1
        vals = log_ticks(lo, hi)
        if len(vals) < 2:  # a narrow range: ticks at 1-2-5 are too sparse, label both ends
            vals = [min(ys_all), max(ys_all)]
        fig.update_yaxes(range=[lo, hi], tickvals=vals, ticktext=[f"{sym}{v:.3g}" for v in vals])
    fig.update_xaxes(title="price in force from")
    return _layout(fig, 440, currency, money_axis=None)


def lines(series: Sequence[tuple[str, str, Sequence[float]]], currency: str = "USD",
          x_title: str = "month", y_title: str | None = None) -> go.Figure:
    """Cumulative cost lines (label, route kind, values by month 1..n), coloured by route kind."""
    fig = go.Figure()
    seen: dict[str, int] = {}
    for label, kind, values in series:
        n = seen.get(kind, 0)
        seen[kind] = n + 1
        colour, dash = route_style(kind, n)
        fig.add_scatter(x=list(range(1, len(values) + 1)), y=list(values), mode="lines", name=legend_name(label),
                        line={"color": colour, "dash": dash, "width": 2.5},
                        hovertemplate=label + "<br>month %{x}: " + symbol(currency) + "%{y:,.0f}<extra></extra>")
    fig.update_xaxes(title=x_title, dtick=1 if series and len(series[0][2]) <= 24 else None)
    fig.update_yaxes(title=y_title or f"{currency}, cumulative")
    return _layout(fig, 420, currency, money_axis="y")


def ranges(items: Sequence[tuple[str, float, float, float, str]], currency: str = "USD") -> go.Figure:
    """P10-P90 bars with the P50 marked, per route (label, p10, p50, p90, route kind)."""
    fig = go.Figure()
    labels = shorts([x[0] for x in items])
    for (label, p10, p50, p90, kind), y in zip(items, labels, strict=True):
        fig.add_scatter(x=[p10, p90], y=[y, y], mode="lines", line={"color": kind_colour(kind), "width": 12},
                        showlegend=False, hovertemplate=f"{label}<br>P10 {money(p10, currency)} to P90 "
                        f"{money(p90, currency)}<extra></extra>")
        fig.add_scatter(x=[p50], y=[y], mode="markers", marker={"color": MARK, "symbol": "line-ns", "size": 16,
                        "line": {"width": 3, "color": MARK}}, showlegend=False,
                        hovertemplate=f"{label}<br>P50 {money(p50, currency)}<extra></extra>")
    for kind, label in ROUTE_KIND_LABELS.items():  # legend of the kinds present
        if any(x[4] == kind for x in items):
            fig.add_scatter(x=[None], y=[None], mode="lines", name=label,
                            line={"color": kind_colour(kind), "width": 8})
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    fig.update_xaxes(title=f"{currency} per month (P10 to P90, mark = P50)")
    return _layout(fig, max(240, 34 * len(items) + 120), currency)


def tornado(rows: Sequence[tuple[str, float, float]], base: float, currency: str = "USD",
            x_title: str | None = None, zero_line: bool = True) -> go.Figure:
    """Bars from today's value (base) to each driver's low and high end (label, at_low, at_high).

    By default the value is the winner's lead over the best alternative, with a dashed red line at
    zero (past it another route wins); pass x_title and zero_line=False for another quantity."""
    fig = go.Figure()
    labels = shorts([r[0] for r in rows], 60)
    fig.add_bar(y=labels, x=[r[1] - base for r in rows], base=base, orientation="h", name="at the low end",
                marker_color="#a0cbe8", customdata=[r[0] for r in rows],
                hovertemplate="%{customdata}<br>" + symbol(currency) + "%{x:,.0f}<extra>low end</extra>")
    fig.add_bar(y=labels, x=[r[2] - base for r in rows], base=base, orientation="h", name="at the high end",
                marker_color="#4e79a7", customdata=[r[0] for r in rows],
                hovertemplate="%{customdata}<br>" + symbol(currency) + "%{x:,.0f}<extra>high end</extra>")
    fig.add_vline(x=base, line={"color": MARK, "width": 2})
    if zero_line:
        fig.add_vline(x=0, line={"color": "#d62728", "dash": "dash", "width": 1.5})
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=x_title or f"winner's lead over the best alternative, {currency} per month")
    return _layout(fig, max(260, 34 * len(rows) + 120), currency)


def to_html_fragment(fig: go.Figure, first: bool) -> str:
    """A figure as an HTML fragment; the first one on a page carries plotly.js inline (works offline)."""
    html: Any = fig.to_html(include_plotlyjs=bool(first), full_html=False,
                            config={"displayModeBar": False, "responsive": True})
    return str(html)
