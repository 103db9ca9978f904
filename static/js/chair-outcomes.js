// The plan's outcomes on the chair console: entered or pasted (one per line) and carried from the child's
// last review in Prepare; progress, evidence, "still appropriate?" and the proposed change recorded against
// each in Record; the year group with the preparation-for-adulthood areas (each becomes an agenda item);
// and, at an EHCP annual review, the sections of the plan to amend with the proposed wording.
import { button, field, input, quickEntry, refusalText, select, textarea } from "./chair-forms.js";
import { optional } from "./record.js";
import { el } from "./room-core.js";

export function outcomesPanel(room, plan) {
  const panel = document.getElementById("outcomes-panel");
  if (!panel || !plan) return () => {};
  const list = document.getElementById("outcomes");
  const note = document.getElementById("outcomes-note");
  const say = (text) => (note.textContent = text);

  quickEntry(room, document.getElementById("add-outcomes"), {
    command: "outcomes.add",
    args: (v) => ({ text: v.text, area: optional(v.area) }),
  });

  panel.querySelector('[data-cmd="outcomes.carry_forward"]').addEventListener("click", () => {
    say("");
    room.command("outcomes.carry_forward").then(
      (r) => say(`Carried ${r.outcome_ids.length} outcome${r.outcome_ids.length === 1 ? "" : "s"} from the last review.`),
      (err) => say(refusalText(err)),
    );
  });

  const adulthood = document.getElementById("set-adulthood");
  adulthood.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const year = adulthood.elements.year_group.value;
    const areas = [...adulthood.querySelectorAll('input[name="areas"]:checked')].map((i) => i.value);
    say("");
    room.command("outcomes.set_adulthood", { version: room.meeting.version, year_group: year === "" ? null : Number(year), areas }).then(
      (r) => say(r.item_ids.length ? `Saved; ${r.item_ids.length} preparing-for-adulthood item${r.item_ids.length === 1 ? "" : "s"} added to the agenda.` : "Saved."),
      (err) => say(refusalText(err)),
    );
  });

  const amendForm = document.getElementById("add-amendment");
  if (amendForm) {
    quickEntry(room, amendForm, {
      command: "amendments.record",
      args: (v) => ({ section: v.section, wording: v.wording, reason: optional(v.reason) }),
    });
  }

  const stillOptions = (current) => [
    el("option", { value: "", selected: !current }, "Not yet said"),
    ...Object.entries(plan.still).map(([k, label]) => el("option", { value: k, selected: k === current }, label)),
  ];

  // One outcome: its words, and (Record) the progress form; kept while someone types in it.
  function outcomeNode(o, n) {
    const form = el(
      "form",
      { class: "outcome-form progress-only", dataset: { outcomeId: o.id }, "aria-label": `Progress against outcome ${n}` },
      field("Progress", textarea("progress", o.progress, { maxlength: 4000, dir: "auto" })),
      field("Evidence", input("evidence", o.evidence, { maxlength: 2000, dir: "auto" })),
      field("Still appropriate?", select("still_appropriate", stillOptions(o.still_appropriate))),
      field("Proposed change", textarea("proposed_change", o.proposed_change, { maxlength: 4000, dir: "auto" })),
      el("div", { class: "button-row" }, el("button", { type: "submit" }, "Save progress"),
        button("Remove", "Remove this outcome (it stays in the audit trail)", () => {
          room.command("outcomes.delete", { outcome_id: o.id, version: o.version }).catch((err) => say(refusalText(err)));
        })),
      el("p", { class: "form-status", role: "status" }),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const f = form.elements;
      const status = form.querySelector(".form-status");
      status.textContent = "Saving…";
      room
        .command("outcomes.update", {
          outcome_id: o.id,
          version: o.version,
          progress: optional(f.progress.value),
          evidence: optional(f.evidence.value),
          still_appropriate: optional(f.still_appropriate.value),
          proposed_change: optional(f.proposed_change.value),
        })
        .then(() => (status.textContent = "Saved."), (err) => (status.textContent = refusalText(err)));
    });
    return el(
      "li",
      { class: "outcome", dataset: { key: `outcome-${o.id}-${o.version}`, outcomeId: o.id } },
      el("p", { class: "entry-text", dir: "auto" }, `O${n} `, o.text),
      o.area_label || o.carried_from_id ? el("p", { class: "entry-meta" }, [o.area_label, o.carried_from_id ? "carried from the last review" : null].filter(Boolean).join(" · ")) : null,
      form,
    );
  }

  function draw() {
    const outcomes = [...room.outcomes.values()].sort((a, b) => a.position - b.position || a.id - b.id);
    const old = new Map([...list.children].map((li) => [li.dataset.key, li]));
    const nodes = outcomes.map((o, i) => {
      const kept = old.get(`outcome-${o.id}-${o.version}`);
      if (kept) return kept;
      const busy = [...old.values()].find((li) => li.dataset.outcomeId === String(o.id) && li.contains(document.activeElement));
      return busy || outcomeNode(o, i + 1);
    });
    list.replaceChildren(...(nodes.length ? nodes : [el("li", { class: "empty" }, "No outcomes yet: paste the plan's outcomes, or carry them from the last review.")]));

    if (!adulthood.contains(document.activeElement)) {
      const m = room.meeting;
      adulthood.elements.year_group.value = m.year_group ?? "";
      for (const box of adulthood.querySelectorAll('input[name="areas"]')) box.checked = (m.adulthood_areas || []).includes(box.value);
    }

    const amendments = document.getElementById("amendments");
    if (amendments) {
      const rows = [...room.amendments.values()];
      amendments.replaceChildren(
        ...(rows.length
          ? rows.map((a) =>
              el("li", { class: "amendment", dataset: { amendmentId: a.id } },
                el("p", { class: "entry-meta" }, a.section_label),
                el("p", { class: "entry-text", dir: "auto" }, a.wording),
                a.reason ? el("p", { class: "entry-detail", dir: "auto" }, `Why: ${a.reason}`) : null,
                button("Remove", "Remove this amendment", () =>
                  room.command("amendments.delete", { amendment_id: a.id, version: a.version }).catch((err) => say(refusalText(err))))),
            )
          : [el("li", { class: "empty" }, "No amendments proposed.")]),
      );
    }
  }
  return draw;
}
