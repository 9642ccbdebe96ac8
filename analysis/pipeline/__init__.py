"""The one-command run: execute the chapter notebooks, render, publish.

:mod:`~analysis.pipeline.run` drives a run (``python -m analysis run``):
:mod:`~analysis.pipeline.execute` executes the notebooks with papermill,
:mod:`~analysis.pipeline.render` stages and renders the book with Quarto,
:mod:`~analysis.pipeline.publish` swaps the finished quarter into place, and
:mod:`~analysis.pipeline.manifest` records what went in and came out.
"""
