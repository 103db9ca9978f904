// The chair's clock controls: start, pause and resume, move between items, extend, end the meeting;
// Alt+Left and Alt+Right step back and forward outside a field.
export function clockControls(room) {
  const send = (name, args = {}) => room.send(name, args).catch(() => {});

  document.getElementById("clock-controls").addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-cmd]");
    if (!button) return;
    const name = button.dataset.cmd;
    if (name === "clock.end_meeting" && !window.confirm("End the meeting for everyone?")) return;
    send(name, button.dataset.seconds ? { seconds: Number(button.dataset.seconds) } : {});
  });

  document.addEventListener("keydown", (ev) => {
    if (!ev.altKey || ev.target.closest("input, select, textarea")) return;
    if (ev.shiftKey || !["ArrowRight", "ArrowLeft"].includes(ev.key)) return;
    ev.preventDefault(); // not the browser's back and forward
    send(ev.key === "ArrowRight" ? "clock.next_item" : "clock.previous_item");
  });

  // Only what can be done now is enabled; Pause and Resume take turns in one place.
  return function draw() {
    const m = room.meeting;
    const item = room.currentItem();
    const live = m.status === "live";
    const enabled = {
      "clock.start_meeting": m.status === "draft",
      "clock.previous_item": live,
      "clock.pause": live && item && item.status === "running",
      "clock.resume": live && item && item.status === "paused",
      "clock.next_item": live,
      "clock.extend": live && !!item,
      "clock.skip_item": live && !!item,
      "clock.defer_item": live && !!item,
      "clock.end_meeting": live,
    };
    for (const button of document.querySelectorAll("#clock-controls button")) {
      const on = !!enabled[button.dataset.cmd];
      button.disabled = !on;
      button.hidden = (button.dataset.cmd === "clock.pause" && !on && item && item.status === "paused") ||
        (button.dataset.cmd === "clock.resume" && !on) ||
        (button.dataset.cmd === "clock.start_meeting" && !on);
    }
  };
}
