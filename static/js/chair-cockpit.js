// The chair's cockpit: its views (Run the meeting, Prepare, Record; the choice kept in the URL's hash),
// the keyboard shortcuts (Alt+Shift+key, so they never fire while typing: WCAG 2.1.4) and their help,
// the skip link to capture, and what the console says once the meeting has ended.
import { hhmm, text } from "./room-core.js";

const VIEWS = ["run", "prepare", "record"];
const FIRST_FIELD = "input:not([type=checkbox]):not([type=hidden]), textarea, select";

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

export function cockpit(room) {
  const main = document.getElementById("cockpit");
  const dialog = document.getElementById("shortcuts-dialog");
  const chairRuns = !document.body.classList.contains("role-note_taker");
  let status = room.meeting.status;

  const chosen = () => {
    const view = window.location.hash.slice(1);
    return VIEWS.includes(view) ? view : null;
  };

  // Shows a view; `keep` writes it into the hash (without a new history entry) so a reload keeps it.
  function show(view, keep = true) {
    main.dataset.view = view;
    for (const link of document.querySelectorAll(".cockpit-views a")) {
      if (link.dataset.view === view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    if (keep && chosen() !== view) window.history.replaceState(null, "", `#${view}`);
  }

  // The first field of a capture form, in the live view, with the focus.
  function capture(formId) {
    if (room.meeting.status === "ended") return;
    if (main.dataset.view !== "run") show("run");
    document.getElementById(formId).querySelector(FIRST_FIELD).focus();
  }

  function toRecord() {
    show("record");
    document.getElementById("record-heading").focus();
  }

  const send = (name, args = {}) => room.send(name, args).catch(() => {});
  function pauseOrResume() {
    const item = room.currentItem();
    if (item && item.status === "running") send("clock.pause");
    else if (item && item.status === "paused") send("clock.resume");
  }
  const live = () => room.meeting.status === "live";

  // By KeyboardEvent.code: the same keys whatever the layout types with them.
  const SHORTCUTS = {
    KeyN: () => chairRuns && live() && send("clock.next_item"),
    KeyP: () => chairRuns && live() && pauseOrResume(),
    KeyM: () => chairRuns && live() && room.currentItem() && send("clock.extend", { seconds: 60 }),
    Digit1: () => capture("add-decision"),
    Digit2: () => capture("add-action"),
    Digit3: () => capture("add-disagreement"),
    KeyR: toRecord,
    KeyH: () => dialog.open || dialog.showModal(),
  };

  document.addEventListener("keydown", (ev) => {
    if (!ev.altKey || !ev.shiftKey || ev.ctrlKey || ev.metaKey) return;
    const action = SHORTCUTS[ev.code];
    if (!action) return;
    ev.preventDefault();
    if (dialog.open && ev.code !== "KeyH") dialog.close();
    action();
  });

  document.getElementById("shortcuts-button").addEventListener("click", () => dialog.showModal());
  document.getElementById("skip-to-capture").addEventListener("click", (ev) => {
    ev.preventDefault();
    capture("add-decision");
  });
  window.addEventListener("hashchange", () => chosen() && show(chosen(), false));
  show(chosen() || (status === "draft" ? "prepare" : "run"), false);

  return function draw() {
    const m = room.meeting;
    // The meeting started while the chair was preparing: the live view comes forward.
    if (status === "draft" && m.status === "live" && main.dataset.view === "prepare") show("run", !!chosen());
    status = m.status;
    main.dataset.status = m.status;
    const ended = document.getElementById("ended-summary");
    ended.hidden = m.status !== "ended";
    if (m.status === "ended") {
      text("ended-at", m.ended_at ? `The meeting ended at ${hhmm(Date.parse(m.ended_at))}.` : "The meeting has ended.");
      text(
        "ended-counts",
        `Recorded: ${plural(room.decisions.size, "decision", "decisions")}, ${plural(room.actions.size, "action", "actions")}, ` +
          `${plural(room.disagreements.size, "disagreement", "disagreements")}.`,
      );
    }
  };
}
