// Chair console: prepare the agenda and people, run the clock, capture the record, see the room's state.
// This module wires the console's parts to one live room; each part draws its own panel.
import { agendaPanel } from "./chair-agenda.js";
import { clockControls } from "./chair-clock.js";
import { cockpit } from "./chair-cockpit.js";
import { detailsForm } from "./chair-details.js";
import { invitationsPanel } from "./chair-invitations.js";
import { evidencePanel } from "./chair-evidence.js";
import { outcomesPanel } from "./chair-outcomes.js";
import { peoplePanel } from "./chair-people.js";
import { queuePanel } from "./chair-queue.js";
import { recordPanel } from "./chair-record.js";
import { timelinePanel } from "./chair-timeline.js";
import { watchMinutes } from "./minutes.js";
import { watchPreviousActions } from "./record.js";
import { Room, bootstrap, renderHeader, renderNow, showConnection, tick } from "./room-core.js";

const boot = bootstrap();
const room = new Room(boot, () => draw());
showConnection(room);
watchMinutes(room, boot.token); // where the minutes stand, kept live
watchPreviousActions(room, boot.previous_actions); // earlier actions under review, if any
timelinePanel(room); // the statutory dates before and after the meeting, read again when its date changes
evidencePanel(room); // the evidence pack: requests, answers, documents, circulation

const drawCockpit = cockpit(room);
const drawControls = clockControls(room);
const agenda = agendaPanel(room);
let invitationControls = () => null;
const drawPeople = peoplePanel(room, boot, (p) => invitationControls(p));
invitationControls = invitationsPanel(room, boot, () => drawPeople()).controls; // invitations by e-mail, replies, who must be there
const drawDetails = detailsForm(room);
const drawRecord = recordPanel(room, boot.routes);
const drawQueue = queuePanel(room);
const drawOutcomes = outcomesPanel(room, boot.plan);

function draw() {
  const now = room.now();
  renderHeader(room, now);
  renderNow(room, now);
  drawCockpit();
  drawControls();
  agenda.draw();
  drawPeople();
  drawDetails(false);
  drawRecord();
  drawQueue();
  drawOutcomes();
}

draw();
tick(() => {
  const now = room.now();
  renderHeader(room, now);
  renderNow(room, now);
  agenda.refreshTimes();
  drawQueue(); // how long each has waited; the list itself is rebuilt only when it changed
});
