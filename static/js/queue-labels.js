// Words shared by the two sides of the speaking queue (participant-queue.js, chair-queue.js); the
// rules are in facilitation/domain/speaking.py.
export const KIND_LABELS = { hand: "Raised hand", question: "Question", comment: "Comment", break: "Break requested" };
export const STATUS_LABELS = { waiting: "Waiting", answered: "Answered", withdrawn: "Withdrawn" };
export const TEXT_MAX = 1000;

// A participant's requests and the queue, oldest first.
export function requests(room, filter = () => true) {
  return [...(room.speaking_requests?.values() || [])].filter(filter).sort((a, b) => a.id - b.id);
}
