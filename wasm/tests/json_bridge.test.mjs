// The package's JSON entry points for bindings that carry JSON (the Unity WebGL bridge):
// Client.fromConfigJson, client.requestJson, client.subscribeJson and version(). Their use
// against a real LSP is tested through the bridge itself (plugins/unity/tools/webgl-tests.sh);
// here, what needs no server: configuration errors, refused operations and arguments, the
// shapes of the errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { sdk, thrown } from "./support/sdk.mjs";

const { Client, EtridError } = sdk;

const config = { base_url: "http://127.0.0.1:9", api_key: "etrid_inv_x", network: "regtest" };

test("fromConfigJson reads the C ABI's configuration; a bad one throws lsp_invalid_config with its JSON", () => {
  const client = Client.fromConfigJson(JSON.stringify({ ...config, request_timeout_ms: 5000, payment_policy: { max_fee_ppm: 5000 } }));
  assert.equal(client.baseUrl, config.base_url);
  assert.equal(client.network, "regtest");
  client.free();
  for (const bad of ["{", JSON.stringify({ ...config, network: "moon" }), JSON.stringify({ ...config, apiKey: "x" }),
    JSON.stringify({ ...config, request_timeout_ms: 0 })]) {
    const err = thrown(() => Client.fromConfigJson(bad));
    assert.equal(err.code, "lsp_invalid_config", bad);
    const json = JSON.parse(err.json);
    assert.deepEqual(Object.keys(json).sort(), ["code", "http_status", "message", "retryable"]);
    assert.equal(json.code, "lsp_invalid_config");
    assert.equal(json.message, err.message);
  }
});

/** Awaits a requestJson that must reject with `code`; returns its error JSON. */
async function rejected(promise, code) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof EtridError, String(err));
    assert.equal(err.code, code, err.message);
    return JSON.parse(err.json);
  }
  assert.fail(`expected a rejection with ${code}`);
}

test("requestJson refuses unknown operations and malformed arguments before sending, with the error JSON", async () => {
  const client = Client.fromConfigJson(JSON.stringify(config));
  try {
    const unknown = await rejected(client.requestJson(0, "{}"), "invalid_argument");
    assert.match(unknown.message, /operation 0/);
    assert.equal(unknown.retryable, false);
    assert.equal(unknown.http_status, null);
    assert.match((await rejected(client.requestJson(13, "[]"), "invalid_argument")).message, /argsJson is not a JSON object/);
    assert.match((await rejected(client.requestJson(13, "{"), "invalid_argument")).message, /argsJson is not JSON/);
    assert.match((await rejected(client.requestJson(1, '{"amountMsat": 1}'), "invalid_argument")).message, /amountMsat/);
    assert.match((await rejected(client.requestJson(2, "{}"), "invalid_argument")).message, /invoice_id/);
    // Reaching no server is a retryable transport error, in the same shape.
    const down = await rejected(client.requestJson(23, undefined), "transport_connect");
    assert.equal(down.retryable, true);
  } finally {
    client.free();
  }
});

test("requestJson honours its AbortSignal; subscribeJson returns a stop function that close() also stops", async () => {
  const client = Client.fromConfigJson(JSON.stringify(config));
  try {
    const controller = new AbortController();
    controller.abort(new Error("left the shop"));
    await assert.rejects(client.requestJson(13, "{}", controller.signal), (err) => err.code === "aborted");
    const items = [];
    const stop = client.subscribeJson(undefined, (json) => items.push(JSON.parse(json)));
    assert.equal(typeof stop, "function");
    stop();
    stop();
    client.subscribeJson(5n, (json) => items.push(JSON.parse(json)));
    client.close();
  } finally {
    client.free();
  }
});

test("version() is the package's version", () => {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  assert.equal(sdk.version(), manifest.version);
});
