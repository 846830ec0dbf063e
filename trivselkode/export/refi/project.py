"""``project.qde``: the whole project as REFI-QDA XML, written in steps to a stream.

The document's parts in the order ``Project.xsd`` asks for them: ``Users``,
``CodeBook``, ``Variables``, ``Cases``, ``Sources`` (``sources.py``),
``Notes`` (``notes.py``), ``Sets``. Memos and variables are gathered first,
since codes, cases and sources refer to them.
"""

from __future__ import annotations

import io
from typing import Any, cast

from trivselkode import __version__
from trivselkode.domain.codebook_lang import code_definition, code_name, missing_translation_warning
from trivselkode.domain.guids import code_guid, guid, participant_guid, passage_guid, source_guid
from trivselkode.export.refi.common import (
    KIND_SET_PREFIX,
    PROJECT_NS,
    ExportReport,
    Pseudonymizer,
    codes_by_kind,
    codes_tree,
)
from trivselkode.export.refi.context import Context
from trivselkode.export.refi.data import ProjectData, open_data
from trivselkode.export.refi.markup import XmlOut, code_color, xml_attrs, xml_text
from trivselkode.export.refi.notes import OwnNote, collect_notes, write_notes
from trivselkode.export.refi.sources import write_sources
from trivselkode.export.refi.spool import Spool
from trivselkode.export.refi.variables import Variables, collect_variables, write_variables
from trivselkode.i18n import N_
from trivselkode.storage.db import Project
from trivselkode.storage.models import Code


def build_project(
    project: Project, pseudonymizer: Pseudonymizer | None = None, lang: str | None = None
) -> tuple[bytes, dict[str, str], ExportReport]:
    """The ``project.qde`` bytes, the source files (GUID file name → text) and counts, all in memory."""
    stream = io.BytesIO()
    texts = Spool()
    with open_data(project) as data:
        report = write_project(data, pseudonymizer, stream, lang, texts=texts)
    return stream.getvalue(), {name: texts.get(name) for name in texts.keys()}, report


def write_project(
    data: ProjectData,
    pseudo: Pseudonymizer | None,
    stream: Any,
    lang: str | None = None,
    *,
    texts: Spool,
    aside: Spool | None = None,
) -> ExportReport:
    """Write ``project.qde`` to ``stream``, a source at a time; put each source's text in ``texts``; return the counts.

    ``lang`` (None: the interface's) is the language of the codes' names and
    descriptions (the codebook's English, falling back to the Danish with a
    warning in the report) and of the file's own words. ``aside`` (None: in
    memory) holds what the ``trivselkode`` note gathers per passage until it is written.
    """
    ctx = Context(data, pseudo, stream, lang)
    warning = missing_translation_warning(data.codes, ctx.lang, ("name", "definition"))
    if warning:
        ctx.report.warnings.append(warning)
    notes = collect_notes(ctx)
    variables = collect_variables(ctx)
    own = OwnNote(aside)
    out = ctx.out
    out('<?xml version="1.0" encoding="utf-8"?>\n')
    out(
        f'<Project xmlns="{PROJECT_NS}"{xml_attrs([("name", ctx.ptext(data.name)), ("origin", f"trivselkode {__version__}")])}>\n'
    )
    _write_users(ctx)
    _write_codebook(ctx, notes.of_code)
    write_variables(ctx, variables)
    _write_cases(ctx, variables, own)
    write_sources(ctx, notes, variables, own, texts)
    own_guid = write_notes(ctx, notes, own)
    _write_sets(ctx)
    out(f'  <NoteRef targetGUID="{own_guid}"/>\n</Project>\n')
    out.flush()
    return ctx.report


def _write_users(ctx: Context) -> None:
    """``<Users>``: the coders."""
    coders = ctx.data.coders
    if coders:
        ctx.out("  <Users>\n")
        for cid, name in sorted(coders.items(), key=lambda item: item[1]):
            ctx.out(f"    <User{xml_attrs([('guid', ctx.coder_guids[cid]), ('name', name)])}/>\n")
        ctx.out("  </Users>\n")
    ctx.report.coders = len(coders)


def _write_codebook(ctx: Context, code_notes: dict[int, list[str]]) -> None:
    """``<CodeBook>``: the codes nested under their parents, with their notes."""
    codes, out = ctx.data.codes, ctx.out
    if codes:
        out("  <CodeBook>\n    <Codes>\n")
        tree = codes_tree(codes)
        seen: set[int] = set()
        _codes_xml(out, tree, None, code_notes, seen, 3, ctx.lang)
        for code in codes:  # codes caught in a parent cycle (never expected): at the top
            if code.id not in seen:
                _codes_xml(
                    out,
                    {None: [code], **{k: v for k, v in tree.items() if k is not None}},
                    None,
                    code_notes,
                    seen,
                    3,
                    ctx.lang,
                )
        out("    </Codes>\n  </CodeBook>\n")
    ctx.report.codes = len(codes)


def _codes_xml(
    out: XmlOut,
    children: dict[int | None, list[Code]],
    parent: int | None,
    note_refs: dict[int, list[str]],
    seen: set[int],
    depth: int,
    lang: str,
) -> None:
    pad = "  " * depth
    for code in children.get(parent, []):
        if code.id in seen:
            continue
        seen.add(cast(int, code.id))
        attrs = xml_attrs(
            [
                ("guid", code_guid(code.key)),
                ("name", code_name(code, lang)),
                ("isCodable", "false" if code.retired else "true"),
                ("color", code_color(code.color)),
            ]
        )
        inner = []
        description = code_definition(code, lang)
        if description:
            inner.append(f"{pad}  <Description>{xml_text(description)}</Description>\n")
        inner.extend(f'{pad}  <NoteRef targetGUID="{ref}"/>\n' for ref in note_refs.get(cast(int, code.id), []))
        if not inner and not children.get(code.id):
            out(f"{pad}<Code{attrs}/>\n")
            continue
        out(f"{pad}<Code{attrs}>\n")
        out("".join(inner))
        _codes_xml(out, children, code.id, note_refs, seen, depth + 1, lang)
        out(f"{pad}</Code>\n")


def _write_cases(ctx: Context, variables: Variables, own: OwnNote) -> None:
    """``<Cases>``: the participants, with their variables and their passages' selections (a source at a time)."""
    data, out = ctx.data, ctx.out
    count = 0
    for source in data.sources:
        participants = data.participants.get(cast(int, source.id), [])
        if not participants:
            continue
        if not count:
            out("  <Cases>\n")
        count += len(participants)
        passages_of = data.read.case_passages(cast(int, source.id))
        name = ctx.source_names[source.id]
        for p in participants:
            label = variables.labels[cast(int, p.id)]
            cguid = participant_guid(name, label)
            role = ctx.t(N_("interviewer") if p.role == "interviewer" else N_("deltager"))
            described = ctx.t(N_("{label} ({role}) i kilden {source}")).format(label=label, role=role, source=name)
            out(f"    <Case{xml_attrs([('guid', cguid), ('name', f'{name}: {label}')])}>\n")
            out(f"      <Description>{xml_text(described)}</Description>\n")
            out(variables.values_xml(variables.of_participant[cast(int, p.id)], "      "))
            out(f'      <SourceRef targetGUID="{source_guid(name)}"/>\n')
            for number in passages_of.get(cast(int, p.id), []):
                out(f'      <SelectionRef targetGUID="{passage_guid(name, number)}"/>\n')
            out("    </Case>\n")
            own.add_case(
                cguid,
                {
                    "source": source_guid(name),
                    "label": label,
                    "role": p.role,
                    "gender": ctx.pvalue(p.gender),
                    "age": p.age,
                    "site": ctx.pvalue(p.site),
                    "attributes": {k: ctx.pvalue(v) for k, v in (p.attributes or {}).items()},
                },
            )
    if count:
        out("  </Cases>\n")
    ctx.report.participants = count


def _write_sets(ctx: Context) -> None:
    """``<Sets>``: one per code kind."""
    kinds = codes_by_kind(ctx.data.codes)
    if not kinds:
        return
    out = ctx.out
    out("  <Sets>\n")
    for kind in sorted(kinds):
        out(f"    <Set{xml_attrs([('guid', guid('kind', kind)), ('name', KIND_SET_PREFIX + kind)])}>")
        description = ctx.t(N_("Koder af typen '{kind}' (trivselkode)")).format(kind=kind)
        out(f"<Description>{xml_text(description)}</Description>")
        out("".join(f'<MemberCode targetGUID="{ctx.code_guids[c.id]}"/>' for c in kinds[kind]))
        out("</Set>\n")
    out("  </Sets>\n")
