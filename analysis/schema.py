"""The dataset schema: every table, its columns and the values they may hold.

This module is the one place where the shape of a dataset is written down. Validation
(:mod:`analysis.dataset.validate`) checks a dataset against it, reading
(:mod:`analysis.dataset.read`) converts it into typed frames, and ``data/README.md``
documents it for analysts.

A dataset is a folder with ``dataset.yml`` and the tables below, either one CSV file per
table (``measures.csv``) or one Excel workbook (``dataset.xlsx``) with a sheet per table
(sheet ``measures``). Column order does not matter; column names do.

Column kinds
------------
``id``
    A non-empty identifier, e.g. ``CM PM15`` or ``SR 6``.
``text``
    Free text; may be empty unless the column is required. Commentary may hold HTML.
``int``
    A whole number.
``quarter``
    A quarter in any accepted spelling (see :mod:`analysis.quarters`).
``date``
    A date written ``YYYY-MM-DD``.
``year``
    A financial year, April to March: ``2023/24``, ``2023-24`` or ``2023/2024``.
``as_at``
    The month or day a value is as at: ``Jun-2021``, ``June 2021``, ``2021-06`` or
    ``2021-06-30`` (:func:`analysis.dataset.values.as_at_text`).
``value``
    A number (``68.0``, ``68%``, ``£1,200``) or one of the non-numeric states in
    :data:`VALUE_STATES` (``Baseline``, ``Due in Q3``, ``N/A``, ...).
``vocab``
    One label from a fixed list (:data:`VOCABULARIES`) or from the dataset's scales
    configuration (``action_status``, ``project_rating``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Column",
    "Table",
    "TABLES",
    "VOCABULARIES",
    "VALUE_STATES",
    "KINDS",
    "OPTIONAL_KINDS",
    "table",
]


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    name
        The header as it appears in the file.
    kind
        One of ``id``, ``text``, ``int``, ``quarter``, ``date``, ``value``, ``vocab``.
    required
        Whether every row must hold a value.
    vocab
        For ``vocab`` columns, the vocabulary name.
    references
        ``"table.column"`` that every non-empty value must exist in.
    description
        What the column means, for the data dictionary.
    example
        An example value.
    may_be_absent
        Whether the file may leave the column out altogether (it is then read as empty):
        a column added to the schema later, which older exports do not have.
    """

    name: str
    kind: str
    required: bool = False
    vocab: str | None = None
    references: str | None = None
    description: str = ""
    example: str = ""
    may_be_absent: bool = False


@dataclass(frozen=True)
class Table:
    """One table of a dataset.

    ``key`` lists the columns whose combination must be unique.
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


# The kinds of item a plan is monitored through: (table of items, table of quarterly
# updates, id column). Measures are always held; the other kinds are optional: a dataset
# without an item table, or with a header only, has no items of that kind, and the report
# leaves out everything about them.
KINDS: dict[str, tuple[str, str, str]] = {
    "action": ("actions", "action_updates", "action_id"),
    "project": ("projects", "project_updates", "project_id"),
    "measure": ("measures", "measure_values", "measure_id"),
    "risk": ("risks", "risk_updates", "risk_id"),
}
OPTIONAL_KINDS = ("action", "project", "risk")

# Non-numeric states of a ``value`` cell. Keys are the states the engine works with;
# values are the spellings (case-insensitive) accepted in an export. An empty cell is
# the state ``missing``; a number is the state ``value``.
VALUE_STATES: dict[str, tuple[str, ...]] = {
    "no_target": ("no target", "no target set", "not set", "tbc"),
    "baseline": ("baseline", "baseline year"),
    "due_later": ("due in q1", "due in q2", "due in q3", "due in q4", "due later", "due"),
    "not_available": ("n/a", "na", "not available", "on hold"),
    "not_measured": ("not measured", "not measured this year"),
    "in_arrears": ("in arrears", "reported in arrears", "reported a quarter in arrears"),
}

# Fixed vocabularies. Status vocabularies (``action_status``, ``project_rating``) are not
# here: they come from the dataset's scales configuration.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "polarity": ("higher", "lower", "neither"),
    "unit": (
        "percent",
        "number",
        "gbp",
        "rate_per_1000",
        "rate_per_10000",
        "rate_per_100000",
        "days",
        "weeks",
        "score",
    ),
    "frequency": ("quarterly", "annual", "quarterly_in_arrears"),
    "provenance": ("published", "derived", "assumed"),
    "risk_type": ("threat", "opportunity"),
    "risk_movement": ("new", "escalated", "de-escalated", "closed", "redefined", "unchanged"),
    "amendment_change": ("delete", "split", "add", "amend"),
    "item_kind": ("measure", "action", "project", "risk"),
    "project_stage": ("delivery", "closure"),
}

_ITEM = "id of the item"
_PROV = Column(
    "provenance",
    "vocab",
    required=True,
    vocab="provenance",
    description="published (stated in the source report), derived (computed from "
    "published facts) or assumed (chosen to be consistent with every published fact)",
    example="published",
)
_COMMENT = Column(
    "commentary",
    "text",
    description="supporting information; may hold simple HTML (<p>, <ul>, <li>, <i>, <b>)",
    example="<p>Demand remains high.</p>",
)
_QUARTER = Column(
    "quarter",
    "quarter",
    required=True,
    description="the quarter of the update",
    example="2021-22-Q2",
)
_OUTCOME = Column(
    "outcome_id",
    "id",
    required=True,
    references="outcomes.outcome_id",
    description="the outcome the item sits under",
    example="place-confidence",
)
_POSITION = Column(
    "position",
    "int",
    required=True,
    description="order of the item within its outcome, across all kinds of item",
    example="3",
)
_TITLE = Column("title", "text", required=True, description="the item as the report names it")
_DIRECTORATE = Column(
    "directorate",
    "text",
    description="the directorate that owns the item",
    example="Communities and Place",
)


def _update_id(kind: str) -> Column:
    return Column(
        f"{kind}_id",
        "id",
        required=True,
        references=f"{kind}s.{kind}_id",
        description=f"the {kind} this update is for",
    )


TABLES: tuple[Table, ...] = (
    Table(
        "themes",
        "The plan's themes, in report order.",
        (
            Column("theme_id", "id", True, description="stable id", example="place"),
            Column("name", "text", True, description="theme name", example="Our place"),
            Column("position", "int", True, description="report order", example="1"),
            Column("description", "text", description="the theme's strapline"),
        ),
        key=("theme_id",),
    ),
    Table(
        "outcomes",
        "The outcomes under each theme, in report order.",
        (
            Column("outcome_id", "id", True, example="place-confidence"),
            Column("theme_id", "id", True, references="themes.theme_id", example="place"),
            Column("name", "text", True, example="Confidence"),
            Column("position", "int", True, description="order within the theme"),
            Column("description", "text", description="what the outcome means"),
        ),
        key=("outcome_id",),
    ),
    Table(
        "measures",
        "Performance measures (indicators).",
        (
            Column("measure_id", "id", True, description=_ITEM, example="CM PM15"),
            _OUTCOME,
            _POSITION,
            _TITLE,
            Column("unit", "vocab", True, vocab="unit", example="percent"),
            Column(
                "polarity",
                "vocab",
                True,
                vocab="polarity",
                description="whether a higher or lower value is better",
                example="higher",
            ),
            Column("frequency", "vocab", True, vocab="frequency", example="quarterly"),
            _DIRECTORATE,
        ),
        key=("measure_id",),
    ),
    Table(
        "measure_values",
        "One row per measure per quarter: the values reported that quarter.",
        (
            _update_id("measure"),
            _QUARTER,
            Column("actual", "value", description="the value this quarter", example="68%"),
            Column(
                "as_at",
                "as_at",
                description="the month or day the values are as at, where that is not the "
                "quarter's end (a measure reported in arrears, or a survey); may be left out",
                example="May-2021",
                may_be_absent=True,
            ),
            Column(
                "quarterly_target",
                "value",
                description="the profiled target for this quarter",
                example="61%",
            ),
            Column("annual_target", "value", description="the year-end target", example="61%"),
            Column("forecast", "value", description="the year-end forecast", example="61%"),
            Column("baseline", "value", description="a baseline value, where one is set"),
            Column("benchmark", "value", description="a national or comparator benchmark"),
            Column(
                "reported_status",
                "text",
                description="the quarterly status the source report showed, if any; "
                "kept to reconcile the engine against published reports",
                example="Good",
            ),
            _COMMENT,
            Column(
                "improvement_actions",
                "text",
                description="what is being done to improve, for a measure off target",
                example="<p>Extra clinics from October.</p>",
            ),
            Column(
                "intervention",
                "text",
                description="any intervention or review planned (e.g. a performance "
                "surgery or a scrutiny review)",
                example="Scrutiny review in Q3",
            ),
            _PROV,
        ),
        key=("measure_id", "quarter"),
    ),
    Table(
        "actions",
        "Actions: milestones and deliverables.",
        (
            Column("action_id", "id", True, description=_ITEM, example="PL-A01"),
            _OUTCOME,
            _POSITION,
            _TITLE,
            Column(
                "expected_completion",
                "date",
                description="when the action is expected to be complete",
                example="2022-03-31",
            ),
            _DIRECTORATE,
        ),
        key=("action_id",),
        required=False,
    ),
    Table(
        "action_updates",
        "One row per action per quarter: its status on the action scale.",
        (
            _update_id("action"),
            _QUARTER,
            Column(
                "status",
                "vocab",
                True,
                vocab="action_status",
                description="a label of the action scale",
                example="complete",
            ),
            _COMMENT,
            _PROV,
        ),
        key=("action_id", "quarter"),
        required=False,
    ),
    Table(
        "projects",
        "Projects.",
        (
            Column("project_id", "id", True, description=_ITEM, example="PL-P01"),
            _OUTCOME,
            _POSITION,
            _TITLE,
            _DIRECTORATE,
        ),
        key=("project_id",),
        required=False,
    ),
    Table(
        "project_updates",
        "One row per project per quarter: RAG (present state) and DCA (future state).",
        (
            _update_id("project"),
            _QUARTER,
            Column(
                "rag",
                "vocab",
                True,
                vocab="project_rating",
                description="a label of the project scale: the present state",
                example="amber-green",
            ),
            Column(
                "dca",
                "vocab",
                True,
                vocab="project_rating",
                description="a label of the project scale: delivery confidence",
                example="amber-green",
            ),
            Column(
                "stage",
                "vocab",
                vocab="project_stage",
                description="where the project is in its life, if recorded: delivery, or "
                "closure for a project finishing its closure activities (still rated)",
                example="closure",
            ),
            _COMMENT,
            _PROV,
        ),
        key=("project_id", "quarter"),
        required=False,
    ),
    Table(
        "risks",
        "Strategic risks (threats) and opportunities.",
        (
            Column("risk_id", "id", True, description=_ITEM, example="SR 6"),
            _OUTCOME,
            _POSITION,
            _TITLE,
            Column("risk_type", "vocab", True, vocab="risk_type", example="threat"),
            _DIRECTORATE,
        ),
        key=("risk_id",),
        required=False,
    ),
    Table(
        "risk_updates",
        "One row per risk per quarter: impact and likelihood (1 to 4) and movement.",
        (
            _update_id("risk"),
            _QUARTER,
            Column("impact", "int", True, description="1 to 4", example="4"),
            Column("likelihood", "int", True, description="1 to 4", example="3"),
            Column(
                "movement",
                "vocab",
                vocab="risk_movement",
                description="a register change this quarter; empty for none",
                example="escalated",
            ),
            _COMMENT,
            _PROV,
        ),
        key=("risk_id", "quarter"),
        required=False,
    ),
    Table(
        "measure_history",
        "One row per measure per earlier financial year: its year-end result and target, "
        "and the national and comparator benchmarks for that year, for the measure's "
        "panel of history.",
        (
            _update_id("measure"),
            Column(
                "year",
                "year",
                True,
                description="the financial year (April to March) the row is for",
                example="2023/24",
            ),
            Column("actual", "value", description="the year-end result", example="61%"),
            Column("target", "value", description="the year's target", example="60%"),
            Column(
                "national",
                "value",
                description="the national benchmark for the year (e.g. the England average)",
                example="58.2%",
            ),
            Column(
                "comparator",
                "value",
                description="the comparator benchmark for the year (e.g. the average of "
                "statistical neighbours)",
                example="59.0%",
            ),
            _PROV,
        ),
        key=("measure_id", "year"),
        required=False,
    ),
    Table(
        "amendments",
        "Changes to the plan put to Cabinet for approval.",
        (
            Column("amendment_id", "id", True, example="AM1"),
            _QUARTER,
            Column("item_id", "id", True, description="the item changed", example="CM PM15"),
            Column("item_kind", "vocab", True, vocab="item_kind", example="measure"),
            Column("change", "vocab", True, vocab="amendment_change", example="delete"),
            Column("description", "text", True, description="what is proposed and why"),
            _PROV,
        ),
        key=("amendment_id",),
        required=False,
    ),
)


def table(name: str) -> Table:
    """The table called ``name``.

    Examples
    --------
    >>> table("risk_updates").key
    ('risk_id', 'quarter')
    """
    for t in TABLES:
        if t.name == name:
            return t
    raise KeyError(name)
