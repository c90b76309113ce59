"""`civwatch import ovdinfo-detentions FILE`: OVD-Info's Moscow detention events as incidents."""

import csv
import datetime
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import transaction

from civwatch.accounts.acting import acting_user, add_as_argument
from civwatch.cases.models import DatePrecision, Incident, IncidentType
from civwatch.core.crypto import bulk_create_sealed
from civwatch.core.errors import InputError, UserError
from civwatch.core.records import ReviewStatus, Revision, Visibility, as_json
from civwatch.core.subcommands import IMPORTERS, Subcommand

SOURCE = "OVD-Info"
LICENCE = "OVD-Info data (github.com/ovdinfo/report-data); cite OVD-Info as the source"
COLUMNS = ["date", "agreement", "type", "subject", "organizator", "comment", "place", "total", "id"]


def read_rows(path: Path) -> list[Incident]:
    """Every row checked before anything is written; an error names file, row and field."""
    detention = IncidentType.objects.get(code="detention")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot be read ({error})") from None
    if not rows or rows[0] != COLUMNS:
        raise InputError(path, f"expected the columns {','.join(COLUMNS)}", row=1)
    incidents = []
    for number, cells in enumerate(rows[1:], start=2):
        if len(cells) != len(COLUMNS):
            raise InputError(path, f"{len(cells)} cells, expected {len(COLUMNS)}", row=number)
        row = dict(zip(COLUMNS, cells, strict=True))
        try:
            date = datetime.datetime.strptime(row["date"], "%d.%m.%Y").date()
        except ValueError:
            raise InputError(
                path, f"{row['date']!r} is not DD.MM.YYYY", row=number, field="date"
            ) from None
        if not row["total"].isdigit():
            raise InputError(path, f"{row['total']!r} is not a number", row=number, field="total")
        if not row["id"].strip():
            raise InputError(path, "empty", row=number, field="id")
        description = "; ".join(
            part
            for part in (row["type"], row["organizator"], row["agreement"], row["comment"])
            if part
        )
        incidents.append(
            Incident(
                incident_type=detention,
                title=row["subject"] or row["type"],
                description=description,
                date=date,
                date_precision=DatePrecision.DAY,
                place=row["place"],
                people_count=int(row["total"]),
                source_name=SOURCE,
                source_licence=LICENCE,
                external_id=f"ovdinfo-moscow-2011-2012:{row['id'].strip()}",
                # Published data from a named source: public once reviewed. The importer is
                # the author, so an editor other than the importer verifies and publishes.
                visibility=Visibility.PUBLIC,
                status=ReviewStatus.IN_REVIEW,
            )
        )
    return incidents


def import_ovdinfo(path: Path, user: Any) -> tuple[int, int]:
    """Add the file's new events as incidents in review authored by `user`, each with its
    `created` history line; (added, already present)."""
    incidents = read_rows(path)
    existing = set(
        Incident.objects.filter(external_id__in=[i.external_id for i in incidents]).values_list(
            "external_id", flat=True
        )
    )
    new = [i for i in incidents if i.external_id not in existing]
    for incident in new:
        incident.created_by = user
    with transaction.atomic():
        bulk_create_sealed(Incident, new)
        kind = ContentType.objects.get_for_model(Incident)
        bulk_create_sealed(
            Revision,
            [
                Revision(
                    content_type=kind,
                    object_id=str(incident.pk),
                    user=user,
                    action="created",
                    changes={k: [None, v] for k, v in as_json(incident.snapshot()).items()},
                    note=f"imported from {path.name}",
                )
                for incident in new
            ],
        )
    return len(new), len(incidents) - len(new)


def add_arguments(parser) -> None:
    parser.add_argument("file", type=Path, help="data.csv from ovdinfo/report-data")
    add_as_argument(parser)


def run(options: dict, command) -> None:
    user = acting_user(options.get("as_user"), "contributor")
    try:
        added, present = import_ovdinfo(options["file"], user)
    except UserError as error:
        raise CommandError(f"{error}. Nothing was written.") from None
    command.stdout.write(
        f"{added} incidents added, {present} already present. New incidents are in review: an "
        f"editor other than {user.get_username()} verifies and publishes them."
    )


IMPORTERS["ovdinfo-detentions"] = Subcommand(
    name="ovdinfo-detentions",
    help="Load OVD-Info's Moscow detention events (CSV) as detention incidents in review, "
    "authored by --as USER.",
    add_arguments=add_arguments,
    run=run,
)
