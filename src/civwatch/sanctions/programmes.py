"""The kind of regime behind each programme of an official list (the data: programmes.json).

`Magnitsky-type human rights`, `anti-corruption`, `Russia` or `other`: what a lawyer asks
first ("has the UK already acted under a human-rights regime?"), which a programme's own name
("GLOMAG", "Global Human Rights", "JVCFOR") does not say across lists.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

PROGRAMMES_FILE = Path(__file__).with_name("programmes.json")
OTHER = "other"


@cache
def programmes_data() -> dict[str, Any]:
    return json.loads(PROGRAMMES_FILE.read_text(encoding="utf-8"))


def regime_kinds(dataset: str, programme: str) -> tuple[str, ...]:
    """The kinds of regime of a list's programme; ("other",) when the data does not name it."""
    listed = programmes_data()["lists"].get(dataset, {}).get("programmes", {})
    return tuple(listed.get(programme, [OTHER]))


def kind_label(kind: str) -> str:
    return programmes_data()["kinds"].get(kind, kind)
