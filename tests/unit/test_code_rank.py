"""The code pickers' ranking (core, no UI): what the user typed the start of comes first."""

from __future__ import annotations

from trivselkode.analysis.code_rank import names_a_code, rank_choices, rank_codes
from trivselkode.storage.coding_views import CodeInfo

CODES = [
    CodeInfo(1, "T1", "Biblioteket som et psykologisk tryghedssystem", shortcut="1"),
    CodeInfo(2, "T3", "Stille social resonans", shortcut="3"),
    CodeInfo(3, "T4", "Personalet som regulerende varme", shortcut="4"),
    CodeInfo(4, "B", "Behov"),
    CodeInfo(5, "B.social", "Sociale behov", parent_id=4, shortcut="b"),
    CodeInfo(6, "B.sikkerhed", "Sikkerhedsbehov", parent_id=4, shortcut="h"),
    CodeInfo(7, "B.vaekst", "Vækst og læring", parent_id=4, shortcut="v"),
]


def keys(query: str) -> list[str]:
    return [c.key for c in rank_codes(query, CODES)]


def test_the_start_of_a_key_beats_a_word_inside_another_name() -> None:
    assert keys("soc")[:2] == ["B.social", "T3"]  # B.social's key part, then T3's "social resonans"
    assert keys("social")[:2] == ["B.social", "T3"]


def test_whole_key_and_shortcut_come_first() -> None:
    assert keys("b")[0] == "B"  # the whole key B (before B.social, whose shortcut is b)
    assert keys("h")[0] == "B.sikkerhed"  # a shortcut
    assert keys("4")[0] == "T4"
    assert keys("t4")[0] == "T4"


def test_name_start_then_word_start_then_anywhere_then_typos() -> None:
    assert keys("sikker")[0] == "B.sikkerhed"  # key part and name start
    assert keys("reso")[0] == "T3"  # the start of a word of the name
    assert keys("ærin")[0] == "B.vaekst"  # inside a word
    assert keys("persnalet")[0] == "T4"  # a typo
    assert keys("") == [c.key for c in CODES]  # no query: all, in order


def test_rank_choices_keeps_order_within_a_tier() -> None:
    choices = [("B.a", "Alfa"), ("B.b", "Beta"), ("C", "Alfabet")]
    assert [c.key for c in rank_choices("alf", choices)] == ["B.a", "C"]


def test_names_a_code_means_nothing_new_to_make() -> None:
    assert names_a_code("b.social", CODES)
    assert names_a_code("  stille  social resonans ", CODES)
    assert not names_a_code("social", CODES)
