"""Small selections the report's chapter notebooks display.

The notebooks in ``notebooks/`` only narrate; where a chapter needs a slice of a table or a
table built from configuration, the function lives here, is tested, and the notebook calls
it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.errors import WorkbookError

if TYPE_CHECKING:
    from analysis.frameworks import Framework
    from analysis.scales import Scale

__all__ = ["theme_name", "theme_statuses", "exception_statuses", "framework_table", "scale_table"]


def theme_name(themes: pd.DataFrame, theme_id: str) -> str:
    """The name of the theme with this id.

    Raises
    ------
    WorkbookError
        If the themes table has no such id; the message lists the ids it has.

    Examples
    --------
    >>> themes = pd.DataFrame({"theme_id": ["place"], "name": ["Our place"]})
    >>> theme_name(themes, "place")
    'Our place'
    >>> theme_name(themes, "people")
    Traceback (most recent call last):
    ...
    analysis.errors.WorkbookError: There is no theme 'people'; the themes are: place.
    """
    match = themes.loc[themes["theme_id"] == theme_id, "name"]
    if match.empty:
        known = ", ".join(map(str, themes["theme_id"]))
        raise WorkbookError(f"There is no theme {theme_id!r}; the themes are: {known}.")
    return str(match.iloc[0])


def theme_statuses(statuses: pd.DataFrame, theme: str) -> pd.DataFrame:
    """The rows of an item-status table that belong to one theme (by name), in order.

    Examples
    --------
    >>> statuses = pd.DataFrame({"id": ["A1", "B1", "A2"], "theme": ["A", "B", "A"]})
    >>> theme_statuses(statuses, "A")["id"].tolist()
    ['A1', 'A2']
    """
    return statuses.loc[statuses["theme"] == theme].reset_index(drop=True)


def exception_statuses(
    statuses: pd.DataFrame, framework: Framework, bands: int = 2
) -> pd.DataFrame:
    """The measures rated in the framework's ``bands`` worst bands.

    ``statuses`` is an item-status table (:func:`analysis.summary.item_statuses`), whose
    ``status`` holds a measure's band label.

    Examples
    --------
    >>> from analysis.frameworks import load_framework
    >>> statuses = pd.DataFrame({"id": ["M1", "M2", "A1"],
    ...                          "kind": ["measure", "measure", "action"],
    ...                          "status": ["Green", "Red", "Red"]})
    >>> exception_statuses(statuses, load_framework("derby-city-2021-22"))["id"].tolist()
    ['M2']
    """
    labels = {framework.band(key).label for key in framework.worst(bands)}
    keep = (statuses["kind"] == "measure") & statuses["status"].isin(labels)
    return statuses.loc[keep].reset_index(drop=True)


def framework_table(framework: Framework) -> pd.DataFrame:
    """The framework's bands, best first, each with its rule and whether it counts as met.

    Examples
    --------
    >>> from analysis.frameworks import load_framework
    >>> framework_table(load_framework("derby-city-2021-22")).iloc[0].tolist()
    ['Blue', 'd ≥ +10%', 'yes']
    """
    met = {framework.band(key).label for key in framework.met}
    rows = [
        {"band": label, "rule": rule, "met target": "yes" if label in met else "no"}
        for label, rule in framework.describe()
    ]
    return pd.DataFrame(rows, columns=["band", "rule", "met target"])


def scale_table(scale: Scale) -> pd.DataFrame:
    """A scale's statuses, best first, with their meaning and whether they are rated.

    Examples
    --------
    >>> from analysis.scales import load_scales
    >>> scale_table(load_scales("derby-city").actions)["status"].tolist()[:2]
    ['Completed', 'On track']
    """
    rows = [
        {
            "status": s.label,
            "meaning": s.description,
            "counted in percentages": "yes" if s.rated else "no",
        }
        for s in scale.statuses
    ]
    return pd.DataFrame(rows, columns=["status", "meaning", "counted in percentages"])
