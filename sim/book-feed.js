// What one subscriber has been told about one market's book. MAX sends a
// depth-d subscriber the top-d view, then diffs of that view; `fi`/`li` chain
// from what this subscriber was last sent, so a client following docs/PROTOCOL.md's
// rules ends with exactly the simulator's top-d book at its `li`.

import { diffSide } from "./book.js";

export class BookFeed {
  constructor(market, depth) {
    this.market = market;
    this.depth = depth;
    this.sentLi = 0;
    this.version = 0;
    this.view = null;
    // Set by gap injection: the next update is computed (the subscriber's
    // state moves on) but never sent, so the one after shows fi > li + 1.
    this.skipNext = false;
  }

  snapshot(book, now) {
    this.view = book.view(this.depth);
    this.sentLi = book.updateId;
    this.version = book.version;
    return this.frame("snapshot", book, book.formatLevels(this.view.asks), book.formatLevels(this.view.bids), book.updateId, now);
  }

  // The update for everything since the last frame, or null when the view
  // and version are unchanged (the next update then still starts at the
  // last sent li + 1).
  update(book, now) {
    if (book.updateId === this.sentLi) return null;
    const view = book.view(this.depth);
    const asks = diffSide(this.view.asks, view.asks, true);
    const bids = diffSide(this.view.bids, view.bids, false);
    if (asks.length === 0 && bids.length === 0 && book.version === this.version) return null;
    const fi = this.sentLi + 1;
    this.view = view;
    this.sentLi = book.updateId;
    this.version = book.version;
    return this.frame("update", book, book.formatLevels(asks), book.formatLevels(bids), fi, now);
  }

  frame(e, book, a, b, fi, now) {
    return { c: "book", e, M: this.market, a, b, T: now, fi, li: book.updateId, v: book.version };
  }
}
