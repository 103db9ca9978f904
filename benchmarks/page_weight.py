#!/usr/bin/env python
"""Page weight and first render of the shared screen, the participant page and the chair console.

One invocation starts the project's server as `make run` serves it (`flask init-db`, `flask
seed-demo`, then `python app.py`: gevent, SQLite in a temporary instance folder, 127.0.0.1 on a
free port), runs the demo meeting a little over the JSON API (started, on its fifth item, with
decisions, actions, a disagreement and attendance recorded) so the pages are not empty, and opens
each page in Debian's Chromium (/usr/bin/chromium, headless, driven by Playwright):

* cold: a fresh browser context (empty cache, no cookies, a new connection), `goto` the link;
* warm: the same context straight after, `reload` (the browser's cache and open connection kept).

Each is done `--runs` times (pages taking turns) and the median reported. Per load it reads, with
the browser's own Performance APIs (Navigation and Resource Timing, `paint` entries through a
PerformanceObserver): requests, bytes on the wire and decoded, split into HTML / JS / CSS / fonts /
other; TTFB, first contentful paint, DOMContentLoaded, load; and the moment the page shows live
state (the current agenda item's title and a running countdown drawn), when its Socket.IO
connection is up and when the `sync` answer (catch-up or snapshot) arrives; and the JS heap.

Usage:  .venv/bin/python benchmarks/page_weight.py                  # 5 runs, writes docs/page-weight.md
        .venv/bin/python benchmarks/page_weight.py --runs 3 --docs ''
        .venv/bin/python benchmarks/page_weight.py --network slow-4g  # the same pages over a throttled link

Nothing is injected into the pages as a <script> element: the measuring code is evaluated through
the DevTools protocol (Playwright's add_init_script / evaluate), which the page's Content Security
Policy does not govern, and every `securitypolicyviolation` the page reports fails the run. Only
127.0.0.1 is used; the server runs in its own process group and is killed on exit.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import room_fanout as rf  # noqa: E402  (server start-up, free port, JSON API helper, machine facts)

ROOT = rf.ROOT
DOCS = ROOT / "docs" / "page-weight.md"
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS  # noqa: E402  (Chromium as the browser tests launch it)

#: the shared screen is a projector; people use the console and their own page on a laptop
VIEWPORTS = {"screen": (1920, 1080), "participant": (1280, 800), "chair": (1280, 800)}
PAGE_LABELS = {"screen": "shared screen", "participant": "participant (join)", "chair": "chair console"}
#: DevTools network profiles (download/upload in bytes per second, latency in ms)
NETWORKS = {
    "none": None,
    "fast-4g": {"latency": 40, "downloadThroughput": 9 * 1024 * 1024 / 8, "uploadThroughput": 9 * 1024 * 1024 / 8},
    "slow-4g": {"latency": 150, "downloadThroughput": 1.6 * 1024 * 1024 / 8, "uploadThroughput": 750 * 1024 / 8},
    "3g": {"latency": 300, "downloadThroughput": 750 * 1024 / 8, "uploadThroughput": 250 * 1024 / 8},
}
CATEGORIES = ["HTML", "JS", "CSS", "fonts", "other"]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Failure(Exception):
    pass


# ---------------------------------------------------------------------------- server and meeting


def server_env(port: int, folder: Path) -> dict:
    env = rf.project_env(port, folder)
    # Pages are loaded as people load them: keep the socket flood allowance as configured by default...
    env.pop("SOCKET_EVENTS_PER_SECOND", None)
    # ...but the join page's per-address limit (30 per minute) would refuse the benchmark's own reloads.
    env["JOIN_RATE_LIMIT"] = "1000 per minute"
    return env


def flask_cli(args: list[str], env: dict) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "facilitation:create_app", *args],
        cwd=rf.APP_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if out.returncode != 0:
        raise Failure(f"flask {' '.join(args)} failed: {out.stderr[-2000:]}")
    return out.stdout


_LINK = re.compile(r"^\s+(Chair console|Shared screen|Join as (.+?) \((.+?)\))\s*:\s*(http\S+)\s*$")


def parse_links(seed_output: str) -> dict[str, str]:
    """The demo links `flask seed-demo` prints: chair, screen and the parent's join link (path only)."""
    links: dict[str, str] = {}
    for line in seed_output.splitlines():
        m = _LINK.match(line)
        if not m:
            continue
        path = urlsplit(m.group(4)).path
        if m.group(1) == "Chair console":
            links["chair"] = path
        elif m.group(1) == "Shared screen":
            links["screen"] = path
        elif "participant" not in links or m.group(3).lower() == "parent":
            links["participant"] = path  # the parent's link if there is one, else the first
    missing = {"chair", "screen", "participant"} - links.keys()
    if missing:
        raise Failure(f"seed-demo printed no link for {sorted(missing)}:\n{seed_output}")
    return links


def bootstrap_of(port: int, path: str) -> dict:
    """The page's embedded `<script type="application/json" id="bootstrap">` (token and snapshot)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read().decode()
    finally:
        conn.close()
    if resp.status != 200:
        raise Failure(f"GET {path}: {resp.status}")
    m = re.search(r'<script type="application/json" id="bootstrap">(.*?)</script>', body, re.S)
    if not m:
        raise Failure(f"no bootstrap data in {path}")
    return json.loads(m.group(1))  # Jinja's tojson escapes <, >, & and ' inside, nothing to unescape


def command(port: int, meeting_id: int, token: str, name: str, args: dict | None = None) -> dict:
    status, body = rf.http_json(port, "POST", f"/api/v1/meetings/{meeting_id}/commands/{name}", args or {}, token)
    if status != 200:
        raise Failure(f"{name}: {status} {body}")
    return body


def run_demo_meeting(port: int, links: dict[str, str]) -> tuple[int, str, dict]:
    """Start the demo meeting and fill its record; return (meeting id, current item title, counts)."""
    boot = bootstrap_of(port, links["chair"])
    token = boot["token"]
    meeting_id = boot["snapshot"]["meeting"]["id"]
    people = {p["name"]: p["id"] for p in boot["snapshot"]["participants"]}
    today = date.today()

    def cmd(name, args=None):
        return command(port, meeting_id, token, name, args)

    def owner(name):
        return people.get(name)

    cmd("clock.start_meeting")
    for name, pid in people.items():
        cmd("attendance.set", {"participant_id": pid, "attendance": "remote" if "Lindqvist" in name else "in_room"})
    cmd("clock.next_item")  # review of last year's actions
    cmd(
        "decisions.record",
        {
            "text": "Speech and language therapy targets from last year are carried forward, updated.",
            "reasons": "Two of four targets met; the others are partly met and still relevant.",
            "evidence": "SALT progress report, term 3",
        },
    )
    cmd(
        "actions.record",
        {
            "what": "Update the SALT targets in section F with this term's baseline",
            "owner_participant_id": owner("Ms J. Patel"),
            "due_date": str(today + timedelta(days=21)),
            "follow_up_date": str(today + timedelta(days=35)),
            "need": "Communication and interaction",
        },
    )
    cmd(
        "actions.record",
        {
            "what": "Send the reading intervention records (Autumn and Spring) to the LA officer",
            "owner_participant_id": owner("Mr T. Reid"),
            "due_date": str(today + timedelta(days=7)),
            "follow_up_date": str(today + timedelta(days=14)),
            "need": "Cognition and learning",
        },
    )
    cmd("clock.next_item")  # J's views
    cmd(
        "decisions.record",
        {
            "text": "J's 'All about me' booklet is attached to the plan as section A.",
            "reasons": "J asked for his drawings to be included in his own words.",
        },
    )
    cmd("clock.next_item")  # parents' views
    dis = cmd(
        "disagreements.record",
        {
            "topic": "Whether 1:1 support at lunchtime should be written into section F",
            "positions": [
                {
                    "participant_id": owner("Mrs S. Malik"),
                    "view": "J is left alone at lunch and comes home upset most days; "
                    "without named support in the plan it stops whenever staff are short.",
                    "evidence": "Home diary, six weeks",
                },
                {
                    "participant_id": owner("Ms K. Lindqvist"),
                    "view": "Lunchtime support can be met from the school's "
                    "notional SEN budget; the plan should describe the outcome, not the staffing.",
                },
            ],
        },
    )
    cmd(
        "actions.record",
        {
            "what": "Observe two lunchtimes and write up what support J needs, with the family",
            "owner_participant_id": owner("Ms A. Okafor"),
            "due_date": str(today + timedelta(days=14)),
            "follow_up_date": str(today + timedelta(days=28)),
            "need": "Social, emotional and mental health",
        },
    )
    cmd(
        "decisions.record",
        {
            "text": "Lunchtime support stays in place, school-funded, until the observation is reported.",
            "status": "agreed",
            "disagreement_id": dis["disagreement_id"],
        },
    )
    cmd("clock.next_item")  # SALT report: the current, running item
    cmd(
        "actions.record",
        {
            "what": "Share the updated SALT report with the family before it goes to the LA",
            "owner_participant_id": owner("Ms J. Patel"),
            "due_date": str(today + timedelta(days=10)),
            "follow_up_date": str(today + timedelta(days=24)),
        },
    )
    # a new meeting's minutes details are at version 1
    cmd(
        "minutes.update_details",
        {"version": 1, "family_views": "We want J to have a friend at lunch and to enjoy school again."},
    )
    status, state = rf.http_json(port, "GET", f"/api/v1/meetings/{meeting_id}", None, token)
    if status != 200:
        raise Failure(f"read meeting: {status} {state}")
    current = next(i for i in state["items"] if i["id"] == state["meeting"]["current_item_id"])
    counts = {k: len(state.get(k) or []) for k in ("items", "participants", "decisions", "actions", "disagreements")}
    return meeting_id, current["title"], counts


# ---------------------------------------------------------------------------- in-page measurement

#: Evaluated by the browser at document start through the DevTools protocol (not a <script>
#: element, so the CSP neither governs nor needs to allow it). It only watches: a MutationObserver
#: notes when the current item's title and a running countdown are first in the DOM and when the
#: room's connection status turns "online", and CSP violation reports are collected.
INIT_SCRIPT = r"""
(() => {
  const expected = __EXPECTED__;
  const CLOCK = /^\+?(\d+:)?\d{2}:\d{2}$/;
  const state = { marks: {}, violations: [] };
  Object.defineProperty(window, "__pageWeight", { value: state });
  document.addEventListener("securitypolicyviolation", (e) =>
    state.violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`));
  const afterFrame = (name) =>
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { state.marks[name] = performance.now(); };
      ch.port2.postMessage(null);
    });
  function check() {
    const m = state.marks;
    if (m.liveDom === undefined) {
      const title = document.getElementById("current-title");
      const cd = document.getElementById("countdown");
      if (title && cd && title.textContent.trim() === expected && cd.dataset.running === "yes" &&
          CLOCK.test(cd.textContent.trim())) {
        m.liveDom = performance.now();
        m.countdownFirst = cd.textContent.trim();
        afterFrame("live");
      }
    }
    if (m.online === undefined && document.body && document.body.dataset.connection === "online") {
      m.online = performance.now();
    }
    if (m.liveDom !== undefined && m.online !== undefined) observer.disconnect();
  }
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true,
                               attributeFilter: ["data-running", "data-connection"] });
})();
"""

#: Waits (in the page) for the marks, then reads Navigation/Resource Timing and paint entries.
COLLECT = r"""
async (timeoutMs) => {
  const s = window.__pageWeight;
  const t0 = performance.now();
  const ready = () => s.marks.live !== undefined && s.marks.online !== undefined &&
                      performance.getEntriesByType("navigation")[0]?.loadEventEnd > 0;
  while (!ready() && performance.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 10));
  // Let late requests finish (the previous-actions fetch after connecting, Socket.IO's upgrade):
  // until no new resource entry for 300 ms, at most 3 s.
  let n = -1, quietSince = performance.now();
  const t1 = performance.now();
  while (performance.now() - quietSince < 300 && performance.now() - t1 < 3000) {
    const k = performance.getEntriesByType("resource").length;
    if (k !== n) { n = k; quietSince = performance.now(); }
    await new Promise((r) => setTimeout(r, 25));
  }
  const paint = await new Promise((resolve) => {
    const out = {};
    const po = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) out[e.name] = e.startTime;
    });
    po.observe({ type: "paint", buffered: true });
    setTimeout(() => {
      for (const e of po.takeRecords()) out[e.name] = e.startTime;
      po.disconnect();
      resolve(out);
    }, 50);
  });
  const nav = performance.getEntriesByType("navigation")[0];
  const pick = (e) => ({ name: e.name, type: e.initiatorType, transfer: e.transferSize, encoded: e.encodedBodySize,
                          decoded: e.decodedBodySize, end: e.responseEnd, status: e.responseStatus || 0 });
  return {
    ready: ready(),
    marks: s.marks,
    violations: s.violations,
    timeOrigin: performance.timeOrigin,
    nav: { ...pick(nav), ttfb: nav.responseStart, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
           navType: nav.type },
    resources: performance.getEntriesByType("resource").map(pick),
    paint,
    countdownNow: document.getElementById("countdown")?.textContent.trim(),
  };
}
"""


def category(path: str, initiator: str) -> str:
    if path.endswith((".js", ".mjs")):
        return "JS"
    if path.endswith(".css"):
        return "CSS"
    if path.endswith((".woff2", ".woff", ".ttf", ".otf")) or initiator == "css" and "/fonts/" in path:
        return "fonts"
    return "other"


@dataclass
class Load:
    page: str
    cache: str  # "cold" | "warm"
    requests: int = 0
    from_cache: int = 0
    wire: int = 0
    decoded: int = 0
    by_cat: dict = field(default_factory=dict)  # category -> [requests, wire, decoded]
    socketio_requests: int = 0
    websockets: int = 0
    files: list = field(default_factory=list)  # (category, path, wire bytes, decoded bytes) per request
    ttfb: float = float("nan")
    fcp: float = float("nan")
    dcl: float = float("nan")
    load: float = float("nan")
    live: float = float("nan")
    online: float = float("nan")
    synced: float = float("nan")
    heap_mib: float = float("nan")


class Watch:
    """Playwright-side listeners for one page: page errors, Socket.IO frames and responses, headers."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.console_csp: list[str] = []
        self.frames: list[tuple[float, str]] = []  # (wall-clock ms, Socket.IO packet) received on WebSockets
        self.polls: list = []  # Socket.IO polling responses (bodies read after the load settles)
        self.websockets = 0
        self.responses: dict[str, dict] = {}  # url -> status and headers, for the asset table
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", self._console)
        page.on("websocket", self._websocket)
        page.on("response", self._response)

    def reset(self) -> None:
        self.frames.clear()
        self.polls.clear()
        self.websockets = 0

    def _console(self, msg) -> None:
        if msg.type == "error" and "Content Security Policy" in msg.text:
            self.console_csp.append(msg.text)

    def _websocket(self, ws) -> None:
        self.websockets += 1

        def got(payload):
            if isinstance(payload, str):
                self.frames.append((time.time() * 1000, payload))

        ws.on("framereceived", got)

    def _response(self, response) -> None:
        url = response.url
        if "/socket.io/" in url:
            if response.request.method == "GET":
                self.polls.append((time.time() * 1000, response))
            return
        self.responses[url] = {"status": response.status, "headers": response.headers, "response": response}


_SYNC_ACK = re.compile(r"^43\d+\[\{")


def is_sync_answer(packet: str) -> bool:
    """A Socket.IO ack carrying a `sync` answer: events to catch up with, or a snapshot."""
    return bool(_SYNC_ACK.match(packet)) and ('"snapshot"' in packet or '"events"' in packet) and '"seq"' in packet


def sync_time(watch: Watch, data: dict) -> float:
    """When the first `sync` answer reached the page (ms after navigation start), over polling or WebSocket."""
    origin = data["timeOrigin"]
    ends = {r["name"]: r["end"] for r in data["resources"]}
    times = []
    for wall, payload in watch.frames:
        if is_sync_answer(payload):
            times.append(wall - origin)
    for wall, response in watch.polls:
        try:
            body = response.body().decode("utf-8", "replace")
        except Exception:  # a long poll still open when the page moved on
            continue
        if any(is_sync_answer(p) for p in body.split("\x1e")):
            times.append(ends.get(response.url, wall - origin))
    return min(times) if times else float("nan")


def measure(page, watch: Watch, cdp, kind: str, cache: str, url: str, timeout_ms: int) -> Load:
    watch.reset()
    if cache == "cold":
        resp = page.goto(url, wait_until="load", timeout=timeout_ms)
    else:
        resp = page.reload(wait_until="load", timeout=timeout_ms)
    if resp is None or resp.status != 200:
        raise Failure(f"{kind} ({cache}): HTTP {resp.status if resp else 'no response'}")
    data = page.evaluate(COLLECT, timeout_ms)
    if not data["ready"]:
        raise Failure(
            f"{kind} ({cache}): live state not shown within {timeout_ms} ms (marks {data['marks']}, "
            f"countdown {data['countdownNow']!r})"
        )
    violations = data["violations"] + watch.console_csp
    if violations:
        raise Failure(f"{kind} ({cache}): Content Security Policy violations: {violations}")
    if watch.errors:
        raise Failure(f"{kind} ({cache}): page errors: {watch.errors}")
    load = Load(kind, cache)
    nav = data["nav"]
    load.ttfb, load.dcl, load.load = nav["ttfb"], nav["dcl"], nav["load"]
    load.fcp = data["paint"].get("first-contentful-paint", float("nan"))
    load.live = data["marks"]["live"] if "live" in data["marks"] else data["marks"]["liveDom"]
    load.online = data["marks"]["online"]
    load.synced = sync_time(watch, data)
    cats = {c: [0, 0, 0] for c in CATEGORIES}
    rows = [("HTML", nav)] + [
        (category(urlsplit(r["name"]).path, r["type"]), r) for r in data["resources"] if "/socket.io/" not in r["name"]
    ]
    for cat, r in rows:
        c = cats[cat]
        c[0] += 1
        c[1] += r["transfer"]
        c[2] += r["decoded"]
        load.requests += 1
        load.wire += r["transfer"]
        load.decoded += r["decoded"]
        load.files.append((cat, mask_token(urlsplit(r["name"]).path), r["transfer"], r["decoded"]))
        if r["transfer"] == 0 and r["decoded"] > 0:
            load.from_cache += 1
    load.by_cat = cats
    load.socketio_requests = sum(1 for r in data["resources"] if "/socket.io/" in r["name"])
    load.websockets = watch.websockets
    if cdp is not None:
        cdp.send("HeapProfiler.collectGarbage")
        load.heap_mib = cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20
    return load


def check_countdown_runs(page, kind: str) -> None:
    """The countdown is drawn from timestamps: it must change on its own within a couple of seconds."""
    first = page.locator("#countdown").text_content().strip()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if page.locator("#countdown").text_content().strip() != first:
            return
    raise Failure(f"{kind}: the countdown shows {first!r} and does not run")


def asset_rows(watch: Watch) -> list[dict]:
    """Each file a page loaded, with how the server sent it."""
    seen: dict[str, dict] = {}
    for url, info in watch.responses.items():
        path = mask_token(urlsplit(url).path)
        if path in seen or info["status"] != 200:
            continue
        headers = info["headers"]
        try:
            body = info["response"].body()
        except Exception:  # noqa: BLE001  (a body the browser no longer holds: size unknown)
            body = b""
        seen[path] = {
            "path": path,
            "type": (headers.get("content-type") or "").split(";")[0],
            "bytes": len(body),
            "gzip": len(gzip.compress(body, 6)) if body else 0,
            "encoding": headers.get("content-encoding", "none"),
            "cache": headers.get("cache-control", "(none)"),
            "validator": "ETag" if "etag" in headers else ("Last-Modified" if "last-modified" in headers else "none"),
        }
    return list(seen.values())


def mask_token(path: str) -> str:
    """A path without its link token (the report is committed) or meeting id."""
    path = re.sub(r"/[A-Za-z0-9_-]{20,}(?=/|$)", "/<token>", path)
    return re.sub(r"/meetings/\d+/", "/meetings/<id>/", path)


# ---------------------------------------------------------------------------- report


def med(values: list[float]) -> float:
    vals = [v for v in values if v == v]
    return statistics.median(vals) if vals else float("nan")


def ms(x: float) -> str:
    return "n/a" if x != x else f"{x:.0f}"


def kib(n: float) -> str:
    return "n/a" if n != n else f"{n / 1024:.1f}"


def summary_rows(loads: list[Load]) -> list[tuple[str, str, list[Load]]]:
    out = []
    for kind in ("screen", "participant", "chair"):
        for cache in ("cold", "warm"):
            group = [ld for ld in loads if ld.page == kind and ld.cache == cache]
            if group:
                out.append((kind, cache, group))
    return out


def report(loads, assets, facts, command_line, args, meeting_facts, elapsed) -> str:
    lines = [
        f"Command: `{command_line}`",
        "",
        *[f"- {f}" for f in facts + meeting_facts],
        "",
        f"### Weight (median of {args.runs} runs; each category: requests · KiB on the wire / KiB decoded)",
        "",
        "| page | cache | requests (from cache) | wire KiB | decoded KiB | "
        + " | ".join(CATEGORIES)
        + " | Socket.IO polls + WebSockets |",
        "| --- | --- | ---: | ---: | ---: | " + " | ".join("---:" for _ in CATEGORIES) + " | ---: |",
    ]
    for kind, cache, group in summary_rows(loads):
        cells = []
        for cat in CATEGORIES:
            n = med([g.by_cat[cat][0] for g in group])
            if n == 0:
                cells.append("–")
                continue
            cells.append(
                f"{n:.0f} · {kib(med([g.by_cat[cat][1] for g in group]))} / {kib(med([g.by_cat[cat][2] for g in group]))}"
            )
        lines.append(
            f"| {PAGE_LABELS[kind]} | {cache} | {med([g.requests for g in group]):.0f} "
            f"({med([g.from_cache for g in group]):.0f}) | {kib(med([g.wire for g in group]))} | "
            f"{kib(med([g.decoded for g in group]))} | "
            + " | ".join(cells)
            + f" | {med([g.socketio_requests for g in group]):.0f} + {med([g.websockets for g in group]):.0f} |"
        )
    lines += [
        "",
        f"### First render (ms after navigation start, median of {args.runs} runs; live: min–max)",
        "",
        "| page | cache | TTFB | first contentful paint | DOMContentLoaded | load | live state shown | live min–max "
        "| socket connected | sync answered | JS heap MiB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, cache, group in summary_rows(loads):
        lives = [g.live for g in group]
        lines.append(
            f"| {PAGE_LABELS[kind]} | {cache} | {ms(med([g.ttfb for g in group]))} | {ms(med([g.fcp for g in group]))} | "
            f"{ms(med([g.dcl for g in group]))} | {ms(med([g.load for g in group]))} | {ms(med(lives))} | "
            f"{ms(min(lives))}–{ms(max(lives))} | {ms(med([g.online for g in group]))} | "
            f"{ms(med([g.synced for g in group]))} | {med([g.heap_mib for g in group]):.1f} |"
        )
    lines += [
        "",
        "### Files as served (first cold load of each page)",
        "",
        "| file | type | KiB | KiB if gzip -6 | Content-Encoding | Cache-Control | validator |",
        "| --- | --- | ---: | ---: | --- | --- | --- |",
    ]
    for a in assets:
        lines.append(
            f"| `{a['path']}` | {a['type']} | {kib(a['bytes'])} | {kib(a['gzip'])} | {a['encoding']} | "
            f"{a['cache']} | {a['validator']} |"
        )
    lines += ["", f"Run time {elapsed:.0f} s."]
    return "\n".join(lines)


DOC_HEAD = """# Benchmarks: page weight and first render

Generated by `benchmarks/page_weight.py` on {date}; the script overwrites this file on every run
(`--docs ''` to leave it alone).

## What it measures

The script starts the server as `make run` serves it (`flask --app facilitation:create_app init-db`,
`flask seed-demo`, `python app.py`: gevent, SQLite in a temporary instance folder, 127.0.0.1 on a
free port; the join page's per-address rate limit is raised so the benchmark's own reloads are not
refused). Over the JSON API it starts the demo EHCP annual review (8 agenda items, 7 participants),
moves to the fifth item and records decisions, actions, a disagreement with two positions,
attendance and the family's views, so the pages draw a realistic record. It then opens the
**shared screen** (1920×1080), the parent's **participant page** (`/join/<token>`, 1280×800) and
the **chair console** (1280×800) in headless Chromium (Debian's `/usr/bin/chromium`, driven by
Playwright), {runs} runs, the three pages taking turns, after one unrecorded visit (the browser's
own start-up is not charged to the first page measured):

- **cold**: a new browser context (empty HTTP cache, no cookies, new connections), `goto` the link;
- **warm**: straight after, in the same context, `reload` (the cache and the connection are kept;
  a reload revalidates what may not be reused without asking).

Network: {network}. Every figure comes from the browser's own Performance APIs, read in the page:

- **requests (from cache)**: the document plus every Resource Timing entry except Socket.IO's
  (the favicon included). In brackets, those served from the browser's cache
  without asking the server (transfer size 0). A revalidation answered `304 Not Modified` counts as
  a request on the wire.
- **wire KiB**: `transferSize`: bytes received for the response, compressed if the server
  compressed it, headers included (Chromium counts a response's headers as a flat 300 bytes); 0
  from the cache, only the headers for a 304. **decoded KiB**: `decodedBodySize`, the body after
  decompression, what the browser parses. After a 304 Chromium reports the reused body's size,
  except for `socket.io.min.js` (the one classic `<script>`), which it reports as 0: warm decoded
  totals leave that file out.
- **HTML / JS / CSS / fonts / other**: the same split by kind: requests · wire KiB / decoded KiB.
  *Other* is everything else: the favicon, and on the participant page and console the minutes'
  state (`/minutes/<token>/state.json`) and the previous actions (`/api/v1/.../previous-actions`).
- **Socket.IO polls + WebSockets**: Engine.IO long-polling requests completed while the page
  settled (shown apart: they are the live connection, not the page) and WebSockets opened.
- **TTFB**: `responseStart` of the document (server time to render the page, on 127.0.0.1).
- **first contentful paint**: the `first-contentful-paint` entry (PerformanceObserver, `paint`).
- **DOMContentLoaded**, **load**: `domContentLoadedEventEnd`, `loadEventEnd` of the navigation.
- **live state shown**: the first frame in which the current agenda item's title and a running
  countdown (`#current-title`, `#countdown[data-running=yes]` showing `mm:ss`) are in the page: a
  MutationObserver notes the moment the DOM first holds them, then the time after the next
  animation frame is taken. The pages draw this from the snapshot embedded in the HTML, before the
  socket is up; the socket then only catches up (the next two columns).
- **socket connected**: the room's Socket.IO connection reports `connect` (`body[data-connection=online]`).
- **sync answered**: the answer to the page's `sync` request (events missed since the embedded
  snapshot, or a fresh snapshot) has arrived: from then on the page is certainly current. Over
  long-polling it is the `responseEnd` of the poll that carried it; over the WebSocket, the moment
  Playwright saw the frame (a millisecond or so late).
- **JS heap MiB**: V8's used heap of the page after a forced garbage collection, once the page
  has settled (DevTools `Runtime.getHeapUsage`).
- **Files as served**: each file the pages loaded, its size, what it would be gzip-compressed
  (`gzip -6`, computed by the script), and the `Content-Encoding`, `Cache-Control` and validator
  the server sent.

Each load also checks that no Content-Security-Policy violation was reported
(`securitypolicyviolation` events and console errors), that no script error was thrown, and (first
run) that each countdown actually runs; any failure makes the script exit non-zero. The measuring
code is evaluated through the DevTools protocol, never added as a `<script>` element, so the
pages run under their real policy. On 127.0.0.1 network time is nearly zero: the figures show the
server's page time and the browser's parse and script cost; `--network slow-4g` (or `fast-4g`,
`3g`) shows what the weight and the number of requests cost over a throttled link (DevTools
throttling, per request; TTFB does not include its added latency, the later columns do).

## Results

"""


# ---------------------------------------------------------------------------- main


def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=5, help="loads of each page, cold and warm (median reported)")
    ap.add_argument("--network", choices=list(NETWORKS), default="none", help="DevTools network throttling")
    ap.add_argument("--docs", default=str(DOCS), help="Markdown file to overwrite with the results ('' = none)")
    ap.add_argument("--json", help="also write every load's figures as JSON to this file")
    ap.add_argument("--page-timeout", type=float, default=20, help="seconds one load may take")
    ap.add_argument("--time-limit", type=float, default=115, help="hard limit in seconds for the whole run")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    return args


def run(args, command_line: str) -> str:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise Failure(f"{CHROMIUM} is missing (make test-setup installs Debian's chromium)")
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="page-weight-"))
    folder = workdir / "server"
    folder.mkdir()
    server = None
    ok = False
    try:
        facts = rf.machine_facts(folder)
        facts.append(rf.describe_source(None, None))
        log("init-db, seed-demo")
        rf.init_db(folder)
        port = rf.free_port()
        env = server_env(port, folder)
        links = parse_links(flask_cli(["seed-demo"], env))
        server = rf.Proc("server", [sys.executable, "app.py"], env, port, folder / "server.log").start()
        base = f"http://127.0.0.1:{port}"
        meeting_id, current_title, counts = run_demo_meeting(port, links)
        meeting_facts = [
            "meeting: the demo EHCP annual review, live, on item 5 of {items} ({title!r}); {participants} "
            "participants, {decisions} decisions, {actions} actions, {disagreements} disagreement(s) recorded".format(
                title=current_title, **counts
            )
        ]
        log(f"server on {base}, meeting {meeting_id} live on {current_title!r}")
        timeout_ms = int(args.page_timeout * 1000)
        loads: list[Load] = []
        assets: dict[str, dict] = {}  # path -> how it was served (first cold load of each page)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
            facts.append(
                f"Chromium {browser.version} (headless, {CHROMIUM}), Playwright {_version('playwright')}; "
                f"network: {args.network}"
            )
            init = INIT_SCRIPT.replace("__EXPECTED__", json.dumps(current_title))

            def visit(kind: str, record: bool, first: bool) -> None:
                """One context: the page cold, then reloaded warm."""
                w, h = VIEWPORTS[kind]
                context = browser.new_context(viewport={"width": w, "height": h})
                try:
                    page = context.new_page()
                    page.set_default_timeout(timeout_ms)
                    page.add_init_script(init)
                    watch = Watch(page)
                    cdp = context.new_cdp_session(page)
                    if NETWORKS[args.network]:
                        cdp.send("Network.enable")
                        cdp.send("Network.emulateNetworkConditions", {"offline": False, **NETWORKS[args.network]})
                    for cache in ("cold", "warm"):
                        load = measure(page, watch, cdp, kind, cache, base + links[kind], timeout_ms)
                        if record:
                            loads.append(load)
                        if first and cache == "cold":
                            check_countdown_runs(page, kind)
                            for row in asset_rows(watch):
                                assets.setdefault(row["path"], row)
                        watch.responses.clear()
                finally:
                    context.close()

            # One unrecorded visit first: the browser's own start-up (first renderer, caches of its
            # own) is not charged to whichever page happens to be measured first.
            visit("screen", record=False, first=False)
            for run_no in range(args.runs):
                for kind in ("screen", "participant", "chair"):
                    visit(kind, record=True, first=run_no == 0)
                log(f"run {run_no + 1}/{args.runs} done")
            browser.close()
        facts.append(
            "load average at end {:.2f} {:.2f} {:.2f} (other work on the machine adds noise)".format(*os.getloadavg())
        )
        text = report(
            loads,
            sorted(assets.values(), key=lambda r: -r["bytes"]),
            facts,
            command_line,
            args,
            meeting_facts,
            time.monotonic() - started,
        )
        print("\n" + text + "\n", flush=True)
        if args.docs:
            head = DOC_HEAD.format(
                date=time.strftime("%Y-%m-%d %H:%M %Z"),
                runs=args.runs,
                network="none (127.0.0.1, no throttling)"
                if args.network == "none"
                else f"`{args.network}` DevTools throttling ({NETWORKS[args.network]['latency']} ms latency, "
                f"{NETWORKS[args.network]['downloadThroughput'] * 8 / 1024 / 1024:.1f} Mbit/s down)",
            )
            Path(args.docs).parent.mkdir(parents=True, exist_ok=True)
            Path(args.docs).write_text(head + text + "\n")
            log(f"wrote {args.docs}")
        if args.json:
            Path(args.json).write_text(
                json.dumps({"loads": [ld.__dict__ for ld in loads], "assets": assets, "facts": facts}, indent=1)
            )
        ok = True
        return text
    finally:
        if server is not None:
            server.stop()
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"kept {workdir} (server log and database) for the failure")


def _version(pkg: str) -> str:
    import importlib.metadata as md

    try:
        return md.version(pkg)
    except md.PackageNotFoundError:
        return "?"


def main() -> int:
    args = parse_args()
    os.chdir(ROOT)
    command_line = " ".join(shlex.quote(a) for a in [".venv/bin/python", "benchmarks/page_weight.py", *sys.argv[1:]])

    def on_signal(signum, frame):
        raise SystemExit(f"stopped by signal {signum} (time limit {args.time_limit:.0f} s?)")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    signal.alarm(int(args.time_limit))
    from playwright.sync_api import Error as PlaywrightError

    try:
        run(args, command_line)
    except (Failure, PlaywrightError) as exc:  # a page that did not load, or did not show the meeting
        log(f"FAILED: {type(exc).__name__}: {exc}")
        return 1
    finally:
        signal.alarm(0)
        rf._kill_children()
    return 0


if __name__ == "__main__":
    sys.exit(main())
