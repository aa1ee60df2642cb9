// LightningClient (the C# the Unity package compiles) against a real LSP on the devnet: S10–S20
// with the scenario ids in the test names, events asserted to arrive on the thread that owns the
// SynchronizationContext the client was created on, in order, across a reconnect; cancellation,
// Dispose with requests in flight, and bad input at the boundary. The same file runs in Unity's
// Test Runner (with ETRID_LSP_FIXTURE set) and under Mono with Debian's NUnit (.ci/ffi.sh).

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;

namespace Etrid.Tests
{
    /// <summary>The LSP client scenarios, through the package's C#.</summary>
    [TestFixture]
    public sealed class LightningClientTests
    {
        static DevnetLsp Lsp { get { return DevnetLsp.Instance; } }

        static LightningClient NewClient(int account, string scope)
        {
            return new LightningClient(Lsp.Api, Lsp.Key(account, scope), "regtest");
        }

        static Dictionary<string, object> Obj(string json)
        {
            return LightningJson.ParseObject(json);
        }

        static Dictionary<string, object> Obj(object value)
        {
            return (Dictionary<string, object>)value;
        }

        static ulong U64(object value)
        {
            return ((JsonNumber)value).ToUInt64();
        }

        static ulong Available(LightningClient admin)
        {
            return U64(Obj(admin.BalanceAsync().Result)["available_msat"]);
        }

        /// <summary>The LspException <paramref name="task"/> fails with.</summary>
        static LspException Failure(Task task)
        {
            try
            {
                task.Wait();
            }
            catch (AggregateException e)
            {
                var lsp = e.InnerException as LspException;
                if (lsp != null) return lsp;
                throw;
            }
            Assert.Fail("the task did not fail");
            return null;
        }

        /// <summary>Polls the payment until it is final.</summary>
        static Dictionary<string, object> FinalPayment(LightningClient admin, Dictionary<string, object> payment)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((string)payment["status"] == "pending" && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
                payment = Obj(admin.GetPaymentAsync((string)payment["id"]).Result);
            }
            return payment;
        }

        /// <summary>Waits until <paramref name="done"/> holds (checked under <paramref name="gate"/>), at most <paramref name="seconds"/>.</summary>
        static void Eventually(object gate, Func<bool> done, int seconds, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(seconds);
            while (DateTime.UtcNow < deadline)
            {
                lock (gate) if (done()) return;
                Thread.Sleep(20);
            }
            Assert.Fail("timed out waiting for " + what);
        }

        /// <summary>The id of the account's newest event (0 when none).</summary>
        static ulong LastEventId(LightningClient client)
        {
            var items = (List<object>)Obj(client.ListEventsAsync("{\"limit\":1000}").Result)["items"];
            return items.Count == 0 ? 0 : U64(Obj(items[items.Count - 1])["id"]);
        }

        static string Hex(byte[] bytes)
        {
            return BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant();
        }

        /// <summary>The LSP's outbound capacity per channel, keyed by counterparty and channel id.</summary>
        /// <summary>How many channels of <paramref name="from"/> changed as <paramref name="moved"/> says in <paramref name="to"/>.</summary>
        static int Moved(Dictionary<string, ulong> from, Dictionary<string, ulong> to, Func<ulong, ulong, bool> moved)
        {
            return from.Count(c => to.ContainsKey(c.Key) && moved(c.Value, to[c.Key]));
        }

        /// <summary>The channels once two of them moved from <paramref name="from"/> (settling takes a moment), or after 15 s.</summary>
        static Dictionary<string, ulong> ChannelsMoved(LightningClient admin, Dictionary<string, ulong> from, Func<ulong, ulong, bool> moved)
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (true)
            {
                var now = Outbound(admin);
                if (Moved(from, now, moved) >= 2 || DateTime.UtcNow >= deadline) return now;
                Thread.Sleep(100);
            }
        }

        static Dictionary<string, ulong> Outbound(LightningClient admin)
        {
            var channels = new Dictionary<string, ulong>();
            foreach (Dictionary<string, object> channel in (List<object>)Obj(admin.ListChannelsAsync().Result)["items"])
            {
                channels[(string)channel["counterparty_node_id"] + "/" + channel["channel_id"]] = U64(channel["outbound_capacity_msat"]);
            }
            return channels;
        }

        [Test]
        public void Abi_OperationValuesMatchTheHeader()
        {
            string headerPath = Environment.GetEnvironmentVariable("ETRID_HEADER");
            if (string.IsNullOrEmpty(headerPath)) Assert.Ignore("ETRID_HEADER is not set (the path of ffi/include/etrid.h)");
            string header = File.ReadAllText(headerPath);
            foreach (Operation op in Enum.GetValues(typeof(Operation)))
            {
                var name = new StringBuilder("ETRID_OPERATION_");
                foreach (char c in op.ToString())
                {
                    if (char.IsUpper(c) && name.Length > "ETRID_OPERATION_".Length) name.Append('_');
                    name.Append(char.ToUpperInvariant(c));
                }
                StringAssert.Contains(name + " = " + (int)op + ",", header);
            }
            int declared = header.Split('\n').Count(line => line.TrimStart().StartsWith("ETRID_OPERATION_", StringComparison.Ordinal));
            Assert.AreEqual(Enum.GetValues(typeof(Operation)).Length, declared, "operations in etrid.h");
        }

        [Test]
        public void S10_InvoicePaidArrivesOnTheMainThreadCreditedOnce()
        {
            using (var main = new MainThread())
            using (var admin = NewClient(1, "admin_key"))
            {
                ulong before = Available(admin);
                var heard = new List<KeyValuePair<int, LightningEvent>>();
                var shop = main.Run(() =>
                {
                    var client = NewClient(1, "invoice_key");
                    client.InvoicePaid += e => { lock (heard) heard.Add(new KeyValuePair<int, LightningEvent>(Thread.CurrentThread.ManagedThreadId, e)); };
                    client.StartEvents();
                    return client;
                });
                using (shop)
                {
                    var invoice = Obj(shop.CreateInvoiceAsync(21000, "S10 potion", "cs-s10-" + DateTime.UtcNow.Ticks).Result);
                    Assert.AreEqual("open", invoice["status"]);
                    string id = (string)invoice["id"];
                    var waiting = shop.WaitForPaymentAsync(id, 60000);
                    Assert.AreEqual("succeeded", Lsp.WalletPays((string)invoice["bolt11"]), "the wallet paid");
                    Assert.AreEqual("paid", Obj(waiting.Result)["status"], "wait outcome");
                    Eventually(heard, () => heard.Any(h => h.Value.ObjectId == id), 10, "invoice.paid");
                    Thread.Sleep(300); // a second event for the same invoice would arrive by now
                    lock (heard)
                    {
                        var paid = heard.Where(h => h.Value.ObjectId == id).ToList();
                        Assert.AreEqual(1, paid.Count, "invoice.paid events for the invoice");
                        Assert.AreEqual("invoice.paid", paid[0].Value.Type);
                        Assert.AreEqual(21000UL, paid[0].Value.AmountMsat);
                        Assert.AreEqual(invoice["external_id"], paid[0].Value.ExternalId);
                        Assert.IsTrue(heard.All(h => h.Key == main.ThreadId), "every event on the main thread");
                    }
                    Assert.AreEqual(21000UL, Available(admin) - before, "credited exactly once");
                }
            }
        }

        [Test]
        public void S11_TheSameExternalIdReturnsTheSameInvoice()
        {
            using (var shop = NewClient(1, "invoice_key"))
            {
                string order = "cs-order-" + DateTime.UtcNow.Ticks;
                var first = Obj(shop.CreateInvoiceAsync(3000, "S11", order).Result);
                var second = Obj(shop.CreateInvoiceAsync(3000, "S11", order).Result);
                Assert.AreEqual(first["id"], second["id"], "same invoice");
                Assert.AreEqual(first["bolt11"], second["bolt11"], "same bolt11");
            }
        }

        [Test]
        public void S12_AnExpiringInvoiceIsReportedExpiredNotAHang()
        {
            using (var shop = NewClient(1, "invoice_key"))
            {
                var invoice = Obj(shop.CreateInvoiceAsync("{\"amount_msat\":1000,\"expiry_secs\":2}").Result);
                var outcome = shop.WaitForPaymentAsync((string)invoice["id"]);
                Assert.IsTrue(outcome.Wait(TimeSpan.FromSeconds(30)), "the wait ended");
                Assert.AreEqual("expired", Obj(outcome.Result)["status"], "outcome");
            }
        }

        [Test]
        public void S13_AnAdminKeyPaysAnExternalInvoiceDebitedOnce()
        {
            using (var admin = NewClient(0, "admin_key"))
            {
                ulong before = Available(admin);
                string bolt11 = Lsp.WalletInvoice(1500000);
                string key = "cs-s13-" + DateTime.UtcNow.Ticks;
                var payment = FinalPayment(admin, Obj(admin.PayInvoiceAsync(bolt11, key).Result));
                Assert.AreEqual("succeeded", payment["status"], "payment status");
                byte[] preimage = Enumerable.Range(0, 32).Select(i => Convert.ToByte(((string)payment["preimage"]).Substring(i * 2, 2), 16)).ToArray();
                using (var sha = SHA256.Create())
                    Assert.AreEqual(payment["payment_hash"], Hex(sha.ComputeHash(preimage)), "the preimage opens the hash");
                var again = Obj(admin.PayInvoiceAsync(bolt11, key).Result);
                Assert.AreEqual(payment["id"], again["id"], "the same idempotency key pays nothing more");
                Assert.AreEqual(1500000UL + U64(payment["fee_msat"]), before - Available(admin), "debited once");
            }
        }

        [Test]
        public void S14_MultiPathPaysMoreThanTheLargestChannelInParts()
        {
            const ulong amount = 300000000;
            using (var admin = NewClient(0, "admin_key"))
            using (var shop = NewClient(0, "invoice_key"))
            {
                // Receive it first: alice pays the LSP more than one path carries.
                var start = Outbound(admin);
                var incoming = Obj(shop.CreateInvoiceAsync(amount, "S14 prize pool").Result);
                Assert.AreEqual("succeeded", Lsp.WalletPays((string)incoming["bolt11"]), "received");
                Assert.AreEqual("paid", Obj(shop.WaitForPaymentAsync((string)incoming["id"], 30000).Result)["status"]);
                // The reference server does not report parts (API.md); the channels show them.
                var mid = ChannelsMoved(admin, start, (before, now) => now > before);
                Assert.GreaterOrEqual(Moved(start, mid, (before, now) => now > before), 2, "two or more channels carried a part in");
                var liquidity = Obj(admin.LiquidityAsync().Result);
                Assert.Less(U64(liquidity["largest_outbound_msat"]), amount, "one channel cannot carry it");

                ulong available = Available(admin);
                string bolt11 = Lsp.WalletInvoice(amount);
                var sent = Obj(admin.PayInvoiceAsync("{\"bolt11\":" + LightningJson.Quote(bolt11) + ",\"idempotency_key\":\"cs-s14-"
                    + DateTime.UtcNow.Ticks + "\",\"max_parts\":8}").Result);
                var done = FinalPayment(admin, sent);
                Assert.AreEqual("succeeded", done["status"], LightningJson.Write(done));
                var end = ChannelsMoved(admin, mid, (before, now) => now < before);
                Assert.GreaterOrEqual(Moved(mid, end, (before, now) => now < before), 2, "two or more channels carried a part out");
                Assert.AreEqual(amount + U64(done["fee_msat"]), available - Available(admin), "debited once");
            }
        }

        [Test]
        public void S15_HoldInvoiceSettledWithThePreimageOrCancelledAndRefunded()
        {
            using (var admin = NewClient(1, "admin_key"))
            {
                ulong before = Available(admin);
                var random = RandomNumberGenerator.Create();
                var preimage = new byte[32];
                random.GetBytes(preimage);
                string hash;
                using (var sha = SHA256.Create()) hash = Hex(sha.ComputeHash(preimage));
                var held = Obj(admin.CreateHoldInvoiceAsync("{\"payment_hash\":\"" + hash + "\",\"amount_msat\":4000000}").Result);
                Assert.AreEqual("hold", held["kind"]);
                var paying = Task.Run(() => Lsp.WalletPays((string)held["bolt11"]));
                Assert.AreEqual("accepted", Obj(admin.WaitForPaymentAsync((string)held["id"], 60000).Result)["status"]);
                Assert.AreEqual("paid", Obj(admin.SettleHoldInvoiceAsync((string)held["id"], Hex(preimage)).Result)["status"]);
                Assert.AreEqual("succeeded", paying.Result, "the payer's payment succeeded");
                Assert.AreEqual(4000000UL, Available(admin) - before, "credited once");

                var other = new byte[32];
                random.GetBytes(other);
                var refused = Obj(admin.CreateHoldInvoiceAsync("{\"payment_hash\":\"" + Hex(other) + "\",\"amount_msat\":2000000}").Result);
                var payingAgain = Task.Run(() => Lsp.WalletPays((string)refused["bolt11"]));
                Assert.AreEqual("accepted", Obj(admin.WaitForPaymentAsync((string)refused["id"], 60000).Result)["status"]);
                Assert.AreEqual("cancelled", Obj(admin.CancelHoldInvoiceAsync((string)refused["id"]).Result)["status"]);
                Assert.AreEqual("failed", payingAgain.Result, "the payer's HTLC came back");
                Assert.AreEqual(4000000UL, Available(admin) - before, "nothing more credited");
            }
        }

        [Test]
        public void S16_KeysendArrivesWithItsCustomRecords()
        {
            using (var admin = NewClient(0, "admin_key"))
            {
                string records = "[{\"type\":65537,\"value\":\"68656c6c6f\"},{\"type\":696969,\"value\":\"0102ff\"}]";
                var sent = Obj(admin.KeysendAsync("{\"destination\":\"" + Lsp.NodeId("alice") + "\",\"amount_msat\":7000000,\"custom_records\":"
                    + records + ",\"idempotency_key\":\"cs-s16-" + DateTime.UtcNow.Ticks + "\"}").Result);
                var done = FinalPayment(admin, sent);
                Assert.AreEqual("succeeded", done["status"]);
                Assert.AreEqual("keysend", done["kind"]);
                Assert.IsTrue(ScenarioJson.DeepEquals(LightningJson.Parse(records), done["custom_records"]), LightningJson.Write(done["custom_records"]));
                // A record in the keysend preimage's type is refused before sending.
                var bad = Failure(admin.KeysendAsync("{\"destination\":\"" + Lsp.NodeId("alice")
                    + "\",\"amount_msat\":1000,\"custom_records\":[{\"type\":5482373484,\"value\":\"00\"}],\"idempotency_key\":\"cs-s16-bad\"}"));
                Assert.AreEqual("lsp_invalid_request", bad.Code);
            }
        }

        [Test]
        public void S17_AnInvoiceKeyCannotPayManageKeysOrReadOtherAccounts()
        {
            using (var mine = NewClient(2, "invoice_key"))
            using (var mineAdmin = NewClient(2, "admin_key"))
            using (var theirs = NewClient(1, "invoice_key"))
            {
                Assert.AreEqual("lsp_forbidden_scope", Failure(mine.PayInvoiceAsync(Lsp.WalletInvoice(1000), "cs-s17")).Code);
                Assert.AreEqual("lsp_forbidden_scope", Failure(mine.CreateApiKeyAsync("{\"scope\":\"admin\",\"label\":\"s17\"}")).Code);
                Assert.AreEqual("lsp_forbidden_scope", Failure(mine.ListApiKeysAsync()).Code);
                Assert.AreEqual("lsp_forbidden_scope", Failure(mine.CreateWebhookAsync("{\"url\":\"http://127.0.0.1:9/hook\"}")).Code);
                string foreign = (string)Obj(theirs.CreateInvoiceAsync(1000, "S17 theirs").Result)["id"];
                Assert.AreEqual("lsp_not_found", Failure(mine.GetInvoiceAsync(foreign)).Code);
                Assert.AreEqual("lsp_not_found", Failure(mineAdmin.GetInvoiceAsync(foreign)).Code);
                Assert.AreEqual("lsp_not_found", Failure(mineAdmin.CancelInvoiceAsync(foreign)).Code);
                var listed = (List<object>)Obj(mineAdmin.ListInvoicesAsync("{\"limit\":100}").Result)["items"];
                Assert.IsTrue(listed.All(i => (string)Obj(i)["id"] != foreign), "no foreign invoice listed");
            }
        }

        [Test]
        public void S18_EventsResumeAfterTheLastIdInOrderWithoutRepeats()
        {
            using (var shop = NewClient(1, "invoice_key"))
            {
                ulong start = LastEventId(shop);
                for (int i = 0; i < 3; i++)
                {
                    var invoice = Obj(shop.CreateInvoiceAsync((ulong)(40000 + i), "S18 #" + i).Result);
                    Assert.AreEqual("succeeded", Lsp.WalletPays((string)invoice["bolt11"]), "paid");
                }
                var expected = ((List<object>)Obj(shop.ListEventsAsync("{\"after\":" + start + ",\"limit\":1000}").Result)["items"])
                    .Select(e => U64(Obj(e)["id"])).ToList();
                // No SynchronizationContext on this thread: events are raised by Update() here.
                var seen = new List<ulong>();
                shop.EventReceived += e => seen.Add(e.Id);
                shop.StartEvents((long)start);
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (seen.Count < 1 && DateTime.UtcNow < deadline) { shop.Update(); Thread.Sleep(20); }
                shop.StopEvents();
                shop.Update();
                seen = seen.Take(1).ToList();
                shop.StartEvents((long)seen[0]);
                while (seen.Count < expected.Count && DateTime.UtcNow < deadline) { shop.Update(); Thread.Sleep(20); }
                Thread.Sleep(200);
                shop.Update();
                Assert.AreEqual(string.Join(",", expected), string.Join(",", seen), "events after resuming");
            }
        }

        [Test]
        public void S29_EventsReachTheMainThreadInOrderAcrossAReconnect()
        {
            using (var proxy = new TcpProxy(Lsp.ApiPort))
            using (var main = new MainThread())
            using (var direct = NewClient(1, "invoice_key"))
            {
                ulong start = LastEventId(direct);
                var heard = new List<KeyValuePair<int, LightningEvent>>();
                string config = "{\"base_url\":" + LightningJson.Quote(proxy.Url) + ",\"api_key\":" + LightningJson.Quote(Lsp.Key(1, "invoice_key"))
                    + ",\"network\":\"regtest\",\"reconnect\":{\"initial_backoff_ms\":100,\"max_backoff_ms\":500}}";
                var game = main.Run(() =>
                {
                    var client = new LightningClient(config);
                    client.EventReceived += e => { lock (heard) heard.Add(new KeyValuePair<int, LightningEvent>(Thread.CurrentThread.ManagedThreadId, e)); };
                    client.StartEvents((long)start);
                    return client;
                });
                using (game)
                {
                    var paid = new List<string>();
                    for (int i = 0; i < 3; i++)
                    {
                        if (i == 1)
                        {
                            Assert.AreEqual(1, proxy.WebSocketConnections, "one event stream so far");
                            proxy.DropAll(); // the network drops: the stream must reconnect and resume
                        }
                        var invoice = Obj(direct.CreateInvoiceAsync((ulong)(50000 + i), "S29 reconnect #" + i).Result);
                        Assert.AreEqual("succeeded", Lsp.WalletPays((string)invoice["bolt11"]), "paid");
                        paid.Add((string)invoice["id"]);
                        string id = (string)invoice["id"];
                        Eventually(heard, () => heard.Any(h => h.Value.Type == "invoice.paid" && h.Value.ObjectId == id), 30, "invoice.paid #" + i);
                    }
                    Assert.GreaterOrEqual(proxy.WebSocketConnections, 2, "the stream reconnected");
                    var log = ((List<object>)Obj(direct.ListEventsAsync("{\"after\":" + start + ",\"limit\":1000}").Result)["items"])
                        .Select(e => U64(Obj(e)["id"])).ToList();
                    lock (heard)
                    {
                        var ids = heard.Select(h => h.Value.Id).ToList();
                        Assert.AreEqual(string.Join(",", log.Where(id => id <= ids.Last())), string.Join(",", ids), "every event once, in order");
                        Assert.IsTrue(heard.All(h => h.Key == main.ThreadId), "every event on the main thread");
                    }
                }
            }
        }

        [Test]
        public void S19_APaymentBeyondTheBalanceIsRefusedBeforeAnythingLeaves()
        {
            using (var admin = NewClient(2, "admin_key"))
            {
                string balance = admin.BalanceAsync().Result;
                ulong before = U64(Obj(balance)["available_msat"]);
                string key = "cs-s19-" + DateTime.UtcNow.Ticks;
                var refused = Failure(admin.PayInvoiceAsync(Lsp.WalletInvoice(before + 1000000), key));
                Assert.AreEqual("lsp_insufficient_balance", refused.Code);
                Assert.AreEqual(balance, admin.BalanceAsync().Result, "nothing reserved or debited");
                var payments = (List<object>)Obj(admin.ListPaymentsAsync("{\"limit\":100}").Result)["items"];
                Assert.IsTrue(payments.All(p => (string)Obj(p)["idempotency_key"] != key), "no payment recorded");
            }
        }

        [Test]
        public void S21_AnInvoiceOfAnotherAccountOfThisLspIsPaidInsideItAtOnceAndOnce()
        {
            using (var payer = NewClient(0, "admin_key"))
            using (var payee = NewClient(1, "admin_key"))
            using (var shop = NewClient(1, "invoice_key"))
            {
                ulong payerBefore = Available(payer);
                ulong payeeBefore = Available(payee);
                var invoice = Obj(shop.CreateInvoiceAsync(4000000, "S21 trade").Result);
                string key = "cs-s21-" + DateTime.UtcNow.Ticks;
                var paid = Obj(payer.PayInvoiceAsync((string)invoice["bolt11"], key).Result);
                Assert.AreEqual("succeeded", paid["status"], "settled in the answer itself");
                Assert.AreEqual(true, paid["internal"], "inside the LSP");
                Assert.AreEqual(0UL, U64(paid["fee_msat"]), "no fee");
                Assert.AreEqual("paid", Obj(shop.WaitForPaymentAsync((string)invoice["id"], 5000).Result)["status"]);
                Assert.AreEqual(4000000UL, payerBefore - Available(payer), "debited once");
                Assert.AreEqual(4000000UL, Available(payee) - payeeBefore, "credited once");
                var again = Obj(payer.PayInvoiceAsync((string)invoice["bolt11"], key).Result);
                Assert.AreEqual(paid["id"], again["id"], "the same idempotency key pays nothing more");
                Assert.AreEqual(4000000UL, payerBefore - Available(payer), "still debited once");
            }
        }

        [Test]
        public void S22_ALightningAddressServedByTheLspIsPaidWithItsTermsChecked()
        {
            using (var owner = NewClient(1, "admin_key"))
            using (var payer = NewClient(0, "admin_key"))
            {
                string name = "cs-s22-" + DateTime.UtcNow.Ticks;
                var served = Obj(owner.CreateLightningAddressAsync("{\"name\":" + LightningJson.Quote(name)
                    + ",\"comment_allowed\":20,\"success_message\":\"Thanks!\"}").Result);
                string address = (string)served["address"];
                StringAssert.StartsWith(name + "@", address);
                var paid = Obj(payer.PayLnurlAsync(address, 2000000, "cs-s22-" + DateTime.UtcNow.Ticks, "gg").Result);
                Assert.AreEqual("succeeded", Obj(paid["payment"])["status"], "paid inside the LSP");
                Assert.AreEqual("Thanks!", Obj(paid["success_action"])["message"], "success message");
                var low = Failure(payer.PayLnurlAsync(address, 1, "cs-s22-low-" + DateTime.UtcNow.Ticks));
                Assert.AreEqual("lnurl_amount_out_of_range", low.Code);
                owner.DeleteLightningAddressAsync(name).Wait();
                var gone = Failure(payer.PayLnurlAsync(address, 5000, "cs-s22-gone-" + DateTime.UtcNow.Ticks));
                Assert.AreEqual("lnurl_service_error", gone.Code);
            }
        }

        /// <summary>A tournament of <paramref name="seats"/> seats at <paramref name="entryMsat"/>, joinable for ten minutes.</summary>
        static Dictionary<string, object> NewTournament(LightningClient organizer, string name, int seats, ulong entryMsat, string tableJson)
        {
            long deadline = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600;
            return Obj(organizer.CreateTournamentAsync("{\"name\":" + LightningJson.Quote(name) + ",\"entry_fee_msat\":" + entryMsat
                + ",\"seats\":" + seats + ",\"payout_table_bps\":" + tableJson + ",\"join_deadline\":" + deadline + "}").Result);
        }

        static string ToAccount(int account)
        {
            return "{\"type\":\"account\",\"account_id\":" + LightningJson.Quote(Lsp.AccountId(account)) + "}";
        }

        /// <summary>Polls the tournament until its <c>field</c> is <paramref name="value"/>.</summary>
        static Dictionary<string, object> TournamentWhen(LightningClient client, string id, string field, object value)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var t = Obj(client.GetTournamentAsync(id).Result);
                if (Equals(t[field], value) || (value is ulong && U64(t[field]) == (ulong)value)) return t;
                Assert.Less(DateTime.UtcNow, deadline, "tournament never " + field + "=" + value);
                Thread.Sleep(100);
            }
        }

        [Test]
        public void S26_ATournamentFillsSettlesItsPoolAndPaysEveryWinnerByRankOnce()
        {
            using (var organizer = NewClient(2, "admin_key"))
            using (var p0 = NewClient(0, "admin_key"))
            using (var p1 = NewClient(1, "admin_key"))
            {
                ulong before0 = Available(p0), before1 = Available(p1), beforeOrg = Available(organizer);
                var t = NewTournament(organizer, "cs S26 cup", 2, 1000000, "[6000,4000]");
                string id = (string)t["id"];
                var e0 = Obj(organizer.JoinTournamentAsync(id, "p0", ToAccount(0)).Result);
                var e1 = Obj(organizer.JoinTournamentAsync(id, "p1", ToAccount(1)).Result);
                Assert.AreEqual("lsp_already_joined", Failure(organizer.JoinTournamentAsync(id, "p0", ToAccount(1))).Code);
                // Both enter from their balances: held, not yet debited.
                var held = Obj(p0.PayInvoiceAsync((string)e0["bolt11"], "cs-s26-" + DateTime.UtcNow.Ticks).Result);
                Assert.AreEqual("pending", held["status"]);
                p1.PayInvoiceAsync((string)e1["bolt11"], "cs-s26-" + DateTime.UtcNow.Ticks).Wait();
                var funded = TournamentWhen(organizer, id, "status", "funded");
                Assert.AreEqual(2000000UL, U64(funded["pool_msat"]));
                Assert.AreEqual("lsp_tournament_closed", Failure(organizer.JoinTournamentAsync(id, "p2", ToAccount(0))).Code);
                Assert.AreEqual("lsp_invalid_request", Failure(organizer.EnterTournamentResultsAsync(id, "[{\"player_id\":\"ghost\",\"rank\":1}]")).Code);
                var payouts = (List<object>)Obj(organizer.EnterTournamentResultsAsync(id,
                    "[{\"player_id\":\"p1\",\"rank\":1},{\"player_id\":\"p0\",\"rank\":2}]").Result)["items"];
                Assert.AreEqual(1200000UL, U64(Obj(payouts[0])["amount_msat"]));
                Assert.AreEqual(800000UL, U64(Obj(payouts[1])["amount_msat"]));
                var paid = (List<object>)Obj(organizer.PayTournamentAsync(id).Result)["items"];
                Assert.IsTrue(paid.All(p => (string)Obj(p)["status"] == "succeeded"), "paid between accounts in the answer");
                Assert.AreEqual("completed", Obj(organizer.GetTournamentAsync(id).Result)["status"]);
                organizer.PayTournamentAsync(id).Wait();
                Assert.AreEqual(before1 + 200000UL, Available(p1), "entry out, first prize in, once");
                Assert.AreEqual(before0 - 200000UL, Available(p0), "entry out, second prize in, once");
                Assert.AreEqual(beforeOrg, Available(organizer), "no organizer fee: the pool went to the players");
            }
        }

        [Test]
        public void S26_APublicTournamentTakesKeylessJoinsAndShowsItsLobby()
        {
            using (var organizer = NewClient(2, "admin_key"))
            using (var player = NewClient(0, "admin_key"))
            using (var keyless = new LightningClient(Lsp.Api, "", "regtest"))
            {
                long deadline = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600;
                var t = Obj(organizer.CreateTournamentAsync("{\"name\":\"cs public cup\",\"entry_fee_msat\":300000,\"seats\":2,"
                    + "\"payout_table_bps\":[10000],\"join_deadline\":" + deadline + ",\"public_join\":true}").Result);
                string id = (string)t["id"];
                Assert.AreEqual(true, t["public_join"]);
                var lobby = Obj(keyless.GetPublicTournamentAsync(id).Result);
                Assert.AreEqual(600000UL, U64(lobby["prize_total_msat"]));
                Assert.AreEqual(0, ((List<object>)lobby["players"]).Count);
                var entry = Obj(keyless.JoinPublicTournamentAsync(id, "kay", ToAccount(0)).Result);
                Assert.AreEqual("pending", entry["status"]);
                Assert.AreEqual("lsp_already_joined", Failure(keyless.JoinPublicTournamentAsync(id, "kay", ToAccount(1))).Code);
                Assert.AreEqual("lsp_unauthorized", Failure(keyless.GetTournamentAsync(id)).Code);
                var hidden = NewTournament(organizer, "cs private cup", 2, 1000, "[10000]");
                Assert.AreEqual("lsp_not_found", Failure(keyless.GetPublicTournamentAsync((string)hidden["id"])).Code);
                player.PayInvoiceAsync((string)entry["bolt11"], "cs-s26-public-" + DateTime.UtcNow.Ticks).Wait();
                TournamentWhen(organizer, id, "seats_taken", 1UL);
                var seated = (List<object>)Obj(keyless.GetPublicTournamentAsync(id).Result)["players"];
                Assert.AreEqual("kay", Obj(seated[0])["player_id"]);
                Assert.AreEqual("held", Obj(seated[0])["status"]);
                Assert.AreEqual("cancelled", Obj(organizer.CancelTournamentAsync(id).Result)["status"]);
                organizer.CancelTournamentAsync((string)hidden["id"]).Wait();
            }
        }

        [Test]
        public void S27_ACancelledTournamentRefundsEveryHeldEntry()
        {
            using (var organizer = NewClient(2, "admin_key"))
            using (var player = NewClient(0, "admin_key"))
            {
                ulong before = Available(player);
                var t = NewTournament(organizer, "cs S27 cup", 3, 700000, "[10000]");
                string id = (string)t["id"];
                var entry = Obj(organizer.JoinTournamentAsync(id, "solo", ToAccount(0)).Result);
                player.PayInvoiceAsync((string)entry["bolt11"], "cs-s27-" + DateTime.UtcNow.Ticks).Wait();
                Assert.AreEqual(before - 700000UL, Available(player), "held from the balance");
                TournamentWhen(organizer, id, "seats_taken", 1UL);
                var cancelled = Obj(organizer.CancelTournamentAsync(id).Result);
                Assert.AreEqual("cancelled", cancelled["status"]);
                Assert.AreEqual(before, Available(player), "refunded whole");
                var entries = (List<object>)Obj(organizer.ListTournamentEntriesAsync(id).Result)["items"];
                Assert.AreEqual("refunded", Obj(entries[0])["status"]);
            }
        }

        [Test]
        public void S23_AVoucherIsClaimedByAWalletOnceAndRedeemedIntoAnAccountOnce()
        {
            var claimedEvents = new List<string>();
            var gate = new object();
            using (var main = new MainThread())
            using (var reader = NewClient(2, "admin_key"))
            using (var player = NewClient(0, "invoice_key"))
            {
                long start = (long)LastEventId(reader);
                var owner = main.Run(() =>
                {
                    var client = NewClient(2, "admin_key");
                    client.VoucherClaimed += e => { lock (gate) claimedEvents.Add(e.ObjectId); };
                    client.StartEvents(start);
                    return client;
                });
                using (owner)
                {
                ulong before = Available(owner);
                var batch = Obj(owner.CreateVouchersAsync(1000000, "cs-s23-" + DateTime.UtcNow.Ticks, 2, 0, "C# S23").Result);
                var vouchers = (List<object>)batch["vouchers"];
                Assert.AreEqual(2, vouchers.Count);
                Assert.AreEqual(2UL * 1010000UL, U64(batch["reserved_msat"]), "amount and a 1 % fee allowance each");
                var first = Obj(vouchers[0]);
                var second = Obj(vouchers[1]);

                // A devnet wallet (bob) reads the first link and hands in its invoice.
                var offer = Lsp.WalletGet((string)first["url"]);
                Assert.AreEqual("withdrawRequest", offer["tag"]);
                string pr = Lsp.WalletInvoice(1000000);
                var answer = Lsp.WalletGet((string)offer["callback"] + "?k1=" + offer["k1"] + "&pr=" + pr);
                Assert.AreEqual("OK", answer["status"], LightningJson.Write(answer));
                Dictionary<string, object> claimed = null;
                Eventually(gate, () => (string)(claimed = Obj(owner.GetVoucherAsync((string)first["id"]).Result))["status"] == "claimed", 60, "the first voucher claimed");
                var paid = FinalPayment(owner, Obj(owner.GetPaymentAsync((string)claimed["payment_id"]).Result));
                Assert.AreEqual("succeeded", paid["status"]);

                // The game redeems the second into the player's account; the link works once.
                var redeemed = Obj(player.RedeemWithdrawAsync((string)second["lnurl"]).Result);
                var invoice = Obj(redeemed["invoice"]);
                Assert.AreEqual(1000000UL, U64(invoice["amount_msat"]));
                Assert.AreEqual("paid", Obj(player.WaitForPaymentAsync((string)invoice["id"], 10000).Result)["status"]);
                var refused = Failure(player.RedeemWithdrawAsync((string)second["lnurl"]));
                Assert.AreEqual("lnurl_service_error", refused.Code);
                StringAssert.Contains("already claimed", refused.Message);
                Assert.AreEqual("lsp_conflict", Failure(owner.CancelVoucherAsync((string)first["id"])).Code);

                Eventually(gate, () => claimedEvents.Contains((string)first["id"]) && claimedEvents.Contains((string)second["id"]), 30, "both voucher.claimed events on the main thread");
                Assert.AreEqual(2000000UL + U64(paid["fee_msat"]), before - Available(owner), "the two claims and one fee, once");
                }
            }
        }

        [Test]
        public void S24_AStreamPausesResumesAndPaysExactlyItsBudget()
        {
            var received = new List<Dictionary<string, object>>();
            var gate = new object();
            using (var main = new MainThread())
            using (var payer = NewClient(0, "admin_key"))
            using (var reader = NewClient(1, "admin_key"))
            {
                long start = (long)LastEventId(reader);
                // The payee's game hears each payment as transfer.received, on its main thread.
                var payee = main.Run(() =>
                {
                    var client = NewClient(1, "admin_key");
                    client.TransferReceived += e => { lock (gate) received.Add(Obj(e.DataJson)); };
                    client.StartEvents(start);
                    return client;
                });
                using (payee)
                {
                ulong before = Available(payee);
                string destination = "{\"type\":\"account\",\"account_id\":" + LightningJson.Quote(Lsp.AccountId(1)) + "}";
                var stream = Obj(payer.CreateStreamAsync(destination, 10000, 25000, "cs-s24-" + DateTime.UtcNow.Ticks, "C# S24").Result);
                string id = (string)stream["id"];
                Assert.AreEqual("paused", Obj(payer.PauseStreamAsync(id).Result)["state"]);
                Assert.AreEqual("lsp_conflict", Failure(payer.PauseStreamAsync(id)).Code);
                Assert.AreEqual("running", Obj(payer.ResumeStreamAsync(id).Result)["state"]);
                Eventually(gate, () => (string)(stream = Obj(payer.GetStreamAsync(id).Result))["state"] == "finished", 30, "the stream finished");
                Assert.AreEqual(25000UL, U64(stream["paid_msat"]), "exactly the budget");
                Assert.AreEqual(25000UL, Available(payee) - before);
                Assert.AreEqual("lsp_conflict", Failure(payer.StopStreamAsync(id)).Code);
                Eventually(gate, () => received.Where(t => (string)t["stream_id"] == id)
                    .Aggregate(0UL, (sum, t) => sum + U64(t["amount_msat"])) == 25000UL, 30,
                    "transfer.received events adding up to the budget on the main thread");
                lock (gate)
                {
                    var sequences = received.Where(t => (string)t["stream_id"] == id).Select(t => U64(t["stream_sequence"])).ToList();
                    CollectionAssert.AreEqual(Enumerable.Range(1, sequences.Count).Select(i => (ulong)i).ToList(), sequences, "each payment once, in order");
                }
                }
            }
        }

        static string ScheduleArgs(int to, ulong amountMsat, int secs, string maxCount, string key)
        {
            long start = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
            return "{\"amount_msat\":" + amountMsat + ",\"destination\":{\"type\":\"account\",\"account_id\":"
                + LightningJson.Quote(Lsp.AccountId(to)) + "},\"schedule\":{\"period\":{\"kind\":\"every\",\"secs\":" + secs
                + "},\"start\":" + start + ",\"end\":null,\"max_count\":" + maxCount
                + ",\"catch_up\":{\"kind\":\"all\",\"max\":10}},\"idempotency_key\":" + LightningJson.Quote(key + "-" + DateTime.UtcNow.Ticks) + "}";
        }

        [Test]
        public void S25_ARecurringSchedulePaysEachOccurrenceOnceAndNoneAfterCancel()
        {
            using (var payer = NewClient(1, "admin_key"))
            using (var payee = NewClient(2, "admin_key"))
            {
                ulong before = Available(payee);
                var schedule = Obj(payer.CreateScheduleAsync(ScheduleArgs(2, 120000, 1, "3", "cs-s25")).Result);
                string id = (string)schedule["id"];
                var gate = new object();
                Eventually(gate, () => (string)(schedule = Obj(payer.GetScheduleAsync(id).Result))["status"] == "completed", 30, "the schedule completed");
                Assert.AreEqual(3UL, U64(schedule["paid_count"]));
                var runs = (List<object>)Obj(payer.ScheduleRunsAsync(id).Result)["items"];
                Assert.AreEqual(3, runs.Count);
                Assert.IsTrue(runs.All(r => (string)Obj(r)["status"] == "succeeded"));
                Assert.AreEqual(360000UL, Available(payee) - before, "each occurrence credited once");
                Assert.AreEqual("lsp_conflict", Failure(payer.CancelScheduleAsync(id)).Code);
                var tip = Obj(payer.CreateScheduleAsync(ScheduleArgs(2, 1000, 1, "null", "cs-s25-tip")).Result);
                string tipId = (string)tip["id"];
                Assert.AreEqual("cancelled", Obj(payer.CancelScheduleAsync(tipId).Result)["status"]);
                Thread.Sleep(1500);
                int ran = ((List<object>)Obj(payer.ScheduleRunsAsync(tipId).Result)["items"]).Count;
                Thread.Sleep(2000);
                Assert.AreEqual(ran, ((List<object>)Obj(payer.ScheduleRunsAsync(tipId).Result)["items"]).Count, "nothing after the cancel");
            }
        }

        [Test]
        public void S28_AFiatPricedInvoiceChargesExactlyTheQuoteAndASlippedQuoteIsRefused()
        {
            using (var shop = NewClient(1, "invoice_key"))
            {
                var quote = Obj(shop.CreateQuoteAsync("4.99", "USD", 60).Result);
                Assert.AreEqual(4990000UL, U64(quote["amount_msat"]), "4.99 / 100,000 x 10^11");
                var invoice = Obj(shop.CreateInvoiceAsync("{\"quote_id\":" + LightningJson.Quote((string)quote["id"]) + "}").Result);
                Assert.AreEqual(4990000UL, U64(invoice["amount_msat"]), "exactly the quote");
                Assert.AreEqual("lsp_unknown_currency", Failure(shop.CreateQuoteAsync("4.99", "JPY")).Code);
                var held = Obj(shop.CreateQuoteAsync("4.99", "USD").Result);
                DevnetLsp.SetRates("{\"USD\":\"101500\",\"EUR\":\"92000.50\"}");
                try
                {
                    var moved = Failure(shop.CreateInvoiceAsync("{\"quote_id\":" + LightningJson.Quote((string)held["id"]) + "}"));
                    Assert.AreEqual("lsp_slippage_exceeded", moved.Code);
                    var requote = Obj(shop.CreateQuoteAsync("4.99", "USD").Result);
                    Assert.AreEqual(4916257UL, U64(requote["amount_msat"]), "the new rate, rounded up");
                }
                finally
                {
                    DevnetLsp.SetRates("{\"USD\":\"100000\",\"EUR\":\"92000.50\"}");
                }
            }
        }

        [Test]
        public void S20_BeyondTheRateLimitIsRetryable429WithRetryAfter()
        {
            using (var shop = NewClient(2, "invoice_key"))
            {
                for (int i = 0; i < DevnetLsp.InvoiceRateBurst * 3; i++)
                {
                    var task = shop.CreateInvoiceAsync(1000, "S20 #" + i);
                    try { task.Wait(); continue; } catch (AggregateException) { }
                    var limited = Failure(task);
                    Assert.AreEqual("lsp_rate_limited", limited.Code);
                    Assert.AreEqual(429, limited.HttpStatus);
                    Assert.IsTrue(limited.Retryable, "retryable");
                    Assert.GreaterOrEqual(limited.RetryAfterSecs, 1, "Retry-After given");
                    return;
                }
                Assert.Fail("the rate limit was never reached");
            }
        }

        [Test]
        public void Client_CancellationTokenCancelsARequest()
        {
            using (var shop = NewClient(1, "invoice_key"))
            using (var cancel = new CancellationTokenSource())
            {
                var invoice = Obj(shop.CreateInvoiceAsync(1000, "cancel me").Result);
                var waiting = shop.WaitForPaymentAsync((string)invoice["id"], -1, cancel.Token);
                Assert.AreEqual(1, shop.PendingCount, "in flight");
                cancel.Cancel();
                Assert.AreEqual("cancelled", Failure(waiting).Code);
                Assert.AreEqual(0, shop.PendingCount, "none left");
            }
        }

        [Test]
        public void Client_DisposeWithRequestsInFlightCancelsThem()
        {
            var shop = NewClient(1, "invoice_key");
            var invoice = Obj(shop.CreateInvoiceAsync(1000, "dispose me").Result);
            var waits = Enumerable.Range(0, 3).Select(_ => shop.WaitForPaymentAsync((string)invoice["id"])).ToList();
            shop.Dispose();
            foreach (var wait in waits) Assert.AreEqual("cancelled", Failure(wait).Code);
            Assert.Throws<ObjectDisposedException>(() => shop.BalanceAsync());
            Assert.Throws<ObjectDisposedException>(() => shop.StartEvents());
            shop.Dispose();
        }

        [Test]
        public void Client_DisposeAllDisposesEveryLiveClient()
        {
            var first = NewClient(1, "invoice_key");
            var second = NewClient(2, "invoice_key");
            var invoice = Obj(first.CreateInvoiceAsync(1000, "domain reload").Result);
            var waiting = first.WaitForPaymentAsync((string)invoice["id"]);
            LightningClient.DisposeAll();
            Assert.AreEqual("cancelled", Failure(waiting).Code);
            Assert.Throws<ObjectDisposedException>(() => second.HealthAsync());
        }

        [Test]
        public void Client_BadInputGetsTypedErrors()
        {
            foreach (var config in new[] { "not json", "{\"base_url\":\"ftp://x\",\"api_key\":\"k\",\"network\":\"regtest\"}", "{\"base_url\":\"http://x\",\"api_key\":\"k\",\"network\":\"regtest\",\"colour\":1}" })
            {
                var refused = Assert.Throws<EtridException>(() => new LightningClient(config).Dispose(), config);
                Assert.AreEqual("lsp_invalid_config", refused.Code, config);
            }
            Assert.Throws<ArgumentNullException>(() => new LightningClient(null));
            Assert.Throws<ArgumentException>(() => new LightningClient("{\"base_url\":\"a\0b\"}"));

            using (var stranger = new LightningClient(Lsp.Api, "etrid_inv_" + new string('0', 64), "regtest"))
            {
                var unauthorized = Failure(stranger.CreateInvoiceAsync(1000, "who"));
                Assert.AreEqual("lsp_unauthorized", unauthorized.Code);
                Assert.AreEqual(401, unauthorized.HttpStatus);
                Assert.IsFalse(unauthorized.Retryable);
            }
            using (var down = new LightningClient("{\"base_url\":\"http://127.0.0.1:9\",\"api_key\":\"k\",\"network\":\"regtest\",\"request_timeout_ms\":5000}"))
            {
                var unreachable = Failure(down.BalanceAsync());
                Assert.AreEqual("transport_connect", unreachable.Code);
                Assert.IsTrue(unreachable.Retryable);
            }
            using (var admin = NewClient(1, "admin_key"))
            {
                var bogus = Failure(admin.PayInvoiceAsync("lnbc1bogus", "cs-bogus"));
                Assert.AreEqual("invoice_too_short", bogus.Code, bogus.Message);
            }
            using (var shop = NewClient(1, "invoice_key"))
            {
                Assert.AreEqual("invalid_argument", Failure(shop.CreateInvoiceAsync("{\"amountMsat\":1000}")).Code, "unknown field");
                Assert.AreEqual("invalid_argument", Failure(shop.CreateInvoiceAsync("{\"amount_msat\":1.5}")).Code, "fractional msat");
                Assert.AreEqual("lsp_invalid_request", Failure(shop.CreateInvoiceAsync("{\"amount_msat\":0}")).Code, "zero");
                Assert.AreEqual("lsp_invalid_request", Failure(shop.GetInvoiceAsync("../balance")).Code, "path in an id");
                Assert.AreEqual("invalid_argument", Assert.Throws<EtridException>(() => shop.CreateInvoiceAsync("{")).Code, "malformed JSON");
                Assert.AreEqual("invalid_argument", Assert.Throws<EtridException>(() => shop.RequestAsync((Operation)999, null)).Code, "unknown operation");
                shop.StartEvents();
                Assert.AreEqual("invalid_argument", Assert.Throws<EtridException>(() => shop.StartEvents()).Code, "started twice");
            }
        }
    }
}
