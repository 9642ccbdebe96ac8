"""The calculations behind the quarterly performance report.

Notebooks only narrate: every figure in the report comes from a function in this
package. Modules, in the order data moves through them:

- :mod:`analysis.quarters` — financial-year quarters.
- :mod:`analysis.schema` and :mod:`analysis.values` — the dataset's tables and cells.
- :mod:`analysis.load` and :mod:`analysis.validate` — reading and checking a dataset.
- :mod:`analysis.frameworks` — rating frameworks and scales, from YAML configuration.
- :mod:`analysis.ratings` — measure ratings and direction of travel.
- :mod:`analysis.summary` and :mod:`analysis.risks` — headline figures, status changes,
  risk matrices and movements.
"""

__version__ = "0.1.0"
