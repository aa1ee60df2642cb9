// NUnit tests of the package's offline C# (Lightning.cs over NativeMethods.g.cs): decoding, QR
// codes and the C ABI's input checks. The same file runs in Unity's Test Runner and under Mono
// with Debian's NUnit (.ci/ffi.sh). Test names start with the scenario id (SCENARIOS.md).
//
// Scenario cases come from the shared files in tests/scenarios/ at the repository root (the
// directory in ETRID_SCENARIOS_DIR; without it these tests are ignored, never passed).

using System;
using System.Collections.Generic;
using System.IO;
using Etrid;
using Etrid.Native;
using NUnit.Framework;

namespace Etrid.Tests
{
    /// <summary>Decoding, QR codes and the C ABI's input checks through the package's C#.</summary>
    [TestFixture]
    public sealed class LightningTests
    {
        // ---- assertions ----

        static void True(bool condition, string what)
        {
            Assert.IsTrue(condition, "expected: " + what);
        }

        static void Equal<T>(T expected, T actual, string what)
        {
            Assert.AreEqual(expected, actual, what);
        }

        static string ThrowsCode(Action body)
        {
            try
            {
                body();
            }
            catch (EtridException e)
            {
                True(!string.IsNullOrEmpty(e.Message), "a message");
                return e.Code;
            }
            throw new Exception("expected an EtridException");
        }

        static void Throws<TException>(Action body) where TException : Exception
        {
            try
            {
                body();
            }
            catch (TException)
            {
                return;
            }
            throw new Exception("expected " + typeof(TException).Name);
        }

        // ---- scenario files ----

        /// <summary>The directory of the shared scenario files.</summary>
        static string ScenarioDir()
        {
            string dir = Environment.GetEnvironmentVariable("ETRID_SCENARIOS_DIR");
            // In the Unity Test Runner: set it to the repository's tests/scenarios to run these.
            if (string.IsNullOrEmpty(dir)) Assert.Ignore("ETRID_SCENARIOS_DIR is not set");
            return dir;
        }

        static Dictionary<string, object> Obj(object value)
        {
            return (Dictionary<string, object>)value;
        }

        static string Str(object value)
        {
            return (string)value;
        }

        static ulong U64(object value)
        {
            return ((JsonNumber)value).ToUInt64();
        }

        /// <summary>Reads scenario <paramref name="id"/>, checking it has cases.</summary>
        static Dictionary<string, object> LoadScenario(string file, string id)
        {
            var scenario = Obj(ScenarioJson.ReadFile(Path.Combine(ScenarioDir(), file)));
            Equal(id, Str(scenario["scenario"]), file);
            True(((List<object>)scenario["cases"]).Count > 0, file + " has cases");
            return scenario;
        }

        static Dictionary<string, object> CaseNamed(Dictionary<string, object> scenario, string name)
        {
            foreach (object c in (List<object>)scenario["cases"])
            {
                if (Str(Obj(c)["name"]) == name) return Obj(c);
            }
            throw new Exception("no case " + name);
        }

        /// <summary>
        /// Runs <paramref name="check"/> on every case, then fails listing every case that failed;
        /// returns how many ran (all, never zero).
        /// </summary>
        static int ForEveryCase(Dictionary<string, object> scenario, Action<Dictionary<string, object>> check)
        {
            var cases = (List<object>)scenario["cases"];
            var failures = new List<string>();
            foreach (object c in cases)
            {
                try
                {
                    check(Obj(c));
                }
                catch (Exception e)
                {
                    failures.Add(Str(Obj(c)["name"]) + ": " + e.Message);
                }
            }
            if (failures.Count > 0)
                throw new Exception(failures.Count + " of " + cases.Count + " cases failed:\n  " +
                    string.Join("\n  ", failures.ToArray()));
            True(cases.Count > 0, "cases ran");
            Console.WriteLine("  " + Str(scenario["scenario"]) + ": " + cases.Count + " cases passed");
            return cases.Count;
        }

        /// <summary>The specification's '1 cup coffee' invoice (2500u, expiry 60 s).</summary>
        static string Coffee
        {
            get { return Str(Obj(CaseNamed(S01, "coffee")["input"])["invoice"]); }
        }

        static Dictionary<string, object> s01;

        static Dictionary<string, object> S01
        {
            get { return s01 ?? (s01 = LoadScenario("s01_decode.json", "S01")); }
        }

        /// <summary>Decodes a decode_invoice case's invoice as its input says, through the wrapper.</summary>
        static string DecodeCase(Dictionary<string, object> c)
        {
            Equal("decode_invoice", Str(c["op"]), "op");
            var input = Obj(c["input"]);
            ulong now = U64(input["now"]);
            True(now != 0, "a case sets its clock (0 is the system clock here)");
            return Lightning.DecodeInvoiceJson(Str(input["invoice"]), Str(input["network"]), now, (bool)input["allow_expired"]);
        }

        // ---- tests ----

        [Test]
        public void S01_DecodeEveryValidInvoiceOfTheScenarioFile()
        {
            ForEveryCase(S01, c =>
            {
                object expected = Obj(c["expect"])["ok"];
                string json = DecodeCase(c);
                if (!ScenarioJson.DeepEquals(ScenarioJson.Parse(json), expected))
                    throw new Exception("decoded " + json + "\n  expected " + ScenarioJson.Dump(expected));
            });
        }

        [Test]
        public void S01_MainnetIsAnAliasOfBitcoin()
        {
            ulong signedAt = U64(Obj(CaseNamed(S01, "coffee")["input"])["now"]);
            Equal(Lightning.DecodeInvoiceJson(Coffee, "bitcoin", signedAt),
                Lightning.DecodeInvoiceJson(Coffee, "mainnet", signedAt), "the same invoice");
        }

        [Test]
        public void S01_ExpiredInvoiceNeedsAllowExpired()
        {
            ulong expiresAt = U64(Obj(Obj(CaseNamed(S01, "coffee")["expect"])["ok"])["expires_at"]);
            Equal("invoice_expired", ThrowsCode(() => Lightning.DecodeInvoiceJson(Coffee, "bitcoin")),
                "code");
            Equal("invoice_expired",
                ThrowsCode(() => Lightning.DecodeInvoiceJson(Coffee, "bitcoin", expiresAt)), "code");
            True(Lightning.DecodeInvoiceJson(Coffee, "bitcoin", expiresAt - 1).Contains("amount_msat"),
                "valid one second before");
            True(Lightning.DecodeInvoiceJson(Coffee, "bitcoin", 0, true).Contains("amount_msat"),
                "decoded with allowExpired");
        }

        [Test]
        public void S02_RejectEveryBadInvoiceOfTheScenarioFile()
        {
            var s02 = LoadScenario("s02_errors.json", "S02");
            ForEveryCase(s02, c =>
            {
                string code = ThrowsCode(() => DecodeCase(c));
                Equal(Str(Obj(c["expect"])["error"]), code, "code");
            });
        }

        // Without a QR decoder here, S03 checks each code's size and shape and its SVG, and that the
        // payload a scanner reads (per the file; read back by the Rust and Node runners) decodes to
        // the invoice.
        [Test]
        public void S03_QrCodeForEveryTextOfTheScenarioFile()
        {
            var s03 = LoadScenario("s03_qr.json", "S03");
            ForEveryCase(s03, c =>
            {
                Equal("qr", Str(c["op"]), "op");
                var input = Obj(c["input"]);
                var text = new System.Text.StringBuilder();
                for (ulong i = 0; i < U64(input["repeat"]); i++) text.Append(Str(input["text"]));
                var expect = Obj(c["expect"]);
                if (expect.ContainsKey("error"))
                {
                    Equal(Str(expect["error"]), ThrowsCode(() => Lightning.QrMatrix(text.ToString())), "matrix code");
                    Equal(Str(expect["error"]), ThrowsCode(() => Lightning.QrSvg(text.ToString())), "SVG code");
                    return;
                }
                var ok = Obj(expect["ok"]);
                QrCodeMatrix matrix = Lightning.QrMatrix(text.ToString());
                int w = matrix.Width;
                Equal((ulong)w, U64(ok["width"]), "width");
                Equal(w * w, matrix.Modules.Length, "modules");
                foreach (byte module in matrix.Modules) True(module <= 1, "0 or 1");
                True((w - 17) % 4 == 0, "width 17 + 4 * version");
                True(IsFinder(matrix, 0, 0) && IsFinder(matrix, w - 7, 0) && IsFinder(matrix, 0, w - 7),
                    "finder patterns in three corners");
                True(!IsFinder(matrix, w - 7, w - 7), "no finder pattern bottom-right");
                string svg = Lightning.QrSvg(text.ToString());
                string side = ((w + 8) * 8).ToString();
                True(svg.StartsWith("<?xml"), "an XML document");
                True(svg.Contains("width=\"" + side + "\" height=\"" + side + "\""), "an SVG of " + side + " units");
                if (ok["invoice"] != null)
                {
                    var invoice = Obj(ok["invoice"]);
                    string json = Lightning.DecodeInvoiceJson(Str(ok["payload"]), Str(invoice["network"]), U64(invoice["now"]));
                    Equal(Str(invoice["bolt11"]), Str(Obj(ScenarioJson.Parse(json))["bolt11"]), "bolt11");
                }
            });
        }

        /// <summary>Whether the 7x7 modules from (x0, y0) are a finder pattern: a dark ring, a
        /// light ring, a dark 3x3 centre.</summary>
        static bool IsFinder(QrCodeMatrix matrix, int x0, int y0)
        {
            for (int y = 0; y < 7; y++)
            {
                for (int x = 0; x < 7; x++)
                {
                    bool dark = Math.Max(Math.Abs(x - 3), Math.Abs(y - 3)) != 2;
                    if (matrix.IsDark(x0 + x, y0 + y) != dark) return false;
                }
            }
            return true;
        }

        [Test]
        public void S03_QrMatrixIsDeterministic()
        {
            Equal(Convert.ToBase64String(Lightning.QrMatrix(Coffee).Modules),
                Convert.ToBase64String(Lightning.QrMatrix(Coffee).Modules), "the same code");
        }

        [Test]
        public void Abi_Version()
        {
            True(Lightning.Version.Split('.').Length == 3, "major.minor.patch: " + Lightning.Version);
        }

        [Test]
        public unsafe void Abi_NullArgumentsAreInvalid()
        {
            byte[] text = Lightning.ToUtf8(Coffee, "text");
            byte[] network = Lightning.ToUtf8("bitcoin", "network");
            byte* json = null;
            EtridQrMatrix* matrix = null;
            fixed (byte* t = text)
            fixed (byte* n = network)
            {
                Equal(EtridStatus.InvalidArgument, NativeMethods.etrid_invoice_decode(null, n, 0, true, &json), "null bolt11");
                Equal("invalid_argument", Lightning.FromUtf8(NativeMethods.etrid_last_error_code()), "code");
                Equal(EtridStatus.InvalidArgument, NativeMethods.etrid_invoice_decode(t, null, 0, true, &json), "null network");
                Equal(EtridStatus.InvalidArgument, NativeMethods.etrid_invoice_decode(t, n, 0, true, null), "null out_json");
                Equal(EtridStatus.InvalidArgument, NativeMethods.etrid_qr_svg(null, &json), "null text");
                Equal(EtridStatus.InvalidArgument, NativeMethods.etrid_qr_svg(t, null), "null out_svg");
                Equal(EtridStatus.InvalidArgument, NativeMethods.etrid_qr_matrix(null, &matrix), "null text");
                Equal(EtridStatus.InvalidArgument, NativeMethods.etrid_qr_matrix(t, null), "null out");
            }
            True(json == null && matrix == null, "out-pointers stay null");
            NativeMethods.etrid_string_free(null);
            NativeMethods.etrid_qr_matrix_free(null);
        }

        [Test]
        public unsafe void Abi_InvalidUtf8AndUnknownNetworkAreInvalid()
        {
            byte[] badUtf8 = { (byte)'l', (byte)'n', 0xc3, 0x28, 0 };
            byte[] network = Lightning.ToUtf8("bitcoin", "network");
            byte* json = null;
            fixed (byte* bad = badUtf8)
            fixed (byte* n = network)
            {
                Equal(EtridStatus.InvalidArgument, NativeMethods.etrid_invoice_decode(bad, n, 0, true, &json), "bad bolt11");
                True(Lightning.FromUtf8(NativeMethods.etrid_last_error_message()).Contains("UTF-8"), "message names UTF-8");
                Equal(EtridStatus.InvalidArgument, NativeMethods.etrid_qr_svg(bad, &json), "bad text");
            }
            True(json == null, "out-pointer stays null");
            Equal("invalid_argument", ThrowsCode(() => Lightning.DecodeInvoiceJson(Coffee, "liquid")), "unknown network");
        }

        [Test]
        public void Abi_WrapperRejectsNullAndNul()
        {
            Throws<ArgumentNullException>(() => Lightning.DecodeInvoiceJson(null, "bitcoin"));
            Throws<ArgumentNullException>(() => Lightning.QrSvg(null));
            Throws<ArgumentException>(() => Lightning.QrMatrix("a\0b"));
        }

        [Test]
        public void VoucherSheetsAreA4PagesOfTwelveCardsFromAnyListShape()
        {
            var vouchers = new System.Text.StringBuilder("[");
            for (int n = 0; n < 13; n++)
            {
                if (n > 0) vouchers.Append(',');
                vouchers.Append("{\"id\":\"vch_" + n + "\",\"batch_id\":\"vbt_1\",\"status\":\"active\",\"amount_msat\":21000000,"
                    + "\"min_withdrawable_msat\":21000000,\"reserved_msat\":31000000,\"description\":\"Cup prize\","
                    + "\"lnurl\":\"LNURL1DP68GURN8GHJ7MRWW4EXCTNXD9SHG6NPVCHXXMMD9AKXUATJDSKHQCTE8AEK2UMND9HKU0" + n + "\","
                    + "\"url\":\"https://lsp.example/v1/lnurlw/x\",\"expires_at\":1767225600,\"created_at\":1764547200,"
                    + "\"claimed_msat\":null,\"payment_id\":null,\"completed_at\":null}");
            }
            vouchers.Append(']');
            string[] pages = Lightning.VoucherSheetsSvg("{\"id\":\"vbt_1\",\"vouchers\":" + vouchers + "}");
            Assert.AreEqual(2, pages.Length, "13 cards: a full page and one more");
            foreach (string page in pages)
            {
                StringAssert.Contains("<svg", page);
                StringAssert.Contains("297mm", page);
            }
            Assert.AreEqual(0, Lightning.VoucherSheetsSvg("{\"items\":[]}").Length, "no vouchers, no pages");
            Assert.AreEqual("invalid_argument", ThrowsCode(() => Lightning.VoucherSheetsSvg("{oops")));
            Assert.AreEqual("invalid_argument", ThrowsCode(() => Lightning.VoucherSheetsSvg("{\"batch\":[]}")));
            Throws<ArgumentNullException>(() => Lightning.VoucherSheetsSvg(null));
        }
    }
}
