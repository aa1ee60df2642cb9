// The devnet and LSP for C++ tests: the lsp-fixture process (regtest chain, LDK nodes, the Étrid
// LSP over real HTTP and WebSocket), and its control API (devnet wallets paying invoices) through
// curl. Shared by the C ABI's tests (ffi/tests/cpp) and the Unreal plugin's engine-independent
// tests (plugins/unreal/tests), which build without exceptions: failures here print the reason
// and abort the test binary.
#pragma once

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "scenario_json.hpp"

extern char** environ;

namespace devnet {

namespace json = scenario_json;

/// Stops the test binary with `what`: the devnet is not usable.
[[noreturn]] inline void Fatal(const std::string& what) {
  std::fprintf(stderr, "devnet fixture: %s\n", what.c_str());
  std::abort();
}

/// The lsp-fixture process ($ETRID_LSP_FIXTURE): started with pipes on stdin and stdout, ready
/// once it printed its JSON line; stopped (it removes its state) by closing its stdin.
class Fixture {
 public:
  explicit Fixture(const std::vector<std::string>& args) {
    const char* binary = std::getenv("ETRID_LSP_FIXTURE");
    if (binary == nullptr) Fatal("ETRID_LSP_FIXTURE is not set");
    int in[2];
    int out[2];
    if (pipe(in) != 0 || pipe(out) != 0) Fatal("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<std::string> argv_strings = {binary};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary, &actions, nullptr, argv.data(), environ) != 0) {
      Fatal(std::string("cannot start ") + binary);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    FILE* stdout_file = fdopen(out[0], "r");
    std::string line;
    int c;
    while ((c = fgetc(stdout_file)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
    fclose(stdout_file);
    if (line.empty()) Fatal("lsp-fixture exited before it was ready");
    info_ = json::Parse(line);
  }

  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  ~Fixture() {
    close(stdin_);
    int status = 0;
    waitpid(pid_, &status, 0);
  }

  const json::Value& Info() const { return info_; }
  std::string Api() const { return info_["api"].Str(); }
  std::string Control() const { return info_["control"].Str(); }
  std::string Key(size_t account, const char* scope) const { return info_["accounts"].items.at(account)[scope].Str(); }
  std::string AccountId(size_t account) const { return info_["accounts"].items.at(account)["id"].Str(); }

 private:
  pid_t pid_ = 0;
  int stdin_ = -1;
  json::Value info_;
};

/// The test binary's fixture, set by its test environment.
inline Fixture* fixture = nullptr;

/// Runs `command` through the shell; its standard output as JSON.
inline json::Value JsonOutputOf(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) Fatal("cannot run: " + command);
  std::string answer;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) answer.append(buffer, n);
  pclose(pipe);
  return json::Parse(answer);
}

/// POSTs `body` to the devnet control API with curl; the JSON answer.
inline json::Value Control(const std::string& path, const std::string& body) {
  std::string command = "curl -s -X POST -H 'content-type: application/json' --data-binary @- '" +
                        fixture->Control() + path + "'";
  // The body goes through a temporary file, so no shell quoting of invoices is needed.
  char name[] = "/tmp/etrid-control-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) Fatal("mkstemp failed");
  if (write(fd, body.data(), body.size()) != static_cast<ssize_t>(body.size())) Fatal("write failed");
  close(fd);
  json::Value answer = JsonOutputOf(command + " < " + name);
  unlink(name);
  return answer;
}

/// GETs `path` of the devnet control API with curl.
inline json::Value ControlGet(const std::string& path) { return JsonOutputOf("curl -s '" + fixture->Control() + path + "'"); }

/// 32 random bytes as hex, and the hex SHA-256 of those bytes (coreutils' sha256sum): a preimage
/// and its payment hash.
inline std::pair<std::string, std::string> RandomPreimage() {
  unsigned char bytes[32];
  FILE* random = std::fopen("/dev/urandom", "rb");
  if (random == nullptr || std::fread(bytes, 1, sizeof bytes, random) != sizeof bytes) Fatal("no /dev/urandom");
  std::fclose(random);
  char name[] = "/tmp/etrid-preimage-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0 || write(fd, bytes, sizeof bytes) != static_cast<ssize_t>(sizeof bytes)) Fatal("write failed");
  close(fd);
  FILE* pipe = popen((std::string("sha256sum ") + name).c_str(), "r");
  if (pipe == nullptr) Fatal("sha256sum failed");
  char digest[65] = {0};
  size_t read = std::fread(digest, 1, 64, pipe);
  pclose(pipe);
  unlink(name);
  if (read != 64) Fatal("sha256sum gave no digest");
  std::string hex;
  char pair[3];
  for (unsigned char byte : bytes) {
    std::snprintf(pair, sizeof pair, "%02x", byte);
    hex += pair;
  }
  return {hex, std::string(digest, 64)};
}

/// The devnet wallet `node` pays `bolt11`; the outcome's status ("succeeded", "failed"). An
/// error answer of the control API counts as "failed": the payment did not go through.
inline std::string WalletPays(const std::string& bolt11, const std::string& node = "alice") {
  json::Value outcome = Control("/v1/nodes/" + node + "/pay", "{\"invoice\":\"" + bolt11 + "\",\"timeout_secs\":60}");
  return outcome.Has("status") ? outcome["status"].Str() : "failed";
}

/// Outbound capacity per channel of the LSP ("counterparty/channel id" -> msat): how a test sees
/// the parts of a multi-path payment, which the reference server does not report.
using Channels = std::map<std::string, uint64_t>;

/// How many channels of `from` grew (`in`) or shrank (not `in`) in `to`.
inline int Moved(const Channels& from, const Channels& to, bool in) {
  int moved = 0;
  for (const auto& [id, before] : from) {
    auto now = to.find(id);
    if (now != to.end() && (in ? now->second > before : now->second < before)) moved++;
  }
  return moved;
}

/// The channels `read()` answers once two of them moved from `from` (settling takes a moment),
/// or after 15 s.
template <typename Read>
Channels ChannelsMoved(Read read, const Channels& from, bool in) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (true) {
    Channels now = read();
    if (Moved(from, now, in) >= 2 || std::chrono::steady_clock::now() >= deadline) return now;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace devnet
