"""A corpus of malformed exports: each is told to the analyst in words, never a traceback.

Every case changes one thing in a copy of the clean fixture dataset, the way exports go
wrong in practice (encodings, delimiters, broken files, odd cells, bad configuration),
and runs ``python -m analysis validate`` on it: the command exits non-zero, prints no
traceback, and its message names the file at fault (and, where there is one, what to
do). The cases are data: a new way an export goes wrong is one more line.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.cli import main

CLEAN = Path(__file__).resolve().parent / "fixtures" / "datasets" / "clean"


def _text(folder: Path, name: str) -> str:
    data = (folder / name).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # the fixture keeps one table in Windows-1252, as Excel saves
        return data.decode("cp1252")


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def _replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        text = _text(folder, name)
        assert old in text, (name, old)
        _write(folder, name, text.replace(old, new, 1))

    return change


def _rewrite(name: str, edit: Callable[[str], str]) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        _write(folder, name, edit(_text(folder, name)))

    return change


def _bytes(name: str, data: bytes) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return change


def _encode(name: str, encoding: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (folder / name).write_bytes(_text(folder, name).encode(encoding))

    return change


def _remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def _folder_for(name: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).mkdir()

    return change


def _lines(name: str, edit: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    return _rewrite(name, lambda text: "\n".join(edit(text.splitlines())) + "\n")


# (case, change, the file the message must name)
CASES: list[tuple[str, Callable[[Path], None], str]] = [
    # encodings and bytes
    ("utf-16 table", _encode("themes.csv", "utf-16"), "themes.csv"),
    ("utf-32 table", _encode("risks.csv", "utf-32"), "risks.csv"),
    ("binary table", _bytes("actions.csv", bytes(range(256)) * 4), "actions.csv"),
    ("empty table file", _bytes("projects.csv", b""), "projects.csv"),
    ("header only, required table", _lines("themes.csv", lambda ls: ls[:1]), "themes.csv"),
    ("nul byte in a cell", _replace("actions.csv", "Open the", "Open\x00the"), "actions.csv"),
    ("bidi override in a title", _replace("risks.csv", "Construction", "\u202eCon"), "risks.csv"),
    ("dataset.yml not utf-8", _encode("dataset.yml", "utf-16"), "dataset.yml"),
    ("dataset.yml binary", _bytes("dataset.yml", b"\x00\xff\xfe" * 50), "dataset.yml"),
    # delimiters and quoting
    ("semicolon delimited", _rewrite("risks.csv", lambda t: t.replace(",", ";")), "risks.csv"),
    ("tab delimited", _rewrite("projects.csv", lambda t: t.replace(",", "\t")), "projects.csv"),
    ("unclosed quote at the end", _rewrite("outcomes.csv", lambda t: t + '"x,y\n'), "outcomes.csv"),
    (
        "a row too long",
        _lines("actions.csv", lambda ls: [*ls, ls[1] + ",extra,more"]),
        "actions.csv",
    ),
    (
        "duplicated column",
        _lines("risks.csv", lambda ls: [ls[0] + ",title"] + [x + ",T" for x in ls[1:]]),
        "risks.csv",
    ),
    ("column renamed", _replace("measures.csv", "polarity", "polarty"), "measures.csv"),
    (
        "column missing",
        _lines("measures.csv", lambda ls: [",".join(x.split(",")[:-1]) for x in ls]),
        "measures.csv",
    ),
    ("pipe delimited", _rewrite("risks.csv", lambda t: t.replace(",", "|")), "risks.csv"),
    # files and folders
    ("table missing", _remove("themes.csv"), "themes.csv"),
    ("dataset.yml missing", _remove("dataset.yml"), "dataset.yml"),
    ("table is a folder", _folder_for("risks.csv"), "risks.csv"),
    ("unknown table", _bytes("targets.csv", b"a,b\n1,2\n"), "targets.csv"),
    (
        "corrupt workbook beside csvs",
        _bytes("dataset.xlsx", b"PK\x03\x04 not a zip"),
        "dataset.xlsx",
    ),
    # dataset.yml
    ("yaml syntax error", _bytes("dataset.yml", b"organisation: [unclosed\n"), "dataset.yml"),
    ("yaml is a list", _bytes("dataset.yml", b"- a\n- b\n"), "dataset.yml"),
    ("unknown framework", _replace("dataset.yml", "derby-city-2021-22", "derbyy"), "dataset.yml"),
    (
        "unknown scales",
        _replace("dataset.yml", "scales: derby-city", "scales: nowhere"),
        "dataset.yml",
    ),
    (
        "organisation missing",
        _rewrite("dataset.yml", lambda t: t.replace("organisation:", "organization:")),
        "dataset.yml",
    ),
    (
        "framework is a binary file",
        _replace("dataset.yml", "derby-city-2021-22", "bands.yml"),
        "dataset.yml",
    ),
    ("dataset.yml empty", _bytes("dataset.yml", b""), "dataset.yml"),
    (
        "bidi override in the organisation",
        _replace("dataset.yml", "organisation: ", "organisation: \u202e"),
        "dataset.yml",
    ),
    (
        "scales not a name",
        _replace("dataset.yml", "scales: derby-city", "scales: 3"),
        "dataset.yml",
    ),
    (
        "framework a binary file",
        lambda f: (
            (f / "bands.yml").write_bytes(b"\x00\xff" * 100),
            _replace("dataset.yml", "derby-city-2021-22", "bands.yml")(f),
        ),
        "bands.yml",
    ),
    # cells
    (
        "quarter misspelt",
        _replace("action_updates.csv", "2021/22 Q1", "2021/2 Q1"),
        "action_updates.csv",
    ),
    (
        "quarter not begun",
        _replace("action_updates.csv", "2021/22 Q1", "2098/99 Q1"),
        "action_updates.csv",
    ),
    (
        "quarter number 5",
        _replace("risk_updates.csv", "2021-22-Q1", "2021-22-Q5"),
        "risk_updates.csv",
    ),
    (
        "status misspelt",
        _replace("action_updates.csv", "On track", "On trak"),
        "action_updates.csv",
    ),
    (
        "rag unknown",
        _replace("project_updates.csv", "Green,amber-red", "Purple,amber-red"),
        "project_updates.csv",
    ),
    (
        "impact out of range",
        _replace("risk_updates.csv", "2021-22-Q2,4,3", "2021-22-Q2,9,3"),
        "risk_updates.csv",
    ),
    (
        "impact not a number",
        _replace("risk_updates.csv", "2021-22-Q2,4,3", "2021-22-Q2,high,3"),
        "risk_updates.csv",
    ),
    (
        "impact huge integer",
        _replace("risk_updates.csv", "2021-22-Q2,4,3", "2021-22-Q2,99999999999999999999999,3"),
        "risk_updates.csv",
    ),
    (
        "position huge integer",
        _replace("themes.csv", "place,Our place,1", "place,Our place,1" + "0" * 30),
        "themes.csv",
    ),
    (
        "actual not a value",
        _replace("measure_values.csv", "70.5%", "seventy"),
        "measure_values.csv",
    ),
    ("actual in e-notation", _replace("measure_values.csv", "70.5%", "1e26"), "measure_values.csv"),
    (
        "actual huge",
        _replace("measure_values.csv", "70.5%", "100000000000000000000000000"),
        "measure_values.csv",
    ),
    ("actual infinite", _replace("measure_values.csv", "70.5%", "inf"), "measure_values.csv"),
    ("actual nan", _replace("measure_values.csv", "70.5%", "NaN"), "measure_values.csv"),
    ("unit unknown", _replace("measures.csv", "percent,higher", "furlongs,higher"), "measures.csv"),
    (
        "polarity unknown",
        _replace("measures.csv", "percent,higher", "percent,upwards"),
        "measures.csv",
    ),
    ("date impossible", _replace("actions.csv", "2022-03-31", "2022-02-30"), "actions.csv"),
    ("date in another format", _replace("actions.csv", "2022-03-31", "31/03/2022"), "actions.csv"),
    (
        "provenance unknown",
        _replace(
            "risk_updates.csv",
            "escalated,Prices up again.,published",
            "escalated,Prices up again.,guessed",
        ),
        "risk_updates.csv",
    ),
    ("movement unknown", _replace("risk_updates.csv", "escalated", "upgraded"), "risk_updates.csv"),
    ("risk type unknown", _replace("risks.csv", "threat", "danger"), "risks.csv"),
    (
        "amendment change unknown",
        _replace("amendments.csv", ",delete,", ",remove,"),
        "amendments.csv",
    ),
    # keys and references
    ("duplicate theme id", _lines("themes.csv", lambda ls: [*ls, ls[1]]), "themes.csv"),
    (
        "duplicate update",
        _lines("action_updates.csv", lambda ls: [*ls, ls[1]]),
        "action_updates.csv",
    ),
    (
        "update of unknown action",
        _replace("action_updates.csv", "A1,2021/22 Q1", "A9,2021/22 Q1"),
        "action_updates.csv",
    ),
    (
        "outcome of unknown theme",
        _replace("outcomes.csv", "place-growth,place", "place-growth,plaice"),
        "outcomes.csv",
    ),
    (
        "measure of unknown outcome",
        _replace("measures.csv", "M1,place-growth", "M1,nowhere"),
        "measures.csv",
    ),
    ("key cell empty", _replace("themes.csv", "place,Our place", ",Our place"), "themes.csv"),
    ("title empty", _replace("risks.csv", "Construction costs rise", ""), "risks.csv"),
    ("theme name empty", _replace("themes.csv", "Our place", ""), "themes.csv"),
    (
        "position not a number",
        _replace("themes.csv", "Our place,1", "Our place,first"),
        "themes.csv",
    ),
]


#: What the message must say, for the cases where the words matter most.
MESSAGES = {
    "utf-16 table": "UTF-16",
    "semicolon delimited": "separated by semicolons",
    "tab delimited": "separated by tabs",
    "duplicated column": "appears 2 times",
    "quarter not begun": "after today",
    "nul byte in a cell": "U+0000",
    "bidi override in a title": "RIGHT-TO-LEFT OVERRIDE",
    "bidi override in the organisation": "RIGHT-TO-LEFT OVERRIDE",
    "table is a folder": "is a folder",
    "dataset.yml not utf-8": "UTF-8",
    "impact huge integer": "below 1,000,000,000",
    "actual huge": "too large to be a figure",
}


@pytest.mark.parametrize(("case", "change", "names"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_export_is_explained_without_a_traceback(case, change, names, tmp_path, capsys):
    folder = Path(shutil.copytree(CLEAN, tmp_path / "dataset"))
    change(folder)
    code = main(["validate", str(folder)])
    printed = capsys.readouterr()
    words = printed.out + printed.err
    assert code != 0, f"{case}: accepted\n{words}"
    assert "Traceback" not in words, f"{case}: {words[-2000:]}"
    assert names in words, f"{case}: the message does not name {names}\n{words[-2000:]}"
    assert MESSAGES.get(case, "") in words, f"{case}: {words[-2000:]}"


def test_a_delimiter_at_the_end_of_every_row_is_read_as_if_it_were_not_there(tmp_path):
    from analysis.dataset.read import read_raw

    folder = Path(shutil.copytree(CLEAN, tmp_path / "dataset"))
    _lines("themes.csv", lambda ls: [ls[0], *[f"{line}," for line in ls[1:]]])(folder)
    changed = read_raw(folder)
    assert changed.problems == ()
    assert changed.frames["themes"].equals(read_raw(CLEAN).frames["themes"])


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 60


def test_a_corrupt_workbook_is_one_problem_not_a_list_of_missing_tables(tmp_path, capsys):
    folder = tmp_path / "dataset"
    folder.mkdir()
    shutil.copy(CLEAN / "dataset.yml", folder)
    (folder / "dataset.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    assert main(["validate", str(folder)]) != 0
    words = capsys.readouterr().out
    assert "1 problem found" in words and "cannot be opened" in words and "missing" not in words


def test_an_unclosed_quotation_mark_is_placed_on_the_row_excel_shows(tmp_path):
    from analysis.dataset.read import read_raw

    folder = Path(shutil.copytree(CLEAN, tmp_path / "dataset"))
    _rewrite("outcomes.csv", lambda t: t + '"x,y\n')(folder)
    rows = len(_text(folder, "outcomes.csv").splitlines())
    (problem,) = [p for p in read_raw(folder).problems if p.file == "outcomes.csv"]
    assert problem.row == rows and "never closed" in problem.rule
