// ngsp-sim dashboard: native ES modules, no framework, no build step, nothing fetched from elsewhere.
// Everything it shows comes from the admin API (/api/v1), called with the admin token (api.js). This module
// wires the page together: sign-in, language and type size, tabs, and the order things load in.

import { api, login, resumeSession, showLogin } from "./api.js";
import { $ } from "./dom.js";
import { fillTargets, injectFault, loadFaults } from "./faults.js";
import { connected, isConnected, setConn, stream } from "./feed.js";
import { loadHealth, scheduleHealth } from "./health.js";
import { language, setLanguage, t } from "./i18n.js";
import { animateExchange, drawMap } from "./map.js";
import { addMessage, loadMessages, renderMessages } from "./messages.js";
import {
  chooseScenario, onScenarioEvent, renderScenarioList, renderSteps, setScenarios, startRun, stopRun,
} from "./player.js";

let agencies = [];  // GET /agencies: the map, and the fault form's targets

// ---- language and type size ---------------------------------------------------------------------
function applyLanguage() {
  const lang = language();
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  for (const node of document.querySelectorAll("[data-i18n-aria]")) node.setAttribute("aria-label", t(node.dataset.i18nAria));
  for (const b of document.querySelectorAll("button.lang")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  drawMap(agencies); renderScenarioList(); renderSteps(); renderMessages(); fillTargets(agencies);
  setConn(isConnected());
}

function setLarge(on) {
  document.body.classList.toggle("large", on);
  $("#large").setAttribute("aria-pressed", String(on));
  localStorage.setItem("ngsp-large", on ? "1" : "");
}

// ---- live feed ----------------------------------------------------------------------------------
function onEvent(kind, data) {
  if (kind === "message") { addMessage(data); animateExchange(data); scheduleHealth(); }
  else if (kind === "scenario") onScenarioEvent(data);
}

// ---- start --------------------------------------------------------------------------------------
async function start() {
  const [agencyList, scenarioList] = await Promise.all([api("GET", "/agencies"), api("GET", "/scenarios")]);
  agencies = agencyList.items;
  setScenarios(scenarioList.items);
  applyLanguage();
  if (scenarioList.items.length) await chooseScenario(scenarioList.items[0].name);
  stream(onEvent);
  await connected;  // first the live feed, then the log: nothing falls between the two
  await Promise.all([loadMessages(), loadHealth(), loadFaults()]);
  document.body.dataset.ready = "true";
}

function wire() {
  for (const b of document.querySelectorAll("button.lang")) {
    b.addEventListener("click", () => { setLanguage(b.dataset.lang); applyLanguage(); });
  }
  $("#large").addEventListener("click", () => setLarge(!document.body.classList.contains("large")));
  $("#login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (await login($("#token").value.trim())) start(); else showLogin(t("badToken"));
  });
  $("#scenario-select").addEventListener("change", (e) => chooseScenario(e.target.value));
  $("#play").addEventListener("click", () => startRun(false));
  $("#step").addEventListener("click", () => startRun(true));
  $("#stop").addEventListener("click", stopRun);
  $("#f-text").addEventListener("input", renderMessages);
  $("#f-status").addEventListener("change", renderMessages);
  $("#fault-form").addEventListener("submit", injectFault);
  $("#inspector-close").addEventListener("click", () => { $("#inspector").hidden = true; });
  for (const tab of document.querySelectorAll("[data-tab]")) {
    tab.addEventListener("click", () => {
      for (const other of document.querySelectorAll("[data-tab]")) {
        other.setAttribute("aria-selected", String(other === tab));
        $(`#tab-${other.dataset.tab}`).hidden = other !== tab;
      }
      if (tab.dataset.tab === "health") loadHealth();
      if (tab.dataset.tab === "faults") loadFaults();
    });
  }
}

// A module script runs once the document is parsed, so the page's nodes are all there.
wire();
setLarge(Boolean(localStorage.getItem("ngsp-large")));
applyLanguage();
const fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromLink) history.replaceState(null, "", location.pathname);  // a link from the hub's banner: drop the token from the address bar
if (await resumeSession(fromLink)) start(); else showLogin();
