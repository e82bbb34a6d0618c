// Writes the starting corpora of the fuzz targets from the documented messages (tests/fixtures/,
// read through tests/support/fixtures.mjs), plus a few frames the
// simulator sends (stamped, unknown events, garbage). Corpora are not committed: libFuzzer grows
// them, and this script recreates the seeds (`node fuzz/seed-corpus.mjs`; scripts/fuzz runs it).
//
// book_sequence gets no seeds: its input is read through `arbitrary` into steps, and a JSON
// frame's bytes mean nothing in that encoding; libFuzzer finds its structure from coverage alone.

import { mkdirSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { documentedMessages, outbound as documentedRequests } from "../tests/support/fixtures.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const corpus = join(root, "fuzz", "corpus");

function write(target, texts) {
  const dir = join(corpus, target);
  mkdirSync(dir, { recursive: true });
  // Named by content, as libFuzzer names its own finds, so reruns do not duplicate seeds.
  for (const text of texts) writeFileSync(join(dir, createHash("sha1").update(text).digest("hex")), text);
  return texts.length;
}

const inbound = documentedMessages();
const simulatorFrames = [
  '{"e":"mystery_event","T":1700000000000,"zz":1,"sq":7}',
  '{"c":"book","e":"update","M":"btcusdt","a":[["5337.30","0"]],"b":[],"T":1,"fi":5,"li":6,"v":9,"sq":12}',
  '{"e":"pong","i":"mws-abc-3","T":1,"sq":2}',
  '{"e":"sn\\u0061pshot","c":"ticker","M":"btc\\"usdt","T":1}',
  '{"e":"update","c":',
  '{"T":1700000000000}',
  "<html><body>502 Bad Gateway</body></html>",
];
const decodeSeeds = write("decode_response", [...inbound, ...simulatorFrames]);

const outbound = documentedRequests.map(({ wire }) => wire);
const requests = outbound.map((wire) => JSON.stringify(wire));
// The long action names a parser must accept too, and the other subscription shapes.
const long = { sub: "subscribe", unsub: "unsubscribe", auth: "authenticate" };
for (const wire of outbound) requests.push(JSON.stringify({ ...wire, action: long[wire.action] ?? wire.action }));
requests.push('{"action":"ping","id":"p1"}');
requests.push(
  JSON.stringify({
    action: "sub",
    id: 7,
    subscriptions: [
      { channel: "kline", market: "ethusdt", resolution: "1h" },
      { channel: "ticker", market: "btcusdt" },
      { channel: "market_status" },
      { channel: "pool_quota", currency: "usdt" },
      { channel: "book", market: "btcusdt" },
    ],
  }),
);
const requestSeeds = write("parse_request", requests);

console.log(`[fuzz] seeds: decode_response ${decodeSeeds}, parse_request ${requestSeeds}, book_sequence 0 (see seed-corpus.mjs)`);
