// Where the dashboard connects: `?uri=` in the page's address wins, then the `/config.json` that
// `npm start` serves (the simulator, or $MAX_WS_URI), then MAX's own endpoint. Nothing is stored.

import { MAX_WS_URI } from "maicoin-ws";

export async function loadEndpoint(location = window.location) {
  const fromQuery = new URLSearchParams(location.search).get("uri");
  if (fromQuery) return { uri: fromQuery, source: "?uri=" };
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    if (response.ok) {
      const config = await response.json();
      if (typeof config?.uri === "string" && config.uri !== "") return { uri: config.uri, source: "/config.json" };
    }
  } catch {
    // Served by some other static server: no config, so MAX's endpoint.
  }
  return { uri: MAX_WS_URI, source: "default" };
}

/** The page's initial market and resolution, from `?market=` and `?resolution=`. */
export function initialView(location = window.location) {
  const query = new URLSearchParams(location.search);
  return {
    market: (query.get("market") || "btcusdt").toLowerCase(),
    resolution: query.get("resolution") || "1m",
  };
}

/** Keeps the address bar in step with the view, so a reload or a shared link shows the same. */
export function rememberView({ market, resolution }, location = window.location) {
  const url = new URL(location.href);
  url.searchParams.set("market", market);
  url.searchParams.set("resolution", resolution);
  history.replaceState(null, "", url);
}
