#!/usr/bin/env node
// Load figures of the npm package, printed (not a test): `npm run bench:load` after .ci/wasm.sh.
// - Node: `require("@etrid/lightning")` (read, compile and instantiate the .wasm), in fresh
//   processes, median of 15;
// - Chromium: a page whose module script imports the browser entry (fetch, compile and
//   instantiate the .wasm): performance.now() once the import resolved, median of 10 loads;
// - Chromium: first invoice on screen: a page with <etrid-checkout> against a real LSP on the
//   devnet, from navigation start until the QR code of a freshly created invoice is shown.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { launchChromium, serveDirectory } from "../tests/support/browser.mjs";
import { startFixture } from "../tests/support/fixture.mjs";

const PACKAGE = fileURLToPath(new URL("../", import.meta.url));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const node = [];
for (let i = 0; i < 15; i++) {
  const out = execFileSync(process.execPath, ["-e", 'const t = performance.now(); require("@etrid/lightning"); console.log(performance.now() - t)'], { cwd: PACKAGE, encoding: "utf8" });
  node.push(Number(out));
}

const [site, browser, fixture] = await Promise.all([serveDirectory(), launchChromium(), startFixture(["--accounts", "1", "--fund-msat", "0"])]);
try {
  const chromium = [];
  for (let i = 0; i < 10; i++) {
    const page = await browser.newPage();
    await page.goto(`${site.url}/tests/browser/index.html`);
    await page.waitForFunction(() => window.ready === true);
    // The module script sets window.ready right after the import (wasm instantiated) resolved.
    chromium.push(await page.evaluate(() => performance.getEntriesByType("navigation")[0] && window.readyAt));
    await page.close();
  }
  const firstInvoice = [];
  for (let i = 0; i < 5; i++) {
    const page = await browser.newPage();
    const query = new URLSearchParams({ lsp: fixture.api, key: fixture.accounts[0].invoice_key });
    await page.goto(`${site.url}/bench/checkout.html?${query}`);
    await page.waitForFunction(() => document.querySelector("etrid-checkout")?.getAttribute("state") === "waiting", null, { timeout: 30_000 });
    firstInvoice.push(await page.evaluate(() => window.shownAt));
    await page.close();
  }
  console.log(`npm package load figures (${process.version}, Chromium ${browser.version()})`);
  console.log(`  Node require (read + compile + instantiate), median of 15:       ${median(node).toFixed(1)} ms`);
  console.log(`  Chromium import of the browser entry after navigation, median of 10: ${median(chromium).toFixed(1)} ms`);
  console.log(`  Chromium first invoice on screen (<etrid-checkout>, real LSP), median of 5: ${median(firstInvoice).toFixed(1)} ms`);
} finally {
  await browser.close();
  await site.close();
  await fixture.stop();
}
