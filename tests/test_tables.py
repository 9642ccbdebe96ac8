"""The report's tables on the hand-worked synthetic dataset: content, accessibility, safety."""

from __future__ import annotations

import csv
import io
import math
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from great_tables._gt_data import Body
from synthetic import TABLES, write_synthetic

from analysis.dataset.read import load_dataset
from analysis.errors import ConfigError, DataError, WorkbookError
from analysis.quarters import parse_quarter
from analysis.report.chips import contrast_ratio
from analysis.report.tables import (
    amendments_table,
    exceptions_table,
    format_value,
    framework_table,
    headline_table,
    monitoring_table,
    progress_table,
    risk_matrix_table,
    risk_register_table,
    risk_scale_table,
    scale_table,
    score_band_table,
    theme_table,
)

Q2 = parse_quarter("2021-22-Q2")


class _Table(HTMLParser):
    """The text of a GT table's header and body rows, and every tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.head: list[list[str]] = []
        self.body: list[list[str]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.notes: list[str] = []
        self._part = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_table = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._in_table = True
        if not self._in_table:
            return
        self.tags.append((tag, dict(attrs)))
        if tag in ("thead", "tbody", "tfoot"):
            self._part = tag
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            target = {"thead": self.head, "tbody": self.body}.get(self._part, self.notes)
            if target is self.notes:
                self.notes.extend(self._row)
            else:
                target.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(table) -> _Table:
    parser = _Table()
    parser.feed(table.as_raw_html())
    return parser


def rows_by_first(parsed: _Table) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in parsed.body if len(row) > 1}


def synthetic_with(tmp_path, **overrides):
    return load_dataset(write_synthetic(tmp_path / "d", **overrides))


def replace_cells(table: str, changes: dict[tuple[str, str], dict[str, str]]) -> str:
    """A synthetic table with some cells changed, keyed by (first column, quarter)."""
    rows = list(csv.DictReader(io.StringIO(table)))
    for row in rows:
        key = (row[next(iter(row))], row.get("quarter", ""))
        row.update(changes.get(key, {}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# ---------------------------------------------------------------------------------------
# format_value

VALUE_CASES = [
    (68.0, "percent", "value", "68%"),
    (17.25, "percent", "value", "17.25%"),
    (0.125, "number", "value", "0.13"),  # half up
    (255793.0, "number", "value", "255,793"),
    (111340000.0, "gbp", "value", "£111,340,000"),
    (-2500.5, "gbp", "value", "−£2,500.5"),
    (-0.001, "number", "value", "0"),
    (78.2, "rate_per_10000", "value", "78.2 per 10,000"),
    (5.0, "rate_per_1000", "value", "5 per 1,000"),
    (12.0, "rate_per_100000", "value", "12 per 100,000"),
    (1.0, "days", "value", "1 day"),
    (20.0, "weeks", "value", "20 weeks"),
    (7.5, "score", "value", "7.5"),
    (math.nan, "percent", "value", "No data"),
    (None, "number", "value", "No data"),
    (math.nan, "percent", "baseline", "Baseline year"),
    (math.nan, "number", "due_later", "Data due later"),
    (math.nan, "number", "no_target", "No target set"),
    (math.nan, "number", "in_arrears", "Reported a quarter in arrears"),
]


@pytest.mark.parametrize(("value", "unit", "state", "expected"), VALUE_CASES)
def test_format_value(value, unit, state, expected):
    assert format_value(value, unit, state) == expected


def test_format_value_rejects_unknown_unit():
    with pytest.raises(DataError, match="Unknown unit 'miles'"):
        format_value(1.0, "miles")


# ---------------------------------------------------------------------------------------
# Key highlights


def test_monitoring_table_counts_by_theme_with_not_rated_notes(dataset):
    parsed = parse(monitoring_table(dataset, Q2))
    assert parsed.head == [["Kind of item", "Theme A", "Theme B", "Total"]]
    assert rows_by_first(parsed) == {
        "Milestones / priority actions": ["2", "3 (1 not assessed)", "5 (1 not assessed)"],
        "Priority projects": ["1 (1 in closure)", "2 (1 closed)", "3 (1 in closure, 1 closed)"],
        "Priority measures": ["2", "3", "5"],
        "Strategic risks": ["2", "1", "3"],
    }
    # row names are row headers, for screen readers
    assert [a.get("scope") for t, a in parsed.tags if t == "th"].count("row") == 4


def test_progress_table_has_chips_totals_and_the_all_theme_percentage(dataset):
    parsed = parse(progress_table(dataset, Q2))
    assert parsed.head == [["Assessment of progress (Q2 2021/22)", "Theme A", "Theme B", "Total"]]
    assert parsed.body == [
        ["✔ Completed", "0", "1", "1"],
        ["▶ On track", "1", "1", "2"],
        ["▼ Some slippage", "0", "0", "0"],
        ["✖ Major slippage", "1", "0", "1"],
        ["– Not assessed", "0", "1", "1"],
        ["Total", "2", "3", "5"],
    ]
    note = " ".join(parsed.notes)
    assert (
        "Priority actions assessed as on track or completed, across all themes: 75% (3 of 4)"
        in note
    )
    assert "Q1 2021/22: 50%" in note


def test_headline_table_shows_numerators_denominators_and_last_quarter(dataset):
    parsed = parse(headline_table(dataset, Q2))
    assert parsed.head == [
        ["Headline figure", "Q2 2021/22", "Counted", "Not counted (not rated)", "Q1 2021/22"]
    ]
    rows = rows_by_first(parsed)
    assert rows["Priority actions assessed as on track or completed"] == [
        "75%",
        "3 of 4",
        "1",
        "50%",
    ]
    assert rows["Measures with a quarterly target rated Blue or Green"] == [
        "50%", "1 of 2", "3", "100%",
    ]  # fmt: skip
    assert rows["Measures with an annual target forecast to be rated Blue or Green"] == [
        "67%", "2 of 3", "2", "100%",
    ]  # fmt: skip
    assert rows["Strategic risks on the register"] == ["3", "", "", "3"]


# ---------------------------------------------------------------------------------------
# Theme chapters


def test_theme_table_lists_items_in_report_order_grouped_by_outcome(dataset):
    parsed = parse(theme_table(dataset, Q2, "a"))
    assert parsed.head == [
        [
            "Item description", "Kind", "Position Q2 2021/22", "Direction of travel",
            "Supporting information",
        ]
    ]  # fmt: skip
    assert parsed.body[0] == ["Outcome A1"]
    assert [row[0] for row in parsed.body[1:]] == [
        "Action one (A1)", "Action two (A2)", "Project one (P1)", "Measure one (M1)",
        "Measure two (M2)", "Risk one (R1)", "Risk two (R2)",
    ]  # fmt: skip
    rows = rows_by_first(parsed)
    assert rows["Action one (A1)"][:3] == [
        "☑ Action", "▶ On track Expected completion: 31 March 2022", "↗ Improved",
    ]  # fmt: skip
    assert rows["Action two (A2)"][1:3] == ["✖ Major slippage", "↘ Declined"]
    assert rows["Project one (P1)"][1] == "RAG: ● Green DCA: ● Green"
    assert rows["Measure one (M1)"][:3] == [
        "∑ Measure",
        "★ Blue Actual: 110% Quarterly target: 100% "
        "Rated: the actual compared with the quarterly target.",
        "↗ Improving (on Q1 2021/22)",
    ]
    assert rows["Measure two (M2)"][1:3] == [
        "▲ Amber Actual: 105 Quarterly target: 100 "
        "Rated: the actual compared with the quarterly target.",
        "↘ Deteriorating (on Q1 2021/22)",
    ]
    assert rows["Risk one (R1)"][:3] == [
        "⚠ Strategic risk", "12 High Impact 4 × likelihood 3", "↑ Score increased (from 9 to 12)",
    ]  # fmt: skip
    assert rows["Risk two (R2)"][2] == "⇧ Escalated"


def test_theme_table_says_why_a_measure_is_not_rated(dataset):
    rows = rows_by_first(parse(theme_table(dataset, Q2, "Theme B")))
    assert rows["Measure three (M3)"][1] == (
        "Not rated Actual: 40 Quarterly target: No target set "
        "Not rated: neither a higher nor a lower value is better."
    )
    assert rows["Measure four (M4)"][1].endswith("Not rated: the quarterly target is a baseline.")
    assert rows["Measure five (M5)"][1] == (
        "Not rated Actual: Data due later Quarterly target: 10 "
        "Not rated: no actual for the quarter."
    )
    assert rows["Project three (P3)"][1] == "RAG: ✔ Completed DCA: ✔ Completed"


def test_theme_table_rejects_an_unknown_theme(dataset):
    with pytest.raises(WorkbookError, match=r"no theme 'c'; the themes are: a \(Theme A\)"):
        theme_table(dataset, Q2, "c")


# ---------------------------------------------------------------------------------------
# Exceptions


def test_exceptions_table_holds_measures_in_the_two_worst_bands(dataset):
    parsed = parse(exceptions_table(dataset, Q2, group_by="theme"))
    assert parsed.body[0] == ["Theme A"]
    assert parsed.body[1] == [
        "Measure two (M2)",
        "▲ Amber rated: the actual compared with the quarterly target",
        "■ Red rated: the forecast compared with the annual target",
        "100", "105", "100", "120",
        "↘ Deteriorating (on Q1 2021/22)",
        "", "", "",
    ]  # fmt: skip
    assert len(parsed.body) == 2
    assert "Measures rated Amber or Red" in " ".join(parsed.notes)


def test_exceptions_by_directorate_and_by_year_end_status(tmp_path):
    measures = TABLES["measures"].replace(
        "M5,b1,8,Measure five,number,higher,quarterly,",
        "M5,b1,8,Measure five,number,higher,quarterly,Place",
    )
    values = replace_cells(TABLES["measure_values"], {("M5", Q2.slug): {"forecast": "40"}})
    data = synthetic_with(tmp_path, measures=measures, measure_values=values)
    parsed = parse(exceptions_table(data, Q2))
    groups = [row[0] for row in parsed.body if len(row) == 1]
    assert groups == ["Directorate not recorded", "Place"]
    rows = rows_by_first(parsed)
    # M5 has no actual yet, but its forecast (40 against 50) is 20% short: Red at year end
    assert rows["Measure five (M5)"][0] == "Not rated not rated: no actual for the quarter"
    assert rows["Measure five (M5)"][1].startswith("■ Red")


def test_exceptions_show_improvement_actions_and_intervention_sanitised(tmp_path):
    values = replace_cells(
        TABLES["measure_values"],
        {
            ("M2", Q2.slug): {
                "improvement_actions": "<p>Extra <i>clinics</i></p><script>x()</script>",
                "intervention": '<a href="javascript:x()">Scrutiny</a> review in Q3',
            }
        },
    )
    table = exceptions_table(synthetic_with(tmp_path, measure_values=values), Q2)
    parsed = parse(table)
    assert parsed.head[0][-2:] == ["Improvement actions", "Intervention or review"]
    assert rows_by_first(parsed)["Measure two (M2)"][-2:] == [
        "Extra clinics",
        "Scrutiny review in Q3",
    ]
    html = table.as_raw_html()
    assert "Extra <i>clinics</i>" in html
    assert "<script" not in html.split("<tbody", 1)[1] and "javascript:" not in html


def test_exceptions_table_rejects_an_unknown_grouping(dataset):
    with pytest.raises(ValueError, match="directorate' or 'theme'"):
        exceptions_table(dataset, Q2, group_by="owner")


# ---------------------------------------------------------------------------------------
# Strategic risks


def test_risk_register_table(dataset):
    parsed = parse(risk_register_table(dataset, Q2))
    assert parsed.head == [
        [
            "ID", "Risk", "Type", "Impact", "Likelihood", "Score", "Score Q1 2021/22",
            "Movement", "Commentary",
        ]
    ]  # fmt: skip
    assert [row[:8] for row in parsed.body] == [
        ["R1", "Risk one", "Threat", "4 (Very high)", "3 (Probable)", "12 High", "9",
         "↑ Score increased (from 9 to 12)"],
        ["R2", "Risk two", "Threat", "2 (Medium)", "2 (Possible)", "4 Low", "", "⇧ Escalated"],
        ["R3", "Risk three", "Opportunity", "2 (Minor)", "2 (Unlikely)", "4 Low", "4",
         "→ Unchanged"],
        ["R4", "Risk four", "Threat", "3 (High)", "2 (Possible)", "6 Medium", "6",
         "⇩ De-escalated"],
    ]  # fmt: skip


def test_threat_matrix_counts_risks_on_the_register_with_band_words_and_colours(dataset):
    parsed = parse(risk_matrix_table(dataset, Q2, "threat"))
    assert parsed.head[-1] == ["1 Remote", "2 Possible", "3 Probable", "4 Highly probable"]
    assert parsed.head[0][0] == "Impact" and "Likelihood" in parsed.head[0]
    rows = rows_by_first(parsed)
    assert list(rows) == ["4 Very high", "3 High", "2 Medium", "1 Low"]
    assert rows["4 Very high"] == [
        "4 Low 0 risks", "8 Medium 0 risks", "12 High 1 risk: R1", "16 High 0 risks",
    ]  # fmt: skip
    assert rows["2 Medium"][1] == "4 Low 1 risk: R2"
    assert rows["3 High"][1] == "6 Medium 0 risks"  # R4 was de-escalated
    cells = [a for t, a in parsed.tags if t == "td"]
    assert len(cells) == 16
    for attrs in cells:
        colours = dict(re.findall(r"(background-color|color): (#[0-9A-F]{6})", attrs["style"]))
        assert contrast_ratio(colours["color"], colours["background-color"]) >= 4.5
    assert "background-color: #D4351C" in cells[2]["style"]  # score 12: High


def test_opportunity_matrix_uses_its_own_words(dataset):
    rows = rows_by_first(parse(risk_matrix_table(dataset, Q2, "opportunity")))
    assert list(rows) == ["4 Significant", "3 Moderate", "2 Minor", "1 Insignificant"]
    assert rows["2 Minor"][1] == "4 Low 1 risk: R3"


def test_risk_matrix_rejects_an_unknown_type(dataset):
    with pytest.raises(ValueError, match="'threat' or 'opportunity'"):
        risk_matrix_table(dataset, Q2, "hazard")


# ---------------------------------------------------------------------------------------
# Methodology: generated from configuration


def test_framework_table_is_generated_from_the_framework(dataset):
    framework = dataset.framework
    parsed = parse(framework_table(framework))
    assert [row[0] for row in parsed.body] == [f"{b.icon} {b.label}" for b in framework.bands]
    assert [row[1] for row in parsed.body] == [rule for _, rule in framework.describe()]
    assert [row[3] for row in parsed.body] == ["Yes", "Yes", "No", "No"]
    assert [row[4] for row in parsed.body] == [
        "Yes" if b.key in framework.needs_action else "No" for b in framework.bands
    ]
    assert framework.description.split(".")[0] in " ".join(parsed.notes)


def test_scale_tables_are_generated_from_the_scales(dataset):
    actions = parse(scale_table(dataset.scales.actions))
    assert [row[0] for row in actions.body] == [
        f"{s.icon} {s.label}" for s in dataset.scales.actions.statuses
    ]
    assert [row[2:] for row in actions.body] == [
        ["Yes", "Yes", "No"], ["Yes", "Yes", "No"], ["Yes", "No", "Yes"], ["Yes", "No", "Yes"],
        ["No", "No", "No"],
    ]  # fmt: skip
    projects = rows_by_first(parse(scale_table(dataset.scales.projects)))
    assert projects["◕ Amber/Green"][1:] == ["Yes", "Yes", "No"]
    assert projects["◑ Amber/Red"][1:] == ["Yes", "No", "Yes"]
    assert projects["○ Pre-start"][1:] == ["No", "No", "No"]


def test_risk_scale_and_score_band_tables(dataset):
    risks = dataset.scales.risks
    words = rows_by_first(parse(risk_scale_table(risks)))
    assert words["4"] == ["Very high", "Highly probable", "Significant", "Highly probable"]
    bands = parse(score_band_table(risks))
    assert bands.body == [["Low", "1 to 4"], ["Medium", "5 to 8"], ["High", "9 to 16"]]


# ---------------------------------------------------------------------------------------
# Accessibility and safety

ALL_TABLES = [
    lambda d: monitoring_table(d, Q2),
    lambda d: progress_table(d, Q2),
    lambda d: headline_table(d, Q2),
    lambda d: theme_table(d, Q2, "a"),
    lambda d: theme_table(d, Q2, "b"),
    lambda d: exceptions_table(d, Q2),
    lambda d: risk_register_table(d, Q2),
    lambda d: risk_matrix_table(d, Q2, "threat"),
    lambda d: framework_table(d.framework),
    lambda d: scale_table(d.scales.projects),
    lambda d: score_band_table(d.scales.risks),
    lambda d: amendments_table(d, Q2),
]


class _Chips(HTMLParser):
    """Each status chip's style and the words it shows (icons excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.chips: list[tuple[str, str]] = []
        self._depth = 0
        self._hidden = 0
        self._words: list[str] = []
        self._style = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._depth:
            self._depth += tag == "span"
            self._hidden += attrs.get("aria-hidden") == "true"
        elif tag == "span" and attrs.get("class") == "status-chip":
            self._depth, self._words, self._style = 1, [], attrs["style"]

    def handle_endtag(self, tag):
        if self._depth and tag == "span":
            self._depth -= 1
            if self._hidden and self._depth >= 1:
                self._hidden -= 1
            if not self._depth:
                self.chips.append((self._style, " ".join("".join(self._words).split())))

    def handle_data(self, data):
        if self._depth and not self._hidden:
            self._words.append(data)


@pytest.mark.parametrize("build", ALL_TABLES)
def test_every_chip_shows_a_word_with_enough_contrast(dataset, build):
    chips = _Chips()
    chips.feed(build(dataset).as_raw_html())
    for style_attr, words in chips.chips:
        assert re.search(r"[A-Za-z]", words), style_attr
        colours = dict(re.findall(r"(background-color|color):(#[0-9A-F]{6})", style_attr))
        assert contrast_ratio(colours["color"], colours["background-color"]) >= 4.5


@pytest.mark.parametrize("build", ALL_TABLES)
def test_every_table_has_a_header_row(dataset, build):
    parsed = parse(build(dataset))
    assert parsed.head and all(parsed.head[-1])
    assert any(t == "th" and a.get("scope") == "col" for t, a in parsed.tags)


@pytest.mark.parametrize("build", ALL_TABLES)
def test_tables_do_not_change_the_dataset(dataset, build):
    before = {name: frame.copy() for name, frame in dataset.tables.items()}
    build(dataset)
    for name, frame in dataset.tables.items():
        assert frame.equals(before[name]), name


HOSTILE = [
    "<script>alert(1)</script>Plan on course",
    '<img src=x onerror="alert(1)">Image',
    '<a href="javascript:alert(1)">Link</a>',
    '<iframe src="https://example.org/"></iframe>Framed',
    "<style>body { display: none }</style>Styled",
    "<b><i>broken</b> <p onclick=steal()>paragraph",
    "<scr<script>ipt>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]
_LIVE_TAGS = {"script", "style", "iframe", "img", "a", "svg", "object", "embed", "link", "meta"}


def _hostile_dataset(tmp_path, commentary: str, title: str = "<script>x()</script>Title"):
    def comment(table, key):
        return replace_cells(table, {(key, Q2.slug): {"commentary": commentary}})

    measures = replace_cells(TABLES["measures"], {("M2", ""): {"title": title}})
    return synthetic_with(
        tmp_path,
        action_updates=comment(TABLES["action_updates"], "A1"),
        measure_values=replace_cells(
            TABLES["measure_values"],
            {
                (key, Q2.slug): {"commentary": commentary, "improvement_actions": commentary}
                for key in ("M2",)
            },
        ),
        risk_updates=comment(TABLES["risk_updates"], "R1"),
        measures=measures,
        amendments=replace_cells(
            TABLES["amendments"], {("AM1", Q2.slug): {"description": commentary, "item_id": "M2"}}
        ),
    )


@pytest.mark.parametrize("commentary", HOSTILE)
def test_hostile_commentary_and_titles_never_reach_a_table_as_markup(tmp_path, commentary):
    data = _hostile_dataset(tmp_path, commentary)
    for table in (
        theme_table(data, Q2, "a"),
        exceptions_table(data, Q2),
        risk_register_table(data, Q2),
        amendments_table(data, Q2),
    ):
        parsed = parse(table)
        for tag, attrs in parsed.tags:
            assert tag not in _LIVE_TAGS
            assert not any(name.startswith("on") for name in attrs)
        body = table.as_raw_html().split("<tbody", 1)[1]
        assert "javascript:" not in body and "<script" not in body
    rows = rows_by_first(parse(theme_table(data, Q2, "a")))
    assert "<script>x()</script>Title (M2)" in rows  # the title is shown as text
    amended = rows_by_first(parse(amendments_table(data, Q2)))
    assert amended["AM1"][0] == "Measure: <script>x()</script>Title (M2)"


def test_amendments_table_lists_the_quarters_amendments_in_the_datasets_words(tmp_path):
    amendments = TABLES["amendments"] + (
        "AM2,2021-22-Q2,A9,action,add,Add a new action.,published\n"
        "AM3,2021-22-Q1,A1,action,split,Split in two.,published\n"
    )
    data = synthetic_with(tmp_path, amendments=amendments)
    parsed = parse(amendments_table(data, Q2))
    assert parsed.head[-1] == ["Amendment", "Item", "Proposed change", "What is proposed, and why"]
    assert parsed.body == [
        ["AM1", "Measure: Measure three (M3)", "Delete", "No longer relevant."],
        # an item the plan does not hold (yet) is named by its id
        ["AM2", "Action: A9", "Add", "Add a new action."],
    ]
    assert parse(amendments_table(data, parse_quarter("2021-22 Q1"))).body == [
        ["AM3", "Action: Action one (A1)", "Split", "Split in two."]
    ]


def _with_presentation(tmp_path, changes: str):
    folder = write_synthetic(tmp_path / "d")
    config = (folder / "dataset.yml").read_text(encoding="utf-8")
    config = config.replace(
        "presentation: derby-city\n",
        f"presentation:\n  preset: derby-city\n  tables:\n    amendment_changes: {changes}\n",
    )
    (folder / "dataset.yml").write_text(config, encoding="utf-8")
    return load_dataset(folder)


def test_amendment_changes_are_named_by_the_presentation(tmp_path):
    data = _with_presentation(tmp_path, "{delete: Remove from the plan}")
    assert parse(amendments_table(data, Q2)).body[0][2] == "Remove from the plan"


def test_an_unknown_amendment_change_in_the_presentation_is_explained(tmp_path):
    with pytest.raises(ConfigError, match="amendment_changes: unknown setting.*retire"):
        amendments_table(_with_presentation(tmp_path / "a", "{retire: Retire}"), Q2)
    with pytest.raises(ConfigError, match="amendment_changes: delete: a word is needed"):
        amendments_table(_with_presentation(tmp_path / "b", "{delete: ''}"), Q2)


def test_commentary_keeps_its_lists_and_emphasis(tmp_path):
    data = _hostile_dataset(
        tmp_path, '<p>Funding:</p><ul style="list-style-type: none"> • £12m <i>grant</i> • loan'
    )
    html = theme_table(data, Q2, "a").as_raw_html()
    assert "<p>Funding:</p><ul><li>£12m <i>grant</i></li><li>loan</li></ul>" in html


@pytest.mark.parametrize("build", ALL_TABLES)
def test_cells_written_as_objects_make_the_table_great_tables_makes(dataset, build):
    """The tables write their cells into a frame of plain objects (_with_object_cells):
    the table must be the one great-tables makes with its own string frame."""
    ours = build(dataset)
    body = ours._body.body
    assert all(str(dtype) == "object" for dtype in body.dtypes)
    strings = pd.DataFrame(pd.NA, index=body.index, columns=body.columns, dtype="string")
    assert ours._replace(_body=Body(strings)).as_raw_html() == ours.as_raw_html()
