"""Organisations across languages: civwatch next to OpenSanctions' logic-v2 on the same
queries (bench/orgs/build.py describes the set).

    .venv/bin/pip install -r bench/screening/requirements.txt   # logic-v2 (nomenklatura)
    PYTHONPATH=src .venv/bin/python bench/orgs/run.py [--systems civwatch,logic-v2]

Each query is an Organization with one name; each system returns its 10 best entities with
scores. A positive query is found at threshold t when one of its expected entities scores
at least t; a negative query alerts at t when anything does. Reported per system: recall
(all positives and per category) at the system's default threshold (0.70 for both, yente's
for logic-v2) and at t*, the lowest threshold with at most 1 % of negative queries alerting;
the false-alert rate at each; and "wrong first", the share of positive queries whose best
hit at the default threshold is not an expected entity. logic-v2 runs as in
bench/screening/run.py: names latinised (iuliia WIKIPEDIA), rapidfuzz WRatio retrieval of 50
entities, nomenklatura's LogicV2 (default config) scores each.
"""

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

from civwatch.matching import DEFAULT_THRESHOLD, ScreeningIndex, record_from_ftm

HERE = Path(__file__).parent
# logic-v2 exactly as the person benchmark runs it (its latinisation and retrieval).
sys.path.insert(0, str(HERE.parent / "screening"))
_spec = importlib.util.spec_from_file_location("screening_run", HERE.parent / "screening/run.py")
screening = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(screening)

LIMIT = 10
DEFAULTS = {"civwatch": DEFAULT_THRESHOLD, "logic-v2": 0.70}
MAX_FAR = 0.01


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def as_ftm(query: dict) -> dict:
    return {"id": query["qid"], "schema": "Organization", "properties": {"name": [query["name"]]}}


def run_civwatch(entities: list[dict], queries: list[dict]) -> dict:
    index = ScreeningIndex(record_from_ftm(e) for e in entities)
    results = {}
    for query in queries:
        hits = index.search(record_from_ftm(as_ftm(query)), limit=LIMIT)
        results[query["qid"]] = [(h.id, h.score) for h in hits]
    return results


def run_logic_v2(entities: list[dict], queries: list[dict]) -> dict:
    from followthemoney import model
    from nomenklatura.matching import LogicV2

    config = LogicV2.default_config()
    names, owners = [], []
    for number, data in enumerate(entities):
        for prop in ("name", "alias"):
            for name in data["properties"].get(prop, []):
                names.append(screening._ascii_latin(name))
                owners.append(number)
    results = {}
    for query in queries:
        proxy = model.get_proxy(as_ftm(query))
        scored = []
        for number, _ in screening._top_entities(
            screening._ascii_latin(query["name"]), names, owners, screening.RETRIEVED
        ):
            candidate = model.get_proxy(entities[number])
            scored.append((LogicV2.compare(proxy, candidate, config).score, candidate.id))
        scored.sort(key=lambda item: (-item[0], item[1]))
        results[query["qid"]] = [(i, round(s, 4)) for s, i in scored[:LIMIT]]
    return results


def found(query: dict, hits: list, threshold: float) -> bool:
    return any(i in query["expected"] and s >= threshold for i, s in hits)


def alerts(hits: list, threshold: float) -> bool:
    return any(s >= threshold for _, s in hits)


def evaluate(queries: list[dict], results: dict, default: float) -> dict:
    positives = [q for q in queries if q["expected"]]
    negatives = [q for q in queries if not q["expected"]]
    thresholds = sorted({s for hits in results.values() for _, s in hits} | {1.01})

    def far(t: float) -> float:
        return sum(alerts(results[q["qid"]], t) for q in negatives) / len(negatives)

    t_star = next(t for t in thresholds if far(t) <= MAX_FAR)
    report = {}
    for label, t in (("default", default), ("far1", t_star)):
        by_category: dict[str, list[bool]] = {}
        for q in positives:
            by_category.setdefault(q["category"], []).append(found(q, results[q["qid"]], t))
        wrong_first = sum(
            bool(results[q["qid"]]) and results[q["qid"]][0][1] >= t
            and results[q["qid"]][0][0] not in q["expected"]
            for q in positives
        )  # fmt: skip
        report[label] = {
            "threshold": round(t, 4),
            "recall": round(sum(sum(v) for v in by_category.values()) / len(positives), 4),
            "far": round(far(t), 4),
            "wrong_first": round(wrong_first / len(positives), 4),
            "categories": {c: (round(sum(v) / len(v), 4), len(v)) for c, v in by_category.items()},
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--systems", default="civwatch,logic-v2")
    parser.add_argument("--out", type=Path, help="write each system's hits here (JSON)")
    parser.add_argument("--misses", action="store_true", help="list civwatch's misses")
    args = parser.parse_args()
    entities, queries = load(HERE / "index.jsonl"), load(HERE / "queries.jsonl")
    positive = sum(bool(q["expected"]) for q in queries)
    load_average = os.getloadavg()[0]
    print(
        f"{len(entities)} entities, {len(queries)} queries ({positive} positive);",
        f"load {load_average:.2f}",
    )
    outputs = {}
    for system in args.systems.split(","):
        began, began_cpu = time.perf_counter(), time.process_time()
        results = (run_civwatch if system == "civwatch" else run_logic_v2)(entities, queries)
        wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        outputs[system] = results
        report = evaluate(queries, results, DEFAULTS[system])
        print(json.dumps({"system": system, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                          **report}, ensure_ascii=False))  # fmt: skip
        if args.misses and system == "civwatch":
            t = DEFAULTS[system]
            for q in queries:
                hits = results[q["qid"]]
                if q["expected"] and not found(q, hits, t) and q["category"] != "sanctions":
                    print("  miss", q["category"], q["name"], hits[:2])
                if not q["expected"] and alerts(hits, t):
                    print("  alert", q["name"], hits[:2])
    if args.out:
        args.out.write_text(json.dumps(outputs, ensure_ascii=False))


if __name__ == "__main__":
    main()
