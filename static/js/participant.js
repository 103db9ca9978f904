// A participant's own view: the live item and countdown, the whole agenda with times, who is here.
import { Room, STATUS_LABELS, bootstrap, el, itemTimes, renderHeader, renderNow, renderParticipants, showConnection, tick } from "./room-core.js";

const room = new Room(bootstrap(), () => draw());
showConnection(room);

function drawAgenda(now) {
  const list = document.getElementById("agenda");
  list.replaceChildren(
    ...room.orderedItems().map((item) =>
      el(
        "li",
        { class: `item status-${item.status}`, dataset: { itemId: item.id, status: item.status }, "aria-current": item.id === room.meeting.current_item_id ? "step" : null },
        el("span", { class: "title" }, item.title),
        item.presenter ? el("span", { class: "presenter" }, item.presenter) : null,
        el("span", { class: "times" }, itemTimes(item, now)),
        el("span", { class: "badge" }, item.deferred && item.status === "pending" ? "deferred" : STATUS_LABELS[item.status]),
      ),
    ),
  );
}

function draw() {
  const now = room.now();
  renderHeader(room, now);
  renderNow(room, now);
  drawAgenda(now);
  renderParticipants(room, document.getElementById("participants"));
  const me = room.viewer.participant_id ? room.participants.get(room.viewer.participant_id) : null;
  document.getElementById("me").textContent = me ? `You are joining as ${me.name} (${me.role_label}, ${me.agency_label})` : "";
}

draw();
tick(() => {
  const now = room.now();
  renderHeader(room, now);
  renderNow(room, now);
  drawAgenda(now);
});
