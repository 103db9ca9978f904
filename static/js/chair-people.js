// People and links on the chair console: who is in the meeting and their attendance (taken in one step
// each, or confirmed for someone who joined by their link), their language and need of an interpreter,
// adding and removing people, and each link with a new one in its place or withdrawing it.
import { button } from "./chair-forms.js";
import { formValues } from "./record.js";
import { el, hhmm, redraw } from "./room-core.js";

const LINK_LABELS = { chair: "Chair console", note_taker: "Note-taker", screen: "Shared screen", participant: "Join link", observer: "Observer link" };
const ATTENDANCE = { expected: "Expected", in_room: "In the room", remote: "Remote", apologies: "Apologies", absent: "Did not attend" };

// `extra(p)`: more under each person (their invitation, from chair-invitations.js), or null.
export function peoplePanel(room, boot, extra = () => null) {
  const links = boot.links || [];
  const send = (name, args) => room.send(name, args);
  const withUrl = (link, extra = {}) => ({ ...link, url: window.location.origin + link.path, ...extra });

  function draw() {
    const list = document.getElementById("participants");
    redraw(
      list,
      [...room.participants.values()].map((p) =>
        el(
          "li",
          { dataset: { key: `participant-${p.id}`, participantId: p.id } },
          el("span", { class: "name", dir: "auto" }, p.name),
          " ",
          el("span", { class: "role" }, `${p.role_label}, ${p.agency_label}`),
          " ",
          languageControls(p),
          " ",
          attendanceControls(p),
          extra(p),
          el(
            "button",
            {
              type: "button",
              class: "chair-only prepare-only",
              "aria-label": `Remove ${p.name}`,
              onclick: () => window.confirm(`Remove ${p.name}? Their link will stop working at once.`) &&
                send("participants.remove", { participant_id: p.id }).catch(() => {}),
            },
            "Remove",
          ),
        ),
      ),
    );
    const invite = (l) => l.role === "participant" || l.role === "observer";
    const live = links.filter((l) => !invite(l) || room.participants.has(l.participant_id));
    redraw(document.getElementById("links"), live.map(linkNode));
  }

  // One link in the chair's list: who it is for, the address to send, and (but for the chair's own)
  // a new link in its place or withdrawing it; either cuts off whoever has the old one at once.
  function linkNode(l) {
    const holder = l.participant_id ? room.participants.get(l.participant_id)?.name : l.name;
    const who = l.id === boot.link_id ? `${LINK_LABELS[l.role]} (you)` : holder ? `${LINK_LABELS[l.role]}: ${holder}` : LINK_LABELS[l.role];
    const replace = (result) => {
      const at = links.indexOf(l);
      if (result.link) links.splice(at, 1, withUrl(result.link, { name: l.name }));
      else links.splice(at, 1);
      draw();
    };
    return el(
      "li",
      { dataset: { key: `link-${l.id}`, role: l.role, participantId: l.participant_id, linkId: l.id } },
      el("span", { class: "who" }, who),
      el("input", { class: "link-url", readonly: true, value: l.url, "aria-label": who, onfocus: (e) => e.target.select() }),
      el("a", { href: l.url, target: "_blank", rel: "noopener noreferrer" }, "Open"),
      l.role === "participant" ? calmLinkButton(l.url, who) : null,
      l.expires_at ? el("span", { class: "expires" }, `works until ${new Date(Date.parse(l.expires_at)).toLocaleDateString("en-GB")}`) : null,
      l.id === boot.link_id
        ? null
        : el(
            "span",
            { class: "link-tools" },
            button("New link", `Replace the link of ${who}`, () => {
              if (window.confirm(`Replace this link? The old one stops working at once.`)) send("links.reissue", { link_id: l.id }).then(replace).catch(() => {});
            }),
            button("Withdraw", `Withdraw the link of ${who}`, () => {
              if (window.confirm(`Withdraw this link? Whoever has it is cut off at once.`)) send("links.revoke", { link_id: l.id }).then(() => replace({})).catch(() => {});
            }),
          ),
    );
  }

  // The language they speak and whether they need an interpreter: shown to everyone at the console,
  // edited by the chair (participants.update).
  function languageControls(p) {
    const update = (changes) => send("participants.update", { participant_id: p.id, version: p.version, ...changes }).catch(() => draw());
    return el(
      "span",
      { class: "language" },
      p.language || p.needs_interpreter
        ? el("span", { class: "language-label" }, [p.language ? el("bdi", {}, p.language) : null, p.language && p.needs_interpreter ? ", " : null, p.needs_interpreter ? "needs an interpreter" : null])
        : null,
      el(
        "span",
        { class: "chair-only prepare-only" },
        " ",
        el("input", {
          name: "language",
          value: p.language || "",
          maxlength: 60,
          size: 10,
          placeholder: "Language",
          "aria-label": `Language of ${p.name}`,
          onchange: (e) => update({ language: e.target.value.trim() || null }),
        }),
        el(
          "label",
          { class: "choice" },
          el("input", { type: "checkbox", checked: p.needs_interpreter, "aria-label": `${p.name} needs an interpreter`, onchange: (e) => update({ needs_interpreter: e.target.checked }) }),
          " needs an interpreter",
        ),
      ),
    );
  }

  // The same link opened in calm mode (calm.js), for a young person or anyone who wants a quieter page.
  // "Copied" is said in the list's status line: the button itself is redrawn with every change in the room.
  function calmLinkButton(url, who) {
    const calmUrl = `${url}?calm=1`;
    const status = document.getElementById("links-status");
    const node = button("Copy calm link", `Copy the calm link of ${who}`, () =>
      (navigator.clipboard ? navigator.clipboard.writeText(calmUrl) : Promise.reject(new Error("no clipboard"))).then(
        () => { status.textContent = `Calm link of ${who} copied.`; },
        () => { status.textContent = ""; window.prompt("Copy this calm link:", calmUrl); },
      ),
    );
    node.dataset.calmUrl = calmUrl;
    return node;
  }

  function attendanceControls(p) {
    const setAttendance = (changes) =>
      send("attendance.set", { participant_id: p.id, attendance: p.attendance, arrived_late: p.arrived_late, left_early: p.left_early, ...changes }).catch(() => {});
    const present = p.attendance === "in_room" || p.attendance === "remote";
    const joiner = p.attendance === "remote" && !p.attendance_confirmed && p.joined_at;
    // One step each: "In room" and "Remote" record (and confirm) it; each name starts with its visible label.
    const oneStep = (value, label) =>
      el(
        "button",
        {
          type: "button",
          class: "attendance-step",
          "aria-label": `${label}: ${p.name}`,
          "aria-pressed": String(p.attendance === value && !!p.attendance_confirmed),
          onclick: () => setAttendance({ attendance: value, ...(present ? {} : { arrived_late: false, left_early: false }) }),
        },
        label,
      );
    return [
      joiner
        ? el(
            "span",
            { class: "joined", dataset: { joined: "unconfirmed" } },
            `joined by link at ${hhmm(Date.parse(p.joined_at))} - confirm`,
            " ",
            el("button", { type: "button", class: "confirm-joined", "aria-label": `Confirm: ${p.name} joined remotely`, onclick: () => setAttendance({ attendance: "remote" }) }, "Confirm"),
            " ",
          )
        : null,
      el(
        "span",
        { class: "attendance" },
        oneStep("in_room", "In room"),
        oneStep("remote", "Remote"),
        el(
          "select",
          { "aria-label": `Attendance of ${p.name}`, onchange: (e) => setAttendance({ attendance: e.target.value, ...(["in_room", "remote"].includes(e.target.value) ? {} : { arrived_late: false, left_early: false }) }) },
          ...Object.entries(ATTENDANCE).map(([k, v]) => el("option", { value: k, selected: k === p.attendance }, v)),
        ),
        present ? el("label", { class: "choice" }, el("input", { type: "checkbox", checked: p.arrived_late, "aria-label": `${p.name} arrived late`, onchange: (e) => setAttendance({ arrived_late: e.target.checked }) }), " late") : null,
        present ? el("label", { class: "choice" }, el("input", { type: "checkbox", checked: p.left_early, "aria-label": `${p.name} left early`, onchange: (e) => setAttendance({ left_early: e.target.checked }) }), " left early") : null,
      ),
    ];
  }

  document.getElementById("add-note-taker").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const form = ev.target;
    send("links.add_note_taker", { email: formValues(form).email })
      .then((result) => {
        if (!links.some((l) => l.id === result.link.id)) links.push(withUrl(result.link, { name: result.name }));
        form.reset();
        draw();
      })
      .catch(() => {});
  });

  document.getElementById("add-participant").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const form = ev.target;
    const data = new FormData(form);
    send("participants.add", {
      name: data.get("name"),
      role: data.get("role"),
      agency: data.get("agency"),
      agency_name: data.get("agency_name") || null,
      language: (data.get("language") || "").trim() || null,
      needs_interpreter: data.get("needs_interpreter") === "1",
      observer: data.get("observer") === "1",
      email: (data.get("email") || "").trim() || null,
    })
      .then((result) => {
        links.push(withUrl(result.link));
        form.reset();
        draw();
      })
      .catch(() => {});
  });

  return draw;
}
