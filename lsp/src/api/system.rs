//! Routes without a key (health, the OpenAPI document) and the router's JSON answers for an
//! unknown route (`404 not_found`) or method (`405 method_not_allowed`).

use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::Json;
use etrid_core::lsp::{ApiErrorCode, Health, HealthStatus};

use super::error::ApiError;
use super::OPENAPI_JSON;

/// `GET /v1/health`
pub(super) async fn health() -> Json<Health> {
    Json(Health {
        status: HealthStatus::Ok,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

/// `GET /v1/openapi.json`
pub(super) async fn openapi() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI_JSON,
    )
}

/// Any route the API does not have.
pub(super) async fn not_found() -> ApiError {
    ApiError::new(ApiErrorCode::NotFound, "route not found")
}

/// A route the API has, with a method it does not take (`Allow` lists the ones it does).
pub(super) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ApiErrorCode::MethodNotAllowed,
        "this route does not take this method; see the Allow header",
    )
}
