// The chair console's forms: quick entry through the room, and the small builders its inline forms use.
import { REVOKED, WAITING, el } from "./room-core.js";
import { formValues } from "./record.js";

// What a refusal says, for a form's one live region: the server's message and its fields' messages.
export function refusalText(err) {
  const fields = (err && err.fields) || {};
  return `Not saved: ${[...new Set([(err && err.message) || "That was not saved.", ...Object.values(fields)])].join(" ")}`;
}

// Marks the fields a refusal names (aria-invalid), each with its message next to it (aria-describedby),
// opening a <details> that hides one; returns the first field marked (for the focus).
export function markFields(form, fields, fieldFor = (name) => name) {
  const prefix = form.id || `form-${String(form.dataset.key || "").replace(/\W+/g, "-")}`;
  let first = null;
  for (const [name, message] of Object.entries(fields || {})) {
    const field = form.elements[fieldFor(name, form)];
    if (!(field instanceof HTMLElement) || field.hasAttribute("aria-invalid")) continue; // a group of tick boxes: the form's message says which
    const id = `${prefix}-${field.name}-error`;
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", id);
    (field.closest("label") || field).after(el("span", { class: "field-error", id }, message));
    const details = field.closest("details");
    if (details) details.open = true;
    first = first || field;
  }
  return first;
}

export function unmarkFields(form) {
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
    field.removeAttribute("aria-describedby");
  }
  for (const message of form.querySelectorAll(".field-error")) message.remove();
}

// Everything a form says, to tell whether it was changed since it was sent.
function formState(form) {
  return JSON.stringify([...new FormData(form).entries()].map(([k, v]) => [k, typeof v === "string" ? v : ""]));
}

// A quick-entry form that sends `command` with `args(values, form)` through the room (an id per
// submission, kept and sent again after a reconnect, applied once by the server). Whatever the
// network does, what is typed stays in its own fields: the form is cleared only by the acknowledgement
// of its own submission, and only if it still says what was sent; focus moves back to its first field
// only if it is still in this form. Pressing Enter again on an entry on its way sends nothing more.
// A refusal is shown where the eye is: the fields it names are marked (aria-invalid), each with its
// message next to it (aria-describedby), the focus moves to the first of them, and the form's one live
// region says it once. What was typed stays. `fieldFor(name, form)` names the field to mark for a field
// the server named (e.g. the owner picker for a missing owner's name).
export function quickEntry(room, form, { command, args, reset = (f) => f.reset(), saved = () => {}, fieldFor = (name) => name }) {
  const note = el("p", { class: "form-status", id: `${form.id}-status`, role: "status", "aria-live": "polite" });
  form.append(note);
  const entry = { form, sending: null, note };
  const say = (text, state) => {
    note.textContent = text;
    note.dataset.state = state;
  };
  const unmark = () => unmarkFields(form);
  const mark = (fields) => {
    const first = markFields(form, fields, fieldFor);
    if (first) first.focus();
  };
  // Enter saves from a picker too, as it does from a text or date field.
  form.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && ev.target.tagName === "SELECT" && !ev.altKey && !ev.ctrlKey && !ev.shiftKey) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
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
  room.onStatus(() => entry.show());
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
        unmark();
        say(refusalText(err), "error");
        mark((err && err.fields) || {});
      },
    );
  });
  return entry;
}

// The values of a form's fields by name (tick boxes by name and value), to keep a draft.
export function fieldValues(form) {
  const out = {};
  for (const f of form.elements) {
    if (!f.name) continue;
    out[f.type === "checkbox" ? `${f.name}=${f.value}` : f.name] = f.type === "checkbox" ? f.checked : f.value;
  }
  return out;
}

export function restoreValues(form, values) {
  for (const f of form.elements) {
    if (!f.name) continue;
    const key = f.type === "checkbox" ? `${f.name}=${f.value}` : f.name;
    if (!(key in values)) continue;
    if (f.type === "checkbox") f.checked = values[key];
    else f.value = values[key];
  }
}

export function button(label, title, onclick, attrs = {}) {
  return el("button", { type: "button", title, onclick, ...attrs }, label);
}

export function field(label, input, cls) {
  return el("label", { class: cls }, label, " ", input);
}

export function input(name, value, attrs = {}) {
  return el("input", { name, value: value ?? "", ...attrs });
}

export function textarea(name, value, attrs = {}) {
  const t = el("textarea", { name, rows: 2, ...attrs });
  t.value = value ?? "";
  return t;
}

export function select(name, options) {
  return el("select", { name }, ...options);
}
