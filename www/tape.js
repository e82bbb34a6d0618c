// The trade tape: the market's public trades, newest on top. A snapshot (sent on every
// (re)subscription) replaces the list; updates are prepended.

import { clockTime, groupDigits, padFraction } from "./format.js";

const KEEP = 60;

export class Tape {
  #body;
  #count;
  #sizePlaces = 0;

  constructor(root) {
    this.#body = root.querySelector("tbody");
    this.#count = root.querySelector(".tape-count");
  }

  reset(sizePlaces = 0) {
    this.#sizePlaces = sizePlaces;
    this.#body.replaceChildren();
    this.#updateCount();
  }

  setSizePlaces(places) {
    this.#sizePlaces = places;
  }

  /** Trades as the wire lists them, newest first. */
  snapshot(trades) {
    this.#body.replaceChildren(...trades.slice(0, KEEP).map((trade) => this.#row(trade, false)));
    this.#updateCount();
  }

  update(trades) {
    this.#body.prepend(...trades.map((trade) => this.#row(trade, true)));
    while (this.#body.rows.length > KEEP) this.#body.lastElementChild.remove();
    this.#updateCount();
  }

  #row(trade, fresh) {
    const row = document.createElement("tr");
    row.className = `${trade.trend === "down" ? "down" : "up"}${fresh ? " fresh" : ""}`;
    const cells = [groupDigits(trade.price), padFraction(trade.volume, this.#sizePlaces), clockTime(trade.createdAt)];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  }

  #updateCount() {
    this.#count.textContent = `${this.#body.rows.length}`;
  }
}
