// A participant's own view, phone first: the live item and countdown kept in view, what is theirs
// (their actions, the disagreements they are part of), then the whole agenda with times, the record,
// who is here. Calm mode (calm.js) draws the time in words and the agenda as now / next / later.
import { breakButton, calmChoice, calmStepNodes, calmToggle, renderCalmNow } from "./calm.js";
import { beforeMeeting } from "./evidence.js";
import { watchMinutes } from "./minutes.js";
import { actionNode, actions, decisionNode, decisions, disagreementNode, disagreements, fill, outcomeNode, outcomes, watchPreviousActions } from "./record.js";
import { speakPanel } from "./participant-queue.js";
import { Room, STATUS_LABELS, bootstrap, el, itemTimes, renderHeader, renderNow, renderParticipants, showConnection, tick } from "./room-core.js";

const boot = bootstrap();
const room = new Room(boot, () => draw());
showConnection(room);
watchMinutes(room, room.token); // where the minutes stand, kept live
watchPreviousActions(room, boot.previous_actions); // earlier actions under review, if any
const drawSpeak = speakPanel(room); // raise a hand, write to the chair
beforeMeeting(room); // what this person was asked for before the meeting, and the circulated papers

// A young person's own link opens calm: the switch back is one tap and is remembered, while a running
// countdown that turns colour can unsettle a child at the table. Anyone else chooses it.
const myRole = () => room.participants.get(room.viewer.participant_id)?.role;
let calm = calmChoice(room, "participant", myRole() === "child");
breakButton(room, document.getElementById("break-button"), document.getElementById("break-status"));

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

// The parts of the page that change with the time: redrawn on every event and a few times a second.
function drawTime(now) {
  renderHeader(room, now);
  if (calm) {
    renderCalmNow(room, now);
    drawCalmSteps();
  } else {
    renderNow(room, now);
    drawAgenda(now);
  }
}

let stepsKey = "";
function drawCalmSteps() {
  const key = `${room.seq}`;
  if (key === stepsKey) return;
  stepsKey = key;
  document.getElementById("calm-steps").replaceChildren(...calmStepNodes(room));
}

function draw() {
  const now = room.now();
  drawTime(now);
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

const isMine = (a) => Boolean(myId()) && a.owner_participant_id === myId();
const partOf = (g) => Boolean(myId()) && g.positions.some((p) => p.participant_id === myId());
// In the full record, an entry that is this person's points up to "For you", where they act on it.
const seeAbove = (what) => el("p", { class: "mine" }, `This is ${what}: `, el("a", { href: "#mine" }, "see “For you” above"), ".");

function myActionNode(a) {
  return actionNode(room, a, [
    !a.confirmed_at ? el("button", { type: "button", class: "primary", onclick: () => room.send("actions.confirm", { action_id: a.id }).catch(() => {}) }, "Confirm I will do this") : null,
  ]);
}

function myDisagreementNode(g) {
  return disagreementNode(room, g, {
    positionExtra: (p) =>
      p.participant_id === myId()
        ? [
            el("button", { type: "button", onclick: () => { openForms.add(`edit:${p.id}`); drawRecord(true); } }, "Correct my position"),
            openForms.has(`edit:${p.id}`) ? positionEditor(g, p) : null,
          ]
        : [],
  });
}

function otherDisagreementNode(g) {
  return disagreementNode(room, g, {
    extra:
      myId() && !g.resolved
        ? [
            openForms.has(`add:${g.id}`)
              ? positionEditor(g, null)
              : el("button", { type: "button", onclick: () => { openForms.add(`add:${g.id}`); drawRecord(true); } }, "Add my position"),
          ]
        : [],
  });
}

const recordSections = () => [document.querySelector(".record"), document.getElementById("mine")];

function drawRecord(force = false) {
  const focus = document.activeElement;
  if (!force && focus !== document.body && recordSections().some((s) => s.contains(focus))) {
    recordDirty = true;
    return;
  }
  recordDirty = false;
  const as = actions(room);
  const gs = disagreements(room);
  const myActions = as.filter(isMine);
  const myDisagreements = gs.filter(partOf);
  document.getElementById("mine").hidden = !myActions.length && !myDisagreements.length;
  fill(document.getElementById("my-actions"), myActions.map(myActionNode), "No actions for you so far.");
  fill(document.getElementById("my-disagreements"), myDisagreements.map(myDisagreementNode), "You are not part of a disagreement.");
  fill(document.getElementById("decisions"), decisions(room).map((d) => decisionNode(room, d)), "No decisions recorded yet.");
  const outcomeList = document.getElementById("outcomes");
  if (outcomeList) fill(outcomeList, outcomes(room).map(outcomeNode), "No outcomes entered yet.");
  fill(document.getElementById("actions"), as.map((a) => actionNode(room, a, isMine(a) ? [seeAbove("your action")] : [])), "No actions recorded yet.");
  fill(
    document.getElementById("disagreements"),
    gs.map((g) => (partOf(g) ? disagreementNode(room, g, { extra: [seeAbove("a disagreement you are part of")] }) : otherDisagreementNode(g))),
    "No disagreements recorded.",
  );
}

for (const section of recordSections()) section.addEventListener("focusout", () => setTimeout(() => recordDirty && drawRecord(), 0));

// Calm or not: the same page, its clock and agenda drawn one way or the other.
calmToggle(room, "participant", document.getElementById("calm-toggle"), calm, (on) => {
  calm = on;
  stepsKey = "";
  for (const id of ["calm-agenda", "calm-progress", "calm-break"]) document.getElementById(id).hidden = !on;
  draw();
});

draw();
tick(() => drawTime(room.now()));
