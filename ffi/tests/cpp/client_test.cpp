// The C ABI's LSP client (etrid_client_*) from C++, against a real LSP on the devnet: the
// lsp-fixture binary (regtest chain, LDK nodes, the Étrid LSP over real HTTP and WebSocket),
// started once for the whole test binary. Completions by callback (on the library's runtime
// thread) and by polling (on the test's thread), cancellation, free with requests in flight,
// events by listener and by polling, and bad input at the boundary. Test names carry the
// scenario ids. Built with AddressSanitizer and UndefinedBehaviorSanitizer by .ci/ffi.sh.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <future>
#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "devnet_fixture.hpp"
#include "etrid.h"
#include "scenario_json.hpp"

namespace json = scenario_json;
using namespace std::chrono_literals;

namespace {

// ---- the devnet and LSP ------------------------------------------------------------------

using devnet::Channels;
using devnet::Control;
using devnet::ControlGet;
using devnet::Moved;
using devnet::Fixture;
using devnet::JsonOutputOf;
using devnet::RandomPreimage;
using devnet::WalletPays;
using devnet::fixture;


// The fixed fiat rates the LSP quotes from (S28 moves one by rewriting the file).
const std::string kRatesFile = "/tmp/etrid-cpp-rates-" + std::to_string(getpid()) + ".json";

void SetRates(const std::string& json) {
  std::string tmp = kRatesFile + ".tmp";
  FILE* f = fopen(tmp.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs(json.c_str(), f);
  fclose(f);
  ASSERT_EQ(rename(tmp.c_str(), kRatesFile.c_str()), 0);
}

class FixtureEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    SetRates("{\"USD\":\"100000\",\"EUR\":\"92000.50\"}");
    fixture = new Fixture({"--accounts", "3", "--fund-msat", "20000000", "--invoice-rate-per-sec",
                           "1", "--invoice-rate-burst", "30", "--fiat-rates-file", kRatesFile});
  }
  void TearDown() override {
    delete fixture;
    fixture = nullptr;
  }
};

// ---- the client ------------------------------------------------------------------------

struct ClientFree {
  void operator()(EtridClient* client) const { etrid_client_free(client); }
};
using Client = std::unique_ptr<EtridClient, ClientFree>;

std::string LastCode() {
  const char* code = etrid_last_error_code();
  return code == nullptr ? std::string() : std::string(code);
}

Client NewClient(const std::string& key) {
  std::string config = "{\"base_url\":\"" + fixture->Api() + "\",\"api_key\":\"" + key +
                       "\",\"network\":\"regtest\"}";
  EtridClient* raw = nullptr;
  EtridStatus status = etrid_client_new(config.c_str(), &raw);
  if (status != ETRID_STATUS_OK) throw std::runtime_error("etrid_client_new: " + LastCode());
  return Client(raw);
}

// One completion.
struct Outcome {
  EtridStatus status = ETRID_STATUS_OK;
  json::Value json;
  std::thread::id thread;
};

// Collects completions delivered by callback, from any thread.
class Completions {
 public:
  static void Callback(void* user_data, uint64_t id, EtridStatus status, const char* text) {
    auto* self = static_cast<Completions*>(user_data);
    std::lock_guard<std::mutex> lock(self->mutex_);
    self->done_[id] = Outcome{status, json::Parse(text), std::this_thread::get_id()};
    self->changed_.notify_all();
  }

  Outcome Wait(uint64_t id, std::chrono::seconds timeout = 90s) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return done_.count(id) > 0; })) {
      throw std::runtime_error("no completion for request " + std::to_string(id));
    }
    return done_[id];
  }

  size_t Count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return done_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<uint64_t, Outcome> done_;
};

// Starts `op` with `args` (completion by callback into `into`); returns the request id.
uint64_t Start(EtridClient* client, EtridOperation op, const std::string& args, Completions& into) {
  uint64_t id = 0;
  EtridStatus status = etrid_client_request(client, op, args.c_str(), &Completions::Callback, &into, &id);
  if (status != ETRID_STATUS_OK) throw std::runtime_error("etrid_client_request: " + LastCode());
  return id;
}

// Runs `op` and waits for its outcome.
Outcome Call(EtridClient* client, EtridOperation op, const std::string& args = "{}") {
  Completions completions;
  return completions.Wait(Start(client, op, args, completions));
}

// Runs `op` that must succeed; its result.
json::Value Ok(EtridClient* client, EtridOperation op, const std::string& args = "{}") {
  Outcome outcome = Call(client, op, args);
  if (outcome.status != ETRID_STATUS_OK) {
    throw std::runtime_error("operation " + std::to_string(op) + " failed: " + json::Dump(outcome.json));
  }
  return outcome.json;
}

// The code of an operation that must fail with status ERROR.
std::string ErrorCode(EtridClient* client, EtridOperation op, const std::string& args) {
  Outcome outcome = Call(client, op, args);
  EXPECT_EQ(outcome.status, ETRID_STATUS_ERROR) << json::Dump(outcome.json);
  return outcome.json["code"].Str();
}

uint64_t AvailableMsat(EtridClient* admin) {
  return Ok(admin, ETRID_OPERATION_BALANCE)["available_msat"].U64();
}

// ---- scenarios -----------------------------------------------------------------------------

// The payment once it left "pending" (or after 60 s).
json::Value FinalPayment(EtridClient* admin, json::Value payment) {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (payment["status"].Str() == "pending" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
    payment = Ok(admin, ETRID_OPERATION_GET_PAYMENT, "{\"payment_id\":\"" + payment["id"].Str() + "\"}");
  }
  return payment;
}

/// The LSP's outbound capacity per channel.
Channels Outbound(EtridClient* admin) {
  Channels channels;
  const json::Value listed = Ok(admin, ETRID_OPERATION_LIST_CHANNELS);
  for (const json::Value& channel : listed["items"].items) {
    channels[channel["counterparty_node_id"].Str() + "/" + channel["channel_id"].Str()] = channel["outbound_capacity_msat"].U64();
  }
  return channels;
}

/// The channels once two of them moved from `from`, or after 15 s.
Channels ChannelsMoved(EtridClient* admin, const Channels& from, bool in) {
  return devnet::ChannelsMoved([&] { return Outbound(admin); }, from, in);
}

TEST(EtridClient, S10_InvoiceKeyCreatesTheWalletPaysTheListenerHearsItCreditedOnce) {
  Client shop = NewClient(fixture->Key(1, "invoice_key"));
  Client admin = NewClient(fixture->Key(1, "admin_key"));
  uint64_t before = AvailableMsat(admin.get());

  struct Heard {
    std::mutex mutex;
    std::vector<json::Value> items;
    std::thread::id thread;
    static void Callback(void* user_data, const char* text) {
      auto* self = static_cast<Heard*>(user_data);
      std::lock_guard<std::mutex> lock(self->mutex);
      self->items.push_back(json::Parse(text));
      self->thread = std::this_thread::get_id();
    }
  } heard;
  ASSERT_EQ(etrid_client_events_start(shop.get(), -1, 64), ETRID_STATUS_OK);
  uint64_t listener = 0;
  ASSERT_EQ(etrid_client_add_event_listener(shop.get(), &Heard::Callback, &heard, &listener), ETRID_STATUS_OK);

  json::Value invoice = Ok(shop.get(), ETRID_OPERATION_CREATE_INVOICE,
                           "{\"amount_msat\":21000,\"description\":\"S10 sword\"}");
  Completions completions;
  uint64_t waiting = Start(shop.get(), ETRID_OPERATION_WAIT_FOR_PAYMENT,
                           "{\"invoice_id\":\"" + invoice["id"].Str() + "\",\"timeout_ms\":60000}", completions);
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(WalletPays(invoice["bolt11"].Str()), "succeeded");
  Outcome outcome = completions.Wait(waiting);
  ASSERT_EQ(outcome.status, ETRID_STATUS_OK);
  EXPECT_EQ(outcome.json["status"].Str(), "paid");
  EXPECT_NE(outcome.thread, std::this_thread::get_id()) << "callbacks run on the runtime thread";

  // The listener heard invoice.paid on a runtime thread; the poll queue has it for this thread.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  std::vector<json::Value> polled;
  while (std::chrono::steady_clock::now() < deadline) {
    etrid_client_poll_events(shop.get(), 16, [](void* user_data, const char* text) {
      static_cast<std::vector<json::Value>*>(user_data)->push_back(json::Parse(text));
    }, &polled);
    bool found = false;
    for (auto& item : polled) {
      if (item["kind"].Str() == "event" && item["event"]["type"].Str() == "invoice.paid" &&
          item["event"]["data"]["id"].Str() == invoice["id"].Str()) found = true;
    }
    if (found) break;
    std::this_thread::sleep_for(50ms);
  }
  {
    std::lock_guard<std::mutex> lock(heard.mutex);
    int paid = 0;
    for (auto& item : heard.items) {
      if (item["kind"].Str() == "event" && item["event"]["data"]["id"].Str() == invoice["id"].Str() &&
          item["event"]["type"].Str() == "invoice.paid") paid++;
    }
    EXPECT_EQ(paid, 1);
    EXPECT_NE(heard.thread, std::this_thread::get_id());
  }
  int polled_paid = 0;
  for (auto& item : polled) {
    if (item["kind"].Str() == "event" && item["event"]["data"]["id"].Str() == invoice["id"].Str() &&
        item["event"]["type"].Str() == "invoice.paid") polled_paid++;
  }
  EXPECT_EQ(polled_paid, 1);
  EXPECT_EQ(etrid_client_remove_event_listener(shop.get(), listener), ETRID_STATUS_OK);
  EXPECT_EQ(AvailableMsat(admin.get()) - before, 21000u) << "credited exactly once";
}

TEST(EtridClient, S11_TheSameExternalIdReturnsTheSameInvoice) {
  Client shop = NewClient(fixture->Key(1, "invoice_key"));
  std::string args = "{\"amount_msat\":3000,\"external_id\":\"cpp-order-" +
                     std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "\"}";
  EXPECT_EQ(Ok(shop.get(), ETRID_OPERATION_CREATE_INVOICE, args)["id"].Str(),
            Ok(shop.get(), ETRID_OPERATION_CREATE_INVOICE, args)["id"].Str());
}

TEST(EtridClient, S12_AnExpiringInvoiceIsReportedExpiredNotAHang) {
  Client shop = NewClient(fixture->Key(1, "invoice_key"));
  json::Value invoice = Ok(shop.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":1000,\"expiry_secs\":2}");
  json::Value outcome = Ok(shop.get(), ETRID_OPERATION_WAIT_FOR_PAYMENT, "{\"invoice_id\":\"" + invoice["id"].Str() + "\"}");
  EXPECT_EQ(outcome["status"].Str(), "expired");
}

TEST(EtridClient, S13_AnAdminKeyPaysAnExternalInvoicePreimageAndFeeDebitedOnce) {
  Client admin = NewClient(fixture->Key(0, "admin_key"));
  uint64_t before = AvailableMsat(admin.get());
  json::Value created = Control("/v1/nodes/bob/invoice", "{\"amount_msat\":2000000,\"description\":\"S13\"}");
  json::Value payment = FinalPayment(admin.get(), Ok(admin.get(), ETRID_OPERATION_PAY_INVOICE,
                                                    "{\"bolt11\":\"" + created["invoice"].Str() + "\",\"idempotency_key\":\"cpp-s13\"}"));
  ASSERT_EQ(payment["status"].Str(), "succeeded") << json::Dump(payment);
  EXPECT_EQ(payment["preimage"].Str().size(), 64u);
  uint64_t fee = payment["fee_msat"].U64();
  EXPECT_EQ(before - AvailableMsat(admin.get()), 2000000u + fee);
}

TEST(EtridClient, S14_MultiPathPaysMoreThanTheLargestChannelInParts) {
  constexpr uint64_t kAmount = 300000000;
  Client admin = NewClient(fixture->Key(0, "admin_key"));
  // Receive it first: alice pays the LSP more than one path carries.
  Channels start = Outbound(admin.get());
  json::Value incoming = Ok(admin.get(), ETRID_OPERATION_CREATE_INVOICE,
                            "{\"amount_msat\":" + std::to_string(kAmount) + ",\"description\":\"S14 prize pool\"}");
  ASSERT_EQ(WalletPays(incoming["bolt11"].Str()), "succeeded");
  EXPECT_EQ(Ok(admin.get(), ETRID_OPERATION_WAIT_FOR_PAYMENT,
               "{\"invoice_id\":\"" + incoming["id"].Str() + "\",\"timeout_ms\":30000}")["status"].Str(), "paid");
  // The reference server does not report parts (API.md); the channels show them.
  Channels mid = ChannelsMoved(admin.get(), start, true);
  ASSERT_GE(Moved(start, mid, true), 2) << "two or more channels carried a part in";
  ASSERT_LT(Ok(admin.get(), ETRID_OPERATION_LIQUIDITY)["largest_outbound_msat"].U64(), kAmount) << "one channel cannot carry it";

  uint64_t before = AvailableMsat(admin.get());
  json::Value bill = Control("/v1/nodes/bob/invoice", "{\"amount_msat\":" + std::to_string(kAmount) + "}");
  json::Value done = FinalPayment(admin.get(), Ok(admin.get(), ETRID_OPERATION_PAY_INVOICE,
                                                 "{\"bolt11\":\"" + bill["invoice"].Str() + "\",\"idempotency_key\":\"cpp-s14\",\"max_parts\":8}"));
  ASSERT_EQ(done["status"].Str(), "succeeded") << json::Dump(done);
  Channels end = ChannelsMoved(admin.get(), mid, false);
  EXPECT_GE(Moved(mid, end, false), 2) << "two or more channels carried a part out";
  EXPECT_EQ(before - AvailableMsat(admin.get()), kAmount + done["fee_msat"].U64()) << "debited once";
}

TEST(EtridClient, S15_HoldInvoiceSettledWithThePreimageOrCancelledAndRefunded) {
  Client admin = NewClient(fixture->Key(1, "admin_key"));
  uint64_t before = AvailableMsat(admin.get());
  auto [preimage, payment_hash] = RandomPreimage();
  json::Value held = Ok(admin.get(), ETRID_OPERATION_CREATE_HOLD_INVOICE,
                        "{\"payment_hash\":\"" + payment_hash + "\",\"amount_msat\":4000000}");
  EXPECT_EQ(held["kind"].Str(), "hold");
  auto paying = std::async(std::launch::async, [&] { return WalletPays(held["bolt11"].Str()); });
  EXPECT_EQ(Ok(admin.get(), ETRID_OPERATION_WAIT_FOR_PAYMENT,
               "{\"invoice_id\":\"" + held["id"].Str() + "\",\"timeout_ms\":60000}")["status"].Str(), "accepted");
  EXPECT_EQ(Ok(admin.get(), ETRID_OPERATION_SETTLE_HOLD_INVOICE,
               "{\"invoice_id\":\"" + held["id"].Str() + "\",\"preimage\":\"" + preimage + "\"}")["status"].Str(), "paid");
  EXPECT_EQ(paying.get(), "succeeded") << "the payer's payment succeeded";
  EXPECT_EQ(AvailableMsat(admin.get()) - before, 4000000u) << "credited once";

  std::string other_hash = RandomPreimage().second;
  json::Value refused = Ok(admin.get(), ETRID_OPERATION_CREATE_HOLD_INVOICE,
                           "{\"payment_hash\":\"" + other_hash + "\",\"amount_msat\":2000000}");
  auto paying_again = std::async(std::launch::async, [&] { return WalletPays(refused["bolt11"].Str()); });
  EXPECT_EQ(Ok(admin.get(), ETRID_OPERATION_WAIT_FOR_PAYMENT,
               "{\"invoice_id\":\"" + refused["id"].Str() + "\",\"timeout_ms\":60000}")["status"].Str(), "accepted");
  EXPECT_EQ(Ok(admin.get(), ETRID_OPERATION_CANCEL_HOLD_INVOICE, "{\"invoice_id\":\"" + refused["id"].Str() + "\"}")["status"].Str(),
            "cancelled");
  EXPECT_EQ(paying_again.get(), "failed") << "the payer's HTLC came back";
  EXPECT_EQ(AvailableMsat(admin.get()) - before, 4000000u) << "nothing more credited";
}

TEST(EtridClient, S16_KeysendArrivesWithItsCustomRecords) {
  Client admin = NewClient(fixture->Key(0, "admin_key"));
  std::string alice;
  const json::Value nodes = ControlGet("/v1/nodes");
  for (const json::Value& node : nodes.items) {
    if (node["name"].Str() == "alice") alice = node["node_id"].Str();
  }
  ASSERT_FALSE(alice.empty());
  const std::string records = "[{\"type\":65537,\"value\":\"68656c6c6f\"},{\"type\":696969,\"value\":\"0102ff\"}]";
  json::Value done = FinalPayment(admin.get(), Ok(admin.get(), ETRID_OPERATION_KEYSEND,
                                                 "{\"destination\":\"" + alice + "\",\"amount_msat\":7000000,\"custom_records\":" +
                                                     records + ",\"idempotency_key\":\"cpp-s16\"}"));
  ASSERT_EQ(done["status"].Str(), "succeeded") << json::Dump(done);
  EXPECT_EQ(done["kind"].Str(), "keysend");
  EXPECT_TRUE(done["custom_records"] == json::Parse(records)) << json::Dump(done["custom_records"]);
  // A record in the keysend preimage's type is refused before sending.
  EXPECT_EQ(ErrorCode(admin.get(), ETRID_OPERATION_KEYSEND,
                      "{\"destination\":\"" + alice + "\",\"amount_msat\":1000,\"custom_records\":[{\"type\":5482373484,\"value\":\"00\"}],"
                      "\"idempotency_key\":\"cpp-s16-bad\"}"),
            "lsp_invalid_request");
}

TEST(EtridClient, S17_AnInvoiceKeyCannotPayOrManageKeysOrReadOtherAccounts) {
  Client mine = NewClient(fixture->Key(2, "invoice_key"));
  Client theirs = NewClient(fixture->Key(1, "invoice_key"));
  json::Value created = Control("/v1/nodes/bob/invoice", "{\"amount_msat\":1000000}");
  EXPECT_EQ(ErrorCode(mine.get(), ETRID_OPERATION_PAY_INVOICE,
                      "{\"bolt11\":\"" + created["invoice"].Str() + "\",\"idempotency_key\":\"cpp-s17\"}"),
            "lsp_forbidden_scope");
  EXPECT_EQ(ErrorCode(mine.get(), ETRID_OPERATION_CREATE_API_KEY, "{\"scope\":\"admin\",\"label\":\"s17\"}"), "lsp_forbidden_scope");
  json::Value foreign = Ok(theirs.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":1000}");
  EXPECT_EQ(ErrorCode(mine.get(), ETRID_OPERATION_GET_INVOICE, "{\"invoice_id\":\"" + foreign["id"].Str() + "\"}"),
            "lsp_not_found");
}

TEST(EtridClient, S18_PolledEventsResumeAfterTheLastIdNothingMissedOrRepeated) {
  Client shop = NewClient(fixture->Key(1, "invoice_key"));
  json::Value log = Ok(shop.get(), ETRID_OPERATION_LIST_EVENTS, "{\"limit\":1000}");
  uint64_t start = log["items"].items.empty() ? 0 : log["items"].items.back()["id"].U64();
  std::vector<std::string> paid;
  for (int i = 0; i < 3; i++) {
    json::Value invoice = Ok(shop.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":" + std::to_string(30000 + i) + "}");
    ASSERT_EQ(WalletPays(invoice["bolt11"].Str()), "succeeded");
    paid.push_back(invoice["id"].Str());
  }
  auto poll_until = [&](std::vector<uint64_t>& ids, size_t want) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (ids.size() < want && std::chrono::steady_clock::now() < deadline) {
      etrid_client_poll_events(shop.get(), 1, [](void* user_data, const char* text) {
        json::Value item = json::Parse(text);
        if (item["kind"].Str() == "event") static_cast<std::vector<uint64_t>*>(user_data)->push_back(item["event"]["id"].U64());
      }, &ids);
      std::this_thread::sleep_for(20ms);
    }
  };
  std::vector<uint64_t> seen;
  ASSERT_EQ(etrid_client_events_start(shop.get(), static_cast<int64_t>(start), 1), ETRID_STATUS_OK);
  poll_until(seen, 1);
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_EQ(etrid_client_events_stop(shop.get()), ETRID_STATUS_OK);
  ASSERT_EQ(etrid_client_events_start(shop.get(), static_cast<int64_t>(seen.back()), 16), ETRID_STATUS_OK);
  json::Value after = Ok(shop.get(), ETRID_OPERATION_LIST_EVENTS, "{\"after\":" + std::to_string(start) + ",\"limit\":1000}");
  std::vector<uint64_t> expected;
  for (auto& event : after["items"].items) expected.push_back(event["id"].U64());
  poll_until(seen, expected.size());
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(etrid_client_events_stop(shop.get()), ETRID_STATUS_OK);
}

// A TCP proxy in front of the LSP (threads and blocking sockets), so a test can drop the network
// under a client: DropAll() shuts every relayed connection at once.
class Proxy {
 public:
  explicit Proxy(int target_port) : target_port_(target_port) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listener_, 16);
    socklen_t len = sizeof addr;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { Accept(); });
  }
  ~Proxy() {
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    accept_thread_.join();
    DropAll();
    for (auto& t : relays_) t.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int Connections() const { return connections_.load(); }
  void DropAll() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : fds_) shutdown(fd, SHUT_RDWR);
  }

 private:
  void Accept() {
    for (;;) {
      int in = accept(listener_, nullptr, nullptr);
      if (in < 0) return;
      int out = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in target{};
      target.sin_family = AF_INET;
      target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      target.sin_port = htons(static_cast<uint16_t>(target_port_));
      if (connect(out, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
        close(in);
        close(out);
        continue;
      }
      connections_++;
      std::lock_guard<std::mutex> lock(mutex_);
      fds_.push_back(in);
      fds_.push_back(out);
      relays_.emplace_back([in, out] { Relay(in, out); });
      relays_.emplace_back([in, out] { Relay(out, in); });
    }
  }
  static void Relay(int from, int to) {
    char buf[16384];
    for (;;) {
      ssize_t n = recv(from, buf, sizeof buf, 0);
      if (n <= 0 || send(to, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) break;
    }
    shutdown(to, SHUT_RDWR);
    shutdown(from, SHUT_RDWR);
  }
  int target_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::vector<int> fds_;
  std::vector<std::thread> relays_;
  std::thread accept_thread_;
};

TEST(EtridClient, S29_PolledEventsReachTheGameThreadInOrderOnceAcrossADroppedConnection) {
  Client shop = NewClient(fixture->Key(0, "invoice_key"));
  json::Value log = Ok(shop.get(), ETRID_OPERATION_LIST_EVENTS, "{\"limit\":1000}");
  uint64_t start = log["items"].items.empty() ? 0 : log["items"].items.back()["id"].U64();
  int api_port = std::stoi(fixture->Api().substr(fixture->Api().rfind(':') + 1));
  Proxy proxy(api_port);
  std::string config = "{\"base_url\":\"" + proxy.Url() + "\",\"api_key\":\"" + fixture->Key(0, "invoice_key") +
                       "\",\"network\":\"regtest\",\"reconnect\":{\"initial_backoff_ms\":100,\"max_backoff_ms\":500}}";
  EtridClient* raw = nullptr;
  ASSERT_EQ(etrid_client_new(config.c_str(), &raw), ETRID_STATUS_OK) << LastCode();
  Client game(raw);
  // The game loop is this thread: it polls, and every event is handled here.
  struct Seen {
    std::thread::id loop = std::this_thread::get_id();
    bool all_on_loop = true;
    std::vector<uint64_t> ids;
    std::vector<std::string> paid;
  } seen;
  auto frame = [&] {
    etrid_client_poll_events(game.get(), 64, [](void* user_data, const char* text) {
      auto* s = static_cast<Seen*>(user_data);
      s->all_on_loop = s->all_on_loop && std::this_thread::get_id() == s->loop;
      json::Value item = json::Parse(text);
      if (item["kind"].Str() != "event") return;
      s->ids.push_back(item["event"]["id"].U64());
      if (item["event"]["type"].Str() == "invoice.paid") s->paid.push_back(item["event"]["data"]["id"].Str());
    }, &seen);
  };
  ASSERT_EQ(etrid_client_events_start(game.get(), static_cast<int64_t>(start), 256), ETRID_STATUS_OK);
  for (int i = 0; i < 500 && proxy.Connections() < 1; i++) std::this_thread::sleep_for(10ms);
  std::vector<std::string> paid;
  for (int i = 0; i < 3; i++) {
    if (i == 1) proxy.DropAll();  // the network drops: the stream reconnects and resumes
    json::Value invoice = Ok(shop.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":" + std::to_string(60000 + i) + "}");
    ASSERT_EQ(WalletPays(invoice["bolt11"].Str()), "succeeded");
    paid.push_back(invoice["id"].Str());
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::find(seen.paid.begin(), seen.paid.end(), paid.back()) == seen.paid.end() &&
           std::chrono::steady_clock::now() < deadline) {
      frame();
      std::this_thread::sleep_for(16ms);
    }
    ASSERT_NE(std::find(seen.paid.begin(), seen.paid.end(), paid.back()), seen.paid.end()) << "invoice.paid #" << i;
  }
  EXPECT_EQ(etrid_client_events_stop(game.get()), ETRID_STATUS_OK);
  EXPECT_GE(proxy.Connections(), 2) << "the stream reconnected";
  EXPECT_TRUE(seen.all_on_loop) << "every event on the game loop's thread";
  json::Value after = Ok(shop.get(), ETRID_OPERATION_LIST_EVENTS, "{\"after\":" + std::to_string(start) + ",\"limit\":1000}");
  std::vector<uint64_t> expected;
  for (auto& event : after["items"].items) {
    if (event["id"].U64() <= seen.ids.back()) expected.push_back(event["id"].U64());
  }
  EXPECT_EQ(seen.ids, expected) << "every event once, in order";
}

TEST(EtridClient, S19_APaymentBeyondTheBalanceIsRefusedBeforeAnythingLeaves) {
  Client admin = NewClient(fixture->Key(2, "admin_key"));
  uint64_t before = AvailableMsat(admin.get());
  json::Value created = Control("/v1/nodes/bob/invoice", "{\"amount_msat\":" + std::to_string(before + 1000000) + "}");
  EXPECT_EQ(ErrorCode(admin.get(), ETRID_OPERATION_PAY_INVOICE,
                      "{\"bolt11\":\"" + created["invoice"].Str() + "\",\"idempotency_key\":\"cpp-s19\"}"),
            "lsp_insufficient_balance");
  EXPECT_EQ(AvailableMsat(admin.get()), before);
}

TEST(EtridClient, S21_AnInvoiceOfAnotherAccountOfThisLspIsPaidInsideItAtOnceAndOnce) {
  Client payer = NewClient(fixture->Key(0, "admin_key"));
  Client payee = NewClient(fixture->Key(1, "admin_key"));
  uint64_t payer_before = AvailableMsat(payer.get());
  uint64_t payee_before = AvailableMsat(payee.get());
  json::Value invoice = Ok(payee.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":3000000,\"description\":\"S21\"}");
  std::string pay = "{\"bolt11\":\"" + invoice["bolt11"].Str() + "\",\"idempotency_key\":\"cpp-s21\"}";
  json::Value paid = Ok(payer.get(), ETRID_OPERATION_PAY_INVOICE, pay);
  ASSERT_EQ(paid["status"].Str(), "succeeded") << "settled in the answer itself: " << json::Dump(paid);
  EXPECT_TRUE(paid["internal"].Bool());
  EXPECT_EQ(paid["fee_msat"].U64(), 0u);
  EXPECT_EQ(Ok(payee.get(), ETRID_OPERATION_GET_INVOICE, "{\"invoice_id\":\"" + invoice["id"].Str() + "\"}")["status"].Str(), "paid");
  EXPECT_EQ(payer_before - AvailableMsat(payer.get()), 3000000u) << "debited once";
  EXPECT_EQ(AvailableMsat(payee.get()) - payee_before, 3000000u) << "credited once";
  EXPECT_EQ(Ok(payer.get(), ETRID_OPERATION_PAY_INVOICE, pay)["id"].Str(), paid["id"].Str()) << "the same key pays nothing more";
  EXPECT_EQ(payer_before - AvailableMsat(payer.get()), 3000000u) << "still debited once";
}

TEST(EtridClient, S22_ALightningAddressServedByTheLspIsPaidWithItsTermsChecked) {
  Client owner = NewClient(fixture->Key(1, "admin_key"));
  Client payer = NewClient(fixture->Key(0, "admin_key"));
  json::Value served = Ok(owner.get(), ETRID_OPERATION_CREATE_LIGHTNING_ADDRESS,
                          "{\"name\":\"cpp-s22\",\"comment_allowed\":20,\"success_message\":\"Thanks!\"}");
  std::string address = served["address"].Str();
  ASSERT_EQ(address.rfind("cpp-s22@", 0), 0u) << address;
  json::Value paid = Ok(payer.get(), ETRID_OPERATION_PAY_LNURL,
                        "{\"target\":\"" + address + "\",\"amount_msat\":2000000,\"comment\":\"gg\",\"idempotency_key\":\"cpp-s22\"}");
  EXPECT_EQ(paid["payment"]["status"].Str(), "succeeded") << json::Dump(paid);
  EXPECT_EQ(paid["success_action"]["message"].Str(), "Thanks!");
  EXPECT_EQ(ErrorCode(payer.get(), ETRID_OPERATION_PAY_LNURL,
                      "{\"target\":\"" + address + "\",\"amount_msat\":1,\"idempotency_key\":\"cpp-s22-low\"}"),
            "lnurl_amount_out_of_range");
  Ok(owner.get(), ETRID_OPERATION_DELETE_LIGHTNING_ADDRESS, "{\"name\":\"cpp-s22\"}");
  EXPECT_EQ(ErrorCode(payer.get(), ETRID_OPERATION_PAY_LNURL,
                      "{\"target\":\"" + address + "\",\"amount_msat\":5000,\"idempotency_key\":\"cpp-s22-gone\"}"),
            "lnurl_service_error");
}

// The voucher once its status is `status` (or after 60 s).
json::Value VoucherWhen(EtridClient* admin, const std::string& id, const std::string& status) {
  json::Value voucher;
  for (int i = 0; i < 300; i++) {
    voucher = Ok(admin, ETRID_OPERATION_GET_VOUCHER, "{\"voucher_id\":\"" + id + "\"}");
    if (voucher["status"].Str() == status) break;
    std::this_thread::sleep_for(200ms);
  }
  return voucher;
}

TEST(EtridClient, S23_AVoucherIsClaimedByAWalletOnceAndOfTenConcurrentRedeemsOneIsPaid) {
  Client owner = NewClient(fixture->Key(1, "admin_key"));
  Client player = NewClient(fixture->Key(0, "invoice_key"));
  uint64_t before = AvailableMsat(owner.get());
  json::Value batch = Ok(owner.get(), ETRID_OPERATION_CREATE_VOUCHERS,
                         "{\"amount_msat\":1000000,\"min_withdrawable_msat\":100000,\"count\":3,"
                         "\"description\":\"cpp S23\",\"idempotency_key\":\"cpp-s23\"}");
  ASSERT_EQ(batch["vouchers"].items.size(), 3u) << json::Dump(batch);
  EXPECT_EQ(batch["reserved_msat"].U64(), 3u * 1010000u) << "amount and a 1 % fee allowance each";
  EXPECT_EQ(before - AvailableMsat(owner.get()), 3u * 1010000u);
  std::string first = batch["vouchers"].items[0]["id"].Str(), second = batch["vouchers"].items[1]["id"].Str(),
              third = batch["vouchers"].items[2]["id"].Str();

  // A devnet wallet (bob) reads the first link with curl and hands in its invoice.
  json::Value offer = JsonOutputOf("curl -s '" + batch["vouchers"].items[0]["url"].Str() + "'");
  EXPECT_EQ(offer["tag"].Str(), "withdrawRequest") << json::Dump(offer);
  EXPECT_EQ(offer["maxWithdrawable"].U64(), 1000000u);
  std::string pr = Control("/v1/nodes/bob/invoice", "{\"amount_msat\":1000000,\"description\":\"cpp S23\"}")["invoice"].Str();
  json::Value answer = JsonOutputOf("curl -s '" + offer["callback"].Str() + "?k1=" + offer["k1"].Str() + "&pr=" + pr + "'");
  EXPECT_EQ(answer["status"].Str(), "OK") << json::Dump(answer);
  json::Value claimed = VoucherWhen(owner.get(), first, "claimed");
  ASSERT_EQ(claimed["status"].Str(), "claimed") << json::Dump(claimed);
  json::Value paid = FinalPayment(owner.get(), Ok(owner.get(), ETRID_OPERATION_GET_PAYMENT,
                                                  "{\"payment_id\":\"" + claimed["payment_id"].Str() + "\"}"));
  EXPECT_EQ(paid["status"].Str(), "succeeded") << json::Dump(paid);

  // Ten redeems of the second through the C ABI at once: exactly one is paid, the others get
  // the service's refusal.
  std::string redeem = "{\"lnurl\":\"" + batch["vouchers"].items[1]["lnurl"].Str() + "\"}";
  Completions completions;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 10; i++) ids.push_back(Start(player.get(), ETRID_OPERATION_REDEEM_WITHDRAW, redeem, completions));
  int won = 0;
  for (uint64_t id : ids) {
    Outcome outcome = completions.Wait(id);
    if (outcome.status == ETRID_STATUS_OK) {
      won++;
      EXPECT_EQ(outcome.json["invoice"]["amount_msat"].U64(), 1000000u);
    } else {
      EXPECT_EQ(outcome.json["code"].Str(), "lnurl_service_error") << json::Dump(outcome.json);
    }
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(VoucherWhen(owner.get(), second, "claimed")["claimed_msat"].U64(), 1000000u);

  // The third is cancelled: its value returns; cancelling again is a conflict.
  EXPECT_EQ(Ok(owner.get(), ETRID_OPERATION_CANCEL_VOUCHER, "{\"voucher_id\":\"" + third + "\"}")["status"].Str(), "cancelled");
  EXPECT_EQ(ErrorCode(owner.get(), ETRID_OPERATION_CANCEL_VOUCHER, "{\"voucher_id\":\"" + third + "\"}"), "lsp_conflict");
  EXPECT_EQ(ErrorCode(owner.get(), ETRID_OPERATION_CREATE_VOUCHERS, "{\"amount_msat\":999,\"idempotency_key\":\"cpp-s23-low\"}"),
            "lsp_invalid_request");
  EXPECT_EQ(before - AvailableMsat(owner.get()), 2000000u + paid["fee_msat"].U64()) << "the two claims and one fee, once";
}

// A schedule of `amount_msat` to account `to`, every `secs` seconds from the next second, at
// most `count` times (0: no limit).
std::string ScheduleArgs(size_t to, uint64_t amount_msat, int secs, int count, const std::string& key) {
  long start = static_cast<long>(time(nullptr)) + 1;
  return "{\"amount_msat\":" + std::to_string(amount_msat) + ",\"destination\":{\"type\":\"account\",\"account_id\":\"" +
         fixture->AccountId(to) + "\"},\"schedule\":{\"period\":{\"kind\":\"every\",\"secs\":" + std::to_string(secs) +
         "},\"start\":" + std::to_string(start) + ",\"end\":null,\"max_count\":" +
         (count == 0 ? std::string("null") : std::to_string(count)) +
         ",\"catch_up\":{\"kind\":\"all\",\"max\":10}},\"idempotency_key\":\"" + key + "\"}";
}

TEST(EtridClient, S25_ARecurringSchedulePaysEachOccurrenceOnceAndNoneAfterCancel) {
  Client payer = NewClient(fixture->Key(2, "admin_key"));
  Client payee = NewClient(fixture->Key(0, "admin_key"));
  uint64_t before = AvailableMsat(payee.get());
  json::Value schedule = Ok(payer.get(), ETRID_OPERATION_CREATE_SCHEDULE, ScheduleArgs(0, 150000, 1, 3, "cpp-s25"));
  std::string id_args = "{\"schedule_id\":\"" + schedule["id"].Str() + "\"}";
  for (int i = 0; i < 300 && schedule["status"].Str() != "completed"; i++) {
    std::this_thread::sleep_for(100ms);
    schedule = Ok(payer.get(), ETRID_OPERATION_GET_SCHEDULE, id_args);
  }
  ASSERT_EQ(schedule["status"].Str(), "completed") << json::Dump(schedule);
  EXPECT_EQ(schedule["paid_count"].U64(), 3u);
  json::Value runs = Ok(payer.get(), ETRID_OPERATION_SCHEDULE_RUNS, id_args);
  ASSERT_EQ(runs["items"].items.size(), 3u);
  for (const auto& run : runs["items"].items) EXPECT_EQ(run["status"].Str(), "succeeded") << json::Dump(run);
  EXPECT_EQ(AvailableMsat(payee.get()) - before, 450000u) << "each occurrence credited once";
  EXPECT_EQ(ErrorCode(payer.get(), ETRID_OPERATION_CANCEL_SCHEDULE, id_args), "lsp_conflict");
  EXPECT_EQ(ErrorCode(payer.get(), ETRID_OPERATION_CREATE_SCHEDULE, ScheduleArgs(2, 1000, 1, 1, "cpp-s25-own")),
            "lsp_invalid_request");
  json::Value tip = Ok(payer.get(), ETRID_OPERATION_CREATE_SCHEDULE, ScheduleArgs(0, 1000, 1, 0, "cpp-s25-tip"));
  std::string tip_args = "{\"schedule_id\":\"" + tip["id"].Str() + "\"}";
  EXPECT_EQ(Ok(payer.get(), ETRID_OPERATION_CANCEL_SCHEDULE, tip_args)["status"].Str(), "cancelled");
  std::this_thread::sleep_for(1500ms);
  size_t ran = Ok(payer.get(), ETRID_OPERATION_SCHEDULE_RUNS, tip_args)["items"].items.size();
  std::this_thread::sleep_for(2000ms);
  EXPECT_EQ(Ok(payer.get(), ETRID_OPERATION_SCHEDULE_RUNS, tip_args)["items"].items.size(), ran) << "nothing after the cancel";
}

TEST(EtridClient, S24_AStreamPausesResumesAndPaysExactlyItsBudget) {
  Client payer = NewClient(fixture->Key(2, "admin_key"));
  Client payee = NewClient(fixture->Key(1, "admin_key"));
  uint64_t before = AvailableMsat(payee.get());
  json::Value stream = Ok(payer.get(), ETRID_OPERATION_CREATE_STREAM,
                          "{\"destination\":{\"type\":\"account\",\"account_id\":\"" + fixture->AccountId(1) +
                              "\"},\"rate_msat_per_sec\":10000,\"budget_msat\":25000,\"idempotency_key\":\"cpp-s24\"}");
  std::string id_args = "{\"stream_id\":\"" + stream["id"].Str() + "\"}";
  EXPECT_EQ(Ok(payer.get(), ETRID_OPERATION_PAUSE_STREAM, id_args)["state"].Str(), "paused");
  EXPECT_EQ(ErrorCode(payer.get(), ETRID_OPERATION_PAUSE_STREAM, id_args), "lsp_conflict");
  EXPECT_EQ(Ok(payer.get(), ETRID_OPERATION_RESUME_STREAM, id_args)["state"].Str(), "running");
  for (int i = 0; i < 300 && stream["state"].Str() != "finished"; i++) {
    std::this_thread::sleep_for(100ms);
    stream = Ok(payer.get(), ETRID_OPERATION_GET_STREAM, id_args);
  }
  ASSERT_EQ(stream["state"].Str(), "finished") << json::Dump(stream);
  EXPECT_EQ(stream["paid_msat"].U64(), 25000u);
  EXPECT_EQ(AvailableMsat(payee.get()) - before, 25000u);
  EXPECT_EQ(ErrorCode(payer.get(), ETRID_OPERATION_STOP_STREAM, id_args), "lsp_conflict");
}

// A tournament of `seats` at `entry_msat` joinable for ten minutes; its id.
std::string NewTournament(EtridClient* organizer, const std::string& name, int seats, uint64_t entry_msat,
                          const std::string& table) {
  long deadline = static_cast<long>(time(nullptr)) + 600;
  return Ok(organizer, ETRID_OPERATION_CREATE_TOURNAMENT,
            "{\"name\":\"" + name + "\",\"entry_fee_msat\":" + std::to_string(entry_msat) + ",\"seats\":" +
                std::to_string(seats) + ",\"payout_table_bps\":" + table + ",\"join_deadline\":" + std::to_string(deadline) +
                "}")["id"]
      .Str();
}

std::string JoinArgs(const std::string& id, const std::string& player, size_t account) {
  return "{\"tournament_id\":\"" + id + "\",\"player_id\":\"" + player +
         "\",\"payout\":{\"type\":\"account\",\"account_id\":\"" + fixture->AccountId(account) + "\"}}";
}

// Polls the tournament until `done` holds.
json::Value TournamentWhen(EtridClient* client, const std::string& id, const std::function<bool(const json::Value&)>& done) {
  for (int i = 0; i < 600; i++) {
    json::Value t = Ok(client, ETRID_OPERATION_GET_TOURNAMENT, "{\"tournament_id\":\"" + id + "\"}");
    if (done(t)) return t;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "the tournament never got there";
  return json::Value();
}

TEST(EtridClient, S26_ATournamentFillsSettlesItsPoolAndPaysEveryWinnerByRankOnce) {
  Client organizer = NewClient(fixture->Key(2, "admin_key"));
  Client p0 = NewClient(fixture->Key(0, "admin_key"));
  Client p1 = NewClient(fixture->Key(1, "admin_key"));
  uint64_t before0 = AvailableMsat(p0.get()), before1 = AvailableMsat(p1.get());
  std::string id = NewTournament(organizer.get(), "cpp S26 cup", 2, 1000000, "[6000,4000]");
  std::string id_args = "{\"tournament_id\":\"" + id + "\"}";
  json::Value e0 = Ok(organizer.get(), ETRID_OPERATION_JOIN_TOURNAMENT, JoinArgs(id, "p0", 0));
  json::Value e1 = Ok(organizer.get(), ETRID_OPERATION_JOIN_TOURNAMENT, JoinArgs(id, "p1", 1));
  EXPECT_EQ(ErrorCode(organizer.get(), ETRID_OPERATION_JOIN_TOURNAMENT, JoinArgs(id, "p0", 1)), "lsp_already_joined");
  // Both enter from their balances: held, not yet debited.
  json::Value held = Ok(p0.get(), ETRID_OPERATION_PAY_INVOICE,
                        "{\"bolt11\":\"" + e0["bolt11"].Str() + "\",\"idempotency_key\":\"cpp-s26\"}");
  EXPECT_EQ(held["status"].Str(), "pending");
  Ok(p1.get(), ETRID_OPERATION_PAY_INVOICE, "{\"bolt11\":\"" + e1["bolt11"].Str() + "\",\"idempotency_key\":\"cpp-s26\"}");
  json::Value funded = TournamentWhen(organizer.get(), id, [](const json::Value& t) { return t["status"].Str() == "funded"; });
  EXPECT_EQ(funded["pool_msat"].U64(), 2000000u);
  EXPECT_EQ(ErrorCode(organizer.get(), ETRID_OPERATION_JOIN_TOURNAMENT, JoinArgs(id, "p2", 0)), "lsp_tournament_closed");
  EXPECT_EQ(ErrorCode(organizer.get(), ETRID_OPERATION_ENTER_TOURNAMENT_RESULTS,
                      "{\"tournament_id\":\"" + id + "\",\"standings\":[{\"player_id\":\"ghost\",\"rank\":1}]}"),
            "lsp_invalid_request");
  json::Value payouts = Ok(organizer.get(), ETRID_OPERATION_ENTER_TOURNAMENT_RESULTS,
                           "{\"tournament_id\":\"" + id +
                               "\",\"standings\":[{\"player_id\":\"p1\",\"rank\":1},{\"player_id\":\"p0\",\"rank\":2}]}");
  EXPECT_EQ(payouts["items"].items.at(0)["amount_msat"].U64(), 1200000u);
  EXPECT_EQ(payouts["items"].items.at(1)["amount_msat"].U64(), 800000u);
  json::Value paid = Ok(organizer.get(), ETRID_OPERATION_PAY_TOURNAMENT, id_args);
  for (const json::Value& p : paid["items"].items) EXPECT_EQ(p["status"].Str(), "succeeded") << json::Dump(p);
  EXPECT_EQ(Ok(organizer.get(), ETRID_OPERATION_GET_TOURNAMENT, id_args)["status"].Str(), "completed");
  Ok(organizer.get(), ETRID_OPERATION_PAY_TOURNAMENT, id_args);
  EXPECT_EQ(AvailableMsat(p1.get()), before1 + 200000u) << "entry out, first prize in, once";
  EXPECT_EQ(AvailableMsat(p0.get()), before0 - 200000u) << "entry out, second prize in, once";
}

TEST(EtridClient, S26_APublicTournamentTakesKeylessJoinsAndShowsItsLobby) {
  Client organizer = NewClient(fixture->Key(2, "admin_key"));
  Client player = NewClient(fixture->Key(0, "admin_key"));
  Client keyless = NewClient("");
  long deadline = static_cast<long>(time(nullptr)) + 600;
  std::string id = Ok(organizer.get(), ETRID_OPERATION_CREATE_TOURNAMENT,
                      "{\"name\":\"cpp public cup\",\"entry_fee_msat\":300000,\"seats\":2,\"payout_table_bps\":[10000],"
                      "\"public_join\":true,\"join_deadline\":" +
                          std::to_string(deadline) + "}")["id"]
                       .Str();
  std::string id_args = "{\"tournament_id\":\"" + id + "\"}";
  json::Value lobby = Ok(keyless.get(), ETRID_OPERATION_GET_PUBLIC_TOURNAMENT, id_args);
  EXPECT_EQ(lobby["prize_total_msat"].U64(), 600000u);
  EXPECT_TRUE(lobby["players"].items.empty());
  json::Value entry = Ok(keyless.get(), ETRID_OPERATION_JOIN_PUBLIC_TOURNAMENT, JoinArgs(id, "kay", 0));
  EXPECT_EQ(entry["status"].Str(), "pending");
  EXPECT_EQ(ErrorCode(keyless.get(), ETRID_OPERATION_JOIN_PUBLIC_TOURNAMENT, JoinArgs(id, "kay", 1)), "lsp_already_joined");
  EXPECT_EQ(ErrorCode(keyless.get(), ETRID_OPERATION_GET_TOURNAMENT, id_args), "lsp_unauthorized");
  std::string hidden = NewTournament(organizer.get(), "cpp private cup", 2, 1000, "[10000]");
  EXPECT_EQ(ErrorCode(keyless.get(), ETRID_OPERATION_GET_PUBLIC_TOURNAMENT, "{\"tournament_id\":\"" + hidden + "\"}"),
            "lsp_not_found");
  Ok(player.get(), ETRID_OPERATION_PAY_INVOICE,
     "{\"bolt11\":\"" + entry["bolt11"].Str() + "\",\"idempotency_key\":\"cpp-s26-public\"}");
  TournamentWhen(organizer.get(), id, [](const json::Value& t) { return t["seats_taken"].U64() == 1; });
  json::Value seated = Ok(keyless.get(), ETRID_OPERATION_GET_PUBLIC_TOURNAMENT, id_args)["players"];
  EXPECT_EQ(seated.items.at(0)["player_id"].Str(), "kay");
  EXPECT_EQ(seated.items.at(0)["status"].Str(), "held");
  EXPECT_EQ(Ok(organizer.get(), ETRID_OPERATION_CANCEL_TOURNAMENT, id_args)["status"].Str(), "cancelled");
  Ok(organizer.get(), ETRID_OPERATION_CANCEL_TOURNAMENT, "{\"tournament_id\":\"" + hidden + "\"}");
}

TEST(EtridClient, S27_ACancelledTournamentRefundsEveryHeldEntry) {
  Client organizer = NewClient(fixture->Key(2, "admin_key"));
  Client player = NewClient(fixture->Key(0, "admin_key"));
  uint64_t before = AvailableMsat(player.get());
  std::string id = NewTournament(organizer.get(), "cpp S27 cup", 3, 700000, "[10000]");
  json::Value entry = Ok(organizer.get(), ETRID_OPERATION_JOIN_TOURNAMENT, JoinArgs(id, "solo", 0));
  Ok(player.get(), ETRID_OPERATION_PAY_INVOICE, "{\"bolt11\":\"" + entry["bolt11"].Str() + "\",\"idempotency_key\":\"cpp-s27\"}");
  EXPECT_EQ(AvailableMsat(player.get()), before - 700000u) << "held from the balance";
  TournamentWhen(organizer.get(), id, [](const json::Value& t) { return t["seats_taken"].U64() == 1; });
  json::Value cancelled = Ok(organizer.get(), ETRID_OPERATION_CANCEL_TOURNAMENT, "{\"tournament_id\":\"" + id + "\"}");
  EXPECT_EQ(cancelled["status"].Str(), "cancelled");
  EXPECT_EQ(AvailableMsat(player.get()), before) << "refunded whole";
  json::Value entries = Ok(organizer.get(), ETRID_OPERATION_LIST_TOURNAMENT_ENTRIES, "{\"tournament_id\":\"" + id + "\"}");
  EXPECT_EQ(entries["items"].items.at(0)["status"].Str(), "refunded");
}

TEST(EtridClient, S28_AFiatPricedInvoiceChargesExactlyTheQuoteAndASlippedQuoteIsRefused) {
  Client shop = NewClient(fixture->Key(1, "invoice_key"));
  json::Value quote = Ok(shop.get(), ETRID_OPERATION_CREATE_QUOTE, "{\"fiat_amount\":\"4.99\",\"currency\":\"USD\",\"ttl_secs\":60}");
  EXPECT_EQ(quote["amount_msat"].U64(), 4990000u) << "4.99 / 100,000 x 10^11";
  json::Value invoice = Ok(shop.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"quote_id\":\"" + quote["id"].Str() + "\"}");
  EXPECT_EQ(invoice["amount_msat"].U64(), 4990000u) << "exactly the quote";
  EXPECT_EQ(ErrorCode(shop.get(), ETRID_OPERATION_CREATE_QUOTE, "{\"fiat_amount\":\"4.99\",\"currency\":\"JPY\"}"),
            "lsp_unknown_currency");
  json::Value held = Ok(shop.get(), ETRID_OPERATION_CREATE_QUOTE, "{\"fiat_amount\":\"4.99\",\"currency\":\"USD\"}");
  SetRates("{\"USD\":\"101500\",\"EUR\":\"92000.50\"}");
  EXPECT_EQ(ErrorCode(shop.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"quote_id\":\"" + held["id"].Str() + "\"}"),
            "lsp_slippage_exceeded");
  json::Value requote = Ok(shop.get(), ETRID_OPERATION_CREATE_QUOTE, "{\"fiat_amount\":\"4.99\",\"currency\":\"USD\"}");
  EXPECT_EQ(requote["amount_msat"].U64(), 4916257u) << "the new rate, rounded up";
  SetRates("{\"USD\":\"100000\",\"EUR\":\"92000.50\"}");
}

TEST(EtridClient, S20_BeyondTheRateLimitTheCompletionSays429WithRetryAfter) {
  Client shop = NewClient(fixture->Key(2, "invoice_key"));
  for (int i = 0; i < 100; i++) {
    Outcome outcome = Call(shop.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":1000}");
    if (outcome.status == ETRID_STATUS_OK) continue;
    EXPECT_EQ(outcome.json["code"].Str(), "lsp_rate_limited");
    EXPECT_EQ(outcome.json["http_status"].U64(), 429u);
    EXPECT_TRUE(outcome.json["retryable"].boolean);
    EXPECT_GE(outcome.json["retry_after_secs"].U64(), 1u);
    return;
  }
  FAIL() << "the rate limit was never reached";
}

// ---- the asynchronous machinery ------------------------------------------------------------

TEST(EtridClient, PollingDeliversCompletionsOnTheCallersThread) {
  Client shop = NewClient(fixture->Key(1, "invoice_key"));
  uint64_t id = 0;
  ASSERT_EQ(etrid_client_request(shop.get(), ETRID_OPERATION_HEALTH, nullptr, nullptr, nullptr, &id), ETRID_STATUS_OK);
  Completions completions;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (completions.Count() == 0 && std::chrono::steady_clock::now() < deadline) {
    etrid_client_poll(shop.get(), 8, &Completions::Callback, &completions);
    std::this_thread::sleep_for(10ms);
  }
  Outcome outcome = completions.Wait(id, 1s);
  EXPECT_EQ(outcome.status, ETRID_STATUS_OK);
  EXPECT_EQ(outcome.thread, std::this_thread::get_id());
  EXPECT_EQ(etrid_client_pending(shop.get()), 0u);
}

TEST(EtridClient, WaitBlocksUntilSomethingIsQueuedAndWakeEndsIt) {
  Client shop = NewClient(fixture->Key(1, "invoice_key"));
  EXPECT_FALSE(etrid_client_wait(nullptr, 10)) << "null: at once";
  EXPECT_FALSE(etrid_client_wait(shop.get(), 20)) << "nothing queued: times out";

  // A wake from another thread ends a long wait at once.
  auto started = std::chrono::steady_clock::now();
  std::thread waker([&] {
    std::this_thread::sleep_for(100ms);
    etrid_client_wake(shop.get());
  });
  EXPECT_FALSE(etrid_client_wait(shop.get(), 60000));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  waker.join();

  // A completion queued for polling ends the wait with true; poll then finds it.
  uint64_t id = 0;
  ASSERT_EQ(etrid_client_request(shop.get(), ETRID_OPERATION_HEALTH, nullptr, nullptr, nullptr, &id), ETRID_STATUS_OK);
  ASSERT_TRUE(etrid_client_wait(shop.get(), 30000));
  Completions completions;
  EXPECT_EQ(etrid_client_poll(shop.get(), 8, &Completions::Callback, &completions), 1u);
  EXPECT_EQ(completions.Wait(id, 1s).status, ETRID_STATUS_OK);
  EXPECT_FALSE(etrid_client_wait(shop.get(), 20)) << "drained: nothing left";
}

TEST(EtridClient, CancelCompletesARequestAsCancelledOnTheCancellingThread) {
  Client shop = NewClient(fixture->Key(1, "invoice_key"));
  json::Value invoice = Ok(shop.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":1000}");
  Completions completions;
  uint64_t id = Start(shop.get(), ETRID_OPERATION_WAIT_FOR_PAYMENT, "{\"invoice_id\":\"" + invoice["id"].Str() + "\"}", completions);
  EXPECT_EQ(etrid_client_pending(shop.get()), 1u);
  ASSERT_EQ(etrid_client_cancel(shop.get(), id), ETRID_STATUS_OK);
  Outcome outcome = completions.Wait(id, 1s);
  EXPECT_EQ(outcome.status, ETRID_STATUS_CANCELLED);
  EXPECT_EQ(outcome.json["code"].Str(), "cancelled");
  EXPECT_EQ(outcome.thread, std::this_thread::get_id());
  EXPECT_EQ(etrid_client_cancel(shop.get(), id), ETRID_STATUS_INVALID_ARGUMENT) << "only once";
  EXPECT_EQ(etrid_client_pending(shop.get()), 0u);
}

TEST(EtridClient, FreeWithRequestsInFlightCompletesThemAsCancelledBeforeItReturns) {
  Client shop = NewClient(fixture->Key(1, "invoice_key"));
  json::Value invoice = Ok(shop.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":1000}");
  Completions completions;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 3; i++) {
    ids.push_back(Start(shop.get(), ETRID_OPERATION_WAIT_FOR_PAYMENT, "{\"invoice_id\":\"" + invoice["id"].Str() + "\"}", completions));
  }
  ASSERT_EQ(etrid_client_events_start(shop.get(), -1, 8), ETRID_STATUS_OK);
  EtridClient* raw = shop.release();
  etrid_client_free(raw);
  EXPECT_EQ(completions.Count(), 3u) << "every request completed before free returned";
  for (uint64_t id : ids) EXPECT_EQ(completions.Wait(id, 1s).status, ETRID_STATUS_CANCELLED);
  // The freed handle is refused, not dereferenced.
  uint64_t id = 0;
  EXPECT_EQ(etrid_client_request(raw, ETRID_OPERATION_HEALTH, nullptr, nullptr, nullptr, &id), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(LastCode(), "invalid_argument");
  etrid_client_free(raw);  // a second free is ignored
}

TEST(EtridClient, FreeFromItsOwnCallbackIsRefused) {
  Client shop = NewClient(fixture->Key(1, "invoice_key"));
  struct Attempt {
    explicit Attempt(EtridClient* c) : client(c) {}
    EtridClient* client;
    std::mutex mutex;
    std::condition_variable done_changed;
    bool done = false;
  } attempt(shop.get());
  uint64_t id = 0;
  ASSERT_EQ(etrid_client_request(shop.get(), ETRID_OPERATION_HEALTH, nullptr,
                                 [](void* user_data, uint64_t, EtridStatus, const char*) {
                                   auto* a = static_cast<Attempt*>(user_data);
                                   etrid_client_free(a->client);  // refused: the client stays
                                   std::lock_guard<std::mutex> lock(a->mutex);
                                   a->done = true;
                                   a->done_changed.notify_all();
                                 },
                                 &attempt, &id),
            ETRID_STATUS_OK);
  std::unique_lock<std::mutex> lock(attempt.mutex);
  ASSERT_TRUE(attempt.done_changed.wait_for(lock, 30s, [&] { return attempt.done; }));
  lock.unlock();
  EXPECT_EQ(Call(shop.get(), ETRID_OPERATION_HEALTH).status, ETRID_STATUS_OK) << "still alive";
}

TEST(EtridClient, BadInputIsAStatusAndALastErrorNeverACrash) {
  EtridClient* raw = nullptr;
  EXPECT_EQ(etrid_client_new(nullptr, &raw), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(raw, nullptr);
  EXPECT_EQ(etrid_client_new("{}", nullptr), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_client_new("not json", &raw), ETRID_STATUS_ERROR);
  EXPECT_EQ(LastCode(), "lsp_invalid_config");
  EXPECT_EQ(etrid_client_new("{\"base_url\":\"http://x\",\"api_key\":\"k\",\"network\":\"regtest\",\"colour\":1}", &raw), ETRID_STATUS_ERROR);
  EXPECT_EQ(LastCode(), "lsp_invalid_config");
  EXPECT_EQ(etrid_client_new("{\"base_url\":\"ftp://x\",\"api_key\":\"k\",\"network\":\"regtest\"}", &raw), ETRID_STATUS_ERROR);
  const char invalid_utf8[] = {'{', '"', '\xff', '"', '}', 0};
  EXPECT_EQ(etrid_client_new(invalid_utf8, &raw), ETRID_STATUS_INVALID_ARGUMENT);

  Client shop = NewClient(fixture->Key(1, "invoice_key"));
  uint64_t id = 0;
  EXPECT_EQ(etrid_client_request(nullptr, ETRID_OPERATION_HEALTH, nullptr, nullptr, nullptr, &id), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_client_request(shop.get(), 999, nullptr, nullptr, nullptr, &id), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_client_request(shop.get(), ETRID_OPERATION_HEALTH, "[1]", nullptr, nullptr, &id), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_client_request(shop.get(), ETRID_OPERATION_HEALTH, "{", nullptr, nullptr, &id), ETRID_STATUS_INVALID_ARGUMENT);
  // Arguments that do not fit the operation complete with invalid_argument.
  Outcome unknown_field = Call(shop.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"amountMsat\":1000}");
  EXPECT_EQ(unknown_field.status, ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(unknown_field.json["code"].Str(), "invalid_argument");
  EXPECT_EQ(Call(shop.get(), ETRID_OPERATION_GET_INVOICE, "{}").status, ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(Call(shop.get(), ETRID_OPERATION_BALANCE, "{\"x\":1}").status, ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(ErrorCode(shop.get(), ETRID_OPERATION_GET_INVOICE, "{\"invoice_id\":\"../balance\"}"), "lsp_invalid_request");
  EXPECT_EQ(etrid_client_cancel(shop.get(), 123456), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_client_poll(nullptr, 1, &Completions::Callback, nullptr), 0u);
  EXPECT_EQ(etrid_client_remove_event_listener(shop.get(), 1), ETRID_STATUS_INVALID_ARGUMENT);
  uint64_t listener = 0;
  EXPECT_EQ(etrid_client_add_event_listener(shop.get(), nullptr, nullptr, &listener), ETRID_STATUS_INVALID_ARGUMENT);
  ASSERT_EQ(etrid_client_events_start(shop.get(), -1, 0), ETRID_STATUS_OK);
  EXPECT_EQ(etrid_client_events_start(shop.get(), -1, 0), ETRID_STATUS_INVALID_ARGUMENT) << "already started";

  Client stranger = NewClient("etrid_inv_0000");
  Outcome refused = Call(stranger.get(), ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":1000}");
  EXPECT_EQ(refused.json["code"].Str(), "lsp_unauthorized");
  EXPECT_EQ(refused.json["http_status"].U64(), 401u);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new FixtureEnvironment);
  return RUN_ALL_TESTS();
}
