// The test host of the Unity WebGL bridge (EtridLightning.jslib): a C program compiled with
// Emscripten, standing where IL2CPP's output stands in a Unity WebGL build. It calls the bridge's
// functions exactly as the C# [DllImport("__Internal")] declarations do, and hands the bridge
// real function pointers from the wasm table as callbacks, which the bridge calls through
// makeDynCall. The callbacks copy the strings they are lent (as C# marshalling does) and pass
// them to the test in JavaScript. Heap accounting (mallinfo) lets the test prove every string the
// bridge allocates is freed.

#include <emscripten.h>
#include <malloc.h>

// The bridge, as LightningClient.WebGL.cs declares it.
typedef void (*completion_fn)(int user_data, int request_id, int status, const char* json);
typedef void (*event_fn)(int user_data, const char* json);
extern int EtridWebGL_ClientNew(const char* config_json);
extern char* EtridWebGL_TakeError(void);
extern int EtridWebGL_Request(int client, int operation, const char* args_json, completion_fn callback, int user_data);
extern int EtridWebGL_Cancel(int client, int request_id);
extern int EtridWebGL_Pending(int client);
extern int EtridWebGL_EventsStart(int client, double after, event_fn callback, int user_data);
extern void EtridWebGL_EventsStop(int client);
extern void EtridWebGL_ClientFree(int client);
extern void EtridWebGL_Free(void* pointer);
extern char* EtridWebGL_Version(void);
extern char* EtridWebGL_DecodeInvoice(const char* bolt11, const char* network, double now_unix_secs, int allow_expired);
extern char* EtridWebGL_QrSvg(const char* text);
extern unsigned char* EtridWebGL_QrMatrix(const char* text, int* out_width);
extern char* EtridWebGL_VoucherSheetsSvg(const char* vouchers_json);

// The JavaScript side of the test receives copies (UTF8ToString) during the callback.
EM_JS(void, deliver_completion, (int user_data, int request_id, int status, const char* json), {
  Module["onCompletion"](user_data, request_id, status, UTF8ToString(json));
});
EM_JS(void, deliver_event, (int user_data, const char* json), {
  Module["onEvent"](user_data, UTF8ToString(json));
});

static void on_completion(int user_data, int request_id, int status, const char* json) {
  deliver_completion(user_data, request_id, status, json);
}

static void on_event(int user_data, const char* json) { deliver_event(user_data, json); }

EMSCRIPTEN_KEEPALIVE int host_client_new(const char* config_json) { return EtridWebGL_ClientNew(config_json); }

EMSCRIPTEN_KEEPALIVE char* host_take_error(void) { return EtridWebGL_TakeError(); }

EMSCRIPTEN_KEEPALIVE int host_request(int client, int operation, const char* args_json, int user_data) {
  return EtridWebGL_Request(client, operation, args_json, on_completion, user_data);
}

// A request without a callback (a null function pointer): refused.
EMSCRIPTEN_KEEPALIVE int host_request_without_callback(int client, int operation) {
  return EtridWebGL_Request(client, operation, 0, 0, 0);
}

EMSCRIPTEN_KEEPALIVE int host_cancel(int client, int request_id) { return EtridWebGL_Cancel(client, request_id); }

EMSCRIPTEN_KEEPALIVE int host_pending(int client) { return EtridWebGL_Pending(client); }

EMSCRIPTEN_KEEPALIVE int host_events_start(int client, double after, int user_data) {
  return EtridWebGL_EventsStart(client, after, on_event, user_data);
}

EMSCRIPTEN_KEEPALIVE void host_events_stop(int client) { EtridWebGL_EventsStop(client); }

EMSCRIPTEN_KEEPALIVE void host_client_free(int client) { EtridWebGL_ClientFree(client); }

EMSCRIPTEN_KEEPALIVE void host_free(void* pointer) { EtridWebGL_Free(pointer); }

EMSCRIPTEN_KEEPALIVE char* host_version(void) { return EtridWebGL_Version(); }

EMSCRIPTEN_KEEPALIVE char* host_decode_invoice(const char* bolt11, const char* network, double now, int allow_expired) {
  return EtridWebGL_DecodeInvoice(bolt11, network, now, allow_expired);
}

EMSCRIPTEN_KEEPALIVE char* host_qr_svg(const char* text) { return EtridWebGL_QrSvg(text); }

EMSCRIPTEN_KEEPALIVE char* host_voucher_sheets_svg(const char* vouchers_json) { return EtridWebGL_VoucherSheetsSvg(vouchers_json); }

static int qr_width;

EMSCRIPTEN_KEEPALIVE unsigned char* host_qr_matrix(const char* text) { return EtridWebGL_QrMatrix(text, &qr_width); }

EMSCRIPTEN_KEEPALIVE int host_qr_width(void) { return qr_width; }

// Bytes of the C heap in use (dlmalloc's count).
EMSCRIPTEN_KEEPALIVE int host_heap_in_use(void) { return (int)mallinfo().uordblks; }
