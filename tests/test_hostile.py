"""Text from the data stays text in every output: the hostile corpus of ``tests/hostile.py``
planted in every text column of the pipeline fixture and in its organisation and plan.

Two runs, shared by the module: with Quarto (HTML and PDF; skipped without Quarto) and
without it (the preview pages). Every payload must come out as visible text and none as
markup: no script, event handler, ``javascript:`` link, injected element, shortcode, raw
block, maths or Typst code, and the render must not stop.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from hostile import MARKERS, PAYLOADS, plant_corpus

import analysis.pipeline.run as run_module
from analysis.pipeline.run import run_report
from analysis.quarters import parse_quarter

PIPELINE = Path(__file__).resolve().parent / "fixtures" / "pipeline" / "dataset"
Q2 = parse_quarter("2021-22-Q2")
#: Typst code in the corpus, which must be printed, not run.
TYPST_CODE = ['#set page(fill: red) PWN32 #eval("1 + 1")', '#{ panic("PWN33") }']


@pytest.fixture(scope="module")
def hostile_dataset(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    folder = Path(shutil.copytree(PIPELINE, tmp_path_factory.mktemp("corpus") / "dataset"))
    return folder, plant_corpus(folder, Q2)


@pytest.fixture(scope="module")
def hostile_book(hostile_dataset, tmp_path_factory) -> Path:
    if shutil.which("quarto") is None:
        pytest.skip("Quarto is not installed (no `quarto` on the PATH); see quarto.org")
    folder, _ = hostile_dataset
    out = tmp_path_factory.mktemp("corpus-book")
    return run_report(Q2, folder, out=out, progress=lambda _: None, require_quarto=True).folder


@pytest.fixture(scope="module")
def hostile_preview(hostile_dataset, tmp_path_factory) -> Path:
    folder, _ = hostile_dataset
    out = tmp_path_factory.mktemp("corpus-preview")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_module, "find_quarto", lambda: None)
        return run_report(Q2, folder, out=out, progress=lambda _: None).folder


class _Live(HTMLParser):
    """What in a page is markup that came from the corpus, and the page's visible text."""

    #: Attributes whose value is text (or a name made from it), never run or followed.
    HARMLESS = ("alt", "aria-label", "title", "id", "headers", "data-anchor-id", "content")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.text: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._open.append(tag)
        for name, value in attrs:
            value = value or ""
            fragment = name == "href" and value.startswith("#")  # a heading's own anchor
            if "PWN" in value and name not in self.HARMLESS and not fragment:
                self.live.append(f"<{tag} {name}={value[:80]!r}>")
            if name in ("href", "src") and value.strip().lower().startswith("javascript"):
                self.live.append(f"<{tag} {name}={value[:80]!r}>")

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data):
        inside = self._open[-1] if self._open else ""
        if inside in ("script", "style"):
            if "PWN" in data:
                self.live.append(f"<{inside}> {data.strip()[:80]!r}")
        elif inside != "title":
            self.text.append(data)


def read_pages(folder: Path) -> tuple[list[str], str]:
    live, text = [], []
    for page in sorted(folder.glob("*.html")):
        parser = _Live()
        parser.feed(page.read_text(encoding="utf-8"))
        live += [f"{page.name}: {x}" for x in parser.live]
        text.append(" ".join(parser.text))
    return live, " ".join(" ".join(text).split())


def test_the_corpus_is_planted_everywhere_the_report_shows(hostile_dataset):
    _, where = hostile_dataset
    assert len(PAYLOADS) >= 30
    assert sorted(where) == sorted(MARKERS)


def test_the_html_book_shows_every_payload_as_text_and_none_as_markup(hostile_book):
    live, text = read_pages(hostile_book / "book")
    assert live == []
    assert [m for m in MARKERS if m not in text] == []


def test_the_pdf_shows_every_payload_as_text_and_runs_no_typst(hostile_book):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed (Debian: poppler-utils)")
    pdf = hostile_book / "book" / "report.pdf"
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
    text = " ".join(done.stdout.split())
    assert [m for m in MARKERS if m not in text] == []
    for code in TYPST_CODE:
        assert code in text, code


def test_the_render_gave_no_warning(hostile_book):
    manifest = json.loads((hostile_book / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["quarto_warnings"] == []


def test_the_previews_show_every_payload_as_text_and_none_as_markup(hostile_preview):
    live, text = read_pages(hostile_preview / "preview")
    assert live == []
    missing = [m for m in MARKERS if m not in text]
    assert missing == []


def test_the_notebooks_hold_no_markup_from_the_data(hostile_preview):
    for path in sorted((hostile_preview / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "text/html" in data:
                    parser = _Live()
                    parser.feed(str(data["text/html"]))
                    assert parser.live == [], path.name
                markdown = str(data.get("text/markdown", ""))
                if "PWN" in markdown and "](figures/" not in markdown:
                    # Markdown from the data: no tag, link, shortcode, raw block or maths
                    assert not re.search(r"(?<!\\)(<[A-Za-z/!?]|\{\{<|\]\(|`\{=|\$)", markdown), (
                        path.name,
                        markdown[:200],
                    )


def test_the_extracts_hold_no_formula(hostile_preview):
    with (hostile_preview / "data" / "statuses.csv").open(encoding="utf-8", newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    assert any("PWN" in cell for cell in cells)
    risky = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert [c for c in risky if not re.fullmatch(r"-?\d+(\.\d+)?", c)] == []
