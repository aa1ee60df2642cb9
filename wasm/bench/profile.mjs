#!/usr/bin/env node
// Where BOLT11 decoding spends its time in the package (printed, not a test). Binds the
// cargo-built .wasm again with its function names kept (wasm-bindgen without
// --remove-name-section, into a temporary directory), decodes 200 signed invoices in a loop for
// 4 s under `node --cpu-prof`, and prints self time grouped by component and the top functions.
//   node wasm/bench/profile.mjs   (after .ci/wasm.sh; uses $CARGO_TARGET_DIR)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const target = process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache", "etrid-target");
const wasm = join(target, "wasm32-unknown-unknown", "wasm-release", "etrid_wasm.wasm");
const work = mkdtempSync(join(tmpdir(), "etrid-profile-"));
const sign = fileURLToPath(new URL("../tests/support/sign.mjs", import.meta.url));

try {
  execFileSync("wasm-bindgen", ["--target", "nodejs", "--out-dir", join(work, "named"), wasm]);
  writeFileSync(
    join(work, "loop.mjs"),
    `import { createRequire } from "node:module";
     import { randomBytes } from "node:crypto";
     import { signer } from ${JSON.stringify(sign)};
     const sdk = createRequire(import.meta.url)("./named/etrid_wasm.js");
     const key = signer(randomBytes(32).toString("hex"));
     const list = [];
     for (let i = 0; i < 200; i++) {
       const c = key.candidates({ hrp: "lnbc25u", timestamp: Math.floor(Date.now() / 1000), paymentHash: randomBytes(32).toString("hex"),
         paymentSecret: randomBytes(32).toString("hex"), description: "profile " + i, expirySecs: 3600 });
       list.push(c.find((t) => { try { return sdk.decodeInvoice(t, "bitcoin").payee_pubkey === key.publicKey; } catch { return false; } }));
     }
     const started = Date.now(); let n = 0;
     while (Date.now() - started < 4000) { for (const text of list) sdk.decodeInvoice(text, "bitcoin"); n += list.length; }
     console.log("decodes per second while profiled: " + Math.round(n / 4));`,
  );
  console.log(execFileSync(process.execPath, ["--cpu-prof", "--cpu-prof-dir", work, join(work, "loop.mjs")], { encoding: "utf8" }).trim());
  const profile = JSON.parse(readFileSync(join(work, readdirSync(work).find((f) => f.endsWith(".cpuprofile"))), "utf8"));
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame.functionName || "(anonymous)"]));
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(byId.get(id), (self.get(byId.get(id)) ?? 0) + profile.timeDeltas[i]));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const GROUPS = [
    ["secp256k1 (C)", /secp256k1/],
    ["128-bit multiply (__multi3)", /multi3/],
    ["bech32 checksum and regrouping", /bech32/],
    ["SHA-256", /sha256|sha2/],
    ["lightning-invoice parsing", /lightning_invoice/],
    ["Rust to JS conversion (serde-wasm-bindgen, glue)", /serde_wasm_bindgen|__wbg|wasm_bindgen/],
    ["allocation and copies", /dlmalloc|memcpy|memmove|alloc::/],
    ["the benchmark's own invoice signing", /signOneShot|candidates|sign/],
  ];
  const groups = new Map();
  for (const [name, time] of self) {
    const group = GROUPS.find(([, pattern]) => pattern.test(name))?.[0] ?? "other";
    groups.set(group, (groups.get(group) ?? 0) + time);
  }
  const percent = (time) => `${((100 * time) / total).toFixed(1).padStart(5)} %`;
  console.log("self time by component:");
  for (const [group, time] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`  ${percent(time)}  ${group}`);
  console.log("top functions:");
  for (const [name, time] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${percent(time)}  ${name.slice(0, 100)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
