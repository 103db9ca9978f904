#!/usr/bin/env python
"""How much slower does this machine run the same work just after a pause?

`room_fanout.py`'s fan-out rows pause 5 ms after each command's deliveries, and charge the server's CPU
over the round to its commands; its commands/s rows send the next command at once. On some virtual
machines a core left idle for a few milliseconds runs the next piece of work much slower (its caches
and branch history taken by other work on the host meanwhile), so the same server code costs more CPU
per command in the fan-out rows than back-to-back. This prints the CPU time of a fixed piece of pure
Python work (JSON encoding and decoding, sorting: about 1 ms) run back to back and with a pause after
each, alternating, pinned to one CPU. No server, no database: it describes the machine, not the project.

Usage:  .venv/bin/python benchmarks/idle_penalty.py            # 5 ms pauses, 4 rounds of each
        .venv/bin/python benchmarks/idle_penalty.py --pause-ms 1 --rounds 6
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

DATA = [{"id": i, "name": f"Participant {i}", "role": "parent", "tags": list(range(i % 7))} for i in range(120)]


def work() -> int:
    total = 0
    for _ in range(6):
        back = json.loads(json.dumps(DATA))
        total += sum(len(d["tags"]) for d in back)
        total += len(sorted(back, key=lambda d: (d["role"], -d["id"])))
    return total


def cpu_ms_per_run(runs: int, pause: float) -> float:
    for _ in range(20):
        work()
    start = time.process_time()
    for _ in range(runs):
        work()
        if pause:
            time.sleep(pause)
    return 1e3 * (time.process_time() - start) / runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pause-ms", type=float, default=5.0, help="pause after each run (room_fanout.py's --gap-ms)")
    ap.add_argument("--rounds", type=int, default=4, help="rounds of each, alternated")
    ap.add_argument("--runs", type=int, default=300, help="runs of the work per round")
    ap.add_argument("--cpu", type=int, default=1, help="CPU to pin to (room_fanout.py pins its servers to 1)")
    ap.add_argument("--json", action="store_true", help="print only the two medians as JSON (room_fanout.py)")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity") and args.cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {args.cpu})
    straight, paused = [], []
    for _ in range(args.rounds):
        straight.append(cpu_ms_per_run(args.runs, 0.0))
        paused.append(cpu_ms_per_run(args.runs, args.pause_ms / 1e3))
    if args.json:
        print(json.dumps({"straight_ms": statistics.median(straight), "paused_ms": statistics.median(paused)}))
        return
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print("| work run | CPU ms per run, each round | median |")
    print("|---|---|---:|")
    print(f"| back to back | {', '.join(f'{x:.2f}' for x in straight)} | {statistics.median(straight):.2f} |")
    print(
        f"| with a {args.pause_ms:g} ms pause after each | {', '.join(f'{x:.2f}' for x in paused)} | "
        f"{statistics.median(paused):.2f} |"
    )
    print()
    print(
        f"nproc {os.cpu_count()} ({model}), {platform.system()} {platform.release()}; load average now "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print(f"Command: `.venv/bin/python benchmarks/idle_penalty.py --pause-ms {args.pause_ms:g} --rounds {args.rounds}`")


if __name__ == "__main__":
    main()
