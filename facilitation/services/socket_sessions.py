"""Which sockets are open on which link, kept in the database so that any server process can cut off
the sockets of a revoked link, wherever they are held."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import AccessLink, SocketSession
from .writes import write


def opened(sid: str, link: AccessLink, address: str | None = None) -> None:
    """Note a socket that has just connected with `link` from `address` (the link stays loaded: the
    connect handler goes on with it)."""
    with write(keep_loaded=True):
        db.session.add(SocketSession(sid=sid, link_id=link.id, meeting_id=link.meeting_id, address=address))


def over_cap(link: AccessLink, address: str | None, per_link: int, per_address: int) -> str | None:
    """"link" or "address" when one more socket would pass that cap (open sockets on every process), else None.

    A cap of 0 switches it off. Counted from the database, so a cap holds across server processes;
    two sockets opening at the same instant may both pass, which is one over at most per process.
    """
    if per_link > 0:
        count = db.session.scalar(select(func.count()).select_from(SocketSession).where(SocketSession.link_id == link.id))
        if count >= per_link:
            return "link"
    if per_address > 0 and address:
        count = db.session.scalar(select(func.count()).select_from(SocketSession).where(SocketSession.address == address))
        if count >= per_address:
            return "address"
    return None


def closed(sid: str) -> None:
    """Forget a socket that has gone."""
    with write():
        db.session.execute(delete(SocketSession).where(SocketSession.sid == sid))


def forget_all() -> int:
    """Forget every socket on record (at the start of the only server process: any row is left over
    from a run that was killed before its sockets closed); returns how many there were."""
    with write():
        return db.session.execute(delete(SocketSession)).rowcount
