// The service health tab: the last hour per service (GET /health?period=3600), refreshed at most once a
// second while the live feed brings exchanges.

import { api } from "./api.js";
import { $, el, shortService } from "./dom.js";

let healthTimer = null;

export async function loadHealth() {
  const report = await api("GET", "/health?period=3600");
  $("#health tbody").replaceChildren(...report.services.map((s) => el("tr", { "data-service": s.service },
    el("td", { text: shortService(s.service) }), el("td", { text: String(s.successfulRequestCount) }),
    el("td", { text: String(s.unsuccessfulRequestCount) }),
    el("td", { text: s.requestAverageDuration === null ? "—" : s.requestAverageDuration.toFixed(1) }),
    el("td", { text: String(s.requestMaxDuration ?? "—") }))));
}

/** Reloads the health table a second from now, once however many exchanges arrive meanwhile. */
export function scheduleHealth() {
  if (!healthTimer) healthTimer = setTimeout(() => { healthTimer = null; loadHealth(); }, 1000);
}
