// Invitations by e-mail on the chair console's People panel: each person's state (not invited, invited on
// a date, failed with the error and Retry, accepted, declined, remote only), Invite (at a new address when
// none is on file), "Invite everyone not yet invited", "Remind those who have not answered", the notice each person had against the rule, and who
// the regulations expect at this meeting type, a missing one as a warning (never a block). Read from the
// JSON API with the console's own link (chair only); read again when an event says invitations changed or
// the people or the meeting's date change. A failed read leaves a quiet note.
import { el, errorText, redraw } from "./room-core.js";

export function invitationsPanel(room, boot, redrawPeople) {
  const chair = boot.snapshot.viewer.role === "chair";
  const section = document.getElementById("invitations-panel");
  const status = document.getElementById("invitations-status");
  const headers = { Authorization: `Bearer ${room.token}` };
  const byPerson = new Map();
  let data = null;
  let timer = null;

  if (!chair || !section) return { controls: () => null };
  section.hidden = false;

  function send(name, args, errorNode = status) {
    return room.send(name, args, { errorNode }).then((result) => {
      load();
      return result;
    });
  }

  // The controls under one person in the People list.
  function controls(p) {
    const inv = byPerson.get(p.id);
    if (!inv) return null;
    const errorId = `invite-error-${p.id}`;
    // Looked up when used: the list is redrawn in place, so the nodes drawn here may not be the ones shown.
    const error = () => document.getElementById(errorId);
    const parts = [el("span", { class: "invitation-state", dataset: { state: inv.state } }, inv.state_text)];
    if (inv.notice) parts.push(" ", el("span", { class: inv.notice.short ? "notice short-notice" : "notice" }, inv.notice.text));
    if (inv.reply_note) parts.push(" ", el("q", { dir: "auto", class: "reply-note" }, inv.reply_note));
    if (inv.can_retry) {
      parts.push(" ", el("button", { type: "button", "aria-label": `Retry the e-mail to ${p.name}`, onclick: () => send("invitations.retry", { participant_id: p.id }, error()).catch(() => {}) }, "Retry"));
    }
    if (inv.state === "not_invited" || inv.state === "failed") {
      const address = el("input", {
        type: "email", name: "invite_email", maxlength: 254, size: 18, value: inv.email || "",
        placeholder: "name@example.org", "aria-label": `E-mail address of ${p.name}`, "aria-describedby": errorId,
      });
      const invite = (ev) => {
        const email = ev.target.closest(".invite-form").querySelector("input").value.trim();
        send("invitations.send", email && email !== inv.email ? { participant_id: p.id, email } : { participant_id: p.id }, error()).catch(() => {});
      };
      parts.push(" ", el("span", { class: "invite-form prepare-only" }, address, " ",
        el("button", { type: "button", "aria-label": `Invite ${p.name} by e-mail`, onclick: invite }, "Invite")));
    }
    parts.push(" ", el("span", { class: "field-error", role: "alert", id: errorId }));
    return el("span", { class: "invitation", dataset: { participantId: p.id } }, parts);
  }

  function draw() {
    const checks = document.getElementById("must-invite");
    const rule = document.getElementById("notice-rule");
    if (!data) return;
    rule.textContent = data.notice_rule.text;
    const list = data.expected.checks;
    redraw(checks, list.length
      ? list.map((c) => el("li", { dataset: { key: c.key, state: c.state }, class: c.warning ? "warning" : "" },
          c.warning ? el("strong", {}, "Warning: ") : null, `${c.label}: ${c.text}`, c.note ? ` (${c.note})` : ""))
      : [el("li", { dataset: { key: "none" } }, "The regulations list nobody for this meeting type.")]);
    redrawPeople();
  }

  async function load() {
    try {
      const r = await fetch(`/api/v1/meetings/${room.meeting.id}/invitations`, { headers, cache: "no-store" });
      if (!r.ok) throw new Error(String(r.status));
      data = await r.json();
      byPerson.clear();
      for (const person of data.people) byPerson.set(person.participant_id, person);
      section.dataset.loaded = "yes";
      draw();
    } catch (e) {
      status.textContent = "The invitations could not be loaded just now.";
    }
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 150);
  }

  document.getElementById("invite-everyone").addEventListener("click", () => {
    send("invitations.send_all", {})
      .then((result) => {
        const skipped = result.skipped.map((s) => `${s.name} (${s.reason})`).join(", ");
        status.textContent = `${result.invited.length} invited.` + (skipped ? ` Not invited: ${skipped}.` : "");
      })
      .catch((err) => { status.textContent = errorText(err); });
  });

  document.getElementById("remind-unanswered").addEventListener("click", () => {
    send("invitations.remind", {})
      .then((result) => { status.textContent = `${result.reminded.length} reminded.`; })
      .catch((err) => { status.textContent = errorText(err); });
  });

  room.onEvent((event) => {
    const d = event && event.data;
    if (d && (d.invitations_changed || d.participants || d.removed_participants || event.type === "meeting.update")) soon();
  });
  room.onSnapshot(soon);
  load();
  return { controls };
}
