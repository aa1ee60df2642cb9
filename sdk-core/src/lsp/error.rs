//! [`LspError`]: everything an LSP call can fail with — refused locally before sending, refused
//! by the server (`{code, message}`), or lost in transport — and the mapping of HTTP error
//! responses onto it.

use thiserror::Error;

use super::model::{ApiErrorCode, ErrorResponse, RequestError};
use crate::invoice::InvoiceError;
use crate::lnurl::LnurlError;
use crate::transport::{HttpResponse, TransportError};

/// The most characters of an unparseable error body kept in an error message.
const MAX_BODY_SNIPPET: usize = 200;

/// Why an LSP call failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LspError {
    /// The client configuration is unusable (e.g. the base URL is not http(s)).
    #[error("invalid LSP client configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },
    /// A request field was refused before sending (bad id, hex, TLV type, ...).
    #[error("invalid `{field}`: {reason}")]
    InvalidRequest {
        /// The field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The invoice to pay failed local decoding or validation (network, signature, expiry...).
    #[error(transparent)]
    Invoice(#[from] InvoiceError),
    /// An LNURL service (a Lightning Address) refused, answered something invalid, or offered
    /// an invoice that does not match what was asked; nothing was paid.
    #[error(transparent)]
    Lnurl(#[from] LnurlError),
    /// An any-amount invoice was to be paid without `amount_msat`.
    #[error("the invoice has no amount: give amount_msat")]
    AmountRequired,
    /// `amount_msat` was given for an invoice that fixes its own amount.
    #[error("the invoice already asks for {invoice_amount_msat} msat: do not give amount_msat")]
    AmountNotAllowed {
        /// The invoice's amount.
        invoice_amount_msat: u64,
    },
    /// The requested fee limit exceeds the client's payment policy.
    #[error("max fee {requested_msat} msat exceeds the policy limit of {limit_msat} msat")]
    FeeLimitExceeded {
        /// The fee limit requested.
        requested_msat: u64,
        /// The policy's limit for this amount.
        limit_msat: u64,
    },
    /// The requested number of parts is zero or exceeds the client's payment policy.
    #[error("max parts {requested} is outside 1..={limit}")]
    TooManyParts {
        /// The parts requested.
        requested: u32,
        /// The policy's limit.
        limit: u32,
    },
    /// 401: the key is missing, unknown or revoked.
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// The server's message.
        message: String,
    },
    /// 403: the key's scope does not allow the operation.
    #[error("forbidden: {message}")]
    Forbidden {
        /// The server's message.
        message: String,
    },
    /// 404: no such resource in this account.
    #[error("not found: {message}")]
    NotFound {
        /// The server's message.
        message: String,
    },
    /// 429: too many requests; retry after the given seconds (1 when the server gave none).
    #[error("rate limited: retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds to wait, from `Retry-After`.
        retry_after_secs: u64,
    },
    /// Any other error response: the server's status, stable `code` and message.
    #[error("LSP error {status} {code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The server's stable code, or [`ApiErrorCode::Unknown`] for a code this client does
        /// not know or a body that was not an error object.
        code: ApiErrorCode,
        /// The server's message, or the start of the body.
        message: String,
    },
    /// A success response (or event) did not match the API's schema.
    #[error("could not decode the LSP response: {detail}")]
    Decode {
        /// What did not match.
        detail: String,
    },
    /// The request did not complete within the configured request timeout.
    #[error("the LSP did not answer within {after_ms} ms")]
    Timeout {
        /// The timeout, in milliseconds.
        after_ms: u64,
    },
    /// The transport failed (connection, TLS, stream).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The event stream failed `attempts` times in a row and the subscription stopped.
    #[error("the event stream failed {attempts} times in a row: {last_error}")]
    StreamGaveUp {
        /// Consecutive failures.
        attempts: u32,
        /// The last failure.
        last_error: String,
    },
}

impl LspError {
    /// The stable code of this error (see [`crate::Error::code`]). Server errors map their
    /// known codes to `lsp_<code>`; unknown ones to `lsp_api_error`.
    pub fn code(&self) -> &'static str {
        match self {
            LspError::InvalidConfig { .. } => "lsp_invalid_config",
            LspError::InvalidRequest { .. } => "lsp_invalid_request",
            LspError::Invoice(e) => e.code(),
            LspError::Lnurl(e) => e.code(),
            LspError::AmountRequired => "lsp_amount_required",
            LspError::AmountNotAllowed { .. } => "lsp_amount_not_allowed",
            LspError::FeeLimitExceeded { .. } => "lsp_fee_limit_exceeded",
            LspError::TooManyParts { .. } => "lsp_too_many_parts",
            LspError::Unauthorized { .. } => "lsp_unauthorized",
            LspError::Forbidden { .. } => "lsp_forbidden_scope",
            LspError::NotFound { .. } => "lsp_not_found",
            LspError::RateLimited { .. } => "lsp_rate_limited",
            LspError::Api { code, .. } => code.sdk_code(),
            LspError::Decode { .. } => "lsp_decode",
            LspError::Timeout { .. } => "lsp_timeout",
            LspError::Transport(e) => e.code(),
            LspError::StreamGaveUp { .. } => "lsp_stream_gave_up",
        }
    }

    /// Whether retrying the same call later may succeed (rate limits, timeouts, transport
    /// failures, 5xx). Payment calls are idempotent by key, so retrying them is safe.
    pub fn is_retryable(&self) -> bool {
        match self {
            LspError::RateLimited { .. }
            | LspError::Timeout { .. }
            | LspError::Transport(_)
            | LspError::StreamGaveUp { .. } => true,
            LspError::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// Maps an HTTP error response (status not 2xx) onto an error.
    pub(crate) fn from_response(response: &HttpResponse) -> LspError {
        let (code, message) = match serde_json::from_slice::<ErrorResponse>(&response.body) {
            Ok(body) => (body.code, body.message),
            Err(_) => (ApiErrorCode::Unknown, body_snippet(&response.body)),
        };
        match response.status {
            401 => LspError::Unauthorized { message },
            403 => LspError::Forbidden { message },
            404 => LspError::NotFound { message },
            429 => LspError::RateLimited {
                retry_after_secs: response
                    .header("retry-after")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(1),
            },
            status => LspError::Api {
                status,
                code,
                message,
            },
        }
    }

    /// A decode error for a body that did not match the expected model.
    pub(crate) fn decode(error: &serde_json::Error) -> LspError {
        LspError::Decode {
            detail: error.to_string(),
        }
    }
}

impl From<RequestError> for LspError {
    fn from(e: RequestError) -> LspError {
        LspError::InvalidRequest {
            field: e.field,
            reason: e.reason,
        }
    }
}

/// The start of a body as text, for errors whose body is not JSON.
fn body_snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .chars()
        .take(MAX_BODY_SNIPPET)
        .collect()
}
