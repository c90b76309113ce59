"""Benchmark: the cost of encryption at rest (docs/security.md), on against off.

    .venv/bin/python bench/security/encryption.py --off-src /path/to/checkout-before/src

"Off" is a checkout of civwatch from before encryption at rest (for example
`git worktree add /tmp/civwatch-off <commit before it>`); "on" is this checkout. Each
variant runs in its own process with a fresh SQLite database (or DATABASE_URL, recreated):
migrate, import the bundled register history (timed), create incidents with confidential
participants, evidence and claims, then time pages and API calls in process with Django's
test client (median of --repeat requests after two warm-up requests). Short by design:
about a minute per variant.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INCIDENTS = 100
PARTICIPANTS = 3


def quote(editor, incident, title: str, source: str):
    import datetime

    from civwatch.evidence.ingest import add_evidence

    return add_evidence(
        user=editor, incident=incident, kind="quote", title=title, source=source,
        quoted_text="The officers arrived at nine. " * 10, obtained_how="read online",
        obtained_on=datetime.date(2024, 2, 1), visibility="public", status="published",
    )  # fmt: skip


def child(repeat: int) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civwatch.settings")
    django.setup()
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from civwatch.cases.models import Incident, IncidentType, Participant
    from civwatch.entities.models import Entity
    from civwatch.evidence.ingest import add_claim

    call_command("migrate", verbosity=0)
    data = REPO / "data" / "registers"
    start = time.perf_counter()
    files = sorted((data / "foreign-agents").glob("*.json"))
    with open(os.devnull, "w") as quiet:
        call_command(
            "import", "foreign-agents", *map(str, files), "--suspect", "keep-previous",
            stdout=quiet,
        )  # fmt: skip
    register_import = time.perf_counter() - start

    editor = get_user_model().objects.create_user("bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="editor"))
    kind = IncidentType.objects.get(code="search")
    confidential = any(f.name == "confidential" for f in Entity._meta.get_fields())
    start = time.perf_counter()
    for i in range(INCIDENTS):
        incident = Incident(
            incident_type=kind,
            title=f"Search of the office number {i}",
            description="Officers searched the office and took computers. " * 5,
            place="Moscow",
            date=datetime.date(2024, 1, 1 + i % 28),
            visibility="public" if i % 2 else "internal",
            status="published",
            created_by=editor,
        )
        incident.save_with_history(editor)
        for j in range(PARTICIPANTS):
            person = Entity(id=f"cw-bench-{i}-{j}", kind="person", name=f"Ivanov Ivan {i} {j}")
            if confidential:
                person.confidential = True
            person.index_names([person.name])
            person.save()
            Participant(
                incident=incident, entity=person, role="victim", visibility="public",
                status="published",
            ).save_with_history(editor)  # fmt: skip
        items = [quote(editor, incident, f"Report {i}-{n}", f"Outlet {n}") for n in range(2)]
        add_claim(
            incident=incident, statement="Ivanov was searched.", author=editor,
            citations=[(item, "The officers arrived.") for item in items],
        )  # fmt: skip
    seeding = time.perf_counter() - start

    last = Incident.objects.order_by("-pk").first().pk
    anonymous, staff = Client(), Client()
    staff.force_login(editor)
    targets = {
        "public incident list (page)": (anonymous, reverse("cases:list")),
        "public incident (page)": (anonymous, reverse("cases:incident", args=[last])),
        "incidents API (100)": (anonymous, "/api/cases/incidents?limit=100"),
        "staff incident (page)": (staff, reverse("cases:staff_incident", args=[last])),
        "staff review queue (page)": (staff, reverse("cases:staff_review")),
    }
    latency = {}
    for name, (client, url) in targets.items():
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
        latency[name] = statistics.median(times) * 1000
    return {"register import (s)": register_import, "seeding (s)": seeding, **latency}


def run_variant(src: Path, repeat: int) -> dict:
    home = tempfile.mkdtemp(prefix="civwatch-bench-enc-")
    env = {**os.environ, "PYTHONPATH": str(src), "CIVWATCH_HOME": home}
    env["CIVWATCH_ALLOWED_HOSTS"] = "testserver"  # Django's test client, in process
    env.setdefault("CIVWATCH_MASTER_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    if env.get("DATABASE_URL", "").startswith("postgres"):
        sys.path.insert(0, str(REPO / "bench" / "registers"))
        from import_history import recreate_postgres_database

        recreate_postgres_database(env["DATABASE_URL"])
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--repeat", str(repeat)],
        env=env, capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--off-src", type=Path, help="src/ of a checkout without encryption")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.repeat)))
        return
    if args.off_src is None:
        parser.error("--off-src is required")
    off = run_variant(args.off_src, args.repeat)
    on = run_variant(REPO / "src", args.repeat)
    print("| measure | off | on | change |\n|---|---|---|---|")
    for key in off:
        unit = "s" if "(s)" in key else "ms"
        change = (on[key] / off[key] - 1) * 100
        print(
            f"| {key.replace(' (s)', '')} | {off[key]:.2f} {unit} | {on[key]:.2f} {unit} "
            f"| {change:+.0f}% |"
        )


if __name__ == "__main__":
    main()
