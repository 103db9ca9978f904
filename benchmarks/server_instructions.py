#!/usr/bin/env python
"""CPU instructions the real server spends per command and per connection, counted by valgrind.

`instruction_counts.py` counts the app in-process with Flask-SocketIO's test client: no network, no
gevent, no engine.io, no WebSocket framing. This one counts `python app.py` itself, as `make run`
serves it, under `valgrind --tool=cachegrind --cache-sim=no`, driven over 127.0.0.1 by
`room_fanout.py`'s lean client. Instruction counts do not move with other load on the machine (a
run's wall-clock figures here move by 10 to 30 %), so a change to the served path shows even when
`room_fanout.py`'s runs disagree.

Each revision's server is started twice, on a fresh database each time, and both times gets the
same meeting of 10 connected participants and the same warm-up; then one server gets N commands
from the chair (clock.extend / clock.pause / clock.resume, each acknowledged after its commit and
delivered to all 11 sockets) and M connections (a participant who has joined before connects,
syncs and disconnects), the other none. The difference of the two totals over N (or M) is the
figure: start-up and warm-up cancel out. The commands and the connections are counted in
separate pairs of servers.

Usage:  .venv/bin/python benchmarks/server_instructions.py                    # the working tree
        .venv/bin/python benchmarks/server_instructions.py --git-ref 536df20  # that revision first

Needs valgrind (Debian: apt-get install valgrind). Under valgrind the server runs about 50 times
slower: about 4 minutes per revision, the two servers of a pair side by side, one per core.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import room_fanout as rf  # noqa: E402
from instruction_counts import print_counts  # noqa: E402

WARM_UP = 30
PARTICIPANTS = 10


async def drive(port: int, commands: int, connections: int) -> None:
    """The same meeting and warm-up on every server, then `commands` commands and `connections` connections."""
    meeting = await asyncio.to_thread(rf.make_meeting, port, PARTICIPANTS)
    collector = rf.Collector(expect=PARTICIPANTS)
    timeout = 120  # valgrind is slow; only a stuck server takes this long
    chair = await rf.open_lean(port, meeting.chair, None, timeout=timeout)
    clients = [await rf.open_lean(port, t, collector, timeout=timeout) for t in meeting.participants[:PARTICIPANTS]]
    cycle = rf.Cycle()
    for _ in range(WARM_UP):
        ack = await asyncio.wait_for(chair.command(*cycle.next()), timeout)
        assert ack.get("ok"), ack
    for _ in range(commands):
        ack = await asyncio.wait_for(chair.command(*cycle.next()), timeout)
        assert ack.get("ok"), ack
    for k in range(connections):
        visitor = await rf.open_lean(port, meeting.participants[k % PARTICIPANTS], None, timeout=timeout)
        visitor.close()
        await asyncio.sleep(0.05)  # its disconnect is handled before the next connects
    await asyncio.sleep(1.0)
    for client in [chair, *clients]:
        client.close()
    await asyncio.sleep(1.0)


def count(workdir: Path, tag: str, commands: int, connections: int) -> int:
    """Instructions of one server run under cachegrind (start-up, the drive, the stop)."""
    folder = workdir / tag
    folder.mkdir(parents=True)
    rf.init_db(folder, None)
    token = rf.create_staff(folder, None)
    port = rf.free_port()
    rf.API_TOKENS[port] = token
    log = folder / "valgrind.log"
    cmd = [
        "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", f"--log-file={log}",
        sys.executable, "app.py",
    ]  # fmt: skip
    env = {**rf.project_env(port, folder), "PYTHONHASHSEED": "0"}
    server = rf.Proc(f"server[{tag}]", cmd, env, port, folder / "server.log").start(timeout=300)
    try:
        asyncio.run(drive(port, commands, connections))
    finally:
        os.killpg(server.proc.pid, signal.SIGTERM)  # valgrind writes its totals as the process ends
        server.proc.wait(120)
    found = re.search(r"I\s+refs:\s+([\d,]+)", log.read_text())
    if not found:
        raise RuntimeError(f"no count from valgrind ({tag}):\n{log.read_text()[-2000:]}")
    return int(found.group(1).replace(",", ""))


def measure(workdir: Path, commands: int, connections: int) -> tuple[float, float]:
    """(instructions per command, per connection) of the source tree in rf.APP_DIR."""
    runs = {
        "base": (0, 0),
        "commands": (commands, 0),
        "base-connections": (0, 0),
        "connections": (0, connections),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        totals = dict(zip(runs, pool.map(lambda item: count(workdir, item[0], *item[1]), runs.items()), strict=True))
    per_command = (totals["commands"] - totals["base"]) / commands
    per_connection = (totals["connections"] - totals["base-connections"]) / connections
    return per_command, per_connection


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--git-ref", help="also count this committed revision (exported with git archive), first")
    ap.add_argument("--commands", type=int, default=300, help=f"commands counted (after {WARM_UP} of warm-up)")
    ap.add_argument("--connections", type=int, default=100, help="connections counted")
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind).")
    rf.PIN.clear()  # valgrind runs one thread: the pair of servers takes both cores
    tmp = Path(tempfile.mkdtemp(prefix="server-instructions-"))
    targets: list[tuple[str, Path]] = [("working tree", rf.ROOT)]
    results = []
    try:
        if args.git_ref:
            sha = rf.export_revision(args.git_ref, tmp / "before")
            targets.insert(0, (f"{args.git_ref} ({sha[:10]})", tmp / "before"))
        for i, (name, source) in enumerate(targets):
            rf.APP_DIR = source
            rf.log(f"counting {name}")
            results.append(measure(tmp / f"run{i}", args.commands, args.connections))
    finally:
        rf.APP_DIR = rf.ROOT
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nInstructions (millions) the server (`python app.py`, gevent, SQLite) spends per command ({args.commands},")
    print(f"10-person room, each delivered to 11 sockets) and per connection ({args.connections}: connect, sync,")
    print("disconnect), counted by valgrind's cachegrind:\n")
    print_counts([name for name, _ in targets], results, "server_instructions.py", argv)


if __name__ == "__main__":
    main()
