"""Two organisations in one deployment, A and B, each with an administrator, a chair, a meeting with
participants, entries of every kind and a document: what the cross-organisation tests walk over.

B's rows are made after A's, so each of B's ids is one A does not have: an id of B that reaches
anything reaches B's row, never one of A's by coincidence."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from facilitation.extensions import db
from facilitation.models import (
    AccessLink,
    Action,
    AdminLogEntry,
    AuditEntry,
    Meeting,
    Organisation,
    OrganisationGrant,
    User,
)
from facilitation.services import accounts
from tests.conftest import STAFF_PASSWORD, sign_in
from tests.sample_files import pdf


def add_organisation(app, name: str, slug: str, timezone: str | None = None) -> int:
    """A second (third...) organisation, as a deployment administrator makes one; returns its id."""
    with app.app_context():
        org = Organisation(name=name, slug=slug, timezone=timezone)
        db.session.add(org)
        db.session.commit()
        return org.id


def add_account(app, organisation_id: int, email: str, name: str, role: str) -> dict:
    """A staff account of an organisation, with its API token."""
    with app.app_context():
        user = accounts.create_user(email, name, role, STAFF_PASSWORD, by="tests")
        user.organisation_id = organisation_id
        db.session.commit()
        token = accounts.issue_api_token(user)
        return {"email": email, "id": user.id, "api_token": token, "name": name, "organisation_id": organisation_id}


def grant(app, organisation_id: int, user_id: int, role: str) -> int:
    """Organisation `organisation_id` grants an account of another organisation access to its meetings."""
    with app.app_context():
        row = OrganisationGrant(organisation_id=organisation_id, user_id=user_id, role=role)
        db.session.add(row)
        db.session.commit()
        return row.id


def signed_in(app, account: dict):
    """A test client signed in as the account."""
    http = app.test_client()
    r = sign_in(http, account["email"])
    assert r.status_code in (302, 303), r.status_code
    return http


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def make_school(app, http, org_id: int, tag: str, start: datetime) -> dict:
    """An organisation's administrator and chair, and a meeting prepared by the administrator (its log
    is the whole organisation's) with two participants, an agenda, a decision, an action, a
    disagreement with a position, an outcome, an evidence request and a document."""
    admin = add_account(app, org_id, f"admin@{tag}.test", f"Admin {tag}", "admin")
    chair = add_account(app, org_id, f"chair@{tag}.test", f"Chair {tag}", "chair")
    title, child = f"Review {tag} secret title", f"CHILD-{tag}".upper()
    r = http.post(
        "/api/v1/meetings",
        json={
            "title": title,
            "meeting_type": "ehcp_annual_review",
            "child_ref": child,
            "scheduled_start": start.isoformat(),
            "scheduled_end": (start + timedelta(minutes=90)).isoformat(),
            "use_usual_agenda": True,
        },
        headers=auth(admin["api_token"]),
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    m = {
        "id": body["meeting"]["id"],
        **body["tokens"],
        "title": title,
        "child_ref": child,
        "admin": admin,
        "chair_account": chair,
    }

    def cmd(command, token=None, **args):
        r = http.post(f"/api/v1/meetings/{m['id']}/commands/{command}", json=args, headers=auth(token or m["chair"]))
        assert r.status_code == 200, (command, r.get_json())
        return r.get_json()

    parent = cmd("participants.add", name=f"Parent {tag}", role="parent", agency="family", email=f"parent@{tag}.test")
    ep = cmd("participants.add", name=f"EP {tag}", role="educational_psychologist", agency="ep_service")
    m["participant"] = parent["join_path"].rsplit("/", 1)[1]
    m["participant_id"] = parent["participant_id"]
    m["ep_id"] = ep["participant_id"]
    due = (start + timedelta(days=30)).date().isoformat()
    m["decision_id"] = cmd("decisions.record", text=f"Decision {tag} secret")["decision_id"]
    m["action_id"] = cmd(
        "actions.record", what=f"Action {tag} secret", owner_participant_id=m["ep_id"], due_date=due, follow_up_date=due
    )["action_id"]
    m["disagreement_id"] = cmd("disagreements.record", topic=f"Disagreement {tag} secret")["disagreement_id"]
    cmd("positions.add", token=m["participant"], disagreement_id=m["disagreement_id"], view=f"View {tag} secret")
    m["speaking_request_id"] = cmd("queue.ask", token=m["participant"], kind="question", text=f"Question {tag} secret")[
        "request_id"
    ]
    m["outcome_ids"] = cmd("outcomes.add", text=f"Outcome {tag} secret")["outcome_ids"]
    m["request_id"] = cmd("evidence.request", participant_id=m["ep_id"], what=f"Advice {tag} secret")["request_id"]
    form = {"file": (io.BytesIO(pdf(f"Document {tag}")), f"advice-{tag}.pdf", "application/pdf")}
    r = http.post(
        f"/api/v1/meetings/{m['id']}/documents", data=form, headers=auth(m["chair"]), content_type="multipart/form-data"
    )
    assert r.status_code == 201, r.get_json()
    m["document_id"] = r.get_json()["document"]["id"]
    assert http.get(f"/chair/{m['chair']}").status_code == 200  # opened: its access log has an entry
    with app.app_context():
        m["link_ids"] = list(db.session.scalars(select(AccessLink.id).where(AccessLink.meeting_id == m["id"])))
    m["markers"] = (
        title,
        child,
        f"Action {tag} secret",
        f"Decision {tag} secret",
        f"Parent {tag}",
        admin["email"],
        chair["email"],
    )
    return m


def two_schools(app) -> dict:
    """Organisation A (the first, Pacific/Auckland) and B (America/Los_Angeles), each with a meeting
    on the same instant: 20:00 UTC, the next morning in Auckland, midday the day before in Los Angeles."""
    http = app.test_client()
    with app.app_context():
        org_a = db.session.get(Organisation, 1)
        org_a.name, org_a.timezone = "Alpha School", "Pacific/Auckland"
        db.session.commit()
    b_id = add_organisation(app, "Beta School", "beta", "America/Los_Angeles")
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=20, minute=0, second=0, microsecond=0)
    a = make_school(app, http, 1, "alpha", start)
    b = make_school(app, http, b_id, "beta", start)
    # B lets an officer (an account of A that none of A's people in the walks signs in as) observe its meetings.
    officer = add_account(app, 1, "officer@alpha.test", "Olu Officer", "note_taker")
    b["grant_id"] = grant(app, b_id, officer["id"], "observer")
    return {"a": a, "b": b, "a_id": 1, "b_id": b_id, "start": start}


def state_of(app, meeting_id: int, organisation_id: int) -> tuple:
    """Everything of an organisation a refused request must leave as it was: its meeting's seq and
    audit trail, its actions' versions, its links, its accounts, its settings and admin log."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        return (
            meeting.last_seq if meeting else None,
            meeting.title if meeting else None,
            db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.meeting_id == meeting_id)),
            tuple(
                db.session.execute(
                    select(Action.id, Action.version, Action.status).where(Action.meeting_id == meeting_id)
                ).all()
            ),
            tuple(
                db.session.execute(
                    select(AccessLink.id, AccessLink.revoked_at).where(AccessLink.meeting_id == meeting_id)
                ).all()
            ),
            tuple(
                db.session.execute(
                    select(User.id, User.active, User.password_hash, User.session_version).where(
                        User.organisation_id == organisation_id
                    )
                ).all()
            ),
            db.session.get(Organisation, organisation_id).updated_at,
            db.session.scalar(
                select(func.count()).select_from(AdminLogEntry).where(AdminLogEntry.organisation_id == organisation_id)
            ),
        )
