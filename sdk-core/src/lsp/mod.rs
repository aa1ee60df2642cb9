//! The LSP client: typed models of the LSP's public HTTP API v1 (`lsp/openapi.json`) and
//! [`LspClient`], one async method per endpoint over the injected
//! [`Transport`](crate::transport::Transport) and [`Timer`](crate::timer::Timer).
//!
//! Money moves in two steps: [`LspClient::prepare_pay_invoice`] decodes and checks the invoice
//! and the [`PaymentPolicy`] locally, sending nothing; [`LspClient::pay`] sends it. Events come
//! from an [`EventSubscription`] that resumes after drops without repeating an event, and
//! [`LspClient::wait_for_payment`] turns them into a [`WaitOutcome`] that never hangs. An
//! [`EventHub`] delivers the same events to listeners (added and removed by id) and to a queue a
//! game loop polls each frame: the one delivery layer every binding uses.

mod addresses;
mod balance;
mod client;
mod config;
mod config_json;
mod error;
mod events;
mod hub;
mod invoices;
mod json_api;
mod keys;
mod lnurl_pay;
pub mod model;
mod node;
mod payments;
mod schedules;
mod streams;
mod swaps;
mod tournaments;
mod vouchers;
mod wait;
mod webhooks;

#[cfg(test)]
mod tests;

pub use client::LspClient;
pub use config::{FeeLimit, LspConfig, PaymentPolicy, ReconnectPolicy};
pub use error::LspError;
pub use events::EventSubscription;
pub use hub::{EventHub, EventListener, EventPump, HubEvent, ListenerId};
pub use json_api::{error_json, parse_arguments, Operation, OperationError};
pub use lnurl_pay::{LnurlPayment, PayLnurlRequest};
pub use model::*;
pub use payments::{PreparedKeysend, PreparedPayment};
pub use vouchers::{voucher_sheets_svg, LnurlWithdrawal, RedeemWithdrawRequest};
pub use wait::WaitOutcome;
