"""The data dictionary in data/README.md is generated from the schema and kept up to date."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.config.scales import load_scales
from analysis.dataset.dictionary import (
    BEGIN,
    END,
    README,
    _example,
    data_dictionary_markdown,
    update_readme,
)
from analysis.dataset.validate import table_schema
from analysis.errors import WorkbookError
from analysis.schema import TABLES, VALUE_STATES, VOCABULARIES


def test_data_readme_is_up_to_date_with_the_schema():
    text = README.read_text(encoding="utf-8")
    assert update_readme(text) == text, "run: python -m analysis dictionary"


def test_data_readme_links_to_the_bundled_dataset_after_the_dictionary():
    text = README.read_text(encoding="utf-8")
    assert text.index("## Bundled dataset") > text.index(END)
    assert "(derby-2021-22/README.md)" in text


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_table_and_column_is_documented(table):
    text = data_dictionary_markdown()
    section = text.split(f"### {table.name}\n", 1)[1].split("\n### ", 1)[0]
    for col in table.columns:
        assert f"| `{col.name}` |" in section
    assert ",".join(table.column_names) in section


def test_every_label_and_state_is_documented():
    text = data_dictionary_markdown()
    for labels in VOCABULARIES.values():
        for label in labels:
            assert f"`{label}`" in text
    for state, spellings in VALUE_STATES.items():
        assert f"`{state}`" in text
        assert all(f"`{s}`" in text for s in spellings)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_example_rows_pass_the_checks(table):
    row = pd.DataFrame([{c.name: _example(c) for c in table.columns}], index=[2], dtype=object)
    table_schema(table, load_scales("derby-city")).validate(row, lazy=True)


@pytest.mark.parametrize(
    "text",
    ["no markers", f"{END}\n{BEGIN}\n", f"{BEGIN}\nno end"],
)
def test_update_readme_needs_both_markers_in_order(text):
    with pytest.raises(WorkbookError, match="BEGIN GENERATED"):
        update_readme(text)


def test_update_readme_keeps_the_hand_written_prose():
    page = f"# Title\n\nProse.\n\n{BEGIN}\nstale\n{END}\n\nMore prose.\n"
    updated = update_readme(page)
    assert updated.startswith("# Title\n\nProse.\n\n")
    assert updated.endswith(f"{END}\n\nMore prose.\n")
    assert "stale" not in updated
