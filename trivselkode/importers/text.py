"""Plain-text transcripts (``.txt``, ``.md``): the reference format (SPEC §4).

A file may open with YAML front matter between a first line ``---`` and a
closing line ``---`` (or ``...``); see :mod:`trivselkode.importers.metadata`
for its keys. A file without front matter takes its metadata from a sidecar
``X.yaml`` beside it, if there is one.

The body (everything after the front matter) is stored as the source text and
turn offsets index it. A line ``LABEL: text`` starts a turn; the following
lines without a label continue it, blank lines included. The turn text runs
from the first non-blank character after ``LABEL:`` to the last non-blank
character before the next label line, so ``text[start:end] == turn.text``.
Text before the first label (a heading, say) is kept in the text but is not a
turn. A label line with nothing after it and no continuation is skipped with
a warning.

When is ``LABEL:`` a label? The colon must be the first colon on the line and
be followed by a space, a tab or the end of the line (so ``kl. 10:30`` and
``https://…`` never are). ``LABEL`` is 1–40 characters, starts with a letter or
digit, holds only letters, digits, spaces and ``._-``, and has at most four
words. Leading spaces before it are allowed. Such a candidate is accepted when
it is

1. the id of a participant declared in the metadata, or a label already met
   (case-insensitive), or
2. an interviewer label (``I``, ``INT``, ``Interviewer``, ``Intervieweren``,
   case-insensitive), or
3. a short code: one to three letters, an optional ``-``/``_``/``.``, and one
   to three digits (``P1``, ``D2``, ``IP3``, ``R-12``, ``p1``), or
4. one to three words where the first starts with a capital letter and each
   other word starts with a capital letter or is a number (``Karen``,
   ``Kvinde 1``, ``Anne Marie``, ``SPEAKER_00``) – unless the first word is a
   common Danish sentence opener (``Men``, ``Nej``, ``Altså``, ``Det`` …, see
   :data:`SENTENCE_OPENERS`).

So ``Det var sådan: jeg kom ind`` and ``Nej: det gør jeg ikke`` continue the
current turn, while ``Karen: …`` starts one (with a warning when Karen was not
declared). Declaring a participant in the metadata always makes its id a label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from trivselkode.errors import TrivselError
from trivselkode.importers.base import INTERVIEWER_LABELS, ParsedSource, ParsedTurn
from trivselkode.importers.encoding import read_text
from trivselkode.importers.metadata import (
    ParticipantBook,
    SourceMetadata,
    load_sidecar,
    load_yaml_mapping,
    parse_metadata,
)

__all__ = [
    "SENTENCE_OPENERS",
    "FrontMatter",
    "compose_transcript",
    "is_speaker_label",
    "make_source",
    "parse_text",
    "parse_text_content",
    "parse_transcript",
    "parse_turns",
    "split_front_matter",
    "split_label",
]

# A candidate label at the start of a line: see the module docstring.
_LABEL_LINE = re.compile(r"^[ \t]*([^\W_][\w.\- ]{0,39}?)[ \t]*:(?=[ \t]|$)", re.MULTILINE)
_CODE = re.compile(r"[^\W\d_]{1,3}[-_.]?\d{1,3}")
MAX_LABEL_WORDS = 4
MAX_GUESSED_WORDS = 3

# Words that open ordinary Danish sentences with a colon ("Nej: …", "Men: …");
# a first word among them is not taken for a speaker unless declared.
SENTENCE_OPENERS = frozenset(
    """
    altså bemærk bl.a både citat da de dem den denne der derfor dernæst desuden det dette disse du dvs
    eks eksempel eksempelvis eller ellers endelig enten f.eks fordi fx først godt han her hmm hun hvad
    hvem hvis hvor hvordan hvorfor ikke ingen især ja jamen jeg jo kort man med men min mit mine
    nb nej nemlig nogen noget note nu nå når obs og ok okay også resultat så sådan tja vel vi vores
    øh øhm
    """.split()
)


def is_speaker_label(label: str, book: ParticipantBook | None = None) -> bool:
    """Whether the candidate ``label`` (already syntax-checked) names a speaker."""
    words = label.split()
    if not words or len(words) > MAX_LABEL_WORDS:
        return False
    label = " ".join(words)
    if book is not None and book.known(label):
        return True
    if label.casefold() in INTERVIEWER_LABELS:
        return True
    if _CODE.fullmatch(label):
        return True
    if len(words) > MAX_GUESSED_WORDS:
        return False
    first = words[0]
    if not first[0].isupper() or first.casefold().rstrip(".") in SENTENCE_OPENERS:
        return False
    return all(word[0].isupper() or word.isdigit() for word in words[1:])


def split_label(line: str, book: ParticipantBook | None = None) -> tuple[str, str] | None:
    """``(label, rest)`` when ``line`` opens with an accepted ``LABEL:``, else None."""
    match = _LABEL_LINE.match(line)
    if match is None or not is_speaker_label(match.group(1), book):
        return None
    return " ".join(match.group(1).split()), line[match.end() :].strip()


# --------------------------------------------------------------------------- front matter


@dataclass
class FrontMatter:
    yaml_text: str | None  # None: the file has no front matter
    yaml_first_line: int  # file line of the first YAML line
    body: str
    body_first_line: int  # file line of the body's first line


def split_front_matter(text: str, file: str) -> FrontMatter:
    """Split ``text`` into its front matter (if any) and body."""
    if not text.startswith("---"):
        return FrontMatter(None, 0, text, 1)
    first_end = text.find("\n")
    if first_end < 0 or text[:first_end].rstrip() != "---":
        return FrontMatter(None, 0, text, 1)
    pos = first_end + 1
    line_no = 2
    while pos < len(text):
        newline = text.find("\n", pos)
        end = newline if newline >= 0 else len(text)
        if text[pos:end].rstrip() in ("---", "..."):
            body_start = end + 1 if newline >= 0 else len(text)
            return FrontMatter(text[first_end + 1 : pos], 2, text[body_start:], line_no + 1)
        if newline < 0:
            break
        pos = newline + 1
        line_no += 1
    raise TrivselError(
        f"{file}:1: front matter begynder med '---' men bliver aldrig afsluttet",
        hint="afslut den med en linje med '---' før første replik",
    )


# --------------------------------------------------------------------------- turns


def parse_turns(
    body: str, book: ParticipantBook, *, file: str, first_line: int = 1
) -> list[ParsedTurn]:
    """The turns of ``body``; new participants and warnings go to ``book``.

    ``first_line`` is the file line of the body's first line (for messages).
    """
    starts: list[tuple[int, int, str]] = []  # (line start, content start, label)
    accepted: dict[str, str] = {}  # label candidates as written → the participant's label

    def line_of(pos: int) -> int:
        return first_line + body.count("\n", 0, pos)

    for match in _LABEL_LINE.finditer(body):
        candidate = match.group(1)
        label = accepted.get(candidate)
        if label is None:
            if not is_speaker_label(candidate, book):
                continue
            where = f"{file}:{line_of(match.start())}"
            label = accepted[candidate] = book.resolve(" ".join(candidate.split()), where=where).label
        starts.append((match.start(), match.end(), label))
    turns: list[ParsedTurn] = []
    for index, (line_start, content_start, label) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else len(body)
        segment = body[content_start:stop]
        stripped = segment.strip()
        if not stripped:
            book.warnings.append(f"{file}:{line_of(line_start)}: replikken fra '{label}' er tom og er sprunget over")
            continue
        start = content_start + (len(segment) - len(segment.lstrip()))
        turns.append(ParsedTurn(label, start, start + len(stripped), stripped))
    return turns


def compose_transcript(
    entries: Iterable[tuple[str, str, float | None, float | None]],
) -> tuple[str, list[ParsedTurn]]:
    """Build a transcript ``LABEL: text`` per line from ``(label, text, cue_start, cue_end)``.

    Each text must be stripped and non-empty; it may hold newlines. Offsets
    point at the text after ``LABEL: ``.
    """
    parts: list[str] = []
    turns: list[ParsedTurn] = []
    pos = 0
    for label, text, cue_start, cue_end in entries:
        if parts:
            pos += 1  # the "\n" joining the lines
        prefix = f"{label}: "
        start = pos + len(prefix)
        end = start + len(text)
        parts.append(prefix + text)
        turns.append(ParsedTurn(speaker=label, start=start, end=end, text=text, cue_start=cue_start, cue_end=cue_end))
        pos = end
    return "\n".join(parts), turns


def make_source(
    path: Path, text: str, meta: SourceMetadata, book: ParticipantBook, turns: list[ParsedTurn]
) -> ParsedSource:
    """Assemble the :class:`ParsedSource`; the name is metadata ``name`` or the file stem."""
    return ParsedSource(
        name=meta.values.get("name") or path.stem,
        text=text,
        file_name=path.name,
        metadata=dict(meta.values),
        participants=book.participants,
        turns=turns,
        warnings=book.warnings,
    )


def parse_transcript(
    body: str, path: Path, meta: SourceMetadata, *, first_line: int = 1, warnings: list[str] | None = None
) -> ParsedSource:
    """A source from a transcript body in the turn syntax (text and docx share this)."""
    book = ParticipantBook(meta.participants)
    book.warnings.extend(warnings or [])
    turns = parse_turns(body, book, file=str(path), first_line=first_line)
    if not turns:
        raise TrivselError(
            f"{path}: ingen replikker fundet: en replik begynder med 'NAVN: tekst'",
            hint="skriv hver replik på en ny linje, fx 'I: Hvad betyder biblioteket for dig?'",
        )
    return make_source(path, body, meta, book, turns)


def parse_text_content(text: str, path: Path, meta: SourceMetadata | None = None) -> ParsedSource:
    """Parse the normalised ``text`` of the text file ``path``.

    Front matter wins over ``meta``; without front matter ``meta`` (or, when
    it is None, the sidecar beside ``path``) gives the metadata.
    """
    file = str(path)
    front = split_front_matter(text, file)
    warnings: list[str] = []
    if front.yaml_text is not None:
        mapping, line_of = load_yaml_mapping(front.yaml_text, file, front.yaml_first_line)
        sidecar = meta if meta is not None else load_sidecar(path)
        if sidecar.file:
            warnings.append(f"{sidecar.file} er ikke brugt: {file} har sin egen front matter")
        meta = parse_metadata(mapping, file, line_of)
    elif meta is None:
        meta = load_sidecar(path)
    return parse_transcript(front.body, path, meta, first_line=front.body_first_line, warnings=warnings)


def parse_text(path: str | Path, meta: SourceMetadata | None = None) -> ParsedSource:
    """Parse a ``.txt`` or ``.md`` transcript."""
    path = Path(path)
    return parse_text_content(read_text(path), path, meta)
