// Headless Chromium for the package's browser tests: Debian's `chromium` driven by
// playwright-core (no browser download), and a static server for the package directory, so a
// page imports the package exactly as a site would (`<script type="module">` and the browser
// entry, js/browser.mjs, which fetches its .wasm beside itself).
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

/** The package directory (wasm/). */
export const PACKAGE_DIR = fileURLToPath(new URL("../../", import.meta.url));

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
};

/** The Chromium binary: $CHROMIUM, else Debian's. */
export function chromiumBinary() {
  const candidates = [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((path) => path && existsSync(path));
  if (!found) throw new Error("no Chromium: apt-get install chromium (or set CHROMIUM)");
  return found;
}

/**
 * Serves the files under `root` (default: the package directory) on a loopback port; resolves
 * `{ url, close() }`. Only GET of existing files under `root`; everything else is 404.
 */
export function serveDirectory(root = PACKAGE_DIR) {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    try {
      const path = decodeURIComponent(new URL(request.url, "http://x").pathname);
      const file = normalize(join(base, path.endsWith("/") ? `${path}index.html` : path));
      if (!file.startsWith(base) || !(await stat(file)).isFile()) throw new Error("not found");
      const body = await readFile(file);
      response.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
      });
      response.end(body);
    } catch {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("not found");
    }
  });
  return new Promise((resolvePromise) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolvePromise({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** Launches headless Chromium; resolves the Browser. */
export function launchChromium() {
  return chromium.launch({
    executablePath: chromiumBinary(),
    headless: true,
    // Containers run as root without user namespaces: Chromium's sandbox cannot start there.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

/**
 * A page that loaded `path` from `site` and whose `window.ready` became true; console errors
 * and uncaught page errors are collected in `page.problems` (tests assert it stays empty).
 */
export async function openPage(browser, site, path, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  page.problems = [];
  page.on("pageerror", (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") page.problems.push(`console.error: ${message.text()}`);
  });
  await page.goto(`${site.url}${path}`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 });
  return page;
}
