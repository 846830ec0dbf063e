"""Kodebog: browse the codebook as a tree and edit it.

The tree shows every code with its colour, shortcut and number of codings
(all coders); the panel beside it the highlighted code's definition and
the rest. Every change runs in a thread worker through
:mod:`trivselkode.storage.codebook_ops` (one transaction each) and the tree
is redrawn from the database only once the change is stored. A refused
change is shown as a notification, and a dialog whose input was refused
opens again with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static, Tree

from trivselkode.domain.codebook_lang import kind_label, kind_value
from trivselkode.errors import TrivselError
from trivselkode.i18n import N_, _, language, ngettext
from trivselkode.storage.db import Project, explain_failure
from trivselkode.tui.codebook.dialogs import AddCodeDialog, DetailsDialog
from trivselkode.tui.common.confirm import ConfirmDialog
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.footer import TranslatedFooter
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.keys import BACK_ONLY, help_sections
from trivselkode.tui.common.picker import CodePickerDialog
from trivselkode.tui.common.plain import inert_line, line, para
from trivselkode.tui.common.prompt import TextPromptDialog
from trivselkode.tui.messages import CodingsChanged

KEYS = [
    ("a", "add_code", N_("Ny")),
    ("r", "rename_code", N_("Omdøb")),
    ("c", "color_code", N_("Farve")),
    ("k", "shortcut_code", N_("Genvej")),
    ("e", "describe_code", N_("Beskriv")),
    ("f", "move_code", N_("Flyt")),
    ("m", "merge_code", N_("Flet")),
    ("x", "retire_code", N_("Udgå/genaktivér")),
]
KEY_HELP = {
    "add_code": N_("ny kode (som søskende til den markerede; overkoden kan ændres)"),
    "rename_code": N_("omdøb den markerede kode"),
    "color_code": N_("skift farve (#rrggbb eller #rgb; tom fjerner farven)"),
    "shortcut_code": N_("skift genvej (ét tegn; tom fjerner genvejen)"),
    "describe_code": N_("ret type, beskrivelse, medtag/udelad, kendetegn, eksempler, nøgleord"),
    "move_code": N_("flyt koden (med underkoder) under en anden kode eller til øverste niveau"),
    "merge_code": N_("flet koden ind i en anden: alle kodninger flyttes, koden slettes"),
    "retire_code": N_("udgå (ingen nye kodninger; de gamle bevares) eller genaktivér"),
}


@dataclass
class _Change:
    """A change to run in a worker and what to say when it is stored."""

    run: Callable[[], Any]
    done: Callable[[Any], str]
    select: str | None = None
    reopen: Callable[[str], None] | None = None
    codings_changed: bool = False


class CodebookScreen(SaysWorkerFailures, Screen[None]):
    """Browse and edit the project's codebook."""

    CSS_PATH = str(Path(__file__).with_name("screen.tcss"))

    BINDINGS = [
        Binding("escape", "back", N_("Tilbage")),
        Binding("question_mark", "show_keys", N_("Taster")),
        # Enter on a code opens Udtræk (before the tree takes it to fold: folding is on space).
        Binding("enter", "open_retrieval", N_("Udtræk"), priority=True),
        Binding("Q", "open_review_queue", N_("Forslagskø"), show=False),
        *[Binding(key, action, label) for key, action, label in KEYS],
    ]

    @dataclass
    class CodebookLoaded(Message):
        rows: list[dict[str, Any]]
        select: str | None
        note: str | None

    @dataclass
    class ChangeRefused(Message):
        message: str
        reopen: Callable[[str], None] | None

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.rows: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="codebook-body"):
            tree: Tree[str] = Tree(_("Kodebog"), id="codebook-tree")
            tree.show_root = False
            tree.guide_depth = 2
            yield tree
            with VerticalScroll(id="codebook-details"):
                yield Static("", id="codebook-detail-text")
        yield Static(_("Henter kodebogen …"), id="codebook-status")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.query_one(Tree).focus()
        self._load(None, None)

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="codebook-load", exit_on_error=False)
    def _load(self, select: str | None, note: str | None) -> None:
        from trivselkode.storage.codebook import code_rows

        try:
            rows = code_rows(self.project)
        except Exception as exc:
            self.post_message(self.ChangeRefused(explain_failure(exc), None))
            return
        self.post_message(self.CodebookLoaded(rows, select, note))

    @on(CodebookLoaded)
    def _loaded(self, message: CodebookLoaded) -> None:
        from trivselkode.storage.codebook import depth_first

        current = self.current_key()
        self.loaded = True
        self.rows = {row["key"]: row for row in message.rows}
        tree = self.query_one(Tree)
        tree.clear()
        nodes: dict[str, Any] = {}
        self.order = []
        for _depth, row in depth_first(message.rows):
            parent = nodes.get(row["parent"]) if row["parent"] else None
            owner = parent if parent is not None else tree.root
            node = owner.add(self._label(row), data=row["key"], expand=True)
            node.allow_expand = False
            nodes[row["key"]] = node
            self.order.append(row["key"])
        for node in nodes.values():
            if node.children:
                node.allow_expand = True
                node.expand()
        tree.root.expand()
        want = message.select or current
        if want in self.order:
            tree.cursor_line = self.order.index(want)
        elif self.order:
            tree.cursor_line = min(tree.cursor_line if tree.cursor_line >= 0 else 0, len(self.order) - 1)
        self._show_details()
        active = sum(1 for r in message.rows if not r["retired"])
        retired = len(message.rows) - active
        total = sum(r["codings"] for r in message.rows)
        status = ngettext("{n} kode", "{n} koder", active).format(n=active)
        if retired:
            status += ", " + _("{n} udgået").format(n=retired)
        status += " · " + ngettext("{n} kodning i alt", "{n} kodninger i alt", total).format(n=total)
        if not message.rows:
            status = _("Kodebogen er tom. Tryk a for en ny kode, eller indlæs en med `trivselkode codebook load FIL`.")
        self.query_one("#codebook-status", Static).update(line(status))
        if message.note:
            self.notify(message.note)

    def _label(self, row: dict[str, Any]) -> Text:
        label = Text(no_wrap=True, overflow="ellipsis")
        label.append("■ ", style=Style(color=row["color"]) if row["color"] else "dim")
        if row["shortcut"]:
            label.append(f"[{inert_line(row['shortcut'])}] ", style="bold")
        label.append(inert_line(row["key"]), style="bold")
        label.append(" " + inert_line(row["name"]))
        label.append(f" ({row['codings']})", style="dim")
        if row["retired"]:
            label.append(" " + _("udgået"), style="italic")
            label.stylize("dim strike", 2)
        return label

    # ------------------------------------------------------------------ details

    def current_key(self) -> str | None:
        tree = self.query_one(Tree)
        node = tree.cursor_node
        return node.data if node is not None else None

    def current_row(self) -> dict[str, Any] | None:
        key = self.current_key()
        return self.rows.get(key) if key else None

    @on(Tree.NodeHighlighted, "#codebook-tree")
    def _highlighted(self) -> None:
        self._show_details()

    def _show_details(self) -> None:
        row = self.current_row()
        target = self.query_one("#codebook-detail-text", Static)
        target.update(details(row, self.rows) if row else Text(_("Ingen kode valgt."), style="dim"))

    # ------------------------------------------------------------------ changes

    def _apply(self, change: _Change) -> None:
        self._run_change(change)

    @work(thread=True, group="codebook-change", exit_on_error=False)
    def _run_change(self, change: _Change) -> None:
        from trivselkode.storage.codebook import code_rows

        try:
            result = change.run()
        except TrivselError as exc:
            self.post_message(self.ChangeRefused(str(exc), change.reopen))
            return
        except Exception as exc:
            self.post_message(self.ChangeRefused(explain_failure(exc), None))
            return
        try:
            rows = code_rows(self.project)
        except Exception as exc:
            self.post_message(self.ChangeRefused(explain_failure(exc), None))
            return
        self.post_message(self.CodebookLoaded(rows, change.select, change.done(result)))
        if change.codings_changed:
            self.post_message(CodingsChanged(None))

    @on(ChangeRefused)
    def _refused(self, message: ChangeRefused) -> None:
        self.notify(message.message, severity="error", timeout=8)
        if message.reopen is not None:
            message.reopen(message.message)

    def _need_code(self) -> dict[str, Any] | None:
        row = self.current_row()
        if row is None:
            self.notify(_("Vælg en kode først."), severity="warning")
        return row

    def action_add_code(self, values: dict[str, str] | None = None, error: str | None = None) -> None:
        from trivselkode.storage import codebook_ops as ops

        if values is None:
            row = self.current_row()
            values = {"parent": row["parent"] or "", "kind": kind_label(row["kind"])} if row else {}

        def submitted(result: dict[str, str] | None) -> None:
            if result is None:
                return
            self._apply(
                _Change(
                    run=lambda: ops.add_code(
                        self.project,
                        result["key"],
                        result["name"],
                        parent=result["parent"] or None,
                        kind=kind_value(result["kind"]),
                        color=result["color"] or None,
                        shortcut=result["shortcut"] or None,
                        description=result["description"],
                    ),
                    done=lambda key: _("Koden {key} er tilføjet.").format(key=key),
                    select=result["key"].strip(),
                    reopen=lambda msg: self.action_add_code(result, msg),
                )
            )

        self.app.push_screen(AddCodeDialog(values, error), submitted)

    def action_rename_code(self, value: str | None = None, error: str | None = None) -> None:
        from trivselkode.storage import codebook_ops as ops

        row = self._need_code()
        if row is None:
            return
        key = row["key"]

        def submitted(name: str | None) -> None:
            if name is None or name.strip() == row["name"]:
                return
            self._apply(
                _Change(
                    run=lambda: ops.rename_code(self.project, key, name),
                    done=lambda _old: _("{key} hedder nu '{name}'.").format(key=key, name=name.strip()),
                    select=key,
                    reopen=lambda msg: self.action_rename_code(name, msg),
                )
            )

        self.app.push_screen(
            TextPromptDialog(
                _("Omdøb {key}").format(key=key), _("Nyt navn"), row["name"] if value is None else value, error=error
            ),
            submitted,
        )

    def action_color_code(self, value: str | None = None, error: str | None = None) -> None:
        from trivselkode.storage import codebook_ops as ops

        row = self._need_code()
        if row is None:
            return
        key = row["key"]

        def submitted(color: str | None) -> None:
            if color is None:
                return
            self._apply(
                _Change(
                    run=lambda: ops.set_code_color(self.project, key, color),
                    done=lambda stored: (
                        _("{key} har nu farven {color}.").format(key=key, color=stored)
                        if stored
                        else _("{key} har ikke længere en farve.").format(key=key)
                    ),
                    select=key,
                    reopen=lambda msg: self.action_color_code(color, msg),
                )
            )

        self.app.push_screen(
            TextPromptDialog(
                _("Farve for {key}").format(key=key),
                _("Farve"),
                (row["color"] or "") if value is None else value,
                hint=_("#rrggbb eller #rgb, tom fjerner farven"),
                error=error,
                placeholder="#2e7d32",
            ),
            submitted,
        )

    def action_shortcut_code(self, value: str | None = None, error: str | None = None) -> None:
        from trivselkode.storage import codebook_ops as ops

        row = self._need_code()
        if row is None:
            return
        key = row["key"]

        def submitted(shortcut: str | None) -> None:
            if shortcut is None:
                return
            self._apply(
                _Change(
                    run=lambda: ops.set_code_shortcut(self.project, key, shortcut or None),
                    done=lambda stored: (
                        _("{key} har nu genvejen '{shortcut}'.").format(key=key, shortcut=stored)
                        if stored
                        else _("{key} har ikke længere en genvej.").format(key=key)
                    ),
                    select=key,
                    reopen=lambda msg: self.action_shortcut_code(shortcut, msg),
                )
            )

        self.app.push_screen(
            TextPromptDialog(
                _("Genvej for {key}").format(key=key),
                _("Genvej (ét tegn)"),
                (row["shortcut"] or "") if value is None else value,
                hint=_("tom fjerner genvejen"),
                error=error,
                max_length=1,
            ),
            submitted,
        )

    def action_describe_code(self, values: dict[str, Any] | None = None, error: str | None = None) -> None:
        from trivselkode.storage import codebook_ops as ops

        row = self._need_code()
        if row is None:
            return
        key = row["key"]

        def submitted(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            self._apply(
                _Change(
                    run=lambda: ops.update_code_details(self.project, key, **result),
                    done=lambda changed: (
                        _("{key} er opdateret.").format(key=key)
                        if changed
                        else _("{key}: intet ændret.").format(key=key)
                    ),
                    select=key,
                    reopen=lambda msg: self.action_describe_code(result, msg),
                )
            )

        shown = dict(row) | (values or {})
        self.app.push_screen(DetailsDialog(shown, error), submitted)

    def _choices(self, exclude: set[str]) -> list[tuple[str, str]]:
        return [
            (key, self.rows[key]["name"]) for key in self.order if key not in exclude and not self.rows[key]["retired"]
        ]

    def _subtree(self, key: str) -> set[str]:
        keys = {key}
        changed = True
        while changed:
            changed = False
            for row in self.rows.values():
                if row["parent"] in keys and row["key"] not in keys:
                    keys.add(row["key"])
                    changed = True
        return keys

    def action_move_code(self) -> None:
        from trivselkode.storage import codebook_ops as ops

        row = self._need_code()
        if row is None:
            return
        key = row["key"]
        choices = [("", _("(øverste niveau)"))] + self._choices(self._subtree(key))

        def picked(parent: str | None) -> None:
            if parent is None:
                return
            if (parent or None) == row["parent"]:
                self.notify(_("{key} ligger der allerede.").format(key=key))
                return
            self._apply(
                _Change(
                    run=lambda: ops.move_code(self.project, key, parent or None),
                    done=lambda _moved: (
                        _("{key} ligger nu under {parent}.").format(key=key, parent=parent)
                        if parent
                        else _("{key} ligger nu øverst.").format(key=key)
                    ),
                    select=key,
                )
            )

        self.app.push_screen(CodePickerDialog(_("Flyt {key} under …").format(key=key), choices), picked)

    def action_merge_code(self) -> None:
        from trivselkode.storage import codebook_ops as ops

        row = self._need_code()
        if row is None:
            return
        key = row["key"]
        choices = self._choices({key})
        if not choices:
            self.notify(_("Der er ingen anden kode at flette ind i."), severity="warning")
            return

        def picked(target: str | None) -> None:
            if not target:
                return
            target_row = self.rows[target]
            text = _(
                "Alle {n} kodninger med {key} ({name}) flyttes til {target} ({target_name}); dubletter lægges "
                "sammen, og notater bevares. Underkoder flyttes med. Derefter slettes {key}."
            ).format(n=row["codings"], key=key, name=row["name"], target=target, target_name=target_row["name"])

            def confirmed(yes: bool | None) -> None:
                if not yes:
                    return
                self._apply(
                    _Change(
                        run=lambda: ops.merge_codes(self.project, key, target),
                        done=lambda report: _merge_note(report),
                        select=target,
                        codings_changed=True,
                    )
                )

            self.app.push_screen(
                ConfirmDialog(
                    text,
                    yes=_("Flet"),
                    no=_("Fortryd"),
                    title=_("Flet {key} ind i {target}?").format(key=key, target=target),
                    careful=True,
                ),
                confirmed,
            )

        self.app.push_screen(
            CodePickerDialog(
                _("Flet {key} ind i …").format(key=key),
                choices,
                hint=_("Vælg den kode, som {key}s kodninger skal flyttes til.").format(key=key),
            ),
            picked,
        )

    def action_retire_code(self) -> None:
        from trivselkode.storage import codebook_ops as ops

        row = self._need_code()
        if row is None:
            return
        key = row["key"]
        if row["retired"]:
            self._apply(
                _Change(
                    run=lambda: ops.unretire_code(self.project, key),
                    done=lambda report: _("Genaktiveret: {keys}.").format(keys=", ".join(report.keys)),
                    select=key,
                )
            )
        else:
            self._apply(
                _Change(
                    run=lambda: ops.retire_code(self.project, key),
                    done=lambda report: _retire_note(report),
                    select=key,
                )
            )

    # ------------------------------------------------------------------ misc

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open_retrieval(self) -> None:
        """Enter on a code: Udtræk, every passage and span coded with it."""
        key = self.current_key()
        open_retrieval = getattr(self.app, "open_retrieval", None)
        if key and callable(open_retrieval):
            open_retrieval(key)

    def action_open_review_queue(self) -> None:
        """Q on a code: Forslagskø, its uncoded passages ranked by the model."""
        key = self.current_key()
        if key:
            self.app.open_review_queue(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_retrieval":
            return isinstance(self.focused, Tree)  # elsewhere Enter is the focused widget's own
        return True

    HELP_TITLE = N_("Kodebog")

    def help_extra(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The keys described at length (the app's help shows these after the bindings)."""
        return [
            (
                N_("Gennemse"),
                [
                    ("↑ ↓", N_("flyt markeringen")),
                    ("Enter", N_("Udtræk: alle udsagn og udsnit kodet med koden (R/F6 for en anden kode)")),
                    ("Q", N_("Forslagskø: kodens ukodede udsagn, bedst først (y koder, n afviser)")),
                    (N_("mellemrum"), N_("fold en kode med underkoder ud eller sammen")),
                ],
            ),
            (N_("Ret (gemmes med det samme)"), [(key, KEY_HELP[action]) for key, action, _label in KEYS]),
        ]

    def action_show_keys(self) -> None:
        sections = help_sections(self, BACK_ONLY, bindings=False)
        self.app.push_screen(HelpDialog(self.HELP_TITLE, sections, look="compact", own_question_mark=True))


def _merge_note(report: Any) -> str:
    parts = [
        _("{source} er flettet ind i {target}: {n} kodninger flyttet").format(
            source=report.source, target=report.target, n=report.codings_total
        )
    ]
    if report.codings_folded:
        parts.append(_("{n} dubletter lagt sammen").format(n=report.codings_folded))
    if report.unplaced_moved:
        parts.append(_("{n} uplacerede").format(n=report.unplaced_moved))
    if report.code_memos_moved:
        parts.append(_("{n} notater").format(n=report.code_memos_moved))
    if report.children_moved:
        parts.append(_("underkoder: {keys}").format(keys=", ".join(report.children_moved)))
    return ", ".join(parts) + "."


def _retire_note(report: Any) -> str:
    note = _("Udgået: {keys}. Kodningerne er bevaret.").format(keys=", ".join(report.keys))
    if report.freed_shortcuts:
        freed = ", ".join(f"'{s}'" for s in report.freed_shortcuts.values())
        note += " " + _("Genvej {shortcuts} er frigivet.").format(shortcuts=freed)
    return note


def details(row: dict[str, Any], rows: dict[str, dict[str, Any]]) -> RenderableType:
    """The highlighted code, as the details panel shows it."""
    parts: list[RenderableType] = []
    title = Text()
    title.append("■■ ", style=Style(color=row["color"]) if row["color"] else "dim")
    title.append(f"{inert_line(row['key'])} ", style="bold")
    title.append(inert_line(row["name"]), style="bold")
    if row["retired"]:
        title.append("  (" + _("udgået") + ")", style="italic dim")
    parts.append(title)
    facts = Table.grid(padding=(0, 1))
    facts.add_column(style="dim", no_wrap=True)
    facts.add_column()
    parent = rows.get(row["parent"]) if row["parent"] else None
    facts.add_row(_("Type"), line(kind_label(row["kind"]) or "–"))
    facts.add_row(_("Overkode"), line(f"{parent['key']} {parent['name']}" if parent else "–"))
    facts.add_row(_("Genvej"), line(row["shortcut"] or "–"))
    facts.add_row(_("Farve"), line(row["color"], style=Style(color=row["color"])) if row["color"] else "–")
    facts.add_row(_("Kodninger"), Text(str(row["codings"])))
    children = [r["key"] for r in rows.values() if r["parent"] == row["key"]]
    if children:
        facts.add_row(_("Underkoder"), line(", ".join(children)))
    parts.append(facts)
    for label, field in ((N_("Beskrivelse"), "description"), (N_("Medtag"), "include"), (N_("Udelad"), "exclude")):
        if row[field]:
            parts.append(Text(f"\n{_(label)}", style="bold underline"))
            parts.append(para(row[field]))
    for label, field in ((N_("Kendetegn"), "characteristics"), (N_("Eksempler"), "examples")):
        if row[field]:
            parts.append(Text(f"\n{_(label)}", style="bold underline"))
            for item in row[field]:
                parts.append(para(f"• {item}" if field == "characteristics" else f"“{item}”"))
    if row["keywords"]:
        parts.append(Text("\n" + _("Nøgleord"), style="bold underline"))
        parts.append(line(", ".join(row["keywords"])))
    if not any(row[f] for f in ("description", "include", "exclude", "characteristics", "examples", "keywords")):
        parts.append(Text("\n" + _("Ingen beskrivelse endnu – tryk e for at skrive en."), style="dim"))
    if language() == "en":
        parts.extend(english_details(row))
    return Group(*parts)


# The bilingual codebook's English of a code (``name_en`` …), as the details panel shows it in English.
ENGLISH_FIELDS = (
    ("name_en", N_("Navn på engelsk")),
    ("definition_en", N_("Beskrivelse på engelsk")),
    ("include_en", N_("Medtag på engelsk")),
    ("exclude_en", N_("Udelad på engelsk")),
    ("characteristics_en", N_("Kendetegn på engelsk")),
    ("examples_en", N_("Eksempler på engelsk")),
)


def english_details(row: dict[str, Any]) -> list[RenderableType]:
    """The code's English texts, the bilingual codebook's (what English reports use); none: nothing."""
    parts: list[RenderableType] = []
    for field, label in ENGLISH_FIELDS:
        value = row.get(field)
        if not value:
            continue
        parts.append(Text(f"\n{_(label)}", style="bold underline"))
        if isinstance(value, list):
            parts.extend(para(f"• {item}") for item in value)
        else:
            parts.append(para(value))
    return parts
