"""Name matching across Cyrillic and Latin scripts.

A plain library: it must never import Django, so that the CLI, the web app, the API and
the benchmarks all call the same code.
"""

from civwatch.matching.index import (
    DEFAULT_THRESHOLD,
    Record,
    Result,
    ScreeningIndex,
    has_patronymic_ending,
    record_from_ftm,
)
from civwatch.matching.translit import search_key, to_latin

__all__ = [
    "DEFAULT_THRESHOLD",
    "Record",
    "Result",
    "ScreeningIndex",
    "has_patronymic_ending",
    "record_from_ftm",
    "search_key",
    "to_latin",
]
