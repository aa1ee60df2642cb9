// The Étrid Lightning client for game engines, in plain C++17 over the C ABI (etrid.h): no engine
// types, no exceptions, no RTTI, so the Unreal module builds on it with the engine's flags and it
// is compiled and tested outside the engine (plugins/unreal/tests, g++ with ASan and UBSan).
//
// The model is the game loop's: every request is made on the game thread, and its callback runs
// on the game thread too, inside `Client::Pump()`, which the game calls once per frame (Unreal:
// from a `FTickableGameObject` or the subsystem's tick). Nothing here runs on another thread and
// nothing here blocks. A callback may be tied to an owner (`std::weak_ptr`): when the owner is
// gone by the time its completion is pumped, the callback is dropped, never called (the Unreal
// layer ties Blueprint nodes to their `UObject` through a weak pointer the same way).
//
// Results and events are the API's JSON, as the C ABI gives them (Unreal parses them with its
// Json module); errors carry the stable `code` to branch on.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "etrid.h"

namespace etrid {

/// Why a call failed: the stable `code` (branch on it), a message for people and logs, and the
/// whole error JSON (`{"code", "message", "retryable", "http_status"}`) when there is one.
struct Error {
  std::string code;
  std::string message;
  std::string json;
};

/// The outcome of one request: `ok` and the result JSON, or the error.
struct Result {
  bool ok = false;
  /// The result JSON when `ok`; the error JSON otherwise.
  std::string json;
  /// The error's code (`cancelled` when the request was cancelled); empty when `ok`.
  std::string error_code;
};

/// A QR code: `width` modules a side, `modules[y * width + x]` 1 for dark, 0 for light, no quiet
/// zone (draw four light modules around it). The Unreal layer turns it into a `UTexture2D`.
struct QrCode {
  uint32_t width = 0;
  std::vector<uint8_t> modules;
};

/// Where the JSON value starting at `start` ends (one past its last character), or npos.
inline size_t JsonValueEnd(const std::string& json, size_t start) {
  if (start >= json.size()) return std::string::npos;
  char first = json[start];
  if (first == '"') {
    for (size_t i = start + 1; i < json.size(); i++) {
      if (json[i] == '\\') {
        i++;
      } else if (json[i] == '"') {
        return i + 1;
      }
    }
    return std::string::npos;
  }
  if (first == '{' || first == '[') {
    int depth = 0;
    for (size_t i = start; i < json.size(); i++) {
      char c = json[i];
      if (c == '"') {
        size_t end = JsonValueEnd(json, i);
        if (end == std::string::npos) return end;
        i = end - 1;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return std::string::npos;
  }
  size_t end = json.find_first_of(",}] \t\r\n", start);
  return end == std::string::npos ? json.size() : end;
}

/// The raw JSON of the top-level member `key` of the object `json` (an object, array, string
/// with its quotes, number, `true`, `false` or `null`), exactly as written: numbers keep every
/// digit (engine JSON libraries read numbers as doubles, which 64-bit amounts do not survive).
/// Nested members with the same name are skipped. `false` when there is no such member.
inline bool TopLevelValue(const std::string& json, const std::string& key, std::string* out) {
  size_t i = json.find('{');
  if (i == std::string::npos) return false;
  i++;
  while (true) {
    i = json.find_first_not_of(" \t\r\n,", i);
    if (i == std::string::npos || json[i] != '"') return false;
    size_t name_end = JsonValueEnd(json, i);
    if (name_end == std::string::npos) return false;
    size_t colon = json.find_first_not_of(" \t\r\n", name_end);
    if (colon == std::string::npos || json[colon] != ':') return false;
    size_t value = json.find_first_not_of(" \t\r\n", colon + 1);
    size_t value_end = JsonValueEnd(json, value);
    if (value_end == std::string::npos) return false;
    if (name_end - i - 2 == key.size() && json.compare(i + 1, key.size(), key) == 0) {
      *out = json.substr(value, value_end - value);
      return true;
    }
    i = value_end;
  }
}

/// The top-level member `key` of `json` as text: a string's contents (escapes kept as written),
/// or a number's, `true`'s, `false`'s or `null`'s literal. `false` when there is no such member
/// or it is an object or array.
inline bool TopLevelField(const std::string& json, const std::string& key, std::string* out) {
  std::string raw;
  if (!TopLevelValue(json, key, &raw) || raw.empty() || raw[0] == '{' || raw[0] == '[') return false;
  *out = raw[0] == '"' ? raw.substr(1, raw.size() - 2) : raw;
  return true;
}

/// A top-level unsigned integer member of `json` (an amount in msat, a time), exactly.
inline bool TopLevelU64(const std::string& json, const std::string& key, uint64_t* out) {
  std::string text;
  if (!TopLevelField(json, key, &text) || text.empty() || text.size() > 20) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

/// The error of the last failed `etrid_*` call on this thread.
inline Error LastError() {
  const char* code = etrid_last_error_code();
  const char* message = etrid_last_error_message();
  return Error{code ? code : "unknown", message ? message : "", ""};
}

/// The library's version (`major.minor.patch`).
inline std::string Version() { return etrid_version(); }

/// Encodes `text` (an invoice, an LNURL, a join link) as a QR code. `false` and `error` set when
/// it does not fit.
inline bool EncodeQr(const std::string& text, QrCode* out, Error* error) {
  EtridQrMatrix* matrix = nullptr;
  if (etrid_qr_matrix(text.c_str(), &matrix) != ETRID_STATUS_OK) {
    if (error != nullptr) *error = LastError();
    return false;
  }
  out->width = matrix->width;
  out->modules.assign(matrix->modules, matrix->modules + matrix->len);
  etrid_qr_matrix_free(matrix);
  return true;
}

/// One LSP client (one base URL, one API key; an empty key makes a keyless client that reaches
/// only the public routes). Move-only; destroying it frees the native client: requests still in
/// flight are cancelled and their callbacks dropped, and the event stream closes.
class Client {
 public:
  using Callback = std::function<void(const Result&)>;
  using EventCallback = std::function<void(const std::string& json)>;

  Client() = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Client(Client&& other) noexcept { *this = std::move(other); }
  Client& operator=(Client&& other) noexcept {
    if (this != &other) {
      Reset();
      native_ = other.native_;
      callbacks_ = std::move(other.callbacks_);
      refused_ = std::move(other.refused_);
      refusals_ = other.refusals_;
      on_event_ = std::move(other.on_event_);
      other.native_ = nullptr;
      other.callbacks_.clear();
      other.refused_.clear();
      other.on_event_ = nullptr;
    }
    return *this;
  }
  ~Client() { Reset(); }

  /// A client from the C ABI's configuration JSON (`{"base_url", "api_key", "network", …}`).
  /// An invalid client (`Valid()` false) and `error` set when the configuration is refused.
  static Client Create(const std::string& config_json, Error* error) {
    Client client;
    if (etrid_client_new(config_json.c_str(), &client.native_) != ETRID_STATUS_OK) {
      client.native_ = nullptr;
      if (error != nullptr) *error = LastError();
    }
    return client;
  }

  /// Whether the client was created.
  bool Valid() const { return native_ != nullptr; }

  /// Starts `operation` with `args_json` (a JSON object; empty for `{}`); `done` runs once, in a
  /// later `Pump()`. Returns the request's id, or 0 when the request was refused at once (an
  /// invalid client, an unknown operation, arguments that are not JSON): then `done` runs in
  /// the next `Pump()` with that error, so a caller has one path for every failure.
  uint64_t Request(EtridOperation operation, const std::string& args_json, Callback done) {
    return Request(operation, args_json, std::weak_ptr<void>(), false, std::move(done));
  }

  /// As `Request`, with `done` dropped (never called) when `owner` has expired by then.
  uint64_t Request(EtridOperation operation, const std::string& args_json, const std::weak_ptr<void>& owner,
                   Callback done) {
    return Request(operation, args_json, owner, true, std::move(done));
  }

  /// Cancels a pending request: its callback runs in the next `Pump()` with `cancelled`.
  /// `false` when it is no longer pending.
  bool Cancel(uint64_t request_id) { return native_ != nullptr && etrid_client_cancel(native_, request_id) == ETRID_STATUS_OK; }

  /// Starts the account's event stream after event id `after` (negative: from now on), each
  /// item's JSON to `on_event` in `Pump()`, at most `capacity` queued between pumps (the stream
  /// waits when the queue is full: nothing is lost).
  bool StartEvents(int64_t after, uint32_t capacity, EventCallback on_event, Error* error) {
    if (native_ == nullptr || etrid_client_events_start(native_, after, capacity) != ETRID_STATUS_OK) {
      if (error != nullptr) *error = native_ == nullptr ? Error{"invalid_client", "no client", ""} : LastError();
      return false;
    }
    on_event_ = std::move(on_event);
    return true;
  }

  /// Stops the event stream (it may be started again from the last event id).
  void StopEvents() {
    if (native_ != nullptr) etrid_client_events_stop(native_);
    on_event_ = nullptr;
  }

  /// Delivers what arrived since the last call, on this (the game) thread: up to `max`
  /// completions, then up to `max` events. Returns how many callbacks ran. Never blocks.
  uint32_t Pump(uint32_t max = 64) {
    uint32_t ran = 0;
    // Requests refused at once report first, in the order they were made.
    std::vector<std::pair<uint64_t, Result>> refused;
    refused.swap(refused_);
    for (auto& [key, result] : refused) ran += Deliver(key, result);
    if (native_ == nullptr) return ran;
    ran += etrid_client_poll(native_, max, &Client::OnCompletion, this);
    if (on_event_) ran += etrid_client_poll_events(native_, max, &Client::OnEvent, this);
    return ran;
  }

  /// Requests still in flight.
  uint32_t Pending() const { return native_ == nullptr ? 0 : etrid_client_pending(native_); }

  /// The native client, for calls this layer does not wrap.
  EtridClient* Native() const { return native_; }

 private:
  struct Waiting {
    Callback done;
    std::weak_ptr<void> owner;
    bool owned = false;
  };

  uint64_t Request(EtridOperation operation, const std::string& args_json, const std::weak_ptr<void>& owner,
                   bool owned, Callback done) {
    uint64_t id = 0;
    const char* args = args_json.empty() ? nullptr : args_json.c_str();
    if (native_ == nullptr ||
        etrid_client_request(native_, operation, args, nullptr, nullptr, &id) != ETRID_STATUS_OK) {
      Error error = native_ == nullptr ? Error{"invalid_client", "the client was not created", ""} : LastError();
      // Refusals get keys of their own, below every request id the library hands out.
      uint64_t key = kRefusedKeys - (++refusals_);
      callbacks_[key] = Waiting{std::move(done), owner, owned};
      refused_.emplace_back(key, Result{false, ErrorJson(error), error.code});
      return 0;
    }
    callbacks_[id] = Waiting{std::move(done), owner, owned};
    return id;
  }

  static void OnCompletion(void* self, uint64_t id, EtridStatus status, const char* json) {
    Result result;
    result.ok = status == ETRID_STATUS_OK;
    result.json = json != nullptr ? json : "";
    if (!result.ok) result.error_code = status == ETRID_STATUS_CANCELLED ? "cancelled" : CodeOf(result.json);
    static_cast<Client*>(self)->Deliver(id, result);
  }

  static void OnEvent(void* self, const char* json) {
    auto* client = static_cast<Client*>(self);
    if (client->on_event_) client->on_event_(json != nullptr ? json : "");
  }

  /// Runs the callback waiting for `id` (once), unless its owner is gone. 1 if it ran.
  uint32_t Deliver(uint64_t id, const Result& result) {
    auto found = callbacks_.find(id);
    if (found == callbacks_.end()) return 0;
    Waiting waiting = std::move(found->second);
    callbacks_.erase(found);
    if (waiting.owned && waiting.owner.expired()) return 0;
    if (waiting.done) waiting.done(result);
    return 1;
  }

  /// The `code` of an error JSON, read without a JSON library: the first `"code":"…"`.
  static std::string CodeOf(const std::string& json) {
    const std::string key = "\"code\":\"";
    size_t start = json.find(key);
    if (start == std::string::npos) return "unknown";
    start += key.size();
    size_t end = json.find('"', start);
    return end == std::string::npos ? "unknown" : json.substr(start, end - start);
  }

  /// An error JSON in the C ABI's shape for a refusal this layer reports itself.
  static std::string ErrorJson(const Error& error) {
    std::string message;
    for (char c : error.message) {
      if (c == '"' || c == '\\') message += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) message += c;
    }
    return "{\"code\":\"" + error.code + "\",\"message\":\"" + message +
           "\",\"retryable\":false,\"http_status\":null}";
  }

  void Reset() {
    if (native_ != nullptr) {
      // Poll-mode requests: the library drops their completions; their callbacks go with them.
      etrid_client_free(native_);
      native_ = nullptr;
    }
    callbacks_.clear();
    refused_.clear();
    on_event_ = nullptr;
  }

  static constexpr uint64_t kRefusedKeys = UINT64_MAX;

  EtridClient* native_ = nullptr;
  std::map<uint64_t, Waiting> callbacks_;
  std::vector<std::pair<uint64_t, Result>> refused_;
  uint64_t refusals_ = 0;
  EventCallback on_event_;
};

}  // namespace etrid
