"""The matching library's own parts of scoped screening: names from FtM name parts, and a
search limited to some records of a shared index (no Django here)."""

from civwatch.matching import ScreeningIndex, record_from_ftm
from civwatch.matching.index import names_from_parts

PEOPLE = [
    {"id": "a", "properties": {"name": ["Бастрыкин Александр Иванович"]}},
    {"id": "b", "properties": {"name": ["BASTRYKIN, Alexander Ivanovich"]}},
    {"id": "c", "properties": {"name": ["Иванов Александр Петрович"]}},
]


def test_a_name_is_built_from_its_parts():
    parts = {"firstName": ["Aleksandr"], "fatherName": ["Ivanovich"], "lastName": ["Bastrykin"]}
    assert names_from_parts(parts) == ["Aleksandr Ivanovich Bastrykin"]
    two = {"firstName": ["Lev"], "lastName": ["Ponomarev", "Ponomaryov"]}
    assert names_from_parts(two) == ["Lev Ponomarev", "Lev Ponomaryov"]
    assert record_from_ftm({"properties": parts}).names == ["Aleksandr Ivanovich Bastrykin"]
    assert names_from_parts({"name": ["x"]}) == []


def test_within_limits_the_search_to_those_records():
    index = ScreeningIndex(record_from_ftm(p) for p in PEOPLE)
    query = record_from_ftm({"properties": {"name": ["Bastrykin Aleksandr"]}})
    assert {r.id for r in index.search(query) if r.match} == {"a", "b"}
    assert [r.id for r in index.search(query, within={1, 2}) if r.match] == ["b"]
    assert index.search(query, within=set()) == []
