#!/usr/bin/env node
// The web checkout example, served next to a devnet and an Étrid LSP: starts the lsp-fixture
// (regtest chain, LDK nodes, the LSP, one account), then serves this page, the npm package's
// browser files, /config.json (the LSP URL and the account's invoice-scoped key, as a shop's
// server would hand them to its page) and POST /devnet/pay (the devnet wallet alice pays the
// invoice in the body: a customer without a wallet at hand). Prints one JSON line {"url"}
// when ready; Ctrl-C (or closing stdin with --exit-on-stdin-eof) stops everything.
//
//   node examples/web-checkout/serve.mjs [--port 8080] [--exit-on-stdin-eof]
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { startFixture, walletPays } from "../../wasm/tests/support/fixture.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const PACKAGE = fileURLToPath(new URL("../../wasm/", import.meta.url));
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
};

const args = process.argv.slice(2);
const portAt = args.indexOf("--port");
const port = portAt >= 0 ? Number(args[portAt + 1]) : 8080;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error("--port takes a port number (0: any free port)");
  process.exit(2);
}

/** The file for `path`: the page, or the package's browser files (/js/*, /pkg/web/*). */
function fileFor(path) {
  if (path === "/" || path === "/index.html") return join(HERE, "index.html");
  if (path.startsWith("/js/") || path.startsWith("/pkg/web/")) {
    const file = normalize(join(PACKAGE, path));
    if (file.startsWith(resolve(PACKAGE))) return file;
  }
  return null;
}

const fixture = await startFixture(["--accounts", "1"]);
const account = fixture.accounts[0];

const server = createServer(async (request, response) => {
  const path = new URL(request.url, "http://x").pathname;
  try {
    if (path === "/config.json") {
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(JSON.stringify({ lsp: fixture.api, invoiceKey: account.invoice_key, network: fixture.network }));
    }
    if (path === "/devnet/pay" && request.method === "POST") {
      let body = "";
      for await (const chunk of request) body += chunk;
      const outcome = await walletPays(fixture, body.trim());
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(JSON.stringify(outcome));
    }
    const file = request.method === "GET" ? fileFor(path) : null;
    if (!file) throw new Error("not found");
    const content = await readFile(file);
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(content);
  } catch (err) {
    response.writeHead(err.message === "not found" ? 404 : 502, { "content-type": "text/plain" });
    response.end(err.message);
  }
});

server.listen(port, "127.0.0.1", () => {
  const url = `http://127.0.0.1:${server.address().port}/`;
  console.log(JSON.stringify({ url, lsp: fixture.api, control: fixture.control }));
  console.error(`web checkout example: open ${url} (Ctrl-C stops the devnet and the LSP)`);
});

async function shutdown() {
  server.close();
  await fixture.stop();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
if (args.includes("--exit-on-stdin-eof")) {
  process.stdin.resume();
  process.stdin.on("end", shutdown);
}
