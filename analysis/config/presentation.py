"""How a report presents its figures: its words, icons, colours and headline figures.

A presentation is a preset (``presentation/*.yml``: ``standard``, or a council's own
words such as ``derby-city``) that may extend another preset, with a dataset's own
changes on top. ``dataset.yml`` names it::

    presentation: derby-city          # a preset, or the path of a YAML file

or changes some settings of a preset (mappings merge; anything else replaces)::

    presentation:
      preset: standard
      kinds:
        action: {label: Deliverable, singular: deliverable, plural: deliverables,
                 heading: Deliverables}

Every word a report uses for the kinds of item, its section headings and introductions,
and its headline figures comes from here; code holds none of a council's words.

Examples
--------
>>> standard = load_presentation()
>>> standard.kind("action").plural
'actions'
>>> derby = load_presentation("derby-city")
>>> derby.kind("action").heading
'Milestones / priority actions'
>>> derby.section("progress", ("action",)).heading
'Assessment of progress'
"""

from __future__ import annotations

import copy
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.config.files import CONFIG_DIR, check_keys, presets, read_yaml, resolve
from analysis.errors import ConfigError
from analysis.schema import KINDS

if TYPE_CHECKING:
    from analysis.config.frameworks import Framework
    from analysis.config.scales import Scales

__all__ = [
    "DEFAULT_PRESET",
    "KindWords",
    "Section",
    "Headline",
    "Presentation",
    "load_presentation",
    "join_words",
    "icon_problems",
]

DEFAULT_PRESET = "standard"
_SETTINGS = ("extends", "charts", "units", "tables", "kinds", "sections", "headlines")
_KIND_WORDS = ("label", "icon", "singular", "plural", "heading")
# What a headline figure may count: for actions and projects a flag of the scale's
# statuses (or a list of status keys); for measures the framework's met bands (or a list
# of band keys); for risks those on the register (or a list of register movements).
_COUNTS = {"action": "on_track", "project": "good", "measure": "met", "risk": "on_register"}


@dataclass(frozen=True)
class KindWords:
    """The words for one kind of item.

    ``label`` and ``icon`` name the kind in tables; ``singular`` and ``plural`` are used
    in sentences ("49 of 54 priority actions"); ``heading`` titles its counts.
    """

    kind: str
    label: str
    icon: str
    singular: str
    plural: str
    heading: str


@dataclass(frozen=True)
class Section:
    """A section of the report: its heading, an introduction (may be empty), and the
    kinds of item it is about (it is left out when the dataset holds none of them)."""

    key: str
    heading: str
    intro: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Headline:
    """A headline figure: what it counts, and how it is named.

    ``counts`` is a flag or keyword (see the module) or a tuple of keys; ``which``
    chooses the quarterly or the year-end rating of measures; ``label`` is None when the
    label is written from the words of the kind and the statuses counted.
    """

    key: str
    kind: str
    counts: str | tuple[str, ...]
    unit: str
    which: str | None = None
    label: str | None = None


@dataclass(frozen=True, eq=False)
class Presentation:
    """A report's presentation settings, merged and checked.

    ``settings`` holds the ``charts``, ``units`` and ``tables`` sections, which the report
    modules read and check; ``where`` names the files the settings came from, for errors.
    """

    where: str
    settings: Mapping[str, Any]
    kinds: Mapping[str, KindWords]
    sections: Mapping[str, Section]
    headlines: tuple[Headline, ...]

    def kind(self, kind: str) -> KindWords:
        """The words of a kind of item (``action``, ``project``, ``measure``, ``risk``)."""
        return self.kinds[kind]

    def words(self, held: Sequence[str] = tuple(KINDS)) -> dict[str, str]:
        """Placeholders for section texts: ``{action}``, ``{actions}``, ... and ``{kinds}``,
        the plural words of the kinds ``held``, joined ("actions, projects and measures").
        """
        words = {}
        for kind, w in self.kinds.items():
            words[kind] = w.singular
            words[f"{kind}s"] = w.plural
            words[f"{kind.capitalize()}s"] = w.plural[:1].upper() + w.plural[1:]
        words["kinds"] = join_words([self.kinds[k].plural for k in KINDS if k in held])
        return words

    def section(self, key: str, held: Sequence[str] = tuple(KINDS)) -> Section:
        """A section with its placeholders filled for a dataset holding ``held`` kinds."""
        try:
            section = self.sections[key]
        except KeyError:
            raise ConfigError(
                f"{self.where}: sections: no section {key!r}; the sections are "
                f"{', '.join(self.sections)}."
            ) from None
        words = self.words([k for k in held if k in section.kinds] if section.kinds else held)
        return Section(
            key,
            section.heading.format_map(words),
            section.intro.format_map(words),
            section.kinds,
        )


def join_words(words: Sequence[str], conjunction: str = "and") -> str:
    """Words joined for a sentence.

    Examples
    --------
    >>> join_words(["a"]), join_words(["a", "b"]), join_words(["a", "b", "c"])
    ('a', 'a and b', 'a, b and c')
    """
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def load_presentation(setting: Any = None, base: Path | None = None) -> Presentation:
    """Load a presentation: a preset's name or a file's path, or a mapping of changes.

    Parameters
    ----------
    setting
        None (the standard preset), a preset name or path, or a mapping with an
        optional ``preset`` and any settings to change.
    base
        The folder relative paths are read from (the dataset's).

    Raises
    ------
    ConfigError
        For a missing preset or file, unknown or missing settings, or bad values.
    """
    if setting is None:
        setting = DEFAULT_PRESET
    if isinstance(setting, Mapping):
        changes = dict(setting)
        preset = changes.pop("preset", DEFAULT_PRESET)
        data, where = _read_preset(preset, base)
        check_keys(changes, "dataset.yml: presentation", optional=("preset", *_SETTINGS[1:]))
        data = _merge(data, changes)
        where += " with the changes in dataset.yml"
    elif isinstance(setting, str | Path):
        data, where = _read_preset(setting, base)
    else:
        raise ConfigError(
            f"dataset.yml: presentation: expected the name of a preset "
            f"({', '.join(presets('presentation'))}), the path of a YAML file, or a mapping "
            f"of settings; got {setting!r}."
        )
    return _build(data, where)


def _read_preset(
    name: str | Path, base: Path | None, seen: tuple[Path, ...] = ()
) -> tuple[dict[str, Any], str]:
    path = resolve(name, "presentation", base)
    if path in seen:
        raise ConfigError(f"{path}: extends itself through {', '.join(map(str, seen))}.")
    data = read_yaml(path)
    check_keys(data, str(path), optional=_SETTINGS)
    where = (
        str(path.relative_to(CONFIG_DIR.parent.parent))
        if path.is_relative_to(CONFIG_DIR.parent.parent)
        else str(path)
    )
    parent = data.pop("extends", None)
    if parent is None:
        return data, where
    inherited, parent_where = _read_preset(str(parent), path.parent, (*seen, path))
    return _merge(inherited, data), f"{where} (extending {parent_where})"


def _merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes``: mappings merge key by key; other values replace."""
    merged = copy.deepcopy(dict(base))
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _build(data: Mapping[str, Any], where: str) -> Presentation:
    check_keys(data, where, required=_SETTINGS[1:])
    kinds_data = data["kinds"]
    check_keys(kinds_data, f"{where}: kinds", required=tuple(KINDS))
    kinds = {}
    for kind in KINDS:
        at = f"{where}: kinds: {kind}"
        entry = kinds_data[kind]
        check_keys(entry, at, required=_KIND_WORDS)
        words = {k: str(entry[k] if entry[k] is not None else "") for k in _KIND_WORDS}
        for k in ("label", "singular", "plural", "heading"):
            if not words[k].strip():
                raise ConfigError(f"{at}: {k} must not be empty; icons alone are not enough.")
        kinds[kind] = KindWords(kind=kind, **words)
    presentation = Presentation(
        where=where,
        settings={k: data[k] for k in ("charts", "units", "tables")},
        kinds=kinds,
        sections=_sections(data["sections"], f"{where}: sections"),
        headlines=_headlines(data["headlines"], f"{where}: headlines"),
    )
    placeholders = presentation.words()
    for section in presentation.sections.values():
        for text in (section.heading, section.intro):
            _check_placeholders(text, placeholders, f"{where}: sections: {section.key}")
    return presentation


def _sections(data: Any, where: str) -> dict[str, Section]:
    check_keys(data, where, optional=data if isinstance(data, Mapping) else ())
    sections = {}
    for key, entry in data.items():
        at = f"{where}: {key}"
        check_keys(entry, at, required=("heading",), optional=("intro", "kinds"))
        kinds = tuple(str(k) for k in entry.get("kinds") or ())
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ConfigError(
                f"{at}: kinds: unknown kind(s) {', '.join(unknown)} (the kinds are "
                f"{', '.join(KINDS)})."
            )
        heading = str(entry["heading"] or "")
        if not heading.strip():
            raise ConfigError(f"{at}: heading must not be empty.")
        sections[str(key)] = Section(
            str(key), heading, " ".join(str(entry.get("intro") or "").split()), kinds
        )
    return sections


def _headlines(data: Any, where: str) -> tuple[Headline, ...]:
    if not isinstance(data, list):
        raise ConfigError(f"{where}: expected a list of headline figures, got {data!r}.")
    headlines = []
    for i, entry in enumerate(data, start=1):
        at = f"{where}: figure {i}"
        check_keys(entry, at, required=("key", "kind"), optional=("counts", "which", "label"))
        key, kind = str(entry["key"]), str(entry["kind"])
        if kind not in KINDS:
            raise ConfigError(f"{at}: kind {kind!r} is not one of {', '.join(KINDS)}.")
        counts = entry.get("counts", _COUNTS[kind])
        counts = tuple(str(c) for c in counts) if isinstance(counts, list) else str(counts)
        which = entry.get("which")
        if kind == "measure" and which not in ("quarterly", "year_end"):
            raise ConfigError(f"{at}: which must be quarterly or year_end, got {which!r}.")
        if kind != "measure" and which is not None:
            raise ConfigError(f"{at}: which is for measures only.")
        if isinstance(counts, str) and counts != _COUNTS[kind]:
            raise ConfigError(
                f"{at}: counts must be {_COUNTS[kind]!r} or a list of keys for a {kind}; "
                f"got {counts!r}."
            )
        unit = "count" if kind == "risk" else "percent"
        label = entry.get("label")
        headlines.append(
            Headline(key, kind, counts, unit, which, str(label) if label is not None else None)
        )
    keys = [h.key for h in headlines]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ConfigError(f"{where}: key(s) {', '.join(repeated)} used more than once.")
    return tuple(headlines)


def _check_placeholders(text: str, words: Mapping[str, str], where: str) -> None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc} in {text!r}; write a brace as {{{{ or }}}}.") from None
    unknown = [f for f in fields if f not in words]
    if unknown:
        raise ConfigError(
            f"{where}: unknown placeholder(s) {', '.join('{' + f + '}' for f in unknown)} in "
            f"{text!r}; the placeholders are {', '.join('{' + w + '}' for w in words)}."
        )


def icon_problems(
    framework: Framework, scales: Scales, presentation: Presentation, kinds: Sequence[str]
) -> list[str]:
    """Where one report's icons or names would mean two things; empty when none does.

    A report of a dataset holding ``kinds`` shows the framework's bands, the statuses of
    the scales of the kinds it holds, and the kinds' own labels. Within it a name always
    carries the same icon, an icon always stands for the same name, and no kind of item
    is called like a status ("Action" the kind beside "Action" the rating).

    Examples
    --------
    >>> from analysis.config.frameworks import load_framework
    >>> from analysis.config.scales import load_scales
    >>> icon_problems(load_framework("derby-city-2021-22"), load_scales("derby-city"),
    ...               load_presentation("derby-city"), ["action", "project", "measure"])
    []
    >>> for problem in icon_problems(load_framework("derbyshire-2021-25"),
    ...                              load_scales("derby-city"), load_presentation(),
    ...                              ["action", "measure"]):
    ...     print(problem)
    the icon ✔ stands for both Strong (the framework) and Completed (the actions' scale)
    the kind Action has the name of Action (the framework)
    """
    shown: list[tuple[str, str, str]] = [
        (band.label, band.icon, "the framework") for band in framework.bands
    ]
    for kind in ("action", "project"):
        scale = scales.of(kind)
        if kind in kinds and scale is not None:
            shown += [(s.label, s.icon, f"the {kind}s' scale") for s in scale.statuses]
    problems = []
    by_name: dict[str, tuple[str, str, str]] = {}
    by_icon: dict[str, tuple[str, str, str]] = {}
    for name, icon, where in shown:
        first = by_name.setdefault(_normal(name), (name, icon, where))
        if first[1] != icon:
            problems.append(
                f"{name} has the icon {first[1] or 'none'} in {first[2]} and "
                f"{icon or 'none'} in {where}"
            )
        if not icon.strip():
            continue
        first = by_icon.setdefault(icon, (name, icon, where))
        if _normal(first[0]) != _normal(name):
            problems.append(
                f"the icon {icon} stands for both {first[0]} ({first[2]}) and {name} ({where})"
            )
    for kind in kinds:
        words = presentation.kind(kind)
        if _normal(words.label) in by_name:
            other = by_name[_normal(words.label)]
            problems.append(f"the kind {words.label} has the name of {other[0]} ({other[2]})")
        if words.icon.strip() and words.icon in by_icon:
            other = by_icon[words.icon]
            problems.append(
                f"the kind {words.label} has the icon {words.icon} of {other[0]} ({other[2]})"
            )
    return problems


def _normal(name: str) -> str:
    return " ".join(name.lower().split())
