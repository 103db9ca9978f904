// Shared screen: read across a room. Current item, a large countdown, calm colour changes, what comes next.
import { Room, bootstrap, budget, elapsed, el, hhmm, minutes, renderHeader, renderNow, showConnection, text, tick, timeState } from "./room-core.js";

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
  const upcoming = items.filter((i) => i.status === "pending").slice(0, 4);
  const list = document.getElementById("next-items");
  const key = upcoming.map((i) => `${i.id}:${i.version}:${i.position}`).join("|");
  if (list.dataset.key !== key) {
    list.dataset.key = key;
    list.replaceChildren(
      ...upcoming.map((i) =>
        el("li", { dataset: { itemId: i.id } }, el("span", { class: "title" }, i.title), el("span", { class: "mins" }, minutes(budget(i)))),
      ),
    );
    if (!upcoming.length) list.append(el("li", { class: "empty" }, room.meeting.status === "ended" ? "Thank you" : "Nothing more on the agenda"));
  }
}

draw();
tick(() => {
  const now = room.now();
  renderHeader(room, now);
  draw();
});
