"""The report's generated sentences and lists, as Markdown.

Every sentence that states a figure is written here from the engine's frames, so that
the words can never disagree with the arithmetic. Text from the data (titles, ids,
descriptions) is escaped for Markdown through :func:`analysis.report.narrative.html_to_markdown`,
so that it can never turn into markup when Quarto renders the report.

Examples
--------
>>> change_phrase(91.0, 87.0, parse_quarter("2021-22 Q1"))
'an improvement on the quarter one position of 87%'
>>> quarter_words(parse_quarter("2020-21 Q4"), parse_quarter("2021-22 Q1"))
'quarter four 2020/21'
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.config.presentation import KindWords, join_words
from analysis.engine.items import amendments_for, list_items
from analysis.engine.risks import risk_register
from analysis.engine.summary import at_or_above_target, headline_figures, status_changes
from analysis.quarters import Quarter
from analysis.report.narrative import html_to_markdown

if TYPE_CHECKING:
    from analysis.dataset.read import Dataset

__all__ = [
    "quarter_words",
    "change_phrase",
    "headline_sentences",
    "headline_text",
    "completed_text",
    "improvements_text",
    "priorities_text",
    "amendments_text",
    "risk_changes_text",
    "trend_text",
    "count_words",
]

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def quarter_words(quarter: Quarter, reference: Quarter | None = None) -> str:
    """A quarter in words, e.g. ``quarter one``; with its year if not ``reference``'s.

    Examples
    --------
    >>> quarter_words(parse_quarter("2021-22 Q1"))
    'quarter one'
    >>> quarter_words(parse_quarter("2021-22 Q3"), parse_quarter("2022-23 Q1"))
    'quarter three 2021/22'
    """
    words = f"quarter {_NUMBER_WORDS[quarter.number]}"
    if reference is not None and reference.start_year != quarter.start_year:
        words += f" {quarter.year_label}"
    return words


def change_phrase(value: float, previous: float, previous_quarter: Quarter) -> str:
    """How a percentage compares with last quarter's, where higher is better.

    Returns an empty string when there is no previous value (or no current one).

    Examples
    --------
    >>> q1 = parse_quarter("2021-22 Q1")
    >>> change_phrase(80.0, 87.0, q1)
    'a decline from the quarter one position of 87%'
    >>> change_phrase(87.0, 87.0, q1)
    'the same as the quarter one position of 87%'
    >>> change_phrase(87.0, float("nan"), q1)
    ''
    """
    if _missing(value) or _missing(previous):
        return ""
    when = quarter_words(previous_quarter)
    if value > previous:
        return f"an improvement on the {when} position of {previous:.0f}%"
    if value < previous:
        return f"a decline from the {when} position of {previous:.0f}%"
    return f"the same as the {when} position of {previous:.0f}%"


def headline_sentences(figures: pd.DataFrame, quarter: Quarter, dataset: Dataset) -> list[str]:
    """The headline figures as sentences, one per figure (risk counts in one sentence).

    Parameters
    ----------
    figures
        The output of :func:`analysis.engine.summary.headline_figures`: each row's
        ``kind`` and ``counted`` say what it counts.
    quarter
        The quarter the figures are for.
    dataset
        The dataset whose words, scales and framework the sentences use.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> figures = pd.DataFrame([
    ...     {"figure": "a", "kind": "action", "counted": "completed|on_track",
    ...      "numerator": 49, "denominator": 54, "value": 91.0, "previous_value": 87.0,
    ...      "left_out": 0},
    ...     {"figure": "m", "kind": "measure", "counted": "blue|green", "which": "quarterly",
    ...      "numerator": 18, "denominator": 23, "value": 78.0,
    ...      "previous_value": float("nan"), "left_out": 6},
    ... ])
    >>> for s in headline_sentences(figures, parse_quarter("2021-22 Q2"), data):
    ...     print(s)
    At the end of September 2021, 91% of priority actions (49 of 54) were assessed as
    'completed' or 'on track', an improvement on the quarter one position of 87%.
    78% of measures with a quarterly target were rated 'Blue' or 'Green' (18 of 23; 6
    measures were not rated).
    """
    which = {h.key: h.which for h in dataset.presentation.headlines}
    sentences = []
    risks = []
    for row in figures.to_dict("records"):
        row.setdefault("which", which.get(str(row["figure"])))
        counted = tuple(k for k in str(row.get("counted") or "").split("|") if k)
        if row["kind"] == "risk":
            risks.append((row, counted))
        else:
            sentences.append(_WRITERS[str(row["kind"])](row, counted, quarter, dataset))
    if risks:
        sentences.append(_risks_sentence(risks, dataset))
    return sentences


def headline_text(dataset: Dataset, quarter: Quarter) -> str:
    """The headline sentences of a quarter as Markdown paragraphs.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> print(headline_text(data, parse_quarter("2021-22 Q2")).split("\\n\\n")[0])
    At the end of September 2021, 75% of priority actions (3 of 4; 1 priority action was
    not rated) were assessed as 'completed' or 'on track', an improvement on the quarter
    one position of 50%.
    """
    return "\n\n".join(headline_sentences(headline_figures(dataset, quarter), quarter, dataset))


def _quoted(labels: Sequence[str]) -> str:
    return " or ".join(f"'{_md(label)}'" for label in labels)


def _scale_sentence(row: Mapping[str, Any], counted, q: Quarter, dataset: Dataset) -> str:
    kind = str(row["kind"])
    words = dataset.presentation.kind(kind)
    scale = dataset.scales.of(kind)
    counts = _counts(row, words)
    if kind == "action":
        labels = _quoted([scale.label(k).lower() for k in counted])
        if not row["denominator"]:
            return f"At the {q.period_end_words}, no {_md(words.singular)} was assessed{counts}."
        start = f"At the {q.period_end_words}, {_pct(row['value'])} of {_md(words.plural)}"
        return _sentence(f"{start}{counts} were assessed as {labels}", row, q)
    labels = _quoted([scale.label(k) for k in counted])
    if not row["denominator"]:
        return f"No {_md(words.singular)} was rated{counts}."
    return _sentence(
        f"{_pct(row['value'])} of {_md(words.plural)} were rated {labels}{counts}", row, q
    )


def _measures_sentence(row: Mapping[str, Any], counted, q: Quarter, dataset: Dataset) -> str:
    words = dataset.presentation.kind("measure")
    framework = dataset.framework
    met = at_or_above_target(framework, counted)
    bands = _quoted([framework.band(k).label for k in counted])
    if row["which"] == "year_end":
        having = "with an annual target"
        verb = (
            "are forecast to achieve or exceed it" if met else f"are forecast to be rated {bands}"
        )
    else:
        having = "with a quarterly target"
        verb = "met or exceeded it" if met else f"were rated {bands}"
    counts = _counts(row, words)
    if not row["denominator"]:
        return f"No {_md(words.singular)} {having} could be rated{counts}."
    return _sentence(f"{_pct(row['value'])} of {_md(words.plural)} {having} {verb}{counts}", row, q)


_WRITERS = {"action": _scale_sentence, "project": _scale_sentence, "measure": _measures_sentence}


def _risks_sentence(rows: Sequence[tuple[Mapping[str, Any], tuple[str, ...]]], dataset) -> str:
    """One sentence: the risks on the register, and the moves counted this quarter."""
    words = dataset.presentation.kind("risk")
    movements = dataset.presentation.settings["tables"]["risk_movements"]
    total = None
    moves = []
    for row, counted in rows:
        n = int(row["numerator"])
        if not counted:
            total = n
        else:
            named = join_words([str(movements[k]["label"]).lower() for k in counted], "or")
            moves.append(f"{count_words(n)} {named}")
    if total is None:
        return f"This quarter, {_md(words.plural)} moved: {', '.join(moves)}." if moves else ""
    noun = words.singular if total == 1 else words.plural
    sentence = f"There {'is' if total == 1 else 'are'} {total} {_md(noun)} on the register"
    if moves:
        sentence += f", with {' and '.join(moves)} this quarter"
    return sentence + "."


def _sentence(start: str, row: Mapping[str, Any], q: Quarter) -> str:
    change = change_phrase(row["value"], row["previous_value"], q.previous)
    return f"{start}, {change}." if change else f"{start}."


def _counts(row: Mapping[str, Any], words: KindWords) -> str:
    """``(49 of 54; 2 actions were not rated)``, the arithmetic behind a percentage."""
    parts = []
    if row["denominator"]:
        parts.append(f"{int(row['numerator'])} of {int(row['denominator'])}")
    left_out = int(row["left_out"])
    if left_out:
        noun = words.singular if left_out == 1 else words.plural
        parts.append(f"{left_out} {_md(noun)} {_was(left_out)} not rated")
    return f" ({'; '.join(parts)})" if parts else ""


# ---------------------------------------------------------------------------------------
# Lists of items


def trend_text(dataset: Dataset, quarter: Quarter) -> str:
    """Which quarters the trend covers, in a sentence; and, where the dataset holds
    projects, that a project is counted by its RAG.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> print(trend_text(synthetic_dataset(), parse_quarter("2021-22 Q2")))
    The counts cover the 2 quarters from Q1 2021/22 to Q2 2021/22. A priority project is
    counted by its RAG.
    >>> print(trend_text(synthetic_dataset(), parse_quarter("2021-22 Q1"))[:60])
    Q1 2021/22 is the first quarter of the financial year, so th
    """
    from analysis.engine.trend import quarters_so_far

    quarters = quarters_so_far(quarter)
    if len(quarters) == 1:
        text = (
            f"{quarter.short_label} is the first quarter of the financial year, so the counts "
            "are this quarter's alone; each later quarter of the year adds its own."
        )
    else:
        text = (
            f"The counts cover the {len(quarters)} quarters from {quarters[0].short_label} "
            f"to {quarter.short_label}."
        )
    if dataset.holds("project"):
        text += f" A {_md(dataset.presentation.kind('project').singular)} is counted by its RAG."
    return text


def completed_text(dataset: Dataset, quarter: Quarter, kinds: Sequence[str] = ("action",)) -> str:
    """The items completed this quarter, as a Markdown list.

    An item of one of ``kinds`` (``action``, ``project``) the dataset holds counts when
    its status this quarter (a project's RAG) is flagged ``completed`` on its scale, and
    was not completed last quarter.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> print(completed_text(data, parse_quarter("2021-22 Q2"), kinds=("action", "project")))
    One item was assessed as 'completed' during quarter two:
    <BLANKLINE>
    - Project three (P3)
    """
    kinds = [k for k in kinds if dataset.holds(k)]
    done = _completed(dataset, quarter, kinds)
    words = dataset.presentation
    nouns = (
        (words.kind(kinds[0]).singular, words.kind(kinds[0]).plural)
        if len(kinds) == 1
        else ("item", "items")
    )
    if done.empty:
        return f"No {_md(nouns[0])} was completed during {quarter_words(quarter)}."
    labels = _quoted(
        dict.fromkeys(str(r["current_label"]).lower() for r in done.to_dict("records"))
    )
    n = len(done)
    lines = [
        f"{count_words(n).capitalize()} {_md(nouns[0] if n == 1 else nouns[1])} {_was(n)} "
        f"assessed as {labels} during {quarter_words(quarter)}:",
        "",
    ]
    lines += [f"- {_item(r)}" for r in done.to_dict("records")]
    return "\n".join(lines)


def completion_kinds(dataset: Dataset, kinds: Sequence[str] = ("action", "project")) -> list[str]:
    """The kinds among ``kinds`` the dataset holds whose scale flags a status completed."""
    return [k for k in kinds if dataset.holds(k) and dataset.scales.of(k).flagged("completed")]


def _completed(dataset: Dataset, q: Quarter, kinds: Sequence[str]) -> pd.DataFrame:
    frames = []
    for kind in kinds:
        done = dataset.scales.of(kind).flagged("completed")
        if not done:
            continue
        changes = status_changes(dataset, q, kind)
        frames.append(changes[changes["current"].isin(done) & ~changes["previous"].isin(done)])
    return _in_report_order(dataset, frames)


def improvements_text(dataset: Dataset, quarter: Quarter) -> str:
    """Items whose status improved since last quarter, with from and to, as a Markdown list.

    Actions (status), projects (RAG and DCA) and measures (quarterly rating) are
    included; items that moved to a status flagged completed are left to
    :func:`completed_text`.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> print(improvements_text(data, parse_quarter("2021-22 Q2")))
    Improvements since the end of June 2021:
    <BLANKLINE>
    1. Action one (A1) has improved from 'some slippage' to 'on track'.
    2. The RAG of Project one (P1) has improved from 'amber/green' to 'green'.
    3. The quarterly status of Measure one (M1) has improved from 'green' to 'blue'.
    4. Action five (A5) has improved from 'major slippage' to 'on track'.
    """
    frames = []
    for kind, field in (
        ("action", None),
        ("project", "rag"),
        ("project", "dca"),
        ("measure", None),
    ):
        if not dataset.holds(kind):
            continue
        done = dataset.scales.of(kind).flagged("completed") if kind != "measure" else ()
        changes = status_changes(dataset, quarter, kind, field)
        frames.append(changes[(changes["change"] == "improved") & ~changes["current"].isin(done)])
    improved = _in_report_order(dataset, frames)
    if improved.empty:
        return f"No status improved since the {quarter.previous.period_end_words}."
    lines = [f"Improvements since the {quarter.previous.period_end_words}:", ""]
    for i, r in enumerate(improved.to_dict("records"), start=1):
        subject = _item(r)
        what = _FIELD_WORDS.get((r["kind"], r["field"]))
        subject = f"The {what} of {subject}" if what else subject
        lines.append(
            f"{i}. {subject} has improved from '{_md(str(r['previous_label']).lower())}' "
            f"to '{_md(str(r['current_label']).lower())}'."
        )
    return "\n".join(lines)


_FIELD_WORDS = {
    ("project", "rag"): "RAG",
    ("project", "dca"): "delivery confidence (DCA)",
    ("measure", "quarterly_status"): "quarterly status",
}


def priorities_text(dataset: Dataset, quarter: Quarter) -> str:
    """Actions in the statuses that call for action (the action scale's
    ``needs_action``, the rule of the items requiring action), worst first, as Markdown
    lists.

    Actions whose status declined since last quarter are marked with an asterisk,
    followed by last quarter's status, and a closing sentence explains the mark.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> print(priorities_text(data, parse_quarter("2021-22 Q2")))
    **Major slippage**
    <BLANKLINE>
    - Action two (A2)\\* (quarter one: 'on track')
    <BLANKLINE>
    **Some slippage**
    <BLANKLINE>
    - None this quarter.
    <BLANKLINE>
    One priority action marked \\* has declined since quarter one.
    """
    scale = dataset.scales.actions
    keys = list(reversed(scale.needs_action))
    changes = _in_report_order(dataset, [status_changes(dataset, quarter, "action")])
    lines: list[str] = []
    declined = 0
    for key in keys:
        lines += [f"**{_md(scale.label(key))}**", ""]
        rows = changes[changes["current"] == key].to_dict("records")
        if not rows:
            lines += ["- None this quarter.", ""]
        for r in rows:
            line = f"- {_item(r)}"
            if r["change"] == "declined":
                declined += 1
                line += (
                    f"\\* ({quarter_words(quarter.previous, quarter)}: "
                    f"'{_md(str(r['previous_label']).lower())}')"
                )
            lines.append(line)
        if rows:
            lines.append("")
    if declined:
        words = dataset.presentation.kind("action")
        noun = words.singular if declined == 1 else words.plural
        lines.append(
            f"{count_words(declined).capitalize()} {_md(noun)} marked \\* "
            f"{'has' if declined == 1 else 'have'} declined since "
            f"{quarter_words(quarter.previous, quarter)}."
        )
    return "\n".join(lines).strip("\n")


def amendments_text(dataset: Dataset, quarter: Quarter) -> str:
    """The sentence that opens the plan amendments put to Cabinet for approval this
    quarter; the amendments themselves are a table
    (:func:`analysis.report.tables.amendments_table`).

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> amendments_text(data, parse_quarter("2021-22 Q2"))
    'One amendment to the plan is proposed for approval.'
    >>> amendments_text(data, parse_quarter("2021-22 Q1"))
    'No amendment to the plan is proposed this quarter.'
    """
    n = len(amendments_for(dataset, quarter))
    if not n:
        return "No amendment to the plan is proposed this quarter."
    return (
        f"{count_words(n).capitalize()} {_plural('amendment', n)} to the plan "
        f"{'is' if n == 1 else 'are'} proposed for approval."
    )


# Register changes, in the order the report lists them, with the words for each.
_RISK_CHANGES = (
    ("escalated", "Escalated to the register"),
    ("new", "New {risks}"),
    ("redefined", "Redefined"),
    ("increased", "Score increased"),
    ("reduced", "Score reduced"),
    ("de-escalated", "De-escalated from the register"),
    ("closed", "Closed"),
)


def risk_changes_text(dataset: Dataset, quarter: Quarter) -> str:
    """Changes to the strategic risk register this quarter, with ids and titles.

    A risk counts as new only when the data holds the previous quarter (otherwise
    every risk would look new) or when the data records it as new.

    Examples
    --------
    >>> import tempfile, pathlib, tests.synthetic as s
    >>> from analysis.dataset.read import load_dataset
    >>> data = load_dataset(s.write_synthetic(pathlib.Path(tempfile.mkdtemp()) / "d"))
    >>> print(risk_changes_text(data, parse_quarter("2021-22 Q2")))
    Escalated to the register:
    <BLANKLINE>
    - R2 Risk two
    <BLANKLINE>
    Score increased:
    <BLANKLINE>
    - R1 Risk one (from 9 to 12)
    <BLANKLINE>
    De-escalated from the register:
    <BLANKLINE>
    - R4 Risk four
    """
    register = risk_register(dataset, quarter)
    if quarter.previous not in dataset.quarters:
        recorded = dataset["risk_updates"]
        recorded = recorded[recorded["quarter"] == quarter.slug].set_index("risk_id")["movement"]
        derived_new = (register["movement"] == "new") & (register["risk_id"].map(recorded) != "new")
        register = register[~derived_new]
    lines: list[str] = []
    for movement, heading in _RISK_CHANGES:
        moved = register[register["movement"] == movement]
        if moved.empty:
            continue
        heading = heading.format(risks=_md(dataset.presentation.kind("risk").plural))
        lines += [f"{heading}:", ""]
        for r in moved.to_dict("records"):
            line = f"- {_md(r['risk_id'])} {_md(r['title'])}"
            if movement in ("increased", "reduced"):
                line += f" (from {int(r['previous_score'])} to {int(r['score'])})"
            lines.append(line)
        lines.append("")
    if not lines:
        return "The register did not change this quarter."
    return "\n".join(lines).strip("\n")


# ---------------------------------------------------------------------------------------
# Helpers


def _in_report_order(dataset: Dataset, frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Rows of status-change frames, in the report order of their items."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["id", "kind", "field", "title"])
    items = list_items(dataset)
    order = {(k, i): n for n, (k, i) in enumerate(zip(items["kind"], items["id"], strict=True))}
    rows = pd.concat(frames, ignore_index=True)
    rows["_order"] = [order[(k, i)] for k, i in zip(rows["kind"], rows["id"], strict=True)]
    return rows.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _item(row: Mapping[str, Any]) -> str:
    return f"{_md(row['title'])} ({_md(row['id'])})"


def _md(text: object) -> str:
    """Text from the data, escaped so that Markdown reads it as text only."""
    return html_to_markdown(html.escape(str(text)))


def _missing(value: object) -> bool:
    try:
        return value is None or math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def count_words(n: int) -> str:
    """A count as the report writes it in a sentence: in words up to nine, else in figures.

    Examples
    --------
    >>> count_words(2), count_words(24)
    ('two', '24')
    """
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _plural(noun: str, n: int) -> str:
    return noun if n == 1 else f"{noun}s"


def _was(n: int) -> str:
    return "was" if n == 1 else "were"
