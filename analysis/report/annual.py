"""The annual results report: each item's result this year beside last year's.

Made for the year's last quarter (or on request, ``--annual-results``) as a document of
its own beside the book. Per directorate (when every item records one; else per theme),
each measure's actual and rating, and each action's and project's status, in the
report's quarter beside the same a year before:

- a measure's last year is its ``measure_history`` row for the previous financial year,
  or else its value in the same quarter of the previous year;
- an action's or project's last year is its update in the same quarter of the previous
  year (a project by its RAG); an item with none was not in last year's plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.config.presentation import join_words
from analysis.dataset.values import STATE_LABELS, STATE_VALUE
from analysis.engine.items import list_items, updates_for
from analysis.engine.summary import rated_measures
from analysis.quarters import Quarter
from analysis.report.narrative import markdown_text

if TYPE_CHECKING:
    from analysis.dataset.read import Dataset

__all__ = [
    "ANNUAL_COLUMNS",
    "NOT_LAST_YEAR",
    "annual_results",
    "annual_grouping",
    "annual_results_markdown",
]

#: The columns of :func:`annual_results`.
ANNUAL_COLUMNS = ("group", "id", "kind", "title", "last_year", "this_year")
#: What an item without last year's result says.
NOT_LAST_YEAR = "not in last year's plan"


def annual_grouping(dataset: Dataset) -> str:
    """``directorate`` when every measure, action and project records one, else ``theme``."""
    items = []
    for kind, table in (("measure", "measures"), ("action", "actions"), ("project", "projects")):
        if dataset.holds(kind):
            items.append(dataset[table]["directorate"].astype(str).str.strip())
    recorded = pd.concat(items) if items else pd.Series(dtype=str)
    return "directorate" if len(recorded) and (recorded != "").all() else "theme"


def annual_results(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """One row per measure, action and project with an update in ``quarter``: its group
    (directorate or theme, :func:`annual_grouping`), id, kind, title, and last year's
    and this year's result in words. Rows in group order, then report order.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> from analysis.quarters import parse_quarter
    >>> rows = annual_results(synthetic_dataset(), parse_quarter("2021-22 Q2"))
    >>> rows.loc[rows["id"] == "M1", ["last_year", "this_year"]].iloc[0].tolist()
    ["not in last year's plan", '110% (Blue)']
    """
    last = quarter.same_quarter_last_year
    grouping = annual_grouping(dataset)
    found: dict[tuple[str, str], tuple[str, str]] = {}
    if dataset.holds("measure"):
        found.update(_measure_results(dataset, quarter, last))
    for kind in ("action", "project"):
        if dataset.holds(kind):
            found.update(_scale_results(dataset, kind, quarter, last))
    items = list_items(dataset)
    directorates = {}
    for kind, table, id_col in (
        ("measure", "measures", "measure_id"),
        ("action", "actions", "action_id"),
        ("project", "projects", "project_id"),
    ):
        if dataset.holds(kind):
            frame = dataset[table]
            directorates.update(
                {
                    (kind, i): str(d)
                    for i, d in zip(frame[id_col], frame["directorate"], strict=True)
                }
            )
    rows = []
    for item in items.itertuples(index=False):
        result = found.get((item.kind, item.id))
        if result is None:
            continue
        group = directorates[(item.kind, item.id)] if grouping == "directorate" else item.theme
        rows.append((group, item.id, item.kind, item.title, *result))
    frame = pd.DataFrame(rows, columns=list(ANNUAL_COLUMNS))
    if grouping == "directorate":
        order = {g: i for i, g in enumerate(sorted(set(frame["group"])))}
        frame = frame.sort_values("group", key=lambda g: g.map(order), kind="stable")
    return frame.reset_index(drop=True)


def _measure_results(
    dataset: Dataset, quarter: Quarter, last: Quarter
) -> dict[tuple[str, str], tuple[str, str]]:
    from analysis.report.tables import format_value

    framework = dataset.framework
    history = dataset["measure_history"]
    earlier = history[history["year"] == last.year_label] if len(history) else history
    by_year = {r["measure_id"]: r for r in earlier.to_dict("records")}
    before = {r["measure_id"]: r for r in rated_measures(dataset, last).to_dict("records")}

    def said(value: object, state: str, unit: str, band: object = None) -> str:
        text = format_value(value, unit, state) if state != "missing" else STATE_LABELS[state]
        if isinstance(band, str) and band:
            text += f" ({framework.band(band).label})"
        return text

    results = {}
    for r in rated_measures(dataset, quarter).to_dict("records"):
        unit = r["unit"]
        now = said(r["actual"], r["actual_state"], unit, r["quarterly_status"])
        if r["measure_id"] in by_year and by_year[r["measure_id"]]["actual_state"] != "missing":
            h = by_year[r["measure_id"]]
            then = said(h["actual"], h["actual_state"], unit)
            if h["target_state"] == STATE_VALUE:
                then += f"; target {format_value(h['target'], unit)}"
        elif r["measure_id"] in before:
            b = before[r["measure_id"]]
            then = said(b["actual"], b["actual_state"], unit, b["quarterly_status"])
        else:
            then = NOT_LAST_YEAR
        results[("measure", r["measure_id"])] = (then, now)
    return results


def _scale_results(
    dataset: Dataset, kind: str, quarter: Quarter, last: Quarter
) -> dict[tuple[str, str], tuple[str, str]]:
    scale = dataset.scales.of(kind)
    field = "status" if kind == "action" else "rag"
    before = updates_for(dataset, kind, last).set_index("id")[field]
    return {
        (kind, r["id"]): (
            scale.label(before[r["id"]]) if r["id"] in before.index else NOT_LAST_YEAR,
            scale.label(r[field]),
        )
        for r in updates_for(dataset, kind, quarter).to_dict("records")
    }


def annual_results_markdown(dataset: Dataset, quarter: Quarter) -> str:
    """The annual results report's body: an introduction, then a table per group.

    Every text from the data is escaped (:func:`analysis.report.narrative.markdown_text`),
    so the tables stay tables.
    """
    from analysis.report.chapters import heading

    words = dataset.presentation
    rows = annual_results(dataset, quarter)
    last = quarter.same_quarter_last_year
    section = words.section("annual", dataset.kinds)
    kinds = [words.kind(k).plural for k in ("measure", "action", "project") if dataset.holds(k)]

    parts = [
        heading(section.heading, 2),
        markdown_text(section.intro),
        markdown_text(
            f"The {join_words(kinds)} of {quarter.short_label}, each beside {last.short_label}"
            f" ({len(rows)} items), by {annual_grouping(dataset)}."
        ),
    ]
    if rows.empty:
        parts.append(markdown_text(f"No item has an update in {quarter.short_label}."))
    for group, mine in rows.groupby("group", sort=False):
        parts.append(heading(str(group) or "Not recorded", 3))
        lines = [
            f"| Item | Kind | {last.short_label} | {quarter.short_label} |",
            # relative widths: the item widest, the kind narrowest
            f"|:{'-' * 38}|:{'-' * 12}|:{'-' * 23}|:{'-' * 23}|",
        ]
        for r in mine.itertuples(index=False):
            label = words.kind(r.kind).label
            cells = [f"{r.title} ({r.id})", label, r.last_year, r.this_year]
            lines.append("| " + " | ".join(markdown_text(c) for c in cells) + " |")
        caption = f"{group or 'Not recorded'}: {quarter.short_label} beside {last.short_label}"
        lines += ["", f": {markdown_text(caption)}"]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
