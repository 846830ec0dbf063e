"""Names and keys of codes made while coding, and where an in-vivo code goes (pure)."""

from __future__ import annotations

from trivselkode.domain.code_naming import NEW_IN_VIVO_GROUP, in_vivo_name, in_vivo_parent, key_for, unique_name
from trivselkode.storage.coding_views import CodeInfo


def test_in_vivo_names_are_the_words_trimmed_and_cut() -> None:
    assert in_vivo_name("  „tryg her,\n ingen dømmer”. ") == "tryg her, ingen dømmer"
    assert in_vivo_name("— … —") == ""
    long = "jeg tror ikke jeg havde klaret den første vinter uden det her sted det må jeg sige"
    name = in_vivo_name(long)
    assert name.endswith("…") and len(name) <= 48 and long.startswith(name[:-1])
    assert not name[:-1].endswith(" ")  # cut at a word


def test_unique_names_and_keys() -> None:
    assert unique_name("Tryg", ["andet"]) == "Tryg"
    assert unique_name("Tryg", ["tryg", "Tryg (2)"]) == "Tryg (3)"
    assert key_for("Ensomhed i alderdommen", "B", ["B"]) == "B.ensomhed-i-alderdommen"
    assert key_for("Ensomhed", None, ["ensomhed", "Ensomhed-2"]) == "ensomhed-3"
    assert key_for("„…”", "IV", []) == "IV.kode"
    key = key_for("meget lange ord der bliver ved og ved og ved", "IV", [])
    assert key == "IV.meget-lange-ord-der" and len(key) <= 3 + 24


def test_where_an_in_vivo_code_goes() -> None:
    codes = [CodeInfo(1, "T1", "Tryghed"), CodeInfo(2, "B", "Behov")]
    assert in_vivo_parent(codes) == NEW_IN_VIVO_GROUP  # none yet: a new group
    codes.append(CodeInfo(3, "IV", "In vivo", kind="in vivo"))
    assert in_vivo_parent(codes) == "IV"  # the group there is
    codes.append(CodeInfo(4, "B.tryg-her", "tryg her", parent_id=2, kind="in vivo"))
    assert in_vivo_parent(codes) == "B"  # beside the newest in-vivo code
    codes.append(CodeInfo(5, "ro", "ro", kind="in vivo"))
    assert in_vivo_parent(codes) == ""  # the top level, where the last one went
