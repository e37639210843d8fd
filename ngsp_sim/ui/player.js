// The scenario player: choose a scenario, play it or step through it (POST /scenario-runs, .../next), stop
// it; its steps and narration follow the run's events on the live feed. A fast run may report before the
// POST answers, so events of runs not yet known are kept (a few) and replayed once the answer names the run.

import { api } from "./api.js";
import { $, el } from "./dom.js";
import { loadFaults } from "./faults.js";
import { loadHealth } from "./health.js";
import { language, t } from "./i18n.js";
import { highlightActors } from "./map.js";

let scenarios = [];
let scenario = null;  // the chosen scenario (GET /scenarios/{name})
let run = null;  // the run being shown: { id, state }
let runSteps = [];
const early = new Map();  // run id -> its events that came before we knew the run

/** The scenarios the hub offers (GET /scenarios), for the selector. */
export function setScenarios(list) { scenarios = list; }

export function renderScenarioList() {
  const select = $("#scenario-select"), current = select.value;
  select.replaceChildren(...scenarios.map((s) => el("option", { value: s.name, text: s.title[language()] })));
  if (current) select.value = current;
  $("#scenario-summary").textContent = scenario?.summary?.[language()] || "";
}

export async function chooseScenario(name) {
  scenario = await api("GET", `/scenarios/${encodeURIComponent(name)}`);
  run = null;
  runSteps = scenario.items.map((s) => ({ ...s, status: "pending" }));
  $("#narration").textContent = "";
  $("#run-state").textContent = "";
  renderScenarioList(); renderSteps(); highlightActors(Object.values(scenario.actors)); updateButtons();
}

export function renderSteps() {
  const lang = language();
  $("#steps").replaceChildren(...runSteps.map((s) => {
    const li = el("li", { class: s.status, "data-status": s.status, "data-index": String(s.index) },
      el("span", { class: "title", text: s.title[lang] }));
    if (s.detail && (s.status === "failed" || s.status === "passed")) li.append(el("span", { class: "detail", text: s.detail }));
    return li;
  }));
  const live = runSteps.find((s) => s.status === "running" || s.status === "waiting");
  if (live) $("#narration").textContent = live.say ? live.say[lang] : live.title[lang];
  if (run) {
    const passed = runSteps.filter((s) => s.status === "passed").length;
    $("#run-state").textContent = `${t(`state_${run.state}`)} · ${passed}/${runSteps.length} ${t("stepsPassed")}`;
    $("#run-state").dataset.state = run.state;
  }
}

function updateButtons() {
  const active = run && (run.state === "running" || run.state === "waiting");
  $("#play").disabled = Boolean(active);
  $("#stop").disabled = !active;
  $("#step").textContent = run?.state === "waiting" ? t("next") : t("step");
  $("#step").disabled = Boolean(active) && run.state !== "waiting";
}

/** Plays the chosen scenario, or (stepMode) starts it step by step or takes its next step. */
export async function startRun(stepMode) {
  if (stepMode && run?.state === "waiting") { await api("POST", `/scenario-runs/${run.id}/next`); return; }
  run = await api("POST", "/scenario-runs", { scenario: scenario.name, step: stepMode });
  runSteps = run.steps;
  renderSteps(); updateButtons();
  const missed = early.get(run.id) || [];  // a fast run may have moved on before the answer came
  early.clear();
  for (const data of missed) await onScenarioEvent(data);
}

export function stopRun() { return run && api("DELETE", `/scenario-runs/${run.id}`); }

/** One `scenario` event of the live feed: a step changed, or the run ended. */
export async function onScenarioEvent(data) {
  if (!run || data.run !== run.id) {
    if (!early.has(data.run)) early.set(data.run, []);
    if (early.size > 20) early.delete(early.keys().next().value);  // other people's runs
    early.get(data.run).push(data);
    return;
  }
  if (data.step) {
    runSteps[data.step.index] = data.step;
    if ((data.step.action === "fault" || data.step.action === "clear") && data.step.status === "passed") loadFaults();
  } else if (data.state !== "running" && data.state !== "waiting") {  // the run ended: its final account
    const ended = await api("GET", `/scenario-runs/${data.run}`);
    runSteps = ended.steps;
    loadFaults(); loadHealth();
  }
  run.state = data.state;
  renderSteps(); updateButtons();
}
