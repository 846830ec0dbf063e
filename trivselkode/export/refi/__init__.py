"""REFI-QDA export: a project as ``.qdpx``, its codebook as ``.qdc``.

A ``.qdpx`` is a zip with ``project.qde`` (XML valid against the REFI-QDA
``Project.xsd``) and ``sources/<GUID>.txt``, one UTF-8 text file per source
holding exactly our stored text (NFC, ``\\n`` line ends, no BOM). Positions
(``startPosition``/``endPosition``) are Unicode code points into that file,
end exclusive.

What goes where:

* coders → ``Users``; the codebook → nested ``Code`` elements with colour and
  description. ``isCodable`` is ``true`` for every code except retired ones:
  in trivselkode any code can be applied, parents included, so a grouping
  code nobody coded with is still codable; a retired code keeps its codings
  but takes no new ones, which is what ``isCodable="false"`` says. Code
  kinds (tema, behov, …) become code ``Sets`` named ``Kodetype: <kind>``;
* every passage → a ``PlainTextSelection`` (named ``Udsagn N · LABEL``)
  referenced by its participant's ``Case``; a whole-passage coding is a
  ``Coding`` in it (``creatingUser`` = the coder, ``creationDateTime``); a
  coding narrowed to a sub-span gets a selection of its own;
* participants → ``Cases`` (named ``<source>: <label>``) with
  ``VariableValue``\\s for gender, age, site, role and every other attribute,
  a ``SourceRef`` to their source and ``SelectionRef``\\s to their passages;
  source metadata (title, kind, site, context, round, date, other keys) →
  ``VariableValue``\\s on the ``TextSource``; the ``Variables`` are declared
  once for the project with their ``typeOfVariable``;
* memos → ``Notes`` referenced (``NoteRef``) from the source, the passage's
  selection, the code, or the coding (a coding's memo);
* what REFI has no place for (code keys, kinds, shortcuts, include/exclude,
  examples, keywords; participant labels and roles; source file names; the
  passage boundaries) → one project-level note named ``trivselkode`` whose
  text is JSON, so that our own import restores the project exactly. Other
  programs show it as an ordinary memo.

GUIDs are UUID 5 of a fixed namespace and our names and keys (source name,
code key, coder name, participant label, passage number, span), so the same
project exports to the same GUIDs every time, and the output bytes are the
same too (no "now" timestamps; zip entries carry a fixed date).

Written atomically: a temporary file beside the target, renamed into place.
Streamed: a source's text, passages and codings are read when it is written
and let go after, its text put aside in an unnamed temporary file until its
zip entry follows ``project.qde``; memory does not grow with the project.

The modules: ``archive`` (the ``.qdpx`` zip and the public entry points),
``project`` (``project.qde`` step by step: users, codebook, cases, sets),
``sources`` (text sources, selections, codings; offsets moved by
pseudonymisation), ``notes`` (memos and the ``trivselkode`` note),
``variables``, ``data`` (the read of the project, one session, a source at a
time), ``spool`` (texts put aside), ``context`` (what the steps share),
``markup`` (XML text), ``common`` (namespaces, the report) and ``codebook``
(the ``.qdc``).
"""

from __future__ import annotations

from trivselkode.export.refi.archive import export_project, write_qdpx
from trivselkode.export.refi.codebook import build_codebook_xml, export_codebook
from trivselkode.export.refi.common import CODEBOOK_NS, NOTE_FORMAT, PROJECT_NS, ExportReport, Pseudonymizer
from trivselkode.export.refi.project import build_project

__all__ = [
    "CODEBOOK_NS",
    "NOTE_FORMAT",
    "PROJECT_NS",
    "ExportReport",
    "Pseudonymizer",
    "build_codebook_xml",
    "build_project",
    "export_codebook",
    "export_project",
    "write_qdpx",
]
