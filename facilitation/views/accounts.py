"""Staff sign-in, sign-out and their own account (password, API token, signing out everywhere)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from .. import schemas
from ..auth import allow, safe_next
from ..domain import access
from ..realtime.broadcast import cut_off_links
from ..security import limiter, policy_with_form_targets
from ..services import accounts
from ..services import single_sign_on as sso

bp = Blueprint("accounts", __name__)

SIGN_IN_FAILED = (
    "That e-mail address and password do not match an active account. After "
    "{failures} failed tries in a row an account is locked for {minutes} minutes."
)


#: the provider's sign-out address, shown once on the sign-in page after signing out
PROVIDER_SIGN_OUT = "provider_sign_out"
#: the organisation a session was signed in through (views.single_sign_on), for signing out there too
SIGNED_IN_THROUGH = "sso_organisation"


def _login_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", "10 per minute")


@bp.route("/login", methods=["GET", "POST"])
@allow("anyone")
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Anyone: the staff sign-in form; on success, where they were going (or their meetings)."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "")[:254]
        try:
            user = accounts.authenticate(email, request.form.get("password", ""), address=request.remote_addr)
        except accounts.UseSingleSignOn as refusal:
            return sign_in_page(error=refusal.message, email=email, sso_email=email, status=401)
        if user is not None:
            target = safe_next(request.args.get("next"))
            session.clear()  # a fresh session: nothing from before signing in carries over
            login_user(user)
            session.permanent = True
            return redirect(target, code=303)
        error = SIGN_IN_FAILED.format(
            failures=current_app.config["LOGIN_LOCKOUT_FAILURES"], minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]
        )
    return sign_in_page(error=error, email=email, status=401 if error else 200)


def sign_in_page(*, error=None, email="", sso_error=None, sso_email="", status=200):
    """The sign-in page: the password form and "Sign in with your school account" (when any organisation
    has single sign-on). Its forms may lead on to the providers' sign-in pages, and browsers check a
    form's redirects against form-action too: the policy names the providers' origins."""
    origins = sso.provider_origins()
    response = make_response(
        render_template(
            "accounts/login.html",
            error=error,
            email=email,
            sso_error=sso_error,
            sso_email=sso_email,
            sso_offered=bool(origins),
            provider_sign_out=session.pop(PROVIDER_SIGN_OUT, None),
            next=safe_next(request.args.get("next")) if request.args.get("next") else None,
        ),
        status,
    )
    if origins:
        response.headers["Content-Security-Policy"] = policy_with_form_targets(origins)
    return response


@bp.post("/logout")
@allow("staff")
def logout():
    """A signed-in account: sign out here; the account's live meeting connections are closed."""
    user_id = current_user.id
    through = session.get(SIGNED_IN_THROUGH)
    logout_user()
    session.clear()
    cut_off_links(accounts.user_link_ids(user_id), "You have signed out.")
    flash("You have signed out.", "info")
    if through is not None:
        # Signed in through the school's provider: offer signing out there too (RP-initiated logout). A link
        # on the sign-in page, not a redirect: browsers hold a form's redirects to form-action 'self'.
        provider_sign_out = sso.end_session_url(
            through, current_app.config["PUBLIC_URL"].rstrip("/") + url_for("accounts.login")
        )
        if provider_sign_out:
            session[PROVIDER_SIGN_OUT] = provider_sign_out
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/account", methods=["GET", "POST"])
@allow("staff")
def account():
    """A signed-in account: change the password, sign out everywhere, get an API token."""
    errors: dict[str, str] = {}
    new_token = None
    if request.method == "POST":
        what = request.form.get("what")
        try:
            if what == "password":
                accounts.change_password(
                    current_user, request.form.get("current_password", ""), request.form.get("new_password", "")
                )
                # The password change ended every session, this one too: sign back in here only.
                login_user(current_user._get_current_object())
                cut_off_links(accounts.user_link_ids(current_user.id), "Your password was changed.")
                flash("Your password has been changed; you have been signed out everywhere else.", "info")
                return redirect(url_for("accounts.account"), code=303)
            if what == "sign_out_everywhere":
                user_id = current_user.id
                accounts.end_sessions(current_user)
                logout_user()
                cut_off_links(accounts.user_link_ids(user_id), "You have signed out everywhere.")
                flash("You have been signed out everywhere.", "info")
                return redirect(url_for("accounts.login"), code=303)
            if what == "api_token":
                new_token = accounts.issue_api_token(current_user)
            else:
                errors["_"] = "Unknown request."
        except schemas.FieldErrors as exc:
            errors = exc.fields
    return render_template(
        "accounts/account.html",
        errors=errors,
        new_token=new_token,
        role_label=access.ACCOUNT_ROLES[current_user.role],
        has_password=current_user.password_hash != accounts.NO_PASSWORD,
    ), (422 if errors else 200)
