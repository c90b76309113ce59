"""`civwatch import ofac-sdn DIR`, `import acf-list FILE`, `import ftm FILE --dataset NAME`,
`import opensanctions-targets FILE --dataset NAME`, and the same as a background job."""

import datetime
import re
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import CommandError
from tqdm import tqdm

from civwatch.core.errors import UserError
from civwatch.core.subcommands import IMPORTERS, Subcommand
from civwatch.jobs.models import Job
from civwatch.jobs.runner import job_kind
from civwatch.sanctions.acf import read_acf_list
from civwatch.sanctions.canada import read_canada_list
from civwatch.sanctions.eu import read_eu_list
from civwatch.sanctions.ftm import read_ftm, read_targets_simple
from civwatch.sanctions.models import CASES, REGISTERS, Dataset, DatasetVersion, Jurisdiction
from civwatch.sanctions.ofac import read_ofac_directory
from civwatch.sanctions.sources import ParsedDataset, file_sha256
from civwatch.sanctions.uk import read_uk_list
from civwatch.sanctions.writing import DatasetSpec, VersionReport, fingerprint, write_version

OFAC_SDN = DatasetSpec(
    slug="us-ofac-sdn",
    title="OFAC Specially Designated Nationals and Blocked Persons (SDN) list",
    publisher="US Department of the Treasury, Office of Foreign Assets Control",
    source_url="https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
    licence="Public domain (work of the US government)",
    jurisdiction=Jurisdiction.US,
    kind=Dataset.Kind.OFFICIAL,
)
UK_OFSI = DatasetSpec(
    slug="uk-ofsi",
    title="UK Consolidated List of Financial Sanctions Targets",
    publisher="HM Treasury, Office of Financial Sanctions Implementation (OFSI)",
    source_url="https://www.gov.uk/government/publications/financial-sanctions-consolidated-list-of-targets",
    licence="Open Government Licence v3.0",
    jurisdiction=Jurisdiction.UK,
    kind=Dataset.Kind.OFFICIAL,
)
CA_SEMA = DatasetSpec(
    slug="ca-sema",
    title="Consolidated Canadian Autonomous Sanctions List (SEMA and JVCFOA)",
    publisher="Global Affairs Canada",
    source_url="https://www.international.gc.ca/world-monde/international_relations-relations_internationales/sanctions/consolidated-consolide.aspx",
    licence="Open Government Licence - Canada",
    jurisdiction=Jurisdiction.CA,
    kind=Dataset.Kind.OFFICIAL,
)
EU_FSF = DatasetSpec(
    slug="eu-fsf",
    title="EU consolidated list of persons, groups and entities subject to financial sanctions",
    publisher="European Commission (Financial Sanctions Files, FSF)",
    source_url="https://data.europa.eu/data/datasets/consolidated-list-of-persons-groups-and-entities-subject-to-eu-financial-sanctions",
    licence="European Commission reuse policy (Decision 2011/833/EU)",
    jurisdiction=Jurisdiction.EU,
    kind=Dataset.Kind.OFFICIAL,
)
ACF_LIST = DatasetSpec(
    slug="acf-list",
    title="Anti-Corruption Foundation: list of bribetakers and warmongers (2022)",
    publisher="Anti-Corruption Foundation (FBK)",
    source_url="https://github.com/sahanmar/451",
    licence="Published by the ACF for public use; no licence stated",
    kind=Dataset.Kind.EXTERNAL,
)
# Side names of cross-referencing that are not datasets (civwatch.sanctions.xref).
RESERVED_SLUGS = {REGISTERS, CASES, "staff"}  # "staff" is a URL of the pages
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

READERS: dict[str, Callable[[Path], ParsedDataset]] = {
    "ofac-sdn": read_ofac_directory,
    "acf-list": read_acf_list,
    "uk-ofsi": read_uk_list,
    "ca-sema": read_canada_list,
    "eu-fsf": read_eu_list,
    "ftm": read_ftm,
    "opensanctions-targets": read_targets_simple,
}
FIXED_SPECS = {
    "ofac-sdn": OFAC_SDN,
    "acf-list": ACF_LIST,
    "uk-ofsi": UK_OFSI,
    "ca-sema": CA_SEMA,
    "eu-fsf": EU_FSF,
}


def dataset_spec(source: str, options: dict) -> DatasetSpec:
    if source in FIXED_SPECS:
        return FIXED_SPECS[source]
    slug = options["dataset"]
    if not SLUG.match(slug or "") or slug in RESERVED_SLUGS:
        raise UserError(
            f"--dataset {slug!r}: use lower-case letters, digits, - and _ (at most 40), "
            f"not {' or '.join(sorted(RESERVED_SLUGS))}"
        )
    jurisdiction = options.get("jurisdiction") or ""
    return DatasetSpec(
        slug=slug,
        title=options.get("title") or slug,
        publisher=options.get("publisher") or "",
        source_url=options.get("source_url") or "",
        licence=options.get("licence") or "",
        jurisdiction=jurisdiction,
        kind=options.get("kind") or (Dataset.Kind.OFFICIAL if jurisdiction else "external"),
    )


def source_files(source: str, path: Path) -> list[Path]:
    if source == "ofac-sdn":
        return [
            path / f"{name}.csv"
            for name in ("sdn", "alt", "add")
            if (path / name).with_suffix(".csv").is_file()
        ]
    return [path]


def already_imported(slug: str, paths: list[Path]) -> bool:
    """The same files were imported before: a no-op, decided without parsing them."""
    if not paths or not all(p.is_file() for p in paths):
        return False  # the reader reports what is missing
    files = {p.name: file_sha256(p) for p in paths}
    return DatasetVersion.objects.filter(dataset=slug, fingerprint=fingerprint(files)).exists()


def import_dataset(
    source: str,
    path: Path,
    options: dict,
    on_start: Callable[[int], None] = lambda total: None,
    on_progress: Callable[[int], None] = lambda done: None,
) -> VersionReport:
    """Read everything first (a bad file writes nothing), then write one version."""
    spec = dataset_spec(source, options)
    if already_imported(spec.slug, source_files(source, path)):
        return VersionReport(spec.slug, None)
    parsed = READERS[source](path)
    on_start(len(parsed.entries))
    return write_version(spec, parsed, options.get("as_of") or parsed.source_date, on_progress)


def add_arguments(source: str) -> Callable:
    def add(parser) -> None:
        parser.add_argument("path", type=Path, metavar="DIR" if source == "ofac-sdn" else "FILE")
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="date of the list as published (kept with the version)",
        )
        if source in FIXED_SPECS:
            return
        parser.add_argument("--dataset", required=True, metavar="NAME", help="dataset slug")
        parser.add_argument("--title")
        parser.add_argument("--publisher")
        parser.add_argument("--source-url")
        parser.add_argument("--licence")
        parser.add_argument("--jurisdiction", choices=Jurisdiction.values)
        parser.add_argument(
            "--kind",
            choices=Dataset.Kind.values,
            help="official sanctions list or external list (default: official when "
            "--jurisdiction is given)",
        )

    return add


def run_from_command_line(source: str, options: dict, command) -> None:
    progress = tqdm(desc=source, unit="entry", disable=None)
    try:
        report = import_dataset(
            source,
            options["path"],
            options,
            on_start=lambda total: progress.reset(total),
            on_progress=progress.update,
        )
    except UserError as error:
        raise CommandError(str(error)) from None
    finally:
        progress.close()
    command.stdout.write(report.describe())


@job_kind("sanctions-import", idempotent=True)
def import_job(job: Job, source: str, path: str, options: dict) -> None:
    options = {
        **options,
        "as_of": options.get("as_of") and datetime.date.fromisoformat(options["as_of"]),
    }
    report = import_dataset(
        source, Path(path), options, on_start=job.start, on_progress=lambda n: job.advance(steps=n)
    )
    job.advance(report.describe(), steps=0)


HELP = {
    "ofac-sdn": "Import the OFAC SDN list from a directory holding sdn.csv, alt.csv and add.csv.",
    "acf-list": "Import the Anti-Corruption Foundation's list (CSV).",
    "uk-ofsi": "Import the UK consolidated list (OFSI ConList.xlsx or ConList.csv).",
    "ca-sema": "Import Canada's consolidated autonomous sanctions list (sema-lema.xml).",
    "eu-fsf": "Import the EU consolidated financial sanctions list (FSF XML or CSV 1.1).",
    "ftm": "Import FollowTheMoney JSON lines as the dataset --dataset NAME.",
    "opensanctions-targets": "Import an OpenSanctions targets.simple.csv as --dataset NAME.",
}
for name in READERS:
    IMPORTERS[name] = Subcommand(
        name=name,
        help=HELP[name],
        add_arguments=add_arguments(name),
        run=lambda options, command, name=name: run_from_command_line(name, options, command),
    )
