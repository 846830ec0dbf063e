"""``trivselkode survey``: the questionnaire's Likert scales beside the coded open answers (SPEC §7b)."""

from __future__ import annotations

from trivselkode.cli import survey_import
from trivselkode.cli.common import new_typer

app = new_typer()

survey_import.register(app)
