// Page errors for the WebDriver tests. WebDriver classic has no console or page-error events in
// every engine, so the test servers put a tiny classic script at the top of each HTML page they
// serve: it runs before any module and records uncaught errors, failed loads of scripts and
// styles, unhandled rejections and console.error calls into `window.__errors`, which a test reads
// through execute/sync. For tests only: no page of the package or the dashboard carries it.

import { createServer, request as httpRequest } from "node:http";

/** The recorder; `window.__errors` is a list of strings, each naming what went wrong. */
export const CAPTURE_SCRIPT = `(() => {
  const errors = (window.__errors = []);
  const describe = (value) => {
    if (value instanceof Error) return value.name + ": " + value.message;
    if (typeof value === "string") return value;
    try { return JSON.stringify(value); } catch { return String(value); }
  };
  // Capturing, so that failed loads of <script> and <link>, which do not bubble, are seen too.
  addEventListener("error", (event) => {
    const element = event.target;
    if (element && element !== window && element.tagName) {
      errors.push("failed to load " + element.tagName.toLowerCase() + " " + (element.src || element.href || ""));
    } else {
      errors.push("uncaught " + (event.error ? describe(event.error) : event.message) + " at " + event.filename + ":" + event.lineno);
    }
  }, true);
  addEventListener("unhandledrejection", (event) => errors.push("unhandled rejection: " + describe(event.reason)));
  const consoleError = console.error;
  console.error = function (...args) {
    errors.push("console.error: " + args.map(describe).join(" "));
    return consoleError.apply(this, args);
  };
})();`;

const TAG = `<script>${CAPTURE_SCRIPT}</script>`;

/** The HTML with the recorder as its first script: after the doctype, before anything else. */
export function withErrorCapture(html) {
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  return doctype ? `${doctype[0]}${TAG}${html.slice(doctype[0].length)}` : `${TAG}${html}`;
}

/**
 * A local HTTP proxy in front of `upstream` (e.g. scripts/serve.mjs serving the dashboard) that
 * passes everything through unchanged except HTML, which gets the recorder. Resolves to
 * `{ url, close }`.
 */
export async function startErrorCaptureProxy(upstream) {
  const target = new URL(upstream);
  const server = createServer((incoming, outgoing) => {
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
      (answer) => {
        const headers = { ...answer.headers };
        if (incoming.method === "HEAD" || !String(headers["content-type"] ?? "").startsWith("text/html")) {
          outgoing.writeHead(answer.statusCode, headers);
          answer.pipe(outgoing);
          return;
        }
        const chunks = [];
        answer.on("data", (chunk) => chunks.push(chunk));
        answer.on("end", () => {
          const body = Buffer.from(withErrorCapture(Buffer.concat(chunks).toString("utf8")));
          delete headers["transfer-encoding"];
          headers["content-length"] = body.length;
          outgoing.writeHead(answer.statusCode, headers).end(body);
        });
      },
    );
    forward.on("error", (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "text/plain" });
      outgoing.end(`proxy: ${error.message}\n`);
    });
    incoming.pipe(forward);
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(done);
      }),
  };
}
