//! The HTTP API v1 (`lsp/openapi.json`). A request flows one way: a handler extracts (its key
//! type is its scope: [`scope::InvoiceKey`] or [`scope::AdminKey`]), calls one engine method and
//! serialises; errors become `{code, message}` once, in [`error`].
//!
//! Three routers, by who may call: `public` (no key: health, the document, LNURL callbacks
//! as they come, and public tournaments' lobby and join), `invoice` (any key; CORS-enabled for
//! browsers, as `public` is) and `admin`. One file per resource: `invoices`, `hold_invoices`,
//! `payments`, `balance` (and ledger), `webhooks`, `keys`, `node`, `events`, `addresses`
//! (Lightning Addresses), `tournaments`, `vouchers` (with their LNURL-withdraw endpoints),
//! `schedules`, `streams`, `quotes` and `lnurl` (LNURL-pay endpoints; both LNURL modules answer
//! LNURL JSON rather than `{code, message}`); `system` has health, the document and the
//! fallbacks; `console` the tournament console's static files (when configured); `guard` the
//! checks every request passes first.
//!
//! A new endpoint touches: its model (and `Validate`, limits) in `etrid_core::lsp::model`,
//! `lsp/openapi.json` (with `x-etrid-scope`), one engine method, one handler here and its route
//! below, the client method in `etrid_core::lsp`, and `lsp/API.md`.

pub mod error;
mod extract;
pub mod guard;
mod ratelimit;
pub mod scope;

mod addresses;
mod balance;
mod console;
mod events;
mod hold_invoices;
mod invoices;
mod keys;
mod lnurl;
mod node;
mod payments;
mod quotes;
mod schedules;
mod streams;
mod swaps;
mod system;
mod tournaments;
mod vouchers;
mod webhooks;

use std::sync::Arc;

use axum::http::{header, HeaderValue, Method};
use axum::routing::{delete, get, post};
use axum::Router;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

pub use ratelimit::RateLimiter;

use crate::engine::{Engine, PublicUrl};

/// The OpenAPI document served at `/v1/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../../openapi.json");

/// What every handler reads.
#[derive(Clone)]
pub struct AppState {
    /// The engine: every operation of the API.
    pub engine: Engine,
    /// The per-key invoice creation limiter.
    pub limiter: Arc<RateLimiter>,
    /// Turns true when the server shuts down (event streams close with 1001).
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// Where wallets reach this server (LNURL callbacks, Lightning Address host).
    pub public_url: Arc<PublicUrl>,
}

/// Routes anyone may call, without a key.
fn public() -> Router<AppState> {
    Router::new()
        .route("/v1/health", get(system::health))
        .route("/v1/openapi.json", get(system::openapi))
        .route("/.well-known/lnurlp/{name}", get(lnurl::pay_request))
        .route("/v1/lnurlp/{name}/callback", get(lnurl::pay_callback))
        .route("/v1/lnurlw/{secret}", get(vouchers::withdraw_request))
        .route(
            "/v1/lnurlw/{secret}/callback",
            get(vouchers::withdraw_callback),
        )
        .route(
            "/v1/public/tournaments/{tournament_id}",
            get(tournaments::public_lobby),
        )
        .route(
            "/v1/public/tournaments/{tournament_id}/join",
            post(tournaments::public_join),
        )
}

/// Routes of `x-etrid-scope: invoice`: any valid key (a game client's).
fn invoice() -> Router<AppState> {
    Router::new()
        .route("/v1/invoices", post(invoices::create).get(invoices::list))
        .route("/v1/invoices/{invoice_id}", get(invoices::get))
        .route("/v1/invoices/{invoice_id}/cancel", post(invoices::cancel))
        .route("/v1/quotes", post(quotes::create))
        .route("/v1/tournaments/{tournament_id}", get(tournaments::get))
        .route(
            "/v1/tournaments/{tournament_id}/join",
            post(tournaments::join),
        )
        .route(
            "/v1/tournaments/{tournament_id}/entries",
            get(tournaments::entries),
        )
        .route("/v1/events", get(events::list))
        .route("/v1/events/stream", get(events::stream))
        .route("/v1/swaps/info", get(swaps::info))
        .route("/v1/swaps", get(swaps::list))
        .route("/v1/swaps/{swap_id}", get(swaps::get))
}

/// Routes of `x-etrid-scope: admin`: admin keys only.
fn admin() -> Router<AppState> {
    Router::new()
        .route("/v1/hold-invoices", post(hold_invoices::create))
        .route(
            "/v1/hold-invoices/{invoice_id}/settle",
            post(hold_invoices::settle),
        )
        .route(
            "/v1/hold-invoices/{invoice_id}/cancel",
            post(hold_invoices::cancel),
        )
        .route("/v1/payments/bolt11", post(payments::pay_bolt11))
        .route("/v1/payments/keysend", post(payments::keysend))
        .route("/v1/payments", get(payments::list))
        .route("/v1/payments/{payment_id}", get(payments::get))
        .route("/v1/balance", get(balance::balance))
        .route("/v1/ledger", get(balance::ledger))
        .route("/v1/webhooks", post(webhooks::create).get(webhooks::list))
        .route("/v1/webhooks/{webhook_id}", delete(webhooks::delete))
        .route(
            "/v1/webhooks/{webhook_id}/deliveries",
            get(webhooks::deliveries),
        )
        .route(
            "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
            post(webhooks::redeliver),
        )
        .route("/v1/api-keys", post(keys::create).get(keys::list))
        .route("/v1/api-keys/{key_id}", delete(keys::revoke))
        .route("/v1/node", get(node::info))
        .route("/v1/channels", get(node::channels))
        .route("/v1/liquidity", get(node::liquidity))
        .route(
            "/v1/lightning-addresses",
            post(addresses::create).get(addresses::list),
        )
        .route("/v1/lightning-addresses/{name}", delete(addresses::delete))
        .route(
            "/v1/tournaments",
            post(tournaments::create).get(tournaments::list),
        )
        .route(
            "/v1/tournaments/{tournament_id}/cancel",
            post(tournaments::cancel),
        )
        .route(
            "/v1/tournaments/{tournament_id}/results",
            post(tournaments::results),
        )
        .route(
            "/v1/tournaments/{tournament_id}/payouts",
            post(tournaments::pay).get(tournaments::payouts),
        )
        .route(
            "/v1/tournaments/{tournament_id}/audit",
            get(tournaments::audit),
        )
        .route(
            "/v1/schedules",
            post(schedules::create).get(schedules::list),
        )
        .route("/v1/schedules/{schedule_id}", get(schedules::get))
        .route("/v1/schedules/{schedule_id}/runs", get(schedules::runs))
        .route(
            "/v1/schedules/{schedule_id}/cancel",
            post(schedules::cancel),
        )
        .route("/v1/streams", post(streams::create).get(streams::list))
        .route("/v1/streams/{stream_id}", get(streams::get))
        .route("/v1/streams/{stream_id}/pause", post(streams::pause))
        .route("/v1/streams/{stream_id}/resume", post(streams::resume))
        .route("/v1/streams/{stream_id}/stop", post(streams::stop))
        .route("/v1/streams/{stream_id}/key", post(streams::key))
        .route("/v1/vouchers", post(vouchers::create).get(vouchers::list))
        .route("/v1/vouchers/{voucher_id}", get(vouchers::get))
        .route("/v1/vouchers/{voucher_id}/cancel", post(vouchers::cancel))
        .route("/v1/swaps/submarine", post(swaps::create_submarine))
        .route("/v1/swaps/reverse", post(swaps::create_reverse))
}

/// The full router: the three routers, CORS for browsers on the keyless and invoice routes
/// (when configured), JSON fallbacks, and the request guards.
pub fn router(state: AppState) -> Router {
    // The 405 fallback goes in before CORS, so the CORS layer also wraps it and still answers
    // preflights (OPTIONS reaches a route's fallback).
    let browser = public()
        .merge(invoice())
        .method_not_allowed_fallback(system::method_not_allowed);
    let browser = if state.engine.config().cors {
        browser.layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                .expose_headers([header::RETRY_AFTER]),
        )
    } else {
        browser
    };
    let admin = admin().method_not_allowed_fallback(system::method_not_allowed);
    let origins = &state.engine.config().admin_cors_origins;
    let admin = if origins.is_empty() {
        admin
    } else {
        // Listed origins only (a console hosted elsewhere): admin keys never get `*`.
        let origins = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok());
        admin.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST, Method::DELETE])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                .expose_headers([header::RETRY_AFTER]),
        )
    };
    let api = browser.merge(admin);
    let api = match state.engine.config().console_dir.clone() {
        Some(dir) => api.merge(console::routes(dir)),
        None => api,
    };
    api.fallback(system::not_found)
        .layer(axum::middleware::from_fn(guard::guard))
        .with_state(state)
}
