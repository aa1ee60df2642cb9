// S01 Decode a valid BOLT11 invoice: every field matches (amount, payment hash, description or
// hash, payee, expiry, min_final_cltv, route hints, payment secret, features), through the npm
// package in Node. The spec's examples are expired by the wall clock, so field checks use
// decodeInvoiceWith({ allowExpired: true }); invoices signed here at test time check the clock.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import { sdk, thrown } from "./support/sdk.mjs";
import { signer } from "./support/sign.mjs";
import {
  HASHED_DESCRIPTION,
  SPEC_PAYEE,
  SPEC_PAYMENT_HASH,
  SPEC_PAYMENT_SECRET,
  SPEC_PRIVATE_KEY,
  SPEC_TIMESTAMP,
  valid,
} from "./support/vectors.mjs";

const expiredOk = (network = "bitcoin") => ({ network, allowExpired: true });
const decode = (text, network) => sdk.decodeInvoiceWith(text, expiredOk(network));

/** A short channel id from its block height, transaction index and output index. */
const scid = (block, tx, output) => (BigInt(block) << 40n) | (BigInt(tx) << 16n) | BigInt(output);

/** Signs an invoice now with the spec key; returns the candidate that recovers to its payee. */
function freshInvoice({ hrp, ageSecs = 0, expirySecs }) {
  const key = signer(SPEC_PRIVATE_KEY);
  const candidates = key.candidates({
    hrp,
    timestamp: Math.floor(Date.now() / 1000) - ageSecs,
    paymentHash: SPEC_PAYMENT_HASH,
    paymentSecret: SPEC_PAYMENT_SECRET,
    description: "signed by the test",
    expirySecs,
  });
  const text = candidates.find((c) => decode(c).payee_pubkey === key.publicKey);
  assert.ok(text, "one recovery id recovers the signing key");
  return text;
}

test("S01 decode a valid invoice: every field (spec example '1 cup coffee')", () => {
  const invoice = decode(valid.coffee);
  assert.deepStrictEqual(invoice, {
    bolt11: valid.coffee,
    network: "bitcoin",
    payment_hash: SPEC_PAYMENT_HASH,
    payment_secret: SPEC_PAYMENT_SECRET,
    amount_msat: 250_000_000n,
    description: "1 cup coffee",
    description_hash: null,
    payee_pubkey: SPEC_PAYEE,
    timestamp: SPEC_TIMESTAMP,
    expiry_secs: 60n,
    expires_at: SPEC_TIMESTAMP + 60n,
    min_final_cltv_expiry_delta: 18n,
    route_hints: [],
    features: {
      var_onion_optin: true,
      payment_secret: true,
      basic_mpp: false,
      payment_metadata: false,
      trampoline: false,
      bits: [8, 14],
    },
    fallback_addresses: [],
    payment_metadata: null,
  });
});

test("S01 decode a valid invoice: description hash, fallback address and two-hop route hint", () => {
  const invoice = decode(valid.routeHints);
  assert.equal(invoice.amount_msat, 2_000_000_000n);
  assert.equal(invoice.description, null);
  assert.equal(
    invoice.description_hash,
    createHash("sha256").update(HASHED_DESCRIPTION).digest("hex"),
  );
  assert.deepStrictEqual(invoice.fallback_addresses, ["1RustyRX2oai4EYYDpQGWvEL62BBGqN9T"]);
  assert.deepStrictEqual(invoice.route_hints, [
    {
      hops: [
        {
          node_id: "029e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255",
          short_channel_id: scid(66051, 263430, 1800),
          fee_base_msat: 1,
          fee_proportional_millionths: 20,
          cltv_expiry_delta: 3,
        },
        {
          node_id: "039e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255",
          short_channel_id: scid(197637, 395016, 2314),
          fee_base_msat: 2,
          fee_proportional_millionths: 30,
          cltv_expiry_delta: 4,
        },
      ],
    },
  ]);
});

test("S01 decode a valid invoice: pico-BTC amount, week expiry, min_final_cltv 10", () => {
  const invoice = decode(valid.picoAmount);
  assert.equal(invoice.amount_msat, 967_878_534n);
  assert.equal(invoice.payment_hash, "462264ede7e14047e9b249da94fefc47f41f7d02ee9b091815a5506bc8abf75f");
  assert.equal(
    invoice.description,
    'Blockstream Store: 88.85 USD for Blockstream Ledger Nano S x 1, "Back In My Day" Sticker x 2, "I Got Lightning Working" Sticker x 2 and 1 more items',
  );
  assert.equal(invoice.timestamp, 1572468703n);
  assert.equal(invoice.expiry_secs, 604_800n);
  assert.equal(invoice.min_final_cltv_expiry_delta, 10n);
  assert.deepStrictEqual(invoice.route_hints[0].hops[0], {
    node_id: "03d06758583bb5154774a6eb221b1276c9e82d65bbaceca806d90e20c108f4b1c7",
    short_channel_id: scid(589390, 3312, 1),
    fee_base_msat: 1000,
    fee_proportional_millionths: 2500,
    cltv_expiry_delta: 40,
  });
});

test("S01 decode a valid invoice: UTF-8 description, testnet, P2WSH fallback, metadata, feature 99", () => {
  assert.equal(decode(valid.nonsense).description, "ナンセンス 1杯");
  const testnet = decode(valid.testnetFallback, "testnet");
  assert.equal(testnet.network, "testnet");
  assert.deepStrictEqual(testnet.fallback_addresses, ["mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP"]);
  assert.deepStrictEqual(decode(valid.p2wshFallback).fallback_addresses, [
    "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
  ]);
  const metadata = decode(valid.metadata);
  assert.equal(metadata.payment_metadata, "01fafaf0");
  assert.equal(metadata.features.payment_metadata, true);
  assert.deepStrictEqual(decode(valid.features99).features.bits, [8, 14, 99]);
});

test("S01 decode a valid invoice: upper case, whitespace and lightning: prefix are accepted", () => {
  const upper = decode(valid.features99Upper);
  assert.equal(upper.bolt11, valid.features99);
  assert.equal(upper.amount_msat, 2_500_000_000n);
  assert.equal(upper.description, "coffee beans");
  assert.equal(decode(`  lightning:${valid.coffee}\n`).bolt11, valid.coffee);
});

test("S01 decode a valid invoice: any-amount donation has a null amount; requireAmount refuses it", () => {
  const donation = decode(valid.donation);
  assert.equal(donation.amount_msat, null);
  assert.equal(donation.description, "Please consider supporting this project");
  assert.equal(donation.expiry_secs, 3600n);
  const err = thrown(() =>
    sdk.decodeInvoiceWith(valid.donation, { network: "bitcoin", allowExpired: true, requireAmount: true }),
  );
  assert.equal(err.code, "invoice_amount_required");
});

test("S01 decode a valid invoice: amounts above 2^53 msat keep every digit (BigInt)", () => {
  // 90071.99254740993 BTC = 2^53 + 1 msat, which a JavaScript number would round to 2^53.
  const text = freshInvoice({ hrp: "lnbc90071992547409930p" });
  const invoice = sdk.decodeInvoice(text, "bitcoin");
  assert.equal(typeof invoice.amount_msat, "bigint");
  assert.equal(invoice.amount_msat, 2n ** 53n + 1n);
  assert.equal(invoice.payee_pubkey, SPEC_PAYEE);
});

test("S01 decode a valid invoice: expiry is checked against Date.now()", () => {
  // Signed now, expiring in an hour: valid by the JavaScript clock.
  const fresh = sdk.decodeInvoice(freshInvoice({ hrp: "lnbc10u" }), "mainnet");
  const now = BigInt(Math.floor(Date.now() / 1000));
  assert.ok(fresh.timestamp <= now && now < fresh.expires_at);
  assert.equal(fresh.amount_msat, 1_000_000n);
  // Signed two hours ago with a one-hour expiry: expired by the same clock.
  const stale = freshInvoice({ hrp: "lnbc10u", ageSecs: 7200, expirySecs: 3600 });
  assert.equal(thrown(() => sdk.decodeInvoice(stale, "bitcoin")).code, "invoice_expired");
  // The spec examples, signed in 2017, are expired too unless allowExpired is set.
  const err = thrown(() => sdk.decodeInvoice(valid.coffee, "bitcoin"));
  assert.equal(err.code, "invoice_expired");
  assert.match(err.message, /1496314718/);
});
