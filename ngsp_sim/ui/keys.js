// Driving the dashboard from a presenter's clicker or the keyboard: Page Down, Right and Space take the next
// step (what clickers send), Page Up and Left go back over the steps already told, Esc closes the open
// overlay. Keys typed into a field, a list or a button that uses them itself are left alone.

import { guarded } from "./api.js";
import { closeInspector } from "./inspector.js";
import { clicker } from "./player.js";

const NEXT = new Set(["PageDown", "ArrowRight", " "]);
const PREVIOUS = new Set(["PageUp", "ArrowLeft"]);
const TYPING = new Set(["INPUT", "SELECT", "TEXTAREA"]);
const ACTIVATED = new Set(["BUTTON", "A", "SUMMARY"]);  // Space presses them (Step included: it is "next")

const step = guarded(clicker);

function onKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const target = event.target;
  if (event.key === "Escape") {
    if (!document.querySelector("#inspector").hidden) { event.preventDefault(); closeInspector(); }
    return;
  }
  const forward = NEXT.has(event.key), back = PREVIOUS.has(event.key);
  if ((!forward && !back) || TYPING.has(target.tagName) || target.isContentEditable) return;
  if (event.key === " " && ACTIVATED.has(target.tagName)) return;
  event.preventDefault();
  step(forward ? 1 : -1);
}

/** Listens for the clicker's keys on the whole page. */
export function listenForKeys() { document.addEventListener("keydown", onKey); }
