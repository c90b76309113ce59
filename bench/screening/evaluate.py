"""Metrics of the name-screening benchmark, as defined in its README (names-dev/README.md).

python bench/screening/evaluate.py QUERIES.jsonl RESULTS.jsonl [--first N]
"""

import argparse
import json
from collections import Counter
from pathlib import Path


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def evaluate(
    queries: list[dict], results: dict[str, list[dict]], threshold: float | None = None
) -> dict:
    """Metrics at t* (the smallest threshold with FAR <= 1 %), or at a fixed `threshold`."""
    positives = [q for q in queries if q["expected"]]
    negatives = [
        q for q in queries if not q["expected"] and q["category"] != "negative:dob-conflict"
    ]
    conflicts = [q for q in queries if q["category"] == "negative:dob-conflict"]

    def top(q):
        hits = results.get(q["qid"]) or []
        return hits[0] if hits else None

    def best_score(q):
        hits = results.get(q["qid"]) or []
        return max((h["score"] for h in hits), default=float("-inf"))

    thresholds = sorted({h["score"] for hits in results.values() for h in hits} | {float("inf")})
    # Sweep from high to low; FAR and recall only grow as the threshold falls.
    positive_top = [(top(q), set(q["expected"])) for q in positives]
    negative_best = [best_score(q) for q in negatives]
    chosen = float("inf")
    population = len(positives) + len(negatives)
    for t in reversed(thresholds if threshold is None else [threshold]):
        false = sum(s >= t for s in negative_best) + sum(
            1
            for hit, expected in positive_top
            if hit and hit["score"] >= t and hit["id"] not in expected
        )
        if false / population > 0.01 and threshold is None:
            break
        chosen = t

    def recall_at(group, t):
        good = sum(
            1 for q in group if (hit := top(q)) and hit["score"] >= t and hit["id"] in q["expected"]
        )
        return good / len(group) if group else 0.0

    def alert_rate(group, t):
        return sum(best_score(q) >= t for q in group) / len(group) if group else 0.0

    categories = Counter(q["category"] for q in queries)
    per_category = {}
    for category in sorted(categories):
        group = [q for q in queries if q["category"] == category]
        per_category[category] = round(
            alert_rate(group, chosen)
            if category.startswith("negative")
            else recall_at(group, chosen),
            4,
        )
    worst = min(
        (c for c in per_category if c.startswith(("real:", "translit:"))), key=per_category.get
    )
    reciprocal, at_ten = 0.0, 0
    for q in positives:
        ids = [h["id"] for h in results.get(q["qid"]) or []]
        rank = next((i for i, rid in enumerate(ids, 1) if rid in q["expected"]), None)
        reciprocal += 1 / rank if rank else 0
        at_ten += bool(rank and rank <= 10)
    false_total = sum(s >= chosen for s in negative_best) + sum(
        1
        for hit, expected in positive_top
        if hit and hit["score"] >= chosen and hit["id"] not in expected
    )
    return {
        "queries": len(queries),
        "threshold": chosen,
        "recall": round(recall_at(positives, chosen), 4),
        "far": round(false_total / population, 4),
        "worst_category": worst,
        "worst_category_recall": per_category[worst],
        "dob_conflict_alert_rate": round(alert_rate(conflicts, chosen), 4),
        "mrr": round(reciprocal / len(positives), 4),
        "recall_at_10": round(at_ten / len(positives), 4),
        "per_category": per_category,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("queries", type=Path)
    parser.add_argument("results", type=Path)
    parser.add_argument("--first", type=int)
    args = parser.parse_args()
    queries = load_jsonl(args.queries)[: args.first]
    results = {r["qid"]: r["results"] for r in load_jsonl(args.results)}
    print(json.dumps(evaluate(queries, results), indent=1))


if __name__ == "__main__":
    main()
