// The connection map: every agency a box of its subsystems, the hub in the middle, and each exchange from
// the live feed animated to where it was decided (`decidedBy`): client → hub when NGSP refused it itself,
// client → hub → the deciding provider otherwise; green when it went through, amber when refused (a business refusal
// too, even with HTTP 200), red when it failed. Names wrap, never cut; the drawing scales with the screen.
// Counters on the nodes let a trainer (and the browser tests) see who talked. The scenario being shown marks
// its actors; injected faults and open circuit breakers mark their nodes.

import { $, el } from "./dom.js";
import { language, t } from "./i18n.js";
import { wireOf } from "./messages.js";

const W = 1000, BOX_W = 232, HEAD = 12, LINE = 16, AGENCY_CHARS = 26, NODE_CHARS = 26;

const nodes = new Map();  // subsystem id -> { x, y, node }: where trails start and end
let hubPoint = null;
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

function layout(agency, lang) {
  const name = wrap(agency.name[lang], AGENCY_CHARS);
  const subs = agency.subsystems.map((sub) => wrap(`${sub.id.split("/")[3]} · ${sub.name[lang]}`, NODE_CHARS));
  const height = HEAD + name.length * LINE + subs.reduce((h, l) => h + l.length * LINE + 12, 0) + 6;
  return { name, subs, height };
}

/** Draws the agencies (from GET /agencies) in two rows, in the language shown. */
export function drawMap(agencies) {
  const svg = $("#map");
  svg.replaceChildren();
  nodes.clear();
  if (!agencies.length) return;
  const lang = language();
  const perRow = Math.ceil(agencies.length / 2);
  const rows = [agencies.slice(0, perRow), agencies.slice(perRow)];
  const shapes = new Map(agencies.map((a) => [a, layout(a, lang)]));
  const height = (list) => Math.max(...list.map((a) => shapes.get(a).height), 0);
  const topH = height(rows[0]), bottomH = height(rows[1]);
  const gapY = 110, H = 16 + topH + gapY + bottomH + 16;
  const across = Math.max(W, Math.max(...rows.map((r) => r.length)) * (BOX_W + 12));
  svg.setAttribute("viewBox", `0 0 ${across} ${H}`);
  hubPoint = { x: across / 2, y: 16 + topH + gapY / 2 };
  const trails = el("svg:g", { id: "trails" });
  svg.append(trails);
  rows.forEach((list, r) => {
    const step = across / Math.max(list.length, 1);
    list.forEach((agency, i) => {
      const shape = shapes.get(agency);
      const x = step * i + (step - BOX_W) / 2;
      const y = r === 0 ? 16 : H - 16 - shape.height;
      const g = el("svg:g", { class: "agency", "data-member": agency.member });
      g.append(el("svg:rect", { class: "box", x, y, width: BOX_W, height: shape.height, rx: 8 }));
      g.append(textLines({ class: "agency-name", x: x + 8, y: y + HEAD + 4 }, shape.name, x + 8));
      let ny = y + HEAD + shape.name.length * LINE;
      agency.subsystems.forEach((sub, j) => {
        const lines = shape.subs[j], nodeH = lines.length * LINE + 8;
        const node = el("svg:g", { class: "node", "data-id": sub.id, "data-count": "0" });
        node.append(el("svg:rect", { x: x + 6, y: ny, width: BOX_W - 12, height: nodeH, rx: 5 }));
        node.append(textLines({ x: x + 12, y: ny + LINE - 1 }, lines, x + 12));
        node.append(el("svg:title", { text: `${sub.name[lang]}\n${sub.id}` }));
        g.append(node);
        nodes.set(sub.id, { x: x + BOX_W / 2, y: r === 0 ? ny + nodeH : ny, node });
        ny += nodeH + 4;
      });
      svg.append(g);
    });
  });
  const hub = el("svg:g", { class: "hub-node", id: "hub-node" });
  hub.append(el("svg:circle", { cx: hubPoint.x, cy: hubPoint.y, r: 34 }));
  hub.append(el("svg:text", { x: hubPoint.x, y: hubPoint.y + 6, "text-anchor": "middle", text: t("hub") }));
  svg.append(hub);
  markActors(); markTroubles();
}

function subsystemOf(service) { return service ? service.split("/").slice(0, 4).join("/") : null; }

/** Sends a packet along client → hub → provider for one message of the live feed. */
export function animateExchange(message) {
  const from = nodes.get(message.client), to = nodes.get(message.decidedBy) || nodes.get(subsystemOf(message.service));
  const hub = hubPoint;
  if (!hub) return;
  const cls = message.outcome || (message.succeeded ? "ok" : "failed");
  const atHub = message.decidedBy === "hub";
  const points = atHub ? [from || hub, hub] : [from || hub, hub, to || hub];
  $("#map").dataset.lastExchange = message.service || "";
  for (const end of atHub ? [from] : [from, to]) {
    if (!end) continue;
    end.node.dataset.count = String(Number(end.node.dataset.count) + 1);
    end.node.classList.add("active");
    setTimeout(() => end.node.classList.remove("active"), 1500);
  }
  const trails = $("#trails");
  const wire = wireOf(message) || "";
  const path = el("svg:polyline", { class: `trail ${cls} ${wire}`.trim(), "data-service": message.service || "", "data-decided-by": atHub ? "hub" : "provider",
    points: points.map((p) => `${p.x},${p.y}`).join(" ") });
  const packet = el("svg:circle", { class: `packet ${cls}`, r: 7, cx: points[0].x, cy: points[0].y });
  trails.append(path, packet);
  const started = performance.now(), duration = 1100;
  function frame(now) {
    const k = Math.min(Math.max((now - started) / duration, 0), 1);
    const legs = points.length - 1, leg = Math.min(Math.floor(k * legs), legs - 1), f = k * legs - leg;
    const a = points[leg], b = points[leg + 1];
    packet.setAttribute("cx", a.x + (b.x - a.x) * f);
    packet.setAttribute("cy", a.y + (b.y - a.y) * f);
    if (k < 1) requestAnimationFrame(frame); else setTimeout(() => { path.remove(); packet.remove(); }, 700);
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
