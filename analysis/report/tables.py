"""The report's tables, built with great-tables from the engine's frames.

Every function here returns a :class:`great_tables.GT` that a notebook displays as it
is; none reads a file or calculates a figure of its own (the figures come from
:mod:`analysis.engine.summary`, :mod:`analysis.engine.ratings` and :mod:`analysis.engine.risks`).

Accessibility is built in: every status is shown by its word (and icon) on its colour
through :func:`analysis.report.chips.status_chip_html`, never by colour alone; tables have real
header rows (and row headers where a row has a name); commentary is cleaned by
:func:`analysis.report.narrative.sanitise_html` before it is placed in a cell; any other text
from the data is escaped by great-tables. The words and icons used for kinds of item,
directions of travel and risk movements are presentation settings, read from the
``tables`` section of the dataset's presentation (``analysis/config/presentation/``).

Examples
--------
>>> format_value(68.0, "percent"), format_value(1250, "gbp"), format_value(78.2, "rate_per_10000")
('68%', '£1,250', '78.2 per 10,000')
>>> format_value(float("nan"), "percent", "due_later")
'Data due later'
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import pandas as pd
from great_tables import GT, loc, style

from analysis.config.files import check_keys
from analysis.config.presentation import Presentation, join_words, load_presentation
from analysis.dataset.values import STATE_LABELS, STATE_VALUE
from analysis.engine.action import measures_requiring_action, requiring_action
from analysis.engine.items import amendments_for, list_items, theme_names, updates_for
from analysis.engine.ratings import direction_of_travel
from analysis.engine.risks import risk_matrix, risk_register
from analysis.engine.summary import (
    action_status_counts,
    dataset_measure_values,
    headline_figures,
    monitoring_counts,
    monitoring_notes,
    rated_measures,
    status_changes,
)
from analysis.errors import ConfigError, DataError, WorkbookError
from analysis.quarters import Quarter, parse_quarter
from analysis.report.charts import UnitStyle, load_chart_style
from analysis.report.chips import status_chip_html
from analysis.report.narrative import bounded_html, long_text_settings
from analysis.schema import VOCABULARIES

if TYPE_CHECKING:
    from analysis.config.frameworks import Band, Framework
    from analysis.config.scales import RiskScale, Scale, ScoreBand, Status
    from analysis.dataset.read import Dataset

__all__ = [
    "format_value",
    "monitoring_table",
    "progress_table",
    "headline_table",
    "theme_table",
    "key_measures_table",
    "history_table",
    "trend_table",
    "trend_counts_table",
    "exceptions_table",
    "requiring_action_table",
    "amendments_table",
    "risk_register_table",
    "risk_matrix_table",
    "framework_table",
    "scale_table",
    "risk_scale_table",
    "score_band_table",
    "value_state_table",
    "not_rated_table",
    "extract_columns_table",
    "extract_table",
]


# Why a measure was or was not rated (the ``*_basis`` of analysis.engine.ratings.rate_measures).
_BASIS_WORDS = {
    "rated": "rated: the {value} compared with the {target}",
    "polarity_neither": "not rated: neither a higher nor a lower value is better",
    "baseline": "not rated: the {target} is a baseline",
    "no_target": "not rated: no {target} is set",
    "no_data": "not rated: no {value} for the quarter",
    "no_forecast": "not rated: no {value}",
}


def format_value(value: object, unit: str, state: str = STATE_VALUE, note: object = "") -> str:
    """A measure's value written with its unit, or the words for its state, and its note.

    Parameters
    ----------
    value
        The number (NaN or None when there is none).
    unit
        A unit of :data:`analysis.schema.VOCABULARIES` (``percent``, ``gbp``, ...).
    state
        The value's state (:func:`analysis.dataset.values.parse_value`); anything but
        ``value`` is written in words.
    note
        The note the data gives after the number (``Q3 data`` of ``£1,490,000 (Q3
        data)``), written after it in brackets; none when empty or missing. The result
        is text: whoever places it in HTML escapes it.

    Returns
    -------
    str
        Rounded half up to two decimal places, without trailing zeros, with thousands
        separators and a true minus sign.

    Raises
    ------
    DataError
        For a unit the workbook does not know.

    Examples
    --------
    >>> format_value(17.3, "percent"), format_value(-2500.5, "gbp"), format_value(1, "days")
    ('17.3%', '−£2,500.5', '1 day')
    >>> format_value(255793, "number"), format_value(0.125, "score")
    ('255,793', '0.13')
    >>> format_value(None, "number"), format_value(None, "percent", "baseline")
    ('No data', 'Baseline year')
    >>> format_value(1490000, "gbp", note="Q3 data")
    '£1,490,000 (Q3 data)'
    >>> format_value(3, "furlongs")
    Traceback (most recent call last):
    ...
    analysis.errors.DataError: Unknown unit 'furlongs': use one of percent, number, gbp, ...
    """
    units = _units()
    if unit not in units:
        raise DataError(f"Unknown unit {unit!r}: use one of {', '.join(units)}.")
    number = _number(value)
    if state != STATE_VALUE or number is None:
        words = STATE_LABELS.get(state if state != STATE_VALUE else "missing", str(state))
        text = words[:1].upper() + words[1:]
    else:
        text = units[unit].format(number)
    if isinstance(note, str) and note.strip():
        text += f" ({note.strip()})"
    return text


# ---------------------------------------------------------------------------------------
# Key highlights


def monitoring_table(dataset: Dataset, quarter: Quarter) -> GT:
    """How many items of each kind are monitored in each theme, with totals.

    Where some of the items counted carry no rating this quarter, the count says why,
    e.g. ``2 (1 in closure)``; the words come from the ``not_rated`` presentation
    setting, or the status's label.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> html = monitoring_table(data, parse_quarter("2021-22 Q2")).as_raw_html()
    >>> "1 (1 in closure)" in html and "Priority projects" in html
    True
    """
    counts = monitoring_counts(dataset, quarter)
    themes = theme_names(dataset)
    notes = _not_rated_notes(dataset, quarter)
    rows = []
    for kind in dataset.kinds:
        label = dataset.presentation.kind(kind).heading
        mine = counts[counts["kind"] == kind].set_index("theme")
        row: dict[str, str] = {"kind": label}
        total: dict[str, int] = {}
        for theme in themes:
            n = int(mine.at[theme, "count"]) if theme in mine.index else 0
            theme_notes = notes.get((kind, theme), {})
            for word, count in theme_notes.items():
                total[word] = total.get(word, 0) + count
            row[theme] = _count_with_notes(n, theme_notes)
        row["Total"] = _count_with_notes(int(mine["count"].sum()), total)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["kind", *themes, "Total"])
    return (
        _table(frame, rowname_col="kind", id="monitoring", presentation=dataset.presentation)
        .tab_stubhead("Kind of item")
        .cols_align("right", columns=[*themes, "Total"])
    )


def _not_rated_notes(dataset: Dataset, q: Quarter) -> dict[tuple[str, str], dict[str, int]]:
    """For each kind and theme, the items that need a note, by the words for why."""
    words = _settings(dataset.presentation)["not_rated"]
    notes: dict[tuple[str, str], dict[str, int]] = {}
    for row in monitoring_notes(dataset, q).itertuples(index=False):
        word = words.get(row.note) or dataset.scales.of(row.kind).label(row.note).lower()
        bucket = notes.setdefault((row.kind, row.theme), {})
        bucket[word] = bucket.get(word, 0) + row.count
    return notes


def _count_with_notes(count: int, notes: Mapping[str, int]) -> str:
    if not notes:
        return str(count)
    return f"{count} ({', '.join(f'{n} {word}' for word, n in notes.items())})"


def progress_table(dataset: Dataset, quarter: Quarter) -> GT:
    """The assessment of progress: actions by status (as chips) and theme, with totals.

    A source note gives the all-theme percentage on track or completed, with its
    counts and last quarter's figure, from :func:`analysis.engine.summary.headline_figures`.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> html = progress_table(data, parse_quarter("2021-22 Q2")).as_raw_html()
    >>> "Major slippage" in html and "75% (3 of 4)" in html
    True
    """
    counts = action_status_counts(dataset, quarter)
    themes = [c for c in counts.columns if c not in ("status", "label")]
    scale = dataset.scales.actions
    frame = counts[themes].astype(int).astype(str)
    frame.insert(0, "status", [_chip(scale.status(k)) for k in counts["status"]])
    total = {"status": "Total", **{t: str(int(counts[t].sum())) for t in themes}}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    figures = headline_figures(dataset, quarter)
    figures = figures[figures["kind"] == "action"]
    notes = [
        f"{figure['label']}, across all themes: {_percent_text(figure)}; "
        f"{quarter.previous.short_label}: {_previous_text(figure)}."
        for _, figure in figures.iterrows()
    ]
    table = (
        _table(frame, id="progress", presentation=dataset.presentation)
        .cols_label(status=f"{scale.title} ({quarter.short_label})")
        .fmt(_as_html, columns="status", rows=list(range(len(counts))))
        .cols_align("right", columns=themes)
        .tab_style(style.text(weight="bold"), loc.body(rows=[len(counts)]))
    )
    for note in notes:
        table = table.tab_source_note(note)
    return table


def headline_table(dataset: Dataset, quarter: Quarter) -> GT:
    """The headline figures, each with its numerator, denominator and last quarter's value.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> html = headline_table(data, parse_quarter("2021-22 Q2")).as_raw_html()
    >>> "3 of 4" in html and "Q1 2021/22" in html
    True
    """
    figures = headline_figures(dataset, quarter)
    frame = pd.DataFrame(
        {
            "label": figures["label"],
            "value": [_value_text(r) for _, r in figures.iterrows()],
            "counted": [
                f"{int(r['numerator'])} of {int(r['denominator'])}"
                if r["unit"] == "percent"
                else ""
                for _, r in figures.iterrows()
            ],
            "left_out": [
                str(int(r["left_out"])) if r["unit"] == "percent" else ""
                for _, r in figures.iterrows()
            ],
            "previous": [_previous_text(r) for _, r in figures.iterrows()],
        }
    )
    return (
        _table(frame, rowname_col="label", id="headlines", presentation=dataset.presentation)
        .tab_stubhead("Headline figure")
        .cols_label(
            value=quarter.short_label,
            counted="Counted",
            left_out="Not counted (not rated)",
            previous=quarter.previous.short_label,
        )
        .cols_align("right", columns=["value", "counted", "left_out", "previous"])
    )


def _value_text(row: Mapping[str, Any]) -> str:
    value = row["value"]
    if _number(value) is None:
        return "none rated"
    return f"{value:.0f}%" if row["unit"] == "percent" else f"{value:.0f}"


def _percent_text(row: Mapping[str, Any]) -> str:
    return f"{_value_text(row)} ({int(row['numerator'])} of {int(row['denominator'])})"


def _previous_text(row: Mapping[str, Any]) -> str:
    previous = row["previous_value"]
    if _number(previous) is None:
        return "not available"
    return f"{previous:.0f}%" if row["unit"] == "percent" else f"{previous:.0f}"


# ---------------------------------------------------------------------------------------
# Theme chapters


# The headers of the columns that describe an item, in every table of items.
_ITEM_LABELS = {
    "description": "Item description",
    "kind": "Kind",
    "information": "Supporting information",
}
_THEME_COLUMNS = ["outcome", "description", "kind", "position", "travel", "information"]
_HTML_THEME_COLUMNS = ["kind", "position", "travel", "information"]


def theme_table(dataset: Dataset, quarter: Quarter, theme: str, outcome: str | None = None) -> GT:
    """Every item of a theme with an update this quarter, grouped by outcome, in report order.

    Columns: the item's description (title and id), its kind (word and icon), its
    position this quarter (a status chip; for a measure also its value with its unit,
    the target it was rated against and what the rating is based on; for a risk its
    score), its direction of travel (word and arrow) and the supporting information
    (sanitised commentary).

    Parameters
    ----------
    theme
        The theme's id or name.
    outcome
        One outcome of the theme (id or name): only its items, without the outcome's
        group row (the chapter heads the table with the outcome instead).

    Raises
    ------
    WorkbookError
        If there is no such theme, or no such outcome in it; the message lists them.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> html = theme_table(data, parse_quarter("2021-22 Q2"), "a").as_raw_html()
    >>> "Outcome A1" in html and "110%" in html and "Quarterly target: 100%" in html
    True
    >>> q2 = parse_quarter("2021-22 Q2")
    >>> "Outcome A1" in theme_table(data, q2, "a", outcome="a1").as_raw_html()
    False
    """
    name = _theme_name(dataset, theme)
    rows = _theme_rows(dataset, quarter, name)
    theme_id = dataset["themes"].set_index("name").at[name, "theme_id"]
    table_id = f"theme-{_slug(str(theme_id))}"
    group: str | None = "outcome"
    if outcome is not None:
        outcome_id, outcome_name = _outcome(dataset, str(theme_id), outcome)
        rows = [row for row in rows if row["outcome"] == outcome_name]
        table_id, group = f"{table_id}-{_slug(outcome_id)}", None
    frame = pd.DataFrame(rows, columns=_THEME_COLUMNS)
    if group is None:
        frame = frame.drop(columns="outcome")
    return _with_html(
        _table(
            frame,
            groupname_col=group,
            id=table_id,
            widths="theme",
            presentation=dataset.presentation,
        ).cols_label(
            **_ITEM_LABELS,
            position=f"Position {quarter.short_label}",
            travel="Direction of travel",
        ),
        _HTML_THEME_COLUMNS,
    ).cols_align("left", columns=_THEME_COLUMNS[1:])


def _outcome(dataset: Dataset, theme_id: str, outcome: str) -> tuple[str, str]:
    """The id and name of an outcome of the theme, given its id or name."""
    outcomes = dataset["outcomes"]
    mine = outcomes[outcomes["theme_id"] == theme_id]
    for id_, name in zip(mine["outcome_id"], mine["name"], strict=True):
        if outcome in (id_, name):
            return str(id_), str(name)
    known = ", ".join(f"{i} ({n})" for i, n in zip(mine["outcome_id"], mine["name"], strict=True))
    raise WorkbookError(
        f"The theme {theme_id!r} has no outcome {outcome!r}; its outcomes are: {known}."
    )


def _theme_name(dataset: Dataset, theme: str) -> str:
    themes = dataset["themes"]
    for id_, name in zip(themes["theme_id"], themes["name"], strict=True):
        if theme in (id_, name):
            return str(name)
    known = ", ".join(f"{i} ({n})" for i, n in zip(themes["theme_id"], themes["name"], strict=True))
    raise WorkbookError(f"There is no theme {theme!r}; the themes are: {known}.")


def _theme_rows(dataset: Dataset, q: Quarter, theme: str) -> list[dict[str, str]]:
    builders: dict[str, Callable[[], dict[str, tuple[str, str, str]]]] = {
        "measure": lambda: _measure_cells(dataset, q),
        "action": lambda: _scale_cells(dataset, q, "action"),
        "project": lambda: _scale_cells(dataset, q, "project"),
        "risk": lambda: _risk_cells(dataset, q),
    }
    cells = {kind: build() for kind, build in builders.items() if dataset.holds(kind)}
    items = list_items(dataset)
    rows = []
    for item in items[items["theme"] == theme].itertuples(index=False):
        found = cells.get(item.kind, {}).get(item.id)
        if found is None:
            continue
        position, travel, commentary = found
        kind = dataset.presentation.kind(item.kind)
        rows.append(
            {
                "outcome": item.outcome,
                "description": f"{item.title} ({item.id})",
                "kind": _word_and_icon(kind.label, kind.icon),
                "position": position,
                "travel": travel,
                "information": _long_text(dataset, commentary),
            }
        )
    return rows


def _measure_cells(dataset: Dataset, q: Quarter) -> dict[str, tuple[str, str, str]]:
    rated = rated_measures(dataset, q)
    travel = direction_of_travel(dataset_measure_values(dataset), q).set_index("measure_id")
    framework = dataset.framework
    cells = {}
    for r in rated.to_dict("records"):
        lines = [
            _band_chip(framework, r["quarterly_status"]),
            f"Actual: {_actual(r)}",
            f"Quarterly target: {_target(r, 'quarterly_target')}",
            _basis(r["quarterly_basis"], "actual", "quarterly target").capitalize() + ".",
        ]
        moved = travel.loc[r["measure_id"]] if r["measure_id"] in travel.index else None
        cells[r["measure_id"]] = (
            "<br>".join(_escape_after_first(lines)),
            _measure_travel(moved, q, _settings(dataset.presentation)["directions"]),
            r["commentary"],
        )
    return cells


def _measure_travel(moved: pd.Series | None, q: Quarter, directions: Mapping[str, Any]) -> str:
    if moved is None:
        return _direction(directions["not_comparable"])
    lines = [_direction(directions[moved["vs_previous_quarter"]])]
    if moved["previous_quarter"] and moved["vs_previous_quarter"] != "not_comparable":
        lines[0] += html.escape(f" (on {parse_quarter(moved['previous_quarter']).short_label})")
    if moved["vs_last_year"] != "not_comparable" and moved["last_year_quarter"]:
        last = directions[moved["vs_last_year"]]
        lines.append(
            html.escape(
                f"On {parse_quarter(moved['last_year_quarter']).short_label}: "
                f"{last['label'].lower()}"
            )
        )
    return "<br>".join(lines)


def _scale_cells(dataset: Dataset, q: Quarter, kind: str) -> dict[str, tuple[str, str, str]]:
    scales = dataset.scales
    directions = _settings(dataset.presentation)["directions"]
    changes = status_changes(dataset, q, kind).set_index("id")["change"]
    completion = dataset["actions"].set_index("action_id")["expected_completion"]
    cells = {}
    for r in updates_for(dataset, kind, q).to_dict("records"):
        if kind == "action":
            position = _chip(scales.actions.status(r["status"]))
            due = completion.get(r["id"])
            if due is not None and not pd.isna(due):
                position += "<br>" + html.escape(f"Expected completion: {due:%d %B %Y}")
        else:
            position = (
                f"RAG: {_chip(scales.projects.status(r['rag']))}<br>"
                f"DCA: {_chip(scales.projects.status(r['dca']))}"
            )
        change = changes.get(r["id"], "not_comparable")
        cells[r["id"]] = (
            position,
            _direction(directions.get(change, directions["not_comparable"])),
            r["commentary"],
        )
    return cells


def _risk_cells(dataset: Dataset, q: Quarter) -> dict[str, tuple[str, str, str]]:
    scale = dataset.scales.risks
    movements = _settings(dataset.presentation)["risk_movements"]
    cells = {}
    for r in risk_register(dataset, q).to_dict("records"):
        position = f"{_score_chip(scale.score_band(r['score']), r['score'])}<br>" + html.escape(
            f"Impact {r['impact']} × likelihood {r['likelihood']}"
        )
        cells[r["risk_id"]] = (position, _movement(movements, r), r["commentary"])
    return cells


# ---------------------------------------------------------------------------------------
# Key measures


_KEY_MEASURE_COLUMNS = ["group", "measure", "as_at", "actual", "target", "rating"]


def key_measures_table(dataset: Dataset, quarter: Quarter) -> GT:
    """Every measure with a value this quarter: the date of its data, its actual, the
    target it was rated against, and its rating, by theme in report order.

    The date of the data is the value's ``as_at`` (a month or a day) where the data
    gives one, else the end of the quarter. A measure not rated says why.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> html = key_measures_table(synthetic_dataset(), parse_quarter("2021-22 Q2")).as_raw_html()
    >>> "Measure one (M1)" in html and "September 2021" in html and "110%" in html
    True
    """
    framework = dataset.framework
    rated = rated_measures(dataset, quarter)
    items = list_items(dataset)
    measures = items[items["kind"] == "measure"].set_index("id")
    quarter_end = f"{quarter.period_end:%B %Y}"
    rows = []
    for r in rated.to_dict("records"):
        status = r["quarterly_status"]
        rating = (
            _band_chip(framework, status)
            if isinstance(status, str) and status
            else html.escape(_basis(r["quarterly_basis"], "actual", "quarterly target"))
        )
        rows.append(
            {
                "group": measures.at[r["measure_id"], "theme"],
                "measure": f"{r['title']} ({r['measure_id']})",
                "as_at": r["as_at"] or quarter_end,
                "actual": format_value(
                    r["actual"], r["unit"], r["actual_state"], r.get("actual_note")
                ),
                "target": _target(r, "quarterly_target"),
                "rating": rating,
                "_order": measures.index.get_loc(r["measure_id"]),
            }
        )
    frame = pd.DataFrame(rows, columns=[*_KEY_MEASURE_COLUMNS, "_order"])
    order = {name: i for i, name in enumerate(theme_names(dataset))}
    frame = frame.assign(_group=frame["group"].map(order))
    frame = frame.sort_values(["_group", "_order"], kind="stable")[_KEY_MEASURE_COLUMNS]
    table = _table(
        frame.reset_index(drop=True),
        groupname_col="group",
        id="key-measures",
        presentation=dataset.presentation,
    ).cols_label(
        measure=dataset.presentation.kind("measure").label,
        as_at="Data as at",
        actual="Actual",
        target="Quarterly target",
        rating=f"Rating {quarter.short_label}",
    )
    return (
        _with_html(table, ["rating"])
        .cols_align("right", columns=["actual", "target"])
        .cols_align("left", columns=["measure", "as_at", "rating"])
    )


# ---------------------------------------------------------------------------------------
# Measure history


def history_table(dataset: Dataset, quarter: Quarter, measure_id: str) -> GT:
    """A measure's years: each earlier year's result and target beside the national and
    comparator benchmarks, then this year's actual so far and forecast.

    The rows are :func:`analysis.engine.history.measure_years`'. A source note gives
    the latest benchmark of the measure's values (``benchmark``), where there is one.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> html = history_table(synthetic_dataset(), parse_quarter("2021-22 Q2"), "M1")
    >>> "2021/22" in html.as_raw_html() and "110% at Q2 2021/22" in html.as_raw_html()
    True
    """
    from analysis.engine.history import measure_years

    years = measure_years(dataset, quarter, measure_id)
    unit = str(dataset["measures"].set_index("measure_id").at[measure_id, "unit"])

    def value(r: Mapping[str, Any], column: str) -> str:
        if r[f"{column}_state"] == "missing":
            return ""
        return format_value(r[column], unit, r[f"{column}_state"])

    rows = []
    for r in years.to_dict("records"):
        result = value(r, "actual")
        if r["current"]:
            so_far = f"{result or 'no actual'} at {quarter.short_label}"
            if r["as_at"]:
                so_far += f" (as at {r['as_at']})"
            forecast = value(r, "forecast")
            result = f"{so_far}; forecast {forecast}" if forecast else so_far
        rows.append(
            {
                "year": r["year"],
                "result": result,
                "target": value(r, "target"),
                "national": value(r, "national"),
                "comparator": value(r, "comparator"),
            }
        )
    frame = pd.DataFrame(rows, columns=["year", "result", "target", "national", "comparator"])
    table = (
        _table(
            frame,
            rowname_col="year",
            id=f"history-{_slug(measure_id)}",
            presentation=dataset.presentation,
        )
        .tab_stubhead("Financial year")
        .cols_label(
            result="Result (this year: so far and forecast)",
            target="Target",
            national="National benchmark",
            comparator="Comparator benchmark",
        )
        .tab_spanner("Benchmarks", columns=["national", "comparator"])
        .cols_align("right", columns=["result", "target", "national", "comparator"])
    )
    current = years[years["current"]]
    if not current.empty and current.iloc[0]["benchmark_state"] == STATE_VALUE:
        latest = format_value(current.iloc[0]["benchmark"], unit)
        table = table.tab_source_note(f"Latest benchmark, {quarter.short_label}: {latest}.")
    return table


# ---------------------------------------------------------------------------------------
# Trend over the year


def trend_table(dataset: Dataset, quarter: Quarter, theme: str) -> GT:
    """Each item of a theme with its status in every quarter of the financial year so far.

    One row per item with an update in some quarter of the year so far, grouped by
    outcome in report order; one column per quarter, holding the status chip that
    quarter's report showed (a project's RAG; a measure not rated says why), or "No
    update". The statuses are :func:`analysis.engine.trend.status_history`'s, the rows of
    ``trend.csv``.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> html = trend_table(synthetic_dataset(), parse_quarter("2021-22 Q2"), "a").as_raw_html()
    >>> "Q1 2021/22" in html and "Some slippage" in html and "No update" in html
    True
    """
    from analysis.engine.trend import quarters_so_far, status_history

    name = _theme_name(dataset, theme)
    theme_id = str(dataset["themes"].set_index("name").at[name, "theme_id"])
    history = status_history(dataset, quarter)
    history = history[history["theme"] == name]
    quarters = {q.slug: q.short_label for q in quarters_so_far(quarter)}
    styles = _status_styles(dataset)
    rows = []
    for (kind, item_id), item in history.groupby(["kind", "id"], sort=False):
        words = dataset.presentation.kind(kind)
        held = dict(
            zip(item["quarter"], zip(item["status_key"], item["status"], strict=True), strict=True)
        )
        row = {
            "outcome": item["outcome"].iloc[-1],
            "description": f"{item['title'].iloc[-1]} ({item_id})",
            "kind": _word_and_icon(words.label, words.icon),
        }
        for slug in quarters:
            key, status = held.get(slug, (None, None))
            row[slug] = _trend_cell(styles[kind], key, status)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["outcome", "description", "kind", *quarters])
    return _with_html(
        _table(
            frame,
            groupname_col="outcome",
            id=f"trend-{_slug(theme_id)}",
            presentation=dataset.presentation,
        ).cols_label(
            description=_ITEM_LABELS["description"], kind=_ITEM_LABELS["kind"], **quarters
        ),
        ["kind", *quarters],
    ).cols_align("left", columns=["description", "kind", *quarters])


def trend_counts_table(dataset: Dataset, quarter: Quarter, theme: str | None = None) -> GT:
    """How many items were in each status, quarter by quarter: of one theme, or of all.

    One group of rows per kind of item (in the dataset's order), one row per status (a
    chip, best first), one column per quarter of the year so far, and a total row per
    kind: the counts of :func:`analysis.engine.trend.trend_counts`, summed over the
    themes unless ``theme`` (an id or name) names one.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> table = trend_counts_table(synthetic_dataset(), parse_quarter("2021-22 Q2"), "a")
    >>> html = table.as_raw_html()
    >>> "Some slippage" in html and "Q2 2021/22" in html and "Total" in html
    True
    """
    from analysis.engine.trend import quarters_so_far, trend_counts

    counts = trend_counts(dataset, quarter)
    table_id = "trend-counts"
    if theme is not None:
        name = _theme_name(dataset, theme)
        counts = counts[counts["theme"] == name]
        theme_id = str(dataset["themes"].set_index("name").at[name, "theme_id"])
        table_id = f"trend-counts-{_slug(theme_id)}"
    quarters = {q.slug: q.short_label for q in quarters_so_far(quarter)}
    styles = _status_styles(dataset)
    rows = []
    for kind in dataset.kinds:
        mine = counts[counts["kind"] == kind]
        if mine.empty:
            continue
        name = dataset.presentation.kind(kind).heading
        summed = mine.groupby(["status_key", "quarter"], sort=False)["count"].sum()
        for key in (s.key for s in styles[kind].values() if s.key in set(mine["status_key"])):
            cells = {slug: str(int(summed.get((key, slug), 0))) for slug in quarters}
            rows.append({"group": name, "status": _trend_cell(styles[kind], key, ""), **cells})
        total = mine.groupby("quarter")["count"].sum()
        rows.append(
            {"group": name, "status": "Total", **{s: str(int(total.get(s, 0))) for s in quarters}}
        )
    frame = pd.DataFrame(rows, columns=["group", "status", *quarters])
    totals = [i for i, status in enumerate(frame["status"]) if status == "Total"]
    return (
        _with_html(
            _table(
                frame,
                groupname_col="group",
                id=table_id,
                presentation=dataset.presentation,
            ).cols_label(status="Status", **quarters),
            ["status"],
        )
        .cols_align("right", columns=list(quarters))
        .tab_style(style.text(weight="bold"), loc.body(rows=totals))
    )


def _status_styles(dataset: Dataset) -> dict[str, dict[str, Any]]:
    """Each kind's statuses by ``status_key``."""
    from analysis.engine.trend import kind_statuses

    return {kind: {s.key: s for s in kind_statuses(dataset, kind)} for kind in dataset.kinds}


def _trend_cell(styles: Mapping[str, Any], key: str | None, status: str | None) -> str:
    """A status chip for a key; a measure not rated in words; no update in words."""
    if key is None:
        return "No update"
    found = styles.get(key)
    if found is None or (key == "" and status):
        return html.escape(str(status or "Not rated"))
    return status_chip_html(found.label, found.colour, found.text_colour, found.icon or None)


# ---------------------------------------------------------------------------------------
# Exceptions


_EXCEPTION_COLUMNS = [
    "group", "measure", "quarterly_status", "year_end_status", "quarterly_target", "actual",
    "annual_target", "forecast", "travel", "context", "improvement", "intervention",
]  # fmt: skip
# Columns of the exceptions table whose cells are HTML built or sanitised here.
_HTML_EXCEPTION_COLUMNS = [
    "quarterly_status", "year_end_status", "travel", "context", "improvement", "intervention",
]  # fmt: skip


def exceptions_table(dataset: Dataset, quarter: Quarter, group_by: str = "directorate") -> GT:
    """Every measure rated in a band that calls for action, this quarter or at year end.

    A measure is an exception when its quarterly status or its year-end forecast status
    is one of the framework's ``needs_action`` bands: the rule of
    :func:`analysis.engine.action.measures_requiring_action`, which the items requiring
    action share. Rows are grouped by directorate (or theme) and
    show both statuses as chips, the quarterly target and actual, the annual target and
    forecast, the direction of travel, the commentary as context, and the improvement
    actions and any intervention or review (``improvement_actions`` and ``intervention``
    of the measure's values), each sanitised like the commentary.

    Parameters
    ----------
    group_by
        ``"directorate"`` or ``"theme"``.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> html = exceptions_table(data, parse_quarter("2021-22 Q2"), group_by="theme").as_raw_html()
    >>> "Measure two (M2)" in html, "Measure one (M1)" in html
    (True, False)
    """
    if group_by not in ("directorate", "theme"):
        raise ValueError(f"group_by is 'directorate' or 'theme', not {group_by!r}.")
    framework = dataset.framework
    items = list_items(dataset)
    measures = items[items["kind"] == "measure"].set_index("id")
    travel = direction_of_travel(dataset_measure_values(dataset), quarter).set_index("measure_id")
    rows = []
    for r in measures_requiring_action(dataset, quarter).to_dict("records"):
        group = measures.at[r["measure_id"], "theme"] if group_by == "theme" else r["directorate"]
        unit = r["unit"]
        moved = travel.loc[r["measure_id"]] if r["measure_id"] in travel.index else None
        rows.append(
            {
                "group": group or "Directorate not recorded",
                "measure": f"{r['title']} ({r['measure_id']})",
                "quarterly_status": _band_chip(framework, r["quarterly_status"])
                + "<br>"
                + html.escape(_basis(r["quarterly_basis"], "actual", "quarterly target")),
                "year_end_status": _band_chip(framework, r["year_end_status"])
                + "<br>"
                + html.escape(_basis(r["year_end_basis"], "forecast", "annual target")),
                "quarterly_target": _target(r, "quarterly_target"),
                "actual": _actual(r),
                "annual_target": _target(r, "annual_target"),
                "forecast": format_value(
                    r["forecast"], unit, r["forecast_state"], r.get("forecast_note")
                ),
                "travel": _measure_travel(
                    moved, quarter, _settings(dataset.presentation)["directions"]
                ),
                "context": _long_text(dataset, r["commentary"]),
                "improvement": _long_text(dataset, r["improvement_actions"]),
                "intervention": _long_text(dataset, r["intervention"]),
                "_order": measures.index.get_loc(r["measure_id"]),
            }
        )
    frame = pd.DataFrame(rows, columns=[*_EXCEPTION_COLUMNS, "_order"])
    order = theme_names(dataset) if group_by == "theme" else sorted(set(frame["group"]))
    frame["_group"] = frame["group"].map({g: i for i, g in enumerate(order)})
    frame = frame.sort_values(["_group", "_order"], kind="stable")[_EXCEPTION_COLUMNS]
    table = (
        _table(
            frame.reset_index(drop=True),
            groupname_col="group",
            id="exceptions",
            widths="exceptions",
        )
        .cols_label(
            measure=dataset.presentation.kind("measure").label,
            quarterly_status="Quarterly status",
            year_end_status="Year-end forecast status",
            quarterly_target="Quarterly target",
            actual="Actual",
            annual_target="Annual target",
            forecast="Forecast",
            travel="Direction of travel",
            context="Context",
            improvement="Improvement actions",
            intervention="Intervention or review",
        )
        .tab_spanner("This quarter", columns=["quarterly_target", "actual"])
        .tab_spanner("Year end", columns=["annual_target", "forecast"])
        .cols_align("left", columns=["measure", "quarterly_status", "year_end_status", "travel"])
        .cols_align("left", columns=["context", "improvement", "intervention"])
        .cols_align("right", columns=["quarterly_target", "actual", "annual_target", "forecast"])
    )
    labels = " or ".join(framework.band(k).label for k in framework.needs_action)
    table = table.tab_source_note(
        f"Measures rated {labels} this quarter or forecast to be at year end "
        f"({framework.name}); {len(frame)} in all."
    )
    return _with_html(table, _HTML_EXCEPTION_COLUMNS)


# ---------------------------------------------------------------------------------------
# Items requiring action


_ACTION_TABLE_COLUMNS = [
    "group", "description", "kind", "rating", "information", "improvement", "intervention",
]  # fmt: skip
_HTML_ACTION_TABLE_COLUMNS = ["kind", "rating", "information", "improvement", "intervention"]


def requiring_action_table(dataset: Dataset, quarter: Quarter) -> GT:
    """Every item whose rating this quarter calls for action, by theme, in report order.

    The items are those of :func:`analysis.engine.action.requiring_action`: measures in
    the framework's ``needs_action`` bands this quarter or in their year-end forecast
    (the exceptions' rule), actions and projects in statuses their scale flags
    ``needs_action``. Columns: the item, its kind, its rating (a measure's quarterly
    and year-end forecast chips, a project's RAG and DCA, an action's status), its
    owner's supporting information, and for a measure its improvement actions and any
    intervention or review, each sanitised like the commentary.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> html = requiring_action_table(synthetic_dataset(), parse_quarter("2021-22 Q2"))
    >>> html = html.as_raw_html()
    >>> "Action two (A2)" in html and "Measure two (M2)" in html and "DCA:" in html
    True
    """
    found = requiring_action(dataset, quarter)
    framework, scales = dataset.framework, dataset.scales
    rows = []
    for r in found.to_dict("records"):
        words = dataset.presentation.kind(r["kind"])
        if r["kind"] == "measure":
            rating = (
                f"Quarterly: {_band_chip(framework, r['status_key'])}<br>"
                f"Year-end forecast: {_band_chip(framework, r['second_key'])}"
            )
        elif r["kind"] == "project":
            rating = (
                f"RAG: {_chip(scales.projects.status(r['status_key']))}<br>"
                f"DCA: {_chip(scales.projects.status(r['second_key']))}"
            )
        else:
            rating = _chip(scales.actions.status(r["status_key"]))
        rows.append(
            {
                "group": r["theme"],
                "description": f"{r['title']} ({r['id']})",
                "kind": _word_and_icon(words.label, words.icon),
                "rating": rating,
                "information": _long_text(dataset, r["commentary"]),
                "improvement": _long_text(dataset, r["improvement_actions"]),
                "intervention": _long_text(dataset, r["intervention"]),
            }
        )
    frame = pd.DataFrame(rows, columns=_ACTION_TABLE_COLUMNS)
    order = {name: i for i, name in enumerate(theme_names(dataset))}
    frame = frame.sort_values("group", key=lambda g: g.map(order), kind="stable")
    table = _table(
        frame.reset_index(drop=True),
        groupname_col="group",
        id="requiring-action",
        widths="requiring_action",
        presentation=dataset.presentation,
    ).cols_label(
        **_ITEM_LABELS,
        rating=f"Rating {quarter.short_label}",
        improvement="Improvement actions",
        intervention="Intervention or review",
    )
    kinds = [k for k in ("measure", "action", "project") if dataset.holds(k)]
    parts = []
    for kind in kinds:
        plural = dataset.presentation.kind(kind).plural
        if kind == "measure":
            labels = [framework.band(k).label for k in framework.needs_action]
            parts.append(f"{plural} rated {_or(labels)} this quarter or at year end")
        else:
            scale = scales.of(kind)
            labels = [scale.label(k) for k in scale.needs_action]
            verb = "with a RAG or DCA of" if kind == "project" else "assessed as"
            parts.append(f"{plural} {verb} {_or(labels)}")
    note = "; ".join(parts)
    table = table.tab_source_note(f"{note[:1].upper()}{note[1:]}; {len(frame)} in all.")
    return _with_html(table, _HTML_ACTION_TABLE_COLUMNS).cols_align(
        "left", columns=_ACTION_TABLE_COLUMNS[1:]
    )


def _or(labels: Sequence[str]) -> str:
    return join_words(list(labels), "or")


# ---------------------------------------------------------------------------------------
# Plan amendments


_AMENDMENT_COLUMNS = ["amendment", "item", "change", "description"]


def amendments_table(dataset: Dataset, quarter: Quarter) -> GT:
    """The plan amendments put to Cabinet for approval this quarter, in the data's order.

    Columns: the amendment's id; the item it changes (its kind's label, title and id; the
    id alone for an item the plan does not hold); the change, in the presentation's
    words (``tables: amendment_changes``); and what is proposed and why, sanitised like
    the commentary. A quarter without amendments gives a table without rows (the
    chapter says so in words instead: :func:`analysis.report.text.amendments_text`).

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> html = amendments_table(synthetic_dataset(), parse_quarter("2021-22 Q2")).as_raw_html()
    >>> "Measure: Measure three (M3)" in html and ">Delete<" in html
    True
    """
    changes = _settings(dataset.presentation)["amendment_changes"]
    rows = []
    for r in amendments_for(dataset, quarter).to_dict("records"):
        label = dataset.presentation.kind(r["item_kind"]).label
        item = f"{r['title']} ({r['item_id']})" if r["title"] else str(r["item_id"])
        rows.append(
            {
                "amendment": html.escape(str(r["amendment_id"])),
                "item": html.escape(f"{label}: {item}"),
                "change": html.escape(changes[r["change"]]),
                "description": _long_text(dataset, r["description"]),
            }
        )
    frame = pd.DataFrame(rows, columns=_AMENDMENT_COLUMNS)
    table = _table(
        frame,
        id="amendments",
        widths="amendments",
        presentation=dataset.presentation,
    ).cols_label(
        amendment="Amendment",
        item="Item",
        change="Proposed change",
        description="What is proposed, and why",
    )
    return _with_html(table, _AMENDMENT_COLUMNS).cols_align("left", columns=_AMENDMENT_COLUMNS)


# ---------------------------------------------------------------------------------------
# Strategic risks


_REGISTER_COLUMNS = [
    "risk_id", "title", "risk_type", "impact", "likelihood", "score", "previous_score",
    "movement", "commentary",
]  # fmt: skip


def risk_register_table(dataset: Dataset, quarter: Quarter) -> GT:
    """The strategic risk register this quarter, in report order.

    Columns: ID, title, type, impact and likelihood (number and word), score (as a chip
    of its score band), previous score, movement (word and icon) and commentary. Risks
    de-escalated or closed this quarter are listed with that movement.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> html = risk_register_table(data, parse_quarter("2021-22 Q2")).as_raw_html()
    >>> "4 (Very high)" in html and "12 High" in html and "Escalated" in html
    True
    """
    scale = dataset.scales.risks
    movements = _settings(dataset.presentation)["risk_movements"]
    rows = []
    for r in risk_register(dataset, quarter).to_dict("records"):
        rtype = r["risk_type"]
        previous = r["previous_score"]
        rows.append(
            {
                "risk_id": r["risk_id"],
                "title": r["title"],
                "risk_type": rtype.capitalize(),
                "impact": f"{r['impact']} ({scale.words(rtype, 'impact')[r['impact'] - 1]})",
                "likelihood": (
                    f"{r['likelihood']} ({scale.words(rtype, 'likelihood')[r['likelihood'] - 1]})"
                ),
                "score": _score_chip(scale.score_band(r["score"]), r["score"]),
                "previous_score": "" if pd.isna(previous) else str(int(previous)),
                "movement": _movement(movements, r),
                "commentary": _long_text(dataset, r["commentary"]),
            }
        )
    frame = pd.DataFrame(rows, columns=_REGISTER_COLUMNS)
    table = (
        _table(frame, id="risk-register", widths="risk_register", presentation=dataset.presentation)
        .cols_label(
            risk_id="ID",
            title="Risk",
            risk_type="Type",
            impact="Impact",
            likelihood="Likelihood",
            score="Score",
            previous_score=f"Score {quarter.previous.short_label}",
            movement="Movement",
            commentary="Commentary",
        )
        .cols_align("left", columns=[c for c in _REGISTER_COLUMNS if c != "previous_score"])
        .cols_align("right", columns="previous_score")
    )
    return _with_html(table, ["score", "movement", "commentary"])


def risk_matrix_table(dataset: Dataset, quarter: Quarter, risk_type: str) -> GT:
    """A 4×4 risk matrix as a table: impact down the side, likelihood across the top.

    Each cell is coloured by its score band (with the band's configured text colour)
    and shows its score, the band's name, the number of risks and their ids, so that
    it reads the same without colour. Only risks on the register are counted.

    Parameters
    ----------
    risk_type
        ``"threat"`` or ``"opportunity"``.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> html = risk_matrix_table(data, parse_quarter("2021-22 Q2"), "threat").as_raw_html()
    >>> "1 risk: R1" in html and "4 Very high" in html and "background-color: #D4351C" in html
    True
    """
    if risk_type not in ("threat", "opportunity"):
        raise ValueError(f"risk_type is 'threat' or 'opportunity', not {risk_type!r}.")
    scale = dataset.scales.risks
    cells = risk_matrix(risk_register(dataset, quarter), risk_type, scale)
    columns = [f"l{n}" for n in (1, 2, 3, 4)]
    rows = []
    for impact, group in cells.groupby("impact", sort=False):
        row = {"impact": f"{impact} {group['impact_label'].iat[0]}"}
        for c in group.to_dict("records"):
            row[f"l{c['likelihood']}"] = _matrix_cell(c)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["impact", *columns])
    words = scale.words(risk_type, "likelihood")
    table = (
        _table(
            frame,
            rowname_col="impact",
            id=f"risk-matrix-{risk_type}",
            presentation=dataset.presentation,
        )
        .tab_stubhead("Impact")
        .cols_label(**{f"l{n}": f"{n} {words[n - 1]}" for n in (1, 2, 3, 4)})
        .tab_spanner("Likelihood", columns=columns)
    )
    for i, row in enumerate(cells.to_dict("records")):
        table = table.tab_style(
            [style.fill(color=row["colour"]), style.text(color=row["text_colour"])],
            loc.body(columns=f"l{row['likelihood']}", rows=[i // 4]),
        )
    return _with_html(table, columns)


def _matrix_cell(cell: Mapping[str, Any]) -> str:
    count = int(cell["count"])
    risks = f"{count} risk{'s' if count != 1 else ''}"
    if count:
        risks += f": {cell['risk_ids']}"
    return f"<strong>{cell['score']}</strong> {html.escape(cell['band'])}<br>{html.escape(risks)}"


# ---------------------------------------------------------------------------------------
# Methodology


def framework_table(framework: Framework) -> GT:
    """The measure-rating framework's bands, best first, from its configuration.

    Examples
    --------
    >>> from analysis.config.frameworks import load_framework
    >>> html = framework_table(load_framework("derby-city-2021-22")).as_raw_html()
    >>> "−2% ≤ d &lt; +10%" in html and "Blue" in html
    True
    """
    rules = dict(framework.describe())
    frame = pd.DataFrame(
        {
            "band": [_chip(b) for b in framework.bands],
            "rule": [rules[b.label] for b in framework.bands],
            "description": [b.description for b in framework.bands],
            "met": ["Yes" if b.key in framework.met else "No" for b in framework.bands],
            "action": ["Yes" if b.key in framework.needs_action else "No" for b in framework.bands],
        }
    )
    return (
        _table(frame, id="framework", widths="framework")
        .cols_label(
            band="Band",
            rule="Rule (d: difference from target)",
            description="Meaning",
            met="Counts as met",
            action="Calls for action",
        )
        .fmt(_as_html, columns="band")
        .tab_source_note(f"{framework.name}: {framework.description} d is the {framework.basis}.")
    )


def scale_table(scale: Scale) -> GT:
    """A status scale (actions or projects), best first, from its configuration.

    Examples
    --------
    >>> from analysis.config.scales import load_scales
    >>> html = scale_table(load_scales("derby-city").actions).as_raw_html()
    >>> "Some slippage" in html and "Counted in percentages" in html
    True
    """
    frame = pd.DataFrame(
        {
            "status": [_chip(s) for s in scale.statuses],
            "description": [s.description for s in scale.statuses],
            "rated": ["Yes" if s.rated else "No" for s in scale.statuses],
            "good": ["Yes" if s.on_track or s.key in scale.good else "No" for s in scale.statuses],
            "action": ["Yes" if s.key in scale.needs_action else "No" for s in scale.statuses],
        }
    )
    return (
        _table(frame, id=f"scale-{_slug(scale.title)}", widths="scale")
        .cols_label(
            status="Status",
            description="Meaning",
            rated="Counted in percentages",
            good="Counts towards the headline",
            action="Calls for action",
        )
        .fmt(_as_html, columns="status")
        .tab_source_note(scale.title)
    )


def risk_scale_table(risks: RiskScale) -> GT:
    """The words for impact and likelihood, 1 to 4, of threats and opportunities.

    Examples
    --------
    >>> from analysis.config.scales import load_scales
    >>> html = risk_scale_table(load_scales("derby-city").risks).as_raw_html()
    >>> "Highly probable" in html and "Insignificant" in html
    True
    """
    frame = pd.DataFrame(
        {
            "value": ["1", "2", "3", "4"],
            **{
                f"{t}_{a}": list(risks.words(t, a))
                for t in ("threat", "opportunity")
                for a in ("impact", "likelihood")
            },
        }
    )
    return (
        _table(frame, rowname_col="value", id="risk-scales")
        .tab_stubhead("Value")
        .cols_label(
            threat_impact="Impact",
            threat_likelihood="Likelihood",
            opportunity_impact="Impact",
            opportunity_likelihood="Likelihood",
        )
        .tab_spanner("Threats", columns=["threat_impact", "threat_likelihood"])
        .tab_spanner("Opportunities", columns=["opportunity_impact", "opportunity_likelihood"])
        .tab_source_note("A risk's score is its impact multiplied by its likelihood (1 to 16).")
    )


def score_band_table(risks: RiskScale) -> GT:
    """The risk score bands that colour the matrices, with the scores each holds.

    Examples
    --------
    >>> from analysis.config.scales import load_scales
    >>> html = score_band_table(load_scales("derby-city").risks).as_raw_html()
    >>> "9 to 16" in html and "Medium" in html
    True
    """
    frame = pd.DataFrame(
        {
            "band": [status_chip_html(b.name, b.colour, b.text_colour) for b in risks.score_bands],
            "scores": [f"{b.min} to {b.max}" for b in risks.score_bands],
        }
    )
    return (
        _table(frame, id="score-bands")
        .cols_label(band="Score band", scores="Scores")
        .fmt(_as_html, columns="band")
    )


def value_state_table(dataset: Dataset | None = None) -> GT:
    """The states a measure's value can take, how the report writes each, and whether it
    can be rated (only a number can).

    Given the dataset, the table also lists the words the dataset uses for each state of
    its own (``value_states`` of ``dataset.yml``).

    Examples
    --------
    >>> html = value_state_table().as_raw_html()
    >>> "Data due later" in html and "Baseline year" in html
    True
    """
    states = [s for s in STATE_LABELS if s != STATE_VALUE]
    frame = pd.DataFrame(
        {
            "state": ["A number", *(format_value(None, "number", s) for s in states)],
            "rated": [
                "Yes, when the value it is compared with is a number too",
                *("No: the measure is not rated (see below)" for _ in states),
            ],
        }
    )
    own = dict(getattr(dataset, "value_states", None) or {})
    if own:  # the dataset's words, as text (great-tables escapes them)
        words = {s: "; ".join(w for w, state in own.items() if state == s) for s in states}
        frame["words"] = ["", *(words[s] for s in states)]
    table = _table(frame, id="value-states").cols_label(
        state="Value as the report shows it", rated="Rated"
    )
    if own:
        table = table.cols_label(words="Written in this dataset's data as")
    return table.tab_source_note(
        "An actual, target or forecast is either a number or one of these states; "
        "a state is shown in words wherever the value would be. A number may have a "
        "note in brackets after it, shown with it (e.g. 68% (provisional)); it is "
        "rated on the number."
    )


def not_rated_table() -> GT:
    """Why a measure may not be rated, in the words the theme chapters use.

    A measure that is not rated is left out of every percentage, and the headline
    figures say how many were left out.

    Examples
    --------
    >>> html = not_rated_table().as_raw_html()
    >>> "neither a higher nor a lower value is better" in html
    True
    """
    rows = [
        {"rating": "Quarterly status", "basis": _basis(b, "actual", "quarterly target")}
        for b in _BASIS_WORDS
        if b != "no_forecast"
    ]
    rows += [
        {"rating": "Year-end forecast status", "basis": _basis(b, "forecast", "annual target")}
        for b in _BASIS_WORDS
        if b not in ("no_data",)
    ]
    frame = pd.DataFrame(rows, columns=["rating", "basis"])
    frame["basis"] = frame["basis"].map(lambda text: text[:1].upper() + text[1:])
    return (
        _table(frame, groupname_col="rating", id="not-rated")
        .cols_label(basis="What the rating is based on")
        .tab_source_note(
            "A measure that is not rated is left out of every percentage; the headline "
            "figures say how many were left out."
        )
    )


# ---------------------------------------------------------------------------------------
# Data


def extract_columns_table(name: str, dataset: Dataset | None = None) -> GT:
    """The columns of a data extract (``statuses.csv``, ``headlines.csv``) and their meaning,
    for the kinds of item ``dataset`` holds (every kind when None).

    Examples
    --------
    >>> html = extract_columns_table("headlines.csv").as_raw_html()
    >>> "previous_value" in html and "What it holds" in html
    True
    """
    from analysis.report.extracts import extract_columns

    columns = extract_columns(name, dataset.kinds) if dataset else extract_columns(name)
    presentation = dataset.presentation if dataset else None
    return (
        _table(
            columns,
            id=f"columns-{_slug(name)}",
            widths="extract_columns",
            presentation=presentation,
        )
        .cols_label(column="Column", meaning="What it holds")
        .tab_source_note(name)
    )


def extract_table(dataset: Dataset, quarter: Quarter, name: str) -> GT:
    """One data extract (``headlines.csv`` or ``statuses.csv``) as the report shows it.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> "actions_on_track_or_completed" in extract_table(data, parse_quarter("2021-22 Q2"),
    ...                                                  "headlines.csv").as_raw_html()
    True
    """
    from analysis.report.extracts import extracts

    frame = extracts(dataset, quarter)[name].astype(object).where(lambda f: f.notna(), "")
    return _table(frame.astype(str), id=f"extract-{_slug(name)}").tab_source_note(name)


# ---------------------------------------------------------------------------------------
# Presentation settings and cell helpers


def _table(
    frame: pd.DataFrame,
    *,
    id: str,
    widths: str | None = None,
    presentation: Presentation | None = None,
    **options: Any,
) -> GT:
    """A great-tables table in the report's font and size, with its configured widths.

    The font is the charts' (``charts: font_family`` of the presentation), so that a
    table and a chart read alike and the PDF uses a font it really has; ``widths`` names
    an entry of ``tables: column_widths`` (per cent of the table's width, by column).
    ``presentation`` is the dataset's; the standard one when None.
    """
    presentation = presentation or _standard()
    settings = _settings(presentation)
    table = (
        _with_object_cells(GT(frame, id=id, **options))
        .tab_options(
            table_font_names=list(load_chart_style(presentation).font_family),
            table_font_size=settings["font_size"],
        )
        # a long row reads from its top, in HTML and PDF alike
        .opt_css(f"#{id} .gt_row {{ vertical-align: top; }}")
    )
    if widths is None:
        return table
    columns = settings["column_widths"].get(widths)
    where = f"{presentation.where}: tables: column_widths"
    if columns is None:
        raise ConfigError(
            f"{where} has no entry {widths!r}; the table {id!r} needs one (per cent of the "
            "table's width, by column)."
        )
    unknown = sorted(set(columns) - set(frame.columns))
    if unknown:
        raise ConfigError(
            f"{where}: {widths}: no such column(s) {', '.join(unknown)}; the table has "
            f"{', '.join(map(str, frame.columns))}."
        )
    return table.cols_width({column: f"{share}%" for column, share in columns.items()})


def _with_object_cells(table: GT) -> GT:
    """``table`` with the frame great-tables writes its formatted cells into made of
    plain Python objects.

    great-tables writes each cell's text into that frame on its own, and makes it of
    pandas' string type, into which each write costs more the longer the column (a
    10,000-row table: 6.7 s instead of 1.7 s). The table it renders is the same
    (``tests/test_tables.py`` checks it). This reaches into great-tables' own data
    (``_body``), whose version is pinned.
    """
    from great_tables._gt_data import Body

    body = table._body.body
    cells = pd.DataFrame(pd.NA, index=body.index, columns=body.columns, dtype=object)
    return table._replace(_body=Body(cells))


@cache
def _standard() -> Presentation:
    """The standard presentation, for tables drawn without a dataset."""
    return load_presentation()


def _units(presentation: Presentation | None = None) -> Mapping[str, UnitStyle]:
    """How each unit is written: the ``units`` of the presentation, shared with charts."""
    return load_chart_style(presentation or _standard()).units


@cache
def _settings(presentation: Presentation) -> dict[str, Any]:
    """The ``tables`` section of a presentation, checked."""
    where = f"{presentation.where}: tables"
    tables = presentation.settings["tables"]
    check_keys(
        tables,
        where,
        required=("directions", "risk_movements", "not_rated"),
        optional=("font_size", "column_widths", "long_text", "amendment_changes"),
    )
    changes = tables.get("amendment_changes") or {}
    check_keys(changes, f"{where}: amendment_changes", optional=VOCABULARIES["amendment_change"])
    for key, label in changes.items():
        if not isinstance(label, str) or not label.strip():
            raise ConfigError(
                f"{where}: amendment_changes: {key}: a word is needed, got {label!r}."
            )
    widths = tables.get("column_widths") or {}
    check_keys(widths, f"{where}: column_widths", optional=widths)
    for name, columns in widths.items():
        check_keys(columns, f"{where}: column_widths: {name}", optional=columns or ())
        shares = list((columns or {}).values())
        if not all(isinstance(v, int | float) and v > 0 for v in shares) or sum(shares) > 100:
            raise ConfigError(
                f"{where}: column_widths: {name}: each width is a positive per cent of the "
                f"table's width, together at most 100; got {columns!r}."
            )
    _check_words(tables["directions"], f"{where}: directions", _DIRECTIONS)
    _check_words(tables["risk_movements"], f"{where}: risk_movements", _MOVEMENTS)
    check_keys(tables["not_rated"], f"{where}: not_rated", optional=tables["not_rated"] or ())
    return {
        **tables,
        "long_text": long_text_settings(tables.get("long_text"), f"{where}: long_text"),
        "font_size": str(tables.get("font_size") or "14px"),
        "column_widths": widths,
        "not_rated": {str(k): str(v) for k, v in (tables["not_rated"] or {}).items()},
        # a change the presentation leaves unnamed is called by its key, capitalised
        "amendment_changes": {
            key: str(changes.get(key) or key.capitalize())
            for key in VOCABULARIES["amendment_change"]
        },
    }


def _long_text(dataset: Dataset, text: object) -> str:
    """Text from the data for a table cell: sanitised, and cut (with its note) when long."""
    limit, note = _settings(dataset.presentation)["long_text"]
    return bounded_html(text, limit, note)


_DIRECTIONS = (
    "improving", "deteriorating", "no_change", "not_comparable",
    "improved", "declined", "unchanged", "changed", "new", "removed",
)  # fmt: skip
_MOVEMENTS = (
    "new", "escalated", "de-escalated", "closed", "redefined", "increased", "reduced",
    "unchanged",
)  # fmt: skip


def _check_words(data: Any, where: str, keys: Sequence[str] | Mapping[str, Any]) -> None:
    check_keys(data, where, required=list(keys))
    for key in keys:
        check_keys(data[key], f"{where}: {key}", required=("label", "icon"))
        if not str(data[key]["label"]).strip():
            raise ConfigError(f"{where}: {key}: a label is needed; icons alone are not enough.")


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _chip(status: Status | Band) -> str:
    return status_chip_html(status.label, status.colour, status.text_colour, status.icon)


def _band_chip(framework: Framework, key: object) -> str:
    if isinstance(key, str) and key:
        return _chip(framework.band(key))
    return "Not rated"


def _score_chip(band: ScoreBand, score: int) -> str:
    return status_chip_html(f"{score} {band.name}", band.colour, band.text_colour)


def _actual(row: Mapping[str, Any]) -> str:
    """A measure's actual in words, with the month or day it is as at when the data says."""
    text = format_value(row["actual"], row["unit"], row["actual_state"], row.get("actual_note"))
    return f"{text} (as at {row['as_at']})" if row.get("as_at") else text


def _target(row: Mapping[str, Any], column: str) -> str:
    """A target in words; an empty target cell means no target is set."""
    state = "no_target" if row[f"{column}_state"] == "missing" else row[f"{column}_state"]
    return format_value(row[column], row["unit"], state, row.get(f"{column}_note"))


def _basis(basis: object, value: str, target: str) -> str:
    template = _BASIS_WORDS.get(str(basis), "not rated")
    return template.format(value=value, target=target)


def _word_and_icon(label: str, icon: str) -> str:
    mark = f'<span aria-hidden="true">{html.escape(icon)}</span> ' if icon else ""
    return f"{mark}{html.escape(label)}"


def _direction(word: Mapping[str, str]) -> str:
    return _word_and_icon(word["label"], word["icon"])


def _movement(movements: Mapping[str, Mapping[str, str]], row: Mapping[str, Any]) -> str:
    word = movements.get(row["movement"], {"label": str(row["movement"]), "icon": ""})
    text = _word_and_icon(word["label"], word["icon"])
    previous = row["previous_score"]
    if row["movement"] in ("increased", "reduced") and not pd.isna(previous):
        text += html.escape(f" (from {int(previous)} to {row['score']})")
    return text


def _escape_after_first(lines: list[str]) -> list[str]:
    """The first line is a chip (HTML already); the rest are text to escape."""
    return [lines[0], *(html.escape(line) for line in lines[1:])]


def _as_html(value: object) -> str:
    """Mark a cell's value as HTML built here (already escaped or sanitised)."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _with_html(table: GT, columns: list[str]) -> GT:
    return table.fmt(_as_html, columns=columns)


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())
