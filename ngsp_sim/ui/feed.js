// The live feed: the admin API's server-sent events (/api/v1/events), read with fetch because EventSource
// cannot send the admin token. Reconnects on its own and resumes after the last event it saw; the header's
// badge says whether it is connected.

import { authorization, showLogin } from "./api.js";
import { $, pause } from "./dom.js";
import { t } from "./i18n.js";

let lastEventId = 0;
let streamConnected;

/** Resolves once the hub listens for us: from then on no exchange can fall between the feed and the log. */
export const connected = new Promise((resolve) => { streamConnected = resolve; });

export function setConn(on) {
  const c = $("#conn");
  c.classList.toggle("on", on); c.classList.toggle("off", !on); c.textContent = t(on ? "online" : "offline");
}

export function isConnected() { return $("#conn").classList.contains("on"); }

/** Reads the feed for ever, calling onEvent(kind, data) for each event ("message", "scenario"). */
export async function stream(onEvent) {
  for (;;) {
    try {
      const query = lastEventId ? `?after=${lastEventId}` : "";
      const resp = await fetch(`/api/v1/events${query}`, { headers: authorization() });
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
          if (id) lastEventId = id;
          if (data) onEvent(kind, JSON.parse(data));
        }
      }
    } catch { /* reconnect below */ }
    setConn(false);
    await pause(2000);
  }
}
