// The record on the chair console: decisions, actions and disagreements with their positions, each
// captured by a quick-entry form and edited or deleted in place.
import { button, field, fieldValues, input, markFields, quickEntry, refusalText, restoreValues, select, textarea, unmarkFields } from "./chair-forms.js";
import { routeArgs, routeForms } from "./chair-routes.js";
import {
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
} from "./record.js";
import { el, redraw } from "./room-core.js";

function checkedIds(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => Number(i.value));
}

// A refusal about a missing owner's name ("someone not here") is fixed in the owner picker first.
function pickerFirst(name, form) {
  const picker = name.replace(/_name$/, "_participant_id");
  const typed = form.elements[name];
  return picker !== name && form.elements[picker] && !(typed && typed.value.trim()) ? picker : name;
}

function participantId(value) {
  return optional(value) ? Number(value) : null;
}

// What a decision form says, as the arguments of decisions.record / decisions.update.
function decisionArgs(v, form) {
  return {
    text: v.text,
    status: v.status,
    reasons: optional(v.reasons),
    evidence: optional(v.evidence),
    options_considered: optional(v.options_considered),
    review_date: optional(v.review_date),
    dissenter_ids: v.status === "agreed_with_dissent" ? checkedIds(form, "dissenter_ids") : [],
    confidential: v.confidential === "1",
    // the pack's documents it cites, where the form offers them (the quick-entry form; chair-evidence.js)
    ...(form.querySelector(".cite-choices") ? { cited_document_ids: checkedIds(form, "cited_document_ids") } : {}),
    // an IEP meeting's prior written notice: only where the form asks (other meetings leave it as it is)
    ...(form.elements.notice ? { notice: optional(v.notice), other_factors: optional(v.other_factors) } : {}),
    // the child's views it answers, where the form offers them (the quick-entry form; chair-evidence.js)
    ...(form.querySelector(".view-choices") ? { answers_view_ids: checkedIds(form, "answers_view_ids"), answers_recorded_views: v.answers_recorded_views === "1" } : {}),
  };
}

// What an action form says, as the arguments of actions.record / actions.update.
function actionArgs(v, form) {
  const pid = participantId(v.owner_participant_id);
  return {
    // the pack's documents the action's need rests on, where the form offers them (chair-evidence.js)
    ...(form && form.querySelector(".cite-choices") ? { cited_document_ids: checkedIds(form, "cited_document_ids") } : {}),
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

function statusOptions(current) {
  return Object.entries({ agreed: "Agreed by all", agreed_with_dissent: "Agreed with dissent", deferred: "Deferred" }).map(([k, v]) =>
    el("option", { value: k, selected: k === current }, v),
  );
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

export function recordPanel(room, routeTable) {
  const routeParts = routeForms(routeTable, room);
  const open = new Set(); // keys of inline forms the chair has open, e.g. "decision:3", "next:5"
  const drafts = new Map(); // what the chair typed in an open inline form, by its key: survives redraws
  const refused = new Map(); // an open inline form's last refusal, by its key: shown again by redraws
  const send = (name, args) => room.send(name, args);

  function toggle(key) {
    if (open.has(key)) closeInline(key);
    else open.add(key);
    draw();
  }

  function closeInline(key) {
    open.delete(key);
    drafts.delete(key);
    refused.delete(key);
    routeParts.forget(key);
  }

  function confirmDelete(what, name, args) {
    if (window.confirm(`Delete this ${what}? It stays in the audit trail.`)) send(name, args).catch(() => {});
  }

  function dissenterChoices(selected = []) {
    return [...room.participants.values()].map((p) =>
      el("label", { class: "choice" }, el("input", { type: "checkbox", name: "dissenter_ids", value: p.id, checked: selected.includes(p.id) }), ` ${p.name}`),
    );
  }

  // An inline form under an entry: its fields, Save and Cancel. On submit it sends `command` with the
  // arguments `argsOf(values, form)` builds, and closes once the server has accepted them. A refusal
  // is shown in the form, as in the quick-entry forms: fields marked, focus on the first, said once.
  function inlineForm(cls, key, fields, saveLabel, command, argsOf) {
    const err = refused.get(key);
    const note = el("p", { class: "form-status", role: "status", "aria-live": "polite", dataset: { state: err ? "error" : "" } }, err ? refusalText(err) : "");
    const form = el(
      "form",
      { class: `quick-form ${cls}` },
      ...fields,
      el("button", { type: "submit" }, saveLabel),
      button("Cancel", "Cancel", () => toggle(key)),
      note,
    );
    // Redraws rebuild the list: what was typed here is kept and put back into the new form.
    form.dataset.key = key;
    if (drafts.has(key)) restoreValues(form, drafts.get(key));
    if (err) markFields(form, err.fields, pickerFirst);
    const keep = () => drafts.set(key, fieldValues(form));
    form.addEventListener("input", () => {
      keep();
      if (refused.delete(key)) {
        unmarkFields(form);
        note.textContent = "";
        note.dataset.state = "";
      }
    });
    form.addEventListener("change", keep);
    let sending = null;
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      keep();
      const state = JSON.stringify(drafts.get(key));
      if (sending === state) return; // already on its way
      sending = state;
      room
        .send(command, argsOf(formValues(form), form), { errorNode: null })
        .then(() => {
          // Closed by its own acknowledgement, unless the chair closed it or typed more meanwhile.
          if (!open.has(key) || JSON.stringify(drafts.get(key)) !== state) return;
          closeInline(key);
          draw();
        })
        .catch((error) => {
          if (!open.has(key)) return;
          refused.set(key, error);
          unmarkFields(form);
          note.textContent = refusalText(error);
          note.dataset.state = "error";
          const first = markFields(form, error.fields, pickerFirst);
          if (first) first.focus();
        })
        .finally(() => {
          if (sending === state) sending = null;
        });
    });
    return form;
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
        ...(room.meeting.meeting_type === "iep_meeting"
          ? [
              field("Prior written notice", select("notice", [["", "None"], ["proposes", "Action proposed"], ["refuses", "Action refused"]].map(([k, label]) => el("option", { value: k, selected: (d.notice || "") === k }, label)))),
              field("Other factors relevant", textarea("other_factors", d.other_factors, { maxlength: 4000 }), "wide"),
            ]
          : []),
        confidentialField(d),
      ],
      "Save decision",
      "decisions.update",
      (v, form) => ({ decision_id: d.id, version: Number(v.version), ...decisionArgs(v, form) }),
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
    const key = `next:${g.id}`;
    return inlineForm(
      "next-step-form",
      key,
      [
        versionField(g),
        el("label", { class: "choice wide" }, el("input", { type: "checkbox", name: "resolved", checked: g.resolved }), " Resolved in the meeting"),
        field("Resolution", textarea("resolution", g.resolution, { maxlength: 4000 }), "wide"),
        ...routeParts.fields(g, key, drafts.get(key)),
        field("Who follows it up", select("next_step_owner_participant_id", participantOptions(room, g.next_step_owner_participant_id, { blank: "someone not here" }))),
        field("…or a person not here", input("next_step_owner_name", g.next_step_owner_name, { maxlength: 120 })),
        field("Agency", input("next_step_agency", g.next_step_agency, { maxlength: 120 })),
        field("Follow-up by", input("follow_up_date", g.follow_up_date, { type: "date" })),
        routeParts.previewRegion(key),
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
          ...routeArgs(routeTable, v, hasStep),
          next_step: hasStep ? v.next_step : null,
          next_step_owner_participant_id: hasStep ? pid : null,
          next_step_owner_name: hasStep && !pid ? optional(v.next_step_owner_name) : null,
          next_step_agency: hasStep ? optional(v.next_step_agency) : null,
          follow_up_date: hasStep ? optional(v.follow_up_date) : null,
        };
      },
    );
  }

  // The short review of how a resolved disagreement went: scheduled, then what worked and what to do differently.
  function reflectionForm(g) {
    const r = g.reflection || {};
    return inlineForm(
      "reflection-form",
      `reflect:${g.id}`,
      [
        versionField(g),
        field("Review on", input("reflection_date", r.date, { type: "date" })),
        field("What worked", textarea("what_worked", r.what_worked, { maxlength: 2000 }), "wide"),
        field("What to do differently next time", textarea("do_differently", r.do_differently, { maxlength: 2000 }), "wide"),
      ],
      "Save",
      "disagreements.reflect",
      (v) => ({
        disagreement_id: g.id,
        version: Number(v.version),
        reflection_date: optional(v.reflection_date),
        what_worked: optional(v.what_worked),
        do_differently: optional(v.do_differently),
      }),
    );
  }

  // Lists are redrawn in place (fill -> redraw): the focus and whatever is typed in them stay.
  function drawList(id, nodes, empty) {
    fill(document.getElementById(id), nodes, empty);
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

  // The live view shows what was recorded under the current item: the others' rows are marked, and
  // a list with none of its own says so.
  function markCurrentItem() {
    const current = String(room.meeting.current_item_id);
    for (const id of ["decisions", "actions", "disagreements"]) {
      const list = document.getElementById(id);
      let here = 0;
      for (const li of list.querySelectorAll(":scope > li[data-item-id]")) {
        const mine = li.dataset.itemId === current;
        li.classList.toggle("elsewhere", !mine);
        here += mine ? 1 : 0;
      }
      list.classList.toggle("nothing-here", here === 0);
      if (!list.querySelector(":scope > li.none-here")) list.append(el("li", { class: "none-here", dataset: { key: "none-here" } }, "Nothing yet under this item."));
    }
  }

  function draw() {
    drawList("decisions", decisions(room).map((d) => decisionNode(room, d, editable("decision", d, editDecisionForm))), "No decisions recorded yet.");
    drawList("actions", actions(room).map((a) => actionNode(room, a, editable("action", a, editActionForm))), "No actions recorded yet.");
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
              g.resolved ? button("Reflective review", "Schedule or record the review of how it was resolved", () => toggle(`reflect:${g.id}`)) : null,
              button("Delete", "Delete disagreement", () => confirmDelete("disagreement", "disagreements.delete", { disagreement_id: g.id, version: g.version })),
            ),
            open.has(`position:${g.id}`) ? positionForm(g) : null,
            open.has(`next:${g.id}`) ? nextStepForm(g) : null,
            g.resolved && open.has(`reflect:${g.id}`) ? reflectionForm(g) : null,
          ],
        }),
      ),
      "No disagreements recorded.",
    );
    routeParts.refresh();
    markCurrentItem();
    // Keep the quick-entry pickers in step with the people in the meeting.
    const owner = document.querySelector("#add-action .owner-select");
    if (!owner.matches(":focus")) {
      const chosen = Number(owner.value) || null;
      owner.replaceChildren(...participantOptions(room, chosen, { blank: "someone not here" }));
    }
    const dissent = document.querySelector("#add-decision .dissenter-choices");
    redraw(dissent, dissenterChoices(checkedIds(document.getElementById("add-decision"), "dissenter_ids")));
  }

  quickEntry(room, document.getElementById("add-decision"), { command: "decisions.record", args: decisionArgs });

  const actionForm = document.getElementById("add-action");
  actionForm.elements.due_date.value = addDays(today(), 14);
  actionForm.elements.follow_up_date.value = addDays(today(), 28);
  actionForm.elements.due_date.addEventListener("change", (ev) => {
    if (ev.target.value) actionForm.elements.follow_up_date.value = addDays(ev.target.value, 14);
  });
  // The agency follows the owner chosen (the chair may write another over it).
  let agencyFilled = "";
  actionForm.elements.owner_participant_id.addEventListener("change", (ev) => {
    const agency = actionForm.elements.owner_agency;
    const owner = room.participants.get(Number(ev.target.value));
    if (agency.value !== agencyFilled) return;
    agencyFilled = owner ? owner.agency_label || "" : "";
    agency.value = agencyFilled;
  });
  quickEntry(room, actionForm, {
    command: "actions.record",
    args: (v, form) => actionArgs(v, form),
    // No owner at all: the owner picker is the field to fix, not the name of someone not here.
    fieldFor: pickerFirst,
    // The next action is usually due when this one was: the dates stay.
    reset: (form, v) => {
      form.reset();
      agencyFilled = "";
      form.elements.due_date.value = v.due_date;
      form.elements.follow_up_date.value = v.follow_up_date;
    },
  });

  quickEntry(room, document.getElementById("add-disagreement"), {
    command: "disagreements.record",
    args: (v) => ({ topic: v.topic, confidential: v.confidential === "1" }),
    saved: (result) => {
      // Its first position is usually next: the form opens, without taking the focus from anywhere.
      open.add(`position:${result.disagreement_id}`);
      draw();
    },
  });

  return draw;
}
