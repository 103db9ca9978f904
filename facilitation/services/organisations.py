"""The deployment's organisations: a deployment administrator adds a school or service with its first
administrator, and renames it. What each organisation then does is its own administrators' business
(services.accounts); these entries go to the deployment's log (admin_log rows without an organisation)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from .. import schemas
from ..domain import access
from ..domain import accounts as rules
from ..domain.errors import InvalidValue, NotFound
from ..extensions import db
from ..models import ORGANISATION_DEFAULTS, AdminLogEntry, Meeting, Organisation, User, utcnow
from .accounts import DEPLOYMENT, check_new_user, create_user, log_admin
from .writes import write

NAME_MAX = 200


@dataclass(frozen=True)
class OrganisationRow:
    """An organisation as the deployment's list shows it."""

    organisation: Organisation
    accounts: int
    meetings: int


def listing() -> list[OrganisationRow]:
    """Every organisation with its numbers of accounts and meetings, by name."""
    accounts = {
        org_id: n
        for org_id, n in db.session.execute(select(User.organisation_id, func.count()).group_by(User.organisation_id))
    }
    meetings = {
        org_id: n
        for org_id, n in db.session.execute(
            select(Meeting.organisation_id, func.count()).group_by(Meeting.organisation_id)
        )
    }
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name, Organisation.id))
    return [OrganisationRow(org, accounts.get(org.id, 0), meetings.get(org.id, 0)) for org in orgs]


def get(organisation_id: int) -> Organisation:
    """An organisation by id (NotFound when there is none)."""
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No such organisation.")
    return org


def by_slug(slug: str) -> Organisation | None:
    """The organisation with this short name, if any."""
    return db.session.scalar(select(Organisation).where(Organisation.slug == (slug or "").strip()))


def _check_name_and_slug(name: str, slug: str, *, keep_id: int | None = None) -> tuple[str, str, dict[str, str]]:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = f"Give the organisation's name (at most {NAME_MAX} characters)."
    try:
        slug = rules.clean_slug(slug)
    except InvalidValue as exc:
        errors["slug"] = exc.message
    else:
        taken = by_slug(slug)
        if taken is not None and taken.id != keep_id:
            errors["slug"] = "Another organisation has that short name; choose another."
    return name, slug, errors


def create_organisation(
    name: str, slug: str, admin_email: str, admin_name: str, admin_password: str, *, by: User | str
) -> tuple[Organisation, User]:
    """A new organisation (the deployment's default settings) and its first administrator, in one
    transaction; field errors for every part at once, and nothing made when there are any."""
    name, slug, errors = _check_name_and_slug(name, slug)
    for field, message in check_new_user(admin_email, admin_name, access.ADMIN, admin_password).items():
        errors[f"admin_{field}"] = message
    if errors:
        raise schemas.FieldErrors(errors)
    with write():
        now = utcnow()
        defaults = {k: v for k, v in ORGANISATION_DEFAULTS.items() if k not in ("name", "slug")}
        org = Organisation(name=name, slug=slug, created_at=now, updated_at=now, **defaults)
        db.session.add(org)
        db.session.flush()
        log_admin(
            "organisation.create",
            by,
            {"organisation_id": org.id, "name": name, "slug": slug},
            organisation_id=DEPLOYMENT,
        )
        admin = create_user(
            admin_email, admin_name, access.ADMIN, admin_password, by=by, organisation_id=org.id, commit=False
        )
    return org, admin


def update_organisation(org: Organisation, name: str, slug: str, *, by: User) -> Organisation:
    """A deployment administrator renames an organisation or changes its short name."""
    name, slug, errors = _check_name_and_slug(name, slug, keep_id=org.id)
    if errors:
        raise schemas.FieldErrors(errors)
    with write():
        before = {"name": org.name, "slug": org.slug}
        org.name, org.slug, org.updated_at = name, slug, utcnow()
        log_admin(
            "organisation.update",
            by,
            {"organisation_id": org.id, "before": before, "after": {"name": name, "slug": slug}},
            organisation_id=DEPLOYMENT,
        )
    return org


def administrators(org: Organisation) -> list[User]:
    """The organisation's administrators, active ones first (for the deployment's page of it)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == org.id, User.role == access.ADMIN)
            .order_by(User.active.desc(), User.name)
        )
    )


def add_administrator(org: Organisation, email: str, name: str, password: str, *, by: User | str) -> User:
    """A deployment administrator gives an organisation another administrator (its only one has left,
    say); noted in the deployment's log and, as an account made, in the organisation's."""
    errors = {
        f"admin_{field}": message for field, message in check_new_user(email, name, access.ADMIN, password).items()
    }
    if errors:
        raise schemas.FieldErrors(errors)
    with write():
        admin = create_user(email, name, access.ADMIN, password, by=by, organisation_id=org.id, commit=False)
        log_admin(
            "organisation.add_admin", by, {"organisation_id": org.id, "user_id": admin.id}, organisation_id=DEPLOYMENT
        )
    return admin


def deployment_log(limit: int = 50) -> list:
    """The latest entries of the deployment's own log (organisations made and changed), newest first."""
    return list(
        db.session.scalars(
            select(AdminLogEntry)
            .where(AdminLogEntry.organisation_id.is_(None))
            .order_by(AdminLogEntry.at.desc(), AdminLogEntry.id.desc())
            .limit(limit)
        )
    )
