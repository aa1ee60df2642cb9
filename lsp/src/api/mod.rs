//! The HTTP API v1 (`lsp/openapi.json`): routes, shared state, CORS for invoice-scope routes.

mod admin;
mod auth;
mod events;
mod invoices;
mod payments;
mod query;
mod ratelimit;

use std::sync::Arc;

use axum::http::{header, HeaderValue, Method};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use etrid_core::lsp::{Health, HealthStatus};
use tower_http::cors::{Any, CorsLayer};

pub use auth::Caller;
pub use ratelimit::RateLimiter;

use crate::engine::Engine;

/// The OpenAPI document served at `/v1/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../../openapi.json");

/// What every handler reads.
#[derive(Clone)]
pub struct AppState {
    /// The engine (node, store, configuration).
    pub engine: Engine,
    /// The per-key invoice creation limiter.
    pub limiter: Arc<RateLimiter>,
    /// Turns true when the server shuts down (event streams close with 1001).
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

/// The full router.
pub fn router(state: AppState) -> Router {
    let cors = state.engine.config().cors;
    let public = Router::new()
        .route("/v1/health", get(health))
        .route("/v1/openapi.json", get(openapi))
        .route("/v1/invoices", post(invoices::create).get(invoices::list))
        .route("/v1/invoices/{invoice_id}", get(invoices::get))
        .route("/v1/invoices/{invoice_id}/cancel", post(invoices::cancel))
        .route("/v1/events", get(events::list))
        .route("/v1/events/stream", get(events::stream));
    let public = if cors {
        public.layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                .expose_headers([header::RETRY_AFTER]),
        )
    } else {
        public
    };
    let admin = Router::new()
        .route("/v1/hold-invoices", post(invoices::create_hold))
        .route(
            "/v1/hold-invoices/{invoice_id}/settle",
            post(invoices::settle_hold),
        )
        .route(
            "/v1/hold-invoices/{invoice_id}/cancel",
            post(invoices::cancel_hold),
        )
        .route("/v1/payments/bolt11", post(payments::pay_bolt11))
        .route("/v1/payments/keysend", post(payments::keysend))
        .route("/v1/payments", get(payments::list))
        .route("/v1/payments/{payment_id}", get(payments::get))
        .route("/v1/balance", get(admin::balance))
        .route("/v1/ledger", get(admin::ledger))
        .route(
            "/v1/webhooks",
            post(admin::create_webhook).get(admin::list_webhooks),
        )
        .route("/v1/webhooks/{webhook_id}", delete(admin::delete_webhook))
        .route(
            "/v1/webhooks/{webhook_id}/deliveries",
            get(admin::list_deliveries),
        )
        .route(
            "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
            post(admin::redeliver),
        )
        .route(
            "/v1/api-keys",
            post(admin::create_key).get(admin::list_keys),
        )
        .route("/v1/api-keys/{key_id}", delete(admin::revoke_key))
        .route("/v1/node", get(admin::node_info))
        .route("/v1/channels", get(admin::channels))
        .route("/v1/liquidity", get(admin::liquidity));
    public.merge(admin).fallback(not_found).with_state(state)
}

async fn health() -> Json<Health> {
    Json(Health {
        status: HealthStatus::Ok,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

async fn openapi() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI_JSON,
    )
}

async fn not_found() -> crate::error::ServerError {
    crate::error::ServerError::not_found("route")
}
