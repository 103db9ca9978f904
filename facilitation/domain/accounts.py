"""Staff accounts: what makes a password acceptable and when repeated failures lock an account."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from . import access
from .errors import InvalidValue

PASSWORD_MIN = 12
PASSWORD_MAX = 256
EMAIL_MAX = 254
#: a shape check only; whether the address works is for the mail it receives
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: passwords that meet the length rule but are still first guesses
_COMMON = frozenset(
    {
        "password1234", "passwordpassword", "123456789012", "qwertyuiopas", "letmeinletmein",
        "commonground", "welcome12345", "administrator", "changeme1234", "iloveyou1234",
    }
)


def clean_email(value: str) -> str:
    """An e-mail address as stored: trimmed and lower-case; a clear error when it is not one."""
    email = (value or "").strip().lower()
    if not email or len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise InvalidValue("Give an e-mail address, like name@school.org.uk.", field="email")
    return email


SLUG_MAX = 60
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: the meeting roles an organisation may grant an account of another organisation (a local-authority
#: officer, say): they open the organisation's meetings in this role
GRANT_ROLES = {
    access.PARTICIPANT: "Participant",
    access.OBSERVER: "Observer",
    access.NOTE_TAKER: "Note-taker",
}


#: words that are addresses of their own under /sign-in/sso/ (the one callback for the deployment)
RESERVED_SLUGS = frozenset({"callback"})


def clean_slug(value: str) -> str:
    """An organisation's short name as stored: lower-case letters, digits and single hyphens between them."""
    slug = (value or "").strip()
    if not slug or len(slug) > SLUG_MAX or not _SLUG.match(slug):
        raise InvalidValue(
            f"Use lower-case letters, digits and hyphens (at most {SLUG_MAX} characters), like hillside-primary.",
            field="slug",
        )
    if slug in RESERVED_SLUGS:
        raise InvalidValue(f"“{slug}” is a word the site's own addresses use; choose another short name.", field="slug")
    return slug


def check_password(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse a password that is short, common, or made of the account's own name or e-mail."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise InvalidValue(f"Use at least {PASSWORD_MIN} characters; a few words together work well.", field="password")
    if len(password) > PASSWORD_MAX:
        raise InvalidValue(f"Use at most {PASSWORD_MAX} characters.", field="password")
    lowered = password.lower()
    if lowered in _COMMON or len(set(lowered)) < 5:
        raise InvalidValue("That password is too easy to guess; choose another.", field="password")
    for part in (email.split("@")[0] if email else "", *name.lower().split()):
        if len(part) >= 4 and part in lowered:
            raise InvalidValue("Do not use your own name or e-mail address in the password.", field="password")


def after_failed_sign_in(failures: int, now: datetime, *, limit: int, lock_minutes: int) -> tuple[int, datetime | None]:
    """One more failure: the new count, and the time the account stays locked until (None if not)."""
    failures += 1
    if failures >= limit:
        return 0, now + timedelta(minutes=lock_minutes)
    return failures, None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """True while a lock set by repeated failures lasts."""
    return locked_until is not None and now < locked_until
