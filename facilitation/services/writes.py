"""One write that is not a room command (a socket opening, a settings change): begin, run, commit.

Room commands have their own path (pipeline.execute), which also writes the event and the audit entry.
Everything else that changes the database outside that path goes through `write()`, so that services
stay the only place that commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..extensions import db
from .pipeline import begin_write


@contextmanager
def write() -> Iterator[None]:
    """Run the block in one transaction (SQLite's write lock taken first) and commit it; roll back on failure."""
    begin_write()
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
