"""Commentary text made safe for every output: HTML, plain text and Markdown.

Commentary comes from analysts' exports of the performance system. It may hold HTML
fragments (paragraphs, lists, emphasis, line breaks), stray or doubly encoded entities
(``&amp;amp;``, ``&nbsp;``), lists written with "•" bullets rather than ``<li>`` items,
style attributes, or plain text with line breaks. None of it is trusted: it must render
faithfully and can never inject markup or script into the report.

Every conversion starts from :func:`sanitise_html`, which cleans the text with ``nh3``
against an explicit allow-list (:data:`ALLOWED_TAGS`, no attributes at all), drops
scripts, styles, frames and embedded objects together with their content, and then
rebuilds a tidy structure: paragraphs, lists and emphasis only. :func:`html_to_text` and
:func:`html_to_markdown` are derived from that sanitised HTML, never from the raw input.

Examples
--------
>>> raw = (
...     '<p>Funding secured:</p> <ul style="list-style-type: none"> • £12m grant '
...     '&amp; loan • £15m <i>Future High Streets</i><script>alert(1)</script>'
... )
>>> sanitise_html(raw)  # doctest: +NORMALIZE_WHITESPACE
'<p>Funding secured:</p><ul><li>£12m grant &amp; loan</li><li>£15m <i>Future High
Streets</i></li></ul>'
>>> print(html_to_text(raw))
Funding secured:
<BLANKLINE>
- £12m grant & loan
- £15m Future High Streets
>>> print(html_to_markdown(raw))
Funding secured\\:
<BLANKLINE>
- £12m grant \\& loan
- £15m *Future High Streets*
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import nh3
import pandas as pd

__all__ = [
    "ALLOWED_TAGS",
    "sanitise_html",
    "bounded_html",
    "cut_text",
    "long_text_limit",
    "long_text_settings",
    "html_to_text",
    "html_to_markdown",
    "markdown_text",
    "metadata_text",
    "attribute_text",
    "raw_html_block",
]

#: The only tags that can appear in sanitised commentary. No attributes are allowed.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {"p", "ul", "ol", "li", "i", "u", "b", "em", "strong", "br"}
)

# Tags removed together with everything inside them: code, styles, frames, embedded
# objects and form controls carry nothing a reader of the report should see.
_DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
        "noscript", "noembed", "noframes", "template", "svg", "math", "textarea",
        "select", "xmp", "plaintext", "title", "head", "audio", "video", "canvas",
    }
)  # fmt: skip

# Block-level tags kept only long enough to separate their content into paragraphs
# (``<div>a</div><div>b</div>`` must not become ``ab``); they never reach an output.
_PARAGRAPH_LIKE = frozenset(
    {
        "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "address",
        "section", "article", "header", "footer", "aside", "main", "nav", "figure",
        "figcaption", "dl", "dt", "dd", "table", "caption", "tr", "td", "th",
    }
)  # fmt: skip

_INLINE = frozenset({"i", "u", "b", "em", "strong"})
_LISTS = frozenset({"ul", "ol"})
_CONTAINERS = _PARAGRAPH_LIKE | {"p"}
_STRUCTURE = _CONTAINERS | _LISTS | {"li", "br"}

_NO_ATTRIBUTES: dict[str, set[str]] = {"*": set()}

# First pass: parse like a browser, keep the allowed tags and the paragraph-like ones.
_FIRST_PASS = nh3.Cleaner(
    tags=set(ALLOWED_TAGS | _PARAGRAPH_LIKE),
    clean_content_tags=set(_DROPPED_WITH_CONTENT),
    attributes=_NO_ATTRIBUTES,
    strip_comments=True,
    link_rel=None,
)
# Last pass, over the rebuilt HTML: exactly the allow-list, whatever happened before.
_LAST_PASS = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_DROPPED_WITH_CONTENT),
    attributes=_NO_ATTRIBUTES,
    strip_comments=True,
    link_rel=None,
)

_BULLETS = "•◦▪‣⁃∙●"
_BULLET_CHAR = re.compile(f"[{_BULLETS}]")
_LINE_MARKER = re.compile(rf"^\s*(?:[{_BULLETS}]|[-*](?=\s))\s*")
_NUMBER_MARKER = re.compile(r"(?:^|(?<=\s))(\d{1,3})[.)](?=\s)")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
# C0 controls (but tab and newlines), DEL, and bidirectional overrides that can make
# text read differently from what it is.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile("[\u00a0\u2007\u202f\u2000-\u200a\u3000]")
_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")


@dataclass
class _Element:
    """A node of the small tree the sanitised HTML is rebuilt from."""

    tag: str
    children: list[_Node] = field(default_factory=list)


_Node = _Element | str


# ---------------------------------------------------------------------------------------
# Public API


def sanitise_html(text: object) -> str:
    """Clean commentary into safe, tidy HTML.

    Parameters
    ----------
    text
        Commentary as exported: an HTML fragment, plain text with line breaks, or
        empty (``None``, NaN and ``""`` all give ``""``).

    Returns
    -------
    str
        HTML using only :data:`ALLOWED_TAGS`, with no attributes. Scripts, styles,
        frames, embedded objects and comments are gone with their content; any other
        tag is dropped but its text kept. Entities are decoded (also when encoded
        twice) and non-breaking spaces become ordinary spaces; runs of white space
        collapse. Lists written with "•" bullets (or numbered "1. … 2. …" inside a
        list) become real lists. In plain text without tags, a line break becomes
        ``<br>`` and a blank line starts a new paragraph. A single paragraph is
        returned without its ``<p>``, so that it sits well in a table cell.

    Examples
    --------
    >>> sanitise_html('<p onclick="steal()">Hello <script>alert(1)</script><b>world</b></p>')
    'Hello <b>world</b>'
    >>> sanitise_html('<a href="javascript:alert(1)">Link</a> text <img src=x onerror=alert(1)>')
    'Link text'
    >>> sanitise_html("First line\\nsecond line\\n\\nNew paragraph")
    '<p>First line<br>second line</p><p>New paragraph</p>'
    >>> sanitise_html('<ol style="list-style-type: none"> 1. <u>Grants</u> for buildings 2. Arts')
    '<ol><li><u>Grants</u> for buildings</li><li>Arts</li></ol>'
    >>> sanitise_html("Costs &amp;amp; fees&nbsp;rose by &lt;5%")
    'Costs &amp; fees rose by &lt;5%'
    >>> sanitise_html(None)
    ''
    """
    source = _as_text(text)
    if not source.strip():
        return ""
    tree = _parse(_FIRST_PASS.clean(source))
    if not _contains(tree, _STRUCTURE):
        tree = _mark_line_breaks(tree)
    blocks = [block for block in _blocks(tree.children) if not _is_blank(block.children)]
    if len(blocks) == 1 and blocks[0].tag == "p":
        rebuilt = _serialise(blocks[0].children)
    else:
        rebuilt = _serialise(blocks)
    return _LAST_PASS.clean(_tidy(rebuilt)).strip()


def bounded_html(text: object, limit: int, note: str) -> str:
    """:func:`sanitise_html` of at most ``limit`` characters of the text, and, when it
    was longer, ``note`` after it (escaped, in italics).

    A cell of the report holds a bounded amount of text, so that a pasted document costs
    what its first pages cost; the text is cut at the last space before the limit (or at
    the limit) and the markup cut with it is closed by the sanitiser. ``note`` may name
    ``{shown}`` and ``{total}``, the characters kept and written (with thousands
    separators).

    Examples
    --------
    >>> bounded_html("<b>A long</b> commentary", 12, "[{shown} of {total} shown]")
    '<b>A long</b> <i>[12 of 24 shown]</i>'
    >>> bounded_html("Short", 12, "[cut]")
    'Short'
    """
    source = _as_text(text)
    if len(source) <= limit:
        return sanitise_html(source)
    cut = cut_text(source, limit)
    words = note.format(shown=f"{len(cut):,}", total=f"{len(source):,}")
    return f"{sanitise_html(cut)} <i>{html.escape(words, quote=False)}</i>".strip()


def long_text_settings(data: Any, where: str) -> tuple[int, str]:
    """A presentation's ``tables: long_text``, checked: the limit and the note (none
    given: no limit)."""
    from analysis.config.files import check_keys
    from analysis.errors import ConfigError

    if data is None:
        return (sys.maxsize, "")
    check_keys(data, where, required=("limit", "note"))
    limit = data["limit"]
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 100:
        raise ConfigError(f"{where}: limit is a number of characters, at least 100; got {limit!r}.")
    try:
        str(data["note"]).format(shown="1", total="2")
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(
            f"{where}: note may name only {{shown}} and {{total}}; it has {exc}."
        ) from None
    return (limit, str(data["note"]))


def long_text_limit(presentation: Any) -> int:
    """How many characters of a long text a table cell shows (``tables: long_text``)."""
    tables = presentation.settings.get("tables") or {}
    where = f"{presentation.where}: tables: long_text"
    return long_text_settings(tables.get("long_text"), where)[0]


def cut_text(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, ending at the last space among them
    when there is one in their second half.

    Examples
    --------
    >>> cut_text("one two three", 9)
    'one two'
    """
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", limit // 2)
    return cut[:space] if space > 0 else cut


def html_to_text(text: object) -> str:
    """Commentary as plain text, for places HTML cannot go.

    Derived from :func:`sanitise_html`, so it holds nothing the sanitiser removed.

    Parameters
    ----------
    text
        Commentary as exported (see :func:`sanitise_html`).

    Returns
    -------
    str
        Text without tags or entities: paragraphs separated by a blank line, list
        items on lines of their own (``- item``, or ``1. item`` in a numbered list,
        nested lists indented), ``<br>`` as a line break. A ``<`` that would open a
        tag is written ``‹`` so that the text can never turn into markup.

    Examples
    --------
    >>> print(html_to_text('<p>Intro &amp; more</p><ol><li>One<ul><li>a</li></ul><li>Two</ol>'))
    Intro & more
    <BLANKLINE>
    1. One
       - a
    2. Two
    >>> html_to_text("Figures &lt;script&gt; and x < 5")
    'Figures ‹script> and x < 5'
    """
    tree = _parse(sanitise_html(text))
    return _TAG_LIKE.sub("‹", "\n".join(_text_blocks(tree.children)).strip("\n"))


def html_to_markdown(text: object) -> str:
    """Commentary as Pandoc Markdown, for Quarto's HTML and PDF (Typst) outputs.

    Derived from :func:`sanitise_html`. Every character Markdown could read as syntax
    (emphasis, links, raw HTML, code, maths, citations, attributes, tables, headings,
    list markers) is escaped with a backslash, so the only markup in the result is the
    paragraphs, lists, line breaks and emphasis written here.

    Parameters
    ----------
    text
        Commentary as exported (see :func:`sanitise_html`).

    Returns
    -------
    str
        Markdown: paragraphs separated by a blank line, ``- item`` and ``1. item``
        lists, ``**bold**``, ``*italic*``, ``[underlined]{.underline}`` and a
        backslash at the end of a line for ``<br>``.

    Examples
    --------
    >>> print(html_to_markdown('<p><b>Note:</b> see <i>[1]</i> &amp; `code`</p><p>2. Next</p>'))
    **Note\\:** see *\\[1\\]* \\& \\`code\\`
    <BLANKLINE>
    2\\. Next
    >>> print(html_to_markdown("<u>Grants</u><br>line two"))
    [Grants]{.underline}\\
    line two
    """
    tree = _parse(sanitise_html(text))
    return "\n".join(_markdown_blocks(tree.children)).strip("\n")


# ---------------------------------------------------------------------------------------
# Text from the data in each context Quarto reads
#
# Three contexts, one rule each (verified against Quarto's render):
# - Markdown text (headings, captions, paragraphs): every character Markdown, Pandoc or
#   Quarto could read as syntax is escaped with a backslash (markdown_text).
# - Metadata (the book's title, subtitle and author, a chapter's title): Quarto writes
#   these into the HTML sidebar and navigation as they are, without reading their
#   Markdown, so a backslash would show and an escaped tag would become live. Syntax
#   characters are written as numeric character references instead, which read as the
#   characters themselves wherever Quarto puts them (metadata_text).
# - Attribute values (a figure's fig-alt): plain text in double quotes; a backslash and
#   a quotation mark are escaped (attribute_text).
# In metadata and attributes Quarto runs shortcodes after it has decoded escapes and
# character references, so ``{{<`` and ``{{%`` are broken with a zero-width space.


def markdown_text(text: object) -> str:
    """Text from the data as Pandoc Markdown on one line, read as text only.

    Examples
    --------
    >>> markdown_text("Derby *City* Council")
    'Derby \\\\*City\\\\* Council'
    >>> markdown_text("{{< include x >}} $1 <b>")
    '\\\\{\\\\{\\\\< include x \\\\>\\\\}\\\\} \\\\$1 \\\\<b\\\\>'
    """
    return " ".join(html_to_markdown(html.escape(_as_text(text))).split())


_FENCE = re.compile(r"\\:(?=\\:)")
_METADATA_SPECIAL = frozenset('\\`*_{}[]<>#|~^$@&=+!"')
_SHORTCODE = re.compile(r"\{\{(?=[<%])")
_ZERO_WIDTH_SPACE = "\u200b"


def metadata_text(text: object) -> str:
    """Text from the data as a Quarto metadata value (a title), read as text only.

    Examples
    --------
    >>> metadata_text("Derby <City> & *Council*")
    'Derby &#60;City&#62; &#38; &#42;Council&#42;'
    >>> "\\u200b" in metadata_text("{{< meta title >}}")
    True
    """
    words = " ".join(_SHORTCODE.sub("{{" + _ZERO_WIDTH_SPACE, _as_text(text)).split())
    return "".join(f"&#{ord(c)};" if c in _METADATA_SPECIAL else c for c in words)


def attribute_text(text: object) -> str:
    """Text from the data as a double-quoted attribute value of Pandoc Markdown.

    Examples
    --------
    >>> print(attribute_text('A "bar" chart\\nof \\\\ things'))
    A \\"bar\\" chart of \\\\ things
    """
    words = " ".join(_SHORTCODE.sub("{{" + _ZERO_WIDTH_SPACE, _as_text(text)).split())
    return words.replace("\\", "\\\\").replace('"', '\\"')


# ---------------------------------------------------------------------------------------
# Reading: nh3 output into a tree


class _TreeBuilder(HTMLParser):
    """Build an :class:`_Element` tree from (already sanitised) HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("root")
        self._stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag)
        self._stack[-1].children.append(element)
        if tag != "br":
            self._stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack[-1].children.append(_Element(tag))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth].tag == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        children = self._stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def _as_text(text: object) -> str:
    """The input as a string: missing values (None, NaN, pd.NA) are empty."""
    if text is None:
        return ""
    if not isinstance(text, str):
        missing = pd.isna(text)  # type: ignore[call-overload]
        if isinstance(missing, bool) and missing:
            return ""
    return _INVISIBLE.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")


def _decode(text: str) -> str:
    """Decode entities left in text (exports sometimes encode them twice)."""
    for _ in range(4):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return _SPACES.sub(" ", _INVISIBLE.sub("", text))


def _parse(markup: str) -> _Element:
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return _map_text(builder.root, _decode)


def _map_text(element: _Element, func: Callable[[str], str]) -> _Element:
    children: list[_Node] = [
        func(c) if isinstance(c, str) else _map_text(c, func) for c in element.children
    ]
    return _Element(element.tag, children)


def _contains(element: _Element, tags: Iterable[str]) -> bool:
    wanted = set(tags)
    return any(
        isinstance(c, _Element) and (c.tag in wanted or _contains(c, wanted))
        for c in element.children
    )


def _text_of(nodes: Iterable[_Node]) -> str:
    return "".join(n if isinstance(n, str) else _text_of(n.children) for n in nodes)


def _is_blank(nodes: Iterable[_Node]) -> bool:
    return not _text_of(nodes).strip()


# ---------------------------------------------------------------------------------------
# Rebuilding the structure


def _mark_line_breaks(root: _Element) -> _Element:
    """In plain text, a blank line ends a paragraph and a line break is ``<br>``."""

    def breaks(text: str, paragraphs: bool) -> list[_Node]:
        out: list[_Node] = []
        chunks = re.split(r"\n[^\S\n]*\n\s*", text) if paragraphs else [text]
        for i, chunk in enumerate(chunks):
            if i:
                out.append(_Element("_paragraph"))
            for j, line in enumerate(re.split(r"[^\S\n]*\n\s*", chunk)):
                if j:
                    out.append(_Element("br"))
                out.append(line)
        return out

    def walk(element: _Element, top: bool) -> _Element:
        children: list[_Node] = []
        for c in element.children:
            if isinstance(c, str):
                children.extend(breaks(c, paragraphs=top))
            else:
                children.append(walk(c, top=False))
        return _Element(element.tag, children)

    return walk(root, top=True)


def _blocks(nodes: list[_Node]) -> list[_Element]:
    """Paragraphs and lists from a mix of inline content and block elements."""
    out: list[_Element] = []
    run: list[_Node] = []

    def flush() -> None:
        if run:
            out.extend(_paragraphs(run[:]))
            run.clear()

    i = 0
    while i < len(nodes):
        node = nodes[i]
        if isinstance(node, str) or node.tag in ("br", *_INLINE) and not _has_blocks(node):
            run.append(node)
        elif node.tag == "_paragraph":
            flush()
        elif node.tag in _LISTS:
            flush()
            out.extend(_list(node))
        elif node.tag == "li":
            flush()
            items: list[_Node] = []
            while i < len(nodes) and _is_item_or_space(nodes[i]):
                items.append(nodes[i])
                i += 1
            out.extend(_list(_Element("ul", items)))
            continue
        elif node.tag in _INLINE:  # formatting wrapped around blocks: push it inside
            flush()
            out.extend(_format_blocks(_blocks(node.children), node.tag))
        elif node.tag in _CONTAINERS:
            flush()
            out.extend(_blocks(node.children))
        else:  # any other tag: keep its text
            run.extend(node.children)
        i += 1
    flush()
    return _merge_lists(out)


def _is_item_or_space(node: _Node) -> bool:
    if isinstance(node, str):
        return not node.strip()
    return node.tag == "li"


def _has_blocks(element: _Element) -> bool:
    return _contains(element, _CONTAINERS | _LISTS | {"li"})


def _format_blocks(blocks: list[_Element], tag: str) -> list[_Element]:
    """Apply an inline format to the text of each paragraph and list item."""
    out: list[_Element] = []
    for block in blocks:
        if block.tag == "p":
            out.append(_Element("p", [_Element(tag, block.children)]))
        else:
            items: list[_Node] = []
            for item in block.children:
                assert isinstance(item, _Element)
                inline = [c for c in item.children if isinstance(c, str) or c.tag not in _LISTS]
                nested: list[_Element] = [
                    c for c in item.children if isinstance(c, _Element) and c.tag in _LISTS
                ]
                content: list[_Node] = [_Element(tag, inline), *_format_blocks(nested, tag)]
                items.append(_Element("li", content))
            out.append(_Element(block.tag, items))
    return out


def _merge_lists(blocks: list[_Element]) -> list[_Element]:
    out: list[_Element] = []
    for block in blocks:
        if out and block.tag in _LISTS and out[-1].tag == block.tag:
            out[-1] = _Element(block.tag, out[-1].children + block.children)
        else:
            out.append(block)
    return out


def _paragraphs(run: list[_Node]) -> list[_Element]:
    """A run of inline content: one paragraph, or paragraphs and bulleted lists."""
    if _is_blank(run):
        return []
    lines = _split(run, split_br=True)
    bulleted = [bool(_LINE_MARKER.match(_text_of(line))) for line in lines]
    if not any(bulleted):
        return [_Element("p", run)]
    out: list[_Element] = []
    group: list[list[_Node]] = []
    for line, is_bullet in zip(lines, bulleted, strict=True):
        if is_bullet:
            if group:
                out.append(_Element("p", _join_lines(group)))
                group = []
            segments = _split(_strip_marker(line), split_text=_BULLET_CHAR.split)
            contents = [_item_content(s) for s in segments if not _is_blank(s)]
            items: list[_Node] = [_Element("li", content) for content in contents if content]
            out.append(_Element("ul", items))
        elif not _is_blank(line):
            group.append(line)
    if group:
        out.append(_Element("p", _join_lines(group)))
    return _merge_lists(out)


def _join_lines(lines: list[list[_Node]]) -> list[_Node]:
    out: list[_Node] = []
    for i, line in enumerate(lines):
        if i:
            out.append(_Element("br"))
        out.extend(line)
    return out


def _list(element: _Element) -> list[_Element]:
    """A list, with stray text split into items; a paragraph inside it ends the list."""
    tag = element.tag
    raw_items: list[list[_Node]] = []
    run: list[_Node] = []
    rest: list[_Node] = []

    def flush() -> None:
        nonlocal tag
        if run:
            segments, numbered = _split_items(run[:])
            if numbered and not raw_items:
                tag = "ol"
            raw_items.extend(segments)
            run.clear()

    for index, child in enumerate(element.children):
        if isinstance(child, str) or child.tag in ("br", *_INLINE) and not _has_blocks(child):
            run.append(child)
        elif child.tag == "li":
            flush()
            raw_items.append(list(child.children))
        elif child.tag in _LISTS:
            flush()
            if raw_items:
                raw_items[-1].append(child)
            else:
                raw_items.append([child])
        else:  # a paragraph: what follows is no longer part of the list
            flush()
            rest = element.children[index:]
            break
    flush()
    contents = [_item_content(raw) for raw in raw_items]
    items: list[_Node] = [_Element("li", content) for content in contents if content]
    out = [_Element(tag, items)] if items else []
    return out + _blocks(rest)


def _split_items(run: list[_Node]) -> tuple[list[list[_Node]], bool]:
    """Split text found directly inside a list into items: at bullets, numbers or lines."""
    text = _text_of(run)
    numbered = False
    if _BULLET_CHAR.search(text):
        segments = _split(run, split_text=_BULLET_CHAR.split)
    elif re.match(r"\s*1[.)]\s", text):
        segments, numbered = _split(run, split_text=_numbered_splitter()), True
    else:
        segments = _split(run, split_br=True, split_text=lambda s: re.split(r"\s*\n\s*", s))
    return [s for s in segments if not _is_blank(s)], numbered


def _numbered_splitter() -> Callable[[str], list[str]]:
    """Split at "1. ", "2. ", … in sequence (so "£1.37m" or "3 4. " do not split)."""
    expected = 1

    def split(text: str) -> list[str]:
        nonlocal expected
        parts, start = [], 0
        for match in _NUMBER_MARKER.finditer(text):
            if int(match.group(1)) == expected:
                parts.append(text[start : match.start()])
                start = match.end()
                expected += 1
        parts.append(text[start:])
        return parts

    return split


def _item_content(nodes: list[_Node]) -> list[_Node]:
    """The content of one list item: inline text, line breaks and nested lists."""
    out: list[_Node] = []
    for block in _blocks(_strip_marker(nodes)):
        if block.tag == "p":
            if out and not (isinstance(out[-1], _Element) and out[-1].tag in _LISTS):
                out.append(_Element("br"))
            out.extend(block.children)
        else:
            out.append(block)
    return out


def _strip_marker(nodes: list[_Node]) -> list[_Node]:
    """Remove a leading bullet ("•", "-", "*") from the first text of a line or item."""
    out: list[_Node] = []
    done = False
    for node in nodes:
        if done:
            out.append(node)
        elif isinstance(node, str):
            if node.strip():
                node, done = _LINE_MARKER.sub("", node, count=1), True
            out.append(node)
        elif node.tag == "br":
            out.append(node)
        else:
            inner = _strip_marker(node.children)
            done = not _is_blank(node.children)
            out.append(_Element(node.tag, inner))
    return out


def _split(
    nodes: list[_Node],
    split_br: bool = False,
    split_text: Callable[[str], list[str]] | None = None,
) -> list[list[_Node]]:
    """Split inline content into segments, copying formatting that spans a split."""
    segments: list[list[_Node]] = [[]]
    for node in nodes:
        if isinstance(node, str):
            parts = split_text(node) if split_text else [node]
            segments[-1].append(parts[0])
            segments.extend([part] for part in parts[1:])
        elif node.tag == "br" and split_br:
            segments.append([])
        elif node.tag == "br":
            segments[-1].append(node)
        else:
            inner = _split(node.children, split_br, split_text)
            segments[-1].append(_Element(node.tag, inner[0]))
            segments.extend([_Element(node.tag, part)] for part in inner[1:])
    return segments


# ---------------------------------------------------------------------------------------
# Writing HTML


def _serialise(nodes: Iterable[_Node]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(html.escape(re.sub(r"\s+", " ", node), quote=False))
        elif node.tag == "br":
            out.append("<br>")
        elif node.tag in ALLOWED_TAGS:
            out.append(f"<{node.tag}>{_serialise(node.children)}</{node.tag}>")
        else:
            out.append(_serialise(node.children))
    return "".join(out)


_TIDY_RULES = (
    (re.compile(r"\s*<br>\s*"), "<br>"),
    (re.compile(r"(<(?:p|ul|ol|li)>)(?:\s|<br>)+"), r"\1"),
    (re.compile(r"(?:\s|<br>)+(</(?:p|li)>|<(?:ul|ol)>)"), r"\1"),
    (re.compile(r"(</(?:p|ul|ol|li)>)\s+"), r"\1"),
    (re.compile(r"\s+(</(?:ul|ol)>|<(?:p|li)>)"), r"\1"),
    (re.compile(r"(?:<br>){3,}"), "<br><br>"),
    (re.compile(r"(<(?:p|li)>|^)((?:<(?:b|i|u|em|strong)>)+)(?:\s|<br>)+"), r"\1\2"),
    (re.compile(r"(?:\s|<br>)+((?:</(?:b|i|u|em|strong)>)+)(</(?:p|li)>|<(?:ul|ol)>|$)"), r"\1\2"),
    (re.compile(r"<(p|li|ul|ol)></\1>"), ""),
    (re.compile(r"<(b|i|u|em|strong)>(\s*)</\1>"), r"\2"),
    (re.compile(r"^(?:\s|<br>)+|(?:\s|<br>)+$"), ""),
)


def _tidy(markup: str) -> str:
    """Trim white space and line breaks at the edges of blocks; drop empty elements."""
    previous = None
    while markup != previous:
        previous = markup
        for pattern, replacement in _TIDY_RULES:
            markup = pattern.sub(replacement, markup)
    return markup


# ---------------------------------------------------------------------------------------
# Writing plain text and Markdown


def _inline_text(nodes: Iterable[_Node]) -> str:
    return "".join(
        n if isinstance(n, str) else "\n" if n.tag == "br" else _inline_text(n.children)
        for n in nodes
    )


def _text_lines(nodes: list[_Node]) -> list[str]:
    return [line.strip() for line in _inline_text(nodes).split("\n")]


def _markdown_lines(nodes: list[_Node]) -> list[str]:
    return [_escape_line_start(line.strip()) for line in _md_inline(nodes, frozenset()).split("\n")]


def _render_blocks(nodes: list[_Node], lines_of: Callable[[list[_Node]], list[str]]) -> list[str]:
    """Lines of output for sanitised content: inline content, or paragraphs and lists.

    ``lines_of`` turns inline content into lines of text; the list markers and the
    indentation of nested lists and continuation lines are added here.
    """
    if not any(isinstance(n, _Element) and n.tag in _CONTAINERS | _LISTS for n in nodes):
        return lines_of(nodes)
    lines: list[str] = []
    for node in nodes:
        if not isinstance(node, _Element):
            continue
        if lines:
            lines.append("")
        if node.tag in _LISTS:
            lines.extend(_render_list(node, lines_of))
        else:
            lines.extend(lines_of(node.children))
    return lines


def _render_list(element: _Element, lines_of: Callable[[list[_Node]], list[str]]) -> list[str]:
    lines: list[str] = []
    items = [c for c in element.children if isinstance(c, _Element) and c.tag == "li"]
    for number, item in enumerate(items, start=1):
        marker = f"{number}. " if element.tag == "ol" else "- "
        item_lines: list[str] = []
        text: list[_Node] = []
        for child in [*item.children, None]:
            if child is None or isinstance(child, _Element) and child.tag in _LISTS:
                if not _is_blank(text):
                    item_lines.extend(lines_of(text))
                text = []
                if child is not None:
                    item_lines.extend(_render_list(child, lines_of))
            else:
                text.append(child)
        for i, line in enumerate(item_lines):
            lines.append((marker if i == 0 else " " * len(marker)) + line)
    return lines


def _markdown_blocks(nodes: list[_Node]) -> list[str]:
    return _render_blocks(nodes, _markdown_lines)


def _text_blocks(nodes: list[_Node]) -> list[str]:
    return _render_blocks(nodes, _text_lines)


# Characters Pandoc Markdown may read as syntax: escaped wherever they occur.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~^$@&:=+\-!])")
_MD_DELIMITERS = {"bold": "**", "italic": "*"}
_MD_STYLES = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline"}
# What would start an ordered list at the beginning of a line: "1.", "a)", "(iv)".
_MD_EDGES = re.compile(r"(?P<lead>(?:\s|\\\n)*)(?P<core>.*?)(?P<trail>(?:\s|\\\n)*)", re.DOTALL)
_MD_ORDERED = re.compile(r"^(\(?)(\d+|[A-Za-z]|[ivxlcdm]+|[IVXLCDM]+)([.)])")


def _md_inline(nodes: list[_Node], active: frozenset[str]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            escaped = _MD_SPECIAL.sub(r"\\\1", node)
            # an escaped ":::" is text, but Quarto warns of a broken fenced div on seeing one
            out.append(_FENCE.sub(lambda m: m.group(0) + _ZERO_WIDTH_SPACE, escaped))
        elif node.tag == "br":
            out.append("\\\n")
        else:
            style = _MD_STYLES.get(node.tag, "")
            inner = _md_inline(node.children, active | {style})
            # White space and line breaks at the edges go outside the delimiters.
            edges = _MD_EDGES.fullmatch(inner)
            assert edges is not None
            lead, core, trail = edges.group("lead", "core", "trail")
            if not style or style in active or not core:
                out.append(inner)
                continue
            if style == "underline":
                out.append(f"{lead}[{core}]{{.underline}}{trail}")
            else:
                mark = _MD_DELIMITERS[style]
                out.append(f"{lead}{mark}{core}{mark}{trail}")
    return "".join(out)


def _escape_line_start(line: str) -> str:
    """Escape an ordered-list marker at the start of a line of text."""
    match = _MD_ORDERED.match(line)
    if not match:
        return line
    opening = "\\(" if match[1] else ""
    return f"{opening}{match[2]}\\{match[3]}{line[match.end() :]}"


def raw_html_block(markup: str) -> str:
    """HTML made by the workbook (a table) as a raw block of Pandoc Markdown, fenced
    longer than any run of backticks in it, so that Quarto passes it through as it is.

    Three colons in a row are broken with a zero-width space: where Quarto reads a
    table's cells itself (a table the PDF's Typst writer leaves to it), it would take
    them for a fenced div and warn.

    Examples
    --------
    >>> print(raw_html_block("<p>```a```</p>"))
    ````{=html}
    <p>```a```</p>
    ````
    <BLANKLINE>
    >>> ":::" in raw_html_block("<p>a ::: b</p>")
    False
    """
    markup = re.sub(r":(?=::)", ":\u200b", markup)
    longest = max((len(run) for run in re.findall(r"`+", markup)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{=html}}\n{markup}\n{fence}\n"
