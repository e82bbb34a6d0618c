// The dashboard: one Stream to the endpoint (by default on the "shared" transport, so every tab of
// it shares one socket in a SharedWorker), one book kept in wasm for the current market, and the
// views fed from it. Switching market closes the old book and unsubscribes the old market's
// channels before subscribing the new ones; book frames go to the book, never to the handler.
// The chart's history comes from one REST request per market or resolution shown.

import { Stream, Resolution, fetchKlines } from "maicoin-ws";
import { TABS, initialView, loadEndpoint, pageTransport, rememberView } from "./config.js";
import { Ladder } from "./ladder.js";
import { Tape } from "./tape.js";
import { TickerStrip } from "./ticker.js";
import { CandleChart } from "./chart.js";
import { DepthChart } from "./depth.js";
import { ConnectionPanel } from "./status.js";
import { HealthPanel } from "./health.js";
import { MarketList } from "./markets.js";
import { AccountPanel } from "./account.js";
import { groupDigits, marketLabel } from "./format.js";

const DEPTH = 20;
// Candles asked for on each switch: the chart fits 200 into its width, the rest are there to zoom out to.
const HISTORY = 300;
const $ = (selector) => document.querySelector(selector);

const endpoint = await loadEndpoint();
const transport = pageTransport();
const view = initialView();
if (!Object.values(Resolution).includes(view.resolution)) view.resolution = "1m";

const ladder = new Ladder($("#book"), DEPTH);
const tape = new Tape($("#tape"));
const ticker = new TickerStrip($("#ticker"));
const chart = new CandleChart($("#chart"));
const depth = new DepthChart($("#depth"));

let panel;
const stream = new Stream({
  uri: endpoint.uri,
  transport,
  onStateChange: (state) => panel?.showState(state),
  onConnected: () => panel?.note("connected", "good"),
  onDisconnected: (error) => panel?.note(`disconnected: ${error?.message ?? "closed"}`, "bad"),
  onReconnecting: () => panel?.note("reconnecting…", "warn"),
  onPermanentFailure: (error) => panel?.note(`gave up: ${error?.message ?? error}`, "bad"),
  onDecodeError: (error) => panel?.note(`skipped a frame: ${error.message}`, "warn"),
  onHandlerError: (error) => console.error("dashboard handler failed", error),
});
panel = new ConnectionPanel($("#connection"), stream, endpoint);
const health = new HealthPanel($("#health"), stream);
const markets = new MarketList($("#markets"), $("#market"), view.market, (market) => switchMarket(market));

/** The public channels the current view has, besides its book. */
const channelsOf = ({ market, resolution }) => [
  { channel: "trade", market },
  { channel: "ticker", market },
  { channel: "kline", market, resolution },
];

let book = null;

function precisions() {
  const status = markets.status(view.market);
  return { price: status?.quoteUnitPrecision, size: status?.baseUnitPrecision ?? 0 };
}

function openMarket() {
  const { size, price } = precisions();
  ladder.reset(size);
  tape.reset(size);
  ticker.reset();
  depth.reset();
  chart.show(view.market, view.resolution);
  if (price !== undefined) chart.setPriceDecimals(price);
  loadHistory(view);
  markets.select(view.market);
  $("#book-title").textContent = `Order book · ${view.market.toUpperCase()}`;
  // onChange fires at most once per animation frame; one snapshot feeds both views.
  book = stream.book(view.market, {
    depth: DEPTH,
    onChange: (changed) => {
      const snapshot = changed.snapshot(DEPTH);
      ladder.render(snapshot);
      depth.render(snapshot);
    },
  });
  stream.subscribe(channelsOf(view));
  rememberView(view);
}

/** One REST request for the series now shown; if it fails the chart says so and the stream goes on. */
async function loadHistory({ market, resolution }) {
  chart.historyState(market, resolution, "loading");
  try {
    const candles = await fetchKlines(market, { resolution, limit: HISTORY, baseUrl: endpoint.rest });
    chart.history(market, resolution, candles);
    chart.historyState(market, resolution, "loaded");
  } catch (error) {
    // A malformed row spoils only itself: the rows that were fine come with the error.
    if (Array.isArray(error.candles)) chart.history(market, resolution, error.candles);
    chart.historyState(market, resolution, "failed", error.message);
  }
}

function switchMarket(market) {
  if (market === view.market) return;
  book.close();
  stream.unsubscribe(channelsOf(view));
  view.market = market;
  openMarket();
  panel.note(`market ${market.toUpperCase()}`);
}

function switchResolution(resolution) {
  if (resolution === view.resolution) return;
  stream.unsubscribe([{ channel: "kline", market: view.market, resolution: view.resolution }]);
  view.resolution = resolution;
  stream.subscribe([{ channel: "kline", market: view.market, resolution }]);
  chart.show(view.market, resolution);
  loadHistory(view);
  showResolutions();
  rememberView(view);
}

function showResolutions() {
  for (const button of $("#resolutions").children) {
    button.setAttribute("aria-pressed", String(button.dataset.resolution === view.resolution));
  }
}

$("#resolutions").replaceChildren(
  ...Object.values(Resolution).map((resolution) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = resolution;
    button.dataset.resolution = resolution;
    button.addEventListener("click", () => switchResolution(resolution));
    return button;
  }),
);
showResolutions();

// Channel data of an earlier market can still arrive just after a switch; it is not shown.
function route(response) {
  switch (response.channel) {
    case "trade":
      if (response.market !== view.market) return;
      if (response.event === "snapshot") tape.snapshot(response.trades);
      else tape.update(response.trades);
      return;
    case "ticker": {
      if (response.market !== view.market) return;
      const last = ticker.show(response.ticker, markets.status(view.market)?.baseUnit);
      document.title = `${groupDigits(last)} · ${view.market.toUpperCase()} · MAX dashboard`;
      return;
    }
    case "kline":
      chart.add(response.kline);
      return;
    case "market_status": {
      markets.show(response.marketStatus);
      const { size, price } = precisions();
      ladder.setSizePlaces(size);
      tape.setSizePlaces(size);
      if (price !== undefined) chart.setPriceDecimals(price);
      return;
    }
    default:
      if (response.event === "error") panel.note(`server: ${(response.errors ?? []).join("; ")}`, "bad");
  }
}

// The private panel gets a stream of its own, so signing out (closing it) leaves the market
// data running and forgets the credentials with it.
new AccountPanel($("#account"), {
  endpoint,
  createStream: (credentials) => new Stream({ uri: endpoint.uri, transport, ...credentials }),
  label: (market) => marketLabel(market, markets.status(market)),
});

function selectTab(name) {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const selected = tab.id === `tab-${name}`;
    tab.setAttribute("aria-selected", String(selected));
    document.getElementById(tab.getAttribute("aria-controls")).hidden = !selected;
  }
  view.tab = name;
}

for (const name of TABS) {
  $(`#tab-${name}`).addEventListener("click", () => {
    selectTab(name);
    rememberView(view);
  });
}
selectTab(view.tab);

stream.addHandler(route);
stream.subscribe([{ channel: "market_status" }]);
openMarket();
panel.start();
health.start();
stream.run().catch(() => {
  // onPermanentFailure has logged it; the panel shows "failed".
});

// For a person poking at the page from the console; nothing reads it.
window.dashboard = { stream, get book() { return book; } };
