"""A meeting with a full record, made through the JSON API as people would make it, for minutes tests.

Names and text include what breaks careless exports: markup, spreadsheet formulas, accents and
non-Latin scripts, line breaks, pipes and Markdown punctuation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.conftest import local_today

QUEUE_QUESTION = "Can the taxi | wait <b>until 4pm</b>?"
QUEUE_COMMENT = "Sam's SALT sessions started in January."
TRICKY_WHAT = '=HYPERLINK("http://evil.example","click") <script>alert(1)</script> | *not bold* [x](y)'


@dataclass
class RichMeeting:
    id: int
    chair: str
    screen: str
    participants: dict[str, str] = field(default_factory=dict)  # name -> token
    participant_ids: dict[str, int] = field(default_factory=dict)
    snapshot: dict = field(default_factory=dict)


def day(n: int) -> str:
    return (local_today() + timedelta(days=n)).isoformat()


def make_rich_meeting(client, make_meeting, *, end: bool = True) -> RichMeeting:
    """Chair, three participants, a run agenda, decisions, actions (participants and named outsiders), disagreements."""
    m = make_meeting(title="Annual review <AB> & family", child_ref="AB-1")
    rich = RichMeeting(m["id"], m["chair"], m["screen"])

    def cmd(command, token=None, **args):
        r = client.post(f"/api/v1/meetings/{rich.id}/commands/{command}", json=args, headers={"Authorization": f"Bearer {token or rich.chair}"})
        assert r.status_code == 200, (command, r.get_json())
        return r.get_json()

    for name, role, agency, agency_name in (
        ("Sam Parent", "parent", "family", None),
        ("Dr Eve Psych", "educational_psychologist", "ep_service", None),
        ("Zoë Łukasiewicz-Ахмед", "salt", "health", "Northshire SALT service"),
    ):
        result = cmd("participants.add", name=name, role=role, agency=agency, agency_name=agency_name)
        rich.participants[name] = result["join_path"].rsplit("/", 1)[1]
        rich.participant_ids[name] = result["participant_id"]
    ids = rich.participant_ids
    cmd("attendance.set", participant_id=ids["Sam Parent"], attendance="in_room")
    cmd("attendance.set", participant_id=ids["Dr Eve Psych"], attendance="remote", arrived_late=True)
    cmd("attendance.set", participant_id=ids["Zoë Łukasiewicz-Ахмед"], attendance="apologies")

    cmd("clock.start_meeting")
    cmd("clock.next_item")
    d1 = cmd("disagreements.record", topic="Hours of 1:1 support in section F", positions=[
        {"participant_id": ids["Sam Parent"], "view": "He needs 25 hours *at least*.\nHe cannot cope at lunch.", "evidence": "EP report, 3 Feb"},
        {"party_name": "Northshire SEND panel", "agency": "Northshire LA", "view": "15 hours is enough", "evidence": None},
    ])["disagreement_id"]
    cmd("decisions.record", text="Maintain the EHCP; amend section F", reasons="Progress is slower than planned <b>see EP</b>",
        evidence="EP report, 3 Feb", options_considered="Cease the plan: rejected", status="agreed_with_dissent",
        dissenter_ids=[ids["Sam Parent"]], disagreement_id=d1, review_date=day(90))
    rich.actions = [
        cmd("actions.record", what="Write the SALT programme for home and school", owner_participant_id=ids["Zoë Łukasiewicz-Ахмед"],
            due_date=day(14), follow_up_date=day(28), need="Communication and interaction: outcome 2")["action_id"],
        cmd("actions.record", what=TRICKY_WHAT, owner_name="J. Patel", owner_agency="+44 Speech & language therapy service",
            due_date=day(21), follow_up_date=day(35), need="-5 sessions @school")["action_id"],
        cmd("actions.record", what="Share the EP report with the family\nin plain words", owner_participant_id=ids["Dr Eve Psych"],
            due_date=day(7), follow_up_date=day(10))["action_id"],
    ]
    cmd("actions.confirm", token=rich.participants["Dr Eve Psych"], action_id=rich.actions[2])
    cmd("disagreements.update", disagreement_id=d1, version=1, next_step="mediation",
        next_step_owner_name="K. Obi (LA SEND officer)", next_step_agency="Northshire LA", follow_up_date=day(42))
    parent, psych = rich.participants["Sam Parent"], rich.participants["Dr Eve Psych"]
    asked = cmd("queue.ask", token=parent, kind="question", text=QUEUE_QUESTION)["request_id"]
    cmd("queue.answer", request_id=asked)
    cmd("queue.ask", token=psych, kind="comment", text=QUEUE_COMMENT)
    taken_back = cmd("queue.ask", token=parent, kind="question", text="Withdrawn before it was read")["request_id"]
    cmd("queue.withdraw", token=parent, request_id=taken_back)
    cmd("queue.answer", request_id=cmd("queue.raise_hand", token=parent)["request_id"])
    cmd("queue.ask_break", token=psych)
    cmd("clock.next_item")
    d2 = cmd("disagreements.record", topic="Transport to school", positions=[{"participant_id": ids["Sam Parent"], "view": "A taxi is needed"}])["disagreement_id"]
    cmd("disagreements.update", disagreement_id=d2, version=1, next_step="follow_up_meeting",
        next_step_owner_participant_id=ids["Dr Eve Psych"], follow_up_date=day(30))
    cmd("decisions.record", text="Review the timetable with the family", status="deferred")
    cmd("minutes.update_details", version=1, child_views="I like Lego.\nI don't like the noisy hall.",
        family_views="We want weekly SALT <b>in school</b>.", next_review_date=day(180), recommendation="amend")
    if end:
        cmd("clock.end_meeting")
    rich.snapshot = client.get(f"/api/v1/meetings/{rich.id}", headers={"Authorization": f"Bearer {rich.chair}"}).get_json()
    rich.cmd = cmd
    return rich


def owners_and_dates(snapshot: dict) -> tuple[set[str], set[date]]:
    """Every owner (of an action or a disagreement's next step) and every due and follow-up date in the record."""
    people = {p["id"]: p["name"] for p in snapshot["participants"]}
    owners, dates = set(), set()
    for a in snapshot["actions"]:
        owners.add(people[a["owner_participant_id"]] if a["owner_participant_id"] else a["owner_name"])
        dates |= {date.fromisoformat(a["due_date"]), date.fromisoformat(a["follow_up_date"])}
    for g in snapshot["disagreements"]:
        if g["next_step"]:
            owners.add(people[g["next_step_owner_participant_id"]] if g["next_step_owner_participant_id"] else g["next_step_owner_name"])
            dates.add(date.fromisoformat(g["follow_up_date"]))
    return owners, dates


def uk(d: date) -> str:
    return f"{d.day} {d:%b %Y}"
