"""A coder's rejected suggestions: "this passage does not carry this code" (the review queue's ``n``).

Per coder, like codings: a rejection keeps the passage out of that coder's
review queue for that code, and the learned suggestions read it as a
negative example (:mod:`trivselkode.storage.training`). Every change is
stored at once, in its own transaction. Passages are named by id (the
review queue and Kodning hold them); codes by key; the coder is created on
first use, as for a coding.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import delete
from sqlmodel import col, select

from trivselkode.i18n import _
from trivselkode.storage.db import Project
from trivselkode.storage.lookup import code_by_key, get_or_create_coder
from trivselkode.storage.models import Code, Coder, Passage, SuggestionRejection


def _passage_id(session, passage_id: int) -> int:  # noqa: ANN001 (a Session)
    from trivselkode.errors import NotFound

    if session.get(Passage, passage_id) is None:
        raise NotFound(
            _("udsagnet med id {passage_id} findes ikke i projektet").format(passage_id=passage_id),
            _("opdatér visningen og prøv igen"),
        )
    return passage_id


def reject(project: Project, coder: str, passage_id: int, code_key: str) -> bool:
    """Store at once that ``coder`` rejects ``code_key`` on the passage; False if they already had."""
    with project.write() as s:
        pid = _passage_id(s, passage_id)
        code_id = cast(int, code_by_key(s, code_key).id)
        coder_id = cast(int, get_or_create_coder(s, coder).id)
        if s.get(SuggestionRejection, (pid, code_id, coder_id)) is not None:
            return False
        s.add(SuggestionRejection(passage_id=pid, code_id=code_id, coder_id=coder_id))
        return True


def unreject(project: Project, coder: str, passage_id: int, code_key: str) -> bool:
    """Take the rejection back at once (the review queue's undo); False if there was none."""
    with project.write() as s:
        code_id = s.exec(select(Code.id).where(Code.key == code_key)).first()
        coder_id = s.exec(select(Coder.id).where(Coder.name == coder)).first()
        if code_id is None or coder_id is None:
            return False
        result = s.execute(
            delete(SuggestionRejection).where(
                col(SuggestionRejection.passage_id) == passage_id,
                col(SuggestionRejection.code_id) == code_id,
                col(SuggestionRejection.coder_id) == coder_id,
            )
        )
        return bool(getattr(result, "rowcount", 0))


def rejected_passages(project: Project, coder: str | None, code_key: str) -> set[int]:
    """The ids of the passages ``coder`` rejected ``code_key`` on (``coder`` None: anyone)."""
    with project.read() as s:
        query = (
            select(SuggestionRejection.passage_id)
            .join(Code, col(Code.id) == SuggestionRejection.code_id)
            .where(Code.key == code_key)
        )
        if coder is not None:
            query = query.join(Coder, col(Coder.id) == SuggestionRejection.coder_id).where(Coder.name == coder)
        return {int(p) for p in s.exec(query)}
