#!/usr/bin/env python
"""CPU instructions the server spends per command and per connection, counted by valgrind.

Timings on a shared 2-core machine vary by 30 % from one process to the next (a plain Python loop
does); instruction counts vary by about 1 %. So a change to the command or connection path can be
judged here even when `room_fanout.py`'s two runs disagree. The app runs in-process with
Flask-SocketIO's test client (no network, no gevent: what is counted is the app's work and the test
client's, the same on both sides of a comparison), on SQLite, under
`valgrind --tool=cachegrind --cache-sim=no`, once with the warm-up only and once with N more; the
difference over N is the figure.

- commands: a signed-in chair sends clock.extend / clock.pause / clock.resume to a live meeting with 9 other
  participants connected (the events reach all 10), each acknowledged after its commit;
- connections: a participant who has joined before connects, syncs (a snapshot at a seq already
  built) and disconnects.

Usage:  .venv/bin/python benchmarks/instruction_counts.py                    # the working tree
        .venv/bin/python benchmarks/instruction_counts.py --git-ref 59c07b8  # and that revision beside it

Needs valgrind (Debian: apt-get install valgrind). About 5 minutes per revision; two revisions run
side by side, one per core.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

WARM_UP = 30
PATTERN = (("clock.extend", {"seconds": 60}), ("clock.pause", {}), ("clock.resume", {}))


def workload(kind: str, n: int, root: Path) -> None:
    """The measured work, in this process (run under valgrind by `count`)."""
    os.chdir(root)
    sys.path.insert(0, str(root))
    import logging

    logging.disable(logging.WARNING)
    import tests.conftest as fixtures
    from facilitation.extensions import socketio

    with fixtures.app_with(Path(tempfile.mkdtemp()), SOCKET_EVENTS_PER_SECOND=0) as app:
        client = app.test_client()
        staff = fixtures.add_staff(app)
        created = client.post(
            "/api/v1/meetings",
            json=fixtures.meeting_payload(),
            headers={"Authorization": f"Bearer {staff['api_token']}"},
        ).get_json()
        meeting_id, chair_token = created["meeting"]["id"], created["tokens"]["chair"]
        tokens = []
        for i in range(9 if kind == "commands" else 20):
            added = client.post(
                f"/api/v1/meetings/{meeting_id}/commands/participants.add",
                json={"name": f"Parent {i + 1}", "role": "parent", "agency": "family"},
                headers={"Authorization": f"Bearer {chair_token}"},
            ).get_json()
            tokens.append(added["join_path"].rsplit("/", 1)[1])
        fixtures.sign_in(client, staff["email"])  # the chair is signed in, as in a real meeting (a session cookie)
        chair = socketio.test_client(app, auth={"token": chair_token}, flask_test_client=client)
        ack = chair.emit("command", {"id": "start", "name": "clock.start_meeting", "args": {}}, callback=True)
        assert ack["ok"], ack
        if kind == "commands":
            others = [socketio.test_client(app, auth={"token": t}) for t in tokens]
            for k in range(WARM_UP + n):
                name, args = PATTERN[k % 3]
                ack = chair.emit("command", {"id": f"c{k}", "name": name, "args": args}, callback=True)
                assert ack["ok"], ack
                if k % 50 == 0:
                    for other in others:
                        other.get_received()
        else:
            for k in range(WARM_UP + n):
                participant = socketio.test_client(app, auth={"token": tokens[k % len(tokens)]})
                ack = participant.emit("sync", {}, callback=True)
                assert ack["ok"] and "snapshot" in ack, ack
                participant.disconnect()


def count(kind: str, n: int, root: Path) -> int:
    """Instructions of one run of the workload under cachegrind."""
    run = subprocess.run(
        [
            "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
            sys.executable, str(Path(__file__).resolve()), "--workload", kind, "--n", str(n), "--root", str(root),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},  # the same hashing, so the same work, every run
    )  # fmt: skip
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode != 0 or not found:
        raise RuntimeError(f"valgrind run failed ({kind}, n={n}):\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_unit(kind: str, n: int, root: Path) -> float:
    return (count(kind, n, root) - count(kind, 0, root)) / n


def measure(root: Path, commands: int, connections: int) -> tuple[float, float]:
    return per_unit("commands", commands, root), per_unit("connections", connections, root)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--git-ref", help="also count this committed revision (exported with git archive)")
    ap.add_argument("--commands", type=int, default=150, help=f"commands counted (after {WARM_UP} of warm-up)")
    ap.add_argument("--connections", type=int, default=100, help=f"connections counted (after {WARM_UP})")
    ap.add_argument("--workload", choices=("commands", "connections"), help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--root", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.workload:
        workload(args.workload, args.n, Path(args.root))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind).")
    import room_fanout as rf

    targets: list[tuple[str, Path]] = [("working tree", ROOT)]
    tmp = Path(tempfile.mkdtemp(prefix="instruction-counts-"))
    try:
        if args.git_ref:
            sha = rf.export_revision(args.git_ref, tmp / "before")
            targets.insert(0, (f"{args.git_ref} ({sha[:10]})", tmp / "before"))
        with ThreadPoolExecutor(max_workers=len(targets)) as pool:
            results = list(pool.map(lambda t: measure(t[1], args.commands, args.connections), targets))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"Instructions (millions) per command ({args.commands}, 10-person room) and per connection")
    print(f"({args.connections}: connect, sync, disconnect), in-process, counted by valgrind's cachegrind:\n")
    print_counts([name for name, _ in targets], results, "instruction_counts.py", argv)


def print_counts(names: list[str], results: list[tuple[float, float]], script: str, argv: list[str] | None) -> None:
    """The table of instructions per command and per connection, the change when there are two, the command."""
    print("| code | per command | per connection |")
    print("|---|---:|---:|")
    for name, (cmd, conn) in zip(names, results, strict=True):
        print(f"| {name} | {cmd / 1e6:.2f} M | {conn / 1e6:.2f} M |")
    if len(results) == 2:
        (b_cmd, b_conn), (a_cmd, a_conn) = results
        print(f"| change | {100 * (a_cmd / b_cmd - 1):+.1f} % | {100 * (a_conn / b_conn - 1):+.1f} % |")
    print(f"\nCommand: {' '.join(['.venv/bin/python', f'benchmarks/{script}', *(argv or sys.argv[1:])])}")


if __name__ == "__main__":
    main()
