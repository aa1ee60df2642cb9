#!/usr/bin/env node
// BOLT11 decoding with signature check in Node, side by side in one run: this package
// (decodeInvoiceWith: checksum, fields, signature recovery, BigInt amounts), npm `bolt11`
// (secp256k1 native addon when it loads, else elliptic) and `light-bolt11-decoder` (no
// signature check: a floor, not a peer). 1,000 distinct signed mainnet invoices, each decoder
// timed over the same list for about two seconds after a warm-up. Prints decodes per second
// and the ratio to npm bolt11. Figures, not a test: `npm run bench` (after .ci/wasm.sh).
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";

import { signer } from "../tests/support/sign.mjs";

const require = createRequire(import.meta.url);
const sdk = require("@etrid/lightning");
const bolt11 = require("bolt11");
const light = require("light-bolt11-decoder");

const COUNT = 1000;
const SECONDS = 2;

/** 1,000 signed mainnet invoices (2,500 sat, a description, a 1 h expiry), each recovering to its key. */
function invoices() {
  const key = signer(randomBytes(32).toString("hex"));
  const out = [];
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < COUNT; i++) {
    const candidates = key.candidates({
      hrp: "lnbc25u",
      timestamp: now,
      paymentHash: randomBytes(32).toString("hex"),
      paymentSecret: randomBytes(32).toString("hex"),
      description: `bench item ${i}`,
      expirySecs: 3600,
    });
    const valid = candidates.find((text) => {
      try {
        return sdk.decodeInvoice(text, "bitcoin").payee_pubkey === key.publicKey;
      } catch {
        return false;
      }
    });
    if (!valid) throw new Error("no candidate recovers to the signing key");
    out.push(valid);
  }
  return out;
}

/** Decodes per second of `decode` over `list`: a warm-up pass, then whole passes for SECONDS. */
function rate(decode, list) {
  for (const text of list) decode(text);
  let decoded = 0;
  const started = process.hrtime.bigint();
  const budget = BigInt(SECONDS * 1e9);
  while (process.hrtime.bigint() - started < budget) {
    for (const text of list) decode(text);
    decoded += list.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return decoded / seconds;
}

const list = invoices();
// Each decoder must accept every invoice and agree on the payee, or its figure means nothing.
for (const text of list.slice(0, 20)) {
  const ours = sdk.decodeInvoice(text, "bitcoin");
  const theirs = bolt11.decode(text);
  if (theirs.payeeNodeKey !== ours.payee_pubkey) throw new Error("bolt11 disagrees on the payee");
  if (light.decode(text).paymentRequest !== text) throw new Error("light-bolt11-decoder failed");
}

let secpBackend = "unknown";
try {
  require("node-gyp-build")(require("node:path").dirname(require.resolve("secp256k1/package.json")));
  secpBackend = "native addon";
} catch {
  secpBackend = "elliptic (pure JS)";
}

const results = [
  ["@etrid/lightning decodeInvoice (wasm, signature recovered)", rate((t) => sdk.decodeInvoice(t, "bitcoin"), list)],
  [`bolt11 ${require("bolt11/package.json").version} (secp256k1: ${secpBackend})`, rate((t) => bolt11.decode(t), list)],
  [`light-bolt11-decoder ${require("light-bolt11-decoder/package.json").version} (no signature check)`, rate((t) => light.decode(t), list)],
];
const reference = results[1][1];
console.log(`BOLT11 decode in Node ${process.version}, ${COUNT} signed mainnet invoices, ${SECONDS} s each`);
for (const [name, perSecond] of results) {
  console.log(`${Math.round(perSecond).toLocaleString("en-US").padStart(9)} /s  ${(perSecond / reference).toFixed(2)}× bolt11  ${name}`);
}
