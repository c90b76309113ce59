"""Whether an act falls within each regime of a jurisdiction (the rules are data: regimes.json)."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REGIMES_FILE = Path(__file__).with_name("regimes.json")


@cache
def regimes() -> dict[str, Any]:
    return json.loads(REGIMES_FILE.read_text(encoding="utf-8"))


def jurisdiction(code: str) -> dict[str, Any]:
    return regimes()["jurisdictions"][code]


def act_rights(incident_type: str, chosen: list[str]) -> list[str]:
    """The rights an act touches: as set on the act, else as its incident type implies."""
    return list(chosen) or regimes()["incident_types"].get(incident_type, [])


@dataclass(frozen=True)
class ScopeCheck:
    regime: str
    basis: str
    within: bool
    covered: list[str]  # right codes within scope
    unmet: dict[str, str]  # right code -> condition not (yet) established
    outside: list[str]  # right codes the regime does not cover at all
    text: str


def check(rights: list[str], facts: dict[str, bool], regime: dict[str, Any]) -> ScopeCheck:
    labels, conditions = regimes()["rights"], regimes()["conditions"]
    covered, unmet, outside = [], {}, []
    for right in rights:
        condition = regime["covers"].get(right)
        if condition is None:
            outside.append(right)
        elif condition == "always" or facts.get(condition):
            covered.append(right)
        else:
            unmet[right] = condition

    def named(codes) -> str:
        return "; ".join(labels.get(code, code) for code in codes)

    if covered:
        text = f"WITHIN the scope of the {regime['name']}: {named(covered)}."
    else:
        text = f"OUTSIDE the scope of the {regime['name']}"
        text += f": the act concerns {named(rights)}." if rights else ": no right is recorded."
    if unmet:
        text += " Within scope only if established: " + "; ".join(
            f"{labels.get(right, right)} ({conditions[condition]})"
            for right, condition in unmet.items()
        ) + "."  # fmt: skip
    if outside and covered:
        text += f" Not covered by this regime: {named(outside)}."
    return ScopeCheck(
        regime=regime["name"], basis=regime["basis"], within=bool(covered), covered=covered,
        unmet=unmet, outside=outside, text=text,
    )  # fmt: skip


def check_all(rights: list[str], facts: dict[str, bool], code: str) -> list[ScopeCheck]:
    return [check(rights, facts, regime) for regime in jurisdiction(code)["regimes"]]
