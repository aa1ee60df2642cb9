// The Unreal plugin's engine-independent layer (EtridCore.h) against a real LSP on the devnet
// (the lsp-fixture), built the way the engine builds game code: C++17, -fno-exceptions,
// -fno-rtti, plus AddressSanitizer and UndefinedBehaviorSanitizer (plugins/unreal/tools/
// core-tests.sh). The test's main thread plays the game thread: it makes every request and
// pumps, and every callback must run on it, inside Pump(). Test names carry the scenario ids.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <map>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "EtridArgs.h"
#include "EtridCore.h"
#include "devnet_fixture.hpp"

namespace json = scenario_json;
using namespace std::chrono_literals;
using devnet::Channels;
using devnet::Control;
using devnet::ControlGet;
using devnet::Moved;
using devnet::RandomPreimage;
using devnet::WalletPays;
using devnet::fixture;

namespace {

class FixtureEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    fixture = new devnet::Fixture(
        {"--accounts", "3", "--fund-msat", "20000000", "--invoice-rate-per-sec", "1", "--invoice-rate-burst", "30"});
  }
  void TearDown() override {
    delete fixture;
    fixture = nullptr;
  }
};

/// A client of the fixture's LSP with account `account`'s key of `scope` (empty: keyless).
etrid::Client NewClient(const std::string& key) {
  etrid::Error error;
  etrid::Client client = etrid::Client::Create(
      "{\"base_url\":\"" + fixture->Api() + "\",\"api_key\":\"" + key + "\",\"network\":\"regtest\"}", &error);
  EXPECT_TRUE(client.Valid()) << error.code << ": " << error.message;
  return client;
}

std::string Key(size_t account, const char* scope) { return fixture->Key(account, scope); }

/// Pumps `client` on this thread (the game loop) until `done()` holds or `timeout` passes.
template <typename Done>
bool PumpUntil(etrid::Client& client, Done done, std::chrono::milliseconds timeout = 90s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    client.Pump();
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

/// Runs `operation` and pumps until its callback ran (on this thread); the result.
etrid::Result Await(etrid::Client& client, EtridOperation operation, const std::string& args = "{}") {
  bool ran = false;
  etrid::Result outcome;
  const std::thread::id game_thread = std::this_thread::get_id();
  client.Request(operation, args, [&](const etrid::Result& result) {
    EXPECT_EQ(std::this_thread::get_id(), game_thread) << "callbacks run on the pumping thread";
    outcome = result;
    ran = true;
  });
  EXPECT_TRUE(PumpUntil(client, [&] { return ran; })) << "no completion for operation " << operation;
  return outcome;
}

/// The result JSON of an operation that must succeed.
json::Value Ok(etrid::Client& client, EtridOperation operation, const std::string& args = "{}") {
  etrid::Result result = Await(client, operation, args);
  EXPECT_TRUE(result.ok) << "operation " << operation << ": " << result.json;
  return result.ok ? json::Parse(result.json) : json::Value();
}

/// The error code of an operation that must fail.
std::string ErrorCode(etrid::Client& client, EtridOperation operation, const std::string& args) {
  etrid::Result result = Await(client, operation, args);
  EXPECT_FALSE(result.ok) << result.json;
  return result.error_code;
}

uint64_t AvailableMsat(etrid::Client& admin) { return Ok(admin, ETRID_OPERATION_BALANCE)["available_msat"].U64(); }

/// The payment once it left "pending" (or after 60 s).
json::Value FinalPayment(etrid::Client& admin, json::Value payment) {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (payment["status"].Str() == "pending" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
    payment = Ok(admin, ETRID_OPERATION_GET_PAYMENT, "{\"payment_id\":\"" + payment["id"].Str() + "\"}");
  }
  return payment;
}

std::string Unique(const char* prefix) {
  return prefix + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
}

// ---- scenarios -----------------------------------------------------------------------------

TEST(UnrealCore, S10_AnInvoiceKeyCreatesTheWalletPaysThePumpedEventSaysPaidCreditedOnce) {
  etrid::Client shop = NewClient(Key(1, "invoice_key"));
  etrid::Client admin = NewClient(Key(1, "admin_key"));
  uint64_t before = AvailableMsat(admin);
  std::vector<json::Value> heard;
  const std::thread::id game_thread = std::this_thread::get_id();
  etrid::Error error;
  ASSERT_TRUE(shop.StartEvents(-1, 64, [&](const std::string& text) {
    EXPECT_EQ(std::this_thread::get_id(), game_thread);
    heard.push_back(json::Parse(text));
  }, &error)) << error.code;

  json::Value invoice = Ok(shop, ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":21000,\"description\":\"UE sword\"}");
  bool waited = false;
  std::string status;
  shop.Request(ETRID_OPERATION_WAIT_FOR_PAYMENT, "{\"invoice_id\":\"" + invoice["id"].Str() + "\",\"timeout_ms\":60000}",
               [&](const etrid::Result& result) {
                 ASSERT_TRUE(result.ok) << result.json;
                 status = json::Parse(result.json)["status"].Str();
                 waited = true;
               });
  PumpUntil(shop, [] { return false; }, 300ms);
  ASSERT_EQ(WalletPays(invoice["bolt11"].Str()), "succeeded");
  ASSERT_TRUE(PumpUntil(shop, [&] { return waited; }));
  EXPECT_EQ(status, "paid");
  auto paid_events = [&] {
    int paid = 0;
    for (auto& item : heard) {
      if (item["kind"].Str() == "event" && item["event"]["type"].Str() == "invoice.paid" &&
          item["event"]["data"]["id"].Str() == invoice["id"].Str()) paid++;
    }
    return paid;
  };
  ASSERT_TRUE(PumpUntil(shop, [&] { return paid_events() > 0; }, 10s));
  PumpUntil(shop, [] { return false; }, 300ms);
  EXPECT_EQ(paid_events(), 1) << "heard once";
  shop.StopEvents();
  EXPECT_EQ(AvailableMsat(admin) - before, 21000u) << "credited exactly once";
}

TEST(UnrealCore, S11_TheSameExternalIdReturnsTheSameInvoice) {
  etrid::Client shop = NewClient(Key(1, "invoice_key"));
  std::string args = "{\"amount_msat\":3000,\"external_id\":\"" + Unique("ue-order-") + "\"}";
  EXPECT_EQ(Ok(shop, ETRID_OPERATION_CREATE_INVOICE, args)["id"].Str(), Ok(shop, ETRID_OPERATION_CREATE_INVOICE, args)["id"].Str());
}

TEST(UnrealCore, S12_AnExpiringInvoiceIsReportedExpiredNotAHang) {
  etrid::Client shop = NewClient(Key(1, "invoice_key"));
  json::Value invoice = Ok(shop, ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":1000,\"expiry_secs\":2}");
  EXPECT_EQ(Ok(shop, ETRID_OPERATION_WAIT_FOR_PAYMENT, "{\"invoice_id\":\"" + invoice["id"].Str() + "\"}")["status"].Str(),
            "expired");
}

TEST(UnrealCore, S13_AnAdminKeyPaysAnExternalInvoicePreimageAndFeeDebitedOnce) {
  etrid::Client admin = NewClient(Key(0, "admin_key"));
  uint64_t before = AvailableMsat(admin);
  json::Value created = Control("/v1/nodes/bob/invoice", "{\"amount_msat\":2000000,\"description\":\"UE S13\"}");
  json::Value payment = FinalPayment(
      admin, Ok(admin, ETRID_OPERATION_PAY_INVOICE,
                "{\"bolt11\":\"" + created["invoice"].Str() + "\",\"idempotency_key\":\"" + Unique("ue-s13-") + "\"}"));
  ASSERT_EQ(payment["status"].Str(), "succeeded") << json::Dump(payment);
  EXPECT_EQ(payment["preimage"].Str().size(), 64u);
  EXPECT_EQ(before - AvailableMsat(admin), 2000000u + payment["fee_msat"].U64());
}

/// The LSP's outbound capacity per channel.
Channels Outbound(etrid::Client& admin) {
  Channels channels;
  const json::Value listed = Ok(admin, ETRID_OPERATION_LIST_CHANNELS);
  for (const json::Value& channel : listed["items"].items) {
    channels[channel["counterparty_node_id"].Str() + "/" + channel["channel_id"].Str()] = channel["outbound_capacity_msat"].U64();
  }
  return channels;
}

/// The channels once two of them moved from `from`, or after 15 s.
Channels ChannelsMoved(etrid::Client& admin, const Channels& from, bool in) {
  return devnet::ChannelsMoved([&] { return Outbound(admin); }, from, in);
}

TEST(UnrealCore, S14_MultiPathPaysMoreThanTheLargestChannelInParts) {
  constexpr uint64_t kAmount = 300000000;
  etrid::Client admin = NewClient(Key(0, "admin_key"));
  // Received first: a devnet wallet pays the LSP more than one path carries.
  Channels start = Outbound(admin);
  json::Value incoming = Ok(admin, ETRID_OPERATION_CREATE_INVOICE,
                            "{\"amount_msat\":" + std::to_string(kAmount) + ",\"description\":\"UE S14 prize pool\"}");
  ASSERT_EQ(WalletPays(incoming["bolt11"].Str()), "succeeded");
  EXPECT_EQ(Ok(admin, ETRID_OPERATION_WAIT_FOR_PAYMENT, "{\"invoice_id\":\"" + incoming["id"].Str() + "\",\"timeout_ms\":30000}")["status"].Str(),
            "paid");
  // The reference server does not report parts; the channels show them.
  Channels mid = ChannelsMoved(admin, start, true);
  ASSERT_GE(Moved(start, mid, true), 2) << "two or more channels carried a part in";
  ASSERT_LT(Ok(admin, ETRID_OPERATION_LIQUIDITY)["largest_outbound_msat"].U64(), kAmount) << "one channel cannot carry it";

  uint64_t before = AvailableMsat(admin);
  json::Value bill = Control("/v1/nodes/bob/invoice", "{\"amount_msat\":" + std::to_string(kAmount) + "}");
  json::Value done = FinalPayment(admin, Ok(admin, ETRID_OPERATION_PAY_INVOICE,
                                            "{\"bolt11\":\"" + bill["invoice"].Str() + "\",\"idempotency_key\":\"" + Unique("ue-s14-") +
                                                "\",\"max_parts\":8}"));
  ASSERT_EQ(done["status"].Str(), "succeeded") << json::Dump(done);
  Channels end = ChannelsMoved(admin, mid, false);
  EXPECT_GE(Moved(mid, end, false), 2) << "two or more channels carried a part out";
  EXPECT_EQ(before - AvailableMsat(admin), kAmount + done["fee_msat"].U64()) << "debited once";
}

TEST(UnrealCore, S15_AHoldInvoiceIsSettledWithThePreimageOrCancelledAndThePayerRefunded) {
  etrid::Client admin = NewClient(Key(1, "admin_key"));
  uint64_t before = AvailableMsat(admin);
  auto [preimage, payment_hash] = RandomPreimage();
  json::Value held = Ok(admin, ETRID_OPERATION_CREATE_HOLD_INVOICE, "{\"payment_hash\":\"" + payment_hash + "\",\"amount_msat\":4000000}");
  // The wallet's payment completes only when the hold invoice is settled: in the background.
  auto paying = std::async(std::launch::async, [bolt11 = held["bolt11"].Str()] { return WalletPays(bolt11); });
  std::string wait = "{\"invoice_id\":\"" + held["id"].Str() + "\",\"timeout_ms\":60000}";
  EXPECT_EQ(Ok(admin, ETRID_OPERATION_WAIT_FOR_PAYMENT, wait)["status"].Str(), "accepted");
  EXPECT_EQ(Ok(admin, ETRID_OPERATION_SETTLE_HOLD_INVOICE,
               "{\"invoice_id\":\"" + held["id"].Str() + "\",\"preimage\":\"" + preimage + "\"}")["status"].Str(),
            "paid");
  EXPECT_EQ(paying.get(), "succeeded");
  EXPECT_EQ(AvailableMsat(admin) - before, 4000000u) << "credited once";

  json::Value refused = Ok(admin, ETRID_OPERATION_CREATE_HOLD_INVOICE,
                           "{\"payment_hash\":\"" + RandomPreimage().second + "\",\"amount_msat\":2000000}");
  auto paying_again = std::async(std::launch::async, [bolt11 = refused["bolt11"].Str()] { return WalletPays(bolt11); });
  EXPECT_EQ(Ok(admin, ETRID_OPERATION_WAIT_FOR_PAYMENT, "{\"invoice_id\":\"" + refused["id"].Str() + "\",\"timeout_ms\":60000}")["status"].Str(),
            "accepted");
  EXPECT_EQ(Ok(admin, ETRID_OPERATION_CANCEL_HOLD_INVOICE, "{\"invoice_id\":\"" + refused["id"].Str() + "\"}")["status"].Str(), "cancelled");
  EXPECT_EQ(paying_again.get(), "failed") << "the payer's HTLC came back";
  EXPECT_EQ(AvailableMsat(admin) - before, 4000000u) << "nothing more credited";
}

TEST(UnrealCore, S16_KeysendArrivesWithItsCustomRecords) {
  etrid::Client admin = NewClient(Key(0, "admin_key"));
  std::string alice;
  const json::Value nodes = ControlGet("/v1/nodes");
  for (const json::Value& node : nodes.items) {
    if (node["name"].Str() == "alice") alice = node["node_id"].Str();
  }
  ASSERT_FALSE(alice.empty());
  const std::string records = "[{\"type\":65537,\"value\":\"68656c6c6f\"}]";
  json::Value done = FinalPayment(admin, Ok(admin, ETRID_OPERATION_KEYSEND,
                                            "{\"destination\":\"" + alice + "\",\"amount_msat\":3000000,\"custom_records\":" + records +
                                                ",\"idempotency_key\":\"" + Unique("ue-s16-") + "\"}"));
  ASSERT_EQ(done["status"].Str(), "succeeded") << json::Dump(done);
  EXPECT_TRUE(done["custom_records"] == json::Parse(records)) << json::Dump(done["custom_records"]);
}

TEST(UnrealCore, S17_AnInvoiceKeyCannotPayOrManageKeysOrReadOtherAccounts) {
  etrid::Client mine = NewClient(Key(2, "invoice_key"));
  etrid::Client theirs = NewClient(Key(1, "invoice_key"));
  json::Value created = Control("/v1/nodes/bob/invoice", "{\"amount_msat\":1000000}");
  EXPECT_EQ(ErrorCode(mine, ETRID_OPERATION_PAY_INVOICE, "{\"bolt11\":\"" + created["invoice"].Str() + "\",\"idempotency_key\":\"ue-s17\"}"),
            "lsp_forbidden_scope");
  EXPECT_EQ(ErrorCode(mine, ETRID_OPERATION_CREATE_API_KEY, "{\"scope\":\"admin\",\"label\":\"s17\"}"), "lsp_forbidden_scope");
  json::Value foreign = Ok(theirs, ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":1000}");
  EXPECT_EQ(ErrorCode(mine, ETRID_OPERATION_GET_INVOICE, "{\"invoice_id\":\"" + foreign["id"].Str() + "\"}"), "lsp_not_found");
}

TEST(UnrealCore, S18_EventsResumeAfterTheLastIdNothingMissedOrRepeated) {
  etrid::Client shop = NewClient(Key(1, "invoice_key"));
  json::Value log = Ok(shop, ETRID_OPERATION_LIST_EVENTS, "{\"limit\":1000}");
  uint64_t start = log["items"].items.empty() ? 0 : log["items"].items.back()["id"].U64();
  for (int i = 0; i < 3; i++) {
    json::Value invoice = Ok(shop, ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":" + std::to_string(30000 + i) + "}");
    ASSERT_EQ(WalletPays(invoice["bolt11"].Str()), "succeeded");
  }
  std::vector<uint64_t> seen;
  auto collect = [&seen](const std::string& text) {
    json::Value item = json::Parse(text);
    if (item["kind"].Str() == "event") seen.push_back(item["event"]["id"].U64());
  };
  // One event, then the stream stops (the game quit) and starts again from the last id it saw.
  etrid::Error error;
  ASSERT_TRUE(shop.StartEvents(static_cast<int64_t>(start), 1, collect, &error)) << error.code;
  ASSERT_TRUE(PumpUntil(shop, [&] { return !seen.empty(); }, 30s));
  shop.StopEvents();
  seen.resize(1);
  ASSERT_TRUE(shop.StartEvents(static_cast<int64_t>(seen.back()), 16, collect, &error)) << error.code;
  json::Value after = Ok(shop, ETRID_OPERATION_LIST_EVENTS, "{\"after\":" + std::to_string(start) + ",\"limit\":1000}");
  std::vector<uint64_t> expected;
  for (auto& event : after["items"].items) expected.push_back(event["id"].U64());
  ASSERT_TRUE(PumpUntil(shop, [&] { return seen.size() >= expected.size(); }, 30s));
  PumpUntil(shop, [] { return false; }, 300ms);
  EXPECT_EQ(seen, expected) << "every event once, in order";
  shop.StopEvents();
}

TEST(UnrealCore, S19_APaymentBeyondTheBalanceIsRefusedBeforeAnythingLeaves) {
  etrid::Client admin = NewClient(Key(2, "admin_key"));
  uint64_t before = AvailableMsat(admin);
  json::Value created = Control("/v1/nodes/bob/invoice", "{\"amount_msat\":" + std::to_string(before + 1000000) + "}");
  EXPECT_EQ(ErrorCode(admin, ETRID_OPERATION_PAY_INVOICE,
                      "{\"bolt11\":\"" + created["invoice"].Str() + "\",\"idempotency_key\":\"" + Unique("ue-s19-") + "\"}"),
            "lsp_insufficient_balance");
  EXPECT_EQ(AvailableMsat(admin), before);
}

TEST(UnrealCore, S20_BeyondTheRateLimitTheCallbackSays429WithRetryAfter) {
  etrid::Client shop = NewClient(Key(2, "invoice_key"));
  for (int i = 0; i < 100; i++) {
    etrid::Result result = Await(shop, ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":1000}");
    if (result.ok) continue;
    EXPECT_EQ(result.error_code, "lsp_rate_limited");
    json::Value error = json::Parse(result.json);
    EXPECT_EQ(error["http_status"].U64(), 429u);
    EXPECT_GE(error["retry_after_secs"].U64(), 1u);
    return;
  }
  FAIL() << "the rate limit was never reached";
}

TEST(UnrealCore, S26_AKeylessClientReadsAPublicTournamentsLobby) {
  etrid::Client organizer = NewClient(Key(0, "admin_key"));
  etrid::Client keyless = NewClient("");
  long deadline = static_cast<long>(time(nullptr)) + 600;
  json::Value t = Ok(organizer, ETRID_OPERATION_CREATE_TOURNAMENT,
                     "{\"name\":\"UE lobby\",\"entry_fee_msat\":5000,\"seats\":2,\"payout_table_bps\":[10000],\"public_join\":true,"
                     "\"join_deadline\":" + std::to_string(deadline) + "}");
  std::string id_args = "{\"tournament_id\":\"" + t["id"].Str() + "\"}";
  EXPECT_EQ(Ok(keyless, ETRID_OPERATION_GET_PUBLIC_TOURNAMENT, id_args)["prize_total_msat"].U64(), 10000u);
  EXPECT_EQ(ErrorCode(keyless, ETRID_OPERATION_GET_TOURNAMENT, id_args), "lsp_unauthorized");
  Ok(organizer, ETRID_OPERATION_CANCEL_TOURNAMENT, id_args);
}

// The typed arguments the Blueprint nodes build (EtridArgs.h), run against the LSP.
TEST(UnrealCore, S26_TypedArgumentsRunATournamentFromJoinsToPayoutsPaidOnce) {
  etrid::Client organizer = NewClient(Key(0, "admin_key"));
  etrid::Client p1 = NewClient(Key(1, "admin_key"));
  etrid::Client p2 = NewClient(Key(2, "admin_key"));
  uint64_t before1 = AvailableMsat(p1), before2 = AvailableMsat(p2);
  etrid::args::TournamentSpec spec;
  spec.name = "UE \"typed\" cup";
  spec.entry_fee_msat = 1000000;
  spec.seats = 2;
  spec.payout_table_bps = {7000, 3000};
  spec.join_deadline = static_cast<uint64_t>(time(nullptr)) + 600;
  json::Value t = Ok(organizer, ETRID_OPERATION_CREATE_TOURNAMENT, etrid::args::CreateTournament(spec));
  EXPECT_EQ(t["name"].Str(), "UE \"typed\" cup");
  EXPECT_EQ(t["payout_table_bps"].items.size(), 2u);
  const std::string id = t["id"].Str();
  using etrid::args::Destination;
  json::Value e1 = Ok(organizer, ETRID_OPERATION_JOIN_TOURNAMENT,
                      etrid::args::JoinTournament(id, "ue-p1", Destination::Account(fixture->AccountId(1))));
  json::Value e2 = Ok(organizer, ETRID_OPERATION_JOIN_TOURNAMENT,
                      etrid::args::JoinTournament(id, "ue-p2", Destination::Account(fixture->AccountId(2))));
  EXPECT_EQ(e1["payout"]["account_id"].Str(), fixture->AccountId(1));
  EXPECT_EQ(ErrorCode(organizer, ETRID_OPERATION_JOIN_TOURNAMENT,
                      etrid::args::JoinTournament(id, "ue-p3", Destination::LightningAddress("not an address"))),
            "lsp_invalid_request");
  Ok(p1, ETRID_OPERATION_PAY_INVOICE, "{\"bolt11\":\"" + e1["bolt11"].Str() + "\",\"idempotency_key\":\"ue-s26-typed\"}");
  Ok(p2, ETRID_OPERATION_PAY_INVOICE, "{\"bolt11\":\"" + e2["bolt11"].Str() + "\",\"idempotency_key\":\"ue-s26-typed\"}");
  const std::string id_args = etrid::args::Id("tournament_id", id);
  json::Value funded = Ok(organizer, ETRID_OPERATION_GET_TOURNAMENT, id_args);
  for (int i = 0; i < 600 && funded["status"].Str() != "funded"; i++) {
    std::this_thread::sleep_for(100ms);
    funded = Ok(organizer, ETRID_OPERATION_GET_TOURNAMENT, id_args);
  }
  ASSERT_EQ(funded["status"].Str(), "funded") << json::Dump(funded);
  etrid::Result results = Await(organizer, ETRID_OPERATION_ENTER_TOURNAMENT_RESULTS,
                                etrid::args::TournamentResults(id, {{"ue-p2", 1}, {"ue-p1", 2}}));
  ASSERT_TRUE(results.ok) << results.json;
  std::vector<std::string> payouts;
  ASSERT_TRUE(etrid::TopLevelArray(results.json, "items", &payouts)) << results.json;
  ASSERT_EQ(payouts.size(), 2u);
  uint64_t first = 0;
  EXPECT_TRUE(etrid::TopLevelU64(payouts[0], "amount_msat", &first));
  EXPECT_EQ(first, 1400000u);
  etrid::Result paid = Await(organizer, ETRID_OPERATION_PAY_TOURNAMENT, id_args);
  ASSERT_TRUE(etrid::TopLevelArray(paid.json, "items", &payouts)) << paid.json;
  for (const std::string& payout : payouts) {
    std::string status;
    EXPECT_TRUE(etrid::TopLevelField(payout, "status", &status));
    EXPECT_EQ(status, "succeeded") << payout;
  }
  Ok(organizer, ETRID_OPERATION_PAY_TOURNAMENT, id_args);
  EXPECT_EQ(AvailableMsat(p2), before2 + 400000u) << "entry out, first prize in, once";
  EXPECT_EQ(AvailableMsat(p1), before1 - 400000u) << "entry out, second prize in, once";
}

TEST(UnrealCore, S24_ATypedStreamToAnAccountPaysExactlyItsBudget) {
  etrid::Client payer = NewClient(Key(2, "admin_key"));
  etrid::Client payee = NewClient(Key(1, "admin_key"));
  uint64_t before = AvailableMsat(payee);
  json::Value stream = Ok(payer, ETRID_OPERATION_CREATE_STREAM,
                          etrid::args::CreateStream(etrid::args::Destination::Account(fixture->AccountId(1)), 10000, 25000,
                                                    Unique("ue-s24-"), "UE stream"));
  EXPECT_EQ(stream["description"].Str(), "UE stream");
  const std::string id_args = etrid::args::Id("stream_id", stream["id"].Str());
  EXPECT_EQ(Ok(payer, ETRID_OPERATION_PAUSE_STREAM, id_args)["state"].Str(), "paused");
  EXPECT_EQ(Ok(payer, ETRID_OPERATION_RESUME_STREAM, id_args)["state"].Str(), "running");
  for (int i = 0; i < 300 && stream["state"].Str() != "finished"; i++) {
    std::this_thread::sleep_for(100ms);
    stream = Ok(payer, ETRID_OPERATION_GET_STREAM, id_args);
  }
  ASSERT_EQ(stream["state"].Str(), "finished") << json::Dump(stream);
  EXPECT_EQ(stream["paid_msat"].U64(), 25000u);
  EXPECT_EQ(AvailableMsat(payee) - before, 25000u);
}

TEST(UnrealCore, TypedArgumentsAreValidJsonAndArraysReadBackItemByItem) {
  EXPECT_EQ(etrid::args::Quote("a\"b\\c\n\x01\xc3\xa9"), "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
  json::Value join = json::Parse(etrid::args::JoinTournament("t_1", "p\"1", etrid::args::Destination::Voucher()));
  EXPECT_EQ(join["player_id"].Str(), "p\"1");
  EXPECT_EQ(join["payout"]["type"].Str(), "voucher");
  json::Value stream = json::Parse(etrid::args::CreateStream(etrid::args::Destination::Keysend("02ab"), 5, 18446744073709551615u, "k"));
  EXPECT_EQ(stream["budget_msat"].U64(), 18446744073709551615u) << "64-bit amounts written exactly";
  EXPECT_EQ(stream["destination"]["node_id"].Str(), "02ab");
  std::vector<std::string> items;
  ASSERT_TRUE(etrid::TopLevelArray("{\"items\": [ {\"a\":[1,{\"b\":\"]\"}]}, \"x,y\" ,7 ], \"n\":[]}", "items", &items));
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], "{\"a\":[1,{\"b\":\"]\"}]}");
  EXPECT_EQ(items[1], "\"x,y\"");
  EXPECT_EQ(items[2], "7");
  EXPECT_TRUE(etrid::TopLevelArray("{\"n\":[]}", "n", &items));
  EXPECT_TRUE(items.empty());
  EXPECT_FALSE(etrid::TopLevelArray("{\"n\":{}}", "n", &items));
  EXPECT_FALSE(etrid::TopLevelArray("{\"n\":[1,", "n", &items));
}

// ---- the game-loop contract ----------------------------------------------------------------

TEST(UnrealCore, CallbacksRunOnlyInsidePumpOnTheGameThread) {
  etrid::Client shop = NewClient(Key(1, "invoice_key"));
  bool ran = false;
  shop.Request(ETRID_OPERATION_HEALTH, "", [&](const etrid::Result& result) {
    EXPECT_TRUE(result.ok) << result.json;
    ran = true;
  });
  // Without a pump nothing runs, however long the game waits.
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(ran);
  ASSERT_TRUE(PumpUntil(shop, [&] { return ran; }, 5s));
}

TEST(UnrealCore, ACallbackWhoseOwnerIsGoneIsDroppedNotCalled) {
  etrid::Client shop = NewClient(Key(1, "invoice_key"));
  auto owner = std::make_shared<int>(0);
  auto survivor = std::make_shared<int>(0);
  int dropped_calls = 0;
  bool survivor_ran = false;
  shop.Request(ETRID_OPERATION_HEALTH, "", std::weak_ptr<void>(owner), [&](const etrid::Result&) { dropped_calls++; });
  shop.Request(ETRID_OPERATION_HEALTH, "", std::weak_ptr<void>(survivor), [&](const etrid::Result&) { survivor_ran = true; });
  owner.reset();  // the widget that asked was destroyed
  ASSERT_TRUE(PumpUntil(shop, [&] { return survivor_ran; }, 10s));
  PumpUntil(shop, [] { return false; }, 300ms);
  EXPECT_EQ(dropped_calls, 0);
}

TEST(UnrealCore, CancelCompletesAsCancelledAndRefusalsComeThroughThePumpToo) {
  etrid::Client shop = NewClient(Key(1, "invoice_key"));
  json::Value invoice = Ok(shop, ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":1000}");
  std::string code;
  uint64_t id = shop.Request(ETRID_OPERATION_WAIT_FOR_PAYMENT, "{\"invoice_id\":\"" + invoice["id"].Str() + "\",\"timeout_ms\":60000}",
                             [&](const etrid::Result& result) { code = result.error_code; });
  ASSERT_NE(id, 0u);
  EXPECT_TRUE(shop.Cancel(id));
  ASSERT_TRUE(PumpUntil(shop, [&] { return !code.empty(); }, 5s));
  EXPECT_EQ(code, "cancelled");
  EXPECT_FALSE(shop.Cancel(id)) << "no longer pending";

  // Arguments that are not JSON, and an unknown operation: refused at once, reported by Pump().
  std::vector<std::string> refusals;
  EXPECT_EQ(shop.Request(ETRID_OPERATION_CREATE_INVOICE, "{oops", [&](const etrid::Result& r) { refusals.push_back(r.error_code); }), 0u);
  EXPECT_EQ(shop.Request(static_cast<EtridOperation>(999), "", [&](const etrid::Result& r) { refusals.push_back(r.error_code); }), 0u);
  EXPECT_TRUE(refusals.empty()) << "not before the pump";
  shop.Pump();
  ASSERT_EQ(refusals.size(), 2u);
  EXPECT_EQ(refusals[0], "invalid_argument");
  EXPECT_EQ(refusals[1], "invalid_argument");
}

TEST(UnrealCore, DestroyingAClientWithRequestsInFlightRunsNoCallback) {
  int calls = 0;
  {
    etrid::Client shop = NewClient(Key(1, "invoice_key"));
    json::Value invoice = Ok(shop, ETRID_OPERATION_CREATE_INVOICE, "{\"amount_msat\":1000}");
    for (int i = 0; i < 4; i++) {
      shop.Request(ETRID_OPERATION_WAIT_FOR_PAYMENT, "{\"invoice_id\":\"" + invoice["id"].Str() + "\",\"timeout_ms\":60000}",
                   [&](const etrid::Result&) { calls++; });
    }
    etrid::Client moved = std::move(shop);  // a move keeps the requests with the new owner
    EXPECT_FALSE(shop.Valid());
    EXPECT_EQ(moved.Pending(), 4u);
  }
  EXPECT_EQ(calls, 0);
}

TEST(UnrealCore, TopLevelFieldsAreReadExactlyNestedOnesSkipped) {
  const std::string json =
      "{\"invoice\": {\"amount_msat\": 1}, \"id\":\"inv_\\\"x\", \"amount_msat\" : 18446744073709551615,"
      " \"note\":\"a \\\"amount_msat\\\": 5\", \"paid\":true, \"items\":[{\"id\":\"nested\"}], \"fee_msat\":null}";
  std::string text;
  uint64_t amount = 0;
  ASSERT_TRUE(etrid::TopLevelU64(json, "amount_msat", &amount));
  EXPECT_EQ(amount, UINT64_MAX) << "64 bits, exactly";
  ASSERT_TRUE(etrid::TopLevelField(json, "id", &text));
  EXPECT_EQ(text, "inv_\\\"x");
  ASSERT_TRUE(etrid::TopLevelField(json, "paid", &text));
  EXPECT_EQ(text, "true");
  ASSERT_TRUE(etrid::TopLevelField(json, "fee_msat", &text));
  EXPECT_EQ(text, "null");
  EXPECT_FALSE(etrid::TopLevelU64(json, "fee_msat", &amount));
  EXPECT_FALSE(etrid::TopLevelField(json, "items", &text)) << "arrays are not values here";
  ASSERT_TRUE(etrid::TopLevelValue(json, "items", &text));
  EXPECT_EQ(text, "[{\"id\":\"nested\"}]");
  ASSERT_TRUE(etrid::TopLevelValue(json, "invoice", &text));
  EXPECT_EQ(text, "{\"amount_msat\": 1}");
  EXPECT_FALSE(etrid::TopLevelField(json, "missing", &text));
  EXPECT_FALSE(etrid::TopLevelU64("{\"a\":18446744073709551616}", "a", &amount)) << "overflow refused";
}

TEST(UnrealCore, BadConfigurationAndQrCodesAreTypedNeverACrash) {
  etrid::Error error;
  etrid::Client bad = etrid::Client::Create("{\"base_url\":\"ftp://x\",\"api_key\":\"k\",\"network\":\"regtest\"}", &error);
  EXPECT_FALSE(bad.Valid());
  EXPECT_EQ(error.code, "lsp_invalid_config");
  std::string code;
  EXPECT_EQ(bad.Request(ETRID_OPERATION_HEALTH, "", [&](const etrid::Result& r) { code = r.error_code; }), 0u);
  bad.Pump();
  EXPECT_EQ(code, "invalid_client");

  etrid::QrCode qr;
  ASSERT_TRUE(etrid::EncodeQr("lightning:lnbcrt1", &qr, &error));
  EXPECT_GE(qr.width, 21u);
  EXPECT_EQ(qr.modules.size(), static_cast<size_t>(qr.width) * qr.width);
  EXPECT_FALSE(etrid::EncodeQr(std::string(8000, 'x'), &qr, &error));
  EXPECT_EQ(error.code, "qr_data_too_long");
  EXPECT_FALSE(etrid::Version().empty());
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new FixtureEnvironment);
  return RUN_ALL_TESTS();
}
