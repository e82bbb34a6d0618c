// What differs between hosts (Node, browsers): filled in by the entry point before use.

import { shared } from "./shared.js";

export const host = shared("host", import.meta.url, () => ({
  /** The endpoint a Stream uses when no `uri` is given. */
  defaultUri: () => undefined,
  /** An environment variable, where the host has them. */
  env: (_name) => undefined,
  /** Creates a WHATWG-like WebSocket for (uri, connectOptions). */
  connectFactory: (_uri, _options) => {
    throw new Error("no WebSocket is available here: pass connectFactory");
  },
}));
