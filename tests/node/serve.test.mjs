// scripts/serve.mjs, the dashboard's static server: the types browsers insist on, /config.json,
// and nothing outside its root.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../../scripts/serve.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

let server;
before(async () => {
  server = await startStaticServer({ root: ROOT, config: { uri: "ws://127.0.0.1:1/ws" } });
});
after(() => server.close());

/** A raw GET, so that paths like /../ reach the server unnormalised. */
function get(path, method = "GET") {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, method }, (response) => {
      let body = "";
      response.setEncoding("latin1");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("serves the package's files with the types browsers need", async () => {
  const cases = [
    ["/www/index.html", "text/html; charset=utf-8"],
    ["/www/app.js", "text/javascript; charset=utf-8"],
    ["/js/browser.js", "text/javascript; charset=utf-8"],
    ["/www/style.css", "text/css; charset=utf-8"],
    ["/pkg/maicoin_ws_bg.wasm", "application/wasm"],
    ["/package.json", "application/json; charset=utf-8"],
  ];
  for (const [path, type] of cases) {
    const response = await get(path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers["content-type"], type, path);
    assert.equal(Number(response.headers["content-length"]), Buffer.byteLength(response.body, "latin1"), path);
  }
});

test("/ and directories lead to their index.html", async () => {
  assert.deepEqual([(await get("/")).status, (await get("/")).headers.location], [302, "/www/"]);
  assert.deepEqual([(await get("/www")).status, (await get("/www")).headers.location], [301, "/www/"]);
  const index = await get("/www/");
  assert.equal(index.status, 200);
  assert.match(index.body, /<title>MAX dashboard/);
});

test("/config.json tells the endpoint", async () => {
  const response = await get("/config.json");
  assert.equal(response.headers["content-type"], "application/json; charset=utf-8");
  assert.deepEqual(JSON.parse(response.body), { uri: "ws://127.0.0.1:1/ws" });
});

test("nothing outside the root, and only GET and HEAD", async () => {
  // Dot segments are resolved within the URL (so this asks for <root>/etc/passwd, absent)...
  for (const path of ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd"]) {
    const response = await get(path);
    assert.equal(response.status, 404, path);
    assert.doesNotMatch(response.body, /root:/);
  }
  // ...but encoded slashes only become ".." path parts after decoding: refused.
  assert.equal((await get("/..%2f..%2f..%2fetc%2fpasswd")).status, 403);
  assert.equal((await get("/www/nope.js")).status, 404);
  assert.equal((await get("/www/app.js", "POST")).status, 405);
  const head = await get("/www/app.js", "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
});
