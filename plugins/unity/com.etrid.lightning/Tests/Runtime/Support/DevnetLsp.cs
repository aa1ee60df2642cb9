// The real LSP on a real devnet for the client tests: the repository's lsp-fixture binary (a
// regtest chain, LDK nodes, the Étrid LSP over HTTP and WebSocket), started once per test run
// and stopped when the test domain unloads (or, at the latest, when its standard input closes
// with this process). Without ETRID_LSP_FIXTURE the devnet tests are ignored, never passed.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;
using System.Text;

namespace Etrid.Tests
{
    /// <summary>The devnet and its LSP, shared by every test of a run.</summary>
    sealed class DevnetLsp
    {
        /// <summary>Invoices an account may create at once before 429 (then one per second).</summary>
        public const int InvoiceRateBurst = 30;

        static readonly object gate = new object();
        static DevnetLsp instance;
        static readonly HttpClient http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };

        readonly Process process;
        readonly Dictionary<string, object> info;

        DevnetLsp(Process process, Dictionary<string, object> info)
        {
            this.process = process;
            this.info = info;
        }

        /// <summary>The running devnet, started on first use; ignores the test when no fixture binary is configured.</summary>
        public static DevnetLsp Instance
        {
            get
            {
                lock (gate)
                {
                    if (instance == null) instance = Start();
                    return instance;
                }
            }
        }

        /// <summary>The fixed fiat rates the LSP quotes from (S28 moves one by rewriting it).</summary>
        public static readonly string RatesFile = System.IO.Path.Combine(System.IO.Path.GetTempPath(),
            "etrid-cs-rates-" + Process.GetCurrentProcess().Id + ".json");

        /// <summary>Replaces the rates file whole (written aside, then moved over it).</summary>
        public static void SetRates(string json)
        {
            string tmp = RatesFile + ".tmp";
            System.IO.File.WriteAllText(tmp, json);
            if (System.IO.File.Exists(RatesFile)) System.IO.File.Replace(tmp, RatesFile, null);
            else System.IO.File.Move(tmp, RatesFile);
        }

        static DevnetLsp Start()
        {
            string binary = Environment.GetEnvironmentVariable("ETRID_LSP_FIXTURE");
            if (string.IsNullOrEmpty(binary))
                NUnit.Framework.Assert.Ignore("ETRID_LSP_FIXTURE is not set (the lsp-fixture binary runs the devnet LSP)");
            SetRates("{\"USD\":\"100000\",\"EUR\":\"92000.50\"}");
            var start = new ProcessStartInfo(binary, "--accounts 3 --fund-msat 20000000 --invoice-rate-per-sec 1 --invoice-rate-burst " + InvoiceRateBurst
                + " --fiat-rates-file \"" + RatesFile + "\"")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
            };
            var process = Process.Start(start);
            string line = process.StandardOutput.ReadLine();
            if (line == null) throw new Exception("lsp-fixture exited before it was ready");
            var lsp = new DevnetLsp(process, LightningJson.ParseObject(line));
            AppDomain.CurrentDomain.DomainUnload += (sender, args) => lsp.Stop();
            AppDomain.CurrentDomain.ProcessExit += (sender, args) => lsp.Stop();
            return lsp;
        }

        void Stop()
        {
            if (process.HasExited) return;
            process.StandardInput.Close();
            process.WaitForExit(60000);
        }

        /// <summary>The LSP's base URL.</summary>
        public string Api { get { return (string)info["api"]; } }

        /// <summary>The LSP's TCP port.</summary>
        public int ApiPort { get { return new Uri(Api).Port; } }

        /// <summary>The key of <paramref name="scope"/> (<c>admin_key</c> or <c>invoice_key</c>) of account <paramref name="account"/>.</summary>
        public string Key(int account, string scope)
        {
            var accounts = (List<object>)info["accounts"];
            return (string)((Dictionary<string, object>)accounts[account])[scope];
        }

        /// <summary>The id of account <paramref name="account"/>.</summary>
        public string AccountId(int account)
        {
            var accounts = (List<object>)info["accounts"];
            return (string)((Dictionary<string, object>)accounts[account])["id"];
        }

        /// <summary>POSTs <paramref name="body"/> to the devnet control API; returns its JSON answer.</summary>
        public Dictionary<string, object> Control(string path, string body)
        {
            var content = new StringContent(body, Encoding.UTF8, "application/json");
            var response = http.PostAsync((string)info["control"] + path, content).Result;
            return LightningJson.ParseObject(response.Content.ReadAsStringAsync().Result);
        }

        /// <summary>GETs <paramref name="path"/> of the devnet control API.</summary>
        public object ControlGet(string path)
        {
            return LightningJson.Parse(http.GetStringAsync((string)info["control"] + path).Result);
        }

        /// <summary>
        /// The devnet wallet <paramref name="node"/> pays <paramref name="bolt11"/>; returns the
        /// outcome's status (<c>failed</c> too when the control API answers with an error: the
        /// payment did not go through).
        /// </summary>
        public string WalletPays(string bolt11, string node = "alice")
        {
            var outcome = Control("/v1/nodes/" + node + "/pay", "{\"invoice\":" + LightningJson.Quote(bolt11) + ",\"timeout_secs\":60}");
            object status;
            return outcome.TryGetValue("status", out status) ? (string)status : "failed";
        }

        /// <summary>An invoice of devnet wallet <paramref name="node"/> for <paramref name="amountMsat"/>.</summary>
        public string WalletInvoice(ulong amountMsat, string node = "bob")
        {
            return (string)Control("/v1/nodes/" + node + "/invoice", "{\"amount_msat\":" + amountMsat + "}")["invoice"];
        }

        /// <summary>GETs an LNURL endpoint as a wallet does (no key); its JSON answer.</summary>
        public Dictionary<string, object> WalletGet(string url)
        {
            return LightningJson.ParseObject(http.GetStringAsync(url).Result);
        }

        /// <summary>The node id of devnet node <paramref name="name"/>.</summary>
        public string NodeId(string name)
        {
            foreach (Dictionary<string, object> node in (List<object>)ControlGet("/v1/nodes"))
            {
                if ((string)node["name"] == name) return (string)node["node_id"];
            }
            throw new Exception("no devnet node " + name);
        }
    }
}
