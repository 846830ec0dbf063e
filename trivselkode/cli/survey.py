"""``trivselkode survey``: the questionnaire's Likert scales beside the coded open answers (SPEC §7b)."""

from __future__ import annotations

from trivselkode.cli import survey_chart, survey_import, survey_joint, survey_report
from trivselkode.cli.common import new_typer

app = new_typer()

survey_import.register(app)
survey_report.register(app)
survey_chart.register(app)
survey_joint.register(app)
