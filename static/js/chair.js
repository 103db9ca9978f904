// Chair console: prepare the agenda and people, run the clock, see the room's state.
import {
  Room,
  STATUS_LABELS,
  bootstrap,
  el,
  itemTimes,
  minutes,
  renderHeader,
  renderNow,
  showConnection,
  tick,
} from "./room-core.js";

const boot = bootstrap();
const links = boot.links || [];
let editing = null; // id of the agenda item whose edit form is open
const room = new Room(boot, () => draw());
showConnection(room);

function showError(err) {
  const box = document.getElementById("command-error");
  if (!err) {
    box.textContent = "";
    return;
  }
  let message = err.message || "That did not work.";
  if (err.fields) message += " " + Object.values(err.fields).join(" ");
  box.textContent = message;
}

async function send(name, args = {}) {
  showError(null);
  try {
    return await room.command(name, args);
  } catch (err) {
    showError(err);
    throw err;
  }
}

// ---------------------------------------------------------------- clock controls

document.getElementById("clock-controls").addEventListener("click", (ev) => {
  const button = ev.target.closest("button[data-cmd]");
  if (!button) return;
  const name = button.dataset.cmd;
  if (name === "clock.end_meeting" && !window.confirm("End the meeting for everyone?")) return;
  const args = button.dataset.seconds ? { seconds: Number(button.dataset.seconds) } : {};
  send(name, args).catch(() => {});
});

document.addEventListener("keydown", (ev) => {
  if (!ev.altKey || ev.target.closest("input, select, textarea")) return;
  if (ev.key === "ArrowRight") send("clock.next_item").catch(() => {});
  if (ev.key === "ArrowLeft") send("clock.previous_item").catch(() => {});
});

function drawControls() {
  const m = room.meeting;
  const item = room.currentItem();
  const live = m.status === "live";
  const enabled = {
    "clock.start_meeting": m.status === "draft",
    "clock.previous_item": live,
    "clock.pause": live && item && item.status === "running",
    "clock.resume": live && item && item.status === "paused",
    "clock.next_item": live,
    "clock.extend": live && !!item,
    "clock.skip_item": live && !!item,
    "clock.defer_item": live && !!item,
    "clock.end_meeting": live,
  };
  for (const button of document.querySelectorAll("#clock-controls button")) {
    const on = !!enabled[button.dataset.cmd];
    button.disabled = !on;
    button.hidden = (button.dataset.cmd === "clock.pause" && !on && item && item.status === "paused") ||
      (button.dataset.cmd === "clock.resume" && !on);
  }
}

// ---------------------------------------------------------------- agenda

function itemRow(item, index, items) {
  const m = room.meeting;
  const covered = item.status === "done" || item.status === "skipped";
  const isCurrent = item.id === m.current_item_id;
  const canEdit = m.status !== "ended" && !covered;
  const canRemove = canEdit && !item.started_at && !isCurrent;
  const li = el(
    "li",
    {
      class: `item status-${item.status}`,
      dataset: { itemId: item.id, status: item.status },
      "aria-current": isCurrent ? "step" : null,
    },
    el("span", { class: "title" }, item.title),
    item.presenter ? el("span", { class: "presenter" }, item.presenter) : null,
    el("span", { class: "times" }, itemTimes(item, room.now())),
    el("span", { class: "badge" }, item.deferred && item.status === "pending" ? "deferred" : STATUS_LABELS[item.status]),
  );
  const tools = el("span", { class: "item-tools" });
  const tool = (label, title, fn, disabled = false) =>
    tools.append(el("button", { type: "button", title, "aria-label": `${title}: ${item.title}`, disabled, onclick: fn }, label));
  if (canEdit) {
    tool("↑", "Move up", () => move(items, index, -1), index === 0);
    tool("↓", "Move down", () => move(items, index, 1), index === items.length - 1);
    tool("Edit", "Edit", () => {
      editing = item.id;
      draw();
    });
  }
  if (canRemove) tool("Remove", "Remove", () => window.confirm(`Remove "${item.title}"?`) && send("agenda.remove_item", { item_id: item.id }).catch(() => {}));
  if (m.status === "live" && !isCurrent) tool("Go to", "Open this item now", () => send("clock.goto_item", { item_id: item.id }).catch(() => {}));
  if (m.status === "live" && !isCurrent && item.status === "pending") {
    tool("Skip", "Skip", () => send("clock.skip_item", { item_id: item.id }).catch(() => {}));
    tool("Defer", "Defer to later", () => send("clock.defer_item", { item_id: item.id }).catch(() => {}));
  }
  li.append(tools);
  if (editing === item.id) li.append(editForm(item));
  return li;
}

function editForm(item) {
  const form = el(
    "form",
    { class: "inline-form edit-item" },
    el("label", {}, "Title ", el("input", { name: "title", value: item.title, maxlength: 200, required: true })),
    el("label", {}, "Presenter ", el("input", { name: "presenter", value: item.presenter || "", maxlength: 120 })),
    el("label", {}, "Minutes ", el("input", { name: "minutes", type: "number", min: 1, max: 240, value: Math.round(item.allocated_seconds / 60) })),
    el("button", { type: "submit" }, "Save"),
    el("button", { type: "button", onclick: () => { editing = null; draw(); } }, "Cancel"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    send("agenda.update_item", {
      item_id: item.id,
      version: item.version,
      title: data.get("title"),
      presenter: data.get("presenter") || null,
      minutes: Number(data.get("minutes")),
    })
      .then(() => {
        editing = null;
        draw();
      })
      .catch(() => {});
  });
  return form;
}

function move(items, index, delta) {
  const ids = items.map((i) => i.id);
  const [moved] = ids.splice(index, 1);
  ids.splice(index + delta, 0, moved);
  send("agenda.reorder", { item_ids: ids }).catch(() => {});
}

function drawAgenda() {
  const items = room.orderedItems();
  document.getElementById("agenda").replaceChildren(...items.map((item, i) => itemRow(item, i, items)));
  const a = room.meeting.allocation;
  const allocation = document.getElementById("allocation");
  allocation.dataset.fits = a.fits ? "yes" : "no";
  allocation.textContent = a.fits
    ? `${minutes(a.total_seconds)} allocated of ${minutes(a.scheduled_seconds)} scheduled.`
    : `Warning: ${minutes(a.total_seconds)} allocated, ${minutes(a.over_by_seconds)} more than the ${minutes(a.scheduled_seconds)} scheduled.`;
}

function refreshTimes() {
  const now = room.now();
  for (const li of document.querySelectorAll("#agenda li[data-item-id]")) {
    const item = room.items.get(Number(li.dataset.itemId));
    const times = li.querySelector(".times");
    if (item && times) {
      const value = itemTimes(item, now);
      if (times.textContent !== value) times.textContent = value;
    }
  }
}

document.getElementById("add-item").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const data = new FormData(form);
  send("agenda.add_item", {
    title: data.get("title"),
    presenter: data.get("presenter") || null,
    minutes: Number(data.get("minutes")),
  })
    .then(() => {
      form.reset();
      form.elements.title.focus();
    })
    .catch(() => {});
});

// ---------------------------------------------------------------- people and links

function drawPeople() {
  const list = document.getElementById("participants");
  list.replaceChildren(
    ...[...room.participants.values()].map((p) =>
      el(
        "li",
        { dataset: { participantId: p.id } },
        el("span", { class: "name" }, p.name),
        " ",
        el("span", { class: "role" }, `${p.role_label}, ${p.agency_label}`),
        " ",
        el(
          "button",
          {
            type: "button",
            "aria-label": `Remove ${p.name}`,
            onclick: () => window.confirm(`Remove ${p.name}? Their link will stop working at once.`) &&
              send("participants.remove", { participant_id: p.id }).catch(() => {}),
          },
          "Remove",
        ),
      ),
    ),
  );
  const linkList = document.getElementById("links");
  const live = links.filter((l) => l.role !== "participant" || room.participants.has(l.participant_id));
  linkList.replaceChildren(
    ...live.map((l) => {
      const who =
        l.role === "chair" ? "Chair console (you)" : l.role === "screen" ? "Shared screen" : `Join link: ${room.participants.get(l.participant_id).name}`;
      return el(
        "li",
        { dataset: { role: l.role, participantId: l.participant_id } },
        el("span", { class: "who" }, who),
        el("input", { class: "link-url", readonly: true, value: l.url, "aria-label": who, onfocus: (e) => e.target.select() }),
        el("a", { href: l.url, target: "_blank", rel: "noopener noreferrer" }, "Open"),
      );
    }),
  );
}

document.getElementById("add-participant").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const data = new FormData(form);
  send("participants.add", {
    name: data.get("name"),
    role: data.get("role"),
    agency: data.get("agency"),
    agency_name: data.get("agency_name") || null,
  })
    .then((result) => {
      links.push({ role: "participant", participant_id: result.participant_id, url: window.location.origin + result.join_path });
      form.reset();
      drawPeople();
    })
    .catch(() => {});
});

// ---------------------------------------------------------------- meeting details

function localInput(iso) {
  const d = new Date(Date.parse(iso));
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function drawDetails(force) {
  const form = document.getElementById("edit-meeting");
  if (!force && form.contains(document.activeElement)) return;
  const m = room.meeting;
  form.elements.title.value = m.title;
  form.elements.child_ref.value = m.child_ref;
  form.elements.scheduled_start.value = localInput(m.scheduled_start);
  form.elements.scheduled_end.value = localInput(m.scheduled_end);
  for (const input of form.elements) input.disabled = m.status === "ended";
}

document.getElementById("edit-meeting").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const asIso = (v) => new Date(v).toISOString();
  send("meeting.update", {
    version: room.meeting.version,
    title: form.elements.title.value,
    child_ref: form.elements.child_ref.value,
    scheduled_start: asIso(form.elements.scheduled_start.value),
    scheduled_end: asIso(form.elements.scheduled_end.value),
  })
    .then(() => drawDetails(true))
    .catch(() => drawDetails(true));
});

// ---------------------------------------------------------------- drawing

function draw() {
  const now = room.now();
  renderHeader(room, now);
  renderNow(room, now);
  drawControls();
  drawAgenda();
  drawPeople();
  drawDetails(false);
}

draw();
tick(() => {
  const now = room.now();
  renderHeader(room, now);
  renderNow(room, now);
  refreshTimes();
});
