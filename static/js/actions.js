// The review of previous actions, on the chair console and the participant page: actions still open
// from earlier meetings for the same child, with their history. The chair records progress on each
// one live, in that agenda item; anyone at the table can log support that did not happen.
//
// Loaded by the page only when there is something to review (see watchPreviousActions in record.js),
// with the list the server sent in the page. Commands go over the room's own connection like every
// other command of the page (an id each, sent again after a reconnect, applied once); that connection
// also tells this module when an earlier action changes, and the list is then reloaded. User text is
// only ever set with textContent (via el).
import { REVOKED, WAITING, bdi, el } from "./room-core.js";
import { day, today } from "./record.js";

const STATUSES = { open: "Open", in_progress: "In progress", done: "Done", not_done: "Not done", cancelled: "Cancelled" };

// Draw the review in `section` from `initial` (the list the server sent at the room's `seq`, or null to
// ask for it), and keep it live.
export function reviewPreviousActions(room, section, initial, seq) {
  const meetingId = room.meeting.id;
  const isChair = room.viewer.role === "chair";
  const list = document.getElementById("previous-action-list");
  const headers = { Authorization: `Bearer ${room.token}` };
  const openForms = new Map(); // action id -> "progress" | "missed"
  const formNodes = new Map(); // "kind:id" -> the open form, kept across redraws so typing is never lost
  let data = initial || { actions: [], review_item_id: null, current_item_id: null };
  let timer = null;
  let dirty = false;

  async function load() {
    try {
      const r = await fetch(`/api/v1/meetings/${meetingId}/previous-actions`, { headers, cache: "no-store" });
      if (!r.ok) return;
      data = await r.json();
      draw();
    } catch (e) {
      // Offline: the room shows the connection state; the list reloads on the next event or reconnect.
    }
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 150);
  }

  function highlight() {
    const current = data.review_item_id && data.current_item_id === data.review_item_id;
    section.classList.toggle("current", Boolean(current));
    section.dataset.current = current ? "yes" : "no";
  }

  function draw(force = false) {
    section.hidden = data.actions.length === 0;
    highlight();
    if (!force && list.contains(document.activeElement) && document.activeElement !== document.body) {
      dirty = true; // do not pull a form away from someone typing in it
      return;
    }
    dirty = false;
    list.replaceChildren(...data.actions.map(actionNode));
  }

  function actionNode(a) {
    const form = openForms.get(a.id);
    return el(
      "li",
      { class: `action standing-${a.standing}`, dataset: { actionId: a.id, status: a.status } },
      el("p", { class: "entry-text", dir: "auto" }, a.what),
      el(
        "p",
        { class: "entry-meta" },
        bdi(a.owner),
        " (",
        bdi(a.owner_agency),
        `) · due ${day(a.due_date)} · follow-up ${day(a.follow_up_date)} · agreed ${day(a.meeting.date)}`,
      ),
      el(
        "p",
        { class: "entry-detail" },
        el("strong", { class: "status" }, STATUSES[a.status] || a.status),
        " · ",
        el("span", { class: `badge standing-${a.standing}` }, a.standing_label),
        " ",
        el("span", { class: "muted" }, a.standing_note),
      ),
      a.history.length ? el("ol", { class: "history" }, ...a.history.map(entryNode)) : null,
      a.status === "cancelled"
        ? null
        : el(
            "div",
            { class: "entry-tools" },
            isChair ? el("button", { type: "button", onclick: () => toggle(a.id, "progress") }, "Record progress") : null,
            el("button", { type: "button", onclick: () => toggle(a.id, "missed") }, "Support did not happen"),
          ),
      form ? keptForm(form, a) : null,
    );
  }

  function entryNode(u) {
    const what =
      u.kind === "missed_provision"
        ? "Support did not happen"
        : u.status_changed
          ? `${STATUSES[u.status_before] || u.status_before} → ${STATUSES[u.status_after] || u.status_after}`
          : "Progress note";
    return el(
      "li",
      { class: `kind-${u.kind}` },
      el("span", { class: "when" }, day(u.occurred_on)),
      ` · ${what} · `,
      el("span", { class: "muted" }, u.author),
      u.note ? el("p", { class: "note" }, u.note) : null,
      u.evidence
        ? el(
            "p",
            { class: "evidence" },
            "Evidence: ",
            u.evidence_is_link ? el("a", { href: u.evidence, rel: "noopener noreferrer nofollow", target: "_blank" }, u.evidence) : u.evidence,
          )
        : null,
    );
  }

  function keptForm(kind, a) {
    const key = `${kind}:${a.id}`;
    if (!formNodes.has(key)) formNodes.set(key, kind === "progress" ? progressForm(a) : missedForm(a));
    return formNodes.get(key);
  }

  function close(id) {
    openForms.delete(id);
    formNodes.delete(`progress:${id}`);
    formNodes.delete(`missed:${id}`);
  }

  function toggle(id, kind) {
    const was = openForms.get(id);
    close(id);
    if (was !== kind) openForms.set(id, kind);
    draw(true);
  }

  function progressForm(a) {
    const error = el("p", { class: "field-error", role: "alert" });
    const form = el(
      "form",
      { class: "update-form", dataset: { progressForm: a.id } },
      el(
        "label",
        {},
        "Status ",
        el(
          "select",
          { name: "status" },
          el("option", { value: "" }, `${STATUSES[a.status]} (no change)`),
          ...Object.entries(STATUSES)
            .filter(([k]) => k !== a.status)
            .map(([k, v]) => el("option", { value: k }, v)),
        ),
      ),
      el("label", {}, "Date ", el("input", { type: "date", name: "occurred_on", value: today(), max: today() })),
      el("label", { class: "wide" }, "Note ", el("textarea", { name: "note", rows: 2, maxlength: 2000 })),
      el("label", { class: "wide" }, "Evidence ", el("input", { name: "evidence", maxlength: 1000, placeholder: "A link, or e.g. '6 SALT sessions delivered'" })),
      error,
      el("div", { class: "wide" }, el("button", { type: "submit", class: "primary" }, "Save"), " ", el("button", { type: "button", onclick: () => toggle(a.id, "progress") }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const f = form.elements;
      const args = { action_id: a.id, version: a.version };
      if (f.status.value) args.status = f.status.value;
      if (f.occurred_on.value) args.occurred_on = f.occurred_on.value;
      if (f.note.value.trim()) args.note = f.note.value;
      if (f.evidence.value.trim()) args.evidence = f.evidence.value;
      send(form, "actions.record_progress", args, a.id, error);
    });
    return form;
  }

  function missedForm(a) {
    const error = el("p", { class: "field-error", role: "alert" });
    const form = el(
      "form",
      { class: "update-form", dataset: { missedForm: a.id } },
      el("label", {}, "On ", el("input", { type: "date", name: "occurred_on", value: today(), max: today(), required: true })),
      el("label", { class: "wide" }, "What did not happen ", el("input", { name: "note", maxlength: 2000, required: true, placeholder: "e.g. No SALT session this week" })),
      error,
      el("div", { class: "wide" }, el("button", { type: "submit", class: "primary" }, "Log it"), " ", el("button", { type: "button", onclick: () => toggle(a.id, "missed") }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      send(form, "actions.report_missed", { action_id: a.id, occurred_on: form.elements.occurred_on.value, note: form.elements.note.value }, a.id, error);
    });
    return form;
  }

  // Sent once per entry: pressing Save again while it is on its way (or waiting for the connection)
  // sends nothing more. The form closes on its own acknowledgement and the list is asked for again.
  const sending = new Set();
  function send(form, name, args, actionId, errorNode) {
    if (sending.has(form)) return;
    sending.add(form);
    const sent = room.send(name, args, { errorNode });
    if (room.status === "offline") errorNode.textContent = WAITING;
    else if (room.status === "revoked") errorNode.textContent = REVOKED;
    sent
      .then(async () => {
        close(actionId);
        await load();
        draw(true);
      })
      .catch(() => {})
      .finally(() => sending.delete(form));
  }

  list.addEventListener("focusout", () => window.setTimeout(() => dirty && draw(), 0));

  // Every event of the room, live or replayed after a reconnect, in order; a fresh snapshot means
  // events were missed, so the list is asked for again.
  room.onEvent((event) => {
    const d = event.data || {};
    if (d.meeting && d.meeting.current_item_id !== data.current_item_id) {
      data.current_item_id = d.meeting.current_item_id;
      highlight();
    }
    if (d.previous_actions || d.action_updates || d.items) schedule();
  });
  room.onSnapshot(schedule);
  if (initial) draw();
  if (!initial || room.seq !== seq) load(); // the meeting moved on before this module was ready
}
