"""The core's messages speak the interface's language: errors and their hints, importer
warnings, the reasons a coefficient is undefined, a merge's conflicts.

Each is read in English (no Danish word left behind) and in Danish (the text as it was).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from tests.cli.test_agreement_cli import _laptop
from tests.i18n_words import danish_leaks
from trivselkode.analysis.agreement import binary_agreement
from trivselkode.analysis.agreement_counts import NO_VARIATION, reason_text
from trivselkode.analysis.agreement_meaning import few_units
from trivselkode.analysis.attributes import attribution
from trivselkode.analysis.basis import ConsensusState, Selection
from trivselkode.analysis.icr import CodeAgreement
from trivselkode.analysis.methods_text import _fmt
from trivselkode.errors import TrivselError
from trivselkode.i18n import set_language
from trivselkode.importers import parse_file
from trivselkode.importers.encoding import decode_bytes, read_text
from trivselkode.storage.db import open_project
from trivselkode.storage.failures import damaged_refusal
from trivselkode.storage.merge import merge
from trivselkode.storage.models import Code


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    try:
        yield
    finally:
        set_language("da")


@pytest.fixture
def danish() -> Iterator[None]:
    set_language("da")
    yield


def _error(call, *args) -> TrivselError:
    with pytest.raises(TrivselError) as info:
        call(*args)
    return info.value


def _clean(text: str, allowed: frozenset[str] = frozenset()) -> None:
    assert not danish_leaks(text, allowed), (danish_leaks(text, allowed), text)


# --- an import of a file that is not there, or not text ------------------------------------------


def test_unreadable_file_in_english(tmp_path: Path, english: None) -> None:
    err = _error(read_text, tmp_path / "missing.txt")
    assert str(err) == f"{tmp_path / 'missing.txt'}: the file does not exist – check the path"
    binary = _error(decode_bytes, b"\x00\x01\x02\x00" * 64, "data.bin")
    assert "binary file" in binary.message
    _clean(binary.message + " " + (binary.hint or ""))


def test_unreadable_file_in_danish(tmp_path: Path, danish: None) -> None:
    err = _error(read_text, tmp_path / "missing.txt")
    assert str(err) == f"{tmp_path / 'missing.txt'}: filen findes ikke – tjek stien"


def test_a_file_without_a_suffix_is_not_a_source_in_english(tmp_path: Path, english: None) -> None:
    err = _error(parse_file, tmp_path)
    assert "is not supported" in str(err)
    _clean(str(err).replace(str(tmp_path), ""))


# --- importer warnings: unknown speaker labels --------------------------------------------------

TRANSCRIPT = "I: Hej.\nKarl: Ja.\nAnne Marie Holm Jensen: Hej.\nI: Og?\n"


def test_unknown_speaker_warnings_in_english(tmp_path: Path, english: None) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    warnings = parse_file(path).warnings
    assert any(w.startswith("unknown participant 'Karl'") for w in warnings), warnings
    assert any("looks like a speaker label but is not recognised" in w for w in warnings), warnings
    for warning in warnings:
        # The transcript's own words (the labels, the text glued on) are data, not interface.
        _clean(warning.replace(str(path), ""), frozenset({"hej", "og"}))


def test_unknown_speaker_warnings_in_danish(tmp_path: Path, danish: None) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    warnings = parse_file(path).warnings
    assert any(w.startswith("ukendt deltager 'Karl'") and "er oprettet; angiv den under" in w for w in warnings)
    assert any("ligner en taleretiket, men genkendes ikke" in w for w in warnings)


# --- why a coefficient is undefined ---------------------------------------------------------------


def test_undefined_coefficient_reason_in_english(english: None) -> None:
    row = CodeAgreement.of("T1", "Safety", binary_agreement([[0, 0, 0], [0, 0, 0]]))
    assert row.undefined and row.krippendorff_alpha is None
    assert row.undefined["krippendorff_alpha"].startswith("no variation")
    for reason in row.undefined.values():
        _clean(reason)
    _clean(few_units(3))
    assert _fmt(None, "en") == "undefined" and _fmt(0.4156, "en") == "0.42"


def test_undefined_coefficient_reason_in_danish(danish: None) -> None:
    row = CodeAgreement.of("T1", "Tryghed", binary_agreement([[0, 0, 0], [0, 0, 0]]))
    assert row.undefined and row.undefined["krippendorff_alpha"].startswith("ingen variation")
    assert reason_text(NO_VARIATION) == "ingen variation: alle værdier er ens, så den forventede uenighed er 0"
    assert reason_text(NO_VARIATION, "en") == NO_VARIATION  # an explicit language wins
    assert few_units(1) == "kun 1 spænd-enhed (under 10): siger ikke meget"
    assert _fmt(None, "da") == "ikke defineret" and _fmt(0.4156, "da") == "0,42"


# --- a merge's dry run and its refusals ------------------------------------------------------------


def _rename(db: Path, key: str, name: str) -> None:
    project, _settings = open_project(str(db), create=False)
    try:
        with project.write() as s:
            code = s.exec(select(Code).where(Code.key == key)).one()
            code.name = name
            s.add(code)
    finally:
        project.dispose()


def _dry_run(tmp_path: Path) -> tuple[list[str], str]:
    a = _laptop(tmp_path, "a", "anne", [2])
    b = _laptop(tmp_path, "b", "bo", [2, 6])
    _rename(a.db, "T1", "Alpha")
    _rename(b.db, "T1", "Beta")
    project, _settings = open_project(str(a.db), create=False)
    try:
        report = merge(project, str(b.db), dry_run=True)
        refusal = _error(merge, project, str(a.db))
    finally:
        project.dispose()
    return report.conflicts, str(refusal)


def test_merge_dry_run_in_english(tmp_path: Path) -> None:
    set_language("en")
    try:
        conflicts, refusal = _dry_run(tmp_path)
    finally:
        set_language("da")
    assert any("the code T1 is called 'Alpha' here and 'Beta' in the other" in c for c in conflicts), conflicts
    for text in [*conflicts, refusal]:
        _clean(text)


def test_merge_dry_run_in_danish(tmp_path: Path, danish: None) -> None:
    conflicts, refusal = _dry_run(tmp_path)
    assert any("koden T1 hedder 'Alpha' her og 'Beta' i den anden" in c for c in conflicts), conflicts
    assert refusal.startswith("et projekt kan ikke flettes med sig selv")


# --- a refusal's hint (the line that says how to mend it) -------------------------------------------


def test_refusal_hint_in_english(english: None) -> None:
    refusal = damaged_refusal("p.db", "malformed")
    assert refusal.message == "the project p.db is damaged (malformed); nothing was written or exported"
    assert refusal.hint and refusal.hint.startswith("restore the project from a backup")
    _clean(str(refusal))


def test_refusal_hint_in_danish(danish: None) -> None:
    refusal = damaged_refusal("p.db", "malformed")
    assert refusal.message == "projektet p.db er beskadiget (malformed); intet er skrevet eller eksporteret"
    assert refusal.hint and refusal.hint.startswith("gendan projektet fra en sikkerhedskopi")


# --- a report's basis and attribution follow the interface unless a language is asked for -----------


def test_basis_and_attribution_follow_the_interface(english: None) -> None:
    union = Selection("union", (1, 2), ("anne", "bo"))
    state = ConsensusState(("anne", "bo"), disagreements=4, settled=1)
    consensus = Selection("consensus", (1, 2), ("anne", "bo"), state)
    assert union.describe() == "union of anne, bo"
    assert consensus.describe() == "consensus of anne and bo (3 of 4 disagreements are open and count as in the union)"
    assert (
        consensus.describe("da")
        == "konsensus af anne og bo (3 af 4 uenigheder er åbne og tæller som i foreningsmængden)"
    )
    assert attribution({"gender": "kvinde", "age": 67, "site": "Holstebro"}) == "– Woman, 67, Holstebro"
    assert attribution({"gender": "kvinde", "age": 67}, "da") == "– Kvinde, 67 år"


def test_basis_and_attribution_in_danish(danish: None) -> None:
    assert Selection("coder", (1,), ("anne",)).describe() == "koder anne"
    assert attribution({"gender": "kvinde", "age": 67, "site": "Holstebro"}) == "– Kvinde, 67 år, Holstebro"
