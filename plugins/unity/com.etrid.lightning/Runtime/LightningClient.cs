// The LSP client for C# (Unity and .NET), over the C ABI's EtridClient: every operation is a
// Task completed by the native library's callback, and account events are raised on the thread
// that owns the SynchronizationContext the client was created on (Unity's main thread), or,
// without one, on the thread that calls Update() (a game loop).
//
// Plain C#: compiles unchanged with mcs, Unity's compiler and IL2CPP (static callbacks marked
// MonoPInvokeCallback, state passed as GCHandles). Results are JSON strings (the LSP API's
// fields, snake_case) for JsonUtility or any JSON library; amounts inside are integers in msat.

using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Etrid.Native;

namespace Etrid
{
    /// <summary>Marks a static method the native library calls back (IL2CPP needs it; Mono ignores it).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        /// <summary>Marks a callback of delegate type <paramref name="type"/>.</summary>
        public MonoPInvokeCallbackAttribute(Type type)
        {
            Type = type;
        }

        /// <summary>The delegate type.</summary>
        public Type Type { get; private set; }
    }

    /// <summary>
    /// The operations of <see cref="LightningClient.RequestAsync"/>: the values of
    /// <c>EtridOperation</c> in etrid.h (a test checks they agree).
    /// </summary>
    public enum Operation
    {
        CreateInvoice = 1,
        GetInvoice = 2,
        ListInvoices = 3,
        CancelInvoice = 4,
        WaitForPayment = 5,
        CreateHoldInvoice = 6,
        SettleHoldInvoice = 7,
        CancelHoldInvoice = 8,
        PayInvoice = 9,
        Keysend = 10,
        GetPayment = 11,
        ListPayments = 12,
        Balance = 13,
        ListLedger = 14,
        CreateApiKey = 15,
        ListApiKeys = 16,
        RevokeApiKey = 17,
        CreateWebhook = 18,
        ListWebhooks = 19,
        DeleteWebhook = 20,
        ListWebhookDeliveries = 21,
        RedeliverWebhook = 22,
        Health = 23,
        NodeInfo = 24,
        ListChannels = 25,
        Liquidity = 26,
        ListEvents = 27,
    }

    /// <summary>An LSP call failed: <see cref="EtridException.Code"/> says why, stably.</summary>
    public sealed class LspException : Exception
    {
        /// <summary>The stable code: <c>lsp_unauthorized</c>, <c>lsp_rate_limited</c>, <c>cancelled</c>, ...</summary>
        public string Code { get; private set; }

        /// <summary>The error as JSON: <c>{"code", "message", "retryable", "http_status", "retry_after_secs"?}</c>.</summary>
        public string Json { get; private set; }

        /// <summary>Whether the same call may succeed later (rate limit, timeout, network, 5xx).</summary>
        public bool Retryable { get; private set; }

        /// <summary>Creates the exception from a completion's error JSON.</summary>
        public LspException(string code, string message, bool retryable, string json)
            : base(message)
        {
            Code = code;
            Retryable = retryable;
            Json = json;
        }
    }

    /// <summary>
    /// A client of an Étrid LSP with one API key (in a game: an invoice-scoped key). Create it
    /// on the main thread; dispose it when done (and on domain reload in the Unity editor).
    /// </summary>
    public sealed unsafe class LightningClient : IDisposable
    {
        readonly object gate = new object();
        readonly SynchronizationContext context;
        readonly Queue<string> events = new Queue<string>();
        GCHandle self;

        // The delegates handed to the native library live as long as the program: a delegate
        // collected while native code holds its pointer would crash the callback.
        static readonly NativeMethods.etrid_client_request_callback_delegate CompletionCallback = OnCompletion;
        static readonly NativeMethods.etrid_client_add_event_listener_callback_delegate EventCallback = OnEvent;
        unsafe EtridClient* native;

        /// <summary>
        /// Raised for each event item, with its JSON: <c>{"kind": "event", "event": {id, type,
        /// created_at, data}}</c>, <c>{"kind": "resync"}</c> or <c>{"kind": "error", "error": {...}}</c>.
        /// Raised on the SynchronizationContext the client was created on, or by <see cref="Update"/>.
        /// </summary>
        public event Action<string> EventReceived;

        /// <summary>
        /// A client for <paramref name="configJson"/>: <c>{"base_url", "api_key", "network",
        /// "request_timeout_ms"?, "payment_policy"?, "reconnect"?}</c>.
        /// </summary>
        /// <exception cref="EtridException">The configuration is unusable.</exception>
        public LightningClient(string configJson)
        {
            context = SynchronizationContext.Current;
            byte[] config = Lightning.ToUtf8(configJson, "configJson");
            unsafe
            {
                EtridClient* created = null;
                fixed (byte* text = config)
                {
                    Lightning.Check(NativeMethods.etrid_client_new(text, &created));
                }
                native = created;
            }
            self = GCHandle.Alloc(this, GCHandleType.Normal);
        }

        /// <summary>A client for <paramref name="baseUrl"/> with <paramref name="apiKey"/> on <paramref name="network"/>.</summary>
        public LightningClient(string baseUrl, string apiKey, string network)
            : this("{\"base_url\":" + Json.Quote(baseUrl) + ",\"api_key\":" + Json.Quote(apiKey)
                + ",\"network\":" + Json.Quote(network) + "}")
        {
        }

        /// <summary>
        /// Runs <paramref name="operation"/> with <paramref name="argsJson"/> (a JSON object) and
        /// completes with the result JSON, or fails with an <see cref="LspException"/> (code
        /// <c>cancelled</c> when <paramref name="cancellation"/> fires or the client is disposed).
        /// </summary>
        public Task<string> RequestAsync(Operation operation, string argsJson, CancellationToken cancellation = default(CancellationToken))
        {
            var completion = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            byte[] args = argsJson == null ? null : Lightning.ToUtf8(argsJson, "argsJson");
            GCHandle state = GCHandle.Alloc(completion, GCHandleType.Normal);
            ulong id = 0;
            unsafe
            {
                EtridStatus status;
                lock (gate)
                {
                    if (native == null)
                    {
                        state.Free();
                        throw new ObjectDisposedException("LightningClient");
                    }
                    fixed (byte* text = args)
                    {
                        status = NativeMethods.etrid_client_request(native, (int)operation, text, CompletionCallback,
                            (void*)GCHandle.ToIntPtr(state), &id);
                    }
                }
                if (status != EtridStatus.Ok)
                {
                    state.Free();
                    Lightning.Check(status);
                }
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
            unsafe
            {
                lock (gate)
                {
                    // Not pending any more (completed) is answered with a status, ignored here.
                    if (native != null) NativeMethods.etrid_client_cancel(native, id);
                }
            }
        }

        /// <summary>Creates an invoice: <c>{"amount_msat"?, "description"?, "expiry_secs"?, "external_id"?, ...}</c>.</summary>
        public Task<string> CreateInvoiceAsync(string argsJson) { return RequestAsync(Operation.CreateInvoice, argsJson); }

        /// <summary>Gets one invoice by id.</summary>
        public Task<string> GetInvoiceAsync(string invoiceId) { return RequestAsync(Operation.GetInvoice, "{\"invoice_id\":" + Json.Quote(invoiceId) + "}"); }

        /// <summary>
        /// Waits until the invoice is paid, accepted, expired or cancelled (never past its expiry),
        /// or <paramref name="timeoutMs"/> passes: <c>{"status", "invoice"}</c>.
        /// </summary>
        public Task<string> WaitForPaymentAsync(string invoiceId, long timeoutMs = -1, CancellationToken cancellation = default(CancellationToken))
        {
            string args = "{\"invoice_id\":" + Json.Quote(invoiceId) + (timeoutMs >= 0 ? ",\"timeout_ms\":" + timeoutMs : "") + "}";
            return RequestAsync(Operation.WaitForPayment, args, cancellation);
        }

        /// <summary>Pays a BOLT11 invoice (admin scope): <c>{"bolt11", "idempotency_key", "amount_msat"?, "max_fee_msat"?}</c>.</summary>
        public Task<string> PayInvoiceAsync(string argsJson) { return RequestAsync(Operation.PayInvoice, argsJson); }

        /// <summary>The account's balance: <c>{"available_msat", "reserved_msat"}</c>.</summary>
        public Task<string> BalanceAsync() { return RequestAsync(Operation.Balance, null); }

        /// <summary>
        /// Starts the account's event stream, after event id <paramref name="after"/> (a persisted
        /// id; -1: from now on). Items arrive through <see cref="EventReceived"/>.
        /// </summary>
        public void StartEvents(long after = -1)
        {
            unsafe
            {
                lock (gate)
                {
                    if (native == null) throw new ObjectDisposedException("LightningClient");
                    // No native poll queue: the listener hands items to this object's queue.
                    Lightning.Check(NativeMethods.etrid_client_events_start(native, after, 0));
                    ulong listener;
                    Lightning.Check(NativeMethods.etrid_client_add_event_listener(native, EventCallback,
                        (void*)GCHandle.ToIntPtr(self), &listener));
                }
            }
        }

        /// <summary>Stops the event stream (start it again from the last id you saw).</summary>
        public void StopEvents()
        {
            unsafe
            {
                lock (gate)
                {
                    if (native != null) Lightning.Check(NativeMethods.etrid_client_events_stop(native));
                }
            }
        }

        /// <summary>
        /// Raises queued events on this thread; returns how many. Call it each frame when the
        /// client was created without a SynchronizationContext.
        /// </summary>
        public int Update()
        {
            int raised = 0;
            while (true)
            {
                string item;
                lock (gate)
                {
                    if (events.Count == 0) return raised;
                    item = events.Dequeue();
                }
                Action<string> handler = EventReceived;
                if (handler != null) handler(item);
                raised++;
            }
        }

        /// <summary>Frees the native client: pending requests fail as cancelled, events stop.</summary>
        public void Dispose()
        {
            unsafe
            {
                EtridClient* freeing;
                lock (gate)
                {
                    freeing = native;
                    native = null;
                }
                if (freeing == null) return;
                // Pending requests complete (cancelled) inside this call, on this thread.
                NativeMethods.etrid_client_free(freeing);
            }
            if (self.IsAllocated) self.Free();
        }

        [MonoPInvokeCallback(typeof(NativeMethods.etrid_client_request_callback_delegate))]
        static unsafe void OnCompletion(void* userData, ulong requestId, EtridStatus status, byte* json)
        {
            GCHandle state = GCHandle.FromIntPtr((IntPtr)userData);
            var completion = (TaskCompletionSource<string>)state.Target;
            state.Free();
            string text = Lightning.FromUtf8(json) ?? "null";
            if (status == EtridStatus.Ok)
            {
                completion.TrySetResult(text);
                return;
            }
            completion.TrySetException(new LspException(Json.StringField(text, "code") ?? "unknown",
                Json.StringField(text, "message") ?? text, text.Contains("\"retryable\":true"), text));
        }

        [MonoPInvokeCallback(typeof(NativeMethods.etrid_client_add_event_listener_callback_delegate))]
        static unsafe void OnEvent(void* userData, byte* json)
        {
            var client = GCHandle.FromIntPtr((IntPtr)userData).Target as LightningClient;
            if (client == null) return;
            string item = Lightning.FromUtf8(json);
            lock (client.gate)
            {
                client.events.Enqueue(item);
            }
            if (client.context != null)
            {
                client.context.Post(state => ((LightningClient)state).Update(), client);
            }
        }

        /// <summary>Requests still in flight (0 once disposed).</summary>
        public int PendingCount
        {
            get
            {
                unsafe
                {
                    lock (gate)
                    {
                        return native == null ? 0 : (int)NativeMethods.etrid_client_pending(native);
                    }
                }
            }
        }
    }

    /// <summary>The little JSON this file writes and reads (no JSON library is assumed).</summary>
    internal static class Json
    {
        /// <summary><paramref name="text"/> as a JSON string literal.</summary>
        internal static string Quote(string text)
        {
            if (text == null) return "null";
            var builder = new System.Text.StringBuilder("\"");
            foreach (char c in text)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    default:
                        if (c < ' ') builder.Append("\\u").Append(((int)c).ToString("x4"));
                        else builder.Append(c);
                        break;
                }
            }
            return builder.Append('"').ToString();
        }

        /// <summary>The string value of top-level field <paramref name="name"/> (simple strings only).</summary>
        internal static string StringField(string json, string name)
        {
            string key = "\"" + name + "\":\"";
            int start = json.IndexOf(key, StringComparison.Ordinal);
            if (start < 0) return null;
            start += key.Length;
            var builder = new System.Text.StringBuilder();
            for (int i = start; i < json.Length; i++)
            {
                char c = json[i];
                if (c == '\\' && i + 1 < json.Length) { builder.Append(json[++i]); continue; }
                if (c == '"') return builder.ToString();
                builder.Append(c);
            }
            return null;
        }
    }
}
