"""The study's shared vocabulary: source kinds, contexts, interviewer labels, attribute aliases.

Every layer reads these words from here: the importers to recognise them in
files, storage to check what is stored, the reports to name them.
"""

from __future__ import annotations

# Metadata keys a front matter or sidecar may carry with a meaning of their own.
SOURCE_KEYS = ("name", "title", "kind", "site", "context", "round", "date")
SOURCE_KINDS = ("interview", "voxpop", "survey")
CONTEXTS = ("bibliotek", "arrangement")
# Labels that are interviewers unless the metadata says otherwise (case-insensitive).
INTERVIEWER_LABELS = ("i", "int", "interviewer", "intervieweren")
# Standard participant attributes and the column/field names that map onto them.
ATTRIBUTE_ALIASES = {
    "gender": "gender",
    "køn": "gender",
    "kon": "gender",
    "age": "age",
    "alder": "age",
    "site": "site",
    "bibliotek": "site",
    "library": "site",
}
