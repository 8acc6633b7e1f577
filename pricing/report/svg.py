"""Small inline SVG charts (no scripts, no external files): bars, tornado, ranges, lines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from pricing.compare import money

KIND_COLOURS = {
    "api-closed": "#4e79a7", "api-open-first-party": "#59a14f", "api-open-host": "#8cd17d",
    "selfhost-cloud": "#f28e2b", "selfhost-owned": "#e15759", "mix": "#b07aa1",
}
SERIES = ("#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7")
FONT = 'font-family="system-ui, sans-serif"'


def _trim(s: str, n: int = 44) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def bars(items: Sequence[tuple[str, float, str]], width: int = 900, label_w: int = 400) -> str:
    """Horizontal bars: (label, value, route kind); NaN values are drawn as 'cannot serve'."""
    row_h, pad = 28, 6
    h = row_h * len(items) + 2 * pad
    finite = [v for _, v, _ in items if math.isfinite(v)]
    vmax = max(finite) if finite else 1.0
    plot_w = width - label_w - 110
    out = [f'<svg width="{width}" height="{h}" '
           f'viewBox="0 0 {width} {h}" role="img" {FONT} font-size="14">']
    for i, (label, v, kind) in enumerate(items):
        y = pad + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end">{escape(_trim(label))}</text>')
        if math.isfinite(v):
            w = max(1.0, plot_w * v / vmax) if vmax > 0 else 1.0
            out.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                       f'fill="{KIND_COLOURS.get(kind, "#999")}"/>')
            out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 19}">{escape(money(v))}</text>')
        else:
            out.append(f'<text x="{label_w}" y="{y + 19}" fill="#888">cannot serve</text>')
    out.append("</svg>")
    return "".join(out)


def tornado(rows: Sequence[tuple[str, float, float, str, str]], base: float, width: int = 900,
            label_w: int = 300) -> str:
    """Classic tornado of the winner's lead: (label, lead at low, lead at high, low text, high text).

    Each bar runs from the lead at base (black line) to the lead at one end of the driver's range
    (light: low end, dark: high end); left of the red line the winner no longer wins.
    """
    row_h, pad = 34, 24
    h = row_h * len(rows) + 2 * pad
    vals = [v for _, a, b, _, _ in rows for v in (a, b) if math.isfinite(v)] + [0.0, base]
    lo, hi = min(vals), max(vals)
    span = (hi - lo) or 1.0
    plot_w = width - label_w - 30

    def x(v: float) -> float:
        return label_w + plot_w * (v - lo) / span

    out = [f'<svg width="{width}" height="{h}" viewBox="0 0 {width} {h}" role="img" {FONT} font-size="14">',
           f'<text x="{x(base) + 6:.1f}" y="16">lead today {escape(money(base))}</text>']
    for i, (label, lo_v, hi_v, lo_t, hi_t) in enumerate(rows):
        y = pad + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + 21}" text-anchor="end">{escape(_trim(label, 40))}</text>')
        for j, (v, t) in enumerate(((lo_v, lo_t), (hi_v, hi_t))):
            if not math.isfinite(v):
                continue
            x0, x1 = sorted((x(base), x(v)))
            colour = "#b22" if v < 0 else ("#9bb7d4" if j == 0 else "#4e79a7")
            out.append(f'<rect x="{x0:.1f}" y="{y + 4 + j * 13}" width="{max(x1 - x0, 1):.1f}" height="12" '
                       f'fill="{colour}"><title>{escape(t)}: lead {escape(money(v))}</title></rect>')
    out.append(f'<line x1="{x(base):.1f}" x2="{x(base):.1f}" y1="{pad - 4}" y2="{h - pad + 4}" stroke="#222" stroke-width="2"/>')
    out.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{pad - 4}" y2="{h - pad + 4}" stroke="#b22" '
               f'stroke-width="2" stroke-dasharray="5,4"/>')
    out.append(f'<text x="{x(0) - 6:.1f}" y="{h - 4}" text-anchor="end" fill="#b22">winner changes</text>')
    out.append("</svg>")
    return "".join(out)


def ranges(items: Sequence[tuple[str, float, float, float, str]], width: int = 900, label_w: int = 400) -> str:
    """P10-P90 bars with a P50 tick: (label, p10, p50, p90, route kind)."""
    row_h, pad = 28, 6
    h = row_h * len(items) + 2 * pad
    finite = [v for _, _, _, v, _ in items if math.isfinite(v)]
    vmax = max(finite) if finite else 1.0
    plot_w = width - label_w - 120
    out = [f'<svg width="{width}" height="{h}" '
           f'viewBox="0 0 {width} {h}" role="img" {FONT} font-size="14">']
    for i, (label, p10, p50, p90, kind) in enumerate(items):
        y = pad + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end">{escape(_trim(label))}</text>')
        if not all(math.isfinite(v) for v in (p10, p50, p90)):
            continue
        x0, x1, xm = (label_w + plot_w * v / vmax for v in (p10, p90, p50))
        out.append(f'<rect x="{x0:.1f}" y="{y + 7}" width="{max(x1 - x0, 1):.1f}" height="{row_h - 14}" '
                   f'fill="{KIND_COLOURS.get(kind, "#999")}" opacity="0.7"/>')
        out.append(f'<line x1="{xm:.1f}" x2="{xm:.1f}" y1="{y + 3}" y2="{y + row_h - 3}" stroke="#000" stroke-width="2"/>')
        out.append(f'<text x="{x1 + 6:.1f}" y="{y + 19}">{escape(money(p50))}</text>')
    out.append("</svg>")
    return "".join(out)


def lines(series: Sequence[tuple[str, Sequence[float]]], width: int = 900, height: int = 360,
          x_label: str = "month") -> str:
    """Line chart of several series over 1..N (cumulative cost), with a legend below."""
    pad_l, pad_r, pad_t, pad_b = 90, 20, 16, 40
    n = max((len(v) for _, v in series), default=1)
    vals = [x for _, v in series for x in v if math.isfinite(x)]
    vmax = max(vals) if vals else 1.0
    pw, ph = width - pad_l - pad_r, height - pad_t - pad_b
    legend_h = 22 * len(series)
    out = [f'<svg width="{width}" height="{height + legend_h}" '
           f'viewBox="0 0 {width} {height + legend_h}" role="img" {FONT} font-size="14">']
    for k in range(5):
        tick = vmax * k / 4
        y = pad_t + ph - ph * k / 4
        out.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{pad_l - 6}" y="{y + 5:.1f}" text-anchor="end">{escape(money(tick))}</text>')
    for m in range(1, n + 1):
        if m == 1 or m % 6 == 0 or m == n:
            xm = pad_l + pw * (m - 1) / max(n - 1, 1)
            out.append(f'<text x="{xm:.1f}" y="{pad_t + ph + 20}" text-anchor="middle">{m}</text>')
    out.append(f'<text x="{pad_l + pw / 2:.1f}" y="{pad_t + ph + 36}" text-anchor="middle">{escape(x_label)}</text>')
    for i, (label, v) in enumerate(series):
        colour = SERIES[i % len(SERIES)]
        pts = " ".join(f"{pad_l + pw * j / max(n - 1, 1):.1f},{pad_t + ph - ph * x / vmax:.1f}"
                       for j, x in enumerate(v) if math.isfinite(x) and vmax > 0)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="3" points="{pts}"/>')
        ly = height + 16 + 22 * i
        out.append(f'<rect x="{pad_l}" y="{ly - 11}" width="14" height="14" fill="{colour}"/>')
        out.append(f'<text x="{pad_l + 20}" y="{ly}">{escape(_trim(label, 90))}</text>')
    out.append("</svg>")
    return "".join(out)
