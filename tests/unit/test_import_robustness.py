"""Import robustness (issue 11): huge turns, bad folder entries, mixed encodings,
annotations, and a server that stops mid-import.

Real SQLite files (and PostgreSQL when a test server is given), the real
spaCy pipeline and the real CLI, in process or as a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import REPO, Cli, write
from trivselkode.domain import nlp
from trivselkode.domain.annotations import annotation_spans, mask, spoken_word_count
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Participant, Passage, Source

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
SENTENCES = [
    "Jeg kommer her hver uge, fordi der er ro.",
    "Bibliotekaren kender mit navn!",
    "Nogle gange sidder jeg bare og læser avisen i en time?",
    "Det er et sted, hvor ingen forventer noget af mig.",
    "Børnene elsker lørdagsteatret og de mange bøger.",
]


def long_text(chars: int) -> str:
    """Ordinary Danish sentences, more than ``chars`` characters in one paragraph."""
    parts: list[str] = []
    size = 0
    n = 0
    while size <= chars:
        sentence = SENTENCES[n % len(SENTENCES)]
        parts.append(sentence)
        size += len(sentence) + 1
        n += 1
    return " ".join(parts)


def stored(db: Path | str) -> list[tuple[str, str, str, list[list[int]]]]:
    """(source, speaker, text, sentences) of every passage."""
    project, _ = open_project(str(db))
    try:
        with project.read() as s:
            rows = s.exec(
                select(Source.name, Participant.label, Passage.text, Passage.sentences)
                .join(Passage, Passage.source_id == Source.id)
                .join(Participant, Passage.participant_id == Participant.id)
                .order_by(Source.name, Passage.number)
            ).all()
            return [tuple(r) for r in rows]
    finally:
        project.dispose()


def assert_sentences_cover(text: str, sentences: list[list[int]]) -> None:
    """Sentences in order, inside the text, not overlapping, and every word in one."""
    previous = 0
    for a, b in sentences:
        assert previous <= a < b <= len(text)
        assert not text[previous:a].strip() or set(text[previous:a].strip()) <= set(".!?…")
        previous = b
    assert not text[previous:].strip()


# --------------------------------------------------------------------------- over 1,000,000 characters


def reference_spans(text: str) -> list[tuple[int, int]]:
    """spaCy's sentences of ``text`` read whole (max_length raised on a pipeline of its own)."""
    import spacy

    ref = spacy.blank("da")
    ref.add_pipe("sentencizer")
    ref.max_length = len(text) + 1
    out = []
    for sent in ref(text).sents:
        words = [t for t in sent if not t.is_space]
        if words:
            out.append((words[0].idx, words[-1].idx + len(words[-1].text)))
    return out


def test_a_group_stays_under_spacys_limit() -> None:
    assert nlp._GROUP * (nlp.PIECE + len(nlp._SEPARATOR)) < nlp.sentence_pipeline().max_length


def test_long_texts_get_the_sentences_of_the_whole_text() -> None:
    long = long_text(3 * nlp.PIECE) + "\n\n(griner) Og så en sidste sætning uden punktum"
    texts = ["Kort. Tekst!", long, "En til.", long_text(nlp.PIECE - 100)]
    spans = nlp.sentence_spans(texts)
    for text, got in zip(texts, spans):
        assert [tuple(s) for s in got] == reference_spans(text)
    assert json.loads(nlp.sentence_json(texts)[1]) == spans[1]


def test_a_piece_without_any_sentence_boundary_still_covers_the_text() -> None:
    text = " ".join(["ord"] * (nlp.PIECE // 2)) + ". Slut."
    spans = nlp.sentence_spans([text])[0]
    assert spans == [[0, len(text) - len(" Slut.")], [len(text) - len("Slut."), len(text)]]


def test_lemmas_of_a_very_long_text() -> None:
    text = long_text(2 * nlp.PIECE)
    words = nlp.lemmas(text)
    assert len(words) == len(text.replace(",", " ").replace("!", " ").replace("?", " ").replace(".", " ").split())
    assert all(text[a:b].lower() == form for form, _lemma, a, b in words)


def test_million_character_turn_in_txt_and_docx(tmp_path: Path) -> None:
    import docx

    huge = long_text(1_050_000)
    folder = tmp_path / "kilder"
    write(folder / "lang.txt", f"I: Fortæl.\nP1: {huge}\nI: Tak.\n")
    document = docx.Document()
    document.add_paragraph("I: Fortæl.")
    document.add_paragraph(f"P1: {huge} Og det var det.")
    document.save(str(folder / "lang-word.docx"))
    db = tmp_path / "p.db"
    result = Cli(db)("import", str(folder))
    assert result.exit_code == 0, result.stderr
    rows = stored(db)
    assert [(name, speaker) for name, speaker, _t, _s in rows] == [
        ("lang", "I"),
        ("lang", "P1"),
        ("lang", "I"),
        ("lang-word", "I"),
        ("lang-word", "P1"),
    ]
    for _name, speaker, text, sentences in rows:
        assert_sentences_cover(text, sentences)
        if speaker == "P1":
            assert len(text) > 1_000_000
            assert text[slice(*sentences[0])] == SENTENCES[0]
            assert len(sentences) > 20_000
    assert rows[4][2].endswith("Og det var det.")
    assert rows[4][2][slice(*rows[4][3][-1])] == "Og det var det."


REFI_XML = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Lang" origin="Test">
  <Sources>
    <TextSource guid="AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA" name="Lang samtale"
                plainTextPath="internal://AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA.txt"/>
  </Sources>
</Project>
"""


def test_million_character_source_from_refi_qda(tmp_path: Path) -> None:
    huge = long_text(1_050_000)
    out = tmp_path / "lang.qdpx"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("project.qde", REFI_XML.encode("utf-8"))
        zf.writestr("Sources/AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA.txt", f"I: Fortæl.\nP1: {huge}\nI: Tak.\n".encode())
    db = tmp_path / "p.db"
    result = Cli(db)("refi", "import", str(out))
    assert result.exit_code == 0, result.stderr
    rows = stored(db)
    longest = max(rows, key=lambda r: len(r[2]))
    assert len(longest[2]) > 1_000_000
    for _name, _speaker, text, sentences in rows:
        assert_sentences_cover(text, sentences)
    assert longest[2][slice(*longest[3][0])] == SENTENCES[0]


# --------------------------------------------------------------------------- folders with bad entries


def run_cli(db: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``trivselkode`` as a subprocess (so that a hang fails the test instead of stopping it)."""
    return subprocess.run(
        [sys.executable, "-m", "trivselkode", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=db.parent,
        timeout=timeout,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_folder_with_symlink_loop_and_fifo_imports_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "mappe"
    write(folder / "a.txt", "P1: Den første.\n")
    write(folder / "under" / "c.txt", "P1: Den sidste.\n")
    (folder / "ring.txt").symlink_to(folder / "ring.txt")
    (folder / "to.txt").symlink_to(folder / "fra.txt")
    (folder / "fra.txt").symlink_to(folder / "to.txt")
    (folder / "under" / "tilbage").symlink_to(folder, target_is_directory=True)  # a folder loop
    os.mkfifo(folder / "pipe.txt")
    db = tmp_path / "p.db"
    result = run_cli(db, "import", str(folder))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "RuntimeError" not in result.stderr
    assert "ring.txt er et symbolsk link, der peger i ring" in result.stderr
    assert "fra.txt er et symbolsk link, der peger i ring" in result.stderr
    assert "pipe.txt er en navngiven pipe (FIFO)" in result.stderr
    assert sorted({name for name, *_ in stored(db)}) == ["a", "c"]
    # Given by name, a FIFO is one clear line too.
    single = run_cli(db, "import", str(folder / "pipe.txt"))
    assert single.returncode == 1
    assert "pipe.txt er en navngiven pipe (FIFO)" in single.stderr
    assert "Traceback" not in single.stderr


# --------------------------------------------------------------------------- encodings


def test_utf8_file_with_one_cp1252_line(tmp_path: Path) -> None:
    data = (
        b"I: Hvad betyder biblioteket for dig?\n"
        + "P1: Blåbærgrød og æbleskiver på øen.\n".encode("cp1252")
        + "I: Og så?\nP1: Så går jeg hjem, glad og træt.\n".encode()
    )
    path = tmp_path / "blandet.txt"
    path.write_bytes(data)
    db = tmp_path / "p.db"
    cli = Cli(db)
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    texts = [text for _n, _s, text, _x in stored(db)]
    assert texts[1] == "Blåbærgrød og æbleskiver på øen."
    assert texts[3] == "Så går jeg hjem, glad og træt."
    assert not any("Ã" in text for text in texts)
    assert f"{path}:2: linjen er ikke gyldig UTF-8" in result.stderr
    again = cli("import", str(path))
    assert again.exit_code == 0 and again.stderr.strip() == ""


def test_utf8_bom_file_with_cp1252_lines_and_cp1252_file_with_utf8_line(tmp_path: Path) -> None:
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + "P1: Første linje med æ.\n".encode() + "P2: Anden med ø.\n".encode("cp1252"))
    mostly = tmp_path / "mest.txt"
    mostly.write_bytes(("P1: " + "Æbler og pærer på Ærø. " * 20 + "\n").encode("cp1252") + "P2: Blåbær.\n".encode())
    db = tmp_path / "p.db"
    result = Cli(db)("import", str(bom), str(mostly))
    assert result.exit_code == 0, result.stderr
    texts = {(name, speaker): text for name, speaker, text, _x in stored(db)}
    assert (texts[("bom", "P1")], texts[("bom", "P2")]) == ("Første linje med æ.", "Anden med ø.")
    assert f"{bom}:2: linjen er ikke gyldig UTF-8" in result.stderr
    # Mostly cp1252: read as cp1252, and the UTF-8 line is pointed out, never silently garbled.
    assert texts[("mest", "P1")].startswith("Æbler og pærer på Ærø.")
    assert f"{mostly}:2: linjen ligner UTF-8" in result.stderr


def test_only_interviewer_turns_is_warned(tmp_path: Path) -> None:
    path = write(
        tmp_path / "spørgsmål.txt",
        "I: Hvad betyder biblioteket for dig?\nKaren Hansen Jensen Holm: Det ved jeg ikke.\nI: Tak.\n",
    )
    result = Cli(tmp_path / "p.db")("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "alle 2 replikker er interviewerens, så der er intet at kode" in result.stderr
    assert "'Karen Hansen Jensen Holm:' ligner en taleretiket" in result.stderr


# --------------------------------------------------------------------------- annotations


def test_annotation_spans_and_mask() -> None:
    text = "Ja (griner) det var [pause] godt (utydeligt). Men (ikke lukket og [ a ] b"
    assert [text[a:b] for a, b in annotation_spans(text)] == ["(griner)", "[pause]", "(utydeligt)", "[ a ]"]
    masked = mask(text)
    assert len(masked) == len(text)
    assert "griner" not in masked and masked.startswith("Ja ")
    assert spoken_word_count(text) == len("Ja det var godt . Men (ikke lukket og b".split())
    assert mask("ingen noter her") == "ingen noter her"


def test_annotations_are_no_words_for_suggestions() -> None:
    from trivselkode.analysis.suggest import simple_words, suggest

    codes = [{"key": "LATTER", "keywords": ["griner", "pause"]}]
    for lemmatize in (simple_words, None):  # None: spaCy's lookup lemmas
        assert suggest("Jeg kommer her (griner) hver dag [pause].", codes, lemmatize=lemmatize) == []
        found = suggest("Han griner altid, når han læser.", codes, lemmatize=lemmatize)
        assert [s.code_key for s in found] == ["LATTER"]
    assert [w[0] for w in nlp.lemmas("Ja (griner) godt")] == ["ja", "godt"]


def test_annotations_are_no_words_for_search(tmp_path: Path) -> None:
    from trivselkode.analysis.search import SearchIndex

    path = write(
        tmp_path / "a.txt", "I: Hvad så?\nP1: Jeg sidder her (pause) og læser.\nP2: Jeg tager en pause i caféen.\n"
    )
    db = tmp_path / "p.db"
    assert Cli(db)("import", str(path)).exit_code == 0
    project, _ = open_project(str(db))
    try:
        index = SearchIndex(project)
        assert [h.speaker for h in index.search("pause", exact=True)] == ["P2"]
        assert [h.speaker for h in index.search("pause")] == ["P2"]
        hit = index.search("sidder her og")[0]
        assert hit.speaker == "P1"
    finally:
        project.dispose()


def test_annotations_are_no_words_for_quote_lengths() -> None:
    from trivselkode.analysis.quotes import trim, word_count

    text = "Jeg kommer her for roen. (griner) (pause) [utydeligt] (griner igen) (latter)"
    sentences = nlp.sentence_spans([text])[0]
    assert word_count(text) == 5
    # Eight words are needed; the notes do not make up for the missing three.
    assert trim(text, sentences, None, None, 8, 60) is None
    assert trim(text, sentences, None, None, 5, 60) is not None
    assert trim(text, sentences, None, None, 5, 60).words == 5


# --------------------------------------------------------------------------- the server stops mid-import


def test_server_gone_mid_import_is_one_line(pg_url: str, tmp_path: Path) -> None:
    import psycopg

    folder = tmp_path / "mange"
    files = 240  # files are stored in batches of about 0.2 s of work: enough for several batches
    for n in range(files):
        # Distinct files: identical ones would be skipped as duplicates without waiting for the server.
        body = "\n".join(f"{'I' if k % 2 == 0 else 'P1'}: Kilde {n}, replik {k}. {long_text(300)}" for k in range(40))
        write(folder / f"kilde-{n:03d}.txt", body + "\n")
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    name = plain.rsplit("/", 1)[1]
    admin = plain.rsplit("/", 1)[0] + "/postgres"
    proc = subprocess.Popen(
        [sys.executable, "-m", "trivselkode", "--db", pg_url, "import", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=tmp_path,
    )
    try:
        # Wait for the first stored source, then hold the next one back with a lock ...
        with psycopg.connect(plain, autocommit=False) as watch:
            for _ in range(6000):
                try:
                    count = watch.execute("SELECT count(*) FROM source").fetchone()[0]
                except psycopg.errors.UndefinedTable:
                    count = 0
                watch.rollback()
                if count or proc.poll() is not None:
                    break
                time.sleep(0.05)
            assert proc.poll() is None, proc.communicate()
            watch.execute("LOCK TABLE source IN ACCESS EXCLUSIVE MODE")
            assert watch.execute("SELECT count(*) FROM source").fetchone()[0] < files
            # ... and take the server away: every connection cut, no new ones let in.
            with psycopg.connect(admin, autocommit=True) as adm:
                adm.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                adm.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
    except psycopg.OperationalError:
        pass  # our own connection was cut with the others
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1].startswith("fejl: ")
    assert "Traceback" not in err
    assert "RuntimeError" not in err and "Exception ignored" not in err
    assert sum(line.startswith("fejl: ") for line in lines) == 1
