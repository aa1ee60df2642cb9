//! bitcoind's JSON-RPC over HTTP/1.1 (keep-alive, Basic auth): the envelope, batches, and
//! bitcoind's HTTP statuses (401 bad credentials, 404 unknown method, 500 other errors, 405
//! anything but POST).

mod methods;
mod params;
mod shapes;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};

use super::server::Shared;
use methods::RPC_METHOD_NOT_FOUND;
use params::RpcError;

/// Largest request body (a block-sized transaction in hex, with room to spare).
const MAX_BODY: usize = 32 * 1024 * 1024;
/// bitcoind's `RPC_PARSE_ERROR`.
const RPC_PARSE_ERROR: i32 = -32700;
/// bitcoind's `RPC_INVALID_REQUEST`.
const RPC_INVALID_REQUEST: i32 = -32600;

/// The RPC server's routes: `POST /` (and `POST /wallet/<name>`, as bitcoind).
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", post(handle).fallback(only_post))
        .route("/wallet/{name}", post(handle).fallback(only_post))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(shared)
}

async fn only_post() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        "JSONRPC server handles only POST requests",
    )
        .into_response()
}

/// Whether the request carries `Authorization: Basic base64(user:password)` matching ours.
fn authorized(headers: &HeaderMap, shared: &Shared) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let expected = format!("{}:{}", shared.rpc_user, shared.rpc_password);
    decoded == expected.as_bytes()
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut text = body.to_string();
    text.push('\n');
    let mut response = (status, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn handle(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&headers, &shared) {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"jsonrpc\""),
        );
        return response;
    }
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => {
            let reply = error_reply(
                &Value::Null,
                false,
                &RpcError::new(RPC_PARSE_ERROR, "Parse error"),
            );
            return json_response(StatusCode::INTERNAL_SERVER_ERROR, &reply);
        }
    };
    match request {
        Value::Array(batch) => {
            // JSON-RPC 2.0 notifications (no id) get no entry in the batch reply.
            let replies: Vec<Value> = batch
                .iter()
                .map(|r| reply(&shared, r))
                .filter(|(status, _)| *status != StatusCode::NO_CONTENT)
                .map(|(_, reply)| reply)
                .collect();
            json_response(StatusCode::OK, &Value::Array(replies))
        }
        single => {
            let (status, reply) = reply(&shared, &single);
            if status == StatusCode::NO_CONTENT {
                return StatusCode::NO_CONTENT.into_response();
            }
            json_response(status, &reply)
        }
    }
}

/// An error reply; JSON-RPC 2.0 replies omit `result`, 1.0 replies carry `"result": null`.
fn error_reply(id: &Value, v2: bool, e: &RpcError) -> Value {
    let error = json!({"code": e.code, "message": e.message});
    if v2 {
        json!({"jsonrpc": "2.0", "error": error, "id": id})
    } else {
        json!({"result": null, "error": error, "id": id})
    }
}

/// bitcoind's HTTP status for a JSON-RPC 1.0 error.
fn status_for(code: i32) -> StatusCode {
    match code {
        RPC_INVALID_REQUEST => StatusCode::BAD_REQUEST,
        RPC_METHOD_NOT_FOUND => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Runs one request object and builds its reply and HTTP status.
fn reply(shared: &Shared, request: &Value) -> (StatusCode, Value) {
    let Value::Object(obj) = request else {
        let e = RpcError::new(RPC_INVALID_REQUEST, "Invalid Request object");
        return (
            StatusCode::BAD_REQUEST,
            error_reply(&Value::Null, false, &e),
        );
    };
    let v2 = obj.get("jsonrpc").and_then(Value::as_str) == Some("2.0");
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = obj.get("method").and_then(Value::as_str) else {
        let e = RpcError::new(RPC_INVALID_REQUEST, "Method must be a string");
        return (StatusCode::BAD_REQUEST, error_reply(&id, v2, &e));
    };
    let result = methods::call(shared, method, obj.get("params"));
    if v2 && !obj.contains_key("id") {
        return (StatusCode::NO_CONTENT, Value::Null);
    }
    match result {
        Ok(result) if v2 => (
            StatusCode::OK,
            json!({"jsonrpc": "2.0", "result": result, "id": id}),
        ),
        Ok(result) => (
            StatusCode::OK,
            json!({"result": result, "error": null, "id": id}),
        ),
        Err(e) if v2 => (StatusCode::OK, error_reply(&id, true, &e)),
        Err(e) => (status_for(e.code), error_reply(&id, false, &e)),
    }
}
