"""`civwatch keys generate|rotate|status`: the master key of encryption at rest.

docs/security.md describes the key hierarchy and the rotation procedure."""

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from civwatch.core import crypto


def evidence_folders() -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [media / "evidence", media / "evidence-previews"]


class Command(BaseCommand):
    help = (
        "Master key of encryption at rest: generate prints a new key (or writes it to "
        "--file), rotate re-wraps every data key under the current key, status counts the "
        "values each key protects."
    )
    requires_system_checks: list = []  # `keys generate` must work before a key exists

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        generate = actions.add_parser("generate", help="print a new master key (base64)")
        generate.add_argument(
            "--file", type=Path, help="write it to this new file (mode 600) instead"
        )
        actions.add_parser(
            "rotate",
            help=f"re-wrap every data key under {crypto.KEY_VARIABLE}, reading with "
            f"{crypto.OLD_KEYS_VARIABLE}",
        )
        actions.add_parser("status", help="the configured keys and what each protects")

    def handle(self, *args, action: str, **options):
        if action == "generate":
            return self.generate(options["file"])
        crypto.reset_keyring()
        try:
            ring = crypto.keyring()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if action == "status":
            usage = crypto.key_usage()
            for kid in ring.keys:
                role = "current" if kid == ring.current_id else "old, for reading"
                self.stdout.write(f"{kid} ({role}): {usage.pop(kid, 0)} values")
            for kid, count in usage.items():
                self.stdout.write(f"{kid} (NOT CONFIGURED: unreadable): {count} values")
            return
        report = crypto.RotationReport()
        try:
            crypto.rotate_values(report)
            crypto.rotate_files(evidence_folders(), report)
            # The per-file keys of exile files (civwatch.exiles.keystore) are wrapped too.
            crypto.rotate_files([Path(settings.CIVWATCH_EXILE_KEYS)], report)
        except crypto.DecryptionError as error:
            raise CommandError(f"{error} Nothing in the database was changed.") from None
        report.indexes = recompute_blind_indexes()
        self.stdout.write(report.describe(ring.current_id))
        old = [kid for kid in ring.keys if kid != ring.current_id]
        if old:
            self.stdout.write(
                f"Old keys {', '.join(old)} now protect nothing: remove them from "
                f"{crypto.OLD_KEYS_VARIABLE}."
            )

    def generate(self, path: Path | None) -> None:
        key = crypto.generate_key()
        if path is None:
            self.stdout.write(key)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{path} exists: a master key is never overwritten.") from None
        except OSError as error:
            raise CommandError(f"Cannot create {path}: {error.strerror}.") from None
        with os.fdopen(fd, "w") as out:
            out.write(key + "\n")
        self.stdout.write(
            f"Wrote a new master key to {path} (key id {crypto.key_id(crypto.parse_key(key, ''))})"
            f". Back it up outside this machine: without it encrypted data is lost."
        )


def recompute_blind_indexes() -> int:
    """Blind indexes are keyed by the current master key: rebuild them after a rotation."""
    from civwatch.entities.models import Entity

    count = 0
    for entity in Entity.objects.filter(confidential=True).prefetch_related("names"):
        entity.index_names([entity.name, *(n.name for n in entity.names.all())])
        Entity.objects.filter(pk=entity.pk).update(name_index=entity.name_index)
        count += 1
    return count
