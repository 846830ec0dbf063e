"""A coder process for the reliability tests.

    python worker.py DB CODER COUNT SEED [--passages N]

Adds COUNT codings (each its own transaction, through the same core function
the CLI uses), reading counts in between, and prints one line ``ok P C`` on
standard output after each coding is stored (acknowledged). Any error, such
as "database is locked", is printed as ``error …`` and ends the process with
exit code 1.
"""

from __future__ import annotations

import random
import sys


def main() -> int:
    db, coder, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    from sqlalchemy import func
    from sqlmodel import select

    from trivselkode.storage.codings import CodingRef, add_coding
    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Code, Coding, Passage

    project, _ = open_project(db)
    with project.read() as s:
        numbers = list(s.exec(select(Passage.number)))
        keys = list(s.exec(select(Code.key).where(Code.retired == False)))  # noqa: E712
    pairs = [(n, k) for n in numbers for k in keys]
    rng = random.Random(seed)
    rng.shuffle(pairs)
    try:
        for i, (number, key) in enumerate(pairs[:count]):
            add_coding(project, CodingRef(source="stor", passage=number, code=key, coder=coder))
            sys.stdout.write(f"ok {number} {key}\n")
            sys.stdout.flush()
            if i % 10 == 0:
                with project.read() as s:
                    s.exec(select(func.count()).select_from(Coding)).one()
    except Exception as exc:  # report, do not hide: the test asserts on it
        sys.stdout.write(f"error {type(exc).__name__}: {exc}\n")
        sys.stdout.flush()
        return 1
    finally:
        project.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
