// The TypeScript declarations shipped with the package give real types (Invoice, QrMatrix,
// DecodeOptions, EtridError), not `any` (tests/types/usage.ts must compile with tsc --strict,
// including its @ts-expect-error lines), and they match what the functions really return.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

import { sdk } from "./support/sdk.mjs";
import { caseNamed, readScenario } from "./support/scenarios.mjs";

const require = createRequire(import.meta.url);
const s01 = readScenario(new URL("../../tests/scenarios/s01_decode.json", import.meta.url), "S01");
const tsc = require.resolve("typescript/bin/tsc");
const project = fileURLToPath(new URL("./types/tsconfig.json", import.meta.url));
const declarations = readFileSync(new URL("../pkg/node/etrid_wasm.d.ts", import.meta.url), "utf8");

/** The fields `interface name { ... }` declares in the package's .d.ts, as { field: type }. */
function declaredFields(name) {
  const body = declarations.match(new RegExp(`export interface ${name} \\{([^}]*)\\}`))?.[1];
  assert.ok(body, `interface ${name} is declared`);
  const withoutComments = body.replace(/\/\*\*[\s\S]*?\*\//g, "");
  return Object.fromEntries(
    [...withoutComments.matchAll(/^\s*(\w+)\??: ([^;]+);/gm)].map(([, field, type]) => [field, type]),
  );
}

/** Whether a runtime value fits a declared TypeScript type (the forms the .d.ts uses). */
function fits(value, type) {
  return type.split(" | ").some((t) => {
    if (t === "null") return value === null;
    if (t.endsWith("[]")) return Array.isArray(value) && value.every((v) => fits(v, t.slice(0, -2)));
    if (["bigint", "number", "string", "boolean"].includes(t)) return typeof value === t;
    if (t === "Uint8Array") return value instanceof Uint8Array;
    if (t === "Network") return ["bitcoin", "testnet", "signet", "regtest"].includes(value);
    return typeof value === "object" && value !== null && matches(value, t);
  });
}

/** Asserts `value` has exactly the fields interface `name` declares, each of its type. */
function matches(value, name) {
  const fields = declaredFields(name);
  assert.deepStrictEqual(Object.keys(value).sort(), Object.keys(fields).sort(), name);
  for (const [field, type] of Object.entries(fields)) {
    assert.ok(fits(value[field], type), `${name}.${field}: ${String(value[field])} is not ${type}`);
  }
  return true;
}

test("types: the .d.ts types Invoice, QrMatrix, DecodeOptions and errors precisely (tsc --strict)", () => {
  const run = spawnSync(process.execPath, [tsc, "-p", project], { encoding: "utf8" });
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`);
});

test("types: decoded invoices and QR matrices are exactly what the .d.ts declares", () => {
  // Every valid invoice of scenario S01 (tests/scenarios/s01_decode.json).
  for (const { input } of s01.cases) {
    matches(sdk.decodeInvoiceWith(input.invoice, { network: input.network, allowExpired: true }), "Invoice");
  }
  matches(sdk.qrMatrix(caseNamed(s01, "coffee").input.invoice), "QrMatrix");
});
