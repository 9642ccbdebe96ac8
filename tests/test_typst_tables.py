"""The PDF's tables written as Typst from the tables' HTML (analysis/pipeline/typst_tables.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pandas as pd
import pytest
from hostile import PAYLOADS

from analysis.pipeline.render import find_quarto
from analysis.pipeline.typst_tables import html_table_to_typst, typst_chapter, typst_document
from analysis.report.chips import status_chip_html
from analysis.report.narrative import raw_html_block
from analysis.report.tables import _table

QUARTO = find_quarto()


def _gt_html(frame: pd.DataFrame, **options) -> str:
    return _table(frame, id="t", **options).as_raw_html()


def _literals(code: str) -> list[str]:
    """The text of every string literal in the Typst code (written by typst_text)."""
    return [_unescaped(m.group(1)) for m in re.finditer(r'"([^"]*)"', code)]


def _unescaped(text: str) -> str:
    return re.sub(r"\\u\{([0-9a-f]+)\}", lambda m: chr(int(m.group(1), 16)), text)


def test_every_piece_of_text_from_a_cell_is_a_string_literal():
    frame = pd.DataFrame({"Item": PAYLOADS, "Note": ["x"] * len(PAYLOADS)})
    code = html_table_to_typst(_gt_html(frame))
    assert code is not None
    literals = _literals(code)
    for payload in PAYLOADS:
        text = " ".join(payload.split())
        assert any(text.strip() in literal for literal in literals), payload
    # outside the literals there is only the table's own code: no payload's marker
    outside = re.sub(r'"[^"]*"', '""', code)
    assert "PWN" not in outside


def test_the_header_group_rows_widths_footer_and_chips_are_kept():
    chip = status_chip_html("On track", "#00703C", "#FFFFFF", icon="●")
    frame = pd.DataFrame(
        {"Item": ["First", "Second"], "Status": [chip, "Not rated"], "Theme": ["A", "B"]}
    )
    table = (
        _table(frame, id="t", groupname_col="Theme")
        .fmt(lambda v: v, columns=["Status"])
        .cols_width({"Item": "70%", "Status": "30%"})
        .tab_source_note("2 in all.")
    )
    code = html_table_to_typst(table.as_raw_html())
    assert code is not None
    assert "columns: (70%, 30%)," in code
    assert code.count("table.cell(align: horizon + left, colspan: 2") == 2  # the groups
    assert '#"A"' in code and '#"B"' in code
    assert 'table.footer(table.cell(align: left, colspan: 2)[#"2 in all."],)' in code
    assert '#"A \\u{26} "#emph[#"B"]' in html_table_to_typst(
        "<table><tr><td>A &amp; <i>B</i></td></tr></table>"
    )
    assert '#highlight(fill: rgb("#00703c"))[#text(fill: rgb("#ffffff"))[#"● On track"]]' in code
    assert "table.header(" in code and '#"Item"' in code and '#"Status"' in code


def test_lists_paragraphs_breaks_and_emphasis_in_a_cell():
    html = (
        '<table><tbody><tr><td class="gt_row gt_left"><p>Lead:</p><ul><li>one</li>'
        "<li><i>two</i></li></ul><p>After<br>break</p></td></tr></tbody></table>"
    )
    code = html_table_to_typst(html)
    assert '[#"Lead:"#list([#"one"], [#emph[#"two"]])#parbreak()#"After"#linebreak()#"break"]' in (
        code or ""
    )


def test_markup_without_exactly_one_table_is_left_to_quarto():
    assert html_table_to_typst("<p>No table</p>") is None
    assert html_table_to_typst("<table><tr><td>a</td></tr></table>" * 2) is None


def test_a_chapter_has_only_its_raw_html_tables_replaced(tmp_path):
    table = "```{=html}\n" + _gt_html(pd.DataFrame({"A": ["x"]})) + "\n```\n"
    other = "```{=html}\n<p>A paragraph</p>\n```\n"
    words = "Some **words**."
    outputs = [
        {"output_type": "display_data", "data": {"text/markdown": text}, "metadata": {}}
        for text in (table, other, words)
    ]
    node = {
        "cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": outputs}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "chapter.ipynb"
    path.write_text(json.dumps(node), encoding="utf-8")
    assert typst_chapter(path) == 1
    shown = [
        o["data"]["text/markdown"] for o in json.loads(path.read_text())["cells"][0]["outputs"]
    ]
    assert shown[0].startswith("```{=typst}\n#{") and '#"x"' in shown[0]
    assert shown[1:] == [other, words]


def test_a_document_has_only_its_raw_html_tables_replaced(tmp_path):
    table = raw_html_block(_gt_html(pd.DataFrame({"A": ["x ````` y"]})))
    other = "```{=html}\n<p>A paragraph</p>\n```\n"
    text = f"---\ntitle: Paper\n---\n\n## Amendments\n\n{table}\n{other}\nSome **words**.\n"
    path = tmp_path / "paper.qmd"
    path.write_text(text, encoding="utf-8")
    assert typst_document(path) == 1
    written = path.read_text(encoding="utf-8")
    before, after = written.split("```{=typst}\n#{", 1)
    assert before == "---\ntitle: Paper\n---\n\n## Amendments\n\n"
    assert after.endswith(f"\n{other}\nSome **words**.\n")
    assert '#"x \\u{60}\\u{60}\\u{60}\\u{60}\\u{60} y"' in after  # the backticks stay text
    assert typst_document(path) == 0  # nothing more to replace


@pytest.mark.skipif(QUARTO is None, reason="Quarto is not installed (quarto.org)")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_typst_compiles_the_table_and_shows_every_payload_as_text(tmp_path):
    frame = pd.DataFrame({"Item": PAYLOADS})
    code = html_table_to_typst(_gt_html(frame))
    source = tmp_path / "table.typ"
    assert code is not None
    source.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [QUARTO, "typst", "compile", str(source), str(tmp_path / "table.pdf")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "table.pdf"), "-"], capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    for marker in sorted({m for p in PAYLOADS for m in re.findall(r"PWN\d+", p)}):
        assert marker in flat, marker
