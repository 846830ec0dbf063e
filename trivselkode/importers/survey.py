"""Importing a questionnaire's responses (CSV or XLSX) by its definition (SPEC §7b).

One row is one respondent. The file is read and checked whole before
anything is written: a value outside the scale (or no number, once the
``missing`` texts are removed), a column the definition names that the file
lacks, a column the definition does not know, an empty or repeated
respondent id, each is one line naming the file, the row (as a spreadsheet
numbers it: the header is row 1) and the column; then nothing is stored.

Then, in one transaction, the survey and its respondents are stored
(:func:`trivselkode.storage.surveys.store_survey`), and the open answers:

* with ``source``: the respondents are linked by label to the participants
  of that existing source (its open answers imported and coded before the
  scores came); every non-empty open answer must be that participant's
  passage text;
* else, when the definition has ``open_answers``: a new source of kind
  ``survey`` named as the survey, a participant per respondent and a passage
  per non-empty open-answer cell (rows in file order, columns in definition
  order), stored the way every source is
  (:func:`trivselkode.storage.source_store.insert_source`).

The same file with the same definition (and ``source``) again changes
nothing (``unchanged``); another file under a taken name is refused.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from sqlmodel import Session

from trivselkode.domain.survey_definition import SurveyDefinition, column_key, load_definition
from trivselkode.domain.text import content_hash
from trivselkode.errors import TrivselError
from trivselkode.i18n import _, format_integer, ngettext
from trivselkode.importers.base import ParsedParticipant, ParsedSource
from trivselkode.importers.metadata import MAX_AGE, MAX_FIELD, MAX_LABEL, parse_int
from trivselkode.importers.tabular import clean_cell, csv_rows, xlsx_rows
from trivselkode.importers.text import compose_transcript
from trivselkode.storage.db import Project
from trivselkode.storage.lookup import source_by_name
from trivselkode.storage.source_store import insert_source
from trivselkode.storage.surveys import (
    SURVEY_KEY,
    RespondentRow,
    SurveyRecord,
    participant_ids,
    passage_texts,
    same_survey,
    source_id_named,
    store_survey,
    stored_source_name,
)

__all__ = [
    "PreparedSurvey",
    "SurveyImportResult",
    "import_survey",
    "prepare_survey",
    "read_responses",
    "store_survey_file",
]

#: The problems gathered before giving up on a file (the first is shown, the rest counted).
_MAX_PROBLEMS = 1000
#: A cell not parsed yet (``None`` is a parsed missing answer).
_UNSEEN = object()


@dataclass
class SurveyImportResult:
    """What an import stored (or, ``unchanged``, found already stored)."""

    name: str
    respondents: int
    answers: int
    open_passages: int
    source_name: str | None
    unchanged: bool
    warnings: list[str] = field(default_factory=list)
    #: With ``source`` (an existing source linked): how many respondents have a participant there.
    linked: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``survey import --format json``."""
        return {
            "survey": self.name,
            "respondents": self.respondents,
            "answers": self.answers,
            "open_passages": self.open_passages,
            "source": self.source_name,
            "unchanged": self.unchanged,
            "warnings": list(self.warnings),
        }


@dataclass
class ParsedRespondent:
    """One respondent read from a row: their answers, attributes and open answers (with the row)."""

    row: int
    label: str
    round: str | None
    attributes: dict[str, Any]
    answers: list[float | None]  # in the order of the definition's items; None: missing
    open_answers: list[tuple[str, str]]  # (column, text) of each non-empty open answer, in definition order
    extra: dict[str, Any]  # the participant's other attributes: the round's and context's columns by name


@dataclass
class ParsedResponses:
    """A checked responses file."""

    file: str
    respondents: list[ParsedRespondent]
    columns: list[str]  # the header's names, as written
    warnings: list[str]

    @property
    def answers(self) -> int:
        """The answered items (missing ones not counted)."""
        return sum(len(r.answers) - r.answers.count(None) for r in self.respondents)

    @property
    def open_passages(self) -> int:
        return sum(len(r.open_answers) for r in self.respondents)


# ------------------------------------------------------------------------------------- problems


def _column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA); needed only to tell a problem."""
    from openpyxl.utils import get_column_letter  # loaded here: a file without problems never needs it

    return str(get_column_letter(index + 1))


@dataclass
class _Problems:
    """The problems of a file, each ``FILE: række R, kolonne X ('navn'): what`` with a hint."""

    file: str
    columns: list[str]
    found: list[tuple[str, str]] = field(default_factory=list)
    count: int = 0

    def add(self, row: int, column: int | None, message: str, hint: str) -> None:
        self.count += 1
        if len(self.found) >= _MAX_PROBLEMS:
            return
        if column is None:
            where = _("{file}: række {row}").format(file=self.file, row=row)
        else:
            name = self.columns[column] if column < len(self.columns) else ""
            where = _("{file}: række {row}, kolonne {letter} ({name})").format(
                file=self.file, row=row, letter=_column_letter(column), name=repr(name)
            )
        self.found.append((f"{where}: {message}", hint))

    def raise_any(self) -> None:
        """Raise the first problem (with how many more there are); nothing when there is none."""
        if not self.found:
            return
        message, hint = self.found[0]
        if self.count > 1:
            message += " " + _("(og {n} til)").format(n=format_integer(self.count - 1))
        raise TrivselError(message, hint + " – " + _("intet er gemt"))


# ------------------------------------------------------------------------------------- reading


def _picker(indexes: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """A function taking the cells at ``indexes`` out of a row, as a tuple (in C)."""
    if len(indexes) == 1:
        only = indexes[0]
        return lambda cells: (cells[only],)
    return itemgetter(*indexes)


def _table_rows(path: Path, warnings: list[str]) -> Iterable[tuple[int, Sequence[Any]]]:
    """The rows of a CSV or XLSX file, numbered as a spreadsheet numbers them."""
    if not path.is_file():
        raise TrivselError(_("{path}: filen findes ikke").format(path=path), _("tjek stien"))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return csv_rows(path, warnings)
    if suffix in (".xlsx", ".xlsm"):
        return xlsx_rows(path)
    raise TrivselError(
        _("{path}: spørgeskemasvar skal være en .csv- eller .xlsx-fil").format(path=path),
        _("gem svarene som CSV eller Excel-regneark (.xlsx)"),
    )


def _text(value: Any) -> str | None:
    """A cell as one line of text (white space runs as one space); ``None`` when empty."""
    value = clean_cell(value)
    if value is None:
        return None
    return " ".join(str(value).split()) or None


class _Reader:
    """Checks and reads the rows of one responses file against a definition."""

    def __init__(self, definition: SurveyDefinition, file: str) -> None:
        self.d = definition
        self.file = file
        self.problems = _Problems(file, [])
        self.warnings: list[str] = []
        self.missing = {m.strip().casefold() for m in definition.missing} | {""}
        self.low, self.high = definition.scale_min, definition.scale_max
        self.index: dict[str, int] = {}  # column key -> index in the file
        self.first_row_of: dict[str, int] = {}  # respondent id (casefolded) -> row
        self.bad_ages: list[int] = []
        self.ages: dict[Any, int | None] = {}

    # -- the header

    def header(self, row: int, raw: Sequence[Any]) -> None:
        """Match the header's columns with the definition's: each one known, none missing, none twice."""
        names = [_text(value) or "" for value in raw]
        self.problems.columns = names
        for i, name in enumerate(names):
            if not name:
                continue
            key = column_key(name)
            if key in self.index:
                self.problems.add(
                    row,
                    i,
                    _("kolonnen står to gange i første række (også i kolonne {letter})").format(
                        letter=_column_letter(self.index[key])
                    ),
                    _("giv hver kolonne sit eget navn"),
                )
                continue
            self.index[key] = i
        wanted = self._wanted()
        for i, name in enumerate(names):
            if name and column_key(name) not in wanted:
                self.problems.add(
                    row,
                    i,
                    _("ukendt kolonne; definitionen nævner den ikke"),
                    _("føj den til definitionen (som spørgsmål, attribut eller åbent svar), eller slet kolonnen"),
                )
        for key, name in wanted.items():
            if key not in self.index:
                self.problems.add(
                    row,
                    None,
                    _("filen mangler kolonnen {name}, som definitionen nævner").format(name=repr(name)),
                    _("tjek kolonnenavnene i første række mod definitionen"),
                )

    def _wanted(self) -> dict[str, str]:
        d = self.d
        names = [d.respondent, *([d.round] if d.round else []), *d.attributes, *d.open_answers, *d.items]
        return {column_key(name): name for name in names}

    def at(self, name: str) -> int:
        return self.index[column_key(name)]

    # -- the rows

    def rows(self, rows: Iterable[tuple[int, Sequence[Any]]]) -> list[ParsedRespondent]:
        """Every non-empty row as a respondent (problems gathered, rows with one skipped).

        Fast for 100,000 rows: a cell text is parsed once per column (Likert
        answers, sites and ages repeat), the rest looked up.
        """
        d = self.d
        id_at = self.at(d.respondent)
        round_at = self.at(d.round) if d.round else None
        attribute_at = [(self.at(column), column, standard) for column, standard in d.attributes.items()]
        open_at = [(self.at(column), column) for column in d.open_answers]
        item_at = [self.at(item) for item in d.items]
        pick = _picker(item_at)
        width = len(self.problems.columns)
        unnamed = [i for i, name in enumerate(self.problems.columns) if not name]
        values: dict[Any, float | None] = {}  # a cell -> its answer, for cells without a problem
        texts: dict[Any, str | None] = {}
        respondents: list[ParsedRespondent] = []
        for row, raw in rows:
            cells = list(raw)
            if not any(cells) and 0 not in cells:
                continue
            if len(cells) > width or unnamed:
                self._stray(row, cells, unnamed, width)
            if len(cells) < width:
                cells += [None] * (width - len(cells))
            label = self._label(row, cells[id_at], id_at, cells)
            answers = self._answers(row, cells, pick, item_at, values)
            if label is None:
                continue
            round_ = self._cached_text(cells[round_at], texts) if round_at is not None else None
            attributes, extra = self._attributes(row, cells, attribute_at, texts)
            if round_ is not None and d.round:
                extra[d.round] = round_
            opens = [(column, text) for i, column in open_at if (text := self._open(cells[i])) is not None]
            respondents.append(ParsedRespondent(row, label, round_, attributes, answers, opens, extra))
        return respondents

    def _answers(
        self,
        row: int,
        cells: list[Any],
        pick: Callable[[list[Any]], tuple[Any, ...]],
        item_at: list[int],
        values: dict[Any, float | None],
    ) -> list[float | None]:
        """The row's answers in the definition's item order, each distinct cell parsed once per file.

        The cells are looked up in ``values`` in one go; only cells not seen
        before are parsed, and ``True``/``False`` (equal to 1 and 0 as keys)
        always.
        """
        picked = pick(cells)
        answers: list[Any] = list(map(values.get, picked, repeat(_UNSEEN, len(picked))))
        if _UNSEEN not in answers and bool not in set(map(type, picked)):
            return answers
        for n, (i, cell) in enumerate(zip(item_at, picked)):
            if answers[n] is not _UNSEEN and cell.__class__ is not bool:
                continue
            before = self.problems.count
            answers[n] = value = self._value(row, cell, i)
            if self.problems.count == before and cell.__class__ is not bool:
                values[cell] = value
        return answers

    @staticmethod
    def _cached_text(cell: Any, texts: dict[Any, str | None]) -> str | None:
        key = cell if cell.__class__ is str else (cell.__class__, cell)
        if key not in texts:
            texts[key] = _text(cell)
        return texts[key]

    def _stray(self, row: int, cells: list[Any], unnamed: list[int], width: int) -> None:
        """A value in a column with no name (or past the header's last column) is a problem."""
        for i in [*unnamed, *range(width, len(cells))]:
            if i < len(cells) and _text(cells[i]) is not None:
                self.problems.add(
                    row,
                    i,
                    _("en værdi i en kolonne uden navn i første række"),
                    _("giv kolonnen et navn, som definitionen kender, eller slet værdien"),
                )
                return

    def _label(self, row: int, value: Any, column: int, cells: list[Any]) -> str | None:
        """The respondent's id: not empty, not too long, not seen in an earlier row."""
        label = _text(value)
        if label is None:
            if any(_text(cell) is not None for cell in cells):  # a row of spaces only is an empty row
                self.problems.add(row, column, _("respondentens id er tomt"), _("giv hver række et id"))
            return None
        if len(label) > MAX_LABEL:
            self.problems.add(
                row,
                column,
                _("respondentens id er længere end {n} tegn").format(n=MAX_LABEL),
                _("brug et kortere id"),
            )
            return None
        key = label.casefold()
        first = self.first_row_of.get(key)
        if first is not None:
            self.problems.add(
                row,
                column,
                _("respondenten {label} står også i række {first}").format(label=repr(label), first=first),
                _("giv hver respondent sit eget id (én række pr. respondent og runde)"),
            )
            return None
        self.first_row_of[key] = row
        return label

    def _value(self, row: int, value: Any, column: int) -> float | None:
        """An item's answer: a number on the scale, or ``None`` when missing."""
        if value is None:
            return None
        if isinstance(value, str):
            text = value.strip()
            if text.casefold() in self.missing:
                return None
            try:
                number = float(text.replace(",", ".", 1) if "," in text and "." not in text else text)
            except ValueError:
                self._bad(row, column, value)
                return None
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            number = float(value)
            if str(int(number) if number.is_integer() else number).casefold() in self.missing:
                return None
        else:
            self._bad(row, column, value)
            return None
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self._bad(row, column, value)
            return None
        return int(number) if number.is_integer() else number

    def _bad(self, row: int, column: int, value: Any) -> None:
        self.problems.add(
            row,
            column,
            _("{value} er ikke et svar på skalaen {low}–{high}").format(
                value=repr(value if isinstance(value, str) else clean_cell(value)), low=self.low, high=self.high
            ),
            _("ret værdien, eller føj den til `missing` i definitionen, hvis den betyder intet svar"),
        )

    def _open(self, value: Any) -> str | None:
        """An open answer's text (its own line breaks kept); ``None`` when empty or a missing text."""
        text = clean_cell(value)
        if text is None:
            return None
        text = str(text).strip()
        return None if text.casefold() in self.missing else text

    def _attributes(
        self, row: int, cells: list[Any], attribute_at: list[tuple[int, str, str]], texts: dict[Any, str | None]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The standard attributes (age a whole number) and the participant's others by column name."""
        attributes: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for i, column, standard in attribute_at:
            text = self._cached_text(cells[i], texts)
            if text is None:
                continue
            if standard == "age":
                age = self._age(cells[i], text)
                if age is None:
                    self.bad_ages.append(row)
                attributes["age"] = text if age is None else age
                continue
            attributes[standard] = text
            if standard == "context":
                extra[column] = text
        return attributes, extra

    def _age(self, cell: Any, text: str) -> int | None:
        """An age in whole years (0–130) or ``None``, parsed once per cell text."""
        key = cell if cell.__class__ is str else (cell.__class__, cell)
        if key not in self.ages:
            age = parse_int(clean_cell(cell))
            self.ages[key] = age if age is not None and 0 <= age <= MAX_AGE else None
        return self.ages[key]

    def age_warning(self) -> list[str]:
        if not self.bad_ages:
            return []
        column = next(c for c, s in self.d.attributes.items() if s == "age")
        rows = ", ".join(str(r) for r in self.bad_ages[:5]) + (" …" if len(self.bad_ages) > 5 else "")
        return [
            _(
                "{file}: kolonnen '{column}' har {n} alder(e), der ikke er hele år (række {rows}); de er gemt som tekst"
            ).format(file=self.file, column=column, n=len(self.bad_ages), rows=rows)
        ]


def read_responses(path: Path, definition: SurveyDefinition) -> ParsedResponses:
    """Read and check a responses file whole; :class:`TrivselError` (file, row, column) at the first problem."""
    path = Path(path)
    warnings: list[str] = []
    reader = _Reader(definition, str(path))
    rows = iter(_table_rows(path, warnings))
    for row, raw in rows:
        if any(_text(value) is not None for value in raw):
            reader.header(row, raw)
            break
    else:
        raise TrivselError(_("{path} er tom").format(path=path), _("første række skal navngive kolonnerne"))
    reader.problems.raise_any()
    respondents = reader.rows(rows)
    reader.problems.raise_any()
    if not respondents:
        raise TrivselError(
            _("{path} har ingen respondenter under første række").format(path=path), _("én række pr. respondent")
        )
    return ParsedResponses(str(path), respondents, reader.problems.columns, warnings + reader.age_warning())


# ------------------------------------------------------------------------------------- storing


def _digest(path: Path, definition: SurveyDefinition, source: str | None) -> str:
    """The identity of an import: the file's bytes, the definition and the linked source."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update(json.dumps(definition.to_dict(), sort_keys=True, ensure_ascii=False).encode())
    digest.update(json.dumps(source).encode())
    return digest.hexdigest()


def _participant(r: ParsedRespondent) -> ParsedParticipant:
    """The respondent as a participant of the open answers' source, as the tabular importer makes them."""
    participant = ParsedParticipant(label=r.label, role="participant", attributes=dict(r.extra))
    age = r.attributes.get("age")
    if isinstance(age, int):
        participant.age = age
    for standard in ("gender", "site"):
        value = r.attributes.get(standard)
        if value is None:
            continue
        if len(value) <= MAX_FIELD[standard]:
            setattr(participant, standard, value)
        else:
            participant.attributes[standard] = value
    return participant


def _open_source(name: str, path: Path, definition: SurveyDefinition, parsed: ParsedResponses) -> ParsedSource:
    """The open answers as a survey source: a participant per respondent, a passage per answer."""
    text, turns = compose_transcript(
        (r.label, answer, None, None) for r in parsed.respondents for _column, answer in r.open_answers
    )
    return ParsedSource(
        name=name,
        text=text,
        file_name=path.name,
        metadata={"kind": "survey", "title": definition.title, SURVEY_KEY: name},
        participants=[_participant(r) for r in parsed.respondents],
        turns=turns,
    )


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_FIELD["name"]:
        raise TrivselError(
            _("spørgeskemaets navn skal være 1–{n} tegn").format(n=MAX_FIELD["name"]), _("vælg et andet med --name")
        )
    return name


@dataclass(frozen=True)
class PreparedSurvey:
    """A responses file read and checked against its definition, ready to store (:func:`store_survey_file`)."""

    path: Path
    definition: SurveyDefinition
    name: str
    source: str | None
    parsed: ParsedResponses
    digest: str


def prepare_survey(
    responses: Path, definition: Path | SurveyDefinition, name: str | None = None, source: str | None = None
) -> PreparedSurvey:
    """Read and check the definition and the responses, touching no project (errors: file, row, column)."""
    responses = Path(responses)
    if not isinstance(definition, SurveyDefinition):
        definition = load_definition(Path(definition))
    name = _check_name(name if name is not None else responses.stem)
    parsed = read_responses(responses, definition)
    return PreparedSurvey(responses, definition, name, source, parsed, _digest(responses, definition, source))


def import_survey(
    project: Project,
    responses: Path,
    definition: Path | SurveyDefinition,
    name: str | None = None,
    source: str | None = None,
) -> SurveyImportResult:
    """Import ``responses`` by ``definition`` as the survey ``name`` (default: the file's stem), in one transaction.

    ``source``: link the respondents to that existing source's participants
    instead of storing the open answers anew (see the module doc).
    """
    return store_survey_file(project, prepare_survey(responses, definition, name, source))


def store_survey_file(project: Project, prepared: PreparedSurvey) -> SurveyImportResult:
    """Store a prepared survey in one transaction; ``unchanged`` when the same import is stored already."""
    name, responses, definition, parsed, digest, source = (
        prepared.name,
        prepared.path,
        prepared.definition,
        prepared.parsed,
        prepared.digest,
        prepared.source,
    )
    result = SurveyImportResult(
        name=name,
        respondents=len(parsed.respondents),
        answers=parsed.answers,
        open_passages=parsed.open_passages,
        source_name=source,
        unchanged=False,
        warnings=list(parsed.warnings),
    )
    with project.write() as session:
        existing = same_survey(session, name)
        if existing is not None:
            if existing[1] != digest:
                raise TrivselError(
                    _("spørgeskemaet '{name}' findes allerede med andre svar eller en anden definition").format(
                        name=name
                    ),
                    _(
                        "slet det først med `trivselkode survey remove {name}`, eller indlæs under et andet navn med --name"
                    ).format(name=name),
                )
            result.unchanged = True
            result.warnings = []
            result.source_name = stored_source_name(session, existing[0])
            return result
        source_id, participants = _store_open_answers(session, name, responses, definition, parsed, source, result)
        store_survey(
            session,
            SurveyRecord(name, definition, responses.name, digest, source_id),
            [
                RespondentRow(r.label, r.round, r.attributes, r.answers, participants.get(r.label.casefold()))
                for r in parsed.respondents
            ],
        )
    return result


def _store_open_answers(
    session: Session,
    name: str,
    path: Path,
    definition: SurveyDefinition,
    parsed: ParsedResponses,
    source: str | None,
    result: SurveyImportResult,
) -> tuple[int | None, dict[str, int]]:
    """The open answers' source id and its participants' ids by casefolded label (linked, stored or none)."""
    if source is not None:
        return _link_source(session, source, definition, parsed, result)
    if not parsed.open_passages:
        if definition.open_answers:
            result.warnings.append(
                _("{file}: ingen respondent har et åbent svar, så der er ingen kilde med åbne svar").format(file=path)
            )
        result.source_name = None
        return None, {}
    if source_id_named(session, name) is not None:
        raise TrivselError(
            _("kilden '{name}' findes allerede, så de åbne svar kan ikke gemmes under det navn").format(name=name),
            _(
                "knyt svarene til den med --source {name}, hvis det er de samme åbne svar, eller vælg et andet navn med --name"
            ).format(name=name),
        )
    from trivselkode.importers.pipeline import CPR_RE, segment  # spaCy: only when there are open answers

    open_source = _open_source(name, path, definition, parsed)
    if CPR_RE.search(open_source.text):
        result.warnings.append(
            _(
                "{name}: de åbne svar ser ud til at indeholde et CPR-nummer – fjern det, eller brug --pseudonymize ved eksport"
            ).format(name=path.name)
        )
    source_id = insert_source(session, open_source, content_hash(open_source.text), segment(open_source))
    result.source_name = name
    return source_id, {label.casefold(): pid for label, pid in participant_ids(session, source_id).items()}


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _link_source(
    session: Session, source: str, definition: SurveyDefinition, parsed: ParsedResponses, result: SurveyImportResult
) -> tuple[int, dict[str, int]]:
    """Link to the existing ``source``: its participants by label; every open answer must be their passages."""
    source_id = cast(int, source_by_name(session, source).id)
    ids = {label.casefold(): pid for label, pid in participant_ids(session, source_id).items()}
    texts = passage_texts(session, source_id) if definition.open_answers else {}
    problems = _Problems(parsed.file, parsed.columns)
    keys = [column_key(c) for c in parsed.columns]
    unlinked = 0
    for r in parsed.respondents:
        pid = ids.get(r.label.casefold())
        unlinked += pid is None
        if not r.open_answers:
            continue
        stored = texts.get(pid, []) if pid is not None else []
        answers = [text for _column, text in r.open_answers]
        if len(stored) == len(answers) and all(map(_same_text, answers, stored)):
            continue
        differs = next((i for i, text in enumerate(answers) if i >= len(stored) or not _same_text(text, stored[i])), 0)
        column = keys.index(column_key(r.open_answers[differs][0]))
        problems.add(
            r.row,
            column,
            _("det åbne svar er ikke det, {label} sagde i kilden '{source}'").format(label=repr(r.label), source=source)
            if pid is not None
            else _("{label} har et åbent svar, men er ikke deltager i kilden '{source}'").format(
                label=repr(r.label), source=source
            ),
            _("knyt til den kilde, de åbne svar blev importeret i, eller indlæs uden --source"),
        )
    problems.raise_any()
    if unlinked:
        result.warnings.append(
            ngettext(
                "{n} respondent har ingen deltager i kilden '{source}' og er ikke knyttet til den",
                "{n} respondenter har ingen deltager i kilden '{source}' og er ikke knyttet til den",
                unlinked,
            ).format(n=format_integer(unlinked), source=source)
        )
    result.source_name = source
    result.linked = len(parsed.respondents) - unlinked
    return source_id, ids
