//! The Étrid reference LSP: a multi-tenant Lightning payments server on LDK Node.
//!
//! Accounts hold balances in a double-entry ledger of millisatoshis; API keys with scopes let
//! game clients create and watch invoices while servers pay. The HTTP API v1 and its WebSocket
//! event stream are described by `lsp/openapi.json` (served at `/v1/openapi.json`); signed
//! webhooks are delivered at least once. State lives in SQLite by default or PostgreSQL.
//!
//! Run it with `etrid-lsp run` (see `--help`); embed it with [`Server::start`].

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod api;
pub mod config;
pub mod db;
pub mod engine;
pub mod error;
pub mod ids;
pub mod node;
pub mod server;
pub mod store;
pub mod supervise;
pub mod swap_config;
pub mod swap_keys;
pub mod time;

pub use config::{Config, Options};
pub use error::ServerError;
pub use server::Server;
