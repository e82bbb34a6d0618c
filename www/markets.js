// Market statuses (the market_status channel): a table of every market, which also fills the
// market picker. Clicking a row or picking an option switches the dashboard's market.

import { marketLabel } from "./format.js";

export class MarketList {
  #body;
  #picker;
  #onPick;
  #statuses = new Map();
  #current;

  constructor(table, picker, current, onPick) {
    this.#body = table.querySelector("tbody");
    this.#picker = picker;
    this.#onPick = onPick;
    this.#current = current;
    this.#fillPicker();
    picker.addEventListener("change", () => onPick(picker.value));
    this.#body.addEventListener("click", (event) => {
      const row = event.target.closest("tr[data-market]");
      if (row) onPick(row.dataset.market);
    });
  }

  /** The status of a market, once the channel has told it. */
  status(market) {
    return this.#statuses.get(market) ?? null;
  }

  /** A market_status snapshot or update: the whole list each time. */
  show(statuses) {
    for (const status of statuses) this.#statuses.set(status.market, status);
    this.#fillPicker();
    this.#fillTable();
  }

  select(market) {
    this.#current = market;
    this.#picker.value = market;
    for (const row of this.#body.rows) row.classList.toggle("current", row.dataset.market === market);
  }

  #markets() {
    const names = new Set([...this.#statuses.keys(), this.#current]);
    return [...names].sort();
  }

  #fillPicker() {
    const options = this.#markets().map((market) => {
      const option = document.createElement("option");
      option.value = market;
      option.textContent = marketLabel(market, this.#statuses.get(market));
      return option;
    });
    this.#picker.replaceChildren(...options);
    this.#picker.value = this.#current;
  }

  #fillTable() {
    const rows = [...this.#statuses.values()]
      .sort((a, b) => a.market.localeCompare(b.market))
      .map((status) => {
        const row = document.createElement("tr");
        row.dataset.market = status.market;
        row.classList.toggle("current", status.market === this.#current);
        const cells = [
          marketLabel(status.market, status),
          status.status,
          String(status.quoteUnitPrecision ?? "–"),
          String(status.baseUnitPrecision ?? "–"),
          `${status.minimalBaseAmount ?? "–"} ${status.baseUnit?.toUpperCase() ?? ""}`,
          `${status.minimalQuoteAmount ?? "–"} ${status.quoteUnit?.toUpperCase() ?? ""}`,
          status.mwalletSupported ? "yes" : "no",
        ];
        cells.forEach((text, i) => {
          const cell = document.createElement("td");
          if (i === 1) {
            const badge = document.createElement("span");
            badge.className = `badge ${status.status}`;
            badge.textContent = text;
            cell.append(badge);
          } else {
            cell.textContent = text;
          }
          row.append(cell);
        });
        return row;
      });
    this.#body.replaceChildren(...rows);
  }
}
