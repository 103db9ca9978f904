"""Who may open each HTTP route: a declaration on every view, checked before it runs (default deny).

Every view says who it is for with `@allow(...)`:

- ``anyone``: public pages (the landing page, sign-in, the API description, static files);
- ``link``: the secret link token in the path is the credential; the view checks the link's
  meeting role against ``domain.access.PERMISSIONS``;
- ``bearer``: the JSON API, with a link token or a staff API token in the Authorization header;
- ``feed``: a private calendar-feed token in the path;
- ``staff``: a signed-in staff account (any account role);
- ``maker``: a signed-in account that may prepare meetings (administrator or chair);
- ``admin``: a signed-in administrator (of their own organisation: admin pages are scoped to it);
- ``deployment``: a signed-in deployment administrator (``User.deployment_admin``), who creates the
  deployment's organisations; to anyone else these pages are not there (404).

A route without a declaration is refused with 404 before its view runs, so a forgotten
declaration fails closed; a test walks the URL map to prove each route has one.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import LoginManager, current_user

from . import queries
from .domain import access
from .services import accounts

AUDIENCES = frozenset({"anyone", "link", "bearer", "feed", "staff", "maker", "admin", "deployment"})
#: audiences that need a signed-in account
ACCOUNT_AUDIENCES = frozenset({"staff", "maker", "admin", "deployment"})

login_manager = LoginManager()


def allow(*audiences: str):
    """Declare who may use a view (see the module docstring); sign-in is enforced here."""
    unknown = set(audiences) - AUDIENCES
    if not audiences or unknown:
        raise RuntimeError(f"unknown audience {unknown or audiences}")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not (set(audiences) - ACCOUNT_AUDIENCES):
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if "staff" not in audiences and not _account_may(audiences):
                    # the deployment's pages are not there for anyone else; other pages say "not for you"
                    abort(404 if set(audiences) == {"deployment"} else 403)
            return view(*args, **kwargs)

        guarded.allowed = frozenset(audiences)
        return guarded

    return decorate


def _account_may(audiences: tuple[str, ...]) -> bool:
    role = current_user.role
    return (
        ("admin" in audiences and role == access.ADMIN)
        or ("maker" in audiences and role in access.MEETING_MAKERS)
        or ("deployment" in audiences and bool(current_user.deployment_admin))
    )


def declared(endpoint: str | None) -> frozenset[str] | None:
    """The audiences declared for an endpoint, or None when its view declares none."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return frozenset({"anyone"})
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "allowed", None)


def init_app(app) -> None:
    """Sign-in sessions and the default-deny check on every request."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.user_loader(accounts.load_session_user)

    @app.before_request
    def refuse_undeclared_routes():
        """A route is only served if its view declares who it is for."""
        if request.endpoint is None:  # no route matched: Flask answers 404/405 itself
            return None
        if declared(request.endpoint) is None:
            current_app.logger.error("route %s declares no audience; refused", request.endpoint)
            abort(404)
        return None

    @app.before_request
    def scope_to_the_account():
        """A signed-in account's pages read and write its own organisation (a page about one meeting
        scopes itself to the meeting's organisation again when it reads the link: queries.live_link)."""
        if request.endpoint is not None and current_user.is_authenticated:
            queries.use_organisation(current_user.organisation_id)
        return None


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("meetings.index")


def redirect_to_sign_in():
    """Send the browser to the sign-in form, coming back here afterwards."""
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
