// The run as a sequence diagram: one lifeline per system taking part (the callers, NGSP, the providers),
// one row per step in order: a call drawn caller → NGSP → provider, or caller → NGSP when the platform
// decided it (`decidedBy`), its end marked where the outcome was decided (✓ / ✗); other steps (narration,
// faults) as notes. Downloadable as an SVG file; printed with the run report.

import { $, el } from "./dom.js";
import { language, t } from "./i18n.js";
import { messageById, outcomeOf } from "./messages.js";

const COL = 190, ROW = 46, TOP = 56, LEFT = 20;
const HUB = "hub";
let drawn = null;  // the run last drawn (for the file name)

const subsystemOf = (service) => service.split("/").slice(0, 4).join("/");
const short = (id) => (id === HUB ? t("hub") : id.split("/").slice(2).join("/"));

/** Where a call step ended: its logged exchange's outcome and deciding node, when the page saw it. */
function exchangeOf(step) {
  const seen = (step.messages || []).map(messageById).find(Boolean);
  return { outcome: seen ? outcomeOf(seen) : step.status === "failed" ? "failed" : "ok",
           decidedBy: seen?.decidedBy || subsystemOf(step.service) };
}

/** Redraws the diagram of `run` (a ScenarioRunInfo; nothing before a run). */
export function renderTimeline(run) {
  const svg = $("#timeline");
  drawn = run;
  svg.replaceChildren();
  $("#timeline-box").hidden = !run;
  if (!run) return;
  const lang = language();
  const steps = run.steps.filter((s) => s.status !== "pending" && s.status !== "skipped");
  const lanes = [];
  const lane = (id) => { if (!lanes.includes(id)) lanes.push(id); return lanes.indexOf(id); };
  for (const s of steps) if (s.action === "call") lane(s.client);
  lane(HUB);
  for (const s of steps) if (s.action === "call") lane(subsystemOf(s.service));
  const width = LEFT * 2 + COL * lanes.length, height = TOP + ROW * (steps.length + 1);
  const x = (i) => LEFT + COL * i + COL / 2;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.append(el("svg:title", { text: `${run.title[lang]} · ${t("timeline")}` }),
    el("svg:rect", { x: 0, y: 0, width, height, fill: "#fff" }));
  lanes.forEach((id, i) => {
    svg.append(el("svg:line", { x1: x(i), y1: TOP - 10, x2: x(i), y2: height - 10, class: `lifeline ${id === HUB ? "hub" : ""}` }),
      el("svg:text", { x: x(i), y: 24, "text-anchor": "middle", class: "lane", text: short(id) }));
  });
  steps.forEach((s, r) => {
    const y = TOP + ROW * r + ROW / 2;
    const row = el("svg:g", { class: `seq ${s.action}`, "data-index": String(s.index), "data-status": s.status });
    row.append(el("svg:text", { x: 6, y: y - 14, class: "seq-title", text: `${s.index + 1}. ${s.title[lang]}` }));
    if (s.action === "call") {
      const { outcome, decidedBy } = exchangeOf(s);
      const platform = decidedBy === HUB || decidedBy === "ngsp";  // on an LGSP, `ngsp`: the tier above it
      const from = x(lane(s.client)), hub = x(lane(HUB));
      const end = platform ? hub : x(lane(subsystemOf(s.service)));
      row.dataset.outcome = outcome; row.dataset.decidedBy = platform ? decidedBy : "provider";
      row.append(el("svg:polyline", { class: `arrow ${outcome}`, points: `${from},${y} ${hub},${y} ${end},${y}` }),
        el("svg:text", { x: end, y: y + 16, "text-anchor": "middle", class: `decision ${outcome}`, text: outcome === "ok" ? "✓" : "✗" }));
    }
    svg.append(row);
  });
}

/** Offers the diagram as an SVG file (a standalone document: its styles inline). */
export function downloadTimeline() {
  const copy = $("#timeline").cloneNode(true);
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.prepend(el("svg:style", { text: STYLE }));
  const blob = new Blob([new XMLSerializer().serializeToString(copy)], { type: "image/svg+xml" });
  const link = el("a", { href: URL.createObjectURL(blob), download: `${drawn?.scenario || "run"}-timeline.svg` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}

const STYLE = `text { font: 13px sans-serif; fill: #1c2430; } .lane { font-weight: 700; }
.lifeline { stroke: #8aa0b6; stroke-dasharray: 4 4; } .lifeline.hub { stroke: #7a4cc2; stroke-width: 2; }
.arrow { fill: none; stroke-width: 2.5; } .arrow.ok { stroke: #1b7f3b; } .arrow.refused { stroke: #b26a00; }
.arrow.failed { stroke: #c62828; } .decision { font-weight: 700; } .seq-title { font-size: 12px; fill: #526070; }`;
