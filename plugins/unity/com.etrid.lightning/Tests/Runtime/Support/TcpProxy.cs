// A loopback TCP relay in front of the LSP that the tests can cut: every connection through it
// is closed at once, as a dropped Wi-Fi or a load balancer would, so the client's event stream
// has to reconnect to the real LSP behind it.

using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Etrid.Tests
{
    /// <summary>Relays loopback TCP connections to a target port until told to drop them.</summary>
    sealed class TcpProxy : IDisposable
    {
        readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);
        readonly int targetPort;
        readonly List<TcpClient> open = new List<TcpClient>();
        int webSockets;

        /// <summary>Listens on a free loopback port and relays to <paramref name="targetPort"/>.</summary>
        public TcpProxy(int targetPort)
        {
            this.targetPort = targetPort;
            listener.Start();
            Task.Run(AcceptLoop);
        }

        /// <summary>The proxy's base URL, <c>http://127.0.0.1:port</c>.</summary>
        public string Url { get { return "http://127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port; } }

        /// <summary>How many WebSocket upgrades went through (each event-stream connection is one).</summary>
        public int WebSocketConnections { get { return Volatile.Read(ref webSockets); } }

        /// <summary>Closes every relayed connection, both sides.</summary>
        public void DropAll()
        {
            lock (open)
            {
                foreach (var client in open) client.Close();
                open.Clear();
            }
        }

        async Task AcceptLoop()
        {
            while (true)
            {
                TcpClient inbound;
                try
                {
                    inbound = await listener.AcceptTcpClientAsync();
                }
                catch (Exception)
                {
                    return; // stopped
                }
                var outbound = new TcpClient();
                try
                {
                    await outbound.ConnectAsync(IPAddress.Loopback, targetPort);
                }
                catch (Exception)
                {
                    inbound.Close();
                    continue;
                }
                lock (open)
                {
                    open.Add(inbound);
                    open.Add(outbound);
                }
                // Both directions run on their own; each closes both sockets when it ends.
                _ = Task.Run(() => Pump(inbound, outbound, true));
                _ = Task.Run(() => Pump(outbound, inbound, false));
            }
        }

        async Task Pump(TcpClient from, TcpClient to, bool request)
        {
            var buffer = new byte[16384];
            bool first = request;
            try
            {
                var source = from.GetStream();
                var sink = to.GetStream();
                while (true)
                {
                    int read = await source.ReadAsync(buffer, 0, buffer.Length);
                    if (read == 0) break;
                    if (first)
                    {
                        first = false;
                        string head = Encoding.ASCII.GetString(buffer, 0, read);
                        if (head.IndexOf("upgrade: websocket", StringComparison.OrdinalIgnoreCase) >= 0)
                            Interlocked.Increment(ref webSockets);
                    }
                    await sink.WriteAsync(buffer, 0, read);
                }
            }
            catch (Exception)
            {
                // A side closed: close the other.
            }
            from.Close();
            to.Close();
        }

        /// <summary>Stops listening and drops every connection.</summary>
        public void Dispose()
        {
            listener.Stop();
            DropAll();
        }
    }
}
