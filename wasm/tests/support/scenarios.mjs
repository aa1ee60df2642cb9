// Reads the shared scenario files (tests/scenarios/*.json at the repository root) exactly: every
// integer is parsed as a BigInt, so none is rounded through a double (short channel ids exceed
// 2^53), then given the type the npm API uses for its field: bigint for the 64-bit fields, number
// for the others.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/** The fields the npm API returns as bigint (u64 in Rust), and the clock input `now`. */
const BIGINT_FIELDS = new Set([
  "amount_msat",
  "timestamp",
  "expiry_secs",
  "expires_at",
  "min_final_cltv_expiry_delta",
  "short_channel_id",
  "now",
]);

/** Marks an integer literal turned into a string; no scenario string starts with NUL. */
const INTEGER = "\u0000int:";

/** `text` with every integer literal outside strings wrapped in a marked string. */
function quoteIntegers(text) {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      // Copy the string through, escapes included.
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      let j = i + 1;
      while (j < text.length && /[-+0-9.eE]/.test(text[j])) j++;
      const literal = text.slice(i, j);
      out += /^-?\d+$/.test(literal) ? JSON.stringify(INTEGER + literal) : literal;
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * `value` with each integer as a bigint in a BIGINT_FIELDS field, a number elsewhere (a bigint
 * still if it does not fit one exactly).
 */
function retype(value, field) {
  if (typeof value === "bigint") {
    const number = Number(value);
    return BIGINT_FIELDS.has(field) || !Number.isSafeInteger(number) ? value : number;
  }
  if (Array.isArray(value)) return value.map((item) => retype(item, field));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, retype(item, key)]));
  }
  return value;
}

/**
 * Reads the scenario file at `url` (a URL relative to the test file, e.g.
 * `new URL("../../tests/scenarios/s01_decode.json", import.meta.url)`) and checks it is scenario
 * `id` with at least one case.
 */
export function readScenario(url, id) {
  const parsed = JSON.parse(quoteIntegers(readFileSync(url, "utf8")), (_, value) =>
    typeof value === "string" && value.startsWith(INTEGER) ? BigInt(value.slice(INTEGER.length)) : value,
  );
  const file = retype(parsed, "");
  assert.equal(file.scenario, id);
  assert.ok(Array.isArray(file.cases) && file.cases.length > 0, `${id}: the file has no cases`);
  return file;
}

/** The case of `file` called `name`. */
export function caseNamed(file, name) {
  const found = file.cases.find((c) => c.name === name);
  assert.ok(found, `${file.scenario}: no case ${name}`);
  return found;
}

/**
 * Runs `check(case)` for every case of `file` as a subtest of `t` named after the case, and
 * fails unless all ran and passed. Returns how many ran.
 */
export async function forEveryCase(t, file, check) {
  let ran = 0;
  for (const c of file.cases) {
    await t.test(c.name, () => {
      check(c);
      ran++;
    });
  }
  assert.equal(ran, file.cases.length, `${file.scenario}: ${file.cases.length - ran} cases failed`);
  assert.ok(ran > 0);
  return ran;
}
