// LightningClient's backend in WebGL players: the npm package @etrid/lightning (the same Rust
// core, compiled to WebAssembly) through Plugins/WebGL/EtridLightning.jslib. The page must load
// the package first (the Etrid WebGL template does; see Documentation~).
//
// Threading: a browser has one thread. Requests and the event stream run on its event loop; the
// bridge calls the static callbacks below from the loop, never inside a call from C#, so a
// completion can never arrive before RequestAsync has registered its id. Completions finish
// their Task at once; events are queued and raised by Update() or posted to the captured
// SynchronizationContext, as on every other platform. No pump thread exists here.

#if UNITY_WEBGL && !UNITY_EDITOR

using System;
using System.Runtime.InteropServices;
using Etrid.Native;

namespace Etrid
{
    public sealed partial class LightningClient
    {
        // Static delegates, as IL2CPP requires for callbacks (reverse P/Invoke), kept alive forever.
        static readonly WebGLMethods.Completion CompletionCallback = OnWebCompletion;
        static readonly WebGLMethods.EventItem EventCallback = OnWebEvent;

        /// <summary>The bridge's client handle (0: closed).</summary>
        int handle;

        bool IsOpen { get { return handle != 0; } }

        void Open(byte[] config)
        {
            handle = WebGLMethods.EtridWebGL_ClientNew(config);
            if (handle == 0) throw WebGLMethods.LastError();
        }

        void Started()
        {
        }

        void ThrowIfUnusable()
        {
            if (handle == 0) throw new ObjectDisposedException("LightningClient");
        }

        ulong StartRequest(Operation operation, byte[] args)
        {
            int id = WebGLMethods.EtridWebGL_Request(handle, (int)operation, args, CompletionCallback, GCHandle.ToIntPtr(self));
            if (id == 0) throw WebGLMethods.LastError();
            return (ulong)id;
        }

        void CancelRequest(ulong id)
        {
            WebGLMethods.EtridWebGL_Cancel(handle, (int)id);
        }

        void StartEventStream(long after)
        {
            if (WebGLMethods.EtridWebGL_EventsStart(handle, after, EventCallback, GCHandle.ToIntPtr(self)) == 0)
                throw WebGLMethods.LastError();
        }

        void StopEventStream()
        {
            WebGLMethods.EtridWebGL_EventsStop(handle);
        }

        int PendingRequests()
        {
            return WebGLMethods.EtridWebGL_Pending(handle);
        }

        /// <summary>Frees the bridge's client: its pending requests complete as cancelled during the call.</summary>
        bool Close()
        {
            int closing;
            lock (gate)
            {
                closing = handle;
                handle = 0;
            }
            if (closing == 0) return false;
            WebGLMethods.EtridWebGL_ClientFree(closing);
            return true;
        }

        [MonoPInvokeCallback(typeof(WebGLMethods.Completion))]
        static unsafe void OnWebCompletion(IntPtr userData, int requestId, int status, IntPtr json)
        {
            try
            {
                var client = (LightningClient)GCHandle.FromIntPtr(userData).Target;
                client.Complete((ulong)requestId, status == (int)EtridStatus.Ok, Lightning.FromUtf8((byte*)json));
            }
            catch (Exception)
            {
                // Nothing may unwind into the bridge.
            }
        }

        [MonoPInvokeCallback(typeof(WebGLMethods.EventItem))]
        static unsafe void OnWebEvent(IntPtr userData, IntPtr json)
        {
            try
            {
                var client = GCHandle.FromIntPtr(userData).Target as LightningClient;
                if (client == null) return;
                client.EnqueueItem(Lightning.FromUtf8((byte*)json));
                client.PostUpdate();
            }
            catch (Exception)
            {
                // Nothing may unwind into the bridge; it only sends well-formed JSON.
            }
        }
    }
}

#endif
