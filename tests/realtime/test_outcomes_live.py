"""The plan's outcomes in the live room: entered or pasted, carried from the last review, progress recorded
against each, the sections to amend and the preparation-for-adulthood agenda items; who may do what, bad
input and forged ids refused with nothing changed, confidential outcomes kept from participants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import events_of


def cmd(sc, name, **args):
    return sc.emit("command", {"name": name, "args": args}, callback=True)


def snap(sc):
    return sc.emit("sync", {}, callback=True)["snapshot"]


def test_outcomes_pasted_one_per_line_reach_every_screen_in_the_plan_s_order(meeting, sockets):
    chair, parent, screen = sockets(meeting["chair"]), sockets(meeting["participants"][0]), sockets(meeting["screen"])
    for sc in (chair, parent, screen):
        sc.get_received()
    ack = cmd(
        chair,
        "outcomes.add",
        text="1. Sam will read a short book aloud\n\n2. Sam will travel to school with a buddy\n- Sam will join a club",
    )
    assert ack["ok"] and len(ack["outcome_ids"]) == 3, ack
    for sc in (chair, parent, screen):
        (event,) = events_of(sc)
        assert event["type"] == "outcomes.add"
        assert [o["text"] for o in event["data"]["outcomes"]] == [
            "Sam will read a short book aloud",
            "Sam will travel to school with a buddy",
            "Sam will join a club",
        ]
    assert [o["position"] for o in snap(parent)["outcomes"]] == [1, 2, 3]


def test_progress_is_recorded_against_an_outcome_and_participants_read_it(meeting, sockets):
    chair, parent = sockets(meeting["chair"]), sockets(meeting["participants"][0])
    (oid,) = cmd(chair, "outcomes.add", text="Sam will read a short book aloud")["outcome_ids"]
    parent.get_received()
    ack = cmd(
        chair,
        "outcomes.update",
        outcome_id=oid,
        version=1,
        progress="Reads three pages a day",
        evidence="Reading log, spring term",
        still_appropriate="partly",
        proposed_change="Read a chapter book by July",
    )
    assert ack["ok"], ack
    (event,) = events_of(parent)
    o = event["data"]["outcomes"][0]
    assert (o["progress"], o["still_appropriate_label"], o["proposed_change"]) == (
        "Reads three pages a day",
        "Partly",
        "Read a chapter book by July",
    )
    # a stale edit gets a conflict with the current words
    stale = cmd(chair, "outcomes.update", outcome_id=oid, version=1, progress="Something else")
    assert stale["error"]["code"] == "conflict" and stale["error"]["current"]["progress"] == "Reads three pages a day"


def test_bad_input_names_the_field_and_changes_nothing(meeting, sockets):
    chair = sockets(meeting["chair"])
    (oid,) = cmd(chair, "outcomes.add", text="Sam will read")["outcome_ids"]
    seq = snap(chair)["seq"]
    for args, field in (
        ({"text": "   \n  "}, "text"),
        ({"text": "ok", "area": "astronaut"}, "area"),
        ({"text": "x" * 2001}, "text"),
    ):
        ack = cmd(chair, "outcomes.add", **args)
        assert ack["ok"] is False and field in ack["error"]["fields"], (args, ack)
    bad = cmd(chair, "outcomes.update", outcome_id=oid, version=1, still_appropriate="maybe")
    assert bad["ok"] is False and "still_appropriate" in bad["error"]["fields"]
    bad = cmd(chair, "amendments.record", section="Z", wording="New wording")
    assert bad["ok"] is False and "section" in bad["error"]["fields"]
    bad = cmd(
        chair, "outcomes.set_adulthood", version=snap(chair)["meeting"]["version"], year_group=7, areas=["employment"]
    )
    assert bad["ok"] is False and bad["error"]["fields"] == {"areas": bad["error"]["fields"]["areas"]}
    assert snap(chair)["seq"] == seq and [o["text"] for o in snap(chair)["outcomes"]] == ["Sam will read"]


def test_an_outcome_of_another_meeting_is_not_found(meeting, make_meeting, sockets):
    other = make_meeting(child_ref="ZZ-9")
    theirs = cmd(sockets(other["chair"]), "outcomes.add", text="Another child's outcome")["outcome_ids"][0]
    chair = sockets(meeting["chair"])
    for name, args in (("outcomes.update", {"progress": "forged"}), ("outcomes.delete", {})):
        ack = cmd(chair, name, outcome_id=theirs, version=1, **args)
        assert ack["error"]["code"] == "not_found" and "outcome_id" in ack["error"]["fields"], ack
    assert snap(sockets(other["chair"]))["outcomes"][0]["progress"] is None


def test_participants_the_screen_and_observers_read_outcomes_but_cannot_write_them(meeting, sockets):
    chair, parent, screen = sockets(meeting["chair"]), sockets(meeting["participants"][0]), sockets(meeting["screen"])
    (oid,) = cmd(chair, "outcomes.add", text="Sam will read")["outcome_ids"]
    for sc in (parent, screen):
        for name, args in (
            ("outcomes.add", {"text": "Mine"}),
            ("outcomes.update", {"outcome_id": oid, "version": 1, "progress": "Mine"}),
            ("outcomes.carry_forward", {}),
            ("amendments.record", {"section": "F", "wording": "More"}),
            (
                "reports.record_sent",
                {"report": "report", "recipient": "LA", "recipient_kind": "local_authority", "sent_on": "2027-01-01"},
            ),
        ):
            assert cmd(sc, name, **args)["error"]["code"] == "forbidden", (name, sc)
    assert snap(parent)["outcomes"][0]["version"] == 1


def test_a_confidential_outcome_reaches_the_chair_only(meeting, sockets):
    chair, parent = sockets(meeting["chair"]), sockets(meeting["participants"][0])
    parent.get_received()
    (oid,) = cmd(chair, "outcomes.add", text="Manage anxiety about medical appointments", confidential=True)[
        "outcome_ids"
    ]
    (event,) = events_of(parent)
    assert event["data"].get("outcomes", []) == [] and event["data"]["removed_outcomes"] == [oid]
    assert snap(parent)["outcomes"] == [] and snap(chair)["outcomes"][0]["confidential"] is True


def test_outcomes_are_carried_from_the_child_s_last_review_with_one_command(make_meeting, sockets):
    start = datetime.now(UTC).replace(microsecond=0)
    last_year = make_meeting(
        child_ref="AB-1",
        scheduled_start=(start - timedelta(days=365)).isoformat(),
        scheduled_end=(start - timedelta(days=365) + timedelta(hours=1)).isoformat(),
    )
    other_child = make_meeting(
        child_ref="CD-2",
        scheduled_start=(start - timedelta(days=30)).isoformat(),
        scheduled_end=(start - timedelta(days=30) + timedelta(hours=1)).isoformat(),
    )
    cmd(sockets(last_year["chair"]), "outcomes.add", text="Read a book\nCount to 100")
    cmd(sockets(other_child["chair"]), "outcomes.add", text="Another child's outcome")
    now = make_meeting(child_ref="ab-1")
    chair = sockets(now["chair"])
    cmd(chair, "outcomes.add", text="count to 100")
    ack = cmd(chair, "outcomes.carry_forward")
    assert ack["ok"] and ack["from_meeting_id"] == last_year["id"], ack
    outcomes = snap(chair)["outcomes"]
    assert [o["text"] for o in outcomes] == ["count to 100", "Read a book"]
    assert outcomes[1]["carried_from_id"] is not None and outcomes[1]["progress"] is None
    again = cmd(chair, "outcomes.carry_forward")
    assert again["ok"] is False and "outcomes" in again["error"]["fields"]
    first = make_meeting(child_ref="NEW-1")
    nothing = cmd(sockets(first["chair"]), "outcomes.carry_forward")
    assert nothing["error"]["code"] == "not_found"


def test_from_year_9_the_chosen_adulthood_areas_become_agenda_items_once(meeting, sockets):
    chair, parent = sockets(meeting["chair"]), sockets(meeting["participants"][0])
    before = len(snap(chair)["items"])
    version = snap(chair)["meeting"]["version"]
    ack = cmd(
        chair, "outcomes.set_adulthood", version=version, year_group=10, areas=["employment", "independent_living"]
    )
    assert ack["ok"] and len(ack["item_ids"]) == 2, ack
    items = snap(parent)["items"]
    assert len(items) == before + 2
    assert items[-2]["title"].startswith("Preparing for adulthood: employment")
    assert snap(parent)["meeting"]["year_group"] == 10
    again = cmd(
        chair,
        "outcomes.set_adulthood",
        version=version + 1,
        year_group=10,
        areas=["employment", "independent_living", "health"],
    )
    assert len(again["item_ids"]) == 1 and len(snap(chair)["items"]) == before + 3
    assert snap(chair)["meeting"]["adulthood_areas"] == ["employment", "independent_living", "health"]


def test_sections_to_amend_are_recorded_at_an_annual_review_and_refused_elsewhere(meeting, make_meeting, sockets):
    chair = sockets(meeting["chair"])
    ack = cmd(
        chair,
        "amendments.record",
        section="F",
        wording="Speech and language therapy: 1 hour a week",
        reason="SALT report",
    )
    assert ack["ok"], ack
    assert snap(sockets(meeting["participants"][0]))["amendments"][0]["section_label"].startswith(
        "F: special educational provision"
    )
    iep = make_meeting(meeting_type="iep_meeting")
    refused = cmd(sockets(iep["chair"]), "amendments.record", section="F", wording="x")
    assert refused["ok"] is False and "section" in refused["error"]["fields"]
    multi = make_meeting(meeting_type="multi_agency")
    refused = cmd(sockets(multi["chair"]), "outcomes.add", text="An outcome")
    assert refused["ok"] is False and refused["error"]["code"] == "not_allowed"
