"""Reading and checking a council's export: the first stage of a run.

:mod:`~analysis.dataset.read` reads a dataset folder (CSV files or one Excel workbook,
with ``dataset.yml``) and returns a :class:`~analysis.dataset.read.Dataset`;
:mod:`~analysis.dataset.validate` finds every problem in it, by file, row and column,
against the tables of :mod:`analysis.schema`; :mod:`~analysis.dataset.values` parses a
cell into a number or a state; :mod:`~analysis.dataset.dictionary` writes the tables up
as ``data/README.md``.
"""

from analysis.dataset.read import (
    BUNDLED_DATASET,
    Dataset,
    load_dataset,
    load_run_inputs,
    read_raw,
    snapshot_dataset,
    validate_dataset,
)
from analysis.dataset.validate import Problem, format_problems, validate_raw

__all__ = [
    "BUNDLED_DATASET",
    "Dataset",
    "load_dataset",
    "load_run_inputs",
    "read_raw",
    "snapshot_dataset",
    "validate_dataset",
    "Problem",
    "format_problems",
    "validate_raw",
]
