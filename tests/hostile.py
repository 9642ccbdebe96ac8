"""A corpus of hostile text: what an export must never be able to do to the report.

Each payload carries its own marker (``PWN01`` ...), so a test can check that every one
reached the report as visible text, and that none became markup: an element, an
attribute, a link, a script, a Quarto shortcode, a raw block, maths or Typst code. The
payloads come from OWASP's XSS filter evasion cheat sheet and from the syntax of
Markdown, Pandoc, Quarto, Typst and YAML.

:func:`plant_corpus` writes the payloads into every text column of a dataset folder and
into its organisation and plan.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

PAYLOADS: list[str] = [
    # HTML and script (OWASP XSS filter evasion)
    "<script>alert('PWN01')</script>",
    "<img src=x onerror=alert('PWN02')>",
    "<svg/onload=alert('PWN03')>",
    '"><script>alert("PWN04")</script>',
    "<a href=\"javascript:alert('PWN05')\">PWN05 link</a>",
    '<iframe src="https://evil.example/PWN06"></iframe>',
    "<body onload=alert('PWN07')>",
    "<IMG SRC=\"jav&#x09;ascript:alert('PWN08');\">",
    "<style>@import 'https://evil.example/PWN09.css';</style>",
    "<details open ontoggle=alert('PWN10')>",
    "&lt;script&gt;alert('PWN11')&lt;/script&gt;",
    "<!-- PWN12 --><scr<script>ipt>alert('PWN12')</script>",
    # Markdown and Pandoc
    "[PWN13 click](javascript:alert(1))",
    "![PWN14](https://evil.example/x.png)",
    "<https://evil.example/PWN15>",
    "# PWN16 heading",
    "*PWN17* **bold** `code` ~~strike~~",
    "[^PWN18] footnote",
    "::: {.callout-warning}\nPWN19\n:::",
    "PWN20 ```{=html}\n<script>alert('PWN20')</script>\n```",
    "PWN21 `<script>alert('PWN21')</script>`{=html}",
    "$PWN22^2$ and $$\\PWN22$$",
    '{#PWN23 .hidden style="display:none"}',
    "@PWN24 [@PWN24]",
    "\\\\ PWN25 \\",
    "PWN26 line one\n\n```{=html}\n<img src=x onerror=alert('PWN26')>\n```\n\nline three",
    # Quarto
    "{{< include /etc/passwd >}} PWN27",
    "{{< meta title >}} PWN28",
    "{{< var PWN29 >}}",
    "{{< pagebreak >}} PWN30",
    '" fig-alt="PWN31" onload="alert(1)',
    # Typst
    '#set page(fill: red) PWN32 #eval("1 + 1")',
    '#{ panic("PWN33") } ] [ $ x $',
    "<PWN34> @PWN34 // comment /* open",
    '#import "@preview/evil:0.1.0": * PWN35',
    # YAML and CSV
    "PWN36: ---\n- item\n{a: b} *anchor !!python/object",
    '=HYPERLINK("https://evil.example","PWN37")',
    "+PWN38 -PWN38 @PWN38",
    "PWN39 a tab\there and a zero-width\u200bspace",
]

MARKERS = [f"PWN{n:02d}" for n in range(1, len(PAYLOADS) + 1)]


#: The columns every report shows, for each item with an update this quarter: each
#: payload is planted in one of these at least, so that it must show up as text.
SHOWN = ("themes.name", "outcomes.name", "actions.title", "measures.title",
         "projects.title", "risks.title")  # fmt: skip
#: The other free-text columns, planted too.
OTHERS = ("themes.description", "outcomes.description", "measures.directorate",
          "action_updates.commentary", "project_updates.commentary",
          "risk_updates.commentary", "measure_values.commentary",
          "measure_values.improvement_actions", "measure_values.intervention",
          "amendments.description")  # fmt: skip


def plant_corpus(folder: Path, quarter: str = "2021-22-Q2") -> dict[str, str]:
    """Write the payloads into every text column of the dataset in ``folder``.

    The payloads are dealt out in turn, two to a cell, first into the columns every
    report shows (:data:`SHOWN`), then into the others (updates of ``quarter`` only),
    and into the organisation and plan of ``dataset.yml``. Returns where each marker
    was first planted (``table.column``), for the test's messages.
    """
    deal = iter(PAYLOADS * 40)
    where: dict[str, str] = {}

    def next_two(place: str) -> str:
        text = f"{next(deal)} {next(deal)}"
        for marker in MARKERS:
            if marker in text:
                where.setdefault(marker, place)
        return text

    tables = {p.stem: p for p in sorted(folder.glob("*.csv"))}
    rows = {name: list(csv.DictReader(io.StringIO(p.read_text(encoding="utf-8"))))
            for name, p in tables.items()}  # fmt: skip
    for place in (*SHOWN, *OTHERS):
        table, column = place.split(".")
        for row in rows.get(table, []):
            if column in row and row.get("quarter", quarter) == quarter:
                row[column] = next_two(place)
    for name, path in tables.items():
        if not rows[name]:
            continue
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[name][0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[name])
        path.write_text(out.getvalue(), encoding="utf-8")
    config = yaml.safe_load((folder / "dataset.yml").read_text(encoding="utf-8"))
    config["organisation"] = f"Council {next_two('dataset.yml organisation')}"
    config["plan"] = f"Plan {next_two('dataset.yml plan')}"
    (folder / "dataset.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return where
