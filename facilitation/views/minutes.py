"""The minutes pages and exports, reached with a meeting link's token in the path (like the room pages).

Any live link of the meeting may read its minutes (chair, participant, shared screen); a token only ever
opens its own meeting. Every export is logged (who, which format, which version).
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user

from .. import exports, queries, schemas, snapshots
from ..auth import allow
from ..domain import access
from ..domain import minutes as rules
from ..domain.minutes import reports
from ..downloads import PRIVATE, minutes_file, minutes_or_404
from ..exports import html_doc
from ..extensions import db
from ..models import Meeting, utcnow
from ..services import minutes as service

bp = Blueprint("minutes", __name__)



def _reader(token: str):
    """The link and meeting for a token that may read minutes; 404 for anything else."""
    link = queries.live_link(token)
    if link is None or not access.may(link.role, "minutes.read") or not queries.link_serves(link, current_user):
        abort(404)
    meeting = db.session.get(Meeting, link.meeting_id)
    if meeting is None:
        abort(404)
    return link, meeting


def _which(link, meeting):
    """The version asked for (?version=live|N); by default the chair sees the live draft until approval."""
    try:
        which = service.parse_which(request.args.get("version"))
    except schemas.FieldErrors:
        abort(400)
    if which is None and link.role == access.CHAIR:
        current = service.current_version(meeting.id)
        if current is None or current.status != rules.APPROVED:
            which = service.LIVE
    return which


@bp.get("/minutes/<token>")
@allow("link")
def page(token: str):
    """Any link of the meeting: the minutes page (chair: preview, circulate, approve; participant: check, confirm or correct)."""
    link, meeting = _reader(token)
    which = _which(link, meeting)
    minutes = minutes_or_404(meeting, which)
    state = service.circulation_state(meeting, link)
    snapshot = snapshots.snapshot(meeting, link, utcnow())
    body = render_template(
        "minutes/page.html",
        meeting=meeting,
        link=link,
        role=link.role,
        token=token,
        which=which,
        minutes=minutes,
        document=html_doc.render_fragment(minutes),
        formats=exports.formats_for(meeting.meeting_type),
        recommendations=rules.RECOMMENDATIONS,
        report_kinds={k: reports.REPORTS[k] for k in reports.reports_for(meeting.meeting_type)},
        recipients=reports.RECIPIENTS,
        safeguards_how=reports.SAFEGUARDS_HOW,
        consent_kinds=reports.CONSENT,
        bootstrap={
            "token": token,
            "snapshot": snapshot,
            "state": state,
            "which": which,
            "recommendations": rules.RECOMMENDATIONS,
            "formats": {k: f.label for k, f in exports.formats_for(meeting.meeting_type).items()},
            "owners": [{"key": k, "name": n, "agency": a} for k, n, a in minutes.owners()],
        },
    )
    return body, 200, PRIVATE


@bp.get("/minutes/<token>/state.json")
@allow("link")
def state(token: str):
    """Any link: the circulation state (versions, answers, gaps) the minutes page draws."""
    link, meeting = _reader(token)
    which = _which(link, meeting)
    minutes = minutes_or_404(meeting, which)
    body = service.circulation_state(meeting, link)
    body["owners"] = [{"key": k, "name": n, "agency": a} for k, n, a in minutes.owners()]
    return jsonify(body), 200, PRIVATE


@bp.get("/minutes/<token>/preview")
@allow("link")
def preview(token: str):
    """Any link: the minutes asked for (?version=live|N) as an HTML fragment, for live refresh."""
    link, meeting = _reader(token)
    minutes = minutes_or_404(meeting, _which(link, meeting))
    return str(html_doc.render_fragment(minutes)), 200, {**PRIVATE, "Content-Type": "text/html; charset=utf-8"}


@bp.get("/minutes/<token>/export/<fmt>")
@allow("link")
def export(token: str, fmt: str):
    """Any link: the minutes as html, pdf, docx, md, csv, ics (?owner=<key> for one person's dates) or summary."""
    link, meeting = _reader(token)
    return minutes_file(link, meeting, fmt, _which(link, meeting), request.args.get("owner") or None, request.args.get("download") == "1")
