// ngsp-sim dashboard: plain JavaScript, no framework, no build step, nothing fetched from elsewhere.
// Everything it shows comes from the admin API (/api/v1), called with the admin token.
"use strict";

const I18N = {
  vi: {
    title: "Bảng điều khiển nền tảng tích hợp", offline: "mất kết nối", online: "trực tuyến",
    large: "Chữ lớn (máy chiếu)", loginTitle: "Khóa quản trị", token: "Khóa quản trị (admin token)",
    loginHelp: "Nhập khóa quản trị mà hub in ra khi khởi động (hoặc NGSP_SIM_ADMIN_TOKEN).",
    connect: "Kết nối", badToken: "Khóa không đúng.", map: "Bản đồ kết nối",
    scenarios: "Kịch bản", play: "▶ Chạy", step: "» Từng bước", next: "» Bước tiếp", stop: "■ Dừng",
    messages: "Bản tin", health: "Tình trạng dịch vụ", faults: "Lỗi giả lập", filterText: "Lọc theo bên gọi, dịch vụ, mã lỗi…",
    all: "Tất cả", ok: "Thành công", failed: "Thất bại", time: "Thời điểm", client: "Bên gọi", service: "Dịch vụ",
    status: "Trạng thái", ms: "ms", okCount: "Thành công", failedCount: "Thất bại", avgMs: "TB (ms)",
    maxMs: "Tối đa (ms)", faultId: "Mã lỗi giả lập", target: "Đích", kind: "Loại", hits: "Số lần",
    inject: "Gây lỗi", clear: "Gỡ", inspector: "Chi tiết bản tin", close: "Đóng", hub: "NGSP",
    record: "Tiêu đề và bản ghi", timings: "Thời gian", violations: "Vi phạm lược đồ",
    clientRequest: "Yêu cầu của bên gọi (trước bộ chuyển đổi)", providerRequest: "Yêu cầu gửi nhà cung cấp (sau bộ chuyển đổi)",
    providerResponse: "Trả lời của nhà cung cấp (gốc)", clientResponse: "Trả lời cho bên gọi",
    total: "Tổng", provider: "Nhà cung cấp", overhead: "Nền tảng", noBody: "(không có nội dung)",
    waitingLog: "Đang chờ nhật ký ghi bản tin…", shown: "bản tin",
    state_running: "Đang chạy", state_waiting: "Chờ bước tiếp", state_passed: "Đạt", state_failed: "Không đạt",
    state_stopped: "Đã dừng", state_abandoned: "Bị bỏ dở (hết thời gian chờ)", stepsPassed: "bước đạt",
  },
  en: {
    title: "Integration platform dashboard", offline: "disconnected", online: "live",
    large: "Large type (projector)", loginTitle: "Admin token", token: "Admin token",
    loginHelp: "Enter the admin token the hub printed when it started (or NGSP_SIM_ADMIN_TOKEN).",
    connect: "Connect", badToken: "That token is not valid.", map: "Connection map",
    scenarios: "Scenarios", play: "▶ Play", step: "» Step", next: "» Next step", stop: "■ Stop",
    messages: "Messages", health: "Service health", faults: "Injected faults", filterText: "Filter by client, service, fault…",
    all: "All", ok: "Succeeded", failed: "Failed", time: "Time", client: "Client", service: "Service",
    status: "Status", ms: "ms", okCount: "Succeeded", failedCount: "Failed", avgMs: "Avg (ms)",
    maxMs: "Max (ms)", faultId: "Fault id", target: "Target", kind: "Kind", hits: "Hits",
    inject: "Inject", clear: "Clear", inspector: "Message inspector", close: "Close", hub: "NGSP",
    record: "Headers and record", timings: "Timings", violations: "Schema violations",
    clientRequest: "Client request (before the adapter)", providerRequest: "Provider request (after the adapter)",
    providerResponse: "Provider response (native)", clientResponse: "Client response",
    total: "Total", provider: "Provider", overhead: "Platform", noBody: "(no body)",
    waitingLog: "Waiting for the message log…", shown: "messages",
    state_running: "Running", state_waiting: "Waiting for the next step", state_passed: "Passed",
    state_failed: "Failed", state_stopped: "Stopped", state_abandoned: "Abandoned (nobody took the next step)",
    stepsPassed: "steps passed",
  },
};

const state = {
  token: sessionStorage.getItem("ngsp-token") || "",
  lang: localStorage.getItem("ngsp-lang") || "vi",
  agencies: [], nodes: new Map(), hubPoint: null,
  scenarios: [], scenario: null, run: null, runSteps: [],
  messages: [], lastEventId: 0, early: new Map(),
};

const $ = (sel) => document.querySelector(sel);
const t = (key) => (I18N[state.lang] || I18N.en)[key] || key;
const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

// ---- admin API ----------------------------------------------------------------------------------
async function api(method, path, body) {
  const init = { method, headers: { Authorization: `Bearer ${state.token}` } };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const resp = await fetch(`/api/v1${path}`, init);
  if (resp.status === 401) { showLogin(t("badToken")); throw new Error("unauthorized"); }
  const data = resp.headers.get("Content-Type")?.includes("json") ? await resp.json() : null;
  if (!resp.ok) throw new Error(data?.message || `HTTP ${resp.status}`);
  return data;
}

// ---- language and type size ---------------------------------------------------------------------
function applyLanguage() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  for (const node of document.querySelectorAll("[data-i18n-aria]")) node.setAttribute("aria-label", t(node.dataset.i18nAria));
  for (const b of document.querySelectorAll("button.lang")) b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang));
  drawMap(); renderScenarioList(); renderSteps(); renderMessages(); fillTargets();
  setConn($("#conn").classList.contains("on"));
}

function setLanguage(lang) { state.lang = lang; localStorage.setItem("ngsp-lang", lang); applyLanguage(); }

function setLarge(on) {
  document.body.classList.toggle("large", on);
  $("#large").setAttribute("aria-pressed", String(on));
  localStorage.setItem("ngsp-large", on ? "1" : "");
}

function setConn(on) { const c = $("#conn"); c.classList.toggle("on", on); c.classList.toggle("off", !on); c.textContent = t(on ? "online" : "offline"); }

// ---- login --------------------------------------------------------------------------------------
function showLogin(message) { $("#login").hidden = false; $("#login-error").textContent = message || ""; $("#token").focus(); }

async function login(token) {
  state.token = token;
  try { await api("GET", "/agencies"); } catch { return false; }
  sessionStorage.setItem("ngsp-token", token);
  $("#login").hidden = true;
  return true;
}

// ---- map ----------------------------------------------------------------------------------------
const W = 1000, BOX_W = 186, HEAD = 22, ROW = 30;

function drawMap() {
  const svg = $("#map");
  svg.replaceChildren();
  state.nodes.clear();
  const agencies = state.agencies;
  if (!agencies.length) return;
  const perRow = Math.ceil(agencies.length / 2);
  const rows = [agencies.slice(0, perRow), agencies.slice(perRow)];
  const height = (list) => Math.max(...list.map((a) => HEAD + ROW * a.subsystems.length + 8), 0);
  const topH = height(rows[0]), bottomH = height(rows[1]);
  const gapY = 130, H = 16 + topH + gapY + bottomH + 16;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  state.hubPoint = { x: W / 2, y: 16 + topH + gapY / 2 };
  const trails = el("svg:g", { id: "trails" });
  svg.append(trails);
  rows.forEach((list, r) => {
    const step = W / Math.max(list.length, 1);
    list.forEach((agency, i) => {
      const boxH = HEAD + ROW * agency.subsystems.length + 8;
      const x = step * i + (step - BOX_W) / 2;
      const y = r === 0 ? 16 : H - 16 - boxH;
      const g = el("svg:g", { class: "agency", "data-member": agency.member });
      g.append(el("svg:rect", { class: "box", x, y, width: BOX_W, height: boxH, rx: 8 }));
      g.append(el("svg:text", { class: "agency-name", x: x + 8, y: y + 15, text: clip(agency.name[state.lang], 27) },
        el("svg:title", { text: `${agency.name[state.lang]} (${agency.code})` })));
      agency.subsystems.forEach((sub, j) => {
        const ny = y + HEAD + j * ROW;
        const node = el("svg:g", { class: "node", "data-id": sub.id, "data-count": "0" });
        node.append(el("svg:rect", { x: x + 6, y: ny, width: BOX_W - 12, height: ROW - 6, rx: 5 }));
        node.append(el("svg:text", { x: x + 12, y: ny + 16, text: `${sub.id.split("/")[3]} · ${clip(sub.name[state.lang], 20)}` }));
        node.append(el("svg:title", { text: `${sub.name[state.lang]}\n${sub.id}` }));
        g.append(node);
        state.nodes.set(sub.id, { x: x + BOX_W / 2, y: r === 0 ? ny + ROW - 6 : ny, node });
      });
      svg.append(g);
    });
  });
  const hub = el("svg:g", { class: "hub-node", id: "hub-node" });
  hub.append(el("svg:circle", { cx: state.hubPoint.x, cy: state.hubPoint.y, r: 34 }));
  hub.append(el("svg:text", { x: state.hubPoint.x, y: state.hubPoint.y + 5, "text-anchor": "middle", text: t("hub") }));
  svg.append(hub);
  highlightActors();
}

function clip(text, n) { return text.length > n ? `${text.slice(0, n - 1)}…` : text; }

function subsystemOf(service) { return service ? service.split("/").slice(0, 4).join("/") : null; }

function animateExchange(message) {
  const from = state.nodes.get(message.client), to = state.nodes.get(subsystemOf(message.service));
  const hub = state.hubPoint;
  if (!hub) return;
  const cls = message.succeeded ? "ok" : "failed";
  const points = [from || hub, hub, to || hub];
  for (const end of [from, to]) {
    if (!end) continue;
    end.node.dataset.count = String(Number(end.node.dataset.count) + 1);
    end.node.classList.add("active");
    setTimeout(() => end.node.classList.remove("active"), 1500);
  }
  const trails = $("#trails");
  const path = el("svg:polyline", { class: `trail ${cls}`, points: points.map((p) => `${p.x},${p.y}`).join(" ") });
  const packet = el("svg:circle", { class: `packet ${cls}`, r: 7, cx: points[0].x, cy: points[0].y });
  trails.append(path, packet);
  const started = performance.now(), duration = 1100;
  function frame(now) {
    const k = Math.min((now - started) / duration, 1);
    const leg = k < 0.5 ? 0 : 1, f = k < 0.5 ? k * 2 : (k - 0.5) * 2;
    const a = points[leg], b = points[leg + 1];
    packet.setAttribute("cx", a.x + (b.x - a.x) * f);
    packet.setAttribute("cy", a.y + (b.y - a.y) * f);
    if (k < 1) requestAnimationFrame(frame); else setTimeout(() => { path.remove(); packet.remove(); }, 700);
  }
  requestAnimationFrame(frame);
}

function highlightActors() {
  const clients = new Set(state.scenario ? Object.values(state.scenario.actors) : []);
  for (const [id, n] of state.nodes) n.node.classList.toggle("actor", clients.has(id));
}

// ---- messages -----------------------------------------------------------------------------------
function fromSummary(item) {
  const r = item.record;
  return { messageId: r.messageId, client: item.client, service: item.service, status: r.statusCode,
           succeeded: r.succeeded, faultCode: r.faultCode, ms: (r.responseOutTs ?? r.requestInTs) - r.requestInTs,
           requestInTs: r.requestInTs, storeId: item.id };
}

function addMessage(message) {
  if (state.messages.some((m) => m.messageId === message.messageId)) return;
  state.messages.unshift(message);
  if (state.messages.length > 500) state.messages.length = 500;
  renderMessages();
}

function shortService(service) { return service ? service.split("/").slice(3).join("/") : "—"; }

function renderMessages() {
  const text = $("#f-text").value.trim().toLowerCase(), status = $("#f-status").value;
  const rows = state.messages.filter((m) => {
    if (status === "ok" && !m.succeeded) return false;
    if (status === "failed" && m.succeeded) return false;
    if (!text) return true;
    return [m.client, m.service, m.faultCode, m.messageId].some((v) => (v || "").toLowerCase().includes(text));
  });
  const body = $("#messages tbody");
  body.replaceChildren(...rows.slice(0, 200).map((m) => {
    const tr = el("tr", { "data-message-id": m.messageId, class: m.succeeded ? "ok" : "failed" },
      el("td", { text: new Date(m.requestInTs).toLocaleTimeString(state.lang === "vi" ? "vi-VN" : "en-GB") }),
      el("td", { text: m.client ? m.client.split("/").slice(2).join("/") : "—" }),
      el("td", { text: shortService(m.service) }),
      el("td", { class: `status ${m.succeeded ? "ok" : "failed"}`, text: `${m.status ?? ""} ${m.faultCode || ""}`.trim() }),
      el("td", { text: String(m.ms ?? "") }));
    tr.addEventListener("click", () => inspect(m));
    return tr;
  }));
  $("#message-count").textContent = `${rows.length} ${t("shown")}`;
}

async function loadMessages() {
  const page = await api("GET", "/messages?limit=100");  // merged with what the live feed already brought
  const known = new Set(state.messages.map((m) => m.messageId));
  state.messages.push(...page.items.map(fromSummary).filter((m) => !known.has(m.messageId)));
  state.messages.sort((a, b) => b.requestInTs - a.requestInTs);
  renderMessages();
}

// ---- inspector ----------------------------------------------------------------------------------
async function inspect(message) {
  const panel = $("#inspector"), body = $("#inspector-body");
  panel.hidden = false;
  body.replaceChildren(el("p", { class: "muted", text: t("waitingLog") }));
  let id = message.storeId;
  for (let attempt = 0; id === undefined && attempt < 20; attempt += 1) {  // the log writes in batches
    const page = await api("GET", `/messages?message_id=${encodeURIComponent(message.messageId)}&limit=1`);
    if (page.items.length) id = page.items[0].id; else await new Promise((r) => setTimeout(r, 250));
  }
  if (id === undefined) return;
  message.storeId = id;
  renderInspector(await api("GET", `/messages/${id}`));
}

function renderInspector(detail) {
  const r = detail.record, body = $("#inspector-body");
  const kv = (pairs) => el("table", { class: "kv" }, el("tbody", {}, ...pairs.map(([k, v]) => el("tr", {}, el("td", { text: k }), el("td", { text: v ?? "—" })))));
  const total = (r.responseOutTs ?? r.requestInTs) - r.requestInTs;
  const provider = r.responseInTs && r.requestOutTs ? r.responseInTs - r.requestOutTs : null;
  const violations = detail.violations || [];
  const parts = [
    el("h3", { text: t("record") }),
    kv([["X-Road-Id (messageId)", r.messageId], ["X-Road-Client", detail.client], ["X-Road-Service", detail.service],
        [t("status"), `${r.statusCode ?? ""} ${r.succeeded ? "✓" : "✗"}`], ["X-Road-Error (faultCode)", r.faultCode],
        ["faultString", r.faultString], [`${r.restMethod} ${r.restPath}`, ""],
        ["provider", `${r.providerMethod ?? ""} ${r.providerPath ?? ""} → ${r.providerStatus ?? "—"}`],
        ["traceId", r.traceId], ["injected", detail.injected]]),
    el("h3", { text: t("timings") }),
    kv([[t("total"), `${total} ms`], [t("provider"), provider === null ? "—" : `${provider} ms`],
        [t("overhead"), provider === null ? "—" : `${total - provider} ms`],
        ["requestInTs", iso(r.requestInTs)], ["requestOutTs", iso(r.requestOutTs)],
        ["responseInTs", iso(r.responseInTs)], ["responseOutTs", iso(r.responseOutTs)]]),
  ];
  if (violations.length) {
    parts.push(el("h3", { text: t("violations") }),
      el("ul", { class: "violations" }, ...violations.map((v) => el("li", { text: `${v.pointer || "/"}: ${v.message}` }))));
  }
  const pane = (key, label) => el("div", {}, el("h3", { text: t(label) }), renderBody(detail.bodies[key], key === "client_request" ? violations : []));
  parts.push(el("div", { class: "bodies" }, pane("client_request", "clientRequest"), pane("provider_request", "providerRequest"),
    pane("provider_response", "providerResponse"), pane("client_response", "clientResponse")));
  body.replaceChildren(...parts);
}

function iso(ms) { return ms ? new Date(ms).toISOString() : "—"; }

function renderBody(body, violations) {
  const pre = el("pre", { class: "body" });
  if (!body) { pre.textContent = t("noBody"); return pre; }
  const text = body.text ?? atob(body.data || "");
  let data;
  try { data = JSON.parse(text); } catch { pre.textContent = text; return pre; }
  const marks = new Map(violations.map((v) => [v.pointer || "", v.message]));
  pre.append(jsonNode(data, "", 0, marks));
  return pre;
}

// JSON pretty-printed into spans, each value tagged with its JSON pointer, violations highlighted.
function jsonNode(value, pointer, depth, marks) {
  const wrap = el("span", { "data-pointer": pointer });
  if (marks.has(pointer)) { wrap.classList.add("violation"); wrap.title = marks.get(pointer); }
  const pad = "  ".repeat(depth + 1), end = "  ".repeat(depth);
  if (Array.isArray(value) || (value && typeof value === "object")) {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    wrap.append(Array.isArray(value) ? "[" : "{");
    entries.forEach(([k, v], i) => {
      const child = `${pointer}/${String(k).replace(/~/g, "~0").replace(/\//g, "~1")}`;
      const line = el("span", { "data-pointer": child });
      line.append(`\n${pad}`, Array.isArray(value) ? "" : `${JSON.stringify(k)}: `, jsonNode(v, child, depth + 1, marks), i < entries.length - 1 ? "," : "");
      if (marks.has(child)) { line.classList.add("violation"); line.title = marks.get(child); }
      wrap.append(line);
    });
    wrap.append(entries.length ? `\n${end}` : "", Array.isArray(value) ? "]" : "}");
  } else {
    wrap.append(JSON.stringify(value));
  }
  return wrap;
}

// ---- health and faults --------------------------------------------------------------------------
async function loadHealth() {
  const report = await api("GET", "/health?period=3600");
  $("#health tbody").replaceChildren(...report.services.map((s) => el("tr", { "data-service": s.service },
    el("td", { text: shortService(s.service) }), el("td", { text: String(s.successfulRequestCount) }),
    el("td", { text: String(s.unsuccessfulRequestCount) }),
    el("td", { text: s.requestAverageDuration === null ? "—" : s.requestAverageDuration.toFixed(1) }),
    el("td", { text: String(s.requestMaxDuration ?? "—") }))));
}

async function loadFaults() {
  const list = await api("GET", "/faults");
  $("#faults tbody").replaceChildren(...list.items.map((f) => {
    const clear = el("button", { type: "button", class: "clear-fault", text: t("clear") });
    clear.addEventListener("click", async () => { await api("DELETE", `/faults/${encodeURIComponent(f.id)}`); loadFaults(); });
    return el("tr", { "data-fault": f.id }, el("td", { text: f.id }), el("td", { text: f.target }), el("td", { text: f.kind }),
      el("td", { text: String(f.hits) }), el("td", {}, clear));
  }));
}

function fillTargets() {
  const select = $("#fault-target"), current = select.value;
  const options = [];
  for (const agency of state.agencies) {
    for (const sub of agency.subsystems) {
      if (!sub.services.length) continue;
      options.push(el("option", { value: sub.id, text: `${sub.id} (${sub.name[state.lang]})` }));
      for (const code of sub.services) options.push(el("option", { value: `${sub.id}/${code}`, text: `  ${sub.id}/${code}` }));
    }
  }
  select.replaceChildren(...options);
  if (current) select.value = current;
}

async function injectFault(event) {
  event.preventDefault();
  const id = $("#fault-id").value.trim();
  $("#fault-error").textContent = "";
  try {
    await api("PUT", `/faults/${encodeURIComponent(id)}`, { id, target: $("#fault-target").value, kind: $("#fault-kind").value });
    await loadFaults();
  } catch (err) { $("#fault-error").textContent = err.message; }
}

// ---- scenario player ----------------------------------------------------------------------------
function renderScenarioList() {
  const select = $("#scenario-select"), current = select.value;
  select.replaceChildren(...state.scenarios.map((s) => el("option", { value: s.name, text: s.title[state.lang] })));
  if (current) select.value = current;
  $("#scenario-summary").textContent = state.scenario?.summary?.[state.lang] || "";
}

async function chooseScenario(name) {
  state.scenario = await api("GET", `/scenarios/${encodeURIComponent(name)}`);
  state.run = null;
  state.runSteps = state.scenario.items.map((s) => ({ ...s, status: "pending" }));
  $("#narration").textContent = "";
  $("#run-state").textContent = "";
  renderScenarioList(); renderSteps(); highlightActors(); updateButtons();
}

function renderSteps() {
  $("#steps").replaceChildren(...state.runSteps.map((s) => {
    const li = el("li", { class: s.status, "data-status": s.status, "data-index": String(s.index) },
      el("span", { class: "title", text: s.title[state.lang] }));
    if (s.detail && (s.status === "failed" || s.status === "passed")) li.append(el("span", { class: "detail", text: s.detail }));
    return li;
  }));
  const live = state.runSteps.find((s) => s.status === "running" || s.status === "waiting");
  if (live) $("#narration").textContent = live.say ? live.say[state.lang] : live.title[state.lang];
  if (state.run) {
    const passed = state.runSteps.filter((s) => s.status === "passed").length;
    $("#run-state").textContent = `${t(`state_${state.run.state}`)} · ${passed}/${state.runSteps.length} ${t("stepsPassed")}`;
    $("#run-state").dataset.state = state.run.state;
  }
}

function updateButtons() {
  const active = state.run && (state.run.state === "running" || state.run.state === "waiting");
  $("#play").disabled = Boolean(active);
  $("#stop").disabled = !active;
  $("#step").textContent = state.run?.state === "waiting" ? t("next") : t("step");
  $("#step").disabled = Boolean(active) && state.run.state !== "waiting";
}

async function startRun(stepMode) {
  if (stepMode && state.run?.state === "waiting") { await api("POST", `/scenario-runs/${state.run.id}/next`); return; }
  const run = await api("POST", "/scenario-runs", { scenario: state.scenario.name, step: stepMode });
  state.run = run;
  state.runSteps = run.steps;
  renderSteps(); updateButtons();
  const early = state.early.get(run.id) || [];  // a fast run may have moved on before the answer came
  state.early.clear();
  for (const data of early) await onScenarioEvent(data);
}

async function onScenarioEvent(data) {
  if (!state.run || data.run !== state.run.id) {
    if (!state.early.has(data.run)) state.early.set(data.run, []);
    if (state.early.size > 20) state.early.delete(state.early.keys().next().value);  // other people's runs
    state.early.get(data.run).push(data);
    return;
  }
  if (data.step) {
    state.runSteps[data.step.index] = data.step;
    if ((data.step.action === "fault" || data.step.action === "clear") && data.step.status === "passed") loadFaults();
  } else if (data.state !== "running" && data.state !== "waiting") {  // the run ended: its final account
    const run = await api("GET", `/scenario-runs/${data.run}`);
    state.runSteps = run.steps;
    loadFaults(); loadHealth();
  }
  state.run.state = data.state;
  renderSteps(); updateButtons();
}

// ---- live feed ----------------------------------------------------------------------------------
function onEvent(kind, data) {
  if (kind === "message") { addMessage(data); animateExchange(data); scheduleHealth(); }
  else if (kind === "scenario") onScenarioEvent(data);
}

let healthTimer = null;
function scheduleHealth() { if (!healthTimer) healthTimer = setTimeout(() => { healthTimer = null; loadHealth(); }, 1000); }

let streamConnected;
const connected = new Promise((resolve) => { streamConnected = resolve; });

async function stream() {
  for (;;) {
    try {
      const query = state.lastEventId ? `?after=${state.lastEventId}` : "";
      const resp = await fetch(`/api/v1/events${query}`, { headers: { Authorization: `Bearer ${state.token}` } });
      if (resp.status === 401) { showLogin(t("badToken")); return; }
      setConn(true);
      streamConnected();  // subscribed: the hub sends headers only once it listens for us
      const reader = resp.body.getReader(), decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const chunk = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let kind = "message", data = "", id = null;
          for (const line of chunk.split("\n")) {
            if (line.startsWith("event:")) kind = line.slice(6).trim();
            else if (line.startsWith("data:")) data += line.slice(5).trim();
            else if (line.startsWith("id:")) id = Number(line.slice(3).trim());
          }
          if (id) state.lastEventId = id;
          if (data) onEvent(kind, JSON.parse(data));
        }
      }
    } catch { /* reconnect below */ }
    setConn(false);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

// ---- start --------------------------------------------------------------------------------------
async function start() {
  const [agencies, scenarios] = await Promise.all([api("GET", "/agencies"), api("GET", "/scenarios")]);
  state.agencies = agencies.items;
  state.scenarios = scenarios.items;
  applyLanguage();
  if (state.scenarios.length) await chooseScenario(state.scenarios[0].name);
  stream();
  await connected;  // first the live feed, then the log: nothing falls between the two
  await Promise.all([loadMessages(), loadHealth(), loadFaults()]);
  document.body.dataset.ready = "true";
}

function wire() {
  for (const b of document.querySelectorAll("button.lang")) b.addEventListener("click", () => setLanguage(b.dataset.lang));
  $("#large").addEventListener("click", () => setLarge(!document.body.classList.contains("large")));
  $("#login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (await login($("#token").value.trim())) start(); else showLogin(t("badToken"));
  });
  $("#scenario-select").addEventListener("change", (e) => chooseScenario(e.target.value));
  $("#play").addEventListener("click", () => startRun(false));
  $("#step").addEventListener("click", () => startRun(true));
  $("#stop").addEventListener("click", () => state.run && api("DELETE", `/scenario-runs/${state.run.id}`));
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

document.addEventListener("DOMContentLoaded", async () => {
  wire();
  setLarge(Boolean(localStorage.getItem("ngsp-large")));
  applyLanguage();
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("token")) {  // a link from the hub's banner: take the token, then drop it from the address bar
    state.token = fragment.get("token");
    history.replaceState(null, "", location.pathname);
  }
  if (state.token && await login(state.token)) start(); else showLogin();
});
