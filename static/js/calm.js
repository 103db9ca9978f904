// Calm mode, for a child or young person in the meeting (and for anyone who prefers it): no running
// digits, no colour changes, larger text, what happens now / next / later, and a way to ask for a break.
//
// Chosen per screen (a toggle, remembered in this browser) or per link (opened with ?calm=1, or ?calm=0
// to turn it off). The time left is given in words that change at most once a minute, with a bar that
// moves at the same moment.
import { announceItem, budget, el, remaining, text } from "./room-core.js";

// Where this browser remembers the choice: one per meeting and per screen or person, so that a parent
// and a young person sharing a tablet, or the chair trying a link, do not change each other's view.
function storageKey(room, kind) {
  return `commonground.calm.${kind}.${room.meeting.id}.${room.viewer.participant_id || ""}`;
}

function stored(key) {
  try {
    return window.localStorage.getItem(key);
  } catch (e) {
    return null; // storage switched off: the choice lasts as long as the page
  }
}

function store(key, value) {
  try {
    window.localStorage.setItem(key, value);
  } catch (e) {
    // as above
  }
}

// Whether the page opens calm: the link's ?calm= (remembered from then on), else this browser's last
// choice, else `byDefault`.
export function calmChoice(room, kind, byDefault = false) {
  const key = storageKey(room, kind);
  const asked = new URLSearchParams(window.location.search).get("calm");
  if (asked === "1" || asked === "0") store(key, asked);
  const value = stored(key);
  return value === null ? byDefault : value === "1";
}

// Wire the page's toggle button; `apply(on)` redraws the page calm or not.
export function calmToggle(room, kind, button, on, apply) {
  const set = (value) => {
    document.documentElement.classList.toggle("calm", value); // on <html>, so that rem sizes grow too
    button.setAttribute("aria-pressed", value ? "true" : "false");
    apply(value);
  };
  button.addEventListener("click", () => {
    const value = button.getAttribute("aria-pressed") !== "true";
    store(storageKey(room, kind), value ? "1" : "0");
    set(value);
  });
  set(on);
}

// Whole minutes left, rounded up: the one number calm mode shows, so it changes once a minute.
function minutesLeft(item, nowMs) {
  return Math.ceil(remaining(item, nowMs) / 60);
}

// The time left of an item in words: "about 5 minutes left".
export function calmWords(item, nowMs) {
  const left = minutesLeft(item, nowMs);
  if (left <= 0) return "Taking a little longer than planned";
  return `About ${left} minute${left === 1 ? "" : "s"} left`;
}

// How far through its time an item is, 0..1, moving only when the words do.
export function calmProgress(item, nowMs) {
  const total = budget(item);
  if (total <= 0) return 1;
  return Math.min(1, Math.max(0, (total - Math.max(0, minutesLeft(item, nowMs)) * 60) / total));
}

// The "Now" area drawn calm: the item, its time in words and a bar, no digits running, no colour change.
export function renderCalmNow(room, nowMs) {
  const item = room.currentItem();
  announceItem(room, item);
  const status = room.meeting.status;
  const countdown = document.getElementById("countdown");
  countdown.dataset.timeState = "ok";
  const bar = document.getElementById("calm-progress-bar") || document.getElementById("progress-bar");
  if (!item) {
    text("current-title", status === "draft" ? "Waiting to start" : status === "ended" ? "The meeting has finished" : "A short pause between items");
    text("current-presenter", "");
    text("countdown", status === "draft" ? "The meeting will start soon" : "");
    text("countdown-note", "");
    if (bar) bar.style.width = status === "ended" ? "100%" : "0%";
    return null;
  }
  text("current-title", item.title);
  text("current-presenter", item.presenter ? `With ${item.presenter}` : "");
  text("countdown", calmWords(item, nowMs));
  text("countdown-note", item.status === "paused" ? "Paused for now" : "");
  if (bar) bar.style.width = `${Math.round(calmProgress(item, nowMs) * 100)}%`;
  return item;
}

// What happens now, next and later: the current item, the next one to come, and the rest (up to
// `later` of them, then "and N more").
export function calmSteps(room, later = 3) {
  const current = room.currentItem();
  const toCome = room.orderedItems().filter((i) => i !== current && ["pending", "left"].includes(i.status));
  const status = room.meeting.status;
  const now = current ? current.title : status === "ended" ? "The meeting has finished" : status === "draft" ? "Waiting to start" : "A short pause";
  const steps = [{ label: "Now", titles: [now] }];
  if (status !== "ended") {
    steps.push({ label: "Next", titles: toCome.length ? [toCome[0].title] : ["The end of the meeting"] });
    const rest = toCome.slice(1);
    if (rest.length) steps.push({ label: "Later", titles: rest.slice(0, later).map((i) => i.title), more: rest.length - later });
  }
  return steps;
}

// The steps as list items (for an <ol>), each a big card with a word and the titles.
export function calmStepNodes(room, later = 3) {
  return calmSteps(room, later).map((s) =>
    el(
      "li",
      { class: `calm-step step-${s.label.toLowerCase()}` },
      el("span", { class: "step-label" }, s.label),
      ...s.titles.map((t) => el("span", { class: "step-title", dir: "auto" }, t)),
      s.more > 0 ? el("span", { class: "step-more" }, `and ${s.more} more`) : null,
    ),
  );
}

// The "Break" button: asks the chair for a pause. Until the speaking queue exists on the server the
// command is refused as unknown; the person is told kindly what to do instead.
export function breakButton(room, button, status) {
  button.addEventListener("click", () => {
    button.disabled = true;
    status.textContent = "Asking the chair for a break…";
    room
      .command("queue.ask_break", {})
      .then(() => {
        status.textContent = "The chair has been asked for a break. They will pause when they can.";
      })
      .catch(() => {
        status.textContent = "The message did not reach the chair. You can still have a break: tell the person with you, or put your hand up.";
      })
      .finally(() => {
        window.setTimeout(() => {
          button.disabled = false;
        }, 5000);
      });
  });
}
