// Figures for the Unity package's C# over the C ABI (a benchmark, not a test; run by
// figures.sh next to this file):
// - a synchronous call through P/Invoke (LightningClient.PendingCount: the C# lock, the
//   P/Invoke transition, the native handle check and state lock);
// - completion -> main-thread handler latency: from a request's completion being queued
//   natively (etrid_client_cancel queues it at once, no network involved) to its continuation
//   running on the thread that owns the SynchronizationContext (a message loop standing in for
//   Unity's main thread), through the pump thread;
// - memory and threads per idle client (resident set size of the process, /proc/self/status).
// No LSP is needed: requests go to a loopback socket that accepts and never answers.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Etrid.Tests
{
    static class Figures
    {
        const int SyncCalls = 2000000;
        const int LatencySamples = 500;
        const int Clients = 100;

        static int Main()
        {
            var silent = new TcpListener(IPAddress.Loopback, 0);
            silent.Start();
            var held = new List<Socket>();
            var acceptor = new Thread(() =>
            {
                try { while (true) { var socket = silent.AcceptSocket(); lock (held) held.Add(socket); } }
                catch (SocketException) { }
                catch (ObjectDisposedException) { }
            }) { IsBackground = true };
            acceptor.Start();
            string config = "{\"base_url\":\"http://127.0.0.1:" + ((IPEndPoint)silent.LocalEndpoint).Port
                + "\",\"api_key\":\"etrid_inv_figures\",\"network\":\"regtest\",\"request_timeout_ms\":600000}";

            SyncCall(config);
            Latency(config);
            Memory(config);
            silent.Stop();
            return 0;
        }

        static void SyncCall(string config)
        {
            using (var client = new LightningClient(config))
            {
                var runs = new List<double>();
                for (int run = 0; run < 5; run++)
                {
                    long sink = 0;
                    var watch = Stopwatch.StartNew();
                    for (int i = 0; i < SyncCalls; i++) sink += client.PendingCount;
                    watch.Stop();
                    if (sink != 0) throw new Exception("no request was started");
                    runs.Add(watch.Elapsed.TotalMilliseconds * 1e6 / SyncCalls);
                }
                Console.WriteLine("C# P/Invoke call (LightningClient.PendingCount): {0:F0} ns (best of 5; worst {1:F0} ns)",
                    runs.Min(), runs.Max());
            }
        }

        static void Latency(string config)
        {
            using (var main = new MainThread())
            {
                var client = main.Run(() => new LightningClient(config));
                var samples = new List<double>();
                for (int i = 0; i < LatencySamples + 20; i++)
                {
                    var cancel = new CancellationTokenSource();
                    long handled = 0;
                    var done = new ManualResetEventSlim();
                    main.Run(() =>
                    {
                        // Awaited on the main thread: the continuation runs there, as in a MonoBehaviour.
                        client.RequestAsync(Operation.Health, null, cancel.Token).ContinueWith(task =>
                        {
                            handled = Stopwatch.GetTimestamp();
                            done.Set();
                        }, TaskScheduler.FromCurrentSynchronizationContext());
                        return 0;
                    });
                    Thread.Sleep(2);
                    long start = Stopwatch.GetTimestamp();
                    cancel.Cancel();
                    if (!done.Wait(10000)) throw new Exception("no completion within 10 s");
                    if (i >= 20) samples.Add((handled - start) * 1e6 / Stopwatch.Frequency);
                }
                main.Run(() => { client.Dispose(); return 0; });
                samples.Sort();
                Console.WriteLine("completion queued -> main-thread handler: p50 {0:F0} us, p99 {1:F0} us, max {2:F0} us ({3} samples)",
                    Percentile(samples, 0.50), Percentile(samples, 0.99), samples[samples.Count - 1], samples.Count);
            }
        }

        static void Memory(string config)
        {
            // One client first: the native runtime and the assemblies are loaded once per process.
            using (new LightningClient(config))
            {
                Settle();
                long before = ResidentKb();
                int threadsBefore = Threads();
                var clients = new List<LightningClient>();
                for (int i = 0; i < Clients; i++) clients.Add(new LightningClient(config));
                Settle();
                long after = ResidentKb();
                int threadsAfter = Threads();
                foreach (var client in clients) client.Dispose();
                Settle();
                long disposed = ResidentKb();
                Console.WriteLine("memory per idle client: {0:F0} KB resident, {1:F1} threads ({2} clients; {3} KB resident after disposing them)",
                    (after - before) / (double)Clients, (threadsAfter - threadsBefore) / (double)Clients, Clients, disposed - before);
            }
        }

        static void Settle()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(300);
        }

        static double Percentile(List<double> sorted, double p)
        {
            return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
        }

        static long ResidentKb()
        {
            foreach (var line in File.ReadAllLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:")) return long.Parse(line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries)[1]);
            }
            throw new Exception("no VmRSS in /proc/self/status");
        }

        static int Threads()
        {
            return Directory.GetDirectories("/proc/self/task").Length;
        }
    }
}
