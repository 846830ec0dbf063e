"""REFI-QDA import: ``.qdpx`` projects, bare ``.qde`` files and ``.qdc`` codebooks.

Everything is read and planned first (files, texts, positions, passages,
sentences); then one transaction stores it, so a failure leaves nothing
half-imported.

The package: :mod:`~.archive` opens a file, :mod:`~.read` reads its XML
into the dataclasses of :mod:`~.model`, :mod:`~.codes` plans the codes (and
reads a ``.qdc`` as a codebook), :mod:`~.sources` and :mod:`~.facts` plan the
sources, :mod:`~.store` stores the plan and :mod:`~.report` tells what became
of it; :mod:`~.importer` runs the whole import.

What becomes what:

* ``User`` → a coder of the same name (characters a coder name cannot hold
  become ``_``), created on first use; a ``Coding`` without a user counts
  for its selection's, its source's or the project's user, else the
  ``coder`` given to :func:`import_refi`;
* ids: GUIDs as the schema asks, or, with one warning, any other id as it
  stands (OpenQDA's ``c001``), so that ``CodeRef``\\s still find their codes;
* ``Code`` → a code, nested as in the file (with ``split_names``, ATLAS.ti's
  flattened ``Parent::child`` names too). A code is matched to an existing
  one by key (our own files), by the GUID our export gives that key, or by
  name under the same parent, and updated; otherwise it is added with a key
  made from its name (``parent.child`` like ``B.social``). Colours
  ``#RRGGBB``/``#RGB`` are kept, others dropped with a warning.
  ``isCodable="false"`` on a code without children is a retired code; on a
  grouping code it is ignored (every code is codable in trivselkode);
* ``TextSource`` → a source, its text read from ``plainTextPath``
  (``internal://NAME`` or a relative path such as qc's ``round2/a.txt``, in
  the archive's ``sources/`` or ``Sources/`` folder, or in that folder beside
  a bare ``.qde``; a relative path is never looked up in the current folder)
  or ``PlainTextContent``. A path that points outside the file (absolute,
  ``file://``, ``relative://``, ``..``) is never read, unless the caller
  names a folder (``sources_dir``, ``--sources-dir``): then the file is read
  if it lies in that folder, symbolic links resolved (the path itself, a
  ``relative://`` or relative path below the folder, or the file's name in
  the folder), and a source whose file is not there is skipped. The text is normalised as
  every source is (NFC, ``\\n``, no BOM) and split into passages: by our
  own note's passage list for our own files; else by the turn rules of a
  ``.txt`` (``LABEL:`` at a line start, see :mod:`trivselkode.importers.text`)
  when they describe the text (labels at the start of at least a fifth of the
  non-blank lines, little text before the first); else one passage per
  non-blank line (paragraph), spoken by the source's only case or by
  ``Tekst``;
* ``PlainTextSelection`` with ``Coding``\\s → codings on the passages it
  overlaps, each narrowed to its part of the passage (no span when it covers
  the passage). Positions are read in the unit that fits the file (see
  :mod:`trivselkode.domain.positions`), chosen per text file and reported;
* ``Note``\\s referenced from a source, selection, code or coding → memos on
  the source, passage, code, or the coding's memo; a selection's
  ``Description`` → a memo on its passage;
* ``Case``\\s with ``VariableValue``\\s → participants of the sources they
  refer to, with gender, age, site, role and other attributes;
  ``VariableValue``\\s on a source → its metadata.

Pictures, PDFs, audio, video, sets, links, graphs and notes on the project as
a whole have no place in trivselkode: they are counted in the report as
skipped, as are selections that cannot be placed.

Files from elsewhere are read defensively (:mod:`trivselkode.importers.safety`):
an archive's members are unpacked within limits (``max_unpacked``), an
archive with a member named ``../x`` or ``/x`` and XML with a DTD are refused
whole, and a code tree deeper than :data:`~trivselkode.domain.codebook.MAX_CODE_DEPTH`
levels is refused; nothing here recurses once per level of the file.
"""

from __future__ import annotations

from trivselkode.importers.refi.archive import open_refi
from trivselkode.importers.refi.codes import QdcCodebook, read_qdc, slug
from trivselkode.importers.refi.importer import import_refi
from trivselkode.importers.refi.model import CODEBOOK_NS, PROJECT_NS, RefiDocument
from trivselkode.importers.refi.report import RefiImportReport

__all__ = [
    "CODEBOOK_NS",
    "PROJECT_NS",
    "QdcCodebook",
    "RefiDocument",
    "RefiImportReport",
    "import_refi",
    "open_refi",
    "read_qdc",
    "slug",
]
