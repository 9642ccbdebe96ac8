"""The report's tables, charts and text, built from the engine's figures.

The chapter notebooks import what they show from here. Text from the data reaches the
report only through :mod:`~analysis.report.narrative`, which escapes it for HTML,
Markdown and Typst. Names are imported on first use, so a run that only validates does
not load the table and chart libraries.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each public name and the module that defines it.
_EXPORTS = {
    "heading": "chapters",
    "save_figure": "chapters",
    "theme_name": "chapters",
    "theme_outcomes": "chapters",
    "section": "chapters",
    "measures_with_history": "chapters",
    "report_features": "chapters",
    "exception_grouping": "chapters",
    "requiring_action_level": "chapters",
    "action_status_chart": "charts",
    "headline_chart": "charts",
    "history_chart": "charts",
    "measure_charts": "charts",
    "measure_status_chart": "charts",
    "project_status_chart": "charts",
    "trend_chart": "charts",
    "trend_charts": "charts",
    "SPREADSHEET_NOTE": "extracts",
    "amendments_table": "tables",
    "exceptions_table": "tables",
    "extract_columns_table": "tables",
    "extract_table": "tables",
    "framework_table": "tables",
    "headline_table": "tables",
    "history_table": "tables",
    "key_measures_table": "tables",
    "monitoring_table": "tables",
    "not_rated_table": "tables",
    "progress_table": "tables",
    "requiring_action_table": "tables",
    "risk_matrix_table": "tables",
    "risk_register_table": "tables",
    "risk_scale_table": "tables",
    "scale_table": "tables",
    "score_band_table": "tables",
    "theme_table": "tables",
    "trend_counts_table": "tables",
    "trend_table": "tables",
    "value_state_table": "tables",
    "amendments_text": "text",
    "completed_text": "text",
    "headline_text": "text",
    "improvements_text": "text",
    "priorities_text": "text",
    "risk_changes_text": "text",
    "trend_text": "text",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
