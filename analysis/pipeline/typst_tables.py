"""The report's tables for the PDF, written as Typst by the workbook rather than by Quarto.

A chapter's tables are great-tables HTML. Quarto's HTML table processing reads each one
into Pandoc's document tree, and its filters then walk every cell of every table many
times on the way to Typst: with a few thousand rows that is most of the PDF's render
time (ten times the bundled items: over three minutes, against ten seconds for the rest
of the book). The PDF's copy of a staged chapter has each table's HTML replaced by the
same table written as a raw Typst block (:func:`typst_chapter`), which Quarto passes
through as it is: one node however many rows.

The Typst is the one Quarto writes for these tables (the same header, rules, stub,
group rows, footer, column widths and alignment, status chips as highlighted words,
the cells' colours and weight), so the PDF reads as before. Every piece of text from a
cell is written as a Typst string literal (``#"..."``, :func:`typst_text`) in which
every character that Typst, Pandoc or Quarto could read as syntax is a Unicode escape:
text from the data can never become Typst markup or code, nor a Quarto shortcode.

Examples
--------
>>> print(typst_text('a "quoted" word'))
#"a \\u{22}quoted\\u{22} word"
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

__all__ = [
    "typst_text",
    "html_table_to_typst",
    "raw_typst_block",
    "typst_chapter",
    "typst_document",
]

# What Quarto writes for great-tables' default look (its header, stub and rules).
_RULE = 'stroke: (top: (paint: rgb("#d3d3d3"), thickness: 0.75pt))'
_STUB_RULES = (
    'stroke: (right: (paint: rgb("#d3d3d3"), thickness: 1.5pt), '
    'top: (paint: rgb("#d3d3d3"), thickness: 0.75pt))'
)
_GROUP_RULES = (
    'stroke: (bottom: (paint: rgb("#d3d3d3"), thickness: 1.5pt), '
    'top: (paint: rgb("#d3d3d3"), thickness: 1.5pt))'
)
_WHITE = 'fill: rgb("#ffffff")'
_GREY_TEXT = 'fill: rgb("#333333")'
_ALIGNS = {"gt_left": "left", "gt_right": "right", "gt_center": "center"}
_SPACE = re.compile(r"\s+")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
# Escaped in a string literal: what Typst reads there, and what Quarto, Pandoc or Typst
# could read as syntax anywhere.
_ESCAPES = {c: f"\\u{{{ord(c):x}}}" for c in '\\"{}<>@$#`[]*_~=&%!|'}
_BLOCKS = ("#linebreak()", "#parbreak()", "#list(", "#enum(")
_RAW_HTML = re.compile(r"^(`{3,})\{=html\}\n(.*)\n\1\n?$", re.DOTALL)
# A raw HTML block within a document: its fence is longer than any backticks inside.
_RAW_HTML_IN_TEXT = re.compile(r"^(`{3,})\{=html\}\n.*?\n\1\n", re.DOTALL | re.MULTILINE)


def typst_text(text: str) -> str:
    """Text as a Typst string literal in markup: it is shown as it is, never read as markup.

    Besides the backslash and the double quote, which Typst reads in a string, the
    characters Quarto looks for in a raw block before Typst sees it (the braces of a
    shortcode such as ``{{< meta title >}}``) and those of Markdown and Typst syntax are
    written as Unicode escapes, so that no pass over the document finds them.

    Examples
    --------
    >>> print(typst_text("*not bold* {{< meta title >}} @z"))
    #"\\u{2a}not bold\\u{2a} \\u{7b}\\u{7b}\\u{3c} meta title \\u{3e}\\u{7d}\\u{7d} \\u{40}z"
    """
    return "#" + _string(text)


def _string(text: str) -> str:
    """A Typst string literal holding ``text`` (see :func:`typst_text`)."""
    return '"' + "".join(_ESCAPES.get(c, c) for c in text) + '"'


class _Text(str):
    """A piece of a cell's text, not yet written as Typst."""


@dataclass
class _Cell:
    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)


@dataclass
class _Row:
    section: str
    classes: list[str]
    cells: list[_Cell] = field(default_factory=list)


class _TableReader(HTMLParser):
    """Reads one great-tables table into rows of cells, each cell's content as Typst."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[_Row] = []
        self.widths: list[str] = []
        self.section = "body"
        self.depth = 0  # tables opened (a cell never holds one; counted to be safe)
        self.cell: _Cell | None = None
        self.stack: list[tuple[str, str]] = []  # open inline tags and their closing markup
        self.items: list[list[str]] | None = None
        self.in_caption = False
        self.style = ""
        self.in_style = False

    # -- structure
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "style":
            self.in_style = True
        elif tag == "table":
            self.depth += 1
        elif tag == "caption":
            self.in_caption = True
        elif tag == "thead":
            self.section = "head"
        elif tag == "tbody":
            self.section = "body"
        elif tag == "tfoot":
            self.section = "foot"
        elif tag == "col":
            width = re.search(r"width:\s*([\d.]+%)", attributes.get("style", ""))
            if width:
                self.widths.append(width.group(1))
        elif tag == "tr":
            self.rows.append(_Row(self.section, attributes.get("class", "").split()))
        elif tag in ("td", "th") and self.rows:
            self.cell = _Cell(tag, attributes)
            self.rows[-1].cells.append(self.cell)
        elif self.cell is not None:
            self._open_inline(tag, attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self.in_style = False
        elif tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th"):
            while self.stack:
                self._close_inline()
            self.cell = None
        elif self.cell is not None and any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack and self._close_inline() != tag:
                pass

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and self.cell is not None:
            self._emit("#linebreak()")
        else:
            self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.style += data
        elif self.cell is not None and not self.in_caption:
            text = _SPACE.sub(" ", data)
            if self.items == []:  # between a list's opening and its first item
                return
            parts = self._current()
            if text.strip() or (text and parts and not parts[-1].startswith(_BLOCKS)):
                self._emit(text, is_text=True)

    # -- content of a cell
    def _current(self) -> list[str]:
        if self.items:
            return self.items[-1]
        assert self.cell is not None
        return self.cell.parts

    def _emit(self, piece: str, is_text: bool = False) -> None:
        parts = self._current()
        if is_text and parts and isinstance(parts[-1], _Text):
            parts[-1] = _Text(parts[-1] + piece)
        elif is_text:
            parts.append(_Text(piece))
        else:
            parts.append(piece)

    def _open_inline(self, tag: str, attributes: dict[str, str]) -> None:
        style = attributes.get("style", "")
        if tag == "br":
            self._emit("#linebreak()")
            return
        if tag == "span" and "status-chip" in attributes.get("class", "").split():
            fill = _style_colour(style, "background-color") or "#ffffff"
            ink = _style_colour(style, "color") or "#000000"
            self._emit(f'#highlight(fill: rgb("{fill}"))[#text(fill: rgb("{ink}"))[')
            self.stack.append((tag, "]]"))
        elif tag in ("strong", "b"):
            self._emit("#strong[")
            self.stack.append((tag, "]"))
        elif tag in ("em", "i"):
            self._emit("#emph[")
            self.stack.append((tag, "]"))
        elif tag == "p":
            if any(piece.strip() for piece in self._current()):
                self._emit("#parbreak()")
            self.stack.append((tag, ""))
        elif tag in ("ul", "ol"):
            self.stack.append((tag, ""))
            self._list_opened = getattr(self, "_list_opened", [])
            self._list_opened.append((self.items, tag))
            self.items = []
        elif tag == "li":
            if self.items is not None:
                self.items.append([])
            self.stack.append((tag, ""))
        else:
            self.stack.append((tag, ""))

    def _close_inline(self) -> str:
        tag, closing = self.stack.pop()
        if tag in ("ul", "ol"):
            items = self.items or []
            outer, kind = self._list_opened.pop()
            self.items = outer
            function = "enum" if kind == "ol" else "list"
            body = ", ".join(f"[{_joined(item)}]" for item in items)
            self._emit(f"#{function}({body})")
        elif closing:
            self._emit(closing)
        return tag


def _style_colour(style: str, name: str) -> str | None:
    for declaration in style.split(";"):
        key, _, value = declaration.partition(":")
        if key.strip().lower() == name:
            match = _COLOUR.search(value)
            return match.group(0).lower() if match else None
    return None


def _font(style: str) -> str:
    """The table's font and size, as Quarto takes them from great-tables' CSS."""
    block = re.search(r"\.gt_table\s*\{([^}]*)\}", style)
    body = block.group(1) if block else ""
    family = re.search(r"font-family:\s*([^;]+);", body)
    size = re.search(r"font-size:\s*([\d.]+)px", body)
    settings = []
    if family:
        first = family.group(1).split(",")[0].strip().strip("'\"")
        settings.append(f"font: ({_string(first)},)")
    if size:
        points = float(size.group(1)) * 0.75
        settings.append(f"size: {points:g}pt")
    return f"set text({' , '.join(settings)}); " if settings else ""


def _content(cell: _Cell) -> str:
    return _joined(cell.parts)


def _joined(parts: list[str]) -> str:
    """A cell's or list item's pieces, without the spaces it starts or ends with."""
    parts = list(parts)
    for index, strip in ((0, str.lstrip), (-1, str.rstrip)):
        if parts and isinstance(parts[index], _Text):
            parts[index] = _Text(strip(parts[index]))
    return "".join(
        (typst_text(part) if part else "") if isinstance(part, _Text) else part for part in parts
    )


def _cell_align(cell: _Cell, default: str = "left") -> str:
    for name in cell.attrs.get("class", "").split():
        if name in _ALIGNS:
            return _ALIGNS[name]
    return default


def _span(cell: _Cell) -> str:
    spans = ""
    for name in ("colspan", "rowspan"):
        value = cell.attrs.get(name, "1")
        if value.isdigit() and int(value) > 1:
            spans += f", {name}: {int(value)}"
    return spans


def _body_cell(cell: _Cell) -> str:
    classes = cell.attrs.get("class", "").split()
    style = cell.attrs.get("style", "")
    align = _cell_align(cell)
    text_settings = []
    fill = _style_colour(style, "background-color")
    ink = _style_colour(style, "color")
    if re.search(r"font-weight:\s*(bold|[6-9]00)", style):
        text_settings.append('weight: "bold"')
    if ink:
        text_settings.append(f'fill: rgb("{ink}")')
    prefix = f"#set text({' , '.join(text_settings)}); " if text_settings else ""
    if "gt_stub" in classes:
        return (
            f"table.cell(align: top + {align}{_span(cell)}, {_WHITE}, {_STUB_RULES})"
            f"[#set text(size: 1.0em , {_GREY_TEXT}); {prefix}{_content(cell)}]"
        )
    fill_option = f', fill: rgb("{fill}")' if fill else ""
    options = f"align: top + {align}{_span(cell)}{fill_option}, {_RULE}"
    return f"table.cell({options})[{prefix}{_content(cell)}]"


def html_table_to_typst(markup: str) -> str | None:
    """A great-tables table (its HTML, with its ``<style>``) as Typst code.

    Returns None when the markup holds no table, or more than one: such markup is left
    to Quarto.

    Examples
    --------
    >>> html = ('<table><thead><tr class="gt_col_headings"><th class="gt_left">Kind</th>'
    ...         '<th class="gt_right">Count</th></tr></thead><tbody><tr>'
    ...         '<td class="gt_row gt_left">A &amp; <i>B</i></td>'
    ...         '<td class="gt_row gt_right">3</td></tr></tbody></table>')
    >>> print(html_table_to_typst(html))  # doctest: +NORMALIZE_WHITESPACE
    #{table(
      columns: 2,
      align: (left,right,),
      table.header(table.cell(align: bottom + left, fill: rgb("#ffffff"))[#set text(size: 1.0em ,
        weight: "regular" , fill: rgb("#333333")); #"Kind"], table.cell(align: bottom + right,
        fill: rgb("#ffffff"))[#set text(size: 1.0em , weight: "regular" , fill: rgb("#333333"));
        #"Count"],),
      table.hline(),
      table.cell(align: top + left, stroke: (top: (paint: rgb("#d3d3d3"), thickness:
        0.75pt)))[#"A \\u{26} "#emph[#"B"]], table.cell(align: top + right, stroke: (top: (paint:
        rgb("#d3d3d3"), thickness: 0.75pt)))[#"3"],
    )}
    """
    reader = _TableReader()
    reader.feed(markup)
    reader.close()
    if reader.depth != 1 or not reader.rows:
        return None
    head = [row for row in reader.rows if row.section == "head"]
    body = [row for row in reader.rows if row.section == "body"]
    foot = [row for row in reader.rows if row.section == "foot"]
    columns = max(sum(_width(c) for c in row.cells) for row in reader.rows)
    data_rows = [row for row in body if "gt_group_heading_row" not in row.classes]
    aligns = [_cell_align(c) for c in data_rows[0].cells] if data_rows else ["left"] * columns
    aligns += ["left"] * (columns - len(aligns))
    lines = ["#{" + _font(reader.style) + "table("]
    if len(reader.widths) == columns:
        lines.append(f"  columns: ({', '.join(reader.widths)}),")
    else:
        lines.append(f"  columns: {columns},")
    lines.append(f"  align: ({','.join(aligns)},),")
    if head:
        cells = [
            f"table.cell(align: bottom + {_cell_align(c)}{_span(c)}, {_WHITE})"
            f'[#set text(size: 1.0em , weight: "regular" , {_GREY_TEXT}); {_content(c)}]'
            for row in head
            for c in row.cells
        ]
        lines.append(f"  table.header({', '.join(cells)},),")
        lines.append("  table.hline(),")
    for row in body:
        if "gt_group_heading_row" in row.classes:
            cells = [
                f"table.cell(align: horizon + left{_span(c)}, {_WHITE}, {_GROUP_RULES})"
                f"[#set text(size: 1.0em , {_GREY_TEXT}); {_content(c)}]"
                for c in row.cells
            ]
        else:
            cells = [_body_cell(c) for c in row.cells]
        lines.append(f"  {', '.join(cells)},")
    if foot:
        cells = [
            f"table.cell(align: left{_span(c)})[{_content(c)}]" for row in foot for c in row.cells
        ]
        lines.append(f"  table.footer({', '.join(cells)},),")
    lines.append(")}")
    return "\n".join(lines)


def _width(cell: _Cell) -> int:
    value = cell.attrs.get("colspan", "1")
    return int(value) if value.isdigit() else 1


def raw_typst_block(code: str) -> str:
    """Typst code as a raw block of Pandoc Markdown, fenced longer than any backticks in it."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{=typst}}\n{code}\n{fence}\n"


def _as_typst(markdown: str) -> str | None:
    """A raw HTML block holding one table as a raw Typst block; None for anything else."""
    match = _RAW_HTML.match(markdown)
    if not match or "<table" not in match.group(2):
        return None
    code = html_table_to_typst(match.group(2).replace(":\u200b", ":"))
    return None if code is None else raw_typst_block(code)


def typst_chapter(path: Path) -> int:
    """Replace, in a staged chapter for the PDF, each table's raw HTML by raw Typst.

    Only an output that is one raw HTML block holding one table is replaced; any other
    is left to Quarto. Returns how many tables were replaced.
    """
    node: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    replaced = 0
    for cell in node.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            markdown = data.get("text/markdown")
            if markdown is None:
                continue
            text = "".join(markdown) if isinstance(markdown, list) else str(markdown)
            typst = _as_typst(text)
            if typst is not None:
                data["text/markdown"] = typst
                replaced += 1
    if replaced:
        path.write_text(json.dumps(node, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return replaced


def typst_document(path: Path) -> int:
    """Replace, in a staged Quarto Markdown document for the PDF (the Cabinet paper),
    each raw HTML block holding one table by the same table as raw Typst.

    Returns how many tables were replaced.
    """
    text = path.read_text(encoding="utf-8")
    replaced = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal replaced
        typst = _as_typst(match.group(0))
        if typst is None:
            return match.group(0)
        replaced += 1
        return typst

    changed = _RAW_HTML_IN_TEXT.sub(swap, text)
    if replaced:
        path.write_text(changed, encoding="utf-8")
    return replaced
