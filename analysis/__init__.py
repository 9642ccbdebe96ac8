"""The calculations behind the quarterly performance report.

Notebooks only narrate: every figure in the report comes from a function in this
package. Modules, in the order data moves through them:

- :mod:`analysis.quarters`: financial-year quarters.
- :mod:`analysis.schema` and :mod:`analysis.values`: the dataset's tables and cells;
  :mod:`analysis.dictionary` writes them up as ``data/README.md``.
- :mod:`analysis.load` and :mod:`analysis.validate`: reading and checking a dataset.
- :mod:`analysis.config`, :mod:`analysis.frameworks` and :mod:`analysis.scales`: rating
  frameworks and the action, project and risk scales, from YAML configuration.
- :mod:`analysis.ratings`: measure ratings and direction of travel.
- :mod:`analysis.items`, :mod:`analysis.summary` and :mod:`analysis.risks`: headline
  figures, status counts and changes, the risk register and matrices.
- :mod:`analysis.narrative`, :mod:`analysis.chips`, :mod:`analysis.text`,
  :mod:`analysis.tables` and :mod:`analysis.charts`: safe commentary, status chips,
  generated sentences, tables and charts for the report.
- :mod:`analysis.run` with :mod:`analysis.execute`, :mod:`analysis.render`,
  :mod:`analysis.publish`, :mod:`analysis.manifest`, :mod:`analysis.extracts` and
  :mod:`analysis.chapters`: the one-command pipeline.
- :mod:`analysis.cli`: the command line (``python -m analysis``).
"""

__version__ = "0.1.0"
