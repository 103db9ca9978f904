// A quiet way to speak, on the participant's own page: raise or lower a hand, write a question or a
// comment to the chair, and follow what happened to each (waiting, answered, withdrawn).
// Only the chair, note-takers and this participant see these requests (realtime.broadcast).
import { REVOKED, WAITING, el, redraw } from "./room-core.js";
import { KIND_LABELS, STATUS_LABELS, TEXT_MAX, requests } from "./queue-labels.js";

export function speakPanel(room) {
  const section = document.getElementById("speak");
  if (!section || room.viewer.role !== "participant") {
    if (section) section.hidden = true;
    return () => {};
  }
  const me = room.viewer.participant_id;
  const status = el("p", { class: "speak-status", id: "speak-status", role: "status", "aria-live": "polite" });
  const handNote = el("p", { class: "hint", id: "hand-note" });
  const hand = el("button", { type: "button", class: "primary hand-button", "aria-describedby": "hand-note", onclick: toggleHand }, "Raise hand");
  const textarea = el("textarea", { name: "text", id: "speak-text", rows: 3, maxlength: TEXT_MAX, required: true, "aria-describedby": "speak-count" });
  const count = el("span", { class: "hint", id: "speak-count" });
  const form = el(
    "form",
    { class: "speak-form", autocomplete: "off" },
    el(
      "fieldset",
      { class: "choices" },
      el("legend", {}, "Ask a question or add a comment"),
      el("label", { class: "choice" }, el("input", { type: "radio", name: "kind", value: "question", checked: true }), "Question"),
      el("label", { class: "choice" }, el("input", { type: "radio", name: "kind", value: "comment" }), "Comment"),
    ),
    el("label", { for: "speak-text", class: "wide" }, "Your words (only the chair and note-taker see them)"),
    textarea,
    count,
    el("button", { type: "submit" }, "Send to the chair"),
  );
  const list = el("ol", { class: "entries speak-list", id: "my-requests", "aria-label": "What you have sent" });
  section.append(
    el("p", { class: "hint" }, "If it is hard to interrupt, let the chair know quietly. Nobody else in the meeting sees this."),
    hand,
    handNote,
    form,
    status,
    el("h3", {}, "What you have sent"),
    list,
  );

  const say = (message) => { status.textContent = message; };
  const offline = () => (room.status === "revoked" ? REVOKED : room.status === "online" ? "" : WAITING);

  function send(name, args, done) {
    say(offline());
    room.send(name, args, { errorNode: status }).then(done).catch(() => {});
  }

  function waitingHand() {
    return requests(room, (r) => r.participant_id === me && r.kind === "hand" && r.status === "waiting")[0];
  }

  function toggleHand() {
    const up = waitingHand();
    if (up) send("queue.withdraw", { request_id: up.id }, () => say("Your hand is lowered."));
    else send("queue.raise_hand", {}, () => say("Your hand is raised. The chair can see it."));
  }

  textarea.addEventListener("input", () => { count.textContent = `${textarea.value.length} of ${TEXT_MAX} characters`; });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const kind = form.elements.kind.value;
    send("queue.ask", { kind, text: textarea.value }, () => {
      textarea.value = "";
      count.textContent = "";
      say(`Your ${kind} was sent to the chair.`);
    });
  });

  let shown = "";
  function drawList(mine) {
    // Redrawn only when something in it changed, so a focused Withdraw button is not replaced at every event.
    const key = JSON.stringify(mine.map((r) => [r.id, r.status]));
    if (key === shown) return;
    shown = key;
    const items = [...mine].reverse().map((r) =>
      el(
        "li",
        { class: `speak-request status-${r.status}`, dataset: { key: `request-${r.id}`, requestId: r.id, kind: r.kind, status: r.status } },
        el("p", { class: "entry-meta" }, el("strong", {}, KIND_LABELS[r.kind]), " · ", el("span", { class: "request-status" }, STATUS_LABELS[r.status])),
        r.text ? el("p", { class: "entry-detail", dir: "auto" }, r.text) : null,
        // A hand is lowered with the Raise/Lower hand button above: one control for one thing.
        r.status === "waiting" && r.kind !== "hand"
          ? el("button", { type: "button", "aria-label": `Withdraw your ${KIND_LABELS[r.kind].toLowerCase()}`, onclick: () => send("queue.withdraw", { request_id: r.id }, () => say("Withdrawn.")) }, "Withdraw")
          : null,
      ),
    );
    redraw(list, items.length ? items : [el("li", { class: "empty" }, "Nothing sent yet.")]);
  }

  return function draw() {
    const live = room.meeting.status === "live";
    const up = waitingHand();
    hand.textContent = up ? "Lower hand" : "Raise hand";
    hand.setAttribute("aria-pressed", up ? "true" : "false");
    hand.disabled = !live;
    handNote.textContent = live
      ? up ? "Your hand is up: the chair will come to you." : ""
      : room.meeting.status === "ended" ? "The meeting has ended." : "You can raise your hand once the meeting starts. You can send a written question now.";
    for (const control of form.elements) control.disabled = room.meeting.status === "ended";
    drawList(requests(room, (r) => r.participant_id === me));
  };
}
