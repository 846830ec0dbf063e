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

Which lines are labels, and what a label such as ``Mand (70)`` or
``P2 (kvinde, 34 år)`` says about its speaker, is
:mod:`trivselkode.importers.labels`: ``I``, ``P1``, ``Karen``, ``Kvinde 1``,
``Kvinde med barnevogn``, ``Deltager 3``, ``**I:**``, ``[I]:`` and
``Interviewer (Mette)`` are labels, while ``Det var sådan: jeg kom ind`` and
``Nej: det gør jeg ikke`` continue the current turn. A line that looks like a
label but is not recognised (``Anne Marie Holm Jensen:``) is never glued to
the turn before it silently: it is warned about, with its file line, once per
label. Declaring a participant in the metadata always makes its id a label,
and a user's own pattern (``--speaker-pattern`` or ``speaker_pattern:`` in
the metadata) makes every line it matches one.

A transcript whose turns are all the interviewer's is warned about by the
import (:mod:`trivselkode.importers.pipeline`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trivselkode.domain.vocabulary import INTERVIEWER_LABELS
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.importers.base import ParsedSource, ParsedTurn
from trivselkode.importers.encoding import read_text
from trivselkode.importers.labels import (
    CANDIDATE,
    SENTENCE_OPENERS,
    Candidate,
    LabelInfo,
    candidate_at,
    label_info,
    looks_like_label,
    pattern_label,
)
from trivselkode.importers.labels import is_speaker_label as _is_label
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

_SHOWN_LINES = 5


def is_speaker_label(label: str, book: ParticipantBook | None = None) -> bool:
    """Whether the candidate ``label`` names a speaker (see :func:`trivselkode.importers.labels.is_speaker_label`)."""
    return _is_label(label, book.known if book is not None else None)


def _accepts(candidate: Candidate, book: ParticipantBook) -> bool:
    return _is_label(candidate.base, book.known, wrapped=candidate.wrapped) or (
        candidate.note is not None and book.known(candidate.text)
    )


def split_label(line: str, book: ParticipantBook | None = None) -> tuple[str, str] | None:
    """``(label, rest)`` when ``line`` opens with an accepted label, else None.

    The label is the participant's (``Mand (70)``, but ``P2`` for ``P2 (kvinde)``).
    """
    match = CANDIDATE.match(line)
    if match is None:
        return None
    candidate = candidate_at(match)
    if candidate is None:
        return None
    book = book if book is not None else ParticipantBook()
    if not _accepts(candidate, book):
        return None
    return label_info(candidate, book.declared).label, line[match.end() :].strip()


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
        _("{file}:1: front matter begynder med '---' men bliver aldrig afsluttet").format(file=file),
        hint=_("afslut den med en linje med '---' før første replik"),
    )


# --------------------------------------------------------------------------- turns


class _Lines:
    """File lines of offsets into a body, asked for in increasing order (one pass over the text)."""

    def __init__(self, body: str, first_line: int) -> None:
        self.body = body
        self.pos = 0
        self.line = first_line
        self.first_line = first_line

    def __call__(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, self.first_line
        self.line += self.body.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _user_labels(body: str, patterns: Sequence[re.Pattern[str]]) -> dict[int, tuple[int, str]]:
    """Line start → (where the turn's text begins, label) for each line a user pattern matches."""
    found: dict[int, tuple[int, str]] = {}
    pos = 0
    size = len(body)
    while pos <= size:
        end = body.find("\n", pos)
        end = size if end < 0 else end
        for pattern in patterns:
            match = pattern.match(body, pos, end)
            if match is not None and match.end() > pos:
                label = pattern_label(match)
                if label:
                    found[pos] = (match.end(), label)
                    break
        pos = end + 1
    return found


def _speaker(book: ParticipantBook, info: LabelInfo, said: str, where: str) -> str:
    """The participant ``info`` names (added when new), with what the label says about them.

    What the metadata declares wins; a label contradicting an earlier one is
    warned about and the first is kept.
    """
    participant = book.get(info.label)
    if participant is None:
        told = [_("køn {gender}").format(gender=info.gender)] if info.gender else []
        told += [_("alder {age}").format(age=info.age)] if info.age is not None else []
        participant = book.resolve(
            info.label, where=where, role="interviewer" if info.interviewer else None, said=_(" og ").join(told)
        )
    declared = info.label.casefold() in book.declared
    for field, value, shown in (("gender", info.gender, _("køn")), ("age", info.age, _("alder"))):
        if value is None:
            continue
        current = getattr(participant, field)
        if current is None:
            setattr(participant, field, value)
        elif current != value and not declared:
            book.warnings.append(
                _(
                    "{where}: '{said}' giver {shown} {value}, men '{label}' har allerede {shown} {current}; det første er beholdt"
                ).format(where=where, said=said, shown=shown, value=value, label=participant.label, current=current)
            )
    return participant.label


def parse_turns(
    body: str,
    book: ParticipantBook,
    *,
    file: str,
    first_line: int = 1,
    speaker_patterns: Sequence[re.Pattern[str]] = (),
) -> list[ParsedTurn]:
    """The turns of ``body``; new participants and warnings go to ``book``.

    ``first_line`` is the file line of the body's first line (for messages);
    a line that one of ``speaker_patterns`` matches starts a turn (see
    :func:`trivselkode.importers.labels.compile_speaker_pattern`).
    """
    starts: list[tuple[int, int, str]] = []  # (line start, content start, label)
    accepted: dict[str, str] = {}  # an accepted candidate as written → the participant's label
    lookalikes: dict[str, list[int]] = {}  # a label-like candidate → its line starts
    line_of = _Lines(body, first_line)
    user = _user_labels(body, speaker_patterns) if speaker_patterns else {}
    user_labels: dict[str, str] = {}
    if user:
        for line_start, (content_start, said) in user.items():
            label = user_labels.get(said)
            if label is None:
                match = CANDIDATE.match(said + ":")
                candidate = candidate_at(match) if match is not None and match.end() == len(said) + 1 else None
                where = f"{file}:{line_of(line_start)}"
                if candidate is not None:
                    info = label_info(candidate, book.declared)
                else:  # a label of the user's own shape: taken as it is
                    info = LabelInfo(said, said, None, None, said.casefold() in INTERVIEWER_LABELS)
                label = user_labels[said] = _speaker(book, info, said, where)
            starts.append((line_start, content_start, label))

    for match in CANDIDATE.finditer(body):
        line_start = match.start()
        if user and line_start in user:
            continue
        written = match.group()  # the same spelling is the same decision: worked out once
        label = accepted.get(written)
        if label is None:
            candidate = candidate_at(match)
            if candidate is None:
                continue
            if not _accepts(candidate, book):
                if looks_like_label(candidate):
                    lookalikes.setdefault(candidate.text, []).append(line_start)
                continue
            where = f"{file}:{line_of(line_start)}"
            label = accepted[written] = _speaker(book, label_info(candidate, book.declared), candidate.text, where)
        starts.append((line_start, match.end(), label))
    if user:
        starts.sort()

    turns: list[ParsedTurn] = []
    line_of = _Lines(body, first_line)
    for index, (line_start, content_start, label) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else len(body)
        segment = body[content_start:stop]
        stripped = segment.strip()
        if not stripped:
            book.warnings.append(
                _("{file}:{line_of}: replikken fra '{label}' er tom og er sprunget over").format(
                    file=file, line_of=line_of(line_start), label=label
                )
            )
            continue
        start = content_start + (len(segment) - len(segment.lstrip()))
        turns.append(ParsedTurn(label, start, start + len(stripped), stripped))
    if lookalikes:
        _warn_lookalikes(book, lookalikes, starts, body, file=file, first_line=first_line)
    return turns


def _warn_lookalikes(
    book: ParticipantBook,
    lookalikes: dict[str, list[int]],
    starts: list[tuple[int, int, str]],
    body: str,
    *,
    file: str,
    first_line: int,
) -> None:
    """One warning per label-like line start that is not a label, naming its lines."""
    first_turn = starts[0][0] if starts else len(body)
    found = sorted((positions[0], said, positions) for said, positions in lookalikes.items())
    line_of = _Lines(body, first_line)
    lines_at = {pos: line_of(pos) for pos in sorted({p for _f, _s, positions in found for p in positions})}
    for _first, said, positions in found:
        lines = [lines_at[pos] for pos in positions]
        where = f"{file}:{lines[0]}"
        others = ""
        if len(lines) > 1:
            shown = ", ".join(str(n) for n in lines[1:_SHOWN_LINES])
            more = _(" og {value} flere").format(value=len(lines) - _SHOWN_LINES) if len(lines) > _SHOWN_LINES else ""
            others = _(" (også linje {shown}{more})").format(shown=shown, more=more)
        book.unrecognised.append((said, lines[0]))
        glued = _("lagt til replikken før den") if positions[0] > first_turn else _("ikke en del af nogen replik")
        book.warnings.append(
            _(
                "{where}: '{said}:' ligner en taleretiket, men genkendes ikke{others}; teksten er {glued} – angiv '{said}' under 'participants' i metadata, eller beskriv jeres etiketter med --speaker-pattern"
            ).format(where=where, said=said, others=others, glued=glued)
        )


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
    body: str,
    path: Path,
    meta: SourceMetadata,
    *,
    first_line: int = 1,
    warnings: list[str] | None = None,
    speaker_pattern: re.Pattern[str] | None = None,
) -> ParsedSource:
    """A source from a transcript body in the turn syntax (text and docx share this).

    Lines matching the metadata's ``speaker_pattern`` or ``speaker_pattern``
    (``--speaker-pattern``) start turns too.
    """
    book = ParticipantBook(meta.participants)
    book.warnings.extend(warnings or [])
    patterns = [p for p in (meta.speaker_pattern, speaker_pattern) if p is not None]
    turns = parse_turns(body, book, file=str(path), first_line=first_line, speaker_patterns=patterns)
    if not turns:
        if book.unrecognised:
            said, line = book.unrecognised[0]
            raise TrivselError(
                _(
                    "{path}: ingen replikker fundet; '{said}:' (linje {line}) ligner en taleretiket, men genkendes ikke"
                ).format(path=path, said=said, line=line),
                hint=_(
                    "angiv '{said}' under 'participants' i metadata, eller beskriv jeres etiketter med --speaker-pattern"
                ).format(said=said),
            )
        raise TrivselError(
            _("{path}: ingen replikker fundet: en replik begynder med 'NAVN: tekst'").format(path=path),
            hint=_("skriv hver replik på en ny linje, fx 'I: Hvad betyder biblioteket for dig?'"),
        )
    return make_source(path, body, meta, book, turns)


def parse_text_content(
    text: str,
    path: Path,
    meta: SourceMetadata | None = None,
    *,
    speaker_pattern: re.Pattern[str] | None = None,
    warnings: list[str] | None = None,
) -> ParsedSource:
    """Parse the normalised ``text`` of the text file ``path``.

    Front matter wins over ``meta``; without front matter ``meta`` (or, when
    it is None, the sidecar beside ``path``) gives the metadata. ``warnings``
    are earlier notes on the file (its encoding, say).
    """
    file = str(path)
    front = split_front_matter(text, file)
    warnings = list(warnings or [])
    if front.yaml_text is not None:
        mapping, line_of = load_yaml_mapping(front.yaml_text, file, front.yaml_first_line)
        sidecar = meta if meta is not None else load_sidecar(path)
        if sidecar.file:
            warnings.append(
                _("{file} er ikke brugt: {file2} har sin egen front matter").format(file=sidecar.file, file2=file)
            )
        meta = parse_metadata(mapping, file, line_of)
    elif meta is None:
        meta = load_sidecar(path)
    return parse_transcript(
        front.body, path, meta, first_line=front.body_first_line, warnings=warnings, speaker_pattern=speaker_pattern
    )


def parse_text(
    path: str | Path, meta: SourceMetadata | None = None, *, speaker_pattern: re.Pattern[str] | None = None
) -> ParsedSource:
    """Parse a ``.txt`` or ``.md`` transcript."""
    path = Path(path)
    warnings: list[str] = []
    text = read_text(path, warnings)
    return parse_text_content(text, path, meta, speaker_pattern=speaker_pattern, warnings=warnings)
