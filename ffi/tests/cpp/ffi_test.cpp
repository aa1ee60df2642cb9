// C++17 tests of the C ABI (ffi/include/etrid.h) as the Unreal plugin's engine-independent layer
// uses it: status codes, last errors, UTF-8 strings, and freeing everything Rust allocates (run
// under valgrind by .ci/ffi.sh). Test names start with the scenario id (docs: SCENARIOS.md).

#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <set>
#include <string>

#include "etrid.h"
#include "scenario_json.hpp"

namespace {

namespace json = scenario_json;

// The shared scenario files: .ci/ffi.sh passes their directory; else found from this file.
std::string ScenarioPath(const std::string& file) {
#ifdef ETRID_SCENARIOS_DIR
  const std::string dir = ETRID_SCENARIOS_DIR;
#else
  const std::string here = __FILE__;
  const std::string dir = here.substr(0, here.find_last_of('/')) + "/../../../tests/scenarios";
#endif
  return dir + "/" + file;
}

// Reads scenario `id` from `file`, checking it is that scenario and has cases.
json::Value LoadScenario(const std::string& file, const std::string& id) {
  json::Value scenario = json::ReadFile(ScenarioPath(file));
  if (scenario["scenario"].Str() != id) throw std::runtime_error(file + " is not " + id);
  if (scenario["cases"].items.empty()) throw std::runtime_error(file + " has no cases");
  return scenario;
}

// The S01 case called `name`.
const json::Value& S01Case(const std::string& name) {
  static const json::Value s01 = LoadScenario("s01_decode.json", "S01");
  for (const json::Value& c : s01["cases"].items) {
    if (c["name"].Str() == name) return c;
  }
  throw std::runtime_error("no S01 case " + name);
}

// The specification's '1 cup coffee' invoice (2500u, expiry 60 s), and when it was signed.
const std::string& Coffee() { return S01Case("coffee")["input"]["invoice"].Str(); }
uint64_t SignedAt() { return S01Case("coffee")["input"]["now"].U64(); }

// Owners that hand Rust-allocated memory back to Rust.
struct StringFree {
  void operator()(char* text) const { etrid_string_free(text); }
};
using OwnedString = std::unique_ptr<char, StringFree>;
struct MatrixFree {
  void operator()(EtridQrMatrix* matrix) const { etrid_qr_matrix_free(matrix); }
};
using OwnedMatrix = std::unique_ptr<EtridQrMatrix, MatrixFree>;

std::string LastCode() {
  const char* code = etrid_last_error_code();
  return code == nullptr ? std::string() : std::string(code);
}

// Decodes `text`; on success returns the JSON, otherwise an empty string (status in *status).
std::string Decode(const char* text, const char* network, uint64_t now, bool allow_expired,
                   EtridStatus* status) {
  char* raw = nullptr;
  *status = etrid_invoice_decode(text, network, now, allow_expired, &raw);
  OwnedString json(raw);
  return json ? std::string(json.get()) : std::string();
}

// Decodes a bad invoice and returns its error code, checking the status and out-pointer.
std::string RejectCode(const char* text, const char* network, uint64_t now, bool allow_expired) {
  char* raw = reinterpret_cast<char*>(0x1);  // must be reset to null by the call
  EtridStatus status = etrid_invoice_decode(text, network, now, allow_expired, &raw);
  OwnedString json(raw);  // freed even if the call wrongly succeeded
  EXPECT_EQ(status, ETRID_STATUS_ERROR) << text;
  EXPECT_EQ(json, nullptr);
  EXPECT_NE(etrid_last_error_message(), nullptr);
  return LastCode();
}

TEST(EtridFfi, VersionIsStatic) {
  const char* version = etrid_version();
  ASSERT_NE(version, nullptr);
  EXPECT_STREQ(version, etrid_version());
  EXPECT_NE(std::string(version).find('.'), std::string::npos);
}

// The input of a decode_invoice case: text, network, clock, whether expired is accepted.
struct DecodeInput {
  std::string invoice;
  std::string network;
  uint64_t now;
  bool allow_expired;
};

DecodeInput InputOf(const json::Value& c) {
  const json::Value& in = c["input"];
  if (c["op"].Str() != "decode_invoice") throw std::runtime_error("unknown op " + c["op"].Str());
  DecodeInput input{in["invoice"].Str(), in["network"].Str(), in["now"].U64(),
                    in["allow_expired"].Bool()};
  // 0 would mean the system clock to the C ABI.
  if (input.now == 0) throw std::runtime_error("a case must set its clock");
  return input;
}

TEST(EtridFfi, S01_DecodeEveryValidInvoiceOfTheScenarioFile) {
  const json::Value s01 = LoadScenario("s01_decode.json", "S01");
  size_t passed = 0;
  for (const json::Value& c : s01["cases"].items) {
    SCOPED_TRACE(c["name"].Str());
    const DecodeInput in = InputOf(c);
    EtridStatus status;
    const std::string out =
        Decode(in.invoice.c_str(), in.network.c_str(), in.now, in.allow_expired, &status);
    if (status != ETRID_STATUS_OK) {
      ADD_FAILURE() << "refused with " << LastCode();
      continue;
    }
    EXPECT_EQ(etrid_last_error_code(), nullptr);
    // Every field, compared as JSON values (numbers by their digits).
    const json::Value& expected = c["expect"]["ok"];
    const json::Value decoded = json::Parse(out);
    if (decoded != expected) {
      ADD_FAILURE() << "decoded " << out << "\nexpected " << json::Dump(expected);
      continue;
    }
    ++passed;
  }
  EXPECT_GT(passed, 0u);
  EXPECT_EQ(passed, s01["cases"].items.size()) << "every case must pass";
  std::cout << "  S01: " << passed << " of " << s01["cases"].items.size() << " cases passed\n";
}

TEST(EtridFfi, S01_MainnetIsAnAliasOfBitcoin) {
  EtridStatus status;
  const std::string bitcoin = Decode(Coffee().c_str(), "bitcoin", SignedAt(), false, &status);
  ASSERT_EQ(status, ETRID_STATUS_OK) << LastCode();
  EXPECT_EQ(Decode(Coffee().c_str(), "mainnet", SignedAt(), false, &status), bitcoin);
  EXPECT_EQ(status, ETRID_STATUS_OK) << LastCode();
}

TEST(EtridFfi, S01_ExpiryUsesTheClock) {
  EtridStatus status;
  const char* coffee = Coffee().c_str();
  const uint64_t expires_at = S01Case("coffee")["expect"]["ok"]["expires_at"].U64();
  // The examples are from 2017: by the system clock (0) they have long expired.
  std::string json = Decode(coffee, "bitcoin", 0, false, &status);
  EXPECT_EQ(status, ETRID_STATUS_ERROR);
  EXPECT_EQ(LastCode(), "invoice_expired");
  EXPECT_TRUE(json.empty());
  // At its expiry time it has expired; one second before, it has not.
  Decode(coffee, "bitcoin", expires_at, false, &status);
  EXPECT_EQ(status, ETRID_STATUS_ERROR);
  EXPECT_EQ(LastCode(), "invoice_expired");
  Decode(coffee, "bitcoin", expires_at - 1, false, &status);
  EXPECT_EQ(status, ETRID_STATUS_OK) << LastCode();
  // allow_expired decodes it anyway.
  json = Decode(coffee, "bitcoin", 0, true, &status);
  EXPECT_EQ(status, ETRID_STATUS_OK) << LastCode();
  EXPECT_FALSE(json.empty());
}

TEST(EtridFfi, S02_RejectEveryBadInvoiceOfTheScenarioFile) {
  const json::Value s02 = LoadScenario("s02_errors.json", "S02");
  size_t passed = 0;
  std::set<std::string> codes;
  for (const json::Value& c : s02["cases"].items) {
    SCOPED_TRACE(c["name"].Str());
    const DecodeInput in = InputOf(c);
    const std::string expected = c["expect"]["error"].Str();
    const std::string code =
        RejectCode(in.invoice.c_str(), in.network.c_str(), in.now, in.allow_expired);
    EXPECT_EQ(code, expected);
    if (code == expected) ++passed;
    codes.insert(code);
  }
  EXPECT_GT(passed, 0u);
  EXPECT_EQ(passed, s02["cases"].items.size()) << "every case must pass";
  std::cout << "  S02: " << passed << " of " << s02["cases"].items.size() << " cases passed\n";
  for (const std::string& code : codes) {
    EXPECT_EQ(code.rfind("invoice_", 0), 0u) << code;
  }
}

// Whether the 7x7 modules from (x0, y0) are a finder pattern: a dark ring, a light ring, a dark
// 3x3 centre.
bool IsFinder(const EtridQrMatrix& matrix, uint32_t x0, uint32_t y0) {
  for (uint32_t y = 0; y < 7; ++y) {
    for (uint32_t x = 0; x < 7; ++x) {
      const uint32_t dx = x > 3 ? x - 3 : 3 - x;
      const uint32_t dy = y > 3 ? y - 3 : 3 - y;
      const bool dark = (dx > dy ? dx : dy) != 2;
      if ((matrix.modules[(y0 + y) * matrix.width + x0 + x] == 1) != dark) return false;
    }
  }
  return true;
}

// A QR module matrix has the shape of a QR code: 0/1 modules, width 17 + 4 * version, finder
// patterns in three corners and not in the fourth.
void ExpectQrShape(const EtridQrMatrix& matrix) {
  ASSERT_GE(matrix.width, 21u);
  EXPECT_EQ((matrix.width - 17) % 4, 0u);
  ASSERT_EQ(static_cast<size_t>(matrix.width) * matrix.width, matrix.len);
  ASSERT_NE(matrix.modules, nullptr);
  for (size_t i = 0; i < matrix.len; ++i) {
    ASSERT_LE(matrix.modules[i], 1u) << i;
  }
  const uint32_t last = matrix.width - 7;
  EXPECT_TRUE(IsFinder(matrix, 0, 0));
  EXPECT_TRUE(IsFinder(matrix, last, 0));
  EXPECT_TRUE(IsFinder(matrix, 0, last));
  EXPECT_FALSE(IsFinder(matrix, last, last)) << "no finder bottom-right";
}

// Without a QR decoder here, S03 checks each code's size and shape and its SVG, and that the
// payload a scanner reads (per the file; read back by the Rust and Node runners) decodes to the
// invoice.
TEST(EtridFfi, S03_QrCodeForEveryTextOfTheScenarioFile) {
  const json::Value s03 = LoadScenario("s03_qr.json", "S03");
  size_t passed = 0;
  for (const json::Value& c : s03["cases"].items) {
    SCOPED_TRACE(c["name"].Str());
    ASSERT_EQ(c["op"].Str(), "qr");
    std::string text;
    for (uint64_t i = 0; i < c["input"]["repeat"].U64(); ++i) text += c["input"]["text"].Str();
    const json::Value& expect = c["expect"];
    EtridQrMatrix* raw = nullptr;
    const EtridStatus status = etrid_qr_matrix(text.c_str(), &raw);
    OwnedMatrix matrix(raw);
    char* svg_raw = nullptr;
    const EtridStatus svg_status = etrid_qr_svg(text.c_str(), &svg_raw);
    OwnedString svg(svg_raw);
    if (expect.Has("error")) {
      EXPECT_EQ(status, ETRID_STATUS_ERROR);
      EXPECT_EQ(matrix, nullptr);
      EXPECT_EQ(svg_status, ETRID_STATUS_ERROR);
      EXPECT_EQ(LastCode(), expect["error"].Str());
      if (status == ETRID_STATUS_ERROR && LastCode() == expect["error"].Str()) ++passed;
      continue;
    }
    const json::Value& ok = expect["ok"];
    if (status != ETRID_STATUS_OK || svg_status != ETRID_STATUS_OK) {
      ADD_FAILURE() << "refused with " << LastCode();
      continue;
    }
    ExpectQrShape(*matrix);
    EXPECT_EQ(matrix->width, ok["width"].U64());
    const std::string document(svg.get());
    const std::string side = std::to_string((matrix->width + 8) * 8);
    EXPECT_EQ(document.rfind("<?xml", 0), 0u);
    EXPECT_NE(document.find("width=\"" + side + "\" height=\"" + side + "\""), std::string::npos);
    if (!ok["invoice"].IsNull()) {
      const json::Value& invoice = ok["invoice"];
      EtridStatus decoded_status;
      const std::string decoded =
          Decode(ok["payload"].Str().c_str(), invoice["network"].Str().c_str(),
                 invoice["now"].U64(), false, &decoded_status);
      ASSERT_EQ(decoded_status, ETRID_STATUS_OK) << LastCode();
      EXPECT_EQ(json::Parse(decoded)["bolt11"].Str(), invoice["bolt11"].Str());
    }
    if (!::testing::Test::HasFailure()) ++passed;
  }
  EXPECT_GT(passed, 0u);
  EXPECT_EQ(passed, s03["cases"].items.size()) << "every case must pass";
  std::cout << "  S03: " << passed << " of " << s03["cases"].items.size() << " cases passed\n";
}

// A voucher as the LSP answers it, with id `n`.
std::string VoucherJson(int n) {
  return "{\"id\":\"vch_" + std::to_string(n) +
         "\",\"batch_id\":\"vbt_1\",\"status\":\"active\",\"amount_msat\":21000000,\"min_withdrawable_msat\":21000000,"
         "\"reserved_msat\":31000000,\"description\":\"Cup prize <1st> & co\",\"lnurl\":\"LNURL1DP68GURN8GHJ7MRWW4EXCTNXD9SHG6NPVCHXXMMD9AKXUATJDSKHQCTE8AEK2UMND9HKU0"
         + std::to_string(n) + "\",\"url\":\"https://lsp.example/v1/lnurlw/x\",\"expires_at\":1767225600,\"created_at\":1764547200,"
         "\"claimed_msat\":null,\"payment_id\":null,\"completed_at\":null}";
}

TEST(EtridFfi, VoucherSheetsAreA4PagesOfTwelveCardsFromAnyListShape) {
  std::string list = "[";
  for (int n = 0; n < 13; n++) list += (n ? "," : "") + VoucherJson(n);
  list += "]";
  for (const std::string& shape : {list, "{\"id\":\"vbt_1\",\"vouchers\":" + list + "}", "{\"items\":" + list + ",\"next_cursor\":null}"}) {
    char* raw = nullptr;
    ASSERT_EQ(etrid_voucher_sheets_svg(shape.c_str(), &raw), ETRID_STATUS_OK) << LastCode();
    OwnedString pages(raw);
    json::Value parsed = json::Parse(raw);
    ASSERT_EQ(parsed.items.size(), 2u) << "13 cards: a full page and one more";
    for (const json::Value& page : parsed.items) {
      EXPECT_NE(page.Str().find("<svg"), std::string::npos);
      EXPECT_NE(page.Str().find("297mm"), std::string::npos) << "A4, sized in millimetres";
    }
    EXPECT_NE(parsed.items[0].Str().find("21000 sat"), std::string::npos) << parsed.items[0].Str().substr(0, 400);
    EXPECT_NE(parsed.items[0].Str().find("&lt;1st&gt; &amp; co"), std::string::npos) << "text is escaped";
  }
  char* out = nullptr;
  EXPECT_EQ(etrid_voucher_sheets_svg("{oops", &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(LastCode(), "invalid_argument");
  EXPECT_EQ(etrid_voucher_sheets_svg("{\"batch\":[]}", &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_voucher_sheets_svg("[{\"id\":1}]", &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_voucher_sheets_svg(nullptr, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  ASSERT_EQ(etrid_voucher_sheets_svg("[]", &out), ETRID_STATUS_OK);
  OwnedString none(out);
  EXPECT_STREQ(out, "[]") << "no vouchers, no pages";
}

TEST(EtridFfi, NullArgumentsAreInvalid) {
  char* out = nullptr;
  EtridQrMatrix* matrix = nullptr;
  EXPECT_EQ(etrid_invoice_decode(nullptr, "bitcoin", 0, true, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(LastCode(), "invalid_argument");
  EXPECT_NE(std::string(etrid_last_error_message()).find("bolt11"), std::string::npos);
  EXPECT_EQ(etrid_invoice_decode(Coffee().c_str(), nullptr, 0, true, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_invoice_decode(Coffee().c_str(), "bitcoin", 0, true, nullptr),
            ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_svg(nullptr, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_svg(Coffee().c_str(), nullptr), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_matrix(nullptr, &matrix), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_matrix(Coffee().c_str(), nullptr), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(LastCode(), "invalid_argument");
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(matrix, nullptr);
  // Freeing null is allowed.
  etrid_string_free(nullptr);
  etrid_qr_matrix_free(nullptr);
}

TEST(EtridFfi, InvalidUtf8AndUnknownNetworkAreInvalid) {
  const char bad_utf8[] = {'l', 'n', static_cast<char>(0xc3), static_cast<char>(0x28), '\0'};
  char* out = nullptr;
  EtridQrMatrix* matrix = nullptr;
  EXPECT_EQ(etrid_invoice_decode(bad_utf8, "bitcoin", 0, true, &out),
            ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(etrid_last_error_message()).find("UTF-8"), std::string::npos);
  EXPECT_EQ(etrid_invoice_decode(Coffee().c_str(), bad_utf8, 0, true, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_svg(bad_utf8, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_matrix(bad_utf8, &matrix), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_invoice_decode(Coffee().c_str(), "liquid", 0, true, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(LastCode(), "invalid_argument");
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(matrix, nullptr);
}

TEST(EtridFfi, SuccessClearsTheLastError) {
  char* out = nullptr;
  ASSERT_EQ(etrid_qr_svg(nullptr, &out), ETRID_STATUS_INVALID_ARGUMENT);
  ASSERT_NE(etrid_last_error_code(), nullptr);
  ASSERT_EQ(etrid_qr_svg("hello", &out), ETRID_STATUS_OK);
  OwnedString svg(out);
  EXPECT_EQ(etrid_last_error_code(), nullptr);
  EXPECT_EQ(etrid_last_error_message(), nullptr);
}

}  // namespace
