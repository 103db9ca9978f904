// Minutes: the page where the chair previews, circulates and approves the minutes and each participant
// confirms them or asks for a correction; plus a small hook that shows the minutes' state in the room.
//
// The server builds and renders the minutes; this module only draws the circulation state (with
// textContent, so typed text stays text), sends the minutes commands through the live room connection
// (with ids, so a retry is never applied twice) and refreshes when any event arrives.
import { Room, bdi, bootstrap, el, errorText, redraw, showConnection } from "./room-core.js";
import { day } from "./record.js";

function when(iso) {
  if (!iso) return "";
  const d = new Date(Date.parse(iso));
  return `${d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" })} at ${d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}`;
}

// ---------------------------------------------------------------- hook for the room pages

// Show where the minutes stand in the chair console or a participant's page, kept live by the room's events:
// asked for once when the page opens, then again only when a minutes event arrives (live, or replayed
// after a reconnect) or the room had to take a fresh snapshot.
export function watchMinutes(room, token) {
  const note = document.getElementById("minutes-note");
  if (!note) return;
  const show = (state) => {
    const c = state && state.current;
    const mine = state && state.answers.find((a) => a.participant_id === state.viewer.participant_id);
    let text;
    if (!c || c.status === "draft") text = room.viewer.role === "chair" ? "Preview the minutes as they stand at any time." : "The chair will send you the draft minutes to check after the meeting.";
    else if (c.status === "circulated") {
      if (room.viewer.role === "chair") text = `Version ${c.number} circulated: ${state.tally.confirmed.length} of ${state.answers.length} confirmed.`;
      else text = mine && mine.current ? `Draft minutes: you answered “${mine.response_label}”.` : "Draft minutes are ready for you to check.";
    } else text = `Version ${c.number} approved on ${when(c.approved_at)}.`;
    note.textContent = text;
    note.dataset.status = c ? c.status : "none";
  };
  const refresh = () =>
    fetch(`/minutes/${encodeURIComponent(token)}/state.json`, { cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then(show)
      .catch(() => {});
  let queued = false;
  const soon = () => {
    if (queued) return;
    queued = true; // several events replayed at once: one request
    window.setTimeout(() => {
      queued = false;
      refresh();
    }, 0);
  };
  room.onEvent((event) => String(event.type).startsWith("minutes.") && soon());
  room.onSnapshot(soon);
  refresh();
}

// ---------------------------------------------------------------- the minutes page

function initPage() {
  const boot = bootstrap();
  const token = boot.token;
  const role = boot.snapshot.viewer.role;
  const which = boot.which;
  let state = boot.state;
  let owners = boot.owners || [];
  let timer = null;
  const openForms = new Set();
  let circulationDirty = false;

  // The page was drawn from the server's current state: refresh only when something happens after it
  // (an event, live or replayed after a reconnect, or a fresh snapshot), not on merely connecting.
  const room = new Room(boot, () => {});
  room.onEvent(() => scheduleRefresh());
  room.onSnapshot(() => scheduleRefresh());
  showConnection(room);

  const query = which === null || which === undefined ? "" : `?version=${encodeURIComponent(which)}`;
  const base = `/minutes/${encodeURIComponent(token)}`;

  function send(name, args = {}) {
    return room.send(name, args).then((ack) => {
      scheduleRefresh(0);
      return ack;
    });
  }

  function scheduleRefresh(delay = 250) {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, delay);
  }

  async function refresh() {
    try {
      const [s, html] = await Promise.all([
        fetch(`${base}/state.json${query}`, { cache: "no-store" }).then((r) => (r.ok ? r.json() : Promise.reject(r))),
        fetch(`${base}/preview${query}`, { cache: "no-store" }).then((r) => (r.ok ? r.text() : Promise.reject(r))),
      ]);
      state = s;
      owners = s.owners || owners;
      // The fragment is rendered by the server with every piece of typed text escaped.
      const preview = document.getElementById("preview");
      const parsed = new DOMParser().parseFromString(html, "text/html");
      preview.replaceChildren(...parsed.body.childNodes);
      draw();
    } catch (e) {
      // Offline or the link was withdrawn: the connection banner says so; keep what is shown.
    }
  }

  // -------------------------------------------------------------- drawing

  function statusPill() {
    const pill = document.getElementById("minutes-status");
    const c = state.current;
    const status = c ? c.status : "draft";
    pill.dataset.status = status;
    pill.textContent = c ? `Version ${c.number}: ${c.status_label}` : "Draft, not circulated";
  }

  function answersList() {
    return el(
      "ul",
      { class: "answers", id: "answers" },
      ...state.answers.map((a) =>
        el(
          "li",
          { dataset: { participantId: a.participant_id, response: a.current ? a.response || "none" : a.response ? "earlier" : "none" } },
          el("span", { class: "who" }, bdi(a.name), el("span", { class: "hint" }, ` ${a.role_label}, `, bdi(a.agency_label))),
          el(
            "span",
            { class: "answer" },
            a.response ? (a.current ? `${a.response_label} (${when(a.responded_at)})` : `${a.response_label} on an earlier draft: not yet answered for this one`) : "No answer yet",
          ),
          a.comment ? el("p", { class: "comment" }, a.comment) : null,
        ),
      ),
    );
  }

  function chairPanel() {
    const c = state.current;
    const ended = state.meeting_status === "ended";
    const parts = [];
    if (!c || c.status === "draft") {
      if (c && c.number > 1) parts.push(el("p", { class: "state-note" }, `Amendment: version ${c.number} in preparation. `, el("strong", {}, "Why: "), c.amendment_note || ""));
      parts.push(
        el(
          "p",
          { class: "state-note" },
          ended ? "Ready to circulate. The preview follows the record as it changes." : "Live draft: the preview follows the record as it changes. Circulate it once the meeting has ended.",
        ),
      );
      parts.push(
        el(
          "div",
          { class: "actions-row" },
          el("button", { type: "button", class: "primary", id: "circulate", disabled: !ended, onclick: () => send("minutes.circulate").catch(() => {}) }, "Circulate to participants"),
        ),
      );
    } else if (c.status === "circulated") {
      const t = state.tally;
      parts.push(el("p", { class: "state-note" }, `Version ${c.number} circulated on ${when(c.circulated_at)}${c.revision > 1 ? ` (round ${c.revision})` : ""}.`));
      parts.push(el("p", { class: "tally", id: "tally" }, `${t.confirmed.length} of ${state.answers.length} confirmed · ${t.corrections.length} asked for a correction · ${t.waiting.length + t.earlier_draft.length} still to answer`));
      parts.push(answersList());
      parts.push(sectionTally());
      if (state.live_differs_from_circulated) {
        parts.push(el("p", { class: "state-note", dataset: { kind: "warn" }, id: "changed-note" }, "You have changed the record since this draft went out. Circulate it again so everyone checks the corrected draft, or approve it as it stands now."));
      } else if (t.corrections.length) {
        parts.push(el("p", { class: "hint" }, "Make the corrections in the record or in “For the minutes”, then circulate the corrected draft."));
      }
      parts.push(
        el(
          "div",
          { class: "actions-row" },
          el("button", { type: "button", id: "recirculate", onclick: () => send("minutes.circulate").catch(() => {}) }, "Circulate the corrected draft"),
          el(
            "button",
            {
              type: "button",
              class: "primary",
              id: "approve",
              onclick: () => {
                const warn = t.everyone_confirmed ? "" : ` Not everyone has confirmed (${t.confirmed.length} of ${state.answers.length}).`;
                if (window.confirm(`Approve version ${c.number}? It will be locked; later changes need an amendment.${warn}`)) send("minutes.approve", { number: c.number }).catch(() => {});
              },
            },
            `Approve version ${c.number}`,
          ),
        ),
      );
    } else {
      parts.push(el("p", { class: "state-note", id: "approved-note" }, `Version ${c.number} approved on ${when(c.approved_at)}${c.approved_by ? ` by ${c.approved_by}` : ""}. It is locked.`));
      parts.push(answersList());
      const form = el(
        "form",
        { class: "stack", id: "amend-form" },
        el("label", {}, "To change approved minutes, start an amendment. Say what changes and why ", el("textarea", { name: "note", rows: 3, maxlength: 4000, required: true })),
        el("button", { type: "submit" }, `Start amendment (version ${c.number + 1})`),
      );
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        send("minutes.amend", { number: c.number, note: form.elements.note.value }).then(() => form.reset(), () => {});
      });
      parts.push(form);
    }
    return parts;
  }

  function participantPanel() {
    const c = state.current;
    const me = state.answers.find((a) => a.participant_id === state.viewer.participant_id);
    const parts = [];
    if (!c || c.status === "draft") {
      parts.push(el("p", { class: "state-note", id: "not-circulated" }, "The chair has not circulated the minutes yet. Below is the draft as the record stands now."));
      return parts;
    }
    if (c.status === "approved") {
      parts.push(el("p", { class: "state-note", id: "approved-note" }, `Version ${c.number} was approved on ${when(c.approved_at)}. These minutes are final; if something is wrong, tell the chair, who can amend them.`));
      return parts;
    }
    parts.push(el("p", { class: "state-note" }, `The chair circulated version ${c.number} on ${when(c.circulated_at)}. Please read it and say whether it is an accurate record.`));
    if (me && me.current) {
      parts.push(el("p", { class: "my-answer", id: "my-answer", dataset: { response: me.response } }, me.response === "confirmed" ? `You confirmed this draft (${when(me.responded_at)}).` : "You asked for a correction:", me.comment ? el("span", { class: "comment" }, ` ${me.comment}`) : null));
    } else if (me && me.response) {
      parts.push(el("p", { class: "hint" }, "The chair has changed the draft since you answered. Please check it again."));
    }
    parts.push(
      el(
        "div",
        { class: "actions-row" },
        el("button", { type: "button", class: "primary", id: "confirm", onclick: () => send("minutes.confirm", { number: c.number, revision: c.revision }).catch(() => {}) }, "Confirm these minutes are accurate"),
      ),
    );
    const form = el(
      "form",
      { class: "stack", id: "correction-form" },
      el("label", {}, "Or ask for a correction: what is wrong, and what should it say? ", el("textarea", { name: "comment", rows: 4, maxlength: 4000, required: true })),
      el("button", { type: "submit" }, "Request a correction"),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      send("minutes.request_correction", { number: c.number, revision: c.revision, comment: form.elements.comment.value }).then(() => form.reset(), () => {});
    });
    parts.push(form);
    parts.push(sectionSignOff(c));
    return parts;
  }

  // Section by section: agree, or disagree in your own words (a disagreement becomes a difference of
  // opinion in the record, not a correction: the minutes say what happened, you disagree with it).
  function sectionSignOff(c) {
    const mine = new Map(state.section_answers.map((a) => [a.section, a]));
    const rows = state.sections.map((s) => {
      const answer = mine.get(s.key);
      const form = el(
        "form",
        { class: "dissent-form" },
        el("label", {}, `What do you disagree with in “${s.label}”? `, el("textarea", { name: "comment", rows: 2, maxlength: 4000, required: true })),
        el("button", { type: "submit" }, "Record my disagreement"),
      );
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        send("minutes.answer_section", { number: c.number, revision: c.revision, section: s.key, answer: "dissent", comment: form.elements.comment.value }).then(
          () => form.reset(),
          () => {},
        );
      });
      return el(
        "li",
        { dataset: { section: s.key, answer: answer ? answer.answer : "" } },
        el("strong", {}, s.label),
        el("span", { class: "section-answer" }, answer ? (answer.answer === "agree" ? " You agree." : [" You disagree: ", el("span", { class: "comment" }, answer.comment)]) : " Not answered yet."),
        el("div", { class: "actions-row" },
          el("button", { type: "button", class: "agree", onclick: () => send("minutes.answer_section", { number: c.number, revision: c.revision, section: s.key, answer: "agree" }).catch(() => {}) }, "I agree"),
        ),
        form,
      );
    });
    return el(
      "details",
      { id: "section-sign-off", open: state.section_answers.length > 0 },
      el("summary", {}, "Or answer section by section: agree, or say what you disagree with"),
      el("ul", { class: "sections" }, ...rows),
    );
  }

  // The chair's view of the section answers: who agrees with each section and who disagrees.
  function sectionTally() {
    if (!state.sections.length) return null;
    const name = (id) => (state.answers.find((a) => a.participant_id === id) || { name: "someone no longer listed" }).name;
    const rows = state.sections.map((s) => {
      const answers = state.section_answers.filter((a) => a.section === s.key);
      const agreed = answers.filter((a) => a.answer === "agree").map((a) => name(a.participant_id));
      const dissent = answers.filter((a) => a.answer === "dissent");
      return el(
        "tr",
        { dataset: { section: s.key } },
        el("th", { scope: "row" }, s.label),
        el("td", {}, agreed.join(", ") || "–"),
        el("td", {}, dissent.length ? dissent.map((a, i) => [i ? "; " : "", bdi(name(a.participant_id)), ": ", bdi(a.comment)]) : "–"),
      );
    });
    return el(
      "table",
      { id: "section-tally" },
      el("caption", {}, "Section by section (a disagreement is recorded as a difference of opinion)"),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Section"), el("th", { scope: "col" }, "Agree"), el("th", { scope: "col" }, "Disagree"))),
      el("tbody", {}, ...rows),
    );
  }

  function drawCirculation() {
    const body = document.getElementById("circulation-body");
    // Never throw away a half-written comment or note: while one is being written, redraw later.
    const writing = [...body.querySelectorAll("textarea")].some((t) => t.value.trim()) || (body.contains(document.activeElement) && document.activeElement.matches("textarea, input"));
    if (writing) {
      circulationDirty = true;
      return;
    }
    circulationDirty = false;
    const parts = role === "chair" ? chairPanel() : role === "participant" ? participantPanel() : [el("p", { class: "state-note" }, state.current ? `Version ${state.current.number}: ${state.current.status_label}.` : "Draft minutes.")];
    body.replaceChildren(...parts.filter(Boolean));
  }

  function drawDetails() {
    const form = document.getElementById("details-form");
    if (!form || form.contains(document.activeElement) || openForms.has("details")) return;
    const d = state.details;
    form.elements.child_views.value = d.child_views || "";
    form.elements.family_views.value = d.family_views || "";
    form.elements.easy_read.value = d.easy_read || "";
    form.elements.next_review_date.value = d.next_review_date || "";
    if (form.elements.recommendation) form.elements.recommendation.value = d.recommendation || "";
    const locked = state.current && state.current.status === "approved";
    for (const field of form.elements) field.disabled = locked;
  }

  function drawGaps() {
    const list = document.getElementById("gaps");
    if (!list) return;
    const gaps = state.completeness || [];
    list.replaceChildren(...(gaps.length ? gaps.map((g) => el("li", {}, g)) : [el("li", { class: "empty" }, "Nothing missing.")]));
  }

  // The family summary's reading ease and the words to explain or replace, before circulating (and the
  // easy-read version's, when written). In words and a list: never by colour alone.
  function drawPlainWords() {
    const box = document.getElementById("plain-words");
    if (!box || !state.plain_words) return;
    const part = (title, check) => {
      if (!check) return [];
      const words = check.jargon.map((j) =>
        el("li", { dataset: { term: j.term } }, el("strong", {}, j.term), j.count > 1 ? ` (${j.count} times)` : "", `: ${j.plain}`, el("span", { class: "hint" }, ` e.g. “${j.example}”`)),
      );
      const long = check.long_sentences.map((s) => el("li", {}, s));
      return [
        el("p", { class: "plain-score", dataset: { plain: check.plain_enough ? "yes" : "no" } }, el("strong", {}, `${title}: `), check.summary),
        words.length ? el("p", {}, "Words to explain or replace:") : el("p", {}, "No professional words or unexplained abbreviations found."),
        words.length ? el("ul", { class: "plain-words" }, ...words) : null,
        long.length ? el("p", {}, `Sentences over 25 words (${long.length}):`) : null,
        long.length ? el("ul", { class: "long-sentences" }, ...long) : null,
      ];
    };
    redraw(box, [...part("The summary", state.plain_words.summary), ...part("The easy-read version", state.plain_words.easy_read)]);
  }

  function drawDownloads() {
    const label = which === "live" ? "the live draft" : which ? `version ${which}` : state.current ? `version ${state.current.number} (${state.current.status_label.toLowerCase()})` : "the draft";
    document.getElementById("downloads-which").textContent = `Downloads of ${label}. Every download is logged.`;
    document.getElementById("exports").replaceChildren(
      ...Object.entries(boot.formats).map(([fmt, name]) =>
        el("li", {}, el("a", { href: `${base}/export/${fmt}${query}`, dataset: { format: fmt }, ...(fmt === "html" || fmt === "summary" || fmt.endsWith(".html") ? { target: "_blank", rel: "noopener noreferrer" } : {}) }, name)),
      ),
    );
    const sep = query ? "&" : "?";
    document.getElementById("owner-calendars").replaceChildren(
      ...(owners.length
        ? owners.map((o) => el("li", {}, el("a", { href: `${base}/export/ics${query}${sep}owner=${encodeURIComponent(o.key)}`, dataset: { owner: o.key } }, bdi(o.name), " (", bdi(o.agency), ")")))
        : [el("li", { class: "hint" }, "No actions or next steps yet.")]),
    );
  }

  function drawVersions() {
    const list = document.getElementById("versions");
    const items = state.versions.map((v) =>
      el(
        "li",
        { dataset: { number: v.number } },
        el("a", { href: `${base}?version=${v.number}`, "aria-current": String(which) === String(v.number) ? "page" : null }, `Version ${v.number}`),
        `: ${v.status_label}`,
        v.approved_at ? ` ${day(v.approved_at.slice(0, 10))}` : "",
        v.amendment_note ? el("span", { class: "hint" }, ` · ${v.amendment_note}`) : null,
      ),
    );
    items.push(el("li", { class: "live" }, el("a", { href: `${base}?version=live`, "aria-current": which === "live" ? "page" : null }, "Live draft"), ": the record as it stands now"));
    list.replaceChildren(...items);
  }

  // Each statutory report's deadline and who it was sent to on which date (late ones said in words).
  function drawReportsSent() {
    const box = document.getElementById("reports-sent");
    if (!box) return;
    box.replaceChildren(
      ...(state.reports || []).map((r) =>
        el(
          "div",
          { class: "report-sent", dataset: { report: r.report } },
          el("p", {}, el("strong", {}, r.label), r.due ? ` · due by ${day(r.due)} (rule ${r.rule_id})` : ""),
          el(
            "ul",
            {},
            ...(r.sendings.length
              ? r.sendings.map((s) => el("li", {}, "Sent to ", bdi(s.recipient), ` (${s.recipient_kind_label}) on ${day(s.sent_on)}`, s.late ? ": late, after the deadline" : ""))
              : [el("li", { class: "empty" }, "Not sent yet.")]),
          ),
        ),
      ),
    );
  }

  const sentForm = document.getElementById("report-sent-form");
  if (sentForm) {
    sentForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const f = sentForm.elements;
      const status = document.getElementById("report-sent-status");
      status.textContent = "Saving…";
      room
        .command("reports.record_sent", { report: f.report.value, recipient: f.recipient.value, recipient_kind: f.recipient_kind.value, sent_on: f.sent_on.value })
        .then(
          (ack) => {
            status.textContent = ack.recorded_step ? `Saved; ${ack.recorded_step} is recorded as done.` : "Saved.";
            sentForm.reset();
            scheduleRefresh(0);
          },
          (err) => (status.textContent = errorText(err)),
        );
    });
  }

  // A US IEP meeting: the procedural safeguards offered to the parent and the parent's consent.
  const safeguardsForm = document.getElementById("safeguards-form");
  if (safeguardsForm) {
    safeguardsForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const f = safeguardsForm.elements;
      const status = document.getElementById("safeguards-status");
      status.textContent = "Saving…";
      room
        .command("reports.record_safeguards", {
          version: room.meeting.version,
          offered_on: f.offered_on.value,
          how: f.how.value,
          consent: f.consent.value,
          consent_on: f.consent_on.value || null,
        })
        .then(
          () => {
            status.textContent = "Saved.";
            scheduleRefresh(0);
          },
          (err) => (status.textContent = errorText(err)),
        );
    });
  }

  function draw() {
    drawReportsSent();
    statusPill();
    drawCirculation();
    drawDetails();
    drawGaps();
    drawPlainWords();
    drawDownloads();
    drawVersions();
  }

  const details = document.getElementById("details-form");
  if (details) {
    details.addEventListener("input", () => openForms.add("details"));
    details.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const f = details.elements;
      const args = {
        version: state.details.version,
        child_views: f.child_views.value,
        family_views: f.family_views.value,
        easy_read: f.easy_read.value,
        next_review_date: f.next_review_date.value || null,
      };
      if (f.recommendation) args.recommendation = f.recommendation.value || null;
      send("minutes.update_details", args).then(
        () => openForms.delete("details"),
        () => {},
      );
    });
  }
  document.getElementById("circulation").addEventListener("focusout", () => window.setTimeout(() => circulationDirty && drawCirculation(), 0));
  draw();
}

if (document.getElementById("minutes-page")) initPage();
