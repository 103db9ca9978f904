// The meeting's record (decisions, actions, disagreements) drawn for the chair, participants and the screen.
// User text is only ever set with textContent (via el), so markup typed by anyone shows as text, and is
// isolated (dir="auto", bdi) so right-to-left names and notes keep their order among ours.
import { bdi, el, redraw } from "./room-core.js";

export function day(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
}

export function personName(room, participantId, fallback) {
  const p = participantId ? room.participants.get(participantId) : null;
  return p ? p.name : fallback || "someone no longer listed";
}

// "Name (agency)" as nodes, each part isolated.
export function ownerNodes(room, action) {
  return [bdi(personName(room, action.owner_participant_id, action.owner_name)), " (", bdi(action.owner_agency), ")"];
}

export function itemTitle(room, itemId) {
  const item = itemId ? room.items.get(itemId) : null;
  return item ? item.title : "";
}

function byId(map) {
  return [...map.values()].sort((a, b) => a.id - b.id);
}

// Only the chair and note-takers are ever sent confidential entries; they see them marked.
function confidentialFlag(entry) {
  return entry.confidential ? el("p", { class: "entry-flag" }, el("span", { class: "badge confidential" }, "Confidential")) : null;
}

// The pack's documents an entry cites, as download links (the server left out any this link may not see).
export function citesNode(room, entry) {
  const cited = entry.citations || [];
  if (!cited.length) return null;
  return el(
    "p",
    { class: "entry-detail cites" },
    el("strong", {}, "Cites: "),
    cited.map((c, n) => [n ? "; " : "", el("a", { href: `/documents/${room.token}/${c.id}`, download: "", dataset: { documentId: c.id } }, el("bdi", {}, c.name))]),
  );
}

export function decisionNode(room, d, extra = []) {
  const dissent = d.dissenter_ids.length ? ["Dissent: ", d.dissenter_ids.map((id, n) => [n ? ", " : "", bdi(personName(room, id))])] : null;
  return el(
    "li",
    { class: `decision status-${d.status}`, dataset: { key: `decision-${d.id}`, decisionId: d.id, itemId: d.agenda_item_id } },
    confidentialFlag(d),
    el("p", { class: "entry-text", dir: "auto" }, d.text),
    el("p", { class: "entry-meta" }, d.status_label, d.review_date ? ` · review ${day(d.review_date)}` : "", itemTitle(room, d.agenda_item_id) ? [" · ", bdi(itemTitle(room, d.agenda_item_id))] : ""),
    d.reasons ? el("p", { class: "entry-detail" }, el("strong", {}, "Reasons: "), bdi(d.reasons)) : null,
    d.evidence ? el("p", { class: "entry-detail" }, el("strong", {}, "Evidence: "), bdi(d.evidence)) : null,
    d.options_considered ? el("p", { class: "entry-detail" }, el("strong", {}, "Options considered: "), bdi(d.options_considered)) : null,
    dissent ? el("p", { class: "entry-detail dissent" }, dissent) : null,
    citesNode(room, d),
    ...extra,
  );
}

// The plan's outcomes in the plan's order, and one read-only with the progress recorded against it.
export function outcomes(room) {
  return [...(room.outcomes || new Map()).values()].sort((a, b) => a.position - b.position || a.id - b.id);
}

export function outcomeNode(o, n) {
  return el(
    "li",
    { class: "outcome", dataset: { key: `outcome-${o.id}`, outcomeId: o.id } },
    el("p", { class: "entry-text", dir: "auto" }, `O${n + 1} `, o.text),
    o.area_label ? el("p", { class: "entry-meta" }, o.area_label) : null,
    el("p", { class: "entry-detail" }, el("strong", {}, "Progress: "), o.progress ? bdi(o.progress) : "not recorded yet"),
    o.evidence ? el("p", { class: "entry-detail" }, el("strong", {}, "Evidence: "), bdi(o.evidence)) : null,
    o.still_appropriate_label ? el("p", { class: "entry-detail" }, el("strong", {}, "Still appropriate? "), o.still_appropriate_label) : null,
    o.proposed_change ? el("p", { class: "entry-detail" }, el("strong", {}, "Proposed change: "), bdi(o.proposed_change)) : null,
  );
}

export function actionNode(room, a, extra = []) {
  return el(
    "li",
    { class: "action", dataset: { key: `action-${a.id}`, actionId: a.id, itemId: a.agenda_item_id } },
    confidentialFlag(a),
    el("p", { class: "entry-text", dir: "auto" }, a.what),
    el("p", { class: "entry-meta" }, el("span", { class: "owner" }, ownerNodes(room, a)), ` · due ${day(a.due_date)} · follow-up ${day(a.follow_up_date)}`),
    a.need ? el("p", { class: "entry-detail" }, el("strong", {}, "Need / outcome: "), bdi(a.need)) : null,
    citesNode(room, a),
    el("p", { class: "entry-detail confirmation" }, a.confirmed_at ? "Confirmed by the owner" : "Not yet confirmed by the owner"),
    ...extra,
  );
}

export function positionNode(room, p, extra = []) {
  return el(
    "li",
    { class: "position", dataset: { key: `position-${p.id}`, positionId: p.id, participantId: p.participant_id } },
    el("span", { class: "party" }, bdi(personName(room, p.participant_id, p.party_name)), " (", bdi(p.agency), "): "),
    el("span", { class: "view", dir: "auto" }, p.view),
    p.evidence ? el("span", { class: "evidence" }, " Evidence: ", bdi(p.evidence)) : null,
    citesNode(room, p),
    ...extra,
  );
}

export function disagreementNode(room, g, { positionExtra = () => [], extra = [] } = {}) {
  const next = g.resolved
    ? ["Resolved", g.resolution ? [": ", bdi(g.resolution)] : ""]
    : g.next_step
      ? [
          `Next step: ${g.next_step_label}. `,
          bdi(personName(room, g.next_step_owner_participant_id, g.next_step_owner_name)),
          " (",
          bdi(g.next_step_agency),
          `) follows up by ${day(g.follow_up_date)}`,
        ]
      : "Not resolved; next step not yet agreed";
  return el(
    "li",
    { class: `disagreement ${g.resolved ? "resolved" : "open"}`, dataset: { key: `disagreement-${g.id}`, disagreementId: g.id, itemId: g.agenda_item_id } },
    confidentialFlag(g),
    el("p", { class: "entry-text", dir: "auto" }, g.topic),
    el("ul", { class: "positions" }, ...g.positions.map((p) => positionNode(room, p, positionExtra(p)))),
    g.about_label ? el("p", { class: "entry-meta about" }, `About: ${g.about_label}`) : null,
    el("p", { class: "entry-meta next-step" }, next),
    !g.resolved && g.next_step && g.next_step_note ? el("p", { class: "entry-meta route-note" }, g.next_step_note) : null,
    ...(g.resolved ? [] : routeDatesNodes(g)),
    g.resolved ? null : contactsNode(room, g),
    g.resolved ? reflectionNode(g) : null,
    ...extra,
  );
}

// The reflective review of a resolved disagreement: when, and what it found.
function reflectionNode(g) {
  const r = g.reflection || {};
  if (!r.date && !r.what_worked && !r.do_differently) return null;
  return el(
    "div",
    { class: "entry-meta reflection", dataset: { key: "reflection" } },
    el("p", {}, r.recorded_at ? `Reflective review${r.date ? ` on ${day(r.date)}` : ""}:` : `Reflective review planned for ${day(r.date)}.`),
    r.what_worked ? el("p", {}, "What worked: ", bdi(r.what_worked)) : null,
    r.do_differently ? el("p", {}, "What to do differently: ", bdi(r.do_differently)) : null,
  );
}

// The information and advice service on every open disagreement, and the route's own service (as the
// organisation set them): who can help, and how to reach them.
function contactsNode(room, g) {
  const wanted = ["advice", g.next_step_contact].filter((k, i, all) => k && all.indexOf(k) === i);
  const shown = wanted.map((kind) => room.contacts.find((c) => c.kind === kind)).filter(Boolean);
  if (!shown.length) return null;
  return el(
    "ul",
    { class: "route-contacts", dataset: { key: "contacts" } },
    ...shown.map((c) =>
      el(
        "li",
        { dataset: { key: c.kind } },
        el("strong", {}, `${c.label}: `),
        [c.name, c.phone].filter(Boolean).join(", "),
        c.email ? [" ", el("a", { href: `mailto:${c.email}` }, c.email)] : null,
        c.web ? [" ", el("a", { href: c.web, target: "_blank", rel: "noopener noreferrer" }, c.web)] : null,
      ),
    ),
  );
}

function deadlineNode(d) {
  const source = d.sources && d.sources[0];
  const rule = source ? el("a", { href: source, target: "_blank", rel: "noopener noreferrer" }, d.rule_id) : d.rule_id;
  return el(
    "li",
    { dataset: { key: d.rule_id, rule: d.rule_id, limit: d.limit ? "yes" : "no" } },
    `${d.title} (${d.who}): `,
    el("time", { datetime: d.date }, d.date_text),
    " (",
    rule,
    d.verified ? "" : ", unverified",
    ")",
  );
}

// A route's dates and any warning, as the server computed them (for a preview, or a saved entry).
export function routeDatesNodes(view) {
  const nodes = [];
  if ((view.route_deadlines || []).length) nodes.push(el("ul", { class: "route-deadlines", dataset: { key: "deadlines" } }, ...view.route_deadlines.map(deadlineNode)));
  if ((view.route_missing || []).length) nodes.push(el("p", { class: "route-missing", dataset: { key: "missing" } }, `Its time limits need: ${view.route_missing.join("; ")}.`));
  if (view.follow_up_late) {
    nodes.push(el("p", { class: "route-warning", dataset: { key: "warning" } }, el("strong", {}, "Warning: "), view.follow_up_late.message));
  }
  return nodes;
}

export function decisions(room) {
  return byId(room.decisions);
}
export function actions(room) {
  return byId(room.actions);
}
export function disagreements(room) {
  return byId(room.disagreements);
}

export function fill(list, nodes, emptyText) {
  redraw(list, nodes.length ? nodes : [el("li", { class: "empty", dataset: { key: "empty" } }, emptyText)]);
}

export function participantOptions(room, selected, { blank = null } = {}) {
  const options = blank ? [el("option", { value: "" }, blank)] : [];
  for (const p of room.participants.values()) {
    options.push(el("option", { value: p.id, selected: p.id === selected }, `${p.name} (${p.role_label})`));
  }
  return options;
}

export function formValues(form) {
  const data = new FormData(form);
  const out = {};
  for (const [k, v] of data.entries()) out[k] = typeof v === "string" ? v : "";
  return out;
}

export function optional(v) {
  return v === undefined || v === null || String(v).trim() === "" ? null : v;
}

export function addDays(isoDay, n) {
  const [y, m, d] = isoDay.split("-").map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return t.toISOString().slice(0, 10);
}

export function today() {
  const t = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}

// The review of previous actions on the chair console and a participant's page. The server sends
// the list with the page (`previous`); the section's module and style (their versioned URLs are on the
// section) are loaded only when the list has something to review, or later if an event says an earlier
// action changed. When the list is not empty, the page's <head> has already asked for both.
export function watchPreviousActions(room, previous) {
  const section = document.getElementById("previous-actions");
  if (!section || !previous) return;
  const seq = room.seq;
  let started = false;
  const start = (initial) => {
    if (started) return;
    started = true;
    const href = section.dataset.stylesheet;
    if (href && ![...document.querySelectorAll('link[rel="stylesheet"]')].some((l) => l.getAttribute("href") === href)) {
      document.head.append(el("link", { rel: "stylesheet", href }));
    }
    import(section.dataset.module)
      .then((module) => module.reviewPreviousActions(room, section, initial, seq))
      .catch((e) => {
        started = false; // offline at that moment: the next change of an earlier action tries again
        console.error(e);
      });
  };
  room.onEvent((event) => event.data && event.data.previous_actions && start(null));
  if (previous.actions.length) start(previous);
}
