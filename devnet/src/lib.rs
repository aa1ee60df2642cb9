//! The Étrid devnet: a real Lightning network on one machine.
//!
//! A regtest chain server ([`chain`]) that speaks the part of bitcoind's JSON-RPC LDK Node uses
//! and a small Esplora REST API, and an orchestrator ([`nodes`]) that starts LDK Node peers on it,
//! funds them and opens channels. Tests start it in-process; `etrid-devnet up` runs it for people.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod chain;
pub mod control;
pub mod error;
pub mod nodes;

pub use error::DevnetError;
pub use nodes::{Devnet, DevnetApi, DevnetConfig, DevnetNode};
