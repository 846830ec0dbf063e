"""Pseudonymisation of exported text: names, sources, CPR numbers, phone numbers, e-mails.

Used by every export that may carry what people said or who they are::

    pseudo = Pseudonymizer.from_project(project, lang="da")
    pseudo.text("Ring til ANNE på 12-34-56-78")  # "Ring til [Navn 1] på [Telefon]"
    pseudo.label("anne")                         # "[Navn 1]"
    pseudo.label("P1")                           # "P1" (a code, not a name)
    pseudo.source("interview-anne-hansen")       # "Kilde 1"

Replaced, in this order (a stretch once replaced is not looked at again):

- e-mail addresses → ``[E-mail]`` (en ``[Email]``);
- the names of sources that hold a known name (see below) → ``Kilde N``;
- CPR numbers: six digits of a real date (day 01–31 within the month's
  length, month 01–12) and four more, with a dash, a space or nothing
  between (``020285-1235``, ``020285 1235``, ``0202851235``) → ``[CPR]``. Ten
  digits that are no date stay;
- Danish phone numbers: eight digits, optionally after ``+45``, ``0045`` or
  ``(+45)``, written together (``12345678``), in pairs with one kind of
  separator (``12 34 56 78``, ``12-34-56-78``, ``12.34.56.78``) or in fours
  (``1234 5678``) → ``[Telefon]`` (en ``[Phone]``). A date such as
  ``12.03.2024`` mixes its separators and is no phone number;
- names → ``[Navn N]`` (en ``[Name N]``).

Which names are known: the labels of participants that are names rather
than codes or roles, in any case (``Anne``, ``MORTEN``, ``lise``, ``Karen
Marie``, but not ``P1``, ``I``, ``INT``, ``A``, ``Interviewer``,
``deltager``; see :func:`is_name`), a name in a label's note
(``Interviewer (Mette)``), and the people listed in a source's metadata
(``names: [...]``). A full name and each of its parts get the same number;
numbers follow the sources in name order, so the same project gives the
same placeholders in every export.

How names are found in text, whole words only:

- a *full name* — two or more parts of one known name next to each other,
  separated by spaces or a hyphen — in any case: ``Karen Hansen``, ``KAREN
  HANSEN``, ``karen hansen``, ``Hansen Karen``;
- a *single part* in any case (``KAREN``, ``karen``, ``Hansen``), unless the
  part is also an ordinary Danish word — the lower-case words of spaCy's
  Danish lemma table (``spacy-lookups-data``) — such as Bo, Per, Dag, Mark,
  Sten, Tim, Ask, Rose, Maj, Lise, Hans, Jens: such a part is replaced only
  when it is capitalised as a name (``Bo`` but not the verb ``bo`` nor
  ``BO``). A capital at the start of a sentence counts as capitalised, so
  "Per dag …" becomes "[Navn N] dag …" when a Per is known;
- each also in the genitive: ``Karens``, ``KARENS``, ``Karen Hansens`` →
  ``[Navn 1]s``; where the genitive is itself a word (``karens``, a waiting
  period) it is replaced unless written in small letters.

Measured on the bundled demo (``trivselkode demo``): the 24 replacements in
its 550 texts are all staff names; a rule matching any case without the
ordinary-word exception would also have taken "dag" (23 times), "hans" (4)
and "bo" (1) had Dag, Hans or Bo been known names.

A source's name comes from its file name (``interview-karen-hansen``); a
source whose name holds a part of a known name in any case, or anything
else that would be replaced, gets a neutral name ``Kilde N`` (en ``Source
N``), numbered in name order among such sources (a number another source is
already called by is skipped), and that name stands for it in every export,
also where its old name occurs in text (a memo).

A key from placeholders back to the originals is written only when asked
(:func:`write_key`, ``--key FILE``), never beside an export by default.

Beside this module: :mod:`~trivselkode.export.pseudonym_names` (which labels
are names, the Danish vocabulary) and :mod:`~trivselkode.export.pseudonym_key`
(the key file).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from typing import Any

from trivselkode.export.pseudonym_key import check_key_target, key_document, write_key
from trivselkode.export.pseudonym_names import (
    WORD_RE,
    is_capitalised,
    is_name,
    is_ordinary_word,
    label_names,
    name_parts,
    names_in,
)
from trivselkode.i18n import N_, gettext_for, normalize

__all__ = [
    "CPR_RE",
    "EMAIL_RE",
    "PHONE_RE",
    "PLACEHOLDERS",
    "Pseudonymizer",
    "check_key_target",
    "is_name",
    "is_ordinary_word",
    "key_document",
    "shift",
    "write_key",
]

#: The placeholders' words, as message ids (Danish), in the export's language: "[Navn 1]" / "[Name 1]".
PLACEHOLDERS = {
    "name": N_("Navn"),
    "source": N_("Kilde"),
    "cpr": N_("[CPR]"),
    "phone": N_("[Telefon]"),
    "email": N_("[E-mail]"),
}

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# Day, month, year, then a dash (maybe spaced), a space, or nothing, then the serial number.
CPR_RE = re.compile(
    r"(?<![\d])(\d{2})(\d{2})\d{2}(?:[ \u00a0]?[-\u2010\u2011\u2012\u2013][ \u00a0]?|[ \u00a0])?\d{4}(?![\d])"
)
_PHONE_SEP = "[ \u00a0.\\-\u2010\u2011\u2013]"
PHONE_RE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)45[ \u00a0\-]?|\(\+?45\)[ \u00a0]?)?"
    rf"(?:\d{{2}}(?P<sep>{_PHONE_SEP})\d{{2}}(?P=sep)\d{{2}}(?P=sep)\d{{2}}|\d{{4}}{_PHONE_SEP}\d{{4}}|\d{{8}})"
    r"(?![\d])"
)


class Pseudonymizer:
    """Replaces names, sources' names, CPR numbers, phone numbers and e-mail addresses with placeholders."""

    def __init__(self, names: Iterable[str] = (), lang: str = "da", sources: Iterable[str] = ()) -> None:
        self.lang = normalize(lang) or "da"
        translate = gettext_for(self.lang)
        self._words = {key: translate(word) for key, word in PLACEHOLDERS.items()}
        self._numbers: dict[str, int] = {}  # case-folded full name -> number
        self._originals: dict[int, str] = {}  # number -> the full name as first met
        self._single: dict[str, int] = {}  # case-folded one-word name -> number
        self._parts: dict[str, set[int]] = {}  # case-folded part -> numbers of the names it is part of
        self._multi: dict[str, set[int]] = {}  # case-folded part -> numbers of the names of two or more parts
        self._ordinary: dict[str, bool] = {}
        self._sources: dict[str, str] = {}  # case-folded source name -> its neutral name
        self._source_originals: dict[str, str] = {}  # neutral name -> the source's name
        self._all_sources: set[str] = set()  # case-folded names of every source met
        self._source_number = 0
        self._source_pattern: re.Pattern[str] | None = None
        for name in names:
            self.add_name(name)
        self.add_sources(sources)

    # ------------------------------------------------------------ building

    @classmethod
    def if_asked(cls, project: Any, enabled: bool, lang: str = "da") -> Pseudonymizer | None:
        """The project's pseudonymizer when ``--pseudonymize`` was given, else ``None``."""
        return cls.from_project(project, lang) if enabled else None

    @classmethod
    def from_project(cls, project: Any, lang: str = "da") -> Pseudonymizer:
        """The names of a project's participants (where labels are names) and metadata, and its sources."""
        with project.read() as session:
            return cls.from_session(session, lang)

    @classmethod
    def from_session(cls, session: Any, lang: str = "da") -> Pseudonymizer:
        from sqlmodel import col, select

        from trivselkode.storage.models import Participant, Source

        sources = session.exec(
            select(Source.id, Source.name, Source.extra).order_by(col(Source.name), col(Source.id))
        ).all()
        labels: dict[int, list[str]] = {}
        for source_id, label in session.exec(
            select(Participant.source_id, Participant.label).order_by(col(Participant.id))
        ):
            labels.setdefault(source_id, []).append(label)
        names: list[str] = []
        for source_id, _name, extra in sources:
            for label in labels.get(source_id, []):
                names.extend(label_names(label))
            for key in ("names", "navne"):
                names.extend(names_in((extra or {}).get(key)))
        return cls(names, lang, [name for _id, name, _extra in sources])

    def add_name(self, name: str) -> None:
        """Know ``name`` (a full name or a single one) and its parts."""
        name = " ".join(name.split()).strip(".")
        parts = name_parts(name)
        if not parts:
            return
        key = " ".join(parts)
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers) + 1
            self._originals[self._numbers[key]] = name
        number = self._numbers[key]
        if len(parts) == 1:
            self._single.setdefault(parts[0], number)
        for part in parts:
            self._parts.setdefault(part, set()).add(number)
            if len(parts) > 1:
                self._multi.setdefault(part, set()).add(number)
        self._source_pattern = None

    def add_sources(self, names: Iterable[str], force: bool = False) -> None:
        """Give each source whose name holds a known name (or a number or address) a neutral name
        (every one of ``names`` when ``force``).

        Call after every name is known; numbers follow the names in sorted order.
        """
        names = list(dict.fromkeys(names))
        self._all_sources.update(n.casefold() for n in names)
        taken = self._all_sources | {n.casefold() for n in self._source_originals}
        number = self._source_number
        for name in sorted(names):
            if name.casefold() in self._sources or not (force or self._source_holds_identifier(name)):
                continue
            while True:
                number += 1
                neutral = f"{self._words['source']} {number}"
                if neutral.casefold() not in taken:
                    break
            self._sources[name.casefold()] = neutral
            self._source_originals[neutral] = name
        self._source_number = number
        self._source_pattern = None

    def _source_holds_identifier(self, name: str) -> bool:
        if any(w.casefold() in self._parts for w in WORD_RE.findall(name)):
            return True
        return any(regex.search(name) for regex in (EMAIL_RE, PHONE_RE)) or any(self._cpr_matches(name))

    @property
    def names(self) -> list[str]:
        return list(self._originals.values())

    # ------------------------------------------------------------ using

    def placeholder(self, number: int) -> str:
        return f"[{self._words['name']} {number}]"

    def label(self, participant_label: str) -> str:
        """A participant's label: its placeholder when it is a name, else the label pseudonymised as text."""
        key = " ".join(name_parts(participant_label))
        if is_name(participant_label):
            if key not in self._numbers:
                self.add_name(participant_label)
            if key in self._numbers:
                return self.placeholder(self._numbers[key])
        for name in label_names(participant_label):
            self.add_name(name)
        return self.text(participant_label)

    def source(self, name: str) -> str:
        """A source's name: its neutral name when it holds a name, else the name pseudonymised as text."""
        if not name:
            return name
        if name.casefold() not in self._sources and self._source_holds_identifier(name):
            self.add_sources([name])
        return self._sources.get(name.casefold()) or self.text(name)

    def source_title(self, name: str, title: str) -> str:
        """A source's title (as a quote's reference shows it): the source's neutral name when the
        source's name or its title holds a name, a number or an address, else the title as it is."""
        neutral = self.source(name)
        if name.casefold() in self._sources or not title or title == name:
            return neutral
        if self._source_holds_identifier(title):
            self.add_sources([name], force=True)
            return self._sources[name.casefold()]
        return self.text(title)

    def text(self, s: str | None) -> str:
        """``s`` with every e-mail, neutralised source name, CPR number, phone number and known name replaced."""
        if not s:
            return s or ""
        return self.replace(s)[0]

    def replace(self, s: str) -> tuple[str, list[tuple[int, int, int, int]]]:
        """``s`` pseudonymised, and its replacements as ``(old start, old end, new start, new end)``."""
        spans = self._spans(s)
        if not spans:
            return s, []
        out: list[str] = []
        moves: list[tuple[int, int, int, int]] = []
        prev = 0
        size = 0
        for start, end, new in spans:
            out.append(s[prev:start])
            size += start - prev
            out.append(new)
            moves.append((start, end, size, size + len(new)))
            size += len(new)
            prev = end
        out.append(s[prev:])
        return "".join(out), moves

    # ------------------------------------------------------------ finding

    def _cpr_matches(self, s: str) -> Iterable[re.Match[str]]:
        for m in CPR_RE.finditer(s):
            day, month = int(m.group(1)), int(m.group(2))
            # Any year: 29 February is a date in some century the number may mean.
            if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]:
                yield m

    def _spans(self, s: str) -> list[tuple[int, int, str]]:
        taken: list[tuple[int, int, str]] = []

        def free(start: int, end: int) -> bool:
            return all(end <= a or start >= b for a, b, _ in taken)

        def add(matches: Iterable[re.Match[str]], new: Any) -> None:
            for m in matches:
                if free(m.start(), m.end()):
                    taken.append((m.start(), m.end(), new(m) if callable(new) else new))

        add(EMAIL_RE.finditer(s), self._words["email"])
        pattern = self._sources_pattern()
        if pattern is not None:
            add(pattern.finditer(s), lambda m: self._sources[m.group(0).casefold()])
        add(self._cpr_matches(s), self._words["cpr"])
        add(PHONE_RE.finditer(s), self._words["phone"])
        if self._parts:
            for start, end, new in self._name_spans(s):
                if free(start, end):
                    taken.append((start, end, new))
        taken.sort()
        return taken

    def _sources_pattern(self) -> re.Pattern[str] | None:
        if not self._sources:
            return None
        if self._source_pattern is None:
            # A source called just by a person's name ("karen"): in text, that is the person.
            names = sorted(
                (n for n in self._sources if " ".join(name_parts(n)) not in self._numbers), key=lambda n: (-len(n), n)
            )
            alternatives = "|".join(re.escape(n) for n in names) or "(?!)"
            self._source_pattern = re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)
        return self._source_pattern

    def _is_ordinary(self, part: str) -> bool:
        known = self._ordinary.get(part)
        if known is None:
            known = self._ordinary[part] = is_ordinary_word(part)
        return known

    def _name_spans(self, s: str) -> list[tuple[int, int, str]]:
        """Where known names stand in ``s`` (see the module doc), and their placeholders."""
        words: list[tuple[int, int, str, str]] = []  # start, end (without a genitive s), part, genitive s
        for m in WORD_RE.finditer(s):
            word = m.group(0)
            key = word.casefold()
            if key in self._parts:
                words.append((m.start(), m.end(), key, ""))
            elif len(key) > 2 and key.endswith("s") and key[:-1] in self._parts:
                words.append((m.start(), m.end() - 1, key[:-1], word[-1]))
        out: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            start, end, part, genitive = words[i]
            # A full name: the longest run of parts of one name, separated by spaces or a hyphen.
            common = set(self._multi.get(part, ()))
            j = i
            while common and not words[j][3] and j + 1 < len(words):
                gap = s[words[j][1] : words[j + 1][0]]
                both = common & self._multi.get(words[j + 1][2], set())
                if not both or not (gap.isspace() or gap == "-"):
                    break
                common = both
                j += 1
            if j > i:
                last = words[j]
                out.append((start, last[1] + len(last[3]), self.placeholder(min(common)) + last[3]))
                i = j + 1
                continue
            word = s[start:end]
            if self._is_ordinary(part):
                found = is_capitalised(word)
            elif genitive and self._is_ordinary(part + "s"):
                found = not word.islower()  # "Karens", "KARENS" are Karen's, "karens" a waiting period
            else:
                found = True
            if found:
                number = self._single.get(part) or min(self._parts[part])
                out.append((start, end + len(genitive), self.placeholder(number) + genitive))
            i += 1
        return out

    # ------------------------------------------------------------ the key

    def key_rows(self) -> list[dict[str, str]]:
        """Each placeholder and what it stands for: names, then sources."""
        rows = [
            {
                "pseudonym": self.placeholder(number),
                "original": original,
                "type": "navn" if self.lang == "da" else "name",
            }
            for number, original in sorted(self._originals.items())
        ]
        kind = "kilde" if self.lang == "da" else "source"
        rows += [
            {"pseudonym": neutral, "original": name, "type": kind} for neutral, name in self._source_originals.items()
        ]
        return rows


def shift(moves: list[tuple[int, int, int, int]], pos: int, end: bool = False) -> int:
    """Where offset ``pos`` of a text is after :meth:`Pseudonymizer.replace` (``moves`` is what it returned).

    An offset inside a replaced stretch goes to the replacement's start, or
    its end when ``end`` (the end of a span).
    """
    delta = 0
    for old_start, old_end, new_start, new_end in moves:
        if pos <= old_start:
            break
        if pos < old_end:
            return new_end if end else new_start
        delta = new_end - old_end
    return pos + delta
