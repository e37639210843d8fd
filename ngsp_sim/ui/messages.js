// The message list: the newest 500 exchanges, from the live feed and from the message log (GET /messages),
// merged by messageId, filtered by text and outcome; a row opens the inspector.

import { api } from "./api.js";
import { $, el, shortService } from "./dom.js";
import { language, t } from "./i18n.js";
import { inspect } from "./inspector.js";

const messages = [];  // newest first

function fromSummary(item) {
  const r = item.record;
  return { messageId: r.messageId, client: item.client, service: item.service, status: r.statusCode,
           succeeded: r.succeeded, faultCode: r.faultCode, ms: (r.responseOutTs ?? r.requestInTs) - r.requestInTs,
           requestInTs: r.requestInTs, storeId: item.id };
}

/** Adds one message of the live feed (once, however often it arrives). */
export function addMessage(message) {
  if (messages.some((m) => m.messageId === message.messageId)) return;
  messages.unshift(message);
  if (messages.length > 500) messages.length = 500;
  renderMessages();
}

export function renderMessages() {
  const text = $("#f-text").value.trim().toLowerCase(), status = $("#f-status").value;
  const rows = messages.filter((m) => {
    if (status === "ok" && !m.succeeded) return false;
    if (status === "failed" && m.succeeded) return false;
    if (!text) return true;
    return [m.client, m.service, m.faultCode, m.messageId].some((v) => (v || "").toLowerCase().includes(text));
  });
  const locale = language() === "vi" ? "vi-VN" : "en-GB";
  const body = $("#messages tbody");
  body.replaceChildren(...rows.slice(0, 200).map((m) => {
    const tr = el("tr", { "data-message-id": m.messageId, class: m.succeeded ? "ok" : "failed" },
      el("td", { text: new Date(m.requestInTs).toLocaleTimeString(locale) }),
      el("td", { text: m.client ? m.client.split("/").slice(2).join("/") : "—" }),
      el("td", { text: shortService(m.service) }),
      el("td", { class: `status ${m.succeeded ? "ok" : "failed"}`, text: `${m.status ?? ""} ${m.faultCode || ""}`.trim() }),
      el("td", { text: String(m.ms ?? "") }));
    tr.addEventListener("click", () => inspect(m));
    return tr;
  }));
  $("#message-count").textContent = `${rows.length} ${t("shown")}`;
}

/** The last 100 messages of the log, merged with what the live feed already brought. */
export async function loadMessages() {
  const page = await api("GET", "/messages?limit=100");
  const known = new Set(messages.map((m) => m.messageId));
  messages.push(...page.items.map(fromSummary).filter((m) => !known.has(m.messageId)));
  messages.sort((a, b) => b.requestInTs - a.requestInTs);
  renderMessages();
}
