from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from civwatch.core.server import CivwatchServer, server_options


class Command(BaseCommand):
    help = (
        "Serve civwatch over HTTP with gunicorn: CIVWATCH_WORKERS processes of "
        "CIVWATCH_THREADS threads; access log without query strings (docs/operations.md)."
    )
    requires_system_checks = ["staticfiles"]

    def add_arguments(self, parser):
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000", help="HOST:PORT")
        parser.add_argument("--workers", type=int, default=settings.CIVWATCH_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.CIVWATCH_THREADS)
        parser.add_argument(
            "--access-log", metavar="FILE", default="-",
            help="where the access log goes ('-': standard output, 'none': nowhere)",
        )  # fmt: skip
        parser.add_argument("--graceful-timeout", type=int, default=30, metavar="SECONDS")

    def handle(self, *args, address: str, workers: int, threads: int, **options):
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads are at least 1")
        if ":" not in address and not address.startswith("unix:"):
            address = f"127.0.0.1:{address}" if address.isdigit() else f"{address}:8000"
        if settings.STATIC_ROOT and not (Path(settings.STATIC_ROOT) / "staticfiles.json").is_file():
            # Hashed, compressed copies of the static files (settings.STORAGES): collected
            # once per release, not at every start (compressing takes a while).
            raise CommandError(
                f"CIVWATCH_STATIC_ROOT={settings.STATIC_ROOT} holds no collected static files: "
                "run `civwatch collectstatic --noinput` first"
            )
        access_log = None if options["access_log"] == "none" else options["access_log"]
        # The workers open their own connections after the fork.
        connections.close_all()
        CivwatchServer(
            server_options(
                address, workers=workers, threads=threads, access_log=access_log,
                graceful_timeout=options["graceful_timeout"],
            )
        ).run()  # fmt: skip
