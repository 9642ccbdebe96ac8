"""Names every doctest of the package may use without importing them."""

import pytest

from analysis.quarters import parse_quarter


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    # A quarter is parsed where it comes in; the examples parse theirs like the notebooks.
    doctest_namespace["parse_quarter"] = parse_quarter
