"""Merging the coders' rejected suggestions (the review queue's ``n``), a step of :mod:`trivselkode.storage.merge`.

A rejection is a coder's work like a coding: every one of theirs not here
yet is added, for the same coder, code and passage. One on a passage with no
place here (its text is gone from our transcript) is left out and counted in
one conflict line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from trivselkode.i18n import _
from trivselkode.storage.merge_sources import MergeMaps
from trivselkode.storage.models import SuggestionRejection

if TYPE_CHECKING:
    from trivselkode.storage.merge import MergeReport


def merge_rejections(s: Session, their_rejections: list[Any], maps: MergeMaps, report: MergeReport) -> None:
    """Their coders' rejections not here yet."""
    here = {(x.passage_id, x.code_id, x.coder_id) for x in s.exec(select(SuggestionRejection))}
    unplaced = 0
    for x in their_rejections:
        target = maps.passages.get(x.passage_id)
        if target is None:
            unplaced += 1
            continue
        key = (target, maps.codes[x.code_id], maps.coders[x.coder_id])
        if key in here:
            continue
        here.add(key)
        s.add(SuggestionRejection(passage_id=key[0], code_id=key[1], coder_id=key[2], created_at=x.created_at))
        report.bump("rejections")
    if unplaced:
        report.conflicts.append(
            _("{unplaced} afvist(e) forslag på udsagn uden plads her er sprunget over (kodningerne er bevaret)").format(
                unplaced=unplaced
            )
        )
