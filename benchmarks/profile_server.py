#!/usr/bin/env python
"""Where does the server's time go? py-spy samples the running server while a chair sends commands
to a 10-person meeting (or while participants connect and sync), and this prints a table of the
functions with the most time, as cumulative milliseconds per command (or per connection).

Usage:  .venv/bin/python benchmarks/profile_server.py                 # commands, 10-person room
        .venv/bin/python benchmarks/profile_server.py --phase connect # connect + sync
        .venv/bin/python benchmarks/profile_server.py --top 25 --commands 1500

Needs py-spy (requirements-dev.txt) and the right to trace a child process (root, or
ptrace_scope 0). Only 127.0.0.1 is used; the server is stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import room_fanout as rf  # noqa: E402


def table(raw: Path, per: int, rate: int, top: int, what: str) -> str:
    """Cumulative and own milliseconds per `what` from py-spy's collapsed stacks."""
    cumulative: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [
            f.split(" (")[0] + " (" + f.split(" (")[1].rsplit(":", 1)[0] + ")" if " (" in f else f
            for f in stack.split(";")
        ]
        for name in set(frames):
            cumulative[name] += n
        own[frames[-1]] += n
    ms = lambda n: 1e3 * n / rate / per  # noqa: E731
    lines = [
        f"samples {total} at {rate}/s over {per} {what}s: {ms(total):.2f} ms of server CPU per {what}",
        "",
        f"| function | cumulative ms per {what} | own ms per {what} |",
        "| --- | ---: | ---: |",
    ]
    for name, n in cumulative.most_common(top):
        lines.append(f"| `{name}` | {ms(n):.3f} | {ms(own[name]):.3f} |")
    lines += ["", f"| function (most own time) | own ms per {what} |", "| --- | ---: |"]
    for name, n in own.most_common(top):
        lines.append(f"| `{name}` | {ms(n):.3f} |")
    return "\n".join(lines)


def cpu_split(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


async def drive(args, workdir: Path) -> str:
    """Start a server, prepare a meeting, record it with py-spy while it works; returns the table."""
    server = rf.start_project(workdir, "profile")
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    raw = workdir / "profile.txt"
    try:
        meeting = await asyncio.to_thread(rf.make_meeting, server.port, min(args.size, rf.MAX_PARTICIPANTS))
        collector = rf.Collector(expect=args.size)
        tokens = meeting.participants
        chair = await rf.open_lean(server.port, meeting.chair, None)
        send = rf.lean_sender(chair, rf.Cycle())
        await rf.warm_up(send, None, 30)
        if args.phase == "command":
            clients, _ = await rf.connect_many(
                [lambda i=i: rf.open_lean(server.port, tokens[i % len(tokens)], collector) for i in range(args.size)]
            )
            await rf.warm_up(send, collector, 30)
        spy = subprocess.Popen(
            [
                pyspy,
                "record",
                "--pid",
                str(server.proc.pid),
                "--rate",
                str(args.rate),
                "--format",
                "raw",
                "--output",
                str(raw),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        await asyncio.sleep(1.0)  # py-spy attaches
        cpu0 = server.cpu_seconds()
        split0 = cpu_split(server.proc.pid)
        if args.phase == "command":
            for _ in range(args.commands):
                _, seq = await send()
                await collector.wait((0, seq), 5)
                collector.recv.pop((0, seq), None)
            per = args.commands
        else:
            opened = []
            for start in range(0, args.connections, 50):
                batch, _ = await rf.connect_many(
                    [
                        lambda i=i: rf.open_lean(server.port, tokens[i % len(tokens)], None)
                        for i in range(start, min(args.connections, start + 50))
                    ]
                )
                opened += batch
            for c in opened:
                c.close()
            per = args.connections
        used = server.cpu_seconds() - cpu0
        user, system = (b - a for a, b in zip(split0, cpu_split(server.proc.pid), strict=True))
        await asyncio.sleep(0.5)
        spy.send_signal(2)
        spy.wait(30)
    except Exception:
        print(server.log.read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        server.stop()
    what = "command" if args.phase == "command" else "connection"
    head = (
        f"server CPU (from /proc) {1e3 * used / per:.2f} ms per {what} over {per} "
        f"(user {1e3 * user / per:.2f} ms, system {1e3 * system / per:.2f} ms)"
    )
    return head + "\n" + table(raw, per, args.rate, args.top, what)


def main() -> int:
    """Run the profile and print its table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", choices=["command", "connect"], default="command")
    parser.add_argument("--size", type=int, default=10, help="participants connected (commands phase)")
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=300)
    parser.add_argument("--rate", type=int, default=1000, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="profile-server-"))
    try:
        print(asyncio.run(drive(args, workdir)))
    finally:
        rf._kill_children()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
