// The evidence pack on a participant's page ("Before the meeting"): what the chair asked this person for
// (advice or a report, or the child's views), by when and where it stands; they answer in writing or by
// uploading a document (PDF, Word, PNG or JPEG: a drawing or a photo for a child's views). Once the chair
// circulates the pack, everyone invited reads it here. Also the helpers the chair's panel shares: reading
// the pack, uploading, a document's download link. Read from the JSON API with the page's own link, again
// whenever an event says the pack changed; a redraw waits while a form is being filled in.
import { el, errorText, redraw } from "./room-core.js";

export const KIND_NAMES = { pdf: "PDF", docx: "Word", png: "PNG image", jpeg: "JPEG image" };

export function size(bytes) {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export function day(iso) {
  return iso ? new Date(`${iso}T12:00:00`).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" }) : "";
}

// A link that downloads a document (an attachment, with the page's own link: the server checks who asks).
export function documentLink(room, d) {
  return el(
    "a",
    { href: `/documents/${room.token}/${d.id}`, class: "document-link", download: "", dataset: { documentId: d.id } },
    el("bdi", {}, d.name),
    ` (${KIND_NAMES[d.kind] || d.kind}, ${size(d.size)})`,
    d.confidential ? el("span", { class: "flag confidential" }, " confidential") : null,
  );
}

// The pack as this link may read it; null when it cannot be read just now.
export async function loadPack(room) {
  const r = await fetch(`/api/v1/meetings/${room.meeting.id}/evidence`, { headers: { Authorization: `Bearer ${room.token}` }, cache: "no-store" });
  if (!r.ok) throw new Error(String(r.status));
  return r.json();
}

// Uploads one file (and its fields) to the pack; a refusal comes back as an Error with the server's message.
export async function uploadFile(room, file, fields = {}) {
  const body = new FormData();
  body.append("file", file, file.name);
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== undefined) body.append(k, String(v));
  const r = await fetch(`/api/v1/meetings/${room.meeting.id}/documents`, { method: "POST", body, headers: { Authorization: `Bearer ${room.token}` } });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) {
    const err = new Error((answer.error && answer.error.message) || `The upload was refused (${r.status}).`);
    err.fields = (answer.error && answer.error.fields) || {};
    throw err;
  }
  return answer;
}

// Reads the pack again when an event says it changed (and after a fresh snapshot); `load` is debounced.
export function watchPack(room, load) {
  let timer = null;
  const soon = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 120);
  };
  room.onEvent((event) => event && event.data && event.data.evidence_changed && soon());
  room.onSnapshot(soon);
  soon();
}

// Holds a redraw while someone is in a field of `section` or has chosen a file; `draw` runs once they leave.
export function holder(section, draw) {
  let held = false;
  section.addEventListener("focusout", () => window.setTimeout(() => held && draw(), 0));
  return () => {
    const active = document.activeElement;
    const typing = section.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
    const chosen = [...section.querySelectorAll('input[type="file"]')].some((i) => i.files && i.files.length);
    held = typing || chosen;
    return held;
  };
}

export function beforeMeeting(room) {
  const section = document.getElementById("before-meeting");
  if (!section || room.viewer.role !== "participant") return;
  const body = section.querySelector(".evidence-body");
  const status = section.querySelector(".evidence-status");
  const errors = {};
  let data = null;
  const busy = holder(section, () => draw());

  function fieldError(key) {
    return el("p", { class: "command-error", id: `ev-err-${key}`, role: "alert", "data-key": `err-${key}` }, errors[key] || "");
  }

  function answerForm(r) {
    const key = `answer-${r.id}`;
    const gathered =
      r.kind === "child_views"
        ? el(
            "label",
            {},
            "How the views were gathered ",
            el("select", { name: "how_gathered" }, el("option", { value: "" }, "choose"), ...Object.entries(data.gathered).map(([k, label]) => el("option", { value: k, selected: r.how_gathered === k }, label))),
          )
        : null;
    return el(
      "form",
      {
        class: "evidence-form stack",
        "data-key": key,
        "aria-label": `Answer: ${r.what}`,
        onsubmit: (ev) => {
          ev.preventDefault();
          const f = ev.target.elements;
          const args = { request_id: r.id, answer: f.answer.value };
          if (f.how_gathered && f.how_gathered.value) args.how_gathered = f.how_gathered.value;
          delete errors[key];
          room
            .send("evidence.answer", args, { errorNode: null })
            .then(() => {
              status.textContent = "Your answer was sent to the chair.";
              return load();
            })
            .catch((err) => {
              errors[key] = errorText(err);
              draw(true);
            });
        },
      },
      el("label", {}, r.kind === "child_views" ? "Their views, in their own words" : "Your advice", el("textarea", { name: "answer", rows: 4, maxlength: 20000, required: true, dir: "auto", "aria-describedby": `ev-err-${key}` }, r.answer || "")),
      gathered,
      el("button", { type: "submit", "data-cmd": "evidence.answer" }, r.answer ? "Send again" : "Send your answer"),
      fieldError(key),
    );
  }

  function uploadForm(r) {
    const key = `upload-${r.id}`;
    return el(
      "form",
      {
        class: "evidence-form upload-form",
        "data-key": key,
        "aria-label": `Upload a document for: ${r.what}`,
        onsubmit: (ev) => {
          ev.preventDefault();
          const f = ev.target.elements;
          if (!f.file.files.length) return;
          delete errors[key];
          status.textContent = "Uploading…";
          uploadFile(room, f.file.files[0], { request_id: r.id, confidential: f.confidential.checked ? "true" : "false" })
            .then((answer) => {
              ev.target.reset();
              status.textContent = `${answer.document.name} was uploaded.`;
              return load();
            })
            .catch((err) => {
              status.textContent = "";
              errors[key] = err.message;
              ev.target.reset();
              draw(true);
            });
        },
      },
      el(
        "label",
        {},
        r.kind === "child_views" ? "Or upload a drawing, photo or booklet " : "Or upload your report ",
        el("input", { type: "file", name: "file", required: true, accept: ".pdf,.docx,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg", "aria-describedby": `ev-err-${key} ev-limit` }),
      ),
      el("label", { class: "choice" }, el("input", { type: "checkbox", name: "confidential", value: "1" }), " Confidential (health or personal detail: the chair and note-takers only)"),
      el("button", { type: "submit" }, "Upload this file"),
      fieldError(key),
    );
  }

  function requestNode(r) {
    const mine = r.participant_id === room.viewer.participant_id;
    return el(
      "li",
      { class: `evidence-request state-${r.state}`, "data-key": `req-${r.id}`, dataset: { requestId: r.id } },
      el("p", { class: "entry-text" }, el("strong", {}, r.kind_label, ": "), el("bdi", {}, r.what)),
      el("p", { class: "entry-meta" }, mine ? `Due ${day(r.due_on)} · ${r.state_label}` : [el("bdi", {}, r.participant_name || ""), ` · ${r.state_label}`]),
      r.answer && !mine ? el("p", { class: "entry-detail", dir: "auto" }, r.answer) : null,
      r.how_gathered_label ? el("p", { class: "entry-detail" }, `Gathered: ${r.how_gathered_label}`) : null,
      r.documents.length ? el("ul", { class: "documents" }, r.documents.map((d) => el("li", { "data-key": `doc-${d.id}` }, documentLink(room, d)))) : null,
      mine ? [answerForm(r), uploadForm(r)] : null,
    );
  }

  function draw(force = false) {
    if (!data || (!force && busy())) return;
    const mine = data.requests.filter((r) => r.participant_id === room.viewer.participant_id);
    const others = data.requests.filter((r) => r.participant_id !== room.viewer.participant_id);
    section.hidden = !mine.length && !data.circulation;
    const parts = [];
    if (mine.length) {
      parts.push(el("h3", { "data-key": "h-mine" }, "What you were asked for"));
      parts.push(el("p", { class: "hint", id: "ev-limit", "data-key": "limit" }, `PDF, Word (DOCX), PNG or JPEG, up to ${size(data.max_bytes)}.`));
      parts.push(el("ul", { class: "entries evidence-requests", "data-key": "l-mine" }, mine.map(requestNode)));
    }
    if (data.circulation) {
      parts.push(el("h3", { "data-key": "h-pack" }, "The papers for the meeting"));
      parts.push(el("p", { class: "hint", "data-key": "circ" }, data.circulation.text));
      parts.push(el("ul", { class: "entries evidence-requests", "data-key": "l-others" }, others.filter((r) => r.answer || r.documents.length).map(requestNode)));
      const loose = data.documents.filter((d) => d.request_id === null);
      if (loose.length) parts.push(el("ul", { class: "documents", "data-key": "l-loose" }, loose.map((d) => el("li", { "data-key": `doc-${d.id}` }, documentLink(room, d)))));
    }
    redraw(body, parts);
  }

  async function load() {
    try {
      data = await loadPack(room);
      draw();
    } catch (e) {
      status.textContent = data ? "The papers could not be read again just now." : "";
    }
  }

  watchPack(room, load);
}
