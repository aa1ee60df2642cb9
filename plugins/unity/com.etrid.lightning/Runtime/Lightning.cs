// Idiomatic C# over the generated P/Invoke declarations (NativeMethods.g.cs), for Unity and
// .NET: strings go in and out as UTF-8 explicitly (Mono's default string marshalling is not
// UTF-8 everywhere), every pointer the native library returns is freed in a finally block, and
// a failed call becomes an EtridException carrying the stable error code.
//
// Needs "Allow unsafe code" (Unity asmdef) or -unsafe (mcs/csc). No System.Text.Json (Unity lacks
// it): structured results are returned as JSON strings for JsonUtility or any JSON library.

using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using Etrid.Native;

namespace Etrid
{
    /// <summary>A native call failed.</summary>
    /// <remarks>
    /// <see cref="Code"/> is a stable snake_case code to branch on (<c>invoice_expired</c>,
    /// <c>invoice_wrong_network</c>, <c>invalid_argument</c>, <c>panic</c>, ...); the message is
    /// for people and may change.
    /// </remarks>
    public sealed class EtridException : Exception
    {
        /// <summary>The stable error code, e.g. <c>invoice_expired</c>.</summary>
        public string Code { get; private set; }

        /// <summary>Creates an exception with a code and a readable message.</summary>
        public EtridException(string code, string message)
            : base(message)
        {
            Code = code;
        }
    }

    /// <summary>A QR code as a square grid of modules (no quiet zone), ready for a texture.</summary>
    public sealed class QrCodeMatrix
    {
        /// <summary>Modules per side.</summary>
        public int Width { get; private set; }

        /// <summary>Width * Width bytes, row-major (top row first), 1 = dark, 0 = light.</summary>
        public byte[] Modules { get; private set; }

        /// <summary>Wraps a module grid.</summary>
        public QrCodeMatrix(int width, byte[] modules)
        {
            if (modules == null) throw new ArgumentNullException("modules");
            if (width < 0 || (long)width * width != modules.Length)
                throw new ArgumentException("modules must hold width * width bytes");
            Width = width;
            Modules = modules;
        }

        /// <summary>Whether the module at column x, row y (from the top-left) is dark.</summary>
        public bool IsDark(int x, int y)
        {
            if (x < 0 || y < 0 || x >= Width || y >= Width) throw new ArgumentOutOfRangeException();
            return Modules[y * Width + x] != 0;
        }
    }

    /// <summary>Offline Lightning calls: invoice decoding and QR codes.</summary>
    /// <remarks>
    /// Calls are synchronous and may run on any thread; each call reads its error on the thread
    /// that made it. In WebGL players they run in the npm package, through the jslib bridge.
    /// </remarks>
    public static class Lightning
    {
        /// <summary>The core's version, e.g. <c>0.1.0</c> (the native library's, or in WebGL the npm package's).</summary>
        public static string Version
        {
            get
            {
#if UNITY_WEBGL && !UNITY_EDITOR
                return WebGLMethods.TakeString(WebGLMethods.EtridWebGL_Version());
#else
                unsafe
                {
                    return FromUtf8(NativeMethods.etrid_version()) ?? "";
                }
#endif
            }
        }

        /// <summary>
        /// Decodes and validates a BOLT11 invoice, returning it as a JSON object with snake_case
        /// fields (amount_msat, payment_hash, description, expiry, ...).
        /// </summary>
        /// <param name="bolt11">The invoice text.</param>
        /// <param name="network"><c>bitcoin</c> (or <c>mainnet</c>), <c>testnet</c>, <c>signet</c>
        /// or <c>regtest</c>.</param>
        /// <param name="nowUnixSecs">The time to check expiry against, in seconds since the Unix
        /// epoch; 0 = the system clock.</param>
        /// <param name="allowExpired">Decode an expired invoice instead of failing with
        /// <c>invoice_expired</c>.</param>
        /// <exception cref="EtridException">The invoice is invalid, for another network or
        /// expired (see <see cref="EtridException.Code"/>).</exception>
        public static string DecodeInvoiceJson(
            string bolt11, string network, ulong nowUnixSecs = 0, bool allowExpired = false)
        {
#if UNITY_WEBGL && !UNITY_EDITOR
            return WebGLMethods.TakeString(WebGLMethods.EtridWebGL_DecodeInvoice(
                ToUtf8(bolt11, "bolt11"), ToUtf8(network, "network"), nowUnixSecs, allowExpired ? 1 : 0));
#else
            byte[] bolt11Utf8 = ToUtf8(bolt11, "bolt11");
            byte[] networkUtf8 = ToUtf8(network, "network");
            unsafe
            {
                byte* json = null;
                try
                {
                    fixed (byte* bolt11Ptr = bolt11Utf8)
                    fixed (byte* networkPtr = networkUtf8)
                    {
                        Check(NativeMethods.etrid_invoice_decode(
                            bolt11Ptr, networkPtr, nowUnixSecs, allowExpired, &json));
                    }
                    return FromUtf8(json);
                }
                finally
                {
                    NativeMethods.etrid_string_free(json);
                }
            }
#endif
        }

        /// <summary>Renders text (an invoice, an LNURL, ...) as a QR code in an SVG document.</summary>
        /// <exception cref="EtridException">The text does not fit in a QR code.</exception>
        public static string QrSvg(string text)
        {
#if UNITY_WEBGL && !UNITY_EDITOR
            return WebGLMethods.TakeString(WebGLMethods.EtridWebGL_QrSvg(ToUtf8(text, "text")));
#else
            byte[] textUtf8 = ToUtf8(text, "text");
            unsafe
            {
                byte* svg = null;
                try
                {
                    fixed (byte* textPtr = textUtf8)
                    {
                        Check(NativeMethods.etrid_qr_svg(textPtr, &svg));
                    }
                    return FromUtf8(svg);
                }
                finally
                {
                    NativeMethods.etrid_string_free(svg);
                }
            }
#endif
        }

        /// <summary>Encodes text as a QR code module matrix, e.g. to upload as a texture.</summary>
        /// <exception cref="EtridException">The text does not fit in a QR code.</exception>
        public static QrCodeMatrix QrMatrix(string text)
        {
#if UNITY_WEBGL && !UNITY_EDITOR
            int width;
            IntPtr modules = WebGLMethods.EtridWebGL_QrMatrix(ToUtf8(text, "text"), out width);
            if (modules == IntPtr.Zero) throw WebGLMethods.LastError();
            try
            {
                byte[] copy = new byte[checked(width * width)];
                if (copy.Length > 0) Marshal.Copy(modules, copy, 0, copy.Length);
                return new QrCodeMatrix(width, copy);
            }
            finally
            {
                WebGLMethods.EtridWebGL_Free(modules);
            }
#else
            byte[] textUtf8 = ToUtf8(text, "text");
            unsafe
            {
                EtridQrMatrix* matrix = null;
                try
                {
                    fixed (byte* textPtr = textUtf8)
                    {
                        Check(NativeMethods.etrid_qr_matrix(textPtr, &matrix));
                    }
                    int len = checked((int)(ulong)matrix->len);
                    byte[] modules = new byte[len];
                    if (len > 0) Marshal.Copy((IntPtr)matrix->modules, modules, 0, len);
                    return new QrCodeMatrix(checked((int)matrix->width), modules);
                }
                finally
                {
                    NativeMethods.etrid_qr_matrix_free(matrix);
                }
            }
#endif
        }

        /// <summary>
        /// Printable A4 sheets of vouchers: 12 QR cards a page (the voucher's LNURL, its amount in
        /// sat, its description and the last day to claim it), one SVG document per page, sized in
        /// millimetres (print it or save it as PDF).
        /// </summary>
        /// <param name="vouchersJson">The vouchers as the LSP answers them: a JSON array, a created
        /// batch (its <c>vouchers</c>) or a page of the list (its <c>items</c>).</param>
        /// <exception cref="EtridException">The JSON is not such a list (<c>invalid_argument</c>).</exception>
        public static string[] VoucherSheetsSvg(string vouchersJson)
        {
#if UNITY_WEBGL && !UNITY_EDITOR
            string pages = WebGLMethods.TakeString(WebGLMethods.EtridWebGL_VoucherSheetsSvg(ToUtf8(vouchersJson, "vouchersJson")));
#else
            string pages;
            byte[] vouchersUtf8 = ToUtf8(vouchersJson, "vouchersJson");
            unsafe
            {
                byte* json = null;
                try
                {
                    fixed (byte* vouchersPtr = vouchersUtf8)
                    {
                        Check(NativeMethods.etrid_voucher_sheets_svg(vouchersPtr, &json));
                    }
                    pages = FromUtf8(json);
                }
                finally
                {
                    NativeMethods.etrid_string_free(json);
                }
            }
#endif
            var list = (List<object>)LightningJson.Parse(pages);
            var svgs = new string[list.Count];
            for (int i = 0; i < svgs.Length; i++) svgs[i] = (string)list[i];
            return svgs;
        }

        /// <summary>NUL-terminated UTF-8 bytes of a managed string.</summary>
        internal static byte[] ToUtf8(string text, string argument)
        {
            if (text == null) throw new ArgumentNullException(argument);
            if (text.IndexOf('\0') >= 0)
                throw new ArgumentException("must not contain NUL characters", argument);
            byte[] bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
            Encoding.UTF8.GetBytes(text, 0, text.Length, bytes, 0);
            return bytes;
        }

        /// <summary>A managed copy of a NUL-terminated UTF-8 string, or null for a null pointer.</summary>
        internal static unsafe string FromUtf8(byte* text)
        {
            if (text == null) return null;
            int len = 0;
            while (text[len] != 0) len++;
            return Encoding.UTF8.GetString(text, len);
        }

        /// <summary>Throws an EtridException for a failed status, with this thread's last error.</summary>
        internal static unsafe void Check(EtridStatus status)
        {
            if (status == EtridStatus.Ok) return;
            string code = FromUtf8(NativeMethods.etrid_last_error_code()) ?? "unknown";
            string message = FromUtf8(NativeMethods.etrid_last_error_message()) ?? status.ToString();
            throw new EtridException(code, message);
        }
    }
}
