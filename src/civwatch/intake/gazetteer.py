"""The known people and organisations, as the matching library's index, for intake.

Built from FollowTheMoney-shaped entities (the form every entity has in civwatch). An
organisation is also known by the name proper inside its quotation marks (the register's
"Межрегиональная общественная организация Правозащитный Центр «Мемориал»" is written
«Мемориал» in the press): the matching library's index adds those names itself.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from civwatch.matching import Record, ScreeningIndex, record_from_ftm


@dataclass
class Gazetteer:
    index: ScreeningIndex
    captions: dict[str, str] = field(default_factory=dict)
    # Lower is preferred when two entities fit a name equally: 0 for an entity a register
    # designates in its own right, 1 for one known only as a member or from case records.
    ranks: dict[str, int] = field(default_factory=dict)

    def record(self, number: int) -> Record:
        return self.index.records[number]


def build_gazetteer(entities: Iterable[dict]) -> Gazetteer:
    records, captions, ranks = [], {}, {}
    for data in entities:
        names = (data.get("properties") or {}).get("name", [])
        record = record_from_ftm(data)
        if record.names:
            records.append(record)
            captions[record.id] = (data.get("caption") or (names or record.names)[0]).strip()
            ranks[record.id] = data.get("rank", 0)
    return Gazetteer(index=ScreeningIndex(records), captions=captions, ranks=ranks)
