"""The action log after the meeting: the log across meetings, an action's history, "my actions", the
overview, the CSV export, reminder e-mail addresses, the development outbox and calendar feeds.

Pages are reached by a meeting link, as the room pages are:

- `/actions/<chair token>...`: the chair's log: the actions of every meeting prepared by the same staff
  account as the link's meeting (every meeting for an administrator's; its own meeting alone when the
  meeting has no owner).
- `/join/<participant token>/actions`: a participant's own actions only, where they record progress,
  and where anyone at the meeting can log support that did not happen.
- `/actions/<chair token>/statutory`: the statutory steps of the same meetings (missed, due in 7 and 28 days).
- `/calendar/<feed token>.ics`: one owner's due and follow-up dates, for a calendar subscription.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from .. import queries, schemas, services
from ..auth import allow
from ..domain import access
from ..domain import action_log as rules
from ..domain.dates import uk_date
from ..domain.errors import Conflict, RuleViolation
from ..domain.meetings import AGENCIES, MEETING_TYPES, PARTICIPANT_ROLES
from ..extensions import db
from ..models import AccessLink, Action, CalendarFeed, Meeting, utcnow
from ..realtime.broadcast import broadcast
from ..services import action_log as log

bp = Blueprint("actions", __name__)

PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


@bp.app_template_filter("action_day")
def action_day(value) -> str:
    """A date (or ISO date string) UK style: 14 Mar 2027."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    elif isinstance(value, datetime):
        value = log.rows.today_local(value)
    return uk_date(value)


def _link(token: str, role: str) -> AccessLink:
    link = queries.live_link(token)
    if link is None or link.role != role or not queries.link_serves(link, current_user):
        abort(404)
    return link


def _today() -> date:
    return log.rows.today_local(utcnow())


def _render(template: str, status: int = 200, **context):
    context.setdefault("statuses", rules.STATUSES)
    context.setdefault("standings", rules.STANDINGS)
    context.setdefault("meeting_types", MEETING_TYPES)
    context.setdefault("today", _today())
    return render_template(template, **context), status, PRIVATE


def _command_id() -> str:
    return secrets.token_hex(16)


def _form_args(fields: list[str], *, ints: tuple[str, ...] = ()) -> dict:
    """Form fields as command arguments: blanks are left out, whole numbers parsed (strictly)."""
    out: dict = {}
    for name in fields:
        value = request.form.get(name, "")
        if name in ints:
            if not value.isascii() or not value.isdigit():
                raise schemas.FieldErrors({name: "Must be a whole number."})
            out[name] = int(value)
        elif value.strip():
            out[name] = value
    return out


def _run(link: AccessLink, name: str, action_id: int, args: dict) -> services.pipeline.Outcome:
    command_id = request.form.get("command_id") or None
    if command_id is not None:
        command_id = schemas.parse(schemas.CommandEnvelope, {"id": command_id, "name": name}).id
    outcome = log.commands.run_on_action(link, name, action_id, args, command_id)
    if not outcome.replayed:
        broadcast(outcome)
    return outcome


def _errors(exc: Exception) -> tuple[dict[str, str], int]:
    if isinstance(exc, schemas.FieldErrors):
        return exc.fields, 422
    if isinstance(exc, Conflict):
        return {"_": exc.message}, 409
    assert isinstance(exc, RuleViolation)
    status = {"invalid": 422, "not_found": 404, "forbidden": 403}.get(exc.code, 409)
    return {exc.field or "_": exc.message}, status


# ---------------------------------------------------------------- the chair's log


@bp.get("/actions")
@allow("staff")
def staff_log():
    """A signed-in account: its action log, opened through its latest chair link (the log is per link)."""
    link = log.scope.latest_chair_link(current_user)
    if link is None:
        return _render("actions/no_log.html")
    return redirect(url_for("actions.action_log", token=link.token), code=303)


@bp.get("/actions/<token>")
@allow("link")
def action_log(token: str):
    """Chair link: every action from every meeting, filtered, sorted, paginated, with counts."""
    link = _link(token, access.CHAIR)
    try:
        filters = log.search.parse_filters(request.args)
        errors: dict[str, str] = {}
    except schemas.FieldErrors as exc:
        filters, errors = log.search.LogFilters(), exc.fields
    scope = log.scope.Scope.of(link)
    page = log.search.log_page(scope, filters, _today())
    # A meeting outside the log (another account's, another organisation's) is not named.
    meeting = db.session.get(Meeting, filters.meeting_id) if filters.meeting_id and scope.covers_meeting(filters.meeting_id) else None
    base = url_for("actions.action_log", token=token)

    def log_url(**overrides) -> str:
        """This log with the current filters changed by `overrides` (built without url_for per row)."""
        args = filters.query_args(**overrides)
        return base + ("?" + urlencode(args, doseq=True) if args else "")

    return _render(
        "actions/log.html",
        422 if errors else 200,
        log_url=log_url,
        action_url=lambda action_id: f"{base}/a/{action_id}",
        meeting_url=lambda meeting_id: f"{base}/meetings/{meeting_id}",
        token=token,
        link=link,
        scope=scope,
        page=page,
        f=filters,
        errors=errors,
        agencies=log.search.agencies(scope),
        sorts=log.search.SORTS,
        filter_meeting=meeting,
    )


@bp.get("/actions/<token>/export.csv")
@allow("link")
def export_csv(token: str):
    """Chair link: the filtered log as CSV (every page); the export is noted in the audit trail."""
    link = _link(token, access.CHAIR)
    try:
        filters = log.search.parse_filters(request.args)
    except schemas.FieldErrors as exc:
        abort(422, description="; ".join(f"{k}: {v}" for k, v in exc.fields.items()))
    scope = log.scope.Scope.of(link)
    today = _today()
    total, _ = log.search.counts_of(scope, filters, today)
    log.feeds.record_export(link, filters, total)
    name = f"actions-{today.isoformat()}.csv"
    return Response(
        stream_with_context(log.feeds.csv_lines(scope, filters, today)),
        mimetype="text/csv",
        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/actions/<token>/overview")
@allow("link")
def overview(token: str):
    """Chair link: completion rate and overdue counts per agency and meeting type over a chosen period."""
    link = _link(token, access.CHAIR)
    today = _today()
    errors: dict[str, str] = {}
    values = {}
    for name, default in (("from", today - timedelta(days=90)), ("to", today)):
        raw = request.args.get(name, "").strip()
        try:
            values[name] = schemas._iso_date(raw) if raw else default
        except ValueError as exc:
            errors[name] = str(exc)
            values[name] = default
    if values["to"] < values["from"]:
        errors["to"] = "The end of the period is before its start."
        values["to"] = values["from"]
    scope = log.scope.Scope.of(link)
    data = log.overview.overview(values["from"], values["to"], today, scope)
    disagreements = log.overview.disagreements(values["from"], values["to"], scope)
    return _render(
        "actions/overview.html", 422 if errors else 200, token=token, scope=scope, data=data, disagreements=disagreements, errors=errors, period=values
    )


def _statutory_filters() -> tuple[dict, dict[str, str]]:
    """The statutory view's filters from the query string, and a message for each bad one."""
    raw: dict = {}
    errors: dict[str, str] = {}
    child = request.args.get("child_ref", "")
    if child.strip():
        raw["child_ref"] = child.strip()
    meeting = request.args.get("meeting", "").strip()
    if meeting:
        number = schemas.parse_id(meeting)
        if number is None:
            errors["meeting"] = "Must be a meeting's number."
        else:
            raw["meeting"] = number
    try:
        parsed = schemas.parse(schemas.StatutoryViewFilters, raw)
    except schemas.FieldErrors as exc:
        return {}, {**errors, **exc.fields}
    return ({} if errors else parsed.model_dump(exclude_none=True)), errors


@bp.get("/actions/<token>/statutory")
@allow("link")
def statutory_dates(token: str):
    """Chair link: the statutory steps of the log's meetings: missed, due in 7 days, due in 28, by child or meeting."""
    link = _link(token, access.CHAIR)
    filters, errors = _statutory_filters()
    scope = log.scope.Scope.of(link)
    today = _today()
    data = log.statutory_dates.view(scope, today, child_ref=filters.get("child_ref"), meeting_id=filters.get("meeting"))
    if filters.get("meeting") and all(m.id != filters["meeting"] for m in data.meetings):
        errors["meeting"] = "No meeting with a statutory timeline in this log has that number."
    return _render(
        "actions/statutory.html",
        422 if errors else 200,
        token=token,
        scope=scope,
        data=data,
        f=filters,
        errors=errors,
        notice=log.statutory_dates.NOTICE,
        meeting_url=lambda meeting_id: url_for("actions.meeting_record", token=token, meeting_id=meeting_id),
        look_back=log.statutory_dates.LOOK_BACK.days,
    )


@bp.get("/actions/<token>/meetings/<int:meeting_id>")
@allow("link")
def meeting_record(token: str, meeting_id: int):
    """Chair link: one meeting's agenda with the actions agreed under each item (read only); only
    meetings in the link's log (see services.action_log.scope.Scope)."""
    link = _link(token, access.CHAIR)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not log.scope.Scope.of(link).covers_meeting(meeting_id):
        abort(404)
    today = _today()
    rows = log.search.meeting_actions(meeting_id, today)
    items = queries.load_items(meeting_id)
    by_item: dict[int | None, list] = {}
    for row in rows:
        by_item.setdefault(row.action.agenda_item_id, []).append(row)
    return _render(
        "actions/meeting.html",
        token=token,
        meeting=meeting,
        meeting_day=log.rows.today_local(meeting.scheduled_start),
        items=items,
        by_item=by_item,
        previous=log.review.previous_actions(meeting, today),
    )


# ---------------------------------------------------------------- one action: history and updates


def _detail(token: str, action_id: int, *, errors=None, form=None, status=200):
    link = _link(token, access.CHAIR)
    row = log.search.action_detail(link, action_id, _today())
    key = log.feeds.owner_key_of(row.action)
    feed = log.feeds.feed_for(key) if key else None
    return _render(
        "actions/detail.html",
        status,
        token=token,
        scope=log.scope.Scope.of(link),
        row=row,
        errors=errors or {},
        form=form or {},
        command_id=_command_id(),
        feed_url=url_for("actions.calendar", feed_token=feed.token, _external=True) if feed else None,
        owner_email=row.action.owner_email,
        participant_email=log.commands.participant_emails(row.action.meeting_id).get(row.action.owner_participant_id),
    )


@bp.get("/actions/<token>/a/<int:action_id>")
@allow("link")
def action_page(token: str, action_id: int):
    """Chair link: an action with its full history, and forms to record progress or missed support."""
    try:
        return _detail(token, action_id)
    except RuleViolation:
        abort(404)


def _post(token: str, action_id: int, role: str, name: str, args_of, back):
    link = _link(token, role)
    try:
        _run(link, name, action_id, args_of())
    except (schemas.FieldErrors, RuleViolation) as exc:
        db.session.rollback()
        errors, status = _errors(exc)
        if status == 404:
            abort(404)
        return back(errors, status)
    flash({"actions.record_progress": "Progress recorded.", "actions.report_missed": "Recorded: the support that did not happen.",
           "actions.set_owner_email": "E-mail address saved."}[name])
    return None


@bp.post("/actions/<token>/a/<int:action_id>/progress")
@allow("link")
def chair_progress(token: str, action_id: int):
    """Chair link: record progress on any action (status, dated note, evidence)."""
    failed = _post(
        token, action_id, access.CHAIR, "actions.record_progress",
        lambda: _form_args(["version", "status", "note", "evidence", "occurred_on"], ints=("version",)),
        lambda errors, status: _detail(token, action_id, errors=errors, form={"progress": request.form}, status=status),
    )
    return failed or redirect(url_for("actions.action_page", token=token, action_id=action_id) + "#history", 303)


@bp.post("/actions/<token>/a/<int:action_id>/missed")
@allow("link")
def chair_missed(token: str, action_id: int):
    """Chair link: log support that did not happen on a day."""
    failed = _post(
        token, action_id, access.CHAIR, "actions.report_missed",
        lambda: _form_args(["occurred_on", "note"]),
        lambda errors, status: _detail(token, action_id, errors=errors, form={"missed": request.form}, status=status),
    )
    return failed or redirect(url_for("actions.action_page", token=token, action_id=action_id) + "#history", 303)


@bp.post("/actions/<token>/a/<int:action_id>/owner-email")
@allow("link")
def chair_owner_email(token: str, action_id: int):
    """Chair link: the e-mail address for reminders to an owner from outside the meeting."""
    failed = _post(
        token, action_id, access.CHAIR, "actions.set_owner_email",
        lambda: {**_form_args(["version"], ints=("version",)), "email": request.form.get("email", "").strip() or None},
        lambda errors, status: _detail(token, action_id, errors=errors, form={"email": request.form}, status=status),
    )
    return failed or redirect(url_for("actions.action_page", token=token, action_id=action_id), 303)


# ---------------------------------------------------------------- reminder e-mail addresses for a meeting


def _emails_page(token: str, link: AccessLink, errors=None, status=200):
    meeting = db.session.get(Meeting, link.meeting_id)
    outside = [a for a in queries.live_entries(Action, meeting.id) if a.owner_participant_id is None]
    return _render(
        "actions/emails.html",
        status,
        token=token,
        scope=log.scope.Scope.of(link),
        meeting=meeting,
        participants=queries.present_participants(meeting),
        roles=PARTICIPANT_ROLES,
        agencies=AGENCIES,
        emails=log.commands.participant_emails(meeting.id),
        chair_email=log.commands.chair_email(meeting.id),
        outside=outside,
        errors=errors or {},
        backend=current_app.config["MAIL_BACKEND"],
    )


@bp.route("/actions/<token>/emails", methods=["GET", "POST"])
@allow("link")
def emails(token: str):
    """Chair link: e-mail addresses for reminders (participants, owners outside the meeting) and the digest."""
    link = _link(token, access.CHAIR)
    if request.method == "GET":
        return _emails_page(token, link)
    kind = request.form.get("kind")
    try:
        email = request.form.get("email", "").strip() or None
        if kind == "chair":
            outcome = services.pipeline.execute(link, "meeting.set_chair_email", {"email": email})
        elif kind == "participant":
            args = _form_args(["participant_id", "version"], ints=("participant_id", "version"))
            outcome = services.pipeline.execute(link, "participants.update", {**args, "email": email})
        elif kind == "owner":
            args = _form_args(["action_id", "version"], ints=("action_id", "version"))
            outcome = services.pipeline.execute(link, "actions.set_owner_email", {**args, "email": email})
        else:
            abort(400)
    except (schemas.FieldErrors, RuleViolation) as exc:
        db.session.rollback()
        errors, status = _errors(exc)
        target = request.form.get("participant_id") or request.form.get("action_id") or ""
        return _emails_page(token, link, {f"{kind}:{target}": " ".join(errors.values())}, status)
    broadcast(outcome)
    flash("E-mail address saved." if email else "E-mail address removed.")
    return redirect(url_for("actions.emails", token=token), 303)


@bp.get("/actions/<token>/outbox")
@allow("link")
def outbox(token: str):
    """Chair link: the development outbox (messages kept instead of sent) and recent reminder claims."""
    link = _link(token, access.CHAIR)
    scope = log.scope.Scope.of(link)
    return _render(
        "actions/outbox.html",
        token=token,
        scope=scope,
        messages=log.reminders.outbox(scope=scope),
        claims=log.reminders.reminder_claims(scope=scope),
        backend=current_app.config["MAIL_BACKEND"],
        kinds=rules.REMINDER_KINDS,
    )


# ---------------------------------------------------------------- a participant's own actions


def _mine(token: str, *, errors=None, form=None, status=200):
    link = _link(token, access.PARTICIPANT)
    today = _today()
    meeting = db.session.get(Meeting, link.meeting_id)
    rows = log.search.my_actions(link, today)
    feed = log.feeds.feed_for(log.feeds.participant_key(link.participant_id)) if rows else None
    reportable = [
        r
        for r in log.search.meeting_actions(meeting.id, today, confidential=False)
        + log.review.previous_actions(meeting, today, confidential=False)
        if r.action.status != rules.CANCELLED
    ]
    missed = sorted(
        (u for r in reportable for u in r.history if u.kind == rules.MISSED_PROVISION),
        key=lambda u: (u.occurred_on, u.id),
        reverse=True,
    )
    return _render(
        "actions/mine.html",
        status,
        token=token,
        link=link,
        me=link.participant,
        meeting=meeting,
        rows=rows,
        reportable=reportable,
        missed=missed,
        titles={r.action.id: r.action.what for r in reportable},
        errors=errors or {},
        form=form or {},
        command_id=_command_id(),
        feed_url=url_for("actions.calendar", feed_token=feed.token, _external=True) if feed else None,
    )


@bp.get("/join/<token>/actions")
@allow("link")
def my_actions(token: str):
    """Participant link: their own actions only, to record progress; and a log of support that did not happen."""
    return _mine(token)


@bp.post("/join/<token>/actions/<int:action_id>/progress")
@allow("link")
def my_progress(token: str, action_id: int):
    """Participant link: record progress on one of their own actions."""
    failed = _post(
        token, action_id, access.PARTICIPANT, "actions.record_progress",
        lambda: _form_args(["version", "status", "note", "evidence", "occurred_on"], ints=("version",)),
        lambda errors, status: _mine(token, errors={f"{action_id}:{k}": v for k, v in errors.items()},
                                     form={action_id: request.form}, status=status),
    )
    return failed or redirect(url_for("actions.my_actions", token=token) + f"#action-{action_id}", 303)


@bp.post("/join/<token>/actions/missed")
@allow("link")
def my_missed(token: str):
    """Participant link: log that agreed support did not happen on a day (any action of their meeting)."""
    action_id = schemas.parse_id(request.form.get("action_id", ""))
    if action_id is None:
        return _mine(token, errors={"missed:action_id": "Choose the action the support belongs to."},
                     form={"missed": request.form}, status=422)
    failed = _post(
        token, action_id, access.PARTICIPANT, "actions.report_missed",
        lambda: _form_args(["occurred_on", "note"]),
        lambda errors, status: _mine(token, errors={f"missed:{k}": v for k, v in errors.items()},
                                     form={"missed": request.form}, status=status),
    )
    return failed or redirect(url_for("actions.my_actions", token=token) + "#missed", 303)


# ---------------------------------------------------------------- calendar feeds


@bp.get("/calendar/<feed_token>.ics")
@allow("feed")
def calendar(feed_token: str):
    """Anyone holding the private feed URL: one owner's due and follow-up dates as iCalendar."""
    if not 20 <= len(feed_token) <= 64:
        abort(404)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == feed_token))
    domain = request.host.split(":")[0] or "common-ground.local"
    body = log.feeds.calendar(feed, utcnow(), domain) if feed else None
    if body is None:
        abort(404)
    return Response(body, mimetype="text/calendar", headers={**PRIVATE, "Content-Disposition": 'inline; filename="actions.ics"'})
