// Answers to parsed requests: subscribe, unsubscribe, authenticate, ping.
// Snapshots follow their `subscribed` / `authenticated` answer, as on MAX.

import { answer, errorAnswer, subscriptionKey } from "./protocol.js";
import { bookDepth, privateSnapshots, publicSnapshot } from "./frames.js";

export function handleRequest({ exchange, authenticator, stats, replayFeed }, conn, parsed) {
  const now = Date.now();
  if (parsed.error) {
    conn.send(errorAnswer(parsed.error, parsed.id, now));
    return;
  }
  const { request } = parsed;
  switch (request.action) {
    case "ping":
      conn.send(answer("pong", request.id, {}, now));
      return;
    case "sub":
      conn.send(answer("subscribed", request.id, { s: request.subscriptions }, now));
      for (const sub of request.subscriptions) {
        const key = subscriptionKey(sub);
        const feed = conn.subscribe(key, sub, bookDepth(sub));
        const market = feed ? exchange.market(sub.market) : null;
        let snapshot;
        if (replayFeed) snapshot = replayFeed.snapshot(key, sub);
        else snapshot = feed ? feed.snapshot(market.book, now) : publicSnapshot(exchange, sub, now);
        if (!snapshot) continue; // a recording that has not reached this channel yet
        if (conn.isSilenced(key)) stats.framesSilenced += 1;
        else conn.send(snapshot);
      }
      return;
    case "unsub":
      for (const sub of request.subscriptions) conn.unsubscribe(subscriptionKey(sub), sub);
      conn.send(answer("unsubscribed", request.id, { s: request.subscriptions }, now));
      return;
    case "auth": {
      const refusal = authenticator.check(request, now);
      if (refusal) {
        stats.authFailed += 1;
        conn.send(errorAnswer(refusal, request.id, now));
        return;
      }
      stats.authOk += 1;
      conn.filters = new Set(request.filters);
      conn.send(answer("authenticated", request.id, {}, now));
      for (const frame of privateSnapshots(exchange.account, conn.filters, now)) conn.send(frame);
      return;
    }
    default:
      throw new Error(`unhandled action ${request.action}`);
  }
}
