"""The organisation's statutory clock settings: the administrator's form, and what they change for people:
working days in a meeting's timeline, a US state's own timeframes, and the family summary's dates and contact."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from facilitation.calendars import organisation_calendar
from facilitation.domain.statutory.clock import compute
from facilitation.extensions import db
from facilitation.models import AdminLogEntry, Organisation
from tests.conftest import add_staff, local_today, sign_in

SETTINGS = "/admin/settings/statutory"
NOTICE = "These dates are the latest the law allows, computed from the rules; this is not legal advice."
GOOD = {
    "advice.name": "Northshire SENDIASS",
    "advice.phone": "+44 1632 960 000",
    "advice.email": "advice@northshire-sendiass.example",
    "advice.web": "https://northshire-sendiass.example/",
    "mediation.name": "Northshire Mediation",
    "mediation.web": "https://mediation.example/",
    "timezone": "Europe/London",
    "terms": "2026-09-03 to 2026-12-18 Autumn term\n2027-01-05 to 2027-03-26 Spring term",
    "closures": "2026-11-13 INSET day\n2026-10-26 to 2026-10-30 half term",
    "us_state": "",
    "us_evaluation_days": "",
    "us_due_process_years": "",
}


@pytest.fixture
def admin_client(app, client):
    add_staff(app, "admin@school.test", "Ms Admin", "admin")
    sign_in(client, "admin@school.test")
    return client


def org_row(app) -> dict:
    with app.app_context():
        org = db.session.get(Organisation, 1)
        return {c: getattr(org, c) for c in ("timezone", "contacts", "term_dates", "closure_days", "us_state", "us_timeframes")}


def save(client, **changes):
    return client.post(SETTINGS, data={**GOOD, **changes})


def test_an_administrator_saves_contacts_time_zone_terms_closures_and_sees_them_again(admin_client, app):
    r = save(admin_client)
    assert r.status_code == 303, r.get_data(as_text=True)
    row = org_row(app)
    assert row["contacts"]["advice"] == {"name": "Northshire SENDIASS", "phone": "+44 1632 960 000",
                                         "email": "advice@northshire-sendiass.example",
                                         "web": "https://northshire-sendiass.example/"}
    assert "disagreement_resolution" not in row["contacts"]  # nothing typed: nothing stored
    assert row["term_dates"][0] == {"start": "2026-09-03", "end": "2026-12-18", "note": "Autumn term"}
    assert [c["start"] for c in row["closure_days"]] == ["2026-10-26", "2026-11-13"]
    page = admin_client.get("/admin/settings").get_data(as_text=True)
    assert "2026-10-26 to 2026-10-30 half term" in page and "2026-11-13 INSET day" in page
    assert 'value="Northshire SENDIASS"' in page
    with app.app_context():
        entry = db.session.scalars(select(AdminLogEntry).order_by(AdminLogEntry.id.desc())).first()
    assert entry.action == "settings.update" and entry.detail["part"] == "statutory"
    assert entry.detail["before"]["contacts"] == {} and entry.detail["after"]["us_state"] is None


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"advice.email": "not an address"}, "advice.email", "e-mail address"),
        ({"advice.phone": "call us"}, "advice.phone", "phone number"),
        ({"mediation.web": "javascript:alert(1)"}, "mediation.web", "https://"),
        ({"advice.name": "x" * 121}, "advice.name", "at most 120"),
        ({"timezone": "Mars/Olympus"}, "timezone", "not a time zone"),
        ({"terms": "2026-09-03 to 2026-12-18\n3 Sept to 18 Dec"}, "terms", "Line 2"),
        ({"terms": "2026-09-03 to 2026-12-18\n2026-12-01 to 2027-03-26"}, "terms", "overlap"),
        ({"terms": "2026-09-03"}, "terms", "Line 1: give the first and last day"),
        ({"closures": "2026-11-13 INSET\n\n2026-02-30 snow day"}, "closures", "Line 3: 2026-02-30 is not a real date"),
        ({"closures": "2026-12-18 to 2026-12-01"}, "closures", "Line 1: the last day is before the first"),
        ({"us_state": "ZZ"}, "us_state", "two-letter US state code"),
        ({"us_evaluation_days": "45"}, "us_state", "Choose the state"),
        ({"us_state": "OH", "us_evaluation_days": "sixty"}, "us_evaluation_days", "whole number"),
        ({"us_state": "OH", "us_due_process_years": "40"}, "us_due_process_years", "Out of range"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_changes_nothing(admin_client, app, changes, field, words):
    assert save(admin_client).status_code == 303
    before = org_row(app)
    r = save(admin_client, **{**changes, "advice.name": changes.get("advice.name", "Changed name")})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    anchor = "field-" + field.replace(".", "-")
    assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    message = re.search(rf'id="error-{re.escape(field.replace(".", "-"))}">([^<]*)<', page)
    assert message and words in message.group(1).replace("&#39;", "'")
    assert 'aria-invalid="true"' in page
    assert org_row(app) == before  # not even the valid name changed


def test_only_administrators_change_the_statutory_settings(client, app, staff):
    assert client.post(SETTINGS, data=GOOD).status_code in (302, 401)  # not signed in
    sign_in(client, staff["email"])
    assert client.post(SETTINGS, data=GOOD).status_code == 403  # a chair
    assert org_row(app)["contacts"] is None


# ---------------------------------------------------------------- what the settings change


def _timeline(client, m):
    r = client.get(f"/api/v1/meetings/{m['id']}/timeline", headers={"Authorization": f"Bearer {m['chair']}"})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_closure_day_set_in_the_settings_moves_a_working_day_date_in_the_timeline(admin_client, make_meeting):
    m = make_meeting(meeting_type="sen_support_review")
    before = {i["rule_id"]: i for i in _timeline(admin_client, m)["items"]}["ENG-SS-04"]
    held = datetime.fromisoformat(m["body"]["meeting"]["scheduled_start"]).astimezone(ZoneInfo("Europe/London")).date()
    calendar = organisation_calendar("ENG", range(held.year - 1, held.year + 2))
    first_working_day = held + timedelta(days=1)
    while not calendar.is_working_day(first_working_day):
        first_working_day += timedelta(days=1)
    assert save(admin_client, terms="", closures=f"{first_working_day.isoformat()} INSET day").status_code == 303
    after = {i["rule_id"]: i for i in _timeline(admin_client, m)["items"]}["ENG-SS-04"]
    closed = organisation_calendar("ENG", range(held.year - 1, held.year + 2), closures=[first_working_day])
    assert after["date"] == compute("ENG-SS-04", {"meeting_date": held}, closed).date.isoformat()
    assert after["date"] > before["date"]


def test_the_time_zone_set_is_the_timelines_zone(admin_client, make_meeting):
    assert save(admin_client, timezone="America/Chicago", terms="", closures="").status_code == 303
    m = make_meeting(meeting_type="iep_meeting")
    assert _timeline(admin_client, m)["timezone"] == "America/Chicago"


def test_a_state_timeframe_replaces_the_federal_default_and_is_labelled(admin_client):
    body = {"rule_id": "US-EVAL-01", "jurisdiction": "US", "starts": {"consent_date": "2027-01-04"}}
    federal = admin_client.post("/api/v1/statutory/compute", json=body).get_json()
    assert (federal["date"], federal["state_timeframe"]) == ("2027-03-05", None)
    assert save(admin_client, us_state="OH", us_evaluation_days="45", terms="", closures="").status_code == 303
    state = admin_client.post("/api/v1/statutory/compute", json=body).get_json()
    assert (state["date"], state["state_timeframe"]) == ("2027-02-18", "OH")
    assert state["verified"] is False and any("state timeframe" in c for c in state["caveats"])
    assert state["rule"]["version"] == federal["rule"]["version"] + 1


# ---------------------------------------------------------------- the family summary, read back


def _summary_and_markdown(client, m):
    html = client.get(f"/minutes/{m['chair']}/export/summary")
    md = client.get(f"/minutes/{m['chair']}/export/md")
    assert html.status_code == 200 and md.status_code == 200
    text = re.sub(r"<[^>]+>", " ", html.get_data(as_text=True))
    return re.sub(r"\s+", " ", text), md.get_data(as_text=True)


def test_an_annual_reviews_family_summary_gives_the_dates_the_notice_and_the_local_sendiass(admin_client, meeting):
    assert save(admin_client, terms="", closures="").status_code == 303
    timeline = {i["rule_id"]: i for i in _timeline(admin_client, meeting)["items"]}
    html, md = _summary_and_markdown(admin_client, meeting)
    report = timeline["ENG-AR-08"]
    day = datetime.fromisoformat(report["date"]).date()
    sentence = f"The school must send the review report to everyone by {day:%A} {day.day} {day:%B %Y}."
    for text in (html, md):
        assert sentence in text
        assert "Rule ENG-AR-08" in text and report["sources"][0] in text
        assert NOTICE in text
        assert "Northshire SENDIASS" in text and "+44 1632 960 000" in text
        assert "Your local SENDIASS" not in text  # the organisation's own contact replaces the pointer to find one
        for word in ("due process", "IEP team", "Parent Center"):
            assert word not in text
    # before the meeting (the invitations) is the chair's to check, not listed for the family
    assert "Rule ENG-AR-05" not in html


def test_an_unverified_date_is_marked_in_the_family_summary(admin_client, make_meeting):
    m = make_meeting(meeting_type="sen_support_review")
    html, md = _summary_and_markdown(admin_client, m)
    for text in (html, md):
        assert "The school should give you a record of this meeting by" in text
        assert "Rule ENG-SS-04 (unverified)" in text and NOTICE in text
        assert "Your local SENDIASS" in text  # no contact set: the general advice list


def test_a_us_iep_meetings_family_summary_has_us_dates_and_contact_and_no_english_words(admin_client, make_meeting):
    assert save(admin_client, **{"advice.name": "Buckeye Parent Center", "advice.phone": "614 555 0100"},
                terms="", closures="").status_code == 303
    m = make_meeting(meeting_type="iep_meeting", title="IEP meeting")
    item = _timeline(admin_client, m)["items"][0]
    day = datetime.fromisoformat(item["date"]).date()
    html, md = _summary_and_markdown(admin_client, m)
    for text in (html, md):
        assert f"The IEP team must review the IEP again by {day:%A} {day.day} {day:%B %Y}" in text
        assert "Rule US-IEP-02" in text and NOTICE in text
        assert "Buckeye Parent Center (Parent Training and Information Center)" in text and "614 555 0100" in text
        for word in ("SENDIASS", "Tribunal", "tribunal", "certificate", "council"):
            assert word not in text, word


def _disagreement_with_route(client, m, **route):
    def cmd(command, **args):
        r = client.post(f"/api/v1/meetings/{m['id']}/commands/{command}", json=args, headers={"Authorization": f"Bearer {m['chair']}"})
        assert r.status_code == 200, (command, r.get_json())
        return r.get_json()

    g = cmd("disagreements.record", topic="Hours of support")
    cmd("disagreements.update", disagreement_id=g["disagreement_id"], version=1, next_step_owner_name="K. Obi",
        next_step_agency="School", follow_up_date=(local_today() + timedelta(days=10)).isoformat(), **route)
    return client.get(f"/minutes/{m['chair']}/export/md").get_data(as_text=True)


def test_each_open_disagreement_names_the_advice_service_and_its_routes_own_service_in_its_words(admin_client, make_meeting):
    assert save(admin_client).status_code == 303
    m = make_meeting()
    minutes = _disagreement_with_route(admin_client, m, about="la_decision", next_step="mediation")
    assert "Contact: SEND Information, Advice and Support Service (SENDIASS): Northshire SENDIASS, +44 1632 960 000" in minutes
    assert "Contact: Mediation service: Northshire Mediation, https://mediation.example/" in minutes
    page = admin_client.get(f"/chair/{m['chair']}").get_data(as_text=True)
    assert "Northshire SENDIASS" in page  # the console's bootstrap: drawn with each open disagreement
    us = make_meeting(meeting_type="iep_meeting", title="IEP meeting")
    minutes = _disagreement_with_route(admin_client, us, about="iep", next_step="mediation")
    assert "Contact: Parent Training and Information Center: Northshire SENDIASS" in minutes
    assert "Contact: State dispute resolution office: Northshire Mediation" in minutes
    assert "(SENDIASS)" not in minutes and "Mediation service:" not in minutes
