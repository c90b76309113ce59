"""Benchmark: requests/s of the web server under load (wrk on loopback, concurrency 32).

    .venv/bin/python bench/serve_load.py                    # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civwatch_bench \
        .venv/bin/python bench/serve_load.py                # PostgreSQL (history imported)
    .venv/bin/python bench/serve_load.py --granian          # also granian (pip install granian)

Imports the bundled register history, then runs each server in turn on the same database
and measures, with `wrk -c 32 -t 2 -d 10s`, the register page, an entity page and
`/api/entities`: Django's development server (`civwatch runserver --noreload`, what
`civwatch serve` was), `civwatch serve` (gunicorn, CIVWATCH_WORKERS x CIVWATCH_THREADS),
and granian when asked. Debugging is off for all of them. Needs wrk (`apt-get install wrk`).
"""

import argparse
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CIVWATCH = [sys.executable, "-m", "civwatch"]
PORT = 8799


def civwatch(env: dict, *args: str) -> str:
    return subprocess.run([*CIVWATCH, *args], env=env, check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def servers(env: dict, granian: bool) -> dict[str, list[str]]:
    address = f"127.0.0.1:{PORT}"
    found = {
        "runserver (dev)": [*CIVWATCH, "runserver", "--noreload", address],
        "civwatch serve (gunicorn)": [*CIVWATCH, "serve", address, "--access-log",
                                      str(Path(env["CIVWATCH_HOME"]) / "access.log")],
    }  # fmt: skip
    if granian:
        workers = env.get("CIVWATCH_WORKERS", "2")
        threads = env.get("CIVWATCH_THREADS", "4")
        found["granian"] = [
            str(Path(sys.executable).with_name("granian")), "--interface", "wsgi",
            "--host", "127.0.0.1", "--port", str(PORT), "--workers", workers,
            "--blocking-threads", threads, "civwatch.wsgi:application",
        ]  # fmt: skip
    return found


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5).read()  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def wrk(url: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p99": p99, "errors": errors + int(non_2xx.group(1) if non_2xx else 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--granian", action="store_true")
    parser.add_argument(
        "--rounds", type=int, default=2,
        help="servers measured in turn this many times, order reversed every other round; "
        "the best round counts (other load on the machine only ever slows a round down)",
    )  # fmt: skip
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    home = Path(tempfile.mkdtemp(prefix="civwatch-serve-bench-"))
    key = os.environ.get("CIVWATCH_SECRET_KEY", "bench-" + "k" * 44)
    env = {
        **os.environ,
        "CIVWATCH_HOME": str(home),
        "CIVWATCH_DEBUG": "",
        "CIVWATCH_SECRET_KEY": key,
    }
    if not env.get("CIVWATCH_MASTER_KEY") and not env.get("CIVWATCH_MASTER_KEY_FILE"):
        # Encryption at rest needs a master key; the bench's own (nothing kept is secret).
        env["CIVWATCH_MASTER_KEY"] = base64.b64encode(os.urandom(32)).decode()
    civwatch(env, "migrate", "--verbosity", "0")
    for register, pattern in (("foreign-agents", "registry-*.json"), ("undesirable", "registry-*")):
        files = sorted(map(str, (REPO / "data/registers" / register).glob(pattern)))
        civwatch(env, "import", register, *files, "--suspect", "keep-previous")
    entity = civwatch(env, "shell", "-c", (
        "from civwatch.entities.models import Entity\n"
        "print(Entity.objects.filter(designations__isnull=False).order_by('pk').first().pk)"
    )).split()[-1]  # fmt: skip
    paths = {"register page": "/", "entity page": f"/entities/{entity}/",
             "/api/entities": "/api/entities"}  # fmt: skip
    database = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    results: dict[str, dict[str, dict]] = {}
    commands = list(servers(env, args.granian).items())
    for round_ in range(args.rounds):
        for name, command in commands if round_ % 2 == 0 else commands[::-1]:
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)  # fmt: skip
            try:
                base = f"http://127.0.0.1:{PORT}"
                wait_until_up(base + "/api/registers", process)
                for label, path in paths.items():
                    for _ in range(5):  # warm every worker's caches
                        urllib.request.urlopen(base + path, timeout=30).read()  # noqa: S310
                    measured = wrk(base + path, args.seconds, args.connections)
                    best = results.setdefault(name, {}).get(label)
                    if best is None or measured["rps"] > best["rps"]:
                        results[name][label] = measured
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
    baseline = results["runserver (dev)"]
    load = os.getloadavg()[0]
    print(f"{database}, wrk -t2 -c{args.connections} -d{args.seconds}s, best of {args.rounds} "
          f"rounds, {time.strftime('%Y-%m-%d %H:%M')}, load average {load:.1f}\n")  # fmt: skip
    print("| server | page | requests/s | p99 | errors | vs runserver |")
    print("|---|---|---|---|---|---|")
    for name, by_page in results.items():
        for label, r in by_page.items():
            ratio = r["rps"] / baseline[label]["rps"]
            print(f"| {name} | {label} | {r['rps']:.1f} | {r['p99']} | {r['errors']} | "
                  f"{ratio:.2f}x |")  # fmt: skip
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
