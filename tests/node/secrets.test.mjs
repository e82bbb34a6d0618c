// The API secret never leaves the package in a readable form: not in what it prints, throws,
// passes to callbacks or serializes, nor on the wire. An authenticated soak (bench/soak.mjs) with
// refused secrets, reconnects, garbage frames and failing handlers runs while everything the
// package could show is captured and searched for the secret and for its HMAC key material in
// every common encoding. The secret is fresh random text, so any hit is a leak, not a
// coincidence.

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { createServer } from "node:net";
import { runSoak } from "../../bench/soak.mjs";
import { Stream, Request } from "../../js/node.js";
import { startSimulator } from "../../sim/server.js";

const INSPECT = { showHidden: true, depth: Infinity, getters: true, maxArrayLength: Infinity, maxStringLength: Infinity };

/** The forms a secret's bytes could take in a message: text, hex, base64, byte lists, and the
 * two HMAC-SHA256 key blocks (the key zero-padded to 64 bytes, XOR 0x36 and XOR 0x5c). */
function needlesFor(label, secret) {
  const bytes = Buffer.from(secret, "utf8");
  const forms = (name, buf) => {
    const base64 = buf.toString("base64");
    return [
      [`${name} hex`, buf.toString("hex")],
      [`${name} base64`, base64.replace(/=+$/, "")],
      [`${name} base64url`, buf.toString("base64url")],
      [`${name} bytes`, [...buf].join(",")],
      [`${name} bytes spaced`, [...buf].join(", ")],
    ];
  };
  const xor = (pad) => Buffer.from(bytes.map((b) => b ^ pad));
  return [
    [label, secret],
    [`${label} JSON`, JSON.stringify(secret).slice(1, -1)],
    ...forms(label, bytes),
    ...forms(`${label} HMAC ipad key`, xor(0x36)),
    ...forms(`${label} HMAC opad key`, xor(0x5c)),
  ];
}

/** Searches every text handed to it; keeps only where a needle was found, never the text. */
class Scanner {
  constructor(needles) {
    this.needles = needles.map(([name, value]) => [name, value.toLowerCase()]);
    this.hits = [];
    this.sources = new Map();
    this.scanned = 0;
    this.characters = 0;
  }

  text(source, text) {
    const lower = String(text).toLowerCase();
    this.sources.set(source, (this.sources.get(source) ?? 0) + 1);
    this.scanned += 1;
    this.characters += lower.length;
    for (const [name, needle] of this.needles) {
      if (lower.includes(needle) && this.hits.length < 20) this.hits.push(`${name} in ${source}`);
    }
  }

  /** A value in every form a program might show it. */
  value(source, value) {
    this.text(`${source} (inspect)`, inspect(value, INSPECT));
    try {
      this.text(`${source} (String)`, String(value));
    } catch {
      // An object without a string form shows itself through inspect only.
    }
    try {
      this.text(`${source} (JSON)`, JSON.stringify(value) ?? "");
    } catch {
      // Cycles or BigInts: inspect above covered it.
    }
    if (value instanceof Error) {
      this.text(`${source} (message)`, value.message);
      this.text(`${source} (stack)`, value.stack ?? "");
      if (value.cause !== undefined) this.value(`${source} (cause)`, value.cause);
    }
  }

  /** What a call throws or rejects with, if anything. */
  async thrown(source, call) {
    try {
      await call();
    } catch (error) {
      this.value(`${source} threw`, error);
      return error;
    }
    return null;
  }

  stream(source, stream) {
    this.value(`${source}`, stream);
    this.text(`${source} toString`, stream.toString());
    this.text(`${source} JSON`, JSON.stringify(stream));
    this.text(`${source} inspect`, inspect(stream, INSPECT));
    const requests = stream.requests;
    this.text(`${source}.requests JSON`, JSON.stringify(requests));
    this.text(`${source}.requests inspect`, inspect(requests, INSPECT));
    for (const request of requests) this.text(`${source}.requests message()`, request.message());
    this.value(`${source}.status`, stream.status);
    this.value(`${source}.subscriptions`, stream.subscriptions);
  }
}

/** Captures console.* (silenced) and process.stdout/stderr writes (passed on) while `run` runs. */
async function capturingOutput(scanner, run) {
  const methods = ["log", "info", "warn", "error", "debug", "trace", "dir", "table"];
  const saved = methods.map((name) => console[name]);
  const writes = [process.stdout.write, process.stderr.write];
  methods.forEach((name) => {
    console[name] = (...args) => {
      scanner.text(`console.${name}`, args.map((arg) => (typeof arg === "string" ? arg : inspect(arg, INSPECT))).join(" "));
    };
  });
  for (const [index, stream] of [process.stdout, process.stderr].entries()) {
    const write = writes[index];
    stream.write = function (chunk, ...rest) {
      scanner.text(index === 0 ? "stdout" : "stderr", typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return write.call(this, chunk, ...rest);
    };
  }
  try {
    return await run();
  } finally {
    methods.forEach((name, index) => {
      console[name] = saved[index];
    });
    process.stdout.write = writes[0];
    process.stderr.write = writes[1];
  }
}

/** A port nothing listens on. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test("no secret or HMAC key material in anything printed, thrown, passed to callbacks, serialized or sent", async () => {
  const secret = `sk-${randomBytes(24).toString("base64url")}`;
  const wrongSecret = `wrong-${randomBytes(24).toString("base64url")}`;
  const apiKey = `key-${randomBytes(6).toString("hex")}`;
  const scanner = new Scanner([...needlesFor("secret", secret), ...needlesFor("refused secret", wrongSecret)]);

  // The scanner finds each form when it is planted in a text, in either case, and finds it
  // inside an inspected value and an error.
  const controlNeedles = needlesFor("control", "control-secret");
  for (const [name, value] of controlNeedles) {
    const control = new Scanner(controlNeedles);
    control.text("plant", `before ${value.toUpperCase()} after`);
    assert.ok(control.hits.includes(`${name} in plant`), name);
  }
  const control = new Scanner(controlNeedles);
  control.value("object", { nested: [Buffer.from("control-secret").toString("base64")] });
  control.value("error", new Error(`bad ${Buffer.from("control-secret").toString("hex")}`));
  assert.ok(control.hits.includes("control base64 in object (inspect)") && control.hits.includes("control hex in error (message)"));

  const figures = await capturingOutput(scanner, async () => {
    const callbacks = new Map();
    let serializedWhileRunning = 0;
    let timer = null;
    const soak = await runSoak({
      minutes: 0.5,
      seed: 11,
      log: (line) => console.log(line),
      credentials: { apiKey, apiSecret: secret },
      wrongSecret,
      observe: (name, args) => {
        callbacks.set(name, (callbacks.get(name) ?? 0) + 1);
        args.forEach((arg, index) => scanner.value(`${name} argument ${index}`, arg));
      },
      onStream: (stream) => {
        // Serialized while it runs, so states with a connection, a pending auth and a refused
        // one are all seen.
        timer = setInterval(() => {
          scanner.stream("stream", stream);
          serializedWhileRunning += 1;
        }, 1000);
      },
    });
    clearInterval(timer);

    // Task dispatch without onHandlerError: the package itself logs the handler's failure.
    const sim = await startSimulator({ tickMs: 50, apiKey, apiSecret: secret, garbageProbability: 0.05 });
    const taskStream = new Stream({ uri: sim.url, apiKey, apiSecret: secret, dispatch: "task" });
    taskStream.subscribe({ channel: "ticker", market: "btcusdt" });
    taskStream.addHandler(() => {
      throw new Error("a task handler failed");
    });
    const taskRun = taskStream.run();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    scanner.stream("task stream", taskStream);
    taskStream.close();
    await taskRun;
    await sim.close();

    // Inline dispatch without onHandlerError: the failure ends the connection, and a refused
    // port with no reconnect ends run() with a rejection.
    const port = await closedPort();
    const failures = [];
    const failing = new Stream({
      uri: `ws://127.0.0.1:${port}/ws`,
      apiKey,
      apiSecret: secret,
      reconnect: false,
      onPermanentFailure: (error) => failures.push(error),
      onDisconnected: (error) => failures.push(error),
    });
    scanner.stream("failing stream", failing);
    const rejected = await scanner.thrown("failing run()", () => failing.run());
    for (const error of failures) scanner.value("failing stream callback", error);

    // Every way the package refuses a call that carries the secret.
    const stream = new Stream({ uri: `ws://127.0.0.1:${port}/ws`, apiKey, apiSecret: secret });
    const refusals = [
      await scanner.thrown("Stream bad uri", () => new Stream({ apiKey, apiSecret: secret, uri: "http://x" })),
      await scanner.thrown("Stream bad dispatch", () => new Stream({ apiKey, apiSecret: secret, uri: "ws://x", dispatch: "later" })),
      await scanner.thrown("Stream bad filters", () => new Stream({ apiKey, apiSecret: secret, uri: "ws://x", authFilters: ["everything"] })),
      await scanner.thrown("Stream bad keepalive", () => new Stream({ apiKey, apiSecret: secret, uri: "ws://x", keepaliveInterval: -1 })),
      await scanner.thrown("auth key not a string", () => stream.auth(42, secret)),
      await scanner.thrown("auth secret not a string", () => stream.auth(apiKey, { secret })),
      await scanner.thrown("auth filters not a list", () => stream.auth(apiKey, secret, { filters: "order" })),
      await scanner.thrown("auth unknown filter", () => stream.auth(apiKey, secret, { filters: ["order", "everything"] })),
      await scanner.thrown("Request.auth bad nonce", () => Request.auth(apiKey, secret, { nonce: -1 })),
      await scanner.thrown("Request.auth huge nonce", () => Request.auth(apiKey, secret, { nonce: 2 ** 60 })),
      await scanner.thrown("Request.auth nonce not a number", () => Request.auth(apiKey, secret, { nonce: "now" })),
      await scanner.thrown("Request.auth unknown filter", () => Request.auth(apiKey, secret, { filters: ["nope"] })),
      await scanner.thrown("Request.auth empty key", () => Request.auth("", secret)),
      await scanner.thrown("Stream.fromEnv without a key", () => {
        const saved = { key: process.env.MAX_API_KEY, secret: process.env.MAX_API_SECRET };
        delete process.env.MAX_API_KEY;
        process.env.MAX_API_SECRET = secret;
        try {
          return Stream.fromEnv({ uri: "ws://x" });
        } finally {
          if (saved.key === undefined) delete process.env.MAX_API_KEY;
          else process.env.MAX_API_KEY = saved.key;
          if (saved.secret === undefined) delete process.env.MAX_API_SECRET;
          else process.env.MAX_API_SECRET = saved.secret;
        }
      }),
    ];
    stream.auth(apiKey, secret, { filters: ["order", "ad_ratio"] });
    scanner.stream("stream with filters", stream);
    const request = Request.auth(apiKey, secret, { filters: ["trade"] });
    scanner.value("Request.auth", request);
    scanner.text("Request.auth message()", request.message());
    stream.close();
    failing.close();
    return { soak, callbacks, serializedWhileRunning, rejected, failures, refusals };
  });

  // Nothing found, after a run that did produce every kind of output.
  assert.deepEqual(scanner.hits, []);

  const { soak, callbacks, serializedWhileRunning, rejected, failures, refusals } = figures;
  assert.deepEqual(soak.failures, []);
  assert.ok(soak.auth.ok > 0 && soak.auth.failed > 0 && soak.auth.onAuthFailed > 0, JSON.stringify(soak.auth));
  assert.ok(soak.connections.connects >= 3 && soak.frames.decodeErrors > 0);
  assert.ok(soak.handlers.reported > 0);
  for (const name of ["handler", "send", "onConnected", "onDisconnected", "onReconnecting", "onDecodeError", "onAuthFailed", "onHandlerError", "onStateChange"]) {
    assert.ok(callbacks.get(name) > 0, `no ${name} was seen`);
  }
  assert.ok(serializedWhileRunning >= 20);
  assert.ok(rejected instanceof Error && failures.length > 0);
  assert.ok(refusals.every((error) => error instanceof Error), "each bad call threw");
  // The package's own console output was seen (task mode logs handler failures).
  assert.ok(scanner.sources.get("console.error") > 0, "the package printed nothing to capture");
  assert.ok(scanner.scanned > 5_000 && scanner.characters > 1_000_000, `${scanner.scanned} texts, ${scanner.characters} characters scanned`);
});
