// LightningClient's backend on desktop, mobile and in the editor: the C ABI's EtridClient.
//
// Threading: the native library runs requests and the event stream on its own runtime threads,
// but none of them ever calls into managed code. Each client has one managed pump thread that
// blocks in etrid_client_wait until a completion or an event is queued natively, then polls
// them: completions finish their TaskCompletionSource (continuations run asynchronously, never
// on the pump), events are queued and raised by Update(), posted to the captured context. A
// native thread that entered managed code would stay attached to Mono and block every domain
// unload (each script reload in the Unity editor); a managed pump leaves when the client is
// disposed, and DisposeAll runs on domain unload.

#if !(UNITY_WEBGL && !UNITY_EDITOR)

using System;
using System.Runtime.InteropServices;
using System.Threading;
using Etrid.Native;

namespace Etrid
{
    public sealed unsafe partial class LightningClient
    {
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

        Thread pump;
        EtridClient* native;
        volatile bool stopping;
        Exception pumpFault;

        bool IsOpen { get { return native != null; } }

        /// <summary>Creates the native client.</summary>
        void Open(byte[] config)
        {
            EtridClient* created = null;
            fixed (byte* text = config)
            {
                Lightning.Check(NativeMethods.etrid_client_new(text, &created));
            }
            native = created;
        }

        /// <summary>Starts the pump, once the GCHandle it passes as user data exists.</summary>
        void Started()
        {
            pump = new Thread(Pump) { IsBackground = true, Name = "Etrid LightningClient pump" };
            pump.Start();
        }

        /// <summary>Throws when no request can start (called under the gate).</summary>
        void ThrowIfUnusable()
        {
            if (native == null) throw new ObjectDisposedException("LightningClient");
            if (pumpFault != null) throw new InvalidOperationException("the client's pump thread failed", pumpFault);
        }

        /// <summary>Starts a request whose completion is queued natively for the pump (under the gate).</summary>
        ulong StartRequest(Operation operation, byte[] args)
        {
            ulong id = 0;
            EtridStatus status;
            fixed (byte* text = args)
            {
                status = NativeMethods.etrid_client_request(native, (int)operation, text, null, null, &id);
            }
            Lightning.Check(status);
            return id;
        }

        void CancelRequest(ulong id)
        {
            NativeMethods.etrid_client_cancel(native, id);
        }

        void StartEventStream(long after)
        {
            // Items queue natively; the pump moves them to this object's queue.
            Lightning.Check(NativeMethods.etrid_client_events_start(native, after, EventQueueCapacity));
        }

        void StopEventStream()
        {
            Lightning.Check(NativeMethods.etrid_client_events_stop(native));
        }

        int PendingRequests()
        {
            return (int)NativeMethods.etrid_client_pending(native);
        }

        /// <summary>Stops the pump and frees the native client; false when already closed.</summary>
        bool Close()
        {
            EtridClient* freeing;
            lock (gate)
            {
                freeing = native;
                native = null;
            }
            if (freeing == null) return false;
            stopping = true;
            // The pump may be blocked in etrid_client_wait on this client: wake it and let it
            // leave before the handle is freed.
            NativeMethods.etrid_client_wake(freeing);
            if (pump != null && Thread.CurrentThread != pump) pump.Join();
            // Requests made without a callback get no completion from etrid_client_free: the
            // shared Dispose fails them as cancelled.
            NativeMethods.etrid_client_free(freeing);
            return true;
        }

        /// <summary>
        /// The pump thread: waits in native code until something is queued, then polls
        /// completions and events. The handle stays valid while it runs: Close joins it first.
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
                if (polled > 0) PostUpdate();
            }
        }

        [MonoPInvokeCallback(typeof(NativeMethods.etrid_client_poll_callback_delegate))]
        static void OnCompletion(void* userData, ulong requestId, EtridStatus status, byte* json)
        {
            try
            {
                var client = (LightningClient)GCHandle.FromIntPtr((IntPtr)userData).Target;
                client.Complete(requestId, status == EtridStatus.Ok, Lightning.FromUtf8(json));
            }
            catch (Exception)
            {
                // Nothing may unwind into native code.
            }
        }

        [MonoPInvokeCallback(typeof(NativeMethods.etrid_client_poll_events_callback_delegate))]
        static void OnEvent(void* userData, byte* json)
        {
            try
            {
                var client = GCHandle.FromIntPtr((IntPtr)userData).Target as LightningClient;
                if (client != null) client.EnqueueItem(Lightning.FromUtf8(json));
            }
            catch (Exception)
            {
                // Nothing may unwind into native code; the native library only sends well-formed JSON.
            }
        }
    }
}

#endif
