// Shared screen: read across a room. Current item, a large countdown, calm colour changes, what comes next.
import { day, decisions, actions, disagreements, ownerNodes, fill as fillList } from "./record.js";
import { Room, bdi, bootstrap, budget, elapsed, el, hhmm, minutes, renderHeader, renderNow, showConnection, text, tick, timeState } from "./room-core.js";

const room = new Room(bootstrap(), () => draw());
showConnection(room);

function draw() {
  const now = room.now();
  renderHeader(room, now);
  const item = renderNow(room, now);
  const screen = document.getElementById("screen");
  screen.dataset.timeState = item ? timeState(item, now) : "ok";
  screen.dataset.status = room.meeting.status;
  const items = room.orderedItems();
  const bar = document.getElementById("progress-bar");
  if (item) {
    const idx = items.indexOf(item) + 1;
    text("item-counter", `Item ${idx} of ${items.length}${item.status === "paused" ? " · paused" : ""}`);
    bar.style.width = `${Math.min(100, (elapsed(item, now) / budget(item)) * 100)}%`;
  } else {
    text("item-counter", room.meeting.status === "draft" ? `Starts ${hhmm(Date.parse(room.meeting.scheduled_start))}` : "");
    bar.style.width = "0%";
  }
  const upcoming = items.filter((i) => i.status === "pending" || i.status === "left").slice(0, 4);
  const list = document.getElementById("next-items");
  const key = upcoming.map((i) => `${i.id}:${i.version}:${i.position}`).join("|");
  if (list.dataset.key !== key) {
    list.dataset.key = key;
    list.replaceChildren(
      ...upcoming.map((i) =>
        el("li", { dataset: { itemId: i.id } }, el("span", { class: "title", dir: "auto" }, i.title), el("span", { class: "mins" }, minutes(budget(i)))),
      ),
    );
    if (!upcoming.length) list.append(el("li", { class: "empty" }, room.meeting.status === "ended" ? "Thank you" : "Nothing more on the agenda"));
  }
  drawRecord();
}


// ---------------------------------------------------------------- the record, compact: the latest few of each

let recordKey = "";
function drawRecord() {
  const key = `${room.seq}`;
  if (key === recordKey) return;
  recordKey = key;
  const ds = decisions(room);
  const as = actions(room);
  const gs = disagreements(room).filter((g) => !g.resolved);
  text("decision-count", ds.length ? `(${ds.length})` : "");
  text("action-count", as.length ? `(${as.length})` : "");
  text("disagreement-count", gs.length ? `(${gs.length})` : "");
  fillList(document.getElementById("decisions"), ds.slice(-3).map((d) => el("li", { dataset: { decisionId: d.id } }, bdi(d.text), el("span", { class: "sub" }, ` · ${d.status_label}`))), "None yet");
  fillList(
    document.getElementById("actions"),
    as.slice(-4).map((a) => el("li", { dataset: { actionId: a.id } }, bdi(a.what), el("span", { class: "sub" }, " · ", ownerNodes(room, a), ` · due ${day(a.due_date)} · follow-up ${day(a.follow_up_date)}`))),
    "None yet",
  );
  fillList(
    document.getElementById("disagreements"),
    gs.slice(-3).map((g) => el("li", { dataset: { disagreementId: g.id } }, bdi(g.topic), el("span", { class: "sub" }, ` · ${g.positions.length} position${g.positions.length === 1 ? "" : "s"}${g.next_step ? ` · next: ${g.next_step_label}` : ""}`))),
    "None",
  );
}

draw();
tick(() => {
  const now = room.now();
  renderHeader(room, now);
  draw();
});
