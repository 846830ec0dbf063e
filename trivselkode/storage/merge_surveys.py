"""Merging another project's questionnaires: a survey this project lacks is copied whole.

A survey is matched by name. One we lack is copied with every respondent
(label, round, attributes, raw answers), its open answers' source being the
one the source step placed here (:class:`~trivselkode.storage.merge_sources.MergeMaps`)
and each respondent linked to the participant of the same label in it. A
survey of the same name here stays as it is; if its responses differ (another
content hash) that is listed as a conflict. Merging the same file twice adds nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlmodel import Session, select

from trivselkode.i18n import _
from trivselkode.storage.merge_sources import MergeMaps, copied
from trivselkode.storage.models import Survey
from trivselkode.storage.surveys import insert_respondents, participant_ids

if TYPE_CHECKING:
    from trivselkode.storage.merge import MergeReport


def merge_surveys(
    s: Session,
    their_surveys: list[Any],
    their_respondents: list[Any],
    their_participants: list[Any],
    maps: MergeMaps,
    report: MergeReport,
) -> None:
    """Their surveys we lack, with their respondents; one we have (by name) keeps ours."""
    ours = {survey.name: survey for survey in s.exec(select(Survey))}
    respondents: dict[int, list[Any]] = {}
    for r in their_respondents:
        respondents.setdefault(r.survey_id, []).append(r)
    label_of = {p.id: p.label for p in their_participants}
    for theirs in sorted(their_surveys, key=lambda survey: survey.id):
        mine = ours.get(theirs.name)
        if mine is not None:
            if mine.content_hash != theirs.content_hash:
                report.conflicts.append(
                    _("spørgeskemaet '{name}' har andre svar i den anden fil; spørgeskemaet herfra er beholdt").format(
                        name=theirs.name
                    )
                )
            continue
        source_id = maps.sources.get(theirs.source_id) if theirs.source_id is not None else None
        people = participant_ids(s, source_id) if source_id is not None else {}
        survey = Survey(
            **copied(theirs, "name", "title", "definition", "file_name", "content_hash", "imported_at"),
            source_id=source_id,
        )
        s.add(survey)
        s.flush()
        rows = sorted(respondents.get(cast(int, theirs.id), []), key=lambda r: r.id)  # file order
        insert_respondents(
            s,
            [
                (
                    cast(int, survey.id),
                    r.label,
                    r.round,
                    r.attributes,
                    bytes(r.answers),
                    people.get(label_of.get(r.participant_id, "")) if r.participant_id is not None else None,
                )
                for r in rows
            ],
        )
        ours[survey.name] = survey
        report.bump("surveys")
        if rows:
            report.bump("respondents", len(rows))
