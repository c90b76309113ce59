"""Name-screening benchmark: civwatch and a rapidfuzz brute-force baseline, side by side.

    .venv/bin/python bench/screening/run.py --data ../shared/bench/names-dev [--pad 1000000]

Metrics as defined in the benchmark's README (evaluate.py). The stored anchor results of
OpenSanctions' logic-v2 (anchor/logicv2.results.jsonl, first 3,000 queries) are evaluated
with the same code; logic-v2 itself is not re-run here (it needs nomenklatura and about
100 s per 3,000 queries: see ANCHOR.md). `--pad N` adds synthetic Cyrillic distractors
recombined from the index's own surname, given-name and patronymic distributions, never
equal to a real name in full, without patronymic, or with initials.
"""

import argparse
import itertools
import json
import random
import resource
import statistics
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from evaluate import evaluate, load_jsonl

from civwatch.matching import ScreeningIndex, record_from_ftm, to_latin


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_distractors(entities: list[dict], count: int, seed: int = 1) -> Iterator[dict]:
    parts = [e["properties"]["name"][0].split() for e in entities]
    triples = [p for p in parts if len(p) == 3]
    surnames = [p[0] for p in triples]
    givens = [p[1] for p in triples]
    patronymics = [p[2] for p in triples]
    taken = set()
    for p in parts:
        taken.add(" ".join(p).casefold())
        if len(p) == 3:
            taken.add(f"{p[0]} {p[1]}".casefold())
            taken.add(f"{p[0]} {p[1][0]} {p[2][0]}".casefold())
    rng = random.Random(seed)
    made = 0
    while made < count:
        surname, given, patronymic = (
            rng.choice(surnames),
            rng.choice(givens),
            rng.choice(patronymics),
        )
        reduced = {
            f"{surname} {given} {patronymic}",
            f"{surname} {given}",
            f"{surname} {given[0]} {patronymic[0]}",
        }
        if {r.casefold() for r in reduced} & taken:
            continue
        taken.update(r.casefold() for r in reduced)
        yield {"id": f"syn-{made:07d}", "schema": "Person",
               "properties": {"name": [f"{surname} {given} {patronymic}"]}}  # fmt: skip
        made += 1


def run_civwatch(entities: Iterable[dict], queries: list[dict]) -> dict:
    start = time.perf_counter()
    index = ScreeningIndex(record_from_ftm(e) for e in entities)
    build = time.perf_counter() - start
    results, latencies = {}, []
    start = time.perf_counter()
    for query in queries:
        began = time.perf_counter()
        hits = index.search(record_from_ftm(query))
        latencies.append(time.perf_counter() - began)
        results[query["qid"]] = [{"id": h.id, "score": h.score} for h in hits]
    wall = time.perf_counter() - start
    return {"results": results, "build_s": build, "wall_s": wall, "latencies": latencies}


def run_rapidfuzz(entities: list[dict], queries: list[dict]) -> dict:
    from rapidfuzz import fuzz, process

    start = time.perf_counter()
    names, owners = [], []
    for entity in entities:
        for name in entity["properties"].get("name", []):
            names.append(to_latin(name).casefold())
            owners.append(entity["id"])
    build = time.perf_counter() - start
    results, latencies = {}, []
    start = time.perf_counter()
    for query in queries:
        began = time.perf_counter()
        text = to_latin(query["properties"]["name"][0]).casefold()
        best: dict[str, float] = {}
        for _, score, position in process.extract(text, names, scorer=fuzz.WRatio, limit=20):
            owner = owners[position]
            best[owner] = max(best.get(owner, 0), score / 100)
        ranked = sorted(best.items(), key=lambda item: -item[1])[:10]
        latencies.append(time.perf_counter() - began)
        results[query["qid"]] = [{"id": i, "score": round(s, 4)} for i, s in ranked]
    wall = time.perf_counter() - start
    return {"results": results, "build_s": build, "wall_s": wall, "latencies": latencies}


def summary(name: str, run: dict, queries: list[dict]) -> dict:
    metrics = evaluate(queries, run["results"])
    latencies = sorted(run["latencies"])
    return {
        "system": name,
        "queries": len(queries),
        "build_s": round(run["build_s"], 2),
        "qps": round(len(queries) / run["wall_s"], 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
        **metrics,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--pad", type=int, default=0, help="pad the index to this many entities")
    parser.add_argument("--baseline-queries", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=Path("bench/out/screening.json"))
    args = parser.parse_args()
    entities = load_jsonl(args.data / "entities.ftm.jsonl")
    queries = load_jsonl(args.data / "queries.jsonl")
    reports = []
    # Distractors are made while indexing, so the benchmark holds only the index in memory.
    padding = synthetic_distractors(entities, max(args.pad - len(entities), 0))
    civwatch = run_civwatch(itertools.chain(entities, padding), queries)
    reports.append(
        {**summary("civwatch", civwatch, queries), "peak_rss_mib": round(peak_rss_mib())}
    )
    first = queries[: args.baseline_queries]
    on_first = {q["qid"]: civwatch["results"][q["qid"]] for q in first}
    reports.append(
        {"system": "civwatch, same queries as the baselines", **evaluate(first, on_first)}
    )
    if not args.pad:
        reports.append(
            summary("rapidfuzz WRatio brute force", run_rapidfuzz(entities, first), first)
        )
        anchor = args.data / "anchor" / "logicv2.results.jsonl"
        if anchor.exists():
            stored = {r["qid"]: r["results"] for r in load_jsonl(anchor)}
            timing = json.loads((args.data / "anchor" / "logicv2.timing.json").read_text())
            metrics = evaluate(first, stored)
            reports.append({"system": "logic-v2 (stored anchor results)", "queries": len(first),
                            "qps": timing.get("queries_per_s"), **metrics})  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(reports, indent=1, ensure_ascii=False))
    for report in reports:
        head = {k: v for k, v in report.items() if k != "per_category"}
        print(json.dumps(head, ensure_ascii=False))
    print(json.dumps({r["system"]: r["per_category"] for r in reports}, indent=1))


if __name__ == "__main__":
    main()
