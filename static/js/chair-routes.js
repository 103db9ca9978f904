// A disagreement's next step on the chair console: what it is about, the routes open for that in the
// meeting's jurisdiction (routes, not a ladder), the dates a route's clocks start from, and what they
// give: the route's latest dates and a warning when the follow-up comes after one of them. The dates
// are computed by the server (POST /api/v1/meetings/<id>/routes/preview) as a save would, so the
// console does no statutory arithmetic of its own.
import { field, input, select } from "./chair-forms.js";
import { el, redraw } from "./room-core.js";
import { formValues, optional, routeDatesNodes } from "./record.js";

const DATE_PREFIX = "route_dates.";

// Every date any route of the jurisdiction asks for, once each.
function everyAsked(table) {
  const found = new Map();
  for (const route of table.routes) for (const list of Object.values(route.asks)) for (const a of list) if (!found.has(a.event)) found.set(a.event, a);
  return [...found.values()];
}

function routeOf(table, key) {
  return table.routes.find((r) => r.key === key) || null;
}

function asksFor(table, routeKey, about) {
  const route = routeOf(table, routeKey);
  if (!route) return [];
  return route.asks[about && route.about.includes(about) ? about : ""] || [];
}

// The arguments of disagreements.update for the route part of a form: only the dates the chosen route
// asks for are sent.
export function routeArgs(table, v, hasStep) {
  const about = optional(v.about);
  if (!hasStep) return { about, route_dates: {} };
  const dates = {};
  for (const a of asksFor(table, v.next_step, about)) {
    const value = optional(v[`${DATE_PREFIX}${a.event}`]);
    if (value) dates[a.event] = value;
  }
  return { about, route_dates: dates };
}

// The route part of the next-step forms: fields drawn as the chair left them, kept in step with their
// choices (only the routes open for what it is about, only the chosen route's dates, its note), and
// its dates previewed. Previews are kept by form so a redraw of the room shows them at once.
export function routeForms(table, room) {
  const previews = new Map(); // form key -> { body, nodes }

  function bodyOf(v) {
    const hasStep = !!optional(v.next_step) && v.resolved === undefined;
    return JSON.stringify({
      about: optional(v.about),
      next_step: optional(v.next_step),
      route_dates: routeArgs(table, v, hasStep).route_dates,
      follow_up_date: optional(v.follow_up_date),
    });
  }

  // The fields, from the disagreement or the chair's draft (values by field name).
  function fields(g, key, draft) {
    const about = draft ? draft.about : g.about || "";
    const chosen = draft ? draft.next_step : g.next_step || "";
    const shown = new Set(asksFor(table, chosen, about).map((a) => a.event));
    const route = routeOf(table, chosen);
    const kinds = [el("option", { value: "" }, "not said"), ...table.kinds.map((k) => el("option", { value: k.key, selected: k.key === g.about }, k.label))];
    const routes = [
      el("option", { value: "" }, "not yet agreed"),
      ...table.routes.map((r) => {
        const closed = !!(about && !r.about.includes(about));
        return el("option", { value: r.key, selected: r.key === g.next_step, hidden: closed, disabled: closed }, r.label);
      }),
    ];
    const dates = everyAsked(table).map((a) => {
      const label = field(a.label, input(`${DATE_PREFIX}${a.event}`, (g.route_dates || {})[a.event], { type: "date" }), "route-date");
      label.hidden = !shown.has(a.event);
      return label;
    });
    return [
      field("What it is about", select("about", kinds), "wide"),
      field("Next step: the routes open for what it is about", select("next_step", routes), "wide"),
      el("p", { class: "route-note wide" }, route ? route.note : ""),
      ...dates,
    ];
  }

  // Where the route's dates and any warning are said: after the follow-up date they are checked against.
  function previewRegion(key) {
    const kept = previews.get(key);
    return el("div", { class: "route-preview wide", role: "status", "aria-live": "polite" }, ...(kept ? routeDatesNodes(kept.answer) : []));
  }

  async function preview(form) {
    const key = form.dataset.key;
    const v = formValues(form);
    const out = () => document.querySelector(`form[data-key="${key}"] .route-preview`);
    if (!optional(v.next_step) || form.elements.resolved.checked) {
      previews.delete(key);
      if (out()) redraw(out(), []);
      return;
    }
    const body = bodyOf(v);
    const kept = previews.get(key);
    if (kept && kept.body === body) return;
    previews.set(key, { body, answer: kept ? kept.answer : {} });
    try {
      const r = await fetch(`/api/v1/meetings/${room.meeting.id}/routes/preview`, {
        method: "POST",
        headers: { Authorization: `Bearer ${room.token}`, "Content-Type": "application/json" },
        body,
        cache: "no-store",
      });
      const answer = await r.json();
      const now = previews.get(key);
      if (!now || now.body !== body) return; // the form changed again meanwhile: a later answer will come
      const shown = r.ok ? answer : { route_missing: [], route_deadlines: [], refused: answer.error };
      now.answer = shown;
      const node = out();
      if (!node) return;
      if (r.ok) redraw(node, routeDatesNodes(shown));
      else redraw(node, [el("p", { class: "route-missing" }, Object.values((answer.error && answer.error.fields) || {})[0] || (answer.error && answer.error.message) || "")]);
    } catch (e) {
      previews.delete(key); // try again on the next change
    }
  }

  // Keeps a (live) form in step with its choices, then previews its dates.
  function update(form) {
    const about = form.elements.about.value;
    const route = form.elements.next_step;
    for (const option of route.options) {
      const r = routeOf(table, option.value);
      option.hidden = option.disabled = !!(r && about && !r.about.includes(about));
    }
    if (route.selectedOptions[0] && route.selectedOptions[0].disabled) route.value = "";
    const chosen = routeOf(table, route.value);
    form.querySelector(".route-note").textContent = chosen ? chosen.note : "";
    const shown = new Set(asksFor(table, route.value, about).map((a) => a.event));
    for (const label of form.querySelectorAll(".route-date")) label.hidden = !shown.has(label.querySelector("input").name.slice(DATE_PREFIX.length));
    preview(form);
  }

  // One listener for every next-step form, however often the record is redrawn.
  const onChange = (ev) => {
    const form = ev.target.closest && ev.target.closest("form.next-step-form");
    if (form) update(form);
  };
  document.addEventListener("change", onChange);
  document.addEventListener("input", (ev) => ev.target.type === "date" && onChange(ev));

  // After a redraw: preview the forms still open (once per change of what they say).
  function refresh() {
    for (const form of document.querySelectorAll("form.next-step-form")) preview(form);
  }

  function forget(key) {
    previews.delete(key);
  }

  return { fields, previewRegion, refresh, forget };
}
