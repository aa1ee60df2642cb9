// Every entry of the package exports the same API: the CommonJS entry (require), the ES module
// entry for Node (import, over the CommonJS one: one instance per process) and the browser
// entry; and the .d.ts declares every export. Adding an export to the Rust binding without
// listing it in js/node.mjs and js/browser.mjs fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cjs = require("@etrid/lightning");
const esm = await import("@etrid/lightning");

/** The names in `export const { a, b } = ...;` and `export class X` of an entry's source. */
function exportedNames(file) {
  const source = readFileSync(new URL(`../js/${file}`, import.meta.url), "utf8");
  const names = new Set();
  for (const [, list] of source.matchAll(/export const \{([^}]*)\}/g)) {
    for (const name of list.split(",").map((n) => n.trim()).filter(Boolean)) names.add(name);
  }
  for (const [, name] of source.matchAll(/export class (\w+)/g)) names.add(name);
  return [...names].sort();
}

const publicNames = Object.keys(cjs).sort();

test("exports: require, Node import and the browser entry export the same names", () => {
  assert.ok(publicNames.includes("Client") && publicNames.includes("EtridError"));
  assert.ok(publicNames.every((name) => !name.startsWith("__")), "no internal names");
  assert.deepEqual(exportedNames("node.mjs"), publicNames);
  assert.deepEqual(exportedNames("browser.mjs"), publicNames);
  assert.deepEqual(Object.keys(esm).filter((n) => n !== "default").sort(), publicNames);
  assert.equal(esm.Client, cjs.Client, "one instance for import and require");
  assert.equal(esm.default, cjs);
});

test("exports: the .d.ts declares every export", () => {
  const declarations = readFileSync(new URL("../pkg/node/etrid_wasm.d.ts", import.meta.url), "utf8");
  for (const name of publicNames) {
    assert.match(declarations, new RegExp(`export (declare )?(class|function) ${name}\\b`), name);
  }
});

test("errors are instances of the exported EtridError", () => {
  try {
    cjs.decodeInvoice("lnbc1", "bitcoin");
    assert.fail("expected a throw");
  } catch (err) {
    assert.ok(err instanceof cjs.EtridError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, "EtridError");
    assert.equal(typeof err.code, "string");
  }
});
