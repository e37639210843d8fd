// The message inspector: one exchange from the message log (GET /messages/{id}) with its record, timings,
// schema violations and the four bodies (client and provider, before and after the adapter), JSON
// pretty-printed with each value tagged by its JSON pointer so violations are highlighted in place. Labels
// are in the language shown; the error type comes with its glossary name and meaning; the record's raw
// JSON is one click away. Opening moves the focus into the panel; closing gives it back.

import { api } from "./api.js";
import { $, el, iso, pause } from "./dom.js";
import { t, term } from "./i18n.js";

let opener = null;  // what had the focus before the inspector opened

/** Opens the inspector on a message of the list; waits for the log to write it if it is that new. */
export async function inspect(message, from) {
  const panel = $("#inspector"), body = $("#inspector-body");
  opener = from || document.activeElement;
  panel.hidden = false;
  $("#inspector-close").focus();
  body.replaceChildren(el("p", { class: "muted", text: t("waitingLog") }));
  let id = message.storeId;
  for (let attempt = 0; id === undefined && attempt < 20; attempt += 1) {  // the log writes in batches
    const page = await api("GET", `/messages?message_id=${encodeURIComponent(message.messageId)}&limit=1`);
    if (page.items.length) id = page.items[0].id; else await pause(250);
  }
  if (id === undefined) return;
  message.storeId = id;
  renderInspector(await api("GET", `/messages/${id}`));
}

/** Closes the inspector and gives the focus back to the row (or button) that opened it. */
export function closeInspector() {
  $("#inspector").hidden = true;
  const id = opener?.dataset?.messageId;  // the list may have been redrawn meanwhile: find the row again
  const back = id ? document.querySelector(`#messages tbody tr[data-message-id="${CSS.escape(id)}"]`) : opener;
  if (back?.isConnected) back.focus();
  opener = null;
}

function renderInspector(detail) {
  const r = detail.record, body = $("#inspector-body");
  const kv = (pairs) => el("table", { class: "kv" }, el("tbody", {}, ...pairs.map(([k, v]) => el("tr", {}, el("td", { text: k }), el("td", { text: v ?? "—" })))));
  const total = (r.responseOutTs ?? r.requestInTs) - r.requestInTs;
  const provider = r.responseInTs && r.requestOutTs ? r.responseInTs - r.requestOutTs : null;
  const violations = detail.violations || [];
  const parts = [
    el("h3", { text: t("record") }),
    kv([[t("f_messageId"), r.messageId], [t("f_client"), detail.client], [t("f_service"), detail.service],
        [t("status"), `${r.statusCode ?? ""} ${r.succeeded ? "✓" : "✗"}`], [t("f_faultCode"), r.faultCode],
        [t("meaning"), meaning(r.faultCode)], [t("f_faultString"), r.faultString],
        [t("f_request"), `${r.restMethod ?? ""} ${r.restPath ?? ""}`],
        [t("f_provider"), `${r.providerMethod ?? ""} ${r.providerPath ?? ""} → ${r.providerStatus ?? "—"}`],
        [t("f_traceId"), r.traceId], [t("f_injected"), detail.injected]]),
    el("details", { class: "raw" }, el("summary", { text: t("raw") }), el("pre", { class: "body", tabindex: "0", text: JSON.stringify(r, null, 2) })),
    el("h3", { text: t("timings") }),
    kv([[t("total"), `${total} ms`], [t("provider"), provider === null ? "—" : `${provider} ms`],
        [t("overhead"), provider === null ? "—" : `${total - provider} ms`],
        [t("f_requestInTs"), iso(r.requestInTs)], [t("f_requestOutTs"), iso(r.requestOutTs)],
        [t("f_responseInTs"), iso(r.responseInTs)], [t("f_responseOutTs"), iso(r.responseOutTs)]]),
  ];
  if (violations.length) {
    parts.push(el("h3", { text: t("violations") }),
      el("ul", { class: "violations" }, ...violations.map((v) => el("li", { text: `${v.location ? `[${v.location}] ` : ""}${v.pointer || "/"}: ${v.message}` }))));
  }
  // A request's violations point into the client's request; an answer's (observe mode passes it on) into
  // the hub's JSON form of it, the client response.
  const marked = { client_request: violations.filter((v) => v.location !== "response"),
    client_response: violations.filter((v) => v.location === "response") };
  const pane = (key, label) => el("div", {}, el("h3", { text: t(label) }), renderBody(detail.bodies[key], marked[key] ?? []));
  parts.push(el("div", { class: "bodies" }, pane("client_request", "clientRequest"), pane("provider_request", "providerRequest"),
    pane("provider_response", "providerResponse"), pane("client_response", "clientResponse")));
  body.replaceChildren(...parts);
}

function meaning(code) {
  const found = term(code);
  return found ? `${found.name}: ${found.meaning}` : null;
}

/** A body of the log ({text} or {data}) in a code pane, JSON pretty-printed with `violations` highlighted. */
export function renderBody(body, violations) {
  const pre = el("pre", { class: "body", tabindex: "0" });  // focusable: a long body scrolls from the keyboard
  if (!body) { pre.textContent = t("noBody"); return pre; }
  const text = body.text ?? atob(body.data || "");
  let data;
  try { data = JSON.parse(text); } catch { pre.textContent = text; return pre; }
  const marks = new Map(violations.map((v) => [v.pointer || "", v.message]));
  pre.append(jsonNode(data, "", 0, marks));
  return pre;
}

// JSON pretty-printed into spans, each value tagged with its JSON pointer, violations highlighted.
function jsonNode(value, pointer, depth, marks) {
  const wrap = el("span", { "data-pointer": pointer });
  if (marks.has(pointer)) { wrap.classList.add("violation"); wrap.title = marks.get(pointer); }
  const pad = "  ".repeat(depth + 1), end = "  ".repeat(depth);
  if (Array.isArray(value) || (value && typeof value === "object")) {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    wrap.append(Array.isArray(value) ? "[" : "{");
    entries.forEach(([k, v], i) => {
      const child = `${pointer}/${String(k).replace(/~/g, "~0").replace(/\//g, "~1")}`;
      const line = el("span", { "data-pointer": child });
      line.append(`\n${pad}`, Array.isArray(value) ? "" : `${JSON.stringify(k)}: `, jsonNode(v, child, depth + 1, marks), i < entries.length - 1 ? "," : "");
      if (marks.has(child)) { line.classList.add("violation"); line.title = marks.get(child); }
      wrap.append(line);
    });
    wrap.append(entries.length ? `\n${end}` : "", Array.isArray(value) ? "]" : "}");
  } else {
    wrap.append(JSON.stringify(value));
  }
  return wrap;
}
