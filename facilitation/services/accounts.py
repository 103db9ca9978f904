"""Staff accounts and the organisation's settings: sign-in with lockout, passwords, API tokens.

Families and other participants never need an account: they use their personal invite link.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import queries, schemas
from ..domain import access
from ..domain import accounts as rules
from ..domain.errors import InvalidValue, NotFound
from ..domain.statutory import organisation as statutory_rules
from ..extensions import db
from ..models import ORGANISATION_DEFAULTS, AccessLink, AdminLogEntry, Organisation, User, utcnow
from . import security_events
from .writes import write

#: the password hash of an account made by single sign-on: no password matches it (werkzeug's hashes
#: always contain "$", so no real hash can equal it); `authenticate` treats it as no password
NO_PASSWORD = "!sso"

#: checked against when the e-mail is unknown, so a wrong address takes as long as a wrong password
_DUMMY_HASH = generate_password_hash("not a real password, only for timing")


class UseSingleSignOn(Exception):
    """The password was right, but the account's organisation requires its staff to use single sign-on."""

    message = "Your organisation signs you in with your school account: use “Sign in with your school account”."


def _hash(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def organisation() -> Organisation:
    """The organisation's settings: the row the database was made with (reading never writes)."""
    org = queries.organisation_row()
    if org is None:
        # A database whose row was deleted by hand: the defaults, unsaved, until an administrator saves.
        return Organisation(id=queries.current_organisation_id(), updated_at=utcnow(), **ORGANISATION_DEFAULTS)
    return org


#: `log_admin(..., organisation_id=DEPLOYMENT)`: an entry of the deployment's own log (no organisation's)
DEPLOYMENT = None
_SCOPED = object()


def log_admin(action: str, actor: User | str, detail: dict[str, Any], *, organisation_id: Any = _SCOPED) -> None:
    """Note what an administrator or a data-protection command did (committed with the change), in the
    log of the organisation given, else of the one the context is scoped to (DEPLOYMENT: the deployment's)."""
    db.session.add(
        AdminLogEntry(
            organisation_id=queries.current_organisation_id() if organisation_id is _SCOPED else organisation_id,
            action=action,
            actor=actor if isinstance(actor, str) else f"{actor.name} <{actor.email}>",
            user_id=None if isinstance(actor, str) else actor.id,
            detail=detail,
            at=utcnow(),
        )
    )


def user_by_email(email: str) -> User | None:
    """The account with this e-mail address, in any organisation (addresses are unique in the deployment)."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


#: the e-mail is taken: said without naming the organisation that has it
EMAIL_TAKEN = (
    "There is already an account with that e-mail address (here or in another organisation of this deployment)."
)


def create_user(
    email: str,
    name: str,
    role: str,
    password: str,
    *,
    by: User | str,
    organisation_id: int | None = None,
    deployment_admin: bool = False,
    commit: bool = True,
) -> User:
    """A new staff account of an organisation (the creating administrator's, else the one in scope);
    clear errors for a taken e-mail, an unknown role or a weak password."""
    errors = check_new_user(email, name, role, password)
    if errors:
        raise schemas.FieldErrors(errors)
    if organisation_id is None:
        organisation_id = by.organisation_id if isinstance(by, User) else queries.current_organisation_id()
    email = rules.clean_email(email)
    user = User(
        organisation_id=organisation_id,
        email=email,
        name=name.strip(),
        role=role,
        password_hash=_hash(password),
        password_changed_at=utcnow(),
        deployment_admin=deployment_admin,
    )
    db.session.add(user)
    db.session.flush()
    detail = {"user_id": user.id, "role": role} | ({"deployment_admin": True} if deployment_admin else {})
    log_admin("account.create", by, detail, organisation_id=organisation_id)
    if commit:
        db.session.commit()
    return user


def check_new_user(email: str, name: str, role: str, password: str) -> dict[str, str]:
    """What is wrong with a new account's details, by field (empty when nothing is)."""
    errors: dict[str, str] = {}
    try:
        email = rules.clean_email(email)
    except InvalidValue as exc:
        errors["email"] = exc.message
    name = (name or "").strip()
    if not name or len(name) > 120:
        errors["name"] = "Give the person's name (at most 120 characters)."
    if role not in access.ACCOUNT_ROLES:
        errors["role"] = "Choose one of: " + ", ".join(access.ACCOUNT_ROLES.values()) + "."
    if "email" not in errors and user_by_email(email) is not None:
        errors["email"] = EMAIL_TAKEN
    try:
        rules.check_password(password, email=email, name=name)
    except InvalidValue as exc:
        errors["password"] = exc.message
    return errors


def authenticate(email: str, password: str, now: datetime | None = None, *, address: str | None = None) -> User | None:
    """The account when the e-mail and password match an active, unlocked account; else None.

    Every failure looks the same to the person signing in, so an address's existence is not
    revealed (an account made by single sign-on has no password, NO_PASSWORD); repeated failures
    lock the account for a while (config LOGIN_LOCKOUT_*). The right password of a staff account
    whose organisation requires single sign-on raises UseSingleSignOn. Failures and lockouts go to the security log with the account's id, never the e-mail address typed.
    """
    now = now or utcnow()
    user = user_by_email(email or "") if isinstance(email, str) else None
    if user is None or not isinstance(password, str):
        check_password_hash(_DUMMY_HASH, password if isinstance(password, str) else "")
        security_events.record(
            "sign_in_failed",
            user_id=user.id if user else None,
            address=address,
            detail="unknown_account" if user is None else "no_password",
            organisation_id=user.organisation_id if user else None,
        )
        return None
    if user.password_hash == NO_PASSWORD:  # made by single sign-on: as slow as a wrong password, never good
        check_password_hash(_DUMMY_HASH, password[: rules.PASSWORD_MAX])
        good = False
    else:
        good = check_password_hash(user.password_hash, password[: rules.PASSWORD_MAX])
    if not user.active or rules.is_locked(user.locked_until, now):
        security_events.record(
            "sign_in_failed",
            user_id=user.id,
            address=address,
            detail="turned_off" if not user.active else "locked",
            organisation_id=user.organisation_id,
        )
        return None
    if not good:
        was_locked = user.locked_until
        user.failed_logins, user.locked_until = rules.after_failed_sign_in(
            user.failed_logins,
            now,
            limit=current_app.config["LOGIN_LOCKOUT_FAILURES"],
            lock_minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"],
        )
        locked_now = user.locked_until is not None and user.locked_until != was_locked
        user_id, org_id = user.id, user.organisation_id
        db.session.commit()
        security_events.record(
            "sign_in_failed", user_id=user_id, address=address, detail="wrong_password", organisation_id=org_id
        )
        if locked_now:
            security_events.record(
                "account_locked", user_id=user_id, address=address, detail="failed_sign_ins", organisation_id=org_id
            )
        return None
    if user.role != access.ADMIN and _sso_required(user):
        # Checked after the password, so that the refusal says nothing to someone who does not know it.
        # Administrators keep their passwords: the way in when the provider is down or misconfigured.
        security_events.record("sign_in_failed", user_id=user.id, address=address, detail="sso_required")
        raise UseSingleSignOn()
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    db.session.commit()
    return user


def _sso_required(user: User) -> bool:
    org = db.session.get(Organisation, user.organisation_id)
    return bool(org is not None and org.sso_required and org.oidc_issuer)


def load_session_user(session_id: str) -> User | None:
    """The account a session cookie names, if it is active and its sessions have not been ended."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    """The account's own password change: the current one must be right; other sessions end."""
    if not isinstance(current, str) or not check_password_hash(user.password_hash, current[: rules.PASSWORD_MAX]):
        raise schemas.FieldErrors({"current_password": "That is not your current password."})
    if current == new:
        raise schemas.FieldErrors({"new_password": "Choose a password different from the current one."})
    set_password(user, new, by=user)


def set_password(user: User, new: str, *, by: User | str) -> None:
    """Set a password (the account's own change, or an administrator's reset); ends every session."""
    try:
        rules.check_password(new, email=user.email, name=user.name)
    except InvalidValue as exc:
        raise schemas.FieldErrors({"new_password": exc.message}) from None
    user.password_hash = _hash(new)
    user.password_changed_at = utcnow()
    user.failed_logins, user.locked_until = 0, None
    user.session_version += 1
    log_admin("account.password", by, {"user_id": user.id}, organisation_id=user.organisation_id)
    db.session.commit()


def set_active(user: User, active: bool, *, by: User) -> None:
    """An administrator turns an account off (it can no longer sign in or use its links) or on."""
    if user.id == by.id and not active:
        raise schemas.FieldErrors({"_": "You cannot turn off your own account."})
    if not active and user.role == access.ADMIN and _active_admins(user.organisation_id) <= 1:
        raise schemas.FieldErrors({"_": "Keep at least one active administrator."})
    user.active = active
    if not active:
        user.session_version += 1
    action = "account.activate" if active else "account.deactivate"
    log_admin(action, by, {"user_id": user.id}, organisation_id=user.organisation_id)
    db.session.commit()


def _active_admins(organisation_id: int) -> int:
    """The organisation's active administrators (each organisation keeps at least one)."""
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == access.ADMIN, User.active, User.organisation_id == organisation_id)
    )


def set_deployment_admin(user: User, on: bool, *, by: User | str) -> None:
    """Make an account a deployment administrator (it may create organisations), or no longer one."""
    if user.deployment_admin == on:
        return
    user.deployment_admin = on
    log_admin(
        "account.deployment_admin",
        by,
        {"user_id": user.id, "deployment_admin": on, "organisation_id": user.organisation_id},
        organisation_id=DEPLOYMENT,
    )
    db.session.commit()


def end_sessions(user: User) -> None:
    """Sign the account out everywhere (every browser's session cookie stops working)."""
    user.session_version += 1
    db.session.commit()


def user_link_ids(user_id: int) -> list[int]:
    """The account's meeting links: their open sockets are cut off when it signs out or is turned off."""
    return list(db.session.scalars(select(AccessLink.id).where(AccessLink.user_id == user_id)))


# ---------------------------------------------------------------- API tokens


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User) -> str:
    """A new API token for the account (the old one stops working); shown once, kept only as a hash."""
    token = "cg_" + secrets.token_urlsafe(32)
    user.api_token_hash = _token_hash(token)
    log_admin("account.api_token", user, {"user_id": user.id}, organisation_id=user.organisation_id)
    db.session.commit()
    return token


def withdraw_api_token(user: User, *, by: User) -> bool:
    """An administrator stops an account's API token working (a lost laptop, a script retired); False
    when it had none."""
    if user.api_token_hash is None:
        return False
    user.api_token_hash = None
    log_admin("account.api_token_withdrawn", by, {"user_id": user.id}, organisation_id=user.organisation_id)
    db.session.commit()
    return True


def user_for_api_token(token: str) -> User | None:
    """The active account an API token belongs to."""
    if not isinstance(token, str) or not token.startswith("cg_") or len(token) > 100:
        return None
    user = db.session.scalar(select(User).where(User.api_token_hash == _token_hash(token)))
    return user if user is not None and user.active else None


# ---------------------------------------------------------------- organisation settings


def update_settings(raw: dict[str, Any], *, by: User) -> Organisation:
    """An administrator changes the organisation's name, retention period or invite-link period."""
    args = schemas.parse(schemas.OrganisationSettingsArgs, raw)
    with write():
        org = organisation()
        if org not in db.session:
            db.session.add(org)
        before = {"name": org.name, "retention_months": org.retention_months, "invite_link_days": org.invite_link_days}
        org.name, org.retention_months, org.invite_link_days = (
            args.name.strip(),
            args.retention_months,
            args.invite_link_days,
        )
        org.updated_at = utcnow()
        log_admin("settings.update", by, {"before": before, "after": {**before, **args.model_dump()}})
    return org


def statutory_settings(org: Organisation) -> dict[str, Any]:
    """The organisation's statutory clock settings as stored (and as the admin log records them)."""
    return {
        "timezone": org.timezone,
        "contacts": org.contacts or {},
        "term_dates": org.term_dates or [],
        "closure_days": org.closure_days or [],
        "us_state": org.us_state,
        "us_timeframes": org.us_timeframes or {},
    }


def update_statutory_settings(raw: dict[str, Any], *, by: User) -> Organisation:
    """An administrator sets the statutory clock's contacts, time zone, terms, closures and US state profile."""
    args = schemas.parse(schemas.StatutorySettingsArgs, raw)
    timeframes = {
        settable.rule_id: getattr(args, settable.setting)
        for settable in statutory_rules.STATE_SETTABLE
        if getattr(args, settable.setting) is not None
    }
    if timeframes and not args.us_state:
        raise schemas.FieldErrors({"us_state": "Choose the state whose timeframes these are."})
    contacts = {}
    for kind in statutory_rules.CONTACT_KINDS:
        contact = getattr(args, kind).model_dump()
        if any(contact.values()):
            contacts[kind] = contact
    with write():
        org = organisation()
        if org not in db.session:
            db.session.add(org)
        before = statutory_settings(org)
        org.timezone = args.timezone or None
        org.contacts = contacts or None
        org.term_dates = [span.as_dict() for span in args.terms] or None
        org.closure_days = [span.as_dict() for span in args.closures] or None
        org.us_state = args.us_state or None
        org.us_timeframes = timeframes or None
        org.updated_at = utcnow()
        log_admin("settings.update", by, {"part": "statutory", "before": before, "after": statutory_settings(org)})
    return org


def get_user(user_id: int, organisation_id: int | None = None) -> User:
    """An account by id; of the organisation given (if any), else "no such account" as for a missing one."""
    user = db.session.get(User, user_id)
    if user is None or (organisation_id is not None and user.organisation_id != organisation_id):
        raise NotFound("No such account.")
    return user


def organisation_users(organisation_id: int) -> list[User]:
    """The organisation's accounts, active ones first, by name."""
    return list(
        db.session.scalars(
            select(User).where(User.organisation_id == organisation_id).order_by(User.active.desc(), User.name)
        )
    )
