"""Name matching across Cyrillic and Latin scripts.

A plain library: it must never import Django, so that the CLI, the web app, the API and
the benchmarks all call the same code.
"""

from civwatch.matching.translit import search_key, to_latin

__all__ = ["search_key", "to_latin"]
