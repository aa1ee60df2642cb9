//! The extension's one error type: what the engine-independent half refuses, named so a
//! game developer knows what to fix. The node hands it to GDScript as the same error JSON
//! every binding uses (`{"code", "message", …}`).

use thiserror::Error;

/// Why the extension refused a call.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum GodotError {
    /// The client configuration is not usable (a missing or malformed field, a bad URL).
    #[error("client configuration: {reason}")]
    Config {
        /// What is wrong, naming the field.
        reason: String,
    },
    /// The extension's runtime could not start (the OS refused its threads).
    #[error("could not start the SDK's runtime: {reason}")]
    Runtime {
        /// What the OS reported.
        reason: String,
    },
    /// No operation has this name.
    #[error(
        "no operation named {name:?} (operations are snake_case: create_invoice, pay_invoice, …)"
    )]
    UnknownOperation {
        /// The name given.
        name: String,
    },
    /// The client is not configured yet (set `base_url`, `api_key` and `network`, then call
    /// `open()`).
    #[error("the client is not open: set base_url, api_key and network, then call open()")]
    NotOpen,
    /// An argument that cannot be sent as JSON (an object, a callable, a float where the API
    /// takes an integer amount).
    #[error("argument {path}: {reason}")]
    Argument {
        /// Where in the arguments (`args.amount_msat`).
        path: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl GodotError {
    /// The stable code in the error JSON.
    pub fn code(&self) -> &'static str {
        match self {
            GodotError::Config { .. } | GodotError::Argument { .. } => "invalid_argument",
            GodotError::Runtime { .. } => "runtime_unavailable",
            GodotError::UnknownOperation { .. } => "unknown_operation",
            GodotError::NotOpen => "not_open",
        }
    }

    /// The error as the JSON every binding shares.
    pub fn to_json(&self) -> serde_json::Value {
        etrid_core::lsp::error_json(self.code(), &self.to_string(), false, None)
    }
}
