// Builds and signs BOLT11 invoices in plain JavaScript (Node's crypto, secp256k1), so tests can
// use invoices the specification has no example of: created now (not expired), or for an amount
// above 2^53 millisatoshis. Independent of the SDK under test, except to pick the recovery id.

import { createECDH, createPrivateKey, sign } from "node:crypto";

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Regroups `bits`-wide values into `to`-wide values, big-endian, zero-padding the end. */
function regroup(values, from, to) {
  let acc = 0;
  let width = 0;
  const out = [];
  for (const value of values) {
    acc = (acc << from) | value;
    width += from;
    while (width >= to) {
      width -= to;
      out.push((acc >> width) & ((1 << to) - 1));
    }
    acc &= (1 << width) - 1;
  }
  if (width > 0) out.push((acc << (to - width)) & ((1 << to) - 1));
  return out;
}

function polymod(values) {
  const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const value of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= generators[i];
  }
  return chk >>> 0;
}

/** Bech32 (not bech32m) encoding of `hrp` and 5-bit `data`, without BIP173's length limit. */
function bech32(hrp, data) {
  const expanded = [...hrp].map((c) => c.charCodeAt(0) >> 5);
  expanded.push(0, ...[...hrp].map((c) => c.charCodeAt(0) & 31));
  const mod = polymod([...expanded, ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...checksum].map((v) => CHARSET[v]).join("")}`;
}

/** A tagged field: its letter, a 10-bit length, then the 5-bit data. */
function field(letter, data) {
  return [CHARSET.indexOf(letter), data.length >> 5, data.length & 31, ...data];
}

const bytesTo5 = (bytes) => regroup([...bytes], 8, 5);

/** A non-negative integer as big-endian 5-bit groups, `minLength` at least (minimal otherwise). */
function intTo5(value, minLength = 1) {
  const out = [];
  for (let n = BigInt(value); n > 0n || out.length < minLength; n >>= 5n) out.unshift(Number(n & 31n));
  return out;
}

/** A signer holding one private key (hex). */
export function signer(privateKeyHex) {
  const ecdh = createECDH("secp256k1");
  ecdh.setPrivateKey(Buffer.from(privateKeyHex, "hex"));
  const point = ecdh.getPublicKey();
  const b64 = (buf) => buf.toString("base64url");
  const key = createPrivateKey({
    format: "jwk",
    key: {
      kty: "EC",
      crv: "secp256k1",
      d: b64(Buffer.from(privateKeyHex, "hex")),
      x: b64(point.subarray(1, 33)),
      y: b64(point.subarray(33, 65)),
    },
  });
  return {
    /** The compressed public key, hex: what the decoder must recover as payee_pubkey. */
    publicKey: ecdh.getPublicKey(null, "compressed").toString("hex"),
    /**
     * The two candidate invoices (recovery ids 0 and 1) for `hrp` (e.g. "lnbc90p") with a
     * timestamp (seconds), payment hash and secret (hex), description, features 8 and 14 and an
     * optional expiry; exactly one recovers to `publicKey`.
     */
    candidates({ hrp, timestamp, paymentHash, paymentSecret, description, expirySecs }) {
      const data = [
        ...intTo5(timestamp, 7),
        ...field("p", bytesTo5(Buffer.from(paymentHash, "hex"))),
        ...field("s", bytesTo5(Buffer.from(paymentSecret, "hex"))),
        ...field("d", bytesTo5(Buffer.from(description, "utf8"))),
        // var_onion_optin (8) and payment_secret (14) required: 0b100000100000000.
        ...field("9", [16, 8, 0]),
      ];
      if (expirySecs !== undefined) data.push(...field("x", intTo5(expirySecs)));
      const message = Buffer.concat([Buffer.from(hrp, "utf8"), Buffer.from(regroup(data, 5, 8))]);
      const rs = sign("sha256", message, { key, dsaEncoding: "ieee-p1363" });
      // libsecp256k1 only verifies low-S signatures: normalise s.
      let s = BigInt(`0x${rs.subarray(32).toString("hex")}`);
      if (s > CURVE_ORDER / 2n) s = CURVE_ORDER - s;
      const sig = Buffer.concat([rs.subarray(0, 32), Buffer.from(s.toString(16).padStart(64, "0"), "hex")]);
      return [0, 1].map((recid) => bech32(hrp, [...data, ...bytesTo5(Buffer.concat([sig, Buffer.from([recid])]))]));
    },
  };
}
