"""Which sockets are open on which link, kept in the database so that any server process can cut off
the sockets of a revoked link, wherever they are held."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, func, insert, select

from ..extensions import db
from ..models import AccessLink, SocketSession, utcnow
from .writes import write

_SESSIONS = SocketSession.__table__
_INSERT_SESSION = insert(_SESSIONS)
_DELETE_SESSION = delete(_SESSIONS).where(_SESSIONS.c.sid == bindparam("sid"))
#: open sockets on a link and from an address (a NULL parameter counts nothing), built once
_COUNTS = select(
    select(func.count()).select_from(_SESSIONS).where(_SESSIONS.c.link_id == bindparam("link_id")).scalar_subquery(),
    select(func.count()).select_from(_SESSIONS).where(_SESSIONS.c.address == bindparam("address")).scalar_subquery(),
)


def opened(sid: str, link: AccessLink, address: str | None = None) -> None:
    """Note a socket that has just connected with `link` from `address` (the link stays loaded: the
    connect handler goes on with it)."""
    with write(keep_loaded=True):  # a plain INSERT: no unit of work to flush for one row
        db.session.connection().execute(
            _INSERT_SESSION,
            {
                "sid": sid,
                "link_id": link.id,
                "meeting_id": link.meeting_id,
                "address": address,
                "connected_at": utcnow(),
            },
        )


def over_cap(link: AccessLink, address: str | None, per_link: int, per_address: int) -> str | None:
    """The cap one more socket would pass, "link" or "address" (open sockets on every process), else None.

    A cap of 0 switches it off. Counted from the database, so a cap holds across server processes;
    two sockets opening at the same instant may both pass, which is one over at most per process.
    """
    by_address = per_address > 0 and bool(address)
    if per_link <= 0 and not by_address:
        return None
    # Both counts in one statement (a cap switched off is not counted).
    on_link, on_address = db.session.execute(
        _COUNTS, {"link_id": link.id if per_link > 0 else None, "address": address if by_address else None}
    ).one()
    if per_link > 0 and on_link >= per_link:
        return "link"
    if by_address and on_address >= per_address:
        return "address"
    return None


def closed(sid: str) -> None:
    """Forget a socket that has gone (a plain DELETE, built once: every connection ends with one)."""
    with write(keep_loaded=True):
        db.session.connection().execute(_DELETE_SESSION, {"sid": sid})


def forget_all() -> int:
    """Forget every socket on record (at the start of the only server process: any row is left over
    from a run that was killed before its sockets closed); returns how many there were."""
    with write():
        return db.session.execute(delete(SocketSession)).rowcount
