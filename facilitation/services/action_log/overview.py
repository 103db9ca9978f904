"""The overview: how actions due in a period went, per agency and per meeting type."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select

from ...domain import action_log as rules
from ...domain import registers
from ...domain import routes as route_rules
from ...domain.meetings import MEETING_TYPES
from ...extensions import db
from ...models import Action, Disagreement, Meeting
from .rows import today_local
from .scope import Scope


def overview(date_from: date, date_to: date, today: date, scope: Scope | None = None) -> dict:
    """Completion and overdue counts of actions due in the period, per agency and per meeting type
    (of the meetings in `scope`)."""
    active = Action.status.in_(rules.ACTIVE)
    measures = (
        func.count(),
        func.sum(case((Action.status == rules.CANCELLED, 1), else_=0)),
        func.sum(case((Action.status == rules.DONE, 1), else_=0)),
        func.sum(case((and_(Action.status == rules.DONE, Action.closed_on > Action.due_date), 1), else_=0)),
        func.sum(case((Action.status == rules.NOT_DONE, 1), else_=0)),
        func.sum(case((active, 1), else_=0)),
        func.sum(case((and_(active, Action.due_date < today), 1), else_=0)),
    )
    where = (Action.deleted_at.is_(None), Action.due_date >= date_from, Action.due_date <= date_to)
    in_scope = scope.meeting_condition() if scope is not None else None
    if in_scope is not None:
        where = (*where, in_scope)

    def table(key, label, join_meeting: bool) -> list[dict]:
        q = select(key, *measures).where(*where).group_by(key).order_by(key)
        if join_meeting:
            q = q.join(Meeting, Meeting.id == Action.meeting_id)
        out = []
        for name, total, cancelled, done, late, not_done, active_n, overdue in db.session.execute(q):
            counted = total - int(cancelled or 0)
            out.append(
                {
                    "key": name,
                    "label": label(name),
                    "actions": total,
                    "counted": counted,
                    "done": int(done or 0),
                    "done_late": int(late or 0),
                    "not_done": int(not_done or 0),
                    "active": int(active_n or 0),
                    "overdue": int(overdue or 0),
                    "cancelled": int(cancelled or 0),
                    "completion_rate": rules.completion_rate(int(done or 0), counted),
                }
            )
        return out

    by_agency = table(Action.owner_agency, lambda a: a, False)
    by_type = table(Meeting.meeting_type, lambda t: MEETING_TYPES.get(t, t), True)
    totals = {k: sum(r[k] for r in by_agency) for k in ("actions", "counted", "done", "done_late", "not_done", "active", "overdue", "cancelled")}
    totals["completion_rate"] = rules.completion_rate(totals["done"], totals["counted"])
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "today": today.isoformat(),
        "by_agency": by_agency,
        "by_meeting_type": by_type,
        "totals": totals,
    }


def disagreements(date_from: date, date_to: date, scope: Scope | None = None) -> dict:
    """Disagreements of the meetings held in the period (of `scope`): how many by outcome and by the route
    agreed, and how long the resolved ones took (days from being recorded to being resolved)."""
    q = (
        select(Disagreement, Meeting)
        .join(Meeting, Meeting.id == Disagreement.meeting_id)
        .where(Disagreement.deleted_at.is_(None))
    )
    in_scope = scope.meeting_condition(Disagreement.meeting_id) if scope is not None else None
    if in_scope is not None:
        q = q.where(in_scope)
    outcomes = {key: {"key": key, "label": label, "count": 0, "days": []} for key, label in registers.OUTCOMES.items()}
    routes: dict[str, dict] = {}
    for g, meeting in db.session.execute(q):
        held = today_local(meeting.started_at or meeting.scheduled_start)
        if not date_from <= held <= date_to:
            continue
        resolved_on = today_local(g.resolved_at) if g.resolved_at else None
        row = outcomes[registers.disagreement_outcome(g.resolved, resolved_on, held, g.next_step)]
        row["count"] += 1
        took = registers.days_to_resolve(today_local(g.created_at), resolved_on)
        if took is not None:
            row["days"].append(took)
        if not g.resolved and g.next_step:
            route = route_rules.find_route(meeting.meeting_type, g.next_step)
            label = route.label if route else g.next_step
            routes.setdefault(label, {"label": label, "count": 0})["count"] += 1
    rows = []
    for row in outcomes.values():
        days = sorted(row.pop("days"))
        row["median_days"] = days[len(days) // 2] if days else None
        row["longest_days"] = days[-1] if days else None
        rows.append(row)
    return {"by_outcome": rows, "open_by_route": sorted(routes.values(), key=lambda r: (-r["count"], r["label"])), "total": sum(r["count"] for r in rows)}
