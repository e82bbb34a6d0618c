// What a tab that joins a subscription already on the wire is sent first, so that it starts from
// the channel's current state as the tabs before it did: the server sends its snapshot only once
// per connection. Tickers and candles are whole in their last response; the other channels keep
// their last snapshot and the updates since.

const WHOLE_IN_LAST = new Set(["ticker", "kline"]);
// Updates kept after a snapshot: a trade tape or market list loses its oldest ones past this; a
// book cannot (it would have a gap), so a book's replay is dropped until its next snapshot.
const MAX_UPDATES = 500;

export class ReplayCache {
  #routes = new Map(); // route -> [snapshot or last response, ...updates]

  record(route, response) {
    if (WHOLE_IN_LAST.has(response.channel) || response.event === "snapshot") {
      this.#routes.set(route, [response]);
      return;
    }
    const kept = this.#routes.get(route);
    if (!kept) return;
    if (kept.length > MAX_UPDATES) {
      if (response.channel === "book") {
        this.#routes.delete(route);
        return;
      }
      kept.splice(1, 1);
    }
    kept.push(response);
  }

  /** The responses that bring a newcomer to `route` up to date (none known: an empty list). */
  replay(route) {
    return this.#routes.get(route) ?? [];
  }

  forget(route) {
    this.#routes.delete(route);
  }
}
