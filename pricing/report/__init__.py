"""Reports a team can keep: CSV (tidy, inert in spreadsheets), JSON and one self-contained HTML file."""

from __future__ import annotations

from pricing.report.build import Report, build_report
from pricing.report.tables import neutralise, results_table, to_csv
from pricing.report.tohtml import to_html
from pricing.report.tojson import report_dict, to_json

__all__ = ["Report", "build_report", "neutralise", "report_dict", "results_table", "to_csv", "to_html", "to_json"]
