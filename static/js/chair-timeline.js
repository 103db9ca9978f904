// The statutory timeline on the chair console (Prepare and Record views): each step due before and
// after this meeting, who must act, by when and where it stands, with the rule and its source. Read
// from the JSON API with the console's own link; read again when the meeting's date, type or status
// changes. A failed read leaves a quiet note, never a broken panel.
import { el, redraw } from "./room-core.js";

const NOTICE = "Statutory latest dates, computed from the rules: this is not legal advice.";
const SIDES = { before: "Before the meeting", after: "After the meeting" };
const DAY_MS = 86400000;

// "overdue", "due today", "due in 5 days" or "due": in words, never by colour alone.
export function statusText(item, today) {
  if (item.status === "overdue") return "overdue";
  if (item.status !== "due_soon") return "due";
  const days = Math.round((Date.parse(item.date) - Date.parse(today)) / DAY_MS);
  if (days <= 0) return "due today";
  return days === 1 ? "due tomorrow" : `due in ${days} days`;
}

function stepNode(item, today) {
  const source = item.sources && item.sources[0];
  const rule = source
    ? el("a", { href: source, target: "_blank", rel: "noopener noreferrer", class: "rule-link" }, item.rule_id)
    : el("span", { class: "rule-link" }, item.rule_id);
  return el(
    "li",
    { "data-key": `${item.side}:${item.rule_id}`, "data-rule": item.rule_id, "data-status": item.status },
    el("p", { class: "step-title" }, item.title),
    el(
      "p",
      { class: "step-meta" },
      el("span", {}, "Who acts: ", item.who),
      el("span", {}, "By ", el("time", { datetime: item.date, class: "step-date" }, item.date_text)),
      el("span", { class: "step-status", "data-status": item.status }, statusText(item, today)),
      item.verified ? null : el("span", { class: "step-unverified" }, "unverified"),
      el("span", {}, "Rule ", rule),
    ),
  );
}

export function timelinePanel(room) {
  const section = document.getElementById("timeline-panel");
  const body = document.getElementById("timeline-body");
  const note = document.getElementById("timeline-note");
  const headers = { Authorization: `Bearer ${room.token}` };
  let shownFor = null;
  let timer = null;

  function draw(data) {
    note.textContent = "";
    if (data.items.length === 0) {
      redraw(body, [el("p", { class: "hint", "data-key": "none" }, "This meeting type has no statutory timeline.")]);
      return;
    }
    const parts = [el("p", { class: "timeline-notice", "data-key": "notice" }, NOTICE)];
    for (const [side, heading] of Object.entries(SIDES)) {
      const items = data.items.filter((item) => item.side === side);
      if (items.length === 0) continue;
      parts.push(el("h3", { id: `timeline-${side}`, "data-key": `h-${side}` }, heading));
      parts.push(
        el(
          "ol",
          { class: "timeline-steps", "aria-labelledby": `timeline-${side}`, "data-key": `l-${side}` },
          items.map((item) => stepNode(item, data.today)),
        ),
      );
    }
    redraw(body, parts);
  }

  async function load() {
    try {
      const r = await fetch(`/api/v1/meetings/${room.meeting.id}/timeline`, { headers, cache: "no-store" });
      if (!r.ok) throw new Error(String(r.status));
      draw(await r.json());
      section.dataset.loaded = "yes";
    } catch (e) {
      // Quiet: the rest of the console works on; the next change of the meeting tries again.
      if (section.dataset.loaded !== "yes") redraw(body, []);
      note.textContent = "The statutory dates could not be loaded just now.";
    }
  }

  // What the timeline depends on: the meeting's type, its date and its status (the day it started).
  function watch() {
    const m = room.meeting;
    const key = [m.meeting_type, m.scheduled_start, m.status, m.started_at].join("|");
    if (key === shownFor) return;
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
