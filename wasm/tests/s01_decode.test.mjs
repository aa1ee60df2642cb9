// S01 Decode a valid BOLT11 invoice: every field matches (amount, payment hash, description or
// hash, payee, expiry, min_final_cltv, route hints, payment secret, features), through the npm
// package in Node. The cases are tests/scenarios/s01_decode.json, shared with the Rust, C++ and
// C# runners. The npm API checks expiry against Date.now() and takes no clock, so the cases
// (valid at their own `now`, years ago) decode with allowExpired; invoices signed here at test
// time check the clock itself.

import { test } from "node:test";
import assert from "node:assert/strict";

import { sdk, thrown } from "./support/sdk.mjs";
import { caseNamed, forEveryCase, readScenario } from "./support/scenarios.mjs";
import { signer } from "./support/sign.mjs";

const s01 = readScenario(new URL("../../tests/scenarios/s01_decode.json", import.meta.url), "S01");

const decode = (text, network = "bitcoin") => sdk.decodeInvoiceWith(text, { network, allowExpired: true });

/** Any key signs the invoices made here; this is the one the specification's examples use. */
const TEST_KEY = "e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734";

/** Signs an invoice now; returns the candidate that recovers to its payee. */
function freshInvoice({ hrp, ageSecs = 0, expirySecs }) {
  const key = signer(TEST_KEY);
  const coffee = caseNamed(s01, "coffee").expect.ok;
  const candidates = key.candidates({
    hrp,
    timestamp: Math.floor(Date.now() / 1000) - ageSecs,
    paymentHash: coffee.payment_hash,
    paymentSecret: coffee.payment_secret,
    description: "signed by the test",
    expirySecs,
  });
  const text = candidates.find((c) => decode(c).payee_pubkey === key.publicKey);
  assert.ok(text, "one recovery id recovers the signing key");
  return { text, payee: key.publicKey };
}

test("S01 decode every valid invoice of s01_decode.json: every field matches", async (t) => {
  await forEveryCase(t, s01, ({ op, input, expect }) => {
    assert.equal(op, "decode_invoice");
    assert.ok("ok" in expect, "an S01 case expects an invoice");
    assert.deepStrictEqual(decode(input.invoice, input.network), expect.ok);
  });
});

test("S01 decode a valid invoice: any-amount donation has a null amount; requireAmount refuses it", () => {
  const { input, expect } = caseNamed(s01, "donation");
  assert.equal(expect.ok.amount_msat, null);
  const err = thrown(() =>
    sdk.decodeInvoiceWith(input.invoice, { network: input.network, allowExpired: true, requireAmount: true }),
  );
  assert.equal(err.code, "invoice_amount_required");
  const coffee = caseNamed(s01, "coffee").input.invoice;
  const withAmount = sdk.decodeInvoiceWith(coffee, { network: "bitcoin", allowExpired: true, requireAmount: true });
  assert.equal(withAmount.amount_msat, 250_000_000n);
});

test("S01 decode a valid invoice: amounts above 2^53 msat keep every digit (BigInt)", () => {
  // 90071.99254740993 BTC = 2^53 + 1 msat, which a JavaScript number would round to 2^53.
  const { text, payee } = freshInvoice({ hrp: "lnbc90071992547409930p" });
  const invoice = sdk.decodeInvoice(text, "bitcoin");
  assert.equal(typeof invoice.amount_msat, "bigint");
  assert.equal(invoice.amount_msat, 2n ** 53n + 1n);
  assert.equal(invoice.payee_pubkey, payee);
});

test("S01 decode a valid invoice: expiry is checked against Date.now()", () => {
  // Signed now, expiring in an hour: valid by the JavaScript clock.
  const fresh = sdk.decodeInvoice(freshInvoice({ hrp: "lnbc10u" }).text, "mainnet");
  const now = BigInt(Math.floor(Date.now() / 1000));
  assert.ok(fresh.timestamp <= now && now < fresh.expires_at);
  assert.equal(fresh.amount_msat, 1_000_000n);
  // Signed two hours ago with a one-hour expiry: expired by the same clock.
  const stale = freshInvoice({ hrp: "lnbc10u", ageSecs: 7200, expirySecs: 3600 }).text;
  assert.equal(thrown(() => sdk.decodeInvoice(stale, "bitcoin")).code, "invoice_expired");
  // The specification's examples, signed in 2017, are expired too unless allowExpired is set.
  const coffee = caseNamed(s01, "coffee");
  const err = thrown(() => sdk.decodeInvoice(coffee.input.invoice, "bitcoin"));
  assert.equal(err.code, "invoice_expired");
  assert.match(err.message, new RegExp(String(coffee.expect.ok.expires_at)));
});

test("S01 decode a valid invoice: `now` checks expiry at a given moment instead of Date.now()", () => {
  const coffee = caseNamed(s01, "coffee");
  const at = (now) => sdk.decodeInvoiceWith(coffee.input.invoice, { network: "bitcoin", now });
  // Valid at the case's own moment, expired at its expiry, without allowExpired.
  assert.equal(at(BigInt(coffee.input.now)).payment_hash, coffee.expect.ok.payment_hash);
  assert.equal(thrown(() => at(coffee.expect.ok.expires_at)).code, "invoice_expired");
  assert.equal(thrown(() => sdk.decodeInvoiceWith(coffee.input.invoice, { network: "bitcoin", now: "soon" })).code, "invalid_argument");
});
