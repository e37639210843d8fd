// The injected-faults tab: the faults in force (GET /faults), a form to inject one on a subsystem or a
// service (PUT /faults/{id}) and a button to clear each (DELETE /faults/{id}).

import { api } from "./api.js";
import { $, el } from "./dom.js";
import { language, t } from "./i18n.js";

export async function loadFaults() {
  const list = await api("GET", "/faults");
  $("#faults tbody").replaceChildren(...list.items.map((f) => {
    const clear = el("button", { type: "button", class: "clear-fault", text: t("clear") });
    clear.addEventListener("click", async () => { await api("DELETE", `/faults/${encodeURIComponent(f.id)}`); loadFaults(); });
    return el("tr", { "data-fault": f.id }, el("td", { text: f.id }), el("td", { text: f.target }), el("td", { text: f.kind }),
      el("td", { text: String(f.hits) }), el("td", {}, clear));
  }));
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
