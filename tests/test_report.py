"""The report itself: the executed notebooks and preview pages of whole runs.

The bundled Derby dataset is run once for Q2 2021/22 and every assertion reads what the
executed notebooks and the preview pages hold, against the figures the engine computes.
A second, small run plants hostile commentary in the pipeline fixture dataset and checks
that none of it reaches any output as live markup. Notebook runs are slow, so each is
done once per module.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

import analysis.pipeline.run as run_module
from analysis.dataset.read import BUNDLED_DATASET, load_dataset
from analysis.engine.risks import risk_matrix, risk_register
from analysis.pipeline.run import run_report
from analysis.quarters import parse_quarter
from analysis.report.chapters import FIGURE_METADATA
from analysis.report.charts import measure_charts
from analysis.report.extracts import HEADLINE_COLUMNS, STATUS_COLUMNS

Q2 = parse_quarter("2021-22-Q2")
PIPELINE = Path(__file__).resolve().parent / "fixtures" / "pipeline" / "dataset"


def _run(dataset: Path, out: Path) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_module, "find_quarto", lambda: None)  # previews, on any machine
        result = run_report(Q2, dataset, jobs=2, out=out, progress=lambda _: None)
    return result.folder


@pytest.fixture(scope="module")
def derby():
    return load_dataset(BUNDLED_DATASET)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The published Q2 2021/22 report of the bundled dataset."""
    return _run(BUNDLED_DATASET, tmp_path_factory.mktemp("derby"))


# --------------------------------------------------------------------------- reading outputs


def notebooks(folder: Path) -> dict[str, nbformat.NotebookNode]:
    return {
        p.stem: nbformat.read(p, as_version=4)
        for p in sorted((folder / "notebooks").glob("*.ipynb"))
    }


def outputs(notebook) -> Iterator[dict]:
    for cell in notebook.cells:
        yield from cell.get("outputs", [])


def shown(notebook, mime: str) -> list[str]:
    return [o["data"][mime] for o in outputs(notebook) if mime in o.get("data", {})]


def chapter(report: Path, stem_end: str):
    found = [nb for stem, nb in notebooks(report).items() if stem.endswith(stem_end)]
    assert len(found) == 1, stem_end
    return found[0]


def table_html(notebook, table_id: str) -> str:
    found = [h for h in shown(notebook, "text/html") if f'id="{table_id}"' in h]
    assert len(found) == 1, table_id
    return found[0]


class Page(HTMLParser):
    """Elements with their attributes, the text inside each element, table rows by table,
    and the visible words of every status chip."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.inside: dict[str, list[str]] = {}
        self.rows: list[list[str]] = []
        self.chips: list[str] = []
        self.text: list[str] = []
        self._open: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._chip: list[str] | None = None
        self._chip_depth = 0
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag in ("script", "style", "iframe", "title", "figcaption"):
            self._open.append(tag)
            self.inside.setdefault(tag, []).append("")
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")
        if tag == "span":
            if self._chip is not None:
                self._chip_depth += 1
                if attrs.get("aria-hidden") == "true" or self._hidden_depth:
                    self._hidden_depth += 1
            elif "status-chip" in (attrs.get("class") or "").split():
                self._chip, self._chip_depth = [], 1

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        if tag == "span" and self._chip is not None:
            self._hidden_depth = max(0, self._hidden_depth - 1)
            self._chip_depth -= 1
            if not self._chip_depth:
                self.chips.append(" ".join("".join(self._chip).split()))
                self._chip = None

    def handle_data(self, data):
        self.text.append(data)
        if self._open:
            self.inside[self._open[-1]][-1] += data
        if self._cell is not None:
            self._cell.append(data)
        if self._chip is not None and not self._hidden_depth:
            self._chip.append(data)


def page(markup: str) -> Page:
    parser = Page()
    parser.feed(markup)
    parser.close()
    return parser


def rows_ending(markup: str) -> dict[str, list[str]]:
    """Table rows keyed by their first cell (without an icon)."""
    return {re.sub(r"^\W+", "", r[0]): r[1:] for r in page(markup).rows if r}


# --------------------------------------------------------------------------- every chapter


def test_every_chapter_ran_without_an_error_and_shows_something(report, derby):
    executed = notebooks(report)
    themes = len(derby["themes"])
    assert len(executed) == themes + 5
    for stem, notebook in executed.items():
        assert not [o for o in outputs(notebook) if o["output_type"] == "error"], stem
        assert not [o for o in outputs(notebook) if o["output_type"] == "stream"], stem
        assert list(outputs(notebook)), stem


def test_key_highlights_state_the_engines_figures(report):
    summary = chapter(report, "summary")
    text = "\n".join(shown(summary, "text/markdown"))
    flat = " ".join(text.split())
    assert (
        "At the end of September 2021, 91% of priority actions (49 of 54; 1 priority action "
        "was not rated) were assessed as 'completed' or 'on track', an improvement on the quarter "
        "one position of 87%." in flat
    )
    # Derby's Green band reaches 2% below target: the sentences name the bands counted
    assert "78% of measures with a quarterly target were rated 'Blue' or 'Green'" in flat
    assert "94% of measures with an annual target are forecast to be rated 'Blue' or" in flat
    assert "75% of priority projects were rated 'Green' or 'Amber/Green'" in flat
    assert "18 strategic risks on the register, with one escalated and one de-escalated" in flat
    # commitments completed, improvements from/to, priorities, amendments, risk changes
    assert "Two priority actions were assessed as 'completed' during quarter two" in flat
    assert "has improved from 'some slippage' to 'on track'" in flat
    assert "**Major slippage**" in text and "**Some slippage**" in text
    assert "(quarter one: 'on track')" in flat and "have declined since quarter one" in flat
    assert "Two amendments to the plan are proposed for approval" in flat
    assert "Escalated to the register" in flat and "SR 27" in flat


def test_progress_table_counts_actions_by_status_and_theme(report):
    rows = rows_ending(table_html(chapter(report, "summary"), "progress"))
    assert rows["Completed"] == ["0", "0", "5", "5"]
    assert rows["On track"] == ["14", "16", "14", "44"]
    assert rows["Some slippage"] == ["1", "1", "1", "3"]
    assert rows["Major slippage"] == ["0", "2", "0", "2"]
    notes = " ".join(page(table_html(chapter(report, "summary"), "progress")).text)
    assert "91% (49 of 54)" in notes and "87%" in notes


def test_monitoring_table_counts_items_by_theme(report):
    rows = rows_ending(table_html(chapter(report, "summary"), "monitoring"))
    assert rows["Milestones / priority actions"][:3] == ["15", "19", "21 (1 not assessed)"]
    assert rows["Priority projects"][:3] == ["17", "5", "2 (1 in closure)"]
    assert rows["Strategic risks"] == ["4", "5", "9", "18"]


def test_status_mix_and_headline_figures_are_charted(report):
    figures = {f["label"]: f for f in figure_outputs(chapter(report, "summary"))}
    assert {"fig-headlines", "fig-action-status", "fig-project-rag", "fig-measure-status"} <= set(
        figures
    )
    assert "Our place: 14 on track, 1 some slippage." in figures["fig-action-status"]["alt"]
    assert "91% (49 of 54), against 87%" in figures["fig-headlines"]["alt"]


def test_each_theme_has_its_outcomes_and_a_chart_per_measure(report, derby):
    themes = derby["themes"].sort_values("position")
    for position, (theme_id, name) in enumerate(
        zip(themes["theme_id"], themes["name"], strict=True), start=2
    ):
        notebook = chapter(report, f"{position:02d}-{name.lower().replace(' ', '-')}")
        headings = shown(notebook, "text/markdown")
        assert f"# {name}" in headings
        outcomes = derby["outcomes"][derby["outcomes"]["theme_id"] == theme_id]
        for outcome in outcomes["name"]:
            assert f"## {outcome}" in headings
        tables = [h for h in shown(notebook, "text/html") if 'id="theme-' in h]
        assert len(tables) == len(outcomes)
        charted = [f["label"] for f in figure_outputs(notebook)]
        expected = [c.label for c in measure_charts(derby, Q2, theme_id)]
        assert charted == expected and expected


def test_exceptions_hold_the_worst_bands_with_improvement_actions(report):
    markup = table_html(chapter(report, "exceptions"), "exceptions")
    text = " ".join(" ".join(page(markup).text).split())
    for measure in ("PE-M10", "OR-M02", "OR-M06"):
        assert f"({measure})" in text
    heads = " ".join(" ".join(r) for r in page(markup).rows[:2])
    assert "Improvement actions" in heads and "Intervention or review" in heads
    assert "Mental Health Champions" in text and "September fall in returns" in text
    assert text.count("(PE-M") + text.count("(OR-M") + text.count("(PL-M") == 3


@pytest.mark.parametrize("risk_type", ["threat", "opportunity"])
def test_risk_matrices_count_the_register(report, derby, risk_type):
    markup = table_html(chapter(report, "risks"), f"risk-matrix-{risk_type}")
    counts = [int(n) for n in re.findall(r"(\d+) risks?\b", " ".join(page(markup).text))]
    cells = risk_matrix(risk_register(derby, Q2), risk_type, derby.scales.risks)
    assert len(counts) == 16
    assert sorted(counts) == sorted(int(c) for c in cells["count"])


def test_risk_register_lists_the_eighteen_risks(report, derby):
    markup = table_html(chapter(report, "risks"), "risk-register")
    register = risk_register(derby, Q2)
    assert int(register["on_register"].sum()) == 18
    ids = [r[0] for r in page(markup).rows[1:]]
    assert ids == list(register["risk_id"])
    heads = page(markup).rows[0]
    assert heads[:3] == ["ID", "Risk", "Type"] and "Movement" in heads and "Commentary" in heads


def test_methodology_is_generated_from_the_configuration(report, derby):
    methodology = chapter(report, "methodology")
    text = " ".join(" ".join(page("".join(shown(methodology, "text/html"))).text).split())
    for label, rule in derby.framework.describe():
        assert label in text and rule in text
    for scale in (derby.scales.actions, derby.scales.projects):
        for status in scale.statuses:
            assert status.label in text
    for band in derby.scales.risks.score_bands:
        assert f"{band.min} to {band.max}" in text
    assert "Data due later" in text and "Baseline year" in text
    assert "Not rated: neither a higher nor a lower value is better" in text


def test_data_chapter_names_every_extract_column(report):
    data = chapter(report, "data")
    text = " ".join(page("".join(shown(data, "text/html"))).text)
    for column in (*STATUS_COLUMNS, *HEADLINE_COLUMNS):
        assert column in text
    preview = (report / "preview" / "08-data.html").read_text(encoding="utf-8")
    assert 'href="../data/statuses.csv"' in preview and (report / "data" / "statuses.csv").is_file()


# --------------------------------------------------------------------------- accessibility


def figure_outputs(notebook) -> list[dict]:
    return [
        o["metadata"][FIGURE_METADATA]
        for o in outputs(notebook)
        if FIGURE_METADATA in o.get("metadata", {})
    ]


def test_every_figure_is_an_svg_with_caption_and_alt_text(report):
    total = 0
    for stem, notebook in notebooks(report).items():
        for o in outputs(notebook):
            data = o.get("data", {})
            assert not [m for m in data if m.startswith("image/")], stem  # no bare images
            figure = o.get("metadata", {}).get(FIGURE_METADATA)
            if figure is None:
                continue
            total += 1
            assert figure["caption"].strip() and len(figure["alt"]) > len(figure["caption"])
            assert re.search(r"\d", figure["alt"]), figure["label"]  # the numbers are told
            markdown = data["text/markdown"]
            assert markdown.startswith("![") and f'#{figure["label"]} fig-alt="' in markdown
            svg = (report / "notebooks" / figure["src"]).read_text(encoding="utf-8")
            assert figure["src"].endswith(".svg") and "<svg" in svg and "<desc" in svg
    assert total >= 5


def test_every_preview_figure_has_alt_text_and_a_caption(report):
    for path in sorted((report / "preview").glob("*.html")):
        parsed = page(path.read_text(encoding="utf-8"))
        images = [a for t, a in parsed.elements if t == "img"]
        captions = parsed.inside.get("figcaption", [])
        assert len(images) == len(captions), path.name
        for attrs, caption in zip(images, captions, strict=True):
            assert (attrs.get("alt") or "").strip() and caption.strip()
            assert (path.parent / str(attrs["src"])).resolve().is_file()


def test_every_status_chip_carries_its_word(report):
    chips = 0
    for stem, notebook in notebooks(report).items():
        for markup in shown(notebook, "text/html"):
            for words in page(markup).chips:
                chips += 1
                assert re.search(r"[A-Za-z]", words), stem
    assert chips > 100


def test_every_table_has_a_header_row(report):
    for stem, notebook in notebooks(report).items():
        for markup in shown(notebook, "text/html"):
            if "<table" in markup:
                assert any(
                    t == "th" and a.get("scope") == "col" for t, a in page(markup).elements
                ), stem


def test_preview_pages_are_in_british_english_with_a_title_and_chip_styles(report):
    for path in sorted((report / "preview").glob("*.html")):
        markup = path.read_text(encoding="utf-8")
        parsed = page(markup)
        assert ("html", {"lang": "en-GB"}) in parsed.elements, path.name
        assert parsed.inside["title"][0].strip(), path.name
        assert ".status-chip" in "".join(parsed.inside["style"]), path.name
    summary = page((report / "preview" / "01-summary.html").read_text(encoding="utf-8"))
    assert summary.inside["title"][0] == "Key highlights"


def test_preview_pages_open_with_their_heading_and_show_no_typst(report):
    for path in sorted((report / "preview").glob("*.html")):
        markup = path.read_text(encoding="utf-8")
        assert "#set page" not in markup and "{=typst}" not in markup, path.name
        # offline: no script, style or font from another site, so no MathJax either
        loads = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="(https?://[^"]+)"', markup)
        assert loads == [] and "MathJax" not in markup, (path.name, loads)
        body = markup[markup.index("<body") :]
        first_text = re.search(r"<(h1|p)\b", body)
        assert first_text and first_text.group(1) == "h1", path.name


# --------------------------------------------------------------------------- hostile commentary

MARK = "PWNED"
HOSTILE = (
    f"<p>Plan <b>on course</p><script>window.{MARK}=1</script>"
    f'<img src=x onerror="{MARK}()">'
    f'<a href="javascript:{MARK}()">link</a>'
    f'<iframe src="https://evil.example/{MARK}"></iframe>'
    f"<style>body {{ background: url({MARK}) }}</style>"
    f"<b><i>broken <div <p onclick={MARK}()>markup"
    f"<scr<script>ipt>{MARK}()</script>"
    f'"><svg onload={MARK}()>'
)


def _plant(folder: Path, table: str, key: str, columns: tuple[str, ...]) -> None:
    path = folder / f"{table}.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    first = next(iter(rows[0]))
    planted = 0
    for row in rows:
        if row[first] == key and row["quarter"] == Q2.slug:
            row.update({c: HOSTILE for c in columns})
            planted += 1
    assert planted == 1, (table, key)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    """The pipeline fixture with hostile commentary in an action, a measure (also its
    improvement actions and intervention), a project and a risk, run once."""
    folder = Path(shutil.copytree(PIPELINE, tmp_path_factory.mktemp("hostile") / "dataset"))
    _plant(folder, "action_updates", "A1", ("commentary",))
    _plant(folder, "measure_values", "M2", ("commentary", "improvement_actions", "intervention"))
    _plant(folder, "project_updates", "P1", ("commentary",))
    _plant(folder, "risk_updates", "R1", ("commentary",))
    return _run(folder, tmp_path_factory.mktemp("hostile-out"))


def _assert_no_live_markup(markup: str, where: str) -> None:
    parsed = page(markup)
    for tag in ("script", "style", "iframe"):
        for text in parsed.inside.get(tag, []):
            assert MARK not in text, (where, tag)
    for tag, attrs in parsed.elements:
        assert tag not in ("iframe", "svg") or MARK not in str(attrs), where
        for name, value in attrs.items():
            assert not (name.startswith("on") and MARK in str(value)), (where, tag, name)
            assert "javascript:" not in str(value).lower(), (where, tag, name)


def test_hostile_commentary_reaches_the_report_as_text_only(hostile_report):
    executed = notebooks(hostile_report)
    seen = 0
    for stem, notebook in executed.items():
        assert not [o for o in outputs(notebook) if o["output_type"] == "error"], stem
        for markup in shown(notebook, "text/html"):
            seen += "on course" in markup
            _assert_no_live_markup(markup, stem)
            assert not [t for t, _ in page(markup).elements if t in ("script", "iframe", "img")]
        for text in shown(notebook, "text/markdown"):
            assert not re.search(r"(?<!\\)<[A-Za-z/!?]", text), stem  # no raw HTML in Markdown
    assert seen >= 3  # the theme chapters, exceptions and the register show the commentary
    for path in sorted((hostile_report / "preview").glob("*.html")):
        _assert_no_live_markup(path.read_text(encoding="utf-8"), path.name)


def test_hostile_improvement_actions_are_shown_clean_in_the_exceptions(hostile_report):
    markup = table_html(chapter(hostile_report, "exceptions"), "exceptions")
    body = markup.split("<tbody", 1)[1]
    assert body.count("Plan <b>on course</b>") >= 3  # context, improvement, intervention
