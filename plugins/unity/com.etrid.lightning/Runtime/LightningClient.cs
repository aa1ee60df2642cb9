// The LSP client for C# (Unity and .NET), over the C ABI's EtridClient: every operation is a
// Task, and account events are raised on the thread that owns the SynchronizationContext the
// client was created on (Unity's main thread), or, without one, on the thread that calls
// Update() (a game loop).
//
// Threading: the native library runs requests and the event stream on its own runtime threads,
// but none of them ever calls into managed code. Each client has one managed pump thread that
// blocks in etrid_client_wait until a completion or an event is queued natively, then polls
// them: completions finish their TaskCompletionSource (continuations run asynchronously, never
// on the pump), events are queued and raised by Update(), posted to the captured context. A
// native thread that entered managed code would stay attached to Mono and block every domain
// unload (each script reload in the Unity editor); a managed pump leaves when the client is
// disposed, and DisposeAll runs on domain unload.
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
using Etrid.Native;

namespace Etrid
{
    /// <summary>
    /// A client of an Étrid LSP with one API key (in a game: an invoice-scoped key). Create it
    /// on the main thread; dispose it when done. <see cref="DisposeAll"/> disposes every live
    /// client (the Unity package calls it on domain reload and on quit).
    /// </summary>
    public sealed unsafe partial class LightningClient : IDisposable
    {
        static readonly object registryGate = new object();
        static readonly HashSet<LightningClient> live = new HashSet<LightningClient>();

        // The delegates handed to the native library live as long as the program: a delegate
        // collected while native code holds its pointer would crash the call.
        static readonly NativeMethods.etrid_client_poll_callback_delegate CompletionCallback = OnCompletion;
        static readonly NativeMethods.etrid_client_poll_events_callback_delegate EventCallback = OnEvent;

        /// <summary>How long the pump blocks in native code before looking at its stop flag.</summary>
        const uint PumpWaitMs = 500;

        /// <summary>Items the native event queue holds before the stream waits for the pump (nothing is lost).</summary>
        const uint EventQueueCapacity = 1024;

        /// <summary>Most completions or events the pump takes per native poll.</summary>
        const uint PollBatch = 64;

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
        readonly Thread pump;
        GCHandle self;
        unsafe EtridClient* native;
        volatile bool stopping;
        bool updatePosted;
        Exception pumpFault;

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
            lock (registryGate) live.Add(this);
            pump = new Thread(Pump) { IsBackground = true, Name = "Etrid LightningClient pump" };
            pump.Start();
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
            ulong id = 0;
            unsafe
            {
                lock (gate)
                {
                    if (native == null) throw new ObjectDisposedException("LightningClient");
                    if (pumpFault != null) throw new InvalidOperationException("the client's pump thread failed", pumpFault);
                    EtridStatus status;
                    fixed (byte* text = args)
                    {
                        // No callback: the completion is queued natively for the pump, which
                        // cannot poll it before the id is registered (it needs this lock).
                        status = NativeMethods.etrid_client_request(native, (int)operation, text, null, null, &id);
                    }
                    Lightning.Check(status);
                    requests.Add(id, completion);
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
            unsafe
            {
                lock (gate)
                {
                    if (native == null) throw new ObjectDisposedException("LightningClient");
                    // Items queue natively; the pump moves them to this object's queue.
                    Lightning.Check(NativeMethods.etrid_client_events_start(native, after, EventQueueCapacity));
                }
            }
        }

        /// <summary>Stops the event stream (start it again after the last id you handled).</summary>
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

        /// <summary>Raises the C# events for one item of the native stream.</summary>
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
                default: return null;
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

        /// <summary>
        /// Frees the native client: pending requests fail as cancelled, events stop, the pump
        /// thread ends. Safe to call twice, from any thread, including from a handler.
        /// </summary>
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
                stopping = true;
                // The pump may be blocked in etrid_client_wait on this client: wake it and let
                // it leave before the handle is freed.
                NativeMethods.etrid_client_wake(freeing);
                if (Thread.CurrentThread != pump) pump.Join();
                NativeMethods.etrid_client_free(freeing);
            }
            // Requests made without a callback get no completion from etrid_client_free.
            FailPending(new LspException(
                "{\"code\":\"cancelled\",\"message\":\"the client was disposed\",\"retryable\":false,\"http_status\":null}"));
            if (self.IsAllocated) self.Free();
            lock (registryGate) live.Remove(this);
        }

        /// <summary>
        /// The pump thread: waits in native code until something is queued, then polls
        /// completions and events. The handle stays valid while it runs: Dispose joins it first.
        /// </summary>
        void Pump()
        {
            try
            {
                PumpUntilStopped();
            }
            catch (Exception e)
            {
                // A native library without these entry points (a stale build), say: the requests
                // waiting for this pump fail with the reason instead of hanging.
                lock (gate) pumpFault = e;
                FailPending(e);
            }
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

        void PumpUntilStopped()
        {
            EtridClient* handle;
            lock (gate) handle = native;
            if (handle == null) return;
            var user = (void*)GCHandle.ToIntPtr(self);
            while (!stopping)
            {
                if (!NativeMethods.etrid_client_wait(handle, PumpWaitMs)) continue;
                while (!stopping && NativeMethods.etrid_client_poll(handle, PollBatch, CompletionCallback, user) > 0)
                {
                }
                uint polled = 0;
                uint batch;
                while (!stopping && (batch = NativeMethods.etrid_client_poll_events(handle, PollBatch, EventCallback, user)) > 0)
                {
                    polled += batch;
                }
                if (polled > 0 && context != null) PostUpdate();
            }
        }

        /// <summary>Has the context run Update, unless a run is already posted and not yet started.</summary>
        void PostUpdate()
        {
            lock (gate)
            {
                if (updatePosted) return;
                updatePosted = true;
            }
            context.Post(state => ((LightningClient)state).Update(), this);
        }

        [MonoPInvokeCallback(typeof(NativeMethods.etrid_client_poll_callback_delegate))]
        static unsafe void OnCompletion(void* userData, ulong requestId, EtridStatus status, byte* json)
        {
            try
            {
                var client = (LightningClient)GCHandle.FromIntPtr((IntPtr)userData).Target;
                TaskCompletionSource<string> completion;
                lock (client.gate)
                {
                    if (!client.requests.TryGetValue(requestId, out completion)) return;
                    client.requests.Remove(requestId);
                }
                try
                {
                    string text = Lightning.FromUtf8(json) ?? "null";
                    if (status == EtridStatus.Ok) completion.TrySetResult(text);
                    else completion.TrySetException(new LspException(text));
                }
                catch (Exception e)
                {
                    // A malformed answer fails the task instead of unwinding into native code.
                    completion.TrySetException(e);
                }
            }
            catch (Exception)
            {
                // Nothing may unwind into native code.
            }
        }

        [MonoPInvokeCallback(typeof(NativeMethods.etrid_client_poll_events_callback_delegate))]
        static unsafe void OnEvent(void* userData, byte* json)
        {
            try
            {
                var client = GCHandle.FromIntPtr((IntPtr)userData).Target as LightningClient;
                if (client == null) return;
                var item = LightningJson.ParseObject(Lightning.FromUtf8(json));
                lock (client.gate)
                {
                    client.events.Enqueue(item);
                }
            }
            catch (Exception)
            {
                // Nothing may unwind into native code; the native library only sends well-formed JSON.
            }
        }
    }
}
