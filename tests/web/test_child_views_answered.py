"""Decisions say which of the child's views they answer: only the meeting's answered child's views are
accepted (422 naming `answers_view_ids` otherwise, nothing changes); the decision shows what it answers."""

from __future__ import annotations

from sqlalchemy import func, select

from facilitation.extensions import db
from facilitation.models import Decision
from tests.web.test_evidence_pack import ask, pack_meeting  # noqa: F401 - pack_meeting is a fixture


def decisions(client, m) -> list[dict]:
    r = client.get(f"/api/v1/meetings/{m['id']}", headers={"Authorization": f"Bearer {m['chair']}"})
    assert r.status_code == 200
    return r.get_json()["decisions"]


def test_a_decision_answers_the_childs_views_from_the_pack_and_those_recorded(client, api, pack_meeting):  # noqa: F811
    m = pack_meeting()
    views = ask(api, m, who="parent", kind="child_views", what="Sam's views")
    assert api(m["parent"], m["id"], "evidence.answer", request_id=views, answer="I want to stay with my friends", how_gathered="conversation")[0] == 200
    status, body = api(m["chair"], m["id"], "decisions.record", text="Keep Sam in the same class", answers_view_ids=[views], answers_recorded_views=True)
    assert status == 200, body
    (d,) = decisions(client, m)
    assert d["answers_view_ids"] == [views] and d["answers_recorded_views"] is True
    status, body = api(m["chair"], m["id"], "decisions.update", decision_id=d["id"], version=d["version"], answers_view_ids=[], answers_recorded_views=False)
    assert status == 200, body
    (d,) = decisions(client, m)
    assert d["answers_view_ids"] == [] and d["answers_recorded_views"] is False


def test_views_not_answered_withdrawn_advice_or_another_meetings_are_refused_naming_the_field(app, client, api, pack_meeting):  # noqa: F811
    m = pack_meeting()
    other = pack_meeting()
    unanswered = ask(api, m, who="parent", kind="child_views", what="Sam's views")
    advice = ask(api, m, what="EP advice")
    assert api(m["ep"], m["id"], "evidence.answer", request_id=advice, answer="My advice")[0] == 200
    withdrawn = ask(api, m, who="parent", kind="child_views", what="Again")
    assert api(m["parent"], m["id"], "evidence.answer", request_id=withdrawn, answer="Quiet room")[0] == 200
    assert api(m["chair"], m["id"], "evidence.withdraw", request_id=withdrawn)[0] == 200
    elsewhere = ask(api, other, who="parent", kind="child_views", what="Their views")
    assert api(other["parent"], other["id"], "evidence.answer", request_id=elsewhere, answer="Hello")[0] == 200
    for bad in (unanswered, advice, withdrawn, elsewhere, 424242):
        status, body = api(m["chair"], m["id"], "decisions.record", text="Keep the plan", answers_view_ids=[bad])
        assert status == 422 and "answers_view_ids" in body["error"]["fields"], (bad, body)
    status, body = api(m["chair"], m["id"], "decisions.record", text="Keep the plan", answers_view_ids="not a list")
    assert status == 422 and "answers_view_ids" in body["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Decision).where(Decision.meeting_id == m["id"])) == 0


def test_only_the_chair_and_note_taker_may_say_what_a_decision_answers(client, api, pack_meeting):  # noqa: F811
    m = pack_meeting()
    views = ask(api, m, who="parent", kind="child_views", what="Sam's views")
    assert api(m["parent"], m["id"], "evidence.answer", request_id=views, answer="I like maths")[0] == 200
    status, body = api(m["parent"], m["id"], "decisions.record", text="Keep the plan", answers_view_ids=[views])
    assert status == 403, body
