"""Speaker labels: which lines start a turn, and what a label says about its speaker.

Used by the turn syntax of ``.txt``, ``.md`` and ``.docx`` transcripts (see
:mod:`trivselkode.importers.text`). Nothing here touches the database or spaCy.

A *candidate* is the start of a line up to its first colon, when that colon
is followed by a space, a tab or the end of the line (so ``kl. 10:30`` and
``https://…`` never are)::

    [wrapper] BASE [(NOTE)] [wrapper] : [wrapper]

``BASE`` is 1–40 characters: letters, digits, spaces and ``._-'``, starting
with a letter or digit. ``NOTE`` is up to 40 characters in parentheses
(``Mand (70)``, ``P2 (kvinde, 34 år)``, ``Interviewer (Mette)``). The wrapper
is Markdown bold (``**I:**``, ``**I**:``, ``__I__:``) or square brackets
(``[I]:``). Whether a candidate is a label is decided on its base (see
:func:`is_speaker_label`); a candidate that is not one but still looks like a
label (:func:`looks_like_label`) is reported, never silently glued to the
turn before it.

What the note says becomes the participant's attributes unless the metadata
says otherwise: a gender (``kvinde``, ``mand``, ``pige``, ``dreng``, ``k``,
``m`` …) and an age (``70``, ``34 år``, ``34-årig``). A base that is itself a
gender word (``Mand``, ``Kvinde med barnevogn``) gives the gender too.

Which participant a label names: ``P2 (kvinde)`` and a later ``P2`` are one
person (``P2``), but ``Mand (70)`` and ``Mand (45)`` in a voxpop are two, and
so are ``Interviewer (Mette)`` and ``Interviewer (Jens)``: the note is part of
the participant's label when the base is a generic word for a person
(``Mand``, ``Kvinde``, ``Deltager`` …) or when the note holds more than a
gender and an age (a name, say). A base declared in the metadata is always
that participant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from trivselkode.domain.vocabulary import INTERVIEWER_LABELS
from trivselkode.errors import TrivselError
from trivselkode.i18n import _

__all__ = [
    "CANDIDATE",
    "GENERIC_PERSONS",
    "SENTENCE_OPENERS",
    "SENTENCE_WORDS",
    "Candidate",
    "LabelInfo",
    "candidate_at",
    "compile_speaker_pattern",
    "is_speaker_label",
    "label_info",
    "looks_like_label",
]

CANDIDATE = re.compile(
    r"""
    ^[ \t]*
    (?P<open>\*\*|__|\[)?[ \t]*
    (?P<base>[^\W_][\w.\-'’ \t]{0,39}?)
    (?:[ \t]*\((?P<note>[^()\n:]{1,40})\))?
    [ \t]*(?P<close>\*\*|__|\])?
    :(?P<after>\*\*|__)?
    (?=[ \t]|$)
    """,
    re.MULTILINE | re.VERBOSE,
)
_CODE = re.compile(r"[^\W\d_]{1,3}[-_.]?\d{1,3}")
# Words that make a line start a sentence rather than a label ("Pointen er:",
# "Bagefter tænkte jeg:"): common verbs, pronouns and "ikke".
SENTENCE_WORDS = frozenset(
    """
    er var har havde siger sagde sagt tænker tænkte mener mente synes syntes spørger spurgte svarer svarede
    skriver skrev hedder lyder blev bliver kan kunne vil ville skal skulle må måtte gør gjorde går gik kom
    kommer får fik ser så sidder sad står stod ved vidste tror troede ikke jeg du han hun vi de man den det
    mig dig ham hende os dem sig
    """.split()
)
MAX_LABEL_WORDS = 4
MAX_GUESSED_WORDS = 3
MAX_LOOKALIKE_WORDS = 5

# Words that open ordinary Danish sentences with a colon ("Nej: …", "Men: …");
# a first word among them is not taken for a speaker unless declared.
SENTENCE_OPENERS = frozenset(
    """
    altså bemærk bl.a både citat da de dem den denne der derfor dernæst desuden det dette disse du dvs
    eks eksempel eksempelvis eller ellers endelig enten f.eks fordi fx først godt han her hmm hun hvad
    hvem hvis hvor hvordan hvorfor ikke ingen især ja jamen jeg jo kort man med men min mit mine
    nb nej nemlig nogen noget note nu nå når obs og ok okay også resultat så sådan som tja vel vi vores
    øh øhm
    """.split()
)

# Gender words, as a label's base or in its note, and the gender they give.
GENDERS = {
    "kvinde": "kvinde",
    "kvinden": "kvinde",
    "kvindelig": "kvinde",
    "dame": "kvinde",
    "damen": "kvinde",
    "k": "kvinde",
    "female": "kvinde",
    "mand": "mand",
    "manden": "mand",
    "mandlig": "mand",
    "herre": "mand",
    "herren": "mand",
    "m": "mand",
    "male": "mand",
    "pige": "pige",
    "pigen": "pige",
    "dreng": "dreng",
    "drengen": "dreng",
    "nonbinær": "nonbinær",
}
# Bare nouns for a person, as written in a label ("Kvinde med barnevogn",
# "Deltager 3"). In running Danish such a noun needs an article ("En kvinde
# sagde:"), so a line opening with one is a label, not a sentence.
GENERIC_PERSONS = frozenset(
    """
    kvinde mand pige dreng dame herre barn ung ældre deltager bruger låner gæst borger forælder
    besøgende informant respondent interviewperson person bibliotekar medarbejder frivillig studerende
    elev pensionist
    """.split()
)
_ADJECTIVES = frozenset("ung ældre yngre midaldrende gammel".split())
_PERSON_NOUNS = GENERIC_PERSONS - _ADJECTIVES
_AGE = re.compile(r"(?:ca\.?\s*)?(\d{1,3})(?:\s*år|\s*-\s*årig|\s*årig)?")
MAX_AGE = 130


@dataclass(frozen=True)
class Candidate:
    """A label candidate at the start of a line (see the module doc)."""

    base: str  # whitespace collapsed
    note: str | None  # whitespace collapsed, without the parentheses
    wrapped: bool
    line_start: int
    content_start: int  # where the turn's text may begin

    @property
    def text(self) -> str:
        """The label as written (whitespace collapsed): ``Mand (70)``."""
        return f"{self.base} ({self.note})" if self.note else self.base


def _collapse(text: str) -> str:
    return " ".join(text.split())


def candidate_at(match: re.Match[str]) -> Candidate | None:
    """The :class:`Candidate` of a :data:`CANDIDATE` match, or None when its wrapper is unbalanced."""
    opened, close, after = match.group("open"), match.group("close"), match.group("after")
    if opened is None:
        if close or after:
            return None
    elif opened == "[":
        if close != "]" or after:
            return None
    elif [m for m in (close, after) if m] != [opened]:
        return None  # bold needs exactly one closing marker: **I:** or **I**:
    note = match.group("note")
    return Candidate(
        base=_collapse(match.group("base")),
        note=_collapse(note) if note and note.strip() else None,
        wrapped=opened is not None,
        line_start=match.start(),
        content_start=match.end(),
    )


def _first_word(words: list[str]) -> str:
    return words[0].casefold().rstrip(".")


def is_speaker_label(label: str, known: Callable[[str], bool] | None = None, *, wrapped: bool = False) -> bool:
    """Whether the base ``label`` of a candidate names a speaker.

    Accepted are: a label for which ``known`` is true (the declared and
    already met labels), an interviewer label (``I``, ``INT``, ``Interviewer``,
    ``Intervieweren``), a short code (``P1``, ``D2``, ``IP3``, ``R-12``), one
    to three words starting with capitals or numbers (``Karen``, ``Kvinde 1``,
    ``Anne Marie``) or a bare noun for a person and up to three more words
    (``Kvinde med barnevogn``, ``Ung mand``) – unless the first word opens
    ordinary sentences (``Men``, ``Nej``, ``Det`` …, :data:`SENTENCE_OPENERS`).
    A wrapped label (``**Kvinden ved skranken:**``) needs only the word limits.
    """
    words = label.split()
    if not words:
        return False
    label = " ".join(words)
    if known is not None and known(label):
        return True
    folded = label.casefold()
    if len(words) > MAX_LABEL_WORDS:
        return False
    if folded in INTERVIEWER_LABELS or _CODE.fullmatch(label):
        return True
    first = _first_word(words)
    if first in SENTENCE_OPENERS:
        return False
    if wrapped:
        return True
    if len(words) >= 2 and (
        first in _PERSON_NOUNS
        and words[0][0].isupper()
        or first in _ADJECTIVES
        and words[1].casefold() in _PERSON_NOUNS
        and words[0][0].isupper()
    ):
        return True
    if len(words) > MAX_GUESSED_WORDS or not words[0][0].isupper():
        return False
    return all(word[0].isupper() or word.isdigit() for word in words[1:])


def looks_like_label(candidate: Candidate) -> bool:
    """Whether a candidate that is no label still looks like one (and is worth a warning).

    Short (at most five words), not opening like an ordinary sentence, and
    wrapped, or with a note in parentheses, or starting with a capital or
    digit and without a verb or pronoun (:data:`SENTENCE_WORDS`) after a
    first word that is no bare noun for a person: ``Anne Marie Holm Jensen``
    and ``Kvinde med barnevogn og hund`` look like labels, ``Pointen er``
    and ``Bagefter tænkte jeg`` do not.
    """
    words = candidate.base.split()
    first = _first_word(words) if words else ""
    if not words or len(words) > MAX_LOOKALIKE_WORDS or first in SENTENCE_OPENERS:
        return False
    if candidate.wrapped or candidate.note is not None:
        return True
    if not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    return first in _PERSON_NOUNS or not any(word.casefold() in SENTENCE_WORDS for word in words[1:])


# --------------------------------------------------------------------------- what a label says


@dataclass(frozen=True)
class LabelInfo:
    """What a label says: the participant it names, its role and attributes."""

    label: str  # the participant's label
    base: str
    gender: str | None
    age: int | None
    interviewer: bool


def _age(text: str) -> int | None:
    match = _AGE.fullmatch(text)
    if match is None:
        return None
    age = int(match.group(1))
    return age if age <= MAX_AGE else None


def parse_note(note: str) -> tuple[str | None, int | None, list[str]]:
    """A label's note as ``(gender, age, the rest)``: ``"kvinde, 34 år"`` → ``("kvinde", 34, [])``."""
    gender: str | None = None
    age: int | None = None
    rest: list[str] = []
    for raw in re.split(r"[,;/]", note):
        item = " ".join(raw.split())
        if not item:
            continue
        folded = item.casefold()
        if gender is None and folded in GENDERS:
            gender = GENDERS[folded]
            continue
        if age is None and (value := _age(folded)) is not None:
            age = value
            continue
        if gender is None and age is None:  # "kvinde 34 år", "34 år kvinde"
            head, _, tail = folded.partition(" ")
            last_start, _, last = folded.rpartition(" ")
            if head in GENDERS and _age(tail) is not None:
                gender, age = GENDERS[head], _age(tail)
                continue
            if last in GENDERS and _age(last_start) is not None:
                gender, age = GENDERS[last], _age(last_start)
                continue
        rest.append(item)
    return gender, age, rest


def label_info(candidate: Candidate, declared: set[str] | frozenset[str] = frozenset()) -> LabelInfo:
    """Which participant the accepted ``candidate`` names, and what it says about them.

    ``declared``: the casefolded labels declared in the metadata.
    """
    base, note = candidate.base, candidate.note
    words = base.split()
    gender = GENDERS.get(words[0].casefold()) if words else None
    age: int | None = None
    rest: list[str] = []
    if note is not None:
        note_gender, age, rest = parse_note(note)
        gender = note_gender or gender
    interviewer = base.casefold() in INTERVIEWER_LABELS
    label = base
    if note is not None:
        full = candidate.text
        if full.casefold() in declared:
            label = full
        elif base.casefold() not in declared and (rest or (len(words) == 1 and words[0].casefold() in GENERIC_PERSONS)):
            label = full
    return LabelInfo(label=label, base=base, gender=gender, age=age, interviewer=interviewer)


# --------------------------------------------------------------------------- user-defined labels


def compile_speaker_pattern(pattern: str, where: str) -> re.Pattern[str]:
    """A user's label pattern (``--speaker-pattern`` or ``speaker_pattern:``), checked.

    The pattern is matched at the start of each line; the label is its group
    ``label``, else its first group, else the whole match without a final
    colon. The turn's text begins after the match.
    """
    try:
        compiled = re.compile(pattern, re.MULTILINE)
    except re.error as exc:
        raise TrivselError(
            _("{where}: '{pattern}' er ikke et gyldigt regulært udtryk ({exc})").format(
                where=where, pattern=pattern, exc=exc
            ),
            hint=_("skriv fx '^(?P<label>[A-ZÆØÅ][a-zæøå]+) >' – gruppen 'label' er taleren"),
        ) from None
    if compiled.fullmatch("") is not None:
        raise TrivselError(
            _("{where}: '{pattern}' passer også på en tom linje, så hver linje ville blive en replik").format(
                where=where, pattern=pattern
            ),
            hint=_("udtrykket skal kræve mindst ét tegn, fx '^(?P<label>\\w+) >'"),
        )
    return compiled


def pattern_label(match: re.Match[str]) -> str:
    """The label a user pattern's match names (see :func:`compile_speaker_pattern`)."""
    if "label" in match.re.groupindex:
        text = match.group("label")
    elif match.re.groups:
        text = match.group(1)
    else:
        text = match.group(0).strip().rstrip(":").strip("*[] \t")
    return _collapse(text or "")
