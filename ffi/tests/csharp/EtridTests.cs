// Mono tests of the C# binding (Etrid.cs over NativeMethods.g.cs) as the Unity package uses it.
// A tiny runner: one line per test, then "N passed, M failed"; the exit code is non-zero on any
// failure. Test names start with the scenario id (SCENARIOS.md).
//
// Build and run (see .ci/ffi.sh):
//   mcs -unsafe -out:EtridTests.exe EtridTests.cs ../../csharp/Etrid.cs ../../csharp/NativeMethods.g.cs
//   LD_LIBRARY_PATH=<dir of libetrid_ffi.so> mono EtridTests.exe

using System;
using System.Collections.Generic;
using Etrid;
using Etrid.Native;

namespace Etrid.Tests
{
    internal static class EtridTests
    {
        // BOLT11 spec examples (11-payment-encoding.md), all signed at 1496314658.
        const ulong SignedAt = 1496314658;
        const string Coffee =
            "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqq" +
            "qsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fk" +
            "pmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh";
        const string Nonsense =
            "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqq" +
            "qsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpu9qrsgqhtjpauu9ur7fw2" +
            "thcl4y9vfvh4m9wlfyz2gem29g5ghe2aak2pm3ps8fdhtceqsaagty2vph7utlgj48u0ged6a337aewvraedendscp573d" +
            "xr";
        const string BadChecksum =
            "lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe" +
            "78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45" +
            "tftc9c5fh0nnqpnl2jfll544esqchsrnt";
        const string MixedCase =
            "LNBC2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe" +
            "78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45" +
            "tftc9c5fh0nnqpnl2jfll544esqchsrny";
        const string TooShort =
            "lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kget" +
            "jypeh2ursdae8g6na6hlh";

        static int Main()
        {
            var tests = new List<KeyValuePair<string, Action>>
            {
                Test("S01_DecodeValidInvoice", S01_DecodeValidInvoice),
                Test("S01_DecodeUtf8Description", S01_DecodeUtf8Description),
                Test("S01_ExpiredInvoiceNeedsAllowExpired", S01_ExpiredInvoiceNeedsAllowExpired),
                Test("S02_RejectsBadInvoices", S02_RejectsBadInvoices),
                Test("S03_QrSvg", S03_QrSvg),
                Test("S03_QrMatrix", S03_QrMatrix),
                Test("S03_TextTooLongForQr", S03_TextTooLongForQr),
                Test("Abi_Version", Abi_Version),
                Test("Abi_NullArgumentsAreInvalid", Abi_NullArgumentsAreInvalid),
                Test("Abi_InvalidUtf8AndUnknownNetworkAreInvalid", Abi_InvalidUtf8AndUnknownNetworkAreInvalid),
                Test("Abi_WrapperRejectsNullAndNul", Abi_WrapperRejectsNullAndNul),
            };
            int passed = 0, failed = 0;
            foreach (var test in tests)
            {
                try
                {
                    test.Value();
                    passed++;
                    Console.WriteLine("PASS " + test.Key);
                }
                catch (Exception e)
                {
                    failed++;
                    Console.WriteLine("FAIL " + test.Key + ": " + e);
                }
            }
            Console.WriteLine(passed + " passed, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        }

        static KeyValuePair<string, Action> Test(string name, Action body)
        {
            return new KeyValuePair<string, Action>(name, body);
        }

        // ---- assertions ----

        static void True(bool condition, string what)
        {
            if (!condition) throw new Exception("expected: " + what);
        }

        static void Equal<T>(T expected, T actual, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new Exception(what + ": expected <" + expected + "> but was <" + actual + ">");
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

        // ---- tests ----

        static void S01_DecodeValidInvoice()
        {
            string json = Lightning.DecodeInvoiceJson(Coffee, "bitcoin", SignedAt, false);
            True(json.Contains("\"amount_msat\":250000000"), "amount in " + json);
            True(json.Contains("\"0001020304050607080900010203040506070809000102030405060708090102\""),
                "payment hash in " + json);
            True(json.Contains("\"03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad\""),
                "payee in " + json);
            True(json.Contains("\"description\":\"1 cup coffee\""), "description in " + json);
            True(json.Contains("\"expiry_secs\":60"), "expiry in " + json);
            True(json.Contains("\"min_final_cltv_expiry_delta\":18"), "cltv delta in " + json);
        }

        static void S01_DecodeUtf8Description()
        {
            string json = Lightning.DecodeInvoiceJson(Nonsense, "mainnet", SignedAt);
            True(json.Contains("ナンセンス 1杯"), "UTF-8 description in " + json);
        }

        static void S01_ExpiredInvoiceNeedsAllowExpired()
        {
            Equal("invoice_expired", ThrowsCode(() => Lightning.DecodeInvoiceJson(Coffee, "bitcoin")),
                "code");
            Equal("invoice_expired",
                ThrowsCode(() => Lightning.DecodeInvoiceJson(Coffee, "bitcoin", SignedAt + 61)), "code");
            True(Lightning.DecodeInvoiceJson(Coffee, "bitcoin", 0, true).Contains("amount_msat"),
                "decoded with allowExpired");
        }

        static void S02_RejectsBadInvoices()
        {
            string checksum = ThrowsCode(() => Lightning.DecodeInvoiceJson(BadChecksum, "bitcoin", SignedAt, true));
            string mixed = ThrowsCode(() => Lightning.DecodeInvoiceJson(MixedCase, "bitcoin", SignedAt, true));
            string network = ThrowsCode(() => Lightning.DecodeInvoiceJson(Coffee, "testnet", SignedAt, true));
            string tooShort = ThrowsCode(() => Lightning.DecodeInvoiceJson(TooShort, "bitcoin", SignedAt, true));
            Equal("invoice_bad_encoding", checksum, "bad checksum code");
            Equal("invoice_mixed_case", mixed, "mixed case code");
            Equal("invoice_wrong_network", network, "wrong network code");
            Equal("invoice_too_short", tooShort, "too short code");
            var codes = new HashSet<string> { checksum, mixed, network, tooShort };
            Equal(4, codes.Count, "distinct codes " + string.Join(", ", new List<string>(codes).ToArray()));
            foreach (string code in codes) True(code.StartsWith("invoice_"), code + " is an invoice code");
        }

        static void S03_QrSvg()
        {
            string svg = Lightning.QrSvg(Coffee);
            True(svg.StartsWith("<?xml"), "an XML document");
            True(svg.Contains("<svg"), "an svg element");
        }

        static void S03_QrMatrix()
        {
            QrCodeMatrix matrix = Lightning.QrMatrix(Coffee);
            int w = matrix.Width;
            True(w >= 21, "at least version 1");
            Equal(w * w, matrix.Modules.Length, "modules");
            foreach (byte module in matrix.Modules) True(module <= 1, "0 or 1");
            True(matrix.IsDark(0, 0) && matrix.IsDark(w - 1, 0) && matrix.IsDark(0, w - 1),
                "finder patterns in three corners");
            True(!matrix.IsDark(w - 1, w - 1), "no finder pattern bottom-right");
            // The same text gives the same code; Unicode text is encoded too.
            Equal(Convert.ToBase64String(matrix.Modules), Convert.ToBase64String(Lightning.QrMatrix(Coffee).Modules),
                "deterministic");
            True(Lightning.QrMatrix("ナンセンス 1杯").Width >= 21, "UTF-8 text");
        }

        static void S03_TextTooLongForQr()
        {
            string code = ThrowsCode(() => Lightning.QrMatrix(new string('x', 8000)));
            True(code.StartsWith("qr_"), code + " is a qr code");
        }

        static void Abi_Version()
        {
            True(Lightning.Version.Split('.').Length == 3, "major.minor.patch: " + Lightning.Version);
        }

        static unsafe void Abi_NullArgumentsAreInvalid()
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

        static unsafe void Abi_InvalidUtf8AndUnknownNetworkAreInvalid()
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

        static void Abi_WrapperRejectsNullAndNul()
        {
            Throws<ArgumentNullException>(() => Lightning.DecodeInvoiceJson(null, "bitcoin"));
            Throws<ArgumentNullException>(() => Lightning.QrSvg(null));
            Throws<ArgumentException>(() => Lightning.QrMatrix("a\0b"));
        }
    }
}
