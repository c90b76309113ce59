"""Typing errors: recall on names-dev queries with typos, two engine versions side by side.

    .venv/bin/python bench/screening/typos.py --data /work/shared/bench/names-dev \
        --before /tmp/civwatch-before/src [--after src] [--repeat 2] [--out bench/out/typos]

The typo set is derived deterministically (seeded RNG) from the benchmark's positive
queries, so it needs no data of its own; no string of names-dev is looked at by hand:

- Latin queries against the Cyrillic index: each positive query's name with a typing
  error in a random word of at least four letters (categories `typo:one-edit` = one
  substitution by a keyboard neighbour, insertion of a neighbour or deletion;
  `typo:two-edits` = two such edits, in one word of at least seven letters or in two words;
  `typo:doubled`, `typo:dropped`, `typo:swapped` = a letter doubled, a letter dropped, two
  neighbouring letters swapped).
- The other direction (`typo-cyr:*`): the Cyrillic name of the query's source entity with
  the same kinds of error, against the same index with every name romanised (ICAO 9303 as
  in Russian passports), and `typo-cyr:none` without error, as the reference.

Expected ids and birth dates are the source query's. Each engine version (a `src`
directory) runs in its own fresh process, alternating, `--repeat` times; speed is the
names-dev queries only (CPU time of the process, and wall clock with the load average), the
best of the repeats. Accuracy: names-dev metrics as evaluate.py defines them; typo recall
at names-dev's t* (the operating point chosen without typos) and at the default 0.70; and
the metrics of names-dev and the Latin typo queries taken together (their own t*).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from evaluate import evaluate, load_jsonl

SEED = 12
PER_KIND = 600
KINDS = ("one-edit", "two-edits", "doubled", "dropped", "swapped")

# Keyboard neighbours (QWERTY, ЙЦУКЕН): a mistyped letter is usually one of these.
LATIN_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
CYRILLIC_ROWS = ["йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"]


def _neighbours(rows: list[str]) -> dict[str, str]:
    near: dict[str, str] = {}
    for r, row in enumerate(rows):
        for c, ch in enumerate(row):
            around = [row[c - 1] if c else "", row[c + 1 : c + 2]]
            for other in (r - 1, r + 1):
                if 0 <= other < len(rows):
                    around.append(rows[other][max(c - 1, 0) : c + 2])
            near[ch] = "".join(around).replace(ch, "")
    return near


NEIGHBOURS = {**_neighbours(LATIN_ROWS), **_neighbours(CYRILLIC_ROWS)}


def _like(letter: str, model: str) -> str:
    return letter.upper() if model.isupper() else letter


def _edit(word: str, kind: str, rng: random.Random) -> str:
    """One typing error of a kind in a word (its first letter included)."""
    if kind == "one-edit":
        kind = rng.choice(["substitute", "insert", "dropped"])
    i = rng.randrange(len(word))
    ch = word[i]
    near = NEIGHBOURS.get(ch.casefold(), "") or ch.casefold()
    if kind == "substitute":
        return word[:i] + _like(rng.choice(near), ch) + word[i + 1 :]
    if kind == "insert":
        return word[: i + 1] + rng.choice(near) + word[i + 1 :]
    if kind == "doubled":
        return word[: i + 1] + ch.casefold() + word[i + 1 :]
    if kind == "dropped":
        return word[:i] + word[i + 1 :]
    if kind == "swapped":
        i = rng.randrange(len(word) - 1)
        pair = word[i + 1] + word[i]
        if word[i].isupper():
            pair = pair[0].upper() + pair[1].casefold()
        return word[:i] + pair + word[i + 2 :]
    raise ValueError(kind)


def with_typo(name: str, kind: str, rng: random.Random) -> str | None:
    words = name.split()
    editable = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not editable:
        return None
    if kind != "two-edits":
        i = rng.choice(editable)
        words[i] = _edit(words[i], kind, rng)
    else:
        first = rng.choice(editable)
        others = [i for i in editable if i != first]
        if len(words[first]) >= 7 and (not others or rng.random() < 0.5):
            second = first
        elif others:
            second = rng.choice(others)
        else:
            return None
        words[first] = _edit(words[first], "one-edit", rng)
        words[second] = _edit(words[second], "one-edit", rng)
    typed = " ".join(words)
    return typed if typed != name else None


def typo_queries(queries: list[dict], entities: dict[str, dict]) -> list[dict]:
    """Latin (`typo:`) and Cyrillic (`typo-cyr:`) queries with typing errors."""
    rng = random.Random(SEED)
    positives = [q for q in queries if q["expected"] and "entity" in q.get("source", {})]
    made = []
    for kind in KINDS:
        for number, query in enumerate(rng.sample(positives, PER_KIND)):
            cyrillic = entities[query["source"]["entity"]]["properties"]["name"][0]
            for prefix, name in (("typo", query["properties"]["name"][0]), ("typo-cyr", cyrillic)):
                typed = with_typo(name, kind, rng)
                if typed is None:
                    continue
                made.append({
                    **query, "qid": f"{prefix}-{kind}-{number:04d}", "category": f"{prefix}:{kind}",
                    "properties": {**query["properties"], "name": [typed]}, "typed_from": name,
                })  # fmt: skip
    for number, query in enumerate(rng.sample(positives, PER_KIND)):
        cyrillic = entities[query["source"]["entity"]]["properties"]["name"][0]
        made.append({**query, "qid": f"typo-cyr-none-{number:04d}", "category": "typo-cyr:none",
                     "properties": {**query["properties"], "name": [cyrillic]}})  # fmt: skip
    return made


def romanised(entity: dict) -> dict:
    from civwatch.matching.translit import romanise

    names = [romanise(n, "icao-9303") for n in entity["properties"].get("name", [])]
    return {**entity, "properties": {**entity["properties"], "name": names}}


def worker(args: argparse.Namespace) -> None:
    """One engine version (the one on PYTHONPATH): results and timings as JSON on stdout."""
    from civwatch.matching import ScreeningIndex, record_from_ftm

    entities = load_jsonl(args.data / "entities.ftm.jsonl")
    jobs = json.loads(args.jobs.read_text(encoding="utf-8"))
    out = {"results": {}}
    for index_kind, queries in jobs.items():
        made = (romanised(e) for e in entities) if index_kind == "latin" else entities
        index = ScreeningIndex(record_from_ftm(e) for e in made)
        timed = index_kind == "cyrillic"
        start, cpu = time.perf_counter(), time.process_time()
        for number, query in enumerate(queries):
            if timed and number == args.timed:
                out["wall_s"] = time.perf_counter() - start
                out["cpu_s"] = time.process_time() - cpu
                out["load"] = os.getloadavg()[0]
            hits = index.search(record_from_ftm(query), limit=10)
            out["results"][query["qid"]] = [{"id": h.id, "score": h.score} for h in hits]
    json.dump(out, sys.stdout)


def run_version(src: Path, args: argparse.Namespace, jobs: Path, timed: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    command = [sys.executable, __file__, "--worker", "--data", str(args.data), "--jobs", str(jobs),
               "--timed", str(timed)]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def recall(queries: list[dict], results: dict, threshold: float) -> float:
    good = sum(
        bool(hits) and hits[0]["id"] in q["expected"] and hits[0]["score"] >= threshold
        for q in queries
        for hits in [results.get(q["qid"]) or []]
    )
    return round(good / len(queries), 4) if queries else 0.0


def report(dev: list[dict], typos: list[dict], run: dict, timed: int) -> dict:
    results = run["results"]
    on_dev = evaluate(dev, results)
    t = on_dev["threshold"]
    latin = [q for q in typos if q["category"].startswith("typo:")]
    together = evaluate(dev + latin, results)
    categories = sorted({q["category"] for q in typos})
    return {
        "qps_cpu": round(timed / run["cpu_s"], 1),
        "qps_wall": round(timed / run["wall_s"], 1),
        "load": round(run["load"], 2),
        "dev": {k: v for k, v in on_dev.items() if k != "per_category"},
        "dev_per_category": on_dev["per_category"],
        "typos_at_dev_t": {
            c: recall([q for q in typos if q["category"] == c], results, t) for c in categories
        },
        "typos_at_0.70": {
            c: recall([q for q in typos if q["category"] == c], results, 0.70) for c in categories
        },
        "together": {k: v for k, v in together.items() if k != "per_category"},
        "together_per_category": together["per_category"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--before", type=Path, help="src directory of the version before")
    parser.add_argument("--after", type=Path, default=Path(__file__).parents[2] / "src")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("bench/out/typos"))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--timed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    dev = load_jsonl(args.data / "queries.jsonl")
    entities = {e["id"]: e for e in load_jsonl(args.data / "entities.ftm.jsonl")}
    typos = typo_queries(dev, entities)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "typo-queries.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in typos), encoding="utf-8"
    )
    jobs = args.out / "jobs.json"
    jobs.write_text(json.dumps({
        "cyrillic": dev + [q for q in typos if q["category"].startswith("typo:")],
        "latin": [q for q in typos if q["category"].startswith("typo-cyr:")],
    }, ensure_ascii=False))  # fmt: skip
    versions = (
        {"before": args.before, "after": args.after} if args.before else {"after": args.after}
    )
    reports: dict[str, list] = {name: [] for name in versions}
    for repeat in range(args.repeat):
        for name, src in versions.items():
            print(f"run {repeat + 1}: {name} ({src})", file=sys.stderr)
            reports[name].append(
                report(dev, typos, run_version(src, args, jobs, len(dev)), len(dev))
            )
    best = {name: max(runs, key=lambda r: r["qps_cpu"]) for name, runs in reports.items()}
    counts = Counter(q["category"] for q in typos)
    summary = {"typo_queries": dict(sorted(counts.items())), "runs": reports, "best": best}
    if args.before:
        summary["ratios_after_over_before"] = {
            "qps_cpu": round(best["after"]["qps_cpu"] / best["before"]["qps_cpu"], 3),
            "qps_wall": round(best["after"]["qps_wall"] / best["before"]["qps_wall"], 3),
            "qps_cpu_per_repeat": [
                round(a["qps_cpu"] / b["qps_cpu"], 3)
                for a, b in zip(reports["after"], reports["before"], strict=True)
            ],
        }
    (args.out / "results.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    print(json.dumps(summary["typo_queries"]))
    for name, run in best.items():
        print(name, json.dumps({k: v for k, v in run.items() if k != "runs"}, ensure_ascii=False))
    if args.before:
        print("ratios", json.dumps(summary["ratios_after_over_before"]))


if __name__ == "__main__":
    main()
