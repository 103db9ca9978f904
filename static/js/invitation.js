// The invitee's answer to their invitation, on their own page (participant or observer link): I can come,
// I cannot come, I can only join remotely; an interpreter in a language; a note for the chair. Sent with
// the page's own link to the JSON API (invitations.reply), so it works without the live connection; the
// chair's People list shows it at once. A refusal (a withdrawn link, a note too long) is said at the form.
import { bootstrap, el, errorText } from "./room-core.js";

const boot = bootstrap();
const section = document.getElementById("invitation");
const form = document.getElementById("invitation-form");
const state = document.getElementById("invitation-state");
const error = document.getElementById("invitation-error");

function show(invitation) {
  state.textContent = invitation && invitation.reply_label
    ? `Your answer: ${invitation.reply_label}.` + (invitation.note ? ` Your note: “${invitation.note}”` : "")
    : "You have not answered yet.";
  if (invitation && invitation.reply) {
    const choice = form.querySelector(`input[name="response"][value="${invitation.reply}"]`);
    if (choice) choice.checked = true;
  }
}

if (section && form) {
  section.hidden = false;
  show(boot.invitation);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const data = new FormData(form);
    const language = (data.get("interpreter_language") || "").trim();
    const note = (data.get("note") || "").trim();
    const args = { response: data.get("response") || "" };
    if (data.get("needs_interpreter") === "1") args.interpreter_language = language;
    if (note) args.note = note;
    try {
      const r = await fetch(`/api/v1/meetings/${boot.snapshot.meeting.id}/commands/invitations.reply`, {
        method: "POST",
        headers: { Authorization: `Bearer ${boot.token}`, "Content-Type": "application/json" },
        body: JSON.stringify(args),
      });
      const body = await r.json().catch(() => ({}));
      if (r.status === 401) throw new Error("Not sent: this link no longer works (the chair may have withdrawn it). Please contact the chair.");
      if (!r.ok) throw Object.assign(new Error(body.error?.message || "That did not work."), { fields: body.error?.fields });
      show(body.invitation);
      state.append(" ", el("span", {}, "Thank you: the chair can see your answer."));
    } catch (err) {
      error.textContent = errorText(err);
    }
  });
}
