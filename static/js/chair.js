// Chair console: prepare the agenda and people, run the clock, see the room's state.
import { watchMinutes } from "./minutes.js";
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
import {
  LADDER,
  actionNode,
  actions,
  addDays,
  decisionNode,
  decisions,
  disagreementNode,
  disagreements,
  fill,
  formValues,
  optional,
  participantOptions,
  today,
  watchPreviousActions,
} from "./record.js";

const boot = bootstrap();
const links = boot.links || [];
let editing = null; // id of the agenda item whose edit form is open
const room = new Room(boot, () => draw());
showConnection(room);
room.onStatus(() => quickForms.forEach((f) => f.show()));
watchMinutes(room, boot.token); // minutes (issue 4): where the minutes stand, kept live
watchPreviousActions(room, boot.previous_actions); // the action log (issue 5)

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

// ---------------------------------------------------------------- quick entry

// Everything a form says, to tell whether it was changed since it was sent.
function formState(form) {
  return JSON.stringify([...new FormData(form).entries()].map(([k, v]) => [k, typeof v === "string" ? v : ""]));
}

const WAITING = "Not sent yet: the connection is down. It will be sent once, as soon as the connection is back.";
const REVOKED = "Not sent: this link no longer works.";
const quickForms = [];

// A quick-entry form that sends `command` with `args(values, form)` through the room (an id per
// submission, kept and sent again after a reconnect, applied once by the server). Whatever the
// network does, what is typed stays in its own fields: the form is cleared only by the acknowledgement
// of its own submission, and only if it still says what was sent; focus moves back to its first field
// only if it is still in this form. Pressing Enter again on an entry on its way sends nothing more.
// Errors are shown at the form, and the fields they name are marked.
function quickEntry(form, { command, args, reset = (f) => f.reset(), saved = () => {} }) {
  const note = el("p", { class: "form-status", id: `${form.id}-status`, role: "status", "aria-live": "polite" });
  form.append(note);
  const entry = { form, sending: null, note };
  quickForms.push(entry);
  const say = (text, state) => {
    note.textContent = text;
    note.dataset.state = state;
  };
  const unmark = () => {
    for (const field of form.querySelectorAll("[aria-invalid]")) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    }
  };
  form.addEventListener("input", () => {
    unmark();
    if (!entry.sending && note.dataset.state !== "error") say("", "");
  });
  entry.show = () => {
    if (!entry.sending) return;
    if (room.status === "revoked") say(REVOKED, "not-sent");
    else if (room.status === "online" || room.status === "connecting") say("Saving…", "sending");
    else say(WAITING, "waiting");
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const state = formState(form);
    if (entry.sending && entry.sending.state === state) return; // the same entry is already on its way
    const values = formValues(form);
    const sending = { state };
    entry.sending = sending;
    unmark();
    entry.show();
    room.command(command, args(values, form)).then(
      (result) => {
        if (entry.sending === sending) entry.sending = null;
        saved(result);
        const unchanged = formState(form) === state;
        if (unchanged) {
          const active = document.activeElement;
          const here = !active || active === document.body || form.contains(active);
          reset(form, values);
          if (here) form.querySelector("input:not([type=checkbox]), textarea").focus();
        }
        if (!entry.sending) say(unchanged ? "Saved." : "Saved. What you typed since is still here.", "saved");
      },
      (err) => {
        if (entry.sending === sending) entry.sending = null;
        const fields = (err && err.fields) || {};
        for (const name of Object.keys(fields)) {
          const field = form.elements[name];
          if (!(field instanceof HTMLElement)) continue; // a group of tick boxes: the message says which
          field.setAttribute("aria-invalid", "true");
          field.setAttribute("aria-describedby", note.id);
        }
        say([...new Set([err.message || "That was not saved.", ...Object.values(fields)])].join(" "), "error");
      },
    );
  });
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

quickEntry(document.getElementById("add-item"), {
  command: "agenda.add_item",
  args: (v) => ({ title: v.title, presenter: optional(v.presenter), minutes: Number(v.minutes) }),
});

// ---------------------------------------------------------------- people and links

function drawPeople() {
  const list = document.getElementById("participants");
  list.replaceChildren(
    ...[...room.participants.values()].map((p) =>
      el(
        "li",
        { dataset: { participantId: p.id } },
        el("span", { class: "name", dir: "auto" }, p.name),
        " ",
        el("span", { class: "role" }, `${p.role_label}, ${p.agency_label}`),
        " ",
        attendanceControls(p),
        el(
          "button",
          {
            type: "button",
            class: "chair-only",
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
  const invite = (l) => l.role === "participant" || l.role === "observer";
  const live = links.filter((l) => !invite(l) || room.participants.has(l.participant_id));
  linkList.replaceChildren(...live.map(linkNode));
}

const LINK_LABELS = { chair: "Chair console", note_taker: "Note-taker", screen: "Shared screen", participant: "Join link", observer: "Observer link" };

// One link in the chair's list: who it is for, the address to send, and (but for the chair's own)
// a new link in its place or withdrawing it; either cuts off whoever has the old one at once.
function linkNode(l) {
  const holder = l.participant_id ? room.participants.get(l.participant_id)?.name : l.name;
  const who = l.id === boot.link_id ? `${LINK_LABELS[l.role]} (you)` : holder ? `${LINK_LABELS[l.role]}: ${holder}` : LINK_LABELS[l.role];
  const replace = (result) => {
    const at = links.indexOf(l);
    if (result.link) links.splice(at, 1, { ...result.link, url: window.location.origin + result.link.path, name: l.name });
    else links.splice(at, 1);
    drawPeople();
  };
  return el(
    "li",
    { dataset: { role: l.role, participantId: l.participant_id, linkId: l.id } },
    el("span", { class: "who" }, who),
    el("input", { class: "link-url", readonly: true, value: l.url, "aria-label": who, onfocus: (e) => e.target.select() }),
    el("a", { href: l.url, target: "_blank", rel: "noopener noreferrer" }, "Open"),
    l.expires_at ? el("span", { class: "expires" }, `works until ${new Date(Date.parse(l.expires_at)).toLocaleDateString("en-GB")}`) : null,
    l.id === boot.link_id
      ? null
      : el(
          "span",
          { class: "link-tools" },
          button("New link", `Replace the link of ${who}`, () => {
            if (window.confirm(`Replace this link? The old one stops working at once.`)) send("links.reissue", { link_id: l.id }).then(replace).catch(() => {});
          }),
          button("Withdraw", `Withdraw the link of ${who}`, () => {
            if (window.confirm(`Withdraw this link? Whoever has it is cut off at once.`)) send("links.revoke", { link_id: l.id }).then(() => replace({})).catch(() => {});
          }),
        ),
  );
}

document.getElementById("add-note-taker").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const form = ev.target;
  send("links.add_note_taker", { email: formValues(form).email })
    .then((result) => {
      if (!links.some((l) => l.id === result.link.id)) links.push({ ...result.link, url: window.location.origin + result.link.path, name: result.name });
      form.reset();
      drawPeople();
    })
    .catch(() => {});
});

const ATTENDANCE = { expected: "Expected", in_room: "In the room", remote: "Remote", apologies: "Apologies", absent: "Did not attend" };

function attendanceControls(p) {
  const setAttendance = (changes) =>
    send("attendance.set", { participant_id: p.id, attendance: p.attendance, arrived_late: p.arrived_late, left_early: p.left_early, ...changes }).catch(() => {});
  const present = p.attendance === "in_room" || p.attendance === "remote";
  return el(
    "span",
    { class: "attendance" },
    el(
      "select",
      { "aria-label": `Attendance of ${p.name}`, onchange: (e) => setAttendance({ attendance: e.target.value, ...(["in_room", "remote"].includes(e.target.value) ? {} : { arrived_late: false, left_early: false }) }) },
      ...Object.entries(ATTENDANCE).map(([k, v]) => el("option", { value: k, selected: k === p.attendance }, v)),
    ),
    present ? el("label", { class: "choice" }, el("input", { type: "checkbox", checked: p.arrived_late, onchange: (e) => setAttendance({ arrived_late: e.target.checked }) }), " late") : null,
    present ? el("label", { class: "choice" }, el("input", { type: "checkbox", checked: p.left_early, onchange: (e) => setAttendance({ left_early: e.target.checked }) }), " left early") : null,
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
    observer: data.get("observer") === "1",
  })
    .then((result) => {
      links.push({ ...result.link, url: window.location.origin + result.link.path });
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
  drawRecord();
}


// ---------------------------------------------------------------- the record: decisions, actions, disagreements

const open = new Set(); // keys of inline forms the chair has open, e.g. "decision:3", "next:5"
const dirty = new Set(); // lists that changed while the chair was typing in them

const drafts = new Map(); // what the chair typed in an open inline form, by its key: survives redraws

function toggle(key) {
  if (open.has(key)) closeInline(key);
  else open.add(key);
  drawRecord(true);
}

function closeInline(key) {
  open.delete(key);
  drafts.delete(key);
}

// The values of a form's fields by name (tick boxes by name and value), to keep a draft.
function fieldValues(form) {
  const out = {};
  for (const f of form.elements) {
    if (!f.name) continue;
    out[f.type === "checkbox" ? `${f.name}=${f.value}` : f.name] = f.type === "checkbox" ? f.checked : f.value;
  }
  return out;
}

function restoreValues(form, values) {
  for (const f of form.elements) {
    if (!f.name) continue;
    const key = f.type === "checkbox" ? `${f.name}=${f.value}` : f.name;
    if (!(key in values)) continue;
    if (f.type === "checkbox") f.checked = values[key];
    else f.value = values[key];
  }
}

function button(label, title, onclick, attrs = {}) {
  return el("button", { type: "button", title, onclick, ...attrs }, label);
}

function confirmDelete(what, name, args) {
  if (window.confirm(`Delete this ${what}? It stays in the audit trail.`)) send(name, args).catch(() => {});
}

function field(label, input, cls) {
  return el("label", { class: cls }, label, " ", input);
}

function input(name, value, attrs = {}) {
  return el("input", { name, value: value ?? "", ...attrs });
}

function textarea(name, value, attrs = {}) {
  const t = el("textarea", { name, rows: 2, ...attrs });
  t.value = value ?? "";
  return t;
}

function select(name, options) {
  return el("select", { name }, ...options);
}

function dissenterChoices(selected = []) {
  return [...room.participants.values()].map((p) =>
    el("label", { class: "choice" }, el("input", { type: "checkbox", name: "dissenter_ids", value: p.id, checked: selected.includes(p.id) }), ` ${p.name}`),
  );
}

function checkedIds(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => Number(i.value));
}

function statusOptions(current) {
  return Object.entries({ agreed: "Agreed by all", agreed_with_dissent: "Agreed with dissent", deferred: "Deferred" }).map(([k, v]) =>
    el("option", { value: k, selected: k === current }, v),
  );
}

// An inline form under an entry: its fields, Save and Cancel. On submit it sends `command` with the
// arguments `argsOf(values, form)` builds, and closes once the server has accepted them.
function inlineForm(cls, key, fields, saveLabel, command, argsOf) {
  const form = el(
    "form",
    { class: `quick-form ${cls}` },
    ...fields,
    el("button", { type: "submit" }, saveLabel),
    button("Cancel", "Cancel", () => toggle(key)),
  );
  // Redraws rebuild the list: what was typed here is kept and put back into the new form.
  form.dataset.key = key;
  if (drafts.has(key)) restoreValues(form, drafts.get(key));
  const keep = () => drafts.set(key, fieldValues(form));
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
  let sending = null;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    keep();
    const state = JSON.stringify(drafts.get(key));
    if (sending === state) return; // already on its way
    sending = state;
    send(command, argsOf(formValues(form), form))
      .then(() => {
        // Closed by its own acknowledgement, unless the chair closed it or typed more meanwhile.
        if (!open.has(key) || JSON.stringify(drafts.get(key)) !== state) return;
        closeInline(key);
        // Redrawn now if the focus is in this form (its Save button); else as the list allows.
        const active = document.activeElement;
        drawRecord(!!(active && active.closest && active.closest(`form[data-key="${key}"]`)));
      })
      .catch(() => {})
      .finally(() => {
        if (sending === state) sending = null;
      });
  });
  return form;
}

function participantId(value) {
  return optional(value) ? Number(value) : null;
}

// What an action form says, as the arguments of actions.record / actions.update.
function actionArgs(v) {
  const pid = participantId(v.owner_participant_id);
  return {
    what: v.what,
    owner_participant_id: pid,
    owner_name: pid ? null : optional(v.owner_name),
    owner_agency: optional(v.owner_agency),
    due_date: v.due_date,
    follow_up_date: v.follow_up_date,
    need: optional(v.need),
    confidential: v.confidential === "1",
  };
}

// The version an edit is based on, kept with its draft: an edit drafted before someone else's change
// gets a conflict instead of overwriting it.
function versionField(entry) {
  return el("input", { type: "hidden", name: "version", value: entry.version });
}

// The "Confidential" tick box of an edit form, ticked as the entry stands.
function confidentialField(entry) {
  return el("label", { class: "choice" }, el("input", { type: "checkbox", name: "confidential", value: "1", checked: !!entry.confidential }), " Confidential");
}

function editDecisionForm(d) {
  return inlineForm(
    "edit-entry",
    `decision:${d.id}`,
    [
      versionField(d),
      field("Decision", textarea("text", d.text, { maxlength: 2000, required: true }), "wide"),
      field("Status", select("status", statusOptions(d.status))),
      field("Review date", input("review_date", d.review_date, { type: "date" })),
      field("Reasons", textarea("reasons", d.reasons, { maxlength: 4000 }), "wide"),
      field("Evidence", input("evidence", d.evidence, { maxlength: 2000 }), "wide"),
      field("Options considered", textarea("options_considered", d.options_considered, { maxlength: 4000 }), "wide"),
      el("fieldset", { class: "choices wide" }, el("legend", {}, "Who dissents"), ...dissenterChoices(d.dissenter_ids)),
      confidentialField(d),
    ],
    "Save decision",
    "decisions.update",
    (v, form) => ({
      decision_id: d.id,
      version: Number(v.version),
      text: v.text,
      status: v.status,
      reasons: optional(v.reasons),
      evidence: optional(v.evidence),
      options_considered: optional(v.options_considered),
      review_date: optional(v.review_date),
      dissenter_ids: v.status === "agreed_with_dissent" ? checkedIds(form, "dissenter_ids") : [],
      confidential: v.confidential === "1",
    }),
  );
}

function editActionForm(a) {
  return inlineForm(
    "edit-entry",
    `action:${a.id}`,
    [
      versionField(a),
      field("Action", textarea("what", a.what, { maxlength: 2000, required: true }), "wide"),
      field("Owner", select("owner_participant_id", participantOptions(room, a.owner_participant_id, { blank: "someone not here" }))),
      field("…or a person not here", input("owner_name", a.owner_name, { maxlength: 120 })),
      field("Agency", input("owner_agency", a.owner_agency, { maxlength: 120 })),
      field("Due", input("due_date", a.due_date, { type: "date", required: true })),
      field("Follow-up", input("follow_up_date", a.follow_up_date, { type: "date", required: true })),
      field("Need or outcome", input("need", a.need, { maxlength: 200 }), "wide"),
      confidentialField(a),
    ],
    "Save action",
    "actions.update",
    (v) => ({ action_id: a.id, version: Number(v.version), ...actionArgs(v) }),
  );
}

function positionForm(g) {
  return inlineForm(
    "add-position",
    `position:${g.id}`,
    [
      field("Party", select("participant_id", participantOptions(room, null, { blank: "someone not here" }))),
      field("…or a party not here", input("party_name", "", { maxlength: 120 })),
      field("Agency", input("agency", "", { maxlength: 120, placeholder: "the party's, if blank" })),
      field("Their view, in their words", textarea("view", "", { maxlength: 4000, required: true }), "wide"),
      field("Evidence they rely on", input("evidence", "", { maxlength: 2000 }), "wide"),
    ],
    "Add position",
    "positions.add",
    (v) => {
      const pid = participantId(v.participant_id);
      return {
        disagreement_id: g.id,
        participant_id: pid,
        party_name: pid ? null : optional(v.party_name),
        agency: optional(v.agency),
        view: v.view,
        evidence: optional(v.evidence),
      };
    },
  );
}

function nextStepForm(g) {
  const ladder = Object.entries(LADDER).map(([k, v]) => el("option", { value: k, selected: k === g.next_step }, v));
  return inlineForm(
    "next-step-form",
    `next:${g.id}`,
    [
      versionField(g),
      el("label", { class: "choice wide" }, el("input", { type: "checkbox", name: "resolved", checked: g.resolved }), " Resolved in the meeting"),
      field("Resolution", textarea("resolution", g.resolution, { maxlength: 4000 }), "wide"),
      field("Next step (escalation ladder)", select("next_step", [el("option", { value: "" }, "not yet agreed"), ...ladder]), "wide"),
      field("Who follows it up", select("next_step_owner_participant_id", participantOptions(room, g.next_step_owner_participant_id, { blank: "someone not here" }))),
      field("…or a person not here", input("next_step_owner_name", g.next_step_owner_name, { maxlength: 120 })),
      field("Agency", input("next_step_agency", g.next_step_agency, { maxlength: 120 })),
      field("Follow-up by", input("follow_up_date", g.follow_up_date, { type: "date" })),
    ],
    "Save",
    "disagreements.update",
    (v, form) => {
      const resolved = form.elements.resolved.checked;
      const pid = participantId(v.next_step_owner_participant_id);
      const hasStep = !resolved && optional(v.next_step);
      return {
        disagreement_id: g.id,
        version: Number(v.version),
        resolved,
        resolution: optional(v.resolution),
        next_step: hasStep ? v.next_step : null,
        next_step_owner_participant_id: hasStep ? pid : null,
        next_step_owner_name: hasStep && !pid ? optional(v.next_step_owner_name) : null,
        next_step_agency: hasStep ? optional(v.next_step_agency) : null,
        follow_up_date: hasStep ? optional(v.follow_up_date) : null,
      };
    },
  );
}

function drawList(id, nodes, empty, force) {
  const list = document.getElementById(id);
  if (!force && list.contains(document.activeElement) && document.activeElement !== document.body) {
    dirty.add(id);
    return;
  }
  dirty.delete(id);
  fill(list, nodes, empty);
}

// Edit and delete tools under a decision or an action, and its edit form when open.
function editable(kind, entry, form) {
  const key = `${kind}:${entry.id}`;
  return [
    el(
      "div",
      { class: "entry-tools" },
      button("Edit", `Edit ${kind}`, () => toggle(key)),
      button("Delete", `Delete ${kind}`, () => confirmDelete(kind, `${kind}s.delete`, { [`${kind}_id`]: entry.id, version: entry.version })),
    ),
    open.has(key) ? form(entry) : null,
  ];
}

function drawRecord(force = false) {
  drawList("decisions", decisions(room).map((d) => decisionNode(room, d, editable("decision", d, editDecisionForm))), "No decisions recorded yet.", force);
  drawList("actions", actions(room).map((a) => actionNode(room, a, editable("action", a, editActionForm))), "No actions recorded yet.", force);
  drawList(
    "disagreements",
    disagreements(room).map((g) =>
      disagreementNode(room, g, {
        extra: [
          el(
            "div",
            { class: "entry-tools" },
            button("Add a position", "Add a party's position", () => toggle(`position:${g.id}`)),
            button("Next step / resolved", "Record the next step or the resolution", () => toggle(`next:${g.id}`)),
            button("Delete", "Delete disagreement", () => confirmDelete("disagreement", "disagreements.delete", { disagreement_id: g.id, version: g.version })),
          ),
          open.has(`position:${g.id}`) ? positionForm(g) : null,
          open.has(`next:${g.id}`) ? nextStepForm(g) : null,
        ],
      }),
    ),
    "No disagreements recorded.",
    force,
  );
  // Keep the quick-entry pickers in step with the people in the meeting.
  const owner = document.querySelector("#add-action .owner-select");
  if (!owner.matches(":focus")) {
    const chosen = Number(owner.value) || null;
    owner.replaceChildren(...participantOptions(room, chosen, { blank: "someone not here" }));
  }
  const dissent = document.querySelector("#add-decision .dissenter-choices");
  if (!dissent.contains(document.activeElement)) dissent.replaceChildren(...dissenterChoices(checkedIds(document.getElementById("add-decision"), "dissenter_ids")));
}

for (const id of ["decisions", "actions", "disagreements"]) {
  document.getElementById(id).addEventListener("focusout", () => setTimeout(() => dirty.has(id) && drawRecord(), 0));
}

quickEntry(document.getElementById("add-decision"), {
  command: "decisions.record",
  args: (v, form) => ({
    text: v.text,
    status: v.status,
    reasons: optional(v.reasons),
    evidence: optional(v.evidence),
    options_considered: optional(v.options_considered),
    review_date: optional(v.review_date),
    dissenter_ids: v.status === "agreed_with_dissent" ? checkedIds(form, "dissenter_ids") : [],
    confidential: v.confidential === "1",
  }),
});

const actionForm = document.getElementById("add-action");
actionForm.elements.due_date.value = addDays(today(), 14);
actionForm.elements.follow_up_date.value = addDays(today(), 28);
actionForm.elements.due_date.addEventListener("change", (ev) => {
  if (ev.target.value) actionForm.elements.follow_up_date.value = addDays(ev.target.value, 14);
});
quickEntry(actionForm, {
  command: "actions.record",
  args: (v) => actionArgs(v),
  // The next action is usually due when this one was: the dates stay.
  reset: (form, v) => {
    form.reset();
    form.elements.due_date.value = v.due_date;
    form.elements.follow_up_date.value = v.follow_up_date;
  },
});

quickEntry(document.getElementById("add-disagreement"), {
  command: "disagreements.record",
  args: (v) => ({ topic: v.topic, confidential: v.confidential === "1" }),
  saved: (result) => {
    // Its first position is usually next: the form opens, without taking the focus from anywhere.
    open.add(`position:${result.disagreement_id}`);
    drawRecord();
  },
});

draw();
tick(() => {
  const now = room.now();
  renderHeader(room, now);
  renderNow(room, now);
  refreshTimes();
});
