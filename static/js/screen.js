// Shared screen: read across a room. The current item and a large countdown, what comes next and the
// record so far, all fitted to the screen (a list that does not fit ends in "and N more", an entry never
// cut mid-line); once the meeting has ended, a summary of its decisions and actions instead. Calm mode
// (calm.js) shows the time in words and keeps the colours still.
import { calmChoice, calmStepNodes, calmToggle, renderCalmNow } from "./calm.js";
import { day, decisions, actions, disagreements, ownerNodes } from "./record.js";
import { Room, bdi, bootstrap, budget, elapsed, el, hhmm, minutes, renderHeader, renderNow, showConnection, text, tick, timeState } from "./room-core.js";

const room = new Room(bootstrap(), () => draw());
showConnection(room);
let calm = calmChoice(room, "screen");

function draw() {
  const now = room.now();
  renderHeader(room, now);
  const ended = room.meeting.status === "ended";
  const item = calm ? renderCalmNow(room, now) : renderNow(room, now);
  const screen = document.getElementById("screen");
  screen.dataset.timeState = item && !calm ? timeState(item, now) : "ok";
  screen.dataset.status = room.meeting.status;
  // Once ended: no countdown, no projected end, nothing "coming up"; the record fills the screen.
  for (const id of ["countdown", "countdown-note", "progress", "screen-end", "screen-next"]) document.getElementById(id).hidden = ended;
  const items = room.orderedItems();
  const bar = document.getElementById("progress-bar");
  if (ended) {
    text("item-counter", room.meeting.ended_at ? `Ended at ${hhmm(Date.parse(room.meeting.ended_at))}` : "Ended");
  } else if (item) {
    const idx = items.indexOf(item) + 1;
    text("item-counter", `Item ${idx} of ${items.length}${item.status === "paused" ? " · paused" : ""}`);
    if (!calm) bar.style.width = `${Math.min(100, (elapsed(item, now) / budget(item)) * 100)}%`;
  } else {
    text("item-counter", room.meeting.status === "draft" ? `Starts ${hhmm(Date.parse(room.meeting.scheduled_start))}` : "");
    if (!calm) bar.style.width = "0%";
  }
  drawLower();
}

// ---------------------------------------------------------------- fitting lists to the screen

// The node that says how many entries did not fit.
function moreNode(n, where) {
  return el("li", { class: "more" }, `and ${n} more${where}`);
}

// Show as many of each list's entries as fit in `box`: start from all of them (up to a cap), then take
// one away at a time from the longest list until nothing overflows. `lists` is [{list, nodes, keep,
// empty}]: `keep` "first" shows the first entries ("and N more" after them), "last" the latest ("and N
// more before these" above them).
function fitLists(box, lists, cap = 12) {
  const shown = lists.map((l) => Math.min(l.nodes.length, cap));
  const render = (i) => {
    const { list, nodes, keep, empty } = lists[i];
    const n = shown[i];
    const hidden = nodes.length - n;
    if (!nodes.length) list.replaceChildren(el("li", { class: "empty" }, empty));
    else if (keep === "first") list.replaceChildren(...nodes.slice(0, n), hidden ? moreNode(hidden, "") : "");
    else list.replaceChildren(hidden ? moreNode(hidden, " before these") : "", ...nodes.slice(nodes.length - n));
  };
  lists.forEach((_, i) => render(i));
  const overflows = () => box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
  while (overflows()) {
    let longest = -1;
    shown.forEach((n, i) => {
      if (n > 0 && (longest < 0 || n >= shown[longest])) longest = i; // ties: the later list gives way first
    });
    if (longest < 0) break; // only headings and "and N more" lines left: nothing more to take away
    shown[longest] -= 1;
    render(longest);
  }
}

// Redrawn when something changes (an event, the calm choice, the window's size), not on every tick.
let lowerKey = "";
function drawLower() {
  const key = `${room.seq}|${calm}|${window.innerWidth}x${window.innerHeight}`;
  if (key === lowerKey) return;
  lowerKey = key;
  drawNext();
  drawRecord();
}

function drawNext() {
  const list = document.getElementById("next-items");
  text("next-heading", calm ? "What happens next" : "Coming up");
  list.classList.toggle("calm-steps", calm);
  if (room.meeting.status === "ended") return list.replaceChildren();
  const nodes = calm
    ? calmStepNodes(room, 2).slice(1)
    : room
        .orderedItems()
        .filter((i) => ["pending", "left"].includes(i.status) && i.id !== room.meeting.current_item_id)
        .map((i) => el("li", { dataset: { itemId: i.id } }, el("span", { class: "title", dir: "auto" }, i.title), el("span", { class: "mins" }, minutes(budget(i)))));
  fitLists(document.getElementById("screen-next"), [{ list, nodes, keep: "first", empty: room.meeting.status === "draft" ? "The agenda is empty" : "Nothing more on the agenda" }]);
}

// One entry: its words (clamped to a few whole lines by the style) and, after them, who and when.
function entry(dataset, words, ...sub) {
  return el("li", { dataset }, el("span", { class: "line" }, bdi(words), el("span", { class: "sub" }, ...sub)));
}

function drawRecord() {
  const ds = decisions(room);
  const as = actions(room);
  const gs = disagreements(room).filter((g) => !g.resolved);
  text("decision-count", ds.length ? `(${ds.length})` : "");
  text("action-count", as.length ? `(${as.length})` : "");
  text("disagreement-count", gs.length ? `(${gs.length})` : "");
  fitLists(document.getElementById("screen-record"), [
    { list: document.getElementById("decisions"), nodes: ds.map((d) => entry({ decisionId: d.id }, d.text, ` · ${d.status_label}`)), keep: "last", empty: "None yet" },
    {
      list: document.getElementById("actions"),
      nodes: as.map((a) => entry({ actionId: a.id }, a.what, " · ", ownerNodes(room, a), ` · due ${day(a.due_date)} · follow-up ${day(a.follow_up_date)}`)),
      keep: "last",
      empty: "None yet",
    },
    {
      list: document.getElementById("disagreements"),
      nodes: gs.map((g) => entry({ disagreementId: g.id }, g.topic, ` · ${g.positions.length} position${g.positions.length === 1 ? "" : "s"}${g.next_step ? ` · next: ${g.next_step_label}` : ""}`)),
      keep: "last",
      empty: "None",
    },
  ]);
}

calmToggle(room, "screen", document.getElementById("calm-toggle"), calm, (on) => {
  calm = on;
  draw();
});
window.addEventListener("resize", () => drawLower());

draw();
// The countdown a few times a second; calm mode's words change once a minute (see calm.js).
tick(() => draw());
