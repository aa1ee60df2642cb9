// The Unity WebGL bridge's functions (Plugins/WebGL/EtridLightning.jslib), linked into the
// player by Emscripten: [DllImport("__Internal")], as Unity requires for .jslib code. Strings go
// in as NUL-terminated UTF-8 byte arrays; strings and buffers coming back are malloc'd by the
// bridge and freed with EtridWebGL_Free once read. Only WebGL players compile this file.

#if UNITY_WEBGL && !UNITY_EDITOR

using System;
using System.Runtime.InteropServices;

namespace Etrid.Native
{
    /// <summary>The jslib bridge's entry points (see EtridLightning.jslib for each contract).</summary>
    internal static class WebGLMethods
    {
        /// <summary>A request's outcome: user data, request id, EtridStatus, JSON (lent for the call).</summary>
        internal delegate void Completion(IntPtr userData, int requestId, int status, IntPtr json);

        /// <summary>An event-stream item: user data, JSON (lent for the call).</summary>
        internal delegate void EventItem(IntPtr userData, IntPtr json);

        [DllImport("__Internal")] internal static extern int EtridWebGL_ClientNew(byte[] configJson);
        [DllImport("__Internal")] internal static extern IntPtr EtridWebGL_TakeError();
        [DllImport("__Internal")] internal static extern void EtridWebGL_Free(IntPtr pointer);
        [DllImport("__Internal")] internal static extern int EtridWebGL_Request(int client, int operation, byte[] argsJson, Completion callback, IntPtr userData);
        [DllImport("__Internal")] internal static extern int EtridWebGL_Cancel(int client, int requestId);
        [DllImport("__Internal")] internal static extern int EtridWebGL_Pending(int client);
        [DllImport("__Internal")] internal static extern int EtridWebGL_EventsStart(int client, double after, EventItem callback, IntPtr userData);
        [DllImport("__Internal")] internal static extern void EtridWebGL_EventsStop(int client);
        [DllImport("__Internal")] internal static extern void EtridWebGL_ClientFree(int client);
        [DllImport("__Internal")] internal static extern IntPtr EtridWebGL_Version();
        [DllImport("__Internal")] internal static extern IntPtr EtridWebGL_DecodeInvoice(byte[] bolt11, byte[] network, double nowUnixSecs, int allowExpired);
        [DllImport("__Internal")] internal static extern IntPtr EtridWebGL_QrSvg(byte[] text);
        [DllImport("__Internal")] internal static extern IntPtr EtridWebGL_QrMatrix(byte[] text, out int width);
        [DllImport("__Internal")] internal static extern IntPtr EtridWebGL_VoucherSheetsSvg(byte[] vouchersJson);

        /// <summary>The string a bridge call returned, read and freed; on a null pointer, the bridge's error as an EtridException.</summary>
        internal static unsafe string TakeString(IntPtr pointer)
        {
            if (pointer == IntPtr.Zero) throw LastError();
            try
            {
                return Lightning.FromUtf8((byte*)pointer);
            }
            finally
            {
                EtridWebGL_Free(pointer);
            }
        }

        /// <summary>The bridge's last synchronous failure as an EtridException (code and message of its error JSON).</summary>
        internal static unsafe EtridException LastError()
        {
            IntPtr pointer = EtridWebGL_TakeError();
            if (pointer == IntPtr.Zero) return new EtridException("internal_error", "the WebGL bridge failed without an error");
            string json;
            try
            {
                json = Lightning.FromUtf8((byte*)pointer);
            }
            finally
            {
                EtridWebGL_Free(pointer);
            }
            var error = new LspException(json);
            return new EtridException(error.Code, error.Message);
        }
    }
}

#endif
