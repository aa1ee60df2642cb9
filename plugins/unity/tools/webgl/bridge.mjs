// Loads the Unity WebGL bridge as a Unity WebGL build does: EtridLightning.jslib linked by
// Emscripten (emcc --js-library, which expands makeDynCall, $-dependencies and mergeInto) into
// a module whose C host (bridge_host.c) calls it like IL2CPP's code, with the npm package
// @etrid/lightning set as globalThis.etridLightning, as the Etrid WebGL template does.
//
// $ETRID_WEBGL_HOST is the emcc output (bridge_host.js beside its .wasm), built by
// plugins/unity/tools/webgl-tests.sh.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The npm package, from this repository's wasm/ (the Node entry: same core, same exports). */
export const sdk = require("../../../../wasm/js/node.cjs");

/** Statuses, as etrid.h's EtridStatus. */
export const Status = { Ok: 0, InvalidArgument: 1, Error: 2, Cancelled: 4 };

/** Operation numbers, as etrid.h's EtridOperation. */
export const Op = {
  CreateInvoice: 1, GetInvoice: 2, ListInvoices: 3, CancelInvoice: 4, WaitForPayment: 5,
  CreateHoldInvoice: 6, SettleHoldInvoice: 7, CancelHoldInvoice: 8, PayInvoice: 9, Keysend: 10,
  GetPayment: 11, ListPayments: 12, Balance: 13, ListLedger: 14, CreateApiKey: 15,
  ListApiKeys: 16, RevokeApiKey: 17, CreateWebhook: 18, ListWebhooks: 19, DeleteWebhook: 20,
  ListWebhookDeliveries: 21, RedeliverWebhook: 22, Health: 23, NodeInfo: 24, ListChannels: 25,
  Liquidity: 26, ListEvents: 27, CreateLightningAddress: 28, ListLightningAddresses: 29,
  DeleteLightningAddress: 30, PayLnurl: 31, CreateTournament: 32, GetTournament: 33,
  ListTournaments: 34, JoinTournament: 35, ListTournamentEntries: 36, CancelTournament: 37,
  EnterTournamentResults: 38, PayTournament: 39, ListTournamentPayouts: 40, TournamentAudit: 41, CreateQuote: 42,
  CreateVouchers: 43, GetVoucher: 44, ListVouchers: 45, CancelVoucher: 46, RedeemWithdraw: 47,
  CreateSchedule: 48, GetSchedule: 49, ListSchedules: 50, ScheduleRuns: 51, CancelSchedule: 52,
  CreateStream: 53, GetStream: 54, ListStreams: 55, PauseStream: 56, ResumeStream: 57, StopStream: 58,
  CreateStreamKey: 59, GetPublicTournament: 60, JoinPublicTournament: 61,
};

/** A synchronous failure of the bridge, with the error JSON's fields. */
export class BridgeError extends Error {
  constructor(error) {
    super(error.message);
    this.code = error.code;
    this.error = error;
  }
}

/**
 * The bridge in its Emscripten module: `clientNew`, `request` (a Promise of the completion),
 * `cancel`, `pending`, `eventsStart`, `eventsStop`, `free` and `heapInUse`, each one call of
 * the C host.
 */
export async function loadBridge() {
  const hostJs = process.env.ETRID_WEBGL_HOST;
  if (!hostJs) throw new Error("ETRID_WEBGL_HOST is not set: run plugins/unity/tools/webgl-tests.sh");
  globalThis.etridLightning = sdk;
  const completions = new Map();
  const eventSinks = new Map();
  const createHost = require(hostJs);
  const module = await createHost({
    // Emscripten 3.1.6 would fetch() a file path under Node 20: hand it the bytes.
    wasmBinary: await readFile(hostJs.replace(/\.js$/, ".wasm")),
    onCompletion(userData, requestId, status, json) {
      const waiter = completions.get(requestId);
      if (!waiter) throw new Error(`a completion for request ${requestId}, which nobody waits for`);
      completions.delete(requestId);
      waiter({ userData, requestId, status, json, value: JSON.parse(json) });
    },
    onEvent(userData, json) {
      const sink = eventSinks.get(userData);
      if (!sink) throw new Error(`an event for user_data ${userData}, which has no listener`);
      sink(JSON.parse(json));
    },
  });
  const call = (name, returns, types, args) => module.ccall(name, returns, types, args);
  const takeError = () => {
    const pointer = call("host_take_error", "number", [], []);
    if (pointer === 0) return null;
    const text = module.UTF8ToString(pointer);
    module._free(pointer);
    return JSON.parse(text);
  };
  return {
    module,
    takeError,
    /** A client's handle; throws a BridgeError when refused. */
    clientNew(config) {
      const text = typeof config === "string" ? config : JSON.stringify(config);
      const handle = call("host_client_new", "number", ["string"], [text]);
      if (handle === 0) throw new BridgeError(takeError());
      return handle;
    },
    /** Starts a request; `{ id, done }`, `done` resolving with its completion. */
    start(handle, operation, args, userData = 7) {
      const text = args === undefined ? null : typeof args === "string" ? args : JSON.stringify(args);
      const id = call("host_request", "number", ["number", "number", "string", "number"], [handle, operation, text, userData]);
      if (id === 0) throw new BridgeError(takeError());
      const done = new Promise((resolve) => completions.set(id, resolve));
      return { id, done };
    },
    /** Runs a request to its completion. */
    request(handle, operation, args) {
      return this.start(handle, operation, args).done;
    },
    /** The result of a request that must succeed. */
    async ok(handle, operation, args) {
      const completion = await this.request(handle, operation, args);
      if (completion.status !== Status.Ok) throw new Error(`operation ${operation} failed: ${completion.json}`);
      return completion.value;
    },
    requestWithoutCallback(handle, operation) {
      const id = call("host_request_without_callback", "number", ["number", "number"], [handle, operation]);
      if (id === 0) throw new BridgeError(takeError());
      return id;
    },
    cancel: (handle, id) => call("host_cancel", "number", ["number", "number"], [handle, id]),
    pending: (handle) => call("host_pending", "number", ["number"], [handle]),
    /** Starts the event stream after `after` (-1: from now on), items to `sink` (parsed JSON). */
    eventsStart(handle, after, sink, userData = handle) {
      eventSinks.set(userData, sink);
      if (call("host_events_start", "number", ["number", "number", "number"], [handle, after, userData]) !== 1) {
        eventSinks.delete(userData);
        throw new BridgeError(takeError());
      }
    },
    eventsStop: (handle) => call("host_events_stop", null, ["number"], [handle]),
    free: (handle) => call("host_client_free", null, ["number"], [handle]),
    heapInUse: () => call("host_heap_in_use", "number", [], []),
    /** A string the bridge returned, read and freed; a BridgeError for a null one. */
    takeString(pointer) {
      if (pointer === 0) throw new BridgeError(takeError());
      const text = module.UTF8ToString(pointer);
      call("host_free", null, ["number"], [pointer]);
      return text;
    },
    version() {
      return this.takeString(call("host_version", "number", [], []));
    },
    decodeInvoice(bolt11, network, now = 0, allowExpired = false) {
      const pointer = call("host_decode_invoice", "number", ["string", "string", "number", "number"], [bolt11, network, now, allowExpired ? 1 : 0]);
      return JSON.parse(this.takeString(pointer));
    },
    qrSvg(text) {
      return this.takeString(call("host_qr_svg", "number", ["string"], [text]));
    },
    /** The SVG pages of printable voucher sheets (`vouchers`: what the C ABI takes, as JSON text). */
    voucherSheetsSvg(vouchersJson) {
      return JSON.parse(this.takeString(call("host_voucher_sheets_svg", "number", ["string"], [vouchersJson])));
    },
    /** `{ width, modules }` (a copy), the buffer freed. */
    qrMatrix(text) {
      const pointer = call("host_qr_matrix", "number", ["string"], [text]);
      if (pointer === 0) throw new BridgeError(takeError());
      const width = call("host_qr_width", "number", [], []);
      const modules = Uint8Array.from(module.HEAPU8.subarray(pointer, pointer + width * width));
      call("host_free", null, ["number"], [pointer]);
      return { width, modules };
    },
  };
}
