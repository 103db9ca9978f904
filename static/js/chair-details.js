// The meeting's details on the chair console: title, child's reference, scheduled start and end.

function localInput(iso) {
  const d = new Date(Date.parse(iso));
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function detailsForm(room) {
  const form = document.getElementById("edit-meeting");

  // The form follows the meeting, except while the chair is typing in it (`force` after their own save).
  function draw(force) {
    if (!force && form.contains(document.activeElement)) return;
    const m = room.meeting;
    form.elements.title.value = m.title;
    form.elements.child_ref.value = m.child_ref;
    form.elements.scheduled_start.value = localInput(m.scheduled_start);
    form.elements.scheduled_end.value = localInput(m.scheduled_end);
    for (const input of form.elements) input.disabled = m.status === "ended";
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const asIso = (v) => new Date(v).toISOString();
    room
      .send("meeting.update", {
        version: room.meeting.version,
        title: form.elements.title.value,
        child_ref: form.elements.child_ref.value,
        scheduled_start: asIso(form.elements.scheduled_start.value),
        scheduled_end: asIso(form.elements.scheduled_end.value),
      })
      .then(() => draw(true))
      .catch(() => draw(true));
  });

  return draw;
}
