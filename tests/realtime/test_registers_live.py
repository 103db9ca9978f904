"""The record written live: decisions, actions and disagreements reach everyone, conflicts are caught."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

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
    assert d["next_step_label"] == "Mediation (about a decision that can be appealed)"
    assert d["next_step_agency"] == "Family" and d["follow_up_date"] == soon(30)


def days_ago(days):
    return (local_today() - timedelta(days=days)).isoformat()


def test_a_route_with_a_clock_shows_its_deadline_and_warns_when_the_follow_up_is_after_it(meeting, sockets):
    chair, parent = sockets(meeting["chair"]), sockets(meeting["participants"][0])
    who, _ = people(chair)
    g = cmd(chair, "disagreements.record", topic="Section F: 25 hours of 1:1 support")
    letter = days_ago(20)
    ack = cmd(chair, "disagreements.update", disagreement_id=g["disagreement_id"], version=1, about="la_decision", next_step="appeal",
              route_dates={"decision_letter_date": letter}, next_step_owner_participant_id=who["parent"]["id"], follow_up_date=soon(60))
    assert ack["ok"], ack
    [d] = parent.emit("sync", {}, callback=True)["snapshot"]["disagreements"]  # the family sees it too
    assert d["about"] == "la_decision" and d["next_step_label"] == "Appeal to the First-tier Tribunal (SEND)"
    assert d["route_dates"] == {"decision_letter_date": letter}
    deadlines = {r["rule_id"]: r for r in d["route_deadlines"]}
    assert deadlines["ENG-APP-01"]["limit"] and deadlines["ENG-APP-01"]["verified"]
    assert deadlines["ENG-APP-01"]["date"] < soon(60)  # two months from a letter 20 days old is before 60 days from now
    assert d["follow_up_late"]["rule_id"] == "ENG-APP-01" and "Follow up before it" in d["follow_up_late"]["message"]
    assert d["route_missing"] == []
    # moving the follow-up before the deadline clears the warning; the letter's date is kept
    ack = cmd(chair, "disagreements.update", disagreement_id=g["disagreement_id"], version=2, follow_up_date=soon(7))
    assert ack["ok"], ack
    [d] = chair.emit("sync", {}, callback=True)["snapshot"]["disagreements"]
    assert d["follow_up_late"] is None and d["route_dates"] == {"decision_letter_date": letter}


def test_a_route_not_open_for_what_the_disagreement_is_about_is_refused_and_nothing_changes(meeting, sockets):
    chair = sockets(meeting["chair"])
    who, _ = people(chair)
    g = cmd(chair, "disagreements.record", topic="Hours of TA support in class")
    owner = {"next_step_owner_participant_id": who["parent"]["id"], "follow_up_date": soon(14)}
    cases = [
        ({"about": "provision", "next_step": "mediation"}, "next_step", "not open for a disagreement about the support at school"),
        ({"next_step": "due_process"}, "next_step", "not a route open in England"),
        ({"about": "evaluation", "next_step": "follow_up_meeting"}, "about", "not something a disagreement can be about in England"),
        ({"about": "la_decision", "next_step": "appeal", "route_dates": {"complaint_filed_date": days_ago(3)}}, "route_dates.complaint_filed_date", "does not take"),
        ({"about": "la_decision", "next_step": "appeal", "route_dates": {"letter": days_ago(3)}}, None, ""),
        ({"about": "la_decision", "next_step": "appeal", "route_dates": ["2026-01-01"]}, None, ""),
        ({"about": "la_decision", "next_step": "appeal", "route_dates": {"decision_letter_date": soon(3)}}, "route_dates.decision_letter_date", "in the future"),
        ({"about": "placement_only", "next_step": "appeal", "route_dates": {"certificate_date": days_ago(3)}}, "route_dates.certificate_date", "does not take"),
        ({"about": "la_decision", "next_step": "appeal", "route_dates": {"decision_letter_date": "2026-02-30"}}, None, ""),
    ]
    for args, field, message in cases:
        ack = cmd(chair, "disagreements.update", disagreement_id=g["disagreement_id"], version=1, **owner, **args)
        assert not ack.get("ok"), args
        assert message in ack["error"]["message"], (args, ack)
        if field:
            assert field in ack["error"].get("fields", {}), (args, ack)
    [d] = chair.emit("sync", {}, callback=True)["snapshot"]["disagreements"]
    assert d["version"] == 1 and d["next_step"] is None and d["about"] is None and d["route_dates"] == {}
    ok = cmd(chair, "disagreements.update", disagreement_id=g["disagreement_id"], version=1, about="provision", next_step="disagreement_resolution", **owner)
    assert ok["ok"], ok


def test_a_us_iep_meetings_disagreement_takes_us_routes_only(make_meeting, sockets):
    m = make_meeting(meeting_type="iep_meeting", title="IEP meeting")
    chair = sockets(m["chair"])
    g = cmd(chair, "disagreements.record", topic="Reading evaluation")
    refused = cmd(chair, "disagreements.update", disagreement_id=g["disagreement_id"], version=1, next_step="appeal",
                  next_step_owner_name="Ms Lee", next_step_agency="School district", follow_up_date=soon(10))
    assert refused["error"]["message"] == "That next step is not a route open in the US."
    ack = cmd(chair, "disagreements.update", disagreement_id=g["disagreement_id"], version=1, about="evaluation", next_step="due_process",
              route_dates={"complaint_received_date": days_ago(2)}, next_step_owner_name="Ms Lee", next_step_agency="School district",
              follow_up_date=soon(20))
    assert ack["ok"], ack
    [d] = chair.emit("sync", {}, callback=True)["snapshot"]["disagreements"]
    assert d["next_step_label"] == "Due process complaint, with its resolution meeting"
    assert [r["rule_id"] for r in d["route_deadlines"]] == ["US-DP-03", "US-DP-04", "US-DP-06"]
    assert d["follow_up_late"]["rule_id"] == "US-DP-03"  # the resolution meeting is due 15 days after the complaint
    text = " ".join(str(v) for v in d.values())
    assert "Tribunal" not in text and "certificate" not in text


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


# ---------------------------------------------------------------- edits, deletes, confirmations and attendance reach the others

#: per register: the id argument, what to record, what the edit changes
ENTRIES = {
    "decisions": ("decision_id", lambda: {"text": "Maintain the EHC plan"}, {"text": "Amend section F: weekly SALT"}),
    "actions": (
        "action_id",
        lambda: {"what": "Refer to OT", "owner_name": "Northshire OT duty desk", "owner_agency": "NHS OT",
                 "due_date": soon(10), "follow_up_date": soon(20)},
        {"what": "Refer to OT for a sensory assessment"},
    ),
    "disagreements": ("disagreement_id", lambda: {"topic": "Placement for Year 7"}, {"topic": "Placement and transport for Year 7"}),
}


@pytest.mark.parametrize("register", list(ENTRIES))
def test_an_edit_and_a_delete_by_the_chair_reach_the_participants_and_the_screen_with_the_next_seq(meeting, sockets, register):
    key, record_args, edit = ENTRIES[register]
    chair, screen = sockets(meeting["chair"]), sockets(meeting["screen"])
    others = (screen, *(sockets(t) for t in meeting["participants"]))
    made = cmd(chair, f"{register}.record", **record_args())
    assert made["ok"], made
    entry_id = made[key]
    for sc in others:
        sc.get_received()

    edited = cmd(chair, f"{register}.update", **{key: entry_id}, version=1, **edit)
    assert edited["ok"] and edited["seq"] == made["seq"] + 1, edited
    [(field, text)] = edit.items()
    for sc in others:
        [event] = events_of(sc)
        assert (event["type"], event["seq"]) == (f"{register}.update", edited["seq"])
        [entry] = event["data"][register]
        assert (entry["id"], entry[field], entry["version"]) == (entry_id, text, 2)

    deleted = cmd(chair, f"{register}.delete", **{key: entry_id}, version=2)
    assert deleted["ok"] and deleted["seq"] == edited["seq"] + 1, deleted
    for sc in others:
        [event] = events_of(sc)
        assert (event["type"], event["seq"]) == (f"{register}.delete", deleted["seq"])
        assert event["data"][f"removed_{register}"] == [entry_id]
        assert sc.emit("sync", {}, callback=True)["snapshot"][register] == []


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_an_owner_confirming_their_action_is_in_the_audit_trail_and_reaches_the_others(meeting, sockets, app):
    from facilitation import queries

    chair, screen, parent = sockets(meeting["chair"]), sockets(meeting["screen"]), sockets(meeting["participants"][0])
    who, _ = people(chair)
    a = cmd(chair, "actions.record", what="Share the home-school diary weekly", owner_participant_id=who["parent"]["id"],
            due_date=soon(7), follow_up_date=soon(21))
    for sc in (chair, screen):
        sc.get_received()

    started = datetime.now(UTC) - timedelta(seconds=1)
    ack = cmd(parent, "actions.confirm", action_id=a["action_id"])
    assert ack["ok"] and ack["seq"] == a["seq"] + 1, ack
    for sc in (chair, screen):
        [event] = events_of(sc)
        assert (event["type"], event["seq"]) == ("actions.confirm", ack["seq"])
        confirmed_at = event["data"]["actions"][0]["confirmed_at"]
        assert started <= parse_time(confirmed_at) <= datetime.now(UTC)

    with app.app_context():
        trail = queries.audit_history(meeting["id"], "action", a["action_id"])
    assert [t["action"] for t in trail] == ["actions.record", "actions.confirm"]
    confirm = trail[1]
    assert confirm["actor"] == "Sam Parent (participant)"
    assert started <= parse_time(confirm["at"]) <= datetime.now(UTC)
    assert confirm["before"]["confirmed_at"] is None and confirm["before"]["version"] == 1
    assert confirm["after"]["confirmed_at"] == confirmed_at and confirm["after"]["version"] == 2
    assert confirm["before"]["what"] == confirm["after"]["what"] == "Share the home-school diary weekly"

    # Confirming again changes nothing and adds nothing to the trail.
    assert cmd(parent, "actions.confirm", action_id=a["action_id"])["ok"]
    with app.app_context():
        assert len(queries.audit_history(meeting["id"], "action", a["action_id"])) == 2


def test_a_participant_recorded_as_leaving_early_is_shown_so_to_everyone_else(meeting, sockets):
    chair, screen = sockets(meeting["chair"]), sockets(meeting["screen"])
    parent, ep = (sockets(t) for t in meeting["participants"])
    who, _ = people(chair)
    eve = who["educational_psychologist"]["id"]
    arrived = cmd(chair, "attendance.set", participant_id=eve, attendance="in_room")
    assert arrived["ok"], arrived
    for sc in (screen, parent, ep):
        sc.get_received()

    ack = cmd(chair, "attendance.set", participant_id=eve, attendance="in_room", left_early=True)
    assert ack["ok"] and ack["seq"] == arrived["seq"] + 1, ack
    for sc in (screen, parent, ep):
        [event] = events_of(sc)
        assert (event["type"], event["seq"]) == ("attendance.set", ack["seq"])
        [shown] = event["data"]["participants"]
        assert shown["id"] == eve and shown["name"] == "Dr Eve Psych"
        assert shown["attendance_label"] == "Present in the room"
        assert shown["left_early"] is True and shown["arrived_late"] is False
    # Someone who opens the page afterwards sees it too.
    late = sockets(meeting["participants"][0])
    snap = late.emit("sync", {}, callback=True)["snapshot"]
    assert next(p for p in snap["participants"] if p["id"] == eve)["left_early"] is True


def test_a_decision_agreed_with_dissent_shows_who_dissents_and_its_disagreement(meeting, sockets):
    chair, screen = sockets(meeting["chair"]), sockets(meeting["screen"])
    who, _ = people(chair)
    g = cmd(chair, "disagreements.record", topic="Hours of 1:1 support")
    screen.get_received()
    d = cmd(chair, "decisions.record", text="15 hours of 1:1 support", status="agreed_with_dissent",
            dissenter_ids=[who["parent"]["id"]], disagreement_id=g["disagreement_id"])
    assert d["ok"], d
    [event] = events_of(screen)
    [shown] = event["data"]["decisions"]
    assert shown["status_label"] == "Agreed with dissent"
    assert shown["dissenter_ids"] == [who["parent"]["id"]] and shown["disagreement_id"] == g["disagreement_id"]
    nobody = cmd(chair, "decisions.record", text="Cease the plan", status="agreed_with_dissent", dissenter_ids=[])
    assert nobody["error"]["fields"] == {"dissenter_ids": "Name who dissents from this decision."}
    assert events_of(screen) == []


def test_a_position_belongs_to_a_participant_or_a_named_party_not_both(meeting, sockets):
    chair, screen = sockets(meeting["chair"]), sockets(meeting["screen"])
    who, _ = people(chair)
    g = cmd(chair, "disagreements.record", topic="Section F provision")
    screen.get_received()
    both = cmd(chair, "positions.add", disagreement_id=g["disagreement_id"], participant_id=who["parent"]["id"],
               party_name="Northshire SEND panel", view="x")
    assert both["error"]["fields"] == {"party_name": "Give either a participant or a name, not both."}
    nobody = cmd(chair, "positions.add", disagreement_id=g["disagreement_id"], view="x")
    assert nobody["error"]["fields"] == {"participant_id": "Say whose position this is: a participant or a named party."}
    no_agency = cmd(chair, "positions.add", disagreement_id=g["disagreement_id"], party_name="Northshire SEND panel", view="x")
    assert no_agency["error"]["fields"] == {"agency": "Say which agency this party speaks for."}
    assert events_of(screen) == []
    ok = cmd(chair, "positions.add", disagreement_id=g["disagreement_id"], party_name="Northshire SEND panel",
             agency="Northshire LA", view="15 hours meets the need", evidence="Panel minutes, 2 Feb")
    assert ok["ok"], ok
    [event] = events_of(screen)
    [position] = event["data"]["disagreements"][0]["positions"]
    assert (position["party_name"], position["agency"], position["participant_id"]) == ("Northshire SEND panel", "Northshire LA", None)


def test_a_resolved_disagreement_keeps_when_it_was_resolved_and_takes_a_reflective_review(meeting, sockets, client):
    chair, parent = sockets(meeting["chair"]), sockets(meeting["participants"][0])
    g = cmd(chair, "disagreements.record", topic="Taxi to school")["disagreement_id"]
    refused = cmd(chair, "disagreements.reflect", disagreement_id=g, version=1, reflection_date=soon(14))
    assert refused["error"]["message"] == "A reflective review is for a disagreement once it is resolved."
    assert cmd(chair, "disagreements.update", disagreement_id=g, version=1, resolved=True, resolution="The LA will fund it")["ok"]
    [d] = chair.emit("sync", {}, callback=True)["snapshot"]["disagreements"]
    assert d["resolved_at"] is not None and d["reflection"] == {"date": None, "what_worked": None, "do_differently": None, "recorded_at": None}
    bad = cmd(chair, "disagreements.reflect", disagreement_id=g, version=2, reflection_date="2000-01-01")
    assert "reflection_date" in bad["error"]["fields"]
    early = cmd(chair, "disagreements.reflect", disagreement_id=g, version=2, reflection_date=soon(14), what_worked="Talking early")
    assert "once it has been held" in early["error"]["message"]
    assert cmd(parent, "disagreements.reflect", disagreement_id=g, version=2, reflection_date=soon(14))["error"]["code"] == "forbidden"
    assert cmd(chair, "disagreements.reflect", disagreement_id=g, version=2, reflection_date=soon(14))["ok"]
    [d] = parent.emit("sync", {}, callback=True)["snapshot"]["disagreements"]
    assert d["reflection"]["date"] == soon(14) and d["reflection"]["recorded_at"] is None
    assert cmd(chair, "disagreements.reflect", disagreement_id=g, version=3, reflection_date=soon(0),
               what_worked="Hearing the family's reasons early", do_differently="Ask transport to the meeting")["ok"]
    [d] = chair.emit("sync", {}, callback=True)["snapshot"]["disagreements"]
    assert d["reflection"]["what_worked"] == "Hearing the family's reasons early" and d["reflection"]["recorded_at"] is not None
    # reopening it forgets when it was resolved
    assert cmd(chair, "disagreements.update", disagreement_id=g, version=4, resolved=False)["ok"]
    [d] = chair.emit("sync", {}, callback=True)["snapshot"]["disagreements"]
    assert d["resolved_at"] is None
    # the chair's overview counts disagreements by outcome, with the days the resolved ones took
    other = cmd(chair, "disagreements.record", topic="Homework")["disagreement_id"]
    assert cmd(chair, "disagreements.update", disagreement_id=other, version=1, resolved=True)["ok"]
    page = client.get(f"/actions/{meeting['chair']}/overview", query_string={"from": soon(-1), "to": soon(1)}).get_data(as_text=True)

    def row(key):
        part = page[page.index(f'data-key="{key}"'):]
        return part[: part.index("</tr>")]

    assert "<td>1</td>" in row("open_no_step")
    assert "<td>1</td><td>0</td><td>0</td>" in row("resolved_in_meeting")


def test_changing_the_meeting_type_shows_every_disagreement_s_routes_in_the_new_jurisdiction(meeting, sockets):
    chair, parent = sockets(meeting["chair"]), sockets(meeting["participants"][0])
    made = cmd(chair, "disagreements.record", topic="Hours of support")
    updated = cmd(chair, "disagreements.update", disagreement_id=made["disagreement_id"], version=1, about="la_decision",
                  next_step="mediation", next_step_owner_name="LA SEND officer", next_step_agency="Northshire SEND",
                  follow_up_date=soon(30))
    assert updated["ok"], updated
    before = parent.emit("sync", {}, callback=True)["snapshot"]["disagreements"][0]
    parent.get_received()
    assert cmd(chair, "meeting.update", version=1, meeting_type="iep_meeting")["ok"]
    (event,) = [e for e in events_of(parent) if e["type"] == "meeting.update"]
    (shown,) = event["data"]["disagreements"]
    assert shown["about_label"] is None and before["about_label"] is not None  # an English kind, not a US one
    assert shown == parent.emit("sync", {}, callback=True)["snapshot"]["disagreements"][0]  # as a fresh sync shows it
