"""The minutes builder and the circulation rules: plain data in, a Minutes value out, no app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from facilitation.domain import minutes as dm
from facilitation.domain.errors import Conflict, InvalidValue, RuleViolation
from facilitation.exports.text import actual_text, planned_text

LONDON = ZoneInfo("Europe/London")
START = datetime(2027, 3, 14, 9, 30, tzinfo=UTC)
NOW = datetime(2027, 3, 14, 12, 0, tzinfo=UTC)


def person(pid, name, role, agency, attendance="in_room", **extra):
    return {"id": pid, "name": name, "role": role, "role_label": role.title(), "agency": agency, "agency_label": agency.title(),
            "attendance": attendance, "attendance_label": attendance, "arrived_late": False, "left_early": False, **extra}


def item(iid, position, title, status="done", minutes=10, actual=600, started=0, extended=0):
    t = START + timedelta(minutes=started)
    return {"id": iid, "position": position, "title": title, "presenter": None, "allocated_seconds": minutes * 60, "extended_seconds": extended,
            "status": status, "deferred": False, "started_at": t.isoformat() if status == "done" else None,
            "ended_at": (t + timedelta(seconds=actual)).isoformat() if status == "done" else None, "actual_seconds": actual if status == "done" else None}


def action(aid, item_id, what, owner_id=None, owner_name=None, due="2027-03-20", follow="2027-04-01", confirmed=False):
    return {"id": aid, "agenda_item_id": item_id, "what": what, "owner_participant_id": owner_id, "owner_name": owner_name,
            "owner_agency": "Northshire SALT service", "due_date": due, "follow_up_date": follow, "need": None, "status": "open",
            "confirmed_at": "2027-03-14T10:00:00+00:00" if confirmed else None}


def record(meeting_type="ehcp_annual_review", **over) -> dm.RecordData:
    data = dict(
        meeting={"id": 1, "title": "Annual review", "meeting_type": meeting_type, "meeting_type_label": "EHCP annual review", "child_ref": "AB",
                 "scheduled_start": START.isoformat(), "scheduled_end": (START + timedelta(minutes=90)).isoformat(), "status": "ended",
                 "started_at": START.isoformat(), "ended_at": (START + timedelta(minutes=40)).isoformat()},
        items=[item(1, 1, "Welcome", minutes=5, actual=420), item(2, 2, "Progress", started=7, extended=120, actual=900), item(3, 3, "Transport", status="skipped"), item(4, 4, "AOB", status="pending")],
        participants=[person(1, "Sam Parent", "parent", "family"), person(2, "Dr Eve Psych", "educational_psychologist", "ep", "remote", arrived_late=True),
                      person(3, "J. Patel", "salt", "health", "apologies"), person(4, "Kim Class", "class_teacher", "school", "expected"),
                      person(5, "Removed Person", "other", "other", removed=True)],
        decisions=[{"id": 1, "agenda_item_id": 2, "text": "Maintain the EHCP", "reasons": "Good progress", "evidence": "EP report", "options_considered": None,
                    "status": "agreed_with_dissent", "status_label": "Agreed with dissent", "dissenter_ids": [1], "disagreement_id": 1, "review_date": None}],
        actions=[action(1, 2, "SALT programme", owner_id=3, due="2027-03-25", follow="2027-04-08", confirmed=True),
                 action(2, 1, "Send the EP report", owner_name="Office", due="2027-03-16", follow="2027-03-20"),
                 action(3, None, "Book the next review", owner_id=5, due="2027-03-30", follow="2027-04-10")],
        disagreements=[{"id": 1, "agenda_item_id": 2, "topic": "Hours of 1:1 support", "resolved": False, "resolution": None, "next_step": "mediation",
                        "next_step_label": "Mediation", "about": "la_decision", "about_label": "A local authority decision that can be appealed",
                        "next_step_note": "Before most appeals the family must contact a mediation adviser.",
                        "route_deadlines": [{"rule_id": "ENG-MED-02", "title": "Contact the mediation adviser before appealing", "who": "Parent or young person",
                                             "date": "2027-05-10", "verified": True, "sources": ["https://www.legislation.gov.uk/uksi/2014/1530/regulation/33"], "limit": True}],
                        "follow_up_late": None, "route_missing": [], "next_step_owner_participant_id": None, "next_step_owner_name": "K. Obi",
                        "next_step_agency": "Northshire LA", "follow_up_date": "2027-04-30",
                        "positions": [{"participant_id": 1, "party_name": None, "agency": "Family", "view": "25 hours", "evidence": "EP report"}]}],
        details={"child_views": "I like Lego", "family_views": None, "next_review_date": "2028-03-01", "recommendation": "amend"},
    )
    data.update(over)
    return dm.RecordData(**data)


def build(rec=None, **kw) -> dm.Minutes:
    return dm.build_minutes(rec or record(), tz=LONDON, generated_at=NOW, **kw)


def test_dates_are_written_the_uk_way():
    assert dm.uk_date(date(2027, 3, 4)) == "4 Mar 2027"
    assert dm.uk_date(date(2027, 3, 14), weekday=True) == "Sun 14 Mar 2027"
    assert dm.uk_date(None) == ""


def test_attendance_is_grouped_into_present_remote_apologies_and_not_recorded():
    m = build()
    assert [p.name for p in m.attendance.present] == ["Sam Parent"]
    assert [p.name for p in m.attendance.remote] == ["Dr Eve Psych"]
    assert [p.name for p in m.attendance.apologies] == ["J. Patel"]
    assert [p.name for p in m.attendance.not_recorded] == ["Kim Class"]
    assert "Removed Person" not in [p.name for g in ("present", "remote", "apologies", "absent", "not_recorded") for p in getattr(m.attendance, g)]
    assert dm.person_line(m.attendance.remote[0]).endswith("(arrived late)")


def test_the_agenda_shows_planned_and_actual_times_in_local_time():
    m = build()
    welcome, progress, transport, aob = m.agenda
    assert planned_text(welcome) == "5 min" and actual_text(welcome) == "7 min (09:30–09:37)"
    assert planned_text(progress) == "10 min + 2 min added" and progress.actual_minutes == 15
    assert actual_text(transport) == "Skipped" and actual_text(aob) == "Not reached"
    summer = build(record(meeting={**record().meeting, "scheduled_start": "2027-07-01T08:00:00+00:00", "started_at": None, "ended_at": None}))
    assert summer.meeting.scheduled_start.hour == 9  # British Summer Time


def test_entries_are_filed_under_their_item_and_numbered_in_agenda_order():
    m = build()
    welcome, progress = m.agenda[:2]
    assert [a.ref for a in welcome.actions] == ["A1"] and welcome.actions[0].what == "Send the EP report"
    assert [a.ref for a in progress.actions] == ["A2"] and [d.ref for d in progress.decisions] == ["D1"]
    assert progress.decisions[0].dissenters == ["Sam Parent"] and progress.decisions[0].disagreement_ref == "G1"
    assert m.other_matters is not None and [a.what for a in m.other_matters.actions] == ["Book the next review"]


def test_the_action_table_lists_what_owner_agency_and_dates_soonest_first():
    m = build()
    assert [(a.what, a.owner, a.due_date) for a in m.actions] == [
        ("Send the EP report", "Office", date(2027, 3, 16)),
        ("SALT programme", "J. Patel", date(2027, 3, 25)),
        ("Book the next review", "Removed Person", date(2027, 3, 30)),  # a removed owner is still named
    ]
    assert m.actions[1].confirmed and m.actions[1].owner_key == "p3"
    assert m.actions[0].owner_key == dm.owner_key(None, " office ")


#: Two steps of an annual review's timeline as services.statutory.timeline gives them.
STEPS = [
    {"rule_id": "ENG-AR-08", "title": "Review report sent", "who": "The head teacher", "date": "2027-03-28",
     "verified": True, "verification": "S", "sources": ["https://send.essex.gov.uk/annual-review"], "status": "due"},
    {"rule_id": "ENG-AR-09", "title": "LA decision notified", "who": "The local authority", "date": "2027-04-11",
     "verified": False, "verification": "U", "sources": ["https://example.org/a", "https://example.org/b"], "status": "due"},
]


def test_an_ehcp_annual_review_records_differences_of_opinion_and_its_statutory_dates_as_given():
    m = build(record(statutory=STEPS))
    assert m.disagreements_title == "Differences of opinion"
    g = m.disagreements[0]
    assert (g.owner, g.agency, g.follow_up_date) == ("K. Obi", "Northshire LA", date(2027, 4, 30))
    assert g.about_label.startswith("A local authority decision") and g.route_note.startswith("Before most appeals")
    assert [(r.rule_id, r.day, r.verified) for r in g.route_dates] == [("ENG-MED-02", date(2027, 5, 10), True)]
    assert g.positions[0].party == "Sam Parent"
    report, decision = m.statutory_dates
    assert (report.rule_id, report.day, report.who, report.verified) == ("ENG-AR-08", date(2027, 3, 28), "The head teacher", True)
    assert report.source == "rule ENG-AR-08 (secondary sources: https://send.essex.gov.uk/annual-review)"
    assert (decision.day, decision.verified, decision.sources) == (date(2027, 4, 11), False, ["https://example.org/a", "https://example.org/b"])
    assert m.recommendation_label == "Amend the plan"
    assert dm.Minutes.from_dict(m.to_dict()).statutory_dates == m.statutory_dates
    other = build(record(meeting_type="multi_agency"))
    assert other.disagreements_title == "Disagreements and next steps" and other.statutory_dates == [] and other.recommendation is None


def test_minutes_stored_with_the_older_single_statutory_date_read_back():
    stored = build(record(statutory=STEPS)).to_dict()
    stored["statutory_dates"] = [{"text": "Statutory latest date for the review report", "day": "2027-03-28", "source": "rule ENG-AR-08 (...)"}]
    (old,) = dm.Minutes.from_dict(stored).statutory_dates
    assert (old.day, old.rule_id, old.sources, old.verified) == (date(2027, 3, 28), "", [], True)


def test_the_family_summary_is_plain_with_dates_jargon_and_independent_advice():
    s = build().summary
    assert s.intro == "On Sun 14 Mar 2027 there was an EHCP annual review: the yearly review of the child's Education, Health and Care Plan, about AB."
    assert "Dr Eve Psych: educational psychologist (EP) (joined remotely)" in s.who_came
    assert s.agreed[0] == "Maintain the EHCP (agreed, but Sam Parent did not agree)"
    assert [st.day for st in s.next_steps] == sorted(st.day for st in s.next_steps)
    assert s.next_steps[0].text == "Office (Northshire SALT service) will: Send the EP report. Checked on 20 Mar 2027."
    assert any("mediation" in line for line in s.disagreements)
    assert s.next_review == "The next review is on Wed 1 Mar 2028."
    terms = {t.term for t in s.glossary}
    assert {"EHCP", "EP", "SALT", "1:1"} <= terms and "SENCo" not in terms and "IDEA" not in terms
    assert [a.name for a in s.advice][:2] == ["Your local SENDIASS", "IPSEA"] and s.advice[-1].name == "If you still disagree"
    us = build(record(meeting_type="iep_meeting")).summary
    assert us.advice[0].name == "Your Parent Training and Information Center"


def test_the_glossary_matches_whole_abbreviations_only():
    rec = record(details={"child_views": "I want to SEND a letter; send it. TAXI. EPA.", "family_views": None, "next_review_date": None, "recommendation": None},
                 decisions=[], actions=[], disagreements=[])
    terms = {t.term for t in build(rec).summary.glossary}
    assert "SEND" in terms and "TA" not in terms and "EP" in terms  # EP from the meeting type sentence only
    assert build(rec).summary.next_review == "The date of the next review has not been set yet."


def test_gaps_are_listed_for_the_chair_before_circulating():
    notes = dm.completeness(build())
    assert "Attendance is not recorded for: Kim Class." in notes
    assert "The family's views are not recorded." in notes
    assert "Not yet confirmed by their owner: A1, A3." in notes
    live = build(record(meeting={**record().meeting, "status": "live"}))
    assert dm.completeness(live)[0].startswith("The meeting has not ended yet")


def test_a_minutes_value_survives_a_round_trip_through_json():
    import json

    m = build()
    again = dm.Minutes.from_dict(json.loads(json.dumps(m.to_dict())))
    assert again == m
    assert again.actions[0].due_date == date(2027, 3, 16) and again.generated_at.tzinfo is not None


def test_comparing_two_versions_says_what_changed():
    old = build()
    rec = record()
    rec.actions[0]["due_date"] = "2027-03-27"
    rec.actions.append(action(9, 2, "New action", owner_id=1))
    rec.details["family_views"] = "We agree"
    new = build(rec)
    changes = dm.compare(old, new)
    assert "Action A2: due date changed from “25 Mar 2027” to “27 Mar 2027”." in changes
    assert "Action A3 added: “New action”." in changes
    assert "The family's views changed from “(none)” to “We agree”." in changes
    assert dm.compare(old, build()) == []
    assert dm.fingerprint(old) == dm.fingerprint(dm.with_stamp(build(), dm.VersionStamp(2, "approved", "Approved", 1, None, NOW, "Chair", None, [])))


def test_circulation_rules_refuse_what_is_not_allowed_now():
    with pytest.raises(RuleViolation) as e:
        dm.check_can_circulate("live", dm.DRAFT)
    assert e.value.code == "not_ended"
    with pytest.raises(RuleViolation) as e:
        dm.check_can_circulate("ended", dm.APPROVED)
    assert e.value.code == "locked"
    with pytest.raises(RuleViolation) as e:
        dm.check_can_respond(dm.DRAFT, 1, 1, 1, 0)
    assert e.value.code == "not_circulated"
    with pytest.raises(Conflict):
        dm.check_can_respond(dm.CIRCULATED, 1, 1, 1, 2)
    dm.check_can_respond(dm.CIRCULATED, 1, 2, 1, 2)
    with pytest.raises(RuleViolation) as e:
        dm.check_can_approve(dm.DRAFT, 1, 1)
    assert e.value.code == "not_circulated"
    with pytest.raises(Conflict):
        dm.check_can_approve(dm.CIRCULATED, 1, 2)
    with pytest.raises(RuleViolation) as e:
        dm.check_can_amend(dm.CIRCULATED)
    assert e.value.code == "not_approved"
    with pytest.raises(InvalidValue):
        dm.check_recommendation("multi_agency", "amend")
    with pytest.raises(InvalidValue):
        dm.check_recommendation("ehcp_annual_review", "keep")
    with pytest.raises(InvalidValue):
        dm.check_next_review_date(date(2027, 3, 1), date(2027, 3, 14))
    with pytest.raises(InvalidValue):
        dm.clean_comment("   ", "comment", "A comment", 10, True)


def test_the_tally_says_who_confirmed_who_asked_for_corrections_and_who_answered_an_older_draft():
    people = [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}, {"id": 3, "name": "C"}, {"id": 4, "name": "D"}]
    answers = [{"participant_id": 1, "response": "confirmed", "revision": 2}, {"participant_id": 2, "response": "correction", "revision": 2},
               {"participant_id": 3, "response": "confirmed", "revision": 1}]
    t = dm.tally(people, answers, 2)
    assert (t["confirmed"], t["corrections"], t["earlier_draft"], t["waiting"], t["everyone_confirmed"]) == (["A"], ["B"], ["C"], ["D"], False)


def request(rid, kind, status="waiting", text=None, participant_id=1, item_id=2):
    return {"id": rid, "kind": kind, "text": text, "participant_id": participant_id, "item_id": item_id, "created_at": START.isoformat(),
            "status": status, "answered_at": None, "version": 1}


def test_the_minutes_list_questions_and_comments_and_count_hands_and_breaks():
    requests = [
        request(1, "question", "answered", "Who books the taxi?"),
        request(2, "hand", "answered"),
        request(3, "comment", text="Sent before the start", participant_id=2, item_id=None),
        request(4, "question", "withdrawn", "Never mind"),
        request(5, "hand", "withdrawn"),
        request(6, "break"),
    ]
    minutes = dm.build_minutes(record(speaking_requests=requests), tz=LONDON, generated_at=NOW)
    rows = [(q.asker, q.kind_label, q.text, q.item_title, q.answered) for q in minutes.questions]
    assert rows == [
        ("Sam Parent", "Question", "Who books the taxi?", "Progress", True),
        ("Dr Eve Psych", "Comment", "Sent before the start", None, False),
    ]
    assert (minutes.hands_raised, minutes.breaks_requested) == (1, 1)
    assert dm.Minutes.from_dict(minutes.to_dict()) == minutes  # frozen with an approved version


def test_minutes_stored_before_the_speaking_queue_read_as_having_none():
    stored = dm.build_minutes(record(speaking_requests=[request(1, "question", text="Q?")]), tz=LONDON, generated_at=NOW).to_dict()
    for key in ("questions", "hands_raised", "breaks_requested"):
        del stored[key]
    older = dm.Minutes.from_dict(stored)
    assert (older.questions, older.hands_raised, older.breaks_requested) == ([], 0, 0)


def test_an_item_left_unfinished_or_with_entries_is_never_called_not_reached():
    left = {**item(5, 5, "Transition", status="pending"), "status": "left", "actual_seconds": 430, "visits": 2, "started_at": START.isoformat()}
    with_entries = item(6, 6, "Health", status="pending")
    rec = record(
        items=[left, with_entries, item(7, 7, "AOB", status="pending")],
        decisions=[{"id": 9, "agenda_item_id": 6, "text": "Refer to the school nurse", "status": "agreed", "status_label": "Agreed"}],
        actions=[], disagreements=[],
    )
    transition, health, aob = build(rec).agenda
    assert (transition.status_label, transition.actual_minutes, transition.visits) == ("Discussed, not finished", 7, 2)
    assert actual_text(transition) == "Discussed, not finished (7 min)"
    assert actual_text(health) == "Discussed" and health.has_entries
    assert actual_text(aob) == "Not reached", "an item never opened, with nothing under it"


def test_an_interpreted_item_shows_its_time_scale_beside_the_planned_minutes():
    scaled = {**item(1, 1, "Views", minutes=10), "time_scale": 150}
    (entry,) = build(record(items=[scaled], decisions=[], actions=[], disagreements=[])).agenda
    assert planned_text(entry) == "10 min x1.5 (15 min)"


def test_a_joiner_not_yet_confirmed_is_listed_as_joined_remotely_by_their_link_with_their_language():
    rec = record(participants=[person(1, "Ana Nowak", "parent", "family", "remote", attendance_confirmed=False, language="Polish", needs_interpreter=True),
                               person(2, "Dr Eve Psych", "educational_psychologist", "ep", "remote", attendance_confirmed=True)])
    m = build(rec)
    ana, eve = m.attendance.remote
    assert dm.person_line(ana).endswith("(joined by their link, with a Polish interpreter)")
    assert "joined by their link" not in dm.person_line(eve)
    assert "Joined by their link, not yet confirmed by the chair: Ana Nowak." in dm.completeness(m)
    assert dm.Minutes.from_dict(m.to_dict()) == m


def test_a_us_summary_names_the_districts_officer_not_the_council():
    people = [person(1, "Sam Parent", "parent", "family"), person(2, "Ms Lee", "la_officer", "local_authority")]
    s = build(record(meeting_type="iep_meeting", participants=people)).summary
    assert not any("council" in line for line in s.who_came)
    assert any("school district's special education representative" in line for line in s.who_came)
