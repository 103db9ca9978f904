// The agenda on the chair console: items with their times, reordering, editing, removing, going to,
// skipping and deferring an item, adding one, and giving items more time in proportion (x1.5 when
// interpreted), one item at a time or several in one step.
import { quickEntry } from "./chair-forms.js";
import { optional } from "./record.js";
import { STATUS_LABELS, TIME_SCALES, el, itemTimes, minutes, redraw, scaleText } from "./room-core.js";

// The scale offered by the one-step "Scale items for interpreting" control.
const INTERPRETING_SCALE = 150;

function scaleOptions(selected) {
  return TIME_SCALES.map((v) => el("option", { value: v, selected: v === selected }, scaleText(v)));
}

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
      item.visits > 1 ? el("span", { class: "visits" }, `opened ${item.visits} times`) : null,
    );
    const tools = el("span", { class: "item-tools" });
    // Each button's accessible name starts with its visible label (WCAG 2.5.3, so "click Go to" works
    // by voice), then names the item; the tooltip says what it does.
    // Tools that change the plan (order, wording, time) show only in the Prepare view.
    const tool = (label, title, fn, disabled = false, cls = null) =>
      tools.append(el("button", { type: "button", class: cls, title, "aria-label": `${label}: ${item.title}`, disabled, onclick: fn }, label));
    if (canEdit) {
      tool("Up", "Move up the agenda", () => move(items, index, -1), index === 0, "prepare-only");
      tool("Down", "Move down the agenda", () => move(items, index, 1), index === items.length - 1, "prepare-only");
      tool("Edit", "Edit the title, presenter or minutes", () => {
        editing = item.id;
        draw();
      }, false, "prepare-only");
    }
    if (canRemove) tool("Remove", "Remove from the agenda", () => window.confirm(`Remove "${item.title}"?`) && send("agenda.remove_item", { item_id: item.id }).catch(() => {}), false, "prepare-only");
    if (m.status === "live" && !isCurrent) tool("Go to", "Open this item now", () => send("clock.goto_item", { item_id: item.id }).catch(() => {}));
    if (m.status === "live" && !isCurrent && (item.status === "pending" || item.status === "left")) {
      tool("Skip", "Skip this item", () => send("clock.skip_item", { item_id: item.id }).catch(() => {}));
      tool("Defer", "Defer to later", () => send("clock.defer_item", { item_id: item.id }).catch(() => {}));
    }
    if (canEdit) {
      tools.append(
        el(
          "select",
          {
            class: "time-scale prepare-only",
            "aria-label": `Time scale of ${item.title}`,
            title: "More time in proportion, e.g. x1.5 when interpreted",
            onchange: (e) => send("agenda.scale_time", { item_ids: [item.id], time_scale: Number(e.target.value) }).catch(() => draw()),
          },
          ...scaleOptions(item.time_scale ?? 100),
        ),
      );
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

  // The one-step control: tick the items the interpreter carries, choose the scale (x1.5 unless
  // changed), apply. The tick boxes are redrawn only when the items that can be scaled change, and
  // keep their ticks.
  const scaleForm = document.getElementById("scale-items");
  function drawScaleChoices(items) {
    if (!scaleForm) return;
    const m = room.meeting;
    const open = items.filter((i) => m.status !== "ended" && i.status !== "done" && i.status !== "skipped");
    const box = scaleForm.querySelector(".scale-choices");
    const key = open.map((i) => `${i.id}:${i.title}:${i.time_scale}`).join("|");
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    const ticked = new Set([...box.querySelectorAll("input:checked")].map((c) => Number(c.value)));
    box.replaceChildren(
      ...open.map((i) =>
        el(
          "label",
          { class: "choice" },
          el("input", { type: "checkbox", name: "item_ids", value: i.id, checked: ticked.has(i.id) }),
          " ",
          el("span", { dir: "auto" }, i.title),
          i.time_scale && i.time_scale !== 100 ? ` (${scaleText(i.time_scale)})` : "",
        ),
      ),
    );
    scaleForm.hidden = !open.length;
  }
  if (scaleForm) {
    const choose = scaleForm.elements.time_scale;
    choose.replaceChildren(...scaleOptions(INTERPRETING_SCALE));
    scaleForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const ids = [...scaleForm.querySelectorAll("input[name=item_ids]:checked")].map((c) => Number(c.value));
      const note = scaleForm.querySelector(".form-status");
      if (!ids.length) {
        note.textContent = "Tick the items to scale first.";
        return;
      }
      room.send("agenda.scale_time", { item_ids: ids, time_scale: Number(choose.value) }, { errorNode: note })
        .then(() => {
          note.textContent = `${ids.length} item${ids.length === 1 ? "" : "s"} now ${scaleText(Number(choose.value))}.`;
          for (const c of scaleForm.querySelectorAll("input[name=item_ids]")) c.checked = false;
        })
        .catch(() => {});
    });
  }

  function draw() {
    const items = room.orderedItems();
    redraw(document.getElementById("agenda"), items.map((item, i) => itemRow(item, i, items)));
    drawScaleChoices(items);
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
