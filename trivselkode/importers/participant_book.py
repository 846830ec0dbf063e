"""A source's participants as a format parser meets their labels, and the default role of a label."""

from __future__ import annotations

from trivselkode.domain.vocabulary import INTERVIEWER_LABELS
from trivselkode.i18n import _
from trivselkode.importers.base import ParsedParticipant

__all__ = ["ParticipantBook", "default_role"]


def default_role(label: str) -> str:
    """``interviewer`` for the interviewer labels (case-insensitive), else ``participant``."""
    return "interviewer" if label.strip().casefold() in INTERVIEWER_LABELS else "participant"


class ParticipantBook:
    """A source's participants as a parser meets their labels.

    Labels match case-insensitively: ``p1`` in the text is the declared
    ``P1``. Undeclared labels are added in order of first appearance with one
    warning each (unless ``warn=False``).
    """

    def __init__(self, declared: list[ParsedParticipant] | None = None) -> None:
        self.participants: list[ParsedParticipant] = []
        self.warnings: list[str] = []
        self.unrecognised: list[tuple[str, int]] = []  # label-like line starts that are no label: (text, line)
        self._by_key: dict[str, ParsedParticipant] = {}
        self.declared: set[str] = set()
        for participant in declared or []:
            key = participant.label.casefold()
            if key in self._by_key:
                continue
            # A copy: the caller's metadata stays as it was declared.
            copy = ParsedParticipant(
                label=participant.label,
                role=participant.role,
                gender=participant.gender,
                age=participant.age,
                site=participant.site,
                attributes=dict(participant.attributes),
            )
            self._by_key[key] = copy
            self.participants.append(copy)
            self.declared.add(key)

    def known(self, label: str) -> bool:
        return label.casefold() in self._by_key

    def get(self, label: str) -> ParsedParticipant | None:
        return self._by_key.get(label.casefold())

    def resolve(
        self,
        label: str,
        *,
        where: str | None = None,
        warn: bool = True,
        role: str | None = None,
        said: str = "",
    ) -> ParsedParticipant:
        """The participant for ``label``, added (with a warning) when new.

        A new participant's role is ``role``, else :func:`default_role` of the
        label; ``said`` is what the label told about them (for the warning).
        """
        key = label.casefold()
        participant = self._by_key.get(key)
        if participant is None:
            participant = ParsedParticipant(label=label, role=role or default_role(label))
            self._by_key[key] = participant
            self.participants.append(participant)
            if warn:
                at = f" ({where})" if where else ""
                role = _(" som interviewer") if participant.role == "interviewer" else ""
                told = _(" med {said} fra etiketten").format(said=said) if said else ""
                self.warnings.append(
                    _(
                        "ukendt deltager '{label}'{at} er oprettet{role}{told}; angiv den under 'participants' i metadata for at sætte rolle, køn og alder"
                    ).format(label=label, at=at, role=role, told=told)
                )
        return participant
