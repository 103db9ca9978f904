#!/usr/bin/env python
"""Room fan-out benchmark: how fast does a committed command reach everyone in a meeting?

One invocation starts the project's server exactly as `make run` serves it (`flask init-db`, then
`python app.py`, gevent, SQLite in a temporary folder), creates meetings over the JSON API,
connects clients over Socket.IO and measures:

* fan-out latency: chair sends `command` -> each participant receives the matching `event`
  (matched on `seq`), p50/p95/p99 over all deliveries, for each room size N;
* the same for a raw reference: a minimal `websockets` broadcast server in its own process,
  no Socket.IO, no database, with a message of the same size;
* connection set-up rate, server memory per connection (VmRSS), server and client CPU;
* sustained persisted commands/s from one chair to a 10-person meeting, back-to-back and
  pipelined;
* many meetings at once (default 200 meetings x 10 participants, each chair sending a command
  every 1-2 s);
* one meeting on PostgreSQL, served by one process and then by two processes sharing a Redis
  message queue (participants split between them);
* one size again with python-socketio's own AsyncClient, to show the lean client agrees.

The lean client speaks Engine.IO v4 / Socket.IO v5 itself over the Sans-I/O layer of the
`websockets` library (no task per connection, timestamps taken as bytes arrive), so the client
process is not the bottleneck; its CPU use is reported beside the figures anyway.

Usage:  .venv/bin/python benchmarks/room_fanout.py                     # full run (~10 min)
        .venv/bin/python benchmarks/room_fanout.py --quick             # ~2 min
        .venv/bin/python benchmarks/room_fanout.py --sizes 10,50,200,500,1000 --commands 200 --rounds 1

Only 127.0.0.1 is used. Every subprocess is started in its own process group and killed on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.client
import json
import os
import platform
import random
import re
import resource
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter, process_time

ROOT = Path(__file__).resolve().parent.parent
APP_DIR = ROOT  # the source tree whose app.py is served; --git-ref exports a revision elsewhere
DOCS = ROOT / "docs" / "benchmarks.md"
WS_PATH = "/socket.io/?EIO=4&transport=websocket"
MAX_PARTICIPANTS = 40  # facilitation/domain/meetings.py: a meeting has at most 40 participants

# ---------------------------------------------------------------------------- process management

_CHILDREN: list[subprocess.Popen] = []

#: CPUs for the servers (project and reference alike) and for the client, when pinned (--no-pin: none)
PIN: dict[str, set[int]] = {}


def plan_pinning(enabled: bool) -> str:
    """Pin the servers to the last CPU and this client to the first, so they do not share a core."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if not enabled or len(cpus) < 2:
        return "not pinned" + ("" if enabled else " (--no-pin)") + (" (fewer than 2 CPUs)" if enabled else "")
    PIN["server"], PIN["client"] = {cpus[-1]}, {cpus[0]}
    os.sched_setaffinity(0, PIN["client"])
    return f"servers pinned to CPU {cpus[-1]}, client to CPU {cpus[0]}"


def _pin_server() -> None:
    if PIN.get("server"):
        os.sched_setaffinity(0, PIN["server"])


PINNING = ["not pinned"]


def event_loop_name() -> str:
    """uvloop when installed (requirements-dev.txt), for the client and the reference alike."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def run_loop(coro):
    """Run a coroutine on uvloop if it is installed, else on asyncio's own loop."""
    if event_loop_name() == "uvloop":
        import uvloop

        return uvloop.run(coro)
    return asyncio.run(coro)


def _kill_children() -> None:
    for proc in _CHILDREN:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
    for proc in _CHILDREN:
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(5)
    _CHILDREN.clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A server subprocess in its own process group, with RSS and CPU readings from /proc."""

    def __init__(self, name: str, cmd: list[str], env: dict, port: int, log: Path):
        self.name, self.cmd, self.env, self.port, self.log = name, cmd, env, port, log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Proc:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=APP_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_pin_server,
            )
        _CHILDREN.append(self.proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not listen within {timeout} s")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.proc in _CHILDREN:
            _CHILDREN.remove(self.proc)

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def sockets(self) -> int:
        """Established TCP connections to this server's port (both directions are local)."""
        out = subprocess.run(
            ["ss", "-Htn", "state", "established", f"( sport = :{self.port} )"], capture_output=True, text=True
        )
        return len(out.stdout.splitlines())

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far: from the scheduler's nanosecond count of each of its
        threads (/proc/<pid>/task/*/schedstat), else from the user and system time in clock ticks of
        /proc/<pid>/stat (10 ms each: too coarse for a figure per message over a short round)."""
        total, counted = 0, False
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
                counted = True
            except FileNotFoundError:  # a thread that ended meanwhile, or a kernel without schedstat
                continue
        if counted:
            return total / 1e9
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def project_env(port: int, workdir: Path, extra: dict | None = None) -> dict:
    """The server's environment: SQLite in `workdir` unless `extra` says otherwise (DATABASE_URL, ...)."""
    env = dict(os.environ)
    env.update(
        {
            "PORT": str(port),
            "INSTANCE_PATH": str(workdir),
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "SECRET_KEY": "benchmark-secret",
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            # One benchmark chair sends commands back to back, far above a person's pace: measure the
            # server, not the per-connection flood limit (docs/security.md).
            "SOCKET_EVENTS_PER_SECOND": "0",
            # Every benchmark participant connects from 127.0.0.1, many on one link: caps no benchmark
            # reaches, but on, so that each connection counts its link's and its address's sockets as a
            # server with the default caps does.
            "MAX_SOCKETS_PER_LINK": "100000",
            "MAX_SOCKETS_PER_ADDRESS": "100000",
        }
    )
    env.update(extra or {})
    return env


def init_db(workdir: Path, extra: dict | None = None) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "facilitation:create_app", "init-db"],
        cwd=APP_DIR,
        env=project_env(0, workdir, extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if out.returncode != 0:
        raise RuntimeError(f"init-db failed: {out.stderr[-2000:]}")


#: the staff API token that prepares meetings, per server port (meetings need an account)
API_TOKENS: dict[int, str] = {}


def create_staff(workdir: Path, extra: dict | None = None) -> str | None:
    """A chair's staff account with an API token (`flask create-user`); None for code without accounts."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "facilitation:create_app",
            "create-user",
            "bench@bench.test",
            "--name",
            "Benchmark SENCO",
            "--role",
            "chair",
            "--password-stdin",
            "--api-token",
        ],
        cwd=APP_DIR,
        env=project_env(0, workdir, extra),
        capture_output=True,
        text=True,
        input="a long passphrase for measuring speed\n",
        timeout=120,
    )
    if out.returncode != 0 or "API token: " not in out.stdout:
        return None
    return out.stdout.rsplit("API token: ", 1)[1].split()[0]


def start_project(workdir: Path, tag: str, extra: dict | None = None, prepare: bool = True) -> Proc:
    """`flask init-db`, then `python app.py` as `make run` serves it, in a fresh instance folder on a free port.

    `extra` overrides the environment (a shared PostgreSQL database, a Redis queue); `prepare=False`
    starts another process on a database that an earlier call prepared.
    """
    folder = workdir / tag
    folder.mkdir(parents=True, exist_ok=True)
    token = None
    if prepare:
        init_db(folder, extra)
        token = create_staff(folder, extra)
    port = free_port()
    if token:
        API_TOKENS[port] = token
    return Proc(
        f"server[{tag}]", [sys.executable, "app.py"], project_env(port, folder, extra), port, folder / "server.log"
    ).start()


def export_revision(ref: str, dest: Path) -> str:
    """Export a committed revision with `git archive` (the repository itself is not touched)."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dest.mkdir(parents=True)
    archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", sha], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout, check=True)
    archive.stdout.close()
    if archive.wait() != 0:
        raise RuntimeError(f"git archive {ref} failed")
    return sha


def describe_source(ref: str | None, sha: str | None) -> str:
    if ref:
        return f"served code: git revision {ref} ({sha[:10]}), exported with git archive"
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=10", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    )
    state = "with uncommitted changes" if dirty.stdout.strip() else "clean"
    return f"served code: working tree at {head.stdout.strip() or '?'} ({state})"


def start_reference(workdir: Path, tag: str) -> Proc:
    port = free_port()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-reference", "--port", str(port)]
    return Proc(f"reference[{tag}]", cmd, dict(os.environ), port, workdir / f"reference-{tag}.log").start()


# ---------------------------------------------------------------------------- raw reference server


async def reference_server(port: int) -> None:
    """Minimal broadcast: every text message any client sends goes to every connected client.

    As fast as an honest WebSocket server gets here: websockets' own broadcast (one frame encoded
    once, written to each connection without a task per send), no compression, no pings, on uvloop
    when installed, pinned to the same CPU as the project's server.
    """
    from websockets.asyncio.server import broadcast, serve

    clients: set = set()

    async def handler(ws):
        clients.add(ws)
        try:
            async for message in ws:
                broadcast(clients, message)
        finally:
            clients.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None, backlog=1024):
        await asyncio.Future()


# ---------------------------------------------------------------------------- JSON API (setup only)

_local = threading.local()


def http_json(port: int, method: str, path: str, body=None, token: str | None = None):
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = json.dumps(body) if body is not None else None
    for attempt in range(2):
        conn = conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conns[port] = conn
        try:
            conn.request(method, path, body=payload, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, (json.loads(data) if data else None)
        except (ConnectionError, http.client.HTTPException):
            conn.close()
            conns.pop(port, None)
            if attempt:
                raise


@dataclass
class Meeting:
    id: int
    chair: str
    screen: str
    participants: list[str]


def make_meeting(port: int, participants: int, title: str = "Benchmark review") -> Meeting:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    status, body = http_json(
        port,
        "POST",
        "/api/v1/meetings",
        {
            "title": title,
            "meeting_type": "ehcp_annual_review",
            "child_ref": "BENCH-1",
            "scheduled_start": start.isoformat(),
            "scheduled_end": (start + timedelta(minutes=90)).isoformat(),
            "use_usual_agenda": True,
        },
        API_TOKENS.get(port),
    )
    if status != 201:
        raise RuntimeError(f"create meeting: {status} {body}")
    meeting = Meeting(body["meeting"]["id"], body["tokens"]["chair"], body["tokens"]["screen"], [])
    for i in range(min(participants, MAX_PARTICIPANTS)):
        status, body = http_json(
            port,
            "POST",
            f"/api/v1/meetings/{meeting.id}/commands/participants.add",
            {"name": f"Parent {i + 1}", "role": "parent", "agency": "family"},
            meeting.chair,
        )
        if status != 200:
            raise RuntimeError(f"participants.add: {status} {body}")
        meeting.participants.append(body["join_path"].rsplit("/", 1)[1])
    status, body = http_json(
        port, "POST", f"/api/v1/meetings/{meeting.id}/commands/clock.start_meeting", {}, meeting.chair
    )
    if status != 200:
        raise RuntimeError(f"clock.start_meeting: {status} {body}")
    return meeting


# ---------------------------------------------------------------------------- lean Socket.IO client

_EVENT = re.compile(rb'42\["event",\{"seq":(\d+)')
_ACK = re.compile(rb"43(\d+)")


class CommandFailed(Exception):
    pass


class Collector:
    """Receive times per (group, seq); wakes a waiter when `expect` deliveries have arrived."""

    def __init__(self, expect: int):
        self.expect = expect
        self.recv: dict[tuple[int, int], list[float]] = {}
        self.waiters: dict[tuple[int, int], asyncio.Future] = {}
        self.event_bytes = 0

    def add(self, group: int, seq: int, t: float) -> None:
        key = (group, seq)
        times = self.recv.get(key)
        if times is None:
            times = self.recv[key] = []
        times.append(t)
        if len(times) >= self.expect and key in self.waiters:
            waiter = self.waiters.pop(key)
            if not waiter.done():
                waiter.set_result(None)

    async def wait(self, key: tuple[int, int], timeout: float) -> None:
        times = self.recv.get(key)
        if times is not None and len(times) >= self.expect:
            return
        waiter = self.waiters[key] = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            self.waiters.pop(key, None)


class Lean(asyncio.Protocol):
    """One Socket.IO connection, spoken directly: websockets' Sans-I/O protocol under asyncio.Protocol.

    `sio=False` makes it a plain WebSocket client for the reference server (same framing, same
    parsing path, no Engine.IO handshake).
    """

    def __init__(self, url: str, token: str | None, collector: Collector | None, group: int = 0, sio: bool = True):
        from websockets.client import ClientProtocol
        from websockets.uri import parse_uri

        self.ws = ClientProtocol(parse_uri(url), max_size=2**22)
        self.token, self.collector, self.group, self.sio = token, collector, group, sio
        self.transport = None
        self.ready = asyncio.get_running_loop().create_future()
        self.acks: dict[int, asyncio.Future] = {}
        self.next_id = 0
        self.fragments: list[bytes] | None = None
        self.closed = False

    # -- asyncio.Protocol
    def connection_made(self, transport) -> None:
        self.transport = transport
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        t = perf_counter()
        ws = self.ws
        ws.receive_data(data)
        for ev in ws.events_received():
            opcode = getattr(ev, "opcode", None)
            if opcode is None:  # the handshake response
                if ws.handshake_exc is not None:
                    self._fail(ws.handshake_exc)
                elif not self.sio and not self.ready.done():
                    self.ready.set_result(self)
            elif opcode.value == 1:  # TEXT
                if ev.fin:
                    self._message(t, ev.data)
                else:
                    self.fragments = [ev.data]
            elif opcode.value == 0 and self.fragments is not None:  # CONTINUATION
                self.fragments.append(ev.data)
                if ev.fin:
                    data, self.fragments = b"".join(self.fragments), None
                    self._message(t, data)
        if ws.writes:
            self._flush()

    def connection_lost(self, exc) -> None:
        self.closed = True
        self._fail(exc or ConnectionError("connection closed"))

    # -- protocol
    def _flush(self) -> None:
        for chunk in self.ws.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():
                self.transport.write_eof()

    def _fail(self, exc: BaseException) -> None:
        if not self.ready.done():
            self.ready.set_exception(exc)
        for fut in self.acks.values():
            if not fut.done():
                fut.set_exception(ConnectionError(str(exc)))
        self.acks.clear()

    def _message(self, t: float, data: bytes) -> None:
        m = _EVENT.match(data)
        if m is not None:
            if self.collector is not None:
                self.collector.event_bytes = len(data)
                self.collector.add(self.group, int(m.group(1)), t)
            return
        if data == b"2":  # Engine.IO ping
            self.send_text("3")
            return
        if data.startswith(b"43"):
            m = _ACK.match(data)
            fut = self.acks.pop(int(m.group(1)), None)
            if fut is not None and not fut.done():
                fut.set_result(json.loads(data[m.end() :])[0])
            return
        if data.startswith(b"0"):  # Engine.IO open: connect to the default namespace with auth
            self.send_text("40" + json.dumps({"token": self.token}))
        elif data.startswith(b"40"):
            if not self.ready.done():
                self.ready.set_result(self)
        elif data.startswith(b"44"):
            self._fail(ConnectionRefusedError(data.decode()))
        elif data.startswith(b"42"):  # another event, e.g. access_revoked
            pass

    def send_text(self, text: str) -> None:
        if self.closed:
            raise ConnectionError("closed")
        self.ws.send_text(text.encode())
        self._flush()

    def emit(self, event: str, payload) -> asyncio.Future:
        """Send an event with an ack id; the future resolves to the ack's first argument."""
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.acks[self.next_id] = fut
        self.send_text(f"42{self.next_id}" + json.dumps([event, payload], separators=(",", ":")))
        return fut

    def command(self, name: str, args: dict) -> asyncio.Future:
        return self.emit("command", {"id": secrets.token_hex(16), "name": name, "args": args})

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self.sio:
                self.send_text("41")
            self.ws.send_close()
            self._flush()
        except Exception:
            pass
        self.transport.close()
        self.closed = True


async def open_lean(port: int, token: str | None, collector, group=0, sio=True, sync=True, timeout=15) -> Lean:
    loop = asyncio.get_running_loop()
    url = f"ws://127.0.0.1:{port}{WS_PATH if sio else '/'}"
    _, client = await asyncio.wait_for(
        loop.create_connection(lambda: Lean(url, token, collector, group, sio), "127.0.0.1", port), timeout
    )
    await asyncio.wait_for(client.ready, timeout)
    if sio and sync:  # as the browser does on connect: ask for the snapshot
        ack = await asyncio.wait_for(client.emit("sync", {}), timeout)
        if not ack.get("ok"):
            raise RuntimeError(f"sync refused: {ack}")
    return client


async def connect_many(factories: list, concurrency: int = 50) -> tuple[list, float]:
    """Run connection coroutines with bounded concurrency; return (clients, seconds)."""
    sem = asyncio.Semaphore(concurrency)

    async def one(factory):
        async with sem:
            return await factory()

    t0 = perf_counter()
    results = await asyncio.gather(*(one(f) for f in factories), return_exceptions=True)
    seconds = perf_counter() - t0
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        for r in results:
            if not isinstance(r, BaseException) and hasattr(r, "close"):
                r.close()
        raise RuntimeError(f"{len(failed)} of {len(results)} connections failed; first: {failed[0]!r}")
    return list(results), seconds


class Cycle:
    """Chair commands that can repeat forever: extend (while the item's budget lasts), pause, resume."""

    PATTERN = (("clock.extend", {"seconds": 60}), ("clock.pause", {}), ("clock.resume", {}))

    def __init__(self, extend_budget: int = 230):
        self.i = 0
        self.budget = extend_budget

    def next(self) -> tuple[str, dict]:
        while True:
            name, args = self.PATTERN[self.i % 3]
            self.i += 1
            if name != "clock.extend":
                return name, args
            if self.budget > 0:
                self.budget -= 1
                return name, args


# ---------------------------------------------------------------------------- statistics


def pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


@dataclass
class Fanout:
    p50: float = float("nan")
    p95: float = float("nan")
    p99: float = float("nan")
    max: float = float("nan")
    deliveries: int = 0
    lost: int = 0
    errors: int = 0
    client_cpu: float = float("nan")  # percent of one core
    server_cpu: float = float("nan")
    server_ms_per_cmd: float = float("nan")
    server_us_per_delivery: float = float("nan")
    seconds: float = 0.0
    rounds: list = field(default_factory=list)
    #: the reference's CPU per delivery in a round with no pause between messages (N=10 only): beside
    #: server_us_per_delivery, what the host's pauses alone add to a server's CPU per message
    back_to_back_us_per_delivery: float = float("nan")


def summarise(rounds: list[dict]) -> Fanout:
    """Median over rounds of each round's percentiles; counts summed."""
    med = lambda key: statistics.median(r[key] for r in rounds)  # noqa: E731
    out = Fanout(
        p50=med("p50"),
        p95=med("p95"),
        p99=med("p99"),
        max=max(r["max"] for r in rounds),
        deliveries=sum(r["deliveries"] for r in rounds),
        lost=sum(r["lost"] for r in rounds),
        errors=sum(r["errors"] for r in rounds),
        client_cpu=med("client_cpu"),
        rounds=rounds,
        seconds=sum(r["seconds"] for r in rounds),
    )
    if all("server_cpu" in r for r in rounds):
        out.server_cpu = med("server_cpu")
        out.server_ms_per_cmd = med("server_ms_per_cmd")
        out.server_us_per_delivery = med("server_us_per_delivery")
    return out


async def fanout_rounds(
    send, collector: Collector, commands: int, rounds: int, gap: float, server: Proc | None = None
) -> Fanout:
    """`send()` -> (t_sent, seq). Each command waits for every delivery (or 5 s) before the next."""
    results = []
    for _ in range(rounds):
        gc.collect()
        latencies: list[float] = []
        lost = errors = 0
        cpu0, wall0 = process_time(), perf_counter()
        srv0 = server.cpu_seconds() if server else None
        for _ in range(commands):
            try:
                t0, seq = await send()
            except (TimeoutError, CommandFailed, ConnectionError) as exc:
                errors += 1
                note_error(exc)
                continue
            key = (0, seq)
            await collector.wait(key, 5.0)
            times = collector.recv.pop(key, [])
            lost += max(0, collector.expect - len(times))
            latencies.extend(t - t0 for t in times)
            if gap:
                await asyncio.sleep(gap)
        wall = perf_counter() - wall0
        latencies.sort()
        r = {
            "p50": pct(latencies, 50) * 1e3,
            "p95": pct(latencies, 95) * 1e3,
            "p99": pct(latencies, 99) * 1e3,
            "max": (latencies[-1] if latencies else float("nan")) * 1e3,
            "deliveries": len(latencies),
            "lost": lost,
            "errors": errors,
            "client_cpu": 100 * (process_time() - cpu0) / wall,
            "seconds": wall,
        }
        if server:
            used = server.cpu_seconds() - srv0
            r["server_cpu"] = 100 * used / wall
            r["server_ms_per_cmd"] = 1e3 * used / max(1, commands - errors)
            r["server_us_per_delivery"] = 1e6 * used / max(1, len(latencies))
        results.append(r)
        collector.recv.clear()
    return summarise(results)


ERRORS: dict[str, int] = {}
LOAD: list[float] = []  # one-minute load averages at the start and end of the run


def note_error(what) -> None:
    """Count refused or failed commands by kind; the first of each kind is logged."""
    if isinstance(what, CommandFailed) and what.args and isinstance(what.args[0], dict):
        error = what.args[0].get("error") or {}
        kind = f"{error.get('code')}: {error.get('message')}"
    elif isinstance(what, dict):
        error = what.get("error") or {}
        kind = f"{error.get('code')}: {error.get('message')}"
    else:
        kind = f"{type(what).__name__}: {what}"
    if kind not in ERRORS:
        log(f"command failed: {kind}")
    ERRORS[kind] = ERRORS.get(kind, 0) + 1


async def warm_up(send, collector: Collector | None, count: int) -> None:
    """Commands that are not measured; a refused one (e.g. a pause while paused) is fine here."""
    for _ in range(count):
        try:
            _, seq = await send()
        except CommandFailed as exc:
            note_error(exc)
            continue
        if collector is not None:
            await collector.wait((0, seq), 5)
    if collector is not None:
        collector.recv.clear()


def lean_sender(chair: Lean, cycle: Cycle):
    async def send():
        name, args = cycle.next()
        t0 = perf_counter()
        ack = await asyncio.wait_for(chair.command(name, args), 10)
        if not ack.get("ok"):
            raise CommandFailed(ack)
        return t0, ack["seq"]

    return send


# ---------------------------------------------------------------------------- phases


@dataclass
class SizeResult:
    n: int
    project: Fanout
    reference: Fanout
    conn_per_s: float
    kib_per_conn: float
    rss_before_mib: float
    rss_after_mib: float
    event_bytes: int
    real_client: Fanout | None = None
    real_lean: Fanout | None = None


async def run_size(n: int, args, workdir: Path, real_client: bool) -> SizeResult:
    log(f"N={n}: starting server")
    server = start_project(workdir, f"n{n}")
    try:
        meeting = await asyncio.to_thread(make_meeting, server.port, n)
        collector = Collector(expect=n)
        chair = await open_lean(server.port, meeting.chair, None)
        cycle = Cycle()
        send = lean_sender(chair, cycle)
        await warm_up(send, None, 20)  # code paths, SQLite pages, allocator
        await asyncio.sleep(0.3)
        gc.collect()
        rss0 = server.rss_kib()
        tokens = meeting.participants
        srv0, cpu0 = server.cpu_seconds(), process_time()
        clients, secs = await connect_many(
            [lambda i=i: open_lean(server.port, tokens[i % len(tokens)], collector) for i in range(n)],
            args.connect_concurrency,
        )
        srv_ms, client_ms = 1e3 * (server.cpu_seconds() - srv0) / n, 1e3 * (process_time() - cpu0) / n
        await asyncio.sleep(0.5)
        rss1 = server.rss_kib()
        log(
            f"N={n}: {n} connected in {secs:.2f} s ({n / secs:.0f}/s; server CPU {srv_ms:.2f} ms and client CPU "
            f"{client_ms:.2f} ms per connection), RSS {rss0 / 1024:.1f} -> {rss1 / 1024:.1f} MiB"
        )
        await warm_up(send, collector, 5)
        project = await fanout_rounds(send, collector, args.commands, args.rounds, args.gap_ms / 1e3, server)
        log(
            f"N={n}: project p50/p95/p99 {project.p50:.2f}/{project.p95:.2f}/{project.p99:.2f} ms "
            f"(lost {project.lost}, errors {project.errors}, client CPU {project.client_cpu:.0f}%, "
            f"server CPU {project.server_cpu:.0f}%, {project.server_ms_per_cmd:.2f} server-ms/command)"
        )
        event_bytes = collector.event_bytes
        real = real_lean = None
        if real_client:
            for c in clients:
                c.close()
            await asyncio.sleep(0.5)
            log(f"N={n}: {server.sockets()} sockets open after closing the lean clients")
            real = await run_real_client(server.port, meeting, n, args, cycle)
            log(f"N={n}: {server.sockets()} sockets open after closing the AsyncClients")
            if real is not None:
                # the lean client again on the same server and meeting, right after, for a like-for-like pair
                collector = Collector(expect=n)
                clients, _ = await connect_many(
                    [lambda i=i: open_lean(server.port, tokens[i % len(tokens)], collector) for i in range(n)],
                    args.connect_concurrency,
                )
                real_lean = await fanout_rounds(send, collector, args.commands, 1, args.gap_ms / 1e3, server)
                log(
                    f"N={n}: lean client again p50/p95/p99 {real_lean.p50:.2f}/{real_lean.p95:.2f}/{real_lean.p99:.2f} ms "
                    f"({real_lean.server_ms_per_cmd:.2f} server-ms/command, {server.sockets()} sockets open)"
                )
        for c in clients + [chair]:
            c.close()
    finally:
        server.stop()
    await asyncio.sleep(0.2)
    reference = await run_reference(n, args, workdir, event_bytes)
    return SizeResult(
        n, project, reference, n / secs, (rss1 - rss0) / n, rss0 / 1024, rss1 / 1024, event_bytes, real, real_lean
    )


async def run_reference(n: int, args, workdir: Path, event_bytes: int) -> Fanout:
    ref = start_reference(workdir, f"n{n}")
    try:
        collector = Collector(expect=n)
        chair = await open_lean(ref.port, None, None, sio=False)
        clients, _ = await connect_many(
            [lambda: open_lean(ref.port, None, collector, sio=False) for _ in range(n)], args.connect_concurrency
        )
        head = '42["event",{"seq":%d,"type":"clock.extend","pad":"'
        seq = [0]

        async def send():
            seq[0] += 1
            text = head % seq[0]
            text += "x" * max(0, event_bytes - len(text) - 3) + '"}]'
            t0 = perf_counter()
            chair.send_text(text)
            return t0, seq[0]

        await warm_up(send, collector, 5)
        result = await fanout_rounds(send, collector, args.commands, args.rounds, args.gap_ms / 1e3, ref)
        if n == 10 and args.gap_ms > 0:
            # The same messages with no pause: the reference's own code is the same, so the difference is
            # what pausing alone costs on this host (caches, the idle vCPU), reported beside the targets.
            steady = await fanout_rounds(send, collector, max(args.commands, 500), 1, 0.0, ref)
            result.back_to_back_us_per_delivery = steady.server_us_per_delivery
        log(
            f"N={n}: reference p50/p95/p99 {result.p50:.2f}/{result.p95:.2f}/{result.p99:.2f} ms "
            f"(lost {result.lost}, client CPU {result.client_cpu:.0f}%)"
        )
        for c in clients + [chair]:
            c.close()
        return result
    finally:
        ref.stop()


async def run_real_client(port: int, meeting: Meeting, n: int, args, cycle: Cycle) -> Fanout | None:
    """The same measurement with python-socketio's AsyncClient for the chair and every participant."""
    try:
        import aiohttp  # noqa: F401  (AsyncClient's transport)
        import socketio
    except ImportError as exc:
        log(f"N={n}: python-socketio AsyncClient skipped ({exc}); it needs aiohttp, installed by make test")
        return None
    url = f"http://127.0.0.1:{port}"
    collector = Collector(expect=n)

    async def one(token, listen=True):
        sio = socketio.AsyncClient(reconnection=False)
        if listen:

            @sio.on("event")
            async def on_event(data):
                collector.add(0, data["seq"], perf_counter())

        await sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=15)
        ack = await sio.call("sync", {}, timeout=15)
        if not ack.get("ok"):
            raise RuntimeError(ack)
        return sio

    chair = await one(meeting.chair, listen=False)
    tokens = meeting.participants
    clients, secs = await connect_many(
        [lambda i=i: one(tokens[i % len(tokens)]) for i in range(n)], args.connect_concurrency
    )

    async def send():
        name, cmd_args = cycle.next()
        t0 = perf_counter()
        ack = await chair.call("command", {"id": secrets.token_hex(16), "name": name, "args": cmd_args}, timeout=10)
        if not ack.get("ok"):
            raise CommandFailed(ack)
        return t0, ack["seq"]

    await warm_up(send, collector, 5)
    result = await fanout_rounds(send, collector, args.commands, 1, args.gap_ms / 1e3)
    log(
        f"N={n}: python-socketio AsyncClient p50/p95/p99 {result.p50:.2f}/{result.p95:.2f}/{result.p99:.2f} ms "
        f"(connect {n / secs:.0f}/s, lost {result.lost}, client CPU {result.client_cpu:.0f}%)"
    )
    await asyncio.gather(*(c.disconnect() for c in clients + [chair]), return_exceptions=True)
    await asyncio.sleep(0.3)
    return result


@dataclass
class Throughput:
    serial_cps: float
    serial_ack_ms: float
    pipelined_cps: float
    window: int
    errors: int
    lost: int
    server_cpu_serial: float
    server_cpu_pipelined: float
    client_cpu_serial: float
    client_cpu_pipelined: float


async def run_throughput(args, workdir: Path) -> Throughput:
    """Persisted commands/s from one chair to a meeting of 10 connected participants."""
    log("commands/s: starting server")
    server = start_project(workdir, "cps")
    try:
        meeting = await asyncio.to_thread(make_meeting, server.port, 10)
        collector = Collector(expect=10)
        chair = await open_lean(server.port, meeting.chair, None)
        clients, _ = await connect_many(
            [lambda i=i: open_lean(server.port, meeting.participants[i], collector) for i in range(10)]
        )
        cycle = Cycle()
        seqs: list[int] = []
        errors = 0
        for _ in range(30):
            await asyncio.wait_for(chair.command(*cycle.next()), 10)
        gc.collect()

        def counted(ack: dict) -> int:
            """1 for an acknowledged command (its seq kept for the lost-delivery count), else 0 (an error)."""
            nonlocal errors
            if ack.get("ok"):
                seqs.append(ack["seq"])
                return 1
            errors += 1
            note_error(ack)
            return 0

        async def back_to_back() -> tuple[float, float, float, float]:
            """Each command waits for its ack: (commands/s, ms per ack, server CPU %, client CPU %)."""
            t_end = perf_counter() + args.cps_seconds
            ok = sent = 0
            cpu0, srv0, t0 = process_time(), server.cpu_seconds(), perf_counter()
            while perf_counter() < t_end:
                ok += counted(await asyncio.wait_for(chair.command(*cycle.next()), 10))
                sent += 1
            wall = perf_counter() - t0
            return (
                ok / wall,
                1e3 * wall / max(1, sent),
                100 * (server.cpu_seconds() - srv0) / wall,
                100 * (process_time() - cpu0) / wall,
            )

        async def pipelined_run() -> tuple[float, float, float]:
            """`window` commands kept in flight: (commands/s, server CPU %, client CPU %)."""
            nonlocal errors
            inflight: set = set()
            ok = 0
            t_end = perf_counter() + args.cps_seconds
            cpu0, srv0, t0 = process_time(), server.cpu_seconds(), perf_counter()
            while perf_counter() < t_end or inflight:
                while perf_counter() < t_end and len(inflight) < window:
                    inflight.add(chair.command(*cycle.next()))
                done, inflight = await asyncio.wait(inflight, timeout=10, return_when=asyncio.FIRST_COMPLETED)
                if not done:
                    errors += len(inflight)
                    break
                ok += sum(counted(fut.result()) for fut in done)
            wall = perf_counter() - t0
            return ok / wall, 100 * (server.cpu_seconds() - srv0) / wall, 100 * (process_time() - cpu0) / wall

        # Rounds of each, alternated, the median round (by rate) reported: one window on a shared
        # machine moves by 10 % or more from the next.
        window = args.window
        serial_rounds, pipelined_rounds = [], []
        for _ in range(args.rounds):
            serial_rounds.append(await back_to_back())
            pipelined_rounds.append(await pipelined_run())
        serial = sorted(serial_rounds)[len(serial_rounds) // 2]
        pipelined = sorted(pipelined_rounds)[len(pipelined_rounds) // 2]
        log(
            "commands/s rounds: back-to-back "
            + ", ".join(f"{r[0]:.0f}" for r in serial_rounds)
            + "; pipelined "
            + ", ".join(f"{r[0]:.0f}" for r in pipelined_rounds)
        )
        await asyncio.sleep(1.0)
        lost = sum(10 - len(collector.recv.get((0, s), ())) for s in seqs)
        for c in clients + [chair]:
            c.close()
    finally:
        server.stop()
    result = Throughput(
        serial[0], serial[1], pipelined[0], window, errors, lost, serial[2], pipelined[1], serial[3], pipelined[2]
    )
    log(
        f"commands/s: back-to-back {result.serial_cps:.0f}/s ({result.serial_ack_ms:.2f} ms per ack), "
        f"pipelined x{window} {result.pipelined_cps:.0f}/s, errors {errors}, lost deliveries {lost}"
    )
    return result


@dataclass
class Scenario:
    meetings: int
    participants: int
    seconds: float
    commands: int
    fanout: Fanout
    setup_seconds: float
    conn_per_s: float
    rss_mib: float


async def run_scenario(args, workdir: Path) -> Scenario:
    m, p = args.meetings, args.meeting_size
    log(f"scenario {m} meetings x {p}: starting server and creating meetings")
    server = start_project(workdir, "scenario")
    try:
        t_setup = perf_counter()
        with ThreadPoolExecutor(4) as pool:
            meetings = await asyncio.gather(
                *(
                    asyncio.get_running_loop().run_in_executor(pool, make_meeting, server.port, p, f"Review {i}")
                    for i in range(m)
                )
            )
        setup = perf_counter() - t_setup
        collector = Collector(expect=p)
        chairs, _ = await connect_many(
            [lambda g=g: open_lean(server.port, meetings[g].chair, None, g) for g in range(m)], args.connect_concurrency
        )
        parts, secs = await connect_many(
            [
                lambda g=g, i=i: open_lean(
                    server.port, meetings[g].participants[i % len(meetings[g].participants)], collector, g
                )
                for g in range(m)
                for i in range(p)
            ],
            args.connect_concurrency,
        )
        log(
            f"scenario: {m} meetings set up in {setup:.1f} s, {m * p} participants connected "
            f"({m * p / secs:.0f}/s), RSS {server.rss_kib() / 1024:.0f} MiB"
        )
        gc.collect()
        sent: dict[tuple[int, int], float] = {}
        errors = [0]
        ack_ms: list[float] = []
        start = perf_counter()
        end = start + args.scenario_seconds
        rng = random.Random(7)

        async def chair_loop(g: int, chair: Lean):
            cycle = Cycle()
            await asyncio.sleep(rng.uniform(0, 2))
            while perf_counter() < end:
                name, cmd_args = cycle.next()
                t0 = perf_counter()
                try:
                    ack = await asyncio.wait_for(chair.command(name, cmd_args), 10)
                except (TimeoutError, ConnectionError) as exc:
                    errors[0] += 1
                    note_error(exc)
                    continue
                if ack.get("ok"):
                    sent[(g, ack["seq"])] = t0
                    ack_ms.append(1e3 * (perf_counter() - t0))
                else:
                    errors[0] += 1
                    note_error(ack)
                await asyncio.sleep(rng.uniform(1, 2))

        cpu0, srv0 = process_time(), server.cpu_seconds()
        await asyncio.gather(*(chair_loop(g, c) for g, c in enumerate(chairs)))
        wall = perf_counter() - start
        client_cpu, server_cpu = 100 * (process_time() - cpu0) / wall, 100 * (server.cpu_seconds() - srv0) / wall
        await asyncio.sleep(1.0)
        latencies, lost = [], 0
        for key, t0 in sent.items():
            times = collector.recv.get(key, [])
            lost += max(0, p - len(times))
            latencies.extend(t - t0 for t in times)
        latencies.sort()
        fan = Fanout(
            p50=pct(latencies, 50) * 1e3,
            p95=pct(latencies, 95) * 1e3,
            p99=pct(latencies, 99) * 1e3,
            max=latencies[-1] * 1e3 if latencies else float("nan"),
            deliveries=len(latencies),
            lost=lost,
            errors=errors[0],
            client_cpu=client_cpu,
            server_cpu=server_cpu,
            seconds=wall,
            server_ms_per_cmd=1e3 * server_cpu / 100 * wall / max(1, len(sent)),
        )
        rss = server.rss_kib() / 1024
        ack_ms.sort()
        log(f"scenario: chair send-to-ack p50 {pct(ack_ms, 50):.1f} ms, p99 {pct(ack_ms, 99):.1f} ms")
        for c in chairs + parts:
            c.close()
    finally:
        server.stop()
    log(
        f"scenario: {len(sent)} commands in {wall:.1f} s, p50/p95/p99 {fan.p50:.2f}/{fan.p95:.2f}/{fan.p99:.2f} ms, "
        f"lost {fan.lost}, errors {fan.errors}, client CPU {client_cpu:.0f}%, server CPU {server_cpu:.0f}%"
    )
    return Scenario(m, p, wall, len(sent), fan, setup, m * p / secs, rss)


# ---------------------------------------------------------------------------- scale-out

PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")


@dataclass
class ScaleOut:
    n: int
    one: Fanout | None = None  # one process on PostgreSQL, no message queue
    two: Fanout | None = None  # two processes on PostgreSQL with Redis, participants split between them
    skipped: str | None = None


def _pg_admin(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(PG_SERVER + "/postgres", connect_timeout=3)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def scale_out_unavailable() -> str | None:
    """Why the scale-out phase cannot run here (no PostgreSQL or Redis on 127.0.0.1), or None."""
    try:
        _pg_admin("SELECT 1")
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_SERVER}: {str(exc).strip()[:120]}"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"Redis not reachable at {REDIS_URL}: {str(exc).strip()[:120]}"
    return None


async def fanout_on(servers: list[Proc], n: int, args, label: str) -> Fanout:
    """A meeting prepared on the first server, its chair there, its N participants spread over every server."""
    first = servers[0]
    meeting = await asyncio.to_thread(make_meeting, first.port, n)
    collector = Collector(expect=n)
    chair = await open_lean(first.port, meeting.chair, None)
    send = lean_sender(chair, Cycle())
    tokens = meeting.participants
    clients: list = []
    try:
        await warm_up(send, None, 20)
        clients, _ = await connect_many(
            [
                lambda i=i: open_lean(servers[i % len(servers)].port, tokens[i % len(tokens)], collector)
                for i in range(n)
            ],
            args.connect_concurrency,
        )
        await warm_up(send, collector, 5)
        server = first if len(servers) == 1 else None  # CPU per command is only meaningful for one process
        result = await fanout_rounds(send, collector, args.commands, args.rounds, args.gap_ms / 1e3, server)
    finally:
        for c in clients + [chair]:
            c.close()
    log(
        f"scale-out, {label}: p50/p95/p99 {result.p50:.2f}/{result.p95:.2f}/{result.p99:.2f} ms "
        f"(lost {result.lost}, errors {result.errors})"
    )
    return result


async def run_scale_out(args, workdir: Path) -> ScaleOut:
    """N participants on PostgreSQL: one process, then two processes sharing the database and a Redis queue."""
    out = ScaleOut(args.scale_out_size)
    out.skipped = scale_out_unavailable()
    if out.skipped:
        log(f"scale-out: skipped: {out.skipped}")
        return out
    name = f"cg_bench_{os.getpid()}"
    try:
        for processes in (1, 2):
            _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            _pg_admin(f"CREATE DATABASE {name}")
            env = {"DATABASE_URL": f"{PG_SERVER}/{name}"}
            label = "one process"
            if processes > 1:
                env.update(SOCKETIO_MESSAGE_QUEUE=REDIS_URL, SOCKETIO_CHANNEL=f"room-fanout-{os.getpid()}")
                label = f"{processes} processes + Redis"
            log(f"scale-out: {label} on PostgreSQL, N={out.n}: starting")
            servers: list[Proc] = []
            try:
                for i in range(processes):
                    servers.append(start_project(workdir, f"pg{processes}-{i}", env, prepare=(i == 0)))
                fan = await fanout_on(servers, out.n, args, label)
            finally:
                for server in servers:
                    server.stop()
            if processes == 1:
                out.one = fan
            else:
                out.two = fan
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return out


# ---------------------------------------------------------------------------- report


def steal_seconds() -> float:
    """CPU time the hypervisor has given to others while this virtual machine wanted it (all CPUs, since
    boot; /proc/stat's "steal"): 0 on bare metal, and it grows when the host is busy."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


#: steal_seconds() when the run started
STEAL_AT_START: list[float] = []


def machine_facts(workdir: Path) -> list[str]:
    import importlib.metadata as md

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for pkg in ("Flask-SocketIO", "python-socketio", "python-engineio", "gevent", "gevent-websocket", "websockets"):
        try:
            versions.append(f"{pkg} {md.version(pkg)}")
        except md.PackageNotFoundError:
            pass
    fs = subprocess.run(["df", "-T", str(workdir)], capture_output=True, text=True).stdout.splitlines()[-1].split()
    return [
        f"nproc {os.cpu_count()} ({cpu}), Linux {platform.release()}, "
        f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB RAM",
        f"Python {platform.python_version()}; " + ", ".join(versions),
        f"SQLite database on {fs[1] if len(fs) > 1 else '?'} ({workdir})",
        "load average at start {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
    ]


def host_speed(when: str) -> str:
    """How fast the host runs a fixed piece of pure Python right now, on the servers' CPU: the host's speed
    varies by more than a round of work (docs/benchmarks.md), and this says which speed a run had."""
    cpu = min(PIN.get("server") or {os.cpu_count() - 1})
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("idle_penalty.py")), "--json", "--rounds", "3", "--runs", "150",
         "--cpu", str(cpu)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    try:
        speed = json.loads(out.stdout)
    except ValueError:
        return f"host speed {when}: not measured ({out.stderr.strip()[-200:]})"
    return (
        f"host speed {when}: pure-Python work unit (benchmarks/idle_penalty.py) {speed['straight_ms']:.2f} ms "
        f"back to back, {speed['paused_ms']:.2f} ms after 5 ms pauses"
    )


def machine_now(facts: list[str]) -> str:
    """The machine in one line, with the load average now and the host's speed at the run's start (put
    under every table)."""
    speed = next((f for f in facts if f.startswith("host speed at start")), None)
    line = "{}; load average now {:.2f} {:.2f} {:.2f}".format(facts[0], *os.getloadavg())
    return f"{line}; {speed}" if speed else line


#: (key, what, goal, comparison, limit, unit, digits): the targets of issue #18
TARGETS = [
    ("ms_per_command_10", "server CPU per command, 10-person room", "<= 2 ms", "<=", 2.0, " ms", 2),
    ("cps_serial", "persisted commands/s, 10-person meeting, back-to-back", ">= 500/s", ">=", 500, "/s", 0),
    ("ratio_200", "fan-out p99 / reference p99 at N=200", "<= 3x", "<=", 3.0, "x", 1),
    ("ratio_1000", "fan-out p99 / reference p99 at N=1000", "<= 3x", "<=", 3.0, "x", 1),
    ("p99_1000", "fan-out p99 at N=1000", "< 50 ms", "<", 50.0, " ms", 1),
    ("us_per_delivery", "server CPU per delivered message (worst N >= 200)", "<= 25 µs", "<=", 25.0, " µs", 1),
    ("conn_per_s", "connections accepted/s with sync (worst N >= 200)", ">= 500/s", ">=", 500, "/s", 0),
    ("kib_per_conn", "server memory per connection (worst N >= 200)", "<= 60 KiB", "<=", 60.0, " KiB", 1),
    ("scale_out_extra", "two processes + Redis, p99 over one process", "<= +10 ms", "<=", 10.0, " ms", 1),
    ("scenario_p99", "many meetings at once, p99", "< 100 ms", "<", 100.0, " ms", 1),
]


def measure(sizes, cps, scen, scale) -> dict:
    """The figures the targets are about, from this run's results (missing ones are left out)."""
    by_n = {s.n: s for s in sizes}
    big = [s for s in sizes if s.n >= 200]
    m: dict[str, float] = {}
    if 10 in by_n:
        m["ms_per_command_10"] = by_n[10].project.server_ms_per_cmd
    if cps:
        m["cps_serial"] = cps.serial_cps
    for n in (200, 1000):
        if n in by_n:
            m[f"ratio_{n}"] = by_n[n].project.p99 / by_n[n].reference.p99
    if 1000 in by_n:
        m["p99_1000"] = by_n[1000].project.p99
    if big:
        m["us_per_delivery"] = max(s.project.server_us_per_delivery for s in big)
        m["conn_per_s"] = min(s.conn_per_s for s in big)
        m["kib_per_conn"] = max(s.kib_per_conn for s in big)
    if scale and scale.one and scale.two:
        m["scale_out_extra"] = scale.two.p99 - scale.one.p99
    if scen:
        m["scenario_p99"] = scen.fanout.p99
    return {k: v for k, v in m.items() if v == v}


def measure_json(path: str) -> dict:
    """The same figures from an earlier run's --json file (a run of an older revision: its `before`)."""
    data = json.loads(Path(path).read_text())
    m: dict[str, float] = {}
    sizes = {s["n"]: s for s in data.get("sizes") or []}

    def per_delivery(s):
        p = s["project"]
        return p.get("server_us_per_delivery") or 1e3 * p["server_ms_per_cmd"] / s["n"]

    if 10 in sizes:
        m["ms_per_command_10"] = sizes[10]["project"]["server_ms_per_cmd"]
    if data.get("cps"):
        m["cps_serial"] = data["cps"]["serial_cps"]
    for n in (200, 1000):
        if n in sizes:
            m[f"ratio_{n}"] = sizes[n]["project"]["p99"] / sizes[n]["reference"]["p99"]
    if 1000 in sizes:
        m["p99_1000"] = sizes[1000]["project"]["p99"]
    big = [s for n, s in sizes.items() if n >= 200]
    if big:
        m["us_per_delivery"] = max(per_delivery(s) for s in big)
        m["conn_per_s"] = min(s["conn_per_s"] for s in big)
        m["kib_per_conn"] = max(s["kib_per_conn"] for s in big)
    scale = data.get("scale_out") or {}
    if isinstance(scale, dict) and scale.get("one") and scale.get("two"):
        m["scale_out_extra"] = scale["two"]["p99"] - scale["one"]["p99"]
    if isinstance(data.get("scenario"), dict):
        m["scenario_p99"] = data["scenario"]["fanout"]["p99"]
    facts = data.get("facts") or []
    served = next((f for f in facts if f.startswith("served code")), "served code unknown")
    loads = "; ".join(f.split(" (")[0] for f in facts if f.startswith("load average"))
    speeds = [f.split(": ", 1)[1] for f in facts if f.startswith("host speed")]
    if speeds:
        loads += "; host speed at start and end: " + "; ".join(speeds)
    m["_about"] = f"`{data.get('command', '?')}`: {served}; {loads}"
    return m


def targets_table(after: dict, before: dict | None) -> list[str]:
    """Target, before (an earlier run, if given), after (this run), met or not."""
    ops = {"<=": float.__le__, ">=": float.__ge__, "<": float.__lt__}
    rows = ["| target | goal | before | after | met |", "|---|---|---:|---:|---|"]
    for key, what, goal, op, limit, unit, nd in TARGETS:
        if key not in after:
            continue
        value = after[key]
        prior = (before or {}).get(key)
        shown_before = "n/a" if prior is None else f"{prior:.{nd}f}{unit}"
        met = "met" if ops[op](float(value), float(limit)) else "NOT met"
        rows.append(f"| {what} | {goal} | {shown_before} | {value:.{nd}f}{unit} | {met} |")
    return rows


def host_pause_note(sizes: list[SizeResult], cps: Throughput | None, gap_ms: float) -> str | None:
    """What the pauses in the fan-out rows cost by themselves: the reference's CPU per message with them and
    without, beside the project's per command (the N=10 row and the back-to-back throughput)."""
    ten = next((s for s in sizes if s.n == 10), None)
    if ten is None or ten.reference.back_to_back_us_per_delivery != ten.reference.back_to_back_us_per_delivery:
        return None
    paused, steady = ten.reference.server_us_per_delivery, ten.reference.back_to_back_us_per_delivery
    line = (
        f"- The host after a pause: at N=10 the reference spends {paused:.0f} µs of CPU per delivered message with "
        f"the {gap_ms:g} ms pause after each fan-out and {steady:.0f} µs back to back ({paused / steady:.1f}x), "
        "for the same code"
    )
    if cps:
        mine = cps.server_cpu_serial * cps.serial_ack_ms / 100
        line += (
            f"; the project's server {ten.project.server_ms_per_cmd:.2f} ms per command with the pauses and "
            f"{mine:.2f} ms back to back ({ten.project.server_ms_per_cmd / mine:.1f}x)"
        )
    return line + ". Its caches go cold while it waits (docs/benchmarks.md, the host's speed)."


def fmt(x: float, nd: int = 1) -> str:
    return "n/a" if x != x else f"{x:.{nd}f}"


def report(
    args,
    sizes: list[SizeResult],
    cps: Throughput | None,
    scen: Scenario | None,
    facts: list[str],
    command: str,
    elapsed: float,
    failures: list[str],
    scale: ScaleOut | None = None,
    before: dict | None = None,
) -> str:
    lines = [
        "| N | p50 ms | p95 ms | p99 ms | reference p50/p99 ms | ratio p99 | setup conn/s | KiB per connection "
        "| client CPU % | server CPU % | server ms per command | server µs per delivery | reference µs per delivery |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in sizes:
        p, r = s.project, s.reference
        lines.append(
            f"| {s.n} | {fmt(p.p50, 2)} | {fmt(p.p95, 2)} | {fmt(p.p99, 2)} | {fmt(r.p50, 2)}/{fmt(r.p99, 2)} | "
            f"{fmt(p.p99 / r.p99, 1)}x | {s.conn_per_s:.0f} | {s.kib_per_conn:.1f} | {p.client_cpu:.0f} | "
            f"{p.server_cpu:.0f} | {p.server_ms_per_cmd:.2f} | {fmt(p.server_us_per_delivery, 1)} | "
            f"{fmt(r.server_us_per_delivery, 1)} |"
        )
    out = lines[:]
    out.append("")
    out.append("Machine for this table: " + machine_now(facts))
    out.append("")
    for s in sizes:
        if s.real_client is not None:
            rc, rl = s.real_client, s.real_lean
            out.append(
                f"- Cross-check at N={s.n}, same server and meeting: python-socketio AsyncClient p50/p95/p99 "
                f"{fmt(rc.p50, 2)}/{fmt(rc.p95, 2)}/{fmt(rc.p99, 2)} ms (client CPU {rc.client_cpu:.0f}%); "
                f"lean client run straight after {fmt(rl.p50, 2)}/{fmt(rl.p95, 2)}/{fmt(rl.p99, 2)} ms "
                f"(client CPU {rl.client_cpu:.0f}%)."
            )
    if cps:
        out.append(
            f"- Persisted commands/s, one chair, 10 participants connected (median of {args.rounds} rounds of "
            f"{args.cps_seconds:g} s each): back-to-back {cps.serial_cps:.0f}/s "
            f"({cps.serial_ack_ms:.2f} ms from send to ack; server CPU {cps.server_cpu_serial:.0f}%, so "
            f"{cps.server_cpu_serial * cps.serial_ack_ms / 100:.2f} ms of server CPU per command with no pause "
            f"between commands; client CPU {cps.client_cpu_serial:.0f}%); pipelined, {cps.window} in flight: "
            f"{cps.pipelined_cps:.0f}/s "
            f"(server CPU {cps.server_cpu_pipelined:.0f}%, client CPU {cps.client_cpu_pipelined:.0f}%); "
            f"refused commands {cps.errors}, lost deliveries {cps.lost}."
        )
    if scen:
        f = scen.fanout
        out.append(
            f"- {scen.meetings} meetings x {scen.participants} participants on one process, each chair sending a "
            f"command every 1-2 s for {scen.seconds:.0f} s ({scen.commands} commands, {f.deliveries} deliveries): "
            f"fan-out p50 {fmt(f.p50, 2)} ms, p95 {fmt(f.p95, 2)} ms, p99 {fmt(f.p99, 2)} ms, max {fmt(f.max, 1)} ms; "
            f"lost {f.lost}, errors {f.errors}; server CPU {f.server_cpu:.0f}%, client CPU {f.client_cpu:.0f}%, "
            f"server RSS {scen.rss_mib:.0f} MiB with {scen.meetings * (scen.participants + 1)} sockets."
        )
    if scale and scale.skipped:
        out.append(f"- Scale-out at N={scale.n}: skipped ({scale.skipped}).")
    elif scale and scale.one and scale.two:
        o, t = scale.one, scale.two
        base = {s.n: s.project for s in sizes}.get(scale.n)
        versus = f"; the SQLite process above: p99 {fmt(base.p99, 2)} ms" if base else ""
        out.append(
            f"- Scale-out at N={scale.n} on PostgreSQL (a fresh database each): one process p50/p95/p99 "
            f"{fmt(o.p50, 2)}/{fmt(o.p95, 2)}/{fmt(o.p99, 2)} ms; two processes sharing the database and a Redis "
            f"message queue, the chair on the first and the participants alternating between them, "
            f"{fmt(t.p50, 2)}/{fmt(t.p95, 2)}/{fmt(t.p99, 2)} ms (lost {o.lost + t.lost}, errors "
            f"{o.errors + t.errors}){versus}."
        )
    pause_note = host_pause_note(sizes, cps, args.gap_ms)
    if pause_note:
        out.append(pause_note)
    lost = sum(s.project.lost + s.reference.lost for s in sizes)
    errs = sum(s.project.errors for s in sizes)
    out.append(
        f"- Lost deliveries in the fan-out rows: {lost}; refused or timed-out commands: {errs}. "
        f"Event frame size {sizes[0].event_bytes if sizes else 0} bytes (the reference sends the same size)."
    )

    for failure in failures:
        out.append(f"- FAILED phase {failure}")
    busiest = max(LOAD)
    if busiest > 0.5 * (os.cpu_count() or 1):
        out.append(
            f"- Warning: load average up to {busiest:.1f} on {os.cpu_count()} cores during the run: other processes "
            "competed with the server, the reference and the client, so the figures are noisy and the ratio can "
            "flatter the project (a slowed reference makes it smaller). Compare runs on a quiet machine."
        )

    # targets (issue #18), with an earlier run's figures beside them when --before names its JSON
    out.append("")
    out.append("Targets:")
    out.append("")
    out += targets_table(measure(sizes, cps, scen, scale), before)
    out.append("")
    if before:
        out.append(f"Before: {before['_about']}.")
        out.append("")
    out.append("Machine for this table: " + machine_now(facts))
    out.append("")
    out.append(f"Command: `{command}` ({elapsed / 60:.1f} min)")
    out.append("")
    out.append("Machine: " + "; ".join(facts))
    return "\n".join(out)


DOC_HEAD = """# Benchmarks: room fan-out

Generated by `benchmarks/room_fanout.py` on {date}; the script overwrites this file on every run
(`--docs ''` to leave it alone). {mode}

## What it measures

The script starts the server as `make run` serves it (`flask --app facilitation:create_app init-db`,
then `python app.py`: gevent, TCP_NODELAY, SQLite with WAL and `synchronous=NORMAL` in a temporary
folder), creates a meeting over the JSON API, adds participants (at most 40 per meeting, so larger
rooms connect several sockets per participant link), starts the meeting, and connects N
participant sockets. The chair then sends {commands} `command`s per round ({rounds} round(s); each
figure is the median over rounds), cycling `clock.extend` / `clock.pause` / `clock.resume`, and
waits until every participant has the event before sending the next.

- **p50 / p95 / p99 ms**: fan-out latency, from the moment the chair's command is written to the
  socket until a participant's client has the matching `event` (matched on `seq`), over all
  deliveries. It includes the durable SQLite commit, the broadcast and the clients' own reading.
- **reference p50/p99 ms**: the same measurement against a minimal broadcast server written with
  the `websockets` library alone (no Socket.IO, no database; its `broadcast` encodes a frame once
  and writes it to every connection), on uvloop when installed, in its own process, relaying a
  message of the same size. **ratio p99** is project p99 / reference p99: what Flask-SocketIO,
  the database and the app cost over a bare WebSocket broadcast on this machine.
- **Pinning**: on a machine with two or more CPUs every server (the project's and the reference)
  runs pinned to the last CPU and the client to the first (`--no-pin` to switch it off), so the
  client never takes the server's core; the machine line says which.
- **setup conn/s**: participants connected per second while connecting all N, {conc} at a time;
  each connection is a WebSocket handshake, the Socket.IO connect with the link token (the server
  looks the link up and records the socket in the database) and a `sync` request for the
  snapshot, as the browser does.
- **KiB per connection**: growth of the server's resident memory (VmRSS) from before to after
  connecting the N participants, divided by N.
- **client CPU %**: CPU used by the benchmark's own process (all clients share one asyncio
  loop) during the measurement, as a percentage of one core; near 100 % the client, not the
  server, would be the limit. **server CPU %** is the same for the server process;
  **server ms per command** is its CPU time per command (commit plus N sends), and **server µs
  per delivery** the same CPU time divided by the events delivered (the reference's beside it).
- **Targets**: the goals of issue #18 with this run's figure (**after**), an earlier run's
  (**before**, from its `--json` file given as `--before`) and whether each is met. Every table
  is followed by the machine (CPU model, cores, load average at that moment): wall-clock figures
  move with other load on the machine, CPU times much less. Results from another machine are
  kept below, apart, under "Earlier results on other machines".
- **Host speed**: a virtual machine's host can run the same code much slower for minutes at a time
  (docs/benchmarks.md, round 7). The run times a fixed piece of pure Python (`idle_penalty.py`: JSON
  and sorting, about 1 ms) on the servers' CPU at its start and its end, back to back and after 5 ms
  pauses, and names both beside the machine: runs are comparable only at about the same speed. The
  machine line also gives the CPU time the host took from this machine during the run (/proc/stat's
  steal): a virtual machine held up by its host stalls whatever it was serving.
- **The host after a pause**: the fan-out rows pause {gap} ms after each fan-out, and a server's CPU per
  message grows with the pause alone (its caches go cold while it waits). At N=10 the reference is
  also measured with no pause, and the line "The host after a pause" gives both beside the project's
  per command with the pauses (the N=10 row) and back to back (the commands/s figure).
- **Commands/s**: one chair, 10 participants connected, commands sent back-to-back (each waits
  for its ack) and pipelined (several in flight), in rounds alternating the two, the median round of
  each reported; only acknowledged, persisted commands count.
- **Many meetings**: M meetings of P participants each on one server process, every chair
  sending a command every 1-2 s (random), fan-out percentiles over all deliveries.
- **Scale-out**: N participants (default 200) in one meeting on PostgreSQL (a temporary database on
  127.0.0.1:5432, dropped afterwards): first one process, then two processes sharing the database
  and a Redis message queue (127.0.0.1:6379), the chair on the first process and the participants
  alternating between the two, so every event crosses Redis. Skipped, with the reason, when
  PostgreSQL or Redis is not reachable.
- **Cross-check**: one size measured again (one round) with python-socketio's `AsyncClient` for
  every client, then with the lean client straight after, on the same server and meeting
  (aiohttp, which the AsyncClient needs, comes with `make test`'s set-up).

Every server gets a fresh instance folder and database (`init-db` each time), so one phase's
rows do not slow the next.

The lean client speaks Engine.IO v4 / Socket.IO v5 directly over the Sans-I/O layer of
`websockets` and timestamps bytes as they arrive; the client process keeps its garbage
collector off during measurement so its pauses are not charged to the server.

## Results

"""


_MACHINE = re.compile(r"Machine(?: for this table)?: (nproc \d+ \(.*?\)), Linux")


def earlier_machines(previous: str, machine: str) -> str:
    """The section of results from other machines: the file's earlier ones, and its last results if
    they were measured on another machine than this run's (figures of two machines never mix)."""
    blocks = re.search(r"<!-- earlier-machines:start -->\n(.*?)<!-- earlier-machines:end -->", previous, re.S)
    earlier = blocks.group(1) if blocks else ""
    results = re.search(r"\n## Results\n\n(.*?)(?=\n\n#+ |\Z)", previous, re.S)
    old_machine = _MACHINE.search(results.group(1)) if results else None
    this_machine = _MACHINE.search("Machine: " + machine)
    if results and old_machine and this_machine and old_machine.group(1) != this_machine.group(1):
        when = re.search(r"room_fanout.py` on ([^;]+);", previous)
        title = f"### {old_machine.group(1)}, {when.group(1) if when else 'date unknown'}"
        earlier = f"{title}\n\n{results.group(1).strip()}\n\n" + earlier
    if not earlier:
        return ""
    return (
        "\n## Earlier results on other machines\n\n<!-- earlier-machines:start -->\n"
        + earlier
        + "<!-- earlier-machines:end -->\n"
    )


def _old_docs(path: str) -> str:
    return Path(path).read_text() if Path(path).exists() else ""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", help="room sizes N, comma-separated (default 10,50,200,500,1000; quick 10,200)")
    ap.add_argument("--commands", type=int, help="commands per round per size (default 200; quick 50)")
    ap.add_argument("--rounds", type=int, help="rounds per size, median reported (default 3; quick 1)")
    ap.add_argument(
        "--quick", action="store_true", help="a short run (~2 min): fewer sizes, commands, a smaller scenario"
    )
    ap.add_argument("--gap-ms", type=float, default=5.0, help="pause after each command's fan-out completes")
    ap.add_argument("--connect-concurrency", type=int, default=50, help="connections opened at once")
    ap.add_argument(
        "--real-client-size",
        type=int,
        help="N also run with python-socketio's AsyncClient (default 50 if in sizes, else the smallest; 0 = skip)",
    )
    ap.add_argument("--cps-seconds", type=float, help="seconds of each round of each commands/s measurement (default 3; quick 2)")
    ap.add_argument("--window", type=int, default=8, help="commands in flight in the pipelined measurement")
    ap.add_argument("--no-cps", action="store_true", help="skip the commands/s measurement")
    ap.add_argument("--meetings", type=int, help="meetings in the many-meetings scenario (default 200; quick 40)")
    ap.add_argument("--meeting-size", type=int, default=10, help="participants per meeting in the scenario")
    ap.add_argument("--scenario-seconds", type=float, help="duration of the scenario (default 20; quick 8)")
    ap.add_argument("--no-scenario", action="store_true", help="skip the many-meetings scenario")
    ap.add_argument("--scale-out-size", type=int, default=200, help="participants in the scale-out phase")
    ap.add_argument("--no-scale-out", action="store_true", help="skip the PostgreSQL + Redis scale-out phase")
    ap.add_argument("--docs", default=str(DOCS), help="Markdown file to overwrite with the results ('' = none)")
    ap.add_argument(
        "--git-ref",
        help="serve this committed revision (exported with git archive into the temporary folder) "
        "instead of the working tree",
    )
    ap.add_argument("--json", help="also write the raw results as JSON to this file")
    ap.add_argument(
        "--before", help="an earlier run's --json file: its figures fill the targets table's `before` column"
    )
    ap.add_argument("--no-pin", action="store_true", help="do not pin the servers and the client to separate CPUs")
    ap.add_argument("--time-limit", type=float, default=900, help="hard limit in seconds for the whole run")
    ap.add_argument("--serve-reference", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    q = args.quick
    args.sizes = [int(x) for x in (args.sizes or ("10,200" if q else "10,50,200,500,1000")).split(",") if x.strip()]
    args.commands = args.commands or (50 if q else 200)
    args.rounds = args.rounds or (1 if q else 3)
    args.cps_seconds = args.cps_seconds or (2.0 if q else 3.0)
    args.meetings = args.meetings or (40 if q else 200)
    args.scenario_seconds = args.scenario_seconds or (8.0 if q else 20.0)
    if args.real_client_size is None:
        args.real_client_size = 50 if 50 in args.sizes else min(args.sizes)
    return args


def raise_nofile(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))  # children (the servers) inherit it


async def main_async(args, command: str) -> str:
    started = perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="room-fanout-"))
    log(f"working folder {workdir} (a fresh instance folder and database per server)")
    global APP_DIR
    sha = None
    if args.git_ref:
        APP_DIR = workdir / "source"
        sha = export_revision(args.git_ref, APP_DIR)
        log(f"serving git revision {args.git_ref} ({sha[:10]}) from {APP_DIR}")
    LOAD.append(os.getloadavg()[0])
    facts = machine_facts(workdir)
    facts.append(describe_source(args.git_ref, sha))
    facts.append(f"{PINNING[0]}; client and reference event loop: {event_loop_name()}")
    facts.append(host_speed("at start"))
    STEAL_AT_START[:] = [steal_seconds()]
    gc.disable()  # the client's collections would be charged to the server; collected between phases
    failures: list[str] = []

    async def phase(label: str, coro):
        try:
            return await coro
        except Exception as exc:  # one broken phase must not lose the others
            log(f"{label} FAILED: {exc!r}")
            failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:300]}")
            return None
        finally:
            gc.collect()

    sizes: list[SizeResult] = []
    for n in args.sizes:
        result = await phase(f"N={n}", run_size(n, args, workdir, real_client=(n == args.real_client_size)))
        if result is not None:
            sizes.append(result)
    cps = None if args.no_cps else await phase("commands/s", run_throughput(args, workdir))
    scen = None if args.no_scenario else await phase("scenario", run_scenario(args, workdir))
    scale = None if args.no_scale_out else await phase("scale-out", run_scale_out(args, workdir))
    elapsed = perf_counter() - started
    LOAD.append(os.getloadavg()[0])
    facts.append(
        "load average at end {:.2f} {:.2f} {:.2f} (other work on the machine adds noise)".format(*os.getloadavg())
    )
    facts.append(host_speed("at end"))
    if STEAL_AT_START:
        facts.append(
            f"CPU time the host took from this machine during the run (/proc/stat steal, both CPUs): "
            f"{steal_seconds() - STEAL_AT_START[0]:.2f} s"
        )
    if ERRORS:
        facts.append("refused or failed commands by kind: " + "; ".join(f"{k} x{v}" for k, v in ERRORS.items()))
    before = measure_json(args.before) if args.before else None
    text = report(args, sizes, cps, scen, facts, command, elapsed, failures, scale, before)
    print("\n" + text + "\n", flush=True)
    if args.docs:
        mode = "This was a `--quick` run." if args.quick else ""
        head = DOC_HEAD.format(
            date=time.strftime("%Y-%m-%d %H:%M %Z"),
            mode=mode,
            commands=args.commands,
            rounds=args.rounds,
            conc=args.connect_concurrency,
            gap=f"{args.gap_ms:g}",
        )
        Path(args.docs).parent.mkdir(parents=True, exist_ok=True)
        # Other benchmarks keep their sections in the same file between markers: carry them over.
        previous = _old_docs(args.docs)
        kept = [
            k
            for k in re.findall(r"\n\n#[^\n]*\n\n<!-- [a-z-]+:start -->.*?<!-- [a-z-]+:end -->", previous, re.S)
            if "<!-- earlier-machines:start -->" not in k
        ]
        earlier = earlier_machines(previous, facts[0])
        Path(args.docs).write_text(head + text + "\n" + earlier + "".join(kept) + ("\n" if kept else ""))
        log(f"wrote {args.docs}")
    if args.json:

        def plain(o):
            return o.__dict__ if hasattr(o, "__dict__") else str(o)

        Path(args.json).write_text(
            json.dumps(
                {"sizes": sizes, "cps": cps, "scenario": scen, "scale_out": scale, "facts": facts, "command": command},
                default=plain,
                indent=1,
            )
        )
    # keep a server's folder (log and database) only if something went wrong in it

    shutil.rmtree(workdir / "source", ignore_errors=True)
    for folder in [p for p in workdir.iterdir() if p.is_dir()]:
        logs = list(folder.glob("*.log"))
        if not any("Traceback" in f.read_text(errors="replace") for f in logs):
            shutil.rmtree(folder, ignore_errors=True)
    for log_file in workdir.glob("*.log"):
        if "Traceback" not in log_file.read_text(errors="replace"):
            log_file.unlink()
    if not any(workdir.iterdir()):
        workdir.rmdir()
    else:
        log(f"kept {workdir} for the failures in it")
    return text


def main() -> int:
    args = parse_args()
    if args.serve_reference:
        run_loop(reference_server(args.port))
        return 0
    os.chdir(ROOT)
    PINNING[0] = plan_pinning(not args.no_pin)
    most = max(args.sizes + [0]) + (0 if args.no_scenario else args.meetings * (args.meeting_size + 1))
    raise_nofile(2 * most + 1024)
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "benchmarks/room_fanout.py", *sys.argv[1:]])

    def on_signal(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    signal.alarm(int(args.time_limit))
    try:
        run_loop(main_async(args, command))
    finally:
        signal.alarm(0)
        _kill_children()
    return 0


if __name__ == "__main__":
    sys.exit(main())
