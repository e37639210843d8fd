// The scenario player: choose a scenario, play it paced or step through it (POST /scenario-runs, .../next),
// pause, resume, go faster or slower (the pace belongs to the run, so every screen sees the same story),
// stop it. It follows any run the hub reports on the live feed, started here, from the CLI or the API, and
// the run still going when the page loads. The caption shows the step that last STARTED: narration,
// highlighted step and the map's animation always tell the same moment.

import { api, hasField, offers } from "./api.js";
import { $, el } from "./dom.js";
import { loadFaults } from "./faults.js";
import { loadHealth } from "./health.js";
import { explain, language, t } from "./i18n.js";
import { highlightActors, showTiers } from "./map.js";
import { renderTimeline } from "./timeline.js";

const PACES = [0, 0.5, 1, 2, 3, 5, 8];  // seconds per step; 0 = as fast as the hub goes
let scenarios = [];
let scenario = null;  // the chosen scenario (GET /scenarios/{name})
let run = null;  // the run being shown (ScenarioRunInfo)
let runSteps = [];
let review = null;  // a step the presenter went back to with "previous", or null: follow the run
let pace = Number(localStorage.getItem("ngsp-pace") ?? 3);
let queue = Promise.resolve();  // feed events are applied one after another, in order
let countdown = null;  // { run, index, ends, timer }: the wait step being counted down in the caption

const ACTIVE = new Set(["running", "waiting"]);
const STARTED = new Set(["running", "passed", "failed"]);

/** The scenarios the hub offers (GET /scenarios), for the selector. */
export function setScenarios(list) { scenarios = list; }

export function renderScenarioList() {
  const select = $("#scenario-select"), current = select.value;
  select.replaceChildren(...scenarios.map((s) => el("option", { value: s.name, text: s.title[language()] })));
  if (current) select.value = current;
  $("#scenario-summary").textContent = scenario?.summary?.[language()] || "";
}

function show(detail) {
  scenario = detail;
  runSteps = detail.items.map((s) => ({ ...s, status: "pending" }));
  review = null;
  highlightActors(Object.values(detail.actors || {}));
}

export async function chooseScenario(name) {
  show(await api("GET", `/scenarios/${encodeURIComponent(name)}`));
  run = null;
  renderScenarioList(); renderSteps(); updateButtons();
}

/** The step the caption tells: the one the presenter went back to, else the last that started. */
function shownIndex() {
  if (review !== null) return review;
  let last = null;
  for (const s of runSteps) if (STARTED.has(s.status)) last = s.index;
  return last;
}

function stepText(s, lang) {
  return s.say ? s.say[lang] : s.title[lang];
}

export function renderSteps() {
  const lang = language(), shown = shownIndex();
  $("#steps").replaceChildren(...runSteps.map((s) => {
    const li = el("li", { class: s.status, "data-status": s.status, "data-index": String(s.index) },
      el("span", { class: "title", text: s.repeat > 1 ? `${s.title[lang]} ×${s.repeat}` : s.title[lang] }));
    if (s.index === shown) { li.classList.add("current"); li.setAttribute("aria-current", "step"); }
    const said = explain(s);
    if (said && (s.status === "failed" || s.status === "passed")) li.append(el("span", { class: "detail", text: said }));
    if (s.detail && s.status !== "pending") {
      li.append(el("details", { class: "raw" }, el("summary", { text: t("raw") }), el("code", { text: s.detail })));
    }
    return li;
  }));
  const narration = $("#narration");
  const step = shown === null ? null : runSteps[shown];
  narration.textContent = step ? stepText(step, lang) : "";
  narration.dataset.index = step ? String(step.index) : "";
  narration.dataset.service = step?.service || "";
  const waiting = runSteps.find((s) => s.status === "waiting");
  $("#up-next").textContent = waiting && waiting.index !== shown ? `${t("upNext")}: ${waiting.title[lang]}` : "";
  $("#step-counter").textContent = runSteps.length ? `${t("stepWord")} ${shown === null ? 0 : shown + 1}/${runSteps.length}` : "";
  if (run) {
    const passed = runSteps.filter((s) => s.status === "passed").length;
    const paused = run.paused ? ` · ${t("paused")}` : "";
    $("#run-state").textContent = `${t(`state_${run.state}`)}${paused} · ${passed}/${runSteps.length} ${t("stepsPassed")}`;
    $("#run-state").dataset.state = run.state;
    $("#run-state").dataset.run = String(run.id);
  } else {
    $("#run-state").textContent = "";
    delete $("#run-state").dataset.state;
  }
  $("#lesson").textContent = run && !ACTIVE.has(run.state) && run.lesson ? run.lesson[lang] : "";
  renderTimeline(run ? { ...run, steps: runSteps } : null);
  const going = Boolean(run && ACTIVE.has(run.state));
  showTiers(going ? runSteps.filter((s) => s.action === "throttle" && s.status === "passed" && s.tier).map((s) => [s.service, s.tier]) : []);
  renderCountdown(going ? runSteps.find((s) => s.status === "running" && s.wait_s) : null);
}

/** The seconds a running wait step has left (its `wait_s`, counted from when this page saw it start). */
function renderCountdown(step) {
  const same = countdown && step && countdown.run === run.id && countdown.index === step.index;
  if (!same) {
    if (countdown) clearInterval(countdown.timer);
    countdown = step ? { run: run.id, index: step.index, ends: performance.now() + step.wait_s * 1000 } : null;
    if (countdown) countdown.timer = setInterval(tick, 250);
  }
  tick();
}

function tick() {
  const box = $("#countdown");
  if (!countdown) { box.textContent = ""; delete box.dataset.seconds; return; }
  const left = Math.max(0, Math.ceil((countdown.ends - performance.now()) / 1000));
  box.dataset.seconds = String(left);
  box.textContent = t("waitLeft").replace("{s}", String(left));
}

function renderPace() {
  $(".pace").hidden = !hasField("ScenarioRunCreate", "pace");
  $("#pace-value").textContent = pace ? `${pace} ${t("secondsPerStep")}` : t("immediate");
  $("#pace-value").dataset.pace = String(pace);
}

function updateButtons() {
  const active = Boolean(run && ACTIVE.has(run.state));
  $("#play").disabled = active;
  $("#stop").disabled = !active;
  $("#step").textContent = run?.state === "waiting" ? t("next") : t("step");
  // never disabled: a clicker's focus stays on it; pressing it while a step runs does nothing
  $("#step").setAttribute("aria-disabled", String(active && run.state !== "waiting"));
  const pausable = active && !run.step_mode && offers("/api/v1/scenario-runs/{id}/pause", "post");
  $("#pause").hidden = !pausable;
  $("#pause").textContent = run?.paused ? t("resume") : t("pause");
  $("#pause").setAttribute("aria-pressed", String(Boolean(run?.paused)));
  renderPace();
  if (document.activeElement === document.body || document.activeElement?.disabled) $("#step").focus();
}

/** Plays the chosen scenario, or (stepMode) starts it step by step or takes its next step. */
export async function startRun(stepMode) {
  if (run?.state === "waiting") { await api("POST", `/scenario-runs/${run.id}/next`); return; }
  if (run && ACTIVE.has(run.state)) return;
  const body = { scenario: $("#scenario-select").value || scenario.name, step: stepMode };  // the choice, even mid-load
  if (!stepMode && hasField("ScenarioRunCreate", "pace")) body.pace = pace;  // an older hub plays unpaced
  await adopt(await api("POST", "/scenario-runs", body));
}

export function stopRun() { return run && api("DELETE", `/scenario-runs/${run.id}`); }

export async function togglePause() {
  if (!run || !ACTIVE.has(run.state)) return;
  await adopt(await api("POST", `/scenario-runs/${run.id}/${run.paused ? "resume" : "pause"}`));
}

/** Faster (+1) or slower (-1): the next pace of the list, for this page and for the run being shown. */
export async function changePace(direction) {
  const i = PACES.findIndex((p) => p >= pace);
  const at = i < 0 ? PACES.length - 1 : i;
  pace = PACES[Math.min(Math.max(at - direction, 0), PACES.length - 1)];
  localStorage.setItem("ngsp-pace", String(pace));
  renderPace();
  if (run && ACTIVE.has(run.state) && !run.step_mode && offers("/api/v1/scenario-runs/{id}", "patch")) await adopt(await api("PATCH", `/scenario-runs/${run.id}`, { pace }));
}

/** Next / previous from the keyboard or a clicker: back and forth over the steps already told, and at the
 *  newest one "next" takes the next step (starting the scenario step by step if nothing runs). */
export async function clicker(direction) {
  const saved = review;
  review = null;
  const last = shownIndex();
  review = saved;
  if (direction < 0) {
    if (last !== null) review = Math.max((review ?? last) - 1, 0);
  } else if (review !== null) {
    review = review + 1 >= last ? null : review + 1;
  } else if (!run || !ACTIVE.has(run.state) || run.state === "waiting") {
    await startRun(true);
  }
  renderSteps();
}

/** Shows a run the hub reported (an answer of the API): its scenario, steps and state. */
async function adopt(info) {
  if (!scenario || scenario.name !== info.scenario) {
    try { show(await api("GET", `/scenarios/${encodeURIComponent(info.scenario)}`)); } catch { show({ name: info.scenario, items: [], actors: {} }); }
    $("#scenario-select").value = info.scenario;
  }
  if (run?.id !== info.id) review = null;
  run = info;
  runSteps = info.steps;
  if (info.pace !== undefined && !info.step_mode) pace = info.pace;
  renderScenarioList(); renderSteps(); updateButtons();
}

/** On load: the run still going on the hub (any screen's), if there is one. */
export async function resumeRun() {
  const runs = await api("GET", "/scenario-runs");
  const going = runs.items.find((r) => ACTIVE.has(r.state));
  if (going) await adopt(going);
}

/** One `scenario` event of the live feed: a step started or ended, or a run ended; applied in order. */
export function onScenarioEvent(data) {
  queue = queue.then(() => apply(data)).catch(() => {});
  return queue;
}

async function apply(data) {
  if (!run || data.run !== run.id) {
    if (run && ACTIVE.has(run.state) && data.run < run.id) return;  // an older run ending elsewhere
    await adopt(await api("GET", `/scenario-runs/${data.run}`));  // any run: from here, the CLI or the API
    return;
  }
  if (data.step) {
    runSteps[data.step.index] = data.step;
    if ((data.step.action === "fault" || data.step.action === "clear") && data.step.status !== "running") loadFaults();
  } else if (!ACTIVE.has(data.state)) {  // the run ended: its final account
    run = await api("GET", `/scenario-runs/${data.run}`);
    runSteps = run.steps;
    loadFaults(); loadHealth();
  }
  run.state = data.state;
  if (data.paused !== undefined) run.paused = data.paused;
  if (data.pace !== undefined && !run.step_mode) { run.pace = data.pace; pace = data.pace; }  // a step run has none
  renderSteps(); updateButtons();
}
