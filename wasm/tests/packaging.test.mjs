// The package as users get it: `npm pack`, then the tarball installed into fresh consumer
// projects, each running a scenario against a real LSP on the devnet:
// - Node ESM (`import`) and Node CommonJS (`require`): S01 decode, and S10 (create an invoice
//   with an invoice key, the devnet wallet pays, waitForPayment says paid), plus `tsc --strict`
//   on a TypeScript consumer resolving the packed declarations;
// - a Vite production build (no plugin, no configuration) served to Chromium: the same S10
//   through <etrid-checkout>, which loads the .wasm Vite emitted.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { PACKAGE_DIR, launchChromium, serveDirectory } from "./support/browser.mjs";
import { startFixture, walletPays } from "./support/fixture.mjs";
import { caseNamed, readScenario } from "./support/scenarios.mjs";

const require = createRequire(import.meta.url);
/** The Vite the build consumer installs (exact: the test is about this packaging path). */
const VITE = "vite@8.4.1";
const coffee = caseNamed(readScenario(new URL("../../tests/scenarios/s01_decode.json", import.meta.url), "S01"), "coffee");

let work;
let tarball;
let fixture;

/** Runs `command args` in `cwd`; returns stdout, throws with its output on failure. */
function run(command, args, cwd, env = {}) {
  try {
    return execFileSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${err.stdout}\n${err.stderr}`);
  }
}

/** A fresh project in `name` with `files`, the tarball (and `extra` packages) installed. */
function consumer(name, files, extra = []) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, ...extra], dir);
  return dir;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "etrid-packaging-"));
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], PACKAGE_DIR));
  tarball = join(work, packed[0].filename);
  fixture = await startFixture(["--accounts", "1", "--fund-msat", "0"]);
});

after(async () => {
  await fixture?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("packaging: the tarball holds the entries, both builds and the types, nothing else", () => {
  const [packed] = JSON.parse(run("npm", ["pack", "--dry-run", "--json"], PACKAGE_DIR));
  const files = packed.files.map((f) => f.path).sort();
  for (const expected of ["js/node.cjs", "js/node.mjs", "js/browser.mjs", "js/checkout.mjs", "js/index.d.ts", "js/checkout.d.ts", "pkg/node/etrid_wasm_bg.wasm", "pkg/web/etrid_wasm_bg.wasm", "console/index.html", "console/join.html", "console/console.mjs", "console/join.mjs", "console/common.mjs", "console/console.css", "console/export.mjs", "README.md"]) {
    assert.ok(files.includes(expected), `${expected} is packed`);
  }
  assert.ok(files.every((f) => /^(js|pkg|console)\/|^README\.md$|^package\.json$/.test(f)), `only package files: ${files}`);
});

/** The consumer program (ESM or CJS flavour): S01, then S10 against the fixture. */
const program = (load) => `
${load}
const coffee = ${JSON.stringify(coffee.input.invoice)};
const decoded = decodeInvoiceWith(coffee, { network: "bitcoin", allowExpired: true });
if (decoded.amount_msat !== 250000000n) throw new Error("S01: wrong amount " + decoded.amount_msat);
try { decodeInvoice("lnbc1", "bitcoin"); throw new Error("no throw"); } catch (err) { if (!(err instanceof EtridError)) throw err; }
(async () => {
  const client = new Client({ baseUrl: process.env.API, apiKey: process.env.KEY, network: "regtest" });
  const invoice = await client.createInvoice({ amount_msat: 7000n, description: "packaging" });
  const waiting = client.waitForPayment(invoice.id, { timeoutMs: 60000 });
  const paid = await fetch(process.env.CONTROL + "/v1/nodes/alice/pay", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ invoice: invoice.bolt11 }),
  }).then((r) => r.json());
  const outcome = await waiting;
  client.close();
  console.log(JSON.stringify({ wallet: paid.status, outcome: outcome.status, received: String(outcome.invoice.amount_received_msat) }));
})().catch((err) => { console.error(err); process.exit(1); });
`;

const expectedRun = { wallet: "succeeded", outcome: "paid", received: "7000" };
const env = () => ({ API: fixture.api, KEY: fixture.accounts[0].invoice_key, CONTROL: fixture.control });

test("packaging: Node ESM consumer (import) runs S01 and S10; tsc --strict accepts the packed types", () => {
  const dir = consumer("node-esm", {
    "package.json": JSON.stringify({ name: "esm-consumer", private: true, type: "module" }),
    "index.js": program('import { Client, EtridError, decodeInvoice, decodeInvoiceWith } from "@etrid/lightning";'),
    "check.ts": [
      'import { Client, decodeInvoice, type LspInvoice } from "@etrid/lightning";',
      'import type { EtridCheckout } from "@etrid/lightning/checkout";',
      'const amount: bigint | null = decodeInvoice("lnbc...", "bitcoin").amount_msat;',
      'const client = new Client({ baseUrl: "https://lsp.example", apiKey: "k", network: "bitcoin" });',
      'const created: Promise<LspInvoice> = client.createInvoice({ amount_msat: 1n });',
      "// @ts-expect-error amounts are bigint",
      "client.createInvoice({ amount_msat: 1 });",
      "declare const element: EtridCheckout;",
      "void [amount, created, element.state];",
      "",
    ].join("\n"),
    "tsconfig.json": JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "node16", moduleResolution: "node16", lib: ["es2022", "dom", "esnext.disposable"], types: [], skipLibCheck: false },
      files: ["check.ts"],
    }),
  });
  assert.deepEqual(JSON.parse(run(process.execPath, ["index.js"], dir, env())), expectedRun);
  run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], dir);
});

test("packaging: Node CommonJS consumer (require) runs S01 and S10", () => {
  const dir = consumer("node-cjs", {
    "package.json": JSON.stringify({ name: "cjs-consumer", private: true, type: "commonjs" }),
    "index.js": program('const { Client, EtridError, decodeInvoice, decodeInvoiceWith } = require("@etrid/lightning");'),
  });
  assert.deepEqual(JSON.parse(run(process.execPath, ["index.js"], dir, env())), expectedRun);
});

test("packaging: a Vite build (no plugin, no config) served to Chromium runs S10 through <etrid-checkout>", async () => {
  const dir = consumer(
    "vite",
    {
      "package.json": JSON.stringify({ name: "vite-consumer", private: true, type: "module" }),
      "index.html": `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>shop</title></head>
        <body><main id="shop"></main><script type="module" src="/main.js"></script></body></html>`,
      "main.js": `
        import "@etrid/lightning/checkout";
        import { decodeInvoiceWith } from "@etrid/lightning";
        const params = new URLSearchParams(location.search);
        window.decoded = decodeInvoiceWith(${JSON.stringify(coffee.input.invoice)}, { network: "bitcoin", allowExpired: true });
        const checkout = document.createElement("etrid-checkout");
        checkout.setAttribute("lsp", params.get("lsp"));
        checkout.setAttribute("api-key", params.get("key"));
        checkout.setAttribute("network", "regtest");
        checkout.setAttribute("amount-msat", "9000");
        document.querySelector("#shop").append(checkout);
      `,
    },
    [VITE],
  );
  run(process.execPath, [join(dir, "node_modules", "vite", "bin", "vite.js"), "build"], dir);
  const assets = readdirSync(join(dir, "dist", "assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `Vite emitted the .wasm: ${assets}`);
  const site = await serveDirectory(join(dir, "dist"));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on("pageerror", (err) => problems.push(err.message));
    const query = new URLSearchParams({ lsp: fixture.api, key: fixture.accounts[0].invoice_key });
    await page.goto(`${site.url}/index.html?${query}`);
    const state = () => page.evaluate(() => document.querySelector("etrid-checkout")?.getAttribute("state"));
    await page.waitForFunction(() => document.querySelector("etrid-checkout")?.getAttribute("state") === "waiting", null, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => String(window.decoded.amount_msat)), "250000000");
    const bolt11 = await page.evaluate(() => document.querySelector("etrid-checkout").invoice.bolt11);
    assert.equal((await walletPays(fixture, bolt11)).status, "succeeded");
    await page.waitForFunction(() => document.querySelector("etrid-checkout").getAttribute("state") === "paid", null, { timeout: 30_000 });
    assert.equal(await state(), "paid");
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await site.close();
  }
});
