// The statutory timeline on the chair console (Prepare and Record views): each step due before and
// after this meeting, who must act, by when and where it stands in the record (met, late, an exception),
// with the rule and its source; steps whose start date is not known say what they need. Under each step
// the chair (or a note-taker) records it done, records an exception its rule allows, or undoes either; in
// the Prepare view the chair sets the process dates the clocks start from (a phase transfer, the last
// evaluation). Read from the JSON API with the console's own link; read again when the meeting's date,
// type or status changes, or an event says the timeline changed. A failed read leaves a quiet note.
import { el, errorText, redraw } from "./room-core.js";

const NOTICE = "Statutory latest dates, computed from the rules: this is not legal advice.";
const SIDES = { before: "Before the meeting", after: "After the meeting" };
const DAY_MS = 86400000;

// "overdue", "due today", "due in 5 days" or "due": in words, never by colour alone.
export function statusText(item, today) {
  if (item.record_text) return item.record_text; // "Met on 12 Mar 2027", "Late: done 2 days after"
  if (item.status === "overdue") return "overdue";
  if (item.status !== "due_soon") return "due";
  const days = Math.round((Date.parse(item.date) - Date.parse(today)) / DAY_MS);
  if (days <= 0) return "due today";
  return days === 1 ? "due tomorrow" : `due in ${days} days`;
}

export function timelinePanel(room) {
  const section = document.getElementById("timeline-panel");
  const body = document.getElementById("timeline-body");
  const note = document.getElementById("timeline-note");
  const headers = { Authorization: `Bearer ${room.token}` };
  let shownFor = null;
  let timer = null;
  let data = null;
  let held = false; // a redraw waits while someone is in a field of the panel (a choice made is kept)
  const errors = {}; // a step's (or the process form's) last refusal, shown at its form

  // Sends a command; a refusal is shown at the form that sent it (announced once), and the timeline is
  // read again when it succeeds (the event that follows would too, a moment later).
  function send(key, name, args) {
    delete errors[key];
    return room
      .send(name, args, { errorNode: null })
      .then(() => load())
      .catch((err) => {
        errors[key] = errorText(err);
        draw();
      });
  }

  function field(key) {
    return el("p", { class: "command-error", id: `tl-err-${key}`, role: "alert", "data-key": `err-${key}` }, errors[key] || "");
  }

  function doneForm(item) {
    const key = item.rule_id;
    return el(
      "form",
      {
        class: "step-form",
        "data-key": `${key}:done`,
        "aria-label": `Record ${item.rule_id} done`,
        onsubmit: (ev) => {
          ev.preventDefault();
          send(key, "statutory.record_done", { rule_id: item.rule_id, done_on: ev.target.elements.done_on.value });
        },
      },
      el("label", {}, "Done on ", el("input", { type: "date", name: "done_on", required: true, max: data.today, value: item.done_on || data.today, "aria-describedby": `tl-err-${key}` })),
      el("button", { type: "submit", "data-cmd": "statutory.record_done" }, "Record done"),
    );
  }

  function exceptionForm(item) {
    const key = item.rule_id;
    const allowed = item.exceptions_allowed;
    const days = allowed.some((a) => a.takes_days);
    return el(
      "form",
      {
        class: "step-form",
        "data-key": `${key}:exception`,
        "aria-label": `Record an exception for ${item.rule_id}`,
        onsubmit: (ev) => {
          ev.preventDefault();
          const f = ev.target.elements;
          const args = { rule_id: item.rule_id, exception: f.exception.value, reason: f.reason.value };
          if (f.days && f.days.value) args.days = Number(f.days.value);
          send(key, "statutory.record_exception", args);
        },
      },
      el(
        "label",
        {},
        "Exception ",
        el("select", { name: "exception" }, allowed.map((a) => el("option", { value: a.key }, `${a.label} (${a.effect_text})`))),
      ),
      el("label", {}, "Reason ", el("input", { type: "text", name: "reason", maxlength: 1000, required: true, "aria-describedby": `tl-err-${key}` })),
      days ? el("label", {}, "Days (extensions) ", el("input", { type: "number", name: "days", min: 1, max: 366 })) : null,
      el("button", { type: "submit", "data-cmd": "statutory.record_exception" }, "Record exception"),
    );
  }

  function controls(item) {
    const undo = [];
    if (item.done_on) {
      undo.push(el("button", { type: "button", "data-cmd": "statutory.undo", "data-key": `${item.rule_id}:undo-done`,
        onclick: () => send(item.rule_id, "statutory.undo", { rule_id: item.rule_id, what: "done" }) }, "Undo done"));
    }
    if (item.exception) {
      undo.push(el("button", { type: "button", "data-cmd": "statutory.undo", "data-key": `${item.rule_id}:undo-exception`,
        onclick: () => send(item.rule_id, "statutory.undo", { rule_id: item.rule_id, what: "exception" }) }, "Undo exception"));
    }
    return el(
      "details",
      { class: "step-record", "data-key": `${item.rule_id}:record` },
      el("summary", { "data-key": `${item.rule_id}:summary` }, "Record ", el("span", { class: "visually-hidden" }, item.title)),
      doneForm(item),
      item.exceptions_allowed.length ? exceptionForm(item) : null,
      undo.length ? el("p", { class: "step-undo", "data-key": `${item.rule_id}:undo` }, undo) : null,
      field(item.rule_id),
    );
  }

  function stepNode(item) {
    const source = item.sources && item.sources[0];
    const rule = source
      ? el("a", { href: source, target: "_blank", rel: "noopener noreferrer", class: "rule-link" }, item.rule_id)
      : el("span", { class: "rule-link" }, item.rule_id);
    const exception = item.exception
      ? el("p", { class: "step-exception", "data-key": `${item.rule_id}:exception-text` }, item.exception.text, ": ", el("bdi", {}, item.exception.reason))
      : null;
    return el(
      "li",
      { "data-key": `${item.side}:${item.rule_id}`, "data-rule": item.rule_id, "data-status": item.status },
      el("p", { class: "step-title", "data-key": `${item.rule_id}:title` }, item.title),
      el(
        "p",
        { class: "step-meta", "data-key": `${item.rule_id}:meta` },
        el("span", {}, "Who acts: ", item.who),
        el("span", {}, item.date_removed ? "Was due " : "By ", el("time", { datetime: item.date, class: "step-date" }, item.date_text)),
        el("span", { class: "step-status", "data-status": item.status }, statusText(item, data.today)),
        item.verified ? null : el("span", { class: "step-unverified" }, "unverified"),
        el("span", {}, "Rule ", rule),
      ),
      exception,
      controls(item),
    );
  }

  function needsNode(need) {
    return el(
      "li",
      { "data-key": `needs:${need.rule_id}`, "data-rule": need.rule_id, "data-status": "needs_date" },
      el("p", { class: "step-title", "data-key": `${need.rule_id}:needs-title` }, need.title),
      el("p", { class: "step-meta", "data-key": `${need.rule_id}:needs-meta` }, el("span", {}, "Who acts: ", need.who),
        el("span", { class: "step-status", "data-status": "needs_date" }, need.record_text),
        el("span", {}, "Rule ", need.rule_id)),
    );
  }

  // The process dates the clocks start from, in the Prepare view: the chair sets them before the meeting.
  function processForm() {
    if (!data.process || data.process.length === 0) return null;
    const inputs = data.process.map((f) =>
      f.kind === "choice"
        ? el("label", { "data-key": f.name }, `${f.label} `,
            el("select", { name: f.name }, el("option", { value: "", selected: !f.value }, "Not set"),
              f.options.map((o) => el("option", { value: o.value, selected: o.value === f.value }, o.label))))
        : el("label", { "data-key": f.name }, `${f.label} `,
            el("input", { type: "date", name: f.name, value: f.value || "", "aria-describedby": "tl-err-process" })),
    );
    return el(
      "form",
      {
        class: "process-form prepare-only",
        id: "process-dates",
        "data-key": "process",
        "aria-labelledby": "process-heading",
        onsubmit: (ev) => {
          ev.preventDefault();
          const args = {};
          for (const f of data.process) {
            const value = ev.target.elements[f.name].value;
            args[f.name] = value === "" ? null : value;
          }
          send("process", "statutory.set_process_dates", args);
        },
      },
      el("h3", { id: "process-heading" }, "Process dates the clocks start from"),
      inputs,
      el("button", { type: "submit", "data-cmd": "statutory.set_process_dates" }, "Save process dates"),
      field("process"),
    );
  }

  function draw() {
    if (!data) return;
    const active = document.activeElement;
    if (section.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) {
      held = true;
      return;
    }
    held = false;
    note.textContent = "";
    if (data.items.length === 0 && (data.needs || []).length === 0) {
      redraw(body, [el("p", { class: "hint", "data-key": "none" }, "This meeting type has no statutory timeline.")]);
      return;
    }
    const parts = [el("p", { class: "timeline-notice", "data-key": "notice" }, NOTICE), processForm()];
    for (const [side, heading] of Object.entries(SIDES)) {
      const items = data.items.filter((item) => item.side === side);
      if (items.length === 0) continue;
      parts.push(el("h3", { id: `timeline-${side}`, "data-key": `h-${side}` }, heading));
      parts.push(
        el("ol", { class: "timeline-steps", "aria-labelledby": `timeline-${side}`, "data-key": `l-${side}` }, items.map(stepNode)),
      );
    }
    if ((data.needs || []).length) {
      parts.push(el("h3", { id: "timeline-needs", "data-key": "h-needs" }, "Waiting for a start date"));
      parts.push(el("ol", { class: "timeline-steps", "aria-labelledby": "timeline-needs", "data-key": "l-needs" }, data.needs.map(needsNode)));
    }
    redraw(body, parts);
  }

  // Keys (data-key) are unique in the whole panel: morphdom matches keyed nodes across the tree it redraws.
// A redraw held while a form was being filled in happens once the focus leaves the panel's forms.
  section.addEventListener("focusout", () => window.setTimeout(() => held && draw(), 0));

  async function load() {
    try {
      const r = await fetch(`/api/v1/meetings/${room.meeting.id}/timeline`, { headers, cache: "no-store" });
      if (!r.ok) throw new Error(String(r.status));
      data = await r.json();
      draw();
      section.dataset.loaded = "yes";
    } catch (e) {
      // Quiet: the rest of the console works on; the next change of the meeting tries again.
      if (section.dataset.loaded !== "yes") redraw(body, []);
      note.textContent = "The statutory dates could not be loaded just now.";
    }
  }

  // What the timeline depends on: the meeting's type, its date and its status (the day it started), and
  // the record (an event saying the timeline changed).
  function watch(event) {
    const m = room.meeting;
    const key = [m.meeting_type, m.scheduled_start, m.status, m.started_at].join("|");
    const changed = event && event.data && event.data.timeline_changed;
    if (key === shownFor && !changed) return;
    shownFor = key;
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 150);
  }

  room.onEvent(watch);
  room.onSnapshot(() => {
    shownFor = null;
    watch();
  });
  watch();
}
