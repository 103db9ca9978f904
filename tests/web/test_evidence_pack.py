"""The evidence pack over HTTP: the chair asks for advice, invitees answer and upload, the chair sees
requested / received / late, reminds, circulates (ENG-AR-06 recorded done), entries cite documents; bad
uploads are refused with a field message and change nothing; confidential documents reach only those allowed."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from facilitation.extensions import db
from facilitation.models import AuditEntry, Document, DocumentBlob, EvidenceRequest, OutboxMessage, PackCirculation
from tests import sample_files
from tests.conftest import local_today, meeting_payload
from tests.realtime.conftest import add_note_taker_and_observer


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def pack_meeting(client, staff):
    """An annual review 30 days ahead with a parent (with an e-mail address), an EP (without) and an
    observer, plus a note-taker; tokens and participant ids."""

    def make(days_ahead: int = 30, meeting_type: str = "ehcp_annual_review") -> dict:
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days_ahead)
        r = client.post(
            "/api/v1/meetings",
            json=meeting_payload(meeting_type=meeting_type, scheduled_start=start.isoformat(),
                                 scheduled_end=(start + timedelta(minutes=90)).isoformat()),
            headers=auth(staff["api_token"]),
        )
        assert r.status_code == 201, r.get_json()
        body = r.get_json()
        m = {"id": body["meeting"]["id"], **body["tokens"], "day": start}
        for key, args in (
            ("parent", {"name": "Sam Parent", "role": "parent", "agency": "family", "email": "sam@example.org"}),
            ("ep", {"name": "Dr Eve Psych", "role": "educational_psychologist", "agency": "ep_service"}),
        ):
            r = client.post(f"/api/v1/meetings/{m['id']}/commands/participants.add", json=args, headers=auth(m["chair"]))
            assert r.status_code == 200, r.get_json()
            m[key] = r.get_json()["join_path"].rsplit("/", 1)[1]
            m[key + "_id"] = r.get_json()["participant_id"]
        return m

    return make


def upload(client, m, token, data: bytes, name: str, content_type: str = "application/octet-stream", **fields):
    form = {"file": (io.BytesIO(data), name, content_type), **{k: str(v) for k, v in fields.items()}}
    r = client.post(f"/api/v1/meetings/{m['id']}/documents", data=form, headers=auth(token), content_type="multipart/form-data")
    return r.status_code, r.get_json()


def pack(client, m, token) -> dict:
    r = client.get(f"/api/v1/meetings/{m['id']}/evidence", headers=auth(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(t)) for t in (Document, DocumentBlob, PackCirculation))


def ask(api, m, who="ep", **args) -> int:
    status, body = api(m["chair"], m["id"], "evidence.request", participant_id=m[who + "_id"],
                       what=args.pop("what", "Educational psychology advice"), **args)
    assert status == 200, body
    return body["request_id"]


# ---------------------------------------------------------------- the flow


def test_advice_is_due_two_weeks_before_an_annual_review_and_a_week_before_other_meetings(client, api, pack_meeting):
    review = pack_meeting()
    status, body = api(review["chair"], review["id"], "evidence.request", participant_id=review["ep_id"], what="EP advice")
    assert status == 200
    assert body["due_on"] == pack(client, review, review["chair"])["due_on"]
    assert pack(client, review, review["chair"])["rule_id"] == "ENG-AR-06"
    support = pack_meeting(meeting_type="sen_support_review")
    status, body = api(support["chair"], support["id"], "evidence.request", participant_id=support["ep_id"], what="EP advice")
    seen = pack(client, support, support["chair"])
    assert body["due_on"] == seen["due_on"] and seen["rule_id"] is None
    review_due = datetime.fromisoformat(pack(client, review, review["chair"])["due_on"]).date()
    support_due = datetime.fromisoformat(seen["due_on"]).date()
    assert (support_due - review_due).days == 7  # both meetings are on the same day: 14 and 7 days before it


def test_an_invitee_answers_from_their_own_link_and_the_chair_sees_it_received(client, api, pack_meeting):
    m = pack_meeting()
    asked = ask(api, m)
    views = ask(api, m, who="parent", kind="child_views", what="Sam's views, in their own words")
    # the EP sees only their own request; the parent only theirs
    assert [r["id"] for r in pack(client, m, m["ep"])["requests"]] == [asked]
    assert [r["id"] for r in pack(client, m, m["parent"])["requests"]] == [views]
    status, body = upload(client, m, m["ep"], sample_files.pdf(), "EP advice.pdf", "application/pdf", request_id=asked)
    assert status == 201, body
    doc = body["document"]
    assert doc["kind"] == "pdf" and doc["name"] == "EP advice.pdf" and doc["from"] == "Dr Eve Psych"
    status, body = api(m["parent"], m["id"], "evidence.answer", request_id=views, answer="I like the quiet room.", how_gathered="drawing")
    assert status == 200, body
    chair = pack(client, m, m["chair"])
    by_id = {r["id"]: r for r in chair["requests"]}
    assert by_id[asked]["state"] == "received" and [d["id"] for d in by_id[asked]["documents"]] == [doc["id"]]
    assert by_id[views]["answer"] == "I like the quiet room." and by_id[views]["how_gathered_label"] == "Through a drawing"
    assert {p["name"]: (p["requested"], p["received"], p["late"]) for p in chair["people"]} == {
        "Dr Eve Psych": (1, 1, 0), "Sam Parent": (1, 1, 0)
    }
    # before circulation the parent does not see the EP's document; a participant may not answer another's request
    assert pack(client, m, m["parent"])["documents"] == []
    status, body = api(m["parent"], m["id"], "evidence.answer", request_id=asked, answer="Not mine")
    assert status == 404 and "request_id" in body["error"]["fields"]


def test_advice_asked_for_after_its_due_day_shows_late_and_overdue(client, api, pack_meeting):
    m = pack_meeting(days_ahead=3)  # the two weeks are already past
    asked = ask(api, m, due_on=(local_today() - timedelta(days=2)).isoformat())
    assert pack(client, m, m["chair"])["requests"][0]["state"] == "overdue"
    api(m["ep"], m["id"], "evidence.answer", request_id=asked, answer="My advice")
    row = pack(client, m, m["chair"])["requests"][0]
    assert row["state"] == "late" and row["state_label"] == "Received late"
    assert pack(client, m, m["chair"])["people"][0]["late"] == 1


def test_a_reminder_is_e_mailed_to_an_address_and_shown_as_not_sent_without_one(app, client, api, pack_meeting):
    m = pack_meeting()
    to_ep = ask(api, m)
    to_parent = ask(api, m, who="parent", what="Your views as a parent")
    status, body = api(m["chair"], m["id"], "evidence.remind", request_id=to_ep)
    assert status == 200 and body["sent"] is False and body["reason"] == "no e-mail address"
    status, body = api(m["chair"], m["id"], "evidence.remind", request_id=to_parent)
    assert status == 200 and body["sent"] is True
    states = {r["id"]: r["reminder_status"] for r in pack(client, m, m["chair"])["requests"]}
    assert states == {to_ep: "not_sent", to_parent: "sent"}
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.recipient == "sam@example.org" and "Your views as a parent" in message.body


def test_circulating_the_pack_records_the_day_against_the_two_week_rule_and_eng_ar_06_done(client, api, pack_meeting):
    m = pack_meeting()
    status, body = api(m["chair"], m["id"], "evidence.circulate")
    assert status == 422 and "circulated_on" in body["error"]["fields"]  # nothing to circulate yet
    asked = ask(api, m)
    upload(client, m, m["ep"], sample_files.docx(), "advice.docx", request_id=asked)
    status, body = api(m["chair"], m["id"], "evidence.circulate")
    assert status == 200, body
    circulation = pack(client, m, m["chair"])["circulation"]
    assert circulation["circulated_on"] == local_today().isoformat() and circulation["on_time"] is True
    assert circulation["recipients"] == 2
    timeline = client.get(f"/api/v1/meetings/{m['id']}/timeline", headers=auth(m["chair"])).get_json()
    step = {i["rule_id"]: i for i in timeline["items"]}["ENG-AR-06"]
    assert "done" in step["record_text"].lower() or "met" in step["record_text"].lower()
    # once circulated, the parent reads the pack
    assert [d["name"] for d in pack(client, m, m["parent"])["documents"]] == ["advice.docx"]


def test_a_participant_may_not_request_remind_or_circulate_and_the_screen_may_not_read_the_pack(client, api, pack_meeting):
    m = pack_meeting()
    asked = ask(api, m)
    for name, args in (("evidence.request", {"participant_id": m["ep_id"], "what": "x"}), ("evidence.remind", {"request_id": asked}),
                       ("evidence.circulate", {})):
        assert api(m["parent"], m["id"], name, **args)[0] == 403
    assert client.get(f"/api/v1/meetings/{m['id']}/evidence", headers=auth(m["screen"])).status_code == 403


# ---------------------------------------------------------------- bad uploads change nothing


@pytest.fixture
def small_limit_app(app):
    app.config["DOCUMENT_MAX_BYTES"] = 4096
    return app


@pytest.mark.parametrize(
    ("data", "name", "content_type", "status", "message"),
    [
        (b"%PDF-1.4" + b"0" * 5000, "big.pdf", "application/pdf", 413, "larger than the 4 KB allowed"),
        (b"just some text", "notes.txt", "text/plain", 415, "Only PDF, Word (DOCX), PNG and JPEG"),
        (sample_files.plain_zip(), "notes.docx", "application/octet-stream", 415, "Only PDF"),
        (sample_files.png(), "advice.pdf", "application/pdf", 422, "content is PNG, not the PDF"),
        (sample_files.pdf(), "../../etc/advice.pdf", "application/pdf", 422, "folder or path"),
        (sample_files.pdf(), "C:\\reports\\advice.pdf", "application/pdf", 422, "folder or path"),
        (sample_files.pdf(), "advice\x07.pdf", "application/pdf", 422, "control characters"),
        (b"", "empty.pdf", "application/pdf", 422, "empty"),
    ],
)
def test_a_bad_upload_is_refused_naming_the_file_and_nothing_is_kept(small_limit_app, client, api, pack_meeting, data, name, content_type, status, message):
    m = pack_meeting()
    asked = ask(api, m)
    before = counts(small_limit_app)
    got, body = upload(client, m, m["ep"], data, name, content_type, request_id=asked)
    assert got == status, body
    assert message in body["error"]["message"] and "file" in body["error"]["fields"]
    assert counts(small_limit_app) == before
    assert pack(client, m, m["chair"])["requests"][0]["state"] == "requested"


def test_a_body_over_the_upload_limit_is_refused_with_413_before_it_is_read(small_limit_app, client, api, pack_meeting):
    m = pack_meeting()
    status, body = upload(client, m, m["chair"], b"%PDF-" + b"0" * 200_000, "huge.pdf", "application/pdf")
    assert status == 413 and body["error"]["fields"] == {"file": "The file is larger than the 4 KB allowed."}
    assert counts(small_limit_app) == (0, 0, 0)


def test_uploads_against_someone_else_s_request_or_from_a_role_without_the_right_are_refused(app, client, api, pack_meeting):
    m = pack_meeting()
    asked = ask(api, m)
    status, body = upload(client, m, m["parent"], sample_files.pdf(), "mine.pdf", request_id=asked)
    assert status == 404 and "request_id" in body["error"]["fields"]
    status, body = upload(client, m, m["parent"], sample_files.pdf(), "mine.pdf", request_id=999999)
    assert status == 404
    status, body = upload(client, m, m["parent"], sample_files.pdf(), "mine.pdf")
    assert status == 422 and "request_id" in body["error"]["fields"]
    assert upload(client, m, m["screen"], sample_files.pdf(), "screen.pdf")[0] == 403
    assert upload(client, m, "not-a-token-at-all-xxxxxxxxxxxxxxxx", sample_files.pdf(), "x.pdf")[0] == 401
    other = pack_meeting()
    assert upload(client, other, m["chair"], sample_files.pdf(), "x.pdf")[0] == 404  # another meeting's id
    assert counts(app) == (0, 0, 0)


# ---------------------------------------------------------------- downloads and confidentiality


def test_a_download_is_an_attachment_with_security_headers_and_is_written_to_the_access_log(app, client, api, pack_meeting):
    m = pack_meeting()
    asked = ask(api, m)
    name = "Évaluation d'Eve.pdf"
    status, body = upload(client, m, m["ep"], sample_files.pdf(), name, request_id=asked)
    assert status == 201, body
    doc_id = body["document"]["id"]
    r = client.get(f"/api/v1/meetings/{m['id']}/documents/{doc_id}", headers=auth(m["chair"]))
    assert r.status_code == 200 and r.data.startswith(b"%PDF-")
    assert r.mimetype == "application/pdf"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "private, no-store"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    page = client.get(f"/documents/{m['ep']}/{doc_id}")
    assert page.status_code == 200 and page.headers["Content-Disposition"].startswith("attachment;")
    with app.app_context():
        logged = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "documents.download")).all()
        assert len(logged) == 2 and {e.after["document_id"] for e in logged} == {doc_id}


def test_a_confidential_document_reaches_only_the_chair_note_takers_and_its_uploader(app, client, api, pack_meeting):
    m = pack_meeting()
    note_taker, notes_client, observer = add_note_taker_and_observer(app, client, m, api)
    asked = ask(api, m)
    status, body = upload(client, m, m["ep"], sample_files.png(), "health.png", "image/png", request_id=asked, confidential="true")
    assert status == 201, body
    secret = body["document"]["id"]
    upload(client, m, m["ep"], sample_files.pdf(), "advice.pdf", request_id=asked)
    assert api(m["chair"], m["id"], "evidence.circulate")[0] == 200
    url = f"/api/v1/meetings/{m['id']}/documents/{secret}"
    for who, token, browser in (("chair", m["chair"], client), ("uploader", m["ep"], client), ("note-taker", note_taker, notes_client)):
        assert browser.get(url, headers=auth(token)).status_code == 200, who
        assert secret in [d["id"] for d in pack(browser, m, token)["documents"]], who
    assert client.get(url, headers=auth(observer)).status_code == 403
    assert client.get(url, headers=auth(m["parent"])).status_code == 404  # not revealed, even after circulation
    assert client.get(f"/documents/{m['parent']}/{secret}").status_code == 404
    assert [d["name"] for d in pack(client, m, m["parent"])["documents"]] == ["advice.pdf"]
    assert client.get(url, headers=auth(m["screen"])).status_code == 403
    assert client.get(f"/documents/{m['screen']}/{secret}").status_code == 404


# ---------------------------------------------------------------- citations


def test_a_decision_action_and_position_cite_documents_and_forged_ids_are_refused(app, client, api, pack_meeting):
    m = pack_meeting()
    asked = ask(api, m)
    doc = upload(client, m, m["ep"], sample_files.pdf(), "advice.pdf", request_id=asked)[1]["document"]["id"]
    secret = upload(client, m, m["chair"], sample_files.png(), "health.png", confidential="true")[1]["document"]["id"]
    other = pack_meeting()
    foreign = upload(client, other, other["chair"], sample_files.pdf(), "theirs.pdf")[1]["document"]["id"]
    for forged in (999999, foreign):
        status, body = api(m["chair"], m["id"], "decisions.record", text="Keep the plan", cited_document_ids=[forged])
        assert status == 422 and "cited_document_ids" in body["error"]["fields"]
    # a participant cannot cite a confidential document that is not theirs
    status, body = api(m["chair"], m["id"], "disagreements.record", topic="Hours")
    g = body["disagreement_id"]
    status, body = api(m["parent"], m["id"], "positions.add", disagreement_id=g, view="More hours", cited_document_ids=[secret])
    assert status == 422 and "cited_document_ids" in body["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 3
    status, body = api(m["chair"], m["id"], "decisions.record", text="Keep the plan", cited_document_ids=[doc, secret])
    assert status == 200, body
    status, body = api(m["chair"], m["id"], "actions.record", what="SALT sessions", owner_participant_id=m["ep_id"],
                       due_date=(local_today() + timedelta(days=40)).isoformat(),
                       follow_up_date=(local_today() + timedelta(days=50)).isoformat(), cited_document_ids=[doc])
    assert status == 200, body
    status, body = api(m["parent"], m["id"], "positions.add", disagreement_id=g, view="More hours", cited_document_ids=[doc])
    assert status == 200, body
    chair_view = client.get(f"/api/v1/meetings/{m['id']}", headers=auth(m["chair"])).get_json()
    parent_view = client.get(f"/api/v1/meetings/{m['id']}", headers=auth(m["parent"])).get_json()
    assert [c["name"] for c in chair_view["decisions"][0]["citations"]] == ["advice.pdf", "health.png"]
    assert [c["name"] for c in parent_view["decisions"][0]["citations"]] == ["advice.pdf"]
    assert [c["id"] for c in parent_view["actions"][0]["citations"]] == [doc]
    assert [c["id"] for c in parent_view["disagreements"][0]["positions"][0]["citations"]] == [doc]
    decision_id = chair_view["decisions"][0]["id"]
    history = f"/api/v1/meetings/{m['id']}/history/decision/{decision_id}"
    assert "health.png" not in client.get(history, headers=auth(m["parent"])).get_data(as_text=True)
    assert "health.png" in client.get(history, headers=auth(m["chair"])).get_data(as_text=True)
    # the record's minutes list the citation and the advice received
    minutes = client.get(f"/api/v1/meetings/{m['id']}/minutes?version=live", headers=auth(m["parent"])).get_json()["minutes"]
    text = str(minutes)
    assert "advice.pdf" in text and "health.png" not in text
    assert "Educational psychology advice" in text


def test_a_removed_document_leaves_the_pack_and_its_bytes_are_deleted(app, client, api, pack_meeting):
    m = pack_meeting()
    doc = upload(client, m, m["chair"], sample_files.jpeg(), "photo.jpg", "image/jpeg")[1]["document"]["id"]
    assert counts(app)[:2] == (1, 1)
    status, body = api(m["chair"], m["id"], "documents.delete", document_id=doc)
    assert status == 200, body
    assert counts(app)[:2] == (1, 0)
    assert pack(client, m, m["chair"])["documents"] == []
    assert client.get(f"/api/v1/meetings/{m['id']}/documents/{doc}", headers=auth(m["chair"])).status_code == 404
    with app.app_context():  # the audit trail keeps what it was
        removed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "documents.delete")).one()
        assert removed.before["name"] == "photo.jpg" and db.session.scalar(select(EvidenceRequest.id)) is None


def test_a_document_larger_than_other_requests_may_be_is_accepted_up_to_the_document_limit(app, client, pack_meeting):
    m = pack_meeting()
    assert app.config["DOCUMENT_MAX_BYTES"] == 20 * 1024 * 1024 and app.config["MAX_CONTENT_LENGTH"] == 256 * 1024
    big = sample_files.pdf() + b"\n%" + b"0" * (3 * 1024 * 1024)  # 3 MB: over every other request's limit
    # encoded here in memory (the test client would spool a body this large to a file it never closes)
    boundary, encoded = encode_multipart({"file": FileStorage(io.BytesIO(big), "scanned report.pdf", content_type="application/pdf")})
    r = client.post(f"/api/v1/meetings/{m['id']}/documents", data=encoded, headers=auth(m["chair"]),
                    content_type=f"multipart/form-data; boundary={boundary}")
    status, body = r.status_code, r.get_json()
    assert status == 201, body
    assert body["document"]["size"] == len(big)
    r = client.get(f"/api/v1/meetings/{m['id']}/documents/{body['document']['id']}", headers=auth(m["chair"]))
    assert r.data == big
    # other requests keep their own limit
    r = client.post(f"/api/v1/meetings/{m['id']}/commands/evidence.circulate", data=b"{" + b" " * (300 * 1024) + b"}",
                    headers={**auth(m["chair"]), "Content-Type": "application/json"})
    assert r.status_code == 413
