#!/usr/bin/env node
// Writes the tournament console as static files, for hosting anywhere (a CDN, a file server):
//   node node_modules/@etrid/lightning/console/export.mjs <out-dir>
// <out-dir> gets the console's pages and, under sdk/, the browser build of this package they
// load. Open <site>/index.html and give the LSP's URL: that LSP must allow the site's origin on
// its admin endpoints (`--admin-cors-origins https://your.site`). Join links then carry the
// LSP's URL (`api=`), whose public routes answer any origin.
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, "..");

/** Copies the console and the SDK's browser files into `out`; returns the files written. */
export function exportConsole(out) {
  const web = join(packageDir, "pkg", "web");
  if (!existsSync(join(web, "etrid_wasm.js"))) {
    throw new Error(`${web} is missing: build the package first (bash .ci/wasm.sh --build-only)`);
  }
  mkdirSync(out, { recursive: true });
  const written = [];
  for (const name of readdirSync(here)) {
    if (name === "export.mjs") continue;
    cpSync(join(here, name), join(out, name));
    written.push(name);
  }
  cpSync(join(packageDir, "js"), join(out, "sdk", "js"), { recursive: true });
  cpSync(web, join(out, "sdk", "pkg", "web"), { recursive: true });
  written.push("sdk/js/", "sdk/pkg/web/");
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: node console/export.mjs <out-dir>");
    process.exit(2);
  }
  const written = exportConsole(resolve(out));
  console.log(`tournament console written to ${resolve(out)}: ${written.join(", ")}`);
}
