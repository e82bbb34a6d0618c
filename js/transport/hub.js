// The worker's side: one real Stream per endpoint and credentials (a Group), shared by every tab
// (a Tab: one MessagePort) that opened it. Subscriptions and kept books are reference-counted, so
// the first tab sends the sub and the last one to leave sends the unsub; each tab receives only
// the responses of its own subscriptions; a tab that stops answering the heartbeat is released.

import { Group, groupKey } from "./group.js";
import { Tab } from "./tab.js";
import { TO_PAGE, HEARTBEAT_MS, SILENCE_LIMIT_MS } from "./protocol.js";

export class Hub {
  #groups = new Map(); // group key -> Group
  #tabs = new Set();
  #openings = new WeakMap(); // tab -> its options (never its secret)
  #sweeper = null;

  /** Serves one page's port; `early` are the messages that arrived before the wasm was ready. */
  attach(port, early = []) {
    const tab = new Tab(this, port);
    this.#tabs.add(tab);
    port.onmessage = (event) => tab.receive(event.data);
    for (const message of early) tab.receive(message);
    this.#sweeper ??= setInterval(() => this.#heartbeat(), HEARTBEAT_MS);
  }

  join(tab, { options, credentials, callbacks = [] }) {
    this.#openings.set(tab, { options, extraCallbacks: callbacks });
    const key = groupKey(options.uri, credentials);
    let group = this.#groups.get(key);
    if (!group) {
      group = new Group(options, credentials, callbacks, (ended) => {
        if (this.#groups.get(key) === ended) this.#groups.delete(key);
      });
      this.#groups.set(key, group);
    }
    group.tabs.add(tab);
    return group;
  }

  openingOf(tab) {
    return this.#openings.get(tab);
  }

  forget(tab) {
    this.#tabs.delete(tab);
    if (this.#tabs.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = null;
    }
  }

  // Pings every tab (with what its getters cache) and releases those silent too long.
  #heartbeat() {
    const now = Date.now();
    for (const tab of [...this.#tabs]) {
      if (now - tab.lastHeard > SILENCE_LIMIT_MS) {
        tab.release();
        continue;
      }
      const stream = tab.group?.stream;
      tab.post({ t: TO_PAGE.PING, status: stream?.status ?? null, stats: stream?.stats() ?? null, requests: stream ? stream.requests.map((r) => ({ ...r })) : [] });
    }
  }
}
