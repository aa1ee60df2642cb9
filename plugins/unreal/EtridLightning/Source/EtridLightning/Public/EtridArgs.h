// Arguments of the client's operations as the JSON the C ABI takes, built from typed values, and
// the items of a JSON array read back. Engine-independent (C++17, no exceptions, no RTTI), so it
// is tested here against a real LSP (plugins/unreal/tests/core_test.cpp); the Blueprint nodes in
// EtridAsyncActions.h only convert engine types and call these. Amounts are millisatoshis.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "EtridCore.h"

namespace etrid {
namespace args {

/// `text` as a JSON string literal: quotes, backslashes and control characters escaped, UTF-8
/// passed through unchanged.
inline std::string Quote(const std::string& text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

/// `{"<key>": "<id>"}`: the arguments of every operation on one resource (get, cancel, pay, …).
inline std::string Id(const std::string& key, const std::string& id) { return "{" + Quote(key) + ":" + Quote(id) + "}"; }

/// Where a prize or a stream's money goes (the API's `PayoutDestination`).
struct Destination {
  enum class Kind { LightningAddress, Account, Keysend, Voucher };
  Kind kind = Kind::LightningAddress;
  /// The address (`name@host`), the account id (`acc_…`) or the node id (hex); unused for a voucher.
  std::string value;

  static Destination LightningAddress(const std::string& address) { return {Kind::LightningAddress, address}; }
  static Destination Account(const std::string& account_id) { return {Kind::Account, account_id}; }
  static Destination Keysend(const std::string& node_id) { return {Kind::Keysend, node_id}; }
  static Destination Voucher() { return {Kind::Voucher, std::string()}; }

  std::string Json() const {
    switch (kind) {
      case Kind::Account: return "{\"type\":\"account\",\"account_id\":" + Quote(value) + "}";
      case Kind::Keysend: return "{\"type\":\"keysend\",\"node_id\":" + Quote(value) + "}";
      case Kind::Voucher: return "{\"type\":\"voucher\"}";
      case Kind::LightningAddress: break;
    }
    return "{\"type\":\"lightning_address\",\"address\":" + Quote(value) + "}";
  }
};

/// A tournament to create (the organizer's call, admin key).
struct TournamentSpec {
  std::string name;
  uint64_t entry_fee_msat = 0;
  uint32_t seats = 0;
  /// Prize share per rank in basis points, rank 1 first: never increasing, summing to 10,000.
  std::vector<uint32_t> payout_table_bps;
  uint32_t organizer_fee_bps = 0;
  /// Unix seconds: unfilled by then, every held entry is refunded.
  uint64_t join_deadline = 0;
  /// Players may join (and read the lobby) without a key.
  bool public_join = false;
};

/// Arguments of ETRID_OPERATION_CREATE_TOURNAMENT.
inline std::string CreateTournament(const TournamentSpec& spec) {
  std::string table;
  for (uint32_t bps : spec.payout_table_bps) table += (table.empty() ? "" : ",") + std::to_string(bps);
  return "{\"name\":" + Quote(spec.name) + ",\"entry_fee_msat\":" + std::to_string(spec.entry_fee_msat) +
         ",\"seats\":" + std::to_string(spec.seats) + ",\"payout_table_bps\":[" + table +
         "],\"organizer_fee_bps\":" + std::to_string(spec.organizer_fee_bps) +
         ",\"join_deadline\":" + std::to_string(spec.join_deadline) +
         ",\"public_join\":" + (spec.public_join ? "true" : "false") + "}";
}

/// Arguments of ETRID_OPERATION_JOIN_TOURNAMENT and ETRID_OPERATION_JOIN_PUBLIC_TOURNAMENT: the
/// player and where the prize goes.
inline std::string JoinTournament(const std::string& tournament_id, const std::string& player_id, const Destination& payout) {
  return "{\"tournament_id\":" + Quote(tournament_id) + ",\"player_id\":" + Quote(player_id) +
         ",\"payout\":" + payout.Json() + "}";
}

/// A player's final rank (standard competition ranking: 1, 1, 3, …).
struct Standing {
  std::string player_id;
  uint32_t rank = 0;
};

/// Arguments of ETRID_OPERATION_ENTER_TOURNAMENT_RESULTS.
inline std::string TournamentResults(const std::string& tournament_id, const std::vector<Standing>& standings) {
  std::string list;
  for (const Standing& s : standings) {
    list += (list.empty() ? "{" : ",{") + std::string("\"player_id\":") + Quote(s.player_id) +
            ",\"rank\":" + std::to_string(s.rank) + "}";
  }
  return "{\"tournament_id\":" + Quote(tournament_id) + ",\"standings\":[" + list + "]}";
}

/// Arguments of ETRID_OPERATION_CREATE_STREAM: pay `destination` `rate_msat_per_sec` while the
/// stream runs, never more than `budget_msat` in all; the same `idempotency_key` again answers the
/// same stream.
inline std::string CreateStream(const Destination& destination, uint64_t rate_msat_per_sec, uint64_t budget_msat,
                                const std::string& idempotency_key, const std::string& description = std::string()) {
  std::string out = "{\"destination\":" + destination.Json() + ",\"rate_msat_per_sec\":" + std::to_string(rate_msat_per_sec) +
                    ",\"budget_msat\":" + std::to_string(budget_msat) + ",\"idempotency_key\":" + Quote(idempotency_key);
  if (!description.empty()) out += ",\"description\":" + Quote(description);
  return out + "}";
}

}  // namespace args

/// The raw JSON of each item of the array at top-level `key` of `json` (e.g. a list's `items`);
/// false if there is no such array.
inline bool TopLevelArray(const std::string& json, const std::string& key, std::vector<std::string>* items) {
  std::string array;
  if (!TopLevelValue(json, key, &array) || array.size() < 2 || array[0] != '[') return false;
  items->clear();
  size_t at = 1;
  while (true) {
    while (at < array.size() && (array[at] == ' ' || array[at] == '\n' || array[at] == '\r' || array[at] == '\t' || array[at] == ',')) at++;
    if (at >= array.size() || array[at] == ']') return at < array.size();
    size_t end = JsonValueEnd(array, at);
    if (end == std::string::npos || end <= at) return false;
    items->push_back(array.substr(at, end - at));
    at = end;
  }
}

}  // namespace etrid
