"""In Chromium: the parent's phone (her own actions and disagreements first, the countdown always in
view, nothing sideways at 320 px, targets big enough to tap), calm mode for a young person, and the
room's shared screen fitted to 1920x1080 and 1280x720 with nothing cut off, and its "meeting ended" view."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.integration.conftest import LiveMeeting

pytestmark = pytest.mark.browser

PHONE = (390, 844)
NARROW = (320, 640)
SCREENS = [(1920, 1080), (1280, 720)]
LONG = (
    "The school will put in place a structured programme of speech and language sessions, delivered three "
    "times a week by a trained teaching assistant, reviewed every half term with the therapist and the family"
)
CLOCK_DIGITS = re.compile(r"\d+:\d\d")


def day(n: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=n)).isoformat()


def participant_id(room: LiveMeeting, name: str) -> int:
    return next(p["id"] for p in room.snapshot()["participants"] if p["name"] == name)


def fill_the_record(room: LiveMeeting, entries: int = 3) -> dict:
    """A long agenda and a long record, with an action and a disagreement of Sam Parent's; the meeting is live."""
    sam = participant_id(room, "Sam Parent")
    for n in range(8):
        room.command("agenda.add_item", title=f"Extra item {n + 1}: {LONG[: 40 + n * 9]}", minutes=5)
    room.command("clock.start_meeting")
    for n in range(entries):
        room.command("decisions.record", text=f"Decision {n + 1}. {LONG}")
        room.command(
            "actions.record",
            what=f"Action {n + 1}. {LONG}",
            owner_name="J. Patel",
            owner_agency="Northshire SALT",
            due_date=day(10),
            follow_up_date=day(20),
        )
        room.command(
            "disagreements.record",
            topic=f"Disagreement {n + 1}. {LONG}",
            positions=[{"party_name": "SEND panel", "agency": "Local authority", "view": "Not agreed"}],
        )
    mine = room.command(
        "actions.record",
        what="Keep a home diary of sleep",
        owner_participant_id=sam,
        due_date=day(10),
        follow_up_date=day(20),
    )["action_id"]
    room.command(
        "disagreements.record",
        topic="Placement for Year 7",
        positions=[
            {"participant_id": sam, "view": "We want a specialist setting"},
            {"party_name": "SEND panel", "agency": "Local authority", "view": "Mainstream with support"},
        ],
    )
    return {"action": mine}


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} has no box"
    return found


def scroll_width(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def cut_off(page: Page) -> list[str]:
    """Every visible element whose box leaves the viewport, or whose content spills out of a box that hides
    it (a line-clamped text is judged by its own box: it ends on a whole line with an ellipsis)."""
    return page.evaluate(
        """() => {
          const bad = [];
          const clamped = (n) => getComputedStyle(n).webkitLineClamp !== "none";
          const name = (n) => `${n.tagName.toLowerCase()}${n.id ? "#" + n.id : ""}${n.className && typeof n.className === "string" ? "." + n.className.split(" ").join(".") : ""}`;
          for (const node of document.body.querySelectorAll("*")) {
            if (node.closest(".visually-hidden")) continue; // for screen readers only: clipped by design
            let up = node.parentElement, inClamp = false;
            while (up) { if (clamped(up)) { inClamp = true; break; } up = up.parentElement; }
            if (inClamp) continue;
            const r = node.getBoundingClientRect();
            if (!r.width || !r.height || getComputedStyle(node).visibility === "hidden") continue;
            if (r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1)
              bad.push(`${name(node)} at ${Math.round(r.left)},${Math.round(r.top)}-${Math.round(r.right)},${Math.round(r.bottom)}`);
            const style = getComputedStyle(node);
            if ((style.overflowY === "hidden" || style.overflowX === "hidden") && !clamped(node)
                && (node.scrollHeight > node.clientHeight + 1 || node.scrollWidth > node.clientWidth + 1))
              bad.push(`${name(node)} hides ${node.scrollHeight - node.clientHeight}px of its content`);
          }
          if (document.scrollingElement.scrollHeight > innerHeight || document.scrollingElement.scrollWidth > innerWidth) bad.push("the page scrolls");
          return bad;
        }"""
    )


def small_targets(page: Page) -> list[str]:
    """Buttons, fields and stand-alone links drawn smaller than 24 x 24 CSS px (WCAG 2.5.8)."""
    return page.evaluate(
        """() => [...document.querySelectorAll("button, input:not([type=hidden]), select, textarea, a.button, .room-links a, .minutes-link")]
          .map((n) => [n, n.getBoundingClientRect()])
          .filter(([n, r]) => r.width && r.height && (r.width < 24 || r.height < 24))
          .map(([n, r]) => `${n.tagName} "${(n.textContent || n.name || "").trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


# ---------------------------------------------------------------- the parent's phone


def test_on_the_parent_s_phone_her_own_entries_come_first_and_the_countdown_stays_in_view(people, room, artifacts):
    fill_the_record(room)
    parent = people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=PHONE)
    expect(parent.locator("#my-actions li")).to_contain_text(["Keep a home diary of sleep"])
    expect(parent.locator("#my-disagreements li")).to_contain_text(["Placement for Year 7"])
    expect(parent.locator("#my-actions button", has_text="Confirm I will do this")).to_have_count(1)
    expect(parent.locator("#my-disagreements button", has_text="Correct my position")).to_have_count(1)
    # The full record still holds them, pointing up to "For you" rather than repeating the controls.
    expect(parent.locator("#actions li", has_text="Keep a home diary of sleep")).to_contain_text("see “For you” above")
    expect(parent.locator("#actions button", has_text="Confirm I will do this")).to_have_count(0)

    agenda_top = box(parent, "#agenda")["y"]
    assert box(parent, "#my-actions li")["y"] + box(parent, "#my-actions li")["height"] <= agenda_top
    assert box(parent, "#my-disagreements li")["y"] + box(parent, "#my-disagreements li")["height"] <= agenda_top
    # Room is kept near the top for raising a hand or writing a question (filled by the speaking queue).
    assert parent.evaluate(
        "document.getElementById('speak').compareDocumentPosition(document.getElementById('mine')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    parent.screenshot(path=artifacts / "phone-participant.png")

    # Scrolled down to the agenda (and to the record), the current item and its countdown are still in view.
    for target in ("#agenda", "#disagreements"):
        parent.evaluate("selector => document.querySelector(selector).scrollIntoView({block: 'start'})", target)
        parent.wait_for_function("() => window.scrollY > 300")
        clock = box(parent, "#countdown")
        assert 0 <= clock["y"] and clock["y"] + clock["height"] <= PHONE[1], clock
        title = box(parent, "#current-title")
        assert 0 <= title["y"] and title["y"] + title["height"] <= PHONE[1], title
        # ... and on top: nothing is drawn over the countdown.
        covered = parent.evaluate(
            "() => { const r = document.getElementById('countdown').getBoundingClientRect();"
            " return !document.getElementById('countdown').contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)); }"
        )
        assert not covered
    parent.screenshot(path=artifacts / "phone-participant-scrolled.png")

    assert scroll_width(parent) <= PHONE[0]
    assert small_targets(parent) == []
    assert people.page_errors == []


def test_my_actions_fits_a_phone_and_record_progress_can_be_tapped(people, room, artifacts):
    mine = fill_the_record(room)["action"]
    parent = people.open(f"{room.url}/join/{room.participants[0]}/actions", "parent", viewport=PHONE, has_touch=True)
    expect(parent.get_by_role("heading", name="My actions")).to_be_visible()
    assert scroll_width(parent) <= PHONE[0]
    card = parent.locator(f"#action-{mine}")
    card.locator('select[name="status"]').select_option("in_progress")
    card.locator('textarea[name="note"]').fill("Started on Monday")
    card.get_by_role("button", name="Record progress").tap()
    expect(parent.locator(".flash")).to_have_text("Progress recorded.")
    expect(parent.locator(f"#action-{mine} .status")).to_have_text("In progress")
    assert scroll_width(parent) <= PHONE[0]
    assert small_targets(parent) == []
    parent.screenshot(path=artifacts / "phone-my-actions.png", full_page=True)
    assert people.page_errors == []


def test_nothing_scrolls_sideways_at_320_css_pixels(people, room, artifacts):
    fill_the_record(room)
    pages = {
        "participant": f"{room.url}/join/{room.participants[0]}",
        "participant-calm": f"{room.url}/join/{room.participants[0]}?calm=1",
        "my-actions": f"{room.url}/join/{room.participants[0]}/actions",
        "screen": f"{room.url}/screen/{room.screen}",
    }
    for who, url in pages.items():
        page = people.open(url, who, viewport=NARROW)
        page.wait_for_load_state("networkidle")
        expect(page.locator("body")).to_contain_text(
            "Placement for Year 7" if who != "my-actions" else "Keep a home diary"
        )
        assert scroll_width(page) <= NARROW[0], who
        page.screenshot(path=artifacts / f"320-{who}.png", full_page=True)
    assert people.page_errors == []


# ---------------------------------------------------------------- calm mode


def test_calm_mode_shows_time_in_words_with_a_bar_and_no_colour_change_when_over_time(people, room, artifacts):
    fill_the_record(room, entries=1)
    normal = people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=PHONE)
    normal_size = normal.evaluate("parseFloat(getComputedStyle(document.getElementById('current-title')).fontSize)")
    calm = people.open(f"{room.url}/join/{room.participants[0]}?calm=1", "young person", viewport=PHONE)
    clock = calm.locator("#clock-area")
    expect(clock).to_contain_text(re.compile(r"About \d+ minutes? left"))
    expect(calm.locator("#calm-progress")).to_be_visible()
    assert not CLOCK_DIGITS.search(calm.locator(".now-bar").inner_text())
    assert (
        calm.evaluate("parseFloat(getComputedStyle(document.getElementById('current-title')).fontSize)") > normal_size
    )
    expect(calm.locator("#agenda")).to_be_hidden()  # running digits ("3:12 so far") live there
    expect(calm.locator("#projected-end")).to_be_hidden()
    steps = calm.locator("#calm-steps li")
    expect(steps.locator(".step-label")).to_have_text(["Now", "Next", "Later"])
    expect(steps.first).to_contain_text(room.titles()[0])
    expect(steps.nth(1)).to_contain_text(room.titles()[1])
    expect(steps.nth(2).locator(".step-title")).to_have_text(room.titles()[2:5])
    expect(steps.nth(2)).to_contain_text(re.compile(r"and \d+ more"))
    calm.screenshot(path=artifacts / "phone-calm.png")

    # Asking for a break: refused until the speaking queue exists, said kindly either way.
    calm.get_by_role("button", name="I need a break").click()
    expect(calm.locator("#break-status")).to_contain_text(re.compile("asked for a break|You can still have a break"))

    colour = "() => getComputedStyle(document.getElementById('countdown')).color"
    before = calm.evaluate(colour)
    # Twenty minutes on, the item is over its time: the words change, the colours do not.
    calm.clock.set_system_time(datetime.now(UTC) + timedelta(minutes=20))
    expect(clock).to_contain_text("Taking a little longer than planned")
    assert calm.evaluate(colour) == before
    assert not CLOCK_DIGITS.search(calm.locator(".now-bar").inner_text())
    assert calm.locator("#countdown").get_attribute("data-time-state") == "ok"
    calm.screenshot(path=artifacts / "phone-calm-over-time.png")

    # The toggle turns it off, and the page remembers the choice.
    calm.get_by_role("button", name="Calm view").click()
    expect(calm.locator("#agenda")).to_be_visible()
    calm.goto(f"{room.url}/join/{room.participants[0]}")
    expect(calm.get_by_role("button", name="Calm view")).to_have_attribute("aria-pressed", "false")
    assert people.page_errors == []


def test_a_young_person_s_link_opens_calm_and_the_chair_can_copy_a_calm_link(people, room):
    child = room.add_participant("Alex Child", "child", "family")
    room.command("clock.start_meeting")
    alex = people.open(f"{room.url}/join/{child}", "young person", viewport=PHONE)
    expect(alex.get_by_role("button", name="Calm view")).to_have_attribute("aria-pressed", "true")
    expect(alex.locator("#clock-area")).to_contain_text(re.compile(r"About \d+ minutes? left"))
    parent = people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=PHONE)
    expect(parent.get_by_role("button", name="Calm view")).to_have_attribute("aria-pressed", "false")

    chair = people.open(
        f"{room.url}/chair/{room.chair}#prepare",  # the links live in the Prepare view
        "chair",
        viewport=(1366, 900),
        permissions=["clipboard-read", "clipboard-write"],
    )
    link = chair.locator(f'#links li[data-participant-id="{participant_id(room, "Alex Child")}"]')
    chair.bring_to_front()  # the clipboard is written only by a page that has the focus
    link.get_by_role("button", name="Copy calm link").click()
    expect(chair.locator("#links-status")).to_have_text(re.compile(r"Calm link of .*Alex Child copied\."))
    assert chair.evaluate("navigator.clipboard.readText()") == f"{room.url}/join/{child}?calm=1"
    assert people.page_errors == []


# ---------------------------------------------------------------- the shared screen


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_shared_screen_fits_with_nothing_cut_off_and_large_record_text(people, room, artifacts, size):
    fill_the_record(room, entries=6)
    screen = people.open(f"{room.url}/screen/{room.screen}", "screen", viewport=size)
    expect(screen.locator("#decisions li").last).to_contain_text("Decision 6.")
    expect(screen.locator("#next-items li.more")).to_contain_text(re.compile(r"and \d+ more"))
    expect(screen.locator("#decisions li.more, #actions li.more, #disagreements li.more").first).to_contain_text(
        re.compile(r"and \d+ more")
    )
    assert cut_off(screen) == []
    sizes = screen.evaluate(
        "[...document.querySelectorAll('.screen-entries li, .screen-entries .sub')].map((n) => parseFloat(getComputedStyle(n).fontSize))"
    )
    if size == (1920, 1080):
        assert min(sizes) >= 28, sizes
    # No dimmed dates: every part of an entry is drawn in full white, not faded.
    subs = screen.evaluate(
        "[...document.querySelectorAll('.screen-entries .sub')].map((n) => [getComputedStyle(n).color, getComputedStyle(n).opacity])"
    )
    assert subs and all(s == ["rgb(255, 255, 255)", "1"] for s in subs), subs
    screen.screenshot(path=artifacts / f"screen-{size[0]}x{size[1]}.png")

    # Calm on the screen too: words and a bar, nothing cut off.
    screen.get_by_role("button", name="Calm view").click()
    expect(screen.locator("#countdown")).to_contain_text(re.compile(r"About \d+ minutes? left"))
    assert not CLOCK_DIGITS.search(screen.locator(".screen-now").inner_text())
    expect(screen.locator("#next-heading")).to_have_text("What happens next")
    titles = room.titles()
    expect(screen.locator("#next-items .step-next .step-title")).to_have_text(titles[1])
    expect(screen.locator("#next-items .step-later .step-title").first).to_have_text(titles[2])
    assert cut_off(screen) == []
    screen.screenshot(path=artifacts / f"screen-calm-{size[0]}x{size[1]}.png")
    assert people.page_errors == []


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_shared_screen_shows_a_summary_once_the_meeting_has_ended(people, room, artifacts, size):
    fill_the_record(room, entries=4)
    screen = people.open(f"{room.url}/screen/{room.screen}", "screen", viewport=size)
    expect(screen.locator("#next-heading")).to_be_visible()
    room.command("clock.end_meeting")
    expect(screen.locator("#current-title")).to_have_text("Meeting ended")
    expect(screen.locator("#item-counter")).to_contain_text("Ended at")
    for hidden in ("#countdown", "#countdown-note", "#progress", "#projected-end", "#screen-next"):
        expect(screen.locator(hidden)).to_be_hidden()
    shown = screen.locator("body").inner_text()
    for gone in ("Coming up", "--:--", "Projected end"):
        assert gone not in shown
    expect(screen.locator("#decisions li").last).to_contain_text("Decision 4.")
    expect(screen.locator("#actions li").last).to_contain_text("Keep a home diary of sleep")
    assert cut_off(screen) == []
    screen.screenshot(path=artifacts / f"screen-ended-{size[0]}x{size[1]}.png")
    assert people.page_errors == []
