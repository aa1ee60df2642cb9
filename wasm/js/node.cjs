// The package's entry for Node (require and, through node.mjs, import): the wasm-bindgen
// `nodejs` build, which loads its .wasm synchronously from beside itself, plus the few things
// only JavaScript can define. No protocol logic lives here; it is all in the Rust core.
"use strict";

const wasm = require("../pkg/node/etrid_wasm.js");

/**
 * What every function of this package throws and every Promise rejects with; branch on
 * `code`, never on `message`.
 */
class EtridError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "EtridError";
    this.code = code;
  }
}

wasm.__registerErrorClass(EtridError);
// Node 20 has no global WebSocket: event streams use the `ws` package's, unless the
// application passes its own (`new Client({ WebSocket })`) or a global one exists (Node 22+).
if (typeof globalThis.WebSocket !== "function") {
  wasm.__setDefaultWebSocket(require("ws").WebSocket);
}
// `for await (const event of client.events())`.
wasm.EventIterator.prototype[Symbol.asyncIterator] = function asyncIterator() {
  return this;
};

// Everything public: the wasm-bindgen exports without the internal ones (`__*`, `start`).
const exported = { EtridError };
for (const [name, value] of Object.entries(wasm)) {
  if (!name.startsWith("__") && name !== "start") exported[name] = value;
}
module.exports = exported;
