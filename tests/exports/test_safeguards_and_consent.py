"""A US IEP meeting: the chair records that the procedural safeguards were offered to the parent and the
parent's consent; the prior written notice shows them in every format, and flags them to the chair until
they are recorded. Bad input or another role is refused and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from facilitation.extensions import db
from facilitation.models import AuditEntry
from tests.conftest import local_today
from tests.exports.test_statutory_reports import FORMATS, Maker, iep, read  # noqa: F401 - iep is a fixture


def meeting(r: Maker) -> dict:
    return r.snapshot()["meeting"]


def test_until_recorded_the_notice_flags_the_safeguards_and_consent(iep, client):  # noqa: F811
    text = read("md", iep.export("pwn.md"))
    assert "Procedural safeguards offered and the parent's consent" in text
    assert "that the procedural safeguards were offered to the parent is not recorded" in text
    state = client.get(f"/minutes/{iep.chair}/state.json").get_json()
    assert "Prior written notice: the parent's consent (given, refused or not needed) is not recorded." in state["completeness"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_recorded_safeguards_and_consent_appear_in_the_notice(app, iep, client, fmt):  # noqa: F811
    today = local_today()
    offered = today - timedelta(days=1)
    iep.cmd("reports.record_safeguards", version=meeting(iep)["version"], offered_on=offered.isoformat(), how="in_person",
            consent="given", consent_on=today.isoformat())
    seen = meeting(iep)["safeguards"]
    assert seen == {"offered_on": offered.isoformat(), "how": "in_person", "consent": "given", "consent_on": today.isoformat()}
    text = read(fmt, iep.export(f"pwn.{fmt}"))
    at = text.index("Procedural safeguards offered and the parent's consent")
    # Word tables are read after the paragraphs: there, the facts are looked for in the whole document
    near = text if fmt == "docx" else text[at:at + 400]
    assert "Given to the parent in person" in near and "Consent given" in near
    assert "safeguards were offered to the parent is not recorded" not in text
    state = client.get(f"/minutes/{iep.chair}/state.json").get_json()
    assert not [g for g in state["completeness"] if "safeguards" in g or "consent" in g]
    with app.app_context():
        assert db.session.query(AuditEntry).filter_by(action="reports.record_safeguards").count() == 1


def test_bad_safeguards_input_is_refused_naming_the_field_and_changes_nothing(iep, client, make_meeting):  # noqa: F811
    v = meeting(iep)["version"]
    today = local_today()
    good = {"version": v, "offered_on": today.isoformat(), "how": "post", "consent": "refused", "consent_on": today.isoformat()}
    for bad, field in (
        ({"how": "pigeon"}, "how"),
        ({"consent": "maybe"}, "consent"),
        ({"consent_on": None}, "consent_on"),
        ({"consent": "not_needed"}, "consent_on"),
        ({"offered_on": (today + timedelta(days=3)).isoformat()}, "offered_on"),
        ({"offered_on": "not a date"}, "offered_on"),
    ):
        body = iep.cmd("reports.record_safeguards", status=422, **{**good, **bad})
        assert field in body["error"]["fields"], (bad, body)
    assert meeting(iep)["safeguards"] is None and meeting(iep)["version"] == v
    # the chair only
    fresh = Maker(client, make_meeting, meeting_type="iep_meeting")
    parent = fresh.cmd("participants.add", name="Pat Parent", role="parent", agency="family")
    token = parent["join_path"].rsplit("/", 1)[1]
    fresh.cmd("reports.record_safeguards", token=token, status=403, **{**good, "version": meeting(fresh)["version"]})
    assert meeting(fresh)["safeguards"] is None
    # an IEP meeting only
    other = Maker(client, make_meeting)
    body = other.cmd("reports.record_safeguards", status=422, **{**good, "version": meeting(other)["version"]})
    assert "meeting_type" in body["error"]["fields"]
    iep.cmd("reports.record_safeguards", **{**good, "consent": "not_needed", "consent_on": None})
    assert meeting(iep)["safeguards"]["consent"] == "not_needed"


def test_the_iep_minutes_page_offers_the_chair_the_safeguards_form_and_an_annual_review_does_not(iep, client, make_meeting):  # noqa: F811
    page = client.get(f"/minutes/{iep.chair}").get_data(as_text=True)
    assert 'id="safeguards-form"' in page and 'data-cmd="reports.record_safeguards"' in page
    assert "Offered; the parent declined a copy" in page and "Consent not needed for this action" in page
    review = Maker(client, make_meeting)
    assert 'id="safeguards-form"' not in client.get(f"/minutes/{review.chair}").get_data(as_text=True)
