"""Action log latency at scale: seed 100,000 actions across 5,000 meetings, then time filtered pages.

    .venv/bin/python benchmarks/action_log.py                      # SQLite and PostgreSQL (if reachable)
    .venv/bin/python benchmarks/action_log.py --backend sqlite --actions 20000 --meetings 1000
    .venv/bin/python benchmarks/action_log.py --scope chair --chair-meetings 250   # a smaller chair's log only

Each scenario is a full HTTP request through the app (routing, link check, counts, the page query,
HTML rendering) made with Flask's test client in this process, timed over `--rounds` requests after
one warm-up. With `--runs N` every scenario is timed N times, the scenarios taking turns, and the
table gives the median of the runs' p50 and p95 (the machine is shared: one run can land on a busy
moment). PostgreSQL runs on a temporary database (created and dropped here) on 127.0.0.1:5432 as
user postgres. The target is p95 under 100 ms for filtered pages (every row but the whole log sorted
by owner and the CSV export).

The meetings are prepared by several staff accounts, as in a local authority: two SEND officers
with large caseloads, ten SENCOs and an administrator, each preparing every meeting of the children
on their caseload. Two logs are timed (`--scope`): an **administrator**'s chair link, whose log is
the whole organisation's, and a **chair**'s (a non-administrator account, by default the largest
caseload: `--chair-meetings`, 1,000 of the 5,000 meetings), whose log is the actions of the meetings
that account prepared.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from facilitation import create_app  # noqa: E402
from facilitation.config import TestConfig  # noqa: E402
from facilitation.domain import access  # noqa: E402
from facilitation.domain.meetings import MEETING_TYPES, USUAL_AGENDAS  # noqa: E402
from facilitation.extensions import db  # noqa: E402
from facilitation.models import AccessLink, Action, ActionUpdate, AgendaItem, Meeting, Participant, User  # noqa: E402

AGENCIES = [
    "Hillside Primary School", "Northshire SALT, NHS", "Northshire Educational Psychology Service",
    "Northshire Children's Social Care", "Northshire SEND Team", "Family", "CAMHS", "Occupational therapy, NHS",
    "Riverside Academy", "SENDIASS", "Paediatrics, Northshire Hospital", "Virtual School",
]
SURNAMES = [
    "Okafor", "Malik", "Reid", "Evans", "Patel", "Owusu", "Lindqvist", "Chen", "Novak", "Smith", "Jones", "Taylor",
    "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Walker", "White", "Hughes",
    "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke", "Clark", "Turner", "Hill",
    "Scott", "Cooper", "Morris", "Ward", "Moore", "King", "Watson", "Baker", "Harrison", "Morgan", "Patterson", "Young",
]
#: about 1,200 different people: professionals own many actions each, as they do in a local authority
PEOPLE = [f"{i}. {s}" for s in SURNAMES for i in "ABCDEFGHJKLMNPRSTWXYZ"[: 25]]


def _status(due: date, today: date, rng: random.Random) -> str:
    """Older actions are mostly closed, as in a service that works its log; recent ones mostly open.

    Due over 60 days ago: 85% closed; due in the last 60 days: 50%; due later: 15%. Closed ones are
    75% done, 13% not done, 12% cancelled; open ones 65% open, 35% in progress. About one action
    in ten is overdue, a third of those lapsed.
    """
    p_closed = 0.85 if due < today - timedelta(days=60) else 0.5 if due < today else 0.15
    if rng.random() < p_closed:
        return rng.choices(["done", "not_done", "cancelled"], [75, 13, 12])[0]
    return rng.choices(["open", "in_progress"], [65, 35])[0]


#: The accounts that prepare meetings after the measured chair (`--chair-meetings`), and their
#: shares of the other meetings: another local-authority SEND officer, ten school SENCOs with
#: caseloads of about 120 to 500 meetings, and the administrator, who prepared a few.
OTHER_ACCOUNTS = [
    ("LA SEND officer", access.STAFF_CHAIR, 18),
    *[(f"SENCO {n}", access.STAFF_CHAIR, w) for n, w in enumerate([12, 11, 10, 9, 8, 7, 6, 5, 4, 3], 1)],
    ("Administrator", access.ADMIN, 4),
]
CHILDREN = 1700


@dataclass
class Log:
    """One log to time: its chair link, and a child and a meeting in it for the filters."""

    scope: str
    token: str
    meetings: int
    child_ref: str
    meeting_id: int


def owners_by_child(meetings: int, chair_meetings: int) -> dict[int, int]:
    """Which account prepares each child's meetings (user id: 1 the measured chair, then
    OTHER_ACCOUNTS in order). A child's meetings are all prepared by one account, as in practice
    (and carry forward needs it); the chair's children are drawn at random, so its meetings are
    spread over every date and id."""
    per_child = {c: 0 for c in range(CHILDREN)}
    for mid in range(1, meetings + 1):
        per_child[mid % CHILDREN] += 1
    children = list(per_child)
    random.Random(17).shuffle(children)
    owner, taken, i = {}, 0, 0
    while i < len(children) and taken < chair_meetings:
        owner[children[i]] = 1
        taken += per_child[children[i]]
        i += 1
    weights = [w for _, _, w in OTHER_ACCOUNTS]
    rest, total, acc = children[i:], sum(weights), 0
    for n, child in enumerate(rest):
        # the rest in the accounts' proportions, one run of children each
        while acc < len(weights) - 1 and n >= len(rest) * sum(weights[: acc + 1]) / total:
            acc += 1
        owner[child] = acc + 2
    return owner


def seed(meetings: int, actions: int, today: date, rng: random.Random, chair_meetings: int) -> dict[str, Log]:
    """Bulk-insert accounts, meetings, agendas, participants and actions; return the logs to time."""
    per_meeting = actions // meetings
    types = list(MEETING_TYPES)
    now = datetime.now(UTC)
    # A chair's log covers the meetings its account prepared; an administrator's, every meeting.
    accounts = [("LA SEND officer (measured)", access.STAFF_CHAIR), *[(n, r) for n, r, _ in OTHER_ACCOUNTS]]
    db.session.execute(
        insert(User),
        [dict(id=uid, email=f"bench-{uid}@example.test", name=name, role=role, password_hash="!")
         for uid, (name, role) in enumerate(accounts, 1)],
    )
    owner_of = owners_by_child(meetings, chair_meetings)
    admin_id = len(accounts)
    m_rows, i_rows, p_rows, a_rows, u_rows = [], [], [], [], []
    item_id = participant_id = action_id = update_id = 0
    for mid in range(1, meetings + 1):
        mtype = types[mid % len(types)]
        start = datetime.combine(today - timedelta(days=rng.randint(0, 720)), datetime.min.time(), UTC) + timedelta(hours=9)
        m_rows.append(dict(id=mid, title=f"Review {mid}", meeting_type=mtype, child_ref=f"CH-{mid % CHILDREN:04d}",
                           scheduled_start=start, scheduled_end=start + timedelta(minutes=90), status="ended",
                           last_seq=0, version=1, created_at=start,
                           owner_user_id=owner_of[mid % CHILDREN]))
        first_item = item_id + 1
        for pos, (title, minutes) in enumerate(USUAL_AGENDAS[mtype], 1):
            item_id += 1
            i_rows.append(dict(id=item_id, meeting_id=mid, position=pos, title=title, allocated_seconds=minutes * 60,
                               extended_seconds=0, status="done", deferred=False, elapsed_before=0.0, version=1))
        first_participant = participant_id + 1
        for _ in range(6):
            participant_id += 1
            p_rows.append(dict(id=participant_id, meeting_id=mid, name=rng.choice(PEOPLE), role="other", agency="other",
                               agency_name=None, version=1, created_at=start, attendance="in_room",
                               arrived_late=False, left_early=False))
        for _ in range(per_meeting):
            action_id += 1
            due = start.date() + timedelta(days=rng.randint(7, 120))
            status = _status(due, today, rng)
            follow = due + timedelta(days=rng.randint(0, 21))
            closed = due + timedelta(days=rng.randint(-20, 20)) if status in ("done", "not_done", "cancelled") else None
            if closed and closed > today:
                closed = today
            owned = rng.random() < 0.7
            a_rows.append(dict(
                id=action_id, meeting_id=mid, agenda_item_id=rng.randint(first_item, item_id),
                what=f"Deliver support item {action_id}: weekly sessions and a written report",
                owner_participant_id=rng.randint(first_participant, participant_id) if owned else None,
                owner_name=None if owned else rng.choice(PEOPLE), owner_agency=rng.choice(AGENCIES),
                due_date=due, follow_up_date=follow, need="Communication and interaction", status=status,
                version=1, created_at=start, closed_on=closed, progress_at=now if status != "open" else None,
            ))
            if status != "open":
                update_id += 1
                u_rows.append(dict(id=update_id, action_id=action_id, meeting_id=mid, kind="progress",
                                   status_before="open", status_after=status, occurred_on=closed or due,
                                   note="Update", author="Chair", created_at=now))
    for model, rows in ((Meeting, m_rows), (AgendaItem, i_rows), (Participant, p_rows), (Action, a_rows), (ActionUpdate, u_rows)):
        for i in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[i:i + 5000])
    logs = {}
    for scope, uid in (("admin", admin_id), ("chair", 1)):
        mine = [m for m in m_rows if m["owner_user_id"] == uid]
        token = f"bench-{scope}-token-" + "x" * 30
        db.session.execute(insert(AccessLink), [dict(meeting_id=mine[0]["id"], role="chair", token=token, created_at=now)])
        if scope == "admin":  # the whole organisation: the same child and meeting as before accounts
            logs[scope] = Log(scope, token, meetings, "CH-0042", min(4242, meetings))
        else:
            some = mine[len(mine) * 4 // 5]
            logs[scope] = Log(scope, token, len(mine), some["child_ref"], some["id"])
    db.session.commit()
    return logs


def scenarios(today: date, log: Log | None = None) -> list[tuple[str, str]]:
    child = log.child_ref if log else "CH-0042"
    meeting = log.meeting_id if log else 4242
    d = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    return [
        ("first page, no filter", ""),
        ("open + in progress, overdue", "status=open&status=in_progress&overdue=1"),
        ("one agency", "agency=Northshire+SALT%2C+NHS"),
        ("due in a 30-day range", f"due_from={d(-30)}&due_to={d(0)}"),
        ("follow-up range, sort follow-up", f"follow_up_from={d(-60)}&follow_up_to={d(30)}&sort=follow_up"),
        ("due this week", "due_this_week=1"),
        ("one child", f"child_ref={child}"),
        ("meeting type, sort by owner", "meeting_type=ehcp_annual_review&sort=owner"),
        ("owner name contains", "owner=patel"),
        ("agency + open + overdue, sort agency", "agency=CAMHS&status=open&overdue=1&sort=agency"),
        ("one meeting", f"meeting_id={meeting}"),
        ("sort by last update, desc", "sort=updated&direction=desc"),
        ("page 40 of the unfiltered log", "page=40"),
        ("whole log sorted by owner (no filter)", "sort=owner"),
        ("JSON API: overdue, 100 per page", "api:overdue=1&per_page=100"),
    ]


#: Not a filtered page: every action is read to sort by its owner's name (no target).
UNFILTERED = {"whole log sorted by owner (no filter)"}


def measure(client, token: str, query: str, rounds: int) -> list[float]:
    if query.startswith("api:"):
        url, headers = f"/api/v1/actions?{query[4:]}", {"Authorization": f"Bearer {token}"}
    else:
        url, headers = f"/actions/{token}?{query}", {}
    r = client.get(url, headers=headers)
    assert r.status_code == 200, (url, r.status_code, r.data[:500])
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        r = client.get(url, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    return times


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_backend(name: str, url: str, args, today: date) -> list[tuple]:
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    rows = []
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        logs = seed(args.meetings, args.actions, today, random.Random(5), args.chair_meetings)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does after a bulk load (in a deployment it runs by itself): statistics
            # for the planner, and the visibility map that lets the covering indexes answer counts
            # and pages without reading the table (index-only scans).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
        else:
            # SQLite keeps no statistics by itself; without them it still uses the same indexes,
            # with a sort step on a few pages (docs/action-log.md).
            with db.engine.connect() as c:
                c.exec_driver_sql("ANALYZE")
        seeded = time.perf_counter() - t0
        print(f"[{name}] seeded {args.actions:,} actions in {args.meetings:,} meetings in {seeded:.1f} s", file=sys.stderr)
        wanted = [logs[s] for s in ("admin", "chair") if args.scope in (s, "both")]
        for log in wanted:
            print(f"[{name}] {log.scope}'s log: {log.meetings:,} meetings", file=sys.stderr)
        client = app.test_client()
        runs: dict[tuple[str, str], list[list[float]]] = {}
        for _ in range(args.runs):
            # the scopes and scenarios take turns, so a busy moment of the machine lands on several
            for log in wanted:
                for label, query in scenarios(today, log):
                    runs.setdefault((log.scope, label), []).append(measure(client, log.token, query, args.rounds))
        for (scope, label), timed in runs.items():
            p95s = [p(times, 0.95) for times in timed]
            p50 = statistics.median(statistics.median(times) for times in timed)
            spread = (min(p95s), max(p95s)) if len(timed) > 1 else None
            rows.append((name, scope, label, p50, statistics.median(p95s), max(max(times) for times in timed), spread))
        for log in wanted:
            t0 = time.perf_counter()
            r = client.get(f"/actions/{log.token}/export.csv")
            size, lines = len(r.data), r.data.count(b"\n") - 1
            csv_ms = (time.perf_counter() - t0) * 1000
            rows.append((name, log.scope, f"CSV export, all {lines:,} rows ({size / 1e6:.1f} MB)", csv_ms, None, None, None))
        db.session.remove()
        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--scope", choices=["admin", "chair", "both"], default="both",
        help="whose log to time: an administrator's (every meeting), a chair's (its account's meetings), or both (default)",
    )
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--meetings", type=int, default=5_000)
    parser.add_argument(
        "--chair-meetings", type=int, default=None,
        help="meetings prepared by the measured chair's account (default: a fifth of --meetings, 1,000)",
    )
    parser.add_argument("--rounds", type=int, default=30, help="timed requests per scenario and run (default 30)")
    parser.add_argument("--runs", type=int, default=1, help="times every scenario is timed; medians are reported")
    args = parser.parse_args()
    if args.chair_meetings is None:
        args.chair_meetings = args.meetings // 5
    if not 0 < args.chair_meetings < args.meetings * 0.9:
        parser.error("--chair-meetings must leave some meetings to the other accounts")
    today = date.today()
    results = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend in ("sqlite", "both"):
            results += run_backend("SQLite", f"sqlite:///{tmp}/bench.db", args, today)
    if args.backend in ("postgresql", "both"):
        try:
            import psycopg2

            admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3)
        except Exception as exc:  # noqa: BLE001
            print(f"PostgreSQL not reachable on 127.0.0.1:5432 ({exc}); skipped", file=sys.stderr)
        else:
            admin.autocommit = True
            name = f"cg_bench_actions_{os.getpid()}"
            with admin.cursor() as c:
                c.execute(f'CREATE DATABASE "{name}"')
                # Data on SSD: random reads cost little more than sequential ones (docs/action-log.md).
                c.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')
            try:
                results += run_backend("PostgreSQL", f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}", args, today)
            finally:
                with admin.cursor() as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.close()
    load_after = os.getloadavg()
    runs = f"median of {args.runs} runs of {args.rounds} requests" if args.runs > 1 else f"{args.rounds} requests"
    print(
        f"\nAction log, {args.actions:,} actions in {args.meetings:,} meetings, {runs} per row "
        f"(full HTTP request through the app, 50 rows per page unless stated)\n"
        f"Scopes: admin = an administrator's chair link (every meeting); chair = a chair account's link "
        f"({args.chair_meetings:,} meetings prepared by that account, about "
        f"{args.actions * args.chair_meetings // args.meetings:,} actions)\n"
    )
    print(
        f"| {'backend':<10} | {'scope':<5} | {'scenario':<44} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} | {'p95 of each run':>15} |"
    )
    print(f"|{'-' * 12}|{'-' * 7}|{'-' * 46}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 17}|")
    for backend, scope, label, p50, p95, worst, spread in results:
        fmt = lambda v: f"{v:7.1f}" if v is not None else f"{'–':>7}"  # noqa: E731
        span = f"{spread[0]:.1f} to {spread[1]:.1f}" if spread else "–"
        print(f"| {backend:<10} | {scope:<5} | {label:<44} | {fmt(p50)} | {fmt(p95)} | {fmt(worst)} | {span:>15} |")
    over = [r for r in results if r[4] is not None and r[4] >= 100 and r[2] not in UNFILTERED]
    print(
        f"\n{'All filtered pages under 100 ms at p95.' if not over else f'{len(over)} filtered pages at or over 100 ms p95.'}"
    )
    print(
        f"Machine: {os.cpu_count()} cores; load average {load_before[0]:.2f} at the start, {load_after[0]:.2f} at the end"
        " (other work on the machine slows every row)."
    )


if __name__ == "__main__":
    main()
