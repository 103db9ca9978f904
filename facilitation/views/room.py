"""The three faces of a live meeting: chair console, shared screen, participant page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from .. import queries
from ..domain import registers
from ..domain.meetings import AGENCIES, PARTICIPANT_ROLES
from ..extensions import db
from ..models import Meeting, utcnow

bp = Blueprint("room", __name__)

PAGES = {"chair": "room/chair.html", "screen": "room/screen.html", "participant": "room/participant.html"}


def _page(token: str, role: str):
    link = queries.live_link(token)
    if link is None or link.role != role:
        abort(404)
    meeting = db.session.get(Meeting, link.meeting_id)
    snapshot = queries.snapshot(meeting, link, utcnow())
    extra = {}
    if role == "chair":
        base = request.host_url.rstrip("/")
        extra["links"] = [
            {"role": lnk.role, "participant_id": lnk.participant_id, "url": base + queries.link_path(lnk)}
            for lnk in queries.meeting_links(meeting.id)
        ]
    response = render_template(
        PAGES[role],
        snapshot=snapshot,
        bootstrap={"token": token, "snapshot": snapshot, **extra},
        roles=PARTICIPANT_ROLES,
        agencies=AGENCIES,
        decision_statuses=registers.DECISION_STATUSES,
        ladder=registers.ESCALATION_LADDER,
        attendance=registers.ATTENDANCE,
    )
    return response, 200, {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@bp.get("/chair/<token>")
def chair(token: str):
    """Chair link: the console that prepares and runs the meeting."""
    return _page(token, "chair")


@bp.get("/screen/<token>")
def screen(token: str):
    """Shared-screen link: the read-only, full-screen view for the room's projector."""
    return _page(token, "screen")


@bp.get("/join/<token>")
def join(token: str):
    """A participant's personal link: the live meeting from their own device."""
    return _page(token, "participant")
