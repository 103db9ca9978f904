"""The child's views beside the decisions that answer them: a pure builder, plain data in, a table out."""

from __future__ import annotations

from facilitation.domain.minutes import reports
from tests.unit.test_minutes_builder import build, record


def views_request(rid, answer, how="Through a drawing", who="Sam Parent"):
    return {"id": rid, "kind": "child_views", "kind_label": "The child's or young person's views", "what": "Sam's views",
            "due_on": "2027-02-20", "answer": answer, "how_gathered_label": how, "participant_name": who,
            "answered_on": "2027-02-18", "state": "received", "documents": []}


def decision(did, text, **extra):
    return {"id": did, "agenda_item_id": 2, "text": text, "status": "agreed", "status_label": "Agreed", "dissenter_ids": [], **extra}


def minutes(**over):
    evidence = [views_request(10, "I want to stay with my friends"), views_request(11, "Loud rooms hurt my ears", how="By their advocate", who="Ana Advocate"),
                {**views_request(12, None), "state": "requested"},
                {**views_request(13, "EP advice text"), "kind": "advice"}]
    decisions = [decision(1, "Keep Sam in the same class", answers_view_ids=[10]),
                 decision(2, "A quiet room at lunch", answers_view_ids=[10], answers_recorded_views=True)]
    return build(record(evidence=evidence, decisions=decisions, **over))


def test_each_view_sits_beside_the_decisions_that_answer_it_in_the_childs_own_words():
    block = reports.views_and_responses(minutes())
    assert block.headings == ("What the child said", "How the meeting responded")
    said = [r[0] for r in block.rows]
    assert said == [
        '"I want to stay with my friends" (Through a drawing, from Sam Parent)',
        '"Loud rooms hurt my ears" (By their advocate, from Ana Advocate)',
        '"I like Lego" (Recorded in the meeting)',
    ]
    responses = [r[1] for r in block.rows]
    assert responses[0] == "D1 Keep Sam in the same class\nD2 A quiet room at lunch"
    assert responses[1] == "No decision answers this yet."
    assert responses[2] == "D2 A quiet room at lunch"


def test_the_annual_review_report_and_the_general_minutes_carry_the_table():
    m = minutes()
    section = reports.ehcp_review_report(m).section("child_views")
    assert not section.flag and section.blocks[0].headings == reports.VIEWS_HEADINGS
    first = reports.plan_sections(m)[0]
    assert first.key == "views_responses" and first.blocks[0].rows[1][1] == "No decision answers this yet."


def test_with_no_views_the_report_flags_them_and_the_minutes_add_no_table():
    m = build(record(details={"child_views": None}))
    assert reports.views_and_responses(m) is None
    assert reports.ehcp_review_report(m).section("child_views").flag
    assert "views_responses" not in [s.key for s in reports.plan_sections(m)]


def test_stored_minutes_read_back_with_the_views_and_what_answers_them():
    m = minutes()
    again = type(m).from_dict(m.to_dict())
    assert again.child_voice == m.child_voice and again.decisions[1].answers_recorded_views


# ---------------------------------------------------------------- US prior written notice: safeguards and consent


def test_the_notice_flags_safeguards_and_consent_until_recorded_then_shows_them():
    from datetime import date

    import pytest

    from facilitation.domain.errors import InvalidValue

    iep = {**record().meeting, "meeting_type": "iep_meeting"}
    gaps = reports.prior_written_notices(build(record(meeting=iep))).gaps
    assert "Prior written notice: that the procedural safeguards were offered to the parent is not recorded." in gaps
    assert "Prior written notice: the parent's consent (given, refused or not needed) is not recorded." in gaps
    done = {**iep, "safeguards": {"offered_on": "2027-03-01", "how": "email", "consent": "refused", "consent_on": "2027-03-02"}}
    notice = reports.prior_written_notices(build(record(meeting=done)))
    section = next(s for s in notice.sections if s.key == "safeguards_record")
    assert section.flag is None and section.blocks[0].rows == (
        ("Procedural safeguards offered", "1 Mar 2027: Sent by e-mail"),
        ("Parent's consent", "Consent refused, 2 Mar 2027"),
    )
    assert not [g for g in notice.gaps if "safeguards" in g or "consent" in g]
    today = date(2027, 3, 5)
    reports.check_safeguards("iep_meeting", date(2027, 3, 1), "post", "not_needed", None, today)
    for args, field in (
        (("ehcp_annual_review", date(2027, 3, 1), "post", "not_needed", None), "meeting_type"),
        (("iep_meeting", date(2027, 3, 9), "post", "not_needed", None), "offered_on"),
        (("iep_meeting", date(2027, 3, 1), "post", "given", None), "consent_on"),
        (("iep_meeting", date(2027, 3, 1), "post", "not_needed", date(2027, 3, 1)), "consent_on"),
        (("iep_meeting", date(2027, 3, 1), "carrier", "given", date(2027, 3, 1)), "how"),
    ):
        with pytest.raises(InvalidValue) as e:
            reports.check_safeguards(*args, today)
        assert e.value.field == field
