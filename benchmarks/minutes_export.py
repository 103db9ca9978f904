#!/usr/bin/env python
"""Minutes export benchmark: how long does a large meeting's minutes take in each format?

Builds a large meeting in a temporary SQLite database (50 agenda items, 200 actions, 30
disagreements with 3 positions each, 60 decisions, 20 participants; text of realistic length), then
asks the app for the minutes in every format through Flask's test client, exactly as a browser
download does: GET /minutes/<token>/export/<fmt>?version=live. Each request reads the record from
the database, builds the minutes, renders the format and logs the export.

Reported per format: the first request (cold: imports the library, loads fonts) and the median and
maximum of the following runs, with the size of the file and the limit the issue sets (1 s for
HTML, Markdown, CSV and ICS; 3 s for PDF and DOCX). Building the minutes alone is shown too.

Usage:  .venv/bin/python benchmarks/minutes_export.py             # 7 runs per format
        .venv/bin/python benchmarks/minutes_export.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facilitation import create_app  # noqa: E402
from facilitation.config import TestConfig  # noqa: E402
from facilitation.extensions import db  # noqa: E402
from facilitation.models import (  # noqa: E402
    AccessLink,
    Action,
    AgendaItem,
    Decision,
    Disagreement,
    Meeting,
    MinutesDetails,
    Participant,
    Position,
)

LIMITS = {"html": 1.0, "md": 1.0, "csv": 1.0, "ics": 1.0, "summary": 1.0, "pdf": 3.0, "docx": 3.0}
ORDER = ["html", "md", "csv", "ics", "summary", "pdf", "docx"]
WORDS = (
    "support speech language therapy programme school home weekly session review outcome evidence report "
    "assessment plan provision transport lunch playground sensory breaks communication reading writing "
    "maths teaching assistant classroom visual timetable anxiety attendance progress target strategy "
    "parent carer family agreed monitor share update meeting referral occupational physiotherapy"
).split()
ROLES = ["senco", "class_teacher", "parent", "educational_psychologist", "salt", "ot", "social_worker", "la_officer", "advocate", "paediatrician"]


def text(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words)).capitalize() + "."


def seed(rng: random.Random, items: int, actions: int, disagreements: int, decisions: int, participants: int) -> str:
    """A large ended meeting written straight into the tables; returns its chair token."""
    start = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
    meeting = Meeting(title="Large multi-agency review", meeting_type="ehcp_annual_review", child_ref="AB-1",
                      scheduled_start=start, scheduled_end=start + timedelta(hours=8), status="ended",
                      started_at=start, ended_at=start + timedelta(hours=8, minutes=20))
    db.session.add(meeting)
    db.session.flush()
    people = []
    for n in range(participants):
        role = ROLES[n % len(ROLES)]
        people.append(Participant(meeting_id=meeting.id, name=f"Person {n} {rng.choice(['Patel', 'Smith', 'Łukasiewicz', 'Okafor', 'Nguyen'])}",
                                  role=role, agency="school" if n % 3 else "health", agency_name=None,
                                  attendance=rng.choice(["in_room", "remote", "apologies"])))
    db.session.add_all(people)
    t = start
    agenda = []
    for n in range(items):
        minutes = rng.choice([5, 10, 15])
        taken = minutes * 60 + rng.randint(-120, 240)
        agenda.append(AgendaItem(meeting_id=meeting.id, position=n + 1, title=text(rng, 6), presenter=None, allocated_seconds=minutes * 60,
                                 status="done", elapsed_before=float(taken), started_at=t, ended_at=t + timedelta(seconds=taken)))
        t += timedelta(seconds=taken)
    db.session.add_all(agenda)
    db.session.flush()
    for n in range(actions):
        due = date(2027, 3, 20) + timedelta(days=rng.randint(0, 120))
        owner = rng.choice(people) if n % 4 else None
        db.session.add(Action(meeting_id=meeting.id, agenda_item_id=rng.choice(agenda).id, what=text(rng, rng.randint(8, 30)),
                              owner_participant_id=owner.id if owner else None, owner_name=None if owner else f"Outside owner {n}",
                              owner_agency="Northshire speech and language therapy service", due_date=due,
                              follow_up_date=due + timedelta(days=14), need=text(rng, 5), status="open",
                              confirmed_at=start if n % 2 else None))
    for n in range(disagreements):
        g = Disagreement(meeting_id=meeting.id, agenda_item_id=rng.choice(agenda).id, topic=text(rng, 10), resolved=False,
                         next_step="mediation", next_step_owner_name=f"LA officer {n}", next_step_agency="Northshire LA",
                         follow_up_date=date(2027, 4, 1) + timedelta(days=n))
        db.session.add(g)
        db.session.flush()
        for p in rng.sample(people, 3):
            db.session.add(Position(disagreement_id=g.id, participant_id=p.id, agency="School", view=text(rng, 40), evidence=text(rng, 8)))
    for _ in range(decisions):
        db.session.add(Decision(meeting_id=meeting.id, agenda_item_id=rng.choice(agenda).id, text=text(rng, 15), reasons=text(rng, 30),
                                evidence=text(rng, 8), status="agreed", dissenter_ids=[]))
    db.session.add(MinutesDetails(meeting_id=meeting.id, child_views=text(rng, 80), family_views=text(rng, 120),
                                  next_review_date=date(2028, 3, 1), recommendation="amend"))
    link = AccessLink(meeting_id=meeting.id, role="chair", token="benchmark-chair-token-" + "x" * 20)
    db.session.add(link)
    db.session.commit()
    return link.token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per format after the first (default 7)")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db")
        with app.app_context():
            db.create_all()
            token = seed(random.Random(args.seed), items=50, actions=200, disagreements=30, decisions=60, participants=20)
        client = app.test_client()

        from facilitation.services import minutes as service

        with app.app_context():
            meeting = db.session.get(Meeting, 1)
            builds = []
            for _ in range(args.runs + 1):
                began = time.perf_counter()
                service.live_minutes(meeting)
                builds.append(time.perf_counter() - began)

        rows = []
        for fmt in ORDER:
            times, size = [], 0
            for _ in range(args.runs + 1):
                began = time.perf_counter()
                response = client.get(f"/minutes/{token}/export/{fmt}?version=live")
                times.append(time.perf_counter() - began)
                assert response.status_code == 200, (fmt, response.status_code)
                size = len(response.data)
            rows.append((fmt, times[0], statistics.median(times[1:]), max(times[1:]), size, LIMITS[fmt]))
        with app.app_context():
            db.engine.dispose()

    cpu = platform.processor() or platform.machine()
    print("Minutes export, large meeting (50 items, 200 actions, 30 disagreements x 3 positions, 60 decisions, 20 people)")
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores ({cpu}); {args.runs} timed runs per format after a first, cold one")
    print(f"Building the minutes from the database alone: median {statistics.median(builds[1:]) * 1000:.0f} ms\n")
    print("| format | first (cold) s | median s | max s | limit s | size KiB | within limit |")
    print("|---|---|---|---|---|---|---|")
    for fmt, first, median, worst, size, limit in rows:
        ok = "yes" if max(first, worst) < limit else "NO"
        print(f"| {fmt} | {first:.3f} | {median:.3f} | {worst:.3f} | {limit:.0f} | {size / 1024:.0f} | {ok} |")


if __name__ == "__main__":
    main()
