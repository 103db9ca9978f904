"""One write that is not a room command (a socket opening, a settings change): begin, run, commit.

Room commands have their own path (pipeline.execute), which also writes the event and the audit entry.
Everything else that changes the database outside that path goes through `write()`, so that services
stay the only place that commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..extensions import db
from .pipeline import begin_write, commit


@contextmanager
def write(keep_loaded: bool = False) -> Iterator[None]:
    """Run the block in one transaction (SQLite's write lock taken first) and commit it; roll back on failure.

    `keep_loaded`: rows the session has already read stay loaded after the commit instead of being
    read again at their next use (for a write that changes none of them, e.g. a socket noted as open).
    """
    begin_write()
    try:
        yield
        commit(keep_loaded)
    except BaseException:
        db.session.rollback()
        raise
