// The try-it panel, hands-on for trainees: choose a service (its valid example request comes pre-filled,
// GET /examples) and a client, edit the payload, send it in either wire style, from this browser over the
// hub's public interface like any connector: X-Road (/r1/... with X-Road-Client) or the NGSP gateway (a
// token bought at POST /token with a consumer key and secret, then /{context}/{version}/...). The answer
// is shown as it came, with each schema violation highlighted on the payload that was sent.

import { api, guarded } from "./api.js";
import { $, el } from "./dom.js";
import { t } from "./i18n.js";
import { renderBody } from "./inspector.js";

let examples = new Map();  // service -> ServiceExample

/** The examples of this hub (an older hub without GET /examples has none: the tab stays hidden). */
export async function loadExamples(available) {
  $("[data-tab=tryit]").hidden = !available;
  if (!available) return;
  const list = await api("GET", "/examples");
  examples = new Map(list.items.map((x) => [x.service, x]));
  $("#try-service").replaceChildren(...list.items.map((x) => el("option", { value: x.service, text: x.service.split("/").slice(3).join("/") })));
  choose();
}

/** The clients a trainee may pretend to be: every subsystem of the map. */
export function fillClients(agencies) {
  const select = $("#try-client"), current = select.value;
  select.replaceChildren(...agencies.flatMap((a) => a.subsystems.map((s) => el("option", { value: s.id, text: s.id }))));
  if (current) select.value = current;
}

function choose() {
  const x = examples.get($("#try-service").value);
  if (!x) return;
  $("#try-client").value = x.client;
  $("#try-body").value = x.payload !== null && x.payload !== undefined ? JSON.stringify(x.payload, null, 2) : (x.xml || "");
  $("#try-style-gateway").disabled = !x.gateway_path;
  if (!x.gateway_path) $("#try-style-xroad").checked = true;
  renderStyle();
}

function renderStyle() {
  const gateway = $("#try-style-gateway").checked;
  $("#try-credentials").hidden = !gateway;
  const x = examples.get($("#try-service").value);
  const query = x && Object.keys(x.query).length ? `?${new URLSearchParams(x.query)}` : "";
  $("#try-address").textContent = x ? `${x.method} ${gateway ? x.gateway_path : x.xroad_path}${query}` : "";
}

async function gatewayToken() {
  const resp = await fetch("/token", {
    method: "POST",
    headers: { Authorization: `Basic ${btoa(`${$("#try-key").value}:${$("#try-secret").value}`)}`,
               "Content-Type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  const data = await resp.json();
  if (!resp.ok) throw new Error(`${resp.status} ${data.error || ""}: ${data.error_description || ""}`);
  return data.access_token;
}

async function send(event) {
  event.preventDefault();
  const x = examples.get($("#try-service").value);
  const gateway = $("#try-style-gateway").checked;
  const headers = {};
  if (gateway) headers.Authorization = `Bearer ${await gatewayToken()}`;
  else headers["X-Road-Client"] = $("#try-client").value;
  const text = $("#try-body").value;
  const init = { method: x.method, headers };
  if (x.method !== "GET") { init.body = text; headers["Content-Type"] = x.xml ? "text/xml" : "application/json"; }
  const query = Object.keys(x.query).length ? `?${new URLSearchParams(x.query)}` : "";
  const resp = await fetch(`${gateway ? x.gateway_path : x.xroad_path}${query}`, init);
  const answer = await resp.text();
  let parsed = null;
  try { parsed = JSON.parse(answer); } catch { /* not JSON: shown as text */ }
  const violations = parsed?.violations || parsed?.fault?.violations || [];
  const error = resp.headers.get("X-Road-Error") || parsed?.fault?.type || parsed?.type || "";
  const result = $("#try-result");
  result.dataset.status = String(resp.status);
  result.dataset.style = gateway ? "gateway" : "xroad";
  result.replaceChildren(
    el("p", { class: resp.ok ? "ok" : "refused", text: `HTTP ${resp.status}${error ? ` · ${error}` : ""}` }),
    el("h3", { text: t("tryAnswer") }), renderBody({ text: answer }, []),
  );
  if (violations.length) {
    result.append(el("h3", { text: t("violations") }),
      el("ul", { class: "violations" }, ...violations.map((v) => el("li", { text: `${v.pointer || "/"}: ${v.message}` }))),
      el("h3", { text: t("trySent") }), renderBody({ text }, violations));
  }
}

export function wireTryIt() {
  $("#try-service").addEventListener("change", choose);
  for (const radio of document.querySelectorAll("[name=try-style]")) radio.addEventListener("change", renderStyle);
  $("#try-form").addEventListener("submit", guarded(send));
}
