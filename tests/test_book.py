"""The report as a reader gets it: the bundled quarter rendered by real Quarto, both formats.

One render, shared by every test of the module (it takes about a minute and a half). The
tests skip, saying why, where Quarto (or, for the PDF and browser checks, poppler's
``pdftotext`` or Chromium and Node.js) is not installed; CI installs them all.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from analysis.dataset.read import BUNDLED_DATASET, load_dataset
from analysis.pipeline.execute import plan_chapters
from analysis.pipeline.render import (
    CABINET_FOLDER,
    FORMAT_OUTPUTS,
    _cell_options,
    render_book,
    stage_quarter,
)
from analysis.pipeline.run import run_report
from analysis.quarters import parse_quarter

QUARTO = shutil.which("quarto")

pytestmark = pytest.mark.skipif(
    QUARTO is None, reason="Quarto is not installed (no `quarto` on the PATH); see quarto.org"
)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """The bundled quarter, rendered into HTML and PDF; returns the published folder."""
    out = tmp_path_factory.mktemp("output")
    result = run_report(
        "2021-22-Q2", formats="html,pdf", out=out, progress=lambda _: None, require_quarto=True
    )
    return result.folder


def chapter_names() -> dict[str, str]:
    """Each chapter page of the bundled report and the name it must carry."""
    data = load_dataset(BUNDLED_DATASET)
    themes = data["themes"].sort_values("position")["name"].tolist()
    names = ["Key highlights", *themes, "Exceptions", "Strategic risks", "Methodology", "Data"]
    chapters = plan_chapters(data["themes"], "2021-22-Q2", str(data.path))
    pages = [Path(c.filename).with_suffix(".html").name for c in chapters]
    assert len(pages) == len(names)
    return dict(zip(pages, names, strict=True))


def text_of(markup: str) -> str:
    """The words of some HTML, as a reader sees them."""
    words = html.unescape(re.sub(r"<[^>]+>", " ", markup)).replace("\xa0", " ")
    return " ".join(words.split())


def part(markup: str, pattern: str) -> list[str]:
    """The words of each part of a page that ``pattern`` matches."""
    return [text_of(m) for m in re.findall(pattern, markup, flags=re.S)]


def straight(text: str) -> str:
    """Text with typographic quotes made straight (Quarto makes quotes curly)."""
    return text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))


# -------------------------------------------------------------------------------- both formats


def test_both_formats_are_made_and_listed_in_the_manifest(book):
    manifest = json.loads((book / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["formats"] == ["html", "pdf"]
    listed = {row["path"]: row["sha256"] for row in manifest["output_files"]}
    for name in FORMAT_OUTPUTS.values():
        assert (book / "book" / name).is_file()
        assert len(listed[f"book/{name}"]) == 64
    assert manifest["versions"]["quarto"] not in ("not installed", "")


def test_the_bundled_quarter_renders_without_a_quarto_warning(book):
    manifest = json.loads((book / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["quarto_warnings"] == []


def test_a_rerun_reuses_the_rendered_book_and_publishes_the_same_files(book):
    before = {
        p.relative_to(book): p.read_bytes() for p in (book / "book").rglob("*") if p.is_file()
    }
    result = run_report("2021-22-Q2", formats="html,pdf", out=book.parent, progress=lambda _: None)
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cache"]["execute"]["reused"] and manifest["cache"]["render"]["reused"]
    after = {
        p.relative_to(result.folder): p.read_bytes()
        for p in (result.folder / "book").rglob("*")
        if p.is_file()
    }
    assert after == before


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_formats_rendered_at_once_make_the_book_one_render_of_both_makes(book, tmp_path):
    """The run renders HTML and PDF at the same time, each in a copy of the project; a
    single ``quarto render`` of both must make the same pages and the same PDF (the
    PDF's creation date apart)."""
    project = _staged_again(book, tmp_path, ["html", "pdf"])
    single = render_book(project, QUARTO, parallel=False).folder
    ours = book / "book"
    # the Cabinet paper is a document of its own, rendered beside the book
    names = {
        p.relative_to(ours)
        for p in ours.rglob("*")
        if p.is_file() and p.relative_to(ours).parts[0] != CABINET_FOLDER
    }
    assert names == {p.relative_to(single) for p in single.rglob("*") if p.is_file()}
    for name in sorted(names):
        if name.suffix != ".pdf":
            assert (ours / name).read_bytes() == (single / name).read_bytes(), name
    texts = [
        subprocess.run(
            ["pdftotext", "-layout", str(p), "-"], capture_output=True, check=True
        ).stdout
        for p in (ours / "report.pdf", single / "report.pdf")
    ]
    assert texts[0] == texts[1]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_the_pdfs_tables_written_as_typst_say_what_quartos_own_reading_of_them_says(book, tmp_path):
    """The run gives Quarto the PDF's tables as Typst (analysis/pipeline/typst_tables.py)
    instead of letting it read their HTML: the PDF must hold the same words, figures and
    captions as a plain ``quarto render`` of the same chapters makes."""
    project = _staged_again(book, tmp_path, ["pdf"])
    subprocess.run(
        [QUARTO, "render", str(project), "--to", "typst"],
        cwd=project,
        capture_output=True,
        check=True,
    )
    ours, quartos = (
        _pdf_words(book / "book" / "report.pdf"),
        _pdf_words(project / "_book" / "report.pdf"),
    )
    assert sum(ours.values()) > 5000
    # a word broken over two lines in one PDF and not in the other reads as two words
    # there ("parentand" "child"), which pdftotext joins or not: the letters must agree
    only_ours, only_quartos = ours - quartos, quartos - ours
    assert sum(only_ours.values()) + sum(only_quartos.values()) < 10, (only_ours, only_quartos)
    assert sorted("".join(only_ours.elements())) == sorted("".join(only_quartos.elements()))


def _staged_again(book: Path, tmp_path: Path, formats: list[str]) -> Path:
    """The published book's executed chapters staged once more, as the run stages them."""
    return stage_quarter(
        tmp_path / "quarto",
        sorted((book / "notebooks").glob("*.ipynb")),
        load_dataset(next((book / "inputs").iterdir())),
        parse_quarter("2021-22-Q2"),
        formats,
        sorted((book / "data").glob("*")),
    )


def _pdf_words(pdf: Path) -> Counter[str]:
    """The words of a PDF, counted, apart from the page numbers in its footers, and
    without hyphens (pdftotext keeps some of those that break a word over two lines and
    drops others). A table broken
    at another place would repeat its header once more or less: the tables here break
    in the same places."""
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub(r"Page \d+ of \d+", " ", text).replace("-\n", "").replace("-", "")
    return Counter(text.split())


# --------------------------------------------------------------------------------------- HTML


def test_every_chapter_page_is_titled_and_headed_by_its_chapter_once(book):
    pages = chapter_names()
    assert sorted(p.name for p in (book / "book").glob("0*.html")) == sorted(pages)
    for number, (name, chapter) in enumerate(pages.items(), start=1):
        markup = (book / "book" / name).read_text(encoding="utf-8")
        title = part(markup, r"<title>(.*?)</title>")
        assert title[0].startswith(f"{number} {chapter} –"), (name, title)
        assert part(markup, r"<h1\b.*?</h1>") == [f"{number} {chapter}"], name


def test_sidebar_and_previous_next_links_name_each_chapter(book):
    pages = chapter_names()
    names = list(pages.values())
    index = (book / "book" / "index.html").read_text(encoding="utf-8")
    sidebar = part(index, r'<nav id="quarto-sidebar".*?</nav>')[0]
    for number, chapter in enumerate(names, start=1):
        assert f"{number} {chapter}" in sidebar
    first = (book / "book" / next(iter(pages))).read_text(encoding="utf-8")
    links = part(first, r'<a [^>]*class="pagination-link".*?</a>')
    assert links == ["Preface", f"2 {names[1]}"]
    # the accessible name of a link is what it shows (no aria-label of other words)
    text = (book / "book" / next(iter(pages))).read_text(encoding="utf-8")
    assert not re.search(r'class="pagination-link"[^>]*aria-label', text)


def test_theme_chapters_number_their_outcome_sections_within_them(book):
    data = load_dataset(BUNDLED_DATASET)
    themes = data["themes"].sort_values("position")
    pages = list(chapter_names())
    for number, theme_id in enumerate(themes["theme_id"], start=2):
        text = (book / "book" / pages[number - 1]).read_text(encoding="utf-8")
        outcomes = data["outcomes"][data["outcomes"]["theme_id"] == theme_id]
        for position, outcome in enumerate(outcomes.sort_values("position")["name"], start=1):
            shown = re.escape(html.escape(outcome, quote=False))
            numbered = rf'header-section-number">{number}\.{position}</span>\s*{shown}'
            assert re.search(numbered, text), (pages[number - 1], outcome)


def test_a_theme_page_lists_its_outcome_sections_in_its_contents(book):
    data = load_dataset(BUNDLED_DATASET)
    first_theme = data["themes"].sort_values("position")["theme_id"].iloc[0]
    outcomes = data["outcomes"][data["outcomes"]["theme_id"] == first_theme]
    page = (book / "book" / list(chapter_names())[1]).read_text(encoding="utf-8")
    contents = part(page, r'<nav id="TOC".*?</nav>')[0]
    for position, outcome in enumerate(outcomes.sort_values("position")["name"], start=1):
        assert f"2.{position} {outcome}" in contents


def test_every_table_is_named_and_a_wide_one_can_be_scrolled_by_keyboard(book):
    for page in (book / "book").glob("0*.html"):
        text = page.read_text(encoding="utf-8")
        tables = re.findall(r"<table\b.*?</table>", text, flags=re.S)
        for table in tables:
            assert re.search(r"<caption\b[^>]*>\s*\S", table), (page.name, table[:200])
        regions = re.findall(r'<div id="[^"]*"[^>]*overflow-x:auto[^>]*>', text)
        assert len(regions) == len(tables), page.name
        for region in regions:
            assert 'role="region"' in region and 'tabindex="0"' in region
            assert re.search(r'aria-label="[^"]+"', region)


def test_the_html_loads_nothing_from_other_sites(book):
    for page in (book / "book").glob("*.html"):
        sources = re.findall(
            r'<(?:script|link)\b[^>]*(?:src|href)="(https?://[^"]+)"',
            page.read_text(encoding="utf-8"),
        )
        assert sources == [], (page.name, sources)


def test_html_chapters_open_with_a_sentence_before_any_code(book):
    for name in chapter_names():
        text = (book / "book" / name).read_text(encoding="utf-8")
        main = text[re.search(r'<main\b[^>]*class="content', text).start() :]
        first_paragraph = main.find("<p>")
        assert main[:first_paragraph].count('class="code-fold"') <= 1, name


# ---------------------------------------------------------------------------------------- PDF


def pdf_words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """The words of each page of a PDF with their boxes, from poppler's ``pdftotext -bbox``."""
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed (Debian: poppler-utils)")
    done = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    pages = []
    for page in re.findall(r"<page\b.*?</page>", done.stdout, flags=re.S):
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            page,
        )
        pages.append(
            [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in words]
        )
    return pages


def pdf_page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """The width and height of each page of a PDF, in points."""
    done = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    sizes = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">', done.stdout)
    return [(float(w), float(h)) for w, h in sizes]


def overlaps(words: list[tuple[float, float, float, float, str]]) -> list[tuple[str, str]]:
    """Pairs of words whose boxes overlap by more than a sliver (overprinted text)."""
    found = []
    ordered = sorted(words)
    for i, (x0, y0, x1, y1, w) in enumerate(ordered):
        for u0, v0, u1, v1, other in ordered[i + 1 :]:
            if u0 >= x1:
                break
            width = min(x1, u1) - max(x0, u0)
            height = min(y1, v1) - max(y0, v0)
            smaller = min((x1 - x0) * (y1 - y0), (u1 - u0) * (v1 - v0))
            if width > 0 and height > 0 and width * height > 0.25 * smaller:
                found.append((w, other))
    return found


def test_no_pdf_page_is_blank_and_no_words_overprint(book):
    pages = pdf_words(book / "book" / "report.pdf")
    assert len(pages) > 10
    blank = [n for n, words in enumerate(pages, start=1) if not words]
    assert blank == []
    overprinted = {
        n: overlaps(words)[:3] for n, words in enumerate(pages, start=1) if overlaps(words)
    }
    assert overprinted == {}


@pytest.mark.parametrize(
    "heading, caption",
    [
        ("Exceptions", "Ratings in the bands that call for action"),
        ("register", "The register this quarter"),
    ],
)
def test_the_widest_tables_start_on_a_landscape_page_with_their_heading(book, heading, caption):
    pdf = book / "book" / "report.pdf"
    pages = pdf_words(pdf)
    sizes = pdf_page_sizes(pdf)
    texts = [" ".join(word for *_, word in page) for page in pages]
    first = next(n for n, text in enumerate(texts) if caption in text)
    width, height = sizes[first]
    assert width > height, f"page {first + 1} holding {caption!r} is portrait"
    assert heading in texts[first].split(caption)[0]


def test_every_table_and_figure_caption_is_in_both_formats(book):
    pages = pdf_words(book / "book" / "report.pdf")
    pdf_text = " ".join(word for page in pages for *_, word in page)
    html_text = straight(
        " ".join(text_of(p.read_text(encoding="utf-8")) for p in (book / "book").glob("*.html"))
    )
    pdf_text = straight(pdf_text)
    captions = []
    for notebook in sorted((book / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            caption = _cell_options(cell.source).get("tbl-cap")
            if caption:
                captions.append(str(caption))
            for output in cell.get("outputs", []):
                figure = output.get("metadata", {}).get("report-figure")
                if figure:
                    captions.append(figure["caption"])
    assert len(captions) > 20
    for caption in captions:
        words = straight(" ".join(caption.split()))
        assert words in html_text, caption
        assert words in pdf_text, caption


def test_the_pdf_is_tagged_titled_and_in_british_english(book):
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler's pdfinfo is not installed (Debian: poppler-utils)")
    pdf = book / "book" / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    organisation = load_dataset(BUNDLED_DATASET).organisation
    assert re.search(r"^Tagged:\s+yes", info, flags=re.M)
    assert re.search(rf"^Title:\s+{re.escape(organisation)}", info, flags=re.M)
    assert re.search(rf"^Author:\s+{re.escape(organisation)}", info, flags=re.M)
    raw = pdf.read_bytes()
    assert re.search(rb"/Lang ?\(en-GB\)", raw)
    assert b"/DisplayDocTitle true" in raw
    text = " ".join(word for page in pdf_words(pdf) for *_, word in page)
    assert "Show the code" not in text and "unfold" not in text


# ------------------------------------------------------------------------------------ browser


@pytest.mark.parametrize("width", [1280, 320])
def test_no_wcag_violation_on_any_page_in_a_real_browser(book, width, axe_runner):
    pages = sorted(p.name for p in (book / "book").glob("*.html"))
    results = axe_runner(book / "book", pages, width)
    violations = {
        page["page"]: [(v["id"], v["nodeCount"]) for v in page["violations"]]
        for page in results["pages"]
        if page["violations"] or page.get("error")
    }
    assert violations == {}, json.dumps(violations, indent=1)
    assert len(results["pages"]) == len(pages)
    if width >= 1280:  # wide tables wrap inside the content column; only narrower screens scroll
        scrolling = {p["page"]: p["scrolling"] for p in results["pages"] if p["scrolling"]}
        assert scrolling == {}


def test_the_cabinet_paper_is_made_in_both_formats_with_the_reports_figures(book):
    folder = book / "book" / "cabinet"
    page = (folder / "cabinet-report.html").read_text(encoding="utf-8")
    words = " ".join(w for p in pdf_words(folder / "cabinet-report.pdf") for *_, w in p)
    for figure in ("91%", "87%", "78%", "94%", "75%", "18 strategic risks", "SR 27", "SR 25"):
        assert figure in text_of(page) and figure in words, figure
    assert 'href="../index.html"' in page and 'href="cabinet-report.pdf"' in page
    assert "../report.pdf" in (
        folder.parent / "cabinet" / "cabinet-report.pdf"
    ).read_bytes().decode("latin-1")


def test_no_wcag_violation_in_the_cabinet_paper(book, axe_runner):
    results = axe_runner(book / "book" / "cabinet", ["cabinet-report.html"], 1280)
    assert [p["violations"] for p in results["pages"]] == [[]]
