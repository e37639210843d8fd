// The injected-faults tab: the faults in force (GET /faults), a form to inject one on a subsystem or a
// service (PUT /faults/{id}) and a button to clear each (DELETE /faults/{id}); the circuit breakers
// (GET /circuits) with a button to close an open one (DELETE /circuits/{id}). Both also show on the map,
// with the close-circuit button under it. Reloaded on the feed's `faults` events, so changes made
// elsewhere (the CLI, a scenario, another screen) show at once.

import { api, guarded } from "./api.js";
import { $, el } from "./dom.js";
import { language, t } from "./i18n.js";
import { showTroubles } from "./map.js";

let last = { faults: [], circuits: [] };

function closeButton(c) {
  const close = el("button", { type: "button", class: "close-circuit", "data-provider": c.provider, text: t("closeCircuit") });
  close.addEventListener("click", guarded(async () => { await api("DELETE", `/circuits/${c.provider}`); await loadFaults(); }));
  return close;
}

/** Redraws both tables and the map's marks from the last lists (also on a change of language). */
export function renderFaults() {
  const { faults, circuits } = last;
  $("#faults tbody").replaceChildren(...faults.map((f) => {
    const clear = el("button", { type: "button", class: "clear-fault", text: t("clear") });
    clear.addEventListener("click", guarded(async () => { await api("DELETE", `/faults/${encodeURIComponent(f.id)}`); await loadFaults(); }));
    return el("tr", { "data-fault": f.id }, el("td", { text: f.id }), el("td", { text: f.target }),
      el("td", { text: t(`kind_${f.kind}`) }), el("td", { text: String(f.hits) }), el("td", {}, clear));
  }));
  const tripped = circuits.filter((c) => c.state !== "closed");
  $("#circuits tbody").replaceChildren(...circuits.map((c) => el("tr", { "data-circuit": c.provider, "data-state": c.state },
    el("td", { text: c.provider }), el("td", { text: c.state === "closed" ? "—" : t(`circuit_${c.state}`) }),
    el("td", { text: String(c.failures) }), el("td", {}, c.state === "closed" ? "" : closeButton(c)))));
  $("#map-alerts").replaceChildren(
    ...faults.map((f) => el("li", { class: "fault", text: `⚠ ${t("faultOn")}: ${f.target} (${t(`kind_${f.kind}`)})` })),
    ...tripped.map((c) => el("li", { class: "circuit", "data-provider": c.provider }, `⛔ ${t(`circuit_${c.state}`)}: ${c.provider} `, closeButton(c))));
  showTroubles(faults, circuits);
}

export async function loadFaults() {
  const [faults, circuits] = await Promise.all([api("GET", "/faults"), api("GET", "/circuits")]);
  last = { faults: faults.items, circuits: circuits.items };
  renderFaults();
}

/** The form's targets: every subsystem that provides services, then each of its services. */
export function fillTargets(agencies) {
  const select = $("#fault-target"), current = select.value;
  const options = [];
  for (const agency of agencies) {
    for (const sub of agency.subsystems) {
      if (!sub.services.length) continue;
      options.push(el("option", { value: sub.id, text: `${sub.id} (${sub.name[language()]})` }));
      for (const code of sub.services) options.push(el("option", { value: `${sub.id}/${code}`, text: `  ${sub.id}/${code}` }));
    }
  }
  select.replaceChildren(...options);
  if (current) select.value = current;
}

export async function injectFault(event) {
  event.preventDefault();
  const id = $("#fault-id").value.trim();
  $("#fault-error").textContent = "";
  try {
    await api("PUT", `/faults/${encodeURIComponent(id)}`, { id, target: $("#fault-target").value, kind: $("#fault-kind").value });
    await loadFaults();
  } catch (err) { $("#fault-error").textContent = err.message; }
}
