"""Commentary sanitising and conversion: nothing hostile survives, everything else does."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.report.narrative import ALLOWED_TAGS, html_to_markdown, html_to_text, sanitise_html

# (hostile input, words that must not reach any output)
HOSTILE = [
    ("<script>alert('x')</script>Text", ["alert", "script"]),
    ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>Text", ["evil", "script"]),
    ("<scr<script>ipt>alert(1)</script>", ["<script", "<scr"]),
    ("<img src=x onerror=alert(1)>Text", ["onerror", "img"]),
    ('<body onload="alert(1)">Text</body>', ["onload"]),
    ('<p onclick="alert(1)" onmouseover="x()">Text</p>', ["onclick", "onmouseover"]),
    ('<a href="javascript:alert(1)">Click</a>', ["javascript", "href"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">Click</a>', ["data:", "href"]),
    ('<img src="javascript:alert(1)">', ["javascript", "src"]),
    ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', ["onload", "data:"]),
    ('<iframe src="https://evil.example">framed text</iframe>After', ["framed", "evil"]),
    ("<style>body { display: none }</style>Text", ["display", "style"]),
    ('<p style="background:url(javascript:alert(1))">Text</p>', ["javascript", "style"]),
    ("<svg onload=alert(1)><circle r=1 /></svg>Text", ["onload", "svg", "alert"]),
    ('<object data="evil.swf">fallback</object>Text', ["evil", "fallback"]),
    ('<embed src="evil.swf">Text', ["evil", "embed"]),
    ("<math><mi xlink:href='javascript:alert(1)'>x</mi></math>Text", ["javascript"]),
    ("<b><i>x</b>", []),
    ("<p>unclosed <b>bold", []),
    ("</p></ul><li>stray close tags", []),
    ("&lt;script&gt;alert(1)&lt;/script&gt;", []),
    ("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;", []),
    ('"><script>alert(1)</script>', ["alert"]),
    ("' onmouseover='alert(1)", []),
    ('<b title="x" onmouseover="alert(1)">x</b>', ["onmouseover", "title"]),
    ("<!-- <script>alert(1)</script> -->Text", ["alert"]),
    ("<!--><script>alert(1)</script>-->", ["alert"]),
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', ["onerror"]),
    ("<textarea><script>alert(1)</script></textarea>", ["alert"]),
    ("<template><script>alert(1)</script></template>Text", ["alert"]),
    ("<meta http-equiv=refresh content='0;url=https://evil.example'>Text", ["evil", "meta"]),
    ('<link rel=stylesheet href="https://evil.example/x.css">Text', ["evil"]),
    ('<form action="https://evil.example"><button>Go</button></form>', ["evil"]),
    ("<base href='https://evil.example/'>Text", ["evil"]),
    ("<<script>script>alert(1)<</script>/script>", ["<script"]),
    ("<plaintext><script>alert(1)</script>", ["alert"]),
    ("<div\x00 onclick=alert(1)>Text</div>", ["onclick"]),
    ("Text\u202eLTR override", ["\u202e"]),
]

# Text outside the HTML allow-list that Markdown or Typst could read as markup.
MARKDOWN_HOSTILE = [
    "[link](javascript:alert(1))",
    "![image](https://evil.example/x.png)",
    "`code` and ```{=html}\n<script>alert(1)</script>\n```",
    "$x^2$ and @citation and {{< shortcode >}}",
    "# Heading\n\n> quote\n\n| a | b |\n|---|---|",
    "<http://autolink.example> and &lt;b&gt;",
    "text {.class #id} and [span]{style=color:red}",
    '#set page(fill: red) and #raw("x")',
    "~~strike~~ and ^sup^ and ~sub~",
]


class _Recorder(HTMLParser):
    """Everything an HTML parser finds in a string."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.other: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        self.tags.append((tag, []))

    def handle_comment(self, data):
        self.other.append(f"comment {data!r}")

    def handle_decl(self, decl):
        self.other.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.other.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.other.append(f"declaration {data!r}")

    def handle_data(self, data):
        self.text.append(data)


def _parse(markup: str) -> _Recorder:
    recorder = _Recorder()
    recorder.feed(markup)
    recorder.close()
    return recorder


def assert_safe_html(markup: str) -> None:
    found = _parse(markup)
    assert found.other == []
    for tag, attrs in found.tags:
        assert tag in ALLOWED_TAGS, f"tag {tag!r} in {markup!r}"
        assert attrs == [], f"attributes {attrs!r} in {markup!r}"
    assert "\u202e" not in markup


def assert_safe_text(text: str) -> None:
    assert not re.search(r"<[A-Za-z/!?]", text), text
    assert not re.search(r"&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#x[0-9a-fA-F]+);", text), text


def assert_safe_markdown(markdown: str) -> None:
    """Only escaped syntax, apart from the underline spans html_to_markdown writes."""
    underlines = len(_unescaped(markdown.replace("]{.underline}", "\x00"), "\x00"))
    rest = markdown.replace("]{.underline}", "")
    assert _unescaped(rest, "[") == ["["] * underlines, markdown
    assert _unescaped(rest, "<>]{}`$@&|~^#") == [], markdown


def _unescaped(markdown: str, characters: str) -> list[str]:
    """Characters of ``characters`` in ``markdown`` not escaped by a backslash."""
    found, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\":
            i += 2
            continue
        if markdown[i] in characters:
            found.append(markdown[i])
        i += 1
    return found


@pytest.mark.parametrize(("hostile", "forbidden"), HOSTILE)
def test_sanitise_html_leaves_no_live_markup(hostile, forbidden):
    out = sanitise_html(hostile)
    assert_safe_html(out)
    for word in forbidden:
        assert word.lower() not in out.lower()


@pytest.mark.parametrize(("hostile", "forbidden"), HOSTILE)
def test_html_to_text_leaves_no_markup_or_entities(hostile, forbidden):
    out = html_to_text(hostile)
    assert_safe_text(out)
    for word in forbidden:
        assert word.lower() not in out.lower()


@pytest.mark.parametrize(("hostile", "forbidden"), HOSTILE)
def test_html_to_markdown_escapes_everything_markup_like(hostile, forbidden):
    out = html_to_markdown(hostile)
    assert_safe_markdown(out)
    for word in forbidden:
        assert word.lower() not in out.lower()


@pytest.mark.parametrize("text", MARKDOWN_HOSTILE)
def test_markdown_syntax_in_commentary_stays_text(text):
    out = html_to_markdown(text)
    assert_safe_markdown(out)
    assert not re.search(r"^\s*(?:[-+*>]|\d+[.)])\s", out, re.MULTILINE)


FAITHFUL_HTML = [
    ("On track", "On track"),
    ("<p>One paragraph</p>", "One paragraph"),
    ("<p>First</p><p>Second</p>", "<p>First</p><p>Second</p>"),
    ("<p>First</p>\n\n<p>Second</p>", "<p>First</p><p>Second</p>"),
    ("<b>Bold</b>, <strong>strong</strong>", "<b>Bold</b>, <strong>strong</strong>"),
    ("<i>It</i> <em>em</em> <u>under</u>", "<i>It</i> <em>em</em> <u>under</u>"),
    ("<ul><li>a</li><li>b</li></ul>", "<ul><li>a</li><li>b</li></ul>"),
    ("<ol><li>a</li><li>b</li></ol>", "<ol><li>a</li><li>b</li></ol>"),
    ("<ul><li>a<ul><li>b</li></ul></li></ul>", "<ul><li>a<ul><li>b</li></ul></li></ul>"),
    ("Line one<br>line two", "Line one<br>line two"),
    ("Line one<br/><br />line two", "Line one<br><br>line two"),
    ("Total of £1.37million &amp; more", "Total of £1.37million &amp; more"),
    ("It&#8217;s up&nbsp;by 5%", "It’s up by 5%"),
    ("Costs &amp;amp; fees", "Costs &amp; fees"),
    ("x < 5 and y > 3", "x &lt; 5 and y &gt; 3"),
    ("  lots   of\t white   space  ", "lots of white space"),
    ("First line\nsecond line", "First line<br>second line"),
    ("First para\n\nSecond para", "<p>First para</p><p>Second para</p>"),
    ("First para\r\n\r\nSecond para", "<p>First para</p><p>Second para</p>"),
    ("<p>Source\nwrapped</p>", "Source wrapped"),
    ('<ul style="list-style-type: none"> • Survival grants • City centre fund</ul>',
     "<ul><li>Survival grants</li><li>City centre fund</li></ul>"),
    ('<p>Funding:</p> <ul style="list-style-type: none"> • £12m grant • £9m loan',
     "<p>Funding:</p><ul><li>£12m grant</li><li>£9m loan</li></ul>"),
    ('<ul style="list-style-type: none"> • one; • two. <p>Then a paragraph.</p>',
     "<ul><li>one;</li><li>two.</li></ul><p>Then a paragraph.</p>"),
    ('<ol style="list-style-type: none"> 1. <u>Grants</u> worth £1.37m 2. Arts 3. Footfall',
     "<ol><li><u>Grants</u> worth £1.37m</li><li>Arts</li><li>Footfall</li></ol>"),
    ("<ul><li>• a</li><li>• b</li></ul>", "<ul><li>a</li><li>b</li></ul>"),
    ("Funding:\n• £12m grant\n• £9m loan",
     "<p>Funding:</p><ul><li>£12m grant</li><li>£9m loan</li></ul>"),
    ("Costs:\n- staff\n- rent", "<p>Costs:</p><ul><li>staff</li><li>rent</li></ul>"),
    ("<li>stray</li><li>items</li>", "<ul><li>stray</li><li>items</li></ul>"),
    ("<div>one</div><div>two</div>", "<p>one</p><p>two</p>"),
    ("<h2>Heading</h2>Body", "<p>Heading</p><p>Body</p>"),
    ("<span>in</span>line", "inline"),
    ("<i><p>Para one</p><p>Para two</p></i>", "<p><i>Para one</i></p><p><i>Para two</i></p>"),
    ("<p></p><p> </p><p>Only</p><ul><li> </li></ul>", "Only"),
    ("<p><br>Edges<br></p>", "Edges"),
    ("a<br><br><br><br>b", "a<br><br>b"),
    ("Score of 12 (4 × 3) – unchanged", "Score of 12 (4 × 3) – unchanged"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), FAITHFUL_HTML)
def test_sanitise_html_keeps_content_and_structure(raw, expected):
    assert sanitise_html(raw) == expected


@pytest.mark.parametrize("empty", [None, "", "   ", "\n\n", math.nan, pd.NA, "<p></p>"])
def test_sanitise_html_gives_empty_string_for_no_commentary(empty):
    assert sanitise_html(empty) == ""
    assert html_to_text(empty) == ""
    assert html_to_markdown(empty) == ""


def test_sanitise_html_accepts_non_strings():
    assert sanitise_html(42) == "42"


FAITHFUL_TEXT = [
    ("On track", "On track"),
    ("<p>First &amp; best</p><p>Second</p>", "First & best\n\nSecond"),
    ("Line one<br>line two", "Line one\nline two"),
    ("<ul><li>a</li><li><b>b</b></li></ul>", "- a\n- b"),
    ("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"),
    ("<ul><li>a<ul><li>b</li></ul></li><li>c<br>more</li></ul>", "- a\n  - b\n- c\n  more"),
    ("<ol><li>a<ol><li>b</li></ol></li></ol>", "1. a\n   1. b"),
    ("<p>Intro:</p><ul><li>x</li></ul><p>After</p>", "Intro:\n\n- x\n\nAfter"),
    ('<ul style="list-style-type: none"> • one • two</ul>', "- one\n- two"),
    ("It&#8217;s &pound;5&nbsp;each", "It’s £5 each"),
    ("&amp;nbsp;double&amp;amp;encoded", " double&encoded".strip()),
    ("x < 5 and y > 3", "x < 5 and y > 3"),
    ("&lt;b&gt;not bold&lt;/b&gt;", "‹b>not bold‹/b>"),
]


@pytest.mark.parametrize(("raw", "expected"), FAITHFUL_TEXT)
def test_html_to_text(raw, expected):
    assert html_to_text(raw) == expected


FAITHFUL_MARKDOWN = [
    ("On track", "On track"),
    ("<b>Bold</b> and <i>italic</i>", "**Bold** and *italic*"),
    ("<strong>a</strong><em>b</em>", "**a***b*"),
    ("<b> spaced </b>word", " **spaced** word".strip()),
    ("<b>outer <b>inner</b></b>", "**outer inner**"),
    ("<u>Underlined</u>", "[Underlined]{.underline}"),
    ("<b>a<br></b>b", "**a**\\\nb"),
    ("<i>a\\<br>b</i>", "*a\\\\\\\nb*"),
    ("<p>One</p><p>Two</p>", "One\n\nTwo"),
    ("a<br>b", "a\\\nb"),
    ("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>", "- a\n- b\n  - c"),
    ("<ol><li>a</li><li>b<br>more</li></ol>", "1. a\n2. b\\\n   more"),
    ("1. Not a list", "1\\. Not a list"),
    ("a) nor this", "a\\) nor this"),
    ("(iv) nor this", "\\(iv\\) nor this"),
    ("- nor this", "- nor this"),
    ("16-18 year olds, 5*3", "16\\-18 year olds, 5\\*3"),
    ("Costs &amp; fees: £5_000", "Costs \\& fees\\: £5\\_000"),
    ("back\\slash", "back\\\\slash"),
]


@pytest.mark.parametrize(("raw", "expected"), FAITHFUL_MARKDOWN)
def test_html_to_markdown(raw, expected):
    assert html_to_markdown(raw) == expected


def test_markdown_turns_a_bulleted_line_into_a_list_not_literal_text():
    # "- nor this" is plain text with a bullet: it becomes a list item in every output.
    assert sanitise_html("- nor this") == "<ul><li>nor this</li></ul>"


_FRAGMENTS = [
    "<p>", "</p>", "<ul>", "</ul>", "<ol>", "</ol>", "<li>", "</li>", "<b>", "</b>",
    "<i>", "</i>", "<u>", "<em>", "</strong>", "<br>", "<script>", "</script>",
    "<style>", "<iframe>", "<div>", "</div>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:x">', "</a>", "<!--", "-->", "&amp;", "&lt;", "&gt;", "&nbsp;",
    "&#8217;", "&amp;lt;", "•", " • ", "1. ", " 2. ", "\n", "\n\n", "- ", "* ", "<", ">",
    '"', "'", "=", "text", "£1.37m", "[x](y)", "`", "$", "@", "#",
]  # fmt: skip

_commentary = st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=5), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(_commentary)
def test_any_commentary_gives_safe_output(raw):
    assert_safe_html(sanitise_html(raw))
    assert_safe_text(html_to_text(raw))
    assert_safe_markdown(html_to_markdown(raw))


@settings(max_examples=300, deadline=None)
@given(_commentary)
def test_sanitising_twice_changes_nothing(raw):
    once = sanitise_html(raw)
    assert sanitise_html(once) == once
