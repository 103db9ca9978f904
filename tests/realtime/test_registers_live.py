"""The record written live: decisions, actions and disagreements reach everyone, conflicts are caught."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import events_of, local_today


def cmd(sc, name, cid=None, **args):
    payload = {"name": name, "args": args}
    if cid:
        payload["id"] = cid
    return sc.emit("command", payload, callback=True)


def soon(days):
    return (local_today() + timedelta(days=days)).isoformat()


def people(sc):
    snap = sc.emit("sync", {}, callback=True)["snapshot"]
    return {p["role"]: p for p in snap["participants"]}, snap


def test_a_decision_action_and_disagreement_reach_every_screen(meeting, sockets):
    chair, screen = sockets(meeting["chair"]), sockets(meeting["screen"])
    parent = sockets(meeting["participants"][0])
    who, _ = people(chair)
    cmd(chair, "clock.start_meeting")
    for sc in (chair, screen, parent):
        sc.get_received()

    d = cmd(chair, "decisions.record", text="Increase SALT to weekly sessions", reasons="Slow progress on outcome 2",
            evidence="SALT report, 3 Feb", options_considered="Fortnightly: rejected, too little practice")
    a = cmd(chair, "actions.record", what="Deliver weekly SALT sessions", owner_participant_id=who["educational_psychologist"]["id"],
            due_date=soon(14), follow_up_date=soon(28), need="Communication and interaction: outcome 2")
    g = cmd(chair, "disagreements.record", topic="Placement for Year 7",
            positions=[{"participant_id": who["parent"]["id"], "view": "A specialist setting", "evidence": "EP report"}])
    assert d["ok"] and a["ok"] and g["ok"], (d, a, g)

    for sc in (chair, screen, parent):
        events = events_of(sc)
        assert [e["type"] for e in events] == ["decisions.record", "actions.record", "disagreements.record"]
        assert events[0]["data"]["decisions"][0]["text"] == "Increase SALT to weekly sessions"
        action = events[1]["data"]["actions"][0]
        assert action["owner_agency"] == "Educational psychology service"
        assert action["follow_up_date"] == soon(28)
        assert events[2]["data"]["disagreements"][0]["positions"][0]["view"] == "A specialist setting"
    # Entries are filed under the item the meeting is on.
    snap = chair.emit("sync", {}, callback=True)["snapshot"]
    current = snap["meeting"]["current_item_id"]
    assert {x["agenda_item_id"] for k in ("decisions", "actions", "disagreements") for x in snap[k]} == {current}


def test_two_editors_from_the_same_version_one_wins_the_other_sees_the_current_value(meeting, sockets):
    chair1, chair2 = sockets(meeting["chair"]), sockets(meeting["chair"])
    d = cmd(chair1, "decisions.record", text="Maintain the plan")
    first = cmd(chair1, "decisions.update", decision_id=d["decision_id"], version=1, text="Amend the plan: section F")
    second = cmd(chair2, "decisions.update", decision_id=d["decision_id"], version=1, text="Cease the plan")
    assert first["ok"] is True
    assert second["ok"] is False and second["error"]["code"] == "conflict"
    assert second["error"]["current"]["text"] == "Amend the plan: section F"
    snap = chair2.emit("sync", {}, callback=True)["snapshot"]
    assert [x["text"] for x in snap["decisions"]] == ["Amend the plan: section F"]


def test_two_people_adding_at_the_same_moment_both_are_kept(meeting, sockets):
    chair = sockets(meeting["chair"])
    parent, ep = (sockets(t) for t in meeting["participants"])
    g = cmd(chair, "disagreements.record", topic="Hours of 1:1 support")
    a = cmd(parent, "positions.add", disagreement_id=g["disagreement_id"], view="Full-time 1:1 is needed")
    b = cmd(ep, "positions.add", disagreement_id=g["disagreement_id"], view="Small-group support meets the need")
    assert a["ok"] and b["ok"]
    snap = chair.emit("sync", {}, callback=True)["snapshot"]
    views = [p["view"] for p in snap["disagreements"][0]["positions"]]
    assert views == ["Full-time 1:1 is needed", "Small-group support meets the need"]


def test_a_participant_adds_their_own_position_and_the_chair_sees_it_arrive(meeting, sockets):
    chair, parent = sockets(meeting["chair"]), sockets(meeting["participants"][0])
    who, _ = people(chair)
    g = cmd(chair, "disagreements.record", topic="Transport")
    chair.get_received()
    ack = cmd(parent, "positions.add", disagreement_id=g["disagreement_id"], view="Door-to-door transport", evidence="OT letter")
    assert ack["ok"]
    [event] = events_of(chair)
    position = event["data"]["disagreements"][0]["positions"][0]
    assert position["participant_id"] == who["parent"]["id"] and position["agency"] == "Family"
    # ...but not for someone else, and not someone else's position.
    other = cmd(parent, "positions.add", disagreement_id=g["disagreement_id"], participant_id=who["educational_psychologist"]["id"], view="x")
    assert other["error"]["code"] == "forbidden"
    ep = sockets(meeting["participants"][1])
    assert cmd(ep, "positions.update", position_id=ack["position_id"], version=1, view="changed")["error"]["code"] == "forbidden"
    fixed = cmd(parent, "positions.update", position_id=ack["position_id"], version=1, view="Door-to-door transport, with an escort")
    assert fixed["ok"]


def test_an_owner_confirms_their_action_from_their_own_screen(meeting, sockets):
    chair, parent, ep = sockets(meeting["chair"]), *(sockets(t) for t in meeting["participants"])
    who, _ = people(chair)
    a = cmd(chair, "actions.record", what="Share the home-school diary weekly", owner_participant_id=who["parent"]["id"],
            due_date=soon(7), follow_up_date=soon(21))
    assert cmd(ep, "actions.confirm", action_id=a["action_id"])["error"]["code"] == "forbidden"
    assert cmd(chair, "actions.confirm", action_id=a["action_id"])["error"]["code"] == "forbidden"
    chair.get_received()
    assert cmd(parent, "actions.confirm", action_id=a["action_id"])["ok"]
    [event] = events_of(chair)
    assert event["data"]["actions"][0]["confirmed_at"]


def test_deleting_an_entry_keeps_it_in_the_audit_trail_and_every_change_is_recorded(meeting, sockets, app):
    from facilitation import queries

    chair = sockets(meeting["chair"])
    a = cmd(chair, "actions.record", what="Refer to OT", owner_name="Northshire OT duty desk", owner_agency="NHS OT",
            due_date=soon(10), follow_up_date=soon(20))
    cmd(chair, "actions.update", action_id=a["action_id"], version=1, due_date=soon(12))
    cmd(chair, "actions.delete", action_id=a["action_id"], version=2)
    snap = chair.emit("sync", {}, callback=True)["snapshot"]
    assert snap["actions"] == []
    with app.app_context():
        trail = queries.audit_history(meeting["id"], "action", a["action_id"])
    assert [t["action"] for t in trail] == ["actions.record", "actions.update", "actions.delete"]
    assert trail[1]["before"]["due_date"] == soon(10) and trail[1]["after"]["due_date"] == soon(12)
    assert trail[2]["before"]["what"] == "Refer to OT" and trail[2]["after"] is None
    assert all(t["actor"] == "Chair" and t["at"] for t in trail)


def test_dates_are_checked_with_a_message_saying_what_is_wrong(meeting, sockets):
    chair = sockets(meeting["chair"])
    base = {"what": "Observe in class", "owner_name": "Dr R. Evans", "owner_agency": "EP service"}
    past = cmd(chair, "actions.record", **base, due_date=soon(-1), follow_up_date=soon(5))
    assert past["error"]["fields"]["due_date"].endswith("is in the past.")
    before_meeting = cmd(chair, "actions.record", **base, due_date=soon(0), follow_up_date=soon(-3))
    assert "before the meeting" in before_meeting["error"]["fields"]["follow_up_date"]
    malformed = cmd(chair, "actions.record", **base, due_date="14/03/2027", follow_up_date=soon(5))
    assert malformed["error"]["fields"]["due_date"] == "Must be a date like 2026-03-14."
    unreal = cmd(chair, "actions.record", **base, due_date="2027-02-30", follow_up_date=soon(5))
    assert unreal["error"]["fields"]["due_date"] == "2027-02-30 is not a real date."
    snap = chair.emit("sync", {}, callback=True)["snapshot"]
    assert snap["actions"] == []


def test_an_unresolved_disagreement_needs_an_owner_and_follow_up_for_its_next_step(meeting, sockets):
    chair = sockets(meeting["chair"])
    who, _ = people(chair)
    g = cmd(chair, "disagreements.record", topic="Section F provision")
    missing = cmd(chair, "disagreements.update", disagreement_id=g["disagreement_id"], version=1, next_step="mediation")
    assert "who follows up" in missing["error"]["message"]
    ok = cmd(chair, "disagreements.update", disagreement_id=g["disagreement_id"], version=1, next_step="mediation",
             next_step_owner_participant_id=who["parent"]["id"], follow_up_date=soon(30))
    assert ok["ok"]
    snap = chair.emit("sync", {}, callback=True)["snapshot"]
    [d] = snap["disagreements"]
    assert d["next_step_rung"] == 5 and d["next_step_agency"] == "Family" and d["follow_up_date"] == soon(30)


def test_attendance_is_recorded_and_shown(meeting, sockets):
    chair, screen = sockets(meeting["chair"]), sockets(meeting["screen"])
    who, _ = people(chair)
    screen.get_received()
    ack = cmd(chair, "attendance.set", participant_id=who["parent"]["id"], attendance="remote", arrived_late=True)
    assert ack["ok"]
    bad = cmd(chair, "attendance.set", participant_id=who["parent"]["id"], attendance="apologies", left_early=True)
    assert bad["error"]["code"] == "invalid"
    [event] = events_of(screen)
    assert event["data"]["participants"][0]["attendance_label"] == "Joined remotely"


def test_a_reconnecting_client_gets_the_register_events_it_missed(meeting, sockets):
    chair, parent = sockets(meeting["chair"]), sockets(meeting["participants"][0])
    seen = parent.emit("sync", {}, callback=True)["snapshot"]["seq"]
    parent.disconnect()
    cmd(chair, "decisions.record", text="Maintain the EHC plan")
    cmd(chair, "actions.record", what="Send the review report", owner_name="Ms A. Okafor", owner_agency="Hillside Primary",
        due_date=soon(14), follow_up_date=soon(14))
    back = sockets(meeting["participants"][0])
    reply = back.emit("sync", {"last_seq": seen}, callback=True)
    assert [e["type"] for e in reply["events"]] == ["decisions.record", "actions.record"]
    assert reply["events"][1]["data"]["actions"][0]["what"] == "Send the review report"
