"""The chair's cockpit: the current item, its countdown and quick capture on one laptop screen with no
scrolling; recording by keyboard alone; refusals shown at the field at fault; and focus that stays where
the chair put it while other people's changes arrive."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import local_today
from tests.realtime.conftest import Client

pytestmark = pytest.mark.browser

LAPTOPS = [(1366, 768), (1280, 720)]
NO_OWNER = "Say who owns this"

# Installed in the page: from now on, every animation frame checks that the countdown is wholly inside
# the viewport and that the page has not scrolled, and counts the frames where either was not so.
WATCH_THE_CLOCK = """() => {
  window.clockOutOfView = 0;
  window.frames_ = 0;
  const countdown = document.getElementById("countdown");
  const check = () => {
    const r = countdown.getBoundingClientRect();
    const inside = r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
    if (!inside || window.scrollY !== 0) window.clockOutOfView += 1;
    window.frames_ += 1;
    requestAnimationFrame(check);
  };
  check();
}"""


def open_chair(people, room, size, who="chair") -> Page:
    return people.open(f"{room.url}/chair/{room.chair}", who, viewport=size)


def start(page: Page, room) -> None:
    room.command("clock.start_meeting")
    expect(page.locator("#meeting-status")).to_have_attribute("data-status", "live")
    expect(page.locator("#connection")).to_be_hidden()


def participant_id(room, name: str) -> int:
    return next(p["id"] for p in room.snapshot()["participants"] if p["name"] == name)


def assert_clock_stayed_in_view(page: Page) -> None:
    out, frames = page.evaluate("[window.clockOutOfView, window.frames_]")
    assert frames > 0
    assert out == 0, f"the countdown was out of view or the page scrolled in {out} of {frames} frames"
    assert page.evaluate("window.scrollY") == 0


@pytest.mark.parametrize("size", LAPTOPS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_chair_captures_a_decision_an_action_and_a_disagreement_with_the_countdown_in_view(
    people, room, artifacts, size
):
    room.add_participant("Mia Teacher", "class_teacher", "school")
    chair = open_chair(people, room, size)
    tag = f"{size[0]}x{size[1]}"
    # A meeting not yet started opens on Prepare: agenda editing, people and links.
    expect(chair.locator(".cockpit-views a[aria-current=page]")).to_have_text("Prepare")
    expect(chair.locator("#add-item")).to_be_visible()
    expect(chair.locator("#capture")).to_be_hidden()
    chair.screenshot(path=artifacts / f"cockpit-preparing-{tag}.png")

    start(chair, room)
    # Started: the live view comes forward, with the queue beside it.
    expect(chair.locator(".cockpit-views a[aria-current=page]")).to_have_text("Run the meeting")
    expect(chair.locator("#speaking-queue")).to_be_visible()
    expect(chair.locator("#add-item")).to_be_hidden()
    expect(chair.locator("#countdown")).to_have_attribute("data-running", "yes")
    chair.evaluate(WATCH_THE_CLOCK)
    for control in (
        'button[data-cmd="clock.next_item"]',
        "#add-decision button[type=submit]",
        "#add-action button[type=submit]",
        "#add-disagreement button[type=submit]",
    ):
        expect(chair.locator(control)).to_be_in_viewport(ratio=1)

    chair.locator("#add-decision input[name=text]").fill("Maintain the EHC plan")
    chair.locator("#add-decision input[name=text]").press("Enter")
    expect(chair.locator("#decisions li.decision")).to_contain_text(["Maintain the EHC plan"])

    chair.locator("#add-action input[name=what]").fill("Send the OT referral")
    chair.select_option(
        "#add-action select[name=owner_participant_id]", label="Mia Teacher (Class teacher / form tutor)"
    )
    expect(chair.locator("#add-action input[name=owner_agency]")).to_have_value("School")
    chair.locator("#add-action select[name=owner_participant_id]").press("Enter")
    expect(chair.locator("#actions li.action")).to_have_text([re.compile("Send the OT referral.*Mia Teacher.*School")])

    chair.locator("#add-disagreement input[name=topic]").fill("Hours of 1:1 support")
    chair.locator("#add-disagreement input[name=topic]").press("Enter")
    expect(chair.locator("#disagreements li.disagreement")).to_contain_text(["Hours of 1:1 support"])
    expect(chair.locator("#decisions li.decision").first).to_be_visible()
    chair.wait_for_timeout(300)  # a few more frames watched after the last entry is drawn
    assert_clock_stayed_in_view(chair)
    chair.screenshot(path=artifacts / f"cockpit-live-{tag}.png")

    # The view chosen survives a reload.
    chair.click(".cockpit-views a[data-view=prepare]")
    expect(chair.locator("#add-item")).to_be_visible()
    chair.reload()
    expect(chair.locator(".cockpit-views a[aria-current=page]")).to_have_text("Prepare")
    chair.click(".cockpit-views a[data-view=run]")

    # On the next item, the live view's record shows that item's entries only.
    room.command("clock.next_item")
    expect(chair.locator("#decisions li.decision")).to_be_hidden()
    expect(chair.locator("#decisions li.none-here")).to_be_visible()

    room.command("clock.end_meeting")
    ended = chair.locator("#ended-summary")
    expect(ended).to_be_visible()
    expect(chair.locator("#countdown")).to_be_hidden()
    expect(chair.locator("#capture")).to_be_hidden()
    # The minutes link comes first, then the summary; every entry of the meeting is listed.
    assert ended.locator("a, button").first.inner_text() == "Open the minutes"
    expect(ended).to_contain_text("Recorded: 1 decision, 1 action, 1 disagreement.")
    expect(chair.locator("#decisions li.decision")).to_be_visible()
    expect(chair.locator("#actions li.action")).to_be_visible()
    assert chair.evaluate("window.scrollY") == 0
    chair.screenshot(path=artifacts / f"cockpit-ended-{tag}.png")
    assert people.page_errors == []


def test_an_action_with_owner_agency_and_dates_is_recorded_by_keyboard_alone_in_a_few_key_presses(people, room, capsys):
    room.add_participant("Mia Teacher", "class_teacher", "school")
    chair = open_chair(people, room, LAPTOPS[0])
    start(chair, room)
    form = chair.locator("#add-action")
    # In the form, Tab goes what -> owner -> due -> follow-up -> Record (the rest after it).
    order = form.evaluate(
        "f => [...f.querySelectorAll('input:not([type=hidden]), select, textarea, button')].map(e => e.name || e.textContent)"
    )
    assert order[:5] == ["what", "owner_participant_id", "due_date", "follow_up_date", "Record action"]

    presses = 0
    typed = 0

    def press(key: str) -> None:
        nonlocal presses
        presses += 1
        chair.keyboard.press(key)

    def type_text(text: str) -> None:
        nonlocal typed
        typed += len(text)
        chair.keyboard.type(text)

    press("Alt+Shift+2")  # capture an action
    expect(form.locator("input[name=what]")).to_be_focused()
    type_text("Send the OT referral")
    press("Tab")
    expect(form.locator("select[name=owner_participant_id]")).to_be_focused()
    press("m")  # the owner, by the first letter of her name
    expect(form.locator("select[name=owner_participant_id] option:checked")).to_have_text(
        "Mia Teacher (Class teacher / form tutor)"
    )
    expect(form.locator("input[name=owner_agency]")).to_have_value("School")
    press("Enter")  # saved, with the default dates

    expect(chair.locator("#actions li.action")).to_have_count(1)
    expect(form.locator(".form-status")).to_have_text("Saved.")
    (action,) = room.snapshot()["actions"]
    today = local_today()
    assert action["what"] == "Send the OT referral"
    assert action["owner_participant_id"] == participant_id(room, "Mia Teacher")
    assert action["owner_agency"] == "School"
    assert action["due_date"] == (today + timedelta(days=14)).isoformat()
    assert action["follow_up_date"] == (today + timedelta(days=28)).isoformat()
    # Ready for the next one: the focus is back in the first field.
    expect(form.locator("input[name=what]")).to_be_focused()
    with capsys.disabled():
        print(f"\nkeyboard-only action: {presses} key presses besides the {typed} characters of its text")
    assert presses <= 5
    assert people.page_errors == []


def test_the_skip_link_and_the_shortcuts_help_are_reached_by_keyboard(people, room):
    chair = open_chair(people, room, LAPTOPS[1])
    start(chair, room)
    chair.keyboard.press("Tab")
    expect(chair.locator("#skip-to-capture")).to_be_focused()
    expect(chair.locator("#skip-to-capture")).to_be_in_viewport()
    chair.keyboard.press("Enter")
    expect(chair.locator("#add-decision input[name=text]")).to_be_focused()
    chair.keyboard.press("Alt+Shift+H")
    dialog = chair.locator("#shortcuts-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Capture a disagreement")
    chair.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # A shortcut works from inside a field; a plain letter there is only typed.
    title = chair.locator("#current-title").inner_text()
    chair.locator("#add-decision input[name=text]").press("n")
    chair.keyboard.press("Alt+Shift+M")
    expect(chair.locator("#countdown-note")).to_contain_text("extended by 1 min")
    expect(chair.locator("#add-decision input[name=text]")).to_have_value("n")
    expect(chair.locator("#current-title")).to_have_text(title)
    # Pause, resume and the next item, with the focus still in the field.
    chair.keyboard.press("Alt+Shift+P")
    expect(chair.locator("#countdown")).to_have_attribute("data-running", "no")
    expect(chair.locator("#countdown-note")).to_contain_text("Paused")
    chair.keyboard.press("Alt+Shift+P")
    expect(chair.locator("#countdown")).to_have_attribute("data-running", "yes")
    chair.keyboard.press("Alt+Shift+N")
    expect(chair.locator("#current-title")).to_have_text(room.titles()[1])
    expect(chair.locator("#add-decision input[name=text]")).to_be_focused()
    for control, keys in (
        ('button[data-cmd="clock.next_item"]', "Alt+Shift+N"),
        ('button[data-cmd="clock.pause"]', "Alt+Shift+P"),
        ('button[data-seconds="60"]', "Alt+Shift+M"),
        ("#add-action input[name=what]", "Alt+Shift+2"),
    ):
        assert keys in chair.locator(control).get_attribute("aria-keyshortcuts").split()
    chair.keyboard.press("Alt+Shift+R")
    expect(chair.locator("#record-heading")).to_be_focused()
    expect(chair.locator(".cockpit-views a[aria-current=page]")).to_have_text("Record")
    assert people.page_errors == []


def test_a_refused_action_marks_the_owner_moves_the_focus_there_and_is_announced_once(people, room):
    chair = open_chair(people, room, LAPTOPS[1])
    start(chair, room)
    form = chair.locator("#add-action")
    what = form.locator("input[name=what]")
    owner = form.locator("select[name=owner_participant_id]")
    what.fill("Book the annual review")
    what.press("Enter")

    expect(owner).to_have_attribute("aria-invalid", "true")
    expect(owner).to_be_focused()
    message_id = owner.get_attribute("aria-describedby")
    message = chair.locator(f"#{message_id}")
    expect(message).to_contain_text(NO_OWNER)
    expect(message).to_be_in_viewport()
    expect(what).to_have_value("Book the annual review")
    # Said once, by one live region; nothing in the Now panel.
    live = chair.evaluate(
        """text => [...document.querySelectorAll('[aria-live]:not([aria-live=off]), [role=status], [role=alert]')]
                   .filter(n => n.textContent.includes(text)).length""",
        NO_OWNER,
    )
    assert live == 1
    expect(chair.locator("#command-error")).to_have_text("")

    owner.select_option(label="Sam Parent (Parent or carer)")
    expect(owner).not_to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field-error")).to_have_count(0)
    owner.press("Enter")
    expect(form.locator(".form-status")).to_have_text("Saved.")
    assert [a["what"] for a in room.snapshot()["actions"]] == ["Book the annual review"]
    assert people.page_errors == []


def test_the_chairs_focus_and_typing_stay_put_while_someone_else_records_and_takes_attendance(people, room):
    chair = open_chair(people, room, LAPTOPS[0])
    start(chair, room)
    sam = participant_id(room, "Sam Parent")
    other = Client().connect(room.url, room.chair)
    sent = 0

    def elsewhere(name: str, **args) -> None:
        """A change made by another client (a note-taker's console, say), acknowledged by the server."""
        nonlocal sent
        ack = other.sio.call("command", {"id": uuid.uuid4().hex, "name": name, "args": args}, timeout=10)
        assert ack["ok"], ack
        sent += 1

    def keeps_focus(attendance: str, what: str) -> None:
        elsewhere("decisions.record", text=what, status="agreed")
        elsewhere("attendance.set", participant_id=sam, attendance=attendance, arrived_late=False, left_early=False)
        expect(chair.locator("#decisions li.decision", has_text=what)).to_have_count(1)
        expect(chair.locator(f'#participants li[data-participant-id="{sam}"] select')).to_have_value(attendance)
        assert chair.evaluate("document.activeElement.focusProbe") == "here", "the focus moved"

    try:
        # On an agenda button ("Go to" the third item).
        go_to = chair.locator("#agenda li").nth(2).locator("button", has_text="Go to")
        go_to.focus()
        go_to.evaluate("b => b.focusProbe = 'here'")
        keeps_focus("in_room", "First decision")

        # On an attendance drop-down: its own value changes under it, the focus stays.
        select = chair.locator(f'#participants li[data-participant-id="{sam}"] select')
        select.focus()
        select.evaluate("s => s.focusProbe = 'here'")
        keeps_focus("remote", "Second decision")

        # Half-way through typing an action.
        what = chair.locator("#add-action input[name=what]")
        what.click()
        what.press_sequentially("Ask the EP for")
        what.evaluate("i => i.focusProbe = 'here'")
        keeps_focus("in_room", "Third decision")
        elsewhere("disagreements.record", topic="Placement for Year 7")
        expect(chair.locator("#disagreements li.disagreement")).to_have_count(1)
        expect(what).to_be_focused()
        what.press_sequentially(" a report")
        expect(what).to_have_value("Ask the EP for a report")
    finally:
        other.sio.disconnect()
        other.http.close()
    assert sent == 7
    assert people.page_errors == []


def test_a_refused_edit_is_shown_in_its_own_form_and_stays_marked_through_others_changes(people, room):
    chair = open_chair(people, room, LAPTOPS[0])
    start(chair, room)
    room.command(
        "actions.record",
        what="Send the OT referral",
        owner_name="J. Patel",
        owner_agency="Northshire SALT",
        due_date=(local_today() + timedelta(days=7)).isoformat(),
        follow_up_date=(local_today() + timedelta(days=14)).isoformat(),
    )
    chair.locator("#actions li.action").get_by_role("button", name="Edit").click()
    form = chair.locator("#actions form.edit-entry")
    form.locator("input[name=owner_name]").fill("")
    form.get_by_role("button", name="Save action").click()

    owner = form.locator("select[name=owner_participant_id]")
    expect(owner).to_have_attribute("aria-invalid", "true")
    expect(owner).to_be_focused()
    expect(chair.locator(f"#{owner.get_attribute('aria-describedby')}")).to_contain_text(NO_OWNER)
    expect(form.locator(".form-status")).to_contain_text(NO_OWNER)
    expect(chair.locator("#command-error")).to_have_text("")

    # Someone else's entry redraws the list: the form, its marks and the focus stay.
    room.command("decisions.record", text="Maintain the EHC plan", status="agreed")
    expect(chair.locator("#decisions li.decision")).to_have_count(1)
    expect(owner).to_have_attribute("aria-invalid", "true")
    expect(owner).to_be_focused()
    expect(form.locator("input[name=owner_name]")).to_have_value("")
    assert people.page_errors == []
