"""The action, project and strategic-risk scales, read from YAML configuration.

A scale lists its statuses best first, each with a label, colour, text colour, icon and
description, and whether it is rated (counted in percentages). Labels are matched
case-insensitively, with aliases for other spellings in exports ("Minor slippage" for
"Some slippage", "Amber / Green" for "Amber/Green").

Examples
--------
>>> scales = load_scales("derby-city")
>>> scales.actions.match("minor slippage")
'some_slippage'
>>> scales.projects.label("amber_green")
'Amber/Green'
>>> scales.risks.score_band(12).name
'High'
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.config.files import check_colour, check_contrast, check_keys, read_yaml, resolve
from analysis.errors import ConfigError

__all__ = ["Status", "Scale", "ScoreBand", "RiskScale", "Scales", "NO_SCALES", "load_scales"]


@dataclass(frozen=True)
class Status:
    """One status of a scale."""

    key: str
    label: str
    colour: str
    text_colour: str
    icon: str
    description: str
    aliases: tuple[str, ...] = ()
    rated: bool = True
    on_track: bool = False
    good: bool = False
    completed: bool = False
    needs_action: bool = False


@dataclass(frozen=True)
class Scale:
    """An ordered scale of statuses, best first.

    Meanings are flags on statuses, never their keys: ``on_track`` (an action counted as
    on track), ``good`` (a project counted as rated well), ``completed`` (an item
    delivered, listed among the commitments completed), ``needs_action`` (an item
    listed among those requiring action; when no status carries it, the two worst rated
    statuses do) and ``rated`` (counted in percentages at all).
    """

    title: str
    statuses: tuple[Status, ...]

    def flagged(self, flag: str) -> tuple[str, ...]:
        """The keys of the statuses carrying a flag, best first.

        Examples
        --------
        >>> load_scales("derby-city").actions.flagged("completed")
        ('completed',)
        """
        return tuple(s.key for s in self.statuses if getattr(s, flag))

    @property
    def needs_action(self) -> tuple[str, ...]:
        """The keys of the statuses that call for action, best first: those flagged
        ``needs_action``, or else the two worst rated statuses.

        Examples
        --------
        >>> load_scales("derby-city").actions.needs_action
        ('some_slippage', 'major_slippage')
        """
        return self.flagged("needs_action") or self.rated_keys[-2:]

    @property
    def good(self) -> tuple[str, ...]:
        """The keys of the statuses counted as good, best first."""
        return self.flagged("good")

    def status(self, key: str) -> Status:
        """The status with this key."""
        for s in self.statuses:
            if s.key == key:
                return s
        raise KeyError(key)

    def label(self, key: str) -> str:
        """The label shown for a status key."""
        return self.status(key).label

    def rank(self, key: str) -> int:
        """Position on the scale, 0 for the best status."""
        return [s.key for s in self.statuses].index(key)

    @property
    def keys(self) -> tuple[str, ...]:
        """Every status key, best first."""
        return tuple(s.key for s in self.statuses)

    @property
    def rated_keys(self) -> tuple[str, ...]:
        """The keys counted in percentages, best first."""
        return tuple(s.key for s in self.statuses if s.rated)

    def vocabulary(self) -> dict[str, str]:
        """Every accepted spelling (lower case) mapped to its status key."""
        vocab: dict[str, str] = {}
        for s in self.statuses:
            for spelling in (s.label, s.key, *s.aliases):
                vocab[" ".join(spelling.lower().split())] = s.key
        return vocab

    def match(self, text: object) -> str | None:
        """The status key for a label as written in an export, or None."""
        return self.vocabulary().get(" ".join(str(text).lower().split()))

    def suggest(self, text: object) -> str | None:
        """The closest valid label to a misspelt one, or None."""
        labels = {s.label.lower(): s.label for s in self.statuses}
        close = difflib.get_close_matches(str(text).lower(), list(labels), n=1, cutoff=0.5)
        return labels[close[0]] if close else None


@dataclass(frozen=True)
class ScoreBand:
    """A band of risk scores, for colouring the matrices."""

    name: str
    min: int
    max: int
    colour: str
    text_colour: str


@dataclass(frozen=True)
class RiskScale:
    """Words for impact and likelihood (1 to 4) of threats and opportunities."""

    threat_impact: tuple[str, ...]
    threat_likelihood: tuple[str, ...]
    opportunity_impact: tuple[str, ...]
    opportunity_likelihood: tuple[str, ...]
    score_bands: tuple[ScoreBand, ...]

    def score_band(self, score: int) -> ScoreBand:
        """The band holding a score from 1 to 16."""
        for band in self.score_bands:
            if band.min <= score <= band.max:
                return band
        raise ValueError(f"No score band holds the score {score}.")

    def words(self, risk_type: str, axis: str) -> tuple[str, ...]:
        """The four words of an axis (``impact`` or ``likelihood``) for a risk type."""
        return getattr(self, f"{risk_type}_{axis}")


@dataclass(frozen=True)
class Scales:
    """All the scales of one council."""

    name: str
    source: Path | None
    actions: Scale | None = None
    projects: Scale | None = None
    risks: RiskScale | None = None

    def of(self, kind: str) -> Scale | None:
        """The scale that rates a kind of item (``action`` or ``project``); None if the
        scales have none for it.

        Examples
        --------
        >>> load_scales("derby-city").of("project").title
        'RAG and delivery confidence (DCA)'
        """
        if kind not in ("action", "project"):
            raise ValueError(f"Scales rate actions and projects, not {kind!r}.")
        return self.actions if kind == "action" else self.projects


#: The scales of a dataset that names none: it holds measures only.
NO_SCALES = Scales(name="no scales", source=None)


def load_scales(name_or_path: str | Path, base: Path | None = None) -> Scales:
    """Load scales from a preset name or a YAML file.

    Raises
    ------
    ConfigError
        For a missing file, unknown or missing settings, or bad values.
    """
    path = resolve(name_or_path, "scales", base)
    data = read_yaml(path)
    where = str(path)
    check_keys(data, where, required=("name",), optional=("actions", "projects", "risks"))
    if not any(kind in data for kind in ("actions", "projects", "risks")):
        raise ConfigError(
            f"{where}: scales need at least one of actions, projects or risks; a dataset "
            "holding measures only names no scales."
        )
    return Scales(
        name=str(data["name"]),
        source=path,
        actions=_scale(data["actions"], f"{where}: actions") if "actions" in data else None,
        projects=_scale(data["projects"], f"{where}: projects") if "projects" in data else None,
        risks=_risk_scale(data["risks"], f"{where}: risks") if "risks" in data else None,
    )


_STATUS_KEYS = ("key", "label", "colour", "text_colour", "icon", "description")


_FLAGS = ("rated", "on_track", "good", "completed", "needs_action")


def _scale(data: Any, where: str) -> Scale:
    # ``good``, a list of keys, is the older spelling of the ``good`` flag; still read.
    check_keys(data, where, required=("title", "statuses"), optional=("good",))
    if not isinstance(data["statuses"] or [], list):
        raise ConfigError(f"{where}: statuses must be a list of statuses, best first.")
    statuses = []
    for i, item in enumerate(data["statuses"] or [], start=1):
        at = f"{where}, status {i}"
        check_keys(item, at, required=_STATUS_KEYS, optional=("aliases", *_FLAGS))
        colour = check_colour(item["colour"], at)
        text_colour = check_colour(item["text_colour"], at)
        check_contrast(colour, text_colour, at)
        statuses.append(
            Status(
                key=str(item["key"]),
                label=str(item["label"]),
                colour=colour,
                text_colour=text_colour,
                icon=str(item["icon"]),
                description=str(item["description"]),
                aliases=tuple(str(a) for a in item.get("aliases") or ()),
                rated=_bool(item.get("rated", True), f"{at}: rated"),
                on_track=_bool(item.get("on_track", False), f"{at}: on_track"),
                good=_bool(item.get("good", False), f"{at}: good")
                or str(item["key"]) in [str(k) for k in data.get("good") or ()],
                completed=_bool(item.get("completed", False), f"{at}: completed"),
                needs_action=_bool(item.get("needs_action", False), f"{at}: needs_action"),
            )
        )
    if not statuses:
        raise ConfigError(f"{where}: a scale needs at least one status.")
    scale = Scale(str(data["title"]), tuple(statuses))
    keys = [s.key for s in scale.statuses]
    for key in dict.fromkeys(keys):
        if keys.count(key) > 1:
            numbers = " and ".join(str(i) for i, k in enumerate(keys, start=1) if k == key)
            raise ConfigError(f"{where}: key {key!r} is used by statuses {numbers}.")
    spellings: dict[str, str] = {}
    for s in scale.statuses:
        for spelling in (s.label, s.key, *s.aliases):
            norm = " ".join(spelling.lower().split())
            if spellings.setdefault(norm, s.key) != s.key:
                raise ConfigError(
                    f"{where}: {spelling!r} names both {spellings[norm]!r} and {s.key!r}."
                )
    unknown = [str(k) for k in data.get("good") or () if str(k) not in scale.keys]
    if unknown:
        raise ConfigError(f"{where}: good lists unknown status(es) {', '.join(unknown)}.")
    return scale


def _risk_scale(data: Any, where: str) -> RiskScale:
    check_keys(data, where, required=("threat", "opportunity", "score_bands"))
    words: dict[str, tuple[str, ...]] = {}
    for risk_type in ("threat", "opportunity"):
        check_keys(data[risk_type], f"{where}: {risk_type}", required=("impact", "likelihood"))
        for axis in ("impact", "likelihood"):
            values = data[risk_type][axis]
            if not isinstance(values, list) or len(values) != 4:
                raise ConfigError(
                    f"{where}: {risk_type} {axis} needs four words, for 1 to 4; got {values!r}."
                )
            words[f"{risk_type}_{axis}"] = tuple(str(v) for v in values)
    bands = []
    for i, band in enumerate(data["score_bands"] or [], start=1):
        at = f"{where}: score band {i}"
        check_keys(band, at, required=("name", "min", "max", "colour", "text_colour"))
        colour = check_colour(band["colour"], at)
        text_colour = check_colour(band["text_colour"], at)
        check_contrast(colour, text_colour, at)
        bands.append(
            ScoreBand(
                str(band["name"]),
                _whole(band["min"], f"{at}: min"),
                _whole(band["max"], f"{at}: max"),
                colour,
                text_colour,
            )
        )
    covered = sorted(s for b in bands for s in range(b.min, b.max + 1))
    if covered != list(range(1, 17)):
        raise ConfigError(f"{where}: score bands must cover every score from 1 to 16 exactly once.")
    return RiskScale(score_bands=tuple(bands), **words)


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where} must be a whole number, got {value!r}.")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {value!r}.")
    return value
