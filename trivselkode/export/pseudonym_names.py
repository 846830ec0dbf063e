"""Which participant labels and metadata values are people's names, and which words are ordinary Danish.

The rules the pseudonymizer (:mod:`trivselkode.export.pseudonymize`) finds
names by; see its module doc for what they mean for the exported text.
"""

from __future__ import annotations

import re
import threading
from typing import Any

__all__ = ["WORD_RE", "is_capitalised", "is_name", "is_ordinary_word", "label_names", "name_parts", "names_in"]

WORD_RE = re.compile(r"[^\W\d_]+")

# Labels that are roles, codes or generic persons, never names (compared case-folded).
_ROLE_WORDS = frozenset(
    """
    i int intv interv iv ip inf spm sp svar res resp mod del
    interviewer intervieweren interviewperson deltager deltageren participant respondent informant
    moderator facilitator speaker taler ukendt unknown stemme alle flere begge publikum
    kvinde kvinden mand manden pige dreng dame herre barn ung ældre bruger låner gæst borger forælder
    mor far søn datter besøgende person bibliotekar bibliotekaren medarbejder frivillig studerende elev
    pensionist personale spørger leder underviser lærer
    """.split()
)
_NAME_WORD = re.compile(r"^[^\W\d_]{2,}(?:[-'’][^\W\d_]+)*\.?$")
_NOTE = re.compile(r"^(?P<base>[^()]*?)\s*\((?P<note>[^()]*)\)\s*$")


# --------------------------------------------------------------------------- the Danish vocabulary

_vocabulary_lock = threading.Lock()
_vocabulary: Any = None  # a sorted numpy array of word hashes, once read


def _load_vocabulary() -> Any:
    """The hashes of the lower-case words of spaCy's Danish lemma table (forms and lemmas), sorted.

    Hashes (this process's ``hash`` of each word) keep half a million words in
    four megabytes; the table is read once per process, when first needed,
    a megabyte at a time.
    """
    global _vocabulary
    with _vocabulary_lock:
        if _vocabulary is None:
            import gzip
            from array import array
            from importlib.resources import files

            import numpy as np

            hashes = array("q")
            path = files("spacy_lookups_data").joinpath("data", "da_lemma_lookup.json.gz")
            # Every key and value of the flat JSON object is a quoted string (no escapes in this table):
            # split at the quotes, every other piece is a word.
            with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
                inside, tail = False, ""
                while chunk := fh.read(1 << 20):
                    pieces = (tail + chunk).split('"')
                    tail = pieces.pop()
                    first = 0 if inside else 1
                    hashes.extend(hash(w) for w in pieces[first::2] if w.islower())
                    inside = inside != (len(pieces) % 2 == 1)
            _vocabulary = np.unique(np.frombuffer(hashes, dtype=np.int64))
        return _vocabulary


def is_ordinary_word(word: str) -> bool:
    """Whether ``word`` (in any case) is an ordinary Danish word: Bo, per, Rose, Lise — not Karen, Morten."""
    import numpy as np

    vocabulary = _load_vocabulary()
    key = hash(word.casefold())
    i = int(np.searchsorted(vocabulary, key))
    return i < len(vocabulary) and int(vocabulary[i]) == key


# --------------------------------------------------------------------------- labels


def is_name(label: str) -> bool:
    """Whether a participant label is a person's name rather than a code or a role, in any case.

    Codes: anything with a digit or an underscore (``P1``, ``R-3``,
    ``Kvinde 2``, ``SPEAKER_00``), a word of one letter (``I``, ``A``), role
    and abbreviation words (``INT``, ``IP``, ``Interviewer``, ``deltager``,
    ``Mand``) anywhere in the label. Names: one to four words of letters (a
    hyphen or an apostrophe inside, a dot at the end allowed), in any case:
    ``Bo``, ``Anne Marie``, ``Jens-Ole``, ``MORTEN``, ``lise``.
    """
    label = " ".join(label.split())
    if not label or any(ch.isdigit() for ch in label) or "_" in label:
        return False
    words = label.split()
    if not 1 <= len(words) <= 4:
        return False
    for word in words:
        if not _NAME_WORD.match(word):
            return False
        if word.rstrip(".").casefold() in _ROLE_WORDS:
            return False
    return True


def names_in(value: Any) -> list[str]:
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
            out.extend(names_in(item))
        return out
    return []


def label_names(label: str) -> list[str]:
    """The names a participant label holds: itself, or the name in its note (``Interviewer (Mette)``)."""
    label = " ".join(label.split())
    if is_name(label):
        return [label]
    m = _NOTE.match(label)
    if m is None:
        return []
    out = [m["base"]] if is_name(m["base"]) else []
    out += [part.strip() for part in re.split(r"[,;]", m["note"]) if is_name(part.strip())]
    return out


def name_parts(name: str) -> list[str]:
    """The case-folded parts of a name that can stand for it (two letters or more, no role words)."""
    return [p for p in (w.casefold() for w in WORD_RE.findall(name)) if len(p) >= 2 and p not in _ROLE_WORDS]


def is_capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or word[1:].islower())
