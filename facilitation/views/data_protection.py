"""Administration: data protection. The retention period and purging records past it; one child's
records found by reference, exported for subject access, or erased.

Child references travel in POST bodies, never in URLs, so that they stay out of server logs and
browser history. Every purge, erasure and export is noted in the admin log (services.data_protection).
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import exports
from ..auth import allow
from ..domain.errors import Conflict, RuleViolation
from ..models import utcnow
from ..realtime.broadcast import disconnect
from ..services import data_protection as dp
from .admin import organisation_name, scope_to_the_administrators_organisation

bp = Blueprint("data_protection", __name__, url_prefix="/admin/data-protection")
bp.before_request(scope_to_the_administrators_organisation)
bp.context_processor(organisation_name)

#: expired meetings listed on the pages (all of them are purged; the list is for checking)
LISTED = 200


def _close_sockets(sids: list[str]) -> None:
    """Disconnect sockets that were open on deleted meetings (on whichever process holds them).

    Their links are gone, so every further event they send is refused anyway; this tells them now.
    """
    disconnect(sids, "This meeting's record has been deleted.")


def summary_rows(summary) -> int:
    return sum(summary.counts.values())


def _index_context() -> dict:
    now = utcnow()
    months, cutoff = dp.retention_rule(now)
    expired = dp.expired_meetings(now)
    context = {
        "months": months,
        "cutoff": cutoff,
        "counted_from": dp.COUNTED_FROM,
        "expired": expired[:LISTED],
        "expired_count": len(expired),
        "log": dp.recent_log(),
    }
    return context


def _child_ref_field() -> tuple[str, dict[str, str]]:
    raw = request.form.get("child_ref", "")[:200]
    try:
        return dp.clean_child_ref(raw), {}
    except RuleViolation as exc:
        return raw.strip(), {"child_ref": exc.message}


@bp.get("/")
@allow("admin")
def index():
    """Administrators: the retention period, the meetings past it, finding a child's records, recent purges."""
    return render_template("admin/data_protection.html", **_index_context(), child_ref="", errors={})


@bp.post("/purge")
@allow("admin")
def purge():
    """Administrators: purge the meetings past the retention period; the first post shows what would go.

    The confirmation carries the meeting ids it showed; if the list has changed since, nothing is
    deleted and the new list is shown to confirm again.
    """
    now = utcnow()
    shown = request.form.get("meeting_ids", "")[:100_000]
    expected = [int(x) for x in shown.split(",") if x.isascii() and x.isdigit() and len(x) < 12]
    if request.form.get("confirmed") == "yes" and expected:
        try:
            summary = dp.purge_expired(now, by=current_user, expected=expected)
        except Conflict:
            flash("The meetings past the retention period have changed since you looked; nothing was deleted. Check again.")
        else:
            _close_sockets(summary.socket_sids)
            flash(f"Purged {len(summary.meeting_ids)} meetings past the retention period ({summary_rows(summary)} rows).")
            return redirect(url_for("data_protection.index"), code=303)
    dry = dp.purge_expired(now, by=current_user, dry_run=True)
    if not dry.meeting_ids:
        flash("No meetings are past the retention period.")
        return redirect(url_for("data_protection.index"), code=303)
    meetings = dp.expired_meetings(now)
    return render_template("admin/data_protection_purge.html", summary=dry, meetings=meetings[:LISTED], counted_from=dp.COUNTED_FROM)


@bp.post("/child")
@allow("admin")
def child():
    """Administrators: one child's meetings, found by reference (exact, whatever the case)."""
    child_ref, errors = _child_ref_field()
    if errors:
        return render_template("admin/data_protection.html", **_index_context(), child_ref=child_ref, errors=errors), 422
    meetings = dp.child_records(child_ref)
    return render_template("admin/data_protection_child.html", child_ref=child_ref, meetings=meetings, errors={})


@bp.post("/export")
@allow("admin")
def export():
    """Administrators: download every meeting of a child as one ZIP for a subject access request (logged)."""
    child_ref, errors = _child_ref_field()
    if errors:
        return render_template("admin/data_protection.html", **_index_context(), child_ref=child_ref, errors=errors), 422
    data = dp.subject_access_export(child_ref, by=current_user)
    name = f"subject-access-{exports.slug(child_ref) or 'child'}-{utcnow().date().isoformat()}.zip"
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@bp.post("/erase")
@allow("admin")
def erase():
    """Administrators: delete every meeting of a child for good; the reference must be typed again to confirm."""
    child_ref, errors = _child_ref_field()
    meetings = dp.child_records(child_ref) if not errors else []
    confirm = request.form.get("confirm_child_ref", "")[:200].strip()
    if not errors and confirm.lower() != child_ref.lower():
        errors["confirm_child_ref"] = "Type the child's reference again, exactly, to confirm the erasure. Nothing was deleted."
    if not errors and not meetings:
        errors["child_ref"] = "There are no meetings for that child reference. Nothing was deleted."
    if errors:
        return render_template("admin/data_protection_child.html", child_ref=child_ref, meetings=meetings, errors=errors), 422
    try:
        erasure = dp.erase_child(child_ref, by=current_user)
    except RuleViolation as exc:
        return render_template(
            "admin/data_protection_child.html", child_ref=child_ref, meetings=[], errors={"child_ref": exc.message}
        ), 422
    _close_sockets(erasure.socket_sids)
    flash(f"Erased {len(erasure.meeting_ids)} meetings of that child and all their records ({summary_rows(erasure)} rows).")
    return redirect(url_for("data_protection.index"), code=303)
