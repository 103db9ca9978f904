// A participant's own view: the live item and countdown, the whole agenda with times, who is here.
import { watchMinutes } from "./minutes.js";
import { actionNode, actions, decisionNode, decisions, disagreementNode, disagreements, fill, watchPreviousActions } from "./record.js";
import { speakPanel } from "./participant-queue.js";
import { Room, STATUS_LABELS, bootstrap, el, itemTimes, renderHeader, renderNow, renderParticipants, showConnection, tick } from "./room-core.js";

const boot = bootstrap();
const room = new Room(boot, () => draw());
showConnection(room);
watchMinutes(room, room.token); // where the minutes stand, kept live
watchPreviousActions(room, boot.previous_actions); // earlier actions under review, if any
const drawSpeak = speakPanel(room); // raise a hand, write to the chair

function drawAgenda(now) {
  const list = document.getElementById("agenda");
  list.replaceChildren(
    ...room.orderedItems().map((item) =>
      el(
        "li",
        { class: `item status-${item.status}`, dataset: { itemId: item.id, status: item.status }, "aria-current": item.id === room.meeting.current_item_id ? "step" : null },
        el("span", { class: "title", dir: "auto" }, item.title),
        item.presenter ? el("span", { class: "presenter", dir: "auto" }, item.presenter) : null,
        el("span", { class: "times" }, itemTimes(item, now)),
        el("span", { class: "badge" }, item.deferred && item.status === "pending" ? "deferred" : STATUS_LABELS[item.status]),
      ),
    ),
  );
}

function draw() {
  const now = room.now();
  renderHeader(room, now);
  renderNow(room, now);
  drawAgenda(now);
  renderParticipants(room, document.getElementById("participants"));
  drawRecord();
  drawSpeak();
  const me = room.viewer.participant_id ? room.participants.get(room.viewer.participant_id) : null;
  document.getElementById("me").textContent = me ? `You are joining as ${me.name} (${me.role_label}, ${me.agency_label})` : "";
}


// ---------------------------------------------------------------- the record, with what this participant can do

const openForms = new Set();
let recordDirty = false;

// An observer follows the meeting but writes nothing: no "mine" controls are drawn for them.
function myId() {
  return room.viewer.role === "participant" ? room.viewer.participant_id : null;
}

function positionEditor(g, p) {
  const key = p ? `edit:${p.id}` : `add:${g.id}`;
  const form = el(
    "form",
    { class: "quick-form my-position" },
    el("label", { class: "wide" }, "Your view, in your own words ", Object.assign(el("textarea", { name: "view", rows: 3, maxlength: 4000, required: true }), { value: p ? p.view : "" })),
    el("label", { class: "wide" }, "Evidence you rely on ", el("input", { name: "evidence", maxlength: 2000, value: p ? p.evidence || "" : "" })),
    el("button", { type: "submit" }, p ? "Save my correction" : "Add my position"),
    el("button", { type: "button", onclick: () => { openForms.delete(key); drawRecord(true); } }, "Cancel"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const view = form.elements.view.value;
    const evidence = form.elements.evidence.value.trim() ? form.elements.evidence.value : null;
    const done = p
      ? room.send("positions.update", { position_id: p.id, version: p.version, view, evidence })
      : room.send("positions.add", { disagreement_id: g.id, view, evidence });
    done.then(() => { openForms.delete(key); drawRecord(true); }).catch(() => {});
  });
  return form;
}

function drawRecord(force = false) {
  const section = document.querySelector(".record");
  if (!force && section.contains(document.activeElement) && document.activeElement !== document.body) {
    recordDirty = true;
    return;
  }
  recordDirty = false;
  fill(document.getElementById("decisions"), decisions(room).map((d) => decisionNode(room, d)), "No decisions recorded yet.");
  fill(
    document.getElementById("actions"),
    actions(room).map((a) => {
      const mine = myId() && a.owner_participant_id === myId();
      return actionNode(room, a, [
        mine ? el("p", { class: "mine" }, "This is your action.") : null,
        mine && !a.confirmed_at ? el("button", { type: "button", class: "primary", onclick: () => room.send("actions.confirm", { action_id: a.id }).catch(() => {}) }, "Confirm I will do this") : null,
      ]);
    }),
    "No actions recorded yet.",
  );
  fill(
    document.getElementById("disagreements"),
    disagreements(room).map((g) => {
      const mine = g.positions.find((p) => p.participant_id === myId());
      return disagreementNode(room, g, {
        positionExtra: (p) =>
          p.participant_id === myId() && myId()
            ? [
                el("button", { type: "button", onclick: () => { openForms.add(`edit:${p.id}`); drawRecord(true); } }, "Correct my position"),
                openForms.has(`edit:${p.id}`) ? positionEditor(g, p) : null,
              ]
            : [],
        extra:
          !mine && myId() && !g.resolved
            ? [
                openForms.has(`add:${g.id}`)
                  ? positionEditor(g, null)
                  : el("button", { type: "button", onclick: () => { openForms.add(`add:${g.id}`); drawRecord(true); } }, "Add my position"),
              ]
            : [],
      });
    }),
    "No disagreements recorded.",
  );
}

document.querySelector(".record").addEventListener("focusout", () => setTimeout(() => recordDirty && drawRecord(), 0));

draw();
tick(() => {
  const now = room.now();
  renderHeader(room, now);
  renderNow(room, now);
  drawAgenda(now);
});
