"""Landing page and preparing a new meeting."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, redirect, render_template, request
from flask_login import current_user

from .. import queries, schemas, services
from ..auth import allow
from ..domain.errors import NotFound, RuleViolation
from ..domain.meetings import MEETING_TYPES
from ..realtime.broadcast import broadcast
from ..services import grants

bp = Blueprint("meetings", __name__)


@bp.get("/")
@allow("anyone")
def index():
    """Anyone: what Common Ground is; a signed-in account sees its meetings and their links."""
    if not current_user.is_authenticated:
        return render_template("meetings/index.html")
    rows = queries.meetings_for_user(current_user)
    return render_template("meetings/mine.html", rows=rows, meeting_types=MEETING_TYPES)


@bp.route("/meetings/new", methods=["GET", "POST"])
@allow("maker")
def new_meeting():
    """A signed-in chair or administrator: the form; on success, go to the chair console."""
    errors: dict[str, str] = {}
    tomorrow = (datetime.now() + timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)
    form = {
        "title": "",
        "meeting_type": "ehcp_annual_review",
        "child_ref": "",
        "date": tomorrow.date().isoformat(),
        "start": "09:30",
        "end": "11:00",
    }
    if request.method == "POST":
        form.update({k: request.form.get(k, "") for k in form})
        try:
            start = datetime.fromisoformat(f"{form['date']}T{form['start']}")
            end = datetime.fromisoformat(f"{form['date']}T{form['end']}")
        except ValueError:
            errors["date"] = "Give a date and start and end times."
        else:
            try:
                _, links = services.meetings.create_meeting(
                    {
                        "title": form["title"],
                        "meeting_type": form["meeting_type"],
                        "child_ref": form["child_ref"],
                        "scheduled_start": start.isoformat(),
                        "scheduled_end": end.isoformat(),
                        "use_usual_agenda": True,
                    },
                    owner=current_user,
                )
                return redirect(links["chair"], code=303)
            except schemas.FieldErrors as exc:
                errors.update(exc.fields)
            except RuleViolation as exc:
                errors[exc.field or "_"] = exc.message
    return render_template(
        "meetings/new.html", form=form, errors=errors, meeting_types=MEETING_TYPES
    ), (422 if errors else 200)


@bp.post("/meetings/<int:meeting_id>/open")
@allow("staff")
def open_granted(meeting_id: int):
    """A signed-in account another organisation granted access: open one of its meetings through the
    account's own staff link (made on first open, with the grant's role; a form, since it may add the
    account to the meeting's people); any other meeting is 404."""
    try:
        link, outcome = grants.open_granted_meeting(current_user, meeting_id)
    except NotFound:
        abort(404)
    if outcome is not None:
        broadcast(outcome)  # the chair's people list shows them
    return redirect(queries.link_path(link), code=303)
