// The message list: the newest 500 exchanges, from the live feed and from the message log (GET /messages),
// merged by messageId, filtered by text and outcome (ok, refused, failed: a business refusal is a refusal
// even when HTTP said 200); a row opens the inspector on click or Enter. Only the current session's
// messages are shown (those since the last reset).

import { api } from "./api.js";
import { $, el, shortService } from "./dom.js";
import { language, t, term } from "./i18n.js";
import { inspect } from "./inspector.js";

const messages = [];  // newest first
let sessionStart = 0;  // ms: the current session began then (POST /reset); older messages are not shown

/** The wire style a client used: "xroad" (/r1 with X-Road-Client) or "gateway" (a token and an API path),
 *  from the path it called (the log's record, or the feed when it carries `restPath`); null if unknown. */
export function wireOf(m) { return m.restPath ? (m.restPath.startsWith("/r1/") ? "xroad" : "gateway") : null; }

/** How an exchange ended: the hub's `outcome` when it gives one, else from HTTP success. */
export function outcomeOf(m) { return m.outcome || (m.succeeded ? "ok" : "failed"); }

/** Starts showing a new session: forgets the messages shown, keeps only those from `startedMs` on. */
export function setSession(startedMs) {
  sessionStart = startedMs || 0;
  messages.length = 0;
  renderMessages();
}

function fromSummary(item) {
  const r = item.record;
  return { messageId: r.messageId, client: item.client, service: item.service, status: r.statusCode,
           succeeded: r.succeeded, faultCode: r.faultCode, ms: (r.responseOutTs ?? r.requestInTs) - r.requestInTs,
           requestInTs: r.requestInTs, storeId: item.id, outcome: item.outcome, decidedBy: item.decidedBy,
           restPath: r.restPath };
}

/** A message the page saw (from the feed or the log), by its X-Road id, or undefined. */
export function messageById(id) { return messages.find((m) => m.messageId === id); }

/** Adds one message of the live feed (once, however often it arrives). */
export function addMessage(message) {
  if (messages.some((m) => m.messageId === message.messageId) || message.requestInTs < sessionStart) return;
  messages.unshift(message);
  if (messages.length > 500) messages.length = 500;
  renderMessages();
}

export function renderMessages() {
  const text = $("#f-text").value.trim().toLowerCase(), status = $("#f-status").value;
  const rows = messages.filter((m) => {
    if (status && outcomeOf(m) !== status) return false;
    if (!text) return true;
    return [m.client, m.service, m.faultCode, m.messageId].some((v) => (v || "").toLowerCase().includes(text));
  });
  const locale = language() === "vi" ? "vi-VN" : "en-GB";
  const body = $("#messages tbody");
  const focusedId = document.activeElement?.closest?.("#messages tbody tr")?.dataset.messageId;
  body.replaceChildren(...rows.slice(0, 200).map((m) => {
    const outcome = outcomeOf(m);
    const wire = wireOf(m);
    const tr = el("tr", { "data-message-id": m.messageId, "data-outcome": outcome, "data-wire": wire, class: outcome, tabindex: "0", title: t("rowHint") },
      el("td", { text: new Date(m.requestInTs).toLocaleTimeString(locale) }),
      el("td", {}, m.client ? m.client.split("/").slice(2).join("/") : "—",
        wire ? el("span", { class: `wire ${wire}`, text: t(wire === "xroad" ? "wireXroad" : "wireGateway") }) : ""),
      el("td", { text: shortService(m.service) }),
      el("td", { class: `status ${outcome}`, title: m.faultCode || null,  // the wire name; the glossary's words shown
        text: `${m.status ?? ""} ${term(m.faultCode)?.name || m.faultCode || ""}${outcome === "refused" ? ` · ${t("refused")}` : ""}${m.decidedBy === "ngsp" ? ` · ${t("decidedAtNgsp")}` : ""}`.trim() }),
      el("td", { text: String(m.ms ?? "") }));
    tr.addEventListener("click", () => inspect(m, tr));
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); inspect(m, tr); } });
    return tr;
  }));
  $("#message-count").textContent = `${rows.length} ${t("shown")}`;
  if (focusedId) body.querySelector(`tr[data-message-id="${CSS.escape(focusedId)}"]`)?.focus();  // new rows keep the focus where it was
}

/** The last 100 messages of the log, merged with what the live feed already brought. */
export async function loadMessages() {
  const since = sessionStart ? `&since=${sessionStart}` : "";
  const page = await api("GET", `/messages?limit=100${since}`);
  const known = new Set(messages.map((m) => m.messageId));
  messages.push(...page.items.map(fromSummary).filter((m) => !known.has(m.messageId)));
  messages.sort((a, b) => b.requestInTs - a.requestInTs);
  renderMessages();
}
