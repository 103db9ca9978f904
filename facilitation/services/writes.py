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


def commit(keep_loaded: bool = False) -> None:
    """Commit the session's transaction; `keep_loaded`: the rows it has read stay loaded (see `write`)."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = expire and not keep_loaded
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
