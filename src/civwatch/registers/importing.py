"""Applying register snapshots: matching rows to designations and recording changes.

Identity rule. A row of a new snapshot is the same designation as an earlier row when,
in this order:
1. it has the same register number and shares an identifier or the normalised name;
2. it shares an identifier (OGRN, INN, SNILS, registration number) with a designation
   not yet matched (the register number was corrected);
3. it has the same normalised name and birth date (number corrected, no identifiers);
4. it has the same register number, listing date and legal basis (the entity was renamed).
Otherwise it is a new designation.

A field that a snapshot does not have (a column the register added later) is "not
observed": it never counts as a change. A snapshot whose changes look like a scraping
accident rather than facts (many removals reversed at once, a column blanked on most
rows, many rows vanished) is suspect; what happens then is the caller's choice:
stop (default), skip the snapshot, confirm it as fact, or keep-previous (record the
snapshot but treat the suspect fields as not observed).
"""

import datetime
import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from civwatch.core import audit
from civwatch.entities.names import readable_name
from civwatch.entities.syncing import EntityWriter, entity_kind
from civwatch.registers.models import (
    Change,
    Designation,
    LegalBasis,
    Register,
    RegisterSlug,
    Snapshot,
)
from civwatch.registers.sources import SnapshotFile

IDENTIFIER_FIELDS = ("ogrn", "inn", "snils", "reg_num")
DATE_FIELDS = ("listed_on", "published_on", "removed_on")
SUSPECT_POLICIES = ("stop", "skip", "confirm", "keep-previous")
# Thresholds for "implausible": tuned to catch scraping accidents, not weekly news.
MIN_REVERSALS, REVERSAL_SHARE = 5, 0.10
MIN_BLANKED, BLANKED_SHARE = 10, 0.50
MIN_VANISHED, VANISHED_SHARE = 10, 0.05
PRESENCE = "in_register"
# Registers that write names in capitals: entities show them readably, rows keep the source.
NAME_FORMS = {RegisterSlug.RFM: readable_name}


class SuspectSnapshot(Exception):
    def __init__(self, report: "SnapshotReport"):
        self.report = report
        super().__init__(report.describe())


@dataclass
class SnapshotReport:
    file: str
    as_of: datetime.date
    status: str = "applied"  # applied | already applied | skipped | suspect
    counts: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    suspicions: dict[str, str] = field(default_factory=dict)  # field -> why

    def describe(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items())) or "no changes"
        lines = [f"{self.file} ({self.as_of}): {self.status}; {counts}"]
        lines += [f"  suspect {name}: {why}" for name, why in self.suspicions.items()]
        return "\n".join(lines)


def name_key(record: dict) -> tuple[str, str | None]:
    return normalised_name(record["name"]), record.get("birth_date")


@functools.lru_cache(maxsize=65536)
def normalised_name(name: str) -> str:
    letters = (c if c.isalnum() else " " for c in name.casefold().replace("ё", "е"))
    return " ".join("".join(letters).split())


def typed(record: dict) -> dict:
    values = {
        name: datetime.date.fromisoformat(record[name]) if record.get(name) else None
        for name in DATE_FIELDS
    }
    values["legal_basis_id"] = record.get("legal_basis")
    return values


class Matcher:
    """Pairs the rows of a snapshot with the register's existing designations."""

    def __init__(self, designations: list[Designation]):
        self.by_row = {d.row_id: d for d in designations if d.in_register}
        self.by_identifier: dict[tuple, Designation] = {}
        self.by_name: dict[tuple, Designation] = {}
        for d in designations:
            for scheme in IDENTIFIER_FIELDS:
                if d.record.get(scheme):
                    self.by_identifier.setdefault((scheme, d.record[scheme]), d)
            self.by_name.setdefault(name_key(d.record), d)

    def pair(self, rows: list[dict]) -> dict[int, Designation]:
        passes: list[Callable[[dict], list[Designation]]] = [
            self._same_row,
            self._same_identifier,
            self._same_name,
            self._renamed,
        ]
        paired: dict[int, Designation] = {}
        claimed: set[int] = set()
        for candidates_for in passes:
            for index, row in enumerate(rows):
                if index in paired:
                    continue
                for candidate in candidates_for(row):
                    if candidate.pk not in claimed:
                        paired[index] = candidate
                        claimed.add(candidate.pk)
                        break
        return paired

    def _same_row(self, row: dict) -> list[Designation]:
        d = self.by_row.get(row["row_id"])
        if d and (
            name_key(d.record) == name_key(row)
            or any(row.get(s) and d.record.get(s) == row.get(s) for s in IDENTIFIER_FIELDS)
        ):
            return [d]
        return []

    def _same_identifier(self, row: dict) -> list[Designation]:
        found = (self.by_identifier.get((s, row.get(s))) for s in IDENTIFIER_FIELDS)
        return [d for d in found if d]

    def _same_name(self, row: dict) -> list[Designation]:
        d = self.by_name.get(name_key(row))
        return [d] if d else []

    def _renamed(self, row: dict) -> list[Designation]:
        d = self.by_row.get(row["row_id"])
        same = d and all(d.record.get(f) == row.get(f) for f in ("listed_on", "legal_basis"))
        return [d] if same else []


@dataclass
class Plan:
    """What a snapshot would change, computed before anything is written."""

    added: list[dict] = field(default_factory=list)
    updated: list[tuple[Designation, dict, str | None, dict]] = field(default_factory=list)
    vanished: list[Designation] = field(default_factory=list)

    def counts(self) -> Counter:
        counts = Counter(kind for _, _, kind, _ in self.updated if kind)
        counts.update({Change.Kind.ADDED: len(self.added), Change.Kind.REMOVED: len(self.vanished)})
        return +counts


def observed_update(before: dict, row: dict, observed: list[str]) -> tuple[dict, dict]:
    after = dict(before)
    diff = {}
    for name in observed:
        value = row.get(name)
        if name in before and before[name] != value:
            diff[name] = [before[name], value]
        after[name] = value
    return after, diff


def change_kind(designation: Designation, diff: dict) -> str | None:
    if not designation.in_register:
        return Change.Kind.REINSTATED
    if "removed_on" in diff:
        before, after = diff["removed_on"]
        if after and not before:
            return Change.Kind.REMOVED
        if before and not after:
            return Change.Kind.REINSTATED
    return Change.Kind.MODIFIED if diff else None


def make_plan(designations, paired, rows, observed, trust_presence) -> Plan:
    plan = Plan()
    for index, row in enumerate(rows):
        designation = paired.get(index)
        if designation is None:
            plan.added.append({k: row.get(k) for k in observed})
            continue
        after, diff = observed_update(designation.record, row, observed)
        if designation.row_id != row["row_id"]:
            diff["row_id"] = [designation.row_id, row["row_id"]]
        kind = change_kind(designation, diff)
        if kind == Change.Kind.REINSTATED and not designation.in_register:
            diff[PRESENCE] = [False, True]
        plan.updated.append((designation, after, kind, diff))
    if trust_presence:
        matched = {d.pk for d in paired.values()}
        plan.vanished = [d for d in designations if d.in_register and d.pk not in matched]
    return plan


def suspicions(plan: Plan, designations: list[Designation]) -> dict[str, str]:
    found = {}
    removed_before = sum(1 for d in designations if d.status == Designation.Status.REMOVED)
    reversals = sum(1 for _, _, kind, _ in plan.updated if kind == Change.Kind.REINSTATED)
    if reversals >= MIN_REVERSALS and reversals >= REVERSAL_SHARE * removed_before:
        found["removed_on"] = (
            f"{reversals} of {removed_before} removed designations would be reinstated at once"
        )
    had, blanked = Counter(), Counter()
    for designation, after, _, _ in plan.updated:
        for name, value in designation.record.items():
            if value is not None and name != "removed_on":
                had[name] += 1
                blanked[name] += after.get(name) is None
    for name, count in blanked.items():
        if count >= MIN_BLANKED and count >= BLANKED_SHARE * had[name]:
            found[name] = f"{count} of {had[name]} rows would lose their {name}"
    present = sum(1 for d in designations if d.in_register)
    if len(plan.vanished) >= MIN_VANISHED and len(plan.vanished) >= VANISHED_SHARE * present:
        found[PRESENCE] = f"{len(plan.vanished)} of {present} rows would vanish at once"
    return found


class SnapshotApplier:
    def __init__(self, register: Register):
        self.register = register
        self.legal_bases = {(b.law_number, b.article): b for b in LegalBasis.objects.all()}

    def apply(self, source: SnapshotFile, on_suspect: str = "stop") -> SnapshotReport:
        report = SnapshotReport(source.path.name, source.as_of, notes=list(source.notes))
        if Snapshot.objects.filter(register=self.register, sha256=source.sha256).exists():
            report.status = "already applied"
            return report
        latest = (
            Snapshot.objects.filter(register=self.register).order_by("as_of", "file_name").last()
        )
        if latest and (latest.as_of, latest.file_name) >= (source.as_of, source.path.name):
            raise ValueError(
                f"{source.path.name}: snapshot of {source.as_of} is not newer than the last one "
                f"applied ({latest.file_name}, {latest.as_of}); history is applied in date order"
            )
        self._resolve_legal_bases(source)
        # One audit event per snapshot, with counts, instead of one per row (docs/audit.md).
        with transaction.atomic(), audit.bulk("register-snapshot") as batch:
            self._apply(source, report, on_suspect)
            batch.describe(
                Snapshot.objects.filter(register=self.register, sha256=source.sha256).first(),
                register=self.register.slug,
                file=source.path.name,
                as_of=source.as_of,
                status=report.status,
                changes=dict(report.counts),
            )
            return report

    def _resolve_legal_bases(self, source: SnapshotFile) -> None:
        """Replace each row's (law, article) by the legal basis code; refuse unknown ones."""
        for number, row in source.rows:
            law = row.get("legal_basis")
            if not law:
                continue
            basis = self.legal_bases.get(tuple(law))
            if basis is None:
                raise ValueError(
                    f"{source.path.name}, row {number}, field 'law': legal basis "
                    f"{' article '.join(reversed(law))} is not in the list of known legal bases"
                )
            row["legal_basis"] = basis.code

    def _apply(self, source, report, on_suspect) -> SnapshotReport:
        designations = list(self.register.designations.all())
        rows = [row for _, row in source.rows]
        paired = Matcher(designations).pair(rows)
        observed = list(source.columns)
        plan = make_plan(designations, paired, rows, observed, trust_presence=True)
        report.suspicions = suspicions(plan, designations) if designations else {}
        if report.suspicions:
            if on_suspect == "stop":
                report.counts = plan.counts()
                report.status = "suspect"
                raise SuspectSnapshot(report)
            if on_suspect == "skip":
                report.status = "skipped"
                self._record_snapshot(source, report, Snapshot.Status.SKIPPED)
                return report
            if on_suspect == "keep-previous":
                observed = [f for f in observed if f not in report.suspicions]
                plan = make_plan(
                    designations,
                    paired,
                    rows,
                    observed,
                    trust_presence=PRESENCE not in report.suspicions,
                )
                report.notes.append(
                    "not recorded, previous values kept: " + ", ".join(report.suspicions)
                )
        snapshot = self._record_snapshot(source, report, Snapshot.Status.APPLIED, observed)
        self._write(snapshot, plan, report)
        return report

    def _record_snapshot(self, source, report, status, observed=None) -> Snapshot:
        return Snapshot.objects.create(
            register=self.register,
            as_of=source.as_of,
            file_name=source.path.name,
            sha256=source.sha256,
            row_count=len(source.rows),
            columns=observed or source.columns,
            status=status,
            report={"notes": report.notes, "suspicions": report.suspicions},
        )

    def _write(self, snapshot: Snapshot, plan: Plan, report: SnapshotReport) -> None:
        writer = EntityWriter(NAME_FORMS.get(self.register.slug, str))
        created = self._create(plan.added, snapshot, writer)
        changes = [
            self._change(snapshot, d, Change.Kind.ADDED, {k: [None, v] for k, v in r.items() if v})
            for d, r in zip(created, plan.added, strict=True)
        ]
        seen = [d.pk for d in created]
        for designation, after, kind, diff in plan.updated:
            seen.append(designation.pk)
            if kind is None and after == designation.record:
                continue
            designation.record = after
            designation.row_id = after["row_id"]
            designation.in_register = True
            for name, value in typed(after).items():
                setattr(designation, name, value)
            self._save(designation)
            if kind is None:  # only fields observed for the first time
                continue
            changes.append(self._change(snapshot, designation, kind, diff))
            writer.update(designation.entity, after, changed=set(diff))
        for designation in plan.vanished:
            designation.in_register = False
            self._save(designation)
            fields = {PRESENCE: [True, False]}
            changes.append(self._change(snapshot, designation, Change.Kind.REMOVED, fields))
        Designation.objects.filter(pk__in=seen).update(last_seen=snapshot)
        Change.objects.bulk_create(changes, batch_size=500)
        through = Designation.snapshots.through
        through.objects.bulk_create(
            [through(designation_id=pk, snapshot_id=snapshot.pk) for pk in seen], batch_size=1000
        )
        report.counts.update(c.kind for c in changes)

    def _save(self, designation: Designation) -> None:
        # One UPDATE per changed row: cheaper than bulk_update's CASE expressions here.
        designation.refresh_status()
        designation.save(
            update_fields=["record", "row_id", "in_register", "status", "legal_basis", *DATE_FIELDS]
        )

    def _change(self, snapshot, designation, kind, fields) -> Change:
        return Change(
            snapshot=snapshot,
            designation=designation,
            kind=kind,
            row_id=designation.row_id,
            fields=fields,
        )

    def _create(self, records: list[dict], snapshot: Snapshot, writer) -> list[Designation]:
        prefix = self.register.entity_prefix
        entities = writer.create(
            [(f"{prefix}-{r['row_id']}", entity_kind(self.register.slug, r), r) for r in records]
        )
        designations = []
        for entity, record in zip(entities, records, strict=True):
            designation = Designation(
                register=self.register,
                entity=entity,
                row_id=record["row_id"],
                record=record,
                first_seen=snapshot,
                last_seen=snapshot,
                **typed(record),
            )
            designation.refresh_status()
            designations.append(designation)
        return Designation.objects.bulk_create(designations, batch_size=500)
