"""Pseudonymisation of exported text: names, CPR numbers, phone numbers, e-mails.

Used by every export that may carry what people said or who they are::

    pseudo = Pseudonymizer.from_project(project, lang="da")
    pseudo.text("Ring til Anne på 12 34 56 78")   # "Ring til [Navn 1] på [Telefon]"
    pseudo.label("Anne")                         # "[Navn 1]"
    pseudo.label("P1")                           # "P1" (a code, not a name)

Replaced, in this order:

- e-mail addresses → ``[E-mail]`` (en ``[Email]``);
- CPR numbers, ``DDMMYY-NNNN`` with or without the dash, with a valid day
  and month → ``[CPR]``;
- Danish phone numbers: eight digits, optionally after ``+45``/``0045``,
  written together or in groups (``12345678``, ``12 34 56 78``,
  ``1234 5678``) → ``[Telefon]`` (en ``[Phone]``);
- names → ``[Navn N]`` (en ``[Name N]``): the labels of participants that are
  names rather than codes (``Anne``, ``Karen Marie`` but not ``P1``, ``I``,
  ``R3``, ``INT``), and the people listed in a source's metadata
  (``names: [...]``). A full name and each of its parts get the same number;
  numbers follow the sources in name order, so they are stable for a project.
  Names match whole words, case-sensitively (the verb "bo" is not the name
  "Bo"), also in the genitive ("Annes" → "[Navn 1]s").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

PLACEHOLDERS = {
    "da": {"name": "Navn", "cpr": "[CPR]", "phone": "[Telefon]", "email": "[E-mail]"},
    "en": {"name": "Name", "cpr": "[CPR]", "phone": "[Phone]", "email": "[Email]"},
}

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
CPR_RE = re.compile(r"(?<![\d-])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}[-\u2010\u2011\u2013]?\d{4}(?![\d])")
PHONE_RE = re.compile(r"(?<![\d+])(?:(?:\+|00)45[ \u00a0]?)?\d{2}(?:[ \u00a0]?\d{2}){3}(?![\d])")

# Labels that are roles or codes, never names.
_ROLE_WORDS = {
    "i",
    "int",
    "interviewer",
    "intervieweren",
    "deltager",
    "deltageren",
    "participant",
    "respondent",
    "informant",
    "moderator",
    "speaker",
    "taler",
    "kvinde",
    "mand",
    "pige",
    "dreng",
    "barn",
    "bibliotekar",
    "bibliotekaren",
    "personale",
    "spørger",
    "ukendt",
    "unknown",
}
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’\-]*(?:[-'’][^\W\d_]+)*\.?$")


def is_name(label: str) -> bool:
    """Whether a participant label is a person's name rather than a code.

    Codes: anything with a digit (``P1``, ``R-3``, ``Kvinde 2``), all-capital
    abbreviations (``I``, ``INT``, ``IP``), role words (``Interviewer``,
    ``Deltager``). Names: one to four words, each starting with a capital
    letter followed by at least one small letter (``Bo``, ``Anne Marie``,
    ``Jens-Ole``).
    """
    label = label.strip()
    if not label or any(ch.isdigit() for ch in label) or "_" in label:
        return False
    words = label.split()
    if not 1 <= len(words) <= 4:
        return False
    if label.casefold() in _ROLE_WORDS or words[0].casefold() in _ROLE_WORDS:
        return False
    for word in words:
        if not _NAME_WORD.match(word):
            return False
        if not word[0].isupper():
            return False
        if word.rstrip(".").isupper():
            return False
    return True


def _names_in(value: Any) -> list[str]:
    """Names in a metadata value: a string, a list of strings, or mappings with a name."""
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[,;]", value) if v.strip()]
    if isinstance(value, dict):
        for key in ("name", "navn"):
            if isinstance(value.get(key), str):
                return [value[key].strip()]
        return []
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for item in value:
            out.extend(_names_in(item))
        return out
    return []


class Pseudonymizer:
    """Replaces names, CPR numbers, phone numbers and e-mail addresses with placeholders."""

    def __init__(self, names: Iterable[str] = (), lang: str = "da") -> None:
        self.lang = lang if lang in PLACEHOLDERS else "da"
        self._words = PLACEHOLDERS[self.lang]
        self._numbers: dict[str, int] = {}  # casefolded full name -> number
        self._forms: dict[str, int] = {}  # exact form (full name or part) -> number
        for name in names:
            self.add_name(name)
        self._pattern: re.Pattern[str] | None = None

    # ------------------------------------------------------------ building

    @classmethod
    def if_asked(cls, project: Any, enabled: bool, lang: str = "da") -> Pseudonymizer | None:
        """The project's pseudonymizer when ``--pseudonymize`` was given, else ``None``."""
        return cls.from_project(project, lang) if enabled else None

    @classmethod
    def from_project(cls, project: Any, lang: str = "da") -> Pseudonymizer:
        """The names of a project's participants (where labels are names) and metadata."""
        with project.read() as session:
            return cls.from_session(session, lang)

    @classmethod
    def from_session(cls, session: Any, lang: str = "da") -> Pseudonymizer:
        from sqlmodel import select

        from trivselkode.storage.models import Participant, Source

        sources = session.exec(select(Source.id, Source.name, Source.extra).order_by(Source.name)).all()
        labels: dict[int, list[str]] = {}
        for source_id, label in session.exec(select(Participant.source_id, Participant.label).order_by(Participant.id)):
            labels.setdefault(source_id, []).append(label)
        names: list[str] = []
        for source_id, _name, extra in sources:
            names.extend(label for label in labels.get(source_id, []) if is_name(label))
            for key in ("names", "navne"):
                names.extend(_names_in((extra or {}).get(key)))
        return cls(names, lang)

    def add_name(self, name: str) -> None:
        name = " ".join(name.split())
        if len(name) < 2:
            return
        key = name.casefold()
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers) + 1
        number = self._numbers[key]
        self._forms.setdefault(name, number)
        words = name.split()
        if len(words) > 1:
            for word in words:
                word = word.rstrip(".")
                if len(word) >= 2 and word[0].isupper() and word.casefold() not in _ROLE_WORDS:
                    self._forms.setdefault(word, number)
        self._pattern = None

    @property
    def names(self) -> list[str]:
        return list(self._forms)

    # ------------------------------------------------------------ using

    def placeholder(self, number: int) -> str:
        return f"[{self._words['name']} {number}]"

    def label(self, participant_label: str) -> str:
        """A participant's label: its placeholder when it is a name, else unchanged."""
        key = " ".join(participant_label.split())
        number = self._forms.get(key) or self._numbers.get(key.casefold())
        if number is not None:
            return self.placeholder(number)
        if is_name(participant_label):
            self.add_name(participant_label)
            return self.placeholder(self._numbers[key.casefold()])
        return self.text(participant_label)

    def text(self, s: str | None) -> str:
        """``s`` with every e-mail, CPR number, phone number and known name replaced."""
        if not s:
            return s or ""
        s = EMAIL_RE.sub(self._words["email"], s)
        s = CPR_RE.sub(self._words["cpr"], s)
        s = PHONE_RE.sub(self._words["phone"], s)
        pattern = self._name_pattern()
        if pattern is not None:
            s = pattern.sub(lambda m: self.placeholder(self._forms[" ".join(m.group(1).split())]), s)
        return s

    def _name_pattern(self) -> re.Pattern[str] | None:
        if not self._forms:
            return None
        if self._pattern is None:
            forms = sorted(self._forms, key=lambda f: (-len(f), f))
            alternatives = "|".join(r"\s+".join(re.escape(w) for w in form.split()) for form in forms)
            # A whole word, or the word with a genitive s ("Annes").
            self._pattern = re.compile(rf"(?<![\w\[])({alternatives})(?=s?\b)")
        return self._pattern
