"""Subtitles from automatic transcription: WebVTT (``.vtt``) and SubRip (``.srt``).

A small parser of its own. Blocks are separated by blank lines; a cue block
is an optional identifier (the SRT counter), a timing line
``00:01:02.500 --> 00:01:05.000`` (``,`` or ``.`` before the milliseconds,
hours optional, VTT cue settings after the end time ignored) and its text.
The ``WEBVTT`` header and ``NOTE``, ``STYLE`` and ``REGION`` blocks are
skipped. Inline tags (``<i>``, ``<c.x>``, ``<00:00:01.000>`` …) and SSA
override codes (``{\\an8}``) are removed and HTML entities unescaped; a
cue's lines are joined with a space.

The speaker comes from a voice span ``<v Name>`` / ``<v.class Name>`` or from
a ``Name: `` prefix on a cue line (the label rule of plain text); a cue
without one continues the previous speaker (``Ukendt`` at the start).
Consecutive cues of one speaker merge into one turn, their texts joined with a
space; the turn keeps the start time of its first cue and the end time of its
last. The stored text is one line ``LABEL: text`` per turn, so it reads like a
transcript; cue times are kept on the turns only.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.importers.base import ParsedSource
from trivselkode.importers.encoding import read_text
from trivselkode.importers.metadata import ParticipantBook, SourceMetadata, load_sidecar
from trivselkode.importers.text import compose_transcript, make_source, split_label

__all__ = ["UNKNOWN_SPEAKER", "Cue", "parse_cues", "parse_subtitles", "parse_timestamp"]

UNKNOWN_SPEAKER = "Ukendt"
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")
_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)(?:\s.*)?$")
_TIMESTAMP = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_LOOKS_TIMED = re.compile(r"\s*\d+:\d")
_EXAMPLE = "fx '00:01:02.500 --> 00:01:05.000'"


@dataclass
class Cue:
    start: float
    end: float
    line: int  # file line of the timing line
    pieces: list[tuple[str | None, str]]  # (speaker or None, cleaned text)


def parse_timestamp(text: str) -> float | None:
    """Seconds from ``hh:mm:ss.mmm`` / ``mm:ss,mmm``; None when malformed."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if int(minutes) >= 60 or int(seconds) >= 60:
        return None
    value: float = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    if fraction:
        value += int(fraction.ljust(3, "0")) / 1000
    return value


def _clean(text: str) -> str:
    """Tags removed, entities unescaped, whitespace collapsed."""
    if "<" in text or "{" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def _pieces(lines: list[str], book: ParticipantBook) -> list[tuple[str | None, str]]:
    """A cue's text split where the speaker changes."""
    pieces: list[tuple[str | None, str]] = []
    raw = "\n".join(lines)
    parts = _VOICE.split(raw)  # [text, name, text, name, text, …]
    for index in range(0, len(parts), 2):
        voice = None
        if index > 0:
            voice = _clean(parts[index - 1] or "") or None
        segment = parts[index]
        if voice is not None:
            pieces.append((voice, _clean(segment)))
            continue
        if index > 0:
            # <v> without a name: the text goes on with whoever spoke.
            pieces.append((None, _clean(segment)))
            continue
        for line in segment.split("\n"):
            cleaned = _clean(line)
            if not cleaned:
                continue
            labelled = split_label(cleaned, book)
            if labelled is not None:
                pieces.append(labelled)
            else:
                pieces.append((None, cleaned))
    return pieces


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines with the file line of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _skipped(first: str) -> bool:
    word = first.strip().split(maxsplit=1)[0] if first.strip() else ""
    return word in _SKIPPED_BLOCKS and "-->" not in first


def parse_cues(text: str, file: str, book: ParticipantBook) -> list[Cue]:
    """The cues of a normalised VTT or SRT text; labels met in them go to ``book``."""
    cues: list[Cue] = []
    for block_index, (first_line, lines) in enumerate(_blocks(text)):
        if block_index == 0 and lines[0].lstrip().startswith("WEBVTT"):
            # The header; a cue written right under it (no blank line) still counts.
            timing_at = next((i for i, line in enumerate(lines) if "-->" in line), None)
            if timing_at is None:
                continue
            first_line += timing_at
            lines = lines[timing_at:]
        if _skipped(lines[0]):
            continue
        if "-->" in lines[0]:
            timing_index = 0
        elif len(lines) > 1 and "-->" in lines[1]:
            timing_index = 1
        elif _LOOKS_TIMED.match(lines[0]):
            timing_index = 0  # a timing line gone wrong: reported below
        elif len(lines) > 1 and (lines[0].strip().isdigit() or _LOOKS_TIMED.match(lines[1])):
            timing_index = 1
        else:
            raise TrivselError(
                _("{file}:{first_line}: blokken har ingen tidskode").format(file=file, first_line=first_line),
                hint=_(
                    "hver undertekst skal have en linje med start og slut, {EXAMPLE}; og undertekster skilles ad af én tom linje"
                ).format(EXAMPLE=_EXAMPLE),
            )
        line_no = first_line + timing_index
        timing = lines[timing_index]
        match = _TIMING.match(timing)
        start = end = None
        if match is not None:
            start = parse_timestamp(match.group(1))
            end = parse_timestamp(match.group(2))
        if start is None or end is None:
            raise TrivselError(
                _("{file}:{line_no}: ugyldig tidskode '{timing}'").format(
                    file=file, line_no=line_no, timing=timing.strip()
                ),
                hint=_("skriv start og slut som timer:minutter:sekunder.millisekunder, {EXAMPLE}").format(
                    EXAMPLE=_EXAMPLE
                ),
            )
        if end < start:
            raise TrivselError(
                _("{file}:{line_no}: underteksten slutter før den begynder ('{timing}')").format(
                    file=file, line_no=line_no, timing=timing.strip()
                ),
                hint=_("ret tidskoden"),
            )
        cues.append(Cue(start, end, line_no, _pieces(lines[timing_index + 1 :], book)))
    return cues


def parse_subtitles(path: str | Path, meta: SourceMetadata | None = None) -> ParsedSource:
    """Parse a ``.vtt`` or ``.srt`` file; ``meta`` defaults to the sidecar beside it."""
    path = Path(path)
    file = str(path)
    text = read_text(path)
    if meta is None:
        meta = load_sidecar(path)
    book = ParticipantBook(meta.participants)
    cues = parse_cues(text, file, book)
    # (label, texts, cue_start, cue_end) per turn
    turns: list[tuple[str, list[str], float, float]] = []
    speaker: str | None = None
    unattributed = 0
    for cue in cues:
        for voice, piece in cue.pieces:
            if voice is not None:
                speaker = book.resolve(voice, where=f"{file}:{cue.line}").label
            if not piece:
                continue
            if speaker is None:
                speaker = book.resolve(UNKNOWN_SPEAKER, warn=False).label
            if speaker == UNKNOWN_SPEAKER and voice is None:
                unattributed += 1
            if turns and turns[-1][0] == speaker:
                turns[-1][1].append(piece)
                turns[-1] = (speaker, turns[-1][1], turns[-1][2], max(turns[-1][3], cue.end))
            else:
                turns.append((speaker, [piece], cue.start, cue.end))
    if not turns:
        raise TrivselError(
            _("{file}: ingen undertekster med tekst fundet").format(file=file),
            hint=_("en undertekst er en tidskode, {EXAMPLE}, fulgt af dens tekst").format(EXAMPLE=_EXAMPLE),
        )
    if unattributed:
        book.warnings.append(
            _(
                "{file}: {unattributed} undertekst(er) uden taler er lagt på deltageren '{UNKNOWN_SPEAKER}' – angiv taleren med '<v Navn>' eller 'Navn: ' foran teksten"
            ).format(file=file, unattributed=unattributed, UNKNOWN_SPEAKER=UNKNOWN_SPEAKER)
        )
    text_out, parsed = compose_transcript((label, " ".join(texts), start, end) for label, texts, start, end in turns)
    return make_source(path, text_out, meta, book, parsed)
