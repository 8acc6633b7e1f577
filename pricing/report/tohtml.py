"""One self-contained HTML report: inline CSS, plotly charts with plotly.js inline (works offline), printable."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

import pandas as pd

from pricing import charts
from pricing.analysis.sensitivity import ALL
from pricing.compare import headline, money
from pricing.report.build import Report
from pricing.report.tables import OVERRIDE_FIELDS, WORKLOAD_FIELDS
from pricing.report.tables import rows as row_objs

TOP = 12
CSS = """
:root { --ink: #1d2330; --mute: #5b6475; --line: #d9dde5; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       font-size: 19px; line-height: 1.45; margin: 0 auto; max-width: 1000px; padding: 24px; }
h1 { font-size: 34px; margin: 0 0 4px; } h2 { font-size: 27px; margin-top: 40px;
     border-bottom: 3px solid var(--ink); padding-bottom: 4px; } h3 { font-size: 22px; margin-top: 26px; }
.meta, .note { color: var(--mute); font-size: 16px; }
.answer { font-size: 24px; background: #f3f6fb; border-left: 8px solid #4e79a7; padding: 12px 18px; margin: 10px 0; }
table { border-collapse: collapse; width: 100%; font-size: 16px; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
td:first-child { min-width: 11em; }
td { overflow-wrap: anywhere; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.refs li { font-size: 20px; margin: 4px 0; }
.warn { color: #a33; } .small { font-size: 14px; color: var(--mute); word-break: break-all; }
.chart { margin: 8px 0 4px; }
section { page-break-inside: avoid; break-inside: avoid; }
@media print { body { font-size: 12pt; max-width: none; padding: 0; } h2 { page-break-before: auto; }
  .answer { border-left-width: 4px; } a { color: inherit; text-decoration: none; } }
"""


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]], num: Sequence[int] = ()) -> str:
    th = "".join(f'<th class="num">{escape(h)}</th>' if i in num else f"<th>{escape(h)}</th>"
                 for i, h in enumerate(head))
    body = []
    for r in rows:
        tds = "".join(f'<td class="num">{escape(str(c))}</td>' if i in num else f"<td>{escape(str(c))}</td>"
                      for i, c in enumerate(r))
        body.append(f"<tr>{tds}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _num(x: Any, fmt: str = "{:,.0f}") -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return ""
    return fmt.format(f) if math.isfinite(f) else ""


def _plain(v: Any) -> str:
    """An override for people: empty and unset read as 'none'."""
    if v is None or v == {}:
        return "none"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {x:g}" for k, x in v.items())
    return str(v)


class _Figures:
    """Turns figures into HTML; the first one on the page carries plotly.js, the rest reuse it."""

    def __init__(self) -> None:
        self.first = True

    def __call__(self, fig: Any) -> str:
        html = charts.to_html_fragment(fig, self.first)
        self.first = False
        return f'<div class="chart">{html}</div>'


def _workload_section(r: Report, name: str, g: pd.DataFrame, fig: _Figures) -> str:
    g = g.sort_values("monthly_usd", na_position="last")
    top = g.head(TOP)
    lines = headline(r.results, name) if len(r.scenario.workloads) > 1 else []
    answer = "".join(f'<p class="answer">{escape(x)}</p>' for x in lines[:1])
    refs = f'<ul class="refs">{"".join(f"<li>{escape(x)}</li>" for x in lines[1:])}</ul>' if lines else ""
    parts = [f"<section><h3>{escape(name)}</h3>", answer, refs,
             fig(charts.kind_bars(top)),
             fig(charts.components(top))]
    rows: list[tuple[Any, ...]] = []
    per_task = "task_tokens_multiplier" in top.columns
    for x in row_objs(top):
        hw = x.usd_gpu_rent + x.usd_capex + x.usd_power + x.usd_colocation + x.usd_ops
        tokens = x.usd_input + x.usd_cached_input + x.usd_cache_write + x.usd_output + x.usd_reasoning + x.usd_request_fees
        row: tuple[Any, ...] = (
            x.label, money(x.monthly_usd) if x.monthly_usd == x.monthly_usd else "cannot serve",
            _num(x.usd_per_mtok, "${:,.3f}"), money(tokens) if tokens else "", money(hw) if hw else "",
            _num(x.gpus), _num(x.utilization * 100 if x.utilization == x.utilization else math.nan, "{:.0f}%"),
        )
        rows.append((*row, x.warnings or ""))
    parts.append(_table(("Route", "Per month", "Per 1M tokens", "Token charges", "GPUs, power, ops", "GPUs", "Busy",
                         "Warnings"), rows, num=(1, 2, 3, 4, 5, 6)))
    if per_task:  # the cost-per-task assumption of each route, beside the costs it changed
        parts.append('<p class="note">Tokens / task: each route\'s output and reasoning tokens relative to the '
                     "reference model, and where the figure comes from.</p>")
        parts.append(_table(("Route", "Tokens / task", "Figure and source"),
                            [(x.label, f"x{x.task_tokens_multiplier:.2f}", x.task_tokens_note) for x in row_objs(top)],
                            num=(1,)))
    if len(g) > TOP:
        parts.append(f'<p class="note">{len(g) - TOP} more routes in the CSV.</p>')
    be = r.breakeven[r.breakeven["workload"] == name]
    if len(be):
        parts.append("<h4>Break-even</h4><ul>" + "".join(f"<li>{escape(s)}</li>" for s in be["sentence"]) + "</ul>")
    parts.append("</section>")
    return "".join(parts)


def _sensitivity_section(r: Report, fig: _Figures) -> str:
    out = ["<h2>What could change the answer</h2>",
           '<p class="note">Each driver is moved to the low and the high end of its range, one at a time. '
           "Each bar runs from today's lead of the winner over the best alternative (black line) to its lead "
           "at the low end (light) or the high end (dark) of the range; past the dashed red line another "
           "route wins. Drivers are sorted by how much they move the winner's cost.</p>"]
    labels = dict(zip(r.results["route_id"], r.results["label"], strict=False))
    for scope, t in r.tornado.groupby("scope", sort=False):
        if t.empty or t["base_winner"].isna().all():
            continue
        winner = labels.get(str(t["base_winner"].iloc[0]), str(t["base_winner"].iloc[0]))
        how = " (each workload on its own route, sized separately)" if scope == ALL else ""
        out.append(f"<section><h3>{escape(str(scope))}: winner {escape(winner)}{how}</h3>")
        out.append(fig(charts.tornado([(f"{x.label} ({x.low:g} to {x.high:g} {x.unit})", float(x.margin_low_usd),
                                        float(x.margin_high_usd)) for x in row_objs(t)],
                                      base=float(t["margin_base_usd"].iloc[0]))))
        rows = [(x.label, f"{x.low:g} / {x.high:g} {x.unit}", money(x.margin_low_usd), money(x.margin_high_usd),
                 "yes: " + ", ".join(sorted({labels.get(str(w), str(w)) for w in (x.winner_low, x.winner_high)
                                             if w != x.base_winner})) if x.changes_winner else "no")
                for x in row_objs(t)]
        out.append(_table(("Driver", "Low / high", "Lead at low", "Lead at high", "Winner changes?"), rows, num=(2, 3)))
        out.append("</section>")
    return "".join(out)


def _uncertainty_section(r: Report, fig: _Figures) -> str:
    rg = r.ranges
    out = ["<h2>How sure we are</h2>",
           f'<p class="note">{r.samples:,} samples (seed {r.seed}). P10 to P90 ranges: throughput efficiency '
           f"{rg.efficiency[0]:.2f} to {rg.efficiency[1]:.2f} ({escape(r.efficiency_note)}); volume "
           f"{rg.volume[0]:g} to {rg.volume[1]:g}; API prices {rg.api_price[0]:g} to {rg.api_price[1]:g}; "
           f"GPU prices {rg.gpu_price[0]:g} to {rg.gpu_price[1]:g}; electricity {rg.electricity[0]:g} to "
           f"{rg.electricity[1]:g} (multipliers; all but efficiency are assumptions).</p>"]
    for w, u in r.uncertainty.groupby("workload", sort=False):
        u = u.sort_values("p50_usd", na_position="last").head(8)
        out.append(f"<section><h3>{escape(str(w))}</h3>")
        out.append(fig(charts.ranges([(str(x.label), float(x.p10_usd), float(x.p50_usd), float(x.p90_usd),
                                       str(x.route_kind)) for x in row_objs(u)])))
        out.append(_table(("Route", "P10", "P50", "P90", "Chance cheapest"),
                          [(x.label, money(x.p10_usd), money(x.p50_usd), money(x.p90_usd), f"{x.p_cheapest:.0%}")
                           for x in row_objs(u)], num=(1, 2, 3, 4)))
        out.append("</section>")
    return "".join(out)


def _portfolio_section(r: Report) -> str:
    if len(r.scenario.workloads) < 2 or r.portfolio.empty:
        return ""
    p = r.portfolio.head(TOP)
    out = ["<h2>All workloads together</h2>",
           f'<p class="answer">{escape(r.winners.get(ALL, ""))}</p>',
           '<p class="note">Workloads that self-host the same model share one GPU pool, sized on their summed '
           "hourly load: peaks at different hours do not add.</p>",
           _table(("Route", "Separate pools", "Shared pool", "Saving"),
                  [(x.label, money(x.separate_usd), money(x.pooled_usd), money(x.saving_usd) if x.saving_usd else "")
                   for x in row_objs(p)], num=(1, 2, 3))]
    return "".join(out)


def _api_trend_text(a: Any) -> str:
    if a.api_price_change_per_year is not None:
        return f"API prices change {a.api_price_change_per_year:+.0%} a year (your figure)"
    return (f"API prices change {a.api_trend_closed:+.0%} a year for closed weights and {a.api_trend_open:+.0%} "
            f"for open weights ({a.api_trend_source})")


def _plan_section(r: Report, fig: _Figures) -> str:
    a = r.plan_assumptions
    cash = r.plan[r.plan["view"] == "cash"]
    if cash.empty:
        return ""
    final = cash[cash["month"] == cash["month"].max()].sort_values("cumulative_usd")
    cheapest = final.head(6)
    per_kind = final.drop_duplicates("route_kind")  # the cheapest of each kind is always drawn
    last = pd.concat([cheapest, per_kind]).drop_duplicates("route_id").sort_values("cumulative_usd")
    series = [(str(x.label), str(x.route_kind),
               cash[cash["route_id"] == x.route_id].sort_values("month")["cumulative_usd"].tolist())
              for x in row_objs(last)]
    out = [f"<h2>The next {a.months} months</h2>",
           f'<p class="note">Cumulative cost, cash view (owned GPUs paid when bought). Traffic grows at each '
           f"workload's monthly_growth; {escape(_api_trend_text(a))}; GPU prices change "
           f"{a.gpu_price_change_per_year:+.0%} a year (assumption). Scheduled API price changes are billed "
           f"from their month. Drawn: the six cheapest routes at the end of the plan and the cheapest route of "
           f"every other kind; {max(len(final) - len(last), 0)} more routes are in the CSV.</p>",
           *(f'<p class="warn">{escape(w)}</p>' for w in r.plan.attrs.get("warnings", [])),
           fig(charts.lines(series))]
    ov = r.overtakes
    if len(ov):
        seen = {(x.route_id, x.overtakes_route_id, x.month) for x in row_objs(ov[ov["view"] == "cash"])}
        ov = ov[(ov["view"] == "cash") | ~ov.apply(
            lambda x: (x["route_id"], x["overtakes_route_id"], x["month"]) in seen, axis=1)]
    if len(ov):
        out.append("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in ov["sentence"].head(10)) + "</ul>")
    else:
        out.append("<p>No route overtakes another among the cheapest over the plan.</p>")
    amort = r.plan[(r.plan["view"] == "amortised") & (r.plan["month"] == r.plan["month"].max())]
    rows = [(x.label, money(x.cumulative_usd), money(float(amort[amort["route_id"] == x.route_id]["cumulative_usd"].iloc[0])))
            for x in row_objs(last)]
    out.append(_table(("Route", f"Total over {a.months} months (cash)", "Total (amortised)"), rows, num=(1, 2)))
    return "".join(out)


def _assumptions_section(r: Report) -> str:
    s = r.scenario
    out = ["<h2>Assumptions</h2>", "<h3>Workloads (the scenario author's numbers)</h3>"]

    def cell(w: Any, f: str) -> str:
        v = getattr(w, f)
        if v is None:
            return "not set"
        if f == "hourly_profile":
            return " ".join(f"{x:g}" for x in v)
        return f"{v:,.0f}" if f == "requests_per_month" else f"{v:g}"

    fields = ("requests_per_month", *WORKLOAD_FIELDS)
    out.append(_table(("", *[w.name for w in s.workloads]),
                      [(f.replace("_", " "), *[cell(w, f) for w in s.workloads]) for f in fields]))
    ov = s.overrides
    out.append("<h3>Overrides</h3><ul>" + "".join(
        f"<li>{escape(f.replace('_', ' '))}: {escape(_plain(getattr(ov, f)))}</li>" for f in OVERRIDE_FIELDS) + "</ul>")
    a = r.plan_assumptions
    out.append("<h3>Plan</h3><ul>"
               f"<li>months: {a.months}</li>"
               f"<li>{escape(_api_trend_text(a))}</li>"
               f"<li>GPU price change (rent and purchase): {a.gpu_price_change_per_year:+.0%} a year (assumption)</li>"
               f"<li>owned GPUs amortised over {a.amortization_months:g} months, residual value "
               f"{a.residual_value_fraction:.0%} (data/hosting.yaml owned assumptions)</li></ul>")
    out.append("<h3>Sensitivity ranges</h3><ul>" + "".join(
        f"<li>{escape(str(x.label))}: {x.low:g} to {x.high:g} {escape(str(x.unit))}</li>"
        for x in row_objs(r.tornado.drop_duplicates("driver"))) + "</ul>")
    out.append("<h3>GPU prices</h3><ul>" + "".join(f"<li>{escape(x)}</li>" for x in r.gpu_price_lines) + "</ul>")
    src = r.results.drop_duplicates("route_id").sort_values("route_id")
    out.append("<h3>Price sources</h3>")
    out.append(_table(("Route", "Source", "As of"),
                      [(x.route_id, x.price_source or "", x.price_as_of or "") for x in row_objs(src)]))
    if s.description:
        out.append(f'<p class="note">{escape(s.description)}</p>')
    return "".join(out)


def summary_points(r: Report) -> list[str]:
    """Plain sentences under 'The answer': how sure, what could change it, where it flips."""
    out: list[str] = []
    labels = dict(zip(r.results["route_id"], r.results["label"], strict=False))
    for w, u in r.uncertainty.groupby("workload", sort=False):
        best = u.sort_values("p_cheapest", ascending=False).iloc[0]
        out.append(f"{w}: {best['label']} is cheapest in {best['p_cheapest']:.0%} of {r.samples:,} samples of the "
                   f"uncertain inputs (its monthly cost P10 {money(best['p10_usd'])}, P90 {money(best['p90_usd'])}).")
    flips = r.tornado[r.tornado["changes_winner"]]
    for scope in dict.fromkeys(r.tornado["scope"]):
        f = flips[flips["scope"] == scope]
        if f.empty:
            out.append(f"{scope}: no single driver changes the winner within its range.")
            continue
        parts = []
        for x in row_objs(f):
            ends = [(x.low, x.winner_low), (x.high, x.winner_high)]
            parts += [f"{x.label} at {v:g} {x.unit} ({labels.get(str(wn), str(wn))} wins)"
                      for v, wn in ends if wn != x.base_winner]
        out.append(f"{scope}: the winner changes with " + "; ".join(parts) + ".")
    for x in row_objs(r.breakeven[r.breakeven["status"] == "crossing"].drop_duplicates("workload")):
        out.append(f"{x.workload}: {x.sentence}")
    return out


def to_html(r: Report) -> str:
    """The whole report as one HTML document: inline CSS, plotly.js inline once; nothing loaded from elsewhere."""
    s = r.scenario
    head = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(s.name)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head><body>')
    intro = [f"<h1>{escape(s.name)}</h1>",
             f'<p class="meta">Monthly cost in USD, prices as of each source\'s date; report date {r.today.isoformat()}.</p>']
    if s.description:
        intro.append(f"<p>{escape(s.description)}</p>")
    intro.append("<h2>The answer</h2>")
    names = [w.name for w in s.workloads]
    if len(names) == 1:
        lines = headline(r.results, names[0])
        intro.append(f'<p class="answer">{escape(lines[0])}</p>')
        intro.append('<ul class="refs">' + "".join(f"<li>{escape(x)}</li>" for x in lines[1:]) + "</ul>")
    else:
        intro.extend(f'<p class="answer">{escape(v)}</p>' for k, v in r.winners.items() if k == ALL)
        intro.append('<ul class="refs">' + "".join(f"<li>{escape(headline(r.results, n)[0])}</li>"
                                                  for n in names) + "</ul>")
    if r.task_tokens_line:
        intro.append(f'<p class="note">{escape(r.task_tokens_line)}</p>')
    intro.append("<ul>" + "".join(f"<li>{escape(p)}</li>" for p in summary_points(r)) + "</ul>")
    fig = _Figures()
    sections = [_workload_section(r, str(w), g, fig) for w, g in r.results.groupby("workload", sort=False)]
    body = "".join(intro + sections) + _portfolio_section(r) + _sensitivity_section(r, fig) + \
        _uncertainty_section(r, fig) + _plan_section(r, fig) + _assumptions_section(r)
    return head + body + "</body></html>\n"
