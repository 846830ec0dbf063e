"""Typed settings and the paths the tool uses.

One settings object; the CLI and TUI build it from options and the
environment, tests build it directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = "trivselkode.db"
ENV_DB = "TRIVSELKODE_DB"
ENV_CODER = "TRIVSELKODE_CODER"
CONSENSUS_CODER = "konsensus"

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The bundled ``codebooks``, ``transcripts`` or ``surveys`` folder.

    In a wheel they live in ``trivselkode/_data``; in a checkout (and an
    editable install) beside the package.
    """
    packaged = _PACKAGE_DIR / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / name


def bundled_codebook() -> Path:
    return data_dir("codebooks") / "trivsel.yaml"


@dataclass(frozen=True)
class Settings:
    """Where the project is and who is coding."""

    # Left out of repr(): a server URL may hold a password (shown masked: storage.db.display_url).
    db: str = field(default=DEFAULT_DB, repr=False)
    coder: str | None = None
    busy_timeout_s: float = 30.0

    @classmethod
    def from_env(cls, db: str | None = None, coder: str | None = None) -> Settings:
        return cls(
            db=db or os.environ.get(ENV_DB) or DEFAULT_DB,
            coder=coder or os.environ.get(ENV_CODER) or None,
        )
