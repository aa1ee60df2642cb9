//! The one place errors become HTTP answers: every refusal, from the engine, an extractor, the
//! router's fallbacks or the request guards, is `{code, message}` JSON with the status of its
//! [`ApiErrorCode`].

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use etrid_core::lsp::{ApiErrorCode, ErrorResponse};

use crate::error::ServerError;

/// An error answer: the stable code, the message shown to the client, and `Retry-After`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The stable code; the HTTP status follows from it.
    pub code: ApiErrorCode,
    /// What the client is told.
    pub message: String,
    /// Seconds for `Retry-After` (rate limits).
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    /// An answer with `code` and `message`.
    pub fn new(code: ApiErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<ServerError> for ApiError {
    fn from(error: ServerError) -> ApiError {
        let code = error.code();
        let message = if code == ApiErrorCode::InternalError {
            // Details of internal failures go to the log, not to clients.
            tracing::error!(%error, "internal error");
            "internal error; the request may be retried".to_owned()
        } else {
            error.to_string()
        };
        let retry_after_secs = match error {
            ServerError::RateLimited { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        ApiError {
            code,
            message,
            retry_after_secs,
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> ApiError {
        ApiError::from(ServerError::from(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = ErrorResponse {
            code: self.code,
            message: self.message,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// The result of a request handler.
pub type ApiResult<T> = Result<T, ApiError>;
