"""The agenda clock as plain values: no app, no database, explicit UTC datetimes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from facilitation.domain import agenda
from facilitation.domain.agenda import DONE, DRAFT, ENDED, LEFT, LIVE, PAUSED, PENDING, RUNNING, SKIPPED
from facilitation.domain.errors import InvalidValue, NotFound, RuleViolation
from facilitation.domain.meetings import (
    USUAL_AGENDAS,
    clean_meeting_fields,
    clean_participant_fields,
)

T0 = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    """A moment `minutes` and `seconds` after 09:30 UTC on the meeting day."""
    return T0 + timedelta(minutes=minutes, seconds=seconds)


@dataclass
class Item:
    id: int
    position: int
    title: str
    allocated_seconds: int
    presenter: str | None = None
    extended_seconds: int = 0
    time_scale: int = 100
    status: str = PENDING
    deferred: bool = False
    visits: int = 0
    elapsed_before: float = 0.0
    run_started_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass
class Meeting:
    scheduled_start: datetime
    scheduled_end: datetime
    status: str = DRAFT
    started_at: datetime | None = None
    ended_at: datetime | None = None
    current_item_id: int | None = None


def prepare(*minutes: int, length_minutes: int = 90) -> tuple[Meeting, list[Item]]:
    """A draft meeting from 09:30 with items 1..n of the given minutes."""
    meeting = Meeting(scheduled_start=T0, scheduled_end=T0 + timedelta(minutes=length_minutes))
    items = [Item(id=n, position=n, title=f"Item {n}", allocated_seconds=m * 60) for n, m in enumerate(minutes, 1)]
    return meeting, items


def started(*minutes: int, length_minutes: int = 90) -> tuple[Meeting, list[Item]]:
    """The same meeting, started at 09:30."""
    meeting, items = prepare(*minutes, length_minutes=length_minutes)
    agenda.start_meeting(meeting, items, at(0))
    return meeting, items


def by_id(items: list[Item], item_id: int) -> Item:
    return next(i for i in items if i.id == item_id)


def statuses(items: list[Item]) -> dict[int, str]:
    return {i.id: i.status for i in items}


# ---------------------------------------------------------------- allocations


def test_allocations_within_the_scheduled_length_fit():
    meeting, items = prepare(30, 30, 20, length_minutes=90)
    check = agenda.check_allocation(meeting, items)
    assert check.total_seconds == 80 * 60
    assert check.scheduled_seconds == 90 * 60
    assert check.fits is True
    assert check.over_by_seconds == 0


def test_allocations_exactly_filling_the_meeting_fit():
    meeting, items = prepare(45, 45, length_minutes=90)
    assert agenda.check_allocation(meeting, items).fits is True


def test_allocations_longer_than_the_meeting_say_by_how_much():
    meeting, items = prepare(60, 45, length_minutes=90)
    check = agenda.check_allocation(meeting, items)
    assert check.fits is False
    assert check.over_by_seconds == 15 * 60
    assert check.as_dict() == {
        "total_seconds": 105 * 60,
        "scheduled_seconds": 90 * 60,
        "fits": False,
        "over_by_seconds": 15 * 60,
    }


def test_skipped_items_do_not_count_towards_the_allocation():
    meeting, items = prepare(60, 45, length_minutes=90)
    items[1].status = SKIPPED
    check = agenda.check_allocation(meeting, items)
    assert check.total_seconds == 60 * 60 and check.fits


def test_extensions_do_not_change_the_planned_allocation():
    meeting, items = started(60, 30, length_minutes=90)
    agenda.extend(meeting, items, 300, at(1))
    assert agenda.check_allocation(meeting, items).total_seconds == 90 * 60


def test_every_usual_agenda_is_made_of_valid_items():
    for meeting_type, usual in USUAL_AGENDAS.items():
        assert usual, meeting_type
        for title, minutes in usual:
            agenda.clean_item_fields(title, None, minutes)


# ---------------------------------------------------------------- start, pause, resume


def test_starting_the_meeting_runs_the_first_item():
    meeting, items = prepare(10, 20)
    changed = agenda.start_meeting(meeting, items, at(0))
    assert changed == [items[0]]
    assert meeting.status == LIVE and meeting.started_at == at(0)
    assert meeting.current_item_id == 1
    assert items[0].status == RUNNING and items[0].started_at == at(0) and items[0].run_started_at == at(0)
    assert items[1].status == PENDING and items[1].started_at is None


def test_starting_skips_items_already_skipped_in_preparation():
    meeting, items = prepare(10, 20)
    items[0].status = SKIPPED
    agenda.start_meeting(meeting, items, at(0))
    assert meeting.current_item_id == 2


def test_a_running_item_uses_time_as_the_clock_moves():
    meeting, items = started(10)
    item = items[0]
    assert agenda.elapsed(item, at(3)) == 180
    assert agenda.remaining(item, at(3)) == 7 * 60
    assert agenda.ends_at(item) == at(10)


def test_a_paused_item_does_not_use_time():
    meeting, items = started(10)
    item = items[0]
    agenda.pause(meeting, items, at(3))
    assert item.status == PAUSED and item.run_started_at is None
    assert agenda.elapsed(item, at(3)) == 180
    assert agenda.elapsed(item, at(50)) == 180
    assert agenda.remaining(item, at(50)) == 7 * 60
    assert agenda.ends_at(item) is None


def test_elapsed_time_excludes_the_time_spent_paused():
    meeting, items = started(10)
    item = items[0]
    agenda.pause(meeting, items, at(3))
    agenda.resume(meeting, items, at(8))
    assert item.status == RUNNING and item.run_started_at == at(8)
    assert item.started_at == at(0), "resuming does not move the item's first start"
    assert agenda.elapsed(item, at(9)) == 4 * 60
    assert agenda.remaining(item, at(9)) == 6 * 60
    assert agenda.ends_at(item) == at(15), "the end moves later by the five paused minutes"


def test_several_pauses_add_up():
    meeting, items = started(10)
    item = items[0]
    agenda.pause(meeting, items, at(1))
    agenda.resume(meeting, items, at(2))
    agenda.pause(meeting, items, at(3))
    agenda.resume(meeting, items, at(10))
    assert agenda.elapsed(item, at(11)) == 3 * 60


def test_a_clock_read_before_the_segment_started_never_goes_backwards():
    meeting, items = started(10)
    assert agenda.elapsed(items[0], at(0, seconds=-5)) == 0


# ---------------------------------------------------------------- extensions


@pytest.mark.parametrize("minutes", [1, 2, 5])
def test_the_chair_can_extend_the_current_item_by_the_offered_minutes(minutes):
    meeting, items = started(10)
    changed = agenda.extend(meeting, items, minutes * 60, at(1))
    assert changed == [items[0]]
    assert items[0].extended_seconds == minutes * 60
    assert agenda.budget(items[0]) == (10 + minutes) * 60
    assert agenda.remaining(items[0], at(1)) == (9 + minutes) * 60
    assert agenda.ends_at(items[0]) == at(10 + minutes)


def test_the_offered_extensions_are_one_two_and_five_minutes():
    assert agenda.EXTENSION_CHOICES_SECONDS == (60, 120, 300)


def test_extensions_add_up():
    meeting, items = started(10)
    for seconds in (60, 120, 300):
        agenda.extend(meeting, items, seconds, at(1))
    assert items[0].extended_seconds == 8 * 60


def test_a_paused_item_can_be_extended():
    meeting, items = started(10)
    agenda.pause(meeting, items, at(2))
    agenda.extend(meeting, items, 120, at(3))
    assert agenda.remaining(items[0], at(30)) == 10 * 60


def test_an_extension_of_a_whole_hour_is_accepted():
    meeting, items = started(10)
    agenda.extend(meeting, items, 3600, at(1))
    assert items[0].extended_seconds == 3600


@pytest.mark.parametrize("seconds", [0, -60, -1, 30, 90, 61, 3660, 7200])
def test_an_extension_that_is_not_a_whole_number_of_minutes_up_to_an_hour_is_refused(seconds):
    meeting, items = started(10)
    with pytest.raises(InvalidValue) as exc:
        agenda.extend(meeting, items, seconds, at(1))
    assert exc.value.field == "seconds" and exc.value.code == "invalid"
    assert items[0].extended_seconds == 0


@pytest.mark.parametrize("seconds", [True, False, 60.0, "60", None])
def test_an_extension_that_is_not_an_integer_is_refused(seconds):
    meeting, items = started(10)
    with pytest.raises(InvalidValue) as exc:
        agenda.extend(meeting, items, seconds, at(1))
    assert exc.value.field == "seconds"
    assert items[0].extended_seconds == 0


def test_extensions_stop_at_four_hours_in_all():
    meeting, items = started(10)
    for _ in range(4):
        agenda.extend(meeting, items, 3600, at(1))
    assert items[0].extended_seconds == 4 * 3600
    with pytest.raises(RuleViolation) as exc:
        agenda.extend(meeting, items, 60, at(1))
    assert "4 hours" in exc.value.message
    assert items[0].extended_seconds == 4 * 3600


def test_an_extension_that_would_pass_four_hours_is_refused_whole():
    meeting, items = started(10)
    for _ in range(3):
        agenda.extend(meeting, items, 3600, at(1))
    agenda.extend(meeting, items, 3540, at(1))
    with pytest.raises(RuleViolation):
        agenda.extend(meeting, items, 120, at(1))
    assert items[0].extended_seconds == 4 * 3600 - 60
    agenda.extend(meeting, items, 60, at(1))
    assert items[0].extended_seconds == 4 * 3600


def test_an_extension_before_the_meeting_starts_is_refused():
    meeting, items = prepare(10)
    with pytest.raises(RuleViolation) as exc:
        agenda.extend(meeting, items, 60, at(0))
    assert exc.value.code == "not_started"


# ---------------------------------------------------------------- overruns and colours


def test_an_item_over_time_has_negative_time_remaining():
    meeting, items = started(10)
    assert agenda.remaining(items[0], at(12)) == -120
    assert agenda.time_state(items[0], at(12)) == "over"


def test_an_item_with_plenty_of_time_is_ok():
    meeting, items = started(10)
    assert agenda.time_state(items[0], at(0)) == "ok"
    assert agenda.time_state(items[0], at(7, seconds=59)) == "ok"


def test_an_item_turns_low_in_its_last_fifth():
    meeting, items = started(10)  # a fifth of ten minutes is two minutes
    assert agenda.time_state(items[0], at(8)) == "low"
    assert agenda.time_state(items[0], at(9, seconds=59)) == "low"


def test_an_item_at_exactly_zero_is_low_not_over():
    meeting, items = started(10)
    assert agenda.remaining(items[0], at(10)) == 0
    assert agenda.time_state(items[0], at(10)) == "low"
    assert agenda.time_state(items[0], at(10, seconds=1)) == "over"


def test_a_short_item_turns_low_in_its_last_minute():
    meeting, items = started(2)  # a fifth is 24 s, but "low" is never shorter than a minute
    assert agenda.time_state(items[0], at(0, seconds=59)) == "ok"
    assert agenda.time_state(items[0], at(1)) == "low"


def test_an_extension_brings_an_item_back_from_over_time():
    meeting, items = started(10)
    assert agenda.time_state(items[0], at(11)) == "over"
    agenda.extend(meeting, items, 300, at(11))
    assert agenda.remaining(items[0], at(11)) == 240
    assert agenda.time_state(items[0], at(11)) == "ok"


# ---------------------------------------------------------------- projected end


def test_a_draft_meeting_is_projected_to_end_at_its_start_plus_the_allocations():
    meeting, items = prepare(10, 20, 15)
    assert agenda.projected_end(meeting, items, at(-60)) == at(45)
    assert agenda.projected_end(meeting, items, at(500)) == at(45), "a draft projection does not follow the clock"


def test_a_draft_projection_leaves_out_skipped_items():
    meeting, items = prepare(10, 20, 15)
    items[1].status = SKIPPED
    assert agenda.projected_end(meeting, items, at(0)) == at(25)


def test_a_live_projection_is_now_plus_what_is_left_of_the_current_and_pending_items():
    meeting, items = started(10, 20, 15)
    assert agenda.projected_end(meeting, items, at(4)) == at(4) + timedelta(minutes=6 + 20 + 15)


def test_a_late_start_moves_the_projection_later():
    meeting, items = prepare(10, 20)
    agenda.start_meeting(meeting, items, at(15))
    assert agenda.projected_end(meeting, items, at(15)) == at(45)


def test_finished_and_skipped_items_no_longer_count_in_the_projection():
    meeting, items = started(10, 20, 15)
    agenda.next_item(meeting, items, at(10))
    agenda.skip_item(meeting, items, 3, at(10))
    assert agenda.projected_end(meeting, items, at(12)) == at(12) + timedelta(minutes=18)


def test_a_paused_item_moves_the_projection_later_as_time_passes():
    meeting, items = started(10, 20)
    agenda.pause(meeting, items, at(5))
    assert agenda.projected_end(meeting, items, at(5)) == at(30)
    assert agenda.projected_end(meeting, items, at(9)) == at(34)


def test_an_item_over_time_moves_the_projection_later_each_second():
    meeting, items = started(10, 20)
    assert agenda.projected_end(meeting, items, at(10)) == at(30)
    assert agenda.projected_end(meeting, items, at(12)) == at(32)
    assert agenda.projected_end(meeting, items, at(12, seconds=1)) == at(32, seconds=1)


def test_an_item_on_time_keeps_the_projection_steady():
    meeting, items = started(10, 20)
    assert agenda.projected_end(meeting, items, at(1)) == agenda.projected_end(meeting, items, at(7)) == at(30)


def test_an_extension_moves_the_projection_later():
    meeting, items = started(10, 20)
    agenda.extend(meeting, items, 300, at(2))
    assert agenda.projected_end(meeting, items, at(2)) == at(35)


def test_an_ended_meeting_is_projected_to_end_when_it_ended():
    meeting, items = started(10, 20)
    agenda.end_meeting(meeting, items, at(17))
    assert agenda.projected_end(meeting, items, at(17)) == at(17)
    assert agenda.projected_end(meeting, items, at(600)) == at(17)


# ---------------------------------------------------------------- moving through the agenda


def test_next_finishes_the_current_item_and_starts_the_following_one():
    meeting, items = started(10, 20, 15)
    changed = agenda.next_item(meeting, items, at(12))
    assert changed == [items[0], items[1]]
    assert items[0].status == DONE and items[0].ended_at == at(12) and items[0].run_started_at is None
    assert items[1].status == RUNNING and items[1].started_at == at(12)
    assert meeting.current_item_id == 2


def test_next_on_the_last_item_finishes_it_and_leaves_nothing_open():
    meeting, items = started(10)
    agenda.next_item(meeting, items, at(9))
    assert items[0].status == DONE and meeting.current_item_id is None
    assert meeting.status == LIVE
    with pytest.raises(RuleViolation) as exc:
        agenda.next_item(meeting, items, at(10))
    assert exc.value.code == "no_next_item"


def test_next_from_a_paused_item_records_only_the_time_it_ran():
    meeting, items = started(10, 20)
    agenda.pause(meeting, items, at(4))
    agenda.next_item(meeting, items, at(9))
    assert agenda.actual_seconds(items[0], at(60)) == 240
    assert items[0].ended_at == at(9)


def test_planned_and_actual_time_are_both_recorded():
    meeting, items = started(10, 20)
    agenda.next_item(meeting, items, at(13, seconds=20))
    agenda.next_item(meeting, items, at(25))
    assert [i.allocated_seconds for i in items] == [600, 1200]
    assert [agenda.actual_seconds(i, at(99)) for i in items] == [800, 700]


def test_actual_seconds_are_whole_seconds():
    meeting, items = started(10)
    agenda.next_item(meeting, items, at(1, seconds=0.6))
    assert agenda.actual_seconds(items[0], at(2)) == 61


def test_next_after_going_back_resumes_with_the_item_left_behind():
    meeting, items = started(10, 20, 15)
    agenda.next_item(meeting, items, at(10))
    agenda.previous_item(meeting, items, at(15))
    agenda.next_item(meeting, items, at(16))
    assert meeting.current_item_id == 2
    assert agenda.elapsed(items[1], at(16)) == 5 * 60, "item 2 carries on from its five minutes"


def test_previous_reopens_the_earlier_item_and_its_clock_continues():
    meeting, items = started(10, 20)
    agenda.next_item(meeting, items, at(8))
    changed = agenda.previous_item(meeting, items, at(11))
    assert changed == [items[1], items[0]]
    first, second = items
    assert meeting.current_item_id == 1
    assert first.status == RUNNING and first.visits == 2
    assert first.elapsed_before == 8 * 60 and first.run_started_at == at(11)
    assert first.started_at == at(0)
    assert agenda.elapsed(first, at(12)) == 9 * 60
    assert agenda.remaining(first, at(12)) == 60
    assert second.status == LEFT and second.elapsed_before == 3 * 60


def test_previous_passes_over_skipped_items():
    meeting, items = started(10, 10, 10)
    agenda.skip_item(meeting, items, 2, at(1))
    agenda.next_item(meeting, items, at(5))
    assert meeting.current_item_id == 3
    agenda.previous_item(meeting, items, at(6))
    assert meeting.current_item_id == 1


def test_previous_on_the_first_item_is_refused():
    meeting, items = started(10, 20)
    with pytest.raises(RuleViolation) as exc:
        agenda.previous_item(meeting, items, at(1))
    assert exc.value.code == "no_previous_item"
    assert meeting.current_item_id == 1 and items[0].status == RUNNING


def test_previous_when_every_item_is_done_reopens_the_last_one():
    meeting, items = started(10, 20)
    agenda.next_item(meeting, items, at(10))
    agenda.next_item(meeting, items, at(30))
    assert meeting.current_item_id is None
    agenda.previous_item(meeting, items, at(31))
    assert meeting.current_item_id == 2 and items[1].status == RUNNING


def test_goto_opens_any_item_and_leaves_the_current_one_discussed_but_not_finished():
    meeting, items = started(10, 20, 15)
    changed = agenda.goto_item(meeting, items, 3, at(4))
    assert changed == [items[0], items[2]]
    assert meeting.current_item_id == 3 and items[2].status == RUNNING
    assert items[0].status == LEFT and items[0].elapsed_before == 240 and items[0].ended_at is None
    agenda.next_item(meeting, items, at(20))
    assert meeting.current_item_id == 1, "nothing is later: the first item still to cover is the one left"
    assert items[0].visits == 2 and items[2].status == DONE


def test_goto_the_item_already_open_is_refused():
    meeting, items = started(10, 20)
    with pytest.raises(RuleViolation) as exc:
        agenda.goto_item(meeting, items, 1, at(1))
    assert exc.value.code == "already_current"


def test_goto_an_unknown_item_is_refused():
    meeting, items = started(10, 20)
    with pytest.raises(NotFound) as exc:
        agenda.goto_item(meeting, items, 99, at(1))
    assert exc.value.code == "not_found" and exc.value.field == "item_id"
    assert meeting.current_item_id == 1


def test_skipping_the_current_item_moves_on_to_the_next():
    meeting, items = started(10, 20, 15)
    changed = agenda.skip_item(meeting, items, None, at(2))
    assert changed == [items[0], items[1]]
    assert items[0].status == SKIPPED and items[0].ended_at == at(2)
    assert items[1].status == RUNNING and meeting.current_item_id == 2


def test_skipping_the_last_item_leaves_nothing_open():
    meeting, items = started(10)
    agenda.skip_item(meeting, items, None, at(2))
    assert items[0].status == SKIPPED and meeting.current_item_id is None


def test_skipping_a_later_item_leaves_the_current_one_running():
    meeting, items = started(10, 20, 15)
    changed = agenda.skip_item(meeting, items, 2, at(2))
    assert changed == [items[1]]
    assert statuses(items) == {1: RUNNING, 2: SKIPPED, 3: PENDING}
    agenda.next_item(meeting, items, at(5))
    assert meeting.current_item_id == 3


def test_skipping_an_item_already_covered_is_refused():
    meeting, items = started(10, 20)
    agenda.next_item(meeting, items, at(5))
    with pytest.raises(RuleViolation):
        agenda.skip_item(meeting, items, 1, at(6))
    agenda.skip_item(meeting, items, 2, at(6))
    with pytest.raises(RuleViolation):
        agenda.skip_item(meeting, items, 2, at(7))


def test_skipping_with_nothing_open_is_refused():
    meeting, items = prepare(10)
    with pytest.raises(RuleViolation) as exc:
        agenda.skip_item(meeting, items, None, at(0))
    assert exc.value.code == "no_current_item"


def test_deferring_an_item_moves_it_to_the_end_and_marks_it_deferred():
    meeting, items = started(10, 20, 15)
    changed = agenda.defer_item(meeting, items, 2, at(1))
    assert changed == [items[1]]
    assert items[1].deferred is True and items[1].status == PENDING, "an item never opened is still to come"
    assert [i.id for i in agenda.ordered(items)] == [1, 3, 2]
    assert meeting.current_item_id == 1


def test_deferring_the_current_item_moves_on_and_keeps_its_time():
    meeting, items = started(10, 20, 15)
    changed = agenda.defer_item(meeting, items, None, at(3))
    assert changed == [items[0], items[1]]
    assert [i.id for i in agenda.ordered(items)] == [2, 3, 1]
    first = items[0]
    assert first.deferred and first.status == LEFT and first.elapsed_before == 180
    assert meeting.current_item_id == 2
    agenda.next_item(meeting, items, at(20))
    agenda.next_item(meeting, items, at(30))
    assert meeting.current_item_id == 1
    assert agenda.remaining(first, at(30)) == 7 * 60, "a deferred item comes back with the time it had left"


def test_deferring_the_only_item_left_leaves_it_to_cover_later():
    meeting, items = started(10, 20)
    agenda.next_item(meeting, items, at(10))
    agenda.defer_item(meeting, items, None, at(11))
    assert meeting.current_item_id is None and items[1].status == LEFT and items[1].deferred
    agenda.next_item(meeting, items, at(12))
    assert meeting.current_item_id == 2


def test_deferring_an_item_already_covered_is_refused():
    meeting, items = started(10, 20)
    agenda.next_item(meeting, items, at(5))
    with pytest.raises(RuleViolation):
        agenda.defer_item(meeting, items, 1, at(6))
    assert items[0].deferred is False and [i.id for i in agenda.ordered(items)] == [1, 2]


def test_deferring_an_unknown_item_is_refused():
    meeting, items = started(10, 20)
    with pytest.raises(NotFound):
        agenda.defer_item(meeting, items, 42, at(1))


def test_ending_the_meeting_finishes_the_item_in_progress():
    meeting, items = started(10, 20)
    changed = agenda.end_meeting(meeting, items, at(7))
    assert changed == [items[0]]
    assert meeting.status == ENDED and meeting.ended_at == at(7) and meeting.current_item_id is None
    assert items[0].status == DONE and items[0].ended_at == at(7)
    assert agenda.actual_seconds(items[0], at(99)) == 420
    assert items[1].status == PENDING, "items never reached stay not covered"


def test_ending_a_meeting_with_nothing_open_changes_no_items():
    meeting, items = started(10)
    agenda.next_item(meeting, items, at(10))
    assert agenda.end_meeting(meeting, items, at(11)) == []
    assert meeting.status == ENDED


# ---------------------------------------------------------------- invalid transitions


@pytest.mark.parametrize(
    "move",
    [
        lambda m, i: agenda.next_item(m, i, at(1)),
        lambda m, i: agenda.previous_item(m, i, at(1)),
        lambda m, i: agenda.goto_item(m, i, 2, at(1)),
        lambda m, i: agenda.pause(m, i, at(1)),
        lambda m, i: agenda.resume(m, i, at(1)),
        lambda m, i: agenda.extend(m, i, 60, at(1)),
        lambda m, i: agenda.end_meeting(m, i, at(1)),
    ],
    ids=["next", "previous", "goto", "pause", "resume", "extend", "end"],
)
def test_running_the_clock_before_the_meeting_starts_is_refused(move):
    meeting, items = prepare(10, 20)
    with pytest.raises(RuleViolation) as exc:
        move(meeting, items)
    assert exc.value.code == "not_started"
    assert meeting.status == DRAFT and meeting.current_item_id is None
    assert statuses(items) == {1: PENDING, 2: PENDING}


def test_next_before_the_start_says_the_meeting_has_not_started():
    meeting, items = prepare(10)
    with pytest.raises(RuleViolation) as exc:
        agenda.next_item(meeting, items, at(0))
    assert exc.value.code == "not_started"
    assert "not started" in exc.value.message


def test_pausing_a_paused_item_is_refused():
    meeting, items = started(10)
    agenda.pause(meeting, items, at(1))
    with pytest.raises(RuleViolation) as exc:
        agenda.pause(meeting, items, at(2))
    assert exc.value.code == "already_paused"
    assert agenda.elapsed(items[0], at(5)) == 60


def test_resuming_a_running_item_is_refused():
    meeting, items = started(10)
    with pytest.raises(RuleViolation) as exc:
        agenda.resume(meeting, items, at(2))
    assert exc.value.code == "not_paused"
    assert items[0].run_started_at == at(0)


def test_pausing_with_no_item_open_is_refused():
    meeting, items = started(10)
    agenda.next_item(meeting, items, at(10))
    with pytest.raises(RuleViolation) as exc:
        agenda.pause(meeting, items, at(11))
    assert exc.value.code == "no_current_item"


def test_starting_a_meeting_twice_is_refused():
    meeting, items = started(10, 20)
    with pytest.raises(RuleViolation) as exc:
        agenda.start_meeting(meeting, items, at(5))
    assert exc.value.code == "already_started"
    assert meeting.started_at == at(0) and items[0].run_started_at == at(0)


def test_starting_a_meeting_with_no_items_is_refused():
    meeting, items = prepare()
    with pytest.raises(RuleViolation):
        agenda.start_meeting(meeting, items, at(0))
    assert meeting.status == DRAFT and meeting.started_at is None


def test_starting_a_meeting_whose_items_are_all_skipped_is_refused():
    meeting, items = prepare(10)
    items[0].status = SKIPPED
    with pytest.raises(RuleViolation):
        agenda.start_meeting(meeting, items, at(0))
    assert meeting.status == DRAFT


@pytest.mark.parametrize(
    "move",
    [
        lambda m, i: agenda.start_meeting(m, i, at(30)),
        lambda m, i: agenda.next_item(m, i, at(30)),
        lambda m, i: agenda.previous_item(m, i, at(30)),
        lambda m, i: agenda.goto_item(m, i, 2, at(30)),
        lambda m, i: agenda.pause(m, i, at(30)),
        lambda m, i: agenda.resume(m, i, at(30)),
        lambda m, i: agenda.extend(m, i, 60, at(30)),
        lambda m, i: agenda.skip_item(m, i, 2, at(30)),
        lambda m, i: agenda.defer_item(m, i, 2, at(30)),
        lambda m, i: agenda.end_meeting(m, i, at(30)),
    ],
    ids=["start", "next", "previous", "goto", "pause", "resume", "extend", "skip", "defer", "end"],
)
def test_nothing_runs_the_clock_after_the_meeting_ends(move):
    meeting, items = started(10, 20)
    agenda.end_meeting(meeting, items, at(12))
    before = ([vars(i).copy() for i in items], vars(meeting).copy())
    with pytest.raises(RuleViolation) as exc:
        move(meeting, items)
    assert exc.value.code == "ended"
    assert ([vars(i) for i in items], vars(meeting)) == before


@pytest.mark.parametrize("move", [agenda.skip_item, agenda.defer_item], ids=["skip", "defer"])
def test_skip_or_defer_without_an_item_after_the_end_is_refused(move):
    meeting, items = started(10, 20)
    agenda.end_meeting(meeting, items, at(12))
    with pytest.raises(RuleViolation):
        move(meeting, items, None, at(13))
    assert meeting.status == ENDED and statuses(items) == {1: DONE, 2: PENDING}


@pytest.mark.parametrize("move", [agenda.skip_item, agenda.defer_item], ids=["skip", "defer"])
def test_skip_or_defer_without_an_item_after_the_end_says_the_meeting_has_ended(move):
    meeting, items = started(10, 20)
    agenda.end_meeting(meeting, items, at(12))
    with pytest.raises(RuleViolation) as exc:
        move(meeting, items, None, at(13))
    assert exc.value.code == "ended"


def test_the_agenda_cannot_grow_or_change_after_the_meeting_ends():
    meeting, items = started(10, 20)
    agenda.end_meeting(meeting, items, at(12))
    with pytest.raises(RuleViolation):
        agenda.check_can_add_item(meeting, items)
    with pytest.raises(RuleViolation):
        agenda.check_can_edit_item(meeting, items[1])
    with pytest.raises(RuleViolation):
        agenda.check_can_remove_item(meeting, items[1])


def test_a_new_item_goes_after_the_last_one():
    meeting, items = prepare(10, 20)
    items[1].position = 7
    assert agenda.check_can_add_item(meeting, items) == 8
    assert agenda.check_can_add_item(meeting, []) == 1


def test_an_agenda_is_limited_to_sixty_items():
    meeting, items = prepare(*([1] * agenda.MAX_ITEMS))
    with pytest.raises(RuleViolation):
        agenda.check_can_add_item(meeting, items)
    assert agenda.check_can_add_item(meeting, items[:-1]) == agenda.MAX_ITEMS


def test_an_item_not_yet_started_can_be_removed():
    meeting, items = started(10, 20)
    agenda.check_can_remove_item(meeting, items[1])


def test_removing_the_running_item_is_refused():
    meeting, items = started(10, 20)
    with pytest.raises(RuleViolation) as exc:
        agenda.check_can_remove_item(meeting, items[0])
    assert "skip it instead" in exc.value.message


def test_removing_an_item_that_was_started_and_left_is_refused():
    meeting, items = started(10, 20)
    agenda.goto_item(meeting, items, 2, at(3))
    assert items[0].status == LEFT
    with pytest.raises(RuleViolation):
        agenda.check_can_remove_item(meeting, items[0])


def test_editing_a_done_item_is_refused():
    meeting, items = started(10, 20)
    agenda.next_item(meeting, items, at(5))
    with pytest.raises(RuleViolation) as exc:
        agenda.check_can_edit_item(meeting, items[0])
    assert "already been covered" in exc.value.message


def test_editing_a_skipped_item_is_refused():
    meeting, items = prepare(10, 20)
    items[1].status = SKIPPED
    with pytest.raises(RuleViolation):
        agenda.check_can_edit_item(meeting, items[1])


def test_editing_the_running_or_a_pending_item_is_allowed():
    meeting, items = started(10, 20)
    agenda.check_can_edit_item(meeting, items[0])
    agenda.check_can_edit_item(meeting, items[1])


def test_reordering_puts_items_in_the_order_given_and_returns_the_moved_ones():
    meeting, items = prepare(10, 20, 15)
    moved = agenda.reorder(items, [3, 2, 1])
    assert {i.id for i in moved} == {1, 3}
    assert [i.id for i in agenda.ordered(items)] == [3, 2, 1]
    assert agenda.reorder(items, [3, 2, 1]) == []


@pytest.mark.parametrize("order", [[1, 2], [1, 2, 2], [1, 2, 3, 3], [1, 2, 4], [1, 2, 3, 4], []])
def test_reordering_with_missing_duplicate_or_unknown_ids_is_refused(order):
    meeting, items = prepare(10, 20, 15)
    with pytest.raises(InvalidValue) as exc:
        agenda.reorder(items, order)
    assert exc.value.field == "item_ids"
    assert [i.position for i in items] == [1, 2, 3]


# ---------------------------------------------------------------- cleaning what people type


def test_an_item_is_tidied_and_its_minutes_become_seconds():
    assert agenda.clean_item_fields("  SALT report ", "  Dr Lee ", 15) == ("SALT report", "Dr Lee", 900)


def test_a_blank_presenter_means_no_presenter():
    assert agenda.clean_item_fields("Views", "   ", 5)[1] is None
    assert agenda.clean_item_fields("Views", None, 5)[1] is None


@pytest.mark.parametrize("title", ["", "   ", None])
def test_an_item_without_a_title_is_refused(title):
    with pytest.raises(InvalidValue) as exc:
        agenda.clean_item_fields(title, None, 5)
    assert exc.value.field == "title"


def test_an_item_title_is_limited_to_two_hundred_characters():
    assert agenda.clean_item_fields("x" * 200, None, 5)[0] == "x" * 200
    with pytest.raises(InvalidValue) as exc:
        agenda.clean_item_fields("x" * 201, None, 5)
    assert exc.value.field == "title"


def test_a_presenter_is_limited_to_a_hundred_and_twenty_characters():
    agenda.clean_item_fields("Views", "p" * 120, 5)
    with pytest.raises(InvalidValue) as exc:
        agenda.clean_item_fields("Views", "p" * 121, 5)
    assert exc.value.field == "presenter"


@pytest.mark.parametrize("minutes", [1, 240])
def test_item_minutes_at_the_limits_are_accepted(minutes):
    assert agenda.clean_item_fields("Views", None, minutes)[2] == minutes * 60


@pytest.mark.parametrize("minutes", [0, -5, 241, 10_000])
def test_item_minutes_out_of_range_are_refused(minutes):
    with pytest.raises(InvalidValue) as exc:
        agenda.clean_item_fields("Views", None, minutes)
    assert exc.value.field == "minutes"


@pytest.mark.parametrize("minutes", ["10", 10.0, 10.5, True, None])
def test_item_minutes_that_are_not_a_whole_number_are_refused(minutes):
    with pytest.raises(InvalidValue) as exc:
        agenda.clean_item_fields("Views", None, minutes)
    assert exc.value.field == "minutes"


def meeting_fields(**overrides):
    values = {
        "title": "Annual review",
        "meeting_type": "ehcp_annual_review",
        "child_ref": "AB-1",
        "scheduled_start": T0,
        "scheduled_end": T0 + timedelta(minutes=90),
    }
    values.update(overrides)
    return values


def test_a_meeting_is_tidied():
    assert clean_meeting_fields(**meeting_fields(title="  Review  ", child_ref=" AB-1 ")) == (
        "Review",
        "ehcp_annual_review",
        "AB-1",
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": None}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"meeting_type": "coffee_morning"}, "meeting_type"),
        ({"meeting_type": ""}, "meeting_type"),
        ({"child_ref": " "}, "child_ref"),
        ({"child_ref": "c" * 41}, "child_ref"),
        ({"scheduled_end": T0}, "scheduled_end"),
        ({"scheduled_end": T0 - timedelta(minutes=1)}, "scheduled_end"),
        ({"scheduled_end": T0 + timedelta(hours=8, seconds=1)}, "scheduled_end"),
    ],
    ids=[
        "blank title",
        "no title",
        "long title",
        "unknown type",
        "empty type",
        "blank child",
        "long child",
        "ends as it starts",
        "ends before it starts",
        "over eight hours",
    ],
)
def test_invalid_meeting_details_are_refused_with_the_field_named(overrides, field):
    with pytest.raises(InvalidValue) as exc:
        clean_meeting_fields(**meeting_fields(**overrides))
    assert exc.value.field == field
    assert exc.value.message


def test_a_meeting_of_exactly_eight_hours_is_accepted():
    clean_meeting_fields(**meeting_fields(scheduled_end=T0 + timedelta(hours=8)))


def test_a_participant_is_tidied():
    assert clean_participant_fields(" Sam ", "parent", "family", "  ") == ("Sam", "parent", "family", None)
    assert clean_participant_fields("Dr Lee", "salt", "health", " Northshire SALT ") == (
        "Dr Lee",
        "salt",
        "health",
        "Northshire SALT",
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "parent", "family", None), "name"),
        ((None, "parent", "family", None), "name"),
        (("n" * 121, "parent", "family", None), "name"),
        (("Sam", "wizard", "family", None), "role"),
        (("Sam", "parent", "ministry", None), "agency"),
        (("Sam", "parent", "family", "a" * 121), "agency_name"),
    ],
    ids=["blank name", "no name", "long name", "unknown role", "unknown agency", "long agency name"],
)
def test_invalid_participant_details_are_refused_with_the_field_named(args, field):
    with pytest.raises(InvalidValue) as exc:
        clean_participant_fields(*args)
    assert exc.value.field == field


# ---------------------------------------------------------------- items keep their history across visits


def test_an_item_visited_left_and_returned_to_keeps_its_time_summed_over_visits():
    meeting, items = started(10, 20, 15)
    agenda.goto_item(meeting, items, 3, at(4))  # item 1: 4 minutes
    agenda.goto_item(meeting, items, 1, at(9))  # item 3: 5 minutes
    assert [i.visits for i in items] == [2, 0, 1]
    assert items[2].status == LEFT and agenda.elapsed(items[2], at(9)) == 300
    agenda.next_item(meeting, items, at(12))  # item 1: 3 more minutes, done; on to item 2
    assert items[0].status == DONE and agenda.actual_seconds(items[0], at(99)) == 7 * 60
    agenda.next_item(meeting, items, at(20))  # back to item 3, with its 5 minutes
    assert meeting.current_item_id == 3 and items[2].visits == 2
    assert agenda.remaining(items[2], at(21)) == 15 * 60 - 6 * 60
    agenda.end_meeting(meeting, items, at(22))
    assert statuses(items) == {1: DONE, 2: DONE, 3: DONE}
    assert agenda.actual_seconds(items[2], at(99)) == 7 * 60


def test_an_item_already_done_and_reopened_stays_done_when_left_again():
    meeting, items = started(10, 20)
    agenda.next_item(meeting, items, at(10))
    agenda.previous_item(meeting, items, at(12))
    assert items[0].status == RUNNING and items[1].status == LEFT
    agenda.goto_item(meeting, items, 2, at(13))
    assert items[0].status == DONE and items[0].ended_at == at(13), "finished before, so still finished"
    assert agenda.actual_seconds(items[0], at(99)) == 11 * 60


def test_next_reaches_a_left_item_in_agenda_order_among_those_still_to_cover():
    meeting, items = started(10, 10, 10, 10)
    agenda.goto_item(meeting, items, 3, at(2))  # 1 left
    agenda.goto_item(meeting, items, 2, at(4))  # 3 left
    agenda.next_item(meeting, items, at(6))
    assert meeting.current_item_id == 3, "the left item later in the agenda comes next"
    agenda.next_item(meeting, items, at(8))
    assert meeting.current_item_id == 4
    agenda.next_item(meeting, items, at(10))
    assert meeting.current_item_id == 1, "and the left item earlier in the agenda after the later ones"
    agenda.next_item(meeting, items, at(12))
    assert meeting.current_item_id is None and set(statuses(items).values()) == {DONE}


def test_ending_the_meeting_leaves_left_items_left():
    meeting, items = started(10, 20)
    agenda.goto_item(meeting, items, 2, at(3))
    agenda.end_meeting(meeting, items, at(5))
    assert statuses(items) == {1: LEFT, 2: DONE}
    assert agenda.actual_seconds(items[0], at(99)) == 180


def test_a_left_item_counts_in_the_projected_end_with_the_time_it_has_left():
    meeting, items = started(10, 20)
    agenda.goto_item(meeting, items, 2, at(4))
    assert agenda.still_to_cover(items) == items
    # item 2: 20 minutes from 09:34; item 1: the 6 minutes it has left
    assert agenda.projected_end(meeting, items, at(4)) == at(4 + 20 + 6)


def test_previous_with_nothing_open_reopens_a_left_item():
    meeting, items = started(10, 20)
    agenda.goto_item(meeting, items, 2, at(2))
    agenda.next_item(meeting, items, at(5))  # item 2 done, then item 1 (left) reopened
    assert meeting.current_item_id == 1
    agenda.defer_item(meeting, items, None, at(6))
    assert items[0].status == LEFT and meeting.current_item_id is None
    agenda.previous_item(meeting, items, at(7))
    assert meeting.current_item_id == 1 and items[0].visits == 3


def test_resuming_a_paused_item_is_not_a_new_visit():
    meeting, items = started(10)
    agenda.pause(meeting, items, at(1))
    agenda.resume(meeting, items, at(2))
    assert items[0].visits == 1


# ---------------------------------------------------------------- time scale (interpreted items)


def test_a_time_scale_gives_an_item_more_time_in_proportion():
    meeting, items = started(10, 20)
    agenda.scale_time(meeting, items, [1], 150)
    assert agenda.budget(items[0]) == 15 * 60
    agenda.extend(meeting, items, 120, at(1))
    assert agenda.budget(items[0]) == 17 * 60, "extensions are added after scaling"
    assert agenda.remaining(items[0], at(1)) == 16 * 60


def test_the_projected_end_moves_with_the_time_scale():
    meeting, items = prepare(10, 20, length_minutes=30)
    assert agenda.projected_end(meeting, items, at(0)) == at(30)
    changed = agenda.scale_time(meeting, items, [1, 2], 150)
    assert changed == items
    assert agenda.projected_end(meeting, items, at(0)) == at(45)
    assert agenda.check_allocation(meeting, items).over_by_seconds == 15 * 60
    agenda.start_meeting(meeting, items, at(0))
    assert agenda.projected_end(meeting, items, at(5)) == at(45)


def test_scaling_items_already_at_that_scale_changes_nothing():
    meeting, items = prepare(10, 20)
    agenda.scale_time(meeting, items, [2], 200)
    assert agenda.scale_time(meeting, items, [1, 2], 200) == [items[0]]


@pytest.mark.parametrize("value", [90, 310, 130, 0, "x", True, 1.5, None])
def test_a_time_scale_outside_100_to_300_in_steps_of_25_is_refused(value):
    meeting, items = prepare(10)
    with pytest.raises(InvalidValue) as exc:
        agenda.scale_time(meeting, items, [1], value)
    assert exc.value.field == "time_scale"
    assert items[0].time_scale == 100


def test_scaling_a_covered_or_unknown_item_changes_nothing():
    meeting, items = started(10, 20)
    agenda.next_item(meeting, items, at(5))
    with pytest.raises(RuleViolation):
        agenda.scale_time(meeting, items, [2, 1], 150)
    with pytest.raises(NotFound):
        agenda.scale_time(meeting, items, [2, 9], 150)
    with pytest.raises(InvalidValue):
        agenda.scale_time(meeting, items, [2, 2], 150)
    assert [i.time_scale for i in items] == [100, 100]
