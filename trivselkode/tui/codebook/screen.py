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
from textual.widgets import Footer, Static, Tree

from trivselkode.errors import TrivselError
from trivselkode.storage.db import Project, explain_failure
from trivselkode.tui.codebook.dialogs import AddCodeDialog, DetailsDialog
from trivselkode.tui.common.confirm import ConfirmDialog
from trivselkode.tui.common.failures import SaysWorkerFailures
from trivselkode.tui.common.help import HelpDialog
from trivselkode.tui.common.keys import BACK_ONLY, help_sections
from trivselkode.tui.common.picker import CodePickerDialog
from trivselkode.tui.common.plain import inert_line, line, para
from trivselkode.tui.common.prompt import TextPromptDialog
from trivselkode.tui.messages import CodingsChanged

KEYS = [
    ("a", "add_code", "Ny"),
    ("r", "rename_code", "Omdøb"),
    ("c", "color_code", "Farve"),
    ("k", "shortcut_code", "Genvej"),
    ("e", "describe_code", "Beskriv"),
    ("f", "move_code", "Flyt"),
    ("m", "merge_code", "Flet"),
    ("x", "retire_code", "Udgå/genaktivér"),
]
KEY_HELP = {
    "add_code": "ny kode (som søskende til den markerede; overkoden kan ændres)",
    "rename_code": "omdøb den markerede kode",
    "color_code": "skift farve (#rrggbb eller #rgb; tom fjerner farven)",
    "shortcut_code": "skift genvej (ét tegn; tom fjerner genvejen)",
    "describe_code": "ret type, beskrivelse, medtag/udelad, kendetegn, eksempler, nøgleord",
    "move_code": "flyt koden (med underkoder) under en anden kode eller til øverste niveau",
    "merge_code": "flet koden ind i en anden: alle kodninger flyttes, koden slettes",
    "retire_code": "udgå (ingen nye kodninger; de gamle bevares) eller genaktivér",
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
        Binding("escape", "back", "Tilbage"),
        Binding("question_mark", "show_keys", "Taster"),
        # Enter on a code opens Udtræk (before the tree takes it to fold: folding is on space).
        Binding("enter", "open_retrieval", "Udtræk", priority=True),
        Binding("Q", "open_review_queue", "Forslagskø", show=False),
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
            tree: Tree[str] = Tree("Kodebog", id="codebook-tree")
            tree.show_root = False
            tree.guide_depth = 2
            yield tree
            with VerticalScroll(id="codebook-details"):
                yield Static("", id="codebook-detail-text")
        yield Static("Henter kodebogen …", id="codebook-status")
        yield Footer()

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
        status = (
            f"{active} kode{'' if active == 1 else 'r'}"
            + (f", {retired} udgået" if retired else "")
            + f" · {total} kodning{'' if total == 1 else 'er'} i alt"
        )
        if not message.rows:
            status = "Kodebogen er tom. Tryk a for en ny kode, eller indlæs en med `trivselkode codebook load FIL`."
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
            label.append(" udgået", style="italic")
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
        target.update(details(row, self.rows) if row else Text("Ingen kode valgt.", style="dim"))

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
            self.notify("Vælg en kode først.", severity="warning")
        return row

    def action_add_code(self, values: dict[str, str] | None = None, error: str | None = None) -> None:
        from trivselkode.storage import codebook_ops as ops

        if values is None:
            row = self.current_row()
            values = {"parent": row["parent"] or "", "kind": row["kind"] or ""} if row else {}

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
                        kind=result["kind"],
                        color=result["color"] or None,
                        shortcut=result["shortcut"] or None,
                        description=result["description"],
                    ),
                    done=lambda key: f"Koden {key} er tilføjet.",
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
                    done=lambda _old: f"{key} hedder nu '{name.strip()}'.",
                    select=key,
                    reopen=lambda msg: self.action_rename_code(name, msg),
                )
            )

        self.app.push_screen(
            TextPromptDialog(f"Omdøb {key}", "Nyt navn", row["name"] if value is None else value, error=error),
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
                        f"{key} har nu farven {stored}." if stored else f"{key} har ikke længere en farve."
                    ),
                    select=key,
                    reopen=lambda msg: self.action_color_code(color, msg),
                )
            )

        self.app.push_screen(
            TextPromptDialog(
                f"Farve for {key}",
                "Farve",
                (row["color"] or "") if value is None else value,
                hint="#rrggbb eller #rgb, tom fjerner farven",
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
                        f"{key} har nu genvejen '{stored}'." if stored else f"{key} har ikke længere en genvej."
                    ),
                    select=key,
                    reopen=lambda msg: self.action_shortcut_code(shortcut, msg),
                )
            )

        self.app.push_screen(
            TextPromptDialog(
                f"Genvej for {key}",
                "Genvej (ét tegn)",
                (row["shortcut"] or "") if value is None else value,
                hint="tom fjerner genvejen",
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
                    done=lambda changed: f"{key} er opdateret." if changed else f"{key}: intet ændret.",
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
        choices = [("", "(øverste niveau)")] + self._choices(self._subtree(key))

        def picked(parent: str | None) -> None:
            if parent is None:
                return
            if (parent or None) == row["parent"]:
                self.notify(f"{key} ligger der allerede.")
                return
            self._apply(
                _Change(
                    run=lambda: ops.move_code(self.project, key, parent or None),
                    done=lambda _moved: f"{key} ligger nu under {parent}." if parent else f"{key} ligger nu øverst.",
                    select=key,
                )
            )

        self.app.push_screen(CodePickerDialog(f"Flyt {key} under …", choices), picked)

    def action_merge_code(self) -> None:
        from trivselkode.storage import codebook_ops as ops

        row = self._need_code()
        if row is None:
            return
        key = row["key"]
        choices = self._choices({key})
        if not choices:
            self.notify("Der er ingen anden kode at flette ind i.", severity="warning")
            return

        def picked(target: str | None) -> None:
            if not target:
                return
            target_row = self.rows[target]
            text = (
                f"Alle {row['codings']} kodninger med {key} ({row['name']}) flyttes til {target} "
                f"({target_row['name']}); dubletter lægges sammen, og notater bevares. "
                f"Underkoder flyttes med. Derefter slettes {key}."
            )

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
                ConfirmDialog(text, yes="Flet", no="Fortryd", title=f"Flet {key} ind i {target}?", careful=True),
                confirmed,
            )

        self.app.push_screen(
            CodePickerDialog(
                f"Flet {key} ind i …", choices, hint=f"Vælg den kode, som {key}s kodninger skal flyttes til."
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
                    done=lambda report: f"Genaktiveret: {', '.join(report.keys)}.",
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

    HELP_TITLE = "Kodebog"

    def help_extra(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The keys described at length (the app's help shows these after the bindings)."""
        return [
            (
                "Gennemse",
                [
                    ("↑ ↓", "flyt markeringen"),
                    ("Enter", "Udtræk: alle udsagn og udsnit kodet med koden (R/F6 for en anden kode)"),
                    ("Q", "Forslagskø: kodens ukodede udsagn, bedst først (y koder, n afviser)"),
                    ("mellemrum", "fold en kode med underkoder ud eller sammen"),
                ],
            ),
            ("Ret (gemmes med det samme)", [(key, KEY_HELP[action]) for key, action, _label in KEYS]),
        ]

    def action_show_keys(self) -> None:
        sections = help_sections(self, BACK_ONLY, bindings=False)
        self.app.push_screen(HelpDialog(self.HELP_TITLE, sections, look="compact", own_question_mark=True))


def _merge_note(report: Any) -> str:
    parts = [f"{report.source} er flettet ind i {report.target}: {report.codings_total} kodninger flyttet"]
    if report.codings_folded:
        parts.append(f"{report.codings_folded} dubletter lagt sammen")
    if report.unplaced_moved:
        parts.append(f"{report.unplaced_moved} uplacerede")
    if report.code_memos_moved:
        parts.append(f"{report.code_memos_moved} notater")
    if report.children_moved:
        parts.append(f"underkoder: {', '.join(report.children_moved)}")
    return ", ".join(parts) + "."


def _retire_note(report: Any) -> str:
    note = f"Udgået: {', '.join(report.keys)}. Kodningerne er bevaret."
    if report.freed_shortcuts:
        freed = ", ".join(f"'{s}'" for s in report.freed_shortcuts.values())
        note += f" Genvej {freed} er frigivet."
    return note


def details(row: dict[str, Any], rows: dict[str, dict[str, Any]]) -> RenderableType:
    """The highlighted code, as the details panel shows it."""
    parts: list[RenderableType] = []
    title = Text()
    title.append("■■ ", style=Style(color=row["color"]) if row["color"] else "dim")
    title.append(f"{inert_line(row['key'])} ", style="bold")
    title.append(inert_line(row["name"]), style="bold")
    if row["retired"]:
        title.append("  (udgået)", style="italic dim")
    parts.append(title)
    facts = Table.grid(padding=(0, 1))
    facts.add_column(style="dim", no_wrap=True)
    facts.add_column()
    parent = rows.get(row["parent"]) if row["parent"] else None
    facts.add_row("Type", line(row["kind"] or "–"))
    facts.add_row("Overkode", line(f"{parent['key']} {parent['name']}" if parent else "–"))
    facts.add_row("Genvej", line(row["shortcut"] or "–"))
    facts.add_row("Farve", line(row["color"], style=Style(color=row["color"])) if row["color"] else "–")
    facts.add_row("Kodninger", Text(str(row["codings"])))
    children = [r["key"] for r in rows.values() if r["parent"] == row["key"]]
    if children:
        facts.add_row("Underkoder", line(", ".join(children)))
    parts.append(facts)
    for label, field in (("Beskrivelse", "description"), ("Medtag", "include"), ("Udelad", "exclude")):
        if row[field]:
            parts.append(Text(f"\n{label}", style="bold underline"))
            parts.append(para(row[field]))
    for label, field in (("Kendetegn", "characteristics"), ("Eksempler", "examples")):
        if row[field]:
            parts.append(Text(f"\n{label}", style="bold underline"))
            for item in row[field]:
                parts.append(para(f"• {item}" if field == "characteristics" else f"“{item}”"))
    if row["keywords"]:
        parts.append(Text("\nNøgleord", style="bold underline"))
        parts.append(line(", ".join(row["keywords"])))
    if not any(row[f] for f in ("description", "include", "exclude", "characteristics", "examples", "keywords")):
        parts.append(Text("\nIngen beskrivelse endnu – tryk e for at skrive en.", style="dim"))
    return Group(*parts)
