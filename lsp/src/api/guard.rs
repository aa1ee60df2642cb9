//! Guards every request passes before routing, so that every answer keeps the connection
//! usable and is `{code, message}` JSON:
//! - the body is read in full first (up to [`MAX_BODY_BYTES`]): a request refused before its
//!   handler reads the body (401, 404, 405, …) otherwise leaves unread bytes on a keep-alive
//!   connection, which the server then closes without `Connection: close`, and a client
//!   reusing the connection (browsers, reqwest, Unity) fails its next request;
//! - a longer body answers `413 payload_too_large` with `Connection: close`;
//! - a path and query longer than [`MAX_URI_BYTES`] answer `414 uri_too_long`.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::{CONNECTION, CONTENT_LENGTH};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use etrid_core::lsp::ApiErrorCode;

use super::error::ApiError;

/// Largest request body: every request of the API is a small JSON object.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Longest path and query. (Request lines over 64 KiB are refused by the HTTP parser itself,
/// before any of this code runs, with a bare `414`.)
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The middleware: URI length, then the body read in full.
pub(crate) async fn guard(req: Request, next: Next) -> Response {
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return ApiError::new(
            ApiErrorCode::UriTooLong,
            format!("the path and query must be at most {MAX_URI_BYTES} bytes"),
        )
        .into_response();
    }
    let declared_too_long = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > MAX_BODY_BYTES as u64);
    let (parts, body) = req.into_parts();
    let bytes = if declared_too_long {
        None
    } else {
        to_bytes(body, MAX_BODY_BYTES).await.ok()
    };
    let Some(bytes) = bytes else {
        // The rest of the body is not read: tell the client the connection ends here.
        let mut response = ApiError::new(
            ApiErrorCode::PayloadTooLarge,
            format!("the body must be at most {MAX_BODY_BYTES} bytes"),
        )
        .into_response();
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        return response;
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
