"""The agenda before and during the meeting: items, their order, and the clock that runs them."""

from __future__ import annotations

from collections.abc import Callable

from .. import queries, schemas
from ..domain import agenda
from ..domain.errors import NotFound, RuleViolation
from ..extensions import db
from ..models import AgendaItem
from . import attendance
from .pipeline import Change, check_version, command


def _item(change: Change, item_id: int) -> AgendaItem:
    for item in change.items:
        if item.id == item_id:
            return item
    raise NotFound("There is no such agenda item in this meeting.", field="item_id")


@command("agenda.add_item", schemas.AddItemArgs, "Add an agenda item at the end")
def add_item(change: Change, args: schemas.AddItemArgs) -> dict:
    """Add an item at the end of the agenda."""
    position = agenda.check_can_add_item(change.meeting, change.items)
    title, presenter, seconds = agenda.clean_item_fields(args.title, args.presenter, args.minutes)
    item = AgendaItem(
        meeting_id=change.meeting.id,
        position=position,
        title=title,
        presenter=presenter,
        allocated_seconds=seconds,
        extended_seconds=0,
        time_scale=agenda.clean_time_scale(args.time_scale),
        status=agenda.PENDING,
        deferred=False,
        visits=0,
        elapsed_before=0.0,
        version=1,
    )
    db.session.add(item)
    db.session.flush()
    change.items.append(item)
    change.touched([item])
    change.audit("agenda.add_item", "agenda_item", item.id, None, queries.item_view(item, change.now))
    return {"item_id": item.id}


@command("agenda.update_item", schemas.UpdateItemArgs, "Edit an agenda item's title, presenter, minutes or time scale")
def update_item(change: Change, args: schemas.UpdateItemArgs) -> None:
    """Edit an item not yet covered; stale versions get a conflict."""
    item = _item(change, args.item_id)
    before = queries.item_view(item, change.now)
    check_version(item, args.version, before)
    agenda.check_can_edit_item(change.meeting, item)
    title, presenter, seconds = agenda.clean_item_fields(
        args.title if args.title is not None else item.title,
        args.presenter if "presenter" in args.model_fields_set else item.presenter,
        args.minutes if args.minutes is not None else item.allocated_seconds // 60,
    )
    item.title, item.presenter, item.allocated_seconds = title, presenter, seconds
    if args.time_scale is not None:
        item.time_scale = agenda.clean_time_scale(args.time_scale)
    item.version += 1
    change.touched([item])
    change.audit("agenda.update_item", "agenda_item", item.id, before, queries.item_view(item, change.now))


@command("agenda.remove_item", schemas.ItemArgs, "Remove an agenda item that has not been started")
def remove_item(change: Change, args: schemas.ItemArgs) -> None:
    """Remove an item that has not been started."""
    item = _item(change, args.item_id)
    agenda.check_can_remove_item(change.meeting, item)
    before = queries.item_view(item, change.now)
    change.items.remove(item)
    db.session.delete(item)
    change.drop("items", item.id)
    change.audit("agenda.remove_item", "agenda_item", item.id, before, None)


@command("agenda.reorder", schemas.ReorderArgs, "Put the agenda items in a new order")
def reorder_items(change: Change, args: schemas.ReorderArgs) -> None:
    """Reorder the whole agenda."""
    if change.meeting.status == agenda.ENDED:
        raise RuleViolation("The meeting has ended; its agenda can no longer change.")
    before = [i.id for i in agenda.ordered(change.items)]
    moved = agenda.reorder(change.items, list(args.item_ids))
    for item in moved:
        item.version += 1
    change.touched(moved)
    change.audit("agenda.reorder", "meeting", change.meeting.id, {"order": before}, {"order": list(args.item_ids)})


@command("agenda.scale_time", schemas.ScaleTimeArgs, "Give several items more time in proportion, e.g. x1.5 when interpreted")
def scale_time(change: Change, args: schemas.ScaleTimeArgs) -> None:
    """Set the time scale of the items named (not yet covered), in one transaction."""
    ids = list(args.item_ids)
    before = {i.id: i.time_scale for i in change.items if i.id in ids}
    changed = agenda.scale_time(change.meeting, change.items, ids, args.time_scale)
    for item in changed:
        item.version += 1
    change.touched(changed)
    change.audit(
        "agenda.scale_time",
        "meeting",
        change.meeting.id,
        {"time_scale": {str(k): v for k, v in before.items()}},
        {"time_scale": {str(i): args.time_scale for i in ids}},
    )


# ---------------------------------------------------------------- running the clock


def _clock(
    name: str, decide: Callable, summary: str, args_model=schemas.NoArgs, arg: str | None = None, then: Callable | None = None
):
    """Register a clock command: the domain function decides, the item changes are recorded (and
    `then(change)` runs in the same transaction)."""

    def handler(change: Change, args) -> None:
        before = change.meeting.current_item_id
        extra = [getattr(args, arg)] if arg else []
        changed = decide(change.meeting, change.items, *extra, change.now)
        change.touched(changed)
        if then is not None:
            then(change)
        change.audit(
            name,
            "meeting",
            change.meeting.id,
            {"current_item_id": before},
            {"current_item_id": change.meeting.current_item_id, **({arg: getattr(args, arg)} if arg else {})},
        )

    handler.__doc__ = summary
    # The meeting and its agenda are all it reads and changes (and `then` works through the session).
    command(name, args_model, summary, records=True)(handler)


_clock(
    "clock.start_meeting", agenda.start_meeting, "Start the meeting and the first item's clock", then=attendance.mark_connected
)
_clock("clock.pause", agenda.pause, "Pause the current item's clock")
_clock("clock.resume", agenda.resume, "Resume the current item's clock")
_clock("clock.extend", agenda.extend, "Give the current item more time", schemas.ExtendArgs, "seconds")
_clock("clock.next_item", agenda.next_item, "Finish the current item and start the next")
_clock("clock.previous_item", agenda.previous_item, "Go back to the previous item")
_clock("clock.goto_item", agenda.goto_item, "Open a chosen item", schemas.ItemArgs, "item_id")
_clock("clock.skip_item", agenda.skip_item, "Skip an item (the current one if none named)", schemas.OptionalItemArgs, "item_id")
_clock("clock.defer_item", agenda.defer_item, "Move an item to the end of the agenda (the current one if none named)", schemas.OptionalItemArgs, "item_id")
_clock("clock.end_meeting", agenda.end_meeting, "End the meeting")
