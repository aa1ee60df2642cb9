// The error a LightningClient task fails with.

using System;

namespace Etrid
{
    /// <summary>An LSP call failed: <see cref="Code"/> says why, stably.</summary>
    public sealed class LspException : Exception
    {
        /// <summary>
        /// The stable code: <c>lsp_unauthorized</c>, <c>lsp_forbidden_scope</c>,
        /// <c>lsp_rate_limited</c>, <c>lsp_insufficient_balance</c>, <c>cancelled</c>, ...
        /// </summary>
        public string Code { get; private set; }

        /// <summary>The error as JSON: <c>{"code", "message", "retryable", "http_status", "retry_after_secs"?}</c>.</summary>
        public string Json { get; private set; }

        /// <summary>Whether the same call may succeed later (rate limit, timeout, network, 5xx).</summary>
        public bool Retryable { get; private set; }

        /// <summary>The HTTP status the LSP answered with, or 0 when the call never got an answer.</summary>
        public int HttpStatus { get; private set; }

        /// <summary>Seconds the LSP asked to wait before retrying (Retry-After), or -1 when it did not say.</summary>
        public long RetryAfterSecs { get; private set; }

        /// <summary>Creates the exception from the error JSON of a completion or event item.</summary>
        public LspException(string json)
            : this(LightningJson.Parse(json) as System.Collections.Generic.Dictionary<string, object>, json)
        {
        }

        LspException(System.Collections.Generic.Dictionary<string, object> error, string json)
            : base(Field(error, "message") as string ?? json)
        {
            Json = json;
            Code = Field(error, "code") as string ?? "unknown";
            Retryable = Field(error, "retryable") is bool && (bool)Field(error, "retryable");
            var status = Field(error, "http_status") as JsonNumber;
            HttpStatus = status == null ? 0 : (int)status.ToUInt64();
            var retryAfter = Field(error, "retry_after_secs") as JsonNumber;
            RetryAfterSecs = retryAfter == null ? -1 : (long)retryAfter.ToUInt64();
        }

        static object Field(System.Collections.Generic.Dictionary<string, object> error, string name)
        {
            object value = null;
            if (error != null) error.TryGetValue(name, out value);
            return value;
        }
    }
}
