#!/usr/bin/env node
// Generates the TypeScript declarations of the LSP's wire models (wasm/src/client/lsp_models.d.ts)
// from the API contract, lsp/openapi.json: the Rust models (etrid_core::lsp::model) are tested
// against that document both ways, so models change in one place and these types follow.
//
//   node wasm/scripts/lsp-types.mjs          # rewrite the file
//   node wasm/scripts/lsp-types.mjs --check  # exit 1 if the committed file is stale (CI)
//
// Conventions (those of the package's converter): 64-bit integers are `bigint` in results; in
// requests, amounts (`*_msat`) are `bigint` only and other 64-bit integers `bigint | number`
// (a safe integer); 32-bit integers are `number`; `null` where the contract allows it.
import { readFileSync, writeFileSync } from "node:fs";

const root = new URL("../../", import.meta.url);
const contract = JSON.parse(readFileSync(new URL("lsp/openapi.json", root), "utf8"));
const output = new URL("wasm/src/client/lsp_models.d.ts", root);
const schemas = contract.components.schemas;

/** Contract schema names whose TypeScript name differs: `Invoice` is the decoded BOLT11 invoice. */
const RENAMED = { Invoice: "LspInvoice", Payment: "LspPayment", Event: "LspEvent" };
/** The query models of list operations: their fields are the GET operation's query parameters. */
const QUERIES = {
  ListInvoicesRequest: "/v1/invoices",
  ListPaymentsRequest: "/v1/payments",
  ListLedgerRequest: "/v1/ledger",
  ListEventsRequest: "/v1/events",
  ListPageRequest: "/v1/webhooks",
  ListVouchersRequest: "/v1/vouchers",
};
/** Query parameters that are 64-bit in the Rust models (the contract gives them no format). */
const QUERY_U64 = new Set(["after", "created_after", "created_before"]);

const typeName = (name) => RENAMED[name] ?? name;
const refName = (ref) => typeName(ref.replace("#/components/schemas/", ""));

/** The TypeScript type of `schema`; `input` when it is part of a request. */
function tsType(schema, field, input) {
  if (schema.$ref) return refName(schema.$ref);
  if (schema.oneOf) return schema.oneOf.map((s) => tsType(s, field, input)).join(" | ");
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types
    .map((type) => {
      switch (type) {
        case "null":
          return "null";
        case "string":
          return "string";
        case "boolean":
          return "boolean";
        case "integer":
          if (schema.format === "uint32" || schema.format === "uint16") return "number";
          if (!input) return "bigint";
          return field.endsWith("_msat") ? "bigint" : "bigint | number";
        case "array":
          return `${wrap(tsType(schema.items, field, input))}[]`;
        case "object": {
          // Inline objects with properties (the variants of a tagged union) keep their shape.
          if (!schema.properties) return "Record<string, unknown>";
          const required = new Set(schema.required ?? []);
          const fields = Object.entries(schema.properties).map(
            ([name, property]) => `${name}${required.has(name) ? "" : "?"}: ${tsType(property, name, input)}`,
          );
          return `{ ${fields.join("; ")} }`;
        }
        default:
          throw new Error(`${field}: unsupported schema type ${type}`);
      }
    })
    .join(" | ");
}

const wrap = (type) => (type.includes(" ") ? `(${type})` : type);

/** A JSDoc block at `indent`. */
function doc(text, indent) {
  if (!text) return "";
  const lines = text.split("\n");
  if (lines.length === 1) return `${indent}/** ${text} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`).join("\n")}\n${indent} */\n`;
}

/** `export interface Name { ... }` for an object schema. */
function objectDeclaration(name, schema) {
  const input = name.endsWith("Request");
  const required = new Set(schema.required ?? []);
  let fields = "";
  for (const [field, property] of Object.entries(schema.properties ?? {})) {
    const optional = required.has(field) ? "" : "?";
    fields += doc(property.description, "  ");
    fields += `  ${field}${optional}: ${tsType(property, field, input)};\n`;
  }
  return `${doc(schema.description, "")}export interface ${typeName(name)} {\n${fields}}\n`;
}

/** The event union: `invoice.*` events carry an invoice, `payment.*` events a payment, `tournament.*` events the tournament, the entry or the payout, `voucher.*` events the voucher, `transfer.received` the transfer, `keysend.received` the keysend, `swap.updated` the swap. */
function eventDeclaration(schema) {
  const types = schemas.EventType.enum;
  const variants = types.map((type) => {
    const data = {
      invoice: "LspInvoice",
      payment: "LspPayment",
      "tournament.updated": "Tournament",
      "tournament.entry": "TournamentEntry",
      "tournament.payout": "TournamentPayout",
      voucher: "Voucher",
      transfer: "Transfer",
      keysend: "Keysend",
      swap: "Swap",
    }[type.startsWith("tournament.") ? type : type.split(".")[0]];
    if (!data) throw new Error(`event type ${type}: no payload type`);
    return `  | (LspEventBase & { type: ${JSON.stringify(type)}; data: ${data} })`;
  });
  const base = { ...schema, properties: { ...schema.properties } };
  delete base.properties.type;
  delete base.properties.data;
  base.required = base.required.filter((f) => f !== "type" && f !== "data");
  const baseDeclaration = objectDeclaration("LspEventBase", { ...base, description: "The fields every event has." });
  return `${baseDeclaration}\n${doc(schema.description, "")}export type LspEvent =\n${variants.join("\n")};\n`;
}

/** A query model from an operation's query parameters. */
function queryDeclaration(name, path) {
  const parameters = contract.paths[path].get.parameters.filter((p) => p.in === "query");
  let fields = "";
  for (const parameter of parameters) {
    let type = tsType(parameter.schema, parameter.name, true);
    if (QUERY_U64.has(parameter.name)) type = "bigint | number";
    fields += doc(parameter.description, "  ");
    fields += `  ${parameter.name}?: ${type} | null;\n`;
  }
  return `/** Query of \`GET ${path}\`. */\nexport interface ${name} {\n${fields}}\n`;
}

let text = `// Generated by wasm/scripts/lsp-types.mjs from lsp/openapi.json: do not edit.\n`;
for (const [name, schema] of Object.entries(schemas)) {
  text += "\n";
  if (name === "Event") text += eventDeclaration(schema);
  else if (schema.type === "object") text += objectDeclaration(name, schema);
  else text += `${doc(schema.description, "")}export type ${typeName(name)} = ${tsType(schema, name, false)};\n`;
}
for (const [name, path] of Object.entries(QUERIES)) text += `\n${queryDeclaration(name, path)}`;

if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(output, "utf8");
  } catch {}
  if (committed !== text) {
    console.error(`${output.pathname} is stale: run node wasm/scripts/lsp-types.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(output, text);
}
