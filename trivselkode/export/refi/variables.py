"""Source metadata and participant attributes as REFI ``Variables`` and ``VariableValue``\\s."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from trivselkode.domain.guids import variable_guid
from trivselkode.export.refi.context import Context
from trivselkode.export.refi.markup import is_scalar, value_type, value_xml, xml_attrs, xml_text
from trivselkode.i18n import N_
from trivselkode.storage.sources import SOURCE_FIELDS

PARTICIPANT_VARIABLES = ("role", "gender", "age", "site")
#: Metadata keys that list the names in a source; left out of a pseudonymised export.
NAMES_KEYS = ("names", "navne")
_VARIABLE_DESCRIPTIONS = {
    "title": N_("Kildens titel"),
    "kind": N_("Kildens type: interview, voxpop eller survey"),
    "site": N_("Biblioteket"),
    "context": N_("Bibliotek eller arrangement"),
    "round": N_("Indsamlingsrunde"),
    "date": N_("Dato for kilden"),
    "role": N_("Deltagerens rolle: participant eller interviewer"),
    "gender": N_("Køn"),
    "age": N_("Alder i år"),
}

#: A survey item's variable (the answers as given, not turned round for a reversed item).
_ITEM = N_("svaret på {item} i spørgeskemaet, {low}–{high}, som givet")
_REVERSED_ITEM = N_("svaret på {item} i spørgeskemaet, {low}–{high}, som givet (vendes i analysen)")


@dataclass
class Variables:
    """The values of each source and participant, and the variables they make (type and GUID by name)."""

    of_source: dict[int, dict[str, Any]]
    of_participant: dict[int, dict[str, Any]]
    labels: dict[int, str]  # participant id -> label (pseudonymised when the export is)
    types: dict[str, str]
    guids: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)  # a survey item's variable -> what it holds

    def values_xml(self, values: dict[str, Any], indent: str) -> str:
        """``VariableValue`` elements for ``values``, by name."""
        return "".join(
            f'{indent}<VariableValue><VariableRef targetGUID="{self.guids[name]}"/>'
            f"{value_xml(self.types[name], values[name])}</VariableValue>\n"
            for name in sorted(values)
        )


def _source_values(ctx: Context) -> tuple[dict[int, dict[str, Any]], bool]:
    """Each source's variable values, and whether a list of names was left out."""
    source_vars: dict[int, dict[str, Any]] = {}
    dropped_names = False
    for source in ctx.data.sources:
        values: dict[str, Any] = {}
        for key in SOURCE_FIELDS:
            value = getattr(source, key)
            if is_scalar(value):
                values[key] = ctx.pvalue(value)
        for key, value in (source.extra or {}).items():
            if key in values or key in SOURCE_FIELDS or not is_scalar(value):
                continue
            if ctx.pseudo is not None and key in NAMES_KEYS:
                dropped_names = True
                continue
            values[key] = ctx.pvalue(value)
        source_vars[cast(int, source.id)] = values
    return source_vars, dropped_names


def collect_variables(ctx: Context) -> Variables:
    """The variables' values first, whose types decide ``typeOfVariable``."""
    pseudo = ctx.pseudo
    source_vars, dropped_names = _source_values(ctx)
    var_values: dict[str, list[Any]] = defaultdict(list)
    for values in source_vars.values():
        for key, value in values.items():
            var_values[key].append(value)
    part_vars: dict[int, dict[str, Any]] = {}
    label_of: dict[int, str] = {}
    for source in ctx.data.sources:
        for p in ctx.data.participants.get(cast(int, source.id), []):
            label_of[cast(int, p.id)] = pseudo.label(p.label) if pseudo is not None else p.label
            values = {key: ctx.pvalue(getattr(p, key)) for key in PARTICIPANT_VARIABLES if is_scalar(getattr(p, key))}
            for key, value in (p.attributes or {}).items():
                if key not in values and key not in PARTICIPANT_VARIABLES and is_scalar(value):
                    values[key] = ctx.pvalue(value)
            part_vars[cast(int, p.id)] = values
            for key, value in values.items():
                var_values[key].append(value)
    if dropped_names:
        ctx.report.warnings.append(ctx.t(N_("navnelister i kildernes metadata er udeladt (--pseudonymize)")))
    descriptions = _survey_values(ctx, part_vars, var_values)
    types = {name: value_type(values) for name, values in var_values.items()}
    return Variables(
        of_source=source_vars,
        of_participant=part_vars,
        labels=label_of,
        types=types,
        guids={name: variable_guid(name) for name in types},
        descriptions={name: text for name, text in descriptions.items() if name in types},
    )


def _survey_values(
    ctx: Context, part_vars: dict[int, dict[str, Any]], var_values: dict[str, list[Any]]
) -> dict[str, str]:
    """Each survey's answers as variables of the cases of its open answers (``<source>: <item>``); their descriptions.

    The answers are as given (a reversed item is not turned round; its
    description says so), a missing one is left out. A respondent who is no
    case (a survey without open answers) cannot carry them: the report says how many.
    """
    descriptions: dict[str, str] = {}
    for survey in ctx.data.surveys:
        if survey.unlinked:
            ctx.report.warnings.append(
                ctx.t(
                    N_(
                        "spørgeskemaet '{name}': svarene fra respondenter uden åbne svar ({n}) er ikke med; de er ingen case"
                    )
                ).format(name=ctx.ptext(survey.name), n=survey.unlinked)
            )
        source = ctx.source_names.get(survey.source_id) if survey.source_id is not None else None
        if source is None:
            continue
        d = survey.definition
        for item in d.items:
            described = _REVERSED_ITEM if item in d.reverse else _ITEM
            descriptions[f"{source}: {item}"] = ctx.t(described).format(item=item, low=d.scale_min, high=d.scale_max)
        for pid, answers in survey.answers.items():
            values = part_vars.get(pid)
            if values is None:
                continue
            for item, answer in answers.items():
                name = f"{source}: {item}"
                value = int(answer) if answer.is_integer() else answer
                if name not in values:
                    values[name] = value
                    var_values[name].append(value)
    return descriptions


def write_variables(ctx: Context, variables: Variables) -> None:
    """``<Variables>``: each declared once for the project, with its type (and a description of ours)."""
    if not variables.types:
        return
    out = ctx.out
    out("  <Variables>\n")
    for name in sorted(variables.types):
        attrs = xml_attrs([("guid", variables.guids[name]), ("name", name), ("typeOfVariable", variables.types[name])])
        described = (
            ctx.t(_VARIABLE_DESCRIPTIONS[name]) if name in _VARIABLE_DESCRIPTIONS else variables.descriptions.get(name)
        )
        if described:
            out(f"    <Variable{attrs}><Description>{xml_text(described)}</Description></Variable>\n")
        else:
            out(f"    <Variable{attrs}/>\n")
    out("  </Variables>\n")
