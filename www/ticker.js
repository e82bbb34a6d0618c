// The ticker strip: last price, change since the open, high, low and volume of the market.

import { approx, groupDigits, percent } from "./format.js";

export class TickerStrip {
  #fields;
  #root;

  constructor(root) {
    this.#root = root;
    this.#fields = Object.fromEntries(
      ["last", "change", "high", "low", "volume", "volumeInBtc"].map((name) => [name, root.querySelector(`[data-field="${name}"]`)]),
    );
  }

  reset() {
    for (const field of Object.values(this.#fields)) field.textContent = "–";
    this.#root.dataset.trend = "flat";
  }

  /** A ticker object of a snapshot or update; returns the last price, for the page title. */
  show(ticker, baseUnit = "") {
    const open = approx(ticker.open);
    const close = approx(ticker.close);
    const change = ((close - open) / open) * 100;
    this.#root.dataset.trend = change > 0 ? "up" : change < 0 ? "down" : "flat";
    this.#fields.last.textContent = groupDigits(ticker.close);
    this.#fields.change.textContent = percent(change);
    this.#fields.high.textContent = groupDigits(ticker.high);
    this.#fields.low.textContent = groupDigits(ticker.low);
    this.#fields.volume.textContent = `${groupDigits(ticker.volume)} ${baseUnit.toUpperCase()}`.trim();
    this.#fields.volumeInBtc.textContent = groupDigits(ticker.volumeInBtc);
    return ticker.close;
  }
}
