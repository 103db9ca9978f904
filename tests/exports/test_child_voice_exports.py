"""The annual review report and the general minutes, read back from every format, show each of the
child's views (their own words, how gathered) beside the decisions that answer them."""

from __future__ import annotations

import pytest

from tests.exports.test_statutory_reports import read
from tests.web.test_evidence_pack import ask, pack_meeting  # noqa: F401 - pack_meeting is a fixture


@pytest.fixture
def voiced(client, api, pack_meeting):  # noqa: F811
    m = pack_meeting()
    friends = ask(api, m, who="parent", kind="child_views", what="Sam's views")
    assert api(m["parent"], m["id"], "evidence.answer", request_id=friends, answer="I want to stay with my friends", how_gathered="drawing")[0] == 200
    loud = ask(api, m, who="parent", kind="child_views", what="More of Sam's views")
    assert api(m["parent"], m["id"], "evidence.answer", request_id=loud, answer="Loud rooms hurt my ears", how_gathered="conversation")[0] == 200
    assert api(m["chair"], m["id"], "decisions.record", text="Sam stays in the same class", answers_view_ids=[friends])[0] == 200
    assert api(m["chair"], m["id"], "decisions.record", text="A quiet room at lunch", answers_recorded_views=True)[0] == 200
    assert api(m["chair"], m["id"], "minutes.update_details", version=1, child_views="I like the garden.")[0] == 200
    return m


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx", "md"])
def test_the_report_and_the_minutes_show_each_view_beside_the_decisions_that_answer_it(client, voiced, fmt):
    for path in (f"report.{fmt}", fmt):
        r = client.get(f"/minutes/{voiced['chair']}/export/{path}")
        assert r.status_code == 200, (path, r.status_code)
        text = read(fmt, r.data)
        assert "What the child said" in text and "How the meeting responded" in text, path
        friends = text.index("I want to stay with my friends")
        assert "Through a drawing" in text[friends:friends + 120], path
        assert "Sam stays in the same class" in text[friends:friends + 250], path
        loud = text.index("Loud rooms hurt my ears")
        assert "No decision answers this yet" in text[loud:loud + 200], path
        garden = text.rindex("I like the garden.")  # the minutes also quote it in their views section
        assert "A quiet room at lunch" in text[garden:garden + 200], path
