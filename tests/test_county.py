"""A second council end to end: Northmoor County Council (fictional, tests/fixtures/county).

It reports deliverables (the actions tables) and key measures only, in its own words,
with its own framework and scales. Its report, rendered by real Quarto, must hold every
chapter it needs, nothing about the kinds of item it does not hold, and no word of the
bundled dataset's configuration. A copy of it holding measures only must render too.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from test_book import overlaps, pdf_words
from test_layout import bundled_words

from analysis.dataset.read import load_dataset, validate_dataset
from analysis.engine.summary import headline_figures
from analysis.pipeline.run import run_report
from analysis.quarters import parse_quarter

COUNTY = Path(__file__).resolve().parent / "fixtures" / "county"
QUARTER = "2025-26-Q2"
needs_quarto = pytest.mark.skipif(
    shutil.which("quarto") is None,
    reason="Quarto is not installed (no `quarto` on the PATH); see quarto.org",
)


def measures_only(folder: Path) -> Path:
    """A copy of the county holding measures only (its amendments of deliverables go)."""
    copy = folder / "county-measures"
    shutil.copytree(COUNTY, copy)
    for name in ("actions.csv", "action_updates.csv"):
        (copy / name).unlink()
    lines = (copy / "amendments.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [lines[0], *(line for line in lines[1:] if ",action," not in line)]
    (copy / "amendments.csv").write_text("".join(kept), encoding="utf-8")
    config = (copy / "dataset.yml").read_text(encoding="utf-8")
    (copy / "dataset.yml").write_text(config.replace("scales: scales.yml\n", ""), "utf-8")
    return copy


def test_the_county_is_valid_and_holds_two_kinds():
    assert validate_dataset(COUNTY) == []
    county = load_dataset(COUNTY)
    assert county.kinds == ("action", "measure")
    figures = headline_figures(county, parse_quarter(QUARTER))
    assert set(figures["kind"]) == {"action", "measure"}
    labels = dict(zip(figures["figure"], figures["label"], strict=True))
    # its Good band reaches 2% below target: the figure names the bands, not "met"
    assert labels["measures_met_quarterly_target"] == (
        "Key measures with a quarterly target rated Strong or Good"
    )
    assert labels["actions_on_track"] == "Deliverables assessed as strong or good"


def test_measures_only_needs_no_scales(tmp_path):
    copy = measures_only(tmp_path)
    assert validate_dataset(copy) == []
    assert load_dataset(copy).kinds == ("measure",)


def pages_text(book: Path) -> dict[str, str]:
    """Each HTML page's words, as a reader sees them (scripts, styles and the folded
    code of the notebooks aside)."""
    texts = {}
    for page in sorted(book.glob("*.html")):
        markup = page.read_text(encoding="utf-8")
        markup = re.sub(r"<(script|style|pre)\b.*?</\1>", " ", markup, flags=re.S)
        words = html.unescape(re.sub(r"<[^>]+>", " ", markup)).replace("\xa0", " ")
        texts[page.name] = " ".join(words.split())
    return texts


def _county_run(quarter: str, out: Path) -> Path:
    """The county's report of ``quarter``, in HTML and PDF, published under ``out``."""
    return run_report(
        quarter,
        dataset=COUNTY,
        formats="html,pdf",
        out=out,
        progress=lambda _: None,
        require_quarto=True,
    ).folder


@pytest.fixture(scope="module")
def county_report(tmp_path_factory) -> Path:
    return _county_run(QUARTER, tmp_path_factory.mktemp("county"))


@needs_quarto
def test_the_county_renders_every_chapter_it_needs(county_report):
    pages = pages_text(county_report / "book")
    names = sorted(pages)
    assert not any("risks" in name for name in names), names
    assert (county_report / "book" / "report.pdf").stat().st_size > 0
    summary = next(text for name, text in pages.items() if "summary" in name)
    assert "Performance overview" in summary and "Deliverables by rating" in summary
    assert "Deliverables" in summary and "Key measures" in summary
    everything = " ".join(pages.values())
    for absent in ("Strategic risk", "strategic risk", "Project", "project", "RAG"):
        assert absent not in everything, absent


@needs_quarto
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_county_pdf_has_no_blank_page_and_no_overprinted_words(county_report):
    pages = pdf_words(county_report / "book" / "report.pdf")
    assert [n for n, words in enumerate(pages, start=1) if not words] == []
    assert {n: overlaps(words) for n, words in enumerate(pages, start=1) if overlaps(words)} == {}


@needs_quarto
def test_the_county_report_holds_no_word_of_the_bundled_configuration(county_report):
    words = sorted(bundled_words(), key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")
    found = {
        name: sorted(set(pattern.findall(text)))
        for name, text in pages_text(county_report / "book").items()
    }
    assert {name: hits for name, hits in found.items() if hits} == {}


@needs_quarto
def test_the_measures_only_county_renders(tmp_path):
    copy = measures_only(tmp_path)
    folder = run_report(
        QUARTER,
        dataset=copy,
        formats="html",
        out=tmp_path / "out",
        progress=lambda _: None,
        require_quarto=True,
    ).folder
    pages = pages_text(folder / "book")
    everything = " ".join(pages.values())
    # the kind's words (a measure's commentary may still mention a deliverable)
    for absent in ("Deliverable", "Strategic risk", "Project"):
        assert absent not in everything, absent
    assert "Key measures" in everything


@pytest.fixture(scope="module")
def county_year_end(tmp_path_factory) -> Path:
    return _county_run("2025-26-Q4", tmp_path_factory.mktemp("county-q4"))


@needs_quarto
def test_the_county_year_end_shows_the_trend_panels_and_items_requiring_action(
    county_year_end,
):
    pages = pages_text(county_year_end / "book")
    summary = next(text for name, text in pages.items() if "summary" in name)
    for q in range(1, 5):
        assert f"Q{q} 2025/26" in summary
    assert "The year so far" in summary and "Key measures at a glance" in summary
    economy = next(text for name, text in pages.items() if "economy" in name)
    assert "Key measures year by year" in economy and "National benchmark" in economy
    assert "Apprenticeships started with county council support (NC-K01)" in economy
    assert "Quarter by quarter" in economy and "Each item, quarter by quarter" in economy
    exceptions = next(text for name, text in pages.items() if "exceptions" in name)
    assert "Items requiring action" in exceptions
    for item in ("NC-D07", "NC-K10"):  # rated Action at year end
        assert item in exceptions.split("Items requiring action")[-1]
    assert "as at February 2026" in " ".join(pages.values())


@needs_quarto
def test_a_year_end_run_makes_the_annual_results_and_the_cabinet_paper(county_year_end):
    book = county_year_end / "book"
    for document in ("annual/annual-results", "cabinet/cabinet-report"):
        assert (book / f"{document}.html").is_file() and (book / f"{document}.pdf").is_file()
    texts = {
        name: text
        for folder in ("annual", "cabinet")
        for name, text in pages_text(book / folder).items()
    }
    annual = texts["annual-results.html"]
    assert "Q4 2024/25" in annual and "Q4 2025/26" in annual
    assert "not in last year’s plan" in annual or "not in last year's plan" in annual
    words = sorted(bundled_words(), key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")
    assert {name: sorted(set(pattern.findall(t))) for name, t in texts.items()} == {
        name: [] for name in texts
    }
    if shutil.which("pdftotext"):
        pages = pdf_words(book / "annual" / "annual-results.pdf")
        assert [n for n, w in enumerate(pages, start=1) if not w] == []


@needs_quarto
def test_no_wcag_violation_in_the_annual_results_or_the_cabinet_paper(county_year_end, axe_runner):
    book = county_year_end / "book"
    for folder, page in (("annual", "annual-results.html"), ("cabinet", "cabinet-report.html")):
        results = axe_runner(book / folder, [page], 1280)
        assert [p["violations"] for p in results["pages"]] == [[]], page
