"""The calculations behind the quarterly performance report.

Notebooks only narrate: every figure in the report comes from a function in this
package. Its sub-packages are the stages data moves through, each importing only the
ones before it:

- :mod:`analysis.errors`, :mod:`analysis.quarters` and :mod:`analysis.schema`: what
  every stage shares: the errors an analyst sees, financial-year quarters, and the
  shape of a dataset's tables.
- :mod:`analysis.config`: rating frameworks, scales and the report's words, icons and
  colours, from YAML presets and the dataset's own settings.
- :mod:`analysis.dataset`: reading and checking a council's export.
- :mod:`analysis.engine`: measure ratings, status counts and changes, headline
  figures, the risk register.
- :mod:`analysis.report`: the tables, charts and text the chapter notebooks show.
- :mod:`analysis.pipeline`: the one-command run: execute, render, publish.
- :mod:`analysis.cli`: the command line (``python -m analysis``, ``council-report``).

A quarter is parsed once, where it comes in (the command line, a notebook's
parameters), and passed on as a :class:`analysis.quarters.Quarter`.
"""

__version__ = "0.1.0"
