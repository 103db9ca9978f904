// The agenda on the chair console: items with their times, reordering, editing, removing, going to,
// skipping and deferring an item, and adding one.
import { quickEntry } from "./chair-forms.js";
import { optional } from "./record.js";
import { STATUS_LABELS, el, itemTimes, minutes, redraw } from "./room-core.js";

export function agendaPanel(room) {
  let editing = null; // id of the agenda item whose edit form is open
  const send = (name, args) => room.send(name, args);

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
        dataset: { key: `item-${item.id}`, itemId: item.id, status: item.status },
        "aria-current": isCurrent ? "step" : null,
      },
      el("span", { class: "title", dir: "auto" }, item.title),
      item.presenter ? el("span", { class: "presenter", dir: "auto" }, item.presenter) : null,
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

  function draw() {
    const items = room.orderedItems();
    redraw(document.getElementById("agenda"), items.map((item, i) => itemRow(item, i, items)));
    const a = room.meeting.allocation;
    const allocation = document.getElementById("allocation");
    allocation.dataset.fits = a.fits ? "yes" : "no";
    allocation.textContent = a.fits
      ? `${minutes(a.total_seconds)} allocated of ${minutes(a.scheduled_seconds)} scheduled.`
      : `Warning: ${minutes(a.total_seconds)} allocated, ${minutes(a.over_by_seconds)} more than the ${minutes(a.scheduled_seconds)} scheduled.`;
  }

  // Between events only the times move: they are updated in place, the rows (and focus) stay.
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

  quickEntry(room, document.getElementById("add-item"), {
    command: "agenda.add_item",
    args: (v) => ({ title: v.title, presenter: optional(v.presenter), minutes: Number(v.minutes) }),
  });

  return { draw, refreshTimes };
}
