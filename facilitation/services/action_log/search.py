"""The action log across meetings: its filters, the counts people steer by, pages and sorts.

Every query here is shaped for the indexes in `models` (benchmarks/action_log.py measures them):
the scope's meetings and the meeting filters are one semi-join, the owner filter is found once per
request, counts come from one pass, and a page reads plain rows by primary key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Integer, String, and_, any_, bindparam, case, func, literal_column, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from ... import schemas
from ...domain import access
from ...domain import action_log as rules
from ...domain.meetings import MEETING_TYPES
from ...extensions import db
from ...models import AccessLink, Action, ActionUpdate, AgendaItem, Meeting, Participant
from ..pipeline import Forbidden
from .rows import LogRow, log_row
from .scope import Scope, find_action


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


SORTS = {
    "due": "Due date",
    "follow_up": "Follow-up date",
    "status": "Status",
    "owner": "Owner",
    "agency": "Agency",
    "meeting": "Meeting date",
    "child": "Child",
    "updated": "Last activity",
}
PER_PAGE = (25, 50, 100)


@dataclass
class LogFilters:
    """What the person asked the log for."""

    owner: str | None = None
    agency: str | None = None
    statuses: tuple[str, ...] = ()
    due_from: date | None = None
    due_to: date | None = None
    follow_up_from: date | None = None
    follow_up_to: date | None = None
    overdue: bool = False
    due_this_week: bool = False
    child_ref: str | None = None
    meeting_id: int | None = None
    meeting_type: str | None = None
    sort: str = "due"
    direction: str = "asc"
    page: int = 1
    per_page: int = 50
    #: the owner filter's condition for a scope, found once per request (services: _owner_condition)
    _owner_matches: tuple | None = field(default=None, repr=False, compare=False)

    def query_args(self, **overrides) -> dict:
        """The filters as URL query arguments (for links to other pages, sorts and the CSV export)."""
        values = {
            "owner": self.owner,
            "agency": self.agency,
            "status": list(self.statuses),
            "due_from": _day(self.due_from),
            "due_to": _day(self.due_to),
            "follow_up_from": _day(self.follow_up_from),
            "follow_up_to": _day(self.follow_up_to),
            "overdue": "1" if self.overdue else None,
            "due_this_week": "1" if self.due_this_week else None,
            "child_ref": self.child_ref,
            "meeting_id": self.meeting_id,
            "meeting_type": self.meeting_type,
            "sort": self.sort if self.sort != "due" else None,
            "direction": self.direction if self.direction != "asc" else None,
            "page": self.page if self.page != 1 else None,
            "per_page": self.per_page if self.per_page != 50 else None,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v not in (None, "", [])}

    @property
    def active(self) -> bool:
        return any(
            [self.owner, self.agency, self.statuses, self.due_from, self.due_to, self.follow_up_from,
             self.follow_up_to, self.overdue, self.due_this_week, self.child_ref, self.meeting_id, self.meeting_type]
        )


def _get(args: Mapping, name: str) -> str:
    value = args.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_filters(args) -> LogFilters:
    """Read the log's filters from query arguments; every bad value gets its own message."""
    errors: dict[str, str] = {}
    f = LogFilters()

    def text(name: str, limit: int) -> str | None:
        value = _get(args, name)
        if len(value) > limit:
            errors[name] = f"Must be at most {limit} characters."
            return None
        return value or None

    def day(name: str) -> date | None:
        value = _get(args, name)
        if not value:
            return None
        try:
            return schemas._iso_date(value)
        except ValueError as exc:
            errors[name] = str(exc)
            return None

    def number(name: str, default: int, low: int, high: int) -> int:
        value = _get(args, name)
        if not value:
            return default
        if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
            errors[name] = f"Must be a whole number from {low} to {high}."
            return default
        return int(value)

    f.owner = text("owner", 120)
    f.agency = text("agency", 120)
    f.child_ref = text("child_ref", 40)
    statuses = args.getlist("status") if hasattr(args, "getlist") else ([args["status"]] if args.get("status") else [])
    statuses = [s.strip() for s in statuses if isinstance(s, str) and s.strip()]
    unknown = [s for s in statuses if s not in rules.STATUSES]
    if unknown:
        errors["status"] = f"Unknown status; choose from: {', '.join(rules.STATUSES)}."
    f.statuses = tuple(s for s in rules.STATUSES if s in statuses)
    f.due_from, f.due_to = day("due_from"), day("due_to")
    f.follow_up_from, f.follow_up_to = day("follow_up_from"), day("follow_up_to")
    if f.due_from and f.due_to and f.due_to < f.due_from:
        errors["due_to"] = "The end of the due date range is before its start."
    if f.follow_up_from and f.follow_up_to and f.follow_up_to < f.follow_up_from:
        errors["follow_up_to"] = "The end of the follow-up date range is before its start."
    f.overdue = _get(args, "overdue") in ("1", "true", "on", "yes")
    f.due_this_week = _get(args, "due_this_week") in ("1", "true", "on", "yes")
    meeting_type = text("meeting_type", 40)
    if meeting_type and meeting_type not in MEETING_TYPES:
        errors["meeting_type"] = "Unknown meeting type."
    f.meeting_type = meeting_type
    f.meeting_id = number("meeting_id", 0, 1, schemas.MAX_ID) or None
    sort = _get(args, "sort") or "due"
    if sort not in SORTS:
        errors["sort"] = f"Sort by one of: {', '.join(SORTS)}."
        sort = "due"
    f.sort = sort
    direction = _get(args, "direction") or "asc"
    if direction not in ("asc", "desc"):
        errors["direction"] = "Must be asc or desc."
        direction = "asc"
    f.direction = direction
    f.page = number("page", 1, 1, 100_000)
    f.per_page = number("per_page", 50, 1, 100)
    if f.per_page not in PER_PAGE:
        f.per_page = min(PER_PAGE, key=lambda n: abs(n - f.per_page))
    if errors:
        raise schemas.FieldErrors(errors)
    return f


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _base_conditions(scope: Scope, f: LogFilters) -> list:
    """Every filter but status, overdue and due-this-week (those are counted per status).

    The scope's meetings and the child and meeting-type filters are one condition on the action's
    meeting (`_meetings_wanted`): one semi-join, and the database starts from whichever of them is
    narrowest (a chair's one child: the child's few meetings, not the account's thousand).
    """
    conds: list = [Action.deleted_at.is_(None)]
    if scope.participant_id is not None:
        conds.append(Action.owner_participant_id == scope.participant_id)
    if scope.meeting_id is not None:
        conds.append(Action.meeting_id == scope.meeting_id)
    if f.owner:
        conds.append(_owner_condition(scope, f))
    if f.agency:
        conds.append(Action.owner_agency == f.agency)
    if f.due_from:
        conds.append(Action.due_date >= f.due_from)
    if f.due_to:
        conds.append(Action.due_date <= f.due_to)
    if f.follow_up_from:
        conds.append(Action.follow_up_date >= f.follow_up_from)
    if f.follow_up_to:
        conds.append(Action.follow_up_date <= f.follow_up_to)
    if f.meeting_id:
        conds.append(Action.meeting_id == f.meeting_id)
    meetings = _meetings_wanted(scope, f)
    if meetings is not None:
        meeting = Action.meeting_id
        if f.owner and db.session.get_bind().dialect.name == "sqlite":
            # `meeting_id + 0` keeps SQLite's planner off the meeting indexes here: otherwise it
            # starts from every action of a chair's meetings (20,000 in the benchmark) and tests
            # each against the owners, instead of starting from the owners' few hundred actions
            # (their indexes) and testing those against the meetings: 4 to 1.5 ms per query.
            # (PostgreSQL weighs the two itself.)
            meeting = Action.meeting_id + literal_column("0")
        conds.append(meeting.in_(meetings))
    return conds


def _meetings_wanted(scope: Scope, f: LogFilters):
    """The ids of the meetings the scope's account and the child and meeting-type filters allow
    (a subquery), or None when they allow every meeting."""
    meeting_conds = []
    in_scope = scope.meetings() if scope.meeting_id is None else None
    if in_scope is not None:
        meeting_conds.append(in_scope)
    if f.child_ref:
        meeting_conds.append(func.lower(Meeting.child_ref) == f.child_ref.lower())
    if f.meeting_type:
        meeting_conds.append(Meeting.meeting_type == f.meeting_type)
    return select(Meeting.id).where(*meeting_conds) if meeting_conds else None


def _participant_meeting_conditions(scope: Scope, f: LogFilters, participant=Participant) -> list:
    """Conditions on the meeting of `participant` (Participant or an alias) matching the log's
    conditions on the actions' meetings.

    An action's owner is a participant of the action's own meeting (services.registers checks it),
    so an owner of an action in the log is a participant of a meeting in the log: the scope and the
    meeting filters narrow the participants to look at (a chair's owner search, the owner sort's join).
    """
    conds = []
    if scope.meeting_id is not None:
        conds.append(participant.meeting_id == scope.meeting_id)
    if f.meeting_id:
        conds.append(participant.meeting_id == f.meeting_id)
    meetings = _meetings_wanted(scope, f)
    if meetings is not None:
        conds.append(participant.meeting_id.in_(meetings))
    return conds


#: Above this many matching owners, the owner filter stays a subquery rather than a list of values.
OWNER_LIST_MAX = 2000


def _one_of(column, values):
    """`column IN values`. A list goes to PostgreSQL as one array parameter (`= ANY(...)`, the same
    plan as IN): hundreds of matching owners would otherwise be hundreds of bound parameters to
    render in each query of the page. A subquery, or another database, gets a plain IN.
    """
    if isinstance(values, list) and db.session.get_bind().dialect.name == "postgresql":
        item = Integer() if isinstance(column.type, Integer) else String()
        return column == any_(bindparam(None, values, type_=ARRAY(item)))
    return column.in_(values)


def _owner_condition(scope: Scope, f: LogFilters):
    """The owner filter: the action's owner is a participant, or a person outside the meeting, whose
    name contains the text typed (any case).

    Participants are found once per request and given to the page's queries as a list of ids,
    answered by ix_actions_log_owner (very broad searches stay a subquery). Only the participants of
    the log's meetings are looked at (`_participant_meeting_conditions`).

    PostgreSQL finds both kinds of name with trigram indexes (`lower(name) LIKE '%...%'`;
    ix_participants_name_trgm, ix_actions_owner_name_trgm): no b-tree index can answer a search
    inside a name, and without them it read every participant and every outside owner's name. The
    outside owners' names are then matched in the same query as the rest of the filters (a BitmapOr
    of the two indexes). SQLite has no such index: its outside owners' distinct names come from
    ix_actions_log_owner_name and are matched here, then given to the query as a list of names.
    """
    cached = f._owner_matches
    if cached is None or cached[0] != scope:
        pattern = _like(f.owner)
        postgresql = db.session.get_bind().dialect.name == "postgresql"
        if postgresql:
            # lower() LIKE, as the trigram index is built (and markedly cheaper than ILIKE unindexed).
            named = func.lower(Participant.name).like(pattern.lower(), escape="\\")
        else:
            # SQLite's LIKE already ignores ASCII case; ilike would add lower() on every row.
            named = Participant.name.like(pattern, escape="\\")
        people = select(Participant.id).where(named, *_participant_meeting_conditions(scope, f))
        pids = list(db.session.scalars(people.limit(OWNER_LIST_MAX + 1)))
        participants = _one_of(Action.owner_participant_id, pids if len(pids) <= OWNER_LIST_MAX else people)
        if postgresql:
            outside = func.lower(Action.owner_name).like(pattern.lower(), escape="\\")
        else:
            outside = _one_of(Action.owner_name, _outside_owners_named(f.owner, pattern))
        f._owner_matches = cached = (scope, or_(participants, outside))
    return cached[1]


def _outside_owners_named(text_: str, pattern: str):
    """The names of owners from outside the meetings that contain `text_` (any case): their distinct
    names from the owner-name index, matched here; very many different names: a subquery."""
    everyone = db.session.scalars(
        select(Action.owner_name).where(Action.owner_name.is_not(None)).distinct().limit(DISTINCT_MAX)
    ).all()
    if len(everyone) >= DISTINCT_MAX:  # very many different names: let the database match them all
        named = aliased(Action)
        return select(named.owner_name).where(func.lower(named.owner_name).like(pattern.lower(), escape="\\")).distinct()
    needle = text_.casefold()
    return [n for n in everyone if needle in n.casefold()]


def matching(scope: Scope, f: LogFilters, today: date) -> list:
    """The conditions on actions of every filter asked for, in the scope (the CSV export reads them too)."""
    return [*_base_conditions(scope, f), *_standing_conditions(f, today)]


def _standing_conditions(f: LogFilters, today: date) -> list:
    conds: list = []
    if f.statuses:
        conds.append(Action.status.in_(f.statuses))
    week_end = today + timedelta(days=rules.WEEK_DAYS)
    wanted = []
    if f.overdue:
        wanted.append(Action.due_date < today)
    if f.due_this_week:
        wanted.append(and_(Action.due_date >= today, Action.due_date < week_end))
    if wanted:
        conds.append(Action.status.in_(rules.ACTIVE))
        conds.append(or_(*wanted))
    return conds


#: When an action last moved: its last progress update, or when it was agreed (ix_actions_last_activity).
LAST_ACTIVITY = func.coalesce(Action.progress_at, Action.created_at)
_STATUS_ORDER = case({s: i for i, s in enumerate(rules.STATUSES)}, value=Action.status, else_=99)


def sort_order(f: LogFilters, owner_label) -> list:
    """The ORDER BY of the sort asked for (ties broken by the action's id); `owner_label` is the owner's name."""
    column = {
        "due": Action.due_date,
        "follow_up": Action.follow_up_date,
        "status": _STATUS_ORDER,
        "owner": owner_label,
        "agency": Action.owner_agency,
        "meeting": Meeting.scheduled_start,
        "child": Meeting.child_ref,
        "updated": LAST_ACTIVITY,
    }[f.sort]
    if f.direction == "desc":
        return [column.desc(), Action.id.desc()]
    return [column.asc(), Action.id.asc()]


@dataclass
class LogPage:
    """One page of the log with the counts people steer by."""

    rows: list[LogRow]
    total: int
    counts: dict[str, int]
    filters: LogFilters
    today: date

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.per_page))

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "total": self.total,
            "page": self.filters.page,
            "per_page": self.filters.per_page,
            "pages": self.pages,
            "counts": self.counts,
            "actions": [r.as_dict() for r in self.rows],
        }


def counts_of(scope: Scope, f: LogFilters, today: date) -> tuple[int, dict[str, int]]:
    """How many actions match, and per status / overdue / due this week / lapsed under the other filters.

    Overdue, due this week and lapsed are counted per status with plain date conditions (FILTER)
    and summed here over the active statuses: the status is already the group, so no row is tested
    against a list of statuses. With a narrowing filter one pass over the matching actions counts
    everything. Over the whole log, the counts per status come in status order from
    ix_actions_log_status_live (no hashing of 100,000 rows), and the standings from one range of the
    same index: active actions due before the end of the week.
    """
    base = _base_conditions(scope, f)
    week_end = today + timedelta(days=rules.WEEK_DAYS)
    standings = (
        func.count().filter(Action.due_date < today),
        func.count().filter(and_(Action.due_date >= today, Action.due_date < week_end)),
        # The follow-up date is never before the due date (domain.registers.check_action_dates),
        # so a lapsed action is also overdue.
        func.count().filter(and_(Action.due_date < today, Action.follow_up_date < today)),
    )
    counts = {s: 0 for s in rules.STATUSES}
    counts.update(overdue=0, due_this_week=0, lapsed=0)
    #: per active status: (overdue, due this week, lapsed)
    standing: dict[str, tuple[int, int, int]] = {}
    if len(base) > 1:  # more than "not deleted"
        q = select(Action.status, func.count(), *standings).where(*base).group_by(Action.status)
        for status, n, overdue, week, lapsed in db.session.execute(q):
            counts[status] = counts.get(status, 0) + n
            if status in rules.ACTIVE:
                standing[status] = (overdue, week, lapsed)
    else:
        for status, n in db.session.execute(select(Action.status, func.count()).where(*base).group_by(Action.status)):
            counts[status] = counts.get(status, 0) + n
        q = (
            select(Action.status, *standings)
            .where(*base, Action.status.in_(rules.ACTIVE), Action.due_date < week_end)
            .group_by(Action.status)
        )
        for status, overdue, week, lapsed in db.session.execute(q):
            standing[status] = (overdue, week, lapsed)
    for overdue, week, lapsed in standing.values():
        counts["overdue"] += overdue
        counts["due_this_week"] += week
        counts["lapsed"] += lapsed
    counts["all"] = sum(counts[s] for s in rules.STATUSES)
    if f.overdue or f.due_this_week:
        # Overdue and due this week never overlap (due before today; due from today to the week's end).
        total = sum(
            (overdue if f.overdue else 0) + (week if f.due_this_week else 0)
            for status, (overdue, week, _) in standing.items()
            if not f.statuses or status in f.statuses
        )
    elif f.statuses:
        total = sum(counts[s] for s in f.statuses)
    else:
        total = counts["all"]
    return total, counts


def _page_ids(scope: Scope, f: LogFilters, today: date) -> list[int]:
    """The ids on the page asked for; joins only when the sort needs them, so indexes do the work."""
    owner = aliased(Participant)
    q = select(Action.id)
    if f.sort in ("meeting", "child"):
        q = q.join(Meeting, Meeting.id == Action.meeting_id)
    if f.sort == "owner":
        # An owner is a participant of the action's own meeting, so the scope and the meeting filters
        # narrow the participants to join as well (a smaller hash than every participant in the
        # installation).
        q = q.outerjoin(owner, and_(owner.id == Action.owner_participant_id, *_participant_meeting_conditions(scope, f, owner)))
    q = (
        q.where(*matching(scope, f, today))
        .order_by(*sort_order(f, func.coalesce(owner.name, Action.owner_name)))
        .limit(f.per_page)
        .offset((f.page - 1) * f.per_page)
    )
    return list(db.session.scalars(q))


def _rows(ids: list[int], today: date) -> list[LogRow]:
    """Log rows for these action ids, in this order, with their meeting, owner, item and last update.

    Read as plain rows by primary key, three queries in all (the actions with their owner's name
    and agenda item's title, their meetings, their last updates): a page is read-only, and ORM
    objects for every action and meeting on it would cost more than the queries.
    """
    if not ids:
        return []
    actions_t, meetings_t = Action.__table__, Meeting.__table__
    owners_t, items_t = Participant.__table__, AgendaItem.__table__
    q = (
        select(actions_t, owners_t.c.name.label("owner_label"), items_t.c.title.label("item_title"))
        .outerjoin(owners_t, owners_t.c.id == actions_t.c.owner_participant_id)
        .outerjoin(items_t, items_t.c.id == actions_t.c.agenda_item_id)
        .where(actions_t.c.id.in_(ids))
    )
    actions = {r.id: r for r in db.session.execute(q)}
    meetings = {
        r.id: r
        for r in db.session.execute(
            select(meetings_t).where(meetings_t.c.id.in_({a.meeting_id for a in actions.values()}))
        )
    }
    rows = []
    for i in ids:
        a = actions.get(i)
        if a is None:
            continue
        owner = a.owner_label or a.owner_name or "someone no longer listed"
        rows.append(LogRow(a, meetings[a.meeting_id], owner, a.item_title, today))
    _attach_last_updates(rows)
    return rows


def log_page(scope: Scope, f: LogFilters, today: date) -> LogPage:
    """The page of the log asked for, with its counts."""
    total, counts = counts_of(scope, f, today)
    return LogPage(_rows(_page_ids(scope, f, today), today), total, counts, f, today)


def _attach_last_updates(rows: list[LogRow]) -> None:
    """Each row's latest history entry: the newest id per action (ix_action_updates_action), as plain rows."""
    ids = [r.action.id for r in rows]
    if not ids:
        return
    updates_t = ActionUpdate.__table__
    latest = select(func.max(updates_t.c.id)).where(updates_t.c.action_id.in_(ids)).group_by(updates_t.c.action_id)
    by_action = {u.action_id: u for u in db.session.execute(select(updates_t).where(updates_t.c.id.in_(latest)))}
    for r in rows:
        r.last_update = by_action.get(r.action.id)


#: The most distinct outside owners' names matched in Python (beyond that the database matches them).
DISTINCT_MAX = 20_000


def _distinct_values(column: str, limit: int) -> list[str]:
    """The distinct non-null values of an indexed column of actions, hopping through its index.

    One index seek per value (a "skip scan", written as a recursive query that SQLite and
    PostgreSQL both run): a few hundred agencies or owners among 100,000 actions cost a few
    milliseconds instead of reading every action. `column` is one of our own column names.
    """
    assert column in ("owner_agency",)
    sql = text(
        f"WITH RECURSIVE v(value, n) AS ("
        f" SELECT (SELECT min({column}) FROM actions), 1"
        f" UNION ALL"
        f" SELECT (SELECT min(a.{column}) FROM actions a WHERE a.{column} > v.value), n + 1"
        f" FROM v WHERE v.value IS NOT NULL AND n < :limit"
        f") SELECT value FROM v WHERE value IS NOT NULL"
    )
    return list(db.session.scalars(sql, {"limit": limit}))


def agencies(scope: Scope, limit: int = 500) -> list[str]:
    """The agencies that own actions, for the filter's choices (one index seek per agency)."""
    if scope.participant_id is not None:
        q = select(Action.owner_agency).where(
            Action.owner_participant_id == scope.participant_id, Action.deleted_at.is_(None)
        ).distinct().order_by(Action.owner_agency)
        return list(db.session.scalars(q))
    in_scope = scope.meeting_condition()
    if in_scope is not None:
        q = select(Action.owner_agency).where(in_scope, Action.deleted_at.is_(None)).distinct().order_by(Action.owner_agency)
        return list(db.session.scalars(q.limit(limit)))
    return _distinct_values("owner_agency", limit)


def action_detail(link: AccessLink, action_id: int, today: date) -> LogRow:
    """One action the link may see, with its whole history."""
    return log_row(find_action(link, action_id), today, history=True)


def my_actions(link: AccessLink, today: date) -> list[LogRow]:
    """A participant's own actions (their personal link), open ones first, each with its history."""
    if link.role != access.PARTICIPANT or not link.participant_id:
        raise Forbidden("Only a participant's own link has 'my actions'.")
    actions = db.session.scalars(
        select(Action)
        .where(Action.owner_participant_id == link.participant_id, Action.deleted_at.is_(None))
        .order_by(case((Action.status.in_(rules.ACTIVE), 0), else_=1), Action.due_date, Action.id)
    )
    return [log_row(a, today, history=True) for a in actions]


def meeting_actions(meeting_id: int, today: date, *, confidential: bool = True) -> list[LogRow]:
    """Every live action of one meeting, in agenda order, with history (the meeting page of the log).

    `confidential=False` leaves out actions marked confidential, for readers whose role may not
    see them (access.sees_confidential)."""
    q = select(Action).where(Action.meeting_id == meeting_id, Action.deleted_at.is_(None))
    if not confidential:
        q = q.where(Action.confidential.is_(False))
    return [log_row(a, today, history=True) for a in db.session.scalars(q.order_by(Action.id))]

