"""Signing in with the school's own accounts (OpenID Connect): the address typed, the organisation's
direct link, and the one callback the providers send people back to (services.single_sign_on)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import login_user

from ..auth import allow, safe_next
from ..realtime.broadcast import cut_off_links
from ..security import limiter
from ..services import accounts
from ..services import single_sign_on as sso
from .accounts import SIGNED_IN_THROUGH, sign_in_page

bp = Blueprint("single_sign_on", __name__, url_prefix="/sign-in/sso")

#: where the sign-in under way is kept in the browser's (signed) session until the provider answers
PENDING = "sso_pending"


def _sso_limit() -> str:
    return current_app.config.get("SSO_RATE_LIMIT", "60 per minute")


def public_url(endpoint: str, **values) -> str:
    """An address of this site as the providers know it: PUBLIC_URL, not the Host header of the request."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


def _callback_url() -> str:
    return public_url("single_sign_on.callback")


def _start(org, hint: str | None = None):
    try:
        url, pending = sso.begin(org, _callback_url(), login_hint=hint)
    except sso.SignInRefused as refusal:
        sso.record_refusal(refusal, address=request.remote_addr)
        return render_template("accounts/sso_refused.html", message=refusal.message), 503
    pending["next"] = safe_next(request.args.get("next"))
    session[PENDING] = pending  # a new sign-in replaces one left unfinished
    return redirect(url, code=303)


@bp.post("")
@allow("anyone")
@limiter.limit(_sso_limit)
def by_email():
    """Anyone: "Sign in with your school account": the address's domain picks the organisation."""
    email = request.form.get("email", "")[:254].strip()
    org = sso.organisation_for_email(email)
    if org is None:
        return sign_in_page(
            sso_error="No organisation here signs in with that address's school account. Check it, or sign in with your password.",
            sso_email=email,
            status=422,
        )
    return _start(org, email)


@bp.get("/<slug>")
@allow("anyone")
@limiter.limit(_sso_limit)
def by_organisation(slug: str):
    """Anyone: an organisation's own sign-in link, straight to its provider."""
    org = sso.organisation_by_slug(slug)
    if org is None:
        abort(404)
    return _start(org)


@bp.get("/callback")
@allow("anyone")
@limiter.limit(_sso_limit)
def callback():
    """Anyone (the provider sends the browser back here): sign in the account the provider vouched for."""
    pending = session.pop(PENDING, None)  # taken out before anything else: a state works once
    try:
        user = sso.finish(pending, request.args.to_dict(), _callback_url())
    except sso.SignInRefused as refusal:
        sso.record_refusal(refusal, address=request.remote_addr)
        if refusal.user_id is not None and refusal.reason.startswith("provider_"):
            cut_off_links(
                accounts.user_link_ids(refusal.user_id), "Your school account was refused; you have been signed out."
            )
        return render_template("accounts/sso_refused.html", message=refusal.message), 403
    session.clear()  # a fresh session: nothing from before signing in carries over
    login_user(user)
    session.permanent = True
    session[SIGNED_IN_THROUGH] = user.organisation_id
    return redirect(pending.get("next") or url_for("meetings.index"), code=303)
