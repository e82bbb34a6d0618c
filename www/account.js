// The private panel: balances and open orders of the user's own API key. The key and secret are
// read from the inputs once, the inputs are cleared, and both go straight into a separate Stream
// (the secret into wasm memory); nothing is stored, and signing out closes that stream.
//
// A link with `?uri=` could point the page at someone else's server, which would then receive the
// key and a fresh signature it could replay to MAX within the nonce window. So credentials are only
// sent to MAX itself, to a local endpoint, or to the endpoint that the person running the server
// configured (/config.json), never to one that came from the page's address.

import { MAX_WS_URI } from "maicoin-ws";
import { groupDigits, marketLabel } from "./format.js";

const FILTERS = ["order", "trade", "account"];
const OPEN_STATES = new Set(["wait", "convert", "finalizing"]);
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function mayReceiveCredentials(endpoint) {
  if (endpoint.source !== "?uri=" || endpoint.uri === MAX_WS_URI) return true;
  try {
    return LOCAL_HOSTS.has(new URL(endpoint.uri).hostname);
  } catch {
    return false;
  }
}

export class AccountPanel {
  #root;
  #createStream;
  #stream = null;
  #balances = new Map();
  #orders = new Map();
  #elements;
  #label;

  /** `label(market)` names a market for people ("BTC/USDT"), from the market statuses. */
  constructor(root, { endpoint, createStream, label = (market) => marketLabel(market) }) {
    this.#root = root;
    this.#createStream = createStream;
    this.#label = label;
    const $ = (selector) => root.querySelector(selector);
    this.#elements = {
      key: $(".api-key"),
      secret: $(".api-secret"),
      signIn: $(".sign-in"),
      signOut: $(".sign-out"),
      error: $(".account-error"),
      who: $(".account-who"),
      balances: $(".balances tbody"),
      orders: $(".orders tbody"),
      orderCount: $(".order-count"),
    };
    const allowed = mayReceiveCredentials(endpoint);
    this.#elements.signIn.disabled = !allowed;
    $(".account-endpoint").textContent = allowed
      ? `Signs in at ${endpoint.uri}.`
      : `Disabled: ${endpoint.uri} came from this page's address and is not MAX's or a local endpoint.`;
    this.#elements.signIn.addEventListener("click", () => this.#signIn());
    this.#elements.secret.addEventListener("keydown", (event) => event.key === "Enter" && this.#signIn());
    this.#elements.signOut.addEventListener("click", () => this.#signOut());
    this.#show("signed-out");
  }

  #show(state, error = "") {
    this.#root.dataset.state = state;
    this.#elements.error.textContent = error;
  }

  #signIn() {
    const apiKey = this.#elements.key.value.trim();
    const apiSecret = this.#elements.secret.value;
    // Out of the DOM at once: the page holds no copy of either from here on.
    this.#elements.key.value = "";
    this.#elements.secret.value = "";
    if (!apiKey || !apiSecret) return this.#show("signed-out", "Enter both the API key and its secret.");
    this.#signOut();
    this.#show("signing-in");
    const stream = this.#createStream({ apiKey, apiSecret, authFilters: FILTERS, onAuthFailed: (error) => this.#refused(stream, error.message) });
    this.#stream = stream;
    this.#elements.who.textContent = `key ${apiKey.slice(0, 4)}…`;
    stream.addHandler((response) => this.#route(stream, response));
    stream.run().catch((error) => this.#refused(stream, error.message));
  }

  #signOut() {
    this.#stream?.close();
    this.#stream = null;
    this.#balances.clear();
    this.#orders.clear();
    this.#render();
    this.#show("signed-out");
  }

  #refused(stream, message) {
    if (stream !== this.#stream) return;
    this.#signOut();
    this.#show("signed-out", message);
  }

  #route(stream, response) {
    if (stream !== this.#stream) return;
    switch (response.event) {
      case "authenticated":
        this.#show("signed-in");
        return;
      case "account_snapshot":
        this.#balances.clear();
      // falls through: a snapshot is an update of every balance
      case "account_update":
        for (const balance of response.balances ?? []) this.#balances.set(balance.currency, balance);
        break;
      case "order_snapshot":
        this.#orders.clear();
      // falls through
      case "order_update":
        for (const order of response.orders ?? []) {
          if (OPEN_STATES.has(order.state)) this.#orders.set(order.orderId, order);
          else this.#orders.delete(order.orderId);
        }
        break;
      default:
        return;
    }
    this.#render();
  }

  #render() {
    const balances = [...this.#balances.values()].sort((a, b) => a.currency.localeCompare(b.currency));
    this.#elements.balances.replaceChildren(
      ...balances.map((b) => row([b.currency.toUpperCase(), groupDigits(b.available), groupDigits(b.locked)])),
    );
    const orders = [...this.#orders.values()].sort((a, b) => b.updatedAt - a.updatedAt);
    this.#elements.orderCount.textContent = String(orders.length);
    this.#elements.orders.replaceChildren(
      ...orders.slice(0, 50).map((o) => {
        const tr = row([this.#label(o.market), o.side === "bid" ? "buy" : "sell", groupDigits(o.price), `${o.remainingVolume} / ${o.volume}`]);
        tr.className = o.side;
        tr.title = `${o.orderType} order #${o.orderId}, ${o.state}`;
        return tr;
      }),
    );
  }
}

function row(texts) {
  const tr = document.createElement("tr");
  for (const text of texts) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}
