// Where the dashboard connects: `?uri=` in the page's address wins, then the `/config.json` that
// `npm start` serves (the simulator, or $MAX_WS_URI), then MAX's own endpoint. Nothing is stored.
// Candle history comes from the REST host that goes with that endpoint: MAX's for MAX's stream,
// the config's `rest` when the server names one, else the endpoint's own host (as the simulator).

import { MAX_REST_URL, MAX_WS_URI } from "maicoin-ws";

export async function loadEndpoint(location = window.location) {
  const fromQuery = new URLSearchParams(location.search).get("uri");
  if (fromQuery) return { uri: fromQuery, source: "?uri=", rest: restBaseFor(fromQuery) };
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    if (response.ok) {
      const config = await response.json();
      if (typeof config?.uri === "string" && config.uri !== "") {
        const rest = typeof config.rest === "string" && config.rest !== "" ? config.rest : restBaseFor(config.uri);
        return { uri: config.uri, source: "/config.json", rest };
      }
    }
  } catch {
    // Served by some other static server: no config, so MAX's endpoint.
  }
  return { uri: MAX_WS_URI, source: "default", rest: MAX_REST_URL };
}

/** The REST base URL that serves k-lines beside the WebSocket endpoint `uri`. */
export function restBaseFor(uri) {
  let url;
  try {
    url = new URL(uri);
  } catch {
    return MAX_REST_URL;
  }
  if (url.host === new URL(MAX_WS_URI).host) return MAX_REST_URL;
  return `${url.protocol === "wss:" ? "https:" : "http:"}//${url.host}`;
}

export const TABS = ["markets", "account"];

const TRANSPORTS = ["direct", "worker", "shared"];

/**
 * The Stream transport: "shared" (one socket for every tab of the dashboard, in a SharedWorker)
 * unless `?transport=direct` or `?transport=worker` says otherwise.
 */
export function pageTransport(location = window.location) {
  const asked = new URLSearchParams(location.search).get("transport");
  return TRANSPORTS.includes(asked) ? asked : "shared";
}

/** The page's initial market, resolution and tab, from `?market=`, `?resolution=` and `?tab=`. */
export function initialView(location = window.location) {
  const query = new URLSearchParams(location.search);
  const tab = query.get("tab");
  return {
    market: (query.get("market") || "btcusdt").toLowerCase(),
    resolution: query.get("resolution") || "1m",
    tab: TABS.includes(tab) ? tab : TABS[0],
  };
}

/** Keeps the address bar in step with the view, so a reload or a shared link shows the same. */
export function rememberView({ market, resolution, tab }, location = window.location) {
  const url = new URL(location.href);
  url.searchParams.set("market", market);
  url.searchParams.set("resolution", resolution);
  url.searchParams.set("tab", tab);
  history.replaceState(null, "", url);
}
