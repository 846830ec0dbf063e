"""Importers: one module per format, each turning a file into a ``ParsedSource``.

:func:`parse_file` chooses the format by suffix; :func:`iter_source_files`
expands folders. Nothing here touches the database or spaCy.
"""

from trivselkode.importers.formats import SUPPORTED_SUFFIXES, iter_source_files, parse_file

__all__ = ["SUPPORTED_SUFFIXES", "iter_source_files", "parse_file"]
