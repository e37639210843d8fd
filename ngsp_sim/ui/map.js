// The connection map: every agency a box of its subsystems, the hub in the middle, and each exchange from
// the live feed animated client → hub → provider (green or red). Counters on the nodes let a trainer (and
// the browser tests) see who talked. The scenario being shown marks its actors.

import { $, clip, el } from "./dom.js";
import { language, t } from "./i18n.js";

const W = 1000, BOX_W = 186, HEAD = 22, ROW = 30;

const nodes = new Map();  // subsystem id -> { x, y, node }: where trails start and end
let hubPoint = null;
let actors = new Set();

/** Draws the agencies (from GET /agencies) in two rows, in the language shown. */
export function drawMap(agencies) {
  const svg = $("#map");
  svg.replaceChildren();
  nodes.clear();
  if (!agencies.length) return;
  const lang = language();
  const perRow = Math.ceil(agencies.length / 2);
  const rows = [agencies.slice(0, perRow), agencies.slice(perRow)];
  const height = (list) => Math.max(...list.map((a) => HEAD + ROW * a.subsystems.length + 8), 0);
  const topH = height(rows[0]), bottomH = height(rows[1]);
  const gapY = 130, H = 16 + topH + gapY + bottomH + 16;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  hubPoint = { x: W / 2, y: 16 + topH + gapY / 2 };
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
      g.append(el("svg:text", { class: "agency-name", x: x + 8, y: y + 15, text: clip(agency.name[lang], 27) },
        el("svg:title", { text: `${agency.name[lang]} (${agency.code})` })));
      agency.subsystems.forEach((sub, j) => {
        const ny = y + HEAD + j * ROW;
        const node = el("svg:g", { class: "node", "data-id": sub.id, "data-count": "0" });
        node.append(el("svg:rect", { x: x + 6, y: ny, width: BOX_W - 12, height: ROW - 6, rx: 5 }));
        node.append(el("svg:text", { x: x + 12, y: ny + 16, text: `${sub.id.split("/")[3]} · ${clip(sub.name[lang], 20)}` }));
        node.append(el("svg:title", { text: `${sub.name[lang]}\n${sub.id}` }));
        g.append(node);
        nodes.set(sub.id, { x: x + BOX_W / 2, y: r === 0 ? ny + ROW - 6 : ny, node });
      });
      svg.append(g);
    });
  });
  const hub = el("svg:g", { class: "hub-node", id: "hub-node" });
  hub.append(el("svg:circle", { cx: hubPoint.x, cy: hubPoint.y, r: 34 }));
  hub.append(el("svg:text", { x: hubPoint.x, y: hubPoint.y + 5, "text-anchor": "middle", text: t("hub") }));
  svg.append(hub);
  markActors();
}

function subsystemOf(service) { return service ? service.split("/").slice(0, 4).join("/") : null; }

/** Sends a packet along client → hub → provider for one message of the live feed. */
export function animateExchange(message) {
  const from = nodes.get(message.client), to = nodes.get(subsystemOf(message.service));
  const hub = hubPoint;
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

/** Marks the subsystems that act in the chosen scenario (its `actors`: role -> subsystem id). */
export function highlightActors(ids) {
  actors = new Set(ids);
  markActors();
}

function markActors() {
  for (const [id, n] of nodes) n.node.classList.toggle("actor", actors.has(id));
}
