"""The deployment's administration: its organisations (schools and services), each made with its first
administrator. Only deployment administrators see these pages; to anyone else they are not there."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import schemas
from ..auth import allow
from ..domain.errors import NotFound
from ..services import organisations

bp = Blueprint("deployment", __name__, url_prefix="/deployment")

NEW_FIELDS = ("name", "slug", "admin_email", "admin_name")


@bp.route("/organisations", methods=["GET", "POST"])
@allow("deployment")
def organisations_page():
    """Deployment administrators: every organisation with its accounts and meetings, and a form to add one
    with its first administrator (who is given their password in person or by phone)."""
    errors: dict[str, str] = {}
    form = dict.fromkeys(NEW_FIELDS, "")
    if request.method == "POST":
        form = {k: request.form.get(k, "")[:300] for k in NEW_FIELDS}
        try:
            org, admin = organisations.create_organisation(
                form["name"],
                form["slug"],
                form["admin_email"],
                form["admin_name"],
                request.form.get("admin_password", ""),
                by=current_user,
            )
        except schemas.FieldErrors as exc:
            errors = exc.fields
        else:
            flash(
                f"{org.name} is ready. Give {admin.name} their password in person or by phone; they sign in at "
                f"{url_for('accounts.login', _external=True)} and add their organisation's accounts."
            )
            return redirect(url_for("deployment.organisations_page"), code=303)
    return render_template(
        "deployment/organisations.html",
        rows=organisations.listing(),
        errors=errors,
        form=form,
        log=organisations.deployment_log(20),
    ), (422 if errors else 200)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@allow("deployment")
def organisation(organisation_id: int):
    """Deployment administrators: an organisation's administrators; change its name or short name."""
    try:
        org = organisations.get(organisation_id)
    except NotFound:
        abort(404)
    errors: dict[str, str] = {}
    form = {"name": org.name, "slug": org.slug}
    if request.method == "POST":
        form = {k: request.form.get(k, "")[:300] for k in form}
        try:
            organisations.update_organisation(org, form["name"], form["slug"], by=current_user)
        except schemas.FieldErrors as exc:
            errors = exc.fields
        else:
            flash(f"{org.name} saved.")
            return redirect(url_for("deployment.organisations_page"), code=303)
    return _organisation_page(org, form=form, errors=errors)


def _organisation_page(org, form=None, errors=None, admin_form=None, admin_errors=None):
    return render_template(
        "deployment/organisation.html",
        org=org,
        form=form or {"name": org.name, "slug": org.slug},
        errors=errors or {},
        admins=organisations.administrators(org),
        admin_form=admin_form or {"admin_email": "", "admin_name": ""},
        admin_errors=admin_errors or {},
    ), (422 if errors or admin_errors else 200)


@bp.post("/organisations/<int:organisation_id>/administrators")
@allow("deployment")
def add_administrator(organisation_id: int):
    """Deployment administrators: give an organisation another administrator (its only one has left, say)."""
    try:
        org = organisations.get(organisation_id)
    except NotFound:
        abort(404)
    form = {k: request.form.get(k, "")[:300] for k in ("admin_email", "admin_name")}
    try:
        admin = organisations.add_administrator(
            org, form["admin_email"], form["admin_name"], request.form.get("admin_password", ""), by=current_user
        )
    except schemas.FieldErrors as exc:
        return _organisation_page(org, admin_form=form, admin_errors=exc.fields)
    flash(f"{admin.name} is now an administrator of {org.name}. Give them their password in person or by phone.")
    return redirect(url_for("deployment.organisation", organisation_id=org.id), code=303)
