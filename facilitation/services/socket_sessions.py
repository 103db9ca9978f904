"""Which sockets are open on which link, kept in the database so that any server process can cut off
the sockets of a revoked link, wherever they are held."""

from __future__ import annotations

from sqlalchemy import delete

from ..extensions import db
from ..models import AccessLink, SocketSession
from .writes import write


def opened(sid: str, link: AccessLink) -> None:
    """Note a socket that has just connected with `link`."""
    with write():
        db.session.add(SocketSession(sid=sid, link_id=link.id, meeting_id=link.meeting_id))


def closed(sid: str) -> None:
    """Forget a socket that has gone."""
    with write():
        db.session.execute(delete(SocketSession).where(SocketSession.sid == sid))
