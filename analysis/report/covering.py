"""The Cabinet covering report: a short document of its own, made with the quarter's report.

Each quarter the Cabinet receives a paper that says why it is asked to read the report,
what it is asked to decide, and the quarter's headline position, with the full report
as its appendix. Everything here comes from the engine and the sentences the report
itself uses (:mod:`analysis.report.text`), so the paper and the report cannot disagree:

- the recommendations, from the data: the plan amendments for approval, the targets set
  this quarter for approval, the measures proposed for review, and noting the position;
- the headline figures, completed commitments, priorities for development and changes
  to the risk register, as sentences;
- the paragraphs only the analyst can write (purpose, context), from an optional
  Markdown file of the dataset, ``cabinet.md``, sanitised like commentary
  (:func:`analyst_paragraphs`).

The words of every heading and introduction are the presentation's ``sections``
(``cabinet_*``), so a council names them its own way.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.config.presentation import join_words
from analysis.engine.items import amendments_for
from analysis.engine.summary import rated_measures
from analysis.errors import DataError
from analysis.report.narrative import html_to_markdown, markdown_text

if TYPE_CHECKING:
    from analysis.dataset.read import Dataset
    from analysis.quarters import Quarter

__all__ = [
    "ANALYST_FILE",
    "ANALYST_SECTIONS",
    "analyst_paragraphs",
    "targets_set",
    "measures_for_review",
    "recommendations",
    "covering_report",
]

#: The optional Markdown file of a dataset with the analyst's paragraphs.
ANALYST_FILE = "cabinet.md"
#: Its sections, by heading (``## Purpose``), and the section each fills.
ANALYST_SECTIONS = {"purpose": "cabinet_purpose", "context": "cabinet_context"}

_HEADING = re.compile(r"^##\s+(?P<name>.+?)\s*#*\s*$")


def analyst_paragraphs(dataset: Dataset) -> dict[str, str]:
    """The analyst's paragraphs from the dataset's ``cabinet.md``, as safe Markdown.

    The file has a section per heading, ``## Purpose`` and ``## Context``. Its text is
    read as plain paragraphs (separated by a blank line) and lists (lines starting
    ``- ``), with ``**bold**`` and ``*italic*``; anything else (HTML, links, images,
    code, shortcodes) stays text, as commentary does. No file: no paragraphs.

    Raises
    ------
    DataError
        For text before the first heading, or a heading that is not one of the
        sections; the message names the file and line.
    """
    path = Path(dataset.path) / ANALYST_FILE
    if not path.is_file():
        return {}
    found: dict[str, list[str]] = {}
    current: str | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        heading = _HEADING.match(line)
        if heading:
            name = heading["name"].strip().lower()
            if name not in ANALYST_SECTIONS:
                raise DataError(
                    f"{path}, line {number}: the heading {heading['name']!r} is not a section "
                    f"of the covering report; the sections are "
                    f"{', '.join('## ' + s.capitalize() for s in ANALYST_SECTIONS)}."
                )
            current = name
            found.setdefault(name, [])
        elif line.strip() and current is None:
            raise DataError(
                f"{path}, line {number}: text before the first heading; put it under "
                f"{' or '.join('## ' + s.capitalize() for s in ANALYST_SECTIONS)}."
            )
        elif current is not None:
            found[current].append(line)
    return {name: _as_markdown(lines) for name, lines in found.items() if _as_markdown(lines)}


def _as_markdown(lines: list[str]) -> str:
    """Plain paragraphs and lists as sanitised HTML, then as escaped Markdown."""
    blocks, paragraph, items = [], [], []

    def flush() -> None:
        if paragraph:
            blocks.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in lines:
        text = line.strip()
        if not text:
            flush()
        elif text.startswith(("- ", "* ")):
            if paragraph:
                flush()
            items.append(text[2:].strip())
        elif items:
            items[-1] += " " + text
        else:
            paragraph.append(text)
    flush()
    return html_to_markdown("".join(blocks)) if blocks else ""


def _inline(text: str) -> str:
    escaped = html.escape(text)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped)
    return re.sub(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", r"<i>\1</i>", escaped)


def targets_set(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """The measures whose annual target was set this quarter: a number now, and no
    number in any earlier quarter of the financial year. Columns ``measure_id``,
    ``title``, ``unit`` and ``annual_target``, in the order of the measure values.
    """
    rated = rated_measures(dataset)
    now = rated[rated["quarter"] == quarter.slug]
    earlier = {
        q.slug
        for q in dataset.quarters
        if q.start_year == quarter.start_year and q.number < quarter.number
    }
    before = rated[rated["quarter"].isin(earlier) & (rated["annual_target_state"] == "value")]
    wanted = (now["annual_target_state"] == "value") & ~now["measure_id"].isin(before["measure_id"])
    return now.loc[wanted, ["measure_id", "title", "unit", "annual_target"]].reset_index(drop=True)


def measures_for_review(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """The measures proposed for review: rated in a band that calls for action both this
    quarter and in the year-end forecast (off target now, and forecast to miss the
    year's target). Columns ``measure_id``, ``title``, ``quarterly_status`` and
    ``year_end_status``.
    """
    bands = set(dataset.framework.needs_action)
    rated = rated_measures(dataset, quarter)
    both = rated["quarterly_status"].isin(bands) & rated["year_end_status"].isin(bands)
    columns = ["measure_id", "title", "quarterly_status", "year_end_status"]
    return rated.loc[both, columns].reset_index(drop=True)


def recommendations(dataset: Dataset, quarter: Quarter) -> list[str]:
    """What the Cabinet is asked to do, from the data, as Markdown sentences."""
    from analysis.report.text import count_words

    words = dataset.presentation
    found = []
    held = amendments_for(dataset, quarter)
    if len(held):
        noun = "amendment" if len(held) == 1 else "amendments"
        found.append(f"To approve the {count_words(len(held))} {noun} to the plan set out below.")
    measure = words.kind("measure")
    targets = targets_set(dataset, quarter)
    if len(targets):
        noun = measure.singular if len(targets) == 1 else measure.plural
        found.append(
            f"To approve the targets set this quarter for {count_words(len(targets))} "
            f"{markdown_text(noun)}, listed below."
        )
    kinds = [words.kind(k).plural for k in dataset.kinds]
    found.append(
        f"To note the performance of the {markdown_text(join_words(kinds))} at the "
        f"{quarter.period_end_words}, as the full report sets it out."
    )
    review = measures_for_review(dataset, quarter)
    if len(review):
        noun = measure.singular if len(review) == 1 else measure.plural
        found.append(
            f"To consider the {count_words(len(review))} {markdown_text(noun)} proposed for "
            "review below."
        )
    else:
        found.append(
            f"To note that no {markdown_text(measure.singular)} is proposed for review: none "
            "is off target this quarter and forecast to miss its year-end target."
        )
    return found


def covering_report(
    dataset: Dataset,
    quarter: Quarter,
    appendix: tuple[str, str] = ("../index.html", "../report.pdf"),
) -> str:
    """The covering report's body as Quarto Markdown (its title is the document's), for
    HTML and PDF alike: the table of plan amendments is a raw HTML block, which the
    PDF's render writes as Typst.

    Parameters
    ----------
    appendix
        The links to the full report from the HTML page and from the PDF, relative to
        the covering report.
    """
    from analysis.report.chapters import by_format, heading, named_table
    from analysis.report.narrative import raw_html_block
    from analysis.report.tables import amendments_table, format_value
    from analysis.report.text import (
        amendments_text,
        completed_text,
        completion_kinds,
        headline_text,
        priorities_text,
        risk_changes_text,
    )

    own = analyst_paragraphs(dataset)
    parts: list[str] = []

    def add(key: str, *body: str) -> None:
        words = dataset.presentation.section(key, dataset.kinds)
        if words.kinds and not set(words.kinds) & set(dataset.kinds):
            return
        parts.append(heading(words.heading, 2))
        if words.intro and key not in ("cabinet_purpose",):
            parts.append(markdown_text(words.intro))
        parts.extend(b for b in body if b)

    purpose = dataset.presentation.section("cabinet_purpose", dataset.kinds)
    add("cabinet_purpose", own.get("purpose") or markdown_text(purpose.intro))
    if own.get("context"):
        add("cabinet_context", own["context"])
    listed = "\n".join(
        f"{i}. {text}" for i, text in enumerate(recommendations(dataset, quarter), start=1)
    )
    add("cabinet_recommendations", listed)
    add("cabinet_headlines", headline_text(dataset, quarter))
    if len(amendments_for(dataset, quarter)):
        name = dataset.presentation.section("cabinet_amendments", dataset.kinds).heading
        table = named_table(amendments_table(dataset, quarter).as_raw_html(), name)
        add("cabinet_amendments", amendments_text(dataset, quarter), raw_html_block(table))
    targets = targets_set(dataset, quarter)
    if len(targets):
        lines = [
            f"- {markdown_text(r.title)} ({markdown_text(r.measure_id)}): "
            f"{markdown_text(format_value(r.annual_target, r.unit))}"
            for r in targets.itertuples(index=False)
        ]
        add("cabinet_targets", "\n".join(lines))
    review = measures_for_review(dataset, quarter)
    if len(review):
        framework = dataset.framework
        lines = [
            f"- {markdown_text(r.title)} ({markdown_text(r.measure_id)}): "
            f"{markdown_text(framework.band(r.quarterly_status).label)} this quarter, "
            f"{markdown_text(framework.band(r.year_end_status).label)} forecast at year end"
            for r in review.itertuples(index=False)
        ]
        add("cabinet_review", "\n".join(lines))
    if completion_kinds(dataset):
        add(
            "cabinet_achievements",
            completed_text(dataset, quarter, kinds=completion_kinds(dataset)),
        )
    if dataset.holds("action"):
        add("cabinet_priorities", priorities_text(dataset, quarter))
    if dataset.holds("risk"):
        add("cabinet_risks", risk_changes_text(dataset, quarter))
    add(
        "cabinet_appendix",
        by_format(
            *(f"[The full report]({link}) is the appendix to this paper." for link in appendix)
        ),
    )
    return "\n\n".join(parts) + "\n"
