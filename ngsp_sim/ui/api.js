// The admin API (/api/v1) and the token that opens it. The token lives in the tab's session storage (or
// comes once in the URL fragment); any 401 brings the sign-in form back. Every call the page makes goes
// through here, so no other module sees the token. A hub that cannot be reached gives one clear message in
// both languages (the #notice banner), never a bare "Failed to fetch".

import { $ } from "./dom.js";
import { t } from "./i18n.js";

let token = sessionStorage.getItem("ngsp-token") || "";

/** The headers that authorise a request to the admin API (the live feed uses them with fetch). */
export function authorization() { return { Authorization: `Bearer ${token}` }; }

/** Calls the admin API; resolves to the JSON answer (or null), rejects with the API's message. */
export async function api(method, path, body) {
  const init = { method, headers: authorization() };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  let resp;
  try { resp = await fetch(`/api/v1${path}`, init); } catch { hubDown(true); throw new Error(t("hubDown")); }
  hubDown(false);
  if (resp.status === 401) { showLogin(t("badToken")); throw new Error("unauthorized"); }
  const data = resp.headers.get("Content-Type")?.includes("json") ? await resp.json() : null;
  if (!resp.ok) throw Object.assign(new Error(data?.message || `HTTP ${resp.status}`), { status: resp.status });
  return data;
}

/** Shows (or takes down) the banner saying the hub cannot be reached, in Vietnamese and English. */
export function hubDown(down) {
  const notice = $("#notice");
  if (down) notice.textContent = `${t("hubDown", "vi")} / ${t("hubDown", "en")}`;
  else if (notice.dataset.kind === "hub-down") notice.textContent = "";
  notice.dataset.kind = down ? "hub-down" : "";
  notice.hidden = !notice.textContent;
}

/** Shows what went wrong with something the user asked for (the API's message) in the banner. */
export function notify(message) {
  const notice = $("#notice");
  if (notice.dataset.kind === "hub-down") return;
  notice.textContent = message; notice.dataset.kind = message ? "error" : ""; notice.hidden = !message;
}

/** Wraps an event handler so that a failure is told in the banner, not lost as an uncaught rejection. */
export function guarded(handler) {
  return async (...args) => {
    try { await handler(...args); } catch (err) { if (err.message !== "unauthorized") notify(err.message); }
  };
}

let spec = { paths: {}, components: { schemas: {} } };  // the admin API's own description (GET /openapi.json)

/** Reads what this hub's admin API offers, so the page uses newer routes and fields only where they exist. */
export async function loadFeatures() { spec = await api("GET", "/openapi.json"); }

/** Whether the hub serves `path` (as its OpenAPI names it, e.g. "/api/v1/reset") and, given, `method`. */
export function offers(path, method = "get") { return Boolean(spec.paths[path]?.[method]); }

/** Whether the hub's request or answer model `model` has the field `field`. */
export function hasField(model, field) { return Boolean(spec.components?.schemas?.[model]?.properties?.[field]); }

export function showLogin(message) { $("#login").hidden = false; $("#login-error").textContent = message || ""; $("#token").focus(); }

/** Tries a token against the admin API; keeps it for this tab only if the hub accepts it. */
export async function login(candidate) {
  token = candidate;
  try { await api("GET", "/agencies"); } catch { return false; }
  sessionStorage.setItem("ngsp-token", candidate);
  $("#login").hidden = true;
  return true;
}

/** Signs in with the token from the hub's link if there is one, else with the one this tab kept. */
export async function resumeSession(fromLink) {
  const candidate = fromLink || token;
  return Boolean(candidate) && login(candidate);
}
