// The Unity WebGL bridge: the same LightningClient API as on desktop and mobile, over the npm
// package @etrid/lightning (the same Rust core, compiled to WebAssembly) instead of the native
// library. C# calls these functions through [DllImport("__Internal")] (LightningClient.WebGL.cs).
//
// The package must be loaded before the game starts, as `globalThis.etridLightning` (the
// package's module object): the Etrid WebGL template does it (see Documentation~). Requests
// and event items are the C ABI's JSON (the core's run_json and HubEvent::to_json), so a game
// sees the same answers, errors and events in a browser as natively.
//
// Property names of the package and of JSON are quoted (obj["name"]) so that a Closure-compiled
// release build cannot rename them.
//
// Memory: every string handed to a C# callback is malloc'd here and freed right after the
// callback returns (the callback copies it); strings and buffers returned to C# are freed by C#
// with EtridWebGL_Free once read. Callbacks run on the browser's main thread, from the event
// loop, never inside a call from C#; none runs for a client after EtridWebGL_ClientFree
// returns.

var EtridLightningBridge = {
  $EtridBridge: {
    // Statuses as in etrid.h (EtridStatus).
    OK: 0,
    INVALID_ARGUMENT: 1,
    ERROR: 2,
    CANCELLED: 4,
    clients: {},
    nextClient: 1,
    lastError: null,

    // The npm package's module object, or an error naming what to do.
    pkg: function () {
      var pkg = globalThis["etridLightning"];
      if (!pkg || typeof pkg["Client"] !== "function" || typeof pkg["Client"]["fromConfigJson"] !== "function") {
        throw EtridBridge.error("webgl_package_missing",
          "the @etrid/lightning package is not loaded: use the Etrid WebGL template, or set globalThis.etridLightning to the package's module before the game starts");
      }
      return pkg;
    },

    error: function (code, message) {
      var e = new Error(message);
      e["code"] = code;
      return e;
    },

    // The error JSON of a thrown value: the core's own JSON when the package made it.
    errorJson: function (e) {
      if (e && typeof e["json"] === "string") return e["json"];
      return JSON.stringify({
        "code": (e && typeof e["code"] === "string") ? e["code"] : "internal_error",
        "message": String((e && e["message"]) || e),
        "retryable": false,
        "http_status": null,
      });
    },

    cancelledJson: JSON.stringify({
      "code": "cancelled", "message": "the request was cancelled", "retryable": false, "http_status": null,
    }),

    // Records a synchronous failure for EtridWebGL_TakeError.
    fail: function (e) {
      EtridBridge.lastError = EtridBridge.errorJson(e);
      return 0;
    },

    // Passes `text` to `call(pointer)` as a NUL-terminated UTF-8 string, freed afterwards.
    withString: function (text, call) {
      var pointer = EtridBridge.allocString(text);
      try {
        call(pointer);
      } catch (thrown) {
        // A callback that threw must not leave the bridge half-updated.
        console.error("etrid: a LightningClient callback threw", thrown);
      } finally {
        _free(pointer);
      }
    },

    // A malloc'd NUL-terminated UTF-8 copy of `text`, for C# to read and EtridWebGL_Free.
    allocString: function (text) {
      var size = lengthBytesUTF8(text) + 1;
      var pointer = _malloc(size);
      stringToUTF8(text, pointer, size);
      return pointer;
    },

    // JSON of a package value with its BigInt amounts as exact JSON integers.
    toJson: function (value) {
      var marked = JSON.stringify(value, function (key, item) {
        return typeof item === "bigint" ? "\u0001" + item.toString() : item;
      });
      return marked.replace(/"\\u0001(-?[0-9]+)"/g, "$1");
    },

    // Completes request `id` with its outcome, unless it was cancelled meanwhile: once
    // EtridWebGL_Cancel said yes, the outcome is "cancelled", whatever the work did.
    settle: function (client, id, status, json) {
      var request = client.pending[id];
      if (request && request.cancelled) {
        EtridBridge.complete(client, id, EtridBridge.CANCELLED, EtridBridge.cancelledJson);
      } else {
        EtridBridge.complete(client, id, status, json);
      }
    },

    // Completes request `id` of `client` once: removes it, then calls its callback.
    complete: function (client, id, status, json) {
      var request = client.pending[id];
      if (!request) return;
      delete client.pending[id];
      client.count--;
      EtridBridge.withString(json, function (pointer) {
        {{{ makeDynCall('viiii', 'request.callback') }}}(request.userData, id, status, pointer);
      });
    },
  },

  // A client for the C ABI's configuration JSON; its handle (> 0), or 0 with the error for
  // EtridWebGL_TakeError.
  EtridWebGL_ClientNew: function (configJson) {
    try {
      var native = EtridBridge.pkg()["Client"]["fromConfigJson"](UTF8ToString(configJson));
      var handle = EtridBridge.nextClient++;
      EtridBridge.clients[handle] = {
        native: native, pending: {}, count: 0, nextRequest: 1, stopEvents: null,
      };
      return handle;
    } catch (e) {
      return EtridBridge.fail(e);
    }
  },

  // The last synchronous failure's error JSON (null when none), cleared; the caller frees it.
  EtridWebGL_TakeError: function () {
    var text = EtridBridge.lastError;
    EtridBridge.lastError = null;
    return text === null ? 0 : EtridBridge.allocString(text);
  },

  // Frees a string or buffer this bridge returned.
  EtridWebGL_Free: function (pointer) {
    if (pointer) _free(pointer);
  },

  // The package's version (the core's), malloc'd.
  EtridWebGL_Version: function () {
    try {
      return EtridBridge.allocString(EtridBridge.pkg()["version"]());
    } catch (e) {
      return EtridBridge.fail(e);
    }
  },

  // Decodes and validates a BOLT11 invoice for `network` (expiry against `nowUnixSecs`, 0: the
  // clock): its JSON (amounts exact), malloc'd, or 0 with the error for EtridWebGL_TakeError.
  EtridWebGL_DecodeInvoice: function (bolt11, network, nowUnixSecs, allowExpired) {
    try {
      var options = { "network": UTF8ToString(network), "allowExpired": !!allowExpired };
      if (nowUnixSecs > 0) options["now"] = BigInt(nowUnixSecs);
      var invoice = EtridBridge.pkg()["decodeInvoiceWith"](UTF8ToString(bolt11), options);
      return EtridBridge.allocString(EtridBridge.toJson(invoice));
    } catch (e) {
      return EtridBridge.fail(e);
    }
  },

  // `text` as a QR code in an SVG document, malloc'd; or 0 with the error.
  EtridWebGL_QrSvg: function (text) {
    try {
      return EtridBridge.allocString(EtridBridge.pkg()["qrSvg"](UTF8ToString(text)));
    } catch (e) {
      return EtridBridge.fail(e);
    }
  },

  // Printable A4 voucher sheets: the JSON array of SVG pages of `vouchersJson` (an array of
  // vouchers, or an object holding one as `vouchers` or `items`), malloc'd; or 0 with the error.
  EtridWebGL_VoucherSheetsSvg: function (vouchersJson) {
    try {
      var value;
      try {
        value = JSON.parse(UTF8ToString(vouchersJson));
      } catch (notJson) {
        return EtridBridge.fail({ code: "invalid_argument", message: "argument `vouchers_json` is not JSON: " + notJson.message });
      }
      var list = Array.isArray(value) ? value : value && (value["vouchers"] || value["items"]);
      if (!Array.isArray(list)) {
        return EtridBridge.fail({ code: "invalid_argument", message: "argument `vouchers_json` must be an array of vouchers, or an object holding one as `vouchers` or `items`" });
      }
      return EtridBridge.allocString(JSON.stringify(EtridBridge.pkg()["voucherSheetsSvg"](list)));
    } catch (e) {
      return EtridBridge.fail(e);
    }
  },

  // `text` as a QR module grid: width * width bytes (1 dark, 0 light), row-major, malloc'd, with
  // the width in *outWidth; or 0 with the error.
  EtridWebGL_QrMatrix: function (text, outWidth) {
    try {
      var matrix = EtridBridge.pkg()["qrMatrix"](UTF8ToString(text));
      var modules = matrix["modules"];
      var pointer = _malloc(Math.max(modules.length, 1));
      HEAPU8.set(modules, pointer);
      HEAP32[outWidth >> 2] = matrix["width"];
      return pointer;
    } catch (e) {
      return EtridBridge.fail(e);
    }
  },

  // Starts `operation` with `argsJson` (0: none); its request id (> 0), or 0 with the error.
  // The outcome arrives once, later, through callback(userData, requestId, status, json).
  EtridWebGL_Request: function (handle, operation, argsJson, callback, userData) {
    var client = EtridBridge.clients[handle];
    if (!client) return EtridBridge.fail(EtridBridge.error("invalid_argument", "argument `client` is not a live client"));
    if (!callback) return EtridBridge.fail(EtridBridge.error("invalid_argument", "argument `callback` is null"));
    var args = argsJson ? UTF8ToString(argsJson) : undefined;
    var id = client.nextRequest++;
    var abort = new AbortController();
    client.pending[id] = { callback: callback, userData: userData, abort: abort };
    client.count++;
    client.native["requestJson"](operation, args, abort.signal).then(
      function (json) { EtridBridge.settle(client, id, EtridBridge.OK, json); },
      function (e) {
        var status = (e && e["code"] === "invalid_argument") ? EtridBridge.INVALID_ARGUMENT : EtridBridge.ERROR;
        EtridBridge.settle(client, id, status, EtridBridge.errorJson(e));
      });
    return id;
  },

  // Cancels a pending request: it completes as cancelled soon after (never inside this call),
  // and its work stops. 1 when it was pending (its outcome is then "cancelled"), else 0.
  EtridWebGL_Cancel: function (handle, id) {
    var client = EtridBridge.clients[handle];
    var request = client && client.pending[id];
    if (!request || request.cancelled) return 0;
    request.cancelled = true;
    request.abort.abort();
    // Not from inside this call: C# cancels from a CancellationToken callback.
    setTimeout(function () {
      EtridBridge.complete(client, id, EtridBridge.CANCELLED, EtridBridge.cancelledJson);
    }, 0);
    return 1;
  },

  // Requests in flight (0 for an unknown client).
  EtridWebGL_Pending: function (handle) {
    var client = EtridBridge.clients[handle];
    return client ? client.count : 0;
  },

  // Starts the account's event stream after event id `after` (negative: from now on):
  // callback(userData, itemJson) per item, in order. 1, or 0 with the error (already started).
  EtridWebGL_EventsStart: function (handle, after, callback, userData) {
    var client = EtridBridge.clients[handle];
    if (!client) return EtridBridge.fail(EtridBridge.error("invalid_argument", "argument `client` is not a live client"));
    if (!callback) return EtridBridge.fail(EtridBridge.error("invalid_argument", "argument `callback` is null"));
    if (client.stopEvents) return EtridBridge.fail(EtridBridge.error("invalid_argument", "argument `client` already has an event stream"));
    var stream = { active: true };
    try {
      var stop = client.native["subscribeJson"](after >= 0 ? BigInt(after) : undefined, function (json) {
        if (!stream.active) return;
        EtridBridge.withString(json, function (pointer) {
          {{{ makeDynCall('vii', 'callback') }}}(userData, pointer);
        });
      });
    } catch (e) {
      return EtridBridge.fail(e);
    }
    client.stopEvents = function () {
      stream.active = false;
      stop();
    };
    return 1;
  },

  // Stops the event stream (it may be started again, after the last id handled).
  EtridWebGL_EventsStop: function (handle) {
    var client = EtridBridge.clients[handle];
    if (client && client.stopEvents) {
      client.stopEvents();
      client.stopEvents = null;
    }
  },

  // Frees a client: events stop, and every pending request completes now, as cancelled,
  // through its callback; none is called for this client afterwards.
  EtridWebGL_ClientFree: function (handle) {
    var client = EtridBridge.clients[handle];
    if (!client) return;
    delete EtridBridge.clients[handle];
    if (client.stopEvents) client.stopEvents();
    client.stopEvents = null;
    Object.keys(client.pending).forEach(function (key) {
      var id = Number(key);
      client.pending[id].abort.abort();
      EtridBridge.complete(client, id, EtridBridge.CANCELLED, EtridBridge.cancelledJson);
    });
    client.native["close"]();
    client.native["free"]();
  },
};

autoAddDeps(EtridLightningBridge, "$EtridBridge");
mergeInto(LibraryManager.library, EtridLightningBridge);
