// The evidence pack on the chair console (Prepare and Record views): ask each invitee for their advice or
// report, or for the child's views (due by default two weeks before an annual review, ENG-AR-06, a week
// before other meetings); see requested / received / late per person and each answer as it arrives;
// remind (by e-mail where the person has an address, else shown as not sent); add the chair's own
// documents; circulate the pack to everyone invited (the day is recorded against the rule). It also
// offers the pack's documents to cite in the decision form (`#add-decision .cite-choices`).
import { day, documentLink, holder, loadPack, size, uploadFile, watchPack } from "./evidence.js";
import { el, errorText, redraw } from "./room-core.js";

export function evidencePanel(room) {
  const section = document.getElementById("evidence-panel");
  if (!section) return;
  const body = section.querySelector(".evidence-body");
  const status = section.querySelector(".evidence-status");
  const chair = room.viewer.role === "chair";
  const errors = {};
  let data = null;
  const busy = holder(section, () => draw());

  function fieldError(key) {
    return el("p", { class: "command-error", id: `ev-err-${key}`, role: "alert", "data-key": `err-${key}` }, errors[key] || "");
  }

  function send(key, name, args, done) {
    delete errors[key];
    return room
      .send(name, args, { errorNode: null })
      .then((result) => {
        if (done) status.textContent = done(result);
        return load();
      })
      .catch((err) => {
        errors[key] = errorText(err);
        draw(true);
      });
  }

  function requestForm() {
    const people = [...room.participants.values()];
    return el(
      "form",
      {
        class: "evidence-form stack",
        id: "evidence-request-form",
        "data-key": "request-form",
        "aria-label": "Ask for advice or views",
        onsubmit: (ev) => {
          ev.preventDefault();
          const f = ev.target.elements;
          const args = { participant_id: Number(f.participant_id.value), kind: f.kind.value, what: f.what.value };
          if (f.due_on.value) args.due_on = f.due_on.value;
          send("request", "evidence.request", args, (r) => `Asked; due ${day(r.due_on)}.`).then(() => ev.target.reset());
        },
      },
      el("h3", {}, "Ask for advice or views"),
      el("label", {}, "From ", el("select", { name: "participant_id", required: true }, people.map((p) => el("option", { value: p.id }, p.name)))),
      el("label", {}, "For ", el("select", { name: "kind" }, Object.entries(data.kinds).map(([k, label]) => el("option", { value: k }, label)))),
      el("label", {}, "What is asked ", el("input", { name: "what", maxlength: 500, required: true, dir: "auto", placeholder: "e.g. Educational psychology advice", "aria-describedby": "ev-err-request" })),
      el("label", {}, "Due ", el("input", { type: "date", name: "due_on", "aria-describedby": "ev-due-hint" })),
      el("p", { class: "hint", id: "ev-due-hint" }, `Left blank: ${day(data.due_on)}${data.rule_id ? ` (two weeks before the meeting, ${data.rule_id})` : " (a week before the meeting)"}.`),
      el("button", { type: "submit", "data-cmd": "evidence.request" }, "Ask"),
      fieldError("request"),
    );
  }

  function requestNode(r) {
    const reminded = r.reminder_status === "sent" ? "Reminder e-mailed" : r.reminder_status === "not_sent" ? "Reminder not sent: no e-mail address" : "";
    return el(
      "li",
      { class: `evidence-request state-${r.state}`, "data-key": `req-${r.id}`, dataset: { requestId: r.id, state: r.state } },
      el("p", { class: "entry-text" }, el("bdi", {}, r.participant_name || ""), ": ", el("bdi", {}, r.what)),
      el("p", { class: "entry-meta" }, `${r.kind_label} · due ${day(r.due_on)} · `, el("strong", { class: "evidence-state" }, r.state_label), r.answered_on ? ` on ${day(r.answered_on)}` : ""),
      r.answer ? el("p", { class: "entry-detail", dir: "auto" }, r.answer) : null,
      r.how_gathered_label ? el("p", { class: "entry-detail" }, `Gathered: ${r.how_gathered_label}`) : null,
      r.documents.length ? el("ul", { class: "documents" }, r.documents.map((d) => el("li", { "data-key": `doc-${d.id}` }, documentLink(room, d)))) : null,
      reminded ? el("p", { class: "entry-detail" }, reminded) : null,
      chair && !r.answered_on
        ? el("div", { class: "entry-tools" }, el("button", { type: "button", "data-cmd": "evidence.remind", onclick: () => send(`req-${r.id}`, "evidence.remind", { request_id: r.id }, (res) => (res.sent ? "Reminder e-mailed." : `Reminder not sent: ${res.reason}.`)) }, "Remind"))
        : null,
      fieldError(`req-${r.id}`),
    );
  }

  function uploadForm() {
    return el(
      "form",
      {
        class: "evidence-form upload-form",
        "data-key": "chair-upload",
        "aria-label": "Add a document to the pack",
        onsubmit: (ev) => {
          ev.preventDefault();
          const f = ev.target.elements;
          if (!f.file.files.length) return;
          delete errors.upload;
          uploadFile(room, f.file.files[0], { confidential: f.confidential.checked ? "true" : "false" })
            .then((answer) => {
              ev.target.reset();
              status.textContent = `${answer.document.name} was added to the pack.`;
              return load();
            })
            .catch((err) => {
              errors.upload = err.message;
              ev.target.reset();
              draw(true);
            });
        },
      },
      el("label", {}, "Add a document ", el("input", { type: "file", name: "file", required: true, accept: ".pdf,.docx,.png,.jpg,.jpeg", "aria-describedby": "ev-err-upload" })),
      el("label", { class: "choice" }, el("input", { type: "checkbox", name: "confidential", value: "1" }), " Confidential"),
      el("button", { type: "submit" }, "Upload this file"),
      el("p", { class: "hint" }, `PDF, Word (DOCX), PNG or JPEG, up to ${size(data.max_bytes)}.`),
      fieldError("upload"),
    );
  }

  function circulation() {
    const c = data.circulation;
    return el(
      "div",
      { class: "circulation", "data-key": "circulation" },
      el("p", { id: "pack-circulation", class: c ? (c.on_time ? "on-time" : "late") : "" }, c ? c.text : `Not circulated yet. It must go out by ${day(data.due_on)}.`),
      chair ? el("button", { type: "button", "data-cmd": "evidence.circulate", onclick: () => send("circulate", "evidence.circulate", {}, (r) => r.circulation.text) }, c ? "Circulate again" : "Circulate the pack to everyone invited") : null,
      fieldError("circulate"),
    );
  }

  function peopleTable() {
    if (!data.people || !data.people.length) return null;
    return el(
      "table",
      { class: "plain evidence-people", "data-key": "people" },
      el("caption", {}, "Requested, received and late, per person"),
      el("thead", {}, el("tr", {}, ["Who", "Requested", "Received", "Late"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, data.people.map((p) => el("tr", { "data-key": `p-${p.participant_id}` }, el("th", { scope: "row" }, el("bdi", {}, p.name)), el("td", {}, p.requested), el("td", {}, p.received), el("td", {}, p.late + p.overdue)))),
    );
  }

  // The decision and action forms' "Cites" choices (the pack's documents) and the decision form's
  // "The child's views it answers" (the pack's answered child's views), kept in step with the pack.
  function citeChoices() {
    const docs = data.documents.map((d) => ({ id: d.id, text: d.name }));
    for (const box of document.querySelectorAll("#add-decision .cite-choices, #add-action .cite-choices")) choicesIn(box, docs, "cited_document_ids", "cite", "No documents in the pack yet.");
    const views = data.requests
      .filter((r) => r.kind === "child_views" && r.answer)
      .map((r) => ({ id: r.id, text: `${r.answer}${r.how_gathered_label ? ` (${r.how_gathered_label.toLowerCase()})` : ""}` }));
    for (const box of document.querySelectorAll("#add-decision .view-choices")) choicesIn(box, views, "answers_view_ids", "view", "No child's views in the pack yet.");
  }

  function choicesIn(box, items, name, key, none) {
    const chosen = new Set([...box.querySelectorAll("input:checked")].map((i) => i.value));
    redraw(
      box,
      items.length
        ? items.map((d) =>
            el("label", { class: "choice", "data-key": `${key}-${d.id}` }, el("input", { type: "checkbox", name, value: d.id, checked: chosen.has(String(d.id)) }), " ", el("bdi", {}, d.text)),
          )
        : [el("p", { class: "hint", "data-key": "none" }, none)],
    );
  }

  function draw(force = false) {
    if (!data) return;
    citeChoices();
    if (!force && busy()) return;
    const loose = data.documents.filter((d) => d.request_id === null);
    redraw(body, [
      circulation(),
      peopleTable(),
      el("ul", { class: "entries evidence-requests", id: "evidence-requests", "data-key": "requests" }, data.requests.length ? data.requests.map(requestNode) : [el("li", { class: "empty", "data-key": "none" }, "Nothing asked for yet.")]),
      loose.length ? el("ul", { class: "documents", "data-key": "loose" }, loose.map((d) => el("li", { "data-key": `doc-${d.id}` }, documentLink(room, d)))) : null,
      chair ? requestForm() : null,
      uploadForm(),
    ]);
  }

  async function load() {
    try {
      data = await loadPack(room);
      draw();
      section.dataset.loaded = "yes";
    } catch (e) {
      status.textContent = "The evidence pack could not be loaded just now.";
    }
  }

  watchPack(room, load);
}
