"""What every step of writing ``project.qde`` shares: the data, the output, the report, GUIDs and pseudonyms."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from trivselkode.domain.guids import code_guid, coder_guid
from trivselkode.export.refi.common import ExportReport, Pseudonymizer
from trivselkode.export.refi.data import ProjectData
from trivselkode.export.refi.markup import XmlOut, iso_utc
from trivselkode.i18n import gettext_for, language, normalize

#: SQLite's text form of a naive datetime (stored as UTC): to the second, in REFI's form, by slicing.
_NAIVE_TEXT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d{1,6})?")

#: How many stored times ``Context.when`` remembers (their REFI form) before it starts afresh.
_STAMPS_KEPT = 4096


class Context:
    """One writing of ``project.qde``: the project's data, where the XML goes and what it counted."""

    def __init__(self, data: ProjectData, pseudo: Pseudonymizer | None, stream: Any, lang: str | None = None) -> None:
        self.data = data
        #: The language of the file's words: code names and descriptions (the codebook's English
        #: where there is one), note titles and selection names.
        self.lang = normalize(lang) or language()
        self.t = gettext_for(self.lang)
        self.pseudo = pseudo
        self.out = XmlOut(stream)
        self.report = ExportReport(path="", pseudonymized=pseudo is not None)
        self.code_by_id = {c.id: c for c in data.codes}
        self.code_guids = {c.id: code_guid(c.key) for c in data.codes}
        self.code_keys = {c.id: c.key for c in data.codes}  # plain strings: read once per coding
        self.coder_guids = {cid: coder_guid(name) for cid, name in data.coders.items()}
        self.source_by_id = {s.id: s for s in data.sources}
        self._stamps: dict[Any, str | None] = {}
        # A source is named by its neutral name when pseudonymised (its name may come from a file name with a name in it).
        source_name = getattr(pseudo, "source", None) or self.ptext
        self.source_names = {s.id: source_name(s.name) if pseudo is not None else s.name for s in data.sources}

    def when(self, value: datetime | str | None) -> str | None:
        """A stored time (a datetime, or SQLite's text form of one) as REFI's UTC ``…Z`` form."""
        if value is None:
            return None
        if isinstance(value, str) and _NAIVE_TEXT.fullmatch(value):  # SQLite's form of a stored (UTC) time
            return f"{value[:10]}T{value[11:19]}Z"
        if value not in self._stamps:
            if len(self._stamps) >= _STAMPS_KEPT:  # codings made one by one each have their own time
                self._stamps.clear()
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            if moment.tzinfo is None:  # stored as UTC
                moment = moment.replace(tzinfo=UTC)
            self._stamps[value] = iso_utc(moment)
        return self._stamps[value]

    def ptext(self, s: str) -> str:
        """``s`` pseudonymised, when the export is."""
        return self.pseudo.text(s) if self.pseudo is not None else s

    def pvalue(self, value: Any) -> Any:
        """A variable's value: text pseudonymised (an attribute may hold an e-mail, a phone number, a name)."""
        if self.pseudo is None:
            return value
        if isinstance(value, str):
            return self.pseudo.text(value)
        if isinstance(value, dict):
            return {k: self.pvalue(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.pvalue(v) for v in value]
        return value
