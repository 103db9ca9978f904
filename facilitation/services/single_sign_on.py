"""Single sign-on with an organisation's own accounts (OpenID Connect: Microsoft Entra ID, Google Workspace).

The authorisation code flow with PKCE (S256), through Authlib's requests client: `begin` builds the
provider's address and what the browser's session must keep (state, nonce, code verifier, the
organisation); `finish` takes that back exactly once, checks the answer's state and issuer, exchanges the
code, verifies the ID token and finds, links or creates the account.

The ID token is verified with joserfc (Authlib's JOSE library): its signature with a key from the
provider's JWKS, its issuer, audience, expiry, issue time and nonce. Each issuer's discovery document and
keys are cached per process for `OIDC_CACHE_SECONDS`; a token signed with a key id the cache does not know
makes one fresh fetch of the keys (the provider rotated them), at most once per `OIDC_JWKS_REFRESH_SECONDS`
so that tokens with made-up key ids cannot make the server fetch at will.

Which e-mail address is the person's: the token's `email` when `email_verified` is true. Microsoft Entra ID
sends no `email_verified`: for an issuer of one tenant (https://login.microsoftonline.com/<tenant>/v2.0)
its `email`, else `preferred_username`, is taken as the tenant's own (unless the optional claim `xms_edov`
says the domain's owner is not verified). Either way the address's domain must be one of the organisation's
`oidc_domains`.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select

from .. import queries, schemas
from ..domain import access
from ..domain import accounts as rules
from ..domain.errors import InvalidValue
from ..extensions import db
from ..models import Organisation, User, utcnow
from . import accounts, security_events
from .writes import write

SCOPES = "openid email profile"
#: signature algorithms accepted on ID tokens (what Entra ID and Google sign with, and ES256)
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256"]
#: a sign-in not finished within this many seconds must start again
PENDING_SECONDS = 600
#: clocks of the provider and this server may differ by this much
LEEWAY_SECONDS = 60
#: a tenant's own Microsoft issuer (not "common" or "organizations", whose tokens name no one tenant)
ENTRA_TENANT_ISSUER = re.compile(r"^https://login\.microsoftonline\.com/[0-9a-fA-F-]{36}/v2\.0$")


ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$")


class SignInRefused(Exception):
    """A single sign-on that does not sign anyone in: `reason` is the security log's code, `message` the page's."""

    def __init__(self, reason: str, message: str, *, user_id: int | None = None):
        super().__init__(reason)
        self.reason, self.message, self.user_id = reason, message, user_id


#: the roles a first sign-in may give
SSO_ROLES = (access.STAFF_CHAIR, access.STAFF_NOTE_TAKER)

GENERIC = "Signing in with your school account did not work. Try again, or ask your administrator."


@dataclass
class _Cache:
    """One process's discovery documents and key sets, by issuer: (fetched at, value)."""

    metadata: dict[str, tuple[float, dict]] = field(default_factory=dict)
    keys: dict[str, tuple[float, KeySet]] = field(default_factory=dict)
    #: when a token's unknown key id last made the keys be fetched again
    refreshed: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def init_app(app) -> None:
    """Give the app its cache of providers' documents and keys."""
    app.extensions["single_sign_on"] = _Cache()


def _cache() -> _Cache:
    return current_app.extensions["single_sign_on"]


# ---------------------------------------------------------------- which organisation


def configured(org: Organisation | None) -> bool:
    """Whether an organisation has single sign-on set up (issuer, client and at least one domain)."""
    return bool(
        org is not None and org.oidc_issuer and org.oidc_client_id and org.oidc_client_secret and org.oidc_domains
    )


def organisation_by_slug(slug: str) -> Organisation | None:
    """The organisation with that short name, if it has single sign-on set up."""
    if not isinstance(slug, str) or len(slug) > 60:
        return None
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug.lower()))
    return org if configured(org) else None


def organisation_for_email(email: str) -> Organisation | None:
    """Home-realm discovery: the organisation whose allowed domains include the e-mail address's domain."""
    domain = email_domain(email)
    if not domain:
        return None
    for org in db.session.scalars(
        select(Organisation).where(Organisation.oidc_issuer.is_not(None)).order_by(Organisation.id)
    ):
        if configured(org) and domain in (org.oidc_domains or []):
            return org
    return None


def provider_origins() -> list[str]:
    """The origins of every configured provider (the sign-in page's form may be sent on to them)."""
    origins = set()
    for issuer in db.session.scalars(select(Organisation.oidc_issuer).where(Organisation.oidc_issuer.is_not(None))):
        parts = urlsplit(issuer)
        origin = f"{parts.scheme}://{parts.netloc}"
        if ORIGIN.match(origin):  # nothing that could break out of the policy header
            origins.add(origin)
    return sorted(origins)


def email_domain(email: str) -> str:
    """The lower-case domain of an e-mail address ('' when it is not one)."""
    if not isinstance(email, str) or email.count("@") != 1 or len(email) > 254:
        return ""
    return email.rsplit("@", 1)[1].strip().lower()


# ---------------------------------------------------------------- the provider's documents and keys


def check_issuer(issuer: str) -> str:
    """An issuer URL as configured: https (http only where OIDC_ALLOW_HTTP is set, for tests), no query."""
    parts = urlsplit(issuer or "")
    allowed = ("https", "http") if current_app.config.get("OIDC_ALLOW_HTTP") else ("https",)
    if parts.scheme not in allowed or not parts.netloc or parts.query or parts.fragment:
        raise InvalidValue("The issuer must be an https:// address without ? or #.")
    return issuer


def _get_json(url: str) -> dict:
    check_issuer(url)  # the same scheme rule for every address a provider's documents name
    answer = requests.get(url, timeout=current_app.config.get("OIDC_HTTP_TIMEOUT", 10), allow_redirects=False)
    answer.raise_for_status()
    body = answer.json()
    if not isinstance(body, dict):
        raise ValueError("not a JSON object")
    return body


def provider_metadata(issuer: str) -> dict:
    """The provider's discovery document (cached); its `issuer` must be the one configured."""
    cache = _cache()
    ttl = current_app.config.get("OIDC_CACHE_SECONDS", 3600)
    with cache.lock:
        cached = cache.metadata.get(issuer)
    if cached and time.monotonic() - cached[0] < ttl:
        return cached[1]
    metadata = _get_json(check_issuer(issuer).rstrip("/") + "/.well-known/openid-configuration")
    if metadata.get("issuer") != issuer:
        raise ValueError("the discovery document names another issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        check_issuer(str(metadata.get(key) or ""))
    with cache.lock:
        cache.metadata[issuer] = (time.monotonic(), metadata)
    return metadata


def _key_set(issuer: str, *, refresh: bool = False) -> KeySet:
    """The provider's signing keys (cached); `refresh` fetches them again, unless a refresh was made just now."""
    cache = _cache()
    now = time.monotonic()
    with cache.lock:
        cached = cache.keys.get(issuer)
        last_refresh = cache.refreshed.get(issuer)
    if refresh:
        if last_refresh is not None and now - last_refresh < current_app.config.get("OIDC_JWKS_REFRESH_SECONDS", 30):
            return cached[1] if cached else _fetch_keys(issuer)
        with cache.lock:
            cache.refreshed[issuer] = now
        return _fetch_keys(issuer)
    if cached and now - cached[0] < current_app.config.get("OIDC_CACHE_SECONDS", 3600):
        return cached[1]
    return _fetch_keys(issuer)


def _fetch_keys(issuer: str) -> KeySet:
    keys = KeySet.import_key_set(_get_json(provider_metadata(issuer)["jwks_uri"]))
    with _cache().lock:
        _cache().keys[issuer] = (time.monotonic(), keys)
    return keys


def verify_id_token(
    token: str, *, issuer: str, client_id: str, nonce: str, now: datetime | None = None
) -> dict[str, Any]:
    """The ID token's claims once its signature (provider's JWKS), iss, aud, exp, iat and nonce check out.

    A key id the cached keys do not have fetches the keys once more (the provider rotated them).
    Raises SignInRefused with the reason.
    """
    try:
        try:
            decoded = jwt.decode(token, _key_set(issuer), algorithms=ALGORITHMS)
        except InvalidKeyIdError:
            decoded = jwt.decode(token, _key_set(issuer, refresh=True), algorithms=ALGORITHMS)
    except InvalidKeyIdError:
        raise SignInRefused("unknown_key", GENERIC) from None
    except (JoseError, ValueError, TypeError):
        raise SignInRefused("bad_token", GENERIC) from None
    when = int((now or utcnow()).timestamp())
    registry = jwt.JWTClaimsRegistry(
        now=when,
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    claims = decoded.claims
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise SignInRefused("expired_token", GENERIC) from None
    except JoseError as exc:
        raise SignInRefused(f"bad_claim.{getattr(exc, 'claim', '') or 'other'}", GENERIC) from None
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id):
        raise SignInRefused("wrong_audience", GENERIC)
    if isinstance(claims.get("iat"), int) and claims["iat"] > when + LEEWAY_SECONDS:
        raise SignInRefused("bad_claim.iat", GENERIC)
    return claims


# ---------------------------------------------------------------- the organisation's settings


def settings(org: Organisation) -> dict[str, Any]:
    """The organisation's single sign-on settings as the admin log records them: never the client secret."""
    return {
        "issuer": org.oidc_issuer,
        "client_id": org.oidc_client_id,
        "client_secret_set": bool(org.oidc_client_secret),
        "domains": list(org.oidc_domains or []),
        "default_role": org.sso_default_role,
        "sso_required": bool(org.sso_required),
    }


def update_settings(raw: dict[str, Any], *, by: User) -> Organisation:
    """An administrator sets how the organisation's people sign in with their school accounts (OpenID
    Connect): issuer, client id and secret (blank keeps the stored one), allowed domains, the role a first
    sign-in gets, and whether staff other than administrators must use it."""
    args = schemas.parse(schemas.SingleSignOnSettingsArgs, raw)
    org = accounts.organisation()
    errors: dict[str, str] = {}
    if args.issuer:
        try:
            check_issuer(args.issuer)
        except InvalidValue as exc:
            errors["issuer"] = exc.message
        if not args.client_id:
            errors["client_id"] = "Give the client (application) id the provider gave you."
        if not args.client_secret and not org.oidc_client_secret:
            errors["client_secret"] = "Give the client secret the provider gave you."
        if not args.domains:
            errors["domains"] = "Give at least one e-mail domain whose people may sign in this way."
    elif args.sso_required:
        errors["sso_required"] = "Set up the provider first: single sign-on cannot be required without it."
    others = db.session.scalars(
        select(Organisation).where(Organisation.id != org.id, Organisation.oidc_domains.is_not(None))
    )
    taken = sorted({domain for other in others for domain in (other.oidc_domains or [])} & set(args.domains))
    if taken:
        errors["domains"] = f"Another organisation here already signs in people of {', '.join(taken)}."
    if errors:
        raise schemas.FieldErrors(errors)
    with write():
        if org not in db.session:
            db.session.add(org)
        before = settings(org)
        org.oidc_issuer = args.issuer or None
        org.oidc_client_id = args.client_id or None
        if args.client_secret:
            org.oidc_client_secret = args.client_secret
        if not args.issuer:
            org.oidc_client_secret = None
        org.oidc_domains = args.domains or None
        org.sso_default_role = args.default_role
        org.sso_required = args.sso_required
        org.updated_at = utcnow()
        after = settings(org)
        if args.client_secret:
            after["client_secret_changed"] = True
        accounts.log_admin("settings.update", by, {"part": "sign_in", "before": before, "after": after})
    return org


# ---------------------------------------------------------------- the flow


def _client(org: Organisation, redirect_uri: str, metadata: dict | None = None) -> OAuth2Session:
    methods = (metadata or {}).get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return OAuth2Session(
        client_id=org.oidc_client_id,
        client_secret=org.oidc_client_secret,
        scope=SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if "client_secret_basic" in methods else "client_secret_post",
    )


def begin(org: Organisation, redirect_uri: str, *, login_hint: str | None = None) -> tuple[str, dict[str, Any]]:
    """The provider's sign-in address for an organisation, and what the browser's session keeps until the answer."""
    try:
        metadata = provider_metadata(org.oidc_issuer)
    except (requests.RequestException, ValueError, InvalidValue):
        current_app.logger.warning("single sign-on: the provider of organisation %s did not answer", org.id)
        raise SignInRefused(
            "provider_unreachable", "Your school's sign-in service did not answer. Try again later."
        ) from None
    pending = {
        "organisation_id": org.id,
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "code_verifier": secrets.token_urlsafe(64),
        "hint": (login_hint or "")[:254] or None,
        "started": int(time.time()),
    }
    extra = {"login_hint": pending["hint"]} if pending["hint"] else {}
    url, _ = _client(org, redirect_uri, metadata).create_authorization_url(
        metadata["authorization_endpoint"],
        state=pending["state"],
        nonce=pending["nonce"],
        code_verifier=pending["code_verifier"],
        **extra,
    )
    return url, pending


def finish(pending: dict[str, Any] | None, answer: dict[str, str], redirect_uri: str) -> User:
    """The account signed in by the provider's answer (the callback's query), or SignInRefused.

    `pending` is what `begin` gave, already taken out of the browser's session (so it works once).
    """
    if (
        not isinstance(pending, dict)
        or not answer.get("state")
        or not secrets.compare_digest(str(pending.get("state", "")), answer["state"])
    ):
        raise SignInRefused("state_mismatch", "This sign-in link has expired or was already used. Start again.")
    if time.time() - int(pending.get("started", 0)) > PENDING_SECONDS:
        raise SignInRefused("state_expired", "This sign-in took too long. Start again.")
    org = db.session.get(Organisation, pending.get("organisation_id"))
    if not configured(org):
        raise SignInRefused("not_configured", GENERIC)
    queries.use_organisation(org.id)
    if answer.get("iss") and answer["iss"] != org.oidc_issuer:  # RFC 9207: the answer is from the provider asked
        raise SignInRefused("wrong_issuer", GENERIC)
    if answer.get("error"):
        refused = _provider_refused(org, pending.get("hint"))
        raise SignInRefused(
            f"provider_{answer['error'][:40]}", "Your school's sign-in service did not sign you in.", user_id=refused
        )
    if not answer.get("code"):
        raise SignInRefused("no_code", GENERIC)
    try:
        metadata = provider_metadata(org.oidc_issuer)
        token = _client(org, redirect_uri, metadata).fetch_token(
            metadata["token_endpoint"],
            grant_type="authorization_code",
            code=answer["code"],
            code_verifier=pending["code_verifier"],
            timeout=current_app.config.get("OIDC_HTTP_TIMEOUT", 10),
        )
    except Exception as exc:  # Authlib raises OAuthError for a refused code, requests' errors for a network failure
        current_app.logger.info("single sign-on: the code exchange failed (%s)", type(exc).__name__)
        raise SignInRefused("code_refused", GENERIC) from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefused("no_id_token", GENERIC)
    claims = verify_id_token(id_token, issuer=org.oidc_issuer, client_id=org.oidc_client_id, nonce=pending["nonce"])
    return account_for(org, claims)


def verified_email(org: Organisation, claims: dict[str, Any]) -> str | None:
    """The person's e-mail address if the provider vouches for it (see the module docstring), else None."""
    email = claims.get("email")
    if claims.get("email_verified") is True and isinstance(email, str):
        return email.strip().lower()
    if (
        "email_verified" not in claims
        and ENTRA_TENANT_ISSUER.match(org.oidc_issuer or "")
        and claims.get("xms_edov") is not False
    ):
        for candidate in (claims.get("email"), claims.get("preferred_username")):
            if isinstance(candidate, str) and "@" in candidate:
                return candidate.strip().lower()
    return None


def account_for(org: Organisation, claims: dict[str, Any]) -> User:
    """The account a verified token signs in: linked by (issuer, subject), else linked by e-mail in the same
    organisation, else made with the organisation's default role. Refused for another organisation's
    address, a domain not allowed, an unverified address or a turned-off account."""
    issuer, subject = org.oidc_issuer, str(claims["sub"])[:255]
    user = db.session.scalar(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))
    if user is not None:
        if user.organisation_id != org.id:
            raise SignInRefused("other_organisation", GENERIC, user_id=user.id)
        if not user.active:
            raise SignInRefused(
                "turned_off", "This account has been turned off. Ask your administrator.", user_id=user.id
            )
        return _signed_in(user)
    email = verified_email(org, claims)
    if email is None:
        raise SignInRefused("email_not_verified", "Your school account has no verified e-mail address.")
    try:
        email = rules.clean_email(email)
    except InvalidValue:
        raise SignInRefused("email_invalid", "Your school account's e-mail address cannot be used here.") from None
    if email_domain(email) not in (org.oidc_domains or []):
        raise SignInRefused("domain_not_allowed", "Accounts of that e-mail domain cannot sign in to this organisation.")
    user = accounts.user_by_email(email)
    if user is not None:
        if user.organisation_id != org.id:
            raise SignInRefused(
                "other_organisation",
                "That e-mail address belongs to an account of another organisation.",
                user_id=user.id,
            )
        if not user.active:
            raise SignInRefused(
                "turned_off", "This account has been turned off. Ask your administrator.", user_id=user.id
            )
        if user.oidc_subject is not None:  # already linked to another identity of this provider
            raise SignInRefused("linked_elsewhere", GENERIC, user_id=user.id)
        user.oidc_issuer, user.oidc_subject = issuer, subject
        accounts.log_admin("account.sso_link", "single sign-on", {"user_id": user.id, "issuer": issuer})
        return _signed_in(user)
    name = claims.get("name") if isinstance(claims.get("name"), str) and claims["name"].strip() else email.split("@")[0]
    # Never an administrator, whatever the row says: that is given by another administrator, by name.
    role = org.sso_default_role if org.sso_default_role in SSO_ROLES else access.STAFF_NOTE_TAKER
    user = User(
        organisation_id=org.id,
        email=email,
        name=name.strip()[:120],
        role=role,
        password_hash=accounts.NO_PASSWORD,
        oidc_issuer=issuer,
        oidc_subject=subject,
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    accounts.log_admin("account.sso_create", "single sign-on", {"user_id": user.id, "role": role, "issuer": issuer})
    return _signed_in(user)


def _signed_in(user: User) -> User:
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, utcnow()
    db.session.commit()
    return user


def _provider_refused(org: Organisation, hint: str | None) -> int | None:
    """The provider refused a sign-in begun for an address: if it is a linked account of this organisation,
    its sessions end (as turning it off does; the caller cuts its sockets). Returns its id."""
    if not hint:
        return None
    user = accounts.user_by_email(hint)
    if user is None or user.organisation_id != org.id or user.oidc_issuer != org.oidc_issuer:
        return None
    accounts.end_sessions(user)
    return user.id


def record_refusal(refusal: SignInRefused, *, address: str | None) -> None:
    """Note a refused single sign-on in the security log (a short reason code, the account's id if known)."""
    security_events.record("sso_refused", user_id=refusal.user_id, address=address, detail=refusal.reason)


def end_session_url(organisation_id: int, post_logout_redirect_uri: str) -> str | None:
    """The sign-out address (RP-initiated logout) of an organisation's provider, if its discovery document
    advertises one."""
    org = db.session.get(Organisation, organisation_id) if isinstance(organisation_id, int) else None
    if not configured(org):
        return None
    try:
        endpoint = provider_metadata(org.oidc_issuer).get("end_session_endpoint")
        if not endpoint:
            return None
        check_issuer(endpoint)
    except (requests.RequestException, ValueError, InvalidValue):
        return None
    query = urlencode({"client_id": org.oidc_client_id, "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
