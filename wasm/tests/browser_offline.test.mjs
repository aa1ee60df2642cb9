// S01–S03 in headless Chromium: every case of the shared corpus (tests/scenarios/s01_decode.json,
// s02_errors.json, s03_qr.json) through the browser entry of the package, loaded by a module
// script; the results are compared with the corpus here (integers as decimal strings, so none
// goes through a double), and the QR matrices are read back with jsQR.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { launchChromium, openPage, serveDirectory } from "./support/browser.mjs";
import { readBack } from "./support/qr.mjs";
import { readScenario } from "./support/scenarios.mjs";

const scenario = (file, id) => readScenario(new URL(`../../tests/scenarios/${file}`, import.meta.url), id);

let site;
let browser;
let page;

before(async () => {
  [site, browser] = await Promise.all([serveDirectory(), launchChromium()]);
  page = await openPage(browser, site, "/tests/browser/index.html");
});

after(async () => {
  await browser?.close();
  await site?.close();
});

/** `value` with every integer as a decimal string and byte arrays as plain arrays. */
function plain(value) {
  if (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))) return String(value);
  if (value instanceof Uint8Array) return Array.from(value, String);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** Runs every case's input through `op` (source of a function of `(etrid, input)`) in the page. */
function inPage(cases, op) {
  return page.evaluate(
    ({ inputs, op }) => {
      const run = new Function("etrid", "input", op);
      const plain = (value) => {
        if (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))) return String(value);
        if (value instanceof Uint8Array) return Array.from(value, String);
        if (Array.isArray(value)) return value.map(plain);
        if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
        return value;
      };
      return inputs.map((input) => {
        try {
          return { ok: plain(run(window.etrid, input)) };
        } catch (err) {
          return { error: err.code, etrid: err instanceof window.etrid.EtridError };
        }
      });
    },
    { inputs: cases.map((c) => JSON.parse(JSON.stringify(c.input, (_, v) => (typeof v === "bigint" ? Number(v) : v)))), op },
  );
}

test("S01 in Chromium: every valid invoice of s01_decode.json decodes with every field matching", async () => {
  const s01 = scenario("s01_decode.json", "S01");
  const results = await inPage(s01.cases, "return etrid.decodeInvoiceWith(input.invoice, { network: input.network, allowExpired: true });");
  assert.equal(results.length, s01.cases.length);
  s01.cases.forEach((c, i) => assert.deepEqual(results[i], { ok: plain(c.expect.ok) }, c.name));
});

test("S02 in Chromium: every bad invoice of s02_errors.json throws an EtridError with its code", async () => {
  const s02 = scenario("s02_errors.json", "S02");
  // The browser clock is now: the expired case is expired by it as well as by its own `now`.
  const results = await inPage(s02.cases, "return etrid.decodeInvoiceWith(input.invoice, { network: input.network, allowExpired: input.now === undefined });");
  assert.equal(results.length, s02.cases.length);
  s02.cases.forEach((c, i) => {
    const allowExpired = c.input.now === undefined;
    const expected = !allowExpired || c.expect.error !== "invoice_expired" ? c.expect.error : undefined;
    if (expected !== undefined) assert.deepEqual(results[i], { error: expected, etrid: true }, c.name);
  });
});

test("S03 in Chromium: every QR code of s03_qr.json reads back as its text", async () => {
  const s03 = scenario("s03_qr.json", "S03");
  const results = await inPage(s03.cases, "const m = etrid.qrMatrix(input.text.repeat(input.repeat)); return { width: m.width, modules: m.modules };");
  assert.equal(results.length, s03.cases.length);
  s03.cases.forEach((c, i) => {
    if ("error" in c.expect) {
      assert.deepEqual(results[i], { error: c.expect.error, etrid: true }, c.name);
      return;
    }
    const matrix = { width: Number(results[i].ok.width), modules: results[i].ok.modules.map(Number) };
    assert.equal(matrix.width, Number(c.expect.ok.width), c.name);
    assert.equal(readBack(matrix), c.expect.ok.payload, c.name);
  });
});
