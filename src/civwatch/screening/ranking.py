"""The name search of the public lists (register browser, sanctions and external list pages,
`GET /api/entities?q=` and the other list endpoints' `q`): any spelling, ranked, with the
lists' exact filters kept.

A row is found when its entity's record in the screening index matches every word typed
(`ListsIndex.search_name`: any script, romanisation, initials), or when its names contain
the text as typed (the lists' search keys), so that a name being typed ("Понома") still
finds something. Rows are annotated with the record's score (0 for a match by text only);
`best_first` puts the best match first and keeps the list's own order among equal scores.

The exact filters are applied before: the index searches only the entities of the rows
left, so a filter narrows the ranked result instead of cutting it after the best few. The
index holds only public lists, and the rows come from the page's own public queryset.
"""

from django.db.models import Case, F, FloatField, OrderBy, Q, QuerySet, Value, When

from civwatch.screening.lists import database_index

SCORE = "name_score"
# The API's description of a `q` searched so.
NAME_SEARCH = (
    "a name in any spelling (Cyrillic or Latin, any romanisation, initials), or part of one "
    "as typed; best match first (docs/registers.md, 'Searching by name')"
)


def named(rows: QuerySet, text: str, contains: Q, entity_field: str = "entity_id") -> QuerySet:
    """The rows whose entity (`entity_field`) is named like `text` in any spelling, or whose
    names contain it (`contains`: the list's condition on its search keys), annotated with
    SCORE."""
    among = rows.values_list(entity_field, flat=True).distinct()
    scores = database_index().search_name(text, among=among)
    rows = rows.filter(Q(**{f"{entity_field}__in": list(scores)}) | contains)
    score = Case(
        *(When(**{entity_field: entity_id}, then=Value(s)) for entity_id, s in scores.items()),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return rows.annotate(**{SCORE: score})


def best_first(text: str | None) -> tuple[OrderBy, ...]:
    """The ordering to put before a list's own when a name was searched (`named`)."""
    return (F(SCORE).desc(),) if text and text.strip() else ()
