// C++17 tests of the C ABI (ffi/include/etrid.h) as the Unreal plugin's engine-independent layer
// uses it: status codes, last errors, UTF-8 strings, and freeing everything Rust allocates (run
// under valgrind by .ci/ffi.sh). Test names start with the scenario id (docs: SCENARIOS.md).

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "etrid.h"

namespace {

// BOLT11 spec examples (11-payment-encoding.md), all signed at 1496314658.
constexpr uint64_t kSignedAt = 1496314658;
// "Please make a donation of any amount ... for a cup of coffee": 2500u, "1 cup coffee", 60 s.
const char* const kCoffee =
    "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqq"
    "qsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fk"
    "pmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh";
// "a cup of nonsense (ナンセンス 1杯)": a UTF-8 description.
const char* const kNonsense =
    "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqq"
    "qsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpu9qrsgqhtjpauu9ur7fw2"
    "thcl4y9vfvh4m9wlfyz2gem29g5ghe2aak2pm3ps8fdhtceqsaagty2vph7utlgj48u0ged6a337aewvraedendscp573d"
    "xr";
// Invalid examples from the spec.
const char* const kBadChecksum =
    "lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe"
    "78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45"
    "tftc9c5fh0nnqpnl2jfll544esqchsrnt";
const char* const kMixedCase =
    "LNBC2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe"
    "78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45"
    "tftc9c5fh0nnqpnl2jfll544esqchsrny";
const char* const kTooShort =
    "lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kget"
    "jypeh2ursdae8g6na6hlh";

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
std::string RejectCode(const char* text, const char* network) {
  char* raw = reinterpret_cast<char*>(0x1);  // must be reset to null by the call
  EtridStatus status = etrid_invoice_decode(text, network, kSignedAt, true, &raw);
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

TEST(EtridFfi, S01_DecodeValidInvoice) {
  EtridStatus status;
  std::string json = Decode(kCoffee, "bitcoin", kSignedAt, false, &status);
  ASSERT_EQ(status, ETRID_STATUS_OK) << LastCode();
  EXPECT_EQ(etrid_last_error_code(), nullptr);
  EXPECT_NE(json.find("\"amount_msat\":250000000"), std::string::npos) << json;
  EXPECT_NE(json.find("\"0001020304050607080900010203040506070809000102030405060708090102\""),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad\""),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"description\":\"1 cup coffee\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"payment_secret\":\"" + std::string(64, '1') + "\""), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"timestamp\":1496314658"), std::string::npos) << json;
  EXPECT_NE(json.find("\"expiry_secs\":60"), std::string::npos) << json;
  EXPECT_NE(json.find("\"min_final_cltv_expiry_delta\":18"), std::string::npos) << json;
  EXPECT_NE(json.find("\"network\":\"bitcoin\""), std::string::npos) << json;
}

TEST(EtridFfi, S01_DecodeUtf8Description) {
  EtridStatus status;
  std::string json = Decode(kNonsense, "mainnet", kSignedAt, false, &status);
  ASSERT_EQ(status, ETRID_STATUS_OK) << LastCode();
  EXPECT_NE(json.find("ナンセンス 1杯"), std::string::npos) << json;
}

TEST(EtridFfi, S01_ExpiryUsesTheClock) {
  EtridStatus status;
  // The examples are from 2017: by the system clock (0) they have long expired.
  std::string json = Decode(kCoffee, "bitcoin", 0, false, &status);
  EXPECT_EQ(status, ETRID_STATUS_ERROR);
  EXPECT_EQ(LastCode(), "invoice_expired");
  EXPECT_TRUE(json.empty());
  // Sixty seconds after signing it has expired too; one second before that it has not.
  Decode(kCoffee, "bitcoin", kSignedAt + 61, false, &status);
  EXPECT_EQ(status, ETRID_STATUS_ERROR);
  EXPECT_EQ(LastCode(), "invoice_expired");
  Decode(kCoffee, "bitcoin", kSignedAt + 59, false, &status);
  EXPECT_EQ(status, ETRID_STATUS_OK) << LastCode();
  // allow_expired decodes it anyway.
  json = Decode(kCoffee, "bitcoin", 0, true, &status);
  EXPECT_EQ(status, ETRID_STATUS_OK) << LastCode();
  EXPECT_FALSE(json.empty());
}

TEST(EtridFfi, S02_RejectsBadInvoices) {
  std::string checksum = RejectCode(kBadChecksum, "bitcoin");
  std::string mixed = RejectCode(kMixedCase, "bitcoin");
  std::string network = RejectCode(kCoffee, "testnet");
  std::string too_short = RejectCode(kTooShort, "bitcoin");
  EXPECT_EQ(checksum, "invoice_bad_encoding");
  EXPECT_EQ(mixed, "invoice_mixed_case");
  EXPECT_EQ(network, "invoice_wrong_network");
  EXPECT_EQ(too_short, "invoice_too_short");
  const std::set<std::string> codes{checksum, mixed, network, too_short};
  EXPECT_EQ(codes.size(), 4u) << checksum << " " << mixed << " " << network << " " << too_short;
  for (const std::string& code : codes) {
    EXPECT_EQ(code.rfind("invoice_", 0), 0u) << code;
  }
}

TEST(EtridFfi, S03_QrMatrix) {
  EtridQrMatrix* raw = nullptr;
  ASSERT_EQ(etrid_qr_matrix(kCoffee, &raw), ETRID_STATUS_OK) << LastCode();
  OwnedMatrix matrix(raw);
  ASSERT_NE(matrix, nullptr);
  ASSERT_GE(matrix->width, 21u);
  EXPECT_EQ(static_cast<size_t>(matrix->width) * matrix->width, matrix->len);
  ASSERT_NE(matrix->modules, nullptr);
  for (size_t i = 0; i < matrix->len; ++i) {
    ASSERT_LE(matrix->modules[i], 1u) << i;
  }
  // The three finder patterns: dark 7x7 corners at top-left, top-right and bottom-left.
  const uint32_t w = matrix->width;
  EXPECT_EQ(matrix->modules[0], 1u);
  EXPECT_EQ(matrix->modules[w - 1], 1u);
  EXPECT_EQ(matrix->modules[(w - 1) * w], 1u);
  EXPECT_EQ(matrix->modules[(w - 1) * w + (w - 1)], 0u) << "no finder bottom-right";

  char* svg_raw = nullptr;
  ASSERT_EQ(etrid_qr_svg(kCoffee, &svg_raw), ETRID_STATUS_OK) << LastCode();
  OwnedString svg(svg_raw);
  EXPECT_EQ(std::string(svg.get()).rfind("<?xml", 0), 0u);
  EXPECT_NE(std::string(svg.get()).find("<svg"), std::string::npos);
}

TEST(EtridFfi, S03_TextTooLongForQr) {
  std::string text(8000, 'x');
  EtridQrMatrix* raw = nullptr;
  EXPECT_EQ(etrid_qr_matrix(text.c_str(), &raw), ETRID_STATUS_ERROR);
  EXPECT_EQ(raw, nullptr);
  EXPECT_EQ(LastCode().rfind("qr_", 0), 0u) << LastCode();
}

TEST(EtridFfi, NullArgumentsAreInvalid) {
  char* out = nullptr;
  EtridQrMatrix* matrix = nullptr;
  EXPECT_EQ(etrid_invoice_decode(nullptr, "bitcoin", 0, true, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(LastCode(), "invalid_argument");
  EXPECT_NE(std::string(etrid_last_error_message()).find("bolt11"), std::string::npos);
  EXPECT_EQ(etrid_invoice_decode(kCoffee, nullptr, 0, true, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_invoice_decode(kCoffee, "bitcoin", 0, true, nullptr),
            ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_svg(nullptr, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_svg(kCoffee, nullptr), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_matrix(nullptr, &matrix), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_matrix(kCoffee, nullptr), ETRID_STATUS_INVALID_ARGUMENT);
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
  EXPECT_EQ(etrid_invoice_decode(kCoffee, bad_utf8, 0, true, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_svg(bad_utf8, &out), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_qr_matrix(bad_utf8, &matrix), ETRID_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(etrid_invoice_decode(kCoffee, "liquid", 0, true, &out), ETRID_STATUS_INVALID_ARGUMENT);
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
