// The Etrid WebGL template in headless Chromium: webgl-template.sh installs it (the page and the
// npm package beside it) as into a Unity project; the page is rendered as Unity renders a
// template ({{{ }}} expressions, #if blocks); a stand-in for Unity's loader (player/game.loader.js)
// runs the bridge's C host built by Emscripten for the web, in place of IL2CPP's output. Against
// a real LSP on the devnet: the page loads the package before the game, the game creates an
// invoice through EtridLightning.jslib, a devnet wallet pays it, and the invoice.paid event
// reaches the game. Proves the browser path end to end: module loading order, fetch and
// WebSocket from the page (CORS), the jslib in a browser's Emscripten runtime.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

import { startFixture, walletPays } from "../../../../wasm/tests/support/fixture.mjs";
import { launchChromium, serveDirectory } from "../../../../wasm/tests/support/browser.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));

let fixture;
let site;
let browser;
let work;

/** Renders a Unity WebGL template as the editor does: `#if NAME` blocks, `{{{ expression }}}`. */
function renderTemplate(text, vars) {
  const kept = [];
  const open = [];
  for (const line of text.split("\n")) {
    const condition = line.match(/^\s*#if\s+(\w+)\s*$/);
    if (condition) {
      open.push(Boolean(vars[condition[1]]));
    } else if (/^\s*#endif\s*$/.test(line)) {
      open.pop();
    } else if (open.every(Boolean)) {
      kept.push(line);
    }
  }
  const names = Object.keys(vars);
  const values = Object.values(vars);
  return kept.join("\n").replace(/\{\{\{\s*([\s\S]*?)\s*\}\}\}/g, (_, expression) =>
    String(new Function(...names, `return (${expression});`)(...values)));
}

before(async () => {
  const host = process.env.ETRID_WEBGL_HOST_WEB;
  assert.ok(host, "ETRID_WEBGL_HOST_WEB is not set: run plugins/unity/tools/webgl-tests.sh");
  work = mkdtempSync(join(tmpdir(), "etrid-webgl-template-"));
  execFileSync("bash", [join(HERE, "..", "webgl-template.sh"), work], { stdio: "inherit" });
  const player = join(work, "Assets", "WebGLTemplates", "Etrid");
  const vars = {
    PRODUCT_NAME: "Etrid WebGL test", COMPANY_NAME: "Etrid", PRODUCT_VERSION: "0.1.0",
    LOADER_FILENAME: "game.loader.js", DATA_FILENAME: "game.data",
    FRAMEWORK_FILENAME: basename(host), CODE_FILENAME: basename(host).replace(/\.js$/, ".wasm"),
    MEMORY_FILENAME: "", SYMBOLS_FILENAME: "",
  };
  const page = join(player, "index.html");
  writeFileSync(page, renderTemplate(readFileSync(page, "utf8"), vars));
  mkdirSync(join(player, "Build"));
  copyFileSync(join(HERE, "player", "game.loader.js"), join(player, "Build", vars.LOADER_FILENAME));
  copyFileSync(host, join(player, "Build", vars.FRAMEWORK_FILENAME));
  copyFileSync(host.replace(/\.js$/, ".wasm"), join(player, "Build", vars.CODE_FILENAME));
  [fixture, site, browser] = await Promise.all([
    startFixture(["--accounts", "1", "--fund-msat", "1000000"]),
    serveDirectory(player),
    launchChromium(),
  ]);
});

after(async () => {
  await browser?.close();
  await site?.close();
  await fixture?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("S10 webgl template in Chromium: the page loads the package, the game sells through the jslib, the paid event arrives", async () => {
  const config = JSON.stringify({ base_url: fixture.api, api_key: fixture.accounts[0].invoice_key, network: "regtest" });
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (message) => {
    // A failed load is reported below with its URL.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`console.error: ${message.text()}`);
    }
  });
  page.on("response", (response) => {
    // Browsers ask for /favicon.ico by themselves; the template has none.
    if (response.status() >= 400 && !response.url().endsWith("/favicon.ico")) {
      problems.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
  await page.goto(`${site.url}/index.html?config=${encodeURIComponent(config)}`);
  await page.waitForFunction(() => window.game && window.game.ready === true, null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.game.error), null);
  await page.waitForFunction(() => window.game.completions.length === 1, null, { timeout: 30_000 });
  const [created] = await page.evaluate(() => window.game.completions);
  assert.equal(created.status, 0, JSON.stringify(created));
  assert.equal(created.userData, 2);
  assert.equal(created.value.amount_msat, 42_000);
  assert.equal(created.value.status, "open");

  const paid = await walletPays(fixture, created.value.bolt11);
  assert.equal(paid.status, "succeeded", JSON.stringify(paid));
  await page.waitForFunction(
    (id) => window.game.items.some((i) => i.kind === "event" && i.event.type === "invoice.paid" && i.event.data.id === id),
    created.value.id,
    { timeout: 30_000 },
  );
  const heap = await page.evaluate(() => window.game.host.ccall("host_heap_in_use", "number", [], []));
  assert.equal(heap, await page.evaluate(() => window.game.heapAtStart), "no string left on the C heap");
  assert.deepEqual(problems, []);
});
