// Small helpers every panel uses: find a node, build a node (HTML or SVG) without innerHTML, so nothing the
// hub returns is ever parsed as markup, and shorten X-Road identifiers for narrow columns.

const SVG = "http://www.w3.org/2000/svg";

export const $ = (sel) => document.querySelector(sel);

/** A new element: `svg:` names are SVG; the attribute `text` sets the text content; null values are left out. */
export function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}


export function iso(ms) { return ms ? new Date(ms).toISOString() : "—"; }

/** A service id without its instance, class and member: `CSDLQGDC/TraCuuThongTinCongDan`. */
export function shortService(service) { return service ? service.split("/").slice(3).join("/") : "—"; }

/** Resolves after `ms` milliseconds. */
export function pause(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
