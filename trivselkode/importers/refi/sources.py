"""Planning sources: each text source's text read, its positions' unit chosen, its passages found.

The text is normalised as every source is (NFC, ``\\n``, no BOM) and split
into passages: by our own note's passage list for our own files; else by the
turn rules of a ``.txt`` when they describe the text; else one passage per
non-blank line (see the package's docstring).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from trivselkode.domain.positions import CODEPOINTS, PositionMap, Reading, ReadingChoice, choose_reading
from trivselkode.domain.text import content_hash
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _
from trivselkode.importers.base import ParsedParticipant, ParsedSource, ParsedTurn
from trivselkode.importers.refi.archive import RefiFile, decode_raw
from trivselkode.importers.refi.facts import own_participant, participant_from_case, source_metadata, variable_facts
from trivselkode.importers.refi.model import PARAGRAPH_SPEAKER, RCase, RefiDocument, RSource
from trivselkode.importers.refi.report import RefiImportReport, SourceResult, skip_orphan_cases

# When do the turn rules describe a foreign text? (see the package's docstring)
MIN_LABEL_LINE_SHARE = 0.2
MAX_PREAMBLE_SHARE = 0.2


@dataclass
class SourcePlan:
    rsource: RSource
    parsed: ParsedSource
    digest: str
    pmap: PositionMap
    reading: Reading
    result: SourceResult
    sentences: list[str] | None = None  # JSON per turn, as pipeline.segment makes them


def plan_sources(
    rf: RefiFile,
    own: dict[str, Any] | None,
    report: RefiImportReport,
    on_progress: Callable[[str], None] | None = None,
) -> list[SourcePlan]:
    """Every text source of the file that can be stored, under a name of its own; the others in ``report``."""
    doc = rf.document
    cases_by_source = _cases_by_source(doc, own, report)
    source_plans: list[SourcePlan] = []
    seen_names: set[str] = set()
    for rsource in doc.sources:
        name = _unique_name(rsource, own, seen_names)
        if on_progress:
            on_progress(name)
        plan = plan_source(rf, rsource, name, own, cases_by_source.get(rsource.guid, []), report)
        if plan is not None:
            source_plans.append(plan)
    return source_plans


def _cases_by_source(doc: RefiDocument, own: dict[str, Any] | None, report: RefiImportReport) -> dict[str, list[RCase]]:
    """Source GUID → the cases that refer to it (or to a selection in it); cases of no source go to ``report``."""
    cases_by_source: dict[str, list[RCase]] = defaultdict(list)
    selection_source: dict[str, str] = {}
    for s in doc.sources:
        for sel in s.selections:
            selection_source[sel.guid] = s.guid
    own_cases = (own or {}).get("cases") or {}
    for case in doc.cases:
        refs = list(
            dict.fromkeys(
                case.source_refs + [selection_source[r] for r in case.selection_refs if r in selection_source]
            )
        )
        facts = own_cases.get(case.guid)
        if isinstance(facts, dict) and facts.get("source"):
            refs = [str(facts["source"]).upper()]
        for ref in refs:
            cases_by_source[ref].append(case)
    known_sources = {s.guid for s in doc.sources}
    orphan_cases = [c for c in doc.cases if not any(c in cases_by_source.get(g, []) for g in known_sources)]
    skip_orphan_cases(orphan_cases, report)
    return cases_by_source


def _unique_name(rsource: RSource, own: dict[str, Any] | None, seen_names: set[str]) -> str:
    """The source's name, numbered when an earlier source of the file has it (and added to ``seen_names``)."""
    name = rsource.name or _name_from_path(rsource.plain_text_path) or f"kilde-{rsource.guid[:8].lower()}"
    own_source = ((own or {}).get("sources") or {}).get(rsource.guid)
    if isinstance(own_source, dict) and own_source.get("name"):
        name = str(own_source["name"])
    name = name[:255]
    base, n = name, 2
    while name in seen_names:
        name = f"{base} ({n})"
        n += 1
    seen_names.add(name)
    return name


def _name_from_path(path: str | None) -> str:
    """A source name from a path that names the file (``round2/viborg.txt`` → ``viborg``), not from ``internal://<GUID>``."""
    if not path or path.strip().startswith("internal://"):
        return ""
    return " ".join(PurePosixPath(path.replace("\\", "/").split("://", 1)[-1]).stem.split())


def plan_source(
    rf: RefiFile,
    rsource: RSource,
    name: str,
    own: dict[str, Any] | None,
    cases: list[RCase],
    report: RefiImportReport,
) -> SourcePlan | None:
    """The source as it will be stored, or None when it is skipped (and said so in ``report``)."""
    doc = rf.document
    result = SourceResult(name=name, status="skipped", selections=len(rsource.selections))
    raw = _source_text(rf, rsource, name, result, report)
    if raw is None:
        return None
    pmap = PositionMap(raw)
    text = pmap.text
    if not text.strip():
        result.reason = _("teksten er tom")
        report.sources.append(result)
        report.skipped.append(_("kilden '{name}': teksten er tom; sprunget over").format(name=name))
        return None
    choice = _choose_reading(pmap, rsource, own, result)

    # Passages.
    warnings = report.warnings
    turns: list[ParsedTurn] | None = None
    if own is not None:
        participants, turns = _own_passages(own, cases, rsource, name, text, warnings, result)
    else:
        participants = _case_participants(cases, name, doc, warnings)
    if turns is None:
        turns, participants = _turns_by_rules(
            text, name, own, participants, cases, rsource, pmap, choice.reading, warnings, result
        )
    metadata = source_metadata(rsource, doc, own, warnings)
    parsed = ParsedSource(
        name=name,
        text=text,
        file_name=_file_name(rsource, own, name),
        metadata=metadata,
        participants=participants,
        turns=turns,
        warnings=[],
    )
    result.passages = len(turns)
    return SourcePlan(rsource, parsed, content_hash(text), pmap, choice.reading, result)


_WHY_NOT_READ = {
    "not-included": N_("tekstfilen {path} følger ikke med filen"),
    "not-in-archive": N_("tekstfilen {path} findes ikke i arkivets sources/-mappe"),
    "outside": N_(
        "tekstfilen {path} ligger uden for filen og læses kun fra en mappe, du tillader med --sources-dir MAPPE"
    ),
    "not-in-sources-dir": N_("tekstfilen {path} findes ikke i {folder}"),
    "link-out-of-sources-dir": N_("tekstfilen {path} er et symbolsk link ud af {folder} og læses ikke"),
}


def _source_text(
    rf: RefiFile, rsource: RSource, name: str, result: SourceResult, report: RefiImportReport
) -> str | None:
    """The source's text as written, or None when it has none to read (said so in ``report``)."""
    if rsource.content is not None and rsource.content.strip():
        return rsource.content
    data: bytes | None = None
    reason = "no-text"
    if rsource.plain_text_path:
        data, reason = rf.read_source_file(rsource.plain_text_path)
    if data is not None:
        return decode_raw(data, f"{rf.path}:{rsource.plain_text_path}")
    if reason == "missing-internal":
        raise TrivselError(
            _("{path}: kilden '{name}' peger på {plain_text_path}, men filen mangler i arkivet").format(
                path=rf.path, name=name, plain_text_path=rsource.plain_text_path
            ),
            _("eksportér projektet igen; intet er importeret"),
        )
    if reason == "no-text":
        why = (
            _("kilden har ingen ren tekst (kun formateret tekst)")
            if rsource.rich_text_path
            else _("kilden har ingen tekst")
        )
    else:
        why = _(_WHY_NOT_READ[reason]).format(path=rsource.plain_text_path, folder=rf.sources_dir)
    result.reason = why
    report.sources.append(result)
    codings = sum(len(s.codings) for s in rsource.selections) + len(rsource.codings)
    report.skipped.append(
        _("kilden '{name}': {why}; {n} markering(er) og {codings} kodning(er) er sprunget over").format(
            name=name, why=why, n=len(rsource.selections), codings=codings
        )
    )
    return None


def _choose_reading(
    pmap: PositionMap, rsource: RSource, own: dict[str, Any] | None, result: SourceResult
) -> ReadingChoice:
    """How the selections' positions are counted (our own files count code points, always)."""
    selections = [(s.start, s.end, s.name) for s in rsource.selections]
    if own is not None:
        choice = choose_reading(pmap, selections, (CODEPOINTS,))
    else:
        choice = choose_reading(pmap, selections)
    result.reading = pmap.effective(choice.reading).name if selections else None
    result.reading_scores = choice.scores if selections else {}
    result.on_word_boundary = choice.on_boundary
    return choice


def _own_passages(
    own: dict[str, Any],
    cases: list[RCase],
    rsource: RSource,
    name: str,
    text: str,
    warnings: list[str],
    result: SourceResult,
) -> tuple[list[ParsedParticipant], list[ParsedTurn] | None]:
    """Our own file's participants, and its passages when our note lists them and they fit the text."""
    own_cases = own.get("cases") or {}
    participants = [own_participant(own_cases[c.guid]) for c in cases if isinstance(own_cases.get(c.guid), dict)]
    by_case = {
        case.guid: own_participant(own_cases[case.guid]).label
        for case in cases
        if isinstance(own_cases.get(case.guid), dict)
    }
    listed = (own.get("passages") or {}).get(rsource.guid)
    if not isinstance(listed, list):
        return participants, None
    turns = _listed_turns(listed, by_case, text)
    if turns is None:
        warnings.append(
            _(
                "kilden '{name}': udsagnslisten i trivselkode-noten passer ikke til teksten; udsagn findes efter replikreglerne"
            ).format(name=name)
        )
    else:
        result.split = "trivselkode"
    return participants, turns


def _listed_turns(listed: list[Any], by_case: dict[str, str], text: str) -> list[ParsedTurn] | None:
    """The turns our note lists as ``[start, end, case GUID]``, or None when they do not fit the text."""
    turns = []
    last = 0
    for item in listed:
        try:
            start, end, case_guid = int(item[0]), int(item[1]), str(item[2]).upper()
        except (TypeError, ValueError, IndexError):
            return None
        label = by_case.get(case_guid)
        if label is None or not last <= start < end <= len(text):
            return None
        turns.append(ParsedTurn(speaker=label, start=start, end=end, text=text[start:end]))
        last = end
    return turns


def _case_participants(
    cases: list[RCase], name: str, doc: RefiDocument, warnings: list[str]
) -> list[ParsedParticipant]:
    """A participant for each case of the source (``Source: P1`` → ``P1``), with its variables as attributes."""
    participants: list[ParsedParticipant] = []
    for case in cases:
        label = case.name
        prefix = f"{name}: "
        if label.startswith(prefix) and len(label) > len(prefix):
            label = label[len(prefix) :]
        label = " ".join(label.split())[:255] or PARAGRAPH_SPEAKER
        if any(p.label.casefold() == label.casefold() for p in participants):
            continue
        participants.append(participant_from_case(label, variable_facts(case.values, doc.variables), warnings))
    return participants


def _turns_by_rules(
    text: str,
    name: str,
    own: dict[str, Any] | None,
    participants: list[ParsedParticipant],
    cases: list[RCase],
    rsource: RSource,
    pmap: PositionMap,
    reading: Reading,
    warnings: list[str],
    result: SourceResult,
) -> tuple[list[ParsedTurn], list[ParsedParticipant]]:
    """Turns by the rules of a ``.txt`` when they describe the text, else one per paragraph; and the participants."""
    from trivselkode.importers.metadata import ParticipantBook
    from trivselkode.importers.text import parse_turns

    book = ParticipantBook(participants)
    candidate = parse_turns(text, book, file=name)
    if candidate and (own is not None or _rules_describe(text, candidate)):
        if own is None:
            warnings.extend(w for w in book.warnings if _("ukendt deltager") not in w)
        result.split = "turns"
        return candidate, book.participants
    speaker = participants[0].label if len(participants) == 1 else PARAGRAPH_SPEAKER
    turns = _paragraphs(text, speaker)
    if not any(p.label == speaker for p in participants):
        participants.append(ParsedParticipant(label=speaker))
    result.split = "paragraphs"
    _assign_case_selections(turns, cases, rsource, pmap, reading, participants)
    return turns, participants


def _rules_describe(text: str, candidate: list[ParsedTurn]) -> bool:
    """Whether turns found by the rules describe a foreign text: labels on enough lines, little text before the first."""
    label_lines, nonblank = _label_lines(text, candidate)
    covered = sum(t.end - t.start for t in candidate)
    before = candidate[0].start if candidate else len(text)
    preamble = len(text[:before].strip())
    visible = len(text.strip()) or 1
    return (
        label_lines >= max(1, MIN_LABEL_LINE_SHARE * nonblank)
        and preamble <= MAX_PREAMBLE_SHARE * visible
        and covered > 0
    )


def _file_name(rsource: RSource, own: dict[str, Any] | None, name: str) -> str:
    """The name of the file the source came from, as our note or its path gives it."""
    file_name = ""
    if own is not None:
        file_name = str(((own.get("sources") or {}).get(rsource.guid) or {}).get("file_name") or "")
    if not file_name:
        path = rsource.plain_text_path or rsource.rich_text_path or name
        file_name = PurePosixPath(path.split("://", 1)[-1]).name or name
    return file_name


def _label_lines(text: str, turns: list[ParsedTurn]) -> tuple[int, int]:
    nonblank = sum(1 for line in text.split("\n") if line.strip())
    return len(turns), nonblank


def _paragraphs(text: str, speaker: str) -> list[ParsedTurn]:
    turns = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + (len(line) - len(line.lstrip()))
            turns.append(ParsedTurn(speaker=speaker, start=start, end=start + len(stripped), text=stripped))
        pos += len(line) + 1
    return turns


def _assign_case_selections(
    turns: list[ParsedTurn],
    cases: list[RCase],
    rsource: RSource,
    pmap: PositionMap,
    reading: Reading,
    participants: list[ParsedParticipant],
) -> None:
    """Paragraphs inside a case's selections are spoken by that case (NVivo case coding)."""
    selections = {s.guid: s for s in rsource.selections}
    claims: dict[int, set[str]] = defaultdict(set)
    labels = {p.label for p in participants}
    for case in cases:
        label = next(
            (p.label for p in participants if p.label == case.name or case.name.endswith(": " + p.label)), None
        )
        if label is None or label not in labels:
            continue
        for ref in case.selection_refs:
            sel = selections.get(ref)
            if sel is None:
                continue
            span = pmap.span(sel.start, sel.end, reading)
            if span is None:
                continue
            for i, t in enumerate(turns):
                if t.start < span[1] and t.end > span[0]:
                    claims[i].add(label)
    for i, who in claims.items():
        if len(who) == 1:
            turns[i].speaker = next(iter(who))
