// LightningClient (the C# client Unity compiles) under Mono, against a real LSP on the devnet:
// the lsp-fixture binary (ETRID_LSP_FIXTURE), started once. S10–S13 and S17–S20 with the
// scenario ids in the test names; events asserted to arrive on the thread that owns the
// SynchronizationContext the client was created on, in order; cancellation and Dispose with
// requests in flight. Prints "N passed, M failed" last, like EtridTests.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Etrid.Tests
{
    /// <summary>A thread with a message loop and its own SynchronizationContext: a game's main thread.</summary>
    sealed class MainThread : SynchronizationContext, IDisposable
    {
        readonly BlockingCollection<KeyValuePair<SendOrPostCallback, object>> queue = new BlockingCollection<KeyValuePair<SendOrPostCallback, object>>();
        readonly Thread thread;

        public MainThread()
        {
            thread = new Thread(() =>
            {
                SetSynchronizationContext(this);
                foreach (var item in queue.GetConsumingEnumerable()) item.Key(item.Value);
            });
            thread.IsBackground = true;
            thread.Start();
        }

        public int ThreadId { get { return thread.ManagedThreadId; } }

        public override void Post(SendOrPostCallback callback, object state)
        {
            queue.Add(new KeyValuePair<SendOrPostCallback, object>(callback, state));
        }

        /// <summary>Runs <paramref name="body"/> on the main thread and waits for it.</summary>
        public T Run<T>(Func<T> body)
        {
            var done = new TaskCompletionSource<T>();
            Post(_ => { try { done.SetResult(body()); } catch (Exception e) { done.SetException(e); } }, null);
            return done.Task.Result;
        }

        public void Dispose()
        {
            queue.CompleteAdding();
        }
    }

    static class ClientTests
    {
        static Process fixture;
        static Dictionary<string, object> info;
        static readonly HttpClient http = new HttpClient();

        static int Main()
        {
            StartFixture();
            var tests = new List<KeyValuePair<string, Action>>
            {
                Test("Abi_OperationValuesMatchTheHeader", Abi_OperationValuesMatchTheHeader),
                Test("S10_EventsArriveOnTheMainThreadInvoicePaidCreditedOnce", S10_EventsArriveOnTheMainThreadInvoicePaidCreditedOnce),
                Test("S11_TheSameExternalIdReturnsTheSameInvoice", S11_TheSameExternalIdReturnsTheSameInvoice),
                Test("S12_AnExpiringInvoiceIsReportedExpired", S12_AnExpiringInvoiceIsReportedExpired),
                Test("S13_AnAdminKeyPaysAnExternalInvoice", S13_AnAdminKeyPaysAnExternalInvoice),
                Test("S17_AnInvoiceKeyCannotPay", S17_AnInvoiceKeyCannotPay),
                Test("S18_EventsResumeAfterTheLastIdInOrderWithoutRepeats", S18_EventsResumeAfterTheLastIdInOrderWithoutRepeats),
                Test("S19_APaymentBeyondTheBalanceIsRefused", S19_APaymentBeyondTheBalanceIsRefused),
                Test("S20_BeyondTheRateLimitRetryableRateLimited", S20_BeyondTheRateLimitRetryableRateLimited),
                Test("Client_CancellationTokenCancelsARequest", Client_CancellationTokenCancelsARequest),
                Test("Client_DisposeWithRequestsInFlightCancelsThem", Client_DisposeWithRequestsInFlightCancelsThem),
                Test("Client_BadConfigurationIsAnEtridException", Client_BadConfigurationIsAnEtridException),
            };
            int passed = 0, failed = 0;
            try
            {
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
            }
            finally
            {
                StopFixture();
            }
            Console.WriteLine(passed + " passed, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        }

        static KeyValuePair<string, Action> Test(string name, Action body)
        {
            return new KeyValuePair<string, Action>(name, body);
        }

        static void True(bool condition, string what)
        {
            if (!condition) throw new Exception("expected: " + what);
        }

        static void Equal<T>(T expected, T actual, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new Exception(what + ": expected " + expected + ", got " + actual);
        }

        // ---- the devnet and the LSP ----

        static void StartFixture()
        {
            string binary = Environment.GetEnvironmentVariable("ETRID_LSP_FIXTURE");
            if (binary == null) throw new Exception("ETRID_LSP_FIXTURE is not set");
            var start = new ProcessStartInfo(binary, "--accounts 3 --fund-msat 20000000 --invoice-rate-per-sec 1 --invoice-rate-burst 30")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
            };
            fixture = Process.Start(start);
            string line = fixture.StandardOutput.ReadLine();
            if (line == null) throw new Exception("lsp-fixture exited before it was ready");
            info = (Dictionary<string, object>)ScenarioJson.Parse(line);
        }

        static void StopFixture()
        {
            fixture.StandardInput.Close();
            fixture.WaitForExit(60000);
        }

        static string Api { get { return (string)info["api"]; } }

        static string Key(int account, string scope)
        {
            var accounts = (List<object>)info["accounts"];
            return (string)((Dictionary<string, object>)accounts[account])[scope];
        }

        static LightningClient NewClient(string key)
        {
            return new LightningClient(Api, key, "regtest");
        }

        static Dictionary<string, object> Control(string path, string body)
        {
            var content = new StringContent(body, Encoding.UTF8, "application/json");
            var response = http.PostAsync((string)info["control"] + path, content).Result;
            return (Dictionary<string, object>)ScenarioJson.Parse(response.Content.ReadAsStringAsync().Result);
        }

        static string WalletPays(string bolt11)
        {
            return (string)Control("/v1/nodes/alice/pay", "{\"invoice\":\"" + bolt11 + "\"}")["status"];
        }

        static Dictionary<string, object> Obj(string json)
        {
            return (Dictionary<string, object>)ScenarioJson.Parse(json);
        }

        static ulong U64(object value)
        {
            return ((JsonNumber)value).ToUInt64();
        }

        static ulong Available(LightningClient admin)
        {
            return U64(Obj(admin.BalanceAsync().Result)["available_msat"]);
        }

        /// <summary>The LspException a task fails with.</summary>
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
            throw new Exception("the task did not fail");
        }

        // ---- tests ----

        static void Abi_OperationValuesMatchTheHeader()
        {
            string header = File.ReadAllText(Environment.GetEnvironmentVariable("ETRID_HEADER"));
            foreach (Operation op in Enum.GetValues(typeof(Operation)))
            {
                var name = new StringBuilder("ETRID_OPERATION_");
                foreach (char c in op.ToString())
                {
                    if (char.IsUpper(c) && name.Length > "ETRID_OPERATION_".Length) name.Append('_');
                    name.Append(char.ToUpperInvariant(c));
                }
                True(header.Contains(name + " = " + (int)op + ","), name + " = " + (int)op + " in etrid.h");
            }
            int declared = header.Split('\n').Count(line => line.TrimStart().StartsWith("ETRID_OPERATION_", StringComparison.Ordinal));
            Equal(Enum.GetValues(typeof(Operation)).Length, declared, "operations in etrid.h");
        }

        static void S10_EventsArriveOnTheMainThreadInvoicePaidCreditedOnce()
        {
            using (var main = new MainThread())
            using (var admin = NewClient(Key(1, "admin_key")))
            {
                ulong before = Available(admin);
                var heard = new List<KeyValuePair<int, string>>();
                var shop = main.Run(() =>
                {
                    var client = NewClient(Key(1, "invoice_key"));
                    client.EventReceived += item => { lock (heard) heard.Add(new KeyValuePair<int, string>(Thread.CurrentThread.ManagedThreadId, item)); };
                    client.StartEvents();
                    return client;
                });
                using (shop)
                {
                    var invoice = Obj(shop.CreateInvoiceAsync("{\"amount_msat\":21000,\"description\":\"S10 potion\"}").Result);
                    string id = (string)invoice["id"];
                    var waiting = shop.WaitForPaymentAsync(id, 60000);
                    Thread.Sleep(300);
                    Equal("succeeded", WalletPays((string)invoice["bolt11"]), "the wallet paid");
                    Equal("paid", (string)Obj(waiting.Result)["status"], "wait outcome");
                    var deadline = DateTime.UtcNow.AddSeconds(10);
                    List<KeyValuePair<int, string>> paid;
                    do
                    {
                        Thread.Sleep(50);
                        lock (heard) paid = heard.Where(h => h.Value.Contains("\"invoice.paid\"") && h.Value.Contains(id)).ToList();
                    } while (paid.Count == 0 && DateTime.UtcNow < deadline);
                    Equal(1, paid.Count, "invoice.paid events heard");
                    lock (heard) True(heard.All(h => h.Key == main.ThreadId), "every event on the main thread");
                    Equal(21000UL, Available(admin) - before, "credited exactly once");
                }
            }
        }

        static void S11_TheSameExternalIdReturnsTheSameInvoice()
        {
            using (var shop = NewClient(Key(1, "invoice_key")))
            {
                string args = "{\"amount_msat\":3000,\"external_id\":\"cs-order-" + DateTime.UtcNow.Ticks + "\"}";
                Equal(Obj(shop.CreateInvoiceAsync(args).Result)["id"], Obj(shop.CreateInvoiceAsync(args).Result)["id"], "same invoice");
            }
        }

        static void S12_AnExpiringInvoiceIsReportedExpired()
        {
            using (var shop = NewClient(Key(1, "invoice_key")))
            {
                var invoice = Obj(shop.CreateInvoiceAsync("{\"amount_msat\":1000,\"expiry_secs\":2}").Result);
                Equal("expired", (string)Obj(shop.WaitForPaymentAsync((string)invoice["id"]).Result)["status"], "outcome");
            }
        }

        static void S13_AnAdminKeyPaysAnExternalInvoice()
        {
            using (var admin = NewClient(Key(0, "admin_key")))
            {
                ulong before = Available(admin);
                string bolt11 = (string)Control("/v1/nodes/bob/invoice", "{\"amount_msat\":1500000}")["invoice"];
                var payment = Obj(admin.PayInvoiceAsync("{\"bolt11\":\"" + bolt11 + "\",\"idempotency_key\":\"cs-s13\"}").Result);
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while ((string)payment["status"] == "pending" && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(200);
                    payment = Obj(admin.RequestAsync(Operation.GetPayment, "{\"payment_id\":\"" + payment["id"] + "\"}").Result);
                }
                Equal("succeeded", (string)payment["status"], "payment status");
                Equal(64, ((string)payment["preimage"]).Length, "preimage hex length");
                Equal(1500000UL + U64(payment["fee_msat"]), before - Available(admin), "debited once");
            }
        }

        static void S17_AnInvoiceKeyCannotPay()
        {
            using (var shop = NewClient(Key(2, "invoice_key")))
            {
                string bolt11 = (string)Control("/v1/nodes/bob/invoice", "{\"amount_msat\":1000}")["invoice"];
                var refused = Failure(shop.PayInvoiceAsync("{\"bolt11\":\"" + bolt11 + "\",\"idempotency_key\":\"cs-s17\"}"));
                Equal("lsp_forbidden_scope", refused.Code, "code");
            }
        }

        static void S18_EventsResumeAfterTheLastIdInOrderWithoutRepeats()
        {
            using (var shop = NewClient(Key(1, "invoice_key")))
            {
                var log = (List<object>)Obj(shop.RequestAsync(Operation.ListEvents, "{\"limit\":1000}").Result)["items"];
                ulong start = log.Count == 0 ? 0 : U64(((Dictionary<string, object>)log[log.Count - 1])["id"]);
                for (int i = 0; i < 3; i++)
                {
                    var invoice = Obj(shop.CreateInvoiceAsync("{\"amount_msat\":" + (40000 + i) + "}").Result);
                    Equal("succeeded", WalletPays((string)invoice["bolt11"]), "paid");
                }
                var expected = ((List<object>)Obj(shop.RequestAsync(Operation.ListEvents, "{\"after\":" + start + ",\"limit\":1000}").Result)["items"])
                    .Select(e => U64(((Dictionary<string, object>)e)["id"])).ToList();
                // No SynchronizationContext here: events are raised by Update() on this thread.
                var seen = new List<ulong>();
                shop.EventReceived += item =>
                {
                    var parsed = Obj(item);
                    if ((string)parsed["kind"] == "event") seen.Add(U64(((Dictionary<string, object>)parsed["event"])["id"]));
                };
                shop.StartEvents((long)start);
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (seen.Count < 1 && DateTime.UtcNow < deadline) { shop.Update(); Thread.Sleep(20); }
                shop.StopEvents();
                shop.Update();
                seen = seen.Take(1).ToList();
                shop.StartEvents((long)seen[0]);
                while (seen.Count < expected.Count && DateTime.UtcNow < deadline) { shop.Update(); Thread.Sleep(20); }
                Equal(string.Join(",", expected), string.Join(",", seen), "events after resuming");
            }
        }

        static void S19_APaymentBeyondTheBalanceIsRefused()
        {
            using (var admin = NewClient(Key(2, "admin_key")))
            {
                ulong before = Available(admin);
                string bolt11 = (string)Control("/v1/nodes/bob/invoice", "{\"amount_msat\":" + (before + 1000000) + "}")["invoice"];
                Equal("lsp_insufficient_balance", Failure(admin.PayInvoiceAsync("{\"bolt11\":\"" + bolt11 + "\",\"idempotency_key\":\"cs-s19\"}")).Code, "code");
                Equal(before, Available(admin), "balance unchanged");
            }
        }

        static void S20_BeyondTheRateLimitRetryableRateLimited()
        {
            using (var shop = NewClient(Key(2, "invoice_key")))
            {
                for (int i = 0; i < 100; i++)
                {
                    var task = shop.CreateInvoiceAsync("{\"amount_msat\":1000}");
                    try { task.Wait(); continue; } catch (AggregateException) { }
                    var limited = Failure(task);
                    Equal("lsp_rate_limited", limited.Code, "code");
                    True(limited.Retryable, "retryable");
                    True(limited.Json.Contains("\"retry_after_secs\":"), "Retry-After given");
                    return;
                }
                throw new Exception("the rate limit was never reached");
            }
        }

        static void Client_CancellationTokenCancelsARequest()
        {
            using (var shop = NewClient(Key(1, "invoice_key")))
            using (var cancel = new CancellationTokenSource())
            {
                var invoice = Obj(shop.CreateInvoiceAsync("{\"amount_msat\":1000}").Result);
                var waiting = shop.WaitForPaymentAsync((string)invoice["id"], -1, cancel.Token);
                Equal(1, shop.PendingCount, "in flight");
                cancel.Cancel();
                Equal("cancelled", Failure(waiting).Code, "code");
                Equal(0, shop.PendingCount, "none left");
            }
        }

        static void Client_DisposeWithRequestsInFlightCancelsThem()
        {
            var shop = NewClient(Key(1, "invoice_key"));
            var invoice = Obj(shop.CreateInvoiceAsync("{\"amount_msat\":1000}").Result);
            var waits = Enumerable.Range(0, 3).Select(_ => shop.WaitForPaymentAsync((string)invoice["id"])).ToList();
            shop.Dispose();
            foreach (var wait in waits) Equal("cancelled", Failure(wait).Code, "code");
            try
            {
                shop.BalanceAsync();
                throw new Exception("a disposed client accepted a request");
            }
            catch (ObjectDisposedException) { }
            shop.Dispose();
        }

        static void Client_BadConfigurationIsAnEtridException()
        {
            foreach (var config in new[] { "not json", "{\"base_url\":\"ftp://x\",\"api_key\":\"k\",\"network\":\"regtest\"}", "{\"base_url\":\"http://x\",\"api_key\":\"k\",\"network\":\"moon\"}" })
            {
                try
                {
                    new LightningClient(config).Dispose();
                    throw new Exception("accepted " + config);
                }
                catch (EtridException e)
                {
                    Equal("lsp_invalid_config", e.Code, config);
                }
            }
        }
    }
}
