// The live room on every page: connection, ordered events, catch-up, clock offset, commands.
//
// The server is the truth. This module keeps a copy of the meeting, applies events in sequence
// order, asks for what it missed after a reconnect (or takes a fresh snapshot), and sends chair
// commands with an id so a retry after a dropped connection is never applied twice.
//
// One Room, and so one Socket.IO connection, per page: the page's other parts (minutes, the review
// of previous actions) follow the meeting through onEvent/onSnapshot instead of opening their own.
import morphdom from "../vendor/morphdom-esm.js";

// Everything in a snapshot or event that is a list of rows with ids; events carry changed rows
// under these names and the ids of removed ones under `removed_<name>`.
export const COLLECTIONS = ["items", "participants", "decisions", "actions", "disagreements", "speaking_requests", "outcomes", "amendments"];

export class Room {
  constructor(bootstrap, onChange) {
    this.token = bootstrap.token;
    // the organisation's local contacts for this meeting's jurisdiction, shown with each open disagreement
    this.contacts = bootstrap.contacts || [];
    this.onChange = onChange;
    this.listeners = { status: [], event: [], snapshot: [] };
    this.offsetMs = 0;
    this.bestRtt = Infinity;
    this.syncing = false;
    this.buffer = [];
    this.pending = new Map();
    // "connecting" shows no banner; if the first connection takes longer than a moment, it
    // turns into "offline" so a page opened while the server is down says so.
    this.status = "connecting";
    window.setTimeout(() => this.status === "connecting" && this.setStatus("offline"), 2500);
    this.applySnapshot(bootstrap.snapshot);
    this.offsetMs = Date.parse(bootstrap.snapshot.server_now) - Date.now();

    // After a restart every browser in every meeting comes back at once: each waits 1 s doubling to
    // 4 s, every delay jittered by +-50 % so that they arrive spread out, then catches up by replay
    // from its last seq (sync). benchmarks/reconnect_storm.py measures this very policy.
    this.socket = window.io({
      auth: { token: this.token },
      reconnectionDelay: 1000,
      reconnectionDelayMax: 4000,
      randomizationFactor: 0.5,
    });
    this.socket.on("connect", () => {
      this.setStatus("online");
      this.syncing = false; // an ask made on the old connection will never be answered
      this.sync();
      this.measureOffset(3);
      this.resendPending();
    });
    this.socket.on("disconnect", (reason) => {
      if (this.status !== "revoked") this.setStatus("offline");
      if (reason === "io server disconnect" && this.status !== "revoked") {
        // The server closed us on purpose: most likely the link was withdrawn.
        this.setStatus("revoked");
      }
    });
    this.socket.io.on("reconnect_attempt", () => {
      if (this.status !== "revoked") this.setStatus("offline");
    });
    this.socket.on("connect_error", (err) => {
      if (err && err.message === "unauthorised") {
        this.setStatus("revoked");
        this.socket.disconnect();
      } else if (err && err.message === "too_many_connections") {
        // Refused by the server's cap on sockets per link or per address: say so, and do not retry.
        this.setStatus("too_many");
        this.socket.disconnect();
      } else {
        this.setStatus("offline");
      }
    });
    this.socket.on("event", (event) => this.receive(event));
    this.socket.on("access_revoked", () => {
      this.setStatus("revoked");
      this.socket.disconnect();
    });
    window.addEventListener("beforeunload", () => this.socket.disconnect());
  }

  // ---------------------------------------------------------------- state

  applySnapshot(snap) {
    this.seq = snap.seq;
    this.viewer = snap.viewer;
    this.meeting = snap.meeting;
    for (const name of COLLECTIONS) this[name] = new Map((snap[name] || []).map((x) => [x.id, x]));
  }

  applyEvent(event) {
    const d = event.data || {};
    if (d.meeting) this.meeting = d.meeting;
    for (const name of COLLECTIONS) {
      for (const row of d[name] || []) this[name].set(row.id, row);
      for (const id of d[`removed_${name}`] || []) this[name].delete(id);
    }
    this.seq = event.seq;
    this.notify("event", event);
  }

  receive(event) {
    if (event.server_now) this.noteServerTime(event.server_now);
    if (this.syncing) {
      this.buffer.push(event);
      return;
    }
    if (event.seq <= this.seq) return;
    if (event.seq === this.seq + 1) {
      this.applyEvent(event);
      this.changed(event);
    } else {
      this.sync();
    }
  }

  sync() {
    if (this.syncing) return;
    this.syncing = true;
    this.socket.timeout(8000).emit("sync", { last_seq: this.seq }, (err, ack) => {
      this.syncing = false;
      if (err || !ack || !ack.ok) {
        if (this.socket.connected) setTimeout(() => this.sync(), 1000);
        return;
      }
      if (ack.snapshot) {
        this.applySnapshot(ack.snapshot);
        this.notify("snapshot", null);
      } else {
        for (const e of ack.events) if (e.seq === this.seq + 1) this.applyEvent(e);
      }
      const buffered = this.buffer.sort((a, b) => a.seq - b.seq);
      this.buffer = [];
      for (const e of buffered) if (e.seq === this.seq + 1) this.applyEvent(e);
      this.changed(null);
      if (buffered.some((e) => e.seq > this.seq)) this.sync();
    });
  }

  changed(event) {
    try {
      this.onChange(this, event);
    } catch (e) {
      console.error(e);
    }
  }

  orderedItems() {
    return [...this.items.values()].sort((a, b) => a.position - b.position || a.id - b.id);
  }

  currentItem() {
    return this.meeting.current_item_id ? this.items.get(this.meeting.current_item_id) || null : null;
  }

  // ---------------------------------------------------------------- time

  now() {
    return Date.now() + this.offsetMs;
  }

  noteServerTime(iso) {
    // A broadcast's server time is a bound: the server sent it no later than we got it.
    const candidate = Date.parse(iso) - Date.now();
    if (this.bestRtt === Infinity && candidate > this.offsetMs) this.offsetMs = candidate;
  }

  measureOffset(rounds) {
    const t0 = Date.now();
    this.socket.timeout(5000).emit("time", {}, (err, ack) => {
      if (!err && ack && ack.ok) {
        const t1 = Date.now();
        const rtt = t1 - t0;
        if (rtt <= this.bestRtt) {
          this.bestRtt = rtt;
          this.offsetMs = Date.parse(ack.server_now) + rtt / 2 - t1;
        }
      }
      if (rounds > 1) setTimeout(() => this.measureOffset(rounds - 1), 200);
    });
  }

  // ---------------------------------------------------------------- commands

  command(name, args = {}) {
    const id = newId();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { name, args, resolve, reject });
      this.sendPending(id);
    });
  }

  sendPending(id) {
    const cmd = this.pending.get(id);
    // One copy on the wire at a time: a reconnect while an answer is awaited must not send a second.
    if (!cmd || cmd.inflight || !this.socket.connected) return;
    cmd.inflight = true;
    this.socket.timeout(8000).emit("command", { id, name: cmd.name, args: cmd.args }, (err, ack) => {
      cmd.inflight = false;
      if (this.pending.get(id) !== cmd) return;
      if (err) {
        // No answer (timed out, or the connection dropped): kept pending and sent again with the same
        // id, which the server applies at most once: now if still connected, else on reconnect.
        if (this.socket.connected) this.sendPending(id);
        return;
      }
      this.pending.delete(id);
      if (ack && ack.ok) cmd.resolve(ack);
      else cmd.reject((ack && ack.error) || { code: "error", message: "The command failed." });
    });
  }

  resendPending() {
    for (const id of this.pending.keys()) this.sendPending(id);
  }

  // A command sent from the page, with its outcome shown where the person is looking: `errorNode` (the
  // page's command-error line unless another is given; null for none) is cleared as it goes and says
  // what was refused and why. Resolves with the acknowledgement; rejects with the error, already shown.
  send(name, args = {}, { errorNode = document.getElementById("command-error") } = {}) {
    if (errorNode) errorNode.textContent = "";
    return this.command(name, args).catch((err) => {
      if (errorNode) errorNode.textContent = errorText(err);
      throw err;
    });
  }

  // ---------------------------------------------------------------- connection status

  onStatus(fn) {
    this.listeners.status.push(fn);
  }

  // fn(event) for every event applied, in seq order: live ones and those replayed after a reconnect.
  onEvent(fn) {
    this.listeners.event.push(fn);
  }

  // fn() when the copy was replaced by a fresh snapshot (too far behind to replay): anything may have changed.
  onSnapshot(fn) {
    this.listeners.snapshot.push(fn);
  }

  notify(kind, value) {
    for (const fn of this.listeners[kind]) {
      try {
        fn(value);
      } catch (e) {
        console.error(e);
      }
    }
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    for (const fn of this.listeners.status) fn(status);
  }
}

// What a form says about an entry sent while the connection is down (it waits, and goes once when the
// connection is back), or when the link no longer works (it never will).
export const WAITING = "Not sent yet: the connection is down. It will be sent once, as soon as the connection is back.";
export const REVOKED = "Not sent: this link no longer works.";

// What a refused command says: the server's message and the messages of the fields it names.
export function errorText(err) {
  if (!err) return "";
  return `${err.message || "That did not work."} ${err.fields ? Object.values(err.fields).join(" ") : ""}`.trim();
}

function newId() {
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------- clock maths (mirrors domain/agenda.py)

export const LOW_TIME_FRACTION = 0.2;
export const LOW_TIME_MIN_SECONDS = 60;

// An item's time scale in percent (150: x1.5, e.g. an interpreted item), as domain/agenda.py has it.
export const TIME_SCALES = [100, 125, 150, 175, 200, 225, 250, 275, 300];

export function scaleText(timeScale) {
  return `x${(timeScale || 100) / 100}`;
}

export function budget(item) {
  return Math.round((item.allocated_seconds * (item.time_scale ?? 100)) / 100) + item.extended_seconds;
}

export function elapsed(item, nowMs) {
  const running = item.run_started_at ? Math.max(0, (nowMs - Date.parse(item.run_started_at)) / 1000) : 0;
  return item.elapsed_before + running;
}

export function remaining(item, nowMs) {
  return budget(item) - elapsed(item, nowMs);
}

export function timeState(item, nowMs) {
  const left = remaining(item, nowMs);
  if (left < 0) return "over";
  if (left <= Math.max(LOW_TIME_MIN_SECONDS, budget(item) * LOW_TIME_FRACTION)) return "low";
  return "ok";
}

export function projectedEnd(room, nowMs) {
  const m = room.meeting;
  const items = room.orderedItems();
  if (m.status === "ended" && m.ended_at) return Date.parse(m.ended_at);
  if (m.status === "draft") {
    const total = items.filter((i) => i.status !== "skipped").reduce((s, i) => s + budget(i), 0);
    return Date.parse(m.scheduled_start) + total * 1000;
  }
  const left = items
    .filter((i) => TO_COVER.includes(i.status))
    .reduce((s, i) => s + Math.max(remaining(i, nowMs), 0), 0);
  return nowMs + left * 1000;
}

// ---------------------------------------------------------------- formatting and DOM helpers

export function clock(seconds) {
  const s = Math.abs(Math.trunc(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = h ? `${h}:${String(m).padStart(2, "0")}` : String(m).padStart(2, "0");
  return `${mm}:${String(sec).padStart(2, "0")}`;
}

export function hhmm(ms) {
  return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

export function minutes(seconds) {
  return `${Math.round(seconds / 60)} min`;
}

export function countdownText(item, nowMs) {
  const left = remaining(item, nowMs);
  return left >= 0 ? clock(Math.ceil(left)) : `+${clock(Math.floor(-left))}`;
}

export function countdownNote(item, nowMs) {
  const left = remaining(item, nowMs);
  const parts = [];
  if (item.status === "paused") parts.push("Paused");
  if (left < 0) parts.push(`Over time by ${Math.ceil(-left / 60)} min`);
  else if (timeState(item, nowMs) === "low") parts.push("Time running low");
  if (item.extended_seconds) parts.push(`extended by ${Math.round(item.extended_seconds / 60)} min`);
  return parts.join(" · ");
}

export function paceText(room, nowMs) {
  const end = projectedEnd(room, nowMs);
  const sched = Date.parse(room.meeting.scheduled_end);
  const diff = Math.round((end - sched) / 60000);
  if (room.meeting.status === "ended") return "";
  if (diff > 0) return `${diff} min past the scheduled end`;
  if (diff < 0) return `${-diff} min before the scheduled end`;
  return "on schedule";
}

const TYPED = /^(input|textarea)$/i;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) listen(node, k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  // What people type follows its own direction: an Arabic or Hebrew name is written right to left.
  if (TYPED.test(tag) && !node.hasAttribute("dir") && ["text", "search", "textarea"].includes(node.type)) {
    node.setAttribute("dir", "auto");
  }
  return node;
}

// A handler set through el() is looked up when the event fires, so that redraw() can hand a kept node
// the handler of the node drawn in its place (which knows the row as it stands now).
function listen(node, type, fn) {
  node.handlers = node.handlers || {};
  if (!(type in node.handlers)) node.addEventListener(type, (ev) => node.handlers[type] && node.handlers[type](ev));
  node.handlers[type] = fn;
}

// A node's key among its siblings: data-key, else its id. Rows drawn into a redrawn list carry one.
function nodeKey(node) {
  return node.nodeType === 1 ? node.getAttribute("data-key") || node.id || undefined : undefined;
}

const TEXTISH = /^(text|search|email|url|tel|number|date|datetime-local|time|password)$/;

// Before a kept node takes the new one's attributes: it takes its handlers too, and keeps what is
// being typed into it (a field with focus, or whose text differs from what it was drawn with) and
// whether a <details> is open.
function beforeUpdate(from, to) {
  if (from.handlers || to.handlers) {
    for (const type of Object.keys(from.handlers || {})) if (!to.handlers || !(type in to.handlers)) from.handlers[type] = null;
    for (const [type, fn] of Object.entries(to.handlers || {})) listen(from, type, fn);
  }
  const typed = from.tagName === "TEXTAREA" || (from.tagName === "INPUT" && TEXTISH.test(from.type));
  if (typed && (from === document.activeElement || from.value !== from.defaultValue)) to.value = from.value;
  if (from.tagName === "DETAILS") to.open = from.open;
  return true;
}

// Redraws a list as `nodes` (or `nodes` into any element) without replacing the rows that stay: the
// node with the focus keeps it, and what is typed in a field stays. Rows are matched by data-key / id.
export function redraw(list, nodes) {
  const target = list.cloneNode(false);
  target.append(...nodes.filter((n) => n !== null && n !== undefined));
  morphdom(list, target, { childrenOnly: true, getNodeKey: nodeKey, onBeforeElUpdated: beforeUpdate });
}

// People's own words (names, titles, notes) are isolated from the text around them, so a right-to-left
// name keeps its own reading order and does not reorder ours: dir="auto" on an element that holds only
// their words, bdi() around their words inside a sentence of ours.
export function bdi(value) {
  return el("bdi", {}, value);
}

export function text(id, value) {
  const node = document.getElementById(id);
  if (node && node.textContent !== value) node.textContent = value;
}

export function bootstrap() {
  return JSON.parse(document.getElementById("bootstrap").textContent);
}

export function showConnection(room) {
  const banner = document.getElementById("connection");
  const label = document.getElementById("connection-text");
  const render = (status) => {
    banner.dataset.state = status;
    banner.hidden = status === "online" || status === "connecting";
    label.textContent =
      status === "revoked"
        ? "This link no longer works. Ask the chair for a new one."
        : status === "too_many"
          ? "Too many connections are open with this link or from this network. Close this meeting on another device or browser tab, then reload this page."
          : "Offline: reconnecting… Everything will catch up when the connection is back.";
    document.body.dataset.connection = status;
  };
  room.onStatus(render);
  render(room.status);
}

export const STATUS_LABELS = {
  pending: "to come",
  running: "now",
  paused: "paused",
  left: "discussed, not finished",
  done: "done",
  skipped: "skipped",
};
// Items still to cover: their remaining time is in the projected end (a `left` item was opened and
// left unfinished through Go to, Previous or Defer, and comes back).
export const TO_COVER = ["pending", "running", "paused", "left"];

export function renderHeader(room, nowMs) {
  const m = room.meeting;
  text("meeting-title", m.title);
  text("child-ref", m.child_ref);
  if (document.getElementById("meeting-type")) text("meeting-type", m.meeting_type_label);
  if (document.getElementById("meeting-times")) {
    const day = new Date(Date.parse(m.scheduled_start)).toLocaleDateString("en-GB", {
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
    });
    text("meeting-times", `${day}, ${hhmm(Date.parse(m.scheduled_start))}–${hhmm(Date.parse(m.scheduled_end))}`);
  }
  if (document.getElementById("meeting-status")) {
    const label = { draft: "Not started", live: "In progress", ended: "Ended" }[m.status] || m.status;
    text("meeting-status", label);
    document.getElementById("meeting-status").dataset.status = m.status;
  }
  text("projected-end", hhmm(projectedEnd(room, nowMs)));
  text("pace", paceText(room, nowMs));
}

// Say once, politely, where the meeting has moved to: a new item, the start, the end. The first
// drawing of the page says nothing (the page's own heading does); the countdown is never announced.
const announced = { key: null };
export function announceItem(room, item) {
  const m = room.meeting;
  const key = `${m.status}:${item ? item.id : ""}`;
  if (announced.key === key) return;
  const first = announced.key === null;
  announced.key = key;
  const node = document.getElementById("room-announcer");
  if (first || !node) return;
  if (m.status === "ended") node.textContent = "The meeting has ended.";
  else if (item) node.textContent = `Now: ${item.title}${item.presenter ? `, presented by ${item.presenter}` : ""}.`;
  else if (m.status === "live") node.textContent = "Every item has been covered.";
}

export function renderNow(room, nowMs) {
  const item = room.currentItem();
  const m = room.meeting;
  announceItem(room, item);
  const countdown = document.getElementById("countdown");
  if (!item) {
    text(
      "current-title",
      m.status === "draft" ? "Waiting to start" : m.status === "ended" ? "Meeting ended" : "All items covered",
    );
    text("current-presenter", "");
    text("countdown", "--:--");
    text("countdown-note", "");
    countdown.dataset.timeState = "ok";
    return null;
  }
  text("current-title", item.title);
  text("current-presenter", item.presenter ? `Presenting: ${item.presenter}` : "");
  text("countdown", countdownText(item, nowMs));
  text("countdown-note", countdownNote(item, nowMs));
  countdown.dataset.timeState = timeState(item, nowMs);
  countdown.dataset.running = item.status === "running" ? "yes" : "no";
  return item;
}

export function itemTimes(item, nowMs) {
  const scaled = item.time_scale && item.time_scale !== 100 ? ` ${scaleText(item.time_scale)}` : "";
  const planned = minutes(item.allocated_seconds) + scaled + (item.extended_seconds ? ` + ${minutes(item.extended_seconds)}` : "");
  if (item.status === "done" || item.status === "skipped") {
    return `${planned} planned · ${minutes(item.actual_seconds || 0)} taken`;
  }
  if (item.status === "left") {
    return `${planned} planned · ${minutes(item.actual_seconds || 0)} so far`;
  }
  if (item.status === "running" || item.status === "paused") {
    return `${planned} planned · ${clock(elapsed(item, nowMs))} so far`;
  }
  return `${planned}`;
}

export function renderParticipants(room, list) {
  redraw(
    list,
    [...room.participants.values()].map((p) =>
      el(
        "li",
        { dataset: { key: `participant-${p.id}`, participantId: p.id, attendance: p.attendance } },
        el("span", { class: "name", dir: "auto" }, p.name),
        " ",
        el("span", { class: "role" }, `${p.role_label}, `, bdi(p.agency_label)),
        p.attendance && p.attendance !== "expected"
          ? el("span", { class: "attendance-label" }, ` · ${p.attendance_label}${p.arrived_late ? ", arrived late" : ""}${p.left_early ? ", left early" : ""}`)
          : null,
      ),
    ),
  );
}

export function tick(fn) {
  // Redraw the countdown a few times a second; nothing is sent over the network for it.
  const loop = () => {
    fn();
    window.setTimeout(loop, 250);
  };
  loop();
}
