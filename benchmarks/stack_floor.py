#!/usr/bin/env python
"""The floor under the server's figures: what the stack the project runs on (Flask-SocketIO, python-
socketio and python-engineio on gevent with gevent-websocket) costs per connection and per command
with no database, no checks and no rules, beside the project, in one run, on the same CPUs.

The bare app: `connect` joins one room; `sync` answers with a fixed snapshot as big as the project's
for a 40-person meeting (about 18 KB); `command` sends a fixed event as big as the project's (about
1.1 KB) to the room, encoded once, through python-socketio's own queue per connection (the project
writes to idle WebSockets directly, which costs less), and acks. Clients are
room_fanout.py's lean client; the servers run pinned to one CPU and the client to the other.

Usage:  .venv/bin/python benchmarks/stack_floor.py                  # 300 connections, 5 s of commands
        .venv/bin/python benchmarks/stack_floor.py --connections 500 --seconds 8

Only 127.0.0.1 is used; the servers are stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
from pathlib import Path
from time import perf_counter, process_time

sys.path.insert(0, str(Path(__file__).resolve().parent))

import room_fanout as rf  # noqa: E402

PARTICIPANT = {
    "id": 1, "name": "Parent 1", "role": "parent", "role_label": "Parent or carer", "agency": "family",
    "agency_label": "Family", "attendance": "remote", "attendance_label": "Joined remotely", "arrived_late": False,
    "left_early": False, "joined_at": "2026-12-06T09:00:00.000+00:00", "attendance_confirmed": False,
    "language": None, "needs_interpreter": False, "version": 2,
}  # fmt: skip
ITEM = {
    "id": 1, "position": 1, "title": "Welcome, introductions and purpose of the review", "presenter": None,
    "allocated_seconds": 300, "extended_seconds": 0, "time_scale": 1.0, "status": "pending", "deferred": False,
    "visits": 0, "elapsed_before": 0.0, "run_started_at": None, "started_at": None, "ended_at": None,
    "ends_at": None, "actual_seconds": None, "version": 1,
}  # fmt: skip


def fixed_snapshot() -> dict:
    return {
        "seq": 50,
        "server_now": "2026-12-06T09:00:00.000+00:00",
        "viewer": {"role": "participant", "participant_id": 1},
        "meeting": {"id": 1, "title": "Benchmark review", "status": "live", "projected_end": None, "version": 3},
        "items": [dict(ITEM, id=i, position=i) for i in range(1, 9)],
        "participants": [dict(PARTICIPANT, id=i, name=f"Parent {i}") for i in range(1, 41)],
        "decisions": [], "actions": [], "disagreements": [], "outcomes": [], "amendments": [], "speaking_requests": [],
    }  # fmt: skip


def serve(port: int) -> None:
    """The bare Flask-SocketIO app under gevent's WSGI server with gevent-websocket, as app.py serves."""
    from gevent import monkey

    monkey.patch_all()
    from engineio import packet as eio_packet
    from flask import Flask
    from flask_socketio import SocketIO, join_room
    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler
    from socketio import packet as sio_packet

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "floor"
    socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins="*")
    snapshot = fixed_snapshot()
    event = {"seq": 0, "type": "clock.extend", "data": {"meeting": snapshot["meeting"], "items": snapshot["items"][:2]}}
    state = {"seq": 0}

    @socketio.on("connect")
    def connect(auth=None):
        join_room("room")
        return True

    @socketio.on("sync")
    def sync(data=None):
        return {"ok": True, "snapshot": snapshot}

    @socketio.on("command")
    def command(data=None):
        state["seq"] += 1
        server = socketio.server
        text = server.packet_class(
            sio_packet.EVENT, namespace="/", data=["event", dict(event, seq=state["seq"])]
        ).encode()
        pkt = eio_packet.Packet(eio_packet.MESSAGE, text)
        for _, eio_sid in server.manager.get_participants("/", "room"):
            server._send_eio_packet(eio_sid, pkt)
        return {"ok": True, "seq": state["seq"]}

    # a listener with TCP_NODELAY and the same backlog, as facilitation.serving.listener makes
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(1024)
    pywsgi.WSGIServer(listener, app, handler_class=WebSocketHandler, log=None).serve_forever()


def start_floor(workdir: Path) -> rf.Proc:
    port = rf.free_port()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", "--port", str(port)]
    return rf.Proc("floor", cmd, dict(os.environ), port, workdir / "floor.log").start()


async def connections(server: rf.Proc, tokens: list[str], n: int, concurrency: int) -> dict:
    """Open n connections with a sync each, `concurrency` at a time: rate and CPU per connection."""
    srv0, cpu0 = server.cpu_seconds(), process_time()
    clients, seconds = await rf.connect_many(
        [lambda i=i: rf.open_lean(server.port, tokens[i % len(tokens)], None) for i in range(n)], concurrency
    )
    result = {
        "per_s": n / seconds,
        "server_ms": 1e3 * (server.cpu_seconds() - srv0) / n,
        "client_ms": 1e3 * (process_time() - cpu0) / n,
    }
    for c in clients:
        c.close()
    await asyncio.sleep(0.5)
    return result


async def commands(server: rf.Proc, chair_token: str, tokens: list[str], seconds: float) -> dict:
    """Back-to-back commands from one chair to 10 connected listeners: rate and server CPU per command."""
    collector = rf.Collector(expect=10)
    chair = await rf.open_lean(server.port, chair_token, None)
    listeners, _ = await rf.connect_many(
        [lambda i=i: rf.open_lean(server.port, tokens[i], collector) for i in range(10)]
    )
    cycle = rf.Cycle()
    for _ in range(30):
        await asyncio.wait_for(chair.command(*cycle.next()), 10)
    ok = 0
    srv0, t0 = server.cpu_seconds(), perf_counter()
    while perf_counter() - t0 < seconds:
        ack = await asyncio.wait_for(chair.command(*cycle.next()), 10)
        ok += bool(ack.get("ok"))
    wall = perf_counter() - t0
    result = {"per_s": ok / wall, "server_ms": 1e3 * (server.cpu_seconds() - srv0) / max(1, ok)}
    for c in listeners + [chair]:
        c.close()
    await asyncio.sleep(0.3)
    return result


async def main(args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="stack-floor-"))
    rows = []
    try:
        floor = start_floor(workdir)
        try:
            tokens = [f"t{i}" for i in range(40)]
            conn = await connections(floor, tokens, args.connections, args.concurrency)
            cmd = await commands(floor, "chair", tokens, args.seconds)
            rows.append(("bare Flask-SocketIO on gevent (no database)", conn, cmd))
        finally:
            floor.stop()
        project = rf.start_project(workdir, "project")
        try:
            meeting = await asyncio.to_thread(rf.make_meeting, project.port, 40)
            # every participant has joined once (their attendance taken), as in a meeting under way
            first = await rf.connect_many(
                [lambda t=t: rf.open_lean(project.port, t, None) for t in meeting.participants]
            )
            for c in first[0]:
                c.close()
            await asyncio.sleep(0.5)
            conn = await connections(project, meeting.participants, args.connections, args.concurrency)
            cmd = await commands(project, meeting.chair, meeting.participants, args.seconds)
            rows.append(("the project (SQLite, every check, audit and event)", conn, cmd))
        finally:
            project.stop()
    finally:
        rf._kill_children()
    print()
    print(
        "| server | connections/s with sync | server ms per connection | commands/s back-to-back | server ms per command |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, conn, cmd in rows:
        print(
            f"| {name} | {conn['per_s']:.0f} | {conn['server_ms']:.2f} | {cmd['per_s']:.0f} | {cmd['server_ms']:.2f} |"
        )
    print()
    facts = rf.machine_facts(workdir)
    print(
        f"{args.connections} connections, {args.concurrency} at a time; commands for {args.seconds:g} s to a room of 10."
    )
    print(rf.machine_now(facts))
    print(
        f"Command: `.venv/bin/python benchmarks/stack_floor.py --connections {args.connections} --seconds {args.seconds:g}`"
    )


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--connections", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=5.0, help="seconds of back-to-back commands")
    ap.add_argument("--no-pin", action="store_true")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    return ap.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    if args.serve:
        serve(args.port)
    else:
        rf.PINNING[0] = rf.plan_pinning(not args.no_pin)
        rf.run_loop(main(args))
