// The admin API (/api/v1) and the token that opens it. The token lives in the tab's session storage (or
// comes once in the URL fragment); any 401 brings the sign-in form back. Every call the page makes goes
// through here, so no other module sees the token.

import { $ } from "./dom.js";
import { t } from "./i18n.js";

let token = sessionStorage.getItem("ngsp-token") || "";

/** The headers that authorise a request to the admin API (the live feed uses them with fetch). */
export function authorization() { return { Authorization: `Bearer ${token}` }; }

/** Calls the admin API; resolves to the JSON answer (or null), rejects with the API's message. */
export async function api(method, path, body) {
  const init = { method, headers: authorization() };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const resp = await fetch(`/api/v1${path}`, init);
  if (resp.status === 401) { showLogin(t("badToken")); throw new Error("unauthorized"); }
  const data = resp.headers.get("Content-Type")?.includes("json") ? await resp.json() : null;
  if (!resp.ok) throw new Error(data?.message || `HTTP ${resp.status}`);
  return data;
}

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
