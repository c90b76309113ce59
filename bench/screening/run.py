"""Name-screening benchmark: civwatch, logic-v2 and a rapidfuzz baseline, side by side.

    .venv/bin/pip install -r bench/screening/requirements.txt   # logic-v2 (nomenklatura)
    .venv/bin/python bench/screening/run.py --data /work/shared/bench/names-dev \
        --out bench/out/screening [--pad 1000000] [--baseline-queries 3000]

One run measures every system on the 35k index, then on the same index padded with
synthetic distractors (`--pad 0` skips that; they are written once to OUT/padding-N.jsonl
and read back by every system). Metrics as defined in the benchmark's README
(evaluate.py). Each system runs in its own fresh process, so build time, queries/s,
latency and peak memory are its own. Besides wall-clock time, each system's process CPU
time is reported (`cpu_qps`, `cpu_ms_per_query`, `cpu_p95_ms`, `build_cpu_s`) with the
load average: on a shared machine wall-clock figures depend on the neighbours' load.
logic-v2 runs as ANCHOR.md describes: names latinised with iuliia WIKIPEDIA, ASCII-folded
and lower-cased; rapidfuzz WRatio over all names gives the top 50 entities;
nomenklatura's LogicV2 (default config) scores the query against each. The baselines are
slow, so they answer the first `--baseline-queries` queries (35k) and the first
`--pad-baseline-queries` (padded); civwatch answers all, and is also reported on exactly
the baselines' queries.

civwatch is additionally measured on queries generated in romanisations the dev set lacks
(conventions.py), and on the two halves of the dev queries (tune / check, by a hash of the
qid): tuning looks only at the tune half.
"""

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import resource
import statistics
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from conventions import generated_queries, structure
from evaluate import evaluate, load_jsonl

from civwatch.matching import DEFAULT_THRESHOLD, ScreeningIndex, record_from_ftm
from civwatch.matching.keys import cyrillic_key

# Each system's own default threshold (ANCHOR.md: yente's 0.70 for logic-v2, 0.90 for the
# rapidfuzz baseline).
DEFAULTS = {"civwatch": DEFAULT_THRESHOLD, "logic-v2": 0.70, "rapidfuzz": 0.90}
RETRIEVED = 50  # logic-v2 pipeline: candidates from the WRatio retrieval, as in ANCHOR.md
LIMIT = 10


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reduced(words: Iterable[str]) -> str:
    """A name as the engine hears it, order-free: the strictest sense of "the same name"."""
    return " ".join(sorted(cyrillic_key(w) for w in words))


def synthetic_distractors(entities: list[dict], count: int, seed: int = 1) -> Iterator[dict]:
    """Cyrillic persons recombined from the real surname, given-name and patronymic
    distributions. None equals a real (or earlier synthetic) name in full, without its
    patronymic, or as surname with initials, compared by phonetic key in any word order."""
    triples, dates, taken = [], [], set()
    for entity in entities:
        dates.extend(entity["properties"].get("birthDate", []))
        for name in entity["properties"].get("name", []):
            words = name.split()
            taken.add(_reduced(words))
            parts = structure(name)
            if parts:
                triples.append(parts)
                surname, given, patronymic = parts
                taken.add(_reduced([surname, given]))
                taken.add(_reduced([surname, given[0], patronymic[0]]))
    dated = sum(bool(e["properties"].get("birthDate")) for e in entities) / len(entities)
    rng = random.Random(seed)
    made = 0
    while made < count:
        surname = rng.choice(triples)[0]
        given = rng.choice(triples)[1]
        patronymic = rng.choice(triples)[2]
        reduced = {
            _reduced([surname, given, patronymic]),
            _reduced([surname, given]),
            _reduced([surname, given[0], patronymic[0]]),
        }
        if reduced & taken:
            continue
        taken.update(reduced)
        properties = {"name": [f"{surname} {given} {patronymic}"]}
        if rng.random() < dated:
            properties["birthDate"] = [rng.choice(dates)]
        yield {"id": f"syn-{made:07d}", "schema": "Person", "properties": properties}
        made += 1


def write_padding(data: Path, pad: int, out: Path) -> Path | None:
    """Write the synthetic distractors once, so that every system reads the same ones and no
    system's memory or build time includes generating them."""
    if not pad:
        return None
    path = out / f"padding-{pad}.jsonl"
    if not path.exists():
        entities = load_jsonl(data / "entities.ftm.jsonl")
        with path.open("w", encoding="utf-8") as stream:
            for entity in synthetic_distractors(entities, max(pad - len(entities), 0)):
                stream.write(json.dumps(entity, ensure_ascii=False) + "\n")
    return path


def load_index_entities(data: Path, padding: Path | None) -> Iterator[dict]:
    yield from load_jsonl(data / "entities.ftm.jsonl")
    if padding:
        with padding.open(encoding="utf-8") as lines:
            yield from (json.loads(line) for line in lines)


def run_civwatch(data: Path, padding: Path | None, queries: list[dict]) -> dict:
    start, build_cpu = time.perf_counter(), time.process_time()
    index = ScreeningIndex(record_from_ftm(e) for e in load_index_entities(data, padding))
    build = time.perf_counter() - start
    build_cpu = time.process_time() - build_cpu
    results, latencies = {}, []
    start, cpu_start = time.perf_counter(), time.process_time()
    for query in queries:
        began, began_cpu = time.perf_counter(), time.process_time()
        hits = index.search(record_from_ftm(query), limit=LIMIT)
        latencies.append((time.perf_counter() - began, time.process_time() - began_cpu))
        results[query["qid"]] = [{"id": h.id, "score": h.score} for h in hits]
    return {"results": results, "build_s": build, "build_cpu_s": build_cpu,
            "wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu_start,
            "latencies": latencies, "entities": len(index)}  # fmt: skip


def _ascii_latin(text: str) -> str:
    import iuliia

    latin = iuliia.WIKIPEDIA.translate(text)
    folded = unicodedata.normalize("NFKD", latin)
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


def _latinised_names(
    data: Path, padding: Path | None, keep: bool
) -> tuple[list[str], list[int], list]:
    names, owners, entities = [], [], []
    for number, entity in enumerate(load_index_entities(data, padding)):
        for name in entity["properties"].get("name", []):
            names.append(_ascii_latin(name))
            owners.append(number)
        entities.append(entity if keep else entity["id"])
    return names, owners, entities


def _top_entities(query_name: str, names: list[str], owners: list[int], limit: int) -> list:
    """Entities by their best-scoring name under WRatio, brute force over every name."""
    from rapidfuzz import fuzz, process

    scores = process.cdist([query_name], names, scorer=fuzz.WRatio, dtype="float32")[0]
    best: dict[int, float] = {}
    for position in scores.argsort()[::-1][: limit * 4]:
        owner = owners[position]
        best[owner] = max(best.get(owner, 0.0), float(scores[position]))
    return sorted(best.items(), key=lambda item: -item[1])[:limit]


def run_rapidfuzz(data: Path, padding: Path | None, queries: list[dict]) -> dict:
    start, build_cpu = time.perf_counter(), time.process_time()
    names, owners, ids = _latinised_names(data, padding, keep=False)
    build = time.perf_counter() - start
    build_cpu = time.process_time() - build_cpu
    results, latencies = {}, []
    start, cpu_start = time.perf_counter(), time.process_time()
    for query in queries:
        began, began_cpu = time.perf_counter(), time.process_time()
        text = _ascii_latin(query["properties"]["name"][0])
        ranked = _top_entities(text, names, owners, LIMIT)
        latencies.append((time.perf_counter() - began, time.process_time() - began_cpu))
        results[query["qid"]] = [{"id": ids[n], "score": round(s / 100, 4)} for n, s in ranked]
    return {"results": results, "build_s": build, "build_cpu_s": build_cpu,
            "wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu_start,
            "latencies": latencies, "entities": len(ids)}  # fmt: skip


def run_logic_v2(data: Path, padding: Path | None, queries: list[dict]) -> dict:
    from followthemoney import model
    from nomenklatura.matching import LogicV2

    config = LogicV2.default_config()
    start, build_cpu = time.perf_counter(), time.process_time()
    names, owners, entities = _latinised_names(data, padding, keep=True)
    build = time.perf_counter() - start
    build_cpu = time.process_time() - build_cpu
    results, latencies = {}, []
    start, cpu_start = time.perf_counter(), time.process_time()
    for query in queries:
        began, began_cpu = time.perf_counter(), time.process_time()
        proxy = model.get_proxy({"id": query["qid"], "schema": query.get("schema", "Person"),
                                 "properties": query["properties"]})  # fmt: skip
        text = _ascii_latin(query["properties"]["name"][0])
        scored = []
        for number, _ in _top_entities(text, names, owners, RETRIEVED):
            candidate = model.get_proxy(entities[number])
            scored.append((LogicV2.compare(proxy, candidate, config).score, candidate.id))
        scored.sort(key=lambda item: (-item[0], item[1]))
        latencies.append((time.perf_counter() - began, time.process_time() - began_cpu))
        results[query["qid"]] = [{"id": i, "score": round(s, 4)} for s, i in scored[:LIMIT]]
    return {"results": results, "build_s": build, "build_cpu_s": build_cpu,
            "wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu_start,
            "latencies": latencies, "entities": len(entities)}  # fmt: skip


SYSTEMS = {"civwatch": run_civwatch, "logic-v2": run_logic_v2, "rapidfuzz": run_rapidfuzz}


def _child(system: str, data: Path, padding: Path | None, queries: list[dict], channel) -> None:
    run = SYSTEMS[system](data, padding, queries)
    run["peak_rss_mib"] = peak_rss_mib()
    channel.send(run)


def measured(system: str, data: Path, padding: Path | None, queries: list[dict]) -> dict:
    """Run one system in a fresh process: its memory and timings are its own."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(system, data, padding, queries, sender))
    process.start()
    run = receiver.recv()
    process.join()
    return run


def summary(system: str, run: dict, queries: list[dict]) -> dict:
    latencies = sorted(wall for wall, _ in run["latencies"])
    cpu_latencies = sorted(cpu for _, cpu in run["latencies"])
    return {
        "system": system,
        "entities": run["entities"],
        "build_s": round(run["build_s"], 2),
        "build_cpu_s": round(run["build_cpu_s"], 2),
        "qps": round(len(queries) / run["wall_s"], 1),
        # On a shared machine wall-clock q/s depends on the neighbours' load; CPU time per
        # query is the process's own cost.
        "cpu_qps": round(len(queries) / run["cpu_s"], 1),
        "cpu_ms_per_query": round(run["cpu_s"] / len(queries) * 1000, 3),
        "load_avg": round(os.getloadavg()[0], 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
        "cpu_p95_ms": round(cpu_latencies[int(len(cpu_latencies) * 0.95)] * 1000, 2),
        "peak_rss_mib": round(run["peak_rss_mib"]),
        **evaluate(queries, run["results"]),
        "at_default": {
            k: v
            for k, v in evaluate(queries, run["results"], DEFAULTS[system]).items()
            if k in ("threshold", "recall", "far", "dob_conflict_alert_rate")
        },
    }


def half(query: dict) -> str:
    return "tune" if hashlib.sha256(query["qid"].encode()).digest()[0] % 2 else "check"


def bench_index(
    data: Path, padding: Path | None, queries: list[dict], baseline: int, systems: list
) -> list:
    label = padding.stem if padding else "real index"
    reports = []
    civwatch = measured("civwatch", data, padding, queries)
    reports.append({**summary("civwatch", civwatch, queries), "queries_used": "all"})
    first = queries[:baseline]
    for system in systems:
        print(f"[{label}] {system} on {len(first)} queries", file=sys.stderr)
        run = measured(system, data, padding, first)
        reports.append({**summary(system, run, first), "queries_used": f"first {len(first)}"})
    on_first = {q["qid"]: civwatch["results"][q["qid"]] for q in first}
    reports.append({"system": "civwatch", "queries_used": f"first {len(first)}",
                    **evaluate(first, on_first)})  # fmt: skip
    for part in ("tune", "check"):
        group = [q for q in queries if half(q) == part]
        reports.append({"system": "civwatch", "queries_used": f"dev {part} half",
                        **evaluate(group, civwatch["results"])})  # fmt: skip
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("bench/out/screening"))
    parser.add_argument("--pad", type=int, default=1_000_000, help="0: real index only")
    parser.add_argument("--baseline-queries", type=int, default=3000)
    parser.add_argument("--pad-baseline-queries", type=int, default=300)
    parser.add_argument("--systems", default="logic-v2,rapidfuzz", help="baselines to run")
    args = parser.parse_args()
    queries = load_jsonl(args.data / "queries.jsonl")
    systems = [s for s in args.systems.split(",") if s]
    args.out.mkdir(parents=True, exist_ok=True)

    print("[real index] civwatch, all queries", file=sys.stderr)
    reports = {"real": bench_index(args.data, None, queries, args.baseline_queries, systems)}
    # Conventions the dev set lacks: recall at civwatch's dev operating point (t*).
    generated = generated_queries(load_jsonl(args.data / "entities.ftm.jsonl"))
    run = measured("civwatch", args.data, None, generated)
    threshold = reports["real"][0]["threshold"]
    reports["generated"] = {
        category: round(
            sum(
                bool(hits) and hits[0]["id"] in q["expected"] and hits[0]["score"] >= threshold
                for q in group
                for hits in [run["results"][q["qid"]]]
            )
            / len(group),
            4,
        )
        for category in sorted({q["category"] for q in generated})
        for group in [[q for q in generated if q["category"] == category]]
    }
    if args.pad:
        print(f"[padded to {args.pad:,}]", file=sys.stderr)
        padding = write_padding(args.data, args.pad, args.out)
        reports["padded"] = bench_index(
            args.data, padding, queries, args.pad_baseline_queries, systems
        )
    (args.out / "results.json").write_text(json.dumps(reports, indent=1, ensure_ascii=False))
    for key in ("real", "padded"):
        for report in reports.get(key, []):
            head = {k: v for k, v in report.items() if k != "per_category"}
            print(key, json.dumps(head, ensure_ascii=False))
    print("generated conventions, recall at civwatch's t*:", json.dumps(reports["generated"]))


if __name__ == "__main__":
    main()
