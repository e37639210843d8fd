// The connection map: every agency a box of its subsystems, the hub in the middle, and each exchange from
// the live feed animated to where it was decided (`decidedBy`): client → hub when NGSP refused it itself (on an
// LGSP's map: when the LGSP refused it, or the NGSP hub above it, `ngsp`),
// client → hub → the deciding provider otherwise; green when it went through, amber when refused (a business refusal
// too, even with HTTP 200), red when it failed. Names wrap, never cut; the drawing scales with the screen.
// Counters on the nodes let a trainer (and the browser tests) see who talked. The scenario being shown marks
// its actors; injected faults and open circuit breakers mark their nodes.

import { $, el } from "./dom.js";
import { language, t } from "./i18n.js";
import { wireOf } from "./messages.js";

const W = 1000, BOX_W = 232, HEAD = 12, LINE = 16, AGENCY_CHARS = 26, NODE_CHARS = 26;
const PER_ROW = 6, HUB_BAND = 118;  // agencies in a row at most; the height of NGSP's layer

const nodes = new Map();  // subsystem id -> { x, y, node }: where trails start and end
let hubPoint = null;
let axis = null;  // { x, y } of VDXP's axis when the topology has one
let platform = "ngsp";  // the tier this hub is (GET /agencies `tier`): its node reads NGSP or LGSP
let drawn = [];  // the agencies last drawn, to draw again when a run throttles a service
let carried = new Map();  // subsystem id -> its counter, kept over a redraw
let tiers = new Map();  // subsystem id -> [[service code, tier]] a running scenario assigned
const flights = new Map();  // "client service" -> exchanges of it still crossing the map
let actors = new Set();

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text, width) {
  const lines = [];
  for (const word of text.split(/\s+/)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`; else lines.push(word);
  }
  return lines;
}

function textLines(attrs, lines, x) {
  return el("svg:text", attrs, ...lines.map((line, i) => el("svg:tspan", { x, dy: i ? LINE : 0, text: line })));
}

/** Which side of NGSP an agency sits on, from its QCVN 102 code: level 1 `Hnn` is a province, anything
 *  else (`Gnn` ministries and the units under them) is national. */
export function sideOf(code) { return /^H\d+$/.test(code.split(".").pop()) ? "provincial" : "national"; }

/** A node's lines: its code and name, wrapped, then the throttling tier a run gave one of its services. */
function linesOf(sub, lang, prefix = sub.id.split("/")[3]) {
  const given = (tiers.get(sub.id) || []).flatMap(([code, tier]) => wrap(`${t("throttled", lang)}: ${tier} (${code})`, NODE_CHARS));
  return [...wrap(`${prefix} · ${sub.name[lang]}`, NODE_CHARS), ...given];
}

function layout(agency, subsystems, lang) {
  const name = wrap(agency.name[lang], AGENCY_CHARS);
  const subs = subsystems.map((sub) => linesOf(sub, lang));
  const height = HEAD + name.length * LINE + subs.reduce((h, l) => h + l.length * LINE + 12, 0) + 6;
  return { agency, subsystems, name, subs, height };
}

function rowsOf(list) {
  const rows = [];
  for (let i = 0; i < list.length; i += PER_ROW) rows.push(list.slice(i, i + PER_ROW));
  return rows;
}

/** One node: a subsystem's box with its wrapped name, counters and tooltip; `end` is where trails meet it. */
function drawNode(parent, sub, lines, x, y, width, lang, end) {
  const nodeH = lines.length * LINE + 8;
  const node = el("svg:g", { class: "node", "data-id": sub.id, "data-count": carried.get(sub.id) || "0" });
  if (tiers.has(sub.id)) node.dataset.tier = tiers.get(sub.id).map(([, tier]) => tier).join(" ");
  node.append(el("svg:rect", { x, y, width, height: nodeH, rx: 5 }));
  node.append(textLines({ x: x + 6, y: y + LINE - 1 }, lines, x + 6));
  node.append(el("svg:title", { text: `${sub.name[lang]}\n${sub.id}` }));
  parent.append(node);
  nodes.set(sub.id, { ...end(nodeH), node });
  return nodeH;
}

function drawAgency(svg, shape, x, y, lang, below) {
  const g = el("svg:g", { class: "agency", "data-member": shape.agency.member, "data-layer": sideOf(shape.agency.code) });
  g.append(el("svg:rect", { class: "box", x, y, width: BOX_W, height: shape.height, rx: 8 }));
  g.append(textLines({ class: "agency-name", x: x + 8, y: y + HEAD + 4 }, shape.name, x + 8));
  let ny = y + HEAD + shape.name.length * LINE;
  shape.subsystems.forEach((sub, j) => {
    const top = ny;
    ny += drawNode(g, sub, shape.subs[j], x + 6, ny, BOX_W - 12, lang, (h) => ({ x: x + BOX_W / 2, y: below ? top + h : top })) + 4;
  });
  svg.append(g);
}

/** Draws the topology (from GET /agencies) in its layers, in the language shown: national systems
 *  (ministries, `G` codes) above NGSP, provincial ones (`H` codes) below, an LGSP (`role: lgsp`) between
 *  its agency's systems and NGSP, and VDXP (`role: vdxp`) as an axis of its own across the middle. On a hub
 *  that runs as an LGSP (`tier`), the centre is that LGSP, and the national services it forwards sit above it. */
export function drawMap(agencies, tier = platform) {
  platform = tier;
  const svg = $("#map");
  svg.replaceChildren();
  carried = new Map([...nodes].map(([id, n]) => [id, n.node.dataset.count]));  // a redraw keeps the counters
  nodes.clear();
  drawn = agencies;
  axis = null;
  if (!agencies.length) return;
  const lang = language();
  const sides = { national: [], provincial: [] }, lgsps = { national: [], provincial: [] };
  let vdxp = null;
  for (const agency of agencies) {
    const side = sideOf(agency.code);
    const own = agency.subsystems.filter((s) => !s.role);
    for (const sub of agency.subsystems) {
      if (sub.role === "lgsp") lgsps[side].push({ agency, sub });
      else if (sub.role === "vdxp") vdxp = vdxp || sub;
    }
    if (own.length || !agency.subsystems.length) sides[side].push(layout(agency, own, lang));
  }
  const rows = { national: rowsOf(sides.national), provincial: rowsOf(sides.provincial) };
  const rowH = (row) => Math.max(...row.map((s) => s.height), 0);
  const sideH = (side) => rows[side].reduce((h, row) => h + rowH(row) + 12, 0);
  const bandH = (side) => Math.max(0, ...lgsps[side].map(({ sub }) => linesOf(sub, lang, "LGSP").length * LINE + 20));
  const across = Math.max(W, ...[...rows.national, ...rows.provincial].map((r) => r.length * (BOX_W + 12)));
  const topH = 16 + sideH("national") + bandH("national");
  const H = topH + HUB_BAND + bandH("provincial") + sideH("provincial") + 4;
  svg.setAttribute("viewBox", `0 0 ${across} ${H}`);
  hubPoint = { x: across / 2, y: topH + 38 };
  const trails = el("svg:g", { id: "trails" });
  svg.append(trails);
  const placeRows = (side, y0, below) => {
    let y = y0;
    for (const row of rows[side]) {
      const step = across / row.length, h = rowH(row);
      row.forEach((shape, i) => {
        const x = step * i + (step - BOX_W) / 2;
        drawAgency(svg, shape, x, below ? y + h - shape.height : y, lang, below);  // the nearer NGSP
        xOf.set(shape.agency.member, x);
      });
      y += h + 12;
    }
  };
  const xOf = new Map();
  placeRows("national", 16, true);
  placeRows("provincial", topH + HUB_BAND + bandH("provincial"), false);
  drawLgsps(svg, lgsps.national, xOf, 16 + sideH("national") + 6, lang);
  drawLgsps(svg, lgsps.provincial, xOf, topH + HUB_BAND + 4, lang);
  if (vdxp) drawAxis(svg, vdxp, across, hubPoint.y + 62, lang);
  const hub = el("svg:g", { class: "hub-node", id: "hub-node", "data-layer": platform });
  hub.append(el("svg:circle", { cx: hubPoint.x, cy: hubPoint.y, r: 34 }));
  const label = platform === "lgsp" ? t("hubLgsp") : t("hub");
  hub.append(el("svg:text", { x: hubPoint.x, y: hubPoint.y + 6, "text-anchor": "middle", text: label }));
  svg.append(hub);
  markActors(); markTroubles();
}

/** The LGSP tier of one side: each LGSP above (or below) its own agency's box, nearer NGSP. */
function drawLgsps(svg, list, xOf, y, lang) {
  const layer = el("svg:g", { class: "lgsp-tier", "data-layer": "lgsp" });
  list.forEach(({ agency, sub }, i) => {
    const x = xOf.get(agency.member) ?? 16 + i * (BOX_W + 12);
    drawNode(layer, sub, linesOf(sub, lang, "LGSP"), x, y, BOX_W, lang, (h) => ({ x: x + BOX_W / 2, y: y + h / 2 }));
  });
  svg.append(layer);
}

/** VDXP: a horizontal axis across the map under NGSP, which edXML exchanges travel. */
function drawAxis(svg, sub, across, y, lang) {
  const g = el("svg:g", { class: "node vdxp-axis", "data-id": sub.id, "data-count": "0", "data-layer": "vdxp" });
  g.append(el("svg:rect", { x: 8, y: y - 5, width: across - 16, height: 10, rx: 5 }));
  g.append(el("svg:text", { x: 12, y: y - 10, text: `VDXP · ${sub.name[lang]}` }));
  g.append(el("svg:title", { text: `${sub.name[lang]}\n${sub.id}` }));
  svg.append(g);
  axis = { y, x: across - 40 };
  nodes.set(sub.id, { x: axis.x, y, node: g, axis: true });
}

function subsystemOf(service) { return service ? service.split("/").slice(0, 4).join("/") : null; }

/** Sends a packet along client → hub → provider for one message of the live feed. */
export function animateExchange(message) {
  const from = nodes.get(message.client), to = nodes.get(message.decidedBy) || nodes.get(subsystemOf(message.service));
  const hub = hubPoint;
  if (!hub) return;
  const cls = message.outcome || (message.succeeded ? "ok" : "failed");
  // decided by the platform: this hub, or (on an LGSP) the NGSP hub above it, where the trail leaves the map
  const atHub = message.decidedBy === "hub" || message.decidedBy === "ngsp";
  const start = from || hub;
  // edXML travels the VDXP axis: down (or up) to it, then along it
  const points = atHub ? [start, hub] : to?.axis ? [start, { x: start.x, y: to.y }, to] : [start, hub, to || hub];
  $("#map").dataset.lastExchange = message.service || "";
  for (const end of atHub ? [from] : [from, to]) {
    if (!end) continue;
    end.node.dataset.count = String(Number(end.node.dataset.count) + 1);
    end.node.classList.add("active");
    setTimeout(() => end.node.classList.remove("active"), 1500);
  }
  const trails = $("#trails");
  const wire = wireOf(message) || "";
  const path = el("svg:polyline", { class: `trail ${cls} ${wire}`.trim(), "data-service": message.service || "", "data-decided-by": atHub ? message.decidedBy : "provider",
    points: points.map((p) => `${p.x},${p.y}`).join(" ") });
  const packet = el("svg:circle", { class: `packet ${cls}`, r: 7, cx: points[0].x, cy: points[0].y });
  trails.append(path, packet);
  // a repeated call's exchanges arrive together: each waits its turn, so the room counts them
  const key = `${message.client} ${message.service}`, order = flights.get(key) || 0;
  flights.set(key, order + 1);
  path.dataset.order = String(order);
  const started = performance.now() + order * 300, duration = 1100;
  function frame(now) {
    const k = Math.min(Math.max((now - started) / duration, 0), 1);
    const legs = points.length - 1, leg = Math.min(Math.floor(k * legs), legs - 1), f = k * legs - leg;
    const a = points[leg], b = points[leg + 1];
    packet.setAttribute("cx", a.x + (b.x - a.x) * f);
    packet.setAttribute("cy", a.y + (b.y - a.y) * f);
    if (k < 1) { requestAnimationFrame(frame); return; }
    flights.set(key, flights.get(key) - 1);
    setTimeout(() => { path.remove(); packet.remove(); }, 700);
  }
  requestAnimationFrame(frame);
}

/** Marks the subsystems that act in the chosen scenario (its `actors`: role -> subsystem id). */
export function highlightActors(ids) {
  actors = new Set(ids);
  markActors();
}

function markActors() {
  for (const [id, n] of nodes) n.node.classList.toggle("actor", actors.has(id));
}

let troubles = new Map();  // subsystem id -> "fault" | "open" | "half_open"

/** Marks the nodes that have an injected fault (on them or one of their services) or a tripped circuit. */
export function showTroubles(faults, circuits) {
  troubles = new Map();
  for (const f of faults) troubles.set(f.target.split("/").slice(0, 4).join("/"), "fault");
  for (const c of circuits) if (c.state !== "closed") troubles.set(c.provider.split("/").slice(0, 4).join("/"), c.state);
  markTroubles();
}

function markTroubles() {
  for (const [id, n] of nodes) {
    const trouble = troubles.get(id);
    if (trouble) n.node.dataset.trouble = trouble; else delete n.node.dataset.trouble;
  }
}

/** The throttling tiers a running scenario gave services (`[[service id, tier]]`, empty when none): each
 *  shows on its provider's node, which the map draws again when they change. */
export function showTiers(list) {
  const next = new Map();
  for (const [service, tier] of list) {
    const id = subsystemOf(service);
    next.set(id, [...(next.get(id) || []), [service.split("/").pop(), tier]]);
  }
  if (JSON.stringify([...next]) === JSON.stringify([...tiers])) return;
  tiers = next;
  if (drawn.length) drawMap(drawn);
}
