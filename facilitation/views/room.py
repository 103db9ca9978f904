"""The three faces of a live meeting: chair console, shared screen, participant page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from .. import queries, services, snapshots
from ..auth import allow, redirect_to_sign_in
from ..domain import access, registers
from ..domain import outcomes as outcome_rules
from ..domain.errors import NotFound
from ..domain.meetings import AGENCIES, PARTICIPANT_ROLES
from ..domain.minutes import reports
from ..domain.routes import jurisdiction
from ..downloads import document_file
from ..extensions import db
from ..models import Meeting, utcnow
from ..security import limiter
from ..services import accounts, evidence, statutory
from ..services.action_log import review, rows

bp = Blueprint("room", __name__)

PAGES = {"chair": "room/chair.html", "screen": "room/screen.html", "participant": "room/participant.html"}
#: the link roles each page serves: the note-taker works in the chair console without its clock,
#: an observer follows the participant page without writing
PAGE_ROLES = {
    "chair": (access.CHAIR, access.NOTE_TAKER),
    "screen": (access.SCREEN,),
    "participant": (access.PARTICIPANT, access.OBSERVER),
}
#: the roles whose page has the review of previous actions
REVIEWERS = (access.CHAIR, access.NOTE_TAKER, access.PARTICIPANT)


def _previous_actions(meeting: Meeting, role: str) -> dict:
    """The review of previous actions as the page first draws it: the same body as
    GET /api/v1/meetings/<id>/previous-actions, sent with the page so that it needs no request of its own,
    and so the page loads the section's script and style only when there is something to review."""
    today = rows.today_local(utcnow())
    return {
        "meeting_id": meeting.id,
        "review_item_id": review.review_item_id(meeting.id),
        "current_item_id": meeting.current_item_id,
        "actions": [
            row.as_dict()
            for row in review.previous_actions(meeting, today, confidential=access.sees_confidential(role))
        ],
    }


def plan_for(meeting_type: str) -> dict | None:
    """What the outcomes panel offers for a meeting type: its title, areas, answers and (England) the plan's
    sections; None for a meeting type that reviews no plan."""
    if meeting_type not in outcome_rules.OUTCOME_MEETINGS:
        return None
    return {
        "title": outcome_rules.OUTCOME_MEETINGS[meeting_type],
        "areas": outcome_rules.PFA_AREAS,
        "still": outcome_rules.STILL_APPROPRIATE,
        "sections": outcome_rules.EHCP_SECTIONS,
        "amendable": meeting_type in outcome_rules.AMENDABLE_MEETINGS,
        "pfa_from": outcome_rules.PFA_FROM_YEAR,
    }


def _page(token: str, page: str):
    link = queries.live_link(token)
    if link is None or link.role not in PAGE_ROLES[page]:
        abort(404)
    if not queries.link_serves(link, current_user):
        if not current_user.is_authenticated:
            return redirect_to_sign_in()
        abort(404)  # another account's staff link: the same answer as for no link at all
    role = link.role
    meeting = db.session.get(Meeting, link.meeting_id)
    snapshot = snapshots.snapshot(meeting, link, utcnow())
    services.pipeline.log_access(link, "meeting.open", "meeting", note=f"{page} page")
    extra = {}
    if role in REVIEWERS:
        extra["previous_actions"] = _previous_actions(meeting, role)
    if role in (access.PARTICIPANT, access.OBSERVER):
        extra["invitation"] = services.invitations.own_invitation(link.participant_id)
    if role == "chair":
        base = request.host_url.rstrip("/")
        extra["links"] = [
            {**services.links.link_view(lnk), "url": base + queries.link_path(lnk), "name": queries.link_holder(lnk)}
            for lnk in queries.meeting_links(meeting.id)
        ]
    response = render_template(
        PAGES[page],
        role=role,
        invite_link_days=accounts.organisation().invite_link_days,
        snapshot=snapshot,
        bootstrap={"token": token, "link_id": link.id, "snapshot": snapshot, "routes": queries.routes_table(meeting.meeting_type),
                   "contacts": statutory.contacts_for(jurisdiction(meeting.meeting_type)),
                   "plan": plan_for(meeting.meeting_type), **extra},
        roles=PARTICIPANT_ROLES,
        agencies=AGENCIES,
        decision_statuses=registers.DECISION_STATUSES,
        attendance=registers.ATTENDANCE,
        previous_actions_shown=bool(extra.get("previous_actions", {}).get("actions")),
        plan=plan_for(meeting.meeting_type),
        notice_kinds=reports.NOTICE_KINDS,
    )
    return response, 200, {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@bp.get("/chair/<token>")
@allow("link")
def chair(token: str):
    """Chair link: the console that prepares and runs the meeting."""
    return _page(token, "chair")


@bp.get("/screen/<token>")
@allow("link")
def screen(token: str):
    """Shared-screen link: the read-only, full-screen view for the room's projector."""
    return _page(token, "screen")


@bp.get("/join/<token>")
@allow("link")
@limiter.limit(lambda: current_app.config["JOIN_RATE_LIMIT"])
def join(token: str):
    """A participant's personal link: the live meeting from their own device."""
    return _page(token, "participant")


@bp.get("/documents/<token>/<int:document_id>")
@allow("link")
def document(token: str, document_id: int):
    """A chair's, note-taker's or participant's link: a document of the evidence pack it may read, as an
    attachment (the same rules as the API; every download is in the access log)."""
    link = queries.live_link(token)
    if link is None or not access.may(link.role, "documents.download") or not queries.link_serves(link, current_user):
        abort(404)
    try:
        found, data = evidence.download(link, document_id)
    except NotFound:
        abort(404)
    return document_file(found, data)
