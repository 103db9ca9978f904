"""The agenda clock: a meeting's state machine and each item's time, kept as timestamps.

An item's time is `elapsed_before` (seconds run in earlier segments, over all its visits) plus, while
it runs, the time since `run_started_at`. Nothing ticks: every reader computes the countdown from
these values and the current time, which is what lets a restarted server or a reconnecting browser
carry on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from .errors import InvalidValue, NotFound, RuleViolation

DRAFT, LIVE, ENDED = "draft", "live", "ended"
MEETING_STATUSES = (DRAFT, LIVE, ENDED)

PENDING, RUNNING, PAUSED, DONE, SKIPPED = "pending", "running", "paused", "done", "skipped"
#: Opened and left (Go to, Previous, Defer) before it was finished: discussed, still to cover.
LEFT = "left"
ITEM_STATUSES = (PENDING, RUNNING, PAUSED, LEFT, DONE, SKIPPED)
#: Statuses of items still to cover: their remaining time is in the projected end.
TO_COVER = (PENDING, RUNNING, PAUSED, LEFT)

MIN_ITEM_MINUTES = 1
MAX_ITEM_MINUTES = 240
MAX_EXTENSION_SECONDS = 60 * 60  # one nudge; the chair can repeat it
MAX_TOTAL_EXTENSION_SECONDS = 4 * 60 * 60
MAX_ITEMS = 60
TITLE_MAX = 200
PRESENTER_MAX = 120
#: Extensions offered as buttons; the API accepts any whole minute up to the maximum.
EXTENSION_CHOICES_SECONDS = (60, 120, 300)
#: Fraction of an item's time left when the screen turns to its "running low" colour.
LOW_TIME_FRACTION = 0.2
LOW_TIME_MIN_SECONDS = 60
#: An item's time scale in percent (e.g. 150 for an interpreted item): allowed range and step.
TIME_SCALE_DEFAULT, TIME_SCALE_MIN, TIME_SCALE_MAX, TIME_SCALE_STEP = 100, 100, 300, 25


class ItemLike(Protocol):
    id: int
    position: int
    title: str
    presenter: str | None
    allocated_seconds: int
    extended_seconds: int
    time_scale: int
    status: str
    deferred: bool
    visits: int
    elapsed_before: float
    run_started_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None


class MeetingLike(Protocol):
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    current_item_id: int | None
    scheduled_start: datetime
    scheduled_end: datetime


# ---------------------------------------------------------------- reading the clock


def elapsed(item: ItemLike, now: datetime) -> float:
    """Seconds the item has run so far, across all its segments."""
    running = (now - item.run_started_at).total_seconds() if item.run_started_at else 0.0
    return item.elapsed_before + max(running, 0.0)


def scaled_allocation(item: ItemLike) -> int:
    """Seconds planned for the item: its allocation times its time scale (e.g. x1.5 when interpreted)."""
    return round(item.allocated_seconds * item.time_scale / 100)


def budget(item: ItemLike) -> int:
    """Seconds the item is allowed: its scaled allocation plus any extensions."""
    return scaled_allocation(item) + item.extended_seconds


def remaining(item: ItemLike, now: datetime) -> float:
    """Seconds left on the item; negative when it is over time."""
    return budget(item) - elapsed(item, now)


def ends_at(item: ItemLike) -> datetime | None:
    """When a running item reaches zero; None unless it is running."""
    if item.run_started_at is None:
        return None
    return item.run_started_at + timedelta(seconds=budget(item) - item.elapsed_before)


def time_state(item: ItemLike, now: datetime) -> str:
    """'ok', 'low' (running low) or 'over' (over time), for the calm colour on screens."""
    left = remaining(item, now)
    if left < 0:
        return "over"
    if left <= max(LOW_TIME_MIN_SECONDS, budget(item) * LOW_TIME_FRACTION):
        return "low"
    return "ok"


def ordered(items: Iterable[ItemLike]) -> list[ItemLike]:
    """Items in agenda order."""
    return sorted(items, key=lambda i: (i.position, i.id))


def current_item(meeting: MeetingLike, items: Iterable[ItemLike]) -> ItemLike | None:
    """The item the meeting is on, if any."""
    if meeting.current_item_id is None:
        return None
    return next((i for i in items if i.id == meeting.current_item_id), None)


def still_to_cover(items: Iterable[ItemLike]) -> list[ItemLike]:
    """Items not yet finished or skipped (left ones included), in agenda order."""
    return [i for i in ordered(items) if i.status in TO_COVER]


def projected_end(meeting: MeetingLike, items: list[ItemLike], now: datetime) -> datetime:
    """When the meeting will end if every remaining item takes its planned time from now on.

    Over-runs so far are carried forward (the clock is already later), and an item over time
    counts as finishing now, so the projection moves later each second it runs over.
    """
    if meeting.status == ENDED and meeting.ended_at:
        return meeting.ended_at
    if meeting.status == DRAFT:
        start = meeting.scheduled_start
        return start + timedelta(seconds=sum(budget(i) for i in items if i.status != SKIPPED))
    left = sum(max(remaining(i, now), 0.0) for i in still_to_cover(items))
    return now + timedelta(seconds=left)


@dataclass(frozen=True)
class AllocationCheck:
    total_seconds: int
    scheduled_seconds: int

    @property
    def fits(self) -> bool:
        return self.total_seconds <= self.scheduled_seconds

    @property
    def over_by_seconds(self) -> int:
        return max(self.total_seconds - self.scheduled_seconds, 0)

    def as_dict(self) -> dict:
        return {
            "total_seconds": self.total_seconds,
            "scheduled_seconds": self.scheduled_seconds,
            "fits": self.fits,
            "over_by_seconds": self.over_by_seconds,
        }


def check_allocation(meeting: MeetingLike, items: Iterable[ItemLike]) -> AllocationCheck:
    """The sum of item allocations (scaled) against the scheduled length of the meeting."""
    total = sum(scaled_allocation(i) for i in items if i.status != SKIPPED)
    scheduled = int((meeting.scheduled_end - meeting.scheduled_start).total_seconds())
    return AllocationCheck(total, scheduled)


# ---------------------------------------------------------------- preparing the agenda


def clean_item_fields(title: str, presenter: str | None, minutes: int) -> tuple[str, str | None, int]:
    """Check an item's title, presenter and minutes; return them tidied, minutes as seconds."""
    title = (title or "").strip()
    if not title:
        raise InvalidValue("An agenda item needs a title.", field="title")
    if len(title) > TITLE_MAX:
        raise InvalidValue(f"The title is longer than {TITLE_MAX} characters.", field="title")
    presenter = (presenter or "").strip() or None
    if presenter and len(presenter) > PRESENTER_MAX:
        raise InvalidValue(
            f"The presenter is longer than {PRESENTER_MAX} characters.", field="presenter"
        )
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidValue("Minutes must be a whole number.", field="minutes")
    if not MIN_ITEM_MINUTES <= minutes <= MAX_ITEM_MINUTES:
        raise InvalidValue(
            f"Minutes must be between {MIN_ITEM_MINUTES} and {MAX_ITEM_MINUTES}.", field="minutes"
        )
    return title, presenter, minutes * 60


def clean_time_scale(value: int) -> int:
    """Check an item's time scale: a whole percent from 100 to 300 in steps of 25."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue("The time scale must be a whole number (percent).", field="time_scale")
    if not TIME_SCALE_MIN <= value <= TIME_SCALE_MAX or value % TIME_SCALE_STEP:
        raise InvalidValue(
            f"The time scale is a percentage from {TIME_SCALE_MIN} to {TIME_SCALE_MAX} in steps of {TIME_SCALE_STEP}.",
            field="time_scale",
        )
    return value


def scale_time(meeting: MeetingLike, items: list[ItemLike], item_ids: list[int], time_scale: int) -> list[ItemLike]:
    """Set the time scale of several items not yet covered; return those that changed."""
    time_scale = clean_time_scale(time_scale)
    if not item_ids or len(set(item_ids)) != len(item_ids):
        raise InvalidValue("Name each item to scale once.", field="item_ids")
    chosen = [_find(items, item_id) for item_id in item_ids]
    for item in chosen:
        check_can_edit_item(meeting, item)
    changed = [i for i in chosen if i.time_scale != time_scale]
    for item in changed:
        item.time_scale = time_scale
    return changed


def check_can_add_item(meeting: MeetingLike, items: list[ItemLike]) -> int:
    """Refuse a new item when the meeting is over or full; return the position it takes."""
    if meeting.status == ENDED:
        raise RuleViolation("The meeting has ended; its agenda can no longer change.")
    if len(items) >= MAX_ITEMS:
        raise RuleViolation(f"An agenda has at most {MAX_ITEMS} items.")
    return max((i.position for i in items), default=0) + 1


def check_can_edit_item(meeting: MeetingLike, item: ItemLike) -> None:
    """Only items not yet covered can be edited, and never after the meeting ends."""
    if meeting.status == ENDED:
        raise RuleViolation("The meeting has ended; its agenda can no longer change.")
    if item.status in (DONE, SKIPPED):
        raise RuleViolation("This item has already been covered and can no longer be edited.")


def check_can_remove_item(meeting: MeetingLike, item: ItemLike) -> None:
    """An item can be removed only before it has been started."""
    check_can_edit_item(meeting, item)
    if meeting.current_item_id == item.id or item.started_at is not None:
        raise RuleViolation("This item has been started; skip it instead of removing it.")


def reorder(items: list[ItemLike], item_ids: list[int]) -> list[ItemLike]:
    """Put the items in the order given (every item exactly once); return the moved ones."""
    by_id = {i.id: i for i in items}
    if sorted(item_ids) != sorted(by_id):
        raise InvalidValue("The new order must list every agenda item exactly once.", field="item_ids")
    changed = []
    for position, item_id in enumerate(item_ids, start=1):
        item = by_id[item_id]
        if item.position != position:
            item.position = position
            changed.append(item)
    return changed


# ---------------------------------------------------------------- running the meeting


def _require_live(meeting: MeetingLike) -> None:
    if meeting.status == DRAFT:
        raise RuleViolation("The meeting has not started yet.", code="not_started")
    if meeting.status == ENDED:
        raise RuleViolation("The meeting has ended.", code="ended")


def _require_current(meeting: MeetingLike, items: list[ItemLike]) -> ItemLike:
    _require_live(meeting)
    item = current_item(meeting, items)
    if item is None:
        raise RuleViolation("No agenda item is open at the moment.", code="no_current_item")
    return item


def _find(items: list[ItemLike], item_id: int) -> ItemLike:
    for item in items:
        if item.id == item_id:
            return item
    raise NotFound("There is no such agenda item in this meeting.", field="item_id")


def _run(meeting: MeetingLike, item: ItemLike, now: datetime) -> None:
    if item.status == SKIPPED:
        item.ended_at = None  # a skipped item opened after all is no longer skipped
    item.status = RUNNING
    item.run_started_at = now
    if item.started_at is None:
        item.started_at = now
    if meeting.current_item_id != item.id:  # an unchanged value set would still put the meeting in the flush
        meeting.current_item_id = item.id


def _open(meeting: MeetingLike, item: ItemLike, now: datetime) -> None:
    """Run an item as a new visit (resuming from a pause is not one)."""
    item.visits += 1
    _run(meeting, item, now)


def _stop(item: ItemLike, now: datetime, status: str) -> None:
    item.elapsed_before = elapsed(item, now)
    item.run_started_at = None
    item.status = status
    if status in (DONE, SKIPPED):
        item.ended_at = now


def _leave_current(meeting: MeetingLike, item: ItemLike, now: datetime, status: str) -> None:
    _stop(item, now, status)
    meeting.current_item_id = None


def _set_aside(meeting: MeetingLike, item: ItemLike, now: datetime) -> None:
    """Leave the current item unfinished: `left`, or still `done` if it had been finished before
    (`ended_at` stays set while a finished item is reopened)."""
    _leave_current(meeting, item, now, DONE if item.ended_at is not None else LEFT)


def _next_to_cover(items: list[ItemLike], after: ItemLike | None) -> ItemLike | None:
    """The next item still to cover (not yet opened, or left unfinished) after `after` in agenda
    order; when none is later, the first one still to cover."""
    waiting = [i for i in ordered(items) if i.status in (PENDING, LEFT) and i is not after]
    if after is not None:
        later = [i for i in waiting if (i.position, i.id) > (after.position, after.id)]
        if later:
            return later[0]
    return waiting[0] if waiting else None


def start_meeting(meeting: MeetingLike, items: list[ItemLike], now: datetime) -> list[ItemLike]:
    """Open the meeting and start the clock on its first item."""
    if meeting.status == LIVE:
        raise RuleViolation("The meeting is already running.", code="already_started")
    if meeting.status == ENDED:
        raise RuleViolation("The meeting has ended.", code="ended")
    first = _next_to_cover(items, None)
    if first is None:
        raise RuleViolation("Add at least one agenda item before starting the meeting.")
    meeting.status = LIVE
    meeting.started_at = now
    _open(meeting, first, now)
    return [first]


def pause(meeting: MeetingLike, items: list[ItemLike], now: datetime) -> list[ItemLike]:
    """Stop the current item's clock, keeping the time it has used."""
    item = _require_current(meeting, items)
    if item.status != RUNNING:
        raise RuleViolation("The current item is already paused.", code="already_paused")
    _stop(item, now, PAUSED)
    return [item]


def resume(meeting: MeetingLike, items: list[ItemLike], now: datetime) -> list[ItemLike]:
    """Restart the current item's clock where it stopped."""
    item = _require_current(meeting, items)
    if item.status != PAUSED:
        raise RuleViolation("The current item is not paused.", code="not_paused")
    _run(meeting, item, now)
    return [item]


def extend(meeting: MeetingLike, items: list[ItemLike], seconds: int, now: datetime) -> list[ItemLike]:
    """Give the current item more time."""
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise InvalidValue("The extension must be a whole number of seconds.", field="seconds")
    if seconds <= 0 or seconds % 60 or seconds > MAX_EXTENSION_SECONDS:
        raise InvalidValue(
            f"An extension is a whole number of minutes, from 1 to {MAX_EXTENSION_SECONDS // 60}.",
            field="seconds",
        )
    item = _require_current(meeting, items)
    if item.extended_seconds + seconds > MAX_TOTAL_EXTENSION_SECONDS:
        raise RuleViolation(
            f"An item can be extended by at most {MAX_TOTAL_EXTENSION_SECONDS // 3600} hours in all."
        )
    item.extended_seconds += seconds
    return [item]


def next_item(meeting: MeetingLike, items: list[ItemLike], now: datetime) -> list[ItemLike]:
    """Finish the current item and start the next one still to cover."""
    _require_live(meeting)
    current = current_item(meeting, items)
    target = _next_to_cover(items, current)
    if target is None and current is None:
        raise RuleViolation("Every item has been covered; end the meeting.", code="no_next_item")
    changed = []
    if current is not None:
        _leave_current(meeting, current, now, DONE)
        changed.append(current)
    if target is not None:
        _open(meeting, target, now)
        changed.append(target)
    return changed


def previous_item(meeting: MeetingLike, items: list[ItemLike], now: datetime) -> list[ItemLike]:
    """Go back to the item before the current one; its clock carries on from where it stopped."""
    _require_live(meeting)
    current = current_item(meeting, items)
    candidates = [i for i in ordered(items) if i.status != SKIPPED and i is not current]
    if current is not None:
        candidates = [i for i in candidates if (i.position, i.id) < (current.position, current.id)]
    else:
        candidates = [i for i in candidates if i.status in (DONE, LEFT)]
    if not candidates:
        raise RuleViolation("There is no earlier item to go back to.", code="no_previous_item")
    target = candidates[-1]
    changed = []
    if current is not None:
        _set_aside(meeting, current, now)
        changed.append(current)
    _open(meeting, target, now)
    changed.append(target)
    return changed


def goto_item(meeting: MeetingLike, items: list[ItemLike], item_id: int, now: datetime) -> list[ItemLike]:
    """Open any item; the one left behind keeps its time and is `left` (still to cover) unless done."""
    _require_live(meeting)
    target = _find(items, item_id)
    current = current_item(meeting, items)
    if current is target:
        raise RuleViolation("That item is already open.", code="already_current")
    changed = []
    if current is not None:
        _set_aside(meeting, current, now)
        changed.append(current)
    _open(meeting, target, now)
    changed.append(target)
    return changed


def skip_item(
    meeting: MeetingLike, items: list[ItemLike], item_id: int | None, now: datetime
) -> list[ItemLike]:
    """Mark an item as not covered; skipping the current item moves on to the next."""
    current = current_item(meeting, items)
    target = current if item_id is None else _find(items, item_id)
    if meeting.status == ENDED:
        raise RuleViolation("The meeting has ended.", code="ended")
    if target is None:
        raise RuleViolation("No agenda item is open at the moment.", code="no_current_item")
    if target.status in (DONE, SKIPPED):
        raise RuleViolation("This item has already been covered or skipped.")
    if target is not current:
        target.status = SKIPPED
        return [target]
    following = _next_to_cover(items, current)
    _leave_current(meeting, current, now, SKIPPED)
    changed = [current]
    if following is not None:
        _open(meeting, following, now)
        changed.append(following)
    return changed


def defer_item(
    meeting: MeetingLike, items: list[ItemLike], item_id: int | None, now: datetime
) -> list[ItemLike]:
    """Move an item to the end of the agenda; deferring the current item moves on to the next."""
    current = current_item(meeting, items)
    target = current if item_id is None else _find(items, item_id)
    if meeting.status == ENDED:
        raise RuleViolation("The meeting has ended.", code="ended")
    if target is None:
        raise RuleViolation("No agenda item is open at the moment.", code="no_current_item")
    if target.status in (DONE, SKIPPED):
        raise RuleViolation("This item has already been covered or skipped.")
    following = _next_to_cover(items, target) if target is current else None
    if following is target:
        following = None
    changed = [target]
    if target is current:
        _set_aside(meeting, current, now)
    target.deferred = True
    target.position = max(i.position for i in items) + 1
    if target is current and following is not None:
        _open(meeting, following, now)
        changed.append(following)
    return changed


def end_meeting(meeting: MeetingLike, items: list[ItemLike], now: datetime) -> list[ItemLike]:
    """Close the meeting; the item in progress is recorded as finished now, left items stay left."""
    _require_live(meeting)
    changed = []
    current = current_item(meeting, items)
    if current is not None:
        _leave_current(meeting, current, now, DONE)
        changed.append(current)
    meeting.status = ENDED
    meeting.ended_at = now
    return changed


def actual_seconds(item: ItemLike, now: datetime) -> int:
    """Whole seconds the item has used, for planned-versus-actual reports."""
    return int(round(elapsed(item, now)))
