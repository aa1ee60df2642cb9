// The Unity WebGL bridge's offline calls (Lightning.DecodeInvoiceJson, QrSvg, QrMatrix, Version
// in C#), linked by Emscripten and called from C as IL2CPP calls them, over the real npm package:
// S01-S03 on the shared corpus (tests/scenarios), every returned string or buffer freed.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { BridgeError, loadBridge, sdk } from "./bridge.mjs";

let bridge;
let heapBaseline;

before(async () => {
  bridge = await loadBridge();
  heapBaseline = bridge.heapInUse();
});

/** A scenario file of the shared corpus, parsed as plain JSON (as C# reads it). */
function corpus(name) {
  return JSON.parse(readFileSync(new URL(`../../../../tests/scenarios/${name}.json`, import.meta.url), "utf8"));
}

test("S01 webgl: every valid invoice of s01_decode.json decodes to the expected fields", () => {
  const s01 = corpus("s01_decode");
  assert.ok(s01.cases.length > 0);
  for (const { name, input, expect } of s01.cases) {
    const decoded = bridge.decodeInvoice(input.invoice, input.network, input.now, input.allow_expired ?? false);
    assert.deepStrictEqual(decoded, expect.ok, name);
  }
  assert.equal(bridge.heapInUse(), heapBaseline, "every decoded JSON string was freed");
});

test("S01 webgl: amounts above 2^53 msat keep every digit in the JSON", () => {
  const big = corpus("s01_decode").cases.find((c) => c.expect.ok.amount_msat !== null);
  const pointerJson = bridge.takeString(bridge.module.ccall("host_decode_invoice", "number",
    ["string", "string", "number", "number"], [big.input.invoice, big.input.network, big.input.now, 0]));
  const exact = sdk.decodeInvoiceWith(big.input.invoice, { network: big.input.network, now: BigInt(big.input.now) });
  assert.match(pointerJson, new RegExp(`"amount_msat":${exact.amount_msat}[,}]`));
});

test("S02 webgl: every invalid invoice of s02_errors.json fails with its code", () => {
  const s02 = corpus("s02_errors");
  for (const { name, input, expect } of s02.cases) {
    assert.throws(
      () => bridge.decodeInvoice(input.invoice, input.network, input.now, input.allow_expired ?? false),
      (e) => e instanceof BridgeError && e.code === expect.error,
      name,
    );
  }
  assert.equal(bridge.takeError(), null);
  assert.equal(bridge.heapInUse(), heapBaseline, "every error string was freed");
});

test("S03 webgl: QR codes of s03_qr.json: the package's modules, the expected width, SVG; errors typed", () => {
  const s03 = corpus("s03_qr");
  for (const { name, input, expect } of s03.cases) {
    const text = input.text.repeat(input.repeat ?? 1);
    if (expect.error) {
      assert.throws(() => bridge.qrMatrix(text), (e) => e.code === expect.error, name);
      assert.throws(() => bridge.qrSvg(text), (e) => e.code === expect.error, name);
      continue;
    }
    const matrix = bridge.qrMatrix(text);
    assert.equal(matrix.width, expect.ok.width, name);
    assert.deepEqual(matrix.modules, sdk.qrMatrix(text).modules, name);
    assert.match(bridge.qrSvg(text), /^(<\?xml[^>]*>)?\s*<svg[\s\S]*<\/svg>\s*$/, name);
  }
  assert.equal(bridge.heapInUse(), heapBaseline, "every QR buffer and SVG string was freed");
});

test("webgl bridge: the version is the package's", () => {
  assert.equal(bridge.version(), sdk.version());
  assert.match(bridge.version(), /^\d+\.\d+\.\d+/);
});

test("webgl: printable voucher sheets are the npm package's pages; bad lists are typed", () => {
  const voucher = (n) => ({
    id: `vch_${n}`, batch_id: "vbt_1", status: "active", amount_msat: 21_000_000, min_withdrawable_msat: 21_000_000,
    reserved_msat: 31_000_000, description: "Cup prize", lnurl: `LNURL1DP68GURN8GHJ7MRWW4EXCTNXD9SHG6NPVCHXXMMD9AKXUATJDSKHQCTE8AEK2UMND9HKU0${n}`,
    url: "https://lsp.example/v1/lnurlw/x", expires_at: 1_767_225_600, created_at: 1_764_547_200,
    claimed_msat: null, payment_id: null, completed_at: null,
  });
  const vouchers = Array.from({ length: 13 }, (_, n) => voucher(n));
  const pages = bridge.voucherSheetsSvg(JSON.stringify({ id: "vbt_1", vouchers }));
  assert.equal(pages.length, 2);
  assert.deepEqual(pages, sdk.voucherSheetsSvg(vouchers.map((v) => ({ ...v, amount_msat: BigInt(v.amount_msat), min_withdrawable_msat: BigInt(v.min_withdrawable_msat), reserved_msat: BigInt(v.reserved_msat) }))));
  assert.deepEqual(bridge.voucherSheetsSvg(JSON.stringify({ items: vouchers.slice(0, 1) })).length, 1);
  assert.throws(() => bridge.voucherSheetsSvg("{oops"), (e) => e instanceof BridgeError && e.code === "invalid_argument");
  assert.throws(() => bridge.voucherSheetsSvg('{"batch": []}'), (e) => e instanceof BridgeError && e.code === "invalid_argument");
  assert.equal(bridge.heapInUse(), heapBaseline, "every string was freed");
});
