// The LSP client for C# (Unity and .NET): every operation is a Task, and account events are
// raised on the thread that owns the SynchronizationContext the client was created on (Unity's
// main thread), or, without one, on the thread that calls Update() (a game loop).
//
// This file is what every platform shares: the API, the pending requests, the event queue and
// how events are raised. Where requests run is the backend's:
// - LightningClient.Native.cs (desktop, mobile, the editor): the C ABI's EtridClient, polled by
//   a managed pump thread that is the only thread entering managed code from the library;
// - LightningClient.WebGL.cs (WebGL players): the npm package through EtridLightning.jslib, on
//   the browser's one thread.
// Both run the same Rust core with the same JSON operations, answers, errors and events.
//
// Plain C#: compiles unchanged with mcs, Unity's compiler and IL2CPP (static callbacks marked
// MonoPInvokeCallback, state passed as a GCHandle). Results are JSON strings (the LSP API's
// fields, snake_case) for LightningJson, JsonUtility or any JSON library; amounts inside are
// integers in msat.

using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace Etrid
{
    /// <summary>
    /// A client of an Étrid LSP with one API key (in a game: an invoice-scoped key). Create it
    /// on the main thread; dispose it when done. <see cref="DisposeAll"/> disposes every live
    /// client (the Unity package calls it on domain reload and on quit).
    /// </summary>
    public sealed partial class LightningClient : IDisposable
    {
        static readonly object registryGate = new object();
        static readonly HashSet<LightningClient> live = new HashSet<LightningClient>();

        static LightningClient()
        {
            // Native clients must be gone before the code that drives them unloads.
            AppDomain.CurrentDomain.DomainUnload += (sender, args) => DisposeAll();
            AppDomain.CurrentDomain.ProcessExit += (sender, args) => DisposeAll();
        }

        readonly object gate = new object();
        readonly SynchronizationContext context;
        readonly Queue<Dictionary<string, object>> events = new Queue<Dictionary<string, object>>();
        readonly Dictionary<ulong, TaskCompletionSource<string>> requests = new Dictionary<ulong, TaskCompletionSource<string>>();
        GCHandle self;
        bool updatePosted;

        /// <summary>Raised for every account event, before the event of its type.</summary>
        public event Action<LightningEvent> EventReceived;

        /// <summary>An invoice was paid: the account is credited.</summary>
        public event Action<LightningEvent> InvoicePaid;

        /// <summary>A hold invoice's payment arrived and is held: settle or cancel it.</summary>
        public event Action<LightningEvent> InvoiceAccepted;

        /// <summary>An invoice expired unpaid.</summary>
        public event Action<LightningEvent> InvoiceExpired;

        /// <summary>An invoice was cancelled (hold invoices: the payer is refunded).</summary>
        public event Action<LightningEvent> InvoiceCancelled;

        /// <summary>An outgoing payment succeeded.</summary>
        public event Action<LightningEvent> PaymentSucceeded;

        /// <summary>An outgoing payment failed; its amount is back in the balance.</summary>
        public event Action<LightningEvent> PaymentFailed;

        /// <summary>
        /// A tournament changed (a seat taken or freed, funded, results, payouts, cancelled):
        /// <see cref="LightningEvent.DataJson"/> is the tournament, <see cref="LightningEvent.ObjectId"/> its id.
        /// </summary>
        public event Action<LightningEvent> TournamentUpdated;

        /// <summary>A player's entry changed (joined, held, settled, refunded, expired): <see cref="LightningEvent.DataJson"/> is the entry.</summary>
        public event Action<LightningEvent> TournamentEntry;

        /// <summary>A winner's payout changed (sent, succeeded, failed): <see cref="LightningEvent.DataJson"/> is the payout.</summary>
        public event Action<LightningEvent> TournamentPayout;

        /// <summary>A voucher was claimed by a wallet: <see cref="LightningEvent.DataJson"/> is the voucher.</summary>
        public event Action<LightningEvent> VoucherClaimed;

        /// <summary>A voucher expired unclaimed and its value returned to the balance.</summary>
        public event Action<LightningEvent> VoucherExpired;

        /// <summary>
        /// Another account of this LSP transferred to this one without an invoice (a stream
        /// paying it): <see cref="LightningEvent.DataJson"/> is the transfer (id, amount,
        /// description, stream id and sequence).
        /// </summary>
        public event Action<LightningEvent> TransferReceived;

        /// <summary>
        /// A keysend naming one of the account's Lightning Addresses (TLV record 696969) was
        /// received and credited: <see cref="LightningEvent.DataJson"/> is the keysend (id,
        /// payment hash, amount, the address it named, its custom records).
        /// </summary>
        public event Action<LightningEvent> KeysendReceived;

        /// <summary>
        /// A swap changed status (lockup seen or confirmed, paid, claimed, settled, refunded):
        /// <see cref="LightningEvent.DataJson"/> is the swap.
        /// </summary>
        public event Action<LightningEvent> SwapUpdated;

        /// <summary>
        /// Events were missed beyond what the LSP keeps (the resume id is older than its log):
        /// reload the state you show from the API (invoices, payments, balance).
        /// </summary>
        public event Action Resync;

        /// <summary>The event stream stopped for good (a revoked key, reconnect attempts used up); start it again to retry.</summary>
        public event Action<LspException> StreamError;

        /// <summary>
        /// A client for <paramref name="configJson"/>: <c>{"base_url", "api_key", "network",
        /// "request_timeout_ms"?, "payment_policy"?, "reconnect"?}</c>.
        /// </summary>
        /// <exception cref="EtridException">The configuration is unusable (code <c>lsp_invalid_config</c>).</exception>
        public LightningClient(string configJson)
        {
            context = SynchronizationContext.Current;
            Open(Lightning.ToUtf8(configJson, "configJson"));
            self = GCHandle.Alloc(this, GCHandleType.Normal);
            lock (registryGate) live.Add(this);
            Started();
        }

        /// <summary>A client for <paramref name="baseUrl"/> with <paramref name="apiKey"/> on <paramref name="network"/> (<c>bitcoin</c>, <c>testnet</c>, <c>signet</c>, <c>regtest</c>).</summary>
        public LightningClient(string baseUrl, string apiKey, string network)
            : this("{\"base_url\":" + LightningJson.Quote(baseUrl) + ",\"api_key\":" + LightningJson.Quote(apiKey)
                + ",\"network\":" + LightningJson.Quote(network) + "}")
        {
        }

        /// <summary>Disposes every client not yet disposed (domain reload, quit).</summary>
        public static void DisposeAll()
        {
            List<LightningClient> clients;
            lock (registryGate) clients = new List<LightningClient>(live);
            foreach (var client in clients) client.Dispose();
        }

        /// <summary>
        /// Runs <paramref name="operation"/> with <paramref name="argsJson"/> (a JSON object; null
        /// for none) and completes with the result JSON, or fails with an <see cref="LspException"/>
        /// (code <c>cancelled</c> when <paramref name="cancellation"/> fires or the client is disposed).
        /// </summary>
        /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
        /// <exception cref="EtridException">The request was refused before it started (an unknown operation).</exception>
        public Task<string> RequestAsync(Operation operation, string argsJson, CancellationToken cancellation = default(CancellationToken))
        {
            var completion = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            byte[] args = argsJson == null ? null : Lightning.ToUtf8(argsJson, "argsJson");
            ulong id;
            lock (gate)
            {
                ThrowIfUnusable();
                // The completion cannot be delivered before the id is registered: delivery
                // needs this lock (native) or the next turn of the browser's event loop (WebGL).
                id = StartRequest(operation, args);
                requests.Add(id, completion);
            }
            if (cancellation.CanBeCanceled)
            {
                ulong requestId = id;
                cancellation.Register(() => Cancel(requestId));
            }
            return completion.Task;
        }

        /// <summary>Cancels request <paramref name="id"/> if it is still pending (its task then fails as cancelled).</summary>
        void Cancel(ulong id)
        {
            lock (gate)
            {
                // Not pending any more (completed) is answered with a status, ignored here.
                if (IsOpen) CancelRequest(id);
            }
        }

        /// <summary>
        /// Starts the account's event stream after event id <paramref name="after"/> (the last id
        /// you handled, persisted; -1: from now on). The stream reconnects by itself and resumes
        /// after the last event delivered, so none is missed or repeated. Events are raised on the
        /// creating thread's SynchronizationContext, or by <see cref="Update"/>.
        /// </summary>
        /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
        /// <exception cref="EtridException">The stream is already started (code <c>invalid_argument</c>).</exception>
        public void StartEvents(long after = -1)
        {
            lock (gate)
            {
                if (!IsOpen) throw new ObjectDisposedException("LightningClient");
                StartEventStream(after);
            }
        }

        /// <summary>Stops the event stream (start it again after the last id you handled).</summary>
        public void StopEvents()
        {
            lock (gate)
            {
                if (IsOpen) StopEventStream();
            }
        }

        /// <summary>Requests still in flight (0 once disposed).</summary>
        public int PendingCount
        {
            get
            {
                lock (gate)
                {
                    return IsOpen ? PendingRequests() : 0;
                }
            }
        }

        /// <summary>
        /// Raises the queued events on this thread and returns how many. Call it each frame when
        /// the client was created on a thread without a SynchronizationContext; with one, events
        /// are raised there without it. A handler's exception propagates after its event is
        /// consumed: the events after it stay queued for the next call.
        /// </summary>
        public int Update()
        {
            lock (gate) updatePosted = false;
            int raised = 0;
            while (true)
            {
                Dictionary<string, object> item;
                lock (gate)
                {
                    if (events.Count == 0) return raised;
                    item = events.Dequeue();
                }
                raised++;
                Raise(item);
            }
        }

        /// <summary>
        /// Frees the backend's client: pending requests fail as cancelled, events stop, nothing
        /// is delivered afterwards. Safe to call twice, from any thread, including from a handler.
        /// </summary>
        public void Dispose()
        {
            if (!Close()) return;
            // Whatever the backend did not complete as cancelled itself.
            FailPending(new LspException(
                "{\"code\":\"cancelled\",\"message\":\"the client was disposed\",\"retryable\":false,\"http_status\":null}"));
            if (self.IsAllocated) self.Free();
            lock (registryGate) live.Remove(this);
        }

        /// <summary>Completes request <paramref name="requestId"/> with its outcome, once; unknown ids are ignored.</summary>
        void Complete(ulong requestId, bool ok, string json)
        {
            TaskCompletionSource<string> completion;
            lock (gate)
            {
                if (!requests.TryGetValue(requestId, out completion)) return;
                requests.Remove(requestId);
            }
            try
            {
                if (ok) completion.TrySetResult(json ?? "null");
                else completion.TrySetException(new LspException(json));
            }
            catch (Exception e)
            {
                // A malformed answer fails the task instead of unwinding into the backend.
                completion.TrySetException(e);
            }
        }

        /// <summary>Queues one event-stream item (its JSON) for <see cref="Update"/>.</summary>
        void EnqueueItem(string json)
        {
            var item = LightningJson.ParseObject(json);
            lock (gate) events.Enqueue(item);
        }

        /// <summary>Fails every request still waiting for a completion with <paramref name="error"/>.</summary>
        void FailPending(Exception error)
        {
            List<TaskCompletionSource<string>> waiting;
            lock (gate)
            {
                waiting = new List<TaskCompletionSource<string>>(requests.Values);
                requests.Clear();
            }
            foreach (var completion in waiting) completion.TrySetException(error);
        }

        /// <summary>Has the context run Update, unless a run is already posted and not yet started.</summary>
        void PostUpdate()
        {
            if (context == null) return;
            lock (gate)
            {
                if (updatePosted) return;
                updatePosted = true;
            }
            context.Post(state => ((LightningClient)state).Update(), this);
        }

        /// <summary>Raises the C# events for one item of the event stream.</summary>
        void Raise(Dictionary<string, object> item)
        {
            object kind;
            item.TryGetValue("kind", out kind);
            switch (kind as string)
            {
                case "event":
                    var raised = LightningEvent.FromJson((Dictionary<string, object>)item["event"]);
                    var any = EventReceived;
                    if (any != null) any(raised);
                    var typed = HandlerFor(raised.Type);
                    if (typed != null) typed(raised);
                    break;
                case "resync":
                    var resync = Resync;
                    if (resync != null) resync();
                    break;
                case "error":
                    var error = StreamError;
                    if (error != null) error(new LspException(LightningJson.Write(item["error"])));
                    break;
            }
        }

        Action<LightningEvent> HandlerFor(string type)
        {
            switch (type)
            {
                case "invoice.paid": return InvoicePaid;
                case "invoice.accepted": return InvoiceAccepted;
                case "invoice.expired": return InvoiceExpired;
                case "invoice.cancelled": return InvoiceCancelled;
                case "payment.succeeded": return PaymentSucceeded;
                case "payment.failed": return PaymentFailed;
                case "tournament.updated": return TournamentUpdated;
                case "tournament.entry": return TournamentEntry;
                case "tournament.payout": return TournamentPayout;
                case "voucher.claimed": return VoucherClaimed;
                case "voucher.expired": return VoucherExpired;
                case "transfer.received": return TransferReceived;
                case "keysend.received": return KeysendReceived;
                case "swap.updated": return SwapUpdated;
                default: return null;
            }
        }
    }
}
