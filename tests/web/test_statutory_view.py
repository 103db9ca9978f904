"""The action log's statutory view: the steps of the statutory timelines of a chair's meetings, missed, due in
7 days and due in 28, by child and by meeting, each linked to its meeting and its rule's source; a chair link
never shows the steps of another account's meetings."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from facilitation.extensions import db
from facilitation.models import Meeting
from tests.conftest import add_staff, local_today, meeting_payload

LONDON = ZoneInfo("Europe/London")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def held(app, meeting_id: int, days_from_today: int) -> None:
    """Schedule a meeting at noon, `days_from_today` from today (the API only takes future times)."""
    start = datetime.combine(local_today() + timedelta(days=days_from_today), time(12), LONDON)
    with app.app_context():
        m = db.session.get(Meeting, meeting_id)
        m.scheduled_start, m.scheduled_end = start, start + timedelta(hours=1)
        db.session.commit()


def timeline(client, m) -> list[dict]:
    r = client.get(f"/api/v1/meetings/{m['id']}/timeline", headers=bearer(m["chair"]))
    assert r.status_code == 200
    return r.get_json()["items"]


def group_of(step: dict, today: date) -> str | None:
    """Where the view should list a step."""
    day = date.fromisoformat(step["date"])
    if step["status"] == "overdue":
        return "missed"
    if step["status"] in ("met", "late", "done", "no_fixed_date"):
        return None
    if today <= day <= today + timedelta(days=7):
        return "soon"
    if today + timedelta(days=7) < day <= today + timedelta(days=28):
        return "within"
    return None


def rows_of(body: str) -> dict[str, set[tuple[int, str]]]:
    """(meeting id, rule id) of each row, per table of the page."""
    out = {}
    for key in ("missed", "soon", "within"):
        table = body[body.index(f'id="statutory-{key}"') :]
        table = table[: table.index("</table>")]
        out[key] = {(int(m), r) for m, r in re.findall(r'data-meeting-id="(\d+)" data-rule="([A-Z0-9-]+)"', table)}
    return out


@pytest.fixture
def meetings(app, client, make_meeting):
    """Two annual reviews of this account (children AB-1 and CD-2), a multi-agency meeting (no timeline), and
    another account's annual review of a child who shares the reference AB-1."""
    a1 = make_meeting(child_ref="AB-1", title="AB-1 annual review")
    a2 = make_meeting(child_ref="CD-2", title="CD-2 annual review")
    plain = make_meeting(child_ref="AB-1", meeting_type="multi_agency", title="Team around the family")
    held(app, a1["id"], -20)  # report (2 weeks) missed 6 days ago; the LA's decision (4 weeks) due in 8 days
    held(app, a2["id"], -10)  # report due in 4 days
    held(app, plain["id"], -5)
    other = add_staff(app, "other.senco@school.test", "Ms Other", "chair")
    r = client.post(
        "/api/v1/meetings",
        json=meeting_payload(child_ref="AB-1", title="Her review"),
        headers=bearer(other["api_token"]),
    )
    theirs = {"id": r.get_json()["meeting"]["id"], **r.get_json()["tokens"]}
    held(app, theirs["id"], -20)
    return {"a1": a1, "a2": a2, "plain": plain, "theirs": theirs}


def test_the_statutory_view_lists_missed_steps_and_those_due_in_7_and_28_days_with_links(client, meetings):
    a1, a2 = meetings["a1"], meetings["a2"]
    today = local_today()
    r = client.get(f"/actions/{a1['chair']}/statutory")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    rows = rows_of(body)
    assert (a1["id"], "ENG-AR-08") in rows["missed"]
    assert (a2["id"], "ENG-AR-08") in rows["soon"]
    assert (a1["id"], "ENG-AR-09") in rows["within"]
    expected = {"missed": set(), "soon": set(), "within": set()}
    for m in (a1, a2):
        for step in timeline(client, m):
            if (group := group_of(step, today)) is not None:
                expected[group].add((m["id"], step["rule_id"]))
    assert rows == expected
    assert "Latest dates the law allows, computed from the rules; this is not legal advice." in body
    # Each row links to its meeting in the log and to its rule's source.
    step = next(s for s in timeline(client, a1) if s["rule_id"] == "ENG-AR-08")
    row = body[body.index(f'data-meeting-id="{a1["id"]}" data-rule="ENG-AR-08"') :]
    row = row[: row.index("</tr>")]
    assert f'href="/actions/{a1["chair"]}/meetings/{a1["id"]}"' in row
    assert f'<a class="rule-link" href="{step["sources"][0]}"' in row
    assert step["who"] in row and step["title"] in row
    # the meeting's page in the log opens from that link
    assert client.get(f"/actions/{a1['chair']}/meetings/{a1['id']}").status_code == 200


def test_the_statutory_view_filters_by_child_and_by_meeting(client, meetings):
    a1, a2 = meetings["a1"], meetings["a2"]
    by_child = rows_of(
        client.get(f"/actions/{a1['chair']}/statutory", query_string={"child_ref": "cd-2"}).get_data(as_text=True)
    )
    assert {m for group in by_child.values() for m, _ in group} == {a2["id"]}
    by_meeting = rows_of(
        client.get(f"/actions/{a1['chair']}/statutory", query_string={"meeting": a1["id"]}).get_data(as_text=True)
    )
    assert {m for group in by_meeting.values() for m, _ in group} == {a1["id"]}
    both = rows_of(
        client.get(
            f"/actions/{a1['chair']}/statutory", query_string={"meeting": a1["id"], "child_ref": "CD-2"}
        ).get_data(as_text=True)
    )
    assert not any(both.values())


def test_a_chair_link_never_shows_another_accounts_meetings_or_steps(client, meetings):
    a1, theirs = meetings["a1"], meetings["theirs"]
    body = client.get(f"/actions/{a1['chair']}/statutory", query_string={"child_ref": "AB-1"}).get_data(as_text=True)
    seen = {m for group in rows_of(body).values() for m, _ in group}
    assert seen == {a1["id"]}  # the same child reference, another account's child: not listed
    assert "Her review" not in body and f'value="{theirs["id"]}"' not in body
    assert meetings["plain"]["id"] not in seen  # a meeting type without a timeline has no steps
    # Asking for her meeting by number is refused, naming the field, and shows nothing of hers.
    r = client.get(f"/actions/{a1['chair']}/statutory", query_string={"meeting": theirs["id"]})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert "meeting: No meeting with a statutory timeline in this log has that number." in body
    assert not any(rows_of(body).values())
    # Her own link shows her steps.
    hers = rows_of(client.get(f"/actions/{theirs['chair']}/statutory").get_data(as_text=True))
    assert {m for group in hers.values() for m, _ in group} == {theirs["id"]}


def test_bad_filters_are_refused_naming_the_field_and_only_chair_links_open_the_view(client, meetings, api_participant):
    chair = meetings["a1"]["chair"]
    r = client.get(f"/actions/{chair}/statutory", query_string={"meeting": "12abc"})
    assert r.status_code == 422 and "meeting: Must be a meeting&#39;s number." in r.get_data(as_text=True)
    r = client.get(f"/actions/{chair}/statutory", query_string={"child_ref": "x" * 41})
    assert r.status_code == 422 and "child_ref: Must be at most 40 characters." in r.get_data(as_text=True)
    assert client.get(f"/actions/{api_participant}/statutory").status_code == 404
    assert client.get(f"/actions/{meetings['a1']['screen']}/statutory").status_code == 404


@pytest.fixture
def api_participant(client, meetings):
    """A participant's link token of the first meeting."""
    m = meetings["a1"]
    r = client.post(
        f"/api/v1/meetings/{m['id']}/commands/participants.add",
        json={"name": "Sam Parent", "role": "parent", "agency": "family"},
        headers=bearer(m["chair"]),
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()["join_path"].rsplit("/", 1)[1]


def test_a_missed_step_recorded_as_done_late_leaves_the_missed_list(client, meetings, api):
    a1 = meetings["a1"]
    assert (a1["id"], "ENG-AR-08") in rows_of(client.get(f"/actions/{a1['chair']}/statutory").get_data(as_text=True))["missed"]
    status, body = api(a1["chair"], a1["id"], "statutory.record_done", rule_id="ENG-AR-08", done_on=local_today().isoformat())
    assert status == 200, body
    step = next(s for s in timeline(client, a1) if s["rule_id"] == "ENG-AR-08")
    assert step["status"] == "late"
    rows = rows_of(client.get(f"/actions/{a1['chair']}/statutory").get_data(as_text=True))
    assert all((a1["id"], "ENG-AR-08") not in found for found in rows.values())
