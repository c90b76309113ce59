"""Questions asked of the registers, shared by the web pages, the API and the exports."""

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from civwatch.entities.models import listed_named
from civwatch.registers.models import Change, Designation, Snapshot
from civwatch.screening import ranking


def filter_designations(
    designations: QuerySet[Designation],
    *,
    register: str | None = None,
    legal_basis: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    year: int | None = None,
    q: str | None = None,
) -> QuerySet[Designation]:
    """Filter by register, legal basis code, entity kind, status, listing year and name (in
    any spelling, annotated with its score: order by `ranking.best_first(q)` first)."""
    if register:
        designations = designations.filter(register_id=register)
    if legal_basis:
        designations = designations.filter(legal_basis_id=legal_basis)
    if kind:
        designations = designations.filter(entity__kind=kind)
    if status:
        designations = designations.filter(status=status)
    if year:
        designations = designations.filter(listed_on__year=year)
    if q and q.strip():
        designations = ranking.named(designations, q, listed_named(q, "entity__"))
    return designations


def designations_per_month(register: str | None = None) -> list[dict]:
    """[{"month": date, "legal_basis": code, "count": n}], by listing date, oldest first."""
    designations = filter_designations(Designation.objects.all(), register=register)
    return list(
        designations.exclude(listed_on=None)
        .annotate(month=TruncMonth("listed_on"))
        .values("month", "legal_basis")
        .annotate(count=Count("id"))
        .order_by("month", "legal_basis")
    )


def listing_years(register: str | None = None) -> list[int]:
    designations = filter_designations(Designation.objects.all(), register=register)
    return sorted({d.year for d in designations.exclude(listed_on=None).dates("listed_on", "year")})


def snapshots_with_change_counts(
    register: str | None = None, kind: str | None = None
) -> QuerySet[Snapshot]:
    """Snapshots, newest first, annotated n_added, n_removed, n_modified, n_reinstated.

    With kind, only the snapshots that have at least one change of that kind.
    """
    snapshots = Snapshot.objects.select_related("register").order_by("-as_of", "-file_name")
    if register:
        snapshots = snapshots.filter(register_id=register)
    snapshots = snapshots.annotate(
        **{
            f"n_{value}": Count("changes", filter=Q(changes__kind=value))
            for value in Change.Kind.values
        }
    )
    return snapshots.filter(**{f"n_{kind}__gt": 0}) if kind else snapshots


def names_at_changes(changes: list[Change]) -> dict[int, str]:
    """The designation's name as the snapshot of each change showed it, by change id.

    A designation keeps only its latest record; the name of an earlier snapshot is the last
    `name` value recorded by that designation's changes up to and including that snapshot
    (an `added` change holds every field, a `modified` one the fields that changed). Names
    are read from the whole history, so a filtered list still gets the name of its time.
    """
    wanted = {c.pk for c in changes}
    designation_ids = {c.designation_id for c in changes}
    history = (
        Change.objects.filter(designation_id__in=designation_ids)
        .order_by("snapshot__as_of", "snapshot__file_name", "id")
        .values_list("pk", "designation_id", "fields")
    )
    names, current = {}, {}
    for pk, designation_id, fields in history.iterator(chunk_size=2000):
        name = (fields.get("name") or [None, None])[1]
        if name:
            current[designation_id] = name
        if pk in wanted and designation_id in current:
            names[pk] = current[designation_id]
    return names
