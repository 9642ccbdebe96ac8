"""Headline figures, status counts and status changes for one quarter.

These functions read a loaded :class:`analysis.dataset.read.Dataset` and return new frames;
they never change the dataset. Every percentage comes with its numerator and
denominator, and is rounded half up to a whole number, as councils publish them.

"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from analysis.config.presentation import Headline, join_words
from analysis.engine.items import list_items, theme_names, updates_for
from analysis.engine.memo import per_dataset
from analysis.engine.ratings import count_met, direction_of_travel, rate_measures
from analysis.engine.risks import risk_register
from analysis.errors import ConfigError
from analysis.quarters import Quarter
from analysis.schema import KINDS, VOCABULARIES

if TYPE_CHECKING:
    from analysis.config.frameworks import Framework
    from analysis.dataset.read import Dataset

__all__ = [
    "STATUS_COLUMNS",
    "percent",
    "monitoring_counts",
    "monitoring_notes",
    "action_status_counts",
    "rated_measures",
    "status_changes",
    "headline_figures",
    "counted_keys",
    "at_or_above_target",
    "item_statuses",
    "dataset_measure_values",
]


def percent(numerator: int, denominator: int) -> float:
    """A percentage rounded half up to a whole number, NaN for an empty denominator.

    Examples
    --------
    >>> percent(49, 54), percent(1, 8), percent(0, 0)
    (91.0, 13.0, nan)
    """
    if denominator == 0:
        return math.nan
    return float(math.floor(100 * numerator / denominator + 0.5))


def monitoring_counts(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """How many items of each kind the dataset holds are monitored in each theme.

    An item is monitored when it has an update for the quarter; a risk no longer on the
    register (de-escalated or closed this quarter) is not counted. Items counted but
    not rated (an action not assessed, a project not started or closed) and projects
    in their closure stage are counted, and noted in :func:`monitoring_notes`.

    Returns
    -------
    pandas.DataFrame
        One row per kind and theme: ``kind``, ``label``, ``theme``, ``count``,
        ``not_rated`` (items counted that carry no rating this quarter) and
        ``in_closure`` (projects in their closure stage).

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> counts = monitoring_counts(data, parse_quarter("2021-22 Q2"))
    >>> counts[["kind", "theme", "count", "not_rated", "in_closure"]].head(4)
          kind    theme  count  not_rated  in_closure
    0   action  Theme A      2          0           0
    1   action  Theme B      3          1           0
    2  project  Theme A      1          0           1
    3  project  Theme B      2          1           0
    """
    notes = monitoring_notes(dataset, quarter)
    rows = []
    for kind in dataset.kinds:
        label = dataset.presentation.kind(kind).heading
        monitored = _monitored(dataset, kind, quarter)
        for theme in theme_names(dataset):
            mine = notes[(notes["kind"] == kind) & (notes["theme"] == theme)]
            rows.append(
                {
                    "kind": kind,
                    "label": label,
                    "theme": theme,
                    "count": int((monitored["theme"] == theme).sum()),
                    "not_rated": int(mine.loc[mine["note"] != "closure", "count"].sum()),
                    "in_closure": int(mine.loc[mine["note"] == "closure", "count"].sum()),
                }
            )
    return pd.DataFrame(rows)


def monitoring_notes(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """Why some monitored items need a note: not rated this quarter, or in closure.

    Returns
    -------
    pandas.DataFrame
        ``kind``, ``theme``, ``note`` and ``count``: ``note`` is the key of an unrated
        status (``not_assessed``, ``pre_start``, ``completed``, ...) or ``closure``
        for a project in its closure stage, which is still rated.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> monitoring_notes(data, parse_quarter("2021-22 Q2"))
          kind    theme          note  count
    0   action  Theme B  not_assessed      1
    1  project  Theme A       closure      1
    2  project  Theme B     completed      1
    """
    rows = []
    for kind, field in (("action", "status"), ("project", "rag")):
        if not dataset.holds(kind):
            continue
        scale = dataset.scales.of(kind)
        monitored = _monitored(dataset, kind, quarter)
        notes = monitored[field].where(~monitored[field].isin(scale.rated_keys))
        if kind == "project":
            notes = notes.where(notes.notna() | (monitored["stage"] != "closure"), "closure")
        counted = pd.DataFrame({"theme": monitored["theme"], "note": notes}).dropna()
        for (theme, note), group in counted.groupby(["theme", "note"], sort=False):
            rows.append({"kind": kind, "theme": theme, "note": note, "count": len(group)})
    return pd.DataFrame(rows, columns=["kind", "theme", "note", "count"])


def _monitored(dataset: Dataset, kind: str, q: Quarter) -> pd.DataFrame:
    """This quarter's updates of a kind that are monitored, with the item's theme."""
    updates = updates_for(dataset, kind, q)
    if kind == "risk":
        register = risk_register(dataset, q)
        updates = updates[~updates["id"].isin(register.loc[~register["on_register"], "risk_id"])]
    items = list_items(dataset)
    return updates.merge(items.loc[items["kind"] == kind, ["id", "theme"]], on="id", how="left")


def action_status_counts(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """The assessment of progress: actions by status and theme, with totals.

    Returns
    -------
    pandas.DataFrame
        One row per status of the action scale (best first; a status held by no
        action is kept only if it is rated): ``status`` (key), ``label``, one column
        per theme in plan order, and ``Total``.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> action_status_counts(data, parse_quarter("2021-22 Q2"))
               status           label  Theme A  Theme B  Total
    0       completed       Completed        0        1      1
    1        on_track        On track        1        1      2
    2   some_slippage   Some slippage        0        0      0
    3  major_slippage  Major slippage        1        0      1
    4    not_assessed    Not assessed        0        1      1
    """
    themes = theme_names(dataset)
    if not dataset.holds("action"):
        return pd.DataFrame(columns=["status", "label", *themes, "Total"])
    scale = dataset.scales.actions
    merged = updates_for(dataset, "action", quarter).merge(
        list_items(dataset)[["id", "theme"]], on="id", how="left"
    )
    counts = pd.crosstab(merged["status"], merged["theme"])
    rows = []
    for status in scale.statuses:
        row: dict[str, object] = {"status": status.key, "label": status.label}
        for theme in themes:
            row[theme] = (
                int(counts.at[status.key, theme])
                if status.key in counts.index and theme in counts.columns
                else 0
            )
        row["Total"] = sum(int(row[t]) for t in themes)  # type: ignore[call-overload]
        if status.rated or row["Total"]:
            rows.append(row)
    return pd.DataFrame(rows, columns=["status", "label", *themes, "Total"])


@per_dataset
def rated_measures(dataset: Dataset, quarter: Quarter | None = None) -> pd.DataFrame:
    """Measure values joined to their measures and rated under the dataset's framework.

    Parameters
    ----------
    quarter
        Keep only this quarter's values; all quarters when None.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`analysis.engine.ratings.rate_measures`, plus ``title``,
        ``frequency`` and ``directorate`` of the measure.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> rated = rated_measures(data, parse_quarter("2021-22 Q2"))
    >>> rated[["measure_id", "quarterly_d", "quarterly_status", "quarterly_basis"]]
      measure_id  quarterly_d quarterly_status   quarterly_basis
    0         M1         0.10             blue             rated
    1         M2        -0.05            amber             rated
    2         M3          NaN             None  polarity_neither
    3         M4          NaN             None          baseline
    4         M5          NaN             None           no_data
    """
    measures = dataset["measures"][
        ["measure_id", "title", "unit", "polarity", "frequency", "directorate"]
    ]
    values = dataset["measure_values"]
    if quarter is not None:
        values = values[values["quarter"] == quarter.slug]
    joined = values.merge(measures, on="measure_id", how="left")
    return rate_measures(joined, dataset.framework)


_CHANGE_COLUMNS = [
    "id",
    "kind",
    "field",
    "title",
    "theme",
    "outcome",
    "previous",
    "current",
    "previous_label",
    "current_label",
    "change",
]


def status_changes(
    dataset: Dataset, quarter: Quarter, kind: str, field: str | None = None
) -> pd.DataFrame:
    """How each item's status moved between the previous quarter and this one.

    Parameters
    ----------
    kind
        ``action``, ``project`` or ``measure``.
    field
        For projects, ``rag`` (default) or ``dca``.

    Returns
    -------
    pandas.DataFrame
        One row per item with a status in either quarter, in report order: ``id``,
        ``kind``, ``field``, ``title``, ``theme``, ``outcome``, ``previous`` and
        ``current`` (status keys, None when absent), their labels, and ``change``:
        ``improved``, ``declined``, ``unchanged``, ``changed`` (to or from a status
        that is not rated, such as "not assessed"), ``new`` or ``removed``.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> changes = status_changes(data, parse_quarter("2021-22 Q2"), "action")
    >>> changes[["id", "previous_label", "current_label", "change"]]
       id  previous_label   current_label     change
    0  A1   Some slippage        On track   improved
    1  A2        On track  Major slippage   declined
    2  A3       Completed       Completed  unchanged
    3  A4             NaN    Not assessed        new
    4  A5  Major slippage        On track   improved
    """
    if not dataset.holds(kind):
        return pd.DataFrame(columns=_CHANGE_COLUMNS)
    statuses, field, rank, label = _status_source(dataset, kind, field)
    now = statuses.get(quarter.slug, {})
    before = statuses.get(quarter.previous.slug, {})
    items = list_items(dataset)
    items = items[items["kind"] == kind]
    rows = []
    for item in items.itertuples(index=False):
        if item.id not in now and item.id not in before:
            continue
        prev, cur = before.get(item.id), now.get(item.id)
        rows.append(
            {
                "id": item.id,
                "kind": kind,
                "field": field,
                "title": item.title,
                "theme": item.theme,
                "outcome": item.outcome,
                "previous": prev,
                "current": cur,
                "previous_label": label(prev),
                "current_label": label(cur),
                "change": _change(item.id in before, item.id in now, prev, cur, rank),
            }
        )
    return pd.DataFrame(rows, columns=_CHANGE_COLUMNS)


def _status_source(dataset: Dataset, kind: str, field: str | None):
    """Statuses by quarter and item, the field compared, a rank and a labeller."""
    if kind == "measure":
        rated = rated_measures(dataset)
        framework = dataset.framework
        statuses = _by_quarter(rated, "measure_id", "quarterly_status")
        return (
            statuses,
            "quarterly_status",
            lambda key: framework.rank(key) if key else None,
            lambda key: framework.band(key).label if key else None,
        )
    if kind == "action":
        scale, field = dataset.scales.actions, "status"
    elif kind == "project":
        scale, field = dataset.scales.projects, field or "rag"
    else:
        raise ValueError(f"Status changes are for actions, projects and measures, not {kind!r}.")
    _, table, id_col = KINDS[kind]
    statuses = _by_quarter(dataset[table], id_col, field)
    rated = set(scale.rated_keys)
    return (
        statuses,
        field,
        lambda key: scale.rank(key) if key in rated else None,
        lambda key: scale.label(key) if key else None,
    )


def _by_quarter(frame: pd.DataFrame, id_col: str, field: str) -> dict[str, dict[str, str | None]]:
    out: dict[str, dict[str, str | None]] = {}
    for quarter, id_, value in zip(frame["quarter"], frame[id_col], frame[field], strict=True):
        out.setdefault(quarter, {})[str(id_)] = value if isinstance(value, str) and value else None
    return out


def _change(had: bool, has: bool, prev, cur, rank) -> str:
    if not had:
        return "new"
    if not has:
        return "removed"
    if prev == cur:
        return "unchanged"
    r_prev, r_cur = rank(prev), rank(cur)
    if r_prev is None or r_cur is None:
        return "changed"
    return "improved" if r_cur < r_prev else "declined"


_FIGURE_COLUMNS = [
    "figure",
    "label",
    "numerator",
    "denominator",
    "value",
    "previous_value",
    "unit",
    "left_out",
    "kind",
    "counted",
]


@per_dataset
def headline_figures(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """The report's headline figures for a quarter, each with its arithmetic.

    Which figures there are, and what each counts, is the ``headlines`` setting of the
    dataset's presentation (:mod:`analysis.config.presentation`); a figure of a kind
    the dataset does not hold is left out.

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``figure`` (its key, stable from quarter to quarter),
        ``label`` (what it counts), ``numerator``, ``denominator``, ``value`` (a whole
        percentage, or a count), ``previous_value`` (the same figure last quarter, NaN
        if the data does not hold it), ``unit`` (``percent`` or ``count``), ``left_out``
        (items of that kind not counted in the denominator, e.g. measures with no
        target), ``kind``, and ``counted`` (the keys of the statuses, bands or
        movements counted, joined by ``|``).

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> figures = headline_figures(data, parse_quarter("2021-22 Q2")).set_index("figure")
    >>> row = figures.loc["actions_on_track_or_completed"]
    >>> [float(row[c]) for c in ("numerator", "denominator", "value", "previous_value")]
    [3.0, 4.0, 75.0, 50.0]
    >>> row["label"], row["counted"]
    ('Priority actions assessed as on track or completed', 'completed|on_track')
    """
    rows = []
    for headline in dataset.presentation.headlines:
        if not dataset.holds(headline.kind):
            continue
        counted = counted_keys(dataset, headline)
        num, den, left_out = _count(dataset, headline, counted, quarter)
        percent_unit = headline.unit == "percent"
        value = percent(num, den) if percent_unit else float(num)
        previous = math.nan
        if not updates_for(dataset, headline.kind, quarter.previous).empty:
            p_num, p_den, _ = _count(dataset, headline, counted, quarter.previous)
            previous = percent(p_num, p_den) if percent_unit else float(p_num)
        rows.append(
            {
                "figure": headline.key,
                "label": headline.label or _label(dataset, headline, counted),
                "numerator": num,
                "denominator": den if percent_unit else None,
                "value": value,
                "previous_value": previous,
                "unit": headline.unit,
                "left_out": left_out,
                "kind": headline.kind,
                "counted": "|".join(counted),
            }
        )
    frame = pd.DataFrame(rows, columns=_FIGURE_COLUMNS)
    return frame.astype({"numerator": "Int64", "denominator": "Int64", "left_out": "Int64"})


def counted_keys(dataset: Dataset, headline: Headline) -> tuple[str, ...]:
    """The keys a headline figure counts: statuses, bands or register movements.

    Raises
    ------
    ConfigError
        If the figure lists a key its scale, framework or the register does not have.
    """
    if headline.kind == "risk":
        if headline.counts == "on_register":
            return ()
        known: tuple[str, ...] = (*VOCABULARIES["risk_movement"], "increased", "reduced")
    elif headline.kind == "measure":
        known = dataset.framework.keys
        if headline.counts == "met":
            return dataset.framework.met
    else:
        scale = dataset.scales.of(headline.kind)
        known = scale.keys
        if isinstance(headline.counts, str):
            return scale.flagged(headline.counts)
    unknown = [k for k in headline.counts if k not in known]
    if unknown:
        raise ConfigError(
            f"{dataset.presentation.where}: headlines: {headline.key}: no such key(s) "
            f"{', '.join(unknown)}; the keys are {', '.join(known)}."
        )
    return tuple(headline.counts)


def _count(
    dataset: Dataset, headline: Headline, counted: tuple[str, ...], q: Quarter
) -> tuple[int, int, int]:
    """Numerator, denominator and items left out of a headline figure in a quarter."""
    if headline.kind == "risk":
        register = risk_register(dataset, q)
        if headline.counts == "on_register":
            return int(register["on_register"].sum()), 0, 0
        return int(register["movement"].isin(list(counted)).sum()), 0, 0
    if headline.kind == "measure":
        rated = rated_measures(dataset, q)
        which = str(headline.which)
        met = count_met(rated, which, dataset.framework)
        is_rated = rated[f"{which}_basis"] == "rated"
        numerator = int(rated.loc[is_rated, f"{which}_status"].isin(counted).sum())
        return numerator, met.denominator, met.left_out
    scale = dataset.scales.of(headline.kind)
    field = "status" if headline.kind == "action" else "rag"
    status = updates_for(dataset, headline.kind, q)[field]
    rated = status.isin(scale.rated_keys)
    return int(status.isin(counted).sum()), int(rated.sum()), int((~rated).sum())


def at_or_above_target(framework: Framework, bands: Iterable[str]) -> bool:
    """Whether every one of these bands holds only values at or above target (d ≥ 0).

    Examples
    --------
    >>> from analysis.config.frameworks import load_framework
    >>> derby = load_framework("derby-city-2021-22")
    >>> at_or_above_target(derby, ["blue"]), at_or_above_target(derby, ["blue", "green"])
    (True, False)
    """
    for key in bands:
        band = framework.band(key)
        thresholds = [band.threshold]
        if band.override is not None:
            thresholds.append(band.override.threshold)
        if any(t is None or t.value < 0 for t in thresholds):
            return False
    return True


def _label(dataset: Dataset, headline: Headline, counted: tuple[str, ...]) -> str:
    """A headline figure's label, from the words of its kind and what it counts."""
    words = dataset.presentation.kind(headline.kind)
    plural = words.plural[:1].upper() + words.plural[1:]
    if headline.kind == "risk":
        if headline.counts == "on_register":
            return f"{plural} on the register"
        moves = dataset.presentation.settings["tables"]["risk_movements"]
        named = [str(moves.get(k, {}).get("label", k)).lower() for k in counted]
        return f"{plural} {join_words(named, 'or')} this quarter"
    if headline.kind == "measure":
        framework = dataset.framework
        bands = join_words([framework.band(k).label for k in counted], "or")
        if headline.which == "quarterly":
            if at_or_above_target(framework, counted):
                return f"{plural} with a quarterly target that met or exceeded it"
            return f"{plural} with a quarterly target rated {bands}"
        if at_or_above_target(framework, counted):
            return f"{plural} with an annual target forecast to achieve or exceed it"
        return f"{plural} with an annual target forecast to be rated {bands}"
    scale = dataset.scales.of(headline.kind)
    labels = join_words([scale.label(k).lower() for k in counted], "or")
    verb = "assessed as" if headline.kind == "action" else "rated"
    return f"{plural} {verb} {labels}"


STATUS_COLUMNS = (
    "id",
    "kind",
    "theme",
    "outcome",
    "title",
    "status",
    "status_key",
    "previous_status",
    "value",
    "target",
    "relative_difference",
    "direction_of_travel",
    "provenance",
)


@per_dataset
def item_statuses(dataset: Dataset, quarter: Quarter) -> pd.DataFrame:
    """One row per item with an update this quarter: its status now and last quarter.

    What the columns hold by kind:

    ``status_key`` is the configuration's key of the status: the framework's band for a
    measure (empty when it is not rated), the scale's status for an action, the RAG for
    a project, the score band's name for a risk. Colours, icons and ranks are found
    from it.

    - measure: ``status`` is the quarterly rating's label (or why it is not rated, in
      brackets); ``value`` the actual; ``target`` the quarterly target;
      ``relative_difference`` the signed difference the rating used;
      ``direction_of_travel`` the change against the previous quarter.
    - action: ``status`` on the action scale.
    - project: ``status`` the RAG and, after a semicolon, the DCA.
    - risk: ``status`` the score band; ``value`` the score (impact × likelihood);
      ``direction_of_travel`` the register movement.

    Every row carries the provenance of its update (published, derived, assumed).

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> statuses = item_statuses(data, parse_quarter("2021-22 Q2"))
    >>> statuses[["id", "kind", "status", "previous_status"]].head(4)
       id     kind            status         previous_status
    0  A1   action          On track           Some slippage
    1  A2   action    Major slippage                On track
    2  P1  project  Green; DCA Green  Amber/Green; DCA Green
    3  M1  measure              Blue                   Green
    """
    items = list_items(dataset).set_index(["kind", "id"])
    builders = {
        "measure": _measure_rows,
        "action": _action_rows,
        "project": _project_rows,
        "risk": _risk_rows,
    }
    rows = [
        row
        for kind, build in builders.items()
        if dataset.holds(kind)
        for row in build(dataset, quarter)
    ]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=list(STATUS_COLUMNS))
    info = items.loc[list(zip(frame["kind"], frame["id"], strict=True))].reset_index()
    frame[["theme", "outcome", "title"]] = info[["theme", "outcome", "title"]].to_numpy()
    order = {
        key: i
        for i, key in enumerate(
            zip(list_items(dataset)["kind"], list_items(dataset)["id"], strict=True)
        )
    }
    frame["_order"] = [order[(k, i)] for k, i in zip(frame["kind"], frame["id"], strict=True)]
    return frame.sort_values("_order", kind="stable")[list(STATUS_COLUMNS)].reset_index(drop=True)


def _measure_rows(dataset: Dataset, q: Quarter) -> list[dict[str, object]]:
    from analysis.dataset.values import STATE_LABELS

    framework = dataset.framework
    rated = rated_measures(dataset, q)
    previous = rated_measures(dataset, q.previous).set_index("measure_id")["quarterly_status"]
    travel = direction_of_travel(dataset_measure_values(dataset), q).set_index("measure_id")

    def label(status: object, basis: object = None) -> str:
        if isinstance(status, str) and status:
            return framework.band(status).label
        return f"(not rated: {str(basis).replace('_', ' ')})" if basis else ""

    rows = []
    for r in rated.itertuples(index=False):
        prev = previous.get(r.measure_id)
        rows.append(
            {
                "id": r.measure_id,
                "kind": "measure",
                "status": label(r.quarterly_status, r.quarterly_basis),
                "status_key": r.quarterly_status if isinstance(r.quarterly_status, str) else "",
                "previous_status": label(prev) if prev is not None else "",
                "value": r.actual if r.actual_state == "value" else STATE_LABELS[r.actual_state],
                "target": r.quarterly_target
                if r.quarterly_target_state == "value"
                else STATE_LABELS[r.quarterly_target_state],
                "relative_difference": r.quarterly_d,
                "direction_of_travel": travel["vs_previous_quarter"].get(r.measure_id, ""),
                "provenance": r.provenance,
            }
        )
    return rows


@per_dataset
def dataset_measure_values(dataset: Dataset) -> pd.DataFrame:
    """Every quarter's measure values joined to the measure's unit and polarity.

    Examples
    --------
    >>> from tests.synthetic import synthetic_dataset
    >>> data = synthetic_dataset()
    >>> dataset_measure_values(data)[["measure_id", "quarter", "actual", "polarity"]].head(3)
      measure_id     quarter  actual polarity
    0         M1  2021-22-Q1   100.0   higher
    1         M1  2021-22-Q2   110.0   higher
    2         M2  2021-22-Q1   101.0    lower
    """
    measures = dataset["measures"][["measure_id", "unit", "polarity", "frequency"]]
    return dataset["measure_values"].merge(measures, on="measure_id", how="left")


def _scale_rows(dataset: Dataset, q: Quarter, kind: str) -> list[dict[str, object]]:
    """Rows for actions (status) and projects (RAG, with the DCA after a semicolon)."""
    if kind == "action":
        scale = dataset.scales.actions

        def describe(row) -> str:
            return scale.label(row["status"])
    else:
        scale = dataset.scales.projects

        def describe(row) -> str:
            return f"{scale.label(row['rag'])}; DCA {scale.label(row['dca'])}"

    before = updates_for(dataset, kind, q.previous).set_index("id")
    rows = []
    for _, r in updates_for(dataset, kind, q).iterrows():
        rows.append(
            {
                "id": r["id"],
                "kind": kind,
                "status": describe(r),
                "status_key": r["status" if kind == "action" else "rag"],
                "previous_status": describe(before.loc[r["id"]]) if r["id"] in before.index else "",
                "value": "",
                "target": "",
                "relative_difference": math.nan,
                "direction_of_travel": "",
                "provenance": r["provenance"],
            }
        )
    return rows


def _action_rows(dataset: Dataset, q: Quarter) -> list[dict[str, object]]:
    return _scale_rows(dataset, q, "action")


def _project_rows(dataset: Dataset, q: Quarter) -> list[dict[str, object]]:
    return _scale_rows(dataset, q, "project")


def _risk_rows(dataset: Dataset, q: Quarter) -> list[dict[str, object]]:
    register = risk_register(dataset, q)
    rows = []
    for r in register.itertuples(index=False):
        rows.append(
            {
                "id": r.risk_id,
                "kind": "risk",
                "status": r.band,
                "status_key": r.band,
                "previous_status": r.previous_band,
                "value": r.score,
                "target": "",
                "relative_difference": math.nan,
                "direction_of_travel": r.movement,
                "provenance": r.provenance,
            }
        )
    return rows
