// The speaking queue on the chair's console: raised hands, written questions and comments and break
// requests from participants' own pages, oldest first, each marked answered by the chair or a
// note-taker. A break request is shown above the rest; new requests are announced politely.
import { el, redraw } from "./room-core.js";
import { KIND_LABELS, STATUS_LABELS, requests } from "./queue-labels.js";

const ANNOUNCE = { hand: "raised a hand", question: "sent a question", comment: "sent a comment", break: "asks for a break" };

export function queuePanel(room) {
  const section = document.getElementById("speaking-queue");
  if (!section) return () => {};
  const heading = section.querySelector("#queue-heading") || section.appendChild(el("h2", { id: "queue-heading" }, "Speaking queue"));
  const countNode = el("span", { class: "queue-count" });
  heading.append(" ", countNode);
  const announcer = el("p", { class: "visually-hidden", id: "queue-announce", "aria-live": "polite" });
  const breaks = el("div", { class: "queue-breaks", id: "queue-breaks" });
  const waiting = el("ol", { class: "entries queue-list", id: "queue-waiting", "aria-label": "Waiting, oldest first" });
  const doneCount = el("span", {});
  const done = el("ol", { class: "entries queue-list", id: "queue-done" });
  const folded = el("details", { class: "queue-done" }, el("summary", {}, "Answered or withdrawn ", doneCount), done);
  const error = el("p", { class: "command-error", id: "queue-error", role: "alert" });
  section.append(announcer, breaks, waiting, error, folded);

  const name = (r) => room.participants.get(r.participant_id)?.name || "Someone no longer listed";
  const itemTitle = (r) => (r.item_id && room.items.get(r.item_id)?.title) || null;
  const answer = (r) => room.send("queue.answer", { request_id: r.id }, { errorNode: error }).catch(() => {});
  const since = (r) => {
    const minutes = Math.max(0, Math.floor((room.now() - Date.parse(r.created_at)) / 60000));
    return minutes < 1 ? "just now" : `waiting ${minutes} min`;
  };

  function row(r, { open }) {
    const who = name(r);
    return el(
      "li",
      { class: `queue-request kind-${r.kind}`, dataset: { key: `request-${r.id}`, requestId: r.id, kind: r.kind, status: r.status } },
      el("p", { class: "entry-meta" }, el("strong", { dir: "auto" }, who), " · ", KIND_LABELS[r.kind],
        itemTitle(r) ? [" · ", el("bdi", {}, itemTitle(r))] : r.item_id ? null : " · before the meeting",
        open ? [" · ", el("span", { class: "queue-since", dataset: { createdAt: r.created_at } }, since(r))] : [" · ", STATUS_LABELS[r.status]]),
      r.text ? el("p", { class: "entry-text", dir: "auto" }, r.text) : null,
      open ? el("button", { type: "button", class: r.kind === "break" ? "primary" : null, "aria-label": `Mark answered: ${who}, ${KIND_LABELS[r.kind].toLowerCase()}`, onclick: () => answer(r) }, "Mark answered") : null,
    );
  }

  let seen = null;
  let shown = "";
  return function draw() {
    const all = requests(room);
    const open = all.filter((r) => r.status === "waiting");
    const closed = all.filter((r) => r.status !== "waiting");
    // Who asked since the last draw: said once, politely (not for what was there when the page opened).
    const fresh = seen ? open.filter((r) => !seen.has(r.id)) : [];
    seen = new Set(all.map((r) => r.id));
    if (fresh.length) announcer.textContent = fresh.map((r) => `${name(r)} ${ANNOUNCE[r.kind]}.`).join(" ");

    countNode.textContent = `(${open.length} waiting)`;
    doneCount.textContent = `(${closed.length})`;
    const key = JSON.stringify([all.map((r) => [r.id, r.status]), room.participants.size, room.items.size]);
    if (key !== shown) {
      // Redrawn only when the queue changed, and in place (redraw keeps a focused "Mark answered").
      shown = key;
      const pauses = open.filter((r) => r.kind === "break");
      redraw(
        breaks,
        pauses.map((r) =>
          el("div", { class: "queue-break", dataset: { key: `break-${r.id}`, requestId: r.id } },
            el("p", {}, el("strong", {}, "Break requested"), " by ", el("bdi", {}, name(r)), "."),
            el("button", { type: "button", class: "primary", "aria-label": `Mark answered: break requested by ${name(r)}`, onclick: () => answer(r) }, "Mark answered")),
        ),
      );
      const rest = open.filter((r) => r.kind !== "break");
      redraw(waiting, rest.length ? rest.map((r) => row(r, { open: true })) : [el("li", { class: "empty" }, pauses.length ? "No one else is waiting." : "No one is waiting to speak.")]);
      redraw(done, [...closed].reverse().map((r) => row(r, { open: false })));
    } else {
      for (const node of waiting.querySelectorAll(".queue-since")) {
        const text = since({ created_at: node.dataset.createdAt });
        if (node.textContent !== text) node.textContent = text;
      }
    }
  };
}
