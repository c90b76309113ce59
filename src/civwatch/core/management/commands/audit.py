"""`civwatch audit verify|checkpoint|keygen|baseline`: the tamper-evident log (docs/audit.md)."""

import json
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civwatch.core import audit
from civwatch.core.errors import UserError


class Command(BaseCommand):
    help = "Check and anchor the audit log: verify, checkpoint, keygen, baseline."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = sub.add_parser(
            "verify",
            help="recompute the chain and every documented record's digest; exit 1 on a mismatch",
        )
        verify.add_argument(
            "--checkpoint", type=Path, metavar="FILE", help="also check against this checkpoint"
        )
        verify.add_argument(
            "--public-key",
            default="",
            metavar="KEY",
            help="trusted public key (base64 or hex); default CIVWATCH_AUDIT_PUBLIC_KEY or the "
            "public half of CIVWATCH_AUDIT_SIGNING_KEY",
        )
        checkpoint = sub.add_parser(
            "checkpoint", help="write a signed checkpoint of the last event (keep it elsewhere)"
        )
        checkpoint.add_argument("--output", type=Path, required=True, metavar="FILE")
        sub.add_parser("keygen", help="print a new Ed25519 key pair for checkpoints")
        sub.add_parser(
            "baseline",
            help="record the digest of documented records written before the audit log existed",
        )

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"do_{action}")(**options)
        except UserError as error:
            raise CommandError(str(error)) from None

    def do_verify(self, checkpoint: Path | None, public_key: str, **options) -> None:
        payload = None
        if checkpoint is not None:
            try:
                data = json.loads(checkpoint.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                raise UserError(f"{checkpoint}: cannot read the checkpoint ({error})") from None
            payload = audit.check_checkpoint(data, audit.trusted_public_key(public_key))
        result = audit.verify(payload)
        for problem in result.problems:
            self.stderr.write(problem.message)
        summary = (
            f"{result.events} events (last #{result.last_seq}), {result.records} documented records"
        )
        if payload is not None:
            summary += f", checkpoint at event #{payload['seq']}"
        if not result.ok:
            self.stderr.write(f"audit log NOT intact: {len(result.problems)} problem(s); {summary}")
            sys.exit(1)
        self.stdout.write(f"audit log intact: {summary}")

    def do_checkpoint(self, output: Path, **options) -> None:
        data = audit.make_checkpoint(audit.signing_key())
        text = json.dumps(data, indent=2) + "\n"
        temporary = output.with_name(output.name + ".part")
        try:
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, output)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise UserError(f"{output}: cannot write: {error.strerror}") from None
        self.stdout.write(f"checkpoint at event #{data['seq']} written to {output}")

    def do_keygen(self, **options) -> None:
        private, public = audit.keygen()
        self.stdout.write(f"CIVWATCH_AUDIT_SIGNING_KEY={private}")
        self.stdout.write(f"CIVWATCH_AUDIT_PUBLIC_KEY={public}")

    def do_baseline(self, **options) -> None:
        count = audit.baseline()
        self.stdout.write(f"{count} documented records recorded")
