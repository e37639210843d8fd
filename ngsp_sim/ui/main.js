// ngsp-sim dashboard: native ES modules, no framework, no build step, nothing fetched from elsewhere.
// Everything it shows comes from the admin API (/api/v1), called with the admin token (api.js). This module
// wires the page together: sign-in, language and type size, the presenter view (/ui/#presenter), tabs,
// the session (reset) and the order things load in.

import { api, guarded, loadFeatures, login, offers, resumeSession, showLogin } from "./api.js";
import { $ } from "./dom.js";
import { fillTargets, injectFault, loadFaults, renderFaults } from "./faults.js";
import { connected, isConnected, setConn, stream } from "./feed.js";
import { loadHealth, scheduleHealth } from "./health.js";
import { language, setGlossary, setLanguage, t } from "./i18n.js";
import { closeInspector } from "./inspector.js";
import { listenForKeys } from "./keys.js";
import { animateExchange, drawMap } from "./map.js";
import { addMessage, loadMessages, renderMessages, setSession } from "./messages.js";
import { downloadTimeline } from "./timeline.js";
import { fillClients, loadExamples, wireTryIt } from "./tryit.js";
import {
  changePace, chooseScenario, clicker, onScenarioEvent, renderScenarioList, renderSteps, resumeRun, setScenarios,
  startRun, stopRun, togglePause,
} from "./player.js";

let agencies = [];  // GET /agencies: the map, and the fault form's targets
let tier = "ngsp";  // GET /agencies: this hub is NGSP, or an LGSP in front of one

// ---- language and type size ---------------------------------------------------------------------
function applyLanguage() {
  const lang = language();
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  for (const node of document.querySelectorAll("[data-i18n-aria]")) node.setAttribute("aria-label", t(node.dataset.i18nAria));
  for (const b of document.querySelectorAll("button.lang")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  drawMap(agencies, tier); renderScenarioList(); renderSteps(); renderMessages(); fillTargets(agencies); fillClients(agencies); renderFaults();
  setConn(isConnected());
}

function setLarge(on) {
  document.documentElement.classList.toggle("large", on);
  $("#large").setAttribute("aria-pressed", String(on));
  localStorage.setItem("ngsp-large", on ? "1" : "");
}

/** The presenter view is a bookmark: /ui/#presenter (the map, a large caption, no developer lists). */
function applyView() {
  const presenter = new URLSearchParams(location.hash.slice(1)).has("presenter");
  document.body.classList.toggle("presenter", presenter);
  $("#presenter-link").href = presenter ? "#" : "#presenter";
  $("#presenter-link").dataset.i18n = presenter ? "leavePresenter" : "presenter";
  $("#presenter-link").textContent = t($("#presenter-link").dataset.i18n);
  if (presenter) $("#presenter-link").setAttribute("aria-current", "page"); else $("#presenter-link").removeAttribute("aria-current");
}

// ---- session ------------------------------------------------------------------------------------
/** Shows the session the hub is in: messages from its start only (GET /session; an older hub has none). */
async function loadSession() {
  const session = offers("/api/v1/session") ? await api("GET", "/session") : null;
  setSession(session?.started_ms || 0);
}

async function onReset(session) {
  setSession(session.started_ms);
  closeInspector();
  await Promise.all([loadMessages(), loadFaults(), loadHealth(), chooseScenario($("#scenario-select").value)]);
}

// ---- live feed ----------------------------------------------------------------------------------
function onEvent(kind, data) {
  if (kind === "message") { addMessage(data); animateExchange(data); scheduleHealth(); }
  else if (kind === "scenario") onScenarioEvent(data);
  else if (kind === "faults") guarded(loadFaults)();
  else if (kind === "reset") guarded(onReset)(data);
}

// ---- start --------------------------------------------------------------------------------------
async function start() {
  await loadFeatures();
  const [agencyList, scenarioList, glossary] = await Promise.all([
    api("GET", "/agencies"), api("GET", "/scenarios"), offers("/api/v1/glossary") ? api("GET", "/glossary") : { items: [] },
  ]);
  $("#reset").hidden = !offers("/api/v1/reset", "post");
  agencies = agencyList.items;
  tier = agencyList.tier || "ngsp";
  setScenarios(scenarioList.items);
  setGlossary(glossary.items);
  applyLanguage();
  if (scenarioList.items.length) await chooseScenario(scenarioList.items[0].name);
  stream(onEvent);
  await connected;  // first the live feed, then the log: nothing falls between the two
  await loadSession();
  await Promise.all([loadMessages(), loadHealth(), loadFaults(), resumeRun(), loadExamples(offers("/api/v1/examples"))]);
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
  $("#scenario-select").addEventListener("change", guarded((e) => chooseScenario(e.target.value)));
  $("#play").addEventListener("click", guarded(() => startRun(false)));
  $("#step").addEventListener("click", guarded(() => clicker(1)));
  $("#stop").addEventListener("click", guarded(stopRun));
  $("#pause").addEventListener("click", guarded(togglePause));
  $("#faster").addEventListener("click", guarded(() => changePace(1)));
  $("#slower").addEventListener("click", guarded(() => changePace(-1)));
  $("#reset").addEventListener("click", guarded(async () => onReset(await api("POST", "/reset"))));
  window.addEventListener("hashchange", applyView);
  listenForKeys();
  wireTryIt();
  $("#timeline-svg").addEventListener("click", downloadTimeline);
  $("#print").addEventListener("click", () => window.print());
  window.addEventListener("beforeprint", () => { $("#timeline-box").open = true; });
  $("#f-text").addEventListener("input", renderMessages);
  $("#f-status").addEventListener("change", renderMessages);
  $("#fault-form").addEventListener("submit", injectFault);
  $("#inspector-close").addEventListener("click", closeInspector);
  for (const tab of document.querySelectorAll("[data-tab]")) {
    tab.addEventListener("click", () => {
      for (const other of document.querySelectorAll("[data-tab]")) {
        other.setAttribute("aria-selected", String(other === tab));
        $(`#tab-${other.dataset.tab}`).hidden = other !== tab;
      }
      if (tab.dataset.tab === "health") guarded(loadHealth)();
      if (tab.dataset.tab === "faults") guarded(loadFaults)();
    });
  }
}

// A module script runs once the document is parsed, so the page's nodes are all there.
wire();
setLarge(Boolean(localStorage.getItem("ngsp-large")));
applyView();
applyLanguage();
const hash = new URLSearchParams(location.hash.slice(1)), fromLink = hash.get("token");
if (fromLink) {  // a link from the hub's banner: drop the token from the address bar, keep the view
  history.replaceState(null, "", `${location.pathname}${hash.has("presenter") ? "#presenter" : ""}`);
}
if (await resumeSession(fromLink).catch(() => false)) guarded(start)(); else showLogin();
