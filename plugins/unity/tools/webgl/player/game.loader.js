// A stand-in for Unity's WebGL loader (Build/<name>.loader.js), for the template's browser test:
// `createUnityInstance` loads the "game" (the bridge's C host built by Emscripten for the web, in
// place of IL2CPP's output) and plays a purchase through EtridLightning.jslib: a client from the
// page's ?config=, an invoice, the event stream. Its state is `window.game` for the test to read.
"use strict";

window.game = { ready: false, completions: [], items: [], error: null };

window.createUnityInstance = function createUnityInstance(canvas, config) {
  return new Promise(function (resolve, reject) {
    var script = document.createElement("script");
    script.src = config.frameworkUrl;
    script.onerror = function () { reject(new Error("cannot load " + config.frameworkUrl)); };
    script.onload = function () {
      window.createBridgeHost({
        locateFile: function (file) { return config.codeUrl.replace(/[^/]*$/, "") + file; },
        onCompletion: function (userData, requestId, status, json) {
          window.game.completions.push({ userData: userData, requestId: requestId, status: status, value: JSON.parse(json) });
        },
        onEvent: function (userData, json) { window.game.items.push(JSON.parse(json)); },
      }).then(function (host) {
        var configJson = new URLSearchParams(location.search).get("config");
        var client = host.ccall("host_client_new", "number", ["string"], [configJson]);
        if (client === 0) {
          var pointer = host.ccall("host_take_error", "number", [], []);
          window.game.error = JSON.parse(host.UTF8ToString(pointer));
          host.ccall("host_free", null, ["number"], [pointer]);
        } else {
          window.game.client = client;
          host.ccall("host_events_start", "number", ["number", "number", "number"], [client, -1, 1]);
          host.ccall("host_request", "number", ["number", "number", "string", "number"],
            [client, 1, JSON.stringify({ amount_msat: 42000, description: "WebGL sword" }), 2]);
        }
        window.game.heapAtStart = host.ccall("host_heap_in_use", "number", [], []);
        window.game.host = host;
        window.game.ready = true;
        resolve({ Quit: function () { return Promise.resolve(); } });
      }, reject);
    };
    document.body.appendChild(script);
  });
};
