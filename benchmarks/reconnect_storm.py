#!/usr/bin/env python
"""Reconnect storm: a full house comes back after a restart.

Every browser reconnects at once after a deploy or a crash. This benchmark connects C clients across
M meetings (default 1,000 across 100), has every chair record commands, then:

* **one process (SQLite, as `make run` serves):** kills the server (SIGKILL, as a crash) right after
  the last acknowledged commands and starts it again on the same port and database;
* **two processes (PostgreSQL + a Redis queue):** kills one of the two; its clients come back through
  whichever process answers (as behind a load balancer), the other process's clients stay connected.

Each client reconnects as the browser's `room-core.js` does with socket.io-client's own policy
(exponential back-off from 1 s, at most 4 s, each delay jittered by +-50 %), then asks to `sync` from
the last seq it saw: the missed events are replayed, or it gets a snapshot when too far behind.
Measured: seconds until every client has the exact state (its meeting's last acknowledged seq)
after the server listens again and from the crash, connection attempts, replays against snapshots,
errors, the server's peak CPU and memory during the storm, and that a command sent after the storm
reaches everyone. A client that never catches up, or an acknowledged command whose event is missing,
fails the run.

Usage:  .venv/bin/python benchmarks/reconnect_storm.py                  # 1,000 clients in 100 meetings
        .venv/bin/python benchmarks/reconnect_storm.py --clients 200 --meetings 20 --no-scale-out

Only 127.0.0.1 is used; every subprocess runs in its own process group and is killed on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shlex
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from room_fanout import (  # noqa: E402  (the fan-out benchmark's server, client and report pieces)
    PG_SERVER,
    REDIS_URL,
    Lean,
    Proc,
    _kill_children,
    _pg_admin,
    connect_many,
    http_json,
    machine_facts,
    make_meeting,
    raise_nofile,
    scale_out_unavailable,
    start_project,
)

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
MARK_START, MARK_END = "<!-- reconnect-storm:start -->", "<!-- reconnect-storm:end -->"

#: socket.io-client's reconnection policy as room-core.js sets it (reconnectionDelay 1000,
#: reconnectionDelayMax 4000, randomizationFactor 0.5).
FIRST_DELAY, MAX_DELAY, JITTER = 1.0, 4.0, 0.5


def backoff(attempt: int) -> float:
    """The delay before reconnection attempt `attempt` (0-based), jittered as socket.io-client does."""
    delay = min(FIRST_DELAY * 2**attempt, MAX_DELAY)
    return delay * (1 + random.uniform(-JITTER, JITTER))


class Seen:
    """What one client has seen: the highest seq delivered to it (live or replayed)."""

    def __init__(self) -> None:
        self.seq = 0
        self.changed = asyncio.Event()

    def add(self, group: int, seq: int, t: float) -> None:  # the Lean client's collector interface
        if seq > self.seq:
            self.seq = seq
            self.changed.set()


@dataclass
class Client:
    meeting: int
    token: str
    ports: list[int]
    seen: Seen = field(default_factory=Seen)
    conn: Lean | None = None
    attempts: int = 0
    failures: int = 0
    replays: int = 0
    snapshots: int = 0
    caught_up_at: float | None = None


async def open_client(port: int, client: Client, timeout: float = 10) -> Lean:
    loop = asyncio.get_running_loop()
    url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
    _, conn = await asyncio.wait_for(
        loop.create_connection(lambda: Lean(url, client.token, client.seen), "127.0.0.1", port), timeout
    )
    await asyncio.wait_for(conn.ready, timeout)
    return conn


async def sync(client: Client, timeout: float = 20) -> None:
    """Ask for what was missed since the last seq seen, as room-core.js does on every (re)connect."""
    ack = await asyncio.wait_for(client.conn.emit("sync", {"last_seq": client.seen.seq}), timeout)
    if not ack.get("ok"):
        raise RuntimeError(f"sync refused: {ack}")
    if "events" in ack:
        client.replays += 1
        for event in ack["events"]:
            client.seen.add(0, event["seq"], 0.0)
    else:
        client.snapshots += 1
        client.seen.add(0, ack["snapshot"]["seq"], 0.0)


async def come_back(client: Client, target: dict[int, int], t0: float, deadline: float) -> None:
    """Reconnect with jittered back-off (any of the client's ports, in turn) until caught up or out of time."""
    attempt = 0
    while time.monotonic() < deadline:
        await asyncio.sleep(backoff(attempt))
        port = client.ports[attempt % len(client.ports)]
        attempt += 1
        client.attempts += 1
        try:
            client.conn = await open_client(port, client)
            await sync(client)
        except Exception:
            client.failures += 1
            if client.conn is not None:
                client.conn.close()
                client.conn = None
            continue
        while client.seen.seq < target[client.meeting] and time.monotonic() < deadline:
            client.seen.changed.clear()
            try:
                await asyncio.wait_for(client.seen.changed.wait(), 1.0)
            except TimeoutError:
                pass
        if client.seen.seq >= target[client.meeting]:
            client.caught_up_at = time.monotonic() - t0
        return


class Sampler:
    """The peak CPU (% of one core) and resident memory of server processes, sampled every 100 ms."""

    def __init__(self) -> None:
        self.peak_cpu = 0.0
        self.peak_rss_mib = 0.0
        self._task: asyncio.Task | None = None

    async def _run(self, servers: list[Proc]) -> None:
        last: dict[int, tuple[int, float, float]] = {}  # server -> (pid, cpu seconds, when)
        while True:
            await asyncio.sleep(0.1)
            for s in servers:
                try:
                    pid, cpu, now = s.proc.pid, s.cpu_seconds(), time.monotonic()
                    rss = s.rss_kib() / 1024
                except (OSError, RuntimeError, AttributeError, IndexError, ValueError):
                    continue  # between the kill and the restart
                prev_pid, prev_cpu, prev_t = last.get(id(s), (None, 0.0, 0.0))
                if prev_pid == pid and now > prev_t:
                    self.peak_cpu = max(self.peak_cpu, 100 * (cpu - prev_cpu) / (now - prev_t))
                last[id(s)] = (pid, cpu, now)
                self.peak_rss_mib = max(self.peak_rss_mib, rss)

    def start(self, servers: list[Proc]) -> None:
        self._task = asyncio.ensure_future(self._run(servers))

    def stop(self) -> None:
        if self._task:
            self._task.cancel()


@dataclass
class Storm:
    label: str
    clients: int
    meetings: int
    restart_s: float = float("nan")
    all_back_s: float = float("nan")
    all_back_from_crash_s: float = float("nan")
    p50_s: float = float("nan")
    attempts: int = 0
    failures: int = 0
    replays: int = 0
    snapshots: int = 0
    behind: int = 0
    live_after: str = ""
    peak_cpu: float = 0.0
    peak_rss_mib: float = 0.0
    skipped: str | None = None


def chair_command(port: int, meeting_id: int, chair: str, n: int) -> int:
    """One acknowledged chair command over the JSON API; returns its seq."""
    name, args = (("clock.pause", {}), ("clock.resume", {}))[n % 2]
    status, body = http_json(port, "POST", f"/api/v1/meetings/{meeting_id}/commands/{name}", args, chair)
    if status != 200:
        raise RuntimeError(f"{name}: {status} {body}")
    return body["seq"]


async def storm(label: str, servers: list[Proc], restart, args) -> Storm:
    """Connect everyone, record, crash `servers[-1]`, bring it back with `restart`, measure the return."""
    out = Storm(label, args.clients, args.meetings)
    per_meeting = args.clients // args.meetings
    meetings = [await asyncio.to_thread(make_meeting, servers[0].port, min(per_meeting, 10), f"Storm {i}")
                for i in range(args.meetings)]
    ports = [s.port for s in servers]
    clients = [
        Client(m.id, m.participants[j % len(m.participants)], [ports[(i * per_meeting + j) % len(ports)]])
        for i, m in enumerate(meetings) for j in range(per_meeting)
    ]
    for c in clients:  # where a client comes back to: its own process first, then any other
        c.ports += [p for p in ports if p not in c.ports]
    conns, _ = await connect_many([lambda c=c: open_client(c.ports[0], c) for c in clients], 50)
    for c, conn in zip(clients, conns, strict=True):
        c.conn = conn
    target = {m.id: 0 for m in meetings}
    for round_ in range(args.commands):
        seqs = await asyncio.gather(*(asyncio.to_thread(chair_command, servers[0].port, m.id, m.chair, round_)
                                      for m in meetings))
        target.update({m.id: seq for m, seq in zip(meetings, seqs, strict=True)})
    await asyncio.sleep(0.5)
    victim = servers[-1]
    gone = [c for c in clients if c.ports[0] == victim.port]
    sampler = Sampler()
    sampler.start(servers)
    t0 = time.monotonic()
    os.killpg(victim.proc.pid, signal.SIGKILL)  # a crash: right after the last acknowledged commands
    victim.proc.wait(10)
    for c in gone:
        c.conn.closed = True
        c.conn = None
    deadline = t0 + args.timeout
    returning = [asyncio.ensure_future(come_back(c, target, t0, deadline)) for c in gone]
    await asyncio.to_thread(restart, victim)
    out.restart_s = time.monotonic() - t0
    await asyncio.gather(*returning)
    sampler.stop()
    back = sorted(c.caught_up_at for c in gone if c.caught_up_at is not None)
    out.behind = sum(1 for c in clients if c.seen.seq < target[c.meeting])
    if back:
        out.all_back_from_crash_s = back[-1]
        out.all_back_s = back[-1] - out.restart_s
        out.p50_s = back[len(back) // 2] - out.restart_s
    out.attempts = sum(c.attempts for c in gone)
    out.failures = sum(c.failures for c in gone)
    out.replays = sum(c.replays for c in gone)
    out.snapshots = sum(c.snapshots for c in gone)
    out.peak_cpu, out.peak_rss_mib = sampler.peak_cpu, sampler.peak_rss_mib
    # Life goes on: one more command in every meeting reaches every client.
    for m in meetings:
        target[m.id] = await asyncio.to_thread(chair_command, servers[0].port, m.id, m.chair, args.commands)
    until = time.monotonic() + 15
    while time.monotonic() < until and any(c.seen.seq < target[c.meeting] for c in clients):
        await asyncio.sleep(0.1)
    missing = sum(1 for c in clients if c.seen.seq < target[c.meeting])
    out.live_after = "all" if not missing else f"{missing} missing"
    for c in clients:
        if c.conn is not None:
            c.conn.close()
    return out


def restart_same(proc: Proc) -> None:
    """Start the killed server again on its port and database (as a supervisor would)."""
    proc.proc = None
    deadline = time.monotonic() + 30
    while True:
        try:
            proc.start()
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)  # the port may still be held for a moment


async def run(args) -> list[Storm]:
    results: list[Storm] = []
    with tempfile.TemporaryDirectory(prefix="cg-storm-") as tmp:
        workdir = Path(tmp)
        log(f"one process on SQLite: {args.clients} clients in {args.meetings} meetings")
        server = start_project(workdir, "sqlite")
        try:
            results.append(await storm("1 process, SQLite: server killed and restarted", [server], restart_same, args))
        finally:
            server.stop()
        if args.no_scale_out:
            return results
        reason = scale_out_unavailable()
        label = "2 processes, PostgreSQL + Redis: one killed and restarted"
        if reason:
            results.append(Storm(label, args.clients, args.meetings, skipped=reason))
            return results
        name = f"cg_storm_{os.getpid()}"
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {name}")
        env = {"DATABASE_URL": f"{PG_SERVER}/{name}", "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
               "SOCKETIO_CHANNEL": f"storm-{os.getpid()}"}
        servers: list[Proc] = []
        try:
            log(f"two processes on PostgreSQL + Redis: {args.clients} clients in {args.meetings} meetings")
            servers = [start_project(workdir, "pg-0", env), start_project(workdir, "pg-1", env, prepare=False)]
            results.append(await storm(label, servers, restart_same, args))
        finally:
            for s in servers:
                s.stop()
            _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return results


def table(results: list[Storm], args, facts: list[str]) -> str:
    rows = [
        "| set-up | clients | listening again | all caught up (after listening / from the crash) | median client back "
        "| attempts (failed) | replays / snapshots | left behind | next command reached | server peak CPU / RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r.skipped:
            rows.append(f"| {r.label} | skipped: {r.skipped} ||||||||")
            continue
        rows.append(
            f"| {r.label} | {r.clients} in {r.meetings} meetings | {r.restart_s:.1f} s | {r.all_back_s:.1f} s / "
            f"{r.all_back_from_crash_s:.1f} s | {r.p50_s:.1f} s | {r.attempts} ({r.failures}) | {r.replays} / "
            f"{r.snapshots} | {r.behind} | {r.live_after} | {r.peak_cpu:.0f} % / {r.peak_rss_mib:.0f} MiB |"
        )
    command = "`" + shlex.join([".venv/bin/python", "benchmarks/reconnect_storm.py", *sys.argv[1:]]) + "`"
    return "\n".join([
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with {command}, "
        f"{args.commands} acknowledged commands per meeting before the crash.",
        "",
        *[f"- {f}" for f in facts],
        "",
        *rows,
        "",
        "Clients reconnect with socket.io-client's policy as `room-core.js` sets it (1 s doubling to 4 s, "
        "+-50 % jitter) and catch up with `sync` from their last seq (a replay of the missed events). "
        "\"Left behind\" counts clients without their meeting's last acknowledged event at the end (must be 0).",
    ])


def write_docs(text: str) -> None:
    block = f"{MARK_START}\n{text}\n{MARK_END}"
    current = DOCS.read_text() if DOCS.exists() else ""
    if MARK_START in current:
        before, rest = current.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1] if MARK_END in rest else ""
        DOCS.write_text(before + block + after)
    else:
        DOCS.write_text(current.rstrip() + "\n\n# Benchmarks: a reconnect storm after a restart\n\n" + block + "\n")


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--meetings", type=int, default=100)
    ap.add_argument("--commands", type=int, default=3, help="acknowledged commands per meeting before the crash")
    ap.add_argument("--timeout", type=float, default=60, help="seconds a client may take to come back")
    ap.add_argument("--no-scale-out", action="store_true", help="only the one-process set-up")
    ap.add_argument("--docs", default="yes", help="'' to leave docs/benchmarks.md alone")
    args = ap.parse_args()
    raise_nofile(4 * args.clients + 256)
    facts = machine_facts(Path(tempfile.gettempdir()))
    try:
        results = asyncio.run(run(args))
    finally:
        _kill_children()
    text = table(results, args, facts)
    print(text)
    if args.docs:
        write_docs(text)
    bad = [r for r in results if not r.skipped and (r.behind or r.live_after != "all")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
