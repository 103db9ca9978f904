"""Administration: staff accounts, the organisation's settings, and the access log."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .. import schemas
from ..auth import allow
from ..domain import access
from ..domain.statutory import organisation as statutory_org
from ..extensions import db
from ..models import AdminLogEntry, AuditEntry, Meeting, User, utcnow
from ..realtime.broadcast import cut_off_links
from ..services import accounts, security_events

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: audit actions that are reads or exports of a meeting's record (the rest are changes)
ACCESS_ACTIONS = ("meeting.open", "minutes.export", "actions.export_csv", "records.history", "subject_access_export")
PAGE_SIZE = 50


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 10_000 else 1


@bp.get("/")
@allow("admin")
def index():
    """Administrators: what there is to manage."""
    counts = {
        "accounts": db.session.scalar(select(func.count()).select_from(User)),
        "meetings": db.session.scalar(select(func.count()).select_from(Meeting)),
    }
    security_day = sum(row["day"] for row in security_events.totals())
    return render_template("admin/index.html", counts=counts, org=accounts.organisation(), security_day=security_day)


@bp.route("/users", methods=["GET", "POST"])
@allow("admin")
def users():
    """Administrators: every staff account, and a form to add one."""
    errors: dict[str, str] = {}
    form = {"email": "", "name": "", "role": access.STAFF_CHAIR}
    if request.method == "POST":
        form = {k: request.form.get(k, "")[:300] for k in form}
        try:
            user = accounts.create_user(
                form["email"], form["name"], form["role"], request.form.get("password", ""), by=current_user
            )
        except schemas.FieldErrors as exc:
            errors = exc.fields
        else:
            flash(f"Account created for {user.name}. Give them their password in person or by phone.")
            return redirect(url_for("admin.users"), code=303)
    rows = db.session.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    return render_template(
        "admin/users.html", rows=rows, errors=errors, form=form, roles=access.ACCOUNT_ROLES, now_utc=utcnow()
    ), (422 if errors else 200)


def _user(user_id: int) -> User:
    """An account of the administrator's own organisation; another's is answered as one that does not exist."""
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != current_user.organisation_id:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/active")
@allow("admin")
def set_active(user_id: int):
    """Administrators: turn an account off (it is signed out and its meeting connections close) or on."""
    user = _user(user_id)
    active = request.form.get("active") == "1"
    try:
        accounts.set_active(user, active, by=current_user)
    except schemas.FieldErrors as exc:
        flash(next(iter(exc.fields.values())))
    else:
        if not active:
            cut_off_links(accounts.user_link_ids(user.id), "This account has been turned off.")
        flash(f"{user.name}'s account is now {'on' if active else 'off'}.")
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<int:user_id>/password")
@allow("admin")
def reset_password(user_id: int):
    """Administrators: set a new password for someone who has forgotten theirs (their sessions end)."""
    user = _user(user_id)
    try:
        accounts.set_password(user, request.form.get("new_password", ""), by=current_user)
    except schemas.FieldErrors as exc:
        flash(f"Password not changed: {next(iter(exc.fields.values()))}")
    else:
        cut_off_links(accounts.user_link_ids(user.id), "Your password was reset.")
        flash(f"New password set for {user.name}; they have been signed out everywhere.")
    return redirect(url_for("admin.users"), code=303)


@bp.route("/settings", methods=["GET", "POST"])
@allow("admin")
def settings():
    """Administrators: the organisation's name, how long records are kept, how long invite links work (and,
    on the same page, the statutory clock's settings, saved by `statutory_settings`)."""
    org = accounts.organisation()
    errors: dict[str, str] = {}
    form = _general_form(org)
    if request.method == "POST":
        form = {k: request.form.get(k, "")[:200] for k in form}
        raw: dict = {"name": form["name"]}
        for key in ("retention_months", "invite_link_days"):
            value = form[key].strip()
            if value.isascii() and value.isdigit() and len(value) < 7:
                raw[key] = int(value)
            else:
                errors[key] = "Must be a whole number."
        if not errors:
            try:
                accounts.update_settings(raw, by=current_user)
            except schemas.FieldErrors as exc:
                errors = exc.fields
            else:
                flash("Settings saved.")
                return redirect(url_for("admin.settings"), code=303)
    return _settings_page(form=form, errors=errors)


def _general_form(org) -> dict[str, str]:
    return {"name": org.name, "retention_months": str(org.retention_months), "invite_link_days": str(org.invite_link_days)}


def _statutory_form(org) -> dict[str, str]:
    """The statutory settings as the form shows them: contacts by field, terms and closures as lines."""
    form = {}
    for kind in statutory_org.CONTACT_KINDS:
        stored = (org.contacts or {}).get(kind) or {}
        for part in statutory_org.CONTACT_FIELDS:
            form[f"{kind}.{part}"] = stored.get(part) or ""
    timeframes = org.us_timeframes or {}
    form.update(
        timezone=org.timezone or "",
        terms=statutory_org.as_lines(statutory_org.spans_from(org.term_dates)),
        closures=statutory_org.as_lines(statutory_org.spans_from(org.closure_days)),
        us_state=org.us_state or "",
        **{s.setting: str(timeframes.get(s.rule_id) or "") for s in statutory_org.STATE_SETTABLE},
    )
    return form


def _settings_page(form=None, errors=None, statutory_form=None, statutory_errors=None):
    org = accounts.organisation()
    return render_template(
        "admin/settings.html",
        form=form or _general_form(org),
        errors=errors or {},
        sform=statutory_form or _statutory_form(org),
        serrors=statutory_errors or {},
        contact_kinds=[(kind, statutory_org.CONTACT_SETTING_LABELS[kind]) for kind in statutory_org.CONTACT_KINDS],
        state_settable=statutory_org.STATE_SETTABLE,
        us_states=statutory_org.US_STATES,
        default_zone=current_app.config.get("TIMEZONE", "Europe/London"),
    ), (422 if errors or statutory_errors else 200)


#: Longer than any field may be, so that the schema refuses an over-long value rather than it being cut.
FORM_VALUE_LIMIT = 40_000


@bp.post("/settings/statutory")
@allow("admin")
def statutory_settings():
    """Administrators: the statutory clock's local contacts, time zone, term dates, closure days and US state."""
    form = {key: request.form.get(key, "")[:FORM_VALUE_LIMIT] for key in _statutory_form(accounts.organisation())}
    raw: dict = {
        kind: {part: form[f"{kind}.{part}"] for part in statutory_org.CONTACT_FIELDS}
        for kind in statutory_org.CONTACT_KINDS
    }
    raw.update(timezone=form["timezone"], terms=form["terms"], closures=form["closures"], us_state=form["us_state"])
    errors: dict[str, str] = {}
    for settable in statutory_org.STATE_SETTABLE:
        value = form[settable.setting].strip()
        if not value:
            raw[settable.setting] = None
        elif value.isascii() and value.isdigit() and len(value) < 7:
            raw[settable.setting] = int(value)
        else:
            errors[settable.setting] = "Must be a whole number, or empty for the federal default."
    if not errors:
        try:
            accounts.update_statutory_settings(raw, by=current_user)
        except schemas.FieldErrors as exc:
            errors = exc.fields
        else:
            flash("Statutory clock settings saved.")
            return redirect(url_for("admin.settings") + "#statutory", code=303)
    return _settings_page(statutory_form=form, statutory_errors=errors)


@bp.get("/access-log")
@allow("admin")
def access_log():
    """Administrators: who opened, exported or downloaded each meeting's record, and when (newest first)."""
    page = _page_number()
    query = select(AuditEntry, Meeting).join(Meeting, Meeting.id == AuditEntry.meeting_id)
    query = query.where(AuditEntry.action.in_(ACCESS_ACTIONS))
    meeting_id = request.args.get("meeting", "")
    child = request.args.get("child", "").strip()[:40]
    if meeting_id.isascii() and meeting_id.isdigit():
        # an id out of range names no meeting (0 matches none) rather than overflowing the database
        query = query.where(AuditEntry.meeting_id == (schemas.parse_id(meeting_id) or 0))
    if child:
        query = query.where(Meeting.child_ref == child)
    rows = db.session.execute(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    admin_rows = []
    if page == 1 and not meeting_id and not child:
        admin_rows = db.session.scalars(select(AdminLogEntry).order_by(AdminLogEntry.at.desc()).limit(20)).all()
    return render_template(
        "admin/access_log.html",
        rows=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        meeting_id=meeting_id,
        child=child,
        admin_rows=admin_rows,
    )


@bp.get("/security")
@allow("admin")
def security():
    """Administrators: refusals per kind in the last 24 hours and 7 days, and the latest ones."""
    return render_template("admin/security.html", totals=security_events.totals(), recent=security_events.recent())
