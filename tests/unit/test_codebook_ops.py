"""Editing the codebook in the project: every operation, every bad input, and the YAML round trip."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.unit.test_search import make_corpus
from trivselkode.config import bundled_codebook
from trivselkode.domain.codebook import RESERVED_SHORTCUTS, dump_codebook, load_codebook_file, validate_codebook_text
from trivselkode.errors import NotFound, TrivselError
from trivselkode.storage import codebook_ops as ops
from trivselkode.storage.codebook import codebook_of_project, load_codebook
from trivselkode.storage.codings import CodingRef, add_coding
from trivselkode.storage.models import Code, Coder, Coding, Memo, Passage, Source, UnplacedCoding


def codes(project) -> dict[str, Code]:
    with project.read() as session:
        return {c.key: c for c in session.exec(select(Code).order_by(Code.position, Code.id))}


def key_of(project, code_id: int | None) -> str | None:
    return next((k for k, c in codes(project).items() if c.id == code_id), None) if code_id else None


def snapshot(project) -> list[tuple]:
    """Everything a failed operation must leave untouched."""
    with project.read() as session:
        rows = [
            (
                c.key,
                c.name,
                c.parent_id,
                c.kind,
                c.color,
                c.shortcut,
                c.position,
                c.retired,
                c.description,
                tuple(c.keywords),
            )
            for c in session.exec(select(Code).order_by(Code.id))
        ]
        rows += [
            (c.passage_id, c.code_id, c.coder_id, c.start, c.end, c.memo)
            for c in session.exec(select(Coding).order_by(Coding.id))
        ]
    return rows


def assert_exports_and_validates(project) -> None:
    text = dump_codebook(codebook_of_project(project))
    book, problems = validate_codebook_text(text, "export.yaml")
    assert problems == [], [str(p) for p in problems]
    assert book is not None
    assert len(book.codes) == sum(1 for c in codes(project).values() if not c.retired)


@pytest.fixture
def proj(project):
    make_corpus(project)
    return project


def code_passage(proj, number: int, code: str, coder: str = "ab", source: str = "holstebro-1", **kw) -> None:
    add_coding(proj, CodingRef(source=source, passage=number, code=code, coder=coder, **kw))


# -------------------------------------------------------------------- add


def test_add_code(proj):
    ops.add_code(proj, "T8", "Biblioteket som mødested", kind="tema", color="#ABC", shortcut="8", description="Ny kode")
    ops.add_code(proj, "B.leg", "Leg", parent="B", keywords=["leg", " spil ", "leg"])
    got = codes(proj)
    assert got["T8"].color == "#aabbcc" and got["T8"].shortcut == "8" and got["T8"].kind == "tema"
    assert got["T8"].description == "Ny kode"
    assert key_of(proj, got["B.leg"].parent_id) == "B"
    assert got["B.leg"].keywords == ["leg", "spil"]
    # Placed after its siblings, parents before children.
    order = [k for k, _ in sorted(((k, c.position) for k, c in got.items()), key=lambda kv: kv[1])]
    assert order.index("B") < order.index("B.social") < order.index("B.leg")
    assert_exports_and_validates(proj)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"key": "T1", "name": "Dublet"}, "bruges allerede"),
        ({"key": "", "name": "Uden nøgle"}, "mangler en nøgle"),
        ({"key": "T 9", "name": "Mellemrum"}, "ugyldig nøgle"),
        ({"key": "T9", "name": "  "}, "mangler et navn"),
        ({"key": "T9", "name": "To\nlinjer"}, "én linje"),
        ({"key": "T9", "name": "Farve", "color": "grøn"}, "ugyldig farve"),
        ({"key": "T9", "name": "Farve", "color": "#12345"}, "ugyldig farve"),
        ({"key": "T9", "name": "Genvej", "shortcut": "1"}, "bruges allerede af T1"),
        ({"key": "T9", "name": "Genvej", "shortcut": "ab"}, "ikke ét tegn"),
        ({"key": "T9", "name": "Genvej", "shortcut": " "}, "reserveret"),
        ({"key": "T9", "name": "Forælder", "parent": "T99"}, "findes ikke"),
    ],
)
def test_add_code_refuses_bad_input(proj, kwargs, fragment):
    before = snapshot(proj)
    kwargs = dict(kwargs)  # the parameters are shared by both back ends
    key, name = kwargs.pop("key"), kwargs.pop("name")
    with pytest.raises(TrivselError) as err:
        ops.add_code(proj, key, name, **kwargs)
    assert fragment in str(err.value)
    assert err.value.hint
    assert snapshot(proj) == before


@pytest.mark.parametrize("reserved", sorted(k for k in RESERVED_SHORTCUTS if len(k) == 1))
def test_reserved_shortcuts_are_refused(proj, reserved):
    with pytest.raises(TrivselError, match="reserveret"):
        ops.add_code(proj, "T9", "Reserveret", shortcut=reserved)
    with pytest.raises(TrivselError, match="reserveret"):
        ops.set_code_shortcut(proj, "T2", reserved)
    assert "T9" not in codes(proj) and codes(proj)["T2"].shortcut == "2"


def test_add_under_retired_parent_is_refused(proj):
    ops.retire_code(proj, "B")
    with pytest.raises(TrivselError, match="udgået"):
        ops.add_code(proj, "B.ny", "Ny", parent="B")


# ---------------------------------------------------------- rename / colour / shortcut / details


def test_rename(proj):
    assert ops.rename_code(proj, "T2", "  Rum til mental ro ") == "Mental ro"
    assert codes(proj)["T2"].name == "Rum til mental ro"
    with pytest.raises(TrivselError, match="mangler et navn"):
        ops.rename_code(proj, "T2", "")
    with pytest.raises(NotFound, match="T7"):
        ops.rename_code(proj, "T7", "Findes ikke")
    assert codes(proj)["T2"].name == "Rum til mental ro"
    assert_exports_and_validates(proj)


def test_colour(proj):
    assert ops.set_code_color(proj, "T1", " #F0A ") == "#ff00aa"
    assert codes(proj)["T1"].color == "#ff00aa"
    for bad in ("#ggg", "red", "#1234567", "ff00aa"):
        with pytest.raises(TrivselError, match="ugyldig farve"):
            ops.set_code_color(proj, "T1", bad)
    assert codes(proj)["T1"].color == "#ff00aa"
    assert ops.set_code_color(proj, "T1", "") is None
    assert codes(proj)["T1"].color is None
    assert_exports_and_validates(proj)


def test_shortcut(proj):
    assert ops.set_code_shortcut(proj, "T2", "2") == "2"  # its own shortcut again is fine
    assert ops.set_code_shortcut(proj, "T2", "9") == "9"
    with pytest.raises(TrivselError, match="bruges allerede af T1"):
        ops.set_code_shortcut(proj, "T2", "1")
    with pytest.raises(TrivselError, match="ikke ét tegn"):
        ops.set_code_shortcut(proj, "T2", "10")
    assert codes(proj)["T2"].shortcut == "9"
    assert ops.set_code_shortcut(proj, "T2", None) is None
    assert ops.set_code_shortcut(proj, "T1", "2") == "2"  # freed, so free to take
    assert_exports_and_validates(proj)


def test_details(proj):
    changed = ops.update_code_details(
        proj,
        "T1",
        description=" Tryghed.\nAnden linje ",
        include="Når nogen føler sig tryg",
        keywords=["tryg", "tryghed"],
    )
    assert changed == ["description", "include", "keywords"]
    got = codes(proj)["T1"]
    assert got.description == "Tryghed.\nAnden linje" and got.include == "Når nogen føler sig tryg"
    assert got.exclude == "" and got.keywords == ["tryg", "tryghed"]
    assert ops.update_code_details(proj, "T1", keywords=["tryg", "tryghed"]) == []
    with pytest.raises(TrivselError, match="liste"):
        ops.update_code_details(proj, "T1", keywords="tryg")
    assert_exports_and_validates(proj)


# -------------------------------------------------------------------- move


def test_move(proj):
    assert ops.move_code(proj, "T2", "T1")
    assert key_of(proj, codes(proj)["T2"].parent_id) == "T1"
    assert not ops.move_code(proj, "T2", "T1")
    assert ops.move_code(proj, "T2", None)
    assert codes(proj)["T2"].parent_id is None
    assert_exports_and_validates(proj)


def test_move_refuses_cycles_and_unknown_parents(proj):
    ops.move_code(proj, "T2", "T1")
    before = snapshot(proj)
    with pytest.raises(TrivselError, match="løkke"):
        ops.move_code(proj, "T1", "T2")
    with pytest.raises(TrivselError, match="under sig selv"):
        ops.move_code(proj, "T1", "T1")
    with pytest.raises(NotFound):
        ops.move_code(proj, "T1", "X9")
    ops.retire_code(proj, "B.social")
    before = snapshot(proj)
    with pytest.raises(TrivselError, match="udgået"):
        ops.move_code(proj, "T1", "B.social")
    assert snapshot(proj) == before


# -------------------------------------------------------------------- merge


def test_merge_moves_and_folds_codings(proj):
    code_passage(proj, 2, "T1", memo="tryghed")
    code_passage(proj, 2, "T2", memo="ro")  # same passage, coder, span → folds
    code_passage(proj, 4, "T1", coder="cd")
    code_passage(proj, 5, "T1", start=0, end=6)
    code_passage(proj, 5, "T2")  # other span → both kept
    code_passage(proj, 6, "T2", coder="cd", memo="kun T2")
    with proj.write() as session:
        t1 = session.exec(select(Code).where(Code.key == "T1")).one()
        t2 = session.exec(select(Code).where(Code.key == "T2")).one()
        source = session.exec(select(Source)).first()
        coder = session.exec(select(Coder).where(Coder.name == "ab")).one()
        session.add(Memo(code_id=t2.id, coder_id=coder.id, text="Notat om T2"))
        session.add(
            UnplacedCoding(
                source_id=source.id,
                passage_number=9,
                speaker="P1",
                passage_text="Gammel tekst",
                code_id=t2.id,
                coder_id=coder.id,
            )
        )
        t2.keywords = ["ro", "tryg"]
        t1.keywords = ["tryg"]
        session.add_all([t1, t2])
    ops.add_code(proj, "T2.a", "Under T2", parent="T2")
    with proj.read() as session:
        total_before = len(session.exec(select(Coding)).all())

    report = ops.merge_codes(proj, "T2", "T1")

    assert (report.codings_moved, report.codings_folded) == (2, 1)
    assert report.memos_joined == 1 and report.unplaced_moved == 1 and report.code_memos_moved == 1
    assert report.children_moved == ["T2.a"] and report.keywords_added == ["ro"]
    got = codes(proj)
    assert "T2" not in got
    assert key_of(proj, got["T2.a"].parent_id) == "T1"
    assert got["T1"].keywords == ["tryg", "ro"]
    with proj.read() as session:
        rows = session.exec(
            select(Passage.number, Code.key, Coder.name, Coding.start, Coding.memo)
            .join(Passage, Coding.passage_id == Passage.id)
            .join(Code, Coding.code_id == Code.id)
            .join(Coder, Coding.coder_id == Coder.id)
            .order_by(Passage.number, Coder.name, Coding.start)
        ).all()
        assert session.exec(select(UnplacedCoding)).one().code_id == got["T1"].id
        assert session.exec(select(Memo)).one().code_id == got["T1"].id
    assert len(rows) == total_before - 1  # only the duplicate folded away
    assert sorted(rows, key=repr) == sorted(
        [
            (2, "T1", "ab", None, "tryghed\n\nro"),
            (4, "T1", "cd", None, None),
            (5, "T1", "ab", None, None),
            (5, "T1", "ab", 0, None),
            (6, "T1", "cd", None, "kun T2"),
        ],
        key=repr,
    )
    assert_exports_and_validates(proj)


def test_merge_into_own_descendant(proj):
    ops.add_code(proj, "B.social.a", "Venner", parent="B.social")
    ops.add_code(proj, "B.tryg", "Tryghed", parent="B")
    code_passage(proj, 2, "B")
    report = ops.merge_codes(proj, "B", "B.social.a")
    got = codes(proj)
    assert "B" not in got
    assert got["B.social.a"].parent_id is None
    assert key_of(proj, got["B.social"].parent_id) == "B.social.a"
    assert key_of(proj, got["B.tryg"].parent_id) == "B.social.a"
    assert report.codings_moved == 1
    assert_exports_and_validates(proj)


def test_merge_refuses_bad_input(proj):
    code_passage(proj, 2, "T2")
    before = snapshot(proj)
    with pytest.raises(TrivselError, match="ind i sig selv"):
        ops.merge_codes(proj, "T1", "T1")
    with pytest.raises(NotFound):
        ops.merge_codes(proj, "T9", "T1")
    with pytest.raises(NotFound):
        ops.merge_codes(proj, "T1", "T9")
    ops.retire_code(proj, "T1")
    before = snapshot(proj)
    with pytest.raises(TrivselError, match="udgået"):
        ops.merge_codes(proj, "T2", "T1")
    assert snapshot(proj) == before


# ----------------------------------------------------------------- retire


def test_retire_and_unretire(proj):
    code_passage(proj, 2, "B.social")
    report = ops.retire_code(proj, "B")
    assert report.keys == ["B", "B.social"] and report.freed_shortcuts == {"B.social": "x"}
    got = codes(proj)
    assert got["B"].retired and got["B.social"].retired and got["B.social"].shortcut is None
    with proj.read() as session:
        assert len(session.exec(select(Coding).where(Coding.code_id == got["B.social"].id)).all()) == 1
    with pytest.raises(TrivselError, match="udgået"):
        code_passage(proj, 4, "B.social")
    with pytest.raises(TrivselError, match="udgået"):
        ops.set_code_shortcut(proj, "B.social", "x")
    assert_exports_and_validates(proj)

    back = ops.unretire_code(proj, "B.social")
    assert back.keys == ["B.social", "B"]
    assert not codes(proj)["B"].retired
    code_passage(proj, 4, "B.social")
    assert ops.set_code_retired(proj, "T1", True).keys == ["T1"]
    assert ops.set_code_retired(proj, "T1", True).keys == []
    assert_exports_and_validates(proj)


# ------------------------------------------------------------ toggle coding


def passage_id(proj, source: str, number: int) -> int:
    with proj.read() as session:
        return session.exec(
            select(Passage.id)
            .join(Source, Passage.source_id == Source.id)
            .where(Source.name == source, Passage.number == number)
        ).one()


def test_toggle_coding(proj):
    pid = passage_id(proj, "holstebro-1", 2)
    assert ops.passage_codes(proj, [pid], "ab") == {pid: []}
    assert ops.toggle_coding(proj, pid, "T2", "ab") == "added"
    assert ops.toggle_coding(proj, pid, "T1", "ab") == "added"
    assert ops.passage_codes(proj, [pid], "ab") == {pid: ["T1", "T2"]}
    assert ops.passage_codes(proj, [pid], "cd") == {pid: []}
    assert ops.toggle_coding(proj, pid, "T2", "ab") == "removed"
    assert ops.passage_codes(proj, [pid], "ab") == {pid: ["T1"]}


def test_toggle_coding_refusals(proj):
    interviewer = passage_id(proj, "holstebro-1", 1)
    with pytest.raises(TrivselError, match="interviewer"):
        ops.toggle_coding(proj, interviewer, "T1", "ab")
    assert ops.toggle_coding(proj, interviewer, "T1", "ab", allow_interviewer=True) == "added"
    pid = passage_id(proj, "holstebro-1", 4)
    code_passage(proj, 4, "T1", start=0, end=10)
    with pytest.raises(TrivselError, match="udsnit"):
        ops.toggle_coding(proj, pid, "T1", "ab")
    ops.retire_code(proj, "T2")
    with pytest.raises(TrivselError, match="udgået"):
        ops.toggle_coding(proj, pid, "T2", "ab")
    with pytest.raises(TrivselError, match="findes ikke længere"):
        ops.toggle_coding(proj, 99999, "T1", "ab")
    with pytest.raises(TrivselError, match="kodernavn"):
        ops.toggle_coding(proj, pid, "T1", "a b")
    assert ops.passage_codes(proj, [pid], "ab") == {pid: ["T1"]}


# ------------------------------------------------------- bundled codebook


def test_bundled_codebook_edited_exports_and_reloads(project):
    load_codebook(project, load_codebook_file(bundled_codebook()))
    first = next(iter(codes(project)))
    ops.add_code(project, "T8", "Nyt tema", kind="tema", color="#123456")
    ops.rename_code(project, first, "Omdøbt")
    keys = list(codes(project))
    ops.merge_codes(project, keys[-2], "T8")
    retired = ops.retire_code(project, keys[1]).keys
    text = dump_codebook(codebook_of_project(project))
    book, problems = validate_codebook_text(text, "export.yaml")
    assert problems == []
    assert book.get(first).name == "Omdøbt"
    assert book.get(keys[-2]) is None and book.get("T8") is not None
    # The exported file loads back: nothing new, nothing withdrawn; the retired codes (left out of it) stay retired.
    report = load_codebook(project, book)
    assert report.added == [] and report.kept == [] and report.retired == report.deleted == []
    after = codes(project)
    assert all(after[key].retired for key in retired)
