"""Administration of one organisation: its staff accounts, grants to other organisations' accounts, its
settings, access log and security log. Every page is scoped to the signed-in administrator's own
organisation: another organisation's account or grant is "not found", as one that does not exist."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .. import queries, schemas
from ..auth import allow
from ..domain import access
from ..domain import accounts as account_rules
from ..domain.errors import NotFound
from ..domain.statutory import organisation as statutory_org
from ..extensions import db
from ..models import AdminLogEntry, AuditEntry, Meeting, User, utcnow
from ..realtime.broadcast import cut_off_links
from ..services import accounts, security_events, single_sign_on
from ..services import grants as organisation_grants
from .single_sign_on import public_url

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: audit actions that are reads or exports of a meeting's record (the rest are changes)
ACCESS_ACTIONS = ("meeting.open", "minutes.export", "actions.export_csv", "records.history", "subject_access_export")
PAGE_SIZE = 50


@bp.before_request
def scope_to_the_administrators_organisation():
    """Every admin page reads and changes the signed-in account's own organisation (idempotent)."""
    if current_user.is_authenticated:
        queries.use_organisation(current_user.organisation_id)


def _org_id() -> int:
    return current_user.organisation_id


@bp.context_processor
def organisation_name() -> dict:
    """The signed-in account's organisation's name, for the admin pages' header."""
    if current_user.is_authenticated:
        return {"organisation_name": accounts.organisation().name}
    return {}


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 10_000 else 1


@bp.get("/")
@allow("admin")
def index():
    """Administrators: what there is to manage."""
    counts = {
        "accounts": db.session.scalar(select(func.count()).select_from(User).where(User.organisation_id == _org_id())),
        "meetings": db.session.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.organisation_id == _org_id())
        ),
        "grants": len(organisation_grants.listing(_org_id())),
    }
    security_day = sum(row["day"] for row in security_events.totals(organisations=_security_scope()))
    return render_template("admin/index.html", counts=counts, org=accounts.organisation(), security_day=security_day)


@bp.route("/users", methods=["GET", "POST"])
@allow("admin")
def users():
    """Administrators: every staff account of their organisation, and a form to add one to it."""
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
    rows = accounts.organisation_users(_org_id())
    return render_template(
        "admin/users.html", rows=rows, errors=errors, form=form, roles=access.ACCOUNT_ROLES, now_utc=utcnow()
    ), (422 if errors else 200)


def _user(user_id: int) -> User:
    """An account of the administrator's organisation; any other is 404, as one that does not exist."""
    try:
        return accounts.get_user(user_id, _org_id())
    except NotFound:
        abort(404)


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


@bp.post("/users/<int:user_id>/api-token")
@allow("admin")
def withdraw_api_token(user_id: int):
    """Administrators: stop an account's API token working (they can make a new one on their account page)."""
    user = _user(user_id)
    if accounts.withdraw_api_token(user, by=current_user):
        flash(f"{user.name}'s API token no longer works.")
    else:
        flash(f"{user.name} has no API token.")
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


def _sign_in_form(org) -> dict[str, str]:
    """The single sign-on settings as the form shows them: never the client secret."""
    return {
        "issuer": org.oidc_issuer or "",
        "client_id": org.oidc_client_id or "",
        "domains": "\n".join(org.oidc_domains or []),
        "default_role": org.sso_default_role or access.STAFF_NOTE_TAKER,
        "sso_required": "1" if org.sso_required else "",
    }


@bp.route("/settings/sign-in", methods=["GET", "POST"])
@allow("admin")
def sign_in_settings():
    """Administrators: signing in with the school's own accounts (OpenID Connect provider, domains, role, required)."""
    org = accounts.organisation()
    errors: dict[str, str] = {}
    form = _sign_in_form(org)
    if request.method == "POST":
        form = {key: request.form.get(key, "")[:FORM_VALUE_LIMIT] for key in form}
        raw = {
            "issuer": form["issuer"],
            "client_id": form["client_id"],
            "client_secret": request.form.get("client_secret", "")[:FORM_VALUE_LIMIT],
            "domains": form["domains"],
            "default_role": form["default_role"],
            "sso_required": form["sso_required"] == "1",
        }
        try:
            single_sign_on.update_settings(raw, by=current_user)
        except schemas.FieldErrors as exc:
            errors = exc.fields
        else:
            flash("Sign-in settings saved.")
            return redirect(url_for("admin.sign_in_settings"), code=303)
    return render_template(
        "admin/sign_in_settings.html",
        form=form,
        errors=errors,
        secret_set=bool(org.oidc_client_secret),
        callback_url=public_url("single_sign_on.callback"),
        logout_url=public_url("accounts.login"),
        direct_url=public_url("single_sign_on.by_organisation", slug=org.slug) if org.slug else None,
        roles={key: access.ACCOUNT_ROLES[key] for key in (access.STAFF_CHAIR, access.STAFF_NOTE_TAKER)},
    ), (422 if errors else 200)


@bp.get("/access-log")
@allow("admin")
def access_log():
    """Administrators: who opened, exported or downloaded each meeting's record, and when (newest first)."""
    page = _page_number()
    query = select(AuditEntry, Meeting).join(Meeting, Meeting.id == AuditEntry.meeting_id)
    query = query.where(AuditEntry.action.in_(ACCESS_ACTIONS), Meeting.organisation_id == _org_id())
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
        admin_rows = db.session.scalars(
            select(AdminLogEntry)
            .where(AdminLogEntry.organisation_id == _org_id())
            .order_by(AdminLogEntry.at.desc(), AdminLogEntry.id.desc())
            .limit(20)
        ).all()
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
    """Administrators: their organisation's refusals per kind in the last 24 hours and 7 days, and the latest."""
    scope = _security_scope()
    return render_template(
        "admin/security.html",
        totals=security_events.totals(organisations=scope),
        recent=security_events.recent(organisations=scope),
        unattributed=None in scope,
    )


def _security_scope() -> tuple[int | None, ...]:
    """Whose security events an administrator sees: their organisation's; and the refusals tied to no
    organisation (an unknown link, an address over a limit) in the first organisation (a deployment of
    one sees everything, as before) and for deployment administrators."""
    if _org_id() == queries.FIRST_ORGANISATION or current_user.deployment_admin:
        return (_org_id(), None)
    return (_org_id(),)


# ---------------------------------------------------------------- grants


@bp.route("/grants", methods=["GET", "POST"])
@allow("admin")
def grants():
    """Administrators: accounts of other organisations (a local-authority officer, say) given access to
    this organisation's meetings in a meeting role; a form to give one, a button to take one back."""
    errors: dict[str, str] = {}
    form = {"email": "", "role": access.OBSERVER}
    if request.method == "POST":
        form = {k: request.form.get(k, "")[:300] for k in form}
        try:
            grant = organisation_grants.grant_access(_org_id(), form["email"], form["role"], by=current_user)
        except schemas.FieldErrors as exc:
            errors = exc.fields
        else:
            who = db.session.get(User, grant.user_id)
            role = account_rules.GRANT_ROLES[grant.role].lower()
            flash(f"{who.name} can now open this organisation's meetings as {role}.")
            return redirect(url_for("admin.grants"), code=303)
    return render_template(
        "admin/grants.html", rows=organisation_grants.listing(_org_id()), errors=errors, form=form, roles=account_rules.GRANT_ROLES
    ), (422 if errors else 200)


@bp.post("/grants/<int:grant_id>/revoke")
@allow("admin")
def revoke_grant(grant_id: int):
    """Administrators: take back a grant of their organisation (another organisation's is 404)."""
    try:
        user, link_ids = organisation_grants.revoke_grant(_org_id(), grant_id, by=current_user)
    except NotFound:
        abort(404)
    cut_off_links(link_ids, "Your access to this organisation's meetings has been taken back.")
    flash(f"{user.name if user else 'The account'} no longer has access to this organisation's meetings.")
    return redirect(url_for("admin.grants"), code=303)
