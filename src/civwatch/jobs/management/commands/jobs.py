"""`civwatch jobs [list|retry ID|recover]`: background jobs from the command line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from civwatch.core.errors import UserError
from civwatch.jobs.models import Job
from civwatch.jobs.recovery import recover_lost_jobs, retry


class Command(BaseCommand):
    help = "List background jobs, retry a failed one, or recover jobs whose worker died."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action")
        listing = actions.add_parser("list", help="the newest jobs (default)")
        listing.add_argument("--status", choices=Job.Status.values)
        listing.add_argument("--limit", type=int, default=50)
        again = actions.add_parser("retry", help="start a failed job again")
        again.add_argument("job_id")
        actions.add_parser("recover", help="retry or fail jobs whose worker died, now")

    def handle(self, *args, action: str | None = None, **options) -> None:
        if action == "retry":
            try:
                job = Job.objects.get(pk=options["job_id"])
            except (Job.DoesNotExist, ValidationError):
                raise CommandError(f"no job {options['job_id']}") from None
            try:
                retry(job)
            except UserError as refusal:
                raise CommandError(str(refusal)) from None
            self.stdout.write(f"{job.pk} queued again (a worker will run it)")
        elif action == "recover":
            outcomes = recover_lost_jobs()
            for job_id, outcome in outcomes.items():
                self.stdout.write(f"{job_id} {outcome}")
            self.stdout.write(f"{len(outcomes)} lost job(s)")
        else:
            self.list_jobs(options.get("status"), options.get("limit") or 50)

    def list_jobs(self, status: str | None, limit: int) -> None:
        jobs = Job.objects.all()
        if status:
            jobs = jobs.filter(status=status)
        for job in jobs[:limit]:
            state = "running, worker lost" if job.worker_lost else job.status
            progress = f"{job.done}/{job.total}" if job.total else "-"
            created = f"{job.created_at:%Y-%m-%d %H:%M}"
            self.stdout.write(
                f"{job.pk}  {job.kind:<18} {state:<22} {progress:>9}  "
                f"attempts {job.attempts}  {created}"
            )
